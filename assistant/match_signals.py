"""The signals the matcher weighs (matcher.py): likeness in standard deviations, the vectors
of whole clauses, how firmly a profile is of each audience it was read as, and the concerns a
description names one by one, and the part of a description that is the firm's own (not its
customers')."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from core.model import ChunkKind
from indexing.index import Index
from indexing.measures.catalogue import Measure

_SENTENCES = re.compile(r"[。！？；;!?\n]+|(?<=[a-z0-9])\.\s+")
_SENTENCE_MIN = 6  # characters: shorter pieces say too little to embed alone
_CLAUSE_END = r"[^，,。；;.!?！？\n]*"  # a customers' phrase runs to the end of its clause


Floats = np.ndarray[Any, np.dtype[np.float64]]
T = TypeVar("T")


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


def own_part(description: str, markers: Sequence[str]) -> str:
    """The description without the phrases naming its customers: each of ``markers`` (卖给,
    客户主要是, software for) to the end of its clause is blanked. A software house "for small
    factories and logistics firms" is neither a factory nor a carrier; its trade is its own."""
    if not markers:
        return description
    pattern = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
    return re.sub(f"(?:{pattern}){_CLAUSE_END}", " ", description, flags=re.IGNORECASE)


def likeness(matrix: np.ndarray[Any, Any], vector: np.ndarray[Any, Any],
             embed: Callable[[str], np.ndarray[Any, Any]], description: str, share: float
             ) -> tuple[Floats, list[tuple[str, Floats]]]:
    """Each task's (row of ``matrix``) likeness to the description (``vector``) in standard
    deviations, mixed (by ``share``) with its likeness to the concern it is most like: a firm
    names several concerns (vans to replace, packaging rules, shared delivery) and one vector
    of all of them blurs each. With each concern and its own likeness, where it names several."""
    if not len(matrix):
        return np.zeros(0), []
    whole, parts = standard(matrix @ vector), concerns_of(description)
    concerns = [(p, standard(matrix @ embed(p))) for p in parts] if len(parts) >= 2 else []
    if share <= 0 or not concerns:
        return whole, concerns
    best = np.max([z for _, z in concerns], axis=0)
    return np.asarray((1 - share) * whole + share * best, dtype=np.float64), concerns


def cover(ranked: Sequence[T], rows: Sequence[Sequence[int]], fits: Sequence[Floats],
          window: int, pool: int, least: float) -> list[T]:
    """``ranked`` re-ordered so that each concern's best item has a place in the first
    ``window``. ``fits`` holds, per concern, each task's fit to it alone; an item's is the best
    of its tasks (``rows``: their rows in the fits). A concern's best is the item of the first
    ``pool`` it fits most, if that fit reaches ``least``: a sentence on staff or rent fits no
    task so well and claims no place. A hotel that names a boiler retrofit beside its
    disposables and banquet waste gets a retrofit task among the first, though the sector's
    tasks outrank it on the whole description."""
    picks: list[int] = []
    for fit in fits:
        head = [max(fit[r] for r in rs) for rs in rows[:pool]]
        if head and max(head) >= least and (best := int(np.argmax(head))) not in picks:
            picks.append(best)
    picks = picks[:window]
    rest = [i for i in range(len(ranked)) if i not in picks]
    room = window - len(picks)
    return [ranked[i] for i in (*sorted(picks + rest[:room]), *rest[room:])]
