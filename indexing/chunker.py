"""Chunks from the parsed structure: one per provision and one per clause.

Each chunk is embedded with a context header (short document title › part › clause), so that a
terse task (加强危险废物规范化管理。) still carries its theme. A chunk never spans two clauses.
The id is a hash of everything that determines the embedding and the metadata, so an unchanged
chunk keeps its id across builds and is not embedded again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from core.model import Chunk, ChunkKind, Clause, Document, Provision
from indexing.corpus import Corpus

# Bump when the chunk text or header format changes: every id changes with it.
CHUNKER_VERSION = "1"
_SEP = " › "


def chunk_corpus(corpus: Corpus) -> tuple[Chunk, ...]:
    target_provisions = {(t.doc_id, t.part_no, t.clause_no, t.provision) for t in corpus.targets}
    return tuple(c for doc in corpus.documents for c in _chunk_document(doc, target_provisions))


def _chunk_document(doc: Document, targets: set[tuple[str, int, int | None, int]]
                    ) -> Iterator[Chunk]:
    short = doc.meta.short_title
    yield from _clause_chunks(doc.preamble, f"{short}{_SEP}{doc.meta.title}", targets)
    for part in doc.parts:
        part_header = f"{short}{_SEP}{part.heading}"
        if part.intro:
            has_target = any(_is_target(p, targets) for p in part.intro)
            yield _make(ChunkKind.CLAUSE, doc.doc_id, part.no, None, None, part_header,
                        "".join(p.text for p in part.intro), (), has_target)
            for p in part.intro:
                yield _provision_chunk(p, part_header, targets)
        for clause in part.clauses:
            yield from _clause_chunks(clause, f"{part_header}{_SEP}{clause.heading}", targets)


def _clause_chunks(clause: Clause, header: str, targets: set[tuple[str, int, int | None, int]]
                   ) -> Iterator[Chunk]:
    agencies: list[str] = []
    for p in clause.provisions:
        agencies.extend(a for a in p.agencies if a not in agencies)
    has_target = any(_is_target(p, targets) for p in clause.provisions)
    yield _make(ChunkKind.CLAUSE, clause.doc_id, clause.part_no, clause.no, None, header,
                clause.text, tuple(agencies), has_target)
    for p in clause.provisions:
        yield _provision_chunk(p, header, targets)


def _provision_chunk(p: Provision, header: str,
                     targets: set[tuple[str, int, int | None, int]]) -> Chunk:
    return _make(ChunkKind.PROVISION, p.doc_id, p.part_no, p.clause_no, p.index, header, p.text,
                 p.agencies, _is_target(p, targets))


def _is_target(p: Provision, targets: set[tuple[str, int, int | None, int]]) -> bool:
    return (p.doc_id, p.part_no, p.clause_no, p.index) in targets


def _make(kind: ChunkKind, doc_id: str, part_no: int, clause_no: int | None,
          provision: int | None, header: str, text: str, agencies: tuple[str, ...],
          has_target: bool) -> Chunk:
    key = "\x1f".join([CHUNKER_VERSION, kind, doc_id, str(part_no), str(clause_no),
                       str(provision), header, text, "、".join(agencies), str(has_target)])
    chunk_id = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return Chunk(chunk_id, kind, doc_id, part_no, clause_no, provision, header, text, agencies,
                 has_target)
