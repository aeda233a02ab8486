"""Error answers: what the mock says when it refuses a request, rendered as SPEC section 3 says.

Anywhere in the request pipeline, refusing means raising :class:`ErrorAnswer` with an AWS
error name; :func:`render_error` turns it into the wire form: the name in
``x-amzn-ErrorType``, a JSON object body carrying the message in the operation's casing
(``message`` or ``Message``; AWS's common authentication errors always use ``message``), and
the status the contract declares for that name.  Names that no contract declares (an
unknown path, a wrong method, a body over the size limit) carry their own status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from harness.aws import AUTH_ERROR_NAMES
from harness.contract import Contract
from harness.mock.reply import Reply, json_reply

#: Statuses of the errors the mock may answer outside any contract.
UNMODELED_STATUS = {
    "UnknownOperationException": 404,
    "MethodNotAllowedException": 405,
    "RequestTimeoutException": 408,
    "RequestEntityTooLargeException": 413,
    "UnsupportedMediaTypeException": 415,
    # The provider-states endpoint belongs to no operation.
    "SerializationException": 400,
    "ProviderStateException": 400,
}


class ErrorAnswer(Exception):
    """A refusal, named as AWS names it (``ValidationException``, ``ConflictException``...)."""

    def __init__(
        self,
        name: str,
        message: str,
        *,
        members: Mapping[str, Any] | None = None,
        close: bool = False,
    ) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
        self.members: Mapping[str, Any] = members or {}
        self.close = close


def error_status(name: str, contract: Contract | None) -> int:
    """The status of error ``name``: the contract's, else the mock's own table."""
    if contract is not None and name in contract.errors:
        return contract.errors[name]
    return UNMODELED_STATUS[name]


def render_error(error: ErrorAnswer, contract: Contract | None) -> Reply:
    """The wire form of ``error`` for ``contract``'s operation (``None``: outside any)."""
    member = "message"
    if contract is not None and error.name not in AUTH_ERROR_NAMES:
        member = contract.error_message_member
    document = {member: error.message, **error.members}
    reply = json_reply(
        error_status(error.name, contract),
        document,
        headers=((b"x-amzn-errortype", error.name.encode()),),
    )
    return replace(reply, close=error.close)
