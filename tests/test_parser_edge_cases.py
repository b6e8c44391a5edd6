"""Small crafted texts through ``parse_text``: each awkward form of the real texts in isolation,
and every way a text can break the form (ParseError with the exact line)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import CorpusError, ParseError
from core.model import Document, DocumentMeta
from indexing.agencies import AgencyRegistry
from indexing.corpus import Corpus
from indexing.parser import parse_text

MetaFactory = Callable[..., DocumentMeta]  # the ``meta`` fixture of conftest.py

HEAD = "一、总体要求\n"


def parse(meta: MetaFactory, registry: AgencyRegistry, raw: str) -> Document:
    return parse_text(meta(), raw, registry)


def rows(doc: Document, clause_no: int = 1) -> list[tuple[str, tuple[str, ...], bool]]:
    clause = doc.clause(clause_no)
    assert clause is not None
    return [(p.text, p.agencies, p.and_others) for p in clause.provisions]


# -- tasks and brackets ---------------------------------------------------------------------

BRACKET_CASES = [
    pytest.param(
        HEAD + "（一）推进工作。推行产品绿色设计。（市工\n\n"
        "业和信息化局、各区人民政府按职责分工负责）\n",
        "推进工作",
        [("推行产品绿色设计。", ("市工业和信息化局", "各区人民政府"), False)],
        id="name-split-across-page-break",
    ),
    pytest.param(
        HEAD + "（一）推进工作。推行产品绿色设计。（市工业和信息化局、各区人民政府按\n\n"
        "职责分工负责）加强管理。（市商务局负责）\n",
        "推进工作",
        [("推行产品绿色设计。", ("市工业和信息化局", "各区人民政府"), False),
         ("加强管理。", ("市商务局",), False)],
        id="bracket-split-after-an",
    ),
    pytest.param(
        HEAD + "(一) 推进工作。推行绿色设计, 培育主体。(市商务局、各区人民政府按职责分工负责) "
        "发展共享经济。 (市交通运输委负责)\n",
        "推进工作",
        [("推行绿色设计，培育主体。", ("市商务局", "各区人民政府"), False),
         ("发展共享经济。", ("市交通运输委",), False)],
        id="half-width-brackets-with-spaces",
    ),
    pytest.param(
        HEAD + "（一）推进工作。推动储能技术应用。（市发展改革委、市科\n\n技局按职责分工负责)\n",
        "推进工作",
        [("推动储能技术应用。", ("市发展改革委", "市科技局"), False)],
        id="full-width-open-half-width-close-across-page-break",
    ),
    pytest.param(
        HEAD + "（一）推进工作。推动储能技术应用。\n\n（市发展改革委、各区人民政府按职责分工负责）"
        "推动煤炭高效利用。（市发展改革委负责）\n",
        "推进工作",
        [("推动储能技术应用。", ("市发展改革委", "各区人民政府"), False),
         ("推动煤炭高效利用。", ("市发展改革委",), False)],
        id="bracket-starts-the-next-page",
    ),
    pytest.param(
        HEAD + "（一）提升产业园区（集群）循环化水平。推进园区循环化改造。（市发展改革委负责）\n",
        "提升产业园区（集群）循环化水平",
        [("推进园区循环化改造。", ("市发展改革委",), False)],
        id="title-with-cluster-parentheses",
    ),
    pytest.param(
        HEAD + "（一）加速科技成果转化。发挥首台（套）重大技术装备政策引导作用。"
        "（市工业和信息化局、各区人民政府按职责分工负责）\n",
        "加速科技成果转化",
        [("发挥首台（套）重大技术装备政策引导作用。", ("市工业和信息化局", "各区人民政府"), False)],
        id="first-set-parentheses-inside-task",
    ),
    pytest.param(
        HEAD + "（一）打造绿色物流。新改扩建码头工程（油气化工码头除外）同步建设岸电设施。"
        "（市交通运输委、天津港集团按职责分工负责）\n",
        "打造绿色物流",
        [("新改扩建码头工程（油气化工码头除外）同步建设岸电设施。", ("市交通运输委", "天津港集团"),
          False)],
        id="exception-parentheses-inside-task",
    ),
    pytest.param(
        HEAD + "（一）促进服务业发展。规范发展闲置资源交易。"
        "（市交通运输委、市商务局等部门和各区人民政府按职责分工负责）\n",
        "促进服务业发展",
        [("规范发展闲置资源交易。", ("市交通运输委", "市商务局", "各区人民政府"), True)],
        id="and-others-dengbumen-he",
    ),
    pytest.param(
        HEAD + "（一）加强统筹协调。做好重点工作推动。"
        "（市发展改革委等市级有关部门按职责分工负责）\n",
        "加强统筹协调",
        [("做好重点工作推动。", ("市发展改革委", "市级有关部门"), False)],
        id="municipal-departments-group",
    ),
    pytest.param(
        HEAD + "（一）建设绿色港口。推进港口关键环节升级改造。（天津港集团负责）\n",
        "建设绿色港口",
        [("推进港口关键环节升级改造。", ("天津港集团",), False)],
        id="tianjin-port-fuze",
    ),
    pytest.param(
        HEAD + "（一）加强统筹协调。做好重点工作推动。（市发改委、工信局按职责分工负责）\n",
        "加强统筹协调",
        [("做好重点工作推动。", ("市发展改革委", "市工业和信息化局"), False)],
        id="aliases-resolve-to-canonical",
    ),
    pytest.param(
        HEAD + "（一）推进工作。推行绿色设计。（市商务局负责）加强宣传引导。\n",
        "推进工作",
        [("推行绿色设计。", ("市商务局",), False), ("加强宣传引导。", (), False)],
        id="tail-without-bracket",
    ),
]


@pytest.mark.parametrize("raw,title,expected", BRACKET_CASES)
def test_bracketed_tasks(meta: MetaFactory, registry: AgencyRegistry, raw: str, title: str,
                         expected: list[tuple[str, tuple[str, ...], bool]]) -> None:
    doc = parse(meta, registry, raw)
    clause = doc.clause(1)
    assert clause is not None
    assert (clause.label, clause.title) == ("（一）", title)
    assert rows(doc) == expected


def test_bracket_keeps_responsibility_as_written(meta: MetaFactory,
                                                 registry: AgencyRegistry) -> None:
    raw = HEAD + "（一）加强统筹协调。做好重点工作推动。（市发改委、工信局按\n\n职责分工负责）\n"
    doc = parse(meta, registry, raw)
    provision = doc.provisions[0]
    assert provision.responsibility == "市发改委、工信局按职责分工负责"
    assert (provision.line, provision.index, provision.part_no, provision.clause_no) == (2, 1, 1, 1)


def test_unregistered_name_parses_whole(meta: MetaFactory, registry: AgencyRegistry) -> None:
    raw = HEAD + "（一）推进工作。推行绿色设计。（市宇航局、各区人民政府按职责分工负责）\n"
    doc = parse(meta, registry, raw)
    assert rows(doc) == [("推行绿色设计。", ("市宇航局", "各区人民政府"), False)]
    assert "市宇航局" not in registry


# -- layout ---------------------------------------------------------------------------------


def test_clause_title_on_its_own_line(meta: MetaFactory, registry: AgencyRegistry) -> None:
    raw = (HEAD + "（一）指导思想\n以新思想为指导，推动绿色发展。\n（二）工作原则\n"
           "要坚持全国统筹、节约优先原则。\n——全国统筹。全国一盘棋，强化顶层设计。\n"
           "——节约优先。把节约能源资源放在首位。\n")
    doc = parse(meta, registry, raw)
    assert [(c.heading, c.line) for c in doc.clauses] == [
        ("（一）指导思想", 2), ("（二）工作原则", 4)]
    assert rows(doc, 1) == [("以新思想为指导，推动绿色发展。", (), False)]
    assert [p.text for p in doc.clauses[1].provisions] == [
        "要坚持全国统筹、节约优先原则。",
        "——全国统筹。全国一盘棋，强化顶层设计。",
        "——节约优先。把节约能源资源放在首位。",
    ]
    assert [p.line for p in doc.clauses[1].provisions] == [5, 6, 7]


def test_no_brackets_splits_into_sentences_grouping_parallel_lead_ins(
        meta: MetaFactory, registry: AgencyRegistry) -> None:
    raw = (HEAD + "（一）工作原则。坚持重点突破。以节能环保为重点率先突破，带动产业升级。"
           "坚持创新引领。深入推动技术创新，加快构建创新体系。\n"
           "（二）主要任务。推行产品绿色设计，建设绿色制造体系。加强危险废物管理。\n")
    doc = parse(meta, registry, raw)
    assert [p.text for p in doc.clauses[0].provisions] == [
        "坚持重点突破。以节能环保为重点率先突破，带动产业升级。",
        "坚持创新引领。深入推动技术创新，加快构建创新体系。",
    ]
    assert [p.text for p in doc.clauses[1].provisions] == [
        "推行产品绿色设计，建设绿色制造体系。",
        "加强危险废物管理。",
    ]
    assert [p.agencies for p in doc.provisions] == [()] * 4


@pytest.mark.parametrize("first_page,sentence", [
    pytest.param("积极利用首台套重大技术", "积极利用首台套重大技术装备政策支持绿色技术应用。",
                 id="break-after-plain-character"),
    pytest.param("积极利用首台（套）", "积极利用首台（套）装备政策支持绿色技术应用。",
                 id="break-after-closing-parenthesis"),
    pytest.param("推进落实《规划》", "推进落实《规划》装备政策支持绿色技术应用。",
                 id="break-after-closing-book-title-mark"),
    pytest.param("推进共建“一带一路”", "推进共建“一带一路”装备政策支持绿色技术应用。",
                 id="break-after-closing-quote"),
])
def test_page_break_mid_sentence_without_brackets(meta: MetaFactory, registry: AgencyRegistry,
                                                  first_page: str, sentence: str) -> None:
    # A text without responsibility brackets splits by sentence; a page break that falls
    # right after ）》” in the middle of a sentence must not cut the sentence in two.
    raw = (HEAD + "（一）加速科技成果转化。" + first_page + "\n\n"
           + sentence.removeprefix(first_page) + "深入推进绿色技术交易中心建设。\n")
    doc = parse(meta, registry, raw)
    clause = doc.clause(1)
    assert clause is not None
    assert [(p.text, p.line) for p in clause.provisions] == [
        (sentence, 2), ("深入推进绿色技术交易中心建设。", 4)]


def test_part_without_clauses_keeps_its_text_as_intro(meta: MetaFactory,
                                                      registry: AgencyRegistry) -> None:
    raw = (HEAD + "（一）指导思想。推动绿色发展。\n二、主要目标\n到2025年，绿色产业比重显著提升。"
           "森林覆盖率达到24.1%。\n三、组织实施\n（二）抓好落实。确保落实落地。\n")
    doc = parse(meta, registry, raw)
    part = doc.part(2)
    assert part is not None
    assert (part.heading, part.clauses) == ("二、主要目标", ())
    assert [(p.text, p.clause_no, p.line) for p in part.intro] == [
        ("到2025年，绿色产业比重显著提升。", None, 4),
        ("森林覆盖率达到24.1%。", None, 4),
    ]
    assert [c.part_no for c in doc.clauses] == [1, 3]


def test_text_before_first_part_is_the_preamble(meta: MetaFactory,
                                                registry: AgencyRegistry) -> None:
    raw = "关于印发实施方案的通知\n\n各区人民政府：\n" + HEAD + "（一）指导思想。推动绿色发展。\n"
    doc = parse(meta, registry, raw)
    assert [(p.text, p.line, p.clause_no) for p in doc.preamble.provisions] == [
        ("关于印发实施方案的通知", 1, 0), ("各区人民政府：", 3, 0)]
    assert (doc.preamble.no, doc.preamble.line) == (0, 1)


# -- errors ---------------------------------------------------------------------------------

ERROR_CASES = [
    pytest.param(
        "一、总体要求\n（一）指导思想。推动绿色发展。\n\n（三）主要目标。提高效率。\n",
        4, "clause （三） is out of order",
        id="clause-numbers-out-of-order",
    ),
    pytest.param(
        "一、总体要求\n（一）指导思想。推动绿色发展。\n三、生产体系\n（二）推进工业。推行设计。\n",
        3, "part 三、 is out of order",
        id="part-numbers-out-of-order",
    ),
    pytest.param(
        "一、总体要求\n（一）推进工业。推行设计，培育主体。\n\n建设制造体系（市工业和信息化局按职责分工\n\n"
        "加强管理。\n",
        4, "unclosed （",
        id="unclosed-bracket-reports-line-where-it-opens",
    ),
    pytest.param(
        "一、总体要求\n（一）推进工业。推行设计，培育主体。\n\n建设制造体系）。\n",
        4, "closing ） without a matching （",
        id="stray-closing-bracket",
    ),
    pytest.param(
        "一、总体要求\n（一）指导思想\n（二）主要目标。提高效率。\n",
        2, "clause （一） has no text",
        id="clause-title-without-text",
    ),
    pytest.param(
        "一、总体要求\n（一）指导思想。\n（二）主要目标。提高效率。\n",
        2, "clause （一） has no text",
        id="clause-with-title-sentence-only",
    ),
    pytest.param(
        "一、总体要求\n（一）推进工业。推行设计。（市商务局负责）\n\n（市工业和信息化局负责）加强管理。\n",
        4, "follows no task",
        id="responsibility-bracket-without-task",
    ),
    pytest.param(
        "一、总体要求\n（一）推进工业。（市工业和信息化局负责）推行设计。\n",
        2, "responsibility bracket （市工业和信息化局负责） follows no task",
        id="responsibility-bracket-first-in-clause",
    ),
    pytest.param("", 1, "the text is empty", id="empty-text"),
    pytest.param(" \n\u3000\n\n", 1, "the text is empty", id="blank-text"),
    pytest.param(
        "实施方案\n\n（一）指导思想。推动绿色发展。\n一、总体要求\n",
        3, "clause （一） comes before any part heading",
        id="clause-before-any-part",
    ),
    pytest.param("实施方案\n推动绿色发展。\n", 1, "no part heading", id="no-part-at-all"),
    pytest.param(
        "一、总体要求\n（一）指导思想。推动绿色发展。\n二、主要目标\n三、组织实施\n（二）抓好落实。确保落实。\n",
        3, "part 二、 has no text",
        id="part-without-text",
    ),
]


@pytest.mark.parametrize("raw,line,message", ERROR_CASES)
def test_parse_errors(meta: MetaFactory, registry: AgencyRegistry, raw: str, line: int,
                      message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_text(meta(), raw, registry, path=Path("crafted/broken.txt"))
    assert caught.value.line == line
    assert message in caught.value.message
    assert caught.value.file == str(Path("crafted/broken.txt"))
    assert str(caught.value).startswith(f"{Path('crafted/broken.txt')}:{line}: ")


def test_parse_error_defaults_to_meta_file(meta: MetaFactory, registry: AgencyRegistry) -> None:
    with pytest.raises(ParseError) as caught:
        parse_text(meta(file="other.txt"), "", registry)
    assert (caught.value.file, caught.value.line) == ("other.txt", 1)


# -- the corpus on disk ---------------------------------------------------------------------


@pytest.fixture
def corpus_copy(tmp_path: Path, corpus_dir: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(corpus_dir, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_copied_corpus_loads(corpus_copy: Path) -> None:
    corpus = Corpus.load(corpus_copy)
    assert [d.doc_id for d in corpus.documents] == ["tianjin-2022", "guofa-2021-4",
                                                    "zhongfa-2021-36"]


def test_malformed_file_names_file_and_line(corpus_copy: Path) -> None:
    broken = corpus_copy / "guofa-2021-4.txt"
    _edit(broken, "（三）主要目标。", "（五）主要目标。")
    with pytest.raises(ParseError) as caught:
        Corpus.load(corpus_copy)
    assert caught.value.file == str(broken)
    assert caught.value.line == 8
    assert "clause （五） is out of order" in caught.value.message


def test_unclosed_bracket_in_tianjin_names_its_line(corpus_copy: Path) -> None:
    broken = corpus_copy / "tianjin-2022-notice.txt"
    _edit(broken, "（天津港集团负责）", "（天津港集团负责")
    with pytest.raises(ParseError) as caught:
        Corpus.load(corpus_copy)
    assert (Path(caught.value.file).name, caught.value.line) == ("tianjin-2022-notice.txt", 47)
    assert caught.value.message.startswith("unclosed （")


def test_unknown_implements_id_is_a_corpus_error(corpus_copy: Path) -> None:
    _edit(corpus_copy / "documents.toml", 'implements = ["guofa-2021-4"]',
          'implements = ["guofa-2099-1"]')
    with pytest.raises(CorpusError) as caught:
        Corpus.load(corpus_copy)
    assert not isinstance(caught.value, ParseError)
    assert "tianjin-2022 implements unknown ['guofa-2099-1']" in str(caught.value)


def test_missing_text_file_is_a_corpus_error(corpus_copy: Path) -> None:
    (corpus_copy / "guofa-2021-4.txt").unlink()
    with pytest.raises(CorpusError) as caught:
        Corpus.load(corpus_copy)
    assert not isinstance(caught.value, ParseError)
    assert "guofa-2021-4.txt" in str(caught.value)
    assert "cannot read" in str(caught.value)
