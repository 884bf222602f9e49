"""CLI commands of the remedy half: ``customers`` (affected customers),
``comp`` (the compensation ledger), ``callbacks`` (回访) and ``report``,
one module per group (incident/cli/remedy_*_cmds.py; what they share is in
incident/cli/remedy_common.py).

Every write command owns its transaction(s) — the service functions never
commit — and delivers the notifications it queued after the commit.
Progress bars go to stderr, only on a terminal (rich's ``is_terminal``,
so ``TTY_COMPATIBLE=1`` / ``FORCE_COLOR=1`` force them), never with --json."""

from collections.abc import Callable

import typer
from rich.console import Console

from incident.cli import remedy_callbacks_cmds, remedy_comp_cmds, remedy_customers_cmds, remedy_reports_cmds
from incident.cli.remedy_common import Kit
from incident.runtime import Runtime


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    k = Kit(lang, rt, out)
    # In this order: it is the order of the groups in `incident --help`.
    remedy_customers_cmds.register(app, k)
    remedy_comp_cmds.register(app, k)
    remedy_callbacks_cmds.register(app, k)
    remedy_reports_cmds.register(app, k)
