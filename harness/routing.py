"""Which operation a request belongs to: :class:`Router` over many protocol bindings.

- awsJson: ``POST /`` carrying an ``X-Amz-Target`` that one binding names.
- restJson1: the method and the path template.  A label matches one non-empty segment, a
  greedy label the segments between those before and after it.  Where several templates
  match a path, the one whose segments are more specific wins, read from the left: at the
  first segment where they differ, a literal beats a label, and a label beats a greedy label
  (``/a/{b}`` over ``/{a}/{b}``, ``/p/{x+}/settings`` over ``/p/{x+}``).
- Among templates of the same shape (the same segments, label names aside) for one method,
  the static query decides (``?tagging``): the binding whose static query the request
  carries, the largest such first, one without a static query last.

Two bindings that would take the same requests (the same method and shape with the same
static query, or the same target) make the router refuse to be built, with a
:class:`harness.errors.ContractError` naming both.  Operations of different services often
share a path (``GET /tags/{resourceArn}``): build one router per service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from harness.binding import OperationBinding
from harness.errors import ContractError
from harness.uri import Segment, SegmentKind, decode_component, query_pairs

_TARGET_HEADERS = ("x-amz-target", "X-Amz-Target")


@dataclass(frozen=True, slots=True)
class Route:
    """A request's operation and the decoded values of the path labels it matched."""

    binding: OperationBinding
    labels: Mapping[str, str]

    @property
    def operation(self) -> str:
        return self.binding.operation


@dataclass(slots=True)
class _Candidates:
    """Bindings of one method and template shape, the largest static query first."""

    entries: list[tuple[frozenset[tuple[str, str]], OperationBinding]] = field(default_factory=list)

    def add(self, binding: OperationBinding) -> None:
        static = frozenset(binding.static_query)
        for other_static, other in self.entries:
            if other_static == static:
                raise _ambiguous(binding, other, "the same method, path template and static query")
        self.entries.append((static, binding))
        self.entries.sort(key=lambda entry: -len(entry[0]))

    def choose(self, request: _Request) -> OperationBinding | None:
        entries = self.entries
        if len(entries) == 1 and not entries[0][0]:
            return entries[0][1]
        pairs = request.pairs()
        for index, (static, binding) in enumerate(entries):
            if static <= pairs:
                # Another static query the request carries, not held in this one: neither.
                if static and any(s and s <= pairs and not s <= static for s, _ in entries[index + 1 :]):
                    return None
                return binding
        return None


@dataclass(slots=True)
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    label: _Node | None = None
    greedy: list[tuple[tuple[Segment, ...], _Candidates]] = field(default_factory=list)
    here: _Candidates | None = None


class _Request:
    __slots__ = ("_pairs", "parts", "query")

    def __init__(self, parts: list[str], query: str) -> None:
        self.parts = parts
        self.query = query
        self._pairs: frozenset[tuple[str, str]] | None = None

    def pairs(self) -> frozenset[tuple[str, str]]:
        if self._pairs is None:
            self._pairs = frozenset(query_pairs(self.query))
        return self._pairs


class Router:
    """Routes requests to the bindings it was built with (see the module's docstring)."""

    def __init__(self, bindings: Iterable[OperationBinding]) -> None:
        self._targets: dict[str, OperationBinding] = {}
        self._tries: dict[str, _Node] = {}
        self._bindings: list[OperationBinding] = []
        for binding in bindings:
            self._add(binding)

    @property
    def bindings(self) -> tuple[OperationBinding, ...]:
        return tuple(self._bindings)

    def _add(self, binding: OperationBinding) -> None:
        self._bindings.append(binding)
        if binding.target is not None:
            other = self._targets.get(binding.target)
            if other is not None:
                raise _ambiguous(binding, other, f"the same X-Amz-Target {binding.target}")
            self._targets[binding.target] = binding
            return
        node = self._tries.setdefault(binding.method, _Node())
        segments = binding.template.segments
        for index, segment in enumerate(segments):
            if segment.kind is SegmentKind.GREEDY:
                suffix = segments[index + 1 :]
                shape = [s.key for s in suffix]
                for other_suffix, candidates in node.greedy:
                    if [s.key for s in other_suffix] == shape:
                        candidates.add(binding)
                        return
                candidates = _Candidates()
                candidates.add(binding)
                node.greedy.append((suffix, candidates))
                # Longer suffixes first, then literal before label, segment by segment.
                node.greedy.sort(key=lambda edge: (-len(edge[0]), [s.kind for s in edge[0]]))
                return
            if segment.kind is SegmentKind.LITERAL:
                node = node.literal.setdefault(segment.text, _Node())
            else:
                if node.label is None:
                    node.label = _Node()
                node = node.label
        if node.here is None:
            node.here = _Candidates()
        node.here.add(binding)

    def match(self, method: str, path_and_query: str, headers: Mapping[str, str] | None = None) -> Route | None:
        """The operation of a request (raw path and query), or ``None`` when it is none of them.

        ``headers`` is read for ``X-Amz-Target`` only.
        """
        method = method.upper()
        path, _, query = path_and_query.partition("?")
        if self._targets and headers and method == "POST" and path == "/":
            target = next((headers[name] for name in _TARGET_HEADERS if name in headers), None)
            if target is None:
                target = next((v for k, v in headers.items() if k.lower() == "x-amz-target"), None)
            binding = self._targets.get(target) if target is not None else None
            if binding is not None:
                return Route(binding, {})
        root = self._tries.get(method)
        if root is None or not path.startswith("/"):
            return None
        binding = _walk(root, _Request(path[1:].split("/"), query), 0)
        if binding is None:
            return None
        labels = binding.template.match(path)
        if labels is None:  # cannot happen: the trie and the template read one definition
            return None
        return Route(binding, {name: decode_component(value) for name, value in labels.items()})

    def allowed_methods(self, path: str) -> frozenset[str]:
        """The methods some binding has for ``path`` (a 405 names them), static queries aside."""
        if not path.startswith("/"):
            return frozenset()
        parts = path[1:].split("/")
        return frozenset(method for method, root in self._tries.items() if _walk(root, _Request(parts, ""), 0, True))


def _walk(node: _Node, request: _Request, index: int, any_query: bool = False) -> OperationBinding | None:
    parts = request.parts
    if index == len(parts):
        return _pick(node.here, request, any_query) if node.here is not None else None
    part = parts[index]
    child = node.literal.get(part)
    if child is None and "%" in part:  # a literal segment percent-encoded (``%73copes``) is the same segment
        child = node.literal.get(unquote(part))
    if child is not None:
        found = _walk(child, request, index + 1, any_query)
        if found is not None:
            return found
    if part and node.label is not None:
        found = _walk(node.label, request, index + 1, any_query)
        if found is not None:
            return found
    for suffix, candidates in node.greedy:
        end = len(parts) - len(suffix)
        if end <= index or (end == index + 1 and not part):
            continue
        if all(
            (p == s.text or unquote(p) == s.text) if s.kind is SegmentKind.LITERAL else bool(p)
            for s, p in zip(suffix, parts[end:], strict=True)
        ):
            found = _pick(candidates, request, any_query)
            if found is not None:
                return found
    return None


def _pick(candidates: _Candidates, request: _Request, any_query: bool) -> OperationBinding | None:
    return candidates.entries[0][1] if any_query else candidates.choose(request)


def _ambiguous(binding: OperationBinding, other: OperationBinding, what: str) -> ContractError:
    where = binding.template.text.replace("~", "~0").replace("/", "~1")
    return ContractError(
        file=binding.source,
        pointer=f"/paths/{where}",
        message=(
            f"{binding.operation} ({binding.method} {binding.path}) and {other.operation} "
            f"({other.method} {other.path}, {other.source}) have {what}, so no request could tell them "
            "apart; give one a static query, or route each service with a router of its own"
        ),
    )
