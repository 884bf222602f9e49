"""The Jinja2 templates replies and statements are rendered with.

Files under ``templates/`` (reviewed like code) and templates comms staff
author in the app (``wording_templates``; an approved one overrides the file
of the same name) render in Jinja's ImmutableSandboxedEnvironment with
StrictUndefined: no attribute tricks reach Python internals, and a missing
variable is an error, never an empty string. Templates only ever see plain
dicts and strings, never ORM objects.

Escaping follows what the caller renders, never a file name: ``render_html``
autoescapes every template it touches, the included ``_body`` too, and
``render`` gives plain text (SMS, e-mail text, Weibo, replies) exactly as
written, because HTML entities in an SMS would be wrong, not safe. The two
share one loader and one set of filters, and ``render`` refuses the HTML
outputs, so an HTML template is never rendered unescaped. The ``safe`` filter
and ``{% autoescape false %}`` are not available to templates: the only
markup that is trusted is what incident/sanitise.py returns.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    nodes,
    pass_context,
)
from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.errors import InputError
from incident.models import WordingTemplate
from incident.resources import on_disk
from incident.wording import sentences
from incident.wording import texts as _texts  # noqa: F401

# The wording sandbox keeps its FileSystemLoader (and callers may pass another
# directory): the package's templates as a directory on disk.
TEMPLATES_DIR = on_disk("incident.templates")

# 004 ch.2 §4: the eight situations of the unified hotline wording (4 and 7
# each hold two answers), then one reply per incident kind.
SITUATIONS = (
    "upset",
    "transfer",
    "out_of_scope",
    "criticism",
    "praise",
    "suggestion",
    "partly_satisfied",
    "escalate_reasonable",
    "escalate_delayed",
    "cannot_answer_now",
)
KIND_SCENARIOS = ("system_outage", "batch_complaint", "public_opinion", "other")
SCENARIOS = SITUATIONS + KIND_SCENARIOS

CHANNELS = ("status_page", "sms", "weibo", "wechat", "x", "email")
CHANNEL_PARTS: dict[str, tuple[str, ...]] = {
    "status_page": ("status_page",),
    "sms": ("sms",),
    "weibo": ("weibo",),
    "wechat": ("wechat",),
    "x": ("x",),
    "email": ("email_subject", "email_text", "email_html"),
}
# Callback scripts (回访) for the remedy half: one per reason.
CALLBACK_REASONS = ("unfinished", "result", "follow_up")
TEMPLATE_NAMES = (
    tuple(f"replies/{s}" for s in SCENARIOS)
    + tuple(f"statements/{p}" for parts in CHANNEL_PARTS.values() for p in parts)
    + tuple(f"callbacks/{r}" for r in CALLBACK_REASONS)
)
# The outputs that are HTML: rendered autoescaped, and sanitised by the
# caller before anything marks them safe. Everything else is plain text.
HTML_TEMPLATES = frozenset({"statements/status_page", "statements/email_html", "status/page"})


@pass_context
def _sentence(context: Any, value: Any) -> str:
    """End a sentence with the language's full stop unless it has one."""
    return sentences.sentence(value, context.get("lang"))


def _environment(loader: BaseLoader, *, autoescape: bool) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters["s"] = _sentence
    # Fields joined into the template's own sentences (incident/wording/sentences.py).
    env.filters["clause"] = sentences.clause
    env.tests["sentence"] = sentences.is_sentence
    # Nothing a template does may turn text into trusted markup.
    del env.filters["safe"]
    return env


class TemplateSet:
    """The approved database templates over the files, in two
    environments: HTML (everything autoescaped) and plain text."""

    def __init__(self, directory: Path, overrides: dict[str, str]) -> None:
        loader = ChoiceLoader([DictLoader(overrides), FileSystemLoader(str(directory))])
        self.env = _environment(loader, autoescape=True)
        self.text_env = _environment(loader, autoescape=False)

    def render(self, name: str, lang: str, context: dict[str, Any]) -> str:
        """A plain-text output, exactly as written (no HTML entities)."""
        if name in HTML_TEMPLATES:
            raise ValueError(f"{name} is HTML: use render_html")
        return self._render(self.text_env, name, lang, context)

    def render_html(self, name: str, lang: str, context: dict[str, Any]) -> str:
        """An HTML output with every value escaped, included templates too.
        Not yet safe to publish: sanitise it (incident/sanitise.py)."""
        return self._render(self.env, name, lang, context)

    def render_any(self, name: str, lang: str, context: dict[str, Any]) -> str:
        """HTML or text, as the output ``name`` is."""
        html = name in HTML_TEMPLATES
        return self.render_html(name, lang, context) if html else self.render(name, lang, context)

    @staticmethod
    def _render(env: ImmutableSandboxedEnvironment, name: str, lang: str, context: dict[str, Any]) -> str:
        filename = f"{name}.{lang}.j2"
        try:
            return env.get_template(filename).render({**context, "lang": lang}).strip()
        except TemplateNotFound:
            raise InputError("wording.error.template_missing", name=filename) from None
        except UndefinedError as exc:
            raise InputError("wording.error.template_undefined", name=filename, detail=str(exc)) from None
        except SecurityError as exc:
            raise InputError("wording.error.template_unsafe", name=filename, detail=str(exc)) from None
        except TemplateError as exc:
            raise InputError("wording.error.template_broken", name=filename, detail=str(exc)) from None


_cache: dict[tuple[Any, ...], TemplateSet] = {}
_lock = threading.Lock()


def approved_overrides(session: Session) -> dict[str, tuple[int, str]]:
    rows = session.execute(
        select(WordingTemplate.id, WordingTemplate.name, WordingTemplate.lang, WordingTemplate.body)
        .where(WordingTemplate.status == "approved")
        .order_by(WordingTemplate.version)
    )
    out: dict[str, tuple[int, str]] = {}
    for tid, name, lang, body in rows:
        out[f"{name}.{lang}.j2"] = (tid, body)  # the latest approved version wins
    return out


def template_set(session: Session | None, directory: Path | None = None) -> TemplateSet:
    """The environment for what is approved now; cached by the set of
    approved template rows and their words, so a new approval takes effect
    at once. A row's id alone is not enough: another database (a test's,
    a second deployment's) has its own approved row 1 with other words."""
    directory = directory or TEMPLATES_DIR
    overrides = approved_overrides(session) if session is not None else {}
    key = (
        str(directory),
        tuple(sorted((k, tid, hashlib.sha256(body.encode()).hexdigest()) for k, (tid, body) in overrides.items())),
    )
    with _lock:
        found = _cache.get(key)
        if found is None:
            if len(_cache) > 32:
                _cache.clear()
            found = _cache[key] = TemplateSet(directory, {k: v[1] for k, v in overrides.items()})
    return found


def check_source(name: str, lang: str, body: str, sample: dict[str, Any]) -> None:
    """Refuse a template that does not parse, or that uses a variable the
    sample context lacks, before anyone can approve it."""
    if name not in TEMPLATE_NAMES:
        raise InputError("wording.error.template_name", name=name, allowed=", ".join(TEMPLATE_NAMES))
    probe = TemplateSet(TEMPLATES_DIR, {f"{name}.{lang}.j2": body})
    try:
        tree = probe.env.parse(body)
    except TemplateSyntaxError as exc:
        raise InputError(
            "wording.error.template_syntax", name=name, line=exc.lineno, detail=exc.message or ""
        ) from None
    unsafe = next(_trusting_markup(tree), None)
    if unsafe:
        raise InputError("wording.error.template_unsafe", name=name, detail=unsafe)
    probe.render_any(name, lang, sample)


def _trusting_markup(tree: nodes.Template) -> Iterator[str]:
    """``|safe`` and ``{% autoescape false %}`` would print text as markup;
    named here so the author learns why, not just that a filter is missing."""
    if any(True for _ in tree.find_all(nodes.EvalContextModifier)):
        yield "{% autoescape %}"
    if any(f.name == "safe" for f in tree.find_all(nodes.Filter)):
        yield "|safe"
