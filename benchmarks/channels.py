"""Channel checks: median time to measure and check one statement on every
channel (``python -m benchmarks.channels``).

Rendering one statement for every channel must take under 10 ms; these
checks run on the rendered strings and must be a small part of that. The
statements are of realistic length: a Weibo post past the fold with its
essentials, a 3-segment SMS, a 4-field WeChat message, an X post with a
link, an e-mail with subject, text and HTML, and the status-page HTML.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident.config import ChannelLimits  # noqa: E402
from incident.wording.channels import (  # noqa: E402
    check_email,
    check_sms,
    check_status_page,
    check_text,
    check_wechat,
    check_weibo,
    check_x,
)

LIMITS = ChannelLimits()
URL = "https://status.example.com/incidents/12"
CAUSE = "核心支付系统数据库升级后出现连接异常"
SUPPORT = "客服热线专席"

ZH = {
    "weibo": (
        f"【情况说明】11月24日10:00起，部分客户在APP登录和支付时遇到失败。原因：{CAUSE}。"
        f"如需帮助，请通过{SUPPORT}或在线客服联系我们，我们将优先处理。技术团队已定位问题并正在修复，"
        f"预计12:00前恢复。给您带来的不便，我们深表歉意。"
        f"受影响期间产生的重复扣款将在3个工作日内原路退回，无需另行申请；如仍有疑问，请保留订单号，"
        f"客服人员会逐一核实处理。后续进展将在本账号和状态页同步更新：{URL} "
        "我们会持续关注，每小时更新一次处理进展，直至服务完全恢复。再次感谢您的耐心与理解。"
    ),
    "sms": (
        f"您好，11月24日10:00起APP登录和支付出现故障，原因是{CAUSE}，预计12:00前恢复。"
        f"重复扣款将在3个工作日内原路退回。如需帮助请联系{SUPPORT}。详情：{URL}"
    ),
    "wechat": {
        "first": "APP登录和支付故障通知",
        "keyword1": "支付系统数据库连接异常",
        "keyword2": "2026-11-24 10:00",
        "keyword3": "预计12:00前恢复",
        "remark": "如需帮助请联系客服热线专席",
    },
    "x": f"【情况说明】APP登录和支付故障：{CAUSE}，预计12:00前恢复。重复扣款3个工作日内退回。如需帮助请联系{SUPPORT}。进展：{URL}",
    "email": (
        "【情况说明】APP登录和支付故障（INC-12）",
        "您好：\n\n11月24日10:00起……（正文）\n" * 8,
        "<html><body><h1>情况说明</h1>"
        + "<p>11月24日10:00起，部分客户在APP登录和支付时遇到失败。</p>" * 8
        + f'<p><a href="{URL}">查看进展</a></p></body></html>',
    ),
    "status_page": "<article><h2>APP登录和支付故障</h2>"
    + "<p>技术团队已定位问题并正在修复，预计12:00前恢复。</p>" * 10
    + "</article>",
}

EN = {
    "weibo": (
        "Since 10:00 on 24 November some customers cannot log in or pay in the app. Cause: a database upgrade "
        "of the core payment system. For help, use our dedicated support line. Double charges are refunded "
        f"within 3 working days. Updates: {URL} " * 2
    ),
    "sms": f"Since 10:00 some customers cannot log in or pay in the app; we expect to recover by 12:00. Updates: {URL}",
    "wechat": {
        "first": "App login outage",
        "keyword1": "Payment DB upgrade",
        "keyword2": "2026-11-24 10:00",
        "keyword3": "Fixed by 12:00",
        "remark": "Call our hotline",
    },
    "x": f"App login and payments failing since 10:00 after a database upgrade; fix expected by 12:00. "
    f"Double charges refunded within 3 working days. Updates: {URL} 🙏",
    "email": (
        "App login and payment outage (INC-12)",
        "Hello,\n\nSince 10:00 … (body)\n" * 8,
        "<html><body><h1>Statement</h1>"
        + "<p>Since 10:00 some customers cannot log in.</p>" * 8
        + f'<p><a href="{URL}">Updates</a></p></body></html>',
    ),
    "status_page": "<article><h2>App outage</h2>"
    + "<p>The team has found the fault and is fixing it.</p>" * 10
    + "</article>",
}


def all_channels(s: dict, essentials: tuple[str, ...]) -> int:
    n = 0
    n += len(check_weibo(s["weibo"], LIMITS, essentials).findings)
    n += len(check_sms(s["sms"], LIMITS).findings)
    n += len(check_wechat(s["wechat"], LIMITS).findings)
    n += len(check_x(s["x"], LIMITS).findings)
    n += len(check_email(*s["email"], LIMITS).findings)
    n += len(check_status_page(s["status_page"]).findings)
    return n


def median_us(fn, rounds: int = 15, inner: int = 200) -> float:
    """Median over ``rounds`` of the mean of ``inner`` calls, in µs."""
    fn()
    runs = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        runs.append((time.perf_counter() - t) / inner)
    return statistics.median(runs) * 1e6


def run() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    zh_ess, en_ess = (CAUSE, SUPPORT), ("database upgrade", "support line")
    for label, s, ess in (("zh-CN", ZH, zh_ess), ("en", EN, en_ess)):
        per = {
            "weibo (with 2 essentials)": lambda s=s, ess=ess: check_weibo(s["weibo"], LIMITS, ess),
            "sms": lambda s=s: check_sms(s["sms"], LIMITS),
            "wechat (5 fields)": lambda s=s: check_wechat(s["wechat"], LIMITS),
            "x": lambda s=s: check_x(s["x"], LIMITS),
            "email (subject, text, html)": lambda s=s: check_email(*s["email"], LIMITS),
            "status page": lambda s=s: check_status_page(s["status_page"]),
        }
        for name, fn in per.items():
            rows.append((f"{label} {name}", f"{median_us(fn):.1f} µs"))
        total = median_us(lambda s=s, ess=ess: all_channels(s, ess))
        rows.append(
            (f"{label} one statement, every channel", f"{total:.1f} µs = {total / 10_000:.2%} of the 10 ms budget")
        )
    # The worst a user can hand `incident lint --channel`: a 2,001-character
    # Weibo post and a 141-character all-CJK X post, both over their limits.
    rows.append(
        (
            "lint weibo, 2,001 CJK characters (over the limit)",
            f"{median_us(lambda: check_text('weibo', '中' * 2001), inner=50):.1f} µs",
        )
    )
    rows.append(
        ("lint x, 141 CJK characters (over the limit)", f"{median_us(lambda: check_text('x', '中' * 141)):.1f} µs")
    )
    rows.append(
        ("lint sms, 600 CJK characters (9 segments)", f"{median_us(lambda: check_text('sms', '中' * 600)):.1f} µs")
    )
    return rows


if __name__ == "__main__":
    print("channel checks: median of 15 rounds (mean of 200 calls each), one core")
    rows = run()
    width = max(len(label) for label, _ in rows)
    for label, figure in rows:
        print(f"  {label:<{width}}  {figure}")
