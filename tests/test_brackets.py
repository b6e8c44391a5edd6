"""The cue table of responsibility brackets (indexing/brackets.toml), one row per form the plans
of this family use, and the layout rules (indexing/layout.toml) on crafted lines. Every
expected value is written out by hand from the bracket as printed."""

from __future__ import annotations

import pytest

from indexing.brackets import BracketCues, default_cues
from indexing.layout import read_lines

# content -> (names with the carried prefix, leads, standing names, and_others)
Row = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]

BRACKETS: list[tuple[str, Row]] = [
    ("市商务局、各区人民政府按职责分工负责",
     (("市商务局", "各区人民政府"), (), (), False)),
    ("自治区科技厅负责",
     (("自治区科技厅",), (), (), False)),
    ("责任单位：市发展改革委、市经济信息化委、市生态环境局",
     (("市发展改革委", "市经济信息化委", "市生态环境局"), (), (), False)),
    ("责任单位：市委组织部、市委党校（行政学院）、市发展改革委",
     (("市委组织部", "市委党校（行政学院）", "市发展改革委"), (), (), False)),
    ("市交通运输委、市发展改革委牵头，市工业和信息化局、天津港集团等按职责分工负责",
     (("市交通运输委", "市发展改革委", "市工业和信息化局", "天津港集团"),
      ("市交通运输委", "市发展改革委"), (), False)),
    ("省碳达峰碳中和工作领导小组办公室牵头，各设区市人民政府、各有关部门按职责分工负责",
     (("省碳达峰碳中和工作领导小组办公室", "各设区市人民政府", "各有关部门"),
      ("省碳达峰碳中和工作领导小组办公室",), (), False)),
    ("自治区发展改革委、工业和信息化厅、生态环境厅、市场监管局按职责分工负责",
     (("自治区发展改革委", "自治区工业和信息化厅", "自治区生态环境厅", "自治区市场监管局"),
      (), (), False)),
    ("自治区交通运输厅〔铁建办〕、发展改革委、工业和信息化厅，广西邮政管理局、中国铁路南宁局集团"
     "按职责分工负责",
     (("自治区交通运输厅〔铁建办〕", "自治区发展改革委", "自治区工业和信息化厅", "广西邮政管理局",
       "中国铁路南宁局集团"), (), (), False)),
    ("自治区财政厅、国资委、工业和信息化厅、市场监管局、发展改革委〔能源局〕按职责分工负责",
     (("自治区财政厅", "自治区国资委", "自治区工业和信息化厅", "自治区市场监管局",
       "自治区发展改革委〔能源局〕"), (), (), False)),
    ("自治区财政厅、发展改革委、水利厅、宁夏税务局负责",
     (("自治区财政厅", "自治区发展改革委", "自治区水利厅", "宁夏税务局"), (), (), False)),
    ("自治区交通运输厅、公安厅、民航宁夏监管局、宁夏邮政管理局负责",
     (("自治区交通运输厅", "自治区公安厅", "民航宁夏监管局", "宁夏邮政管理局"), (), (), False)),
    ("省交通运输厅、省发展改革委、南昌铁路局、省机场集团公司按职责分工负责",
     (("省交通运输厅", "省发展改革委", "南昌铁路局", "省机场集团公司"), (), (), False)),
    ("市工业和信息化局、市水务局等按职责分工负责，各区人民政府负责落实。以下均需各区人民政府落实，"
     "不再列出",
     (("市工业和信息化局", "市水务局", "各区人民政府"), (), ("各区人民政府",), False)),
    ("自治区工业和信息化厅、发展改革委、生态环境厅负责，各地级市人民政府、宁东管委会具体落实，"
     "以下任务不再列出",
     (("自治区工业和信息化厅", "自治区发展改革委", "自治区生态环境厅", "各地级市人民政府",
       "宁东管委会"), (), ("各地级市人民政府", "宁东管委会"), False)),
    ("省直各有关部门和各市、沈抚示范区按职责分工负责",
     (("省直各有关部门", "各市", "沈抚示范区"), (), (), False)),
    ("省碳达峰碳中和工作领导小组办公室，有关市、县〔区〕人民政府等按职责分工负责",
     (("省碳达峰碳中和工作领导小组办公室", "有关市、县〔区〕人民政府"), (), (), False)),
    ("责任单位：市发展改革委、市生态环境局、各有关部门和单位、各区",
     (("市发展改革委", "市生态环境局", "各有关部门和单位", "各区"), (), (), False)),
    ("市交通运输委、市商务局等部门和各区人民政府按职责分工负责",
     (("市交通运输委", "市商务局", "各区人民政府"), (), (), True)),
    ("市发展改革委等市级有关部门按职责分工负责",
     (("市发展改革委", "市级有关部门"), (), (), False)),
    ("国家发展改革委、工业和信息化部、生态环境部等按职责分工负责",
     (("国家发展改革委", "工业和信息化部", "生态环境部"), (), (), False)),
    ("各有关单位按职责分工负责",
     (("各有关单位",), (), (), False)),
]

BRACKET_IDS = [
    "an-zhize-fengong", "fuze-alone", "zeren-danwei-label", "nested-parenthesis-in-a-name",
    "two-leads-qiantou", "one-lead-qiantou-generic-rest", "prefix-carried", "comma-groups",
    "prefix-carried-past-annotation", "own-place-name-not-prefixed", "minhang-own-organisation",
    "city-name-not-prefixed", "standing-rule-yixia-junxu", "standing-rule-juti-luoshi",
    "he-ge-two-agencies", "shi-xian-kept-whole", "he-danwei-one-name", "deng-bumen-he",
    "deng-group-agency", "national-no-prefix", "generic-only",
]


@pytest.fixture(scope="module")
def cues() -> BracketCues:
    return default_cues()


@pytest.mark.parametrize("content,expected", BRACKETS, ids=BRACKET_IDS)
def test_responsibility_bracket(cues: BracketCues, content: str, expected: Row) -> None:
    found = cues.read(content)
    assert found is not None
    names = tuple(n.carried for n in found.names)
    leads = tuple(n.carried for n in found.names if n.lead)
    standing = tuple(n.carried for n in found.standing)
    assert (names, leads, standing, found.and_others) == expected


@pytest.mark.parametrize("content", [
    pytest.param("集群", id="cluster"),
    pytest.param("套", id="first-set"),
    pytest.param("油气化工码头除外", id="exception"),
    pytest.param("以下称“两高”项目", id="definition"),
    pytest.param("EOD", id="ascii-abbreviation"),
    pytest.param("2021—2025年", id="years"),
    pytest.param("各级政府要对本地区负责，加强统筹，确保落实到位。各部门负责", id="a-sentence"),
    pytest.param("责任单位：", id="label-without-names"),
])
def test_ordinary_parenthesis_is_no_bracket(cues: BracketCues, content: str) -> None:
    assert cues.read(content) is None


def test_written_name_is_kept_beside_the_carried_one(cues: BracketCues) -> None:
    found = cues.read("自治区发展改革委、工业和信息化厅按职责分工负责")
    assert found is not None
    assert [(n.written, n.carried) for n in found.names] == [
        ("自治区发展改革委", "自治区发展改革委"), ("工业和信息化厅", "自治区工业和信息化厅")]


# -- layout -----------------------------------------------------------------------------------

LAYOUT_CASES = [
    pytest.param("# id: x\n# title: y\n\n正文第一行\n", ["正文第一行"], [], id="comment-header"),
    pytest.param("第一段\n12\n第二段\n- 3 -\n— 4 —\n第3页\n", ["第一段", "第二段"], [],
                 id="page-numbers"),
    pytest.param("标题\n2021-09-15 11:15     来源：广西壮族自治区人民政府\n来源：新华社\n正文\n",
                 ["标题", "正文"], [], id="web-residue"),
    pytest.param("国务院关于印发方案的通知\n国务院关于印发方案的通知\n正文\n",
                 ["国务院关于印发方案的通知", "正文"], [], id="title-printed-twice"),
    pytest.param("正文。\n广西壮族自治区人民政府\n2021 年 9 月 12 日\n",
                 ["正文。"], ["广西壮族自治区人民政府", "2021年9月12日"], id="signature"),
    pytest.param("正文。\n宁夏回族自治区人民政府\n2021 年 12 月 31 日（此件公开发布）\n",
                 ["正文。"], ["宁夏回族自治区人民政府", "2021年12月31日（此件公开发布）"],
                 id="signature-with-note"),
    pytest.param("正文。\n到2025年，比2020年下降13.5%。\n",
                 ["正文。", "到2025年，比2020年下降13.5%。"], [], id="numbers-in-text-kept"),
    pytest.param("\f推进工作\f\n", ["推进工作"], [], id="form-feed-is-a-page-break"),
]


@pytest.mark.parametrize("raw,body,signature", LAYOUT_CASES)
def test_layout(raw: str, body: list[str], signature: list[str]) -> None:
    lines = read_lines(raw)
    assert [s.text for s in lines.body] == body
    assert [s.text for s in lines.signature] == signature


def test_layout_keeps_source_line_numbers() -> None:
    lines = read_lines("# header\n\n第一段\n12\n\n第二段\n")
    assert [(s.text, s.first_line) for s in lines.body] == [("第一段", 3), ("第二段", 6)]
    assert lines.dropped == 2
