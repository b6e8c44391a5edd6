"""The answer cache: the same question after the same turns is answered as before, by the
same Assistant (one index generation); anything else is answered afresh."""

from __future__ import annotations

import pytest

from assistant.answer_cache import AnswerCache
from assistant.service import Assistant
from core.model import Answer, Intent, Turn
from core.settings import AssistantSettings


def made(text: str) -> Answer:
    return Answer(text, False, Intent.GENERAL)


class Counting:
    """A composer that says how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Answer:
        self.calls += 1
        return made(f"answer {self.calls}")


def test_the_same_question_after_the_same_turns_is_answered_once() -> None:
    cache, compute = AnswerCache(8, "settings"), Counting()
    first = cache.answer("谁负责岸电建设？", [], compute)
    assert cache.answer("谁负责岸电建设？", [], compute) is first
    assert compute.calls == 1 and (cache.hits, cache.misses) == (1, 1)


@pytest.mark.parametrize("other", [
    ("谁负责岸电建设?", []),  # another question, however close
    ("谁负责岸电建设？", [Turn("user", "港口呢？")]),  # other turns before it
    ("谁负责岸电建设？", [Turn("assistant", "谁负责岸电建设？")]),  # a turn's role counts
], ids=["question", "history", "role"])
def test_anything_else_is_answered_afresh(other: tuple[str, list[Turn]]) -> None:
    cache, compute = AnswerCache(8, "settings"), Counting()
    cache.answer("谁负责岸电建设？", [], compute)
    assert cache.answer(*other, compute).answer == "answer 2"


def test_the_settings_are_part_of_the_key() -> None:
    one, other = AnswerCache(8, "rrf"), AnswerCache(8, "weighted")
    assert one.key("q", []) != other.key("q", [])
    assert one.key("q", [Turn("user", "a")]) == AnswerCache(8, "rrf").key("q", [Turn("user", "a")])


def test_the_least_recently_used_answer_goes_first() -> None:
    cache, compute = AnswerCache(2, "s"), Counting()
    cache.answer("a", [], compute)
    cache.answer("b", [], compute)
    cache.answer("a", [], compute)  # a used again: b is now the oldest
    cache.answer("c", [], compute)
    assert len(cache) == 2
    assert cache.answer("a", [], compute).answer == "answer 1"
    assert cache.answer("b", [], compute).answer == "answer 4"


def test_size_zero_keeps_nothing_and_errors_are_not_kept() -> None:
    off, compute = AnswerCache(0, "s"), Counting()
    off.answer("a", [], compute)
    off.answer("a", [], compute)
    assert compute.calls == 2 and len(off) == 0

    cache = AnswerCache(8, "s")

    def failing() -> Answer:
        raise ValueError("store unavailable")

    with pytest.raises(ValueError):
        cache.answer("a", [], failing)
    assert cache.answer("a", [], compute).answer == "answer 3"


def test_an_assistant_answers_a_repeated_question_from_its_cache(assistant: Assistant) -> None:
    """The session's Assistant (its own cache, as one generation has): the second asking is the
    answer given the first time, the same object; a new Assistant over the same index (what a
    reindex serves) starts empty and answers it again, equal."""
    question = "谁负责岸电建设？"
    first = assistant.answer(question)
    assert assistant.answer(question) is first
    fresh = Assistant(assistant.corpus, assistant.searcher, assistant.settings)
    assert len(fresh.answers) == 0
    again = fresh.answer(question)
    assert again is not first and again == first
    off = Assistant(assistant.corpus, assistant.searcher,
                    AssistantSettings(answer_cache=0))
    assert off.answer(question) is not off.answer(question)
