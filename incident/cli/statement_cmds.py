"""``incident statement``: public statements — draft, preview, list,
submit, approve, reject, publish, retract (registered by
incident/cli/wording_cmds.py)."""

from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from incident.cli import wording_texts as _cli_texts  # noqa: F401
from incident.cli.render import print_json
from incident.cli.wording_common import show_findings
from incident.i18n import label, t
from incident.incidents import parse_id
from incident.runtime import Runtime
from incident.timeutil import fmt
from incident.wording import texts as _texts  # noqa: F401
from incident.wording import workflow

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
    NumArg = Annotated[int, typer.Argument(help=h("help.arg.statement"), metavar="N")]
    ReasonOpt = Annotated[str, Opt("--reason", help=h("help.opt.reason_req"), metavar="TEXT")]

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
                show_findings(say, [f for f in st.findings if f["lang"] == lg and f["channel"] == channel], lang_)

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
