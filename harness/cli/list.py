"""``harness list``: what the harness asserts about each operation, from the contracts alone.

Per operation: its documented rules with the documentation's sentences, the statuses it may
answer with and the error names of each, the provider-state scenarios, and the checks
judged on every answer.  ``--format json`` prints the same as one JSON document.  These are
also the test items of the pytest plugin (``pytest --harness-target``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from harness.checks import RESPONSE_CHECKS, accepted_start, idempotency, provider_state_setup, target_answers
from harness.checks import check_docs as all_check_docs
from harness.cli.validate import add_contracts_argument, say_imported
from harness.contract import Contract, load_contracts
from harness.importer import find_contract
from harness.rules import format_location

LIST_FORMAT = "harness-list/1"

EPILOG = """\
examples:
  harness list
  harness list --operation detective:StartMonitoringMember
  harness list --operation scheduler:CreateSchedule    # imported in memory: no file needed
  harness list --format json | jq '.operations[].rules[].id'
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "list",
        help="list the operations, their rules with the documentation's sentences, statuses and checks",
        description=(
            "List what the harness asserts, from the contracts alone: each operation with its "
            "documented rules (and the documentation's sentences), the statuses it may answer "
            "with and their error names, its provider-state scenarios and the checks judged "
            "on every answer."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--operation",
        metavar="ID",
        action="append",
        default=None,
        help="only this operation (repeatable), e.g. --operation networkflowmonitor:CreateScope; "
        "an operation of botocore's without a contract file is imported in memory",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for programs",
    )
    add_contracts_argument(parser)


def run(args: argparse.Namespace) -> int:
    contracts = load_contracts(args.contracts)
    if args.operation:
        chosen = [find_contract(contracts, op, on_import=lambda c: say_imported("list", c)) for op in args.operation]
    else:
        chosen = list(contracts.values())
    if args.format == "json":
        text = json.dumps(listing(chosen), indent=2, ensure_ascii=False)
    else:
        text = render_text(listing(chosen), width=shutil.get_terminal_size().columns)
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `harness list | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    return 0


# --------------------------------------------------------------------------- the listing


def check_docs() -> dict[str, str]:
    """Every check of a run and what it asserts (the run checks last)."""
    return dict(all_check_docs())


def checks_of(contract: Contract) -> list[str]:
    """The checks that can judge ``contract``'s cases: ``idempotency`` belongs to the operations
    with an idempotency token, ``provider_state_setup`` to those with provider-state scenarios."""
    checks = [check.name for check in RESPONSE_CHECKS]
    checks.append(target_answers.name)
    if contract.imported is not None:
        checks.append(accepted_start.name)
    if contract.idempotency is not None:
        checks.append(idempotency.name)
    if any(scenario.state is not None for scenario in contract.scenarios):
        checks.append(provider_state_setup.name)
    return checks


def describe(contract: Contract) -> dict[str, Any]:
    """One operation of the listing."""
    statuses = []
    for status in contract.statuses:
        errors = sorted(name for name, code in contract.errors.items() if code == status)
        statuses.append({"status": status, "errors": errors})
    return {
        "id": contract.id,
        "method": contract.method,
        "path": contract.path,
        "contract": contract.file.name,
        "success_status": contract.success_status,
        "success_body": contract.success_body,
        "rules": [
            {
                "id": rule.id,
                "doc": rule.doc,
                "source": rule.source,
                "location": format_location(rule.location),
                "keywords": list(rule.keywords),
                "pointer": rule.pointer,
            }
            for rule in contract.request_rules
        ],
        "statuses": statuses,
        "scenarios": [
            {
                "name": scenario.name,
                "state": scenario.state,
                "doc": scenario.doc,
                "expect": {"statuses": list(scenario.expect.statuses), "error": scenario.expect.error},
            }
            for scenario in contract.scenarios
        ],
        "checks": checks_of(contract),
    }


def listing(contracts: Iterable[Contract]) -> dict[str, Any]:
    """The whole listing: operations, and each check's documentation once."""
    operations = [describe(contract) for contract in contracts]
    used = {check for op in operations for check in op["checks"]}
    docs = check_docs()
    return {
        "format": LIST_FORMAT,
        "operations": operations,
        "checks": [{"id": name, "doc": doc} for name, doc in docs.items() if name in used],
    }


# --------------------------------------------------------------------------- text


def render_text(document: Mapping[str, Any], *, width: int = 100) -> str:
    width = max(60, min(width, 120))
    lines: list[str] = []
    for op in document["operations"]:
        lines.append(f"{op['id']}  {op['method']} {op['path']}  ({op['contract']})")
        lines.append(f"  rules ({len(op['rules'])}):")
        lines += _table([(rule["id"], f"{rule['doc']} [{rule['location']}]") for rule in op["rules"]], width)
        lines.append("  statuses:")
        lines += _table([(str(s["status"]), _status_text(op, s)) for s in op["statuses"]], width)
        if op["scenarios"]:
            lines.append(f"  scenarios ({len(op['scenarios'])}):")
            lines += _table([(s["name"], _scenario_text(s)) for s in op["scenarios"]], width)
        lines += textwrap.wrap(
            ", ".join(op["checks"]),
            width=width,
            initial_indent=f"  checks ({len(op['checks'])}): ",
            subsequent_indent=" " * 4,
            break_on_hyphens=False,
        )
        lines.append("")
    lines.append("checks:")
    lines += _table([(check["id"], check["doc"]) for check in document["checks"]], width)
    return "\n".join(lines)


def _status_text(op: Mapping[str, Any], status: Mapping[str, Any]) -> str:
    if status["errors"]:
        return ", ".join(status["errors"])
    if status["status"] == op.get("success_status", 200):
        return _SUCCESS_BODIES.get(op["success_body"], "success")
    return ""


_SUCCESS_BODIES = {
    "json": "success, JSON body",
    "empty": "success, empty body",
    "jsonOrEmpty": "success, JSON body or none",
    "raw": "success, the payload's bytes",
}


def _scenario_text(scenario: Mapping[str, Any]) -> str:
    expect = scenario["expect"]
    outcome = " or ".join(str(s) for s in expect["statuses"]) + (f" {expect['error']}" if expect["error"] else "")
    state = f"state {scenario['state']!r}" if scenario["state"] else "no provider state"
    return f"{scenario['doc']} ({state}; expects {outcome})"


def _table(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Two columns, the second wrapped under itself."""
    if not rows:
        return []
    left = min(max(len(name) for name, _ in rows), 36)
    indent = " " * (4 + left + 2)
    out = []
    for name, text in rows:
        first = f"    {name.ljust(left)}  "
        if len(first) > len(indent):  # a long name: the text starts on the next line
            out.append(first.rstrip())
            first = indent
        wrapped = textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=indent) or [first]
        out += wrapped
    return out
