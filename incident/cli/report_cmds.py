"""``incident report monthly``: the monthly report (001 §4.2) written as
Markdown, HTML and CSV, beside ``report daily`` (the ``report`` group is
made in incident/cli/remedy_cmds.py, which calls :func:`register`)."""

# No `from __future__ import annotations`: typer reads the Annotated hints.

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from incident.cli import texts as _cli_texts  # noqa: F401  (help.opt.json)
from incident.cli.render import print_json
from incident.i18n import t
from incident.money import fmt_money, money_json
from incident.reporting import texts as _texts  # noqa: F401
from incident.reporting.monthly import last_complete_month, parse_month
from incident.reporting.render import duration, pct, write_monthly
from incident.runtime import Runtime


def register(rep_app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    def say(text: str, style: Optional[str] = None) -> None:
        out.print(text, style=style, markup=False, highlight=False)

    @rep_app.command("monthly", help=h("monthly.help.command"))
    def report_monthly(
        month: Annotated[
            Optional[str], typer.Option("--month", help=h("monthly.help.opt.month"), metavar="YYYY-MM")
        ] = None,
        out_dir: Annotated[
            Optional[Path], typer.Option("--dir", "--out", "-o", help=h("monthly.help.opt.dir"), metavar="DIR")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False,
    ) -> None:
        r = rt()
        chosen = parse_month(month) if month is not None else last_complete_month(r.ctx)
        directory = out_dir or (r.settings.data_dir / "reports")
        with r.store.read() as s:
            data, paths = write_monthly(s, r.ctx, chosen, directory, r.lang)
        if as_json:
            print_json(out, money_json({**data, "files": [str(p) for p in paths]}))
            return
        say(t("monthly.out.written", r.lang, month=data["month"]), "bold green")
        for path in paths:
            say(f"  {path}")
        o = data["tickets"]["overall"]
        mean = o["satisfaction"]["mean"]
        say(
            t(
                "monthly.out.tickets",
                r.lang,
                received=f"{o['received']:,}",
                response=pct(o["first_response"]["within_share"]),
                rate=pct(o["resolution"]["rate"]),
                within=pct(o["resolution"]["within_share"]),
                mean="—" if mean is None else f"{mean:.2f}",
            )
        )
        inc = data["incidents"]["overall"]
        say(
            t(
                "monthly.out.incidents",
                r.lang,
                count=inc["count"],
                resolved=inc["resolved"],
                resolve=duration(inc["resolve"]["median_s"], r.lang),
            )
        )
        comp, cb = data["compensation"], data["callbacks"]
        say(
            t(
                "monthly.out.remedy",
                r.lang,
                count=comp["count"],
                amount=fmt_money(comp["money_issued"]),
                due=cb["due"],
                done=cb["done"],
                overdue=cb["overdue"],
            ),
            "red" if cb["overdue"] else None,
        )
