"""The drawing of the exception tree in ``errors.py`` names every SummitError subclass of the package, each under
its own parent (issue 14)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import summitgame
from summitgame import errors
from summitgame.errors import SummitError

NODE = re.compile(r"^(?P<indent>(?:[│ ]   )*)[├└]── (?P<name>\w+)")


def drawn_tree(doc: str) -> dict[str, str]:
    """Class name -> its parent's name, read from a box-drawing tree whose root line is ``SummitError``."""
    parents: dict[str, str] = {}
    path = ["SummitError"]
    for line in doc.splitlines():
        m = NODE.match(line)
        if m is None:
            continue
        depth = len(m["indent"]) // 4 + 1
        name = m["name"]
        assert name not in parents, f"{name} is drawn twice"
        del path[depth:]
        parents[name] = path[depth - 1]
        path.append(name)
    return parents


def package_tree() -> dict[str, str]:
    """Class name -> its parent's name, for every SummitError subclass defined in the package."""
    for mod in pkgutil.walk_packages(summitgame.__path__, "summitgame."):
        if mod.name != "summitgame.__main__":  # it runs the command
            importlib.import_module(mod.name)  # the test extra installs every optional dependency
    out: dict[str, str] = {}
    todo = [SummitError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("summitgame."):
                out[sub.__name__] = cls.__name__
                todo.append(sub)
    return out


def test_the_tree_is_read_with_its_nesting() -> None:
    doc = "SummitError\n├── A   a\n│   └── B   b\n│       more about b\n└── C   c\n"
    assert drawn_tree(doc) == {"A": "SummitError", "B": "A", "C": "SummitError"}


def test_the_docstring_draws_every_summit_error_under_its_parent() -> None:
    assert errors.__doc__ is not None
    tree = package_tree()
    assert len(tree) >= 14
    assert drawn_tree(errors.__doc__) == tree
