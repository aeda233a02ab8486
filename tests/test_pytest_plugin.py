"""The pytest plugin (issue 7, item 1): ``pytest --harness-target URL|mock`` collects an item
per rule, check and scenario of each operation; without the option it does nothing.

Each test runs pytest on a project directory of its own (``pytester``): in this process,
which is quick, or in a subprocess where what matters is what a user's pytest does at
startup (the entry point, the imports).
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from harness.cli.list import listing
from harness.contract import load_contracts
from harness.mock import create_app
from harness.mock.server import serve_in_thread
from harness.pytest_plugin import HarnessItem, HarnessRun

pytest_plugins = ["pytester"]

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
CREDENTIALS = ("AKIDPLUGINTESTS00001", "plugin-tests-secret-key")
FAULTY_PATH = "/graph/member/monitoringstate"  # StartMonitoringMember


def expected_items(*operations: str) -> list[str]:
    """The node ids the plugin should collect, from ``harness list``'s view of the contracts."""
    contracts = load_contracts()
    chosen = [contracts[op] for op in operations] if operations else list(contracts.values())
    ids = []
    for op in listing(chosen)["operations"]:
        ids += [f"harness::{op['id']}::rule[{rule['id']}]" for rule in op["rules"]]
        ids += [f"harness::{op['id']}::check[{check}]" for check in op["checks"]]
        ids += [f"harness::{op['id']}::scenario[{scenario['name']}]" for scenario in op["scenarios"]]
    return ids


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """``PASSED``/``FAILED``/``SKIPPED`` of each item of a ``-v`` run, by node id."""
    found = {}
    for line in result.outlines:
        match = re.match(r"(harness::.*?) (PASSED|FAILED|SKIPPED)\b", line)
        if match:
            found[match[1]] = match[2]
    return found


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials for a URL target, as the standard AWS chain finds them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS[1])
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def error_400_becomes_500(app: Any) -> Any:
    """The mock, except that StartMonitoringMember answers 500 where it should answer 400."""

    async def faulty(scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def send_faulty(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 400 and scope["path"] == FAULTY_PATH:
                message = {**message, "status": 500}
            await send(message)

        await app(scope, receive, send_faulty)

    return faulty


@pytest.fixture
def faulty_target(credentials: None) -> Iterator[str]:
    with serve_in_thread(error_400_becomes_500(create_app(credentials=CREDENTIALS))) as url:
        yield url


# --------------------------------------------------------------------------- inactive


def test_without_the_option_there_is_no_harness_item(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_own_behaviour():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
    assert "harness::" not in result.stdout.str()
    assert not any(line.startswith("harness:") for line in result.outlines)  # not even a header line


def test_without_the_option_only_the_options_are_added(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfigure()
    assert config.pluginmanager.has_plugin("harness"), "the pytest11 entry point loads the plugin"
    assert config.pluginmanager.get_plugin(HarnessRun.NAME) is None
    help_text = pytester.runpytest_inprocess("--help").stdout.str()
    for option in ("--harness-target", "--harness-provider-states", "--harness-operation", "--harness-max-examples"):
        assert option in help_text


def test_loading_the_plugin_imports_nothing_beyond_the_package() -> None:
    """The plugin module imports pytest and the standard library only; the contracts, the
    engine, the mock and the writers are imported when an active session needs them (every
    pytest process where the harness is installed loads the plugin)."""
    code = (
        "import sys, pytest; before = set(sys.modules); import harness.pytest_plugin; "
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in sys.stdlib_module_names))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['harness', 'harness.pytest_plugin']"


def test_this_project_s_own_session_has_no_harness_item(request: pytest.FixtureRequest) -> None:
    assert request.config.pluginmanager.get_plugin(HarnessRun.NAME) is None
    assert not any(isinstance(item, HarnessItem) for item in request.session.items)


# --------------------------------------------------------------------------- collection


def test_an_item_per_rule_check_and_scenario_of_every_operation(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--harness-target", "mock", "--collect-only", "-q")
    assert result.ret == 0
    collected = [line for line in result.outlines if line.startswith("harness::")]
    assert collected == expected_items()
    assert "harness::networkflowmonitor:CreateScope::rule[clientToken.length]" in collected
    assert "harness::detective:StartMonitoringMember::scenario[member invited]" in collected


def test_harness_operation_collects_only_that_operation(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--harness-target", "mock", "--harness-operation", START_MONITORING, "--collect-only", "-q"
    )
    assert [line for line in result.outlines if line.startswith("harness::")] == expected_items(START_MONITORING)


def test_items_are_marked_harness_and_selectable_with_k_and_m(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_own_behaviour():\n    pass\n")
    only_harness = pytester.runpytest_inprocess("--harness-target", "mock", "-m", "harness", "--collect-only", "-q")
    lines = [line for line in only_harness.outlines if "::" in line]
    assert lines == expected_items()
    one_rule = pytester.runpytest_inprocess(
        "--harness-target", "mock", "-k", "CreateScope and clientToken", "--collect-only", "-q"
    )
    assert [line for line in one_rule.outlines if "::" in line] == [
        f"harness::{CREATE_SCOPE}::rule[clientToken.type]",
        f"harness::{CREATE_SCOPE}::rule[clientToken.length]",
        f"harness::{CREATE_SCOPE}::rule[clientToken.pattern]",
        f"harness::{CREATE_SCOPE}::scenario[scope quota reached, no clientToken]",
    ]


# --------------------------------------------------------------------------- outcomes


@pytest.mark.slow
def test_against_the_mock_every_item_passes_and_reads_well(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "--harness-target", "mock", "--harness-operation", START_MONITORING, "--harness-max-examples", "2", "-v"
    )
    # StartMonitoringMember has no optional member, so no case is judged by null_member_tolerated
    result.assert_outcomes(passed=len(expected_items(START_MONITORING)) - 1, skipped=1)
    assert outcomes(result)[f"harness::{START_MONITORING}::check[null_member_tolerated]"] == "SKIPPED"
    result.stdout.fnmatch_lines(
        [
            "harness: target mock, max examples 2, seed 0",
            "harness::detective:StartMonitoringMember::rule[[]AccountId.length] PASSED*",
            "harness::detective:StartMonitoringMember::check[[]invalid_rejected] PASSED*",
            "harness::detective:StartMonitoringMember::scenario[[]member invited] PASSED*",
            "*- harness -*",
            "CONFORMANT: * cases, * passed, 0 failed*",
            f"operations: {START_MONITORING}",
        ]
    )


@pytest.mark.slow
def test_against_a_faulty_target_items_fail_with_the_sentence_and_a_reproduction(
    pytester: pytest.Pytester, faulty_target: str
) -> None:
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_inprocess(
        "--harness-target", faulty_target, "--harness-operation", START_MONITORING, "--harness-max-examples", "2",
        "-v", "-rs", f"--junitxml={junit}",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    verdicts = outcomes(result)
    assert verdicts[f"harness::{START_MONITORING}::rule[AccountId.length]"] == "FAILED"
    assert verdicts[f"harness::{START_MONITORING}::check[invalid_rejected]"] == "FAILED"
    assert verdicts[f"harness::{START_MONITORING}::check[valid_accepted]"] == "PASSED"  # only the 400s are broken
    assert verdicts[f"harness::{START_MONITORING}::scenario[unknown graph]"] == "PASSED"  # needs no provider state
    # Without --harness-provider-states, what needs a provider state is not exercised: skipped, with why.
    stateful = [s.name for s in load_contracts()[START_MONITORING].scenarios if s.state is not None]
    assert stateful
    assert {verdicts[f"harness::{START_MONITORING}::scenario[{name}]"] for name in stateful} == {"SKIPPED"}
    result.stdout.fnmatch_lines(
        [f"SKIPPED [[]1] {START_MONITORING} scenario[[]member invited]: not exercised: no --provider-states URL given"]
    )
    # The failure: the documentation's sentence, the message, the answer and a curl reproduction.
    result.stdout.fnmatch_lines(
        [
            "*_ detective:StartMonitoringMember rule[[]AccountId.length] _*",
            "detective:StartMonitoringMember rule AccountId.length: nonconformant (* failures)",
            "documentation: Length Constraints: Fixed length of 12.",
            "",
            "1. invalid_rejected on rule AccountId.length: * case*",
            "   message: *: answered 500, not 400",
            "*",
            f"   request: POST http://127.0.0.1:*{FAULTY_PATH} {{*",
            "   answer:  500 {*",
            f"   curl:    curl -sS -i -X POST 'http://127.0.0.1:*{FAULTY_PATH}' * --aws-sigv4 *",
        ]
    )
    assert CREDENTIALS[1] not in result.stdout.str(), "no secret in the report"
    # The same in the project's existing JUnit XML.
    cases = {(c.get("classname"), c.get("name")): c for c in ET.parse(junit).getroot().iter("testcase")}
    failure = cases[(f"harness.{START_MONITORING}", "rule[AccountId.length]")].find("failure")
    assert failure is not None
    assert "documentation: Length Constraints: Fixed length of 12." in (failure.text or "")


def test_the_harness_runs_once_for_the_operations_still_selected(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--harness-target", "mock", "--harness-max-examples", "1", "-k", "StartMonitoringMember and AccountId"
    )
    result.assert_outcomes(passed=3, deselected=len(expected_items()) - 3)
    result.stdout.fnmatch_lines(["*- harness -*", "CONFORMANT: *", f"operations: {START_MONITORING}"])


def test_an_unreachable_target_fails_the_items_with_why(pytester: pytest.Pytester, credentials: None) -> None:
    result = pytester.runpytest_inprocess(
        "--harness-target", "http://127.0.0.1:9", "--harness-operation", START_MONITORING, "-k", "AccountId.length"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["harness could not run: *127.0.0.1:9*Check that the target is running*"])


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--harness-target", "ftp://example"],
            "--harness-target must be an http(s) URL or 'mock', got 'ftp://example'",
        ),
        (
            ["--harness-target", "mock", "--harness-max-examples", "0"],
            "--harness-max-examples must be at least 1, got 0",
        ),
    ],
    ids=["target", "max-examples"],
)
def test_a_bad_option_is_a_usage_error(pytester: pytest.Pytester, arguments: list[str], message: str) -> None:
    result = pytester.runpytest_inprocess(*arguments)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: harness: {message}"])


def test_a_check_left_out_is_skipped_and_says_why(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "--harness-target", "mock", "--harness-operation", START_MONITORING, "--harness-max-examples", "2",
        "--harness-exclude-checks", "unauthenticated_rejected", "-v", "-rs",
    )  # fmt: skip
    found = outcomes(result)
    assert found[f"harness::{START_MONITORING}::check[unauthenticated_rejected]"] == "SKIPPED"
    assert found[f"harness::{START_MONITORING}::check[invalid_rejected]"] == "PASSED"
    result.stdout.fnmatch_lines(["*the run left this check out*"])


def test_an_unknown_check_is_a_usage_error_with_the_closest_names(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--harness-target", "mock", "--harness-checks", "status_documentd")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: harness: unknown check 'status_documentd'; did you mean 'status_documented'*"])


def test_an_unknown_operation_is_a_usage_error_with_did_you_mean(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--harness-target", "mock", "--harness-operation", "detective:StartMonitoringMembers"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: harness: unknown operation 'detective:StartMonitoringMembers'; did you mean {START_MONITORING}?*"]
    )


def test_tool_harness_of_pyproject_toml_supplies_what_the_options_do_not(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        f'[tool.harness]\nmax-examples = 3\nseed = 9\noperations = ["{START_MONITORING}"]\nreport = "report.html"\n'
    )
    result = pytester.runpytest_inprocess("--harness-target", "mock", "--harness-seed", "4", "--collect-only", "-q")
    assert [line for line in result.outlines if line.startswith("harness::")] == expected_items(START_MONITORING)
    header = pytester.runpytest_inprocess("--harness-target", "mock", "--collect-only")
    header.stdout.fnmatch_lines(["harness: target mock, max examples 3, seed 9 ([[]tool.harness] of *pyproject.toml)"])


def test_a_misspelt_configuration_key_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.harness]\nmax_examples = 3\n")
    result = pytester.runpytest_inprocess("--harness-target", "mock")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*max_examples: unknown key; did you mean 'max-examples'?*"])


def test_the_configured_target_alone_does_not_activate_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.harness]\ntarget = "mock"\n')
    pytester.makepyfile(test_own="def test_own_behaviour():\n    pass\n")
    result = pytester.runpytest_inprocess("--collect-only", "-q")
    assert "harness::" not in result.stdout.str()
