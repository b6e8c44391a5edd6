"""Chinese numerals as clause and part labels use them: 一 … 九十九."""

from __future__ import annotations

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERALS = "零一二三四五六七八九"


def parse_numeral(text: str) -> int:
    """'十' -> 10, '二十二' -> 22. Raises ValueError for anything else."""
    if not text:
        raise ValueError("empty numeral")
    if "十" not in text:
        if len(text) == 1 and text in _DIGITS:
            return _DIGITS[text]
        raise ValueError(f"not a numeral: {text!r}")
    tens_text, _, units_text = text.partition("十")
    if "十" in units_text or len(tens_text) > 1 or len(units_text) > 1:
        raise ValueError(f"not a numeral: {text!r}")
    if (tens_text and tens_text not in _DIGITS) or (units_text and units_text not in _DIGITS):
        raise ValueError(f"not a numeral: {text!r}")
    tens = _DIGITS[tens_text] if tens_text else 1
    units = _DIGITS[units_text] if units_text else 0
    return tens * 10 + units


def to_numeral(n: int) -> str:
    """22 -> '二十二'; the inverse of parse_numeral for 1…99."""
    if not 1 <= n <= 99:
        raise ValueError(f"out of range: {n}")
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens] + "十")
    return head + (_NUMERALS[units] if units else "")
