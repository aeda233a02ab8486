"""Traceability: every constraint the documentation states is a rule of the contract.

Each entry of :data:`CONSTRAINTS` quotes a sentence of an API reference page (or of
SPEC.md where the page leaves the constraint open), names the contract rule that carries
it, and lists bodies on both sides of its boundary.  The tests prove that

* the sentence is in the documentation, word for word;
* the contract has the rule, and the rule quotes the sentence;
* the request validator accepts the bodies inside the boundary and rejects those outside,
  naming exactly the rules each one breaks (so every rejection traces to a sentence);
* every rule of every request schema is traced here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.contract import Contract, load_contracts
from harness.rules import Rule

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"  # the seeds and SPEC.md live beside the repository

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
CREATE_SCOPE_PAGE = "seeds/networkflowmonitor-CreateScope.txt"
START_MONITORING_PAGE = "seeds/detective-StartMonitoringMember.txt"
SPEC = "SPEC.md"

ACCOUNT = "444455556666"
TOKEN = "0123abcd-4567-89ef-0123-456789abcdef"
GRAPH_ID = "027c7c4610ea4aacaf0b883093cab899"
ACCOUNT_ID_SENTENCE = "`accountId`: a string of exactly 12 ASCII digits."
# Rules that break together: outside the length, a pattern of fixed length cannot match.
ACCOUNT_ID_LENGTH_AND_PATTERN = ("accountId.length", "accountId.pattern")
TOKEN_LENGTH_AND_PATTERN = ("clientToken.length", "clientToken.pattern")
ABSENT: Any = object()  # a member value meaning "leave the member out"


# --------------------------------------------------------------------------- bodies


def _members(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = {**defaults, **overrides}
    return {name: value for name, value in merged.items() if value is not ABSENT}


def target_id(**overrides: Any) -> dict[str, Any]:
    return _members({"accountId": ACCOUNT}, overrides)


def target_identifier(**overrides: Any) -> dict[str, Any]:
    return _members({"targetId": target_id(), "targetType": "ACCOUNT"}, overrides)


def target(**overrides: Any) -> dict[str, Any]:
    return _members({"region": "us-east-1", "targetIdentifier": target_identifier()}, overrides)


def scope(**overrides: Any) -> dict[str, Any]:
    """A CreateScope body: one valid target unless told otherwise."""
    return _members({"targets": [target()]}, overrides)


def scope_with_account(account: Any) -> dict[str, Any]:
    return scope_with_target_id({"accountId": account})


def scope_with_target_id(value: Any) -> dict[str, Any]:
    return scope(targets=[target(targetIdentifier=target_identifier(targetId=value))])


def scope_with_target_type(value: Any) -> dict[str, Any]:
    return scope(targets=[target(targetIdentifier=target_identifier(targetType=value))])


def tags(count: int, *, key: str = "key", value: str = "value") -> dict[str, str]:
    return {f"{key}{i}" if count > 1 else key: value for i in range(count)}


def graph_arn(
    *,
    partition: str = "aws",
    region: str = "us-east-1",
    account: str = "111122223333",
    graph: str = GRAPH_ID,
) -> str:
    return f"arn:{partition}:detective:{region}:{account}:graph:{graph}"


def member(**overrides: Any) -> dict[str, Any]:
    """A StartMonitoringMember body, the page's own example unless told otherwise."""
    return _members({"AccountId": ACCOUNT, "GraphArn": graph_arn()}, overrides)


def arn(**parts: str) -> dict[str, Any]:
    """A StartMonitoringMember body whose GraphArn has these parts."""
    return member(GraphArn=graph_arn(**parts))


# --------------------------------------------------------------------------- the constraints


@dataclass(frozen=True)
class Example:
    """A body on one side of a boundary, and the rules it breaks (none: it is valid)."""

    name: str
    body: Any
    breaks: frozenset[str]


def valid(name: str, body: Any) -> Example:
    return Example(name, body, frozenset())


def breaks(name: str, body: Any, *rules: str) -> Example:
    return Example(name, body, frozenset(rules))


@dataclass(frozen=True)
class Constraint:
    operation: str
    rule: str  # the id of the contract rule that enforces it
    source: str  # the document stating it, relative to shared/
    sentence: str  # quoted from that document (line breaks and list bullets aside)
    examples: tuple[Example, ...]


def constraint(operation: str, rule: str, source: str, sentence: str, *examples: Example) -> Constraint:
    return Constraint(operation, rule, source, sentence, examples)


CONSTRAINTS = (
    # ---- CreateScope, the body
    constraint(
        CREATE_SCOPE, "body.type", CREATE_SCOPE_PAGE,
        "The request accepts the following data in JSON format.",
        valid("an object", scope()),
        breaks("an array", [scope()], "body.type"),
        breaks("a string", "targets", "body.type"),
    ),
    constraint(
        CREATE_SCOPE, "targets.required", CREATE_SCOPE_PAGE, "Required: Yes",
        breaks("targets missing", scope(targets=ABSENT, clientToken=TOKEN), "targets.required"),
        breaks("empty object", {}, "targets.required"),
    ),
    # ---- targets
    constraint(
        CREATE_SCOPE, "targets.type", CREATE_SCOPE_PAGE, "Type: Array of TargetResource objects",
        breaks("an object", scope(targets=target()), "targets.type"),
    ),
    constraint(
        CREATE_SCOPE, "targets.items", CREATE_SCOPE_PAGE,
        "Array Members: Minimum number of 1 item. Maximum number of 100 items.",
        breaks("0 targets", scope(targets=[]), "targets.items"),
        valid("1 target", scope(targets=[target()])),
        valid("100 targets", scope(targets=[target()] * 100)),
        breaks("101 targets", scope(targets=[target()] * 101), "targets.items"),
    ),
    constraint(
        CREATE_SCOPE, "targetResource.type", CREATE_SCOPE_PAGE,
        "Target resources, which are Region-targetIdentifier pairs.",
        breaks("a string", scope(targets=["us-east-1"]), "targetResource.type"),
    ),
    constraint(
        CREATE_SCOPE, "targetResource.required", SPEC,
        "Each item is an object with `region` (required)",
        breaks("region missing", scope(targets=[target(region=ABSENT)]), "targetResource.required"),
        breaks(
            "targetIdentifier missing",
            scope(targets=[target(targetIdentifier=ABSENT)]),
            "targetResource.required",
        ),
    ),
    constraint(
        CREATE_SCOPE, "region.type", SPEC, "`region` (required): string.",
        valid("a string", scope(targets=[target(region="eu-west-3")])),
        breaks("a number", scope(targets=[target(region=1)]), "region.type"),
    ),
    # ---- targetIdentifier
    constraint(
        CREATE_SCOPE, "targetIdentifier.type", CREATE_SCOPE_PAGE,
        "Target identifiers, made up of a targetID (currently always an account ID) and a "
        "targetType (currently always an account).",
        breaks("a string", scope(targets=[target(targetIdentifier="x")]), "targetIdentifier.type"),
    ),
    constraint(
        CREATE_SCOPE, "targetIdentifier.required", SPEC,
        "`targetIdentifier` (required): object with `targetId` (required)",
        breaks(
            "targetId missing",
            scope(targets=[target(targetIdentifier=target_identifier(targetId=ABSENT))]),
            "targetIdentifier.required",
        ),
        breaks(
            "targetType missing",
            scope(targets=[target(targetIdentifier=target_identifier(targetType=ABSENT))]),
            "targetIdentifier.required",
        ),
    ),
    constraint(
        CREATE_SCOPE, "targetType.type", SPEC, "`targetType` (required): the string `ACCOUNT`.",
        breaks("a number", scope_with_target_type(1), "targetType.type", "targetType.enum"),
    ),
    constraint(
        CREATE_SCOPE, "targetType.enum", CREATE_SCOPE_PAGE,
        "a targetType (currently always an account)",
        valid("ACCOUNT", scope_with_target_type("ACCOUNT")),
        breaks("lower-case account", scope_with_target_type("account"), "targetType.enum"),
        breaks("another type", scope_with_target_type("REGION"), "targetType.enum"),
    ),
    # ---- the targetId union
    constraint(
        CREATE_SCOPE, "targetId.type", SPEC,
        "`targetId` (required): a union object with exactly one member, `accountId`",
        breaks("the account id itself", scope_with_target_id(ACCOUNT), "targetId.type"),
    ),
    constraint(
        CREATE_SCOPE, "targetId.union", SPEC,
        "The `targetId` union is the exception: "
        "any member besides `accountId`, or none, is invalid.",
        valid("accountId alone", scope_with_target_id({"accountId": ACCOUNT})),
        breaks("zero members", scope_with_target_id({}), "targetId.union"),
        breaks(
            "accountId and another member",
            scope_with_target_id({"accountId": ACCOUNT, "regionId": "us-east-1"}),
            "targetId.union",
        ),
        breaks("only another member", scope_with_target_id({"regionId": "x"}), "targetId.union"),
    ),
    # ---- accountId: SPEC section 2 fixes it, the page shows only "targetId": { ... }
    constraint(
        CREATE_SCOPE, "accountId.type", SPEC, ACCOUNT_ID_SENTENCE,
        breaks("a number", scope_with_account(444455556666), "accountId.type"),
    ),
    constraint(
        CREATE_SCOPE, "accountId.length", SPEC, ACCOUNT_ID_SENTENCE,
        breaks("11 digits", scope_with_account("44445555666"), *ACCOUNT_ID_LENGTH_AND_PATTERN),
        valid("12 digits", scope_with_account(ACCOUNT)),
        breaks("13 digits", scope_with_account("4444555566667"), *ACCOUNT_ID_LENGTH_AND_PATTERN),
    ),
    constraint(
        CREATE_SCOPE, "accountId.pattern", SPEC, ACCOUNT_ID_SENTENCE,
        breaks("a letter among 12", scope_with_account("44445555666a"), "accountId.pattern"),
        breaks("dashes", scope_with_account("4444-5555-66"), "accountId.pattern"),
    ),
    # ---- clientToken
    constraint(
        CREATE_SCOPE, "clientToken.type", CREATE_SCOPE_PAGE, "Type: String",
        breaks("a number", scope(clientToken=36), "clientToken.type"),
    ),
    constraint(
        CREATE_SCOPE, "clientToken.length", CREATE_SCOPE_PAGE,
        "Length Constraints: Fixed length of 36.",
        breaks("35 characters", scope(clientToken=TOKEN[:-1]), *TOKEN_LENGTH_AND_PATTERN),
        valid("36 characters", scope(clientToken=TOKEN)),
        # The page's pattern is unanchored: 37 characters still contain a match.
        breaks("37 characters", scope(clientToken=TOKEN + "0"), "clientToken.length"),
    ),
    constraint(
        CREATE_SCOPE, "clientToken.pattern", CREATE_SCOPE_PAGE,
        "Pattern: [a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
        breaks("upper-case hex", scope(clientToken=TOKEN.upper()), "clientToken.pattern"),
        breaks("a non-hex letter", scope(clientToken="g" + TOKEN[1:]), "clientToken.pattern"),
        breaks("no dashes", scope(clientToken="0" * 36), "clientToken.pattern"),
    ),
    # ---- tags
    constraint(
        CREATE_SCOPE, "tags.type", CREATE_SCOPE_PAGE, "Type: String to string map",
        breaks("an array", scope(tags=[["key", "value"]]), "tags.type"),
    ),
    constraint(
        CREATE_SCOPE, "tags.value.type", CREATE_SCOPE_PAGE, "Type: String to string map",
        breaks("a number value", scope(tags={"key": 1}), "tags.value.type"),
    ),
    constraint(
        CREATE_SCOPE, "tags.entries", CREATE_SCOPE_PAGE,
        "Map Entries: Minimum number of 0 items. Maximum number of 200 items.",
        valid("0 tags", scope(tags={})),
        valid("200 tags", scope(tags=tags(200))),
        breaks("201 tags", scope(tags=tags(201)), "tags.entries"),
    ),
    constraint(
        CREATE_SCOPE, "tags.key.length", CREATE_SCOPE_PAGE,
        "Key Length Constraints: Minimum length of 1. Maximum length of 128.",
        breaks("0-character key", scope(tags={"": "value"}), "tags.key.length"),
        valid("1-character key", scope(tags={"k": "value"})),
        valid("128-character key", scope(tags={"k" * 128: "value"})),
        breaks("129-character key", scope(tags={"k" * 129: "value"}), "tags.key.length"),
    ),
    constraint(
        CREATE_SCOPE, "tags.value.length", CREATE_SCOPE_PAGE,
        "Value Length Constraints: Minimum length of 0. Maximum length of 256.",
        valid("0-character value", scope(tags={"key": ""})),
        valid("256-character value", scope(tags={"key": "v" * 256})),
        breaks("257-character value", scope(tags={"key": "v" * 257}), "tags.value.length"),
    ),
    # ---- StartMonitoringMember
    constraint(
        START_MONITORING, "body.type", START_MONITORING_PAGE,
        "The request accepts the following data in JSON format.",
        valid("the page's example", member()),
        breaks("an array", [member()], "body.type"),
    ),
    constraint(
        START_MONITORING, "required", START_MONITORING_PAGE, "Required: Yes",
        breaks("AccountId missing", member(AccountId=ABSENT), "required"),
        breaks("GraphArn missing", member(GraphArn=ABSENT), "required"),
        breaks("both missing", {}, "required"),
    ),
    constraint(
        START_MONITORING, "AccountId.type", START_MONITORING_PAGE, "Type: String",
        breaks("a number", member(AccountId=444455556666), "AccountId.type"),
    ),
    constraint(
        START_MONITORING, "AccountId.length", START_MONITORING_PAGE,
        "Length Constraints: Fixed length of 12.",
        breaks("11 digits", member(AccountId="44445555666"), "AccountId.length"),
        valid("12 digits", member(AccountId=ACCOUNT)),
        breaks("13 digits", member(AccountId="4444555566667"), "AccountId.length"),
    ),
    constraint(
        START_MONITORING, "AccountId.pattern", START_MONITORING_PAGE, "Pattern: ^[0-9]+$",
        breaks("a letter among 12", member(AccountId="44445555666a"), "AccountId.pattern"),
        breaks("a space among 12", member(AccountId="444455 55666"), "AccountId.pattern"),
    ),
    constraint(
        START_MONITORING, "GraphArn.type", START_MONITORING_PAGE, "Type: String",
        breaks("an object", member(GraphArn={"arn": graph_arn()}), "GraphArn.type"),
    ),
    constraint(
        START_MONITORING, "GraphArn.pattern", START_MONITORING_PAGE,
        r"Pattern: ^arn:aws[-\w]{0,10}?:detective:[-\w]{2,20}?:\d{12}?:graph:[abcdef\d]{32}?$",
        # partition: "aws" and up to 10 more of [-\w]
        valid("partition aws", arn(partition="aws")),
        valid("partition aws-us-gov", arn(partition="aws-us-gov")),
        valid("partition suffix of 10", arn(partition="aws-abcd_f9hi")),
        breaks("partition suffix of 11", arn(partition="aws-abcd_f9hij"), "GraphArn.pattern"),
        breaks("partition not aws", arn(partition="azure"), "GraphArn.pattern"),
        # region: 2 to 20 of [-\w]
        breaks("region of 1", arn(region="u"), "GraphArn.pattern"),
        valid("region of 2", arn(region="us")),
        valid("region of 20", arn(region="us-northeast-1234567")),
        breaks("region of 21", arn(region="us-northeast-12345678"), "GraphArn.pattern"),
        breaks("region with a dot", arn(region="us.east-1"), "GraphArn.pattern"),
        # account: 12 digits
        breaks("account of 11 digits", arn(account="11112222333"), "GraphArn.pattern"),
        valid("account of 12 digits", arn(account="111122223333")),
        breaks("account of 13 digits", arn(account="1111222233334"), "GraphArn.pattern"),
        # graph id: 32 of [abcdef\d]
        valid("graph id of 32 hex", arn(graph=GRAPH_ID)),
        breaks("graph id of 31 hex", arn(graph=GRAPH_ID[:-1]), "GraphArn.pattern"),
        breaks("graph id of 33 hex", arn(graph=GRAPH_ID + "0"), "GraphArn.pattern"),
        breaks("graph id upper-case", arn(graph=GRAPH_ID.upper()), "GraphArn.pattern"),
        breaks("graph id with g", arn(graph="g" + GRAPH_ID[1:]), "GraphArn.pattern"),
        # anchored at both ends
        breaks("text before", member(GraphArn="x" + graph_arn()), "GraphArn.pattern"),
        breaks("text after", member(GraphArn=graph_arn() + ":x"), "GraphArn.pattern"),
    ),
)  # fmt: skip


EXAMPLES = [
    pytest.param(c, example, id=f"{c.operation}/{c.rule}: {example.name}")
    for c in CONSTRAINTS
    for example in c.examples
]


# --------------------------------------------------------------------------- helpers


def normalise(text: str) -> str:
    """Text with line breaks, list bullets and runs of blanks reduced to single spaces."""
    lines = (re.sub(r"^\s*(?:[-•]\s+|-$)", "", line) for line in text.splitlines())
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"the API reference pages are not beside the repository ({SHARED / 'seeds'} does not exist)")
    return {
        source: normalise((SHARED / source).read_text(encoding="utf-8"))
        for source in {CREATE_SCOPE_PAGE, START_MONITORING_PAGE, SPEC}
    }


@pytest.fixture(scope="module")
def contracts() -> dict[str, Contract]:
    return load_contracts()


def rule_named(contract: Contract, rule_id: str) -> Rule:
    found = [r for r in contract.request_rules if r.id == rule_id]
    assert found, f"{contract.id} has no request rule {rule_id!r}"
    assert len(found) == 1, f"{contract.id} has {len(found)} request rules named {rule_id!r}"
    return found[0]


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("c", CONSTRAINTS, ids=lambda c: f"{c.operation}/{c.rule}")
def test_the_sentence_is_in_the_documentation(c: Constraint, documents: dict[str, str]) -> None:
    assert normalise(c.sentence) in documents[c.source]


@pytest.mark.parametrize("c", CONSTRAINTS, ids=lambda c: f"{c.operation}/{c.rule}")
def test_the_contract_has_the_rule_and_it_quotes_the_sentence(c: Constraint, contracts: dict[str, Contract]) -> None:
    rule = rule_named(contracts[c.operation], c.rule)
    assert normalise(c.sentence) in normalise(rule.doc)
    assert rule.source == ("spec" if c.source == SPEC else "seed")
    assert rule.keywords, "a rule names the schema keywords that enforce it"
    for keyword in rule.keywords:
        assert keyword in rule.schema, f"{rule.pointer} names {keyword!r}, absent from its schema"


@pytest.mark.parametrize(("c", "example"), EXAMPLES)
def test_the_rule_is_enforced_on_both_sides_of_its_boundary(
    c: Constraint, example: Example, contracts: dict[str, Contract]
) -> None:
    validator = contracts[c.operation].request_validator
    violations = validator.violations(example.body)
    broken = {v.rule.id for v in violations if v.rule is not None}
    assert all(v.rule is not None for v in violations), [v.describe() for v in violations]
    assert broken == example.breaks, [v.describe() for v in violations]
    assert validator.is_valid(example.body) == (not example.breaks)


@pytest.mark.parametrize("operation", [CREATE_SCOPE, START_MONITORING])
def test_every_request_rule_is_traced_to_a_sentence_and_broken_by_an_example(
    operation: str, contracts: dict[str, Contract]
) -> None:
    rules = {r.id for r in contracts[operation].request_rules}
    traced = {c.rule for c in CONSTRAINTS if c.operation == operation}
    examples = [e for c in CONSTRAINTS if c.operation == operation for e in c.examples]
    broken = {rule for e in examples for rule in e.breaks}
    assert rules == traced
    assert rules == broken


@pytest.mark.parametrize("operation", [CREATE_SCOPE, START_MONITORING])
def test_every_rule_doc_quotes_its_source(
    operation: str, contracts: dict[str, Contract], documents: dict[str, str]
) -> None:
    """A rule's doc is the documentation's words; ``...`` may join separate quotes."""
    contract = contracts[operation]
    page = next(s for s in contract.document["x-harness"]["sources"] if s.startswith("seeds/"))
    for rule in (*contract.request_rules, *contract.response_rules):
        document = documents[SPEC if rule.source == "spec" else page]
        for quote in normalise(rule.doc).split("..."):
            quote = quote.strip()
            assert quote in document, f"{rule.pointer}: {quote!r} is not quoted verbatim"
