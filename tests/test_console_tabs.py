"""The console's 分工矩阵 and 反馈 tabs: the matrix as HTML, the feedback table and CSV, and both
through the console mounted on a bare FastAPI app (Gradio's own HTTP protocol, as in
test_console)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient
from test_console import pytestmark, run_event  # noqa: F401 (its warning filter applies here)

from assistant.division import Division, TaskRow, division
from assistant.service import Assistant
from core.settings import Settings
from indexing.corpus import Corpus
from ui.charts import matrix_svg
from ui.console import mount_console
from ui.console_tabs import StaffTabs
from ui.feedback import FeedbackStoreHolder
from ui.feedback_store import CitedPlace, Feedback, feedback_csv
from ui.staff_views import matrix_html


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[FeedbackStoreHolder]:
    h = FeedbackStoreHolder(Settings(data_dir=tmp_path / "data"))
    yield h
    h.close()


def test_matrix_is_a_table_with_headers_and_counts(corpus: Corpus) -> None:
    html = matrix_html(division(corpus, "tianjin-2022"))
    assert "<caption>《天津方案》部门 × 条款分工矩阵：" in html and "97项任务" in html
    assert '<th scope="col" title="（九）打造绿色物流体系">（九）打造绿色物流体系</th>' in html
    port = html[html.index('<th scope="row">天津港集团</th>'):]
    port = port[:port.index("</tr>")]
    assert '<td class="total">牵1<br>配2</td>' in port  # its 3 tasks: 1 lead, 2 supporting
    assert '<td class="lead">牵1<br>配1</td>' in port  # （九）


def test_matrix_escapes_names_and_says_when_there_is_none(corpus: Corpus) -> None:
    row = TaskRow("x", "一、", 1, "（一）", "<b>标题</b>", 1, "任务", ("<script>甲</script>",),
                  (), False, 1)
    html = matrix_html(Division("x", "测试", "测<i>试", None, (row,), True))
    assert "<script>" not in html and "&lt;script&gt;甲&lt;/script&gt;" in html
    assert "<b>" not in html and "<i>" not in html
    assert matrix_html(division(corpus, "guofa-2021-4")) == (
        "<p>《国家指导意见》原文未列责任单位，没有分工矩阵。</p>")


def test_feedback_tab_shows_the_store(corpus: Corpus, holder: FeedbackStoreHolder,
                                      tmp_path: Path) -> None:
    holder().add(Feedback("down", "问", "答", (CitedPlace("tianjin-2022", 9, 5),), "意见"),
                 now=datetime(2026, 3, 1, tzinfo=UTC))
    tabs = StaffTabs(lambda: corpus, lambda: tmp_path / "downloads", holder)
    summary, table, download = tabs.show_feedback()
    assert summary == "共 1 条反馈：有帮助 0 条，没帮助 1 条"
    assert table["data"] == [[1, "2026-03-01 00:00", "没帮助", "问", "答", "tianjin-2022 9.5",
                              "意见"]]
    saved = Path(download.value["path"])  # the copy in Gradio's cache that the page offers
    assert saved.name == download.value["orig_name"] == "反馈.csv"
    assert saved.read_bytes() == feedback_csv(holder().recent()).encode("utf-8-sig")
    assert [p.name for p in (tmp_path / "downloads").glob("*/*")] == ["反馈.csv"]


def test_mounted_console_serves_the_matrix_workbook_and_the_feedback_csv(
        corpus: Corpus, served: object, tmp_path: Path, holder: FeedbackStoreHolder) -> None:
    from conftest import Served

    assert isinstance(served, Served)
    assistant = Assistant(corpus, served.searcher, served.settings.assistant)
    holder().add(Feedback("up", "谁负责岸电建设？", "市交通运输委牵头。"))
    app = FastAPI()
    mount_console(app, lambda: assistant, download_dir=tmp_path / "dl", feedback=holder)
    with TestClient(app) as client:
        [chosen] = run_event(client, "documents", [])
        assert chosen["value"] == "tianjin-2022"
        html, workbook, picture = run_event(client, "show_matrix", ["tianjin-2022"])
        assert "天津港集团" in html
        svg = client.get(picture["value"]["url"])
        assert svg.status_code == 200
        assert svg.content.decode("utf-8") == matrix_svg(division(corpus, "tianjin-2022"))
        xlsx = client.get(workbook["value"]["url"])
        assert xlsx.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        assert book.sheetnames == ["分工表", "分工矩阵"]
        assert book["分工表"].max_row == 2 + len(division(corpus, "tianjin-2022").rows)
        summary, table, download = run_event(client, "show_feedback", [])
        assert summary == "共 1 条反馈：有帮助 1 条，没帮助 0 条"
        assert table["data"][0][2:4] == ["有帮助", "谁负责岸电建设？"]
        text = client.get(download["value"]["url"]).content.decode("utf-8-sig")
        assert text.splitlines()[1].endswith(",up,谁负责岸电建设？,市交通运输委牵头。,,")
