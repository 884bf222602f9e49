"""What one process works with: settings, config, store, language, actor,
clock. Built once from flags > environment > file; the CLI, the flows and
(later) the web app all start here."""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from incident import acklinks, roster_edit, webhooks
from incident.access import identity
from incident.access.identity import Caller
from incident.config import AppConfig, Settings, load_config, normalise_lang
from incident.context import Context
from incident.db import Store, default_url
from incident.errors import InputError
from incident.notify import deliver_due
from incident.notify_channels import notifiers as channel_notifiers
from incident.textin import clean
from incident.timeutil import Clock, ShiftedClock, clock_from_setting

if TYPE_CHECKING:
    from incident.adapters.slack import SlackGateway


@dataclass
class Runtime:
    settings: Settings
    config: AppConfig
    config_path: Path | None
    lang: str
    actor: str
    database_url: str
    clock: Clock = field(default_factory=Clock)
    asked: str | None = None  # the name given (--as / INCIDENT_ACTOR), not yet proven
    caller: Caller | None = None  # who signed in (sign_in); None: the machine, or not yet asked
    _store: Store | None = None
    _slack: SlackGateway | Literal[False] | None = None  # False: looked, no token
    _notifiers: dict[str, Any] | None = None
    _toml: AppConfig | None = None  # the roster's seed, before the database's edits (incident/roster_edit.py)
    _roster_rev: int = 0

    @classmethod
    def build(
        cls,
        config_path: Path | None = None,
        lang: str | None = None,
        actor: str | None = None,
        database_url: str | None = None,
    ) -> "Runtime":
        settings = Settings()
        path = config_path or settings.config
        config = load_config(path)
        try:
            chosen = normalise_lang(lang or settings.lang or config.centre.language)
        except ValueError:
            raise InputError("config.reason.lang", value=str(lang or settings.lang)) from None
        url = database_url or settings.database_url or config.storage.database_url or default_url(settings.data_dir)
        # A name typed or set in the environment is text entering the system.
        asked = clean(actor or settings.actor or "") or None
        who = asked or _login_name()
        clock = clock_from_setting(settings.now, config.zone)
        if isinstance(clock, ShiftedClock):
            # Pinned to its real moment, so that the processes this one
            # starts (incident serve's flow runs) share the same clock.
            os.environ["INCIDENT_NOW"] = clock.setting()
        return cls(settings, config, path, chosen, who, url, clock, asked=asked)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.database_url)
            self.refresh_roster()
        return self._store

    @property
    def toml_config(self) -> AppConfig:
        """The configuration as the file has it (the roster's seed)."""
        return self._toml or self.config

    def refresh_roster(self) -> None:
        """Put the roster's database edits over the file's (one query when
        nothing changed): at the store's opening, and before each web
        request, so an edit made anywhere is in effect everywhere at once."""
        if self._toml is None or (self._toml is not self.config and self._roster_rev == 0):
            self._toml = self.config  # the file's (or the one set in its place before any edit)
        with self.store.read() as s:
            rev = roster_edit.revision(s)
            if rev == self._roster_rev:
                return
            layered = roster_edit.effective(s, self._toml)
        self.config, self._roster_rev = layered.config, rev

    def sign_in(self, password: Callable[[str], str] | None) -> Caller:
        """Who is acting, proven (incident.access.identity): from then on the
        actor recorded is theirs, not the name merely given. The real clock
        (Clock.wall), not INCIDENT_NOW's: a drill clock set an hour ahead
        must not run out a lockout, nor bring a token back to life."""
        if self.caller is None:
            self.caller = identity.resolve(
                self.store,
                self.config,
                self.clock.wall().now(),
                token=self.settings.token,
                asked=self.asked,
                fallback=self.actor,
                password=password,
            )
            self.actor = self.caller.actor
        return self.caller

    def drill_clock(self) -> str | None:
        """INCIDENT_NOW as given, when it shifts this process's clock."""
        return (self.settings.now or "").strip() or None if isinstance(self.clock, ShiftedClock) else None

    def _signed_in(self) -> Caller:
        if self.caller is None:  # a command that checks rights must have signed in first
            raise RuntimeError("sign_in() first")
        return self.caller

    def can(self, action: str) -> bool:
        return self._signed_in().can(action)

    def require(self, action: str) -> None:
        self._signed_in().require(action, self.lang)

    @property
    def ctx(self) -> Context:
        return Context(config=self.config, actor=self.actor, clock=self.clock)

    @property
    def slack(self) -> SlackGateway | None:
        """The Slack gateway, or None when no token is set (Slack is optional)."""
        if self._slack is None:
            from incident.adapters.slack import gateway_from_env  # noqa: PLC0415 — lazy: slack_sdk only where Slack is set up

            self._slack = gateway_from_env(self.config.slack, dict(os.environ)) or False
        return self._slack or None

    @property
    def notifiers(self) -> dict[str, Any]:
        """One notifier per channel people can be reached on (built once;
        a provider whose secret is missing is left out, said in the log,
        and its messages wait for a process that has it)."""
        if self._notifiers is None:
            self._notifiers = channel_notifiers(self.config, dict(os.environ), self.clock, slack=self.slack)
        return self._notifiers

    def deliver(self) -> None:
        """Send what the committed change queued: console notifications, and
        the incident's Slack channel brought in step (when Slack is set up).
        Slack's failures are recorded and retried by the ``slack-sync``
        flow; they never fail the change itself."""
        config, clock = self.config, self.clock
        deliver_due(
            self.store,
            config,
            self.notifiers,
            clock.now,
            links=lambda session: acklinks.link_maker(session, config, clock.now()),
        )
        webhooks.deliver_due(self.store, config, clock.now)
        if self.slack is not None:
            from incident.slack.sync import sync_all  # noqa: PLC0415 — lazy: slack_sdk only where Slack is set up

            try:
                sync_all(self.store, self.ctx, self.slack)
            except Exception as exc:  # noqa: BLE001 — Slack must never fail the incident's own work
                logging.getLogger("incident.slack").warning("slack sync failed: %s", exc)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers)
        return "cli"
