"""`harness validate ID [FILE|-]`: one request body against its operation's contract.

Exit 0 when the body is valid, 1 when it is not (every broken rule is printed: where in
the body, which rule, and the documentation's sentence), 2 when it could not be checked
(unknown operation, unreadable file, broken contract).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from harness.contract import Contract, load_contracts
from harness.errors import UsageError
from harness.validator import Violation

EXIT_VALID = 0
EXIT_INVALID = 1

EPILOG = """\
examples:
  harness validate networkflowmonitor:CreateScope body.json
  echo '{"AccountId": "444455556666"}' | harness validate detective:StartMonitoringMember -
  harness validate --contracts ./my-contracts networkflowmonitor:CreateScope body.json
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check one request body against its operation's contract",
        description=(
            "Check one JSON request body against the contract of an operation. Prints "
            "'valid' (exit 0), or every broken rule with its JSON path, rule id and the "
            "documentation's sentence (exit 1); exit 2 if it could not be checked."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("operation", metavar="ID", help="operation id, e.g. detective:StartMonitoringMember")
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
    contract = find_contract(contracts, args.operation)
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


def find_contract(contracts: Mapping[str, Contract], operation: str) -> Contract:
    """The contract of ``operation``; a :class:`UsageError` suggesting the closest ids if none."""
    if operation in contracts:
        return contracts[operation]
    raise UsageError(unknown_operation_message(operation, contracts))


def unknown_operation_message(operation: str, known: Iterable[str]) -> str:
    ids = sorted(known)
    by_lower = {i.lower(): i for i in ids}
    close = [by_lower[m] for m in difflib.get_close_matches(operation.lower(), by_lower, n=3)]
    # "CreateScope" alone names an operation whatever its service.
    close += [i for i in ids if i.split(":", 1)[-1].lower() == operation.lower() and i not in close]
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"unknown operation {operation!r}{hint} Known operations: {', '.join(ids)}"


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
            source = "API reference" if rule.source == "seed" else "SPEC.md"
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
