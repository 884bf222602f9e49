"""Where compensation is issued. The default provider writes the export
file finance loads into the coupon, points or refund system: one JSON line
per entry in ``<data_dir>/compensation/issued.jsonl`` (the log of what was
issued, too). A real system replaces it behind :class:`CompensationProvider`
and passes the key on as its idempotency key (refund APIs take one).

Idempotent by key across every worker: the record of what was issued lives
in the database (``once_keys``, scope ``provider:export-file``), not in a
worker's own data directory, so a second worker with a directory of its
own, re-issuing after the first was killed, finds it and does not write
the line again. :class:`ExportFileProvider` says how, and what each moment
of a kill -9 leaves behind.

Amounts go out as strings with two decimal places (``"amount": "12.30"``),
never JSON numbers: a float would be a cent off somewhere downstream."""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import bindparam, select, update

from incident.db import Store, insert_for
from incident.i18n import t
from incident.models import OnceKey
from incident.money import money_str
from incident.remedy import texts as _texts  # noqa: F401 — comp.error.export_elsewhere
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
    """The contract (see also incident/adapters/base.py): ``issue`` is
    called with a batch already claimed and committed in the ledger, and is
    called again with the same keys after a crash, by this worker or any
    other, on this machine or another. Idempotency by key must therefore be
    recorded where every worker sees it: by the remote system itself (a
    refund API's idempotency key), or in the database (``once_keys``,
    scope ``provider:<name>``, committed before the side effect as
    :class:`ExportFileProvider` does) — never in a worker's own files or
    memory. ``issue`` is never called inside an open transaction."""

    def issue(self, items: list[IssueItem]) -> list[IssueResult]:
        """Issue each item once per key; an item already issued returns its
        original reference."""
        ...

    def reverse(self, key: str, reason: str) -> str | None: ...


class _ExportFile:
    """One export file. Lines are appended under an exclusive lock, after
    catching up with what is there, so a key already in it is never written
    to it again, whichever process on this machine appends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: dict[str, str] = {}
        self.reversed: set[str] = set()
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
                    self.seen[record["key"]] = record["ref"]
                else:
                    self.reversed.add(record["key"])
            except (ValueError, KeyError):
                pass
            self._offset = fh.tell()

    def append(self, make_lines: Any) -> Any:
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

    def issued_keys(self) -> list[str]:
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


class ExportFileProvider:
    """The export file, idempotent by key across every worker.

    With a ``store`` (what :func:`default_provider` gives every process),
    each key is first *reserved* in ``once_keys``, in a transaction of its
    own committed before any line is written, naming the one file its line
    goes to (host and path): ``{"state": "writing", "ref", "host", "file"}``.
    Whoever issues the key afterwards — this worker again, or another with
    a data directory of its own — writes it only to that file, and only if
    the file does not hold it yet (checked under the file's lock). Once the
    lines are on disk (fsync) the records become ``"written"``, and from
    then on nobody needs the file to know.

    What a kill -9 leaves, and what the next issuer (any worker) does:

    1. before the reservation commits: nothing anywhere; it reserves the
       key for its own file and writes it once;
    2. after the reservation, before the line: a record naming a file
       without the line; an issuer on the same machine appends it there;
    3. after the line (fsync), before ``"written"``: a record naming a file
       with the line; the issuer finds it and writes nothing;
    4. after ``"written"``, before the ledger row is marked issued: the
       issuer gets the recorded reference back and writes nothing;

    and a line torn by the kill is cut off before the next append. In 2 and
    3 an issuer on *another* machine cannot look into the file: it writes
    nothing and answers with a retryable error naming host and file, so the
    entry waits (with back-off; failed for a person after MAX_ATTEMPTS)
    until a worker on that machine issues it. Never twice, never dropped
    silently.

    Without a store (benchmarks, tests of one directory) the file alone is
    the record: idempotent only among processes sharing that directory.
    Reversals keep their record in the file: ``ledger.reverse`` calls the
    provider inside its caller's transaction (which on SQLite holds the
    write lock, so a second transaction here would wait on it), and there
    the ledger row, locked and marked ``reversed``, is what keeps a second
    reversal from reaching the provider.
    """

    SCOPE = "provider:export-file"

    def __init__(
        self, directory: Path, clock: Clock | None = None, store: Store | None = None, host: str | None = None
    ) -> None:
        self.path = Path(directory) / "issued.jsonl"
        self.clock = clock or Clock()
        self.store = store
        self.host = host or socket.gethostname()
        self._own = _ExportFile(self.path)
        self._files: dict[str, _ExportFile] = {self._where(): self._own}

    def _where(self) -> str:
        return str(self.path.resolve())

    def _line(self, item: IssueItem, ref: str, now: str) -> str:
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
        return json.dumps(record, ensure_ascii=False) + "\n"

    def _write(self, export: _ExportFile, items: list[IssueItem]) -> list[IssueResult]:
        """Append the items ``export`` does not hold yet; every item's reference back."""

        def make() -> tuple[list[str], list[IssueResult]]:
            now = self.clock.now().isoformat()
            lines, results = [], []
            for item in items:
                ref = export.seen.get(item.key)
                if ref is None:
                    ref = f"export:{item.key}"
                    lines.append(self._line(item, ref, now))
                    export.seen[item.key] = ref
                results.append(IssueResult(item.key, True, ref))
            return lines, results

        results: list[IssueResult] = export.append(make)
        return results

    def issue(self, items: list[IssueItem]) -> list[IssueResult]:
        if self.store is None or not items:
            return self._write(self._own, items)
        records = self._reserve(items)
        out: dict[str, IssueResult] = {}
        by_file: dict[str, list[IssueItem]] = {}
        for item in items:
            record = records[item.key]
            if record.get("state") == "written":
                out[item.key] = IssueResult(item.key, True, record.get("ref"))
            elif record.get("host") != self.host:
                out[item.key] = IssueResult(item.key, False, error=_elsewhere(record))
            else:
                by_file.setdefault(str(record["file"]), []).append(item)
        for where, group in by_file.items():
            export = self._files.setdefault(where, _ExportFile(Path(where)))
            out.update((r.key, r) for r in self._write(export, group))
        fresh = [r for r in out.values() if r.ok and records[r.key].get("state") != "written"]
        self._mark_written(records, fresh)
        return [out[item.key] for item in items]

    def _reserve(self, items: list[IssueItem]) -> dict[str, dict[str, Any]]:
        """Reserve for this file the keys nobody holds yet (committed here,
        before any line is written); every key's record back."""
        assert self.store is not None
        table = OnceKey.__table__
        keys = list(dict.fromkeys(item.key for item in items))
        mine = {"state": "writing", "host": self.host, "file": self._where()}
        now = self.clock.now()
        with self.store.transaction() as s:
            s.execute(
                insert_for(s, table).on_conflict_do_nothing(index_elements=["scope", "key"]),
                [
                    {
                        "scope": self.SCOPE,
                        "key": k,
                        "created_at": now,
                        "expires_at": None,
                        "result": {**mine, "ref": f"export:{k}"},
                    }
                    for k in keys
                ],
            )
            rows = s.execute(
                select(table.c.key, table.c.result).where(table.c.scope == self.SCOPE, table.c.key.in_(keys))
            )
            return {k: dict(result or {}) for k, result in rows}

    def _mark_written(self, records: dict[str, dict[str, Any]], results: list[IssueResult]) -> None:
        """The lines are on disk (fsync): nobody need look into the file for them again."""
        if not results or self.store is None:
            return
        table = OnceKey.__table__
        with self.store.transaction() as s:
            s.connection().execute(
                update(table)
                .where(table.c.scope == self.SCOPE, table.c.key == bindparam("k"))
                .values(result=bindparam("r", type_=table.c.result.type)),
                [{"k": r.key, "r": {**records[r.key], "state": "written", "ref": r.ref}} for r in results],
            )

    def reverse(self, key: str, reason: str) -> str | None:
        def make() -> tuple[list[str], str]:
            ref = f"export-reversal:{key}"
            if key in self._own.reversed:
                return [], ref
            self._own.reversed.add(key)
            record = {"action": "reverse", "key": key, "reason": reason, "at": self.clock.now().isoformat()}
            return [json.dumps(record, ensure_ascii=False) + "\n"], ref

        ref: str = self._own.append(make)
        return ref

    def issued_keys(self) -> list[str]:
        """Every issue line's key in this provider's file, repeats included (what tests count)."""
        return self._own.issued_keys()


def _elsewhere(record: dict[str, Any]) -> str:
    """Stored as the entry's last error, read by people of either language."""
    params = {"host": record.get("host") or "?", "file": record.get("file") or "?"}
    return " / ".join(t("comp.error.export_elsewhere", lang, **params) for lang in ("zh-CN", "en"))


def default_provider(data_dir: Path, clock: Clock | None = None, *, store: Store) -> CompensationProvider:
    """The export file under ``data_dir``, its idempotency record in ``store``'s database."""
    return ExportFileProvider(Path(data_dir) / "compensation", clock, store)
