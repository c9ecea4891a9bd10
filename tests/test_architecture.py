"""The floors of the house (docs/architecture.md): imports point down only.

core (datacommons/) <- reconciliation/ <- loaders/ <- demo/ <- endpoint/ <- cli/ (the command
line, the only thing that imports everything). Every import counts, those inside functions
too: an import placed in a function to dodge a cycle still points where it points. And none of
the lower floors imports a module of the project inside a function at all: such an import
only ever hides a cycle (or an upward arrow) the module layout should not have.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each floor may not import (the floors above it).
FORBIDDEN = {
    "datacommons": ("reconciliation", "loaders", "demo", "endpoint", "cli"),
    "reconciliation": ("loaders", "demo", "endpoint", "cli"),
    "loaders": ("demo", "endpoint", "cli"),
    "demo": ("endpoint", "cli"),
    "endpoint": ("demo", "cli"),
}
PROJECT = ("datacommons", "reconciliation", "loaders", "demo", "endpoint", "cli")
# The floors where a module of the project is imported at the top of a file only.
NO_FUNCTION_IMPORTS = ("datacommons", "reconciliation", "loaders", "demo", "cli")


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
                module = ".".join(part for part in (base, node.module) if part)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def upward_imports(floor: str, root: Path = ROOT) -> list[str]:
    bad = []
    for path in sorted((root / floor).rglob("*.py")):
        for line, module in imported_modules(path, root):
            for above in FORBIDDEN[floor]:
                if module == above or module.startswith(above + "."):
                    bad.append(f"{path.relative_to(root)}:{line} imports {module}")
    return bad


def project_imports_in_functions(floor: str, root: Path = ROOT) -> list[str]:
    """Imports of the project's own modules (relative ones included) inside a function."""
    bad = []
    for path in sorted((root / floor).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or ""] if not node.level else ["." * node.level]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    if name.startswith(".") or name.split(".")[0] in PROJECT:
                        bad.append(f"{path.relative_to(root)}:{node.lineno} imports {name} in {function.name}()")
    return bad


@pytest.mark.parametrize("floor", sorted(FORBIDDEN))
def test_no_floor_imports_a_floor_above_it(floor):
    assert upward_imports(floor) == []


def test_the_check_sees_imports_hidden_in_functions_and_relative_ones(tmp_path):
    (tmp_path / "datacommons").mkdir()
    (tmp_path / "datacommons" / "probe.py").write_text(
        "def f():\n    from endpoint.app import create_app\n"
        "def g():\n    from ..cli import main\n"
        "from .store import Commons\n"
    )
    assert upward_imports("datacommons", tmp_path) == [
        "datacommons/probe.py:2 imports endpoint.app",
        "datacommons/probe.py:2 imports endpoint.app.create_app",
        "datacommons/probe.py:4 imports cli",
        "datacommons/probe.py:4 imports cli.main",
    ]


def test_every_floor_has_a_rule_and_every_package_a_floor():
    """A new top-level package of code must be given its place among the floors."""
    packages = {p.parent.name for p in ROOT.glob("*/*.py")} - {"tests", "benchmarks", "scripts"}
    assert packages == set(PROJECT)


@pytest.mark.parametrize("floor", NO_FUNCTION_IMPORTS)
def test_no_module_of_the_project_is_imported_inside_a_function(floor):
    assert project_imports_in_functions(floor) == []


def test_the_function_import_check_sees_project_and_relative_imports_only(tmp_path):
    (tmp_path / "loaders").mkdir()
    (tmp_path / "loaders" / "probe.py").write_text(
        "import json\n"
        "def f():\n    from .history import history_of\n"
        "def g():\n    import resource\n    from datacommons.uris import Uris\n"
        "class C:\n    def h(self):\n        from reconciliation import reconcile\n"
    )
    assert project_imports_in_functions("loaders", tmp_path) == [
        "loaders/probe.py:3 imports . in f()",
        "loaders/probe.py:6 imports datacommons.uris in g()",
        "loaders/probe.py:9 imports reconciliation in h()",
    ]
