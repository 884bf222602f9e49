"""Every template × statement kind × channel × language, with the sheet's
optional fields filled, empty and at their limits, read as a customer
would (issue 22, Deliver 5 and 6): the wording linter finds nothing, and no
output doubles a word, leaves a fragment or dangling punctuation, keeps a
holding phrase in a resolution, forgets to say a resolution is resolved, or
puts Chinese into an English output the sheet did not write in Chinese."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from incident.config import AppConfig, load_config
from incident.models import FactSheet, Incident
from incident.wording import channels as ch
from incident.wording.personalise import Customer
from incident.wording.render import (
    STATEMENT_KINDS,
    base_context,
    customer_view,
    lint_text,
    render_reply,
    render_statement,
)
from incident.wording.templates import CALLBACK_REASONS, CHANNELS, SCENARIOS, TemplateSet, template_set

AT = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "incident.toml"
# The internal title detection writes: it must reach no public output.
INTERNAL = "系统故障：投诉量（类别=系统）激增（50 件/桶，基线 0.5）"

# The fields as authors really write them: with their own lead-ins (「可通过」,
# "You can"), a compensation that is only an amount, a holding fix.
FILLED = {
    "public_title": {"zh-CN": "APP 登录异常", "en": "App login problem"},
    "what": {
        "zh-CN": "部分客户在使用APP时遇到异常，无法正常办理业务",
        "en": "Some customers cannot use our app normally",
    },
    "scope": {"zh-CN": "上海、南京的部分客户", "en": "Some customers in Shanghai and Nanjing"},
    "cause": {"zh-CN": "原因是登录服务升级后配置有误", "en": "The cause is a faulty setting after a login upgrade"},
    "fix": {"zh-CN": "相关团队已在紧急处理。", "en": "Our teams are working on it now."},
    "workaround": {"zh-CN": "可通过微信小程序下单", "en": "You can place orders in our WeChat mini program."},
    "compensation": {"zh-CN": "10元运费券", "en": "a 10 yuan shipping coupon"},
    "support_channel": {"zh-CN": "客服热线 95311 转 8", "en": "our dedicated line 95311, option 8"},
    "eta": "2026-11-24T06:00:00+00:00",
}
# Other ways authors write the same: a full compensation sentence, 「您可以」
# already in the workaround, "Please" in English.
VARIANT = {
    **FILLED,
    "workaround": {"zh-CN": "在此期间，您可以拨打热线下单。", "en": "Please call our hotline to place orders"},
    "compensation": {"zh-CN": "受影响客户可领取 50 元优惠券", "en": "Affected customers can claim a 50 yuan coupon"},
    "cause": {"zh-CN": "登录服务升级后配置有误", "en": "a faulty setting after a login upgrade"},
}
# Only what a holding statement needs; every optional field empty.
EMPTY = {
    "public_title": {"zh-CN": "APP 登录异常", "en": "App login problem"},
    "what": {"zh-CN": "部分客户无法登录APP", "en": "Some customers cannot log in to the app"},
    "fix": {"zh-CN": "", "en": ""},
    "support_channel": {"zh-CN": "客服热线 95311", "en": "our hotline 95311"},
}
# Each field at length (a long paragraph): channel limits may be exceeded,
# and must be reported as such, but the sentences must still hold.
LONG = {
    name: (
        {lang: (text * 6 if isinstance(text, str) else text) for lang, text in value.items()}
        if isinstance(value, dict)
        else value
    )
    for name, value in FILLED.items()
}
LONG["public_title"] = FILLED["public_title"]
SHEETS = {"filled": FILLED, "variant": VARIANT, "empty": EMPTY, "long": LONG}

# ---- what a person would never write --------------------------------------

DOUBLED = [
    re.compile(r"(可以|可|请您|请)(您可以|可以|可|请您|请)(?=[\u4e00-\u9fff])"),  # 「您可以可通过」
    re.compile(r"([的了是在和与])\1"),  # 「的的」
    re.compile(r"(原因[是：:]|影响范围[：:])\s*(原因|影响范围)"),
    re.compile(r"\b(\w+)\s+\1\b", re.I),  # "can can", "the the"
    # A capitalised word where a sentence goes on: "you can You can place".
    re.compile(r"\b(?:can|may|to|please|contact|and|the|of|by)\s+(?:You|Please|The|We|Our|Contact)\b"),
]
DANGLING = [
    re.compile(r"[，,、；;：:]\s*[。.！!？?]"),  # 「，。」
    re.compile(r"。\s*。|(?<![.\d])\.\s*\.(?!\.)"),  # 「。。」, ". ."
    re.compile(r"（\s*）|\(\s*\)|【\s*】|\[\s*\]"),  # empty brackets
    re.compile(r"\s[.,;:!?](?!\w)"),  # " ."
    re.compile(r"^[，,。.：:；;]"),
]
# A text that stops on a colon or a comma (a letter's 「尊敬的客户：」 line is fine).
_TRAILING = re.compile(r"[：:，,、]\s*\Z")
_SENTENCE_ZH = re.compile(r"[^。！？]+[。！？]")
_SENTENCE_EN = re.compile(r"[^.!?]+[.!?](?=\s|$)")
# A sentence that is only an amount: 「10元运费券。」
_AMOUNT_ONLY = re.compile(r"^\s*(?:a |an )?[\d０-９.,\s]+\s*(?:元|块|yuan|RMB)?\s*\S{0,8}\s*[。.]$", re.I)
# 「关于部分客户…无法正常办理业务。」: 关于 in front of a whole sentence, so
# the sentence never gets its main clause.
_FRAGMENT_ZH = re.compile(r"关于(?:部分|一些|近期|我们|有客户|客户在)[^。]*。")
_FRAGMENT_EN = re.compile(r"\bAbout [A-Z]\w+ [^.]*\.")  # "About Some customers …."

HOLDING = {
    "zh-CN": re.compile(r"正在|紧急处理|排查中|持续跟进|预计.{0,30}恢复|在此期间"),
    "en": re.compile(r"investigating|working on|following the repair|expect service to be back|Meanwhile", re.I),
}
RESOLVED = {"zh-CN": re.compile(r"已恢复"), "en": re.compile(r"\bresolved\b|\bback to normal\b", re.I)}
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def problems(text: str, lang: str) -> list[str]:
    """The sentence rules a rendering breaks, said as (rule, excerpt)."""
    found = [f"doubled: {m.group(0)!r}" for rx in DOUBLED for m in rx.finditer(text)]
    found += [f"dangling: {m.group(0)!r}" for rx in DANGLING for line in text.splitlines() for m in rx.finditer(line)]
    found += [f"dangling end: {m.group(0)!r}" for m in _TRAILING.finditer(text)]
    sentences = (_SENTENCE_ZH if lang == "zh-CN" else _SENTENCE_EN).findall(text)
    found += [f"amount only: {s!r}" for s in sentences if _AMOUNT_ONLY.match(s.strip())]
    found += [f"fragment: {m.group(0)!r}" for rx in (_FRAGMENT_ZH, _FRAGMENT_EN) for m in rx.finditer(text)]
    return found


def sheet(content: dict, version: int = 1) -> FactSheet:
    return FactSheet(incident_id=1, version=version, status="approved", content=content)


def incident(status: str = "investigating") -> Incident:
    return Incident(
        id=7,
        kind="system_outage",
        severity=2,
        status=status,
        title=INTERNAL,
        scope_channels=["app"],
        scope_regions=["上海", "南京"],
        scope_products=[],
        declared_by="tester",
    )


CONFIGS = {"example": load_config(EXAMPLE), "default": AppConfig()}


def _outputs(rendering) -> dict[str, str]:
    parts = rendering.parts
    if rendering.channel == "wechat":
        return {f"fields.{k}": v for k, v in parts["fields"].items()}
    return {k: v for k, v in parts.items() if k in ("subject", "text")}


def _chinese_in_sheet(content: dict) -> bool:
    return any(isinstance(v, dict) and _CJK.search(str(v.get("en") or "")) for v in content.values())


# Channel limits a long sheet is expected to break (reported, not hidden).
_LENGTH_RULES = {
    "channel.sms.segments",
    "channel.weibo.too_long",
    "channel.weibo.fold",
    "channel.x.too_long",
    "channel.wechat.field_too_long",
}


@pytest.mark.parametrize("config_name", sorted(CONFIGS))
@pytest.mark.parametrize("sheet_name", sorted(SHEETS))
@pytest.mark.parametrize("kind", STATEMENT_KINDS)
def test_every_statement_reads_as_written_by_a_person(config_name, sheet_name, kind):
    config = CONFIGS[config_name]
    status = "resolved" if kind == "resolution" else "investigating"
    content = SHEETS[sheet_name]
    out = render_statement(
        template_set(None), config, incident(status), sheet(content), kind=kind, number=1, channels=CHANNELS, at=AT
    )
    failures: list[str] = []
    for lang, by_channel in out.items():
        assert set(by_channel) == set(CHANNELS)
        for channel, rendering in by_channel.items():
            where = f"{lang}/{channel}"
            for f in rendering.findings:
                if sheet_name == "long" and f.rule in _LENGTH_RULES:
                    continue
                failures.append(f"{where}: finding {f.rule} on {f.text!r}")
            texts = _outputs(rendering)
            whole = "\n".join(texts.values())
            for part, text in texts.items():
                failures += [f"{where}/{part}: {p}" for p in problems(text, lang)]
            if INTERNAL in whole or "系统故障" in whole:
                failures.append(f"{where}: the internal title went out")
            if kind == "resolution":
                body = rendering.parts.get("text") or whole
                if m := HOLDING[lang].search(body):
                    failures.append(f"{where}: holding phrase {m.group(0)!r} in a resolution")
                if not RESOLVED[lang].search(whole):
                    failures.append(f"{where}: a resolution that never says it is resolved")
            if lang == "en" and not _chinese_in_sheet(content) and _CJK.search(whole):
                failures.append(f"{where}: Chinese in an English output: {_CJK.findall(whole)[:6]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("sheet_name", sorted(SHEETS))
@pytest.mark.parametrize("status", ["investigating", "resolved"])
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_reply_and_callback_reads_as_written_by_a_person(sheet_name, status, lang):
    config = CONFIGS["example"]
    templates = template_set(None)
    inc, facts = incident(status), sheet(SHEETS[sheet_name])
    customers = [
        Customer(),
        Customer(name="张三", title="女士", contact="13812345678", compensation="10元运费券"),
        Customer(name="李四", title="m", compensation="受影响客户可领取 50 元优惠券"),
    ]
    failures: list[str] = []
    for customer in customers:
        for scenario in SCENARIOS:
            text, findings = render_reply(templates, config, inc, facts, scenario, lang, customer)
            failures += [f"replies/{scenario}: finding {f.rule} on {f.text!r}" for f in findings]
            failures += [f"replies/{scenario}: {p}" for p in problems(text, lang)]
            if status == "resolved" and (m := HOLDING[lang].search(text)):
                failures.append(f"replies/{scenario}: holding phrase {m.group(0)!r} after resolution")
        for reason in CALLBACK_REASONS:
            for with_facts in (True, False):
                context = base_context(config, inc, facts, lang)
                if not with_facts:
                    context["facts"] = None
                context["customer"] = customer_view(customer, lang, context["facts"] or {})
                context["callback"] = {"reason": reason, "demand": "改签送货时间", "attempt": 1}
                text = templates.render(f"callbacks/{reason}", lang, context)
                failures += [f"callbacks/{reason}: finding {f.rule}" for f in lint_text(text, lang, config)]
                failures += [f"callbacks/{reason}: {p}" for p in problems(text, lang)]
    assert not failures, "\n".join(failures)


def test_the_rules_catch_what_issue_22_found():
    """The checks above are not vacuous: each broken sentence the issue
    quotes is caught."""
    assert problems("在此期间，您可以可通过微信小程序下单。", "zh-CN")
    assert problems("Meanwhile you can You can place orders on the web.", "en")
    assert problems("如需帮助，请联系客服热线。10元运费券。", "zh-CN")
    assert problems("您好！关于部分客户在使用APP时遇到异常，无法正常办理业务。", "zh-CN")
    assert problems("影响范围：，。", "zh-CN") and problems("Affected: .", "en") and problems("详情（）", "zh-CN")
    assert HOLDING["zh-CN"].search("目前已恢复正常。相关团队已在紧急处理。")
    assert problems("这是的的问题。", "zh-CN")


def test_sentence_filters_strip_the_authors_own_lead_in():
    env = TemplateSet(Path("/nonexistent"), {"t.zh-CN.j2": "在此期间，您可以{{ w|clause('您可以', '可以', '可') }}。"})
    for w in ("可通过微信小程序下单", "您可以通过微信小程序下单。", "通过微信小程序下单"):
        assert env.render("t", "zh-CN", {"w": w}) == "在此期间，您可以通过微信小程序下单。"
    env = TemplateSet(Path("/nonexistent"), {"t.en.j2": "Meanwhile, you can {{ w|clause('you can', 'please') }}."})
    for w in ("You can place orders on the web.", "place orders on the web", "Please place orders on the web"):
        assert env.render("t", "en", {"w": w}) == "Meanwhile, you can place orders on the web."
    # A lead is a whole word: "can" does not eat "cancel".
    env = TemplateSet(Path("/nonexistent"), {"t.en.j2": "{{ w|clause('can') }}"})
    assert env.render("t", "en", {"w": "cancel the order"}) == "cancel the order"


def test_english_sms_is_gsm7_with_an_english_signature():
    for name, config in CONFIGS.items():
        out = render_statement(
            template_set(None), config, incident(), sheet(EMPTY), kind="holding", number=1, channels=["sms"], at=AT
        )
        en, zh = out["en"]["sms"], out["zh-CN"]["sms"]
        assert en.counts["encoding"] == "GSM-7", (name, en.parts["text"])
        assert not _CJK.search(en.parts["text"]) and "【" not in en.parts["text"]
        assert zh.parts["text"].startswith(config.wording.channels.sms_signature)
    example = render_statement(
        template_set(None),
        CONFIGS["example"],
        incident(),
        sheet(EMPTY),
        kind="holding",
        number=1,
        channels=["sms", "email", "wechat"],
        at=AT,
    )["en"]
    assert example["sms"].parts["text"].startswith("[East China Express] Notice: App login problem.")
    assert example["email"].parts["subject"] == "[East China Customer Service] Notice: App login problem"
    fields = example["wechat"].parts["fields"]
    assert fields["keyword1"] == "App login problem" and fields["keyword2"] == "Investigating"
    # The counted signature is the one sent: not 【华东快递】 in front of it.
    assert ch.sms_count(example["sms"].parts["text"], "[East China Express]").units == example["sms"].counts["units"]


def test_resolution_says_resolved_on_wechat_whatever_the_incident_state():
    out = render_statement(
        template_set(None),
        CONFIGS["example"],
        incident("monitoring"),
        sheet(FILLED),
        kind="resolution",
        number=3,
        channels=["wechat", "weibo"],
        at=AT,
    )
    assert out["zh-CN"]["wechat"].parts["fields"]["keyword2"] == "已恢复"
    assert out["en"]["wechat"].parts["fields"]["keyword2"] == "Resolved"
    assert "已恢复正常" in out["zh-CN"]["weibo"].parts["text"]
    assert "相关团队已在紧急处理" not in out["zh-CN"]["weibo"].parts["text"]


def test_linter_speaks_the_readers_language():
    from incident.config import ChannelLimits
    from incident.wording.lint import lint

    text = "很抱歉让您久等了。" * 30
    zh = lint(text, channel="sms")
    en = lint(text, channel="sms", ui_lang="en")
    assert [f.rule for f in zh] == [f.rule for f in en]
    wait = next(f for f in en if f.rule == "negative_wait")
    # The replacement stays Chinese (it goes into the Chinese text), with its English sense.
    assert wait.suggestion == "感谢您的耐心等待 (Thank you for your patience)"
    segments = next(f for f in en if f.rule == "channel.sms.segments")
    assert segments.suggestion.startswith("shorten it to 3 segments")
    assert next(f for f in zh if f.rule == "channel.sms.segments").suggestion.startswith("精简到")
    # And an English SMS is counted with the English signature.
    limits = ChannelLimits(sms_signature="【华东快递】", sms_signature_en="[East China Express]")
    assert ch.check_text("sms", "a" * 430, limits) == []  # 3 GSM-7 segments with the signature


def test_english_forms_offer_mr_and_ms():
    from incident.wording.personalise import salutation, title_options

    assert title_options("en") == [("先生", "Mr"), ("女士", "Ms")]
    assert title_options("zh-CN") == [("先生", "先生"), ("女士", "女士")]
    assert salutation(Customer(name="Li Wei", title="Miss"), "en") == "Ms Wei"


# ------------------------------------------------- templates/README.md --


def _readme_variables() -> set[str]:
    """The names the README's "Variables:" paragraph lists, braces expanded."""
    text = (Path(__file__).resolve().parents[1] / "templates" / "README.md").read_text("utf-8")
    para = text[text.index("Variables:") : text.index("\n\n", text.index("Variables:"))]
    names: set[str] = set()
    for span in re.findall(r"`([^`]+)`", para.replace("\n", "")):
        m = re.fullmatch(r"([a-z_]+)\.\{([a-z_,\s]+)\}", span)
        if m:
            names.update(f"{m.group(1)}.{a.strip()}" for a in m.group(2).split(","))
        elif re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", span):
            names.add(span)
    return names


def _used_variables(body: str) -> set[str]:
    """``name`` and ``name.attr`` for every context variable a template reads."""
    from jinja2 import meta, nodes

    tree = template_set(None).text_env.parse(body)
    # A {% set %} inside an {% if %} still counts as undeclared for jinja's meta.
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "store"}
    top = meta.find_undeclared_variables(tree) - assigned
    used = set(top)
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in top:
            used.add(f"{node.node.name}.{node.attr}")
    return used


def test_the_templates_readme_lists_every_variable_a_template_uses_and_the_app_accepts_them():
    from incident.wording.authoring import sample_context
    from incident.wording.templates import TEMPLATES_DIR

    documented = _readme_variables()
    assert {"incident.public_status", "incident.resolved", "statement.status_label"} <= documented
    shipped = [p for d in ("statements", "replies", "callbacks") for p in (TEMPLATES_DIR / d).glob("*.j2")]
    assert len(shipped) > 40
    for path in shipped:
        allowed = documented | {name.partition(".")[0] for name in documented}
        undocumented = _used_variables(path.read_text("utf-8")) - allowed
        assert not undocumented, f"{path.name} uses {undocumented}, not in templates/README.md"
    # A template comms add in the app is checked against the sample context:
    # every documented variable must be there, or a copy of a shipped template is refused.
    for lang in ("zh-CN", "en"):
        sample = {**sample_context(lang), "lang": lang}
        for name in documented:
            head, _, attr = name.partition(".")
            assert head in sample and (not attr or attr in sample[head]), (lang, name)


def test_every_shipped_template_passes_the_apps_check_so_comms_can_start_from_it():
    from incident.wording.authoring import sample_context
    from incident.wording.templates import TEMPLATE_NAMES, TEMPLATES_DIR, check_source

    for name in TEMPLATE_NAMES:
        for lang in ("zh-CN", "en"):
            body = (TEMPLATES_DIR / f"{name}.{lang}.j2").read_text("utf-8")
            check_source(name, lang, body, sample_context(lang))  # raises InputError when refused


def test_the_readme_describes_the_sentence_helpers_the_templates_have():
    readme = (Path(__file__).resolve().parents[1] / "templates" / "README.md").read_text("utf-8")
    env = template_set(None).text_env
    assert "`|s`" in readme and "`|clause(" in readme and "`is sentence`" in readme
    assert {"s", "clause"} <= set(env.filters) and "sentence" in env.tests
    assert "safe" not in env.filters
