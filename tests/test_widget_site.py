"""The widget on a government site, in a real browser (Debian's chromium through Playwright, as
in test_browser): the conversation follows the visitor between the site's pages, the large-text
mode, feedback from the widget to the store and the console's view of it, and an automated
accessibility audit (axe-core, shipped in the axe-playwright-python package) of the demo pages
and the open widget with an answer shown: no serious or critical violation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright
from test_browser import (
    ANSWER_TIMEOUT,
    CHROMIUM,
    CHROMIUM_ARGS,
    completion_chunks,
    last_answer,
    launcher,
    open_page,
    panel,
    pytestmark,  # noqa: F401 (skipped without chromium, as there)
    question_box,
    sent_messages,
    sse,
)

from core.settings import Settings
from ui.feedback_store import FeedbackStore, feedback_csv
from ui.staff_views import feedback_rows

WIDGET = "policy-assistant-widget"
STORE_PREFIX = "policy-assistant:conversation:"
# the rules of WCAG 2.0 / 2.1, levels A and AA
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


@pytest.fixture(scope="module")
def site_browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/install-browser installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(site_browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (test_browser.open_page: no JavaScript error may happen)."""
    with open_page(site_browser) as page:
        yield page


def ask_and_wait(page: Page, question: str) -> Any:
    question_box(page).fill(question)
    question_box(page).press("Enter")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    return answer


def kept(page: Page) -> dict[str, Any] | None:
    """What the widget keeps in this tab's sessionStorage."""
    raw = page.evaluate(f"""() => {{
        const key = Object.keys(sessionStorage).find(k => k.startsWith({json.dumps(STORE_PREFIX)}));
        return key ? sessionStorage.getItem(key) : null;
    }}""")
    return None if raw is None else dict(json.loads(raw))


# -- the conversation follows the visitor -------------------------------------------------------


def test_conversation_survives_navigation_within_the_site(tab: Page, live_server: str) -> None:
    page = tab
    page.goto(live_server + "/")
    launcher(page).click()
    answer = ask_and_wait(page, "谁负责岸电建设？")
    expect(answer.locator(".text")).to_contain_text("市交通运输委")
    text = answer.locator(".text").inner_text()
    stored = kept(page)
    assert stored is not None and stored["open"] is True
    assert [x["question"] for x in stored["exchanges"]] == ["谁负责岸电建设？"]

    page.locator("#to-jiedu").click()  # a link of the site: a new page, the same tab
    expect(page).to_have_url(live_server + "/jiedu")
    expect(panel(page)).to_be_visible()  # it was open with a conversation: open again
    assert page.evaluate("() => document.activeElement.tagName") == "BODY"  # focus not taken
    expect(page.locator(f"{WIDGET} .msg.user")).to_have_text(["谁负责岸电建设？"])
    restored = last_answer(page)
    expect(restored).to_have_attribute("data-state", "done")
    assert restored.locator(".text").inner_text() == text
    card = restored.locator("details.cite").filter(has_text="（九）").first
    card.locator("summary").click()
    expect(card.locator("blockquote")).to_contain_text("岸电")

    # a follow-up on the new page carries the earlier exchange
    question_box(page).fill("那市税务局呢？")
    with page.expect_request("**/v1/chat/completions") as asked:
        question_box(page).press("Enter")
    messages = sent_messages(asked.value)
    assert [m["content"] for m in messages[:1]] == ["谁负责岸电建设？"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    expect(last_answer(page)).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)

    # 新对话 clears it here and on the next page
    page.locator(f"{WIDGET} .icon-btn", has_text="新对话").click()
    assert kept(page) is None
    expect(page.locator(f"{WIDGET} .msg.user")).to_have_count(0)
    page.goto(live_server + "/")
    expect(panel(page)).to_be_hidden()
    launcher(page).click()
    expect(page.locator(f"{WIDGET} .msg.user")).to_have_count(0)
    expect(page.locator(f"{WIDGET} .chip").first).to_be_visible()


def test_closing_the_panel_ends_the_conversation(tab: Page, live_server: str) -> None:
    """The issue's rule: kept in sessionStorage, cleared on close (×, or Esc)."""
    page = tab
    page.route("**/v1/chat/completions", lambda route: route.fulfill(
        status=200, content_type="text/event-stream",
        body=sse(completion_chunks("好的。", citations=[]))))
    page.goto(live_server + "/")
    for close in ("×", "Escape"):
        launcher(page).click()
        ask_and_wait(page, "问题甲")
        assert kept(page) is not None
        question_box(page).fill("未发送的草稿")
        if close == "×":
            page.locator(f"{WIDGET} .close").click()
        else:
            page.keyboard.press("Escape")
        expect(panel(page)).to_be_hidden()
        assert kept(page) is None  # nothing left for the next page
        launcher(page).click()  # reopened here: a new conversation, the draft still in its box
        expect(page.locator(f"{WIDGET} .msg.user")).to_have_count(0)
        expect(page.locator(f"{WIDGET} .chip").first).to_be_visible()
        expect(question_box(page)).to_have_value("未发送的草稿")
        ask_and_wait(page, "问题乙")  # its history starts afresh
        with page.expect_request("**/v1/chat/completions") as asked:
            question_box(page).fill("问题丙")
            question_box(page).press("Enter")
        assert [m["content"] for m in sent_messages(asked.value)] == ["问题乙", "好的。", "问题丙"]
        expect(last_answer(page)).to_have_attribute("data-state", "done")
        page.locator(f"{WIDGET} .close").click()
        page.goto(live_server + "/jiedu")  # the next page: closed and empty
        expect(panel(page)).to_be_hidden()
        assert kept(page) is None


def test_a_new_tab_starts_a_new_conversation(site_browser: Browser, live_server: str) -> None:
    answer = sse(completion_chunks("好的。", citations=[]))
    with open_page(site_browser) as first:
        first.route("**/v1/chat/completions", lambda route: route.fulfill(
            status=200, content_type="text/event-stream", body=answer))
        first.goto(live_server + "/")
        launcher(first).click()
        ask_and_wait(first, "问题甲")
        assert kept(first) is not None
        second = first.context.new_page()  # sessionStorage belongs to one tab
        second.goto(live_server + "/")
        expect(panel(second)).to_be_hidden()
        assert kept(second) is None


# -- large text, high contrast -------------------------------------------------------------------


def root_style(page: Page, prop: str) -> str:
    return str(page.evaluate(f"""() => getComputedStyle(document.querySelector('{WIDGET}')
        .shadowRoot.querySelector('.root')).getPropertyValue('{prop}')"""))


def test_large_text_mode_is_a_remembered_toggle(tab: Page, live_server: str) -> None:
    page = tab
    page.goto(live_server + "/")
    launcher(page).click()
    toggle = page.locator(f"{WIDGET} .large-btn")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert root_style(page, "font-size") == "14px"
    toggle.focus()
    page.keyboard.press("Enter")  # a button: the keyboard works it
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("标准字")
    assert root_style(page, "font-size") == "19px"
    assert root_style(page, "--ink").strip() == "#000"
    launcher_bg = launcher(page).evaluate("el => getComputedStyle(el).backgroundColor")
    assert launcher_bg == "rgb(0, 51, 122)"  # the dark accent of the mode

    page.goto(live_server + "/jiedu")  # remembered on the next page (and the next visit)
    assert root_style(page, "font-size") == "19px"
    launcher(page).click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    assert root_style(page, "font-size") == "14px"
    page.reload()
    assert root_style(page, "font-size") == "14px"


# -- feedback: widget → store → console ----------------------------------------------------------


def test_feedback_goes_from_the_widget_to_the_store_and_the_console(
        tab: Page, live_server: str, api_settings: Settings) -> None:
    page = tab
    page.goto(live_server + "/")
    launcher(page).click()
    answer = ask_and_wait(page, "谁负责岸电建设？")
    bar = answer.locator(".fb")
    expect(bar).to_have_attribute("role", "group")
    down = bar.get_by_role("button", name="没帮助")
    expect(down).to_have_attribute("aria-pressed", "false")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    comment = bar.get_by_label("补充意见（可选；请勿填写姓名、电话等个人信息）")
    expect(comment).to_be_focused()
    comment.fill("没说岸电补贴多少 回电13812345678 反馈甲乙丙")
    with page.expect_response("**/v1/feedback") as posted:
        bar.get_by_role("button", name="提交评价").click()
    assert posted.value.status == 201
    body = posted.value.request.post_data_json
    done = bar.locator(".fb-done")
    expect(done).to_have_text("感谢您的反馈！（没帮助）")
    expect(done).to_be_focused()

    store = FeedbackStore.from_settings(api_settings.feedback, api_settings.data_dir)
    try:
        mine = [r for r in store.recent(1000) if "反馈甲乙丙" in r.feedback.comment]
    finally:
        store.close()
    assert len(mine) == 1
    record = mine[0].feedback
    assert (record.rating, record.question, record.comment) == (
        "down", "谁负责岸电建设？", "没说岸电补贴多少 回电[手机号] 反馈甲乙丙")
    assert record.answer == body["answer"] and "市交通运输委" in record.answer
    assert [(c.doc_id, c.clause_no) for c in record.citations][:1] == [("tianjin-2022", 9)]
    # the console's table and CSV
    row = feedback_rows(mine)[0]
    assert row[2:4] == ["没帮助", "谁负责岸电建设？"]
    assert row[5].startswith("tianjin-2022 9.")
    assert "回电[手机号] 反馈甲乙丙" in feedback_csv(mine)

    page.goto(live_server + "/jiedu")  # the rating is kept with the conversation
    expect(last_answer(page).locator(".fb-done")).to_have_text("感谢您的反馈！（没帮助）")


def test_feedback_that_fails_says_so_and_can_be_sent_again(tab: Page, live_server: str) -> None:
    page = tab
    calls: list[int] = []

    def refuse_once(route: Route) -> None:
        calls.append(1)
        if len(calls) == 1:
            route.fulfill(status=429, headers={"Retry-After": "3"},
                          content_type="application/json",
                          body='{"error": {"code": "rate_limited", "message": "slow"}}')
        else:
            route.continue_()

    page.route("**/v1/chat/completions", lambda route: route.fulfill(
        status=200, content_type="text/event-stream",
        body=sse(completion_chunks("这是回答。", citations=[]))))
    page.route("**/v1/feedback", refuse_once)
    page.goto(live_server + "/")
    launcher(page).click()
    bar = ask_and_wait(page, "问题").locator(".fb")
    bar.get_by_role("button", name="有帮助").click()
    bar.get_by_role("textbox").fill("很好")
    bar.get_by_role("button", name="提交评价").click()
    expect(bar.get_by_role("alert")).to_have_text("提交过于频繁，请稍后再试。")
    expect(bar.get_by_role("textbox")).to_have_value("很好")
    bar.get_by_role("button", name="提交评价").click()
    expect(bar.locator(".fb-done")).to_have_text("感谢您的反馈！（有帮助）")
    assert len(calls) == 2


# -- the accessibility audit ---------------------------------------------------------------------


def audit(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (open shadow roots
    included), serious and critical only; printed in full for the log."""
    page.evaluate(AXE_FILE_PATH.read_text(encoding="utf-8"))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations = list(result["violations"])
    for v in violations:
        targets = [node["target"] for node in v["nodes"]][:5]
        print(f"axe {v['impact']}: {v['id']} ({len(v['nodes'])}) {v['help']} {targets}")
    return [{"id": v["id"], "impact": v["impact"],
             "targets": [node["target"] for node in v["nodes"]]}
            for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", ["/", "/jiedu"], ids=["demo-page", "reading-page"])
def test_demo_pages_pass_the_audit(tab: Page, live_server: str, path: str) -> None:
    audited = tab
    audited.goto(live_server + path)
    expect(launcher(audited)).to_be_visible()
    assert audit(audited) == []


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large-text"])
def test_open_widget_with_an_answer_passes_the_audit(tab: Page, live_server: str,
                                                     large: bool) -> None:
    audited = tab
    audited.goto(live_server + "/")
    launcher(audited).click()
    if large:
        audited.locator(f"{WIDGET} .large-btn").click()
    assert audit(audited) == []  # open, the suggestions shown
    answer = ask_and_wait(audited, "谁负责岸电建设？")
    answer.locator("details.cite summary").first.click()  # a card open
    answer.locator(".fb").get_by_role("button", name="有帮助").click()  # the feedback form
    assert audit(audited) == []
    # the finished answer is announced once, in the polite live region
    status = audited.locator(f"{WIDGET} [role=status]")
    expect(status).to_contain_text("回答：")
    expect(status).to_contain_text("市交通运输委")
