"""The shape of the code (issue #11): no import cycles, layers that import one way, short modules.

Imports are read with ``ast`` from every module, at module level, inside functions and under
``TYPE_CHECKING`` alike: a cycle that only type-checking closes is still one the next reader must
untangle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "scrapers", "state", "templates", "replay")
MAX_LINES = 500
# Which project packages each package may import (besides itself).
ALLOWED = {
    "state": frozenset(),
    "scrapers": frozenset({"state"}),
    "templates": frozenset({"state"}),
    "replay": frozenset({"scrapers", "state"}),
}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        base = ROOT / package
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                else:
                    base = node.module or ""
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                found = resolve(target)
                if found and found != name:
                    graph[name].add(found)
    return graph


def _cycles(graph: dict[str, set[str]], nodes: list[str]) -> set[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: set[frozenset[str]] = set()
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.add(frozenset(component))
    return result


def test_no_import_cycles() -> None:
    modules = _modules()
    assert _cycles(_graph(modules), sorted(modules)) == set()


def test_layers_import_one_way() -> None:
    modules = _modules()
    wrong = sorted(
        f"{name} -> {dep}"
        for name, deps in _graph(modules).items()
        for dep in deps
        if (top := name.split(".")[0]) in ALLOWED
        and (dep_top := dep.split(".")[0]) != top
        and dep_top not in ALLOWED[top]
    )
    assert wrong == []


def test_no_module_over_500_lines() -> None:
    long = {
        name: lines
        for name, path in _modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_checker_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph, ["a", "b", "c", "d"]) == {frozenset({"a", "b", "c"})}


def test_the_architecture_notes_list_every_module() -> None:
    notes = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    listed = {line.split("`")[1] for line in notes.splitlines() if line.startswith("- `")}
    actual = {str(path.relative_to(ROOT)) for path in _modules().values()}
    assert actual - listed == set(), "modules missing from docs/ARCHITECTURE.md"
    assert listed - actual == set(), "docs/ARCHITECTURE.md lists modules that no longer exist"
