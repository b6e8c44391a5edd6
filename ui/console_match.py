"""The console's 适用政策 tab: an enterprise's description (and optionally its sector and the
place whose plans: home by default, or another place the corpus holds plans of) → the
measures that support it and the requirements that bind it, as a table with the places and
contacts, downloadable as CSV and as an Excel workbook. The same Matcher as ``POST /v1/match``;
the rows are ui.match_views.match_rows. Import lazily (gradio)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.matcher import Profile
from assistant.service import Assistant
from core.errors import BadInput
from indexing.measures.labels import vocabulary
from indexing.sides import place_names
from ui import match_views
from ui.console_tabs import write_download
from ui.workbooks import match_workbook

HEADERS = list(match_views.MATCH_COLUMNS)


class MatchTab:
    def __init__(self, assistant: Callable[[], Assistant], downloads: Callable[[], Path]) -> None:
        self._assistant = assistant
        self._downloads = downloads

    def places(self) -> Any:
        """The places to choose from, as the page opens: home (the default), then every
        place whose plans the corpus holds."""
        names = place_names(self._assistant().corpus)
        home = [(f"本地（{names[0]}）", "")] if names else [("本地", "")]
        return gr.Dropdown(choices=[*home, *((n, n) for n in names[1:])], value="")

    def run(self, description: str, sector: str,
            place: str = "") -> tuple[str, dict[str, Any], Any, Any]:
        empty = {"headers": HEADERS, "data": []}
        off = gr.DownloadButton(value=None, interactive=False)
        if not description.strip():
            return "请输入企业简介。", empty, off, off
        profile = Profile(description, sector or None)
        try:
            assistant = self._assistant().side([place] if place else ())
            result = assistant.matcher.match(profile)
        except BadInput as exc:
            return f"无法查找：{exc}", empty, off, off
        body = match_views.match_view(assistant.corpus, assistant.matcher.catalogue, profile,
                                      result)
        rows = match_views.match_rows(body)
        who = "、".join(body["profile"]["audience_names"]) or "未认出行业"
        summary = (f"按“{who}”查找：支持措施 {len(body['support'])} 项，要求 "
                   f"{len(body['requirements'])} 项。\n\n" + "\n\n".join(body["notes"]))
        csv_text = match_views.rows_csv(HEADERS, rows).encode("utf-8-sig")
        csv_path = write_download(csv_text, "适用政策.csv", self._downloads())
        xlsx_path = write_download(match_workbook(f"适用政策：{who}", rows), "适用政策.xlsx",
                                   self._downloads())
        return (summary, {"headers": HEADERS, "data": rows},
                gr.DownloadButton(value=str(csv_path), interactive=True),
                gr.DownloadButton(value=str(xlsx_path), interactive=True))


def layout(tab: MatchTab, private: dict[str, Any], page: gr.Blocks) -> None:
    """The tab, inside an open ``gr.Tabs`` of ``page``."""
    sectors = [("（不限）", "")] + [(lb.name, lb.id) for lb in vocabulary().audience]
    with gr.Tab("适用政策"):
        gr.Markdown("输入企业简介，列出适用的支持措施和需要遵守的要求，按相关程度排列。")
        with gr.Row():
            description = gr.Textbox(label="企业简介", lines=2, max_length=2000, scale=4)
            sector = gr.Dropdown(label="所属行业（可选）", choices=sectors, value="", scale=1)
            place = gr.Dropdown(label="地区", choices=[("本地", "")], value="", scale=1)
        with gr.Row():
            run = gr.Button("查找适用政策", variant="primary", scale=0)
            csv_button = gr.DownloadButton("下载 CSV", value=None, interactive=False, scale=0)
            xlsx_button = gr.DownloadButton("下载 Excel", value=None, interactive=False, scale=0)
        summary = gr.Markdown()
        rows = gr.Dataframe(headers=HEADERS, interactive=False, wrap=True,
                            show_search="search")
        gr.on([run.click, description.submit], tab.run, [description, sector, place],
              [summary, rows, csv_button, xlsx_button], **private)
        page.load(tab.places, None, [place], **private)
