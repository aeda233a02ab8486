"""The mock of ``--target mock``, in a process of its own (``harness.mock.process``).

``mock_process`` starts ``python -m harness.mock``, which serves the given credentials only,
yields its URL once it listens, and stops it afterwards; ``python -m harness.mock`` without
credentials says what to set and exits 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from mock_server import TARGET

from harness.aws import SigningKey, sign
from harness.mock.process import mock_process

CREDENTIALS = ("AKIDMOCKPROCESS00001", "mock-process-secret")


def status(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)


def test_it_serves_the_given_credentials_and_stops_at_the_end() -> None:
    body = json.dumps({"targets": [TARGET]}).encode()
    with mock_process(credentials=CREDENTIALS) as url:
        key = SigningKey(*CREDENTIALS, region="us-east-1")
        signed = sign(
            key=key,
            service="networkflowmonitor",
            method="POST",
            url=f"{url}/scopes",
            headers={"Content-Type": "application/json"},
            body=body,
        )
        assert status(f"{url}/scopes", signed, body) == 200
        other = SigningKey("AKIDSOMEONEELSE00001", "another-secret", region="us-east-1")
        refused = sign(key=other, service="networkflowmonitor", method="POST", url=f"{url}/scopes",
                       headers={"Content-Type": "application/json"}, body=body)  # fmt: skip
        assert status(f"{url}/scopes", refused, body) == 403
    with pytest.raises(urllib.error.URLError) as stopped:
        urllib.request.urlopen(f"{url}/scopes", timeout=2)
    assert isinstance(stopped.value.reason, ConnectionRefusedError)


def test_without_credentials_it_says_what_to_set_and_exits_2() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run(
        [sys.executable, "-m", "harness.mock", "--port", "0"], env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in done.stderr
    assert "Traceback" not in done.stderr
