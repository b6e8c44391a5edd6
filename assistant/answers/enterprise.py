"""A business that says what it does and asks what the plans hold for it: the measures
catalogue's matcher (the same ranking as ``POST /v1/match``), not the nearest clause of a
search — a chemical plant asking for its obligations gets its audits and permits, not the one
task whose text happens to mention 化工.

Which side it asks for is a cue list (asks.toml ``requirement`` / ``support``); a question
that names neither (跟我们有关的有哪些) gets both. Each item names its document, place and
whom to contact, lead first.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answers.kit import Kit
from assistant.compose import Sources, where
from assistant.evidence import Evidence
from assistant.matcher import Matcher, MatchItem, Profile
from assistant.query import Ask, Query
from core.model import Answer, Intent, Provision
from indexing.measures.rules import classify

_ONE_SIDE = 4  # enough to choose from, few enough to read in a chat window
_BOTH_SIDES = 3
_NAMED = 2  # items shown when the question names a subject beyond its trade
_SPECIFIC = 5  # a word in at most this many tasks names a subject of its own (增值税)
# the catalogue's kinds of support that are money (labels.toml ids): what 扶持 asks first
_MONEY = frozenset({"fiscal", "tax", "finance_support", "price"})


def applies(kit: Kit, ev: Evidence, matcher: Matcher, q: Query,
            context: str = "") -> Answer | None:
    """None when the question says nothing the catalogue can place (no trade, no kind of
    business): the caller answers it from search instead."""
    # the business described before (我们是做快递的 … 换新能源车有补贴吗) is still the business
    before = q.business or (context if q.follow_up else "")
    description = f"{before} {q.text}".strip()
    match = matcher.match(Profile(description))
    if not match.audience:
        return None
    home = kit.corpus.home
    first = home.doc_id if home else None
    wants_rules = "requirement" in q.cues
    wants_support = "support" in q.cues or (q.ask.value == "support" and not wants_rules
                                            and "applies" not in q.cues)
    # measures for the business's own trade first, then (asked for support alone) money
    # before advice, then the home plan's: a city's business lives under its own plan
    money = wants_support and not wants_rules and "support_subject" in q.cues

    def order(i: MatchItem) -> tuple[bool, bool, bool]:
        return (not i.shared, money and not set(i.measure.kind) & _MONEY,
                i.measure.doc_id != first)

    named = set(q.docs) if q.docs_named else set()

    def pick(items: Sequence[MatchItem]) -> list[MatchItem]:
        """The trade's own measures (another trade's, however close its words, answer a
        question nobody asked), in the documents named where they have any."""
        pool = [i for i in items if i.shared] or list(items)
        there = [i for i in pool if not named or i.measure.doc_id in named]
        return sorted(there or pool, key=order)

    support, requirements = pick(match.support), pick(match.requirements)
    if wants_rules and not wants_support:
        sides = [("requirements_head", requirements[:_ONE_SIDE])]
    elif wants_support and not wants_rules:
        sides = [("incentive_head", support[:_ONE_SIDE])]
    else:
        sides = [("incentive_head", support[:_BOTH_SIDES]),
                 ("requirements_head", _new(requirements, support[:_BOTH_SIDES], _BOTH_SIDES))]
    named_first = _on_subject(ev, matcher, q, description, before, named)
    sources = Sources(kit.corpus)
    lines: list[str] = []
    for i, (head, items) in enumerate(sides):
        tasks = [item.measure.provision for item in items]
        if named_first is not None:
            # the task the question names leads, with the trade's others of its clause: a
            # question on one subject is not asking for the whole catalogue
            same = [p for p in tasks if p != named_first
                    and (p.doc_id, p.clause_no) == (named_first.doc_id, named_first.clause_no)]
            tasks = [named_first, *same][:_NAMED] if i == 0 else same[:_NAMED - 1]
        if not tasks:
            continue
        lines.append(kit.t(q.lang, head))
        for p in tasks:
            n = sources.provision(p)
            contact = kit.t(q.lang, "contact", agencies=kit.agency_list(p, q.lang)) \
                if p.agencies else kit.t(q.lang, "contact_national")
            lines.append(kit.t(q.lang, "incentive_item", text=p.text, n=n,
                               where=where(kit.corpus, p, q.lang),
                               doc=kit.doc_name(p.doc_id, q.lang), contact=contact))
    if not lines:
        return None
    return Answer("\n".join(lines), False, Intent.INCENTIVE, tuple(sources.citations),
                  route=f"{q.route}, catalogue ({'+'.join(match.audience)})")


def _on_subject(ev: Evidence, matcher: Matcher, q: Query, description: str, context: str,
                named: set[str]) -> Provision | None:
    """The task search finds for a subject the question names beyond the business's trade
    (增值税 for an energy-service firm, 绿色社区 for a residents' committee): it answers what
    was asked and leads. The trade's own words (化工 of a chemical plant) name no subject:
    they are what the catalogue already read."""
    # the trade as the business described itself: before, where it did so before (包装这块呢
    # after a courier's question: 包装 is what is asked now, not the courier's trade)
    trade = classify(matcher.catalogue.vocab, (context or description).lower()).cues

    def of_trade(w: str) -> bool:
        return any(w in t or t in w for t in trade)

    # the asker's own words, with the texts' words for them (新能源车 → 新能源汽车), but not
    # for the trade's (固废 → 固体废物 of a waste firm)
    # bonded maintenance → 保税维修; not the trade's own phrases (wind farm → 风电)
    english = [w for phrase in ev.tokenizer.translations(q.text)[0] if not of_trade(phrase)
               for term in ev.tokenizer.translations(phrase)[1] for w in ev.tokenizer.tokens(term)]
    own = [t for t in (*ev.tokenizer.tokens(q.text), *english) if not of_trade(t)]
    said = {*own, *(w for t in own for s in ev.tokenizer.synonyms_of(t)
                    for w in ev.tokenizer.tokens(s))}
    subject = {w for w in ev.topic(q.topic)  # specific ones
               if w in said and ev.df(w) <= _SPECIFIC and not of_trade(w)}
    if not subject:
        return None
    # the question's own words find it: the turn before (新能源车) would pull the search back
    hits = ev.home_first(ev.search(q.text, doc_ids=sorted(named)))
    top = ev.top_provisions(hits, 1)
    return top[0] if top and any(w in top[0].text.lower() for w in subject) else None


def _new(items: Sequence[MatchItem], shown: Sequence[MatchItem], n: int) -> list[MatchItem]:
    """The first ``n`` items not already shown on the other side."""
    seen = {i.measure.ref for i in shown}
    return [i for i in items if i.measure.ref not in seen][:n]


def for_business(q: Query) -> bool:
    """A business asking what the plans hold for it (its support, its obligations, or
    both): the catalogue answers, not the nearest clause. A question on one named thing
    (a yes/no, an agency, a clause) is not such a question."""
    if not q.enterprise or q.agencies or q.clauses:
        return False  # 企业不配合会罚吗 speaks of businesses, not as one
    if q.ask == Ask.SUPPORT:  # 有补贴吗 too: the measures, opened by the verdict
        return True
    return q.ask == Ask.TOPIC and bool(q.cues & {"requirement", "applies"}) \
        and (not q.yes_no or bool(q.unstated))
