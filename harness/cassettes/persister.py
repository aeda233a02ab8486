"""Cassette files: one vcrpy cassette per operation, written whole or not at all.

:func:`write_cassettes` splits a recording by operation and writes each file to a temporary
name in the same directory, then renames it into place (``os.replace`` is atomic), so a cassette
on disk is always complete.  :func:`read_cassette` reads one back, with a clear error for every
way a file can be broken.  Both go through vcrpy's public serialization (``vcr.serialize``), so
the files are vcrpy's own: vcrpy plays them back as they are.  They are written by
:data:`SERIALIZER`, vcrpy's YAML with one difference: text outside ASCII is written as its
UTF-8 (a character of four bytes takes four bytes, not a ten-character escape), which vcrpy's
loader reads as it reads any YAML.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from vcr.request import Request
from vcr.serialize import CASSETTE_FORMAT_VERSION, deserialize, serialize
from vcr.serializers import yamlserializer

from harness.cassettes.manifest import yaml_problem
from harness.contract import Contract
from harness.errors import CassetteError

Interactions = tuple[list[Request], list[dict[str, Any]]]
# PyYAML's own emitter: libyaml's (CSafeDumper) escapes every character beyond U+FFFF even with
# allow_unicode, and then quotes the whole body, escaping each '"' too
_DUMPER = yaml.SafeDumper


class _Utf8YamlSerializer:
    """vcrpy's serializer interface (``serialize``), writing safe YAML with UTF-8 text.

    vcrpy's own ``yamlserializer.serialize`` escapes every character outside ASCII; a recorded
    body of 4-byte characters would take ten bytes a character, and the same again in an answer
    that echoes it.  Safe YAML holds only what vcrpy's safe loader reads back.
    """

    @staticmethod
    def serialize(cassette: Any) -> str:
        text: str = yaml.dump(cassette, Dumper=_DUMPER, allow_unicode=True)
        return text


SERIALIZER = _Utf8YamlSerializer()


def cassette_name(operation_id: str) -> str:
    """``detective:StartMonitoringMember`` -> ``detective-StartMonitoringMember.yaml``."""
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in operation_id)
    return f"{safe}.yaml"


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then ``os.replace``.

    The temporary file is created with the permissions of any new file (``0o666`` less the
    umask), which the rename keeps.
    """
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class WrittenCassette:
    operation: str
    file: str
    digest: str
    interactions: int


def write_cassettes(
    directory: Path, interactions: Interactions, contracts: Sequence[Contract], operations: Sequence[str]
) -> list[WrittenCassette]:
    """Write ``interactions`` as one vcrpy cassette per operation of ``contracts``, each file
    whole or not at all.

    Each interaction goes to the operation whose case it carried or whose phase made its
    provider-state call (``operations``, one an interaction), else to the one whose method and
    path it has; a provider-state call made outside a run's phases goes to the operation before it.
    """
    order = [c.id for c in contracts]
    paths = {(c.method.upper(), c.path): c.id for c in contracts}  # for requests sent outside a run
    groups: dict[str, tuple[list[Request], list[dict[str, Any]]]] = {op: ([], []) for op in order}
    current = order[0] if order else None
    for (request, response), operation in zip(zip(*interactions, strict=True), operations, strict=True):
        operation = operation or paths.get((request.method.upper(), urlsplit(request.uri).path), "")
        current = operation if operation in groups else current
        if current is not None:
            groups[current][0].append(request)
            groups[current][1].append(response)
    written = []
    for operation, (requests, responses) in groups.items():
        name = cassette_name(operation)
        header = f"# vcrpy cassette of {operation}: {len(requests)} interactions in the order sent (see run.yaml)\n"
        text = header + serialize({"requests": requests, "responses": responses}, SERIALIZER)
        data = text.encode("utf-8")
        try:
            write_atomically(directory / name, data)
        except OSError as exc:
            raise CassetteError(f"cannot write cassette {directory / name}: {exc.strerror}") from None
        written.append(WrittenCassette(operation, name, digest(data), len(requests)))
    return written


class _Parsed:
    """A serializer whose text is already parsed: vcrpy's ``deserialize`` then builds the requests."""

    def __init__(self, data: Any) -> None:
        self._data = data

    def deserialize(self, text: str) -> Any:
        return self._data


def read_cassette(
    path: Path,
    *,
    again: str,
    expected_digest: str | None = None,
    expected_interactions: int | None = None,
) -> Interactions:
    """The requests and responses of the cassette at ``path``; a :class:`CassetteError` naming the
    file and what to do (``again``: how to record it again) when it cannot be replayed."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        listed = " (run.yaml lists it)" if expected_digest else ""
        raise CassetteError(f"cassette {path} is missing{listed}: {again}") from None
    except OSError as exc:
        raise CassetteError(f"cannot read cassette {path}: {exc.strerror}") from None
    try:
        data = yamlserializer.deserialize(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CassetteError(f"cassette {path} is not text (not UTF-8): it is damaged; {again}") from None
    except yaml.YAMLError as exc:
        raise CassetteError(
            f"cassette {path} is not YAML ({yaml_problem(exc)}): it is truncated or damaged; {again}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{path} is not a vcrpy cassette (no list of interactions): {again}")
    if "version" not in data:  # vcrpy writes it last: a cut that still parses loses it
        raise CassetteError(f"cassette {path} has no vcrpy format version: it is truncated or damaged; {again}")
    if data.get("version") != CASSETTE_FORMAT_VERSION:
        raise CassetteError(
            f"cassette {path} is of vcrpy format version {data.get('version')!r}; this harness reads version "
            f"{CASSETTE_FORMAT_VERSION}: {again}"
        )
    for index, interaction in enumerate(data["interactions"]):
        problem = _problem(interaction)
        if problem:
            raise CassetteError(f"cassette {path}, interaction {index}: {problem}; the file is damaged: {again}")
    if expected_digest is not None and digest(raw) != expected_digest:
        raise CassetteError(
            f"cassette {path} is not the one this run recorded (its digest is {digest(raw)}, run.yaml says "
            f"{expected_digest}): it was truncated, edited or copied from another recording. {again[0].upper()}"
            f"{again[1:]}; or, if you edited it on purpose, put `cassette_digest: {digest(raw)}` in run.yaml"
        )
    count = len(data["interactions"])
    if expected_interactions is not None and count != expected_interactions:
        raise CassetteError(
            f"cassette {path} holds {count} interactions, run.yaml says {expected_interactions}: {again}"
        )
    try:
        requests, responses, *_ = deserialize("", _Parsed(data))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise CassetteError(f"cassette {path} cannot be read by vcrpy ({exc}): the file is damaged; {again}") from None
    return list(requests), list(responses)


def _problem(interaction: Any) -> str:
    """What is missing from one interaction of a cassette; empty when nothing is."""
    if not isinstance(interaction, dict):
        return "not a mapping"
    request, response = interaction.get("request"), interaction.get("response")
    if not isinstance(request, dict) or not all(k in request for k in ("method", "uri", "body", "headers")):
        return "the request needs method, uri, body and headers"
    if not isinstance(response, dict):
        return "no response"
    status, body = response.get("status"), response.get("body")
    if not isinstance(status, dict) or not isinstance(status.get("code"), int) or "message" not in status:
        return "the response needs a status code and message"
    headers = response.get("headers")
    if not isinstance(headers, dict) or not all(
        isinstance(values, list) and all(isinstance(v, str) for v in values) for values in headers.values()
    ):
        return "the response headers must map each name to a list of values"
    if not isinstance(body, dict) or not isinstance(body.get("string"), str | bytes):
        return "the response has no body string"
    return ""
