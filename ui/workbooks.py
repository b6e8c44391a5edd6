"""The 分工表 as Excel workbooks, written with openpyxl: what a bureau receives.

``division_workbook``: sheet 分工表, one row per task (序号, 部分, 条款, 条款标题, 任务序号,
任务内容, 牵头单位, 配合单位), under a title row, the header frozen and filtered, columns sized
for Chinese text and wrapped, printed landscape on A4 with the header on every page; sheet
分工矩阵, the agency × clause matrix (牵N / 配N, lead cells dark, supporting light).
``duties_workbook``: an agency's tasks on sheets 牵头 and 配合, each with the task's partners.

The cells hold the structure's text as written; nothing is a formula (a task text starting
with "=" stays text). Fonts are named, not embedded: Excel and WPS use 宋体/黑体 where they
exist and substitute elsewhere.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from assistant.division import AgencyDivision, AgencyTask, Division, TaskRow, matrix

BODY_FONT = "宋体"
HEAD_FONT = "黑体"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_LEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_SUPPORT_FILL = PatternFill("solid", fgColor="BDD7EE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float  # in characters of the default font; a Chinese character is about two


DIVISION_COLUMNS = (
    Column("序号", 6), Column("部分", 22), Column("条款", 8), Column("条款标题", 20),
    Column("任务序号", 6), Column("任务内容", 70), Column("牵头单位", 18),
    Column("配合单位", 36))
DUTY_COLUMNS = (
    Column("序号", 6), Column("文件", 12), Column("部分", 22), Column("条款", 8),
    Column("条款标题", 20), Column("任务序号", 6), Column("任务内容", 64),
    Column("牵头单位", 18), Column("协同单位", 36))
MATCH_COLUMNS = (
    Column("列表", 10), Column("序号", 6), Column("文件", 12), Column("条款", 24),
    Column("任务序号", 6), Column("任务内容", 64), Column("牵头单位", 18), Column("配合单位", 30),
    Column("对象", 18), Column("类别", 18), Column("未规定事项", 36), Column("编号", 18))
DIVISION_SHEET, MATRIX_SHEET = "分工表", "分工矩阵"
LEAD_SHEET, SUPPORTING_SHEET = "牵头", "配合"
TITLE_ROW, HEADER_ROW = 1, 2  # the first task is on row 3


def names(agencies: Sequence[str], and_others: bool = False) -> str:
    return "、".join(agencies) + ("等部门" if and_others else "")


def division_values(number: int, row: TaskRow) -> list[str | int]:
    """The cells of one 分工表 row, in ``DIVISION_COLUMNS`` order."""
    return [number, row.part, row.clause_label, row.clause_title, row.task_no, row.text,
            names(row.leads), names(row.supporting, row.and_others)]


def duty_values(number: int, task: AgencyTask) -> list[str | int]:
    """The cells of one row of an agency's sheet, in ``DUTY_COLUMNS`` order: 协同单位 are the
    task's other units (lead or supporting)."""
    row = task.row
    return [number, task.doc_short_title, row.part, row.clause_label, row.clause_title,
            row.task_no, row.text, names(row.leads),
            names(task.partners, row.and_others)]


def division_title(div: Division) -> str:
    number = f"（{div.number}）" if div.number else ""
    note = "" if div.assigned else "（原文未列责任单位）"
    return f"《{div.title}》{number}任务分工表{note}"


def division_workbook(div: Division) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new Workbook has one sheet
    sheet.title = DIVISION_SHEET
    _table(sheet, division_title(div), DIVISION_COLUMNS,
           [division_values(i, row) for i, row in enumerate(div.rows, 1)])
    if div.assigned:
        _matrix_sheet(book.create_sheet(MATRIX_SHEET), div)
    return _save(book)


def duties_workbook(agency: AgencyDivision) -> bytes:
    book = Workbook()
    lead = book.active
    assert lead is not None
    lead.title = LEAD_SHEET
    for sheet, role, tasks in ((lead, "牵头", agency.lead),
                               (book.create_sheet(SUPPORTING_SHEET), "配合", agency.supporting)):
        _table(sheet, f"{agency.agency}{role}任务（共{len(tasks)}项）", DUTY_COLUMNS,
               [duty_values(i, task) for i, task in enumerate(tasks, 1)])
    return _save(book)


def match_workbook(title: str, rows: Sequence[Sequence[str | int]]) -> bytes:
    """The matcher's result (ui.match_views.match_rows): support, then requirements."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "适用政策"
    _table(sheet, title, MATCH_COLUMNS, rows)
    return _save(book)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(sheet: Worksheet, title: str, columns: Sequence[Column],
           rows: Sequence[Sequence[str | int]]) -> None:
    """A title row across the table, the header frozen and filtered, the rows wrapped."""
    last = get_column_letter(len(columns))
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    head = sheet.cell(TITLE_ROW, 1, title)
    head.font = Font(name=HEAD_FONT, size=14, bold=True)
    head.alignment = _CENTER
    sheet.row_dimensions[TITLE_ROW].height = 32
    for i, column in enumerate(columns, 1):
        cell = sheet.cell(HEADER_ROW, i, column.header)
        cell.font = Font(name=HEAD_FONT, size=11, bold=True)
        cell.fill, cell.border, cell.alignment = _HEAD_FILL, _BORDER, _CENTER
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    body = Font(name=BODY_FONT, size=11)
    for r, values in enumerate(rows, HEADER_ROW + 1):
        for c, value in enumerate(values, 1):
            cell = sheet.cell(r, c, value)
            cell.data_type = "n" if isinstance(value, int) else "s"  # never a formula
            cell.font, cell.border, cell.alignment = body, _BORDER, _WRAP
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _matrix_sheet(sheet: Worksheet, div: Division) -> None:
    """Agencies down, clauses across; 牵N (dark) where it leads N tasks of the clause, 配N
    (light) where it only supports."""
    m = matrix(div)
    sheet.cell(TITLE_ROW, 1, f"《{div.short_title}》部门 × 条款分工矩阵（牵N：牵头N项；"
                             "配N：配合N项）").font = Font(name=HEAD_FONT, size=14, bold=True)
    corner = sheet.cell(HEADER_ROW, 1, "部门 \\ 条款")
    corner.font, corner.fill, corner.border = Font(name=HEAD_FONT, bold=True), _HEAD_FILL, _BORDER
    sheet.column_dimensions["A"].width = 24
    for c, clause in enumerate(m.clauses, 2):
        cell = sheet.cell(HEADER_ROW, c, f"{clause.label}{clause.title}")
        cell.font = Font(name=HEAD_FONT, size=10, bold=True)
        cell.fill, cell.border = _HEAD_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="bottom", text_rotation=90,
                                   wrap_text=True)
        sheet.column_dimensions[get_column_letter(c)].width = 6
    sheet.row_dimensions[HEADER_ROW].height = 150
    for r, agency in enumerate(m.agencies, HEADER_ROW + 1):
        name = sheet.cell(r, 1, agency)
        name.font, name.border = Font(name=BODY_FONT), _BORDER
        for c in range(len(m.clauses)):
            cell = sheet.cell(r, c + 2, matrix_label(*m.cell(agency, c)))
            cell.border, cell.alignment = _BORDER, _CENTER
            lead, supporting = m.cell(agency, c)
            if lead:
                cell.fill, cell.font = _LEAD_FILL, Font(name=BODY_FONT, color="FFFFFF", bold=True)
            elif supporting:
                cell.fill, cell.font = _SUPPORT_FILL, Font(name=BODY_FONT)
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"


def matrix_label(lead: int, supporting: int) -> str:
    """牵2 配1, 牵1, 配3 or "" for a cell of the matrix."""
    return " ".join(part for part in (f"牵{lead}" if lead else "",
                                      f"配{supporting}" if supporting else "") if part)
