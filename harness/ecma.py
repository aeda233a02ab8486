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


def compiles(pattern: str) -> bool:
    """Whether ``pattern`` is an ECMA-262 regular expression (in Unicode mode)."""
    try:
        compile_pattern(pattern)
    except PatternError:
        return False
    return True


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
#: Characters tried for ``\p{...}``: a few of each script and category, so that generation
#: draws from more than ASCII (every generated string is still confirmed by :func:`matches`).
_PROPERTY_SAMPLES = "".join(chr(c) for c in range(0x20, 0x7F)) + (
    "\t\n\r\x00\x1f\x7f\u00a0\u00e9\u00c9\u00df\u00f8\u00c6\u00f1\u03a9\u03bb\u0436\u0416\u4e2d\u65e5\u0628\u0663\uff13\u0301\u0308\u2003\u3000\U0001f600\u20ac\u00a9\u2122\u00bf\u00a1\u00ab\u00bb\u2013\u2014\u200b\u2028\u2029\u00b2\u2160"
)
_LOOKAROUND = re.compile(r"\(\?(?:<[=!]|[=!])")
#: Characters Python reads as set operations inside a class when doubled (a FutureWarning).
_SET_OPERATORS = frozenset("[&~|")


def python_equivalent(pattern: str) -> re.Pattern[str]:
    """A Python pattern accepting (close to) the same strings, for Hypothesis' ``from_regex``.

    ``\\d``/``\\w`` become their ASCII sets, an unescaped ``$`` outside a class becomes
    ``\\Z``; what Python's ``re`` lacks is rewritten to a part of what it means: ``\\p{...}``
    to a sample of its characters, ``\\u{...}`` and surrogate pairs to code points, named
    groups and back references to Python's spelling; look-aheads and look-behinds are
    dropped (Hypothesis only filters by them, which starves it).  Differences left (``.`` and
    line separators, ``\\s``, the sampled properties, the assertions) are harmless because
    callers filter with :func:`matches`.
    """
    out: list[str] = []
    in_class = negated = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            text, i = _python_escape(pattern, i, in_class=in_class)
            if in_class and not negated and len(out) > 1 and out[-1] == "-" and _CODE.fullmatch(out[-2] + text):
                text = _clipped(out[-2], text)
            out.append(text)
            continue
        if in_class and ch in _SET_OPERATORS:
            out.append("\\" + ch)  # a character in ECMA-262, a set operation to Python when doubled
            i += 1
            continue
        if ch == "[" and not in_class:
            in_class, negated = True, pattern.startswith("^", i + 1)
            if negated:  # the class's negation, not a character
                out.append("[^")
                i += 2
                continue
        elif ch == "]" and in_class:
            in_class = False
        elif ch == "$" and not in_class:
            out.append(r"\Z")
            i += 1
            continue
        elif ch == "(" and not in_class and pattern.startswith("(?<", i) and pattern[i + 3 : i + 4] not in ("=", "!"):
            out.append("(?P<")  # a named group
            i += 3
            continue
        out.append(ch)
        i += 1
    return re.compile(_without_lookarounds("".join(out)), re.ASCII)


def _python_escape(pattern: str, i: int, *, in_class: bool) -> tuple[str, int]:
    """The Python spelling of the escape at ``pattern[i]``, and where the next token starts."""
    nxt = pattern[i + 1]
    if nxt in _ASCII_CLASSES:
        chars = _ASCII_CLASSES[nxt]
        return (chars if in_class else f"[{chars}]"), i + 2
    if nxt in "pP" and pattern.startswith("{", i + 2):
        end = pattern.index("}", i)
        chars = _property_sample(pattern[i : end + 1])
        return (chars if in_class else f"[{chars}]" if chars else "(?!)"), end + 1
    if nxt == "u":
        code, after = _code_point(pattern, i)
        if 0xD800 <= code <= 0xDBFF and pattern.startswith("\\u", after):
            low, past = _code_point(pattern, after)
            if 0xDC00 <= low <= 0xDFFF:  # a surrogate pair is one code point in Unicode mode
                code, after = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), past
        return f"\\U{code:08X}", after
    if nxt == "k" and pattern.startswith("<", i + 2):
        end = pattern.index(">", i)
        return f"(?P={pattern[i + 3 : end]})", end + 1
    if nxt == "c" and i + 2 < len(pattern):
        return f"\\x{ord(pattern[i + 2]) % 32:02X}", i + 3
    if nxt == "0":
        return "\\x00", i + 2
    if nxt == "/":
        return "/", i + 2
    return pattern[i : i + 2], i + 2


_CODE = re.compile(r"\\U([0-9A-F]{8})\\U([0-9A-F]{8})")
#: Generation draws from the first code points of a range this wide or wider: Hypothesis takes
#: seconds per string from a class of a million code points, and a part of it is still in it.
_WIDEST_RANGE = 0x400


def _clipped(low: str, high: str) -> str:
    """The upper end of the range ``low``-``high`` (both ``\\UXXXXXXXX``), narrowed for generation."""
    start, end = int(low[2:], 16), int(high[2:], 16)
    return f"\\U{min(end, start + _WIDEST_RANGE - 1):08X}"


def _code_point(pattern: str, i: int) -> tuple[int, int]:
    """The code point of ``\\uHHHH`` or ``\\u{H...}`` at ``pattern[i]``, and where it ends."""
    if pattern.startswith("{", i + 2):
        end = pattern.index("}", i)
        return int(pattern[i + 3 : end], 16), end + 1
    return int(pattern[i + 2 : i + 6], 16), i + 6


@functools.lru_cache(maxsize=256)
def _property_sample(escape: str) -> str:
    """The characters of :data:`_PROPERTY_SAMPLES` that ``escape`` (``\\p{L}``) matches, as
    the inside of a Python class."""
    return "".join(re.escape(c) for c in _PROPERTY_SAMPLES if matches(f"^{escape}$", c))


def _without_lookarounds(text: str) -> str:
    """``text`` without its look-ahead and look-behind groups: more strings than the pattern,
    which the callers' filter narrows again."""
    while (match := _LOOKAROUND.search(text)) is not None:
        depth, j, in_class = 0, match.start(), False
        while j < len(text):
            ch = text[j]
            if ch == "\\":
                j += 2
                continue
            if in_class:
                in_class = ch != "]"
            elif ch == "[":
                in_class = True
            else:
                depth += {"(": 1, ")": -1}.get(ch, 0)
            j += 1
            if depth == 0 and not in_class:
                break
        text = text[: match.start()] + text[j:]
    return text
