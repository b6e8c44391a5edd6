"""Answer text from the parsed structure: templates (``templates/zh.toml``, ``en.toml``) filled
with clause labels, task texts and agency names, and citations numbered as they appear."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ConfigError
from core.model import Citation, Provision
from indexing.clause_refs import restarts
from indexing.corpus import Corpus

TEMPLATES_DIR = Path(__file__).with_name("templates")
_QUOTE_LIMIT = 200  # a whole-clause citation quotes its opening, never more than this


class Templates:
    def __init__(self, strings: dict[str, dict[str, str]]) -> None:
        self._strings = strings

    @classmethod
    def load(cls, directory: Path = TEMPLATES_DIR) -> Templates:
        strings = {}
        for lang in ("zh", "en"):
            path = directory / f"{lang}.toml"
            try:
                with path.open("rb") as fh:
                    strings[lang] = {k: str(v) for k, v in tomllib.load(fh).items()}
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{path}: invalid answer templates: {exc}") from exc
        missing = set(strings["zh"]) ^ set(strings["en"])
        if missing:
            raise ConfigError(f"answer templates differ between languages: {sorted(missing)}")
        return cls(strings)

    def get(self, lang: str, key: str, **values: object) -> str:
        return self._strings[lang][key].format(**values)


@dataclass
class Sources:
    """Citations in order of first use; citing the same place twice reuses its number."""

    corpus: Corpus
    citations: list[Citation] = field(default_factory=list)

    def provision(self, p: Provision) -> int:
        return self._add(p.doc_id, p.part_no, p.clause_no, p.index, p.text, p.agencies)

    def clause(self, doc_id: str, clause_no: int) -> int:
        clause = self.corpus.document(doc_id).clause(clause_no)
        assert clause is not None
        return self._add(doc_id, clause.part_no, clause_no, None, clause.text[:_QUOTE_LIMIT], ())

    def _add(self, doc_id: str, part_no: int, clause_no: int | None, provision: int | None,
             quote: str, agencies: tuple[str, ...]) -> int:
        for c in self.citations:
            if (c.doc_id, c.clause_no, c.provision, c.part) == \
                    (doc_id, clause_no, provision, self._part_heading(doc_id, part_no)):
                return c.n
        doc = self.corpus.document(doc_id)
        clause = doc.clause(clause_no) if clause_no is not None else None
        n = len(self.citations) + 1
        self.citations.append(Citation(
            n=n, doc_id=doc_id, doc_title=doc.meta.title, clause_no=clause_no,
            clause_label=clause.label if clause else None,
            clause_title=clause.title if clause else None,
            part=self._part_heading(doc_id, part_no), provision=provision, quote=quote,
            agencies=agencies, doc_short_title=doc.meta.short_title, part_no=part_no))
        return n

    def _part_heading(self, doc_id: str, part_no: int) -> str | None:
        part = self.corpus.document(doc_id).part(part_no)
        return part.heading if part else None


def where(corpus: Corpus, p: Provision, lang: str) -> str:
    """（九）打造绿色物流体系第5项 / 二、主要目标 — how an answer names a place."""
    doc = corpus.document(p.doc_id)
    if p.clause_no is None:
        part = doc.part(p.part_no)
        return part.heading if part else ""
    clause = doc.clause(p.clause_no)
    assert clause is not None
    if p.clause_no == 0:
        return "序言" if lang == "zh" else "preamble"
    item = f"第{p.index}项" if lang == "zh" else f", item {p.index}"
    part = doc.part(clause.part_no) if restarts(doc) else None
    # 三、（一）: where every part restarts at （一）, the clause alone does not say which
    return f"{part.label if part else ''}{clause.heading}{item}"
