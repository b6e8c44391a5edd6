"""Speed and memory, printed, never asserted: ``make bench`` or ``python -m evals.benchmark``.

Measures, in a fresh data directory with the configured embedder and store:
- index build, cold (everything embedded) and warm (nothing changed, nothing embedded);
- opening the index;
- search latency over the fixed question set, p50 / p95 / max, per mode;
- answer latency through the HTTP service (``POST /v1/ask``, in process), p50 / p95 / max;
- peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.search import Searcher
from core.settings import Settings
from evals.questions import load_questions, question_sets
from indexing.corpus import Corpus
from indexing.index import build_from_settings, open_index


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(settings: Settings, repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                           "embedder": settings.embedder.backend, "store": settings.store.backend}
    started = time.perf_counter()
    corpus = Corpus.load(settings.corpus.dir)
    out["corpus_load_s"] = time.perf_counter() - started

    embedder, store, cold = build_from_settings(settings, corpus)
    out["build_cold_s"] = cold.seconds
    out["chunks"] = cold.added + cold.kept
    _, _, warm = build_from_settings(settings, corpus)
    out["build_warm_s"] = warm.seconds
    out["build_warm_embedded"] = warm.added

    started = time.perf_counter()
    index = open_index(corpus, settings.corpus.dir, settings.data_dir, embedder, store)
    searcher = Searcher(index, corpus, settings.search)
    out["open_index_s"] = time.perf_counter() - started

    questions = [q.question for q in load_questions(corpus)]
    # every first turn of every set, for the latency of each kind of answer
    asked = list(dict.fromkeys(
        q.question for path in question_sets()
        for q in load_questions(corpus, path) if q.follows is None))
    for mode in ("hybrid", "dense", "lexical"):
        timings = []
        for _ in range(repeats):
            index.clear_query_cache()  # measure the embedding too, not the cache
            for text in questions:
                t0 = time.perf_counter()
                searcher.search(text, k=10, mode=mode)
                timings.append((time.perf_counter() - t0) * 1000)
        out[f"search_{mode}_ms"] = {"n": len(timings), "p50": _percentile(timings, 0.5),
                                    "p95": _percentile(timings, 0.95), "max": max(timings),
                                    "mean": statistics.fmean(timings)}
    out["http_ask_ms"], out["routes_ms"] = _http_ask(settings, corpus, searcher, asked)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _http_ask(settings: Settings, corpus: Corpus, searcher: Searcher,
              questions: list[str]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Every question once through the whole HTTP stack: validation, middleware, answer;
    overall and per route (the kind of answer that fired)."""
    from fastapi.testclient import TestClient

    from assistant.service import Assistant
    from ui.app import create_app

    server = settings.server.model_copy(update={"console": False,
                                                "rate_limit_per_minute": 10**6,
                                                "rate_limit_burst": 10**6})
    service_settings = settings.model_copy(update={"server": server})
    assistant = Assistant(corpus, searcher, settings.assistant)
    searcher.index.clear_query_cache()  # each question embedded, as a new one would be
    timings = []
    by_route: dict[str, list[float]] = {}
    with TestClient(create_app(service_settings, assistant)) as client:
        for text in questions:
            t0 = time.perf_counter()
            response = client.post("/v1/ask", json={"question": text})
            ms = (time.perf_counter() - t0) * 1000
            timings.append(ms)
            if response.status_code != 200:
                raise RuntimeError(f"/v1/ask answered {response.status_code} to {text!r}")
            route = str(response.json().get("route", "")).split(":")[0] or "?"
            by_route.setdefault(route, []).append(ms)
    routes = {r: {"n": len(t), "p50": _percentile(t, 0.5), "p95": _percentile(t, 0.95),
                  "max": max(t)} for r, t in sorted(by_route.items())}
    return ({"n": len(timings), "p50": _percentile(timings, 0.5),
             "p95": _percentile(timings, 0.95), "max": max(timings)}, routes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--repeats", type=int, default=1, help="passes over the question set")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--one-core", action="store_true",
                        help="pin the process to one CPU (Linux), as a small server would run")
    args = parser.parse_args(argv)
    if args.one_core and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory(prefix="policy-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        result = run(settings, args.repeats)
    print("wall-clock figures: indicative on a shared machine (evals.cpu gives the CPU per "
          "answer, which load moves much less)")
    print(f"corpus load        {result['corpus_load_s']:.2f} s")
    print(f"index build, cold  {result['build_cold_s']:.1f} s  ({result['chunks']} chunks, "
          f"embedder {result['embedder']})")
    print(f"index build, warm  {result['build_warm_s']:.2f} s  "
          f"({result['build_warm_embedded']} embedded)")
    print(f"open index         {result['open_index_s']:.2f} s")
    for mode in ("hybrid", "dense", "lexical"):
        m = result[f"search_{mode}_ms"]
        print(f"search {mode:<8}    p50 {m['p50']:.1f} ms  p95 {m['p95']:.1f} ms  "
              f"max {m['max']:.1f} ms  (n={m['n']})")
    m = result["http_ask_ms"]
    print(f"POST /v1/ask        p50 {m['p50']:.1f} ms  p95 {m['p95']:.1f} ms  "
          f"max {m['max']:.1f} ms  (n={m['n']:.0f})")
    for route, m in result["routes_ms"].items():
        print(f"  route {route:<10} p50 {m['p50']:.1f} ms  p95 {m['p95']:.1f} ms  "
              f"max {m['max']:.1f} ms  (n={m['n']:.0f})")
    print(f"peak memory        {result['peak_rss_mb']:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
