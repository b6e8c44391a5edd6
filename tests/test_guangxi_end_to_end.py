"""The Guangxi plan added end to end, on a copy of the corpus with a real index (embedded Chroma
in tmp_path, the real embedder): ``policy-assistant add`` updates the index itself (only the new
plan's chunks embedded), ``duties`` of its 自治区发展改革委 lists its tasks, the assistant says
who leads a Guangxi task citing the Guangxi clause, and every answer to the fixed questions
(all 330, follow-ups after their turns, as the eval asks them: they ask only about the home plan
and the national documents) is identical before and after: text, citations, agencies. Then
Ningxia, a second autonomous region, is added: a name both have and home has not gets "which
one" (CLI, HTTP 409, chat).

Tests run in file order: the Guangxi-only ones before the one that adds Ningxia.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
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
)
from fastapi.testclient import TestClient

from assistant.search import Searcher
from assistant.service import Assistant
from core.settings import Settings
from indexing.corpus import Corpus
from indexing.index import Index, build_index, open_index
from indexing.store import get_store
from ui.app import create_app
from ui.cli import main
from ui.state import wire

ROOT = Path(__file__).resolve().parents[1]
EXTRA = ROOT.parent / "shared" / "corpus" / "extra"
GUANGXI, NINGXIA = "guangxi-2021-green", "ningxia-2021-green"
# searches whose rankings the home side must keep: a sample of the fixed questions
SEARCHES = [json.loads(line)["question"] for line in
            (ROOT / "evals" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[::11]]


def _rankings(index: Index) -> dict[str, tuple[list[str], list[float]]]:
    """Each search's first 50 dense hits, then its first 50 lexical ones: chunk ids, scores."""
    out = {}
    for q in SEARCHES:
        hits = [*index.dense(q, 50), *index.lexical_search(q, 50)]
        out[q] = ([c.chunk_id for c, _ in hits], [s for _, s in hits])
    return out


@dataclass
class World:
    settings: Settings
    embedder: MemoEmbedder
    before: dict[str, tuple[object, ...]]  # question id → answer
    rankings: dict[str, tuple[list[str], list[float]]]  # question → dense and lexical hits
    chunks_before: int
    added: dict[str, Any]

    def assistant(self) -> tuple[Corpus, Assistant]:
        """The corpus folder as it is now, its index opened afresh."""
        return open_assistant(self.settings, self.embedder)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path,
          embedder: MemoEmbedder) -> World:
    settings = copied_corpus(tmp_path_factory.mktemp("guangxi"), corpus_dir)
    folder = settings.corpus.dir
    corpus = Corpus.load(folder)
    store = get_store(settings.store, settings.data_dir)
    build = build_index(corpus, folder, settings.data_dir, embedder, store, "chroma", "policy")
    index = open_index(corpus, folder, settings.data_dir, embedder, store)
    assistant = Assistant(corpus, Searcher(index, corpus, settings.search), settings.assistant)
    before = {qid: answer_key(answer) for qid, answer in fixed_answers(assistant, corpus)}
    rankings = _rankings(index)
    store.close()
    added = add_plan(EXTRA / f"{GUANGXI}.txt", settings)
    return World(settings, embedder, before, rankings, build.added + build.kept, added)


@pytest.fixture(scope="module")
def guangxi(world: World) -> tuple[Corpus, Assistant]:
    return world.assistant()


def test_add_updated_the_index_with_the_new_plans_chunks_only(world: World) -> None:
    index = world.added["index"]
    assert index["kept"] == world.chunks_before and index["added"] > 0
    assert index["removed"] == 0
    assert world.added["added"] == str(world.settings.corpus.dir / f"{GUANGXI}.txt")


def test_duties_of_the_guangxi_development_and_reform_commission(
        guangxi: tuple[Corpus, Assistant]) -> None:
    corpus, assistant = guangxi
    duties = corpus.duties("自治区发展改革委")
    assert duties and {d.provision.doc_id for d in duties} == {GUANGXI}
    agency = corpus.agency("自治区发展改革委")
    assert (agency.name, agency.jurisdiction) == ("广西壮族自治区发展改革委", "广西壮族自治区")
    assert len([d for d in duties if d.role.value == "lead"]) == 8
    answer = assistant.answer("广西发改委负责哪些任务？")
    assert answer.answer.startswith("广西壮族自治区发展改革委在《广西壮族自治区人民政府关于")
    assert {c.doc_id for c in answer.citations} == {GUANGXI}
    # home answers 发改委 as before
    assert assistant.answer("发改委负责哪些任务").answer.startswith("市发展改革委在《天津方案》中")


def test_who_leads_a_guangxi_task_cites_the_guangxi_clause(
        guangxi: tuple[Corpus, Assistant]) -> None:
    _, assistant = guangxi
    answer = assistant.answer("广西培育壮大油茶产业由哪个部门牵头？")
    assert answer.answer.startswith("这项工作由广西壮族自治区农业农村厅牵头")
    assert [(c.doc_id, c.clause_no, c.lead_agency) for c in answer.citations] == \
        [(GUANGXI, 4, "广西壮族自治区农业农村厅")]


def test_every_fixed_answer_is_unchanged(world: World, guangxi: tuple[Corpus, Assistant]
                                         ) -> None:
    """The fixed questions name no other place: the home side answers them, over its own part
    of the index, as if the Guangxi plan were not there."""
    corpus, assistant = guangxi
    assert assistant.home is not None and GUANGXI not in assistant.home.corpus.home_side
    after = {qid: answer_key(answer) for qid, answer in fixed_answers(assistant, corpus)}
    assert len(after) == len(world.before) == 330
    assert [qid for qid in world.before if after[qid] != world.before[qid]] == []


def test_the_home_sides_rankings_are_unchanged(world: World,
                                               guangxi: tuple[Corpus, Assistant]) -> None:
    """Dense hits ranked among the home side's chunks alone, lexical word weights over them."""
    corpus, assistant = guangxi
    whole = assistant.searcher.index
    side = whole.view(corpus.home_side)
    assert len(side.chunks) == world.chunks_before < len(whole.chunks)
    after = _rankings(side)
    assert {q: ids for q, (ids, _) in after.items()} == \
        {q: ids for q, (ids, _) in world.rankings.items()}
    # another collection computes a cosine a float32 rounding apart
    for q, (_, scores) in after.items():
        assert scores == pytest.approx(world.rankings[q][1], abs=1e-6), q
    # the whole index does rank the new plan's chunks
    assert {q: ids for q, (ids, _) in _rankings(whole).items()} != \
        {q: ids for q, (ids, _) in world.rankings.items()}


def test_a_second_region_makes_its_shared_names_ask_which_one(world: World) -> None:
    assert add_plan(EXTRA / f"{NINGXIA}.txt", world.settings)["index"] is not None
    corpus, assistant = world.assistant()
    answer = assistant.answer("自治区发展改革委负责哪些任务")
    assert answer.answer.startswith("“自治区发展改革委”是多个地区的单位名称，请说明是哪一个")
    assert "广西壮族自治区发展改革委" in answer.answer
    assert "宁夏回族自治区发展改革委" in answer.answer
    assert assistant.answer("宁夏发改委负责哪些任务").answer.startswith(
        "宁夏回族自治区发展改革委在")
    index = assistant.searcher.index
    with TestClient(create_app(world.settings, wire(world.settings, corpus, index))) as client:
        which = client.get("/v1/agencies/自治区发展改革委/duties")
        assert which.status_code == 409
        assert which.json()["error"]["code"] == "ambiguous_agency"
        assert which.json()["error"]["candidates"] == [
            {"name": "广西壮族自治区发展改革委", "jurisdiction": "广西壮族自治区"},
            {"name": "宁夏回族自治区发展改革委", "jurisdiction": "宁夏回族自治区"}]
        home = client.get("/v1/agencies/发改委/duties").json()
        assert (home["agency"]["name"], home["agency"]["jurisdiction"]) == \
            ("市发展改革委", "天津市")
        assert home["elsewhere"] == ["广西壮族自治区发展改革委", "宁夏回族自治区发展改革委"]
        assert client.get("/v1/agencies/广西发改委/duties").json()["agency"]["name"] == \
            "广西壮族自治区发展改革委"


def test_an_index_update_that_fails_undoes_the_add(world: World) -> None:
    folder = world.settings.corpus.dir
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as env, redirect_stdout(out), redirect_stderr(err):
        env.setenv("POLICY_ASSISTANT_CORPUS__DIR", str(folder))
        env.setenv("POLICY_ASSISTANT_DATA_DIR", str(world.settings.data_dir))
        env.setenv("POLICY_ASSISTANT_EMBEDDER__BACKEND", "no-such-embedder")
        code = main(["add", str(EXTRA / "shanghai-2021-green.txt")])
    assert (code, out.getvalue()) == (1, "")
    assert err.getvalue().startswith("policy-assistant: unknown embedder 'no-such-embedder'")
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
