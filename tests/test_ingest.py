"""Reading other formats, the family's forms on crafted texts, every bad input of
``policy-assistant add`` (one clear error, nothing changed), and the add command itself on a
copy of the corpus."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import fingerprint, run_cli
from docx import Document as DocxDocument
from pypdf import PdfWriter

from core.errors import BadInput, UnreadableDocument
from core.model import Document, DocumentMeta
from indexing.agencies import AgencyRegistry
from indexing.corpus import Corpus
from indexing.ingest import inspect
from indexing.parser import parse_text, parse_with_notes
from indexing.readers import read_document

EXTRA = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extra"
MetaFactory = Callable[..., DocumentMeta]

REPORT_KEYS = {"doc_id", "title", "issuer", "number", "date", "level", "jurisdiction", "parts",
               "clauses", "numbered_items", "brackets", "agencies", "warnings", "implements",
               "source", "format", "clause_numbering", "clause_ids"}


def extra_lines(doc_id: str) -> list[str]:
    """A shared text without its # header: the document's lines as printed."""
    text = (EXTRA / f"{doc_id}.txt").read_text(encoding="utf-8")
    return text.split("# ---- end of header ----\n", 1)[1].splitlines()



# -- crafted texts: the family's forms in isolation ------------------------------------------


def test_numbering_that_restarts_in_each_part(meta: MetaFactory,
                                              registry: AgencyRegistry) -> None:
    raw = ("一、重点任务\n（一）推进工业。推行设计。（市商务局负责）\n（二）推进农业。发展农业。"
           "（市农业农村委负责）\n二、保障措施\n（一）加强领导。落实责任。（市发展改革委负责）\n")
    doc = parse_text(meta(), raw, registry)
    assert [(c.no, c.label, c.part_no) for c in doc.clauses] == [
        (101, "（一）", 1), (102, "（二）", 1), (201, "（一）", 2)]
    clause = doc.clause(201)
    assert clause is not None and clause.title == "加强领导"
    assert [p.clause_no for p in doc.provisions if p.clause_no] == [101, 102, 201]


def test_numbered_tasks_each_closed_by_a_bracket(meta: MetaFactory,
                                                 registry: AgencyRegistry) -> None:
    raw = ("一、重点任务\n（一）能源行动\n加快构建能源体系。\n1.发展新能源。建设光伏。"
           "（责任单位：市发展改革委、市科委）\n2.控制煤炭消费。到2025年，消费量下降1.1万吨。\n"
           "（责任单位：市经济信息化委）\n")
    doc = parse_text(meta(), raw, registry)
    clause = doc.clause(1)
    assert clause is not None
    assert [(p.item, p.text, p.agencies) for p in clause.provisions] == [
        (None, "加快构建能源体系。", ()),
        (1, "1.发展新能源。建设光伏。", ("市发展改革委", "市科技局")),  # 市科委: an alias
        (2, "2.控制煤炭消费。到2025年，消费量下降1.1万吨。", ("市经济信息化委",)),
    ]


def test_numbered_task_gap_is_noted(meta: MetaFactory, registry: AgencyRegistry) -> None:
    raw = "一、重点任务\n（一）能源行动\n1.发展新能源。\n3.控制煤炭消费。\n"
    doc, notes = parse_with_notes(meta(), raw, registry)
    clause = doc.clause(1)
    assert clause is not None and [p.item for p in clause.provisions] == [1, 3]
    assert notes == ("line 4: task 3. follows task 1. in clause （一）",)


def test_decimal_at_a_line_start_is_no_task(meta: MetaFactory,
                                            registry: AgencyRegistry) -> None:
    raw = "一、重点任务\n（一）能源行动\n1.形成全市处置能力，达到\n1.1 万吨/日。\n"
    clause = parse_text(meta(), raw, registry).clause(1)
    assert clause is not None
    assert [(p.item, p.text) for p in clause.provisions] == [
        (1, "1.形成全市处置能力，达到1.1万吨/日。")]


def test_page_number_inside_a_bracket(meta: MetaFactory, registry: AgencyRegistry) -> None:
    raw = ("一、总体要求\n（一）推进工作。推行设计。（市商务局、市发展改革委等按\n\n10\n\n"
           "职责分工负责）\n")
    doc = parse_text(meta(), raw, registry)
    assert [(p.text, p.agencies) for p in doc.provisions] == [
        ("推行设计。", ("市商务局", "市发展改革委"))]


def test_wrapped_line_that_looks_like_a_heading_continues(meta: MetaFactory,
                                                          registry: AgencyRegistry) -> None:
    # pdftotext's hard wrap put 二、三中全会 at a line start, mid-sentence
    raw = "一、总体要求\n（一）指导思想。深入贯彻党的十九届一中、\n二、三中全会精神。\n"
    doc = parse_text(meta(), raw, registry)
    assert [p.heading for p in doc.parts] == ["一、总体要求"]
    assert doc.clauses[0].provisions[0].text == "深入贯彻党的十九届一中、二、三中全会精神。"


def test_heading_after_a_bracket_without_fuze(meta: MetaFactory,
                                              registry: AgencyRegistry) -> None:
    raw = ("一、重点任务\n（一）工业行动\n"
           "1.推动石化。提升利用率。（省工业和信息化厅等按职责分工）\n"
           "（二）建设行动\n1.推动建设。（省住房城乡建设厅负责）\n")
    doc = parse_text(meta(), raw, registry)
    assert [c.heading for c in doc.clauses] == ["（一）工业行动", "（二）建设行动"]
    assert doc.clauses[0].provisions[0].responsibility is None


def test_other_jurisdiction_keeps_names_apart_from_the_registry(
        meta: MetaFactory, registry: AgencyRegistry) -> None:
    raw = "一、总体要求\n（一）推进工作。推行设计。（发改委、市场监管局按职责分工负责）\n"
    ours = parse_text(meta(), raw, registry)
    theirs = parse_text(replace(meta(), jurisdiction="上海市"), raw, registry)
    assert ours.provisions[0].agencies == ("市发展改革委", "市市场监管委")
    assert theirs.provisions[0].agencies == ("发改委", "市场监管局")


# -- formats ---------------------------------------------------------------------------------


def test_docx_gives_the_same_document_as_its_text(tmp_path: Path,
                                                  registry: AgencyRegistry) -> None:
    docx = DocxDocument()
    for line in extra_lines("guangxi-2021-green"):
        if line:
            docx.add_paragraph(line)
    path = tmp_path / "guangxi-2021-green.docx"
    docx.save(str(path))
    ours = inspect(path, registry)
    theirs = inspect(EXTRA / "guangxi-2021-green.txt", registry)
    assert ours.doc_id == "guangxi-2021-green"
    def rows(doc: Document) -> list[tuple[object, ...]]:  # line numbers aside
        return [(p.clause_no, p.index, p.item, p.text, p.agencies, p.leads)
                for p in doc.provisions]

    assert rows(ours.document) == rows(theirs.document)
    assert ours.metadata == theirs.metadata


def test_html_gives_the_same_document_as_its_text(tmp_path: Path,
                                                  registry: AgencyRegistry) -> None:
    lines = [line for line in extra_lines("shanghai-2022-carbon-peak") if line]
    paragraphs = []
    for line in lines:
        head, tail = line[:4], line[4:]  # an inline tag inside a paragraph changes nothing
        paragraphs.append(f"<p><span>{head}</span>{tail}</p>")
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>上海市碳达峰实施方案</title>"
            "<style>p{margin:0}</style><script>var 一、 = 1;</script></head><body>"
            "<div class='article'>" + "\n".join(paragraphs) + "</div></body></html>")
    path = tmp_path / "shanghai.html"
    path.write_text(html, encoding="utf-8")
    ours = inspect(path, registry, "shanghai-2022-carbon-peak")
    theirs = inspect(EXTRA / "shanghai-2022-carbon-peak.txt", registry)
    assert [p.text for p in ours.document.provisions if p.clause_no] == [
        p.text for p in theirs.document.provisions if p.clause_no]
    assert ours.report()["brackets"] == 52


# -- bad input: one clear error ----------------------------------------------------------------


def _blank_pdf(path: Path) -> None:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())


BAD_FILES: list[tuple[str, Callable[[Path], None], str]] = [
    ("empty.txt", lambda p: p.write_text(""), "the file is empty"),
    ("blank.txt", lambda p: p.write_text(" \n\u3000\n"), "the file is empty"),
    ("empty.pdf", lambda p: p.write_bytes(b""), "not a readable PDF"),
    ("scan.pdf", _blank_pdf, "the PDF has no text layer (0 characters on 3 pages)"),
    ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.4\nnot really\n"), "not a readable PDF"),
    ("broken.docx", lambda p: p.write_bytes(b"PK\x03\x04 no zip"), "not a readable .docx"),
    ("gbk.txt", lambda p: p.write_bytes("一、总体要求".encode("gbk")), "not UTF-8 text"),
    ("notes.rtf", lambda p: p.write_text("一、总体要求"), "cannot read .rtf: the formats are "
                                                     ".docx, .htm, .html, .pdf, .txt"),
    ("news.txt", lambda p: p.write_text("今天天气很好。\n我们去公园散步。\n"),
     "not a plan of the form 一、（一）1.: line 1: no part heading (一、…) found"),
    ("outline.txt", lambda p: p.write_text("一、概况\n本市情况良好。\n二、展望\n继续努力。\n"),
     "not a plan: it has part headings but no clause （一）"),
    ("broken-plan.txt",
     lambda p: p.write_text("一、总体要求\n（一）指导思想。推动发展。\n（三）目标。\n"),
     "not a plan of the form 一、（一）1.: line 3: clause （三） is out of order"),
]


@pytest.mark.parametrize("name,make,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_one_clear_error(tmp_path: Path, registry: AgencyRegistry, name: str,
                                     make: Callable[[Path], None], message: str) -> None:
    path = tmp_path / name
    make(path)
    with pytest.raises(UnreadableDocument) as caught:
        inspect(path, registry, "bad-file")
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize("name,make,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_cli_add_of_a_bad_file_exits_2_and_changes_nothing(
        corpus_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
        make: Callable[[Path], None], message: str) -> None:
    path = tmp_path / name
    make(path)
    before = fingerprint(corpus_copy)
    code, out, err = run_cli(capsys, "add", str(path), "--id", "bad-file")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert message in err
    assert fingerprint(corpus_copy) == before


def test_missing_file_and_bad_id(tmp_path: Path, registry: AgencyRegistry) -> None:
    with pytest.raises(UnreadableDocument, match="no such file"):
        read_document(tmp_path / "gone.pdf")
    with pytest.raises(BadInput, match="not a document id: 'Bad ID'"):
        inspect(EXTRA / "guangxi-2021-green.txt", registry, "Bad ID")
    chinese = tmp_path / "上海市碳达峰实施方案.txt"
    shutil.copy(EXTRA / "shanghai-2022-carbon-peak.txt", chinese)
    with pytest.raises(BadInput, match="cannot make a document id from the file name"):
        inspect(chinese, registry)


# -- the command ---------------------------------------------------------------------------------




def test_dry_run_reports_and_changes_nothing(corpus_copy: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(corpus_copy)
    code, out, err = run_cli(capsys, "add", str(EXTRA / "pdf" / "shanghai-2022-carbon-peak.pdf"),
                         "--dry-run", "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert set(report) == REPORT_KEYS
    assert {k: report[k] for k in ("doc_id", "title", "issuer", "number", "date", "level",
                                   "jurisdiction", "parts", "clauses", "numbered_items",
                                   "brackets", "clause_numbering", "format")} == {
        "doc_id": "shanghai-2022-carbon-peak", "title": "上海市碳达峰实施方案",
        "issuer": "上海市人民政府", "number": None, "date": None, "level": "municipal",
        "jurisdiction": "上海市", "parts": 5, "clauses": 21, "numbered_items": 41,
        "brackets": 52, "clause_numbering": "restarts", "format": "pdf"}
    assert report["agencies"][0] == "市发展改革委"
    assert "市委党校（行政学院）" in report["agencies"]
    assert report["warnings"][0] == (
        "guess: issuer: 上海市人民政府, the government of the jurisdiction the title names")
    assert fingerprint(corpus_copy) == before


def test_dry_run_text_report(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "add", str(EXTRA / "jiangxi-2022-carbon-peak.txt"),
                         "--dry-run")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:4] == ["doc_id: jiangxi-2022-carbon-peak", "title: 江西省碳达峰实施方案",
                         "issuer: 江西省人民政府", "number: （未注明）"]
    assert "numbered_items: 43" in lines
    assert "  - task without a bracket: （二）工业领域碳达峰行动 5. (line 53)" in lines


def test_add_appends_and_never_merges_agencies(corpus_copy: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    tianjin_duties = Corpus.load(corpus_copy).duties("市发展改革委")
    code, out, err = run_cli(capsys, "add", str(EXTRA / "shanghai-2021-green.txt"), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["added"] == str(corpus_copy / "shanghai-2021-green.txt")
    corpus = Corpus.load(corpus_copy)
    added = corpus.document("shanghai-2021-green")
    assert (added.meta.jurisdiction, added.meta.level.value, added.meta.date,
            added.meta.implements) == ("上海市", "municipal", "2021-09-29", ("guofa-2021-4",))
    assert len(added.clauses) == 26
    # Shanghai's 市发展改革委 is not Tianjin's: Tianjin's duties are what they were
    assert corpus.duties("市发展改革委") == tianjin_duties
    assert not list(corpus_copy.glob(".adding-*"))


def test_add_twice_is_a_clear_error_and_changes_nothing(
        corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "add", str(EXTRA / "liaoning-2021-green.txt"))[0] == 0
    before = fingerprint(corpus_copy)
    code, out, err = run_cli(capsys, "add",
                             str(EXTRA / "raw" / "liaoning-2021-green.pdftotext.txt"),
                             "--id", "liaoning-2021-green")
    assert (code, out) == (2, "")
    assert err == ("policy-assistant: liaoning-2021-green is already in the corpus "
                   "(liaoning-2021-green.txt); give another --id\n")
    assert fingerprint(corpus_copy) == before


def test_add_unreadable_file_exits_2_and_changes_nothing(
        corpus_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scan = tmp_path / "scan.pdf"
    _blank_pdf(scan)
    before = fingerprint(corpus_copy)
    code, out, err = run_cli(capsys, "add", str(scan), "--id", "scan")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith(f"policy-assistant: {scan}: the PDF has no text layer")
    assert fingerprint(corpus_copy) == before


def test_dry_run_of_the_tianjin_pdf_finds_it_in_the_corpus(
        corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "add", str(EXTRA / "pdf" / "tianjin-2022.pdf"), "--id",
                         "tianjin-2022-pdf", "--dry-run", "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert (report["clauses"], report["brackets"], report["jurisdiction"]) == (28, 97, "天津市")
    assert report["implements"] == [{
        "title": "国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见",
        "number": "国发〔2021〕4号", "doc_id": "guofa-2021-4"}]
    # every agency is Tianjin's registry's: no "not in the registry" warning
    assert report["warnings"] == ["the corpus has a document of this title: tianjin-2022",
                                  "not stated in the text: number"]
