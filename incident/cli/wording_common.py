"""What the wording CLI's modules share (incident/cli/wording_cmds.py,
facts_cmds.py, statement_cmds.py): lint findings as lines, and files read
at the door."""

import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from incident.errors import InputError
from incident.i18n import t
from incident.textin import clean, clean_value
from incident.wording import factsheet


def show_findings(say: Callable[..., None], findings: list[dict[str, Any]], lang_: str) -> None:
    for f in findings:
        where = "/".join(x for x in (f.get("lang"), f.get("channel"), f.get("field"), f.get("part")) if x)
        msg = t(f.get("message_key") or f"lint.{f['rule']}", lang_, **(f.get("params") or {}))
        style = "red" if f["severity"] == "error" else "yellow"
        line = t("out.finding", lang_, where=where, severity=f["severity"], rule=f["rule"], text=f["text"], message=msg)
        if f.get("suggestion"):
            line += " → " + f["suggestion"]
        say(line, style)


def read_text(path: Path) -> str:
    """A file's text (``-``: stdin), cleaned at the door (incident.textin):
    a template or a fact sheet holds no control characters."""
    try:
        return clean(sys.stdin.read() if str(path) == "-" else path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("error.file_missing", path=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("error.file_not_utf8", path=str(path)) from None


def wechat_changes(values: list[str] | None, lang: str) -> dict[str, Any]:
    """``keyword1=APP 登录异常`` → ``{"wechat_keyword1.zh-CN": "APP 登录异常"}``
    (an unknown field name is refused by factsheet.apply_changes)."""
    out: dict[str, Any] = {}
    for item in values or []:
        name, sep, text = item.partition("=")
        if not sep:
            raise InputError("wording.error.bad_field", field=item, allowed=", ".join(factsheet.WECHAT_KEYS))
        out[f"wechat_{name.strip()}.{lang}"] = text.strip()
    return out


def read_changes(path: Path) -> dict[str, Any]:
    """A fact sheet in TOML or JSON: ``what = "…"``, ``what_en = "…"``,
    ``dos = […]``, or nested ``[en] what = "…"``."""
    raw = read_text(path)
    try:
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise InputError("error.file_syntax", path=str(path), reason=str(exc)) from None
    # Cleaned again once parsed: JSON's "\u0000" and TOML's "\u001b" are
    # escapes in the file, control characters only after parsing.
    data = clean_value(data)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key in ("en", "zh-CN", "zh"):
            for k, v in value.items():
                out[f"{k}.{key}"] = v
        else:
            out[key] = value
    return out
