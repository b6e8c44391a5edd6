"""The signals the matcher weighs (matcher.py): likeness in standard deviations, the vectors
of whole clauses, how firmly a profile is of each audience it was read as, and the concerns a
description names one by one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.model import ChunkKind
from indexing.index import Index
from indexing.measures.catalogue import Measure

_SENTENCES = re.compile(r"[。！？；;!?\n]+|(?<=[a-z0-9])\.\s+")
_SENTENCE_MIN = 6  # characters: shorter pieces say too little to embed alone


Floats = np.ndarray[Any, np.dtype[np.float64]]


def standard(values: np.ndarray[Any, Any]) -> Floats:
    """Similarities in standard deviations from their mean."""
    sims = np.asarray(values, dtype=np.float64)
    if not len(sims):
        return np.zeros(0)
    spread = float(sims.std()) or 1.0
    return np.asarray((sims - sims.mean()) / spread, dtype=np.float64)


def clause_vectors(index: Index, measures: Sequence[Measure]
                   ) -> tuple[Floats, np.ndarray[Any, Any]]:
    """The vectors of the whole-clause chunks (a part's text where it has no clauses), and for
    each measure the row of its clause (-1: none, never the case for a parsed task)."""
    ids = {(c.doc_id, c.part_no, c.clause_no): c.chunk_id for c in index.chunks.values()
           if c.kind == ChunkKind.CLAUSE}
    stored = index.store.vectors(index.manifest.collection, list(ids.values())) if ids else {}
    keys = [k for k, cid in ids.items() if cid in stored]
    at = {k: i for i, k in enumerate(keys)}
    rows = np.array([at.get((m.doc_id, m.provision.part_no, m.provision.clause_no), -1)
                     for m in measures], dtype=np.int64)
    if not keys or (rows < 0).any():
        return np.zeros((0, 1)), rows
    return np.vstack([stored[ids[k]] for k in keys]).astype(np.float64), rows


def firmness(read: dict[str, str], cues: dict[str, tuple[str, ...]],
             trade: Sequence[str]) -> dict[str, float]:
    """How firmly the profile is of each label it was read as, 0-1: a label the firm chose
    (sector, size) or that no cue word gives is 1; one the description gives counts its cue
    words, each shared among the labels it gives (塑料 gives five: a fifth each) and the
    trade's labels one more, over the most any label has. A courier station that mentions
    plastic tape is logistics, not a plastics maker."""
    weight = {w: 1.0 / sum(w in ws for ws in cues.values()) for ws in cues.values() for w in ws}
    counts = {a: sum(weight[w] for w in cues.get(a, ())) + (a in trade) for a in read}
    top = max(counts.values(), default=0.0)
    return {a: 1.0 if how not in ("description", "trade") or not top
            else counts[a] / top for a, how in read.items()}


def concerns_of(description: str) -> list[str]:
    """The description's sentences long enough to embed alone, each a concern it names."""
    return [p.strip() for p in _SENTENCES.split(description) if len(p.strip()) >= _SENTENCE_MIN]
