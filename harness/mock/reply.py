"""Replies: one HTTP answer of the mock, before the per-answer headers are added."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

JSON_CONTENT_TYPE = b"application/json"


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, before the per-response headers (request id, length) are added."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    close: bool = False  # close the connection afterwards (the body may be left unread)


def json_reply(status: int, document: Any, *, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Reply:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Reply(status=status, body=body, headers=((b"content-type", JSON_CONTENT_TYPE), *headers))
