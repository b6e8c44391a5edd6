"""Ten more real plans of the family (shared/corpus/extra, beside the clone), each as its
paragraph-per-line text and as pdftotext's hard-wrapped output, and four of them as the
original PDFs: the counts of shared/corpus/extra/INDEX.md, the metadata, and agencies and leads
read off the printed brackets by hand.

The documents are read from ../shared; none is copied into the project.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.model import Document, Level, Provision, Role
from indexing.agencies import AgencyRegistry
from indexing.corpus import Corpus
from indexing.ingest import Inspection, inspect

Read = Callable[..., Inspection]  # read(doc_id, form="txt"): the inspection, cached

EXTRA = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extra"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"

# id -> parts, clauses, numbered tasks, brackets, clause numbering restarts in each part.
# From INDEX.md, except shanghai-2022-carbon-peak's brackets: INDEX.md says 51, but the body
# prints 52 （责任单位：…） — 41 closing the numbered tasks of 二、 and 11 closing the clauses
# of 三、四、五、 — and the one that closes 二、（九）4. names 市委党校（行政学院）, a bracket
# inside the bracket, which a count by a flat （责任单位：[^（）]*） pattern misses.
COUNTS = {
    "tianjin-2022-energy-saving": (5, 21, 0, 21, True),
    "guangxi-2021-green": (8, 28, 0, 23, False),
    "ningxia-2021-green": (8, 28, 0, 23, False),
    "liaoning-2021-green": (7, 29, 0, 29, False),
    "jiangxi-2021-green": (7, 21, 0, 21, False),
    "shanghai-2021-green": (8, 26, 0, 23, False),
    "shanghai-2022-carbon-peak": (5, 21, 41, 52, True),
    "jiangxi-2022-carbon-peak": (5, 15, 43, 48, True),
    "miit-2022-industry-carbon-peak": (5, 20, 36, 45, False),
    "guofa-2021-4-pdf": (8, 30, 0, 0, False),
}
DOC_IDS = list(COUNTS)
PDFS = ["guangxi-2021-green", "shanghai-2022-carbon-peak", "tianjin-2022-energy-saving"]

_CACHE: dict[tuple[str, str], Inspection] = {}


def source(doc_id: str, form: str) -> Path:
    if form == "txt":
        return EXTRA / f"{doc_id}.txt"
    if form == "raw":
        return EXTRA / "raw" / f"{doc_id}.pdftotext.txt"
    return EXTRA / "pdf" / f"{doc_id}.pdf"


@pytest.fixture(scope="module")
def read(registry: AgencyRegistry) -> Read:
    if not EXTRA.is_dir():
        pytest.fail(f"{EXTRA} is missing: the shared corpus sits beside the clone (../shared)")

    def get(doc_id: str, form: str = "txt") -> Inspection:
        key = (doc_id, form)
        if key not in _CACHE:
            _CACHE[key] = inspect(source(doc_id, form), registry, doc_id)
        return _CACHE[key]

    return get


def counts(doc: Document) -> tuple[int, int, int, int, bool]:
    provisions = doc.provisions
    return (len(doc.parts), len(doc.clauses),
            len({(p.clause_no, p.item) for p in provisions if p.item}),
            sum(1 for p in provisions if p.responsibility is not None),
            any(c.no > 100 for c in doc.clauses))


def body(doc: Document) -> list[tuple[object, ...]]:
    """Everything after the preamble: ids, titles, tasks, agencies, leads."""
    out: list[tuple[object, ...]] = [(p.heading, len(p.clauses)) for p in doc.parts]
    out += [(c.no, c.label, c.title, c.part_no) for c in doc.clauses]
    out += [(p.part_no, p.clause_no, p.index, p.item, p.text, p.agencies, p.leads,
             p.responsibility) for p in doc.provisions if p.clause_no != 0]
    return out


def task(doc: Document, clause_no: int, item: int | None = None, index: int = 1) -> Provision:
    clause = doc.clause(clause_no)
    assert clause is not None, clause_no
    tasks = [p for p in clause.provisions if p.item == item] if item else list(
        clause.provisions)
    return tasks[index - 1]


# -- counts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["txt", "raw"])
@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_counts(read: Read, doc_id: str, form: str) -> None:
    inspection = read(doc_id, form)
    assert counts(inspection.document) == COUNTS[doc_id]
    report = inspection.report()
    parts, clauses, items, brackets, restarts = COUNTS[doc_id]
    assert (report["parts"], report["clauses"], report["numbered_items"], report["brackets"],
            report["clause_numbering"]) == (parts, clauses, items, brackets,
                                           "restarts" if restarts else "continuous")


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_hard_wrapped_text_gives_the_same_document(read: Read, doc_id: str) -> None:
    assert body(read(doc_id, "raw").document) == body(read(doc_id, "txt").document)


@pytest.mark.parametrize("doc_id", PDFS)
def test_pdf_gives_the_same_document_as_its_text(read: Read, doc_id: str) -> None:
    pdf = read(doc_id, "pdf")
    assert counts(pdf.document) == COUNTS[doc_id]
    assert body(pdf.document) == body(read(doc_id, "txt").document)
    assert pdf.metadata == read(doc_id, "txt").metadata


# -- ids where the numbering restarts -------------------------------------------------------


def test_restarting_clause_ids_are_part_times_100(read: Read) -> None:
    doc = read("tianjin-2022-energy-saving").document
    assert [c.no for c in doc.clauses] == [*range(301, 311), *range(401, 409), 501, 502, 503]
    clause = doc.clause(402)
    assert clause is not None
    assert (clause.label, clause.title, clause.part_no) == (
        "（二）", "健全污染物排放总量控制制度", 4)
    assert doc.clause(2) is None
    jiangxi = read("jiangxi-2022-carbon-peak").document
    assert [c.no for c in jiangxi.clauses] == [*range(301, 311), *range(401, 406)]
    assert [p.heading for p in jiangxi.parts if not p.clauses] == [
        "一、总体思路", "二、主要目标", "五、组织实施"]


def test_citations_of_a_restarting_document_name_the_part(read: Read,
                                                          registry: AgencyRegistry) -> None:
    from assistant.compose import Sources, where

    doc = read("tianjin-2022-energy-saving").document
    corpus = Corpus((doc,), registry)
    task = doc.clause(402).provisions[0]  # type: ignore[union-attr]
    # （二） stands in parts 三 and 四 alike: the place names its part
    assert where(corpus, task, "zh").startswith("四、（二）健全污染物排放总量控制制度")
    sources = Sources(corpus)
    cited = sources.citations[sources.provision(task) - 1]
    assert (cited.clause_no, cited.clause_label, cited.part_no) == (402, "（二）", 4)


def test_continuous_numbering_keeps_plain_ids(read: Read) -> None:
    doc = read("miit-2022-industry-carbon-peak").document
    assert [c.no for c in doc.clauses] == list(range(1, 21))
    assert [len(p.clauses) for p in doc.parts] == [3, 6, 2, 6, 3]


# -- metadata ---------------------------------------------------------------------------------

# id -> title, issuer, number, date, level, jurisdiction (None: the text does not say)
METADATA = {
    "tianjin-2022-energy-saving": ("天津市“十四五”节能减排工作实施方案", "天津市人民政府", None,
                                   "2022-05-08", Level.MUNICIPAL, "天津市"),
    "guangxi-2021-green": ("广西壮族自治区人民政府关于加快建立健全绿色低碳循环发展经济体系的"
                           "实施意见",
                           "广西壮族自治区人民政府", "桂政发〔2021〕27号", "2021-09-12",
                           Level.PROVINCIAL, "广西壮族自治区"),
    "ningxia-2021-green": ("自治区人民政府关于加快建立健全绿色低碳循环发展经济体系的实施意见",
                           "宁夏回族自治区人民政府", "宁政发〔2021〕39号", "2021-12-31",
                           Level.PROVINCIAL, "宁夏回族自治区"),
    "liaoning-2021-green": ("辽宁省加快建立健全绿色低碳循环发展经济体系任务措施",
                            "辽宁省人民政府办公厅", None, "2021-11-16", Level.PROVINCIAL,
                            "辽宁省"),
    "jiangxi-2021-green": ("关于加快建立健全绿色低碳循环发展经济体系的若干措施", "江西省人民政府",
                           None, "2021-07-08", Level.PROVINCIAL, "江西省"),
    "shanghai-2021-green": ("上海市关于加快建立健全绿色低碳循环发展经济体系的实施方案",
                            "上海市人民政府", None, "2021-09-29", Level.MUNICIPAL, "上海市"),
    "shanghai-2022-carbon-peak": ("上海市碳达峰实施方案", "上海市人民政府", None, None,
                                  Level.MUNICIPAL, "上海市"),
    "jiangxi-2022-carbon-peak": ("江西省碳达峰实施方案", "江西省人民政府", None, None,
                                 Level.PROVINCIAL, "江西省"),
    "miit-2022-industry-carbon-peak": ("工业领域碳达峰实施方案", None, None, None,
                                       Level.NATIONAL, "全国"),
    "guofa-2021-4-pdf": ("国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见", "国务院",
                         "国发〔2021〕4号", "2021-02-02", Level.NATIONAL, "全国"),
}
GUOFA_TITLE = "国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见"


@pytest.mark.parametrize("form", ["txt", "raw"])
@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_metadata(read: Read, doc_id: str, form: str) -> None:
    m = read(doc_id, form).metadata
    assert (m.title, m.issuer, m.number, m.date, m.level, m.jurisdiction) == METADATA[doc_id]


@pytest.mark.parametrize("doc_id,references", [
    ("guangxi-2021-green", [(GUOFA_TITLE, "国发〔2021〕4号")]),
    ("tianjin-2022-energy-saving", [("国务院关于印发“十四五”节能减排综合工作方案的通知",
                                     "国发〔2021〕33号")]),
    ("miit-2022-industry-carbon-peak", [
        ("中共中央国务院关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的意见", None),
        ("2030年前碳达峰行动方案", None)]),
    ("shanghai-2022-carbon-peak", []),
    ("guofa-2021-4-pdf", []),
])
def test_implements(read: Read, doc_id: str, references: list[tuple[str, str | None]]) -> None:
    assert [(r.title, r.number) for r in read(doc_id).metadata.implements] == references


def test_guesses_are_warnings(read: Read) -> None:
    assert read("jiangxi-2022-carbon-peak").warnings[:2] == (
        "guess: issuer: 江西省人民政府, the government of the jurisdiction the title names",
        "not stated in the text: number, date")
    assert read("miit-2022-industry-carbon-peak").warnings[:2] == (
        "guess: level: national, as the text names no place",
        "not stated in the text: issuer, number, date")


# -- agencies and leads, read off the printed brackets ----------------------------------------


def test_tianjin_energy_saving_leads_and_standing_rule(read: Read) -> None:
    doc = read("tianjin-2022-energy-saving").document
    first = task(doc, 301)
    # （市工业和信息化局、…、市水务局等按职责分工负责，各区人民政府负责落实。以下均需各区人民政府
    # 落实，不再列出）
    assert first.agencies == ("市工业和信息化局", "市发展改革委", "市生态环境局", "市市场监管委",
                              "市水务局", "各区人民政府")
    # the standing rule: 各区人民政府 on every later task, without being printed again
    assert task(doc, 302).agencies == ("市发展改革委", "市工业和信息化局", "市生态环境局",
                                       "各区人民政府")
    assert all(p.agencies[-1] == "各区人民政府" for p in doc.provisions if p.agencies)
    # （市交通运输委、市发展改革委牵头，市工业和信息化局、…、天津港集团等按职责分工负责）
    transport = task(doc, 304)
    assert transport.leads == ("市交通运输委", "市发展改革委")
    assert transport.lead_agency == "市交通运输委"
    assert transport.role_of("市发展改革委") is Role.LEAD
    assert transport.role_of("天津港集团") is Role.SUPPORTING
    # a bracket split by a page break: （市住房城乡建设委、市生态环境局、| 市发展改革委、…）
    assert task(doc, 303).agencies == ("市住房城乡建设委", "市生态环境局", "市发展改革委",
                                       "市规划资源局", "市交通运输委", "各区人民政府")
    assert task(doc, 402).agencies == ("市生态环境局", "各区人民政府")
    assert task(doc, 401).leads == ("市发展改革委",)
    # no 牵头: the first agency leads
    assert task(doc, 302).lead_agencies == ("市发展改革委",)


def test_tianjin_energy_saving_resolves_through_the_tianjin_registry(read: Read) -> None:
    inspection = read("tianjin-2022-energy-saving")
    assert inspection.warnings == (
        "not stated in the text: number",
        "5 agencies not in the registry: "
        "市公安交管局、市人社局、各有关部门、市委组织部、市委宣传部",
    )


def test_guangxi_prefix_carried_within_a_group(read: Read) -> None:
    doc = read("guangxi-2021-green").document
    # （自治区发展改革委、工业和信息化厅、生态环境厅、市场监管局按职责分工负责）
    assert task(doc, 3).agencies == ("自治区发展改革委", "自治区工业和信息化厅", "自治区生态环境厅",
                                     "自治区市场监管局")
    # （自治区交通运输厅〔铁建办〕、发展改革委、工业和信息化厅，广西邮政管理局、
    #   中国铁路南宁局集团按职责分工负责）
    assert task(doc, 9).agencies == ("自治区交通运输厅〔铁建办〕", "自治区发展改革委",
                                     "自治区工业和信息化厅", "广西邮政管理局", "中国铁路南宁局集团")
    # （自治区地方金融监管局、广西银保监局、广西证监局、人民银行南宁中心支行…）
    assert task(doc, 23).agencies == ("自治区地方金融监管局", "广西银保监局", "广西证监局",
                                      "人民银行南宁中心支行")
    assert [c.no for c in doc.clauses if not any(p.agencies for p in c.provisions)] == [
        1, 2, 26, 27, 28]


def test_ningxia_standing_implementers(read: Read) -> None:
    doc = read("ningxia-2021-green").document
    # （自治区工业和信息化厅、发展改革委、生态环境厅负责，各地级市人民政府、宁东管委会具体落实，
    # 以下任务不再列出）
    assert task(doc, 3).agencies == ("自治区工业和信息化厅", "自治区发展改革委", "自治区生态环境厅",
                                     "各地级市人民政府", "宁东管委会")
    assert task(doc, 18).agencies == ("自治区科技厅", "各地级市人民政府", "宁东管委会")
    # （自治区财政厅、发展改革委、水利厅、宁夏税务局负责）: 宁夏税务局 takes no prefix
    assert task(doc, 22).agencies[:4] == ("自治区财政厅", "自治区发展改革委", "自治区水利厅",
                                          "宁夏税务局")
    assert task(doc, 23).lead_agency == "人民银行银川中心支行"


def test_liaoning_jiangxi_shanghai_generic_and_group_names(read: Read) -> None:
    liaoning = read("liaoning-2021-green").document
    assert task(liaoning, 28).agencies == ("省直各有关部门", "各市", "沈抚示范区")
    assert task(liaoning, 11).agencies == ("省市场监管局",)
    jiangxi = read("jiangxi-2021-green").document
    assert task(jiangxi, 20).agencies == ("各有关单位",)
    assert task(jiangxi, 21).agencies == ("省委宣传部", "各有关单位")
    shanghai = read("shanghai-2021-green").document
    assert task(shanghai, 1).agencies == ("市发展改革委", "市经济信息化委", "市生态环境局",
                                          "市绿化市容局")
    assert task(shanghai, 1).responsibility == (
        "责任单位：市发展改革委、市经济信息化委、市生态环境局、市绿化市容局")


def test_shanghai_carbon_peak_numbered_tasks(read: Read) -> None:
    doc = read("shanghai-2022-carbon-peak").document
    energy = doc.clause(201)
    assert energy is not None
    assert (energy.label, energy.title) == ("（一）", "能源绿色低碳转型行动")
    assert [p.item for p in energy.provisions] == [None, 1, 2, 3, 4]
    assert energy.provisions[1].text.startswith("1.大力发展非化石能源。")
    assert task(doc, 201, 2).agencies == ("市发展改革委", "市经济信息化委", "市生态环境局")
    assert task(doc, 209, 4).agencies == ("市委组织部", "市委党校（行政学院）", "市发展改革委")
    assert task(doc, 210, 3).agencies[:3] == ("市发展改革委", "嘉定区", "青浦区")
    assert task(doc, 503).agencies == ("市发展改革委", "市委组织部", "各有关部门", "各区")


def test_jiangxi_carbon_peak_lead_in_a_part_without_clauses(read: Read) -> None:
    inspection = read("jiangxi-2022-carbon-peak")
    doc = inspection.document
    part = doc.part(5)
    assert part is not None
    assert (part.heading, part.clauses) == ("五、组织实施", ())
    (closing,) = part.intro
    assert closing.leads == ("省碳达峰碳中和工作领导小组办公室",)
    assert closing.agencies == ("省碳达峰碳中和工作领导小组办公室", "各设区市人民政府",
                                "各有关部门")
    assert task(doc, 310, 1).agencies == ("省碳达峰碳中和工作领导小组办公室",
                                          "有关市、县〔区〕人民政府")
    # 二、（二）5. closes with （…等按职责分工）, without 负责: no bracket, and the report says so
    assert task(doc, 302, 5).responsibility is None
    assert inspection.warnings[-1].startswith("task without a bracket: （二）工业领域碳达峰行动 5.")


def test_miit_bracket_split_by_a_page_number(read: Read) -> None:
    doc = read("miit-2022-industry-carbon-peak").document
    split = [p for p in doc.provisions if p.responsibility == (
        "国家发展改革委、科技部、工业和信息化部、生态环境部、交通运输部、商务部、市场监管总局、"
        "国家能源局等按职责分工负责")]
    assert len(split) == 1
    assert task(doc, 4, 1).agencies == ("国家发展改革委", "工业和信息化部", "生态环境部",
                                        "国务院国资委", "国家能源局")
    assert not any(p.text.isdigit() for p in doc.provisions)


def test_guofa_copy_has_no_signature_in_its_last_clause(read: Read) -> None:
    doc = read("guofa-2021-4-pdf").document
    assert doc.clauses[-1].provisions[-1].text.endswith("为绿色低碳循环发展营造良好氛围。")
    assert [p.text for p in doc.preamble.provisions][:2] == [GUOFA_TITLE, "（国发〔2021〕4号）"]


def test_other_jurisdictions_never_use_the_tianjin_registry(read: Read,
                                                           registry: AgencyRegistry) -> None:
    # 发展改革委 is an alias of Tianjin's 市发展改革委: Guangxi's stays 自治区发展改革委, and
    # Shanghai's 市发展改革委 is Shanghai's (the report keeps it apart from the registry)
    assert registry.canonical("发展改革委") == "市发展改革委"
    guangxi = read("guangxi-2021-green")
    assert "市发展改革委" not in guangxi.report()["agencies"]
    assert guangxi.warnings[0] == (
        "36 agencies of 广西壮族自治区 named with their place, apart from the registry of 天津市")


# -- the product's Tianjin plan from its PDF -----------------------------------------------------


def test_tianjin_pdf_gives_the_product_structure(read: Read, corpus: Corpus) -> None:
    pdf = read("tianjin-2022", "pdf")
    product = corpus.document("tianjin-2022")
    assert counts(pdf.document) == (8, 28, 0, 97, False)
    assert [c.heading for c in pdf.document.clauses] == [c.heading for c in product.clauses]
    assert pdf.metadata.title == product.meta.title
    assert (pdf.metadata.date, pdf.metadata.jurisdiction) == ("2022-03-25", "天津市")
    ours = [p for p in pdf.document.provisions if p.clause_no]
    theirs = [p for p in product.provisions if p.clause_no]
    assert len(ours) == len(theirs)
    differ = [(a.clause_no, a.index) for a, b in zip(ours, theirs, strict=True)
              if (a.text, a.agencies) != (b.text, b.agencies)]
    # the four words INDEX.md notes: 排污许可证/许可, 支持的/支持, 节能节水环保/节能环保, and
    # 各区人民政府 where the text has 区人民政府 in （十九）
    assert differ == [(15, 3), (18, 3), (19, 3), (22, 2)]
    assert [p.lead_agency for p in ours] == [p.lead_agency for p in theirs]
    nineteen = [(a.agencies[-1], b.agencies[-1]) for a, b in zip(ours, theirs, strict=True)
                if (a.clause_no, a.index) == (19, 3)]
    assert nineteen == [("各区人民政府", "区人民政府")]
