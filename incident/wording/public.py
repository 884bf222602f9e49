"""What a published statement calls things, in the reader's language: the
incident's public title (never the internal one detection wrote), the
centre's name and the SMS signature. An English reader never gets a Chinese
title, centre name or 【signature】 unless the operator wrote one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from incident.config import AppConfig
from incident.i18n import LABELS, t
from incident.models import Incident
from incident.wording import channel_texts as _texts  # noqa: F401  (registers the catalogue texts)
from incident.wording import factsheet
from incident.wording.sentences import is_cjk

# The state a customer reads (WeChat keyword2, the status of a statement):
# words for the public, capitalised like a label, not the internal state.
LABELS["public_status"] = {
    "declared": ("处理中", "Investigating"),
    "investigating": ("处理中", "Investigating"),
    "identified": ("已定位原因", "Identified"),
    "monitoring": ("恢复观察中", "Monitoring"),
    "resolved": ("已恢复", "Resolved"),
    "closed": ("已恢复", "Resolved"),
}


def public_title(content: Mapping[str, Any] | None, incident: Incident, lang: str) -> str:
    """The sheet's public title in ``lang``; without one, the plain title
    proposed for the incident's kind and scope. The internal title is never
    used: it is written for responders (「系统故障：投诉量（类别=系统）激增…」)."""
    return factsheet.public_title(content or {}, lang) or factsheet.proposed_title(incident, lang)


def centre_name(config: AppConfig, lang: str) -> str:
    """``[centre] name_en`` for English; a generic name when it is not set
    and the centre's name is Chinese."""
    name = config.centre.name
    if lang == "en":
        english = config.centre.name_en
        if english:
            return english
        if is_cjk(name):
            return t("statement.centre_default", lang)
    return name


def sms_signature(config: AppConfig, lang: str) -> str:
    """The 【signature】 for an SMS in ``lang``. English uses
    ``sms_signature_en``, else ``[English centre name]``: a Chinese signature
    would force the whole message into UCS-2 (70 characters a segment)."""
    limits = config.wording.channels
    if lang != "en":
        return limits.sms_signature
    if limits.sms_signature_en is not None:
        return limits.sms_signature_en
    if not is_cjk(limits.sms_signature):
        return limits.sms_signature
    return f"[{centre_name(config, lang)}]"
