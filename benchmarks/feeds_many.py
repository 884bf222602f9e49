"""Many small feeds: 2,000 sources of 1–20 entries each, polled through
``jobs.poll_all`` from a local HTTP server, against bare
``feedparser.parse`` of the same bytes in the same run.

The server runs in its own process (``python -m benchmarks.feeds_many
serve DIR PORT``, asyncio, keep-alive): it does not compete with the code
being measured for the GIL. Of the sources, half the healthy ones answer
with an ETag (and 304 to If-None-Match), the other half with no validator
at all; 5% are hostile: slow (headers after twice the deadline, or one
byte every 0.5 s) or failing (HTTP 500, connection reset, garbage).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import feedparser
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.watch import EN, ZH, _real_items  # noqa: E402
from incident.config import AppConfig  # noqa: E402
from incident.context import Context  # noqa: E402
from incident.db import Store  # noqa: E402
from incident.timeutil import FixedClock  # noqa: E402
from incident.watch import jobs  # noqa: E402

DEADLINE = 2.0  # seconds: the per-fetch deadline the benchmark configures
HOSTILE = ("slow", "trickle", "e500", "reset", "garbage")


def make_feeds(n: int, seed: int = 20) -> list[tuple[str, bytes]]:
    """(kind, body) per source: kinds "etag", "plain" or one of HOSTILE."""
    rng = random.Random(seed)
    real = _real_items()
    base = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
    hostile = set(rng.sample(range(n), n // 20))
    out = []
    for i in range(n):
        items = []
        for j in range(rng.randint(1, 20)):
            title, body, author = real[(i * 7 + j) % len(real)]
            if j % 4 == 0:
                title = f"顺丰 {rng.choice(ZH if (i + j) % 3 else EN)} {title}"
            when = (base + dt.timedelta(minutes=i + j)).strftime("%a, %d %b %Y %H:%M:%S +0000")
            items.append(
                f"<item><title>{escape(title)}</title><link>https://example.org/{i}/{j}</link>"
                f"<guid>https://example.org/{i}/{j}</guid><pubDate>{when}</pubDate>"
                f"<description><![CDATA[{body}]]></description><author>{escape(author or 'someone')}</author></item>"
            )
        doc = (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>source {i}</title>'
            + "".join(items)
            + "</channel></rss>"
        ).encode("utf-8")
        kind = HOSTILE[i % len(HOSTILE)] if i in hostile else ("etag" if i % 2 else "plain")
        out.append((kind, doc))
    return out


# ---- the server (its own process) ------------------------------------------------


async def _serve(www: Path, port: int) -> None:
    docs = {p.name: p.read_bytes() for p in www.iterdir()}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1].lstrip("/")
                headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
                if not await _answer(path, headers, docs, writer):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


async def _answer(path: str, headers: dict[str, str], docs: dict[str, bytes], writer: asyncio.StreamWriter) -> bool:
    """Answer one request; False when the connection must close."""
    kind, _, name = path.partition("-")
    body = docs.get(name, b"")
    if kind == "reset":
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        return False
    if kind == "slow":
        await asyncio.sleep(2 * DEADLINE)
    if kind == "trickle":
        writer.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(int(4 * DEADLINE / 0.5)):
            writer.write(b"X")
            await writer.drain()
            await asyncio.sleep(0.5)
        return False
    status, extra = "200 OK", ""
    if kind == "e500":
        status, body = "500 Internal Server Error", b"oops"
    elif kind == "garbage":
        body = bytes(random.Random(len(name)).randrange(256) for _ in range(3000))
    elif kind == "etag":
        tag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if headers.get("if-none-match") == tag:
            status, body = "304 Not Modified", b""
        extra = f"ETag: {tag}\r\n"
    writer.write(
        (
            f"HTTP/1.1 {status}\r\nContent-Type: application/rss+xml; charset=utf-8\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        + body
    )
    await writer.drain()
    return True


def serve_main(argv: list[str]) -> None:
    asyncio.run(_serve(Path(argv[0]), int(argv[1])))


# ---- the measurement ---------------------------------------------------------------


def _free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def _config(port: int, feeds: list[tuple[str, bytes]], only_healthy: bool = False) -> AppConfig:
    return AppConfig.model_validate(
        {
            "watch": {
                "brand_terms": ["顺丰"],
                "total_timeout_seconds": DEADLINE,
                "connect_timeout_seconds": DEADLINE,
                "read_timeout_seconds": DEADLINE,
            },
            "feeds": {
                f"s{i}": {"url": f"http://127.0.0.1:{port}/{kind}-s{i}.xml", "allow_private": True}
                for i, (kind, _) in enumerate(feeds)
                if not (only_healthy and kind in HOSTILE)
            },
        }
    )


def _poll(store: Store, config: AppConfig) -> tuple[float, list[Any]]:
    ctx = Context(config, "bench", FixedClock(dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc)))
    t0 = time.perf_counter()
    reports = jobs.poll_all(store, ctx)
    return time.perf_counter() - t0, reports


def bench_feeds_many(sources: int = 2000, url: str | None = None) -> dict[str, Any]:
    feeds = make_feeds(sources)
    healthy = [body for kind, body in feeds if kind not in HOSTILE]
    with tempfile.TemporaryDirectory() as tmp:
        www = Path(tmp) / "www"
        www.mkdir()
        for i, (_, body) in enumerate(feeds):
            (www / f"s{i}.xml").write_bytes(body)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.feeds_many", "serve", str(www), str(port)], cwd=ROOT
        )
        try:
            for _ in range(100):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/plain-s0.xml", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            t0 = time.perf_counter()
            for body in healthy:
                feedparser.parse(body)
            bare = time.perf_counter() - t0

            store = Store(url or f"sqlite:///{tmp}/many.db")
            config = _config(port, feeds)
            first, reports = _poll(store, config)
            repoll, again = _poll(store, config)
            healthy_only, _ = _poll(store, _config(port, feeds, only_healthy=True))
            store.dispose()
        finally:
            server.terminate()
            server.wait()
    return {
        "sources": sources,
        "healthy": len(healthy),
        "healthy_bytes": sum(map(len, healthy)),
        "bare_s": bare,
        "first_s": first,
        "repoll_s": repoll,
        "repoll_healthy_s": healthy_only,
        "first_new": sum(r.new for r in reports),
        "first_failed": sum(not r.ok for r in reports),
        "repoll_not_modified": sum(r.not_modified for r in again),
        "repoll_new_or_updated": sum(r.new + r.updated for r in again),
        "repoll_failed": sum(not r.ok for r in again),
        "errors": sorted({r.error_key for r in reports if not r.ok}),
    }


def report(r: dict[str, Any]) -> None:
    mb = r["healthy_bytes"] / 1e6
    print(
        f"\nmany small feeds: {r['sources']} sources of 1-20 entries from a local HTTP server (own process); "
        f"{r['sources'] - r['healthy']} hostile (slow past the {DEADLINE:.0f} s deadline, trickling, 500, reset, "
        "garbage); half the healthy ones with ETag, half with no validator"
    )
    print(
        f"  counted: the {r['healthy']} healthy sources' feed documents, {mb:.1f} MB, in both; the product's "
        "time is the wall time of poll_all over all sources, hostile ones included"
    )
    print(f"  bare feedparser.parse of those bytes: {r['bare_s']:.2f} s ({mb / r['bare_s']:.2f} MB/s)")
    for label, key in (("first poll (fresh SQLite)", "first_s"), ("unchanged re-poll", "repoll_s")):
        ratio = r["bare_s"] / r[key]
        print(
            f"  {label}: {r[key]:.2f} s ({mb / r[key]:.2f} MB/s), ratio {ratio:.2f} "
            f"(target >= 0.7: {'met' if ratio >= 0.7 else 'NOT met'})"
        )
    print(
        f"  first poll: {r['first_new']} entries stored, {r['first_failed']} sources failed ({', '.join(r['errors'])})"
    )
    print(
        f"  re-poll: {r['repoll_not_modified']} not modified (304 or same body), {r['repoll_new_or_updated']} "
        f"entries new or updated, {r['repoll_failed']} failed; {r['repoll_s']:.2f} s "
        f"(target < 10 s: {'met' if r['repoll_s'] < 10 else 'NOT met'})"
    )
    added = r["repoll_s"] - r["repoll_healthy_s"]
    print(
        f"  slow sources: the re-poll of the healthy sources alone took {r['repoll_healthy_s']:.2f} s; the hostile "
        f"ones added {added:.2f} s (deadline {DEADLINE:.1f} s: {'within' if added <= DEADLINE else 'NOT within'})"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve_main(sys.argv[2:])
    else:
        report(bench_feeds_many(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
