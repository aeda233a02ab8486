"""Building the mock: one route per contract, one handler per operation, checked up front.

The mock serves what the contracts say (method, path, error names, statuses); the
behaviour behind each operation is a handler registered by operation id.  ``create_app``
refuses a contract it has no handler for, and a handler that may answer an error its
contract does not declare, instead of failing on the first request.
"""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mock_server import CREATE_SCOPE, CREDENTIALS, START_MONITORING, TARGET, call, call_signed, contract, new_app

import harness.mock
from harness.contract import Contract, contract_from_document
from harness.errors import ContractError, UsageError
from harness.mock import DEFAULT_HANDLERS, create_app
from harness.mock.handler import Call, Handler
from harness.mock.reply import Reply
from harness.mock.server import running_mock


def renamed(operation: str, new_id: str, path: str) -> Contract:
    """A copy of an operation's contract under another id and path (its document too)."""
    document = json.loads(json.dumps(contract(operation).document))
    document["x-harness"]["operation"] = new_id
    ((_, item),) = document["paths"].items()
    document["paths"] = {path: item}
    return contract_from_document(document, file=Path(f"{new_id.replace(':', '-')}.json"))


class Accepting(Handler):
    """A handler that accepts every valid request with an empty 200."""

    def answer(self, call: Call) -> Reply:
        return Reply(status=200)


def test_the_public_surface_is_create_app_and_its_constants() -> None:
    assert set(harness.mock.__all__) == {"DEFAULT_HANDLERS", "STATES_PATH", "MockApp", "create_app"}
    assert harness.mock.STATES_PATH == "/_harness/provider-states"


def test_every_shipped_contract_has_a_handler() -> None:
    assert set(DEFAULT_HANDLERS) == {CREATE_SCOPE, START_MONITORING}
    assert set(new_app().handlers) == {CREATE_SCOPE, START_MONITORING}


def test_a_contract_without_a_handler_is_refused_with_the_way_out() -> None:
    extra = renamed(CREATE_SCOPE, "networkflowmonitor:CreateScopeTwin", "/twins")
    with pytest.raises(UsageError, match=r"no handler for networkflowmonitor:CreateScopeTwin .*ignore_unhandled"):
        create_app(contracts={extra.id: extra, CREATE_SCOPE: contract(CREATE_SCOPE)}, credentials=CREDENTIALS)


def test_ignore_unhandled_serves_the_other_operations() -> None:
    extra = renamed(CREATE_SCOPE, "networkflowmonitor:CreateScopeTwin", "/twins")
    contracts = {extra.id: extra, CREATE_SCOPE: contract(CREATE_SCOPE)}
    app = create_app(contracts=contracts, credentials=CREDENTIALS, ignore_unhandled=True)
    assert call(app, "POST", "/twins").status == 404
    assert call_signed(app, CREATE_SCOPE, {"targets": [TARGET]}).status == 200


def test_a_handler_for_a_new_operation_is_one_registry_entry() -> None:
    twin = renamed(CREATE_SCOPE, "networkflowmonitor:CreateScopeTwin", "/twins")
    app = create_app(contracts={twin.id: twin}, credentials=CREDENTIALS, handlers={twin.id: Accepting})
    assert set(app.handlers) == {twin.id}
    assert call(app, "POST", "/scopes").status == 404  # only what the contracts name is served


def test_a_handler_answering_an_undeclared_error_is_refused() -> None:
    base = contract(CREATE_SCOPE)
    errors: Mapping[str, int] = {name: status for name, status in base.errors.items() if name != "ConflictException"}
    stripped = dataclasses.replace(base, errors=errors)
    with pytest.raises(ContractError, match="ConflictException"):
        create_app(contracts={CREATE_SCOPE: stripped}, credentials=CREDENTIALS)


def test_credentials_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS[1])
    assert call_signed(create_app(), CREATE_SCOPE, {"targets": [TARGET]}).status == 200


def test_missing_credentials_are_a_usage_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS[0])
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    with pytest.raises(UsageError, match="AWS_SECRET_ACCESS_KEY"):
        create_app()


def test_running_mock_stops_listening_when_the_block_ends() -> None:
    with running_mock(credentials=CREDENTIALS) as url:
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1"
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            pass
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()


def test_running_mock_on_a_busy_port_is_a_usage_error() -> None:
    with running_mock(credentials=CREDENTIALS) as url:
        port = urlsplit(url).port
        assert port is not None
        with (
            pytest.raises(UsageError, match=r"cannot listen on 127\.0\.0\.1"),
            running_mock(credentials=CREDENTIALS, port=port),
        ):
            pass
