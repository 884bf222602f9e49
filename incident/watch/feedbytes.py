"""Feed bytes → text: which encoding the bytes are really in.

The order of trust: a byte-order mark (or the NUL pattern of UTF-16/32
without one) wins; then the XML declaration; then the HTTP charset; then
UTF-8. A declared encoding the bytes do not fit is passed over with a
warning. Two repairs cover what the web actually sends:

* a feed with a stray invalid byte or two keeps its text, the bytes
  replaced with U+FFFD and a warning, whatever its encoding (UTF-8, or a
  declared GBK, Big5, Shift_JIS … cut mid-character by a byte-count limit)
  — refusing or garbling a whole feed for one byte helps nobody;
* a body that is mostly not UTF-8 and declares nothing better is read as
  GB18030 or Big5 (Chinese servers routinely omit or mislabel both) when
  the bytes show it — high bytes in pairs and a reading made mostly of
  common characters — and as Windows-1252 otherwise (an undeclared
  Latin-1 "Störung" also decodes as GBK, into rare characters).
"""

from __future__ import annotations

import codecs
import functools
import re

from incident.watch.feedwarn import warning

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" or "<" and a letter in UTF-16/32 without a BOM (XML 1.0 appendix F):
# NUL bytes never occur in an ASCII-compatible document's first bytes.
_NUL_PATTERNS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"
_XML_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?\sencoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.I)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
# Declared names whose superset decodes the same text and more: GB2312 and
# GBK text may hold characters only GB18030 names (喆, 堃 …); Latin-1 pages
# are Windows-1252 in practice (curly quotes at 0x91–0x94).
_SUPERSETS = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "big5": ("big5", "cp950", "big5hkscs"),
    # Windows' supersets, which Japanese and Korean sites use under the
    # standard names (①, 髙, 﨑 are cp932 only)
    "shift_jis": ("cp932", "shift_jis"),
    "euc_kr": ("cp949", "euc_kr"),
    "latin-1": ("cp1252", "latin-1"),
    "iso8859-1": ("cp1252", "latin-1"),
    "ascii": ("utf-8", "cp1252"),
}
_SINGLE_BYTE_LATIN = {"cp1252", "latin-1", "iso8859-15", "iso8859-2", "cp1250"}


def sniff(body: bytes) -> tuple[str | None, int]:
    """(encoding, length of its BOM) when the first bytes say it."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    for pattern, name in _NUL_PATTERNS:
        if body.startswith(pattern):
            return name, 0
    return None, 0


def _codec(name: str | None) -> str | None:
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def http_charset(headers: dict[str, str]) -> str | None:
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    m = _CHARSET.search(ctype)
    return m.group(1).lower() if m else None


def decode(body: bytes, headers: dict[str, str], warnings: list[str]) -> str:
    """The document as text; warnings appended for every guess made."""
    bommed, skip = sniff(body)
    if bommed:
        return _lenient(body[skip:], bommed, warnings)
    if body.startswith(_EBCDIC_XML):
        # "<?xm" in EBCDIC: the declaration, read as such, names the code page.
        m = _XML_DECL_ENCODING.match(body[:1024].decode("cp037").encode("ascii", "replace"))
        named = _codec(m.group(1).decode("ascii")) if m else None
        return _lenient(body, named or "cp037", warnings)
    m = _XML_DECL_ENCODING.match(body[:1024])
    declared = [m.group(1).decode("ascii").lower()] if m else []
    declared += [c for c in [http_charset(headers)] if c]
    utf8 = _utf8(body)
    for name in declared:
        codec = _codec(name)
        if codec is None:
            warnings.append(warning("feed.warning.unknown_encoding", declared=name[:40]))
            continue
        if codec == "utf-8":
            break
        if utf8 is not None and codec in _SINGLE_BYTE_LATIN | {"ascii"} and utf8 != body.decode("ascii", "replace"):
            # Valid UTF-8 with non-ASCII text is never Latin-1 text by chance.
            warnings.append(warning("feed.warning.encoding_guessed", encoding="utf-8", declared=name[:40]))
            return utf8
        candidates = _SUPERSETS.get(codec, (codec,))
        for candidate in candidates:
            try:
                return body.decode(candidate)
            except UnicodeDecodeError:
                continue
        if utf8 is None:  # valid UTF-8 that the declared codec refuses is UTF-8
            repaired = _mostly(body, candidates, warnings)
            if repaired is not None:
                return repaired
        warnings.append(warning("feed.warning.encoding_guessed", encoding="?", declared=name[:40]))
    if utf8 is not None:
        return utf8
    return _not_utf8(body, declared[0] if declared else "utf-8", warnings)


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _mostly(body: bytes, candidates: tuple[str, ...], warnings: list[str]) -> str | None:
    """The declared encoding with a few stray bytes replaced (a text cut
    mid-character, a byte from a copy-paste), with a warning; None when
    the bytes are mostly not in it."""
    best: tuple[int, str, str] | None = None
    for candidate in candidates:
        text = body.decode(candidate, "replace")
        bad = text.count("\ufffd") - body.decode(candidate, "ignore").count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, candidate, text)
    assert best is not None
    bad, candidate, text = best
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    if bad > max(1, good // 10):
        return None
    warnings.append(warning("feed.warning.bytes_replaced", count=bad, encoding=candidate))
    return text


def _lenient(body: bytes, codec: str, warnings: list[str]) -> str:
    """``body`` in ``codec``, invalid sequences replaced (with a warning)."""
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        text = body.decode(codec, "replace")
        bad = text.count("\ufffd") - body.decode(codec, "ignore").count("\ufffd")
        warnings.append(warning("feed.warning.bytes_replaced", count=bad, encoding=codec))
        return text


def _not_utf8(body: bytes, declared: str, warnings: list[str]) -> str:
    """Bytes that are not valid UTF-8 and declare nothing that fits."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    if bad <= max(1, good // 10):
        # Mostly UTF-8: a stray byte (a truncated copy-paste, a Latin-1 é).
        warnings.append(warning("feed.warning.bytes_replaced", count=bad, encoding="utf-8"))
        return text
    chinese = chinese_reading(body)
    if chinese is not None:
        codec, decoded = chinese
        warnings.append(warning("feed.warning.encoding_guessed", encoding=codec, declared=declared[:40]))
        return decoded
    if good == 0:
        # No UTF-8 at all and no Chinese reading: a Western page that
        # declared nothing; Windows-1252 is what browsers assume then.
        try:
            decoded = body.decode("cp1252")
            codec = "cp1252"
        except UnicodeDecodeError:
            decoded, codec = body.decode("latin-1"), "latin-1"
        warnings.append(warning("feed.warning.encoding_guessed", encoding=codec, declared=declared[:40]))
        return decoded
    warnings.append(warning("feed.warning.bytes_replaced", count=bad, encoding="utf-8"))
    return text


# ---- GB18030 or Big5 -------------------------------------------------------
# Both decode the other's bytes more often than not, so "it decoded" proves
# little. Each reading is scored by how common its characters are: real
# text, simplified or traditional, is mostly in GB2312 (the 6,763 commonest
# simplified characters) or Big5's level 1 (the 5,401 commonest traditional
# ones), with Chinese punctuation; the wrong reading scatters into rare
# characters, private-use codes, kana, Greek, Cyrillic and box drawing.
MIN_SCORE = 0.5
# ... and at least this share of its non-ASCII characters must be common
# ones: a Latin-1 "Störung" read as GBK is all rare characters (鰎), each
# worth half in the score.
MIN_COMMON = 0.5
# A high byte between two ASCII letters is a Latin accented letter ("D\xfcsseldorf");
# in Chinese text high bytes come in runs of characters, and a lead byte
# sits between two letters only when two trail bytes happen to be letters.
MAX_ISOLATED = 0.5
_HIGH = re.compile(rb"[\x80-\xff]")
_ISOLATED = re.compile(rb"(?<=[A-Za-z])[\x80-\xff](?=[A-Za-z])")


@functools.cache
def _common() -> frozenset[str]:
    chars: set[str] = set()
    for lead, last in ((0xB0, 0xF7),):  # GB2312 levels 1 and 2
        for hi in range(lead, last + 1):
            chars.update(_row(bytes([hi]), range(0xA1, 0xFF), "gb2312"))
    for hi in range(0xA4, 0xC7):  # Big5 level 1: A440–C67E
        trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
        chars.update(_row(bytes([hi]), trails, "big5"))
    return frozenset(chars)


def _row(lead: bytes, trails: range | list[int], codec: str) -> list[str]:
    out = []
    for lo in trails:
        try:
            out.append((lead + bytes([lo])).decode(codec))
        except UnicodeDecodeError:
            pass
    return out


def _neutral(c: str) -> bool:
    """Punctuation either reading may legitimately hold."""
    return "\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff5e" or "\u2010" <= c <= "\u2027"


def _rare_han(c: str) -> bool:
    """A Chinese character outside the common sets: a rare name (喆, 堃)
    in real text, or a sign of the wrong reading when there are many."""
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\U00020000" <= c <= "\U0003134f"


def score(text: str) -> float:
    """How plausible ``text`` is as Chinese, 0–1: common characters count
    fully, rare ones half, anything else (private use, kana, Cyrillic, box
    drawing, compatibility forms) not at all."""
    return _shares(text)[0]


def _shares(text: str) -> tuple[float, float]:
    """(:func:`score`, share of common characters) of ``text``."""
    common = _common()
    good = 0.0
    total = hits = 0
    for c in text:
        if c < "\x80" or _neutral(c):
            continue
        total += 1
        if c in common:
            hits += 1
            good += 1.0
        elif _rare_han(c):
            good += 0.5
    return (good / total, hits / total) if total else (0.0, 0.0)


def _latin_pattern(body: bytes) -> bool:
    """Whether most high bytes stand alone between ASCII letters."""
    high = len(_HIGH.findall(body))
    return high > 0 and len(_ISOLATED.findall(body)) > MAX_ISOLATED * high


def chinese_reading(body: bytes) -> tuple[str, str] | None:
    """(codec, text) of the better Chinese reading, None when neither fits
    or the bytes look like a Latin script's."""
    if _latin_pattern(body):
        return None
    best: tuple[float, str, str] | None = None
    for codec in ("gb18030", "big5", "cp950"):
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        s, common = _shares(text)
        if common < MIN_COMMON:
            continue
        if best is None or s > best[0]:  # ties go to GB18030, tried first
            best = (s, codec, text)
    if best is None or best[0] < MIN_SCORE:
        return None
    return best[1], best[2]
