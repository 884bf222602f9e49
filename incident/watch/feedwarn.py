"""Parser warnings, stored as text and translated when shown.

A warning is kept in ``Parsed.warnings`` (and in the source's health row,
a JSON list of strings) as a small JSON object ``{"key": …, "params": …}``
so that it can be shown in the reader's language later: :func:`warning_text`
turns one back into a sentence. Older rows hold plain English text; those
are shown as they are.
"""

from __future__ import annotations

import json
from typing import Any

from incident.i18n import CATALOG, t

REASON_MAX = 300


def warning(key: str, **params: Any) -> str:
    """One warning, as the text stored for it."""
    return json.dumps({"key": key, "params": params}, ensure_ascii=False, sort_keys=True)


def warning_parts(stored: str) -> tuple[str, dict[str, Any]] | None:
    """(key, params) of a stored warning; None for an old plain-text one."""
    if not stored.startswith("{"):
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("key") not in CATALOG or not isinstance(data.get("params"), dict):
        return None
    return data["key"], data["params"]


def warning_text(stored: str, lang: str) -> str:
    """A stored warning as a sentence in ``lang``."""
    parts = warning_parts(stored)
    return t(parts[0], lang, **parts[1]) if parts else stored
