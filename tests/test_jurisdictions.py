"""Agencies keyed by jurisdiction, without an index: the naming rules as a table, and a copy of
the corpus with three other jurisdictions' plans added (Guangxi and Ningxia, two autonomous
regions with the same department names, and Shanghai, a city whose 市发展改革委 is written as
Tianjin's). The home jurisdiction answers a name it has; a place named picks that place's; a
name only others have picks theirs, or asks which when several have it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from assistant.answers.kit import Kit, Routing
from assistant.answers.which import which_agency
from assistant.compose import Templates
from assistant.names import AgencyMatcher
from core.errors import AmbiguousAgency, UnknownAgency
from indexing.agency_names import Place, default_naming
from indexing.corpus import Corpus
from indexing.ingest import add_to_corpus, inspect

EXTRA = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extra"
ADDED = ("guangxi-2021-green", "ningxia-2021-green", "shanghai-2021-green")
GX, NX, SH = "广西壮族自治区", "宁夏回族自治区", "上海市"


@pytest.mark.parametrize("name,place,qualified", [
    pytest.param("自治区发展改革委", GX, "广西壮族自治区发展改革委", id="prefix"),
    pytest.param("市发展改革委", SH, "上海市发展改革委", id="city-prefix"),
    pytest.param("市市场监管局", SH, "上海市市场监管局", id="prefix-then-市场"),
    pytest.param("广西邮政管理局", GX, "广西邮政管理局", id="names-its-place"),
    pytest.param("人民银行南宁中心支行", GX, "人民银行南宁中心支行", id="names-a-city"),
    pytest.param("中国铁路南宁局集团", GX, "中国铁路南宁局集团", id="national-body"),
    pytest.param("各区人民政府", SH, "上海市各区人民政府", id="no-prefix"),
    pytest.param("自治区发展改革委〔能源局〕", GX, "广西壮族自治区发展改革委〔能源局〕",
                 id="annotated"),
])
def test_another_jurisdictions_agency_is_named_with_its_place(
        name: str, place: str, qualified: str) -> None:
    naming = default_naming()
    assert naming.qualify(name, naming.place(place)) == qualified


def test_keys_are_derived_by_rule() -> None:
    naming = default_naming()
    assert naming.place(GX) == Place(GX, ("广西",), "自治区")
    keys = naming.keys("广西壮族自治区工业和信息化厅", naming.place(GX))
    assert set(keys) == {
        "广西壮族自治区工业和信息化厅", "工业和信息化厅", "广西工业和信息化厅",
        "自治区工业和信息化厅", "工信厅", "广西壮族自治区工信厅", "广西工信厅", "自治区工信厅"}
    # an annotated name only as it is and as its plan writes it
    assert naming.keys("广西壮族自治区发展改革委〔能源局〕", naming.place(GX)) == (
        "广西壮族自治区发展改革委〔能源局〕", "自治区发展改革委〔能源局〕")
    # a national body: its own name and its short form
    assert naming.keys("国家发展改革委", None) == ("国家发展改革委", "国家发改委")


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("jurisdictions") / "corpus"
    shutil.copytree(corpus_dir, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for doc_id in ADDED:
        corpus = Corpus.load(folder)
        add_to_corpus(inspect(EXTRA / f"{doc_id}.txt", corpus.registry, doc_id,
                              tuple(d.meta for d in corpus.documents)), folder)
    return folder


@pytest.fixture(scope="module")
def loaded(many: Path) -> Corpus:
    return Corpus.load(many)


@pytest.mark.parametrize("query,name,jurisdiction", [
    pytest.param("发改委", "市发展改革委", "天津市", id="home-by-default"),
    pytest.param("市发展改革委", "市发展改革委", "天津市", id="home-name-shanghai-writes-too"),
    pytest.param("广西发改委", "广西壮族自治区发展改革委", GX, id="place-and-short-form"),
    pytest.param("宁夏发展改革委", "宁夏回族自治区发展改革委", NX, id="place-and-name"),
    pytest.param("广西壮族自治区发展改革委", "广西壮族自治区发展改革委", GX, id="full-name"),
    pytest.param("上海市发展改革委", "上海市发展改革委", SH, id="city"),
    pytest.param("上海发改委", "上海市发展改革委", SH, id="city-short"),
    pytest.param("经信委", "上海市经济信息化委", SH, id="only-one-has-it"),
    pytest.param("广西邮政管理局", "广西邮政管理局", GX, id="kept-as-written"),
])
def test_a_name_resolves_to_one_jurisdictions_agency(
        loaded: Corpus, query: str, name: str, jurisdiction: str) -> None:
    agency = loaded.agency(query)
    assert (agency.name, agency.jurisdiction) == (name, jurisdiction)
    assert loaded.duties(query) and all(name in d.provision.agencies
                                        for d in loaded.duties(query))


@pytest.mark.parametrize("query", ["自治区发展改革委", "工信厅", "自治区财政厅", "财政厅"])
def test_a_name_several_others_have_and_home_not_asks_which(loaded: Corpus, query: str) -> None:
    with pytest.raises(AmbiguousAgency) as caught:
        loaded.agency(query)
    assert {j for _, j in caught.value.candidates} == {GX, NX}


def test_tianjin_duties_are_not_merged_with_anyone_elses(loaded: Corpus, corpus: Corpus) -> None:
    assert loaded.duties("发改委") == corpus.duties("发改委")
    assert loaded.namesakes("发改委", loaded.agency("发改委")) == (
        "广西壮族自治区发展改革委", "宁夏回族自治区发展改革委", "上海市发展改革委")
    guangxi = {d.provision.doc_id for d in loaded.duties("广西发改委")}
    assert guangxi == {"guangxi-2021-green"}
    # every agency of the added plans is named apart from the registry's
    for doc_id in ADDED:
        names = {n for p in loaded.document(doc_id).provisions for n in p.agencies}
        assert names and not names & set(corpus.agencies_in_use), doc_id


def test_unknown_name_suggests_other_jurisdictions_too(loaded: Corpus) -> None:
    with pytest.raises(UnknownAgency) as caught:
        loaded.agency("广西发该委")
    assert "广西壮族自治区发展改革委" in caught.value.suggestions


def test_cli_duties_asks_which_one(many: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("POLICY_ASSISTANT_CORPUS__DIR", str(many))
    code, out, err = run_cli(capsys, "duties", "自治区发展改革委")
    assert (code, out) == (2, "")
    assert err == ("policy-assistant: 自治区发展改革委 names agencies of 2 jurisdictions; which "
                   "one: 广西壮族自治区发展改革委 (广西壮族自治区), 宁夏回族自治区发展改革委 "
                   "(宁夏回族自治区)\n")
    code, out, err = run_cli(capsys, "duties", "发改委", "--json")
    body = json.loads(out)
    assert (body["agency"]["name"], body["agency"]["jurisdiction"]) == ("市发展改革委", "天津市")
    assert body["elsewhere"] == ["广西壮族自治区发展改革委", "宁夏回族自治区发展改革委",
                                 "上海市发展改革委"]
    code, out, err = run_cli(capsys, "duties", "广西发改委")
    assert code == 0
    assert out.splitlines()[:2] == ["广西壮族自治区发展改革委",
                                    "共 17 项任务：牵头 8 项，配合 9 项"]


@pytest.mark.parametrize("question,found", [
    pytest.param("发改委负责哪些任务", ("市发展改革委",), id="home"),
    pytest.param("广西的发改委牵头哪些任务", ("广西壮族自治区发展改革委",), id="place-named-apart"),
    pytest.param("宁夏发改委负责什么", ("宁夏回族自治区发展改革委",), id="place-and-key"),
    pytest.param("上海市发展改革委和市商务局", ("上海市发展改革委", "市商务局"), id="two"),
    pytest.param("自治区发展改革委负责哪些任务", (), id="ambiguous"),
])
def test_the_chat_finds_each_jurisdictions_agency(loaded: Corpus, question: str,
                                                  found: tuple[str, ...]) -> None:
    assert AgencyMatcher(loaded).find(question) == found


def test_the_chat_asks_which_one(loaded: Corpus) -> None:
    which = AgencyMatcher(loaded).ambiguous("自治区发展改革委负责哪些任务")
    assert which == ("自治区发展改革委", ("广西壮族自治区发展改革委", "宁夏回族自治区发展改革委"))
    assert AgencyMatcher(loaded).ambiguous("广西发改委负责哪些任务") is None
    answer = which_agency(Kit(loaded, Templates.load(), Routing.load()), *which, "zh", "r")
    gx, nx = (loaded.document(d).meta.title for d in ADDED[:2])
    assert answer.answer == (
        "“自治区发展改革委”是多个地区的单位名称，请说明是哪一个（例如在名称前加上地名）："
        f"广西壮族自治区发展改革委（《{gx}》）、宁夏回族自治区发展改革委（《{nx}》）")
    assert not answer.refused and not answer.citations
