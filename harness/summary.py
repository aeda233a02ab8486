"""Fold case results into the documented results document (``results.schema.json``).

Aggregation keeps large runs small: per rule, check and status only counts are kept, and
each failure group keeps at most ``MAX_EXAMPLES_PER_FAILURE`` examples (shrunk ones first).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness import __version__
from harness.case import Intent
from harness.contract import Contract
from harness.result import (
    MAX_EXAMPLES_PER_FAILURE,
    RESULTS_FORMAT,
    CaseResult,
    Failure,
    Severity,
    curl_command,
    example_of,
)


@dataclass
class ScenarioOutcome:
    name: str
    state: str | None
    doc: str
    verdict: str  # pass, fail, not-exercised
    reason: str = ""


@dataclass
class OperationRecord:
    """What the engine gathered about one operation."""

    contract: Contract
    results: list[CaseResult] = field(default_factory=list)
    check_runs: Counter[str] = field(default_factory=Counter)
    scenarios: list[ScenarioOutcome] = field(default_factory=list)


def contract_digest(contract: Contract) -> str:
    """The SHA-256 of the contract file; of the document's JSON text for a contract imported
    in memory, which has no file (the same model gives the same digest)."""
    if contract.imported is not None and not contract.file.is_file():
        text = json.dumps(contract.document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return "sha256:" + hashlib.sha256(contract.file.read_bytes()).hexdigest()


def summarise(
    *,
    records: Sequence[OperationRecord],
    check_docs: Mapping[str, str],
    run: Mapping[str, Any],
) -> dict[str, Any]:
    region = str(run.get("region") or "us-east-1")
    operations = [_operation(record, check_docs, region) for record in records]
    counts = Counter[str]()
    for op in operations:
        counts.update(op["counts"])
    verdict = "nonconformant" if counts["failed"] else "conformant"
    return {
        "format": RESULTS_FORMAT,
        "harness_version": __version__,
        **run,
        "verdict": verdict,
        "counts": {key: counts[key] for key in ("cases", "passed", "failed", "warnings", "not_exercised")},
        "operations": operations,
    }


def _operation(record: OperationRecord, check_docs: Mapping[str, str], region: str) -> dict[str, Any]:
    contract = record.contract
    signing = f"aws:amz:{region}:{contract.signing_name}"
    results = record.results
    failed = [r for r in results if r.failed]
    rule_failures: Counter[str] = Counter()
    check_failures: Counter[str] = Counter()
    groups: dict[tuple[str, str | None, Severity], list[tuple[CaseResult, Failure]]] = defaultdict(list)
    # each failed rule's reproduction, the most telling of its failures (a group keeps five
    # examples, and one that names no rule, error_named's, may hold none of this rule's cases)
    first_failures: dict[str, tuple[CaseResult, Failure]] = {}
    for result in results:
        for failure in result.failures:
            groups[(failure.check, failure.rule, failure.severity)].append((result, failure))
            if failure.severity is Severity.FAILURE:
                check_failures[failure.check] += 1
                failed_rule = failure.rule or result.case.rule
                if failed_rule:
                    rule_failures[failed_rule] += 1
                    first = first_failures.get(failed_rule)
                    if first is None or _telling(result, failure) < _telling(*first):
                        first_failures[failed_rule] = (result, failure)
    valid_side: Counter[str] = Counter()
    invalid_side: Counter[str] = Counter()
    every_rule = 0  # valid bodies not aimed at one rule satisfy every rule
    for result in results:
        if result.case.rule is None:
            every_rule += result.case.intent is Intent.VALID
            continue
        if result.case.intent is Intent.VALID:
            valid_side[result.case.rule] += 1
        elif result.case.intent is Intent.INVALID:
            invalid_side[result.case.rule] += 1
    unstarted = {
        result.case.rule
        for result in results
        for failure in result.failures
        if failure.check == "accepted_start" and result.case.rule
    }
    rules = []
    for rule in contract.request_rules:
        tried = invalid_side[rule.id]
        started = {} if contract.imported is None else {"accepted_start": rule.id not in unstarted}
        rules.append(
            {
                **started,
                "id": rule.id,
                "doc": rule.doc,
                "source": rule.source,
                "pointer": rule.pointer,
                "keywords": list(rule.keywords),
                "valid_cases": valid_side[rule.id] + every_rule,
                "invalid_cases": invalid_side[rule.id],
                "failures": rule_failures[rule.id],
                "verdict": "fail" if rule_failures[rule.id] else ("pass" if tried else "not-exercised"),
                **_reproduction(first_failures.get(rule.id), signing),
            }
        )
    checks = [
        {
            "id": name,
            "doc": check_docs.get(name, ""),
            "cases": record.check_runs[name],
            "failures": check_failures[name],
            "verdict": "fail" if check_failures[name] else ("pass" if record.check_runs[name] else "not-exercised"),
        }
        for name in sorted(set(record.check_runs) | set(check_failures))
    ]
    statuses = []
    by_status: dict[int, list[str]] = defaultdict(list)
    for name, status in contract.errors.items():
        by_status[status].append(name)
    for status in contract.statuses:
        got = [r for r in results if r.response is not None and r.response.status == status]
        expected = [r for r in results if status in r.case.expected_statuses]
        bad = [r for r in got + expected if r.failed]
        exercised = bool(got or expected)
        statuses.append(
            {
                "status": status,
                "errors": sorted(by_status.get(status, [])),
                "responses": len(got),
                "expected_by": len(expected),
                "failures": len({id(r) for r in bad}),
                "verdict": "fail" if bad else ("pass" if exercised else "not-exercised"),
            }
        )
    failure_groups: list[dict[str, Any]] = []
    warning_groups: list[dict[str, Any]] = []
    for (check, group_rule, severity), items in sorted(
        groups.items(), key=lambda kv: (kv[0][2] != Severity.FAILURE, kv[0][0], kv[0][1] or "")
    ):
        items.sort(key=lambda item: (not item[0].minimal, len(item[0].request.body)))
        group = {
            "check": check,
            "rule": group_rule,
            "doc": items[0][1].doc,
            "message": items[0][1].message,
            "count": len(items),
            "examples": [example_of(r, signing=signing) for r, _ in items[:MAX_EXAMPLES_PER_FAILURE]],
        }
        (failure_groups if severity is Severity.FAILURE else warning_groups).append(group)
    not_exercised = [s for s in record.scenarios if s.verdict == "not-exercised"]
    return {
        "id": contract.id,
        "method": contract.method,
        "path": contract.path,
        "contract": {"file": contract.file.name, "digest": contract_digest(contract), **_origin(contract)},
        "valid_inputs": _valid_inputs(contract, results),
        "counts": {
            "cases": len(results),
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "warnings": sum(1 for r in results if any(f.severity is Severity.WARNING for f in r.failures)),
            "not_exercised": len(not_exercised),
        },
        "rules": rules,
        "checks": checks,
        "statuses": statuses,
        "scenarios": [
            {"name": s.name, "state": s.state, "doc": s.doc, "verdict": s.verdict, "reason": s.reason}
            for s in record.scenarios
        ],
        "failures": failure_groups,
        "warnings": warning_groups,
    }


def _telling(result: CaseResult, failure: Failure) -> tuple[bool, bool, int]:
    """Which failure of a rule reproduces it best (least first): one its check names the rule
    in, then one of the checks about accepting and rejecting, then the smallest request."""
    about = failure.check in ("invalid_rejected", "valid_accepted")
    return failure.rule is None, not about, len(result.request.body)


def _reproduction(first: tuple[CaseResult, Failure] | None, signing: str) -> dict[str, Any]:
    """``{"reproduction": ...}`` of a failed rule: its most telling failure (:func:`_telling`)."""
    if first is None:
        return {}
    result, failure = first
    curl = curl_command(result.request, signing=signing if result.case.auth.value == "signed" else None)
    return {
        "reproduction": {
            "check": failure.check,
            "message": failure.message,
            "description": result.case.description,
            "curl": curl,
        }
    }


def _valid_inputs(contract: Contract, results: Sequence[CaseResult]) -> dict[str, int]:
    valid = [r for r in results if r.case.intent is Intent.VALID]
    accepted = [r for r in valid if r.response is not None and r.response.status == contract.success_status]
    return {"sent": len(valid), "accepted": len(accepted)}


def _origin(contract: Contract) -> dict[str, Any]:
    """Where an imported contract comes from (nothing for a curated one)."""
    imported = contract.imported
    if imported is None:
        return {}
    return {
        "imported": {"service": imported.service, "api_version": imported.api_version, "botocore": imported.botocore},
        "protocol": contract.protocol,
    }


def failing_checks(document: Mapping[str, Any]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    for operation in document["operations"]:
        for group in operation["failures"]:
            yield operation["id"], group
