"""``harness run``: prove an implementation against the contracts."""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import aws
from harness.cli.progress import Progress
from harness.config import configure_run
from harness.contract import Contract, load_contracts
from harness.engine import Engine, RunOptions
from harness.errors import UsageError
from harness.target.http import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, HttpTransport

EXIT_CONFORMANT = 0
EXIT_NONCONFORMANT = 1
#: Used when neither the command line nor [tool.harness] of pyproject.toml sets them.
DEFAULTS = {"operation": [], "seed": 0, "max_examples": 100, "timeout": DEFAULT_TIMEOUT}

EXAMPLES = """\
examples:
  harness run --target mock --report report.html
  harness run --target http://localhost:4566 --provider-states http://localhost:4566/_states \\
              --operation detective:StartMonitoringMember --junit conformance.xml
  harness run --replay cassettes/mock-run --report replay.html

exit status: 0 conformant, 1 nonconformant, 2 could not run
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="send generated requests to a target and judge its answers against the contracts",
        description=(
            "Generate valid requests and requests aimed at every documented constraint, send "
            "them (SigV4-signed) to a target, and check every answer against the contracts."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group()  # one is required: run() checks, after [tool.harness]
    where.add_argument(
        "--target", metavar="URL|mock", help="the implementation to test, or 'mock' for the bundled reference mock"
    )
    where.add_argument(
        "--replay",
        metavar="DIR",
        type=Path,
        help="answer from the cassettes in DIR instead of a live target (offline); the recording's "
        "seed, examples, region and provider states are used, those options are ignored",
    )
    parser.add_argument(
        "--provider-states", metavar="URL", help="the target's provider-states endpoint (SPEC section 5)"
    )
    parser.add_argument(
        "--operation",
        metavar="ID",
        action="append",
        default=None,
        help="run only this operation (repeatable), e.g. detective:StartMonitoringMember",
    )
    parser.add_argument("--region", help="SigV4 region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)")
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of the generated cases; the same seed repeats the run (default 0)"
    )
    parser.add_argument(
        "--max-examples",
        type=_positive,
        default=None,
        metavar="N",
        help="generated bodies per operation and kind (default 100)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"per-request timeout (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-body",
        type=_positive,
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help="largest answer read (default 1 MiB)",
    )
    parser.add_argument("--report", type=Path, metavar="FILE.html", help="write the HTML compliance report")
    parser.add_argument("--junit", type=Path, metavar="FILE.xml", help="write JUnit XML for CI")
    parser.add_argument("--json", type=Path, metavar="FILE.json", help="write every result (documented format)")
    parser.add_argument("--record", type=Path, metavar="DIR", help="record every exchange as vcrpy cassettes in DIR")
    parser.add_argument(
        "--contracts", type=Path, metavar="DIR", help="load contracts from DIR instead of the bundled ones"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read [tool.harness] from FILE (default: the nearest pyproject.toml); the command line overrides it",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="split the run over N processes (default 1); idempotency and provider states run after them, "
        "in one more process; results are merged",
    )
    parser.add_argument(
        "--example-db",
        metavar="DIR|redis://HOST",
        help="Hypothesis example database shared by workers and runs: failures found before are tried first",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def select(contracts: dict[str, Contract], wanted: list[str]) -> list[Contract]:
    """The contracts named by ``--operation`` (all when none is named); an operation of
    botocore's without a contract file is imported in memory, which standard error says."""
    from harness.cli.validate import say_imported
    from harness.importer import find_contract  # one place for "unknown operation, did you mean"

    if not wanted:
        return list(contracts.values())
    return [find_contract(contracts, name, on_import=lambda c: say_imported("run", c)) for name in wanted]


def signing_key(region: str | None, *, mock_credentials: tuple[str, str] | None = None) -> aws.SigningKey:
    chosen_region = aws.region_from(region)
    if mock_credentials is not None:
        return aws.SigningKey(mock_credentials[0], mock_credentials[1], chosen_region)
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


@contextlib.contextmanager
def _target(args: argparse.Namespace) -> Iterator[tuple[str, str | None, aws.SigningKey, str]]:
    """Base URL, provider-states URL, signing key and label of the target."""
    if args.target == "mock":
        from harness.cli.mock_process import mock_process

        credentials = ("AKIAHARNESS" + secrets.token_hex(5).upper(), secrets.token_urlsafe(30))
        with mock_process(credentials=credentials) as url:
            yield (
                url,
                args.provider_states or f"{url}/_harness/provider-states",
                signing_key(args.region, mock_credentials=credentials),
                "mock",
            )
        return
    url = str(args.target)
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--target must be an http(s) URL or 'mock', got {url!r}")
    yield url, args.provider_states, signing_key(args.region), url


def run(args: argparse.Namespace) -> int:
    configure_run(args, defaults=DEFAULTS)  # [tool.harness] of pyproject.toml, under the command line
    contracts = select(load_contracts(args.contracts), args.operation)
    if args.replay is not None:
        from harness.cassettes import replay_run

        document = replay_run(args.replay, contracts=contracts, args=args)
    else:
        with _target(args) as (url, states, key, label):
            document = _live_run(args, contracts, url, states, key, label)
    _write_outputs(args, document)
    return EXIT_NONCONFORMANT if document["verdict"] == "nonconformant" else EXIT_CONFORMANT


def _live_run(
    args: argparse.Namespace, contracts: list[Contract], url: str, states: str | None, key: aws.SigningKey, label: str
) -> dict[str, Any]:
    options = RunOptions(
        base_url=url,
        key=key,
        provider_states=states,
        seed=args.seed,
        max_examples=args.max_examples,
        target_label=label,
        example_db=args.example_db,
        token_salt=secrets.token_hex(4),
    )
    if args.workers > 1:
        if args.record is not None:
            raise UsageError("--record records one process: use it without --workers")
        from harness.cli.workers import run_in_workers

        print(f"harness: running in {args.workers} worker processes", file=sys.stderr)
        return run_in_workers(
            workers=args.workers,
            options=options,
            operations=[c.id for c in contracts],
            contracts_dir=args.contracts,
            timeout=args.timeout,
            max_body=args.max_body,
        )
    progress = Progress(quiet=args.quiet)
    transport = HttpTransport(timeout=args.timeout, max_body=args.max_body)
    try:
        if args.record is not None:
            from harness.cassettes import recording

            with recording(args.record, options=options, contracts=contracts):
                return Engine(
                    contracts=contracts, transport=transport, options=options, listener=progress.listener()
                ).run()
        return Engine(contracts=contracts, transport=transport, options=options, listener=progress.listener()).run()
    finally:
        progress.close()
        transport.close()


def _write_outputs(args: argparse.Namespace, document: dict[str, Any]) -> None:
    from harness.reporting.console import color_wanted, render_console

    print(render_console(document, color=color_wanted(sys.stdout)), end="")
    for path in (args.json, args.junit, args.report):
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot create the folder of {path}: {exc.strerror}") from None
    if args.json:
        from harness.reporting.json_file import write_json

        write_json(document, args.json)
        print(f"results written to {args.json}")
    if args.junit:
        from harness.reporting.junit import write_junit

        write_junit(document, args.junit)
        print(f"JUnit XML written to {args.junit}")
    if args.report:
        from harness.reporting.html import write_html

        write_html(document, args.report)
        print(f"HTML report written to {args.report}")
