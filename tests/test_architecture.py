"""The layers of ARCHITECTURE.md hold: a module imports only from its layer or those above."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "harness"

#: Layer of each top-level module or package of ``harness`` (ARCHITECTURE.md), lowest first.
LAYERS: dict[str, int] = {
    "errors": 0, "ecma": 0, "pointer": 0,
    "rules": 1, "validator": 1, "contract": 1, "drift": 1,
    "importer": 2,
    "aws": 3, "uri": 3, "binding": 3, "routing": 3,
    "case": 4, "generation": 4, "checks": 4, "result": 4, "summary": 4, "target": 4, "engine": 4,
    "reporting": 5, "cassettes": 5,
    "mock": 6,
    "cli": 7, "pytest_plugin": 7, "schemathesis": 7, "config": 7, "runner": 7, "workers": 7, "__init__": 7,
    "__main__": 7,
}  # fmt: skip

#: The mock is the reference implementation: it may use contracts and the protocol, never
#: the engine or its writers.
MOCK_MAY_NOT_IMPORT = {
    "case",
    "generation",
    "checks",
    "result",
    "summary",
    "target",
    "engine",
    "reporting",
    "cassettes",
}


def top_module(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def harness_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("harness."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("harness."))
    return found


def test_every_module_has_a_layer() -> None:
    modules = {top_module(p) for p in PACKAGE.rglob("*.py")}
    assert modules - set(LAYERS) == set()


def test_no_module_imports_from_a_lower_layer() -> None:
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = LAYERS[top_module(path)]
        for imported in harness_imports(path):
            if imported != "__init__" and LAYERS.get(imported, 99) > layer:
                broken.append(f"{path.relative_to(PACKAGE)} imports harness.{imported}")
    assert broken == []


def test_the_mock_does_not_use_the_engine() -> None:
    broken = [
        f"{path.relative_to(PACKAGE)} imports harness.{imported}"
        for path in sorted((PACKAGE / "mock").rglob("*.py"))
        for imported in harness_imports(path) & MOCK_MAY_NOT_IMPORT
    ]
    assert broken == []
