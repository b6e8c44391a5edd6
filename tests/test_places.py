"""Places as corpus data: the other places whose plans the corpus holds come from the documents'
jurisdictions (documents.toml), named by their full name, their short names (jurisdictions.toml,
or by rule: 南京市 → 南京) and the places.toml words that name them; a held place is not
declined. Which part of the corpus answers a question (assistant/scopes.py): the home side
unless the question or its conversation names another place. Tables, no index."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import MetaFactory

from assistant.guard import Guard
from assistant.names import AgencyMatcher
from assistant.scopes import Scopes
from core.errors import UnknownPlace
from core.model import Level
from indexing.corpus import PLACES_FILE, Corpus
from indexing.ingest import add_to_corpus, inspect
from indexing.places import Held, Places
from indexing.sides import Side, side_corpus, side_for, side_of

ROOT = Path(__file__).resolve().parents[1]
EXTRA = ROOT.parent / "shared" / "corpus" / "extra"
HOME = "天津市"


@pytest.fixture(scope="module")
def listed(corpus_dir: Path) -> Places:
    return Places.load(corpus_dir / PLACES_FILE)


@pytest.mark.parametrize("jurisdiction,level,words,district", [
    pytest.param("广西壮族自治区", Level.PROVINCIAL, ("广西壮族自治区", "广西"), False,
                 id="listed-short"),
    pytest.param("南京市", Level.MUNICIPAL, ("南京市", "南京"), False, id="no-short-name-by-rule"),
    pytest.param("雄安新区", Level.DISTRICT, ("雄安新区", "雄安"), False,
                 id="named-by-a-listed-word"),
    pytest.param("某某县", Level.DISTRICT, ("某某县",), False, id="its-full-name-only"),
    pytest.param(HOME, Level.MUNICIPAL, None, False, id="home-is-no-other-place"),
    pytest.param("全国", Level.NATIONAL, None, False, id="the-nation-is-no-place"),
    # a district of home: its name without the city, never without its level ending too
    pytest.param("天津市滨海新区", Level.DISTRICT, ("天津市滨海新区", "滨海新区"), True,
                 id="home-district-after-the-city"),
    pytest.param("天津和平区", Level.DISTRICT, ("天津和平区", "和平区"), True,
                 id="home-district-after-the-short-name"),
    pytest.param("天津市河北区", Level.DISTRICT, ("天津市河北区", "河北区"), True,
                 id="home-district-never-its-bare-name"),
    pytest.param("和平区", Level.DISTRICT, ("和平区",), True, id="home-district-a-home-word"),
    pytest.param("天津市某某区", Level.DISTRICT, ("天津市某某区", "某某区"), True,
                 id="home-district-not-in-places-toml"),
    pytest.param("天津市某某区", Level.MUNICIPAL, ("天津市某某区",), False,
                 id="not-a-district-level"),
])
def test_a_documents_jurisdiction_becomes_a_place_held(
        listed: Places, meta: MetaFactory, jurisdiction: str, level: Level,
        words: tuple[str, ...] | None, district: bool) -> None:
    places = listed.holding([replace(meta(level=level), jurisdiction=jurisdiction)], HOME)
    assert places.held == ((Held(jurisdiction, words, district),) if words else ())
    assert set(words or ()) <= set(places.others)


@pytest.mark.parametrize("jurisdiction,district,keys", [
    pytest.param("广西壮族自治区", False,
                 {"广西", "广西方案", "广西的方案", "广西壮族自治区的实施意见"},
                 id="another-place-alone-or-with-a-plan-word"),
    pytest.param("天津市滨海新区", True, {"滨海新区方案", "滨海新区的方案", "天津市滨海新区的文件"},
                 id="a-home-district-only-with-a-plan-word"),
])
def test_what_names_a_held_places_plans(listed: Places, meta: MetaFactory, jurisdiction: str,
                                        district: bool, keys: set[str]) -> None:
    level = Level.DISTRICT if district else Level.PROVINCIAL
    places = listed.holding([replace(meta(level=level), jurisdiction=jurisdiction)], HOME)
    found = places.plan_keys()
    assert keys <= set(found) and set(found.values()) == {jurisdiction}
    bare = {w for h in places.held for w in h.words}
    assert bare <= set(found) if not district else not bare & set(found)


@pytest.mark.parametrize("held,question,named", [
    pytest.param("广西壮族自治区", "广西培育壮大油茶产业由哪个部门牵头？", ("广西壮族自治区",),
                 id="short"),
    pytest.param("南京市", "南京的方案对绿色金融怎么说", ("南京市",), id="rule-short"),
    pytest.param("南京市", "南京市有哪些要求", ("南京市",), id="full-name"),
    pytest.param("南京市", "谁负责岸电建设？", (), id="none"),
    pytest.param("河北省", "河北区人民政府负责哪些任务", (), id="home-district-is-not-hebei"),
    pytest.param("河北省", "河北省的方案怎么说", ("河北省",), id="hebei"),
    pytest.param("广西壮族自治区", "GUANGXI 和 广西", ("广西壮族自治区",), id="any-case"),
])
def test_a_question_names_a_held_place(listed: Places, meta: MetaFactory, held: str,
                                       question: str, named: tuple[str, ...]) -> None:
    places = listed.holding([replace(meta(), jurisdiction=held)], HOME)
    assert places.held_named(question) == named


def test_a_held_place_is_not_declined_and_the_others_still_are(
        listed: Places, corpus: Corpus) -> None:
    first = corpus.documents[0]  # a plan of 南京市 (its metadata is all that matters here)
    added = replace(first, meta=replace(first.meta, doc_id="added", jurisdiction="南京市",
                                        home=False))
    nanjing = replace(corpus, documents=(*corpus.documents, added))
    assert [h.jurisdiction for h in nanjing.places.held] == ["南京市"]
    assert "南京" in listed.listed and "南京" not in nanjing.places.not_held
    assert "北京" in nanjing.places.not_held
    question = "南京的绿色低碳方案有哪些要求？"
    assert Guard.load(corpus).check(question) == "other_places"
    assert Guard.load(nanjing).check(question) is None
    assert Guard.load(nanjing).check("北京的方案有哪些要求？") == "other_places"


# -- which part of the corpus answers ------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Corpus:
    """The corpus with the Guangxi plan and a plan of 南京市 (a city jurisdictions.toml does
    not list: Shanghai's plan with its place renamed) added."""
    tmp = tmp_path_factory.mktemp("places")
    folder = tmp / "corpus"
    shutil.copytree(corpus_dir, folder, ignore=shutil.ignore_patterns("__pycache__"))
    nanjing = tmp / "nanjing-2021-green.txt"
    nanjing.write_text((EXTRA / "shanghai-2021-green.txt").read_text(encoding="utf-8")
                       .replace("上海", "南京"), encoding="utf-8")
    for path in (EXTRA / "guangxi-2021-green.txt", nanjing):
        corpus = Corpus.load(folder)
        add_to_corpus(inspect(path, corpus.registry, None,
                              tuple(d.meta for d in corpus.documents)), folder)
    return Corpus.load(folder)


def test_the_corpus_holds_the_added_places(loaded: Corpus, corpus: Corpus) -> None:
    assert [(h.jurisdiction, h.words) for h in loaded.places.held] == [
        ("广西壮族自治区", ("广西壮族自治区", "广西")), ("南京市", ("南京市", "南京"))]
    assert loaded.home_side == tuple(d.doc_id for d in corpus.documents)
    assert loaded.home_view.places.held == () == corpus.places.held
    assert [d.doc_id for d in loaded.home_view.documents] == list(loaded.home_side)


TIANJIN, GX, NJ = "tianjin-2022", "guangxi-2021-green", "nanjing-2021-green"
NATIONAL = ("guofa-2021-4", "zhongfa-2021-36")
HOME_SIDE = (TIANJIN, *NATIONAL)


@pytest.mark.parametrize("question,earlier,docs,lead", [
    pytest.param("谁负责岸电建设？", (), HOME_SIDE, TIANJIN, id="names-nothing"),
    pytest.param("发改委负责哪些任务", (), HOME_SIDE, TIANJIN, id="a-name-home-has"),
    pytest.param("天津方案第九条", (), HOME_SIDE, TIANJIN, id="home-document"),
    pytest.param("国务院指导意见对绿色金融怎么说", (), HOME_SIDE, TIANJIN, id="national-document"),
    pytest.param("河北区人民政府负责哪些任务", (), HOME_SIDE, TIANJIN, id="home-district"),
    pytest.param("广西培育壮大油茶产业由哪个部门牵头？", (), (*NATIONAL, GX), GX, id="held-place"),
    pytest.param("南京的方案对绿色金融怎么说", (), (*NATIONAL, NJ), NJ, id="held-place-by-rule"),
    pytest.param("广西发改委负责哪些任务", (), (*NATIONAL, GX), GX, id="place-and-agency"),
    pytest.param("工信厅负责哪些任务", (), (*NATIONAL, GX), GX,
                 id="a-name-only-another-place-has"),
    pytest.param("南京市关于加快建立健全绿色低碳循环发展经济体系的实施方案有几条", (),
                 (*NATIONAL, NJ), NJ, id="another-places-document-by-title"),
    pytest.param("它牵头几项", ("广西发改委负责哪些任务",), (*NATIONAL, GX), GX,
                 id="follow-up-of-another-place"),
    pytest.param("它牵头几项", ("发改委负责哪些任务",), HOME_SIDE, TIANJIN, id="follow-up-at-home"),
    pytest.param("北京的方案有哪些要求", (), HOME_SIDE, TIANJIN, id="a-place-not-held-stays-home"),
    pytest.param("广西和南京的方案在绿色金融上有什么不同", (), (*NATIONAL, GX, NJ), GX,
                 id="two-places-their-union"),
    pytest.param("南京呢？", ("广西对绿色金融有什么要求",), (*NATIONAL, GX, NJ), NJ,
                 id="a-place-after-another-the-union-led-by-the-question"),
    pytest.param("天津和广西在绿色金融上有什么不同", (), (*HOME_SIDE, GX), TIANJIN,
                 id="home-named-too-joins-the-home-side"),
    pytest.param("天津方案呢？", ("南京的方案对绿色金融怎么说",), (*HOME_SIDE, NJ), TIANJIN,
                 id="home-named-after-another-place"),
])
def test_which_side_of_the_corpus_answers(loaded: Corpus, question: str,
                                          earlier: tuple[str, ...], docs: tuple[str, ...],
                                          lead: str) -> None:
    scopes = Scopes(loaded, AgencyMatcher(loaded))
    assert scopes.side(question, earlier) == Side(docs, lead)


def test_a_side_is_its_documents_led_by_its_place(loaded: Corpus) -> None:
    side = side_corpus(loaded, side_of(loaded, ["广西壮族自治区"]))
    assert [d.doc_id for d in side.documents] == [*NATIONAL, GX]
    assert side.home is not None and side.home.doc_id == GX
    assert (side.places.name, [h.jurisdiction for h in side.places.held]) == \
        ("广西壮族自治区", ["广西壮族自治区"])
    assert side_corpus(loaded, side_of(loaded)).home == loaded.home  # home's leads at home


def test_a_side_brings_what_its_plans_implement(loaded: Corpus) -> None:
    """A city's plan that implements its province's brings that plan into its side."""
    nanjing = loaded.document(NJ)
    city = replace(loaded, documents=tuple(
        replace(d, meta=replace(d.meta, implements=(*d.meta.implements, GX)))
        if d is nanjing else d for d in loaded.documents))
    assert side_of(city, ["南京市"]) == Side((*NATIONAL, GX, NJ), NJ)
    assert side_of(loaded, ["南京市"]) == Side((*NATIONAL, NJ), NJ)


@pytest.mark.parametrize("places,docs,side", [
    pytest.param((), (), Side(HOME_SIDE, TIANJIN), id="neither-home"),
    pytest.param(("广西",), (), Side((*NATIONAL, GX), GX), id="a-place-by-its-short-name"),
    pytest.param(("广西壮族自治区", "南京市"), (), Side((*NATIONAL, GX, NJ), GX), id="two-places"),
    pytest.param(("天津市",), (), Side(HOME_SIDE, TIANJIN), id="home-by-name"),
    pytest.param(("天津", "南京"), (), Side((*HOME_SIDE, NJ), TIANJIN), id="home-and-a-place"),
    pytest.param((), (NJ,), Side((*NATIONAL, NJ), NJ), id="a-places-document"),
    pytest.param((), ("guofa-2021-4",), Side(HOME_SIDE, TIANJIN), id="a-national-document"),
    pytest.param(("广西",), (TIANJIN,), Side((*HOME_SIDE, GX), TIANJIN),
                 id="a-place-and-a-home-document"),
])
def test_the_side_a_caller_names(loaded: Corpus, places: tuple[str, ...],
                                 docs: tuple[str, ...], side: Side) -> None:
    assert side_for(loaded, places, docs) == side


def test_an_unknown_place_lists_the_valid_ones(loaded: Corpus) -> None:
    with pytest.raises(UnknownPlace) as caught:
        side_for(loaded, ["北京"])
    assert caught.value.valid == ("天津市", "广西壮族自治区", "南京市")
    assert str(caught.value) == "unknown place: 北京; valid: 天津市, 广西壮族自治区, 南京市"


def test_a_corpus_of_home_and_national_documents_is_not_split(corpus: Corpus) -> None:
    scopes = Scopes(corpus, AgencyMatcher(corpus))
    assert scopes.home_side is None and corpus.home_view is corpus
    assert scopes.side("广西培育壮大油茶产业由哪个部门牵头？") is None
