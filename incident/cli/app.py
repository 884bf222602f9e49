"""``incident``: the on-call lead's command line.

The app is built for one language (``--lang`` / ``INCIDENT_LANG``, read
before parsing) so that ``--help`` teaches in that language too. Each write
command is one transaction; notifications it queued are delivered after the
commit. Errors are one line on stderr and a non-zero exit, never a traceback
(``INCIDENT_DEBUG=1`` shows it).
"""

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from incident import __version__, escalation, incidents, response, roster_overrides
from incident.cli import click_texts, guard
from incident.cli import texts as _texts  # noqa: F401  (registers the CLI texts)
from incident.cli.config_cmds import register as register_config
from incident.cli.console import make_console
from incident.cli.cover_cmds import register as register_cover
from incident.cli.kb_cmds import register as register_kb
from incident.cli.lint_cmds import register as register_lint
from incident.cli.merge_cmds import register as register_merge
from incident.cli.remedy_cmds import register as register_remedy
from incident.cli.render import (
    incident_panel,
    incident_table,
    print_json,
    roster_table,
)
from incident.cli.review_cmds import register as register_review
from incident.cli.roster_cmds import register as register_roster
from incident.cli.slack_cmds import register as register_slack
from incident.cli.users_cmds import register as register_users
from incident.cli.watch_cmds import register as register_watch
from incident.cli.web_cmds import register as register_web
from incident.cli.webhook_cmds import register as register_webhooks
from incident.cli.wording_cmds import register as register_wording
from incident.config import normalise_lang
from incident.db import Store, current_revision, head_revision, upgrade
from incident.errors import IncidentError
from incident.i18n import t
from incident.runtime import Runtime
from incident.serialise import incident_json, row_json_from
from incident.timeutil import fmt, parse_time

_state: dict[str, Runtime] = {}
out = make_console()


def _rt() -> Runtime:
    return _state["rt"]


def _prescan_lang(argv: list[str]) -> str:
    value = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
    value = value or os.environ.get("INCIDENT_LANG")
    try:
        return normalise_lang(value)
    except ValueError:
        return "zh-CN"


def _print_version(value: bool) -> None:
    # Eager: answers before the runtime (config, database) is built.
    if value:
        print(f"incident-coordinator {__version__}")
        raise typer.Exit()


def build_app(lang: str) -> typer.Typer:
    def h(key: str) -> str:
        return t(key, lang)

    app = typer.Typer(
        help=h("help.app"),
        no_args_is_help=False,
        invoke_without_command=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        config: Annotated[
            Optional[Path], typer.Option("--config", "-c", help=h("help.opt.config"), metavar="FILE")
        ] = None,
        lang_opt: Annotated[Optional[str], typer.Option("--lang", help=h("help.opt.lang"), metavar="LANG")] = None,
        actor: Annotated[Optional[str], typer.Option("--as", help=h("help.opt.actor"), metavar="NAME")] = None,
        db: Annotated[Optional[str], typer.Option("--db", help=h("help.opt.db"), metavar="URL")] = None,
        version: Annotated[
            bool,
            typer.Option("--version", help=h("help.opt.show_version"), is_eager=True, callback=_print_version),
        ] = False,
    ) -> None:
        _state["rt"] = Runtime.build(config, lang_opt, actor, db)
        if ctx.invoked_subcommand is None:
            guard.authorise(_rt(), "")
            overview()

    def overview() -> None:
        rt = _rt()
        now = rt.clock.now()
        with rt.store.transaction() as s:
            rows = incidents.list_incidents(s, open_only=True, limit=20)
            covers = roster_overrides.active(s, now)
        out.print(
            t("out.overview_title", rt.lang, centre=rt.config.centre.name, now=fmt(now, rt.config.zone)), style="bold"
        )
        if rt.config_path is None:
            out.print(t("out.config_default", rt.lang), style="yellow")
        if rt.config.teams:
            out.print(roster_table(rt.config, now, rt.lang, t("out.on_call_now", rt.lang), covers))
        if rows:
            out.print(incident_table(rows, rt.config.zone, rt.lang, t("out.open_incidents", rt.lang)))
        else:
            out.print(t("out.no_incidents", rt.lang))
        out.print(t("out.overview_hint", rt.lang), style="dim")

    def when(text: Optional[str]) -> dt.datetime | None:
        return parse_time(text, _rt().config.zone, _rt().clock) if text else None

    # The fields declare and update share.
    SummaryOpt = Annotated[Optional[str], typer.Option("--summary", help=h("help.opt.summary"), metavar="TEXT")]
    ImpactOpt = Annotated[Optional[str], typer.Option("--impact", help=h("help.opt.impact"), metavar="TEXT")]
    ChannelOpt = Annotated[
        Optional[list[str]], typer.Option("--channel", help=h("help.opt.channel"), metavar="CHANNEL")
    ]
    RegionOpt = Annotated[Optional[list[str]], typer.Option("--region", help=h("help.opt.region"), metavar="REGION")]
    ProductOpt = Annotated[
        Optional[list[str]], typer.Option("--product", help=h("help.opt.product"), metavar="PRODUCT")
    ]
    StartedOpt = Annotated[Optional[str], typer.Option("--started-at", help=h("help.opt.started"), metavar="TIME")]
    DetectedOpt = Annotated[Optional[str], typer.Option("--detected-at", help=h("help.opt.detected"), metavar="TIME")]

    @app.command(help=h("help.declare"))
    def declare(
        kind: Annotated[str, typer.Option("--kind", "-k", help=h("help.opt.kind"), metavar="KIND")],
        severity: Annotated[str, typer.Option("--severity", "-s", help=h("help.opt.severity"), metavar="SEV")],
        title: Annotated[str, typer.Option("--title", "-t", help=h("help.opt.title"), metavar="TEXT")],
        summary: SummaryOpt = None,
        impact: ImpactOpt = None,
        channel: ChannelOpt = None,
        region: RegionOpt = None,
        product: ProductOpt = None,
        started_at: StartedOpt = None,
        detected_at: DetectedOpt = None,
        dedup_key: Annotated[
            Optional[str], typer.Option("--dedup-key", help=h("help.opt.dedup"), metavar="KEY")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False,
    ) -> None:
        rt = _rt()
        with rt.store.transaction() as s:
            inc = response.declare(
                s,
                rt.ctx,
                kind=kind,
                severity=severity,
                title=title,
                summary=summary,
                impact=impact,
                channels=channel,
                regions=region,
                products=product,
                started_at=when(started_at),
                detected_at=when(detected_at),
                dedup_key=dedup_key,
            )
            new_id = inc.id
        with rt.store.transaction() as s:
            inc = incidents.get(s, new_id)
            if as_json:
                print_json(out, incident_json(inc, rt.config, rt.clock.now()))
            else:
                out.print(t("out.declared", rt.lang, ref=inc.ref, title=inc.title), style="bold green")
                out.print(incident_panel(inc, rt.config, rt.clock.now(), rt.lang))
                out.print(t("out.next", rt.lang, hint=t("out.hint_declared", rt.lang, id=inc.id)), style="dim")
        rt.deliver()

    @app.command("list", help=h("help.list"))
    def list_(
        status: Annotated[
            Optional[list[str]], typer.Option("--status", help=h("help.opt.status_filter"), metavar="STATUS")
        ] = None,
        kind: Annotated[
            Optional[list[str]], typer.Option("--kind", "-k", help=h("help.opt.kind_filter"), metavar="KIND")
        ] = None,
        severity: Annotated[
            Optional[list[str]], typer.Option("--severity", "-s", help=h("help.opt.sev_filter"), metavar="SEV")
        ] = None,
        all_: Annotated[bool, typer.Option("--all", "-a", help=h("help.opt.all"))] = False,
        since: Annotated[Optional[str], typer.Option(help=h("help.opt.since"), metavar="TIME")] = None,
        until: Annotated[Optional[str], typer.Option(help=h("help.opt.until"), metavar="TIME")] = None,
        search: Annotated[
            Optional[str], typer.Option("--search", "-q", help=h("help.opt.search"), metavar="TEXT")
        ] = None,
        limit: Annotated[int, typer.Option(help=h("help.opt.limit"), metavar="N")] = 100,
        as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False,
    ) -> None:
        rt = _rt()
        if limit < 0:
            raise IncidentError("error.bad_limit", value=limit)
        filters = dict(
            statuses=status,
            kinds=kind,
            severities=severity,
            open_only=not all_ and not status,
            since=when(since),
            until=when(until),
            search=search,
        )
        with rt.store.transaction() as s:
            rows = incidents.list_incidents(s, **filters, limit=(limit + 1) if limit else None)
            more = bool(limit) and len(rows) > limit
            rows = rows[:limit] if limit else rows
            total = incidents.count_incidents(s, **filters) if more else len(rows)
        if as_json:
            print_json(out, [row_json_from(r) for r in rows])
            return
        if not rows:
            out.print(t("out.no_incidents", rt.lang))
            return
        out.print(incident_table(rows, rt.config.zone, rt.lang))
        if more:
            out.print(t("out.more", rt.lang, shown=len(rows), total=total), style="dim")

    @app.command(help=h("help.show"))
    def show(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help=h("help.arg.id"))],
        as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False,
    ) -> None:
        rt = _rt()
        with rt.store.transaction() as s:
            inc = incidents.get(s, incidents.parse_id(incident_id))
            if as_json:
                print_json(out, incident_json(inc, rt.config, rt.clock.now()))
            else:
                out.print(incident_panel(inc, rt.config, rt.clock.now(), rt.lang))

    @app.command(help=h("help.status"))
    def status(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help=h("help.arg.id"))],
        new_status: Annotated[str, typer.Argument(metavar="STATUS", help=h("help.arg.status"))],
        note: Annotated[Optional[str], typer.Option("--note", "-n", help=h("help.opt.note"), metavar="TEXT")] = None,
    ) -> None:
        rt = _rt()
        with rt.store.transaction() as s:
            inc = incidents.get(s, incidents.parse_id(incident_id))
            before = inc.status
            inc = response.change_status(s, rt.ctx, inc.id, new_status, note)
            out.print(t("out.status_changed", rt.lang, ref=inc.ref, **{"from": before, "to": inc.status}), style="bold")
        rt.deliver()

    @app.command(help=h("help.assign"))
    def assign(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help=h("help.arg.id"))],
        role: Annotated[str, typer.Argument(metavar="ROLE", help=h("help.arg.role"))],
        person: Annotated[str, typer.Argument(metavar="PERSON", help=h("help.arg.person"))],
    ) -> None:
        rt = _rt()
        with rt.store.transaction() as s:
            a = incidents.assign(s, rt.ctx, incidents.parse_id(incident_id), role, person)
            out.print(
                t(
                    "out.assigned",
                    rt.lang,
                    ref=f"INC-{a.incident_id}",
                    person=a.person_name,
                    role=a.role,
                    due=fmt(a.ack_due_at, rt.config.zone),
                ),
                style="bold",
            )
        rt.deliver()

    @app.command(help=h("help.ack"))
    def ack(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help=h("help.arg.id"))],
        role: Annotated[str, typer.Argument(metavar="ROLE", help=h("help.arg.role"))],
    ) -> None:
        rt = _rt()
        with rt.store.transaction() as s:
            # The holder, or a lead recording it for them (the timeline says who).
            a, changed = incidents.acknowledge(
                s, rt.ctx, incidents.parse_id(incident_id), role, for_others=rt.can("incident.update")
            )
            ref = f"INC-{a.incident_id}"
            if changed:
                out.print(t("out.acked", rt.lang, ref=ref, person=a.person_name, role=a.role), style="bold green")
            else:
                out.print(t("out.already_acked", rt.lang, ref=ref, role=a.role, at=fmt(a.acked_at, rt.config.zone)))

    @app.command(help=h("help.note"))
    def note(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help=h("help.arg.id"))],
        text: Annotated[str, typer.Argument(metavar="TEXT", help=h("help.arg.text"))],
    ) -> None:
        rt = _rt()
        with rt.store.transaction() as s:
            ev = incidents.add_note(s, rt.ctx, incidents.parse_id(incident_id), text)
            out.print(t("out.noted", rt.lang, ref=f"INC-{ev.incident_id}"))

    @app.command(help=h("help.update"))
    def update(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help=h("help.arg.id"))],
        severity: Annotated[
            Optional[str], typer.Option("--severity", "-s", help=h("help.opt.severity"), metavar="SEV")
        ] = None,
        title: Annotated[Optional[str], typer.Option("--title", "-t", help=h("help.opt.title"), metavar="TEXT")] = None,
        summary: SummaryOpt = None,
        impact: ImpactOpt = None,
        channel: ChannelOpt = None,
        region: RegionOpt = None,
        product: ProductOpt = None,
        started_at: StartedOpt = None,
        detected_at: DetectedOpt = None,
    ) -> None:
        rt = _rt()
        with rt.store.transaction() as s:
            iid = incidents.parse_id(incident_id)
            changed = incidents.update(
                s,
                rt.ctx,
                iid,
                severity=severity,
                title=title,
                summary=summary,
                impact=impact,
                channels=channel,
                regions=region,
                products=product,
                started_at=when(started_at),
                detected_at=when(detected_at),
            )
        if changed:
            out.print(t("out.updated", rt.lang, ref=f"INC-{iid}", fields=", ".join(changed)), style="bold")
        else:
            out.print(t("out.nothing_changed", rt.lang, ref=f"INC-{iid}"))
        rt.deliver()

    @app.command(help=h("help.escalate"))
    def escalate(as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False) -> None:
        rt = _rt()
        with rt.store.transaction() as s:
            done = escalation.sweep(s, rt.ctx)
        if as_json:
            print_json(out, [e.__dict__ for e in done])
        else:
            clocks = sum(1 for e in done if e.clock)
            said = t("out.escalated", rt.lang, roles=len(done) - clocks, clocks=clocks)
            out.print(said if done else t("out.no_escalation", rt.lang))
        rt.deliver()

    db_app = typer.Typer(help=h("help.db"), no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade", help=h("help.db.upgrade"))
    def db_upgrade() -> None:
        rt = _rt()
        store = Store(rt.database_url, migrate=False)
        done = upgrade(store.engine)  # waits, silently, for another process's migration
        url = store.engine.url.render_as_string(hide_password=True)
        if done.changed:
            out.print(t("out.db_upgraded", rt.lang, before=done.before or "—", after=done.after, url=url))
        else:
            out.print(t("out.db_at_head", rt.lang, rev=done.after, url=url))

    @db_app.command("current", help=h("help.db.current"))
    def db_current() -> None:
        rt = _rt()
        store = Store(rt.database_url, migrate=False)
        out.print(
            t(
                "out.db_current",
                rt.lang,
                url=store.engine.url.render_as_string(hide_password=True),
                rev=current_revision(store.engine) or "—",
                head=head_revision(store.engine),
            )
        )

    # link, merge; cover; webhooks; config check
    for register in (register_merge, register_cover, register_roster, register_webhooks, register_config):
        register(app, lang, _rt, out)
    register_watch(app, lang, _rt, out)
    register_lint(app, lang, _rt, out)
    register_wording(app, lang, _rt, out)
    register_kb(app, lang, _rt, out)  # the knowledge base
    register_remedy(app, lang, _rt, out)
    register_review(app, lang, _rt, out)
    register_slack(app, lang, _rt, out)
    register_users(app, lang, _rt, out)
    register_web(app, lang, _rt, out)  # web and serve
    guard.protect(app, _rt)  # every command's permission, checked before it runs
    return app


def _fail(text: str) -> None:
    # soft_wrap: one line, however long (a teaching error names a command to copy).
    make_console(stderr=True).print(text, style="bold red", markup=False, highlight=False, soft_wrap=True)
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _prescan_lang(argv)
    app = build_app(lang)
    debug = os.environ.get("INCIDENT_DEBUG", "").lower() in ("1", "true", "yes")
    command = typer.main.get_command(app)
    click_texts.localise(command, lang)  # Typer's own words (usage, -h) in the same language
    try:
        # Not standalone: usage errors come back here, to be said in the
        # user's language (Typer would print its English and exit).
        code = command.main(args=argv, prog_name="incident", standalone_mode=False)
    except SystemExit:
        raise
    except click_texts.UsageError as exc:
        make_console(stderr=True).print(
            click_texts.usage_error(exc, lang), markup=False, highlight=False, soft_wrap=True
        )
        sys.exit(2)
    except click_texts.Abort:
        _fail(t("cli.usage.aborted", lang))
    except IncidentError as exc:
        lang = _state["rt"].lang if "rt" in _state else lang
        _fail(t("cli.usage.error", lang, message=exc.message(lang)))
    except OperationalError as exc:
        if debug:
            raise
        url = _state["rt"].database_url if "rt" in _state else "?"
        shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
        reason = str(exc.orig or exc).strip().splitlines()[0]
        _fail(t("cli.usage.error", lang, message=t("error.db_unreachable", lang, url=shown, reason=reason)))
    except ArgumentError as exc:  # a database URL SQLAlchemy cannot use (bogus://, a missing driver)
        if debug:
            raise
        url = _state["rt"].database_url if "rt" in _state else "?"
        reason = str(exc).strip().splitlines()[0]
        _fail(t("cli.usage.error", lang, message=t("error.db_url", lang, url=url, reason=reason)))
    except (SQLAlchemyError, Exception) as exc:  # noqa: BLE001 — one line, never a traceback
        if debug:
            raise
        reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        _fail(t("cli.usage.error", lang, message=t("error.unexpected", lang, reason=reason)))
    if isinstance(code, int) and code:  # typer.Exit(code) from a command
        sys.exit(code)


if __name__ == "__main__":
    main()
