"""CLI commands of the wording half: ``facts`` (the fact sheet),
``statement`` (drafting, four-eyes approval, publishing), ``wording`` (what
agents pull), ``template``, ``subscribers`` and ``outbox``."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from sqlalchemy import select

from incident.cli import facts_cmds, statement_cmds
from incident.cli import wording_texts as _cli_texts  # noqa: F401
from incident.cli.kb_cmds import show_also, show_answers
from incident.cli.render import print_json
from incident.cli.wording_common import read_text
from incident.config import normalise_lang
from incident.errors import InputError, NotFoundError
from incident.i18n import label, t
from incident.incidents import parse_id
from incident.knowledge import search as kb
from incident.models import Delivery
from incident.runtime import Runtime
from incident.wording import authoring, outbox
from incident.wording import texts as _texts  # noqa: F401
from incident.wording.deliver import mark_sent, resend
from incident.wording.personalise import Customer
from incident.wording.pull import REF, browse, get_reply
from incident.wording.search import describe
from incident.wording.templates import SCENARIOS

Opt = typer.Option


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    # The commands are closures over the app's language (their help texts
    # are fixed when the app is built, one app per language: incident/cli/app.py),
    # hence one long function; each command in it is short.
    def h(key: str) -> str:
        return t(key, lang)

    def say(text: str, style: Optional[str] = None) -> None:
        out.print(text, style=style, markup=False, highlight=False)

    JsonOpt = Annotated[bool, Opt("--json", help=h("help.opt.json"))]

    facts_cmds.register(app, lang, rt, out)  # facts
    statement_cmds.register(app, lang, rt, out)  # statement

    # ---- wording (agents) ---------------------------------------------------------
    w_app = typer.Typer(help=h("help.wording"), no_args_is_help=True)
    app.add_typer(w_app, name="wording")

    @w_app.command("get", help=h("help.wording.get"))
    def wording_get(
        # `wording get 登录不了` / `wording get INC-2`: what -q takes, without the -q.
        words: Annotated[Optional[str], typer.Argument(metavar="[TEXT]", help=h("help.opt.q"))] = None,
        q: Annotated[Optional[str], Opt("-q", "--query", help=h("help.opt.q"), metavar="TEXT")] = None,
        incident: Annotated[
            Optional[str], Opt("--incident", "-i", help=h("help.opt.incident_id"), metavar="ID")
        ] = None,
        scenario: Annotated[Optional[str], Opt("--scenario", "-s", help=h("help.opt.scenario"), metavar="NAME")] = None,
        reply_lang: Annotated[Optional[str], Opt("--in", help=h("help.opt.in_lang"), metavar="LANG")] = None,
        name: Annotated[Optional[str], Opt("--name", help=h("help.opt.cust_name"), metavar="NAME")] = None,
        title: Annotated[Optional[str], Opt("--title", help=h("help.opt.cust_title"), metavar="先生|女士")] = None,
        contact: Annotated[Optional[str], Opt("--contact", help=h("help.opt.cust_contact"), metavar="PHONE")] = None,
        compensation: Annotated[
            Optional[str], Opt("--compensation", help=h("help.opt.cust_comp"), metavar="TEXT")
        ] = None,
        alternatives: Annotated[int, Opt("--alternatives", help=h("help.opt.alternatives"), metavar="N")] = 3,
        list_all: Annotated[bool, Opt("--list", help=h("help.wording.list"))] = False,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        if words and q and words.strip() != q.strip():
            raise InputError("wording.error.two_queries", first=words, second=q)
        q = q or words
        if list_all or not (q or incident):
            return wording_list(r, as_json)
        try:
            chosen = normalise_lang(reply_lang) if reply_lang else r.lang
        except ValueError:
            raise InputError("wording.error.bad_lang", value=reply_lang) from None
        # The customer's words (not an incident number): the knowledge base
        # is searched with them too (incident/knowledge).
        kb_words = q if q and not incident and not REF.fullmatch(q) else ""
        with r.store.transaction() as s:
            try:
                reply = get_reply(
                    s,
                    r.config,
                    q=q,
                    incident_id=parse_id(incident) if incident else None,
                    scenario=scenario,
                    lang=chosen,
                    customer=Customer(name, title, contact, compensation),
                    alternatives=alternatives,
                )
            except NotFoundError as exc:
                # No live incident: last time's answer, labelled, if there is one.
                who = Customer(name, title)  # greeted by name; last time's compensation is not theirs
                found = (
                    kb.find(s, r.config, kb_words, chosen, customer=who) if exc.key == "wording.error.no_match" else []
                )
                if not found:
                    raise
                reply = None
            else:
                found = kb.find(s, r.config, kb_words, chosen, limit=2) if kb_words else []
        if reply is None:
            if as_json:
                print_json(out, {"source": kb.SOURCE, "incident": None, "knowledge_base": found})
            else:
                say(t("kb.out.no_live", r.lang, q=q), "yellow")
                show_answers(out, found, r.lang)
            return
        if as_json:
            print_json(out, {**reply.as_json(), "knowledge_base": found} if kb_words else reply.as_json())
            return
        i = reply.incident
        say(
            t("out.reply_head", r.lang, ref=i.ref, title=i.title, scenario=reply.scenario, version=reply.fact_version),
            "bold",
        )
        if reply.why:
            say(t("out.reply_why", r.lang, why=describe(reply.why, r.lang)), "dim")
        say(reply.text)
        for d in reply.dos:
            say(t("out.do", r.lang, text=d), "green")
        for d in reply.donts:
            say(t("out.dont", r.lang, text=d), "red")
        for w in reply.warnings:
            say(t("out.reply_warning", r.lang, rule=w["rule"], text=w["text"]), "yellow")
        for a in reply.alternatives:
            title = a["public_title"] or a["title"]
            say(t("out.alternative_why", r.lang, ref=a["ref"], title=title, why=describe(a["why"], r.lang)), "dim")
        show_also(out, found, r.lang)

    def wording_list(r: Runtime, as_json: bool) -> None:
        with r.store.transaction() as s:
            found = browse(s, r.config, r.lang)
        if as_json:
            print_json(out, found)
            return
        if not found:
            say(t("out.wording_list_none", r.lang))
            return
        say(t("out.wording_list_head", r.lang, n=len(found)), "bold")
        for w in found:
            status = label("status", w["status"], r.lang)
            row = dict(w, title=w["public_title"] or w["title"], status=status, version=w["fact_version"])
            say(t("out.wording_list_row", r.lang, **row))

    @w_app.command("list", help=h("help.wording.list"))
    def wording_list_cmd(as_json: JsonOpt = False) -> None:
        wording_list(rt(), as_json)

    @w_app.command("scenarios", help=h("help.wording.scenarios"))
    def wording_scenarios() -> None:
        r = rt()
        for sc in SCENARIOS:
            say(f"{sc:22} {t('scenario.' + sc, r.lang)}")

    # ---- templates ------------------------------------------------------------------
    tpl_app = typer.Typer(help=h("help.template"), no_args_is_help=True)
    app.add_typer(tpl_app, name="template")

    @tpl_app.command("list", help=h("help.template.list"))
    def tpl_list(as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.transaction() as s:
            rows = [
                {
                    "id": x.id,
                    "name": x.name,
                    "lang": x.lang,
                    "version": x.version,
                    "status": x.status,
                    "author": x.author,
                    "approved_by": x.approved_by,
                }
                for x in authoring.list_templates(s)
            ]
        if as_json:
            print_json(out, rows)
            return
        if not rows:
            say(t("out.no_templates", r.lang))
        for x in rows:
            say(
                f"{x['id']:>4}  {x['name']}.{x['lang']}  v{x['version']}  {label('doc_status', x['status'], r.lang)}  "
                f"{x['author']}"
            )

    @tpl_app.command("add", help=h("help.template.add"))
    def tpl_add(name: str, tpl_lang: Annotated[str, typer.Argument(metavar="LANG")], file: Path) -> None:
        r = rt()
        body = read_text(file)
        with r.store.transaction() as s:
            row = authoring.add_template(s, r.ctx, name, tpl_lang, body)
            say(t("out.template_added", r.lang, id=row.id, name=f"{row.name}.{row.lang}", version=row.version), "green")

    @tpl_app.command("approve", help=h("help.template.approve"))
    def tpl_approve(template_id: int) -> None:
        r = rt()
        with r.store.transaction() as s:
            row = authoring.approve_template(s, r.ctx, template_id)
            say(t("out.approved", r.lang, what=f"{row.name}.{row.lang} v{row.version}"), "green")

    # ---- subscribers ------------------------------------------------------------------
    sub_app = typer.Typer(help=h("help.subscribers"), no_args_is_help=True)
    app.add_typer(sub_app, name="subscribers")

    @sub_app.command("add", help=h("help.subscribers.add"))
    def sub_add(channel: str, address: str, sub_lang: Annotated[str, Opt("--in", metavar="LANG")] = "zh-CN") -> None:
        r = rt()
        try:
            chosen = normalise_lang(sub_lang)
        except ValueError:
            raise InputError("wording.error.bad_lang", value=sub_lang) from None
        with r.store.transaction() as s:
            _, changed = authoring.add_subscriber(s, r.ctx, channel, address, chosen)
        say(t("out.subscriber_added" if changed else "out.subscriber_same", r.lang, channel=channel, address=address))

    @sub_app.command("remove", help=h("help.subscribers.remove"))
    def sub_remove(channel: str, address: str) -> None:
        r = rt()
        with r.store.transaction() as s:
            done = authoring.remove_subscriber(s, channel, address)
        say(t("out.subscriber_removed" if done else "out.subscriber_absent", r.lang, channel=channel, address=address))

    @sub_app.command("list", help=h("help.subscribers.list"))
    def sub_list(as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.transaction() as s:
            rows = [{"channel": x.channel, "address": x.address, "lang": x.lang} for x in authoring.list_subscribers(s)]
        if as_json:
            print_json(out, rows)
            return
        for x in rows:
            say(f"{x['channel']:8} {x['address']}  ({x['lang']})")
        if not rows:
            say(t("out.no_subscribers", r.lang))

    # ---- outbox -------------------------------------------------------------------------
    ob_app = typer.Typer(help=h("help.outbox"), no_args_is_help=True)
    app.add_typer(ob_app, name="outbox")

    @ob_app.command("deliver", help=h("help.outbox.deliver"))
    def ob_deliver(as_json: JsonOpt = False) -> None:
        r = rt()
        report = outbox.deliver_outbox(r.store, r.config, r.settings.data_dir, r.clock)
        r.deliver()
        if as_json:
            print_json(out, report.__dict__)
            return
        say(
            t(
                "out.delivered",
                r.lang,
                sent=report.sent,
                retrying=report.retrying,
                failed=report.failed,
                doubt=report.in_doubt,
            )
        )

    @ob_app.command("list", help=h("help.outbox.list"))
    def ob_list(
        status: Annotated[Optional[str], Opt("--status", metavar="STATUS")] = None,
        limit: Annotated[int, Opt("--limit", metavar="N")] = 50,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            q = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
            if status:
                q = q.where(Delivery.status == status)
            rows = [
                {
                    "id": d.id,
                    "key": d.idempotency_key,
                    "channel": d.channel,
                    "recipient": d.recipient,
                    "status": d.status,
                    "attempts": d.attempts,
                    "error": d.last_error,
                }
                for d in s.scalars(q)
            ]
        if as_json:
            print_json(out, rows)
            return
        for d in rows:
            say(
                f"{d['id']:>5} {d['status']:9} {d['channel']:7} {d['recipient']}  {d['error'] or ''}",
                "red" if d["status"] in ("failed", "in_doubt") else None,
            )

    @ob_app.command("resend", help=h("help.outbox.resend"))
    def ob_resend(delivery_id: int) -> None:
        r = rt()
        with r.store.transaction() as s:
            resend(s, delivery_id, r.clock.now())
        say(t("out.resend", r.lang, id=delivery_id))

    @ob_app.command("mark-sent", help=h("help.outbox.mark_sent"))
    def ob_mark(delivery_id: int) -> None:
        r = rt()
        with r.store.transaction() as s:
            mark_sent(s, delivery_id, r.clock.now())
        say(t("out.marked_sent", r.lang, id=delivery_id))
