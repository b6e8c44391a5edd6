"""One Settings object, built once at the entry point and passed down.

Every value can be set by an environment variable with the ``POLICY_ASSISTANT_`` prefix
(nested sections with ``__``, e.g. ``POLICY_ASSISTANT_CORPUS__DIR``). Library code never
reads the environment itself.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import corpus


class CorpusSettings(BaseModel):
    dir: Path = Field(default_factory=corpus.default_dir)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="POLICY_ASSISTANT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    corpus: CorpusSettings = Field(default_factory=CorpusSettings)
    data_dir: Path = Path("data")
