"""What ``incident users`` shows: a user's and a token's JSON (never a
hash, never a secret), roles with their meaning, the roster person."""

from typing import Any, Optional

from incident.access import texts as _access_texts  # noqa: F401  (LABELS["web_role"])
from incident.access.permissions import PERMISSIONS
from incident.config import AppConfig
from incident.i18n import label
from incident.models import ApiToken, User
from incident.timeutil import iso_utc


def actions_of(role: str) -> list[str]:
    return [action for action, allowed in PERMISSIONS.items() if role in allowed]


# Roles whose work is checked against the roster (acknowledging a role held,
# four-eyes sign-offs, supervisors' approvals, one's own callbacks).
ROSTER_ROLES = ("lead", "comms", "legal", "cs_lead", "agent")


def role_head(role: str, lang: str, zh_paren: bool = False) -> str:
    """lead → 「lead 事件负责人」 / "lead"; cs_lead → "cs_lead (cs lead)"."""
    name = label("web_role", role, lang)
    if name == role:
        return role
    if lang == "zh-CN":
        return f"{role}（{name}）" if zh_paren else f"{role} {name}"
    return f"{role} ({name})"


def roles_text(roles: list[str], lang: str) -> str:
    return ("、" if lang == "zh-CN" else ", ").join(role_head(r, lang) for r in roles) or "—"


def person_text(config: AppConfig, key: Optional[str]) -> str:
    if not key:
        return "—"
    person = config.people.get(key)
    return f"{person.name} ({key})" if person and person.name != key else key


def user_json(u: User) -> dict[str, Any]:
    # Never the hash: only whether there is a password.
    return {
        "username": u.username,
        "display_name": u.display_name,
        "roles": list(u.roles or []),
        "person": u.person,
        "lang": u.lang,
        "active": bool(u.active),
        "password": u.password_hash is not None,
        "locked_until": iso_utc(u.locked_until),
        "created_at": iso_utc(u.created_at),
        "last_login_at": iso_utc(u.last_login_at),
    }


def token_json(row: ApiToken, username: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "user": username,
        "label": row.name,
        "prefix": row.prefix,
        "created_at": iso_utc(row.created_at),
        "last_used_at": iso_utc(row.last_used_at),
        "revoked_at": iso_utc(row.revoked_at),
    }
