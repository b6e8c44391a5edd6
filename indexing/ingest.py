"""Check a new document before it joins the corpus: read it, take its metadata from its own
text, parse it, and say what looks wrong (``policy-assistant add PATH --dry-run``).

The report (docs/documents.md, "Adding a document") counts what the parser found, the way
shared/interface.md defines the counts, and lists warnings: agencies the registry does not
know or that do not look like agencies, numbering gaps, tasks without a responsibility
bracket, and every metadata field guessed rather than read.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import BadInput, DuplicateDocument, ParseError, UnreadableDocument
from core.model import Document, DocumentMeta, Level
from indexing.agencies import AgencyRegistry
from indexing.brackets import BracketCues, default_cues
from indexing.corpus import DOCUMENTS_FILE, load_metadata
from indexing.metadata import TextMetadata, read_metadata
from indexing.parser import RESTART_BASE, parse_with_notes
from indexing.readers import read_document

DOC_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# A name longer than this is listed as suspicious, as is one with an annotation: 〔铁建办〕.
SUSPICIOUS_LENGTH = 20


@dataclass(frozen=True)
class Inspection:
    """A document read and parsed, not yet in the corpus."""

    source: Path
    text: str  # as read (for a PDF: its text layer)
    metadata: TextMetadata
    document: Document
    warnings: tuple[str, ...]
    cited: tuple[str | None, ...] = ()  # the corpus id of each document it implements

    @property
    def doc_id(self) -> str:
        return self.document.doc_id

    @property
    def _cited(self) -> tuple[str | None, ...]:
        return self.cited or (None,) * len(self.metadata.implements)

    def report(self) -> dict[str, Any]:
        doc, meta = self.document, self.metadata
        provisions = doc.provisions
        counts = Counter(n for p in provisions for n in p.agencies)
        return {
            "doc_id": doc.doc_id,
            "source": str(self.source),
            "format": self.source.suffix.lower().lstrip("."),
            "title": meta.title,
            "issuer": meta.issuer,
            "number": meta.number,
            "date": meta.date,
            "level": meta.level.value if meta.level else None,
            "jurisdiction": meta.jurisdiction,
            "implements": [{"title": r.title, "number": r.number, "doc_id": doc_id}
                           for r, doc_id in zip(meta.implements, self._cited, strict=True)],
            "parts": len(doc.parts),
            "clauses": len(doc.clauses),
            "numbered_items": len({(p.clause_no, p.item) for p in provisions if p.item}),
            "brackets": sum(1 for p in provisions if p.responsibility is not None),
            "clause_numbering": "restarts" if _restarts(doc) else "continuous",
            "clause_ids": [c.no for c in doc.clauses],
            "agencies": sorted(counts, key=lambda n: (-counts[n], n)),
            "warnings": list(self.warnings),
        }


def inspect(path: Path, registry: AgencyRegistry, doc_id: str | None = None,
            known: Sequence[DocumentMeta] = (), cues: BracketCues | None = None) -> Inspection:
    """Read, describe and parse one file. Raises UnreadableDocument when the file gives no
    text or the text is no plan (naming the line where it stops being one), BadInput for a
    malformed id. ``known``: the corpus's documents, to find the ones this text cites and
    to warn of one it repeats."""
    doc_id = doc_id or _id_from(path)
    if not DOC_ID_RE.match(doc_id):
        raise BadInput(f"not a document id: {doc_id!r} (lower-case letters, digits and -, "
                       "e.g. shanghai-2022-carbon-peak)")
    text = read_document(path)
    metadata = read_metadata(text)
    meta = DocumentMeta(
        doc_id=doc_id, title=metadata.title or path.stem, short_title=metadata.title or doc_id,
        issuer=metadata.issuer or "", number=metadata.number, date=metadata.date or "",
        published=None, level=metadata.level or Level.NATIONAL,
        implements=(), file=f"{doc_id}.txt", english_title="",
        jurisdiction=metadata.jurisdiction)
    try:
        document, notes = parse_with_notes(meta, text, registry, path)
    except ParseError as exc:
        raise UnreadableDocument(f"{path}: not a plan of the form 一、（一）1.: line {exc.line}: "
                                 f"{exc.message}") from exc
    if not document.clauses:
        raise UnreadableDocument(f"{path}: not a plan: it has part headings but no clause "
                                 "（一）")
    titles = {_key(m.title): m.doc_id for m in known}
    cited = tuple(titles.get(_key(r.title)) for r in metadata.implements)
    warnings = [*_repeats(metadata, known), *_metadata_warnings(metadata), *notes,
                *_agency_warnings(document, registry, cues or default_cues()),
                *_bracket_warnings(document)]
    return Inspection(path, text, metadata, document, tuple(warnings), cited)


def _key(title: str) -> str:
    return "".join(title.split())


def _repeats(metadata: TextMetadata, known: Sequence[DocumentMeta]) -> list[str]:
    out = []
    for meta in known:
        if metadata.title and _key(metadata.title) == _key(meta.title):
            out.append(f"the corpus has a document of this title: {meta.doc_id}")
        elif metadata.number and metadata.number == meta.number:
            out.append(f"the corpus has a document of this number: {meta.doc_id}")
    return out


def _id_from(path: Path) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    if not DOC_ID_RE.match(stem):
        raise BadInput(f"{path.name}: cannot make a document id from the file name; "
                       "give one with --id")
    return stem


def _restarts(doc: Document) -> bool:
    return any(c.no > RESTART_BASE for c in doc.clauses)


def _metadata_warnings(metadata: TextMetadata) -> list[str]:
    out = [f"guess: {g}" for g in metadata.guesses]
    missing = [name for name, value in (("title", metadata.title), ("issuer", metadata.issuer),
                                        ("number", metadata.number), ("date", metadata.date))
               if value is None]
    if missing:
        out.append("not stated in the text: " + ", ".join(missing))
    return out


def _agency_warnings(doc: Document, registry: AgencyRegistry, cues: BracketCues) -> list[str]:
    names = list(dict.fromkeys(n for p in doc.provisions for n in p.agencies))
    out: list[str] = []
    own = doc.meta.jurisdiction is None or doc.meta.jurisdiction == registry.jurisdiction
    if own:
        unknown = [n for n in names if n not in registry]
        if unknown:
            out.append(f"{len(unknown)} agencies not in the registry: " + "、".join(unknown))
    elif names:
        out.append(f"{len(names)} agencies of {doc.meta.jurisdiction} named with their place, "
                   f"apart from the registry of {registry.jurisdiction}")
    carried = sorted({f"{n.written} → {n.carried}" for p in doc.provisions if p.responsibility
                      for r in [cues.read(p.responsibility)] if r
                      for n in r.names if n.written != n.carried})
    if carried:
        out.append("guess: jurisdiction prefix carried to " + "、".join(carried))
    odd = [n for n in names if len(n) > SUSPICIOUS_LENGTH or re.search(r"[〔（].*[〕）]$", n)]
    if odd:
        out.append("suspicious agency names (long, or annotated): " + "、".join(odd))
    return out


def _bracket_warnings(doc: Document) -> list[str]:
    """Numbered tasks without a bracket, and clauses without one among clauses that have."""
    out: list[str] = []
    bracketed = [c.no for c in doc.clauses if any(p.responsibility for p in c.provisions)]
    if not bracketed:
        return out
    for clause in doc.clauses:
        items = sorted({p.item for p in clause.provisions if p.item})
        for item in items:
            tasks = [p for p in clause.provisions if p.item == item]
            if not any(p.responsibility for p in tasks):
                out.append(f"task without a bracket: {clause.label}{clause.title} {item}. "
                           f"(line {tasks[0].line})")
        has = [p.responsibility is not None for p in clause.provisions]
        if not items and not any(has) and bracketed[0] < clause.no < bracketed[-1]:
            out.append(f"clause without a bracket: {clause.label}{clause.title} "
                       f"(line {clause.line})")
        elif not items and any(has) and not has[-1]:
            out.append(f"text after the last bracket of {clause.label}{clause.title} "
                       f"(line {clause.provisions[-1].line})")
    return out


def add_to_corpus(inspection: Inspection, corpus_dir: Path) -> Path:
    """Write the text beside documents.toml and append its entry; returns the text's path.

    Both files are written to a temporary file in the corpus folder and moved into place
    (os.replace), the new documents.toml only after it loads; a failure leaves the corpus as
    it was. An id or file name the corpus already has raises DuplicateDocument."""
    listing = corpus_dir / DOCUMENTS_FILE
    known = load_metadata(listing)
    doc_id = inspection.doc_id
    target = corpus_dir / f"{doc_id}.txt"
    if any(m.doc_id == doc_id for m in known) or target.exists():
        raise DuplicateDocument(f"{doc_id} is already in the corpus ({target.name}); give "
                                "another --id")
    titles = {"".join(m.title.split()): m.doc_id for m in known}
    implements = [titles[key] for r in inspection.metadata.implements
                  if (key := "".join(r.title.split())) in titles]
    entry = _entry(inspection, target.name, implements)
    old = listing.read_text(encoding="utf-8")
    new_listing = _write_temp(corpus_dir, old.rstrip("\n") + "\n\n" + entry)
    new_text = _write_temp(corpus_dir, inspection.text.rstrip("\n") + "\n")
    try:
        load_metadata(new_listing)
        os.replace(new_text, target)
        os.replace(new_listing, listing)
    except BaseException:
        for leftover in (new_text, new_listing):
            leftover.unlink(missing_ok=True)
        if listing.read_text(encoding="utf-8") == old:
            target.unlink(missing_ok=True)
        raise
    return target


def _entry(inspection: Inspection, file: str, implements: list[str]) -> str:
    meta = inspection.metadata
    fields: list[tuple[str, object]] = [
        ("id", inspection.doc_id), ("file", file), ("title", meta.title or inspection.doc_id),
        ("short_title", meta.title or inspection.doc_id), ("issuer", meta.issuer or ""),
        ("number", meta.number), ("date", meta.date),
        ("level", (meta.level or Level.NATIONAL).value), ("jurisdiction", meta.jurisdiction),
        ("implements", implements),
    ]
    lines = ["[[document]]"] + [f"{key} = {json.dumps(value, ensure_ascii=False)}"
                                for key, value in fields if value is not None]
    return "\n".join(lines) + "\n"


def _write_temp(directory: Path, text: str) -> Path:
    fd, name = tempfile.mkstemp(dir=directory, prefix=".adding-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(name)
