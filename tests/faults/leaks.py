"""A provider state that leaks: set for one operation, it changes the answers of another.

SPEC 5 gives each state its own operation ("that operation", or the graph and account it
names); an implementation that keeps one flag for the whole service answers every operation
as if the state were its own.
"""

from __future__ import annotations

from faults.bugs import StateWatch
from faults.building import Builder, Credentials, contracts, is_operation
from faults.middleware import ASGIApp, Faulty, Outcome, Request, Resigner, json_answer
from harness.mock import create_app


def state_leaks_into(state: str, operation: str, *, status: int, error: str) -> Builder:
    """While ``state`` is set (for whichever operation), valid signed requests of ``operation``
    get ``status`` named ``error``: one flag for the whole service."""

    def build(credentials: Credentials) -> ASGIApp:
        resigner = Resigner(credentials=credentials, contracts=contracts())
        watch = StateWatch(state)
        contract = contracts()[operation]

        def before(request: Request) -> Outcome:
            watch.note(request)
            if not (watch.active and is_operation(request, operation)):
                return request
            if not contract.request_validator.is_valid(request.json()) or not resigner.correctly_signed(request):
                return request
            message = f"The account's limit is reached ({state})."
            return json_answer(status, {contract.error_message_member: message}, error=error)

        return Faulty(create_app(credentials=credentials), before=before)

    return build
