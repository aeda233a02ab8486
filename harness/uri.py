"""The request URI of an AWS REST operation: path templates, percent-encoding, query strings.

A path template is the path of a model's ``requestUri``: literal segments and labels, each
label a whole segment (``{Name}``), at most one of them greedy (``{Key+}``: one or more
segments, slashes kept). Labels are percent-encoded as RFC 3986 says, keeping only its
unreserved characters (``A-Z a-z 0-9 - . _ ~``; a greedy label keeps ``/`` too), from the
UTF-8 bytes of the value; a segment that would read ``.`` or ``..`` has its dots encoded
(``%2E``), because clients (urllib3, curl) and servers remove such segments.

Hand-written rather than taken from ``uritemplate`` (RFC 6570): AWS labels are not RFC 6570
expressions (a greedy label followed by literal segments, whole-segment labels, matching as
well as expanding), and the router needs the parsed segments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from urllib.parse import quote, unquote

_LABEL = re.compile(r"\{([^{}/]+?)(\+?)\}")
#: Text that percent-encoding leaves as it is (RFC 3986 unreserved; with ``/`` for a greedy label).
_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]*")
_UNRESERVED_PATH = re.compile(r"[A-Za-z0-9\-._~/]*")


class SegmentKind(IntEnum):
    """What consumes a segment of a request path; lower is more specific (routing order)."""

    LITERAL = 0
    LABEL = 1
    GREEDY = 2


@dataclass(frozen=True, slots=True)
class Segment:
    kind: SegmentKind
    text: str  # the literal, or the label's name

    @property
    def key(self) -> tuple[SegmentKind, str]:
        """The segment with a label's name left out: segments of one key match the same text."""
        return (self.kind, self.text if self.kind is SegmentKind.LITERAL else "")


class TemplateError(ValueError):
    """A path template that is not one (the caller names the contract and pointer)."""


@dataclass(frozen=True)
class PathTemplate:
    """A parsed path template; :meth:`parse` builds one."""

    text: str
    segments: tuple[Segment, ...]

    @classmethod
    def parse(cls, text: str, *, greedy: frozenset[str] = frozenset()) -> PathTemplate:
        """``/v1/{Name}/files/{Key+}``; a label in ``greedy`` is greedy even written ``{Key}``."""
        if not text.startswith("/"):
            raise TemplateError(f"the path {text!r} does not start with '/'")
        if "?" in text or "#" in text:
            raise TemplateError(f"the path {text!r} holds a query or fragment: the literal query goes in staticQuery")
        segments: list[Segment] = []
        seen: set[str] = set()
        for raw in text[1:].split("/"):
            found = _LABEL.fullmatch(raw)
            if found is None:
                if "{" in raw or "}" in raw:
                    raise TemplateError(f"the segment {raw!r} of {text!r} is not a whole label such as {{Name}}")
                segments.append(Segment(SegmentKind.LITERAL, raw))
                continue
            name = found.group(1)
            if name in seen:
                raise TemplateError(f"the label {{{name}}} appears twice in {text!r}")
            seen.add(name)
            kind = SegmentKind.GREEDY if found.group(2) or name in greedy else SegmentKind.LABEL
            segments.append(Segment(kind, name))
        if sum(s.kind is SegmentKind.GREEDY for s in segments) > 1:
            raise TemplateError(f"{text!r} has more than one greedy label")
        return cls(text=text, segments=tuple(segments))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.segments if s.kind is not SegmentKind.LITERAL)

    @property
    def greedy(self) -> str | None:
        return next((s.text for s in self.segments if s.kind is SegmentKind.GREEDY), None)

    @property
    def shape(self) -> tuple[tuple[SegmentKind, str], ...]:
        """The template with its labels' names left out: two templates of one shape match the same paths."""
        return tuple(s.key for s in self.segments)

    def render(self, encoded: Mapping[str, str]) -> str:
        """The path with each label replaced by its (already encoded) value; KeyError names a missing one."""
        return "/" + "/".join(s.text if s.kind is SegmentKind.LITERAL else encoded[s.text] for s in self.segments)

    def match(self, path: str) -> dict[str, str] | None:
        """The raw (still percent-encoded) value of each label when ``path`` matches, else ``None``.

        A label matches one non-empty segment; the greedy label matches every segment between
        those before it and those after it (at least one, and not an empty value).
        """
        if not path.startswith("/"):
            return None
        parts = path[1:].split("/")
        return match_segments(self.segments, parts)


def match_segments(segments: tuple[Segment, ...], parts: list[str]) -> dict[str, str] | None:
    """:meth:`PathTemplate.match` on a path already split at its slashes."""
    greedy_at = next((i for i, s in enumerate(segments) if s.kind is SegmentKind.GREEDY), -1)
    if greedy_at < 0:
        if len(parts) != len(segments):
            return None
        return _match_fixed(segments, parts)
    after = len(segments) - greedy_at - 1
    if len(parts) < len(segments):
        return None
    before = _match_fixed(segments[:greedy_at], parts[:greedy_at])
    if before is None:
        return None
    end = len(parts) - after
    tail = _match_fixed(segments[greedy_at + 1 :], parts[end:])
    if tail is None:
        return None
    value = "/".join(parts[greedy_at:end])
    if not value:
        return None
    before[segments[greedy_at].text] = value
    before.update(tail)
    return before


def _match_fixed(segments: tuple[Segment, ...], parts: list[str]) -> dict[str, str] | None:
    labels: dict[str, str] = {}
    for segment, part in zip(segments, parts, strict=True):
        if segment.kind is SegmentKind.LITERAL:
            if part != segment.text and ("%" not in part or unquote(part) != segment.text):
                return None  # (a literal segment percent-encoded, ``%73copes``, is the same segment)
        elif not part:
            return None
        else:
            labels[segment.text] = part
    return labels


# --------------------------------------------------------------------------- encoding


def encode_label(text: str, *, greedy: bool = False) -> str:
    """A label's value percent-encoded; UnicodeEncodeError for a lone surrogate."""
    if (_UNRESERVED_PATH if greedy else _UNRESERVED).fullmatch(text):
        encoded = text
    else:
        encoded = quote(text.encode("utf-8"), safe="/" if greedy else "")
    if "." not in encoded:
        return encoded
    return "/".join(_dots(part) for part in encoded.split("/")) if greedy else _dots(encoded)


def _dots(segment: str) -> str:
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def encode_component(text: str) -> str:
    """A query key or value percent-encoded (``+`` and space included: ``%2B``, ``%20``)."""
    return text if _UNRESERVED.fullmatch(text) else quote(text.encode("utf-8"), safe="")


def decode_component(text: str) -> str:
    """A percent-encoded label, query key or value as text (``+`` stays ``+``, RFC 3986)."""
    return unquote(text, errors="replace") if "%" in text else text


def query_pairs(query: str) -> Iterator[tuple[str, str]]:
    """The decoded ``(key, value)`` pairs of a query string, in order; ``key`` alone is ``(key, "")``."""
    if not query:
        return
    for pair in query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        yield decode_component(key), decode_component(value)


def format_static_query(pairs: tuple[tuple[str, str], ...]) -> str:
    """The literal query of a ``requestUri`` as botocore writes it (``tagging``, ``mode=import``)."""
    return "&".join(encode_component(k) + ("=" + encode_component(v) if v else "") for k, v in pairs)
