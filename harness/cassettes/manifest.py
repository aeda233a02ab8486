"""``run.yaml``: what a replay needs to run a recorded run again.

The settings of the run (seed, examples, region, target, provider-states URL, the salt of its
idempotency tokens, its shard), the versions that generated its cases, why it ended early if it
did, and for each operation its contract's digest, its cassette's file, digest and number of
interactions, and the scenarios the run could not exercise with the reason.  It is written
last, once every cassette is in place, so a directory whose ``run.yaml`` names a cassette holds
that cassette whole.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from harness import __version__
from harness.errors import CassetteError

FORMAT = "harness-cassettes/2"  # 2: each exchange's case beside its answer (cases.py)
MANIFEST_NAME = "run.yaml"

_HEADER = f"""\
# A conformance run recorded by `harness run --record` ({FORMAT}).
# `harness run --replay DIR` judges its answers again, offline, under the contracts as they are then.
"""

T = TypeVar("T")


@dataclass(frozen=True)
class RecordedOperation:
    id: str
    contract: str  # the contract's file name
    contract_digest: str  # summary.contract_digest of the contract the run used
    cassette: str  # file name, in the cassette directory
    cassette_digest: str  # sha256 of the cassette file as written
    interactions: int
    not_exercised: Mapping[str, str] = field(default_factory=dict)  # scenario -> why the run could not


@dataclass(frozen=True)
class Manifest:
    harness_version: str
    hypothesis_version: str
    recorded: str  # ISO 8601 UTC
    target: str  # the run's target label: 'mock' or the URL
    base_url: str
    provider_states: str | None
    region: str
    seed: int
    max_examples: int
    token_salt: str  # mixed into the idempotency tokens: a replay reuses it
    shard_index: int
    shard_count: int
    operations: tuple[RecordedOperation, ...]
    aborted: str | None = None  # why the run ended early, if it did
    budget_spent: bool = False  # it ended at its time budget (--max-duration)
    format: str = FORMAT

    def operation(self, operation_id: str) -> RecordedOperation | None:
        return next((op for op in self.operations if op.id == operation_id), None)

    def record_command(self, directory: Path) -> str:
        """The command that records this run again into ``directory``."""
        parts = ["harness", "run", "--target", "mock" if self.target == "mock" else self.base_url]
        if self.target != "mock" and self.provider_states:
            parts += ["--provider-states", self.provider_states]
        if self.region != "us-east-1":
            parts += ["--region", self.region]
        # (the token salt is drawn anew, and a recording is made by one process: no shard)
        parts += ["--seed", str(self.seed), "--max-examples", str(self.max_examples), "--record", str(directory)]
        return shlex.join(parts)

    def to_yaml(self) -> str:
        data = asdict(self)
        for operation in data["operations"]:
            operation["not_exercised"] = dict(operation["not_exercised"])
        ordered = {"format": data.pop("format"), **data}
        return _HEADER + yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=1000)

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """The manifest of ``directory``; a :class:`CassetteError` saying what to do when there is
        none, or it is not one this harness can replay."""
        path = directory / MANIFEST_NAME
        record = f"record one with `harness run --target URL|mock --record {directory}`"
        if not directory.exists():
            raise CassetteError(f"no cassette directory {directory}: {record}")
        if not directory.is_dir():
            raise CassetteError(f"{directory} is not a cassette directory (it is a file): {record}")
        if not path.is_file():
            raise CassetteError(f"{directory} holds no recorded run ({path} is missing): {record}")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CassetteError(f"cannot read {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CassetteError(f"{path} is not text (not UTF-8); it is damaged: {record} again") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CassetteError(
                f"{path} is not YAML ({yaml_problem(exc)}); it is truncated or damaged: {record} again"
            ) from None
        if not isinstance(data, dict):
            raise CassetteError(f"{path} is not a run manifest (not a YAML mapping): {record} again")
        return cls._from_dict(data, path, record)

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], path: Path, record: str) -> Manifest:
        found = data.get("format")
        if found != FORMAT:
            by = data.get("harness_version", "an unknown version")
            raise CassetteError(
                f"{path} is of format {found!r} (recorded by harness {by}); harness {__version__} replays "
                f"{FORMAT} only: {record} again with this harness"
            )

        def get(source: Mapping[str, Any], name: str, kind: type[T], where: str = "") -> T:
            value = source.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise CassetteError(
                    f"{path}: {where}{name} must be {_KIND_NAMES.get(kind, kind.__name__)}, got {value!r}; "
                    f"the file was edited or damaged: {record} again"
                )
            return value

        raw_operations = get(data, "operations", list)
        operations = []
        for index, raw in enumerate(raw_operations):
            where = f"operations[{index}]."
            if not isinstance(raw, dict):
                raise CassetteError(f"{path}: {where[:-1]} must be a mapping; {record} again")
            operations.append(
                RecordedOperation(
                    id=get(raw, "id", str, where),
                    contract=get(raw, "contract", str, where),
                    contract_digest=get(raw, "contract_digest", str, where),
                    cassette=_plain_name(get(raw, "cassette", str, where), path, record),
                    cassette_digest=get(raw, "cassette_digest", str, where),
                    interactions=get(raw, "interactions", int, where),
                    not_exercised=_reasons(raw.get("not_exercised", {}), f"{path}: {where}not_exercised", record),
                )
            )
        provider_states = data.get("provider_states")
        if provider_states is not None and not isinstance(provider_states, str):
            raise CassetteError(f"{path}: provider_states must be a URL or null, got {provider_states!r}")
        aborted = data.get("aborted")
        if aborted is not None and not isinstance(aborted, str):
            raise CassetteError(f"{path}: aborted must be text or null, got {aborted!r}; {record} again")
        return cls(
            harness_version=get(data, "harness_version", str),
            hypothesis_version=get(data, "hypothesis_version", str),
            recorded=get(data, "recorded", str),
            target=get(data, "target", str),
            base_url=get(data, "base_url", str),
            provider_states=provider_states,
            region=get(data, "region", str),
            seed=get(data, "seed", int),
            max_examples=get(data, "max_examples", int),
            token_salt=get(data, "token_salt", str),
            shard_index=get(data, "shard_index", int),
            shard_count=get(data, "shard_count", int),
            operations=tuple(operations),
            aborted=aborted,
            budget_spent=data.get("budget_spent") is True,
        )


_KIND_NAMES = {str: "a string", int: "a whole number", list: "a list"}


def _reasons(value: Any, where: str, record: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise CassetteError(f"{where} must map scenario names to reasons; it was edited or damaged: {record} again")
    return dict(value)


def _plain_name(name: str, path: Path, record: str) -> str:
    """A cassette's file name, which must stay inside the cassette directory."""
    if not name or Path(name).name != name or name in (".", ".."):
        raise CassetteError(f"{path}: cassette {name!r} is not a file name in the directory; {record} again")
    return name


def yaml_problem(exc: yaml.YAMLError) -> str:
    """One line saying where and why YAML could not be read."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    return f"line {mark.line + 1}: {problem}" if mark is not None else str(problem)
