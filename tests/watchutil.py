"""Helpers for the watch tests: configs with feeds and detection settings."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from incident.config import AppConfig

ROOT = Path(__file__).resolve().parents[1]
from benchmarks.shared import shared_dir

SHARED = shared_dir()
FEEDS = SHARED / "data" / "feeds"


def make_config(**sections: Any) -> AppConfig:
    data = tomllib.loads((ROOT / "examples" / "incident.toml").read_text("utf-8"))
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return AppConfig.model_validate(data)


def feed_file(name: str) -> bytes:
    return (FEEDS / name).read_bytes()
