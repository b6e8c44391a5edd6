"""Evaluation reports: Markdown for people, JSON for machines, a bar chart for the README."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

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
