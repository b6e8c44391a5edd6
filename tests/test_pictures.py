"""Pictures of the structure (ui.charts): what each shows is read back from the SVG's marks and
their data-* attributes and checked against the task table and the targets, not against
pixels; the HTTP routes that serve them, and the console's 图示 tab."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.division import (
    AgencyDivision,
    AgencyTask,
    Division,
    TaskRow,
    agency_division,
    division,
    matrix,
    partners,
)
from assistant.tasks import TaskTable
from core.model import Role
from indexing.corpus import Corpus
from ui import charts
from ui.console_pictures import PicturesTab
from ui.console_tabs import write_download

SVG_NS = "{http://www.w3.org/2000/svg}"


def marks(svg: str, attribute: str) -> list[ET.Element]:
    """The elements carrying ``data-<attribute>``, in document order."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img"
    return [e for e in root.iter() if e.get(f"data-{attribute}") is not None]


def shared_tasks(corpus: Corpus, agency: str) -> dict[str, tuple[int, int, int]]:
    """From the task table: each other agency named in a task with ``agency`` → (tasks, led by
    ``agency``, led by the other)."""
    out: dict[str, list[int]] = {}
    for p in TaskTable(corpus).select(agency=agency).tasks:
        for other in p.agencies:
            if other != agency:
                counts = out.setdefault(other, [0, 0, 0])
                counts[0] += 1
                counts[1] += agency in p.lead_agencies
                counts[2] += agency not in p.lead_agencies and other in p.lead_agencies
    return {name: (c[0], c[1], c[2]) for name, c in out.items()}


@pytest.mark.parametrize("query", ["发改委", "天津港集团", "市税务局"])
def test_partners_are_the_agencies_named_in_the_same_tasks(corpus: Corpus, query: str) -> None:
    agency = agency_division(corpus, query)
    found = partners(agency)
    assert {p.name: (p.tasks, p.agency_leads, p.partner_leads) for p in found} == \
        shared_tasks(corpus, agency.agency)
    assert [p.tasks for p in found] == sorted((p.tasks for p in found), reverse=True)


def test_the_partners_picture_shows_the_counts_of_the_task_table(corpus: Corpus) -> None:
    agency = agency_division(corpus, "发改委")
    expected = shared_tasks(corpus, agency.agency)
    svg = charts.partners_svg(agency, partners(agency), top=15)
    bars = marks(svg, "partner")
    assert len(bars) == 15 < len(expected)
    for bar in bars:
        name = bar.get("data-partner", "")
        tasks, led, partner_led = expected[name]
        assert (bar.get("data-tasks"), bar.get("data-agency-leads"),
                bar.get("data-partner-leads")) == (str(tasks), str(led), str(partner_led))
        texts = [t.text for t in bar.iter(f"{SVG_NS}text")]
        assert texts == [name, f"{tasks}项"]
        tips = [t.text for t in bar.iter(f"{SVG_NS}title")]
        shown = {"市发展改革委牵头": led, f"{name}牵头": partner_led,
                 "同为配合": tasks - led - partner_led}
        assert tips == [f"{name}：{role}{n}项" for role, n in shown.items() if n]
    most = max(expected.values())[0]
    assert bars[0].get("data-tasks") == str(most)
    title = ET.fromstring(svg).find(f"{SVG_NS}title")
    assert title is not None and title.text == "市发展改革委最常合作的部门"


def test_the_targets_picture_has_a_column_per_year_with_its_targets(corpus: Corpus) -> None:
    svg = charts.targets_svg(corpus)
    columns = marks(svg, "year")
    by_year = Counter("未定年份" if t.year is None else f"{t.year}年" for t in corpus.targets)
    assert [c.get("data-year") for c in columns] == sorted(
        by_year, key=lambda y: (y == "未定年份", y))
    for column in columns:
        year = column.get("data-year")
        assert column.get("data-count") == str(by_year[year])
        shown = [(m.get("data-doc"), m.get("data-indicator"), m.get("data-value"))
                 for m in column.iter() if m.get("data-indicator") is not None]
        assert sorted(shown) == sorted(
            (t.doc_id, t.indicator, t.display_value) for t in corpus.targets
            if ("未定年份" if t.year is None else f"{t.year}年") == year)
    assert sum(int(c.get("data-count", 0)) for c in columns) == len(corpus.targets)


def test_the_matrix_picture_has_the_cells_of_the_matrix(corpus: Corpus) -> None:
    div = division(corpus, "tianjin-2022")
    m = matrix(div)
    rows = marks(charts.matrix_svg(div), "agency")
    assert [r.get("data-agency") for r in rows] == list(m.agencies)
    labels = [c.label for c in m.clauses]
    for row in rows:
        agency = row.get("data-agency", "")
        cells = {c.get("data-clause"): (int(c.get("data-lead", 0)),
                                        int(c.get("data-supporting", 0)))
                 for c in row.iter() if c.get("data-clause") is not None}
        assert cells == {labels[j]: m.cell(agency, j) for j in range(len(labels))
                         if sum(m.cell(agency, j))}
        assert (int(row.get("data-lead", 0)), int(row.get("data-supporting", 0))) == (
            sum(lead for lead, _ in cells.values()), sum(sup for _, sup in cells.values()))
    port = next(r for r in rows if r.get("data-agency") == "天津港集团")
    assert (port.get("data-lead"), port.get("data-supporting")) == ("1", "2")


def test_pictures_escape_names_and_say_when_there_is_nothing(corpus: Corpus) -> None:
    evil = "<script>甲&乙</script>"
    row = TaskRow("x", "一、", 1, "（一）", "<b>标题</b>", 1, "任务", (evil,), ("丙",), False, 1)
    svg = charts.matrix_svg(Division("x", "测试", "测<i>试", None, (row,), True))
    assert not [e for e in ET.fromstring(svg).iter() if e.tag.endswith(("script", "b", "i"))]
    assert marks(svg, "agency")[0].get("data-agency") == evil
    lonely = AgencyDivision(evil, (AgencyTask("测试", row, Role.LEAD, ()),), ())
    empty = charts.partners_svg(lonely, partners(lonely))
    assert not marks(empty, "partner") and "没有与其他部门共同承担的任务。" in empty
    assert evil not in empty and "&lt;script&gt;" in empty
    none = charts.matrix_svg(division(corpus, "guofa-2021-4"))
    assert not marks(none, "agency") and "原文未列责任单位，没有分工矩阵。" in none


# -- HTTP -------------------------------------------------------------------------------------


def test_partners_route_counts_and_picture(client: TestClient, corpus: Corpus) -> None:
    body = client.get("/v1/agencies/发改委/partners").json()
    agency = agency_division(corpus, "发改委")
    assert body["agency"] == "市发展改革委"
    assert body["tasks"] == len(agency.lead) + len(agency.supporting)
    assert {p["name"]: (p["tasks"], p["agency_leads"], p["partner_leads"])
            for p in body["partners"]} == shared_tasks(corpus, "市发展改革委")
    assert all(p["neither_leads"] == p["tasks"] - p["agency_leads"] - p["partner_leads"]
               for p in body["partners"])
    picture = client.get("/v1/agencies/发改委/partners.svg")
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert picture.headers["content-disposition"].startswith(
        'inline; filename="partners.svg"; filename*=UTF-8\'\'')
    assert "default-src 'none'" in picture.headers["content-security-policy"]
    assert picture.text == charts.partners_svg(agency, partners(agency))
    assert [b.get("data-partner") for b in marks(picture.text, "partner")] == \
        [p["name"] for p in body["partners"][:15]]


@pytest.mark.parametrize(("path", "picture"), [
    ("/v1/targets/timeline.svg", lambda c: charts.targets_svg(c)),
    ("/v1/documents/tianjin-2022/matrix.svg",
     lambda c: charts.matrix_svg(division(c, "tianjin-2022"))),
], ids=["targets", "matrix"])
def test_picture_routes_serve_the_pictures(client: TestClient, corpus: Corpus, path: str,
                                           picture: object) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert callable(picture) and response.text == picture(corpus)
    head = client.head(path)
    assert (head.status_code, head.content) == (200, b"")


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/v1/agencies/不存在的局/partners", 404, "unknown_agency"),
    ("/v1/agencies/不存在的局/partners.svg", 404, "unknown_agency"),
    ("/v1/documents/nope/matrix.svg", 404, "unknown_document"),
], ids=["partners", "partners-svg", "matrix"])
def test_unknown_names_are_json_errors(client: TestClient, path: str, status: int,
                                       code: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code


# -- the console's 图示 tab ------------------------------------------------------------------


def test_console_pictures_tab_shows_and_offers_the_pictures(corpus: Corpus,
                                                            tmp_path: Path) -> None:
    tab = PicturesTab(lambda: corpus, lambda: tmp_path, write_download)
    assert tab.agencies().value == "市发展改革委"  # the agency with most tasks comes first
    html, download = tab.show_partners("发改委")
    agency = agency_division(corpus, "发改委")
    expected = charts.partners_svg(agency, partners(agency))
    assert expected in html
    saved = Path(download.value["path"])
    assert saved.name == "市发展改革委-合作部门.svg"
    assert saved.read_text(encoding="utf-8") == expected
    html, download = tab.show_targets()
    assert charts.targets_svg(corpus) in html
    assert Path(download.value["path"]).name == "量化目标-按年份.svg"
    assert tab.show_partners("")[0] == ""
