"""``incident comp``: the compensation ledger — propose (by hand or by
policy), approve, reject, reverse, issue through the provider, list.

Each command is a thin closure (its help texts are in the app's language,
fixed when the app is built) over a module-level function that does the
work. No `from __future__ import annotations`: typer reads the hints."""

import datetime as dt
from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select

from incident.adapters.compensation import default_provider
from incident.cli.remedy_common import (
    NO_LIMIT,
    SHOWN,
    Kit,
    Opt,
    amounts_text,
    amt,
    bar,
    cells,
    check_limit,
    either_incident,
    entry_id,
    entry_json,
    num,
)
from incident.cli.render import print_json
from incident.errors import InputError
from incident.i18n import LABELS, from_label, label, t
from incident.incidents import get as get_incident
from incident.incidents import parse_id
from incident.models import Compensation
from incident.money import money_json
from incident.remedy import customers, issuing, ledger
from incident.runtime import Runtime
from incident.timeutil import fmt

_STATUS_STYLE = {"proposed": "yellow", "failed": "red", "issued": "green", "reversed": "dim"}


def register(app: typer.Typer, k: Kit) -> None:
    # The options' help is in the app's language: the commands are closures
    # over it; the work is in the module-level functions below.
    h = k.h
    JsonOpt = Annotated[bool, Opt("--json", help=h("help.opt.json"))]
    LimitOpt = Annotated[int, Opt("--limit", help=h("help.opt.limit"), metavar="N")]
    IncArg = Annotated[str, typer.Argument(metavar="INCIDENT", help=h("help.arg.id"))]
    IncFilter = Annotated[
        Optional[str], Opt("--incident", "-i", help=h("remedy.help.opt.incident_filter"), metavar="INCIDENT")
    ]
    # `comp list 2` as `customers list 2` does: the incident may be given either way.
    IncPos = Annotated[Optional[str], typer.Argument(metavar="[INCIDENT]", help=h("remedy.help.opt.incident_filter"))]
    EntryArg = Annotated[str, typer.Argument(metavar="ID", help=h("remedy.help.arg.entry"))]
    ReasonReq = Annotated[str, Opt("--reason", help=h("remedy.help.opt.reason_req"), metavar="TEXT")]

    comp_app = typer.Typer(help=h("remedy.help.comp"), no_args_is_help=True)
    app.add_typer(comp_app, name="comp")

    @comp_app.command("propose", help=h("remedy.help.comp.propose"))
    def comp_propose(
        incident: IncArg,
        policy: Annotated[bool, Opt("--policy", help=h("remedy.help.opt.policy"))] = False,
        customer: Annotated[Optional[str], Opt("--customer", help=h("remedy.help.opt.customer"), metavar="REF")] = None,
        form: Annotated[Optional[str], Opt("--form", help=h("remedy.help.opt.form"), metavar="FORM")] = None,
        # Text, not float: "0.10" stays exactly ten fen (ledger.parse_amount).
        amount: Annotated[Optional[str], Opt("--amount", help=h("remedy.help.opt.amount"), metavar="N")] = None,
        reason: Annotated[Optional[str], Opt("--reason", help=h("remedy.help.opt.reason"), metavar="TEXT")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        propose(k, incident, policy, customer, form, amount, reason, as_json)

    @comp_app.command("approve", help=h("remedy.help.comp.approve"))
    def comp_approve(
        ids: Annotated[
            Optional[list[str]], typer.Argument(metavar="ID...", help=h("remedy.help.arg.entries"), show_default=False)
        ] = None,
        incident: Annotated[
            Optional[str], Opt("--incident", "-i", help=h("remedy.help.opt.incident_approve"), metavar="INCIDENT")
        ] = None,
    ) -> None:
        approve(k, ids, incident)

    @comp_app.command("reject", help=h("remedy.help.comp.reject"))
    def comp_reject(entry: EntryArg, reason: ReasonReq) -> None:
        reject(k, entry, reason)

    @comp_app.command("reverse", help=h("remedy.help.comp.reverse"))
    def comp_reverse(entry: EntryArg, reason: ReasonReq) -> None:
        reverse(k, entry, reason)

    @comp_app.command("issue", help=h("remedy.help.comp.issue"))
    def comp_issue(
        incident_arg: IncPos = None,
        incident: IncFilter = None,
        batch: Annotated[Optional[int], Opt("--batch", help=h("remedy.help.opt.batch"), metavar="N")] = None,
        lease_seconds: Annotated[
            Optional[int], Opt("--lease-seconds", help=h("remedy.help.opt.lease"), metavar="S")
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        issue(k, either_incident(incident_arg, incident), batch, lease_seconds, as_json)

    @comp_app.command("list", help=h("remedy.help.comp.list"))
    def comp_list(
        incident_arg: IncPos = None,
        incident: IncFilter = None,
        status: Annotated[Optional[str], Opt("--status", help=h("remedy.help.opt.status"), metavar="STATUS")] = None,
        limit: LimitOpt = 50,
        as_json: JsonOpt = False,
    ) -> None:
        list_entries(k, either_incident(incident_arg, incident), status, limit, as_json)


def propose(
    k: Kit,
    incident: str,
    policy: bool,
    customer: Optional[str],
    form: Optional[str],
    amount: Optional[str],
    reason: Optional[str],
    as_json: bool,
) -> None:
    r = k.rt()
    iid = parse_id(incident)
    manual = (customer, form, amount)
    if policy:
        if any(v is not None for v in (*manual, reason)):
            raise InputError("remedy.error.propose_args")
        propose_by_policy(k, r, iid, as_json)
        return
    if any(v is None for v in manual):
        raise InputError("remedy.error.propose_args")
    assert customer is not None and form is not None and amount is not None
    with r.store.transaction() as s:
        entry = ledger.propose(s, r.ctx, iid, customer, form, amount, reason)
        data = entry_json(entry, customers.find(s, iid, customer))
    r.deliver()
    if as_json:
        print_json(k.out, money_json(data))
        return
    k.say(
        t(
            "remedy.out.proposed_one",
            r.lang,
            id=data["id"],
            ref=data["customer_ref"],
            form=data["form"],
            amount=amt(data["amount"], data["unit"]),
            unit=data["unit"],
        ),
        "bold green",
    )
    if data["status"] == "proposed":
        k.say(t("remedy.out.awaits", r.lang, id=data["id"]), "yellow")
    else:
        k.say(t("remedy.out.auto_approved", r.lang))


def propose_by_policy(k: Kit, r: Runtime, iid: int, as_json: bool) -> None:
    with bar(r, "remedy.out.proposing", as_json) as progress:
        task = progress.add_task("propose", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        # One transaction: the proposals of one run stand or fall together
        # (and the budget check sees all of them).
        with r.store.transaction() as s:
            report = ledger.propose_by_policy(s, r.ctx, iid, progress=tick)
    r.deliver()
    refused = [
        {"customer_ref": ref, "error": key, "message": t(key, r.lang, **params)} for ref, key, params in report.refused
    ]
    if as_json:
        print_json(
            k.out,
            {
                "incident": f"INC-{iid}",
                "proposed": report.proposed,
                "need_approval": report.need_approval,
                "auto_approved": report.auto_approved,
                "existing": report.existing,
                "ineligible": report.ineligible,
                "refused": refused,
                "ids": report.ids,
            },
        )
        return
    k.say(
        t(
            "remedy.out.policy_done",
            r.lang,
            proposed=report.proposed,
            need_approval=report.need_approval,
            auto_approved=report.auto_approved,
            existing=report.existing,
            ineligible=report.ineligible,
            refused=len(refused),
        ),
        "bold",
    )
    for x in refused[:SHOWN]:
        k.say(t("remedy.out.refused_row", r.lang, ref=x["customer_ref"], message=x["message"]), "red")
    if len(refused) > SHOWN:
        k.say(t("remedy.out.more_refused", r.lang, n=len(refused) - SHOWN), "dim")
    if report.need_approval:
        k.say(t("remedy.out.approve_hint", r.lang, incident=iid), "yellow")


def approve(k: Kit, ids: Optional[list[str]], incident: Optional[str]) -> None:
    r = k.rt()
    if bool(ids) == bool(incident):
        raise InputError("remedy.error.approve_args")
    own_left = 0
    with r.store.transaction() as s:
        if incident:
            iid = parse_id(incident)
            get_incident(s, iid)
            changed = ledger.approve_incident(s, r.ctx, iid)
            own_left = (
                s.scalar(
                    select(func.count())
                    .select_from(Compensation)
                    .where(
                        Compensation.incident_id == iid,
                        Compensation.status == "proposed",
                        Compensation.proposed_by == r.ctx.actor,
                    )
                )
                or 0
            )
        else:
            changed = ledger.approve(s, r.ctx, [entry_id(x) for x in ids or []])
    r.deliver()
    if changed:
        k.say(t("remedy.out.approved", r.lang, n=changed), "bold green")
    else:
        k.say(t("remedy.out.approved_none", r.lang))
    if own_left:
        k.say(t("remedy.out.own_left", r.lang, n=own_left), "yellow")


def reject(k: Kit, entry: str, reason: str) -> None:
    r = k.rt()
    with r.store.transaction() as s:
        e = ledger.reject(s, r.ctx, entry_id(entry), reason)
        eid = e.id
    r.deliver()
    k.say(t("remedy.out.rejected", r.lang, id=eid, reason=reason.strip()), "yellow")


def reverse(k: Kit, entry: str, reason: str) -> None:
    r = k.rt()
    provider = default_provider(r.settings.data_dir, r.clock, store=r.store)
    with r.store.transaction() as s:
        e = ledger.reverse(s, r.ctx, entry_id(entry), reason, provider)
        eid, amount, unit = e.id, e.amount, e.unit
    r.deliver()
    k.say(
        t("remedy.out.reversed", r.lang, id=eid, amount=amt(amount, unit), unit=unit, reason=reason.strip()),
        "yellow",
    )


def issue(k: Kit, incident: Optional[str], batch: Optional[int], lease_seconds: Optional[int], as_json: bool) -> None:
    r = k.rt()
    if batch is not None and batch < 1:
        raise InputError("remedy.error.positive", option="--batch", value=batch)
    if lease_seconds is not None and lease_seconds < 0:
        raise InputError("remedy.error.not_negative", option="--lease-seconds", value=lease_seconds)
    iid = parse_id(incident) if incident else None
    if iid is not None:
        with r.store.transaction() as s:
            get_incident(s, iid)
    provider = default_provider(r.settings.data_dir, r.clock, store=r.store)
    waiting = issuing.pending(r.store, iid)
    with bar(r, "remedy.out.issuing", as_json or not waiting) as progress:
        task = progress.add_task("issue", total=waiting or None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        # A runner, not a service function: it owns its transactions
        # (a claim committed before the provider is called, then the results).
        report = issuing.issue_due(
            r.store,
            r.ctx,
            provider,
            incident_id=iid,
            batch=batch,
            # 0 is meaningful: claims interrupted at any time ago are taken now.
            lease=dt.timedelta(seconds=lease_seconds) if lease_seconds is not None else issuing.LEASE,
            progress=tick,
        )
    r.deliver()
    say_issued(k, r, report, as_json)
    if report.failed or report.retrying:
        raise typer.Exit(1)


def say_issued(k: Kit, r: Runtime, report: issuing.IssueReport, as_json: bool) -> None:
    if as_json:
        print_json(
            k.out,
            {
                "issued": report.issued,
                "failed": report.failed,
                "retrying": report.retrying,
                "batches": report.batches,
                "errors": report.errors,
            },
        )
    elif not report.batches and not report.errors:
        k.say(t("remedy.out.nothing_to_issue", r.lang))
    else:
        style = "bold green" if not (report.failed or report.retrying) else "bold yellow"
        k.say(
            t(
                "remedy.out.issued",
                r.lang,
                issued=report.issued,
                failed=report.failed,
                retrying=report.retrying,
                batches=report.batches,
            ),
            style,
        )
        for err in report.errors[:SHOWN]:
            k.say(t("remedy.out.issue_error", r.lang, error=err), "red")
        if len(report.errors) > SHOWN:
            k.say(t("remedy.out.more_errors", r.lang, n=len(report.errors) - SHOWN), "dim")


def list_entries(k: Kit, incident: Optional[str], status: Optional[str], limit: int, as_json: bool) -> None:
    r = k.rt()
    n = check_limit(limit)
    if status is not None:
        status = from_label("comp_status", status)
        if status not in LABELS["comp_status"]:
            raise InputError("remedy.error.bad_status", value=status, allowed=", ".join(LABELS["comp_status"]))
    iid = parse_id(incident) if incident else None
    totals = None
    with r.store.transaction() as s:
        if iid is not None:
            get_incident(s, iid)
            totals = ledger.totals(s, iid)
        rows = ledger.list_entries(s, iid, status, limit=n + 1 if n < NO_LIMIT else n)
        more = len(rows) > n
        data = [entry_json(e, c) for e, c in rows[:n]]
    if as_json:
        print_json(k.out, money_json({"entries": data, "totals": totals}))
        return
    if not data:
        k.say(t("remedy.out.no_entries", r.lang))
    else:
        k.out.print(entries_table(r, data, [e for e, _c in rows[:n]]))
        if more:
            k.say(t("remedy.out.more_rows", r.lang, shown=len(data)), "dim")
    if totals is not None:
        say_totals(k, r, iid, totals)


def entries_table(r: Runtime, data: list[dict[str, Any]], entries: list[Compensation]) -> Table:
    table = Table()
    for col in ("id", "incident", "ref", "form", "amount", "status", "proposed_by", "approved_by", "when"):
        table.add_column(t(f"remedy.col.{col}", r.lang), overflow="fold")
    for d, e in zip(data, entries, strict=True):
        last = e.reversed_at or e.issued_at or e.approved_at or e.proposed_at
        state = Text(label("comp_status", d["status"], r.lang), style=_STATUS_STYLE.get(d["status"], ""))
        table.add_row(
            *cells(
                f"#{d['id']}",
                d["incident"],
                d["customer_ref"],
                label("form", d["form"], r.lang),
                f"{amt(d['amount'], d['unit'])} {label('unit', d['unit'], r.lang)}",
                state,
                d["proposed_by"],
                d["approved_by"],
                fmt(last, r.config.zone),
            )
        )
    return table


def say_totals(k: Kit, r: Runtime, iid: Optional[int], totals: dict[str, Any]) -> None:
    k.say(t("remedy.out.totals_head", r.lang, incident=f"INC-{iid}"), "bold")
    for st in LABELS["comp_status"]:
        if st in totals["by_status"]:
            x = totals["by_status"][st]
            k.say(t("remedy.out.totals_status", r.lang, status=st, count=x["count"], amounts=amounts_text(x, r.lang)))
    k.say(
        t(
            "remedy.out.totals_money",
            r.lang,
            committed=num(totals["money_committed"]),
            issued=num(totals["money_issued"]),
            customers=totals["customers_compensated"],
        )
    )
