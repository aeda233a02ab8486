"""The pytest plugin: conformance as tests of a project's own suite.

::

    pytest --harness-target mock
    pytest --harness-target http://localhost:4566 \\
           --harness-provider-states http://localhost:4566/_harness/provider-states

collects one test item per documented rule, per check and per provider-state scenario of
each operation, named like ``harness::networkflowmonitor:CreateScope::rule[clientToken.length]``
and marked ``harness`` (``-m harness`` runs only them, ``-k CreateScope`` one operation).
An item passes, fails with the failure's message, the documentation's sentence and a curl
reproduction, or is skipped when the run did not exercise it (no provider-states URL, say).
``[tool.harness]`` of ``pyproject.toml`` supplies what the options do not (see
:mod:`harness.config`), except the output paths: pytest writes its own reports.

Without ``--harness-target`` the plugin only adds its options: no other hook is
registered, nothing of the harness is imported and no item is collected.

How the items are collected: pytest's collection starts from the session, whose collect
report lists the top-level collectors (directories, files).  The plugin wraps
``pytest_make_collect_report`` and, for the session only, adds one more collector,
:class:`HarnessSuite`; pytest then collects it like any other (``-k``, ``-m``,
``--collect-only``, counting and deselection all apply).  Its children are one
:class:`HarnessOperation` per contract, whose children are the :class:`HarnessItem` s, all
made from the contracts alone.

The harness runs once per session, when the first harness item runs, for the operations
that still have an item after selection; every item then reads its outcome from that one
results document.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from harness.config import Config
    from harness.contract import Contract

#: Characters of a request or response body shown in a failure.
MAX_BODY_SHOWN = 600
#: Failure groups shown in one failing item; the HTML report has them all.
MAX_GROUPS_SHOWN = 3


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "conformance of an AWS JSON API implementation (aws-contract-harness)")
    group.addoption(
        "--harness-target",
        metavar="URL|mock",
        help="test this implementation (an http(s) URL, or 'mock' for the bundled reference mock); "
        "without it the plugin does nothing",
    )
    group.addoption("--harness-provider-states", metavar="URL", help="the target's provider-states endpoint")
    group.addoption(
        "--harness-operation",
        metavar="ID",
        action="append",
        help="only this operation (repeatable), e.g. detective:StartMonitoringMember",
    )
    group.addoption("--harness-max-examples", metavar="N", type=int, help="generated bodies per operation and kind")
    group.addoption("--harness-seed", metavar="N", type=int, help="seed of the generated cases")
    group.addoption(
        "--harness-concurrency", metavar="N", type=int, help="independent requests in flight at once (default 128)"
    )
    group.addoption(
        "--harness-checks", metavar="NAME,...", help="run only these checks (names as `harness list` prints them)"
    )
    group.addoption(
        "--harness-exclude-checks",
        metavar="NAME,...",
        help="leave these checks out, e.g. unauthenticated_rejected for an emulator that checks no signature",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("harness_target") is None:
        return
    config.pluginmanager.register(HarnessRun.from_config(config), HarnessRun.NAME)


# --------------------------------------------------------------------------- the run


class HarnessRun:
    """The plugin of an active session: settings, contracts, and the one results document."""

    NAME = "harness-run"

    def __init__(self, *, settings: Mapping[str, Any], contracts: Mapping[str, Contract], config: Config) -> None:
        self.settings = dict(settings)
        self.contracts = dict(contracts)
        self.config_file = config.file
        self._document: dict[str, Any] | None = None
        self._error: str | None = None
        self._session: pytest.Session | None = None

    @classmethod
    def from_config(cls, pytest_config: pytest.Config) -> HarnessRun:
        """Settings from the options over ``[tool.harness]``; a :class:`pytest.UsageError`
        (exit 4, no traceback) for a bad option, configuration or operation."""
        from harness.config import PATH_KEYS, check_operations, load_config, overlay
        from harness.contract import load_contracts
        from harness.errors import HarnessError

        option = pytest_config.getoption
        given = {
            "target": option("harness_target"),
            "provider-states": option("harness_provider_states"),
            "operations": option("harness_operation"),
            "max-examples": option("harness_max_examples"),
            "seed": option("harness_seed"),
            "concurrency": option("harness_concurrency"),
            "checks": _names(option("harness_checks")),
            "exclude-checks": _names(option("harness_exclude_checks")),
        }
        try:
            config = load_config(start=pytest_config.invocation_params.dir).without(*PATH_KEYS)
            settings = overlay(given, config)
            target = str(settings["target"])
            if target != "mock" and not target.startswith(("http://", "https://")):
                raise HarnessError(f"--harness-target must be an http(s) URL or 'mock', got {target!r}")
            if int(settings.get("max-examples", 1)) < 1:
                raise HarnessError(f"--harness-max-examples must be at least 1, got {settings['max-examples']}")
            if not 1 <= int(settings.get("concurrency", 1)) <= 256:
                raise HarnessError(f"--harness-concurrency must be from 1 to 256, got {settings['concurrency']}")
            from harness.checks import default_registry

            default_registry().select(only=settings.get("checks"), leave_out=settings.get("exclude-checks", ()))
            contracts = load_contracts()
            if given["operations"] is None:
                check_operations(config, contracts)
            operations = settings.get("operations")
            chosen = _chosen(operations, contracts) if operations else contracts
        except HarnessError as exc:
            raise pytest.UsageError(f"harness: {exc}") from None
        return cls(settings=settings, contracts=chosen, config=config)

    # ------------------------------------------------------------------ hooks

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "harness: a conformance item of the harness plugin (--harness-target)")

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        s = self.settings
        line = f"harness: target {s['target']}, max examples {s.get('max-examples', 100)}, seed {s.get('seed', 0)}"
        if s.get("provider-states"):
            line += f", provider states {s['provider-states']}"
        if self.config_file is not None:
            line += f" ([tool.harness] of {self.config_file})"
        return [line]

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None, Any, Any]:
        report = yield
        if isinstance(collector, pytest.Session) and report.passed:
            self._session = collector
            # nodeid "harness", not "::harness": the items read harness::OPERATION::rule[ID],
            # and JUnit XML (--junitxml) classes them under harness.OPERATION.
            report.result.append(HarnessSuite.from_parent(collector, name="harness", nodeid="harness"))
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        if isinstance(item, HarnessItem) and report.skipped and isinstance(report.longrepr, tuple):
            # Name the item, not the line of this module that skipped it (-rs shows it).
            report.longrepr = (f"{item.operation} {item.name}", None, report.longrepr[2])
        return report

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self._document is None and self._error is None:
            return
        terminalreporter.write_sep("-", "harness")
        for line in self.summary():
            terminalreporter.write_line(line)

    # ------------------------------------------------------------------ the document

    def document(self) -> dict[str, Any]:
        """The results document, from the one run of the session (made on first use)."""
        if self._document is None and self._error is None:
            from harness.errors import HarnessError

            wanted = self._selected_operations()
            try:
                self._document = run_harness(self.settings, [self.contracts[op] for op in wanted])
            except HarnessError as exc:
                self._error = str(exc)
        if self._error is not None:
            raise HarnessCouldNotRun(self._error)
        assert self._document is not None
        return self._document

    def _selected_operations(self) -> list[str]:
        items = self._session.items if self._session is not None else []
        selected = {item.operation for item in items if isinstance(item, HarnessItem)}
        return [op for op in self.contracts if op in selected] or list(self.contracts)

    def summary(self) -> list[str]:
        if self._error is not None:
            return [f"could not run: {self._error}"]
        assert self._document is not None
        document = self._document
        counts = document["counts"]
        lines = [
            f"{document['verdict'].upper()}: {counts['cases']:,} cases, {counts['passed']:,} passed, "
            f"{counts['failed']:,} failed, {counts['warnings']:,} with warnings, "
            f"{counts['not_exercised']:,} scenarios not exercised "
            f"(target {document['target']}, seed {document['seed']}, {document.get('duration_s', 0)} s)",
            f"operations: {', '.join(op['id'] for op in document['operations'])}",
        ]
        for op in document["operations"]:
            for group in op.get("warnings", ()):
                lines.append(f"warning: {op['id']} {group['check']}: {_printable(group['message'])} ({group['count']})")
        return lines


def run_harness(settings: Mapping[str, Any], contracts: list[Contract]) -> dict[str, Any]:
    """One run, as ``harness run`` makes it (:func:`harness.runner.execute`), writing nothing."""
    from harness.runner import DEFAULT_CONCURRENCY, RunPlan, execute
    from harness.target.http import DEFAULT_TIMEOUT

    plan = RunPlan(
        contracts=contracts,
        target=str(settings["target"]),
        provider_states=settings.get("provider-states"),
        region=settings.get("region"),
        seed=int(settings.get("seed", 0)),
        max_examples=int(settings.get("max-examples", 100)),
        timeout=float(settings.get("timeout", DEFAULT_TIMEOUT)),
        concurrency=int(settings.get("concurrency", DEFAULT_CONCURRENCY)),
        max_duration=settings.get("max-duration"),
        checks=settings.get("checks"),
        exclude_checks=tuple(settings.get("exclude-checks", ())),
    )
    return execute(plan)


def _names(text: str | None) -> list[str] | None:
    """A comma-separated option as a list (``None`` when not given)."""
    return None if text is None else [name.strip() for name in text.split(",") if name.strip()]


def _chosen(operations: Iterable[str], contracts: Mapping[str, Contract]) -> dict[str, Contract]:
    """The contracts of ``operations``: their files', else imported in memory from botocore's
    models (as ``harness run --operation`` does); an unknown id is a usage error."""
    from harness.importer import find_contract

    return {operation: find_contract(contracts, operation) for operation in operations}


# --------------------------------------------------------------------------- the nodes


class HarnessCouldNotRun(Exception):
    """The harness could not run (exit 2 of ``harness run``): every item fails with why."""


class Nonconformance(Exception):
    """An item's rule, check or scenario failed; the text is the whole report of it."""


class HarnessSuite(pytest.Collector):
    """Every operation of the run; a child of the session."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        run = _run(self.config)
        return [HarnessOperation.from_parent(self, name=op) for op in run.contracts]


class HarnessOperation(pytest.Collector):
    """One operation: its rules, checks and scenarios, from the contract."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        from harness.cli.list import describe

        described = describe(_run(self.config).contracts[self.name])
        check_docs = _check_docs()
        entries = [("rule", rule["id"], rule["doc"]) for rule in described["rules"]]
        entries += [("check", check, check_docs.get(check, "")) for check in described["checks"]]
        entries += [("scenario", scenario["name"], scenario["doc"]) for scenario in described["scenarios"]]
        return [
            HarnessItem.from_parent(self, name=f"{kind}[{key}]", kind=kind, key=key, doc=doc)
            for kind, key, doc in entries
        ]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return _run(self.config).contracts[self.name].file, None, self.name


class HarnessItem(pytest.Item):
    """One rule, check or scenario of one operation."""

    def __init__(self, *, kind: str, key: str, doc: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind  # rule, check or scenario
        self.key = key
        self.doc = doc  # the documentation's sentence (a rule's, a scenario's) or what the check asserts
        self.add_marker("harness")

    @property
    def operation(self) -> str:
        assert self.parent is not None
        return self.parent.name

    def runtest(self) -> None:
        document = _run(self.config).document()
        verdict, text = outcome(document, operation=self.operation, kind=self.kind, key=self.key, doc=self.doc)
        if verdict == "not-exercised":
            pytest.skip(text)
        if verdict == "fail":
            raise Nonconformance(text)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, Nonconformance | HarnessCouldNotRun):
            prefix = "harness could not run: " if isinstance(excinfo.value, HarnessCouldNotRun) else ""
            return prefix + str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return _run(self.config).contracts[self.operation].file, None, f"{self.operation} {self.name}"


def _run(config: pytest.Config) -> HarnessRun:
    run = config.pluginmanager.get_plugin(HarnessRun.NAME)
    assert isinstance(run, HarnessRun)
    return run


def _check_docs() -> dict[str, str]:
    from harness.cli.list import check_docs

    return check_docs()


# --------------------------------------------------------------------------- outcomes


def outcome(document: Mapping[str, Any], *, operation: str, kind: str, key: str, doc: str) -> tuple[str, str]:
    """The verdict of one item (``pass``, ``fail``, ``not-exercised``) and its text: the
    reason it was not exercised, or the whole story of its failure."""
    from harness.reporting._view import groups_of_check, groups_of_rule, groups_of_scenario

    op = next((o for o in document["operations"] if o["id"] == operation), None)
    if op is None:
        return "not-exercised", f"not exercised: {operation} was not run"
    reason = ""
    if kind == "rule":
        entry = _find(op["rules"], "id", key)
        groups = groups_of_rule(op, key)
        idle = "no case was aimed at either side of this rule"
    elif kind == "check":
        entry = _find(op["checks"], "id", key)
        groups = groups_of_check(op, key)
        idle = "no answer of this run was one this check judges"
        if key in document.get("checks_left_out", ()):
            idle = "the run left this check out (--harness-checks, --harness-exclude-checks)"
    else:
        entry = _find(op["scenarios"], "name", key)
        groups = groups_of_scenario(op, key)
        reason = str((entry or {}).get("reason") or "")
        idle = reason or "the scenario did not run"
    verdict = str(entry["verdict"]) if entry is not None else "not-exercised"
    if verdict == "not-exercised":
        return verdict, f"not exercised: {idle}"
    if verdict == "fail":
        assert entry is not None
        failures = int(entry.get("failures") or 0) or None
        text = failure_text(
            operation=operation, kind=kind, key=key, doc=doc, reason=reason, groups=groups, failures=failures
        )
        return verdict, text
    return verdict, ""


def failure_text(
    *,
    operation: str,
    kind: str,
    key: str,
    doc: str,
    reason: str,
    groups: list[Mapping[str, Any]],
    failures: int | None = None,
) -> str:
    """What a failing item shows: the documentation's sentence, then each failure group
    with its message, one example (request and answer) and the curl reproduction."""
    head = f"{operation} {kind} {key}: nonconformant"
    if failures:
        head += f" ({failures} failure{'s' if failures != 1 else ''})"
    lines = [head]
    if doc:
        lines.append(f"documentation: {_printable(doc)}")
    if reason:
        lines.append(f"reason: {_printable(reason)}")
    for number, group in enumerate(groups[:MAX_GROUPS_SHOWN], start=1):
        where = group["check"] + (f" on rule {group['rule']}" if group.get("rule") else "")
        lines += ["", f"{number}. {_printable(where)}: {group['count']} case{'s' if group['count'] != 1 else ''}"]
        lines.append(f"   message: {_printable(group['message'])}")
        if group.get("doc") and group["doc"] != doc:
            lines.append(f"   check:   {_printable(group['doc'])}")
        examples = group.get("examples") or []
        if examples:
            lines += _example(examples[0])
    if len(groups) > MAX_GROUPS_SHOWN:
        lines += ["", f"... and {len(groups) - MAX_GROUPS_SHOWN} more failure groups (harness run --report)"]
    return "\n".join(lines)


def _example(example: Mapping[str, Any]) -> list[str]:
    case = example["case"]
    request = example["request"]
    lines = [f"   case:    {_printable(case.get('description', ''))}" + (" (shrunk)" if example.get("minimal") else "")]
    lines.append(f"   request: {request['method']} {_printable(request['url'])} {_body(request.get('body'))}")
    response = example.get("response")
    if response is None:
        lines.append(f"   answer:  none ({_printable(example.get('transport_error') or 'no response')})")
    else:
        lines.append(f"   answer:  {response['status']} {_body(response.get('body'))}")
    lines.append(f"   curl:    {_printable(example.get('curl', ''))}")
    return lines


def _body(body: Mapping[str, Any] | None) -> str:
    if not body or not body.get("size"):
        return "(empty body)"
    text = str(body.get("text", body.get("base64", "")))
    shown = _printable(text[:MAX_BODY_SHOWN])
    return shown + (f" ... ({body['size']:,} bytes)" if len(text) > MAX_BODY_SHOWN or body.get("truncated") else "")


def _find(entries: Iterable[Mapping[str, Any]], field: str, value: str) -> Mapping[str, Any] | None:
    return next((entry for entry in entries if entry.get(field) == value), None)


def _printable(text: str) -> str:
    """One line, with what a target sent that could move the cursor or hide text escaped."""
    from harness.reporting._view import escape_invisible

    return escape_invisible(str(text)).replace("\n", "\\n").replace("\t", "\\t")
