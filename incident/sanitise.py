"""The one rule for HTML and XML leaving the system, and the one adapter
around nh3 (the maintained allow-list sanitiser).

Templates are autoescaped, so text a person typed never becomes markup; this
module is the second line: whatever HTML is built from statement text (a
status-page fragment, an e-mail, the daily report) passes an allow-list
before anything marks it safe. ``fragment`` returns ``Markup`` and is the
only place in the wording path that may: a template prints it without
``|safe``. ``xml_text`` keeps what goes into the Atom feed well-formed.
"""

from __future__ import annotations

import re

import nh3
from markupsafe import Markup, escape

# What a statement may contain: prose, lists, links, and the structure our
# own status-page fragment uses (article > h3 > time). Nothing that runs,
# loads or styles anything.
STATEMENT_TAGS = frozenset({"p", "br", "ul", "ol", "li", "strong", "em", "a", "article", "h3", "time", "span"})
# The daily report adds headings and its tables.
REPORT_TAGS = STATEMENT_TAGS | {"h1", "h2", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"*": {"lang"}, "a": {"href"}, "time": {"datetime"}}
_CLASSES = {"article": {"statement", "statement-holding", "statement-update", "statement-resolution"}}
_SCHEMES = frozenset({"http", "https", "mailto"})
_REL = "noopener noreferrer"


def _absolute_link(tag: str, attr: str, value: str) -> str | None:
    """Keep a link only with an allowed scheme: nh3 checks schemes but lets
    relative URLs through, and on the public page a relative link would
    point into the signed-in app on the same origin."""
    if attr == "href":
        scheme, sep, _ = value.strip().partition(":")
        return value if sep and scheme.lower() in _SCHEMES else None
    return value


def _clean(html: str, tags: frozenset[str]) -> str:
    return nh3.clean(
        html,
        tags=set(tags),
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        allowed_classes={k: set(v) for k, v in _CLASSES.items()},
        attribute_filter=_absolute_link,
        url_schemes=set(_SCHEMES),
        link_rel=_REL,
        strip_comments=True,
    )


def fragment(html: str, tags: frozenset[str] = STATEMENT_TAGS) -> Markup:
    """An HTML fragment reduced to the allow-list, marked safe."""
    return Markup(_clean(html, tags))  # noqa: S704 — this is the sanitiser's output


def text(html: str) -> str:
    """Markup reduced to escaped text (no element survives)."""
    return _clean(html, frozenset())


_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)", re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
_BODY = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.I | re.S)
_HEAD = re.compile(r"<head\b[^>]*>.*?</head\s*>", re.I | re.S)


def document(html: str, tags: frozenset[str] = STATEMENT_TAGS, *, keep_style: bool = False) -> str:
    """A whole HTML document (an e-mail, the daily report) rebuilt around
    its sanitised body: the head is ours (charset, the title as text, and
    the stylesheet only when the template is a trusted file), so nothing a
    template or a value put there can run."""
    lang_m = _HTML_LANG.search(html)
    title_m = _TITLE.search(html)
    body_m = _BODY.search(html)
    body = body_m.group(1) if body_m else _HEAD.sub("", html)
    head = ['<meta charset="utf-8">']
    if title_m:
        head.append(f"<title>{text(title_m.group(1))}</title>")
    if keep_style:
        # A stylesheet cannot hold markup; "<" never belongs in ours.
        head += [f"<style>{css.replace('<', '')}</style>" for css in _STYLE.findall(html)]
    lang = f' lang="{escape(lang_m.group(1))}"' if lang_m else ""
    return (
        f"<!doctype html>\n<html{lang}>\n<head>{''.join(head)}</head>\n"
        f"<body>\n{_clean(body, tags).strip()}\n</body>\n</html>\n"
    )


# XML 1.0 §2.2 Char: tab, LF, CR and everything from U+0020 except the
# surrogates and U+FFFE/U+FFFF. Anything else makes the feed unparseable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", value)
