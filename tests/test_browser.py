"""The website widget in a real browser: Debian's chromium (scripts/install-browser puts it at
/usr/bin/chromium), driven headless by Playwright, against the live service and its demo page.

One browser for the module, a fresh context (cookies, storage, viewport) per test. Questions go
to the real assistant; page.route stands in for the service only where a test needs an answer
the service cannot give on demand (a refused connection, a 429, hostile text).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    Page,
    Playwright,
    Request,
    Route,
    expect,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google, which this closed
# network refuses; the sandbox needs user namespaces the test machines may not give.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
ANSWER_TIMEOUT = 60_000  # ms: the first question of a session may wait for the index to load
SUGGESTED = [
    "谁负责岸电建设？",
    "市税务局负责哪些工作？",
    "我们是做再生资源回收的企业，有什么支持？",
    "非化石能源消费比重目标是多少？",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"{CHROMIUM} is missing: run scripts/install-browser (in CI this test fails instead)",
)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/install-browser installs Debian's chromium")
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@contextmanager
def open_page(browser: Browser, **context: Any) -> Iterator[Page]:
    """A page in a fresh context; no uncaught JavaScript error may happen on it. Reduced motion:
    the panel does not slide in, so that what a test measures is where it stays."""
    ctx = browser.new_context(**{"viewport": DESKTOP, "locale": "zh-CN",
                                 "reduced_motion": "reduce", **context})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        ctx.close()
    assert errors == []


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with open_page(browser) as page:
        yield page


def launcher(page: Page) -> Any:
    return page.locator("policy-assistant-widget .launcher")


def panel(page: Page) -> Any:
    return page.locator("policy-assistant-widget .panel")


def question_box(page: Page) -> Any:
    return page.locator("policy-assistant-widget textarea")


def last_answer(page: Page) -> Any:
    return page.locator("policy-assistant-widget .msg.bot:not(.intro)").last


def widget_focus(page: Page) -> str:
    """What has the keyboard focus: 'launcher', 'textarea', … inside the widget, else 'page'."""
    return str(page.evaluate("""() => {
        const host = document.activeElement;
        if (!host || host.tagName !== 'POLICY-ASSISTANT-WIDGET') return 'page';
        const el = host.shadowRoot.activeElement;
        return el ? (el.className || el.tagName.toLowerCase()) : 'host';
    }"""))


def serve_page(page: Page, url: str, html: str) -> None:
    """A page of the live server's origin that the server does not have (a host site)."""
    page.route(url, lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=html))


def sent_messages(request: Request) -> list[dict[str, str]]:
    body = request.post_data_json
    assert isinstance(body, dict)
    return list(body["messages"])


def sse(chunks: list[dict[str, Any]]) -> str:
    return "".join(f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks) + \
        "data: [DONE]\n\n"


def completion_chunks(text: str, **final: Any) -> list[dict[str, Any]]:
    base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0,
            "model": "policy-assistant"}
    half = len(text) // 2
    return [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text[:half]},
                              "finish_reason": None}]},
        {**base, "choices": [{"index": 0, "delta": {"content": text[half:]},
                              "finish_reason": None}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], **final},
    ]


# -- the demo page, a question, an answer with a citation card ----------------------------------


def test_demo_page_asks_and_shows_a_cited_answer(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(page).to_have_title(
        "天津市加快建立健全绿色低碳循环发展经济体系的实施方案 - 绿色低碳政策服务（演示站点）")
    assert page.locator("script").count() == 1  # the one embedding tag, no inline script
    expect(panel(page)).to_be_hidden()

    launcher(page).click()
    expect(panel(page)).to_be_visible()
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    chips = page.locator("policy-assistant-widget .chip")
    expect(chips).to_have_text(SUGGESTED)
    expect(question_box(page)).to_be_focused()

    question_box(page).fill("谁负责岸电建设？")
    with page.expect_request("**/v1/chat/completions") as asked:
        question_box(page).press("Enter")
    request = asked.value
    assert request.url == live_server + "/v1/chat/completions"
    assert request.post_data_json == {
        "model": "policy-assistant",
        "stream": True,
        "messages": [{"role": "user", "content": "谁负责岸电建设？"}],
    }
    expect(page.locator("policy-assistant-widget .chip")).to_have_count(0)

    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    expect(answer.locator(".text")).to_contain_text("市交通运输委")
    expect(answer).not_to_have_attribute("aria-busy", "true")
    expect(answer).not_to_have_class(re.compile(r"\brefused\b"))

    card = answer.locator("details.cite").filter(has_text="（九）").first
    expect(card).to_contain_text("打造绿色物流体系")
    expect(card).to_contain_text("《天津方案》")
    quote = card.locator("blockquote")
    expect(quote).to_be_hidden()
    card.locator("summary").click()
    expect(quote).to_be_visible()
    expect(quote).to_contain_text("岸电")
    expect(card.locator(".agency").first).to_have_text("市交通运输委牵头")
    expect(card.locator(".agency.lead")).to_have_count(1)

    # a [n] marker is a link to its card: close the card, click the marker, the card opens
    card.locator("summary").click()
    expect(quote).to_be_hidden()
    marker = answer.locator("button.ref").first
    expect(marker).to_have_text("1")
    marker.click()
    expect(answer.locator("details.cite").first.locator("blockquote")).to_be_visible()

    # a follow-up carries the conversation: the first exchange, then the new question
    question_box(page).fill("市税务局负责哪些工作？")
    with page.expect_request("**/v1/chat/completions") as asked:
        page.locator("policy-assistant-widget .send").click()
    messages = sent_messages(asked.value)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"] == "谁负责岸电建设？"
    assert "市交通运输委" in messages[1]["content"]
    assert messages[2]["content"] == "市税务局负责哪些工作？"
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    expect(answer.locator(".text")).to_contain_text("市税务局")
    expect(answer.locator("details.cite").first).to_contain_text("（二十二）")


def test_an_out_of_scope_question_is_answered_neutrally(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    launcher(page).click()
    question_box(page).fill("今天天气怎么样？")
    question_box(page).press("Enter")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    expect(answer).to_have_class(re.compile(r"\brefused\b"))
    expect(answer.locator(".note-tag")).to_have_text("超出文件范围")
    expect(answer.locator("details.cite")).to_have_count(0)
    # the questions the refusal suggests can be asked with a click
    expect(answer.locator(".ask-line").first).to_be_visible()


# -- keyboard, phone, hostile host pages --------------------------------------------------------


def test_keyboard_only(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(launcher(page)).to_be_visible()
    for _ in range(60):
        page.keyboard.press("Tab")
        if widget_focus(page) == "launcher":
            break
    else:
        pytest.fail("Tab never reached the widget's button")
    expect(launcher(page)).to_have_attribute("aria-label", "打开政策问答助手")

    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()
    assert widget_focus(page) == "textarea"  # focus moved into the panel
    page.keyboard.type("岸电")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("建设")
    expect(question_box(page)).to_have_value("岸电\n建设")  # Shift+Enter is a new line, not a send
    expect(page.locator("policy-assistant-widget .msg.user")).to_have_count(0)

    page.keyboard.press("Tab")
    assert widget_focus(page) == "send"
    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    assert widget_focus(page) == "launcher"
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")  # opens again, the draft kept
    expect(panel(page)).to_be_visible()
    expect(question_box(page)).to_have_value("岸电\n建设")
    chip = page.locator("policy-assistant-widget .chip").first
    chip.focus()
    expect(chip).to_be_focused()


def test_phone_screen_gets_a_full_screen_panel(browser: Browser, live_server: str) -> None:
    with open_page(browser, viewport={"width": 375, "height": 667}, is_mobile=True,
                   has_touch=True, device_scale_factor=2) as page:
        page.goto(live_server + "/")
        launcher(page).tap()
        expect(panel(page)).to_be_visible()
        box = panel(page).bounding_box()
        assert box is not None
        assert {k: round(v) for k, v in box.items()} == {"x": 0, "y": 0, "width": 375,
                                                        "height": 667}
        expect(launcher(page)).to_be_hidden()  # the panel covers the screen; its × closes it
        # 16px keeps mobile browsers from zooming in when the question box takes focus
        assert question_box(page).evaluate("el => getComputedStyle(el).fontSize") == "16px"
        log = page.locator("policy-assistant-widget .log")
        assert log.evaluate("el => el.scrollWidth <= el.clientWidth")
        page.locator("policy-assistant-widget .close").tap()
        expect(panel(page)).to_be_hidden()
        expect(launcher(page)).to_be_visible()


HOSTILE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>hostile</title><style>
html { font-size: 3px; }
* { font-size: 3px !important; line-height: 1 !important; color: #0f0 !important;
    background: #f0f !important; font-family: serif !important; letter-spacing: 9px !important;
    box-sizing: content-box !important; margin: 17px !important; padding: 0 !important;
    border: 5px dashed red !important; text-align: right !important; }
button, section, textarea, details, div, ul, li, h2, p { display: none !important; }
policy-assistant-widget { display: none !important; opacity: 0 !important;
    position: absolute !important; left: -9999px !important; }
span { display: inline !important; }
</style></head><body><span id="own">the host page's own text</span>
<script src="/widget.js" async></script></body></html>"""


def test_host_page_css_does_not_reach_the_widget(browser: Browser, live_server: str) -> None:
    with open_page(browser) as page:
        # the same widget on a plain page, as the reference
        page.goto(live_server + "/")
        launcher(page).click()
        expect(panel(page)).to_be_visible()
        page.mouse.move(0, 0)
        reference = widget_styles(page)

        serve_page(page, live_server + "/hostile.html", HOSTILE_PAGE)
        page.goto(live_server + "/hostile.html")
        expect(launcher(page)).to_be_visible()
        launcher(page).click()
        expect(panel(page)).to_be_visible()
        expect(page.locator("policy-assistant-widget .chip").first).to_be_visible()
        page.mouse.move(0, 0)
        assert widget_styles(page) == reference
        # ... and the widget's styles do not reach the page
        own = page.locator("#own")
        assert own.evaluate("el => getComputedStyle(el).fontSize") == "3px"
        assert own.evaluate("el => getComputedStyle(el).color") == "rgb(0, 255, 0)"


def widget_styles(page: Page) -> dict[str, Any]:
    return dict(page.evaluate("""() => {
        const root = document.querySelector('policy-assistant-widget').shadowRoot;
        const style = (sel, props) => {
            const s = getComputedStyle(root.querySelector(sel));
            return props.map(p => s.getPropertyValue(p));
        };
        const box = el => { const r = root.querySelector(el).getBoundingClientRect();
                            return [r.x, r.y, r.width, r.height].map(Math.round); };
        return {
            launcher: style('.launcher', ['font-size', 'color', 'background-color', 'margin']),
            launcherBox: box('.launcher'),
            panelBox: box('.panel'),
            title: style('h2', ['font-size', 'color', 'letter-spacing', 'display']),
            chip: style('.chip', ['font-size', 'color', 'background-color', 'border-top-style',
                                  'text-align', 'font-family']),
            textarea: style('textarea', ['font-size', 'line-height', 'box-sizing']),
        };
    }"""))


EMBED_WITH_OPTIONS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>embed</title>
</head><body><p>一个嵌入挂件的网站</p>
<script src="/widget.js" async data-api="{api}" data-open="true" data-position="left"
  data-title="绿色政策小助手" data-accent="rgb(0, 100, 0)" data-questions="问题甲|问题乙"></script>
</body></html>"""


def test_data_attributes(page: Page, live_server: str) -> None:
    api = live_server + "/elsewhere"
    asked: list[str] = []

    def answer(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/event-stream",
                      body=sse(completion_chunks("好的。", citations=[], refused=False)))

    page.route(api + "/v1/chat/completions", answer)
    serve_page(page, live_server + "/embed.html", EMBED_WITH_OPTIONS.format(api=api))
    page.goto(live_server + "/embed.html")
    expect(panel(page)).to_be_visible()  # data-open
    expect(page.locator("policy-assistant-widget h2")).to_have_text("绿色政策小助手")
    expect(page.locator("policy-assistant-widget .chip")).to_have_text(["问题甲", "问题乙"])
    box = panel(page).bounding_box()
    assert box is not None and box["x"] < 100  # data-position="left"
    assert launcher(page).evaluate("el => getComputedStyle(el).backgroundColor") == \
        "rgb(0, 100, 0)"
    page.locator("policy-assistant-widget .chip").first.click()
    expect(page.locator("policy-assistant-widget .msg.bot .text").last).to_have_text("好的。")
    assert asked == [api + "/v1/chat/completions"]  # data-api


def test_history_stays_in_the_page_capped_at_20_messages(page: Page, live_server: str) -> None:
    sent: list[list[dict[str, str]]] = []

    def answer(route: Route) -> None:
        sent.append(sent_messages(route.request))
        route.fulfill(status=200, content_type="text/event-stream",
                      body=sse(completion_chunks(f"回答{len(sent)}。", citations=[])))

    page.route("**/v1/chat/completions", answer)
    page.goto(live_server + "/")
    launcher(page).click()
    for i in range(1, 13):
        question_box(page).fill(f"问题{i}")
        question_box(page).press("Enter")
        expect(last_answer(page).locator(".text")).to_have_text(f"回答{i}。")
    # the 12th question goes with the last 10 exchanges: the service allows 20 earlier messages
    expect_messages = [m for i in range(2, 12) for m in (
        {"role": "user", "content": f"问题{i}"}, {"role": "assistant", "content": f"回答{i}。"})]
    assert sent[-1] == [*expect_messages, {"role": "user", "content": "问题12"}]

    page.locator("policy-assistant-widget .icon-btn", has_text="新对话").click()
    expect(page.locator("policy-assistant-widget .msg.user")).to_have_count(0)
    expect(page.locator("policy-assistant-widget .chip")).to_have_count(len(SUGGESTED))
    question_box(page).fill("新问题")
    question_box(page).press("Enter")
    expect(last_answer(page).locator(".text")).to_have_text("回答13。")
    assert sent[-1] == [{"role": "user", "content": "新问题"}]


# -- errors -------------------------------------------------------------------------------------


def test_service_down_shows_an_error_and_retry_works(page: Page, live_server: str) -> None:
    page.route("**/v1/chat/completions", lambda route: route.abort("connectionrefused"))
    page.goto(live_server + "/")
    launcher(page).click()
    page.locator("policy-assistant-widget .chip").first.click()
    alert = page.locator("policy-assistant-widget [role=alert]")
    expect(alert).to_contain_text("无法连接政策问答服务")
    retry = alert.get_by_role("button", name="重试")
    expect(retry).to_be_enabled()

    page.unroute("**/v1/chat/completions")
    retry.click()
    expect(alert).to_have_count(0)
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    expect(answer.locator(".text")).to_contain_text("市交通运输委")
    expect(page.locator("policy-assistant-widget .msg.user")).to_have_count(1)


@pytest.mark.parametrize(("status", "headers", "body", "message"), [
    (429, {"Retry-After": "7"}, {"error": {"code": "rate_limited", "message": "slow down"}},
     "请求过于频繁，请 7 秒后再试。"),
    (500, {}, {"error": {"code": "internal_error", "message": "internal error"}},
     "政策问答服务暂时不可用（500），请稍后重试。"),
    (422, {}, {"error": {"code": "validation_error", "message": "body.messages: too long"}},
     "问题未被受理（422），请修改后重试。\nbody.messages: too long"),
], ids=["rate-limited", "server-error", "rejected"])
def test_error_answers_are_explained(page: Page, live_server: str, status: int,
                                     headers: dict[str, str], body: dict[str, Any],
                                     message: str) -> None:
    page.route("**/v1/chat/completions", lambda route: route.fulfill(
        status=status, headers=headers, content_type="application/json", body=json.dumps(body)))
    page.goto(live_server + "/")
    launcher(page).click()
    question_box(page).fill("谁负责岸电建设？")
    question_box(page).press("Enter")
    alert = page.locator("policy-assistant-widget [role=alert]")
    expect(alert.locator(".text")).to_have_text(message)
    retry = alert.locator(".retry")
    if status == 429:  # the retry waits out Retry-After
        expect(retry).to_be_disabled()
        expect(retry).to_have_text("重试（7）")
    else:
        expect(retry).to_be_enabled()


def test_a_stream_cut_short_is_an_error(page: Page, live_server: str) -> None:
    chunks = completion_chunks("这项工作由市交通运输委牵头", citations=[])[:2]  # no stop, no [DONE]
    body = "".join(f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks)
    page.route("**/v1/chat/completions", lambda route: route.fulfill(
        status=200, content_type="text/event-stream", body=body))
    page.goto(live_server + "/")
    launcher(page).click()
    question_box(page).fill("谁负责岸电建设？")
    question_box(page).press("Enter")
    expect(last_answer(page)).to_have_attribute("data-state", "error")
    expect(last_answer(page).locator("[role=alert] .text")).to_have_text("回答传输中断，请重试。")


def test_server_text_is_never_markup(page: Page, live_server: str) -> None:
    evil = '<img src=x onerror="window.pwned=1">'
    citation = {"n": 1, "doc_id": "tianjin-2022", "doc_title": evil, "clause_no": 9,
                "clause_label": "（九）", "clause_title": evil, "part": evil, "provision": 1,
                "quote": evil, "agencies": [evil, "市交通运输委"], "lead_agency": evil}
    page.route("**/v1/chat/completions", lambda route: route.fulfill(
        status=200, content_type="text/event-stream",
        body=sse(completion_chunks(f"回答{evil}[1]", citations=[citation], refused=False,
                                   intent="general"))))
    page.goto(live_server + "/")
    launcher(page).click()
    question_box(page).fill("测试")
    question_box(page).press("Enter")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done")
    expect(answer.locator(".text")).to_have_text(f"回答{evil}1")
    answer.locator("summary").click()
    expect(answer.locator("blockquote")).to_have_text(evil)
    expect(answer.locator(".agency.lead")).to_have_text(evil + "牵头")
    assert page.locator("policy-assistant-widget img").count() == 0
    assert page.evaluate("() => window.pwned") is None
