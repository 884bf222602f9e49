"""The watch half's texts (feed errors, complaint intake, signals), zh-CN
and en, registered into the one catalogue."""

from __future__ import annotations

from incident.i18n import CATALOG

WATCH_TEXTS: dict[str, tuple[str, str]] = {
    # ---- per-source feed errors: one clear sentence each ----------------
    "feed.error.scheme": (
        "地址 {url} 的协议是「{scheme}」；只支持 http 和 https",
        '{url} uses "{scheme}"; only http and https are fetched',
    ),
    "feed.error.url": ("地址 {url} 无效", "{url} is not a valid address"),
    "feed.error.dns": ("无法解析主机名 {host}：{reason}", "cannot resolve host {host}: {reason}"),
    "feed.error.private_address": (
        "主机 {host} 指向内网/本机地址 {address}，已拒绝（如确属可信内网源，请在配置中设置 allow_private = true）",
        "host {host} resolves to the private or loopback address {address}, "
        "which is refused (set allow_private = true for a trusted internal source)",
    ),
    "feed.error.auth_env": (
        "认证头所需的环境变量 {env} 未设置",
        "the environment variable {env} that holds the auth header is not set",
    ),
    "feed.error.http_status": ("服务器返回 HTTP {status}（{url}）", "the server answered HTTP {status} ({url})"),
    "feed.error.too_large": (
        "订阅内容超过 {limit} 字节上限，已放弃",
        "the feed is larger than the {limit}-byte limit and was abandoned",
    ),
    "feed.error.deadline": (
        "抓取未能在 {seconds} 秒内完成（域名解析、连接或下载），已放弃",
        "the fetch did not finish within {seconds} s (resolving, connecting or downloading); abandoned",
    ),
    "feed.error.timeout": ("连接或读取超时（{url}）", "connecting or reading timed out ({url})"),
    "feed.error.connect": ("无法连接 {url}：{reason}", "cannot connect to {url}: {reason}"),
    "feed.error.protocol": (
        "已连接 {url}，但服务器的回应不符合 HTTP 协议：{reason}",
        "connected to {url}, but the server's answer broke the HTTP protocol: {reason}",
    ),
    "feed.error.redirects": ("重定向超过 {limit} 次，已放弃", "more than {limit} redirects; abandoned"),
    "feed.error.content_encoding": (
        "服务器使用了不支持的压缩方式「{encoding}」（支持 gzip、deflate、br）",
        'the server used the unsupported content encoding "{encoding}" (gzip, deflate and br are supported)',
    ),
    "feed.error.private_redirect": (
        "重定向目标 {host} 指向内网/本机地址 {address}，已拒绝（allow_private 只对配置的地址 {configured} "
        "生效：同一协议、主机和端口）",
        "the redirect target {host} resolves to the private or loopback address {address}, which is refused "
        "(allow_private covers the configured origin {configured} only: the same scheme, host and port)",
    ),
    "feed.error.decompress": (
        "服务器发来的 {encoding} 压缩内容已损坏，无法解压：{reason}",
        "the server's {encoding}-compressed body is corrupt and cannot be decompressed: {reason}",
    ),
    "feed.error.decompress_truncated": (
        "服务器发来的 {encoding} 压缩内容不完整（压缩流未结束就中断了），已放弃",
        "the server's {encoding}-compressed body stops before the end of its compressed stream (cut off); abandoned",
    ),
    "feed.error.empty": ("服务器返回了空内容", "the server returned an empty document"),
    "feed.error.entities": (
        "订阅声明了 XML 实体（可能是实体炸弹或读取本地文件的外部实体），已拒绝",
        "the feed declares XML entities (an entity bomb or an external entity reading local files); refused",
    ),
    "feed.error.not_a_feed": ("内容不是 RSS/Atom 订阅：{reason}", "not an RSS or Atom feed: {reason}"),
    "feed.error.truncated": (
        "订阅内容不完整（在文档中途被截断）：{reason}",
        "the feed is truncated (cut off mid-document): {reason}",
    ),
    "feed.error.internal": (
        "处理该订阅时出现内部错误：{reason}",
        "internal error while handling this source: {reason}",
    ),
    # ---- feed parsing (incident/watch/feedparse.py and friends) ----------
    "feed.error.dtd": (
        "订阅的文档类型声明（DOCTYPE）无法识别，已拒绝",
        "the feed's document type declaration (DOCTYPE) could not be read; refused",
    ),
    "feed.warning.encoding_guessed": (
        "内容实际是 {encoding} 编码，而非声明的 {declared}；已按 {encoding} 解码",
        "the bytes are {encoding}, not the declared {declared}; decoded as {encoding}",
    ),
    "feed.warning.bytes_replaced": (
        "内容中有 {count} 处不是有效的 {encoding} 编码，已替换为 �",
        "{count} invalid {encoding} byte sequence(s) were replaced with �",
    ),
    "feed.warning.unknown_encoding": (
        "声明的编码 {declared} 无法识别，已忽略",
        "the declared encoding {declared} is unknown and was ignored",
    ),
    "feed.warning.not_compressed": (
        "服务器标注的压缩方式「{encoding}」实际并未压缩内容，已按原样读取",
        'the server labelled the body "{encoding}", but it is not compressed; it was read as it is',
    ),
    "feed.warning.malformed": (
        "订阅不是格式正确的 XML，已按宽松方式读取：{reason}",
        "the feed is not well-formed XML and was read leniently: {reason}",
    ),
    "watch.out.polling": ("轮询订阅源", "polling feeds"),
    # ---- signals ----------------------------------------------------------
    "watch.title.upstream": ("上游服务故障（{source}）：{title}", "Upstream incident ({source}): {title}"),
    "watch.title.surge": (
        "{kind:kind}：{series}激增（{since} 起 {observed} 件，预期 {baseline}）",
        "{kind:kind}: surge in {series} ({observed} since {since}, expected {baseline})",
    ),
    "watch.title.silence": ("异常静默：{series}", "Unusual silence: {series}"),
    "watch.title.level": ("连续多日偏高：{series}", "Several days above normal: {series}"),
    "watch.reason.upstream": (
        "上游状态页 {source}：「{title}」（状态：{status}）",
        'upstream status page {source}: "{title}" (status: {status})',
    ),
    "watch.reason.surge": (
        "{series}：观测 {observed}，基线 {baseline}，评分 {score}",
        "{series}: observed {observed}, baseline {baseline}, score {score}",
    ),
    "watch.reason.silence": (
        "{series}：应有约 {baseline} 件/桶，却持续为 0",
        "{series}: about {baseline} per bucket expected, but nothing for a sustained stretch",
    ),
    "watch.reason.level": (
        "{series}：连续多日日量 {observed}，常态约 {baseline}",
        "{series}: daily volume {observed} for several days, normally about {baseline}",
    ),
    "watch.series.complaints": ("投诉量", "complaints"),
    "watch.series.feeds": ("负面舆情", "negative mentions"),
    "watch.series.dimension": ("{family}（{dimension}={value}）", "{family} ({dimension}={value})"),
    "watch.dimension.category": ("类别", "category"),
    "watch.dimension.branch": ("网点", "branch"),
    "watch.dimension.channel": ("渠道", "channel"),
    "watch.dimension.topic": ("主题", "topic"),
    "watch.dimension.product": ("产品", "product"),
    "watch.error.no_series": (
        "没有名为「{key}」的序列（用 incident watch series 查看）",
        'no series named "{key}" (see incident watch series)',
    ),
    "watch.error.until_past": ("截止时间必须在将来", "the end time must be in the future"),
    "watch.error.pattern_empty": (
        "序列匹配模式不能为空（如 complaints/branch=*）",
        "the series pattern must not be empty (e.g. complaints/branch=*)",
    ),
    "watch.error.window_order": ("维护窗口的结束时间必须晚于开始时间", "a maintenance window must end after it starts"),
    "watch.error.reason_empty": ("请写明原因", "please give a reason"),
    "watch.error.unknown_feed": (
        "配置中没有名为「{name}」的订阅源（已配置：{names}）",
        'no feed named "{name}" in the configuration (configured: {names})',
    ),
    # ---- complaint intake -------------------------------------------------
    "complaint.error.missing": ("缺少字段 {field}", "field {field} is missing"),
    "complaint.error.time": (
        "时间「{value}」无法识别（例如 2026-11-24 10:05 或 2026-11-24T02:05:00Z）",
        'unreadable time "{value}" (e.g. 2026-11-24 10:05 or 2026-11-24T02:05:00Z)',
    ),
    "complaint.error.future": ("时间 {value} 在将来", "the time {value} is in the future"),
    "complaint.error.channel": (
        "未知渠道「{value}」；可选：{allowed}",
        'unknown channel "{value}"; use one of {allowed}',
    ),
    "complaint.error.type": (
        "未知诉求类型「{value}」；可选：{allowed}",
        'unknown request type "{value}"; use one of {allowed}',
    ),
    "complaint.error.too_long": ("字段 {field} 超过 {max} 个字符", "field {field} is longer than {max} characters"),
    "complaint.error.not_object": ("这一行不是 JSON 对象", "this line is not a JSON object"),
    "complaint.error.unreadable": ("无法读取：{reason}", "unreadable: {reason}"),
    "complaint.error.encoding": ("文件既不是 UTF-8 也不是 GBK 编码", "the file is neither UTF-8 nor GBK"),
    "complaint.error.json": ("不是有效的 JSON：{reason}", "not valid JSON: {reason}"),
    "complaint.error.header": (
        "CSV 表头缺少工单号列（external_id / ticket_id / 工单号）；现有列：{columns}",
        "the CSV header has no ticket id column (external_id / ticket_id / 工单号); columns: {columns}",
    ),
    "complaint.error.csv": ("CSV 格式错误：{reason}", "malformed CSV: {reason}"),
    "complaint.error.columns": (
        "列数不符：表头 {expected} 列，此行 {got} 列",
        "wrong number of cells: the header has {expected}, this row {got}",
    ),
    "complaint.error.format": (
        "不支持的文件格式「{fmt}」；请用 .csv 或 .jsonl",
        'unsupported file format "{fmt}"; use .csv or .jsonl',
    ),
    "complaint.error.no_file": ("文件 {path} 不存在", "file {path} does not exist"),
    "complaint.error.batch_size": (
        "一次最多提交 {max} 条工单（本次 {got} 条）",
        "at most {max} tickets per request (got {got})",
    ),
    "complaint.error.body": (
        "请求体应为 JSON 数组，或含 complaints 数组的对象",
        'the body must be a JSON array, or an object with a "complaints" array',
    ),
    # ---- backtest ----------------------------------------------------------
    "backtest.error.no_file": ("文件或目录 {path} 不存在", "{path} does not exist"),
    "backtest.error.header": (
        "{path}：需要 timestamp 和 value 两列（现有：{columns}）",
        "{path}: needs the columns timestamp and value (has: {columns})",
    ),
    "backtest.error.time": (
        "{path} 第 {line} 行：时间「{value}」无法识别",
        '{path} line {line}: unreadable timestamp "{value}"',
    ),
    "backtest.error.value": (
        "{path} 第 {line} 行：数值「{value}」不是数字",
        '{path} line {line}: value "{value}" is not a number',
    ),
    "backtest.error.order": (
        "{path} 第 {line} 行：时间未按升序排列",
        "{path} line {line}: timestamps are not in increasing order",
    ),
    "backtest.error.empty": ("{path} 没有数据行", "{path} has no data rows"),
    "backtest.error.detect": ("未知的检测器「{value}」；可选：{allowed}", 'unknown detector "{value}"; use {allowed}'),
    "backtest.error.no_csv": ("目录 {path} 中没有 .csv 文件", "no .csv files in {path}"),
    "backtest.error.out_not_dir": (
        "输入是目录时 --out 也必须是目录（{path} 是文件）",
        "when the input is a directory, --out must be one too ({path} is a file)",
    ),
    "api.error.token": (
        "缺少或错误的 API 令牌（Authorization: Bearer …）",
        "missing or wrong API token (Authorization: Bearer …)",
    ),
    "api.error.loopback_only": (
        "未设置 INCIDENT_API_TOKEN 时只接受本机请求",
        "without INCIDENT_API_TOKEN set, only requests from this machine are accepted",
    ),
    "config.topics_invalid": (
        "分类规则文件 {path}：键 `{key}` 有误：{reason}",
        "classification rules {path}: key `{key}`: {reason}",
    ),
}

CATALOG.update(WATCH_TEXTS)

# Intake review: a ticket time before 2000 is a broken export, not a ticket.
CATALOG.update(
    {
        "complaint.error.too_old": (
            "{field} 的时间 {value} 早于 {earliest}，不是有效的工单时间",
            "{field} {value} is before {earliest}: not a ticket's time",
        ),
    }
)
