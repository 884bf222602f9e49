"""Polling many feeds at once: fetch concurrently, parse off the event
loop, store in batches.

- Fetching: asyncio with one shared httpx.AsyncClient, at most
  ``watch.fetch_concurrency`` sources in flight; every fetch has its own hard
  deadline (incident.watch.fetch), so a slow source holds one slot for at
  most that long and never delays the others.
- Unchanged: a 304, or a body whose sha256 is the one stored last time (a
  server without ETag/Last-Modified), is recorded as not modified without
  being parsed or stored.
- Parsing is CPU-bound (feedparser, pure Python): on the loop it would
  stall every fetch in flight. A few bodies go to one thread; a poll of many
  sources on a machine with several cores parses in a pool of processes
  (forkserver: the workers are forked from a clean process, not from this
  one with its threads and open connections).
- Storing: whatever has arrived is stored in one transaction by one writer
  thread (SQLite has one writer anyway), each source in a SAVEPOINT of its
  own, so one source's database error loses nothing of the others; an
  unexpected error of any kind ends up in the source's health as
  ``feed.error.internal``, never only in a log.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from incident.config import FeedSource, WatchConfig
from incident.context import Context
from incident.db import Store
from incident.models import FeedSourceState
from incident.watch import feeds
from incident.watch.classify import Rules, rules_for
from incident.watch.feedparse import Parsed, parse
from incident.watch.fetch import FetchError, async_client, fetch_async

log = logging.getLogger("incident.watch")

Progress = Callable[[int, int], None]
T = TypeVar("T")

CLIENT_POOL = 8  # connections per httpx client (see _clients)
BATCH = 200  # sources stored per transaction, at most
PROCESS_POOL_MIN = 64  # sources in a poll before parsing goes to processes
REASON_MAX = 300


@dataclass
class Outcome:
    """What the network side found for one source, before storing."""

    name: str
    parsed: Parsed | None = None
    error: FetchError | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    body_sha: str | None = None


def internal(exc: BaseException) -> FetchError:
    """An unexpected failure as a health record: the translated sentence
    ``feed.error.internal`` with the exception's name (and text) as its
    reason."""
    return FetchError("feed.error.internal", reason=f"{type(exc).__name__}: {exc}"[:REASON_MAX])


def parse_job(body: bytes, headers: dict[str, str]) -> tuple[str, Any]:
    """Parse in a worker: the result as plain data, because an exception
    with keyword parameters does not survive pickling back."""
    try:
        return "ok", parse(body, headers)
    except FetchError as exc:
        return "error", (exc.key, exc.transient, exc.params)
    except Exception as exc:  # a parser bug on one body is that source's failure
        return "error", ("feed.error.internal", False, {"reason": f"{type(exc).__name__}: {exc}"[:REASON_MAX]})


class Parser:
    """Where bodies are parsed: one thread, or processes for many sources."""

    def __init__(self, sources: int) -> None:
        cores = os.cpu_count() or 1
        self._processes = cores if sources >= PROCESS_POOL_MIN and cores > 1 else 0
        self._pool: cf.Executor | None = None
        self._starting: asyncio.Future[cf.Executor] | None = None

    async def parse(self, body: bytes, headers: dict[str, str]) -> Parsed:
        loop = asyncio.get_running_loop()
        if self._starting is None:
            # Made on first need (an unchanged re-poll parses nothing and
            # pays for no process), and not on the loop: starting processes
            # blocks for a while, and every fetch in flight would wait.
            self._starting = loop.run_in_executor(None, self._make)
        pool = await self._starting
        kind, value = await loop.run_in_executor(pool, parse_job, body, headers)
        if kind == "ok":
            parsed: Parsed = value
            return parsed
        key, transient, params = value
        raise FetchError(key, transient, **params)

    def _make(self) -> cf.Executor:
        if not self._processes:
            self._pool = cf.ThreadPoolExecutor(1, thread_name_prefix="feed-parse")
            return self._pool
        try:
            pool = cf.ProcessPoolExecutor(self._processes, mp_context=multiprocessing.get_context("forkserver"))
            self._pool = pool
            # every worker started now, so that no later submit (from the loop) starts one
            for future in [pool.submit(os.getpid) for _ in range(self._processes)]:
                future.result()
            return pool
        except Exception:  # no processes here (a sandbox, a frozen app): parse in a thread
            log.warning("feed parsing falls back to one thread: no process pool", exc_info=True)
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            self._processes = 0
            return self._make()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def run(store: Store, ctx: Context, names: list[str], progress: Progress | None) -> list[feeds.PollReport]:
    known = _known(store, ctx, names)
    parser = Parser(len(names))
    try:
        by_name = _run_coroutine(_poll(store, ctx, names, known, parser, progress))
    finally:
        parser.close()
    return [by_name[name] for name in names]


def _run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, also from a thread that already runs an event loop (an
    async caller): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with cf.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass
class Known:
    """What the last poll left: validators, the last body's hash, and the
    refusal of that body when it was refused."""

    etag: str | None = None
    last_modified: str | None = None
    body_sha: str | None = None
    refused: FetchError | None = None


def _known(store: Store, ctx: Context, names: list[str]) -> dict[str, Known]:
    """Each source's validators and last body hash, in one read (only for
    the address still configured: a new address is a new conversation)."""
    out = {}
    with store.read() as s:
        rows = s.query(
            FeedSourceState.name,
            FeedSourceState.url,
            FeedSourceState.etag,
            FeedSourceState.last_modified,
            FeedSourceState.body_hash,
            FeedSourceState.last_error_key,
            FeedSourceState.last_error_params,
        ).filter(FeedSourceState.name.in_(names))
        for name, url, etag, last_modified, sha, error_key, error_params in rows:
            if url == ctx.config.feeds[name].url:
                refused = FetchError(error_key, **(error_params or {})) if error_key else None
                out[name] = Known(etag, last_modified, sha, refused)
    return out


async def _poll(
    store: Store,
    ctx: Context,
    names: list[str],
    known: dict[str, Known],
    parser: Parser,
    progress: Progress | None,
) -> dict[str, feeds.PollReport]:
    watch = ctx.config.watch
    queue: asyncio.Queue[Outcome | None] = asyncio.Queue()
    reports: dict[str, feeds.PollReport] = {}
    writer = asyncio.create_task(_write(store, ctx, queue, len(names), reports, progress))

    async def one(name: str, slots: asyncio.Queue[Any]) -> None:
        try:
            outcome = await _fetch_and_parse(ctx, name, known.get(name, Known()), slots, parser)
        except Exception as exc:  # a bug must not cost the other sources
            log.exception("feed %s: unexpected failure", name)
            outcome = Outcome(name, error=internal(exc))
        await queue.put(outcome)

    try:
        async with contextlib.AsyncExitStack() as stack:
            slots = await _clients(watch, stack)
            await asyncio.gather(*(one(name, slots) for name in names))
    finally:
        await queue.put(None)
        await writer
    return reports


async def _clients(watch: WatchConfig, stack: contextlib.AsyncExitStack) -> asyncio.Queue[Any]:
    """``watch.fetch_concurrency`` fetch slots over a few clients of at most
    CLIENT_POOL connections each: httpcore's pool does work quadratic in its
    size on every request (measured: two thirds of the CPU of 200 fetches
    through one pool of 32), and a slot is taken with its client, so no
    fetch ever waits in a client's own queue while its deadline runs."""
    per = min(CLIENT_POOL, watch.fetch_concurrency)
    slots: asyncio.Queue[Any] = asyncio.Queue()
    left = watch.fetch_concurrency
    while left > 0:
        size = min(per, left)
        client = await stack.enter_async_context(async_client(watch.model_copy(update={"fetch_concurrency": size})))
        for _ in range(size):
            slots.put_nowait(client)
        left -= size
    return slots


async def _fetch_and_parse(
    ctx: Context,
    name: str,
    known: Known,
    slots: asyncio.Queue[Any],
    parser: Parser,
) -> Outcome:
    source = ctx.config.feeds[name]
    etag, last_modified = known.etag, known.last_modified
    try:
        client = await slots.get()
        try:
            result = await fetch_async(source, ctx.config.watch, etag=etag, last_modified=last_modified, client=client)
        finally:
            slots.put_nowait(client)
        if result.status == 304:
            return Outcome(name, not_modified=True)
        sha = feeds.body_hash(result.body)
        fresh = Outcome(name, etag=result.etag, last_modified=result.last_modified, body_sha=sha)
        if sha == known.body_sha:
            # the body of the last poll: stored then, or refused then
            fresh.not_modified, fresh.error = known.refused is None, known.refused
            return fresh
        try:
            # Parsed outside the fetch slots: a waiting source may fetch meanwhile.
            fresh.parsed = await parser.parse(result.body, result.headers)
            fresh.parsed.warnings[:0] = result.warnings  # the fetch's lenient reads (an odd Content-Encoding …)
        except FetchError as refused:
            fresh.error = refused
        return fresh
    except FetchError as error:
        log.info("feed %s failed: %s", name, error)
        return Outcome(name, error=error)


async def _write(
    store: Store,
    ctx: Context,
    queue: asyncio.Queue[Outcome | None],
    total: int,
    reports: dict[str, feeds.PollReport],
    progress: Progress | None,
) -> None:
    """Store whatever has arrived, one batch per transaction, in one
    thread: the loop keeps fetching while a batch is written."""
    loop = asyncio.get_running_loop()
    rules = rules_for(ctx)
    done = False
    with cf.ThreadPoolExecutor(1, thread_name_prefix="feed-store") as db:
        while not done:
            batch: list[Outcome] = []
            item = await queue.get()
            while item is not None:
                batch.append(item)
                if len(batch) >= BATCH or queue.empty():
                    break
                item = queue.get_nowait()
            done = item is None
            if batch:
                for rep in await loop.run_in_executor(db, store_batch, store, ctx, batch, rules):
                    reports[rep.source] = rep
                if progress is not None:
                    progress(len(reports), total)


def store_batch(store: Store, ctx: Context, batch: list[Outcome], rules: Rules) -> list[feeds.PollReport]:
    """One transaction for the batch, a savepoint per source. Should the
    transaction itself fail (the database went away at commit), each source
    is tried again in a transaction of its own."""
    try:
        with store.transaction() as s:
            quiet = _unchanged(s, ctx, batch)
            return [quiet.get(o.name) or _store_one(s, ctx, o, rules) for o in batch]
    except Exception:
        if len(batch) == 1:
            log.exception("feed %s: could not be stored", batch[0].name)
            return [feeds.PollReport(batch[0].name, ok=False, **_error_fields(internal_unstored()))]
        log.warning("a batch of %d feed polls failed to commit; storing them one by one", len(batch), exc_info=True)
        return [rep for outcome in batch for rep in store_batch(store, ctx, [outcome], rules)]


def _unchanged(s: Session, ctx: Context, batch: list[Outcome]) -> dict[str, feeds.PollReport]:
    """The common case of a re-poll, stored in one statement: sources not
    modified (with no new validators) whose state row is there under the
    configured address. Anything else goes through :func:`_store_one`."""
    names = [o.name for o in batch if o.not_modified and not (o.etag or o.last_modified)]
    if not names:
        return {}
    urls = {n: ctx.config.feeds[n].url for n in names}
    rows = s.execute(select(FeedSourceState.name, FeedSourceState.url).where(FeedSourceState.name.in_(names))).all()
    names = [n for n, url in rows if urls[n] == url]
    if not names:
        return {}
    now = ctx.clock.now()
    with s.begin_nested():
        s.execute(
            update(FeedSourceState)
            .where(FeedSourceState.name.in_(names))
            .values(
                polls=FeedSourceState.polls + 1,
                last_polled_at=now,
                last_success_at=now,
                consecutive_failures=0,
                last_error_key=None,
                last_error_params={},
            )
            .execution_options(synchronize_session=False)
        )
    return {n: feeds.PollReport(n, ok=True, not_modified=True) for n in names}


def internal_unstored() -> FetchError:
    return FetchError("feed.error.internal", reason="the database refused the poll's results")


def _error_fields(error: FetchError) -> dict[str, Any]:
    return {"error_key": error.key, "error_params": dict(error.params), "transient": error.transient}


def _store_one(s: Session, ctx: Context, outcome: Outcome, rules: Rules) -> feeds.PollReport:
    source = ctx.config.feeds[outcome.name]
    try:
        with s.begin_nested():
            return _record(s, ctx, source, outcome, rules)
    except Exception as exc:
        log.exception("feed %s: storing the poll failed", outcome.name)
        with s.begin_nested():
            return feeds.record_failure(s, ctx, outcome.name, source, internal(exc))


def _record(s: Session, ctx: Context, source: FeedSource, outcome: Outcome, rules: Rules) -> feeds.PollReport:
    name = outcome.name
    if outcome.error is not None:
        return feeds.record_failure(s, ctx, name, source, outcome.error, body_sha=outcome.body_sha)
    if outcome.not_modified or outcome.parsed is None:
        return feeds.record_not_modified(s, ctx, name, source, etag=outcome.etag, last_modified=outcome.last_modified)
    return feeds.record_poll(
        s,
        ctx,
        name,
        source,
        outcome.parsed,
        rules,
        etag=outcome.etag,
        last_modified=outcome.last_modified,
        body_sha=outcome.body_sha,
    )
