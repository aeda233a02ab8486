"""Protocol bindings: an operation input becomes a request, and a request its input again.

The contract document says where each member goes (docs/imported-contracts.md); ``bind``
puts it there, ``decode`` reads it back (the server's side), and through a real HTTP server
on loopback ``decode(bind(x)) == x`` for every location, encoding and protocol.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loopback import Loopback, binding, serve

from harness.binding import (
    MalformedRequest,
    OperationBinding,
    Unsendable,
    bind,
    decode,
)

TRICKY = "a b/c%d+e?f#g&h=i~j-k_l.m é😀"  # space, / % + ? # & =, unreserved, non-ASCII, astral
TRICKY_IN_A_LABEL = "a%20b%2Fc%25d%2Be%3Ff%23g%26h%3Di~j-k_l.m%20%C3%A9%F0%9F%98%80"

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
STRINGS = {"type": "array", "items": STRING}
STRING_MAP = {"type": "object", "additionalProperties": STRING}
OBJECT = {"type": "object", "properties": {"Policy": STRING}}

# --------------------------------------------------------------------------- bindings used below

LABELS = binding(
    "loop:Labels",
    method="put",
    path="/labels/{Name}/at/{When}/n/{Count}",
    properties={"Name": STRING, "When": STRING, "Count": INTEGER, "Note": STRING},
    bindings={
        "Name": {"in": "path", "name": "Name"},
        "When": {"in": "path", "name": "When"},
        "Count": {"in": "path", "name": "Count"},
    },
)
GREEDY = binding(
    "loop:Greedy",
    method="get",
    path="/files/{Bucket}/{Key}",
    properties={"Bucket": STRING, "Key": STRING, "VersionId": STRING},
    bindings={
        "Bucket": {"in": "path", "name": "Bucket"},
        "Key": {"in": "path", "name": "Key", "greedy": True},
        "VersionId": {"in": "query", "name": "versionId"},
    },
)
QUERY = binding(
    "loop:Query",
    method="get",
    path="/query",
    properties={
        "Name": STRING,
        "Ids": STRINGS,
        "Max": INTEGER,
        "Flag": BOOLEAN,
        "Since": STRING,  # a timestamp: ISO 8601 in the query string
        "Ratio": NUMBER,
        "Filters": {"type": "object", "additionalProperties": STRINGS},
    },
    bindings={
        "Name": {"in": "query", "name": "name"},
        "Ids": {"in": "query", "name": "id"},
        "Max": {"in": "query", "name": "maxResults"},
        "Flag": {"in": "query", "name": "flag"},
        "Since": {"in": "query", "name": "since"},
        "Ratio": {"in": "query", "name": "ratio"},
        "Filters": {"in": "queryMap"},
    },
)
HEADERS = binding(
    "loop:Headers",
    method="post",
    path="/headers",
    properties={
        "Name": STRING,
        "Ids": STRINGS,
        "Count": INTEGER,
        "Enabled": BOOLEAN,
        "When": STRING,  # a timestamp: an HTTP-date in a header
        "Props": {},
        "Meta": STRING_MAP,
        "Rest": STRING,
        "Renamed": STRING,
    },
    bindings={
        "Name": {"in": "header", "name": "X-Name"},
        "Ids": {"in": "header", "name": "X-Ids"},
        "Count": {"in": "header", "name": "X-Count"},
        "Enabled": {"in": "header", "name": "X-Enabled"},
        "When": {"in": "header", "name": "X-When"},
        "Props": {"in": "header", "name": "X-Props", "jsonvalue": True},
        "Meta": {"in": "headerMap", "name": "x-meta-"},
        "Renamed": {"in": "body", "name": "renamedOnTheWire"},
    },
)
PAYLOAD_STRUCTURE = binding(
    "loop:SetPolicy",
    method="put",
    path="/vaults/{Vault}/policy",
    properties={"Vault": STRING, "policy": OBJECT},
    bindings={"Vault": {"in": "path", "name": "Vault"}, "policy": {"in": "payload"}},
)
PAYLOAD_BLOB = binding(
    "loop:PutObject",
    method="put",
    path="/objects/{Path}",
    properties={"Path": STRING, "Body": STRING, "ContentType": STRING},
    bindings={
        "Path": {"in": "path", "name": "Path", "greedy": True},
        "Body": {"in": "payload"},
        "ContentType": {"in": "header", "name": "Content-Type"},
    },
)
STATIC = binding(
    "loop:DeleteThingTag",
    path="/things/{Id}",
    static_query=[["delete", ""]],
    properties={"Id": STRING, "Comment": STRING},
    bindings={"Id": {"in": "path", "name": "Id"}},
)
EMPTY = binding("loop:GetSettings", method="get", path="/settings")
AWS_JSON_10 = binding(
    "loop10:PutItem",
    protocol="awsJson1_0",
    target_prefix="Loop_20120810",
    properties={"Item": {"type": "object"}, "At": NUMBER},
)
AWS_JSON_11 = binding(
    "loop11:PutItem",
    protocol="awsJson1_1",
    target_prefix="LoopService",
    properties={"Item": {"type": "object"}, "Renamed": STRING},
    bindings={"Renamed": {"in": "body", "name": "renamed"}},
)
ALL = (LABELS, GREEDY, QUERY, HEADERS, PAYLOAD_STRUCTURE, PAYLOAD_BLOB, STATIC, EMPTY, AWS_JSON_10, AWS_JSON_11)


# --------------------------------------------------------------------------- restJson1 on the wire


def test_path_labels_are_percent_encoded_keeping_only_rfc3986_unreserved_characters() -> None:
    request = bind(LABELS, {"Name": TRICKY, "When": "2026-12-01T10:00:00Z", "Count": 7})
    assert request.path == f"/labels/{TRICKY_IN_A_LABEL}/at/2026-12-01T10%3A00%3A00Z/n/7"


def test_a_greedy_label_keeps_its_slashes_and_a_dot_segment_is_encoded() -> None:
    request = bind(GREEDY, {"Bucket": "b", "Key": "photos/2026/a b.jpg"})
    assert request.path == "/files/b/photos/2026/a%20b.jpg"
    dotted = bind(GREEDY, {"Bucket": "..", "Key": "a/../b/./c.d"})
    assert dotted.path == "/files/%2E%2E/a/%2E%2E/b/%2E/c.d"


def test_query_members_repeat_a_list_key_write_booleans_and_numbers_as_json_and_follow_the_static_query() -> None:
    request = bind(
        QUERY,
        {"Name": TRICKY, "Ids": ["x", "y z"], "Max": 10, "Flag": False, "Ratio": 0.5, "Filters": {"k": ["1", "2"]}},
    )
    path, _, query = request.path.partition("?")
    assert path == "/query"
    assert query.split("&") == [
        f"name={TRICKY_IN_A_LABEL}",
        "id=x",
        "id=y%20z",
        "maxResults=10",
        "flag=false",
        "ratio=0.5",
        "k=1",
        "k=2",
    ]
    assert bind(STATIC, {"Id": "1"}).path == "/things/1?delete"
    assert request.body == b"" and "Content-Type" not in request.headers  # a GET without body members


def test_header_members_lists_maps_and_json_values() -> None:
    request = bind(
        HEADERS,
        {
            "Name": "café",
            "Ids": ["a", "b,c", 'd"e', " f"],
            "Count": 3,
            "Enabled": True,
            "When": "Tue, 01 Dec 2026 10:00:00 GMT",
            "Props": {"k": ["v", 1]},
            "Meta": {"Color": "blue"},
        },
    )
    assert request.headers == {
        "X-Name": "café".encode().decode("latin-1"),  # UTF-8 bytes on the wire
        "X-Ids": 'a,"b,c","d\\"e"," f"',
        "X-Count": "3",
        "X-Enabled": "true",
        "X-When": "Tue, 01 Dec 2026 10:00:00 GMT",
        "X-Props": base64.b64encode(b'{"k":["v",1]}').decode(),
        "x-meta-Color": "blue",
        "Content-Type": "application/json",
    }
    assert request.body == b"{}"  # the operation has body members, none given: as botocore sends it


def test_the_body_is_compact_utf8_json_under_wire_names_and_a_payload_member_is_the_body() -> None:
    request = bind(HEADERS, {"Rest": "é😀", "Renamed": "x"})
    assert request.body == '{"Rest":"é😀","renamedOnTheWire":"x"}'.encode()
    structure = bind(PAYLOAD_STRUCTURE, {"Vault": "v", "policy": {"Policy": "{}"}})
    assert (structure.body, structure.headers) == (b'{"Policy":"{}"}', {"Content-Type": "application/json"})
    assert bind(PAYLOAD_STRUCTURE, {"Vault": "v"}).body == b"{}"  # absent: botocore sends {}
    blob = bind(PAYLOAD_BLOB, {"Path": "a/b", "Body": "raw é", "ContentType": "text/plain"})
    assert (blob.body, blob.headers) == ("raw é".encode(), {"Content-Type": "text/plain"})
    assert bind(PAYLOAD_BLOB, {"Path": "a"}).body == b"" and bind(PAYLOAD_BLOB, {"Path": "a"}).headers == {}
    assert bind(EMPTY, {}).body == b""


def test_raw_bytes_and_another_content_type_keep_the_path_query_and_headers_of_the_input() -> None:
    given_input = {"Bucket": "b", "Key": "k/1", "VersionId": "v"}
    raw = bind(GREEDY, given_input, body=b'{"a":', content_type="text/plain")
    assert (raw.path, raw.body, raw.headers) == ("/files/b/k/1?versionId=v", b'{"a":', {"Content-Type": "text/plain"})
    untyped = bind(AWS_JSON_11, {}, body=b"[]", content_type=None)
    assert untyped.headers == {"X-Amz-Target": "LoopService.PutItem"}


@pytest.mark.parametrize(("protocol", "media"), [(AWS_JSON_10, "1.0"), (AWS_JSON_11, "1.1")])
def test_aws_json_posts_slash_with_its_target_and_media_type(protocol: OperationBinding, media: str) -> None:
    empty = bind(protocol, {})
    assert (empty.method, empty.path, empty.body) == ("POST", "/", b"{}")
    assert empty.headers == {"X-Amz-Target": protocol.target, "Content-Type": f"application/x-amz-json-{media}"}
    assert bind(protocol, {"Item": {"é": [1]}}).body == '{"Item":{"é":[1]}}'.encode()


# --------------------------------------------------------------------------- invalid values, unsendable inputs


def test_invalid_values_are_sent_as_far_as_http_carries_them() -> None:
    request = bind(
        HEADERS, {"Count": "many", "Enabled": 1, "Name": {"a": [1]}, "Ids": [None, 2, ["x"]], "Meta": {"K": 5}}
    )
    assert request.headers["X-Count"] == "many"
    assert request.headers["X-Enabled"] == "1"
    assert request.headers["X-Name"] == '{"a":[1]}'
    assert request.headers["X-Ids"] == 'null,2,"[\\"x\\"]"'
    assert request.headers["x-meta-K"] == "5"
    labels = bind(LABELS, {"Name": ["a", "b"], "When": {"at": None}, "Count": 1.5})
    assert labels.path == "/labels/%5B%22a%22%2C%22b%22%5D/at/%7B%22at%22%3Anull%7D/n/1.5"
    query = bind(QUERY, {"Max": "ten", "Flag": "yes", "Name": 5, "Ids": "one"})
    assert query.path == "/query?maxResults=ten&flag=yes&name=5&id=one"


def test_null_is_an_absent_member_outside_the_body_and_null_in_the_body() -> None:
    assert bind(QUERY, {"Name": None, "Max": 1}).path == "/query?maxResults=1"
    assert "X-Name" not in bind(HEADERS, {"Name": None}).headers
    assert bind(HEADERS, {"Rest": None}).body == b'{"Rest":null}'
    assert bind(PAYLOAD_STRUCTURE, {"Vault": "v", "policy": None}).body == b"{}"
    with pytest.raises(Unsendable, match=r"When: the path label \{When\} needs a value"):
        bind(LABELS, {"Name": "a", "When": None, "Count": 1})


UNSENDABLE = {
    "a missing path label": (LABELS, {"Name": "a", "Count": 1}, "When: the path label {When} needs a value"),
    "an empty path label": (LABELS, {"Name": "", "When": "w", "Count": 1}, "Name: the path label {Name} cannot be"),
    "an empty greedy label": (GREEDY, {"Bucket": "b", "Key": ""}, "Key: the path label {Key} cannot be empty"),
    "CR LF in a header": (HEADERS, {"Name": "a\r\nX-Injected: 1"}, "Name: a header value cannot hold the byte '\\r'"),
    "NUL in a header": (HEADERS, {"Name": "a\x00b"}, "cannot hold the byte '\\x00'"),
    "a header value's edge whitespace": (HEADERS, {"Name": " padded"}, "HTTP removes the whitespace"),
    "a lone surrogate in a query value": (QUERY, {"Name": "\ud800"}, "Name: a lone surrogate"),
    "a lone surrogate in a label": (LABELS, {"Name": "\udfff", "When": "w", "Count": 1}, "Name: a lone surrogate"),
    "a query map that is not an object": (QUERY, {"Filters": ["a"]}, "Filters: a query map is an object"),
    "a header map key that is no header name": (HEADERS, {"Meta": {"a b": "1"}}, "'x-meta-a b' is not an HTTP header"),
    "a header map key sent twice": (HEADERS, {"Meta": {"a": "1", "A": "2"}}, "x-meta-A is sent already"),
}


@pytest.mark.parametrize(("where", "operation_input", "reason"), UNSENDABLE.values(), ids=UNSENDABLE.keys())
def test_an_input_http_cannot_carry_is_unsendable_with_its_reason(
    where: OperationBinding, operation_input: dict[str, Any], reason: str
) -> None:
    with pytest.raises(Unsendable) as caught:
        bind(where, operation_input)
    assert reason in caught.value.reason


# --------------------------------------------------------------------------- decoding


def test_decode_refuses_what_is_not_a_request_of_the_operation() -> None:
    with pytest.raises(MalformedRequest, match="not JSON"):
        decode(HEADERS, "POST", "/headers", {}, b'{"a":')
    with pytest.raises(MalformedRequest, match="not JSON"):
        decode(AWS_JSON_10, "POST", "/", {}, b'{"a":NaN}')
    with pytest.raises(MalformedRequest, match="not an object"):
        decode(HEADERS, "POST", "/headers", {}, b"[1]")
    with pytest.raises(MalformedRequest, match="is not one of loop:Labels"):
        decode(LABELS, "PUT", "/labels/a", {}, b"")
    with pytest.raises(MalformedRequest, match="is PUT, not GET"):
        decode(LABELS, "GET", "/labels/a/at/b/n/1", {}, b"")


def test_what_the_wire_cannot_tell_apart() -> None:
    """Empty lists and maps in the query or headers are no member; an absent payload structure is {}."""
    for where, given_input, read in [
        (QUERY, {"Ids": [], "Filters": {}}, {}),
        (HEADERS, {"Ids": [], "Meta": {}}, {}),
        (PAYLOAD_STRUCTURE, {"Vault": "v"}, {"Vault": "v", "policy": {}}),
        (HEADERS, {"Meta": {"Color": "blue"}}, {"Meta": {"color": "blue"}}),  # header names ignore case
    ]:
        request = bind(where, given_input)
        assert decode(where, request.method, request.path, request.headers, request.body) == read


# --------------------------------------------------------------------------- the round trip through HTTP

ROUND_TRIPS: dict[str, tuple[OperationBinding, dict[str, Any]]] = {
    "labels: reserved, non-ASCII and astral characters; a timestamp; an integer": (
        LABELS,
        {"Name": TRICKY, "When": "2026-12-01T10:00:00Z", "Count": -3, "Note": "in the body"},
    ),
    "a greedy label with its slashes, a query member": (
        GREEDY,
        {"Bucket": "my bucket", "Key": "dir/sub dir/" + TRICKY + "/x.txt", "VersionId": "v+1"},
    ),
    "a greedy label with dot segments and empty segments": (GREEDY, {"Bucket": ".", "Key": "a/../b//./c/"}),
    "query: repeated keys, a boolean, numbers, a timestamp, a map of lists": (
        QUERY,
        {
            "Name": TRICKY,
            "Ids": ["1", "", "a&b=c", "é"],
            "Max": 100,
            "Flag": True,
            "Since": "2026-12-01T10:00:00.5Z",
            "Ratio": 2.5e-3,
            "Filters": {"status": ["ACTIVE", "IN PROGRESS"], TRICKY: [""]},
        },
    ),
    "headers: a list with quoted items, an integer, a boolean, an HTTP-date, a JSON value, a map": (
        HEADERS,
        {
            "Name": "naïve 😀 text",
            "Ids": ["plain", "with,comma", 'with"quote', " spaced ", "back\\slash", ""],
            "Count": 0,
            "Enabled": False,
            "When": "Tue, 01 Dec 2026 10:00:00 GMT",
            "Props": {"nested": {"list": [1, 2.5, None, True]}, "é": "😀"},
            "Meta": {"color": "blue", "size": "x,l"},
            "Rest": "body member",
            "Renamed": "renamed body member",
        },
    ),
    "a payload structure": (PAYLOAD_STRUCTURE, {"Vault": "v/1", "policy": {"Policy": '{"Version":"2012-10-17"}'}}),
    "a payload blob with its Content-Type member": (
        PAYLOAD_BLOB,
        {"Path": "a/b c/d", "Body": "raw bytes é 😀", "ContentType": "text/plain; charset=utf-8"},
    ),
    "a static query": (STATIC, {"Id": "thing-1", "Comment": "bye"}),
    "an empty input": (EMPTY, {}),
    "awsJson1.0, a timestamp in the body (epoch seconds)": (
        AWS_JSON_10,
        {"Item": {"k": {"S": TRICKY}}, "At": 1764583200.25},
    ),
    "awsJson1.1, a renamed member": (AWS_JSON_11, {"Item": {}, "Renamed": "x"}),
    "awsJson1.1, an empty input": (AWS_JSON_11, {}),
}


@pytest.fixture(scope="module")
def loopback() -> Iterator[Loopback]:
    with serve(ALL) as server:
        yield server


@pytest.mark.parametrize(("where", "operation_input"), ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_each_binding_round_trips_through_a_real_http_server(
    loopback: Loopback, where: OperationBinding, operation_input: dict[str, Any]
) -> None:
    echo = loopback.send(bind(where, operation_input))
    assert (echo.status, echo.operation) == (200, where.operation)
    assert echo.input == operation_input


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "Name": st.text(min_size=1),
            "Ids": st.lists(st.text(), min_size=1, max_size=4),
            "Count": st.integers(),
            "Enabled": st.booleans(),
            "Props": st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists, max_leaves=5).filter(
                lambda value: value is not None  # null is an absent member
            ),
            "Meta": st.dictionaries(
                st.from_regex(r"[a-z0-9-]{1,8}", fullmatch=True), st.text(), min_size=1, max_size=3
            ),
            "Rest": st.text(),
        }
    )
)
def test_bind_then_decode_gives_any_input_back_unless_http_cannot_carry_it(operation_input: dict[str, Any]) -> None:
    try:
        request = bind(HEADERS, operation_input)
    except Unsendable as refused:
        assert "cannot hold the byte" in refused.reason or "HTTP removes the whitespace" in refused.reason
        return
    assert decode(HEADERS, request.method, request.path, request.headers, request.body) == operation_input


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(min_size=1),
    key=st.lists(st.text(min_size=1), min_size=1, max_size=4).map("/".join),
    ids=st.lists(st.text(), min_size=1, max_size=4),
    filters=st.dictionaries(st.text(), st.lists(st.text(), min_size=1, max_size=2), max_size=3),
)
def test_labels_and_the_query_give_any_text_back(name: str, key: str, ids: list[str], filters: dict[str, Any]) -> None:
    for where, operation_input in [
        (GREEDY, {"Bucket": name, "Key": key}),
        (QUERY, {"Name": name, "Ids": ids, "Filters": filters} if filters else {"Name": name, "Ids": ids}),
    ]:
        try:
            request = bind(where, operation_input)
        except Unsendable as refused:
            assert "lone surrogate" in refused.reason
            continue
        assert decode(where, request.method, request.path, request.headers, request.body) == operation_input
