"""Merge several results documents into one, for ``harness report a.json b.json -o out.html``
(e.g. one run per operation, or the same target from several CI jobs).

Operations are concatenated in the order first seen.  The same operation in several files
is merged: counts summed; rules, checks, statuses and scenarios merged by id with the
verdict ``fail`` over ``pass`` over ``not-exercised`` (one run's pass does not hide another
run's failure, and one run's pass covers another's "not exercised"); failure and warning
groups of the same check and rule joined, their counts summed and their examples
concatenated (shrunk ones first) and capped at 5.  The verdict is recomputed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from harness.result import MAX_EXAMPLES_PER_FAILURE, RESULTS_FORMAT

_PRECEDENCE = {"fail": 2, "pass": 1, "not-exercised": 0}
_COUNT_KEYS = ("cases", "passed", "failed", "warnings", "not_exercised")


def parts_problem(documents: Sequence[Mapping[str, Any]], names: Sequence[str]) -> str | None:
    """Why ``documents`` (read from the files ``names``) are not the parts of one split run
    (``harness run --shard K/N``), or ``None`` when they are, or when none is a part."""
    parts = [d.get("shard") for d in documents]
    if not any(parts):
        return None
    whole = [name for name, part in zip(names, parts, strict=True) if not part]
    if whole:
        return f"{whole[0]} is a whole run, the others parts of a split run (--shard): merge the parts of one run"
    first = documents[0]
    for name, document in zip(names[1:], documents[1:], strict=True):
        for fact in ("seed", "max_examples", "checks_left_out", "harness_version"):
            if document.get(fact) != first.get(fact):
                return (
                    f"{name} and {names[0]} are parts of different runs: {fact} {document.get(fact)!r} "
                    f"against {first.get(fact)!r}; merge the parts of one run"
                )
        if document["shard"]["run"] != first["shard"]["run"] or document["shard"]["count"] != first["shard"]["count"]:
            return (
                f"{name} and {names[0]} are parts of different runs (other contracts, provider states or "
                "number of parts); merge the parts of one run"
            )
    indexes = [d["shard"]["index"] for d in documents]
    count = first["shard"]["count"]
    repeated = sorted({i for i in indexes if indexes.count(i) > 1})
    if repeated:
        return f"part {repeated[0]} of {count} is given more than once"
    missing = sorted(set(range(1, count + 1)) - set(indexes))
    if missing:
        return f"part{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} of {count} missing"
    return None


def merge(documents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One results document holding all of ``documents``; the inputs are not modified.

    Run facts that differ between the files are combined: the targets are listed, the
    durations added, the earliest start kept; ``merged_from`` lists each file's run.
    """
    if not documents:
        raise ValueError("merge needs at least one results document")
    operations: dict[str, dict[str, Any]] = {}
    for document in documents:
        for op in document["operations"]:
            if op["id"] in operations:
                _merge_operation(operations[op["id"]], op)
            else:
                operations[op["id"]] = copy.deepcopy(dict(op))
    merged = {key: copy.deepcopy(value) for key, value in documents[0].items()}
    merged["format"] = RESULTS_FORMAT
    merged.pop("shard", None)  # the parts together are the whole run
    merged["operations"] = list(operations.values())
    if len(documents) > 1:
        _merge_run_facts(merged, documents)
    merged["counts"] = {key: sum(int(op["counts"].get(key, 0)) for op in merged["operations"]) for key in _COUNT_KEYS}
    broken = merged["counts"]["failed"] or any(op["failures"] for op in merged["operations"])
    merged["verdict"] = "nonconformant" if broken else "conformant"
    return merged


def _merge_run_facts(merged: dict[str, Any], documents: Sequence[Mapping[str, Any]]) -> None:
    merged["target"] = _distinct(str(d.get("target", "")) for d in documents)
    merged["harness_version"] = _distinct(str(d.get("harness_version", "")) for d in documents)
    durations = [d["duration_s"] for d in documents if isinstance(d.get("duration_s"), int | float)]
    if durations:
        merged["duration_s"] = round(sum(durations), 3)
    starts = [str(d["started"]) for d in documents if d.get("started")]
    if starts:
        merged["started"] = min(starts)
    states = [d["provider_states"] for d in documents if d.get("provider_states")]
    if "provider_states" in merged or states:
        merged["provider_states"] = _distinct(states) if states else None
    merged["merged_from"] = [
        {
            key: copy.deepcopy(d[key])
            for key in ("target", "seed", "started", "duration_s", "harness_version", "verdict")
            if key in d
        }
        for d in documents
    ]


def _distinct(values: Any) -> str:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return ", ".join(seen)


def _merge_operation(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    for key in _COUNT_KEYS:
        into["counts"][key] = into["counts"].get(key, 0) + other["counts"].get(key, 0)
    _merge_by(into, other, "rules", lambda r: r["id"], _merge_rule)
    _merge_by(into, other, "checks", lambda c: c["id"], _merge_check)
    _merge_by(into, other, "statuses", lambda s: s["status"], _merge_status)
    _merge_by(into, other, "scenarios", lambda s: s["name"], _merge_scenario)
    _merge_by(into, other, "failures", _group_key, _merge_group)
    _merge_by(into, other, "warnings", _group_key, _merge_group)
    into["statuses"].sort(key=lambda s: s["status"])
    # "not exercised" counts scenarios: one that ran in any file was exercised.
    into["counts"]["not_exercised"] = sum(1 for s in into["scenarios"] if s["verdict"] == "not-exercised")


def _merge_by(
    into: dict[str, Any],
    other: Mapping[str, Any],
    member: str,
    key: Callable[[Mapping[str, Any]], Hashable],
    combine: Callable[[dict[str, Any], Mapping[str, Any]], None],
) -> None:
    items: list[dict[str, Any]] = into.setdefault(member, [])
    index = {key(item): item for item in items}
    for item in other.get(member, []):
        if key(item) in index:
            combine(index[key(item)], item)
        else:
            copied = copy.deepcopy(dict(item))
            items.append(copied)
            index[key(item)] = copied


def _add(into: dict[str, Any], other: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        if key in into or key in other:
            into[key] = into.get(key, 0) + other.get(key, 0)


def _verdict(a: str, b: str) -> str:
    return a if _PRECEDENCE.get(a, 0) >= _PRECEDENCE.get(b, 0) else b


def _merge_rule(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    _add(into, other, "valid_cases", "invalid_cases", "failures")
    into["verdict"] = _verdict(into["verdict"], other["verdict"])
    if "reproduction" in other and "reproduction" not in into:
        into["reproduction"] = other["reproduction"]  # the first part the rule failed in
    if "accepted_start" in other:  # started from an accepted input only if it did in every part
        into["accepted_start"] = into.get("accepted_start", True) and other["accepted_start"]


def _merge_check(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    _add(into, other, "cases", "failures")
    into["verdict"] = _verdict(into["verdict"], other["verdict"])


def _merge_status(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    _add(into, other, "responses", "expected_by", "failures")
    into["errors"] = sorted(set(into["errors"]) | set(other["errors"]))
    into["verdict"] = _verdict(into["verdict"], other["verdict"])


def _merge_scenario(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    verdict = _verdict(into["verdict"], other["verdict"])
    reasons = [s.get("reason", "") for s in (into, other) if s["verdict"] == verdict]
    into["verdict"] = verdict
    into["reason"] = _distinct(reason for reason in reasons if reason)


def _group_key(group: Mapping[str, Any]) -> Hashable:
    return (group["check"], group.get("rule"))


def _merge_group(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    into["count"] += other["count"]
    examples = into["examples"] + copy.deepcopy(list(other["examples"]))
    examples.sort(key=lambda example: not example.get("minimal"))  # stable: shrunk ones first
    into["examples"] = examples[:MAX_EXAMPLES_PER_FAILURE]
