"""``incident facts``: an incident's fact sheet (口径卡) — show, edit,
submit, approve, reject, retract, diff (registered by
incident/cli/wording_cmds.py)."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from incident.cli import wording_texts as _cli_texts  # noqa: F401
from incident.cli.render import print_json
from incident.cli.wording_common import read_changes, show_findings, wechat_changes
from incident.i18n import LANGS, label, t
from incident.incidents import parse_id
from incident.runtime import Runtime
from incident.timeutil import fmt, parse_time
from incident.wording import approval, factsheet, workflow
from incident.wording import texts as _texts  # noqa: F401

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
    IdArg = Annotated[str, typer.Argument(help=h("help.arg.id"), metavar="ID")]
    ReasonOpt = Annotated[str, Opt("--reason", help=h("help.opt.reason_req"), metavar="TEXT")]

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
        show_findings(say, findings, lang_)

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
            changes.update(read_changes(from_file))
        pairs = {
            "public_title": title,
            "public_title.en": title_en,
            **wechat_changes(wechat, "zh-CN"),
            **wechat_changes(wechat_en, "en"),
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
        show_findings(say, findings, r.lang)
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
