"""POST /v1/match, GET /v1/measures and /v1/measures/labels over the real index; and the
command line's ``match`` and ``measures``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.firm_sides import side_rules
from core.settings import Settings
from indexing.measures.labels import Side, vocabulary
from tests.conftest import run_cli

PROFILE = {"description": "我们是一家冷链物流公司，有几十辆货车和冷库", "district": "东丽区",
           "size": "中型"}


def test_a_match_lists_support_and_requirements_with_their_places(client: TestClient) -> None:
    r = client.post("/v1/match", json=PROFILE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["profile"]["audience"] == ["logistics", "sme"]
    assert body["profile"]["read_from"] == "description+size"
    assert body["notes"] and "没有给出补贴或奖励的金额" in body["notes"][0]
    for key in ("support", "requirements"):
        items = body[key]
        assert 0 < len(items) <= 10
        assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
        for item in items:
            assert {"doc_id", "clause_no", "provision", "quote", "agencies", "lead_agency",
                    "audience", "kind", "labels", "not_stated", "ref", "also"} <= set(item)
            assert item["lead_agency"] == (item["agencies"][0] if item["agencies"] else None)
            assert all(t["doc_id"] != item["doc_id"] and t["quote"] for t in item["also"])
    support_kinds = {"fiscal", "tax", "finance_support", "price", "procurement", "standards",
                     "technology", "trade"}
    # a list holds a task its kinds put there, or one the side rules put there for a carrier
    # (a supplier: 推进多式联运 is an opportunity for it)
    for key, side, kinds in (("support", Side.SUPPORT, support_kinds),
                             ("requirements", Side.REQUIREMENT,
                              {"obligation", "ban", "audit", "disclosure"})):
        for i in body[key]:
            given = tuple(dict.fromkeys(s for k in i["kind"]
                                        if (s := vocabulary().side(k)) is not None))
            assert set(i["kind"]) & kinds or side in side_rules().sides(
                given, i["quote"], i["kind"], ("supplier",), True), i["ref"]
    district = [i for i in body["support"] + body["requirements"]
                if any("区人民政府" in a for a in i["agencies"])]
    assert all(any("东丽区人民政府" in n for n in i["not_stated"]) for i in district)


def test_the_limit_and_the_sector(client: TestClient) -> None:
    body = client.post("/v1/match", json={"description": "我们是一家企业", "sector": "酒店",
                                          "limit": 3}).json()
    assert body["profile"]["audience"] == ["hospitality"]
    assert len(body["support"]) <= 3 and len(body["requirements"]) <= 3
    assert body["requirements"] and "hospitality" in body["requirements"][0]["audience"]


@pytest.mark.parametrize(("body", "code", "message"), [
    ({}, "validation_error", "body.description: Field required"),
    ({"description": "   "}, "validation_error", "body.description: must hold some text"),
    ({"description": "x" * 2001}, "validation_error", "at most 2000 characters"),
    ({"description": "酒店", "sectr": "x"}, "validation_error", "body.sectr: Extra inputs"),
    ({"description": "酒店", "sector": "mining"}, "unknown_label",
     "unknown sector 'mining'; valid: energy, chemicals"),
    ({"description": "酒店", "size": "huge"}, "unknown_label",
     "unknown size 'huge'; valid: micro, small, medium, large"),
    ({"description": "酒店", "limit": 0}, "validation_error", "body.limit"),
], ids=["missing", "blank", "long", "extra", "sector", "size", "limit"])
def test_bad_profiles_get_a_clear_422(client: TestClient, body: dict[str, Any], code: str,
                                      message: str) -> None:
    r = client.post("/v1/match", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == code
    assert message in r.json()["error"]["message"]


def test_browse_by_sector_kind_and_document(client: TestClient) -> None:
    r = client.get("/v1/measures", params={"sector": "logistics", "kind": "ban"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == len(body["measures"]) > 0
    assert all("logistics" in m["audience"] and "ban" in m["kind"] for m in body["measures"])
    everything = client.get("/v1/measures").json()["count"]
    one_doc = client.get("/v1/measures", params={"doc": "tianjin-2022"}).json()
    assert 0 < one_doc["count"] < everything
    assert {m["doc_id"] for m in one_doc["measures"]} == {"tianjin-2022"}


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"kind": "subsidy"}, 422, "unknown_label"), ({"sector": "mining"}, 422, "unknown_label"),
    ({"doc": "nowhere"}, 404, "unknown_document")], ids=["kind", "sector", "doc"])
def test_browse_with_an_unknown_filter(client: TestClient, params: dict[str, str], status: int,
                                       code: str) -> None:
    r = client.get("/v1/measures", params=params)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


def test_the_labels_route_lists_the_vocabulary(client: TestClient) -> None:
    body = client.get("/v1/measures/labels").json()
    assert [a["id"] for a in body["audience"]][:3] == ["energy", "chemicals", "steel_materials"]
    assert {k["side"] for k in body["kind"]} == {"support", "requirement", "internal"}


def test_the_match_is_rate_limited(api_settings: Settings, api_assistant: Any) -> None:
    from ui.app import create_app

    server = api_settings.server.model_copy(update={"rate_limit_per_minute": 1,
                                                    "rate_limit_burst": 1})
    app = create_app(api_settings.model_copy(update={"server": server}), api_assistant)
    with TestClient(app) as limited:
        assert limited.post("/v1/match", json=PROFILE).status_code == 200
        r = limited.post("/v1/match", json=PROFILE)
        assert r.status_code == 429 and r.headers["Retry-After"]


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_settings(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_ASSISTANT_DATA_DIR", str(api_settings.data_dir))


@pytest.mark.usefixtures("cli_settings")
def test_cli_match_json_is_the_api_body(capsys: pytest.CaptureFixture[str],
                                        client: TestClient) -> None:
    code, out, _ = run_cli(capsys, "match", PROFILE["description"], "--size", "中型", "--json")
    assert code == 0
    body = json.loads(out)
    api = client.post("/v1/match", json={"description": PROFILE["description"],
                                         "size": "中型"}).json()
    assert body == api
    code, out, _ = run_cli(capsys, "match", PROFILE["description"])
    assert code == 0 and "支持措施" in out and "要求" in out
    code, _, err = run_cli(capsys, "match", "酒店", "--sector", "mining")
    assert code == 2 and "unknown sector 'mining'" in err


@pytest.mark.usefixtures("cli_settings")
def test_cli_measures_writes_the_reviewers_table(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    target = tmp_path / "catalogue.csv"
    code, _, err = run_cli(capsys, "measures", "--sector", "hospitality", "--csv", str(target))
    assert code == 0 and "written" in err
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all("hospitality" in r["audience"].split() for r in rows)
    assert {"ref", "audience", "kind", "source", "cues", "lead_agency", "text"} <= set(rows[0])


# -- the console's 适用政策 tab -----------------------------------------------------------------


def test_console_match_tab_shows_and_exports_the_match(api_assistant: Any,
                                                       tmp_path: Path) -> None:
    import openpyxl

    from ui.console_match import HEADERS, MatchTab

    tab = MatchTab(lambda: api_assistant, lambda: tmp_path)
    summary, table, csv_button, xlsx_button = tab.run(PROFILE["description"], "logistics")
    assert "按“交通物流" in summary and "支持措施" in summary
    rows = table["data"]
    assert rows and {r[0] for r in rows} == {"支持措施", "要求"}
    with Path(csv_button.value["path"]).open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [HEADERS, *rows]
    sheet = openpyxl.load_workbook(xlsx_button.value["path"]).active
    assert sheet is not None
    read = [["" if v is None else str(v) for v in r]
            for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert read == [[str(v) for v in r] for r in rows]
    assert tab.run("  ", "")[0] == "请输入企业简介。"
    assert tab.run("酒店", "mining")[0].startswith("无法查找：unknown sector 'mining'")
    # the place: home by default (the only one with no other place's plan loaded); another
    # name is said plainly, listing the valid ones
    assert tab.places().choices == [("本地（天津市）", "")]
    assert tab.run("酒店", "", "天津")[1] == tab.run("酒店", "")[1]
    assert tab.run("酒店", "", "北京")[0] == "无法查找：unknown place: 北京; valid: 天津市"
