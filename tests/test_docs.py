"""The docs are checked against the code (as sqlite-utils checks its own):
every configuration key the models take is in docs/configuration.md with
its type and default as the code has them, every CLI command is in
docs/cli.md, every relative link in README.md and docs/ leads to a file
that exists, and the README stays a five-minute read. (The command lines
the docs show are parsed against the CLI in tests/test_cli_readme.py.)"""

import re
from pathlib import Path

import typer

from incident.cli.app import build_app
from incident.config_keys import walk

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CELL = re.compile(r"(?<!\\)\|")


def _rows(text: str) -> dict[str, tuple[str, str]]:
    """key path → (type, default) from the reference's table rows."""
    rows = {}
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in CELL.split(line)[1:-1]]
        rows[cells[0].strip("`")] = (cells[1], cells[2].strip("`"))
    return rows


def test_every_configuration_key_is_documented_as_the_code_has_it():
    text = (DOCS / "configuration.md").read_text("utf-8")
    rows = _rows(text)
    sections = [k for k in walk() if k.type == "table" and "." not in k.path and "[" not in k.path]
    for k in sections:  # a top-level table is a heading of its own
        assert f"## `[{k.path}]`" in text, f"docs/configuration.md has no section [{k.path}]"
    keys = [k for k in walk() if k not in sections]
    assert len(keys) > 150
    missing = [k.path for k in keys if k.path not in rows]
    assert not missing, f"docs/configuration.md lacks {missing} (incident config keys lists them)"
    for k in keys:
        assert rows[k.path] == (k.type, k.default), f"docs/configuration.md: {k.path} says {rows[k.path]}"
    stale = set(rows) - {k.path for k in keys}
    assert not stale, f"docs/configuration.md documents keys the code no longer takes: {sorted(stale)}"
    undescribed = [line for line in text.splitlines() if line.endswith("|  |")]
    assert not undescribed, f"keys without a description: {undescribed}"


def _command_paths(group, path=()):
    for name, cmd in group.commands.items():
        if getattr(cmd, "hidden", False):
            continue
        yield (*path, name)
        if hasattr(cmd, "commands"):
            yield from _command_paths(cmd, (*path, name))


def _documented(text: str, paths: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """Command paths a line of the reference names: its first `incident …`
    span, and the siblings after it (`` `incident facts submit / approve` ``,
    `` `incident db upgrade` / `db current` ``, `` … / `statement list ID` ``)."""
    found: set[tuple[str, ...]] = set()
    for line in text.splitlines():
        spans = re.findall(r"`([^`]+)`", line)
        heads = [s for s in spans if s.startswith("incident ")]
        if not heads:
            continue
        words = heads[0].split()[1:]
        path = max(
            (tuple(words[:n]) for n in range(1, len(words) + 1) if tuple(words[:n]) in paths), key=len, default=()
        )
        if not path:
            continue
        found.add(path)
        parents = [path[:k] for k in range(len(path))]
        for span in spans:
            for part in span.removeprefix("incident ").split(" / "):
                first = part.split()[:2]
                for parent in parents:
                    for n in (1, 2):
                        if (*parent, *first[:n]) in paths:
                            found.add((*parent, *first[:n]))
    return found


def test_every_cli_command_is_in_the_command_reference():
    root = typer.main.get_command(build_app("en"))
    paths = set(_command_paths(root))
    assert len(paths) > 60
    found = _documented((DOCS / "cli.md").read_text("utf-8"), paths)
    missing = sorted(" ".join(p) for p in paths - found)
    assert not missing, f"docs/cli.md does not document: {missing}"


def test_relative_links_lead_somewhere():
    for doc in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text("utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (doc.parent / target).exists(), f"{doc.relative_to(ROOT)} links to {target}, which does not exist"


def test_the_readme_is_a_five_minute_read():
    text = (ROOT / "README.md").read_text("utf-8")
    words = len(re.findall(r"\w+", text))
    assert words < 1500, f"README.md has {words} words: move detail to docs/"
    for heading in ("## Quick start", "## How it fits together", "## Where to go next"):
        assert heading in text
    assert "./dev run" in text and "./dev test" in text
