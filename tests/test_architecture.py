"""The shape of the code (issue #11): no import cycles, layers that import one way, short modules.

Imports are read with ``ast`` from every module, at module level, inside functions and under
``TYPE_CHECKING`` alike: a cycle that only type-checking closes is still one the next reader must
untangle. ``KNOWN`` lists what is still to mend; an entry that no longer holds fails the test, so
the list only shrinks.
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

# Still to mend (#11). Remove an entry when it is mended; the test fails on stale entries.
KNOWN_CYCLES: set[frozenset[str]] = {
    frozenset({"bot.telegram.agenda", "bot.telegram.handlers"}),
}
KNOWN_LONG: set[str] = {
    "bot.telegram.handlers",
    "bot.telegram.notifier",
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


def test_no_import_cycles_beyond_the_known_ones() -> None:
    modules = _modules()
    cycles = _cycles(_graph(modules), sorted(modules))
    assert cycles - KNOWN_CYCLES == set(), "new import cycle(s)"
    assert KNOWN_CYCLES - cycles == set(), "mended: remove these from KNOWN_CYCLES"


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


def test_no_module_over_500_lines_beyond_the_known_ones() -> None:
    modules = _modules()
    long = {
        name
        for name, path in modules.items()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert long - KNOWN_LONG == set(), "new module(s) over 500 lines"
    assert KNOWN_LONG - long == set(), "mended: remove these from KNOWN_LONG"


def test_the_checker_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph, ["a", "b", "c", "d"]) == {frozenset({"a", "b", "c"})}
