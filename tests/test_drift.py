"""Drift: the contracts against the installed botocore's models of their operations.

Every difference is recorded in its contract with a reason; a new one (a botocore upgrade
that changes a constraint, an error or a member) is reported as NEW and fails.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import botocore.session
import pytest
from botocore.model import OperationModel, ServiceModel

from harness import drift as drift_module
from harness.cli import main
from harness.contract import Contract, load_contracts
from harness.drift import Difference, botocore_facts, contract_facts, differences, drift

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
ACCOUNT_ID = "request.targets[].targetIdentifier.targetId.accountId"

ServiceData = dict[str, Any]


@pytest.fixture(scope="module")
def contracts() -> dict[str, Contract]:
    return load_contracts()


def changed_model(operation: str, change: Callable[[ServiceData], None]) -> OperationModel:
    """The installed botocore's model of ``operation`` with ``change`` made to a copy of its data."""
    service, name = operation.split(":")
    data = copy.deepcopy(botocore.session.get_session().get_service_data(service))
    change(data)
    return ServiceModel(data, service_name=service).operation_model(name)


def set_shape(shape: str, **members: Any) -> Callable[[ServiceData], None]:
    return lambda data: data["shapes"][shape].update(members)


def add_member(shape: str, name: str, target: str) -> Callable[[ServiceData], None]:
    return lambda data: data["shapes"][shape]["members"].__setitem__(name, {"shape": target})


def add_error(operation: str, name: str, status: int) -> Callable[[ServiceData], None]:
    def change(data: ServiceData) -> None:
        data["shapes"][name] = {
            "type": "structure",
            "members": {"message": {"shape": "String"}},
            "error": {"httpStatusCode": status},
            "exception": True,
        }
        data["shapes"].setdefault("String", {"type": "string"})
        data["operations"][operation]["errors"].append({"shape": name})

    return change


# --------------------------------------------------------------------------- the installed botocore


@pytest.mark.parametrize("operation", [CREATE_SCOPE, START_MONITORING])
def test_every_difference_from_the_installed_botocore_is_recorded(
    operation: str, contracts: dict[str, Contract]
) -> None:
    report = drift(contracts[operation])
    assert report.new == ()
    assert report.stale == (), "a recorded difference botocore no longer shows"
    assert len(report.known) == len(contracts[operation].drift)


def test_the_documented_limit_of_targets_differs_from_the_sdk(contracts: dict[str, Contract]) -> None:
    known = {d.fact: d for d, _ in drift(contracts[CREATE_SCOPE]).known}
    assert known["request.targets.maxItems"] == Difference("request.targets.maxItems", 1000, 100)
    assert known[f"{ACCOUNT_ID}.minLength"] == Difference(f"{ACCOUNT_ID}.minLength", 1, 12)


def test_the_sdk_adds_members_to_detectives_access_denied(contracts: dict[str, Contract]) -> None:
    known = {d.fact: d for d, _ in drift(contracts[START_MONITORING]).known}
    assert known["errors.AccessDeniedException.members"].botocore == [
        "ErrorCode",
        "ErrorCodeReason",
        "Message",
        "SubErrorCode",
        "SubErrorCodeReason",
    ]
    assert "errors.AccessDeniedException" not in known  # both say 403


@pytest.mark.parametrize(
    ("operation", "fact", "value"),
    [
        (CREATE_SCOPE, "http.method", "POST"),
        (CREATE_SCOPE, "http.path", "/scopes"),
        (CREATE_SCOPE, "signingName", "networkflowmonitor"),
        (CREATE_SCOPE, "request.required", ["targets"]),
        (CREATE_SCOPE, "request.clientToken.pattern", "[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"),
        (CREATE_SCOPE, "request.clientToken.idempotencyToken", True),
        (CREATE_SCOPE, "request.tags.maxProperties", 200),
        (CREATE_SCOPE, "request.tags.<key>.maxLength", 128),
        (CREATE_SCOPE, "request.tags.*.maxLength", 256),
        (CREATE_SCOPE, "request.targets[].required", ["region", "targetIdentifier"]),
        (CREATE_SCOPE, "request.targets[].targetIdentifier.targetId.union", True),
        (CREATE_SCOPE, "request.targets[].targetIdentifier.targetId.required", ["accountId"]),
        (CREATE_SCOPE, "request.targets[].targetIdentifier.targetType.enum", ["ACCOUNT"]),
        (CREATE_SCOPE, "response.status.enum", ["DEACTIVATED", "DEACTIVATING", "FAILED", "IN_PROGRESS", "SUCCEEDED"]),
        (CREATE_SCOPE, "response.scopeArn.minLength", 20),
        (CREATE_SCOPE, "errors.ThrottlingException", 429),
        (START_MONITORING, "request.AccountId.pattern", "^[0-9]+$"),
        (START_MONITORING, "request.required", ["AccountId", "GraphArn"]),
        (START_MONITORING, "errors.ResourceNotFoundException", 404),
        (START_MONITORING, "errors.ServiceQuotaExceededException.members", ["Message", "Resources"]),
    ],
)
def test_facts_both_sides_agree_on(operation: str, fact: str, value: Any, contracts: dict[str, Contract]) -> None:
    """The comparison covers these facts, and the two sides agree on them."""
    contract = contracts[operation]
    model = drift_module.load_operation_model(contract.service, contract.name)
    assert model is not None
    assert contract_facts(contract)[fact] == value
    assert botocore_facts(model)[fact] == value


# --------------------------------------------------------------------------- a botocore that changed


@pytest.mark.parametrize(
    ("operation", "change", "expected"),
    [
        pytest.param(
            CREATE_SCOPE,
            set_shape("CreateScopeInputTargetsList", max=2000),
            [Difference("request.targets.maxItems", 2000, 100)],
            id="the limit of targets moves",
        ),
        pytest.param(
            CREATE_SCOPE,
            set_shape("TagKey", max=64),
            [
                Difference("request.tags.<key>.maxLength", 64, 128),
                Difference("response.tags.<key>.maxLength", 64, 128),
            ],
            id="tag keys get shorter",
        ),
        pytest.param(
            CREATE_SCOPE,
            set_shape(
                "ScopeStatus", enum=["SUCCEEDED", "IN_PROGRESS", "FAILED", "DEACTIVATING", "DEACTIVATED", "PAUSED"]
            ),
            [
                Difference(
                    "response.status.enum",
                    ["DEACTIVATED", "DEACTIVATING", "FAILED", "IN_PROGRESS", "PAUSED", "SUCCEEDED"],
                    ["DEACTIVATED", "DEACTIVATING", "FAILED", "IN_PROGRESS", "SUCCEEDED"],
                )
            ],
            id="a new status",
        ),
        pytest.param(
            CREATE_SCOPE,
            add_member("CreateScopeInput", "description", "ScopeId"),
            [Difference("request.description", "string", None)],
            id="a new request member",
        ),
        pytest.param(
            CREATE_SCOPE,
            add_member("TargetIdentifier", "parent", "TargetResource"),
            [Difference("request.targets[].targetIdentifier.parent", "object", None)],
            id="a recursive member",
        ),
        pytest.param(
            START_MONITORING,
            set_shape("StartMonitoringMemberRequest", required=["GraphArn"]),
            [Difference("request.required", ["GraphArn"], ["AccountId", "GraphArn"])],
            id="a member no longer required",
        ),
        pytest.param(
            START_MONITORING,
            add_error("StartMonitoringMember", "TooManyRequestsException", 429),
            [Difference("errors.TooManyRequestsException", 429, None)],
            id="a new error",
        ),
        pytest.param(
            START_MONITORING,
            set_shape("GraphArn", pattern="^arn:aws[-\\w]{0,10}?:detective:[-\\w]{2,20}?:\\d{12}?:graph:[a-f\\d]{32}$"),
            [
                Difference(
                    "request.GraphArn.pattern",
                    "^arn:aws[-\\w]{0,10}?:detective:[-\\w]{2,20}?:\\d{12}?:graph:[a-f\\d]{32}$",
                    "^arn:aws[-\\w]{0,10}?:detective:[-\\w]{2,20}?:\\d{12}?:graph:[abcdef\\d]{32}?$",
                )
            ],
            id="a pattern rewritten",
        ),
    ],
)
def test_a_change_in_botocore_is_a_new_difference(
    operation: str,
    change: Callable[[ServiceData], None],
    expected: list[Difference],
    contracts: dict[str, Contract],
) -> None:
    report = drift(contracts[operation], changed_model(operation, change))
    assert list(report.new) == expected


def test_a_moved_value_makes_its_record_stale(contracts: dict[str, Contract]) -> None:
    contract = contracts[CREATE_SCOPE]
    report = drift(contract, changed_model(CREATE_SCOPE, set_shape("CreateScopeInputTargetsList", max=2000)))
    (stale,) = report.stale
    assert (stale.fact, stale.botocore, stale.contract) == ("request.targets.maxItems", 1000, 100)
    assert report.recorded_as(report.new[0]) == stale


def test_a_fix_in_botocore_makes_its_record_stale(contracts: dict[str, Contract]) -> None:
    report = drift(
        contracts[CREATE_SCOPE], changed_model(CREATE_SCOPE, set_shape("CreateScopeInputTargetsList", max=100))
    )
    assert report.new == ()
    assert [n.fact for n in report.stale] == ["request.targets.maxItems"]


def test_an_operation_botocore_does_not_know(contracts: dict[str, Contract]) -> None:
    assert differences(contracts[CREATE_SCOPE], None) == [Difference("operation", None, CREATE_SCOPE)]


# --------------------------------------------------------------------------- harness drift


def test_the_command_lists_every_difference_with_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift"]) == 0
    out = capsys.readouterr().out
    assert f"{CREATE_SCOPE} against botocore {botocore.__version__}: 8 differences, 0 new" in out
    assert f"{START_MONITORING} against botocore {botocore.__version__}: 6 differences, 0 new" in out
    assert "  known  request.targets.maxItems: botocore 1000, contract 100\n" in out
    assert "The page says 'Maximum number of 100 items.'; the SDK model allows 1000." in out
    assert "NEW" not in out


def test_the_command_marks_a_new_difference_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = changed_model(CREATE_SCOPE, set_shape("CreateScopeInputTargetsList", max=2000))
    original = drift_module.load_operation_model

    def load(service: str, operation: str) -> OperationModel | None:
        return changed if f"{service}:{operation}" == CREATE_SCOPE else original(service, operation)

    monkeypatch.setattr(drift_module, "load_operation_model", load)
    assert main(["drift"]) == 1
    out = capsys.readouterr().out
    assert f"{CREATE_SCOPE} against botocore {botocore.__version__}: 8 differences, 1 new" in out
    assert "  NEW    request.targets.maxItems: botocore 2000, contract 100\n" in out
    assert "         recorded as botocore 1000, contract 100: The page says" in out
    assert "  stale  request.targets.maxItems: recorded as botocore 1000, contract 100" in out
    assert out.rstrip().endswith(
        "1 new difference: fix the contract, or record each in its x-harness.drift list with the reason."
    )


def test_the_command_compares_only_the_operations_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "--operation", START_MONITORING]) == 0
    out = capsys.readouterr().out
    assert START_MONITORING in out
    assert CREATE_SCOPE not in out


def test_the_command_rejects_an_unknown_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "--operation", "detective:StartMonitoringMembers"]) == 2
    assert "did you mean detective:StartMonitoringMember?" in capsys.readouterr().err
