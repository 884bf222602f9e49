"""Delivery receipts a messaging provider POSTs back (incident/web/receipts.py):
checked against the receipt secret with the same HMAC scheme as the
requests out (incident/adapters/http_provider.py)."""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from incident.adapters.http_provider import _CONTROL, HttpProviderConfig, _secret, _tidy, sign
from incident.errors import ConfigError, InputError


@dataclass(frozen=True)
class Receipt:
    ref: str  # the provider's reference, as send() returned it
    status: str  # lower case: "delivered", "failed", …
    error: str | None = None


def verify_receipt(
    config: HttpProviderConfig,
    env: Mapping[str, str],
    body: bytes,
    headers: Mapping[str, str],
    now: dt.datetime,
    tolerance_seconds: float = 300,
) -> Receipt:
    """A delivery receipt the provider POSTed back, checked: signed with the
    receipt secret (the request scheme), its timestamp within
    ``tolerance_seconds`` of ``now`` either way. Raises :class:`InputError`
    (``provider.error.*``) for anything else, :class:`ConfigError` when no
    receipt secret is configured.

    A replay inside the window passes: applying a receipt must be
    idempotent (the same ref and status again changes nothing)."""
    if not config.receipt_secret_env:
        raise ConfigError("provider.error.no_receipt_secret")
    secret = _secret(env, config.receipt_secret_env)
    lower = {name.lower(): value for name, value in headers.items()}
    timestamp = (lower.get(config.timestamp_header.lower()) or "").strip()
    signature = (lower.get(config.signature_header.lower()) or "").strip()
    if not timestamp or not signature:
        raise InputError(
            "provider.error.unsigned",
            signature_header=config.signature_header,
            timestamp_header=config.timestamp_header,
        )
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise InputError("provider.error.bad_timestamp", header=config.timestamp_header)
    # Bytes on both sides: compare_digest refuses a str holding non-ASCII.
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode("utf-8", "replace")):
        raise InputError("provider.error.bad_signature")
    if abs(now.timestamp() - int(timestamp)) > tolerance_seconds:
        raise InputError("provider.error.stale", seconds=f"{tolerance_seconds:g}")
    return _receipt(body)


def _receipt(body: bytes) -> Receipt:
    try:
        data: Any = json.loads(body)
    except ValueError:
        data = None
    ref, status, error = (data.get(k) for k in ("id", "status", "error")) if isinstance(data, dict) else [None] * 3
    if isinstance(ref, bool) or not isinstance(ref, str | int) or not isinstance(status, str):
        raise InputError("provider.error.bad_receipt")
    ref, status = _CONTROL.sub("", str(ref)).strip(), _CONTROL.sub("", status).strip().lower()
    if not ref or not status or len(ref) > 200 or len(status) > 64:
        raise InputError("provider.error.bad_receipt")
    return Receipt(ref, status, _tidy(error, []) if isinstance(error, str) and error.strip() else None)
