"""Execution: one composer per kind of question (``answers/``), chosen by what the query
asks, with follow-ups resolved against the turn before first; and the check that an answer
read off the parsed structure speaks to the question's own subject.

What each kind of question is answered from:
- an agency's duties, counts and lists: the task table (complete, not top-k);
- who is responsible: the task search finds, its agencies lead first;
- a target: the targets table, value and year exactly as written;
- a clause or part by number, a fact about a document: the parsed structure;
- an enterprise asking what applies to it: the measures that fit, with contacts;
- national versus local: both sides, or what one has and the other lacks;
- anything else: hybrid retrieval, citing the best clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.answers import duties, enterprise, general, mention, structure, targets, who
from assistant.answers.clause import by_number, clause, this_part
from assistant.answers.compare import compare
from assistant.answers.follow import FollowUps
from assistant.answers.framing import gives_figure, refuse
from assistant.answers.kit import Context, Kit
from assistant.answers.support import measures
from assistant.answers.terms import coined_unknown, denial, quoted_unknown
from assistant.answers.which import which_agency
from assistant.evidence import Evidence
from assistant.guard import Guard
from assistant.links import Links
from assistant.matcher import Matcher
from assistant.query import Ask, Query, Role
from assistant.references import without_document_cues
from assistant.search import Searcher
from assistant.tasks import TaskTable
from assistant.understand import Understander
from core.model import Answer
from indexing.corpus import Corpus

_ASKS_ON_A_SUBJECT = (Ask.TOPIC, Ask.SUPPORT, Ask.WHO, Ask.DEFINE, Ask.VALUE)
# asks answered from the parsed structure (a document's facts, a target list, an agency's
# tasks, a definition): checked to speak to the question's subject
_READ_OFF_STRUCTURE = (Ask.DOCUMENT, Ask.VALUE, Ask.LIST, Ask.DEFINE, Ask.CLARIFY)


class Executor:
    """Runs a query: the composer for what it asks, over the structure or the search."""

    def __init__(self, corpus: Corpus, searcher: Searcher, kit: Kit, evidence: Evidence,
                 guard: Guard, understander: Understander,
                 matcher: Callable[[], Matcher]) -> None:
        self.corpus = corpus
        self.searcher = searcher
        self.kit = kit
        self.evidence = evidence
        self.guard = guard
        self.matcher = matcher  # built on first use (it reads every task's vector)
        self.links = Links(corpus, searcher)
        self.tasks = TaskTable(corpus)
        self.follow_ups = FollowUps(kit, evidence, self.links, understander, self.dispatch)

    def execute(self, q: Query, ctx: Context | None) -> Answer:
        answer = self.dispatch(q, ctx)
        answer = replace(answer, route=answer.route or q.route)
        # a fact of a document (its issuer, date) is asked in words no clause need use
        overview = q.ask != Ask.DOCUMENT or q.fact == "overview"
        if q.ask in _READ_OFF_STRUCTURE and overview and not q.follow_up and not answer.refused:
            # 意见里关于立法是咋说的 read as a question on the document, 海水淡化规模要达到多少
            # answered with the main targets: a structural answer that names none of the
            # question's own subject words is beside it; the clause on that subject answers
            words = self._subject_words(q)
            if words and not _names(words, answer):
                found = self._general(q, "")
                if not found.refused and _names(words, found):
                    silent = q.ask == Ask.VALUE and not gives_figure(
                        [c.quote for c in found.citations])  # 海水淡化规模: no figure set
                    return replace(found, route=f"topic: {answer.route} said nothing on it",
                                   not_stated=self.kit.t(q.lang, "silent_number") if silent
                                   else found.not_stated)
        return answer

    def _subject_words(self, q: Query) -> set[str]:
        """The question's own distinctive words the texts use, less its agencies' and
        documents' names (牵头几项 of 市发展改革委 is on the agency, not on its words)."""
        ev = self.evidence
        named = " ".join((*q.agencies, *(self.corpus.document(d).meta.title for d in q.docs)))
        if q.lang != "zh":
            return set()  # an English title's words translate to subject words (循环经济)
        tokenizer = ev.tokenizer
        return {f for w in ev.topic(q.topic or q.text) if w in q.text and not w.isascii()
                and w not in named and not any(w in a for a in q.agencies)
                for f in (w, *tokenizer.synonyms_of(w))}  # 能耗: 能源消耗 too

    def _doc_of(self, q: Query) -> str:
        if q.docs:
            return q.docs[0]
        home = self.corpus.home
        return home.doc_id if home else self.corpus.documents[0].doc_id

    def dispatch(self, q: Query, ctx: Context | None) -> Answer:
        """The composer for what the question asks; follow-ups first try the answer before."""
        kit, ev, lang = self.kit, self.evidence, q.lang
        context = (ctx.subject_question or ctx.question) if ctx else ""
        if q.ask == Ask.DECLINE:
            years = ",".join(sorted(set(re.findall(r"(?:19|20)\d{2}", q.text))))
            return refuse(kit, lang, f"refuse_{q.decline}", ev.words(q.text), years=years,
                          home=kit.home_name(lang))
        which = None if q.agencies else self.searcher.agencies.ambiguous(q.text)
        if which is not None:  # 自治区发展改革委 with two regions' plans loaded: which one
            return which_agency(kit, *which, lang, "clarify: agency of several jurisdictions")
        coined = coined_unknown(kit, ev, q, self.guard.coined_on)
        if coined is not None:  # 碳普惠积分: a scheme no text has, whatever is asked of it
            return coined
        if q.part == 0:
            q = this_part(self.corpus, q, ctx)
        if ctx is not None:
            follow = self.follow_ups.resolve(q, ctx)
            if follow is not None:
                return follow
        lacking = mention.absent_from(kit, ev, q)
        if lacking is not None:  # 方案有没有说要建区域交易中心: a word only another has
            word, docs, elsewhere = lacking
            return mention.unused(kit, ev, q, word, docs, elsewhere, context)
        # 有没有写哪年达峰 asks the year, not whether the term is written
        if {"mention", "yes_no"} <= q.cues and "when" not in q.cues \
                and q.ask in (Ask.TOPIC, Ask.DOCUMENT) and q.topic:
            said = mention.mention(kit, ev, self.links, q, context,
                                   q.docs if q.docs_named else ())
            if said is not None:
                return said
        if q.ask == Ask.CLAUSE:
            return by_number(kit, ev, self.links, q, ctx, self._doc_of(q))
        if q.ask == Ask.PART:
            return structure.part(kit, q, self._doc_of(q))
        if q.ask == Ask.DOCUMENT:
            return structure.document_fact(kit, q, structure.fact_of(
                self.corpus, q, self._doc_of(q)), self.tasks)
        if q.ask == Ask.CLARIFY:
            return structure.clarify(kit, q)
        if q.ask == Ask.COUNT or (q.ask == Ask.LIST and (q.role != Role.ANY or q.clauses
                                                         or not ev.topic(q.topic))):
            return structure.count_or_list(kit, self.tasks, q, ev.scoped(q),
                                           on=duties.on_subject(kit, ev, q) if q.agencies else None)
        if q.ask == Ask.LIST:
            return duties.on_topic(kit, ev, q.text, q.agencies[0], lang, context)
        unknown = quoted_unknown(kit, ev, q) or denial(kit, q)
        if unknown is not None:  # 方案里的“XX账户”: a term of the documents that none uses;
            return unknown       # 还能享受电价优惠吗: the provision that forbids it
        if enterprise.for_business(q):
            found = enterprise.applies(kit, ev, self.matcher(), q, context)
            if found is not None:
                return found if not q.unstated else replace(found, not_stated=" ".join(
                    kit.t(lang, f"unstated_{k}") for k in q.unstated))
        if q.unstated and q.ask in _ASKS_ON_A_SUBJECT:
            return general.unstated(kit, ev, self.guard, q, context)
        if q.ask == Ask.WHO:
            if q.clauses:
                return clause(kit, lang, q.clauses, self._doc_of(q))
            # 岸电是交通委还是发改委牵头: the subject decides, not the names offered
            asked = q.topic if "choice" in q.cues and q.agencies and ev.topic(q.topic) \
                else q.text
            return who.responsibility(kit, ev, asked, lang, context)
        if q.ask == Ask.VALUE:
            chosen = targets.match(kit, ev, q.text, q)
            if chosen:
                return targets.answer(kit, chosen, lang)
            if q.clauses:  # a clause with no figure: the clause itself
                return clause(kit, lang, q.clauses, self._doc_of(q))
            unset_year = targets.other_years(kit, ev, q)
            if unset_year is not None:
                return unset_year
            if not q.follow_up and not q.all_values and targets.unset(kit, ev, q):
                return refuse(kit, lang, "refuse_no_target", ev.words(q.text))
        if q.ask == Ask.COMPARE:
            return compare(kit, ev, self.links, q, context)
        if not q.follow_up and not q.agencies and not ev.topic(q.text) and q.ask != Ask.DEFINE \
                and "year asked" not in q.why:  # understand() let these through: words used
            # nothing in the question is a subject the documents treat: decline rather than
            # answer with whatever is least far away
            return refuse(kit, lang, "refuse_not_covered", ev.words(q.text))
        if q.ask == Ask.SUPPORT:
            return measures(kit, ev, q.text, lang, context)
        return self._general(q, context)

    def _general(self, q: Query, context: str) -> Answer:
        """The best clause on the question's subject, by search."""
        kit, ev, lang = self.kit, self.evidence, q.lang
        docs = ev.scoped(q)
        # the search is kept to the documents named: a name made of subject words (the
        # carbon peaking opinion, 碳达峰碳中和意见) would pull the search to them; a short
        # one (方案) says nothing and stays
        bare = without_document_cues(q.text, self.corpus, _long_name) \
            if q.docs_named and docs else ""
        asked = bare if bare and ev.topic(bare) else q.text
        answer = general.general(kit, ev, self.links, asked, lang, context, doc_ids=docs,
                                 home_first=not docs or self._home_in(docs),
                                 topic="" if q.follow_up or q.yes_no else q.topic,
                                 when=(q.topic or q.text) if "when" in q.cues
                                 or (q.yes_no and q.year) else "",
                                 number=q.asks_number,
                                 year=q.year if q.yes_no and "when" not in q.cues else None)
        return general.define(kit, ev, q, answer) if q.ask == Ask.DEFINE else answer

    def _home_in(self, docs: Sequence[str]) -> bool:
        """The home plan is among the documents named (Is Tianjin aiming to … national …):
        it leads there as it does when none is named."""
        home = self.corpus.home
        return home is not None and home.doc_id in docs


def _names(words: set[str], answer: Answer) -> bool:
    """The answer, its cited text or clause titles use one of the words."""
    cited = " ".join((answer.answer, *(f"{c.clause_title or ''} {c.quote}"
                                       for c in answer.citations)))
    return any(w in cited for w in words)


def _long_name(name: str) -> bool:
    return name.isascii() or len(name) >= _LONG_NAME


_LONG_NAME = 5  # characters of a Chinese document name made of subject words (碳达峰意见)
