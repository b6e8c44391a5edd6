"""The errors the assistant raises, one small hierarchy.

PolicyAssistantError
├── CorpusError              the corpus on disk is unusable
│   └── ParseError           a text does not parse: file and line
├── ConfigError              settings name something unusable (unknown backend, no model)
├── EmbeddingError           an embedder failed on input it should handle
├── SearchIndexError         the search index is missing, stale, or built differently
│   ├── IndexMismatch        built with another embedder: rebuild it
│   ├── IndexCorrupt         a file's checksum or the collection differs from the manifest
│   └── BuildRunning         another process holds the build lock: one build at a time
├── StoreError               the vector store failed (Chroma on disk or a server)
│   └── StoreUnavailable     it did not answer in time or cannot be reached: try later
└── BadInput                 the caller asked for something that does not exist
    ├── UnknownDocument
    ├── UnknownClause
    ├── UnknownAgency
    ├── UnknownPlace         a place whose documents the corpus does not hold (``valid``)
    ├── AmbiguousAgency      a name agencies of several jurisdictions have, none of them home
    ├── UnreadableDocument   a file given to `add` is no plan: empty, a scan with no text
    │   │                    layer, or a text that does not parse as a plan
    │   └── UnsupportedFormat  a suffix no reader takes (.doc, .xlsx …)
    ├── UnknownLabel         a sector or kind the measures catalogue does not have
    ├── DuplicateDocument    `add` with an id the corpus already has
    └── RemovalRefused       `remove` of the home document (without force), or of one another
                             document implements

Foreign exceptions are converted where they arise (``raise … from exc``). Entry points map
BadInput to exit status 2 / HTTP 4xx and everything else to 1 / 5xx.
"""

from __future__ import annotations

from pathlib import Path


class PolicyAssistantError(Exception):
    code = "internal_error"


class CorpusError(PolicyAssistantError):
    code = "corpus_error"


class ParseError(CorpusError):
    code = "parse_error"

    def __init__(self, file: Path | str, line: int, message: str) -> None:
        self.file = str(file)
        self.line = line
        self.message = message
        super().__init__(f"{self.file}:{line}: {message}")


class ConfigError(PolicyAssistantError):
    code = "config_error"


class EmbeddingError(PolicyAssistantError):
    code = "embedding_error"


class SearchIndexError(PolicyAssistantError):
    code = "index_error"


class IndexMismatch(SearchIndexError):
    code = "index_mismatch"


class IndexCorrupt(SearchIndexError):
    code = "index_corrupt"


class BuildRunning(SearchIndexError):
    code = "reindex_running"


class StoreError(PolicyAssistantError):
    code = "store_error"


class StoreUnavailable(StoreError):
    """Not a wrong answer but none: the store timed out, refused the connection, or the
    circuit breaker is open. ``retry_after`` is a hint in whole seconds."""

    code = "store_unavailable"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class BadInput(PolicyAssistantError):
    code = "bad_input"

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        self.message = message
        self.suggestions = suggestions
        text = message
        if suggestions:
            text += "; did you mean: " + ", ".join(suggestions)
        super().__init__(text)


class UnknownDocument(BadInput):
    code = "unknown_document"


class UnknownClause(BadInput):
    code = "unknown_clause"


class UnknownAgency(BadInput):
    code = "unknown_agency"


class UnknownPlace(BadInput):
    """A place named for a side of the corpus (``place=``) that is neither home nor a place
    whose plans the corpus holds. ``valid``: the places that may be named."""

    code = "unknown_place"

    def __init__(self, message: str, suggestions: tuple[str, ...],
                 valid: tuple[str, ...]) -> None:
        super().__init__(message, suggestions)
        self.valid = valid


class AmbiguousAgency(BadInput):
    """发改委 when two other jurisdictions' plans are loaded and home has none: which one.
    ``candidates``: (name, jurisdiction) of each agency the name may mean."""

    code = "ambiguous_agency"

    def __init__(self, query: str, candidates: tuple[tuple[str, str], ...]) -> None:
        self.query = query
        self.candidates = candidates
        listed = ", ".join(f"{name} ({where})" for name, where in candidates)
        super().__init__(f"{query} names agencies of {len(candidates)} jurisdictions; "
                         f"which one: {listed}")


class UnreadableDocument(BadInput):
    code = "unreadable_document"


class UnsupportedFormat(UnreadableDocument):
    code = "unsupported_format"


class UnknownLabel(BadInput):
    code = "unknown_label"


class DuplicateDocument(BadInput):
    code = "duplicate_document"


class RemovalRefused(BadInput):
    code = "removal_refused"
