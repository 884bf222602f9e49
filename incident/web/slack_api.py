"""Slack's inbound requests: the ``/incident`` slash command and the
buttons. Every request is checked before anything is done with it, in
this order: its declared size (over 64 KiB: 413, before a byte of the
body is read), its signature headers and timestamp (within five minutes
of the wall clock), then the body — read up to the limit only — against
X-Slack-Signature v0. A request that passes is recorded in the database
(``once_keys``, see incident/slack/nonces.py) in its own committed
transaction before it is acted on, so that the same signed request
replayed within its five minutes, or retried by Slack (X-Slack-Retry-Num),
or arriving twice at once, is served once, whichever server process gets
it. Slack wants an answer within 3 seconds: the route answers at once and
the work runs on a small thread pool, whose result is posted to the
request's ``response_url``."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from incident.adapters.slack import verify
from incident.i18n import t
from incident.runtime import Runtime
from incident.slack import commands, nonces
from incident.textin import clean_value

log = logging.getLogger("incident.slack")

# Slack's commands and button payloads are a few KiB; anything bigger is not
# from Slack and is refused before it is read (the app's body-size middleware
# is the first line of defence, this the second).
MAX_BODY = 64 * 1024
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would take "١٢٣" too
_SIGNATURE = re.compile(r"v0=([0-9a-f]{64})")


class Refusal(Exception):
    """A request refused before it is acted on: a catalogue key, an HTTP status."""

    def __init__(self, key: str, status: int, params: dict[str, Any]) -> None:
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


@dataclass
class Inbound:
    """A verified request: its form (cleaned at the door) and whether it is
    new (False: already served, within its signature window)."""

    form: dict[str, str]
    fresh: bool


def _form(body: bytes) -> dict[str, str]:
    """The url-encoded form, every value cleaned once, here at the door."""
    return clean_value({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})


def _declared_size(request: Request) -> None:
    length = request.headers.get("content-length")
    # A malformed length never gets here (the HTTP server refuses it); a
    # missing one (chunked) is capped while reading.
    if length is not None and length.isascii() and length.isdigit() and int(length) > MAX_BODY:
        raise Refusal("slack.error.too_large", 413, {"limit": MAX_BODY})


def _signed_headers(request: Request, now: float) -> tuple[int, str]:
    """The timestamp and the signature's hex, checked before the body is read."""
    raw_ts = request.headers.get("x-slack-request-timestamp")
    raw_sig = request.headers.get("x-slack-signature")
    if not raw_ts or not raw_sig:
        raise Refusal("slack.error.unsigned", 401, {})
    if not _TIMESTAMP.fullmatch(raw_ts):
        raise Refusal("slack.error.bad_timestamp", 400, {"value": raw_ts[:40]})
    timestamp = int(raw_ts)
    if abs(now - timestamp) > nonces.WINDOW_SECONDS:
        raise Refusal("slack.error.stale", 401, {"seconds": nonces.WINDOW_SECONDS})
    found = _SIGNATURE.fullmatch(raw_sig)
    if not found:
        raise Refusal("slack.error.signature", 401, {})
    return timestamp, found.group(1)


async def _read_capped(request: Request) -> bytes:
    """The body, read in chunks and given up past MAX_BODY (a chunked
    request declares no length)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refusal("slack.error.too_large", 413, {"limit": MAX_BODY})
        chunks.append(chunk)
    return b"".join(chunks)


def router(rt: Runtime, executor: ThreadPoolExecutor) -> APIRouter:
    api = APIRouter()
    cfg = rt.config.slack

    def refuse(key: str, status: int, **params: Any) -> JSONResponse:
        lang = rt.config.centre.language
        return JSONResponse({"error": key, "message": t(key, lang, **params)}, status_code=status)

    def served_once(keys: list[str], timestamp: int) -> bool:
        """Record the request; False when it was already recorded. Its own
        committed transaction, before any work: a second copy racing this
        one waits on the key and then fails (PostgreSQL) or finds it
        (SQLite, whose writers queue)."""
        now = rt.clock.wall().now()
        try:
            with rt.store.transaction() as s:
                nonces.remember(s, keys, now, timestamp)
        except IntegrityError:
            return False
        try:
            with rt.store.transaction() as s:
                nonces.forget_expired(s, now)
        except Exception:  # noqa: BLE001 — pruning is housekeeping; the next request tries again
            log.warning("could not prune expired slack nonces", exc_info=True)
        return True

    async def verified(request: Request) -> Inbound | Response:
        secret = os.environ.get(cfg.signing_secret_env, "")
        try:
            _declared_size(request)
            if not secret:
                return refuse("slack.error.not_configured", 503, env=cfg.signing_secret_env)
            # Slack signs real time, even during a drill: the wall clock.
            wall = rt.clock.wall().now
            timestamp, signature = _signed_headers(request, wall().timestamp())
            body = await _read_capped(request)
            headers = request.headers
            if not verify(secret, body, headers["x-slack-request-timestamp"], headers["x-slack-signature"], wall):
                raise Refusal("slack.error.signature", 401, {})
        except Refusal as no:
            return refuse(no.key, no.status, **no.params)
        fresh = await run_in_threadpool(served_once, nonces.keys_of(signature, body), timestamp)
        if not fresh:
            log.warning("slack request replayed (retry %s); not run again", request.headers.get("x-slack-retry-num"))
        return Inbound(_form(body), fresh)

    def already_handled(user: str) -> JSONResponse:
        # 200, not 4xx: Slack shows a 4xx to the user as a failure of the
        # command, and a retry it sent because the first answer was slow is
        # not a failure; the user is told it ran once.
        lang = commands.lang_of(rt.ctx, commands.person_for(rt.ctx, user))
        return JSONResponse(
            {"response_type": "ephemeral", "replace_original": False, "text": t("slack.error.replay", lang)},
            headers={"X-Incident-Replay": "1"},
        )

    def answer_later(response_url: str, work: Callable[[], str]) -> None:
        """Run ``work`` off the request, post its text to ``response_url``
        (only to Slack's own host, or those configured)."""

        def run() -> None:
            try:
                text = work()
            except Exception as exc:  # noqa: BLE001 — the user must hear something
                log.exception("slack command failed")
                text = t("slack.cmd.failed", rt.config.centre.language, message=str(exc)[:300])
            try:
                rt.deliver()  # notifications, and the incident's channel brought in step
            except Exception:  # noqa: BLE001
                log.exception("delivery after a slack command failed")
            host = urlparse(response_url).hostname or ""
            if response_url and host in cfg.response_url_hosts:
                try:
                    httpx.post(
                        response_url,
                        json={"response_type": "ephemeral", "replace_original": False, "text": text},
                        timeout=cfg.timeout_seconds,
                    )
                except httpx.HTTPError as exc:
                    log.warning("could not answer on response_url: %s", exc)
            else:
                log.warning("response_url host %r is not allowed; answer dropped", host)

        executor.submit(run)

    @api.post("/slack/commands")
    async def slash(request: Request) -> Response:
        inbound = await verified(request)
        if isinstance(inbound, Response):
            return inbound
        form = inbound.form
        user, text = form.get("user_id", ""), form.get("text", "").strip()
        if not inbound.fresh:
            return already_handled(user)
        ctx = rt.ctx
        lang = commands.lang_of(ctx, commands.person_for(ctx, user))
        if not text or text.split()[0].lower() in ("help", "?", "帮助"):
            return JSONResponse(
                {"response_type": "ephemeral", "text": commands.run_command(rt.store, ctx, user, "help")}
            )
        answer_later(form.get("response_url", ""), lambda: commands.run_command(rt.store, rt.ctx, user, text))
        return JSONResponse({"response_type": "ephemeral", "text": t("slack.cmd.working", lang, text=text)})

    @api.post("/slack/interactions")
    async def interactions(request: Request) -> Response:
        inbound = await verified(request)
        if isinstance(inbound, Response):
            return inbound
        try:
            # The form was cleaned as text; the JSON inside it may still
            # spell a control character or a lone surrogate as an escape.
            payload = clean_value(json.loads(inbound.form.get("payload") or "{}"))
        except json.JSONDecodeError:
            return refuse("slack.error.bad_action", 400, value="payload")
        if not isinstance(payload, dict):
            return refuse("slack.error.bad_action", 400, value="payload")
        who, actions = payload.get("user"), payload.get("actions")
        user = str(who.get("id") or "") if isinstance(who, dict) else ""
        if not inbound.fresh:
            return already_handled(user)
        for action in (actions if isinstance(actions, list) else [])[:1]:
            if not isinstance(action, dict):
                return refuse("slack.error.bad_action", 400, value="actions")
            action_id, value = str(action.get("action_id") or ""), str(action.get("value") or "")
            work = functools.partial(commands.run_action, rt.store, rt.ctx, user, action_id, value)
            answer_later(str(payload.get("response_url") or ""), work)
        return Response(status_code=200)

    return api
