"""Shared fixtures: the real corpus (parsed once), its agency registry, and a DocumentMeta
factory for crafted texts run through ``indexing.parser.parse_text``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.model import DocumentMeta, Level
from indexing.agencies import AgencyRegistry
from indexing.corpus import AGENCIES_FILE, Corpus

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"

MetaFactory = Callable[..., DocumentMeta]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR


@pytest.fixture(scope="session")
def corpus(corpus_dir: Path) -> Corpus:
    return Corpus.load(corpus_dir)


@pytest.fixture(scope="session")
def registry(corpus_dir: Path) -> AgencyRegistry:
    return AgencyRegistry.load(corpus_dir / AGENCIES_FILE)


@pytest.fixture
def meta() -> MetaFactory:
    """``meta()`` or ``meta(doc_id="x", level=Level.NATIONAL)``: metadata for a crafted text."""

    def make(doc_id: str = "crafted", level: Level = Level.MUNICIPAL,
             file: str = "crafted.txt") -> DocumentMeta:
        return DocumentMeta(
            doc_id=doc_id,
            title="测试文件",
            short_title="测试",
            issuer="测试机关",
            number=None,
            date="2022-01-01",
            published=None,
            level=level,
            implements=(),
            file=file,
            english_title="Crafted test document",
        )

    return make
