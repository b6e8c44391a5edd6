"""``policy-assistant match "DESCRIPTION" [--sector S] [--district D] [--size Z] [--place P]
[--json]`` (the home side's measures, or another place's) and ``policy-assistant measures
[--sector S] [--kind K] [--doc ID] [--json | --csv FILE]``:
the enterprise matcher and the measures catalogue from the command line, the same JSON as
``POST /v1/match`` and ``GET /v1/measures`` (ui.match_views). ``measures --csv`` writes the
reviewer's table: every task with its labels, how each was decided and the cue words (copy a
wrong row into corpus/measures.csv with the right labels to override it).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.matcher import Profile
from assistant.service import Assistant
from indexing.corpus import Corpus
from indexing.measures.table import TABLE_COLUMNS
from ui import match_views, render
from ui.cli_division import write_file

AddCommand = Callable[[str, Callable[[Corpus, argparse.Namespace], None], str],
                      argparse.ArgumentParser]


def _emit(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_match(corpus: Corpus, args: argparse.Namespace) -> None:
    assistant = Assistant.from_settings(args.settings, corpus).side(
        [args.place] if args.place else (), district=args.district)
    matcher = assistant.matcher
    profile = Profile(args.description, args.sector, args.district, args.size)
    body = match_views.match_view(assistant.corpus, matcher.catalogue, profile,
                                  matcher.match(profile, args.limit))
    if args.json:
        _emit(body)
        return
    names = "、".join(body["profile"]["audience_names"]) or "（未认出行业）"
    print(f"对象：{names}")
    for key, title in (("support", "支持措施"), ("requirements", "要求")):
        print(f"\n{title}（{len(body[key])}）")
        for item in body[key]:
            lead = f" 牵头：{item['lead_agency']}" if item["lead_agency"] else ""
            print(f"{item['rank']:>2}. [{match_views.place(item)}]{lead} {item['quote']}")
            for note in item["not_stated"]:
                print(f"    未规定：{note}")
            if item["also"]:
                print("    另见：" + "；".join(match_views.place(t) for t in item["also"]))
    for note in body["notes"]:
        print(f"\n注：{note}")


def cmd_measures(corpus: Corpus, args: argparse.Namespace) -> None:
    assistant = Assistant.from_settings(args.settings, corpus)
    catalogue = assistant.matcher.catalogue
    found = assistant.matcher.browse(args.sector, args.kind, args.doc or ())
    if args.csv is not None:
        out = io.StringIO()
        writer = csv.DictWriter(out, TABLE_COLUMNS)
        writer.writeheader()
        writer.writerows(catalogue.rows(found))
        write_file(args.csv, out.getvalue().encode("utf-8-sig"))
        print(f"written: {args.csv} ({len(found)} tasks)", file=sys.stderr)
        return
    if args.json:
        _emit({"count": len(found),
               "measures": [match_views.measure_view(corpus, catalogue, m) for m in found]})
        return
    rows = [[m.ref, " ".join(m.audience) or "none", " ".join(m.kind), m.lead_agency or "—",
             m.provision.text[:60]] for m in found]
    print(render.table(["编号", "对象", "类别", "牵头单位", "任务"], rows))


def add_commands(add: AddCommand) -> None:
    match = add("match", cmd_match, "the measures that support an enterprise and the "
                                    "requirements that bind it")
    match.add_argument("description",
                       help="the business in your words, e.g. 我们是一家冷链物流公司")
    match.add_argument("--sector", help="an audience label (logistics, 物流 …)")
    match.add_argument("--district", help="where the business is")
    match.add_argument("--size", help="micro, small, medium or large")
    match.add_argument("--limit", type=int, default=10, help="items per list (1-50)")
    match.add_argument("--place", help="another place's measures (its plans and the national "
                                       "ones); default: the home side")
    measures = add("measures", cmd_measures, "the measures catalogue: every task with whom "
                                             "it concerns and what it is for them")
    measures.add_argument("--sector", help="only this audience label")
    measures.add_argument("--kind", help="only this kind label, or a side: support, "
                                         "requirement, internal")
    measures.add_argument("--doc", action="append", help="only this document (repeatable)")
    measures.add_argument("--csv", type=Path, metavar="FILE",
                          help="write the reviewer's table (CSV) to FILE")


def eval_catalogue(assistant: Assistant, out: Path) -> None:
    """The catalogue's labels and the matcher against the hand-labelled gold (evals/)."""
    from evals.catalogue import run

    matcher = assistant.matcher
    paths, body = run(matcher.catalogue, matcher, out, context={
        "embedder": assistant.searcher.index.manifest.embedder})
    judged = [s for s in body["labels"] if s["judged"]]
    print(render.table(["label", "gold", "precision", "recall"],
                       [[s["label"], str(s["gold"]), f"{s['precision'] or 0:.3f}",
                         f"{s['recall'] or 0:.3f}"] for s in judged]))
    for name, recall in (*body["matcher_recall_by_set"].items(), ("all",
                                                                   body["matcher_recall"])):
        print(f"matcher recall in the first 10, {name}: {recall['all']:.3f} (support "
              f"{recall['support']:.3f}, requirements {recall['requirements']:.3f}; "
              f"{recall['ms_per_match']:.0f} ms per match)")
    print("reports: " + ", ".join(str(p) for p in paths))
