"""The widget's 哪些政策适用于我 form in a real browser (Debian's chromium, as in
test_browser): a description and a sector → POST /v1/match → support and requirements with
their places and contacts; the open form and its result pass the accessibility audit."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, Request, expect
from test_browser import ANSWER_TIMEOUT, launcher, pytestmark  # noqa: F401
from test_widget_site import WIDGET, audit, site_browser, tab  # noqa: F401


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large-text"])
def test_the_matcher_form_lists_support_and_requirements(tab: Page, live_server: str,  # noqa: F811
                                                          large: bool) -> None:
    page = tab
    page.goto(live_server + "/")
    launcher(page).click()
    if large:
        page.locator(f"{WIDGET} .large-btn").click()
    page.locator(f"{WIDGET} .match-entry").click()
    description = page.get_by_label("简要介绍您的企业（行业、业务、规模）")
    expect(description).to_be_focused()
    sector = page.get_by_label("所属行业（可选）")
    expect(sector.locator("option[value=logistics]")).to_have_count(1)
    assert audit(page) == []  # the form shown
    description.fill("我们是一家冷链物流公司，有40辆货车和两座冷库")
    sector.select_option("logistics")
    sent: list[Request] = []
    page.on("request", lambda r: sent.append(r) if r.url.endswith("/v1/match") else None)
    page.get_by_role("button", name="查找适用政策").click()
    result = page.locator(f"{WIDGET} .msg.match-result")
    expect(result).to_be_visible(timeout=ANSWER_TIMEOUT)
    assert json.loads(sent[0].post_data or "{}") == {
        "description": "我们是一家冷链物流公司，有40辆货车和两座冷库", "sector": "logistics"}
    expect(result).to_contain_text("按“交通物流")
    expect(result).to_contain_text("支持措施")
    expect(result).to_contain_text("需要遵守的要求")
    items = result.locator("li[data-ref]")
    assert items.count() >= 2
    expect(result).to_contain_text("牵头部门：")
    expect(result).to_contain_text("没有给出补贴或奖励的金额")
    expect(page.locator(f"{WIDGET} [role=status]")).to_contain_text("已找到支持措施")
    assert audit(page) == []  # the result shown


def test_an_empty_description_is_not_sent(tab: Page, live_server: str) -> None:  # noqa: F811
    page = tab
    page.goto(live_server + "/")
    launcher(page).click()
    page.locator(f"{WIDGET} .match-entry").click()
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/v1/match") else None)
    page.get_by_role("button", name="查找适用政策").click()
    expect(page.get_by_label("简要介绍您的企业（行业、业务、规模）")).to_be_focused()
    assert sent == []
