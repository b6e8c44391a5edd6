"""The answer evaluation, driven by stub assistants over real questions of the fixed set: each
metric is checked against numbers worked out by hand from the stub and the gold."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

import evals.answers as answers_module
from core.model import Answer, Citation, Intent, Turn
from evals.answers import Rate, evaluate_answers, failing, run_answer_eval
from evals.questions import Question, Ref, load_questions
from evals.report import answers_json, answers_markdown, write_answer_reports
from indexing.corpus import Corpus

# in file order: a follow-up comes right after the question it follows
IDS = ("tj22-enterprise", "cross-04", "en-01", "oos-01", "oos-02",
       "fu-01a", "fu-01b", "fu-04a", "fu-04b")
ANSWERABLE = 7
Stub = Callable[[str, list[Turn]], Answer]


@pytest.fixture(scope="module")
def questions(corpus: Corpus) -> tuple[Question, ...]:
    picked = tuple(q for q in load_questions(corpus) if q.id in IDS)
    assert tuple(q.id for q in picked) == IDS
    return picked


def cite(corpus: Corpus, ref: Ref, n: int) -> Citation:
    """A citation of a ref built from the parsed structure, as the assistant must build it."""
    doc = corpus.document(ref.doc_id)
    if ref.clause_no is None:
        part = doc.part(ref.part_no or 0)
        assert part is not None
        provisions, whole = part.intro, "".join(p.text for p in part.intro)
        label = title = None
    else:
        clause = doc.clause(ref.clause_no)
        assert clause is not None
        part = doc.part(clause.part_no)
        provisions, whole = clause.provisions, clause.text
        label, title = clause.label, clause.title
    quote = whole[:24]
    agencies: tuple[str, ...] = ()
    if ref.provision is not None:
        provision = provisions[ref.provision - 1]
        quote, agencies = provision.text, provision.agencies
    return Citation(n=n, doc_id=doc.doc_id, doc_title=doc.meta.title, clause_no=ref.clause_no,
                    clause_label=label, clause_title=title,
                    part=part.heading if part is not None else None, provision=ref.provision,
                    quote=quote, agencies=agencies)


def gold_citations(corpus: Corpus, q: Question) -> tuple[Citation, ...]:
    """One citation per gold place: its gold task when the question names one."""
    refs = [next((p for p in q.gold_provisions if p.place == g.place), g) for g in q.gold]
    return tuple(cite(corpus, r, n) for n, r in enumerate(refs, start=1))


def perfect(corpus: Corpus, q: Question) -> Answer:
    if q.refuse:
        return Answer("这个问题不在文件范围内。", refused=True, intent=Intent.OUT_OF_SCOPE)
    names = [corpus.registry.agency(a).english if q.lang == "en" else a for a in q.agencies]
    text = "；".join([*names, *q.facts]) or "见所引条款。"
    return Answer(text, refused=False, intent=Intent(q.intent),
                  citations=gold_citations(corpus, q))


def stub(corpus: Corpus, questions: tuple[Question, ...],
         change: Callable[[Question, Answer], Answer] = lambda q, a: a) -> Stub:
    """The perfect answer to each question, passed through ``change``. Two follow-ups share
    their words (国家层面呢？): the question before tells them apart."""
    by_id = {q.id: q for q in questions}

    def answer(text: str, history: list[Turn]) -> Answer:
        before = history[0].content if history else None
        q = next(q for q in questions if q.question == text
                 and (q.follows is None or by_id[q.follows].question == before))
        return change(q, perfect(corpus, q))

    return answer


def test_a_perfect_answer_scores_one_everywhere(corpus: Corpus,
                                                questions: tuple[Question, ...]) -> None:
    result = run_answer_eval(stub(corpus, questions), questions, corpus)
    o = result.overall
    assert o.questions == len(IDS)
    assert o.citation_precision == Rate(1.0, 8)  # cross-04 has two gold places
    assert o.citation_recall == Rate(1.0, ANSWERABLE)
    assert o.agency_recall == Rate(1.0, 2)  # en-01, fu-01b; tj22 is an incentive question
    assert o.fact_accuracy == Rate(1.0, 4)
    assert o.declines == Rate(1.0, 2)
    assert o.answers == Rate(1.0, ANSWERABLE)
    assert o.follow_up == Rate(1.0, 2)
    assert result.target_facts == Rate(1.0, 3)  # cross-04, fu-04a, fu-04b
    assert result.invalid == ()
    assert sorted(result.by_intent) == ["general", "incentive", "out_of_scope",
                                        "responsibility", "target"]
    assert result.by_intent["target"].citation_precision == Rate(1.0, 4)
    assert result.by_intent["out_of_scope"].citation_precision == Rate(None, 0)
    assert result.by_kind["follow_up"].follow_up == Rate(1.0, 2)
    records = {r.id: r for r in result.records}
    assert records["cross-04"].cited == (("zhongfa-2021-36", "p2"), ("tianjin-2022", "2"))
    assert records["fu-04b"].answered_intent == "target"
    assert all(not ids for ids in failing(result).values())


def test_the_gold_of_the_whole_set_is_citable_and_scores_one(corpus: Corpus) -> None:
    everything = load_questions(corpus)
    result = run_answer_eval(stub(corpus, everything), everything, corpus)
    o = result.overall
    assert o.questions == len(everything)
    assert all(getattr(o, m).value == 1.0 for m in ("citation_precision", "citation_recall",
               "agency_recall", "fact_accuracy", "declines", "answers", "follow_up"))
    assert o.follow_up.n == sum(1 for q in everything if q.follows)
    assert o.declines.n == sum(1 for q in everything if q.refuse)


def test_refusing_everything(corpus: Corpus, questions: tuple[Question, ...]) -> None:
    def refuse(q: Question, a: Answer) -> Answer:
        return Answer("抱歉，无法回答。", refused=True, intent=Intent.OUT_OF_SCOPE)

    result = run_answer_eval(stub(corpus, questions, refuse), questions, corpus)
    o = result.overall
    assert o.citation_precision == Rate(None, 0)  # no citation: not measured, not zero
    assert o.citation_recall == Rate(0.0, ANSWERABLE)
    assert o.agency_recall == Rate(0.0, 2)
    assert o.fact_accuracy == Rate(0.0, 4)
    assert o.declines == Rate(1.0, 2)
    assert o.answers == Rate(0.0, ANSWERABLE)
    assert o.follow_up == Rate(0.0, 2)
    fails = failing(result)
    assert fails["answers"] == tuple(i for i in IDS if not i.startswith("oos"))
    assert fails["declines"] == ()
    assert fails["follow_up"] == ("fu-01b", "fu-04b")


def test_a_wrong_clause_lowers_precision_and_a_missing_one_recall(
        corpus: Corpus, questions: tuple[Question, ...]) -> None:
    wrong = cite(corpus, Ref.parse("tianjin-2022/10/1"), 2)  # valid, but not gold anywhere

    def change(q: Question, a: Answer) -> Answer:
        if q.id == "cross-04":  # its national place dropped, a wrong clause instead
            return replace(a, citations=(a.citations[1], wrong))
        if q.id == "fu-01a":  # the gold clause and a wrong one
            return replace(a, citations=(a.citations[0], wrong))
        if q.id == "oos-01":  # answers what it should decline, citing: not in precision
            return replace(a, refused=False, citations=(wrong,))
        return a

    result = run_answer_eval(stub(corpus, questions, change), questions, corpus)
    o = result.overall
    # the perfect 8 citations plus fu-01a's wrong one, and cross-04 trades a gold one for a
    # wrong one: 9 citations on answerable questions, 2 of them outside the gold
    assert o.citation_precision == Rate(7 / 9, 9)
    # per answer: cross-04 and fu-01a half right, the five others all right
    assert o.citation_precision_macro == Rate(6 / 7, 7)
    # cross-04 cites one of its two gold places, the six others all of theirs
    assert o.citation_recall == Rate(6.5 / 7, 7)
    assert o.declines == Rate(0.5, 2)
    assert result.by_intent["target"].citation_precision == Rate(3 / 4, 4)
    assert result.by_intent["general"].citation_precision == Rate(1 / 2, 2)
    records = {r.id: r for r in result.records}
    assert records["fu-01a"].correct_citations == 1
    assert records["cross-04"].recall == 0.5
    fails = failing(result)
    assert fails["citation_precision"] == ("cross-04", "fu-01a")
    assert fails["citation_recall"] == ("cross-04",)
    assert fails["declines"] == ("oos-01",)


def test_agency_recall_counts_chinese_and_english_names(
        corpus: Corpus, questions: tuple[Question, ...]) -> None:
    # en-01 gold: 市交通运输委, 天津海事局, 滨海新区人民政府, 天津港集团
    texts = {
        "en-01": "Tianjin Municipal Transportation Commission and 天津海事局 lead, with the "
                 "TIANJIN PORT (GROUP) CO., LTD.",  # 3 of 4, one in capitals
        "fu-01b": "由市交通运输委牵头。Tianjin Maritime Safety Administration",  # English: zh
        "tj22-enterprise": "",  # incentive: its agencies are not scored
    }

    def change(q: Question, a: Answer) -> Answer:
        return replace(a, answer=texts[q.id]) if q.id in texts else a

    result = run_answer_eval(stub(corpus, questions, change), questions, corpus)
    records = {r.id: r for r in result.records}
    assert records["en-01"].agency_recall == 0.75
    assert records["fu-01b"].agency_recall == 0.25  # an English name in a Chinese question
    assert records["tj22-enterprise"].agency_recall is None
    assert result.overall.agency_recall == Rate(0.5, 2)
    assert result.by_intent["responsibility"].agency_recall == Rate(0.5, 2)
    assert result.by_intent["incentive"].agency_recall == Rate(None, 0)
    assert result.overall.follow_up == Rate(0.5, 2)  # fu-01b misses agencies
    assert failing(result)["agency_recall"] == ("en-01", "fu-01b")


def test_fact_accuracy_needs_every_fact(corpus: Corpus,
                                        questions: tuple[Question, ...]) -> None:
    texts = {
        "fu-04a": "天津的目标是11.5%以上。",  # 2025 missing
        "cross-04": "国家20%左右，天津11.5%。",  # 11.5%以上 without its qualifier: zh is exact
    }

    def change(q: Question, a: Answer) -> Answer:
        return replace(a, answer=texts[q.id]) if q.id in texts else a

    result = run_answer_eval(stub(corpus, questions, change), questions, corpus)
    assert result.overall.fact_accuracy == Rate(0.5, 4)
    assert result.target_facts == Rate(1 / 3, 3)
    assert result.by_intent["general"].fact_accuracy == Rate(1.0, 1)
    assert failing(result)["fact_accuracy"] == ("cross-04", "fu-04a")


def test_english_answers_may_drop_the_qualifier(corpus: Corpus) -> None:
    en03 = next(q for q in load_questions(corpus) if q.id == "en-03")
    asked = replace(en03, facts=("11.5%以上", "2025"))
    in_chinese = replace(asked, id="en-03-zh", lang="zh")
    say = Answer("Over 11.5% by 2025.", refused=False, intent=Intent.TARGET,
                 citations=gold_citations(corpus, en03))
    result = run_answer_eval(lambda text, history: say, [asked, in_chinese], corpus)
    assert [r.facts_ok for r in result.records] == [True, False]


@pytest.mark.parametrize("ref,change,reason", [
    pytest.param("tianjin-2022/9/5", {"clause_no": 99}, "no clause 99", id="clause-99"),
    pytest.param("tianjin-2022/9/5", {"provision": 6}, "no provision 6", id="provision-6"),
    pytest.param("tianjin-2022/9/5", {"quote": "岸电使用率达到100%以上"}, "not in the provision",
                 id="quote-not-in-text"),
    pytest.param("tianjin-2022/9", {"quote": "打造绿色物流体系。优化能源结构"},
                 "not in the text", id="quote-not-in-clause"),
    pytest.param("tianjin-2022/9/5", {"agencies": ("市交通运输委",)},
                 "not the provision's", id="agencies-cut"),
    pytest.param("tianjin-2022/9", {"agencies": ("市税务局",)}, "named by no task",
                 id="clause-agencies-invented"),
    pytest.param("tianjin-2022/9/5", {"doc_id": "tianjin-2023"}, "no document",
                 id="unknown-document"),
    pytest.param("tianjin-2022/9/5", {"clause_label": "（十）"}, "clause_label",
                 id="label-of-another-clause"),
    pytest.param("tianjin-2022/9/5",
                 {"doc_title": "国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见"},
                 "is not the title of tianjin-2022", id="title-of-another-document"),
    pytest.param("tianjin-2022/9/5", {"clause_title": "加强再生资源回收利用"}, "clause_title",
                 id="title-of-another-clause"),
    pytest.param("tianjin-2022/9/5", {"part": "二、构建绿色低碳循环发展的生产体系"},
                 "not the part of clause 9", id="part-of-another-clause"),
    pytest.param("zhongfa-2021-36/p2/2", {"part": "三、推进经济社会发展全面绿色转型"},
                 "no part with text", id="part-without-text"),
    pytest.param("tianjin-2022/9/5", {"quote": "同步设计、建设岸电设施…新改扩建码头工程"},
                 "not in the provision", id="elided-quote-out-of-order"),
    pytest.param("tianjin-2022/9/5", {"quote": " … "}, "not in the provision",
                 id="empty-quote"),
])
def test_an_invalid_citation_fails_the_run(corpus: Corpus, questions: tuple[Question, ...],
                                           ref: str, change: dict[str, object],
                                           reason: str) -> None:
    bad = replace(cite(corpus, Ref.parse(ref), 2), **change)  # type: ignore[arg-type]

    def add(q: Question, a: Answer) -> Answer:
        return replace(a, citations=(*a.citations, bad)) if q.id == "fu-01b" else a

    answer = stub(corpus, questions, add)
    with pytest.raises(AssertionError, match="1 invalid citation") as raised:
        run_answer_eval(answer, questions, corpus)
    assert f"fu-01b [2] {bad.doc_id}/" in str(raised.value)
    assert reason in str(raised.value)
    collected = evaluate_answers(answer, questions, corpus).invalid
    assert [(i.question_id, i.n) for i in collected] == [("fu-01b", 2)]
    assert reason in collected[0].reason


@pytest.mark.parametrize("ref,change", [
    pytest.param("tianjin-2022/0", {}, id="preamble"),
    pytest.param("tianjin-2022/9/5", {"quote": "新改扩建码头工程…同步设计、建设岸电设施"},
                 id="elided-quote"),
    pytest.param("zhongfa-2021-36/p2/2", {}, id="part-text-provision"),
    pytest.param("zhongfa-2021-36/p2", {"part": "主要目标"}, id="part-by-title"),
    pytest.param("tianjin-2022/9", {"agencies": ("天津港集团",)}, id="clause-agency"),
])
def test_valid_citations_pass(corpus: Corpus, ref: str, change: dict[str, object]) -> None:
    citation = replace(cite(corpus, Ref.parse(ref), 1), **change)  # type: ignore[arg-type]
    assert answers_module.citation_problem(citation, corpus) is None


def test_a_follow_up_hears_the_assistants_own_previous_answer(
        corpus: Corpus, questions: tuple[Question, ...]) -> None:
    heard: list[tuple[str, list[Turn]]] = []
    inner = stub(corpus, questions)

    def answer(text: str, history: list[Turn]) -> Answer:
        heard.append((text, history))
        a = inner(text, history)
        return replace(a, answer=f"第{len(heard)}次回答：{a.answer}")

    run_answer_eval(answer, questions, corpus)
    by_id = {q.id: q for q in questions}
    histories = dict(zip(IDS, (h for _, h in heard), strict=True))
    assert [t for t, _ in heard] == [by_id[i].question for i in IDS]
    assert histories["fu-01b"] == [
        Turn("user", by_id["fu-01a"].question),
        Turn("assistant", "第6次回答：100%"),
    ]
    assert histories["fu-04b"] == [
        Turn("user", by_id["fu-04a"].question),
        Turn("assistant", "第8次回答：11.5%以上；2025"),
    ]
    assert all(h == [] for i, h in histories.items() if i not in ("fu-01b", "fu-04b"))


def test_a_follow_up_without_its_question_is_refused(corpus: Corpus,
                                                     questions: tuple[Question, ...]) -> None:
    alone = [q for q in questions if q.id != "fu-01a"]
    with pytest.raises(ValueError, match="fu-01b follows fu-01a"):
        run_answer_eval(stub(corpus, questions), alone, corpus)


def test_follow_up_accuracy_needs_a_gold_citation(corpus: Corpus,
                                                  questions: tuple[Question, ...]) -> None:
    other = cite(corpus, Ref.parse("tianjin-2022/10/1"), 1)

    def change(q: Question, a: Answer) -> Answer:
        return replace(a, citations=(other,)) if q.id == "fu-04b" else a

    result = run_answer_eval(stub(corpus, questions, change), questions, corpus)
    assert result.overall.follow_up == Rate(0.5, 2)
    assert result.by_kind["follow_up"].citation_precision == Rate(0.5, 2)
    assert failing(result)["follow_up"] == ("fu-04b",)


def test_latency(corpus: Corpus, questions: tuple[Question, ...],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(answers_module, "perf_counter", lambda: now[0])
    inner = stub(corpus, questions)
    latencies = iter([3.0, 1.0, 2.0, 9.0, 4.0, 5.0, 8.0, 7.0, 6.0])

    def answer(text: str, history: list[Turn]) -> Answer:
        now[0] += next(latencies)
        return inner(text, history)

    result = run_answer_eval(answer, questions, corpus)
    assert [r.seconds for r in result.records] == [3.0, 1.0, 2.0, 9.0, 4.0, 5.0, 8.0, 7.0, 6.0]
    assert (result.seconds, result.p50, result.p95) == (45.0, 5.0, 9.0)


def test_p95_is_an_observed_latency(corpus: Corpus, questions: tuple[Question, ...],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(answers_module, "perf_counter", lambda: now[0])
    inner = stub(corpus, questions)
    latencies = iter(range(20, 0, -1))

    def answer(text: str, history: list[Turn]) -> Answer:
        now[0] += next(latencies)
        return inner(text, history)

    oos = next(q for q in questions if q.id == "oos-01")
    result = run_answer_eval(answer, [oos] * 20, corpus)  # latencies 20, 19, … 1
    assert (result.p50, result.p95) == (10.5, 19.0)  # 19: the 19th of 20, not the maximum


def test_reports(corpus: Corpus, questions: tuple[Question, ...], tmp_path: Path) -> None:
    def change(q: Question, a: Answer) -> Answer:
        return replace(a, refused=True, answer="", citations=()) if q.id == "fu-04b" else a

    result = run_answer_eval(stub(corpus, questions, change), questions, corpus)
    context = {"model": "stub"}
    md = answers_markdown(result, context)
    for heading in ("# Answer evaluation", "## Overall", "## By intent", "## By question kind",
                    "## Follow-ups", "## Failing questions"):
        assert heading in md
    assert "- model: stub" in md
    assert "| citation precision | 1.000 | 7 |" in md
    assert "| citation recall | 0.857 | 7 |" in md
    assert "| out_of_scope | 2 | – | – | – | – | – | 1.000 | – | – |" in md
    assert "- follow-up accuracy (follow_up): fu-04b" in md
    assert "- refusal: answers (answers): fu-04b" in md
    assert "- refusal: declines (declines): none" in md
    assert "Invalid citations" not in md
    data = json.loads(answers_json(result, context))
    assert data["context"] == context
    assert data["answers"]["overall"]["follow_up"] == {"value": 0.5, "n": 2}
    assert data["failing"]["fact_accuracy"] == ["fu-04b"]
    assert len(data["answers"]["records"]) == len(IDS)
    paths = write_answer_reports(result, context, tmp_path / "reports")
    assert [p.name for p in paths] == ["answers.md", "answers.json"]
    assert paths[0].read_text(encoding="utf-8") == md
    assert json.loads(paths[1].read_text(encoding="utf-8")) == data
