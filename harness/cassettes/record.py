"""``harness run ... --record DIR``: record a live run with vcrpy.

The run is recorded in one vcrpy cassette (record mode ``all``: every exchange goes to the
target and is kept), which is written, split by operation, only when the run is over
(``record_on_exception=False``): a run that fails or is interrupted writes nothing, and what DIR
held before stays as it was.  ``run.yaml`` is written last; then the cassettes of a previous
recording that the new one no longer lists are removed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import hypothesis
import vcr

from harness import __version__
from harness.cassettes.filters import RecordingFilters, sensitive_data
from harness.cassettes.manifest import MANIFEST_NAME, Manifest, RecordedOperation
from harness.cassettes.matchers import MATCH_ON, MATCHER, IndexedCassette, same_exchange
from harness.cassettes.persister import SplittingPersister, write_atomically
from harness.contract import Contract
from harness.engine import RunOptions
from harness.errors import CassetteError, UsageError
from harness.generation.determinism import stable_generation
from harness.summary import contract_digest


@contextmanager
def recording(directory: Path | str, *, options: RunOptions, contracts: Sequence[Contract]) -> Iterator[None]:
    """Record every exchange made inside the block into the cassette directory ``directory``.

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
    filters = RecordingFilters()
    persister = SplittingPersister(directory, contracts)
    recorder = vcr.VCR(
        record_mode="all",
        match_on=MATCH_ON,
        before_record_request=filters.request,
        before_record_response=filters.response,
        filter_sensitive_data=sensitive_data(options.key),
        record_on_exception=False,
    )
    recorder.register_matcher(MATCHER, same_exchange)
    recorder.register_persister(persister)
    recorded = datetime.now(UTC).isoformat(timespec="seconds")
    with stable_generation(), IndexedCassette.use(**recorder.get_merged_config(path=str(directory))):
        yield
    if not persister.written:  # nothing was sent: vcrpy saves only a cassette with interactions
        persister.save_cassette(str(directory), {"requests": [], "responses": []})
    previous = _listed_cassettes(directory)
    written = {w.operation: w for w in persister.written}
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
    for stale in previous - {w.file for w in persister.written}:
        (directory / stale).unlink(missing_ok=True)


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
