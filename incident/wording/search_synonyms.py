"""What agents and customers actually type, grouped as concepts.

Each concept lists the colloquial Chinese variants (matched as substrings:
Chinese has no spaces) and the English ones (matched as whole words or
phrases). A text that contains any variant carries the concept, so
「登不上」 meets a sheet that says 「无法登录」 and "can't log in" meets
samples that say 「登录不上」. The labels are in the catalogue
(``wording.search.concept.<name>``, search_texts.py).

Variants are what agents type on a busy floor (DOMAIN.md: rules match what
people type, not the manuals' odd copies): typos included (登陆 for 登录).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# name: (Chinese variants, English variants)
CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "login": (
        (
            "登录",
            "登陆",
            "登入",
            "登不上",
            "登不进",
            "登录不了",
            "登陆不了",
            "登录不上",
            "登陆不上",
            "上不去",
            "无法登录",
            "不能登录",
            "进不了账号",
            "账号进不去",
            "登进去",
        ),
        (
            "login",
            "log in",
            "log-in",
            "logging in",
            "logged in",
            "sign in",
            "signin",
            "sign-in",
            "signing in",
            "log on",
            "logon",
            "locked out",
            "cannot log in",
            "can't log in",
            "cant log in",
            "unable to log in",
        ),
    ),
    "otp": (
        ("验证码", "校验码", "动态码", "动态密码", "短信码", "收不到码", "获取验证码", "发验证码", "验证短信", "yzm"),
        (
            "verification code",
            "verification codes",
            "otp",
            "one-time password",
            "one time password",
            "sms code",
            "security code",
            "login code",
            "2fa",
            "text code",
            "verification sms",
            "code not received",
            "didn't get the code",
            "didnt get the code",
            "no code",
            "code",
            "codes",
        ),
    ),
    "sms": (
        ("短信", "收不到短信", "短信收不到", "短信没收到", "信息收不到"),
        ("sms", "text message", "text messages", "texts", "a text"),
    ),
    "payment": (
        (
            "支付",
            "付款",
            "付钱",
            "付不了",
            "付不出",
            "交不了钱",
            "结账",
            "收银台",
            "钱扣了",
            "钱被扣",
            "扣了钱",
            "扣款失败",
            "付费",
            "银行卡",
            "钱包",
        ),
        (
            "payment",
            "payments",
            "pay",
            "paying",
            "can't pay",
            "cannot pay",
            "cant pay",
            "unable to pay",
            "checkout",
            "check out",
            "card declined",
            "transaction failed",
            "transaction",
            "wallet",
            "card",
        ),
    ),
    # How one pays, apart from paying at all: a fault at a card or wallet
    # provider is told apart from the app's own checkout by these.
    "card": (
        ("银行卡", "信用卡", "借记卡", "储蓄卡", "刷卡", "绑卡", "卡支付", "网银"),
        ("card", "cards", "credit card", "debit card", "bank card", "card payment", "card declined"),
    ),
    "wallet": (
        ("电子钱包", "钱包", "微信支付", "支付宝", "云闪付", "余额支付"),
        ("wallet", "e-wallet", "ewallet", "alipay", "wechat pay", "apple pay"),
    ),
    "billing": (
        ("多扣", "重复扣费", "重复扣款", "扣了两次", "扣两次", "乱扣费", "扣费", "多收", "乱收费", "扣错", "账单"),
        ("overcharged", "double charged", "charged twice", "billing", "bill", "wrong charge", "extra charge"),
    ),
    "refund": (
        ("退款", "退钱", "退费", "钱退", "没退"),
        ("refund", "refunded", "refunds", "money back", "reimburse"),
    ),
    "order": (
        ("下单", "下不了单", "寄件", "寄不了", "订单", "寄快递", "寄东西", "发快递", "生成订单"),
        (
            "place an order",
            "place order",
            "placing orders",
            "order",
            "orders",
            "book a pickup",
            "send a parcel",
            "ship",
        ),
    ),
    "app_down": (
        (
            "打不开",
            "白屏",
            "黑屏",
            "闪退",
            "进不去",
            "崩了",
            "崩溃",
            "卡死",
            "卡住",
            "转圈",
            "加载不出",
            "加载不了",
            "加载失败",
            "刷不出来",
            "用不了",
            "不能用",
            "无法使用",
            "宕机",
            "挂了",
            "服务器繁忙",
            "系统繁忙",
            "网络异常",
            "打开就退",
            "自动退出",
            "页面空白",
            "空白页",
            "没反应",
            "报错",
            "系统故障",
            "瘫痪",
        ),
        (
            "crash",
            "crashes",
            "crashed",
            "crashing",
            "white screen",
            "blank screen",
            "black screen",
            "won't open",
            "wont open",
            "doesn't open",
            "does not open",
            "not opening",
            "not loading",
            "won't load",
            "keeps closing",
            "closes itself",
            "freezes",
            "frozen",
            "stuck loading",
            "down",
            "outage",
            "not working",
            "doesn't work",
            "server busy",
            "system busy",
            "spinning",
            "error",
            "errors",
            "broken",
        ),
    ),
    "app": (
        ("app", "应用", "客户端", "手机软件", "软件", "小程序"),
        ("app", "application", "mobile app", "mini program"),
    ),
    "parcel": (
        ("快递", "包裹", "运单", "物流", "单号", "货物", "快件", "件到"),
        (
            "parcel",
            "parcels",
            "package",
            "packages",
            "shipment",
            "delivery",
            "deliveries",
            "courier",
            "tracking number",
            "waybill",
        ),
    ),
    "delay": (
        (
            "延误",
            "延迟",
            "没到",
            "还没到",
            "未到",
            "没送到",
            "没送来",
            "迟迟",
            "不派送",
            "没派送",
            "不配送",
            "没人送",
            "好几天",
            "不更新",
            "没更新",
            "不动了",
            "没动静",
            "没动",
            "卡在",
            "滞留",
            "压件",
            "太慢",
            "很慢",
            "超时",
            "催件",
            "到哪了",
            "在哪了",
            "怎么还没",
            "晚到",
            "推迟",
            "晚了",
            "慢",
            "还不到",
            "迟到",
        ),
        (
            "late",
            "delayed",
            "delay",
            "delays",
            "not arrived",
            "hasn't arrived",
            "hasnt arrived",
            "not delivered",
            "never arrived",
            "still waiting",
            "stuck",
            "where is my",
            "no update",
            "not updated",
            "overdue",
            "slow",
            "taking forever",
        ),
    ),
    "tracking": (
        ("物流信息", "查不到物流", "查件", "查询运单", "轨迹", "物流记录"),
        ("tracking", "track"),
    ),
    "damaged": (
        ("破损", "坏了", "损坏", "摔坏", "压坏", "碎了", "漏了", "湿了", "丢件", "丢了", "少件", "不见了", "丢失"),
        ("damaged", "broken", "smashed", "crushed", "lost", "missing", "wet"),
    ),
    "phone_line": (
        ("电话打不通", "打不通", "打不进", "没人接", "无人接听", "占线", "热线", "客服电话", "电话"),
        (
            "can't get through",
            "cannot get through",
            "phone line",
            "hotline",
            "call centre",
            "call center",
            "no one answers",
            "nobody answers",
            "phone",
            "call",
        ),
    ),
    "branch": (
        ("网点", "营业部", "门店", "驿站", "自提点", "分部", "站点"),
        ("branch", "outlet", "depot", "pickup point", "station"),
    ),
    "pickup": (
        ("取件", "取快递", "快递柜", "丰巢", "取件码", "上门取件", "取不了", "揽收", "揽件"),
        ("pickup", "pick up", "collect", "collection", "locker", "parcel locker"),
    ),
    "address": (("地址", "改地址", "收件地址"), ("address",)),
    "compensation": (
        ("补偿", "赔偿", "理赔", "赔付", "赔钱"),
        ("compensation", "compensate", "claim", "claims"),
    ),
    "coupon": (("优惠券", "代金券", "运费券", "红包", "券"), ("coupon", "coupons", "voucher", "vouchers")),
    "points": (("积分",), ("points", "loyalty points")),
    "privacy": (
        ("泄露", "泄漏", "隐私", "个人信息", "骚扰电话", "诈骗电话", "冒充客服", "诈骗", "盗号"),
        ("leak", "leaked", "breach", "privacy", "personal data", "scam", "phishing", "hacked"),
    ),
    "invoice": (("发票", "开票"), ("invoice", "invoices", "receipt", "fapiao")),
    "attitude": (
        ("态度", "骂人", "不耐烦", "挂电话", "敷衍", "凶"),
        ("rude", "attitude", "impolite", "shouted"),
    ),
    "website": (("官网", "网站", "网页"), ("website", "site", "web page", "webpage")),
    # Weather split by what it does to parcels: rain floods hubs in the
    # south, snow and ice close roads in the north; both are "weather".
    "weather": (
        ("天气", "恶劣天气", "封路", "暴雨", "大雨", "下雨", "雨天", "降雨", "台风", "大雪", "暴雪", "降雪", "冰冻"),
        ("weather", "storm", "storms", "rain", "snow", "typhoon", "flood", "flooding", "flooded"),
    ),
    "rain": (
        ("暴雨", "大雨", "下雨", "雨天", "降雨", "积水", "水淹", "淹了", "洪水", "内涝", "涝", "台风"),
        ("rain", "rainstorm", "heavy rain", "raining", "flood", "floods", "flooded", "flooding", "typhoon"),
    ),
    "snow": (
        ("大雪", "暴雪", "降雪", "下雪", "冰冻", "结冰", "道路结冰"),
        ("snow", "snowstorm", "blizzard", "ice", "icy", "frozen roads"),
    ),
    "customs": (("清关", "海关", "国际件"), ("customs", "clearance", "international")),
    "account": (("账号", "帐号", "账户", "封号", "冻结"), ("account", "accounts", "suspended", "frozen account")),
    "price": (("运费", "价格", "涨价", "收费标准"), ("shipping fee", "price", "prices", "rate", "rates")),
}

_LATIN_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
# Common slips and the traditional forms seen in posts (「華東快遞」).
_SLIPS = str.maketrans({"帐": "账", "華": "华", "東": "东", "遞": "递", "錄": "录", "碼": "码", "’": "'"})


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, and the commonest slips fixed
    (登陆 → 登录) so that bigrams meet as well as concepts."""
    return unicodedata.normalize("NFKC", text or "").lower().replace("登陆", "登录").translate(_SLIPS)


@lru_cache(maxsize=1)
def _tables() -> tuple[list[tuple[str, tuple[str, ...]]], dict[str, set[str]], int]:
    zh: list[tuple[str, tuple[str, ...]]] = []
    en: dict[str, set[str]] = {}
    longest = 1
    for name, (zh_words, en_words) in CONCEPTS.items():
        zh.append((name, tuple(normalise(w) for w in zh_words if not w.isascii())))
        for phrase in en_words + tuple(w for w in zh_words if w.isascii()):
            key = " ".join(_LATIN_WORD.findall(normalise(phrase)))
            en.setdefault(key, set()).add(name)
            longest = max(longest, key.count(" ") + 1)
    return zh, en, longest


def concepts(text: str) -> list[tuple[str, int, int]]:
    """The concepts ``text`` (already normalised) carries, each with the
    span of one variant that says it (for explaining a match)."""
    zh, en, longest = _tables()
    found: dict[str, tuple[int, int]] = {}
    if not text.isascii():
        for name, words in zh:
            for variant in words:
                at = text.find(variant)
                if at >= 0:
                    found.setdefault(name, (at, at + len(variant)))
                    break
    latin = [(m.group(), m.start(), m.end()) for m in _LATIN_WORD.finditer(text)]
    for i in range(len(latin)):
        phrase = ""
        for j in range(i, min(i + longest, len(latin))):
            phrase = latin[j][0] if j == i else f"{phrase} {latin[j][0]}"
            for name in en.get(phrase, ()):
                found.setdefault(name, (latin[i][1], latin[j][2]))
    return [(name, a, b) for name, (a, b) in found.items()]
