"""The demo's customer system (CRM): a short list of customers the outage
hit — orders that failed to pay, waybills that were never created — as a
centre imports it from its CRM once the incident is open. It goes in
through the customers API (``POST /api/incidents/{id}/customers``, the
same import service as a file or a pasted list), so the full numbers are
kept apart for the callbacks (incident/remedy/contact.py) and the calls
are scheduled and assigned to the agents at once: in the demo, "show
number" on one of these calls gives a number to dial with a ``tel:`` link.

The complainants the detection links are masked when they come in (their
numbers are not kept); these are the demo's only full numbers. The list
goes to the outage incident: the open system outage whose complainants are
already linked, so that the agents' loads are even when these arrive and
each agent gets some of them."""

from __future__ import annotations

from typing import Any

import httpx

# Made-up customers; the numbers follow the tests' 138-0000-xxxx pattern.
CUSTOMERS: list[dict[str, Any]] = [
    {
        "customer_ref": "CRM880101",
        "name": "周建华",
        "title": "先生",
        "contact": "+86 138-0000-8101",
        "order_ref": "HD880101",
        "amount_at_stake": "320",
        "category": "系统",
        "branch": "杭州",
    },
    {
        "customer_ref": "CRM880102",
        "name": "林秀英",
        "title": "女士",
        "contact": "+86 138-0000-8102",
        "order_ref": "HD880102",
        "amount_at_stake": "86",
        "category": "系统",
        "branch": "上海",
    },
    {
        "customer_ref": "CRM880103",
        "name": "Sarah Chen",
        "title": "Ms",
        "contact": "+86 138-0000-8103",
        "lang": "en",
        "order_ref": "HD880103",
        "amount_at_stake": "150",
        "category": "系统",
        "branch": "上海",
    },
    {
        "customer_ref": "CRM880104",
        "name": "赵志强",
        "title": "先生",
        "contact": "138 0000 8104",
        "order_ref": "HD880104",
        "amount_at_stake": "45",
        "category": "系统",
        "branch": "南京",
    },
    {
        "customer_ref": "CRM880105",
        "name": "吴娟",
        "title": "女士",
        "contact": "138-0000-8105",
        "order_ref": "HD880105",
        "amount_at_stake": "210",
        "category": "系统",
        "branch": "苏州",
    },
    {
        "customer_ref": "CRM880106",
        "name": "郭明",
        "title": "先生",
        "contact": "+86 138-0000-8106",
        "order_ref": "HD880106",
        "amount_at_stake": "99",
        "category": "系统",
        "branch": "杭州",
    },
]


def outage(client: httpx.Client) -> int | None:
    """The open system outage whose complainants are linked (the one the
    detection opened), or None while there is none yet."""
    found = client.get("/api/incidents", params={"kind": "system_outage", "state": "open"})
    found.raise_for_status()
    for iid in sorted(row["id"] for row in found.json()["incidents"]):
        linked = client.get(f"/api/incidents/{iid}/customers", params={"limit": 1})
        linked.raise_for_status()
        if linked.json()["total"]:
            return int(iid)
    return None


def import_customers(client: httpx.Client) -> int | None:
    """Post the list to the outage incident; its id, or None when there is
    no such incident yet (try again later). Idempotent: the customers API
    takes a customer once per incident and schedules a call once."""
    iid = outage(client)
    if iid is None:
        return None
    posted = client.post(f"/api/incidents/{iid}/customers", json=CUSTOMERS)
    posted.raise_for_status()
    return iid
