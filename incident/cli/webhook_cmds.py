"""CLI commands ``incident webhooks log`` (the delivery log of outgoing
incident webhooks) and ``incident webhooks send`` (send what is due now;
the same happens after every change and every minute with the
escalation flow). incident/webhooks.py does the work."""

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from incident import webhooks
from incident.cli import webhook_texts as _texts  # noqa: F401  (webhooks.help.*, webhooks.out.*)
from incident.cli.render import print_json
from incident.i18n import t
from incident.models import OutboxMessage
from incident.runtime import Runtime
from incident.timeutil import fmt, iso_utc


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    hooks_app = typer.Typer(help=h("webhooks.help"), no_args_is_help=True)
    app.add_typer(hooks_app, name="webhooks")

    @hooks_app.command("log", help=h("webhooks.help.log"))
    def log_(
        limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help=h("webhooks.help.opt.limit"))] = 50,
        as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False,
    ) -> None:
        rt = rt_of()
        with rt.store.read() as s:
            rows = webhooks.log(s, limit)
        if as_json:
            print_json(out, [_row(r) for r in rows])
            return
        if not rows:
            out.print(t("webhooks.out.none", rt.lang))
            return
        table = Table(title=t("webhooks.out.title", rt.lang))
        for key in ("id", "webhook", "event", "incident", "status", "attempts", "response", "at"):
            table.add_column(t(f"webhooks.col.{key}", rt.lang))
        for r in rows:
            table.add_row(
                str(r.id),
                r.recipient.removeprefix("webhook:"),
                r.message_key.removeprefix("webhook."),
                f"INC-{r.incident_id}" if r.incident_id else "—",
                r.status,
                str(r.attempts),
                r.provider_ref or r.last_error or "—",
                fmt(r.sent_at or r.created_at, rt.config.zone),
            )
        out.print(table)

    @hooks_app.command("send", help=h("webhooks.help.send"))
    def send() -> None:
        rt = rt_of()
        report = webhooks.deliver_due(rt.store, rt.config, rt.clock.now)
        out.print(t("webhooks.out.sent", rt.lang, sent=report.sent, retrying=report.retrying, failed=report.failed))
        for error in report.errors[:10]:
            out.print(f"  {error}", style="yellow")


def _row(r: OutboxMessage) -> dict[str, Any]:
    return {
        "id": r.id,
        "webhook": r.recipient.removeprefix("webhook:"),
        "event": r.message_key.removeprefix("webhook."),
        "incident_id": r.incident_id,
        "status": r.status,
        "attempts": r.attempts,
        "response": r.provider_ref,
        "error": r.last_error,
        "created_at": iso_utc(r.created_at),
        "sent_at": iso_utc(r.sent_at),
    }
