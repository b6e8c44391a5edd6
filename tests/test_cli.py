"""The command line, run in-process through ui.cli.main and once as the installed script."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Served

from ui.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_documents_lists_all_three_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "documents")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["编号", "tianjin-2022", "guofa-2021-4",
                                                   "zhongfa-2021-36"]
    # the title column starts at the same terminal column on every row
    from ui.render import width
    starts = {width(line[: line.index(title)]) for line, title in
              zip(lines, ["标题", "天津市加快", "国务院关于", "中共中央"], strict=True)}
    assert len(starts) == 1


def test_documents_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "documents", "--json")
    data = json.loads(out)
    assert code == 0
    assert [(d["doc_id"], d["parts"], d["clauses"], d["responsibility_brackets"])
            for d in data] == [("tianjin-2022", 8, 28, 97), ("guofa-2021-4", 8, 30, 0),
                               ("zhongfa-2021-36", 13, 37, 0)]
    assert data[0]["implements"] == ["guofa-2021-4"]
    assert data[1]["number"] == "国发〔2021〕4号"


def test_clause_shows_tasks_with_lead_agency(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "clause", "天津方案", "第九条")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "天津方案 （九）打造绿色物流体系"
    assert lines[1] == "三、构建绿色低碳循环发展的流通体系"
    assert ("[4] 实施天津港绿色智慧专业化码头科技示范工程，"
            "推进港口装卸、运输、仓储等关键环节升级改造。") in lines
    assert "    责任单位：天津港集团（牵头）" in lines


def test_clause_json_matches_interface(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "clause", "tianjin-2022", "9", "--json")
    data = json.loads(out)
    assert code == 0
    assert {k: data[k] for k in ("doc_id", "clause_no", "clause_label", "clause_title", "part")} \
        == {"doc_id": "tianjin-2022", "clause_no": 9, "clause_label": "（九）",
            "clause_title": "打造绿色物流体系", "part": "三、构建绿色低碳循环发展的流通体系"}
    fifth = data["provisions"][4]
    assert fifth["provision"] == 5
    assert fifth["text"] == ("新改扩建码头工程（油气化工码头除外）同步设计、建设岸电设施，"
                             "港作船舶岸电使用率达到100%。")
    assert fifth["agencies"] == ["市交通运输委", "天津海事局", "滨海新区人民政府", "天津港集团"]
    assert fifth["lead_agency"] == "市交通运输委"


def test_duties_resolves_alias_and_counts_roles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "duties", "天津港集团")
    assert code == 0
    assert out.splitlines()[1] == "共 3 项任务：牵头 1 项，配合 2 项"
    _, via_alias, _ = run(capsys, "duties", "发改委", "--json")
    _, via_name, _ = run(capsys, "duties", "市发展改革委", "--json")
    assert via_alias == via_name
    data = json.loads(via_name)
    assert data["agency"]["name"] == "市发展改革委"
    assert data["agency"]["kind"] == "city_department"
    assert all("市发展改革委" in d["agencies"] for d in data["duties"])
    assert {d["role"] for d in data["duties"]} == {"lead", "supporting"}


def test_duties_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "duties", "市税务局", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert len(rows) == 1
    assert (rows[0]["doc_id"], rows[0]["clause_no"], rows[0]["provision"], rows[0]["role"]) == \
        ("tianjin-2022", "22", "2", "lead")
    assert rows[0]["agencies"] == "市税务局、各区人民政府"


def test_targets_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "targets")
    assert code == 0
    assert any(line.split() == ["天津方案", "（二）", "2025", "非化石能源消费比重", "力争达到",
                                "11.5%以上"] for line in out.splitlines())
    _, js, _ = run(capsys, "targets", "--json")
    data = json.loads(js)
    assert len(data) == 23
    shore = next(t for t in data if t["indicator"] == "港作船舶岸电使用率")
    assert (shore["clause_label"], shore["display_value"], shore["year"]) == \
        ("（九）", "100%", None)


@pytest.mark.parametrize("argv,message", [
    pytest.param(["clause", "tianjin", "9"],
                 "policy-assistant: unknown document: tianjin; did you mean: tianjin-2022",
                 id="unknown-document"),
    pytest.param(["clause", "tianjin-2022", "29"],
                 "policy-assistant: tianjin-2022 has no clause 29: its clauses are 0 (preamble) "
                 "and 1…28 （一）…（二十八）; did you mean: 27, 28", id="clause-past-end"),
    pytest.param(["clause", "tianjin-2022", "九九"],
                 "policy-assistant: not a clause of tianjin-2022: '九九' (use 9, 九, （九） or "
                 "第九条, with its part 三、（九） or 3.9; 0 for the preamble)",
                 id="clause-not-a-number"),
    pytest.param(["duties", "市发展委"],
                 "policy-assistant: unknown agency: 市发展委; did you mean: 市发展改革委",
                 id="unknown-agency"),
    pytest.param(["duties", "市"], "policy-assistant: unknown agency: 市; did you mean: ",
                 id="ambiguous-agency"),
])
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                      message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(message)


def test_broken_corpus_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "corpus"
    shutil.copytree(CORPUS, broken)
    text = broken / "guofa-2021-4.txt"
    lines = text.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("（五）"))
    lines[number] = lines[number].replace("（五）", "（六）", 1)
    text.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("POLICY_ASSISTANT_CORPUS__DIR", str(broken))
    code, out, err = run(capsys, "documents")
    assert (code, out) == (1, "")
    assert err == (f"policy-assistant: {text}:{number + 1}: clause （六） is out of order: "
                   "expected clause 5\n")


def test_installed_script_exit_status() -> None:
    script = Path(sys.executable).parent / "policy-assistant"
    done = subprocess.run([str(script), "duties", "不存在的单位"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("policy-assistant: unknown agency: 不存在的单位")


def test_ask_and_chat_use_the_served_index(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch,
                                           served: Served, tmp_path: Path) -> None:
    monkeypatch.setenv("POLICY_ASSISTANT_DATA_DIR", str(served.settings.data_dir))
    code, out, err = run(capsys, "ask", "谁负责岸电建设？", "--json")
    answer = json.loads(out)
    assert (code, answer["intent"], answer["refused"]) == (0, "responsibility", False)
    assert answer["citations"][0]["lead_agency"] == "市交通运输委"
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"role": "user", "content": "谁负责岸电建设？"},
                                   {"role": "assistant", "content": answer["answer"]}],
                                  ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "ask", "这一条是第几条？", "--history", str(history))
    assert code == 0
    assert out.startswith("《天津方案》（九）打造绿色物流体系")
    history.write_text('[{"role": "user"}]', encoding="utf-8")
    code, out, err = run(capsys, "ask", "谁负责？", "--history", str(history))
    assert (code, out) == (2, "")
    assert "must be a JSON list of" in err
    # chat keeps the history: the second question is a follow-up of the first
    monkeypatch.setattr("sys.stdin", io.StringIO("谁负责岸电建设？\n这一条是第几条？\n\n"))
    code, out, err = run(capsys, "chat")
    assert code == 0
    assert out.count("[1]") >= 2
    assert "《天津方案》（九）打造绿色物流体系（三、构建绿色低碳循环发展的流通体系）" in out


def test_serve_refuses_workers_on_the_embedded_store(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICY_ASSISTANT_STORE__HOST", raising=False)
    assert run(capsys, "serve", "--workers", "2") == (
        2, "", "policy-assistant: --workers above 1 needs a Chroma server "
               "(POLICY_ASSISTANT_STORE__HOST): the embedded store can be opened by one "
               "process only\n")


def test_index_refuses_while_another_process_builds(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    from indexing.build_lock import build_lock

    monkeypatch.setenv("POLICY_ASSISTANT_DATA_DIR", str(tmp_path))
    with build_lock(tmp_path / "index"):  # held by this process's other open file
        code, out, err = run(capsys, "index")
    assert (code, out) == (1, "")
    assert err.startswith("policy-assistant: a build is already running (")
