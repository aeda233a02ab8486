"""What every writer shows the same way: verdict order, caps, bodies, and which failure
groups belong to which rule, check or scenario.

Writers read the documented results document (``harness/schemas/results.schema.json``)
and nothing else; optional members are read with defaults, so a document written by an
older or newer harness of the same format still renders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.result import MAX_SHOWN_BODY, redact_headers

#: Failure groups rendered per operation in the HTML report; the rest are counted in a note.
MAX_GROUPS_PER_OPERATION = 200
#: Examples rendered per failure group (the document keeps at most 5 already).
MAX_EXAMPLES_PER_GROUP = 5
#: Characters of a body shown (the document cuts bodies at 4096 bytes already).
MAX_BODY_CHARS = MAX_SHOWN_BODY
#: A curl command longer than this is not shown (a cut command would not reproduce).
MAX_CURL_CHARS = 16_384

VERDICT_RANK = {"fail": 0, "not-exercised": 1, "pass": 2}
VERDICT_LABEL = {"fail": "fail", "pass": "pass", "not-exercised": "not exercised"}

# C0 and C1 controls (but tab and newline), DEL, lone surrogates, and the invisible
# characters that reorder or hide text (zero-width, bidi embeddings and isolates, BOM).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff]"
)


def escape_invisible(text: str) -> str:
    r"""``text`` with every control or invisible character written as an escape
    (``\x1b``, ``\u202e``): safe in a terminal and in XML 1.0, and visible to a reader."""
    return _INVISIBLE.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def invisible_spans(text: str) -> Iterable[tuple[bool, str]]:
    """``text`` cut into (is_escape, piece): the HTML report styles the escapes."""
    position = 0
    for match in _INVISIBLE.finditer(text):
        if match.start() > position:
            yield False, text[position : match.start()]
        yield True, _escape_one(match)
        position = match.end()
    if position < len(text):
        yield False, text[position:]


def by_verdict(items: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Failures first, then what was not exercised, then passes; stable otherwise."""
    return sorted(items, key=lambda item: VERDICT_RANK.get(str(item.get("verdict")), 1))


def operation_verdict(operation: Mapping[str, Any]) -> str:
    if operation["counts"].get("failed") or operation.get("failures"):
        return "fail"
    if not operation["counts"].get("cases"):
        return "not-exercised"
    return "pass"


def operations_failing_first(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Failing operations first, the one with most failed cases (then most failure groups)
    first; then those not exercised, then passes; the document's order otherwise."""

    def rank(op: Mapping[str, Any]) -> tuple[int, int, int]:
        failed = op["counts"].get("failed") or 0
        return VERDICT_RANK[operation_verdict(op)], -int(failed), -len(op.get("failures", ()))

    return sorted(document["operations"], key=rank)


def groups_of_rule(operation: Mapping[str, Any], rule: str) -> list[Mapping[str, Any]]:
    """The failure groups of ``rule``: named by the group, or (a check that names no rule)
    by the cases of its examples, as the engine counts a rule's failures."""
    return [
        group
        for group in operation.get("failures", ())
        if group.get("rule") == rule
        or (group.get("rule") is None and any(example["case"].get("rule") == rule for example in group["examples"]))
    ]


def groups_of_check(operation: Mapping[str, Any], check: str) -> list[Mapping[str, Any]]:
    return [group for group in operation.get("failures", ()) if group.get("check") == check]


def groups_of_scenario(operation: Mapping[str, Any], scenario: str) -> list[Mapping[str, Any]]:
    return [
        group
        for group in operation.get("failures", ())
        if any(example["case"].get("scenario") == scenario for example in group["examples"])
    ]


@dataclass(frozen=True)
class BodyView:
    """A body as shown: ``kind`` is ``text``, ``base64`` or ``empty``; ``note`` says what
    was cut."""

    kind: str
    text: str
    note: str


def body_view(body: Mapping[str, Any] | None, *, limit: int = MAX_BODY_CHARS) -> BodyView:
    if not body:
        return BodyView("empty", "", "")
    size = int(body.get("size", 0))
    if "text" in body:
        kind, text = "text", str(body["text"])
    elif "base64" in body:
        kind, text = "base64", str(body["base64"])
    else:
        kind, text = "empty", ""
    if kind != "empty" and not text and not size:
        kind = "empty"
    notes = []
    if kind == "base64":
        notes.append(f"not UTF-8; {size:,} bytes shown as base64")
    if len(text) > limit:
        text = text[:limit]
        notes.append(f"cut at {limit:,} characters")
    if body.get("truncated"):
        notes.append(f"{size:,} bytes in all; the results keep the first {MAX_SHOWN_BODY:,}")
    return BodyView(kind, text, "; ".join(notes))


def shown_headers(headers: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """Headers as given, except that a credential that slipped through is still redacted."""
    return sorted(redact_headers(dict(headers or {})).items(), key=lambda kv: kv[0].lower())


def shown_curl(curl: str) -> tuple[str, str]:
    """The curl command, or a note when it is too long to be worth showing."""
    if len(curl) <= MAX_CURL_CHARS:
        return curl, ""
    return "", f"The curl command has {len(curl):,} characters; it is in the JSON results."


def plural(count: int, singular: str, many: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (many or singular + 's')}"


def total_groups(operations: Sequence[Mapping[str, Any]]) -> int:
    return sum(len(op.get("failures", ())) for op in operations)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def replay_facts(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a replay's results document says of the recording it judged again (label, text):
    nothing for a live run."""
    replay = document.get("replay")
    if not isinstance(replay, Mapping):
        return []
    facts = [
        (
            "Replay of",
            f"{replay.get('cassettes', '')} (recorded {replay.get('recorded', '')} by "
            f"{replay.get('recorded_by', '')}): {plural(int(replay.get('judged', 0)), 'recorded answer')} judged again",
        )
    ]
    changed = replay.get("contracts_changed") or []
    if changed:
        facts.append(("Contracts changed since", ", ".join(str(op) for op in changed)))
    untried = replay.get("rules_not_exercised") or {}
    if untried:
        text = "; ".join(f"{op}: {', '.join(str(r) for r in rules)}" for op, rules in untried.items())
        facts.append(("Rules no recorded case exercised", text))
    unrouted = replay.get("unrouted") or []
    if unrouted:
        text = ", ".join(f"{u.get('method')} {u.get('path')} ({u.get('interactions')})" for u in unrouted)
        facts.append(("Recorded exchanges of no operation", text))
    return facts
