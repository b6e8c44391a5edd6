"""What every composer needs: the corpus, the answer templates, the routing cue words, and the
few ways of naming and quoting things (documents, agencies, places, a task with its bracket)
that all answers share."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.compose import Sources, Templates, where
from assistant.query import Query
from core.errors import ConfigError
from core.model import Answer, Intent, Provision
from indexing.corpus import Corpus

ROUTING_FILE = Path(__file__).resolve().parent.parent / "rules" / "routing.toml"
_RARE_IN = 2  # provisions a rare pair of characters stands in, at most
UNQUOTED = re.compile(r"[\s“”\"「」『』]")  # what a term is written with or without


@dataclass(frozen=True, slots=True)
class Routing:
    """The cue words of rules/routing.toml (matched as lower-cased substrings)."""

    responsibility: tuple[str, ...]
    target: tuple[str, ...]
    targets_clause: tuple[str, ...]
    asks_funding: tuple[str, ...]
    meta: tuple[str, ...]
    all_targets: tuple[str, ...]
    several: tuple[str, ...]
    duties: tuple[str, ...]
    qualifiers: tuple[str, ...]
    reached: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = ROUTING_FILE) -> Routing:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            return cls(**{k: tuple(v) for k, v in data.items()})
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: invalid routing rules: {exc}") from exc


def has(text: str, cues: tuple[str, ...]) -> bool:
    return any(c in text for c in cues)


@dataclass(frozen=True, slots=True)
class Kit:
    corpus: Corpus
    templates: Templates
    routing: Routing = field(default_factory=Routing.load)
    # what is counted once from the corpus on first use (pairs of characters, each text)
    _cache: dict[str, object] = field(default_factory=dict, init=False, compare=False,
                                      repr=False)

    def t(self, lang: str, key: str, **values: object) -> str:
        return self.templates.get(lang, key, **values)

    def rare(self, pair: str) -> bool:
        """Two characters that stand in one or two provisions of the texts (乙烯, 炼油): a word
        rare enough that sharing it says what a question is about (新建, 项目 are not)."""
        counts = self._cache.get("pairs")
        if not isinstance(counts, Counter):
            counts = self._cache["pairs"] = Counter(
                pair for d in self.corpus.documents for p in d.provisions
                for pair in {p.text[i:i + 2] for i in range(len(p.text) - 1)})
        return 0 < counts[pair] <= _RARE_IN

    def texts(self) -> dict[str, str]:
        """Each document's provisions run together, quotation marks and spaces aside."""
        found = self._cache.get("texts")
        if not isinstance(found, dict):
            found = self._cache["texts"] = {
                d.doc_id: "".join(UNQUOTED.sub("", p.text) for p in d.provisions)
                for d in self.corpus.documents}
        return found

    # -- names ----------------------------------------------------------------------------

    def doc_name(self, doc_id: str, lang: str) -> str:
        meta = self.corpus.document(doc_id).meta
        return meta.short_title if lang == "zh" else meta.english_title

    def doc_title(self, doc_id: str, lang: str) -> str:
        meta = self.corpus.document(doc_id).meta
        return meta.title if lang == "zh" else meta.english_title

    def home_name(self, lang: str) -> str:
        places = self.corpus.places
        return (places.name if lang == "zh" else places.english) or ""

    def scope(self, lang: str) -> str:
        """The line that says which documents the assistant holds."""
        names = "、".join(f"《{d.meta.title}》" for d in self.corpus.documents) if lang == "zh" \
            else "; ".join(d.meta.english_title for d in self.corpus.documents)
        return self.t(lang, "scope", documents=names)

    def agency_names(self, names: Sequence[str], lang: str) -> list[str]:
        if lang == "zh":
            return list(names)
        out = []
        for name in names:
            english = self.corpus.registry.agency(name).english
            out.append(f"{english} ({name})" if english else name)
        return out

    def agency_list(self, p: Provision, lang: str) -> str:
        """市商务局（牵头）、市发展改革委等: the bracket's agencies, lead marked, as one phrase."""
        names = self.agency_names(p.agencies, lang)
        if not names:
            return ""
        if lang == "zh":
            text = f"{names[0]}（牵头）" + ("、" + "、".join(names[1:]) if names[1:] else "")
            return text + ("等部门" if p.and_others else "")
        text = f"{names[0]} (lead)" + ("; " + "; ".join(names[1:]) if names[1:] else "")
        return text + (" and other departments" if p.and_others else "")

    def agencies_line(self, p: Provision, lang: str) -> str:
        names = self.agency_names(p.agencies, lang)
        sep = "、" if lang == "zh" else "; "
        others = self.t(lang, "agencies_others", names=sep.join(names[1:])) \
            if len(names) > 1 else ""
        if p.and_others:
            others += self.t(lang, "and_others")
        return self.t(lang, "agencies_line", lead=names[0], others=others)

    def agency_suffix(self, p: Provision, lang: str) -> str:
        """（责任单位：…） after a quoted task; nothing for a task without a bracket."""
        if not p.agencies:
            return ""
        line = self.agencies_line(p, lang)
        return f"（{line}）" if lang == "zh" else f" ({line})"

    # -- quoting --------------------------------------------------------------------------

    def place(self, p: Provision) -> str:
        """The heading of the clause (or part) a provision stands in."""
        doc = self.corpus.document(p.doc_id)
        if p.clause_no is None:
            part = doc.part(p.part_no)
            return part.heading if part else ""
        clause = doc.clause(p.clause_no)
        return clause.heading if clause else ""

    def cited_items(self, provisions: Sequence[Provision], sources: Sources,
                    lang: str) -> list[str]:
        """The head naming document and clause, then each provision quoted with its bracket."""
        first = provisions[0]
        lines = [self.t(lang, "general_head", doc=self.doc_name(first.doc_id, lang),
                        where=self.place(first))]
        for p in provisions:
            n = sources.provision(p)
            lines.append(self.t(lang, "general_item", text=p.text, n=n)
                         + self.agency_suffix(p, lang))
        return lines

    def cited(self, provisions: Sequence[Provision], lang: str,
              intent: Intent = Intent.GENERAL) -> Answer:
        """An answer that quotes ``provisions``."""
        sources = Sources(self.corpus)
        lines = self.cited_items(provisions, sources, lang)
        return Answer("\n".join(lines), False, intent, tuple(sources.citations))

    def responsibility_text(self, p: Provision, n: int, lang: str) -> str:
        if not p.agencies:
            return self.t(lang, "responsibility_national", doc=self.doc_name(p.doc_id, lang))
        names = self.agency_names(p.agencies, lang)
        if len(names) == 1:
            return self.t(lang, "responsibility_single", lead=names[0], n=n)
        sep = "、" if lang == "zh" else ", "
        # 等部门 belongs to the names, before 按职责分工: "A、B等部门按职责分工负责"
        rest = sep.join(names[1:]) + (self.t(lang, "and_others") if p.and_others else "")
        others = self.t(lang, "responsibility_others", names=rest)
        return self.t(lang, "responsibility", lead=names[0], others=others, n=n)

    def basis(self, p: Provision, n: int, lang: str) -> str:
        return self.t(lang, "basis", doc=self.doc_name(p.doc_id, lang),
                      where=where(self.corpus, p, lang), quote=p.text, n=n)

    def basis_place(self, p: Provision, n: int, lang: str) -> str:
        return self.t(lang, "basis_place", doc=self.doc_name(p.doc_id, lang),
                      where=where(self.corpus, p, lang), agencies=self.agencies_line(p, lang),
                      n=n)


@dataclass(frozen=True, slots=True)
class Context:
    """The previous turn, answered again: what a follow-up refers to."""

    question: str
    answer: Answer
    query: Query | None = None
    # the latest earlier question with a subject of its own: what a follow-up's search
    # borrows words from (这个是哪个部门牵头的 lends only 部门, 牵头)
    subject_question: str = ""
