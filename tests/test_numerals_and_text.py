"""Chinese numerals of labels, and the normalisation of PDF-extracted text."""

from __future__ import annotations

import pytest

from indexing.numerals import parse_numeral, to_numeral
from indexing.text import Span, read_paragraphs

# -- numerals -------------------------------------------------------------------------------


@pytest.mark.parametrize("text,number", [
    pytest.param("一", 1, id="1"),
    pytest.param("九", 9, id="9"),
    pytest.param("十", 10, id="10"),
    pytest.param("十一", 11, id="11"),
    pytest.param("十九", 19, id="19"),
    pytest.param("二十", 20, id="20"),
    pytest.param("二十二", 22, id="22"),
    pytest.param("三十七", 37, id="37"),
    pytest.param("九十九", 99, id="99"),
])
def test_parse_numeral(text: str, number: int) -> None:
    assert parse_numeral(text) == number
    assert to_numeral(number) == text


def test_round_trip_1_to_99() -> None:
    numerals = [to_numeral(n) for n in range(1, 100)]
    assert len(set(numerals)) == 99
    assert [parse_numeral(t) for t in numerals] == list(range(1, 100))
    assert numerals[:12] == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一",
                             "十二"]


@pytest.mark.parametrize("text", [
    pytest.param("", id="empty"),
    pytest.param("零", id="zero"),
    pytest.param("百", id="hundred"),
    pytest.param("一百", id="one-hundred"),
    pytest.param("十十", id="ten-ten"),
    pytest.param("二二", id="two-two"),
    pytest.param("十二三", id="ten-two-three"),
    pytest.param("二三十", id="two-three-ten"),
    pytest.param("零十", id="zero-ten"),
    pytest.param("十零", id="ten-zero"),
    pytest.param("1", id="arabic"),
    pytest.param("（一）", id="label"),
    pytest.param("abc", id="latin"),
])
def test_parse_numeral_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_numeral(text)


@pytest.mark.parametrize("number", [0, 100, -1, 1000])
def test_to_numeral_rejects_out_of_range(number: int) -> None:
    with pytest.raises(ValueError):
        to_numeral(number)


# -- text normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize("raw,expected", [
    pytest.param("到 2025 年", "到2025年", id="spaces-between-cjk-and-digits"),
    pytest.param("达到 40%", "达到40%", id="space-before-percentage"),
    pytest.param("数量达到 11600 家", "数量达到11600家", id="spaces-around-number"),
    pytest.param("加快 建立健全", "加快建立健全", id="space-between-cjk"),
    pytest.param("体系\u3000实施", "体系实施", id="ideographic-space"),
    pytest.param("2022 年 3 月 25 日", "2022年3月25日", id="date"),
    pytest.param("DB/T 29—204—2021", "DB/T 29—204—2021", id="standard-number-keeps-space"),
    pytest.param("DB/T   29", "DB/T 29", id="ascii-words-keep-one-space"),
    pytest.param("(市商务局、各区人民政府按职责分工负责)",
                 "（市商务局、各区人民政府按职责分工负责）", id="half-width-brackets"),
    pytest.param("结构, 大力发展; 如下: 是否? 是!", "结构，大力发展；如下：是否？是！",
                 id="half-width-punctuation"),
    pytest.param("(十一) 建立绿色贸易体系", "（十一）建立绿色贸易体系", id="half-width-label"),
    pytest.param("自由贸易（FT）账户", "自由贸易（FT）账户", id="already-full-width"),
    pytest.param("  前后空格  ", "前后空格", id="leading-and-trailing-spaces"),
])
def test_normalised(raw: str, expected: str) -> None:
    assert Span.of_line(raw, 1).normalised().text == expected


def test_normalised_keeps_each_characters_line() -> None:
    span = Span.of_line("到 2025", 3) + Span.of_line(" 年", 5)
    out = span.normalised()
    assert out.text == "到2025年"
    assert out.lines == (3, 3, 3, 3, 3, 5)
    assert out.line_at(5) == 5
    assert out.first_line == 3


def test_span_needs_a_line_per_character() -> None:
    with pytest.raises(ValueError):
        Span("abc", (1, 2))


def test_span_slicing_and_strip() -> None:
    span = Span("  市工", (1, 1, 2, 2)) + Span("业 ", (4, 4))
    assert span.strip() == Span("市工业", (2, 2, 4))
    assert span[2:4] == Span("市工", (2, 2))
    assert len(span) == 6
    assert Span("", ()).line_at(0) == 0


def test_read_paragraphs_skips_blank_lines_and_keeps_line_numbers() -> None:
    raw = "\n\n天津市 人民政府\n\n 2022 年 3 月 25 日 \n\u3000\n(一)指导思想\n"
    paragraphs = read_paragraphs(raw)
    assert [(p.text, p.first_line) for p in paragraphs] == [
        ("天津市人民政府", 3), ("2022年3月25日", 5), ("（一）指导思想", 7)]
