"""Memory and open files across reindexes, printed, never asserted: ``python -m evals.reindexes``.

Starts ``policy-assistant serve`` on a copy of the corpus (the embedded store, or a Chroma
server with ``--server``), then changes one task of the home plan back and forth and reindexes
(``POST /v1/admin/reindex``) ``--times`` times, asking a question after each; prints the
service's RSS and open files after each reindex, once the replaced generation is dropped.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

from evals.processes import ROOT, Served, load_average, open_files, rss_mib, start_chroma

TOKEN = "bench-token"


def changed_task(corpus: Path) -> tuple[Path, str, str]:
    """The home plan's file, one of its tasks as printed, and that task reworded: a real change
    of the corpus that keeps its structure (the file and wording come from the corpus)."""
    from indexing.corpus import Corpus

    home = Corpus.load(corpus).home
    if home is None:
        raise SystemExit("the corpus has no home document to change")
    path = corpus / home.meta.file
    text = path.read_text(encoding="utf-8")
    old = next((p.text for p in home.provisions if p.agencies and p.text.endswith("。")
                and text.count(p.text) == 1), None)
    if old is None:
        raise SystemExit(f"{path}: no task stands verbatim once in the file")
    return path, old, old[:-1] + "，加强统筹协调。"


def bench(folder: Path, times: int, server: bool) -> None:
    corpus = folder / "corpus"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns("__pycache__"))
    settings: dict[str, object] = {
        "DATA_DIR": folder / "data", "CORPUS__DIR": corpus, "SERVER__ADMIN_TOKEN": TOKEN,
        "SERVER__GENERATION_GRACE": 0, "SERVER__GENERATION_POLL": 0, "STORE__TIMEOUT": 30}
    chroma = None
    if server:
        chroma, port = start_chroma(folder)
        settings.update({"STORE__HOST": "127.0.0.1", "STORE__PORT": port})
    served = Served(folder, settings)
    try:
        served.wait_ready()
        path, old, new = changed_task(corpus)
        text = path.read_text(encoding="utf-8")
        with httpx.Client(base_url=served.base, timeout=600) as client:
            client.post("/v1/ask", json={"question": "谁负责岸电建设？"}).raise_for_status()
            print(f"store: {'Chroma server' if server else 'embedded'}; load {load_average()}")
            print(f"before     RSS {rss_mib(served.pid):4d} MiB  open files "
                  f"{open_files(served.pid)}", flush=True)
            for i in range(times):
                changed = text.replace(old, new) if i % 2 == 0 else text
                path.write_text(changed, encoding="utf-8")
                t0 = time.perf_counter()
                report = client.post("/v1/admin/reindex",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
                report.raise_for_status()
                seconds = time.perf_counter() - t0
                client.post("/v1/ask", json={"question": "谁负责岸电建设？"}).raise_for_status()
                time.sleep(0.5)  # the replaced generation is dropped once its requests left
                print(f"reindex {i + 1:2d} RSS {rss_mib(served.pid):4d} MiB  open files "
                      f"{open_files(served.pid)}  ({seconds:.1f} s, "
                      f"{report.json()['added']} embedded)", flush=True)
    finally:
        served.stop()
        if chroma is not None:
            chroma.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--server", action="store_true", help="a Chroma server, not embedded")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="policy-reindex-") as tmp:
        bench(Path(tmp), args.times, args.server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
