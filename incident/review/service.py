"""The review itself: open, edit, sign off, waive, and the close gate.

Who signs (000 §6.2: business, technology and legal settle the root cause
together): the liaison roles of ``[review].signers`` that the incident's
response group had, each by whoever held that role on the incident (even
if the role moved on since) or a substitute named in
``[review].substitutes``; an incident that had none of them is signed by
its incident lead. Four eyes as for wording: a person who wrote in the
review may sign their role, but the sign-off is complete only when someone
who did not write it has signed too (a liaison, or else anyone else from
the response group or a substitute, as a second pair of eyes). Any edit
after a sign-off voids the sign-offs: what is signed is one version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.context import Context
from incident.enums import Role, Status
from incident.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from incident.i18n import LANGS
from incident.models import Incident, RoleAssignment, TimelineEvent
from incident.models_review import Review, ReviewSignoff
from incident.notify import enqueue
from incident.review import texts as _texts  # noqa: F401
from incident.review import ui_texts as _ui_texts  # noqa: F401
from incident.roster import find_person
from incident.textin import clean_text

# What people write, in this order on every page and export.
FIELDS = ("summary", "root_cause", "contributing", "went_well", "went_badly")
TEXT_MAX = 20_000
# The role recorded for a sign-off that is only the second pair of eyes.
SECOND = "second_reviewer"
DONE = (Status.RESOLVED.value, Status.CLOSED.value)


# ------------------------------------------------------------------ helpers --


def event(session: Session, ctx: Context, incident: Incident, type_: str, **data: Any) -> TimelineEvent:
    """A review event on the incident's timeline (append-only, as every
    event). The types are the review's own (``review_*``), told in words by
    the ``event.review_*`` texts; they are not among the webhooks' events."""
    ev = TimelineEvent(incident_id=incident.id, at=ctx.clock.now(), type=type_, actor=ctx.actor, data=data)
    session.add(ev)
    incident.updated_at = ev.at
    return ev


def incident_of(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    q = select(Incident).where(Incident.id == incident_id)
    found = session.scalars(q.with_for_update() if lock else q).one_or_none()
    if found is None:
        raise NotFoundError("error.no_incident", id=incident_id)
    return found


def person_key(config: AppConfig, actor: str) -> str:
    """The roster key of whoever acts, or the name as given (an admin
    outside the roster still writes; only the roster signs)."""
    try:
        return find_person(config, actor)[0]
    except InputError:
        return actor


def get(session: Session, incident_id: int) -> Review | None:
    return session.scalars(select(Review).where(Review.incident_id == incident_id)).one_or_none()


def held_roles(session: Session, incident_id: int) -> dict[str, set[str]]:
    """Every role the response group had, with everyone who held it."""
    out: dict[str, set[str]] = {}
    for role, person in session.execute(
        select(RoleAssignment.role, RoleAssignment.person).where(RoleAssignment.incident_id == incident_id)
    ):
        out.setdefault(role, set()).add(person)
    return out


# ------------------------------------------------------------------ opening --


def open_review(session: Session, ctx: Context, incident_id: int) -> Review:
    """The incident's review, opened now if it has none (only once the
    incident is resolved: before that there is nothing to look back on).
    Opening tells the incident lead."""
    incident = incident_of(session, incident_id, lock=True)
    found = get(session, incident_id)
    if found is not None:
        return found
    if incident.status not in DONE:
        raise ConflictError("review.error.not_resolved", id=incident.id, status=incident.status)
    now = ctx.clock.now()
    review = Review(incident_id=incident.id, content={}, version=0, authors=[], opened_at=now, opened_by=ctx.actor)
    session.add(review)
    session.flush()
    event(session, ctx, incident, "review_opened")
    lead = session.scalar(
        select(RoleAssignment.person)
        .where(RoleAssignment.incident_id == incident.id, RoleAssignment.role == Role.INCIDENT_LEAD.value)
        .order_by(RoleAssignment.ended_at.is_not(None), RoleAssignment.id.desc())
        .limit(1)
    )
    if lead:
        enqueue(
            session,
            recipient=lead,
            key="review.notify.opened",
            params={"ref": incident.ref, "title": incident.title, "id": incident.id},
            dedupe_key=f"review-opened:{incident.id}",
            now=now,
            incident_id=incident.id,
            config=ctx.config,
        )
    return review


# ------------------------------------------------------------------ writing --


def parse_changes(changes: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """What to write: ``{"root_cause.en": "…"}`` or ``{"root_cause": {"en":
    "…"}}``; each text cleaned at the door (incident.textin) and trimmed;
    an empty text clears that language. Unknown fields or languages and
    over-long texts are refused by name."""
    out: dict[tuple[str, str], str] = {}
    for key, value in changes.items():
        if isinstance(value, Mapping):
            pairs = [(f"{key}.{lang}", v) for lang, v in value.items()]
        else:
            pairs = [(str(key), value)]
        for name, text in pairs:
            field_name, _, lang = name.partition(".")
            if field_name not in FIELDS:
                raise InputError("review.error.bad_field", field=field_name, allowed=", ".join(FIELDS))
            if lang not in LANGS:
                raise InputError("review.error.bad_lang", field=field_name, lang=lang or "—")
            cleaned = clean_text(name, text)
            if len(cleaned) > TEXT_MAX:
                raise InputError("review.error.too_long", field=name, max=TEXT_MAX, length=len(cleaned))
            out[(field_name, lang)] = cleaned
    return out


def text_of(review: Review | None, field_name: str, lang: str) -> str:
    return str(((review.content if review else {}) or {}).get(field_name, {}).get(lang) or "")


def missing_fields(review: Review) -> list[str]:
    """The fields with no text in either language (each needs one)."""
    return [f for f in FIELDS if not any(text_of(review, f, lg) for lg in LANGS)]


def edit(
    session: Session,
    ctx: Context,
    incident_id: int,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> tuple[Review, list[str]]:
    """Write the given texts; returns the review and the ``field.lang``
    keys that changed (none: nothing stored, nothing voided). A change
    voids every sign-off; ``expected_version`` refuses an edit made on a
    version someone else has changed since."""
    parsed = parse_changes(changes)
    incident = incident_of(session, incident_id, lock=True)
    review = open_review(session, ctx, incident_id)
    if incident.status == Status.CLOSED.value and review.signed_off_at is not None:
        raise ConflictError("review.error.final", id=incident.id)
    if expected_version is not None and expected_version != review.version:
        raise ConflictError(
            "review.error.stale_version", id=incident.id, given=expected_version, current=review.version
        )
    content = {f: dict(v) for f, v in (review.content or {}).items()}
    changed = []
    for (field_name, lang), text in parsed.items():
        if text_of(review, field_name, lang) != text:
            content.setdefault(field_name, {})[lang] = text
            changed.append(f"{field_name}.{lang}")
    if not changed:
        return review, []
    now, who = ctx.clock.now(), person_key(ctx.config, ctx.actor)
    review.content = content
    review.version += 1
    if who not in (review.authors or []):
        review.authors = [*(review.authors or []), who]
    review.updated_at, review.updated_by = now, who
    voided = void_signoffs(session, review, now)
    event(session, ctx, incident, "review_edited", fields=changed, version=review.version, voided=voided)
    return review, changed


def void_signoffs(session: Session, review: Review, now: Any) -> int:
    live = active_signoffs(session, review.id)
    for s in live:
        s.voided_at = now
    review.signed_off_at = None
    return len(live)


def reopened(session: Session, ctx: Context, incident: Incident) -> None:
    """The incident was reopened: sign-offs given so far looked back on an
    incident that was not over, so they no longer count (the text stays)."""
    review = get(session, incident.id)
    if review is not None and void_signoffs(session, review, ctx.clock.now()):
        event(session, ctx, incident, "review_reopened")


def active_signoffs(session: Session, review_id: int) -> list[ReviewSignoff]:
    return list(
        session.scalars(
            select(ReviewSignoff)
            .where(ReviewSignoff.review_id == review_id, ReviewSignoff.voided_at.is_(None))
            .order_by(ReviewSignoff.id)
        )
    )


# ------------------------------------------------------------------ sign-off --


@dataclass
class SignState:
    """Where the sign-off stands: the roles that must sign, who signed
    which, which are still missing (and who may sign them), and whether a
    person who did not write the review has signed (four eyes)."""

    required: list[str]
    signed: dict[str, ReviewSignoff] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    eligible: dict[str, list[str]] = field(default_factory=dict)
    independent: bool = False
    second: ReviewSignoff | None = None

    @property
    def complete(self) -> bool:
        return not self.missing and self.independent


def required_roles(config: AppConfig, held: Mapping[str, set[str]]) -> list[str]:
    """The liaisons of ``[review].signers`` the group had; else the lead."""
    roles = [r.value for r in config.review.signers if r.value in held]
    return roles or [Role.INCIDENT_LEAD.value]


def eligible_for(config: AppConfig, held: Mapping[str, set[str]], role: str) -> set[str]:
    subs = {k.value: v for k, v in config.review.substitutes.items()}
    return set(held.get(role, set())) | set(subs.get(role, []))


def state(session: Session, config: AppConfig, review: Review) -> SignState:
    held = held_roles(session, review.incident_id)
    required = required_roles(config, held)
    out = SignState(required=required)
    authors = set(review.authors or [])
    for s in active_signoffs(session, review.id):
        if s.role == SECOND:
            out.second = s
        else:
            out.signed.setdefault(s.role, s)
        if s.person not in authors:
            out.independent = True
    out.missing = [r for r in required if r not in out.signed]
    out.eligible = {r: sorted(eligible_for(config, held, r)) for r in required}
    return out


def _second_eyes(config: AppConfig, held: Mapping[str, set[str]]) -> set[str]:
    """Who may sign as the second pair of eyes: anyone of the response
    group, or any substitute."""
    people = {p for names in held.values() for p in names}
    return people | {p for names in config.review.substitutes.values() for p in names}


def sign_role(session: Session, config: AppConfig, review: Review, person: str) -> str | None:
    """The role ``person`` would sign now, or None (the rule itself, asked
    without signing: "waiting for me" lists what this says yes to)."""
    st = state(session, config, review)
    if any(s.person == person for s in [*st.signed.values(), *([st.second] if st.second else [])]):
        return None
    held = held_roles(session, review.incident_id)
    for role in st.missing:
        if person in eligible_for(config, held, role):
            return role
    if not st.missing and not st.independent and person not in (review.authors or []):
        if person in _second_eyes(config, held):
            return SECOND
    return None


def sign(session: Session, ctx: Context, incident_id: int, comment: str | None = None) -> tuple[ReviewSignoff, bool]:
    """The actor signs the current version. Returns (the sign-off, whether
    the review is now signed off)."""
    incident = incident_of(session, incident_id, lock=True)
    review = get(session, incident_id)
    if review is None:
        raise ConflictError("review.error.not_open", id=incident.id)
    try:
        person = find_person(ctx.config, ctx.actor)[0]
    except InputError:
        raise InputError("review.error.actor_unknown", actor=ctx.actor) from None
    if review.signed_off_at is not None:
        raise ConflictError("review.error.already_complete", id=incident.id)
    missing = missing_fields(review)
    if missing:
        raise ConflictError("review.error.incomplete", id=incident.id, fields=",".join(missing))
    st = state(session, ctx.config, review)
    if any(s.person == person for s in [*st.signed.values(), *([st.second] if st.second else [])]):
        raise ConflictError("review.error.already_signed", person=person, version=review.version)
    role = sign_role(session, ctx.config, review, person)
    if role is None:
        raise _not_signer(st, person, review)
    now = ctx.clock.now()
    text = clean_text("comment", comment or "") or None
    signoff = ReviewSignoff(review_id=review.id, version=review.version, person=person, role=role, comment=text, at=now)
    session.add(signoff)
    session.flush()
    after = state(session, ctx.config, review)
    known = ctx.config.people.get(person)
    name = known.name if known else person  # as the other timeline lines name people
    event(session, ctx, incident, "review_signed", role=role, person=person, person_name=name, version=review.version)
    if after.complete:
        review.signed_off_at = now
        event(session, ctx, incident, "review_signed_off", version=review.version)
    return signoff, after.complete


def _not_signer(st: SignState, person: str, review: Review) -> ConflictError:
    if not st.missing and not st.independent:
        # Every role signed, but only by people who wrote it.
        return ConflictError("review.error.needs_second", person=person)
    who = sorted({p for r in st.missing for p in st.eligible.get(r, [])} - {person}) or ["—"]
    return ConflictError(
        "review.error.not_signer",
        person=person,
        roles=",".join(st.missing or st.required),
        who=", ".join(who),
    )


# ------------------------------------------------------------------ closing --


def waive(session: Session, ctx: Context, incident_id: int, reason: str) -> Review:
    """The incident's lead (or the duty manager) records why the incident
    closes without a signed-off review (the caller checks the permission
    to update incidents as well)."""
    text = clean_text("reason", reason)
    if not text:
        raise InputError("review.error.reason_required")
    incident = incident_of(session, incident_id, lock=True)
    # the incident's own lead (whoever held the role on it) or the centre's
    # duty manager: not any lead, and not a liaison who would rather not sign
    leads = held_roles(session, incident.id).get(Role.INCIDENT_LEAD.value, set())
    allowed = leads | {ctx.config.response.escalation.duty_manager or ""}
    if person_key(ctx.config, ctx.actor) not in allowed:
        who = ", ".join(sorted(x for x in allowed if x)) or "-"
        raise ForbiddenError("review.error.not_lead", person=ctx.actor, id=incident.id, who=who)
    review = open_review(session, ctx, incident_id)
    if review.signed_off_at is not None:
        raise ConflictError("review.error.already_complete", id=incident.id)
    review.waived_at, review.waived_by, review.waiver_reason = ctx.clock.now(), ctx.actor, text
    event(session, ctx, incident, "review_waived", reason=text)
    return review


def check_close(session: Session, ctx: Context, incident: Incident) -> None:
    """The close gate (called by response.change_status): an incident of a
    severity in ``[review].required_for`` closes only once its review is
    signed off, or the lead has recorded why not."""
    if not ctx.config.review.required(incident.severity_enum):
        return
    review = get(session, incident.id)
    if review is not None and (review.signed_off_at is not None or review.waived_at is not None):
        return
    waiting = state(session, ctx.config, review).missing if review is not None else []
    key = "review.error.close_unsigned" if waiting else "review.error.close_no_signoff"
    raise ConflictError(key, id=incident.id, severity=incident.severity_enum.label, waiting=",".join(waiting))
