"""The policy texts and their metadata (documents.toml, agencies.toml) live in this folder.

It is a package only so that an installed copy can find its data; it holds no logic.
"""

from __future__ import annotations

from pathlib import Path


def default_dir() -> Path:
    return Path(__file__).resolve().parent
