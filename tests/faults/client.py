"""A small signed client for a served variant, and witnesses: the one request that shows a bug.

A bug the harness misses is only worth reporting if it is real: a :class:`Witness` sends the
request that triggers it (after any setup it needs) and says what the correct mock and the
faulty variant answer; the two must differ.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import urllib3

from harness.aws import SigningKey, sign
from harness.contract import Contract

STATES_PATH = "/_harness/provider-states"


class Client:
    """Signed requests to a mock (or a variant of it) at ``url``."""

    def __init__(self, url: str, *, credentials: tuple[str, str], contracts: Mapping[str, Contract]) -> None:
        self.url = url
        self.key = SigningKey(credentials[0], credentials[1], "us-east-1")
        self.contracts = contracts
        self.http = urllib3.PoolManager(retries=False, timeout=10)

    def call(self, operation: str, document: Any, *, signed_ago: float = 0, service: str | None = None) -> int:
        """The status of one request of ``operation`` (``document``: JSON, or bytes as they are)."""
        return int(self.answer(operation, document, signed_ago=signed_ago, service=service).status)

    def declared(self, operation: str, document: Any) -> str:
        """The ``Content-Type`` of the answer to one request of ``operation`` ("(none)" when it has none)."""
        return str(self.answer(operation, document).headers.get("content-type", "(none)"))

    def answer(
        self, operation: str, document: Any, *, signed_ago: float = 0, service: str | None = None
    ) -> urllib3.BaseHTTPResponse:
        """The answer to one signed request of ``operation``."""
        contract = self.contracts[operation]
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        url = self.url + contract.path
        at = datetime.fromtimestamp(time.time() - signed_ago, UTC) if signed_ago else None
        headers = sign(
            key=self.key,
            service=service or contract.signing_name,
            method=contract.method,
            url=url,
            headers={"Content-Type": "application/json"},
            body=body,
            at=at,
        )
        return self.http.request(contract.method, url, body=body, headers=headers)

    def state(self, state: str, params: Mapping[str, str] | None = None, *, action: str = "setup") -> int:
        payload = {"action": action, "state": state, "params": dict(params or {})}
        return self.http.request("POST", self.url + STATES_PATH, body=json.dumps(payload).encode()).status

    def close(self) -> None:
        self.http.clear()


@dataclass(frozen=True)
class Witness:
    """``send`` returns what the request that shows the bug gets (its status, or the header the
    bug is in): ``correct`` from the reference mock, ``faulty`` from the variant."""

    correct: int | str
    faulty: int | str
    send: Callable[[Client], int | str]
