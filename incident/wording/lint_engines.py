"""The wording linter's engines: what each kind of rule finds in a text
(phrases, personal data, placeholders, amounts over the caps), and which
finding supersedes which. incident/wording/lint.py runs them."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from decimal import Decimal

from incident.config import CompensationCaps
from incident.textin import luhn
from incident.wording.findings import Finding
from incident.wording.lint_model import _CJK, Entry, Rule, RuleSet


def _matches(rule: Rule, norm: str, zh: bool) -> Iterable[tuple[re.Match[str], Entry]]:
    for matcher in (rule.zh if zh else None, rule.always):
        if matcher is None:
            continue
        for m in matcher.rx.finditer(norm):
            if m.end() > m.start():
                yield m, matcher.entries[m.lastindex or 0]


def _excepted(rule: Rule, norm: str) -> list[tuple[int, int]]:
    return [m.span() for m in rule.exceptions.finditer(norm)] if rule.exceptions else []


def _phrase(rule: Rule, text: str, norm: str, zh: bool) -> list[Finding]:
    out: list[Finding] = []
    spans: list[tuple[int, int]] | None = None
    for m, entry in _matches(rule, norm, zh):
        start, end = m.span()
        if rule.exceptions is not None:
            if spans is None:
                spans = _excepted(rule, norm)
            if any(a <= start < b for a, b in spans):
                continue
        out.append(
            Finding(
                rule=rule.name,
                severity=rule.severity,
                start=start,
                end=end,
                text=text[start:end],
                suggestion=rule.suggest(entry, zh),
                message_key=rule.message_key,
                params={
                    "source": entry.source or rule.source,
                    **({"rule": rule.name} if rule.message_key == "lint.custom" else {}),
                },
            )
        )
    return out


_ADDRESS_STOP = set("的在于是为到往寄送住至从址和及与或向由把将给请您我你他她它们了")
_ADMIN = re.compile(r"^.*[省市区县镇乡州]")


def _personal(rule: Rule, text: str, norm: str, zh: bool) -> list[Finding]:
    out: list[Finding] = []
    for m, entry in _matches(rule, norm, zh):
        start, end = m.span()
        found = norm[start:end]
        if entry.check == "luhn" and not luhn(re.sub(r"\D", "", found)):
            continue
        if entry.check == "email" and found.split("@", 1)[0].lower() in rule.service_mailboxes:
            continue
        labels = rule.words.get("service_number_labels")
        if (
            entry.kind in ("mobile", "landline")
            and labels is not None
            and labels.search(norm, max(0, start - 16), start)
        ):
            continue
        if entry.check == "address_zh":
            # The pattern starts at the road suffix; the road's name (and the
            # district before it) is the run of Chinese characters before.
            while (
                start > 0
                and m.start() - start < 16
                and _CJK.match(norm[start - 1])
                and norm[start - 1] not in _ADDRESS_STOP
            ):
                start -= 1
            if start == m.start():
                continue  # a bare 路12号 without a name is not an address
        out.append(
            Finding(
                rule=rule.name,
                severity=rule.severity,
                start=start,
                end=end,
                text=text[start:end],
                suggestion=_mask(entry, text[start:end], m.start() - start, zh),
                message_key=rule.message_key
                if rule.message_key.startswith("lint.custom")
                else f"lint.personal_data.{entry.kind}",
                params={"kind": entry.kind, "source": entry.source or rule.source},
            )
        )
    return out


def _mask(entry: Entry, found: str, name_len: int, zh: bool) -> str:
    if entry.mask == "last4":
        tail = re.sub(r"[^0-9Xx]", "", found)[-4:]
        return f"****{tail}"
    if entry.mask == "email":
        local, _, domain = found.partition("@")
        return f"{local[:1]}***@{domain}"
    if entry.mask == "address":
        if zh:
            admin = _ADMIN.match(found[:name_len])
            return f"{admin.group(0) if admin else ''}（详细地址已略去）"
        return "remove the street address (name the city or district at most)"
    return "（请删除）" if zh else "remove it"


def _placeholders(rule: Rule, text: str, norm: str, zh: bool, known: Collection[str] | None) -> list[Finding]:
    out: list[Finding] = []
    if rule.always is None:
        return out
    for m in rule.always.rx.finditer(norm):
        start, end = m.span()
        if end <= start:
            continue
        group = m.lastindex or 0
        entry = rule.always.entries[group]
        name = m.group(group + 1) if entry.named and entry.ngroups else None
        if name is not None and known is not None and name not in known and name.split(".")[0] not in known:
            names = ", ".join(sorted(known)) or "—"
            out.append(
                Finding(
                    rule="unknown_placeholder",
                    severity=rule.severity,
                    start=start,
                    end=end,
                    text=text[start:end],
                    suggestion=(
                        f"改用模板已有的变量：{names}" if zh else f"use one of the template's variables: {names}"
                    )
                    if known
                    else ("删除该变量" if zh else "remove the variable"),
                    message_key="lint.unknown_placeholder",
                    params={"name": name, "known": names},
                )
            )
            continue
        out.append(
            Finding(
                rule=rule.name,
                severity=rule.severity,
                start=start,
                end=end,
                text=text[start:end],
                suggestion=rule.suggest(entry, zh),
                message_key=rule.message_key,
                params={"token": text[start:end], "source": entry.source or rule.source},
            )
        )
    return out


_AMOUNT = re.compile(
    r"(?i)(?:(?P<pre>[¥￥]|RMB|CNY|人民币)\s*)?(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<wan>万))?(?:\s*(?P<unit>元|块钱|块|圆|yuan|RMB|CNY)(?![A-Za-z]))?"
    r"|(?P<cjk>[零〇一二两三四五六七八九十百千万]+)\s*(?:元|块钱|块)"
)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CJK_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}


def _cjk_number(s: str) -> int | None:
    total = section = num = 0
    for ch in s:
        if ch in _CJK_DIGITS:
            num = _CJK_DIGITS[ch]
        elif ch in _CJK_UNITS:
            section += (num or 1) * _CJK_UNITS[ch]
            num = 0
        elif ch == "万":
            total += (section + num) * 10000
            section = num = 0
    value = total + section + num
    return value or None


def _money(value: Decimal | int) -> str:
    d = Decimal(value)
    return f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}"


def _says(rule: Rule, kind: str, sentence: str) -> bool:
    """The sentence has one of the rule's ``kind`` words (declared value, compensation …)."""
    rx = rule.words.get(kind)
    return bool(rx and rx.search(sentence))


def _over_cap(rule: Rule, text: str, norm: str, zh: bool, caps: CompensationCaps) -> list[Finding]:
    out: list[Finding] = []
    for m in _AMOUNT.finditer(norm):
        if m.group("cjk"):
            value: Decimal | int | None = _cjk_number(m.group("cjk"))
            if value is None:
                continue
        elif m.group("pre") or m.group("unit"):
            # Decimal, as the caps are: "100.2 元" against a 100.20 cap is
            # not over it (as a float it would be, by 3e-15).
            value = Decimal(m.group("num").replace(",", "")) * (10000 if m.group("wan") else 1)
        else:
            continue
        start, end = m.span()
        while end > start and norm[end - 1].isspace():
            end -= 1
        left = max((s.end() for s in _SENTENCE_END.finditer(norm, 0, start)), default=0)
        right = _SENTENCE_END.search(norm, end)
        sentence = norm[left : right.start() if right else len(norm)]
        if _says(rule, "declared_words", sentence):
            cap, basis = caps.declared_value, "declared"
        elif _says(rule, "compensation_words", sentence):
            if _says(rule, "document_words", sentence):
                cap, basis = caps.insured_documents, "documents"
            elif _says(rule, "uninsured_words", sentence):
                cap, basis = caps.uninsured, "uninsured"
            else:
                cap, basis = caps.insured_goods, "goods"
        else:
            cap, basis = caps.highest, "highest"
        if value <= cap:
            continue
        template = rule.suggest(None, zh)
        out.append(
            Finding(
                rule=rule.name,
                severity=rule.severity,
                start=start,
                end=end,
                text=text[start:end],
                suggestion=template.replace("{cap}", _money(cap)),
                message_key=rule.message_key
                if rule.message_key.startswith("lint.custom")
                else f"lint.over_cap.{basis}",
                params={"amount": _money(value), "cap": _money(cap), "basis": basis},
            )
        )
    return out


_RANK = {"warning": 0, "error": 1}


def _drop_superseded(findings: list[Finding], rules: RuleSet) -> list[Finding]:
    """A finding inside the span of a phrase whose suggestion rewrites the
    whole span (and at least as severe) says nothing new: 「你找领导去」 needs
    no separate 你→您 warning."""
    order = {name: i for i, name in enumerate(rules.rules)}
    containers = [f for f in findings if f.rule in rules.rules and rules.rules[f.rule].supersedes]
    if not containers:
        return findings
    kept = []
    for f in findings:
        drop = False
        for g in containers:
            if g is f or not (g.start <= f.start and f.end <= g.end) or _RANK[g.severity] < _RANK[f.severity]:
                continue
            same = (g.start, g.end) == (f.start, f.end)
            if same and f in containers:
                # Two rewriting rules on the same span: keep the more severe, then the earlier rule.
                if _RANK[g.severity] > _RANK[f.severity] or order.get(g.rule, 0) < order.get(f.rule, 0):
                    drop = True
            else:
                drop = True
            if drop:
                break
        if not drop:
            kept.append(f)
    return kept
