"""The HTML report: one self-contained file for people.

Everything the document holds is shown through Jinja2's autoescaping (control and invisible
characters are shown as escapes too): fuzzed bodies and target answers carry markup, and
none of it may become live HTML.  The page has one inline stylesheet and one inline script,
allowed by their hashes in a Content-Security-Policy that forbids everything else (no
network fetch, no other script), so even a missed escape could not run.  No data is
embedded for the script: it only toggles classes and copies text already on the page.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from harness.reporting._files import write_atomically
from harness.reporting._view import (
    MAX_EXAMPLES_PER_GROUP,
    MAX_GROUPS_PER_OPERATION,
    VERDICT_LABEL,
    body_view,
    by_verdict,
    duration,
    invisible_spans,
    operation_verdict,
    operations_failing_first,
    plural,
    replay_facts,
    shown_curl,
    shown_headers,
)

#: Characters of bodies and curl commands rendered in full across the whole report; past
#: it, examples are listed by their description only, which keeps huge runs a few MB.
MAX_EXAMPLE_CHARS = 1_000_000
#: Failure groups listed in "What is broken" at the top; each operation lists all of its own.
MAX_BROKEN_LISTED = 25
#: Failing operations the summary sentence names; a run with more names those with most failed cases.
NAMED_IN_SUMMARY = 3
#: A report of at most this many operations shows each unfolded; a larger one folds them all to
#: their heading (the operations table, "What is broken" and "Expand all" open them).
UNFOLDED_UP_TO = 3

_CSS = "report.css"
_JS = "report.js"


def write_html(document: Mapping[str, Any], path: Path) -> None:
    """Write the HTML report of ``document`` (a results document) to ``path``, atomically."""
    write_atomically(Path(path), render_html(document))


def render_html(document: Mapping[str, Any]) -> str:
    """The HTML report of ``document`` as text; deterministic for a given document."""
    css, js = _asset(_CSS), _asset(_JS)
    template = _environment().get_template("report.html.j2")
    return template.render(
        css=Markup(css),
        js=Markup(js),
        csp=_content_security_policy(css, js),
        **_context(document),
    )


# --------------------------------------------------------------------------- templates


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("harness.reporting", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["v"] = _visible
    environment.filters["doc"] = _documentation
    environment.filters["n"] = _number
    environment.filters["label"] = lambda verdict: VERDICT_LABEL.get(str(verdict), str(verdict))
    environment.globals["plural"] = plural
    return environment


@cache
def _asset(name: str) -> str:
    return resources.files("harness.reporting").joinpath("templates", name).read_text("utf-8")


def _content_security_policy(css: str, js: str) -> str:
    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    return (
        f"default-src 'none'; style-src {digest(css)}; script-src {digest(js)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _visible(value: object) -> Markup:
    """Escaped text in which control and invisible characters appear as marked escapes."""
    return Markup("").join(
        Markup('<span class="esc">{}</span>').format(piece) if is_escape else escape(piece)
        for is_escape, piece in invisible_spans(str(value))
    )


def _documentation(value: object) -> Markup:
    """A documentation sentence: escaped, with its `backticked` names set as code."""
    pieces = str(value).split("`")
    if len(pieces) % 2 == 0:  # an unpaired backtick: show the sentence as it is
        return _visible(value)
    return Markup("").join(
        Markup("<code>{}</code>").format(_visible(piece)) if odd else _visible(piece)
        for odd, piece in ((n % 2 == 1, piece) for n, piece in enumerate(pieces))
    )


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


# --------------------------------------------------------------------------- view model


def _detailed_examples(operations: Sequence[Mapping[str, Any]]) -> set[tuple[int, str, int, int]]:
    """Which examples are rendered with their request, response and curl: within
    ``MAX_EXAMPLE_CHARS``, every group's first (shrunk) example before any group's second."""
    candidates = []
    for op_number, op in enumerate(operations):
        for kind in ("failures", "warnings"):
            groups = list(op.get(kind, ()))[:MAX_GROUPS_PER_OPERATION]
            for group_number, group in enumerate(groups):
                examples = list(group.get("examples", ()))[:MAX_EXAMPLES_PER_GROUP]
                for number, example in enumerate(examples):
                    rank = (number, kind == "warnings", op_number, group_number)
                    candidates.append((rank, (op_number, kind, group_number, number), example))
    candidates.sort(key=lambda candidate: candidate[0])
    remaining = MAX_EXAMPLE_CHARS
    detailed = set()
    for _, key, example in candidates:
        size = _example_size(example)
        if size <= remaining:
            remaining -= size
            detailed.add(key)
    return detailed


def _example_size(example: Mapping[str, Any]) -> int:
    request, response = example["request"], example.get("response")
    size = len(shown_curl(str(example.get("curl", "")))[0])
    size += len(body_view(request.get("body")).text)
    return size + (len(body_view(response.get("body")).text) if response else 0)


def _context(document: Mapping[str, Any]) -> dict[str, Any]:
    ordered = operations_failing_first(document)
    detailed = _detailed_examples(ordered)
    unfolded = len(ordered) <= UNFOLDED_UP_TO
    operations = [_operation(op, number, detailed, unfolded=unfolded) for number, op in enumerate(ordered)]
    every_example = sum(len(g["examples"]) for op in operations for g in (*op["groups"], *op["warnings"]))
    return {
        "verdict": document["verdict"],
        "counts": document["counts"],
        "summary": _summary_sentence(document),
        "meta": _meta(document),
        "operations": operations,
        "broken": _broken(operations),
        "broken_total": sum(len(op["groups"]) + op["hidden_groups"] for op in operations),
        "broken_shown": sum(len(op["groups"]) for op in operations),
        "broken_listed": min(MAX_BROKEN_LISTED, sum(len(op["groups"]) for op in operations)),
        "harness_version": document.get("harness_version", ""),
        "format": document.get("format", ""),
        "examples_left_out": every_example - len(detailed),
    }


def _broken(operations: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]:
    """The failing operations with their first groups, at most ``MAX_BROKEN_LISTED`` in all."""
    listed, room = [], MAX_BROKEN_LISTED
    for op in operations:
        if op["groups"] and room > 0:
            listed.append((op, op["groups"][:room]))
            room -= len(listed[-1][1])
    return listed


def _summary_sentence(document: Mapping[str, Any]) -> str:
    counts = document["counts"]
    failing = [op["id"] for op in document["operations"] if operation_verdict(op) == "fail"]
    if document["verdict"] == "nonconformant":
        sentence = f"{plural(counts['failed'], 'case')} broke the documented contract"
        if len(failing) > NAMED_IN_SUMMARY:
            most = [op["id"] for op in operations_failing_first(document)][:NAMED_IN_SUMMARY]
            sentence += f" in {len(failing)} of {plural(len(document['operations']), 'operation')}, most in "
            sentence += ", ".join(most[:-1]) + " and " + most[-1]
        elif failing:
            sentence += " in " + ", ".join(failing)
        return sentence + "."
    sentence = f"All {plural(counts['cases'], 'case')} met the documented contract."
    if counts.get("not_exercised"):
        sentence += f" {plural(counts['not_exercised'], 'scenario')} could not be exercised, which is not a pass."
    return sentence


def _moment(value: object) -> str | None:
    """An ISO 8601 time as people read it, in UTC; anything else as it is."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if moment.tzinfo is not None else "")


def _meta(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    meta = [
        ("Target", str(document.get("target", ""))),
        ("Seed", str(document.get("seed", ""))),
        ("Duration", duration(document.get("duration_s"))),
        ("Harness", str(document.get("harness_version", ""))),
    ]
    optional = [
        ("Started", _moment(document.get("started"))),
        ("Region", document.get("region")),
        ("Provider states", document.get("provider_states") or "none (state scenarios skipped)"),
        ("Max examples", document.get("max_examples")),
    ]
    meta += [(label, str(value)) for label, value in optional if value is not None]
    if document.get("aborted"):
        meta.append(("Stopped early", str(document["aborted"])))
    if document.get("concurrency"):
        meta.append(("Requests in flight", str(document["concurrency"])))
    left_out = document.get("checks_left_out")
    if left_out:
        meta.append(("Checks left out", ", ".join(str(name) for name in left_out)))
    meta += replay_facts(document)
    merged = document.get("merged_from")
    if merged:
        meta.append(("Merged from", plural(len(merged), "results file")))
    return meta


def _operation(
    op: Mapping[str, Any], number: int, detailed: set[tuple[int, str, int, int]], *, unfolded: bool
) -> dict[str, Any]:
    anchor = f"op-{number + 1}"
    rules = {rule["id"]: rule for rule in op.get("rules", ())}

    def groups(kind: str) -> list[dict[str, Any]]:
        shown = list(op.get(kind, ()))[:MAX_GROUPS_PER_OPERATION]
        return [
            _group(
                group,
                f"{anchor}-{kind[0]}{index + 1}",
                rules,
                [(number, kind, index, e) in detailed for e in range(MAX_EXAMPLES_PER_GROUP)],
            )
            for index, group in enumerate(shown)
        ]

    return {
        "anchor": anchor,
        "open": unfolded,
        "id": op["id"],
        "protocol": op.get("contract", {}).get("protocol", ""),
        "method": op.get("method", ""),
        "path": op.get("path", ""),
        "contract": op.get("contract", {}),
        "counts": op["counts"],
        "verdict": operation_verdict(op),
        "rules": by_verdict(op.get("rules", ())),
        "checks": by_verdict(op.get("checks", ())),
        "statuses": sorted(op.get("statuses", ()), key=lambda s: s["status"]),
        "scenarios": by_verdict(op.get("scenarios", ())),
        "groups": groups("failures"),
        "hidden_groups": max(0, len(op.get("failures", ())) - MAX_GROUPS_PER_OPERATION),
        "warnings": groups("warnings"),
        "hidden_warnings": max(0, len(op.get("warnings", ())) - MAX_GROUPS_PER_OPERATION),
    }


def _group(group: Mapping[str, Any], anchor: str, rules: Mapping[str, Any], detailed: list[bool]) -> dict[str, Any]:
    examples = list(group.get("examples", ()))
    shown = examples[:MAX_EXAMPLES_PER_GROUP]
    rule = rules.get(str(group.get("rule")), {})
    return {
        "anchor": anchor,
        "check": group["check"],
        "rule": group.get("rule"),
        "doc": group.get("doc", ""),
        "rule_doc": rule.get("doc", ""),
        "rule_source": rule.get("source", ""),
        "message": group.get("message", ""),
        "count": group.get("count", len(examples)),
        "examples": [
            _example(example, f"{anchor}-e{index + 1}", detailed=detailed[index]) for index, example in enumerate(shown)
        ],
        "hidden_examples": len(examples) - len(shown),
    }


def _example(example: Mapping[str, Any], anchor: str, *, detailed: bool) -> dict[str, Any]:
    request = example["request"]
    response = example.get("response")
    curl, curl_note = shown_curl(str(example.get("curl", "")))
    case = example.get("case", {})
    return {
        "anchor": anchor,
        "full": detailed,
        "intent": case.get("intent", ""),
        "origin": case.get("origin", ""),
        "description": case.get("description", ""),
        "scenario": case.get("scenario"),
        "auth": case.get("auth", ""),
        "minimal": bool(example.get("minimal")),
        "method": request.get("method", ""),
        "url": request.get("url", ""),
        "request_headers": shown_headers(request.get("headers")),
        "request_body": body_view(request.get("body")),
        "response": None
        if response is None
        else {
            "status": response.get("status"),
            "headers": shown_headers(response.get("headers")),
            "body": body_view(response.get("body")),
            "elapsed_ms": response.get("elapsed_ms"),
        },
        "transport_error": example.get("transport_error"),
        "curl": curl,
        "curl_note": curl_note,
    }
