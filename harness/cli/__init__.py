"""The ``harness`` command: a thin layer that parses arguments and maps outcomes to exit codes.

Exit codes (SPEC section 6): ``run`` 0 conformant, 1 nonconformant, 2 could not run;
``validate`` 0 valid, 1 invalid, 2 could not run.  Every :class:`~harness.errors.HarnessError`
is printed as one clear message, never as a traceback.
"""

from __future__ import annotations

import argparse
import keyword
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any, Protocol

from harness import __version__
from harness.errors import HarnessError

EXIT_COULD_NOT_RUN = 2

#: Sub-commands, each a module of this package with ``add_parser`` and ``run`` (``import``'s is
#: ``import_``: a keyword cannot name a module one imports with ``import``).
COMMANDS = ("run", "mock", "validate", "drift", "import", "report", "list", "completion")


def command_module(name: str) -> Any:
    return import_module(f"harness.cli.{name}_" if keyword.iskeyword(name) else f"harness.cli.{name}")


class Command(Protocol):
    def add_parser(self, subparsers: argparse._SubParsersAction[Any]) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_COULD_NOT_RUN, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="harness",
        description=(
            "Prove an implementation of AWS JSON APIs against contracts that encode the API reference documentation."
        ),
        epilog="Example: harness run --target mock --report report.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMANDS:
        command_module(name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Any = command_module(args.command)
    try:
        status: int = command.run(args)
        return status
    except HarnessError as exc:
        print(f"harness {args.command}: {exc}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        print(f"harness {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (`harness list | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
