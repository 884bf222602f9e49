"""Findings said in the reader's language (issue 22: the ``--lang en`` user
gets English suggestions).

A finding's suggestion is of two sorts. An instruction ("shorten it to 3
segments", 「删除该变量」) is for the person reading the finding, so it is
said in their language. A replacement (「感谢您的耐心等待」 for 「很抱歉让您久
等了」) must stay in the checked text's language, since it goes into that
text; an English reader gets the English sense beside it when the rule has
one (``suggestion_en``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from incident.i18n import t
from incident.wording import channel_texts as _texts  # noqa: F401  (registers the catalogue texts)
from incident.wording.findings import Finding
from incident.wording.sentences import is_cjk


def _channel_suggestion(f: Finding, lang: str) -> str | None:
    """The channel checks' instructions, said again in ``lang`` from the
    figures the finding carries."""
    p: dict[str, Any] = f.params
    rule = f.rule
    if rule == "channel.sms.segments":
        return t("channel.suggest.sms_segments", lang, max=p["max"], budget=f.start)
    if rule == "channel.weibo.too_long":
        return t("channel.suggest.weibo_too_long", lang, excess=p["length"] - p["max"])
    if rule in ("channel.weibo.fold", "channel.weibo.missing"):
        key = "weibo_fold" if rule.endswith("fold") else "weibo_missing"
        return t(f"channel.suggest.{key}", lang, essential=p["essential"], fold=p["fold"])
    if rule == "channel.wechat.field_too_long":
        return t("channel.suggest.wechat_too_long", lang, limit=p["limit"])
    if rule == "channel.wechat.line_break":
        return t("channel.suggest.wechat_line_break", lang)
    if rule == "channel.x.too_long":
        return t("channel.suggest.x_too_long", lang, excess=p["weight"] - p["max"])
    if rule == "channel.email.subject_line_break":
        return t("channel.suggest.subject_line_break", lang)
    if rule == "channel.email.subject_long":
        return t("channel.suggest.subject_long", lang)
    return None


def _english_sense(f: Finding, rules: Any) -> str:
    """The rule's English for a Chinese replacement, "" when it has none."""
    rule = rules.rules.get(f.rule) if rules is not None else None
    if rule is None:
        return ""
    for entry in rule.entries:
        if entry.suggestion == f.suggestion and entry.suggestion_en:
            return str(entry.suggestion_en)
    if rule.suggestion == f.suggestion and rule.suggestion_en:
        return str(rule.suggestion_en)
    return ""


def localise(findings: list[Finding], ui_lang: str, rules: Any = None) -> list[Finding]:
    """``findings`` with each suggestion for a reader of ``ui_lang``."""
    english = ui_lang.lower().startswith("en")
    out: list[Finding] = []
    for f in findings:
        suggestion = f.suggestion
        if f.rule.startswith("channel."):
            suggestion = _channel_suggestion(f, "en" if english else "zh-CN") or suggestion
        elif f.rule == "unknown_placeholder":
            known = f.params.get("known", "—")
            if english:
                suggestion = f"use one of the template's variables: {known}" if known != "—" else "remove the variable"
            else:
                suggestion = f"改用模板已有的变量：{known}" if known != "—" else "删除该变量"
        elif english and suggestion and is_cjk(suggestion):
            sense = _english_sense(f, rules)
            if sense and sense != suggestion:
                suggestion = f"{suggestion} ({sense})"
        out.append(f if suggestion == f.suggestion else replace(f, suggestion=suggestion))
    return out


def suggestion_for(f: Mapping[str, Any], ui_lang: str, rules: Any = None) -> str:
    """The suggestion of a stored finding (the dicts sheets and statements
    keep) for a reader of ``ui_lang``, as :func:`localise` says it."""
    finding = Finding(
        rule=str(f.get("rule") or ""),
        severity="error" if f.get("severity") == "error" else "warning",
        start=int(f.get("start") or 0),
        end=int(f.get("end") or 0),
        text=str(f.get("text") or ""),
        suggestion=str(f.get("suggestion") or ""),
        message_key=str(f.get("message_key") or ""),
        params=dict(f.get("params") or {}),
    )
    try:
        return localise([finding], ui_lang, rules)[0].suggestion
    except (KeyError, TypeError, ValueError):  # a row stored before its figures were: keep what it says
        return finding.suggestion
