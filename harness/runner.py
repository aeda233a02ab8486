"""One run, assembled: the one place that turns settings into an engine run.

``harness run`` (:mod:`harness.cli.run`), the pytest plugin, a replay and the worker processes of
``--workers`` all describe what they want as a :class:`RunPlan` and call :func:`execute`, which
picks the target (a URL, or the bundled mock started in a process of its own), the signing key
(botocore's credential chain, or the pair made up for the mock), the transport (HTTP, or
recorded), the idempotency tokens' salt, and runs the engine; a replay judges a recording's
answers again instead (:mod:`harness.cassettes.replay`).  It returns the results document and
writes nothing but cassettes (``record``); the callers write the reports.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import aws
from harness.checks import CheckRegistry, default_registry
from harness.contract import Contract
from harness.engine import Engine, Listener, RunOptions
from harness.errors import CassetteError, UsageError
from harness.target.http import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, HttpTransport, Transport

MOCK = "mock"
#: Requests in flight at once unless told otherwise (bench/bench_remote.py, 50 ms away: a run of
#: 1,032 requests in 3.1 s with 128, 3.4 s with 64; on loopback against the mock 1.6 s with
#: either; with 16, before the stateful phases ran side by side, 10.4 s at 50 ms).
DEFAULT_CONCURRENCY = 128
MAX_CONCURRENCY = 256


@dataclass(frozen=True)
class RunPlan:
    """What to run: the contracts, where, and how."""

    contracts: Sequence[Contract]
    target: str | None = None  # an http(s) URL, or "mock"
    replay: Path | None = None  # judge the recording in this directory again instead
    provider_states: str | None = None
    region: str | None = None
    seed: int = 0
    max_examples: int = 100
    timeout: float = DEFAULT_TIMEOUT
    max_body: int = DEFAULT_MAX_BODY
    record: Path | None = None
    workers: int = 1
    example_db: str | None = None
    contracts_dir: Path | None = None  # where the workers load the contracts from (None: the bundled ones)
    operations: Sequence[str] = ()  # a replay: the recorded operations to replay (none named: every one)
    concurrency: int = DEFAULT_CONCURRENCY  # independent cases in flight at once
    max_duration: float | None = None  # seconds: once spent, no new case is sent
    shard: tuple[int, int] | None = None  # (K, N): this machine runs the K-th of N parts of the run
    checks: Sequence[str] | None = None  # the checks to run (None: every one)
    exclude_checks: Sequence[str] = ()  # the checks to leave out

    def registry(self) -> CheckRegistry:
        """The checks of the run; a :class:`~harness.errors.UsageError` for an unknown name."""
        return default_registry().select(only=self.checks, leave_out=self.exclude_checks)


def execute(
    plan: RunPlan, *, listener: Listener | None = None, note: Callable[[str], None] = lambda text: None
) -> dict[str, Any]:
    """The results document of ``plan``; ``note`` hears what a user should know (a replay's notes)."""
    plan.registry()  # an unknown check name is refused before anything starts
    if not 1 <= plan.concurrency <= MAX_CONCURRENCY:
        raise UsageError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}, got {plan.concurrency}")
    if plan.max_duration is not None and plan.max_duration <= 0:
        raise UsageError(f"--max-duration must be a number of seconds above 0, got {plan.max_duration:g}")
    if plan.shard is not None:
        part, parts = plan.shard
        if not 1 <= part <= parts:
            raise UsageError(f"--shard {part}/{parts}: K must be from 1 to N (the K-th of N parts)")
        if plan.workers > 1:
            raise UsageError("--shard splits a run over machines, --workers over processes: use one of them")
    if plan.replay is not None:
        return _replay(plan, listener=listener, note=note)
    with live_target(plan) as (url, states, key, label):
        options = RunOptions(
            base_url=url,
            key=key,
            provider_states=states,
            seed=plan.seed,
            max_examples=plan.max_examples,
            target_label=label,
            example_db=plan.example_db,
            token_salt=secrets.token_hex(4),  # tokens of this run differ from every other run's
            concurrency=plan.concurrency,
            max_duration=plan.max_duration,
            **_shard_options(plan),
        )
        if plan.workers > 1:
            if plan.record is not None:
                raise UsageError("--record records one process: use it without --workers")
            from harness.workers import run_in_workers

            return run_in_workers(plan, options)
        return run_engine(plan, options, listener=listener)


def _shard_options(plan: RunPlan) -> dict[str, Any]:
    """A split run's part: by operation where the run has at least as many operations as parts,
    else by case within each operation."""
    if plan.shard is None or plan.shard[1] == 1:
        return {}
    part, parts = plan.shard
    return {"shard_index": part - 1, "shard_count": parts,
            "shard_by": "operation" if len(plan.contracts) >= parts else "case"}  # fmt: skip


def run_engine(plan: RunPlan, options: RunOptions, *, listener: Listener | None = None) -> dict[str, Any]:
    """The engine over ``plan``'s contracts with ``options``, over HTTP (recorded when the plan says)."""
    http: Transport = HttpTransport(timeout=plan.timeout, max_body=plan.max_body, connections=plan.concurrency)
    checks = plan.registry()
    try:
        if plan.record is None:
            engine = Engine(contracts=plan.contracts, transport=http, options=options, checks=checks, listener=listener)
            return engine.run()
        from harness.cassettes import recording

        with recording(plan.record, options=options, contracts=plan.contracts) as recorder:
            transport = recorder.transport(http)
            engine = Engine(
                contracts=plan.contracts,
                transport=transport,
                options=options,
                checks=checks,
                listener=recorder.listener(listener or Listener()),
            )
            document = engine.run()
            recorder.conclude(document)
            return document
    finally:
        http.close()


@contextlib.contextmanager
def live_target(plan: RunPlan) -> Iterator[tuple[str, str | None, aws.SigningKey, str]]:
    """Base URL, provider-states URL, signing key and label of the plan's target."""
    if plan.target == MOCK:
        from harness.mock import STATES_PATH
        from harness.mock.process import mock_process

        credentials = ("AKIAHARNESS" + secrets.token_hex(5).upper(), secrets.token_urlsafe(30))
        with mock_process(credentials=credentials) as url:
            yield (
                url,
                plan.provider_states or url + STATES_PATH,
                signing_key(plan.region, mock_credentials=credentials),
                MOCK,
            )
        return
    url = str(plan.target)
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--target must be an http(s) URL or 'mock', got {url!r}")
    yield url, plan.provider_states, signing_key(plan.region), url


def signing_key(region: str | None, *, mock_credentials: tuple[str, str] | None = None) -> aws.SigningKey:
    """The key requests are signed with: ``mock_credentials``, else botocore's credential chain."""
    chosen_region = aws.region_from(region)
    if mock_credentials is not None:
        return aws.SigningKey(mock_credentials[0], mock_credentials[1], chosen_region)
    from_environment = _environment_credentials(chosen_region)
    if from_environment is not None:
        return from_environment
    import botocore.session

    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        raise UsageError(
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or a profile) for the target, or use --target mock"
        )
    frozen = credentials.get_frozen_credentials()
    if not frozen.access_key or not frozen.secret_key:
        raise UsageError("the AWS credentials found are incomplete: both an access key and a secret key are needed")
    return aws.SigningKey(frozen.access_key, frozen.secret_key, chosen_region, frozen.token)


def _environment_credentials(region: str, environ: Mapping[str, str] = os.environ) -> aws.SigningKey | None:
    """The first link of botocore's credential chain, read as it reads it (``AWS_ACCESS_KEY_ID``,
    ``AWS_SECRET_ACCESS_KEY``, ``AWS_SECURITY_TOKEN`` or else ``AWS_SESSION_TOKEN``), without
    making a botocore session: that costs a tenth of a second of imports, a twentieth of a run
    against a local target, for what CI and most runs give in the environment."""
    access_key, secret_key = environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY")
    if not access_key or not secret_key:
        return None
    token = environ.get("AWS_SECURITY_TOKEN") or environ.get("AWS_SESSION_TOKEN") or None
    return aws.SigningKey(access_key, secret_key, region, token)


# --------------------------------------------------------------------------- replay


def _replay(plan: RunPlan, *, listener: Listener | None, note: Callable[[str], None]) -> dict[str, Any]:
    """The recorded run's answers judged again under the plan's contracts (``plan.replay``):
    nothing is generated or sent; the recording's settings are reported, the plan's not used."""
    from harness.cassettes import NetworkAttempt, replay

    assert plan.replay is not None
    try:
        document, notes = replay(
            plan.replay,
            contracts={c.id: c for c in plan.contracts},
            operations=plan.operations,
            checks=plan.registry(),
            listener=listener,
            max_body=plan.max_body,
        )
    except NetworkAttempt as attempt:
        raise CassetteError(
            f"the replay of {plan.replay} tried to use the network ({attempt}), which a replay never does: "
            "this is a bug of the harness; please report it"
        ) from None
    for text in notes:
        note(text)
    return document
