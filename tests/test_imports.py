"""The package's import graph, read from the source with ``ast``: the rule and engine modules form no circle.

Every import counts, wherever it sits (module level, ``if TYPE_CHECKING:``, inside a function), since each
is an arrow a reader must follow. Circles elsewhere (the CLI, the tournament and cluster, the agent registry)
are another step's work; this test holds the modules around the effect interpreter to no circle at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "summitgame"

#: the modules around the effect interpreter: none of them may sit on an import circle
CHECKED = (
    "summitgame.effects",
    "summitgame.state",
    "summitgame.ruleset",
    "summitgame.schema",
    "summitgame.loader",
    "summitgame.crossref",
    "summitgame.describe",
    "summitgame.scoring",
    "summitgame.engine",
    "summitgame.observation",
    "summitgame.agents.evaluate",
    "summitgame.integrations.openspiel",
    "summitgame.play.log",
)


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    out: dict[str, Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that module ``name`` imports, anywhere in its source."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            stem = ".".join([*base, *(node.module.split(".") if node.module else [])])
            # ``from . import rng`` imports the module ``rng``; ``from .rng import below`` the module itself
            targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in known else stem for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # ``import summitgame.agents.base`` names a module; else its parent
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def circles(g: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    counter = 0
    for root in g:
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(g[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(g.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(component)
    return out


def test_the_graph_is_read_and_circles_are_found() -> None:
    """The reader finds known arrows (relative, ``from . import``, ``TYPE_CHECKING``), and the circle finder
    finds a planted circle, so the next test cannot pass by reading nothing."""
    g = graph()
    assert "summitgame.rng" in g["summitgame.effects"]  # ``from . import rng as _rng``
    assert "summitgame.ruleset" in g["summitgame.state"]  # under ``if TYPE_CHECKING:``
    assert "summitgame.effects" in g["summitgame.agents.evaluate"]  # ``from ..effects import ...``
    planted = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(planted) == [{"a", "b", "c"}]


def test_no_circle_through_the_effect_interpreter() -> None:
    """Compiling lives with the ruleset, applying with the engine: no circle holds any module around them
    (the old ``effects`` → ``state`` → ``ruleset`` → ``effects`` circle included)."""
    found = [sorted(c) for c in circles(graph()) if c & set(CHECKED)]
    assert found == []


def test_the_interpreter_imports_nothing_of_the_engine() -> None:
    """``effects.py`` sits below the ruleset and the state: it imports only the chance generator, so both
    the rules side (compiling) and the engine side (applying) may import it."""
    assert graph()["summitgame.effects"] == {"summitgame.rng"}
