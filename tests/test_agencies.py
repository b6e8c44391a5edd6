"""The agency registry: canonical names, aliases, resolution of what a user types."""

from __future__ import annotations

import pytest

from core.errors import CorpusError, UnknownAgency
from core.model import Agency, AgencyKind
from indexing.agencies import AgencyRegistry
from indexing.corpus import Corpus


@pytest.mark.parametrize("query,canonical", [
    pytest.param("发改委", "市发展改革委", id="drc-short"),
    pytest.param("市发改委", "市发展改革委", id="drc-city-short"),
    pytest.param("天津市发展和改革委员会", "市发展改革委", id="full-name"),
    pytest.param("工信局", "市工业和信息化局", id="miit-short"),
    pytest.param("人行天津分行", "人民银行天津分行", id="pboc-short"),
    pytest.param("市发展改革委", "市发展改革委", id="canonical-itself"),
    pytest.param(" 市 商务局 ", "市商务局", id="spaces-ignored"),
    pytest.param("天津港(集团)有限公司", "天津港集团", id="half-width-brackets-in-alias"),
])
def test_resolve_alias(registry: AgencyRegistry, query: str, canonical: str) -> None:
    assert registry.resolve(query) == canonical


@pytest.mark.parametrize("query,canonical", [
    pytest.param("港集团", "天津港集团", id="port-group"),
    pytest.param("海事", "天津海事局", id="maritime"),
    pytest.param("证监", "天津证监局", id="securities"),
    pytest.param("爱卫", "市爱卫办", id="patriotic-health"),
])
def test_resolve_unique_substring(registry: AgencyRegistry, query: str, canonical: str) -> None:
    assert registry.resolve(query) == canonical


def test_resolve_a_name_only_a_text_uses(registry: AgencyRegistry) -> None:
    assert registry.resolve("宇航", known=["市宇航局"]) == "市宇航局"
    with pytest.raises(UnknownAgency):
        registry.resolve("宇航")


def test_ambiguous_query_raises_with_the_candidates(registry: AgencyRegistry) -> None:
    with pytest.raises(UnknownAgency) as caught:
        registry.resolve("人民政府")
    assert caught.value.message == "unknown agency: 人民政府"
    assert caught.value.suggestions == ("各区人民政府", "有关区人民政府", "有农业的区人民政府")


def test_single_character_is_not_resolved_by_substring(registry: AgencyRegistry) -> None:
    # 爱 occurs in one name only (市爱卫办), but one character is too little to go on
    with pytest.raises(UnknownAgency):
        registry.resolve("爱")


@pytest.mark.parametrize("query,first", [
    pytest.param("市发展委", "市发展改革委", id="misspelt-drc"),
    pytest.param("市交通局", "市交通运输委", id="misspelt-transport"),
    pytest.param("生态局", "市生态环境局", id="short-ecology"),
])
def test_unknown_query_suggests_plausible_names(registry: AgencyRegistry, query: str,
                                                first: str) -> None:
    with pytest.raises(UnknownAgency) as caught:
        registry.resolve(query)
    assert caught.value.message == f"unknown agency: {query}"
    assert caught.value.suggestions[0] == first
    assert len(caught.value.suggestions) <= 3
    assert all(name in registry for name in caught.value.suggestions)
    assert f"did you mean: {first}" in str(caught.value)


def test_close_misspelling_has_one_suggestion(registry: AgencyRegistry) -> None:
    with pytest.raises(UnknownAgency) as caught:
        registry.resolve("生态局")
    assert caught.value.suggestions == ("市生态环境局",)


def test_empty_query(registry: AgencyRegistry) -> None:
    with pytest.raises(UnknownAgency) as caught:
        registry.resolve("  ")
    assert caught.value.message == "agency name is empty"


def test_corpus_agency_lookup(corpus: Corpus) -> None:
    agency = corpus.agency("工信局")
    assert (agency.name, agency.kind) == ("市工业和信息化局", AgencyKind.CITY_DEPARTMENT)
    assert agency.english == "Tianjin Municipal Bureau of Industry and Information Technology"
    with pytest.raises(UnknownAgency):
        corpus.duties("市宇航局")


def test_unregistered_name_gets_a_stand_in(registry: AgencyRegistry) -> None:
    assert registry.agency("市宇航局") == Agency("市宇航局", AgencyKind.UNREGISTERED, "")
    assert registry.canonical("市宇航局") is None
    assert "市宇航局" not in registry
    assert "发改委" not in registry  # an alias is not a registered name
    assert registry.canonical("发改委") == "市发展改革委"


def test_every_agency_has_kind_and_english(registry: AgencyRegistry) -> None:
    agencies = list(registry)
    assert len(agencies) == len(registry) == 44  # [[agency]] entries in agencies.toml
    for agency in agencies:
        assert agency.kind in set(AgencyKind) - {AgencyKind.UNREGISTERED}, agency.name
        assert agency.english.strip(), agency.name
        assert agency.english.isascii(), agency.name


def test_kinds_of_known_agencies(registry: AgencyRegistry) -> None:
    kinds = {name: registry.agency(name).kind for name in
             ("各区人民政府", "市发展改革委", "天津港集团", "天津海关", "市级有关部门")}
    assert kinds == {
        "各区人民政府": AgencyKind.DISTRICT_GOVERNMENT,
        "市发展改革委": AgencyKind.CITY_DEPARTMENT,
        "天津港集团": AgencyKind.ENTERPRISE,
        "天津海关": AgencyKind.CENTRAL_UNIT,
        "市级有关部门": AgencyKind.OTHER,
    }


def test_aliases_are_unique(registry: AgencyRegistry) -> None:
    keys = [key for agency in registry for key in (agency.name, *agency.aliases)]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicates == []
    for agency in registry:
        for alias in agency.aliases:
            assert registry.canonical(alias) == agency.name, alias


def test_registry_rejects_an_alias_naming_two_agencies() -> None:
    with pytest.raises(CorpusError, match="alias 发改委 names both"):
        AgencyRegistry([
            Agency("市发展改革委", AgencyKind.CITY_DEPARTMENT, "DRC", ("发改委",)),
            Agency("国家发展改革委", AgencyKind.OTHER, "NDRC", ("发改委",)),
        ])


def test_registry_rejects_a_name_registered_twice() -> None:
    with pytest.raises(CorpusError, match="registered twice"):
        AgencyRegistry([
            Agency("市商务局", AgencyKind.CITY_DEPARTMENT, "Commerce"),
            Agency("市商务局", AgencyKind.CITY_DEPARTMENT, "Commerce"),
        ])
