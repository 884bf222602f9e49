"""The public status page's subscription pages (no sign-in): subscribe,
confirm an e-mail address (GET asks, POST confirms: mail scanners open
links), unsubscribe. Each handler runs in a thread: its transaction
commits before any e-mail goes out."""

from __future__ import annotations

from typing import Any

from incident.adapters.base import DeliveryError
from incident.config import normalise_lang
from incident.errors import InputError
from incident.i18n import t
from incident.runtime import Runtime
from incident.web import status_texts as _texts  # noqa: F401
from incident.wording import public
from incident.wording import status_subscriptions as subs
from incident.wording.templates import template_set


def lang_of(fields: dict[str, str], fallback: str) -> str:
    try:
        return normalise_lang(fields.get("lang") or fallback)
    except ValueError:
        return fallback


def message(rt: Runtime, lang: str, heading: str, text: str, **form: Any) -> str:
    context = {
        "centre": {"name": public.centre_name(rt.config, lang)},
        "heading": heading,
        "message": text,
        "back": t("status.sub.back", lang),
        "lang": lang,
        "action": form.get("action", ""),
        "token": form.get("token", ""),
        "button": form.get("button", ""),
    }
    return template_set(None).render_html("status/message", lang, context)


def problem(rt: Runtime, lang: str, exc: InputError) -> tuple[int, str]:
    return 422, message(rt, lang, t("status.sub.problem", lang), exc.message(lang))


def subscribe(rt: Runtime, fields: dict[str, str], lang: str) -> tuple[int, str]:
    kind, address = fields.get("kind", ""), fields.get("address", "")
    try:
        with rt.store.transaction() as s:
            result = subs.subscribe(s, rt.config, kind, address, lang, rt.clock.now())
            shown = result.subscription.address
        # Committed: now the e-mail may go (never from inside the transaction).
        subs.send_confirmation(rt.config, subs.confirmation_adapter(rt.config, rt.settings.data_dir, rt.clock), result)
    except InputError as exc:
        return problem(rt, lang, exc)
    except DeliveryError as exc:
        return 502, message(rt, lang, t("status.sub.problem", lang), t("status.sub.error.send", lang, reason=str(exc)))
    key = "status.sub.check_inbox" if kind == "email" else "status.sub.webhook_added"
    return 200, message(rt, lang, t("status.sub.done_title", lang), t(key, lang, address=shown))


def confirm_page(rt: Runtime, token: str, lang: str) -> tuple[int, str]:
    try:
        with rt.store.read() as s:
            address = subs.pending_address(s, token, rt.clock.now())
    except InputError as exc:
        return problem(rt, lang, exc)
    return 200, message(
        rt,
        lang,
        t("status.sub.confirm_title", lang),
        t("status.sub.confirm_ask", lang, address=address),
        action="/status/subscribe/confirm",
        token=token,
        button=t("status.sub.confirm_button", lang),
    )


def confirm(rt: Runtime, token: str, lang: str) -> tuple[int, str]:
    try:
        with rt.store.transaction() as s:
            address = subs.confirm(s, token, rt.clock.now()).address
    except InputError as exc:
        return problem(rt, lang, exc)
    return 200, message(rt, lang, t("status.sub.done_title", lang), t("status.sub.confirmed", lang, address=address))


def unsubscribe_page(rt: Runtime, token: str, lang: str) -> tuple[int, str]:
    try:
        with rt.store.read() as s:
            address = subs.subscription_address(s, token)
    except InputError as exc:
        return problem(rt, lang, exc)
    return 200, message(
        rt,
        lang,
        t("status.sub.unsubscribe_title", lang),
        t("status.sub.unsubscribe_ask", lang, address=address),
        action="/status/unsubscribe",
        token=token,
        button=t("status.sub.unsubscribe_button", lang),
    )


def unsubscribe(rt: Runtime, token: str, lang: str) -> tuple[int, str]:
    try:
        with rt.store.transaction() as s:
            address = subs.unsubscribe(s, token, rt.clock.now()).address
    except InputError as exc:
        return problem(rt, lang, exc)
    return 200, message(rt, lang, t("status.sub.done_title", lang), t("status.sub.unsubscribed", lang, address=address))
