"""The watch CLI's texts (incident/cli/watch_cmds.py, feeds_cmds.py), zh-CN
and en, registered into the one catalogue on import."""

from incident.i18n import CATALOG

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
