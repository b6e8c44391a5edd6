"""The corpus: every document listed in documents.toml, parsed, with the agency registry and
the targets table, and the structural look-ups the assistant answers from (a clause by number,
an agency's duties).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from core.errors import CorpusError, UnknownAgency, UnknownDocument
from core.model import Agency, AgencyKind, Clause, Document, DocumentMeta, Duty, Level, Target
from indexing.agencies import AgencyRegistry
from indexing.agency_directory import AgencyDirectory, is_other, qualify
from indexing.clause_refs import find_clause, unknown_id
from indexing.parser import parse_document
from indexing.places import Places
from indexing.targets import extract_targets

DOCUMENTS_FILE = "documents.toml"
AGENCIES_FILE = "agencies.toml"
LEVELS_FILE = "levels.toml"
PLACES_FILE = "places.toml"
LINKS_FILE = "links.toml"

Link = tuple[str, int, str, int]  # (doc, clause) implements (other doc, clause)


def load_links(path: Path) -> tuple[Link, ...]:
    """links.toml: which national clause each local clause implements; absent → none."""
    if not path.exists():
        return ()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        out: list[Link] = []
        for entry in data.get("link", []):
            doc, no = str(entry["from"]).rsplit("/", 1)
            for target in entry["to"]:
                other, other_no = str(target).rsplit("/", 1)
                out.append((doc, int(no), other, int(other_no)))
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise CorpusError(f"{path}: invalid links: {exc}") from exc
    return tuple(out)


def load_levels(path: Path) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]]:
    """(level, words that point at its documents), and the names in which a level word
    points at none (``designations``: 国家高新技术企业, national-level); an absent file
    names none."""
    if not path.exists():
        return (), ()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        names = tuple(str(w) for w in data.pop("designations", {}).get("words", ()))
        out = tuple((str(Level(level)), tuple(str(w) for w in entry.get("words", ())))
                    for level, entry in data.items())
    except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError, AttributeError) as exc:
        raise CorpusError(f"{path}: invalid levels: {exc}") from exc
    return out, names


def load_metadata(path: Path) -> tuple[DocumentMeta, ...]:
    try:
        with path.open("rb") as fh:
            entries = tomllib.load(fh).get("document", [])
        metas = tuple(
            DocumentMeta(
                doc_id=e["id"], title=e["title"], short_title=e["short_title"],
                issuer=e["issuer"], number=e.get("number"), date=e.get("date", ""),
                published=e.get("published"), level=Level(e["level"]),
                implements=tuple(e.get("implements", ())), file=e["file"],
                english_title=e.get("english_title", ""), jurisdiction=e.get("jurisdiction"),
                aliases=tuple(e.get("aliases", ())), home=bool(e.get("home", False)),
            )
            for e in entries
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise CorpusError(f"{path}: invalid document metadata: {exc}") from exc
    ids = [m.doc_id for m in metas]
    if not ids:
        raise CorpusError(f"{path}: no documents listed")
    if len(set(ids)) != len(ids):
        raise CorpusError(f"{path}: a document id is listed twice")
    if sum(m.home for m in metas) > 1:
        raise CorpusError(f"{path}: more than one document has home = true")
    for meta in metas:
        unknown = set(meta.implements) - set(ids)
        if unknown:
            raise CorpusError(f"{path}: {meta.doc_id} implements unknown {sorted(unknown)}")
    return metas


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    registry: AgencyRegistry
    levels: tuple[tuple[str, tuple[str, ...]], ...] = ()  # level → words users say for it
    # names holding a document's or a level's word that point at no document (national
    # high-tech, 征求意见)
    designations: tuple[str, ...] = ()
    places: Places = field(default_factory=Places)
    links: tuple[Link, ...] = ()  # links.toml, checked against the structure at load
    folder: Path | None = None  # the folder it was loaded from (its data files beside)

    def __post_init__(self) -> None:
        # the other places it holds are its documents' jurisdictions, whatever it was made from
        object.__setattr__(self, "places", self.places.holding(
            (d.meta for d in self.documents), self.registry.jurisdiction))

    @classmethod
    def load(cls, directory: Path) -> Corpus:
        """Parse every listed document. Any failure raises; nothing partial is returned."""
        registry = AgencyRegistry.load(directory / AGENCIES_FILE)
        metas = load_metadata(directory / DOCUMENTS_FILE)
        documents = (parse_document(m, directory / m.file, registry) for m in metas)
        levels, designations = load_levels(directory / LEVELS_FILE)
        # another jurisdiction's agencies are named with their place: 广西壮族自治区发展改革委
        return cls(tuple(qualify(d) if is_other(d, registry.jurisdiction) else d
                         for d in documents),
                   registry, levels, designations,
                   Places.load(directory / PLACES_FILE), folder=directory).with_links(
                       load_links(directory / LINKS_FILE), directory / LINKS_FILE)

    def restricted(self, doc_ids: Iterable[str]) -> Corpus:
        """The corpus of these documents only, as if the others were not listed: its
        places held, links, agencies in use and targets are theirs."""
        wanted = set(doc_ids)
        documents = tuple(d for d in self.documents if d.doc_id in wanted)
        if len(documents) == len(self.documents):
            return self
        kept = tuple(link for link in self.links if link[0] in wanted and link[2] in wanted)
        return replace(self, documents=documents, links=kept)

    @cached_property
    def home_side(self) -> tuple[str, ...]:
        """The documents of the home jurisdiction and the national ones, in corpus order:
        what a question that names no other place is answered from."""
        return tuple(d.doc_id for d in self.documents
                     if d.meta.level == Level.NATIONAL
                     or not is_other(d, self.registry.jurisdiction))

    @cached_property
    def home_view(self) -> Corpus:
        """The corpus of ``home_side`` (itself when it holds no other place's plan)."""
        return self.restricted(self.home_side)

    def with_links(self, links: tuple[Link, ...], path: Path) -> Corpus:
        """The corpus with its links, each checked: a link to a clause that does not exist is
        an error naming it, not a silent miss. Links of documents not loaded are dropped."""
        loaded = {d.doc_id for d in self.documents}
        kept = tuple(link for link in links if link[0] in loaded and link[2] in loaded)
        for doc, no, other, other_no in kept:
            for d, n in ((doc, no), (other, other_no)):
                if self.document(d).clause(n) is None:
                    raise CorpusError(f"{path}: {d} has no clause {n}")
        return replace(self, links=kept)

    def document_words(self, levels: bool = True) -> tuple[tuple[str, frozenset[str]], ...]:
        """What users call each document (its titles and documents.toml aliases) and, with
        ``levels``, each level (levels.toml), lower-cased, longest first: read once, asked on
        every question."""
        return self._level_words if levels else self._alias_words

    @cached_property
    def _alias_words(self) -> tuple[tuple[str, frozenset[str]], ...]:
        keys: dict[str, set[str]] = {}
        for d in self.documents:  # an alias two documents share points at both
            # the full and short titles too: a question that quotes an added plan's title
            # names that plan, not the home plan whose alias 实施方案 sits inside it
            for alias in (*d.meta.aliases, d.meta.title, d.meta.short_title):
                if alias:
                    keys.setdefault(alias.lower(), set()).add(d.doc_id)
        for key, place in self.places.plan_keys().items():  # XX的方案: that place's plans
            keys.setdefault(key, set()).update(
                d.doc_id for d in self.documents if d.meta.jurisdiction == place)
        for name in self.designations:  # read first (longer): the word inside points nowhere
            keys.setdefault(name.lower(), set())
        return _longest_first(keys)

    @cached_property
    def _level_words(self) -> tuple[tuple[str, frozenset[str]], ...]:
        keys = {k: set(v) for k, v in self._alias_words}
        for level, words in self.levels:
            docs = {d.doc_id for d in self.documents if d.meta.level.value == level}
            for word in words if docs else ():
                keys.setdefault(word.lower(), set()).update(docs)
        return _longest_first(keys)

    @property
    def home(self) -> Document | None:
        """The deployment's own document (documents.toml ``home``), if any."""
        return next((d for d in self.documents if d.meta.home), None)

    # -- documents and clauses ------------------------------------------------------------

    def document(self, key: str) -> Document:
        """By id, short title or full title."""
        wanted = key.strip()
        for doc in self.documents:
            if wanted in (doc.doc_id, doc.meta.short_title, doc.meta.title):
                return doc
        names = [d.doc_id for d in self.documents]
        close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.3)
        raise UnknownDocument(f"unknown document: {key}", tuple(close or names))

    def clause(self, doc_key: str, no: int) -> Clause:
        doc = self.document(doc_key)
        clause = doc.clause(no)
        if clause is None:
            raise unknown_id(doc, no)
        return clause

    def find_clause(self, doc_key: str, text: str) -> Clause:
        """A clause as users write it: 9, 第九条, 三、（一）, 3.1, 301 (indexing.clause_refs)."""
        return find_clause(self.document(doc_key), text)

    # -- agencies -------------------------------------------------------------------------

    @cached_property
    def agencies_in_use(self) -> tuple[str, ...]:
        """Every agency a responsibility bracket names, most frequently named first: the
        home jurisdiction's by their registry names, any other's named with its place."""
        return _by_count(self.documents)

    @cached_property
    def _home_agencies_in_use(self) -> tuple[str, ...]:
        return _by_count(d for d in self.documents
                         if not is_other(d, self.registry.jurisdiction))

    @cached_property
    def directory(self) -> AgencyDirectory:
        """The agencies of the documents of other jurisdictions (agencies keyed by
        jurisdiction; the registry holds the home jurisdiction's)."""
        return AgencyDirectory(self.documents, self.registry.jurisdiction)

    def agency(self, query: str) -> Agency:
        """Resolve a name or alias to the agency, or raise UnknownAgency (AmbiguousAgency
        for a name several other jurisdictions' agencies have and home's none). The home
        jurisdiction answers first: 发改委 is its 市发展改革委 whatever else is loaded;
        广西发改委, 自治区发展改革委 or 工信厅 (home has none) are another's."""
        if query in self.directory:
            return self._listed(query)
        try:
            name = self.registry.resolve(query, self._home_agencies_in_use)
        except UnknownAgency as exc:
            other = self.directory.resolve(query)
            if other is None:
                suggestions = (*exc.suggestions, *self.directory.suggest(query))
                raise UnknownAgency(exc.message, tuple(dict.fromkeys(suggestions))[:3]) \
                    from None
            return self._listed(other)
        return replace(self.registry.agency(name), jurisdiction=self.registry.jurisdiction)

    def namesakes(self, query: str, agency: Agency) -> tuple[str, ...]:
        """Other jurisdictions' agencies ``query`` also names (发改委: 广西壮族自治区发展改革委
        beside home's 市发展改革委), for an answer to mention."""
        return tuple(n for n in self.directory.candidates(query) if n != agency.name)

    def agency_words(self, name: str) -> tuple[str, ...]:
        """What a question may call an agency (a canonical name) by: its names, aliases and
        English name, and for another jurisdiction's the place's names too (广西的发改委)."""
        listed = self.directory.listed(name)
        if listed is None:
            agency = self.registry.agency(name)
            return (agency.name, *agency.aliases, agency.english)
        return (*listed.keys, *self.directory.place_words(listed.jurisdiction))

    def _listed(self, name: str) -> Agency:
        listed = self.directory.listed(name)
        assert listed is not None
        return Agency(name=name, kind=AgencyKind.UNREGISTERED, english="",
                      aliases=tuple(k for k in listed.keys if k != name),
                      jurisdiction=listed.jurisdiction)

    def duties(self, query: str) -> tuple[Duty, ...]:
        """Every task of an agency across documents, in document order, lead or supporting.
        Names are unique across jurisdictions (another's are named with their place)."""
        name = self.agency(query).name
        out = []
        for doc in self.documents:
            for provision in doc.provisions:
                role = provision.role_of(name)
                if role is not None:
                    out.append(Duty(provision, role))
        return tuple(out)

    # -- targets --------------------------------------------------------------------------

    @cached_property
    def targets(self) -> tuple[Target, ...]:
        return tuple(t for doc in self.documents for t in extract_targets(doc))


def _by_count(documents: Iterable[Document]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for doc in documents:
        for provision in doc.provisions:
            for name in provision.agencies:
                counts[name] = counts.get(name, 0) + 1
    return tuple(sorted(counts, key=lambda n: (-counts[n], n)))


def _longest_first(keys: dict[str, set[str]]) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(sorted(((k, frozenset(v)) for k, v in keys.items()), key=lambda kv: -len(kv[0])))
