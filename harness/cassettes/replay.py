"""``harness run --replay DIR``: the recorded run again, answered from the cassettes.

The engine runs again with the recording's settings (seed, examples, region, target and
provider-states URLs, token salt and shard, from ``run.yaml``) and the *current* contracts, so it
sends the same requests in the same order; :class:`ReplayTransport` answers each from the
cassettes, which it reads through vcrpy's serialization and indexes itself, and the checks judge
the answers as in the live run.  Nothing reaches the network: the transport has no connection
to make, and the socket guard (:mod:`~harness.cassettes.guard`) turns any connection or name
lookup into an error.

When the contracts changed since the recording, the recorded answers are judged under the new
ones, and the output says which changed (:func:`choose`).  A request the replay sends that the
cassettes lack (the contracts, the case generation or Hypothesis changed) stops the run
(:class:`NotRecorded`, a :class:`~harness.engine.RunStopped`) with a description naming the
operation, the request and the closest recorded ones, and how to record again: exit status 2,
"could not run", since the recording cannot tell how the target would have answered, which is
neither a pass nor a failure of it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis

from harness import __version__
from harness.cassettes.filters import ELAPSED, redacted_headers, redacted_url
from harness.cassettes.guard import no_network
from harness.cassettes.manifest import Manifest
from harness.cassettes.matchers import (
    ExchangeKey,
    Recorded,
    closest_recorded,
    describe_request,
    key_of_recorded,
    key_of_sent,
    shorten,
)
from harness.cassettes.persister import read_cassette
from harness.cassettes.record import FAILURE, TRUNCATED
from harness.contract import Contract
from harness.engine import RunStopped
from harness.errors import CassetteError
from harness.result import Response, SentRequest
from harness.summary import contract_digest
from harness.target.http import TransportFailure

#: The replay signs its requests (as the live run did) with a made-up key: no credential is
#: needed, and the signatures are never compared.
REPLAY_ACCESS_KEY = "AKIDREPLAYNOTASECRET"
REPLAY_SECRET_KEY = "a-replay-needs-no-credentials"


@contextmanager
def answers_from(
    directory: Path,
    *,
    contracts: Sequence[Contract],
    manifest: Manifest | None = None,
    max_body: int | None = None,
) -> Iterator[ReplayTransport]:
    """A transport answering from the cassettes of ``contracts``' operations in ``directory``,
    with the network off: a request that the cassettes lack raises :class:`NotRecorded`."""
    manifest = manifest or Manifest.read(directory)
    again = f"record the run again: {manifest.record_command(directory)}"
    exchanges: list[tuple[ExchangeKey, str, dict[str, Any]]] = []
    for contract in contracts:
        recorded = manifest.operation(contract.id)
        if recorded is None:
            raise CassetteError(f"{directory} holds no recording of {contract.id}: {again}")
        requests, responses = read_cassette(
            directory / recorded.cassette,
            again=again,
            expected_digest=recorded.cassette_digest,
            expected_interactions=recorded.interactions,
        )
        exchanges += [
            (key_of_recorded(request), request.uri, response)
            for request, response in zip(requests, responses, strict=True)
        ]
    with no_network():
        yield ReplayTransport(exchanges, contracts, max_body=max_body)


def choose(
    manifest: Manifest, contracts: dict[str, Contract], operations: Sequence[str], directory: Path
) -> tuple[list[Contract], list[Contract], list[str]]:
    """The contracts to replay, those of them changed since the recording, and notes."""
    recorded = [op.id for op in manifest.operations]
    notes: list[str] = []
    for wanted in operations:
        if wanted not in recorded:
            raise CassetteError(
                f"{directory} holds no recording of {wanted}; it recorded {', '.join(recorded) or 'nothing'}. "
                f"Record {wanted} with: harness run --target URL|mock --operation {wanted} --record DIR"
            )
    ids = list(operations) or recorded
    gone = [op for op in ids if op not in contracts]
    if gone:
        raise CassetteError(
            f"{directory} recorded {', '.join(gone)}, for which there is no contract now "
            f"(contracts: {', '.join(sorted(contracts)) or 'none'}); replay the others with --operation, "
            f"or record the run again: {manifest.record_command(directory)}"
        )
    if not operations:
        unrecorded = sorted(set(contracts) - set(recorded))
        if unrecorded:
            notes.append(
                f"{', '.join(unrecorded)} {'has' if len(unrecorded) == 1 else 'have'} a contract but no recording "
                f"in {directory}: not replayed"
            )
    chosen = [contracts[op] for op in ids]
    changed = []
    for contract in chosen:
        entry = manifest.operation(contract.id)
        assert entry is not None
        now = contract_digest(contract)
        if now != entry.contract_digest:
            changed.append(contract)
            notes.append(
                f"the contract of {contract.id} ({contract.file.name}) changed since the recording "
                f"({entry.contract_digest[:19]}… then, {now[:19]}… now): the recorded answers are judged "
                "under the current contract"
            )
    if manifest.harness_version != __version__ or manifest.hypothesis_version != hypothesis.__version__:
        notes.append(
            f"recorded by harness {manifest.harness_version} with Hypothesis {manifest.hypothesis_version}; "
            f"this is harness {__version__} with Hypothesis {hypothesis.__version__}"
        )
    return chosen, changed, notes


def why_requests_change(manifest: Manifest, changed: Sequence[Contract]) -> str:
    facts = []
    if changed:
        facts.append(f"the contracts of {', '.join(c.id for c in changed)} changed since the recording")
    if manifest.harness_version != __version__:
        facts.append(f"it was recorded by harness {manifest.harness_version}, this is {__version__}")
    if manifest.hypothesis_version != hypothesis.__version__:
        facts.append(f"it was recorded with Hypothesis {manifest.hypothesis_version}, this is {hypothesis.__version__}")
    known = "; here " + "; ".join(facts) if facts else ""
    return (
        "The requests of a run change when the contracts, the harness's case generation or Hypothesis change"
        + known
        + "."
    )


@dataclass(frozen=True)
class Miss:
    """A request the replay sent that the cassettes do not hold."""

    operation: str
    key: ExchangeKey
    url: str
    closest: list[Recorded]
    answered: int  # interactions answered before it

    def describe(self, directory: Path, explanation: str, again: str) -> str:
        lines = [
            f"{directory} holds no answer for a request this replay sends, so the replay stopped there "
            f"(after {self.answered} answered; a replay never uses the network):",
            f"  operation: {self.operation}",
            f"  request:   {describe_request(self.key, self.url)}",
            f"  body:      {shorten(self.key.body)}",
        ]
        if self.closest:
            lines.append("  closest recorded requests to the same method and path:")
            lines += [f"    {rank}. {recorded.describe()}" for rank, recorded in enumerate(self.closest, 1)]
        else:
            lines.append("  no recorded request has this method and path")
        lines += [explanation, again[0].upper() + again[1:]]
        return "\n".join(lines)


class NotRecorded(RunStopped):
    """A request the cassettes lack: the replay stops there."""

    def __init__(self, miss: Miss) -> None:
        self.miss = miss
        super().__init__(miss.operation)


class ReplayTransport:
    """Answers each request from the recorded exchanges: the first not yet played of those with
    the same :class:`~harness.cassettes.matchers.ExchangeKey`, each once, with the time the
    recorded one took."""

    def __init__(
        self,
        exchanges: Sequence[tuple[ExchangeKey, str, Mapping[str, Any]]],
        contracts: Sequence[Contract],
        *,
        max_body: int | None = None,
    ) -> None:
        self._exchanges = exchanges
        self._unplayed: dict[ExchangeKey, deque[int]] = {}
        for position, (key, _, _) in enumerate(exchanges):
            self._unplayed.setdefault(key, deque()).append(position)
        self._played: set[int] = set()
        self._operation = contracts[0].id if contracts else "(none)"
        self._max_body = max_body
        self._stopped: NotRecorded | None = None

    @property
    def interactions(self) -> int:
        """Recorded interactions."""
        return len(self._exchanges)

    @property
    def played(self) -> int:
        """Recorded interactions answered so far."""
        return len(self._played)

    def send(self, request: SentRequest) -> Response:
        if self._stopped is not None:
            raise self._stopped  # after a miss, every request names the first one
        operation = request.operation
        self._operation = operation or self._operation
        key = key_of_sent(
            SentRequest(request.method, redacted_url(request.url), redacted_headers(request.headers), request.body)
        )
        waiting = self._unplayed.get(key)
        if not waiting:
            where = self._operation if operation else f"{self._operation} (a provider-state call)"
            closest = closest_recorded(key, [k for k, _, _ in self._exchanges], played=self._played)
            self._stopped = NotRecorded(Miss(where, key, request.url, closest, self.played))
            raise self._stopped
        position = waiting.popleft()
        self._played.add(position)
        return _answer(self._exchanges[position][2], self._max_body)

    def close(self) -> None:
        """Nothing to close: no connection was ever made."""


def _answer(recorded: Mapping[str, Any], max_body: int | None) -> Response:
    failure = recorded.get(FAILURE)
    if isinstance(failure, dict):
        raise TransportFailure(str(failure.get("kind", "reset")), str(failure.get("message", "no answer")))
    body = _bytes(recorded["body"]["string"])
    truncated = bool(recorded.get(TRUNCATED))
    if max_body is not None and len(body) > max_body:
        body, truncated = body[:max_body], True
    elapsed = recorded.get(ELAPSED)
    return Response(
        status=int(recorded["status"]["code"]),
        headers={name: ", ".join(values) for name, values in recorded["headers"].items()},
        body=body,
        elapsed=float(elapsed) if isinstance(elapsed, int | float) and not isinstance(elapsed, bool) else 0.0,
        truncated=truncated,
    )


def _bytes(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body or b"")
