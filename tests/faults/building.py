"""How a faulty variant is built from the correct mock, and the answer rewrites they share.

A :data:`Builder` takes the credentials the harness signs with and returns an ASGI app:

- :func:`correct`: the reference mock as it is;
- :func:`schema` / :func:`semantics`: the mock validating with an edited contract copy, or
  with some keywords read as another implementation reads them (:mod:`faults.schemas`);
- :func:`handler`: the mock with one operation's handler replaced by a subclass;
- :func:`clocked`: the mock with another clock for its SigV4 date check;
- :func:`wrapped` / :func:`on_answers` / :func:`rewriting`: the mock behind a middleware
  (:mod:`faults.middleware`) that changes requests or answers.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

from faults.middleware import After, Answer, ASGIApp, Before, Faulty, Final, Request, Resigner, as_is, unchanged
from faults.schemas import edited, revalidated, setting
from harness.aws import AUTH_ERROR_NAMES
from harness.contract import Contract, load_contracts
from harness.mock import create_app
from harness.mock.handler import HandlerFactory

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"

Credentials = tuple[str, str]
Builder = Callable[[Credentials], ASGIApp]


@functools.cache
def contracts() -> Mapping[str, Contract]:
    return load_contracts()


def operation_at(path: str) -> str | None:
    return next((c.id for c in contracts().values() if c.path == path), None)


def correct() -> Builder:
    return lambda credentials: create_app(credentials=credentials)


def with_contract(operation: str, change: Callable[[Contract], Contract]) -> Builder:
    def build(credentials: Credentials) -> ASGIApp:
        served = dict(contracts())
        served[operation] = change(served[operation])
        return create_app(contracts=served, credentials=credentials)

    return build


def schema(operation: str, pointer: str, **keywords: Any) -> Builder:
    """The mock validating with one schema node of ``operation``'s contract changed."""
    return with_contract(operation, lambda c: edited(c, pointer, setting(**keywords)))


def semantics(operation: str, **keywords: Any) -> Builder:
    """The mock validating ``operation``'s requests with some keywords reimplemented."""
    return with_contract(operation, lambda c: revalidated(c, **keywords))


def handler(operation: str, factory: HandlerFactory) -> Builder:
    return lambda credentials: create_app(credentials=credentials, handlers={operation: factory})


def wrapped(before: Before = unchanged, after: After = as_is) -> Builder:
    return lambda credentials: Faulty(create_app(credentials=credentials), before=before, after=after)


def rewriting(rewrite: Callable[[Any], Any]) -> Builder:
    """Correctly signed JSON bodies are rewritten before the mock sees them (normalisation)."""

    def build(credentials: Credentials) -> ASGIApp:
        resigner = Resigner(credentials=credentials, contracts=contracts())
        return Faulty(create_app(credentials=credentials), before=resigner.rewriting(rewrite))

    return build


def clocked(clock: Callable[[], float], before: Before = unchanged) -> Builder:
    return lambda credentials: Faulty(create_app(credentials=credentials, clock=clock), before=before)


# --------------------------------------------------------------------------- answer rewrites


def on_answers(when: Callable[[Request, Answer], bool], change: Callable[[Answer], Final]) -> Builder:
    return wrapped(after=lambda request, answer: change(answer) if when(request, answer) else answer)


def errors_named(*names: str) -> Callable[[Request, Answer], bool]:
    return lambda request, answer: answer.error_name in names


def any_error(request: Request, answer: Answer) -> bool:
    return answer.status >= 400 and not request.is_state_change


def success_of(operation: str) -> Callable[[Request, Answer], bool]:
    return lambda request, answer: answer.status == 200 and operation_at(request.path) == operation


def renamed(name: str) -> Callable[[Answer], Answer]:
    return lambda answer: answer.with_header("x-amzn-errortype", name)


def restatused(status: int) -> Callable[[Answer], Answer]:
    return lambda answer: dataclasses.replace(answer, status=status)


def body_changed(change: Callable[[dict[str, Any]], None]) -> Callable[[Answer], Answer]:
    def rewrite(answer: Answer) -> Answer:
        document = answer.json()
        change(document)
        return answer.with_json(document)

    return rewrite


def business_errors(request: Request, answer: Answer) -> bool:
    """Errors raised past validation (by a handler or a state), serialised by another code path."""
    pipeline = {"ValidationException", "SerializationException", "UnsupportedMediaTypeException", *AUTH_ERROR_NAMES}
    return any_error(request, answer) and answer.error_name not in pipeline


def message_member_renamed(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        if old in document:
            document[new] = document.pop(old)

    return change


def html_page(answer: Answer) -> Answer:
    page = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
    return dataclasses.replace(answer.with_header("content-type", "text/html"), body=page)


def emptied(answer: Answer) -> Answer:
    return dataclasses.replace(answer.with_header("content-type", None), body=b"")


def named_in_body(member: str, form: str) -> Callable[[Answer], Answer]:
    """The error name moved from the header into the body's ``member``, written as ``form``."""

    def move(answer: Answer) -> Answer:
        name = answer.error_name
        document = answer.json()
        document[member] = form.format(name=name)
        return answer.with_header("x-amzn-errortype", None).with_json(document)

    return move


def is_operation(request: Request, operation: str | None = None) -> bool:
    """Whether ``request`` is a call of ``operation`` (of any operation when ``None``)."""
    found = operation_at(request.path)
    return found is not None and (operation is None or found == operation)


def suffixed(suffix: str) -> Callable[[Answer], Answer]:
    return lambda answer: answer.with_header("x-amzn-errortype", f"{answer.error_name}{suffix}")


def labelled(media_type: str | None) -> Callable[[Answer], Answer]:
    """The answer's ``Content-Type`` set to ``media_type`` (``None``: left out)."""
    return lambda answer: answer.with_header("content-type", media_type)


def json_answers(request: Request, answer: Answer) -> bool:
    return bool(answer.body.strip()) and not request.is_state_change


def as_serialization_error(answer: Answer) -> Answer:
    return restatused(400)(renamed("SerializationException")(answer))


def closed(*pointers: str) -> Callable[[Contract], Contract]:
    """A contract copy whose objects at ``pointers`` take no member they do not name."""

    def change(contract: Contract) -> Contract:
        for pointer in pointers:
            contract = edited(contract, pointer, setting(additionalProperties=False))
        return contract

    return change
