"""The feedparser adapter: bytes in, normalised entries out.

This is the only module that imports feedparser. Before feedparser sees
the bytes we refuse documents that declare entities (the billion-laughs
bomb and external entities that point at local files have no place in a
feed) and repair the common Chinese mislabelling (GBK/Big5 bytes declared
as UTF-8 or not declared at all), which would otherwise be stored as
mojibake. It is also the feeds' door for text (incident/textin.py): a
character reference to a character no text may hold (``&#0;``,
``&#xD800;`` — the latter crashes feedparser) is dropped from the bytes,
and every text of an entry comes out cleaned of NUL, control characters
and lone surrogates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field

import feedparser

from incident.textin import clean
from incident.watch.fetch import FetchError

TITLE_MAX = 1000
SUMMARY_MAX = 20_000

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_XML_DECL = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"']", re.IGNORECASE)


@dataclass
class Entry:
    key: str  # sha256 of the identity: guid, else link, else title + date
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


_BLOCK_TAG = re.compile(r"<(?:br|p|div|li|tr|h[1-6])\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def plain_text(value: str | None, limit: int) -> str:
    """HTML → one line of clean plain text. feedparser has already
    sanitised the markup (no scripts, no styles), so dropping the remaining
    tags, decoding entities and cleaning is all that is left to do."""
    if not value:
        return ""
    if "<" in value:
        value = _TAG.sub("", _BLOCK_TAG.sub(" ", _COMMENT.sub("", value)))
    if "&" in value:
        value = html.unescape(value)
    return " ".join(clean(value).split())[:limit]


def _clean_ref(value: str | None) -> str | None:
    """A guid or a link, cleaned and trimmed; None when nothing is left."""
    return clean(value or "").strip() or None


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")


def _drop_bad_char_refs(body: bytes) -> bytes:
    """``&#0;``, ``&#x1b;``, ``&#xD800;`` … removed: a reference to a
    character :func:`clean` would remove (CR, which it turns into LF, is
    kept). feedparser turns the references into characters itself and a
    lone surrogate makes it raise, so this happens on the bytes."""

    def keep(m: re.Match[bytes]) -> bytes:
        point = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        if point > 0x10FFFF:
            return b""
        char = chr(point)
        return m.group() if char == "\r" or clean(char) == char else b""

    return _CHAR_REF.sub(keep, body) if b"&#" in body else body


def _declared_encoding(body: bytes, headers: dict[str, str]) -> str | None:
    m = _XML_DECL.match(body[:200])
    if m:
        return m.group(2).decode("ascii").lower()
    ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    m2 = re.search(r"charset=([A-Za-z0-9._-]+)", ctype)
    return m2.group(1).lower() if m2 else None


def _repair_encoding(body: bytes, headers: dict[str, str], warnings: list[str]) -> tuple[bytes, dict[str, str]]:
    declared = _declared_encoding(body, headers)
    if declared not in (None, "utf-8", "utf8"):
        return body, headers  # declared as something else: feedparser honours it
    try:
        body.decode("utf-8")
        return body, headers
    except UnicodeDecodeError:
        pass
    # GB18030 accepts almost any byte pairs, Big5 included, so "it decoded"
    # proves little: real simplified-Chinese text stays almost entirely in
    # the common GB2312 set, Big5 read as GBK does not.
    for candidate in ("gb18030", "big5"):
        try:
            text = body.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate == "gb18030" and _gb2312_share(text) < 0.9:
            continue
        warnings.append(f"bytes are {candidate}, not the declared {declared or 'utf-8'}; decoded as {candidate}")
        fixed = text.encode("utf-8")
        fixed = _XML_DECL.sub(lambda m: m.group(0).replace(m.group(2), b"utf-8"), fixed, count=1)
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        headers["content-type"] = "application/xml; charset=utf-8"
        return fixed, headers
    raise FetchError("feed.error.encoding", declared=declared or "utf-8")


def _gb2312_share(text: str) -> float:
    cjk = [c for c in text if ord(c) > 0x2E80]
    if not cjk:
        return 1.0
    common = 0
    for c in cjk:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(cjk)


_CLOSING = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)>\s*$")


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
    if _ENTITY_DECL.search(body):
        raise FetchError("feed.error.entities")
    body, headers = _repair_encoding(body, headers, warnings)
    body = _drop_bad_char_refs(body)
    # Drop headers feedparser would act on for transport (we fetched already).
    headers = {
        k.lower(): v
        for k, v in headers.items()
        if k.lower() in ("content-type", "content-location", "content-language")
    }
    result = feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        text = clean(f"{type(exc).__name__}: {exc}" if exc else "malformed feed")
        if not result.entries:
            raise FetchError("feed.error.not_a_feed", reason=text[:300])
        if "SAXParseException" in type(exc).__name__ and not _CLOSING.search(body[-200:]):
            # Cut off mid-document: the last entries may be cut too, and
            # storing them would make the next full poll look like updates.
            raise FetchError("feed.error.truncated", reason=text[:300])
        warnings.append(text[:300])
    if not result.get("version") and not result.entries:
        raise FetchError("feed.error.not_a_feed", reason="no RSS or Atom root element")
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in result.entries:
        title = plain_text(raw.get("title"), TITLE_MAX)
        content = raw.get("content")
        body_html = content[0].get("value") if content else raw.get("summary")
        summary = plain_text(body_html, SUMMARY_MAX)
        published = _when(raw)
        guid = _clean_ref(raw.get("id"))
        link = _clean_ref(raw.get("link"))
        identity = guid or link or _sha(title, published.isoformat() if published else "")
        key = _sha(identity)
        if key in seen:
            continue  # a feed repeating an entry: keep the first
        seen.add(key)
        author = plain_text(raw.get("author"), 200) or None
        entries.append(
            Entry(
                key=key,
                guid=guid,
                link=link,
                title=title,
                summary=summary,
                author=author,
                published_at=published,
                content_hash=_sha(title, summary, link or ""),
            )
        )
    return Parsed(title=plain_text(result.feed.get("title"), TITLE_MAX), entries=entries, warnings=warnings)
