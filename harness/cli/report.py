"""`harness report`: rebuild the HTML report (and JUnit XML) from results files written by
``harness run --json``; several files merge into one report."""

from __future__ import annotations

import argparse
import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from harness.errors import UsageError
from harness.reporting import merge, write_html, write_json, write_junit
from harness.reporting.merge import parts_problem
from harness.result import RESULTS_FORMAT, load_results

EXAMPLE = """\
Examples:
  harness report results.json -o report.html
  harness report create-scope.json start-monitoring.json -o report.html --junit junit.xml
  harness report part-1.json part-2.json part-3.json --json all.json --report all.html

Several results files are merged: operations are listed together, and an operation in
more than one file has its counts added and its verdicts combined (a failure anywhere
stays a failure).  The parts of a split run (the run command's --shard K/N) merge into the
one verdict of the whole run; every part must be there, all of the same run.
Exit status: 0 conformant, 1 nonconformant, 2 could not (a file that is not a results
file, or parts of different runs).
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report",
        help="rebuild the HTML report from results files (harness run --json)",
        description=(
            "Rebuild the HTML report, and optionally JUnit XML, from one or more results "
            "files written by 'harness run --json'."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("results", nargs="+", type=Path, metavar="FILE.json", help="results files to report on")
    parser.add_argument(
        "-o",
        "--output",
        "--report",
        dest="output",
        type=Path,
        metavar="FILE.html",
        help="where to write the HTML report",
    )
    parser.add_argument("--junit", type=Path, metavar="FILE.xml", help="also write JUnit XML for CI test viewers")
    parser.add_argument("--json", type=Path, metavar="FILE.json", help="also write the merged results document")


def run(args: argparse.Namespace) -> int:
    documents = [_load(path) for path in args.results]
    problem = parts_problem(documents, [str(path) for path in args.results])
    if problem is not None:
        raise UsageError(problem)
    if args.output is None and args.junit is None and args.json is None:
        raise UsageError("nothing to write: give --report FILE.html, --junit FILE.xml or --json FILE.json")
    document = merge(documents)
    written = []
    if args.output is not None:
        write_html(document, args.output)
        written.append(str(args.output))
    if args.junit is not None:
        write_junit(document, args.junit)
        written.append(str(args.junit))
    if args.json is not None:
        write_json(document, args.json)
        written.append(str(args.json))
    counts = document["counts"]
    print(
        f"{document['verdict']}: {counts['cases']:,} cases, {counts['failed']:,} failed, "
        f"{counts['not_exercised']:,} not exercised; wrote {', '.join(written)}",
        file=sys.stdout,
    )
    return 1 if document["verdict"] == "nonconformant" else 0


def _load(path: Path) -> dict[str, Any]:
    """A results file, checked against the documented format so that a damaged or foreign
    file is a clear message, not a traceback in the middle of a writer."""
    document = load_results(path)
    error = best_match(_validator().iter_errors(document))
    if error is not None:
        where = "/" + "/".join(str(part) for part in error.absolute_path)
        message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
        raise UsageError(f"{path} does not follow the results format {RESULTS_FORMAT} at {where}: {message}") from None
    return document


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("harness").joinpath("schemas/results.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))
