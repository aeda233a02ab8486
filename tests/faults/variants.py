"""The catalogue: faulty variants of the reference mock, one realistic bug each, and controls.

Each :class:`Variant` builds an ASGI app from the correct mock, from the outside
(:mod:`faults.building`): an edited copy of a contract, another regex dialect, a handler
subclass, a clock, or a middleware.  A faulty variant names the :class:`Finding` the harness
must report; a control behaves in a way SPEC allows and must be reported conformant.
A variant the harness once missed keeps its ``witness``: a request showing the bug is real.

Variants are grouped by bug class, so that a new bug of a known class has a sibling here.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from faults import bugs
from faults.building import (
    CREATE_SCOPE,
    START_MONITORING,
    Builder,
    any_error,
    as_serialization_error,
    body_changed,
    business_errors,
    clocked,
    closed,
    emptied,
    errors_named,
    handler,
    html_page,
    json_answers,
    labelled,
    message_member_renamed,
    named_in_body,
    on_answers,
    renamed,
    restatused,
    rewriting,
    schema,
    semantics,
    success_of,
    suffixed,
    with_contract,
    wrapped,
)
from faults.client import Witness
from faults.leaks import state_leaks_into
from faults.limits import (
    crashing_on_bodies_past,
    crashing_on_duplicate_members,
    crashing_on_infinite_numbers,
    crashing_on_integers_past_int64,
    crashing_on_members_past,
    crashing_on_nesting_deeper_than,
    crashing_on_numbers_python_cannot_convert,
    crashing_on_strings_longer_than,
    crashing_on_tags_past,
)
from faults.middleware import CutShort
from faults.schemas import (
    length_keywords,
    pattern_keyword,
    python_digits_fixed,
    python_for,
    python_search,
    utf16_units,
)
from faults.witnesses import (
    ASTRAL_TAGS,
    ESCAPED_ASTRAL,
    GRAPH,
    LARGEST_TAGS,
    TARGET,
    conflicting_tags,
    declared,
    denied_elsewhere,
    enrolled_elsewhere,
    member,
    member_limit_then_scope,
    member_with,
    other_member_torn_down,
    quota_then_member,
    retried_at_quota,
    retried_reserialised,
    sends,
    tokenless_at_quota,
    utf8,
)
from harness.aws import AUTH_ERROR_NAMES


@dataclass(frozen=True)
class Finding:
    """A failure the harness must report: its check, and the rule when one is at stake."""

    check: str
    rule: str | None = None

    def __str__(self) -> str:
        return f"{self.check}[{self.rule}]" if self.rule else self.check


@dataclass(frozen=True)
class Variant:
    id: str
    bug_class: str
    bug: str  # what the variant does wrong, or (a control) what it does that SPEC allows
    build: Builder
    operation: str | None = None  # the run covers only this operation; None: both
    caught_by: tuple[Finding, ...] = ()  # any one of them is enough; empty: a control
    warning: str | None = None  # a control: the warning the run must show
    witness: Witness | None = None  # a request that shows the bug is real (kept from when it was missed)
    timeout: float = 5.0  # per request

    @property
    def is_control(self) -> bool:
        return not self.caught_by


# --------------------------------------------------------------------------- the catalogue

CS = "/components/schemas"
TARGETS = f"{CS}/CreateScopeRequest/properties/targets"
TOKEN = f"{CS}/CreateScopeRequest/properties/clientToken"
ACCOUNT = f"{CS}/TargetId/properties/accountId"
TAG_MAP = f"{CS}/TagMap"
TAG_KEY = f"{TAG_MAP}/propertyNames"
TAG_VALUE = f"{TAG_MAP}/additionalProperties"
TARGET_TYPE = f"{CS}/TargetIdentifier/properties/targetType"
REGION = f"{CS}/TargetResource/properties/region"
MEMBER_ACCOUNT = f"{CS}/StartMonitoringMemberRequest/properties/AccountId"
GRAPH_ARN = f"{CS}/StartMonitoringMemberRequest/properties/GraphArn"
UUID = "[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"
ARN = r"^arn:aws[-\w]{0,10}?:detective:[-\w]{2,20}?:\d{12}?:graph:[abcdef\d]{32}?$"


def _invalid(rule: str) -> tuple[Finding, ...]:
    return (Finding("invalid_rejected", rule),)


def _refused(rule: str) -> tuple[Finding, ...]:
    return (Finding("valid_accepted", rule),)


OFF_BY_ONE = "off-by-one limit"
PATTERN = "pattern written wrong"
REGEX_DIALECT = "regex dialect (Python re, not ECMA-262)"
LENGTH_UNIT = "length counted in the wrong unit"
STRUCTURE = "structure not enforced"
NORMALISED = "input normalised before validation"
WIRE = "malformed or unexpected input crashes"
AUTH = "authentication"
SUCCESS_BODY = "success body off contract"
ERROR_SHAPE = "error shape off contract"
ERROR_NAME = "error named wrong"
STATE = "provider state outcome"
FAR_PAST = "far past a documented limit"
PARSER = "a parser's own limit"
SIZE = "a size limit the documentation does not state"
IDEMPOTENCY = "idempotency"
BROKEN = "broken transport"
CONTROL = "control (SPEC allows it)"

VARIANTS: tuple[Variant, ...] = (
    # ------------------------------------------------------------ off-by-one limits
    Variant("targets-101-accepted", OFF_BY_ONE, "targets accepts 101 items (maxItems 101)",
            schema(CREATE_SCOPE, TARGETS, maxItems=101), CREATE_SCOPE, _invalid("targets.items")),
    Variant("targets-empty-accepted", OFF_BY_ONE, "targets accepts an empty array (minItems 0)",
            schema(CREATE_SCOPE, TARGETS, minItems=0), CREATE_SCOPE, _invalid("targets.items")),
    Variant("targets-100-refused", OFF_BY_ONE, "targets refuses 100 items (maxItems 99)",
            schema(CREATE_SCOPE, TARGETS, maxItems=99), CREATE_SCOPE, _refused("targets.items")),
    Variant("tags-201-accepted", OFF_BY_ONE, "tags accepts 201 entries",
            schema(CREATE_SCOPE, TAG_MAP, maxProperties=201), CREATE_SCOPE, _invalid("tags.entries")),
    Variant("tag-key-129-accepted", OFF_BY_ONE, "a 129-character tag key is accepted",
            schema(CREATE_SCOPE, TAG_KEY, maxLength=129), CREATE_SCOPE, _invalid("tags.key.length")),
    Variant("tag-value-257-accepted", OFF_BY_ONE, "a 257-character tag value is accepted",
            schema(CREATE_SCOPE, TAG_VALUE, maxLength=257), CREATE_SCOPE, _invalid("tags.value.length")),
    Variant("tag-key-128-refused", OFF_BY_ONE, "a 128-character tag key is refused (maxLength 127)",
            schema(CREATE_SCOPE, TAG_KEY, maxLength=127), CREATE_SCOPE, _refused("tags.key.length")),
    Variant("account-13-digits-accepted", OFF_BY_ONE, "accountId accepts 13 digits ([0-9]{12,13})",
            schema(CREATE_SCOPE, ACCOUNT, maxLength=13, pattern="^[0-9]{12,13}$"), CREATE_SCOPE,
            (*_invalid("accountId.length"), *_invalid("accountId.pattern"))),
    Variant("member-account-13-accepted", OFF_BY_ONE, "AccountId accepts 13 characters",
            schema(START_MONITORING, MEMBER_ACCOUNT, maxLength=13), START_MONITORING,
            _invalid("AccountId.length")),
    Variant("client-token-37-accepted", OFF_BY_ONE, "clientToken accepts 35 to 37 characters",
            schema(CREATE_SCOPE, TOKEN, minLength=35, maxLength=37), CREATE_SCOPE,
            _invalid("clientToken.length")),
    # ------------------------------------------------------------ patterns written wrong
    Variant("client-token-upper-case-accepted", PATTERN, "clientToken accepts upper-case hex ([a-fA-F0-9])",
            schema(CREATE_SCOPE, TOKEN, pattern=UUID.replace("a-f", "a-fA-F")), CREATE_SCOPE,
            _invalid("clientToken.pattern")),
    Variant("graph-region-21-accepted", PATTERN, "GraphArn's region part accepts 21 characters",
            schema(START_MONITORING, GRAPH_ARN, pattern=ARN.replace("{2,20}", "{2,21}")), START_MONITORING,
            _invalid("GraphArn.pattern")),
    Variant("graph-arn-unanchored", PATTERN, "GraphArn's pattern lost its ^ and $ (anything around it passes)",
            schema(START_MONITORING, GRAPH_ARN, pattern=ARN[1:-1]), START_MONITORING,
            _invalid("GraphArn.pattern")),
    Variant("graph-id-upper-case-accepted", PATTERN, "GraphArn's graph id accepts upper-case hex ([a-fA-F\\d])",
            schema(START_MONITORING, GRAPH_ARN, pattern=ARN.replace(r"[abcdef\d]", r"[a-fA-F\d]")),
            START_MONITORING, _invalid("GraphArn.pattern"),
            witness=Witness(400, 404, sends(START_MONITORING, member(GRAPH.replace("027c7c4610ea", "027C7C4610EA"))))),
    Variant("graph-service-unchecked", PATTERN, "GraphArn's service part is any word, not `detective`",
            schema(START_MONITORING, GRAPH_ARN, pattern=ARN.replace("detective", "[a-z]+")), START_MONITORING,
            _invalid("GraphArn.pattern"),
            witness=Witness(400, 404, sends(START_MONITORING, member(GRAPH.replace("detective", "guardduty"))))),
    Variant("graph-parts-optional", PATTERN, "GraphArn's `{12}?` read as optional: an empty account part passes",
            schema(START_MONITORING, GRAPH_ARN, pattern=ARN.replace(r"\d{12}?", r"(?:\d{12})?")),
            START_MONITORING, _invalid("GraphArn.pattern"),
            witness=Witness(400, 404, sends(START_MONITORING, member(GRAPH.replace(":111122223333:", "::"))))),
    # ------------------------------------------------------------ regex dialects
    Variant("graph-arn-python-re", REGEX_DIALECT, "patterns matched by re.search: Unicode \\d and \\w, $ before \\n",
            semantics(START_MONITORING, pattern=pattern_keyword(python_search)), START_MONITORING,
            _invalid("GraphArn.pattern")),
    Variant("python-re-unicode-word", REGEX_DIALECT, "\\d and $ fixed by hand, \\w left Unicode-aware",
            semantics(START_MONITORING, pattern=pattern_keyword(python_digits_fixed)), START_MONITORING,
            _invalid("GraphArn.pattern")),
    Variant("member-account-python-re", REGEX_DIALECT,
            "AccountId checked with re.search('^[0-9]+$') and a length of 12: '44445555666\\n' passes",
            semantics(START_MONITORING, pattern=pattern_keyword(python_for("^[0-9]+$"))), START_MONITORING,
            _invalid("AccountId.pattern")),
    # ------------------------------------------------------------ length units
    Variant("lengths-in-utf16-units", LENGTH_UNIT, "lengths counted in UTF-16 code units (an astral character is 2)",
            semantics(CREATE_SCOPE, **length_keywords(utf16_units)), CREATE_SCOPE,
            (*_refused("tags.value.length"), *_refused("tags.key.length"))),
    # ------------------------------------------------------------ structure not enforced
    Variant("union-second-member-accepted", STRUCTURE, "targetId accepts members besides accountId",
            schema(CREATE_SCOPE, f"{CS}/TargetId", additionalProperties=None), CREATE_SCOPE,
            _invalid("targetId.union")),
    Variant("union-empty-accepted", STRUCTURE, "targetId accepts an empty union",
            schema(CREATE_SCOPE, f"{CS}/TargetId", required=None), CREATE_SCOPE, _invalid("targetId.union")),
    Variant("target-type-optional", STRUCTURE, "targetType may be missing",
            schema(CREATE_SCOPE, f"{CS}/TargetIdentifier", required=["targetId"]), CREATE_SCOPE,
            _invalid("targetIdentifier.required")),
    Variant("target-type-any-case", STRUCTURE, "targetType compared case-insensitively",
            schema(CREATE_SCOPE, TARGET_TYPE, enum=["ACCOUNT", "account", "Account"]), CREATE_SCOPE,
            _invalid("targetType.enum")),
    Variant("region-optional", STRUCTURE, "a target without region is accepted",
            schema(CREATE_SCOPE, f"{CS}/TargetResource", required=["targetIdentifier"]), CREATE_SCOPE,
            _invalid("targetResource.required")),
    Variant("region-refused-unless-known", STRUCTURE, "region must be a known AWS region (undocumented)",
            schema(CREATE_SCOPE, REGION, enum=["us-east-1", "eu-west-1"]), CREATE_SCOPE,
            (Finding("valid_accepted"),)),
    # ------------------------------------------------------------ normalised before validation
    Variant("strings-trimmed", NORMALISED, "string members are trimmed before validation",
            rewriting(bugs.trimmed), START_MONITORING, (Finding("invalid_rejected"),)),
    Variant("strings-nfkc", NORMALISED, "strings NFKC-normalised before validation (full-width digits pass)",
            rewriting(bugs.nfkc), START_MONITORING, (Finding("invalid_rejected"),)),
    Variant("numbers-coerced-to-strings", NORMALISED, "a JSON number where a string is due is coerced",
            rewriting(bugs.numbers_as_strings), CREATE_SCOPE,
            (*_invalid("region.type"), *_invalid("tags.value.type"))),
    Variant("member-numbers-coerced", NORMALISED, "StartMonitoringMember coerces numbers: AccountId 444455556666",
            rewriting(bugs.numbers_as_strings), START_MONITORING, _invalid("AccountId.type")),
    Variant("null-items-dropped", NORMALISED, "null items of targets are dropped: [null, target] passes",
            rewriting(bugs.without_null_items), CREATE_SCOPE, (Finding("invalid_rejected"),)),
    Variant("member-names-any-case", NORMALISED, "members bound case-insensitively: `Targets` taken for `targets`",
            rewriting(bugs.member_names_case_insensitive), CREATE_SCOPE, (Finding("invalid_rejected"),),
            witness=Witness(400, 200, sends(CREATE_SCOPE, {"Targets": [TARGET]}))),
    # ------------------------------------------------------------ malformed input crashes
    Variant("malformed-json-500", WIRE, "a body that is not JSON gets 500",
            wrapped(before=bugs.answering_malformed_with_500(object_bodies_only=False)), CREATE_SCOPE,
            (Finding("invalid_rejected"),)),
    Variant("non-object-json-500", WIRE, "a JSON array, string, number or null body gets 500",
            wrapped(before=bugs.answering_malformed_with_500(object_bodies_only=True)), START_MONITORING,
            (Finding("invalid_rejected"),)),
    Variant("long-tag-value-crash", WIRE, "a 256-character tag value overflows a 255-character column: 500",
            wrapped(before=bugs.crashing_on_long_tag_values), CREATE_SCOPE, _refused("tags.value.length")),
    Variant("surrogate-escapes-refused", WIRE, "escaped UTF-16 surrogate pairs (\\ud83d\\ude00) refused: 400",
            wrapped(before=bugs.refusing_surrogate_escapes), CREATE_SCOPE, (Finding("valid_accepted"),),
            witness=Witness(200, 400, sends(CREATE_SCOPE, ESCAPED_ASTRAL))),
    Variant("null-member-crash", WIRE, "a JSON null for an optional member crashes the handler: 500",
            wrapped(before=bugs.crashing_on_null_members), CREATE_SCOPE,
            (Finding("null_member_tolerated"), Finding("valid_accepted")),
            witness=Witness(200, 500, sends(CREATE_SCOPE, {"targets": [TARGET], "tags": None}))),
    Variant("deep-nesting-crash", WIRE, "JSON nested deeper than 100 levels exhausts a recursive parser: 500",
            wrapped(before=bugs.crashing_on_deep_nesting), START_MONITORING, (Finding("invalid_rejected"),),
            witness=Witness(400, 500, sends(START_MONITORING, b"[" * 200 + b"]" * 200))),
    Variant("body-limit-64k", WIRE, "bodies over 64 KiB get 413 (a WAF's inspection limit)",
            bugs.body_limit(64 * 1024), CREATE_SCOPE, (Finding("status_documented"),),
            witness=Witness(200, 413, sends(CREATE_SCOPE, {"targets": [TARGET], "tags": LARGEST_TAGS}))),
    Variant("body-limit-100k", WIRE, "bodies over 100 KB get 413 (a JSON body parser's default limit): 200 tags of "
            "4-byte characters do not fit", bugs.body_limit(100 * 1000), CREATE_SCOPE, (Finding("status_documented"),),
            witness=Witness(200, 413, sends(CREATE_SCOPE, utf8({"targets": [TARGET], "tags": ASTRAL_TAGS})))),
    Variant("body-limit-8k", WIRE, "bodies over 8 KiB get 413 (100 targets do not fit)",
            bugs.body_limit(8 * 1024), CREATE_SCOPE, (Finding("status_documented"),)),
    Variant("media-type-compared-exactly", WIRE, "Content-Type compared as a string: a charset parameter gets 415",
            wrapped(before=bugs.media_type_compared_exactly), START_MONITORING, (Finding("status_documented"),)),
    Variant("validation-422", WIRE, "validation errors answered 422, a framework default",
            on_answers(errors_named("ValidationException"), restatused(422)), START_MONITORING,
            (Finding("status_documented"),)),
    # ------------------------------------------------------------ far past a documented limit
    Variant("tags-far-past-limit-crash", FAR_PAST, "200 tags accepted, 201 refused, but more than 1,000 overflow "
            "the tag index: 500", wrapped(before=crashing_on_tags_past(1000)), CREATE_SCOPE,
            _invalid("tags.entries"),
            witness=Witness(400, 500, sends(CREATE_SCOPE, {"targets": [TARGET],
                                                           "tags": {f"k{i}": "" for i in range(2000)}}))),
    Variant("long-strings-crash", FAR_PAST, "a string of more than 1,024 characters overflows a fixed buffer "
            "before its length is checked: 500", wrapped(before=crashing_on_strings_longer_than(1024)), CREATE_SCOPE,
            (Finding("invalid_rejected"),),
            witness=Witness(400, 500, sends(CREATE_SCOPE, {"targets": [TARGET], "tags": {"team": "v" * 2560}}))),
    # ------------------------------------------------------------ a parser's own limits
    Variant("nesting-past-1000-crash", PARSER, "JSON nested deeper than 1,000 levels (Python's json): a "
            "RecursionError escapes as 500", wrapped(before=crashing_on_nesting_deeper_than(1000)),
            START_MONITORING, (Finding("invalid_rejected"),),
            witness=Witness(400, 500, sends(START_MONITORING, b"[" * 10_000 + b"]" * 10_000))),
    Variant("nesting-past-50000-crash", PARSER, "a parser with a deep stack: 50,000 levels are fine, 100,000 "
            "crash (500)", wrapped(before=crashing_on_nesting_deeper_than(50_000)), CREATE_SCOPE,
            (Finding("invalid_rejected"),),
            witness=Witness(400, 500, sends(CREATE_SCOPE, b'{"":' * 100_000 + b"0" + b"}" * 100_000))),
    Variant("5000-digits-crash", PARSER, "a number of more than 4,300 digits: Python's ValueError, not a "
            "JSONDecodeError, escapes as 500", wrapped(before=crashing_on_numbers_python_cannot_convert),
            START_MONITORING, _invalid("AccountId.type"),
            witness=Witness(400, 500, sends(START_MONITORING, member_with(b"9" * 5000)))),
    Variant("int64-overflow-crash", PARSER, "every integer read into 64 bits before the schema: 2^63 crashes (500)",
            wrapped(before=crashing_on_integers_past_int64), CREATE_SCOPE, (Finding("invalid_rejected"),),
            witness=Witness(400, 500, sends(CREATE_SCOPE, {"targets": [{**TARGET, "region": 2**63}]}))),
    Variant("infinity-crash", PARSER, "1e309 read as infinity, which the error serializer refuses: 500",
            wrapped(before=crashing_on_infinite_numbers), START_MONITORING, _invalid("AccountId.type"),
            witness=Witness(400, 500, sends(START_MONITORING, member_with(b"1e309")))),
    Variant("duplicate-members-crash", PARSER, "a member given twice: a strict parser's exception escapes as 500",
            wrapped(before=crashing_on_duplicate_members), START_MONITORING, (Finding("invalid_rejected"),),
            witness=Witness(400, 500, sends(START_MONITORING, member_with(b"null", twice=True)))),
    Variant("many-members-crash", PARSER, "objects of more than 50,000 members exhaust a member table: 500",
            wrapped(before=crashing_on_members_past(50_000)), CREATE_SCOPE, (Finding("invalid_rejected"),),
            witness=Witness(400, 500, sends(CREATE_SCOPE, b"{" + b",".join(b'"%d":0' % i for i in range(65_537))
                                            + b"}"))),
    # ------------------------------------------------------------ size limits the documentation does not state
    Variant("body-quota-256k-crash", SIZE, "the service's 256 KiB quota on a request raises instead of refusing: "
            "500", wrapped(before=crashing_on_bodies_past(256 * 1024)), CREATE_SCOPE,
            (Finding("valid_accepted"), Finding("invalid_rejected")),
            witness=Witness(200, 500, sends(CREATE_SCOPE, utf8({"targets": [TARGET], "tags": ASTRAL_TAGS})))),
    # ------------------------------------------------------------ authentication
    Variant("unsigned-accepted", AUTH, "requests without a signature are accepted",
            bugs.unsigned_accepted, START_MONITORING, (Finding("unauthenticated_rejected"),)),
    Variant("signature-not-compared", AUTH, "the access key and date are checked, the signature is not",
            bugs.signature_not_compared, CREATE_SCOPE, (Finding("unauthenticated_rejected"),)),
    Variant("skew-unchecked", AUTH, "X-Amz-Date is never compared with the server's clock",
            clocked(bugs.clock_from_request, before=bugs.noting_request_time), START_MONITORING,
            (Finding("unauthenticated_rejected"),)),
    Variant("future-dates-accepted", AUTH, "only past dates are checked for skew (now - date > 15 min)",
            clocked(bugs.clock_ahead_of_past_requests, before=bugs.noting_request_time), CREATE_SCOPE,
            (Finding("unauthenticated_rejected"),)),
    Variant("clock-10-minutes-fast", AUTH, "the server's clock runs 10 minutes fast",
            clocked(lambda: time.time() + 600), START_MONITORING,
            (Finding("valid_accepted"), Finding("unauthenticated_rejected"))),
    Variant("skew-limit-19-minutes", AUTH, "the skew limit is 19 minutes, not 15",
            bugs.skew_limit_19_minutes, START_MONITORING, (Finding("unauthenticated_rejected"),),
            witness=Witness(403, 404, sends(START_MONITORING, member(), signed_ago=17 * 60))),
    Variant("credential-scope-service-unchecked", AUTH, "a request signed for another service is accepted",
            bugs.credential_scope_service_unchecked, START_MONITORING, (Finding("unauthenticated_rejected"),),
            witness=Witness(403, 404, sends(START_MONITORING, member(), service="networkflowmonitor"))),
    Variant("signature-error-named-s3-style", AUTH, "a bad signature named SignatureDoesNotMatch (S3's name)",
            on_answers(errors_named("InvalidSignatureException"), renamed("SignatureDoesNotMatch")),
            CREATE_SCOPE, (Finding("error_named"),)),
    Variant("auth-errors-with-service-casing", AUTH, "authentication errors carry Detective's `Message`",
            on_answers(errors_named(*AUTH_ERROR_NAMES), body_changed(message_member_renamed("message", "Message"))),
            START_MONITORING, (Finding("body_matches_contract"),)),
    Variant("validation-before-authentication", AUTH, "an unsigned invalid body gets 400, not 403",
            wrapped(before=bugs.validating_before_authenticating), None, (Finding("unauthenticated_rejected"),)),
    # ------------------------------------------------------------ success bodies
    Variant("member-200-with-body", SUCCESS_BODY, "StartMonitoringMember's 200 carries `{}`",
            on_answers(success_of(START_MONITORING), lambda a: dataclasses.replace(a, body=b"{}")),
            START_MONITORING, (Finding("body_matches_contract"),)),
    Variant("scope-without-arn", SUCCESS_BODY, "CreateScope's 200 lacks scopeArn",
            on_answers(success_of(CREATE_SCOPE), body_changed(lambda d: d.pop("scopeArn"))), CREATE_SCOPE,
            (Finding("body_matches_contract", "response.required"),)),
    Variant("scope-arn-not-an-arn", SUCCESS_BODY, "scopeArn is `scope/ID`, not an ARN",
            on_answers(success_of(CREATE_SCOPE), body_changed(lambda d: d.update(scopeArn=f"scope/{d['scopeId']}"))),
            CREATE_SCOPE, (Finding("body_matches_contract", "response.scopeArn.pattern"),)),
    Variant("scope-status-active", SUCCESS_BODY, "status `ACTIVE`, not a documented value",
            on_answers(success_of(CREATE_SCOPE), body_changed(lambda d: d.update(status="ACTIVE"))), CREATE_SCOPE,
            (Finding("body_matches_contract", "response.status.enum"),)),
    Variant("scope-created-201", SUCCESS_BODY, "CreateScope answers 201 Created",
            on_answers(success_of(CREATE_SCOPE), restatused(201)), CREATE_SCOPE, (Finding("status_documented"),)),
    Variant("tags-not-echoed", SUCCESS_BODY, "the 200 body leaves the request's tags out",
            on_answers(success_of(CREATE_SCOPE), body_changed(lambda d: d.pop("tags", None))), CREATE_SCOPE,
            (Finding("response_echoes_request"),)),
    # ------------------------------------------------------------ error shapes
    Variant("message-capitalised", ERROR_SHAPE, "errors past validation carry `Message`, not `message` (NFM)",
            on_answers(business_errors, body_changed(message_member_renamed("message", "Message"))),
            CREATE_SCOPE, (Finding("body_matches_contract"),)),
    Variant("message-lower-case", ERROR_SHAPE, "errors past validation carry `message`, not `Message` (Detective)",
            on_answers(business_errors, body_changed(message_member_renamed("Message", "message"))),
            START_MONITORING, (Finding("body_matches_contract"),)),
    Variant("html-500", ERROR_SHAPE, "a 500 has an HTML body",
            on_answers(errors_named("InternalServerException"), html_page), CREATE_SCOPE,
            (Finding("body_matches_contract"),)),
    Variant("errors-as-text-plain", ERROR_SHAPE, "JSON error bodies declared text/plain",
            on_answers(any_error, labelled("text/plain")), START_MONITORING, (Finding("json_media_type"),),
            witness=Witness("application/json", "text/plain", declared(START_MONITORING, member()))),
    Variant("errors-without-content-type", ERROR_SHAPE, "JSON error bodies with no Content-Type at all",
            on_answers(any_error, labelled(None)), CREATE_SCOPE, (Finding("json_media_type"),),
            witness=Witness("application/json", "(none)", declared(CREATE_SCOPE, {"targets": []}))),
    Variant("scope-as-text-plain", SUCCESS_BODY, "CreateScope's JSON 200 body declared text/plain; charset=utf-8",
            on_answers(success_of(CREATE_SCOPE), labelled("text/plain; charset=utf-8")), CREATE_SCOPE,
            (Finding("json_media_type"),),
            witness=Witness("application/json", "text/plain; charset=utf-8",
                            declared(CREATE_SCOPE, {"targets": [TARGET]}))),
    Variant("empty-5xx", ERROR_SHAPE, "a 500 has an empty body (its name is lost to botocore)",
            on_answers(errors_named("InternalServerException"), emptied), START_MONITORING,
            (Finding("error_named"),)),
    # ------------------------------------------------------------ error names
    Variant("validation-named-invalid-parameter", ERROR_NAME, "ValidationException sent as InvalidParameterException",
            on_answers(errors_named("ValidationException"), renamed("InvalidParameterException")),
            START_MONITORING, (Finding("error_named"),)),
    Variant("conflict-named-resource-in-use", ERROR_NAME, "ConflictException sent as ResourceInUseException",
            on_answers(errors_named("ConflictException"), renamed("ResourceInUseException")), START_MONITORING,
            (Finding("error_named"), Finding("scenario_outcome"))),
    # ------------------------------------------------------------ provider state outcomes
    Variant("quota-400", STATE, "scope quota reached answers 400, not 402",
            on_answers(errors_named("ServiceQuotaExceededException"), restatused(400)), CREATE_SCOPE,
            (Finding("scenario_outcome"), Finding("error_named"))),
    Variant("throttled-503", STATE, "throttled answers 503, not 429",
            on_answers(errors_named("ThrottlingException"), restatused(503)), CREATE_SCOPE,
            (Finding("scenario_outcome"), Finding("status_documented"))),
    Variant("member-limit-409", STATE, "graph member limit answers 409, not 402",
            on_answers(errors_named("ServiceQuotaExceededException"), restatused(409)), START_MONITORING,
            (Finding("scenario_outcome"), Finding("error_named"))),
    Variant("targets-quota-402", STATE, "100 targets, a valid request, get 402 (a quota of 99 targets)",
            bugs.targets_quota, CREATE_SCOPE, (Finding("stateless_status", "targets.items"),),
            witness=Witness(200, 402, sends(CREATE_SCOPE, {"targets": [TARGET] * 100}))),
    Variant("member-limit-ignored", STATE, "the member limit state does not fill the graph",
            wrapped(before=bugs.member_limit_as_plain_member), START_MONITORING, (Finding("scenario_outcome"),)),
    Variant("access-denied-ignored", STATE, "the access denied state changes nothing",
            wrapped(before=bugs.ignoring_setup_of("access denied")), CREATE_SCOPE, (Finding("scenario_outcome"),)),
    Variant("existing-member-404", STATE, "every member is reported missing (404)",
            handler(START_MONITORING, bugs.MembersAlwaysMissing), START_MONITORING, (Finding("scenario_outcome"),)),
    Variant("disabled-member-409", STATE, "an ACCEPTED_BUT_DISABLED member gets 409",
            handler(START_MONITORING, bugs.DisabledMembersConflict), START_MONITORING,
            (Finding("scenario_outcome"),)),
    Variant("invited-member-enabled", STATE, "an INVITED member is enabled (200)",
            handler(START_MONITORING, bugs.InvitedMembersEnabled), START_MONITORING, (Finding("scenario_outcome"),)),
    Variant("unknown-graph-400", STATE, "a graph that does not exist gets 400 ValidationException",
            handler(START_MONITORING, bugs.UnknownGraphInvalid), START_MONITORING,
            (Finding("scenario_outcome"), Finding("valid_accepted"))),
    Variant("unknown-member-enrolled", STATE, "an account not in an existing graph is enrolled (200, not 404)",
            handler(START_MONITORING, bugs.MembersEnrolledOnDemand), START_MONITORING,
            (Finding("scenario_outcome"),),
            witness=Witness(404, 200, enrolled_elsewhere)),
    Variant("access-denied-everywhere", STATE, "`access denied` for one operation denies every operation",
            bugs.access_denied_everywhere, None, (Finding("stateless_status"),),
            witness=Witness(404, 403, denied_elsewhere)),
    Variant("scope-quota-everywhere", STATE, "`scope quota reached` is one flag for the service: StartMonitoringMember "
            "gets 402 too", state_leaks_into("scope quota reached", START_MONITORING, status=402,
                                             error="ServiceQuotaExceededException"), None,
            (Finding("stateless_status"),), witness=Witness(404, 402, quota_then_member)),
    Variant("member-limit-everywhere", STATE, "`graph member limit reached` is one quota flag: CreateScope gets 402",
            state_leaks_into("graph member limit reached", CREATE_SCOPE, status=402,
                             error="ServiceQuotaExceededException"), None,
            (Finding("stateless_status"),), witness=Witness(200, 402, member_limit_then_scope)),
    Variant("teardown-undoes-all-of-its-state", STATE, "a teardown undoes every setup of its state, not only its own",
            wrapped(before=bugs.teardowns_without_params), START_MONITORING, (Finding("scenario_outcome"),),
            witness=Witness(200, 404, other_member_torn_down)),
    Variant("teardown-does-nothing", STATE, "provider-state teardowns are accepted but undo nothing",
            wrapped(before=bugs.ignoring_teardowns), CREATE_SCOPE, (Finding("scenario_outcome"),)),
    # ------------------------------------------------------------ idempotency
    Variant("replay-makes-new-scope", IDEMPOTENCY, "the same token and body make a new scope (new scopeId)",
            handler(CREATE_SCOPE, bugs.ReplayMakesNewScope), CREATE_SCOPE, (Finding("idempotency"),)),
    Variant("conflict-on-targets-only", IDEMPOTENCY, "the same token and targets, other tags: replayed (200, not 409)",
            handler(CREATE_SCOPE, bugs.ConflictOnTargetsOnly), CREATE_SCOPE, (Finding("scenario_outcome"),),
            witness=Witness(409, 200, conflicting_tags)),
    Variant("idempotency-by-raw-bytes", IDEMPOTENCY, "a retry is compared byte for byte: reordered members get 409",
            bugs.idempotency_by_raw_bytes, CREATE_SCOPE, (Finding("scenario_outcome"),),
            witness=Witness(200, 409, retried_reserialised)),
    Variant("quota-only-with-token", IDEMPOTENCY, "while the quota is reached, a request without a token makes a scope",
            bugs.quota_only_with_token, CREATE_SCOPE, (Finding("scenario_outcome"),),
            witness=Witness(402, 200, tokenless_at_quota)),
    Variant("token-conflict-ignored", IDEMPOTENCY, "the same token with another body makes a new scope (200)",
            handler(CREATE_SCOPE, bugs.ConflictIgnored), CREATE_SCOPE, (Finding("scenario_outcome"),)),
    Variant("quota-before-idempotency", IDEMPOTENCY, "while the quota is reached, a retry of a made scope gets 402",
            handler(CREATE_SCOPE, bugs.QuotaBeforeIdempotency), CREATE_SCOPE, (Finding("scenario_outcome"),),
            witness=Witness(200, 402, retried_at_quota)),
    # ------------------------------------------------------------ broken transport
    Variant("hangs-on-large-tag-maps", BROKEN, "200 tags or more: no answer at all",
            wrapped(before=bugs.hanging_on_large_tag_maps), CREATE_SCOPE, (Finding("target_answers"),),
            timeout=0.5),
    Variant("floods-array-bodies", BROKEN, "a JSON array body gets a 50 MB answer",
            wrapped(after=bugs.flooding_array_bodies), START_MONITORING, (Finding("target_answers"),)),
    Variant("conflicts-cut-short", BROKEN, "409 answers are cut short (Content-Length larger than the body)",
            on_answers(errors_named("ConflictException"), CutShort), START_MONITORING,
            (Finding("target_answers"),)),
    # ------------------------------------------------------------ controls
    Variant("passthrough", CONTROL, "the middleware with no fault (the plumbing itself)", wrapped()),
    Variant("error-type-in-body-with-namespace", CONTROL, "error names only in `__type`, with a namespace prefix",
            on_answers(any_error, named_in_body("__type", "aws.protocoltests.restjson#{name}")), CREATE_SCOPE),
    Variant("error-code-in-body", CONTROL, "error names only in the body's `code`",
            on_answers(any_error, named_in_body("code", "{name}")), START_MONITORING),
    Variant("error-type-with-suffix", CONTROL, "x-amzn-ErrorType with a `:`-suffix",
            on_answers(any_error, suffixed(":http://internal.amazon.com/")), START_MONITORING),
    Variant("media-type-400", CONTROL, "another Content-Type gets 400 SerializationException, not 415",
            on_answers(errors_named("UnsupportedMediaTypeException"), as_serialization_error), START_MONITORING),
    Variant("media-type-read-as-json", CONTROL, "another Content-Type is read as JSON anyway",
            bugs.other_media_types_read_as_json, CREATE_SCOPE),
    Variant("malformed-as-validation", CONTROL, "malformed JSON named ValidationException, not SerializationException",
            on_answers(errors_named("SerializationException"), renamed("ValidationException")), START_MONITORING),
    Variant("unknown-members-rejected", CONTROL, "members the contract does not name are rejected with 400",
            with_contract(CREATE_SCOPE, closed(f"{CS}/CreateScopeRequest", f"{CS}/TargetResource")), CREATE_SCOPE),
    Variant("null-members-refused", CONTROL, "a JSON null for a member is refused with 400, not read as absent",
            wrapped(before=bugs.refusing_null_members), CREATE_SCOPE),
    Variant("enabled-member-409", CONTROL, "enabling an ENABLED member again gets 409",
            handler(START_MONITORING, bugs.EnabledMembersConflict), START_MONITORING),
    Variant("json-charset", CONTROL, "every JSON body declared application/json; charset=UTF-8",
            on_answers(json_answers, labelled("application/json; charset=UTF-8")), CREATE_SCOPE),
    Variant("errors-as-amz-json", CONTROL, "JSON error bodies declared application/x-amz-json-1.1",
            on_answers(any_error, labelled("application/x-amz-json-1.1")), START_MONITORING),
)  # fmt: skip

CAUGHT = tuple(v for v in VARIANTS if v.caught_by)
CONTROLS = tuple(v for v in VARIANTS if v.is_control)
