"""`harness validate ID [FILE|-]`: one request body against its operation's contract.

Exit 0 when the body is valid, 1 when it is not (every broken rule is printed: where in
the body, which rule, and the documentation's sentence), 2 when it could not be checked
(unknown operation, unreadable file, broken contract).  For an imported contract the body is
the operation input (docs/imported-contracts.md: every member, whatever its location); an
operation id of botocore's without a contract file is imported in memory, which it says.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from harness.contract import Contract, load_contracts
from harness.errors import UsageError
from harness.importer import find_contract
from harness.validator import Violation

EXIT_VALID = 0
EXIT_INVALID = 1

EPILOG = """\
examples:
  harness validate networkflowmonitor:CreateScope body.json
  echo '{"AccountId": "444455556666"}' | harness validate detective:StartMonitoringMember -
  harness validate --contracts ./my-contracts networkflowmonitor:CreateScope body.json
  echo '{"Name": "nightly"}' | harness validate scheduler:GetSchedule -
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check one request body against its operation's contract",
        description=(
            "Check one JSON request body against the contract of an operation (for an imported "
            "contract: the operation input, every member whatever its location). Prints "
            "'valid' (exit 0), or every broken rule with its JSON path, rule id and the "
            "documentation's sentence (exit 1); exit 2 if it could not be checked. An operation "
            "of botocore's without a contract file is imported in memory."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "operation",
        metavar="ID",
        help="operation id, e.g. detective:StartMonitoringMember, or any of botocore's JSON operations",
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        default="-",
        help="the JSON request body; '-' (the default) reads standard input",
    )
    add_contracts_argument(parser)


def add_contracts_argument(parser: argparse.ArgumentParser) -> None:
    """``--contracts DIR``, shared by the commands that read contracts."""
    parser.add_argument(
        "--contracts",
        metavar="DIR",
        type=Path,
        default=None,
        help="read contracts from DIR, not the bundled ones, e.g. --contracts ./contracts",
    )


def run(args: argparse.Namespace) -> int:
    contracts = load_contracts(args.contracts)
    contract = find_contract(contracts, args.operation, on_import=lambda c: say_imported("validate", c))
    raw = _read(args.file)
    try:
        body = parse_body(raw)
    except NotJson as exc:
        print(f"invalid: the body is not JSON: {exc}")
        return EXIT_INVALID
    violations = contract.request_validator.violations(body)
    if not violations:
        print("valid")
        return EXIT_VALID
    print(format_violations(contract, violations))
    return EXIT_INVALID


def say_imported(command: str, contract: Contract) -> None:
    """Tell standard error that ``contract`` has no file and was imported in memory."""
    source = contract.imported
    model = f"botocore {source.botocore}'s model of {source.service} {source.api_version}" if source else "botocore"
    print(
        f"harness {command}: {contract.id} has no contract file: imported in memory from {model} "
        f"(`harness import {contract.id}` writes it)",
        file=sys.stderr,
    )


class NotJson(ValueError):
    """A body that is not JSON, with the parser's position."""


def parse_body(raw: bytes) -> Any:
    """The JSON value of ``raw`` (UTF-8, RFC 8259: no NaN or Infinity)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotJson(f"not UTF-8 (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise NotJson(f"{exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _reject_constant(name: str) -> NoReturn:
    raise NotJson(f"{name} is not a JSON value")


def format_violations(contract: Contract, violations: list[Violation]) -> str:
    count = len(violations)
    lines = [f"invalid: {count} broken rule{'s' if count != 1 else ''} of {contract.id}"]
    for violation in violations:
        rule = violation.rule
        lines.append("")
        lines.append(f"  {violation.path}  {rule.id if rule else '(no rule)'}")
        lines.append(f"    {violation.message}")
        if rule is not None:
            source = {"seed": "API reference", "spec": "SPEC.md"}.get(rule.source, rule.source)
            lines.append(f"    documented ({source}): {rule.doc}")
    return "\n".join(lines)


def _read(file: str) -> bytes:
    try:
        if file == "-":
            return sys.stdin.buffer.read()
        return Path(file).read_bytes()
    except OSError as exc:
        where = "standard input" if file == "-" else file
        raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None
