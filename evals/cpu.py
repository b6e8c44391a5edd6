"""CPU time per uncached answer, by stage, printed, never asserted: ``python -m evals.cpu``.

Wall-clock latency on a shared machine says as much about the neighbours as about the code;
the CPU the process spends (``time.process_time``: this thread's, the store client's and the
embedding engine's threads) much less so. This asks every first turn of every
question set (and, with ``--variants``, each again with a polite prefix), each as a new
question (the query-vector cache emptied first, the answer cache off, ``Assistant.warm()``
done first as the service does), through ``Assistant.answer`` and the
``/v1/ask`` response's serialisation, and splits the CPU by stage:

- understand: ``Understander.understand`` (what is asked, of which documents and agencies);
- tokenize: jieba, wherever it is called from (understanding, evidence, lexical search);
- embed: the query embedding; vector search: the store's query (with a Chroma server, the
  client's side of the HTTP call; the server's CPU is read from /proc and shown apart);
- lexical: BM25 scoring; search: fusion, filters and collapse around the two retrievers;
- compose: the rest of ``Assistant.answer`` (composers, framing, evidence);
- serialise: the API view of the answer, its response model and JSON.

The stages are timed by wrapping the methods of this run's own objects (exclusive time: a
stage called from another is not counted twice). ``--dump FILE`` writes every answer (follow-ups
asked after their conversation, as the evals do) as JSON, to compare two commits' answers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.model import Answer, Turn
from core.settings import Settings, StoreSettings
from evals.processes import cpu_seconds
from evals.questions import load_questions, question_sets
from indexing.corpus import Corpus

STAGES = ("understand", "tokenize", "embed", "vector search", "lexical", "search", "compose",
          "serialise")


class Stages:
    """Exclusive process CPU time per stage, over wrapped callables."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.calls: dict[str, int] = dict.fromkeys(STAGES, 0)
        self._stack: list[list[float]] = []  # [start, time spent in nested stages]

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [time.process_time(), 0.0]
            self._stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                self._stack.pop()
                spent = time.process_time() - frame[0]
                self.seconds[stage] += spent - frame[1]
                self.calls[stage] += 1
                if self._stack:
                    self._stack[-1][1] += spent

        return timed

    def hook(self, owner: object, method: str, stage: str) -> None:
        setattr(owner, method, self.wrap(stage, getattr(owner, method)))


def first_turns(corpus: Corpus) -> list[str]:
    """Every first turn of every question set, each once."""
    out: dict[str, None] = {}
    for path in question_sets():
        for q in load_questions(corpus, path):
            if q.follows is None:
                out.setdefault(q.question, None)
    return list(out)


def variant(question: str) -> str:
    """The same question put differently enough that no cache knows it."""
    return f"Please tell me: {question}" if question.isascii() else f"请问，{question}"


def conversations(corpus: Corpus) -> list[tuple[str, str, list[Turn]]]:
    """(set/id, question, history) for every question of every set, follow-ups after the
    turns they follow, as the answer evals ask them."""
    out = []
    for path in question_sets():
        previous: tuple[str, str] | None = None
        history: list[Turn] = []
        for q in load_questions(corpus, path):
            history = [] if q.follows is None or previous is None else history
            out.append((f"{path.stem}/{q.id}", q.question, list(history)))
            previous = (q.question, "")
            history = [*history, Turn("user", q.question)]
    return out


def run(settings: Settings, questions: Sequence[str], dump: Path | None,
        server_pid: int | None = None) -> dict[str, Any]:
    from assistant.service import Assistant
    from ui import views
    from ui.schemas import AnswerOut

    corpus = Corpus.load(settings.corpus.dir)
    assistant = Assistant.from_settings(settings, corpus)
    assistant.warm()  # as the service does before it is ready: no answer pays the lazy loads
    assistant.answers.size = 0  # every question is new: no answer given again
    index = assistant.searcher.index
    if dump is not None:
        _dump(assistant, corpus, dump)
    stages = Stages()
    stages.hook(assistant.understander, "understand", "understand")
    tokenizer = index.lexical.tokenizer
    for method in ("tokens", "segments", "subwords", "query_tokens"):
        stages.hook(tokenizer, method, "tokenize")
    stages.hook(index.embedder, "embed_query", "embed")
    stages.hook(index.store, "query", "vector search")
    stages.hook(index.lexical, "search", "lexical")
    stages.hook(assistant.searcher, "search", "search")
    answer = stages.wrap("compose", assistant.answer)

    def serialise(a: Answer) -> bytes:
        body = AnswerOut.model_validate(views.answer_view(a)).model_dump(mode="json")
        return json.dumps(body, ensure_ascii=False).encode()

    serialised = stages.wrap("serialise", serialise)
    per_answer: list[float] = []
    routes: dict[str, list[float]] = {}
    server_before = cpu_seconds(server_pid) if server_pid else 0.0
    for text in questions:
        index.clear_query_cache()
        t0 = time.process_time()
        a = answer(text)
        serialised(a)
        ms = (time.process_time() - t0) * 1000
        per_answer.append(ms)
        routes.setdefault(a.route.split(":")[0] or "?", []).append(ms)
    n = len(questions)
    server_ms = (cpu_seconds(server_pid) - server_before) * 1000 / n if server_pid else None
    return {"n": n, "server_ms": server_ms, "mean_ms": statistics.fmean(per_answer),
            "p50_ms": _percentile(per_answer, 0.5), "p95_ms": _percentile(per_answer, 0.95),
            "stages_ms": {s: stages.seconds[s] * 1000 / n for s in STAGES},
            "calls": {s: stages.calls[s] / n for s in STAGES},
            "routes": {r: {"n": len(t), "p50": _percentile(t, 0.5),
                           "p95": _percentile(t, 0.95)} for r, t in sorted(routes.items())}}


def _dump(assistant: Any, corpus: Corpus, path: Path) -> None:
    """Every answer of every set, with the turns before it answered again as the service
    would (the history's assistant turns are not read by the pipeline)."""
    out = {}
    for key, question, history in conversations(corpus):
        assistant.searcher.index.clear_query_cache()
        out[key] = asdict(assistant.answer(question, history))
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(result: dict[str, Any]) -> str:
    server_ms = result["server_ms"]
    lines = [f"CPU per uncached answer (process CPU, mostly load-independent): mean "
             f"{result['mean_ms']:.1f} ms, p50 {result['p50_ms']:.1f} ms, "
             f"p95 {result['p95_ms']:.1f} ms  (n={result['n']})"]
    for stage in STAGES:
        lines.append(f"  {stage:<14} {result['stages_ms'][stage]:6.2f} ms  "
                     f"({result['calls'][stage]:.1f} calls per answer)")
    if server_ms is not None:
        lines.append(f"  + Chroma server {server_ms:6.2f} ms per answer (its process CPU)")
    for route, m in result["routes"].items():
        lines.append(f"  route {route:<10} p50 {m['p50']:6.1f} ms  p95 {m['p95']:6.1f} ms  "
                     f"(n={m['n']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--variants", action="store_true",
                        help="ask every question a second time, put differently")
    parser.add_argument("--chroma-server", action="store_true",
                        help="against a Chroma server on loopback (as workers are), not embedded")
    parser.add_argument("--dump", type=Path, help="write every answer of every set here (JSON)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--data-dir", type=Path,
                        help="an index folder to reuse (built there if missing); default: a "
                             "new temporary one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="policy-cpu-") as tmp:
        folder = Path(tmp)
        settings = Settings(data_dir=args.data_dir or folder / "data")
        chroma = None
        if args.chroma_server:
            from evals.processes import start_chroma
            chroma, port = start_chroma(folder)
            settings = settings.model_copy(update={"store": StoreSettings(
                host="127.0.0.1", port=port)})
        try:
            corpus = Corpus.load(settings.corpus.dir)
            questions = first_turns(corpus)
            if args.variants:
                questions += [variant(q) for q in questions]
            questions = questions[:args.limit] if args.limit else questions
            result = run(settings, questions, args.dump, chroma.pid if chroma else None)
        finally:
            if chroma is not None:
                chroma.stop()
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
