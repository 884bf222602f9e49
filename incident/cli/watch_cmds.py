"""CLI commands of the watch half: ``watch`` (here), ``feeds``, ``complaints``
and ``backtest`` (incident/cli/feeds_cmds.py). They run the same plain
functions as the Prefect flows."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from incident import incidents
from incident.cli import feeds_cmds
from incident.cli import watch_texts as _cli_watch_texts  # noqa: F401  (the CLI's watch texts)
from incident.cli.render import print_json
from incident.cli.watch_common import poll_with_progress, show_polls
from incident.errors import InputError
from incident.i18n import t
from incident.models import VolumePoint, VolumeSeries
from incident.runtime import Runtime
from incident.timeutil import fmt, iso_utc, parse_time
from incident.watch import jobs, replay, signals
from incident.watch import texts as _watch_texts  # noqa: F401


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    # The commands are closures over the app's language (their help texts
    # are fixed when the app is built, one app per language: incident/cli/app.py),
    # hence one long function; each command in it is short.
    def h(key: str) -> str:
        return t(key, lang)

    JsonOpt = Annotated[bool, typer.Option("--json", help=h("help.opt.json"))]

    def say(text: str, style: Optional[str] = None) -> None:
        # Feed titles, ticket texts and our own "[feeds.<name>]" hints hold
        # square brackets: never let rich read them as markup.
        out.print(text, style=style, markup=False, highlight=False)

    def cells(*values: object) -> list[Text]:
        return [Text("" if v is None else str(v)) for v in values]

    def when(text: Optional[str]) -> dt.datetime | None:
        return parse_time(text, rt().config.zone, rt().clock) if text else None

    # ---- watch ------------------------------------------------------------------
    watch_app = typer.Typer(help=h("help.watch"), invoke_without_command=True)
    app.add_typer(watch_app, name="watch")

    @watch_app.callback()
    def watch(
        ctx: typer.Context,
        once: Annotated[bool, typer.Option("--once", help=h("help.watch.once"))] = False,
        feeds_only: Annotated[bool, typer.Option("--feeds-only", help=h("help.watch.feeds_only"))] = False,
        volumes_only: Annotated[bool, typer.Option("--volumes-only", help=h("help.watch.volumes_only"))] = False,
        as_json: JsonOpt = False,
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        r = rt()
        if not once:
            say(t("out.serve_hint", r.lang))
            raise typer.Exit(0)
        result: dict = {"feeds": [], "volumes": None}
        if not volumes_only:
            reports = poll_with_progress(r, None, as_json)
            result["feeds"] = [rep.__dict__ for rep in reports]
            if not as_json:
                if not r.config.feeds:
                    say(t("out.no_feeds", r.lang), style="yellow")
                show_polls(say, reports, r.lang)
        if not feeds_only:
            vrep = jobs.score_volumes(r.store, r.ctx)
            result["volumes"] = vrep.__dict__
            if not as_json:
                say(
                    t(
                        "out.scored",
                        r.lang,
                        series=vrep.series,
                        buckets=vrep.buckets,
                        alerts=vrep.alerts,
                        opened=len(set(vrep.opened)),
                        attached=len(vrep.attached),
                        silenced=vrep.silenced,
                    )
                )
                if vrep.too_old:
                    days = r.config.detection.backfill_days
                    say(t("out.too_old", r.lang, n=vrep.too_old, days=days), style="yellow")
        r.deliver()
        if as_json:
            print_json(out, result)
            return
        opened = set(result["volumes"]["opened"] if result["volumes"] else [])
        opened.update(i for rep in result["feeds"] for i in rep["opened"])
        with r.store.transaction() as s:
            for iid in sorted(opened):
                inc = incidents.get(s, iid)
                say(t("out.opened", r.lang, id=inc.id, title=inc.title), style="bold red")

    @watch_app.command("replay", help=h("help.watch.replay"))
    def replay_cmd(
        start: Annotated[str, typer.Option("--from", help=h("help.opt.replay_from"), metavar="TIME")],
        end: Annotated[Optional[str], typer.Option("--to", help=h("help.opt.replay_to"), metavar="TIME")] = None,
        drill: Annotated[bool, typer.Option("--drill", help=h("help.opt.drill"))] = False,
        open_: Annotated[bool, typer.Option("--open", help=h("help.opt.open"))] = False,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        if drill and open_:
            raise InputError("watch.error.replay_modes")
        since, until = replay.parse_span(start, end, r.ctx)
        mode: Any = "drill" if drill else ("open" if open_ else "quiet")
        before = replay.scored_until(r.store)

        def day_done(d: replay.DayDone) -> None:
            if not as_json:
                say(t("out.replay_day", r.lang, day=d.day, series=d.series, buckets=d.buckets, alerts=d.alerts))

        rep = replay.replay(r.store, r.ctx, since, until, mode=mode, progress=day_done)
        after = replay.scored_until(r.store)
        if as_json:
            data = {k: v for k, v in rep.__dict__.items() if k != "too_old"}
            print_json(out, {**data, "mode": mode, "scored_until": iso_utc(after)})
            return
        if before is not None and before > since:
            key = "out.replay_nothing" if not rep.buckets else "out.replay_skipped"
            say(t(key, r.lang, until=fmt(before, r.config.zone)), style="yellow")
        what = t(f"out.replay_{mode}", r.lang)
        shown = fmt(after, r.config.zone) if after else "—"
        say(t("out.replay_done", r.lang, buckets=rep.buckets, alerts=rep.alerts, what=what, until=shown), style="bold")
        if rep.drill:
            table = Table()
            for col in ("col.at", "col.kind", "col.series", "col.observed", "col.baseline", "col.dedup"):
                table.add_column(t(col, r.lang))
            for row in rep.drill:
                table.add_row(
                    *cells(
                        fmt(dt.datetime.fromisoformat(row["at"]), r.config.zone),
                        row["kind"],
                        row["series"],
                        f"{row['observed']:g}",
                        f"{row['baseline']:.1f}",
                        row["dedup_key"],
                    )
                )
            out.print(table)
        with r.store.transaction() as s:
            for iid in sorted(set(rep.opened)):
                inc = incidents.get(s, iid)
                say(t("out.opened", r.lang, id=inc.id, title=inc.title), style="bold red")

    @watch_app.command("series", help=h("help.watch.series"))
    def series(as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.transaction() as s:
            rows = []
            for vs in s.scalars(select(VolumeSeries).order_by(VolumeSeries.key)):
                last = s.scalars(
                    select(VolumePoint)
                    .where(VolumePoint.series_id == vs.id)
                    .order_by(VolumePoint.bucket_start.desc())
                    .limit(1)
                ).one_or_none()
                rows.append(
                    {
                        "key": vs.key,
                        "next_bucket_at": iso_utc(vs.next_bucket_at),
                        "last_value": last.value if last else None,
                        "baseline": round(last.baseline, 2) if last else None,
                        "snoozed_until": iso_utc(vs.snoozed_until),
                        "snooze_reason": vs.snooze_reason,
                    }
                )
        if as_json:
            print_json(out, rows)
            return
        if not rows:
            say(t("out.no_series", r.lang))
            return
        table = Table(show_lines=False)
        for col in ("col.series", "col.last", "col.baseline", "col.next", "col.snooze"):
            table.add_column(t(col, r.lang))
        for row in rows:
            snooze = ""
            if row["snoozed_until"]:
                snooze = f"{row['snoozed_until']} {row['snooze_reason'] or ''}"
            table.add_row(
                *cells(
                    row["key"],
                    "" if row["last_value"] is None else f"{row['last_value']:g}",
                    "" if row["baseline"] is None else f"{row['baseline']:g}",
                    row["next_bucket_at"] or "",
                    snooze,
                )
            )
        out.print(table)

    @watch_app.command("snooze", help=h("help.watch.snooze"))
    def snooze(
        key: Annotated[str, typer.Argument(metavar="SERIES", help=h("help.arg.series"))],
        until: Annotated[str, typer.Option("--until", help=h("help.opt.until_req"), metavar="TIME")],
        reason: Annotated[str, typer.Option("--reason", help=h("help.opt.reason"), metavar="TEXT")] = "",
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            vs = signals.snooze(s, r.ctx, key, parse_time(until, r.config.zone, r.clock), reason)
            say(t("out.snoozed", r.lang, key=vs.key, until=fmt(vs.snoozed_until, r.config.zone)), style="bold")

    @watch_app.command("unsnooze", help=h("help.watch.unsnooze"))
    def unsnooze(key: Annotated[str, typer.Argument(metavar="SERIES", help=h("help.arg.series"))]) -> None:
        r = rt()
        with r.store.transaction() as s:
            vs = signals.unsnooze(s, r.ctx, key)
            say(t("out.unsnoozed", r.lang, key=vs.key))

    @watch_app.command("maintenance", help=h("help.watch.maintenance"))
    def maintenance(
        pattern: Annotated[str, typer.Argument(metavar="PATTERN", help=h("help.arg.pattern"))],
        end: Annotated[str, typer.Option("--end", help=h("help.opt.end"), metavar="TIME")],
        reason: Annotated[str, typer.Option("--reason", help=h("help.opt.reason"), metavar="TEXT")],
        start: Annotated[Optional[str], typer.Option("--start", help=h("help.opt.start"), metavar="TIME")] = None,
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            ends = parse_time(end, r.config.zone, r.clock)
            w = signals.add_maintenance(s, r.ctx, pattern, when(start) or r.clock.now(), ends, reason)
            say(
                t(
                    "out.maintenance_added",
                    r.lang,
                    id=w.id,
                    pattern=w.pattern,
                    start=fmt(w.starts_at, r.config.zone),
                    end=fmt(w.ends_at, r.config.zone),
                ),
                style="bold",
            )

    @watch_app.command("signals", help=h("help.watch.signals"))
    def signals_(
        incident_id: Annotated[
            Optional[str], typer.Option("--incident", help=h("help.opt.incident_filter"), metavar="ID")
        ] = None,
        limit: Annotated[int, typer.Option(help=h("help.opt.limit"), metavar="N")] = 50,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            iid = incidents.parse_id(incident_id) if incident_id else None
            rows = signals.list_signals(s, limit=limit or 1_000_000, incident_id=iid)
            data = [
                {
                    "id": x.id,
                    "series": x.series_key,
                    "bucket": iso_utc(x.bucket_start),
                    "kind": x.kind,
                    "severity": x.severity,
                    "direction": x.direction,
                    "observed": x.observed,
                    "baseline": x.baseline,
                    "score": x.score,
                    "action": x.action,
                    "incident": x.incident_id,
                    "reason": t(x.detail.get("reason_key", ""), r.lang, **(x.detail.get("reason_params") or {})),
                    "samples": x.detail.get("samples", []),
                }
                for x in rows
            ]
        if as_json:
            print_json(out, data)
            return
        if not data:
            say(t("out.no_signals", r.lang))
            return
        table = Table()
        for col in ("col.at", "col.series", "col.observed", "col.baseline", "col.score", "col.action", "col.incident"):
            table.add_column(t(col, r.lang))
        for d, x in zip(data, rows, strict=True):
            table.add_row(
                *cells(
                    fmt(x.bucket_start, r.config.zone),
                    d["series"],
                    f"{d['observed']:g}",
                    f"{d['baseline']:.1f}",
                    f"{d['score']:.3f}",
                    t(f"action.{d['action']}", r.lang),
                    f"INC-{d['incident']}" if d["incident"] else "",
                )
            )
        out.print(table)

    feeds_cmds.register(app, lang, rt, out)  # feeds, complaints, backtest
