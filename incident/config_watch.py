"""What is watched and how surges are told: feeds, volumes, detection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
)
from pydantic_core import PydanticCustomError

from incident.config_types import (
    LangField,
    SeverityField,
    _Strict,
)
from incident.enums import Severity
from incident.netcheck import BadURL, configured_url

FeedKind = Literal["social", "news", "complaint_platform", "status_page"]
Dimension = Literal["category", "branch", "channel", "topic", "product"]
SilenceDimension = Literal["total", "category", "branch", "channel", "topic", "product"]


_FEED_URL = {
    "scheme": ("feed_url_scheme", "a feed URL must start with http:// or https://: {value}"),
    "url": ("feed_url_invalid", "not a valid feed URL: {value}"),
    "userinfo": (
        "feed_url_userinfo",
        "a feed URL must not hold a user name or password: {value} (use auth_header_env)",
    ),
}


class FeedSource(_Strict):
    """One RSS/Atom source (``[feeds.<name>]``)."""

    url: str
    kind: FeedKind = "news"
    language: LangField = "zh-CN"
    poll_minutes: Annotated[int, Field(gt=0)] = 5
    # Extra brand terms for this source, on top of [watch].brand_terms;
    # write both simplified and traditional forms (顺丰, 順豐).
    brand_terms: list[str] = Field(default_factory=list)
    # Name of the environment variable that holds the header's value, e.g.
    # "Bearer …"; the secret itself never goes in this file.
    auth_header_env: str | None = None
    auth_header_name: str = "Authorization"
    # Private, loopback and link-local addresses are refused unless allowed
    # here (an intranet complaint platform, or a test server).
    allow_private: bool = False
    # Severity of incidents opened from a status page's active incident.
    severity: SeverityField = Severity.SEV3
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        # The same parsing the fetch uses, so that config check refuses what
        # the fetch would (port 99999, "http://[::1/feed.xml", a tab, ftp://).
        try:
            return configured_url(v)
        except BadURL as exc:
            kind, text = _FEED_URL[exc.problem]
            raise PydanticCustomError(kind, text, {"value": exc.url}) from None


class WatchConfig(_Strict):
    """How feeds are fetched and what counts as being about us."""

    brand_terms: list[str] = Field(default_factory=list)
    max_feed_bytes: Annotated[int, Field(gt=0)] = 5_000_000
    connect_timeout_seconds: Annotated[float, Field(gt=0)] = 5.0
    read_timeout_seconds: Annotated[float, Field(gt=0)] = 10.0
    # A server that trickles bytes forever is cut off after this long.
    total_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    max_redirects: Annotated[int, Field(ge=0)] = 3
    # How many sources are fetched at once (the size of the shared
    # connection pool too): one slow source never holds up the others.
    fetch_concurrency: Annotated[int, Field(gt=0)] = 32
    # Operators' own classification rules, merged over the built-in ones
    # (incident/data/topics.toml shows the format).
    topics_file: Path | None = None
    # On a source's first poll only entries newer than this raise signals;
    # the rest is history.
    first_poll_hours: Annotated[int, Field(ge=0)] = 24


class SeverityRule(_Strict):
    severity: SeverityField
    min_ratio: float = 0.0
    min_breadth: int = 1


def _default_severity_rules() -> list[SeverityRule]:
    return [
        SeverityRule(severity=Severity.SEV1, min_ratio=10.0, min_breadth=3),
        SeverityRule(severity=Severity.SEV2, min_ratio=5.0, min_breadth=2),
        SeverityRule(severity=Severity.SEV2, min_ratio=10.0),
        SeverityRule(severity=Severity.SEV3, min_ratio=3.0),
    ]


class DetectionConfig(_Strict):
    """Volume series and what a surge becomes (DOMAIN.md §3)."""

    bucket_minutes: Annotated[int, Field(gt=0, le=1440)] = 5
    # Complaint dimensions counted as series of their own, besides the total.
    dimensions: list[Dimension] = ["category", "branch", "channel", "topic"]
    # A bucket is scored this long after it closes, so that tickets recorded
    # a moment late still count (003 §2.3: record within 5 minutes).
    grace_seconds: Annotated[int, Field(ge=0)] = 2
    # Feeds are polled, so their buckets wait for the slowest poll.
    feed_grace_minutes: Annotated[int, Field(ge=0)] = 10
    # A surge smaller than this many items is not an incident: counted over
    # the surge's episode (its buckets above threshold), not one bucket.
    min_count: Annotated[int, Field(ge=1)] = 5
    # Series whose silence is an incident (DOMAIN.md §3: a branch nobody can
    # reach, a channel gone dead); a quiet category or topic at night is not.
    silence_dimensions: list[SilenceDimension] = ["total", "branch", "channel"]
    # ... once this many complaints were expected over the silent stretch.
    silence_min_expected: Annotated[int, Field(ge=1)] = 20
    # Topics whose surge is a system outage rather than a batch complaint.
    outage_topics: list[str] = Field(default_factory=lambda: ["outage"])
    # How far back a new series is scored on its first run.
    backfill_days: Annotated[int, Field(ge=0)] = 14
    samples: Annotated[int, Field(ge=1, le=50)] = 5
    # First matching rule wins; ratio = observed / baseline, breadth = how
    # many series alerted together.
    severity_rules: list[SeverityRule] = Field(default_factory=_default_severity_rules)
    default_severity: SeverityField = Severity.SEV4
