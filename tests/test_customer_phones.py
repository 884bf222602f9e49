"""The number the centre dials (issue 23 point 8): an imported customer's
dialable number is kept apart at intake (the customer row keeps the last
four digits), shown only by a callback's "show number" (recorded on the
timeline, never carrying the number), and deleted by the sweep
``[callbacks].phone_keep_days`` after the incident is closed and the
customer's callbacks are over. SQLite and, with INCIDENT_TEST_DATABASE_URL,
PostgreSQL; the tests' fixed clock."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update

from incident.context import Context
from incident.enums import EventType
from incident.models import AffectedCustomer, Callback, Incident, TimelineEvent
from incident.models_people import CustomerPhone
from incident.remedy import callbacks, contact, customers
from incident.timeutil import FixedClock
from tests.test_web_remedy import make_callbacks
from tests.test_wording import approved_sheet, declare


def test_intake_keeps_the_number_apart_and_only_show_number_gives_it(store, ctx):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    with store.transaction() as s:
        customers.ingest(
            s,
            ctx,
            iid,
            [
                (1, {"customer_ref": "P1", "name": "王小明", "contact": "+86 138-0000-1414"}),
                (2, {"customer_ref": "P2", "name": "李四", "contact": "li.si@example.com"}),
                (3, {"customer_ref": "P3", "name": "赵六", "contact": "****0003"}),
            ],
        )
    with store.read() as s:
        rows = {c.customer_ref: c for c in s.scalars(select(AffectedCustomer))}
        kept = {n.customer_id: n.number for n in s.scalars(select(CustomerPhone))}
    assert rows["P1"].contact == "****1414" and kept == {rows["P1"].id: "+86 138-0000-1414"}
    # Nothing that reads customers carries it.
    assert "138-0000" not in json.dumps([dict(vars(c)) for c in rows.values()], default=str)
    with store.transaction() as s:  # the calls owed to the three
        callbacks.schedule(s, ctx, s.get(Incident, iid))
        callbacks.assign(s, ctx)
        by_customer = {cb.customer_id: cb.id for cb in s.scalars(select(Callback))}
    with store.transaction() as s:
        shown = contact.reveal(s, ctx, by_customer[rows["P1"].id], everyone=True)
        masked_only = contact.reveal(s, ctx, by_customer[rows["P3"].id], everyone=True)
    assert (shown.contact, shown.tel) == ("+86 138-0000-1414", "tel:+8613800001414")
    assert (masked_only.contact, masked_only.tel) == ("****0003", None)
    # Issue 23's trial: nothing to reveal (masked at intake, no number kept) is not recorded as a showing.
    assert shown.recorded and not masked_only.recorded
    with store.read() as s:
        events = list(s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == iid)))
    revealed = [e.data for e in events if e.type == EventType.CONTACT_REVEALED.value]
    assert revealed == [{"callback": by_customer[rows["P1"].id], "customer": "P1"}]
    assert "1414" not in json.dumps([e.data for e in events], ensure_ascii=False).replace("****1414", "")
    assert "138-0000" not in json.dumps([e.data for e in events], ensure_ascii=False)


def test_the_sweep_deletes_a_number_once_no_call_needs_it(store, ctx):
    iid = declare(store, ctx)
    approved_sheet(store, ctx, iid)
    calls = make_callbacks(store, ctx, iid, [("Q1", "王小明"), ("Q2", "李四")])
    now = ctx.clock.now()
    keep = ctx.config.callbacks.phone_keep_days
    assert keep == 7

    def numbers() -> int:
        with store.read() as s:
            return len(list(s.scalars(select(CustomerPhone))))

    assert numbers() == 2
    # Incident closed, calls over, but only just: kept.
    with store.transaction() as s:
        s.execute(update(Incident).where(Incident.id == iid).values(status="closed", closed_at=now, resolved_at=now))
        s.execute(update(Callback).where(Callback.id == calls["Q1"][0]).values(status="done", closed_at=now))
    later = Context(ctx.config, "system", FixedClock(now + dt.timedelta(days=keep, hours=1)))
    with store.transaction() as s:
        assert contact.purge_phones(s, ctx) == 0
    # A week on: Q1's number goes; Q2 still has an open call, so its number stays.
    with store.transaction() as s:
        report = callbacks.sweep(s, later)
    assert report.phones_purged == 1 and numbers() == 1
    # Once Q2's call is over too (and the retention has passed since), it goes as well.
    with store.transaction() as s:
        s.execute(update(Callback).where(Callback.id == calls["Q2"][0]).values(status="unreached", closed_at=now))
        assert contact.purge_phones(s, later) == 1
    assert numbers() == 0
