"""``incident customers``: an incident's affected customers — import a file,
add one, link the complainants, list them.

Each command is a thin closure (its help texts are in the app's language,
fixed when the app is built: incident/cli/app.py builds one app per
language) over a module-level function that does the work. Every write
owns its transaction(s) and delivers the notifications it queued after the
commit. No `from __future__ import annotations`: typer reads the hints."""

import itertools
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from incident.cli.remedy_common import (
    Kit,
    Opt,
    bar,
    cells,
    check_limit,
    customer_json,
    num,
    row_errors,
    salutation,
    say_errors,
    say_scheduled,
    schedule_now,
)
from incident.cli.render import print_json
from incident.errors import InputError
from incident.i18n import label, t
from incident.incidents import get as get_incident
from incident.incidents import parse_id
from incident.money import money_json
from incident.remedy import customers

_LIST_COLUMNS = ("ref", "name", "contact", "lang", "order", "amount_at_stake", "cover", "category", "branch", "source")


def register(app: typer.Typer, k: Kit) -> None:
    # The options' help is in the app's language: the commands are closures
    # over it; the work is in the module-level functions below.
    h = k.h
    JsonOpt = Annotated[bool, Opt("--json", help=h("help.opt.json"))]
    LimitOpt = Annotated[int, Opt("--limit", help=h("help.opt.limit"), metavar="N")]
    IncArg = Annotated[str, typer.Argument(metavar="INCIDENT", help=h("help.arg.id"))]

    cust_app = typer.Typer(help=h("remedy.help.customers"), no_args_is_help=True)
    app.add_typer(cust_app, name="customers")

    @cust_app.command("import", help=h("remedy.help.customers.import"))
    def customers_import(
        incident: IncArg,
        path: Annotated[Path, typer.Argument(metavar="FILE", help=h("remedy.help.arg.file"))],
        fmt_: Annotated[Optional[str], Opt("--format", help=h("remedy.help.opt.format"), metavar="csv|jsonl")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        import_file(k, incident, path, fmt_, as_json)

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
        add_one(k, incident, record, as_json)

    @cust_app.command("link", help=h("remedy.help.customers.link"))
    def customers_link(
        incident: IncArg,
        before_hours: Annotated[
            float, Opt("--before-hours", help=h("remedy.help.opt.before_hours"), metavar="H")
        ] = 2.0,
        as_json: JsonOpt = False,
    ) -> None:
        link(k, incident, before_hours, as_json)

    @cust_app.command("list", help=h("remedy.help.customers.list"))
    def customers_list(incident: IncArg, limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
        list_customers(k, incident, limit, as_json)


def import_file(k: Kit, incident: str, path: Path, fmt_: Optional[str], as_json: bool) -> None:
    r = k.rt()
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
            k.out,
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
        k.say(
            t(
                "remedy.out.import_done_known" if report.duplicates else "remedy.out.import_done",
                r.lang,
                read=report.read,
                added=report.added,
                duplicates=report.duplicates,
                errors=len(errors),
            ),
            "bold",
        )
        say_errors(k, r, errors, "remedy.out.row_error")
        say_scheduled(k, r, sweep)
    # As `complaints import`: the bad rows are listed, the good ones
    # kept, and the command fails only when nothing at all went in.
    if errors and not report.added and not report.duplicates:
        raise typer.Exit(1)


def add_one(k: Kit, incident: str, record: dict[str, Any], as_json: bool) -> None:
    r = k.rt()
    iid = parse_id(incident)
    with r.store.transaction() as s:
        found = customers.add_one(s, r.ctx, iid, record)
        data = customer_json(found)
    sweep = schedule_now(r, iid)
    r.deliver()
    if as_json:
        print_json(k.out, money_json({**data, "callbacks": {"created": sweep.created, "assigned": sweep.assigned}}))
        return
    k.say(
        t(
            "remedy.out.customer_added",
            r.lang,
            ref=data["customer_ref"],
            incident=f"INC-{iid}",
            contact=data["contact"] or "—",
        ),
        "bold green",
    )
    say_scheduled(k, r, sweep)


def link(k: Kit, incident: str, before_hours: float, as_json: bool) -> None:
    r = k.rt()
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
            k.out,
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
    k.say(
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
    say_errors(k, r, errors, "remedy.out.link_error")
    say_scheduled(k, r, sweep)


def list_customers(k: Kit, incident: str, limit: int, as_json: bool) -> None:
    r = k.rt()
    iid = parse_id(incident)
    n = check_limit(limit)
    with r.store.transaction() as s:
        get_incident(s, iid)
        rows = customers.list_customers(s, iid, limit=n)
        total = customers.count(s, iid)
        data = [customer_json(c) for c in rows]
    if as_json:
        print_json(k.out, money_json(data))
        return
    if not data:
        k.say(t("remedy.out.no_customers", r.lang, incident=f"INC-{iid}"))
        return
    table = Table(
        title=t("remedy.out.customers_head", r.lang, incident=f"INC-{iid}", total=total), title_justify="left"
    )
    for col in _LIST_COLUMNS:
        table.add_column(t(f"remedy.col.{col}", r.lang), overflow="fold")
    for c in data:
        cover = (
            label("cover", "declared_value", r.lang) + " " + num(c["declared_value"])
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
                num(c["amount_at_stake"]),
                cover,
                c["category"],
                c["branch"],
                c["source"],
            )
        )
    k.out.print(table)
    if total > len(data):
        k.say(t("out.more", r.lang, shown=len(data), total=total), "dim")
