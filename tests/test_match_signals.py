"""The matcher's signals (assistant/match_signals.py): how firmly a profile is of each audience
it was read as, and the concerns a description names one by one; each by a table of rows."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.match_signals import concerns_of, firmness, standard

FIRMNESS = [
    # (labels read and how, cue words per label, the trade's labels, firmness expected)
    ({"logistics": "description", "retail": "description"},
     {"logistics": ("快递", "配送", "塑料"), "retail": ("塑料",)}, (),
     {"logistics": 1.0, "retail": 0.5 / 2.5}),
    ({"logistics": "sector", "recycling": "description"},
     {"recycling": ("回收",)}, (), {"logistics": 1.0, "recycling": 1.0}),
    ({"hospitality": "description", "recycling": "trade", "sme": "size"},
     {"hospitality": ("酒店", "餐饮")}, ("recycling",),
     {"hospitality": 1.0, "recycling": 0.5, "sme": 1.0}),
    ({"energy": "embedder"}, {}, (), {"energy": 1.0}),
]


@pytest.mark.parametrize(("read", "cues", "trade", "expected"), FIRMNESS,
                         ids=["shared-cue-split", "chosen-sector-firm", "trade-counts-one",
                              "no-cue-firm"])
def test_a_label_named_in_passing_is_less_firm(read: dict[str, str],
                                               cues: dict[str, tuple[str, ...]],
                                               trade: tuple[str, ...],
                                               expected: dict[str, float]) -> None:
    got = firmness(read, cues, trade)
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(("description", "expected"), [
    ("我们是一家快递网点。面包车不够用；还要回收纸箱！",
     ["我们是一家快递网点", "面包车不够用", "还要回收纸箱"]),
    ("We run a depot. Trucks are old.", ["We run a depot", "Trucks are old."]),
    ("短。也短", []),
    ("没有标点的一句很长的描述", ["没有标点的一句很长的描述"]),
    ("Version 2.5 of the line", ["Version 2.5 of the line"]),
], ids=["chinese", "english", "too-short", "one", "decimal-kept"])
def test_a_description_is_read_as_its_concerns(description: str, expected: list[str]) -> None:
    assert concerns_of(description) == expected


def test_likeness_is_in_standard_deviations() -> None:
    z = standard(np.array([1.0, 2.0, 3.0]))
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    assert standard(np.array([2.0, 2.0])).tolist() == [0.0, 0.0]
    assert len(standard(np.zeros(0))) == 0
