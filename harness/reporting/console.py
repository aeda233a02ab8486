"""The end-of-run summary for the terminal: the verdict, the counts, and each failure group
with its documentation sentence, message and curl reproduction.

Everything a target or a fuzzer produced is printed with control characters escaped, so an
answer carrying terminal escape sequences cannot move the cursor or recolour the screen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from harness.reporting._view import (
    duration,
    escape_invisible,
    operation_verdict,
    operations_failing_first,
    plural,
    replay_facts,
)

#: Failure groups printed per operation; the HTML report has the rest.
MAX_GROUPS_SHOWN = 20
#: A longer curl command is cut (the HTML and JSON reports have it whole).
MAX_CURL_SHOWN = 2_000

_STYLES = {
    "fail": "\x1b[1;31m",
    "pass": "\x1b[1;32m",
    "skip": "\x1b[33m",
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
}
_RESET = "\x1b[0m"

Paint = Callable[[str, str], str]  # (style, text) -> text, coloured or not


def color_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour output to ``stream``: never when ``NO_COLOR`` is set to anything
    (https://no-color.org) or ``TERM`` is ``dumb``; otherwise when ``stream`` is a terminal."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render_console(document: Mapping[str, Any], *, color: bool) -> str:
    """The summary as text (ending in a newline); ANSI colours only when ``color``."""

    def paint(style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color else text

    counts = document["counts"]
    conformant = document["verdict"] == "conformant"
    lines = [
        paint("pass" if conformant else "fail", document["verdict"].upper())
        + f"  {plural(counts['cases'], 'case')}: {counts['passed']:,} passed, "
        + f"{counts['failed']:,} failed, {plural(counts['warnings'], 'warning')}, "
        + f"{counts['not_exercised']:,} not exercised",
        paint(
            "dim",
            f"target {_safe(document.get('target', ''))} · seed {document.get('seed', '')} · "
            f"{duration(document.get('duration_s'))} · harness {document.get('harness_version', '')}",
        ),
    ]
    if document.get("aborted"):
        lines.append(paint("skip", f"stopped early: {_safe(document['aborted'])}"))
    left_out = document.get("checks_left_out")
    if left_out:
        lines.append(paint("dim", f"checks left out: {_safe(', '.join(str(name) for name in left_out))}"))
    lines += [paint("dim", f"{label.lower()}: {_safe(text)}") for label, text in replay_facts(document)]
    for op in operations_failing_first(document):
        lines.append("")
        lines += _operation(op, paint)
    return "\n".join(lines) + "\n"


def _operation(op: Mapping[str, Any], paint: Paint) -> list[str]:
    verdict = operation_verdict(op)
    style = {"fail": "fail", "pass": "pass"}.get(verdict, "skip")
    failures = op.get("failures", [])
    head = f"{_safe(op['id'])} ({_safe(op.get('method', ''))} {_safe(op.get('path', ''))})"
    tail = plural(len(failures), "failure group") if failures else plural(op["counts"]["cases"], "case")
    lines = [f"{paint(style, verdict.upper().replace('-', ' '))} {paint('bold', head)}: {tail}"]
    imported = op.get("contract", {}).get("imported")
    if imported:
        valid = op.get("valid_inputs", {})
        lines.append(
            paint(
                "dim",
                f"  imported from botocore's {_safe(imported['service'])} {_safe(imported['api_version'])} model · "
                f"valid inputs: {valid.get('sent', 0):,} sent, {valid.get('accepted', 0):,} accepted",
            )
        )
    rule_docs = {rule["id"]: rule.get("doc", "") for rule in op.get("rules", [])}
    for number, group in enumerate(failures[:MAX_GROUPS_SHOWN], start=1):
        lines += _group(number, group, rule_docs.get(str(group.get("rule")), ""), paint)
    if len(failures) > MAX_GROUPS_SHOWN:
        hidden = len(failures) - MAX_GROUPS_SHOWN
        lines.append(f"  … and {plural(hidden, 'more failure group')} (see the HTML report)")
    for group in op.get("warnings", []):
        lines.append(
            f"  {paint('skip', 'warning')} {_safe(group['check'])}: {_safe(group['message'])}"
            f" ({plural(group['count'], 'case')})"
        )
    for scenario in op.get("scenarios", []):
        if scenario["verdict"] == "not-exercised":
            reason = f": {_safe(scenario['reason'])}" if scenario.get("reason") else ""
            lines.append(f"  {paint('skip', 'not exercised')} scenario {_safe(scenario['name'])}{reason}")
    idle = [r["id"] for r in op.get("rules", []) if r["verdict"] == "not-exercised"]
    if idle:
        lines.append(f"  {paint('skip', 'not exercised')} rules: {_safe(', '.join(idle))}")
    return lines


def _group(number: int, group: Mapping[str, Any], rule_doc: str, paint: Paint) -> list[str]:
    where = _safe(group["check"])
    if group.get("rule"):
        where += f" on rule {_safe(group['rule'])}"
    lines = [f"  {number}. {paint('fail', where)} — {plural(group['count'], 'case')}"]
    lines.append(f"     {paint('dim', 'message:')} {_safe(group['message'])}")
    if rule_doc:
        lines.append(f"     {paint('dim', 'doc:')}     {_safe(rule_doc)}")
    if group.get("doc"):
        lines.append(f"     {paint('dim', 'check:')}   {_safe(group['doc'])}")
    examples = group.get("examples") or []
    if examples:
        curl = str(examples[0].get("curl", ""))
        if len(curl) > MAX_CURL_SHOWN:
            curl = curl[:MAX_CURL_SHOWN] + " … (cut; the whole command is in the reports)"
        lines.append(f"     {paint('dim', 'curl:')}    {_safe(curl)}")
    return lines


def _safe(value: object) -> str:
    """One line of text with control characters escaped: nothing reaches the terminal raw."""
    return escape_invisible(str(value)).replace("\n", "\\n").replace("\t", "\\t")
