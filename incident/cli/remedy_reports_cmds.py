"""``incident report``: an incident's remedy report and the daily report
(``report monthly`` is incident/cli/report_cmds.py, registered on the same
group here).

Each command is a thin closure (its help texts are in the app's language,
fixed when the app is built) over a module-level function that does the
work. No `from __future__ import annotations`: typer reads the hints."""

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from incident.cli.remedy_common import Kit, Opt, amounts_text, amt, num
from incident.cli.render import print_json
from incident.cli.report_cmds import register as register_report_monthly
from incident.errors import InputError
from incident.i18n import LABELS, t
from incident.incidents import parse_id
from incident.money import money_json
from incident.remedy import reports


def register(app: typer.Typer, k: Kit) -> None:
    h = k.h
    JsonOpt = Annotated[bool, Opt("--json", help=h("help.opt.json"))]
    IncArg = Annotated[str, typer.Argument(metavar="INCIDENT", help=h("help.arg.id"))]

    rep_app = typer.Typer(help=h("remedy.help.report"), no_args_is_help=True)
    app.add_typer(rep_app, name="report")
    register_report_monthly(rep_app, k.lang, k.rt, k.out)  # `report monthly` (incident/cli/report_cmds.py)

    @rep_app.command("incident", help=h("remedy.help.report.incident"))
    def report_incident(incident: IncArg, as_json: JsonOpt = False) -> None:
        incident_report(k, incident, as_json)

    @rep_app.command("daily", help=h("remedy.help.report.daily"))
    def report_daily(
        day: Annotated[Optional[str], Opt("--date", help=h("remedy.help.opt.date"), metavar="YYYY-MM-DD")] = None,
        out_dir: Annotated[Optional[Path], Opt("--out", "-o", help=h("remedy.help.opt.out_dir"), metavar="DIR")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        daily(k, day, out_dir, as_json)


def pct(x: Optional[float]) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def incident_report(k: Kit, incident: str, as_json: bool) -> None:
    r = k.rt()
    say = k.say
    with r.store.transaction() as s:
        data = reports.incident_report(s, r.ctx, parse_id(incident))
    if as_json:
        print_json(k.out, money_json(data))
        return
    i, comp, cbs, sat = data["incident"], data["compensation"], data["callbacks"], data["satisfaction"]
    say(
        t(
            "remedy.out.report_head",
            r.lang,
            ref=i["ref"],
            title=i["title"],
            kind=i["kind"],
            severity=i["severity"],
            status=i["status"],
        ),
        "bold",
    )
    sources = ", ".join(f"{src} {v}" for src, v in sorted(data["affected_by_source"].items())) or "—"
    say(t("remedy.out.report_affected", r.lang, n=data["affected"], sources=sources))
    say(
        t(
            "remedy.out.report_comp",
            r.lang,
            customers=comp["customers_compensated"],
            committed=num(comp["money_committed"]),
            issued=num(comp["money_issued"]),
        )
    )
    for form, x in sorted(comp["issued_by_form"].items()):
        say(
            t(
                "remedy.out.report_form",
                r.lang,
                form=form,
                count=x["count"],
                amount=amt(x["amount"], x["unit"]),
                unit=x["unit"],
            )
        )
    for st in LABELS["comp_status"]:
        if st in comp["by_status"]:
            x = comp["by_status"][st]
            say(t("remedy.out.totals_status", r.lang, status=st, count=x["count"], amounts=amounts_text(x, r.lang)))
    say(
        t(
            "remedy.out.report_callbacks",
            r.lang,
            total=cbs["total"],
            done=cbs["done"],
            open=cbs["open"],
            overdue=cbs["overdue"],
            unreached=cbs["unreached"],
        ),
        "red" if cbs["overdue"] else None,
    )
    dist = " · ".join(f"{k}★ {v}" for k, v in sat["distribution"].items())
    say(
        t(
            "remedy.out.report_satisfaction",
            r.lang,
            dist=dist,
            answers=sat["answers"],
            mean="—" if sat["mean"] is None else sat["mean"],
            share=pct(sat["satisfied_share"]),
        )
    )


def daily(k: Kit, day: Optional[str], out_dir: Optional[Path], as_json: bool) -> None:
    r = k.rt()
    say = k.say
    if day is None:
        chosen = r.clock.now().astimezone(r.config.zone).date()
    else:
        try:
            chosen = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise InputError("remedy.error.bad_date", value=day) from None
    directory = out_dir or (r.settings.data_dir / "reports")
    with r.store.transaction() as s:
        data, md, html = reports.write_daily(s, r.ctx, chosen, directory, r.lang)
    if as_json:
        print_json(k.out, {**data, "markdown": str(md), "html": str(html)})
        return
    say(t("remedy.out.daily_written", r.lang, day=data["day"]), "bold green")
    say(f"  {md}")
    say(f"  {html}")
    c, sat, inc = data["callbacks"], data["satisfaction"], data["incidents"]
    say(t("remedy.out.daily_complaints", r.lang, total=data["complaints"]["total"]))
    say(
        t(
            "remedy.out.daily_callbacks",
            r.lang,
            due=c["due"],
            handled=c["handled"],
            rate=pct(c["handling_rate"]),
            on_time=c["handled_in_time"],
            on_time_rate=pct(c["on_time_rate"]),
            overdue=c["overdue_open"],
        )
    )
    say(
        t(
            "remedy.out.daily_satisfaction",
            r.lang,
            answers=sat["answers"],
            mean="—" if sat["mean"] is None else sat["mean"],
        )
    )
    say(t("remedy.out.daily_incidents", r.lang, opened=inc["opened"], resolved=inc["resolved"]))
