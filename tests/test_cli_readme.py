"""The ``incident …`` command lines of the README and of docs/ against the
CLI itself: every command they name exists, every option they show is one
the command takes, and the lines meant to be copied (code blocks, and inline
examples without placeholders) parse as given. And the docs' ``comp issue
--lease-seconds 0`` does what it says (issue 21, point 12)."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import EXAMPLE, NOW, ROOT, incident_now
from sqlalchemy import select, update

from incident.cli.app import build_app
from incident.models import Compensation

# typer 0.2x carries its own click (typer._click); the click API is read from
# the objects it builds: a group is what has subcommands.
UsageError = typer.BadParameter.__mro__[1]
Command = Any

SCRIPT = Path(sys.executable).with_name("incident")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_.]{1,}\b(?!-\d)|…|\[|\(|\||\\")


def readme_commands() -> tuple[list[str], list[str]]:
    """(lines from code blocks, inline `incident …` spans), as argument strings after ``incident``."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in DOCS)
    blocks, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif fenced:
            command = line.split("  #", 1)[0].strip()
            for head in ("incident ", "./dev run "):
                if command.startswith(head):
                    blocks.append(command[len(head) :])
    spans = [" ".join(m.group(1).split()) for m in re.finditer(r"`incident ([^`]+)`", text)]
    return blocks, spans


def resolve(root: Command, words: list[str]) -> tuple[Command, list[str], list[str]]:
    """The (sub)command the words name, the names leading to it, and the words after them."""
    cmd: Command = root
    path: list[str] = []
    rest = list(words)
    while hasattr(cmd, "commands"):
        while rest and rest[0].startswith("-"):  # the root's own options (--lang en, --as NAME)
            rest = rest[2:] if rest[0] in ("--lang", "--as", "--config", "--db", "-c") else rest[1:]
        if not rest or rest[0] not in cmd.commands:
            break
        path.append(rest[0])
        cmd, rest = cmd.commands[rest[0]], rest[1:]
    return cmd, path, rest


def parse(root: Command, args: list[str]) -> None:
    """Parse as the CLI would, without running anything."""
    ctx = root.make_context("incident", list(args), resilient_parsing=False)
    cmd: Command = root
    while hasattr(cmd, "commands"):
        rest = (
            [*ctx._protected_args, *ctx.args] if hasattr(ctx, "_protected_args") else [*ctx.protected_args, *ctx.args]
        )
        if not rest:
            break
        name, cmd, tail = cmd.resolve_command(ctx, rest)
        assert cmd is not None and name is not None
        ctx = cmd.make_context(name, tail, parent=ctx)


def options_of(cmd: Command, root: Command) -> set[str]:
    names = {"--help", "-h"}
    for param in [*cmd.params, *root.params]:
        names.update(getattr(param, "opts", []))
        names.update(getattr(param, "secondary_opts", []))
    return names


@pytest.fixture(scope="module")
def root() -> Command:
    command = typer.main.get_command(build_app("en"))
    assert hasattr(command, "commands")
    return command


def test_code_block_lines_parse(root):
    blocks, _ = readme_commands()
    assert len(blocks) >= 10
    for line in blocks:
        args = shlex.split(line)
        if "--help" in args or "--version" in args:
            continue  # answers and exits while parsing; its command path is checked below
        try:
            parse(root, args)
        except UsageError as exc:
            pytest.fail(f"docs: `incident {line}`: {exc.format_message()}")


def test_every_inline_command_names_real_commands_and_options(root):
    _, spans = readme_commands()
    assert len(spans) >= 50
    for span in spans:
        # "comp propose ID … / approve / reject / issue [--lease-seconds S] / list": siblings of the first.
        first, *siblings = [part.strip() for part in span.split(" / ")]
        cmd, path, _ = resolve(root, first.split())
        parent, _, _ = resolve(root, path[:-1])
        parts = [(cmd, first)]
        for part in siblings:
            head = part.split()[0] if part.split() else ""
            if hasattr(parent, "commands") and head in parent.commands:
                parts.append((parent.commands[head], part))
        for command, text in parts:
            for word in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", text):
                assert word in options_of(command, root), f"docs: `incident {span}`: {word} is not an option"
        if not PLACEHOLDER.search(span) and " / " not in span and "/" not in span:
            words = shlex.split(span)
            command, _, rest = resolve(root, words)
            if "--help" in words or "--version" in words or (any(p.required for p in command.params) and not rest):
                continue  # a command named in prose ("`incident facts submit`"), not a line to copy
            try:
                parse(root, words)
            except UsageError as exc:
                pytest.fail(f"docs: `incident {span}`: {exc.format_message()}")


def test_the_lease_example_is_a_real_command_line(root):
    _, spans = readme_commands()
    assert "comp issue --lease-seconds 0" in spans
    parse(root, ["comp", "issue", "--lease-seconds", "0"])


def test_lease_seconds_0_takes_an_interrupted_claim_at_once(db_url, tmp_path, store):
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCIDENT_")}
    env.update(
        INCIDENT_CONFIG=str(EXAMPLE),
        INCIDENT_DATABASE_URL=db_url,
        INCIDENT_ACTOR="chenjing",
        INCIDENT_DATA_DIR=str(tmp_path / "data"),
        INCIDENT_NOW=incident_now(),
    )

    def cli(*args, ok=True):
        proc = subprocess.run(
            [str(SCRIPT), "--lang", "en", *args], env=env, capture_output=True, text=True, timeout=120
        )
        if ok:
            assert proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    cli("declare", "-k", "system_outage", "-s", "2", "-t", "APP 登录失败")
    cli("customers", "add", "1", "--ref", "C001", "--amount", "100")
    entry = json.loads(
        cli("comp", "propose", "1", "--customer", "C001", "--form", "coupon", "--amount", "20", "--json").stdout
    )
    assert entry["status"] == "approved"  # below the threshold: the policy approves it
    # A run claimed it a moment ago and died before the provider answered.
    with store.transaction() as s:
        s.execute(update(Compensation).where(Compensation.id == entry["id"]).values(claimed_at=NOW))
    assert "nothing" in cli("comp", "issue").stdout.lower()  # within the 2-minute lease: left alone
    assert "must be greater than 0" not in cli("comp", "issue", "--lease-seconds", "0").stderr
    with store.read() as s:
        assert s.scalar(select(Compensation.status).where(Compensation.id == entry["id"])) == "issued"
    negative = cli("comp", "issue", "--lease-seconds", "-1", ok=False)
    assert negative.returncode == 1 and "--lease-seconds cannot be negative (got -1)" in negative.stderr
