"""ECMA-262 regular expressions, as JSON Schema's ``pattern`` requires.

Python's ``re`` is not ECMA-262: its ``\\d`` and ``\\w`` are Unicode-aware, and its ``$``
matches before a trailing newline, so ``"44445555666\\n"`` passes ``^[0-9]+$`` under
``re.search``.  Matching is done here by the ``regress`` package (a Rust implementation of
ECMA-262 regular expressions), which is what every check of a pattern in the harness uses.

For *generation* Hypothesis needs a Python ``re`` pattern; :func:`python_equivalent`
rewrites an ECMA pattern into the closest Python form (ASCII classes, ``$`` as ``\\Z``),
and every generated string is still confirmed with :func:`matches` before it is used.
"""

from __future__ import annotations

import functools
import re

import regress


class PatternError(ValueError):
    """A pattern is not a valid ECMA-262 regular expression."""


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> regress.Regex:
    """Compile ``pattern`` with ECMA-262 semantics (Unicode mode, as JSON Schema intends)."""
    try:
        return regress.Regex(pattern, "u")
    except Exception as exc:  # regress raises its own RegressError, not exported
        raise PatternError(f"not an ECMA-262 regular expression: {pattern!r} ({exc})") from None


#: A surrogate code point alone: JSON text may spell one (``"\\ud800"``), UTF-8 cannot.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def matches(pattern: str, text: str) -> bool:
    """True when ``pattern`` matches somewhere in ``text`` (unanchored, as JSON Schema says).

    ``regress`` takes UTF-8, which has no lone surrogates; each one is matched as U+FFFD,
    which is alike for every class but one that names either: ``.`` and ``[^...]`` match it,
    ``\\d``, ``\\w`` and ``\\s`` do not, as for a lone surrogate in ECMA-262's Unicode mode.
    """
    regex = compile_pattern(pattern)
    try:
        return regex.find(text) is not None
    except UnicodeEncodeError:
        return regex.find(_LONE_SURROGATE.sub("\ufffd", text)) is not None


_ASCII_CLASSES = {"d": "0-9", "w": "A-Za-z0-9_"}


def python_equivalent(pattern: str) -> re.Pattern[str]:
    """A Python pattern accepting (close to) the same strings, for Hypothesis' ``from_regex``.

    ``\\d``/``\\w`` become their ASCII sets, an unescaped ``$`` outside a class becomes
    ``\\Z``.  Differences left (``.`` and line separators, ``\\s``) are harmless because
    callers filter with :func:`matches`.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt in _ASCII_CLASSES:
                chars = _ASCII_CLASSES[nxt]
                out.append(chars if in_class else f"[{chars}]")
            else:
                out.append(ch + nxt)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        elif ch == "$" and not in_class:
            out.append(r"\Z")
            i += 1
            continue
        out.append(ch)
        i += 1
    return re.compile("".join(out), re.ASCII)
