"""National ↔ local links: for a clause of a local plan, the clause of a national document it
implements. Stored with the corpus (corpus/links.toml, checked at load) after being computed
from the texts (the local clause's title and text searched in the other document, hybrid
ranking) by ``policy-assistant links --write`` and reviewed; a pair the file does not cover is
computed when first asked for, and kept."""

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
        for doc, no, other, other_no in corpus.links:
            key = (doc, no, other)
            self._cache[key] = (*self._cache.get(key, ()), other_no)
        # a pair of documents in the file was reviewed: a clause it does not link has none
        self._reviewed = {(doc, other) for doc, _, other, _ in corpus.links}
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
            if (doc_id, other) in self._reviewed:
                return ()
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

    def pairs(self, doc_id: str, others: Sequence[str]) -> list[tuple[int, str, int]]:
        """Every clause of ``doc_id`` with its best clause in each of ``others``."""
        out = []
        for clause in self.corpus.document(doc_id).clauses:
            out += [(clause.no, other, no) for other, no in
                    self.counterparts(doc_id, clause.no, others)]
        return out


_HEADER = ("# Which national clause each clause of a local plan implements. Computed from the\n"
           "# texts by `policy-assistant links --write` (the clause searched in the other\n"
           "# document), then reviewed; checked against the structure when the corpus loads.\n\n")


def links_toml(doc_id: str, pairs: Sequence[tuple[int, str, int]], existing: str = "") -> str:
    """corpus/links.toml with the links of ``doc_id`` (re)written: every other document's
    entries and the comments of ``existing`` stay as they are, byte for byte."""
    head, _, rest = (existing or _HEADER).partition("[[link]]")
    blocks = [f"[[link]]{b}" for b in rest.split("[[link]]")] if rest else []
    kept = [b.rstrip("\n") + "\n\n" for b in blocks if f'from = "{doc_id}/' not in b]
    by_clause: dict[int, list[str]] = {}
    for no, other, other_no in pairs:
        by_clause.setdefault(no, []).append(f'"{other}/{other_no}"')
    new = [f'[[link]]\nfrom = "{doc_id}/{no}"\nto = [{", ".join(targets)}]\n\n'
           for no, targets in by_clause.items()]
    return (head + "".join(kept + new)).rstrip("\n") + "\n"
