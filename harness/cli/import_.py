"""``harness import ID|SERVICE... | --all``: contracts from botocore's service models (SPEC 7).

One file per operation, ``{service}-{Operation}.json``.  A curated contract (a file of the same
operation without ``x-harness.imported``) is never overwritten without ``--force``: the curated
contract wins, as everywhere.  Exit 0 when every contract asked for was written or kept, 2
when the import could not run (an unknown id or service, a service that speaks no JSON
protocol, a folder that cannot be written).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from harness.errors import UsageError
from harness.importer import (
    ServiceImporter,
    botocore_version,
    contract_file_name,
    document_bytes,
    json_service_names,
    operation_document,
    resolve,
)

DESCRIPTION = """\
Write the contract of AWS JSON operations (restJson1, awsJson1.0, awsJson1.1) from the
installed botocore's service models: one OpenAPI 3.1 file per operation, every model
constraint a rule whose sentence is the model's documentation (SPEC section 7,
docs/imported-contracts.md). Name operations (SERVICE:Operation), whole services, or --all.

A curated contract, written from the API reference page, is never overwritten without
--force. What the importer had to leave out (a pattern ECMA-262 cannot say for certain, an
example that breaks the contract) is listed in each file's x-harness.importNotes."""

EPILOG = """\
examples:
  harness import scheduler:CreateSchedule
  harness import scheduler dynamodb:CreateTable --out ./contracts
  harness import --all --out /tmp/every-contract
  harness import networkflowmonitor:CreateScope --out ./contracts --force

Contracts in a folder other than the bundled one are read with --contracts DIR; an
operation id without a file is imported in memory anyway by run, list and validate.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="write contracts of AWS JSON operations from botocore's service models",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "operations",
        metavar="ID|SERVICE",
        nargs="*",
        help="an operation id (scheduler:CreateSchedule) or a service (scheduler: all its operations)",
    )
    parser.add_argument("--all", action="store_true", help="every operation of every JSON service of botocore")
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("contracts"),
        help="the folder to write to (default: contracts/, created if missing)",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite curated contracts too (files without x-harness.imported)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")


@dataclass
class _Tally:
    written: int = 0
    with_notes: int = 0
    kept: list[Path] = field(default_factory=list)  # curated contracts left as they are


def run(args: argparse.Namespace) -> int:
    if args.all and args.operations:
        raise UsageError("name operations or services, or give --all, not both")
    if not args.all and not args.operations:
        raise UsageError(
            "name what to import: an operation id (scheduler:CreateSchedule), a service (scheduler), or --all"
        )
    wanted = [] if args.all else resolve(args.operations)  # every argument checked before anything is written
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {out}: {exc.strerror or exc}") from None
    existing = _existing_contracts(out)
    tally = _Tally()
    started = time.perf_counter()
    progress = _Progress(sys.stderr, quiet=args.quiet)
    if args.all:
        services = json_service_names()
        for index, service in enumerate(services, 1):
            importer = ServiceImporter(service)  # one service's shapes at a time in memory
            ids = importer.operation_ids
            progress.step(f"[{index}/{len(services)}] {service}: {len(ids)} operations")
            for operation in ids:
                _write(operation, importer.document, out=out, existing=existing, force=args.force, tally=tally)
    else:
        for operation in wanted:
            _write(operation, operation_document, out=out, existing=existing, force=args.force, tally=tally)
    progress.done()
    elapsed = time.perf_counter() - started
    plural = "s" if tally.written != 1 else ""
    print(
        f"harness import: {tally.written} contract{plural} written to {out} from botocore {botocore_version()} "
        f"in {elapsed:.1f} s ({tally.with_notes} with importNotes: what was left out)"
    )
    for file in tally.kept:
        print(
            f"harness import: kept {file}: not an imported contract (no x-harness.imported), and a curated "
            "contract wins; --force overwrites it with the imported one",
            file=sys.stderr,
        )
    return 0


def _existing_contracts(out: Path) -> dict[str, tuple[Path, bool]]:
    """The contracts already in ``out``: id -> (file, imported?)."""
    found: dict[str, tuple[Path, bool]] = {}
    for file in sorted(out.glob("*.json")):
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
            ext = document["x-harness"]
            operation = str(ext["operation"])
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            continue  # not a contract the harness could load: it names no operation
        found.setdefault(operation, (file, "imported" in ext))
    return found


def _write(
    operation: str,
    build: Callable[[str], dict[str, Any]],
    *,
    out: Path,
    existing: dict[str, tuple[Path, bool]],
    force: bool,
    tally: _Tally,
) -> None:
    entry = existing.get(operation)
    if entry is not None:
        file, imported = entry
    else:  # a file there that names no operation is not the importer's to replace either
        file = out / contract_file_name(operation)
        imported = not file.exists()
    if not imported and not force:
        tally.kept.append(file)
        return
    document = build(operation)
    try:
        file.write_bytes(document_bytes(document))
    except OSError as exc:
        raise UsageError(f"cannot write {file}: {exc.strerror or exc}") from None
    tally.written += 1
    tally.with_notes += "importNotes" in document["x-harness"]


class _Progress:
    """One line per service: rewritten in place on a terminal, printed otherwise."""

    def __init__(self, stream: TextIO, *, quiet: bool) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()
        self.shown = False

    def step(self, text: str) -> None:
        if self.quiet:
            return
        line = f"harness import: {text}"
        if self.tty:
            self.stream.write("\r" + line[:100].ljust(100))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.tty and self.shown and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
