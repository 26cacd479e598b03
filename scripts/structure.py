"""The shape of the code from its imports: app-level import edges and cycles, the
function-local ("deferred") imports of another app, and the largest functions.

    .venv/bin/python scripts/structure.py            # this checkout
    .venv/bin/python scripts/structure.py --largest 15

`make lint` enforces the layers themselves (import-linter, pyproject.toml); this script
is the report behind docs/architecture.md, and tests/test_architecture.py uses
``deferred_imports`` to keep every deferred cross-app import explained.
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Deferred:
    path: str
    line: int
    module: str
    reason: str  # the comment on the import's line or the line above ("" if none)


def _sources(root: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted((root / "zhibu").rglob("*.py")):
        parts = path.relative_to(root / "zhibu").parts
        if "migrations" in parts or "tests" in parts:
            continue
        yield (parts[0] if len(parts) > 1 else "(root)"), path


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def app_edges(root: Path = ROOT) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for app, path in _sources(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for module in _imported(node):
                parts = module.split(".")
                if parts[0] == "zhibu" and len(parts) > 1 and parts[1] != app:
                    edges[app].add(parts[1])
    return edges


def cycles(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a in edges for b in edges[a] if a < b and a in edges.get(b, ()))


def _ready_methods(tree: ast.AST) -> set[int]:
    """Line numbers inside ``AppConfig.ready``, where deferred imports are Django's rule."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "ready":
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def deferred_imports(root: Path = ROOT) -> list[Deferred]:
    """Imports of another app made inside a function (not in ``AppConfig.ready``)."""
    found = []
    for app, path in _sources(root):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        lines = text.splitlines()
        in_ready = _ready_methods(tree)
        for node in ast.walk(tree):
            if getattr(node, "col_offset", 0) == 0 or node.lineno in in_ready:
                continue
            for module in _imported(node):
                parts = module.split(".")
                if parts[0] != "zhibu" or len(parts) < 2 or parts[1] == app:
                    continue
                here = lines[node.lineno - 1]
                above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                reason = here.partition("#")[2].strip() or (
                    above[1:].strip() if above.startswith("#") else ""
                )
                rel = str(path.relative_to(root))
                found.append(Deferred(rel, node.lineno, module, reason))
    return found


def largest_functions(root: Path = ROOT, count: int = 10) -> list[tuple[int, str]]:
    sizes = []
    for _, path in _sources(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                sizes.append((length, f"{path.relative_to(root)}:{node.lineno} {node.name}"))
    return sorted(sizes, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--largest", type=int, default=10)
    args = parser.parse_args()
    edges = app_edges(args.root)
    print("App imports:")
    for app in sorted(edges):
        print(f"  {app} -> {', '.join(sorted(edges[app]))}")
    print("Cycles:", ", ".join(f"{a} <-> {b}" for a, b in cycles(edges)) or "none")
    deferred = deferred_imports(args.root)
    print(f"Deferred cross-app imports: {len(deferred)}")
    for item in deferred:
        print(f"  {item.path}:{item.line} {item.module}  # {item.reason or '(no reason)'}")
    print("Largest functions (lines):")
    for length, where in largest_functions(args.root, args.largest):
        print(f"  {length:4d}  {where}")


if __name__ == "__main__":
    main()
