"""The sentences of imported rules: the model's documentation, then the constraint as the
API reference pages print it ("Length Constraints: Minimum length of 1. Maximum length of 64.")."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from typing import Any

# The model's documentation is a small, regular subset of HTML (p, code, a, ul/li, i, b):
# removing the tags and unescaping entities is all it needs, and html.parser would cost a
# third of an import of every operation.
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]*)[^>]*>")
#: Tags that end a line of text (a space where they were); inline ones (code, i, a) vanish.
_BLOCK_TAGS = frozenset(
    {"p", "br", "li", "ul", "ol", "div", "dl", "dt", "dd", "note", "important", "table", "tr", "td", "th", "pre"}
    | {f"h{level}" for level in range(1, 7)}
)
_SPACE = re.compile(r"\s+")
#: A sentence ends at . ! ? followed by a space and a capital, a digit or a quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(`])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "Inc.", "approx.", "No.", "U.S.", "Ltd.", "Corp.")


@functools.lru_cache(maxsize=8192)
def first_sentence(documentation: str | None) -> str:
    """The first sentence of ``documentation`` without its HTML; empty when there is none."""
    if not documentation:
        return ""
    bare = _TAG.sub(lambda tag: " " if tag.group(2).lower() in _BLOCK_TAGS else "", documentation)
    text = _SPACE.sub(" ", html.unescape(bare)).strip()
    for match in _SENTENCE_END.finditer(text):
        candidate = text[: match.start()]
        if not candidate.endswith(_ABBREVIATIONS):
            return candidate
    return text


def sentence(documentation: str, constraint: str) -> str:
    """A rule's ``doc``: the documentation's first sentence, then the constraint line."""
    return f"{documentation} {constraint}" if documentation else constraint


def _count(number: Any, noun: str) -> str:
    return f"{_number(number)} {noun}{'' if number == 1 else 's'}"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def length_line(low: int | None, high: int | None) -> str:
    return "Length Constraints: " + _bounds(low, high, "length of {}")


def items_line(low: int | None, high: int | None, *, title: str = "Array Members") -> str:
    if low is not None and low == high:
        return f"{title}: Fixed number of {_count(low, 'item')}."
    parts = []
    if low is not None:
        parts.append(f"Minimum number of {_count(low, 'item')}.")
    if high is not None:
        parts.append(f"Maximum number of {_count(high, 'item')}.")
    return f"{title}: " + " ".join(parts)


def entries_line(low: int | None, high: int | None) -> str:
    return items_line(low, high, title="Map Entries")


def range_line(low: Any, high: Any) -> str:
    parts = []
    if low is not None:
        parts.append(f"Minimum value of {_number(low)}.")
    if high is not None:
        parts.append(f"Maximum value of {_number(high)}.")
    return "Valid Range: " + " ".join(parts)


def _bounds(low: int | None, high: int | None, what: str) -> str:
    if low is not None and low == high:
        return f"Fixed {what.format(_number(low))}."
    parts = []
    if low is not None:
        parts.append(f"Minimum {what.format(_number(low))}.")
    if high is not None:
        parts.append(f"Maximum {what.format(_number(high))}.")
    return " ".join(parts)


def pattern_line(pattern: str) -> str:
    return f"Pattern: {pattern}"


def values_line(values: Sequence[Any]) -> str:
    return "Valid Values: " + " | ".join(str(v) for v in values)


def required_line(members: Sequence[str]) -> str:
    return f"{', '.join(members)}: Required: Yes"


UNION_LINE = "This data type is a UNION, so only one of the following members can be specified when used or returned."
