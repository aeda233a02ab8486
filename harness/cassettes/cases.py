"""What each recorded exchange was: its case, kept beside its answer in the cassette.

A replay judges the recorded answers again without generating anything, so the recording must
say what each exchange was for.  Each interaction's response carries, when the run kept a result
of it, three more members (vcrpy reads a response as a mapping and ignores what it does not
know, as it ignores ``elapsed``)::

    case:                        # the case, as the run judged it
      intent: invalid
      origin: boundary
      description: "$.targets: 101 items"
      rule: targets.items
      expected: [400]
      error: ...                 # an expected error name (scenarios)
      scenario: ...              # the scenario it belongs to
      expects: scenario          # where a scenario's expectation comes from (see below)
      auth: missing              # when not signed as usual
    kept: [12, 340]              # its places among the operation's results
    minimal: [340]               # the places where it was kept as a shrunk reproduction

An exchange the run sent but kept no result of (a step of shrinking) has none of them.  A
scenario's expectation is re-read from the contract as it is at replay time, by where it came
from (``expects``): ``scenario`` (the scenario's ``expect``), ``then`` (its follow-up), ``conflict``
(the idempotency conflict) or ``success`` (200: an idempotency retry, the request a retry repeats).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.case import Auth, Case, Intent
from harness.contract import Contract, Expectation
from harness.errors import CassetteError

CASE = "case"
KEPT = "kept"
MINIMAL = "minimal"
IDEMPOTENCY = "idempotency"  # the scenario name of the idempotency phase
SUCCESS = Expectation(statuses=(200,))
ROLES = ("scenario", "then", "conflict", "success")


@dataclass(frozen=True)
class RecordedCase:
    """A case as the recording keeps it: all but the input, which is in the request."""

    intent: Intent
    origin: str
    description: str
    rule: str | None = None
    auth: Auth = Auth.SIGNED
    expected: tuple[int, ...] = ()
    error: str | None = None
    scenario: str | None = None
    expects: str | None = None  # for a scenario case: one of ROLES

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"intent": self.intent.value, "origin": self.origin, "description": self.description}
        optional = {
            "rule": self.rule,
            "auth": None if self.auth is Auth.SIGNED else self.auth.value,
            "expected": list(self.expected) or None,
            "error": self.error,
            "scenario": self.scenario,
            "expects": self.expects,
        }
        out.update({name: value for name, value in optional.items() if value is not None})
        return out

    @classmethod
    def from_dict(cls, data: Any, *, where: str) -> RecordedCase:
        """The case of a cassette's ``case`` member; a :class:`CassetteError` naming ``where``."""
        if not isinstance(data, Mapping):
            raise CassetteError(f"{where}: `case` must be a mapping")
        try:
            expected = data.get("expected") or []
            if not (isinstance(expected, list) and all(isinstance(s, int) for s in expected)):
                raise ValueError("expected must be a list of statuses")
            expects = data.get("expects")
            if expects is not None and expects not in ROLES:
                raise ValueError(f"expects must be one of {', '.join(ROLES)}")
            return cls(
                intent=Intent(data["intent"]),
                origin=_text(data, "origin"),
                description=_text(data, "description"),
                rule=_optional_text(data, "rule"),
                auth=Auth(data.get("auth", Auth.SIGNED.value)),
                expected=tuple(expected),
                error=_optional_text(data, "error"),
                scenario=_optional_text(data, "scenario"),
                expects=expects,
            )
        except (KeyError, ValueError) as exc:
            raise CassetteError(f"{where}: `case` is not one this harness reads ({exc}); the file is damaged") from None

    def case(self, operation: str, **changes: Any) -> Case:
        """The :class:`Case` this stands for (``changes``: its input or body, a new intent, ...)."""
        fields: dict[str, Any] = {
            "operation": operation,
            "intent": self.intent,
            "origin": self.origin,
            "description": self.description,
            "rule": self.rule,
            "auth": self.auth,
            "expected_statuses": self.expected,
            "expected_error": self.error,
            "scenario": self.scenario,
        }
        fields.update(changes)
        return Case(**fields)


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    return value


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    return value


def recorded(case: Case, contract: Contract | None) -> RecordedCase:
    """``case`` as a recording keeps it; ``contract``: its operation's, to say where a scenario's
    expectation comes from."""
    expectation = Expectation(statuses=case.expected_statuses, error=case.expected_error)
    return RecordedCase(
        intent=case.intent,
        origin=case.origin,
        description=case.description,
        rule=case.rule,
        auth=case.auth,
        expected=case.expected_statuses,
        error=case.expected_error,
        scenario=case.scenario,
        expects=_role(case, contract, expectation) if case.intent is Intent.SCENARIO else None,
    )


def _role(case: Case, contract: Contract | None, expectation: Expectation) -> str:
    if contract is None:
        return "success" if expectation == SUCCESS else "scenario"
    if case.scenario == IDEMPOTENCY and contract.idempotency is not None:
        return "conflict" if expectation == contract.idempotency.conflict else "success"
    scenario = next((s for s in contract.scenarios if s.name == case.scenario), None)
    if scenario is not None and expectation == scenario.expect:
        return "scenario"
    if scenario is not None and expectation == scenario.then:
        return "then"
    return "success"


def expectation_now(case: RecordedCase, contract: Contract) -> Expectation | None:
    """A scenario case's expectation under ``contract`` as it is now; ``None`` when the contract
    no longer has its scenario (or its idempotency)."""
    if case.expects == "success":
        return SUCCESS
    if case.scenario == IDEMPOTENCY:
        idem = contract.idempotency
        return None if idem is None else (idem.conflict if case.expects == "conflict" else SUCCESS)
    scenario = next((s for s in contract.scenarios if s.name == case.scenario), None)
    if scenario is None:
        return None
    return scenario.then if case.expects == "then" else scenario.expect


@dataclass
class Kept:
    """Where the run kept results of one exchange: their places among the operation's results."""

    case: RecordedCase
    places: list[int] = field(default_factory=list)
    minimal: set[int] = field(default_factory=set)

    def to_members(self) -> dict[str, Any]:
        members: dict[str, Any] = {CASE: self.case.to_dict(), KEPT: list(self.places)}
        if self.minimal:
            members[MINIMAL] = sorted(self.minimal)
        return members

    @classmethod
    def from_response(cls, response: Mapping[str, Any], *, where: str) -> Kept | None:
        if CASE not in response:
            return None
        places, minimal = response.get(KEPT), response.get(MINIMAL, [])
        if not (isinstance(places, list) and all(isinstance(p, int) for p in places)):
            raise CassetteError(f"{where}: `kept` must be a list of places; the file is damaged")
        if not (isinstance(minimal, list) and set(minimal) <= set(places)):
            raise CassetteError(f"{where}: `minimal` must list places of `kept`; the file is damaged")
        return cls(RecordedCase.from_dict(response[CASE], where=where), list(places), set(minimal))
