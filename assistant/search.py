"""Clause-aware hybrid search.

1. Exact references (第二十二条, （九）第5项) are looked up in the structure and come first.
2. Dense (embedding) and lexical (BM25) candidates are fused, by reciprocal rank or by
   weighted normalised scores (settings.search.fusion; chosen by measurement, see evals/).
3. A whole-clause chunk and a provision of the same clause collapse into one hit that points at
   the provision and keeps the better rank: the clause's context lifts its best task.
4. When the question names an agency, that agency's tasks rank first: agencies are matched by
   name through the structure, not by similarity.
Filters by document and agency narrow the result; unknown values raise BadInput.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.names import AgencyMatcher
from assistant.references import (
    asks_about_duties,
    clause_refs,
    preferred_documents,
)
from core.errors import BadInput, UnknownClause
from core.model import Chunk, ChunkKind, Hit
from core.settings import SearchSettings
from indexing.corpus import Corpus
from indexing.index import Index

_MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    k: int = 10
    doc_ids: tuple[str, ...] = ()
    agency: str | None = None
    context: str = ""  # earlier turns: widen similarity, and lend cues the question lacks

    @property
    def similarity_text(self) -> str:
        return f"{self.context} {self.text}" if self.context else self.text

    def cue_text(self, has_cue: Callable[[str], bool]) -> str:
        """The question itself when it carries the cue, else the earlier turns."""
        return self.text if has_cue(self.text) or not self.context else self.context


def _has_content(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


class Searcher:
    def __init__(self, index: Index, corpus: Corpus, settings: SearchSettings) -> None:
        self.index = index
        self.corpus = corpus
        self.settings = settings
        self.agencies = AgencyMatcher(corpus)
        self._by_location = {(c.doc_id, c.part_no, c.clause_no, c.provision, c.kind): c
                             for c in index.chunks.values()}

    # -- entry point ----------------------------------------------------------------------

    def search(self, text: str, k: int = 10, doc_ids: Sequence[str] = (),
               agency: str | None = None, mode: str = "hybrid", context: str = "") -> list[Hit]:
        if mode not in _MODES:
            raise BadInput(f"unknown search mode {mode!r}; valid: {', '.join(_MODES)}")
        query = self._validate(text, k, doc_ids, agency, context)
        if not _has_content(query.text):
            return []  # only punctuation or emoji: nothing to look for
        ranked = {"dense": self._dense, "lexical": self._lexical,
                  "hybrid": self._hybrid}[mode](query)
        hits = [h for h in ranked if self._passes(h.chunk, query)]
        return self._collapse(hits)[:query.k]

    def _validate(self, text: str, k: int, doc_ids: Sequence[str],
                  agency: str | None, context: str) -> Query:
        text = text.strip()
        context = context.strip()[-self.settings.max_query_chars:]
        if not text:
            raise BadInput("the query is empty")
        if len(text) > self.settings.max_query_chars:
            raise BadInput(f"the query is {len(text)} characters long; the limit is "
                           f"{self.settings.max_query_chars}")
        if not 1 <= k <= 100:
            raise BadInput(f"k must be between 1 and 100, not {k}")
        docs = tuple(self.corpus.document(d).doc_id for d in doc_ids)
        canonical = self.corpus.agency(agency).name if agency else None
        return Query(text, k, docs, canonical, context)

    # -- retrievers -----------------------------------------------------------------------

    def _dense(self, query: Query) -> list[Hit]:
        return [Hit(c, s, "dense", dense_rank=r)
                for r, (c, s) in enumerate(self.index.dense(query.similarity_text,
                                                            self._n(query)), 1)]

    def _lexical(self, query: Query) -> list[Hit]:
        return [Hit(c, s, "lexical", lexical_rank=r)
                for r, (c, s) in enumerate(self.index.lexical_search(query.similarity_text,
                                                                        self._n(query)), 1)]

    def _n(self, query: Query) -> int:
        """Candidates per retriever. Filters apply after retrieval, so a filtered search
        ranks every chunk (the corpus is small); otherwise enough to fill k after collapse."""
        if query.doc_ids or query.agency:
            return len(self.index.chunks)
        return max(self.settings.candidates, 3 * query.k)

    def _hybrid(self, query: Query) -> list[Hit]:
        n = self._n(query)
        fused = self._fuse(self.index.dense(query.similarity_text, n),
                           self.index.lexical_search(query.similarity_text, n))
        fused = self._documents_first(
            fused, query.cue_text(lambda t: bool(preferred_documents(t, self.corpus))))
        fused = self._agency_first(
            fused, query.cue_text(lambda t: bool(self.agencies.find(t))))
        return self._references(query) + fused

    def _fuse(self, dense: Sequence[tuple[Chunk, float]],
              lexical: Sequence[tuple[Chunk, float]]) -> list[Hit]:
        """One hit per chunk of either list, best fused score first (ties: dense order, then
        lexical). Read from the retrievers' (chunk, score) pairs: a filtered search ranks
        every chunk, and making a Hit of each pair before fusing them cost more than the
        fusion itself."""
        # chunk id → [chunk, dense rank, lexical rank, dense score, lexical score] (0: absent)
        by_id: dict[str, list[Any]] = {}
        for rank, (chunk, score) in enumerate(dense, 1):
            by_id[chunk.chunk_id] = [chunk, rank, 0, score, None]
        for rank, (chunk, score) in enumerate(lexical, 1):
            row = by_id.get(chunk.chunk_id)
            if row is None:
                by_id[chunk.chunk_id] = [chunk, 0, rank, None, score]
            else:
                row[0], row[2], row[4] = chunk, rank, score
        if self.settings.fusion == "rrf":
            k = self.settings.rrf_k
            # summed in this order (dense, then lexical) so the floats are those of before
            scores = {cid: (1.0 / (k + d) if d else 0) + (1.0 / (k + lex) if lex else 0)
                      for cid, (_, d, lex, _, _) in by_id.items()}
        else:
            scores = self._weighted(by_id)
        order = sorted(scores, key=lambda cid: -scores[cid])
        return [Hit(by_id[cid][0], scores[cid], "hybrid", dense_rank=by_id[cid][1] or None,
                    lexical_rank=by_id[cid][2] or None) for cid in order]

    def _weighted(self, by_id: dict[str, list[Any]]) -> dict[str, float]:
        dense = [float(row[3]) for row in by_id.values() if row[1]]
        lexical = [float(row[4]) for row in by_id.values() if row[2]]
        d_lo, d_hi = (min(dense), max(dense)) if dense else (0.0, 1.0)
        l_hi = max(lexical) if lexical else 1.0
        w = self.settings.dense_weight
        out = {}
        for cid, (_, d_rank, l_rank, d_score, l_score) in by_id.items():
            d = (float(d_score) - d_lo) / ((d_hi - d_lo) or 1.0) if d_rank else 0.0
            lex = float(l_score) / (l_hi or 1.0) if l_rank else 0.0
            out[cid] = w * d + (1 - w) * lex
        return out

    # -- structure ------------------------------------------------------------------------

    def _references(self, query: Query) -> list[Hit]:
        hits = []
        home = self.corpus.home
        default = [home.doc_id] if home else [d.doc_id for d in self.corpus.documents]
        text = query.cue_text(lambda t: bool(clause_refs(t, self.corpus)))
        for ref in clause_refs(text, self.corpus):
            doc_ids = [ref.doc_id] if ref.doc_id else list(query.doc_ids) or default
            for doc_id in doc_ids:
                doc = self.corpus.document(doc_id)
                clause = doc.clause(ref.clause_no)
                if clause is None:
                    if ref.doc_id:
                        raise UnknownClause(f"{doc_id} has no clause {ref.clause_no}")
                    continue
                kind = ChunkKind.PROVISION if ref.provision else ChunkKind.CLAUSE
                chunk = self._by_location.get(
                    (doc_id, clause.part_no, clause.no, ref.provision, kind))
                if chunk is not None:
                    hits.append(Hit(chunk, float("inf"), "reference"))
        return hits

    def _documents_first(self, hits: list[Hit], text: str) -> list[Hit]:
        """A question that names one side (a document by what users call it, or a level)
        gets that side's hits first, each side in fused order."""
        preferred = set(preferred_documents(text, self.corpus))
        if not preferred:
            return hits
        return sorted(hits, key=lambda h: h.chunk.doc_id not in preferred)

    def _agency_first(self, hits: list[Hit], text: str) -> list[Hit]:
        """When the question is about an agency's work, all of its tasks come first: the
        ones similar to the question in that order, the rest in document order."""
        named = set(self.agencies.find(text))
        if not named or not asks_about_duties(text):
            return hits
        theirs = [c for c in self.index.chunks.values()
                  if c.kind == ChunkKind.PROVISION and named & set(c.agencies)]
        if not theirs:
            return hits
        fused = {h.chunk.chunk_id: (rank, h) for rank, h in enumerate(hits)}
        theirs.sort(key=lambda c: fused[c.chunk_id][0] if c.chunk_id in fused else len(hits))
        ids = {c.chunk_id for c in theirs}
        first = [Hit(c, fused[c.chunk_id][1].score if c.chunk_id in fused else 0.0, "agency")
                 for c in theirs]
        return first + [h for h in hits if h.chunk.chunk_id not in ids]

    @staticmethod
    def _passes(chunk: Chunk, query: Query) -> bool:
        if query.doc_ids and chunk.doc_id not in query.doc_ids:
            return False
        return not (query.agency and query.agency not in chunk.agencies)

    @staticmethod
    def _collapse(hits: list[Hit]) -> list[Hit]:
        """A clause and its own tasks never both appear. A clause asked for by number stands
        for its tasks; otherwise a clause merges into its best task among the hits, which
        takes the better of the two ranks."""
        def key(h: Hit) -> tuple[str, int, int | None]:
            return (h.chunk.doc_id, h.chunk.part_no, h.chunk.clause_no)

        referenced = {key(h) for h in hits if h.via == "reference"
                      and h.chunk.kind == ChunkKind.CLAUSE}
        best_provision: dict[tuple[str, int, int | None], Hit] = {}
        for h in hits:
            if h.chunk.kind == ChunkKind.PROVISION:
                best_provision.setdefault(key(h), h)
        out: list[Hit] = []
        seen: set[str] = set()
        for h in hits:
            if h.via != "reference" and key(h) in referenced:
                continue
            if h.chunk.kind == ChunkKind.CLAUSE and key(h) in best_provision \
                    and key(h) not in referenced:
                best = best_provision[key(h)]
                h = replace(best, score=max(best.score, h.score))
            if h.chunk.chunk_id not in seen:
                seen.add(h.chunk.chunk_id)
                out.append(h)
        return out
