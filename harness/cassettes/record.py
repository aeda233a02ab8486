"""``harness run ... --record DIR``: every exchange of a live run, kept as vcrpy cassettes.

:func:`recording` gives a :class:`Recorder`; the transport it wraps (:meth:`Recorder.transport`)
keeps each exchange as it passes, cleaned of secrets (:mod:`~harness.cassettes.filters`): the
request as sent, the answer as read (cut at the size bound, with ``truncated`` when it was), the
time it took (``elapsed``), or the transport's failure when no answer came.  The listener it
wraps (:meth:`Recorder.listener`) hears each result the run keeps, and puts its case beside the
exchange it came from (:mod:`~harness.cassettes.cases`), so that a replay can judge the answer
again with nothing generated; :meth:`Recorder.conclude` notes what the run could not exercise.
The cassettes are written, split by operation, only when the block ends without an exception: a
run that fails or is interrupted writes nothing, and what DIR held before stays as it was.
``run.yaml`` is written last; then the cassettes of a previous recording that the new one no
longer lists are removed.
"""

from __future__ import annotations

import http
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
from vcr.request import Request

from harness import __version__
from harness.aws import SigningKey
from harness.cassettes.cases import Kept, recorded
from harness.cassettes.filters import (
    ELAPSED,
    Secrets,
    redacted_headers,
    redacted_url,
    scrub,
    scrub_text,
    signature_of,
)
from harness.cassettes.manifest import MANIFEST_NAME, Manifest, RecordedOperation
from harness.cassettes.persister import write_atomically, write_cassettes
from harness.contract import Contract
from harness.engine import Listener, RunOptions
from harness.errors import CassetteError
from harness.result import CaseResult, Response, SentRequest
from harness.summary import contract_digest
from harness.target.http import Transport, TransportFailure

#: The member of a recorded response that says no answer came, and why.
FAILURE = "failure"
#: The member of a recorded response that says the answer was cut at the size bound.
TRUNCATED = "truncated"


class Recorder:
    """The exchanges of one recording, and the results the run kept of them.  They are written in
    the order of the run (``SentRequest.sequence``), which is the order sent when one request is
    in flight at a time and not always the order of the answers when several are
    (``--concurrency``): the same run writes the same files."""

    def __init__(self, key: SigningKey, contracts: Sequence[Contract] = ()) -> None:
        self._secrets = Secrets(key)
        self._contracts = {contract.id: contract for contract in contracts}
        self.requests: list[Request] = []
        self.responses: list[dict[str, Any]] = []
        self._sent: list[SentRequest] = []  # as sent: the results name them
        self._positions: dict[int, int] = {}  # id of a request sent -> its exchange
        self._kept: dict[int, Kept] = {}  # exchange -> the results kept of it
        self._places: Counter[str] = Counter()  # results kept so far, per operation
        self._lock = threading.Lock()  # requests in flight are kept from several threads
        self.aborted: str | None = None
        self.budget_spent = False
        self.not_exercised: dict[str, dict[str, str]] = {}  # operation -> scenario -> why

    def transport(self, inner: Transport) -> Transport:
        """``inner``, with every exchange kept here."""
        return _RecordingTransport(inner, self)

    def listener(self, inner: Listener) -> Listener:
        """``inner``, with every result the run keeps noted here too."""

        def on_result(result: CaseResult) -> None:
            inner.on_result(result)
            self.kept(result)

        return Listener(on_phase=inner.on_phase, on_result=on_result)

    def kept(self, result: CaseResult) -> None:
        """The run kept ``result``: its case goes beside the exchange it came from.  A result
        made without a request of its own (a refused provider-state setup) goes beside the last
        exchange that sent the same request."""
        operation = result.case.operation
        place = self._places[operation]
        self._places[operation] += 1
        position = self._positions.get(id(result.request))
        if position is None:
            position = self._last_like(result.request)
        if position is None:
            return  # nothing was sent for it (the run ended first)
        entry = self._kept.setdefault(position, Kept(recorded(result.case, self._contracts.get(operation))))
        entry.places.append(place)
        if result.minimal:
            entry.minimal.add(place)

    def _last_like(self, request: SentRequest) -> int | None:
        for position in range(len(self._sent) - 1, -1, -1):
            sent = self._sent[position]
            if (sent.method, sent.url, sent.body) == (request.method, request.url, request.body):
                return position
        return None

    def conclude(self, document: Mapping[str, Any]) -> None:
        """What the run's results document says it could not do: the scenarios it did not
        exercise, and why; why it ended early."""
        aborted = document.get("aborted")
        self.aborted = aborted if isinstance(aborted, str) else None
        self.budget_spent = document.get("budget_spent") is True
        for operation in document.get("operations", ()):
            self.not_exercised[operation["id"]] = {
                s["name"]: s["reason"] for s in operation["scenarios"] if s["verdict"] == "not-exercised"
            }

    def interactions(self) -> tuple[list[Request], list[dict[str, Any]]]:
        """The requests and responses to write, in the order of the run, each response with what
        the run kept of it."""
        order = sorted(range(len(self._sent)), key=lambda position: (self._sent[position].sequence, position))
        responses = [
            {**self.responses[p], **self._kept[p].to_members()} if p in self._kept else self.responses[p] for p in order
        ]
        return [self.requests[p] for p in order], responses

    def operations(self) -> list[str]:
        """The operation of each interaction, in the order of :meth:`interactions` (of a
        provider-state call, the operation whose phase made it; "" when none did)."""
        order = sorted(range(len(self._sent)), key=lambda position: (self._sent[position].sequence, position))
        return [self._sent[p].operation for p in order]

    def keep(self, request: SentRequest, response: Response | None, failure: TransportFailure | None) -> None:
        secrets, signature = self._secrets, signature_of(request.headers)
        headers = {name: secrets.text(value) for name, value in redacted_headers(request.headers).items()}
        kept = Request(request.method, secrets.text(redacted_url(request.url)), secrets.data(request.body), headers)
        if response is None:
            assert failure is not None
            self._add(
                request,
                kept,
                {
                    "status": {"code": 0, "message": "no answer"},
                    "headers": {},
                    "body": {"string": b""},
                    FAILURE: {"kind": failure.kind, "message": secrets.text(str(failure))},
                },
            )
            return
        recorded: dict[str, Any] = {
            "status": {"code": response.status, "message": _phrase(response.status)},
            "headers": {name: [secrets.text(scrub_text(value, signature))] for name, value in response.headers.items()},
            "body": {"string": secrets.data(scrub(response.body, signature))},
            ELAPSED: round(response.elapsed, 4),
        }
        if response.truncated:
            recorded[TRUNCATED] = True
        self._add(request, kept, recorded)

    def _add(self, sent: SentRequest, request: Request, response: dict[str, Any]) -> None:
        with self._lock:
            self._positions[id(sent)] = len(self._sent)
            self._sent.append(sent)
            self.requests.append(request)
            self.responses.append(response)


class _RecordingTransport:
    def __init__(self, inner: Transport, recorder: Recorder) -> None:
        self._inner = inner
        self._recorder = recorder

    def send(self, request: SentRequest) -> Response:
        try:
            response = self._inner.send(request)
        except TransportFailure as failure:
            if failure.kind != "unreachable":  # an unreachable target ends the run before it starts
                self._recorder.keep(request, None, failure)
            raise
        self._recorder.keep(request, response, None)
        return response

    def close(self) -> None:
        self._inner.close()


@contextmanager
def recording(directory: Path | str, *, options: RunOptions, contracts: Sequence[Contract]) -> Iterator[Recorder]:
    """Record every exchange sent through the recorder's transport inside the block into the
    cassette directory ``directory``, with the case of each result its listener hears.

    ``options`` and ``contracts`` are the run's: they go into ``run.yaml`` for the replay.
    """
    directory = Path(directory)
    contracts = list(contracts)
    _prepare(directory)
    recorder = Recorder(options.key, contracts)
    recorded_at = datetime.now(UTC).isoformat(timespec="seconds")
    yield recorder
    previous = _listed_cassettes(directory)
    written = {
        w.operation: w for w in write_cassettes(directory, recorder.interactions(), contracts, recorder.operations())
    }
    manifest = Manifest(
        harness_version=__version__,
        hypothesis_version=hypothesis.__version__,
        recorded=recorded_at,
        target=options.target_label or options.base_url,
        base_url=options.base_url,
        provider_states=options.provider_states,
        region=options.key.region,
        seed=options.seed,
        max_examples=options.max_examples,
        token_salt=options.token_salt,
        shard_index=options.shard_index,
        shard_count=options.shard_count,
        operations=tuple(
            RecordedOperation(
                id=contract.id,
                contract=contract.file.name,
                contract_digest=contract_digest(contract),
                cassette=written[contract.id].file,
                cassette_digest=written[contract.id].digest,
                interactions=written[contract.id].interactions,
                not_exercised=recorder.not_exercised.get(contract.id, {}),
            )
            for contract in contracts
        ),
        aborted=recorder.aborted,
        budget_spent=recorder.budget_spent,
    )
    try:
        write_atomically(directory / MANIFEST_NAME, manifest.to_yaml().encode("utf-8"))
    except OSError as exc:
        raise CassetteError(f"cannot write {directory / MANIFEST_NAME}: {exc.strerror}") from None
    for stale in previous - set(written_file.file for written_file in written.values()):
        (directory / stale).unlink(missing_ok=True)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _prepare(directory: Path) -> None:
    """Fail before the run, not after it, when ``directory`` cannot hold the recording."""
    if directory.exists() and not directory.is_dir():
        raise CassetteError(f"--record {directory}: a file is in the way; name a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError as exc:
        raise CassetteError(f"--record {directory}: cannot write into the directory ({exc.strerror})") from None


def _listed_cassettes(directory: Path) -> set[str]:
    """The cassettes the directory's current ``run.yaml`` lists (none when it has no readable one)."""
    try:
        return {op.cassette for op in Manifest.read(directory).operations}
    except CassetteError:
        return set()
