"""``detective:StartMonitoringMember``: behavior graphs and their member accounts.

The mock's graphs exist only through provider states: ``graph has member`` (params
``GraphArn``, ``AccountId``, ``Status``) puts an account into a graph with a status, and
``graph member limit reached`` (``GraphArn``, ``AccountId``) puts an
``ACCEPTED_BUT_DISABLED`` account into a graph that already has 1000 enabled members.
While several setups name the same account, the latest is in effect.

StartMonitoringMember for an account:

- in no graph, or a graph that does not exist: 404 ``ResourceNotFoundException``;
- ``ACCEPTED_BUT_DISABLED``: 200, and the member becomes ``ENABLED``; but 402
  ``ServiceQuotaExceededException`` while its graph is full (the account stays as it was);
- ``ENABLED``: 200 again (enabling an enabled member changes nothing);
- ``INVITED``, ``VERIFICATION_IN_PROGRESS``, ``VERIFICATION_FAILED``: 409 ``ConflictException``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.contract import Contract
from harness.mock.errors import ErrorAnswer
from harness.mock.handler import Call, Handler
from harness.mock.reply import Reply
from harness.mock.state import Params, StateDefinition, StateError, Undo
from harness.validator import Violation

MEMBER_STATUSES = (
    "INVITED",
    "VERIFICATION_IN_PROGRESS",
    "VERIFICATION_FAILED",
    "ACCEPTED_BUT_DISABLED",
    "ENABLED",
)
ENABLEABLE = frozenset({"ACCEPTED_BUT_DISABLED", "ENABLED"})
GRAPH_MEMBER_LIMIT = 1000


@dataclass(eq=False)  # setups are told apart by identity, not by value
class _Member:
    graph_arn: str
    account_id: str
    status: str
    graph_full: bool = False


class StartMonitoringMember(Handler):
    errors = frozenset({"ResourceNotFoundException", "ConflictException", "ServiceQuotaExceededException"})

    def __init__(self, contract: Contract) -> None:
        super().__init__(contract)
        self._lock = threading.Lock()
        self._members: list[_Member] = []  # in order of setup; the latest wins

    def states(self) -> Sequence[StateDefinition]:
        return (
            StateDefinition(
                name="graph has member",
                params=("GraphArn", "AccountId", "Status"),
                setup=self._add_member,
                doc="the account is a member of the graph with that status",
            ),
            StateDefinition(
                name="graph member limit reached",
                params=("GraphArn", "AccountId"),
                setup=self._add_member_of_full_graph,
                doc=f"the graph has {GRAPH_MEMBER_LIMIT} enabled members; the account is ACCEPTED_BUT_DISABLED",
            ),
        )

    def member_status(self, graph_arn: str, account_id: str) -> str | None:
        with self._lock:
            member = self._find(graph_arn, account_id)
            return None if member is None else member.status

    def answer(self, call: Call) -> Reply:
        graph_arn, account_id = call.document["GraphArn"], call.document["AccountId"]
        with self._lock:
            member = self._find(graph_arn, account_id)
            if member is None:
                if any(m.graph_arn == graph_arn for m in self._members):
                    raise ErrorAnswer(
                        "ResourceNotFoundException",
                        f"Account {account_id} is not a member of behavior graph {graph_arn}.",
                    )
                raise ErrorAnswer("ResourceNotFoundException", f"Behavior graph {graph_arn} does not exist.")
            if member.status == "ACCEPTED_BUT_DISABLED" and self._is_full(graph_arn):
                raise ErrorAnswer(
                    "ServiceQuotaExceededException",
                    f"Behavior graph {graph_arn} already has {GRAPH_MEMBER_LIMIT} enabled member accounts.",
                    members={"Resources": [graph_arn]},
                )
            if member.status not in ENABLEABLE:
                raise ErrorAnswer(
                    "ConflictException",
                    f"Account {account_id} has status {member.status}; only an ACCEPTED_BUT_DISABLED "
                    "member can be enabled.",
                )
            member.status = "ENABLED"
        return Reply(status=200)

    def invalid_members(self, violations: Sequence[Violation]) -> Mapping[str, Any]:
        # A GraphArn string that breaks its pattern is a bad ARN; a GraphArn that is not a
        # string at all is a body that does not deserialize, like any other member's.
        if violations and all(v.path == "$.GraphArn" and v.keyword != "type" for v in violations):
            return {"ErrorCode": "INVALID_GRAPH_ARN"}
        return {"ErrorCode": "INVALID_REQUEST_BODY"}

    def _find(self, graph_arn: str, account_id: str) -> _Member | None:
        for member in reversed(self._members):
            if member.graph_arn == graph_arn and member.account_id == account_id:
                return member
        return None

    def _is_full(self, graph_arn: str) -> bool:
        return any(m.graph_full and m.graph_arn == graph_arn for m in self._members)

    def _add_member(self, params: Params) -> Undo:
        status = params["Status"]
        if status not in MEMBER_STATUSES:
            raise StateError(f"Status must be one of {', '.join(MEMBER_STATUSES)}, got {status!r}")
        return self._add(_Member(params["GraphArn"], params["AccountId"], status))

    def _add_member_of_full_graph(self, params: Params) -> Undo:
        member = _Member(params["GraphArn"], params["AccountId"], "ACCEPTED_BUT_DISABLED", graph_full=True)
        return self._add(member)

    def _add(self, member: _Member) -> Undo:
        with self._lock:
            self._members.append(member)

        def undo() -> None:
            with self._lock:
                self._members.remove(member)

        return undo
