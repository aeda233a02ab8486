"""Contract testing and fuzzing of AWS JSON API implementations.

Public API: load contracts, validate bodies against them, run the harness.  Everything
else is internal and may change.

The names are imported when first used (PEP 562): the pytest plugin imports this package
in every pytest process where the harness is installed, and loading the contracts'
machinery (jsonschema and the rest, about 0.1 s) is for the runs that use it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The one place for the version: the build reads it from here (pyproject.toml, [tool.hatch.version]).
__version__ = "0.1.0"

if TYPE_CHECKING:
    from harness.contract import Contract, load_contract, load_contracts
    from harness.errors import CassetteError, ContractError, HarnessError, TargetUnreachable, UsageError
    from harness.validator import Violation

_HOMES = {
    "Contract": "harness.contract",
    "load_contract": "harness.contract",
    "load_contracts": "harness.contract",
    "CassetteError": "harness.errors",
    "ContractError": "harness.errors",
    "HarnessError": "harness.errors",
    "TargetUnreachable": "harness.errors",
    "UsageError": "harness.errors",
    "Violation": "harness.validator",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "CassetteError",
    "Contract",
    "ContractError",
    "HarnessError",
    "TargetUnreachable",
    "UsageError",
    "Violation",
    "__version__",
    "load_contract",
    "load_contracts",
]
