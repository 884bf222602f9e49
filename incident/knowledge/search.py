"""Searching the knowledge base with the agents' own ranking.

The documents are the ACTIVE entries; the index, the terms and the BM25
ranking are incident/wording/search.py's (``Index``, ``Doc``, ``Hit``), so
「登不上」 finds last time's 「APP 登录失败」 exactly as it finds a live
incident's. Fields reuse that module's names and weights: the title as a
public title, the customers' questions as their own words (``samples``),
keywords as topics; the answer and the product/category weigh as the
sheet and the kind do (``kb_answer``, ``kb_scope``).

The index is rebuilt only when the set of active entries and their
versions changes (one light query tells); a caller holding a session
always sees its own transaction; with a store, a built index is trusted
for ``FRESH_SECONDS`` (an approval in this process refreshes at once).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.config import AppConfig
from incident.db import Store
from incident.i18n import LANGS, t
from incident.knowledge import texts as _texts  # noqa: F401
from incident.knowledge.content import answer_in, title_in
from incident.models import Incident
from incident.models_knowledge import KnowledgeEntry, KnowledgeVersion
from incident.timeutil import local
from incident.watch.classify import Rules, load_rules
from incident.wording.personalise import Customer, greeting
from incident.wording.search import Doc, Hit, Index, describe, tokens

FRESH_SECONDS = 1.0
SOURCE = "knowledge_base"  # what every answer from here says it is

_lock = threading.Lock()
_generation = 0
# owner (database URL) → (key, index, generation, checked at)
_cache: dict[str, tuple[tuple[Any, ...], Index, int, float]] = {}


def changed() -> None:
    """Called when an entry starts or stops answering, or changes."""
    global _generation
    with _lock:
        _generation += 1


def _owner(source: Session | Store) -> str:
    return str(source.get_bind().engine.url if isinstance(source, Session) else source.engine.url)


def _key(session: Session) -> tuple[Any, ...]:
    rows = session.execute(
        select(KnowledgeEntry.id, KnowledgeEntry.version)
        .where(KnowledgeEntry.status == "active")
        .order_by(KnowledgeEntry.id)
    ).all()
    return tuple(tuple(r) for r in rows)


def _index(source: Session | Store, config: AppConfig) -> Index:
    owner = _owner(source)
    now = time.monotonic()
    with _lock:
        cached, gen = _cache.get(owner), _generation
    if cached is not None and not isinstance(source, Session) and cached[2] == gen and now - cached[3] < FRESH_SECONDS:
        return cached[1]
    rules = load_rules(config.watch.topics_file)
    if isinstance(source, Session):
        return _refresh(source, owner, cached, gen, now, rules)
    with source.read() as session:
        return _refresh(session, owner, cached, gen, now, rules)


def _refresh(session: Session, owner: str, cached: tuple[Any, ...] | None, gen: int, now: float, rules: Rules) -> Index:
    key = _key(session)
    if cached is not None and cached[0] == key:
        built: Index = cached[1]
    else:
        built = _build(session, key, rules)
    with _lock:
        _cache[owner] = (key, built, gen, now)
    return built


def is_fresh(store: Store) -> bool:
    """True when a search needs no database now."""
    with _lock:
        cached = _cache.get(_owner(store))
        return cached is not None and cached[2] == _generation and time.monotonic() - cached[3] < FRESH_SECONDS


def _build(session: Session, key: tuple[Any, ...], rules: Rules) -> Index:
    rows = session.execute(
        select(KnowledgeEntry, KnowledgeVersion)
        .join(
            KnowledgeVersion,
            (KnowledgeVersion.entry_id == KnowledgeEntry.id) & (KnowledgeVersion.version == KnowledgeEntry.version),
        )
        .where(KnowledgeEntry.status == "active")
    ).all()
    ids = {e.source_incident_id for e, _ in rows if e.source_incident_id}
    titles: dict[int, str] = {}
    if ids:
        titles = {
            i: title for i, title in session.execute(select(Incident.id, Incident.title).where(Incident.id.in_(ids)))
        }
    docs = []
    for entry, version in rows:
        body = version.content or {}
        snap = SimpleNamespace(
            id=entry.id,
            ref=entry.ref,
            version=entry.version,
            source_incident_id=entry.source_incident_id,
            source_title=titles.get(entry.source_incident_id, ""),
            source_date=entry.source_closed_at or version.decided_at or entry.created_at,
            action=version.action,
        )
        docs.append(Doc(snap, SimpleNamespace(content=body, version=entry.version), _fields(body, rules)))
    return Index(key, docs)


def _fields(body: dict[str, Any], rules: Rules) -> dict[str, Counter[str]]:
    titles = [str((body.get("title") or {}).get(lang) or "") for lang in LANGS]
    answers = [str((body.get("answer") or {}).get(lang) or "") for lang in LANGS]
    questions = [str(q) for q in body.get("questions") or []]
    topics = set(body.get("topics") or [])
    topic_words = [w for w, of in (*rules.zh.items(), *rules.en.items()) if of & topics]
    fields = {
        "public_title": titles,
        "samples": questions,
        "kb_answer": answers,
        "kb_scope": [*(body.get("products") or []), *(body.get("categories") or [])],
        "topics": [*(body.get("keywords") or []), *topic_words],
    }
    return {name: Counter(tokens(" ".join(x for x in parts if x))) for name, parts in fields.items() if parts}


def _day(value: Any, config: AppConfig) -> str:
    return local(value, config.zone).date().isoformat() if value is not None else ""


def addressed(text: str, lang: str, customer: Customer | None) -> str:
    """The stored answer opens with the plain greeting (harvested with no
    customer): the customer in front of the agent is greeted by name, as a
    live reply does. Nothing else is filled in: last time's compensation is
    not this customer's."""
    plain = greeting(Customer(), lang)
    if customer is None or not text.startswith(plain):
        return text
    return greeting(customer, lang) + text[len(plain) :]


def answer(
    doc: Doc,
    config: AppConfig,
    lang: str,
    hit: Hit | None = None,
    why: list[Any] | None = None,
    customer: Customer | None = None,
) -> dict[str, Any]:
    """One knowledge-base answer, labelled as such: its entry, the source
    incident and its date, so that nobody takes it for a live incident's
    approved wording."""
    e, body = doc.incident, doc.sheet.content
    text, text_lang = answer_in(body, lang)
    text = addressed(text, text_lang, customer)
    source = f"INC-{e.source_incident_id}" if e.source_incident_id else None
    day = _day(e.source_date, config)
    label_key = "kb.label.from_incident" if source else "kb.label.manual"
    return {
        "source": SOURCE,
        "id": e.id,
        "ref": e.ref,
        "version": e.version,
        "title": title_in(body, lang),
        "answer": text,
        "lang": text_lang,
        "questions": list(body.get("questions") or [])[:5],
        "keywords": list(body.get("keywords") or []),
        "source_incident": source,
        "source_incident_title": e.source_title or None,
        "date": day,
        "label": t(label_key, lang, ref=e.ref, incident=source or "", date=day),
        "score": round(hit.score, 3) if hit is not None else None,
        "why": why or [],
        "why_text": describe(why, lang) if why else "",
    }


def find(
    source: Session | Store,
    config: AppConfig,
    q: str,
    lang: str = "zh-CN",
    limit: int = 3,
    customer: Customer | None = None,
) -> list[dict[str, Any]]:
    """The knowledge base's best answers for what the agent typed, best
    first (none when nothing fits: never a random entry)."""
    if not (q or "").strip():
        return []
    idx = _index(source, config)
    hits = idx.search(q)
    if not hits:
        return []
    best = hits[0].score
    # Close enough to the best to be worth a look, as the live alternatives.
    kept = [h for h in hits[: max(1, limit)] if h.score >= best * 0.3]
    return [answer(h.doc, config, lang, h, idx.explain(q, h), customer) for h in kept]


def browse(source: Session | Store, config: AppConfig, lang: str = "zh-CN") -> list[dict[str, Any]]:
    """Every active entry, newest first."""
    idx = _index(source, config)
    return [answer(d, config, lang) for d in sorted(idx.docs, key=lambda d: -d.incident.id)]
