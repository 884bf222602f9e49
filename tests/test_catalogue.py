"""One catalogue: every module adds its texts to ``incident.i18n.CATALOG``
with ``CATALOG.update({...})``, so two modules that give one key different
texts silently overwrite each other, and which wins depends on import order
(the roster table was once headed "source" by the feeds' column name)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path

import pytest

import incident
import incident_flows
from incident.i18n import CATALOG, Catalogue, t

ROOT = Path(__file__).resolve().parents[1]


def _text_pairs(tree: ast.AST):
    """(key, (zh, en)) of every dict literal entry whose value is two strings."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            # Catalogue keys are dotted ("col.source"); bare ones label enum values in nested tables.
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and "." in key.value):
                continue
            if isinstance(value, ast.Tuple) and len(value.elts) == 2:
                try:
                    pair = tuple(ast.literal_eval(e) for e in value.elts)
                except ValueError:
                    continue
                if all(isinstance(p, str) for p in pair):
                    yield key.value, pair


def test_no_key_has_two_different_texts():
    seen: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    files = [p for d in ("incident", "flows") for p in sorted((ROOT / d).rglob("*.py"))]
    for path in files:
        source = path.read_text(encoding="utf-8")
        if "CATALOG" not in source:
            continue
        for key, pair in _text_pairs(ast.parse(source)):
            seen[key][pair].append(str(path.relative_to(ROOT)))
    assert len(seen) > 500  # the scan found the catalogue
    clashes = {key: dict(texts) for key, texts in seen.items() if len(texts) > 1}
    assert not clashes, clashes


def test_the_catalogue_refuses_a_second_text_for_a_key():
    catalogue = Catalogue({"col.source": ("来源", "From")})
    catalogue.update({"col.source": ("来源", "From"), "col.new": ("新", "new")})  # the same text again is fine
    assert catalogue["col.new"] == ("新", "new")
    with pytest.raises(ValueError, match="col.source"):
        catalogue.update({"col.source": ("订阅源", "source")})
    assert catalogue["col.source"] == ("来源", "From")


def test_every_module_registers_its_texts_without_a_clash():
    # Importing a module runs its CATALOG.update(...): a clash would raise here.
    for package in (incident, incident_flows):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    assert "col.feed" in CATALOG and "col.source" in CATALOG


def test_field_lists_in_timeline_lines_are_said_in_the_readers_language():
    from incident.wording import texts as _wording_texts  # noqa: F401  (registers fact_field and the event)

    fields = ["fix", "public_title", "what.en"]
    zh = t("event.facts_drafted", "zh-CN", version=2, fields=fields)
    assert zh == "口径卡 v2 草稿修改：处理措施、对外标题、发生了什么（EN）"  # not 「fix、public_title、what.en」
    en = t("event.facts_drafted", "en", version=2, fields=fields)
    assert en.startswith("fact sheet v2 draft edited: ") and "public_title" not in en and "(en)" in en
