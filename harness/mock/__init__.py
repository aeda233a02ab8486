"""The reference mock: both operations exactly as SPEC.md says, for tests and for users.

- :func:`create_app` builds the ASGI application from the contracts;
- :func:`harness.mock.server.running_mock` serves it with uvicorn on a free loopback port
  for the duration of a ``with`` block (``harness run --target mock``, the project's tests);
- ``harness mock`` serves it until interrupted.

See ``harness/mock/app.py`` for the steps every request goes through.
"""

from __future__ import annotations

from harness.mock.app import DEFAULT_HANDLERS, STATES_PATH, MockApp, create_app

__all__ = ["DEFAULT_HANDLERS", "STATES_PATH", "MockApp", "create_app"]
