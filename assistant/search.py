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
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.references import agencies_named, clause_refs
from core.errors import BadInput, UnknownClause
from core.model import Chunk, ChunkKind, Hit
from core.settings import SearchSettings
from indexing.corpus import Corpus
from indexing.index import Index

PRIMARY_DOC = "tianjin-2022"


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    k: int = 10
    doc_ids: tuple[str, ...] = ()
    agency: str | None = None


def _has_content(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


class Searcher:
    def __init__(self, index: Index, corpus: Corpus, settings: SearchSettings) -> None:
        self.index = index
        self.corpus = corpus
        self.settings = settings
        self._by_location = {(c.doc_id, c.part_no, c.clause_no, c.provision, c.kind): c
                             for c in index.chunks.values()}

    # -- entry point ----------------------------------------------------------------------

    def search(self, text: str, k: int = 10, doc_ids: Sequence[str] = (),
               agency: str | None = None, mode: str = "hybrid") -> list[Hit]:
        query = self._validate(text, k, doc_ids, agency)
        if not _has_content(query.text):
            return []  # only punctuation or emoji: nothing to look for
        if mode == "dense":
            ranked = self._dense(query)
        elif mode == "lexical":
            ranked = self._lexical(query)
        elif mode == "hybrid":
            ranked = self._hybrid(query)
        else:
            raise BadInput(f"unknown search mode {mode!r}; valid: dense, hybrid, lexical")
        hits = [h for h in ranked if self._passes(h.chunk, query)]
        return self._collapse(hits)[:query.k]

    def _validate(self, text: str, k: int, doc_ids: Sequence[str],
                  agency: str | None) -> Query:
        text = text.strip()
        if not text:
            raise BadInput("the query is empty")
        if len(text) > self.settings.max_query_chars:
            raise BadInput(f"the query is {len(text)} characters long; the limit is "
                           f"{self.settings.max_query_chars}")
        if not 1 <= k <= 100:
            raise BadInput(f"k must be between 1 and 100, not {k}")
        docs = tuple(self.corpus.document(d).doc_id for d in doc_ids)
        canonical = self.corpus.agency(agency).name if agency else None
        return Query(text, k, docs, canonical)

    # -- retrievers -----------------------------------------------------------------------

    def _dense(self, query: Query) -> list[Hit]:
        return [Hit(c, s, "dense", dense_rank=r)
                for r, (c, s) in enumerate(self.index.dense(query.text, self._n()), 1)]

    def _lexical(self, query: Query) -> list[Hit]:
        return [Hit(c, s, "lexical", lexical_rank=r)
                for r, (c, s) in enumerate(self.index.lexical_search(query.text, self._n()), 1)]

    def _n(self) -> int:
        return self.settings.candidates

    def _hybrid(self, query: Query) -> list[Hit]:
        fused = self._fuse(self._dense(query), self._lexical(query))
        fused = self._agency_first(fused, query.text)
        return self._references(query) + fused

    def _fuse(self, dense: list[Hit], lexical: list[Hit]) -> list[Hit]:
        by_id: dict[str, dict[str, float | int]] = {}
        for h in dense:
            by_id.setdefault(h.chunk.chunk_id, {})["dense"] = h.score
            by_id[h.chunk.chunk_id]["dense_rank"] = h.dense_rank or 0
        for h in lexical:
            by_id.setdefault(h.chunk.chunk_id, {})["lexical"] = h.score
            by_id[h.chunk.chunk_id]["lexical_rank"] = h.lexical_rank or 0
        scores: dict[str, float] = {}
        if self.settings.fusion == "rrf":
            k = self.settings.rrf_k
            for cid, v in by_id.items():
                scores[cid] = sum(1.0 / (k + int(v[r])) for r in ("dense_rank", "lexical_rank")
                                  if r in v)
        else:
            scores = self._weighted(by_id)
        chunks = {h.chunk.chunk_id: h.chunk for h in [*dense, *lexical]}
        order = sorted(scores, key=lambda cid: -scores[cid])
        return [Hit(chunks[cid], scores[cid], "hybrid",
                    dense_rank=_rank(by_id[cid].get("dense_rank")),
                    lexical_rank=_rank(by_id[cid].get("lexical_rank")))
                for cid in order]

    def _weighted(self, by_id: dict[str, dict[str, float | int]]) -> dict[str, float]:
        dense = [float(v["dense"]) for v in by_id.values() if "dense" in v]
        lexical = [float(v["lexical"]) for v in by_id.values() if "lexical" in v]
        d_lo, d_hi = (min(dense), max(dense)) if dense else (0.0, 1.0)
        l_hi = max(lexical) if lexical else 1.0
        w = self.settings.dense_weight
        out = {}
        for cid, v in by_id.items():
            d = (float(v["dense"]) - d_lo) / ((d_hi - d_lo) or 1.0) if "dense" in v else 0.0
            lex = float(v["lexical"]) / (l_hi or 1.0) if "lexical" in v else 0.0
            out[cid] = w * d + (1 - w) * lex
        return out

    # -- structure ------------------------------------------------------------------------

    def _references(self, query: Query) -> list[Hit]:
        hits = []
        for ref in clause_refs(query.text):
            doc_ids = [ref.doc_id] if ref.doc_id else list(query.doc_ids) or [PRIMARY_DOC]
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

    def _agency_first(self, hits: list[Hit], text: str) -> list[Hit]:
        named = set(agencies_named(text, self.corpus))
        if not named:
            return hits
        theirs = [h for h in hits if named & set(h.chunk.agencies)
                  and h.chunk.kind == ChunkKind.PROVISION]
        if not theirs:
            return hits
        ids = {h.chunk.chunk_id for h in theirs}
        return [Hit(h.chunk, h.score, "agency", h.dense_rank, h.lexical_rank) for h in theirs] \
            + [h for h in hits if h.chunk.chunk_id not in ids]

    @staticmethod
    def _passes(chunk: Chunk, query: Query) -> bool:
        if query.doc_ids and chunk.doc_id not in query.doc_ids:
            return False
        return not (query.agency and query.agency not in chunk.agencies)

    @staticmethod
    def _collapse(hits: list[Hit]) -> list[Hit]:
        """A clause chunk merges into the best provision of its own clause among the hits."""
        best_provision: dict[tuple[str, int, int | None], Hit] = {}
        for h in hits:
            if h.chunk.kind == ChunkKind.PROVISION:
                best_provision.setdefault((h.chunk.doc_id, h.chunk.part_no, h.chunk.clause_no), h)
        out: list[Hit] = []
        seen: set[str] = set()
        for h in hits:
            key = (h.chunk.doc_id, h.chunk.part_no, h.chunk.clause_no)
            if h.chunk.kind == ChunkKind.CLAUSE and key in best_provision \
                    and h.via != "reference":
                h = best_provision[key]
            if h.chunk.chunk_id not in seen:
                seen.add(h.chunk.chunk_id)
                out.append(h)
        return out


def _rank(value: float | int | None) -> int | None:
    return int(value) if value else None
