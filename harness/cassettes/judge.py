"""One cassette's interactions judged on their own, against the contracts.

For cassettes that are not a recorded run, such as one built from an API reference page's
sample request and response: each interaction's request is classified by the contract (a
signed body that the contract accepts is valid input; one it rejects is invalid input, which
must get 400; an unsigned request must get 403), and its answer goes through the same checks
as in a run.  Provider states are unknown here, so an answer that only a state explains (a 500
of "internal failure") counts against the target: judge whole runs with ``--replay`` instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vcr.request import Request

from harness.binding import MalformedRequest, OperationBinding, decode
from harness.case import Auth, Case, Intent
from harness.cassettes.filters import ELAPSED
from harness.cassettes.persister import read_cassette
from harness.checks import CheckRegistry, Judgement, default_registry
from harness.contract import Contract
from harness.result import Failure, Response, Severity
from harness.routing import Router

_UNKNOWN_OPERATION_DOC = "Every recorded request is for an operation that a contract defines."


@dataclass(frozen=True)
class JudgedInteraction:
    """What the contract says of one recorded request and its answer."""

    index: int
    operation: str | None  # None: no contract has the request's method and path
    method: str
    path: str
    intent: Intent | None
    violations: tuple[str, ...]  # the rules the request body breaks, described
    status: int
    checks: tuple[str, ...]  # the checks that judged the answer
    failures: tuple[Failure, ...]

    @property
    def request_valid(self) -> bool:
        return self.intent is Intent.VALID

    @property
    def conforms(self) -> bool:
        return not any(f.severity is Severity.FAILURE for f in self.failures)


def judge_cassette(
    path: Path,
    *,
    contracts: Mapping[str, Contract] | Iterable[Contract],
    checks: CheckRegistry | None = None,
) -> list[JudgedInteraction]:
    """Judge each interaction of the vcrpy cassette at ``path``; a
    :class:`~harness.errors.CassetteError` when the file cannot be read as one."""
    every = list(contracts.values()) if isinstance(contracts, Mapping) else list(contracts)
    routes = _Routes(every)
    registry = checks or default_registry()
    requests, responses = read_cassette(path, again="fix it or build it again")
    return [
        _judge(index, request, recorded, routes, registry)
        for index, (request, recorded) in enumerate(zip(requests, responses, strict=True))
    ]


class _Routes:
    """Which contract a recorded request belongs to: its path template and method, or its
    ``X-Amz-Target`` (:mod:`harness.routing`), one router per service (services share paths)."""

    def __init__(self, contracts: Iterable[Contract]) -> None:
        self.contracts = {c.id: c for c in contracts}
        by_service: dict[str, list[OperationBinding]] = {}
        for contract in self.contracts.values():
            binding = OperationBinding.from_document(contract.document, source=str(contract.file))
            by_service.setdefault(contract.service, []).append(binding)
        self._routers = [Router(bindings) for bindings in by_service.values()]

    def match(self, request: Request) -> tuple[Contract, OperationBinding] | None:
        parts = urlsplit(request.uri)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {name: ", ".join(v) if isinstance(v, list) else str(v) for name, v in request.headers.items()}
        for router in self._routers:
            route = router.match(request.method, path, headers)
            if route is not None:
                return self.contracts[route.binding.operation], route.binding
        return None


def _judge(
    index: int,
    request: Request,
    recorded: Mapping[str, Any],
    routes: _Routes,
    registry: CheckRegistry,
) -> JudgedInteraction:
    method, path = request.method.upper(), urlsplit(request.uri).path
    status = int(recorded["status"]["code"])
    found = routes.match(request)
    if found is None:
        known = ", ".join(sorted(routes.contracts))
        failure = Failure(
            check="operation_known",
            message=f"no contract defines {method} {path} (contracts: {known})",
            doc=_UNKNOWN_OPERATION_DOC,
        )
        return JudgedInteraction(index, None, method, path, None, (), status, (), (failure,))
    contract, binding = found
    body = _bytes(request.body)
    case, violations = _case(contract, binding, request, body)
    raw_body = recorded["body"]["string"]
    elapsed = recorded.get(ELAPSED)
    response = Response(
        status=status,
        headers={name: ", ".join(values) for name, values in recorded["headers"].items()},
        body=_bytes(raw_body),
        elapsed=float(elapsed) if isinstance(elapsed, int | float) else 0.0,
    )
    failures, ran = registry.judge(Judgement(contract, case, response))
    return JudgedInteraction(
        index, contract.id, method, path, case.intent, violations, status, tuple(ran), tuple(failures)
    )


def _case(contract: Contract, binding: OperationBinding, request: Request, body: bytes) -> tuple[Case, tuple[str, ...]]:
    """The case a recorded request stands for, and the rules its input breaks."""
    document: Any
    if binding.body_only:
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested past Python's json
            document = None
    else:  # members in the path, query or headers: the input as the target reads it
        parts = urlsplit(request.uri)
        try:
            document = decode(binding, request.method, parts.path + (f"?{parts.query}" if parts.query else ""),
                              {k: ", ".join(v) if isinstance(v, list) else str(v) for k, v in request.headers.items()},
                              body)  # fmt: skip
        except MalformedRequest:
            document = None
    violations = contract.request_validator.violations(document) if isinstance(document, dict) else []
    signed = "Authorization" in request.headers
    content_type = request.headers.get("Content-Type")
    expected: tuple[int, ...]
    if not signed:
        intent, expected = Intent.UNAUTHENTICATED, (403,)
    elif not isinstance(document, dict):
        intent, expected = Intent.MALFORMED, (400,)
    elif violations:
        intent, expected = Intent.INVALID, (400,)
    else:
        intent, expected = Intent.VALID, ()
    case = Case(
        operation=contract.id,
        intent=intent,
        origin="cassette",
        description=f"a recorded {intent.value} request",
        input=document if isinstance(document, dict) else None,
        body=body,
        rule=next((v.rule.id for v in violations if v.rule), None),
        content_type=content_type if isinstance(content_type, str) else None,
        auth=Auth.SIGNED if signed else Auth.MISSING,
        expected_statuses=expected,
    )
    return case, tuple(v.describe() for v in violations)


def _bytes(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body or b"")
