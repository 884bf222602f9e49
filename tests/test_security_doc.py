"""docs/SECURITY.md is a promise: each test it names as a proof exists,
and its table of who may do what is the one the code enforces."""

import re
from pathlib import Path

from incident.access.permissions import PERMISSIONS, ROLES

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "SECURITY.md").read_text("utf-8")


def test_every_proof_named_is_a_test():
    named = set(re.findall(r"`(test_\w+)`", DOC))
    assert len(named) >= 20
    defined = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^(?:async )?def (test_\w+)", path.read_text("utf-8"), re.M))
    assert named - defined == set(), "docs/SECURITY.md names tests that do not exist"


def test_the_permission_table_is_the_enforced_one():
    block = DOC.split("<!-- permissions:start -->", 1)[1].split("<!-- permissions:end -->", 1)[0]
    rows = [line.strip("| ").split(" | ") for line in block.strip().splitlines()[2:]]
    table = {action: [r.strip() for r in roles.split(",")] for action, roles in rows}
    enforced = {action: [r for r in ROLES if r in allowed] for action, allowed in PERMISSIONS.items()}
    assert table == enforced
