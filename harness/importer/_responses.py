"""The errors an imported operation may answer with, and their statuses (SPEC section 7)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.importer._model import Service

#: SPEC 7's common errors, which every operation may answer, by protocol family: the name,
#: its status, and whether it comes from AWS's front end (which writes ``message`` whatever the
#: service, SPEC 3) rather than from the service (which writes its own casing).
_COMMON: tuple[tuple[str, int, bool, str], ...] = (
    ("ValidationException", 400, False, "any"),
    ("SerializationException", 400, False, "any"),
    ("ThrottlingException", 400, False, "awsJson"),
    ("IncompleteSignature", 400, True, "any"),
    ("InvalidAction", 400, True, "any"),
    ("NotAuthorized", 400, True, "any"),
    ("RequestExpired", 400, True, "any"),
    ("ValidationError", 400, True, "any"),
    ("MissingAuthenticationTokenException", 403, True, "any"),
    ("IncompleteSignatureException", 403, True, "any"),
    ("InvalidSignatureException", 403, True, "any"),
    ("UnrecognizedClientException", 403, True, "any"),
    ("InvalidClientTokenId", 403, True, "any"),
    ("OptInRequired", 403, True, "any"),
    ("AccessDeniedException", 403, False, "any"),
    ("ThrottlingException", 429, False, "restJson1"),
    ("InternalFailure", 500, True, "any"),
    ("ServiceUnavailable", 503, True, "any"),
)


@dataclass(frozen=True)
class ModelError:
    name: str  # the shape name, which is what a JSON error names (`__type`, x-amzn-ErrorType)
    status: int
    documentation: str | None


@dataclass(frozen=True)
class CommonError:
    name: str
    status: int
    message_member: str


def model_errors(service: Service, operation: Mapping[str, Any]) -> list[ModelError]:
    """The operation's errors with their statuses: ``httpStatusCode``, else 500 for a server
    fault and 400 otherwise."""
    found: dict[str, ModelError] = {}
    for ref in operation.get("errors", ()):
        shape = service.shapes[ref["shape"]]
        status = shape.get("error", {}).get("httpStatusCode")
        if status is None:
            status = 500 if shape.get("fault") else 400
        found.setdefault(ref["shape"], ModelError(ref["shape"], int(status), shape.get("documentation")))
    return list(found.values())


def common_errors(service: Service, *, declared: set[str], message_member: str) -> list[CommonError]:
    """SPEC 7's common errors the operation does not declare itself (its own statuses win)."""
    family = "restJson1" if service.protocol == "restJson1" else "awsJson"
    found: list[CommonError] = []
    for name, status, front_end, applies in _COMMON:
        if applies not in ("any", family) or name in declared:
            continue
        found.append(CommonError(name, status, "message" if front_end else message_member))
        declared = declared | {name}
    return found


def message_member(service: Service, errors: list[ModelError]) -> str:
    """The casing of the error message member most of the operation's errors use."""
    counts: Counter[str] = Counter()
    for error in errors:
        for member, ref in service.shapes[error.name].get("members", {}).items():
            wire = ref.get("locationName", member)
            if wire in ("message", "Message"):
                counts[wire] += 1
    if not counts:
        return "message"
    return max(sorted(counts), key=lambda casing: counts[casing])
