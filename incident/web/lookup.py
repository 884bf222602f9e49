"""Reply lookup (agents): one search box — what the customer says, or an
incident number like INC-12 — and the customer in front of them; back comes
the APPROVED reply for the scenario, addressed to them (surname + 先生/女士, Mr/Ms,
the contact only as its last four digits, the compensation due), with a
copy button. Only approved wording is searched (``wording.pull``), so a
draft can never reach an agent: when there is none the page says so and
what to do instead. When no live incident matches, the knowledge base's
answer (last time's, incident/knowledge) is shown, labelled with its entry,
source incident and date; beneath a live reply, entries that also match.
A GET form: nothing changes, so no CSRF token."""

from __future__ import annotations

import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from incident.config import normalise_lang
from incident.errors import IncidentError, InputError
from incident.i18n import LANGS, t
from incident.incidents import parse_id
from incident.knowledge import search as kb
from incident.web import kb_texts as _kb_texts  # noqa: F401  (web.kb.* on this page)
from incident.web import lookup_texts as _texts  # noqa: F401
from incident.web.pages import Pages
from incident.wording.personalise import Customer, mask_contact, title_key, title_options
from incident.wording.pull import REF, browse, get_reply
from incident.wording.search import describe
from incident.wording.templates import SCENARIOS

_MAX = 200  # characters kept of each field

# Errors that mean "there is no approved wording for this": said plainly,
# with what to do instead, never a draft.
_NONE = {"wording.error.no_approved_facts", "wording.error.no_match", "wording.error.reply_unsafe"}
_PROBLEMS = {
    "wording.error.no_approved_facts": "web.lookup.none_for_incident",
    "wording.error.no_such_incident": "web.lookup.no_such_incident",
    "wording.error.no_match": "web.lookup.none_for_query",
}


def _field(request: Request, name: str) -> str:
    return (request.query_params.get(name) or "").strip()[:_MAX]


def _title(value: str) -> str:
    """The stored form of a title the form sent (先生/女士, also Mr/Ms from an
    English form or a pasted link); "" for anything else."""
    try:
        return title_key(value) or ""
    except InputError:
        return ""


def router(pages: Pages) -> APIRouter:
    api = APIRouter()
    rt = pages.rt

    @api.get("/lookup")
    def lookup(request: Request) -> Response:
        principal = pages.user(request)
        lang = pages.lang(request, principal)
        principal.require("wording.lookup", lang)
        q = _field(request, "q")
        name, title = _field(request, "name"), _field(request, "title")
        compensation, scenario = _field(request, "compensation"), _field(request, "scenario")
        # Only the last four digits are ever used (and echoed back), so the
        # full number goes no further than this request.
        contact = mask_contact(_field(request, "contact"))
        # Not "lang": that parameter is the page's own language.
        reply_lang = _field(request, "reply_lang") or lang
        form = {
            "q": q,
            "name": name,
            "title": _title(title),
            "contact": contact,
            "compensation": compensation,
            "scenario": scenario if scenario in SCENARIOS else "",
            "reply_lang": reply_lang if reply_lang in LANGS else lang,
        }
        values: dict[str, Any] = {"form": form, "reply": None, "problem": None, "no_wording": False, "alternatives": []}
        values.update(why="", no_incident=False, kb=[], kb_also=[])
        if q:
            chosen = lang
            try:
                try:
                    chosen = normalise_lang(reply_lang)
                except ValueError:
                    raise InputError("wording.error.bad_lang", value=reply_lang) from None
                by_ref = REF.fullmatch(q) is not None
                reply = get_reply(
                    rt.store,
                    rt.config,
                    q=None if by_ref else q,
                    incident_id=parse_id(q) if by_ref else None,
                    scenario=scenario or None,
                    lang=chosen,
                    customer=Customer(
                        name=name or None,
                        title=form["title"] or None,
                        contact=contact or None,
                        compensation=compensation or None,
                    ),
                    now=rt.clock.now(),  # an ETA in another year says its year
                )
            except IncidentError as exc:
                values["no_wording"] = exc.key in _NONE
                values["no_incident"] = exc.key == "wording.error.no_such_incident"
                if exc.key in _PROBLEMS:
                    values["problem"] = t(_PROBLEMS[exc.key], lang, ref=exc.params.get("ref", q), q=q)
                else:
                    values["problem"] = exc.message(lang)
                if exc.key == "wording.error.no_match":
                    # No live incident: last time's answer, if the knowledge base has one.
                    who = Customer(name=name or None, title=form["title"] or None)
                    values["kb"] = kb.find(rt.store, rt.config, q, chosen, customer=who)
            else:
                values["reply"] = reply
                keep = {k: v for k, v in form.items() if v and k != "q"}
                values["why"] = describe(reply.why, lang)
                values["alternatives"] = [
                    (a, "/lookup?" + urllib.parse.urlencode({"q": a["ref"], **keep}), describe(a["why"], lang))
                    for a in reply.alternatives
                ]
                if not by_ref:
                    values["kb_also"] = kb.find(rt.store, rt.config, q, chosen, limit=2)
        if not q or values["problem"] or request.query_params.get("list"):
            # Every approved wording, to browse when the customer's words
            # find nothing (or before typing anything).
            values["wordings"] = [
                (w, "/lookup?" + urllib.parse.urlencode({"q": w["ref"]})) for w in browse(rt.store, rt.config, lang)
            ]
        return pages.render(
            request, "lookup.html.j2", principal, **values, scenarios=SCENARIOS, titles=title_options(lang), langs=LANGS
        )

    return api
