"""What the staff console shows, as plain data: Markdown for an answer with its citations and
for a clause with its tasks, choices for the pickers, rows for the duty and target tables.

No Gradio here, so all of it is tested without a browser; ui/console.py lays it out. Clause
labels, agencies and numbers come from the parsed structure, as everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from core.model import (
    AgencyKind,
    Answer,
    Citation,
    Clause,
    Document,
    Duty,
    Part,
    Provision,
    Role,
)
from indexing.corpus import Corpus

ROLE_ZH = {Role.LEAD: "牵头", Role.SUPPORTING: "配合"}
DUTY_HEADERS = ["文件", "条款", "项", "角色", "任务", "责任单位"]
TARGET_HEADERS = ["文件", "条款", "项", "指标", "要求", "目标值", "年份", "原文"]
PREAMBLE_KEY = "0"
_PART_PREFIX = "part-"
# the order agencies are offered in: city departments first, then districts, central units …
KIND_ORDER = (AgencyKind.CITY_DEPARTMENT, AgencyKind.DISTRICT_GOVERNMENT,
               AgencyKind.CENTRAL_UNIT, AgencyKind.ENTERPRISE, AgencyKind.OTHER,
               AgencyKind.UNREGISTERED)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<>#|~])")


def escape(text: str) -> str:
    """Text shown as itself inside Markdown: no emphasis, heading, table or HTML made of it.
    Brackets stay: [1] markers are no links without a URL after them."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def agencies_text(agencies: Sequence[str], and_others: bool = False) -> str:
    """市交通运输委（牵头）、市海事局、…: the lead first and marked, as the bracket lists them."""
    if not agencies:
        return ""
    names = [f"{agencies[0]}（牵头）", *agencies[1:]]
    return "、".join(names) + ("等部门" if and_others else "")


def place(corpus: Corpus, doc_id: str, part_no: int, clause_no: int | None) -> str:
    """（九）打造绿色物流体系, or the part's heading for text that belongs to no clause."""
    doc = corpus.document(doc_id)
    clause = doc.clause(clause_no) if clause_no is not None else None
    if clause is not None:
        return clause.heading
    part = doc.part(part_no)
    return part.heading if part else ""


# -- chat -----------------------------------------------------------------------------------


def citation_label(corpus: Corpus, c: Citation) -> str:
    """《short title》（九）clause title 第5项"""
    short = corpus.document(c.doc_id).meta.short_title
    where = f"{c.clause_label}{c.clause_title or ''}" if c.clause_label else (c.part or "")
    item = f" 第{c.provision}项" if c.provision is not None else ""
    return f"《{short}》{where}{item}"


def citation_markdown(corpus: Corpus, c: Citation) -> str:
    lines = [f"**[{c.n}]** {escape(citation_label(corpus, c))}", f"> {escape(c.quote)}"]
    if c.agencies:
        lines += ["", f"责任单位：{escape(agencies_text(c.agencies))}"]
    return "\n".join(lines)


def reply_markdown(corpus: Corpus, answer: Answer) -> str:
    """The answer's text and, beneath it, its sources: what the chat shows for one reply."""
    parts = [escape(answer.answer)]
    if answer.citations:
        parts += ["---", "**引用来源**"]
        parts += [citation_markdown(corpus, c) for c in answer.citations]
    return "\n\n".join(parts)


# -- clause browser -------------------------------------------------------------------------


def document_choices(corpus: Corpus) -> list[tuple[str, str]]:
    """(label, doc_id): the short title · the full title"""
    return [(f"{d.meta.short_title} · {d.meta.title}", d.doc_id) for d in corpus.documents]


def section_choices(doc: Document) -> list[tuple[str, str]]:
    """(label, key) for every clause in reading order, the preamble (clause 0) first, and the
    text of a part that has no clauses of its own (its key ``part-N``)."""
    preamble = doc.preamble
    out = [("序言", PREAMBLE_KEY)] if preamble.provisions or preamble.text else []
    for part in doc.parts:
        if part.intro:
            out.append((part.heading, f"{_PART_PREFIX}{part.no}"))
        out.extend((clause.heading, str(clause.no)) for clause in part.clauses)
    return out


def _tasks_markdown(provisions: Sequence[Provision]) -> list[str]:
    lines = []
    for p in provisions:
        item = f"**[{p.index}]** {escape(p.text)}"
        if p.agencies:
            item += f"  \n责任单位：{escape(agencies_text(p.agencies, p.and_others))}"
        lines.append(item)
    return lines


def clause_markdown(corpus: Corpus, clause: Clause) -> str:
    doc = corpus.document(clause.doc_id)
    part = doc.part(clause.part_no)
    if clause.no == 0:  # title, notice and preamble: paragraphs, no tasks to count
        lines = [f"### 《{escape(doc.meta.short_title)}》序言"]
    else:
        lines = [f"### 《{escape(doc.meta.short_title)}》{escape(clause.heading)}"]
        if part is not None:
            lines.append(escape(part.heading))
        lines.append(f"共{len(clause.provisions)}项")
        lines += _links_markdown(corpus, clause)
    lines += _tasks_markdown(clause.provisions) or [escape(clause.text)]
    return "\n\n".join(lines)


def _links_markdown(corpus: Corpus, clause: Clause) -> list[str]:
    """The stored, reviewed links (corpus/links.toml) of a clause, both ways: the clauses it
    implements, and the local clauses that implement it."""
    out = []
    for label, pairs in (
            ("落实", [(o, n) for d, c, o, n in corpus.links
                      if (d, c) == (clause.doc_id, clause.no)]),
            ("落实本条的地方条款", [(d, c) for d, c, o, n in corpus.links
                            if (o, n) == (clause.doc_id, clause.no)])):
        places = [f"《{escape(corpus.document(d).meta.short_title)}》"
                  f"{escape(corpus.clause(d, n).heading)}" for d, n in pairs]
        if places:
            out.append(f"{label}：" + "；".join(places))
    return out


def part_markdown(corpus: Corpus, part: Part) -> str:
    """The text of a part that belongs to no clause (二、主要目标 of the 中央意见)."""
    doc = corpus.document(part.doc_id)
    lines = [f"### 《{escape(doc.meta.short_title)}》{escape(part.heading)}",
             f"共{len(part.intro)}项", *_tasks_markdown(part.intro)]
    return "\n\n".join(lines)


def section_markdown(corpus: Corpus, doc_id: str, key: str) -> str:
    """What the clause browser shows for a key of ``section_choices``: "9", "0", "part-2"."""
    doc = corpus.document(doc_id)
    if key.startswith(_PART_PREFIX):
        part = doc.part(int(key.removeprefix(_PART_PREFIX)))
        return part_markdown(corpus, part) if part else ""
    return clause_markdown(corpus, corpus.clause(doc.doc_id, int(key)))


# -- duties and targets ---------------------------------------------------------------------


def agency_choices(corpus: Corpus) -> list[tuple[str, str]]:
    """(label, canonical name) for every registered agency and any a text names beyond the
    registry: by kind (city departments first), then by how many tasks name it."""
    counts = {name: 0 for name in (a.name for a in corpus.registry)}
    for doc in corpus.documents:
        for p in doc.provisions:
            for name in p.agencies:
                counts[name] = counts.get(name, 0) + 1
    order = {name: i for i, name in enumerate(counts)}

    def key(name: str) -> tuple[int, int, int]:
        kind = corpus.registry.agency(name).kind
        return (KIND_ORDER.index(kind), -counts[name], order[name])

    return [(f"{name}（{counts[name]}项）", name) for name in sorted(counts, key=key)]


def duty_rows(corpus: Corpus, duties: Sequence[Duty]) -> list[list[str | int]]:
    """One row per task: 文件, 条款, 项, 角色, 任务, 责任单位 (``DUTY_HEADERS``)."""
    rows: list[list[str | int]] = []
    for d in duties:
        p = d.provision
        rows.append([corpus.document(p.doc_id).meta.short_title,
                     place(corpus, p.doc_id, p.part_no, p.clause_no), p.index,
                     ROLE_ZH[d.role], p.text, agencies_text(p.agencies, p.and_others)])
    return rows


def duty_summary(agency: str, duties: Sequence[Duty]) -> str:
    lead = sum(1 for d in duties if d.role == Role.LEAD)
    return (f"**{escape(agency)}** 共 {len(duties)} 项任务：牵头 {lead} 项，"
            f"配合 {len(duties) - lead} 项")


def target_rows(corpus: Corpus) -> list[list[str | int]]:
    """Every target as written: 文件, 条款, 项, 指标, 要求, 目标值, 年份, 原文
    (``TARGET_HEADERS``); 年份 is empty where the text sets none."""
    rows: list[list[str | int]] = []
    for t in corpus.targets:
        base = f"比{t.base_year}年" if t.base_year else ""
        rows.append([corpus.document(t.doc_id).meta.short_title,
                     place(corpus, t.doc_id, t.part_no, t.clause_no), t.provision, t.indicator,
                     f"{base}{t.comparator}", t.display_value,
                     "" if t.year is None else str(t.year), t.text])
    return rows


# -- adding a document ----------------------------------------------------------------------

REPORT_FIELDS = (("doc_id", "编号"), ("title", "标题"), ("issuer", "发文机关"), ("number", "文号"),
                 ("date", "日期"), ("level", "层级"), ("jurisdiction", "适用地区"),
                 ("parts", "部分"), ("clauses", "条"), ("numbered_items", "编号任务"),
                 ("brackets", "责任括号"), ("clause_numbering", "条款编号"))


def report_markdown(report: dict[str, Any]) -> str:
    """The report of ``policy-assistant add`` as the console shows it: the fields, the
    agencies, then each warning; what was added, when it was."""
    rows = ["| 项目 | 内容 |", "|---|---|"]
    for key, label in REPORT_FIELDS:
        value = report.get(key)
        rows.append(f"| {label} | {escape('（未注明）' if value is None else str(value))} |")
    lines = ["\n".join(rows)]
    agencies = report.get("agencies", [])
    lines.append(f"**责任单位（{len(agencies)}）**：{escape('、'.join(agencies)) or '无'}")
    warnings = report.get("warnings", [])
    lines.append(f"**提示（{len(warnings)}）**" + ("" if warnings else "：无"))
    lines += [f"- {escape(w)}" for w in warnings]
    if "added" in report:
        index = report.get("index") or {}
        lines.insert(0, f"✅ 已添加《{escape(str(report.get('title') or report['doc_id']))}》"
                        f"（{escape(report['doc_id'])}），新嵌入 {index.get('added', 0)} 段，"
                        "已可提问。")
    return "\n\n".join(lines)
