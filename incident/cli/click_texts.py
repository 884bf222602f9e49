"""The command line's usage errors and help frame in the user's language.

Typer (through the Click it is built on) prints its own words: usage
errors ("Missing option '--title'", "No such option: --x", "Got unexpected
extra argument(s) (2)"), the "Usage:" line, the headings of ``-h`` and the
help option's "Show this message and exit.". They were English in the middle
of a Chinese screen. This module is the one place that knows those words:

- :func:`localise` dresses a built command tree: the help option's text,
  the "Usage:" prefix and the headings (Typer marks those for gettext) come
  from the catalogue;
- :func:`usage_error` turns a usage error into the catalogue's sentence. It
  reads the error's English message, whose wording Click and Typer keep
  stable, and matches it against known forms; one it does not know is shown
  after a translated lead-in, never alone.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import typer

from incident.i18n import CATALOG, lang_index, t


def _click_module(name: str) -> ModuleType:
    """Typer 0.2x carries its own copy of Click (``typer._click``); older
    releases use Click itself."""
    try:
        return importlib.import_module(f"typer._click.{name}")
    except ImportError:
        return importlib.import_module(f"click.{name}")


_exceptions = _click_module("exceptions")
_core = _click_module("core")
_formatting = _click_module("formatting")
UsageError: type[Exception] = _exceptions.UsageError
Abort: type[BaseException] = typer.Abort

CATALOG.update(
    {
        "cli.usage.line": ("用法：{usage}", "Usage: {usage}"),
        "cli.usage.try": ("运行 {command} -h 查看用法和示例。", "Run {command} -h for usage and examples."),
        "cli.usage.error": ("错误：{message}", "Error: {message}"),
        "cli.usage.help_option": ("显示本帮助并退出。", "Show this message and exit."),
        "cli.usage.aborted": ("已取消。", "Aborted."),
        "cli.usage.missing_option": ("缺少选项 {hint}。", "Missing option {hint}."),
        "cli.usage.missing_argument": ("缺少参数 {hint}。", "Missing argument {hint}."),
        "cli.usage.no_option": ("没有选项 {name}。", "No such option {name}."),
        "cli.usage.maybe": ("（是否想用：{names}？）", " (did you mean: {names}?)"),
        "cli.usage.extra": (
            "多余的参数：{args}（这个命令不接受它们）。",
            "unexpected extra argument(s): {args} (this command takes none there).",
        ),
        "cli.usage.needs_value": ("选项 {name} 后面需要一个值。", "Option {name} needs a value after it."),
        "cli.usage.no_value": ("选项 {name} 不接受值。", "Option {name} takes no value."),
        "cli.usage.no_command": ("没有子命令 {name}。", "No such command {name}."),
        "cli.usage.missing_command": ("缺少子命令。", "Missing command."),
        "cli.usage.bad_value": ("{hint} 的值无效：{message}", "Invalid value for {hint}: {message}"),
        "cli.usage.not_number": ("{value} 不是有效的数字。", "{value} is not a valid number."),
        "cli.usage.other": ("命令行用法有误：{message}", "Wrong command-line usage: {message}"),
        # Typer's own gettext-marked words in -h (English = Typer's msgid).
        "cli.help.Options": ("选项", "Options"),
        "cli.help.Arguments": ("参数", "Arguments"),
        "cli.help.Commands": ("命令", "Commands"),
        "cli.help.required": ("必填", "required"),
        "cli.help.default: {default}": ("默认：{default}", "default: {default}"),
        "cli.help.env var: {var}": ("环境变量：{var}", "env var: {var}"),
        "cli.help.(dynamic)": ("（动态）", "(dynamic)"),
    }
)

# (pattern over the English message, catalogue key); the groups are the
# key's parameters. Both Typer's and Click's wordings are covered.
_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing option (?P<hint>.+?)\.(?: .*)?$"), "cli.usage.missing_option"),
    (re.compile(r"^Missing (?:argument|parameter:?) (?P<hint>.+?)\.?$"), "cli.usage.missing_argument"),
    (
        re.compile(
            r"^No such option:? '?(?P<name>[^' ]+?)'?\.?"
            r"(?: \((?:Possible options:|Did you mean one of:) (?P<names>.+?)\??\)| Did you mean (?P<one>.+?)\?)?$"
        ),
        "cli.usage.no_option",
    ),
    (re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((?P<args>.*)\)$"), "cli.usage.extra"),
    (re.compile(r"^Option '?(?P<name>[^' ]+?)'? requires (?:an argument|\d+ arguments)\.$"), "cli.usage.needs_value"),
    (re.compile(r"^Option '?(?P<name>[^' ]+?)'? does not take a value\.$"), "cli.usage.no_value"),
    (re.compile(r"^No such command '?(?P<name>.+?)'?\.$"), "cli.usage.no_command"),
    (re.compile(r"^Missing command\.$"), "cli.usage.missing_command"),
    (re.compile(r"^Invalid value for (?P<hint>.+?): (?P<message>.*)$", re.S), "cli.usage.bad_value"),
    (re.compile(r"^(?P<value>.+) is not a valid (?:integer|float|number)(?: range)?\.?$"), "cli.usage.not_number"),
]


def message(english: str, lang: str) -> str:
    """A Click/Typer usage message in ``lang``."""
    english = english.strip()
    for pattern, key in _FORMS:
        m = pattern.match(english)
        if not m:
            continue
        params = {k: v for k, v in m.groupdict().items() if v is not None}
        if key == "cli.usage.bad_value":
            params["message"] = message(params["message"], lang) if _known(params["message"]) else params["message"]
        text = t(key, lang, **{k: v for k, v in params.items() if k not in ("names", "one")})
        names = params.get("names") or params.get("one")
        return text + (t("cli.usage.maybe", lang, names=names) if names else "")
    return t("cli.usage.other", lang, message=english)


def _known(english: str) -> bool:
    return any(p.match(english.strip()) for p, key in _FORMS if key != "cli.usage.bad_value")


def usage_error(error: Any, lang: str) -> str:
    """The whole text shown for a usage error: the usage line, where help
    is, and the error itself, in ``lang``."""
    lines = []
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        usage = ctx.get_usage().strip()
        usage = re.sub(r"^(?:Usage:|用法：)\s*", "", usage)
        lines += [t("cli.usage.line", lang, usage=usage), t("cli.usage.try", lang, command=ctx.command_path), ""]
    lines.append(t("cli.usage.error", lang, message=message(error.format_message(), lang)))
    return "\n".join(lines)


def localise(command: Any, lang: str) -> None:
    """Dress the built command tree in ``lang``: help option, usage prefix,
    headings."""
    _gettext_for_typer(lang)
    context_class = _context_class(lang)
    for cmd in _walk(command):
        cmd.context_class = context_class
        cmd.get_help_option = _help_option(cmd.get_help_option, lang)


def _walk(command: Any) -> Iterator[Any]:
    yield command
    for sub in (getattr(command, "commands", None) or {}).values():
        yield from _walk(sub)


def _help_option(original: Any, lang: str) -> Any:
    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None:
            option.help = t("cli.usage.help_option", lang)
        return option

    return get_help_option


def _context_class(lang: str) -> type:
    usage_prefix = t("cli.usage.line", lang, usage="")  # "用法：" / "Usage: "
    colon = "：" if lang_index(lang) == 0 else ":"

    class Formatter(_formatting.HelpFormatter):  # type: ignore[name-defined]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, usage_prefix if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    class Context(_core.Context):  # type: ignore[name-defined]
        formatter_class = Formatter

    return Context


def _gettext_for_typer(lang: str) -> None:
    """Typer marks its help headings for gettext but ships no translation:
    its module's ``_`` looks them up in the catalogue instead."""
    index = lang_index(lang)

    def gettext_(text: str) -> str:
        entry = CATALOG.get("cli.help." + text)
        return entry[index] if entry else text

    typer_core = importlib.import_module("typer.core")
    if hasattr(typer_core, "_"):
        typer_core._ = gettext_  # type: ignore[attr-defined]
