"""The measures catalogue: every task of every document (the texts of parts and clauses; not
the front matter of clause 0) with whom it concerns, what it is for them and whom to contact.

Built in three layers, the later winning:
1. cue words (rules.py, cues.toml);
2. the embedder where the cue words are silent: the task's vector (from the index) against the
   label descriptions of labels.toml;
3. the reviewer's overrides, corpus/measures.csv: ``ref,audience,kind,note``, labels separated
   by spaces, ``none`` for no audience, an empty cell keeps the computed labels.

A task is named by its ``ref``: ``doc_id/clause_no/index`` (``doc_id/pN/index`` for the text of
a part that has no clauses). The catalogue is built when an index generation opens, so a
document added to the corpus is classified with it.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import CorpusError
from core.model import Document, Provision
from indexing.embedders import Vectors
from indexing.measures.labels import Group, Vocabulary, vocabulary
from indexing.measures.rules import classify

OVERRIDES_FILE = "measures.csv"
OVERRIDE_COLUMNS = ("ref", "audience", "kind", "note")
NONE = "none"

log = logging.getLogger("policy_assistant.measures")


def task_ref(doc_id: str, part_no: int, clause_no: int | None, index: int | None) -> str:
    middle = str(clause_no) if clause_no is not None else f"p{part_no}"
    return f"{doc_id}/{middle}/{index}"


def measure_ref(p: Provision) -> str:
    return task_ref(p.doc_id, p.part_no, p.clause_no, p.index)


@dataclass(frozen=True, slots=True)
class Measure:
    ref: str
    provision: Provision
    heading: str  # the clause (or part) it stands in, as written
    audience: tuple[str, ...]  # () = government or society at large
    kind: tuple[str, ...]
    source: str  # how the labels were decided: rules, embedder, override (audience/kind)
    cues: tuple[str, ...] = ()

    @property
    def doc_id(self) -> str:
        return self.provision.doc_id

    @property
    def lead_agency(self) -> str | None:
        leads = self.provision.lead_agencies
        return leads[0] if leads else None


@dataclass(frozen=True, slots=True)
class Override:
    ref: str
    audience: tuple[str, ...] | None  # None: keep the computed labels
    kind: tuple[str, ...] | None
    note: str = ""


def _labels(cell: str, group: Group, vocab: Vocabulary, where: str) -> tuple[str, ...] | None:
    words = cell.replace(",", " ").replace("、", " ").split()
    if not words:
        return None
    if words == [NONE] and group == Group.AUDIENCE:
        return ()
    return vocab.check(group, tuple(words), where)


def load_overrides(path: Path, vocab: Vocabulary | None = None) -> dict[str, Override]:
    """corpus/measures.csv; an absent file overrides nothing. A label outside the vocabulary
    or a ref written twice is an error naming the line."""
    vocab = vocab or vocabulary()
    if not path.exists():
        return {}
    out: dict[str, Override] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or "ref" not in reader.fieldnames:
                raise CorpusError(f"{path}: the header must name {', '.join(OVERRIDE_COLUMNS)}")
            for line, row in enumerate(reader, 2):
                ref = (row.get("ref") or "").strip()
                if not ref or ref.startswith("#"):
                    continue
                where = f"{path}:{line}"
                if ref in out:
                    raise CorpusError(f"{where}: {ref} is overridden twice")
                out[ref] = Override(ref, _labels(row.get("audience") or "", Group.AUDIENCE,
                                                 vocab, where),
                                    _labels(row.get("kind") or "", Group.KIND, vocab, where),
                                    (row.get("note") or "").strip())
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CorpusError(f"{path}: unreadable overrides ({exc})") from exc
    return out


def catalogued(doc: Document) -> list[tuple[Provision, str]]:
    """The tasks of a document the catalogue holds, each with the heading it stands under."""
    out: list[tuple[Provision, str]] = []
    for part in doc.parts:
        out.extend((p, part.title) for p in part.intro)
        for clause in part.clauses:
            out.extend((p, clause.title) for p in clause.provisions)
    return out


class LabelVectors:
    """The embedder's side: task vectors against label-description vectors."""

    def __init__(self, vocab: Vocabulary, labels: Mapping[str, Vectors]) -> None:
        self.vocab = vocab
        self.ids = {g: [i for i in vocab.ids(g) if i in labels] for g in Group}
        self.matrix = {g: np.vstack([labels[i] for i in self.ids[g]]) for g in Group}

    def similarities(self, group: Group, vector: Vectors) -> dict[str, float]:
        sims = self.matrix[group] @ vector
        return dict(zip(self.ids[group], (float(s) for s in sims), strict=True))

    def standing_out(self, group: Group, vector: Vectors, z: float) -> str | None:
        """The label most like ``vector`` when it stands ``z`` standard deviations above the
        mean similarity of its group, else None."""
        sims = np.array(list(self.similarities(group, vector).values()))
        best = int(np.argmax(sims))
        spread = float(sims.std()) or 1.0
        return self.ids[group][best] if (sims[best] - sims.mean()) / spread >= z else None


def classify_task(p: Provision, heading: str, vocab: Vocabulary,
                  vectors: LabelVectors | None, vector: Vectors | None) -> Measure:
    rules = classify(vocab, p.text, heading)
    audience, kind = rules.audience, rules.kind
    how = ["rules" if audience else "none", "rules" if kind else "none"]
    if vectors is not None and vector is not None:
        if not audience and "internal" not in kind:
            found = vectors.standing_out(Group.AUDIENCE, vector, vocab.audience_z)
            audience, how[0] = ((found,), "embedder") if found else ((), "none")
        if not kind:
            found = vectors.standing_out(Group.KIND, vector, vocab.kind_z)
            kind, how[1] = ((found,), "embedder") if found else ((), "default")
    if not kind:
        kind, how[1] = (vocab.default_kind if audience else vocab.default_kind_none,), "default"
    return Measure(measure_ref(p), p, heading, audience, kind, "/".join(how), rules.cues)


def _overridden(m: Measure, o: Override) -> Measure:
    how = m.source.split("/")
    audience, kind = m.audience, m.kind
    if o.audience is not None:
        audience, how[0] = o.audience, "override"
    if o.kind is not None:
        kind, how[1] = o.kind, "override"
    return Measure(m.ref, m.provision, m.heading, audience, kind, "/".join(how), m.cues)


def build_measures(documents: Sequence[Document], overrides: Mapping[str, Override],
                   vocab: Vocabulary, vectors: LabelVectors | None = None,
                   task_vectors: Mapping[str, Vectors] | None = None) -> tuple[Measure, ...]:
    """Every catalogued task classified. An override naming a task of a loaded document that
    does not exist is an error (a typo); one of a document not loaded is ignored."""
    task_vectors = task_vectors or {}
    out = []
    for doc in documents:
        for p, heading in catalogued(doc):
            m = classify_task(p, heading, vocab, vectors, task_vectors.get(measure_ref(p)))
            o = overrides.get(m.ref)
            out.append(_overridden(m, o) if o is not None else m)
    known = {m.ref for m in out}
    loaded = {d.doc_id for d in documents}
    for ref in overrides:
        if ref not in known and ref.split("/", 1)[0] in loaded:
            raise CorpusError(f"{OVERRIDES_FILE}: no task {ref} (refs are doc/clause/index)")
    return tuple(out)
