"""The web roles and what each may do. Every route names its action and is
checked here on the server, whatever the page showed: an agent's hand-made
POST to approve a statement is refused the same as a click would be."""

from __future__ import annotations

from collections.abc import Iterable

from incident.access import texts as _texts  # noqa: F401  (the role labels the refusal names)
from incident.enums import ACCESS_ROLES
from incident.errors import ForbiddenError
from incident.i18n import label

ROLES = ACCESS_ROLES

_ALL = set(ROLES)
PERMISSIONS: dict[str, set[str]] = {
    # incidents (the board)
    "incident.view": _ALL,
    "incident.declare": {"lead", "cs_lead", "admin"},
    "incident.update": {"lead", "admin"},  # status, severity, fields, assign
    "incident.note": {"lead", "comms", "legal", "cs_lead", "admin"},
    # an agent on a rotation holds roles too; only the holder (or a lead for them)
    "incident.ack": {"lead", "comms", "legal", "cs_lead", "agent", "admin"},
    # cover for someone, or hand one's turn over; for others: incident.update
    "roster.cover": {"lead", "comms", "legal", "cs_lead", "agent", "admin"},
    # edit the roster itself (teams' rotations, people's contact ids) over the TOML
    "roster.edit": {"lead", "admin"},
    # the statement desk
    "wording.view": {"lead", "comms", "legal", "cs_lead", "viewer", "admin"},
    "wording.edit": {"lead", "comms", "admin"},  # edit the fact sheet, draft and submit statements
    "wording.approve": {"comms", "legal", "admin"},  # approve / reject (the roster decides which roles count)
    "wording.publish": {"comms", "admin"},
    # agents
    "wording.lookup": _ALL,
    # remedy
    "remedy.view": {"lead", "cs_lead", "comms", "admin"},
    "remedy.manage": {"lead", "cs_lead", "admin"},  # customers, propose compensation
    "remedy.approve": {"lead", "cs_lead", "admin"},  # supervisors only, by the ledger's own check
    "callbacks.own": {"agent", "cs_lead", "admin"},  # see and record one's own callbacks
    "callbacks.all": {"cs_lead", "admin"},  # anyone's
    # the post-incident review (复盘); who signs is the roster's liaisons (incident/review)
    "review.view": _ALL,
    "review.edit": {"lead", "comms", "legal", "cs_lead", "admin"},  # write it, add follow-up actions
    "review.sign": {"lead", "comms", "legal", "cs_lead", "agent", "admin"},  # a liaison may be on any team
    "review.act": {"lead", "comms", "legal", "cs_lead", "agent", "admin"},  # one's own actions; others': review.edit
    # the knowledge base (incident/knowledge): reading is wording.lookup;
    # changes proposed by comms and cs leads, approved by another of them
    "kb.edit": {"lead", "comms", "cs_lead", "admin"},
    "kb.approve": {"comms", "cs_lead", "admin"},
    # machines and administration
    "complaints.post": {"admin"},
    "users.manage": {"admin"},
}


def allowed(roles: Iterable[str], action: str) -> bool:
    wanted = PERMISSIONS[action]  # an unknown action is a programming error
    return any(r in wanted for r in roles)


def roles_for(action: str) -> list[str]:
    return [r for r in ROLES if r in PERMISSIONS[action]]


def require(roles: Iterable[str], action: str, lang: str = "zh-CN") -> None:
    """Refuse, naming the caller's roles and the roles the action needs (the
    web's Principal.require and the command line say the same)."""
    held = list(roles)
    if allowed(held, action):
        return
    raise ForbiddenError(
        "access.error.forbidden",
        roles=", ".join(label("web_role", r, lang) for r in held) or "—",
        action=label("web_action", action, lang),
        needed=", ".join(label("web_role", r, lang) for r in roles_for(action)),
    )
