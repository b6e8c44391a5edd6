"""Answer evaluation: every question of the fixed set is put to the assistant (a follow-up right
after the assistant's own answer to the question it follows), and its answers are scored on
citations, agencies, facts and refusals, overall, per intent and per question kind.

Citations are checked against the parsed structure before anything is scored: a citation to a
clause, part or provision that does not exist, a quote its text does not contain, or agencies
its bracket does not name is a bug, not a miss, and ``run_answer_eval`` raises on it.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import perf_counter

from core.model import Answer, Citation, Clause, Document, Part, Provision, Turn
from evals.passes import judge
from evals.questions import Question
from indexing.corpus import Corpus

AnswerFn = Callable[[str, list[Turn]], Answer]  # (question, history) -> answer
Place = tuple[str, str]  # (doc_id, "9") or (doc_id, "p2"), as Ref.place

AGENCY_INTENTS = ("responsibility", "duties")
QUALIFIERS = ("以上", "左右")  # an English answer may render 11.5%以上 as "over 11.5%"
_ELLIPSIS = re.compile(r"…+|\.\.\.")


@dataclass(frozen=True, slots=True)
class Rate:
    """A mean and how many items it averages; ``n == 0`` means not measured (``value`` None),
    which a report must not show as a zero."""

    value: float | None
    n: int

    @classmethod
    def mean(cls, values: Sequence[float]) -> Rate:
        return cls(sum(values) / len(values) if values else None, len(values))


@dataclass(frozen=True, slots=True)
class Record:
    """One question and what its answer did; ``None`` where a measure does not apply."""

    id: str
    kind: str
    intent: str  # the gold intent
    lang: str
    refuse: bool  # gold: the assistant must decline
    refused: bool  # the assistant declined
    answered_intent: str  # the intent the assistant returned
    cited: tuple[Place, ...]  # the place of each citation, in citation order
    correct_citations: int  # how many of ``cited`` lie in a gold place
    recall: float | None  # share of gold places cited (answerable questions)
    agency_recall: float | None  # share of gold agencies named (responsibility, duties)
    facts_ok: bool | None  # every fact in the answer (questions with facts)
    follow_up_ok: bool | None  # follow-ups only
    seconds: float
    persona: str = ""
    passed: bool = False  # judged as a whole (evals/passes.py)
    why: str = ""  # the first reason it did not pass
    conversation: str = ""  # the id of the conversation's first turn


@dataclass(frozen=True, slots=True)
class Metrics:
    """The answer metrics over one group of questions (see evals/README.md)."""

    questions: int
    citation_precision: Rate  # micro, over citations of answers to answerable questions
    citation_precision_macro: Rate  # per answer that cites anything, then averaged
    citation_recall: Rate  # macro, over answerable questions
    agency_recall: Rate  # macro, over responsibility/duties questions with agencies
    fact_accuracy: Rate  # over questions with facts: all of them present
    declines: Rate  # gold-refuse questions the assistant declined
    answers: Rate  # answerable questions the assistant did not decline
    follow_up: Rate  # follow-ups answered, citing gold, with their agencies and facts
    passed: Rate  # answers that pass as a whole (evals/passes.py)


@dataclass(frozen=True, slots=True)
class InvalidCitation:
    question_id: str
    n: int
    ref: str  # where the citation points, e.g. tianjin-2022/99/1
    reason: str

    def __str__(self) -> str:
        return f"{self.question_id} [{self.n}] {self.ref}: {self.reason}"


@dataclass(frozen=True, slots=True)
class AnswerEval:
    overall: Metrics
    by_intent: dict[str, Metrics]
    by_kind: dict[str, Metrics]
    by_persona: dict[str, Metrics]
    conversations: Rate  # multi-turn conversations whose every turn passes
    target_facts: Rate  # fact accuracy on target questions: the numbers the texts set
    records: tuple[Record, ...]
    invalid: tuple[InvalidCitation, ...]
    seconds: float
    p50: float  # median seconds per answer
    p95: float


# -- citations against the structure -------------------------------------------------------


def _document(corpus: Corpus, doc_id: str) -> Document | None:
    return next((d for d in corpus.documents if d.doc_id == doc_id), None)


def _names_part(text: str | None, part: Part | None) -> bool:
    return (text is not None and part is not None
            and text.strip() in (part.heading, part.title, part.label))


def _cited_part(citation: Citation, doc: Document) -> Part | None:
    """The part whose own text a ``clause_no is None`` citation names by its heading."""
    return next((p for p in doc.parts if p.intro and _names_part(citation.part, p)), None)


def citation_place(citation: Citation, corpus: Corpus) -> Place:
    """The clause or part a citation lies in, comparable with ``Question.places``."""
    if citation.clause_no is not None:
        return (citation.doc_id, str(citation.clause_no))
    doc = _document(corpus, citation.doc_id)
    part = _cited_part(citation, doc) if doc is not None else None
    return (citation.doc_id, f"p{part.no}" if part is not None else "p?")


def citation_ref(citation: Citation) -> str:
    where = str(citation.clause_no) if citation.clause_no is not None else f"p({citation.part})"
    tail = f"/{citation.provision}" if citation.provision is not None else ""
    return f"{citation.doc_id}/{where}{tail}"


def _quoted(quote: str, text: str) -> bool:
    """The quote occurs in the text; an excerpt elided with … must occur piece by piece."""
    pieces = [p.strip() for p in _ELLIPSIS.split(quote) if p.strip()]
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return bool(pieces)


def citation_problem(citation: Citation, corpus: Corpus) -> str | None:
    """Why a citation does not match the parsed structure, or None when it does."""
    c = citation
    doc = _document(corpus, c.doc_id)
    if doc is None:
        return f"no document {c.doc_id!r}"
    meta = doc.meta
    if c.doc_title not in (meta.title, meta.short_title, meta.english_title):
        return f"doc_title {c.doc_title!r} is not the title of {c.doc_id}"
    provisions: tuple[Provision, ...]
    if c.clause_no is None:
        part = _cited_part(c, doc)
        if part is None:
            return f"no part with text of its own headed {c.part!r}"
        provisions, whole = part.intro, "".join(p.text for p in part.intro)
    else:
        clause: Clause | None = doc.clause(c.clause_no)
        if clause is None:
            return f"no clause {c.clause_no}"
        if c.clause_label is not None and c.clause_label != clause.label:
            return f"clause_label {c.clause_label!r} is not {clause.label!r}"
        if c.clause_title is not None and c.clause_title not in (clause.title, clause.heading):
            return f"clause_title {c.clause_title!r} is not {clause.title!r}"
        if c.part is not None and not _names_part(c.part, doc.part(clause.part_no)):
            return f"part {c.part!r} is not the part of clause {clause.no}"
        provisions, whole = clause.provisions, clause.text
    if c.provision is None:
        if not _quoted(c.quote, whole):
            return f"quote {c.quote!r} is not in the text"
        named = {a for p in provisions for a in p.agencies}
        extra = [a for a in c.agencies if a not in named]
        return f"agencies {extra} are named by no task there" if extra else None
    if not 1 <= c.provision <= len(provisions):
        return f"no provision {c.provision} (there are {len(provisions)})"
    provision = provisions[c.provision - 1]
    if not _quoted(c.quote, provision.text):
        return f"quote {c.quote!r} is not in the provision"
    if c.agencies != provision.agencies:
        return f"agencies {list(c.agencies)} are not the provision's {list(provision.agencies)}"
    return None


# -- what an answer says -------------------------------------------------------------------


def names_agency(text: str, name: str, lang: str, corpus: Corpus) -> bool:
    """The canonical Chinese name; an English answer may use the registry's English name."""
    if name in text:
        return True
    english = corpus.registry.agency(name).english if lang == "en" else ""
    return bool(english) and english.casefold() in text.casefold()


def has_fact(text: str, fact: str, lang: str) -> bool:
    # the sources print dates and numbers with stray spaces (2022 年 3 月): spacing never counts
    text, fact = re.sub(r"\s+", "", text), re.sub(r"\s+", "", fact)
    if fact in text:
        return True
    if lang != "en":
        return False
    bare = fact
    for qualifier in QUALIFIERS:
        bare = bare.replace(qualifier, "")
    return bool(bare) and bare in text


def _record(q: Question, a: Answer, corpus: Corpus, seconds: float,
            conversation: str) -> Record:
    cited = tuple(citation_place(c, corpus) for c in a.citations)
    gold = q.places
    hit = gold & set(cited)
    named = [names_agency(a.answer, name, q.lang, corpus) for name in q.agencies]
    facts = [has_fact(a.answer, fact, q.lang) for fact in q.facts]
    follow_up = None
    if q.follows is not None:
        follow_up = not a.refused and bool(hit) and all(named) and all(facts)
    verdict = judge(q, a, bool(hit), named, facts)
    return Record(
        id=q.id, kind=q.kind, intent=q.intent, lang=q.lang, refuse=q.refuse,
        refused=a.refused, answered_intent=str(a.intent), cited=cited,
        correct_citations=sum(1 for p in cited if p in gold),
        recall=len(hit) / len(gold) if gold else None,
        agency_recall=(sum(named) / len(named)
                       if named and q.intent in AGENCY_INTENTS else None),
        facts_ok=all(facts) if facts else None,
        follow_up_ok=follow_up, seconds=seconds, persona=q.persona or "",
        passed=verdict.passed, why=verdict.why, conversation=conversation,
    )


# -- scores --------------------------------------------------------------------------------


def metrics_of(records: Sequence[Record]) -> Metrics:
    answerable = [r for r in records if not r.refuse]
    cited = sum(len(r.cited) for r in answerable)
    correct = sum(r.correct_citations for r in answerable)
    return Metrics(
        questions=len(records),
        citation_precision=Rate(correct / cited if cited else None, cited),
        citation_precision_macro=Rate.mean([r.correct_citations / len(r.cited)
                                            for r in answerable if r.cited]),
        citation_recall=Rate.mean([r.recall for r in answerable if r.recall is not None]),
        agency_recall=Rate.mean([r.agency_recall for r in records
                                 if r.agency_recall is not None]),
        fact_accuracy=Rate.mean([float(r.facts_ok) for r in records if r.facts_ok is not None]),
        declines=Rate.mean([float(r.refused) for r in records if r.refuse]),
        answers=Rate.mean([float(not r.refused) for r in answerable]),
        follow_up=Rate.mean([float(r.follow_up_ok) for r in records
                             if r.follow_up_ok is not None]),
        passed=Rate.mean([float(r.passed) for r in records]),
    )


def _grouped(records: Sequence[Record], key: Callable[[Record], str]) -> dict[str, Metrics]:
    return {k: metrics_of([r for r in records if key(r) == k])
            for k in sorted({key(r) for r in records})}


def failing(result: AnswerEval) -> dict[str, tuple[str, ...]]:
    """Per metric, the ids of the questions that lost points on it: what to look at first."""
    rs = result.records
    return {
        "citation_precision": tuple(r.id for r in rs
                                    if not r.refuse and r.correct_citations < len(r.cited)),
        "citation_recall": tuple(r.id for r in rs if r.recall is not None and r.recall < 1),
        "agency_recall": tuple(r.id for r in rs
                               if r.agency_recall is not None and r.agency_recall < 1),
        "fact_accuracy": tuple(r.id for r in rs if r.facts_ok is False),
        "declines": tuple(r.id for r in rs if r.refuse and not r.refused),
        "answers": tuple(r.id for r in rs if not r.refuse and r.refused),
        "follow_up": tuple(r.id for r in rs if r.follow_up_ok is False),
        "passed": tuple(f"{r.id} ({r.why})" for r in rs if not r.passed),
    }


def _percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: an observed latency, never an interpolated one."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


# -- the run -------------------------------------------------------------------------------


def evaluate_answers(answer: AnswerFn, questions: Sequence[Question],
                     corpus: Corpus) -> AnswerEval:
    """Ask every question in order and score the answers; invalid citations are collected,
    not raised, so that a caller can show them all."""
    records: list[Record] = []
    invalid: list[InvalidCitation] = []
    previous: tuple[Question, Answer] | None = None
    history: list[Turn] = []  # the conversation so far, as a chat front end resends it
    conversation = ""
    started = perf_counter()
    for q in questions:
        if q.follows is not None:
            if previous is None or previous[0].id != q.follows:
                raise ValueError(f"{q.id} follows {q.follows}, which was not asked just before")
            history = [*history, Turn("user", previous[0].question),
                       Turn("assistant", previous[1].answer)]
        else:
            history, conversation = [], q.id
        asked = perf_counter()
        a = answer(q.question, history)
        seconds = perf_counter() - asked
        invalid += [InvalidCitation(q.id, c.n, citation_ref(c), problem)
                    for c in a.citations
                    if (problem := citation_problem(c, corpus)) is not None]
        records.append(_record(q, a, corpus, seconds, conversation))
        previous = (q, a)
    total = perf_counter() - started
    latencies = [r.seconds for r in records]
    return AnswerEval(
        overall=metrics_of(records),
        by_intent=_grouped(records, lambda r: r.intent),
        by_kind=_grouped(records, lambda r: r.kind),
        by_persona=_grouped([r for r in records if r.persona], lambda r: r.persona),
        conversations=_conversations(records),
        target_facts=metrics_of([r for r in records if r.intent == "target"]).fact_accuracy,
        records=tuple(records), invalid=tuple(invalid), seconds=total,
        p50=statistics.median(latencies) if latencies else 0.0,
        p95=_percentile(latencies, 0.95),
    )


def _conversations(records: Sequence[Record]) -> Rate:
    turns: dict[str, list[bool]] = {}
    for r in records:
        turns.setdefault(r.conversation, []).append(r.passed)
    return Rate.mean([float(all(t)) for t in turns.values() if len(t) > 1])


def run_answer_eval(answer: AnswerFn, questions: Sequence[Question],
                    corpus: Corpus) -> AnswerEval:
    """``evaluate_answers``, asserting zero citations to places that do not exist: such a
    citation is a bug to fix, not a score to report."""
    result = evaluate_answers(answer, questions, corpus)
    if result.invalid:
        raise AssertionError(f"{len(result.invalid)} invalid citation(s):\n"
                             + "\n".join(str(i) for i in result.invalid))
    return result
