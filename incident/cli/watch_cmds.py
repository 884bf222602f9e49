"""CLI commands of the watch half: ``watch``, ``feeds``, ``complaints``,
``backtest``. They run the same plain functions as the Prefect flows."""

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

from incident import incidents
from incident.cli.console import make_console
from incident.cli.render import print_json
from incident.errors import InputError
from incident.i18n import CATALOG, t
from incident.models import FeedSourceState, VolumePoint, VolumeSeries
from incident.runtime import Runtime
from incident.timeutil import fmt, iso_utc, parse_time
from incident.watch import jobs, replay, signals
from incident.watch import texts as _watch_texts  # noqa: F401
from incident.watch.backtest import DETECTORS, backtest_paths
from incident.watch.backtest import KINDS as SERIES_KINDS
from incident.watch.feedwarn import warning_text

CLI_WATCH_TEXTS: dict[str, tuple[str, str]] = {
    "help.watch": (
        "监测订阅源与投诉量，发现激增即开事件。\n\n"
        "  incident watch --once          抓取全部订阅源并为已结束的时间桶打分，一次后退出\n\n"
        "  incident watch                 按计划持续运行（Prefect 流程 watch-feeds / watch-volumes）\n\n"
        "  incident watch replay --from 2026-10-01   把导入的历史工单回放进序列（学基线，不开事件）\n\n"
        "  incident watch series          查看各序列与静默状态\n\n"
        '  incident watch snooze complaints/branch=杭州 --until "2026-11-25 18:00" --reason "网点搬迁"',
        "Watch feeds and complaint volumes; open an incident on a surge.\n\n"
        "  incident watch --once          poll every feed and score the closed buckets once, then exit\n\n"
        "  incident watch                 keep running on schedule (Prefect flows watch-feeds / watch-volumes)\n\n"
        "  incident watch replay --from 2026-10-01   replay imported tickets into the series (learn, open nothing)\n\n"
        "  incident watch series          the series and their snoozes\n\n"
        '  incident watch snooze complaints/branch=Hangzhou --until "2026-11-25 18:00" --reason "branch moving"',
    ),
    "help.watch.once": ("只运行一次后退出", "run once and exit"),
    "help.watch.replay": (
        "把已存的投诉（与计入的订阅条目）按时间顺序回放进线上序列状态，让新装系统从学好的基线开始。"
        "按天推进并显示进度；可重复运行（已打分的时间桶不再打分，之后的 incident watch --once 也不会）。"
        "默认不为过去开任何事件；--drill 也不开，只列出当时会开的事件（时间、类型、序列、观测/基线、合并键）；"
        "--open 真的开（仅用于有意的演练）。--drill 是空跑：不留下任何状态，之后仍可正式回放同一时段。\n\n"
        '  incident watch replay --from 2026-10-01 --to "2026-11-24 08:00" --drill',
        "Replay stored complaints (and counted feed entries) through the live series state in time order, so a "
        "new install starts from a learnt baseline. Goes a day at a time and shows progress; safe to run again "
        "(a bucket already scored is never scored again, nor by incident watch --once after it). Opens no "
        "incident for the past by default; --drill opens none either but lists what would have been opened "
        "(time, kind, series, observed vs baseline, merge key); --open really opens them (for a deliberate "
        "exercise only). A drill is a dry run: it leaves nothing behind, and the span can be replayed after it.\n\n"
        '  incident watch replay --from 2026-10-01 --to "2026-11-24 08:00" --drill',
    ),
    "help.opt.replay_from": (
        '从何时开始（中心时区，如 2026-10-01 或 "2026-10-01 08:00"）',
        'replay from (centre time, e.g. 2026-10-01 or "2026-10-01 08:00")',
    ),
    "help.opt.replay_to": ("到何时为止（默认现在）", "replay until (default now)"),
    "help.opt.drill": (
        "演练：不开事件，列出当时会开的事件与时间",
        "drill: open nothing, list what would have been opened and when",
    ),
    "help.opt.open": (
        "真的为过去的告警开事件（有意的演练；默认不开）",
        "really open incidents for the past alerts (a deliberate exercise; off by default)",
    ),
    "help.watch.feeds_only": ("只抓取订阅源", "poll the feeds only"),
    "help.watch.volumes_only": ("只为投诉/舆情量打分", "score the volumes only"),
    "help.watch.series": (
        "列出量序列：最近一个桶的数值、基线与静默状态",
        "list the volume series: last bucket, baseline, snooze",
    ),
    "help.watch.snooze": (
        "在一段时间内静默某序列（告警只记录，不开事件）",
        "silence a series for a while (alerts recorded, no incident opened)",
    ),
    "help.watch.unsnooze": ("取消静默", "end a snooze"),
    "help.watch.maintenance": (
        "登记维护窗口：期间匹配的序列只记录告警（模式如 complaints/channel=app 或 complaints*）",
        "register a maintenance window: matching series only record alerts meanwhile (pattern e.g. "
        "complaints/channel=app or complaints*)",
    ),
    "help.watch.signals": (
        "最近的信号：序列、观测值、基线、评分与处理结果",
        "recent signals: series, observed, baseline, score and what became of them",
    ),
    "help.arg.series": ("序列名（见 incident watch series）", "series key (see incident watch series)"),
    "help.arg.pattern": ("序列匹配模式（可用 * 通配）", "series pattern (* matches anything)"),
    "help.opt.until_req": (
        '到何时为止（中心时区，如 "2026-11-25 18:00"）',
        'until when (centre time, e.g. "2026-11-25 18:00")',
    ),
    "help.opt.start": ("开始时间（默认现在）", "start time (default now)"),
    "help.opt.end": ("结束时间", "end time"),
    "help.opt.reason": ("原因（记入记录）", "reason (kept on record)"),
    "help.opt.incident_filter": ("只看某事件的信号", "only the signals of this incident"),
    "help.feeds": (
        "订阅源与健康状况：最近成功、最近错误、连续失败次数、解析警告",
        "feed sources and their health: last success, last error, consecutive failures, parser warnings",
    ),
    "help.feeds.poll": ("立即抓取一个或全部订阅源", "poll one or every source now"),
    "help.complaints": ("投诉工单：导入与查看", "complaint tickets: import and inspect"),
    "help.complaints.import": (
        "从 CSV 或 JSONL 文件导入工单。坏行按行号报告，好行照常保存；按工单号去重，可重复运行。\n\n"
        "列：external_id（工单号）, received_at（时间）, channel（phone/chat/email/social/app）, "
        "request_type（咨询/投诉/建议/紧急/其他）, category, branch, product, text, customer_ref, customer_name, "
        "contact（只保留后 4 位）。也接受中文列名（工单号、时间、渠道……）。",
        "Import tickets from a CSV or JSONL file. Bad rows are reported with their line numbers and the good ones "
        "kept; tickets are unique by their id, so running it again is safe.\n\n"
        "Columns: external_id, received_at, channel (phone/chat/email/social/app), request_type "
        "(咨询/投诉/建议/紧急/其他 or consultation/complaint/suggestion/urgent/other), category, branch, product, "
        "text, customer_ref, customer_name, contact (kept as the last 4 digits only). Chinese column names "
        "(工单号, 时间, 渠道 …) work too.",
    ),
    "help.arg.file": ("CSV 或 JSONL 文件", "CSV or JSONL file"),
    "help.opt.format": (
        "文件格式 csv 或 jsonl（默认按扩展名）",
        "file format, csv or jsonl (default: from the extension)",
    ),
    "help.backtest": (
        "用线上同一个检测器回放历史序列。输入 CSV 列为 timestamp,value；输出 timestamp,value,score,alert，"
        "保留每一输入行、按输入顺序，alert=1 标在会新开告警的时间桶的第一行。"
        "行可乱序（按时间稳定排序）、可有重复或不规则的时间与空缺；落在同一时间桶的行合并："
        "计数求和，测量值取平均。被拒的文件（时间无法识别、数值不是有限数、没有数据行）报出文件、行号与原因。"
        "输入为目录时（含子目录），输出到目录，每个序列一个文件（子目录名作前缀）；坏文件报告后其余照常运行，最后以非零状态退出。",
        "Run the live detector over a historical series. Input CSV: timestamp,value; output: "
        "timestamp,value,score,alert, every input row in input order, alert=1 on the first row of the bucket where "
        "a new alert would be raised. Rows may be out of order (sorted, stably), with duplicate or irregular "
        "timestamps and gaps; rows that fall in one bucket are merged: summed for counts, averaged for measures. "
        "A refused file (unreadable time, a value that is not a finite number, no rows) is named with its line "
        "and the reason. A directory in (subdirectories too) gives a directory out, one file per series "
        "(subdirectory names as a prefix); a bad file is reported, the others still run, and the exit status is "
        "non-zero at the end.",
    ),
    "help.arg.series_csv": ("序列 CSV 文件或目录", "series CSV file or directory"),
    "help.opt.out": ("输出 CSV 文件（或目录）", "output CSV file (or directory)"),
    "help.opt.plot": (
        "同时画 SVG 图：序列、基线与告警（输入为目录时为目录）",
        "also draw an SVG chart: series, baseline, alerts (a directory when the input is one)",
    ),
    "help.opt.detect": (
        "标记哪些告警：surge（激增，默认）、silence（静默）、level（连日偏高），逗号分隔，或 all",
        "which alerts to mark: surge (default), silence, level — comma-separated — or all",
    ),
    "help.opt.bucket": ("时间桶分钟数（默认由数据推断）", "bucket length in minutes (default: inferred from the data)"),
    "help.opt.series_kind": (
        "序列类型：auto（默认：全部为非负整数，且有零值或波动与泊松计数相当时为计数，否则为测量值，"
        "如车速、耗时）、counts（计数，同桶求和，与线上检测相同）、measure（测量值，如 CPU、时延，同桶取平均，"
        "涨跌都报）",
        "series kind: auto (default: counts when every value is a non-negative integer and there are zeros or "
        "the noise is about a Poisson count's, else measure, e.g. a speed or a duration), counts (rows in one "
        "bucket are summed; what the live system runs), measure (CPU, latency …: rows in one bucket are "
        "averaged; rises and drops)",
    ),
    # ---- output -------------------------------------------------------------
    "out.poll_ok": (
        "{source}：{entries} 条，新增 {new}，更新 {updated}，信号 {signals}",
        "{source}: {entries} entries, {new} new, {updated} updated, {signals} signals",
    ),
    "out.poll_304": ("{source}：未变化（304）", "{source}: not modified (304)"),
    "out.poll_failed": ("{source}：失败——{error}", "{source}: failed — {error}"),
    "out.scored": (
        "打分：{series} 个序列、{buckets} 个时间桶；告警 {alerts}，新开事件 {opened}，关联 {attached}，静默 {silenced}",
        "scored {series} series, {buckets} buckets; {alerts} alerts, {opened} incidents opened, {attached} attached, "
        "{silenced} silenced",
    ),
    "out.opened": ("已开事件 INC-{id}：{title}", "opened INC-{id}: {title}"),
    "out.too_old": (
        "有 {n} 条工单早于回溯窗口（{days} 天）而未打分。要让序列从历史学起，请在开始监测前"
        "（新数据库上）运行 incident watch replay --from 时间（序列只向前推进）",
        "{n} tickets are older than the backfill window ({days} days) and were not scored. To learn from "
        "history, run incident watch replay --from TIME before watching starts, on a new database (series only "
        "move forward)",
    ),
    "out.replay_day": (
        "{day}：{series} 个序列、{buckets} 个时间桶，告警 {alerts}",
        "{day}: {series} series, {buckets} buckets, {alerts} alerts",
    ),
    "out.replay_done": (
        "回放完成：{buckets} 个时间桶，告警 {alerts}（{what}）；序列已打分至 {until}",
        "replay done: {buckets} buckets, {alerts} alerts ({what}); series scored up to {until}",
    ),
    "out.replay_quiet": ("只用于学习，未开事件", "learnt from, no incident opened"),
    "out.replay_drill": ("演练：以下为当时会开的事件", "drill: what would have been opened is listed below"),
    "out.replay_open": ("已按线上处理", "raised as if live"),
    "out.replay_nothing": (
        "没有可回放的：所有序列已打分至 {until}（回放只能在其之后进行）",
        "nothing to replay: every series is scored up to {until} (a replay can only go on from there)",
    ),
    "out.replay_skipped": (
        "注意：部分序列已打分至 {until}，更早的时间桶不再回放",
        "note: some series are already scored up to {until}; earlier buckets are not replayed",
    ),
    "col.dedup": ("合并键", "merge key"),
    "out.no_feeds": (
        "配置中没有订阅源（[feeds.<名称>]，见 examples/incident.toml）",
        "no feeds configured ([feeds.<name>], see examples/incident.toml)",
    ),
    "out.no_series": (
        "还没有量序列：导入投诉或抓取订阅后运行 incident watch --once",
        "no series yet: import complaints or poll feeds, then run incident watch --once",
    ),
    "out.snoozed": ("{key} 已静默至 {until}", "{key} snoozed until {until}"),
    "out.unsnoozed": ("{key} 已取消静默", "{key} is no longer snoozed"),
    "out.maintenance_added": (
        "已登记维护窗口 #{id}：{pattern}，{start} — {end}",
        "maintenance window #{id}: {pattern}, {start} — {end}",
    ),
    "out.no_signals": ("没有信号", "no signals"),
    "out.import_done": (
        "读取 {read} 行：新增 {added}，重复 {duplicates}，错误 {errors}",
        "read {read} rows: {added} added, {duplicates} duplicates, {errors} errors",
    ),
    "out.import_updated": (
        "其中 {n} 张已有工单补上了服务时间（首次响应、解决、满意度）",
        "{n} of the stored tickets got their service times (first response, resolution, satisfaction)",
    ),
    "out.import_row_error": ("第 {line} 行：{reason}", "line {line}: {reason}"),
    "out.import_more_errors": (
        "……另有 {n} 行错误（--json 查看全部）",
        "… and {n} more bad rows (--json lists them all)",
    ),
    "out.importing": ("导入中", "importing"),
    "out.backtest_file": (
        "{source} → {out}：{rows} 行，{alerts} 次告警（{kind}，时间桶 {bucket}）",
        "{source} → {out}: {rows} rows, {alerts} alerts ({kind}, {bucket} buckets)",
    ),
    "out.backtest_kind.counts": ("计数", "counts"),
    "out.backtest_kind.measure": ("测量值", "measure"),
    "out.backtest_repaired": (
        "  已修正：{unordered} 行乱序已排序，{merged} 行与同桶的行合并（{how}），{gaps} 处空缺共 {missing} 个时间桶",
        "  repaired: {unordered} rows out of order sorted, {merged} rows merged into a bucket with another ({how}), "
        "{gaps} gaps with {missing} empty buckets",
    ),
    "out.backtest_how.counts": ("求和", "summed"),
    "out.backtest_how.measure": ("取平均", "averaged"),
    "out.backtest_refused": ("{source}：已拒绝——{reason}", "{source}: refused — {reason}"),
    "out.backtest_failed": (
        "{failed} 个文件被拒（见上），其余 {done} 个已完成",
        "{failed} files refused (see above), the other {done} done",
    ),
    "out.backtest_plot": ("图：{plot}", "chart: {plot}"),
    "out.serve_hint": (
        "持续监测由 Prefect 调度：运行 python -m incident_flows.watch（或 incident serve）。"
        "单次运行请用 incident watch --once。",
        "Continuous watching is scheduled by Prefect: run python -m incident_flows.watch (or incident serve). "
        "For one run use incident watch --once.",
    ),
    "col.feed": ("订阅源", "source"),
    "col.feed_kind": ("类型", "kind"),
    "col.last_ok": ("最近成功", "last success"),
    "col.failures": ("连续失败", "failures"),
    "col.error": ("最近错误", "last error"),
    "col.entries": ("新增/更新", "new/updated"),
    "col.warnings": ("解析警告", "parser warnings"),
    "col.series": ("序列", "series"),
    "col.next": ("下一个桶", "next bucket"),
    "col.last": ("最近值", "last"),
    "col.baseline": ("基线", "baseline"),
    "col.snooze": ("静默至", "snoozed until"),
    "col.at": ("时间", "at"),
    "col.observed": ("观测", "observed"),
    "col.score": ("评分", "score"),
    "col.action": ("处理", "action"),
    "col.incident": ("事件", "incident"),
    "action.opened": ("新开事件", "opened"),
    "action.attached": ("关联已有事件", "attached"),
    "action.silenced": ("已静默", "silenced"),
    "action.recorded": ("仅记录", "recorded"),
    "action.pending": ("处理中", "pending"),
}
CATALOG.update(CLI_WATCH_TEXTS)


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
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

    def error_text(key: Optional[str], params: dict, lang_: str) -> str:
        return t(key, lang_, **params) if key else ""

    def show_polls(reports: list, lang_: str) -> None:
        for rep in reports:
            if not rep.ok:
                say(
                    t(
                        "out.poll_failed",
                        lang_,
                        source=rep.source,
                        error=error_text(rep.error_key, rep.error_params, lang_),
                    ),
                    style="red",
                )
            elif rep.not_modified:
                say(t("out.poll_304", lang_, source=rep.source))
            else:
                say(
                    t(
                        "out.poll_ok",
                        lang_,
                        source=rep.source,
                        entries=rep.entries,
                        new=rep.new,
                        updated=rep.updated,
                        signals=rep.signals,
                    )
                )

    def poll_with_progress(r: Any, names: list[str] | None, as_json: bool) -> list:
        """poll_all with a progress bar on stderr (a terminal only: sources
        are stored as they arrive, so a long poll shows how far it is)."""
        progress = Progress(
            TextColumn(t("watch.out.polling", r.lang)),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=as_json or not sys.stderr.isatty(),
            transient=True,
        )
        with progress:
            task = progress.add_task("poll", total=len(names or r.config.feeds))

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return jobs.poll_all(r.store, r.ctx, names, progress=tick)

    # ---- watch ------------------------------------------------------------------
    watch_app = typer.Typer(help=h("help.watch"), invoke_without_command=True)
    app.add_typer(watch_app, name="watch")

    @watch_app.callback()
    def watch(
        ctx: typer.Context,
        once: Annotated[bool, typer.Option("--once", help=h("help.watch.once"))] = False,
        feeds_only: Annotated[bool, typer.Option("--feeds-only", help=h("help.watch.feeds_only"))] = False,
        volumes_only: Annotated[bool, typer.Option("--volumes-only", help=h("help.watch.volumes_only"))] = False,
        as_json: JsonOpt = False,
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        r = rt()
        if not once:
            say(t("out.serve_hint", r.lang))
            raise typer.Exit(0)
        result: dict = {"feeds": [], "volumes": None}
        if not volumes_only:
            reports = poll_with_progress(r, None, as_json)
            result["feeds"] = [rep.__dict__ for rep in reports]
            if not as_json:
                if not r.config.feeds:
                    say(t("out.no_feeds", r.lang), style="yellow")
                show_polls(reports, r.lang)
        if not feeds_only:
            vrep = jobs.score_volumes(r.store, r.ctx)
            result["volumes"] = vrep.__dict__
            if not as_json:
                say(
                    t(
                        "out.scored",
                        r.lang,
                        series=vrep.series,
                        buckets=vrep.buckets,
                        alerts=vrep.alerts,
                        opened=len(set(vrep.opened)),
                        attached=len(vrep.attached),
                        silenced=vrep.silenced,
                    )
                )
                if vrep.too_old:
                    days = r.config.detection.backfill_days
                    say(t("out.too_old", r.lang, n=vrep.too_old, days=days), style="yellow")
        r.deliver()
        if as_json:
            print_json(out, result)
            return
        opened = set(result["volumes"]["opened"] if result["volumes"] else [])
        opened.update(i for rep in result["feeds"] for i in rep["opened"])
        with r.store.transaction() as s:
            for iid in sorted(opened):
                inc = incidents.get(s, iid)
                say(t("out.opened", r.lang, id=inc.id, title=inc.title), style="bold red")

    @watch_app.command("replay", help=h("help.watch.replay"))
    def replay_cmd(
        start: Annotated[str, typer.Option("--from", help=h("help.opt.replay_from"), metavar="TIME")],
        end: Annotated[Optional[str], typer.Option("--to", help=h("help.opt.replay_to"), metavar="TIME")] = None,
        drill: Annotated[bool, typer.Option("--drill", help=h("help.opt.drill"))] = False,
        open_: Annotated[bool, typer.Option("--open", help=h("help.opt.open"))] = False,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        if drill and open_:
            raise InputError("watch.error.replay_modes")
        since, until = replay.parse_span(start, end, r.ctx)
        mode: Any = "drill" if drill else ("open" if open_ else "quiet")
        before = replay.scored_until(r.store)

        def day_done(d: replay.DayDone) -> None:
            if not as_json:
                say(t("out.replay_day", r.lang, day=d.day, series=d.series, buckets=d.buckets, alerts=d.alerts))

        rep = replay.replay(r.store, r.ctx, since, until, mode=mode, progress=day_done)
        after = replay.scored_until(r.store)
        if as_json:
            data = {k: v for k, v in rep.__dict__.items() if k != "too_old"}
            print_json(out, {**data, "mode": mode, "scored_until": iso_utc(after)})
            return
        if before is not None and before > since:
            key = "out.replay_nothing" if not rep.buckets else "out.replay_skipped"
            say(t(key, r.lang, until=fmt(before, r.config.zone)), style="yellow")
        what = t(f"out.replay_{mode}", r.lang)
        shown = fmt(after, r.config.zone) if after else "—"
        say(t("out.replay_done", r.lang, buckets=rep.buckets, alerts=rep.alerts, what=what, until=shown), style="bold")
        if rep.drill:
            table = Table()
            for col in ("col.at", "col.kind", "col.series", "col.observed", "col.baseline", "col.dedup"):
                table.add_column(t(col, r.lang))
            for row in rep.drill:
                table.add_row(
                    *cells(
                        fmt(dt.datetime.fromisoformat(row["at"]), r.config.zone),
                        row["kind"],
                        row["series"],
                        f"{row['observed']:g}",
                        f"{row['baseline']:.1f}",
                        row["dedup_key"],
                    )
                )
            out.print(table)
        with r.store.transaction() as s:
            for iid in sorted(set(rep.opened)):
                inc = incidents.get(s, iid)
                say(t("out.opened", r.lang, id=inc.id, title=inc.title), style="bold red")

    @watch_app.command("series", help=h("help.watch.series"))
    def series(as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.transaction() as s:
            rows = []
            for vs in s.scalars(select(VolumeSeries).order_by(VolumeSeries.key)):
                last = s.scalars(
                    select(VolumePoint)
                    .where(VolumePoint.series_id == vs.id)
                    .order_by(VolumePoint.bucket_start.desc())
                    .limit(1)
                ).one_or_none()
                rows.append(
                    {
                        "key": vs.key,
                        "next_bucket_at": iso_utc(vs.next_bucket_at),
                        "last_value": last.value if last else None,
                        "baseline": round(last.baseline, 2) if last else None,
                        "snoozed_until": iso_utc(vs.snoozed_until),
                        "snooze_reason": vs.snooze_reason,
                    }
                )
        if as_json:
            print_json(out, rows)
            return
        if not rows:
            say(t("out.no_series", r.lang))
            return
        table = Table(show_lines=False)
        for col in ("col.series", "col.last", "col.baseline", "col.next", "col.snooze"):
            table.add_column(t(col, r.lang))
        for row in rows:
            snooze = ""
            if row["snoozed_until"]:
                snooze = f"{row['snoozed_until']} {row['snooze_reason'] or ''}"
            table.add_row(
                *cells(
                    row["key"],
                    "" if row["last_value"] is None else f"{row['last_value']:g}",
                    "" if row["baseline"] is None else f"{row['baseline']:g}",
                    row["next_bucket_at"] or "",
                    snooze,
                )
            )
        out.print(table)

    @watch_app.command("snooze", help=h("help.watch.snooze"))
    def snooze(
        key: Annotated[str, typer.Argument(metavar="SERIES", help=h("help.arg.series"))],
        until: Annotated[str, typer.Option("--until", help=h("help.opt.until_req"), metavar="TIME")],
        reason: Annotated[str, typer.Option("--reason", help=h("help.opt.reason"), metavar="TEXT")] = "",
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            vs = signals.snooze(s, r.ctx, key, parse_time(until, r.config.zone, r.clock), reason)
            say(t("out.snoozed", r.lang, key=vs.key, until=fmt(vs.snoozed_until, r.config.zone)), style="bold")

    @watch_app.command("unsnooze", help=h("help.watch.unsnooze"))
    def unsnooze(key: Annotated[str, typer.Argument(metavar="SERIES", help=h("help.arg.series"))]) -> None:
        r = rt()
        with r.store.transaction() as s:
            vs = signals.unsnooze(s, r.ctx, key)
            say(t("out.unsnoozed", r.lang, key=vs.key))

    @watch_app.command("maintenance", help=h("help.watch.maintenance"))
    def maintenance(
        pattern: Annotated[str, typer.Argument(metavar="PATTERN", help=h("help.arg.pattern"))],
        end: Annotated[str, typer.Option("--end", help=h("help.opt.end"), metavar="TIME")],
        reason: Annotated[str, typer.Option("--reason", help=h("help.opt.reason"), metavar="TEXT")],
        start: Annotated[Optional[str], typer.Option("--start", help=h("help.opt.start"), metavar="TIME")] = None,
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            ends = parse_time(end, r.config.zone, r.clock)
            w = signals.add_maintenance(s, r.ctx, pattern, when(start) or r.clock.now(), ends, reason)
            say(
                t(
                    "out.maintenance_added",
                    r.lang,
                    id=w.id,
                    pattern=w.pattern,
                    start=fmt(w.starts_at, r.config.zone),
                    end=fmt(w.ends_at, r.config.zone),
                ),
                style="bold",
            )

    @watch_app.command("signals", help=h("help.watch.signals"))
    def signals_(
        incident_id: Annotated[
            Optional[str], typer.Option("--incident", help=h("help.opt.incident_filter"), metavar="ID")
        ] = None,
        limit: Annotated[int, typer.Option(help=h("help.opt.limit"), metavar="N")] = 50,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        with r.store.transaction() as s:
            iid = incidents.parse_id(incident_id) if incident_id else None
            rows = signals.list_signals(s, limit=limit or 1_000_000, incident_id=iid)
            data = [
                {
                    "id": x.id,
                    "series": x.series_key,
                    "bucket": iso_utc(x.bucket_start),
                    "kind": x.kind,
                    "severity": x.severity,
                    "direction": x.direction,
                    "observed": x.observed,
                    "baseline": x.baseline,
                    "score": x.score,
                    "action": x.action,
                    "incident": x.incident_id,
                    "reason": t(x.detail.get("reason_key", ""), r.lang, **(x.detail.get("reason_params") or {})),
                    "samples": x.detail.get("samples", []),
                }
                for x in rows
            ]
        if as_json:
            print_json(out, data)
            return
        if not data:
            say(t("out.no_signals", r.lang))
            return
        table = Table()
        for col in ("col.at", "col.series", "col.observed", "col.baseline", "col.score", "col.action", "col.incident"):
            table.add_column(t(col, r.lang))
        for d, x in zip(data, rows, strict=True):
            table.add_row(
                *cells(
                    fmt(x.bucket_start, r.config.zone),
                    d["series"],
                    f"{d['observed']:g}",
                    f"{d['baseline']:.1f}",
                    f"{d['score']:.3f}",
                    t(f"action.{d['action']}", r.lang),
                    f"INC-{d['incident']}" if d["incident"] else "",
                )
            )
        out.print(table)

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
        show_polls(reports, r.lang)

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
