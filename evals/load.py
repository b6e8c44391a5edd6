"""Throughput over real HTTP, printed, never asserted: ``python -m evals.load``.

Starts a Chroma server and ``policy-assistant serve --workers W`` (W = 1, then 2) on loopback,
builds the index once, and for each W sends ``POST /v1/ask`` at concurrency 1 and 8:
- ``new``: every question different and never asked of that service before (the first turns
  of every question set, split between the two runs: no cache helps);
- ``repeated``: the same 20 questions again and again (the query caches warm).
Each request opens its own connection, so the kernel spreads them over the workers. Prints
req/s, p50 / p95 / p99, errors, the CPU per answer of the service and Chroma processes, the
RSS of every process (the supervisor and each worker) and the load average: the load
generator runs on the same machine, and on a shared machine the wall-clock figures are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from evals.processes import Served, cpu_seconds, load_average, rss_mib, start_chroma
from evals.questions import question_sets


def first_turns() -> list[str]:
    """Every first turn of every question set, each once."""
    out: dict[str, None] = {}
    for path in question_sets():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if not row.get("follows"):
                    out.setdefault(str(row["question"]), None)
    return list(out)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(base: str, questions: Sequence[str], concurrency: int) -> dict[str, Any]:
    """Each question once, ``concurrency`` at a time."""
    timings: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    # one kept-alive client per thread: httpx.post makes a new client (and TLS context) per
    # request, which cost the load generator more CPU than a cached answer costs the service
    # and capped the repeated runs near 26 req/s on two cores
    local = threading.local()
    clients: list[httpx.Client] = []

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=60)
            with lock:
                clients.append(local.client)
        return local.client  # type: ignore[no-any-return]

    def ask(question: str) -> None:
        t0 = time.perf_counter()
        try:
            status = client().post(f"{base}/v1/ask", json={"question": question}).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__  # type: ignore[assignment]
        ms = (time.perf_counter() - t0) * 1000
        with lock:
            if status == 200:
                timings.append(ms)
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(ask, questions))
    seconds = time.perf_counter() - started
    for c in clients:
        c.close()
    return {"n": len(questions), "seconds": seconds, "rps": len(questions) / seconds,
            "p50": _percentile(timings, 0.5) if timings else 0.0,
            "p95": _percentile(timings, 0.95) if timings else 0.0,
            "p99": _percentile(timings, 0.99) if timings else 0.0,
            "mean": statistics.fmean(timings) if timings else 0.0, "errors": errors}


def bench(folder: Path, workers: Sequence[int], repeated: int,
          extra: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    chroma, port = start_chroma(folder)
    settings: dict[str, Any] = {
        "DATA_DIR": folder / "data", "STORE__HOST": "127.0.0.1", "STORE__PORT": port,
        "SERVER__RATE_LIMIT_PER_MINUTE": 10**7, "SERVER__RATE_LIMIT_BURST": 10**7,
        "SERVER__MAX_CONCURRENT_QUESTIONS": 64, "SERVER__GENERATION_POLL": 0, **(extra or {})}
    pool = first_turns()
    cut = len(pool) // 4
    results = []
    try:
        for w in workers:
            served = Served(folder, settings, workers=w)
            try:
                served.wait_ready()
                # the service is new: nothing asked before; c=1 takes a quarter, c=8 the rest
                for mode, c, questions in (("new", 1, pool[:cut]), ("new", 8, pool[cut:]),
                                           ("repeated", 1, pool[:20] * max(1, repeated // 20)),
                                           ("repeated", 8, pool[:20] * max(1, repeated // 5))):
                    pids = [*served.processes().values(), chroma.pid]
                    before = [cpu_seconds(p) for p in pids]
                    result = run(served.base, questions, c)
                    used = [cpu_seconds(p) - b for p, b in zip(pids, before, strict=True)]
                    result.update(workers=w, mode=mode, concurrency=c, load=load_average(),
                                  cpu_ms=sum(used) * 1000 / len(questions),
                                  chroma_cpu_ms=used[-1] * 1000 / len(questions))
                    results.append(result)
                    print(line(result), flush=True)
                rss = {name: rss_mib(pid) for name, pid in served.processes().items()}
                results.append({"workers": w, "rss_mib": rss})
                print("  RSS MiB: " + ", ".join(f"{k} {v}" for k, v in rss.items())
                      + f"  (chroma server {rss_mib(chroma.pid)})", flush=True)
            finally:
                served.stop()
    finally:
        chroma.stop()
    return results


def line(r: dict[str, Any]) -> str:
    errors = ", ".join(f"{k}×{v}" for k, v in r["errors"].items()) or "0"
    return (f"workers={r['workers']}  {r['mode']:<8}  c={r['concurrency']}  n={r['n']:<4} "
            f"{r['rps']:6.1f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
            f"p99 {r['p99']:6.1f} ms  errors {errors}  CPU {r['cpu_ms']:5.1f} ms/req "
            f"(Chroma {r['chroma_cpu_ms']:4.1f})  "
            f"(load {r['load']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeated", type=int, default=200,
                        help="requests of the repeated run at c=1 (c=8: 4 times as many)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting for the service, without the POLICY_ASSISTANT_ prefix "
                             "(e.g. EMBEDDER__QUERY_BATCH=1); repeatable")
    args = parser.parse_args(argv)
    if any("=" not in item for item in args.set):
        parser.error("--set takes KEY=VALUE")
    extra = dict(item.split("=", 1) for item in args.set)
    print(f"load average before: {load_average()}  (wall-clock figures on a shared machine "
          "are indicative only: the load generator and other work share the cores; CPU ms/req "
          "is the service's and the Chroma server's CPU per answer, which load moves much "
          "less)", flush=True)
    with tempfile.TemporaryDirectory(prefix="policy-load-") as tmp:
        results = bench(Path(tmp), args.workers, args.repeated, extra)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
