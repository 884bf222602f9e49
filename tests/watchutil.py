"""Helpers for the watch tests: configs with feeds and detection settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.shared import example_config, shared_dir
from incident.config import AppConfig

ROOT = Path(__file__).resolve().parents[1]

SHARED = shared_dir()
FEEDS = SHARED / "data" / "feeds"


def make_config(**sections: Any) -> AppConfig:
    config: AppConfig = example_config(**sections)
    return config


def feed_file(name: str) -> bytes:
    return (FEEDS / name).read_bytes()
