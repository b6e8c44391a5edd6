"""The catalogue as a table: built over an opened index, filtered, written out for review.

``Catalogue.from_index`` takes each task's vector from the index (no second embedding) and
embeds the label descriptions once. ``rows`` is the reviewer's table (CLI ``measures --csv``,
the console's export): the labels with how each was decided and the cue words that decided.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.errors import UnknownDocument
from core.model import ChunkKind
from indexing.corpus import Corpus
from indexing.embedders import Embedder, Vectors
from indexing.index import Index
from indexing.measures.catalogue import (
    OVERRIDES_FILE,
    LabelVectors,
    Measure,
    build_measures,
    load_overrides,
    measure_ref,
    task_ref,
)
from indexing.measures.labels import Group, Side, Vocabulary, vocabulary

TABLE_COLUMNS = ("ref", "doc_id", "clause", "heading", "audience", "kind", "side",
                 "lead_agency", "agencies", "source", "cues", "text")


@dataclass(frozen=True)
class Catalogue:
    measures: tuple[Measure, ...]
    vocab: Vocabulary
    # with an index: each task's vector by ref, and the label descriptions' (the matcher's)
    vectors: Mapping[str, Vectors] = field(default_factory=dict, repr=False)
    labels: LabelVectors | None = field(default=None, repr=False)

    @classmethod
    def build(cls, corpus: Corpus, index: Index | None = None,
              vocab: Vocabulary | None = None) -> Catalogue:
        """Rules and the overrides beside the corpus; with ``index``, the embedder where the
        rules are silent."""
        vocab = vocab or vocabulary()
        overrides = (load_overrides(corpus.folder / OVERRIDES_FILE, vocab)
                     if corpus.folder is not None else {})
        if index is None:
            return cls(build_measures(corpus.documents, overrides, vocab), vocab)
        by_ref = {task_ref(c.doc_id, c.part_no, c.clause_no, c.provision): c.chunk_id
                  for c in index.chunks.values() if c.kind == ChunkKind.PROVISION}
        stored = index.store.vectors(index.manifest.collection, list(by_ref.values()))
        tasks = {ref: stored[cid] for ref, cid in by_ref.items() if cid in stored}
        labels = LabelVectors(vocab, _described(index.embedder, vocab))
        measures = build_measures(corpus.documents, overrides, vocab, labels, tasks)
        return cls(measures, vocab, {m.ref: tasks[m.ref] for m in measures if m.ref in tasks},
                   labels)

    def get(self, ref: str) -> Measure | None:
        return next((m for m in self.measures if m.ref == ref), None)

    def sides(self, m: Measure) -> tuple[Side, ...]:
        return tuple(dict.fromkeys(s for k in m.kind if (s := self.vocab.side(k)) is not None))

    def select(self, audience: str | None = None, kind: str | None = None,
               doc_ids: Sequence[str] = ()) -> tuple[Measure, ...]:
        """The measures with the label ``audience`` (an id, name or alias), the kind ``kind``
        (an id, or a side: support, requirement, internal), of ``doc_ids``."""
        sector = self.vocab.resolve(Group.AUDIENCE, audience, "sector") if audience else None
        kinds: tuple[str, ...] = ()
        if kind:
            side = next((s for s in Side if s.value == kind.strip().lower()), None)
            kinds = (self.vocab.kinds_on(side) if side is not None
                     else (self.vocab.resolve(Group.KIND, kind, "kind"),))
        docs = {m.doc_id for m in self.measures}
        for d in doc_ids:
            if d not in docs:
                raise UnknownDocument(f"unknown document: {d}", tuple(sorted(docs)))
        return tuple(m for m in self.measures
                     if (sector is None or sector in m.audience)
                     and (not kinds or set(kinds) & set(m.kind))
                     and (not doc_ids or m.doc_id in doc_ids))

    def rows(self, measures: Sequence[Measure] | None = None) -> list[dict[str, str]]:
        """The reviewer's table, one row per task (TABLE_COLUMNS)."""
        return [{"ref": m.ref, "doc_id": m.doc_id,
                 "clause": "" if m.provision.clause_no is None else str(m.provision.clause_no),
                 "heading": m.heading, "audience": " ".join(m.audience) or "none",
                 "kind": " ".join(m.kind), "side": " ".join(self.sides(m)),
                 "lead_agency": m.lead_agency or "",
                 "agencies": "、".join(m.provision.agencies), "source": m.source,
                 "cues": " ".join(m.cues), "text": m.provision.text}
                for m in (self.measures if measures is None else measures)]


_DESCRIBED: dict[tuple[str, str], Vectors] = {}  # (embedder, description): kept per process
_DESCRIBED_LOCK = threading.Lock()


def _described(embedder: Embedder, vocab: Vocabulary) -> dict[str, Vectors]:
    """The label descriptions embedded as passages in one batch (compared with tasks, which
    are passages, and with profile descriptions, which are queries), once per process."""
    with _DESCRIBED_LOCK:
        missing = [lb for lb in vocab.labels if (embedder.name, lb.description) not in _DESCRIBED]
        if missing:
            vectors = embedder.embed_documents([lb.description for lb in missing])
            _DESCRIBED.update({(embedder.name, lb.description): vectors[i]
                               for i, lb in enumerate(missing)})
        return {lb.id: _DESCRIBED[(embedder.name, lb.description)] for lb in vocab.labels}


__all__ = ["TABLE_COLUMNS", "Catalogue", "Measure", "measure_ref"]
