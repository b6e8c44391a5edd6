"""A clause as people write it (indexing/clause_refs.toml): each form parsed, and resolved
against a document whose numbering runs on (the Tianjin plan) and one whose numbering restarts
in each part (the Tianjin energy-saving plan of the shared extra corpus); what does not name a
clause is one clear error saying which forms the document takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.errors import UnknownClause
from core.model import Document
from indexing.agencies import AgencyRegistry
from indexing.clause_refs import ClauseRef, find_clause, parse_clause_ref
from indexing.corpus import Corpus
from indexing.ingest import inspect

EXTRA = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extra"
RESTARTS = "tianjin-2022-energy-saving"
CONTINUOUS = "tianjin-2022"
RESTART_FORMS = ("write the part and the clause: 三、（一）, 三（一）, 3.1 or the id 301 "
                 "(part × 100 + clause); 0 for the preamble")
CONTINUOUS_FORMS = ("use 9, 九, （九） or 第九条, with its part 三、（九） or 3.9; 0 for the "
                    "preamble")


@pytest.mark.parametrize("text,expected", [
    pytest.param("9", ClauseRef("id", id=9), id="id"),
    pytest.param("0", ClauseRef("id", id=0), id="preamble"),
    pytest.param("301", ClauseRef("id", id=301), id="restart-id"),
    pytest.param(" 22 ", ClauseRef("id", id=22), id="spaces"),
    pytest.param("九", ClauseRef("label", clause=9), id="numeral"),
    pytest.param("（二十二）", ClauseRef("label", clause=22), id="full-width-label"),
    pytest.param("(二十二)", ClauseRef("label", clause=22), id="half-width-label"),
    pytest.param("第二十二条", ClauseRef("label", clause=22), id="article"),
    pytest.param("第9条", ClauseRef("label", clause=9), id="article-digits"),
    pytest.param("三、（一）", ClauseRef("part and clause", part=3, clause=1), id="part-label"),
    pytest.param("三（一）", ClauseRef("part and clause", part=3, clause=1), id="no-comma"),
    pytest.param("三、(一)", ClauseRef("part and clause", part=3, clause=1), id="half-width"),
    pytest.param("第三部分（一）", ClauseRef("part and clause", part=3, clause=1), id="部分"),
    pytest.param("3（1）", ClauseRef("part and clause", part=3, clause=1), id="digits-label"),
    pytest.param("3.1", ClauseRef("dotted", part=3, clause=1), id="dotted"),
    pytest.param("3．10", ClauseRef("dotted", part=3, clause=10), id="full-width-dot"),
    pytest.param("３.１", ClauseRef("dotted", part=3, clause=1), id="full-width-digits"),
    pytest.param("3-1", ClauseRef("dotted", part=3, clause=1), id="dash"),
    pytest.param("九九", None, id="not-a-numeral"),
    pytest.param("nine", None, id="english"),
    pytest.param("3.1.2", None, id="three-levels"),
    pytest.param("", None, id="empty"),
])
def test_parse(text: str, expected: ClauseRef | None) -> None:
    assert parse_clause_ref(text) == expected


@pytest.fixture(scope="module")
def documents(corpus: Corpus, registry: AgencyRegistry) -> dict[str, Document]:
    restarting = inspect(EXTRA / f"{RESTARTS}.txt", registry).document
    return {RESTARTS: restarting, CONTINUOUS: corpus.document(CONTINUOUS)}


@pytest.mark.parametrize("doc_id,text,no", [
    pytest.param(RESTARTS, "301", 301, id="restart-id"),
    pytest.param(RESTARTS, "三、（一）", 301, id="restart-part-label"),
    pytest.param(RESTARTS, "三（一）", 301, id="restart-no-comma"),
    pytest.param(RESTARTS, "3.1", 301, id="restart-dotted"),
    pytest.param(RESTARTS, "3.10", 310, id="restart-dotted-10"),
    pytest.param(RESTARTS, "四、（八）", 408, id="restart-part-4"),
    pytest.param(RESTARTS, "（十）", 310, id="restart-label-only-once"),
    pytest.param(RESTARTS, "0", 0, id="restart-preamble"),
    pytest.param(CONTINUOUS, "9", 9, id="id"),
    pytest.param(CONTINUOUS, "第九条", 9, id="article"),
    pytest.param(CONTINUOUS, "三、（九）", 9, id="part-label"),
    pytest.param(CONTINUOUS, "3.9", 9, id="dotted"),
])
def test_find(documents: dict[str, Document], doc_id: str, text: str, no: int) -> None:
    assert find_clause(documents[doc_id], text).no == no


@pytest.mark.parametrize("doc_id,text,message", [
    pytest.param(RESTARTS, "（一）", f"{RESTARTS} has （一） in 3 parts ({RESTART_FORMS}); did you "
                 "mean: 301, 401, 501", id="ambiguous-label"),
    pytest.param(RESTARTS, "9", f"{RESTARTS} has no clause 9: its clause ids run 301…503 "
                 f"({RESTART_FORMS}); did you mean: 301, 302", id="restart-unknown-id"),
    pytest.param(RESTARTS, "六、（一）", f"{RESTARTS} has no clause 六、（一） ({RESTART_FORMS})",
                 id="no-such-part"),
    pytest.param(RESTARTS, "nine", f"not a clause of {RESTARTS}: 'nine' ({RESTART_FORMS})",
                 id="restart-not-a-clause"),
    pytest.param(CONTINUOUS, "三、（一）", f"{CONTINUOUS} has no clause 三、（一） "
                 f"({CONTINUOUS_FORMS})", id="label-in-another-part"),
    pytest.param(CONTINUOUS, "九九", f"not a clause of {CONTINUOUS}: '九九' ({CONTINUOUS_FORMS})",
                 id="not-a-numeral"),
    pytest.param(CONTINUOUS, "29", f"{CONTINUOUS} has no clause 29: its clauses are 0 "
                 "(preamble) and 1…28 （一）…（二十八）; did you mean: 27, 28", id="past-end"),
])
def test_unknown(documents: dict[str, Document], doc_id: str, text: str, message: str) -> None:
    with pytest.raises(UnknownClause) as caught:
        find_clause(documents[doc_id], text)
    assert str(caught.value) == message


@pytest.mark.parametrize("no,status,field", [
    pytest.param("三、（九）", 200, 9, id="part-label"),
    pytest.param("第九条", 200, 9, id="article"),
    pytest.param("3.9", 200, 9, id="dotted"),
    pytest.param("nine", 404, f"not a clause of {CONTINUOUS}: 'nine' ({CONTINUOUS_FORMS})",
                 id="not-a-clause"),
])
def test_clause_route_takes_the_forms(client: TestClient, no: str, status: int,
                                      field: int | str) -> None:
    response = client.get(f"/v1/documents/{CONTINUOUS}/clauses/{no}")
    assert response.status_code == status
    body = response.json()
    if status == 200:
        assert body["clause_no"] == field
    else:
        assert body == {"error": {"code": "unknown_clause", "message": field}}
