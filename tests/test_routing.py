"""Routing: which operation a request belongs to, and the labels it matched.

A label matches one segment, a greedy label the rest; where templates overlap, the more
specific segment wins read from the left (literal, then label, then greedy label); a static
query tells apart operations of one path and method; awsJson goes by ``X-Amz-Target``.  A set
of bindings that cannot be told apart is refused when the router is built.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
import pytest
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.binding import Location, MemberBinding, OperationBinding, Protocol
from harness.errors import ContractError
from harness.routing import Router
from harness.uri import PathTemplate, SegmentKind


def rest(operation: str, method: str, path: str, static_query: tuple[tuple[str, str], ...] = ()) -> OperationBinding:
    """A restJson1 binding with a string member for each label (the router reads no other member)."""
    template = PathTemplate.parse(path)
    members = tuple(
        MemberBinding(label, Location.PATH, label, greedy=label == template.greedy) for label in template.labels
    )
    return OperationBinding(
        operation=operation,
        protocol=Protocol.REST_JSON_1,
        method=method,
        template=template,
        static_query=static_query,
        members=members,
        source=f"{operation}.json",
    )


def aws_json(operation: str, target: str) -> OperationBinding:
    return OperationBinding(
        operation=operation,
        protocol=Protocol.AWS_JSON_1_1,
        method="POST",
        template=PathTemplate.parse("/"),
        target=target,
        source=f"{operation}.json",
    )


def routed(router: Router, method: str, path: str, **headers: str) -> tuple[str, dict[str, str]] | None:
    found = router.match(method, path, headers)
    return None if found is None else (found.operation, dict(found.labels))


def test_a_literal_segment_wins_over_a_label_read_from_the_left() -> None:
    router = Router(
        [
            rest("s:Fixed", "GET", "/a/b"),
            rest("s:LabelLast", "GET", "/a/{b}"),
            rest("s:LabelFirst", "GET", "/{a}/b"),
            rest("s:Labels", "GET", "/{a}/{b}"),
        ]
    )
    assert routed(router, "GET", "/a/b") == ("s:Fixed", {})
    assert routed(router, "GET", "/a/x") == ("s:LabelLast", {"b": "x"})
    assert routed(router, "GET", "/x/b") == ("s:LabelFirst", {"a": "x"})
    assert routed(router, "GET", "/x/y") == ("s:Labels", {"a": "x", "b": "y"})
    assert routed(router, "GET", "/x") is None
    assert routed(router, "GET", "/a/b/c") is None
    assert routed(router, "GET", "/a/") is None  # a label is never empty


def test_a_greedy_label_takes_the_segments_between_those_around_it() -> None:
    arn = "arn:aws:workspaces-web:us-east-1:123456789012:portal/0f9e4c2a-1b2c-4d5e-8f90-123456789abc"
    encoded = arn.replace(":", "%3A")
    router = Router(
        [
            rest("web:GetPortal", "GET", "/portals/{portalArn+}"),
            rest("web:DeletePortal", "DELETE", "/portals/{portalArn+}"),
            rest("web:DisassociateBrowserSettings", "DELETE", "/portals/{portalArn+}/browserSettings"),
            rest("web:GetFile", "GET", "/files/{Key}"),
            rest("web:GetNestedFile", "GET", "/files/{Key+}"),
        ]
    )
    assert routed(router, "DELETE", f"/portals/{encoded}") == ("web:DeletePortal", {"portalArn": arn})
    assert routed(router, "DELETE", f"/portals/{encoded}/browserSettings") == (
        "web:DisassociateBrowserSettings",
        {"portalArn": arn},
    )
    assert routed(router, "GET", f"/portals/{encoded}/browserSettings") == (
        "web:GetPortal",
        {"portalArn": arn + "/browserSettings"},
    )
    assert routed(router, "GET", "/files/a%20b") == ("web:GetFile", {"Key": "a b"})
    assert routed(router, "GET", "/files/a/b/") == ("web:GetNestedFile", {"Key": "a/b/"})
    assert routed(router, "DELETE", "/portals/browserSettings") == (
        "web:DeletePortal",
        {"portalArn": "browserSettings"},
    )


def test_aws_json_goes_by_its_target_and_restjson_by_its_path() -> None:
    router = Router(
        [
            aws_json("dynamodb:PutItem", "DynamoDB_20120810.PutItem"),
            aws_json("logs:PutLogEvents", "Logs_20140328.PutLogEvents"),
            rest("s:Root", "POST", "/"),
        ]
    )
    assert routed(router, "POST", "/", **{"X-Amz-Target": "DynamoDB_20120810.PutItem"}) == ("dynamodb:PutItem", {})
    assert routed(router, "POST", "/", **{"x-amz-target": "Logs_20140328.PutLogEvents"}) == ("logs:PutLogEvents", {})
    assert routed(router, "POST", "/", **{"X-AMZ-TARGET": "Logs_20140328.PutLogEvents"}) == ("logs:PutLogEvents", {})
    assert routed(router, "POST", "/", **{"X-Amz-Target": "Logs_20140328.Nope"}) == ("s:Root", {})
    assert routed(router, "GET", "/", **{"X-Amz-Target": "DynamoDB_20120810.PutItem"}) is None
    assert routed(Router([aws_json("logs:PutLogEvents", "Logs_20140328.PutLogEvents")]), "POST", "/") is None


def test_a_static_query_tells_apart_operations_of_one_path_and_method() -> None:
    router = Router(
        [
            rest("s:UpdateVault", "POST", "/vaults/{name}"),
            rest("s:DeleteVaultTeam", "POST", "/vaults/{name}", (("delete", ""),)),
            rest("s:TagVault", "POST", "/vaults/{name}", (("operation", "tag"),)),
            rest("s:TagVaultForce", "POST", "/vaults/{name}", (("operation", "tag"), ("force", ""))),
        ]
    )
    assert routed(router, "POST", "/vaults/v") == ("s:UpdateVault", {"name": "v"})
    assert routed(router, "POST", "/vaults/v?delete") == ("s:DeleteVaultTeam", {"name": "v"})
    assert routed(router, "POST", "/vaults/v?x=1&delete=") == ("s:DeleteVaultTeam", {"name": "v"})
    assert routed(router, "POST", "/vaults/v?operation=tag") == ("s:TagVault", {"name": "v"})
    assert routed(router, "POST", "/vaults/v?operation=tag&force") == ("s:TagVaultForce", {"name": "v"})
    assert routed(router, "POST", "/vaults/v?operation=untag") == ("s:UpdateVault", {"name": "v"})
    # Two static queries at once, neither holding the other: no operation, never a guess.
    assert routed(router, "POST", "/vaults/v?delete&operation=tag") is None
    assert routed(router, "POST", "/vaults/v?operation=tag&force&delete") is None


def test_the_methods_of_a_path_are_known_for_a_405() -> None:
    router = Router(
        [rest("s:Get", "GET", "/things/{id}"), rest("s:Put", "PUT", "/things/{id}"), rest("s:L", "GET", "/")]
    )
    assert router.allowed_methods("/things/1") == {"GET", "PUT"}
    assert router.allowed_methods("/nothing/here/at/all") == frozenset()


AMBIGUOUS = {
    "one shape, two label names": ([rest("s:A", "GET", "/a/{x}"), rest("s:B", "GET", "/a/{y}")], "s:A"),
    "one greedy shape": ([rest("s:A", "GET", "/p/{x+}/s"), rest("s:B", "GET", "/p/{y+}/s")], "s:A"),
    "one static query": (
        [rest("s:A", "POST", "/v/{x}", (("delete", ""),)), rest("s:B", "POST", "/v/{y}", (("delete", ""),))],
        "s:A",
    ),
    "one target": ([aws_json("a:Op", "Svc.Op"), aws_json("b:Op", "Svc.Op")], "a:Op"),
}


@pytest.mark.parametrize(("bindings", "first"), AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
def test_a_set_that_cannot_be_told_apart_is_refused_when_the_router_is_built(
    bindings: list[OperationBinding], first: str
) -> None:
    with pytest.raises(ContractError) as caught:
        Router(bindings)
    message = str(caught.value)
    assert bindings[1].operation in message and first in message
    assert f"{first}.json" in message and bindings[1].source in message
    assert "no request could tell them apart" in message


def test_the_same_template_of_another_method_is_not_ambiguous() -> None:
    router = Router([rest("s:Get", "GET", "/a/{x}"), rest("s:Delete", "DELETE", "/a/{y}")])
    assert routed(router, "DELETE", "/a/1") == ("s:Delete", {"y": "1"})


# --------------------------------------------------------------------------- against a brute-force reading

TEMPLATES = [
    "/a/b",
    "/a/{x}",
    "/{x}/b",
    "/{x}/{y}",
    "/a/{x}/c",
    "/a/{x+}",
    "/a/{x+}/c",
    "/a/{x+}/{y}",
    "/{x+}",
    "/{x+}/c/{y}",
    "/a/b/{x}",
    "/",
]
BRUTE = [rest(f"s:T{i}", "GET", t) for i, t in enumerate(TEMPLATES)]
BRUTE_ROUTER = Router(BRUTE)


def consumed(template: PathTemplate, parts: list[str]) -> list[SegmentKind]:
    """The kind of template segment that consumes each segment of the path."""
    kinds = [s.kind for s in template.segments]
    if SegmentKind.GREEDY not in kinds:
        return kinds
    at = kinds.index(SegmentKind.GREEDY)
    span = len(parts) - len(kinds) + 1
    return kinds[:at] + [SegmentKind.GREEDY] * span + kinds[at + 1 :]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "x", ""]), min_size=1, max_size=5))
def test_the_router_picks_the_most_specific_matching_template(parts: list[str]) -> None:
    path = "/" + "/".join(parts)
    matching = [b for b in BRUTE if b.template.match(path) is not None]
    found = BRUTE_ROUTER.match("GET", path)
    if not matching:
        assert found is None
        return
    best = min(matching, key=lambda b: consumed(b.template, parts))
    assert found is not None and found.binding is best
    assert found.labels == best.template.match(path)


# --------------------------------------------------------------------------- the models of the installed botocore

JSON = ("rest-json", "json")
SERVICES = ["workspaces-web", "apigateway", "lambda", "iot", "mediastore-data", "backup", "glacier", "amplifyuibuilder"]


def _label_value(name: str, greedy: bool) -> str:
    return f"v-{name}/part 2" if greedy else f"v-{name}:é"


LOADER = botocore.session.get_session().get_component("data_loader")


@cache
def model_of(service: str) -> dict[str, Any]:
    """A service's model as botocore ships it (JSON), loaded once per test session."""
    loaded: dict[str, Any] = LOADER.load_service_model(service, "service-2")
    return loaded


def service_bindings(service: str) -> list[OperationBinding]:
    """The routing part of the binding of each operation of a botocore service (from its model's JSON)."""
    model = model_of(service)
    bindings = []
    for name, operation in model["operations"].items():
        if model["metadata"]["protocol"] == "json":
            bindings.append(aws_json(f"{service}:{name}", f"{model['metadata']['targetPrefix']}.{name}"))
            continue
        http = operation["http"]
        path, _, query = http["requestUri"].partition("?")
        static = tuple((k, v) for k, _, v in (pair.partition("=") for pair in query.split("&") if pair))
        bindings.append(rest(f"{service}:{name}", http["method"], path, static))
    return bindings


@pytest.mark.slow
def test_no_two_operations_of_one_json_service_of_the_installed_botocore_are_ambiguous() -> None:
    every = botocore.session.get_session().get_available_services()
    services = [service for service in every if model_of(service)["metadata"]["protocol"] in JSON]
    assert len(services) > 300
    for service in services:
        Router(service_bindings(service))


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_of_a_real_service_routes_back_from_botocores_own_request(service: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    bindings = service_bindings(service)
    router = Router(bindings)
    serializer = create_serializer("rest-json", include_validation=False)
    for binding in bindings:
        operation = model.operation_model(binding.operation.split(":")[1])
        shape = operation.input_shape
        params: dict[str, Any] = {}
        labels = {}
        for member, member_shape in shape.members.items() if shape is not None else []:
            if member_shape.serialization.get("location") == "uri":
                label = member_shape.serialization.get("name", member)
                params[member] = labels[label] = _label_value(label, label == binding.template.greedy)
        request = serializer.serialize_to_request(params, operation)
        path = request["url_path"]
        if request["query_string"]:
            path += ("&" if "?" in path else "?") + percent_encode_sequence(request["query_string"])
        found = router.match(request["method"], path)
        assert found is not None, f"{binding.operation}: {request['method']} {path} routes nowhere"
        assert (found.operation, dict(found.labels)) == (binding.operation, labels)
