"""The layers of ARCHITECTURE.md hold: a module imports only from its layer or those above."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "harness"

#: Layer of each top-level module or package of ``harness`` (ARCHITECTURE.md), lowest first.
LAYERS: dict[str, int] = {
    "errors": 0, "ecma": 0, "pointer": 0,
    "rules": 1, "validator": 1, "contract": 1, "drift": 1,
    "aws": 2, "uri": 2, "binding": 2, "routing": 2,
    "case": 3, "generation": 3, "checks": 3, "result": 3, "summary": 3, "target": 3, "engine": 3,
    "reporting": 4, "cassettes": 4,
    "mock": 5,
    "cli": 6, "pytest_plugin": 6, "schemathesis": 6, "config": 6, "runner": 6, "workers": 6, "__init__": 6,
    "__main__": 6,
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
