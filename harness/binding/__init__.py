"""Protocol bindings: how an operation input becomes an HTTP request, and back.

A case is an **operation input**: member -> value, each value in its JSON wire form
(docs/imported-contracts.md).  An :class:`OperationBinding`, read from a contract document,
says where each member goes for the operation's protocol:

- restJson1: path labels (percent-encoded; a greedy ``{Key+}`` keeps its slashes), query
  members (a list repeats the key), query maps, header members (a list joined with ``,``),
  header maps, the JSON body, or a ``payload`` member as the body itself;
- awsJson1.0 / 1.1: ``POST /`` with ``X-Amz-Target`` and ``application/x-amz-json-1.x``,
  every member in the body.

:func:`bind` makes the :class:`BoundRequest` (an input HTTP cannot carry raises
:class:`Unsendable`); :func:`decode` is the server's side, reading a request back as its
input.  :mod:`harness.routing` finds which binding a request belongs to.
"""

from __future__ import annotations

from harness.binding._decode import decode
from harness.binding._encode import PROTOCOL_DEFAULT, ContentType, bind, encode_json
from harness.binding._model import (
    BoundRequest,
    Kind,
    Location,
    MalformedRequest,
    MemberBinding,
    OperationBinding,
    Protocol,
    Unsendable,
)

__all__ = [
    "PROTOCOL_DEFAULT",
    "BoundRequest",
    "ContentType",
    "Kind",
    "Location",
    "MalformedRequest",
    "MemberBinding",
    "OperationBinding",
    "Protocol",
    "Unsendable",
    "bind",
    "decode",
    "encode_json",
]
