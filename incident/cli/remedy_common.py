"""What the remedy CLI's command groups share (incident/cli/remedy_cmds.py
wires them): the per-language :class:`Kit`, limits, and the JSON shapes and
cells the groups print the same way.

No `from __future__ import annotations`: the command modules' typer hints
are read at run time, and this module is imported by them."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from incident.access import texts as _access_texts  # noqa: F401  (access.error.not_yours)
from incident.cli import remedy_texts as _cli_remedy_texts  # noqa: F401
from incident.cli import texts as _cli_texts  # noqa: F401  (help.opt.json, help.opt.limit, help.arg.id, out.more)
from incident.config import AppConfig
from incident.errors import ForbiddenError, InputError
from incident.i18n import label, t
from incident.incidents import get as get_incident
from incident.incidents import parse_id
from incident.models import AffectedCustomer, Compensation
from incident.money import fmt_amount, fmt_money
from incident.remedy import callbacks, customers
from incident.remedy import texts as _remedy_texts  # noqa: F401  (labels: form, unit, comp_status, callback_*)
from incident.roster import find_person
from incident.runtime import Runtime
from incident.timeutil import iso_utc

Opt = typer.Option
SHOWN = 20  # bad rows / refusals / errors printed before "… and N more"
NO_LIMIT = 1_000_000_000


@dataclass(frozen=True)
class Kit:
    """One language's app: its help texts, the runtime (built by the root
    callback, hence a function) and the console."""

    lang: str
    rt: Callable[[], Runtime]
    out: Console

    def h(self, key: str) -> str:
        return t(key, self.lang)

    def say(self, text: str, style: Optional[str] = None, soft: bool = False) -> None:
        # Names, notes, scripts and file lines are user text: never markup.
        # soft: long prose (a script) is left for the terminal to wrap, so
        # that it is copied whole rather than cut at some column.
        self.out.print(text, style=style, markup=False, highlight=False, soft_wrap=soft)


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


def num(x: Decimal | None) -> str:
    """Money for people, always two places: 1,500.00; 12.50; None → —.
    (--json carries amounts as strings with two places: "1500.00".)"""
    return fmt_money(x)


def amt(x: Decimal | None, unit: str) -> str:
    """An amount in its unit: 元 with two places, points and days whole (6,000)."""
    return fmt_amount(x, unit)


def entry_id(value: str) -> int:
    m = re.fullmatch(r"#?\s*(\d+)", value.strip())
    if not m or int(m.group(1)) < 1:
        raise InputError("remedy.error.bad_entry", value=value)
    return int(m.group(1))


def agent_key(config: AppConfig, text: str) -> str:
    """A roster key from a key, a name, an e-mail or a Slack id; without a
    roster the text as given (assignees are roster keys)."""
    if not config.people:
        return text.strip()
    return find_person(config, text)[0]


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


def say_scheduled(k: Kit, r: Runtime, sweep: callbacks.SweepReport) -> None:
    k.say(t("remedy.out.scheduled", r.lang, created=sweep.created, assigned=sweep.assigned))
    if sweep.created and not callbacks.agents(r.config):
        k.say(t("remedy.out.no_agents", r.lang), "yellow")


def row_errors(r: Runtime, report: customers.ImportReport) -> list[dict[str, Any]]:
    return [{"line": e.line, "error": e.key, "message": t(e.key, r.lang, **e.params)} for e in report.errors]


def say_errors(k: Kit, r: Runtime, errors: list[dict[str, Any]], key: str) -> None:
    """The first SHOWN row errors, then "… and N more"."""
    for e in errors[:SHOWN]:
        k.say(t(key, r.lang, line=e["line"], message=e["message"]), "red")
    if len(errors) > SHOWN:
        k.say(t("remedy.out.more_errors", r.lang, n=len(errors) - SHOWN), "dim")


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


def salutation(name: Optional[str], title: Optional[str]) -> str:
    return " ".join(x for x in (name, title) if x) or "—"


def amounts_text(s: dict[str, Any], lang_: str) -> str:
    units = ("yuan", "points", "days")
    parts = [f"{amt(s[unit], unit)} {label('unit', unit, lang_)}" for unit in units if s.get(unit)]
    return ("、" if lang_ == "zh-CN" else ", ").join(parts) or "—"


def own_only(r: Runtime, assignee: Optional[str]) -> None:
    """Agents see and record their own callbacks; cs leads anyone's (the web's rule)."""
    if not r.can("callbacks.all") and assignee != r.actor:
        raise ForbiddenError("access.error.not_yours", agent=assignee or "—")
