"""Model patterns as ECMA-262 (Unicode mode): kept when they are, translated where Java's
meaning is certain, refused otherwise (the importer then leaves the pattern out, with a note)."""

from __future__ import annotations

import pytest

from harness import ecma
from harness.importer._patterns import Untranslatable, to_ecma


@pytest.mark.parametrize(
    "pattern",
    ["^[0-9]{12}$", "arn:aws[-\\w]{0,10}?:detective:.*", "^[\\p{L}\\p{N}_.-]+$", "(?<!\\.)\\.(?=[a-z])", "[\\-_]+"],
)
def test_an_ecma_pattern_is_kept_exactly(pattern: str) -> None:
    assert to_ecma(pattern).changed is False
    assert to_ecma(pattern).pattern == pattern


@pytest.mark.parametrize(
    ("java", "ecma_form", "matching", "not_matching"),
    [
        ("^[a-z]+\\-[0-9]+$", "^[a-z]+-[0-9]+$", "ab-12", "ab_12"),  # an identity escape outside a class
        ("^[\\w\\_\\:]+$", "^[\\w_:]+$", "a_b:c", "a-b"),  # and inside one
        ("^[\\w-.]+$", "^[\\w\\-.]+$", "a-b.c", "a/b"),  # '-' after a class escape is itself
        ("\\A[a-z]+\\z", "^[a-z]+$", "abc", "abc\n"),
        ("^[a-z]+\\Z", None, "abc\n", "abc\nd"),  # \Z: before a final line terminator too
        ("^\\p{Alnum}+$", "^[A-Za-z0-9]+$", "aB3", "é"),  # Java's POSIX classes are ASCII
        ("^[\\p{Upper}\\p{Digit}_]+$", "^[A-Z0-9_]+$", "A_1", "a"),
        ("^[^\\p{Cntrl}]*$", "^[^\\x00-\\x1F\\x7F]*$", "tab\u00a0ok", "bell\x07"),
        ("^\\pL+$", "^\\p{L}+$", "日本", "1"),
        ("(?s)^.{1,3}$", "^[\\s\\S]{1,3}$", "a\nb", "abcd"),
        ("^[0-9A-Z]{2}+$", "^[0-9A-Z]{2}$", "A1", "A1B"),  # possessive of a fixed count changes nothing
        ("^a]b}$", "^a\\]b\\}$", "a]b}", "ab"),  # a lone ] or } is itself in Java
        ("^\\Q1+1\\E=2$", "^1\\+1=2$", "1+1=2", "11=2"),
        ("^[^/\\000-\\037]+$", "^[^/\\x00-\\x1F]+$", "a b", "a\tb"),  # octal escapes
    ],
)
def test_a_java_pattern_is_translated_where_its_meaning_is_certain(
    java: str, ecma_form: str | None, matching: str, not_matching: str
) -> None:
    translated = to_ecma(java)
    assert translated.changed is True
    if ecma_form is not None:
        assert translated.pattern == ecma_form
    assert ecma.matches(translated.pattern, matching)
    assert not ecma.matches(translated.pattern, not_matching)


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(?i)^abc$", "inline flags"),
        ("(?!(?i)AWS_)[a-z]+", "inline flags"),
        ("^a++$", "possessive quantifiers"),
        ("[\\p{Print}&&[^|]]+", "class intersections"),
        ("^[\\p{IsAlphabetic}]+$", "IsAlphabetic"),
        ("^(\\p{LD}| )+$", "\\p{LD}"),
        ("^[a-z]*${1,4}$", "does not compile either"),
        ("^\\j$", "no certain ECMA-262 meaning"),
    ],
)
def test_a_pattern_whose_meaning_is_not_certain_is_refused(pattern: str, why: str) -> None:
    with pytest.raises(Untranslatable, match=why.replace("\\", "\\\\").replace("{", "\\{")):
        to_ecma(pattern)
