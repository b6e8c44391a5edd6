"""The task table of all documents: every provision that names its agencies, with its place.
Lists, counts and role filters are queries on it; retrieval never decides what is counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.query import Role
from core.model import Provision
from indexing.corpus import Corpus


@dataclass(frozen=True, slots=True)
class Selection:
    """What was selected, and from what: a count states both."""

    tasks: tuple[Provision, ...]
    doc_ids: tuple[str, ...]
    agency: str | None
    role: Role
    part: int | None
    clause: int | None = None
    subject: str = ""  # the words the tasks were narrowed to (其中跟再生资源有关的)

    def __len__(self) -> int:
        return len(self.tasks)


class TaskTable:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.rows: tuple[Provision, ...] = tuple(
            p for d in corpus.documents for p in d.provisions if p.agencies)

    def documents_with_tasks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.doc_id for p in self.rows))

    def select(self, doc_ids: Sequence[str] = (), agency: str | None = None,
               role: Role = Role.ANY, part: int | None = None,
               clause: int | None = None) -> Selection:
        docs = tuple(doc_ids) or self.documents_with_tasks()
        out = []
        for p in self.rows:
            if p.doc_id not in docs or (part is not None and p.part_no != part) \
                    or (clause is not None and p.clause_no != clause):
                continue
            if agency is not None:
                if agency not in p.agencies:
                    continue
                is_lead = p.agencies[0] == agency
                if (role == Role.LEAD and not is_lead) or (role == Role.SUPPORTING and is_lead):
                    continue
            elif role == Role.SUPPORTING:
                continue
            out.append(p)
        return Selection(tuple(out), docs, agency, role, part, clause)
