"""The vocabulary of an incident: kinds, severities, statuses, roles, events.

Values are stored in the database as the lowercase strings below; never
rename one without a migration.
"""

from __future__ import annotations

import enum


class Kind(str, enum.Enum):
    BATCH_COMPLAINT = "batch_complaint"  # 批量投诉
    SYSTEM_OUTAGE = "system_outage"  # 系统故障
    PUBLIC_OPINION = "public_opinion"  # 舆情
    OTHER = "other"


class Severity(int, enum.Enum):
    """SEV1 is the worst. The meaning of each level is in README.md#severity."""

    SEV1 = 1
    SEV2 = 2
    SEV3 = 3
    SEV4 = 4

    @property
    def label(self) -> str:
        return f"SEV{self.value}"

    @classmethod
    def parse(cls, text: str | int) -> "Severity":
        """Accept 2, "2", "sev2", "SEV2", "Sev 2"."""
        raw = str(text).strip().upper().replace(" ", "")
        if raw.startswith("SEV"):
            raw = raw[3:]
        try:
            return cls(int(raw))
        except (ValueError, TypeError):
            raise ValueError(str(text)) from None


class Status(str, enum.Enum):
    DECLARED = "declared"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in (Status.RESOLVED, Status.CLOSED)


OPEN_STATUSES = tuple(s for s in Status if s.is_open)


class Role(str, enum.Enum):
    """The response group (专项小组, 000 §6.2 / DOMAIN.md §1)."""

    INCIDENT_LEAD = "incident_lead"
    COMMS_LEAD = "comms_lead"
    CS_LEAD = "cs_lead"
    TECH_LIAISON = "tech_liaison"
    BUSINESS_LIAISON = "business_liaison"
    LEGAL_LIAISON = "legal_liaison"
    SCRIBE = "scribe"

    @classmethod
    def parse(cls, text: str) -> "Role":
        key = text.strip().lower().replace("-", "_")
        if key in _ROLE_ALIASES:
            return _ROLE_ALIASES[key]
        return cls(key)


_ROLE_ALIASES: dict[str, Role] = {
    "lead": Role.INCIDENT_LEAD,
    "comms": Role.COMMS_LEAD,
    "cs": Role.CS_LEAD,
    "tech": Role.TECH_LIAISON,
    "business": Role.BUSINESS_LIAISON,
    "legal": Role.LEGAL_LIAISON,
    "事件负责人": Role.INCIDENT_LEAD,
    "公关负责人": Role.COMMS_LEAD,
    "客服负责人": Role.CS_LEAD,
    "技术对接人": Role.TECH_LIAISON,
    "业务对接人": Role.BUSINESS_LIAISON,
    "法务对接人": Role.LEGAL_LIAISON,
    "记录员": Role.SCRIBE,
}


class EventType(str, enum.Enum):
    """Timeline event types. The timeline is append-only (enforced by triggers)."""

    DECLARED = "declared"
    STATUS_CHANGED = "status_changed"
    ROLE_ASSIGNED = "role_assigned"
    ROLE_UNFILLED = "role_unfilled"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    ESCALATION_ENDED = "escalation_ended"
    NOTICE_REROUTED = "notice_rerouted"
    NOTE = "note"
    SIGNAL_ATTACHED = "signal_attached"
    UPDATED = "updated"
    DEADLINES_RETIMED = "deadlines_retimed"
    # wording (fact sheets, statements) and response clocks
    FACTS_DRAFTED = "facts_drafted"
    FACTS_SUBMITTED = "facts_submitted"
    FACTS_SIGNED = "facts_signed"
    FACTS_APPROVED = "facts_approved"
    FACTS_REJECTED = "facts_rejected"
    FACTS_RETRACTED = "facts_retracted"
    STATEMENT_DRAFTED = "statement_drafted"
    STATEMENT_SUBMITTED = "statement_submitted"
    STATEMENT_SIGNED = "statement_signed"
    STATEMENT_APPROVED = "statement_approved"
    STATEMENT_REJECTED = "statement_rejected"
    STATEMENT_PUBLISHED = "statement_published"
    STATEMENT_RETRACTED = "statement_retracted"
    STATEMENTS_STALE = "statements_stale"
    CLOCK_OVERDUE = "clock_overdue"
    # remedy: affected customers, compensation, callbacks
    CUSTOMERS_ADDED = "customers_added"
    COMPENSATION_PROPOSED = "compensation_proposed"
    COMPENSATION_APPROVED = "compensation_approved"
    COMPENSATION_REJECTED = "compensation_rejected"
    COMPENSATION_ISSUED = "compensation_issued"
    COMPENSATION_FAILED = "compensation_failed"
    COMPENSATION_REVERSED = "compensation_reversed"
    BUDGET_PASSED = "budget_passed"
    CALLBACKS_SCHEDULED = "callbacks_scheduled"
    CALLBACKS_OVERDUE = "callbacks_overdue"
    FOLLOW_UP_OPENED = "follow_up_opened"
    # an agent asked for a customer's contact to make a callback (who saw which number)
    CONTACT_REVEALED = "contact_revealed"
    # two incidents about one outage (incident/merge.py)
    LINKED = "linked"
    MERGED_INTO = "merged_into"
    MERGED_FROM = "merged_from"


# The web roles (incident/access/permissions.py says what each may do). Here,
# below the config, because the config checks the roles a user is given.
ACCESS_ROLES = ("lead", "comms", "legal", "cs_lead", "agent", "viewer", "admin")
