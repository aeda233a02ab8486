"""``harness mock``: serve the reference mock until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import os

from harness.mock import STATES_PATH, create_app
from harness.mock.server import LOOPBACK, serve_forever
from harness.mock.sigv4 import credentials_from_environment, make_up_credentials

DESCRIPTION = """\
Serve the reference mock of every contract: both operations exactly as SPEC.md says, with
SigV4 verification and the provider states of SPEC section 5.

Requests must be signed with the credentials in AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY; when neither is set, the mock makes up a pair and prints it."""

EPILOG = """\
Example:
  export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
  harness mock --port 8080 &
  harness run --target http://127.0.0.1:8080 \\
      --provider-states http://127.0.0.1:8080/_harness/provider-states"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "mock",
        help="serve the reference mock",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default=LOOPBACK, help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on; 0 picks a free one (default: %(default)s)"
    )


def run(args: argparse.Namespace) -> int:
    made_up = not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_SECRET_ACCESS_KEY"))
    credentials = make_up_credentials() if made_up else credentials_from_environment()
    app = create_app(credentials=credentials)

    def ready(url: str) -> None:
        print(f"harness mock: listening on {url}")
        print(f"harness mock: provider states at {url}{STATES_PATH}")
        if made_up:
            print("harness mock: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; sign with:")
            print(f"  export AWS_ACCESS_KEY_ID={credentials[0]} AWS_SECRET_ACCESS_KEY={credentials[1]}")
        print("harness mock: Ctrl-C stops it", flush=True)

    serve_forever(app, host=args.host, port=args.port, on_ready=ready)
    print("harness mock: stopped", flush=True)
    return 0
