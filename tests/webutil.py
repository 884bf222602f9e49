"""Helpers of the web tests: a runtime on the test database, users, and a
signed-in httpx client against a real uvicorn server."""

from __future__ import annotations

import re

import httpx

from incident.access import users
from incident.runtime import Runtime

PASSWORD = "correct-horse-9"


def web_runtime(db_url, config, clock):  # type: ignore[no-untyped-def]
    rt = Runtime.build(database_url=db_url)
    rt.config, rt.clock = config, clock
    return rt


def add_user(rt: Runtime, name: str, roles: str, password: str | None = PASSWORD, **kw) -> None:  # type: ignore[no-untyped-def]
    with rt.store.transaction() as s:
        users.add(s, rt.config, rt.clock.now(), username=name, roles=roles, password=password, **kw)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(
    base: str, name: str, password: str = PASSWORD, headers: dict[str, str] | None = None
) -> tuple[httpx.Client, str]:
    """A client signed in as ``name`` and the session's CSRF token."""
    client = httpx.Client(base_url=base, timeout=30, headers=headers)
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "username": name, "password": password, "next": "/"})
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return client, csrf_of(client.get("/").text)
