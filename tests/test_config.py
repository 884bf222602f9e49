"""A bad configuration is refused at start with the key and the reason."""

import pytest
from conftest import EXAMPLE

from incident.config import load_config
from incident.errors import ConfigError

BASE = EXAMPLE.read_text(encoding="utf-8")


def refuse(tmp_path, text):
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    return err.value.message("en"), err.value.message("zh-CN")


def test_example_is_valid():
    config = load_config(EXAMPLE)
    assert config.centre.timezone == "Asia/Shanghai"
    assert {"ops", "cs", "comms", "tech", "business", "legal"} <= set(config.teams)


def test_unknown_key(tmp_path):
    en, zh = refuse(tmp_path, BASE.replace('timezone = "Asia/Shanghai"', 'timezon = "Asia/Shanghai"'))
    assert "centre.timezon" in en and "unknown key" in en
    assert "centre.timezon" in zh and "未知的键" in zh


def test_unmasked_phone(tmp_path):
    en, zh = refuse(tmp_path, BASE.replace('phone = "****1234"', 'phone = "13812341234"'))
    assert "people.zhangwei.phone" in en and "last 4 digits" in en
    assert "后 4 位" in zh


def test_unknown_person_in_rotation(tmp_path):
    en, _ = refuse(tmp_path, BASE.replace('members = ["zhangwei", "lina"]', 'members = ["zhangwei", "nobody"]'))
    assert "teams.ops.rotation.members[1]" in en and "nobody" in en


def test_bad_zone_and_severity(tmp_path):
    en, _ = refuse(tmp_path, BASE.replace('"Asia/Shanghai"', '"Mars/Olympus"'))
    assert "centre.timezone" in en and "Mars/Olympus" in en
    en, _ = refuse(tmp_path, BASE.replace("SEV4 = 60", "SEV9 = 60"))
    assert "response.ack_minutes" in en and "SEV9" in en


def test_role_nobody_covers(tmp_path):
    en, _ = refuse(tmp_path, BASE.replace('roles = ["legal_liaison"]\nsupervisor', 'roles = ["scribe"]\nsupervisor'))
    assert "legal liaison" in en and "response.rules" in en


def test_toml_syntax_and_missing_file(tmp_path):
    en, _ = refuse(tmp_path, BASE + "\n[centre\n")
    assert "not valid TOML" in en
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_shift_order(tmp_path):
    en, _ = refuse(tmp_path, BASE.replace("end = 2027-01-02T09:00:00", "end = 2026-12-30T09:00:00"))
    assert "teams.ops.shifts[0]" in en and "ends before it starts" in en
