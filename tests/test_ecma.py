"""ECMA-262 semantics of ``pattern`` (SPEC section 2), and why Python's ``re`` will not do.

JSON Schema says a ``pattern`` is an ECMA-262 regular expression: ``\\d`` is ``[0-9]``,
``\\w`` is ``[A-Za-z0-9_]``, ``$`` matches only at the very end.  Python's ``re`` (and so
``jsonschema``'s default ``Draft202012Validator``) reads ``\\d`` and ``\\w`` as Unicode
classes and lets ``$`` match before a trailing newline.  Each case below is a value the
documentation forbids: the harness rejects it and names the pattern's rule, while ``re``
and the default validator accept it.  Lengths count code points, so an astral character
(one code point, two UTF-16 units) counts once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness import ecma
from harness.contract import Contract, load_contracts

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
GRAPH_ID = "027c7c4610ea4aacaf0b883093cab899"

ARABIC_INDIC = "".join(chr(0x0660 + d) for d in (4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6))  # U+0664 U+0664 ...
FULL_WIDTH = "".join(chr(0xFF10 + d) for d in (4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6))  # U+FF14 U+FF14 ...
GRINNING = "\U0001f600"  # 😀: one code point, two UTF-16 code units


def graph_arn(*, partition: str = "aws", region: str = "us-east-1", account: str = "111122223333") -> str:
    return f"arn:{partition}:detective:{region}:{account}:graph:{GRAPH_ID}"


def member(*, account: str = "444455556666", arn: str | None = None) -> dict[str, Any]:
    return {"AccountId": account, "GraphArn": arn if arn is not None else graph_arn()}


def scope(*, account: str = "444455556666", tags: Mapping[str, str] | None = None) -> dict[str, Any]:
    target = {
        "region": "us-east-1",
        "targetIdentifier": {"targetId": {"accountId": account}, "targetType": "ACCOUNT"},
    }
    body: dict[str, Any] = {"targets": [target]}
    if tags is not None:
        body["tags"] = dict(tags)
    return body


@dataclass(frozen=True)
class Difference:
    """A value ECMA-262 rejects where Python's ``re`` may not."""

    name: str
    operation: str
    rule: str  # the pattern rule that must reject it
    value: str  # the string the pattern is applied to
    body: dict[str, Any]
    python_accepts: bool  # does re.search (and so jsonschema's default pattern) accept it?
    only_the_pattern_breaks: bool  # is the pattern the body's only broken rule?


DIFFERENCES = [
    Difference(
        "AccountId: 11 digits and a trailing newline",
        START_MONITORING, "AccountId.pattern", "44445555666\n",
        member(account="44445555666\n"), python_accepts=True, only_the_pattern_breaks=True,
    ),
    Difference(
        "AccountId: 12 digits and a trailing newline",
        START_MONITORING, "AccountId.pattern", "444455556666\n",
        member(account="444455556666\n"), python_accepts=True, only_the_pattern_breaks=False,
    ),
    Difference(
        "accountId: 12 digits and a trailing newline",
        CREATE_SCOPE, "accountId.pattern", "444455556666\n",
        scope(account="444455556666\n"), python_accepts=True, only_the_pattern_breaks=False,
    ),
    Difference(
        "AccountId: Arabic-Indic digits",
        START_MONITORING, "AccountId.pattern", ARABIC_INDIC,
        member(account=ARABIC_INDIC), python_accepts=False, only_the_pattern_breaks=True,
    ),
    Difference(
        "accountId: Arabic-Indic digits",
        CREATE_SCOPE, "accountId.pattern", ARABIC_INDIC,
        scope(account=ARABIC_INDIC), python_accepts=False, only_the_pattern_breaks=True,
    ),
    Difference(
        "AccountId: full-width digits",
        START_MONITORING, "AccountId.pattern", FULL_WIDTH,
        member(account=FULL_WIDTH), python_accepts=False, only_the_pattern_breaks=True,
    ),
    Difference(
        "accountId: full-width digits",
        CREATE_SCOPE, "accountId.pattern", FULL_WIDTH,
        scope(account=FULL_WIDTH), python_accepts=False, only_the_pattern_breaks=True,
    ),
    Difference(
        "GraphArn: Arabic-Indic digits in the account (\\d)",
        START_MONITORING, "GraphArn.pattern", graph_arn(account=ARABIC_INDIC),
        member(arn=graph_arn(account=ARABIC_INDIC)), python_accepts=True, only_the_pattern_breaks=True,
    ),
    Difference(
        "GraphArn: full-width digits in the account (\\d)",
        START_MONITORING, "GraphArn.pattern", graph_arn(account=FULL_WIDTH),
        member(arn=graph_arn(account=FULL_WIDTH)), python_accepts=True, only_the_pattern_breaks=True,
    ),
    Difference(
        "GraphArn: non-ASCII letter in the region (\\w)",
        START_MONITORING, "GraphArn.pattern", graph_arn(region="eu-w\u00e9st-1"),
        member(arn=graph_arn(region="eu-w\u00e9st-1")), python_accepts=True, only_the_pattern_breaks=True,
    ),
    Difference(
        "GraphArn: non-ASCII letter in the partition (\\w)",
        START_MONITORING, "GraphArn.pattern", graph_arn(partition="aws-\u00e7n"),
        member(arn=graph_arn(partition="aws-\u00e7n")), python_accepts=True, only_the_pattern_breaks=True,
    ),
    Difference(
        "GraphArn: a trailing newline",
        START_MONITORING, "GraphArn.pattern", graph_arn() + "\n",
        member(arn=graph_arn() + "\n"), python_accepts=True, only_the_pattern_breaks=True,
    ),
]  # fmt: skip


@pytest.fixture(scope="module")
def contracts() -> dict[str, Contract]:
    return load_contracts()


def pattern_of(contract: Contract, rule_id: str) -> str:
    (rule,) = [r for r in contract.request_rules if r.id == rule_id]
    return str(rule.schema["pattern"])


def default_validator(contract: Contract) -> Any:
    """``jsonschema``'s own Draft 2020-12 validator of the request schema (``re`` patterns)."""
    resource = Resource.from_contents(contract.document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(contract.uri, resource)
    return Draft202012Validator({"$ref": f"{contract.uri}#{contract.request_pointer}"}, registry=registry)


@pytest.mark.parametrize("case", DIFFERENCES, ids=lambda c: c.name)
def test_the_harness_rejects_it_and_names_the_pattern_rule(case: Difference, contracts: dict[str, Contract]) -> None:
    contract = contracts[case.operation]
    assert not ecma.matches(pattern_of(contract, case.rule), case.value)
    broken = {v.rule.id for v in contract.request_validator.violations(case.body) if v.rule}
    assert case.rule in broken
    if case.only_the_pattern_breaks:
        assert broken == {case.rule}
    assert not contract.request_validator.is_valid(case.body)


@pytest.mark.parametrize("case", [c for c in DIFFERENCES if c.python_accepts], ids=lambda c: c.name)
def test_python_re_and_the_default_pattern_keyword_accept_it(case: Difference, contracts: dict[str, Contract]) -> None:
    pattern = pattern_of(contracts[case.operation], case.rule)
    assert re.search(pattern, case.value)
    assert Draft202012Validator({"type": "string", "pattern": pattern}).is_valid(case.value)


@pytest.mark.parametrize(
    "case",
    [c for c in DIFFERENCES if c.python_accepts and c.only_the_pattern_breaks],
    ids=lambda c: c.name,
)
def test_the_default_validator_would_let_the_whole_body_through(
    case: Difference, contracts: dict[str, Contract]
) -> None:
    assert default_validator(contracts[case.operation]).is_valid(case.body)


# --------------------------------------------------------------------------- code points


@pytest.mark.parametrize(
    ("name", "body", "broken"),
    [
        ("tag key of 128 astral characters", scope(tags={GRINNING * 128: "v"}), set()),
        ("tag key of 129 astral characters", scope(tags={GRINNING * 129: "v"}), {"tags.key.length"}),
        ("tag value of 256 astral characters", scope(tags={"k": GRINNING * 256}), set()),
        ("tag value of 257 astral characters", scope(tags={"k": GRINNING * 257}), {"tags.value.length"}),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_an_astral_character_counts_as_one(
    name: str, body: dict[str, Any], broken: set[str], contracts: dict[str, Contract]
) -> None:
    assert len(GRINNING.encode("utf-16-le")) // 2 == 2  # JavaScript's .length would say 2
    violations = contracts[CREATE_SCOPE].request_validator.violations(body)
    assert {v.rule.id for v in violations if v.rule} == broken


def test_a_pattern_reads_an_astral_character_as_one() -> None:
    assert ecma.matches("^.$", GRINNING)
    assert not ecma.matches("^..$", GRINNING)
    assert ecma.matches("^.{3}$", GRINNING * 3)
    assert ecma.matches(f"^[{GRINNING}]$", GRINNING)


# --------------------------------------------------------------------------- the ecma module


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("^.$", True), ("^[^a]$", True), (r"^\d$", False), (r"^\w$", False), (r"^\s$", False), ("^a", False)],
)
def test_a_lone_surrogate_is_one_code_point_of_no_class(pattern: str, expected: bool) -> None:
    """JSON text may escape a lone surrogate; regress (UTF-8) cannot take one, matches must not crash."""
    lone = json.loads('"\\ud800"')
    assert ecma.matches(pattern, lone) is expected
    assert ecma.matches("arn:.*", "arn:" + lone)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"^[0-9]+$", "444455556666", True),
        (r"^[0-9]+$", "44445555666\n", False),
        (r"^\d+$", ARABIC_INDIC, False),
        (r"^\w+$", "caf\u00e9", False),
        (r"^\w+$", "cafe_9", True),
        ("[a-f0-9]{8}", "xx0123abcdxx", True),  # unanchored unless it says ^ or $
        (r"\$", "a$b", True),
    ],
)
def test_matches_follows_ecma_262(pattern: str, text: str, expected: bool) -> None:
    assert ecma.matches(pattern, text) is expected


@pytest.mark.parametrize("pattern", ["(?i)abc", "(?P<name>a)", "a{,5}", "[z-a]", "("])
def test_a_pattern_that_is_not_ecma_262_is_a_pattern_error(pattern: str) -> None:
    with pytest.raises(ecma.PatternError, match="not an ECMA-262 regular expression"):
        ecma.compile_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        (r"^[0-9]+$", r"^[0-9]+\Z"),
        (r"^\d{12}$", r"^[0-9]{12}\Z"),
        (r"[-\w]{2,20}", r"[-A-Za-z0-9_]{2,20}"),
        (r"[abcdef\d]{32}", r"[abcdef0-9]{32}"),
        (r"a\$[$]", r"a\$[$]"),  # an escaped $ and a $ in a class are characters
    ],
)
def test_python_equivalent_rewrites_the_ecma_only_parts(pattern: str, python: str) -> None:
    compiled = ecma.python_equivalent(pattern)
    assert compiled.pattern == python
    assert compiled.flags & re.ASCII


@pytest.mark.parametrize("case", DIFFERENCES, ids=lambda c: c.name)
def test_python_equivalent_rejects_what_ecma_rejects(case: Difference, contracts: dict[str, Contract]) -> None:
    pattern = pattern_of(contracts[case.operation], case.rule)
    assert ecma.python_equivalent(pattern).search(case.value) is None


def _request_patterns() -> list[str]:
    patterns = set()
    for contract in load_contracts().values():
        patterns |= {str(r.schema["pattern"]) for r in contract.request_rules if "pattern" in r.keywords}
    return sorted(patterns)


@pytest.mark.parametrize("pattern", _request_patterns())
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_what_python_equivalent_generates_matches_under_ecma(pattern: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(ecma.python_equivalent(pattern)))
    assert ecma.matches(pattern, text)
