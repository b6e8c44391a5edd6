"""Source text with a line number for every character, and the normalisation the parser needs.

Texts extracted from PDFs break sentences (and agency names) across page breaks, sprinkle
spaces between Chinese characters and switch between full-width and half-width brackets.
Normalising them while keeping each character's source line lets parse errors point at the
line a human must fix.
"""

from __future__ import annotations

from dataclasses import dataclass

# Half-width punctuation that Chinese text means as full-width.
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ";": "；", ":": "：", "?": "？",
                             "!": "！"})
_SPACES = frozenset(" \t\f\v\u3000\u00a0")  # \f: a page break of pdftotext


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "/.-_")


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text and the 1-based source line of each of its characters."""

    text: str
    lines: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.text) != len(self.lines):
            raise ValueError("a span needs one line number per character")

    @classmethod
    def of_line(cls, text: str, line: int) -> Span:
        return cls(text, (line,) * len(text))

    def __len__(self) -> int:
        return len(self.text)

    def __add__(self, other: Span) -> Span:
        return Span(self.text + other.text, self.lines + other.lines)

    def __getitem__(self, key: slice) -> Span:
        return Span(self.text[key], self.lines[key])

    def line_at(self, index: int) -> int:
        if not self.lines:
            return 0
        return self.lines[min(max(index, 0), len(self.lines) - 1)]

    @property
    def first_line(self) -> int:
        return self.line_at(0)

    def strip(self) -> Span:
        start, end = 0, len(self.text)
        while start < end and self.text[start] in _SPACES:
            start += 1
        while end > start and self.text[end - 1] in _SPACES:
            end -= 1
        return self[start:end]

    def normalised(self) -> Span:
        """Full-width punctuation, and no spaces except between two ASCII words (DB/T 29)."""
        text = self.text.translate(_FULL_WIDTH)
        chars: list[str] = []
        lines: list[int] = []
        i, n = 0, len(text)
        while i < n:
            if text[i] in _SPACES:
                j = i
                while j < n and text[j] in _SPACES:
                    j += 1
                before = chars[-1] if chars else ""
                after = text[j] if j < n else ""
                if before and after and _is_ascii_word(before) and _is_ascii_word(after):
                    chars.append(" ")
                    lines.append(self.lines[i])
                i = j
                continue
            chars.append(text[i])
            lines.append(self.lines[i])
            i += 1
        return Span("".join(chars), tuple(lines))


def read_paragraphs(raw: str) -> list[Span]:
    """One span per non-blank source line, stripped and normalised."""
    out: list[Span] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        span = Span.of_line(line, number).normalised().strip()
        if span.text:
            out.append(span)
    return out
