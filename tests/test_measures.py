"""The measures catalogue: the label vocabulary, the cue-word rules (a table of cases), the
reviewer's overrides, the catalogue over the real index, and the matcher's reading of a
profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.matcher import Profile, profile_rules
from assistant.service import Assistant
from core.errors import BadInput, CorpusError, UnknownDocument, UnknownLabel
from core.model import Provision
from indexing.corpus import Corpus
from indexing.measures.catalogue import Measure, build_measures, load_overrides, measure_ref
from indexing.measures.labels import Group, Side, vocabulary
from indexing.measures.rules import classify
from indexing.measures.table import Catalogue
from indexing.measures.twins import find_twins

# -- the vocabulary -------------------------------------------------------------------------


def test_the_vocabulary_is_the_fixed_one() -> None:
    vocab = vocabulary()
    assert vocab.ids(Group.AUDIENCE) == (
        "energy", "chemicals", "steel_materials", "manufacturing", "construction", "logistics",
        "transport_public", "agriculture", "hospitality", "retail", "finance", "recycling",
        "data_centres", "env_services", "water", "sme", "households", "public_sector")
    assert vocab.kinds_on(Side.SUPPORT) == ("fiscal", "tax", "finance_support", "price",
                                            "procurement", "standards", "technology", "trade")
    assert vocab.kinds_on(Side.REQUIREMENT) == ("obligation", "ban", "audit", "disclosure")
    assert vocab.kinds_on(Side.INTERNAL) == ("internal",)
    assert all(lb.description and lb.name for lb in vocab.labels)


@pytest.mark.parametrize(("value", "expected"), [
    ("logistics", "logistics"), ("物流", "logistics"), ("交通物流", "logistics"),
    (" Finance ", "finance"), ("餐饮", "hospitality"),
    # what an English form's user writes: the trade, not the label's id
    ("Steel", "steel_materials"), ("restaurants", "hospitality"), ("data center", "data_centres"),
    ("real estate", "construction")], ids=lambda v: str(v))
def test_a_sector_is_an_id_a_name_or_an_alias(value: str, expected: str) -> None:
    assert vocabulary().resolve(Group.AUDIENCE, value, "sector") == expected


def test_an_unknown_sector_names_the_valid_ones() -> None:
    with pytest.raises(UnknownLabel, match=r"unknown sector 'mining'; valid: energy, "
                                           r"chemicals, .*public_sector$"):
        vocabulary().resolve(Group.AUDIENCE, "mining", "sector")


# -- the rules: what the cue words say --------------------------------------------------------

RULES = [
    # (text, clause title, audience, kinds)
    ("推动城乡电网一体化发展，提高电网信息化水平。", "", ("energy",), None),
    ("倡导酒店、餐饮等行业不主动提供一次性用品。", "", ("hospitality",), ("obligation", "ban")),
    ("大力发展再制造产业。", "", ("recycling",), ("technology",)),
    ("全面推行清洁生产，依法在双超双有高耗能行业实施强制性清洁生产审核。", "",
     ("chemicals", "steel_materials", "manufacturing"), ("obligation", "audit")),
    ("持续深化工业、建筑等重点领域节能。", "", ("manufacturing", "construction"), None),
    ("加强危险废物集中处置能力建设。", "", ("recycling",), None),
    ("完善资源综合利用企业的所得税、增值税优惠政策。", "", None, ("tax",)),
    # a bonded zone relieves no tax
    ("发挥自由贸易试验区和综合保税区优势，拓展保税维修业务。", "", None, ("trade",)),
    ("引导金融机构加大绿色信贷支持力度。", "", ("finance",), ("finance_support",)),
    ("推行生产者责任延伸制度，探索建立逆向物流回收体系。", "", ("recycling",), None),
    ("加强物流运输组织管理。", "", ("logistics",), None),
    ("整合资源，提高利用效率。", "打造绿色物流体系", ("logistics",), None),
    ("各有关部门要强化统筹协调。", "加强统筹协调", ("public_sector",), ("internal",)),
    ("以习近平新时代中国特色社会主义思想为指导，推动产业结构优化。", "指导思想", (), ("internal",)),
    ("we run a chain of hot-pot restaurants", "", ("hospitality",), None),
    # 能效 and 水效 alone are a level to raise or a claim to check, not a standard
    ("提高燃油车船能效标准，健全交通运输装备能效标识制度。", "", None, ("standards", "obligation")),
    ("依法核查虚标绿色产品线索，严厉打击能效、水效等虚标行为。", "", None,
     ("obligation", "ban", "audit")),
    ("持续推进节能、提高能效。", "", None, ()),
    # a plan the government writes (实施方案) is its own work, not something to carry out
    ("制定能源、钢铁、建筑等行业和领域碳达峰实施方案。", "", None, ("internal",)),
    # writing policy (……等方面政策措施) is the government's own work, whatever it will touch
    ("持续完善清洁生产、促进绿色设计、推动绿色产业发展等方面政策措施。", "", (), ("internal",)),
    # a level of use is not water; household tariffs and the farm water price not water utilities
    ("提高畜禽粪污资源化利用水平。", "", ("agriculture",), None),
    ("落实居民阶梯电价、气价、水价制度，巩固农业水价综合改革成果。", "",
     ("energy", "agriculture", "households"), None),
    ("推进污水处理设施建设，推广再生水利用。", "", ("water",), None),
    # 农业面源污染防治 is farming's work, not an environmental-services market
    ("加强农业面源污染防治。", "", ("agriculture",), None),
]


@pytest.mark.parametrize(("text", "heading", "audience", "kinds"), RULES,
                         ids=[f"{i}-{'+'.join(r[2] or ('any',))}" for i, r in enumerate(RULES)])
def test_cue_words(text: str, heading: str, audience: tuple[str, ...] | None,
                   kinds: tuple[str, ...] | None) -> None:
    found = classify(vocabulary(), text, heading)
    if audience is not None:
        assert found.audience == audience
    if kinds is not None:
        assert found.kind == kinds


# -- twins: the same task in two documents ---------------------------------------------------

def _task(doc_id: str, index: int, text: str) -> Measure:
    p = Provision(doc_id, 1, 1, index, text, 1)
    return Measure(measure_ref(p), p, "", (), ("obligation",), "rules/rules")


TWINS = [
    # (text of a task in one document, text of one in another, twins at the configured Dice)
    ("倡导酒店、餐饮等行业不主动提供一次性用品。", "倡导酒店、餐饮等行业不主动提供一次性用品。",
     True),
    ("完善相关水域禁渔管理制度。", "落实海洋伏季休渔和相关水域禁渔管理制度。", True),
    ("推动储能技术应用，提升电网消纳、调峰能力。",
     "加快大容量储能技术研发推广，提升电网汇集和外送能力。", False),
    ("开展绿色生活创建活动。", "发展绿色农房。", False),
    # the home plan copies a national task and adds a sentence of its own
    ("推动电商平台设立绿色产品销售专区，加强绿色产品集中展示和宣传，挖掘绿色消费需求。",
     "推动电商平台设立绿色产品销售专区。", True),
    ("宣传贯彻餐饮行业制止餐饮浪费行为规范，坚决制止餐饮行业的浪费行为。",
     "厉行节约，坚决制止餐饮浪费行为。", True),
]


@pytest.mark.parametrize(("one", "other", "twins"), TWINS,
                         ids=["same", "reworded", "related", "unrelated", "extended",
                              "shortened"])
def test_twins_are_tasks_of_two_documents_in_nearly_the_same_words(one: str, other: str,
                                                                    twins: bool) -> None:
    a, b, same_doc = _task("a", 1, one), _task("b", 1, other), _task("a", 2, other)
    found = find_twins([a, b, same_doc], float(profile_rules()["ranking"]["twins_min_dice"]))
    assert found.get(a.ref) == ((b.ref,) if twins else None)
    assert same_doc.ref not in found.get(a.ref, ())  # one document never repeats itself


# -- overrides -------------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_win_over_the_computed_labels(tmp_path: Path, corpus: Corpus) -> None:
    doc = corpus.documents[0]
    task = doc.clauses[3].provisions[0]
    ref = measure_ref(task)
    path = _write(tmp_path / "measures.csv", "ref,audience,kind,note\n"
                  f"{ref},none,internal ban,reviewed\n# a comment,,,\n")
    overrides = load_overrides(path)
    measures = {m.ref: m for m in build_measures((doc,), overrides, vocabulary())}
    assert measures[ref].audience == ()
    assert measures[ref].kind == ("ban", "internal")
    assert measures[ref].source == "override/override"
    computed = {m.ref: m for m in build_measures((doc,), {}, vocabulary())}
    assert computed[ref].audience != ()


def test_an_override_keeps_what_it_leaves_empty(tmp_path: Path, corpus: Corpus) -> None:
    doc = corpus.documents[0]
    ref = measure_ref(doc.clauses[3].provisions[0])
    overrides = load_overrides(_write(tmp_path / "m.csv", f"ref,audience,kind\n{ref},water,\n"))
    m = next(m for m in build_measures((doc,), overrides, vocabulary()) if m.ref == ref)
    computed = next(m for m in build_measures((doc,), {}, vocabulary()) if m.ref == ref)
    assert (m.audience, m.kind) == (("water",), computed.kind)


@pytest.mark.parametrize(("text", "message"), [
    ("ref,audience,kind\na/1/1,mining,\n", r"m\.csv:2: unknown audience label 'mining'"),
    ("ref,audience,kind\na/1/1,,subsidy\n", r"m\.csv:2: unknown kind label 'subsidy'"),
    ("ref,audience,kind\na/1/1,water,\na/1/1,energy,\n", r"m\.csv:3: a/1/1 is overridden twice"),
    ("audience,kind\nwater,\n", "the header must name ref"),
], ids=["audience", "kind", "twice", "header"])
def test_a_bad_override_file_is_an_error_naming_the_line(tmp_path: Path, text: str,
                                                         message: str) -> None:
    with pytest.raises(CorpusError, match=message):
        load_overrides(_write(tmp_path / "m.csv", text))


def test_an_override_of_a_task_that_does_not_exist_is_an_error(tmp_path: Path,
                                                               corpus: Corpus) -> None:
    doc = corpus.documents[0]
    overrides = load_overrides(_write(tmp_path / "m.csv",
                                      f"ref,audience,kind\n{doc.doc_id}/99/1,water,\n"
                                      "some-removed-doc/1/1,water,\n"))
    with pytest.raises(CorpusError, match=rf"no task {doc.doc_id}/99/1"):
        build_measures((doc,), overrides, vocabulary())
    del overrides[f"{doc.doc_id}/99/1"]
    assert build_measures((doc,), overrides, vocabulary())  # another document's: ignored


# -- the catalogue over the index ------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue(api_assistant: Assistant) -> Catalogue:
    return api_assistant.matcher.catalogue


def test_every_task_of_every_document_is_catalogued_once(catalogue: Catalogue,
                                                          corpus: Corpus) -> None:
    refs = [m.ref for m in catalogue.measures]
    assert len(refs) == len(set(refs))
    expected = sum(len(p.intro) + sum(len(c.provisions) for c in p.clauses)
                   for d in corpus.documents for p in d.parts)
    assert len(refs) == expected
    assert all(m.kind for m in catalogue.measures)
    assert set(catalogue.vectors) == set(refs)


def test_the_lead_agency_is_the_contact(catalogue: Catalogue) -> None:
    with_agencies = [m for m in catalogue.measures if m.provision.agencies]
    assert with_agencies
    assert all(m.lead_agency == m.provision.lead_agencies[0] for m in with_agencies)


def test_select_by_sector_kind_side_and_document(catalogue: Catalogue, corpus: Corpus) -> None:
    home = corpus.documents[0].doc_id
    found = catalogue.select("物流", "support", [home])
    assert found and all("logistics" in m.audience and m.doc_id == home for m in found)
    assert all(set(m.kind) & set(catalogue.vocab.kinds_on(Side.SUPPORT)) for m in found)
    assert all("tax" in m.kind for m in catalogue.select(kind="tax"))
    with pytest.raises(UnknownLabel, match="unknown kind 'subsidy'; valid: fiscal"):
        catalogue.select(kind="subsidy")
    with pytest.raises(UnknownDocument):
        catalogue.select(doc_ids=["nowhere"])


# -- the matcher ---------------------------------------------------------------------------


def test_a_profile_is_read_from_its_sector_description_and_size(
        api_assistant: Assistant) -> None:
    matcher = api_assistant.matcher
    read = matcher.read(Profile("我们开了一家酒店", sector="物流", size="small"))
    assert read == {"logistics": "sector", "hospitality": "description", "sme": "size"}
    assert matcher.read(Profile("我们开了一家酒店", size="large")) == {"hospitality": "description"}


def test_a_match_lists_support_and_requirements_for_the_profile(
        api_assistant: Assistant) -> None:
    result = api_assistant.matcher.match(Profile("我们是一家冷链物流公司，有几十辆货车"))
    assert result.audience == ("logistics",)
    assert 0 < len(result.support) <= 10 and 0 < len(result.requirements) <= 10
    assert all("logistics" in i.measure.audience for i in result.support[:3])
    scores = [i.score for i in result.support]
    assert scores == sorted(scores, reverse=True)
    assert result.notes and "申请" in result.notes[0]
    national = [i for i in (*result.support, *result.requirements)
                if not i.measure.provision.agencies]
    assert all("未指定负责部门" in " ".join(i.notes) for i in national)


def test_the_same_task_in_two_documents_is_one_item(api_assistant: Assistant) -> None:
    matcher = api_assistant.matcher
    result = matcher.match(Profile("我们是一家酒店，有两个餐厅", sector="hospitality"))
    for items in (result.support, result.requirements):
        shown = [m.ref for i in items for m in (i.measure, *i.also)]
        assert len(shown) == len(set(shown))
        for item in items:
            assert all(t.ref in matcher.twins[item.measure.ref]
                       or any(t.ref in matcher.twins[x.ref] for x in item.also)
                       for t in item.also)
            assert all(t.doc_id != item.measure.doc_id for t in item.also)
    assert any(i.also for i in result.requirements)


def test_a_trade_no_label_names_reaches_the_tasks_written_for_it(
        api_assistant: Assistant) -> None:
    result = api_assistant.matcher.match(Profile("我们在北辰开了家汽车修理厂，做钣金喷漆和保养"))
    shown = [m for i in (*result.support, *result.requirements) for m in (i.measure, *i.also)]
    assert any("汽修" in m.provision.text for m in shown)  # 低挥发性有机物含量原辅材料


def test_a_suppliers_own_line_is_an_opportunity_and_a_bare_phase_out_no_offer(
        api_assistant: Assistant) -> None:
    matcher = api_assistant.matcher
    result = matcher.match(Profile("我们是一家物流公司，有两百多辆柴油货车，想改走铁路",
                                   sector="logistics"))
    offers = set(matcher.catalogue.vocab.kinds_on(Side.SUPPORT))
    money = {"fiscal", "tax", "finance_support"}
    # a task the kinds call a duty (推进多式联运) is on the support list by the side rules
    assert any(not set(i.measure.kind) & offers for i in result.support)
    # a phase-out is no offer, unless it also promotes the new (示范, 推广) or gives money
    assert not any("ban" in i.measure.kind and "淘汰" in i.measure.provision.text
                   and not set(i.measure.kind) & money
                   and not any(w in i.measure.provision.text for w in ("示范", "推广"))
                   for i in result.support)


@pytest.mark.parametrize(("profile", "error"), [
    (Profile("  "), BadInput), (Profile("x" * 2001), BadInput),
    (Profile("酒店", sector="mining"), UnknownLabel), (Profile("酒店", size="huge"), UnknownLabel),
    (Profile("酒店", district="区" * 51), BadInput)], ids=["empty", "long", "sector", "size",
                                                          "district"])
def test_a_bad_profile_is_refused(api_assistant: Assistant, profile: Profile,
                                  error: type[Exception]) -> None:
    with pytest.raises(error):
        api_assistant.matcher.match(profile)
