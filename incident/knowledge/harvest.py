"""When an incident closes, what it taught becomes a knowledge-base entry
(issue 24 point 2; 001 §4.1): the approved fact sheet's agent reply, in
each language the sheet is written in, and the questions its customers
asked, so that the next time customers say the same words the agents
find last time's answer.

The entry starts ACTIVE: its answer is the reply rendered from a sheet two
people already approved (incident/wording/approval.py), rendered and
linted as agents received it while the incident was live, less what was
promised or explained to that incident's customers only (compensation,
cause, fix, ETA: a later customer's are not approved); the
questions are only what the search matches on, masked again here. A new
entry waiting for a second approval would leave the recurring problem's
answer unfindable in the weeks right after the incident, when it is most
needed; anyone who finds it wrong proposes an edit or its retirement.

Idempotent: an incident's entry is found by its ``harvest_key`` and
never made twice (a retired entry stays retired).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.context import Context
from incident.i18n import LABELS, LANGS
from incident.knowledge import content as kbcontent
from incident.knowledge import search
from incident.models import AffectedCustomer, Complaint, FactSheet, Incident, Signal
from incident.models_knowledge import KnowledgeEntry, KnowledgeVersion
from incident.watch.classify import load_rules
from incident.wording import approval, factsheet
from incident.wording.personalise import Customer
from incident.wording.render import render_reply
from incident.wording.search import tokens
from incident.wording.templates import SCENARIOS, template_set

QUESTIONS = 8  # representative questions kept per incident
_POOL = 500  # complaint texts looked at per incident, at most


def key_of(incident_id: int) -> str:
    return f"incident:{incident_id}"


def harvest(session: Session, ctx: Context, incident: Incident) -> KnowledgeEntry | None:
    """The incident's entry: made now from its approved sheet, or the one
    made before. None when it has no approved sheet (nothing was ever
    approved to say) or no reply could be rendered safely."""
    found = session.scalar(select(KnowledgeEntry).where(KnowledgeEntry.harvest_key == key_of(incident.id)))
    if found is not None:
        return found
    sheet = factsheet.approved(session, incident.id)
    if sheet is None:
        return None
    body = _content(session, ctx, incident, sheet)
    if not any(body["answer"].values()):
        return None
    now = ctx.clock.now()
    closer = ctx.actor
    entry = KnowledgeEntry(
        status="active",
        version=1,
        source_incident_id=incident.id,
        harvest_key=key_of(incident.id),
        source_closed_at=incident.closed_at or now,
        created_by=closer,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    signers = ", ".join(a.approver for a in approval.signoffs(session, "fact_sheet", sheet.id))
    session.add(
        KnowledgeVersion(
            entry_id=entry.id,
            version=1,
            action="harvest",
            status="approved",
            content=body,
            note=f"INC-{incident.id} fact sheet v{sheet.version}",
            proposed_by=closer,
            proposed_at=now,
            decided_by=(signers or closer)[:100],
            decided_at=sheet.approved_at or now,
        )
    )
    session.flush()
    search.changed()
    return entry


def _content(session: Session, ctx: Context, incident: Incident, sheet: FactSheet) -> dict[str, Any]:
    raw_questions = questions(session, incident)
    rules = load_rules(ctx.config.watch.topics_file)
    title = {lang: factsheet.public_title(sheet.content, lang) or "" for lang in LANGS}
    title["zh-CN"] = title["zh-CN"] or incident.title
    topics = sorted({m for text in (*raw_questions, *title.values()) for m in rules.classify(text).topics})
    keywords = [word for name in topics for word in rules.labels.get(name, ())]
    keywords += list(LABELS["kind"].get(incident.kind, ()))
    categories, products = _dimensions(session, incident)
    body = kbcontent.empty()
    body.update(
        title=title,
        answer=_answers(session, ctx, incident, sheet),
        questions=raw_questions,
        keywords=list(dict.fromkeys(keywords))[: kbcontent.KEYWORDS_MAX],
        topics=topics,
        products=products,
        categories=categories,
    )
    return body


_NOT_KEPT = ("compensation", "compensation_amount", "cause", "fix", "eta")


def _answers(session: Session, ctx: Context, incident: Incident, sheet: FactSheet) -> dict[str, str]:
    """The agent reply in each language the sheet is written in, as the
    lookup rendered it (no customer: the plain greeting); a language whose
    rendering the linter refuses is left out rather than kept unsafe."""
    templates = template_set(session)
    scenario = incident.kind if incident.kind in SCENARIOS else "other"
    # Last time's promises and internals stay with last time: the entry
    # answers a customer of a later day, for whom that compensation, cause,
    # fix and ETA are not approved (a transient copy, never stored).
    sheet = FactSheet(
        incident_id=sheet.incident_id,
        version=sheet.version,
        status=sheet.status,
        content={k: v for k, v in (sheet.content or {}).items() if k not in _NOT_KEPT},
    )
    out = {}
    for lang in LANGS:
        what = (sheet.content.get("what") or {}).get(lang)
        if not what:
            out[lang] = ""
            continue
        text, findings = render_reply(
            templates, ctx.config, incident, sheet, scenario, lang, Customer(), now=ctx.clock.now()
        )
        out[lang] = "" if any(f.severity == "error" for f in findings) else text.strip()[: kbcontent.ANSWER_MAX]
    return out


def questions(session: Session, incident: Incident, limit: int = QUESTIONS) -> list[str]:
    """Representative questions from the incident's complaints: the texts
    its signals sampled and those of its affected customers' complaints,
    scrubbed of personal data, the most frequent phrasings first, each
    adding words the ones before did not have."""
    texts, names, refs = _complaint_texts(session, incident)
    if refs:
        found = session.scalars(select(Complaint.customer_name).where(Complaint.external_id.in_(sorted(refs)[:_POOL])))
        names.update(n for n in found if n)
    cleaned = [kbcontent.scrub(x, names) for x in texts]
    return representative([x for x in cleaned if len(x) >= 2], limit)


def _complaint_texts(session: Session, incident: Incident) -> tuple[list[str], set[str], set[str]]:
    texts: list[str] = []
    refs: set[str] = set()
    details = session.scalars(select(Signal.detail).where(Signal.incident_id == incident.id).order_by(Signal.id))
    for detail in details:
        for sample in (detail or {}).get("samples") or []:
            if isinstance(sample, dict) and sample.get("type") == "complaint" and sample.get("text"):
                texts.append(str(sample["text"]))
                if sample.get("id"):
                    refs.add(str(sample["id"]))
    names: set[str] = set()
    rows = session.execute(
        select(AffectedCustomer.name, Complaint.customer_name, Complaint.text)
        .outerjoin(Complaint, Complaint.id == AffectedCustomer.complaint_id)
        .where(AffectedCustomer.incident_id == incident.id)
        .limit(_POOL)
    )
    for affected_name, complaint_name, text in rows:
        names.update(n for n in (affected_name, complaint_name) if n)
        if text:
            texts.append(text)
    return texts[:_POOL], names, refs


def representative(texts: list[str], limit: int) -> list[str]:
    """Greedy cover: each time the phrasing that brings the most terms not
    yet covered, weighted by how often it was said; a text that adds
    nothing is a repeat of what is kept."""
    counts = Counter(texts)
    terms = {x: set(tokens(x)) for x in counts}
    chosen: list[str] = []
    covered: set[str] = set()
    while len(chosen) < limit:
        best, gain = None, 0.0
        for text, n in counts.items():
            if text in chosen:
                continue
            new = len(terms[text] - covered)
            score = new * (1 + math.log(n))
            if new and score > gain:
                best, gain = text, score
        if best is None:
            break
        chosen.append(best)
        covered |= terms[best]
    return chosen


def dimension_values(values: list[str | None], limit: int = 5) -> list[str]:
    return [v for v, _ in Counter(v for v in values if v).most_common(limit)]


def _dimensions(session: Session, incident: Incident) -> tuple[list[str], list[str]]:
    """Categories and products where known: the incident's scope, its
    signals' series (``complaints/category=系统``) and its customers."""
    categories: list[str | None] = []
    for series_key in session.scalars(select(Signal.series_key).where(Signal.incident_id == incident.id)):
        dim, _, value = series_key.partition("/")[2].partition("=")
        if dim == "category":
            categories.append(value)
    rows = session.execute(
        select(AffectedCustomer.category, Complaint.product)
        .outerjoin(Complaint, Complaint.id == AffectedCustomer.complaint_id)
        .where(AffectedCustomer.incident_id == incident.id)
        .limit(_POOL)
    ).all()
    categories += [c for c, _ in rows]
    products = list(incident.scope_products) + [p for _, p in rows if p]
    return dimension_values(categories), dimension_values(products)
