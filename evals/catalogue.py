"""The measures catalogue and the matcher against hand-labelled gold (issue 12).

- ``evals/catalogue-sample.jsonl``: ``{"ref", "audience", "kind"}`` per task, labelled by a
  helper who never saw the rules (refs ``doc_id/clause_no/index``; ``audience`` a list of
  labels, ``[]`` or ``"none"`` for none). Precision and recall per label, over the sample.
- ``evals/profiles*.jsonl`` (PROFILE_SETS): enterprise profiles
  (``description`` and optional ``sector``, ``district``, ``size``) with ``gold_support`` and
  ``gold_requirements`` refs taken from the texts. Recall of the gold measures in the first 10
  items of each list, per set and over all; the time each match takes.

Run by ``policy-assistant eval --catalogue`` (``make eval-catalogue``); the reports go to
``evals/reports/catalogue.md`` / ``.json``. Nothing here special-cases a task or a profile.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.matcher import Matcher, Profile
from core.errors import BadInput
from indexing.measures.labels import Group
from indexing.measures.table import Catalogue

EVALS_DIR = Path(__file__).resolve().parent
SAMPLE_FILE = EVALS_DIR / "catalogue-sample.jsonl"
PROFILES_FILE = EVALS_DIR / "profiles.jsonl"
# the profile sets the report measures the matcher on: the first (tuned on) and the second
# (written blind, its first run recorded in reports/profiles-2-first-run.md, read since)
# every profile set in evals/, the first written (profiles.jsonl) first
PROFILE_SETS = tuple(sorted(EVALS_DIR.glob("profiles*.jsonl"), key=lambda p: (len(p.name), p.name)))
MIN_TASKS = 5  # a label is judged (against the targets) with at least this many gold tasks
TOP = 10


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise BadInput(f"{path}:{n}: not JSON ({exc.msg})") from exc
    return rows


def _labels(value: Any) -> set[str]:
    if value is None:
        return set()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return {str(v).strip() for v in items if str(v).strip() and str(v).strip() != "none"}


@dataclass
class LabelScore:
    label: str
    group: str
    gold: int
    predicted: int
    correct: int
    judged: bool  # gold >= MIN_TASKS
    precision: float | None = None
    recall: float | None = None
    wrong: list[str] = field(default_factory=list)  # refs predicted but not gold
    missed: list[str] = field(default_factory=list)  # refs gold but not predicted


def score_labels(catalogue: Catalogue, sample: Sequence[dict[str, Any]]
                 ) -> tuple[list[LabelScore], list[str]]:
    """Per label precision/recall over the sample's tasks; and the refs not in the catalogue."""
    unknown = [str(r["ref"]) for r in sample if catalogue.get(str(r["ref"])) is None]
    known = [r for r in sample if catalogue.get(str(r["ref"])) is not None]
    out = []
    for group in Group:
        for label in catalogue.vocab.ids(group):
            s = LabelScore(label, group.value, 0, 0, 0, False)
            for row in known:
                measure = catalogue.get(str(row["ref"]))
                assert measure is not None
                mine = set(measure.audience if group == Group.AUDIENCE else measure.kind)
                gold = label in _labels(row.get(group.value))
                said = label in mine
                s.gold += gold
                s.predicted += said
                s.correct += gold and said
                if said and not gold:
                    s.wrong.append(measure.ref)
                if gold and not said:
                    s.missed.append(measure.ref)
            s.judged = s.gold >= MIN_TASKS
            s.precision = s.correct / s.predicted if s.predicted else None
            s.recall = s.correct / s.gold if s.gold else None
            out.append(s)
    return out, unknown


@dataclass
class ProfileScore:
    profile: str
    audience: list[str]
    gold_support: int
    found_support: int
    gold_requirements: int
    found_requirements: int
    missed: list[str]
    found_leading: int = 0  # found as an item's own task, not as a twin named with it
    ms: float = 0.0  # how long the match took
    set: str = ""  # the profile set's file name

    @property
    def recall(self) -> float:
        gold = self.gold_support + self.gold_requirements
        return (self.found_support + self.found_requirements) / gold if gold else 1.0


def score_profiles(matcher: Matcher, profiles: Sequence[dict[str, Any]],
                   set_name: str = "") -> list[ProfileScore]:
    out = []
    for n, row in enumerate(profiles, 1):
        profile = Profile(str(row["description"]), row.get("sector"), row.get("district"),
                          row.get("size"))
        start = time.perf_counter()
        result = matcher.match(profile, TOP)
        ms = (time.perf_counter() - start) * 1000
        # an item shows its task and that task's twins in other documents (the same words)
        support = {m.ref for i in result.support for m in (i.measure, *i.also)}
        requirements = {m.ref for i in result.requirements for m in (i.measure, *i.also)}
        leads = ({i.measure.ref for i in result.support},
                 {i.measure.ref for i in result.requirements})
        gold_s = [str(r) for r in row.get("gold_support", [])]
        gold_r = [str(r) for r in row.get("gold_requirements", [])]
        missed = [f"support {r}" for r in gold_s if r not in support]
        missed += [f"requirement {r}" for r in gold_r if r not in requirements]
        out.append(ProfileScore(str(row.get("id", n)), list(result.audience), len(gold_s),
                                sum(r in support for r in gold_s), len(gold_r),
                                sum(r in requirements for r in gold_r), missed,
                                sum(r in leads[0] for r in gold_s)
                                + sum(r in leads[1] for r in gold_r), round(ms, 1), set_name))
    return out


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _micro(scores: Iterable[ProfileScore]) -> dict[str, float]:
    items = list(scores)
    gold_s = sum(p.gold_support for p in items)
    gold_r = sum(p.gold_requirements for p in items)
    found_s = sum(p.found_support for p in items)
    found_r = sum(p.found_requirements for p in items)
    return {"support": found_s / gold_s if gold_s else 1.0,
            "requirements": found_r / gold_r if gold_r else 1.0,
            "all": (found_s + found_r) / (gold_s + gold_r) if gold_s + gold_r else 1.0,
            "leading": (sum(p.found_leading for p in items) / (gold_s + gold_r)
                        if gold_s + gold_r else 1.0),
            "profiles_mean": sum(p.recall for p in items) / len(items) if items else 1.0,
            "ms_per_match": sum(p.ms for p in items) / len(items) if items else 0.0}


def _recall_line(name: str, micro: dict[str, float]) -> str:
    return (f"- matcher recall of gold measures in the first {TOP} items of each list, {name}: "
            f"{micro['all']:.3f} (support {micro['support']:.3f}, requirements "
            f"{micro['requirements']:.3f}; mean per profile {micro['profiles_mean']:.3f}; "
            f"counting only the task each item leads with, not its twins named with it: "
            f"{micro['leading']:.3f}; {micro['ms_per_match']:.0f} ms per match)")


def report(labels: list[LabelScore], unknown: list[str], profiles: list[ProfileScore],
           context: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    micro = _micro(profiles)
    sets = list(dict.fromkeys(p.set for p in profiles))
    by_set = {name: _micro(p for p in profiles if p.set == name) for name in sets}
    judged = [s for s in labels if s.judged and s.group == "audience"]
    passing = sum((s.precision or 0) >= 0.9 and (s.recall or 0) >= 0.85 for s in judged)
    meets = passing == len(judged)
    lines = ["# Measures catalogue and matcher", ""]
    lines += [f"- {k}: {v}" for k, v in context.items()]
    lines += [f"- audience labels with ≥{MIN_TASKS} gold tasks meeting precision ≥0.9 and "
              f"recall ≥0.85: {passing}/{len(judged)} ({'met' if meets else 'not met'})"]
    lines += [_recall_line(name, by_set[name]) for name in sets if len(sets) > 1]
    lines += [_recall_line("all profiles" if len(sets) > 1 else "", micro),
              f"- sample refs not in the catalogue: {len(unknown)} {' '.join(unknown)}", ""]
    for group in ("audience", "kind"):
        lines += [f"## {group} labels", "", "| label | gold | predicted | correct | precision "
                  "| recall | judged |", "|---|---|---|---|---|---|---|"]
        for s in labels:
            if s.group == group:
                lines.append(f"| {s.label} | {s.gold} | {s.predicted} | {s.correct} | "
                             f"{_f(s.precision)} | {_f(s.recall)} | "
                             f"{'yes' if s.judged else ''} |")
        lines.append("")
    lines += ["## Profiles", "", "| set | profile | read as | support | requirements | recall "
              "| ms |", "|---|---|---|---|---|---|---|"]
    for p in profiles:
        lines.append(f"| {p.set} | {p.profile} | {' '.join(p.audience) or '–'} | "
                     f"{p.found_support}/{p.gold_support} | "
                     f"{p.found_requirements}/{p.gold_requirements} | {p.recall:.3f} | "
                     f"{p.ms:.0f} |")
    lines += ["", "## Errors", ""]
    for s in labels:
        if s.judged and (s.wrong or s.missed):
            lines.append(f"- {s.label}: wrong {' '.join(s.wrong) or '–'}; missed "
                         f"{' '.join(s.missed) or '–'}")
    for p in profiles:
        if p.missed:
            lines.append(f"- profile {p.profile}: not in the first {TOP}: {', '.join(p.missed)}")
    body = {"context": context, "labels": [asdict(s) for s in labels], "unknown_refs": unknown,
            "profiles": [{**asdict(p), "recall": p.recall} for p in profiles],
            "matcher_recall": micro, "matcher_recall_by_set": by_set,
            "audience_targets_met": meets}
    return "\n".join(lines) + "\n", body


def run(catalogue: Catalogue, matcher: Matcher, out_dir: Path, name: str = "catalogue",
        context: dict[str, Any] | None = None, sample_file: Path = SAMPLE_FILE,
        profiles_files: Sequence[Path] = PROFILE_SETS) -> tuple[list[Path], dict[str, Any]]:
    labels, unknown = score_labels(catalogue, read_jsonl(sample_file))
    profiles = [p for f in profiles_files
                for p in score_profiles(matcher, read_jsonl(f), f.name)]
    ctx = {"sample tasks": len(read_jsonl(sample_file)), "profiles": len(profiles),
           **(context or {})}
    markdown, body = report(labels, unknown, profiles, ctx)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.md", out_dir / f"{name}.json"]
    paths[0].write_text(markdown, encoding="utf-8")
    paths[1].write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return paths, body
