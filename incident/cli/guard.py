"""Every command's permission, in one table, checked before the command
runs: the same action the web route for the same work checks
(incident.access.permissions). A command missing from the table stops the
CLI from being built — a new command cannot slip through unchecked.

Three kinds of entry besides an action:

- ``MACHINE``: operator work that is not a user's action (migrations,
  serving, a flow's one-shot run). It never asks who is there; database
  access is its credential, as it is for the flows themselves.
- ``PUBLIC``: touches no stored data (the linter, the role table).
- ``SIGNED_IN``: asks who is there; the command itself decides (a user may
  create their own API token; an admin anyone's).

Who is there is worked out by incident.access.identity (a token, a
password on a terminal, or nobody's account yet)."""

from __future__ import annotations

import functools
import getpass
import inspect
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from typer.main import get_command_name

from incident.access import identity_texts as _texts  # noqa: F401  (identity.prompt.password)
from incident.i18n import t
from incident.runtime import Runtime
from incident.textin import clean_value
from incident.timeutil import fmt

MACHINE = "machine"
PUBLIC = "public"
SIGNED_IN = "signed-in"

ACTIONS: dict[str, str] = {
    "": "incident.view",  # the overview: who is on call, the open incidents
    "declare": "incident.declare",
    "list": "incident.view",
    "show": "incident.view",
    "status": "incident.update",
    "assign": "incident.update",
    "ack": "incident.ack",  # plus: the holder, or a lead recording it for them (incidents.acknowledge)
    "note": "incident.note",
    "update": "incident.update",
    "link": "incident.update",  # incident/merge.py
    "merge": "incident.update",
    "roster": "incident.view",
    "roster show": "incident.view",
    "roster history": "incident.view",
    "roster set": "roster.edit",  # the roster over the TOML (incident/roster_edit.py)
    "roster add": "roster.edit",
    "roster remove": "roster.edit",
    "roster person": "roster.edit",
    "roster reset": "roster.edit",
    "cover add": "roster.cover",  # one's own cover; for others also incident.update (roster_overrides)
    "cover list": "incident.view",
    "cover cancel": "roster.cover",
    "webhooks log": "incident.view",
    "webhooks send": MACHINE,  # what the flows do after every change
    "escalate": MACHINE,  # the escalate-unacknowledged flow, run now
    "backtest": PUBLIC,  # files in, files out
    "lint": PUBLIC,
    "web": MACHINE,
    "serve": MACHINE,
    "db upgrade": MACHINE,
    "db current": MACHINE,
    "config check": PUBLIC,
    "config keys": PUBLIC,
    "watch": MACHINE,  # --once: the watch flows, run now
    "watch replay": MACHINE,  # history through the series state (--open: as the flows would)
    "watch series": "incident.view",
    "watch snooze": "incident.update",
    "watch unsnooze": "incident.update",
    "watch maintenance": "incident.update",
    "watch signals": "incident.view",
    "feeds": "incident.view",
    "feeds poll": MACHINE,
    "complaints import": "complaints.post",  # as POST /api/complaints
    "facts show": "wording.view",
    "facts edit": "wording.edit",
    "facts submit": "wording.edit",
    "facts approve": "wording.approve",
    "facts reject": "wording.approve",
    "facts retract": "wording.publish",
    "facts diff": "wording.view",
    "statement draft": "wording.edit",
    "statement preview": "wording.view",
    "statement list": "wording.view",
    "statement submit": "wording.edit",
    "statement approve": "wording.approve",  # plus wording.publish with --publish
    "statement reject": "wording.approve",
    "statement publish": "wording.publish",
    "statement retract": "wording.publish",
    "wording get": "wording.lookup",
    "wording list": "wording.lookup",
    "wording scenarios": PUBLIC,
    "kb list": "wording.lookup",  # the knowledge base: read as the lookup is
    "kb show": "wording.lookup",
    "kb search": "wording.lookup",
    "kb add": "kb.edit",  # proposals; approved by another person (kb.approve)
    "kb edit": "kb.edit",
    "kb retire": "kb.edit",
    "kb harvest": "kb.edit",
    "kb approve": "kb.approve",
    "kb reject": "kb.approve",
    "template list": "wording.view",
    "template add": "wording.edit",
    "template approve": "wording.approve",
    "subscribers add": "wording.publish",  # who receives what is published
    "subscribers remove": "wording.publish",
    "subscribers list": "wording.view",
    "outbox deliver": MACHINE,  # the deliver-outbox flow, run now
    "outbox list": "wording.view",
    "outbox resend": "wording.publish",
    "outbox mark-sent": "wording.publish",
    "customers import": "remedy.manage",
    "customers add": "remedy.manage",
    "customers link": "remedy.manage",
    "customers list": "remedy.view",
    "comp propose": "remedy.manage",
    "comp approve": "remedy.approve",
    "comp reject": "remedy.approve",
    "comp reverse": "remedy.approve",
    "comp issue": "remedy.approve",  # as POST /api/compensation/issue
    "comp list": "remedy.view",
    "callbacks sweep": MACHINE,  # the sweep-callbacks flow, run now
    "callbacks due": "callbacks.own",  # plus: an agent sees only their own
    "callbacks mine": "callbacks.own",
    "callbacks show": "callbacks.own",  # plus: one's own, or callbacks.all
    "callbacks record": "callbacks.own",  # plus: one's own, or callbacks.all
    "report incident": "remedy.view",
    "report daily": "remedy.view",
    "review show": "review.view",  # the first visit of a resolved incident's review opens it
    "review edit": "review.edit",
    "review sign": "review.sign",  # plus: a liaison the group had, or a substitute (incident/review)
    "review waive": "incident.update",  # the lead records why it may close without a sign-off
    "review export": "review.view",
    "review sweep": MACHINE,  # beside the sweep-callbacks flow, run now
    "review action add": "review.edit",
    "review action done": "review.act",  # plus: one's own, or review.edit
    "review action drop": "review.act",
    "review action reopen": "review.act",
    "review action list": "review.view",
    "report monthly": "remedy.view",  # as report daily
    "slack sync": MACHINE,  # the slack-sync flow, run now
    "slack status": "incident.view",
    "users add": "users.manage",
    "users list": "users.manage",
    "users set": "users.manage",
    "users passwd": "users.manage",
    "users roles": PUBLIC,
    "users token create": SIGNED_IN,  # one's own, or anyone's with users.manage
    "users token list": "users.manage",
    "users token revoke": "users.manage",
}


def _ask_password(lang: str) -> Callable[[str], str] | None:
    """A prompt when a person is at a terminal; None for scripts (they are
    told to use INCIDENT_TOKEN rather than left waiting)."""
    if not sys.stdin.isatty():
        return None

    def ask(name: str) -> str:
        try:
            return getpass.getpass(t("identity.prompt.password", lang, name=name))
        except (KeyboardInterrupt, EOFError):
            Console(stderr=True).print()
            raise typer.Exit(130) from None

    return ask


def authorise(rt: Runtime, path: str) -> None:
    """Check the command at ``path`` for the person at the keyboard."""
    action = ACTIONS[path]
    if action in (MACHINE, PUBLIC):
        return
    caller = rt.sign_in(_ask_password(rt.lang))
    drill = rt.drill_clock()
    if drill and caller.via != "bootstrap":
        # Database access could set any time anyway (docs/SECURITY.md §6),
        # so a drill clock is not refused; but a signed-in user's records
        # under it are not at the real time, and that is said every time.
        now = fmt(rt.clock.now(), rt.config.zone)
        warning = t("identity.warn.drill_clock", rt.lang, value=drill, now=now)
        Console(stderr=True).print(warning, style="yellow", markup=False, highlight=False, soft_wrap=True)
    if action != SIGNED_IN:
        rt.require(action)


def _clean_arg(value: Any) -> Any:
    """Text typed at the command line entering the system: control
    characters out (incident.textin), as for any other door. Only str and
    lists/tuples of them; a str-valued Enum, a Path, a number pass as given."""
    if type(value) is str or (isinstance(value, (list, tuple)) and all(type(v) is str for v in value)):
        return clean_value(value)
    return value


def _guarded(fn: Callable[..., Any], path: str, rt_of: Callable[[], Runtime], group: bool) -> Callable[..., Any]:
    if path not in ACTIONS:
        raise RuntimeError(f"CLI command '{path}' has no permission in incident.cli.guard.ACTIONS")

    if group and "ctx" not in inspect.signature(fn).parameters:
        raise RuntimeError(f"CLI group '{path}': its callback must take ctx: typer.Context")

    @functools.wraps(fn)  # typer reads the parameters from the wrapped function
    def run(*args: Any, **kwargs: Any) -> Any:
        # A group's own callback runs before each of its subcommands too:
        # only its bare invocation is its own action. (Its own ctx, not
        # click's global one: typer carries a click of its own.)
        if not group or kwargs["ctx"].invoked_subcommand is None:
            authorise(rt_of(), path)
        args = tuple(_clean_arg(a) for a in args)
        kwargs = {k: _clean_arg(v) for k, v in kwargs.items()}
        return fn(*args, **kwargs)

    return run


def protect(app: typer.Typer, rt_of: Callable[[], Runtime], prefix: str = "") -> None:
    """Wrap every command (and group callback) below ``app`` with its check.
    The root callback builds the runtime and checks the overview itself."""
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or get_command_name(info.callback.__name__)
        info.callback = _guarded(info.callback, f"{prefix} {name}".strip(), rt_of, group=False)
    for sub in app.registered_groups:
        inner = sub.typer_instance
        assert inner is not None and sub.name is not None
        path = f"{prefix} {sub.name}".strip()
        cb = inner.registered_callback
        if cb is not None and cb.callback is not None:
            cb.callback = _guarded(cb.callback, path, rt_of, group=True)
        protect(inner, rt_of, path)


def commands(app: typer.Typer, prefix: str = "") -> list[str]:
    """Every command path below ``app`` (for the table's completeness test)."""
    found: list[str] = []
    for info in app.registered_commands:
        assert info.callback is not None
        found.append(f"{prefix} {info.name or get_command_name(info.callback.__name__)}".strip())
    for sub in app.registered_groups:
        assert sub.typer_instance is not None and sub.name is not None
        path = f"{prefix} {sub.name}".strip()
        if sub.typer_instance.registered_callback is not None:
            found.append(path)
        found.extend(commands(sub.typer_instance, path))
    return found
