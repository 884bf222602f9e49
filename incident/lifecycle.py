"""The status flow: declared → investigating → identified → monitoring →
resolved → closed.

Forward steps may skip stages (a false alarm goes declared → resolved); work
may step back while the incident is open (monitoring → investigating when a
fix does not hold); a resolved incident may be reopened; closed is final,
and only a resolved incident can be closed — its customers are followed up
before that (DOMAIN.md §4).
"""

from __future__ import annotations

from incident.enums import Status
from incident.errors import TransitionError

_ACTIVE = (Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING)

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.DECLARED: frozenset({*_ACTIVE, Status.RESOLVED}),
    Status.INVESTIGATING: frozenset({Status.IDENTIFIED, Status.MONITORING, Status.RESOLVED}),
    Status.IDENTIFIED: frozenset({Status.INVESTIGATING, Status.MONITORING, Status.RESOLVED}),
    Status.MONITORING: frozenset({Status.INVESTIGATING, Status.IDENTIFIED, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.INVESTIGATING}),
    Status.CLOSED: frozenset(),
}


def allowed_next(current: Status) -> list[Status]:
    return [s for s in Status if s in ALLOWED[current]]


def check_transition(current: Status, target: Status) -> None:
    """Raise :class:`TransitionError` (naming what is allowed) unless
    ``current → target`` is in the flow."""
    if target == current:
        raise TransitionError("error.transition_same", status=current.value)
    if target not in ALLOWED[current]:
        allowed = ", ".join(s.value for s in allowed_next(current))
        key = "error.transition_closed" if current == Status.CLOSED else "error.transition"
        raise TransitionError(key, current=current.value, target=target.value, allowed=allowed or "—")
