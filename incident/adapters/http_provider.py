"""SMS and voice calls to people (on-call staff) through a messaging
provider's HTTP API: one JSON request per message, built from an
operator-written template, signed with HMAC, sent with httpx.

Idempotent: the outbox key goes out as the ``Idempotency-Key`` header, and
the provider drops a repeat (answering with the first send's reference), so
the record of "already sent" lives where every worker sees it (base.py).

Signing (requests out and delivery receipts in): the timestamp header holds
Unix seconds, the signature header ``v1=`` + hex HMAC-SHA256(secret,
``"{timestamp}.{body}"``). The secrets come from environment variables the
configuration names; they never go in the configuration, an error or a log.

Phone numbers are personal data (DOMAIN.md §6): errors show a recipient as
its last four digits, and long digit runs in a provider's error text are
masked the same way, since a provider may echo the number back.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hashlib
import hmac
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import httpx
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from incident.adapters import http_provider_texts as _texts  # noqa: F401  (registers the texts)
from incident.adapters.base import DeliveryError, OutgoingMessage
from incident.errors import ConfigError
from incident.i18n import CATALOG
from incident.netcheck import BadURL, configured_url, shown
from incident.timeutil import Clock

PLACEHOLDERS = ("to", "text", "key", "kind")
CHANNELS = ("sms", "voice")
IDEMPOTENCY_HEADER = "Idempotency-Key"
# What a provider's reply may cost us: its body is cut here (an error text
# or a reference needs a few hundred bytes), and the whole exchange at
# twice the configured timeout (httpx's timeout is per step, so a provider
# trickling one byte a second would otherwise hold a worker for ever).
MAX_REPLY_BYTES = 64 * 1024
ERROR_TEXT_CHARS = 200

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REFERENCE = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")
_TEMPLATE_NAME = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# A phone number however it is written: 7 or more digits, maybe after a +,
# maybe with spaces, dashes or dots between them. Provider error codes are
# shorter and stay as they are.
_LONG_NUMBER = re.compile(r"(?<!\d)\+?\d(?:[\s.\-]?\d){6,}(?!\d)")
_PHONE = re.compile(r"^\+?[0-9]{3,20}$")
_CONTACT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}")
_PHONE_SEPARATORS = re.compile(r"[ \-.()]")

# The adapter sets these itself; a configured one would contradict it.
_RESERVED = ("idempotency-key", "host", "content-length", "transfer-encoding", "connection")
# Headers that carry a credential: only ever from the environment.
_CREDENTIAL_HEADERS = ("authorization", "proxy-authorization")


# ---- the body template ------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    name: str
    quoted: bool  # inside a JSON string: the value goes in without its own quotes


@functools.lru_cache(maxsize=32)
def _compile(template: str) -> tuple[str | _Slot, ...]:
    """The template cut into literal JSON and placeholders, each placeholder
    knowing whether it stands inside a JSON string ("Alert: {text}") or for
    a whole value ({text}). Any other ``{name}`` is refused: outside a
    string it could never be JSON, inside one it is a typo ({phone})."""
    parts: list[str | _Slot] = []
    start = i = 0
    in_string = escaped = False
    while i < len(template):
        ch = template[i]
        if escaped:
            escaped = False
        elif in_string and ch == "\\":
            escaped = True
        elif ch == '"':
            in_string = not in_string
        elif ch == "{" and (match := _TEMPLATE_NAME.match(template, i)):
            if match.group(1) not in PLACEHOLDERS:
                known = " ".join(f"{{{name}}}" for name in PLACEHOLDERS)
                raise _refused("provider_template_placeholder", name=match.group(), known=known)
            parts += [template[start:i], _Slot(match.group(1), in_string)]
            start = i = match.end()
            continue
        i += 1
    parts.append(template[start:])
    return tuple(p for p in parts if p != "")


def render_body(template: str, values: Mapping[str, str]) -> str:
    """The template with each placeholder replaced by its value as JSON
    (json.dumps), so quotes, backslashes, newlines or Chinese in a text
    cannot break the document; inside a JSON string without the quotes."""
    out: list[str] = []
    for part in _compile(template):
        if isinstance(part, str):
            out.append(part)
            continue
        # A lone surrogate could not be sent as UTF-8: it becomes "?".
        value = values[part.name].encode("utf-8", "replace").decode("utf-8")
        encoded = json.dumps(value, ensure_ascii=False)
        out.append(encoded[1:-1] if part.quoted else encoded)
    return "".join(out)


# Everything that has broken hand-written JSON before: quotes, backslashes,
# a newline, a tab, Chinese, braces and a placeholder's own spelling.
_SAMPLE = {
    "to": "+8613800000000",
    "text": '测试 "引号" \\ 反斜杠\n换行\t{to} </script>',
    "key": 'INC-1/S1/sms/"x"',
    "kind": "sms",
}


# ---- the configuration ---------------------------------------------------------


def _refused(kind: str, **ctx: str) -> PydanticCustomError:
    """A refused setting, in the catalogue's English ("config.reason.<kind>",
    which ConfigError says in the reader's language)."""
    return PydanticCustomError(kind, CATALOG[f"config.reason.{kind}"][1], ctx)


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise _refused("provider_env_name", value=value)
    return value


def _header_name(name: str) -> str:
    if not _HEADER_NAME.fullmatch(name):
        raise _refused("provider_header_name", value=name)
    return name


def _reference_field(value: str) -> str:
    if not _REFERENCE.fullmatch(value):
        raise _refused("provider_reference_field", value=value)
    return value


EnvName = Annotated[str, AfterValidator(_env_name)]
HeaderName = Annotated[str, AfterValidator(_header_name)]


class HttpProviderConfig(BaseModel):
    """One provider endpoint (SMS or voice)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str  # the provider's send endpoint
    method: Literal["POST", "PUT"] = "POST"
    headers: dict[HeaderName, str] = Field(default_factory=dict)  # static, not secret
    # Header name -> name of the environment variable holding its value (an
    # API token: "Authorization" = "SMS_PROVIDER_TOKEN").
    headers_from_env: dict[HeaderName, EnvName] = Field(default_factory=dict)
    # JSON with {to}, {text}, {key}, {kind}; e.g. {"to": {to}, "content": {text}}.
    body_template: str
    signing_secret_env: EnvName | None = None
    signature_header: HeaderName = "X-Signature"
    timestamp_header: HeaderName = "X-Timestamp"
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10
    # Dotted for a nested field: "data.message_id".
    reference_field: Annotated[str, AfterValidator(_reference_field)] = "id"
    receipt_secret_env: EnvName | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        try:
            return configured_url(v)
        except BadURL as exc:
            kind = {"scheme": "provider_url_scheme", "userinfo": "provider_url_userinfo"}.get(exc.problem)
            raise _refused(kind or "provider_url_invalid", value=exc.url) from None

    @field_validator("headers")
    @classmethod
    def _headers(cls, v: dict[str, str]) -> dict[str, str]:
        for name, value in v.items():
            if name.lower() in _CREDENTIAL_HEADERS:
                raise _refused("provider_header_secret", name=name)
            if not _HEADER_VALUE.fullmatch(value):
                raise _refused("provider_header_value", name=name)
        return v

    @field_validator("body_template")
    @classmethod
    def _template(cls, v: str) -> str:
        names = {p.name for p in _compile(v) if isinstance(p, _Slot)}
        missing = [f"{{{n}}}" for n in ("to", "text") if n not in names]
        if missing:
            raise _refused("provider_template_missing", missing=" ".join(missing))
        try:
            json.loads(render_body(v, _SAMPLE))
        except json.JSONDecodeError as exc:
            problem = f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
            raise _refused("provider_template_json", problem=problem) from None
        return v

    @model_validator(mode="after")
    def _no_clashing_headers(self) -> HttpProviderConfig:
        own = {self.signature_header.lower(), self.timestamp_header.lower(), *_RESERVED}
        if self.signature_header.lower() == self.timestamp_header.lower():
            raise _refused("provider_header_reserved", name=self.timestamp_header)
        seen: set[str] = set()
        for name in [*self.headers, *self.headers_from_env]:
            if name.lower() in own or name.lower() in seen:
                raise _refused("provider_header_reserved", name=name)
            seen.add(name.lower())
        return self


# ---- signing -------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``v1=`` + hex HMAC-SHA256(secret, "{timestamp}.{body}")."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def _secret(env: Mapping[str, str], variable: str) -> str:
    value = (env.get(variable) or "").strip()
    # Printable ASCII: it may go out as a header value, and HMAC keys are
    # compared as bytes on the provider's side too.
    if not value or not _HEADER_VALUE.fullmatch(value):
        raise ConfigError("provider.error.secret_missing", variable=variable)
    return value


# ---- sending ---------------------------------------------------------------------


class ProviderBusy(DeliveryError):
    """429: the provider asks us to slow down; ``retry_after`` is its
    Retry-After in seconds (None when it gave none or an unreadable one)."""

    def __init__(self, reason: str, retry_after: float | None) -> None:
        super().__init__(reason, permanent=False)
        self.retry_after = retry_after


class HttpProviderAdapter:
    idempotent = True

    def __init__(self, config: HttpProviderConfig, channel: str, env: Mapping[str, str], clock: Clock) -> None:
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
        self.config = config
        self.channel = channel
        self.clock = clock
        # Read once, at start: a missing secret stops the service with the
        # variable's name rather than failing every send later.
        self._signing_secret = _secret(env, config.signing_secret_env) if config.signing_secret_env else None
        self._secret_headers = {name: _secret(env, var) for name, var in config.headers_from_env.items()}
        # What an error must never show: each secret, and a header's credential
        # without its scheme ("Bearer …"), as a provider's error may quote it.
        values = [v for v in [self._signing_secret, *self._secret_headers.values()] if v]
        self._secrets = sorted({*values, *(v.split()[-1] for v in values if len(v.split()[-1]) >= 8)}, key=len)[::-1]

    def __repr__(self) -> str:  # never the secrets
        return f"HttpProviderAdapter({self.channel!r}, {shown(self.config.url)!r})"

    def send(self, message: OutgoingMessage) -> str | None:
        to = _phone(message.recipient)
        text = message.payload.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DeliveryError(f"nothing to send to {_masked(to)}: the message has no text", permanent=True)
        values = {"to": to, "text": text, "key": message.key, "kind": self.channel}
        body = render_body(self.config.body_template, values).encode("utf-8")
        status, headers, reply = self._exchange(body, self._headers(message.key, body))
        return self._outcome(status, headers, reply)

    def _headers(self, key: str, body: bytes) -> dict[str, str]:
        c = self.config
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        headers.update(c.headers)
        headers.update(self._secret_headers)
        headers[IDEMPOTENCY_HEADER] = _header_key(key)
        if self._signing_secret is not None:
            # The wall clock even in a drill (Clock.wall): the provider
            # checks the timestamp against its own, real, time.
            timestamp = int(self.clock.wall().now().timestamp())
            headers[c.timestamp_header] = str(timestamp)
            headers[c.signature_header] = sign(self._signing_secret, timestamp, body)
        return headers

    def _exchange(self, body: bytes, headers: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        c = self.config
        deadline = time.monotonic() + 2 * c.timeout_seconds
        try:
            # trust_env off: no proxy or certificate settings picked up from
            # the environment of whichever worker happens to send.
            with httpx.Client(timeout=c.timeout_seconds, follow_redirects=False, trust_env=False) as client:
                with client.stream(c.method, c.url, content=body, headers=headers) as response:
                    reply = bytearray()
                    for chunk in response.iter_bytes():
                        reply += chunk
                        if len(reply) >= MAX_REPLY_BYTES:
                            break
                        if time.monotonic() > deadline:
                            raise DeliveryError(f"the provider's reply took over {2 * c.timeout_seconds:g} s")
                    return response.status_code, response.headers, bytes(reply[:MAX_REPLY_BYTES])
        except httpx.TimeoutException:
            raise DeliveryError(f"no answer from the provider within {c.timeout_seconds:g} s") from None
        except httpx.HTTPError as exc:
            reason = _tidy(f"{type(exc).__name__}: {exc}", self._secrets)
            raise DeliveryError(f"provider unreachable: {reason}") from None

    def _outcome(self, status: int, headers: httpx.Headers, reply: bytes) -> str | None:
        if 200 <= status < 300:
            return _reference(reply, self.config.reference_field)
        if status == 429:
            wait = _retry_after(headers.get("Retry-After"), self.clock.wall().now())
            after = f"retry after {wait:g} s" if wait is not None else "no Retry-After given"
            raise ProviderBusy(f"provider busy (429); {after}", retry_after=wait)
        text = _tidy(_error_text(reply), self._secrets)
        # 409 and 425 are the idempotency-key answers for "a request with
        # this key is still being processed" (IETF idempotency-key draft):
        # trying again later is right, unlike other refusals.
        if status in (408, 409, 425) or status >= 500:
            raise DeliveryError(f"provider error {status}: {text}")
        if 400 <= status < 500:
            raise DeliveryError(f"provider refused the message ({status}): {text}", permanent=True)
        # 1xx/3xx from a send endpoint: the URL is not the endpoint; sending
        # the same request again cannot help.
        where = f" to {shown(headers['Location'])}" if "Location" in headers else ""
        raise DeliveryError(f"unexpected answer {status}{where} from the provider", permanent=True)


def _tidy(text: str, secrets: list[str]) -> str:
    """A provider's words made fit for an error: no secret (a provider
    echoing our headers), no phone number, no control characters,
    ERROR_TEXT_CHARS at most."""
    for secret in secrets:
        text = text.replace(secret, "***")
    text = _LONG_NUMBER.sub(lambda m: _masked(m.group()), _CONTROL.sub(" ", text).strip())
    return text if len(text) <= ERROR_TEXT_CHARS else text[: ERROR_TEXT_CHARS - 1] + "…"


def _phone(recipient: str) -> str:
    """The number as sent: formatting (spaces, dashes, dots, brackets)
    dropped. ``id:<contact>`` names a contact in the provider's own
    directory instead (a person's ``pager_id``: the roster keeps no full
    numbers), sent as the bare id."""
    if recipient.startswith("id:"):
        if not _CONTACT.fullmatch(recipient[3:]):
            raise DeliveryError("not a provider contact id", permanent=True)
        return recipient[3:]
    number = _PHONE_SEPARATORS.sub("", recipient)
    if not _PHONE.fullmatch(number):
        raise DeliveryError(f"not a phone number: {_masked(recipient)}", permanent=True)
    return number


def _masked(number: str) -> str:
    return "****" + re.sub(r"\D", "", number)[-4:]


def _header_key(key: str) -> str:
    """The outbox key as a header value: itself when plain ASCII, else its
    digest (the same for the same key, so the provider still drops a repeat)."""
    if re.fullmatch(r"[\x21-\x7e]{1,255}", key):
        return key
    return "sha256-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _reference(reply: bytes, field: str) -> str | None:
    try:
        value: Any = json.loads(reply)
    except ValueError:  # not JSON, not UTF-8: accepted, without a reference
        return None
    for step in field.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return _CONTROL.sub("", str(value)).strip()[:200] or None


def _error_text(reply: bytes) -> str:
    """The provider's explanation: a message/error/detail field of a JSON
    reply (also one level down: {"error": {"message": …}}), else the body."""
    try:
        data: Any = json.loads(reply)
    except ValueError:
        return reply.decode("utf-8", "replace") or "(no explanation given)"
    for _ in range(2):
        if not isinstance(data, dict):
            break
        found = next((data[k] for k in ("message", "error", "detail", "error_description", "msg") if k in data), None)
        if isinstance(found, str) and found.strip():
            return found
        data = found
    return reply.decode("utf-8", "replace")


def _retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After in seconds: a number, or an HTTP date counted from ``now``."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        seconds = (when - now).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def __getattr__(name: str) -> Any:
    # Delivery receipts live in incident/adapters/http_receipts.py, which
    # builds on this module; they are still importable from here (lazily,
    # so that neither import needs the other first).
    if name in ("Receipt", "verify_receipt"):
        from incident.adapters import http_receipts  # noqa: PLC0415 — see above

        return getattr(http_receipts, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
