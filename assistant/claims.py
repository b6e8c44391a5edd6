"""What a yes/no question supposes the documents do (取消, 强制, 禁止 …), as data
(``lexicon/claims.toml``), and whether the provisions an answer cites make that claim.

Retrieval finds the provisions on the subject; it cannot tell whether they say what the
question supposes. 居民阶梯电价是不是要取消了 finds the clause that keeps tiered prices: opening
that answer with "yes" would be wrong. A claim is made when one of its text forms stands in a
cited provision; otherwise the answer says the documents do not say so.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.lexicon import LEXICON_DIR
from core.errors import ConfigError

CLAIMS_FILE = LEXICON_DIR / "claims.toml"


@dataclass(frozen=True, slots=True)
class Claim:
    name: str
    text: tuple[str, ...]  # how a policy text makes the claim
    label_zh: str
    label_en: str
    # how a policy text denies it (严禁 … of 还能享受…吗): such a claim is checked for its
    # denial on what the question asks, never reported as not made
    denied_by: tuple[str, ...] = ()
    # claims that, asked too, are what the question asks (不允许 of 是不是不允许…: a ban)
    yields_to: tuple[str, ...] = ()
    # how a text shows it does not make the claim (倡导, 鼓励 of 必须…吗); where given, a claim
    # the provisions neither make nor so decline is left open: 每年向国务院报告 binds, unworded
    unmade_by: tuple[str, ...] = ()
    # what a plan leaves unsaid rather than rules out (a subsidy it does not give is one it
    # does not deny either): not made, the answer opens "not stated", not "no"
    unsaid: bool = False
    # a verb with an object (禁止…, 取消…): made only where what it governs is what the question
    # asks of (进一步淘汰分散燃煤锅炉 bans scattered boilers, not coal)
    governs: bool = False
    # a rule a text may make of some only (在…行业实施强制性…): see restricted_in
    scoped: bool = False

    def made_in(self, quotes: Iterable[str], about: Callable[[str], bool] | None = None
                ) -> bool:
        """A text form stands in a quote; for a claim that ``governs``, with ``about`` true
        of the stretch the form governs (see :func:`governed`), when ``about`` is given."""
        return any(form in quote and (about is None or not self.governs or any(
            about(stretch) for stretch in governed(quote, form)))
            for quote in quotes for form in self.text)

    def unmade_in(self, quotes: Iterable[str], about: Callable[[str], bool] | None = None
                  ) -> bool:
        """No provision makes the claim, and (where the claim says how a text declines it)
        one declines it, or makes it of something else (淘汰分散燃煤锅炉 of 禁煤)."""
        quotes = list(quotes)
        return not self.made_in(quotes, about) and (not self.unmade_by or any(
            form in quote for quote in quotes for form in (*self.unmade_by, *self.text)))

    def unsaid_in(self, quotes: Iterable[str]) -> bool:
        """Left unsaid rather than ruled out: an ``unsaid`` claim none of whose forms, nor
        of the wordings that decline it, stands in the quotes (塑料污染全链条治理 neither bans
        bags nor only encourages less use: 是不是全面禁用塑料袋 is not stated; 倡导…不主动提供
        and 淘汰分散燃煤锅炉 speak to it, and answer no)."""
        return self.unsaid and not any(form in quote for quote in quotes
                                       for form in (*self.text, *self.unmade_by))

    def restricted_in(self, quotes: Iterable[str]) -> bool:
        """Every quote that makes the claim makes it of some only: a condition or a scope
        stands before the form in its sentence (未纳入…规划的，一律不得…; 依法在…行业实施强制性…),
        which a claim of all (是不是所有企业都得…) does not survive."""
        made = [(quote, form) for quote in quotes for form in self.text if form in quote]
        return bool(made) and all(_RESTRICTED.search(before)
                                  for quote, form in made for before, _ in _uses(quote, form))

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@cache
def claims(path: Path = CLAIMS_FILE) -> dict[str, Claim]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return {name: Claim(name, tuple(entry["text"]), entry["label_zh"], entry["label_en"],
                            tuple(entry.get("denied_by", ())), tuple(entry.get("yields_to", ())),
                            tuple(entry.get("unmade_by", ())), bool(entry.get("unsaid", False)),
                            bool(entry.get("governs", False)), bool(entry.get("scoped", False)))
                for name, entry in data.items()}
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: invalid claims: {exc}") from exc


# a condition (…的，) or a scope (在…行业) that makes a rule one of some only
_RESTRICTED = re.compile(
    r"的，|在[^，。；]{1,24}(行业|领域|地区|区域|企业|项目)|具备条件|有条件的|重点")


_FUNCTION_CHARS = set("对在的和与及等将把被向从")


def _uses(quote: str, form: str) -> list[tuple[str, str]]:
    """Each use of ``form`` in ``quote``: what stands before it in its sentence, and what it
    governs (the rest of the sentence)."""
    out = []
    at = quote.find(form)
    while at >= 0:
        out.append((re.split(r"[。；]", quote[:at])[-1],
                    re.split(r"[。；]", quote[at + len(form):])[0]))
        at = quote.find(form, at + 1)
    return out


def governed(quote: str, form: str) -> list[str]:
    """What each use of ``form`` in ``quote`` governs: the rest of its sentence."""
    return [after for _, after in _uses(quote, form)]


def shares(stretch: str, question: str, rare: Callable[[str], bool] = lambda _: False) -> bool:
    """The stretch and the question have three characters in a row in common, two that are
    a rare word of the texts (乙烯), or most characters of the stretch's first phrase, in
    another order (煤炭散烧 of 烧散煤)."""
    phrase = set(re.split(r"[，、,]", stretch)[0]) - _FUNCTION_CHARS
    return any(stretch[i:i + 3] in question for i in range(len(stretch) - 2)) \
        or any(stretch[i:i + 2] in question and rare(stretch[i:i + 2])
               for i in range(len(stretch) - 1)) \
        or len(phrase & set(question)) >= max(3, 2 * len(phrase) / 3)


def denied(claim: Claim, question: str, quotes: Iterable[str],
           rare: Callable[[str], bool] = lambda _: False) -> bool:
    """A cited provision denies the claim on what the question asks: a denial form followed,
    in its sentence, by what the question also has (严禁…实施电价优惠 of 还能享受电价优惠吗;
    一律不得新建…乙烯 of 乙烯项目还能上吗: ``rare`` says which two characters are a rare word)."""
    return any(shares(tail, question, rare) for quote in quotes
               for form in claim.denied_by for tail in governed(quote, form))

