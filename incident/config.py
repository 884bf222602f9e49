"""Configuration: environment (prefix ``INCIDENT_``) plus one TOML file.

Precedence: command-line flag > environment > TOML file > built-in default.
The TOML file is validated in full at start; a bad file is refused with the
key and the reason (see :func:`load_config`). ``examples/incident.toml`` is
the commented reference.

The sections are defined beside this module — ``config_types`` (the field
types), ``config_people`` (roster, response, escalation), ``config_watch``,
``config_remedy`` and ``config_outbound`` (SMTP, webhooks, paging, Slack);
here they are assembled into :class:`AppConfig` and the file is loaded.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from incident.config_outbound import (
    IncidentWebhook,
    MessagingConfig,
    SlackConfig,
    SmtpConfig,
)

# Re-exported: what callers import from incident.config, wherever it is defined.
from incident.config_people import (  # noqa: F401
    Person,
    QuietHours,
    ResponseConfig,
    ReviewConfig,
    Rotation,
    Shift,
    Team,
)
from incident.config_remedy import (  # noqa: F401
    FORM_UNITS,
    CallbackConfig,
    CompensationCaps,
    CompensationConfig,
    CompensationPolicy,
)
from incident.config_types import (  # noqa: F401
    LANGS,
    LangField,
    LocalDateTime,
    SeverityField,
    _cmp_key,
    _Strict,
    normalise_lang,
)
from incident.config_watch import (
    DetectionConfig,
    FeedSource,
    WatchConfig,
)
from incident.enums import ACCESS_ROLES as ROLES
from incident.enums import Severity
from incident.errors import ConfigError


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
    review: ReviewConfig = Field(default_factory=ReviewConfig)
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
        for role, names in self.review.substitutes.items():
            for i, person in enumerate(names):
                need(person, ("review", "substitutes", role.value, i))
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
