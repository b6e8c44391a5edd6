"""The fixed question set (questions.jsonl, schema in evals/README.md), loaded and checked
against the parsed structure: a ref to a clause that does not exist is an error, not a miss."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.errors import BadInput, CorpusError
from indexing.corpus import Corpus

QUESTIONS_FILE = Path(__file__).with_name("questions.jsonl")
# the question sets (fixed, held-out, blind): the catalogue's gold beside them
# (catalogue-sample.jsonl, profiles.jsonl) has another schema
QUESTION_SETS = ("questions.jsonl", "heldout.jsonl", "blind-*.jsonl")
KINDS = ("paraphrase", "colloquial", "enterprise", "civil_servant", "national", "agency",
         "target", "clause_ref", "cross_doc", "follow_up", "english", "out_of_scope",
         "count", "comparison", "document", "definition", "yes_no", "limits")
PERSONAS = ("enterprise", "civil_servant", "visitor")
YES_NO = ("yes", "no", "unstated")
INTENTS = ("duties", "responsibility", "target", "incentive", "clause", "general",
           "out_of_scope")


def question_sets() -> list[Path]:
    """Every question set's file, in name order."""
    folder = QUESTIONS_FILE.parent
    return sorted({path for pattern in QUESTION_SETS for path in folder.glob(pattern)})


@dataclass(frozen=True, slots=True)
class Ref:
    """``tianjin-2022/9``, ``tianjin-2022/9/5`` or ``zhongfa-2021-36/p2``."""

    doc_id: str
    clause_no: int | None  # None: the text of part ``part_no``
    part_no: int | None
    provision: int | None

    @classmethod
    def parse(cls, text: str) -> Ref:
        pieces = text.split("/")
        if len(pieces) not in (2, 3) or not pieces[0]:
            raise ValueError(f"bad ref {text!r}")
        doc_id, where = pieces[0], pieces[1]
        provision = int(pieces[2]) if len(pieces) == 3 else None
        if where.startswith("p"):
            return cls(doc_id, None, int(where[1:]), provision)
        return cls(doc_id, int(where), None, provision)

    @property
    def place(self) -> tuple[str, str]:
        """The clause or part this ref lies in: what a retrieval hit must match."""
        return (self.doc_id, f"p{self.part_no}" if self.clause_no is None else str(self.clause_no))


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    lang: str
    kind: str
    intent: str
    gold: tuple[Ref, ...]
    gold_provisions: tuple[Ref, ...]
    agencies: tuple[str, ...]
    facts: tuple[str, ...]
    refuse: bool
    follows: str | None
    persona: str | None = None
    not_stated: bool = False  # asks a detail the documents do not give: say so, cite the topic
    yes_no: str | None = None  # the answer a yes/no question must start with

    @property
    def places(self) -> frozenset[tuple[str, str]]:
        return frozenset(r.place for r in self.gold)


def load_questions(corpus: Corpus, path: Path = QUESTIONS_FILE) -> tuple[Question, ...]:
    questions: list[Question] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            q = Question(
                id=raw["id"], question=raw["question"], lang=raw["lang"], kind=raw["kind"],
                intent=raw["intent"], gold=tuple(Ref.parse(r) for r in raw.get("gold", [])),
                gold_provisions=tuple(Ref.parse(r) for r in raw.get("gold_provisions", [])),
                agencies=tuple(raw.get("agencies", [])), facts=tuple(raw.get("facts", [])),
                refuse=bool(raw["refuse"]), follows=raw.get("follows"),
                persona=raw.get("persona"), not_stated=bool(raw.get("not_stated", False)),
                yes_no=raw.get("yes_no"),
            )
            _check(q, corpus, questions)
        except (ValueError, KeyError, TypeError, BadInput) as exc:
            raise CorpusError(f"{path}:{number}: {exc}") from exc
        questions.append(q)
    return tuple(questions)


def _check(q: Question, corpus: Corpus, before: list[Question]) -> None:
    if q.kind not in KINDS:
        raise ValueError(f"{q.id}: unknown kind {q.kind!r}")
    if q.intent not in INTENTS:
        raise ValueError(f"{q.id}: unknown intent {q.intent!r}")
    if q.persona is not None and q.persona not in PERSONAS:
        raise ValueError(f"{q.id}: unknown persona {q.persona!r}")
    if q.yes_no is not None and q.yes_no not in YES_NO:
        raise ValueError(f"{q.id}: yes_no must be one of {YES_NO}")
    if q.not_stated and q.refuse:
        raise ValueError(f"{q.id}: not_stated questions are answered, not declined")
    if q.lang not in ("zh", "en"):
        raise ValueError(f"{q.id}: unknown lang {q.lang!r}")
    if any(p.id == q.id for p in before):
        raise ValueError(f"{q.id}: duplicate id")
    if q.refuse == bool(q.gold):
        raise ValueError(f"{q.id}: a question has gold refs exactly when it is not refused")
    if q.follows is not None and (not before or before[-1].id != q.follows):
        raise ValueError(f"{q.id}: follows {q.follows!r}, which is not the line before")
    for ref in (*q.gold, *q.gold_provisions):
        _check_ref(ref, corpus, q.id)
    for name in q.agencies:
        if name not in corpus.registry:
            raise ValueError(f"{q.id}: {name!r} is not a canonical agency name")


def _check_ref(ref: Ref, corpus: Corpus, qid: str) -> None:
    doc = corpus.document(ref.doc_id)
    if ref.clause_no is None:
        part = doc.part(ref.part_no or 0)
        if part is None or not part.intro:
            raise ValueError(f"{qid}: {ref} names no part text")
        provisions = part.intro
    else:
        clause = doc.clause(ref.clause_no)
        if clause is None:
            raise ValueError(f"{qid}: {ref} names no clause")
        provisions = clause.provisions
    if ref.provision is not None and not 1 <= ref.provision <= len(provisions):
        raise ValueError(f"{qid}: {ref} names no provision")
