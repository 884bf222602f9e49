"""The replayed complaint stream: ordinary history, then an outage surge.

Deterministic (seeded) so every demo tells the same story; times are laid
out relative to the moment the demo starts."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from typing import Any

BRANCHES = ["杭州", "上海", "南京", "苏州"]
ORDINARY = {
    "物流": [
        "快递还没到，物流三天没更新",
        "想改一下收件地址",
        "包裹外包装破损",
        "派送员没打电话就放驿站了",
        "查询运单状态",
    ],
    "账单": ["账单金额有疑问", "发票怎么开"],
    "服务": ["咨询积分怎么用", "客服回复太慢"],
    # the app has its ordinary trouble too: the surge stands out against it, not against nothing
    "系统": ["APP更新后找不到优惠券入口", "APP闪退了一下，重启就好了"],
}
CATEGORIES = ["物流", "物流", "物流", "账单", "服务", "系统"]
OUTAGE_ZH = [
    "APP登录失败，一直提示服务器繁忙",
    "下单后无法支付，付款页面白屏",
    "APP闪退，寄件下不了单",
    "支付失败但是钱被扣了",
    "登录不上，验证码收不到",
    "APP打不开，一直转圈加载不出",
]
OUTAGE_EN = ["The app keeps saying login failed", "Payment failed twice, app not loading"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "志强",
]
EN_NAMES = ["Emily Lee", "James Wong", "Sarah Chen", "David Liu"]

SURGE_BEFORE = dt.timedelta(minutes=12)  # the outage began this long before the demo starts
SURGE_AFTER = dt.timedelta(minutes=20)  # and goes on this long after
SURGE_PER_MINUTE = 10


def _rate(when: dt.datetime) -> float:
    """Ordinary tickets per 5 minutes: quiet at night, busy by day (Shanghai)."""
    hour = (when.hour + 8) % 24 + when.minute / 60
    return 1.0 + 5.0 * max(0.0, math.sin(math.pi * (hour - 7) / 15)) if 7 <= hour <= 22 else 1.0


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def history(start: dt.datetime, days: int = 7, seed: int = 7) -> list[dict[str, Any]]:
    """Ordinary tickets for ``days`` days before the surge (no customer
    references: nobody to call back about an ordinary day)."""
    rng = random.Random(seed)
    end = start - SURGE_BEFORE
    b = (end - dt.timedelta(days=days)).replace(second=0, microsecond=0)
    b -= dt.timedelta(minutes=b.minute % 5)
    rows: list[dict[str, Any]] = []
    while b < end:
        for _ in range(_poisson(rng, _rate(b))):
            when = b + dt.timedelta(seconds=rng.randint(0, 299))
            if when >= end:
                continue
            category = rng.choice(CATEGORIES)
            rows.append(
                {
                    "external_id": f"demo-h{len(rows) + 1}",
                    "received_at": when.isoformat(),
                    "channel": rng.choice(["phone", "chat", "app"]),
                    "request_type": "投诉",
                    "category": category,
                    "branch": rng.choice(BRANCHES),
                    "text": rng.choice(ORDINARY[category]),
                }
            )
        b += dt.timedelta(minutes=5)
    return rows


def surge(start: dt.datetime, seed: int = 8) -> list[dict[str, Any]]:
    """The outage's tickets, from ``SURGE_BEFORE`` before ``start`` to
    ``SURGE_AFTER`` after it, each from a customer who will be called back."""
    rng = random.Random(seed)
    first = start - SURGE_BEFORE
    total = int((SURGE_BEFORE + SURGE_AFTER).total_seconds() / 60 * SURGE_PER_MINUTE)
    rows = []
    for i in range(total):
        when = first + dt.timedelta(seconds=i * 60 / SURGE_PER_MINUTE + rng.uniform(0, 5))
        english = i % 9 == 4
        name = rng.choice(EN_NAMES) if english else rng.choice(SURNAMES) + rng.choice(GIVEN)
        rows.append(
            {
                "external_id": f"demo-s{i + 1}",
                "received_at": when.isoformat(),
                "channel": "app" if i % 4 else "phone",
                "request_type": "投诉",
                "category": "系统",
                "branch": BRANCHES[i % len(BRANCHES)],
                "text": rng.choice(OUTAGE_EN if english else OUTAGE_ZH),
                "customer_ref": f"DEMO{100000 + i}",
                "customer_name": name,
                "contact": f"13{rng.randint(100000000, 999999999)}",
            }
        )
    return rows


def due(rows: list[dict[str, Any]], until: dt.datetime) -> Iterator[dict[str, Any]]:
    for row in rows:
        if dt.datetime.fromisoformat(row["received_at"]) <= until:
            yield row
