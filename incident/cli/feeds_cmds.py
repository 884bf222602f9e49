"""CLI commands of the watch half: ``feeds`` (state and polling),
``complaints import`` and ``backtest`` (registered by incident/cli/watch_cmds.py,
after ``watch``)."""

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from incident.cli import watch_texts as _cli_watch_texts  # noqa: F401  (the CLI's watch texts)
from incident.cli.console import make_console
from incident.cli.render import print_json
from incident.cli.watch_common import poll_with_progress, show_polls
from incident.errors import InputError
from incident.i18n import t
from incident.models import FeedSourceState
from incident.runtime import Runtime
from incident.timeutil import fmt, iso_utc, parse_time
from incident.watch import jobs
from incident.watch import texts as _watch_texts  # noqa: F401
from incident.watch.backtest import DETECTORS, backtest_paths
from incident.watch.backtest import KINDS as SERIES_KINDS
from incident.watch.feedwarn import warning_text


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    # The commands are closures over the app's language (their help texts
    # are fixed when the app is built, one app per language: incident/cli/app.py),
    # hence one long function; each command in it is short.
    def h(key: str) -> str:
        return t(key, lang)

    JsonOpt = Annotated[bool, typer.Option("--json", help=h("help.opt.json"))]

    def say(text: str, style: Optional[str] = None) -> None:
        # Feed titles, ticket texts and our own "[feeds.<name>]" hints hold
        # square brackets: never let rich read them as markup.
        out.print(text, style=style, markup=False, highlight=False)

    def cells(*values: object) -> list[Text]:
        return [Text("" if v is None else str(v)) for v in values]

    def when(text: Optional[str]) -> dt.datetime | None:
        return parse_time(text, rt().config.zone, rt().clock) if text else None

    # ---- feeds --------------------------------------------------------------------
    feeds_app = typer.Typer(help=h("help.feeds"), invoke_without_command=True)
    app.add_typer(feeds_app, name="feeds")

    @feeds_app.callback()
    def feeds(ctx: typer.Context, as_json: JsonOpt = False) -> None:
        if ctx.invoked_subcommand is not None:
            return
        r = rt()
        with r.store.transaction() as s:
            states = {st.name: st for st in s.scalars(select(FeedSourceState))}
            rows: list[dict[str, Any]] = []
            for name, src in r.config.feeds.items():
                st = states.get(name)
                rows.append(
                    {
                        "name": name,
                        "url": src.url,
                        "kind": src.kind,
                        "language": src.language,
                        "enabled": src.enabled,
                        "last_success_at": iso_utc(st.last_success_at) if st else None,
                        "last_polled_at": iso_utc(st.last_polled_at) if st else None,
                        "consecutive_failures": st.consecutive_failures if st else 0,
                        "last_error": t(st.last_error_key, r.lang, **st.last_error_params)
                        if st and st.last_error_key
                        else None,
                        "last_error_at": iso_utc(st.last_error_at) if st else None,
                        "warnings": [warning_text(w, r.lang) for w in st.warnings] if st else [],
                        "entries_new": st.entries_new if st else 0,
                        "entries_updated": st.entries_updated if st else 0,
                        "_ok": st.last_success_at if st else None,
                    }
                )
        if as_json:
            print_json(out, [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows])
            return
        if not rows:
            say(t("out.no_feeds", r.lang), style="yellow")
            return
        table = Table()
        for col in (
            "col.feed",
            "col.feed_kind",
            "col.last_ok",
            "col.failures",
            "col.entries",
            "col.error",
            "col.warnings",
        ):
            table.add_column(t(col, r.lang))
        for row in rows:
            table.add_row(
                *cells(
                    row["name"],
                    row["kind"],
                    fmt(row["_ok"], r.config.zone) if row["_ok"] else "—",
                    str(row["consecutive_failures"]),
                    f"{row['entries_new']}/{row['entries_updated']}",
                    row["last_error"] or "",
                    "; ".join(row["warnings"])[:80],
                ),
                style="red" if row["consecutive_failures"] else None,
            )
        out.print(table)

    @feeds_app.command("poll", help=h("help.feeds.poll"))
    def feeds_poll(
        names: Annotated[Optional[list[str]], typer.Argument(metavar="NAME")] = None, as_json: JsonOpt = False
    ) -> None:
        r = rt()
        for name in names or []:
            if name not in r.config.feeds:
                raise InputError("watch.error.unknown_feed", name=name, names=", ".join(r.config.feeds) or "—")
        reports = poll_with_progress(r, names or None, as_json)
        r.deliver()
        if as_json:
            print_json(out, [rep.__dict__ for rep in reports])
            return
        show_polls(say, reports, r.lang)

    # ---- complaints ---------------------------------------------------------------
    complaints_app = typer.Typer(help=h("help.complaints"), no_args_is_help=True)
    app.add_typer(complaints_app, name="complaints")

    @complaints_app.command("import", help=h("help.complaints.import"))
    def complaints_import(
        path: Annotated[Path, typer.Argument(metavar="FILE", help=h("help.arg.file"))],
        fmt_: Annotated[Optional[str], typer.Option("--format", help=h("help.opt.format"), metavar="FORMAT")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        show = not as_json and sys.stderr.isatty()
        progress = Progress(
            TextColumn(t("out.importing", r.lang)),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=not show,
            transient=True,
        )
        with progress:
            task = progress.add_task("import", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = jobs.import_complaints(r.store, r.ctx, path, fmt=fmt_, progress=tick)
        errors = [{"line": e.line, "error": e.key, "message": t(e.key, r.lang, **e.params)} for e in report.errors]
        if as_json:
            print_json(
                out,
                {
                    "read": report.read,
                    "added": report.added,
                    "duplicates": report.duplicates,
                    "updated": report.updated,
                    "errors": errors,
                },
            )
        else:
            say(
                t(
                    "out.import_done",
                    r.lang,
                    read=report.read,
                    added=report.added,
                    duplicates=report.duplicates,
                    errors=len(errors),
                ),
                style="bold",
            )
            if report.updated:  # stored tickets whose service times this file brought
                say(t("out.import_updated", r.lang, n=report.updated))
            for e in errors[:20]:
                say(t("out.import_row_error", r.lang, line=e["line"], reason=e["message"]), style="red")
            if len(errors) > 20:
                say(t("out.import_more_errors", r.lang, n=len(errors) - 20), style="dim")
        if errors and not report.added and not report.duplicates:
            raise typer.Exit(1)

    # ---- backtest ----------------------------------------------------------------
    err = make_console(stderr=True)

    @app.command("backtest", help=h("help.backtest"))
    def backtest_cmd(
        src: Annotated[Path, typer.Argument(metavar="SERIES.csv", help=h("help.arg.series_csv"))],
        out_path: Annotated[Path, typer.Option("--out", "-o", help=h("help.opt.out"), metavar="ALERTS.csv")],
        plot: Annotated[Optional[Path], typer.Option("--plot", help=h("help.opt.plot"), metavar="CHART.svg")] = None,
        bucket_minutes: Annotated[
            Optional[float], typer.Option("--bucket-minutes", help=h("help.opt.bucket"), metavar="N")
        ] = None,
        detect: Annotated[str, typer.Option("--detect", help=h("help.opt.detect"), metavar="KINDS")] = "surge",
        kind: Annotated[
            str, typer.Option("--kind", help=h("help.opt.series_kind"), metavar="auto|counts|measure")
        ] = "auto",
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        kinds = (
            tuple(DETECTORS) if detect.strip() == "all" else tuple(k.strip() for k in detect.split(",") if k.strip())
        )
        for k in kinds:
            if k not in DETECTORS:
                raise InputError("backtest.error.detect", value=k, allowed=", ".join((*DETECTORS, "all")))
        if kind not in SERIES_KINDS:
            raise InputError("backtest.error.kind", value=kind, allowed=", ".join(SERIES_KINDS))
        if bucket_minutes is not None and bucket_minutes * 60 < 1:
            raise InputError("backtest.error.bucket", value=bucket_minutes)
        results = backtest_paths(
            src,
            out_path,
            plot,
            int(round(bucket_minutes * 60)) if bucket_minutes else None,
            r.config.detection.min_count,
            kinds,
            kind,
        )
        failed = [x for x in results if x.error is not None]
        if as_json:
            print_json(out, [_backtest_json(x, r.lang) for x in results])
        else:
            for x in results:
                _say_backtest(x, r.lang)
            if failed:
                err.print(
                    t("out.backtest_failed", r.lang, failed=len(failed), done=len(results) - len(failed)),
                    style="bold red",
                    markup=False,
                    soft_wrap=True,
                )
        if failed:
            raise typer.Exit(1)

    def _backtest_json(x: Any, lang: str) -> dict:
        if x.error is not None:
            return {"source": str(x.source), "error": x.error.message(lang)}
        return {
            "source": str(x.source),
            "out": str(x.out),
            "rows": x.rows,
            "alerts": x.alerts,
            "kind": x.kind,
            "bucket_seconds": x.bucket,
            "repairs": dataclasses.asdict(x.repairs),
            "plot": str(x.plot) if x.plot else None,
        }

    def _say_backtest(x: Any, lang: str) -> None:
        if x.error is not None:
            err.print(
                t("out.backtest_refused", lang, source=x.source, reason=x.error.message(lang)),
                style="red",
                markup=False,
                soft_wrap=True,
            )
            return
        bucket = f"{x.bucket // 60} min" if x.bucket % 60 == 0 else f"{x.bucket} s"
        kind = t(f"out.backtest_kind.{x.kind}", lang)
        say(
            t(
                "out.backtest_file",
                lang,
                source=x.source,
                out=x.out,
                rows=x.rows,
                alerts=x.alerts,
                kind=kind,
                bucket=bucket,
            )
        )
        if x.repairs:
            how = t(f"out.backtest_how.{x.kind}", lang)
            say(t("out.backtest_repaired", lang, how=how, **dataclasses.asdict(x.repairs)), style="yellow")
        if x.plot:
            say(t("out.backtest_plot", lang, plot=x.plot), style="dim")
