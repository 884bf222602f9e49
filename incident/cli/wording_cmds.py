"""CLI commands of the wording half: ``facts`` (the fact sheet),
``statement`` (drafting, four-eyes approval, publishing), ``wording`` (what
agents pull), ``template``, ``subscribers`` and ``outbox``."""

import datetime as dt
import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from incident.cli import wording_texts as _cli_texts  # noqa: F401
from incident.cli.kb_cmds import show_also, show_answers
from incident.cli.render import print_json
from incident.config import normalise_lang
from incident.errors import InputError, NotFoundError
from incident.i18n import LANGS, label, t
from incident.incidents import parse_id
from incident.knowledge import search as kb
from incident.models import Delivery
from incident.runtime import Runtime
from incident.textin import clean, clean_value
from incident.timeutil import fmt, parse_time
from incident.wording import approval, authoring, factsheet, outbox, workflow
from incident.wording import texts as _texts  # noqa: F401
from incident.wording.deliver import mark_sent, resend
from incident.wording.personalise import Customer
from incident.wording.pull import REF, browse, get_reply
from incident.wording.search import describe
from incident.wording.templates import SCENARIOS

Opt = typer.Option


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    def say(text: str, style: Optional[str] = None) -> None:
        out.print(text, style=style, markup=False, highlight=False)

    JsonOpt = Annotated[bool, Opt("--json", help=h("help.opt.json"))]
    IdArg = Annotated[str, typer.Argument(help=h("help.arg.id"), metavar="ID")]
    NumArg = Annotated[int, typer.Argument(help=h("help.arg.statement"), metavar="N")]
    ReasonOpt = Annotated[str, Opt("--reason", help=h("help.opt.reason_req"), metavar="TEXT")]

    def show_findings(findings: list[dict[str, Any]], lang_: str) -> None:
        for f in findings:
            where = "/".join(x for x in (f.get("lang"), f.get("channel"), f.get("field"), f.get("part")) if x)
            msg = t(f.get("message_key") or f"lint.{f['rule']}", lang_, **(f.get("params") or {}))
            style = "red" if f["severity"] == "error" else "yellow"
            line = t(
                "out.finding", lang_, where=where, severity=f["severity"], rule=f["rule"], text=f["text"], message=msg
            )
            if f.get("suggestion"):
                line += " → " + f["suggestion"]
            say(line, style)

    # ---- facts ----------------------------------------------------------------
    facts_app = typer.Typer(help=h("help.facts"), no_args_is_help=True)
    app.add_typer(facts_app, name="facts")

    def sheet_json(sheet: Any) -> dict[str, Any]:
        return {
            "incident": f"INC-{sheet.incident_id}",
            "version": sheet.version,
            "status": sheet.status,
            "author": sheet.author,
            "content": sheet.content,
            "change_note": sheet.change_note,
        }

    def show_sheet(sheet: Any, approvals: list[Any], findings: list[dict[str, Any]], lang_: str) -> None:
        r = rt()
        say(
            t(
                "out.facts_head",
                lang_,
                ref=f"INC-{sheet.incident_id}",
                version=sheet.version,
                status=label("doc_status", sheet.status, lang_),
                author=sheet.author,
            ),
            "bold",
        )
        table = Table(show_header=True, header_style="bold")
        table.add_column(t("out.col.field", lang_))
        for lg in LANGS:
            table.add_column(lg)
        for name in factsheet.TEXT_FIELDS + factsheet.LIST_FIELDS:
            value = sheet.content.get(name) or {}
            cells = []
            for lg in LANGS:
                v = value.get(lg)
                cells.append(Text("\n".join(f"• {x}" for x in v) if isinstance(v, list) else (v or "—")))
            table.add_row(Text(label("fact_field", name, lang_)), *cells)
        eta = factsheet.eta(sheet.content)
        table.add_row(
            Text(label("fact_field", "eta", lang_)),
            Text(fmt(eta, r.config.zone) if eta else t("out.no_eta", lang_)),
            Text(""),
        )
        amount = sheet.content.get("compensation_amount")
        table.add_row(
            Text(label("fact_field", "compensation_amount", lang_)),
            Text("—" if amount is None else str(amount)),
            Text(""),
        )
        out.print(table)
        for a in approvals:
            say(t("out.signed", lang_, who=a.approver, role=a.role, at=fmt(a.at, r.config.zone)), "green")
        show_findings(findings, lang_)

    FieldOpt = Optional[str]

    @facts_app.command("show", help=h("help.facts.show"))
    def facts_show(
        incident: IdArg,
        version: Annotated[Optional[int], Opt("--version", help=h("help.opt.version"), metavar="N")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            sheet = factsheet.get_version(s, parse_id(incident), version)
            approvals = approval.signoffs(s, "fact_sheet", sheet.id)
            findings = workflow.lint_sheet(r.ctx, sheet, s)
            if as_json:
                print_json(
                    out,
                    {
                        **sheet_json(sheet),
                        "findings": findings,
                        "approvals": [{"approver": a.approver, "role": a.role} for a in approvals],
                    },
                )
                return
            show_sheet(sheet, approvals, findings, r.lang)

    @facts_app.command("edit", help=h("help.facts.edit"))
    def facts_edit(
        incident: IdArg,
        title: Annotated[FieldOpt, Opt("--public-title", help=h("help.opt.f.public_title"), metavar="TEXT")] = None,
        title_en: Annotated[FieldOpt, Opt("--public-title-en", metavar="TEXT")] = None,
        wechat: Annotated[
            Optional[list[str]], Opt("--wechat", help=h("help.opt.f.wechat"), metavar="FIELD=TEXT")
        ] = None,
        wechat_en: Annotated[Optional[list[str]], Opt("--wechat-en", metavar="FIELD=TEXT")] = None,
        what: Annotated[FieldOpt, Opt("--what", help=h("help.opt.f.what"), metavar="TEXT")] = None,
        what_en: Annotated[FieldOpt, Opt("--what-en", metavar="TEXT")] = None,
        scope: Annotated[FieldOpt, Opt("--scope", help=h("help.opt.f.scope"), metavar="TEXT")] = None,
        scope_en: Annotated[FieldOpt, Opt("--scope-en", metavar="TEXT")] = None,
        cause: Annotated[FieldOpt, Opt("--cause", help=h("help.opt.f.cause"), metavar="TEXT")] = None,
        cause_en: Annotated[FieldOpt, Opt("--cause-en", metavar="TEXT")] = None,
        fix: Annotated[FieldOpt, Opt("--fix", help=h("help.opt.f.fix"), metavar="TEXT")] = None,
        fix_en: Annotated[FieldOpt, Opt("--fix-en", metavar="TEXT")] = None,
        eta: Annotated[FieldOpt, Opt("--eta", help=h("help.opt.f.eta"), metavar="TIME")] = None,
        workaround: Annotated[FieldOpt, Opt("--workaround", help=h("help.opt.f.workaround"), metavar="TEXT")] = None,
        workaround_en: Annotated[FieldOpt, Opt("--workaround-en", metavar="TEXT")] = None,
        compensation: Annotated[
            FieldOpt, Opt("--compensation", help=h("help.opt.f.compensation"), metavar="TEXT")
        ] = None,
        compensation_en: Annotated[FieldOpt, Opt("--compensation-en", metavar="TEXT")] = None,
        amount: Annotated[FieldOpt, Opt("--amount", help=h("help.opt.f.amount"), metavar="YUAN")] = None,
        support: Annotated[FieldOpt, Opt("--support", help=h("help.opt.f.support"), metavar="TEXT")] = None,
        support_en: Annotated[FieldOpt, Opt("--support-en", metavar="TEXT")] = None,
        do: Annotated[Optional[list[str]], Opt("--do", help=h("help.opt.f.do"), metavar="TEXT")] = None,
        do_en: Annotated[Optional[list[str]], Opt("--do-en", metavar="TEXT")] = None,
        dont: Annotated[Optional[list[str]], Opt("--dont", help=h("help.opt.f.dont"), metavar="TEXT")] = None,
        dont_en: Annotated[Optional[list[str]], Opt("--dont-en", metavar="TEXT")] = None,
        from_file: Annotated[Optional[Path], Opt("--file", help=h("help.opt.f.file"), metavar="FILE")] = None,
        note: Annotated[Optional[str], Opt("--note", help=h("help.opt.f.note"), metavar="TEXT")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        changes: dict[str, Any] = {}
        if from_file is not None:
            changes.update(_read_changes(from_file))
        pairs = {
            "public_title": title,
            "public_title.en": title_en,
            **_wechat_changes(wechat, "zh-CN"),
            **_wechat_changes(wechat_en, "en"),
            "what": what,
            "what.en": what_en,
            "scope": scope,
            "scope.en": scope_en,
            "cause": cause,
            "cause.en": cause_en,
            "fix": fix,
            "fix.en": fix_en,
            "workaround": workaround,
            "workaround.en": workaround_en,
            "compensation": compensation,
            "compensation.en": compensation_en,
            "compensation_amount": amount,
            "support_channel": support,
            "support_channel.en": support_en,
            "dos": do,
            "dos.en": do_en,
            "donts": dont,
            "donts.en": dont_en,
        }
        changes.update({k: v for k, v in pairs.items() if v is not None})
        if eta is not None:
            changes["eta"] = eta
        if isinstance(changes.get("eta"), dt.datetime) and changes["eta"].tzinfo is None:
            changes["eta"] = changes["eta"].replace(tzinfo=r.config.zone)  # TOML local time = centre time
        if isinstance(changes.get("eta"), str):
            raw = changes["eta"].strip()
            changes["eta"] = (
                None if raw.lower() in ("", "none", "unknown", "未知") else parse_time(raw, r.config.zone, r.clock)
            )
        with r.store.transaction() as s:
            sheet = factsheet.edit(s, r.ctx, parse_id(incident), changes, note=note, lang="zh-CN")
            if as_json:
                print_json(out, sheet_json(sheet))
                return
            say(
                t(
                    "out.facts_saved",
                    r.lang,
                    ref=f"INC-{sheet.incident_id}",
                    version=sheet.version,
                    status=label("doc_status", sheet.status, r.lang),
                ),
                "green",
            )
            missing = factsheet.missing_required(sheet.content)
            if missing:
                say(t("out.facts_missing", r.lang, fields=", ".join(missing)), "yellow")

    @facts_app.command("submit", help=h("help.facts.submit"))
    def facts_submit(incident: IdArg) -> None:
        r = rt()
        with r.store.transaction() as s:
            sheet, findings = workflow.submit_sheet(s, r.ctx, parse_id(incident))
        say(t("out.submitted", r.lang, what=f"INC-{sheet.incident_id} v{sheet.version}"), "green")
        show_findings(findings, r.lang)
        r.deliver()

    @facts_app.command("approve", help=h("help.facts.approve"))
    def facts_approve(
        incident: IdArg, comment: Annotated[Optional[str], Opt("--comment", metavar="TEXT")] = None
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            sheet = workflow.approve_sheet(s, r.ctx, parse_id(incident), comment)
        key = "out.approved" if sheet.status == "approved" else "out.signed_wait"
        say(t(key, r.lang, what=f"INC-{sheet.incident_id} v{sheet.version}"), "green")
        r.deliver()

    @facts_app.command("reject", help=h("help.facts.reject"))
    def facts_reject(incident: IdArg, reason: ReasonOpt) -> None:
        r = rt()
        with r.store.transaction() as s:
            sheet = workflow.reject_sheet(s, r.ctx, parse_id(incident), reason)
        say(t("out.rejected", r.lang, what=f"INC-{sheet.incident_id} v{sheet.version}"), "yellow")

    @facts_app.command("retract", help=h("help.facts.retract"))
    def facts_retract(incident: IdArg, reason: ReasonOpt) -> None:
        r = rt()
        with r.store.transaction() as s:
            sheet = workflow.retract_sheet(s, r.ctx, parse_id(incident), reason)
        say(t("out.retracted", r.lang, what=f"INC-{sheet.incident_id} v{sheet.version}"), "yellow")

    @facts_app.command("diff", help=h("help.facts.diff"))
    def facts_diff(incident: IdArg, old: int, new: int, as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.transaction() as s:
            a = factsheet.get_version(s, parse_id(incident), old)
            b = factsheet.get_version(s, parse_id(incident), new)
            changes = factsheet.diff(a.content, b.content)
        if as_json:
            print_json(out, changes)
            return
        if not changes:
            say(t("out.no_diff", r.lang))
        for c in changes:
            say(f"{label('fact_field', c['field'], r.lang)}{'/' + c['lang'] if c['lang'] else ''}:", "bold")
            say(f"  - {c['old']}", "red")
            say(f"  + {c['new']}", "green")

    # ---- statements -------------------------------------------------------------
    st_app = typer.Typer(help=h("help.statement"), no_args_is_help=True)
    app.add_typer(st_app, name="statement")

    def preview(st: Any, lang_: str, only_lang: Optional[str] = None, only_channel: Optional[str] = None) -> None:
        say(
            t(
                "out.statement_head",
                lang_,
                ref=f"INC-{st.incident_id}",
                number=st.number,
                kind=label("statement_kind", st.kind, lang_),
                status=label("doc_status", st.status, lang_),
                version=st.fact_version,
            ),
            "bold",
        )
        if st.stale:
            say(t("out.stale", lang_, fields=", ".join(sorted({d["field"] for d in st.stale_diff or []}))), "bold red")
        for lg, channels in st.rendered.items():
            if only_lang and lg != only_lang:
                continue
            for channel, parts in channels.items():
                if only_channel and channel != only_channel:
                    continue
                counts = ", ".join(
                    f"{k}={v}" for k, v in (parts.get("counts") or {}).items() if not isinstance(v, (dict, list))
                )
                say(f"── {channel} · {lg} · {counts}", "cyan")
                if "fields" in parts:
                    for k, v in parts["fields"].items():
                        say(f"  {k}: {v}")
                if "subject" in parts:
                    say(f"  Subject: {parts['subject']}")
                say("  " + (parts.get("text") or "").replace("\n", "\n  "))
                show_findings([f for f in st.findings if f["lang"] == lg and f["channel"] == channel], lang_)

    @st_app.command("draft", help=h("help.statement.draft"))
    def st_draft(
        incident: IdArg,
        kind: Annotated[Optional[str], Opt("--kind", "-k", help=h("help.opt.st_kind"), metavar="KIND")] = None,
        channels: Annotated[Optional[str], Opt("--channels", help=h("help.opt.channels"), metavar="LIST")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            st = workflow.draft_statement(s, r.ctx, parse_id(incident), kind=kind, channels=channels)
            if as_json:
                print_json(out, statement_json(st))
                return
            preview(st, r.lang)
            say(t("out.statement_next", r.lang, id=f"INC-{st.incident_id}", n=st.number), "dim")

    def statement_json(st: Any) -> dict[str, Any]:
        return {
            "incident": f"INC-{st.incident_id}",
            "number": st.number,
            "kind": st.kind,
            "status": st.status,
            "fact_version": st.fact_version,
            "channels": st.channels,
            "stale": st.stale,
            "stale_diff": st.stale_diff,
            "rendered": st.rendered,
            "findings": st.findings,
            "author": st.author,
            "published_at": st.published_at.isoformat() if st.published_at else None,
            "next_update_due_at": st.next_update_due_at.isoformat() if st.next_update_due_at else None,
        }

    @st_app.command("preview", help=h("help.statement.preview"))
    def st_preview(
        incident: IdArg,
        number: NumArg,
        only_lang: Annotated[Optional[str], Opt("--in", help=h("help.opt.in_lang"), metavar="LANG")] = None,
        channel: Annotated[Optional[str], Opt("--channel", help=h("help.opt.one_channel"), metavar="CHANNEL")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            st = workflow.get_statement(s, parse_id(incident), number)
            if as_json:
                print_json(out, statement_json(st))
                return
            preview(st, r.lang, only_lang, channel)

    @st_app.command("list", help=h("help.statement.list"))
    def st_list(incident: IdArg, as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.transaction() as s:
            rows = workflow.list_statements(s, parse_id(incident))
            if as_json:
                print_json(out, [{k: v for k, v in statement_json(st).items() if k != "rendered"} for st in rows])
                return
            table = Table(show_header=True, header_style="bold")
            for col in ("#", "kind", "status", "facts", "channels", "published", "next_update"):
                table.add_column(t(f"out.col.{col}", r.lang))
            for st in rows:
                status = label("doc_status", st.status, r.lang) + (" ⚠" if st.stale else "")
                table.add_row(
                    *[
                        Text(str(x))
                        for x in (
                            st.number,
                            label("statement_kind", st.kind, r.lang),
                            status,
                            f"v{st.fact_version}",
                            ",".join(st.channels),
                            fmt(st.published_at, r.config.zone) if st.published_at else "—",
                            fmt(st.next_update_due_at, r.config.zone) if st.next_update_due_at else "—",
                        )
                    ]
                )
            out.print(table)

    def simple(action: Callable[..., Any], key: str, *extra: Any) -> Callable[..., None]:
        def run(incident: str, number: int, *args: Any) -> None:
            r = rt()
            with r.store.transaction() as s:
                action(s, r.ctx, parse_id(incident), number, *args)
            say(t(key, r.lang, what=f"INC-{parse_id(incident)} #{number}"), "green")
            r.deliver()

        return run

    @st_app.command("submit", help=h("help.statement.submit"))
    def st_submit(incident: IdArg, number: NumArg) -> None:
        simple(workflow.submit_statement, "out.submitted")(incident, number)

    @st_app.command("approve", help=h("help.statement.approve"))
    def st_approve(
        incident: IdArg,
        number: NumArg,
        publish: Annotated[bool, Opt("--publish", help=h("help.opt.publish_now"))] = False,
        comment: Annotated[Optional[str], Opt("--comment", metavar="TEXT")] = None,
    ) -> None:
        r = rt()
        if publish:
            r.require("wording.publish")  # as the desk: approving and publishing at once needs both
        with r.store.transaction() as s:
            st = workflow.approve_statement(s, r.ctx, parse_id(incident), number, comment, publish_now=publish)
            status = st.status
        what = f"INC-{parse_id(incident)} #{number}"
        key = {"published": "out.published", "approved": "out.approved"}.get(status, "out.signed_wait")
        say(t(key, r.lang, what=what), "green")
        r.deliver()

    @st_app.command("reject", help=h("help.statement.reject"))
    def st_reject(incident: IdArg, number: NumArg, reason: ReasonOpt) -> None:
        simple(workflow.reject_statement, "out.rejected")(incident, number, reason)

    @st_app.command("publish", help=h("help.statement.publish"))
    def st_publish(incident: IdArg, number: NumArg) -> None:
        simple(workflow.publish_statement, "out.published")(incident, number)

    @st_app.command("retract", help=h("help.statement.retract"))
    def st_retract(incident: IdArg, number: NumArg, reason: ReasonOpt) -> None:
        simple(workflow.retract_statement, "out.retracted")(incident, number, reason)

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
        body = _read_text(file)
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


def _read_text(path: Path) -> str:
    """A file's text (``-``: stdin), cleaned at the door (incident.textin):
    a template or a fact sheet holds no control characters."""
    try:
        return clean(sys.stdin.read() if str(path) == "-" else path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("error.file_missing", path=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("error.file_not_utf8", path=str(path)) from None


def _wechat_changes(values: list[str] | None, lang: str) -> dict[str, Any]:
    """``keyword1=APP 登录异常`` → ``{"wechat_keyword1.zh-CN": "APP 登录异常"}``
    (an unknown field name is refused by factsheet.apply_changes)."""
    out: dict[str, Any] = {}
    for item in values or []:
        name, sep, text = item.partition("=")
        if not sep:
            raise InputError("wording.error.bad_field", field=item, allowed=", ".join(factsheet.WECHAT_KEYS))
        out[f"wechat_{name.strip()}.{lang}"] = text.strip()
    return out


def _read_changes(path: Path) -> dict[str, Any]:
    """A fact sheet in TOML or JSON: ``what = "…"``, ``what_en = "…"``,
    ``dos = […]``, or nested ``[en] what = "…"``."""
    raw = _read_text(path)
    try:
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise InputError("error.file_syntax", path=str(path), reason=str(exc)) from None
    # Cleaned again once parsed: JSON's "\u0000" and TOML's "\u001b" are
    # escapes in the file, control characters only after parsing.
    data = clean_value(data)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key in ("en", "zh-CN", "zh"):
            for k, v in value.items():
                out[f"{k}.{key}"] = v
        else:
            out[key] = value
    return out
