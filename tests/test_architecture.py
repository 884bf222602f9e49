"""The import contract (issue 26 point 1), checked like the migration drift
test: from the source, with no import of the code.

Dependencies point one way — entry points → use cases → domain packages →
core → base — and no two units import each other, directly or round a
circle. A unit is a top-level module of ``incident/`` or a package
(``incident.watch``); a text catalogue (``texts.py``, ``*_texts.py``) is data
and a unit of its own, in the base layer, so anyone may import the texts it
shows. Imports inside functions count as much as those at the top: hiding an
import in a function keeps a circle from failing at import time, not from
being a circle.

What could not be untangled yet is in ALLOWLIST, an edge each with a reason.
The test fails on any edge that breaks the contract and is not listed, and
on a listed edge that no longer exists — so the list only shrinks.
"""

from __future__ import annotations

import ast
import collections
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "incident"

# Top to bottom; a unit may import its own layer (no circles) or any lower one.
LAYERS: dict[str, set[str]] = {
    "entry": {"cli", "web", "serve", "__main__", "demo", "migrations", "slack.commands"},
    "usecase": {"response", "merge"},
    "domain": {
        "watch",
        "wording",
        "remedy",
        "access",
        "review",
        "knowledge",
        "reporting",
        "adapters",
        "slack",
        "escalation",
        "acklinks",
        "detector",
        "detector_daily",
        "detector_measure",
        "detector_params",
        "detector_scan",
        "detector_surge",
        "metrics",
        "runtime",
    },
    "core": {
        "incidents",
        "incident_parse",
        "incident_queries",
        "lifecycle",
        "notify",
        "notify_channels",
        "outbox_engine",
        "webhooks",
        "pinned_post",
        "roster",
        "roster_overrides",
        "roster_edit",
        "escalation_chain",
        "serialise",
        "events",
        "context",
        "config",
        "config_outbound",
        "config_people",
        "config_remedy",
        "config_types",
        "config_watch",
        "config_keys",
        "db",
        "models",  # and every domain's models module (see unit())
        "models_knowledge",
        "models_people",
        "models_review",
        "models_status",
    },
    "base": {
        "__init__",
        "i18n",
        "errors",
        "enums",
        "timeutil",
        "textin",
        "sanitise",
        "money",
        "logs",
        "resources",
        "netcheck",
        "netguard",
        "formula",
        "texts",  # every text catalogue (see unit())
    },
}
# Modules that stand in a layer apart from their package: Slack's slash
# commands are an entry point, the rest of incident/slack/ a domain package.
OWN_UNIT = {"incident.slack.commands": "slack.commands"}
RANK = {name: i for i, layer in enumerate(reversed(LAYERS)) for name in LAYERS[layer]}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}

# (importer unit, imported unit): why it is still there. Each goes when its
# reason is dealt with; the test then says to strike it.
_WATCH_PREPARE = (
    "watch/prepare.py drafts wording and schedules callbacks after detection: a use case still inside watch"
)
ALLOWLIST: dict[tuple[str, str], str] = {
    ("config_outbound", "adapters"): "HttpProviderConfig is declared beside the provider adapter, not in the config",
    ("notify_channels", "adapters"): "the channel plan builds the adapters; notification delivery is not a domain yet",
    ("notify", "notify_channels"): "notify plans its channels there, and notify_channels types Delivery from notify",
    ("notify_channels", "notify"): "TYPE_CHECKING import of notify.Delivery (the other half of the line above)",
    (
        "watch",
        "response",
    ): "watch.signals.raise_alert opens incidents deep in the scan; the scan should hand alerts up",
    ("watch", "remedy"): _WATCH_PREPARE,
    ("watch", "wording"): _WATCH_PREPARE,
    ("remedy", "watch"): "remedy/customers.py reads complaint tickets through watch.complaints (being split)",
    ("remedy", "wording"): "remedy/callbacks.py fills the call script from wording.factsheet (being split; issue 26)",
    (
        "wording",
        "watch",
    ): "wording/pull.py classifies a question with watch.classify (topics belong below both)",
}


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, pathlib.Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def unit(module: str) -> str:
    """``incident.watch.jobs`` → ``watch``; ``incident.web.status_texts`` →
    ``texts:web.status_texts`` (a catalogue is its own unit)."""
    if module in OWN_UNIT:
        return OWN_UNIT[module]
    parts = module.split(".")[1:] or ["__init__"]
    if parts[-1] == "texts" or parts[-1].endswith("_texts"):
        return "texts:" + ".".join(parts)
    if len(parts) > 1 and parts[-1] == "models":  # a domain's tables: schema, beside db in the core
        return "models:" + ".".join(parts)
    return parts[0]


def rank(u: str) -> int:
    """A unit with no layer yet ranks as a domain package here (and fails
    test_every_unit_has_a_layer)."""
    return RANK.get(u.partition(":")[0] if ":" in u else u, RANK["watch"])


def imports(mods: dict[str, pathlib.Path]) -> dict[str, set[str]]:
    """Module → the incident modules it imports, at the top or in a function
    (``TYPE_CHECKING`` blocks too: mypy follows them)."""
    out: dict[str, set[str]] = collections.defaultdict(set)
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from . import x
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in mods:  # import incident.watch.jobs.x → the module
                    target = target.rpartition(".")[0]
                if target.startswith("incident") and target != name:
                    out[name].add(target)
    return out


def unit_edges(mods: dict[str, pathlib.Path]) -> dict[tuple[str, str], list[str]]:
    """(unit, unit) → the module imports that make the edge."""
    edges: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for src, targets in imports(mods).items():
        for dst in sorted(targets):
            a, b = unit(src), unit(dst)
            if a != b:
                edges[(a, b)].append(f"{src} → {dst}")
    return edges


def cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """Strongly connected components of more than one unit (Tarjan)."""
    graph: dict[str, set[str]] = collections.defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def violations(edges: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], str]:
    """Every edge that breaks the contract: upward, or round a circle within
    one layer. (Without upward edges a circle can only run within a layer,
    so those two cover every circle, and a circle closed by an upward edge
    is reported as that edge.)"""
    bad: dict[tuple[str, str], str] = {}
    level: dict[tuple[str, str], list[str]] = {}
    for (a, b), how in edges.items():
        if rank(a) < rank(b):
            bad[(a, b)] = f"upward ({_layer(a)} → {_layer(b)}): {how[0]}"
        elif rank(a) == rank(b):
            level[(a, b)] = how
    for comp in cycles(level):
        members = set(comp)
        for (a, b), how in level.items():
            if a in members and b in members:
                bad[(a, b)] = f"circle {'/'.join(comp)}: {how[0]}"
    return bad


def _layer(u: str) -> str:
    return LAYER_OF.get(u.partition(":")[0] if ":" in u else u, "?")


def test_every_unit_has_a_layer():
    """A new top-level module or package says where it stands."""
    units = {unit(m) for m in modules()}
    missing = sorted(u for u in units if (u.partition(":")[0] if ":" in u else u) not in RANK)
    assert missing == [], f"put these in LAYERS: {missing}"


def test_no_new_upward_import_or_circle():
    bad = violations(unit_edges(modules()))
    new = {edge: why for edge, why in bad.items() if edge not in ALLOWLIST}
    assert new == {}, "imports against the layers or round a circle:\n" + "\n".join(
        f"  {a} → {b}: {why}" for (a, b), why in sorted(new.items())
    )


def test_the_allowlist_only_shrinks():
    bad = violations(unit_edges(modules()))
    gone = sorted(edge for edge in ALLOWLIST if edge not in bad)
    assert gone == [], f"these edges are fixed: strike them from ALLOWLIST: {gone}"


def test_nothing_in_incident_imports_prefect():
    """Prefect is the runner in flows/, never a dependency of the library."""
    hits = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            hits += [f"{name}: {n}" for n in names if n == "prefect" or n.startswith("prefect.")]
    assert hits == []


def test_an_import_inside_a_function_says_why():
    """An import in a function hides an edge from import time: its line
    says why (an optional heavy dependency, a listed circle …)."""
    silent = []
    for name, path in modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for fn in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    if isinstance(node, ast.Import | ast.ImportFrom) and not any(
                        "#" in lines[i - 1] for i in range(node.lineno, (node.end_lineno or node.lineno) + 1)
                    ):
                        silent.append(f"{name}:{node.lineno}")
    assert silent == []


def test_the_checker_sees_what_it_must():
    """The checker itself: an upward import and a circle are found, in a
    function too, and a relative import is resolved."""
    fake = {
        "incident.incidents": "def f():\n    from incident.wording import clocks\n",
        "incident.wording": "",
        "incident.wording.clocks": "from incident.incidents import record_event\n",
        "incident.watch": "",
        "incident.watch.jobs": "from . import prepare\n",
        "incident.watch.prepare": "from incident.response import declare\n",
        "incident.response": "import incident.watch.jobs\n",
    }
    edges = _edges_of(fake)
    assert ("incidents", "wording") in edges and ("watch", "response") in edges
    assert cycles(edges) == [["incidents", "wording"], ["response", "watch"]]
    bad = violations(edges)
    assert bad[("incidents", "wording")].startswith("upward (core → domain)")
    assert bad[("watch", "response")].startswith("upward (domain → usecase)")
    assert ("wording", "incidents") not in bad  # the downward half: the upward one is the fault
    same = _edges_of(
        {"incident.watch": "import incident.wording\n", "incident.wording": "from incident import watch\n"}
    )
    assert violations(same) == {
        ("watch", "wording"): "circle watch/wording: incident.watch → incident.wording",
        ("wording", "watch"): "circle watch/wording: incident.wording → incident.watch",
    }


def _edges_of(sources: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    import tempfile  # noqa: PLC0415 — only this self-test writes files

    global ROOT
    saved = ROOT
    with tempfile.TemporaryDirectory() as tmp:
        ROOT = pathlib.Path(tmp) / "incident"
        for name, text in sources.items():
            parts = name.split(".")
            is_package = any(other.startswith(name + ".") for other in sources)
            path = ROOT.parent.joinpath(*parts, "__init__.py")
            if not is_package:
                path = ROOT.parent.joinpath(*parts[:-1], parts[-1] + ".py")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        try:
            return unit_edges(modules())
        finally:
            ROOT = saved


if __name__ == "__main__":  # print what is left: python tests/test_architecture.py
    found = violations(unit_edges(modules()))
    for (a, b), why in sorted(found.items()):
        print(f'    ("{a}", "{b}"): "{why}",')
    print(len(found), "edges;", [c for c in cycles(unit_edges(modules()))])
