"""The HTTP messaging provider (incident/adapters/http_provider.py) against a
real HTTP server on 127.0.0.1 playing the provider (tests/providerserver.py):
signed JSON built from a template, idempotency keys, the provider's
refusals sorted into retryable and permanent, and signed delivery receipts.
No database."""

from __future__ import annotations

import datetime as dt
import json
import socket
from typing import Any

import pytest
from pydantic import ValidationError

from incident.adapters.base import DeliveryError, OutgoingMessage
from incident.adapters.http_provider import (
    HttpProviderAdapter,
    HttpProviderConfig,
    ProviderBusy,
    Receipt,
    render_body,
    sign,
    verify_receipt,
)
from incident.errors import ConfigError, InputError
from incident.i18n import t
from incident.timeutil import FixedClock
from tests.providerserver import ProviderServer, signature, signed_receipt

NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.timezone.utc)
SECRET = "sms-signing-secret-0123456789"
RECEIPT_SECRET = "receipt-secret-9876543210"
TOKEN = "Bearer tok-abcdef-SECRET-TOKEN"
ENV = {"SMS_SIGNING": SECRET, "SMS_RECEIPTS": RECEIPT_SECRET, "SMS_TOKEN": TOKEN}
PHONE = "+8613812345678"
TEXT = '【事件】INC-42 "支付失败" 批量投诉\n请确认：\\ 反斜杠 {to} 🚨'
TEMPLATE = '{"to": {to}, "content": {text}, "ref": "incident {key}", "type": {kind}}'


def config(url: str, **overrides: Any) -> HttpProviderConfig:
    settings: dict[str, Any] = {
        "url": url,
        "headers": {"X-Account": "centre-7"},
        "headers_from_env": {"Authorization": "SMS_TOKEN"},
        "body_template": TEMPLATE,
        "signing_secret_env": "SMS_SIGNING",
        "receipt_secret_env": "SMS_RECEIPTS",
        "timeout_seconds": 5,
    }
    return HttpProviderConfig.model_validate(settings | overrides)


def message(key: str = "INC-42/S1/sms/zhangwei", text: str = TEXT, to: str = PHONE) -> OutgoingMessage:
    return OutgoingMessage(key, "sms", to, "zh-CN", {"text": text})


@pytest.fixture
def provider():
    with ProviderServer(secret=SECRET) as server:
        yield server


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def adapter(url: str, clock: FixedClock, channel: str = "sms", **overrides: Any) -> HttpProviderAdapter:
    return HttpProviderAdapter(config(url, **overrides), channel, ENV, clock)


def no_secret_in(exc: BaseException) -> None:
    for secret in (SECRET, RECEIPT_SECRET, TOKEN, "tok-abcdef"):
        assert secret not in str(exc) and secret not in repr(exc.args)


# ---- sending -------------------------------------------------------------------


def test_a_send_is_signed_json_with_the_text_intact_and_the_key_as_idempotency_key(provider, clock):
    ref = adapter(provider.url, clock).send(message())

    assert ref == "msg-0001"
    [seen] = provider.requests
    assert seen.method == "POST" and seen.path == "/v1/messages"
    # The text went in as JSON: quotes, newline, backslash, Chinese, emoji
    # and a placeholder's spelling come out exactly as written.
    assert seen.json() == {"to": PHONE, "content": TEXT, "ref": "incident INC-42/S1/sms/zhangwei", "type": "sms"}
    assert seen.headers["content-type"].startswith("application/json")
    assert seen.headers["idempotency-key"] == "INC-42/S1/sms/zhangwei"
    assert seen.headers["x-account"] == "centre-7"
    assert seen.headers["authorization"] == TOKEN
    # Signed at the injected clock's time, verifiable with the secret alone.
    assert seen.headers["x-timestamp"] == str(int(NOW.timestamp()))
    assert seen.headers["x-signature"] == signature(SECRET, int(NOW.timestamp()), seen.body)
    assert sign(SECRET, int(NOW.timestamp()), seen.body) == seen.headers["x-signature"]
    assert SECRET not in seen.body.decode() and SECRET not in json.dumps(seen.headers)


def test_a_voice_call_says_voice_and_a_formatted_number_is_sent_bare(provider, clock):
    voice = adapter(provider.url, clock, channel="voice")
    assert voice.channel == "voice" and voice.idempotent is True
    voice.send(OutgoingMessage("INC-42/S1/voice/lina", "voice", "+86 138-1234-5678", "zh-CN", {"text": "请接听"}))
    assert provider.sent == [
        {"to": PHONE, "content": "请接听", "ref": "incident INC-42/S1/voice/lina", "type": "voice"}
    ]


def test_a_repeated_key_is_dropped_by_the_provider_and_gives_the_same_reference(provider, clock):
    sms = adapter(provider.url, clock)
    first = sms.send(message())
    clock.advance(minutes=3)  # a retry after a crash, signed anew
    again = HttpProviderAdapter(config(provider.url), "sms", ENV, clock).send(message())  # another worker
    other = sms.send(message(key="INC-42/S1/sms/lina"))

    assert first == again == "msg-0001" and other == "msg-0002"
    assert len(provider.requests) == 3 and len(provider.sent) == 2
    assert provider.requests[1].headers["x-timestamp"] == str(int(NOW.timestamp()) + 180)


def test_a_key_that_is_no_plain_header_value_goes_as_a_stable_digest(provider, clock):
    sms = adapter(provider.url, clock)
    assert sms.send(message(key="INC-42/S1/sms/张伟")) == sms.send(message(key="INC-42/S1/sms/张伟"))
    keys = {seen.headers["idempotency-key"] for seen in provider.requests}
    assert len(keys) == 1 and keys.pop().startswith("sha256-")
    assert provider.sent[0]["ref"] == "incident INC-42/S1/sms/张伟"  # the body keeps the key as it is


def test_the_reference_is_read_from_the_configured_field_or_is_none(provider, clock):
    provider.fail_next(200, '{"data": {"message_id": 991}}')
    assert adapter(provider.url, clock, reference_field="data.message_id").send(message()) == "991"
    provider.fail_next(202, "accepted")
    assert adapter(provider.url, clock).send(message()) is None
    provider.fail_next(200, '{"status": "queued"}')
    assert adapter(provider.url, clock).send(message()) is None


@pytest.mark.parametrize(
    ("retry_after", "seconds"), [("30", 30.0), ("Tue, 24 Nov 2026 02:02:00 GMT", 120.0), ("soon", None)]
)
def test_429_is_provider_busy_with_the_retry_after(provider, clock, retry_after, seconds):
    provider.busy_next(retry_after)
    with pytest.raises(ProviderBusy) as caught:
        adapter(provider.url, clock).send(message())
    assert caught.value.permanent is False and caught.value.retry_after == seconds
    assert isinstance(caught.value, DeliveryError)
    assert (f"retry after {seconds:g} s" if seconds is not None else "no Retry-After") in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503, 408, 409])
def test_server_errors_and_request_timeouts_are_retryable(provider, clock, status):
    provider.fail_next(status, '{"message": "upstream carrier unavailable"}')
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock).send(message())
    assert caught.value.permanent is False and not isinstance(caught.value, ProviderBusy)
    assert f"{status}" in str(caught.value) and "upstream carrier unavailable" in str(caught.value)


def test_400_is_permanent_with_the_providers_words_short_and_without_the_number(provider, clock):
    long_text = f"invalid destination {PHONE} (+86 138 1234 5678): " + "x" * 400
    provider.fail_next(400, json.dumps({"error": {"code": 21211, "message": long_text}}))
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock).send(message())
    reason = str(caught.value)
    assert caught.value.permanent is True
    assert "400" in reason and "invalid destination ****5678 (****5678)" in reason
    assert "13812345678" not in reason and "138 1234" not in reason
    assert len(reason) < 260  # the provider's text cut to 200 characters


def test_the_signature_is_checked_by_the_provider(clock):
    with ProviderServer(secret="the-provider-knows-another") as provider:
        with pytest.raises(DeliveryError) as caught:
            adapter(provider.url, clock).send(message())
    assert caught.value.permanent is True and "signature does not verify" in str(caught.value)
    no_secret_in(caught.value)


def test_a_provider_echoing_our_headers_does_not_put_the_token_in_the_error(provider, clock):
    provider.echo_next()
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock).send(message())
    assert "authorization: ***" in str(caught.value)
    no_secret_in(caught.value)


def test_a_provider_quoting_the_token_alone_does_not_put_it_in_the_error(provider, clock):
    provider.fail_next(401, '{"message": "unknown API token tok-abcdef-SECRET-TOKEN"}')
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock).send(message())
    assert caught.value.permanent is True and "unknown API token ***" in str(caught.value)
    no_secret_in(caught.value)


def test_a_provider_that_never_answers_is_a_retryable_timeout(provider, clock):
    provider.hang_next()
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock, timeout_seconds=0.5).send(message())
    assert caught.value.permanent is False and "within 0.5 s" in str(caught.value)
    assert len(provider.requests) == 1  # it was reached, and answered nothing


def test_a_provider_trickling_its_reply_is_cut_at_twice_the_timeout(provider, clock):
    # Each byte comes well within the timeout, so only the whole-exchange
    # limit stops it.
    provider.trickle_next()
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock, timeout_seconds=0.3).send(message())
    assert caught.value.permanent is False and "took over 0.6 s" in str(caught.value)


def test_a_provider_that_is_down_is_retryable(clock):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        adapter(f"http://127.0.0.1:{port}/v1/messages", clock).send(message())
    assert caught.value.permanent is False and "unreachable" in str(caught.value)
    no_secret_in(caught.value)


def test_a_redirect_is_not_followed_and_is_permanent(provider, clock):
    provider.fail_next(302, b"", {"Location": "https://elsewhere.example/send"})
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock).send(message())
    assert caught.value.permanent is True and "elsewhere.example" in str(caught.value)
    assert len(provider.requests) == 1


@pytest.mark.parametrize("recipient", ["", "zhangwei", "+86 138\n1234 5678", "12", "+86 １３８ 1234 5678"])
def test_what_is_not_a_phone_number_is_refused_before_anything_is_sent(provider, clock, recipient):
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock).send(message(to=recipient))
    assert caught.value.permanent is True and provider.requests == []
    assert "1234 5678" not in str(caught.value)


def test_a_provider_contact_id_is_sent_bare_and_checked(provider, clock):
    adapter(provider.url, clock).send(message(to="id:c-1029"))
    assert provider.requests[-1].json()["to"] == "c-1029"
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock).send(message(to="id:bad id\n"))
    assert caught.value.permanent is True and len(provider.requests) == 1


def test_a_message_without_text_is_refused_permanently(provider, clock):
    with pytest.raises(DeliveryError) as caught:
        adapter(provider.url, clock).send(OutgoingMessage("k", "sms", PHONE, "en", {"subject": "x"}))
    assert caught.value.permanent is True and "****5678" in str(caught.value) and provider.requests == []


def test_a_missing_secret_stops_the_adapter_at_start_naming_the_variable(provider, clock):
    with pytest.raises(ConfigError) as caught:
        HttpProviderAdapter(config(provider.url), "sms", {"SMS_TOKEN": TOKEN}, clock)
    assert caught.value.key == "provider.error.secret_missing"
    assert "SMS_SIGNING" in caught.value.message("en") and "SMS_SIGNING" in caught.value.message("zh-CN")
    with pytest.raises(ValueError, match="channel"):
        HttpProviderAdapter(config(provider.url), "email", ENV, clock)
    assert SECRET not in repr(adapter(provider.url, clock))


# ---- the configuration -----------------------------------------------------------


def test_a_placeholder_inside_a_json_string_is_escaped_without_its_quotes():
    cfg = config("https://sms.example.com/send", body_template='{"msg": "[{kind}] {text}", "to": [{to}]}')
    body = render_body(cfg.body_template, {"to": PHONE, "text": TEXT, "key": "k", "kind": "sms"})
    assert json.loads(body) == {"msg": f"[sms] {TEXT}", "to": [PHONE]}


@pytest.mark.parametrize(
    ("template", "kind"),
    [
        ('{"to": {to}, "text": {text}', "provider_template_json"),  # unclosed
        ('{"to": "{to}", "text": {text}}', None),  # fine: quoted placeholder
        ('{"to": {to}, "text": "{text}}', "provider_template_json"),  # unterminated string
        ('{"to": {to}, "text": {text}, "x": {to}{text}}', "provider_template_json"),
        ('{"to": {to}, "text": {message}}', "provider_template_placeholder"),
        ('{"to": {to}, "text": {text}, "sig": "{phone}"}', "provider_template_placeholder"),
        ('{"to": {to}}', "provider_template_missing"),
        ("", "provider_template_missing"),
    ],
)
def test_a_bad_body_template_is_refused_when_the_configuration_is_read(template, kind):
    if kind is None:
        config("https://sms.example.com/send", body_template=template)
        return
    with pytest.raises(ValidationError) as caught:
        config("https://sms.example.com/send", body_template=template)
    error = caught.value.errors()[0]
    assert error["type"] == kind and error["loc"] == ("body_template",)
    said_in_both_languages(error)


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({"url": "ftp://sms.example.com/send"}, "provider_url_scheme"),
        ({"url": "https://sms.example.com:99999/send"}, "provider_url_invalid"),
        ({"url": "https://user:pw@sms.example.com/send"}, "provider_url_userinfo"),
        ({"headers": {"Authorization": "Bearer abc"}}, "provider_header_secret"),
        ({"headers": {"X-Bad Name": "v"}}, "provider_header_name"),
        ({"headers": {"X-Note": "第一"}}, "provider_header_value"),
        ({"headers": {"Idempotency-Key": "fixed"}}, "provider_header_reserved"),
        ({"headers": {"x-signature": "v1=0"}}, "provider_header_reserved"),
        ({"headers": {"X-Token": "a"}, "headers_from_env": {"x-token": "SMS_TOKEN"}}, "provider_header_reserved"),
        ({"signing_secret_env": "SMS SIGNING"}, "provider_env_name"),
        ({"headers_from_env": {"Authorization": "sms-token"}}, "provider_env_name"),
        ({"reference_field": "data..id"}, "provider_reference_field"),
    ],
)
def test_other_bad_settings_are_refused_by_name(overrides, kind):
    with pytest.raises(ValidationError) as caught:
        config(**({"url": "https://sms.example.com/send"} | overrides))
    error = caught.value.errors()[0]
    assert error["type"] == kind
    said_in_both_languages(error)
    assert "pw@" not in error["msg"]  # what the configuration's error shows (ConfigError)


def test_the_configuration_is_frozen_and_strict():
    cfg = config("https://sms.example.com/send")
    with pytest.raises(ValidationError):
        cfg.url = "https://other.example.com/"  # type: ignore[misc]
    with pytest.raises(ValidationError) as caught:
        config("https://sms.example.com/send", signing_secret="inline")
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def said_in_both_languages(error: Any) -> None:
    """What ConfigError would show: the catalogue's reason in zh-CN and en."""
    ctx = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    zh = t(f"config.reason.{error['type']}", "zh-CN", **ctx)
    en = t(f"config.reason.{error['type']}", "en", **ctx)
    assert en == error["msg"] and zh != en
    assert "config.reason" not in zh


# ---- delivery receipts -----------------------------------------------------------------


def receipt_config() -> HttpProviderConfig:
    return config("https://sms.example.com/send")


def test_a_signed_receipt_is_accepted():
    body, headers = signed_receipt(RECEIPT_SECRET, int(NOW.timestamp()) - 30, "msg-0001", "Delivered")
    assert verify_receipt(receipt_config(), ENV, body, headers, NOW) == Receipt("msg-0001", "delivered", None)
    # header names in any case (a web framework hands them over lower-cased)
    lower = {k.lower(): v for k, v in headers.items()}
    assert verify_receipt(receipt_config(), ENV, body, lower, NOW).ref == "msg-0001"


def test_a_failed_receipt_keeps_its_error_without_the_number():
    body, headers = signed_receipt(
        RECEIPT_SECRET, int(NOW.timestamp()), "msg-7", "failed", f"handset {PHONE} unreachable\n"
    )
    receipt = verify_receipt(receipt_config(), ENV, body, headers, NOW)
    assert receipt == Receipt("msg-7", "failed", "handset ****5678 unreachable")


def test_a_tampered_receipt_is_refused():
    body, headers = signed_receipt(RECEIPT_SECRET, int(NOW.timestamp()), "msg-0001", "failed")
    tampered = body.replace(b"failed", b"delivered")
    refused(tampered, headers, "provider.error.bad_signature")


def test_a_receipt_signed_with_another_secret_is_refused():
    body, headers = signed_receipt("not-the-receipt-secret", int(NOW.timestamp()), "msg-0001", "delivered")
    refused(body, headers, "provider.error.bad_signature")
    body, headers = signed_receipt(SECRET, int(NOW.timestamp()), "msg-0001", "delivered")  # the sending secret
    refused(body, headers, "provider.error.bad_signature")


@pytest.mark.parametrize("offset", [-301, 301, -86400])
def test_a_stale_or_future_receipt_is_refused_as_a_replay(offset):
    body, headers = signed_receipt(RECEIPT_SECRET, int(NOW.timestamp()) + offset, "msg-0001", "delivered")
    refused(body, headers, "provider.error.stale")
    later = NOW + dt.timedelta(seconds=offset)  # the same receipt at its own time is fine
    assert verify_receipt(receipt_config(), ENV, body, headers, later).status == "delivered"


@pytest.mark.parametrize(
    ("headers", "key"),
    [
        ({}, "provider.error.unsigned"),
        ({"X-Timestamp": "1795917600"}, "provider.error.unsigned"),
        ({"X-Timestamp": "1795917600.5", "X-Signature": "v1=00"}, "provider.error.bad_timestamp"),
        ({"X-Timestamp": "１７９５９１７６００", "X-Signature": "v1=00"}, "provider.error.bad_timestamp"),
        ({"X-Timestamp": "1795917600", "X-Signature": "v1=ü"}, "provider.error.bad_signature"),
    ],
)
def test_unsigned_or_malformed_signature_headers_are_refused(headers, key):
    refused(b'{"id": "msg-1", "status": "delivered"}', headers, key)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"id": "m"}', b'{"id": true, "status": "x"}', b"\xff"])
def test_a_signed_receipt_that_is_not_a_receipt_is_refused(body):
    stamp = int(NOW.timestamp())
    headers = {"X-Timestamp": str(stamp), "X-Signature": signature(RECEIPT_SECRET, stamp, body)}
    refused(body, headers, "provider.error.bad_receipt")


def test_receipts_need_a_configured_secret():
    body, headers = signed_receipt(RECEIPT_SECRET, int(NOW.timestamp()), "m", "delivered")
    with pytest.raises(ConfigError) as caught:
        verify_receipt(config("https://sms.example.com/send", receipt_secret_env=None), ENV, body, headers, NOW)
    assert caught.value.key == "provider.error.no_receipt_secret"
    with pytest.raises(ConfigError) as caught:
        verify_receipt(receipt_config(), {}, body, headers, NOW)
    assert caught.value.key == "provider.error.secret_missing" and "SMS_RECEIPTS" in str(caught.value)


def refused(body: bytes, headers: dict[str, str], key: str) -> None:
    with pytest.raises(InputError) as caught:
        verify_receipt(receipt_config(), ENV, body, headers, NOW)
    assert caught.value.key == key
    zh, en = caught.value.message("zh-CN"), caught.value.message("en")
    assert zh != en and "{" not in zh + en and key not in zh + en
    no_secret_in(caught.value)
