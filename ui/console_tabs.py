"""Three tabs of the staff console, laid out inside ``ui.console``'s Blocks:

- 分工矩阵: a document's agency × clause matrix (lead / supporting), its 分工表 workbook and the
  matrix as a picture (SVG);
- 图示: the agencies an agency works with most and the targets by year (ui.console_pictures);
- 反馈: visitors' thumbs up/down on answers, newest first, and the same as CSV.

Each callback is a few lines over ui.staff_views and ui.workbooks, with the corpus or the
feedback store of the moment. Files go under the console's private download directory, named
by their content. Import lazily (gradio).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.division import division
from indexing.corpus import Corpus
from ui import console_pictures
from ui import staff_views as sv
from ui.charts import matrix_svg
from ui.console_pictures import PicturesTab
from ui.console_views import document_choices
from ui.feedback import FeedbackStoreHolder
from ui.feedback_store import feedback_csv
from ui.workbooks import division_workbook

_PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def write_download(data: bytes, name: str, directory: Path) -> Path:
    """``data`` under a directory named by its content (each distinct file written once), as
    ``name``: what the browser saves it as."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = directory / digest / name.replace(os.sep, "_")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}")
        staging.write_bytes(data)
        staging.replace(path)
    return path


class StaffTabs:
    """The callbacks: ``corpus`` and ``downloads`` are asked at each call, never kept."""

    def __init__(self, corpus: Callable[[], Corpus], downloads: Callable[[], Path],
                 feedback: FeedbackStoreHolder | None) -> None:
        self._corpus = corpus
        self._downloads = downloads
        self._feedback = feedback

    def corpus(self) -> Corpus:
        return self._corpus()

    def downloads(self) -> Path:
        return self._downloads()

    def documents(self) -> Any:
        choices = document_choices(self._corpus())
        return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)

    def show_matrix(self, doc_id: str) -> tuple[str, Any, Any]:
        """The matrix, and the document's workbook and the matrix picture to download."""
        if not doc_id:
            return ("", gr.DownloadButton(value=None, interactive=False),
                    gr.DownloadButton(value=None, interactive=False))
        div = division(self._corpus(), doc_id)
        book = write_download(division_workbook(div), f"{div.short_title}-任务分工表.xlsx",
                              self._downloads())
        picture = write_download(matrix_svg(div).encode("utf-8"),
                                 f"{div.short_title}-分工矩阵.svg", self._downloads())
        return (sv.matrix_html(div), gr.DownloadButton(value=str(book), interactive=True),
                gr.DownloadButton(value=str(picture), interactive=True))

    def show_feedback(self) -> tuple[str, dict[str, Any], Any]:
        """The summary, the newest feedback and the CSV of it."""
        if self._feedback is None:
            return ("反馈存储未启用。", {"headers": sv.FEEDBACK_HEADERS, "data": []},
                    gr.DownloadButton(value=None, interactive=False))
        store = self._feedback()
        records = store.recent(self._feedback.console_rows)
        text = feedback_csv(records).encode("utf-8-sig")  # Excel reads UTF-8 with a BOM only
        path = write_download(text, "反馈.csv", self._downloads())
        return (sv.feedback_summary(store.counts(), len(records)),
                {"headers": sv.FEEDBACK_HEADERS, "data": sv.feedback_rows(records)},
                gr.DownloadButton(value=str(path), interactive=True))


def add_tabs(tabs: StaffTabs) -> None:
    """The three tabs, inside an open ``gr.Tabs``; filled when they are opened."""
    with gr.Tab("分工矩阵") as matrix_tab:
        with gr.Row():
            document = gr.Dropdown(label="文件", choices=[], scale=3)
            workbook = gr.DownloadButton("下载分工表（Excel）", value=None, interactive=False,
                                         scale=1)
            picture = gr.DownloadButton("下载矩阵图（SVG）", value=None, interactive=False,
                                        scale=1)
        gr.Markdown("每行一个部门，每列一条；深色为牵头（牵N：牵头N项），浅色为配合。")
        table = gr.HTML()
        document.input(tabs.show_matrix, [document], [table, workbook, picture], **_PRIVATE)
        matrix_tab.select(tabs.documents, None, [document], **_PRIVATE).then(
            tabs.show_matrix, [document], [table, workbook, picture], **_PRIVATE)
    console_pictures.layout(PicturesTab(tabs.corpus, tabs.downloads, write_download),
                            _PRIVATE)
    with gr.Tab("反馈") as feedback_tab:
        with gr.Row():
            summary = gr.Markdown()
            refresh = gr.Button("刷新", scale=0)
            download = gr.DownloadButton("下载 CSV", value=None, interactive=False, scale=0)
        rows = gr.Dataframe(headers=sv.FEEDBACK_HEADERS, interactive=False, wrap=True,
                            show_search="search", column_widths=[
                                "5%", "11%", "8%", "18%", "32%", "10%", "16%"])
        gr.on([feedback_tab.select, refresh.click], tabs.show_feedback, None,
              [summary, rows, download], **_PRIVATE)
