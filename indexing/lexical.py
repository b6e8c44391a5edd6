"""Lexical search: BM25 (bm25s) over jieba tokens.

The segmenter gets a user dictionary of the agency names and aliases, the texts' own terms
(quoted terms, target indicators) and ``corpus/terms.txt``, so that 市发展改革委, 合同能源管理
and 岸电 stay whole; ``cut_for_search`` also emits their parts, so 发展改革 still matches.
Queries are widened with ``corpus/synonyms.toml`` (光伏 → 太阳能) and stripped of stopwords.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import tomllib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import CorpusError, SearchIndexError
from core.model import Chunk
from indexing.corpus import Corpus

TERMS_FILE = "terms.txt"
SYNONYMS_FILE = "synonyms.toml"
_STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")
_QUOTED_RE = re.compile(r"“([^“”]{2,12})”")
_WORD_RE = re.compile(r"[\w%]", re.UNICODE)
_IDS_FILE = "chunk_ids.json"
_TOKENS_FILE = "chunk_tokens.json"  # each chunk's tokens: a view's statistics are made from them
# the last Tokenizer made by for_corpus, with its dictionary
_LAST: list[tuple[tuple[object, ...], Tokenizer]] = []
_LAST_LOCK = threading.Lock()
_USER_WORD_FREQ = 200_000  # high enough that jieba never splits a user word
# texts segmented per Tokenizer, most recent kept: an answer segments the same stretches again
# and again (the question in each slot reader, the cited tasks' texts in every composer, the
# same tasks for the next question), and jieba costs some 0.1 ms per short text. 4096 holds
# every chunk's text and the questions of a busy minute (a few MB)
_SEGMENTED = 4096


def _read_lines(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    return [s for s in (line.strip() for line in lines) if s and not s.startswith("#")]


def vocabulary(corpus: Corpus, corpus_dir: Path) -> list[str]:
    """Words the segmenter must keep whole: those of the home jurisdiction's and the national
    documents. Every user word shifts jieba's word weights everywhere (they add to its total
    frequency), so another place's plan read with its own words would change how the home
    texts and questions are cut; it is read with these."""
    corpus = corpus.home_view
    words: set[str] = set(_read_lines(corpus_dir / TERMS_FILE))
    for agency in corpus.registry:
        words.add(agency.name)
        words.update(agency.aliases)
    words.update(corpus.agencies_in_use)
    for doc in corpus.documents:
        for provision in doc.provisions:
            words.update(_QUOTED_RE.findall(provision.text))
    words.update(t.indicator for t in corpus.targets if len(t.indicator) <= 12)
    return sorted(w for w in words if len(w) >= 2)


def load_synonyms(corpus_dir: Path) -> tuple[dict[str, tuple[str, ...]],
                                               dict[str, tuple[str, ...]]]:
    """(Chinese word -> document terms, English word or phrase -> document terms)."""
    path = corpus_dir / SYNONYMS_FILE
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return tuple(  # type: ignore[return-value]
            {str(k).lower(): tuple(str(x) for x in v)
             for k, v in data.get(section, {}).items()}
            for section in ("synonyms", "english"))
    except (OSError, tomllib.TOMLDecodeError, TypeError, AttributeError) as exc:
        raise CorpusError(f"{path}: invalid synonyms: {exc}") from exc


class Tokenizer:
    """jieba with this corpus's dictionary; one instance, not jieba's global state. Read-only
    once made: generations and threads share it."""

    def __init__(self, words: Iterable[str], synonyms: dict[str, tuple[str, ...]],
                 english: dict[str, tuple[str, ...]] | None = None) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._tagger: Any = None  # jieba.posseg's, made on first use (tagged)
        self._synonyms = synonyms
        # longest phrases first, so "green finance" is read before "finance"; a phrase starts
        # a word (recycl matches recycling; cement is not in replacement). Compiled once: there
        # are more phrases than the re module's cache holds, so compiling them per question
        # recompiled every one of them every time (most of an answer's CPU).
        self._english = [(re.compile(rf"(?<![a-z]){re.escape(phrase)}"), phrase, terms)
                         for phrase, terms in sorted((english or {}).items(),
                                                     key=lambda kv: -len(kv[0]))]
        for word in [*words, *synonyms]:
            self._jieba.add_word(word, freq=_USER_WORD_FREQ)
        self._stopwords = frozenset(_read_lines(_STOPWORDS_FILE))
        # per instance (a cache on the method would keep every Tokenizer alive); the cached
        # values are immutable and each call returns a fresh copy, so callers may change theirs
        self._tokens = lru_cache(_SEGMENTED)(self._tokens_of)
        self._segments = lru_cache(_SEGMENTED)(self._segments_of)
        self._subwords = lru_cache(_SEGMENTED)(self._subwords_of)
        self._query_tokens = lru_cache(_SEGMENTED)(self._query_tokens_of)

    @classmethod
    def for_corpus(cls, corpus: Corpus, corpus_dir: Path) -> Tokenizer:
        """The tokenizer of this corpus's dictionary: the same instance as long as the
        dictionary is the same. Each jieba dictionary is some 50 MB of small objects that a
        freed one leaves scattered over memory, so making one per index generation (two per
        reindex: the build's and the opened index's) grew the service at each reindex."""
        synonyms, english = load_synonyms(corpus_dir)
        words = tuple(vocabulary(corpus, corpus_dir))
        key = (words, tuple(sorted(synonyms.items())), tuple(sorted(english.items())))
        with _LAST_LOCK:
            if _LAST and _LAST[0][0] == key:
                return _LAST[0][1]
        tokenizer = cls(words, synonyms, english)
        with _LAST_LOCK:
            _LAST[:] = [(key, tokenizer)]
        return tokenizer

    def tokens(self, text: str) -> list[str]:
        return list(self._tokens(text))

    def _tokens_of(self, text: str) -> tuple[str, ...]:
        out = []
        for token in self._jieba.lcut_for_search(text.lower()):
            token = token.strip()
            if token and token not in self._stopwords and _WORD_RE.search(token):
                out.append(token)
        return tuple(out)

    def synonyms_of(self, token: str) -> tuple[str, ...]:
        """The texts' words for ``token`` (corpus synonyms.toml: 光伏 → 太阳能), whole."""
        return self._synonyms.get(token, ())

    def english_phrases(self) -> list[str]:
        """The English phrases the search translates (corpus synonyms.toml), some of them
        stems (recycl)."""
        return [pattern.pattern.removeprefix("(?<![a-z])").replace("\\", "")
                for pattern, _, _ in self._english]

    def translations(self, text: str) -> tuple[list[str], list[str], str]:
        """The English phrases of ``text`` the search translates, their terms in the texts'
        words, and what is left of the text once they are taken out."""
        lowered = text.lower()
        phrases: list[str] = []
        terms: list[str] = []
        for pattern, phrase, found in self._english:
            match = pattern.search(lowered) if phrase in lowered else None
            if match:
                phrases.append(match.group(0))
                terms.extend(found)
                lowered = pattern.sub(" ", lowered)
        return phrases, terms, lowered

    def dictionary(self) -> list[str]:
        """Every word of the general dictionary (jieba's, with a frequency): what counts as
        a real word when a stretch of a question is no word of the texts."""
        self._jieba.check_initialized()
        return [w for w, freq in self._jieba.FREQ.items() if freq]

    def frequency(self, word: str) -> int:
        """How common the word is in general Chinese (jieba's dictionary count; 0 when it
        is no word there): 数字, 面积 are everyday words, 核电, 乙烯 terms."""
        self._jieba.check_initialized()
        return int(self._jieba.FREQ.get(word, 0) or 0)

    def segments(self, text: str) -> list[str]:
        """Every token of the text in order, stopwords and punctuation kept: what cue words
        are matched against (a cue is a run of whole tokens, never part of one)."""
        return list(self._segments(text))

    def _segments_of(self, text: str) -> tuple[str, ...]:
        return tuple(t for t in self._jieba.lcut(text.lower()) if t.strip())

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """Each word of the text with its part of speech (jieba's tags: n… nouns, v… verbs,
        d adverbs): whether a word after a morpheme is a noun it forms a name with (碳 账户)
        or a word about it (碳 大概)."""
        if self._tagger is None:
            import jieba.posseg  # the tagger loads its own tables: only when first asked

            self._tagger = jieba.posseg.POSTokenizer(self._jieba)
        return [(w.word, w.flag) for w in self._tagger.cut(text.lower()) if w.word.strip()]

    def subwords(self, text: str) -> set[str]:
        """The words inside long tokens too (牵头单位 → 牵头, 单位)."""
        return set(self._subwords(text))

    def _subwords_of(self, text: str) -> frozenset[str]:
        return frozenset(t for t in self._jieba.lcut_for_search(text.lower()) if t.strip())

    def query_tokens(self, text: str) -> list[str]:
        return list(self._query_tokens(text))

    def _query_tokens_of(self, text: str) -> tuple[str, ...]:
        tokens = self.tokens(text)
        widened = list(tokens)
        for token in tokens:
            for synonym in self._synonyms.get(token, ()):
                widened.extend(self.tokens(synonym))
        lowered = text.lower()
        for pattern, phrase, terms in self._english:
            # a phrase matches only where it stands as written: the substring test skips the
            # regular expression for the ~1000 phrases a question does not hold
            if phrase in lowered and pattern.search(lowered):
                lowered = pattern.sub(" ", lowered)
                for term in terms:
                    widened.extend(self.tokens(term))
        return tuple(widened)


class LexicalIndex:
    """BM25 over the chunks' tokens. ``view`` gives the index of some of the chunks with
    their own statistics (word weights, average length), as if the others did not exist."""

    def __init__(self, retriever: Any, ids: Sequence[str], tokenizer: Tokenizer,
                 tokens: Sequence[Sequence[str]]) -> None:
        self._retriever = retriever
        self._ids = list(ids)
        self._tokenizer = tokenizer
        self._tokens = tokens
        self._vocab: dict[str, int] = dict(retriever.vocab_dict)

    @classmethod
    def build(cls, chunks: Sequence[Chunk], tokenizer: Tokenizer) -> LexicalIndex:
        return cls.of_tokens([c.chunk_id for c in chunks],
                             [tokenizer.tokens(c.embed_text) or [""] for c in chunks], tokenizer)

    @classmethod
    def of_tokens(cls, ids: Sequence[str], tokens: Sequence[Sequence[str]],
                  tokenizer: Tokenizer) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25()
        retriever.index([list(t) for t in tokens], show_progress=False)
        return cls(retriever, ids, tokenizer, tokens)

    def view(self, ids: Iterable[str]) -> LexicalIndex:
        """The index of these chunks alone (in this index's order)."""
        wanted = set(ids)
        kept = [i for i, cid in enumerate(self._ids) if cid in wanted]
        if len(kept) == len(self._ids):
            return self
        return LexicalIndex.of_tokens([self._ids[i] for i in kept],
                                      [self._tokens[i] for i in kept], self._tokenizer)

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokenizer

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(directory))
        (directory / _IDS_FILE).write_text(json.dumps(self._ids), encoding="utf-8")
        (directory / _TOKENS_FILE).write_text(json.dumps(self._tokens, ensure_ascii=False),
                                              encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, tokenizer: Tokenizer) -> LexicalIndex:
        import bm25s

        try:
            retriever = bm25s.BM25.load(str(directory))
            ids = json.loads((directory / _IDS_FILE).read_text(encoding="utf-8"))
            tokens = json.loads((directory / _TOKENS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SearchIndexError(f"{directory}: cannot load the lexical index: {exc}") from exc
        if len(tokens) != len(ids):
            raise SearchIndexError(f"{directory}: {len(tokens)} token lists for {len(ids)} "
                                   "chunks; run `policy-assistant index --rebuild`")
        return cls(retriever, ids, tokenizer, tokens)

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        """Up to ``n`` chunk ids with a positive BM25 score, best first."""
        tokens = [t for t in self._tokenizer.query_tokens(query) if t in self._vocab]
        if not tokens:
            return []
        scores = np.asarray(self._retriever.get_scores(tokens), dtype=np.float64)
        order = np.argsort(-scores, kind="stable")[:n]
        return [(self._ids[i], float(scores[i])) for i in order if scores[i] > 0]
