"""Content-Encoding decoded by hand, incrementally, with bounded output per
step (issue 20, point 3).

Many servers gzip a feed whatever the request asked for, so gzip, deflate
and br are accepted; but a few kilobytes of gzip can inflate to gigabytes,
so nothing is ever inflated in one go: each decoder yields pieces of at
most :data:`STEP` bytes and the caller counts them against the size cap
before asking for more. A bomb is refused after ``cap + STEP`` bytes.

A compressed stream that stops before its end (a gzip member without its
trailer, brotli not finished) is refused by ``finish``: a cut-off body is
not a whole one. Labels that name no compression at all (``UTF-8``,
``binary``), and a body labelled gzip that is plainly not gzip, are read as
they are with a note, as browsers and feedparser do.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli  # type: ignore[import-untyped]  # no stubs, no py.typed

from incident.netguard import FetchError
from incident.watch.feedwarn import warning

STEP = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate, br"


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


_GZIP_MAGIC = b"\x1f\x8b"


def _zlib_header(head: bytes) -> bool:
    cmf, flg = head[0], head[1]
    return cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0


class _Zlib:
    """gzip (several members allowed) or zlib/raw deflate. ``finish``
    refuses a stream that stopped before its end: a cut-off body must not
    pass for a whole one."""

    def __init__(self, gzip: bool, notes: list[str]) -> None:
        self._gzip = gzip
        self._notes = notes
        self._pending = b""  # bytes held until the header can be read
        self._obj: zlib._Decompress | None = None
        self._plain = False  # labelled gzip, but not compressed at all
        self._done = False  # the current member/stream reached its end
        self._junk = False  # trailing bytes after the last member: ignored
        self._tail = b""  # a next gzip member's first byte, split from its second

    def _encoding(self) -> str:
        return "gzip" if self._gzip else "deflate"

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._plain:
            if data:
                yield data
            return
        if self._obj is None:
            self._pending += data
            if len(self._pending) < 2:
                return
            data, self._pending = self._pending, b""
            if not self._start(data[:2]):
                yield data
                return
        yield from self._inflate(data)

    def _start(self, head: bytes) -> bool:
        """Pick the decompressor from the first two bytes; False when a body
        labelled gzip is plainly not compressed (some servers label every
        response gzip), which is then passed through with a note."""
        if self._gzip:
            if head == _GZIP_MAGIC or _zlib_header(head):
                self._obj = zlib.decompressobj(47)  # gzip or zlib header, detected
                return True
            self._plain = True
            self._notes.append(warning("feed.warning.not_compressed", encoding="gzip"))
            return False
        # "deflate" is meant to be zlib-wrapped, but some servers send raw
        # deflate; the first two bytes tell which.
        self._obj = zlib.decompressobj(15 if _zlib_header(head) else -15)
        return True

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        while True:
            if self._done:
                data, self._tail = self._tail + data, b""
                if not data or self._junk:
                    return
                if self._gzip and len(data) < 2 and _GZIP_MAGIC.startswith(data):
                    self._tail = data  # maybe the next member, split across reads
                    return
                if not (self._gzip and data.startswith(_GZIP_MAGIC)):
                    self._junk = True  # trailing junk after the stream: ignored
                    return
                self._obj, self._done = zlib.decompressobj(47), False
            obj = self._obj
            assert obj is not None
            try:
                out = obj.decompress(data, STEP)
            except zlib.error as exc:
                raise FetchError("feed.error.decompress", encoding=self._encoding(), reason=str(exc)) from None
            if out:
                yield out
            if obj.eof:
                self._done = True
                data = obj.unused_data
                continue
            data = obj.unconsumed_tail
            if not data and len(out) < STEP:
                return  # needs more input

    def finish(self) -> Iterator[bytes]:
        if self._plain:
            return iter(())
        if self._pending or (self._obj is not None and not self._done):
            raise FetchError("feed.error.decompress_truncated", transient=True, encoding=self._encoding())
        return iter(())


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()
        self._fed = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._fed = self._fed or bool(data)
        try:
            out = self._obj.process(data, output_buffer_limit=STEP)
            while True:
                if out:
                    yield out
                if self._obj.can_accept_more_data():
                    return
                out = self._obj.process(b"", output_buffer_limit=STEP)
        except brotli.error as exc:
            raise FetchError("feed.error.decompress", encoding="br", reason=str(exc) or "invalid data") from None

    def finish(self) -> Iterator[bytes]:
        if self._fed and not self._obj.is_finished():
            raise FetchError("feed.error.decompress_truncated", transient=True, encoding="br")
        return iter(())


class Chain:
    """Several encodings, applied in the order the server listed them and
    so undone in reverse (``Content-Encoding: deflate, gzip``)."""

    def __init__(self, decoders: list[Decoder]) -> None:
        self._decoders = decoders

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._through(0, data)

    def _through(self, i: int, data: bytes) -> Iterator[bytes]:
        if i == len(self._decoders):
            yield data
            return
        for piece in self._decoders[i].feed(data):
            yield from self._through(i + 1, piece)

    def finish(self) -> Iterator[bytes]:
        for i, dec in enumerate(self._decoders):
            for piece in dec.finish():
                yield from self._through(i + 1, piece)


# Labels some servers send that name no compression at all (a charset,
# "binary"): the body is taken as it is, with a note, as browsers and
# feedparser/urllib do.
_NOT_COMPRESSION = frozenset({"utf-8", "utf8", "binary", "none", "text", "plain", "8bit", "7bit", "chunked"})


def decoder_for(content_encoding: str | None, notes: list[str] | None = None) -> Decoder:
    """The decoder for a Content-Encoding header; refuses unknown
    compressions. ``notes`` receives a stored warning for every label taken
    leniently (see incident/watch/feedwarn.py)."""
    notes = [] if notes is None else notes
    names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
    decoders: list[Decoder] = []
    for name in reversed(names):
        if name == "identity":
            continue
        if name in ("gzip", "x-gzip"):
            decoders.append(_Zlib(gzip=True, notes=notes))
        elif name == "deflate":
            decoders.append(_Zlib(gzip=False, notes=notes))
        elif name == "br":
            decoders.append(_Brotli())
        elif name in _NOT_COMPRESSION:
            notes.append(warning("feed.warning.not_compressed", encoding=name[:40]))
        else:
            raise FetchError("feed.error.content_encoding", encoding=name[:40])
    if len(decoders) > 3:
        raise FetchError("feed.error.content_encoding", encoding=content_encoding or "")
    if not decoders:
        return Identity()
    return decoders[0] if len(decoders) == 1 else Chain(decoders)
