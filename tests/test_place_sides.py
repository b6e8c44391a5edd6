"""Each place its own side, end to end on a copy of the corpus with a real index (embedded
Chroma in tmp_path, the real embedder), plans added with ``policy-assistant add`` from
../shared/corpus/extra: the answers to questions about Guangxi (its name, its plan, an agency
only it has, a follow-up of a turn that named it), ``GET /v1/search?place=`` and
``POST /v1/match`` with ``place`` are identical before and after Shanghai's plan is added, while
the whole index does rank Shanghai's chunks; a question about both is answered from both; an
unknown place is 404 listing the valid ones; a district plan of home is reached by the
district's short name and changes no answer that does not name the district.

Tests run in file order: Guangxi and Shanghai first, then the district plan is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    MemoEmbedder,
    add_plan,
    answer_key,
    copied_corpus,
    fixed_answers,
    open_assistant,
    run_cli,
)
from fastapi.testclient import TestClient

from assistant.service import Assistant
from core.model import Answer, Turn
from core.settings import ServerSettings, Settings
from evals.questions import load_questions
from indexing.corpus import Corpus
from indexing.index import build_index
from indexing.store import get_store
from ui.app import create_app
from ui.state import wire

ROOT = Path(__file__).resolve().parents[1]
EXTRA = ROOT.parent / "shared" / "corpus" / "extra"
GUANGXI, SHANGHAI, DISTRICT = "guangxi-2021-green", "shanghai-2021-green", "binhai-2021-green"
NATIONAL = {"guofa-2021-4", "zhongfa-2021-36"}
# questions about Guangxi, a follow-up after the turns before it (" || ")
ABOUT_GUANGXI = [
    "广西培育壮大油茶产业由哪个部门牵头？",
    "广西发改委负责哪些任务？",
    "广西的方案一共几条？",
    "广西对绿色金融有什么要求？",
    "广西怎么推进垃圾分类？",
    "广西的实施意见是哪天发布的？",
    "工信厅负责哪些任务",
    "自治区发展改革委牵头几项任务？",
    "广西的方案和国家指导意见相比少了哪些内容？",
    "广西的方案第五条讲什么？",
    "广西怎么发展绿色物流？",
    "广西2025年的目标是什么？",
    "我们是广西做再生资源回收的企业，有什么支持？",
    "广西发改委负责哪些任务？ || 其中它牵头的是哪些？",
    "广西对绿色金融有什么要求？ || 国家文件怎么说？",
    "广西怎么发展绿色物流？ || 这一条由谁负责？",
]
SEARCHES = ["绿色金融", "垃圾分类", "油茶产业", "清洁能源", "绿色物流"]
PROFILE = {"description": "我们是做再生资源回收的企业", "place": "广西", "limit": 5}


def _ask(assistant: Assistant, conversation: str) -> Answer:
    turns = conversation.split(" || ")
    history: list[Turn] = []
    for turn in turns[:-1]:
        history += [Turn("user", turn), Turn("assistant", assistant.answer(turn, history).answer)]
    return assistant.answer(turns[-1], history)


@dataclass
class State:
    """What the service answered about Guangxi with the corpus as it was."""

    answers: dict[str, tuple[object, ...]]
    cited: dict[str, set[str]]  # the documents each answer cites
    searches: dict[str, list[dict[str, Any]]]
    match: dict[str, Any]
    home_searches: dict[str, list[dict[str, Any]]]
    whole: dict[str, list[str]]  # the whole index's first 20 chunks of each search


@dataclass
class World:
    settings: Settings
    embedder: MemoEmbedder

    def open(self) -> tuple[Corpus, Assistant]:
        return open_assistant(self.settings, self.embedder)

    def client(self, corpus: Corpus, assistant: Assistant) -> TestClient:
        return TestClient(create_app(self.settings, wire(self.settings, corpus,
                                                         assistant.searcher.index)))

    def state(self) -> State:
        corpus, assistant = self.open()
        with self.client(corpus, assistant) as client:
            searches = {q: _hits(client, q, place="广西") for q in SEARCHES}
            home = {q: _hits(client, q) for q in SEARCHES}
            match = client.post("/v1/match", json=PROFILE)
            assert match.status_code == 200, match.text
        whole = {q: [c.chunk_id for c, _ in assistant.searcher.index.dense(q, 20)]
                 for q in SEARCHES}
        answers = {q: _ask(assistant, q) for q in ABOUT_GUANGXI}
        return State({q: answer_key(a) for q, a in answers.items()},
                     {q: {c.doc_id for c in a.citations} for q, a in answers.items()},
                     searches, match.json(), home, whole)


def _hits(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    got = client.get("/v1/search", params={"q": q, "k": 10, **params})
    assert got.status_code == 200, got.text
    hits: list[dict[str, Any]] = got.json()
    return hits


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path,
          embedder: MemoEmbedder) -> World:
    server = ServerSettings(rate_limit_per_minute=1_000_000, rate_limit_burst=1_000_000)
    settings = copied_corpus(tmp_path_factory.mktemp("sides"), corpus_dir, server=server)
    corpus = Corpus.load(settings.corpus.dir)
    store = get_store(settings.store, settings.data_dir)
    build_index(corpus, settings.corpus.dir, settings.data_dir, embedder, store, "chroma",
                "policy")
    store.close()
    add_plan(EXTRA / f"{GUANGXI}.txt", settings)
    return World(settings, embedder)


@pytest.fixture(scope="module")
def states(world: World) -> tuple[State, State]:
    """Guangxi's plan alone, then with Shanghai's added."""
    before = world.state()
    add_plan(EXTRA / f"{SHANGHAI}.txt", world.settings)
    return before, world.state()


def test_answers_about_a_place_are_unchanged_by_another_places_plan(
        states: tuple[State, State]) -> None:
    before, after = states
    assert [q for q in ABOUT_GUANGXI if after.answers[q] != before.answers[q]] == []
    # and they are answered from Guangxi's side: its plan and the national documents
    assert all(docs <= {GUANGXI, *NATIONAL} for docs in after.cited.values()), after.cited
    assert sum(GUANGXI in docs for docs in after.cited.values()) >= len(ABOUT_GUANGXI) - 2


def test_searches_and_matches_of_a_place_are_unchanged(states: tuple[State, State]) -> None:
    before, after = states
    assert after.searches == before.searches
    assert after.match == before.match
    assert {h["doc_id"] for hits in after.searches.values() for h in hits} <= \
        {GUANGXI, *NATIONAL}
    assert {i["doc_id"] for i in after.match["support"]} <= {GUANGXI, *NATIONAL}
    # the home side by default, unchanged by either plan
    assert after.home_searches == before.home_searches
    assert {h["doc_id"] for hits in after.home_searches.values() for h in hits} <= \
        {"tianjin-2022", *NATIONAL}
    # the whole index does rank the new plan's chunks: the sides are what keeps them apart
    assert after.whole != before.whole


def test_a_question_about_two_places_is_answered_from_both(world: World,
                                                           states: tuple[State, State]) -> None:
    _, assistant = world.open()
    answer = assistant.answer("广西和上海的方案在绿色金融方面有什么不同？")
    assert [(c.doc_id, c.clause_no) for c in answer.citations] == \
        [(GUANGXI, 23), (SHANGHAI, 21)]
    assert [c.doc_id for c in assistant.answer("上海呢？", [
        Turn("user", "广西对绿色金融有什么要求？"), Turn("assistant", "…")]).citations][:1] == \
        [SHANGHAI]
    corpus, _ = world.open()
    with world.client(corpus, assistant) as client:
        both = _hits(client, "绿色金融", place=["广西", "上海市"], k=20)
        assert {GUANGXI, SHANGHAI} <= {h["doc_id"] for h in both}
        only = _hits(client, "绿色金融", doc=SHANGHAI)  # a place's document: its side
        assert {h["doc_id"] for h in only} == {SHANGHAI}


def test_an_unknown_place_is_an_error_listing_the_valid_ones(
        world: World, states: tuple[State, State], capsys: pytest.CaptureFixture[str]) -> None:
    corpus, assistant = world.open()
    valid = ["天津市", "广西壮族自治区", "上海市"]
    message = "unknown place: 北京; valid: 天津市, 广西壮族自治区, 上海市"
    with world.client(corpus, assistant) as client:
        for got in (client.get("/v1/search", params={"q": "绿色金融", "place": "北京"}),
                    client.post("/v1/match", json={**PROFILE, "place": "北京"})):
            assert got.status_code == 404
            assert got.json() == {"error": {"code": "unknown_place", "message": message,
                                            "places": valid}}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("POLICY_ASSISTANT_CORPUS__DIR", str(world.settings.corpus.dir))
        env.setenv("POLICY_ASSISTANT_DATA_DIR", str(world.settings.data_dir))
        assert run_cli(capsys, "search", "绿色金融", "--place", "北京") == \
            (2, "", f"policy-assistant: {message}\n")


def test_a_district_plan_is_reached_by_the_districts_name(
        world: World, states: tuple[State, State], tmp_path: Path) -> None:
    """A plan of a district of home (Shanghai's text with the place renamed): the home side
    still answers every fixed question that names no district; the district's name (its short
    name, without the city) reaches its plan."""
    corpus, assistant = world.open()
    home = {qid: answer_key(a) for qid, a in fixed_answers(assistant, corpus)}
    text = (EXTRA / f"{SHANGHAI}.txt").read_text(encoding="utf-8")
    for old, new in (("上海市人民政府", "天津市滨海新区人民政府"), ("上海市", "天津市滨海新区"),
                     ("本市", "本区"), ("上海", "滨海新区")):
        text = text.replace(old, new)
    (tmp_path / f"{DISTRICT}.txt").write_text(text, encoding="utf-8")
    report = add_plan(tmp_path / f"{DISTRICT}.txt", world.settings)
    assert (report["level"], report["jurisdiction"]) == ("district", "天津市滨海新区")
    corpus, assistant = world.open()
    district = [h for h in corpus.places.held if h.district]
    assert [(h.jurisdiction, h.words) for h in district] == \
        [("天津市滨海新区", ("天津市滨海新区", "滨海新区"))]
    after = {qid: answer_key(a) for qid, a in fixed_answers(assistant, corpus)}
    names = {q.id for q in load_questions(corpus) if "滨海新区" in q.question}
    assert [q for q in home if q not in names and after[q] != home[q]] == []
    count = assistant.answer("滨海新区的方案一共几条？")
    assert count.answer.startswith(
        "《天津市滨海新区关于加快建立健全绿色低碳循环发展经济体系的实施方案》共8个部分、26条")
    finance = assistant.answer("滨海新区方案对绿色金融有什么要求？")
    assert [(c.doc_id, c.clause_no) for c in finance.citations][:1] == [(DISTRICT, 21)]
    # the district's agency in the municipal plan is still the municipal plan's
    duties = assistant.answer("滨海新区人民政府负责哪些任务？")
    assert {c.doc_id for c in duties.citations} == {"tianjin-2022"}
    with world.client(corpus, assistant) as client:
        assert DISTRICT not in {h["doc_id"] for h in _hits(client, "绿色金融", k=20)}
        there = _hits(client, "绿色金融", place="滨海新区", k=20)
        assert {DISTRICT, "tianjin-2022"} <= {h["doc_id"] for h in there}
        match = client.post("/v1/match", json={"description": "我们是做绿色金融服务的企业",
                                               "district": "滨海新区", "limit": 20})
        assert DISTRICT in {i["doc_id"] for i in match.json()["support"]}
