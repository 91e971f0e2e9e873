"""The import graph of ``src/summitgame`` has no circle, and its arrows point down the layers (issue 14).

The graph is read with ``ast``, not by importing: an edge is any ``import``/``from ... import`` of a
summitgame module, at module level or inside a function (a late import still ties the two modules
together), except under ``if TYPE_CHECKING:`` (never run).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import summitgame

#: Circles tolerated for now, each with the reason. Keep this list empty once they are gone.
ALLOWED: list[frozenset[str]] = []


def modules(root: Path) -> dict[str, tuple[Path, list[str]]]:
    """Every module of the package at ``root``: dotted name -> (file, the package its relative imports start from)."""
    out: dict[str, tuple[Path, list[str]]] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
            out[".".join(parts)] = (path, parts)
        else:
            out[".".join(parts)] = (path, parts[:-1])
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree``, at any depth, but none in the body of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            for other in node.orelse:
                yield from _imports(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _imports(node)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (``from pkg import mod`` points at ``pkg.mod``)."""
    mods = modules(root)

    def known(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, (path, package) in mods.items():
        targets: set[str | None] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(known(a.name) for a in node.names)
                continue
            base = ".".join(package[: len(package) - node.level + 1] if node.level else [])
            source = ".".join(p for p in (base, node.module or "") if p) if node.level else (node.module or "")
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                targets.add(sub if sub in mods else known(source))
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


@functools.cache
def package_graph() -> dict[str, set[str]]:
    """The import graph of the summitgame package, read once (three tests ask; parsing it costs ~1 s of CPU)."""
    return import_graph(Path(summitgame.__file__).parent)


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_imports_have_no_circle() -> None:
    graph = package_graph()
    assert "summitgame.runs.tournament" in graph["summitgame.cli.commands"]  # read, not empty
    unexpected = [sorted(c) for c in circles(graph) if not any(c <= allowed for allowed in ALLOWED)]
    assert unexpected == []


def test_the_graph_sees_late_imports_and_skips_type_checking_ones(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from .sub import c\n")  # a late import is an edge
    (pkg / "sub" / "c.py").write_text("import pkg.a\n")
    (pkg / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import e\n")
    (pkg / "e.py").write_text("from .d import x\n")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.b"] == {"pkg.sub.c"} and graph["pkg.sub.c"] == {"pkg.a"}
    assert graph["pkg.d"] == set() and graph["pkg.e"] == {"pkg.d"}
    assert circles(graph) == [frozenset({"pkg.a", "pkg.b", "pkg.sub.c"})]


#: The packages from the bottom up: a module may import its own package, the shared leaves (which import only
#: each other) and the layers below.
#: play and integrations sit beside analysis, above runs: none of the three imports another.
LEAVES = {"errors", "safeio", "safetext", "rng", "version"}
LAYER = {"rules": 0, "engine": 1, "agents": 2, "runs": 3, "play": 4, "integrations": 4, "analysis": 4, "cli": 5}


def layer_of(module: str) -> tuple[str, int]:
    """The package of ``summitgame.pkg.mod`` and its layer; the shared leaves are -1, the public face 6."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("__main__",):
        return "summitgame", 6
    if parts[1] in LEAVES:
        return parts[1], -1
    return parts[1], LAYER[parts[1]]


def downward_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that points sideways or up the layers, as ``importer -> imported``."""
    bad = []
    for importer, targets in sorted(graph.items()):
        package, rank = layer_of(importer)
        for target in sorted(targets):
            other, other_rank = layer_of(target)
            if other != package and other_rank >= rank and not rank == other_rank == -1:  # leaves: no circle suffices
                bad.append(f"{importer} -> {target}")
    return bad


def test_every_module_has_a_layer() -> None:
    root = Path(summitgame.__file__).parent
    top = {p.stem for p in root.glob("*.py")} | {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    assert top == LEAVES | set(LAYER) | {"__init__", "__main__"}


def test_the_arrows_point_down_the_layers() -> None:
    graph = package_graph()
    assert "summitgame.rules.ruleset" in graph["summitgame.engine.forward"]  # read, not empty
    assert downward_violations(graph) == []


def test_the_engine_and_the_rules_import_nothing_above_them() -> None:
    graph = package_graph()
    for name, targets in graph.items():
        if layer_of(name)[0] in ("rules", "engine"):
            above = {
                t for t in targets if layer_of(t)[0] in ("agents", "runs", "analysis", "play", "integrations", "cli")
            }
            assert above == set(), name


def test_an_upward_or_sideways_import_is_seen() -> None:
    graph = {
        "summitgame.engine.forward": {"summitgame.rules.ruleset", "summitgame.agents.base"},
        "summitgame.play.session": {"summitgame.runs.match", "summitgame.analysis.metrics"},
        "summitgame.rules.loader": {"summitgame.rules.ruleset", "summitgame.errors"},
    }
    assert downward_violations(graph) == [
        "summitgame.engine.forward -> summitgame.agents.base",
        "summitgame.play.session -> summitgame.analysis.metrics",
    ]
