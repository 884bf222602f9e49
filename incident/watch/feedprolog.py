"""What comes before and after a feed's root element.

Entity declarations are refused by reading the prolog, not by searching
the text: the words ``<!ENTITY`` in a comment or in CDATA inside an entry
are text, while a declaration in the DOCTYPE's internal subset is what
makes a billion-laughs bomb (internal entities), a file read (external
SYSTEM/PUBLIC entities) or a parameter-entity trick possible. A DOCTYPE
that only names an external DTD (RSS 0.91's Netscape DTD) or declares
elements and attributes is harmless: expat loads no external DTD.

:func:`read_prolog` walks the prolog token by token — whitespace, the XML
declaration and other processing instructions, comments, the DOCTYPE —
up to the root element's start tag, whose name it returns. Any other
``<!`` before the root is refused as an unreadable declaration. It must be
given the text exactly as the parser will receive it (character
references already cleaned, see incident/watch/feedparse.py), so that
nothing is spelt one way for this check and another for the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident.watch.fetch import FetchError

_NAME = re.compile(r"[A-Za-z_:][\w.:-]*")
_SPACE = " \t\r\n"
_MARKUP_DECLS = ("<!ELEMENT", "<!ATTLIST", "<!NOTATION")
FEED_ROOTS = frozenset({"rss", "feed", "rdf"})


@dataclass(frozen=True)
class Prolog:
    root: str | None  # qualified name of the root element ("rdf:RDF"), None when none was found
    self_closing: bool = False

    @property
    def is_feed(self) -> bool:
        """The root is RSS, Atom or RSS 1.0 (RDF)."""
        return self.root is not None and self.root.rsplit(":", 1)[-1].lower() in FEED_ROOTS


def read_prolog(text: str) -> Prolog:
    """The root element's name. FetchError ``feed.error.entities`` for an
    entity declaration or a parameter-entity reference, ``feed.error.dtd``
    for a DOCTYPE that cannot be read."""
    i, n = 0, len(text)
    while i < n:
        i = text.find("<", i)
        if i < 0:
            break
        if text.startswith("<?", i):
            i = _past(text, i + 2, "?>")
        elif text.startswith("<!--", i):
            i = _past(text, i + 4, "-->")
        elif text[i + 2 : i + 9].upper() == "DOCTYPE" and text.startswith("<!", i):
            i = _doctype(text, i + 9)
        elif text[i + 2 : i + 8].upper() == "ENTITY" and text.startswith("<!", i):
            raise FetchError("feed.error.entities")
        elif text.startswith("<!", i):
            # no other declaration may stand before the root; one spelt
            # oddly ("<!DOC\ue01bTYPE") is not let through unread
            raise FetchError("feed.error.dtd")
        else:
            m = _NAME.match(text, i + 1)
            if m:
                return Prolog(m.group(), self_closing=_self_closing(text, m.end()))
            i += 1  # stray text before the root: feedparser's lenient parser copes
    return Prolog(None)


def _past(text: str, start: int, end: str) -> int:
    """Index just after the next ``end``; the end of the text when none."""
    k = text.find(end, start)
    return len(text) if k < 0 else k + len(end)


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


def _quoted(text: str, i: int) -> int:
    """Index after the quoted literal starting at ``i``."""
    if i >= len(text) or text[i] not in "\"'":
        raise FetchError("feed.error.dtd")
    k = text.find(text[i], i + 1)
    if k < 0:
        raise FetchError("feed.error.dtd")
    return k + 1


def _doctype(text: str, i: int) -> int:
    """Past ``<!DOCTYPE name [ExternalID] [[internal subset]] >``."""
    i = _skip_space(text, i)
    m = _NAME.match(text, i)
    if not m:
        raise FetchError("feed.error.dtd")
    i = _skip_space(text, m.end())
    keyword = text[i : i + 6].upper()
    if keyword in ("SYSTEM", "PUBLIC"):
        i = _quoted(text, _skip_space(text, i + 6))
        j = _skip_space(text, i)
        if keyword == "PUBLIC" and j < len(text) and text[j] in "\"'":
            i = _quoted(text, j)
        i = _skip_space(text, i)
    if text.startswith("[", i):
        i = _skip_space(text, _internal_subset(text, i + 1))
    if not text.startswith(">", i):
        raise FetchError("feed.error.dtd")
    return i + 1


def _internal_subset(text: str, i: int) -> int:
    """Past the ``]`` ending the internal subset; refuses any entity."""
    while True:
        i = _skip_space(text, i)
        if i >= len(text):
            raise FetchError("feed.error.dtd")
        if text[i] == "]":
            return i + 1
        if text.startswith("<!--", i):
            i = _past(text, i + 4, "-->")
        elif text.startswith("<?", i):
            i = _past(text, i + 2, "?>")
        elif text[i] == "%" or text[i + 2 : i + 8].upper() == "ENTITY":
            raise FetchError("feed.error.entities")
        elif any(text[i : i + len(d)].upper() == d for d in _MARKUP_DECLS):
            i = _markup_decl(text, i + 2)
        else:
            raise FetchError("feed.error.dtd")


def _markup_decl(text: str, i: int) -> int:
    """Past the ``>`` of an ELEMENT/ATTLIST/NOTATION declaration; a
    parameter-entity reference inside it is refused."""
    while i < len(text):
        c = text[i]
        if c == ">":
            return i + 1
        if c in "\"'":
            i = _quoted(text, i)
            continue
        if c == "%":
            raise FetchError("feed.error.entities")
        i += 1
    raise FetchError("feed.error.dtd")


def _self_closing(text: str, i: int) -> bool:
    """Whether the start tag whose name ends at ``i`` is ``<root … />``."""
    while i < len(text):
        c = text[i]
        if c == ">":
            return text[i - 1] == "/"
        if c in "\"'":
            k = text.find(c, i + 1)
            if k < 0:
                return False
            i = k + 1
            continue
        i += 1
    return False


# CDATA sections and comments, an unclosed one running to the end: text,
# not markup, whatever end tag they mention.
_NOT_MARKUP = re.compile(r"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)", re.S)


def is_complete(text: str, prolog: Prolog) -> bool:
    """Whether the root element was closed: a document cut off mid-way
    is not, even when a CDATA section or comment before the cut mentions
    the end tag. What follows the end tag (a comment, a processing
    instruction, a hosting service's injected script) does not make it
    incomplete."""
    if prolog.root is None:
        return True  # nothing to judge by; the not-a-feed check decides
    if prolog.self_closing:
        return True
    # "</rss" at the very end (only the last ">" missing) has lost nothing.
    closing = r"</\s*" + re.escape(prolog.root) + r"\s*(?:>|\Z)"
    return re.search(closing, _NOT_MARKUP.sub(" ", text).rstrip()) is not None
