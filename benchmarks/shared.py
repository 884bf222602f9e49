"""Where the project's shared data lives (``../shared`` beside the
checkout, or ``$INCIDENT_SHARED_DIR``)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    candidates = [os.environ.get("INCIDENT_SHARED_DIR"), ROOT.parent / "shared", "/work/shared"]
    for c in candidates:
        if c and (Path(c) / "data").is_dir():
            return Path(c)
    raise SystemExit("the shared data folder was not found: put it beside the checkout (../shared) or set INCIDENT_SHARED_DIR")
