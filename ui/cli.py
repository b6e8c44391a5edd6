"""The ``policy-assistant`` command line.

Each command is a few lines over the corpus; errors are one line on stderr with exit status 2
for bad input (an unknown document, clause or agency) and 1 for anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from itertools import groupby
from pathlib import Path
from typing import Any

from assistant.search import Searcher
from assistant.service import Assistant
from core.errors import BadInput, PolicyAssistantError
from core.model import Answer, Level, Provision, Role, Turn
from core.settings import Settings
from evals.report import REPORTS_DIR
from indexing.build_lock import build_lock
from indexing.corpus import Corpus
from indexing.index import BuildReport, IndexLocation, build_from_settings, ensure_index
from indexing.sides import side_corpus, side_for
from ui import cli_documents, render, views
from ui.cli_division import cmd_division, write_duties_xlsx
from ui.cli_match import add_commands as add_match_commands
from ui.cli_match import eval_catalogue

_ROLE_ZH = {Role.LEAD: "牵头", Role.SUPPORTING: "配合"}
_LEVEL_ZH = {Level.NATIONAL: "国家级", Level.PROVINCIAL: "省级", Level.MUNICIPAL: "市级",
             Level.DISTRICT: "区县级"}


def _emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _agency_line(provision: Provision) -> str:
    if not provision.agencies:
        return ""
    names = [f"{provision.agencies[0]}（牵头）", *provision.agencies[1:]]
    return "责任单位：" + "、".join(names) + ("等部门" if provision.and_others else "")


def cmd_documents(corpus: Corpus, args: argparse.Namespace) -> None:
    if args.json:
        _emit_json([views.document_view(d) for d in corpus.documents])
        return
    rows = [[d.doc_id, d.meta.short_title, d.meta.number or "—", d.meta.date,
             _LEVEL_ZH.get(d.meta.level, d.meta.level),
             f"{len(d.parts)}部分 {len(d.clauses)}条", d.meta.title]
            for d in corpus.documents]
    print(render.table(["编号", "简称", "文号", "日期", "层级", "结构", "标题"], rows))


def cmd_clause(corpus: Corpus, args: argparse.Namespace) -> None:
    clause = corpus.find_clause(args.doc, args.no)
    if args.json:
        _emit_json(views.clause_view(corpus, clause))
        return
    doc = corpus.document(clause.doc_id)
    part = doc.part(clause.part_no)
    print(f"{doc.meta.short_title} {clause.heading}")
    if part:
        print(part.heading)
    print()
    for p in clause.provisions:
        print(f"[{p.index}] {p.text}")
        if p.agencies:
            print(f"    {_agency_line(p)}")


def cmd_duties(corpus: Corpus, args: argparse.Namespace) -> None:
    agency = corpus.agency(args.agency)
    duties = corpus.duties(agency.name)
    if args.xlsx is not None:
        write_duties_xlsx(corpus, agency.name, args.xlsx)
        return
    namesakes = corpus.namesakes(args.agency, agency)  # home's answers; others the name means
    if args.json:
        _emit_json({"agency": views.agency_view(agency),
                    "duties": [views.duty_view(corpus, d) for d in duties],
                    "elsewhere": list(namesakes)})
        return
    if args.csv:
        sys.stdout.write(views.duties_csv(corpus, duties))
        return
    lead = sum(1 for d in duties if d.role == Role.LEAD)
    english = f"（{agency.english}）" if agency.english else ""
    print(f"{agency.name}{english}")
    if namesakes:
        print(f"（{agency.jurisdiction}的单位；同名的还有：{'、'.join(namesakes)}）")
    print(f"共 {len(duties)} 项任务：牵头 {lead} 项，配合 {len(duties) - lead} 项")
    for doc_id, doc_duties in groupby(duties, key=lambda d: d.provision.doc_id):
        doc = corpus.document(doc_id)
        print(f"\n《{doc.meta.title}》")
        for clause_no, clause_duties in groupby(doc_duties, key=lambda d: d.provision.clause_no):
            clause = doc.clause(clause_no) if clause_no is not None else None
            print(f"  {clause.heading if clause else ''}")
            for d in clause_duties:
                p = d.provision
                print(f"    [{p.index}] {_ROLE_ZH[d.role]}  {p.text}")
                print(f"        {_agency_line(p)}")


def cmd_links(corpus: Corpus, args: argparse.Namespace) -> None:
    """A local plan's clauses (the home plan's by default) with the clause of each document it
    implements (else of each national document) that the clause implements; --write stores
    them in the corpus folder for review (that plan's entries replaced, the rest kept)."""
    from assistant.links import links_toml

    settings: Settings = args.settings
    assistant = Assistant.from_settings(settings, corpus, progress=_progress)
    home = corpus.document(args.doc) if args.doc else corpus.home
    if home is None:
        raise BadInput("no document has home = true in documents.toml: name one")
    national = list(home.meta.implements) or [
        d.doc_id for d in corpus.documents if d.meta.level == Level.NATIONAL]
    pairs = assistant.links.pairs(home.doc_id, national)
    rows = [[corpus.document(home.doc_id).clause(no).heading,  # type: ignore[union-attr]
             corpus.document(other).meta.short_title,
             corpus.document(other).clause(other_no).heading]  # type: ignore[union-attr]
            for no, other, other_no in pairs]
    print(render.table(["本地条款", "文件", "对应条款"], rows))
    if args.write:
        path = settings.corpus.dir / "links.toml"
        tmp = path.with_suffix(".toml.tmp")
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        tmp.write_text(links_toml(home.doc_id, pairs, existing), encoding="utf-8")
        tmp.replace(path)
        print(f"written: {path}")


def cmd_targets(corpus: Corpus, args: argparse.Namespace) -> None:
    if args.json:
        _emit_json([views.target_view(corpus, t) for t in corpus.targets])
        return
    rows = []
    for t in corpus.targets:
        doc = corpus.document(t.doc_id)
        where = doc.clause(t.clause_no) if t.clause_no is not None else None
        part = doc.part(t.part_no)
        place = where.label if where else (part.heading if part else "")
        base = f"比{t.base_year}年" if t.base_year else ""
        rows.append([doc.meta.short_title, place, str(t.year or "—"), t.indicator,
                     f"{base}{t.comparator} {t.display_value}"])
    print(render.table(["文件", "条款", "年份", "指标", "目标"], rows))


def _progress(done: int, total: int) -> None:
    if not sys.stderr.isatty() and done not in (0, total):
        return  # a log file gets the start and the end, not every step
    bar = "#" * (30 * done // total if total else 30)
    sys.stderr.write(f"\rembedding {done:>4}/{total:<4} [{bar:<30}]")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _report_line(report: BuildReport) -> str:
    state = "updated" if report.changed else "unchanged"
    return (f"index {state}: {report.added} chunks embedded, {report.kept} kept, "
            f"{report.removed} removed in {report.seconds:.1f} s ({report.collection})")


def _searcher(settings: Settings, corpus: Corpus, places: Sequence[str] = (),
              docs: Sequence[str] = ()) -> Searcher:
    """A searcher over the side of these places and documents (the home side by default),
    as ``GET /v1/search`` searches."""
    side = side_for(corpus, places, docs)  # unknown names fail before the index opens
    index, report = ensure_index(settings, corpus, progress=_progress)
    if report.changed:
        print(_report_line(report), file=sys.stderr)
    view = side_corpus(corpus, side)
    return Searcher(index.view(side.doc_ids), view, settings.search)


def cmd_index(corpus: Corpus, args: argparse.Namespace) -> None:
    # not while another process (a serving replica's reindex) builds: one line, exit 1
    with build_lock(IndexLocation(args.settings.data_dir).dir):
        _, _, report = build_from_settings(args.settings, corpus, rebuild=args.rebuild,
                                           progress=_progress)
    if args.json:
        _emit_json(asdict(report))
    else:
        print(_report_line(report))


def cmd_search(corpus: Corpus, args: argparse.Namespace) -> None:
    searcher = _searcher(args.settings, corpus, args.place or (), args.doc or ())
    hits = searcher.search(args.query, k=args.k, doc_ids=args.doc or (), agency=args.agency,
                           mode=args.mode)
    if args.json:
        _emit_json([views.hit_view(corpus, h, rank) for rank, h in enumerate(hits, 1)])
        return
    if not hits:
        print("没有找到相关内容。")
    for rank, hit in enumerate(hits, start=1):
        c = hit.chunk
        doc = corpus.document(c.doc_id)
        clause = doc.clause(c.clause_no) if c.clause_no is not None else None
        part = doc.part(c.part_no)
        where = clause.heading if clause else (part.heading if part else "")
        item = f"[{c.provision}]" if c.provision else ""
        print(f"{rank:>2}. {doc.meta.short_title} {where}{item}  ({hit.via} {hit.score:.4f})")
        print(f"    {c.text}")
        if c.agencies and c.provision:
            print(f"    责任单位：{'、'.join(c.agencies)}")


def _read_history(path: Path | None) -> list[Turn]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"cannot read the history file {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise BadInput(f"the history file {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, list) or not all(
            isinstance(t, dict) and isinstance(t.get("role"), str)
            and isinstance(t.get("content"), str) for t in data):
        raise BadInput(f"the history file {path} must be a JSON list of "
                       '{"role": "user"|"assistant", "content": "…"}')
    return [Turn(t["role"], t["content"]) for t in data]


def _print_answer(answer: Answer) -> None:
    print(answer.answer)
    if answer.citations:
        print()
    for c in answer.citations:
        where = f"{c.clause_label}{c.clause_title}" if c.clause_label else (c.part or "")
        item = f"第{c.provision}项" if c.provision else ""
        agencies = f"  责任单位：{'、'.join(c.agencies)}" if c.agencies else ""
        print(f"[{c.n}] 《{c.doc_title}》{where}{item}{agencies}")


def cmd_ask(corpus: Corpus, args: argparse.Namespace) -> None:
    history = _read_history(args.history)
    assistant = Assistant.from_settings(args.settings, corpus, progress=_progress)
    answer = assistant.answer(args.question, history)
    if args.json:
        _emit_json(views.answer_view(answer))
    else:
        _print_answer(answer)


def cmd_chat(corpus: Corpus, args: argparse.Namespace) -> None:
    assistant = Assistant.from_settings(args.settings, corpus, progress=_progress)
    history: list[Turn] = []
    print("政策助手（输入问题后回车；空行或 Ctrl-D 退出）", file=sys.stderr)
    while True:
        try:
            question = input("问：").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = assistant.answer(question, history)
        except BadInput as exc:
            print(f"policy-assistant: {exc}", file=sys.stderr)
            continue
        if args.json:
            _emit_json(views.answer_view(answer))
        else:
            _print_answer(answer)
        print()
        history += [Turn("user", question), Turn("assistant", answer.answer)]
        history = history[-args.settings.assistant.max_history_turns:]


def cmd_serve(corpus: Corpus, args: argparse.Namespace) -> None:
    from ui.serving import serve

    settings: Settings = args.settings
    serve(settings, args.host or settings.server.host, args.port or settings.server.port,
          args.workers)


def cmd_hash_password(corpus: Corpus, args: argparse.Namespace) -> None:
    """A console password hash for POLICY_ASSISTANT_SERVER__CONSOLE_USERS (the password is
    read from the terminal, or from stdin when piped; it is never an argument)."""
    import getpass

    from ui.passwords import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise BadInput("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        raise BadInput("a console password needs at least 8 characters")
    print(hash_password(password))


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {text!r}")
    return port


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"not a number of workers (1-64): {text!r}")
    return int(text)


def cmd_eval(corpus: Corpus, args: argparse.Namespace) -> None:
    from evals.answers import run_answer_eval
    from evals.baseline import LangChainBaseline
    from evals.questions import QUESTIONS_FILE, load_questions
    from evals.report import write_answer_reports, write_retrieval_reports
    from evals.retrieval import run_retrieval_eval

    settings: Settings = args.settings
    assistant = Assistant.from_settings(settings, corpus, progress=_progress)
    if args.catalogue:
        eval_catalogue(assistant, args.out)
        return
    searcher = assistant.searcher
    questions = load_questions(corpus, args.questions or QUESTIONS_FILE)
    both = not (args.retrieval or args.answers)
    context: dict[str, Any] = {
        "questions": len(questions),
        "answerable": sum(1 for q in questions if not q.refuse),
        "embedder": searcher.index.manifest.embedder,
        "fusion": settings.search.fusion,
        "chunks": searcher.index.manifest.chunks,
        "llm": settings.llm.backend,
    }
    paths: list[Path] = []
    if args.retrieval or both:
        baseline = None
        if not args.no_baseline:
            print("building the LangChain baseline …", file=sys.stderr)
            baseline = LangChainBaseline(corpus, settings.corpus.dir, searcher.index.embedder)
        try:
            results = run_retrieval_eval(searcher, questions, baseline)
        finally:
            if baseline is not None:
                baseline.close()
        context["baseline chunks"] = baseline.chunks if baseline else "not run"
        paths += write_retrieval_reports(results, context, args.out)
        rows = [[r.name, str(r.overall.n), f"{r.overall.hit1:.3f}", f"{r.overall.hit5:.3f}",
                 f"{r.overall.mrr10:.3f}"] for r in results]
        print(render.table(["system", "n", "hit@1", "hit@5", "MRR@10"], rows))
    if args.answers or both:
        result = run_answer_eval(assistant.answer, questions, corpus)
        paths += write_answer_reports(result, context, args.out)
        m = result.overall
        rows = [[name, "–" if rate.value is None else f"{rate.value:.3f}", str(rate.n)]
                for name, rate in (
                    ("citation precision", m.citation_precision),
                    ("citation precision (macro)", m.citation_precision_macro),
                    ("citation recall", m.citation_recall),
                    ("agency recall (responsibility, duties)", m.agency_recall),
                    ("fact accuracy", m.fact_accuracy),
                    ("fact accuracy (targets)", result.target_facts),
                    ("declines out of scope", m.declines),
                    ("answers in scope", m.answers),
                    ("follow-ups", m.follow_up),
                    ("pass (as a whole)", m.passed),
                    ("conversations, every turn passing", result.conversations))]
        print(render.table(["measure", "value", "n"], rows))
    print("reports: " + ", ".join(str(p) for p in paths))


def cmd_add(corpus: Corpus, args: argparse.Namespace) -> None:
    """Check a document (--dry-run) or add it to the corpus and the index; the report either
    way (ui.cli_documents)."""
    report = cli_documents.add(corpus, args, _progress)
    if args.json:
        _emit_json(report)
        return
    for key in cli_documents.REPORT_FIELDS:
        print(f"{key}: {report[key] if report[key] is not None else '（未注明）'}")
    for ref in report["implements"]:
        print(f"implements: 《{ref['title']}》" + (f"（{ref['number']}）" if ref["number"] else "")
              + (f" = {ref['doc_id']}" if ref["doc_id"] else ""))
    print(f"agencies ({len(report['agencies'])}): " + "、".join(report["agencies"]))
    print(f"warnings ({len(report['warnings'])}):")
    for warning in report["warnings"]:
        print(f"  - {warning}")
    if "added" in report:
        print(f"added: {report['added']}")
        print(cli_documents.index_line(report["index"], args))


def cmd_remove(corpus: Corpus, args: argparse.Namespace) -> None:
    """Take a document out of the corpus folder (its documents.toml entry and its text) and
    out of the index."""
    if corpus.document(args.doc_id).doc_id != args.doc_id:  # a short title: say which id
        print(f"{args.doc_id} = {corpus.document(args.doc_id).doc_id}", file=sys.stderr)
    out = cli_documents.remove(corpus, args, _progress)
    if args.json:
        _emit_json(out)
        return
    meta_file = f"《{out['title']}》"
    print(f"removed: {out['doc_id']} {meta_file}")
    print(cli_documents.index_line(out["index"], args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policy-assistant",
        description="Look up the policy documents of the corpus (parts, clauses, tasks and "
                    "the agencies responsible) and ask questions about them.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[Corpus, argparse.Namespace], None],
            help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        p.add_argument("--json", action="store_true", help="print JSON")
        return p

    add("documents", cmd_documents, "list the documents in the corpus")
    clause = add("clause", cmd_clause, "show one clause with its tasks and agencies")
    clause.add_argument("doc", help="document id or short title (GET /v1/documents lists them)")
    clause.add_argument("no", help="clause: 9, 九, （九） or 第九条; where numbering restarts "
                                   "in each part 三、（一）, 三（一）, 3.1 or the id 301; 0 for "
                                   "the preamble")
    duties = add("duties", cmd_duties, "every task of an agency, lead or supporting")
    duties.add_argument("agency", help="canonical name or alias, e.g. 市发展改革委 or 发改委")
    duties.add_argument("--csv", action="store_true", help="print CSV")
    duties.add_argument("--xlsx", type=Path, metavar="FILE",
                        help="write an Excel workbook (sheets 牵头 and 配合) to FILE")
    division = add("division", cmd_division,
                   "a document's 任务分工表: every task with its lead and supporting units")
    division.add_argument("doc", help="document id or short title (GET /v1/documents lists them)")
    division.add_argument("--xlsx", type=Path, metavar="FILE",
                          help="write the Excel workbook to FILE")
    add("targets", cmd_targets, "every quantitative target in the texts")
    links = add("links", cmd_links,
                "the national clause each clause of a local plan (the home plan) implements")
    links.add_argument("doc", nargs="?", help="the local plan (default: the home plan)")
    links.add_argument("--write", action="store_true",
                       help="store them in the corpus folder (corpus/links.toml)")
    index = add("index", cmd_index, "build or update the search index")
    index.add_argument("--rebuild", action="store_true",
                       help="embed everything again (needed after changing the embedder)")
    search = add("search", cmd_search, "ranked hybrid search over clauses and tasks")
    search.add_argument("query")
    search.add_argument("--k", type=int, default=10, help="number of hits (1-100)")
    search.add_argument("--doc", action="append", help="only this document (repeatable)")
    search.add_argument("--place", action="append",
                        help="search this place's side (its plans and the national ones; "
                             "repeatable); default: the home side")
    search.add_argument("--agency", help="only tasks of this agency")
    search.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    ask = add("ask", cmd_ask, "ask a question; the answer cites clauses and agencies")
    ask.add_argument("question")
    ask.add_argument("--history", type=Path,
                     help='JSON list of {"role": "user"|"assistant", "content": "…"}')
    add("chat", cmd_chat, "an interactive conversation that keeps its history")
    serve = add("serve", cmd_serve, "run the HTTP service: API, widget, demo page, console")
    serve.add_argument("--host", help="address to listen on (default: settings, 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="port (default: settings, 8000)")
    serve.add_argument("--workers", type=_workers, default=1,
                       help="worker processes (default 1; more need a Chroma server)")
    adding = add("add", cmd_add, "check a plan (.txt, .pdf, .docx, .html) and add it to the "
                                 "corpus folder")
    adding.add_argument("path", type=Path, help="the document file")
    adding.add_argument("--id", help="document id (default: from the file name)")
    adding.add_argument("--dry-run", action="store_true",
                        help="only print the validation report; change nothing")
    adding.add_argument("--no-index", action="store_true",
                        help="change the corpus folder only, not the index")
    removing = add("remove", cmd_remove, "take a document out of the corpus folder")
    removing.add_argument("doc_id", help="the document id, e.g. guangxi-2021-green")
    removing.add_argument("--force", action="store_true",
                          help="also the home document (documents.toml home = true)")
    removing.add_argument("--no-index", action="store_true",
                          help="change the corpus folder only, not the index")
    add_match_commands(add)
    add("hash-password", cmd_hash_password,
        "hash a staff console password (for POLICY_ASSISTANT_SERVER__CONSOLE_USERS)")
    ev = add("eval", cmd_eval, "evaluate retrieval and answers on the fixed question set")
    ev.add_argument("--retrieval", action="store_true", help="only the retrieval evaluation")
    ev.add_argument("--answers", action="store_true", help="only the answer evaluation")
    ev.add_argument("--catalogue", action="store_true",
                    help="only the measures catalogue and matcher against their gold")
    ev.add_argument("--no-baseline", action="store_true",
                    help="skip the LangChain baseline (faster)")
    ev.add_argument("--questions", type=Path,
                    help="another question file of the same schema, e.g. evals/heldout.jsonl")
    ev.add_argument("--out", type=Path, default=REPORTS_DIR,
                    help="where the reports go (default evals/reports)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.settings = Settings()
        corpus = Corpus.load(args.settings.corpus.dir)
        args.handler(corpus, args)
    except BadInput as exc:
        print(f"policy-assistant: {exc}", file=sys.stderr)
        return 2
    except PolicyAssistantError as exc:
        print(f"policy-assistant: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
