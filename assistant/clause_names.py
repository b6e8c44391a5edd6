"""A clause named by its subject, not its number: 农业那条, 能源体系那条里, 绿色金融这一条.

The words just before the cue (references.toml ``clause_by_name``) are matched against the
clause titles of the document meant. Only title words that few titles of that document use
count: 绿色 and 发展 stand in most titles and name none of them. Two clauses scoring the same
is no answer: the question is then left to the search.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.query import ClauseRef
from indexing.corpus import Corpus
from indexing.lexical import Tokenizer

# what separates the subject from the rest of the question: 方案里农业那条 → 农业
_BEFORE = re.compile(r"[\W_\s]|里|中|的|在|关于")
# a title word in more titles of a document than this names none of them
_MAX_TITLES = 2


class ClauseNames:
    def __init__(self, corpus: Corpus, tokenizer: Tokenizer) -> None:
        self.corpus = corpus
        self.tokenizer = tokenizer
        self._titles = {d.doc_id: [(c.no, c.title) for c in d.clauses if c.title]
                        for d in corpus.documents}

    def find(self, text: str, cue_starts: Sequence[int],
             doc_ids: Sequence[str]) -> ClauseRef | None:
        """The clause whose title the words before a cue name, in the first of ``doc_ids``
        that has one."""
        for start in cue_starts:
            subject = _BEFORE.split(text[:start])[-1]
            if len(subject) < 2:
                continue
            words = {w for w in self.tokenizer.tokens(subject) if len(w) >= 2} | {subject}
            for doc_id in doc_ids:
                found = self._best(doc_id, words)
                if found is not None:
                    return ClauseRef(doc_id, found)
        return None

    def _best(self, doc_id: str, words: set[str]) -> int | None:
        titles = self._titles.get(doc_id, [])
        scores: dict[int, int] = {}
        for word in words:
            using = [no for no, title in titles if word in title]
            if 0 < len(using) <= _MAX_TITLES:
                for no in using:
                    scores[no] = scores.get(no, 0) + len(word)
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0]
