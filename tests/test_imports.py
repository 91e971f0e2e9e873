"""The import graph of ``src/summitgame`` has no circle: every arrow points one way (issue 14).

The graph is read with ``ast``, not by importing: an edge is any ``import``/``from ... import`` of a
summitgame module, at module level or inside a function (a late import still ties the two modules
together), except under ``if TYPE_CHECKING:`` (never run).
"""

from __future__ import annotations

import ast
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
    root = Path(summitgame.__file__).parent
    graph = import_graph(root)
    assert "summitgame.cli" in graph and "summitgame.tournament" in graph["summitgame.cli"]  # read, not empty
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
