"""CLI commands ``incident cover add|list|cancel``: "I cover for 李娜
tonight" (incident/roster_overrides.py). Anyone on a roster arranges a
cover they take part in; a lead or an admin (incident.update) one for
others. Each change is one transaction."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from incident import roster_overrides
from incident.cli import cover_texts as _texts  # noqa: F401  (cover.help.*, cover.out.*)
from incident.cli.render import print_json
from incident.errors import InputError
from incident.i18n import t
from incident.roster import display, find_person
from incident.runtime import Runtime
from incident.timeutil import fmt, iso_utc, parse_time


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    cover_app = typer.Typer(help=h("cover.help"), no_args_is_help=True)
    app.add_typer(cover_app, name="cover")

    def moment(rt: Runtime, text: str | None, default: dt.datetime) -> dt.datetime:
        return parse_time(text, rt.config.zone, rt.clock) if text else default

    @cover_app.command("add", help=h("cover.help.add"))
    def add(
        covers: Annotated[str, typer.Option("--for", help=h("cover.help.opt.for"), metavar="PERSON")],
        until: Annotated[str, typer.Option("--until", help=h("cover.help.opt.until"), metavar="TIME")],
        start: Annotated[Optional[str], typer.Option("--from", help=h("cover.help.opt.from"), metavar="TIME")] = None,
        person: Annotated[Optional[str], typer.Option("--by", help=h("cover.help.opt.by"), metavar="PERSON")] = None,
        team: Annotated[Optional[str], typer.Option("--team", help=h("cover.help.opt.team"), metavar="TEAM")] = None,
        note: Annotated[Optional[str], typer.Option("--note", help=h("cover.help.opt.note"), metavar="TEXT")] = None,
    ) -> None:
        rt = rt_of()
        now = rt.clock.now()
        if person is None and rt.actor not in rt.config.people:
            raise InputError("cover.error.who", actor=rt.actor)
        who = find_person(rt.config, person or rt.actor)[0]
        other = find_person(rt.config, covers)[0]
        if not roster_overrides.may_arrange(rt.ctx, who, other, rt.can("incident.update")):
            rt.require("incident.update")
        with rt.store.transaction() as s:
            c = roster_overrides.add(
                s, rt.ctx, who, other, moment(rt, start, now), moment(rt, until, now), team=team, note=note
            )
        out.print(
            t(
                "cover.out.added",
                rt.lang,
                id=c.id,
                person=display(rt.config, c.person),
                covers=display(rt.config, c.covers),
                start=fmt(c.start_at, rt.config.zone),
                end=fmt(c.end_at, rt.config.zone),
                team=c.team or t("cover.out.every_team", rt.lang),
            ),
            style="bold",
        )

    @cover_app.command("list", help=h("cover.help.list"))
    def list_(as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False) -> None:
        rt = rt_of()
        with rt.store.read() as s:
            covers = roster_overrides.active(s, rt.clock.now())
        if as_json:
            rows = [c.__dict__ | {"start_at": iso_utc(c.start_at), "end_at": iso_utc(c.end_at)} for c in covers]
            print_json(out, rows)
            return
        if not covers:
            out.print(t("cover.out.none", rt.lang))
            return
        table = Table(title=t("cover.out.title", rt.lang))
        for key in ("id", "person", "covers", "team", "from", "until"):
            table.add_column(t(f"cover.col.{key}", rt.lang))
        for c in covers:
            table.add_row(
                str(c.id),
                display(rt.config, c.person),
                display(rt.config, c.covers),
                c.team or t("cover.out.every_team", rt.lang),
                fmt(c.start_at, rt.config.zone),
                fmt(c.end_at, rt.config.zone),
            )
        out.print(table)

    @cover_app.command("cancel", help=h("cover.help.cancel"))
    def cancel(cover_id: Annotated[str, typer.Argument(metavar="ID", help=h("cover.help.arg.id"))]) -> None:
        rt = rt_of()
        if not cover_id.strip().isdigit():
            raise InputError("cover.error.bad_id", value=cover_id)
        with rt.store.transaction() as s:
            c = roster_overrides.cancel(s, rt.ctx, int(cover_id), rt.can("incident.update"))
        out.print(t("cover.out.cancelled", rt.lang, id=c.id, person=display(rt.config, c.person)), style="bold")
