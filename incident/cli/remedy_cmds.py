"""CLI commands of the remedy half: ``customers`` (affected customers),
``comp`` (the compensation ledger), ``callbacks`` (回访) and ``report``.

Every write command owns its transaction(s) — the service functions never
commit — and delivers the notifications it queued after the commit.
Progress bars go to stderr, only on a terminal (rich's ``is_terminal``,
so ``TTY_COMPATIBLE=1`` / ``FORCE_COLOR=1`` force them), never with --json."""

import datetime as dt
import itertools
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select

from incident.access import texts as _access_texts  # noqa: F401  (access.error.not_yours)
from incident.adapters.compensation import default_provider
from incident.cli import remedy_texts as _cli_remedy_texts  # noqa: F401
from incident.cli import texts as _cli_texts  # noqa: F401  (help.opt.json, help.opt.limit, help.arg.id, out.more)
from incident.cli.render import print_json
from incident.cli.report_cmds import register as register_report_monthly
from incident.config import AppConfig
from incident.errors import ForbiddenError, IncidentError, InputError
from incident.i18n import LABELS, from_label, label, t
from incident.incidents import get as get_incident
from incident.incidents import parse_id
from incident.models import AffectedCustomer, Callback, CallbackAttempt, Compensation
from incident.money import fmt_amount, fmt_money, money_json
from incident.remedy import callbacks, customers, issuing, ledger, reports
from incident.remedy import texts as _remedy_texts  # noqa: F401  (labels: form, unit, comp_status, callback_*)
from incident.roster import display as display_person
from incident.roster import find_person
from incident.runtime import Runtime
from incident.timeutil import end_of_local_day, fmt, iso_utc

Opt = typer.Option
SHOWN = 20  # bad rows / refusals / errors printed before "… and N more"
NO_LIMIT = 1_000_000_000


def _num(x: Decimal | None) -> str:
    """Money for people, always two places: 1,500.00; 12.50; None → —.
    (--json carries amounts as strings with two places: "1500.00".)"""
    return fmt_money(x)


def _amt(x: Decimal | None, unit: str) -> str:
    """An amount in its unit: 元 with two places, points and days whole (6,000)."""
    return fmt_amount(x, unit)


def _entry_id(value: str) -> int:
    m = re.fullmatch(r"#?\s*(\d+)", value.strip())
    if not m or int(m.group(1)) < 1:
        raise InputError("remedy.error.bad_entry", value=value)
    return int(m.group(1))


def _agent_key(config: AppConfig, text: str) -> str:
    """A roster key from a key, a name, an e-mail or a Slack id; without a
    roster the text as given (assignees are roster keys)."""
    if not config.people:
        return text.strip()
    return find_person(config, text)[0]


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    def say(text: str, style: Optional[str] = None, soft: bool = False) -> None:
        # Names, notes, scripts and file lines are user text: never markup.
        # soft: long prose (a script) is left for the terminal to wrap, so
        # that it is copied whole rather than cut at some column.
        out.print(text, style=style, markup=False, highlight=False, soft_wrap=soft)

    def cells(*values: object) -> list[Text]:
        return [v if isinstance(v, Text) else Text("—" if v is None or v == "" else str(v)) for v in values]

    def bar(r: Runtime, key: str, quiet: bool = False) -> Progress:
        err = Console(stderr=True)
        return Progress(
            TextColumn(t(key, r.lang)),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=quiet or not err.is_terminal,
            transient=True,
        )

    def check_limit(limit: int) -> int:
        if limit < 0:
            raise InputError("error.bad_limit", value=limit)
        return limit or NO_LIMIT

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
    CallbackArg = Annotated[str, typer.Argument(metavar="ID", help=h("remedy.help.arg.callback"))]

    # ==== customers ============================================================
    cust_app = typer.Typer(help=h("remedy.help.customers"), no_args_is_help=True)
    app.add_typer(cust_app, name="customers")

    def either_incident(positional: str | None, option: str | None) -> str | None:
        if positional and option and parse_id(positional) != parse_id(option):
            raise InputError("remedy.error.two_incidents", first=positional, second=option)
        return positional or option

    def schedule_now(r: Runtime, incident_id: int) -> callbacks.SweepReport:
        # Its own transaction, after the customers are committed: a failure
        # here loses no customer, and the sweep-callbacks flow (or
        # `incident callbacks sweep`) schedules what is missing later —
        # creation is keyed, so doing it twice creates nothing twice.
        with r.store.transaction() as s:
            report = callbacks.schedule(s, r.ctx, get_incident(s, incident_id))
            callbacks.assign(s, r.ctx, report=report)
        return report

    def say_scheduled(r: Runtime, sweep: callbacks.SweepReport) -> None:
        say(t("remedy.out.scheduled", r.lang, created=sweep.created, assigned=sweep.assigned))
        if sweep.created and not callbacks.agents(r.config):
            say(t("remedy.out.no_agents", r.lang), "yellow")

    def row_errors(r: Runtime, report: customers.ImportReport) -> list[dict[str, Any]]:
        return [{"line": e.line, "error": e.key, "message": t(e.key, r.lang, **e.params)} for e in report.errors]

    @cust_app.command("import", help=h("remedy.help.customers.import"))
    def customers_import(
        incident: IncArg,
        path: Annotated[Path, typer.Argument(metavar="FILE", help=h("remedy.help.arg.file"))],
        fmt_: Annotated[Optional[str], Opt("--format", help=h("remedy.help.opt.format"), metavar="csv|jsonl")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        iid = parse_id(incident)
        with r.store.transaction() as s:
            get_incident(s, iid)  # say "no such incident" before reading a large file
        if not path.is_file():
            raise InputError("remedy.error.no_file", path=str(path))
        with path.open("rb") as fh:
            total = max(1, sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")))
        records = iter(customers.read_file(path, fmt_))
        report = customers.ImportReport()
        with bar(r, "remedy.out.importing", as_json) as progress:
            task = progress.add_task("import", total=total)
            while True:
                chunk = list(itertools.islice(records, customers.CHUNK))
                if not chunk:
                    break
                # One transaction per chunk rather than one for the file: an
                # interrupted import keeps the chunks it committed, memory and
                # locks stay small, and running it again is idempotent because
                # a customer is unique per incident (the rows already stored
                # come back as duplicates).
                with r.store.transaction() as s:
                    customers.ingest(s, r.ctx, iid, chunk, source="import", report=report)
                progress.update(task, completed=min(chunk[-1][0], total))
        with r.store.transaction() as s:
            customers.finish_import(s, r.ctx, iid, report, "import")  # one timeline event for the whole file
        sweep = schedule_now(r, iid)
        r.deliver()
        errors = row_errors(r, report)
        if as_json:
            print_json(
                out,
                {
                    "incident": f"INC-{iid}",
                    "read": report.read,
                    "added": report.added,
                    "duplicates": report.duplicates,
                    "errors": errors,
                    "callbacks": {"created": sweep.created, "assigned": sweep.assigned},
                },
            )
        else:
            say(
                t(
                    "remedy.out.import_done",
                    r.lang,
                    read=report.read,
                    added=report.added,
                    duplicates=report.duplicates,
                    errors=len(errors),
                ),
                "bold",
            )
            for e in errors[:SHOWN]:
                say(t("remedy.out.row_error", r.lang, line=e["line"], message=e["message"]), "red")
            if len(errors) > SHOWN:
                say(t("remedy.out.more_errors", r.lang, n=len(errors) - SHOWN), "dim")
            say_scheduled(r, sweep)
        # As `complaints import`: the bad rows are listed, the good ones
        # kept, and the command fails only when nothing at all went in.
        if errors and not report.added and not report.duplicates:
            raise typer.Exit(1)

    @cust_app.command("add", help=h("remedy.help.customers.add"))
    def customers_add(
        incident: IncArg,
        ref: Annotated[str, Opt("--ref", help=h("remedy.help.opt.ref"), metavar="REF")],
        name: Annotated[Optional[str], Opt("--name", help=h("remedy.help.opt.name"), metavar="NAME")] = None,
        title: Annotated[Optional[str], Opt("--title", help=h("remedy.help.opt.title"), metavar="先生|女士")] = None,
        contact: Annotated[Optional[str], Opt("--contact", help=h("remedy.help.opt.contact"), metavar="PHONE")] = None,
        # Not --lang: the root --lang (the interface's language) is read from
        # the whole command line before parsing; --in is what the wording
        # commands call a customer's or a reply's language.
        cust_lang: Annotated[Optional[str], Opt("--in", help=h("remedy.help.opt.in"), metavar="LANG")] = None,
        order: Annotated[Optional[str], Opt("--order", help=h("remedy.help.opt.order"), metavar="REF")] = None,
        amount: Annotated[
            Optional[str], Opt("--amount", help=h("remedy.help.opt.amount_at_stake"), metavar="YUAN")
        ] = None,
        insured: Annotated[Optional[str], Opt("--insured", help=h("remedy.help.opt.insured"), metavar="KIND")] = None,
        declared: Annotated[
            Optional[str], Opt("--declared-value", help=h("remedy.help.opt.declared"), metavar="YUAN")
        ] = None,
        category: Annotated[
            Optional[str], Opt("--category", help=h("remedy.help.opt.category"), metavar="TEXT")
        ] = None,
        branch: Annotated[Optional[str], Opt("--branch", help=h("remedy.help.opt.branch"), metavar="TEXT")] = None,
        complex_: Annotated[bool, Opt("--complex", help=h("remedy.help.opt.complex"))] = False,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        iid = parse_id(incident)
        record = {
            "customer_ref": ref,
            "name": name,
            "title": title,
            "contact": contact,
            "lang": cust_lang,
            "order_ref": order,
            "amount_at_stake": amount,
            "insured": insured,
            "declared_value": declared,
            "category": category,
            "branch": branch,
            "complex": "1" if complex_ else "",
        }
        with r.store.transaction() as s:
            found = customers.add_one(s, r.ctx, iid, record)
            data = customer_json(found)
        sweep = schedule_now(r, iid)
        r.deliver()
        if as_json:
            print_json(out, money_json({**data, "callbacks": {"created": sweep.created, "assigned": sweep.assigned}}))
            return
        say(
            t(
                "remedy.out.customer_added",
                r.lang,
                ref=data["customer_ref"],
                incident=f"INC-{iid}",
                contact=data["contact"] or "—",
            ),
            "bold green",
        )
        say_scheduled(r, sweep)

    @cust_app.command("link", help=h("remedy.help.customers.link"))
    def customers_link(
        incident: IncArg,
        before_hours: Annotated[
            float, Opt("--before-hours", help=h("remedy.help.opt.before_hours"), metavar="H")
        ] = 2.0,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        iid = parse_id(incident)
        if before_hours < 0:
            raise InputError("remedy.error.not_negative", option="--before-hours", value=f"{before_hours:g}")
        with r.store.transaction() as s:
            report = customers.link_complaints(s, r.ctx, iid, before_hours=before_hours)
        sweep = schedule_now(r, iid)
        r.deliver()
        errors = row_errors(r, report)
        if as_json:
            print_json(
                out,
                {
                    "incident": f"INC-{iid}",
                    "read": report.read,
                    "added": report.added,
                    "duplicates": report.duplicates,
                    "errors": [{"complaint": e["line"], "error": e["error"], "message": e["message"]} for e in errors],
                    "callbacks": {"created": sweep.created, "assigned": sweep.assigned},
                },
            )
            return
        say(
            t(
                "remedy.out.linked",
                r.lang,
                read=report.read,
                added=report.added,
                duplicates=report.duplicates,
                errors=len(errors),
            ),
            "bold",
        )
        for e in errors[:SHOWN]:
            say(t("remedy.out.link_error", r.lang, line=e["line"], message=e["message"]), "red")
        if len(errors) > SHOWN:
            say(t("remedy.out.more_errors", r.lang, n=len(errors) - SHOWN), "dim")
        say_scheduled(r, sweep)

    def customer_json(c: AffectedCustomer) -> dict[str, Any]:
        return {
            "id": c.id,
            "incident": f"INC-{c.incident_id}",
            "customer_ref": c.customer_ref,
            "name": c.name,
            "title": c.title,
            "contact": c.contact,
            "lang": c.lang,
            "order_ref": c.order_ref,
            "amount_at_stake": c.amount_at_stake,
            "insured": c.insured,
            "declared_value": c.declared_value,
            "category": c.category,
            "branch": c.branch,
            "complex": c.complex,
            "source": c.source,
            "complained_at": iso_utc(c.complained_at),
            "added_by": c.added_by,
            "added_at": iso_utc(c.added_at),
        }

    def salutation(name: Optional[str], title: Optional[str]) -> str:
        return " ".join(x for x in (name, title) if x) or "—"

    @cust_app.command("list", help=h("remedy.help.customers.list"))
    def customers_list(incident: IncArg, limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
        r = rt()
        iid = parse_id(incident)
        n = check_limit(limit)
        with r.store.transaction() as s:
            get_incident(s, iid)
            rows = customers.list_customers(s, iid, limit=n)
            total = customers.count(s, iid)
            data = [customer_json(c) for c in rows]
        if as_json:
            print_json(out, money_json(data))
            return
        if not data:
            say(t("remedy.out.no_customers", r.lang, incident=f"INC-{iid}"))
            return
        table = Table(
            title=t("remedy.out.customers_head", r.lang, incident=f"INC-{iid}", total=total), title_justify="left"
        )
        for col in (
            "ref",
            "name",
            "contact",
            "lang",
            "order",
            "amount_at_stake",
            "cover",
            "category",
            "branch",
            "source",
        ):
            table.add_column(t(f"remedy.col.{col}", r.lang), overflow="fold")
        for c in data:
            cover = (
                label("cover", "declared_value", r.lang) + " " + _num(c["declared_value"])
                if c["declared_value"]
                else label("cover", f"insured_{c['insured']}", r.lang)
                if c["insured"]
                else "—"
            )
            table.add_row(
                *cells(
                    c["customer_ref"],
                    salutation(c["name"], c["title"]),
                    c["contact"],
                    c["lang"],
                    c["order_ref"],
                    _num(c["amount_at_stake"]),
                    cover,
                    c["category"],
                    c["branch"],
                    c["source"],
                )
            )
        out.print(table)
        if total > len(data):
            say(t("out.more", r.lang, shown=len(data), total=total), "dim")

    # ==== compensation =========================================================
    comp_app = typer.Typer(help=h("remedy.help.comp"), no_args_is_help=True)
    app.add_typer(comp_app, name="comp")

    def entry_json(e: Compensation, c: AffectedCustomer) -> dict[str, Any]:
        return {
            "id": e.id,
            "incident": f"INC-{e.incident_id}",
            "customer_ref": c.customer_ref,
            "form": e.form,
            "amount": e.amount,
            "unit": e.unit,
            "status": e.status,
            "needs_approval": e.needs_approval,
            "policy": e.policy,
            "reason": e.reason,
            "proposed_by": e.proposed_by,
            "proposed_at": iso_utc(e.proposed_at),
            "approved_by": e.approved_by,
            "approved_at": iso_utc(e.approved_at),
            "issued_at": iso_utc(e.issued_at),
            "provider_ref": e.provider_ref,
            "attempts": e.attempts,
            "last_error": e.last_error,
            "reversed_by": e.reversed_by,
            "reversed_at": iso_utc(e.reversed_at),
        }

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
        r = rt()
        iid = parse_id(incident)
        manual = (customer, form, amount)
        if policy:
            if any(v is not None for v in (*manual, reason)):
                raise InputError("remedy.error.propose_args")
            propose_by_policy(r, iid, as_json)
            return
        if any(v is None for v in manual):
            raise InputError("remedy.error.propose_args")
        assert customer is not None and form is not None and amount is not None
        with r.store.transaction() as s:
            entry = ledger.propose(s, r.ctx, iid, customer, form, amount, reason)
            data = entry_json(entry, customers.find(s, iid, customer))
        r.deliver()
        if as_json:
            print_json(out, money_json(data))
            return
        say(
            t(
                "remedy.out.proposed_one",
                r.lang,
                id=data["id"],
                ref=data["customer_ref"],
                form=data["form"],
                amount=_amt(data["amount"], data["unit"]),
                unit=data["unit"],
            ),
            "bold green",
        )
        if data["status"] == "proposed":
            say(t("remedy.out.awaits", r.lang, id=data["id"]), "yellow")
        else:
            say(t("remedy.out.auto_approved", r.lang))

    def propose_by_policy(r: Runtime, iid: int, as_json: bool) -> None:
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
            {"customer_ref": ref, "error": key, "message": t(key, r.lang, **params)}
            for ref, key, params in report.refused
        ]
        if as_json:
            print_json(
                out,
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
        say(
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
            say(t("remedy.out.refused_row", r.lang, ref=x["customer_ref"], message=x["message"]), "red")
        if len(refused) > SHOWN:
            say(t("remedy.out.more_refused", r.lang, n=len(refused) - SHOWN), "dim")
        if report.need_approval:
            say(t("remedy.out.approve_hint", r.lang, incident=iid), "yellow")

    @comp_app.command("approve", help=h("remedy.help.comp.approve"))
    def comp_approve(
        ids: Annotated[
            Optional[list[str]], typer.Argument(metavar="ID...", help=h("remedy.help.arg.entries"), show_default=False)
        ] = None,
        incident: Annotated[
            Optional[str], Opt("--incident", "-i", help=h("remedy.help.opt.incident_approve"), metavar="INCIDENT")
        ] = None,
    ) -> None:
        r = rt()
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
                changed = ledger.approve(s, r.ctx, [_entry_id(x) for x in ids or []])
        r.deliver()
        if changed:
            say(t("remedy.out.approved", r.lang, n=changed), "bold green")
        else:
            say(t("remedy.out.approved_none", r.lang))
        if own_left:
            say(t("remedy.out.own_left", r.lang, n=own_left), "yellow")

    @comp_app.command("reject", help=h("remedy.help.comp.reject"))
    def comp_reject(entry: EntryArg, reason: ReasonReq) -> None:
        r = rt()
        with r.store.transaction() as s:
            e = ledger.reject(s, r.ctx, _entry_id(entry), reason)
            eid = e.id
        r.deliver()
        say(t("remedy.out.rejected", r.lang, id=eid, reason=reason.strip()), "yellow")

    @comp_app.command("reverse", help=h("remedy.help.comp.reverse"))
    def comp_reverse(entry: EntryArg, reason: ReasonReq) -> None:
        r = rt()
        provider = default_provider(r.settings.data_dir, r.clock, store=r.store)
        with r.store.transaction() as s:
            e = ledger.reverse(s, r.ctx, _entry_id(entry), reason, provider)
            eid, amount, unit = e.id, e.amount, e.unit
        r.deliver()
        say(
            t("remedy.out.reversed", r.lang, id=eid, amount=_amt(amount, unit), unit=unit, reason=reason.strip()),
            "yellow",
        )

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
        incident = either_incident(incident_arg, incident)
        r = rt()
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
        if as_json:
            print_json(
                out,
                {
                    "issued": report.issued,
                    "failed": report.failed,
                    "retrying": report.retrying,
                    "batches": report.batches,
                    "errors": report.errors,
                },
            )
        elif not report.batches and not report.errors:
            say(t("remedy.out.nothing_to_issue", r.lang))
        else:
            style = "bold green" if not (report.failed or report.retrying) else "bold yellow"
            say(
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
                say(t("remedy.out.issue_error", r.lang, error=err), "red")
            if len(report.errors) > SHOWN:
                say(t("remedy.out.more_errors", r.lang, n=len(report.errors) - SHOWN), "dim")
        if report.failed or report.retrying:
            raise typer.Exit(1)

    def amounts_text(s: dict[str, Any], lang_: str) -> str:
        units = ("yuan", "points", "days")
        parts = [f"{_amt(s[unit], unit)} {label('unit', unit, lang_)}" for unit in units if s.get(unit)]
        return ("、" if lang_ == "zh-CN" else ", ").join(parts) or "—"

    @comp_app.command("list", help=h("remedy.help.comp.list"))
    def comp_list(
        incident_arg: IncPos = None,
        incident: IncFilter = None,
        status: Annotated[Optional[str], Opt("--status", help=h("remedy.help.opt.status"), metavar="STATUS")] = None,
        limit: LimitOpt = 50,
        as_json: JsonOpt = False,
    ) -> None:
        incident = either_incident(incident_arg, incident)
        r = rt()
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
            print_json(out, money_json({"entries": data, "totals": totals}))
            return
        if not data:
            say(t("remedy.out.no_entries", r.lang))
        else:
            table = Table()
            for col in ("id", "incident", "ref", "form", "amount", "status", "proposed_by", "approved_by", "when"):
                table.add_column(t(f"remedy.col.{col}", r.lang), overflow="fold")
            for d, (e, _c) in zip(data, rows[:n], strict=True):  # rows may hold one more (the "more" probe)
                last = e.reversed_at or e.issued_at or e.approved_at or e.proposed_at
                state = Text(
                    label("comp_status", d["status"], r.lang),
                    style={"proposed": "yellow", "failed": "red", "issued": "green", "reversed": "dim"}.get(
                        d["status"], ""
                    ),
                )
                table.add_row(
                    *cells(
                        f"#{d['id']}",
                        d["incident"],
                        d["customer_ref"],
                        label("form", d["form"], r.lang),
                        f"{_amt(d['amount'], d['unit'])} {label('unit', d['unit'], r.lang)}",
                        state,
                        d["proposed_by"],
                        d["approved_by"],
                        fmt(last, r.config.zone),
                    )
                )
            out.print(table)
            if more:
                say(t("remedy.out.more_rows", r.lang, shown=len(data)), "dim")
        if totals is not None:
            say(t("remedy.out.totals_head", r.lang, incident=f"INC-{iid}"), "bold")
            for st in LABELS["comp_status"]:
                if st in totals["by_status"]:
                    x = totals["by_status"][st]
                    say(
                        t(
                            "remedy.out.totals_status",
                            r.lang,
                            status=st,
                            count=x["count"],
                            amounts=amounts_text(x, r.lang),
                        )
                    )
            say(
                t(
                    "remedy.out.totals_money",
                    r.lang,
                    committed=_num(totals["money_committed"]),
                    issued=_num(totals["money_issued"]),
                    customers=totals["customers_compensated"],
                )
            )

    # ==== callbacks ============================================================
    cb_app = typer.Typer(help=h("remedy.help.callbacks"), no_args_is_help=True)
    app.add_typer(cb_app, name="callbacks")

    @cb_app.command("sweep", help=h("remedy.help.callbacks.sweep"))
    def cb_sweep(as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.transaction() as s:
            report = callbacks.sweep(s, r.ctx)
        r.deliver()
        if as_json:
            print_json(
                out,
                {
                    "created": report.created,
                    "cancelled": report.cancelled,
                    "assigned": report.assigned,
                    "escalated": report.escalated,
                    "by_agent": dict(report.by_agent),
                },
            )
            return
        say(
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
            say(t("remedy.out.sweep_agent", r.lang, agent=display_person(r.config, agent), n=n))
        if report.created and not callbacks.agents(r.config):
            say(t("remedy.out.no_agents", r.lang), "yellow")

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

    def own_only(r: Runtime, assignee: Optional[str]) -> None:
        """Agents see and record their own callbacks; cs leads anyone's (the web's rule)."""
        if not r.can("callbacks.all") and assignee != r.actor:
            raise ForbiddenError("access.error.not_yours", agent=assignee or "—")

    @cb_app.command("due", help=h("remedy.help.callbacks.due"))
    def cb_due(
        incident_arg: IncPos = None,
        incident: IncFilter = None,
        agent: Annotated[Optional[str], Opt("--agent", help=h("remedy.help.opt.agent"), metavar="NAME")] = None,
        limit: LimitOpt = 50,
        as_json: JsonOpt = False,
    ) -> None:
        incident = either_incident(incident_arg, incident)
        r = rt()
        n = check_limit(limit)
        now = r.clock.now()
        iid = parse_id(incident) if incident else None
        who = _agent_key(r.config, agent) if agent else None
        if not r.can("callbacks.all"):
            who = r.actor  # as the web: an agent sees their own calls, whatever --agent says
        with r.store.transaction() as s:
            if iid is not None:
                get_incident(s, iid)
            rows = callbacks.due(s, now, agent=who, incident_id=iid, limit=n + 1 if n < NO_LIMIT else n)
        more, rows = len(rows) > n, rows[:n]
        if as_json:
            print_json(out, [due_json(d, now) for d in rows])
            return
        if not rows:
            say(t("remedy.out.no_callbacks", r.lang))
            return
        out.print(due_table(rows, r, now))
        if more:
            say(t("remedy.out.more_rows", r.lang, shown=len(rows)), "dim")

    def show_script(s: Any, r: Runtime, cb: Callback) -> None:
        text, findings = callbacks.script(s, r.config, cb)
        say(t("remedy.out.script", r.lang), "bold")
        say("  " + text.strip().replace("\n", "\n  "), soft=True)
        for f in findings:
            say(
                t("remedy.out.script_finding", r.lang, rule=f.rule, text=f.text, message=f.message(r.lang)),
                "red" if f.severity == "error" else "yellow",
            )

    @cb_app.command("mine", help=h("remedy.help.callbacks.mine"))
    def cb_mine(limit: LimitOpt = 50) -> None:
        r = rt()
        n = check_limit(limit)
        now = r.clock.now()
        try:
            me = _agent_key(r.config, r.actor)
        except IncidentError:
            me = r.actor  # not in the roster: nothing is assigned to them, say so below
        end = end_of_local_day(now, r.config.zone)
        shown_until = fmt(end - dt.timedelta(minutes=1), r.config.zone)
        who = display_person(r.config, me)
        with r.store.transaction() as s:
            rows = callbacks.due(s, now, agent=me, until=end, limit=n)
            if not rows:
                say(t("remedy.out.mine_none", r.lang, who=who, until=shown_until))
                return
            say(t("remedy.out.mine_head", r.lang, who=who, until=shown_until, n=len(rows)), "bold")
            for d in rows:
                late = d.due_at < now
                say("")
                say(
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
                show_script(s, r, callbacks.get(s, d.id))

    @cb_app.command("show", help=h("remedy.help.callbacks.show"))
    def cb_show(callback_id: CallbackArg, as_json: JsonOpt = False) -> None:
        r = rt()
        now = r.clock.now()
        tz = r.config.zone
        with r.store.transaction() as s:
            cb = callbacks.get(s, _entry_id(callback_id))
            own_only(r, cb.assignee)
            c = s.get(AffectedCustomer, cb.customer_id)
            assert c is not None
            attempts = list(
                s.scalars(
                    select(CallbackAttempt).where(CallbackAttempt.callback_id == cb.id).order_by(CallbackAttempt.id)
                )
            )
            if as_json:
                text, findings = callbacks.script(s, r.config, cb)
                print_json(
                    out,
                    {
                        "id": cb.id,
                        "incident": f"INC-{cb.incident_id}",
                        "reason": cb.reason,
                        "status": cb.status,
                        "customer": customer_json(c),
                        "assignee": cb.assignee,
                        "call_at": iso_utc(cb.call_at),
                        "due_at": iso_utc(cb.due_at),
                        "overdue": cb.status == "open" and cb.due_at < now,
                        "attempts": [
                            {"at": iso_utc(a.at), "agent": a.agent, "result": a.result, "note": a.note}
                            for a in attempts
                        ],
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
                    },
                )
                return
            say(
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
                    Text(
                        fmt(cb.due_at, tz) + (t("remedy.overdue", r.lang) if late else ""),
                        style="bold red" if late else "",
                    ),
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
            out.print(grid)
            if attempts:
                say(t("remedy.field.attempt_log", r.lang), "bold")
                for a in attempts:
                    say(
                        t(
                            "remedy.out.attempt",
                            r.lang,
                            at=fmt(a.at, tz),
                            agent=display_person(r.config, a.agent),
                            result=a.result,
                            note=f" — {a.note}" if a.note else "",
                        )
                    )
            show_script(s, r, cb)

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
        r = rt()
        score: Optional[int] = None
        if satisfaction is not None:
            try:
                score = int(satisfaction.strip())
            except ValueError:
                raise InputError("callback.error.satisfaction", value=satisfaction) from None
        with r.store.transaction() as s:
            cid = _entry_id(callback_id)
            own_only(r, callbacks.get(s, cid).assignee)  # before anything is written, as the web
            cb, follow = callbacks.record_attempt(
                s, r.ctx, cid, result, satisfaction=score, note=note, new_demand=demand
            )
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
            print_json(out, data)
            return
        say(
            t("remedy.out.recorded", r.lang, id=data["id"], result=data["result"], status=data["status"]),
            "bold green" if data["status"] == "done" else "bold",
        )
        if data["status"] == "open":
            say(t("remedy.out.next_try", r.lang, at=fmt(next_at, r.config.zone), attempts=data["attempts"]))
        if data["follow_up"]:
            say(
                t(
                    "remedy.out.follow_up",
                    r.lang,
                    assignee=display_person(r.config, data["follow_up"]["assignee"]),
                    id=data["follow_up"]["id"],
                    due=fmt(follow_due, r.config.zone),
                ),
                "yellow",
            )

    # ==== reports ==============================================================
    rep_app = typer.Typer(help=h("remedy.help.report"), no_args_is_help=True)
    app.add_typer(rep_app, name="report")
    register_report_monthly(rep_app, lang, rt, out)  # `report monthly` (incident/cli/report_cmds.py)

    def pct(x: Optional[float]) -> str:
        return "—" if x is None else f"{x * 100:.1f}%"

    @rep_app.command("incident", help=h("remedy.help.report.incident"))
    def report_incident(incident: IncArg, as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.transaction() as s:
            data = reports.incident_report(s, r.ctx, parse_id(incident))
        if as_json:
            print_json(out, money_json(data))
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
        sources = ", ".join(f"{k} {v}" for k, v in sorted(data["affected_by_source"].items())) or "—"
        say(t("remedy.out.report_affected", r.lang, n=data["affected"], sources=sources))
        say(
            t(
                "remedy.out.report_comp",
                r.lang,
                customers=comp["customers_compensated"],
                committed=_num(comp["money_committed"]),
                issued=_num(comp["money_issued"]),
            )
        )
        for form, x in sorted(comp["issued_by_form"].items()):
            say(
                t(
                    "remedy.out.report_form",
                    r.lang,
                    form=form,
                    count=x["count"],
                    amount=_amt(x["amount"], x["unit"]),
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

    @rep_app.command("daily", help=h("remedy.help.report.daily"))
    def report_daily(
        day: Annotated[Optional[str], Opt("--date", help=h("remedy.help.opt.date"), metavar="YYYY-MM-DD")] = None,
        out_dir: Annotated[Optional[Path], Opt("--out", "-o", help=h("remedy.help.opt.out_dir"), metavar="DIR")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
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
            print_json(out, {**data, "markdown": str(md), "html": str(html)})
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
