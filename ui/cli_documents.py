"""``policy-assistant add PATH [--id ID] [--dry-run] [--no-index]`` and ``remove ID [--force]``.

Both change the corpus folder and then, when the data folder holds an index, update it
incrementally under the build lock (only the added document's chunks are embedded; a removed
one's are dropped), so the next ``ask``, ``search`` or service start answers from it. If the
update fails the corpus change is undone: the folder and the index stay as they were. With no
index yet there is nothing to update (the next ``index`` or ``serve`` builds it), and
``--no-index`` leaves the index alone. A running service takes documents through
``POST /v1/admin/documents`` instead (it swaps the new index in without a failed request).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.settings import Settings
from indexing.build_lock import build_lock
from indexing.catalogue import adding, removing
from indexing.corpus import Corpus
from indexing.index import BuildReport, IndexLocation, build_from_settings
from indexing.ingest import inspect

REPORT_FIELDS = ("doc_id", "title", "issuer", "number", "date", "level", "jurisdiction",
                 "parts", "clauses", "numbered_items", "brackets", "clause_numbering")
Progress = Callable[[int, int], None]
Change = Callable[[], Callable[[], None]]  # edits the corpus folder, returns its undo


def apply(settings: Settings, change: Change, index: bool,
          progress: Progress | None = None) -> BuildReport | None:
    """Run ``change``; then, if asked and an index exists, update it (None when not). Under
    the build lock, so no other process builds meanwhile; a failed update undoes the change."""
    location = IndexLocation(settings.data_dir)
    if not index or not location.manifest_path.exists():
        change()
        return None
    with build_lock(location.dir):
        undo = change()
        try:
            _, store, report = build_from_settings(settings, Corpus.load(settings.corpus.dir),
                                                   progress=progress)
        except BaseException:
            undo()
            raise
        store.close()
    return report


def add(corpus: Corpus, args: argparse.Namespace,
        progress: Progress | None = None) -> dict[str, Any]:
    """The report of ``add --json``: with ``added`` (the text written) and ``index`` (what
    the update embedded, kept and removed; null when no index was updated) unless a dry run."""
    inspection = inspect(args.path, corpus.registry, args.id,
                         tuple(d.meta for d in corpus.documents))
    report = inspection.report()
    if args.dry_run:
        return report
    corpus_dir: Path = args.settings.corpus.dir
    written: list[Path] = []
    change = adding(inspection, corpus_dir, written)
    build = apply(args.settings, change, not args.no_index, progress)
    return {**report, "added": str(written[0]), "index": asdict(build) if build else None}


def remove(corpus: Corpus, args: argparse.Namespace,
           progress: Progress | None = None) -> dict[str, Any]:
    doc = corpus.document(args.doc_id)
    corpus_dir: Path = args.settings.corpus.dir
    removed: list[str] = []
    change = removing(corpus_dir, doc.doc_id, args.force, removed)
    build = apply(args.settings, change, not args.no_index, progress)
    return {"doc_id": doc.doc_id, "title": removed[0], "removed": True,
            "index": asdict(build) if build else None}


def index_line(build: dict[str, Any] | None, args: argparse.Namespace) -> str:
    if build is None and args.no_index:
        return "index: not updated (--no-index); `policy-assistant index` updates it"
    if build is None:
        return (f"index: none in {args.settings.data_dir} yet; `policy-assistant index` builds "
                "it, and so does a service when it starts")
    return (f"index updated: {build['added']} chunks embedded, {build['kept']} kept, "
            f"{build['removed']} removed ({build['collection']})")
