"""`harness report`: not implemented yet."""

from __future__ import annotations

import argparse

from harness.errors import UsageError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subparsers.add_parser("report", help="(not implemented yet)")


def run(args: argparse.Namespace) -> int:
    raise UsageError("'harness report' is not implemented yet")
