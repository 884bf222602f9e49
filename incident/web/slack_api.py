"""Slack's inbound requests: the ``/incident`` slash command and the
buttons. Every request is verified (X-Slack-Signature v0, timestamp within
five minutes) before anything is read from it. Slack wants an answer
within 3 seconds: the route answers at once and the work runs on a small
thread pool, whose result is posted to the request's ``response_url``."""

from __future__ import annotations

import functools
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from incident.adapters.slack import verify
from incident.i18n import t
from incident.runtime import Runtime
from incident.slack import commands

log = logging.getLogger("incident.slack")


def router(rt: Runtime, executor: ThreadPoolExecutor) -> APIRouter:
    api = APIRouter()
    cfg = rt.config.slack

    def refuse(key: str, status: int, **params: Any) -> JSONResponse:
        lang = rt.config.centre.language
        return JSONResponse({"error": key, "message": t(key, lang, **params)}, status_code=status)

    async def verified(request: Request) -> bytes | Response:
        secret = os.environ.get(cfg.signing_secret_env, "")
        if not secret:
            return refuse("slack.error.not_configured", 503, env=cfg.signing_secret_env)
        body = await request.body()
        if not verify(
            secret,
            body,
            request.headers.get("x-slack-request-timestamp"),
            request.headers.get("x-slack-signature"),
            rt.clock.wall().now,  # Slack signs real time, even during a drill
        ):
            return refuse("slack.error.signature", 401)
        return body

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
        body = await verified(request)
        if isinstance(body, Response):
            return body
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        user, text = form.get("user_id", ""), form.get("text", "").strip()
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
        body = await verified(request)
        if isinstance(body, Response):
            return body
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        try:
            payload = json.loads(form.get("payload") or "{}")
        except json.JSONDecodeError:
            return refuse("slack.error.bad_action", 400, value="payload")
        user = (payload.get("user") or {}).get("id", "")
        for action in (payload.get("actions") or [])[:1]:
            action_id, value = str(action.get("action_id") or ""), str(action.get("value") or "")
            work = functools.partial(commands.run_action, rt.store, rt.ctx, user, action_id, value)
            answer_later(payload.get("response_url", ""), work)
        return Response(status_code=200)

    return api
