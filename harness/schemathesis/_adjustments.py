"""Schemathesis's own checks, read as SPEC reads them: which of their failures are set aside, and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.checks import Judgement, declared_as_json
from harness.schemathesis._reading import Reading


@dataclass(frozen=True)
class Verdict:
    """An answer to a request of a harness contract, as the harness reads both."""

    judgement: Judgement
    reading: Reading


@dataclass(frozen=True)
class Adjustment:
    """One or more of Schemathesis's checks whose failures are set aside where SPEC says otherwise."""

    checks: frozenset[str]  # Schemathesis check names
    set_aside: str  # which of their failures ("all", "those of ...")
    judged_by: str  # the harness checks that judge them instead, if any
    spec: str  # the sentence of SPEC that says why
    applies: Callable[[AssertionError, Verdict], bool]  # whether this failure is set aside

    def describe(self) -> str:
        instead = f"; {self.judged_by} judge(s) them instead" if self.judged_by else ""
        return f"{', '.join(sorted(self.checks))} ({self.set_aside}{instead}). {self.spec}"


def _always(failure: AssertionError, verdict: Verdict) -> bool:
    return True


def _of_the_body(failure: AssertionError, verdict: Verdict) -> bool:
    # JsonSchemaError is raised for bodies and headers alike; a header's is titled so.
    return "header" not in str(getattr(failure, "title", "")).lower()


def _media_type_spec_allows(failure: AssertionError, verdict: Verdict) -> bool:
    return declared_as_json(verdict.judgement.header("content-type"))


def _request_read(failure: AssertionError, verdict: Verdict) -> bool:
    return verdict.reading.intent is not None


def _error_named_otherwise(failure: AssertionError, verdict: Verdict) -> bool:
    missing = {str(name).lower() for name in getattr(failure, "missing_headers", ())}
    return missing == {"x-amzn-errortype"} and verdict.judgement.error_name is not None


ADJUSTMENTS: tuple[Adjustment, ...] = (
    Adjustment(
        frozenset({"status_code_conformance"}),
        "all",
        "status_documented",
        "SPEC 3: A request whose `Content-Type` is not `application/json` (or is missing, with a body) may be read "
        "as JSON anyway, or rejected with 400 or 415 (`UnsupportedMediaTypeException`, as Smithy servers do): 415 "
        "is in no operation's list, but allowed for exactly this.",
        _always,
    ),
    Adjustment(
        frozenset({"response_schema_conformance"}),
        "those of a body",
        "body_matches_contract",
        "SPEC 2: Every `pattern` has ECMA-262 semantics, as JSON Schema requires. SPEC 3: a member it does name "
        "must have its documented type, and a `null` stands for an absent member.",
        _of_the_body,
    ),
    Adjustment(
        frozenset({"content_type_conformance"}),
        "those of a JSON body declared `application/x-amz-json-1.0` or `-1.1`",
        "",
        "SPEC 4.3: a JSON body is declared as JSON: `Content-Type: application/json`, `application/x-amz-json-1.0` "
        "or `application/x-amz-json-1.1` (a parameter such as `charset` allowed; header names in any case).",
        _media_type_spec_allows,
    ),
    Adjustment(
        frozenset({"negative_data_rejection"}),
        "those of a request the harness reads",
        "invalid_rejected, null_member_tolerated, media_type_tolerated",
        "SPEC 2: A JSON `null` for an optional member means the member is absent (as in Smithy); it may be "
        "accepted as absent or rejected with 400. Members not named here may be ignored or rejected with 400; "
        "either is conformant.",
        _request_read,
    ),
    Adjustment(
        frozenset({"positive_data_acceptance"}),
        "those of a request the harness reads",
        "valid_accepted",
        "SPEC 2: Every `pattern` has ECMA-262 semantics [...]; generation and validation must both follow "
        "ECMA-262 (Schemathesis draws patterns with Python's `re`).",
        _request_read,
    ),
    Adjustment(
        frozenset({"response_headers_conformance"}),
        "those of a missing `x-amzn-ErrorType` where the body names the error",
        "error_named",
        "SPEC 3: An error response names its error in the `x-amzn-ErrorType` header, or failing that in the "
        "body's `code` (or `Code`) member, or failing that in its `__type` member, as botocore reads them.",
        _error_named_otherwise,
    ),
    Adjustment(
        frozenset({"unsupported_method", "allow_header_conformance"}),
        "all: a warning",
        "",
        "SPEC 4: Anything else the harness notices (an undocumented response header, a slow answer, a 405 versus "
        "404 for an unknown method) is a warning in the report, never a failure.",
        _always,
    ),
)


def adjustment_for(failure: AssertionError, verdict: Verdict) -> Adjustment | None:
    """The adjustment that sets ``failure`` aside, if any.

    Schemathesis's failure classes name the checks that raise them (``checks``); a custom
    check's failure (the harness's own among them) names none and is never set aside.
    """
    reported_by = set(getattr(type(failure), "checks", ()))
    return next((a for a in ADJUSTMENTS if reported_by & a.checks and a.applies(failure, verdict)), None)
