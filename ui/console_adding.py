"""The console's 添加文件 tab: upload a plan, read the report of a dry run, then confirm to add
it to the served corpus (ui.documents.add_document: indexed and answerable at once).

Shown only with ``server.console_uploads`` (Gradio's upload route opens with it, behind the
console's login, capped at ``server.max_upload_bytes``). The confirmation adds exactly the file
and id that were checked: both are kept in the tab's state by the check, and cleared by a new
upload or once added. Import lazily (gradio).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from core.errors import BadInput
from ui import console_views as cv

log = logging.getLogger("policy_assistant.console")

# add_document(path, doc_id, dry_run, shown_as) -> the report (ui.documents.add_document)
AddDocument = Callable[[Path, str | None, bool, str], dict[str, Any]]
FILE_TYPES = [".txt", ".pdf", ".docx", ".html", ".htm"]
Checked = dict[str, str] | None  # {"path", "id"} of the last successful dry run


class AddingTab:
    def __init__(self, add: AddDocument) -> None:
        self._add = add

    def check(self, file: str | None, doc_id: str) -> tuple[str, Checked, Any]:
        """The dry run's report, what was checked, and the confirm button (enabled when the
        check passed)."""
        if not file:
            return "请先选择文件（.txt、.pdf、.docx、.html）。", None, gr.Button(interactive=False)
        path = Path(file)
        try:
            report = self._add(path, doc_id.strip() or None, True, path.name)
        except BadInput as exc:
            return f"⚠️ 无法添加：{cv.escape(str(exc))}", None, gr.Button(interactive=False)
        except Exception:
            log.exception("console: checking a document failed")
            return "⚠️ 检查失败，请稍后再试。", None, gr.Button(interactive=False)
        text = "**试运行报告**（尚未添加，确认后生效）\n\n" + cv.report_markdown(report)
        return text, {"path": file, "id": report["doc_id"]}, gr.Button(interactive=True)

    def confirm(self, checked: Checked) -> tuple[str, Checked, Any]:
        if not checked:
            return "请先检查文件。", None, gr.Button(interactive=False)
        path = Path(checked["path"])
        try:
            report = self._add(path, checked["id"], False, path.name)
        except BadInput as exc:
            return f"⚠️ 未添加：{cv.escape(str(exc))}", None, gr.Button(interactive=False)
        except Exception as exc:  # a reindex running (409), the store away (503) …
            log.warning("console: adding a document failed: %s", exc)
            return f"⚠️ 未添加：{cv.escape(str(exc)) or '服务暂不可用'}，请稍后再试。", \
                checked, gr.Button(interactive=True)
        return cv.report_markdown(report), None, gr.Button(interactive=False)


def layout(tab: AddingTab, private: dict[str, Any]) -> None:
    """The tab's components, inside the Blocks being built."""
    gr.Markdown("上传政策文件（.txt、.pdf 文字版、.docx、.html），先检查结构与责任单位，确认后加入"
                "文件库并立即可问。")
    with gr.Row():
        file = gr.File(label="文件", file_types=FILE_TYPES, type="filepath", scale=3)
        doc_id = gr.Textbox(label="编号（可选，默认取文件名）",
                            placeholder="例如 guangxi-2021-green", scale=2)
    with gr.Row():
        check = gr.Button("检查（试运行）", variant="secondary")
        confirm = gr.Button("确认添加", variant="primary", interactive=False)
    checked = gr.State(None)
    report = gr.Markdown()
    check.click(tab.check, [file, doc_id], [report, checked, confirm], **private)
    confirm.click(tab.confirm, [checked], [report, checked, confirm], **private)
    file.change(lambda: ("", None, gr.Button(interactive=False)), None,
                [report, checked, confirm], **private)
