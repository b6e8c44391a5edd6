"""Questions that point back at the answer before: 第二项, 这件事谁牵头, 国家层面呢, 目标是多少.

The previous turn arrives answered again (``Context``); a follow-up that names nothing of its
own is resolved against what that answer cited. ``resolve`` returns None when the question is
better answered normally, with the previous question as search context.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.answers import targets, who
from assistant.answers.clause import clause
from assistant.answers.general import general
from assistant.answers.kit import Context, Kit, has
from assistant.compose import Sources, where
from assistant.evidence import Evidence
from assistant.links import Links
from assistant.names import in_order
from assistant.query import Ask, ClauseRef, Query
from assistant.references import number_of, without_document_cues
from assistant.understand import AGENCY_BEFORE, Understander
from core.model import Answer, Citation, Intent, Provision

# 第一条 after a list of clauses: the first clause listed, not clause （一）
_ORDINAL_CLAUSE = re.compile(r"第\s*([一二三四五六七八九十0-9]{1,3})\s*条(?!任务)")
_ITEM_RE = re.compile(r"第\s*([一二三四五六七八九十0-9]{1,3})\s*(?:项|个|条任务)")
# named by number or position, a table query, or both sides compared: nothing to resolve
_SELF_CONTAINED = (Ask.CLAUSE, Ask.PART, Ask.DOCUMENT, Ask.COUNT, Ask.LIST, Ask.COMPARE)


class FollowUps:
    def __init__(self, kit: Kit, ev: Evidence, links: Links, understander: Understander,
                 dispatch: Callable[[Query, Context | None], Answer]) -> None:
        self.kit, self.ev, self.links = kit, ev, links
        self.understander = understander
        self.dispatch = dispatch  # the pipeline, for the question before asked anew

    def resolve(self, q: Query, ctx: Context) -> Answer | None:
        question, lang = q.text, q.lang
        if AGENCY_BEFORE in q.why:
            # 这个部门一共牵头几项: the lead the answer before named first; none named, ask
            lead = next((c.agencies[0] for c in ctx.answer.citations if c.agencies), None)
            return self.dispatch(replace(q, agencies=(lead,), follow_up=False) if lead
                                 else replace(q, ask=Ask.CLARIFY), None)
        cited = [c for c in ctx.answer.citations if c.clause_no is not None or c.part]
        cues = q.cues if cited else frozenset()
        if "item_by_name" in cues and self.ev.topic(question):
            shown = [p for p in (self.ev.provision_at(c) for c in cited) if p is not None]
            named = self.ev.provision_on_topic(question, cited, shown_only=True)
            if named is not None and named in shown:  # 两网融合那项还有谁: that task's agencies
                return who.of(self.kit, lang, named)
        if "rest" in cues:
            rest = self._rest(ctx, cited)
            if rest:  # 剩下那项谁牵头: the tasks of the same clauses the answer did not show
                return who.of(self.kit, lang, *rest[:4])
        ordinal = self._listed_clause(q, ctx, cited)
        if ordinal is not None:  # 第二条 after a list of clauses
            return clause(self.kit, lang, [ordinal], ordinal.doc_id or "")
        if q.ask in _SELF_CONTAINED:
            return None
        item = _ITEM_RE.search(question)
        index = number_of(item.group(1)) if item else None
        if index is not None and ctx.answer.intent == Intent.TARGET:
            listed = targets.match(self.kit, self.ev, ctx.question)
            if 1 <= index <= len(listed):  # 第二项: the second target listed
                return targets.answer(self.kit, [listed[index - 1]], lang)
        if index is not None and 1 <= index <= len(cited):
            return self.about(cited[index - 1], question, lang)
        preferred = q.docs if q.docs_named else ()
        slots = self.understander.slots(question)
        own_subject = bool(self.ev.topic(q.topic if not q.follow_up else slots.topic))
        if q.unstated and cited and not preferred and not q.agencies \
                and not self.ev.topic(self.understander.without_unstated(slots)):
            # 今年的申报截止到哪天: a detail of the task shown before, which the texts never
            # give (framing says so); that task again (of several, the one the question and
            # the turn before rank first), whose agencies are the ones to ask
            by_place = {(c.doc_id, c.clause_no, c.provision): c for c in cited}
            hits = self.ev.search(question, ctx.subject_question or ctx.question, k=12)
            first = next((by_place[key] for h in hits
                          if (key := (h.chunk.doc_id, h.chunk.clause_no, h.chunk.provision))
                          in by_place), cited[0])
            return self.about(first, question, lang)
        before = ctx.query
        home = self.kit.corpus.home
        if preferred and home is not None and home.doc_id not in preferred \
                and not own_subject and before is not None \
                and before.ask not in (Ask.VALUE, Ask.COMPARE):
            local = [c for c in cited if c.doc_id == home.doc_id and c.clause_no]
            if local:  # "what does the national text say on this": the clause it implements
                return self.counterpart(local[0], preferred, q)
        unnamed = not preferred and not any(c.agencies for c in cited)
        if q.ask == Ask.WHO and home is not None and cited \
                and ((home.doc_id in preferred and not own_subject) or unnamed) \
                and all(c.doc_id != home.doc_id for c in cited):
            # 本市这边是哪个局牵头 / 找哪个部门, after national tasks (which name no agency):
            subject = ctx.subject_question or ctx.question
            found = self._home_task(cited, home.doc_id,
                                    f"{question} {subject}" if own_subject else subject)
            if found is not None:  # the home task that implements them, whose agencies
                return who.of(self.kit, lang, found)  # are the ones to ask
        if preferred and before is not None and not own_subject \
                and set(preferred) != set(before.docs):
            # 国家层面呢？: the previous question, asked of the other side
            again = replace(before, docs=preferred, docs_named=True, follow_up=False,
                            text=f"{without_document_cues(ctx.question, self.kit.corpus)} "
                                 f"{question}")
            if again.ask in (Ask.WHO, Ask.LIST, Ask.COUNT) \
                    and not set(preferred) & self.understander.bracketed:
                again = replace(again, ask=Ask.TOPIC)
            return self.dispatch(again, None)
        if q.ask == Ask.WHO and cited and not q.docs_named:
            return self._who(question, lang, ctx.question, cited)
        if q.ask == Ask.VALUE and cited and not own_subject and not q.docs_named:
            return self.about(cited[0], question, lang, value=True)
        if preferred and cited and not own_subject \
                and not {c.doc_id for c in cited} & set(preferred) and cited[0].clause_title:
            # the corresponding content in the document now named: the subject of the clause
            # cited before, looked up in the documents now named
            c = cited[0]
            return general(self.kit, self.ev, self.links, f"{c.clause_title} {c.quote[:120]}",
                           lang, doc_ids=preferred)
        if not ctx.answer.citations and not ctx.answer.refused \
                and len(re.sub(r"\W", "", question)) <= 4:
            return Answer(self.kit.t(lang, "followup_none"), True, Intent.GENERAL)
        return None

    def _home_task(self, cited: Sequence[Citation], home: str, subject: str
                   ) -> Provision | None:
        """The home plan's task on the conversation's subject and the first cited task of
        another document, in a clause linked to that task's clause (links.py) when there is
        one (税收优惠, after the national clause on 财税: the home task on taxes)."""
        on = self.ev.provision_on_topic(subject, cited, shown_only=True)
        c = next((c for c in cited if on is not None and self.ev.provision_at(c) == on),
                 cited[0])  # of the tasks shown, the one on the subject
        linked = {no for _, no in self.links.counterparts(c.doc_id, c.clause_no or 0, [home],
                                                             limit=3)}
        hits = self.ev.search(f"{subject} {c.quote[:150]}", doc_ids=[home], k=8)
        tasks = [p for h in hits if (p := self.ev.provision_of(h)) is not None
                 and p.agencies and p.clause_no]
        return next((p for p in tasks if p.clause_no in linked), tasks[0] if tasks else None)

    def _listed_clause(self, q: Query, ctx: Context,
                       cited: Sequence[Citation]) -> ClauseRef | None:
        m = _ORDINAL_CLAUSE.search(q.text)
        before = ctx.query
        if m is None or before is None or before.ask not in (Ask.PART, Ask.COUNT, Ask.LIST):
            return None
        places = list(dict.fromkeys((c.doc_id, c.clause_no) for c in cited if c.clause_no))
        n = number_of(m.group(1))
        if len(places) < 2 or n is None or not 1 <= n <= len(places):
            return None
        doc_id, no = places[n - 1]
        return ClauseRef(doc_id, no or 0)

    def _rest(self, ctx: Context, cited: Sequence[Citation]) -> list[Provision]:
        shown = [p for p in (self.ev.provision_at(c) for c in cited) if p is not None]
        places = {(p.doc_id, p.clause_no) for p in shown if p.clause_no}
        if ctx.query is not None and ctx.query.clauses:  # the clause the answer was narrowed to
            places = {(r.doc_id, r.clause_no) for r in ctx.query.clauses if r.doc_id} or places
        if len(places) != 1:
            return []  # the rest of a list over many clauses is everything else: no answer
        doc_id, no = next(iter(places))
        clause = self.kit.corpus.document(doc_id).clause(no or 0)
        return [p for p in (clause.provisions if clause else ()) if p.agencies
                and p not in shown]

    def _who(self, question: str, lang: str, before: str, cited: Sequence[Citation]) -> Answer:
        """其中绿色保险呢？谁来负责？ picks by its own words; 这件事谁牵头？ by the subject of
        the question before."""
        tasks = [p for p in (self.ev.provision_at(c) for c in cited) if p is not None]
        if tasks and not any(p.agencies for p in tasks):
            # a target of the plan's goals names no agency: the task that works towards it
            found = who.responsibility(self.kit, self.ev, f"{before} {question}", lang)
            if not found.refused and any(c.agencies for c in found.citations):
                if not self._holds_targets(tasks):
                    return found
                owner = self.kit.t(lang, "unstated_owner")
                return replace(found, answer=f"{owner}\n{found.answer}", not_stated=owner)
        # who does it: a task that names its agencies answers, one that names none cannot
        named = [c for c in cited if c.agencies] or cited
        chosen = self.ev.provision_on_topic(f"{question} {question} {before}", named)
        # its own subject: the words beyond an agency's name (这个是环保局牵头吗 has none)
        slots = self.understander.slots(question)
        own = {w for w in self.ev.topic(slots.topic)  # 邮政局 is of 市邮政管理局 still
               if not any(in_order(w, name) for name in slots.agencies)}
        if chosen is not None and own:
            # 那餐饮浪费又是谁管 after 一次性用品 of 酒店、餐饮: a word of its own (浪费) that
            # the task chosen lacks and another task has is a subject of its own
            said = own & set(self.ev.tokenizer.tokens(chosen.text))
            if said != own:  # looked up on its own words: the turn before pulls back
                found = who.responsibility(self.kit, self.ev, question, lang)
                top = self.ev.provision_at(found.citations[0]) if found.citations else None
                if not found.refused and top is not None and len(
                        own & set(self.ev.tokenizer.tokens(top.text))) > len(said):
                    return found
            return who.of(self.kit, lang, chosen)
        if chosen is None and own:
            # its own subject, in none of the tasks cited before: look it up
            found = who.responsibility(self.kit, self.ev, question, lang, before)
            if not found.refused:
                return found
        # the question names no task of its own: who does each task cited before, the one
        # the question before was most about first
        tasks = sorted(dict.fromkeys(tasks), key=lambda p: p != chosen)
        places = {(p.doc_id, p.clause_no) for p in tasks}
        if len(tasks) > 3 and len(places) == 1:  # every task of one clause: the clause, each
            doc_id, no = places.pop()           # task with its agencies
            return clause(self.kit, lang, [ClauseRef(doc_id, no or 0)], doc_id)
        tasks = tasks[:3]
        if tasks:
            return who.of(self.kit, lang, *tasks)
        return self.about(cited[0], question, lang, force_agencies=True)

    def _holds_targets(self, tasks: Sequence[Provision]) -> bool:
        return any((t.doc_id, t.clause_no, t.provision) == (p.doc_id, p.clause_no, p.index)
                   for t in self.kit.corpus.targets for p in tasks)

    def counterpart(self, c: Citation, docs: Sequence[str], q: Query) -> Answer:
        """The clause of ``docs`` that a cited home clause implements (links.py), quoted."""
        linked = self.links.counterparts(c.doc_id, c.clause_no or 0, docs)
        if not linked:
            return general(self.kit, self.ev, self.links, f"{c.clause_title} {c.quote[:120]}",
                           q.lang, doc_ids=docs)
        doc_id, no = linked[0]
        clause = self.kit.corpus.document(doc_id).clause(no)
        assert clause is not None
        # the provisions on what the task cited is about first (海水淡化 of a clause on all
        # urban infrastructure), rarer shared words weighing more; none shared: in order
        words = self.ev.topic(c.quote)
        weight = {p: sum(1 / max(self.ev.df(t), 1)
                         for t in words & set(self.ev.tokenizer.tokens(p.text)))
                  for p in clause.provisions}
        n = self.ev.settings.general_provisions
        ranked = [p for p in sorted(clause.provisions, key=weight.__getitem__, reverse=True)[:n]
                  if weight[p] > 0]
        return self.kit.cited(ranked or clause.provisions[:n], q.lang)

    def about(self, c: Citation, question: str, lang: str, force_agencies: bool = False,
              value: bool = False) -> Answer:
        """A question about one citation of the answer before: its agencies, its targets, or
        the provisions again."""
        kit = self.kit
        doc = kit.corpus.document(c.doc_id)
        if c.clause_no is None:
            part = next((p for p in doc.parts if p.heading == c.part), None)
            provisions = list(part.intro) if part else []
        else:
            clause = doc.clause(c.clause_no)
            provisions = list(clause.provisions) if clause else []
        if c.provision is not None:
            provisions = [p for p in provisions if p.index == c.provision]
        if not provisions:
            return Answer(kit.t(lang, "followup_none"), True, Intent.GENERAL)
        q = question.lower()
        if force_agencies or has(q, kit.routing.responsibility):
            return who.of(kit, lang, *provisions[:3])
        found = [t for t in kit.corpus.targets
                 if any(t.doc_id == p.doc_id and t.clause_no == p.clause_no
                        and t.provision == p.index for p in provisions)]
        if value and not found:
            sources = Sources(kit.corpus)
            n = sources.provision(provisions[0])
            text = kit.t(lang, "value_none_in_clause",
                         where=where(kit.corpus, provisions[0], lang))
            return Answer(f"{text}[{n}]", False, Intent.TARGET, tuple(sources.citations))
        if found and (value or has(q, kit.routing.target)):
            sources = Sources(kit.corpus)
            lines = [targets.line(kit, t, sources.provision(targets.provision(kit, t)), lang)
                     for t in found]
            return Answer("\n".join(lines), False, Intent.TARGET, tuple(sources.citations))
        return kit.cited(provisions[:3], lang)
