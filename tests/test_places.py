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
from core.model import Level
from indexing.corpus import PLACES_FILE, Corpus
from indexing.ingest import add_to_corpus, inspect
from indexing.places import Held, Places

ROOT = Path(__file__).resolve().parents[1]
EXTRA = ROOT.parent / "shared" / "corpus" / "extra"
HOME = "天津市"


@pytest.fixture(scope="module")
def listed(corpus_dir: Path) -> Places:
    return Places.load(corpus_dir / PLACES_FILE)


@pytest.mark.parametrize("jurisdiction,level,words", [
    pytest.param("广西壮族自治区", Level.PROVINCIAL, ("广西壮族自治区", "广西"), id="listed-short"),
    pytest.param("南京市", Level.MUNICIPAL, ("南京市", "南京"), id="no-short-name-by-rule"),
    pytest.param("雄安新区", Level.DISTRICT, ("雄安新区", "雄安"), id="named-by-a-listed-word"),
    pytest.param("某某县", Level.DISTRICT, ("某某县",), id="its-full-name-only"),
    pytest.param(HOME, Level.MUNICIPAL, None, id="home-is-no-other-place"),
    pytest.param("全国", Level.NATIONAL, None, id="the-nation-is-no-place"),
])
def test_a_documents_jurisdiction_becomes_a_place_held(
        listed: Places, meta: MetaFactory, jurisdiction: str, level: Level,
        words: tuple[str, ...] | None) -> None:
    places = listed.holding([replace(meta(level=level), jurisdiction=jurisdiction)], HOME)
    assert places.held == ((Held(jurisdiction, words),) if words else ())
    assert set(words or ()) <= set(places.others)


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


@pytest.mark.parametrize("question,earlier,home", [
    pytest.param("谁负责岸电建设？", (), True, id="names-nothing"),
    pytest.param("发改委负责哪些任务", (), True, id="a-name-home-has"),
    pytest.param("天津方案第九条", (), True, id="home-document"),
    pytest.param("国务院指导意见对绿色金融怎么说", (), True, id="national-document"),
    pytest.param("河北区人民政府负责哪些任务", (), True, id="home-district"),
    pytest.param("广西培育壮大油茶产业由哪个部门牵头？", (), False, id="held-place"),
    pytest.param("南京的方案对绿色金融怎么说", (), False, id="held-place-by-rule"),
    pytest.param("广西发改委负责哪些任务", (), False, id="place-and-agency"),
    pytest.param("工信厅负责哪些任务", (), False, id="a-name-only-another-place-has"),
    pytest.param("南京市关于加快建立健全绿色低碳循环发展经济体系的实施方案有几条", (), False,
                 id="another-places-document-by-title"),
    pytest.param("它牵头几项", ("广西发改委负责哪些任务",), False, id="follow-up-of-another-place"),
    pytest.param("它牵头几项", ("发改委负责哪些任务",), True, id="follow-up-at-home"),
    pytest.param("北京的方案有哪些要求", (), True, id="a-place-not-held-stays-home"),
])
def test_which_part_of_the_corpus_answers(loaded: Corpus, question: str,
                                          earlier: tuple[str, ...], home: bool) -> None:
    scopes = Scopes(loaded, AgencyMatcher(loaded))
    assert scopes.documents(question, earlier) == (loaded.home_side if home else None)


def test_a_corpus_of_home_and_national_documents_is_not_split(corpus: Corpus) -> None:
    scopes = Scopes(corpus, AgencyMatcher(corpus))
    assert scopes.home_side is None and corpus.home_view is corpus
    assert scopes.documents("广西培育壮大油茶产业由哪个部门牵头？") is None
