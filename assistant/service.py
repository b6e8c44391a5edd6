"""The one entry point: ``Assistant.answer(question, history) -> Answer``.

Each question is routed by what it asks and answered from the right source:
- an agency's duties: every task of the agency, from the structure (complete, not top-k);
- who is responsible: the task found by search, its agencies lead first;
- a target: the targets table, value and year exactly as written;
- a clause by number: that clause;
- an enterprise asking what applies to it: the support measures, grouped, with contacts;
- national versus local: both sides;
- anything else: hybrid retrieval, citing the best clause.
Declined questions (``guard``) and questions the documents do not cover get a short polite
answer with ``refused=True``. Follow-ups are resolved against the previous turn, which is
answered again from the history (the server keeps no state). Nothing in an answer's facts
(clause numbers, agencies, numbers) comes from anywhere but the parsed structure.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.answers import compare, structure
from assistant.answers.framing import frame, suggestions
from assistant.answers.kit import Kit
from assistant.compose import Sources, Templates, where
from assistant.guard import Guard
from assistant.links import Links
from assistant.llm import Polisher
from assistant.normalise import normalise
from assistant.query import Ask, ClauseRef, Query, Role
from assistant.references import (
    document_keys,
    number_of,
    preferred_documents,
    without_document_cues,
)
from assistant.search import Searcher
from assistant.tasks import TaskTable
from assistant.understand import Understander
from core.errors import BadInput, ConfigError
from core.model import Answer, Citation, Hit, Intent, Level, Provision, Target, Turn
from core.settings import AssistantSettings, Settings
from indexing.corpus import Corpus
from indexing.index import Progress, ensure_index
from indexing.numerals import to_numeral

_DEFINES = re.compile(r"是指|指的是|，即|也就是|简称|以下简称")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]")
_ITEM_RE = re.compile(r"第\s*([一二三四五六七八九十0-9]{1,3})\s*(?:项|个|条任务)")
ROUTING_FILE = Path(__file__).with_name("rules") / "routing.toml"


@dataclass(frozen=True, slots=True)
class Routing:
    """The cue words of rules/routing.toml."""

    responsibility: tuple[str, ...]
    target: tuple[str, ...]
    targets_clause: tuple[str, ...]
    asks_funding: tuple[str, ...]
    meta: tuple[str, ...]
    all_targets: tuple[str, ...]
    several: tuple[str, ...]
    duties: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = ROUTING_FILE) -> Routing:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            return cls(**{k: tuple(v) for k, v in data.items()})
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: invalid routing rules: {exc}") from exc


def _has(text: str, cues: tuple[str, ...]) -> bool:
    return any(c in text for c in cues)


@dataclass(frozen=True, slots=True)
class Context:
    """The previous turn, answered again: what a follow-up refers to."""

    question: str
    answer: Answer
    query: Query | None = None


class Assistant:
    def __init__(self, corpus: Corpus, searcher: Searcher, settings: AssistantSettings,
                 guard: Guard | None = None, templates: Templates | None = None,
                 routing: Routing | None = None, polisher: Polisher | None = None) -> None:
        self.corpus = corpus
        self.searcher = searcher
        self.settings = settings
        self.guard = guard or Guard.load(corpus)
        self.templates = templates or Templates.load()
        self.routing = routing or Routing.load()
        tokenizer = searcher.index.lexical.tokenizer
        provisions = [c for c in searcher.index.chunks.values() if c.provision is not None]
        self._provision_count = len(provisions)
        self._document_frequency: dict[str, int] = {}
        for chunk in provisions:
            for token in set(tokenizer.tokens(chunk.text)):
                self._document_frequency[token] = self._document_frequency.get(token, 0) + 1
        self.polisher = polisher  # an optional language model that rewords, checked
        # words that say what is asked or which document, never what about (read once)
        self._not_topic = {w for cue in (*self.routing.duties, *self.routing.responsibility,
                                         *self.routing.meta, *corpus.places.home,
                                         *(a for d in corpus.documents for a in d.meta.aliases))
                           for w in tokenizer.tokens(cue)}
        self.kit = Kit(corpus, self.templates)
        self.links = Links(corpus, searcher)
        self.tasks = TaskTable(corpus)
        self.understander = Understander(corpus, tokenizer, self.guard, searcher.agencies,
                                         lambda text: bool(self._topic(text)))

    @classmethod
    def from_settings(cls, settings: Settings, corpus: Corpus,
                      progress: Progress | None = None) -> Assistant:
        """Open (building or updating first if needed) the index and wire everything."""
        index, _ = ensure_index(settings, corpus, progress=progress)
        return cls(corpus, Searcher(index, corpus, settings.search), settings.assistant,
                   polisher=Polisher.from_settings(settings.llm, corpus))  # None for "none"

    # -- entry point ----------------------------------------------------------------------

    def answer(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """normalise → understand (with the slots of earlier turns) → execute → frame →
        (polish)."""
        question = normalise(self._validate(question, history))
        limit = self.settings.max_question_chars
        users = [normalise(t.content)[:limit] for t in history
                 if t.role == "user" and t.content.strip()]
        ctx = self._replay(users[-3:])
        query = self.understander.understand(question, ctx.query if ctx else None)
        answer = frame(self.kit, query, self._execute(query, ctx if query.follow_up else None))
        return answer if self.polisher is None else self.polisher.polish(question, query.lang,
                                                                          answer)

    def _replay(self, questions: Sequence[str]) -> Context | None:
        """The earlier turns answered again, each with the one before as its context, so a
        follow-up sees the answer the user saw (the server keeps no state)."""
        ctx: Context | None = None
        for text in questions:
            query = self.understander.understand(text, ctx.query if ctx else None)
            answer = self._execute(query, ctx if query.follow_up else None)
            ctx = Context(text, answer, query)
        return ctx

    def understand(self, question: str, history: Sequence[Turn] = ()) -> Query:
        """What the pipeline makes of a question: for tests, logs and ``--json``."""
        users = [normalise(t.content) for t in history if t.role == "user"]
        previous = self.understander.conversation(users[-3:]) if users else None
        return self.understander.understand(normalise(question), previous)

    def _validate(self, question: str, history: Sequence[Turn]) -> str:
        question = question.strip()
        if not question:
            raise BadInput("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise BadInput(f"the question is {len(question)} characters long; the limit is "
                           f"{self.settings.max_question_chars}")
        if len(history) > self.settings.max_history_turns:
            raise BadInput(f"the history has {len(history)} turns; the limit is "
                           f"{self.settings.max_history_turns}")
        for turn in history:
            if turn.role not in ("user", "assistant"):
                raise BadInput(f"a history turn's role must be user or assistant, not "
                               f"{turn.role!r}")
        return question

    # -- execution ------------------------------------------------------------------------

    def _execute(self, q: Query, ctx: Context | None) -> Answer:
        answer = self._dispatch(q, ctx)
        return replace(answer, route=answer.route or q.route)

    def _doc_of(self, q: Query) -> str:
        if q.docs:
            return q.docs[0]
        home = self.corpus.home
        return home.doc_id if home else self.corpus.documents[0].doc_id

    def _dispatch(self, q: Query, ctx: Context | None) -> Answer:
        lang, question = q.lang, q.text
        if q.ask == Ask.DECLINE:
            years = ",".join(sorted(set(re.findall(r"(?:19|20)\d{2}", question))))
            return self._refuse(lang, f"refuse_{q.decline}", question, years=years,
                                home=self._home_name(lang))
        if q.part == 0:  # 这一部分: the part of the clause answered before
            cited = ctx.answer.citations if ctx is not None else ()
            place = next(((c.doc_id, self.corpus.document(c.doc_id).clause(c.clause_no))
                          for c in cited if c.clause_no), None)
            q = replace(q, part=place[1].part_no if place and place[1] else None,
                        docs=(place[0],) if place else q.docs, docs_named=bool(place))
            if q.part is None and q.ask == Ask.PART:
                q = replace(q, ask=Ask.TOPIC)
        if ctx is not None:
            follow = self._follow_up(q, ctx)
            if follow is not None:
                return follow
        if q.ask == Ask.CLAUSE and not q.clauses:  # 这是第几条: where the last answer stands
            before = [c for c in ctx.answer.citations if c.clause_no] if ctx is not None else []
            if not before:
                return self._general(question, lang, ctx, home_first=True)
            c = before[0]
            if q.docs_named and c.doc_id not in q.docs:  # the other document's counterpart
                linked = self.links.counterparts(c.doc_id, c.clause_no or 0, q.docs)
                if linked:
                    doc_id, no = linked[0]
                    return self._clause(question, lang, [ClauseRef(doc_id, no, None)],
                                        default_doc=doc_id)
            return self._clause(question, lang, [_ref_of(c)], default_doc=c.doc_id)
        if q.ask == Ask.CLAUSE:
            refs = [ClauseRef(r.doc_id, len(self.corpus.document(
                        r.doc_id or self._doc_of(q)).clauses), r.provision)
                    if r.clause_no == -1 else ClauseRef(r.doc_id, r.clause_no, r.provision)
                    for r in q.clauses]
            return self._clause(question, lang, refs, default_doc=self._doc_of(q))
        if q.ask == Ask.PART:
            return structure.part(self.kit, q, self._doc_of(q))
        if q.ask == Ask.DOCUMENT:
            return structure.document_fact(self.kit, q, self._doc_of(q), self.tasks)
        if q.ask == Ask.CLARIFY:
            return structure.clarify(self.kit, q)
        if q.ask == Ask.COUNT or (q.ask == Ask.LIST and (q.role != Role.ANY
                                                         or not self._topic(q.topic))):
            docs = q.docs if q.docs_named or q.follow_up else ()
            return structure.count_or_list(self.kit, self.tasks, q, docs)
        if q.ask == Ask.LIST:
            return self._duties_on_topic(question, q.agencies[0], lang, ctx)
        if q.unstated and q.ask in (Ask.TOPIC, Ask.SUPPORT, Ask.WHO, Ask.DEFINE, Ask.VALUE):
            return self._unstated(question, q.unstated[0], lang, ctx, q)
        if q.ask == Ask.WHO:
            if q.clauses:
                return self._clause(question, lang, list(q.clauses),
                                    default_doc=self._doc_of(q))
            return self._responsibility(question, lang, ctx)
        if q.ask == Ask.VALUE:
            found = self._targets(question, lang, q)
            if found is not None:
                return found
        if q.ask == Ask.COMPARE:
            return self._compare(q, ctx)
        if not q.follow_up and not q.agencies and not self._topic(question):
            # nothing in the question is a subject the documents treat: decline rather than
            # answer with whatever is least far away
            return self._refuse(lang, "refuse_not_covered", question)
        if q.ask == Ask.SUPPORT:
            return self._incentive(question, lang, ctx)
        docs = q.docs if q.docs_named or q.follow_up else ()
        answer = self._general(question, lang, ctx, doc_ids=docs, home_first=not docs)
        if q.ask == Ask.DEFINE and not answer.refused \
                and not any(_DEFINES.search(c.quote) for c in answer.citations):
            # the texts use the term without explaining it: say so, then show where
            term = _QUOTED.search(question)
            name = term.group(1) if term else q.topic.split(" ")[0]
            answer = replace(answer, not_stated=self.templates.get(lang, "define_none",
                                                                   term=name))
        return answer

    def _asks_responsibility(self, q: str) -> bool:
        return _has(q, self.routing.responsibility)

    # -- answers --------------------------------------------------------------------------

    def _refuse(self, lang: str, key: str, question: str = "", **values: object) -> Answer:
        """One line of why, and two suggestions near what was asked; the scope line only when
        the subject is simply not covered."""
        t = self.templates
        tokens = set(self.searcher.index.lexical.tokenizer.tokens(question)) if question \
            else set()
        lines = [t.get(lang, key, **values)]
        if key == "refuse_not_covered":
            lines.append(self._scope(lang))
        lines.append(suggestions(self.kit, lang, question, tokens))
        return Answer("\n".join(lines), True, Intent.OUT_OF_SCOPE)

    def _scope(self, lang: str) -> str:
        names = "、".join(f"《{d.meta.title}》" for d in self.corpus.documents) if lang == "zh" \
            else "; ".join(d.meta.english_title for d in self.corpus.documents)
        return self.templates.get(lang, "scope", documents=names)

    def _search(self, question: str, ctx: Context | None, k: int = 8,
                doc_ids: Sequence[str] = ()) -> list[Hit]:
        context = ctx.question if ctx else ""
        return self.searcher.search(question, k=k, doc_ids=doc_ids, context=context)

    def _provision_of(self, hit: Hit) -> Provision | None:
        c = hit.chunk
        if c.provision is None:
            return None
        return self.corpus.document(c.doc_id).provision(c.part_no, c.clause_no, c.provision)

    def _top_provisions(self, hits: Sequence[Hit], limit: int) -> list[Provision]:
        """The best provisions of the best clause: what a general answer cites."""
        out: list[Provision] = []
        first_place: tuple[str, int | None, int] | None = None
        for hit in hits:
            place = (hit.chunk.doc_id, hit.chunk.clause_no, hit.chunk.part_no)
            if first_place is None:
                first_place = place
            if place != first_place:
                continue
            p = self._provision_of(hit)
            if p is None:  # a whole clause: its provisions
                doc = self.corpus.document(hit.chunk.doc_id)
                clause = doc.clause(hit.chunk.clause_no) if hit.chunk.clause_no is not None \
                    else None
                out.extend(clause.provisions[:limit] if clause else [])
            elif p not in out:
                out.append(p)
            if len(out) >= limit:
                break
        return out[:limit]

    def _agency_names(self, names: Sequence[str], lang: str) -> list[str]:
        return self.kit.agency_names(names, lang)

    def _doc_name(self, doc_id: str, lang: str) -> str:
        return self.kit.doc_name(doc_id, lang)

    def _responsibility_text(self, p: Provision, n: int, lang: str) -> str:
        t = self.templates
        if not p.agencies:
            return t.get(lang, "responsibility_national", doc=self._doc_name(p.doc_id, lang))
        names = self._agency_names(p.agencies, lang)
        if len(names) == 1:
            return t.get(lang, "responsibility_single", lead=names[0], n=n)
        sep = "、" if lang == "zh" else ", "
        # 等部门 belongs to the names, before 按职责分工: "A、B等部门按职责分工负责"
        rest = sep.join(names[1:]) + (t.get(lang, "and_others") if p.and_others else "")
        others = t.get(lang, "responsibility_others", names=rest)
        return t.get(lang, "responsibility", lead=names[0], others=others, n=n)

    def _basis(self, p: Provision, n: int, lang: str) -> str:
        return self.templates.get(lang, "basis", doc=self._doc_name(p.doc_id, lang),
                                  where=where(self.corpus, p, lang), quote=p.text, n=n)

    def _clause(self, question: str, lang: str, refs: Sequence[ClauseRef],
                default_doc: str) -> Answer:
        sources = Sources(self.corpus)
        lines: list[str] = []
        for ref in refs:
            doc_id = ref.doc_id or default_doc
            doc = self.corpus.document(doc_id)
            clause = doc.clause(ref.clause_no)
            if clause is None:
                last = len(doc.clauses)
                text = (f"《{doc.meta.short_title}》只有（一）至（{to_numeral(last)}）共{last}条，"
                        f"没有第{ref.clause_no}条。") if lang == "zh" else \
                    (f"The {doc.meta.english_title} has clauses 1 to {last}; "
                     f"there is no clause {ref.clause_no}.")
                return Answer(text + "\n" + self.templates.get(lang, "suggest"), True,
                              Intent.CLAUSE)
            provisions = list(clause.provisions)
            if ref.provision is not None and 1 <= ref.provision <= len(provisions):
                provisions = [provisions[ref.provision - 1]]
            part = doc.part(clause.part_no)
            lines.append(self.templates.get(
                lang, "clause_head", doc=self._doc_name(doc_id, lang), label=clause.label,
                title=clause.title, part=part.heading if part else "", n=len(provisions)))
            for i, p in enumerate(provisions, start=1):
                n = sources.provision(p)
                line = self.templates.get(lang, "clause_item", i=i, text=p.text, n=n)
                lines.append(line + self._agency_suffix(p, lang))
        return Answer("\n".join(lines), False, Intent.CLAUSE, tuple(sources.citations))

    def _agency_suffix(self, p: Provision, lang: str) -> str:
        """（责任单位：…） after a quoted task; nothing for a task without a bracket."""
        if not p.agencies:
            return ""
        line = self._agencies_line(p, lang)
        return f"（{line}）" if lang == "zh" else f" ({line})"

    def _agencies_line(self, p: Provision, lang: str) -> str:
        names = self._agency_names(p.agencies, lang)
        sep = "、" if lang == "zh" else "; "
        others = self.templates.get(lang, "agencies_others", names=sep.join(names[1:])) \
            if len(names) > 1 else ""
        if p.and_others:
            others += self.templates.get(lang, "and_others")
        return self.templates.get(lang, "agencies_line", lead=names[0], others=others)

    def _duties(self, agency: str, lang: str) -> Answer:
        duties = self.corpus.duties(agency)
        name = self._agency_names([agency], lang)[0]
        if not duties:
            return Answer(self.templates.get(lang, "duties_none", agency=name), True,
                          Intent.DUTIES)
        sources = Sources(self.corpus)
        lead_n = sum(1 for d in duties if d.role.value == "lead")
        doc_ids = list(dict.fromkeys(d.provision.doc_id for d in duties))
        lines = [self.templates.get(lang, "duties_head", agency=name,
                                    doc=self._doc_name(doc_ids[0], lang), n=len(duties),
                                    lead_n=lead_n, support_n=len(duties) - lead_n)]
        current: int | None = -1
        for i, d in enumerate(duties, start=1):
            p = d.provision
            if p.clause_no != current:
                current = p.clause_no
                clause = self.corpus.document(p.doc_id).clause(p.clause_no or 0)
                lines.append(clause.heading if clause else "")
            n = sources.provision(p)
            role = self.templates.get(lang, "lead" if d.role.value == "lead" else "support")
            line = self.templates.get(lang, "duties_item", i=i, role=role, text=p.text, n=n)
            if d.role.value != "lead" and p.lead_agency:
                lead = self._agency_names([p.lead_agency], lang)[0]
                line += f"（{lead}牵头）" if lang == "zh" else f" (led by {lead})"
            lines.append(line)
        return Answer("\n".join(lines), False, Intent.DUTIES, tuple(sources.citations))

    def _topic(self, question: str) -> set[str]:
        """The question's distinctive words: in few provisions, not a word that only says
        what kind of question it is or which document it means."""
        tokenizer = self.searcher.index.lexical.tokenizer
        limit = self.settings.topic_max_share * self._provision_count
        # one character is no subject: 共, 煤 and 那 say too little on their own
        return {t for t in tokenizer.query_tokens(question)
                if t not in self._not_topic and 0 < self._df(t) <= limit
                and (len(t) > 1 or t.isascii())}

    def _df(self, token: str) -> int:
        return self._document_frequency.get(token, 0)

    def _duties_on_topic(self, question: str, agency: str, lang: str,
                         ctx: Context | None) -> Answer:
        """An agency's tasks on one subject (市发展改革委在组织实施中承担什么): its best-matching
        tasks, the clause they are in first."""
        hits = self._search(question, ctx, k=5)
        theirs = [h for h in hits if agency in h.chunk.agencies]
        if not theirs:
            theirs = self.searcher.search(question, k=5, agency=agency,
                                          context=ctx.question if ctx else "")
        top = self._top_provisions(theirs, 2)
        top = [p for p in top if agency in p.agencies] or top
        if not top:
            return self._duties(agency, lang)
        sources = Sources(self.corpus)
        name = self._agency_names([agency], lang)[0]
        lines = [self.templates.get(lang, "duties_topic_head", agency=name)]
        for i, p in enumerate(top, start=1):
            n = sources.provision(p)
            role = self.templates.get(lang, "lead" if p.lead_agency == agency else "support")
            lines.append(self.templates.get(lang, "duties_item", i=i, role=role, text=p.text,
                                            n=n))
            lines.append(self._basis_place(p, n, lang))
        return Answer("\n".join(lines), False, Intent.DUTIES, tuple(sources.citations))

    def _basis_place(self, p: Provision, n: int, lang: str) -> str:
        return self.templates.get(lang, "basis_place", doc=self._doc_name(p.doc_id, lang),
                                  where=where(self.corpus, p, lang),
                                  agencies=self._agencies_line(p, lang), n=n)

    def _responsibility(self, question: str, lang: str, ctx: Context | None) -> Answer:
        hits = self._search(question, ctx)
        with_agencies = [p for p in (self._provision_of(h) for h in hits[:5]) if p and p.agencies]
        chosen = with_agencies[0] if with_agencies else None
        if chosen is None:
            top = self._top_provisions(hits, 1)
            if not top:
                return self._refuse(lang, "refuse_not_covered", question)
            chosen = top[0]
        # tasks of the same clause that also match, under another lead (绿色金融: the bank
        # leads one task, the finance bureau another): each with its own agencies
        others = [p for p in with_agencies[1:]
                  if (p.doc_id, p.clause_no) == (chosen.doc_id, chosen.clause_no)
                  and p.lead_agency != chosen.lead_agency]
        return self._responsibility_of(chosen, lang, *others[:1])

    def _match_targets(self, question: str, q: Query | None = None) -> list[Target]:
        """Targets whose indicator the question names (the best-matching ones), or, for a
        question after the targets in general (定了哪些指标), every target of the document and
        year it names."""
        tokenizer = self.searcher.index.lexical.tokenizer
        tokens = set(tokenizer.query_tokens(question))
        preferred = set(q.docs if q is not None and q.docs_named and len(q.docs) < len(
            self.corpus.documents) else preferred_documents(question, self.corpus))
        asked_years = {int(y) for y in re.findall(r"(?:19|20)\d{2}", question)}
        eligible = [t for t in self.corpus.targets
                    if (not preferred or t.doc_id in preferred)
                    and (not asked_years or t.year in asked_years)]
        # 比例, 目标, 达到 say that a number is asked, not which one; 国家文件 names a document
        tokens -= {w for cue in self.routing.target for w in tokenizer.tokens(cue)}
        tokens -= {w for key, _ in document_keys(self.corpus) for w in tokenizer.tokens(key)}
        scored = [(len(tokens & set(tokenizer.tokens(t.indicator))), t) for t in eligible]
        scored = [(s, t) for s, t in scored if s > 0]
        every = q.all_values if q is not None else _has(question.lower(),
                                                        self.routing.all_targets)
        if every and (preferred or asked_years):
            # 主要目标/哪些量化指标: a document's targets clause (its title says 目标) if any
            main = [t for t in eligible if self._in_targets_clause(t)]
            chosen = main or eligible
        elif not scored:
            return []
        else:
            best = max(s for s, _ in scored)
            # several indicators asked at once (能耗和碳排放) each match on their own words
            floor = 1 if _has(question, self.routing.several) else best
            chosen = [t for s, t in scored if s >= floor]
        home = self.corpus.home
        if not preferred and home:  # the home plan first, national context after
            chosen = sorted(chosen, key=lambda t: t.doc_id != home.doc_id)
        return chosen

    def _in_targets_clause(self, t: Target) -> bool:
        doc = self.corpus.document(t.doc_id)
        clause = doc.clause(t.clause_no) if t.clause_no is not None else None
        part = doc.part(t.part_no)
        title = clause.title if clause else (part.title if part else "")
        return any(w in title for w in self.routing.targets_clause)

    def _targets(self, question: str, lang: str, q: Query | None = None) -> Answer | None:
        """The targets a question asks for, or None to fall back to search."""
        chosen = self._match_targets(question, q)
        return self._target_answer(chosen, lang) if chosen else None

    def _target_answer(self, chosen: Sequence[Target], lang: str) -> Answer:
        sources = Sources(self.corpus)
        lines: list[str] = []
        head = ""
        for t in chosen:
            p = self._target_provision(t)
            n = sources.provision(p)
            this_head = self.templates.get(lang, "target_head",
                                           doc=self._doc_name(t.doc_id, lang),
                                           where=where(self.corpus, p, lang))
            if this_head != head:
                head = this_head
                lines.append(head)
            lines.append(self._target_line(t, n, lang))
        return Answer("\n".join(lines), False, Intent.TARGET, tuple(sources.citations))

    def _target_line(self, t: Target, n: int, lang: str) -> str:
        when = self.templates.get(lang, "target_when", year=t.year) if t.year else ""
        base = self.templates.get(lang, "target_base", year=t.base_year) if t.base_year else ""
        return self.templates.get(lang, "target_line", when=when, indicator=t.indicator,
                                  comparator=t.comparator, value=t.display_value, base=base,
                                  n=n)

    def _target_provision(self, t: Target) -> Provision:
        p = self.corpus.document(t.doc_id).provision(t.part_no, t.clause_no, t.provision)
        assert p is not None, t  # targets are read off provisions
        return p

    def _incentive(self, question: str, lang: str, ctx: Context | None) -> Answer:
        """The measures that fit the business, most relevant first (the home plan's before
        national ones), each with its place and whom to contact, lead first."""
        hits = self._home_first(self._search(question, ctx, k=10))
        provisions: list[Provision] = []
        clauses: list[tuple[str, int | None]] = []
        for h in hits:
            p = self._provision_of(h)
            if p is None or p in provisions:
                continue
            place = (p.doc_id, p.clause_no)
            if place not in clauses:
                if len(clauses) >= self.settings.incentive_clauses:
                    continue
                clauses.append(place)
            provisions.append(p)
            if len(provisions) >= 4:
                break
        if not provisions:
            return self._refuse(lang, "refuse_not_covered", question)
        sources = Sources(self.corpus)
        lines = [self.templates.get(lang, "incentive_head")]
        for p in provisions:
            n = sources.provision(p)
            contact = self.templates.get(lang, "contact",
                                         agencies=self.kit.agency_list(p, lang)) \
                if p.agencies else self.templates.get(lang, "contact_national")
            lines.append(self.templates.get(lang, "incentive_item", text=p.text, n=n,
                                            where=where(self.corpus, p, lang),
                                            doc=self._doc_name(p.doc_id, lang),
                                            contact=contact))
        not_stated = self.templates.get(lang, "silent_amount") \
            if _has(question.lower(), self.routing.asks_funding) else ""
        return Answer("\n".join(lines), False, Intent.INCENTIVE, tuple(sources.citations),
                      not_stated=not_stated)

    def _compare(self, q: Query, ctx: Context | None) -> Answer:
        """Targets side by side when numbers are asked; the clauses one side has and the
        other lacks when no subject is named; otherwise both sides on the subject."""
        if q.asks_number:
            named = self._match_targets(q.text, replace(q, docs=(), docs_named=False,
                                                        all_values=False))
            chosen = named or [t for t in self.corpus.targets if self._in_targets_clause(t)
                               and (q.year is None or t.year == q.year)]
            answer = compare.targets(self.kit, q, chosen, self._target_line)
            if answer is not None:
                return answer
        if not self._topic(q.topic):
            answer = compare.unmatched(self.kit, self.links, q)
            if answer is not None:
                return answer
        return self._national_and_local(q.text, q.lang, ctx)

    def _national_and_local(self, question: str, lang: str, ctx: Context | None) -> Answer:
        national = [d.doc_id for d in self.corpus.documents if d.meta.level == Level.NATIONAL]
        local = [self.corpus.home.doc_id] if self.corpus.home else []
        sources = Sources(self.corpus)
        lines: list[str] = []
        for head, docs in (("national_head", national), ("local_head", local)):
            if not docs:
                continue
            top = self._top_provisions(self._search(question, ctx, doc_ids=docs), 2)
            if not top:
                continue
            lines.append(self.templates.get(lang, head, home=self._home_name(lang)))
            lines.extend(self._cited_items(top, sources, lang))
        if not lines:
            return self._refuse(lang, "refuse_not_covered")
        return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations))

    def _home_name(self, lang: str) -> str:
        places = self.corpus.places
        return (places.name if lang == "zh" else places.english) or ""

    def _cited_items(self, provisions: Sequence[Provision], sources: Sources,
                     lang: str) -> list[str]:
        lines = []
        first = provisions[0]
        lines.append(self.templates.get(lang, "general_head",
                                        doc=self._doc_name(first.doc_id, lang),
                                        where=_place(self.corpus, first)))
        for p in provisions:
            n = sources.provision(p)
            line = self.templates.get(lang, "general_item", text=p.text, n=n)
            lines.append(line + self._agency_suffix(p, lang))
        return lines

    def _general(self, question: str, lang: str, ctx: Context | None,
                 doc_ids: Sequence[str] = (), home_first: bool = False) -> Answer:
        hits = self._search(question, ctx, doc_ids=doc_ids)
        ranked = self._home_first(hits) if home_first else hits
        top = self._top_provisions(ranked, self.settings.general_provisions)
        if not top:
            return self._refuse(lang, "refuse_not_covered", question)
        sources = Sources(self.corpus)
        lines = self._cited_items(top, sources, lang)
        if ranked is not hits:
            # the national clause that ranked first stays as the counterpart, unless the home
            # clause shown implements it (then it says the same, locally)
            counterpart = self._top_provisions(hits, 1)
            first = top[0]
            linked = self.links.counterparts(first.doc_id, first.clause_no or 0,
                                             [counterpart[0].doc_id]) if counterpart else []
            if counterpart and (counterpart[0].doc_id, counterpart[0].clause_no) not in linked:
                lines.append(self.templates.get(lang, "national_head"))
                lines.extend(self._cited_items(counterpart, sources, lang))
        q = question.lower()
        if _has(q, self.routing.target) and not any(ch.isdigit() for p in top
                                                    for ch in p.text):
            lines.append(self.templates.get(lang, "silent_number"))
        return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations))

    def _home_first(self, hits: list[Hit]) -> list[Hit]:
        """A question that names no document is put to the home plan first: its best hit
        leads when it is among the first few (方案对会展业有什么要求 is about the home plan, even
        where a national clause ranks a little higher)."""
        home = self.corpus.home
        if home is None or not hits or hits[0].chunk.doc_id == home.doc_id:
            return hits
        window = hits[:self.settings.home_first_window]
        mine = [h for h in window if h.chunk.doc_id == home.doc_id]
        if not mine:
            return hits
        return [*mine, *(h for h in hits if h not in mine)]

    def _unstated(self, question: str, kind: str, lang: str, ctx: Context | None,
                  q: Query | None = None) -> Answer:
        """A detail the documents never give (an amount, a procedure, a phone number …): say
        so, with the provisions on the same subject, whose agencies are the ones to ask.
        Provisions that only lie near in the index are not shown: a question about 公租房 must
        not be answered with whatever task is least far away."""
        topic = self._topic(self.guard.without(question, kind)) \
            | (self._topic(ctx.question) if ctx else set())
        tokenizer = self.searcher.index.lexical.tokenizer
        docs = q.docs if q is not None and (q.docs_named or q.follow_up) else ()
        hits = self._search(question, ctx, doc_ids=docs)
        related: list[Provision] = []
        if topic and not (kind == "contact" and q is not None and q.agencies):
            # a named agency's phone number: nothing in a plan comes near it
            for ranked in ([hits] if docs else [self._home_first(hits), hits]):
                related = [p for p in self._top_provisions(ranked, 2)
                           if topic & set(tokenizer.query_tokens(p.text))]
                if related:
                    break
        t = self.templates
        kinds = q.unstated if q is not None and q.unstated else (kind,)
        not_stated = " ".join(t.get(lang, f"unstated_{k}") for k in kinds)
        lines = [not_stated]
        sources = Sources(self.corpus)
        if related:
            lines.append(t.get(lang, "unstated_related"))
            lines.extend(self._cited_items(related, sources, lang))
            return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations),
                          not_stated=not_stated)
        lines.append(self._scope(lang))
        lines.append(suggestions(self.kit, lang, question, topic))
        return Answer("\n".join(lines), True, Intent.OUT_OF_SCOPE, not_stated=not_stated)

    # -- follow-ups -----------------------------------------------------------------------

    def _follow_up(self, query: Query, ctx: Context) -> Answer | None:
        """Questions that point back at the previous answer; None: answer them normally,
        with the previous question as search context."""
        question, lang = query.text, query.lang
        if query.ask in (Ask.CLAUSE, Ask.PART, Ask.DOCUMENT, Ask.COUNT, Ask.LIST):
            return None  # named by number or position, or a table query: nothing to resolve
        previous = ctx.answer
        q = question.lower()
        cited = [c for c in previous.citations if c.clause_no is not None or c.part]
        item = _ITEM_RE.search(question)
        index = number_of(item.group(1)) if item else None
        if index is not None and previous.intent == Intent.TARGET:
            targets = self._match_targets(ctx.question)
            if 1 <= index <= len(targets):  # 第二项: the second target listed
                return self._target_answer([targets[index - 1]], lang)
        if index is not None and 1 <= index <= len(cited):
            return self._about_citation(cited[index - 1], question, lang)
        preferred = query.docs if query.docs_named else ()
        own_subject = bool(self._topic(query.topic)) if not query.follow_up else bool(
            self._topic(self.understander.slots(question).topic))
        home = self.corpus.home
        if preferred and home is not None and home.doc_id not in preferred \
                and not own_subject and ctx.query is not None \
                and ctx.query.ask not in (Ask.VALUE, Ask.COMPARE):
            local = [c for c in cited if c.doc_id == home.doc_id and c.clause_no]
            if local:  # "what does the national text say on this": the clause the cited implements
                return self._counterpart(local[0], preferred, query)
        if preferred and ctx.query is not None and not own_subject \
                and set(preferred) != set(ctx.query.docs):
            # 国家层面呢？: the previous question, asked of the other side
            again = replace(ctx.query, docs=preferred, docs_named=True, follow_up=False,
                            text=f"{without_document_cues(ctx.question, self.corpus)} "
                                 f"{question}")
            if again.ask in (Ask.WHO, Ask.LIST, Ask.COUNT) \
                    and not set(preferred) & self.understander.bracketed:
                again = replace(again, ask=Ask.TOPIC)
            return self._dispatch(again, None)
        if query.ask == Ask.WHO and cited and not query.docs_named:
            # 其中绿色保险呢？谁来负责？ picks by its own words; 这件事谁牵头？ by the subject
            # of the question before
            chosen = self._provision_on_topic(f"{question} {question} {ctx.question}", cited)
            if chosen is not None and self._topic(question):
                return self._responsibility_of(chosen, lang)
            # the question names no task of its own: who does each task cited before, the
            # one the question before was most about first
            tasks = [p for p in (self._provision_at(c) for c in cited) if p is not None]
            tasks = sorted(dict.fromkeys(tasks), key=lambda p: p != chosen)[:3]
            if tasks:
                return self._responsibility_of(tasks[0], lang, *tasks[1:])
            return self._about_citation(cited[0], question, lang, force_agencies=True)
        if query.ask == Ask.VALUE and cited and not own_subject \
                and not query.docs_named:
            return self._about_citation(cited[0], question, lang, value=True)
        if preferred and cited and not {c.doc_id for c in cited} & set(preferred) \
                and cited[0].clause_title:
            # the corresponding content in the document now named: the subject of the clause
            # cited before, looked up
            # in the documents now named
            c = cited[0]
            return self._general(f"{c.clause_title} {c.quote[:120]}", lang, None,
                                 doc_ids=preferred)
        if not previous.citations and not previous.refused and len(re.sub(r"\W", "", q)) <= 4:
            return Answer(self.templates.get(lang, "followup_none"), True, Intent.GENERAL)
        return None

    def _counterpart(self, c: Citation, docs: Sequence[str], q: Query) -> Answer:
        """The clause of ``docs`` that a cited home clause implements (links.py), quoted."""
        linked = self.links.counterparts(c.doc_id, c.clause_no or 0, docs)
        if not linked:
            return self._general(f"{c.clause_title} {c.quote[:120]}", q.lang, None,
                                 doc_ids=docs)
        doc_id, no = linked[0]
        clause = self.corpus.document(doc_id).clause(no)
        assert clause is not None
        sources = Sources(self.corpus)
        lines = self._cited_items(clause.provisions[:self.settings.general_provisions],
                                  sources, q.lang)
        return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations))

    def _provision_on_topic(self, question: str, cited: Sequence[Citation],
                            only_cited: bool = False) -> Provision | None:
        """Among the provisions of the clauses cited before (or only the provisions cited),
        the one the question's subject words point at (其中绿色保险呢 → the 绿色保险 task);
        the first cited wins a tie."""
        tokenizer = self.searcher.index.lexical.tokenizer
        counts: dict[str, int] = {}
        for t in tokenizer.query_tokens(question):  # a word said twice weighs twice
            counts[t] = counts.get(t, 0) + 1
        topic = {t: n for t, n in counts.items() if t in self._topic(question)}
        if not topic:
            return None
        best: tuple[float, Provision] | None = None
        for c in cited:
            if c.clause_no is None:
                continue
            clause = self.corpus.document(c.doc_id).clause(c.clause_no)
            for p in clause.provisions if clause else ():
                if only_cited and p.index != c.provision:
                    continue
                # rarer words weigh more: 医疗 points at one task, 垃圾 at several
                overlap = sum(topic[t] / max(self._df(t), 1)
                              for t in topic.keys() & set(tokenizer.tokens(p.text)))
                if overlap and (best is None or overlap > best[0]):
                    best = (overlap, p)
        return best[1] if best else None

    def _provision_at(self, c: Citation) -> Provision | None:
        if c.provision is None:
            return None
        doc = self.corpus.document(c.doc_id)
        clause = doc.clause(c.clause_no) if c.clause_no is not None else None
        return doc.provision(clause.part_no if clause else 0, c.clause_no, c.provision)

    def _responsibility_of(self, p: Provision, lang: str, *more: Provision) -> Answer:
        sources = Sources(self.corpus)
        lines = []
        for each in (p, *more):
            n = sources.provision(each)
            lines += [self._responsibility_text(each, n, lang), self._basis(each, n, lang)]
        return Answer("\n".join(lines), False, Intent.RESPONSIBILITY, tuple(sources.citations))

    def _about_citation(self, c: Citation, question: str, lang: str,
                        force_agencies: bool = False, value: bool = False) -> Answer:
        doc = self.corpus.document(c.doc_id)
        if c.clause_no is None:
            part = next((p for p in doc.parts if p.heading == c.part), None)
            provisions = list(part.intro) if part else []
        else:
            clause = doc.clause(c.clause_no)
            provisions = list(clause.provisions) if clause else []
        if c.provision is not None:
            provisions = [p for p in provisions if p.index == c.provision]
        if not provisions:
            return Answer(self.templates.get(lang, "followup_none"), True, Intent.GENERAL)
        q = question.lower()
        if force_agencies or self._asks_responsibility(q):
            sources = Sources(self.corpus)
            lines = []
            for p in provisions[:3]:
                n = sources.provision(p)
                lines += [self._responsibility_text(p, n, lang), self._basis(p, n, lang)]
            return Answer("\n".join(lines), False, Intent.RESPONSIBILITY,
                          tuple(sources.citations))
        targets = [t for t in self.corpus.targets
                   if any(t.doc_id == p.doc_id and t.clause_no == p.clause_no
                          and t.provision == p.index for p in provisions)]
        if value and not targets:
            sources = Sources(self.corpus)
            n = sources.provision(provisions[0])
            text = self.templates.get(lang, "value_none_in_clause",
                                      where=where(self.corpus, provisions[0], lang))
            return Answer(f"{text}[{n}]", False, Intent.TARGET, tuple(sources.citations))
        if targets and (value or _has(q, self.routing.target)):
            sources = Sources(self.corpus)
            lines = []
            for t in targets:
                n = sources.provision(self._target_provision(t))
                lines.append(self._target_line(t, n, lang))
            return Answer("\n".join(lines), False, Intent.TARGET, tuple(sources.citations))
        sources = Sources(self.corpus)
        return Answer("\n".join(self._cited_items(provisions[:3], sources, lang)), False,
                      Intent.GENERAL, tuple(sources.citations))


def _place(corpus: Corpus, p: Provision) -> str:
    doc = corpus.document(p.doc_id)
    if p.clause_no is None:
        part = doc.part(p.part_no)
        return part.heading if part else ""
    clause = doc.clause(p.clause_no)
    return clause.heading if clause else ""


def _ref_of(c: Citation) -> ClauseRef:
    return ClauseRef(c.doc_id, c.clause_no or 0, c.provision)
