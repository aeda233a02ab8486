"""JUnit XML for CI: a ``<testsuite>`` per operation, a ``<testcase>`` per documented rule,
per check and per scenario, ``classname`` the operation id.

A failing testcase carries ``<failure message=...>`` with the message, the documentation's
sentence and the curl reproduction; one not exercised is ``<skipped message="not
exercised: ...">``.  Characters XML 1.0 cannot hold (NUL, ESC, ...) are written as visible
escapes (``\\x00``), so the file parses whatever the target answered.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.reporting._files import write_atomically
from harness.reporting._view import (
    escape_invisible,
    groups_of_check,
    groups_of_rule,
    groups_of_scenario,
    plural,
)

#: Failure groups (and their reproductions) written into one failing testcase.
MAX_GROUPS_PER_TESTCASE = 5
#: Characters of a ``message`` attribute; the element's text has the whole story.
MAX_MESSAGE = 1_000


def write_junit(document: Mapping[str, Any], path: Path) -> None:
    """Write the JUnit XML of ``document`` (a results document) to ``path``, atomically."""
    write_atomically(Path(path), render_junit(document))


def render_junit(document: Mapping[str, Any]) -> str:
    """The JUnit XML of ``document`` as text, with an XML declaration."""
    root = ET.Element("testsuites", name="harness")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for op in document["operations"]:
        suite = _suite(document, op)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    root.set("time", f"{float(document.get('duration_s') or 0):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(document: Mapping[str, Any], op: Mapping[str, Any]) -> ET.Element:
    suite = ET.Element("testsuite", name=_xml(op["id"]))
    if document.get("started"):
        suite.set("timestamp", _xml(document["started"]))
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", document.get("target")),
        ("seed", document.get("seed")),
        ("harness_version", document.get("harness_version")),
        ("checks_left_out", ", ".join(document.get("checks_left_out") or ()) or None),
        ("stopped_early", document.get("aborted")),
        ("contract", op.get("contract", {}).get("file")),
        ("contract_digest", op.get("contract", {}).get("digest")),
    ):
        if value is not None:
            ET.SubElement(properties, "property", name=name, value=_xml(value))
    cases = [*_rule_cases(op), *_check_cases(op), *_scenario_cases(op)]
    for case in cases:
        suite.append(case)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    suite.set("time", "0")
    warnings = op.get("warnings", [])
    if warnings:
        out = ET.SubElement(suite, "system-out")
        out.text = _xml(
            "\n".join(f"warning: {g['check']}: {g['message']} ({plural(g['count'], 'case')})" for g in warnings)
        )
    return suite


def _rule_cases(op: Mapping[str, Any]) -> Iterable[ET.Element]:
    for rule in op.get("rules", []):
        yield _testcase(
            op,
            name=f"rule {rule['id']}",
            verdict=rule["verdict"],
            doc=rule.get("doc", ""),
            groups=groups_of_rule(op, rule["id"]),
            failures=int(rule.get("failures", 0)),
            reason="no case was made on either side of this rule",
        )


def _check_cases(op: Mapping[str, Any]) -> Iterable[ET.Element]:
    for check in op.get("checks", []):
        yield _testcase(
            op,
            name=f"check {check['id']}",
            verdict=check["verdict"],
            doc=check.get("doc", ""),
            groups=groups_of_check(op, check["id"]),
            failures=int(check.get("failures", 0)),
            reason="no response was judged by this check",
        )


def _scenario_cases(op: Mapping[str, Any]) -> Iterable[ET.Element]:
    for scenario in op.get("scenarios", []):
        yield _testcase(
            op,
            name=f"scenario {scenario['name']}",
            verdict=scenario["verdict"],
            doc=scenario.get("doc", ""),
            groups=groups_of_scenario(op, scenario["name"]),
            failures=0,
            reason=scenario.get("reason") or "the scenario could not run",
            failure_reason=scenario.get("reason", ""),
        )


def _testcase(
    op: Mapping[str, Any],
    *,
    name: str,
    verdict: str,
    doc: str,
    groups: Sequence[Mapping[str, Any]],
    failures: int,
    reason: str,
    failure_reason: str = "",
) -> ET.Element:
    case = ET.Element("testcase", classname=_xml(op["id"]), name=_xml(name), time="0")
    if verdict == "fail":
        if groups:
            message = groups[0]["message"]
            if len(groups) > 1:
                message += f" (and {plural(len(groups) - 1, 'other failure group')})"
        else:
            message = failure_reason or (plural(failures, "failure") if failures else "failed")
        failure = ET.SubElement(case, "failure", message=_xml(message[:MAX_MESSAGE]), type="nonconformance")
        failure.text = _xml(_failure_text(doc, failure_reason, groups))
    elif verdict == "not-exercised":
        ET.SubElement(case, "skipped", message=_xml(f"not exercised: {reason}"[:MAX_MESSAGE]))
    return case


def _failure_text(doc: str, reason: str, groups: Sequence[Mapping[str, Any]]) -> str:
    parts = [f"Documentation: {doc}"] if doc else []
    if reason:
        parts.append(f"Reason: {reason}")
    for group in groups[:MAX_GROUPS_PER_TESTCASE]:
        where = group["check"] + (f" on rule {group['rule']}" if group.get("rule") else "")
        lines = [
            f"{where}: {plural(group['count'], 'case')}",
            f"  message: {group['message']}",
        ]
        if group.get("doc") and group["doc"] != doc:
            lines.append(f"  documentation: {group['doc']}")
        examples = group.get("examples") or []
        if examples:
            response = examples[0].get("response")
            answered = f"HTTP {response['status']}" if response else "no response"
            lines.append(f"  example: {examples[0]['case'].get('description', '')} -> {answered}")
            lines.append(f"  reproduce: {examples[0].get('curl', '')}")
        parts.append("\n".join(lines))
    if len(groups) > MAX_GROUPS_PER_TESTCASE:
        hidden = len(groups) - MAX_GROUPS_PER_TESTCASE
        parts.append(f"... and {plural(hidden, 'more failure group')} in the HTML report")
    return "\n\n".join(parts)


def _xml(value: object) -> str:
    """Text XML 1.0 can hold: control characters become visible escapes."""
    return escape_invisible(str(value))
