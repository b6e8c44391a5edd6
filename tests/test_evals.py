"""The fixed question set and the evaluation harness."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import Served

from core.errors import CorpusError
from evals.baseline import _Regions, overlapping
from evals.questions import QUESTIONS_FILE, Question, Ref, load_questions, question_sets
from evals.report import write_retrieval_reports
from evals.retrieval import Scores, SystemResult, evaluate, place_of
from indexing.corpus import Corpus


@pytest.fixture(scope="module")
def questions(corpus: Corpus) -> tuple[Question, ...]:
    return load_questions(corpus)


def test_question_set_covers_what_the_issue_asks(corpus: Corpus,
                                                 questions: tuple[Question, ...]) -> None:
    assert len(questions) >= 200
    kinds = Counter(q.kind for q in questions)
    tianjin_ways: dict[int, set[str]] = {}
    for q in questions:
        if q.kind in ("paraphrase", "colloquial", "enterprise", "civil_servant"):
            for ref in q.gold:
                if ref.doc_id == "tianjin-2022" and ref.clause_no:
                    tianjin_ways.setdefault(ref.clause_no, set()).add(q.kind)
    assert all(len(tianjin_ways.get(n, set())) == 4 for n in range(1, 29)), tianjin_ways
    national = {(r.doc_id, r.clause_no) for q in questions if q.kind == "national"
                for r in q.gold}
    for doc_id in ("guofa-2021-4", "zhongfa-2021-36"):
        for clause in corpus.document(doc_id).clauses:
            assert (doc_id, clause.no) in national
    asked_agencies = {a for q in questions if q.kind == "agency" for a in q.agencies}
    assert asked_agencies == {a.name for a in corpus.registry}
    asked_targets = {(r.doc_id, r.clause_no) for q in questions if q.kind == "target"
                     for r in q.gold}
    assert {(t.doc_id, t.clause_no) for t in corpus.targets} <= asked_targets
    assert kinds["out_of_scope"] >= 20
    assert kinds["follow_up"] >= 15
    assert sum(1 for q in questions if q.lang == "en") >= 10
    assert all(q.refuse == (q.kind == "out_of_scope") for q in questions)


@pytest.mark.parametrize("line,message", [
    pytest.param('{"id": "x", "question": "q", "lang": "zh", "kind": "national", '
                 '"intent": "general", "gold": ["guofa-2021-4/31"], "refuse": false}',
                 "names no clause", id="clause-past-end"),
    pytest.param('{"id": "x", "question": "q", "lang": "zh", "kind": "national", '
                 '"intent": "general", "gold": ["tianjin-2022/9/6"], "refuse": false}',
                 "names no provision", id="provision-past-end"),
    pytest.param('{"id": "x", "question": "q", "lang": "zh", "kind": "national", '
                 '"intent": "general", "gold": ["nowhere/1"], "refuse": false}',
                 "unknown document", id="unknown-document"),
    pytest.param('{"id": "x", "question": "q", "lang": "zh", "kind": "oops", '
                 '"intent": "general", "gold": ["tianjin-2022/9"], "refuse": false}',
                 "unknown kind", id="unknown-kind"),
    pytest.param('{"id": "x", "question": "q", "lang": "zh", "kind": "out_of_scope", '
                 '"intent": "out_of_scope", "gold": ["tianjin-2022/9"], "refuse": true}',
                 "not refused", id="refused-with-gold"),
    pytest.param('{"id": "x", "question": "q", "lang": "zh", "kind": "agency", '
                 '"intent": "duties", "gold": ["tianjin-2022/9"], "agencies": ["发改委"], '
                 '"refuse": false}', "not a canonical agency name", id="alias-as-gold"),
    pytest.param('{"id": "x", "question": "q"}', "lang", id="missing-field"),
])
def test_bad_question_lines_name_file_and_line(tmp_path: Path, corpus: Corpus, line: str,
                                               message: str) -> None:
    path = tmp_path / "q.jsonl"
    good = ('{"id": "ok", "question": "q", "lang": "zh", "kind": "national", '
            '"intent": "general", "gold": ["guofa-2021-4/1"], "refuse": false}')
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_questions(corpus, path)
    assert str(err.value).startswith(f"{path}:2: ")
    assert message in str(err.value)


def test_question_sets_are_the_question_files_only(corpus: Corpus) -> None:
    """The CPU, latency and load evals ask every set's questions; the catalogue's gold files
    beside them are not question sets (they broke those evals when they arrived)."""
    sets = question_sets()
    names = {path.name for path in sets}
    assert {"questions.jsonl", "heldout.jsonl"} <= names
    assert not names & {"catalogue-sample.jsonl", "profiles.jsonl"}
    assert sets == sorted(sets) and QUESTIONS_FILE in sets
    for path in sets:
        assert load_questions(corpus, path)


def test_refs_parse() -> None:
    assert Ref.parse("tianjin-2022/9/5") == Ref("tianjin-2022", 9, None, 5)
    assert Ref.parse("zhongfa-2021-36/p2").place == ("zhongfa-2021-36", "p2")
    with pytest.raises(ValueError):
        Ref.parse("tianjin-2022")


def test_scores() -> None:
    s = Scores.of([1, 2, None, 6])
    assert (s.n, s.hit1, s.hit5, s.mrr10) == (4, 0.25, 0.5, (1 + 0.5 + 1 / 6) / 4)
    assert Scores.of([]) == Scores(0, 0.0, 0.0, 0.0)


def test_baseline_regions_map_offsets_to_clauses(corpus: Corpus, corpus_dir: Path) -> None:
    raw = (corpus_dir / "tianjin-2022-notice.txt").read_text(encoding="utf-8")
    regions = _Regions(corpus, "tianjin-2022", raw)
    start = raw.index("（九）打造绿色物流体系")
    assert regions.places(start, 20) == {"9"}
    assert regions.places(0, 10) == {"0"}
    # a chunk running from the end of （八） into （九） overlaps both
    assert regions.places(start - 30, 60) == {"8", "9"}
    raw_zf = (corpus_dir / "zhongfa-2021-carbon-peak-neutrality-opinions.txt").read_text(
        encoding="utf-8")
    zf = _Regions(corpus, "zhongfa-2021-36", raw_zf)
    assert zf.places(raw_zf.index("到2030年"), 10) == {"p2"}
    assert overlapping([{("a", "1")}, {("b", "2")}], frozenset({("b", "2")})) == 2
    assert overlapping([{("a", "1")}], frozenset({("b", "2")})) is None


def test_evaluate_ranks_follow_ups_with_their_context(questions: tuple[Question, ...]) -> None:
    pair = [q for q in questions if q.id in ("fu-01a", "fu-01b")]
    seen: list[tuple[str, str]] = []

    def retrieve(text: str, context: str) -> list[set[tuple[str, str]]]:
        seen.append((text, context))
        q = next(q for q in pair if q.question == text)
        return [{("nowhere", "0")}, set(q.places)]

    result = evaluate("stub", retrieve, pair)
    assert result.ranks == {"fu-01a": 2, "fu-01b": 2}
    assert seen == [(pair[0].question, ""), (pair[1].question, pair[0].question)]
    assert result.overall.hit1 == 0.0 and result.overall.mrr10 == 0.5


def test_hybrid_search_scores_on_a_slice(served: Served, questions: tuple[Question, ...],
                                         tmp_path: Path) -> None:
    """A real run of the harness on every tenth question; the full figures are in the report."""
    sample = [q for q in questions[::10] if not q.follows]
    from evals.retrieval import searcher_retrieve

    result = evaluate("hybrid", searcher_retrieve(served.searcher, "hybrid"), sample)
    answerable = [q for q in sample if not q.refuse]
    assert result.overall.n == len(answerable)
    assert set(result.ranks) == {q.id for q in answerable}
    assert result.overall.hit5 >= 0.8  # far below the measured 0.99: a broken search fails
    paths = write_retrieval_reports([result], {"questions": len(sample)}, tmp_path)
    assert [p.name for p in paths] == ["retrieval.md", "retrieval.json", "retrieval.png"]
    assert paths[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(paths[1].read_text(encoding="utf-8"))
    assert data["systems"][0]["name"] == "hybrid"
    assert "| hybrid |" in paths[0].read_text(encoding="utf-8")


def test_place_of_part_text(served: Served) -> None:
    chunk = next(c for c in served.index.chunks.values()
                 if c.doc_id == "zhongfa-2021-36" and c.clause_no is None and c.part_no == 2)
    assert place_of(chunk) == ("zhongfa-2021-36", "p2")


def test_system_result_is_plain_data() -> None:
    r = SystemResult("x", Scores.of([1]), {"k": Scores.of([1])}, {"q": 1}, 0.1)
    assert r.by_kind["k"].hit1 == 1.0
