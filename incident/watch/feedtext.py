"""Feed values → stored plain text.

Everything a feed says is stored as plain text, never as markup: entities
are decoded once and then tags are removed until none is left (a tag
hidden in a tag, ``<<script>script>``, goes too; past a few levels of such
nesting every ``<`` that would start a tag — a letter, ``!``, ``/`` or
``?`` after it — is removed instead), so ``&lt;script&gt;`` cannot turn
into a live-looking ``<script>`` in an entry or in the title of an
incident opened from it; ``a < b`` and ``x <= 3`` stay. Links are kept only
when they are http(s). Besides what :func:`incident.textin.clean` removes
everywhere (C0/C1 controls, lone surrogates), feed text loses whole
terminal escape sequences (so ``ESC]0;title BEL`` leaves no ``]0;title``
behind, and neither does one written as character references,
``&#x1b;]0;title&#x07;``: see :func:`stand_in`), bidirectional overrides (which make a title read differently
from what it says) and U+FFFE/U+FFFF (not allowed in XML: the published
Atom feed must stay valid).
"""

from __future__ import annotations

import html
import re

from incident.textin import clean

_BLOCK_TAG = re.compile(r"<(?:br|p|div|li|tr|h[1-6])\b[^>]*>", re.I)
# A tag, a comment, a declaration or a processing instruction; "a < b" and
# "x <= 3" are not tags and stay.
_TAG = re.compile(r"<!--.*?(?:-->|$)|<[!?/]?[A-Za-z][^<>]*>", re.S)
_TAG_START = re.compile(r"<+(?=[A-Za-z!/?])")
_TAG_PASSES = 6
# The controls that open or close a terminal escape sequence. Written as a
# character reference (&#x1b;) they must not reach feedparser as the raw
# character (not allowed in XML), yet dropping them alone would leave the
# sequence's body ("]0;title") behind: they travel as private-use stand-ins
# and become the control again at intake, which removes the whole sequence.
_SEQUENCE_CONTROLS = "\x07\x1b" + "".join(chr(c) for c in range(0x90, 0xA0))
_STAND_IN_BASE = 0xF780  # U+F787, U+F79B, U+F810–U+F81F: private use
STAND_INS = {chr(_STAND_IN_BASE + ord(c)): c for c in _SEQUENCE_CONTROLS}
_BACK = str.maketrans(STAND_INS)
_STAND_IN = re.compile("[" + "".join(STAND_INS) + "]")
# ESC followed by a CSI (… final byte), an OSC/DCS/PM/APC string (… up to
# BEL or ESC \), or one more character; the C1 forms of CSI and OSC too.
_TERMINAL = re.compile(
    r"(?:\x1b\[|\x9b)[\x20-\x3f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x7e]?"
)
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f]")
_URL_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_URL_BREAKS = re.compile(r"[\t\n\r]")


def stand_in(char: str) -> str:
    """What a reference to ``char`` becomes before parsing: a stand-in for a
    control that starts or ends an escape sequence, else nothing."""
    return chr(_STAND_IN_BASE + ord(char)) if char in _SEQUENCE_CONTROLS else ""


def intake(value: str) -> str:
    """Feed text cleaned of control characters, terminal escape sequences,
    bidi overrides and non-XML characters."""
    if _STAND_IN.search(value):
        value = value.translate(_BACK)
    if "\x1b" in value or any("\x90" <= c <= "\x9f" for c in value):
        value = _TERMINAL.sub("", value)
    return clean(_INVISIBLE.sub("", value))


def plain_text(value: str | None, limit: int, *, is_html: bool = True) -> str:
    """One line of plain text. ``is_html``: the value is (feedparser's
    sanitised) HTML, whose entities are decoded here, once, before tags are
    stripped; plain text (feedparser has decoded it already) is not
    decoded again, only stripped of anything that looks like a tag."""
    if not value:
        return ""
    if is_html:
        value = _BLOCK_TAG.sub(" ", value)
        if "&" in value:
            value = html.unescape(value)
    # cleaned first: a control or bidi override removed after the tags
    # were would join "<\u202escript>" into a tag
    value = _strip_tags(intake(value))
    return " ".join(value.split())[:limit]


def _strip_tags(value: str) -> str:
    """Tags removed until none is left, in a bounded number of passes."""
    for _ in range(_TAG_PASSES):
        if "<" not in value:
            return value
        value, removed = _TAG.subn("", value)
        if not removed:
            return value
    # Nested deeper than any real text: no tag may be left behind, so
    # every "<" that could still start one goes.
    return _TAG_START.sub("", value)


def safe_link(value: str | None) -> str | None:
    """An http(s) link, else None (``javascript:``, ``data:``, ``java\\tscript:``,
    relative links …). Browsers ignore tabs and line breaks inside a URL and
    blanks around it, so the scheme is judged without them."""
    link = _URL_BREAKS.sub("", _URL_EDGES.sub("", value or ""))
    scheme, sep, rest = _URL_JUNK.sub("", link).lower().partition("://")
    if scheme not in ("http", "https") or not sep or not rest:
        return None
    return intake(link)
