"""Evaluation reports: Markdown for people, JSON for machines, a bar chart for the README."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evals.answers import AnswerEval, Metrics, Rate, failing
from evals.retrieval import SystemResult

REPORTS_DIR = Path(__file__).with_name("reports")


def _pct(x: float) -> str:
    return f"{x:.3f}"


def retrieval_markdown(results: Sequence[SystemResult], context: dict[str, Any]) -> str:
    lines = ["# Retrieval evaluation", ""]
    lines += [f"- {k}: {v}" for k, v in context.items()]
    lines += ["", "## Overall (answerable questions)", "",
              "| system | n | hit@1 | hit@5 | MRR@10 | seconds |", "|---|---|---|---|---|---|"]
    for r in results:
        o = r.overall
        lines.append(f"| {r.name} | {o.n} | {_pct(o.hit1)} | {_pct(o.hit5)} | "
                     f"{_pct(o.mrr10)} | {r.seconds:.1f} |")
    kinds = sorted({k for r in results for k in r.by_kind})
    for metric, label in (("hit1", "hit@1"), ("hit5", "hit@5"), ("mrr10", "MRR@10")):
        lines += ["", f"## {label} by question kind", "",
                  "| kind | n | " + " | ".join(r.name for r in results) + " |",
                  "|---|---|" + "---|" * len(results)]
        for kind in kinds:
            n = results[0].by_kind[kind].n if kind in results[0].by_kind else 0
            cells = [_pct(getattr(r.by_kind[kind], metric)) if kind in r.by_kind else "–"
                     for r in results]
            lines.append(f"| {kind} | {n} | " + " | ".join(cells) + " |")
    first = results[0]
    misses = sorted(q for q, rank in first.ranks.items() if rank is None or rank > 5)
    lines += ["", f"## {first.name}: questions without a hit in the top 5", ""]
    lines += [f"- {q}" for q in misses] or ["- none"]
    return "\n".join(lines) + "\n"


def retrieval_json(results: Sequence[SystemResult], context: dict[str, Any]) -> str:
    return json.dumps({"context": context, "systems": [asdict(r) for r in results]},
                      ensure_ascii=False, indent=2)


def retrieval_chart(results: Sequence[SystemResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    names = [r.name for r in results]
    metrics = (("hit1", "hit@1"), ("hit5", "hit@5"), ("mrr10", "MRR@10"))
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    width = 0.8 / len(metrics)
    for i, (attr, label) in enumerate(metrics):
        xs = [j + i * width for j in range(len(results))]
        values = [getattr(r.overall, attr) for r in results]
        bars = ax.bar(xs, values, width, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([j + width for j in range(len(results))], names, rotation=20, ha="right")
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("score (answerable questions)")
    ax.set_title("Retrieval on the fixed question set")
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_retrieval_reports(results: Sequence[SystemResult], context: dict[str, Any],
                            directory: Path = REPORTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md, js, png = (directory / "retrieval.md", directory / "retrieval.json",
                   directory / "retrieval.png")
    md.write_text(retrieval_markdown(results, context), encoding="utf-8")
    js.write_text(retrieval_json(results, context), encoding="utf-8")
    retrieval_chart(results, png)
    return [md, js, png]


# -- answers -------------------------------------------------------------------------------

ANSWER_METRICS = (
    ("citation_precision", "citation precision"),
    ("citation_precision_macro", "citation precision (macro)"),
    ("citation_recall", "citation recall"),
    ("agency_recall", "agency recall"),
    ("fact_accuracy", "fact accuracy"),
    ("declines", "refusal: declines"),
    ("answers", "refusal: answers"),
    ("follow_up", "follow-up accuracy"),
    ("passed", "pass"),
)


def _rate(rate: Rate) -> str:
    """``–`` where nothing was measured: an empty group is not a zero."""
    return "–" if rate.value is None else _pct(rate.value)


def _metrics_row(label: str, m: Metrics) -> str:
    cells = [_rate(getattr(m, attr)) for attr, _ in ANSWER_METRICS]
    return f"| {label} | {m.questions} | " + " | ".join(cells) + " |"


def _metrics_table(first: str, rows: dict[str, Metrics]) -> list[str]:
    return [f"| {first} | n | " + " | ".join(label for _, label in ANSWER_METRICS) + " |",
            "|---|---|" + "---|" * len(ANSWER_METRICS),
            *(_metrics_row(k, m) for k, m in rows.items())]


def answers_markdown(result: AnswerEval, context: dict[str, Any]) -> str:
    o = result.overall
    lines = ["# Answer evaluation", ""]
    lines += [f"- {k}: {v}" for k, v in context.items()]
    lines += [f"- questions: {o.questions}", f"- seconds: {result.seconds:.1f} "
              f"(p50 {result.p50:.2f} s, p95 {result.p95:.2f} s per answer)",
              f"- invalid citations: {len(result.invalid)}",
              "", "## Overall", "", "| metric | value | n |", "|---|---|---|"]
    lines += [f"| {label} | {_rate(getattr(o, attr))} | {getattr(o, attr).n} |"
              for attr, label in ANSWER_METRICS]
    lines.append(f"| fact accuracy (target) | {_rate(result.target_facts)} | "
                 f"{result.target_facts.n} |")
    lines.append(f"| multi-turn conversations, every turn passing | "
                 f"{_rate(result.conversations)} | {result.conversations.n} |")
    if result.by_persona:
        lines += ["", "## By persona", "", *_metrics_table("persona", result.by_persona)]
    lines += ["", "## By intent", "", *_metrics_table("intent", result.by_intent)]
    lines += ["", "## By question kind", "", *_metrics_table("kind", result.by_kind)]
    follow = result.by_kind.get("follow_up")
    lines += ["", "## Follow-ups", ""]
    if follow is None:
        lines.append("- none asked")
    else:
        lines += [f"- {label}: {_rate(getattr(follow, attr))} (n={getattr(follow, attr).n})"
                  for attr, label in ANSWER_METRICS if getattr(follow, attr).n]
    lines += ["", "## Failing questions", ""]
    failures = failing(result)
    for attr, label in ANSWER_METRICS:
        if attr not in failures:
            continue  # the macro figure fails on the same questions as the micro one
        ids = failures[attr]
        lines.append(f"- {label} ({attr}): {', '.join(ids) if ids else 'none'}")
    if result.invalid:
        lines += ["", "## Invalid citations", "", *(f"- {i}" for i in result.invalid)]
    return "\n".join(lines) + "\n"


def answers_json(result: AnswerEval, context: dict[str, Any]) -> str:
    return json.dumps({"context": context, "answers": asdict(result),
                       "failing": failing(result)}, ensure_ascii=False, indent=2)


def write_answer_reports(result: AnswerEval, context: dict[str, Any],
                         directory: Path = REPORTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md, js = directory / "answers.md", directory / "answers.json"
    md.write_text(answers_markdown(result, context), encoding="utf-8")
    js.write_text(answers_json(result, context), encoding="utf-8")
    return [md, js]
