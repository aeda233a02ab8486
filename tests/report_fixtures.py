"""Realistic results documents for the report tests.

Examples are made by the harness's own ``example_of`` from cases and responses, as the
engine makes them, so redaction and curl reproductions are the real ones; the documents
validate against ``harness/schemas/results.schema.json`` (``validate``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

import harness
from harness.case import Auth, Case, Intent
from harness.result import CaseResult, Response, SentRequest, example_of

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
TARGET = "http://127.0.0.1:8080"
DIGEST = "sha256:" + "3f" * 32
VALID_SCOPE = {
    "targets": [
        {
            "region": "us-east-1",
            "targetIdentifier": {"targetId": {"accountId": "111122223333"}, "targetType": "ACCOUNT"},
        }
    ]
}

CHECK_DOCS = {
    "status_documented": "Every response's status is in the operation's list (SPEC 4.3).",
    "error_named": "An error names an error that matches its status (SPEC 3 and 4.3).",
    "body_matches_contract": "Every body matches the contract's schema for that status (SPEC 4.3).",
    "invalid_rejected": "Invalid input (breaks any rule of SPEC section 2) gets 400: never 2xx, never 5xx (SPEC 4.1).",
    "valid_accepted": "Valid input is never answered 400, nor 5xx unless the `internal failure` "
    "state is set (SPEC 4.2).",
    "unauthenticated_rejected": "A request with no signature, a wrong one, or one dated more "
    "than 15 minutes from the server's clock gets 403, whatever its body (SPEC 4.5).",
    "scenario_outcome": "Each provider state gets its outcome (SPEC 4.6 and section 5).",
    "answer_time": "Answers within 5 s; a warning, never a failure.",
}


@cache
def _validator() -> Draft202012Validator:
    path = Path(harness.__file__).parent / "schemas" / "results.schema.json"
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def validate(document: Mapping[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` follows results.schema.json."""
    _validator().validate(document)


# --------------------------------------------------------------------------- pieces


def example(
    *,
    operation: str = CREATE_SCOPE,
    intent: Intent = Intent.INVALID,
    origin: str = "near-miss",
    description: str = "clientToken with upper-case hex",
    rule: str | None = "clientToken.pattern",
    body: bytes | str | Mapping[str, Any] = b"{}",
    status: int | None = 200,
    response_body: bytes | str | Mapping[str, Any] = b"",
    response_headers: Mapping[str, str] | None = None,
    minimal: bool = True,
    scenario: str | None = None,
    auth: Auth = Auth.SIGNED,
    transport_error: str | None = None,
) -> dict[str, Any]:
    """One example of a failure group, as the engine writes it."""
    service = operation.partition(":")[0]
    path = "/scopes" if operation == CREATE_SCOPE else "/graph/member/monitoringstate"
    wire = _wire(body)
    case = Case(operation=operation, intent=intent, origin=origin, description=description, body=wire, rule=rule,
                auth=auth, scenario=scenario)  # fmt: skip
    authorization = (
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/{service}/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={'ab' * 32}"
    )
    headers = {"Content-Type": "application/json", "X-Amz-Date": "20260101T000000Z", "Authorization": authorization}
    request = SentRequest(method="POST", url=TARGET + path, headers=headers, body=wire)
    response = None
    if status is not None:
        answer_headers = dict(response_headers or {"Content-Type": "application/json"})
        response = Response(status=status, headers=answer_headers, body=_wire(response_body), elapsed=0.0123)
    result = CaseResult(case=case, request=request, response=response, transport_error=transport_error, minimal=minimal)
    return example_of(result, signing=f"aws:amz:us-east-1:{service}")


def _wire(body: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return Case.encode(body)


def group(
    *,
    check: str,
    rule: str | None,
    message: str,
    examples: Sequence[Mapping[str, Any]],
    count: int | None = None,
    doc: str | None = None,
) -> dict[str, Any]:
    return {
        "check": check,
        "rule": rule,
        "doc": CHECK_DOCS.get(check, "") if doc is None else doc,
        "message": message,
        "count": len(examples) if count is None else count,
        "examples": list(examples)[:5],
    }


def rule(
    rule_id: str,
    doc: str,
    *,
    valid: int = 10,
    invalid: int = 10,
    failures: int = 0,
    source: str = "seed",
    keywords: Sequence[str] = ("pattern",),
) -> dict[str, Any]:
    tried = valid + invalid
    return {
        "id": rule_id,
        "doc": doc,
        "source": source,
        "pointer": f"/components/schemas/Request/x-rules/{rule_id}",
        "keywords": list(keywords),
        "valid_cases": valid,
        "invalid_cases": invalid,
        "failures": failures,
        "verdict": "fail" if failures else ("pass" if tried else "not-exercised"),
    }


def check(check_id: str, *, cases: int, failures: int = 0) -> dict[str, Any]:
    return {
        "id": check_id,
        "doc": CHECK_DOCS.get(check_id, ""),
        "cases": cases,
        "failures": failures,
        "verdict": "fail" if failures else ("pass" if cases else "not-exercised"),
    }


def status(
    code: int, errors: Sequence[str], *, responses: int, expected_by: int = 0, failures: int = 0
) -> dict[str, Any]:
    exercised = responses or expected_by
    return {
        "status": code,
        "errors": sorted(errors),
        "responses": responses,
        "expected_by": expected_by,
        "failures": failures,
        "verdict": "fail" if failures else ("pass" if exercised else "not-exercised"),
    }


def scenario(
    name: str, doc: str, *, state: str | None = None, verdict: str = "pass", reason: str = ""
) -> dict[str, Any]:
    return {"name": name, "state": state, "doc": doc, "verdict": verdict, "reason": reason}


def operation(
    *,
    op_id: str,
    rules: Sequence[Mapping[str, Any]],
    checks: Sequence[Mapping[str, Any]],
    statuses: Sequence[Mapping[str, Any]],
    scenarios: Sequence[Mapping[str, Any]] = (),
    failures: Sequence[Mapping[str, Any]] = (),
    warnings: Sequence[Mapping[str, Any]] = (),
    cases: int | None = None,
) -> dict[str, Any]:
    """An operation whose counts agree with its parts."""
    tried = sum(r["valid_cases"] + r["invalid_cases"] for r in rules)
    cases = tried if cases is None else cases
    failed = min(cases, sum(g["count"] for g in failures))
    create = op_id == CREATE_SCOPE
    return {
        "id": op_id,
        "method": "POST",
        "path": "/scopes" if create else "/graph/member/monitoringstate",
        "contract": {
            "file": ("networkflowmonitor-CreateScope.json" if create else "detective-StartMonitoringMember.json"),
            "digest": DIGEST,
        },
        "counts": {
            "cases": cases,
            "passed": cases - failed,
            "failed": failed,
            "warnings": sum(g["count"] for g in warnings),
            "not_exercised": sum(1 for s in scenarios if s["verdict"] == "not-exercised"),
        },
        "rules": list(rules),
        "checks": list(checks),
        "statuses": list(statuses),
        "scenarios": list(scenarios),
        "failures": list(failures),
        "warnings": list(warnings),
    }


def document(
    operations: Iterable[Mapping[str, Any]],
    *,
    target: str = TARGET,
    seed: int = 20260101,
    provider_states: str | None = TARGET + "/_harness/provider-states",
) -> dict[str, Any]:
    """A results document whose counts and verdict follow from its operations."""
    operations = list(operations)
    keys = ("cases", "passed", "failed", "warnings", "not_exercised")
    counts = {key: sum(op["counts"][key] for op in operations) for key in keys}
    return {
        "format": "harness-results/1",
        "harness_version": harness.__version__,
        "target": target,
        "provider_states": provider_states,
        "region": "us-east-1",
        "seed": seed,
        "max_examples": 200,
        "started": "2026-01-01T00:00:00Z",
        "duration_s": 42.7,
        "verdict": "nonconformant" if counts["failed"] else "conformant",
        "counts": counts,
        "operations": operations,
    }


# --------------------------------------------------------------------------- documents


# fmt: off
#: (id, documentation, source, keywords, valid cases, invalid cases, failures when failing)
CREATE_SCOPE_RULES = [
    ("clientToken.pattern", "Pattern: [a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
     "seed", ("pattern",), 120, 64, 37),
    ("targets.items", "Array Members: Minimum number of 1 item. Maximum number of 100 items.",
     "seed", ("minItems", "maxItems"), 80, 40, 3),
    ("body.type", "The request accepts the following data in JSON format.", "seed", ("type",), 0, 12, 1),
    ("clientToken.length", "Length Constraints: Fixed length of 36.", "seed", ("minLength", "maxLength"), 120, 22, 0),
    ("tags.entries", "Map Entries: Minimum number of 0 items. Maximum number of 200 items.",
     "seed", ("minProperties", "maxProperties"), 30, 0, 0),
    ("accountId.pattern", "`accountId`: a string of exactly 12 ASCII digits.", "spec", ("pattern",), 200, 57, 0),
    ("targetId.union", "The `targetId` union is the exception: any member besides `accountId`, or none, is invalid.",
     "spec", ("required", "additionalProperties"), 0, 0, 0),
]
#: (check, cases, failures when failing)
CREATE_SCOPE_CHECKS = [
    ("invalid_rejected", 195, 37), ("valid_accepted", 550, 3), ("status_documented", 790, 1), ("error_named", 240, 0),
    ("body_matches_contract", 790, 0), ("unauthenticated_rejected", 6, 0), ("scenario_outcome", 4, 0),
]
#: (status, error names, responses, responses when failing, cases expecting it, failures when failing)
CREATE_SCOPE_STATUSES = [
    (400, ["ValidationException", "SerializationException"], 158, 158, 195, 0),
    (402, ["ServiceQuotaExceededException"], 1, 1, 1, 0),
    (403, ["AccessDeniedException", "InvalidSignatureException", "MissingAuthenticationTokenException"], 7, 7, 7, 0),
    (409, ["ConflictException"], 0, 0, 0, 0),
    (429, ["ThrottlingException"], 1, 1, 1, 0),
    (500, ["InternalServerException"], 1, 3, 1, 3),
]
SCOPE_CREATED = {"scopeId": "s-1", "status": "SUCCEEDED",
                 "scopeArn": "arn:aws:networkflowmonitor:us-east-1:1:scope/s-1"}
SCOPE_SCENARIOS = [
    ("scope quota reached", "`scope quota reached`: CreateScope with a new clientToken, or none: 402",
     "scope quota reached"),
    ("throttled", "`throttled`: that operation: 429 (CreateScope only)", "throttled"),
]


def create_scope(*, failing: bool = True) -> dict[str, Any]:
    """CreateScope as a run against a target that accepts upper-case client tokens, answers
    an undocumented 404, and 500 for 100 targets (when ``failing``)."""
    token = "6F2F4B8C-2A7E-4B8E-9C1D-0A1B2C3D4E5F"
    upper_case = example(body={**VALID_SCOPE, "clientToken": token}, response_body=SCOPE_CREATED)
    bad_character = example(body={**VALID_SCOPE, "clientToken": token.lower()[:-1] + "G"}, minimal=False,
                            description="clientToken with a character outside [a-f0-9]",
                            response_body={**SCOPE_CREATED, "scopeId": "s-2"})
    hundred_targets = example(intent=Intent.VALID, origin="boundary", rule="targets.items",
                              description="100 targets (the documented maximum)", status=500,
                              body={"targets": VALID_SCOPE["targets"] * 100},
                              response_body={"message": "Internal error"},
                              response_headers={"Content-Type": "application/json",
                                                "x-amzn-ErrorType": "InternalServerException"})
    array_body = example(intent=Intent.MALFORMED, origin="wire", description="a JSON array instead of an object",
                         rule="body.type", body="[]", status=404, response_body="Not Found",
                         response_headers={"Content-Type": "text/plain"})
    failures = [
        group(check="invalid_rejected", rule="clientToken.pattern", count=37, examples=[upper_case, bad_character],
              message="clientToken with upper-case hex: answered 200, not 400"),
        group(check="valid_accepted", rule="targets.items", count=3, examples=[hundred_targets],
              message="100 targets (the documented maximum): answered 500"),
        group(check="status_documented", rule=None, count=1, examples=[array_body],
              message="answered 404, not one of 200, 400, 402, 403, 409, 429, 500"),
    ] if failing else []
    slow = example(intent=Intent.VALID, origin="generated", rule=None, description="a generated valid body")
    warnings = [group(check="answer_time", rule=None, message="answered after 6.2 s", count=2, examples=[slow])]
    rules = [
        rule(rule_id, doc, source=source, keywords=keywords, valid=valid, invalid=invalid,
             failures=bad if failing else 0)
        for rule_id, doc, source, keywords, valid, invalid, bad in CREATE_SCOPE_RULES
    ]
    checks = [check(name, cases=cases, failures=bad if failing else 0) for name, cases, bad in CREATE_SCOPE_CHECKS]
    statuses = [
        status(code, errors, responses=bad_seen if failing else seen, expected_by=expected,
               failures=bad if failing else 0)
        for code, errors, seen, bad_seen, expected, bad in CREATE_SCOPE_STATUSES
    ]
    scenarios = [scenario(name, doc, state=state) for name, doc, state in SCOPE_SCENARIOS] + [
        scenario("idempotency", "the same `clientToken` with a different body gets 409 `ConflictException`.",
                 verdict="not-exercised", reason="no valid body with a clientToken was generated"),
    ]
    return operation(op_id=CREATE_SCOPE, rules=rules, checks=checks, statuses=statuses, scenarios=scenarios,
                     failures=failures, warnings=warnings, cases=790)


def start_monitoring(*, provider_states: bool = False) -> dict[str, Any]:
    """StartMonitoringMember, conformant; without provider states its state scenarios are
    not exercised."""
    skipped = "pass" if provider_states else "not-exercised"
    reason = "" if provider_states else "no --provider-states URL was given"
    graph_arn = "Pattern: ^arn:aws[-\\w]{0,10}?:detective:[-\\w]{2,20}?:\\d{12}?:graph:[abcdef\\d]{32}?$"
    rules = [
        rule("AccountId.pattern", "Pattern: ^[0-9]+$", valid=90, invalid=45),
        rule("AccountId.length", "Length Constraints: Fixed length of 12.", valid=90, invalid=20,
             keywords=("minLength", "maxLength")),
        rule("GraphArn.pattern", graph_arn, valid=90, invalid=71),
    ]
    checks = [check("invalid_rejected", cases=136), check("valid_accepted", cases=270),
              check("status_documented", cases=406)]
    statuses = [
        status(400, ["SerializationException", "ValidationException"], responses=136, expected_by=136),
        status(402, ["ServiceQuotaExceededException"], responses=0),
        status(403, ["AccessDeniedException"], responses=5, expected_by=5),
        status(404, ["ResourceNotFoundException"], responses=1, expected_by=1),
        status(409, ["ConflictException"], responses=0),
        status(500, ["InternalServerException"], responses=0),
    ]
    scenarios = [
        scenario("unknown graph",
                 "StartMonitoringMember for a graph, or a member of it, that does not exist gets 404."),
        scenario("member invited", "`graph has member`: 409 if `INVITED`", state="graph has member",
                 verdict=skipped, reason=reason),
        scenario("graph member limit reached", "`graph member limit reached`: 402", state="graph member limit reached",
                 verdict=skipped, reason=reason),
    ]
    return operation(op_id=START_MONITORING, rules=rules, checks=checks, statuses=statuses, scenarios=scenarios,
                     cases=406)
# fmt: on


def failing_document() -> dict[str, Any]:
    return document([create_scope(failing=True), start_monitoring()], provider_states=None)


def conformant_document() -> dict[str, Any]:
    return document([create_scope(failing=False), start_monitoring(provider_states=True)])


#: What fuzzed bodies and hostile targets send: none of it may become live markup.
HOSTILE = (
    '<script>document.title="PWNED";document.body.setAttribute("data-pwned","1")</script>'
    "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">"
    "</textarea></pre></script><!-- ]]> {{ 7*7 }} \x00\x1b[31m\u202e"
)


# fmt: off
def hostile_document() -> dict[str, Any]:
    """Markup, control characters and template syntax in every string a target or a fuzzer
    can influence (and in the ones it cannot, for good measure)."""
    op = create_scope(failing=True)
    echoed = example(description="a fuzzed tag value " + HOSTILE, body={**VALID_SCOPE, "tags": {HOSTILE: HOSTILE}},
                     response_body=json.dumps({"scopeId": HOSTILE, "message": "</script>" + HOSTILE}),
                     response_headers={"Content-Type": "text/html", "X-Echo": HOSTILE})
    op["failures"].insert(0, group(check="invalid_rejected", rule="tags.value.length", message="echoed: " + HOSTILE,
                                   doc="Value Length Constraints " + HOSTILE, count=2, examples=[echoed]))
    op["rules"].insert(0, rule("tags.value.length", "Value Length Constraints: Maximum length of 256. " + HOSTILE,
                               failures=2, keywords=("maxLength",)))
    op["checks"][0]["failures"] += 2
    op["scenarios"][0]["reason"] = HOSTILE
    op["counts"]["failed"] += 2
    op["counts"]["passed"] -= 2
    return document([op, start_monitoring()], target=TARGET + "/?q=" + HOSTILE)


def large_document(*, cases: int = 100_000, groups_per_operation: int = 300) -> dict[str, Any]:
    """A 100,000-case run against a badly broken target: many failure groups, each with the
    five largest examples a document may hold (bodies cut at 4096 bytes)."""
    big = "x" * 5000
    heavy = example(body={"targets": [], "clientToken": big}, response_body={"message": big},
                    description="a very long clientToken")
    operations = []
    for base in (create_scope(failing=True), start_monitoring()):
        base["failures"] = [
            group(check="invalid_rejected", rule=f"generated.rule{number}", count=97, examples=[heavy] * 5,
                  message=f"case family {number}: answered 200, not 400")
            for number in range(groups_per_operation)
        ]
        failed = groups_per_operation * 97
        base["counts"].update(cases=cases // 2, failed=failed, passed=cases // 2 - failed)
        operations.append(base)
    return document(operations)
# fmt: on


def bare_document() -> dict[str, Any]:
    """The failing document with every optional member of the format left out."""
    bare = failing_document()
    for key in ("provider_states", "region", "max_examples", "started", "duration_s"):
        del bare[key]
    for op in bare["operations"]:
        for item, key in [(r, "keywords") for r in op["rules"]] + [(s, "expected_by") for s in op["statuses"]]:
            del item[key]
        for item in op["scenarios"]:
            del item["reason"]
        for example_ in (e for g in op["failures"] + op["warnings"] for e in g["examples"]):
            for key in ("rule", "auth", "scenario"):
                del example_["case"][key]
            if example_["response"]:
                del example_["response"]["elapsed_ms"]
    return bare


#: Failed cases of each operation of :func:`many_operations_document`, in the document's order
#: (0: a conformant operation).
MANY_FAILED = (3, 0, 40, 1, 0, 17, 8, 25, 2, 0, 11, 5, 30, 0, 6, 9, 14, 4, 21, 7, 12, 0, 16, 10)


def many_operations_document() -> dict[str, Any]:
    """A run over 24 operations, as against an emulator: each CreateScope's shape under an id of
    its own, failing with :data:`MANY_FAILED` cases (one failure group per failed case, at most 3)."""
    operations = []
    for number, failed in enumerate(MANY_FAILED, start=1):
        op = create_scope(failing=bool(failed))
        op["id"] = f"service{number}:CreateThing{number}"
        op["failures"] = [dict(g, count=failed) for g in op["failures"][: min(failed, 3)]]
        op["counts"].update(failed=failed, passed=op["counts"]["cases"] - failed)
        operations.append(op)
    return document(operations, provider_states=None)
