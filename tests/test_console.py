"""The Gradio staff console: what its tabs show (the functions that make the Markdown and the
table rows, and the callbacks over the served index), and the console mounted on a bare FastAPI
app, driven through Gradio's own HTTP protocol with Starlette's TestClient."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

import gradio
import pytest
from conftest import Served
from fastapi import FastAPI
from starlette.testclient import TestClient

from assistant.service import Assistant
from core.model import Answer, Citation, Intent, Turn
from indexing.corpus import Corpus
from ui import console_views as cv
from ui.cli import main
from ui.console import Console, Exchange, build_console, history, mount_console

# Gradio's queue summarises its event analytics after every event with
# pd.option_context("future.no_silent_downcasting", True), an option pandas 3 deprecates: a
# DeprecationWarning (silent outside tests) that no setting of ours avoids.
pytestmark = pytest.mark.filterwarnings(
    "ignore:'future.no_silent_downcasting' is deprecated:DeprecationWarning")

SHORE_POWER = ("新改扩建码头工程（油气化工码头除外）同步设计、建设岸电设施，"
               "港作船舶岸电使用率达到100%。")
SHORE_POWER_AGENCIES = ("市交通运输委", "天津海事局", "滨海新区人民政府", "天津港集团")


class Recorder:
    """The real Assistant, with the history of every call kept."""

    def __init__(self, inner: Assistant) -> None:
        self.inner = inner
        self.corpus = inner.corpus
        self.settings = inner.settings
        self.histories: list[list[Turn]] = []

    def answer(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        self.histories.append(list(history))
        return self.inner.answer(question, history)


@pytest.fixture(scope="module")
def assistant(corpus: Corpus, served: Served) -> Assistant:
    return Assistant(corpus, served.searcher, served.settings.assistant)


@pytest.fixture
def console(assistant: Assistant, tmp_path: Path) -> Console:
    return Console(lambda: assistant, tmp_path / "downloads")


def cli_output(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


# -- 问答 ------------------------------------------------------------------------------------


def test_reply_shows_answer_then_each_source(corpus: Corpus) -> None:
    citation = Citation(1, "tianjin-2022", corpus.document("tianjin-2022").meta.title, 9,
                        "（九）", "打造绿色物流体系", "三、构建绿色低碳循环发展的流通体系", 5,
                        SHORE_POWER, SHORE_POWER_AGENCIES)
    national = Citation(2, "zhongfa-2021-36", "中共中央 国务院关于…的意见", None, None, None,
                        "二、主要目标", 2, "森林覆盖率达到24.1%")
    answer = Answer("这项工作由市交通运输委牵头[1]。\n国家层面见[2]。", False,
                    Intent.RESPONSIBILITY, (citation, national))
    assert cv.reply_markdown(corpus, answer) == (
        "这项工作由市交通运输委牵头[1]。\n国家层面见[2]。\n\n---\n\n**引用来源**\n\n"
        "**[1]** 《天津方案》（九）打造绿色物流体系 第5项\n"
        f"> {SHORE_POWER}\n\n"
        "责任单位：市交通运输委（牵头）、天津海事局、滨海新区人民政府、天津港集团\n\n"
        "**[2]** 《中央意见》二、主要目标 第2项\n"
        "> 森林覆盖率达到24.1%")


def test_reply_without_sources_is_the_answer_alone(corpus: Corpus) -> None:
    answer = Answer("您好！我只回答政策文件的问题。", True, Intent.OUT_OF_SCOPE)
    assert cv.reply_markdown(corpus, answer) == "您好！我只回答政策文件的问题。"


@pytest.mark.parametrize("text,shown", [
    pytest.param("**粗体** _斜_", r"\*\*粗体\*\* \_斜\_", id="emphasis"),
    pytest.param("# 标题", r"\# 标题", id="heading"),
    pytest.param("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>", id="html"),
    pytest.param("a|b", r"a\|b", id="table"),
    pytest.param("见[1][2]", "见[1][2]", id="markers-kept"),
])
def test_escape_keeps_text_as_written(text: str, shown: str) -> None:
    assert cv.escape(text) == shown


def test_chat_reply_cites_clause_and_agencies(console: Console) -> None:
    box, chat, exchanges = console.ask("  谁负责岸电建设？ ", [])
    assert box == ""
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert chat[0]["content"] == "谁负责岸电建设？"
    reply = chat[1]["content"]
    answer, sources = reply.split("\n\n---\n\n**引用来源**\n\n")
    assert "[1]" in answer
    assert sources.startswith("**[1]** 《天津方案》（九）打造绿色物流体系 第5项\n"
                              f"> {SHORE_POWER}\n\n"
                              "责任单位：市交通运输委（牵头）、天津海事局、滨海新区人民政府、天津港集团")
    assert exchanges == [Exchange(question="谁负责岸电建设？", reply=reply,
                                  answer=exchanges[0]["answer"])]
    assert exchanges[0]["answer"] is not None
    assert exchanges[0]["answer"] in answer.replace("\\", "")


def test_chat_passes_history_as_turns(assistant: Assistant, tmp_path: Path) -> None:
    recorder = Recorder(assistant)
    console = Console(lambda: cast(Assistant, recorder), tmp_path)
    _, _, exchanges = console.ask("谁负责岸电建设？", [])
    _, chat, exchanges = console.ask("这一条是第几条？", exchanges)
    first = exchanges[0]["answer"]
    assert first is not None
    assert recorder.histories == [[], [Turn("user", "谁负责岸电建设？"), Turn("assistant", first)]]
    assert "（九）" in chat[-1]["content"]  # the follow-up was answered from the history


def test_chat_history_is_capped(corpus: Corpus, served: Served, tmp_path: Path) -> None:
    settings = served.settings.assistant.model_copy(update={"max_history_turns": 3})
    recorder = Recorder(Assistant(corpus, served.searcher, settings))
    console = Console(lambda: cast(Assistant, recorder), tmp_path)
    exchanges: list[Exchange] = []
    for question in ("谁负责岸电建设？", "天津港集团负责哪些任务？", "天津方案第九条讲了什么？"):
        _, _, exchanges = console.ask(question, exchanges)
    answers = [e["answer"] for e in exchanges]
    assert recorder.histories[2] == [Turn("assistant", cast(str, answers[0])),
                                     Turn("user", "天津港集团负责哪些任务？"),
                                     Turn("assistant", cast(str, answers[1]))]
    assert history(exchanges, 0) == []


def test_too_long_question_is_a_message_in_the_chat(console: Console,
                                                     assistant: Assistant) -> None:
    limit = assistant.settings.max_question_chars
    question = "岸电" * limit
    _, chat, exchanges = console.ask(question, [])
    assert chat[-1] == {"role": "assistant",
                        "content": f"⚠️ 问题过长：共{2 * limit}字，上限为{limit}字。请精简后再问。"}
    assert exchanges[0]["answer"] is None
    assert history(exchanges, 20) == []  # not sent again as history
    _, chat, exchanges = console.ask("   ", exchanges)  # blank: nothing happens
    assert len(chat) == 2 and len(exchanges) == 1


def test_chat_survives_an_unavailable_assistant(tmp_path: Path) -> None:
    def unavailable() -> Assistant:
        raise RuntimeError("the service is still opening its index")

    _, chat, exchanges = Console(unavailable, tmp_path).ask("谁负责岸电建设？", [])
    assert chat[-1]["content"] == "⚠️ 暂时无法回答，请稍后再试。"
    assert exchanges[0]["answer"] is None
    with pytest.raises(gradio.Error, match="助手暂不可用"):
        Console(unavailable, tmp_path).show_section("tianjin-2022", "9")


# -- 条款 ------------------------------------------------------------------------------------


def test_clause_choices_in_reading_order(corpus: Corpus) -> None:
    tianjin = cv.section_choices(corpus.document("tianjin-2022"))
    assert tianjin[:3] == [("序言", "0"), ("（一）指导思想", "1"), ("（二）主要目标", "2")]
    assert ("（九）打造绿色物流体系", "9") in tianjin
    assert len(tianjin) == 1 + len(corpus.document("tianjin-2022").clauses)
    # a part whose text belongs to no clause is offered where it stands
    assert cv.section_choices(corpus.document("zhongfa-2021-36"))[2:5] == [
        ("（二）工作原则", "2"), ("二、主要目标", "part-2"),
        ("（三）强化绿色低碳发展规划引领", "3")]


def test_clause_shows_its_tasks_with_agencies_lead_first(corpus: Corpus) -> None:
    clause = corpus.clause("tianjin-2022", 9)
    shown = cv.section_markdown(corpus, "tianjin-2022", "9")
    assert shown.startswith("### 《天津方案》（九）打造绿色物流体系\n\n"
                            "三、构建绿色低碳循环发展的流通体系\n\n共5项\n\n"
                            "落实：《国家指导意见》（十）打造绿色物流；《中央意见》（十四）优化交通运输结构"
                            "\n\n")
    tasks = shown.split("\n\n")[4:]
    assert tasks == [f"**[{p.index}]** {p.text}  \n责任单位：{cv.agencies_text(p.agencies)}"
                     for p in clause.provisions]
    assert tasks[3].endswith("责任单位：天津港集团（牵头）")
    assert tasks[4] == (f"**[5]** {SHORE_POWER}  \n"
                        "责任单位：市交通运输委（牵头）、天津海事局、滨海新区人民政府、天津港集团")


def test_a_national_clause_shows_the_local_clauses_that_implement_it(corpus: Corpus) -> None:
    shown = cv.section_markdown(corpus, "guofa-2021-4", "10").split("\n\n")
    assert shown[3] == "落实本条的地方条款：《天津方案》（九）打造绿色物流体系"


def test_preamble_and_part_text(corpus: Corpus) -> None:
    preamble = cv.section_markdown(corpus, "tianjin-2022", "0")
    assert preamble.startswith("### 《天津方案》序言\n\n**[1]** 天津市人民政府关于印发")
    part = cv.section_markdown(corpus, "zhongfa-2021-36", "part-2")
    assert part.startswith("### 《中央意见》二、主要目标\n\n共5项\n\n**[1]** 到2025年")
    assert "责任单位" not in part  # national texts name no agencies


def test_choosing_a_document_offers_its_clauses(console: Console) -> None:
    dropdown, text = console.choose_document("guofa-2021-4")
    assert dropdown.value == "1"
    assert dropdown.choices[:2] == [("序言", "0"), ("（一）指导思想", "1")]
    assert text.startswith("### 《国家指导意见》（一）指导思想\n\n一、总体要求\n\n")
    assert console.show_section("guofa-2021-4", "") == ""


# -- 部门职责 --------------------------------------------------------------------------------


def test_duty_table_of_tianjin_port(corpus: Corpus) -> None:
    clause9 = corpus.clause("tianjin-2022", 9).provisions
    clause16 = corpus.clause("tianjin-2022", 16).provisions
    assert cv.duty_rows(corpus, corpus.duties("天津港集团")) == [
        ["天津方案", "（九）打造绿色物流体系", 4, "牵头", clause9[3].text, "天津港集团（牵头）"],
        ["天津方案", "（九）打造绿色物流体系", 5, "配合", SHORE_POWER,
         "市交通运输委（牵头）、天津海事局、滨海新区人民政府、天津港集团"],
        ["天津方案", "（十六）提升交通基础设施绿色发展水平", 1, "配合", clause16[0].text,
         "市交通运输委（牵头）、市发展改革委、市生态环境局、天津港集团、各区人民政府"],
    ]


def test_duties_csv_is_the_command_line_csv(console: Console,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    summary, table, download = console.show_duties("天津港集团")
    assert summary == "**天津港集团** 共 3 项任务：牵头 1 项，配合 2 项"
    assert [row[:4] for row in table["data"]] == [
        ["天津方案", "（九）打造绿色物流体系", 4, "牵头"],
        ["天津方案", "（九）打造绿色物流体系", 5, "配合"],
        ["天津方案", "（十六）提升交通基础设施绿色发展水平", 1, "配合"]]
    assert table["headers"] == ["文件", "条款", "项", "角色", "任务", "责任单位"]
    path = Path(download.value["path"])  # the copy in Gradio's cache that the page offers
    assert path.name == download.value["orig_name"] == "天津港集团-职责.csv"
    expected = cli_output(capsys, "duties", "天津港集团", "--csv")
    assert path.read_bytes() == expected.encode("utf-8-sig")  # BOM: Excel reads it right
    assert expected.startswith("doc_id,clause_no,clause_label,clause_title,provision,role,"
                               "lead_agency,agencies,text\r\n")
    # the same table again: the same file
    assert console.show_duties("天津港集团")[2].value == download.value


def test_no_agency_chosen_means_no_download(console: Console) -> None:
    summary, table, download = console.show_duties("")
    assert (summary, table["data"], download.value, download.interactive) == ("", [], None,
                                                                             False)


def test_unknown_names_are_a_message_on_the_page(console: Console) -> None:
    with pytest.raises(gradio.Error, match="未找到：unknown agency: 不存在的部门"):
        console.show_duties("不存在的部门")
    with pytest.raises(gradio.Error, match="未找到：tianjin-2022 has no clause 99"):
        console.show_section("tianjin-2022", "99")


def test_downloads_go_to_a_private_directory(assistant: Assistant) -> None:
    console = Console(lambda: assistant)  # no directory given: one of its own, made once
    console.show_duties("天津港集团")
    directory = console.download_dir
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert [p.name for p in directory.glob("*/*.csv")] == ["天津港集团-职责.csv"]


def test_agency_choices_cover_the_registry(corpus: Corpus) -> None:
    choices = cv.agency_choices(corpus)
    names = [name for _, name in choices]
    assert sorted(names) == sorted(a.name for a in corpus.registry)
    assert choices[0] == ("市发展改革委（42项）", "市发展改革委")
    assert ("天津港集团（3项）", "天津港集团") in choices
    kinds = [corpus.registry.agency(n).kind for n in names]
    assert kinds == sorted(kinds, key=cv.KIND_ORDER.index)  # city departments first


# -- 目标 ------------------------------------------------------------------------------------


def test_targets_table(corpus: Corpus) -> None:
    rows = cv.target_rows(corpus)
    assert len(rows) == 23
    assert rows[2] == ["天津方案", "（二）主要目标", 1, "非化石能源消费比重", "力争达到",
                       "11.5%以上", "2025", "非化石能源消费比重力争达到11.5%以上"]
    assert ["中央意见", "二、主要目标", 2, "单位国内生产总值能耗", "比2020年下降", "13.5%", "2025",
            "单位国内生产总值能耗比2020年下降13.5%"] in rows
    assert ["天津方案", "（九）打造绿色物流体系", 5, "港作船舶岸电使用率", "达到", "100%", "",
            "港作船舶岸电使用率达到100%"] in rows  # no year in the text: none invented


def test_page_opens_with_everything_filled(console: Console) -> None:
    (document, section, section_text, agency, summary, duties, download,
     targets) = console.load()
    assert document.value == "tianjin-2022" and len(document.choices) == 3
    assert section.value == "1"
    assert section_text.startswith("### 《天津方案》（一）指导思想")
    assert agency.value == "市发展改革委"
    assert summary.startswith("**市发展改革委** 共 42 项任务")
    assert len(duties["data"]) == 42 and download.interactive
    assert len(targets["data"]) == 23


# -- mounted ---------------------------------------------------------------------------------

LOADED = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)"""
                    r"""|url\(\s*["']?([^"')]+)|@import\s+["']([^"']+)""")


def loaded_urls(text: str) -> set[str]:
    """What a browser would fetch for a page or stylesheet: src, href, url(), @import."""
    return {next(g for g in m.groups() if g) for m in LOADED.finditer(text)}


@pytest.fixture
def mounted(assistant: Assistant, tmp_path: Path) -> Iterator[TestClient]:
    app = FastAPI()
    mount_console(app, lambda: assistant, download_dir=tmp_path)
    with TestClient(app) as client:
        yield client


def run_event(client: TestClient, api_name: str, data: list[Any]) -> list[Any]:
    """Run one of the console's events as the page does: join the queue, read the stream."""
    config = client.get("/ui/config").json()
    fn_index = next(d["id"] for d in config["dependencies"] if d["api_name"] == api_name)
    joined = client.post("/ui/gradio_api/queue/join",
                         json={"data": data, "fn_index": fn_index, "session_hash": "test",
                               "event_data": None, "trigger_id": None})
    assert joined.status_code == 200, joined.text
    with client.stream("GET", "/ui/gradio_api/queue/data",
                       params={"session_hash": "test"}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                message = json.loads(line.removeprefix("data: "))
                if message["msg"] == "process_completed":
                    assert message["success"], message
                    return cast(list[Any], message["output"]["data"])
    raise AssertionError(f"{api_name}: no result")


def test_mounted_page_loads_nothing_from_elsewhere(mounted: TestClient) -> None:
    page = mounted.get("/ui/")
    assert page.status_code == 200
    config = mounted.get("/ui/config")
    assert config.status_code == 200
    assert config.json()["title"] == "政策助手 · 工作台"
    assert config.json()["analytics_enabled"] is False
    theme = mounted.get("/ui/theme.css")
    assert theme.status_code == 200
    assert "--font: system-ui, PingFang SC," in theme.text  # the system's fonts
    assert "@font-face" not in theme.text
    for text in (page.text, config.text, theme.text):
        assert "googleapis" not in text and "gstatic" not in text
        for url in loaded_urls(text):
            assert urlparse(url).netloc in ("", "testserver"), url
    scripts = [url for url in loaded_urls(page.text) if url.startswith("./assets/")]
    assert scripts
    for url in scripts:  # the page's own assets are served under the mount
        assert mounted.get(f"/ui/{url.removeprefix('./')}").status_code == 200, url


def test_mounted_console_answers_and_serves_the_csv(mounted: TestClient,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # the page opens: the pickers get their choices (kept for this session by Gradio)
    opened = run_event(mounted, "load", [])
    assert opened[3]["value"] == "市发展改革委" and len(opened[7]["data"]) == 23
    _, chat, _ = run_event(mounted, "ask", ["谁负责岸电建设？", []])
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert "《天津方案》（九）打造绿色物流体系 第5项" in chat[1]["content"][0]["text"]
    summary, duties, download = run_event(mounted, "show_duties", ["天津港集团"])
    assert summary == "**天津港集团** 共 3 项任务：牵头 1 项，配合 2 项"
    assert len(duties["data"]) == 3
    csv = mounted.get(download["value"]["url"])
    assert csv.status_code == 200
    assert csv.content == cli_output(capsys, "duties", "天津港集团", "--csv").encode("utf-8-sig")


def test_build_console_is_a_blocks_without_analytics(assistant: Assistant) -> None:
    blocks = build_console(lambda: assistant)
    assert isinstance(blocks, gradio.Blocks)
    assert blocks.analytics_enabled is False
