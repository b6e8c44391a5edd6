"""The real parser on the three real texts.

Every expected value below was read off the raw files in corpus/ by hand, not produced by
running the parser: clause titles, part headings, provision texts, agency lists, targets.
"""

from __future__ import annotations

import pytest

from core.errors import UnknownClause
from core.model import Document, Provision, Role
from indexing.corpus import Corpus

TIANJIN = "tianjin-2022"
GUOFA = "guofa-2021-4"
ZHONGFA = "zhongfa-2021-36"

# -- headings, read from the raw texts ------------------------------------------------------

TIANJIN_PARTS = [
    "一、总体要求",
    "二、构建绿色低碳循环发展的生产体系",
    "三、构建绿色低碳循环发展的流通体系",
    "四、构建绿色低碳循环发展的消费体系",
    "五、加快基础设施绿色升级",
    "六、构建市场导向的绿色技术创新体系",
    "七、完善政策制度体系",
    "八、认真抓好组织实施",
]

TIANJIN_CLAUSE_TITLES = [
    "指导思想",
    "主要目标",
    "加快工业绿色转型升级",
    "加快农业绿色低碳循环发展",
    "加快服务业绿色低碳循环发展",
    "培育壮大绿色环保产业",
    "提升产业园区（集群）循环化水平",
    "构建绿色供应链",
    "打造绿色物流体系",
    "加强再生资源回收利用",
    "建立绿色贸易体系",
    "促进绿色产品消费",
    "倡导绿色低碳生活方式",
    "推动能源体系绿色低碳转型",
    "推进城镇环境基础设施建设升级",
    "提升交通基础设施绿色发展水平",
    "改善城乡人居环境",
    "鼓励绿色低碳技术研发",
    "加速科技成果转化",
    "强化政策制度支撑",
    "健全绿色收费价格机制",
    "加大财税扶持力度",
    "大力发展绿色金融",
    "完善绿色标准和统计监测制度",
    "培育绿色交易市场机制",
    "抓好贯彻落实",
    "加强统筹协调",
    "营造良好氛围",
]

# clause number -> part number, from where each （…） sits under the 一、…八、 headings
TIANJIN_CLAUSE_PARTS = {
    1: 1, 2: 1,
    3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2,
    9: 3, 10: 3, 11: 3,
    12: 4, 13: 4,
    14: 5, 15: 5, 16: 5, 17: 5,
    18: 6, 19: 6,
    20: 7, 21: 7, 22: 7, 23: 7, 24: 7, 25: 7,
    26: 8, 27: 8, 28: 8,
}

# tasks per clause: one per responsibility bracket (clauses 3-28); clause 1 is one sentence,
# clause 2 two sentences (到2025年…。到2035年…。)
TIANJIN_PROVISIONS_PER_CLAUSE = {
    1: 1, 2: 2, 3: 5, 4: 6, 5: 6, 6: 4, 7: 5, 8: 2, 9: 5, 10: 5, 11: 2, 12: 6, 13: 7, 14: 7,
    15: 5, 16: 4, 17: 4, 18: 3, 19: 3, 20: 2, 21: 3, 22: 2, 23: 4, 24: 2, 25: 2, 26: 1,
    27: 1, 28: 1,
}

GUOFA_PARTS = [
    "一、总体要求",
    "二、健全绿色低碳循环发展的生产体系",
    "三、健全绿色低碳循环发展的流通体系",
    "四、健全绿色低碳循环发展的消费体系",
    "五、加快基础设施绿色升级",
    "六、构建市场导向的绿色技术创新体系",
    "七、完善法律法规政策体系",
    "八、认真抓好组织实施",
]

GUOFA_CLAUSE_TITLES = [
    "指导思想",
    "工作原则",
    "主要目标",
    "推进工业绿色升级",
    "加快农业绿色发展",
    "提高服务业绿色发展水平",
    "壮大绿色环保产业",
    "提升产业园区和产业集群循环化水平",
    "构建绿色供应链",
    "打造绿色物流",
    "加强再生资源回收利用",
    "建立绿色贸易体系",
    "促进绿色产品消费",
    "倡导绿色低碳生活方式",
    "推动能源体系绿色低碳转型",
    "推进城镇环境基础设施建设升级",
    "提升交通基础设施绿色发展水平",
    "改善城乡人居环境",
    "鼓励绿色低碳技术研发",
    "加速科技成果转化",
    "强化法律法规支撑",
    "健全绿色收费价格机制",
    "加大财税扶持力度",
    "大力发展绿色金融",
    "完善绿色标准、绿色认证体系和统计监测制度",
    "培育绿色交易市场机制",
    "抓好贯彻落实",
    "加强统筹协调",
    "深化国际合作",
    "营造良好氛围",
]

ZHONGFA_PARTS = [
    "一、总体要求",
    "二、主要目标",
    "三、推进经济社会发展全面绿色转型",
    "四、深度调整产业结构",
    "五、加快构建清洁低碳安全高效能源体系",
    "六、加快推进低碳交通运输体系建设",
    "七、提升城乡建设绿色低碳发展质量",
    "八、加强绿色低碳重大科技攻关和推广应用",
    "九、持续巩固提升碳汇能力",
    "十、提高对外开放绿色低碳发展水平",
    "十一、健全法律法规标准和统计监测体系",
    "十二、完善政策机制",
    "十三、切实加强组织实施",
]

ZHONGFA_CLAUSE_TITLES = [
    "指导思想",
    "工作原则",
    "强化绿色低碳发展规划引领",
    "优化绿色低碳发展区域布局",
    "加快形成绿色生产生活方式",
    "推动产业结构优化升级",
    "坚决遏制高耗能高排放项目盲目发展",
    "大力发展绿色低碳产业",
    "强化能源消费强度和总量双控",
    "大幅提升能源利用效率",
    "严格控制化石能源消费",
    "积极发展非化石能源",
    "深化能源体制机制改革",
    "优化交通运输结构",
    "推广节能低碳型交通工具",
    "积极引导低碳出行",
    "推进城乡建设和管理模式低碳转型",
    "大力发展节能低碳建筑",
    "加快优化建筑用能结构",
    "强化基础研究和前沿技术布局",
    "加快先进适用技术研发和推广",
    "巩固生态系统碳汇能力",
    "提升生态系统碳汇增量",
    "加快建立绿色贸易体系",
    "推进绿色“一带一路”建设",
    "加强国际交流与合作",
    "健全法律法规",
    "完善标准计量体系",
    "提升统计监测能力",
    "完善投资政策",
    "积极发展绿色金融",
    "完善财税价格政策",
    "推进市场化机制建设",
    "加强组织领导",
    "强化统筹协调",
    "压实地方责任",
    "严格监督考核",
]


def _provision(doc: Document, clause_no: int, index: int) -> Provision:
    clause = doc.clause(clause_no)
    assert clause is not None
    return clause.provisions[index - 1]


# -- Tianjin --------------------------------------------------------------------------------


def test_tianjin_parts(corpus: Corpus) -> None:
    doc = corpus.document(TIANJIN)
    assert [p.heading for p in doc.parts] == TIANJIN_PARTS
    assert [p.no for p in doc.parts] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [p.line for p in doc.parts] == [17, 25, 43, 55, 65, 85, 95, 115]


def test_tianjin_clause_titles(corpus: Corpus) -> None:
    doc = corpus.document(TIANJIN)
    assert len(doc.clauses) == 28
    assert [c.title for c in doc.clauses] == TIANJIN_CLAUSE_TITLES


def test_tianjin_clauses_sit_in_their_parts(corpus: Corpus) -> None:
    doc = corpus.document(TIANJIN)
    assert {c.no: c.part_no for c in doc.clauses} == TIANJIN_CLAUSE_PARTS
    assert [len(p.clauses) for p in doc.parts] == [2, 6, 3, 2, 4, 2, 6, 3]


def test_tianjin_has_97_responsibility_brackets(corpus: Corpus) -> None:
    doc = corpus.document(TIANJIN)
    bracketed = [p for p in doc.provisions if p.responsibility is not None]
    assert len(bracketed) == 97
    assert all(p.agencies for p in bracketed)


def test_tianjin_tasks_per_clause(corpus: Corpus) -> None:
    doc = corpus.document(TIANJIN)
    assert {c.no: len(c.provisions) for c in doc.clauses} == TIANJIN_PROVISIONS_PER_CLAUSE
    # every task of clauses 3-28 closes with its bracket: no bracketless tail anywhere
    for clause in doc.clauses[2:]:
        assert all(p.responsibility is not None for p in clause.provisions), clause.label


def test_tianjin_preamble(corpus: Corpus) -> None:
    preamble = corpus.clause(TIANJIN, 0)
    assert (preamble.no, preamble.label, preamble.part_no, preamble.line) == (0, "", 0, 3)
    assert preamble.provisions[0].text == (
        "天津市人民政府关于印发天津市加快建立健全绿色低碳循环发展经济体系实施方案的通知")
    assert preamble.provisions[-1].text.startswith("为加快建立健全绿色低碳循环发展经济体系，")
    assert preamble.provisions[-1].line == 15


def test_tianjin_main_goals_are_two_sentences_across_page_break(corpus: Corpus) -> None:
    clause = corpus.clause(TIANJIN, 2)
    assert clause.provisions[0].text.startswith("到2025年，产业结构、能源结构、运输结构明显优化，")
    assert clause.provisions[0].text.endswith("空气优良天数比例达到68%。")
    # line 21 ends mid-sentence (碳排放达峰后) and line 23 continues it
    assert clause.provisions[1].text == (
        "到2035年，绿色发展内生动力显著增强，绿色产业规模迈上新台阶，重点行业、重点产品能源资源"
        "利用效率达到国际先进水平，绿色生产生活方式广泛形成，碳排放达峰后稳中有降，生态环境根本"
        "好转，基本建成生态宜居的社会主义现代化大都市。")
    assert [p.line for p in clause.provisions] == [21, 21]


# -- guofa ----------------------------------------------------------------------------------


def test_guofa_parts_and_clause_titles(corpus: Corpus) -> None:
    doc = corpus.document(GUOFA)
    assert [p.heading for p in doc.parts] == GUOFA_PARTS
    assert len(doc.clauses) == 30
    assert [c.title for c in doc.clauses] == GUOFA_CLAUSE_TITLES


def test_guofa_has_no_agencies(corpus: Corpus) -> None:
    doc = corpus.document(GUOFA)
    assert doc.provisions  # not vacuous
    assert [p for p in doc.provisions if p.agencies] == []
    assert [p for p in doc.provisions if p.responsibility is not None] == []


def test_guofa_principles_group_with_their_explanations(corpus: Corpus) -> None:
    clause = corpus.clause(GUOFA, 2)
    assert [p.text for p in clause.provisions] == [
        "坚持重点突破。以节能环保、清洁生产、清洁能源等为重点率先突破，做好与农业、制造业、服务业"
        "和信息技术的融合发展，全面带动一二三产业和基础设施绿色升级。",
        "坚持创新引领。深入推动技术创新、模式创新、管理创新，加快构建市场导向的绿色技术创新体系，"
        "推行新型商业模式，构筑有力有效的政策支持体系。",
        "坚持稳中求进。做好绿色转型与经济发展、技术进步、产业接续、稳岗就业、民生改善的有机结合，"
        "积极稳妥、韧性持久地加以推进。",
        "坚持市场导向。在绿色转型中充分发挥市场的导向性作用、企业的主体作用、各类市场交易机制的"
        "作用，为绿色发展注入强大动力。",
    ]
    assert [p.index for p in clause.provisions] == [1, 2, 3, 4]


# -- zhongfa --------------------------------------------------------------------------------


def test_zhongfa_parts_and_clause_titles(corpus: Corpus) -> None:
    doc = corpus.document(ZHONGFA)
    assert [p.heading for p in doc.parts] == ZHONGFA_PARTS
    assert len(doc.clauses) == 37
    assert [c.title for c in doc.clauses] == ZHONGFA_CLAUSE_TITLES


def test_zhongfa_titles_on_their_own_line(corpus: Corpus) -> None:
    first = corpus.clause(ZHONGFA, 1)
    assert (first.heading, first.line) == ("（一）指导思想", 5)
    assert first.text.startswith("以习近平新时代中国特色社会主义思想为指导，")
    assert first.provisions[0].line == 6
    second = corpus.clause(ZHONGFA, 2)
    assert (second.heading, second.line) == ("（二）工作原则", 7)
    assert not second.text.startswith("工作原则")


def test_zhongfa_part_two_has_no_clauses_and_its_text_is_the_intro(corpus: Corpus) -> None:
    part = corpus.document(ZHONGFA).part(2)
    assert part is not None
    assert (part.heading, part.clauses, part.line) == ("二、主要目标", (), 15)
    assert [(p.part_no, p.clause_no) for p in part.intro] == [(2, None)] * 5
    assert [p.text for p in part.intro] == [
        "到2025年，绿色低碳循环发展的经济体系初步形成，重点行业能源利用效率大幅提升。",
        "单位国内生产总值能耗比2020年下降13.5%；单位国内生产总值二氧化碳排放比2020年下降18%；"
        "非化石能源消费比重达到20%左右；森林覆盖率达到24.1%，森林蓄积量达到180亿立方米，"
        "为实现碳达峰、碳中和奠定坚实基础。",
        "到2030年，经济社会发展全面绿色转型取得显著成效，重点耗能行业能源利用效率达到国际先进"
        "水平。",
        "单位国内生产总值能耗大幅下降；单位国内生产总值二氧化碳排放比2005年下降65%以上；非化石"
        "能源消费比重达到25%左右，风电、太阳能发电总装机容量达到12亿千瓦以上；森林覆盖率达到"
        "25%左右，森林蓄积量达到190亿立方米，二氧化碳排放量达到峰值并实现稳中有降。",
        "到2060年，绿色低碳循环发展的经济体系和清洁低碳安全高效的能源体系全面建立，能源利用效率"
        "达到国际先进水平，非化石能源消费比重达到80%以上，碳中和目标顺利实现，生态文明建设取得"
        "丰硕成果，开创人与自然和谐共生新境界。",
    ]
    assert [p.line for p in part.intro] == [16, 16, 17, 17, 18]


def test_zhongfa_principles_are_separate_provisions(corpus: Corpus) -> None:
    clause = corpus.clause(ZHONGFA, 2)
    assert [p.text for p in clause.provisions] == [
        "实现碳达峰、碳中和目标，要坚持“全国统筹、节约优先、双轮驱动、内外畅通、防范风险”原则。",
        "——全国统筹。全国一盘棋，强化顶层设计，发挥制度优势，实行党政同责，压实各方责任。根据各地"
        "实际分类施策，鼓励主动作为、率先达峰。",
        "——节约优先。把节约能源资源放在首位，实行全面节约战略，持续降低单位产出能源资源消耗和碳"
        "排放，提高投入产出效率，倡导简约适度、绿色低碳生活方式，从源头和入口形成有效的碳排放控制"
        "阀门。",
        "——双轮驱动。政府和市场两手发力，构建新型举国体制，强化科技和制度创新，加快绿色低碳科技"
        "革命。深化能源和相关领域改革，发挥市场机制作用，形成有效激励约束机制。",
        "——内外畅通。立足国情实际，统筹国内国际能源资源，推广先进绿色低碳技术和经验。统筹做好"
        "应对气候变化对外斗争与合作，不断增强国际影响力和话语权，坚决维护我国发展权益。",
        "——防范风险。处理好减污降碳和能源安全、产业链供应链安全、粮食安全、群众正常生活的关系，"
        "有效应对绿色低碳转型可能伴随的经济、金融、社会风险，防止过度反应，确保安全降碳。",
    ]
    assert [p.line for p in clause.provisions] == [8, 9, 10, 11, 12, 13]


def test_zhongfa_has_no_agencies(corpus: Corpus) -> None:
    doc = corpus.document(ZHONGFA)
    assert [p for p in doc.provisions if p.agencies or p.responsibility is not None] == []


# -- numbering, all documents ----------------------------------------------------------------


@pytest.mark.parametrize("doc_id,clauses,parts", [
    pytest.param(TIANJIN, 28, 8, id="tianjin"),
    pytest.param(GUOFA, 30, 8, id="guofa"),
    pytest.param(ZHONGFA, 37, 13, id="zhongfa"),
])
def test_numbers_are_consecutive(corpus: Corpus, doc_id: str, clauses: int, parts: int) -> None:
    doc = corpus.document(doc_id)
    assert [c.no for c in doc.clauses] == list(range(1, clauses + 1))
    assert [p.no for p in doc.parts] == list(range(1, parts + 1))
    for clause in doc.clauses:
        assert [p.index for p in clause.provisions] == list(range(1, len(clause.provisions) + 1))
        assert {(p.doc_id, p.clause_no, p.part_no) for p in clause.provisions} == {
            (doc_id, clause.no, clause.part_no)}


LABELS = {
    1: "（一）", 9: "（九）", 10: "（十）", 11: "（十一）", 19: "（十九）", 20: "（二十）",
    22: "（二十二）", 28: "（二十八）", 30: "（三十）", 37: "（三十七）",
}


@pytest.mark.parametrize("doc_id", [TIANJIN, GUOFA, ZHONGFA])
def test_labels_match_numbers(corpus: Corpus, doc_id: str) -> None:
    doc = corpus.document(doc_id)
    found = {c.no: c.label for c in doc.clauses if c.no in LABELS}
    assert found == {no: label for no, label in LABELS.items() if no <= len(doc.clauses)}


def test_part_labels_of_zhongfa(corpus: Corpus) -> None:
    labels = [p.label for p in corpus.document(ZHONGFA).parts]
    assert labels == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、",
                      "十、", "十一、", "十二、", "十三、"]


def test_clause_lookup_by_number(corpus: Corpus) -> None:
    clause = corpus.clause(TIANJIN, 22)
    assert (clause.label, clause.title, clause.part_no, clause.line) == (
        "（二十二）", "加大财税扶持力度", 7, 103)
    assert corpus.clause("天津方案", 22) is clause
    with pytest.raises(UnknownClause):
        corpus.clause(TIANJIN, 29)


# -- agencies: no fragments -----------------------------------------------------------------


def test_no_agency_fragment_anywhere(corpus: Corpus) -> None:
    names = {name for doc in corpus.documents for p in doc.provisions for name in p.agencies}
    assert names  # not vacuous
    fragments = ("市工", "市科", "市交通", "市教", "市", "按", "负责")
    for name in names:
        assert name not in fragments, name
        assert not name.startswith(("业和", "技局", "运输委", "职责")), name
        assert "负责" not in name and "按职责" not in name, name
        assert "等" not in name, name


def test_every_tianjin_bracket_name_is_registered(corpus: Corpus) -> None:
    names = {n for p in corpus.document(TIANJIN).provisions for n in p.agencies}
    assert sorted(n for n in names if n not in corpus.registry) == []
    assert len(names) == 44
    assert all(name in corpus.registry for name in corpus.agencies_in_use)
    assert corpus.agencies_in_use[0] == "各区人民政府"


def test_no_bracket_leftover_in_task_text(corpus: Corpus) -> None:
    for doc in corpus.documents:
        for provision in doc.provisions:
            assert "按职责分工负责" not in provision.text, provision
            assert "负责）" not in provision.text, provision
            assert not provision.text.startswith("（"), provision


# -- agencies: exact lists, every awkward form of the Tianjin text ---------------------------

AGENCY_CASES = [
    pytest.param(
        3, 2,
        "以天津经济技术开发区、天津子牙经济技术开发区等为依托，开展汽车零部件、工程机械、医疗器械等"
        "机电产品的再制造业务和市场培育。发挥中国（天津）自由贸易试验区（以下简称天津自贸试验区）和"
        "综合保税区优势，拓展航空、船舶、数控机床、工程机械、通信设备等保税维修业务，探索开展进口旧"
        "机电产品的再制造业务。",
        ("市商务局", "市发展改革委", "市工业和信息化局", "市市场监管委", "市生态环境局", "天津海关",
         "天津自贸试验区管委会", "有关区人民政府"),
        "市商务局、市发展改革委、市工业和信息化局、市市场监管委、市生态环境局、天津海关、天津自贸试验区"
        "管委会、有关区人民政府按职责分工负责",
        False,
        id="c3-p2-abbreviation-parentheses-stay-in-text",
    ),
    pytest.param(
        4, 3,
        "发展林业循环经济，开展生态标志产品、生态产品工程创建和申报工作。",
        ("市规划资源局",), "市规划资源局负责", False,
        id="c4-p3-single-agency-fuze",
    ),
    pytest.param(
        4, 4,
        "实施《天津市养殖水域滩涂规划（2019—2030年）》。",
        ("市农业农村委", "市规划资源局", "有关区人民政府"),
        "市农业农村委、市规划资源局、有关区人民政府按职责分工负责", False,
        id="c4-p4-parentheses-inside-book-title",
    ),
    pytest.param(
        5, 1,
        "开展绿色商场创建，培育一批绿色流通主体。",
        ("市商务局", "各区人民政府"), "市商务局、各区人民政府按职责分工负责", False,
        id="c5-p1-bracket-split-by-page-break-half-width-close",
    ),
    pytest.param(
        5, 2,
        "有序发展出行、住宿等领域共享经济，规范发展闲置资源交易。",
        ("市交通运输委", "市商务局", "各区人民政府"),
        "市交通运输委、市商务局等部门和各区人民政府按职责分工负责", True,
        id="c5-p2-half-width-and-others-dengbumen-he",
    ),
    pytest.param(
        5, 3,
        "引导数据中心使用绿色技术产品，创建一批国家级绿色数据中心。",
        ("市工业和信息化局", "各区人民政府"), "市工业和信息化局、各区人民政府按职责分工负责", False,
        id="c5-p3-half-width-data-centres",
    ),
    pytest.param(
        6, 2,
        "加快培育市场主体，培育城市综合运营服务商，推动布局固体废弃物与垃圾处理、建筑垃圾资源化"
        "利用、河道及土壤修复等领域，构建绿色大环保业务格局。",
        ("市国资委", "市住房城乡建设委", "市城市管理委", "市交通运输委", "市生态环境局",
         "市水务局"),
        "市国资委、市住房城乡建设委、市城市管理委、市交通运输委、市生态环境局、市水务局等部门按职责"
        "分工负责",
        True,
        id="c6-p2-and-others-after-last-name",
    ),
    pytest.param(
        6, 3,
        "强化精准服务，培育一批专注于细分市场、聚焦主业、创新能力强、成长性好的市级“专精特新”"
        "中小企业。",
        ("市工业和信息化局", "各区人民政府"), "市工业和信息化局、各区人民政府按职责分工负责", False,
        id="c6-p3-task-split-by-page-break",
    ),
    pytest.param(
        9, 4,
        "实施天津港绿色智慧专业化码头科技示范工程，推进港口装卸、运输、仓储等关键环节升级改造。",
        ("天津港集团",), "天津港集团负责", False,
        id="c9-p4-tianjin-port-fuze",
    ),
    pytest.param(
        9, 5,
        "新改扩建码头工程（油气化工码头除外）同步设计、建设岸电设施，港作船舶岸电使用率达到100%。",
        ("市交通运输委", "天津海事局", "滨海新区人民政府", "天津港集团"),
        "市交通运输委、天津海事局、滨海新区人民政府、天津港集团按职责分工负责", False,
        id="c9-p5-shore-power-exception-parentheses",
    ),
    pytest.param(
        10, 5,
        "开展废弃电器电子产品拆解处理审核，开展再生资源综合利用行业规范企业申报工作，完善废旧家电"
        "回收处理体系，提升资源产出率和回收利用率。",
        ("市生态环境局", "市工业和信息化局", "市商务局", "市供销合作社", "市发展改革委",
         "市市场监管委", "市财政局", "各区人民政府"),
        "市生态环境局、市工业和信息化局、市商务局、市供销合作社、市发展改革委、市市场监管委、市财政局"
        "、各区人民政府按职责分工负责",
        False,
        id="c10-p5-miit-name-split-by-page-break",
    ),
    pytest.param(
        11, 1,
        "积极优化贸易结构，大力发展高质量、高附加值的绿色产品贸易，支持绿色产品生产经营企业参加境外"
        "展会、开展管理体系认证和产品认证、申请境外专利，从严控制高污染、高耗能产品出口。",
        ("市商务局", "各区人民政府"), "市商务局、各区人民政府按职责分工负责", False,
        id="c11-p1-half-width-with-spaces",
    ),
    pytest.param(
        11, 2,
        "持续深化天津自贸试验区改革开放，以开放促改革、促发展、促创新，形成一批绿色贸易制度创新成果。",
        ("天津自贸试验区管委会", "滨海新区人民政府"),
        "天津自贸试验区管委会、滨海新区人民政府按职责分工负责", False,
        id="c11-p2-space-after-bracket",
    ),
    pytest.param(
        12, 4,
        "落实认证机构信用监管机制，加强认证监管，推动绿色产品和绿色服务认证，推广应用绿色产品。",
        ("市市场监管委", "市发展改革委", "市工业和信息化局", "市住房城乡建设委", "市邮政管理局",
         "各区人民政府"),
        "市市场监管委、市发展改革委、市工业和信息化局、市住房城乡建设委、市邮政管理局、各区人民政府"
        "按职责分工负责",
        False,
        id="c12-p4-half-open-full-close-across-page-break",
    ),
    pytest.param(
        13, 2,
        "完善生活垃圾分类制度体系，建立健全市、区、街道（乡镇）、社区（村）四级联动工作机制，推进"
        "生活垃圾分类和减量化、资源化。",
        ("市城市管理委", "各区人民政府"), "市城市管理委、各区人民政府按职责分工负责", False,
        id="c13-p2-township-and-village-parentheses",
    ),
    pytest.param(
        13, 7,
        "开展绿色生活创建行动，广泛宣传推广简约适度、绿色低碳、文明健康的生活理念和生活方式。",
        ("市发展改革委", "市机关事务管理局", "市妇联", "市教委", "市住房城乡建设委", "市交通运输委",
         "市商务局", "各区人民政府"),
        "市发展改革委、市机关事务管理局、市妇联、市教委、市住房城乡建设委、市交通运输委、市商务局、"
        "各区人民政府按职责分工负责",
        False,
        id="c13-p7-education-commission-split-by-page-break",
    ),
    pytest.param(
        14, 3,
        "推动储能技术应用，提升电网消纳、调峰能力。",
        ("市发展改革委", "市科技局", "市工业和信息化局", "国网天津市电力公司", "各区人民政府"),
        "市发展改革委、市科技局、市工业和信息化局、国网天津市电力公司、各区人民政府按职责分工负责",
        False,
        id="c14-p3-bracket-starts-line-after-page-break",
    ),
    pytest.param(
        15, 1,
        "落实《天津市排水专项规划（2020—2035年）》，推进城镇污水管网全覆盖，巩固26条建成区黑臭水体"
        "整治工程治理成效，推动城镇生活污水收集处理设施“厂网一体化”。",
        ("市水务局", "市生态环境局", "市发展改革委", "各区人民政府"),
        "市水务局、市生态环境局、市发展改革委等部门和各区人民政府按职责分工负责", True,
        id="c15-p1-half-width-parentheses-in-book-title-and-others",
    ),
    pytest.param(
        15, 2,
        "加快厨余垃圾、建筑垃圾、粪便、园林垃圾、大件垃圾等城镇生活垃圾处理能力建设，推进生活垃圾"
        "焚烧发电。",
        ("市城市管理委", "市发展改革委", "各区人民政府"),
        "市城市管理委、市发展改革委、各区人民政府按职责分工负责", False,
        id="c15-p2-bracket-on-next-page",
    ),
    pytest.param(
        16, 1,
        "将生态环保理念贯穿交通基础设施规划、建设、运营和维护全过程，推进土地等资源集约利用，合理避让"
        "具有重要生态功能的国土空间，积极打造绿色公路、绿色港口、绿色空港。",
        ("市交通运输委", "市发展改革委", "市生态环境局", "天津港集团", "各区人民政府"),
        "市交通运输委、市发展改革委、市生态环境局、天津港集团、各区人民政府按职责分工负责", False,
        id="c16-p1-transport-commission-split-by-page-break",
    ),
    pytest.param(
        16, 3,
        "加强新能源汽车充换电、加氢等配套基础设施建设。",
        ("市发展改革委", "市城市管理委", "市住房城乡建设委", "各区人民政府"),
        "市发展改革委、市城市管理委、市住房城乡建设委等部门和各区人民政府按职责分工负责", True,
        id="c16-p3-and-others-dengbumen-he",
    ),
    pytest.param(
        18, 2,
        "优化科技创新平台体系布局，建设重大科技创新基础设施和平台。推动北辰区、津南区、静海区打造"
        "京津微创新中心。深化海河教育园区体制机制创新，加快产学研用深度融合，推进创新发展聚集区"
        "建设，打造“天津智谷”。支持南开区与天津大学、南开大学合力打造启航创新产业区。围绕西青大学城"
        "、东丽科研机构聚集区等科教资源密集区，培育研发产业聚集区，持续提升绿色技术研发能力。",
        ("市科技局", "市工业和信息化局", "市发展改革委", "市教委", "有关区人民政府"),
        "市科技局、市工业和信息化局、市发展改革委、市教委、有关区人民政府按职责分工负责", False,
        id="c18-p2-science-bureau-split-by-page-break",
    ),
    pytest.param(
        18, 3,
        "通过实施国家高新技术企业倍增行动计划、建立“雏鹰—瞪羚—领军”梯度培育机制等措施，强化企业"
        "创新主体地位，鼓励企业牵头或参与财政资金支持绿色技术研发项目、市场导向明确的绿色技术创新"
        "项目。",
        ("市科技局", "各区人民政府"), "市科技局、各区人民政府按职责分工负责", False,
        id="c18-p3-bracket-alone-on-its-line",
    ),
    pytest.param(
        19, 1,
        "发挥首台（套）重大技术装备政策引导作用，支持绿色技术应用。",
        ("市工业和信息化局", "各区人民政府"), "市工业和信息化局、各区人民政府按职责分工负责", False,
        id="c19-p1-first-set-parentheses",
    ),
    pytest.param(
        19, 3,
        "广泛征集、及时发布绿色技术推广目录，加快先进成熟技术推广应用。",
        ("市发展改革委", "市科技局", "市工业和信息化局", "市规划资源局", "区人民政府"),
        "市发展改革委、市科技局、市工业和信息化局、市规划资源局、区人民政府按职责分工负责", False,
        id="c19-p3-district-governments",
    ),
    pytest.param(
        22, 1,
        "积极谋划环境基础设施补短板强弱项、绿色环保产业发展、能源高效利用、资源循环利用等项目，争取"
        "国家财政资金和预算内投资支持。",
        ("市发展改革委", "市城市管理委", "市水务局", "市生态环境局", "市财政局", "各区人民政府"),
        "市发展改革委、市城市管理委、市水务局、市生态环境局、市财政局等部门和各区人民政府按职责分工"
        "负责",
        True,
        id="c22-p1-finance-bureau-split-by-page-break-and-others",
    ),
    pytest.param(
        23, 4,
        "发挥全口径跨境融资宏观审慎管理政策和自由贸易（FT）账户的优势，为相关企业及绿色低碳项目跨境"
        "融资提供更加便利化的金融服务，支持募集人民币资金调回境内使用。",
        ("人民银行天津分行",), "人民银行天津分行负责", False,
        id="c23-p4-FT-parentheses-pboc-fuze",
    ),
    pytest.param(
        24, 1,
        "对接北京市、河北省住房城乡建设、规划资源等部门，共同编制适用于京津冀三地的绿色建筑设计标准，"
        "推动实施《绿色建筑评价标准》（DB/T 29—204—2021），形成京津冀区域统一、全面、系统的绿色"
        "标准体系。",
        ("市住房城乡建设委", "各区人民政府"), "市住房城乡建设委、各区人民政府按职责分工负责", False,
        id="c24-p1-DB-T-standard-number",
    ),
    pytest.param(
        27, 1,
        "市发展改革委要会同有关部门强化统筹协调和督促指导，做好重点工作推动，及时总结推广各区、各有关"
        "部门的好经验、好模式。各有关部门要结合国家最新部署，不断优化细化政策措施，持续推进绿色低碳"
        "循环发展。",
        ("市发展改革委", "市级有关部门"), "市发展改革委等市级有关部门按职责分工负责", False,
        id="c27-p1-municipal-departments-group",
    ),
]


@pytest.mark.parametrize("clause_no,index,text,agencies,responsibility,and_others",
                         AGENCY_CASES)
def test_tianjin_task_and_agencies(corpus: Corpus, clause_no: int, index: int, text: str,
                                   agencies: tuple[str, ...], responsibility: str,
                                   and_others: bool) -> None:
    provision = _provision(corpus.document(TIANJIN), clause_no, index)
    assert provision.text == text
    assert provision.agencies == agencies
    assert provision.lead_agency == agencies[0]
    assert provision.responsibility == responsibility
    assert provision.and_others is and_others


def test_tianjin_task_locations(corpus: Corpus) -> None:
    doc = corpus.document(TIANJIN)
    located = {(c, i): _provision(doc, c, i).line
               for c, i in [(5, 2), (9, 4), (9, 5), (10, 5), (14, 3), (18, 3), (22, 2)]}
    assert located == {(5, 2): 33, (9, 4): 45, (9, 5): 47, (10, 5): 49, (14, 3): 67,
                       (18, 3): 89, (22, 2): 105}
    shore_power = _provision(doc, 9, 5)
    assert (shore_power.doc_id, shore_power.part_no, shore_power.clause_no, shore_power.index) == (
        TIANJIN, 3, 9, 5)


def test_non_bracket_parentheses_in_titles_and_clause_text(corpus: Corpus) -> None:
    clause = corpus.clause(TIANJIN, 7)
    assert clause.heading == "（七）提升产业园区（集群）循环化水平"
    assert clause.provisions[0].text == (
        "制定实施天津市工业布局规划，优化工业空间布局，引导产业协同联动、集聚发展。")
    assert clause.text.startswith("提升产业园区（集群）循环化水平。制定实施天津市工业布局规划，")


# -- duties ---------------------------------------------------------------------------------


def _duty_rows(corpus: Corpus, query: str) -> list[tuple[str, int | None, int, Role]]:
    return [(d.provision.doc_id, d.provision.clause_no, d.provision.index, d.role)
            for d in corpus.duties(query)]


def test_duties_of_tianjin_port(corpus: Corpus) -> None:
    assert _duty_rows(corpus, "天津港集团") == [
        (TIANJIN, 9, 4, Role.LEAD),
        (TIANJIN, 9, 5, Role.SUPPORTING),
        (TIANJIN, 16, 1, Role.SUPPORTING),
    ]
    duties = corpus.duties("天津港集团")
    assert duties[0].provision.text.startswith("实施天津港绿色智慧专业化码头科技示范工程")
    assert duties[1].provision.text.startswith("新改扩建码头工程（油气化工码头除外）")
    assert duties[2].provision.text.startswith("将生态环保理念贯穿交通基础设施规划")


def test_duties_by_alias_equal_duties_by_canonical_name(corpus: Corpus) -> None:
    assert corpus.agency("发改委").name == "市发展改革委"
    by_alias = corpus.duties("发改委")
    assert len(by_alias) == 42  # brackets of the raw text that name 市发展改革委
    assert by_alias == corpus.duties("市发展改革委")
    assert by_alias[0].provision.clause_no == 3
    assert {d.provision.doc_id for d in by_alias} == {TIANJIN}


def test_duties_of_tax_bureau(corpus: Corpus) -> None:
    assert _duty_rows(corpus, "市税务局") == [(TIANJIN, 22, 2, Role.LEAD)]
    assert corpus.duties("市税务局")[0].provision.text == (
        "落实节能环保、资源综合利用以及合同能源管理、环境污染第三方治理等方面的所得税、增值税等优惠"
        "政策。加强数据比对分析，开展政策落实和改革试点效应分析，做好资源税征收和水资源费改税试点"
        "工作。")


# -- targets --------------------------------------------------------------------------------

EXPECTED_TARGETS = [
    # (doc_id, clause_no, indicator, comparator, value, unit, qualifier, year, base_year)
    (TIANJIN, 2, "工业战略性新兴产业增加值占规模以上工业增加值比重", "达到", "40", "%", "", 2025,
     None),
    (TIANJIN, 2, "国家高新技术企业数量", "达到", "11600", "家", "", 2025, None),
    (TIANJIN, 2, "非化石能源消费比重", "力争达到", "11.5", "%", "以上", 2025, None),
    (TIANJIN, 2, "单位地区生产总值能源消耗", "降低", "14.5", "%", "", 2025, None),
    (TIANJIN, 2, "空气优良天数比例", "达到", "68", "%", "", 2025, None),
    (TIANJIN, 4, "畜禽粪污资源化利用率", "提高至", "90", "%", "", 2025, None),
    (TIANJIN, 4, "主要农作物秸秆综合利用率", "达到", "98", "%", "以上", 2025, None),
    (TIANJIN, 4, "市级以上农业产业化龙头企业", "培育", "150", "家", "", None, None),
    (TIANJIN, 4, "农业产业化联合体", "培育", "20", "个", "", None, None),
    (TIANJIN, 9, "港作船舶岸电使用率", "达到", "100", "%", "", None, None),
    (TIANJIN, 17, "一级管控区森林（绿化）覆盖率", "达到", "25", "%", "", 2025, None),
    (GUOFA, 9, "积极性高、社会影响大、带动作用强的企业开展绿色供应链试点", "选择", "100", "家",
     "左右", None, None),
    (ZHONGFA, None, "单位国内生产总值能耗", "下降", "13.5", "%", "", 2025, 2020),
    (ZHONGFA, None, "单位国内生产总值二氧化碳排放", "下降", "18", "%", "", 2025, 2020),
    (ZHONGFA, None, "非化石能源消费比重", "达到", "20", "%", "左右", 2025, None),
    (ZHONGFA, None, "森林覆盖率", "达到", "24.1", "%", "", 2025, None),
    (ZHONGFA, None, "森林蓄积量", "达到", "180", "亿立方米", "", 2025, None),
    (ZHONGFA, None, "单位国内生产总值二氧化碳排放", "下降", "65", "%", "以上", 2030, 2005),
    (ZHONGFA, None, "非化石能源消费比重", "达到", "25", "%", "左右", 2030, None),
    (ZHONGFA, None, "风电、太阳能发电总装机容量", "达到", "12", "亿千瓦", "以上", 2030, None),
    (ZHONGFA, None, "森林覆盖率", "达到", "25", "%", "左右", 2030, None),
    (ZHONGFA, None, "森林蓄积量", "达到", "190", "亿立方米", "", 2030, None),
    (ZHONGFA, None, "非化石能源消费比重", "达到", "80", "%", "以上", 2060, None),
]


def test_targets_full_table(corpus: Corpus) -> None:
    rows = [(t.doc_id, t.clause_no, t.indicator, t.comparator, t.value, t.unit, t.qualifier,
             t.year, t.base_year) for t in corpus.targets]
    assert rows == EXPECTED_TARGETS


def test_target_counts_per_document(corpus: Corpus) -> None:
    counts = {doc_id: sum(1 for t in corpus.targets if t.doc_id == doc_id)
              for doc_id in (TIANJIN, GUOFA, ZHONGFA)}
    assert counts == {TIANJIN: 11, GUOFA: 1, ZHONGFA: 11}


def test_target_phrases_and_positions(corpus: Corpus) -> None:
    by_value = {(t.doc_id, t.value, t.unit): t for t in corpus.targets}
    seedling = by_value[(TIANJIN, "150", "家")]
    assert (seedling.text, seedling.part_no, seedling.provision) == (
        "培育150家市级以上农业产业化龙头企业", 2, 6)
    assert by_value[(TIANJIN, "20", "个")].text == "20个农业产业化联合体"
    energy = by_value[(ZHONGFA, "13.5", "%")]
    assert (energy.text, energy.part_no, energy.provision) == (
        "单位国内生产总值能耗比2020年下降13.5%", 2, 2)
    assert energy.display_value == "13.5%"
    wind = by_value[(ZHONGFA, "12", "亿千瓦")]
    assert (wind.text, wind.display_value) == ("风电、太阳能发电总装机容量达到12亿千瓦以上",
                                               "12亿千瓦以上")


def test_facts_are_not_targets(corpus: Corpus) -> None:
    # （十五）巩固 26 条建成区黑臭水体整治工程治理成效: a number, but not a commitment
    assert "巩固26条建成区黑臭水体" in corpus.clause(TIANJIN, 15).text
    assert [t for t in corpus.targets if t.value == "26"] == []
    assert [t for t in corpus.targets if t.doc_id == TIANJIN and t.clause_no == 15] == []
    # years and standard numbers are no quantities
    assert [t for t in corpus.targets if t.value in ("2019", "2020", "2021", "2030", "29")] == []
