"""JUnit XML: a suite per operation, a testcase per rule, check and scenario; failures carry
the message, the documentation's sentence and the reproduction; it parses whatever the
target answered."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import report_fixtures as fx
from junitparser import Failure, JUnitXml, Skipped, TestCase, TestSuite

from harness.reporting import render_junit, write_junit


def load(tmp_path: Path, document: dict[str, Any]) -> JUnitXml:
    path = tmp_path / "junit.xml"
    write_junit(document, path)
    return JUnitXml.fromfile(str(path))


def suites(xml: JUnitXml) -> dict[str, TestSuite]:
    return {suite.name: suite for suite in xml}


def cases(suite: TestSuite) -> dict[str, TestCase]:
    return {case.name: case for case in suite}


def test_a_suite_per_operation_and_a_testcase_per_rule_check_and_scenario(tmp_path: Path) -> None:
    document = fx.failing_document()
    xml = load(tmp_path, document)
    by_name = suites(xml)
    assert list(by_name) == [fx.CREATE_SCOPE, fx.START_MONITORING]
    for operation in document["operations"]:
        suite = by_name[operation["id"]]
        expected = (
            [f"rule {r['id']}" for r in operation["rules"]]
            + [f"check {c['id']}" for c in operation["checks"]]
            + [f"scenario {s['name']}" for s in operation["scenarios"]]
        )
        assert [case.name for case in suite] == expected
        assert {case.classname for case in suite} == {operation["id"]}
        assert suite.tests == len(expected)


def test_counts_of_tests_failures_and_skipped_agree_with_the_document(tmp_path: Path) -> None:
    document = fx.failing_document()
    xml = load(tmp_path, document)
    items = [item for op in document["operations"] for kind in ("rules", "checks", "scenarios") for item in op[kind]]
    failing = sum(1 for item in items if item["verdict"] == "fail")
    skipped = sum(1 for item in items if item["verdict"] == "not-exercised")
    assert (xml.tests, xml.failures, xml.skipped, xml.errors) == (len(items), failing, skipped, 0)
    assert (failing, skipped) == (6, 4)
    assert sum(suite.failures for suite in xml) == failing
    assert sum(suite.skipped for suite in xml) == skipped


def test_a_failing_rule_carries_the_message_the_sentence_and_the_curl(tmp_path: Path) -> None:
    case = cases(suites(load(tmp_path, fx.failing_document()))[fx.CREATE_SCOPE])["rule clientToken.pattern"]
    (failure,) = case.result
    assert isinstance(failure, Failure)
    assert failure.message == "clientToken with upper-case hex: answered 200, not 400"
    assert failure.type == "nonconformance"
    text = failure.text or ""
    assert "Documentation: Pattern: [a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}" in text
    assert "invalid_rejected on rule clientToken.pattern: 37 cases" in text
    assert "example: clientToken with upper-case hex -> HTTP 200" in text
    assert "reproduce: curl -sS -i -X POST 'http://127.0.0.1:8080/scopes'" in text
    assert "--aws-sigv4 'aws:amz:us-east-1:networkflowmonitor'" in text


def test_a_failing_check_lists_its_groups(tmp_path: Path) -> None:
    case = cases(suites(load(tmp_path, fx.failing_document()))[fx.CREATE_SCOPE])["check status_documented"]
    (failure,) = case.result
    assert failure.message == "answered 404, not one of 200, 400, 402, 403, 409, 429, 500"
    assert "Documentation: Every response's status is in the operation's list (SPEC 4.3)." in (failure.text or "")


def test_not_exercised_items_are_skipped_with_their_reason(tmp_path: Path) -> None:
    detective = cases(suites(load(tmp_path, fx.failing_document()))[fx.START_MONITORING])
    (skipped,) = detective["scenario member invited"].result
    assert isinstance(skipped, Skipped)
    assert skipped.message == "not exercised: no --provider-states URL was given"
    create = cases(suites(load(tmp_path, fx.failing_document()))[fx.CREATE_SCOPE])
    (rule_skipped,) = create["rule targetId.union"].result
    assert rule_skipped.message == "not exercised: no case was made on either side of this rule"
    assert detective["rule AccountId.pattern"].result == []  # a pass


def test_a_failing_scenario_gives_its_reason() -> None:
    document = fx.failing_document()
    document["operations"][1]["scenarios"][0].update(verdict="fail", reason="answered 200, not 404")
    root = ET.fromstring(render_junit(document))
    case = root.find(".//testcase[@name='scenario unknown graph']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "answered 200, not 404"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x00", "\\x00"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x08\x0b\x0c", "\\x08\\x0b\\x0c"),
        ("\ud800", "\\ud800"),
        ("\ufffe", "\\ufffe"),
    ],
)
def test_characters_xml_cannot_hold_are_escaped_so_the_file_parses(tmp_path: Path, text: str, shown: str) -> None:
    document = fx.failing_document()
    group = document["operations"][0]["failures"][0]
    group["message"] = f"echoed {text} back"
    group["examples"][0]["curl"] = f"curl --data-binary '{text}'"
    document["operations"][0]["rules"][0]["doc"] = f"Pattern {text}"
    ET.fromstring(render_junit(document))  # well-formed XML 1.0
    case = cases(suites(load(tmp_path, document))[fx.CREATE_SCOPE])["rule clientToken.pattern"]
    (failure,) = case.result
    assert failure.message == f"echoed {shown} back"
    assert f"Documentation: Pattern {shown}" in (failure.text or "")
    assert f"reproduce: curl --data-binary '{shown}'" in (failure.text or "")


def test_a_body_with_nul_and_escape_gives_valid_xml(tmp_path: Path) -> None:
    document = fx.document(
        [
            fx.operation(
                op_id=fx.CREATE_SCOPE,
                rules=[fx.rule("tags.value.length", "Value Length Constraints", failures=1)],
                checks=[fx.check("invalid_rejected", cases=1, failures=1)],
                statuses=[],
                failures=[
                    fx.group(
                        check="invalid_rejected",
                        rule="tags.value.length",
                        message="answered 200, not 400",
                        examples=[fx.example(body='{"tags":{"k":"\x00\x1b[31m"}}', rule="tags.value.length")],
                    )
                ],
            )
        ]
    )
    xml = load(tmp_path, document)
    assert (xml.tests, xml.failures) == (2, 2)
    text = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert "\x00" not in text and "\x1b" not in text
    assert "\\x00" in text and "\\x1b[31m" in text


def test_hostile_markup_stays_text(tmp_path: Path) -> None:
    xml = load(tmp_path, fx.hostile_document())
    case = cases(suites(xml)[fx.CREATE_SCOPE])["rule tags.value.length"]
    assert case.result[0].message.startswith('echoed: <script>document.title="PWNED"')


def test_a_document_with_only_the_required_members_gives_the_same_testcases(tmp_path: Path) -> None:
    bare, full = load(tmp_path, fx.bare_document()), JUnitXml.fromstring(render_junit(fx.failing_document()))
    assert (bare.tests, bare.failures, bare.skipped) == (full.tests, full.failures, full.skipped)


def test_the_document_level_totals_are_on_testsuites() -> None:
    root = ET.fromstring(render_junit(fx.failing_document()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("time")) == (
        "26",
        "6",
        "4",
        "42.700",
    )
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["target"] == fx.TARGET and props["seed"] == "20260101"
