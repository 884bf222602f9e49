"""What an agent pulls for the customer in front of them: the approved
reply for a scenario, personalised, found by keywords (agents do not know
incident ids).

Only incidents with an APPROVED fact sheet are searched, so an agent never
gets a draft. The search index is rebuilt only when the set of approved
sheets changes (one light query tells), so a busy floor costs little.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.db import Store
from incident.enums import Status
from incident.errors import InputError, NotFoundError
from incident.i18n import LABELS, LANGS
from incident.models import FactSheet, Incident
from incident.wording import texts as _texts  # noqa: F401
from incident.wording.personalise import Customer
from incident.wording.render import render_reply
from incident.wording.templates import SCENARIOS, template_set

# Resolved incidents still bring calls for a while; closed ones do not.
ACTIVE = [s.value for s in Status if s != Status.CLOSED]

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")


# Characters that carry no topic in what customers say; bigrams made only
# of them ("我的", "一直") are dropped.
_FUNCTION = set("我你您他她它的了在是不没有就都也还很和与及或这那个吗呢啊吧嘛呀一直么怎什要能会")


def tokens(text: str) -> list[str]:
    """CJK runs as character bigrams, Latin and digits as lowercase words:
    no segmenter needed, and 「登录不了」 still meets 「无法登录」 on 登录."""
    text = (text or "").lower()
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            if run not in _FUNCTION:
                out.append(run)
            continue
        out.extend(
            b for b in (run[i : i + 2] for i in range(len(run) - 1)) if not (b[0] in _FUNCTION and b[1] in _FUNCTION)
        )
    out.extend(w for w in _WORD.findall(text) if len(w) > 1 or w.isdigit())
    return out


@dataclass
class _Doc:
    incident: Any
    sheet: Any
    terms: Counter[str]


@dataclass
class Index:
    key: tuple[Any, ...]
    docs: list[_Doc]
    df: Counter[str] = field(default_factory=Counter)
    generation: int = 0

    def idf(self, term: str) -> float:
        return math.log(1 + (len(self.docs) + 1) / (1 + self.df.get(term, 0)))

    def search(self, query: str) -> list[tuple[float, _Doc]]:
        """Documents sharing at least one distinctive term with the query
        (one found in at most half of them), best first; the score is the
        share of the query's weight they match."""
        q = set(tokens(query))
        if not q:
            return []
        total = sum(self.idf(t) for t in q)
        limit = max(1, len(self.docs) // 2)
        scored = []
        for doc in self.docs:
            matched = [t for t in q if t in doc.terms]
            if any(self.df.get(t, 0) <= limit for t in matched):
                scored.append((sum(self.idf(t) for t in matched) / total, doc))
        scored.sort(key=lambda p: (-p[0], -p[1].incident.id))
        return scored


_index: Index | None = None
_lock = threading.Lock()
_build_lock = threading.Lock()
_checked = 0.0
_generation = 0
_refreshing = False
# The database the caches were built from: one process normally serves one,
# but tests and tools may open several, and must never see another's index.
_owner = ""
# How long a built index is trusted before the database is asked whether
# the approved sheets changed. Approvals in this process bump the
# generation (refresh at once); other processes' show within about this
# time.
FRESH_SECONDS = 1.0


def changed() -> None:
    """Called when an approval, retraction or closure commits wording."""
    global _generation
    _generation += 1


def _doc_text(incident: Incident, sheet: FactSheet) -> str:
    parts = [incident.title, incident.summary or "", incident.impact or "", incident.dedup_key or ""]
    parts += [*incident.scope_channels, *incident.scope_regions, *incident.scope_products]
    parts += list(LABELS["kind"].get(incident.kind, ()))
    for value in sheet.content.values():
        if isinstance(value, dict):
            for lang in LANGS:
                v = value.get(lang)
                parts.extend(v if isinstance(v, list) else [v or ""])
    return " ".join(p for p in parts if p)


def _snapshot(obj: Any, names: tuple[str, ...]) -> SimpleNamespace:
    return SimpleNamespace(**{n: getattr(obj, n) for n in names})


def _caches(source: "Session | Store") -> tuple[Index, Any]:
    """The index and the template set.

    Current (built for this generation, checked within FRESH_SECONDS):
    returned as they are. Built for this generation but not checked lately,
    and asked with a store (the web app): returned as they are while ONE
    background thread re-checks the database — stale-while-revalidate, so
    that fifty agents arriving as the second ticks over do not all queue on
    the database (that queue was the pull's p99). Anything else (an
    approval in this process, the first call, a caller holding a session):
    checked now.
    """
    global _refreshing
    now = time.monotonic()
    owner = _owner_of(source)
    with _lock:
        cached, templates, gen = _index, _templates, _generation
        current = cached is not None and templates is not None and cached.generation == gen and _owner == owner
        fresh = current and now - _checked < FRESH_SECONDS
        # stale but current, asked with a store: served as it is, whether
        # this call starts the re-check or one is already under way (the web
        # app calls this on its event loop when is_fresh says so)
        serve_stale = current and not fresh and not isinstance(source, Session)
        revalidate = serve_stale and not _refreshing
        if revalidate:
            _refreshing = True
    if cached is not None and fresh:  # fresh and serve_stale imply current: both caches built
        return cached, templates
    if cached is not None and serve_stale:
        if revalidate:
            threading.Thread(target=_revalidate, args=(source,), name="wording-refresh", daemon=True).start()
        return cached, templates
    return _refresh(source)


def _owner_of(source: "Session | Store") -> str:
    return str(source.get_bind().engine.url if isinstance(source, Session) else source.engine.url)


def _revalidate(store: Store) -> None:
    global _refreshing
    try:
        _refresh(store)
    except Exception:  # noqa: BLE001 — the next lookup checks again, synchronously if need be
        pass
    finally:
        with _lock:
            _refreshing = False


def _refresh(source: "Session | Store") -> tuple[Index, Any]:
    # One build at a time: when a floor of agents meets a cold cache (the
    # first pulls after a start, an approval), the first caller builds and
    # the others wait and take its result. Forty threads building forty
    # indexes at once each held a copy until the last finished, and the
    # process never handed that peak back (benchmarks/README.md, serve).
    if isinstance(source, Session):
        # A caller's own transaction (the CLI, a test): built from what it
        # sees, its own uncommitted writes included, and never waiting for
        # the lock while it may hold the database's write lock.
        return _rebuild(source, _owner_of(source))
    arrived = time.monotonic()
    owner = _owner_of(source)
    with _build_lock:
        with _lock:
            # Built while we waited, from a look at the database taken
            # after we asked, for this generation: as good as our own.
            if (
                _index is not None
                and _templates is not None
                and _index.generation == _generation
                and _owner == owner
                and _checked >= arrived
            ):
                return _index, _templates
        return _rebuild(source, owner)


def _rebuild(source: "Session | Store", owner: str) -> tuple[Index, Any]:
    global _checked, _templates, _owner, _index
    now = time.monotonic()
    gen = _generation
    if owner != _owner:
        with _lock:
            _index = None  # another database's index must not be reused by key
    if isinstance(source, Session):
        built, found = _build(source, gen), template_set(source)
    else:
        with source.read() as session:
            built, found = _build(session, gen), template_set(session)
    with _lock:
        _templates = found
        _checked = now
        _owner = owner
    return built, found


def _build(session: Session, gen: int) -> Index:
    global _index
    key_rows = session.execute(
        select(FactSheet.incident_id, FactSheet.id, Incident.status, Incident.updated_at)
        .join(Incident, Incident.id == FactSheet.incident_id)
        .where(FactSheet.status == "approved", Incident.status.in_(ACTIVE))
        .order_by(FactSheet.incident_id)
    ).all()
    key = tuple(tuple(r) for r in key_rows)
    with _lock:
        if _index is not None and _index.key == key:
            _index.generation = gen
            return _index
    rows = session.execute(
        select(Incident, FactSheet)
        .join(FactSheet, FactSheet.incident_id == Incident.id)
        .where(FactSheet.status == "approved", Incident.status.in_(ACTIVE))
    ).all()
    docs = []
    for incident, sheet in rows:
        snap_i = _snapshot(incident, ("id", "ref", "title", "kind", "severity", "status", "declared_at"))
        snap_s = _snapshot(sheet, ("id", "version", "content"))
        docs.append(_Doc(snap_i, snap_s, Counter(tokens(_doc_text(incident, sheet)))))
    built = Index(key, docs, generation=gen)
    for doc in docs:
        built.df.update(set(doc.terms))
    with _lock:
        _index = built
    return built


_templates: Any = None


@dataclass(frozen=True)
class Reply:
    incident: Any
    fact_version: int
    scenario: str
    lang: str
    text: str
    warnings: list[dict[str, Any]]
    dos: list[str]
    donts: list[str]
    score: float | None
    alternatives: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        i = self.incident
        return {
            "incident": {
                "id": i.id,
                "ref": i.ref,
                "title": i.title,
                "kind": i.kind,
                "severity": i.severity,
                "status": i.status,
            },
            "fact_version": self.fact_version,
            "scenario": self.scenario,
            "lang": self.lang,
            "text": self.text,
            "warnings": self.warnings,
            "dos": self.dos,
            "donts": self.donts,
            "score": self.score,
            "alternatives": self.alternatives,
        }


def get_reply(
    session: "Session | Store",
    config: AppConfig,
    *,
    q: str | None = None,
    incident_id: int | None = None,
    scenario: str | None = None,
    lang: str = "zh-CN",
    customer: Customer | None = None,
) -> Reply:
    if scenario is not None and scenario not in SCENARIOS:
        raise InputError("wording.error.bad_scenario", value=scenario, allowed=", ".join(SCENARIOS))
    if lang not in LANGS:
        raise InputError("wording.error.bad_lang", value=lang)
    idx, templates = _caches(session)
    score: float | None = None
    alternatives: list[dict[str, Any]] = []
    if incident_id is not None:
        doc = next((d for d in idx.docs if d.incident.id == incident_id), None)
        if doc is None:
            raise NotFoundError("wording.error.no_approved_facts", ref=f"INC-{incident_id}")
    elif q and q.strip():
        hits = idx.search(q)
        if not hits:
            raise NotFoundError("wording.error.no_match", q=q.strip())
        score, doc = hits[0]
        alternatives = [
            {"id": d.incident.id, "ref": d.incident.ref, "title": d.incident.title, "score": round(s, 3)}
            for s, d in hits[1:4]
            if s >= hits[0][0] * 0.5
        ]
    else:
        raise InputError("wording.error.need_query")
    chosen = scenario or (doc.incident.kind if doc.incident.kind in SCENARIOS else "other")
    text, findings = render_reply(templates, config, doc.incident, doc.sheet, chosen, lang, customer or Customer())
    blocking = [f for f in findings if f.severity == "error"]
    if blocking:
        # Never hand an agent something the linter refuses (a leftover
        # placeholder, a full number): say so instead.
        raise InputError("wording.error.reply_unsafe", rule=blocking[0].rule, text=blocking[0].text)
    content = doc.sheet.content
    return Reply(
        incident=doc.incident,
        fact_version=doc.sheet.version,
        scenario=chosen,
        lang=lang,
        text=text,
        warnings=[
            {"rule": f.rule, "text": f.text, "suggestion": f.suggestion, "start": f.start, "end": f.end}
            for f in findings
        ],
        dos=list((content.get("dos") or {}).get(lang) or []),
        donts=list((content.get("donts") or {}).get(lang) or []),
        score=round(score, 3) if score is not None else None,
        alternatives=alternatives,
    )


def is_fresh(store: Store) -> bool:
    """True when a lookup needs no database now (the caches were built from
    this store for the current generation; a due re-check runs in the
    background)."""
    owner = _owner_of(store)
    with _lock:
        return _index is not None and _templates is not None and _index.generation == _generation and _owner == owner
