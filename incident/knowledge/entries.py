"""Knowledge-base entries kept under four eyes (001 §4.1, DOMAIN.md §7).

Every change is a proposed version: a new entry, an edit, a retirement.
One person proposes, another approves or rejects (as fact sheets are
signed in incident/wording/approval.py: nobody signs what they wrote, and
people are compared by their roster key, so 「孙丽」 and ``sunli`` are one
person). Who may propose and who may approve is the caller's permission
check (``kb.edit``, ``kb.approve`` in incident/access/permissions.py); the
four eyes are enforced here, whatever the door. Versions are never
deleted: the history says who proposed and who decided each.

An entry answers only while it is active: pending (a new entry not yet
approved), rejected and retired entries are never found by the search.
Functions take a session and never commit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.errors import ConflictError, InputError, NotFoundError
from incident.knowledge import content as kbcontent
from incident.knowledge import search
from incident.knowledge import texts as _texts  # noqa: F401
from incident.models_knowledge import KnowledgeEntry, KnowledgeVersion
from incident.roster import find_person
from incident.timeutil import iso_utc

ENTRY_STATUSES = ("pending", "active", "retired", "rejected")
_REF = re.compile(r"(?i)\s*(?:kb-?|#)?\s*([0-9]{1,9})\s*", re.ASCII)


def parse_ref(text: str | int) -> int:
    """An entry number: KB-12, kb12, #12 or 12 → 12; anything else is refused by name."""
    if isinstance(text, int):
        return text
    found = _REF.fullmatch(text or "")
    if not found:
        raise InputError("kb.error.bad_ref", value=text)
    return int(found.group(1))


def person_key(ctx: Context, name: str) -> str:
    """The roster key of a person, or the name as given (a web user
    outside the roster): what four eyes compares."""
    try:
        return find_person(ctx.config, name)[0]
    except InputError:
        return name.strip()


def get(session: Session, entry_id: int, *, lock: bool = False) -> KnowledgeEntry:
    entry = session.get(KnowledgeEntry, entry_id, with_for_update=lock or None)
    if entry is None:
        raise NotFoundError("kb.error.not_found", ref=f"KB-{entry_id}")
    return entry


def versions(session: Session, entry_id: int) -> list[KnowledgeVersion]:
    return list(
        session.scalars(
            select(KnowledgeVersion).where(KnowledgeVersion.entry_id == entry_id).order_by(KnowledgeVersion.version)
        )
    )


def current(session: Session, entry: KnowledgeEntry) -> KnowledgeVersion | None:
    """The approved version in force (None while a new entry waits)."""
    if not entry.version:
        return None
    return session.scalar(
        select(KnowledgeVersion).where(KnowledgeVersion.entry_id == entry.id, KnowledgeVersion.version == entry.version)
    )


def open_proposal(session: Session, entry_id: int) -> KnowledgeVersion | None:
    return session.scalar(
        select(KnowledgeVersion).where(KnowledgeVersion.entry_id == entry_id, KnowledgeVersion.status == "proposed")
    )


def list_entries(session: Session, status: str | None = "active", limit: int | None = 200) -> list[KnowledgeEntry]:
    """Entries, newest first; ``status`` None or "all" for every one;
    "proposed" for those with a change waiting for approval."""
    q = select(KnowledgeEntry).order_by(KnowledgeEntry.id.desc())
    if status == "proposed":
        q = q.where(
            KnowledgeEntry.id.in_(select(KnowledgeVersion.entry_id).where(KnowledgeVersion.status == "proposed"))
        )
    elif status not in (None, "all"):
        if status not in ENTRY_STATUSES:
            allowed = ", ".join((*ENTRY_STATUSES, "proposed", "all"))
            raise InputError("kb.error.bad_status", value=status, allowed=allowed)
        q = q.where(KnowledgeEntry.status == status)
    return list(session.scalars(q.limit(limit) if limit else q))


def _next_version(session: Session, entry_id: int) -> int:
    return max((v.version for v in versions(session, entry_id)), default=0) + 1


def _propose(
    session: Session, ctx: Context, entry: KnowledgeEntry, action: str, body: dict[str, Any], note: str | None
) -> KnowledgeVersion:
    if open_proposal(session, entry.id) is not None:
        raise ConflictError("kb.error.open_proposal", ref=entry.ref)
    version = KnowledgeVersion(
        entry_id=entry.id,
        version=_next_version(session, entry.id),
        action=action,
        status="proposed",
        content=body,
        note=(note or "").strip() or None,
        proposed_by=person_key(ctx, ctx.actor),
        proposed_at=ctx.clock.now(),
    )
    session.add(version)
    entry.updated_at = ctx.clock.now()
    session.flush()
    return version


def propose_create(
    session: Session, ctx: Context, raw: Mapping[str, Any], note: str | None = None
) -> tuple[KnowledgeEntry, KnowledgeVersion]:
    """A new entry written by hand: pending until someone else approves it."""
    body = kbcontent.clean(raw, ctx.config)
    now = ctx.clock.now()
    entry = KnowledgeEntry(
        status="pending", version=0, created_by=person_key(ctx, ctx.actor), created_at=now, updated_at=now
    )
    session.add(entry)
    session.flush()
    return entry, _propose(session, ctx, entry, "create", body, note)


def propose_edit(
    session: Session, ctx: Context, entry_id: int, changes: Mapping[str, Any], note: str | None = None
) -> KnowledgeVersion:
    """A change to an active entry; it answers as it is until approved."""
    entry = _live(session, entry_id)
    now_version = current(session, entry)
    assert now_version is not None  # an active entry has an approved version
    body = kbcontent.clean(kbcontent.merge(now_version.content, changes), ctx.config)
    if body == {**kbcontent.empty(), **now_version.content}:
        raise InputError("kb.error.no_change", ref=entry.ref)
    return _propose(session, ctx, entry, "edit", body, note)


def propose_retire(session: Session, ctx: Context, entry_id: int, reason: str) -> KnowledgeVersion:
    """Retirement, with the reason; the entry answers until it is approved."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("kb.error.reason_required")
    entry = _live(session, entry_id)
    now_version = current(session, entry)
    assert now_version is not None
    return _propose(session, ctx, entry, "retire", dict(now_version.content), reason)


def _live(session: Session, entry_id: int) -> KnowledgeEntry:
    entry = get(session, entry_id, lock=True)
    if entry.status != "active":
        raise ConflictError("kb.error.not_active", ref=entry.ref, status=entry.status)
    return entry


def approve(session: Session, ctx: Context, entry_id: int, comment: str | None = None) -> KnowledgeVersion:
    """The second pair of eyes: the waiting change takes effect. The
    proposer cannot approve their own change."""
    entry = get(session, entry_id, lock=True)
    proposal = open_proposal(session, entry.id)
    if proposal is None:
        raise ConflictError("kb.error.nothing_open", ref=entry.ref)
    me = person_key(ctx, ctx.actor)
    if me == person_key(ctx, proposal.proposed_by):
        raise ConflictError("kb.error.four_eyes", person=me, ref=entry.ref)
    now = ctx.clock.now()
    before = current(session, entry)
    if before is not None:
        before.status = "superseded"
    proposal.status, proposal.decided_by, proposal.decided_at = "approved", me, now
    proposal.decision_note = (comment or "").strip() or None
    entry.version, entry.updated_at = proposal.version, now
    if proposal.action == "retire":
        entry.status, entry.retired_at = "retired", now
    else:
        entry.status = "active"
    session.flush()
    search.changed()
    return proposal


def reject(session: Session, ctx: Context, entry_id: int, reason: str) -> KnowledgeVersion:
    """The waiting change is refused, with the reason; the entry stays as
    it was (a new entry refused never answers)."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("kb.error.reason_required")
    entry = get(session, entry_id, lock=True)
    proposal = open_proposal(session, entry.id)
    if proposal is None:
        raise ConflictError("kb.error.nothing_open", ref=entry.ref)
    proposal.status, proposal.decided_by = "rejected", person_key(ctx, ctx.actor)
    proposal.decided_at, proposal.decision_note = ctx.clock.now(), reason
    if entry.status == "pending":
        entry.status = "rejected"
    entry.updated_at = ctx.clock.now()
    session.flush()
    return proposal


def entry_json(session: Session, entry: KnowledgeEntry, *, history: bool = False) -> dict[str, Any]:
    """An entry as the API and ``--json`` show it."""

    def when(value: Any) -> str | None:
        return iso_utc(value) if value is not None else None

    now_version = current(session, entry)
    waiting = open_proposal(session, entry.id)
    out: dict[str, Any] = {
        "id": entry.id,
        "ref": entry.ref,
        "status": entry.status,
        "version": entry.version,
        "source_incident": f"INC-{entry.source_incident_id}" if entry.source_incident_id else None,
        "source_closed_at": when(entry.source_closed_at),
        "created_by": entry.created_by,
        "created_at": when(entry.created_at),
        "updated_at": when(entry.updated_at),
        "retired_at": when(entry.retired_at),
        "content": now_version.content if now_version else None,
        "proposal": _version_json(waiting, when) if waiting else None,
    }
    if history:
        out["history"] = [_version_json(v, when) for v in versions(session, entry.id)]
    return out


def _version_json(v: KnowledgeVersion, when: Any) -> dict[str, Any]:
    return {
        "version": v.version,
        "action": v.action,
        "status": v.status,
        "content": v.content,
        "note": v.note,
        "proposed_by": v.proposed_by,
        "proposed_at": when(v.proposed_at),
        "decided_by": v.decided_by,
        "decided_at": when(v.decided_at),
        "decision_note": v.decision_note,
    }
