"""CLI command ``incident config check``: the configuration file parses
and names only what exists (load_config refuses it otherwise, before any
command runs), a summary of what it holds, and every secret it names that
the environment does not hold (exit 1: a channel that cannot send)."""

import os
from collections.abc import Callable

import typer
from rich.console import Console

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
        problems = env_problems(c, os.environ)
        for key, variable in problems:
            out.print(t("out.config_env_missing", rt.lang, key=key, variable=variable), style="bold yellow")
        if problems:
            raise typer.Exit(1)
