"""Follow-ups that point into the list the answer before gave: the first clause listed, the
task named by its words, the rest of a clause, an agency's tasks narrowed to a subject, and
who works towards a target the goals clause states without agencies."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from tests.conftest import cited_places, talk


@pytest.mark.parametrize(("turns", "place", "named"), [
    # the first clause listed, not clause （一）: every task of it with its agencies
    (("第五部分包括哪几条", "第二条谁牵头"), ("tianjin-2022", 15), "市水务局"),
    # a task of the list named by its words
    (("市商务局牵头的任务有哪些", "绿色商场那项还有谁参与"), ("tianjin-2022", 5), "各区人民政府"),
    # the agency's tasks in a clause named by its subject, then the one it does not lead
    (("市发展改革委牵头几项任务", "其中能源体系那条里它牵头几项", "剩下的那项谁牵头"),
     ("tianjin-2022", 14), "市生态环境局"),
], ids=["ordinal-of-list", "item-by-name", "rest-of-clause"])
def test_follow_up_into_a_list(assistant: Assistant, turns: tuple[str, ...],
                               place: tuple[str, int], named: str) -> None:
    answer = talk(assistant, *turns)
    assert not answer.refused
    assert cited_places(answer) == {place}, answer.answer
    assert named in answer.answer


def test_a_count_narrowed_to_a_subject_says_so(assistant: Assistant) -> None:
    answer = assistant.answer("市商务局牵头的再生资源任务有几项")
    assert "与“再生资源”有关的任务共3项" in answer.answer
    assert cited_places(answer) == {("tianjin-2022", 10)}


def test_the_agency_name_is_no_subject(assistant: Assistant) -> None:
    answer = assistant.answer("How many tasks does the market regulation commission lead?")
    assert " on “" not in answer.answer.splitlines()[0]


def test_who_works_towards_a_goal_without_agencies(assistant: Assistant) -> None:
    answer = talk(assistant, "方案对空气优良天数比例定了多少目标？", "这个由哪个部门负责？")
    assert any(c.agencies for c in answer.citations), answer.answer
