"""CLI command ``incident lint [FILE|-] [--channel CHANNEL] [--json]``: the
wording linter on a file or standard input (incident.wording.lint), with a
channel's own limits when asked. Exit code 1 when any finding is an error,
so a script or a pre-publish hook can stop on it."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from incident.cli import texts as _cli_texts  # noqa: F401  (help.opt.json)
from incident.cli.render import print_json
from incident.errors import InputError
from incident.i18n import t
from incident.runtime import Runtime
from incident.wording import lint_texts as _lint_texts  # noqa: F401
from incident.wording.findings import Finding, has_errors
from incident.wording.lint import CHANNELS, lint, load_rules


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def read_text(name: str, lang: str) -> str:
    """The file's (or stdin's) text; UTF-8 with or without a BOM, else a
    clear error rather than a linter running over mojibake."""
    if name == "-":
        raw = typer.get_binary_stream("stdin").read()
        shown = t("lint.stdin", lang)
    else:
        path = Path(name)
        shown = str(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InputError("lint.error.no_file", path=shown) from None
        except OSError as exc:
            raise InputError("lint.error.unreadable", path=shown, reason=exc.strerror or str(exc)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("lint.error.not_utf8", path=shown, offset=exc.start + 1) from None


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    def h(key: str, **params: object) -> str:
        return t(key, lang, **params)

    def say(text: str, style: Optional[str] = None) -> None:
        # Findings quote the checked text, which holds 【】 and [] freely:
        # never let rich read them as markup.
        out.print(text, style=style, markup=False, highlight=False)

    @app.command("lint", help=h("help.lint"))
    def lint_cmd(
        file: Annotated[str, typer.Argument(metavar="FILE|-", help=h("help.lint.file"))] = "-",
        channel: Annotated[
            Optional[str],
            typer.Option("--channel", metavar="CHANNEL", help=h("help.lint.channel", channels=", ".join(CHANNELS))),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False,
    ) -> None:
        r = rt()
        ui = r.lang
        if channel is not None:
            channel = channel.strip().lower().replace("-", "_")
            if channel not in CHANNELS:
                raise InputError("lint.error.bad_channel", value=channel, allowed=", ".join(CHANNELS))
        text = read_text(file, ui)
        findings = lint(
            text,
            caps=r.config.compensation.caps,
            rules=load_rules(r.config.wording.rules_file),
            channel=channel,
            limits=r.config.wording.channels,
            ui_lang=ui,  # instructions in the user's language, a replacement with its English sense
        )
        if as_json:
            rows = []
            for f in findings:
                line, column = _position(text, f.start)
                rows.append({**f.as_json(ui), "line": line, "column": column})
            print_json(out, rows)
        else:
            show(findings, text, ui)
        raise typer.Exit(1 if has_errors(findings) else 0)

    def show(findings: list[Finding], text: str, ui: str) -> None:
        if not findings:
            say(t("lint.out.clean", ui), style="green")
            return
        for f in findings:
            line, column = _position(text, f.start)
            say(
                t(
                    "lint.out.finding",
                    ui,
                    line=line,
                    column=column,
                    severity=t(f"lint.severity.{f.severity}", ui),
                    rule=f.rule,
                    text=f.text.replace("\n", "⏎"),
                ),
                style="bold red" if f.severity == "error" else "yellow",
            )
            if f.suggestion:
                say(t("lint.out.suggestion", ui, suggestion=f.suggestion))
            say(t("lint.out.message", ui, message=f.message(ui)), style="dim")
        errors = sum(f.severity == "error" for f in findings)
        say(t("lint.out.summary", ui, errors=errors, warnings=len(findings) - errors), style="bold")
