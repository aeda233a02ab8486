r"""The published compliance report of moto: ``reports/moto/`` (README.md, report.html, results.json).

Run from the repository root:

    scripts/report-moto                               # sets up .venv, then runs this
    .venv/bin/python bench/report_moto.py [--out reports/moto] [--max-examples N] [--seed N]

It starts moto's server (``moto_server -H 127.0.0.1 -p PORT``, the version the dev extra pins)
on a free loopback port, runs ``harness run`` over the operations of ``tests/moto_server.py``
at the default settings but ``--exclude-checks unauthenticated_rejected`` (moto checks no
signature), with made-up credentials, stops moto by its process id, and writes the HTML report,
the results document and ``README.md``: per operation its protocol, the cases sent, the valid
inputs accepted, the rules failed with one reproduction each (the ``curl`` command the reports
give), and the run's time.  It refuses to keep files that hold the credentials or a signature.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.moto_server import CREDENTIALS, LEFT_OUT_CHECKS, MOTO_VERSION, OPERATIONS, TimedRun, timed_run  # noqa: E402

COMMAND = "scripts/report-moto"
#: A reproduction longer than this is left to report.html and results.json (a large body).
MAX_CURL_IN_README = 3000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write reports/moto/: harness run against moto's server.")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "moto", help="default: reports/moto")
    parser.add_argument("--max-examples", type=int, default=None, help="default: the harness's (100)")
    parser.add_argument("--seed", type=int, default=None, help="default: the harness's (0)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    arguments = ["--json", str(out / "results.json"), "--report", str(out / "report.html")]
    if args.max_examples is not None:
        arguments += ["--max-examples", str(args.max_examples)]
    if args.seed is not None:
        arguments += ["--seed", str(args.seed)]
    with tempfile.TemporaryDirectory(prefix="report-moto-") as scratch:
        operations = [operation for operation, _ in OPERATIONS]
        run = timed_run(operations, arguments=arguments, moto_log=Path(scratch) / "moto.log")
    if run.code not in (0, 1):
        print("\n".join(line for _, line in run.progress[-20:]), file=sys.stderr)
        print(f"report-moto: harness run could not run (exit {run.code})", file=sys.stderr)
        return 2
    document = json.loads((out / "results.json").read_text("utf-8"))
    (out / "README.md").write_text(readme(document, run), "utf-8")
    leaked = [path.name for path in (out / name for name in ("README.md", "report.html", "results.json"))
              if any(secret in path.read_text("utf-8") for secret in _secrets())]  # fmt: skip
    if leaked:
        for name in leaked:
            (out / name).unlink()
        print(f"report-moto: {', '.join(leaked)} held a credential or a signature: removed", file=sys.stderr)
        return 2
    print(f"reports written to {out}: README.md, report.html, results.json ({run.seconds:.1f} s, "
          f"{run.requests:,} requests, {run.requests / run.seconds:.0f} requests/s)")  # fmt: skip
    return 0


def _secrets() -> list[str]:
    return [CREDENTIALS["AWS_SECRET_ACCESS_KEY"], CREDENTIALS["AWS_ACCESS_KEY_ID"], "Signature="]


# --------------------------------------------------------------------------- README.md


def readme(document: Mapping[str, Any], run: TimedRun) -> str:
    operations = list(document["operations"])
    counts = document["counts"]
    botocore = {op["contract"].get("imported", {}).get("botocore") for op in operations} - {None}
    lines = [
        f"# moto {MOTO_VERSION} against botocore's models: a compliance report",
        "",
        f"Written by `{COMMAND}` (`.venv/bin/python bench/report_moto.py`); run it again rather than edit.",
        "",
        f"moto {MOTO_VERSION}'s server (`moto_server`) on loopback, {len(operations)} operations imported from "
        f"botocore {', '.join(sorted(botocore))}'s models (SPEC section 7), harness {document['harness_version']}, "
        f"seed {document['seed']}, {document['max_examples']} examples per operation and kind, "
        f"{document['concurrency']} requests in flight, `--exclude-checks {','.join(LEFT_OUT_CHECKS)}` "
        "(moto checks no signature).",
        "",
        f"**{document['verdict'].upper()}**: {counts['cases']:,} cases, {counts['failed']:,} failed, "
        f"{counts['warnings']:,} warnings. The run took {run.seconds:.1f} s from start to exit "
        f"({document['duration_s']:.1f} s sending and judging), {run.requests:,} requests to moto: "
        f"{run.requests / run.seconds:.0f} requests/s.",
        "",
        "The whole story per operation, rule, check and status: [report.html](report.html) (open it in a "
        "browser; each operation folds), and every result in [results.json](results.json).",
        "",
        "| operation | protocol | request | cases | valid inputs accepted | rules failed | rules passed | "
        "rules passed without an accepted start | rules not exercised |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for op in operations:
        rules = _distinct(op["rules"])
        failed = sum(rule["verdict"] == "fail" for rule in rules)
        clean = sum(rule["verdict"] == "pass" and rule.get("accepted_start", True) for rule in rules)
        unstarted = sum(rule["verdict"] == "pass" and rule.get("accepted_start") is False for rule in rules)
        unexercised = sum(rule["verdict"] == "not-exercised" for rule in rules)
        valid = op.get("valid_inputs", {"sent": 0, "accepted": 0})
        lines.append(
            f"| [`{op['id']}`](#{_anchor(op['id'])}) | {op['contract'].get('protocol', '')} | "
            f"`{op['method']} {op['path']}` | {op['counts']['cases']:,} | {valid['accepted']:,} of {valid['sent']:,} "
            f"| {failed} of {len(rules)} | {clean} | {unstarted} | {unexercised} |"
        )
    lines += ["", *_reading(), "", "## Failed rules, one reproduction each", ""]
    lines += [
        "Each failed rule with one of its failures (of accepting or refusing first, the smallest request "
        "first): what was sent, what went wrong, and the "
        "`curl` command that sends it again (it signs from `$AWS_ACCESS_KEY_ID` and `$AWS_SECRET_ACCESS_KEY`: "
        "moto takes any; it names the port moto had in this run: start `moto_server -H 127.0.0.1 -p PORT` on "
        f"it, or change it). A command longer than {MAX_CURL_IN_README:,} characters is in results.json only.",
        "",
    ]
    for op in operations:
        lines += _failed_rules(op)
    return "\n".join(lines).rstrip("\n") + "\n"


def _reading() -> list[str]:
    return [
        "How to read it:",
        "",
        "- *Rules failed*: a documented constraint of the model (a length, a pattern, a range, the valid "
        "values, a required member, a type) whose invalid inputs moto accepted or answered with a 5xx or an "
        "undocumented error, or whose valid inputs it refused so (SPEC 7.1 and 7.2).",
        "- *Valid inputs accepted*: valid inputs that got the success status. An invalid input aimed at one "
        "constraint is the first accepted one changed in that one place (SPEC 7.5).",
        "- *Rules passed without an accepted start*: their invalid inputs were refused, but no valid input had "
        "been accepted, or the accepted one was refused too when sent again (its name is taken once it "
        "exists) and the invalid ones got that same answer: the refusal may be owed to something else than "
        "the rule. A warning, not a clean pass.",
        "- Failures that name no rule (a 500 HTML page for a malformed body, a body that does not match the "
        "model, an error name the model does not document for its status) are in report.html.",
    ]


def _anchor(operation_id: str) -> str:
    return "".join(ch for ch in operation_id.lower() if ch.isalnum() or ch in "-_ ").replace(" ", "-")


def _distinct(rules: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Each rule once: the document lists a rule of a structure used in several places once per place."""
    seen: set[tuple[str, str]] = set()
    distinct = []
    for rule in rules:
        key = (rule["id"], rule.get("pointer", ""))
        if key not in seen:
            seen.add(key)
            distinct.append(rule)
    return distinct


def _failed_rules(op: Mapping[str, Any]) -> list[str]:
    rules = _distinct(op["rules"])
    failed = [rule for rule in rules if rule["verdict"] == "fail"]
    lines = [f"### {op['id']}", "", f"{op['contract'].get('protocol', '')}, `{op['method']} {op['path']}`: "
             f"{len(failed)} of {len(rules)} rules failed.", ""]  # fmt: skip
    if not failed:
        return lines
    lines += ["<details>", f"<summary>{len(failed)} failed rules</summary>", ""]
    for rule in failed:
        reproduction = rule.get("reproduction") or {}
        what = ": ".join(str(reproduction.get(key, "")) for key in ("description", "check", "message"))
        lines.append(f"- `{rule['id']}` ({rule['failures']:,} failures). {_inline(what)}")
        curl = str(reproduction.get("curl", ""))
        if curl and len(curl) <= MAX_CURL_IN_README:
            lines += ["", "  ```sh", f"  {curl}", "  ```", ""]
        elif curl:
            lines.append(f"  (a curl command of {len(curl):,} characters: in results.json)")
    return [*lines, "", "</details>", ""]


def _inline(text: str) -> str:
    """``text`` fit for one Markdown line: no line breaks, no table or code markup of its own."""
    flat = " ".join(text.split())
    flat = flat if len(flat) <= 300 else flat[:299] + "…"
    return flat.replace("|", "\\|").replace("`", "'").replace("<", "&lt;")


if __name__ == "__main__":
    sys.exit(main())
