"""The 分工表: rows from the parsed structure, the workbooks read back through openpyxl cell for
cell, the HTTP downloads and the command line."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from assistant.division import Division, TaskRow, agency_division, division, matrix
from indexing.corpus import Corpus
from ui import views
from ui.cli import main
from ui.exports import XLSX
from ui.workbooks import (
    DIVISION_COLUMNS,
    DUTY_COLUMNS,
    division_values,
    division_workbook,
    duties_workbook,
    duty_values,
)


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def values(sheet: object, first_row: int = 3) -> list[list[object]]:
    """The cells as read back; an empty cell is "" (Excel keeps no empty strings)."""
    rows = sheet.iter_rows(min_row=first_row, values_only=True)  # type: ignore[attr-defined]
    return [["" if v is None else v for v in r] for r in rows]


# -- rows -----------------------------------------------------------------------------------


def test_one_row_per_responsibility_bracket(corpus: Corpus) -> None:
    for doc in corpus.documents:
        div = division(corpus, doc.doc_id)
        brackets = views.document_view(doc)["responsibility_brackets"]
        if brackets:
            assert div.assigned and len(div.rows) == brackets
            assert [(r.clause_no, r.task_no) for r in div.rows] == [
                (p.clause_no, p.index) for p in doc.provisions if p.agencies]


def test_rows_of_a_clause_are_its_tasks_with_their_brackets(corpus: Corpus) -> None:
    clause = corpus.clause("tianjin-2022", 9)
    rows = [r for r in division(corpus, "天津方案").rows if r.clause_no == 9]
    assert [(r.part, r.clause_label, r.clause_title, r.task_no, r.text, r.agencies)
            for r in rows] == [
        ("三、构建绿色低碳循环发展的流通体系", "（九）", "打造绿色物流体系", p.index, p.text,
         p.agencies) for p in clause.provisions]
    fifth = rows[4]
    assert (fifth.leads, fifth.supporting) == (
        ("市交通运输委",), ("天津海事局", "滨海新区人民政府", "天津港集团"))


def test_a_document_without_brackets_lists_its_clauses_unassigned(corpus: Corpus) -> None:
    doc = corpus.document("guofa-2021-4")
    div = division(corpus, "guofa-2021-4")
    assert not div.assigned
    assert [(r.clause_no, r.task_no) for r in div.rows] == [
        (p.clause_no, p.index) for p in doc.provisions if p.clause_no != 0]
    assert all(r.leads == r.supporting == () for r in div.rows)


def test_matrix_counts_lead_and_supporting_per_clause(corpus: Corpus) -> None:
    div = division(corpus, "tianjin-2022")
    m = matrix(div)
    nine = next(i for i, c in enumerate(m.clauses) if c.clause_no == 9)
    assert m.cell("天津港集团", nine) == (1, 1)
    tasks = corpus.clause("tianjin-2022", 9).provisions
    assert m.cell("市交通运输委", nine) == (
        sum(p.agencies[0] == "市交通运输委" for p in tasks),
        sum("市交通运输委" in p.agencies[1:] for p in tasks))
    # every bracket entry is counted once
    assert sum(sum(m.cell(a, c)) for a in m.agencies for c in range(len(m.clauses))) == sum(
        len(r.agencies) for r in div.rows)
    assert m.agencies[0] == "市发展改革委"  # leads the most tasks


# -- workbooks ------------------------------------------------------------------------------


def test_division_workbook_reads_back_cell_for_cell(corpus: Corpus) -> None:
    div = division(corpus, "tianjin-2022")
    book = read(division_workbook(div))
    assert book.sheetnames == ["分工表", "分工矩阵"]
    sheet = book["分工表"]
    assert sheet["A1"].value == ("《天津市加快建立健全绿色低碳循环发展经济体系的实施方案》"
                                 "任务分工表")
    assert [c.value for c in sheet[2]] == [c.header for c in DIVISION_COLUMNS]
    assert values(sheet) == [division_values(i, r) for i, r in enumerate(div.rows, 1)]
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:H{len(div.rows) + 2}"
    assert "A1:H1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.column_dimensions["F"].width == 70
    task = sheet["F3"]
    assert (task.alignment.wrap_text, task.font.name) == (True, "宋体")
    shore = next(r for r in values(sheet) if r[2] == "（九）" and r[4] == 5)
    assert shore[5:] == [
        "新改扩建码头工程（油气化工码头除外）同步设计、建设岸电设施，港作船舶岸电使用率达到100%。",
        "市交通运输委", "天津海事局、滨海新区人民政府、天津港集团"]
    grid = book["分工矩阵"]
    heads = [c.value for c in grid[2]]
    port = next(r for r in grid.iter_rows(min_row=3, values_only=True) if r[0] == "天津港集团")
    assert port[heads.index("（九）打造绿色物流体系")] == "牵1 配1"


def test_text_that_looks_like_a_formula_stays_text() -> None:
    row = TaskRow("x", "一、", 1, "（一）", "标题", 1, '=HYPERLINK("http://x","y")',
                  ("甲",), ("乙",), True, 1)
    book = read(division_workbook(Division("x", "测试", "测试", None, (row,), True)))
    cell = book["分工表"]["F3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert book["分工表"]["H3"].value == "乙等部门"


def test_national_workbook_says_no_units_are_named(corpus: Corpus) -> None:
    book = read(division_workbook(division(corpus, "国家指导意见")))
    assert book.sheetnames == ["分工表"]
    assert str(book["分工表"]["A1"].value).endswith("任务分工表（原文未列责任单位）")


def test_duties_workbook_has_lead_and_supporting_sheets(corpus: Corpus) -> None:
    tasks = agency_division(corpus, "港集团")
    book = read(duties_workbook(tasks))
    assert book.sheetnames == ["牵头", "配合"]
    lead, supporting = book["牵头"], book["配合"]
    assert lead["A1"].value == "天津港集团牵头任务（共1项）"
    assert [c.value for c in supporting[2]] == [c.header for c in DUTY_COLUMNS]
    assert values(lead) == [duty_values(i, t) for i, t in enumerate(tasks.lead, 1)]
    assert values(supporting) == [duty_values(i, t) for i, t in enumerate(tasks.supporting, 1)]
    duties = corpus.duties("天津港集团")
    assert len(values(lead)) + len(values(supporting)) == len(duties)
    shore = next(r for r in values(supporting) if r[3] == "（九）" and r[5] == 5)
    assert shore[7:] == ["市交通运输委", "市交通运输委、天津海事局、滨海新区人民政府"]


# -- HTTP -----------------------------------------------------------------------------------


def test_division_download(client: TestClient, corpus: Corpus) -> None:
    response = client.get("/v1/documents/tianjin-2022/division.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"tianjin-2022-division.xlsx\"; filename*=UTF-8''"
        "%E5%A4%A9%E6%B4%A5%E6%96%B9%E6%A1%88-%E4%BB%BB%E5%8A%A1%E5%88%86%E5%B7%A5%E8%A1%A8.xlsx")
    div = division(corpus, "tianjin-2022")
    assert values(read(response.content)["分工表"]) == [
        division_values(i, r) for i, r in enumerate(div.rows, 1)]
    head = client.head("/v1/documents/tianjin-2022/division.xlsx")
    assert (head.status_code, head.content) == (200, b"")


def test_duties_download_resolves_aliases(client: TestClient) -> None:
    response = client.get("/v1/agencies/发改委/duties.xlsx")
    assert response.status_code == 200
    assert read(response.content)["牵头"]["A1"].value.startswith("市发展改革委牵头任务")


@pytest.mark.parametrize(("path", "code"), [
    ("/v1/documents/nope/division.xlsx", "unknown_document"),
    ("/v1/agencies/不存在的局/duties.xlsx", "unknown_agency"),
], ids=["document", "agency"])
def test_unknown_names_are_json_404(client: TestClient, path: str, code: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code
    assert set(response.json()["error"]) == {"code", "message"}


# -- command line ---------------------------------------------------------------------------


def test_cli_division_and_duties_write_workbooks(tmp_path: Path, corpus: Corpus,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "分工表.xlsx"
    assert main(["division", "天津方案", "--xlsx", str(path)]) == 0
    assert capsys.readouterr().err == f"written: {path} (97 tasks)\n"
    div = division(corpus, "tianjin-2022")
    assert values(read(path.read_bytes())["分工表"]) == [
        division_values(i, r) for i, r in enumerate(div.rows, 1)]
    duties = tmp_path / "duties.xlsx"
    assert main(["duties", "天津港集团", "--xlsx", str(duties)]) == 0
    assert capsys.readouterr().err == f"written: {duties} (牵头 1, 配合 2)\n"
    assert read(duties.read_bytes()).sheetnames == ["牵头", "配合"]
    assert {p.name for p in tmp_path.iterdir()} == {path.name, duties.name}  # no leftovers


@pytest.mark.parametrize("argv", [
    ["division", "nope", "--xlsx", "{tmp}/x.xlsx"],
    ["duties", "不存在的局", "--xlsx", "{tmp}/x.xlsx"],
    ["division", "tianjin-2022", "--xlsx", "{tmp}/missing/x.xlsx"],
], ids=["unknown-document", "unknown-agency", "unwritable"])
def test_cli_errors_are_one_line(argv: list[str], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("policy-assistant: ")
    assert list(tmp_path.rglob("*")) == []  # nothing half-written


def test_cli_division_json(capsys: pytest.CaptureFixture[str], corpus: Corpus) -> None:
    import json

    assert main(["division", "tianjin-2022", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["assigned"] is True and len(data["rows"]) == len(
        division(corpus, "tianjin-2022").rows)
    assert data["rows"][0]["牵头单位"] == division(corpus, "tianjin-2022").rows[0].leads[0]
