"""Who is acting, when, under which configuration: passed to every service
function so that none of them reaches for globals (or the wall clock)."""

from __future__ import annotations

from dataclasses import dataclass, field

from incident.config import AppConfig
from incident.timeutil import Clock


@dataclass(frozen=True)
class Context:
    config: AppConfig
    actor: str
    clock: Clock = field(default_factory=Clock)
