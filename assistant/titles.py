"""Documents a question names that the corpus does not hold (another plan of the same city,
named by a title the corpus has no document for): such a question is declined, not answered from a
document that merely sounds alike. A title is recognised by how titles end (lexicon
documents.toml ``title_suffixes``); it is known when the texts use it, documents' aliases make
up all of it (place words aside), or most of its words appear, in order, in the title of a
loaded document of the same kind (方案, 意见)."""

from __future__ import annotations

import difflib
import re

from assistant.references import document_keys
from indexing.corpus import Corpus

_RUN = re.compile(r"[\u4e00-\u9fff0-9“”《》]+")
_LEADING = re.compile(r"^(?:这个|那个|这份|那份|该|本|我们的|咱们的|我市|本市|我们|"
                      r"这方面|那方面|这一块|这块|这里|那里|里面|其中)")
# a demonstrative inside a name points, it names nothing: 国家那个指导意见
_POINTING = re.compile(r"这个|那个|这份|那份|这篇|那篇")
_KNOWN_SHARE = 0.7  # of a title's words (before its ending) found in a loaded title


class Titles:
    def __init__(self, corpus: Corpus, suffixes: tuple[str, ...],
                 breaks: tuple[str, ...]) -> None:
        self.corpus = corpus
        self.breaks = breaks
        self.suffixes = tuple(sorted(suffixes, key=len, reverse=True))
        self.titles = [d.meta.title for d in corpus.documents]
        self.aliases = [a for d in corpus.documents for a in d.meta.aliases if len(a) >= 3]
        # every word that names a document or a level of them (国家层面, 中央): what a name
        # made of them leaves over is what it names beyond the loaded documents
        self.names = sorted({k for k, _ in document_keys(corpus) if len(k) >= 2},
                            key=len, reverse=True)
        self.home_words = tuple(sorted(corpus.places.home, key=len, reverse=True))
        self.texts = [p.text for d in corpus.documents for p in d.provisions]

    def unknown(self, question: str) -> str | None:
        """The first title-like phrase of the question that names no loaded document."""
        for found in _RUN.findall(question):
            run = str(found).strip("“”《》")
            for suffix in self.suffixes:
                at = run.find(suffix)
                if at < 0:
                    continue
                phrase = run[:at + len(suffix)]
                if not self._known(phrase, suffix):
                    return phrase
                break
        return None

    def _known(self, phrase: str, suffix: str) -> bool:
        prefix = phrase[: -len(suffix)]
        bare = _POINTING.sub("", phrase)  # 那国家那个指导意见 is the 国家指导意见
        if any(phrase in t for t in self.titles) or any(phrase in text for text in self.texts):
            return True
        # an alias names the document when it is the whole name: XX市 or 实施方案 in
        # XX市碳达峰实施方案 leave 碳达峰, which names another plan
        rest = bare
        for name in self.names:
            rest = rest.replace(name, "")
        rest = rest.removesuffix(suffix)
        for word in self.home_words:
            rest = rest.replace(word, "")
        if rest != bare and len(_LEADING.sub("", rest.lstrip("那这")).rstrip("的")) < 3:
            return True
        for word in self.home_words:  # the words after the last place word of the question
            at = prefix.rfind(word)
            if at >= 0:
                prefix = prefix[at + len(word):]
        prefix = _POINTING.sub("", _LEADING.sub("", prefix)).rstrip("的")
        if any(b in prefix for b in self.breaks):
            return True  # a sentence about a plan (在实施方案里), not a title
        if len(prefix) < 3:
            return True  # 实施方案, 这个方案: the loaded plan, by a short name
        # against the titles of the same kind (a 方案 is no 意见's short name)
        kind = suffix[-2:]
        best = max((sum(b.size for b in difflib.SequenceMatcher(None, prefix, t)
                        .get_matching_blocks()) / len(prefix)
                    for t in self.titles if t.endswith(kind)), default=0)
        return best >= _KNOWN_SHARE
