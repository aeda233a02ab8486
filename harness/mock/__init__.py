"""The reference mock: both operations exactly as SPEC.md says, for tests and for users.

- :func:`create_app` builds the ASGI application from the contracts;
- :func:`harness.mock.server.running_mock` serves it with uvicorn on a free loopback port
  for the duration of a ``with`` block (``harness run --target mock``, the project's tests);
- ``harness mock`` serves it until interrupted.

See ``harness/mock/app.py`` for the steps every request goes through.  Where SPEC.md
leaves a choice, the mock answers:

- malformed JSON, invalid UTF-8, NaN, a lone surrogate, nesting deeper than 64:
  400 ``SerializationException``; a well-formed body that breaks the contract (a body that
  is not an object, a member of the wrong type...): 400 ``ValidationException``, with
  Detective's ``ErrorCode`` (``INVALID_GRAPH_ARN`` when only ``GraphArn`` breaks its
  pattern, else ``INVALID_REQUEST_BODY``); an empty body is the empty object;
- a ``Content-Type`` other than ``application/json`` (or none, with a body): 415
  ``UnsupportedMediaTypeException``; a body over 1 MiB: 413; a body that stops arriving
  for 30 seconds: 408; an unknown path: 404 ``UnknownOperationException``; another method:
  405 ``MethodNotAllowedException``, all with JSON bodies;
- StartMonitoringMember for an ``ENABLED`` member: 200;
- a teardown that matches no setup: 200 with ``"undone": 0``; members not named by the
  contract are ignored.
"""

from __future__ import annotations

from harness.mock.app import DEFAULT_HANDLERS, STATES_PATH, MockApp, create_app

__all__ = ["DEFAULT_HANDLERS", "STATES_PATH", "MockApp", "create_app"]
