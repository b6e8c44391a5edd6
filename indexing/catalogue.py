"""Taking a document out of the corpus folder, and putting files back as they were.

``remove_from_corpus`` drops one ``[[document]]`` entry from documents.toml (the other entries,
comments included, stay byte for byte) and deletes its text. It refuses the deployment's home
document unless forced, and a document another one says it implements (its ``implements``
would name nothing). ``FileSnapshot`` keeps the bytes of a few files so that a change to the
corpus whose index could not be built is undone exactly (ui.state's reindex with a change).
Every write is a temporary file in the same folder moved into place (os.replace).
"""

from __future__ import annotations

import difflib
import os
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from core.errors import CorpusError, RemovalRefused, UnknownDocument
from core.model import DocumentMeta
from indexing.corpus import DOCUMENTS_FILE, load_metadata
from indexing.ingest import Inspection, add_to_corpus

ENTRY_HEADER = "[[document]]"


@dataclass(frozen=True)
class FileSnapshot:
    """The bytes of some files (None: the file did not exist), to put back with ``restore``."""

    contents: tuple[tuple[Path, bytes | None], ...]

    @classmethod
    def take(cls, *paths: Path) -> FileSnapshot:
        return cls(tuple((p, p.read_bytes() if p.exists() else None) for p in paths))

    def restore(self) -> None:
        for path, content in self.contents:
            if content is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, content)


def write_atomic(path: Path, content: bytes) -> None:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def split_entries(listing: str) -> tuple[str, list[str]]:
    """documents.toml as its head (the comments before the first entry) and its entries, each
    from its ``[[document]]`` line to the next one."""
    lines = listing.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == ENTRY_HEADER]
    if not starts:
        return listing, []
    bounds = [*starts, len(lines)]
    return ("".join(lines[:starts[0]]),
            ["".join(lines[a:b]) for a, b in pairwise(bounds)])


def _entry_id(entry: str) -> str | None:
    try:
        documents = tomllib.loads(entry).get("document", [])
    except tomllib.TOMLDecodeError:
        return None
    return str(documents[0].get("id")) if documents else None


def removal_check(known: tuple[DocumentMeta, ...], doc_id: str, force: bool) -> DocumentMeta:
    """The entry of ``doc_id``, or why it may not be removed."""
    meta = next((m for m in known if m.doc_id == doc_id), None)
    ids = [m.doc_id for m in known]
    if meta is None:
        close = difflib.get_close_matches(doc_id, ids, n=3, cutoff=0.3)
        raise UnknownDocument(f"unknown document: {doc_id}", tuple(close or ids))
    if meta.home and not force:
        raise RemovalRefused(f"{doc_id} is the home document of this deployment (home = true "
                             "in documents.toml); remove it with force")
    users = [m.doc_id for m in known if doc_id in m.implements]
    if users:
        raise RemovalRefused(f"{doc_id} is implemented by {', '.join(users)} (their "
                             "implements in documents.toml); remove those first")
    if len(known) == 1:
        raise RemovalRefused(f"{doc_id} is the only document of the corpus")
    return meta


def remove_from_corpus(corpus_dir: Path, doc_id: str, force: bool = False) -> DocumentMeta:
    """Drop ``doc_id``'s entry from documents.toml and delete its text; returns its entry.
    The new listing is checked (it loads) before it replaces the old one."""
    listing = corpus_dir / DOCUMENTS_FILE
    meta = removal_check(load_metadata(listing), doc_id, force)
    head, entries = split_entries(listing.read_text(encoding="utf-8"))
    kept = [e for e in entries if _entry_id(e) != doc_id]
    if len(kept) != len(entries) - 1:
        raise CorpusError(f"{listing}: cannot find the one entry of {doc_id}")
    text = (head + "".join(kept)).rstrip("\n") + "\n"
    fd, name = tempfile.mkstemp(dir=corpus_dir, prefix=".removing-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    try:
        load_metadata(Path(name))
        os.replace(name, listing)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    (corpus_dir / meta.file).unlink(missing_ok=True)
    return meta


# a change to the corpus folder, made under a reindex: it returns the undo that puts the files
# back if the index for the changed corpus cannot be built
CorpusChange = Callable[[], Callable[[], None]]


def adding(inspection: Inspection, corpus_dir: Path, written: list[Path]) -> CorpusChange:
    """Add an inspected document (its text and its documents.toml entry); the text's path
    is appended to ``written``."""
    def change() -> Callable[[], None]:
        snapshot = FileSnapshot.take(corpus_dir / DOCUMENTS_FILE,
                                     corpus_dir / f"{inspection.doc_id}.txt")
        written.append(add_to_corpus(inspection, corpus_dir))
        return snapshot.restore
    return change


def removing(corpus_dir: Path, doc_id: str, force: bool, removed: list[str]) -> CorpusChange:
    """Take a document out; its title is appended to ``removed``."""
    def change() -> Callable[[], None]:
        meta = next((m for m in load_metadata(corpus_dir / DOCUMENTS_FILE)
                     if m.doc_id == doc_id), None)
        snapshot = FileSnapshot.take(corpus_dir / DOCUMENTS_FILE,
                                     *([corpus_dir / meta.file] if meta else []))
        removed.append(remove_from_corpus(corpus_dir, doc_id, force).title)
        return snapshot.restore
    return change
