"""Configuration: the ``[tool.harness]`` table of the user's ``pyproject.toml``.

::

    [tool.harness]
    target = "http://localhost:4566"
    provider-states = "http://localhost:4566/_harness/provider-states"
    operations = ["networkflowmonitor:CreateScope"]
    max-examples = 50
    seed = 7
    region = "eu-west-1"
    timeout = 5.0
    report = "out/report.html"
    junit = "out/junit.xml"
    json = "out/results.json"
    exclude-checks = ["unauthenticated_rejected"]
    concurrency = 16
    max-duration = 600

The file is the nearest ``pyproject.toml`` in the current directory or its parents (the
project's own; one without a ``[tool.harness]`` table means no configuration), or the file
named by ``--config``.  The table is checked against ``harness/schemas/config.schema.json``:
a misspelt key gets "did you mean", and every problem names the file and the key.  Relative
paths are relative to the file's directory.

The command line overrides each setting.  ``provider-states`` belongs to ``target``: when the
command line names another target (``--target mock`` to try the bundled mock, say), the
configured provider-states URL is not used with it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError

from harness.errors import UsageError
from harness.validator import EcmaValidator

PYPROJECT = "pyproject.toml"
TABLE = "[tool.harness]"
#: Settings that are paths, made relative to the configuration file's directory.
PATH_KEYS = frozenset({"report", "junit", "json"})

#: The ``harness run`` argument (attribute of its ``args``) that each setting fills in.
RUN_ARGUMENTS = {
    "target": "target",
    "provider-states": "provider_states",
    "operations": "operation",
    "max-examples": "max_examples",
    "seed": "seed",
    "region": "region",
    "timeout": "timeout",
    "report": "report",
    "junit": "junit",
    "json": "json",
    "checks": "checks",
    "exclude-checks": "exclude_checks",
    "concurrency": "concurrency",
    "max-duration": "max_duration",
}


@dataclass(frozen=True)
class Config:
    """Settings read from a file, by their key in ``[tool.harness]``; empty without a file."""

    file: Path | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def where(self, key: str) -> str:
        """Where a setting comes from, for messages: ``pyproject.toml [tool.harness] seed``."""
        return f"{self.file} {TABLE} {key}"

    def without(self, *keys: str) -> Config:
        return Config(self.file, {k: v for k, v in self.settings.items() if k not in keys})


@cache
def schema() -> dict[str, Any]:
    """The shipped schema of ``[tool.harness]``."""
    text = resources.files("harness").joinpath("schemas/config.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def known_keys() -> list[str]:
    return list(schema()["properties"])


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` or its parents."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def load_config(file: Path | None = None, *, start: Path | None = None) -> Config:
    """The configuration in ``file`` (which must hold ``[tool.harness]``), else in the nearest
    ``pyproject.toml`` from ``start`` (default: the current directory), else none."""
    if file is None:
        found = find_pyproject(start or Path.cwd())
        if found is None:
            return Config()
        table = _table(found, required=False)
        file = found
    else:
        table = _table(file, required=True)
    if table is None:
        return Config()
    _check(file, table)
    base = file.parent
    settings = {key: (base / value if key in PATH_KEYS else value) for key, value in table.items()}
    return Config(file, settings)


def overlay(given: Mapping[str, Any], config: Config) -> dict[str, Any]:
    """Settings by key: each from ``given`` (the command line) unless it is ``None`` there,
    else from ``config``.  A configured provider-states URL is dropped when ``given`` names
    another target than the configured one."""
    configured = dict(config.settings)
    target = given.get("target")
    if target is not None and "target" in configured and target != configured["target"]:
        configured.pop("provider-states", None)
    return {**configured, **{key: value for key, value in given.items() if value is not None}}


def check_operations(config: Config, known: Iterable[str]) -> None:
    """A :class:`UsageError` naming the file when a configured operation is neither a
    contract's nor one of botocore's JSON operations (which ``harness run`` imports)."""
    from harness.importer import NotImported, operation_document

    ids = sorted(known)
    for operation in config.settings.get("operations", ()):
        if operation not in ids and ":" in operation:
            try:
                operation_document(operation)
            except NotImported:
                pass
            else:
                continue
        if operation not in ids:
            close = difflib.get_close_matches(operation, ids, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known_ids = ", ".join(ids)
            raise UsageError(f"{config.where('operations')}: unknown operation {operation!r}{hint} Known: {known_ids}")


def configure_run(args: argparse.Namespace, *, defaults: Mapping[str, Any]) -> Config:
    """Fill in the ``args`` of ``harness run`` that the command line left unset (``None``):
    from ``[tool.harness]``, else from ``defaults``.  Returns the configuration used."""
    config = load_config(args.config)
    if args.replay is not None:
        config = config.without("target", "provider-states")  # a replay has no live target
    given = {key: getattr(args, dest) for key, dest in RUN_ARGUMENTS.items()}
    settings = overlay(given, config)
    for key, dest in RUN_ARGUMENTS.items():
        value = settings.get(key, defaults.get(dest))
        setattr(args, dest, list(value) if isinstance(value, list) else value)  # never a shared default
    if args.target is None and args.replay is None:
        raise UsageError(
            "one of the arguments --target --replay is required "
            f'(or set target in {TABLE} of {PYPROJECT}, e.g. target = "mock")'
        )
    if given["operations"] is None and "operations" in config.settings:
        from harness.contract import load_contracts

        check_operations(config, load_contracts(args.contracts))
    return config


# --------------------------------------------------------------------------- reading


def _table(file: Path, *, required: bool) -> dict[str, Any] | None:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read the configuration file {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{file} is not a TOML file (not UTF-8 text)") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{file} is not valid TOML: {exc}") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict) or "harness" not in tool:
        if required:
            raise UsageError(f"{file} has no {TABLE} table; see README.md, section Configuration")
        return None
    table = tool["harness"]
    if not isinstance(table, dict):
        raise UsageError(f"{file}: tool.harness must be a table ({TABLE}), got {_toml(table)}")
    return table


def _check(file: Path, table: Mapping[str, Any]) -> None:
    """Every problem of the table in one :class:`UsageError`: unknown keys first, with the
    closest known key, then each value the schema refuses with what was expected."""
    known = known_keys()
    problems = [_unknown(key, known) for key in table if key not in known]
    errors = sorted(_validator().iter_errors({k: v for k, v in table.items() if k in known}), key=_order)
    seen: set[str] = set()
    for error in errors:
        where = _path(error)
        if where not in seen:  # the most specific error of each value is enough
            seen.add(where)
            problems.append(_invalid(where, error))
    if len(problems) == 1:
        raise UsageError(f"{file}: {TABLE} {problems[0]}")
    if problems:
        lines = "".join(f"\n  {problem}" for problem in problems)
        raise UsageError(f"{file}: {len(problems)} problems in {TABLE}:{lines}")


def _unknown(key: str, known: list[str]) -> str:
    normal = key.strip().lower().replace("_", "-")
    close = difflib.get_close_matches(normal, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{key}: unknown key{hint} Known keys: {', '.join(known)}"


def _invalid(where: str, error: ValidationError) -> str:
    key = str(error.absolute_path[0]) if error.absolute_path else where
    expected = schema()["properties"].get(key, {}).get("description", "")
    # A pattern's regular expression says less than the description of what is expected.
    reason = "not valid" if error.validator == "pattern" else error.message
    return f"{where} = {_toml(error.instance)}: {reason}; expected {expected}"


def _path(error: ValidationError) -> str:
    parts = list(error.absolute_path)
    text = str(parts[0]) if parts else "(table)"
    for part in parts[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _order(error: ValidationError) -> tuple[str, int]:
    return (_path(error), -len(error.absolute_path))


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@cache
def _validator() -> Any:
    return EcmaValidator(schema())
