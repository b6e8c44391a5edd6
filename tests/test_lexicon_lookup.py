"""Cue lookup by a question's stretches gives what searching for every cue gives.

``Tokens.of`` keeps every stretch of the question (up to eight characters) and a cue list
intersects its cues with them; a ``Tokens`` made without stretches is read the old way, each
cue searched for in the text. Both are asked here, over every cue list and the questions of
every question set: the same cues found, in the same order, at the same places."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.lexicon import Cues, Tokens, english, load
from evals.questions import question_sets
from indexing.corpus import Corpus
from indexing.lexical import Tokenizer

LEXICONS = ("asks", "documents", "references", "claims")


@pytest.fixture(scope="module")
def tokenizer(corpus: Corpus, corpus_dir: object) -> Tokenizer:
    return Tokenizer.for_corpus(corpus, corpus_dir)  # type: ignore[arg-type]


def questions() -> list[str]:
    import json

    out = dict.fromkeys(["谁来管岸电？", "Who leads green finance?", "牵头单位是谁", ""])
    for path in question_sets():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.setdefault(str(json.loads(line)["question"]), None)
    return list(out)


def cue_lists() -> list[Cues]:
    return [c for name in LEXICONS for c in load(name).values()]


def test_stretches_find_what_a_search_for_every_cue_finds(tokenizer: Tokenizer) -> None:
    lists = cue_lists()
    differ = []
    for question in questions():
        t = Tokens.of(question, tokenizer.segments(question), tokenizer.subwords(question))
        scanned = replace(t, stretches=frozenset())  # the old way: every cue searched for
        for cues in lists:
            fast = (cues(t), cues.found(t), sorted(cues.spans(t)))
            slow = (cues(scanned), cues.found(scanned), sorted(cues.spans(scanned)))
            if fast != slow:
                differ.append((question, cues.name, fast, slow))
    assert len(questions()) > 500 and sum(len(c.zh) for c in lists) > 500
    assert differ == []


@pytest.mark.parametrize(("cue", "text", "bounds", "subwords", "expected"), [
    ("谁", "谁负责", {0, 1, 3}, set(), True),  # on token boundaries
    ("负", "谁负责", {0, 1, 3}, set(), False),  # inside a token
    ("牵头", "牵头单位", {0, 4}, {"牵头", "单位"}, True),  # a word inside a longer token
    ("谁来管", "问谁来管这事", {0, 6}, set(), True),  # three characters: anywhere
    ("一二三四五六七八九", "问一二三四五六七八九", {0, 10}, set(), True),  # longer than a stretch
    ("一二三四五六七八九", "一二三四五六七八", {0, 8}, set(), False),
], ids=["bounds", "inside", "subword", "anywhere", "long-cue", "long-cue-absent"])
def test_a_cue_matches_as_the_lexicon_says(cue: str, text: str, bounds: set[int],
                                           subwords: set[str], expected: bool) -> None:
    cues = Cues("test", (cue,), (english("green finance"),))
    stretches = frozenset(text[i:i + n] for n in range(1, 9) for i in range(len(text) - n + 1))
    t = Tokens(text, frozenset(bounds), frozenset(subwords), stretches)
    assert cues(t) is expected
    assert cues.found(t) == ((cue,) if expected else ())
    assert cues(replace(t, stretches=frozenset())) is expected


def test_english_cues_match_whole_words_only() -> None:
    cues = Cues("test", (), (english("lead"),))
    assert cues(Tokens.of("who will lead it", ["who", " ", "will"], set()))
    assert not cues(Tokens.of("who is the leader", ["who"], set()))
    assert cues.spans(Tokens.of("lead and LEAD", [], set())) == [(0, 4), (9, 13)]


@pytest.mark.parametrize(("word", "everyday"), [
    ("数字", True), ("面积", True), ("集团", True), ("核电", False), ("乙烯", False),
    ("交易中心", False), ("餐厨", False),  # 餐厨 is no word of the general dictionary at all
])
def test_everyday_words_are_told_from_terms(tokenizer: Tokenizer, word: str,
                                            everyday: bool) -> None:
    # the threshold the check for a word one document lacks uses (answers/mention.py)
    from assistant.answers.mention import _EVERYDAY

    assert (tokenizer.frequency(word) > _EVERYDAY) is everyday
