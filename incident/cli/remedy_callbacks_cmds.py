"""``incident callbacks``: follow-up calls (回访) — sweep, the due list, an
agent's own calls with their scripts, one callback, record an attempt.

Each command is a thin closure (its help texts are in the app's language,
fixed when the app is built) over a module-level function that does the
work. No `from __future__ import annotations`: typer reads the hints."""

import datetime as dt
from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.cli.remedy_common import (
    NO_LIMIT,
    Kit,
    Opt,
    agent_key,
    cells,
    check_limit,
    customer_json,
    either_incident,
    entry_id,
    own_only,
    salutation,
)
from incident.cli.render import print_json
from incident.errors import IncidentError, InputError
from incident.i18n import label, t
from incident.incidents import get as get_incident
from incident.incidents import parse_id
from incident.models import AffectedCustomer, Callback, CallbackAttempt
from incident.remedy import callbacks
from incident.roster import display as display_person
from incident.runtime import Runtime
from incident.timeutil import end_of_local_day, fmt, iso_utc


def register(app: typer.Typer, k: Kit) -> None:
    # The options' help is in the app's language: the commands are closures
    # over it; the work is in the module-level functions below.
    h = k.h
    JsonOpt = Annotated[bool, Opt("--json", help=h("help.opt.json"))]
    LimitOpt = Annotated[int, Opt("--limit", help=h("help.opt.limit"), metavar="N")]
    IncFilter = Annotated[
        Optional[str], Opt("--incident", "-i", help=h("remedy.help.opt.incident_filter"), metavar="INCIDENT")
    ]
    IncPos = Annotated[Optional[str], typer.Argument(metavar="[INCIDENT]", help=h("remedy.help.opt.incident_filter"))]
    CallbackArg = Annotated[str, typer.Argument(metavar="ID", help=h("remedy.help.arg.callback"))]

    cb_app = typer.Typer(help=h("remedy.help.callbacks"), no_args_is_help=True)
    app.add_typer(cb_app, name="callbacks")

    @cb_app.command("sweep", help=h("remedy.help.callbacks.sweep"))
    def cb_sweep(as_json: JsonOpt = False) -> None:
        sweep(k, as_json)

    @cb_app.command("due", help=h("remedy.help.callbacks.due"))
    def cb_due(
        incident_arg: IncPos = None,
        incident: IncFilter = None,
        agent: Annotated[Optional[str], Opt("--agent", help=h("remedy.help.opt.agent"), metavar="NAME")] = None,
        limit: LimitOpt = 50,
        as_json: JsonOpt = False,
    ) -> None:
        due(k, either_incident(incident_arg, incident), agent, limit, as_json)

    @cb_app.command("mine", help=h("remedy.help.callbacks.mine"))
    def cb_mine(limit: LimitOpt = 50) -> None:
        mine(k, limit)

    @cb_app.command("show", help=h("remedy.help.callbacks.show"))
    def cb_show(callback_id: CallbackArg, as_json: JsonOpt = False) -> None:
        show(k, callback_id, as_json)

    @cb_app.command("record", help=h("remedy.help.callbacks.record"))
    def cb_record(
        callback_id: CallbackArg,
        result: Annotated[str, typer.Argument(metavar="RESULT", help=h("remedy.help.arg.result"))],
        satisfaction: Annotated[
            Optional[str], Opt("--satisfaction", help=h("remedy.help.opt.satisfaction"), metavar="1-5")
        ] = None,
        note: Annotated[Optional[str], Opt("--note", help=h("remedy.help.opt.note"), metavar="TEXT")] = None,
        demand: Annotated[Optional[str], Opt("--demand", help=h("remedy.help.opt.demand"), metavar="TEXT")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        record(k, callback_id, result, satisfaction, note, demand, as_json)


def sweep(k: Kit, as_json: bool) -> None:
    r = k.rt()
    with r.store.transaction() as s:
        report = callbacks.sweep(s, r.ctx)
    r.deliver()
    if as_json:
        print_json(
            k.out,
            {
                "created": report.created,
                "cancelled": report.cancelled,
                "assigned": report.assigned,
                "escalated": report.escalated,
                "by_agent": dict(report.by_agent),
            },
        )
        return
    k.say(
        t(
            "remedy.out.sweep",
            r.lang,
            created=report.created,
            cancelled=report.cancelled,
            assigned=report.assigned,
            escalated=report.escalated,
        ),
        "bold",
    )
    for agent, n in sorted(report.by_agent.items()):
        k.say(t("remedy.out.sweep_agent", r.lang, agent=display_person(r.config, agent), n=n))
    if report.created and not callbacks.agents(r.config):
        k.say(t("remedy.out.no_agents", r.lang), "yellow")


def due_json(d: callbacks.DueRow, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": d.id,
        "incident": f"INC-{d.incident_id}",
        "reason": d.reason,
        "customer_ref": d.customer_ref,
        "name": d.name,
        "title": d.title,
        "contact": d.contact,
        "lang": d.lang,
        "assignee": d.assignee,
        "attempts": d.attempts,
        "call_at": iso_utc(d.call_at),
        "due_at": iso_utc(d.due_at),
        "overdue": d.due_at < now,
    }


def due_table(rows: list[callbacks.DueRow], r: Runtime, now: dt.datetime) -> Table:
    table = Table()
    for col in ("id", "incident", "reason", "ref", "name", "contact", "agent", "call_at", "due_at", "attempts"):
        table.add_column(t(f"remedy.col.{col}", r.lang), overflow="fold")
    for d in rows:
        late = d.due_at < now
        due_cell = Text(
            fmt(d.due_at, r.config.zone) + (t("remedy.overdue", r.lang) if late else ""),
            style="bold red" if late else "",
        )
        table.add_row(
            *cells(
                f"#{d.id}",
                f"INC-{d.incident_id}",
                label("callback_reason", d.reason, r.lang),
                d.customer_ref,
                salutation(d.name, d.title),
                d.contact,
                display_person(r.config, d.assignee),
                fmt(d.call_at, r.config.zone),
                due_cell,
                d.attempts,
            )
        )
    return table


def due(k: Kit, incident: Optional[str], agent: Optional[str], limit: int, as_json: bool) -> None:
    r = k.rt()
    n = check_limit(limit)
    now = r.clock.now()
    iid = parse_id(incident) if incident else None
    who = agent_key(r.config, agent) if agent else None
    if not r.can("callbacks.all"):
        who = r.actor  # as the web: an agent sees their own calls, whatever --agent says
    with r.store.transaction() as s:
        if iid is not None:
            get_incident(s, iid)
        rows = callbacks.due(s, now, agent=who, incident_id=iid, limit=n + 1 if n < NO_LIMIT else n)
    more, rows = len(rows) > n, rows[:n]
    if as_json:
        print_json(k.out, [due_json(d, now) for d in rows])
        return
    if not rows:
        k.say(t("remedy.out.no_callbacks", r.lang))
        return
    k.out.print(due_table(rows, r, now))
    if more:
        k.say(t("remedy.out.more_rows", r.lang, shown=len(rows)), "dim")


def show_script(k: Kit, s: Any, r: Runtime, cb: Callback) -> None:
    text, findings = callbacks.script(s, r.config, cb)
    k.say(t("remedy.out.script", r.lang), "bold")
    k.say("  " + text.strip().replace("\n", "\n  "), soft=True)
    for f in findings:
        k.say(
            t("remedy.out.script_finding", r.lang, rule=f.rule, text=f.text, message=f.message(r.lang)),
            "red" if f.severity == "error" else "yellow",
        )


def mine(k: Kit, limit: int) -> None:
    r = k.rt()
    n = check_limit(limit)
    now = r.clock.now()
    try:
        me = agent_key(r.config, r.actor)
    except IncidentError:
        me = r.actor  # not in the roster: nothing is assigned to them, say so below
    end = end_of_local_day(now, r.config.zone)
    shown_until = fmt(end - dt.timedelta(minutes=1), r.config.zone)
    who = display_person(r.config, me)
    with r.store.transaction() as s:
        rows = callbacks.due(s, now, agent=me, until=end, limit=n)
        if not rows:
            k.say(t("remedy.out.mine_none", r.lang, who=who, until=shown_until))
            return
        k.say(t("remedy.out.mine_head", r.lang, who=who, until=shown_until, n=len(rows)), "bold")
        for d in rows:
            late = d.due_at < now
            k.say("")
            k.say(
                t(
                    "remedy.out.mine_item",
                    r.lang,
                    id=d.id,
                    incident=f"INC-{d.incident_id}",
                    reason=d.reason,
                    customer=f"{d.customer_ref} {salutation(d.name, d.title)}",
                    contact=d.contact or "—",
                    call_at=fmt(d.call_at, r.config.zone),
                    due_at=fmt(d.due_at, r.config.zone),
                    late=t("remedy.overdue", r.lang) if late else "",
                ),
                "bold red" if late else "bold",
            )
            show_script(k, s, r, callbacks.get(s, d.id))


def show(k: Kit, callback_id: str, as_json: bool) -> None:
    r = k.rt()
    now = r.clock.now()
    with r.store.transaction() as s:
        cb = callbacks.get(s, entry_id(callback_id))
        own_only(r, cb.assignee)
        c = s.get(AffectedCustomer, cb.customer_id)
        assert c is not None
        attempts = list(
            s.scalars(select(CallbackAttempt).where(CallbackAttempt.callback_id == cb.id).order_by(CallbackAttempt.id))
        )
        if as_json:
            print_json(k.out, callback_json(s, r, cb, c, attempts, now))
            return
        say_callback(k, r, cb, c, attempts, now)
        show_script(k, s, r, cb)


def callback_json(
    s: Session, r: Runtime, cb: Callback, c: AffectedCustomer, attempts: list[CallbackAttempt], now: dt.datetime
) -> dict[str, Any]:
    text, findings = callbacks.script(s, r.config, cb)
    return {
        "id": cb.id,
        "incident": f"INC-{cb.incident_id}",
        "reason": cb.reason,
        "status": cb.status,
        "customer": customer_json(c),
        "assignee": cb.assignee,
        "call_at": iso_utc(cb.call_at),
        "due_at": iso_utc(cb.due_at),
        "overdue": cb.status == "open" and cb.due_at < now,
        "attempts": [{"at": iso_utc(a.at), "agent": a.agent, "result": a.result, "note": a.note} for a in attempts],
        "outcome": cb.outcome,
        "satisfaction": cb.satisfaction,
        "note": cb.note,
        "new_demand": cb.new_demand,
        "parent_id": cb.parent_id,
        "complex": cb.complex,
        "escalated_at": iso_utc(cb.escalated_at),
        "closed_at": iso_utc(cb.closed_at),
        "script": text,
        "findings": [f.as_json(r.lang) for f in findings],
    }


def say_callback(
    k: Kit, r: Runtime, cb: Callback, c: AffectedCustomer, attempts: list[CallbackAttempt], now: dt.datetime
) -> None:
    tz = r.config.zone
    k.say(
        t(
            "remedy.out.callback_head",
            r.lang,
            id=cb.id,
            incident=f"INC-{cb.incident_id}",
            reason=cb.reason,
            status=cb.status,
        ),
        "bold",
    )
    late = cb.status == "open" and cb.due_at < now
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows: list[tuple[str, Any]] = [
        ("customer", f"{c.customer_ref}  {salutation(c.name, c.title)}"),
        ("contact", c.contact or "—"),
        ("lang", c.lang),
        ("agent", display_person(r.config, cb.assignee)),
        ("call_at", fmt(cb.call_at, tz)),
        (
            "due_at",
            Text(fmt(cb.due_at, tz) + (t("remedy.overdue", r.lang) if late else ""), style="bold red" if late else ""),
        ),
        ("attempts", str(cb.attempts)),
    ]
    if cb.outcome:
        rows.append(("outcome", label("callback_result", cb.outcome, r.lang)))
    if cb.satisfaction is not None:
        rows.append(("satisfaction", f"{cb.satisfaction}/5"))
    if cb.note or cb.new_demand:
        rows.append(("note", " / ".join(x for x in (cb.note, cb.new_demand) if x)))
    if cb.complex:
        rows.append(("complex", t("remedy.yes", r.lang)))
    if cb.parent_id:
        rows.append(("parent", f"#{cb.parent_id}"))
    if cb.escalated_at:
        rows.append(("escalated", fmt(cb.escalated_at, tz)))
    for key, value in rows:
        grid.add_row(Text(t(f"remedy.field.{key}", r.lang)), value if isinstance(value, Text) else Text(value))
    k.out.print(grid)
    if attempts:
        k.say(t("remedy.field.attempt_log", r.lang), "bold")
        for a in attempts:
            k.say(
                t(
                    "remedy.out.attempt",
                    r.lang,
                    at=fmt(a.at, tz),
                    agent=display_person(r.config, a.agent),
                    result=a.result,
                    note=f" — {a.note}" if a.note else "",
                )
            )


def record(
    k: Kit,
    callback_id: str,
    result: str,
    satisfaction: Optional[str],
    note: Optional[str],
    demand: Optional[str],
    as_json: bool,
) -> None:
    r = k.rt()
    score: Optional[int] = None
    if satisfaction is not None:
        try:
            score = int(satisfaction.strip())
        except ValueError:
            raise InputError("callback.error.satisfaction", value=satisfaction) from None
    with r.store.transaction() as s:
        cid = entry_id(callback_id)
        own_only(r, callbacks.get(s, cid).assignee)  # before anything is written, as the web
        cb, follow = callbacks.record_attempt(s, r.ctx, cid, result, satisfaction=score, note=note, new_demand=demand)
        data: dict[str, Any] = {
            "id": cb.id,
            "result": cb.outcome,
            "status": cb.status,
            "attempts": cb.attempts,
            "satisfaction": cb.satisfaction,
            "call_at": iso_utc(cb.call_at) if cb.status == "open" else None,
            "follow_up": None
            if follow is None
            else {"id": follow.id, "assignee": follow.assignee, "due_at": iso_utc(follow.due_at)},
        }
        next_at, follow_due = cb.call_at, follow.due_at if follow else None
    r.deliver()
    if as_json:
        print_json(k.out, data)
        return
    k.say(
        t("remedy.out.recorded", r.lang, id=data["id"], result=data["result"], status=data["status"]),
        "bold green" if data["status"] == "done" else "bold",
    )
    if data["status"] == "open":
        k.say(t("remedy.out.next_try", r.lang, at=fmt(next_at, r.config.zone), attempts=data["attempts"]))
    if data["follow_up"]:
        k.say(
            t(
                "remedy.out.follow_up",
                r.lang,
                assignee=display_person(r.config, data["follow_up"]["assignee"]),
                id=data["follow_up"]["id"],
                due=fmt(follow_due, r.config.zone),
            ),
            "yellow",
        )
