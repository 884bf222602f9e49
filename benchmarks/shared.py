"""Where the project's shared data lives (``../shared`` beside the
checkout, or ``$INCIDENT_SHARED_DIR``), and the example configuration with
sections replaced (benchmarks and tests)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    candidates = [os.environ.get("INCIDENT_SHARED_DIR"), ROOT.parent / "shared", "/work/shared"]
    for c in candidates:
        if c and (Path(c) / "data").is_dir():
            return Path(c)
    raise SystemExit(
        "the shared data folder was not found: put it beside the checkout (../shared) or set INCIDENT_SHARED_DIR"
    )


def example_config(**sections: Any) -> Any:
    """``examples/incident.toml`` as an :class:`incident.config.AppConfig`,
    with some sections replaced (a dict merges into a table)."""
    from incident.config import AppConfig  # here: shared_dir() must not need the package

    data = tomllib.loads((ROOT / "examples" / "incident.toml").read_text("utf-8"))
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return AppConfig.model_validate(data)
