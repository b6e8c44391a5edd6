"""The optional language model: it may make an answer's wording smoother, never its facts.

Chat models are chosen by name (``none``: no model, the default; ``openai-compatible``: any
OpenAI-style chat-completions endpoint such as vLLM, Ollama or a hosted service). A model is
a langchain-core ``BaseChatModel``; LangChain objects stay inside this module.

``Polisher.polish`` gives the model the question, the answer's sources numbered as its
citations and the extractive answer as a draft (prompts/system.txt, prompts/user.txt), then
checks what comes back against those sources before using it:

- it cites at least one source, and only with the numbers it was given ([n]);
- every clause label (（二十二）, 第二十二条, clause 22) is one of a cited source;
- every agency it names (canonical name, alias or English name) is an agency of a cited
  source or named in the sources' text;
- every number (integer, decimal, percentage, year) occurs in the sources or the draft.

If any check fails, or the model raises or times out, the extractive answer is returned
unchanged and a warning names the reason: a model never turns into a user-facing error.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from assistant.names import AgencyMatcher
from core.errors import ConfigError
from core.model import Answer, Citation
from indexing.corpus import Corpus
from indexing.numerals import parse_numeral

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from core.settings import LLMSettings

log = logging.getLogger("assistant.llm")

PROMPTS_DIR = Path(__file__).with_name("prompts")
_LANGUAGES = {"zh": "中文", "en": "英文（English）"}

ChatModelFactory: TypeAlias = "Callable[[LLMSettings], BaseChatModel | None]"


# -- chat models by name -------------------------------------------------------------------


def _no_model(settings: LLMSettings) -> BaseChatModel | None:
    return None


def _openai_compatible(settings: LLMSettings) -> BaseChatModel:
    missing = [env for value, env in ((settings.base_url, "POLICY_ASSISTANT_LLM__BASE_URL"),
                                      (settings.model, "POLICY_ASSISTANT_LLM__MODEL"))
               if not value.strip()]
    if missing:
        raise ConfigError("the openai-compatible chat model needs a base URL and a model name "
                          "(" + ", ".join(missing) + ")")
    try:
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr
    except ImportError as exc:
        raise ConfigError("the openai-compatible chat model needs the 'llm' extra: pip install "
                          "'policy-assistant[llm]'") from exc
    # vLLM and Ollama accept any key; the client insists on one being set.
    key = settings.api_key.get_secret_value() or "not-needed"
    return ChatOpenAI(base_url=settings.base_url, model=settings.model, api_key=SecretStr(key),
                      timeout=settings.timeout, temperature=settings.temperature,
                      max_retries=1)


_REGISTRY: dict[str, ChatModelFactory] = {
    "none": _no_model,
    "openai-compatible": _openai_compatible,
}


def register_chat_model(name: str, factory: ChatModelFactory) -> None:
    """Add a backend (tests register scripted models the same way real ones are registered)."""
    _REGISTRY[name] = factory


def chat_model_names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def get_chat_model(settings: LLMSettings) -> BaseChatModel | None:
    """The configured chat model, or None for ``none``."""
    factory = _REGISTRY.get(settings.backend)
    if factory is None:
        raise ConfigError(f"unknown chat model {settings.backend!r}; valid: "
                          + ", ".join(chat_model_names()))
    return factory(settings)


# -- prompts -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prompts:
    """prompts/system.txt, and prompts/user.txt with {question} {language} {sources} {draft}."""

    system: str
    user: str

    @classmethod
    def load(cls, directory: Path = PROMPTS_DIR) -> Prompts:
        try:
            system = (directory / "system.txt").read_text(encoding="utf-8").strip()
            user = (directory / "user.txt").read_text(encoding="utf-8").strip()
            user.format(question="", language="", sources="", draft="")
        except (OSError, KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"{directory}: invalid prompts: {exc!r}") from exc
        return cls(system, user)


def source_line(c: Citation) -> str:
    """[1] 《…》（九）打造绿色物流体系第5项：quote；责任单位：市交通运输委（牵头）、…"""
    if c.clause_no == 0:
        place = "序言"
    elif c.clause_no is not None:
        place = f"{c.clause_label or ''}{c.clause_title or ''}"
    else:
        place = c.part or ""
    item = f"第{c.provision}项" if c.provision is not None and c.clause_no != 0 else ""
    line = f"[{c.n}] 《{c.doc_title}》{place}{item}：{c.quote}"
    if c.agencies:
        line += f"；责任单位：{c.agencies[0]}（牵头）" + "".join(f"、{a}" for a in c.agencies[1:])
    return line


# -- checks --------------------------------------------------------------------------------

_THINK_RE = re.compile(r"<think>.*?</think>", re.DOTALL)
_MARKER_RE = re.compile(r"\[\s*(\d+(?:\s*[,、]\s*\d+)*)\s*\]")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(\s*%)?")
_LABEL_RE = re.compile(
    r"[（(]\s*(?P<a>[一二三四五六七八九十]{1,3})\s*[）)]"
    r"|第\s*(?P<b>[一二三四五六七八九十]{1,3}|\d{1,2})\s*条"
    r"|clause\s*[（(]?\s*(?P<c>\d{1,2})",
    re.IGNORECASE,
)


def _normalise(text: str) -> str:
    """Full-width digits, brackets and ％ as ASCII (NFKC), thousands separators dropped."""
    return _THOUSANDS_RE.sub("", unicodedata.normalize("NFKC", text))


def _markers(text: str) -> set[int]:
    return {int(n) for m in _MARKER_RE.finditer(text) for n in re.split(r"[,、]", m.group(1))}


def _canonical_number(value: str) -> str:
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value.lstrip("0") or "0"


def _numbers(text: str) -> set[tuple[str, bool]]:
    """(value, is a percentage) of every number in the text, markers left out."""
    text = _MARKER_RE.sub(" ", text)
    return {(_canonical_number(m.group(1)), bool(m.group(2))) for m in _NUMBER_RE.finditer(text)}


def _labels(text: str) -> list[tuple[str, int]]:
    """(as written, clause number) of every clause label: （二十二）, 第22条, clause 22."""
    out = []
    for m in _LABEL_RE.finditer(text):
        raw = m.group("a") or m.group("b") or m.group("c")
        try:
            no = int(raw) if raw.isdigit() else parse_numeral(raw)  # int() reads full width
        except ValueError:
            continue
        out.append((m.group(0), no))
    return out


def _citing(numbers: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in sorted(numbers))


class Polisher:
    """Rewords non-refused answers with citations; keeps the extractive answer whenever the
    model's text says anything its sources do not."""

    def __init__(self, model: BaseChatModel, corpus: Corpus,
                 prompts: Prompts | None = None) -> None:
        self.model = model
        self.corpus = corpus
        self._agencies = AgencyMatcher(corpus)
        self.prompts = prompts or Prompts.load()

    @classmethod
    def from_settings(cls, settings: LLMSettings, corpus: Corpus) -> Polisher | None:
        """None when the backend is ``none``."""
        model = get_chat_model(settings)
        return None if model is None else cls(model, corpus)

    def prompt(self, question: str, lang: str, answer: Answer) -> tuple[str, str]:
        """The system and user messages, as sent."""
        user = self.prompts.user.format(
            question=question, language=_LANGUAGES.get(lang, lang),
            sources="\n".join(source_line(c) for c in answer.citations), draft=answer.answer)
        return self.prompts.system, user

    def polish(self, question: str, lang: str, answer: Answer) -> Answer:
        if answer.refused or not answer.citations:
            return answer
        from langchain_core.messages import HumanMessage, SystemMessage

        system, user = self.prompt(question, lang, answer)
        try:
            reply = self.model.invoke([SystemMessage(system), HumanMessage(user)])
            text = _THINK_RE.sub("", reply.text).strip()
        except Exception as exc:  # a model must never become a user-facing error
            log.warning("language model failed, keeping the extractive answer: %s: %s",
                        type(exc).__name__, exc)
            return answer
        problem = self.check(text, answer)
        if problem is not None:
            log.warning("language model output rejected, keeping the extractive answer: %s",
                        problem)
            return answer
        return replace(answer, answer=text)

    def check(self, text: str, answer: Answer) -> str | None:
        """None if the text says nothing its sources do not; else the first reason why."""
        if not text.strip():
            return "the output is empty"
        given = {c.n for c in answer.citations}
        norm = _normalise(text)
        cited = _markers(norm)
        if not cited:
            return "the output cites no source (no [n] marker)"
        unknown = sorted(cited - given)
        if unknown:
            return f"the output cites {_citing(unknown)}, but the sources are {_citing(given)}"

        sources = "\n".join([answer.answer, *(source_line(c) for c in answer.citations)])
        source_norm = _normalise(sources)

        clauses = {c.clause_no for c in answer.citations if c.clause_no}
        clauses |= {no for _, no in _labels(sources)}
        for written, no in _labels(text):
            if no not in clauses:
                return f"{written} is not a cited clause"

        agencies = {a for c in answer.citations for a in c.agencies}
        agencies |= set(self._agencies.find(sources))
        for agency in self._agencies.find(text):
            if agency not in agencies:
                return f"agency {agency} is not an agency of the cited sources"

        allowed = _numbers(source_norm)
        allowed |= {(str(n), False) for c in answer.citations
                    for n in (c.clause_no, c.provision) if n is not None}
        values = {v for v, _ in allowed}
        for value, percent in sorted(_numbers(norm)):
            if (value, percent) not in allowed and (percent or value not in values):
                shown = value + ("%" if percent else "")
                return f"number {shown} is not in the sources"
        return None
