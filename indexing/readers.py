"""Read a document file into plain text, one reader per format, chosen by suffix.

| suffix         | reader                                   |
|----------------|------------------------------------------|
| .txt           | UTF-8 (a BOM is dropped)                 |
| .pdf           | the text layer, with pypdf               |
| .docx          | the paragraphs, with python-docx         |
| .html, .htm    | the text of the page, with BeautifulSoup |

Each library is imported inside its reader. Whatever the format, the text comes out as lines
the parser reads like a .txt; a file that gives no text (an empty file, a scanned PDF without
a text layer) or a broken file raises UnreadableDocument, converted from the library's own
exception; an unknown suffix raises UnsupportedFormat (one kind of UnreadableDocument).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from core.errors import UnreadableDocument, UnsupportedFormat

# Fewer visible characters per page than this: a scan without a text layer.
MIN_CHARS_PER_PAGE = 20
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
           "table", "blockquote", "pre", "title")
_HIDDEN = ("script", "style", "noscript", "template", "head")

Reader = Callable[[Path], str]


def read_txt(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"{path}: not UTF-8 text: {exc.reason} at byte "
                                 f"{exc.start}") from exc


def read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableDocument(f"{path}: not a readable PDF: {exc}") from exc
    visible = sum(len("".join(p.split())) for p in pages)
    if pages and visible < MIN_CHARS_PER_PAGE * len(pages):
        raise UnreadableDocument(
            f"{path}: the PDF has no text layer ({visible} characters on {len(pages)} pages); "
            "it is probably a scan: run OCR on it first")
    return "\n".join(pages)


def read_docx(path: Path) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(f"{path}: not a readable .docx: {exc}") from exc
    return "\n".join(p.text for p in document.paragraphs)


def read_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_txt(path), "html.parser")
    for tag in soup.find_all(_HIDDEN):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.append("\n")
    return soup.get_text()


READERS: dict[str, Reader] = {
    ".txt": read_txt,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}


def read_document(path: Path) -> str:
    """The text of a document file, or UnreadableDocument saying why there is none."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnsupportedFormat(
            f"{path}: cannot read {path.suffix or 'a file without a suffix'}: the formats are "
            + ", ".join(sorted(READERS)))
    if not path.is_file():
        raise UnreadableDocument(f"{path}: no such file")
    text = reader(path)
    if not "".join(text.split()):
        raise UnreadableDocument(f"{path}: the file is empty")
    return text
