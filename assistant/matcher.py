"""The enterprise matcher: a profile (a description of the business, optionally its sector,
district and size) → the measures that support it and the requirements that bind it, each
ranked by fit, with its place, agencies (lead first), labels and what the plans leave unsaid.

Whom the profile concerns: its ``sector`` (a label id, name or alias of labels.toml), the cue
words of its description (the catalogue's own, cues.toml) and its trade (trades.py, firms.toml:
菜馆 is hospitality), both read without the phrases naming its customers (卖给钢厂), ``size``
(small and medium add ``sme``); where all are silent, the label description most like it (the
embedder), if one stands out. The trade also gives the words the texts use for the business's
concerns (汽修 → 挥发性有机物) and its class of firm (supplier, user). Fit: the embedder's
ranking of all tasks by likeness to the description and BM25's ranking by its words and its
trade's, fused by reciprocal rank, lifted where the task's whole clause stands out as like the
description; plus weights (profiles.toml) for a shared audience or the trade's words (by how
the profile named it: its sector weighs most, its main trade more than a passing one), the kind
(money before advice, where the task is its own) and the home plan. A measure for another
audience, or for nobody in particular, is listed only when the embedder finds it very like the
description or it uses the trade's words. Its kinds put it on the support or requirements
list; rules by class of firm add, move or take a side (firm_sides.py, sides.toml; a moved side
is surer than an added one). The same task written in two documents is one item, led by the
better ranked (twins.py). Each concern (sentence) of a description that names several has its
best fitting task among the first ten (match_signals.cover).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.firm_sides import SIDES_FILE, side_rules
from assistant.match_signals import (
    Floats,
    clause_vectors,
    cover,
    firmness,
    likeness,
    own_part,
    standard,
)
from assistant.trades import TradeReading, trades
from core.errors import BadInput, ConfigError, UnknownLabel
from core.model import ChunkKind
from indexing.corpus import Corpus
from indexing.index import Index
from indexing.measures.catalogue import Measure, task_ref
from indexing.measures.labels import Group, Side
from indexing.measures.rules import audience_cues, classify
from indexing.measures.table import Catalogue
from indexing.measures.twins import find_twins

PROFILES_FILE = Path(__file__).resolve().parent / "lexicon" / "profiles.toml"
MAX_DESCRIPTION = 2000
MAX_DISTRICT = 50


@cache
def profile_rules() -> dict[str, Any]:
    try:
        with PROFILES_FILE.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{PROFILES_FILE}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Profile:
    description: str
    sector: str | None = None
    district: str | None = None
    size: str | None = None


@dataclass(frozen=True, slots=True)
class MatchItem:
    measure: Measure
    score: float
    shared: tuple[str, ...]  # the profile's audience labels the measure has
    notes: tuple[str, ...]  # what the plan does not give for it
    also: tuple[Measure, ...] = ()  # the same task in other documents (twins.py)


@dataclass(frozen=True, slots=True)
class Match:
    audience: tuple[str, ...]  # whom the profile was read as
    how: str  # sector, description, size, embedder (joined by +), or none
    support: tuple[MatchItem, ...]
    requirements: tuple[MatchItem, ...]
    notes: tuple[str, ...]


class Matcher:
    def __init__(self, corpus: Corpus, index: Index, catalogue: Catalogue) -> None:
        self.corpus = corpus
        self.index = index
        self.catalogue = catalogue
        self.rules = profile_rules()
        self.measures = tuple(m for m in catalogue.measures if m.ref in catalogue.vectors)
        self.matrix = (np.vstack([catalogue.vectors[m.ref] for m in self.measures])
                       if self.measures else np.zeros((0, 1), dtype=np.float32))
        home = corpus.home
        self.home = home.doc_id if home else None
        self.by_ref = {m.ref: m for m in self.measures}
        self.row = {m.ref: i for i, m in enumerate(self.measures)}
        self.clause_matrix, self.clause_of = clause_vectors(index, self.measures)
        tokenizer = index.lexical.tokenizer
        self.tokenize = tokenizer.query_tokens
        self.words = [frozenset(tokenizer.tokens(m.provision.text)) for m in self.measures]
        df = Counter(w for ws in self.words for w in ws)
        self.rare = {w for w, n in df.items()
                     if n <= int(self.rules["ranking"]["own_words_df"]) and len(w) >= 2}
        self.twins = find_twins(self.measures, float(self.rules["ranking"]["twins_min_dice"]))
        self.trades = trades()
        self.side_rules = side_rules()
        vocab = catalogue.vocab
        for rule in self.side_rules.rules:
            vocab.check(Group.KIND, rule.kinds, f"{SIDES_FILE}: rule {rule.id}")
        for trade in self.trades.trades:
            vocab.check(Group.AUDIENCE, trade.audience, f"trade {trade.id}")

    # -- the profile --------------------------------------------------------------------

    def size(self, value: str) -> dict[str, Any]:
        wanted = value.strip().lower()
        for entry in self.rules.get("size", []):
            if wanted in (entry["id"], *(a.lower() for a in entry.get("aliases", ()))):
                return dict(entry)
        valid = ", ".join(e["id"] for e in self.rules.get("size", []))
        raise UnknownLabel(f"unknown size {value!r}; valid: {valid}")

    def read(self, profile: Profile) -> dict[str, str]:
        """The audience labels of a profile, each with how it was found (sector,
        description, trade, size, embedder), in the vocabulary's order."""
        return self._read(profile)[0]

    def _read(self, profile: Profile) -> tuple[dict[str, str], dict[str, float], TradeReading]:
        """The audience labels with how each was found, how firmly (1: the firm's sector, size
        or main line; less for a label only a passing word of the description gives) and the
        trade reading."""
        vocab = self.catalogue.vocab
        found: dict[str, str] = {}
        sector = (vocab.resolve(Group.AUDIENCE, profile.sector, "sector") if profile.sector
                  else None)
        if sector:
            found[sector] = "sector"
        own = own_part(profile.description, self.rules["customers"]["markers"]).lower()
        cues = audience_cues(vocab, plain := self.trades.plain(own))  # a borrower is no bank
        for label in classify(vocab, plain).audience:
            found.setdefault(label, "description")
        trade = self.trades.read(own, tuple(found), sector)
        for label in trade.audience:
            found.setdefault(label, "trade")
        if profile.size and self.size(profile.size).get("sme"):
            found.setdefault("sme", "size")
        if not found and self.catalogue.labels is not None:
            vector = self.index.query_vector(profile.description)
            guess = self.catalogue.labels.standing_out(Group.AUDIENCE, vector, vocab.audience_z)
            if guess:
                found[guess] = "embedder"
        if not trade.classes:
            trade = self.trades.read(own, tuple(found), sector)
        read = {a: found[a] for a in vocab.check(Group.AUDIENCE, tuple(found), "profile")}
        return read, firmness(read, cues, trade.audience), trade

    # -- matching -----------------------------------------------------------------------

    def match(self, profile: Profile, limit: int | None = None) -> Match:
        profile = self._validate(profile)
        weights = self.rules["ranking"]
        limit = limit or int(weights["limit"])
        if not 1 <= limit <= int(weights["max_limit"]):
            raise BadInput(f"limit must be 1-{weights['max_limit']}")
        read, firm, trade = self._read(profile)
        audience = tuple(read)
        how = "+".join(dict.fromkeys(read.values())) or "none"
        power, passing = float(weights["passing_power"]), float(weights["passing_words"])
        bonus = {a: float(weights["audience"][h]) * firm[a] ** power for a, h in read.items()}
        kinds = weights.get("kind", {})
        vector = self.index.query_vector(profile.description)
        similar, concerns = likeness(self.matrix, vector, self.index.query_vector,
                                     profile.description, float(weights["concerns"]))
        clause = standard(self.clause_matrix @ vector)[self.clause_of] \
            if len(self.clause_matrix) else np.zeros(len(self.measures))
        fits = self._fit(" ".join((profile.description, trade.text)), similar, clause, weights)
        ranked: dict[Side, list[MatchItem]] = {Side.SUPPORT: [], Side.REQUIREMENT: []}
        rare = self.rare & set(self.tokenize(profile.description))
        cap = float(weights["own_words_cap"])
        for m, z, fit, words_of in zip(self.measures, similar, fits, self.words, strict=True):
            shared = tuple(a for a in audience if a in m.audience)
            worded = any(w in m.provision.text for w in trade.words)
            named = min(cap, len(rare & words_of)) / cap
            if not shared and not worded and not named and z < float(weights["other_audience_z"]):
                continue
            mainly = worded and any(w in m.provision.text for w in trade.main)
            line = (1.0 if mainly else passing) * worded  # its main trade's words weigh most
            score = (fit + max((*(bonus[a] for a in shared), float(weights["trade_words"]) * line))
                     + float(weights["own_words"]) * named
                     + float(weights["trade_words_also"]) * line * bool(shared)
                     + float(weights["home"]) * (m.doc_id == self.home))
            ours, own = bool(shared) or worded, self.catalogue.sides(m)
            sides = self.side_rules.sides(own, m.provision.text, m.kind, trade.classes, ours)
            ruled = float(weights["rule_side" if set(own) & set(sides) else "rule_moved"])
            for side in (s for s in sides if s in ranked):  # money for others is not its own
                extra = ours * max((float(kinds.get(k, 0.0)) for k in m.kind
                                    if self.catalogue.vocab.side(k) == side), default=0.0)
                extra += ruled * (side not in own)
                ranked[side].append(MatchItem(m, round(score + extra, 4), shared,
                                              self._notes(m, side, profile)))
        each = [self._fit(c, z, np.zeros(len(z)), weights) for c, z in concerns]
        support, requirements = (self._fold(ranked[s], limit, each)
                                 for s in (Side.SUPPORT, Side.REQUIREMENT))
        notes = [self.rules["notes"]["general"]]
        if not audience:
            notes.append(self.rules["notes"]["no_audience"])
        return Match(audience, how, support, requirements, tuple(notes))

    def browse(self, sector: str | None = None, kind: str | None = None,
               doc_ids: Sequence[str] = ()) -> tuple[Measure, ...]:
        return self.catalogue.select(sector, kind, doc_ids)

    def _fold(self, items: list[MatchItem], limit: int, concerns: list[Floats]
              ) -> tuple[MatchItem, ...]:
        """The first ``limit`` items by score, a task's twins in other documents named with
        the first of them ranked rather than taking places of their own (and named with it
        where their own labels put them on no list); each concern's best fitting item among
        the first page (match_signals.cover)."""
        kept: list[MatchItem] = []
        at: dict[str, int] = {}  # ref -> the kept item it is shown with
        for item in sorted(items, key=lambda i: -i.score):
            ref = item.measure.ref
            twin = next((at[t] for t in self.twins.get(ref, ()) if t in at), None)
            if twin is not None:
                kept[twin] = replace(kept[twin], also=(*kept[twin].also, item.measure))
                at[ref] = twin
            else:
                at[ref] = len(kept)
                kept.append(item)
        w, rows = self.rules["ranking"], [[self.row[x.ref] for x in (i.measure, *i.also)]
                                          for i in kept]
        kept = cover(kept, rows, concerns, int(w["limit"]), int(w["cover_pool"]),
                     float(w["cover_fit"]))[:limit]
        # a twin the other side's labels keep off this list is the same task all the same
        return tuple(replace(i, also=(*i.also, *more)) if (more := tuple(
            self.by_ref[t] for t in self.twins.get(i.measure.ref, ()) if t not in at)) else i
            for i in kept)

    def _validate(self, profile: Profile) -> Profile:
        description = " ".join(profile.description.split())
        if not description:
            raise BadInput("the description is empty")
        if len(description) > MAX_DESCRIPTION:
            raise BadInput(f"the description is {len(description)} characters long; the "
                           f"limit is {MAX_DESCRIPTION}")
        district = (profile.district or "").strip() or None
        if district and len(district) > MAX_DISTRICT:
            raise BadInput(f"the district is longer than {MAX_DISTRICT} characters")
        if profile.size:
            self.size(profile.size)
        return Profile(description, (profile.sector or "").strip() or None, district,
                       (profile.size or "").strip() or None)

    def _fit(self, description: str, similar: Floats, clause: Floats,
             weights: dict[str, Any]) -> Floats:
        """The embedder's ranking and BM25's over the tasks fused by reciprocal rank, as the
        search fuses them: the embedder places a whole task well but blurs the tasks of one
        sector together, BM25 finds the description's own words in a long task (节水灌溉 in a
        task of six measures) and misses everyday wording; each corrects the other. A task
        whose whole clause stands out as like the description (``clause_z`` standard
        deviations above the clauses' mean) is lifted by ``clause_lift`` per deviation beyond:
        a terse task of a relevant clause (加快发展绿色物流 under a clause on green transport)
        says little on its own."""
        n = len(self.measures)
        dense = np.empty(n)
        dense[np.argsort(-similar, kind="stable")] = np.arange(1, n + 1)
        lexical = np.full(n, np.inf)
        rank = 0
        for c, _ in self.index.lexical_search(description, len(self.index.chunks)):
            i = self.row.get(task_ref(c.doc_id, c.part_no, c.clause_no, c.provision), -1) \
                if c.kind == ChunkKind.PROVISION else -1
            if i >= 0 and lexical[i] == np.inf:
                rank += 1
                lexical[i] = rank
        k = float(weights["fusion_k"])
        fused = float(weights["fusion"]) * (1.0 / (k + dense) + 1.0 / (k + lexical))
        lift = float(weights["clause_lift"]) * np.maximum(0.0, clause - float(weights["clause_z"]))
        return np.asarray(fused + lift, dtype=np.float64)

    def _notes(self, m: Measure, side: Side, profile: Profile) -> tuple[str, ...]:
        vocab, notes = self.catalogue.vocab, self.rules["notes"]
        out = [vocab.label(k).not_stated for k in m.kind
               if vocab.side(k) == side and vocab.label(k).not_stated]
        if not m.provision.agencies:
            out.append(notes["no_agency"])
        elif profile.district and any(w in a for a in m.provision.agencies
                                      for w in notes["district_agencies"]):
            out.append(notes["district"].format(district=profile.district))
        return tuple(dict.fromkeys(out))
