"""The sides of a corpus: which documents answer a question, by the places it is about.

A corpus may hold plans of other places (another province's or city's, a district's) beside
the home jurisdiction's and the national documents. Each question is answered from one side,
a corpus of its own (``Corpus.restricted``) over its own view of the index, so that what one
side answers never depends on the documents outside it:

- **home** (no other place named): the home jurisdiction's documents and the national ones
  (``Corpus.home_side``); a district plan of home is not in it;
- **another place held** (XX省, XX市): its documents, the national ones and every document
  those implement (a city's plan that implements its province's brings that one);
- **a district of home** (YY市XX区 when home is YY市, added with ``add``): the home side and
  that district's documents;
- **several places**: the union of their sides, with the home side when home is named too.

The side's lead (its ``home`` document, the one a question that names no document is about)
is the home plan when the side holds it, else the first document of the first place named,
which the side's answers then call by its place (``Places.name``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from core.errors import UnknownPlace
from core.model import Level
from indexing.corpus import Corpus


@dataclass(frozen=True, slots=True)
class Side:
    doc_ids: tuple[str, ...]  # in corpus order
    lead: str | None  # the document that leads: the side's home plan


def side_of(corpus: Corpus, places: Iterable[str] = (), home: bool = False) -> Side:
    """The side of these held places (jurisdictions as documents.toml writes them), with the
    home side too when ``home``; no place: the home side."""
    held = {h.jurisdiction: h for h in corpus.places.held}
    named = [p for p in dict.fromkeys(places) if p in held]
    wanted: set[str] = set()
    if home or not named or any(held[p].district for p in named):
        wanted.update(corpus.home_side)
    for place in named:
        wanted.update(d.doc_id for d in corpus.documents if d.meta.jurisdiction == place)
        wanted.update(d.doc_id for d in corpus.documents if d.meta.level == Level.NATIONAL)
    todo = list(wanted)
    while todo:  # and what they implement, as far as it goes
        for doc_id in corpus.document(todo.pop()).meta.implements:
            if doc_id not in wanted:
                wanted.add(doc_id)
                todo.append(doc_id)
    docs = tuple(d.doc_id for d in corpus.documents if d.doc_id in wanted)
    main = corpus.home
    if main is not None and main.doc_id in wanted:
        return Side(docs, main.doc_id)
    lead = next((d.doc_id for p in named for d in corpus.documents
                 if d.meta.jurisdiction == p), None)
    return Side(docs, lead)


def side_for(corpus: Corpus, places: Sequence[str] = (), docs: Sequence[str] = (),
             district: str | None = None) -> Side:
    """The side of these places (names or words: ``resolve_places``), documents (ids or
    titles: a document of a held place adds that place, of home the home side) and the
    district a business says it is in (a held district of home that it names adds that
    district; any other text adds nothing); none: the home side. Unknown names raise
    ``UnknownPlace`` or ``UnknownDocument``."""
    named, home = resolve_places(corpus, places)
    doc_ids = [corpus.document(d).doc_id for d in docs]
    home = home or any(d in corpus.home_side and corpus.document(d).meta.level != Level.NATIONAL
                       for d in doc_ids)
    districts = {h.jurisdiction for h in corpus.places.held if h.district}
    where = tuple(j for j in corpus.places.held_named(district or "") if j in districts)
    return side_of(corpus, (*named, *places_of(corpus, doc_ids), *where), home)


def side_corpus(corpus: Corpus, side: Side) -> Corpus:
    """The corpus of a side: its documents only, its lead the home document (and its place
    the name answers give home) when the home plan is not in it."""
    view = corpus.restricted(side.doc_ids)
    main = corpus.home
    if side.lead is None or (main is not None and main.doc_id == side.lead):
        return view
    documents = tuple(replace(d, meta=replace(d.meta, home=d.doc_id == side.lead))
                      for d in view.documents)
    place = view.document(side.lead).meta.jurisdiction or ""
    return replace(view, documents=documents,
                   places=replace(view.places, name=place, english=place))


def place_names(corpus: Corpus) -> tuple[str, ...]:
    """What a caller may name a side by: home's jurisdiction, then each place held."""
    home = corpus.registry.jurisdiction or corpus.places.name
    return tuple(dict.fromkeys([*([home] if home else []),
                                *(h.jurisdiction for h in corpus.places.held)]))


def resolve_places(corpus: Corpus, names: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """(the held places these names mean, whether home is among them). A name is a place's
    full name or any word that names it (XX, XX区); home by its name or its words. Unknown:
    ``UnknownPlace`` listing the valid names."""
    home_words = {w.lower() for w in (*place_names(corpus)[:1], *corpus.places.home)}
    places: list[str] = []
    home = False
    for name in names:
        key = name.strip().lower()
        found = next((h.jurisdiction for h in corpus.places.held
                      if key in (w.lower() for w in h.words)), None)
        if found is not None:
            places.append(found)
        elif key in home_words:
            home = True
        else:
            valid = place_names(corpus)
            raise UnknownPlace(f"unknown place: {name.strip()[:50]}; valid: "
                               f"{', '.join(valid)}", (), valid)
    return tuple(dict.fromkeys(places)), home


def places_of(corpus: Corpus, doc_ids: Iterable[str]) -> tuple[str, ...]:
    """The held places these documents are of (a home or national document: none)."""
    held = {h.jurisdiction for h in corpus.places.held}
    return tuple(dict.fromkeys(
        j for d in doc_ids if (j := corpus.document(d).meta.jurisdiction) in held))
