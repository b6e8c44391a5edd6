"""Twins: the same task written in two documents (a national plan's task that the home plan
copies almost word for word, 倡导酒店、餐饮等行业不主动提供一次性用品 in both). The matcher shows
twins as one item, the first one ranked leading and the others named with it, so that a list of
ten is ten different things to do.

Two tasks of different documents are twins when their texts share most of their character
bigrams (Dice coefficient ≥ ``min_dice``): cheap, exact about wording, and blind to the
embedder's habit of finding every pair of policy sentences alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from indexing.measures.catalogue import Measure


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def find_twins(measures: Sequence[Measure], min_dice: float) -> Mapping[str, tuple[str, ...]]:
    """Each task's twins in other documents, by ref (tasks without twins are left out)."""
    grams = [(m, _bigrams(m.provision.text)) for m in measures]
    out: dict[str, list[str]] = {}
    for i, (a, ga) in enumerate(grams):
        for b, gb in grams[i + 1:]:
            if a.doc_id == b.doc_id or not ga or not gb:
                continue
            if 2 * len(ga & gb) / (len(ga) + len(gb)) >= min_dice:
                out.setdefault(a.ref, []).append(b.ref)
                out.setdefault(b.ref, []).append(a.ref)
    return {ref: tuple(refs) for ref, refs in out.items()}
