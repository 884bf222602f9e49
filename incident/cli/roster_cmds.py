"""CLI commands ``incident roster [show|set|add|remove|person|reset|history]``:
who is on call, and the roster changed without editing the TOML
(incident/roster_edit.py). ``incident roster`` alone shows it, as before.
Changes need a lead or an admin (roster.edit); each is one transaction,
in effect at once for every process."""

from collections.abc import Callable
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from incident import roster_edit, roster_overrides
from incident.cli import roster_texts as _texts  # noqa: F401  (roster.help.*, roster.out.*)
from incident.cli.render import print_json, roster_rows, roster_table
from incident.i18n import t
from incident.models_people import RosterChange
from incident.roster import display
from incident.runtime import Runtime
from incident.timeutil import fmt, iso_utc, parse_time


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    roster_app = typer.Typer(help=h("roster.help"), invoke_without_command=True)
    app.add_typer(roster_app, name="roster")

    AtOpt = Annotated[Optional[str], typer.Option("--at", help=h("help.opt.at"), metavar="TIME")]
    JsonOpt = Annotated[bool, typer.Option("--json", help=h("help.opt.json"))]

    def show_roster(at: Optional[str], as_json: bool) -> None:
        rt = rt_of()
        moment = parse_time(at, rt.config.zone, rt.clock) if at else rt.clock.now()
        with rt.store.read() as s:
            covers = roster_overrides.active(s, moment)
            layered = roster_edit.effective(s, rt.toml_config)
        edited = {key for kind, key in layered.edited if kind == "team"}
        if as_json:
            found = roster_rows(rt.config, moment, covers)
            rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in found]
            print_json(out, {"at": iso_utc(moment), "teams": rows})
            return
        if not rt.config.teams:
            out.print(t("out.config_default", rt.lang), style="yellow")
            return
        title = t("out.roster_at", rt.lang, at=fmt(moment, rt.config.zone))
        out.print(roster_table(rt.config, moment, rt.lang, title, covers, edited))
        out.print(t("roster.wins", rt.lang), style="dim")

    @roster_app.callback()
    def roster(ctx: typer.Context, at: AtOpt = None, as_json: JsonOpt = False) -> None:
        if ctx.invoked_subcommand is None:
            show_roster(at, as_json)

    @roster_app.command("show", help=h("roster.help.show"))
    def show(at: AtOpt = None, as_json: JsonOpt = False) -> None:
        show_roster(at, as_json)

    def saved(rt: Runtime, change: RosterChange) -> None:
        rt.refresh_roster()
        kind = t(f"roster.kind.{change.kind}", rt.lang)
        out.print(t("roster.out.saved", rt.lang, id=change.id, kind=kind, key=change.key), style="bold")
        team = rt.config.teams.get(change.key) if change.kind == "team" else None
        if team is not None and team.rotation is not None:
            r = team.rotation
            out.print(
                t(
                    "roster.out.team",
                    rt.lang,
                    team=change.key,
                    members=", ".join(display(rt.config, m) for m in r.members),
                    start=r.start.strftime("%Y-%m-%d %H:%M"),
                    every=r.every,
                    supervisor=display(rt.config, team.supervisor),
                    deputy=display(rt.config, team.deputy),
                )
            )

    TeamArg = Annotated[str, typer.Argument(metavar="TEAM", help=h("roster.help.arg.team"))]
    PersonArg = Annotated[str, typer.Argument(metavar="PERSON", help=h("roster.help.arg.person"))]

    @roster_app.command("set", help=h("roster.help.set"))
    def set_(
        team: TeamArg,
        members: Annotated[
            Optional[str], typer.Option("--members", help=h("roster.help.opt.members"), metavar="A,B,…")
        ] = None,
        start: Annotated[
            Optional[str], typer.Option("--start", help=h("roster.help.opt.start"), metavar="TIME")
        ] = None,
        every: Annotated[Optional[str], typer.Option("--every", help=h("roster.help.opt.every"), metavar="N")] = None,
        supervisor: Annotated[
            Optional[str], typer.Option("--supervisor", help=h("roster.help.opt.supervisor"), metavar="PERSON")
        ] = None,
        deputy: Annotated[
            Optional[str], typer.Option("--deputy", help=h("roster.help.opt.deputy"), metavar="PERSON")
        ] = None,
    ) -> None:
        rt = rt_of()
        names = [m for m in (members or "").replace("，", ",").split(",")] if members is not None else None
        when = parse_time(start, rt.config.zone, rt.clock) if start else None
        with rt.store.transaction() as s:
            change = roster_edit.set_team(
                s, rt.ctx, rt.toml_config, team, members=names, start=when, every=every,
                supervisor=supervisor, deputy=deputy,
            )  # fmt: skip
        saved(rt, change)

    @roster_app.command("add", help=h("roster.help.add"))
    def add(
        team: TeamArg,
        person: PersonArg,
        at: Annotated[Optional[int], typer.Option("--at", help=h("roster.help.opt.at"), metavar="N", min=1)] = None,
    ) -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            change = roster_edit.add_member(s, rt.ctx, rt.toml_config, team, person, at)
        saved(rt, change)

    @roster_app.command("remove", help=h("roster.help.remove"))
    def remove(team: TeamArg, person: PersonArg) -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            change = roster_edit.remove_member(s, rt.ctx, rt.toml_config, team, person)
        saved(rt, change)

    FieldOpt = Optional[str]

    @roster_app.command("person", help=h("roster.help.person"))
    def person(
        key: Annotated[str, typer.Argument(metavar="KEY", help=h("roster.help.arg.key"))],
        name: Annotated[FieldOpt, typer.Option("--name", help=h("roster.help.opt.field"), metavar="TEXT")] = None,
        email: Annotated[FieldOpt, typer.Option("--email", help=h("roster.help.opt.field"), metavar="ADDR")] = None,
        slack_id: Annotated[FieldOpt, typer.Option("--slack-id", help=h("roster.help.opt.field"), metavar="ID")] = None,
        pager_id: Annotated[FieldOpt, typer.Option("--pager-id", help=h("roster.help.opt.field"), metavar="ID")] = None,
        phone: Annotated[FieldOpt, typer.Option("--phone", help=h("roster.help.opt.field"), metavar="****1234")] = None,
    ) -> None:
        rt = rt_of()
        fields = {"name": name, "email": email, "slack_id": slack_id, "pager_id": pager_id, "phone": phone}
        with rt.store.transaction() as s:
            change = roster_edit.set_person(s, rt.ctx, rt.toml_config, key, fields)
        saved(rt, change)

    @roster_app.command("reset", help=h("roster.help.reset"))
    def reset(
        kind: Annotated[str, typer.Argument(metavar="team|person", help=h("roster.help.arg.kind"))],
        key: Annotated[str, typer.Argument(metavar="KEY", help=h("roster.help.arg.key"))],
    ) -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            change = roster_edit.reset(s, rt.ctx, rt.toml_config, kind.strip().lower(), key.strip())
        saved(rt, change)

    @roster_app.command("history", help=h("roster.help.history"))
    def history(
        limit: Annotated[int, typer.Option("--limit", help=h("roster.help.opt.limit"), min=1, max=1000)] = 50,
        as_json: JsonOpt = False,
    ) -> None:
        rt = rt_of()
        with rt.store.read() as s:
            changes = roster_edit.history(s, limit)
        if as_json:
            rows = [
                {
                    "id": c.id,
                    "kind": c.kind,
                    "key": c.key,
                    "action": c.action,
                    "by": c.changed_by,
                    "at": iso_utc(c.changed_at),
                    "before": c.before,
                    "after": c.after,
                }
                for c in changes
            ]
            print_json(out, rows)
            return
        if not changes:
            out.print(t("roster.out.history_none", rt.lang))
            return
        table = Table(title=t("roster.out.history_title", rt.lang))
        for col in ("id", "when", "who", "what", "change"):
            table.add_column(t(f"roster.col.{col}", rt.lang))
        for c in changes:
            what = f"{t(f'roster.kind.{c.kind}', rt.lang)} {c.key} · {t(f'roster.action.{c.action}', rt.lang)}"
            diff = "\n".join(f"{f}: {roster_edit.shown(a)} → {roster_edit.shown(b)}" for f, a, b in roster_edit.diff(c))
            table.add_row(str(c.id), fmt(c.changed_at, rt.config.zone), display(rt.config, c.changed_by), what, diff)
        out.print(table)
