"""``harness run --replay DIR``: every result of a recorded run judged again, under the contracts
as they are now.

Nothing is generated, shrunk or sent: each exchange the run kept a result of is read back with
its case (:mod:`~harness.cassettes.cases`), routed to the operation of the current contracts it
belongs to, and its recorded answer judged again (:mod:`~harness.cassettes.rejudge`): the
response checks, the idempotency check of each retry against the first answer (two requests of
one scenario with the same document), the provider-state setups, and each scenario's outcome.
The results document is made as a live run makes it, so a replay under the contracts of the
recording has the live run's verdict, counts and failures, and one under changed contracts gives
0 or 1 like any run: a request the contract now finds valid is judged as valid, one it now
finds invalid as invalid.  What the recording cannot say is said instead of judged (the notes,
and ``replay`` in the results document): the rules of the current contracts no recorded case
exercised, and the recorded exchanges that belong to no operation any more.  The network stays
off throughout (:mod:`~harness.cassettes.guard`).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import hypothesis

from harness import __version__
from harness.binding import OperationBinding
from harness.case import Intent
from harness.cassettes.cases import IDEMPOTENCY, Kept
from harness.cassettes.guard import no_network
from harness.cassettes.manifest import Manifest, RecordedOperation
from harness.cassettes.persister import read_cassette
from harness.cassettes.rejudge import Recorded, case_now, judged, refused_setup
from harness.checks import DEFAULT_CHECKS, CheckRegistry, idempotency, provider_state_setup
from harness.contract import Contract, Idempotency
from harness.engine import Listener
from harness.errors import CassetteError
from harness.result import CaseResult, Failure
from harness.routing import Router
from harness.summary import OperationRecord, ScenarioOutcome, contract_digest, summarise

PHASE = "recorded answers judged again"


@dataclass
class _Operation:
    """One operation of the replay: its contract, binding, router and what was judged."""

    contract: Contract
    binding: OperationBinding
    router: Router
    placed: list[tuple[int, int, CaseResult]] = field(default_factory=list)  # (place, exchange, result)
    roles: dict[int, str | None] = field(default_factory=dict)  # id(result) -> where its expectation came from


def replay(
    directory: Path,
    *,
    contracts: Mapping[str, Contract],
    operations: Sequence[str],
    checks: CheckRegistry,
    listener: Listener | None = None,
    max_body: int | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The results document of the recording in ``directory`` judged under ``contracts``, and
    the notes a user should read beside it."""
    started, started_at = time.monotonic(), datetime.now(UTC)
    manifest = Manifest.read(directory)
    recorded_ids = _chosen(manifest, contracts, operations, directory)
    notes = _notes(manifest, contracts, recorded_ids, operations, directory)
    by_id = {op_id: _operation(contracts[op_id]) for op_id in recorded_ids if op_id in contracts}
    states_path = urlsplit(manifest.provider_states).path if manifest.provider_states else None
    unrouted: Counter[tuple[str, str, str]] = Counter()
    interactions = shrinking = state_calls = 0
    with no_network():  # nothing here opens a connection; the guard makes that a checked fact
        for entry in (manifest.operation(op_id) for op_id in recorded_ids):
            assert entry is not None
            exchanges = _read(directory, manifest, entry)
            interactions += len(exchanges)
            for position, exchange in enumerate(exchanges):
                path = urlsplit(exchange.request.uri).path
                is_state_call = path == states_path
                owner = by_id.get(exchange.operation) if is_state_call else _route(exchange, by_id)
                if owner is None:
                    if not is_state_call:
                        unrouted[(exchange.operation, exchange.request.method.upper(), path)] += 1
                    continue
                if exchange.kept is None:  # a provider-state call, or a step of shrinking: no result
                    state_calls += is_state_call
                    shrinking += not is_state_call
                    continue
                _judge(owner, exchange, position, exchange.kept, is_state_call, checks=checks,
                       states_managed=bool(manifest.provider_states), max_body=max_body)  # fmt: skip
    records = [_record(op, entry.not_exercised if (entry := manifest.operation(op_id)) else {}, checks)
               for op_id, op in by_id.items()]  # fmt: skip
    listener = listener or Listener()
    for record in records:
        listener.on_phase(record.contract.id, PHASE, len(record.results))
        for result in record.results:
            listener.on_result(result)
    run = {
        "target": f"replay:{directory}",
        "provider_states": manifest.provider_states,
        "region": manifest.region,
        "seed": manifest.seed,
        "max_examples": manifest.max_examples,
        "started": started_at.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 2),
        "aborted": manifest.aborted,
        "budget_spent": manifest.budget_spent,
        "checks_left_out": [check.name for check in DEFAULT_CHECKS if check.name not in checks.names],
    }
    document = summarise(records=records, check_docs=checks.docs(), run=run)
    changed = [op_id for op_id, op in by_id.items() if _digest(manifest, op_id) != contract_digest(op.contract)]
    untried = {op["id"]: [r["id"] for r in op["rules"] if r["verdict"] == "not-exercised"]
               for op in document["operations"]}  # fmt: skip
    notes += _changes(manifest, by_id, changed, untried, unrouted, directory)
    judged_count = sum(len(record.results) for record in records)
    unrouted_list = [{"operation": op, "method": method, "path": path, "interactions": count}
                     for (op, method, path), count in sorted(unrouted.items())]  # fmt: skip
    document["replay"] = {
        "cassettes": str(directory),
        "recorded": manifest.recorded,
        "recorded_by": f"harness {manifest.harness_version}, Hypothesis {manifest.hypothesis_version}",
        "interactions": interactions,
        "judged": judged_count,
        "provider_state_calls": state_calls,
        "shrinking_steps": shrinking,
        "contracts_changed": changed,
        "rules_not_exercised": {op_id: rules for op_id, rules in untried.items() if rules},
        "unrouted": unrouted_list,
        "notes": notes,
    }
    return document, notes


# --------------------------------------------------------------------------- which recordings


def _chosen(
    manifest: Manifest, contracts: Mapping[str, Contract], operations: Sequence[str], directory: Path
) -> list[str]:
    """The recorded operations to replay: those named (each must be recorded), else every one."""
    recorded = [op.id for op in manifest.operations]
    for wanted in operations:
        if wanted not in recorded:
            raise CassetteError(
                f"{directory} holds no recording of {wanted}; it recorded {', '.join(recorded) or 'nothing'}. "
                f"Record {wanted} with: harness run --target URL|mock --operation {wanted} --record DIR"
            )
    return list(operations) or recorded


def _notes(
    manifest: Manifest,
    contracts: Mapping[str, Contract],
    recorded_ids: Sequence[str],
    operations: Sequence[str],
    directory: Path,
) -> list[str]:
    notes = []
    if not operations:
        unrecorded = sorted(set(contracts) - set(recorded_ids))
        if unrecorded:
            verb = "has" if len(unrecorded) == 1 else "have"
            notes.append(f"{', '.join(unrecorded)} {verb} a contract but no recording in {directory}: not replayed")
    for op_id in recorded_ids:
        if op_id not in contracts:
            notes.append(
                f"{op_id} was recorded but has no contract now: its recorded requests are judged under the "
                "contract of the operation they belong to now, if any"
            )
    if manifest.harness_version != __version__ or manifest.hypothesis_version != hypothesis.__version__:
        notes.append(
            f"recorded by harness {manifest.harness_version} with Hypothesis {manifest.hypothesis_version}; "
            f"judged by harness {__version__} (nothing is generated in a replay)"
        )
    return notes


def _changes(
    manifest: Manifest,
    by_id: Mapping[str, _Operation],
    changed: Sequence[str],
    untried: Mapping[str, Sequence[str]],
    unrouted: Counter[tuple[str, str, str]],
    directory: Path,
) -> list[str]:
    notes = []
    for op_id in changed:
        contract = by_id[op_id].contract
        notes.append(
            f"the contract of {op_id} ({contract.file.name}) changed since the recording "
            f"({_digest(manifest, op_id)[:19]}… then, {contract_digest(contract)[:19]}… now): the recorded "
            "answers are judged under the current contract"
        )
    for op_id, rules in untried.items():
        if rules:
            notes.append(
                f"no recorded case of {op_id} exercised {len(rules)} of its rules (not exercised): {', '.join(rules)}; "
                f"to exercise them, record the run again: {manifest.record_command(directory)}"
            )
    if unrouted:
        listed = ", ".join(f"{method} {path} ({count})" for (_, method, path), count in sorted(unrouted.items()))
        total = sum(unrouted.values())
        notes.append(
            f"{total} recorded {'exchange belongs' if total == 1 else 'exchanges belong'} to no operation of the "
            f"current contracts, and {'was' if total == 1 else 'were'} not judged: {listed}"
        )
    for op_id, op in by_id.items():
        gone = sorted({s for _, _, r in op.placed if (s := r.case.scenario) and not _has_scenario(op.contract, s)})
        if gone:
            notes.append(
                f"{op_id}: scenario(s) {', '.join(gone)} are no longer in the contract: their recorded answers are "
                "judged against the recorded expectations"
            )
    return notes


def _has_scenario(contract: Contract, name: str) -> bool:
    if name == IDEMPOTENCY:
        return contract.idempotency is not None
    return any(s.name == name for s in contract.scenarios)


def _digest(manifest: Manifest, operation: str) -> str:
    entry = manifest.operation(operation)
    return entry.contract_digest if entry is not None else ""


def _read(directory: Path, manifest: Manifest, entry: RecordedOperation) -> list[Recorded]:
    again = f"record the run again: {manifest.record_command(directory)}"
    path = directory / entry.cassette
    requests, responses = read_cassette(path, again=again, expected_digest=entry.cassette_digest,
                                        expected_interactions=entry.interactions)  # fmt: skip
    return [
        Recorded(entry.id, request, response, Kept.from_response(response, where=f"cassette {path}, interaction {n}"))
        for n, (request, response) in enumerate(zip(requests, responses, strict=True))
    ]


# --------------------------------------------------------------------------- judging


def _operation(contract: Contract) -> _Operation:
    binding = OperationBinding.from_document(contract.document, source=str(contract.file))
    return _Operation(contract, binding, Router([binding]))


def _route(exchange: Recorded, by_id: Mapping[str, _Operation]) -> _Operation | None:
    """The operation ``exchange`` belongs to now: its recorded one first, then any other."""
    parts = urlsplit(exchange.request.uri)
    path_and_query = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = dict(exchange.request.headers)
    first = by_id.get(exchange.operation)
    for op in ([first] if first is not None else []) + [op for op in by_id.values() if op is not first]:
        if op.router.match(exchange.request.method, path_and_query, headers) is not None:
            return op
    return None


def _judge(
    op: _Operation,
    exchange: Recorded,
    position: int,
    kept: Kept,
    is_state_call: bool,
    *,
    checks: CheckRegistry,
    states_managed: bool,
    max_body: int | None,
) -> None:
    contract = op.contract
    if is_state_call:
        case = case_now(kept.case, contract, op.binding, exchange.sent())
        result = refused_setup(exchange, replace(case, input=None, body=None), max_body)
    else:
        case = case_now(kept.case, contract, op.binding, exchange.sent())
        result = judged(exchange, case, contract, checks=checks, states_managed=states_managed, max_body=max_body)
    for place in kept.places:
        placed = replace(result, minimal=place in kept.minimal)
        op.placed.append((place, position, placed))
        op.roles[id(placed)] = kept.case.expects


def _record(op: _Operation, not_exercised: Mapping[str, str], checks: CheckRegistry) -> OperationRecord:
    """The operation's results in the order the run kept them, its check counts and its
    scenarios' outcomes, as the live run's phases made them."""
    record = OperationRecord(contract=op.contract)
    for _, _, result in sorted(op.placed, key=lambda placed: placed[:2]):
        record.results.append(result)
        record.check_runs.update(result.checks)
    contract, results = op.contract, record.results
    idem = contract.idempotency
    if idem is not None:
        mine = [r for r in results if r.case.scenario == IDEMPOTENCY]
        if mine:
            problems = _repeats(mine, idem, op.roles, checks)
            record.check_runs[IDEMPOTENCY] += 1
            reason = problems[0].message if problems else next((f.message for r in mine for f in r.failures), "")
            verdict = "fail" if problems or any(r.failed for r in mine) else "pass"
            record.scenarios.append(ScenarioOutcome(IDEMPOTENCY, None, idem.doc, verdict, reason))
    for scenario in contract.scenarios:
        mine = [r for r in results if r.case.scenario == scenario.name]
        if not mine:
            reason = not_exercised.get(scenario.name) or "the recording has no exchange of this scenario"
            record.scenarios.append(ScenarioOutcome(scenario.name, scenario.state, scenario.doc, "not-exercised",
                                                    reason))  # fmt: skip
            continue
        if idem is not None:
            _repeats(mine, idem, op.roles, checks)
        if scenario.state is not None and provider_state_setup in checks:
            record.check_runs[provider_state_setup.name] += 1
        failed = [f for r in mine for f in r.failures if r.failed]
        verdict = "fail" if failed else "pass"
        record.scenarios.append(ScenarioOutcome(scenario.name, scenario.state, scenario.doc, verdict,
                                                failed[0].message if failed else ""))  # fmt: skip
    return record


def _repeats(
    results: Sequence[CaseResult], idem: Idempotency, roles: Mapping[int, str | None], checks: CheckRegistry
) -> list[Failure]:
    """The idempotency check of each request of one scenario against the first of the same
    document (token included) before it: a retry must get the first answer's members again.
    Its failures are added to the retry's result, as in a live run."""
    firsts: dict[str, CaseResult] = {}
    problems: list[Failure] = []
    for result in results:
        if result.case.intent is not Intent.SCENARIO or roles.get(id(result)) in ("then", "conflict"):
            continue
        if not isinstance(result.case.input, dict):
            continue
        first = firsts.setdefault(json.dumps(result.case.input, sort_keys=True), result)
        if first is not result:
            failures = checks.run(idempotency, idem, first.response, result.response) or []
            result.failures.extend(failures)
            problems += failures
    return problems
