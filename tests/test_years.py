"""Years in answers (framing.py): what a year in a provision is a year of, whether a yes/no
question's supposed year is the one the texts set, and when a claim counts as not made;
each by a table of rows."""

from __future__ import annotations

import pytest

from assistant.answers.years import after_it
from assistant.answers.years import year_verdict as _year_verdict
from assistant.claims import Claim


@pytest.mark.parametrize(("text", "word", "expected"), [
    ("到2035年，碳排放达峰后稳中有降", "达峰", True),
    ("二氧化碳排放量达到峰值并实现稳中有降", "达到峰值", False),
    ("碳达峰之后，碳中和以前", "碳达峰", True),
    ("达峰后稳中有降，力争达峰", "达峰", False),
    ("推进岸电建设", "碳中和", None),
    ("为实现碳达峰、碳中和奠定坚实基础", "碳达峰", True),
    ("为实现碳达峰奠定基础，力争2030年前实现碳达峰", "碳达峰", False),
], ids=["after-it", "of-it", "zhi-hou", "once-of-it", "absent", "a-purpose", "purpose-and-of-it"])
def test_a_word_followed_by_after_speaks_of_what_follows(text: str, word: str,
                                                         expected: bool | None) -> None:
    assert after_it(text, word) is expected


NEUTRAL = ("碳中和",)
PEAK = ("达峰", "达到峰值")
VERDICTS = [
    # (year supposed, subject words, cited quotes, verdict)
    (2035, NEUTRAL, ["到2035年，绿色发展内生动力显著增强，碳排放达峰后稳中有降。"], False),
    (2060, NEUTRAL, ["到2060年，绿色低碳循环发展的经济体系全面建立，碳中和目标顺利实现。"], True),
    (2050, NEUTRAL, ["到2060年，绿色低碳循环发展的经济体系全面建立，碳中和目标顺利实现。"], False),
    (2030, PEAK, ["到2030年，经济社会发展全面绿色转型取得显著成效。",
                  "二氧化碳排放量达到峰值并实现稳中有降。"], True),
    (2030, PEAK, ["推进岸电建设。"], None),
    (None, PEAK, ["到2030年，二氧化碳排放量达到峰值。"], None),
    (2030, (), ["到2030年，二氧化碳排放量达到峰值。"], None),
]


@pytest.mark.parametrize(("year", "subject", "quotes", "expected"), VERDICTS,
                         ids=["that-year-other-subject", "that-year-on-it", "another-year",
                              "goes-on-from-the-year", "no-year-no-subject", "no-year-asked",
                              "no-subject"])
def test_a_supposed_year_is_checked_against_the_sentences_cited(
        year: int | None, subject: tuple[str, ...], quotes: list[str],
        expected: bool | None) -> None:
    assert _year_verdict(year, subject, quotes) is expected


REQUIRE = Claim("require", ("必须", "要求"), "强制要求", "make it mandatory",
                unmade_by=("鼓励", "倡导"))
ABOLISH = Claim("abolish", ("取消",), "取消", "abolish it")


@pytest.mark.parametrize(("claim", "quotes", "unmade"), [
    (REQUIRE, ["倡导酒店不主动提供一次性用品。"], True),
    (REQUIRE, ["各地区贯彻落实情况每年向国务院报告。"], False),
    (REQUIRE, ["必须同步建设岸电设施。"], False),
    (ABOLISH, ["完善居民阶梯电价制度。"], True),
    (ABOLISH, ["取消不合理的收费。"], False),
], ids=["offer-worded", "plain-duty-open", "made", "no-decline-words-absent", "abolish-made"])
def test_a_claim_is_unmade_where_the_text_declines_it_so(claim: Claim, quotes: list[str],
                                                          unmade: bool) -> None:
    assert claim.unmade_in(quotes) is unmade
