"""CLI commands ``incident config check``: the configuration file parses
and names only what exists (load_config refuses it otherwise, before any
command runs), a summary of what it holds, and every secret it names that
the environment does not hold (exit 1: a channel that cannot send); and
``incident config keys``: every key the file takes, from the models."""

import dataclasses
import os
from collections.abc import Callable
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from incident import roster_edit
from incident import roster_edit_texts as _roster_texts  # noqa: F401  (roster.wins, roster.check.*)
from incident.cli.render import print_json
from incident.config_keys import walk
from incident.db import Store
from incident.i18n import t
from incident.notify_channels import env_problems
from incident.runtime import Runtime


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    config_app = typer.Typer(help=t("help.config", lang), no_args_is_help=True)
    app.add_typer(config_app, name="config")

    @config_app.command("check", help=t("help.config.check", lang))
    def config_check() -> None:
        rt = rt_of()
        if rt.config_path is None:
            out.print(t("out.config_default", rt.lang), style="yellow")
        else:
            out.print(t("out.config_ok", rt.lang, path=rt.config_path), style="bold green")
        c = rt.config
        summary = dict(centre=c.centre.name, zone=c.centre.timezone, language=c.centre.language)
        out.print(
            t(
                "out.config_summary",
                rt.lang,
                **summary,
                people=len(c.people),
                teams=len(c.teams),
                rules=len(c.response.rules),
            )
        )
        _roster_layer(rt, out)
        problems = env_problems(c, os.environ)
        for key, variable in problems:
            out.print(t("out.config_env_missing", rt.lang, key=key, variable=variable), style="bold yellow")
        if problems:
            raise typer.Exit(1)

    @config_app.command("keys", help=t("help.config.keys", lang))
    def config_keys(
        prefix: Annotated[Optional[str], typer.Argument(help=t("help.config.keys.prefix", lang))] = None,
        as_json: Annotated[bool, typer.Option("--json", help=t("help.opt.json", lang))] = False,
    ) -> None:
        keys = [k for k in walk() if prefix is None or k.path == prefix or k.path.startswith(prefix + ".")]
        if not keys:
            raise typer.BadParameter(t("out.config_keys_none", lang, prefix=prefix), param_hint="PREFIX")
        if as_json:
            print_json(out, [dataclasses.asdict(k) for k in keys])
            return
        table = Table(show_header=True, header_style="bold")
        for column in ("col.config_key", "col.config_type", "col.config_default"):
            table.add_column(t(column, lang))
        for k in keys:
            table.add_row(k.path, k.type, k.default)
        out.print(table)


def _roster_layer(rt: Runtime, out: Console) -> None:
    """Which source wins for the roster, and the database's edits over the
    file (read without migrating: a check changes nothing)."""
    out.print(t("roster.wins", rt.lang))
    try:
        store = Store(rt.database_url, migrate=False)
        if "roster_entries" not in store.tables():
            return
        with store.read() as s:
            layered = roster_edit.effective(s, rt.config)
    except Exception:  # noqa: BLE001 — no database yet (or unreachable): the file alone is the roster
        return
    names = ", ".join(f"{kind} {key}" for kind, key in layered.edited) or "—"
    out.print(t("roster.check.edited", rt.lang, n=len(layered.edited), names=names))
    for kind, key, bad in layered.skipped:
        out.print(t("roster.check.skipped", rt.lang, kind=kind, key=key, reason=bad.message(rt.lang)), style="yellow")
