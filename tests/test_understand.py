"""understand(question, history) -> Query, tested by a table (tests/data/understand.jsonl).

The rows were written as a specification, from the source texts and a description of the
Query fields only, by someone who had not seen the cue words or the code. Each row checks the
fields it gives and nothing else. A new way of asking is a row here and a cue in
assistant/lexicon/, never a branch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Served

from assistant.query import Query
from assistant.service import Assistant
from core.model import Turn
from indexing.corpus import Corpus

ROWS = [json.loads(line) for line in
        (Path(__file__).with_name("data") / "understand.jsonl").read_text("utf-8").splitlines()
        if line.strip()]


@pytest.fixture(scope="module")
def assistant(corpus: Corpus, served: Served) -> Assistant:
    return Assistant(corpus, served.searcher, served.settings.assistant)


def _fields(q: Query, expect: dict[str, Any]) -> dict[str, Any]:
    """The Query's value for each field the row gives, in the row's terms."""
    out: dict[str, Any] = {}
    for key in expect:
        if key == "ask":
            out[key] = q.ask.value
        elif key == "role":
            out[key] = q.role.value
        elif key == "docs":
            # what the question names, or inherits from the turn before
            out[key] = sorted(q.docs) if q.docs_named or q.follow_up else []
        elif key == "agencies":
            out[key] = sorted(q.agencies)
        elif key in ("unstated", "claims"):
            out[key] = sorted(getattr(q, key))
        elif key == "clauses":
            out[key] = sorted(c.clause_no for c in q.clauses)
        else:
            out[key] = getattr(q, key)
    return out


def _expected(expect: dict[str, Any]) -> dict[str, Any]:
    return {k: sorted(v) if isinstance(v, list) else v for k, v in expect.items()}


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_understanding(assistant: Assistant, row: dict[str, Any]) -> None:
    if "known_gap" in row:  # a row the rules do not meet yet, said so rather than dropped
        pytest.xfail(row["known_gap"])
    history = [Turn("user", text) for text in row.get("history", [])]
    query = assistant.understand(row["question"], history)
    assert _fields(query, row["expect"]) == _expected(row["expect"]), query.route


def test_the_table_covers_every_kind_of_ask() -> None:
    from assistant.query import Ask

    asked = {r["expect"]["ask"] for r in ROWS}
    assert asked == {a.value for a in Ask}
    assert len(ROWS) >= 200


def test_links_are_stored_checked_and_used(corpus: Corpus, assistant: Assistant) -> None:
    """corpus/links.toml: every Tianjin clause links to the 国发〔2021〕4号 clause on its theme
    (（九）打造绿色物流体系 → （十）打造绿色物流, as SOURCES.md notes), and the assistant reads
    them rather than searching again."""
    guofa = {no: other_no for doc, no, other, other_no in corpus.links
             if doc == "tianjin-2022" and other == "guofa-2021-4"}
    assert len(guofa) == len(corpus.document("tianjin-2022").clauses) == 28
    assert (guofa[9], guofa[1], guofa[28]) == (10, 1, 30)
    for no, other_no in guofa.items():
        mine = corpus.document("tianjin-2022").clause(no)
        theirs = corpus.document("guofa-2021-4").clause(other_no)
        assert mine is not None and theirs is not None
    assert assistant.links.counterparts("tianjin-2022", 9, ["guofa-2021-4"]) == [
        ("guofa-2021-4", 10)]
