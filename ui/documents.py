"""Adding and removing a document on the running service: the same check and report as
``policy-assistant add``, then the corpus changed and the next index generation built and
swapped in (ui.state ``Service.reindex`` with a change), so the new document is searched,
answered from and listed without a restart. Used by the admin routes (ui.admin) and the
console's 添加文件 tab; no HTTP here.

Only the new document's chunks are embedded (chunk ids are content hashes). Whatever fails —
a duplicate id, a corpus that no longer loads, a build that breaks off — leaves the corpus
folder and the index manifest as they were.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.errors import BadInput, DuplicateDocument
from indexing.catalogue import adding, removing
from indexing.corpus import DOCUMENTS_FILE, load_metadata
from indexing.ingest import Inspection, inspect
from ui.state import Service


def check(service: Service, path: Path, doc_id: str | None = None,
          shown_as: str | None = None) -> Inspection:
    """Read and parse ``path`` against the served corpus. ``shown_as``: the name the user
    knows the file by (an upload's file name), put in messages and the report instead of the
    path it was saved to."""
    corpus = service.structure()
    try:
        inspection = inspect(path, corpus.registry, doc_id,
                             tuple(d.meta for d in corpus.documents))
        _check_new(service.settings.corpus.dir, inspection.doc_id)
    except BadInput as exc:
        if shown_as is None:
            raise
        raise type(exc)(exc.message.replace(str(path), shown_as), exc.suggestions) from exc
    return inspection


def _check_new(corpus_dir: Path, doc_id: str) -> None:
    known = {m.doc_id for m in load_metadata(corpus_dir / DOCUMENTS_FILE)}
    if doc_id in known or (corpus_dir / f"{doc_id}.txt").exists():
        raise DuplicateDocument(f"{doc_id} is already in the corpus; give another id")


def report(inspection: Inspection, shown_as: str | None = None) -> dict[str, Any]:
    out = inspection.report()
    if shown_as is not None:
        out["source"] = shown_as
    return out


def add_document(service: Service, path: Path, doc_id: str | None = None,
                 dry_run: bool = False, shown_as: str | None = None) -> dict[str, Any]:
    """The report of ``policy-assistant add --json``; without ``dry_run`` the document is
    added and served, and the report gains ``added`` (the text written) and ``index`` (what
    the build embedded, kept and removed)."""
    inspection = check(service, path, doc_id, shown_as)
    out = report(inspection, shown_as)
    if dry_run:
        return out
    corpus_dir = service.settings.corpus.dir
    written: list[Path] = []
    change = adding(inspection, corpus_dir, written)
    build = service.reindex(change)
    return {**out, "added": str(written[0]), "index": asdict(build)}


def remove_document(service: Service, doc_id: str, force: bool = False) -> dict[str, Any]:
    """Take a document out of the corpus and serve the index without it. The home document
    only with ``force``; an unknown id is UnknownDocument (404) with the nearest ids."""
    corpus_dir = service.settings.corpus.dir
    removed: list[str] = []
    change = removing(corpus_dir, doc_id, force, removed)
    build = service.reindex(change)
    return {"doc_id": doc_id, "title": removed[0], "removed": True, "index": asdict(build)}
