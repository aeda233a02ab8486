"""``harness run ... --record DIR``: every exchange of a live run, kept as vcrpy cassettes.

:func:`recording` gives a :class:`Recorder`; the transport it wraps (:meth:`Recorder.transport`)
keeps each exchange as it passes, cleaned of secrets (:mod:`~harness.cassettes.filters`): the
request as sent, the answer as read (cut at the size bound, with ``truncated`` when it was), the
time it took (``elapsed``), or the transport's failure when no answer came.  The cassettes are
written, split by operation, only when the block ends without an exception: a run that fails or
is interrupted writes nothing, and what DIR held before stays as it was.  ``run.yaml`` is written
last; then the cassettes of a previous recording that the new one no longer lists are removed.
"""

from __future__ import annotations

import http
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
from vcr.request import Request

from harness import __version__
from harness.aws import SigningKey
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
from harness.engine import RunOptions
from harness.errors import CassetteError, UsageError
from harness.result import Response, SentRequest
from harness.summary import contract_digest
from harness.target.http import Transport, TransportFailure

#: The member of a recorded response that says no answer came, and why.
FAILURE = "failure"
#: The member of a recorded response that says the answer was cut at the size bound.
TRUNCATED = "truncated"


class Recorder:
    """The exchanges of one recording, in the order of the run (``SentRequest.sequence``), which
    is the order sent when one request is in flight at a time, and not always the order of the
    answers when several are (``--concurrency``)."""

    def __init__(self, key: SigningKey) -> None:
        self._secrets = Secrets(key)
        self._kept: list[tuple[int, int, str, Request, dict[str, Any]]] = []
        self._lock = threading.Lock()

    @property
    def requests(self) -> list[Request]:
        return [request for *_, request, _ in sorted(self._kept, key=_order)]

    @property
    def responses(self) -> list[dict[str, Any]]:
        return [response for *_, response in sorted(self._kept, key=_order)]

    @property
    def operations(self) -> list[str]:
        """The operation of each exchange ("" for a provider-state call)."""
        return [operation for _, _, operation, _, _ in sorted(self._kept, key=_order)]

    def _add(self, sent: SentRequest, request: Request, response: dict[str, Any]) -> None:
        with self._lock:
            self._kept.append((sent.sequence, len(self._kept), sent.operation, request, response))

    def transport(self, inner: Transport) -> Transport:
        """``inner``, with every exchange kept here."""
        return _RecordingTransport(inner, self)

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
    cassette directory ``directory``.

    ``options`` and ``contracts`` are the run's: they go into ``run.yaml`` for the replay.  A run
    with an example database (``options.example_db``) cannot be recorded: the examples it holds
    decide which cases run, and a replay cannot have them.
    """
    directory = Path(directory)
    contracts = list(contracts)
    if options.example_db:
        raise UsageError(
            f"--record with an example database ({options.example_db}): the examples it holds change which "
            "cases a run sends, so the recording could not be replayed; record without --example-db "
            "(or without example_db in [tool.harness])"
        )
    _prepare(directory)
    recorder = Recorder(options.key)
    recorded = datetime.now(UTC).isoformat(timespec="seconds")
    yield recorder
    previous = _listed_cassettes(directory)
    interactions = (recorder.requests, recorder.responses)
    written = {w.operation: w for w in write_cassettes(directory, interactions, contracts, recorder.operations)}
    manifest = Manifest(
        harness_version=__version__,
        hypothesis_version=hypothesis.__version__,
        recorded=recorded,
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
            )
            for contract in contracts
        ),
    )
    try:
        write_atomically(directory / MANIFEST_NAME, manifest.to_yaml().encode("utf-8"))
    except OSError as exc:
        raise CassetteError(f"cannot write {directory / MANIFEST_NAME}: {exc.strerror}") from None
    for stale in previous - set(written_file.file for written_file in written.values()):
        (directory / stale).unlink(missing_ok=True)


def _order(kept: tuple[int, int, str, Request, dict[str, Any]]) -> tuple[int, int]:
    return kept[0], kept[1]


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
