"""A do-nothing ASGI app served as ``harness mock`` is served: the yardstick of ``bench_mock.py``.

Every HTTP request gets ``200`` with the body ``{}`` at once: the app reads nothing (uvicorn
has already parsed the request and discards a body nobody asks for) and decides nothing.
It runs under the very function that serves the mock (``harness.mock.server.serve_forever``,
the same uvicorn settings, event loop and HTTP parser), so what separates the two figures is
the mock's own work per request.

    .venv/bin/python bench/asgi_baseline.py --port 0    # prints "listening on URL"; SIGTERM stops it
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from harness.mock.server import LOOPBACK, serve_forever

Message = MutableMapping[str, Any]
START = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
BODY = {"type": "http.response.body", "body": b"{}"}


async def app(scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Message]], send: Any) -> None:
    if scope["type"] == "http":
        await send(START)
        await send(BODY)
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free one (default)")
    args = parser.parse_args()
    serve_forever(app, host=LOOPBACK, port=args.port, on_ready=lambda url: print(f"listening on {url}", flush=True))


if __name__ == "__main__":
    main()
