"""Configuration: environment (prefix ``INCIDENT_``) plus one TOML file.

Precedence: command-line flag > environment > TOML file > built-in default.
The TOML file is validated in full at start; a bad file is refused with the
key and the reason (see :func:`load_config`). ``examples/incident.toml`` is
the commented reference.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from incident.access.permissions import ROLES
from incident.adapters.http_provider import HttpProviderConfig
from incident.enums import Kind, Role, Severity
from incident.errors import ConfigError
from incident.money import MoneyError, to_money
from incident.netcheck import BadURL, parse_url, shown
from incident.remedy import texts as _remedy_texts  # noqa: F401  (config.reason.ticket_url_*)
from incident.remedy.formula import FormulaError, compile_formula

LANGS = ("zh-CN", "en")


def normalise_lang(value: str | None) -> str:
    """zh, zh_CN, zh-cn, zh-Hans → zh-CN; en, en_US … → en."""
    if not value:
        return "zh-CN"
    v = value.strip().lower().replace("_", "-")
    if v.startswith("zh"):
        return "zh-CN"
    if v.startswith("en"):
        return "en"
    raise PydanticCustomError("lang", "unknown language {value!r}; use zh-CN or en", {"value": value})


def _severity(value: Any) -> Severity:
    if isinstance(value, Severity):
        return value
    try:
        return Severity.parse(value)
    except ValueError:
        raise PydanticCustomError(
            "severity", "unknown severity {value!r}; use 1–4 or SEV1–SEV4", {"value": value}
        ) from None


def _role(value: Any) -> Role:
    if isinstance(value, Role):
        return value
    try:
        return Role.parse(str(value))
    except ValueError:
        raise PydanticCustomError(
            "role",
            "unknown role {value!r}; roles are: {roles}",
            {"value": value, "roles": ", ".join(r.value for r in Role)},
        ) from None


def _local_datetime(value: Any) -> dt.datetime:
    """TOML local date-times stay naive (wall time in the centre's zone);
    strings are accepted too so that env/JSON configs work."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1).replace("Z", "+00:00"))
        except ValueError:
            pass
    raise PydanticCustomError("datetime", "not a date-time: {value!r} (e.g. 2026-01-05T09:00)", {"value": value})


SeverityField = Annotated[Severity, BeforeValidator(_severity)]
RoleField = Annotated[Role, BeforeValidator(_role)]
LangField = Annotated[str, BeforeValidator(normalise_lang)]
LocalDateTime = Annotated[dt.datetime, BeforeValidator(_local_datetime)]


def _money(value: Any) -> Decimal:
    """An amount (元; the thresholds' points and days too): a TOML number or
    a string ("12.50", "1,500"), exact to the cent — read as written, never
    through a binary float; finer than a cent is refused, not rounded."""
    try:
        return to_money(value, exact=True)
    except MoneyError:
        raise PydanticCustomError(
            "money", "not an amount of money to the cent: '{value}' (e.g. 200 or \"12.50\")", {"value": str(value)}
        ) from None


MoneyField = Annotated[Decimal, BeforeValidator(_money)]

_MASKED_PHONE = re.compile(r"^[*＊xX•·\-\s]*\d{0,4}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CentreConfig(_Strict):
    name: str = "客服中心"
    # The name English statements use (e-mail subject, SMS signature); unset,
    # they say "Customer Service Centre" rather than the Chinese name.
    name_en: str | None = None
    timezone: str = "Asia/Shanghai"
    language: LangField = "zh-CN"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "zone", "unknown time zone {value!r} (e.g. Asia/Shanghai)", {"value": v}
            ) from None
        return v

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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


def _cmp_key(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is None else value.replace(tzinfo=None) - (value.utcoffset() or dt.timedelta())


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
    (DOMAIN.md §4; 003 §2.3): each level after the deadline, one delay
    apart; the chain repeats until someone acknowledges, or for ``rounds``
    rounds when that is set. A level that names nobody, the holder
    themself (a supervisor of their own team) or the person just tried is
    skipped."""

    levels: list[EscalationLevel] = Field(default_factory=lambda: list(_DEFAULT_LEVELS), min_length=1)
    delay_minutes: dict[SeverityField, Annotated[int, Field(gt=0)]] = Field(
        default_factory=lambda: {Severity.SEV1: 5, Severity.SEV2: 10, Severity.SEV3: 15, Severity.SEV4: 30}
    )
    rounds: Annotated[int, Field(ge=0)] = 0  # 0: until acknowledged
    duty_manager: str | None = None  # the centre's duty manager (a person key)

    def delay(self, severity: Severity) -> dt.timedelta:
        return dt.timedelta(minutes=self.delay_minutes.get(severity) or 15)


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


FeedKind = Literal["social", "news", "complaint_platform", "status_page"]
Dimension = Literal["category", "branch", "channel", "topic", "product"]
SilenceDimension = Literal["total", "category", "branch", "channel", "topic", "product"]


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
            parsed = parse_url(v.strip())
        except BadURL as exc:
            if exc.problem == "scheme":
                raise PydanticCustomError(
                    "feed_url_scheme", "a feed URL must start with http:// or https://: {value}", {"value": exc.url}
                ) from None
            raise PydanticCustomError("feed_url_invalid", "not a valid feed URL: {value}", {"value": exc.url}) from None
        if parsed.userinfo:
            # A password here would be in every log line and health message
            # that names the source; secrets go in an environment variable.
            raise PydanticCustomError(
                "feed_url_userinfo",
                "a feed URL must not hold a user name or password: {value} (use auth_header_env)",
                {"value": shown(v.strip())},
            )
        return v.strip()


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


class CompensationCaps(_Strict):
    """Per-waybill caps in 元 (004 ch.3 §2, DOMAIN.md §5): insured goods pay
    the actual loss up to ``insured_goods``, documents up to
    ``insured_documents``; uninsured up to ``uninsured``; a declared value
    (保价) pays the declared value up to ``declared_value``."""

    insured_goods: Annotated[MoneyField, Field(gt=0)] = Decimal("2000.00")
    insured_documents: Annotated[MoneyField, Field(gt=0)] = Decimal("200.00")
    uninsured: Annotated[MoneyField, Field(gt=0)] = Decimal("200.00")
    declared_value: Annotated[MoneyField, Field(gt=0)] = Decimal("10000.00")

    @property
    def highest(self) -> Decimal:
        return max(self.insured_goods, self.insured_documents, self.uninsured, self.declared_value)


CompensationForm = Literal["coupon", "points", "refund", "service_extension", "gift"]
# The unit each form is counted in: money (元), points, or days of service.
FORM_UNITS: dict[str, str] = {
    "coupon": "yuan",
    "refund": "yuan",
    "gift": "yuan",
    "points": "points",
    "service_extension": "days",
}


class CompensationPolicy(_Strict):
    """What an incident's affected customers are offered (first matching
    policy wins): a form, an amount or a formula, and who is eligible."""

    name: str
    kinds: list[Kind | Literal["*"]] = ["*"]
    # The customer's problem category (from the complaint or the import).
    categories: list[str] = Field(default_factory=lambda: ["*"])
    form: CompensationForm
    amount: Annotated[MoneyField, Field(gt=0)] | None = None
    # e.g. "min(amount_at_stake * 0.1, 100)"; names: amount_at_stake,
    # declared_value; functions: min, max, round. Checked when loaded.
    formula: str | None = None
    # Eligibility: complained within this many hours of the incident's start
    # (customers added by hand or from a file without a complaint time pass).
    within_hours: Annotated[int, Field(gt=0)] | None = None
    min_order_value: Annotated[MoneyField, Field(ge=0)] | None = None
    # The customer's branch or category must be in the incident's scope.
    scope_match: bool = False

    @model_validator(mode="after")
    def _amount_or_formula(self) -> "CompensationPolicy":
        if (self.amount is None) == (self.formula is None):
            raise PydanticCustomError("policy_amount", "give either amount or formula (not both)", {})
        if self.formula is not None:
            try:
                compile_formula(self.formula)
            except FormulaError as exc:
                raise PydanticCustomError(
                    "policy_formula", "bad formula {value!r}: {reason}", {"value": self.formula, "reason": str(exc)}
                ) from None
        return self


class CompensationConfig(_Strict):
    caps: CompensationCaps = Field(default_factory=CompensationCaps)
    # Above these amounts an entry needs a supervisor's approval (four
    # eyes: never the proposer); below them it is approved by policy.
    approval_thresholds: dict[Literal["yuan", "points", "days"], Annotated[MoneyField, Field(ge=0)]] = {
        "yuan": Decimal("100.00"),
        "points": Decimal("5000.00"),
        "days": Decimal("30.00"),
    }
    # People allowed to approve besides the supervisors of the teams.
    approvers: list[str] = Field(default_factory=list)
    # Alert (timeline + the supervisor) when an incident's money passes this.
    budget_yuan: Annotated[MoneyField, Field(gt=0)] | None = None
    batch_size: Annotated[int, Field(gt=0, le=10000)] = 1000
    policies: list[CompensationPolicy] = Field(default_factory=list)


class CallbackConfig(_Strict):
    """Follow-up calls (回访, DOMAIN.md §4)."""

    # The team whose members make the calls (default: the team covering
    # cs_lead); its supervisor gets the overdue ones.
    team: str | None = None
    # Agents (people keys) who call; default: the team's rotation members.
    agents: list[str] = Field(default_factory=list)
    work_days: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5, 6, 7], min_length=1
    )
    work_start: dt.time = dt.time(9, 0)
    work_end: dt.time = dt.time(18, 0)
    result_minutes: Annotated[int, Field(gt=0)] = 60  # the result, after resolution (003 §2.4)
    unfinished_hours: Annotated[int, Field(gt=0)] = 24  # unfinished business (000 §3.1)
    ordinary_hours: Annotated[int, Field(gt=0)] = 24  # 003 §2.3
    complex_hours: Annotated[int, Field(gt=0)] = 48
    # A case is complex when this much is at stake (or it is marked so).
    complex_over_yuan: Annotated[MoneyField, Field(gt=0)] = Decimal("500.00")
    max_attempts: Annotated[int, Field(ge=1)] = 3
    # When detection opens (or a new surge bucket attaches to) an incident
    # from complaint volumes, the customers behind those complaints become
    # its affected customers and their callbacks are scheduled and assigned.
    from_complaints: bool = False
    # The ticket system's page of one ticket, "{ticket}" standing for the
    # ticket's id (https://tickets.example.com/t/{ticket}): the callbacks
    # page links a customer's complaint there. Unset: the id as plain text.
    ticket_url: str | None = None

    @field_validator("ticket_url")
    @classmethod
    def _ticket_url(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        # Exactly one {ticket} and no other brace: the id is the only part
        # that varies, and str.format() would choke on anything else.
        if v.count("{ticket}") != 1 or v.replace("{ticket}", "").count("{") or v.replace("{ticket}", "").count("}"):
            raise PydanticCustomError(
                "ticket_url_placeholder", "must hold the ticket placeholder exactly once: {value}", {"value": v}
            )
        try:
            parse_url(v.replace("{ticket}", "T1"))
        except BadURL:
            raise PydanticCustomError("ticket_url_invalid", "not a valid ticket link: {value}", {"value": v}) from None
        return v

    @model_validator(mode="after")
    def _hours(self) -> "CallbackConfig":
        if self.work_end <= self.work_start:
            raise PydanticCustomError("work_hours", "work_end must be after work_start", {})
        return self


class ChannelLimits(_Strict):
    """The real limits of each outbound channel."""

    # The 【signature】 every SMS carries; it counts towards the length.
    sms_signature: str = "【客服中心】"
    # The signature of English messages. Unset: "[centre name_en]", so an
    # English SMS in plain ASCII stays GSM-7 (160 a segment) instead of
    # UCS-2 (70) because of a Chinese 【signature】.
    sms_signature_en: str | None = None
    # Warn when a message needs more segments than this (each is billed).
    sms_max_segments: Annotated[int, Field(ge=1)] = 3
    weibo_max_chars: Annotated[int, Field(gt=0)] = 2000
    # Weibo shows this many characters before 「全文」; the essentials go there.
    weibo_fold_chars: Annotated[int, Field(gt=0)] = 140
    wechat_field_chars: Annotated[int, Field(gt=0)] = 20
    x_max_weight: Annotated[int, Field(gt=0)] = 280
    email_subject_chars: Annotated[int, Field(gt=0)] = 78


class WordingConfig(_Strict):
    """Fact sheets, statements and the response clocks (DOMAIN.md §1, §6)."""

    # Operators' own lint rules, merged over incident/data/lint_rules.toml.
    rules_file: Path | None = None
    channels: ChannelLimits = Field(default_factory=ChannelLimits)
    # The dedicated support channel (专属客服通道) a fact sheet starts with.
    support_channel: str = "客服热线专席"
    support_channel_en: str = "our dedicated support line"
    # First holding statement due this long after an incident opens.
    holding_minutes: Annotated[int, Field(gt=0)] = 60
    holding_minutes_public_opinion: Annotated[int, Field(gt=0)] = 240
    # After each published update, the next one is due within (per severity).
    update_minutes: dict[SeverityField, Annotated[int, Field(gt=0)]] = Field(
        default_factory=lambda: {Severity.SEV1: 30, Severity.SEV2: 60, Severity.SEV3: 120, Severity.SEV4: 240}
    )
    # Public statements of SEV1–2 public-opinion incidents also need legal's
    # sign-off (000 §6.2: root cause settled with business, tech and legal).
    legal_signoff: bool = True
    # People allowed to approve besides whoever holds or covers comms_lead.
    approvers: list[str] = Field(default_factory=list)
    # Where the status page is reachable from outside (links in statements).
    public_url: str = "http://127.0.0.1:8000"
    # When detection opens an incident, draft fact sheet v1 (the holding
    # statement's facts) from what detection knows and submit it for review,
    # so comms start from a draft awaiting approval rather than a blank page.
    draft_on_detection: bool = False

    def update_interval(self, severity: Severity) -> dt.timedelta:
        return dt.timedelta(minutes=self.update_minutes.get(severity) or 60)


class SmtpConfig(_Strict):
    """The SMTP server statements are e-mailed through (``[smtp]``)."""

    host: str
    port: Annotated[int, Field(gt=0, lt=65536)] = 25
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    # Name of the environment variable that holds the password; the secret
    # itself never goes in this file.
    password_env: str | None = None
    sender: str = "noreply@example.com"
    sender_name: str | None = None
    timeout_seconds: Annotated[float, Field(gt=0)] = 15.0


WebhookEvent = Literal[
    "*", "declared", "status_changed", "resolved", "statement_published", "escalated", "acknowledged"
]
_ALL_EVENTS: tuple[WebhookEvent, ...] = ("*",)


class IncidentWebhook(_Strict):
    """An outgoing webhook on incident events (``[[webhooks]]``): each event
    is POSTed as JSON, signed with HMAC-SHA256, retried through the outbox
    (incident/webhooks.py)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")]
    url: str
    events: list[WebhookEvent] = Field(default_factory=lambda: list(_ALL_EVENTS), min_length=1)
    # Name of the environment variable holding the signing secret.
    secret_env: str
    # Only for a receiver on this machine (tests, a local relay): private
    # and loopback addresses are otherwise refused.
    allow_loopback: bool = False
    timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 10

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        try:
            parsed = parse_url(v.strip())
        except BadURL as exc:
            raise PydanticCustomError("webhook_url", "not a usable http(s) URL: {value}", {"value": exc.url}) from None
        if parsed.userinfo:  # a password here would be in every log line; secrets go in secret_env
            raise PydanticCustomError("webhook_url", "not a usable http(s) URL: {value}", {"value": shown(v)})
        return v.strip()


class MessagingConfig(_Strict):
    """The HTTP providers that page people by SMS and by voice call
    (``[messaging.sms]``, ``[messaging.voice]``; incident/adapters/http_provider.py)."""

    sms: HttpProviderConfig | None = None
    voice: HttpProviderConfig | None = None


class SlackConfig(_Strict):
    """The response group's Slack (optional: without a token nothing is
    sent and everything else works the same)."""

    # Names of the environment variables holding the secrets; the secrets
    # themselves never go in this file.
    token_env: str = "SLACK_BOT_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    base_url: str = "https://slack.com/api/"
    private_channels: bool = True
    channel_prefix: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,20}$")] = "inc"
    # The channel is archived this long after the incident is resolved.
    archive_after_hours: Annotated[float, Field(ge=0)] = 24
    # Where delayed answers to slash commands may be posted (Slack's own host).
    response_url_hosts: list[str] = Field(default_factory=lambda: ["hooks.slack.com"])
    # 429s retried by the client (honouring Retry-After) before a sync run gives up.
    rate_limit_retries: Annotated[int, Field(ge=0, le=10)] = 3
    timeout_seconds: Annotated[float, Field(gt=0)] = 10.0


class StatusComponent(_Strict):
    """A part of the service the public status page lists (``[[status.components]]``).
    An incident affects it when one of its scope channels or products is
    one of ``match`` (case-insensitive), as set on the incident."""

    key: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
    name: str
    name_en: str
    match: list[str] = Field(default_factory=list)


class StatusMaintenance(_Strict):
    """Scheduled maintenance shown on the status page (``[[status.maintenance]]``);
    times are wall time in the centre's zone unless they carry an offset."""

    title: str
    title_en: str
    starts: LocalDateTime
    ends: LocalDateTime
    components: list[str] = Field(default_factory=list)
    note: str = ""
    note_en: str = ""

    @model_validator(mode="after")
    def _order(self) -> "StatusMaintenance":
        if _cmp_key(self.ends) <= _cmp_key(self.starts):
            raise PydanticCustomError("maintenance_order", "maintenance ends before it starts", {})
        return self


class StatusConfig(_Strict):
    """The public status page: components, maintenance, subscriptions."""

    components: list[StatusComponent] = Field(default_factory=list)
    maintenance: list[StatusMaintenance] = Field(default_factory=list)
    history_days: Annotated[int, Field(ge=1, le=366)] = 90
    # An e-mail confirmation link is good for this long, and once.
    confirm_hours: Annotated[int, Field(ge=1, le=24 * 14)] = 48
    # Tests only: webhooks to loopback (never private or link-local) addresses.
    allow_loopback_webhooks: bool = False
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 10.0

    @model_validator(mode="after")
    def _known_components(self) -> "StatusConfig":
        keys = {c.key for c in self.components}
        if len(keys) != len(self.components):
            raise PydanticCustomError("component_key", "two status components have the same key", {})
        for window in self.maintenance:
            for key in window.components:
                if key not in keys:
                    raise PydanticCustomError(
                        "component_unknown", "maintenance names unknown component {value!r}", {"value": key}
                    )
        return self


class StorageConfig(_Strict):
    database_url: str | None = None


class WebConfig(_Strict):
    """Who may use the web app, and how they prove it."""

    # password: users sign in with the password set by ``incident users``;
    # proxy: a reverse proxy that has already authenticated them names them
    # in ``proxy_header`` (trusted only from ``proxy_hosts``).
    auth: Literal["password", "proxy"] = "password"
    proxy_header: str = "X-Forwarded-User"
    proxy_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    # A proxy user unknown to ``incident users`` is let in with these roles
    # (empty: refused until an admin adds them).
    proxy_default_roles: list[str] = Field(default_factory=list)
    session_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 12
    # Set when the app is served over HTTPS (cookies then carry Secure).
    secure_cookies: bool = False
    # Removed: a program on this host is no longer trusted for being local
    # (any local user, or a browser page through DNS rebinding, could act as
    # admin). Machines present an API token; ``true`` is refused by name.
    loopback_api: bool | None = None
    # Host names this app answers to (the Host header; ports ignored). Always
    # allowed: localhost, 127.0.0.1, [::1] and the host of
    # [wording].public_url. "*.example.com" allows its subdomains. Any other
    # Host gets 400 (DNS rebinding reaches nothing).
    allowed_hosts: list[str] = Field(default_factory=list)
    # Client addresses from which the machine token (INCIDENT_API_TOKEN,
    # which may act for anyone named in X-Incident-Actor) is accepted.
    # Users' own API tokens work from anywhere.
    machine_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    # Wrong passwords before the account waits ``lockout_minutes``.
    max_failed_logins: Annotated[int, Field(ge=1)] = 5
    lockout_minutes: Annotated[int, Field(ge=1)] = 15

    @field_validator("proxy_default_roles")
    @classmethod
    def _roles(cls, v: list[str]) -> list[str]:
        for role in v:
            if role not in ROLES:
                raise PydanticCustomError(
                    "web_role",
                    "unknown web role {value!r}; roles are: {roles}",
                    {"value": role, "roles": ", ".join(ROLES)},
                )
        return v

    @field_validator("loopback_api")
    @classmethod
    def _no_loopback_trust(cls, v: bool | None) -> bool | None:
        if v:
            raise PydanticCustomError(
                "loopback_api",
                "loopback_api was removed: programs on this host need an API token "
                "(incident users token create USER --label NAME) or the machine token INCIDENT_API_TOKEN",
                {},
            )
        return v

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        for host in v:
            if not re.fullmatch(r"(\*\.)?[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]", host.strip()):
                raise PydanticCustomError(
                    "allowed_host",
                    "not a host name: {value!r} (e.g. incident.example.com, *.example.com, 10.0.0.5, [::1])",
                    {"value": host},
                )
        return [h.strip().lower().rstrip(".") for h in v]


class AppConfig(_Strict):
    """The TOML file. Later issues add their sections (feeds, detection,
    policies, channels) here, each validated the same way."""

    centre: CentreConfig = Field(default_factory=CentreConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    response: ResponseConfig = Field(default_factory=ResponseConfig)
    people: dict[str, Person] = Field(default_factory=dict)
    teams: dict[str, Team] = Field(default_factory=dict)
    watch: WatchConfig = Field(default_factory=WatchConfig)
    feeds: dict[str, FeedSource] = Field(default_factory=dict)
    detection: DetectionConfig = Field(default_factory=DetectionConfig)
    compensation: CompensationConfig = Field(default_factory=CompensationConfig)
    wording: WordingConfig = Field(default_factory=WordingConfig)
    callbacks: CallbackConfig = Field(default_factory=CallbackConfig)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    smtp: SmtpConfig | None = None
    status: StatusConfig = Field(default_factory=StatusConfig)
    messaging: MessagingConfig = Field(default_factory=MessagingConfig)
    webhooks: list[IncidentWebhook] = Field(default_factory=list)

    def _reachable(self, key: str, person: Person) -> None:
        """Every channel a person lists can reach them: its address is set
        and so is the server or provider it goes through."""
        where = ("people", key, "notify")
        for channel in person.notify:
            if channel == "email" and not person.email:
                raise _ChannelError(where, channel, f"people.{key}.email")
            if channel == "email" and self.smtp is None:
                raise _ChannelError(where, channel, "[smtp]")
            if channel == "slack" and not person.slack_id:
                raise _ChannelError(where, channel, f"people.{key}.slack_id")
            if channel in ("sms", "voice") and not person.pager_id:
                raise _ChannelError(where, channel, f"people.{key}.pager_id")
            if channel in ("sms", "voice") and getattr(self.messaging, channel) is None:
                raise _ChannelError(where, channel, f"[messaging.{channel}]")

    @model_validator(mode="after")
    def _references(self) -> "AppConfig":
        def need(person: str, where: tuple[Any, ...]) -> None:
            if person not in self.people:
                raise _RefError(where, person)

        for pkey, someone in self.people.items():
            self._reachable(pkey, someone)
        for tkey, team in self.teams.items():
            need(team.supervisor, ("teams", tkey, "supervisor"))
            if team.deputy:
                need(team.deputy, ("teams", tkey, "deputy"))
            if team.rotation:
                for i, member in enumerate(team.rotation.members):
                    need(member, ("teams", tkey, "rotation", "members", i))
            for i, shift in enumerate(team.shifts):
                need(shift.person, ("teams", tkey, "shifts", i, "person"))
        if self.response.escalation.duty_manager:
            need(self.response.escalation.duty_manager, ("response", "escalation", "duty_manager"))
        for i, person in enumerate(self.callbacks.agents):
            need(person, ("callbacks", "agents", i))
        for i, person in enumerate(self.compensation.approvers):
            need(person, ("compensation", "approvers", i))
        if self.teams:
            covered = {role for team in self.teams.values() for role in team.roles}
            for i, rule in enumerate(self.response.rules):
                for role in rule.roles:
                    if role not in covered:
                        raise _UncoveredError(("response", "rules", i, "roles"), role.value)
        return self

    @property
    def zone(self) -> ZoneInfo:
        return self.centre.zone


class _RefError(ValueError):
    def __init__(self, where: tuple[Any, ...], person: str) -> None:
        super().__init__(person)
        self.where, self.person = where, person


class _ChannelError(ValueError):
    def __init__(self, where: tuple[Any, ...], channel: str, needs: str) -> None:
        super().__init__(channel)
        self.where, self.channel, self.needs = where, channel, needs


class _UncoveredError(ValueError):
    def __init__(self, where: tuple[Any, ...], role: str) -> None:
        super().__init__(role)
        self.where, self.role = where, role


class Settings(BaseSettings):
    """What the environment sets (``INCIDENT_*``)."""

    model_config = SettingsConfigDict(env_prefix="INCIDENT_", extra="ignore")

    config: Path | None = None
    data_dir: Path = Path(".incident")
    database_url: str | None = None
    lang: str | None = None
    actor: str | None = None
    debug: bool = False
    # Long-running processes: "json" = one JSON object per line; "text".
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # The machine token: "Authorization: Bearer <token>" acts as admin for
    # whoever X-Incident-Actor names, from [web].machine_hosts only. Unset:
    # machines use their own users' API tokens (being local grants nothing).
    api_token: str | None = None
    # A person's API token (inc_…) for the command line: who is acting, once
    # web accounts exist (incident.access.identity).
    token: str | None = None
    # "Now" for this process and its children (an ISO 8601 instant; the
    # clock then advances with real time): drills and tests on a set date.
    now: str | None = None


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def load_config(path: Path | None) -> AppConfig:
    """Read and validate the TOML file; ``None`` means built-in defaults.

    Raises :class:`ConfigError` naming the file, the key and the reason."""
    if path is None:
        return AppConfig()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("config.missing", path=str(path)) from None
    except OSError as exc:
        raise ConfigError("config.unreadable", path=str(path), reason=exc.strerror or str(exc)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("config.not_utf8", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config.toml_syntax", path=str(path), reason=str(exc)) from None
    try:
        return AppConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, _RefError):
            raise ConfigError(
                "config.unknown_person", path=str(path), key=_key(cause.where), person=cause.person
            ) from None
        if isinstance(cause, _ChannelError):
            raise ConfigError(
                "config.channel_unreachable",
                path=str(path),
                key=_key(cause.where),
                channel=cause.channel,
                needs=cause.needs,
            ) from None
        if isinstance(cause, _UncoveredError):
            raise ConfigError("config.uncovered_role", path=str(path), key=_key(cause.where), role=cause.role) from None
        raise ConfigError(
            "config.invalid",
            path=str(path),
            key=_key(tuple(err["loc"])),
            # The catalogue has a translation for the common pydantic error
            # types ("config.reason.<type>"); otherwise pydantic's own words.
            reason_type=err["type"],
            reason=str(err["msg"]).removeprefix("Value error, "),
            reason_ctx={k: str(v) for k, v in (err.get("ctx") or {}).items()},
            more=len(exc.errors()) - 1,
        ) from None
