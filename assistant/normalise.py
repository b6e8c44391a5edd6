"""What every question goes through first: compatibility forms folded (ＡＢＣ, full-width
digits, ㈠), invisible characters removed (zero-width spaces and joiners, BOM, soft hyphen,
bidi marks), whitespace collapsed. Without it 谁\u200b负责 would match nothing."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", text).strip()
