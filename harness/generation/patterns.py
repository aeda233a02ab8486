"""Probes of a pattern: strings at and past each bounded quantifier, and near misses.

:func:`quantifier_variants` gives, for each ``{m}`` / ``{m,n}`` of a pattern, strings at its
bounds (valid) and one past them (invalid); :func:`near_misses` gives one-character changes of
a valid string and the ECMA-262-versus-Python traps (a trailing newline, Arabic-Indic and
full-width digits, a non-ASCII letter where ``\\w`` stands).  Which of them a pattern accepts is
for :mod:`harness.ecma` to say; :mod:`.boundaries` keeps each on the side the validator agrees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hypothesis import strategies as st

from harness import ecma
from harness.generation.values import ANY_CHARACTER, draw

ARABIC_INDIC = {str(d): chr(0x0660 + d) for d in range(10)}
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}

_QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d*))?\}")


def _quantifiers(pattern: str) -> Iterator[tuple[int, int, int, int | None]]:
    """(start, end, min, max) of each ``{m}`` / ``{m,n}`` quantifier outside a class."""
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "{" and not in_class:
            match = _QUANTIFIER.match(pattern, i)
            if match:
                low = int(match.group(1))
                high = low if match.group(2) is None else (int(match.group(2)) if match.group(2) else None)
                yield i, match.end(), low, high
                i = match.end()
                continue
        i += 1


def quantifier_variants(pattern: str) -> Iterator[tuple[str, str]]:
    """For each bounded quantifier: strings at its bounds (valid) and one past them (invalid)."""
    variants: list[tuple[str, re.Pattern[str]]] = []  # (label, the variant as a Python pattern)
    for index, (start, end, low, high) in enumerate(_quantifiers(pattern)):
        counts = [(low, "at the lower bound")]
        if low > 0:
            counts.append((low - 1, "one below the lower bound"))
        if low > 1:
            counts.append((0, "absent (a quantifier read as optional)"))
        if high is not None:
            counts += [(high, "at the upper bound"), (high + 1, "one above the upper bound")]
        for count, label in counts:
            try:
                compiled = ecma.python_equivalent(f"{pattern[:start]}{{{count}}}{pattern[end:]}")
            except Exception:
                continue
            variants.append((f"pattern quantifier #{index + 1} {pattern[start:end]} {label} ({count})", compiled))
    if not variants:
        return
    # one Hypothesis run draws them all, its first example (each run costs ~3 ms, shrinking ~0.3 s)
    texts = draw(
        st.tuples(*(st.from_regex(compiled, fullmatch=True, alphabet=ANY_CHARACTER) for _, compiled in variants)),
        seed_value=0,
        index=0,
    )
    for (label, _), text in zip(variants, texts, strict=True):
        yield f"{label}: {text!r}", text


def near_misses(value: str) -> Iterator[tuple[str, str]]:
    """One-character near misses of a valid string, and the ECMA-versus-Python traps."""
    if not value:
        return
    positions = sorted({0, len(value) // 2, len(value) - 1})
    for pos in positions:
        for replacement in ("x", "Z", "0", "-", ":", " "):
            if value[pos] != replacement:
                yield f"character {pos} changed to {replacement!r}", value[:pos] + replacement + value[pos + 1 :]
    # one change in every tenth of the value, so literal parts (`detective` in an ARN) are hit
    for pos in sorted(set(range(0, len(value), max(1, len(value) // 10))) - set(positions)):
        replacement = "x" if value[pos] != "x" else "y"
        yield f"character {pos} changed to {replacement!r}", value[:pos] + replacement + value[pos + 1 :]
    letters = [i for i, ch in enumerate(value) if ch.isascii() and ch.isalpha()]
    for pos in dict.fromkeys(letters[:1] + letters[-1:]):
        yield f"only character {pos} in the other case", value[:pos] + value[pos].swapcase() + value[pos + 1 :]
    yield "a character added at the end", value + value[-1]
    yield "a character added at the start", value[0] + value
    yield "the last character removed", value[:-1]
    yield "the first character removed", value[1:]
    for label, variant in (
        ("upper case", value.upper()),
        ("lower case", value.lower()),
        ("case flipped", value.swapcase()),
    ):
        if variant != value:
            yield label, variant
    yield "a trailing newline ($ must not match before it)", value + "\n"
    yield "the last character replaced by a newline (same length)", value[:-1] + "\n"
    yield "a leading newline", "\n" + value
    digit = next((i for i, ch in enumerate(value) if ch in ARABIC_INDIC), None)
    if digit is not None:
        yield "an Arabic-Indic digit (\\d is ASCII)", value[:digit] + ARABIC_INDIC[value[digit]] + value[digit + 1 :]
        yield "full-width digits (\\d is ASCII)", "".join(FULL_WIDTH.get(ch, ch) for ch in value)
        yield "all digits Arabic-Indic", "".join(ARABIC_INDIC.get(ch, ch) for ch in value)
    letter = next((i for i, ch in enumerate(value) if ch.isascii() and (ch.isalnum() or ch == "_")), None)
    if letter is not None:
        yield "a non-ASCII letter (\\w is ASCII)", value[:letter] + "é" + value[letter + 1 :]
