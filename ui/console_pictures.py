"""The console's 图示 tab: the agencies an agency works with most, and the targets by year, as
the pictures of ui.charts shown inline and offered as SVG files (the same pictures as
``/v1/agencies/{name}/partners.svg`` and ``/v1/targets/timeline.svg``).

A few lines over the corpus of the moment; files go under the console's private download
directory (ui.console_tabs.write_download). Import lazily (gradio).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.division import agency_division, partners
from indexing.corpus import Corpus
from ui import charts
from ui.console_views import agency_choices

_WRAP = '<div style="overflow:auto;max-height:75vh">{}</div>'


def _download(write: Callable[[bytes, str, Path], Path], svg: str, name: str,
              directory: Path) -> Any:
    path = write(svg.encode("utf-8"), name, directory)
    return gr.DownloadButton(value=str(path), interactive=True)


class PicturesTab:
    """``corpus`` and ``downloads`` are asked at each call, never kept; ``write`` stores a
    download (ui.console_tabs.write_download)."""

    def __init__(self, corpus: Callable[[], Corpus], downloads: Callable[[], Path],
                 write: Callable[[bytes, str, Path], Path]) -> None:
        self._corpus = corpus
        self._downloads = downloads
        self._write = write

    def agencies(self) -> Any:
        choices = agency_choices(self._corpus())
        return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)

    def show_partners(self, agency: str) -> tuple[str, Any]:
        """The partners picture and its SVG file."""
        if not agency:
            return "", gr.DownloadButton(value=None, interactive=False)
        div = agency_division(self._corpus(), agency)
        svg = charts.partners_svg(div, partners(div))
        return (_WRAP.format(svg),
                _download(self._write, svg, f"{div.agency}-合作部门.svg", self._downloads()))

    def show_targets(self) -> tuple[str, Any]:
        """The targets timeline and its SVG file."""
        svg = charts.targets_svg(self._corpus())
        return (_WRAP.format(svg),
                _download(self._write, svg, "量化目标-按年份.svg", self._downloads()))


def layout(tab: PicturesTab, private: dict[str, Any]) -> None:
    """The tab, inside an open ``gr.Tabs``; filled when it is opened."""
    with gr.Tab("图示") as pictures:
        gr.Markdown("#### 合作部门：与所选部门共同承担任务最多的部门（深色：所选部门牵头；"
                    "中色：对方牵头；浅色：同为配合）")
        with gr.Row():
            agency = gr.Dropdown(label="部门", choices=[], scale=3)
            partners_file = gr.DownloadButton("下载图（SVG）", value=None, interactive=False,
                                              scale=1)
        partners_picture = gr.HTML()
        gr.Markdown("#### 量化目标（按年份）：数值与年份均按原文，悬停可见原文与出处")
        targets_file = gr.DownloadButton("下载图（SVG）", value=None, interactive=False)
        targets_picture = gr.HTML()
        agency.input(tab.show_partners, [agency], [partners_picture, partners_file], **private)
        pictures.select(tab.agencies, None, [agency], **private).then(
            tab.show_partners, [agency], [partners_picture, partners_file], **private).then(
            tab.show_targets, None, [targets_picture, targets_file], **private)
