"""The floors of the house (docs/architecture.md): imports point down only.

core (datacommons/, but for its command line) <- loaders/ <- endpoint/ <- command line.
Every import counts, those inside functions too: an import placed in a function to dodge a
cycle still points where it points.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each floor may not import (the floors above it).
FORBIDDEN = {
    "datacommons": ("loaders", "endpoint", "datacommons.cli"),
    "loaders": ("endpoint", "datacommons.cli"),
    "endpoint": ("datacommons.cli",),
}
TOP_FLOOR = {ROOT / "datacommons" / "cli.py"}


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = package.split(".")
                base = ".".join(parent[: len(parent) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def upward_imports(floor: str, root: Path = ROOT) -> list[str]:
    bad = []
    for path in sorted((root / floor).rglob("*.py")):
        if path in TOP_FLOOR:
            continue
        for line, module in imported_modules(path, root):
            for above in FORBIDDEN[floor]:
                if module == above or module.startswith(above + "."):
                    bad.append(f"{path.relative_to(root)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("floor", sorted(FORBIDDEN))
def test_no_floor_imports_a_floor_above_it(floor):
    assert upward_imports(floor) == []


def test_the_check_sees_imports_hidden_in_functions_and_relative_ones(tmp_path):
    (tmp_path / "datacommons").mkdir()
    (tmp_path / "datacommons" / "probe.py").write_text(
        "def f():\n    from endpoint.app import create_app\n"
        "def g():\n    from . import cli\n"
        "from .store import Commons\n"
    )
    assert upward_imports("datacommons", tmp_path) == [
        "datacommons/probe.py:2 imports endpoint.app",
        "datacommons/probe.py:2 imports endpoint.app.create_app",
        "datacommons/probe.py:4 imports datacommons.cli",
    ]
