"""People, teams, rotations and the response: who is called in, how they
are reached, and how an unacknowledged role escalates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from incident.config_types import (
    _MASKED_PHONE,
    LangField,
    LocalDateTime,
    RoleField,
    SeverityField,
    _cmp_key,
    _Strict,
)
from incident.enums import Kind, Role, Severity

PersonChannel = Literal["console", "inbox", "email", "slack", "sms", "voice"]
_DEFAULT_CHANNELS: tuple[PersonChannel, ...] = ("console",)


class QuietHours(_Strict):
    """Hours (the centre's wall clock) when the loud channels (SMS, voice)
    wait for the next person in ``notify`` unless the incident is one of
    ``loud_for``'s severities; e-mail, the inbox and the console still go."""

    start: str
    end: str
    loud_for: list[SeverityField] = Field(default_factory=lambda: [Severity.SEV1])

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v.strip()):
            raise PydanticCustomError("quiet_time", "not a time of day as HH:MM (e.g. 22:00): {value!r}", {"value": v})
        return v.strip()

    @model_validator(mode="after")
    def _not_empty(self) -> "QuietHours":
        if self.start == self.end:
            raise PydanticCustomError("quiet_empty", "quiet hours start and end at the same time", {})
        return self

    def covers(self, wall: dt.time) -> bool:
        start, end = dt.time.fromisoformat(self.start), dt.time.fromisoformat(self.end)
        return start <= wall < end if start <= end else (wall >= start or wall < end)


class Person(_Strict):
    name: str
    slack_id: str | None = None
    email: str | None = None
    # Only ever the last four digits (DOMAIN.md §6: never full phone numbers).
    phone: str | None = None
    languages: list[LangField] = Field(default_factory=lambda: ["zh-CN"], min_length=1)
    # How to reach this person, in order of preference: each message goes by
    # the first channel that can reach them now, and by the next when it
    # fails for good (incident/notify_channels.py).
    notify: list[PersonChannel] = Field(default_factory=lambda: list(_DEFAULT_CHANNELS), min_length=1)
    # The SMS/voice provider's contact id for this person: the roster never
    # holds a full phone number, the provider does.
    pager_id: str | None = None
    quiet_hours: QuietHours | None = None

    @field_validator("pager_id")
    @classmethod
    def _pager_id(cls, v: str | None) -> str | None:
        # A contact id in the provider's directory, never a phone number (DOMAIN.md §6).
        if v is not None and (re.search(r"\d{7}", re.sub(r"[\s\-.()+]", "", v)) or not v.strip()):
            raise PydanticCustomError(
                "pager_id_phone", "pager_id is the provider's contact id, not a phone number: {value!r}", {"value": v}
            )
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise PydanticCustomError("email", "not an e-mail address: {value!r}", {"value": v})
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is not None and not _MASKED_PHONE.fullmatch(v):
            raise PydanticCustomError(
                "phone_unmasked",
                "phone must be masked to its last 4 digits (e.g. ****1234); full numbers are never stored",
                {},
            )
        return v


class Rotation(_Strict):
    """Members take turns; each turn lasts ``every`` and hands over at the
    wall-clock time of ``start`` (in the centre's zone)."""

    members: list[str] = Field(min_length=1)
    start: LocalDateTime
    every: Literal["daily", "weekly"] | int = "weekly"

    @property
    def period(self) -> dt.timedelta:
        if self.every == "daily":
            return dt.timedelta(days=1)
        if self.every == "weekly":
            return dt.timedelta(days=7)
        return dt.timedelta(days=int(self.every))

    @field_validator("every")
    @classmethod
    def _every(cls, v: Any) -> Any:
        if isinstance(v, int) and v < 1:
            raise PydanticCustomError("every", "rotation length must be at least 1 day", {})
        return v


class Shift(_Strict):
    """An explicit shift; it overrides the rotation while it lasts."""

    person: str
    start: LocalDateTime
    end: LocalDateTime

    @model_validator(mode="after")
    def _order(self) -> "Shift":
        if _cmp_key(self.end) <= _cmp_key(self.start):
            raise PydanticCustomError("shift_order", "shift ends before it starts", {})
        return self


class Team(_Strict):
    name: str | None = None  # shown instead of the key
    name_en: str | None = None
    roles: list[RoleField] = Field(min_length=1)
    supervisor: str
    # Who is tried after the holder when a role is not acknowledged; unset,
    # the next member of the rotation is the deputy.
    deputy: str | None = None
    rotation: Rotation | None = None
    shifts: list[Shift] = Field(default_factory=list)


class ResponseRule(_Strict):
    """Which roles a kind × severity calls in. All matching rules add up."""

    kinds: list[Kind | Literal["*"]] = ["*"]  # pydantic copies a mutable default for each instance
    severities: list[SeverityField] = Field(default_factory=lambda: list(Severity))
    roles: list[RoleField] = Field(min_length=1)

    def matches(self, kind: Kind, severity: Severity) -> bool:
        return ("*" in self.kinds or kind in self.kinds) and severity in self.severities


def _default_rules() -> list[ResponseRule]:
    return [
        ResponseRule(roles=[Role.INCIDENT_LEAD, Role.CS_LEAD, Role.SCRIBE]),
        ResponseRule(severities=[Severity.SEV1, Severity.SEV2, Severity.SEV3], roles=[Role.COMMS_LEAD]),
        ResponseRule(kinds=[Kind.PUBLIC_OPINION], roles=[Role.COMMS_LEAD, Role.BUSINESS_LIAISON]),
        ResponseRule(kinds=[Kind.SYSTEM_OUTAGE], roles=[Role.TECH_LIAISON]),
        ResponseRule(kinds=[Kind.BATCH_COMPLAINT], roles=[Role.BUSINESS_LIAISON]),
        ResponseRule(
            kinds=[Kind.PUBLIC_OPINION], severities=[Severity.SEV1, Severity.SEV2], roles=[Role.LEGAL_LIAISON]
        ),
    ]


EscalationLevel = Literal["holder", "deputy", "supervisor", "duty_manager"]
_DEFAULT_LEVELS: tuple[EscalationLevel, ...] = ("deputy", "supervisor", "duty_manager")


class EscalationConfig(_Strict):
    """Who is tried, in turn, when a called-in role is not acknowledged
    (DOMAIN.md §4; 003 §2.3): each level after the deadline, each after its
    own delay by severity; the chain repeats until someone acknowledges, or for ``rounds``
    rounds when that is set. A level that names nobody, the holder
    themself (a supervisor of their own team) or the person just tried is
    skipped."""

    levels: list[EscalationLevel] = Field(default_factory=lambda: list(_DEFAULT_LEVELS), min_length=1)
    delay_minutes: dict[SeverityField, Annotated[int, Field(gt=0)]] = Field(
        default_factory=lambda: {Severity.SEV1: 5, Severity.SEV2: 10, Severity.SEV3: 15, Severity.SEV4: 30}
    )
    # The wait before one level's step, by severity, where it differs from
    # delay_minutes (e.g. the duty manager only after 30 minutes at SEV3).
    level_delay_minutes: dict[EscalationLevel, dict[SeverityField, Annotated[int, Field(gt=0)]]] = Field(
        default_factory=dict
    )
    rounds: Annotated[int, Field(ge=0)] = 0  # 0: until acknowledged
    duty_manager: str | None = None  # the centre's duty manager (a person key)

    def delay(self, severity: Severity, level: str | None = None) -> dt.timedelta:
        """The wait before a step at ``level`` (the next one to take)."""
        own = self.level_delay_minutes.get(level, {}) if level else {}  # type: ignore[call-overload]
        return dt.timedelta(minutes=own.get(severity) or self.delay_minutes.get(severity) or 15)


class ResponseConfig(_Strict):
    # Minutes a called-in role has to acknowledge before the team's
    # supervisor is alerted (DOMAIN.md §4: overdue escalates to the supervisor).
    ack_minutes: dict[SeverityField, Annotated[int, Field(gt=0)]] = Field(
        default_factory=lambda: {Severity.SEV1: 5, Severity.SEV2: 10, Severity.SEV3: 30, Severity.SEV4: 60}
    )
    role_ack_minutes: dict[RoleField, Annotated[int, Field(gt=0)]] = Field(default_factory=dict)
    rules: list[ResponseRule] = Field(default_factory=_default_rules)
    escalation: EscalationConfig = Field(default_factory=EscalationConfig)
    # How long the acknowledge link in a notification works (once).
    ack_link_hours: Annotated[int, Field(gt=0, le=24 * 7)] = 24

    def roles_for(self, kind: Kind, severity: Severity) -> list[Role]:
        wanted = {role for rule in self.rules if rule.matches(kind, severity) for role in rule.roles}
        return [r for r in Role if r in wanted]  # canonical order

    def ack_timeout(self, role: Role, severity: Severity) -> dt.timedelta:
        minutes = self.role_ack_minutes.get(role) or self.ack_minutes.get(severity) or 15
        return dt.timedelta(minutes=minutes)


class ReviewConfig(_Strict):
    """The post-incident review (复盘; 000 §6.2: the root cause settled by
    business, technology and legal together): who signs it off, and which
    severities may not be closed before it is signed off (or the lead has
    recorded why not)."""

    # Incidents of these severities are closed only once their review is
    # signed off or waived with a reason; the others may close without one.
    required_for: list[SeverityField] = Field(default_factory=lambda: [Severity.SEV1])
    # The liaison roles that sign, among those the response group had
    # (an incident with none of them: its incident lead signs).
    signers: list[RoleField] = Field(
        default_factory=lambda: [Role.BUSINESS_LIAISON, Role.TECH_LIAISON, Role.LEGAL_LIAISON], min_length=1
    )
    # Who may sign for a role besides whoever held it on the incident
    # (e.g. the head of legal for any legal liaison), by role.
    substitutes: dict[RoleField, list[str]] = Field(default_factory=dict)

    def required(self, severity: Severity) -> bool:
        return severity in self.required_for
