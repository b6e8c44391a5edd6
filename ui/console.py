"""The staff console: a Gradio app mounted at /ui. Six tabs, Chinese labels:

- 问答: a conversation with the Assistant, each reply followed by its sources;
- 条款: a document's clauses one at a time, tasks numbered with their agencies (lead first);
- 部门职责: every task of an agency as a table, and the same as CSV (``duties X --csv``);
- 目标: the targets table;
- 分工矩阵 and 反馈: a document's agency × clause matrix with its 分工表 workbook, and visitors'
  feedback with CSV (ui.console_tabs).
- 添加文件 (with ``server.console_uploads``): upload a plan, its dry-run report, confirm to add
  it (ui.console_adding).

``build_console(get_assistant)`` lays it out; ``mount_console(app, get_assistant)`` builds and
mounts it with the settings the service wants (system fonts, no footer links, no run history in
browsers). The Assistant is fetched once per callback, never kept: an admin reindex swaps it.
The callbacks live on ``Console`` and are a few lines each over ui.console_views, where the
Markdown and the table rows are made.

Import this module lazily (it imports gradio). Nothing here reaches the network: analytics are
off and the theme names system fonts only.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import gradio as gr
from fastapi import FastAPI

from assistant.compose import Templates
from assistant.service import Assistant
from core.errors import BadInput
from core.model import Turn
from indexing.corpus import Corpus
from ui import console_adding, console_match, views
from ui import console_views as cv
from ui.console_adding import AddDocument, AddingTab
from ui.console_match import MatchTab
from ui.console_tabs import StaffTabs, add_tabs
from ui.feedback import FeedbackStoreHolder

log = logging.getLogger("policy_assistant.console")

TITLE = "政策助手 · 工作台"


def _examples() -> list[str]:
    """The example questions of the answer templates (``suggest``): deployment data, not code."""
    lines = Templates.load().get("zh", "suggest").splitlines()[1:]
    return [line.lstrip("· ").strip() for line in lines if line.strip()]


# fonts the machine has, nothing fetched: the system's own face, the Chinese faces of the common
# systems, the generic family. Plain strings reach the CSS as written (a gr.themes.Font would be
# quoted, and a quoted 'system-ui' is no longer the keyword).
FONTS = ["system-ui", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
         "WenQuanYi Micro Hei", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "DejaVu Sans Mono",
              "monospace"]

T = TypeVar("T")


class Exchange(TypedDict):
    """One question and what the chat showed for it; ``answer`` is the plain answer text the
    next questions get as history, None when the question was not answered (bad input)."""

    question: str
    reply: str
    answer: str | None


def messages(exchanges: list[Exchange]) -> list[dict[str, str]]:
    """The Chatbot's value: a user and an assistant message per exchange."""
    out = []
    for e in exchanges:
        out += [{"role": "user", "content": cv.escape(e["question"])},
                {"role": "assistant", "content": e["reply"]}]
    return out


def history(exchanges: list[Exchange], max_turns: int) -> list[Turn]:
    """The answered exchanges as Turns, the latest ``max_turns`` of them."""
    turns = []
    for e in exchanges:
        if e["answer"] is not None:
            turns += [Turn("user", e["question"]), Turn("assistant", e["answer"])]
    return turns[-max_turns:] if max_turns > 0 else []


def write_duties_csv(text: str, agency: str, directory: Path) -> Path:
    """The CSV under a directory named by its content, so that each distinct table is written
    once; the file name is what the browser saves it as."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = directory / digest / f"{agency.replace(os.sep, '_')}-职责.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}")
        # with a byte-order mark: Excel, which staff open it in, reads UTF-8 only so
        staging.write_text(text, encoding="utf-8-sig", newline="")
        staging.replace(path)
    return path


class Console:
    """The callbacks, each a few lines over the Assistant of the moment and ui.console_views."""

    def __init__(self, get_assistant: Callable[[], Assistant],
                 download_dir: Path | None = None) -> None:
        self._get_assistant = get_assistant
        self._download_dir = download_dir

    @property
    def download_dir(self) -> Path:
        """Where the CSV files are written: given, or a private temporary directory made at
        the first download and removed when the process exits."""
        if self._download_dir is None:
            self._download_dir = Path(tempfile.mkdtemp(prefix="policy-console-"))
            atexit.register(shutil.rmtree, self._download_dir, ignore_errors=True)
        return self._download_dir

    def assistant(self) -> Assistant:
        try:
            return self._get_assistant()
        except Exception as exc:  # e.g. the service still opening its index
            log.warning("console: no assistant: %s", exc)
            raise gr.Error("助手暂不可用（可能正在打开索引），请稍后刷新页面。") from exc

    # -- 问答 ------------------------------------------------------------------------------

    def ask(self, question: str, exchanges: list[Exchange]
            ) -> tuple[str, list[dict[str, str]], list[Exchange]]:
        """Returns the cleared input box, the chat, and the exchanges with this one added."""
        question = question.strip()
        if not question:
            return "", messages(exchanges), exchanges
        exchange = self._answer(question, exchanges)
        exchanges = [*exchanges, exchange]
        return "", messages(exchanges), exchanges

    def _answer(self, question: str, exchanges: list[Exchange]) -> Exchange:
        try:
            assistant = self._get_assistant()
            limit = assistant.settings.max_question_chars
            if len(question) > limit:
                return Exchange(question=question, answer=None,
                                reply=f"⚠️ 问题过长：共{len(question)}字，上限为{limit}字。"
                                      "请精简后再问。")
            turns = history(exchanges, assistant.settings.max_history_turns)
            answer = assistant.answer(question, turns)
        except BadInput as exc:
            return Exchange(question=question, answer=None, reply=f"⚠️ 无法处理该问题：{exc}")
        except Exception:
            log.exception("console: answering failed")
            return Exchange(question=question, answer=None,
                            reply="⚠️ 暂时无法回答，请稍后再试。")
        return Exchange(question=question, answer=answer.answer,
                        reply=cv.reply_markdown(assistant.corpus, answer))

    # -- 条款 ------------------------------------------------------------------------------

    def choose_document(self, doc_id: str) -> tuple[Any, str]:
        """The document's clauses to choose from, its first numbered clause chosen."""
        with _shown_as_error():
            return _sections(self.assistant().corpus, doc_id)

    def show_section(self, doc_id: str, key: str) -> str:
        if not doc_id or not key:
            return ""
        with _shown_as_error():
            return cv.section_markdown(self.assistant().corpus, doc_id, key)

    # -- 部门职责 --------------------------------------------------------------------------

    def show_duties(self, agency: str) -> tuple[str, dict[str, Any], Any]:
        """A summary line, the table, and the CSV to download."""
        if not agency:
            return _no_duties()
        with _shown_as_error():
            return _duties(self.assistant().corpus, agency, self.download_dir)

    # -- the page as it opens ------------------------------------------------------------

    def load(self) -> tuple[Any, ...]:
        """Everything the page shows before anyone chooses, from the corpus of the moment: the
        pickers filled, the first document's first clause, the first agency, the targets."""
        corpus = self.assistant().corpus
        documents = cv.document_choices(corpus)
        agencies = cv.agency_choices(corpus)
        agency = agencies[0][1] if agencies else ""
        return (gr.Dropdown(choices=documents, value=documents[0][1]),
                *_sections(corpus, documents[0][1]),
                gr.Dropdown(choices=agencies, value=agency or None),
                *(_duties(corpus, agency, self.download_dir) if agency else _no_duties()),
                {"headers": cv.TARGET_HEADERS, "data": cv.target_rows(corpus)})


def _sections(corpus: Corpus, doc_id: str) -> tuple[Any, str]:
    choices = cv.section_choices(corpus.document(doc_id))
    keys = [key for _, key in choices]
    key = next((k for k in keys if k != cv.PREAMBLE_KEY), keys[0] if keys else None)
    text = cv.section_markdown(corpus, doc_id, key) if key else ""
    return gr.Dropdown(choices=choices, value=key), text


def _duties(corpus: Corpus, agency: str, directory: Path) -> tuple[str, dict[str, Any], Any]:
    name = corpus.agency(agency).name
    duties = corpus.duties(name)
    path = write_duties_csv(views.duties_csv(corpus, duties), name, directory)
    return (cv.duty_summary(name, duties),
            {"headers": cv.DUTY_HEADERS, "data": cv.duty_rows(corpus, duties)},
            gr.DownloadButton(value=str(path), interactive=True))


def _no_duties() -> tuple[str, dict[str, Any], Any]:
    return ("", {"headers": cv.DUTY_HEADERS, "data": []},
            gr.DownloadButton(value=None, interactive=False))


@contextmanager
def _shown_as_error() -> Iterator[None]:
    """A document, clause or agency that no longer exists (the corpus changed under an open
    page) is a message on the page, not a failed event."""
    try:
        yield
    except BadInput as exc:
        raise gr.Error(f"未找到：{exc}") from exc


def build_console(get_assistant: Callable[[], Assistant],
                  download_dir: Path | None = None, adding: AddDocument | None = None,
                  feedback: FeedbackStoreHolder | None = None) -> gr.Blocks:
    """The console's Blocks. ``get_assistant`` is called by each callback, not here;
    ``adding`` (ui.documents.add_document over the service) shows the 添加文件 tab."""
    return _in_running_loop(lambda: _layout(Console(get_assistant, download_dir), adding,
                                            feedback))


def console_theme() -> gr.themes.Base:
    return gr.themes.Default(font=FONTS, font_mono=MONO_FONTS)


def mount_console(app: FastAPI, get_assistant: Callable[[], Assistant],
                  path: str = "/ui", download_dir: Path | None = None,
                  max_file_size: int | None = None, adding: AddDocument | None = None,
                  feedback: FeedbackStoreHolder | None = None) -> FastAPI:
    """Build the console and mount it on ``app`` at ``path``."""

    def mount() -> FastAPI:
        blocks = _layout(Console(get_assistant, download_dir), adding, feedback)
        gr.mount_gradio_app(
            app, blocks, path=path, theme=console_theme(), footer_links=[],
            run_history=False, show_error=False, ssr_mode=False, mcp_server=False,
            enable_monitoring=False, pwa=False, max_file_size=max_file_size)
        return app

    return _in_running_loop(mount)


def _in_running_loop(make: Callable[[], T]) -> T:
    """Run ``make`` inside a running event loop. Gradio makes its locks with
    ``utils.safe_get_lock``, which without a running loop creates and sets a new event loop per
    lock and never closes it (ResourceWarning: unclosed event loop); inside one it makes none.
    The loop used here is closed at once, and the thread's current loop is left as it was."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return make()

    async def run() -> T:
        return make()

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(run())
    finally:
        loop.close()


def _layout(console: Console, adding: AddDocument | None = None,
            feedback: FeedbackStoreHolder | None = None) -> gr.Blocks:
    private: dict[str, Any] = {"api_visibility": "private"}  # the public API is /v1
    blocks = gr.Blocks(title=TITLE, analytics_enabled=False)
    with blocks:
        gr.Markdown(f"## {TITLE}")
        with gr.Tabs():
            with gr.Tab("问答"):
                exchanges = gr.State([])
                chatbot = gr.Chatbot(
                    value=[], label="对话", height=560, latex_delimiters=[],
                    feedback_options=None, buttons=["copy"],
                    placeholder="请输入关于政策文件的问题。回答注明所依据的条款与责任单位。")
                with gr.Row():
                    question = gr.Textbox(show_label=False, placeholder="输入问题，回车发送",
                                          scale=8, autofocus=True)
                    send = gr.Button("发送", variant="primary", scale=1)
                    clear = gr.Button("清空对话", scale=1)
                gr.Examples(_examples(), inputs=[question], label="示例问题", **private)
                gr.on([question.submit, send.click], console.ask, [question, exchanges],
                      [question, chatbot, exchanges], **private)
                clear.click(lambda: ("", [], []), None, [question, chatbot, exchanges],
                            **private)
                chatbot.clear(lambda: [], None, [exchanges], **private)
            with gr.Tab("条款"):
                with gr.Row():
                    document = gr.Dropdown(label="文件", choices=[], scale=2)
                    section = gr.Dropdown(label="条款", choices=[], scale=1)
                section_text = gr.Markdown()
                document.input(console.choose_document, [document], [section, section_text],
                               **private)
                section.input(console.show_section, [document, section], [section_text],
                              **private)
            with gr.Tab("部门职责"):
                with gr.Row():
                    agency = gr.Dropdown(label="部门", choices=[], scale=3)
                    download = gr.DownloadButton("下载 CSV", value=None, interactive=False,
                                                 scale=1)
                summary = gr.Markdown()
                duties = gr.Dataframe(headers=cv.DUTY_HEADERS, interactive=False, wrap=True,
                                      show_search="search", column_widths=[
                                          "9%", "17%", "5%", "6%", "43%", "20%"])
                agency.input(console.show_duties, [agency], [summary, duties, download],
                             **private)
            with gr.Tab("目标"):
                gr.Markdown("各文件中的量化目标，数值与年份均按原文。")
                targets = gr.Dataframe(headers=cv.TARGET_HEADERS, interactive=False,
                                       wrap=True, show_search="search", column_widths=[
                                           "9%", "15%", "4%", "22%", "9%", "9%", "6%", "26%"])
            console_match.layout(MatchTab(console.assistant, lambda: console.download_dir),
                                 private, blocks)
            add_tabs(StaffTabs(lambda: console.assistant().corpus, lambda: console.download_dir,
                               feedback))
            if adding is not None:
                with gr.Tab("添加文件"):
                    console_adding.layout(AddingTab(adding), private)
        blocks.load(console.load, None,
                    [document, section, section_text, agency, summary, duties, download,
                     targets], **private)
    return blocks
