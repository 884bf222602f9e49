"""Where compensation is issued. The default provider writes the export
file finance loads into the coupon, points or refund system: one JSON line
per entry in ``<data_dir>/compensation/issued.jsonl`` (the log of what was
issued, too). A real system replaces it behind :class:`CompensationProvider`
and passes the key on as its idempotency key (refund APIs take one).

Idempotent by key: the file is locked while it is checked and appended to,
so an entry issued again after a crash, or by a second worker, is written
once and gets the same reference back.

Amounts go out as strings with two decimal places (``"amount": "12.30"``),
never JSON numbers: a float would be a cent off somewhere downstream."""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from incident.money import money_str
from incident.timeutil import Clock


@dataclass(frozen=True)
class IssueItem:
    key: str  # incident, customer, form
    incident: str
    customer_ref: str
    form: str
    amount: Decimal  # exact, to the cent (incident/money.py)
    unit: str
    order_ref: str | None = None


@dataclass(frozen=True)
class IssueResult:
    key: str
    ok: bool
    ref: str | None = None
    error: str | None = None
    permanent: bool = False  # a refusal (no retry), not a hiccup


class CompensationProvider(Protocol):
    def issue(self, items: list[IssueItem]) -> list[IssueResult]:
        """Issue each item once per key; an item already issued returns its
        original reference."""
        ...

    def reverse(self, key: str, reason: str) -> str | None: ...


class ExportFileProvider:
    def __init__(self, directory: Path, clock: Clock | None = None) -> None:
        self.path = Path(directory) / "issued.jsonl"
        self.clock = clock or Clock()
        self._seen: dict[str, str] = {}
        self._reversed: set[str] = set()
        self._offset = 0

    def _catch_up(self, fh: Any) -> None:
        fh.seek(self._offset)
        while True:
            line = fh.readline()
            if not line:
                break
            if not line.endswith("\n"):
                break  # a torn last line from a crash: rewritten below
            try:
                record = json.loads(line)
                if record.get("action", "issue") == "issue":
                    self._seen[record["key"]] = record["ref"]
                else:
                    self._reversed.add(record["key"])
            except (ValueError, KeyError):
                pass
            self._offset = fh.tell()

    def _append(self, make_lines: Any) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self._catch_up(fh)
                fh.seek(0, os.SEEK_END)
                if fh.tell() > self._offset:
                    fh.truncate(self._offset)  # drop the torn line
                lines, result = make_lines()
                if lines:
                    fh.write("".join(lines))
                    fh.flush()
                    os.fsync(fh.fileno())
                    self._offset = fh.tell()
                return result
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def issue(self, items: list[IssueItem]) -> list[IssueResult]:
        def make() -> tuple[list[str], list[IssueResult]]:
            now = self.clock.now().isoformat()
            lines, results = [], []
            for item in items:
                ref = self._seen.get(item.key)
                if ref is None:
                    ref = f"export:{item.key}"
                    record = {
                        "action": "issue",
                        "key": item.key,
                        "ref": ref,
                        "at": now,
                        "incident": item.incident,
                        "customer_ref": item.customer_ref,
                        "form": item.form,
                        # A string with two places ("12.30"), never a float:
                        # finance's systems read it as the exact amount.
                        "amount": money_str(item.amount),
                        "unit": item.unit,
                        "order_ref": item.order_ref,
                    }
                    lines.append(json.dumps(record, ensure_ascii=False) + "\n")
                    self._seen[item.key] = ref
                results.append(IssueResult(item.key, True, ref))
            return lines, results

        return self._append(make)

    def reverse(self, key: str, reason: str) -> str | None:
        def make() -> tuple[list[str], str]:
            ref = f"export-reversal:{key}"
            if key in self._reversed:
                return [], ref
            self._reversed.add(key)
            record = {
                "action": "reverse",
                "key": key,
                "reason": reason,
                "at": self.clock.now().isoformat(),
            }
            return [json.dumps(record, ensure_ascii=False) + "\n"], ref

        return self._append(make)

    def issued_keys(self) -> list[str]:
        """Every issue line's key, repeats included (what tests count)."""
        if not self.path.exists():
            return []
        out = []
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("action") == "issue":
                    out.append(record["key"])
        return out


def default_provider(data_dir: Path, clock: Clock | None = None) -> CompensationProvider:
    return ExportFileProvider(Path(data_dir) / "compensation", clock)
