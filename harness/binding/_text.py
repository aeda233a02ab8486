"""Values as text: scalars in labels, query strings and headers, and back.

A value in a URI label, the query string or a header is text.  A string is itself, a
boolean ``true``/``false``, a number its JSON text; a value that has no text form there (a
list in a label, an object in a header: invalid inputs) is its compact JSON text, so that it
is sent as far as HTTP can carry it.  Reading text back needs the member's JSON type
(:data:`Kind`); text that is not of that type stays a string.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from harness.binding._model import Kind, Unsendable

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
#: Bytes no HTTP header value may hold: C0 controls but HTAB, and DEL (RFC 9110 section 5.5).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def scalar_text(value: Any) -> str:
    """A value as a label, query value or header shows it."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return json_text(value)


def from_text(kind: Kind, text: str) -> Any:
    """Text read back as a value of ``kind`` (its first type); text not of that type stays a string."""
    wanted = kind[0] if kind else "string"
    if wanted == "integer" and _INTEGER.fullmatch(text):
        return int(text)
    if wanted == "number" and _NUMBER.fullmatch(text):
        return json.loads(text)
    if wanted == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


# --------------------------------------------------------------------------- headers


def header_value(member: str, text: str) -> str:
    """``text`` as a header's wire string (its UTF-8 bytes, one character each).

    Unsendable when HTTP forbids a byte of it (CR, LF, other controls), or when it starts or
    ends with whitespace, which HTTP removes from every header value.
    """
    if text.isascii() and text.isprintable():
        if text[:1] == " " or text[-1:] == " ":
            raise Unsendable(f"{member}: HTTP removes the whitespace at either end of a header value")
        return text
    forbidden = _FORBIDDEN.search(text)
    if forbidden is not None:
        raise Unsendable(f"{member}: a header value cannot hold the byte {forbidden.group()!r}")
    if text[:1] in (" ", "\t") or text[-1:] in (" ", "\t"):
        raise Unsendable(f"{member}: HTTP removes the whitespace at either end of a header value")
    try:
        return text.encode("utf-8").decode("latin-1")
    except UnicodeEncodeError:
        raise Unsendable(f"{member}: a lone surrogate has no UTF-8 form to send") from None


def header_text(wire: str) -> str:
    """A header's wire string as text (UTF-8; a value that is not UTF-8 stays as it came)."""
    if wire.isascii():
        return wire
    try:
        return wire.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return wire


def header_list(items: list[Any]) -> str:
    """A list header: items joined with ``,``; an item holding ``,`` or ``"`` or whitespace at an
    end is a quoted-string (RFC 9110 5.6.4, as botocore writes string lists)."""
    return ",".join(_quoted(scalar_text(item)) for item in items)


def _quoted(text: str) -> str:
    if "," in text or '"' in text or text != text.strip(" \t"):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def split_header_list(text: str) -> list[str]:
    """The items of a list header: split at commas outside quoted-strings, each unquoted."""
    if '"' not in text:
        return [item.strip(" \t") for item in text.split(",")]
    items: list[str] = []
    index, size = 0, len(text)
    while True:
        while index < size and text[index] in " \t":
            index += 1
        quoted: list[str] = []
        if index < size and text[index] == '"':
            index += 1
            while index < size and text[index] != '"':
                if text[index] == "\\" and index + 1 < size:
                    index += 1
                quoted.append(text[index])
                index += 1
            index += 1  # the closing quote
        end = text.find(",", index)
        items.append("".join(quoted) + text[index : size if end < 0 else end].strip(" \t"))
        if end < 0:
            return items
        index = end + 1


def jsonvalue_header(value: Any) -> str:
    """A ``jsonvalue`` header: the base64 of the value's compact JSON text (ASCII, as botocore)."""
    return base64.b64encode(json.dumps(value, separators=(",", ":")).encode("ascii")).decode("ascii")


def from_jsonvalue_header(text: str) -> Any:
    try:
        return json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return text
