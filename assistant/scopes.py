"""Which side of the corpus answers a question: the home side, unless it names another place.

A corpus may hold plans of other places (another province's, a city's, a district of home's,
added with ``policy-assistant add``). Each question is answered by an assistant over one side
of the corpus (indexing/sides.py): its own documents, word weights, rankings, task counts and
guard, as if nothing outside it were there, so adding a plan changes no answer of another
side. A text names another place by

- a held place's name (``Places.held_named``: XX省, XX, XX区 for a district of home),
- a document of one by what users call it (its title, its documents.toml aliases, XX的方案), or
- an agency only other places have (XX发改委; 工信厅 or 自治区发展改革委 where home has none),

and the question is then answered from the side of every place it and the turns answered again
with it (the latest three) name: that place's documents and the national ones (the union for
several), with the home side too when one of them also names home (its name, its plan's
title). A question that names none is answered from the home side. All of these words are
corpus data (places.toml, documents.toml, the plans' brackets).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from assistant.names import AgencyMatcher
from assistant.references import documents_called
from indexing.corpus import Corpus
from indexing.sides import Side, side_of

T = TypeVar("T")
_SIDES_KEPT = 16  # sides asked of besides home's: a few places, and their pairs


class Scopes:
    def __init__(self, corpus: Corpus, agencies: AgencyMatcher) -> None:
        self._corpus = corpus
        home = side_of(corpus)
        # None: the corpus holds no other place's plan, so there is nothing to set apart
        self.home_side: Side | None = \
            home if corpus.places.held and home.doc_ids else None
        self._jurisdiction = {d.doc_id: d.meta.jurisdiction for d in corpus.documents}
        held = {h.jurisdiction for h in corpus.places.held}
        self._held = held
        main = corpus.home
        districts = {w for h in corpus.places.held if h.district for w in h.words}
        # what names home beside another place: home's words (its districts whose plans are
        # held name those instead) and the home plan's titles
        self._home_words = tuple(w.lower() for w in (
            *corpus.places.home, corpus.registry.jurisdiction or "",
            *((main.meta.title, main.meta.short_title) if main else ()))
            if w and w not in districts)
        self._agencies = agencies

    def places_named(self, text: str) -> tuple[str, ...]:
        """The held places a text names, by place, document or agency."""
        documents = documents_called(text, self._corpus)
        return tuple(dict.fromkeys((
            *self._corpus.places.held_named(text),
            *(j for d in sorted(documents) if (j := self._jurisdiction[d]) in self._held),
            *self._agencies.places_of_agencies(text))))

    def side(self, question: str, earlier: Sequence[str] = ()) -> Side | None:
        """The side to answer from, or None when the corpus holds no other place: the places
        the question or an earlier turn of its conversation names, else home."""
        if self.home_side is None:
            return None
        texts = (question, *earlier)
        places = tuple(dict.fromkeys(p for text in texts for p in self.places_named(text)))
        if not places:
            return self.home_side
        home = any(w in text.lower() for text in texts for w in self._home_words)
        return side_of(self._corpus, places, home)


class SideCache(Generic[T]):
    """What ``make`` builds for a side (its assistant), built at the first question about it
    and kept for the next ones: the latest few, and the ``keep`` ones (home's) for good. A
    side is built once however many ask at the same time; the others' sides do not wait."""

    def __init__(self, make: Callable[[Side], T]) -> None:
        self._make = make
        self._kept: dict[Side, T] = {}
        self._recent: OrderedDict[Side, T] = OrderedDict()
        self._building: dict[Side, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, side: Side, keep: bool = False) -> T:
        made = self._kept.get(side)
        if made is not None:
            return made
        with self._lock:
            building = self._building.setdefault(side, threading.Lock())
        with building:
            with self._lock:
                made = self._kept.get(side)
                made = self._recent.get(side) if made is None else made
            if made is None:
                made = self._make(side)
            with self._lock:
                self._building.pop(side, None)
                if keep:
                    self._kept[side] = made
                    return made
                self._recent[side] = made
                self._recent.move_to_end(side)
                while len(self._recent) > _SIDES_KEPT:
                    self._recent.popitem(last=False)
            return made
