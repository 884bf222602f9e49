"""The feedparser adapter: bytes in, normalised entries out.

This is the only module that imports feedparser. Before feedparser sees
the bytes they are decoded here (incident/watch/feedbytes.py: BOMs,
declared encodings, a stray invalid byte, GBK/Big5 bodies that declare
nothing or the wrong thing); a character reference to a character no text
may hold (``&#0;``, ``&#xD800;`` — the latter crashes feedparser —, an
out-of-range ``&#99999999999;``) is dropped; and only then is the prolog
read (incident/watch/feedprolog.py), on exactly the UTF-8 bytes feedparser
is handed: a DOCTYPE declaring entities — the billion-laughs bomb, external
entities that point at local files — is refused, however it was spelt
before the cleaning (``<!ENT&#0;ITY``). It is also the feeds' door for
text (incident/watch/feedtext.py): every text of an entry comes out as
plain text, cleaned of controls and terminal escapes (also those written
as references, ``&#x1b;]0;title&#x07;``), with links kept only when they
are http(s).

Warnings (a repaired byte, a guessed encoding, lenient parsing) are stored
as translatable strings (incident/watch/feedwarn.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import feedparser

from incident.textin import clean
from incident.watch.feedbytes import decode
from incident.watch.feedprolog import Prolog, is_complete, read_prolog
from incident.watch.feedtext import intake, plain_text, safe_link, stand_in
from incident.watch.feedwarn import REASON_MAX, warning
from incident.watch.fetch import FetchError

__all__ = ["Entry", "Parsed", "parse", "plain_text"]

TITLE_MAX = 1000
SUMMARY_MAX = 20_000

_XML_DECL = re.compile(r"^\s*<\?xml\b[^>]*?\?>")
_ENCODING_ATTR = re.compile(r"""\sencoding\s*=\s*["'][^"']*["']""")
_CONTENT_HEADERS = ("content-type", "content-location", "content-language")
_CHARSET_PARAM = re.compile(r";\s*charset\s*=[^;]*", re.I)


@dataclass
class Entry:
    key: str  # sha256 of the identity: guid, else an http(s) link, else title + summary + date
    guid: str | None
    link: str | None
    title: str
    summary: str
    author: str | None
    published_at: dt.datetime | None
    content_hash: str


@dataclass
class Parsed:
    title: str
    entries: list[Entry]
    warnings: list[str] = field(default_factory=list)


# Any number of digits: feedparser's own reading of an over-long one
# overflows (&#99999999999;).
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")
_REF_PASSES = 4


def _char_ref(m: re.Match[str]) -> str:
    """A reference as feedparser may see it: canonical when its character
    may be held, a stand-in for a control that starts or ends a terminal
    escape sequence (see feedtext.STAND_INS), else nothing."""
    digits, base = (m.group(1), 16) if m.group(1) is not None else (m.group(2), 10)
    digits = digits.lstrip("0") or "0"
    if len(digits) > 8:  # far past U+10FFFF whatever the base
        return ""
    point = int(digits, base)
    if point > 0x10FFFF:
        return ""
    char = chr(point)
    if char == "\r" or intake(char) == char:
        return f"&#x{point:x};"
    return stand_in(char)


def _drop_bad_char_refs(text: str) -> str:
    """``&#0;``, ``&#xD800;``, ``&#xFFFE;``, ``&#99999999999;`` … removed: a
    reference to a character feed text may not hold (CR, which becomes LF,
    is kept). feedparser turns the references into characters itself, and a
    lone surrogate or a huge number makes it raise, so this happens before
    it parses. Removing one may join the text around it into another
    (``&#&#0;xD800;``), so it is repeated; whatever still looks like a
    reference after a few passes is left as plain text (``&amp;#…``)."""
    for _ in range(_REF_PASSES):
        if "&#" not in text:
            return text
        cleaned = _CHAR_REF.sub(_char_ref, text)
        if cleaned == text:
            return text
        text = cleaned
    return _CHAR_REF.sub(lambda m: "&amp;" + m.group()[1:] if _char_ref(m) != m.group() else m.group(), text)


def _as_utf8(text: str, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The decoded document as UTF-8 bytes that say so, and the headers
    feedparser is given: only those about the content (it fetched nothing),
    the charset set to UTF-8 so that nothing is decoded twice."""
    decl = _XML_DECL.match(text)
    if decl and _ENCODING_ATTR.search(decl.group()):
        fixed = _ENCODING_ATTR.sub(' encoding="utf-8"', decl.group(), count=1)
        text = fixed + text[decl.end() :]
    kept = {k.lower(): v for k, v in headers.items() if k.lower() in _CONTENT_HEADERS}
    media = _CHARSET_PARAM.sub("", kept.get("content-type", "")).strip() or "application/xml"
    kept["content-type"] = f"{media}; charset=utf-8"
    return text.encode("utf-8"), kept


def _reason(exc: Any) -> str:
    """A parser's complaint, as a trailing parameter of a translated sentence."""
    return clean(f"{type(exc).__name__}: {exc}" if exc else "—")[:REASON_MAX]


def _ref(value: str | None) -> str | None:
    """A guid, cleaned and trimmed; None when nothing is left."""
    return intake(value or "").strip() or None


def _is_html(detail: Any) -> bool:
    """Whether feedparser's value is markup (the default when it does not say)."""
    kind = detail.get("type") if isinstance(detail, dict) else None
    return not kind or "html" in kind


def _when(entry: feedparser.FeedParserDict) -> dt.datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if value:
            # feedparser normalises to UTC struct_time
            return dt.datetime.fromtimestamp(calendar.timegm(value), dt.timezone.utc)
    return None


def _sha(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def parse(body: bytes, headers: dict[str, str] | None = None) -> Parsed:
    """Parse feed bytes. Raises :class:`FetchError` when it is not a feed."""
    headers = dict(headers or {})
    warnings: list[str] = []
    if not body.strip():
        raise FetchError("feed.error.empty")
    text = decode(body, headers, warnings).lstrip("\ufeff")
    if not text.strip():
        raise FetchError("feed.error.empty")
    # Cleaned first, judged after: the prolog check must see exactly what
    # feedparser will ("<!ENT&#0;ITY" is an entity once &#0; is gone).
    text = _drop_bad_char_refs(text)
    data, fp_headers = _as_utf8(text, headers)
    text = data.decode("utf-8")
    prolog = read_prolog(text)
    result = feedparser.parse(data, response_headers=fp_headers, sanitize_html=True, resolve_relative_uris=True)
    _judge(result, text, prolog, warnings)
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in result.entries:
        entry = _entry(raw)
        if entry.key not in seen:  # a feed repeating an entry: keep the first
            seen.add(entry.key)
            entries.append(entry)
    feed = result.feed
    title = plain_text(feed.get("title"), TITLE_MAX, is_html=_is_html(feed.get("title_detail")))
    return Parsed(title=title, entries=entries, warnings=warnings)


def _judge(result: feedparser.FeedParserDict, text: str, prolog: Prolog, warnings: list[str]) -> None:
    """Refuse what is not a feed or was cut off; note a lenient read.

    A recognised RSS/Atom/RDF root with no entries is a healthy, empty feed
    (a status page with no incidents), whatever feedparser thought of it."""
    exc = result.get("bozo_exception") if result.get("bozo") else None
    if not result.entries and not (prolog.is_feed or result.get("version")):
        raise FetchError("feed.error.not_a_feed", reason=f"<{prolog.root}>" if prolog.root else _reason(exc))
    if not result.get("bozo"):
        return
    if not is_complete(text, prolog):
        # Cut off mid-document: the last entries may be cut too, and
        # storing them would make the next full poll look like updates.
        raise FetchError("feed.error.truncated", reason=_reason(exc))
    warnings.append(warning("feed.warning.malformed", reason=_reason(exc)))


def _entry(raw: feedparser.FeedParserDict) -> Entry:
    title = plain_text(raw.get("title"), TITLE_MAX, is_html=_is_html(raw.get("title_detail")))
    content = raw.get("content")
    if content:
        summary = plain_text(content[0].get("value"), SUMMARY_MAX, is_html=_is_html(content[0]))
    else:
        summary = plain_text(raw.get("summary"), SUMMARY_MAX, is_html=_is_html(raw.get("summary_detail")))
    published = _when(raw)
    guid = _ref(raw.get("id"))
    link = safe_link(raw.get("link"))
    # guid, else link, else the content itself: entries with neither must
    # not all collapse into one key.
    identity = guid or link or "content:" + _sha(title, summary, published.isoformat() if published else "")
    return Entry(
        key=_sha(identity),
        guid=guid,
        link=link,
        title=title,
        summary=summary,
        author=plain_text(raw.get("author"), 200, is_html=False) or None,
        published_at=published,
        content_hash=_sha(title, summary, link or ""),
    )
