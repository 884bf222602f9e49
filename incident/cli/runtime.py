"""What a CLI invocation works with: settings, config, store, language,
actor, console. Built once per process from flags > environment > file."""

from __future__ import annotations

import getpass
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from incident.config import AppConfig, Settings, load_config, normalise_lang
from incident.context import Context
from incident.db import Store, default_url
from incident.errors import ConfigError
from incident.notify import ConsoleNotifier, deliver_pending
from incident.timeutil import Clock


def make_console(stderr: bool = False) -> Console:
    # Without a terminal (pipes, CI, tests) rich would wrap at 80 columns and
    # cut CJK titles; give it room instead.
    width = None if (os.isatty(2 if stderr else 1)) else max(160, shutil.get_terminal_size((160, 24)).columns)
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)


@dataclass
class Runtime:
    settings: Settings
    config: AppConfig
    config_path: Path | None
    lang: str
    actor: str
    database_url: str
    clock: Clock = field(default_factory=Clock)
    console: Console = field(default_factory=make_console)
    _store: Store | None = None

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
            raise ConfigError("config.invalid", path="--lang", key="lang", reason_type="lang",
                              reason=str(lang or settings.lang), reason_ctx={"value": str(lang or settings.lang)}, more=0) from None
        url = database_url or settings.database_url or config.storage.database_url or default_url(settings.data_dir)
        who = actor or settings.actor or _login_name()
        return cls(settings, config, path, chosen, who, url)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.database_url)
        return self._store

    @property
    def ctx(self) -> Context:
        return Context(config=self.config, actor=self.actor, clock=self.clock)

    def deliver(self) -> None:
        """Send what the committed change queued (console now, Slack later)."""
        notifier = ConsoleNotifier()
        with self.store.transaction() as session:
            deliver_pending(session, self.config, {notifier.channel: notifier}, self.clock.now())


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers)
        return "cli"
