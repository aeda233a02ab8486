r"""Validation engines compared: ECMA-262 correctness first, then bodies per second.

Run:  .venv/bin/python bench/bench_validation.py [--seconds 1]

Engines: (1) the harness' ``SchemaValidator.is_valid``, (2) its ``violations`` (what
``harness validate`` and the mock call), (3) the harness without jsonschema-rs installed
(jsonschema + a regress ``pattern``), (4) jsonschema-rs with its own regex engine, (5)
jsonschema-rs with the regress ``pattern`` keyword, (6) plain jsonschema (Python ``re``).

Correctness (9 bodies of SPEC section 2's cases + 6 ECMA-262 patterns the contracts may use
one day): 1, 2, 3 and 5 get 15/15.  jsonschema-rs's own regex gets every *contract* case
right (it rejects "44445555666\n", Arabic-Indic and full-width digits, "é" under \w, and
counts an astral character once) but not ECMA-262 as such: its "." matches "\r" and
U+2028, its "\b" is Unicode-aware, and it refuses "[^]" and named back-references.
Plain jsonschema gets 4/15: Python's ``re`` lets "$" match before a final newline and reads
\d and \w as Unicode classes, and refuses "[^]", "\p{Lu}" and "(?<d>a)\k<d>".

Bodies per second (2-core machine, load average about 6 from other jobs, --seconds 1;
on an idle machine every figure was about 3 times higher: engine 3 did 117 large bodies/s,
10,400 small CreateScope and 20,000 StartMonitoringMember bodies/s; engine 5 13,400,
650,000 and 410,000):

                                                (1)      (2)     (3)        (4)      (5)     (6)
    CreateScope small, valid                108,752  113,384   3,333    528,017  233,669   3,365
    CreateScope small, invalid              158,561    2,451   3,195  1,012,613  714,450   3,461
    CreateScope 100 targets + 200 tags, ok    1,939    1,940      38     11,955    4,350      38
    CreateScope 100 targets + 200 tags, bad   2,281       40      41     20,964    5,450      37
    StartMonitoringMember, valid            150,758  147,487  11,542    752,417  234,790  10,593
    StartMonitoringMember, invalid          168,932   12,861  19,015  2,379,522  410,635  17,592

Choice: correctness rules out (6), and (4) for patterns in general; among the correct ones
(5) is 20 to 115 times faster than (3).  So the harness validates with jsonschema-rs plus
the regress ``pattern`` when jsonschema-rs is installed (engine 1: same verdicts as (3),
which ``tests/test_validator.py`` checks on chosen and generated bodies), and with
jsonschema + regress otherwise; the violations of an invalid body always come from
jsonschema + regress (2), whose errors carry the schema node that maps to a rule.  The gap
between (1) and (5) is the scan for ``null`` members (SPEC section 2: null is absent).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import regress
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness import validator as validator_module
from harness.contract import Contract, load_contracts
from harness.validator import SchemaValidator

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
ACCOUNT = "444455556666"
TOKEN = "0123abcd-4567-89ef-0123-456789abcdef"
GRAPH_ID = "027c7c4610ea4aacaf0b883093cab899"
ARABIC_INDIC = "".join(chr(0x0660 + int(d)) for d in "111122223333")
FULL_WIDTH = "".join(chr(0xFF10 + int(d)) for d in "111122223333")
GRINNING = "\U0001f600"

IsValid = Callable[[Any], bool]


# --------------------------------------------------------------------------- bodies


def target(account: str = ACCOUNT, region: str = "us-east-1") -> dict[str, Any]:
    return {"region": region, "targetIdentifier": {"targetId": {"accountId": account}, "targetType": "ACCOUNT"}}


def scope(targets: int = 1, tags: int = 0, *, account: str = ACCOUNT, tag_key: str = "key") -> dict[str, Any]:
    body: dict[str, Any] = {"targets": [target(region=f"region-{i}") for i in range(targets - 1)]}
    body["targets"].append(target(account))
    body["clientToken"] = TOKEN
    if tags:
        body["tags"] = {f"{tag_key}{i}" if tags > 1 else tag_key: f"value {i}" for i in range(tags)}
    return body


def graph_arn(*, region: str = "us-east-1", account: str = "111122223333") -> str:
    return f"arn:aws:detective:{region}:{account}:graph:{GRAPH_ID}"


def member(*, account: str = ACCOUNT, arn: str | None = None) -> dict[str, Any]:
    return {"AccountId": account, "GraphArn": arn or graph_arn()}


# name, operation, body (each timed for every engine)
TIMED: list[tuple[str, str, Any]] = [
    ("CreateScope small, valid", CREATE_SCOPE, scope()),
    ("CreateScope small, invalid", CREATE_SCOPE, scope(account="4444555566")),
    ("CreateScope 100 targets + 200 tags, valid", CREATE_SCOPE, scope(100, 200)),
    ("CreateScope 100 targets + 200 tags, invalid", CREATE_SCOPE, scope(100, 200, account="4444555566")),
    ("StartMonitoringMember, valid", START_MONITORING, member()),
    ("StartMonitoringMember, invalid", START_MONITORING, member(account="44445555666a")),
]

# name, operation, body, valid under SPEC section 2 (ECMA-262 patterns, code-point lengths)
CORRECTNESS: list[tuple[str, str, Any, bool]] = [
    ("AccountId '44445555666\\n' (trailing newline)", START_MONITORING, member(account="44445555666\n"), False),
    ("GraphArn account in Arabic-Indic digits", START_MONITORING, member(arn=graph_arn(account=ARABIC_INDIC)), False),
    ("GraphArn account in full-width digits", START_MONITORING, member(arn=graph_arn(account=FULL_WIDTH)), False),
    ("GraphArn region 'eu-wést-1' (\\w)", START_MONITORING, member(arn=graph_arn(region="eu-w\u00e9st-1")), False),
    ("GraphArn with a trailing newline", START_MONITORING, member(arn=graph_arn() + "\n"), False),
    ("accountId in Arabic-Indic digits", CREATE_SCOPE, scope(account=ARABIC_INDIC), False),
    ("tag key of 128 astral characters", CREATE_SCOPE, scope(tags=1, tag_key=GRINNING * 128), True),
    ("tag key of 129 astral characters", CREATE_SCOPE, scope(tags=1, tag_key=GRINNING * 129), False),
    ("the page's own example", START_MONITORING, member(), True),
]

# ECMA-262 patterns the contracts do not use (yet), each with a string and whether it matches.
PATTERNS: list[tuple[str, str, bool]] = [
    ("^.$", "\r", False),  # '.' excludes line terminators
    ("^.$", "\u2028", False),
    ("\\b\u00e9", "\u00e9", False),  # \b is ASCII-word based
    ("^[^]$", "x", True),  # '[^]' is any character
    ("^\\p{Lu}$", "\u00c9", True),  # Unicode property escapes (u mode)
    ("^(?<d>a)\\k<d>$", "aa", True),  # named groups and back-references
]


# --------------------------------------------------------------------------- engines


class RegressPattern:
    """A ``pattern`` keyword for jsonschema-rs backed by regress (ECMA-262)."""

    def __init__(self, parent_schema: Mapping[str, Any], value: str, schema_path: Any) -> None:
        self._regex = regress.Regex(value, "u")

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and self._regex.find(instance) is None:
            raise ValueError(f"{instance!r} does not match")


def harness_engine(contract: Contract) -> IsValid:
    return contract.request_validator.is_valid


def harness_violations(contract: Contract) -> IsValid:
    validator = contract.request_validator
    return lambda body: not validator.violations(body)


def harness_without_fast_path(contract: Contract) -> IsValid:
    """The harness' validator as it is without jsonschema-rs installed: jsonschema + regress."""
    saved = validator_module._JSONSCHEMA_RS  # the module's own switch for its optional accelerator
    validator_module._JSONSCHEMA_RS = None
    try:
        validator = SchemaValidator(
            document=contract.document,
            uri=contract.uri,
            pointer=contract.request_pointer,
            rules=list(contract.request_rules),
        )
    finally:
        validator_module._JSONSCHEMA_RS = saved
    return validator.is_valid


def jsonschema_rs_engine(contract: Contract, *, regress_pattern: bool = False) -> IsValid:
    registry = jsonschema_rs.Registry([(contract.uri, dict(contract.document))])
    keywords: dict[str, Any] | None = {"pattern": RegressPattern} if regress_pattern else None
    validator = jsonschema_rs.Draft202012Validator(
        {"$ref": f"{contract.uri}#{contract.request_pointer}"}, registry=registry, keywords=keywords
    )
    return lambda body: bool(validator.is_valid(body))


def jsonschema_re_engine(contract: Contract) -> IsValid:
    resource = Resource.from_contents(contract.document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(contract.uri, resource)
    validator = Draft202012Validator({"$ref": f"{contract.uri}#{contract.request_pointer}"}, registry=registry)
    return lambda body: bool(validator.is_valid(body))


@dataclass(frozen=True)
class Engine:
    name: str
    build: Callable[[Contract], IsValid]
    pattern_matches: Callable[[str, str], bool]


def _rs_pattern(keywords: Any) -> Callable[[str, str], bool]:
    def matches(pattern: str, text: str) -> bool:
        schema = {"type": "string", "pattern": pattern}
        return bool(jsonschema_rs.Draft202012Validator(schema, keywords=keywords).is_valid(text))

    return matches


def _ecma(pattern: str, text: str) -> bool:
    return regress.Regex(pattern, "u").find(text) is not None


ENGINES = [
    Engine("harness is_valid (jsonschema-rs + regress, else jsonschema + regress)", harness_engine, _ecma),
    Engine("harness violations (fast path when valid, jsonschema + regress if not)", harness_violations, _ecma),
    Engine("harness without jsonschema-rs: jsonschema + regress", harness_without_fast_path, _ecma),
    Engine("jsonschema-rs (its own regex)", jsonschema_rs_engine, _rs_pattern(None)),
    Engine(
        "jsonschema-rs + regress pattern",
        lambda c: jsonschema_rs_engine(c, regress_pattern=True),
        _rs_pattern({"pattern": RegressPattern}),
    ),
    Engine(
        "jsonschema (Python re)",
        jsonschema_re_engine,
        lambda p, t: bool(Draft202012Validator({"pattern": p}).is_valid(t)),
    ),
]


# --------------------------------------------------------------------------- measuring


def rate(is_valid: IsValid, body: Any, seconds: float) -> float:
    """Bodies per second, over at least ``seconds``."""
    is_valid(body)  # warm caches
    count, start = 0, time.perf_counter()
    batch = 1
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(batch):
            is_valid(body)
        count += batch
        batch = min(batch * 2, 1000)
    return count / elapsed


def correctness(engine: Engine, contracts: Mapping[str, Contract]) -> tuple[int, list[str]]:
    wrong: list[str] = []
    validators = {op: engine.build(c) for op, c in contracts.items()}
    for name, operation, body, expected in CORRECTNESS:
        if validators[operation](body) is not expected:
            wrong.append(name)
    for pattern, text, expected in PATTERNS:
        try:
            got = engine.pattern_matches(pattern, text)
        except Exception:  # the engine refuses a valid ECMA-262 pattern
            got = None
        if got is not expected:
            wrong.append(f"pattern {json.dumps(pattern)} on {json.dumps(text)}: {'refused' if got is None else got}")
    return len(CORRECTNESS) + len(PATTERNS) - len(wrong), wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement (default 0.5)")
    args = parser.parse_args(argv)
    contracts = load_contracts()

    print("Correctness (SPEC section 2: ECMA-262 patterns, code-point lengths)")
    total = len(CORRECTNESS) + len(PATTERNS)
    for engine in ENGINES:
        right, wrong = correctness(engine, contracts)
        print(f"  {right:>2}/{total}  {engine.name}")
        for name in wrong:
            print(f"      wrong: {name}")

    print("\nBodies per second")
    names = [name for name, _, _ in TIMED]
    width = max(len(n) for n in names)
    print(f"  {'':<{width}}  " + "  ".join(f"{i + 1:>12}" for i in range(len(ENGINES))))
    for name, operation, body in TIMED:
        contract = contracts[operation]
        rates = [rate(engine.build(contract), body, args.seconds) for engine in ENGINES]
        print(f"  {name:<{width}}  " + "  ".join(f"{r:>12,.0f}" for r in rates))
    for index, engine in enumerate(ENGINES):
        print(f"  {index + 1}: {engine.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
