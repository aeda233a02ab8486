"""``harness run --replay DIR``: the recorded run again, answered from the cassettes.

The engine runs again with the recording's settings (seed, examples, region, target and
provider-states URLs, token salt and shard, from ``run.yaml``) and the *current* contracts, so it sends the same
requests in the same order; vcrpy answers each from the cassettes (record mode ``none``), and
the checks judge the answers as in the live run.  Nothing reaches the network: vcrpy never
connects for a recorded request and refuses any other, and the socket guard
(:mod:`~harness.cassettes.guard`) turns any connection or name lookup into an error.

When the contracts changed since the recording, the recorded answers are judged under the new
ones, and the output says which changed.  A request the replay sends that the cassettes lack
(the contracts, the case generation or Hypothesis changed) ends the replay with a
:class:`~harness.errors.CassetteError` naming the operation, the request and the closest
recorded ones, and how to record again: exit status 2, "could not run", since the recording
cannot tell how the target would have answered, which is neither a pass nor a failure of it.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import hypothesis
import vcr
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request

from harness import __version__
from harness.aws import SigningKey
from harness.cassettes.filters import ELAPSED, redact_request
from harness.cassettes.guard import NetworkAttempt, no_network
from harness.cassettes.manifest import Manifest
from harness.cassettes.matchers import (
    MATCH_ON,
    MATCHER,
    IndexedCassette,
    Recorded,
    closest_recorded,
    describe_request,
    same_exchange,
    shorten,
)
from harness.cassettes.persister import LoadedPersister, read_cassette
from harness.contract import Contract
from harness.engine import Engine, RunOptions
from harness.errors import CassetteError
from harness.generation.determinism import stable_generation
from harness.result import Response, SentRequest
from harness.summary import contract_digest
from harness.target.http import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, HttpTransport

#: The replay signs its requests (as the live run did) with a made-up key: no credential is
#: needed, and the signatures are never compared.
REPLAY_ACCESS_KEY = "AKIDREPLAYNOTASECRET"
REPLAY_SECRET_KEY = "a-replay-needs-no-credentials"


def replay_run(
    directory: Path | str, *, contracts: Iterable[Contract], args: argparse.Namespace | None = None
) -> dict[str, Any]:
    """``harness run --replay DIR``: the results document of the replay; notes on stderr.

    From ``args``: ``--operation`` (replay only those; default: every recorded operation) and
    ``--max-body``.  The other settings are the recording's: ``--seed`` and the like are ignored.
    """
    document = replay_recording(
        Path(directory),
        contracts=contracts,
        operations=list(getattr(args, "operation", None) or []),
        max_body=getattr(args, "max_body", DEFAULT_MAX_BODY),
    )
    for note in document["replay"]["notes"]:
        print(f"harness run: note: {note}", file=sys.stderr)
    return document


def replay_recording(
    directory: Path,
    *,
    contracts: Iterable[Contract],
    operations: Sequence[str] = (),
    max_body: int = DEFAULT_MAX_BODY,
) -> dict[str, Any]:
    """Replay the recording in ``directory``: the results document, with a ``replay`` member
    (the cassettes, when and by what they were recorded, the contracts that changed, notes)."""
    manifest = Manifest.read(directory)
    chosen, changed, notes = _choose(manifest, {c.id: c for c in contracts}, operations, directory)
    options = RunOptions(
        base_url=manifest.base_url,
        key=SigningKey(REPLAY_ACCESS_KEY, REPLAY_SECRET_KEY, manifest.region),
        provider_states=manifest.provider_states,
        seed=manifest.seed,
        max_examples=manifest.max_examples,
        target_label=f"replay:{directory}",
        shard_index=manifest.shard_index,
        shard_count=manifest.shard_count,
        example_db=None,  # the recorded run had none either
        token_salt=manifest.token_salt,
    )
    with (
        stable_generation(),
        answers_from(directory, contracts=chosen, manifest=manifest, max_body=max_body) as transport,
    ):
        try:
            document = Engine(contracts=chosen, transport=transport, options=options).run()
        except NotRecorded as missing:
            explanation = _why_requests_change(manifest, changed)
            again = f"record the run again: {manifest.record_command(directory)}"
            raise CassetteError(missing.miss.describe(directory, explanation, again)) from None
        except NetworkAttempt as attempt:
            raise CassetteError(
                f"the replay of {directory} tried to use the network ({attempt}), which a replay never does: "
                "this is a bug of the harness; please report it"
            ) from None
    unplayed = transport.interactions - transport.played
    if unplayed and len(chosen) < len(manifest.operations):
        notes.append(
            f"{unplayed} of the {transport.interactions} recorded interactions were not asked for: the "
            "recording also ran operations this replay leaves out, whose provider states were set while "
            "the requests of the replayed ones were sent (or the cases changed since the recording)"
        )
    elif unplayed:
        notes.append(
            f"{unplayed} of the {transport.interactions} recorded interactions were not asked for: the cases "
            f"changed since the recording; to judge the current cases in full, record the run again: "
            f"{manifest.record_command(directory)}"
        )
    document["replay"] = {
        "cassettes": str(directory),
        "recorded": manifest.recorded,
        "recorded_by": f"harness {manifest.harness_version}, Hypothesis {manifest.hypothesis_version}",
        "interactions": transport.interactions,
        "played": transport.played,
        "contracts_changed": [c.id for c in changed],
        "notes": notes,
    }
    return document


@contextmanager
def answers_from(
    directory: Path,
    *,
    contracts: Sequence[Contract],
    manifest: Manifest | None = None,
    max_body: int = DEFAULT_MAX_BODY,
) -> Iterator[ReplayTransport]:
    """A transport answering from the cassettes of ``contracts``' operations in ``directory``,
    with the network off: a request that the cassettes lack raises :class:`NotRecorded`."""
    manifest = manifest or Manifest.read(directory)
    again = f"record the run again: {manifest.record_command(directory)}"
    requests: list[Request] = []
    responses: list[dict[str, Any]] = []
    for contract in contracts:
        recorded = manifest.operation(contract.id)
        if recorded is None:
            raise CassetteError(f"{directory} holds no recording of {contract.id}: {again}")
        part = read_cassette(
            directory / recorded.cassette,
            again=again,
            expected_digest=recorded.cassette_digest,
            expected_interactions=recorded.interactions,
        )
        requests += part[0]
        responses += part[1]
    player = vcr.VCR(record_mode="none", match_on=MATCH_ON, before_record_request=redact_request)
    player.register_matcher(MATCHER, same_exchange)
    player.register_persister(LoadedPersister((requests, responses)))
    config = player.get_merged_config(path=str(directory), allow_playback_repeats=False)
    with no_network(), IndexedCassette.use(**config) as cassette:
        transport = ReplayTransport(HttpTransport(timeout=DEFAULT_TIMEOUT, max_body=max_body), cassette, contracts)
        try:
            yield transport
        finally:
            transport.close()


def _choose(
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


def _why_requests_change(manifest: Manifest, changed: Sequence[Contract]) -> str:
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
    request: Request
    closest: list[Recorded]
    answered: int  # interactions answered before it

    def describe(self, directory: Path, explanation: str, again: str) -> str:
        lines = [
            f"{directory} holds no answer for a request this replay sends, so the replay stopped there "
            f"(after {self.answered} answered; a replay never uses the network):",
            f"  operation: {self.operation}",
            f"  request:   {describe_request(self.request)}",
            f"  body:      {shorten(_body(self.request))}",
        ]
        if self.closest:
            lines.append("  closest recorded requests to the same method and path:")
            lines += [f"    {rank}. {recorded.describe()}" for rank, recorded in enumerate(self.closest, 1)]
        else:
            lines.append("  no recorded request has this method and path")
        lines += [explanation, again[0].upper() + again[1:]]
        return "\n".join(lines)


class NotRecorded(BaseException):
    """A request the cassettes lack: stops the engine at once (a ``BaseException``, or Hypothesis
    would take it for a failing example and shrink it, sending more requests)."""

    def __init__(self, miss: Miss) -> None:
        self.miss = miss
        super().__init__(miss.operation)


class ReplayTransport:
    """The engine's HTTP transport under vcrpy, telling a missing answer from a failed one, and
    giving each answer the time the recorded one took."""

    def __init__(self, http: HttpTransport, cassette: IndexedCassette, contracts: Sequence[Contract]) -> None:
        self._http = http
        self._cassette = cassette
        self._routes = {(c.method.upper(), c.path): c.id for c in contracts}
        self._operation = contracts[0].id if contracts else "(none)"

    @property
    def interactions(self) -> int:
        """Recorded interactions."""
        return len(self._cassette)

    @property
    def played(self) -> int:
        """Recorded interactions answered so far."""
        return int(self._cassette.play_count)

    def send(self, request: SentRequest) -> Response:
        operation = self._routes.get((request.method.upper(), urlsplit(request.url).path))
        self._operation = operation or self._operation
        self._cassette.last_played = None
        try:
            response = self._http.send(request)
        except CannotOverwriteExistingCassetteException as missing:
            wanted = redact_request(copy.deepcopy(missing.failed_request))
            closest = closest_recorded(wanted, self._cassette.requests, played=set(self._cassette.play_counts))
            where = self._operation if operation else f"{self._operation} (a provider-state call)"
            raise NotRecorded(Miss(where, wanted, closest, self._cassette.play_count)) from None
        recorded = self._cassette.last_played
        elapsed = recorded.get(ELAPSED) if recorded is not None else None
        if isinstance(elapsed, int | float) and not isinstance(elapsed, bool):
            return replace(response, elapsed=float(elapsed))
        return response

    def close(self) -> None:
        self._http.close()


def _body(request: Request) -> bytes:
    body = request.body
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body or b"")
