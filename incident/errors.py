"""Errors a user can act on. Each carries a catalogue key and parameters, so
the CLI (and later the web app) can say it in the user's language."""

from __future__ import annotations

from typing import Any

from incident.i18n import CATALOG, t


class IncidentError(Exception):
    """Base of every expected, user-facing error."""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:  # logs and tracebacks are in English
        return self.message("en")


class InputError(IncidentError):
    """The caller passed something malformed (bad time, unknown role …)."""


class NotFoundError(IncidentError):
    """The thing asked for does not exist."""


class TransitionError(IncidentError):
    """A status change the lifecycle does not allow."""


class ConflictError(IncidentError):
    """The change clashes with what is stored (duplicate open incident …)."""


class ForbiddenError(IncidentError):
    """The caller is known but may not do this (their role, or not theirs)."""


class AuthError(IncidentError):
    """The caller could not be identified (no or bad credentials)."""


class ConfigError(IncidentError):
    """The configuration is unusable; names the key and the reason."""

    def message(self, lang: str = "en") -> str:
        params = dict(self.params)
        reason_key = f"config.reason.{params.get('reason_type')}"
        if reason_key in CATALOG:
            params["reason"] = t(reason_key, lang, **params.get("reason_ctx", {}))
        return t(self.key, lang, **params)
