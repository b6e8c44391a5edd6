"""What the console's 分工矩阵 and 反馈 tabs show, as plain data: the agency × clause matrix of a
document as an HTML table (a heatmap: lead cells dark, supporting light), and visitors'
feedback as table rows and a summary.

No Gradio here (ui/console_tabs.py lays it out), so all of it is tested without a browser.
Every name and text is escaped: the matrix is the structure's text, feedback is visitors'.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from assistant.division import Division, matrix
from ui.feedback_store import StoredFeedback, place_text
from ui.workbooks import matrix_label

FEEDBACK_HEADERS = ["编号", "时间（UTC）", "评价", "问题", "回答", "引用", "意见"]
RATING_ZH = {"up": "有帮助", "down": "没帮助"}
_STYLE = (
    "<style>"
    ".pa-matrix{border-collapse:collapse;font-size:13px;}"
    ".pa-matrix caption{text-align:left;padding:4px 0 8px;font-weight:600;}"
    ".pa-matrix th,.pa-matrix td{border:1px solid #9aa5b1;padding:3px 6px;text-align:center;"
    "white-space:nowrap;}"
    ".pa-matrix thead th{writing-mode:vertical-rl;white-space:nowrap;max-height:14em;"
    "font-weight:600;background:#e8edf3;color:#1f2933;}"
    ".pa-matrix tbody th{text-align:left;white-space:nowrap;background:#f5f7fa;color:#1f2933;}"
    ".pa-matrix td.lead{background:#1f4e79;color:#fff;font-weight:700;}"
    ".pa-matrix td.sup{background:#bdd7ee;color:#102a43;}"
    ".pa-matrix td.total{background:#f5f7fa;color:#1f2933;}"
    ".pa-matrix-wrap{overflow:auto;max-height:70vh;}"
    "</style>")


def matrix_html(div: Division) -> str:
    """The agency × clause matrix of a 分工表 as an accessible HTML table: a caption, column
    headers (the clauses) and row headers (the agencies), cells 牵N / 配N."""
    if not div.assigned or not div.rows:
        return (f"<p>《{escape(div.short_title)}》原文未列责任单位，没有分工矩阵。</p>")
    m = matrix(div)
    head = "".join(f'<th scope="col" title="{escape(c.label + c.title)}">'
                   f"{escape(c.label + c.title)}</th>" for c in m.clauses)
    rows = []
    for agency in m.agencies:
        cells = []
        leads = supports = 0
        for column in range(len(m.clauses)):
            lead, supporting = m.cell(agency, column)
            leads, supports = leads + lead, supports + supporting
            kind = "lead" if lead else "sup" if supporting else ""
            cells.append(f'<td class="{kind}">{cell_html(lead, supporting)}</td>')
        rows.append(f'<tr><th scope="row">{escape(agency)}</th>{"".join(cells)}'
                    f'<td class="total">{cell_html(leads, supports)}</td></tr>')
    caption = (f"《{escape(div.short_title)}》部门 × 条款分工矩阵：{len(m.agencies)}个部门，"
               f"{len(m.clauses)}条，{len(div.rows)}项任务（牵N：牵头N项，深色；"
               "配N：配合N项，浅色）")
    return (f'{_STYLE}<div class="pa-matrix-wrap"><table class="pa-matrix">'
            f"<caption>{caption}</caption><thead><tr>"
            f'<th scope="col">部门</th>{head}<th scope="col">合计</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def cell_html(lead: int, supporting: int) -> str:
    """牵2<br>配1: the matrix label, one role a line."""
    return matrix_label(lead, supporting).replace(" ", "<br>")


def feedback_rows(records: Sequence[StoredFeedback]) -> list[list[str | int]]:
    """One row per feedback, newest first as given (``FEEDBACK_HEADERS``)."""
    return [[r.id, r.created.strftime("%Y-%m-%d %H:%M"), RATING_ZH[r.feedback.rating],
             r.feedback.question, r.feedback.answer,
             "；".join(place_text(c) for c in r.feedback.citations), r.feedback.comment]
            for r in records]


def feedback_summary(counts: dict[str, int], shown: int) -> str:
    total = counts["up"] + counts["down"]
    return (f"共 {total} 条反馈：有帮助 {counts['up']} 条，没帮助 {counts['down']} 条"
            + (f"（显示最新 {shown} 条）" if shown < total else ""))
