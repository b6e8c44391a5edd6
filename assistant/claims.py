"""What a yes/no question supposes the documents do (取消, 强制, 禁止 …), as data
(``lexicon/claims.toml``), and whether the provisions an answer cites make that claim.

Retrieval finds the provisions on the subject; it cannot tell whether they say what the
question supposes. 居民阶梯电价是不是要取消了 finds the clause that keeps tiered prices: opening
that answer with "yes" would be wrong. A claim is made when one of its text forms stands in a
cited provision; otherwise the answer says the documents do not say so.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
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

    def made_in(self, quotes: Iterable[str]) -> bool:
        return any(form in quote for quote in quotes for form in self.text)

    def unmade_in(self, quotes: Iterable[str]) -> bool:
        """No provision makes the claim, and (where the claim says how a text declines it)
        one declines it."""
        quotes = list(quotes)
        return not self.made_in(quotes) and (not self.unmade_by or any(
            form in quote for quote in quotes for form in self.unmade_by))

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@cache
def claims(path: Path = CLAIMS_FILE) -> dict[str, Claim]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return {name: Claim(name, tuple(entry["text"]), entry["label_zh"], entry["label_en"],
                            tuple(entry.get("denied_by", ())), tuple(entry.get("yields_to", ())),
                            tuple(entry.get("unmade_by", ())), bool(entry.get("unsaid", False)))
                for name, entry in data.items()}
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: invalid claims: {exc}") from exc


def denied(claim: Claim, question: str, quotes: Iterable[str]) -> bool:
    """A cited provision denies the claim on what the question asks: a denial form followed,
    in its sentence, by three characters the question also has (严禁…实施电价优惠 of
    还能享受电价优惠吗)."""
    for quote in quotes:
        for form in claim.denied_by:
            at = quote.find(form)
            while at >= 0:
                tail = quote[at + len(form):].split("。")[0]
                if any(tail[i:i + 3] in question for i in range(len(tail) - 2)):
                    return True
                at = quote.find(form, at + 1)
    return False

