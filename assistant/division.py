"""The 任务分工表 as data: every task of a document with its place, lead and supporting units,
one agency's tasks split by role with its partners (and the agencies it shares most tasks
with), and the agency × clause matrix.

Everything comes from the parsed structure (the task table of assistant.tasks): no retrieval,
no generated text. A task is a provision whose responsibility bracket names agencies; a
document that names none (the national documents) lists every provision of its numbered
clauses instead, with the responsibility columns empty, so its workbook is still the frame a
bureau fills in. The workbook itself is ui.workbooks'.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.tasks import TaskTable
from core.model import Document, Provision, Role
from indexing.corpus import Corpus


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One line of a 分工表."""

    doc_id: str
    part: str  # 三、构建绿色低碳循环发展的流通体系 ("" for text before the first part)
    clause_no: int | None  # the clause id; None for the text of a part without clauses
    clause_label: str  # （九）
    clause_title: str  # 打造绿色物流体系
    task_no: int  # 1-based within its clause
    text: str
    leads: tuple[str, ...]  # 牵头单位, as the bracket names them
    supporting: tuple[str, ...]  # the other agencies of the bracket, in its order
    and_others: bool  # the bracket ends with 等部门
    line: int

    @property
    def agencies(self) -> tuple[str, ...]:
        return (*self.leads, *self.supporting)


@dataclass(frozen=True, slots=True)
class Division:
    """A document's 分工表. ``assigned`` is false when the text names no responsible units."""

    doc_id: str
    title: str
    short_title: str
    number: str | None
    rows: tuple[TaskRow, ...]
    assigned: bool


@dataclass(frozen=True, slots=True)
class AgencyTask:
    """A task of one agency: its row, the agency's role and the other units of the task."""

    doc_short_title: str
    row: TaskRow
    role: Role
    partners: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgencyDivision:
    agency: str
    lead: tuple[AgencyTask, ...]
    supporting: tuple[AgencyTask, ...]


@dataclass(frozen=True, slots=True)
class Partner:
    """An agency named in the same tasks as another: in how many, and who leads them."""

    name: str
    tasks: int
    agency_leads: int  # of these tasks, the agency leads (or co-leads)
    partner_leads: int  # the partner leads and the agency supports

    @property
    def neither_leads(self) -> int:  # both support a third agency's task
        return self.tasks - self.agency_leads - self.partner_leads


@dataclass(frozen=True, slots=True)
class MatrixClause:
    clause_no: int | None
    label: str  # （九）, or the part's label for the text of a part without clauses
    title: str


@dataclass(frozen=True, slots=True)
class Matrix:
    """How many tasks of each clause each agency leads and supports: ``cells[(agency, i)]`` is
    (lead, supporting) for the i-th of ``clauses``; absent cells are (0, 0). Agencies are
    ordered by the tasks they lead, then by all their tasks, then as first named."""

    agencies: tuple[str, ...]
    clauses: tuple[MatrixClause, ...]
    cells: dict[tuple[str, int], tuple[int, int]]

    def cell(self, agency: str, column: int) -> tuple[int, int]:
        return self.cells.get((agency, column), (0, 0))


def task_row(doc: Document, p: Provision) -> TaskRow:
    clause = doc.clause(p.clause_no) if p.clause_no is not None else None
    part = doc.part(p.part_no)
    leads = p.lead_agencies
    return TaskRow(
        doc_id=doc.doc_id, part=part.heading if part else "", clause_no=p.clause_no,
        clause_label=clause.label if clause else (part.label if part else ""),
        clause_title=clause.title if clause else (part.title if part else ""),
        task_no=p.index, text=p.text, leads=leads,
        supporting=tuple(a for a in p.agencies if a not in leads), and_others=p.and_others,
        line=p.line)


def division(corpus: Corpus, doc_key: str) -> Division:
    """The 分工表 of a document (by id or short title); UnknownDocument when there is none."""
    doc = corpus.document(doc_key)
    tasks = TaskTable(corpus).select([doc.doc_id]).tasks
    assigned = bool(tasks)
    if not assigned:  # no brackets: the tasks of the numbered clauses and parts, unassigned
        tasks = tuple(p for p in doc.provisions if p.clause_no != 0)
    meta = doc.meta
    return Division(doc.doc_id, meta.title, meta.short_title, meta.number,
                    tuple(task_row(doc, p) for p in tasks), assigned)


def agency_division(corpus: Corpus, query: str) -> AgencyDivision:
    """One agency's tasks (aliases resolve), lead and supporting, each with its partners;
    UnknownAgency when there is no such agency."""
    name = corpus.agency(query).name
    lead: list[AgencyTask] = []
    supporting: list[AgencyTask] = []
    for duty in corpus.duties(name):
        p = duty.provision
        doc = corpus.document(p.doc_id)
        task = AgencyTask(doc.meta.short_title, task_row(doc, p), duty.role,
                          tuple(a for a in p.agencies if a != name))
        (lead if duty.role == Role.LEAD else supporting).append(task)
    return AgencyDivision(name, tuple(lead), tuple(supporting))


def partners(agency: AgencyDivision) -> tuple[Partner, ...]:
    """The agencies an agency shares tasks with: most shared tasks first, then most led by the
    agency, then as first named (the order of its tasks)."""
    counts: dict[str, list[int]] = {}
    for task in (*agency.lead, *agency.supporting):
        for name in task.partners:
            shared = counts.setdefault(name, [0, 0, 0])
            shared[0] += 1
            if task.role == Role.LEAD:
                shared[1] += 1
            elif name in task.row.leads:
                shared[2] += 1
    first = {name: i for i, name in enumerate(counts)}
    ranked = sorted(counts, key=lambda n: (-counts[n][0], -counts[n][1], first[n]))
    return tuple(Partner(name, *counts[name]) for name in ranked)


def matrix(div: Division) -> Matrix:
    """The agency × clause matrix of a 分工表 (clauses in reading order, only those with
    tasks)."""
    columns: dict[int | tuple[str, str], int] = {}
    clauses: list[MatrixClause] = []
    cells: dict[tuple[str, int], tuple[int, int]] = {}
    totals: dict[str, tuple[int, int, int]] = {}
    for row in div.rows:
        key = row.clause_no if row.clause_no is not None else ("part", row.part)
        if key not in columns:
            columns[key] = len(clauses)
            clauses.append(MatrixClause(row.clause_no, row.clause_label, row.clause_title))
        column = columns[key]
        for agency in row.agencies:
            is_lead = agency in row.leads
            lead, sup = cells.get((agency, column), (0, 0))
            cells[(agency, column)] = (lead + is_lead, sup + (not is_lead))
            leads, alls, first = totals.get(agency, (0, 0, len(totals)))
            totals[agency] = (leads + is_lead, alls + 1, first)
    agencies = sorted(totals, key=lambda a: (-totals[a][0], -totals[a][1], totals[a][2]))
    return Matrix(tuple(agencies), tuple(clauses), cells)
