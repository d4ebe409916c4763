"""The house stays legible: no import circles between the package's modules.

Every import counts, also one inside a function or under TYPE_CHECKING: a
circle means two modules that cannot be understood (or tested) apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mgi_report

PACKAGE = Path(mgi_report.__file__).parent


def imports() -> dict[str, set[str]]:
    """module -> the package's modules it imports."""
    names = {p.stem for p in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "mgi_report."):
                found.add(node.module.split(".")[1])
        graph[path.stem] = {m for m in found if m in names and m != path.stem}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, each as the list of its modules (a depth-first search)."""
    out, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                out.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return out


def test_the_package_has_no_import_circles():
    assert cycles(imports()) == []


def test_the_circle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
