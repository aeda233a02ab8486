"""Contract testing and fuzzing of AWS JSON API implementations.

Public API: load contracts, validate bodies against them, run the harness.  Everything
else is internal and may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from harness.contract import Contract, load_contract, load_contracts
from harness.errors import (
    CassetteError,
    ContractError,
    HarnessError,
    TargetUnreachable,
    UsageError,
)
from harness.validator import Violation

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
