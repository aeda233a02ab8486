"""`harness drift`: where the contracts and the installed botocore's models disagree.

Prints each difference with the reason recorded for it in the contract, marks those with
no record as NEW, and exits 1 when there is any, 0 otherwise (2: could not run).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from harness.cli.validate import add_contracts_argument
from harness.contract import load_contracts
from harness.drift import Drift, drift
from harness.errors import UsageError
from harness.importer import find_contract

EXIT_NO_NEW = 0
EXIT_NEW = 1

EPILOG = """\
examples:
  harness drift
  harness drift --operation networkflowmonitor:CreateScope

A NEW difference is one the contract does not record: decide whether the contract or the
SDK is right, then record it in the contract's x-harness.drift list with the reason.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "drift",
        help="compare the contracts with the installed botocore's service models",
        description=(
            "Compare each contract with the installed botocore's model of its operation: "
            "members, required members, lengths, patterns, enums, errors and their statuses. "
            "Exit 1 if a difference is not recorded in the contract (NEW), else 0."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--operation",
        metavar="ID",
        action="append",
        default=None,
        help="only this operation (repeatable), e.g. --operation detective:StartMonitoringMember",
    )
    add_contracts_argument(parser)


def run(args: argparse.Namespace) -> int:
    contracts = load_contracts(args.contracts)
    # an imported contract is botocore's model itself (`harness import` again after an
    # upgrade): only curated contracts, written from the documentation, are compared
    if args.operation:
        chosen = [find_contract(contracts, op, import_missing=False) for op in args.operation]
    else:
        chosen = [c for c in contracts.values() if c.imported is None]
    skipped = sorted(c.id for c in chosen if c.imported is not None)
    if skipped:
        raise UsageError(
            f"{', '.join(skipped)}: imported from botocore's model, so there is no drift to compare; "
            "`harness import` it again after a botocore upgrade"
        )
    reports = [drift(c) for c in chosen]
    print("\n\n".join(format_drift(report) for report in reports))
    imported = len(contracts) - len(chosen) if not args.operation else 0
    if imported:
        print(f"\n({imported} imported contract{'s' if imported != 1 else ''} not compared: they are botocore's model)")
    new = sum(len(r.new) for r in reports)
    if new:
        print(
            f"\n{new} new difference{'s' if new != 1 else ''}: fix the contract, or record "
            "each in its x-harness.drift list with the reason."
        )
        return EXIT_NEW
    return EXIT_NO_NEW


def format_drift(report: Drift) -> str:
    contract = report.contract
    known, new = len(report.known), len(report.new)
    lines = [
        f"{contract.id} against botocore {report.botocore_version}: "
        f"{known + new} difference{'s' if known + new != 1 else ''}, {new} new"
    ]
    for difference in report.new:
        lines.append(
            f"  NEW    {difference.fact}: botocore {_show(difference.botocore)}, contract {_show(difference.contract)}"
        )
        recorded = report.recorded_as(difference)
        if recorded is not None:
            lines.append(
                f"         recorded as botocore {_show(recorded.botocore)}, "
                f"contract {_show(recorded.contract)}: {recorded.reason}"
            )
    for difference, note in report.known:
        lines.append(
            f"  known  {difference.fact}: botocore {_show(difference.botocore)}, contract {_show(difference.contract)}"
        )
        lines.append(f"         {note.reason}")
    for note in report.stale:
        lines.append(
            f"  stale  {note.fact}: recorded as botocore {_show(note.botocore)}, "
            f"contract {_show(note.contract)}, which botocore {report.botocore_version} no "
            "longer shows: update or remove the record"
        )
    return "\n".join(lines)


def _show(value: Any) -> str:
    return "(absent)" if value is None else json.dumps(value, ensure_ascii=False)
