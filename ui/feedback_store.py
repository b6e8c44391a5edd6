"""Where visitors' feedback on answers is kept: one table, through SQLAlchemy Core, so that
SQLite (the default, a file in the data directory) or any database SQLAlchemy reaches
(``settings.feedback.url``) holds it.

A record is the question, the answer text, the citations the visitor saw (document, clause,
task), the rating, an optional comment and the time (UTC). Nothing about the visitor is
stored: no address, no cookie, no user agent. Phone numbers, e-mail addresses and ID card
numbers typed into the question or the comment are masked before they are written
(``redact``).

Import this module lazily (it imports SQLAlchemy); the engine is made at the first use and
the table created if missing. Foreign exceptions become ``StoreError`` here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from core.errors import StoreError
from core.settings import FeedbackSettings

SQLITE_FILE = "feedback.sqlite3"
RATINGS = ("up", "down")
CSV_COLUMNS = ("id", "created", "rating", "question", "answer", "citations", "comment")
_PATTERNS = (  # what looks like personal data in free text, masked
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[邮箱]"),
    (re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), "[证件号]"),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "[手机号]"),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), "[电话]"),
)

_metadata = MetaData()
feedback_table = Table(
    "feedback", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", DateTime(timezone=True), nullable=False, index=True),
    Column("rating", String(8), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),  # JSON list of {doc_id, clause_no, provision}
    Column("comment", Text, nullable=False),
)


def redact(text: str) -> str:
    for pattern, mask in _PATTERNS:
        text = pattern.sub(mask, text)
    return text


@dataclass(frozen=True, slots=True)
class CitedPlace:
    doc_id: str
    clause_no: int | None
    provision: int | None


@dataclass(frozen=True, slots=True)
class Feedback:
    rating: str  # "up" or "down"
    question: str
    answer: str
    citations: tuple[CitedPlace, ...] = ()
    comment: str = ""


@dataclass(frozen=True, slots=True)
class StoredFeedback:
    id: int
    created: datetime
    feedback: Feedback


def database_url(settings: FeedbackSettings, data_dir: Path) -> str:
    url = settings.url.get_secret_value()
    return url or f"sqlite:///{(Path(data_dir) / SQLITE_FILE).resolve()}"


class FeedbackStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @classmethod
    def from_settings(cls, settings: FeedbackSettings, data_dir: Path) -> FeedbackStore:
        return cls(database_url(settings, data_dir))

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        try:
            if self._engine is None:
                if self.url.startswith("sqlite:///"):
                    Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True,
                                                                          exist_ok=True)
                engine = create_engine(self.url)
                _metadata.create_all(engine)
                self._engine = engine
            with self._engine.begin() as connection:
                yield connection
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"the feedback store failed: {type(exc).__name__}") from exc

    def add(self, feedback: Feedback, now: datetime | None = None) -> StoredFeedback:
        if feedback.rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {feedback.rating!r}")
        clean = Feedback(feedback.rating, redact(feedback.question), feedback.answer,
                         feedback.citations, redact(feedback.comment))
        created = now or datetime.now(UTC)
        with self._connect() as connection:
            result = connection.execute(insert(feedback_table).values(
                created=created, rating=clean.rating, question=clean.question,
                answer=clean.answer, comment=clean.comment,
                citations=json.dumps([[c.doc_id, c.clause_no, c.provision]
                                      for c in clean.citations])))
            key = result.inserted_primary_key
        return StoredFeedback(int(key[0]), created, clean)

    def recent(self, limit: int = 500) -> tuple[StoredFeedback, ...]:
        """The newest first."""
        query = select(feedback_table).order_by(feedback_table.c.id.desc()).limit(limit)
        with self._connect() as connection:
            rows = connection.execute(query).mappings().all()
        return tuple(_record(row) for row in rows)

    def counts(self) -> dict[str, int]:
        """How many of each rating."""
        query = select(feedback_table.c.rating, func.count()).group_by(feedback_table.c.rating)
        with self._connect() as connection:
            found = {str(r): int(n) for r, n in connection.execute(query).all()}
        return {rating: found.get(rating, 0) for rating in RATINGS}

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _record(row: Any) -> StoredFeedback:
    created = row["created"]
    if created.tzinfo is None:  # SQLite keeps no zone: it was written in UTC
        created = created.replace(tzinfo=UTC)
    places = tuple(CitedPlace(str(d), c, p) for d, c, p in json.loads(row["citations"]))
    return StoredFeedback(int(row["id"]), created, Feedback(
        row["rating"], row["question"], row["answer"], places, row["comment"]))


def place_text(c: CitedPlace) -> str:
    """DOC 9.5, DOC 9, DOC: document id, clause, task."""
    where = "" if c.clause_no is None else f" {c.clause_no}"
    return f"{c.doc_id}{where}{'' if c.provision is None else f'.{c.provision}'}"


def feedback_csv(records: Sequence[StoredFeedback]) -> str:
    """CSV text, header first (``CSV_COLUMNS``), the newest first as given."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        f = r.feedback
        writer.writerow([r.id, r.created.isoformat(timespec="seconds"), f.rating,
                         _cell(f.question), _cell(f.answer),
                         "; ".join(place_text(c) for c in f.citations), _cell(f.comment)])
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet opening the CSV must not run a visitor's text as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
