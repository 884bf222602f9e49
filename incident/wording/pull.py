"""What an agent pulls for the customer in front of them: the approved
reply for a scenario, personalised, found by keywords (agents do not know
incident ids).

Only incidents with an APPROVED fact sheet are searched, so an agent never
gets a draft. The search index is rebuilt only when the set of approved
sheets changes (one light query tells), so a busy floor costs little.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.db import Store
from incident.enums import Status
from incident.errors import InputError, NotFoundError
from incident.i18n import LABELS, LANGS
from incident.incidents import parse_id
from incident.models import FactSheet, Incident, Signal
from incident.watch.classify import Rules, load_rules
from incident.wording import factsheet
from incident.wording import texts as _texts  # noqa: F401
from incident.wording.personalise import Customer
from incident.wording.render import render_reply
from incident.wording.search import Doc, Hit, Index, describe, tokens
from incident.wording.templates import SCENARIOS, template_set

# Resolved incidents still bring calls for a while; closed ones do not.
ACTIVE = [s.value for s in Status if s != Status.CLOSED]
# "INC-12", "inc12", "#12": an incident; anything else is words (a bare
# number may be a waybill the customer read out).
REF = re.compile(r"(?i)\s*(?:inc-?|#)\s*\d+\s*")
ALTERNATIVES = 3  # alternatives listed by default
SAMPLES_PER_INCIDENT = 60  # sample complaints indexed per incident (the newest signals')
_SHEET_MAIN = ("what", "scope", "cause", "fix", "workaround")
# Fields that say how to reach us, the same on every sheet: not what the
# incident is about, so not searched ("热线" would find them all).
_SHEET_SKIP = ("public_title", "support_channel")
# Fields too generic to carry concepts: the kind's name is shared by a
# dozen incidents, the topics' keyword lists name every symptom of a topic
# and the extras are boilerplate more often than not; their words still
# count, at their lower weights.
_NO_CONCEPTS = ("kind", "topics", "sheet_extra")

__all__ = ["Doc", "Hit", "Index", "tokens", "get_reply", "browse", "changed", "is_fresh"]


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


def _both(value: Any) -> list[str]:
    """Both languages of a sheet field ({lang: text} or {lang: [texts]})."""
    out: list[str] = []
    if isinstance(value, dict):
        for lang in LANGS:
            v = value.get(lang)
            out.extend(v if isinstance(v, list) else [v or ""])
    return [x for x in out if isinstance(x, str) and x]


def _topic_words(rules: Rules, topics: set[str]) -> list[str]:
    words = [w for w, of in (*rules.zh.items(), *rules.en.items()) if of & topics]
    return words + [label for name in topics for label in rules.labels.get(name, ())]


def _fields(incident: Incident, sheet: FactSheet, samples: list[str], rules: Rules) -> dict[str, Counter[str]]:
    """The searchable fields of one approved wording (search.FIELD_WEIGHTS)."""
    content = sheet.content or {}
    main = [x for f in _SHEET_MAIN for x in _both(content.get(f))]
    extra = [x for f, v in content.items() if f not in (*_SHEET_MAIN, *_SHEET_SKIP) for x in _both(v)]
    scope = [*incident.scope_channels, *incident.scope_regions, *incident.scope_products]
    title = [incident.title, incident.summary or "", incident.impact or "", *scope]
    # The topics this incident is about: what its complaints, title and
    # sheet say by the watch's own rules; their keywords are what other
    # customers will say about it.
    topics = {m for text in (*samples, *title, *main) for m in rules.classify(text).topics}
    fields = {
        "public_title": _both(content.get("public_title")),
        "title": title,
        "sheet": main,
        "sheet_extra": extra,
        "samples": samples,
        "topics": _topic_words(rules, topics),
        "kind": list(LABELS["kind"].get(incident.kind, ())),
    }
    return {
        name: Counter(tokens(" ".join(x for x in parts if x), name not in _NO_CONCEPTS))
        for name, parts in fields.items()
        if parts
    }


def _samples(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """What customers said, from the incidents' signals, newest first."""
    out: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(Signal.incident_id, Signal.detail).where(Signal.incident_id.in_(ids)).order_by(Signal.id.desc())
    )
    for incident_id, detail in rows:
        texts = out[incident_id]
        for sample in (detail or {}).get("samples") or []:
            text = sample.get("text") or sample.get("title") if isinstance(sample, dict) else None
            if text and len(texts) < SAMPLES_PER_INCIDENT and text not in texts:
                texts.append(str(text))
    return out


def _snapshot(obj: Any, names: tuple[str, ...]) -> SimpleNamespace:
    return SimpleNamespace(**{n: getattr(obj, n) for n in names})


def _caches(source: "Session | Store", rules: Rules) -> tuple[Index, Any]:
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
            threading.Thread(target=_revalidate, args=(source, rules), name="wording-refresh", daemon=True).start()
        return cached, templates
    return _refresh(source, rules)


def _owner_of(source: "Session | Store") -> str:
    return str(source.get_bind().engine.url if isinstance(source, Session) else source.engine.url)


def _revalidate(store: Store, rules: Rules) -> None:
    global _refreshing
    try:
        _refresh(store, rules)
    except Exception:  # noqa: BLE001 — the next lookup checks again, synchronously if need be
        pass
    finally:
        with _lock:
            _refreshing = False


def _refresh(source: "Session | Store", rules: Rules) -> tuple[Index, Any]:
    # One build at a time: when a floor of agents meets a cold cache (the
    # first pulls after a start, an approval), the first caller builds and
    # the others wait and take its result. Forty threads building forty
    # indexes at once each held a copy until the last finished, and the
    # process never handed that peak back (benchmarks/README.md, serve).
    if isinstance(source, Session):
        # A caller's own transaction (the CLI, a test): built from what it
        # sees, its own uncommitted writes included, and never waiting for
        # the lock while it may hold the database's write lock.
        return _rebuild(source, _owner_of(source), rules)
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
        return _rebuild(source, owner, rules)


def _rebuild(source: "Session | Store", owner: str, rules: Rules) -> tuple[Index, Any]:
    global _checked, _templates, _owner, _index
    now = time.monotonic()
    gen = _generation
    if owner != _owner:
        with _lock:
            _index = None  # another database's index must not be reused by key
    if isinstance(source, Session):
        built, found = _build(source, gen, rules), template_set(source)
    else:
        with source.read() as session:
            built, found = _build(session, gen, rules), template_set(session)
    with _lock:
        _templates = found
        _checked = now
        _owner = owner
    return built, found


def _build(session: Session, gen: int, rules: Rules) -> Index:
    global _index
    key_rows = session.execute(
        select(FactSheet.incident_id, FactSheet.id, Incident.status, Incident.updated_at)
        .join(Incident, Incident.id == FactSheet.incident_id)
        .where(FactSheet.status == "approved", Incident.status.in_(ACTIVE))
        .order_by(FactSheet.incident_id)
    ).all()
    # a new signal brings new sample complaints to index
    newest_signal = session.scalar(select(func.max(Signal.id)).where(Signal.incident_id.is_not(None)))
    key = (*(tuple(r) for r in key_rows), newest_signal)
    with _lock:
        if _index is not None and _index.key == key:
            _index.generation = gen
            return _index
    rows = session.execute(
        select(Incident, FactSheet)
        .join(FactSheet, FactSheet.incident_id == Incident.id)
        .where(FactSheet.status == "approved", Incident.status.in_(ACTIVE))
    ).all()
    samples = _samples(session, [incident.id for incident, _ in rows])
    docs = []
    for incident, sheet in rows:
        snap_i = _snapshot(incident, ("id", "ref", "title", "kind", "severity", "status", "declared_at"))
        snap_s = _snapshot(sheet, ("id", "version", "content", "approved_at"))
        fields = _fields(incident, sheet, samples[incident.id], rules)
        docs.append(Doc(snap_i, snap_s, fields, volume=len(samples[incident.id])))
    built = Index(key, docs, generation=gen)
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
    public_title: str = ""
    why: list[dict[str, Any]] = field(default_factory=list)
    why_text: str = ""

    def as_json(self) -> dict[str, Any]:
        i = self.incident
        return {
            "incident": {
                "id": i.id,
                "ref": i.ref,
                "title": i.title,
                "public_title": self.public_title,
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
            "why": self.why,
            "why_text": self.why_text,
            "alternatives": self.alternatives,
        }


def _public_title(doc: Doc, lang: str) -> str:
    # Agents (internal) may see the Chinese title when no English one is written.
    content = doc.sheet.content or {}
    return factsheet.public_title(content, lang) or factsheet.public_title(content, "zh-CN") or ""


def _summary(doc: Doc, lang: str) -> dict[str, Any]:
    """One approved wording in a list (alternatives, the browse list)."""
    i, what = doc.incident, (doc.sheet.content or {}).get("what") or {}
    return {
        "id": i.id,
        "ref": i.ref,
        "title": i.title,
        "public_title": _public_title(doc, lang),
        "kind": i.kind,
        "severity": i.severity,
        "status": i.status,
        "fact_version": doc.sheet.version,
        "what": str(what.get(lang) or what.get("zh-CN") or "") if isinstance(what, dict) else "",
    }


def _exists(source: "Session | Store", incident_id: int) -> bool:
    if isinstance(source, Session):
        return source.get(Incident, incident_id) is not None
    with source.read() as session:
        return session.get(Incident, incident_id) is not None


def _by_id(source: "Session | Store", idx: Index, incident_id: int) -> Doc:
    doc = next((d for d in idx.docs if d.incident.id == incident_id), None)
    if doc is not None:
        return doc
    if not _exists(source, incident_id):
        raise NotFoundError("wording.error.no_such_incident", ref=f"INC-{incident_id}")
    raise NotFoundError("wording.error.no_approved_facts", ref=f"INC-{incident_id}")


def _find(idx: Index, q: str, lang: str, limit: int) -> tuple[Hit, list[dict[str, Any]]]:
    hits = idx.search(q)
    if not hits:
        raise NotFoundError("wording.error.no_match", q=q.strip())
    best = hits[0]
    best.why = idx.explain(q, best)
    alternatives = []
    # Alternatives close enough to be worth a look: an agent reads the
    # first line only when nothing else is near it.
    for hit in hits[1 : 1 + limit]:
        if hit.score < best.score * 0.3:
            break
        why = idx.explain(q, hit)
        alternatives.append(
            {**_summary(hit.doc, lang), "score": round(hit.score, 3), "why": why, "why_text": describe(why, lang)}
        )
    return best, alternatives


def get_reply(
    session: "Session | Store",
    config: AppConfig,
    *,
    q: str | None = None,
    incident_id: int | None = None,
    scenario: str | None = None,
    lang: str = "zh-CN",
    customer: Customer | None = None,
    alternatives: int = ALTERNATIVES,
    now: dt.datetime | None = None,
) -> Reply:
    """The approved reply for what the agent typed (``q``: the customer's
    words, or an incident number such as INC-12) or for ``incident_id``,
    with up to ``alternatives`` other wordings that also fit and why.
    ``now`` is the caller's clock: an ETA in another year says its year."""
    if scenario is not None and scenario not in SCENARIOS:
        raise InputError("wording.error.bad_scenario", value=scenario, allowed=", ".join(SCENARIOS))
    if lang not in LANGS:
        raise InputError("wording.error.bad_lang", value=lang)
    if incident_id is None and q and REF.fullmatch(q):
        incident_id, q = parse_id(q), None
    idx, templates = _caches(session, load_rules(config.watch.topics_file))
    hit: Hit | None = None
    others: list[dict[str, Any]] = []
    if incident_id is not None:
        doc = _by_id(session, idx, incident_id)
    elif q and q.strip():
        hit, others = _find(idx, q, lang, max(0, alternatives))
        doc = hit.doc
    else:
        raise InputError("wording.error.need_query")
    chosen = scenario or (doc.incident.kind if doc.incident.kind in SCENARIOS else "other")
    text, findings = render_reply(
        templates, config, doc.incident, doc.sheet, chosen, lang, customer or Customer(), now=now
    )
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
        score=round(hit.score, 3) if hit is not None else None,
        alternatives=others,
        public_title=_public_title(doc, lang),
        why=hit.why if hit is not None else [],
        why_text=describe(hit.why, lang) if hit is not None else "",
    )


def find(session: "Session | Store", config: AppConfig, q: str, lang: str = "zh-CN", limit: int = 5) -> list[Hit]:
    """The ranked hits alone, no reply rendered (the benchmark, tools)."""
    idx, _ = _caches(session, load_rules(config.watch.topics_file))
    return idx.search(q)[:limit]


def browse(session: "Session | Store", config: AppConfig, lang: str = "zh-CN") -> list[dict[str, Any]]:
    """Every approved wording of an active or resolved incident, most
    severe first, then newest."""
    idx, _ = _caches(session, load_rules(config.watch.topics_file))
    docs = sorted(idx.docs, key=lambda d: (d.incident.severity, -d.incident.id))
    return [_summary(d, lang) for d in docs]


def is_fresh(store: Store) -> bool:
    """True when a lookup needs no database now (the caches were built from
    this store for the current generation; a due re-check runs in the
    background)."""
    owner = _owner_of(store)
    with _lock:
        return _index is not None and _templates is not None and _index.generation == _generation and _owner == owner
