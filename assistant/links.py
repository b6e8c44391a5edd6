"""National ↔ local links: for a clause of a local plan, the clause of a national document it
implements. Computed from the texts (the local clause's title and text searched in the other
document, hybrid ranking) the first time they are asked for, and kept; ``policy-assistant
links`` prints them for review."""

from __future__ import annotations

from collections.abc import Sequence
from threading import Lock

from assistant.search import Searcher
from indexing.corpus import Corpus


class Links:
    def __init__(self, corpus: Corpus, searcher: Searcher) -> None:
        self.corpus = corpus
        self.searcher = searcher
        self._cache: dict[tuple[str, int, str], tuple[int, ...]] = {}
        self._lock = Lock()

    def counterparts(self, doc_id: str, clause_no: int, docs: Sequence[str],
                     limit: int = 1) -> list[tuple[str, int]]:
        """The best clauses of ``docs`` for one clause, best first (``limit`` per document)."""
        out: list[tuple[str, int]] = []
        for other in docs:
            if other == doc_id:
                continue
            out += [(other, no) for no in self._linked(doc_id, clause_no, other)[:limit]]
        return out

    def _linked(self, doc_id: str, clause_no: int, other: str) -> tuple[int, ...]:
        key = (doc_id, clause_no, other)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        clause = self.corpus.document(doc_id).clause(clause_no)
        found: tuple[int, ...] = ()
        if clause is not None and clause.no:
            text = f"{clause.title} {clause.text}"[: self.searcher.settings.max_query_chars]
            hits = self.searcher.search(text, k=5, doc_ids=[other])
            found = tuple(dict.fromkeys(h.chunk.clause_no for h in hits
                                        if h.chunk.clause_no is not None))
        with self._lock:
            self._cache[key] = found
        return found
