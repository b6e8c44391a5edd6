"""``policy-assistant remove ID`` and indexing.catalogue on a copy of the corpus: an added
document removed leaves the corpus byte for byte as before; the home document only with
--force, a document another implements never, an unknown id with the nearest ones; and a
snapshot puts files back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import fingerprint, run_cli

from indexing.catalogue import FileSnapshot, split_entries
from indexing.corpus import DOCUMENTS_FILE, Corpus

EXTRA = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extra"





def test_add_then_remove_leaves_the_corpus_as_it_was(corpus_copy: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(corpus_copy)
    assert run_cli(capsys, "add", str(EXTRA / "jiangxi-2021-green.txt"), "--id", "jiangxi")[0] == 0
    assert "jiangxi.txt" in fingerprint(corpus_copy)
    code, out, err = run_cli(capsys, "remove", "jiangxi", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"doc_id": "jiangxi", "removed": True, "index": None,
                               "title": "关于加快建立健全绿色低碳循环发展经济体系的若干措施"}
    assert fingerprint(corpus_copy) == before
    assert [d.doc_id for d in Corpus.load(corpus_copy).documents] == \
        ["tianjin-2022", "guofa-2021-4", "zhongfa-2021-36"]


def test_remove_a_document_in_the_middle_keeps_the_others_byte_for_byte(
        corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = corpus_copy / DOCUMENTS_FILE
    head, entries = split_entries(listing.read_text(encoding="utf-8"))
    code, out, _ = run_cli(capsys, "remove", "zhongfa-2021-36")
    assert code == 0
    assert out.startswith("removed: zhongfa-2021-36 《中共中央 国务院关于")
    assert listing.read_text(encoding="utf-8") == head + entries[0] + entries[1].rstrip("\n") + "\n"
    assert not (corpus_copy / "zhongfa-2021-carbon-peak-neutrality-opinions.txt").exists()


@pytest.mark.parametrize("argv,message", [
    pytest.param(["remove", "tianjin-2022"], "tianjin-2022 is the home document of this "
                 "deployment (home = true in documents.toml); remove it with force", id="home"),
    pytest.param(["remove", "guofa-2021-4", "--force"], "guofa-2021-4 is implemented by "
                 "tianjin-2022 (their implements in documents.toml); remove those first",
                 id="implemented"),
    pytest.param(["remove", "guangxi"], "unknown document: guangxi; did you mean: "
                 "tianjin-2022, guofa-2021-4", id="unknown"),
])
def test_refused_removal_exits_2_and_changes_nothing(
        corpus_copy: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
        message: str) -> None:
    before = fingerprint(corpus_copy)
    assert run_cli(capsys, *argv) == (2, "", f"policy-assistant: {message}\n")
    assert fingerprint(corpus_copy) == before


def test_home_document_is_removed_with_force(corpus_copy: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "remove", "tianjin-2022", "--force")[0] == 0
    corpus = Corpus.load(corpus_copy)
    assert (corpus.home, [d.doc_id for d in corpus.documents]) == \
        (None, ["guofa-2021-4", "zhongfa-2021-36"])


def test_snapshot_restores_changed_and_new_files(tmp_path: Path) -> None:
    kept, new = tmp_path / "kept.txt", tmp_path / "new.txt"
    kept.write_text("before", encoding="utf-8")
    snapshot = FileSnapshot.take(kept, new)
    kept.write_text("after", encoding="utf-8")
    new.write_text("made", encoding="utf-8")
    snapshot.restore()
    assert (kept.read_text(encoding="utf-8"), new.exists()) == ("before", False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]
