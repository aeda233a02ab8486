"""Model patterns as ECMA-262 regular expressions in Unicode mode (SPEC section 2).

Smithy says a ``pattern`` is ECMA-262, and most of botocore's are; a few hundred were written
for Java's ``java.util.regex`` and are not valid in Unicode mode.  A pattern that compiles in
Unicode mode is kept exactly as it is.  One that does not is rewritten where Java's meaning is
certain, and otherwise refused (the importer then leaves it out of the contract, with a note):

- an escaped character that is not alphanumeric (``\\-``, ``\\_``, ``\\:``, ``\\ ``) is that
  character, as Java's documentation says; outside a class ``-`` needs no escape at all;
- a ``-`` beside a class escape inside a class (``[\\w-.]``) is a literal ``-`` in Java;
- ``\\A`` and ``\\z`` are ``^`` and ``$`` (no multiline flag); ``\\Z`` at the very end is ``$``
  after an optional line terminator;
- Java's POSIX classes (``\\p{Alnum}``, ``\\p{Print}``, ``\\p{Punct}`` ...) are ASCII-only
  unless a flag says otherwise: they become their ASCII ranges; ``\\pL`` is ``\\p{L}``;
- ``(?s)`` at the start makes ``.`` match everything: ``[\\s\\S]``;
- ``{n}+`` (possessive with a fixed count) is ``{n}``; a lone ``]`` or ``}`` is literal;
- ``\\Q...\\E`` quotes its text;
- ``/^...$/``, a JavaScript literal with its slashes, is its body.

A pattern that matches no string at all (an anchor where no string can reach it, as in
``.*/^[0-9]{12}$/.*``) is refused too: it would make every value invalid.

Everything else Java has and ECMA-262 lacks (other inline flags, atomic groups, possessive
quantifiers, class intersections and nested classes, ``\\p{IsAlphabetic}``) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness import ecma

#: Java's POSIX character classes (US-ASCII only by default), as ECMA class contents.
_POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7F",
    "Alpha": "A-Za-z",
    "Digit": "0-9",
    "Alnum": "A-Za-z0-9",
    "Punct": "!-\\/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1F\\x7F",
    "XDigit": "0-9A-Fa-f",
    "Space": " \\t\\n\\x0B\\f\\r",
}

#: Characters that keep their backslash outside a class in Unicode mode.
_SYNTAX = frozenset("^$\\.*+?()[]{}|/")
#: Escapes that mean the same in Java and in ECMA-262 (class escapes, control escapes).
_SHARED_LETTERS = frozenset("dDwWsSbBtnrf")
#: Java's vertical and horizontal whitespace classes.
_JAVA_SPACES = {
    "v": "\\n\\x0B\\f\\r\\x85\\u2028\\u2029",
    "h": " \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000",
}
_LINE_END = "(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?$"


class Untranslatable(ValueError):
    """A pattern whose meaning in ECMA-262 is not certain."""


@dataclass(frozen=True)
class Translated:
    pattern: str
    changed: bool  # False: the model's pattern as it is


def to_ecma(pattern: str) -> Translated:
    """``pattern`` as an ECMA-262 Unicode-mode regular expression; :class:`Untranslatable` if unsure."""
    literal = _JS_LITERAL.fullmatch(pattern)
    if literal is not None:  # /^...$/: a JavaScript regular expression literal, whose body is meant
        inner = to_ecma(literal.group(1))
        return Translated(inner.pattern, changed=True)
    if ecma.compiles(pattern):
        translated = Translated(pattern, changed=False)
    else:
        rewritten = _Rewriter(pattern).run()
        if not ecma.compiles(rewritten):
            raise Untranslatable(f"{pattern!r} is not ECMA-262, and {rewritten!r} does not compile either")
        translated = Translated(rewritten, changed=True)
    if matches_nothing(translated.pattern):
        raise Untranslatable(f"{pattern!r} matches no string: an anchor stands where no string can reach it")
    return translated


#: ``/^...$/`` as a whole (as written as a literal in JavaScript, with its slashes): a literal
#: ``/`` before ``^`` would make the pattern match nothing, so the slashes cannot be meant.
_JS_LITERAL = re.compile(r"/(\^.*|.*\$)/")


def matches_nothing(pattern: str) -> bool:
    """True when every top-level alternative of ``pattern`` has a ``^`` after a character it
    must consume, or a ``$`` before one (no flags: ``^`` and ``$`` are the ends of the text).
    Only plain tokens count as characters that must be consumed, so True is certain."""
    return all(_impossible(alternative) for alternative in _top_level_alternatives(pattern))


def _top_level_alternatives(pattern: str) -> list[list[tuple[str, bool]]]:
    """Each top-level alternative as (token, must consume a character) pairs; a group is one
    token that may consume nothing, as far as this check knows."""
    alternatives: list[list[tuple[str, bool]]] = [[]]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "|":
            alternatives.append([])
            i += 1
            continue
        if ch == "(":
            end = _group_end(pattern, i)
            token, i = pattern[i:end], end
            consumes = False
        elif ch == "[":
            end = _class_end(pattern, i)
            token, i, consumes = pattern[i:end], end, True
        elif ch == "\\":
            token, i = pattern[i : i + 2], i + 2
            consumes = token[1] not in "bB"
        else:
            token, i, consumes = ch, i + 1, ch not in "^$"
        optional = pattern[i : i + 1] in ("*", "?") or pattern.startswith(("{0,", "{0}"), i)
        if pattern[i : i + 1] in ("*", "+", "?") or pattern.startswith("{", i):
            end = pattern.find("}", i) + 1 if pattern.startswith("{", i) else i + 1
            i = end + (pattern[end : end + 1] == "?")
        alternatives[-1].append((token, consumes and not optional))
    return alternatives


def _impossible(tokens: list[tuple[str, bool]]) -> bool:
    for index, (token, _) in enumerate(tokens):
        if token == "^" and any(consumes for _, consumes in tokens[:index]):
            return True
        if token == "$" and any(consumes for _, consumes in tokens[index + 1 :]):
            return True
    return False


def _group_end(pattern: str, start: int) -> int:
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(pattern)


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]" and i > start + 1:
            return i + 1
        i += 1
    return len(pattern)


class _Rewriter:
    def __init__(self, pattern: str) -> None:
        self.source = pattern
        self.dot_all = pattern.startswith("(?s)")
        self.text = pattern[4:] if self.dot_all else pattern
        self.i = 0
        self.out: list[str] = []

    def run(self) -> str:
        while self.i < len(self.text):
            ch = self.text[self.i]
            quantifier = False
            if ch == "\\":
                self.out.append(self._escape(in_class=False))
            elif ch == "[":
                self.out.append(self._class())
            elif self.text.startswith("(?", self.i):
                self.out.append(self._group())
            elif ch == "{":
                self.out.append(self._brace())
                quantifier = True
            elif ch in "*+?":
                self.out.append(ch)
                self.i += 1
                quantifier = True
            elif ch in "]}":
                self.out.append("\\" + ch)  # Java: a lone ']' or '}' is the character itself
                self.i += 1
            elif ch == "." and self.dot_all:
                self.out.append("[\\s\\S]")
                self.i += 1
            else:
                self.out.append(ch)
                self.i += 1
            if quantifier and self.text.startswith("+", self.i):
                self._possessive()
        return "".join(self.out)

    def _refuse(self, why: str) -> Untranslatable:
        return Untranslatable(f"{self.source!r}: {why}")

    def _possessive(self) -> None:
        """A ``+`` after a quantifier is Java's possessive form; only ``{n}+`` means ``{n}``."""
        last = self.out[-1]
        if last.startswith("{") and "," not in last:
            self.i += 1  # a fixed count cannot give anything back: possessive changes nothing
            return
        raise self._refuse("possessive quantifiers have no ECMA-262 form")

    def _brace(self) -> str:
        end = self.text.find("}", self.i)
        body = self.text[self.i + 1 : end] if end != -1 else ""
        parts = body.split(",")
        counts = len(parts) <= 2 and parts[0].isdigit() and (len(parts) == 1 or parts[1] == "" or parts[1].isdigit())
        if end == -1 or not counts:
            raise self._refuse("a '{' that is not a quantifier")
        self.i = end + 1
        return "{" + body + "}"

    def _group(self) -> str:
        for opener in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
            if self.text.startswith(opener, self.i):
                self.i += len(opener)
                return opener
        if self.text.startswith("(?<", self.i):  # a named group
            self.i += 3
            return "(?<"
        raise self._refuse("inline flags and atomic groups have no ECMA-262 form")

    def _escape(self, *, in_class: bool) -> str:
        if self.i + 1 >= len(self.text):
            raise self._refuse("a trailing backslash")
        nxt = self.text[self.i + 1]
        self.i += 2
        if nxt == "0" and self.text[self.i : self.i + 1] in set("01234567"):
            return self._octal()
        if nxt in _SHARED_LETTERS or nxt.isdigit():
            return "\\" + nxt
        if nxt == "x" and self.text.startswith("{", self.i):
            end = self.text.find("}", self.i)
            if end == -1:
                raise self._refuse("an unclosed \\x{")
            digits, self.i = self.text[self.i + 1 : end], end + 1
            return f"\\u{{{digits}}}"  # Java's \\x{h...h} is ECMA's \\u{h...h}
        if nxt in "xuc":
            return "\\" + nxt  # the digits or letter that follow are copied as they are
        if nxt in _JAVA_SPACES:
            return _JAVA_SPACES[nxt] if in_class else f"[{_JAVA_SPACES[nxt]}]"
        if nxt in "pP":
            return self._property(nxt, in_class=in_class)
        if nxt == "Q":
            end = self.text.find("\\E", self.i)
            quoted = self.text[self.i : end if end != -1 else len(self.text)]
            self.i = end + 2 if end != -1 else len(self.text)
            return "".join(_literal(c, in_class=in_class) for c in quoted)
        if not in_class and nxt == "A":
            return "^"
        if not in_class and nxt == "z":
            return "$"
        if not in_class and nxt == "Z" and self.i == len(self.text):
            return _LINE_END
        if nxt == "e":
            return "\\x1B"
        if nxt == "a":
            return "\\x07"
        if nxt.isalnum():
            raise self._refuse(f"'\\{nxt}' has no certain ECMA-262 meaning")
        return _literal(nxt, in_class=in_class)

    def _octal(self) -> str:
        """Java's ``\\0n``, ``\\0nn`` and ``\\0mnn`` (m at most 3): a character by its octal code."""
        digits = ""
        while len(digits) < 3 and self.text[self.i : self.i + 1] in set("01234567"):
            if len(digits) == 2 and digits[0] > "3":
                break
            digits += self.text[self.i]
            self.i += 1
        return f"\\x{int(digits, 8):02X}"

    def _property(self, letter: str, *, in_class: bool) -> str:
        if self.i < len(self.text) and self.text[self.i] != "{":
            name = self.text[self.i]  # Java's one-letter form, \pL
            self.i += 1
        else:
            end = self.text.find("}", self.i)
            if end == -1:
                raise self._refuse("an unclosed \\p{")
            name = self.text[self.i + 1 : end]
            self.i = end + 1
        if name in _POSIX:
            ranges = _POSIX[name]
            if letter == "P":
                if in_class:
                    raise self._refuse(f"\\P{{{name}}} inside a class")
                return f"[^{ranges}]"
            return ranges if in_class else f"[{ranges}]"
        if ecma.compiles(f"\\{letter}{{{name}}}"):
            return f"\\{letter}{{{name}}}"
        raise self._refuse(f"\\{letter}{{{name}}} is not a Unicode property ECMA-262 knows")

    def _class(self) -> str:
        start = self.i
        self.i += 1
        parts = ["["]
        if self.i < len(self.text) and self.text[self.i] == "^":
            parts.append("^")
            self.i += 1
        previous_was_class_escape = False
        first = True
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch == "]" and not first:
                self.i += 1
                parts.append("]")
                return "".join(parts)
            first = False
            if ch == "[" or self.text.startswith("&&", self.i):
                raise self._refuse("nested classes and class intersections have no ECMA-262 form")
            if ch == "\\":
                escaped = self._escape(in_class=True)
                parts.append(escaped)
                previous_was_class_escape = escaped[:2] in {f"\\{c}" for c in "dDwWsSpP"} or (
                    len(escaped) > 2 and escaped[0] != "\\"
                )
                continue
            if ch == "-" and previous_was_class_escape:
                parts.append("\\-")  # Java: a '-' after a class escape is the character itself
                self.i += 1
                previous_was_class_escape = False
                continue
            parts.append(ch)
            self.i += 1
            previous_was_class_escape = False
        raise self._refuse(f"an unclosed class at {start}")


def _literal(ch: str, *, in_class: bool) -> str:
    """The character ``ch`` itself, escaped where ECMA-262's Unicode mode needs it."""
    if in_class:
        return "\\" + ch if ch in "\\]^-[" else ch
    return "\\" + ch if ch in _SYNTAX else ch
