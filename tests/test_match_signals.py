"""The matcher's signals (assistant/match_signals.py): how firmly a profile is of each audience
it was read as, and the concerns a description names one by one; each by a table of rows."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.match_signals import concerns_of, cover, firmness, likeness, own_part, standard

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


MARKERS = ("卖给", "客户主要是", "software for", "mainly for")


@pytest.mark.parametrize(("description", "expected"), [
    ("回收废金属，分拣打包后卖给钢厂。也收旧家电", "回收废金属，分拣打包后 。也收旧家电"),
    ("做淡化设备，客户主要是沿海电厂和海岛。", "做淡化设备， 。"),
    ("MES Software for small factories and logistics firms. Cash is tight",
     "MES  . Cash is tight"),
    ("我们是一家钢厂", "我们是一家钢厂"),
], ids=["sold-to", "customers-are", "english-any-case", "no-customers"])
def test_the_firms_own_part_leaves_out_its_customers(description: str, expected: str) -> None:
    assert own_part(description, MARKERS) == expected


COVER = [
    # (fits per concern over four items, each item one task: the order expected, window 2)
    ([[0.0, 0.0, 0.0, 6.0]], [0, 3, 1, 2]),  # the concern's best item moves into the window
    ([[0.0, 0.0, 0.0, 4.0]], [0, 1, 2, 3]),  # a fit below the least claims nothing
    ([[0.0, 6.0, 0.0, 0.0]], [0, 1, 2, 3]),  # already inside: nothing moves
    ([[0.0, 0.0, 7.0, 6.0], [0.0, 0.0, 6.0, 5.5]], [0, 2, 1, 3]),  # one place for one item
    ([[0.0, 0.0, 7.0, 0.0], [0.0, 0.0, 0.0, 7.0]], [2, 3, 0, 1]),  # the picks fill the window
]


@pytest.mark.parametrize(("fits", "expected"), COVER,
                         ids=["moved-in", "too-weak", "already-in", "same-best", "window-full"])
def test_each_concerns_best_item_has_a_place_on_the_first_page(fits: list[list[float]],
                                                               expected: list[int]) -> None:
    rows = [[0], [1], [2], [3]]
    got = cover(["a", "b", "c", "d"], rows, [np.array(f) for f in fits], window=2, pool=4,
                least=5.0)
    assert got == [["a", "b", "c", "d"][i] for i in expected]


def test_an_items_fit_is_its_best_tasks_and_only_the_pool_is_looked_at() -> None:
    fit = np.array([0.0, 0.0, 0.0, 9.0, 6.0])
    assert cover(["a", "b", "c"], [[0], [1], [2, 4]], [fit], 1, 3, 5.0) == ["c", "a", "b"]
    assert cover(["a", "b", "c"], [[0], [1], [2]], [np.array([0.0, 0.0, 9.0])], 1, 2,
                 5.0) == ["a", "b", "c"]


def test_the_likeness_mixes_the_whole_with_the_concern_most_like_it() -> None:
    matrix = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    vectors = {"第一件事说的是这个": np.array([1.0, 0.0]),
               "第二件事说的是那个": np.array([0.0, 1.0])}
    whole, concerns = likeness(matrix, np.array([0.5, 0.5]), vectors.__getitem__,
                               "第一件事说的是这个。第二件事说的是那个", 0.5)
    assert [c for c, _ in concerns] == list(vectors)
    assert whole[0] == pytest.approx(whole[1]) and whole[0] > whole[2]
    alone, none = likeness(matrix, np.array([1.0, 0.0]), vectors.__getitem__, "只有一件事要说", 0.5)
    assert none == [] and alone.tolist() == standard(matrix @ np.array([1.0, 0.0])).tolist()
