"""Pictures of the structure as SVG written from the data: the agencies an agency works with
most, the targets by year, and a document's agency × clause matrix.

No plotting library and nothing for the browser to download: each picture is a few rectangles
and texts, readable as a file, inline in the console and served under /v1 (ui/pictures.py).
Presentation attributes only, no <style> and no script, so the strict Content-Security-Policy
of /v1 leaves them whole. Every picture is labelled (<title>, <desc>, role="img"); every mark
has a <title> saying in words what it shows, and data-* attributes carrying its numbers, which
the tests read back. Every text is escaped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from assistant.division import AgencyDivision, Division, Partner, matrix
from core.model import Target
from indexing.corpus import Corpus
from ui.console_views import place

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
INK, MUTED, RULE = "#1f2933", "#52606d", "#9aa5b1"
LEAD, PARTNER_LEAD, SUPPORT = "#1f4e79", "#5b8db8", "#bdd7ee"  # the matrix's dark and light
# one colour per document, in corpus order (distinguishable, dark enough for white-on-colour)
DOCUMENT_COLOURS = ("#1f4e79", "#b3541e", "#2f7d32", "#6a3d9a", "#8c6d1f", "#c2185b")
NO_YEAR = "未定年份"


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is set at ``size`` px: CJK and full-width characters a full
    em, the rest a little over half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.56
               for ch in text)


def clip(text: str, size: float, width: float) -> str:
    """``text`` shortened with … to fit ``width`` px."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _text(x: float, y: float, text: str, size: float = 13, fill: str = INK,
          anchor: str = "start", weight: str = "normal", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
            f'text-anchor="{anchor}" font-weight="{weight}"{extra}>{escape(text)}</text>')


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str = "",
          extra: str = "") -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"'
            f"{extra}>{tip}</rect>")


def _svg(width: float, height: float, title: str, desc: str, body: Sequence[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
            f'aria-labelledby="pa-title pa-desc" font-family={quoteattr(FONT)}>'
            f'<title id="pa-title">{escape(title)}</title><desc id="pa-desc">{escape(desc)}</desc>'
            f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(body)}</svg>\n')


def _legend(x: float, y: float, items: Sequence[tuple[str, str]]) -> tuple[list[str], float]:
    """Swatches with their names in a row; the parts and the x where the row ends."""
    out = []
    for colour, name in items:
        out.append(_rect(x, y - 10, 12, 12, colour))
        out.append(_text(x + 16, y, name, 12, MUTED))
        x += 16 + text_width(name, 12) + 18
    return out, x


def _attrs(**values: object) -> str:
    return "".join(f" data-{k.replace('_', '-')}={quoteattr(str(v))}" for k, v in values.items())


# -- the agencies an agency works with most -------------------------------------------------


def partners_svg(agency: AgencyDivision, found: Sequence[Partner], top: int = 15) -> str:
    """Horizontal bars, one per partner (the ``top`` first): the tasks the two share, split by
    who leads them."""
    name, shown = agency.agency, list(found[:top])
    tasks = len(agency.lead) + len(agency.supporting)
    title = f"{name}最常合作的部门"
    desc = (f"{name}共{tasks}项任务，与{len(found)}个部门共同承担；"
            + "；".join(f"{p.name}{p.tasks}项" for p in shown))
    body = [_text(16, 26, title, 16, weight="bold"),
            _text(16, 46, f"共同承担的任务数：{name}共{tasks}项任务，与{len(found)}个部门共同承担"
                  + (f"，显示最多的{len(shown)}个" if len(found) > len(shown) else ""),
                  12, MUTED)]
    legend, right = _legend(16, 70, ((LEAD, f"{name}牵头"), (PARTNER_LEAD, "对方牵头"),
                                     (SUPPORT, "同为配合")))
    body += legend
    if not shown:
        body.append(_text(16, 104, "没有与其他部门共同承担的任务。", 13))
        return _svg(max(right, 420), 124, title, desc, body)
    label_w = min(max(text_width(p.name, 13) for p in shown), 16 * 13) + 12
    x0, bar_w, row_h, y0 = 16 + label_w, 420.0, 26, 88
    most = max(p.tasks for p in shown)
    for i, p in enumerate(shown):
        y = y0 + i * row_h
        row = [_text(x0 - 8, y + 15, clip(p.name, 13, label_w - 8), 13, anchor="end")]
        x = x0
        for count, colour, role in ((p.agency_leads, LEAD, f"{name}牵头"),
                                    (p.partner_leads, PARTNER_LEAD, f"{p.name}牵头"),
                                    (p.neither_leads, SUPPORT, "同为配合")):
            if count:
                w = bar_w * count / most
                row.append(_rect(x, y + 3, w, 16, colour, f"{p.name}：{role}{count}项"))
                x += w
        row.append(_text(x + 6, y + 15, f"{p.tasks}项", 12, MUTED))
        data = _attrs(partner=p.name, tasks=p.tasks, agency_leads=p.agency_leads,
                      partner_leads=p.partner_leads)
        body.append(f"<g{data}>{''.join(row)}</g>")
    width = max(x0 + bar_w + 56, right + 16)
    return _svg(width, y0 + len(shown) * row_h + 12, title, desc, body)


# -- the targets by year ----------------------------------------------------------------------


def targets_svg(corpus: Corpus) -> str:
    """A timeline: a column per year the texts set (earliest first, targets without a year
    last), each listing its targets as written, coloured by document."""
    years: dict[int | None, list[Target]] = {}
    for t in sorted(corpus.targets, key=lambda t: (t.year is None, t.year or 0)):
        years.setdefault(t.year, []).append(t)
    docs = [d for d in corpus.documents if any(t.doc_id == d.doc_id for t in corpus.targets)]
    colour = {d.doc_id: DOCUMENT_COLOURS[i % len(DOCUMENT_COLOURS)] for i, d in enumerate(docs)}
    title = "量化目标（按年份）"
    desc = (f"{len(corpus.targets)}项量化目标："
            + "；".join(f"{NO_YEAR if y is None else f'{y}年'}{len(ts)}项"
                        for y, ts in years.items()))
    body = [_text(16, 26, title, 16, weight="bold"),
            _text(16, 46, "数值与年份均按原文；圆点颜色表示文件", 12, MUTED)]
    legend, right = _legend(16, 70, [(colour[d.doc_id], d.meta.short_title) for d in docs])
    body += legend
    col_w, axis_y, line_h = 330.0, 100.0, 22
    width = max(16 + col_w * max(len(years), 1), right + 16)
    body.append(f'<line x1="16" y1="{axis_y}" x2="{width - 16:.0f}" y2="{axis_y}" '
                f'stroke="{RULE}" stroke-width="2"/>')
    for i, (year, targets) in enumerate(years.items()):
        x = 16 + i * col_w
        label = NO_YEAR if year is None else f"{year}年"
        column = [f'<circle cx="{x + 8:.1f}" cy="{axis_y}" r="7" fill="{INK}"/>',
                  _text(x + 22, axis_y - 8, label, 15, weight="bold"),
                  _text(x + 22, axis_y + 20, f"{len(targets)}项", 12, MUTED)]
        for j, t in enumerate(targets):
            y = axis_y + 44 + j * line_h
            line = f"{t.indicator} {t.comparator}{t.display_value}"
            where = (f"{corpus.document(t.doc_id).meta.short_title}"
                     f"{place(corpus, t.doc_id, t.part_no, t.clause_no)}第{t.provision}项")
            column.append(
                f"<g{_attrs(doc=t.doc_id, indicator=t.indicator, value=t.display_value)}>"
                f"<title>{escape(f'{where}：{t.text}')}</title>"
                f'<circle cx="{x + 8:.1f}" cy="{y - 4:.1f}" r="5" fill="{colour[t.doc_id]}"/>'
                f"{_text(x + 20, y, clip(line, 12, col_w - 34), 12)}</g>")
        body.append(f"<g{_attrs(year=label, count=len(targets))}>{''.join(column)}</g>")
    longest = max((len(ts) for ts in years.values()), default=0)
    return _svg(width, axis_y + 44 + longest * line_h, title, desc, body)


# -- a document's agency × clause matrix -----------------------------------------------------


def matrix_svg(div: Division) -> str:
    """A heatmap: a row per agency, a column per clause; a cell dark where the agency leads a
    task of the clause, light where it only supports, its number the tasks it has there."""
    title = f"《{div.short_title}》部门 × 条款分工矩阵"
    if not div.assigned or not div.rows:
        text = f"《{div.short_title}》原文未列责任单位，没有分工矩阵。"
        return _svg(max(text_width(text, 13) + 32, 320), 60, title, text,
                    [_text(16, 34, text, 13)])
    m = matrix(div)
    desc = (f"{len(m.agencies)}个部门，{len(m.clauses)}条，{len(div.rows)}项任务；深色为牵头，"
            "浅色为配合，数字为该部门在该条中的任务数")
    cell, label_w = 26.0, max(text_width(a, 12) for a in m.agencies) + 16
    head_h = max(text_width(clip(c.label + c.title, 11, 150), 11) for c in m.clauses) + 16
    x0, y0 = 16 + label_w, 90 + head_h
    body = [_text(16, 26, title, 16, weight="bold"),
            _text(16, 46, desc, 12, MUTED)]
    legend, right = _legend(16, 70, ((LEAD, "牵头（含配合）"), (SUPPORT, "仅配合")))
    body += legend
    for j, c in enumerate(m.clauses):
        x, y = x0 + j * cell + cell / 2 + 4, y0 - 8
        body.append(f'<g{_attrs(clause=c.label)}><title>{escape(c.label + c.title)}</title>'
                    + _text(x, y, clip(c.label + c.title, 11, 150), 11,
                            extra=f' transform="rotate(-90 {x:.1f} {y:.1f})"') + "</g>")
    body.append(_text(x0 + len(m.clauses) * cell + 6, y0 - 8, "合计", 11, weight="bold"))
    for j in range(len(m.clauses) + 1):  # column rules, so a cell is easy to follow down
        x = x0 + j * cell
        body.append(f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" '
                    f'y2="{y0 + len(m.agencies) * cell:.1f}" stroke="#e4e7eb" stroke-width="1"/>')
    for i, agency in enumerate(m.agencies):
        y = y0 + i * cell
        row = [_text(x0 - 8, y + 17, agency, 12, anchor="end")]
        leads = supports = 0
        for j, c in enumerate(m.clauses):
            lead, sup = m.cell(agency, j)
            leads, supports = leads + lead, supports + sup
            if not lead + sup:
                continue
            x = x0 + j * cell
            row.append(f"<g{_attrs(clause=c.label, lead=lead, supporting=sup)}>"
                       + _rect(x + 1, y + 1, cell - 2, cell - 2, LEAD if lead else SUPPORT,
                               f"{agency}·{c.label}{c.title}：牵头{lead}项，配合{sup}项")
                       + _text(x + cell / 2, y + 17, str(lead + sup), 11,
                               "#ffffff" if lead else INK, "middle", "bold" if lead else "normal")
                       + "</g>")
        row.append(_text(x0 + len(m.clauses) * cell + 6, y + 17, f"牵{leads} 配{supports}",
                         11, MUTED))
        body.append(f"<g{_attrs(agency=agency, lead=leads, supporting=supports)}>"
                    f"{''.join(row)}</g>")
    width = max(x0 + len(m.clauses) * cell + 90, right + 16)
    return _svg(width, y0 + len(m.agencies) * cell + 16, title, desc, body)
