"""understand(question, previous) -> Query: what a question asks, of which documents and
agencies, in which role, about what. Pure: no index, no search; the cue words are data
(assistant/lexicon/*.toml, corpus/documents.toml aliases, corpus/levels.toml), matched on
tokens. A follow-up inherits the slots of the question before and overrides what it names.

What the question itself says is read by ``assistant/slots.py``; the order of the decision
(``_decide``) is the only logic here, and everything it tests is a slot.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from assistant.claims import claims
from assistant.guard import Guard
from assistant.names import AgencyMatcher, in_order
from assistant.query import Ask, ClauseRef, Query, Role
from assistant.slots import YEAR, SlotReader, Slots
from core.model import Level
from indexing.corpus import Corpus
from indexing.lexical import Tokenizer

_LEADS_BEFORE = "yes/no on who leads the subject before"
# 这个部门一共牵头几项 after who leads a task: the tasks of the agency that answer named
AGENCY_BEFORE = "agency of the answer before"
# kinds of answer that a follow-up may carry over from the question before
_CARRIED = (Ask.LIST, Ask.COUNT, Ask.WHO, Ask.VALUE, Ask.SUPPORT, Ask.TOPIC, Ask.DEFINE,
            Ask.COMPARE)
_AGENCY_ASKS = (Ask.LIST, Ask.COUNT, Ask.WHO)
# a question that names a document and nothing narrower: its overview, unless it follows on
_WHOLE_DOCUMENT = "the document itself, nothing narrower"
# cue lists that say what is asked (not about whom or where)
_ASK_CUES = frozenset({"count", "list", "lead", "supporting", "who", "value", "all_values",
                       "compare", "define", "support", "which_clause"})


class Understander:
    def __init__(self, corpus: Corpus, tokenizer: Tokenizer, guard: Guard,
                 agencies: AgencyMatcher, is_subject: Callable[[str], bool],
                 treats: Callable[[str], bool] | None = None) -> None:
        """``is_subject(text)``: the text has a word the documents treat (and not in most
        tasks); ``treats(text)``: a word they use at all, however often; given by the index,
        so that this module needs none."""
        self.corpus = corpus
        self.tokenizer = tokenizer
        self.guard = guard
        self.is_subject = is_subject
        self.treats = treats or is_subject
        self.agencies = agencies
        self.reader = SlotReader(corpus, tokenizer, guard, agencies, is_subject, treats)
        self.asks, self.refs, self.claims = self.reader.asks, self.reader.refs, self.reader.claims
        self.home = self.reader.home
        self._agency_text = "\n".join(k for a in corpus.registry
                                       for k in (a.name, *a.aliases))
        self.bracketed = frozenset(d.doc_id for d in corpus.documents
                                   if any(p.agencies for p in d.provisions))

    def slots(self, question: str) -> Slots:
        return self.reader.read(question)

    # -- entry point ----------------------------------------------------------------------

    def understand(self, question: str, previous: Query | None = None) -> Query:
        slots = self.slots(question)
        query = self._decide(slots)
        if previous is None:
            if query.ask == Ask.DECLINE and query.decline == "not_covered" \
                    and "follow_up" in slots.cues \
                    and slots.cues & {"list", "lead", "supporting", "count"}:
                # 其中它牵头的是哪些 as a first question: ask which agency "it" is
                return replace(query, ask=Ask.CLARIFY, decline="", why=("agency unknown",))
            if query.ask == Ask.WHO and _LEADS_BEFORE in query.why \
                    and not self.is_subject(query.topic):
                # does it lead anything, asked first: "it" is the agency named, not a task
                return replace(query, ask=Ask.LIST, why=("agency", "role cue", "yes/no"))
            return query
        if query.ask == Ask.DECLINE and "contact" in query.unstated \
                and query.decline == "other_services" and previous.ask != Ask.DECLINE \
                and self.is_subject(previous.topic):
            # 投诉电话是多少 after a subject: whom to call about that subject, not a hotline
            # service of its own
            return self._inherit(slots, replace(query, ask=Ask.TOPIC, decline=""), previous)
        if self._leans_back(slots, query):
            return self._inherit(slots, query, previous)
        if query.ask == Ask.DECLINE and "follow_up" in slots.cues:
            return replace(query, follow_up=True)  # 那北京的呢: declined all the same
        if previous.enterprise and not query.enterprise:
            # a business that said who it is stays that business for the conversation
            query = replace(query, enterprise=True, business=_business(query, previous))
            if query.ask == Ask.TOPIC and "support" in slots.cues:
                query = replace(query, ask=Ask.SUPPORT, why=("enterprise before",
                                                             "support cue"))
        return query

    def conversation(self, questions: list[str]) -> Query | None:
        """The query of the last of several user turns, each inheriting from the one before."""
        query: Query | None = None
        for q in questions:
            query = self.understand(q, query)
        return query

    # -- the decision ---------------------------------------------------------------------

    def _decide(self, s: Slots) -> Query:
        c = s.cues
        base = Query(text=s.text, lang=s.lang, ask=Ask.TOPIC, docs=s.docs,
                     docs_named=bool(s.docs), agencies=s.agencies, role=_role(c),
                     topic=s.topic, clauses=s.clauses, part=s.part, year=s.year,
                     unstated=s.unstated, yes_no="yes_no" in c,
                     claims=_claims_asked(name for name, cue in self.claims.items()
                                          if "yes_no" in c and cue(s.tokens)),
                     all_values="all_values" in c and (not s.subject or bool(s.docs)
                                                       or s.year is not None),
                     enterprise="speaks_for_business" in c, cues=c,
                     asks_number=bool(c & {"value", "all_values"}))
        ask, why = self._ask(s, base)
        return replace(base, ask=ask, why=why,
                       fact=self._facts(s) if ask == Ask.DOCUMENT else "",
                       decline=(s.decline or "not_covered") if ask == Ask.DECLINE else "")

    def _ask(self, s: Slots, q: Query) -> tuple[Ask, tuple[str, ...]]:
        c = s.cues
        if s.decline:
            return Ask.DECLINE, (f"guard {s.decline}",)
        if s.clauses:
            if "clause_by_name" in c and ("count" in c or (
                    ("list" in c or (c & {"lead", "supporting"} and "who" not in c))
                    and (s.agencies or "follow_up" in c))):
                # 能源体系那条里它牵头几项: the table, within that clause
                return (Ask.COUNT if "count" in c else Ask.LIST), ("clause named by subject",
                                                                   "count or list cue")
            if "value" in c and not s.agencies:
                return Ask.VALUE, ("clause ref", "value cue")
            if "who" in c or "lead" in c:
                return Ask.WHO, ("clause ref", "who cue")
            return Ask.CLAUSE, ("clause ref",)
        if "which_clause" in c and not (s.agencies and c & {"lead", "supporting"}
                                        and not s.subject):
            # 这是第几条: the clause of what was answered before; 财政局有牵头的任务吗，是哪条
            # asks the agency's tasks in that role, which the list gives by clause
            return Ask.CLAUSE, ("which clause",)
        if s.part is not None:
            if "clause_unit" in c and "task_unit" not in c:
                return Ask.PART, ("part ref", "count of clauses")
            if "count" in c:
                return Ask.COUNT, ("part ref", "count cue")
            return Ask.PART, ("part ref",)
        fact = self._fact(s)
        if fact and "issued" in c and s.docs and fact in ("date", "issuer"):
            return Ask.DOCUMENT, (f"document fact {fact}", "issued cue")
        if fact and not s.agencies and not self._subject_beyond_years(s) \
                and "which_clause" not in c \
                and (s.docs or "document_words" in c or fact != "date" or "issuer" in c):
            return Ask.DOCUMENT, (f"document fact {fact}",)
        if s.agencies:
            if "count" in c:
                return Ask.COUNT, ("agency", "count cue")
            if "list" in c:
                return Ask.LIST, ("agency", "list cue")
            if (q.yes_no or "choice" in c) and ("follow_up" in c or "choice" in c) \
                    and c & {"who", "lead"} \
                    and not c & {"count", "list", "supporting"}:
                # 这个是发改委牵头吧: whether it leads what was asked before
                return Ask.WHO, ("agency", _LEADS_BEFORE)
            if c & {"lead", "supporting"} and not s.subject:
                return Ask.LIST, ("agency", "role cue")
            if len(re.sub(r"[\W_]", "", s.topic)) <= 3:
                return Ask.LIST, ("agency alone",)
            if c & {"who", "lead", "supporting"} and s.subject:
                return Ask.WHO, ("agency", "who or role cue", "subject")
            if "value" in c:
                return Ask.VALUE, ("agency", "value cue", "subject")
            return Ask.TOPIC, ("agency", "subject")
        if "own_agency" in c and c & {"list", "lead", "supporting", "count"} \
                and not s.subject:
            return Ask.CLARIFY, ("own agency unnamed",)
        if "counterpart" in c and len(s.docs) > 1 and self.home in s.docs:
            return Ask.COMPARE, ("counterpart cue", "documents")
        if ("compare" in c and (len(s.docs) > 1 or self._mixes_levels(s.docs)
                                or (s.docs and self.home not in s.docs))) \
                or ("each" in c and len(s.docs) > 1 and self.home in s.docs):
            return Ask.COMPARE, ("compare cue", "documents")
        if "components" in c and self.reader.names_coined(s.text):
            # “871”工程具体包括哪些: what a name the texts coin stands for, which they may
            # not spell out
            return Ask.DEFINE, ("components cue", "a name the texts coin")
        if "define" in c and (s.subject or "follow_up" in c or self.reader.used(s.topic)
                              or self.reader.unused(s.topic)):
            return Ask.DEFINE, ("define cue",)  # a term no text uses: declined by its name
        if "who" in c or ("lead" in c and s.subject):
            return Ask.WHO, ("who cue",)
        if "speaks_for_business" in c and c & {"applies", "requirement"} and not s.agencies:
            return Ask.SUPPORT, ("a business", "what applies to it")
        if "enterprise" in c and ("support" in c or set(s.unstated) & {
                "money", "rate", "procedure", "schedule"}):
            return Ask.SUPPORT, ("enterprise", "support cue or what it asks")
        if q.all_values:
            return Ask.VALUE, ("all targets cue",)
        amount = bool(set(s.unstated) - {"outcome"})  # targets are never amounts or contacts
        # does it set a target for how many X: whether a target is set, a value; other
        # counts without a year (how many tasks, how many years of exemption) are no target
        counted = "count" in c and s.year is None and not (
            q.yes_no and s.subject
            and not c & {"task_unit", "clause_unit", "list", "lead", "supporting"})
        if "value" in c and not counted and not amount:
            return Ask.VALUE, ("value cue",)
        if "count" in c and s.year is not None and not amount \
                and not c & {"list", "lead", "supporting"}:
            return Ask.VALUE, ("count cue", "year")  # how many … by 2025: a target
        if "count" in c and c & {"list", "lead", "supporting"} and not s.subject:
            return Ask.COUNT, ("count cue", "tasks")
        if not s.subject and "support_subject" in c and not s.unstated:
            return Ask.SUPPORT, ("support cue", "the support is the subject")
        if not s.subject and ("when" in c or (q.yes_no and s.year is not None)) \
                and self.treats(s.topic):
            # 碳达峰是哪年 / 碳中和是2050年吗: the year of a subject the texts speak of often
            return Ask.TOPIC, ("year asked", "broad subject")
        if not s.subject and s.docs and "document_words" in c:
            return Ask.DOCUMENT, (_WHOLE_DOCUMENT,)
        if not s.subject and s.unstated and self.treats(s.topic):
            # 完不成节能目标会被罚吗: a detail the plans never give, on a subject they treat
            # in words too common to stand alone: said so, with the nearest provisions
            return Ask.TOPIC, ("detail not given", "broad subject")
        if not s.subject and self.reader.names_coined(s.text):
            # “X智谷”是个啥: a name the texts coin, whose words a document's name took
            return Ask.TOPIC, ("a name the texts coin",)
        if not s.subject:
            return Ask.DECLINE, ("nothing the documents treat",)
        return Ask.TOPIC, ("topic",)

    def _subject_beyond_years(self, s: Slots) -> bool:
        """A subject other than a year (国发4号是2021年发布的吗 asks about the document) or the
        words of the named document's own title (this green low-carbon plan: who put it out)."""
        # 绿色低碳的 of 那个绿色低碳的方案: the title's words, said with 的
        topic = " ".join(w.removesuffix("的") for w in YEAR.sub(" ", s.topic).split())
        titles = [f"{m.title} {m.english_title}".lower()
                  for m in (self.corpus.document(d).meta for d in s.docs)]
        if s.subject and self.is_subject(" ".join(
                w for w in topic.split() if not any(w.lower() in t for t in titles))):
            return True
        if "when" in s.cues:
            # 国家文件里碳中和是哪一年: the year of a subject the texts use often, not a date;
            # a word of every named document's title is still that document's name
            return self.treats(" ".join(w for w in topic.split()
                                        if not titles or not all(w.lower() in t for t in titles)))
        return False

    def _fact(self, s: Slots) -> str:
        for name in ("date", "issuer", "number", "basis", "addressee", "structure", "overview"):
            if name in s.cues:
                if name == "date" and s.unstated:
                    continue  # 什么时候申请: a schedule, not the document's date
                return name
        if "issued" in s.cues and s.docs:  # 国发4号是2021年发布的吗 / 是市政府发的吗
            return "date" if s.year is not None else "issuer"
        return ""

    def _facts(self, s: Slots) -> str:
        """Every fact a document question asks, joined by + (哪天印发的？依据的是哪个文件？ →
        date+basis); the number of the text it is based on is told with that text."""
        first = self._fact(s) or "overview"
        if "basis" not in s.cues or first == "basis":
            return first
        # date, issuer and number are one sentence; the number asked beside the basis is the
        # basis's, which that sentence gives
        issued = [f for f in ("date", "issuer") if f in s.cues]
        return "+".join([*issued[:1], "basis"]) if issued or first == "number" else first

    def _mixes_levels(self, docs: tuple[str, ...]) -> bool:
        levels = {self.corpus.document(d).meta.level for d in docs}
        return len(levels) > 1 or Level.NATIONAL in levels

    # -- follow-ups -----------------------------------------------------------------------

    def _leans_back(self, s: Slots, q: Query) -> bool:
        if (q.ask == Ask.DECLINE and q.decline != "not_covered") \
                or (q.ask == Ask.DOCUMENT and s.docs and _WHOLE_DOCUMENT not in q.why):
            return False
        content = re.sub(r"[\W_]", "", s.text)
        if s.unstated and not (s.agencies or s.clauses or s.docs) \
                and not self.is_subject(self.without_unstated(s)):
            return True  # 今年的申报截止到哪天: a detail of what was asked before
        if "choice" in s.cues and _LEADS_BEFORE in q.why \
                and not self._own_subject(s.topic, s.agencies):
            return True  # 牵头的是邮政局还是市场监管: of what was asked before
        if q.ask == Ask.DECLINE or _WHOLE_DOCUMENT in q.why:  # nothing of its own
            return "follow_up" in s.cues or len(content) <= 6 or bool(s.docs) or bool(
                s.cues & _ASK_CUES)
        return "follow_up" in s.cues or len(content) <= 6 or not (
            s.subject or s.agencies or s.clauses or s.part is not None)

    def without_unstated(self, s: Slots) -> str:
        """The question without the words that ask the detail (申报截止, 怎么申请, 补多少),
        nor those of what it supposes of it (补贴 of 能补贴多少钱: no subject of its own)."""
        rest = s.text
        for kind in s.unstated:
            rest = self.guard.without(rest, kind)
        if s.unstated:
            for cue in (c for cues in self.claims.values() for c in cues.found(s.tokens)):
                rest = rest.replace(cue, " ")
        return rest

    def _own_subject(self, topic: str, agencies: tuple[str, ...] = ()) -> bool:
        """A subject beyond pieces of agencies' names (市场监管 of 市市场监管委, 邮政局 of the
        市邮政管理局 the question names)."""
        words = [w for w in self.tokenizer.tokens(topic) if w not in self._agency_text
                 and not any(in_order(w, name) for name in agencies)]
        return self.is_subject(" ".join(words))

    def _inherit(self, s: Slots, q: Query, prev: Query) -> Query:
        c = s.cues
        why = ["follow-up"]
        agencies = q.agencies or prev.agencies
        docs, named = (q.docs, True) if q.docs else (prev.docs, False)
        topic = q.topic if s.subject else (f"{prev.topic} {q.topic}".strip())
        ask = q.ask
        own_ask = q.ask not in (Ask.TOPIC, Ask.DECLINE) and _WHOLE_DOCUMENT not in q.why
        fact, clauses, part = q.fact, q.clauses, q.part
        if q.ask == Ask.CLARIFY and prev.agencies:
            ask = Ask.COUNT if "count" in c else Ask.LIST
        elif "support" in c and prev.enterprise and q.ask in (Ask.TOPIC, Ask.DECLINE):
            ask = Ask.SUPPORT
            why.append("enterprise of the question before")
        elif c & {"next_clause", "previous_clause"} and prev.clauses \
                and prev.clauses[0].clause_no > 0:
            step = 1 if "next_clause" in c else -1
            ask, clauses = Ask.CLAUSE, (ClauseRef(prev.clauses[0].doc_id,
                                                  prev.clauses[0].clause_no + step),)
            why.append("clause next to the one before")
        elif prev.agencies and prev.ask in (Ask.COUNT, Ask.LIST) and (
                "agency alone" in q.why or not own_ask):
            # 那市水务局呢？ after a count: the same question of another agency; 都有哪些 lists
            ask = Ask.LIST if "list" in c and not q.agencies else prev.ask
            why.append(f"ask of the question before ({prev.ask.value})")
        elif not own_ask and prev.ask in (*_CARRIED, Ask.DOCUMENT, Ask.PART) and not (
                prev.ask == Ask.WHO and "contact" not in q.unstated
                and c & (_ASK_CUES - {"who", "lead", "supporting"})) \
                and not (prev.ask == Ask.VALUE and set(q.unstated) - {"outcome"}):
            # the ask before, unless the question has its own: how many … by what year after
            # who leads it (a phone number asked is still whom to call); a penalty or an
            # amount after a target, which is no target
            ask, fact, part = prev.ask, prev.fact, prev.part
            why.append(f"ask of the question before ({prev.ask.value})")
        elif not q.agencies and prev.agencies and c & {"lead", "supporting", "count", "list"} \
                and not s.subject:
            ask = Ask.COUNT if "count" in c else Ask.LIST
            why.append("agency of the question before")
        elif not q.agencies and not prev.agencies and prev.ask == Ask.WHO \
                and "agency_pointer" in c and c & {"count", "list"} \
                and c & {"task_unit", "lead", "supporting"} and not s.subject:
            # 这个部门一共牵头几项 / 它还负责哪些工作: the agency is in the answer before
            ask, topic = (Ask.COUNT if "count" in c else Ask.LIST), q.topic
            why.append(AGENCY_BEFORE)
        if ask == Ask.DECLINE or (ask == Ask.DOCUMENT and _WHOLE_DOCUMENT in q.why
                                  and fact == q.fact):
            ask, fact = Ask.TOPIC, ""  # nothing of its own, but the turn before gave a subject
        if part == 0:  # 这部分: the part asked about before
            part = prev.part if prev.part else None
        if ask in _AGENCY_ASKS and ask != Ask.WHO and not agencies and part is None \
                and AGENCY_BEFORE not in why:
            ask = Ask.WHO if "who" in c or "lead" in c else Ask.TOPIC
        if ask in _AGENCY_ASKS and named and not set(docs) & self.bracketed:
            ask = Ask.TOPIC  # 国家文件怎么说: national texts name no agencies
            why.append("documents without brackets")
        role = q.role if c & {"lead", "supporting", "both_roles"} else (
            prev.role if ask in (Ask.LIST, Ask.COUNT) else Role.ANY)
        return replace(q, ask=ask, agencies=agencies, docs=docs, docs_named=named,
                       topic=topic, role=role, year=q.year or prev.year, fact=fact,
                       clauses=clauses, part=part, follow_up=True,
                       # 比全国的要求高还是低 after a target: the numbers are compared
                       asks_number=q.asks_number or (ask == Ask.COMPARE and prev.asks_number),
                       enterprise=q.enterprise or prev.enterprise, decline="",
                       business=_business(q, prev),
                       why=(*why, *q.why))

def _business(q: Query, prev: Query) -> str:
    """How the business described itself in a turn before: kept from turn to turn, the turn
    before's own words where that turn was the business speaking and this one is not."""
    return q.business or prev.business or (prev.text if prev.enterprise and not q.enterprise
                                           else "")


def _role(cues: frozenset[str]) -> Role:
    if "both_roles" in cues:
        return Role.ANY
    if "supporting" in cues and "lead" not in cues:
        return Role.SUPPORTING
    if "lead" in cues and "supporting" not in cues:
        return Role.LEAD
    return Role.ANY


def _claims_asked(found: Iterable[str]) -> tuple[str, ...]:
    """The claims a yes/no question supposes, less those that yield to another it also says
    (a permission asked as 不允许 is a ban asked)."""
    found = tuple(found)
    known = claims()
    return tuple(n for n in found if not set(known[n].yields_to) & set(found))
