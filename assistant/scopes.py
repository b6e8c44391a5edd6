"""Which part of the corpus answers a question: the home side, unless it names another place.

A corpus may hold plans of other places (another province's, added with ``policy-assistant
add``). A question that names none of them is answered from the home jurisdiction's and the
national documents alone (``Corpus.home_side``), by an assistant over that part of the corpus
and of the index: its own word weights, rankings, task counts and guard, as if the other plans
were not there, so adding one changes no home answer. A question names another place by

- a held place's name (``Places.held_named``: XX省, XX),
- a document of one by what users call it (its title, its documents.toml aliases), or
- an agency only other places have (XX发改委; 工信厅 or 自治区发展改革委 where home has none),

and then it, and every follow-up in a conversation that did, is answered from the whole corpus.
All of these words are corpus data (places.toml, documents.toml, the plans' brackets).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.names import AgencyMatcher
from assistant.references import documents_called
from indexing.corpus import Corpus


class Scopes:
    def __init__(self, corpus: Corpus, agencies: AgencyMatcher) -> None:
        self._corpus = corpus
        side = corpus.home_side
        # None: the corpus holds no other place's plan, so there is nothing to set apart
        self.home_side: tuple[str, ...] | None = \
            side if side and len(side) < len(corpus.documents) else None
        self._others = frozenset(d.doc_id for d in corpus.documents) - frozenset(side)
        self._agencies = agencies

    def names_another_place(self, text: str) -> bool:
        return bool(self._corpus.places.held_named(text)
                    or documents_called(text, self._corpus) & self._others
                    or self._agencies.places_of_agencies(text))

    def documents(self, question: str, earlier: Sequence[str] = ()) -> tuple[str, ...] | None:
        """The documents to answer from (the home side), or None for the whole corpus: the
        question or an earlier turn of its conversation names another place."""
        if self.home_side is None:
            return None
        if any(self.names_another_place(text) for text in (question, *earlier)):
            return None
        return self.home_side
