"""The plain RAG pipeline a user would otherwise build, run side by side with ours:
LangChain's RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50) over the raw
texts, the same embedder, Chroma, top-k. A retrieved chunk is a hit when it overlaps a gold
clause; chunk offsets are mapped to clauses through the parser's source lines.
"""

from __future__ import annotations

import bisect
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from indexing.corpus import Corpus
from indexing.embedders import Embedder

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50


def _langchain_embeddings(embedder: Embedder) -> Any:
    from langchain_core.embeddings import Embeddings

    class Adapter(Embeddings):
        """Our embedder as LangChain Embeddings: e5 prefixes stay in the embedder."""

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in embedder.embed_documents(texts)]

        def embed_query(self, text: str) -> list[float]:
            return [float(x) for x in embedder.embed_query(text)]

    return Adapter()


class _Regions:
    """Source line → the clause (or part text) it belongs to, for one document."""

    def __init__(self, corpus: Corpus, doc_id: str, raw: str) -> None:
        doc = corpus.document(doc_id)
        starts: list[tuple[int, str]] = [(1, "0")]
        for part in doc.parts:
            if part.intro:
                starts.append((part.line, f"p{part.no}"))
            starts.extend((clause.line, str(clause.no)) for clause in part.clauses)
        starts.sort()
        self._lines = [line for line, _ in starts]
        self._places = [place for _, place in starts]
        self._line_starts = [0]
        for i, ch in enumerate(raw):
            if ch == "\n":
                self._line_starts.append(i + 1)

    def places(self, start: int, length: int) -> set[str]:
        first = bisect.bisect_right(self._line_starts, start)
        last = bisect.bisect_right(self._line_starts, start + max(length - 1, 0))
        out = set()
        for line in range(first, last + 1):
            i = bisect.bisect_right(self._lines, line) - 1
            out.add(self._places[max(i, 0)])
        return out


class LangChainBaseline:
    name = "langchain-baseline"

    def __init__(self, corpus: Corpus, corpus_dir: Path, embedder: Embedder) -> None:
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
            from langchain_chroma import Chroma
            from langchain_core.documents import Document
            from langchain_text_splitters import RecursiveCharacterTextSplitter
        except ImportError as exc:
            raise ConfigError("the evaluation needs the 'eval' extra: "
                              "pip install 'policy-assistant[eval]'") from exc
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE,
                                                  chunk_overlap=CHUNK_OVERLAP,
                                                  add_start_index=True)
        self._regions: dict[str, _Regions] = {}
        documents: list[Any] = []
        for doc in corpus.documents:
            raw = (corpus_dir / doc.meta.file).read_text(encoding="utf-8")
            self._regions[doc.doc_id] = _Regions(corpus, doc.doc_id, raw)
            documents.extend(splitter.split_documents(
                [Document(page_content=raw, metadata={"doc_id": doc.doc_id})]))
        self.chunks = len(documents)
        self._tmp = tempfile.TemporaryDirectory(prefix="langchain-baseline-")
        client = chromadb.PersistentClient(path=self._tmp.name,
                                           settings=ChromaSettings(anonymized_telemetry=False))
        self._store = Chroma(collection_name="baseline", client=client,
                             embedding_function=_langchain_embeddings(embedder),
                             collection_metadata={"hnsw:space": "cosine"})
        self._store.add_documents(documents)

    def retrieve(self, question: str, k: int) -> list[set[tuple[str, str]]]:
        """For each of the top k chunks, the (doc_id, place) pairs it overlaps."""
        out = []
        for doc in self._store.similarity_search(question, k=k):
            regions = self._regions[doc.metadata["doc_id"]]
            places = regions.places(int(doc.metadata["start_index"]), len(doc.page_content))
            out.append({(doc.metadata["doc_id"], p) for p in places})
        return out

    def close(self) -> None:
        self._tmp.cleanup()


def overlapping(places: Sequence[set[tuple[str, str]]], gold: frozenset[tuple[str, str]]
                ) -> int | None:
    """1-based rank of the first retrieved item that overlaps the gold places."""
    for rank, item in enumerate(places, start=1):
        if item & gold:
            return rank
    return None
