"""The two example feeds, served by the web app under ``/demo/feeds/``
while the demo runs. Each entry has its moment relative to the start, and
a poll sees only what has "happened" by then — so the feeds move on while
the newcomer watches: new Weibo posts, and the provider's incident going
from investigating to identified to monitoring."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

# (minutes from the start, author, text)
WEIBO = [
    (-40, "南京小吃货", "华东快递今天送得挺快，点个赞"),
    (-11, "杭州阿杰", "华东快递APP又登录不上了，一直提示服务器繁忙？"),
    (-9, "上海打工人", "华东快递寄件付款失败，钱扣了订单没生成，有人一样吗"),
    (-6, "苏州的猫", "华東快遞的APP白屏了，寄不了件"),
    (-3, "momo", "华东快递支付失败第三次了，客服电话也打不进去"),
    (1, "杭州阿杰", "华东快递客服说正在处理，希望快点恢复"),
    (4, "小鱼", "华东快递APP崩了吗？一直加载不出"),
    (8, "上海打工人", "华东快递还是付不了款，急着寄文件"),
    (14, "南京小吃货", "华东快递APP好像可以登录了"),
]

# (minutes from the start, status, text) — newest last
PAYMENTS = [
    (
        -14,
        "Investigating",
        "We are investigating elevated error rates for card and wallet payments in the PayLink API.",
    ),
    (3, "Identified", "The issue has been identified as a failing database cluster and a fix is being implemented."),
    (
        12,
        "Monitoring",
        "A fix has been implemented and we are monitoring the results. Payment success rates are recovering.",
    ),
]

_env = Environment(loader=PackageLoader("incident.templates", "demo"), autoescape=select_autoescape(["xml", "j2"]))
FEEDS = {
    "weibo-zh.xml": "application/rss+xml; charset=utf-8",
    "payments-status.atom": "application/atom+xml; charset=utf-8",
}


def render(name: str, start: dt.datetime, now: dt.datetime) -> str:
    """The feed ``name`` as it stands at ``now`` (KeyError: no such feed)."""
    if name not in FEEDS:
        raise KeyError(name)
    if name == "weibo-zh.xml":
        items = [
            {
                "id": i + 1,
                "author": who,
                "text": text,
                "when": format_datetime(
                    (start + dt.timedelta(minutes=m)).astimezone(dt.timezone(dt.timedelta(hours=8)))
                ),
            }
            for i, (m, who, text) in enumerate(WEIBO)
            if start + dt.timedelta(minutes=m) <= now
        ]
        items.reverse()  # newest first, as Weibo lists them
        return _env.get_template("weibo-zh.xml.j2").render(entries=items, built=format_datetime(now))
    updates = [
        (start + dt.timedelta(minutes=m), status, text)
        for m, status, text in PAYMENTS
        if start + dt.timedelta(minutes=m) <= now
    ]
    entries: list[dict[str, Any]] = []
    if updates:
        iso = "%Y-%m-%dT%H:%M:%SZ"
        entries.append(
            {
                "id": 900001,
                "title": "Elevated payment error rates",
                "published": updates[0][0].strftime(iso),
                "updated": updates[-1][0].strftime(iso),
                "updates": [
                    {"when": f"{w:%b} {w.day}, {w:%H:%M}", "status": s, "text": t} for w, s, t in reversed(updates)
                ],
            }
        )
    return _env.get_template("payments-status.atom.j2").render(
        entries=entries, updated=now.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
