"""The package's shape: no import cycles, imports in the documented direction, dependencies as declared.

Imports are read from the source (every ``import``, at module level or inside
a function, but not under ``if TYPE_CHECKING:``), so a lazy import that would
close a cycle is caught too.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mtdetect"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imported(name: str) -> tuple[set[str], set[str]]:
    """The mtdetect modules and the other top-level packages that module ``name`` imports."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    ours: set[str] = set()
    others: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            # "from . import x" imports the module x when there is one
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            if target == "mtdetect" or target.startswith("mtdetect."):
                ours.add(target if target in MODULES else target.rsplit(".", 1)[0])
            else:
                others.add(target.split(".")[0])
    ours.discard(name)
    return ours, others


GRAPH = {name: imported(name)[0] for name in MODULES}


def test_every_import_of_the_package_is_found() -> None:
    assert "mtdetect.detector" in GRAPH["mtdetect"] and "mtdetect.results" in GRAPH["mtdetect.detector"]
    assert all(target in MODULES for targets in GRAPH.values() for target in targets)


def test_no_import_cycles() -> None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in MODULES:
        if name not in state:
            visit(name)


def reachable(name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        for target in GRAPH[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize(
    ("module", "never"),
    [
        ("mtdetect.records", {"mtdetect.filtering", "mtdetect.detector", "mtdetect.batches"}),
        ("mtdetect.annotation", {"mtdetect.filtering", "mtdetect.detector", "mtdetect.batches"}),
        ("mtdetect.results", {"mtdetect.detector", "mtdetect.annotation"}),
        ("mtdetect.filtering", {"mtdetect.detector", "mtdetect.batches", "mtdetect.cli"}),
        ("mtdetect.batches", {"mtdetect.detector", "mtdetect.filtering", "mtdetect.cli"}),
        ("mtdetect.scoring", {"mtdetect.detector", "mtdetect.filtering", "mtdetect.batches", "mtdetect.cli",
                              "mtdetect.report"}),
        ("mtdetect._punkt", {"mtdetect.segment"}),
        ("mtdetect.rules", {"mtdetect.features", "mtdetect.detector"}),
    ],
)
def test_imports_go_one_way(module: str, never: set[str]) -> None:
    assert not reachable(module) & never


# name in the import statement -> distribution name in pyproject.toml
DISTRIBUTIONS = {"sklearn": "scikit-learn"}
OPTIONAL = {"datatrove", "dolma", "pandas"}  # the integrations' and pandas batches' extras, imported lazily


def declared(extra: str | None = None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return {re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_runtime_dependencies_are_what_the_runtime_imports() -> None:
    third_party = set()
    for name in MODULES:
        for package in imported(name)[1]:
            if package not in sys.stdlib_module_names and package not in OPTIONAL:
                third_party.add(DISTRIBUTIONS.get(package, package).lower())
    assert third_party == declared()


def test_training_only_packages_are_in_the_train_extra() -> None:
    assert "scikit-learn" in declared("train") and "scikit-learn" not in declared()
    assert declared("train") <= declared("dev")


def test_the_readme_code_map_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code_map = readme[readme.index("### Code map") :]
    for folder in ("mtdetect", "training", "qa"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT)
            if path.name != "__init__.py" or folder == "mtdetect":
                assert path.name in code_map, f"{name} is missing from the README code map"
            if path.name == "__init__.py" and path.parent != ROOT / folder:  # a subpackage is named by its folder
                assert f"{name.parent}/" in code_map, f"{name.parent}/ is missing from the README code map"
