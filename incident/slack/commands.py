"""The ``/incident`` slash command and the summary's buttons, as plain
functions: who the Slack user is in the roster, whether their web account
may do what they asked, the answer text. The web layer answers Slack at
once and runs these in the background; each owns its transaction (they
are the "caller"). Their text was cleaned at the door (the web route)."""

from __future__ import annotations

import dataclasses
import re
import shlex

from sqlalchemy import select

from incident import incidents, response
from incident.access import texts as _access_texts  # noqa: F401 — the web roles' labels
from incident.access.permissions import allowed, roles_for
from incident.context import Context
from incident.db import Store
from incident.errors import IncidentError, InputError
from incident.i18n import label, t
from incident.models import RoleAssignment, User
from incident.slack import texts as _texts  # noqa: F401
from incident.wording import approval, workflow
from incident.wording.pull import get_reply

_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")

# What each subcommand and button asks of the web roles: the same actions
# the web's routes require (incident/access/permissions.py).
_COMMAND_ACTIONS = {
    "declare": "incident.declare",
    "assign": "incident.update",
    "ack": "incident.ack",
    "note": "incident.note",
    "wording": "wording.lookup",
}
_BUTTON_ACTIONS = {"ack": "incident.ack", "approve": "wording.approve", "reject": "wording.approve"}


def person_for(ctx: Context, slack_user: str) -> str | None:
    for key, person in ctx.config.people.items():
        if person.slack_id and person.slack_id == slack_user:
            return key
    return None


def lang_of(ctx: Context, person: str | None) -> str:
    p = ctx.config.people.get(person or "")
    return p.languages[0] if p else ctx.config.centre.language


def _command_action(sub: str, args: list[str]) -> str | None:
    if sub == "status":
        return "incident.update" if len(args) > 1 else "incident.view"
    return _COMMAND_ACTIONS.get(sub)  # help, unknown: nothing is done


def refusal(store: Store, person: str, action: str | None, lang: str) -> str | None:
    """Why ``person`` may not do ``action`` from Slack, or None.

    The rule: once any active web account exists, the web's roles decide in
    Slack too. The Slack user's roster entry must be linked to an active web
    account (``users.person``), and that account needs the permission the
    web asks for the same action. On a fresh install without any web
    account (one operator, the CLI and Slack) there are no roles to consult:
    there the roster alone decides, as it did before accounts existed.
    """
    if action is None:
        return None
    with store.read() as s:
        accounts = list(s.scalars(select(User).where(User.active.is_(True), User.person == person)))
        if not accounts and s.scalar(select(User.id).where(User.active.is_(True)).limit(1)) is None:
            return None  # no web account at all: the roster decides
        roles = sorted({r for a in accounts for r in a.roles})
        names = ", ".join(sorted(a.username for a in accounts))
    if not accounts:
        return t("slack.cmd.failed", lang, message=t("slack.error.no_account", lang, person=person))
    if allowed(roles, action):
        return None
    message = t(
        "slack.error.forbidden",
        lang,
        accounts=names,
        roles=", ".join(label("web_role", r, lang) for r in roles) or "—",
        action=action,
        needed=", ".join(label("web_role", r, lang) for r in roles_for(action)),
    )
    return t("slack.cmd.failed", lang, message=message)


def _who(ctx: Context, word: str) -> str:
    """A roster key, or a Slack mention <@U123|name> of someone in the roster."""
    m = _MENTION.match(word)
    if m:
        found = person_for(ctx, m.group(1))
        if found is None:
            raise InputError("slack.cmd.unknown_user", user=m.group(1))
        return found
    return word


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def run_command(store: Store, ctx: Context, slack_user: str, text: str) -> str:
    """Execute ``/incident <text>`` for the Slack user; returns the answer."""
    person = person_for(ctx, slack_user)
    lang = lang_of(ctx, person)
    if person is None:
        return t("slack.cmd.unknown_user", lang, user=slack_user)
    ctx = dataclasses.replace(ctx, actor=person)
    words = _split(text.strip())
    sub = words[0].lower() if words else "help"
    args = words[1:]
    refused = refusal(store, person, _command_action(sub, args), lang)
    if refused:
        return refused
    try:
        return _dispatch(store, ctx, sub, args, lang)
    except IncidentError as exc:
        return t("slack.cmd.failed", lang, message=exc.message(lang))


def _need(args: list[str], n: int, usage: str) -> None:
    if len(args) < n:
        raise InputError("slack.cmd.bad_usage", usage=usage)


def _dispatch(store: Store, ctx: Context, sub: str, args: list[str], lang: str) -> str:
    if sub == "declare":
        _need(args, 3, "/incident declare KIND SEVERITY TITLE")
        with store.transaction() as s:
            inc = response.declare(s, ctx, kind=args[0], severity=args[1], title=" ".join(args[2:]))
            return t("slack.cmd.declared", lang, ref=inc.ref, kind=inc.kind, severity=inc.severity, title=inc.title)
    if sub == "status":
        _need(args, 1, "/incident status INC-7 [NEW-STATUS]")
        iid = incidents.parse_id(args[0])
        if len(args) == 1:
            with store.read() as s:
                inc = incidents.get(s, iid)
                return t(
                    "slack.cmd.status", lang, ref=inc.ref, title=inc.title, status=inc.status, severity=inc.severity
                )
        with store.transaction() as s:
            inc = response.change_status(s, ctx, iid, args[1], note=" ".join(args[2:]) or None)
            return t("slack.cmd.status_changed", lang, ref=inc.ref, status=inc.status)
    if sub == "assign":
        _need(args, 3, "/incident assign INC-7 ROLE PERSON")
        with store.transaction() as s:
            a = incidents.assign(s, ctx, incidents.parse_id(args[0]), args[1], _who(ctx, args[2]))
            return t("slack.cmd.assigned", lang, ref=f"INC-{a.incident_id}", role=a.role, person=a.person_name)
    if sub == "ack":
        _need(args, 2, "/incident ack INC-7 ROLE")
        return acknowledge(store, ctx, incidents.parse_id(args[0]), args[1], lang)
    if sub == "note":
        _need(args, 2, "/incident note INC-7 TEXT")
        with store.transaction() as s:
            iid = incidents.parse_id(args[0])
            incidents.add_note(s, ctx, iid, " ".join(args[1:]))
            return t("slack.cmd.noted", lang, ref=f"INC-{iid}")
    if sub == "wording":
        _need(args, 1, "/incident wording KEYWORDS")
        reply = get_reply(store, ctx.config, q=" ".join(args), lang=lang)
        return t(
            "slack.cmd.wording",
            lang,
            ref=reply.incident.ref,
            title=reply.incident.title,
            version=reply.fact_version,
            text=reply.text,
        )
    if sub in ("help", "?", "帮助"):
        return t("slack.cmd.help", lang)
    return t("slack.cmd.unknown", lang, sub=sub) + t("slack.cmd.help", lang)


def acknowledge(store: Store, ctx: Context, incident_id: int, role: str, lang: str) -> str:
    """Only the holder acknowledges (it says "I have seen the page")."""
    with store.transaction() as s:
        parsed = incidents.parse_role(role)
        holder = s.scalar(
            select(RoleAssignment.person).where(
                RoleAssignment.incident_id == incident_id,
                RoleAssignment.role == parsed.value,
                RoleAssignment.ended_at.is_(None),
            )
        )
        if holder is not None and holder != ctx.actor:
            raise InputError("slack.error.not_holder", role=parsed.value, holder=holder)
        _, changed = incidents.acknowledge(s, ctx, incident_id, parsed)
    key = "slack.cmd.acked" if changed else "slack.cmd.ack_again"
    return t(key, lang, ref=f"INC-{incident_id}", role=parsed.value)


def run_action(store: Store, ctx: Context, slack_user: str, action_id: str, value: str) -> str:
    """A button on the pinned summary: ack:ROLE, approve:N, reject:N (the
    four-eyes rules of the wording workflow decide, as anywhere else)."""
    person = person_for(ctx, slack_user)
    lang = lang_of(ctx, person)
    if person is None:
        return t("slack.cmd.unknown_user", lang, user=slack_user)
    ctx = dataclasses.replace(ctx, actor=person)
    kind, _, _ = action_id.partition(":")
    head, _, tail = value.partition(":")
    refused = refusal(store, person, _BUTTON_ACTIONS.get(kind), lang)
    if refused:
        return refused
    try:
        iid = incidents.parse_id(head)
        if kind == "ack":
            return acknowledge(store, ctx, iid, tail, lang)
        number = int(tail)
        if kind == "approve":
            with store.transaction() as s:
                st = workflow.approve_statement(s, ctx, iid, number)
                if st.status == "in_review":
                    signed = {a.role for a in approval.signoffs(s, "statement", st.id) if a.decision == "approved"}
                    missing = [
                        r.value for r in approval.required_roles(ctx, incidents.get(s, iid)) if r.value not in signed
                    ]
                    return t("slack.cmd.signed", lang, number=number, ref=f"INC-{iid}", missing=", ".join(missing))
                return t("slack.cmd.approved", lang, number=number, ref=f"INC-{iid}", status=st.status)
        if kind == "reject":
            with store.transaction() as s:
                workflow.reject_statement(s, ctx, iid, number, t("slack.cmd.reject_reason", lang, person=person))
            return t("slack.cmd.rejected", lang, number=number, ref=f"INC-{iid}")
        raise InputError("slack.error.bad_action", value=action_id)
    except ValueError:
        return t("slack.cmd.failed", lang, message=t("slack.error.bad_action", lang, value=action_id))
    except IncidentError as exc:
        return t("slack.cmd.failed", lang, message=exc.message(lang))
