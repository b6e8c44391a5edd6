"""``policy-assistant division DOC [--xlsx FILE | --json]`` and ``duties NAME --xlsx FILE``:
the 分工表 from the command line, the same workbooks as the HTTP routes (ui.workbooks).

A file is written whole or not at all (a temporary file beside it, then renamed); a path that
cannot be written is bad input: one line, exit status 2. openpyxl is imported only when a
command needs it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from assistant.division import agency_division, division
from core.errors import BadInput
from indexing.corpus import Corpus
from ui import render


def write_file(path: Path, data: bytes) -> None:
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        staging.write_bytes(data)
        staging.replace(path)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc


def cmd_division(corpus: Corpus, args: argparse.Namespace) -> None:
    from ui.workbooks import DIVISION_COLUMNS, division_title, division_values, division_workbook

    div = division(corpus, args.doc)
    if args.xlsx is not None:
        write_file(args.xlsx, division_workbook(div))
        print(f"written: {args.xlsx} ({len(div.rows)} tasks)", file=sys.stderr)
        return
    headers = [c.header for c in DIVISION_COLUMNS]
    rows = [division_values(i, row) for i, row in enumerate(div.rows, 1)]
    if args.json:
        json.dump({"doc_id": div.doc_id, "title": division_title(div), "assigned": div.assigned,
                   "rows": [dict(zip(headers, r, strict=True)) for r in rows]},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    print(division_title(div))
    print(render.table(["序号", "条款", "项", "牵头单位", "配合单位", "任务内容"],
                       [[str(r[0]), str(r[2]), str(r[4]), str(r[6]), str(r[7]), str(r[5])]
                        for r in rows]))


def write_duties_xlsx(corpus: Corpus, agency: str, path: Path) -> None:
    from ui.workbooks import duties_workbook

    tasks = agency_division(corpus, agency)
    write_file(path, duties_workbook(tasks))
    print(f"written: {path} (牵头 {len(tasks.lead)}, 配合 {len(tasks.supporting)})",
          file=sys.stderr)
