"""Results: what happened to each case, and the run's verdict.

The engine produces :class:`CaseResult` records; :func:`summarise` folds them into the
documented results document (``harness/schemas/results.schema.json``) that every writer
(console, HTML, JUnit, JSON) reads.  Writers never see the engine.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from harness.case import Case

RESULTS_FORMAT = "harness-results/1"
MAX_EXAMPLES_PER_FAILURE = 5
MAX_SHOWN_BODY = 4096
SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token"})


class Severity(StrEnum):
    FAILURE = "failure"
    WARNING = "warning"


@dataclass(frozen=True)
class Failure:
    """One assertion a response broke (or, as a warning, something worth a look)."""

    check: str
    message: str
    doc: str
    rule: str | None = None
    severity: Severity = Severity.FAILURE


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    sequence: int = 0  # its place among the run's requests (0: outside a run)
    operation: str = ""  # the operation whose case it carries ("": a provider-state call, or outside a run)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed: float
    truncated: bool = False  # the target sent more than the harness reads


@dataclass
class CaseResult:
    case: Case
    request: SentRequest
    response: Response | None
    transport_error: str | None = None
    failures: list[Failure] = field(default_factory=list)
    minimal: bool = False  # a shrunk reproduction
    checks: tuple[str, ...] = ()  # the checks that judged it

    @property
    def failed(self) -> bool:
        return any(f.severity is Severity.FAILURE for f in self.failures)


# --------------------------------------------------------------------------- rendering


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers fit to write down: credentials and signatures never reach disk."""
    out = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            out[name] = "<redacted>"
        else:
            out[name] = value
    return out


def body_text(body: bytes, limit: int = MAX_SHOWN_BODY) -> dict[str, Any]:
    """A body for people: text when it is UTF-8, base64 otherwise; cut at ``limit`` bytes."""
    shown = body[:limit]
    try:
        text: dict[str, Any] = {"text": shown.decode("utf-8")}
    except UnicodeDecodeError:
        text = {"base64": base64.b64encode(shown).decode("ascii")}
    text["size"] = len(body)
    text["truncated"] = len(body) > limit
    return text


def shell_quote(text: str) -> str:
    """Quote for a POSIX shell; ANSI-C quoting when the text has control characters."""
    if all(ch.isprintable() or ch == " " for ch in text):
        return "'" + text.replace("'", "'\\''") + "'"
    escaped = "".join(
        ch if ch.isprintable() and ch not in "\\'" else f"\\x{ord(ch):02x}" if ord(ch) < 256 else ch for ch in text
    )
    return "$'" + escaped + "'"


def curl_command(request: SentRequest, *, signing: str | None) -> str:
    """A curl command reproducing ``request``; signs with curl's ``--aws-sigv4`` from the
    environment's credentials, so no secret is written."""
    parts = ["curl", "-sS", "-i", "-X", request.method, shell_quote(request.url)]
    for name, value in request.headers.items():
        if name.lower() in SECRET_HEADERS | {"x-amz-date", "host", "content-length"}:
            continue
        parts += ["-H", shell_quote(f"{name}: {value}")]
    if signing:
        parts += [
            "--aws-sigv4",
            shell_quote(signing),
            "--user",
            '"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"',
        ]
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        text = request.body.decode("latin-1")
    parts += ["--data-binary", shell_quote(text)]
    return " ".join(parts)


def example_of(result: CaseResult, *, signing: str | None) -> dict[str, Any]:
    request = result.request
    response = result.response
    return {
        "case": {
            "intent": result.case.intent.value,
            "origin": result.case.origin,
            "description": result.case.description,
            "rule": result.case.rule,
            "auth": result.case.auth.value,
            "scenario": result.case.scenario,
        },
        "minimal": result.minimal,
        "request": {
            "method": request.method,
            "url": request.url,
            "headers": redact_headers(request.headers),
            "body": body_text(request.body),
        },
        "response": None
        if response is None
        else {
            "status": response.status,
            "headers": dict(response.headers),
            "body": body_text(response.body),
            "elapsed_ms": round(response.elapsed * 1000, 1),
        },
        "transport_error": result.transport_error,
        "curl": curl_command(request, signing=signing if result.case.auth.value == "signed" else None),
    }


def load_results(path: Path) -> dict[str, Any]:
    """Read a results document written by ``--json``; a clear error when it is not one."""
    from harness.errors import UsageError

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read results file {path}: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not a results file (not JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != RESULTS_FORMAT:
        raise UsageError(f"{path} is not a results file of format {RESULTS_FORMAT}")
    return document


def iter_failures(results: Iterable[CaseResult]) -> Iterable[tuple[CaseResult, Failure]]:
    for result in results:
        for failure in result.failures:
            yield result, failure
