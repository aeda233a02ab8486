"""``python -m harness.mock``: the reference mock alone, in a process of its own (``mock.process``).

``harness mock`` (``harness/cli/mock.py``) is the command for people; this is the entry that
``--target mock`` starts, and which imports the mock only: not the CLI, whose other commands
bring the engine, Hypothesis and the report writers (measured: the mock listened after 0.9 to
1.1 s through ``harness mock``, 0.6 to 0.8 s this way, time that ``harness run --target mock``
waits).  Requests must be signed with ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``; it
prints ``harness mock: listening on URL`` once it is, and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import sys

from harness.errors import HarnessError
from harness.mock.app import create_app
from harness.mock.server import LOOPBACK, serve_forever
from harness.mock.sigv4 import credentials_from_environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.mock", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=LOOPBACK)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        app = create_app(credentials=credentials_from_environment())
        serve_forever(
            app,
            host=args.host,
            port=args.port,
            on_ready=lambda url: print(f"harness mock: listening on {url}", flush=True),
        )
    except HarnessError as error:
        print(f"python -m harness.mock: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
