"""Faulty variants of the reference mock, and running the harness against one.

:data:`faults.variants.VARIANTS` lists them; :func:`run_against` serves a variant on a free
loopback port and returns the harness' results document for it.  Many runs share one server
(:func:`stage`), and their engines share :class:`RememberedProbes`, the boundary probes of each
contract computed once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from faults.building import Builder, contracts
from faults.client import Client
from faults.middleware import Stage
from faults.variants import CAUGHT, CONTROLS, VARIANTS, Finding, Variant
from harness.aws import SigningKey
from harness.contract import Contract
from harness.engine import Engine, RunOptions
from harness.generation.boundaries import BoundaryProbes, Probe
from harness.mock.server import serve_in_thread
from harness.target.http import HttpTransport

CREDENTIALS = ("AKIDFAULTYMOCK000001", "faulty-mock-secret-key-0123456789")
REGION = "us-east-1"
STATES_PATH = "/_harness/provider-states"


@dataclass(frozen=True)
class Loopback:
    """A server on a free loopback port, serving whatever is on its stage."""

    url: str
    stage: Stage


@contextmanager
def loopback() -> Iterator[Loopback]:
    stage = Stage()
    with serve_in_thread(stage) as url:
        yield Loopback(url, stage)


def run_against(
    variant: Variant, *, seed: int = 0, max_examples: int = 10, on: Loopback | None = None
) -> dict[str, Any]:
    """The results document of a run against ``variant``, with provider states (served ``on``
    a shared server, else on its own)."""
    if on is None:
        with loopback() as own:
            return run_against(variant, seed=seed, max_examples=max_examples, on=own)
    on.stage.app = variant.build(CREDENTIALS)
    chosen = [c for c in contracts().values() if variant.operation in (None, c.id)]
    transport = HttpTransport(timeout=variant.timeout)
    options = RunOptions(
        base_url=on.url,
        key=SigningKey(CREDENTIALS[0], CREDENTIALS[1], REGION),
        provider_states=on.url + STATES_PATH,
        seed=seed,
        max_examples=max_examples,
    )
    try:
        # some 90 runs against two contracts: their boundary probes are computed once each
        return Engine(contracts=chosen, transport=transport, options=options, probes=RememberedProbes).run()
    finally:
        transport.close()
        on.stage.app = None


@contextmanager
def served(build: Builder, *, on: Loopback) -> Iterator[Client]:
    """The app ``build`` makes, on stage ``on``, and a signed client for it."""
    on.stage.app = build(CREDENTIALS)
    client = Client(on.url, credentials=CREDENTIALS, contracts=contracts())
    try:
        yield client
    finally:
        client.close()
        on.stage.app = None


class RememberedProbes:
    """The engine's boundary probes, computed once per contract.

    Probes depend on the contract alone (every draw is seeded), and computing them is a third
    of a run's time; a test of many runs against the same contracts gives the engine this class
    (``Engine(probes=RememberedProbes)``).
    """

    _known: ClassVar[dict[tuple[str, int, str], tuple[Any, tuple[Probe, ...]]]] = {}

    def __init__(self, contract: Contract, base: Any = None) -> None:
        key = (contract.id, id(contract.document), json.dumps(base, sort_keys=True))
        if key not in self._known:
            probes = BoundaryProbes(contract, base)
            self._known[key] = (probes.base, tuple(probes.all()))
        self.base, self._all = self._known[key]

    def all(self) -> list[Probe]:
        return list(self._all)


def failure_groups(document: dict[str, Any], *, severity: str = "failures") -> Iterator[dict[str, Any]]:
    for operation in document["operations"]:
        yield from operation[severity]


def reported(document: dict[str, Any], finding: Finding) -> bool:
    return any(
        group["check"] == finding.check and finding.rule in (None, group["rule"]) for group in failure_groups(document)
    )


__all__ = [
    "CAUGHT",
    "CONTROLS",
    "CREDENTIALS",
    "VARIANTS",
    "Finding",
    "Loopback",
    "RememberedProbes",
    "Variant",
    "failure_groups",
    "loopback",
    "reported",
    "run_against",
    "served",
]
