"""``networkflowmonitor:CreateScope``: scopes, idempotent by ``clientToken``.

- A request with a ``clientToken`` seen before gets the answer recorded for it when its
  body is identical (members whose value is null left out), else 409 ``ConflictException``.
- Otherwise a new scope is made: 200 with a fresh ``scopeId``, ``status`` ``SUCCEEDED``,
  ``scopeArn`` ``arn:aws:networkflowmonitor:REGION:ACCOUNT:scope/ID`` and the request's
  ``tags`` when it had any; unless ``scope quota reached`` is set: 402.

Tokens are remembered for the life of the app (only requests that made a scope are
recorded).  Check and record happen under one lock, so concurrent requests with one token
make one scope.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.aws import DEFAULT_REGION
from harness.contract import Contract
from harness.mock.errors import ErrorAnswer
from harness.mock.handler import Call, Handler
from harness.mock.reply import Reply, json_reply
from harness.mock.state import Params, StateDefinition, Undo

#: The account the mock's ARNs name.
ACCOUNT_ID = "123456789012"
SCOPE_STATUS = "SUCCEEDED"

# The credential scope's region goes into the ARN only when it looks like a region name, so
# that the ARN keeps to the documented length (20 to 2048) and pattern whatever was signed.
_REGION_NAME = re.compile(r"[a-z0-9-]{1,40}")


@dataclass(frozen=True)
class _Record:
    request: Mapping[str, Any]
    reply: Reply


class CreateScope(Handler):
    errors = frozenset({"ConflictException", "ServiceQuotaExceededException"})

    def __init__(self, contract: Contract) -> None:
        super().__init__(contract)
        self._lock = threading.Lock()
        self._by_token: dict[str, _Record] = {}
        self._quota_setups = 0
        self.created = 0

    def states(self) -> Sequence[StateDefinition]:
        return (
            StateDefinition(
                name="scope quota reached",
                params=(),
                setup=self._reach_quota,
                doc="CreateScope with a new clientToken, or none: 402",
            ),
        )

    def answer(self, call: Call) -> Reply:
        token = call.document.get("clientToken")
        with self._lock:
            if token is not None:
                record = self._by_token.get(token)
                if record is not None:
                    if record.request != call.document:
                        raise ErrorAnswer(
                            "ConflictException",
                            f"clientToken {token} was already used with a different request body.",
                        )
                    return record.reply
            if self._quota_setups:
                raise ErrorAnswer(
                    "ServiceQuotaExceededException",
                    "You have reached the maximum number of scopes for this account "
                    "(provider state 'scope quota reached' is set).",
                )
            reply = self._create(call)
            if token is not None:
                self._by_token[token] = _Record(call.document, reply)
        return reply

    def _create(self, call: Call) -> Reply:
        scope_id = str(uuid.uuid4())
        region = call.region if _REGION_NAME.fullmatch(call.region) else DEFAULT_REGION
        body: dict[str, Any] = {
            "scopeId": scope_id,
            "status": SCOPE_STATUS,
            "scopeArn": f"arn:aws:networkflowmonitor:{region}:{ACCOUNT_ID}:scope/{scope_id}",
        }
        if "tags" in call.document:
            body["tags"] = call.document["tags"]
        self.created += 1
        return json_reply(200, body)

    def _reach_quota(self, params: Params) -> Undo:
        with self._lock:
            self._quota_setups += 1

        def undo() -> None:
            with self._lock:
                self._quota_setups -= 1

        return undo
