"""What search found, read as the provisions an answer cites.

``Evidence`` wraps the searcher with the few readings every composer shares: the question's
subject words (rare in the texts, not a word that only says what is asked or which document),
the best provisions of the best clause, the home plan put first, and the provision of a clause
cited before that a follow-up's words point at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.query import Query
from assistant.search import Searcher
from core.model import Citation, Hit, Provision
from core.settings import AssistantSettings
from indexing.corpus import Corpus

_UNQUOTED = re.compile(r"[\s“”\"「」『』]")
_RARE_DF = 2  # a code in at most this many tasks names them
_YEAR = re.compile(r"(?:19|20)\d\d年?")  # a year is no code: 2021 dates a document


class Evidence:
    def __init__(self, corpus: Corpus, searcher: Searcher, settings: AssistantSettings,
                 not_topic: Iterable[str], names: Iterable[str] = ()) -> None:
        self.corpus = corpus
        self.searcher = searcher
        self.settings = settings
        self.tokenizer = searcher.index.lexical.tokenizer
        provisions = [c for c in searcher.index.chunks.values() if c.provision is not None]
        self._provision_count = len(provisions)
        self._document_frequency: dict[str, int] = {}
        for chunk in provisions:
            for token in set(self.tokenizer.tokens(chunk.text)):
                self._document_frequency[token] = self._document_frequency.get(token, 0) + 1
        # every task's text without quotation marks and spaces: where a term is used verbatim
        self.verbatim = "\n".join(_UNQUOTED.sub("", p.text) for d in corpus.documents
                                   for p in d.provisions)
        # words that say what is asked or which document, never what about (read once)
        # and the words of what users call a document, except those the texts use as a
        # subject of their own: 碳达峰 of 碳达峰意见 is asked about (碳达峰是哪年)
        named = set(names)
        self.not_topic = frozenset(w for cue in not_topic for w in self.tokenizer.tokens(cue)) \
            | {w for name in named for w in self.tokenizer.tokens(name)
               if w in named or len(w) < 3 or self.df(w) == 0}  # 国务, 4, 指导: pieces

    # -- the question's subject -----------------------------------------------------------

    def topic(self, text: str) -> set[str]:
        """The distinctive words of ``text``: in few provisions, not a word that only says
        what kind of question it is or which document it means."""
        limit = self.settings.topic_max_share * self._provision_count
        # one character is no subject: 共, 煤 and 那 say too little on their own
        return {t for t in self.tokenizer.query_tokens(text)
                if t not in self.not_topic and 0 < self.df(t) <= limit
                and (len(t) > 1 or t.isascii())}

    def used_words(self, text: str) -> set[str]:
        """The words of ``text`` the texts use at all, however often (节能, 碳达峰), cue
        words and one-character words aside."""
        return {t for t in self.tokenizer.query_tokens(text)
                if t not in self.not_topic and self.df(t) > 0 and (len(t) > 1 or t.isascii())}

    def words(self, text: str) -> set[str]:
        """Every token of ``text`` (what refusal suggestions are matched on)."""
        return set(self.tokenizer.tokens(text)) if text else set()

    def df(self, token: str) -> int:
        """In how many provisions the token occurs."""
        return self._document_frequency.get(token, 0)

    # -- search ---------------------------------------------------------------------------

    def search(self, question: str, context: str = "", k: int = 8,
               doc_ids: Sequence[str] = (), agency: str | None = None) -> list[Hit]:
        """The best hits, without the lines that frame a document (its title, addressees,
        signature and date): they say nothing on any subject, yet a short line can come
        close to a question that the plan does not treat."""
        hits = self.searcher.search(question, k=k + 2, doc_ids=doc_ids, context=context,
                                    agency=agency)
        return self._rare_first([h for h in hits if not self._framing(h)], question)[:k]

    def _rare_first(self, hits: list[Hit], question: str) -> list[Hit]:
        """Hits that hold a code the question names first (the 871 project), when it stands
        in no more than two tasks: a code names its task; closeness of meaning does not know
        it. Words are not pinned so: a rare word (家电) is as often beside the point."""
        said = question.lower()
        rare = sorted((t for t in self.topic(question)
                       if t in said and any(ch.isdigit() for ch in t)
                       and not _YEAR.fullmatch(t) and self.df(t) <= _RARE_DF),
                      key=lambda t: (self.df(t), -len(t)))
        if not rare:
            return hits
        word = rare[0]
        holding = [h for h in hits if word in h.chunk.text.lower()]
        return [*holding, *(h for h in hits if h not in holding)] if holding else hits

    def _framing(self, hit: Hit) -> bool:
        p = self.provision_of(hit)
        return p is not None and p.clause_no == 0 and not p.text.rstrip().endswith(
            ("。", "！", "；", ".", "!"))

    def provision_of(self, hit: Hit) -> Provision | None:
        c = hit.chunk
        if c.provision is None:
            return None
        return self.corpus.document(c.doc_id).provision(c.part_no, c.clause_no, c.provision)

    def provision_at(self, c: Citation) -> Provision | None:
        if c.provision is None:
            return None
        doc = self.corpus.document(c.doc_id)
        clause = doc.clause(c.clause_no) if c.clause_no is not None else None
        return doc.provision(clause.part_no if clause else 0, c.clause_no, c.provision)

    def top_provisions(self, hits: Sequence[Hit], limit: int) -> list[Provision]:
        """The best provisions of the best clause: what a general answer cites."""
        out: list[Provision] = []
        first_place: tuple[str, int | None, int] | None = None
        for hit in hits:
            place = (hit.chunk.doc_id, hit.chunk.clause_no, hit.chunk.part_no)
            if first_place is None:
                first_place = place
            if place != first_place:
                continue
            p = self.provision_of(hit)
            if p is None:  # a whole clause: its provisions
                doc = self.corpus.document(hit.chunk.doc_id)
                clause = doc.clause(hit.chunk.clause_no) if hit.chunk.clause_no is not None \
                    else None
                out.extend(clause.provisions[:limit] if clause else [])
            elif p not in out:
                out.append(p)
            if len(out) >= limit:
                break
        return out[:limit]

    def home_first(self, hits: list[Hit]) -> list[Hit]:
        """A question that names no document is put to the home plan first: its best hit
        leads when it is among the first few (方案对会展业有什么要求 is about the home plan, even
        where a national clause ranks a little higher)."""
        home = self.corpus.home
        if home is None or not hits or hits[0].chunk.doc_id == home.doc_id:
            return hits
        floor = hits[0].score * self.settings.home_first_ratio
        window = [h for i, h in enumerate(hits)
                  if i < self.settings.home_first_window or h.score >= floor]
        mine = [h for h in window if h.chunk.doc_id == home.doc_id]
        if not mine:
            return hits
        return [*mine, *(h for h in hits if h not in mine)]

    def provision_on_topic(self, question: str, cited: Sequence[Citation],
                           shown_only: bool = False) -> Provision | None:
        """Among the provisions of the clauses cited before, the one the question's subject
        words point at (其中绿色保险呢 → the 绿色保险 task); the first cited wins a tie.
        ``shown_only``: among the tasks cited themselves (岸电那一项 of a list shown)."""
        counts: dict[str, int] = {}
        for t in self.tokenizer.query_tokens(question):  # a word said twice weighs twice
            counts[t] = counts.get(t, 0) + 1
        subject = self.topic(question)
        weights = {t: n for t, n in counts.items() if t in subject}
        if not weights:
            return None
        best: tuple[float, Provision] | None = None
        for c in cited:
            if c.clause_no is None:
                continue
            clause = self.corpus.document(c.doc_id).clause(c.clause_no)
            shown = self.provision_at(c) if shown_only else None
            for p in ((shown,) if shown else ()) if shown_only else (
                    clause.provisions if clause else ()):
                # rarer words weigh more: 医疗 points at one task, 垃圾 at several
                overlap = sum(weights[t] / max(self.df(t), 1)
                              for t in weights.keys() & set(self.tokenizer.tokens(p.text)))
                if overlap and (best is None or overlap > best[0]):
                    best = (overlap, p)
        return best[1] if best else None

    def scoped(self, q: Query) -> tuple[str, ...]:
        """The documents a question is limited to: those it names, or a follow-up inherits."""
        return q.docs if q.docs_named or q.follow_up else ()
