"""One botocore operation -> one contract document (OpenAPI 3.1 with ``x-harness``), as
docs/imported-contracts.md writes it down."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from harness.importer import _examples, _text
from harness.importer._model import Service, botocore_version
from harness.importer._responses import CommonError, ModelError, common_errors, message_member, model_errors
from harness.importer._schemas import INPUT_ROOT, OUTPUT, OUTPUT_ROOT, Schema, Schemas

_MEDIA = {
    "restJson1": "application/json",
    "awsJson1_0": "application/x-amz-json-1.0",
    "awsJson1_1": "application/x-amz-json-1.1",
}
_PAYLOAD_MEDIA = {"blob": "application/octet-stream", "string": "text/plain"}
_IDEMPOTENCY_DOC = (
    "the same token and input again get the first answer's status and, on success, the same output; "
    "the same token with another input never succeeds (SPEC section 7)."
)


def components_ref(name: str, *rest: str) -> str:
    return "#/components/schemas/" + "/".join(_escape(part) for part in (name, *rest))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class OperationImport:
    """Builds the contract document of one operation from its service's :class:`Schemas`."""

    def __init__(self, schemas: Schemas, operation: str) -> None:
        self.schemas = schemas
        self.service: Service = schemas.service
        self.name = operation
        self.model: Mapping[str, Any] = self.service.operations[operation]
        self.notes: list[str] = []
        self.extra: dict[str, Schema] = {}  # components of this document alone

    @property
    def id(self) -> str:
        return f"{self.service.name}:{self.name}"

    def document(self) -> dict[str, Any]:
        """The contract document, JSON-ready (its components are shared with the service's
        other operations: read it, or copy it before changing it)."""
        service, http = self.service, self.model["http"]
        path, static_query = split_request_uri(str(http["requestUri"]))
        method = str(http.get("method", "POST")).lower()
        input_name, bindings = self._input()
        success_status = int(http.get("responseCode", 200))
        success_body, success_schema = self._success(method, success_status)
        errors = model_errors(service, self.model)
        casing = message_member(service, errors)
        common = common_errors(service, declared={e.name for e in errors}, message_member=casing)
        operation: dict[str, Any] = {
            "operationId": self.name,
            "summary": _text.first_sentence(self.model.get("documentation")) or self.name,
        }
        parameters = self._parameters(input_name, bindings)
        if parameters:
            operation["parameters"] = parameters
        body = self._request_body(input_name, bindings)
        if body is not None:
            operation["requestBody"] = body
        operation["responses"] = self._responses(success_status, success_body, success_schema, errors, common)
        roots = [input_name, *self._refs_of(operation["responses"])]
        names = self.schemas.reachable([r for r in roots if r in self.schemas.components])
        components = {name: self.schemas.components[name].schema for name in names}
        components.update(self.extra)
        for name in names:
            self.notes.extend(self.schemas.components[name].notes)
        harness = self._harness(input_name, bindings, static_query, success_status, success_body, casing)
        document: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": {
                "title": f"{service.metadata.get('serviceFullName', service.name)} {self.name}",
                "version": service.api_version,
                "description": (
                    f"Imported by `harness import` from botocore {botocore_version()}'s model of "
                    f"{service.name} {service.api_version} (SPEC section 7): every constraint a rule, "
                    "every sentence the model's documentation."
                ),
            },
            "x-harness": harness,
            "paths": {path: {method: operation}},
            "components": {"schemas": components},
        }
        examples = _examples.translate(self.schemas, self.name, document, self.notes)
        if examples:
            harness["examples"] = examples
        harness["imported"] = {
            "service": service.name,
            "apiVersion": service.api_version,
            "botocore": botocore_version(),
            "protocols": list(service.protocols),
        }
        if self.notes:
            harness["importNotes"] = sorted(dict.fromkeys(self.notes))
        return document

    def _harness(
        self,
        input_name: str,
        bindings: dict[str, Any],
        static_query: list[list[str]],
        success_status: int,
        success_body: str,
        casing: str,
    ) -> dict[str, Any]:
        """``x-harness`` but for the examples, ``imported`` and ``importNotes`` (added last)."""
        service = self.service
        harness: dict[str, Any] = {"operation": self.id, "protocol": service.protocol}
        if service.protocol != "restJson1":
            harness["targetPrefix"] = service.target_prefix
        harness.update(
            signingName=service.signing_name,
            input=components_ref(input_name),
            successStatus=success_status,
            successBody=success_body,
            errorMessageMember=casing,
        )
        if bindings:
            harness["bindings"] = bindings
        if static_query:
            harness["staticQuery"] = static_query
        idempotency = self._idempotency(self._input_schema(input_name))
        if idempotency is not None:
            harness["idempotency"] = idempotency
        auth = self._auth()
        if auth != "sigv4":
            harness["auth"] = auth
        return harness

    # ------------------------------------------------------------------ the input

    def _input(self) -> tuple[str, dict[str, Any]]:
        ref = self.model.get("input")
        if ref is None:
            name = f"{self.name}.input"
            self.extra[name] = {
                "type": "object",
                "properties": {},
                "x-rules": [
                    {
                        "id": "input.type",
                        "keywords": ["type"],
                        "doc": "The operation has no input members. Type: Object",
                        "source": self.service.source,
                    }
                ],
            }
            return name, {}
        shape_name = str(ref["shape"])
        name = self.schemas.ensure(shape_name, INPUT_ROOT)
        return name, self._bindings(shape_name)

    def _bindings(self, shape_name: str) -> dict[str, Any]:
        shape = self.service.shapes[shape_name]
        uri = str(self.model["http"]["requestUri"])
        bindings: dict[str, Any] = {}
        for member, ref in shape.get("members", {}).items():
            if self.service.shapes[ref["shape"]].get("eventstream"):
                continue
            wire = str(ref.get("locationName", member))
            location = ref.get("location") if self.service.protocol == "restJson1" else None
            if member == shape.get("payload") and self.service.protocol == "restJson1":
                bindings[member] = {"in": "payload"}
            elif location == "uri":
                binding: dict[str, Any] = {"in": "path", "name": wire}
                if "{" + wire + "+}" in uri:
                    binding["greedy"] = True
                bindings[member] = binding
            elif location == "querystring":
                is_map = self.service.shapes[ref["shape"]]["type"] == "map"
                bindings[member] = {"in": "queryMap"} if is_map else {"in": "query", "name": wire}
            elif location == "header":
                bindings[member] = {"in": "header", "name": wire}
            elif location == "headers":
                bindings[member] = {"in": "headerMap", "name": str(ref.get("locationName", ""))}
            elif wire != member:
                bindings[member] = {"in": "body", "name": wire}
        if self.model.get("endpoint", {}).get("hostPrefix"):
            self.notes.append(
                f"the model prefixes the host with {self.model['endpoint']['hostPrefix']!r}; "
                "the contract binds those members as their locations say and does not change the host"
            )
        return bindings

    def _parameters(self, input_name: str, bindings: Mapping[str, Any]) -> list[dict[str, Any]]:
        required = set(self._input_schema(input_name).get("required", ()))
        parameters: list[dict[str, Any]] = []
        for member, binding in bindings.items():
            where = binding["in"]
            schema = {"$ref": components_ref(input_name, "properties", member)}
            if where == "path":
                parameters.append({"name": binding["name"], "in": "path", "required": True, "schema": schema})
            elif where in ("query", "header"):
                parameter = {"name": binding["name"], "in": where, "required": member in required, "schema": schema}
                parameters.append(parameter)
            elif where == "queryMap":
                parameters.append({"name": member, "in": "query", "style": "form", "explode": True, "schema": schema})
        if self.service.protocol != "restJson1":
            target = f"{self.service.target_prefix}.{self.name}"
            parameters.append({"name": "X-Amz-Target", "in": "header", "required": True, "schema": {"const": target}})
        return parameters

    def _input_schema(self, input_name: str) -> Schema:
        if input_name in self.extra:
            return self.extra[input_name]
        return self.schemas.components[input_name].schema

    def _request_body(self, input_name: str, bindings: Mapping[str, Any]) -> dict[str, Any] | None:
        schema = self._input_schema(input_name)
        media = _MEDIA[self.service.protocol]
        payload = next((m for m, b in bindings.items() if b["in"] == "payload"), None)
        if payload is not None:
            shape = self.service.shapes[self.service.shapes[self.model["input"]["shape"]]["members"][payload]["shape"]]
            media = _PAYLOAD_MEDIA.get(shape["type"], media)
            ref = {"$ref": components_ref(input_name, "properties", payload)}
            return {"required": payload in schema.get("required", ()), "content": {media: {"schema": ref}}}
        body = {
            member: binding.get("name", member) if binding else member
            for member in schema.get("properties", {})
            if (binding := bindings.get(member)) is None or binding["in"] == "body"
        }
        if not body and self.service.protocol == "restJson1":
            return None
        if all(member == wire for member, wire in body.items()) and len(body) == len(schema.get("properties", {})):
            view: Schema = {"$ref": components_ref(input_name)}
        else:
            view = {
                "type": "object",
                "properties": {wire: {"$ref": components_ref(input_name, "properties", m)} for m, wire in body.items()},
            }
            required = [body[m] for m in schema.get("required", ()) if m in body]
            if required:
                view["required"] = required
        return {"required": True, "content": {media: {"schema": view}}}

    def _idempotency(self, input_schema: Schema) -> dict[str, Any] | None:
        for member, schema in input_schema.get("properties", {}).items():
            if isinstance(schema, dict) and schema.get("x-idempotency-token"):
                return {"token": f"/{_escape(member)}", "doc": f"{member}: {_IDEMPOTENCY_DOC}"}
        return None

    def _auth(self) -> str:
        schemes = [str(s) for s in self.model.get("auth") or self.service.metadata.get("auth") or ()]
        if self.model.get("authtype") == "none" or schemes[:1] == ["smithy.api#noAuth"]:
            self.notes.append("the model says the operation is not signed: requests may carry no signature")
            return "none"
        if not schemes:
            schemes = {"v4": ["aws.auth#sigv4"], "bearer": ["smithy.api#httpBearerAuth"]}.get(
                str(self.service.metadata.get("signatureVersion")), []
            )
        if "aws.auth#sigv4" in schemes or not schemes:
            return "sigv4"
        self.notes.append(f"the model authenticates with {', '.join(schemes)}, not SigV4")
        return "bearer" if "smithy.api#httpBearerAuth" in schemes else "sigv4a"

    # ------------------------------------------------------------------ the responses

    def _success(self, method: str, status: int) -> tuple[str, Schema | None]:
        """``successBody`` and the success body's schema (``None``: not JSON)."""
        if method == "head" or status in (204, 304):
            return "empty", None
        ref = self.model.get("output")
        if ref is None:
            return "jsonOrEmpty", {
                "type": "object",
                "x-rules": [self._output_rule("The operation returns no members.")],
            }
        shape = self.service.shapes[ref["shape"]]
        payload = shape.get("payload")
        if payload is not None and self.service.protocol == "restJson1":
            member_ref = shape["members"][payload]
            target = self.service.shapes[member_ref["shape"]]
            if target["type"] != "structure" or target.get("eventstream") or target.get("document"):
                what = "an event stream" if target.get("eventstream") else f"{target['type']} data"
                self.notes.append(f"the success body is the {payload} payload, {what}: not JSON, not judged")
                return "raw", None
            return "jsonOrEmpty", {"$ref": components_ref(self.schemas.ensure(member_ref["shape"], OUTPUT))}
        return "jsonOrEmpty", {"$ref": components_ref(self.schemas.ensure(ref["shape"], OUTPUT_ROOT))}

    def _output_rule(self, doc: str) -> Schema:
        return {"id": "output.type", "keywords": ["type"], "doc": f"{doc} Type: Object", "source": self.service.source}

    def _responses(
        self,
        success_status: int,
        success_body: str,
        success_schema: Schema | None,
        errors: list[ModelError],
        common: list[CommonError],
    ) -> dict[str, Any]:
        media = _MEDIA[self.service.protocol]
        success: dict[str, Any] = {"description": "Success: the output members of the model."}
        if success_schema is not None:
            success["content"] = {media: {"schema": success_schema}}
        elif success_body == "raw":
            success["content"] = {"application/octet-stream": {}}
        by_status: dict[int, list[tuple[str, str, str]]] = {}
        for error in errors:
            name = self.schemas.ensure(error.name, OUTPUT_ROOT)
            doc = _text.first_sentence(error.documentation) or "An error of the model."
            by_status.setdefault(error.status, []).append((error.name, name, doc))
        for common_error in common:
            name = self._common_component(common_error)
            entry = (common_error.name, name, "A common error (SPEC section 7).")
            by_status.setdefault(common_error.status, []).append(entry)
        responses: dict[str, Any] = {str(success_status): success}
        for status in sorted(by_status):
            if status == success_status:
                continue  # pragma: no cover - no model gives an error a success status
            entries = by_status[status]
            responses[str(status)] = {
                "description": " ".join(f"{error}: {doc}" for error, _, doc in entries),
                "x-aws-errors": {error: components_ref(name) for error, name, _ in entries},
                "content": {media: {"schema": {"anyOf": [{"$ref": components_ref(name)} for _, name, _ in entries]}}},
            }
        return dict(sorted(responses.items()))

    def _common_component(self, error: CommonError) -> str:
        # a shape of the service may have the same name (an error of other operations): keep apart
        name = error.name if error.name not in self.service.shapes else f"{error.name}.common"
        self.extra[name] = _common_schema(error.name, error.message_member)
        return name

    def _refs_of(self, responses: Mapping[str, Any]) -> list[str]:
        """The component names the responses refer to directly."""
        found: list[str] = []
        prefix = "#/components/schemas/"
        for response in responses.values():
            for target in response.get("x-aws-errors", {}).values():
                found.append(target[len(prefix) :].replace("~1", "/").replace("~0", "~"))
            for content in response.get("content", {}).values():
                ref = content.get("schema", {}).get("$ref")
                if isinstance(ref, str):
                    found.append(ref[len(prefix) :].replace("~1", "/").replace("~0", "~"))
        return found


@functools.cache
def _common_schema(error: str, message_member: str) -> Schema:
    """The body of a common error (shared by every document: nothing changes it)."""
    return {
        "type": "object",
        "properties": {message_member: {"type": "string"}},
        "x-rules": [
            {
                "id": "error.body",
                "keywords": ["type"],
                "doc": f"An error body is a JSON object (SPEC 3); {error} has `{message_member}`.",
                "source": "spec",
            }
        ],
    }


def split_request_uri(uri: str) -> tuple[str, list[list[str]]]:
    """The OpenAPI path of a ``requestUri`` (``{Key+}`` written ``{Key}``) and its literal query."""
    path, _, query = uri.partition("?")
    static = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            static.append([name, value])
    return path.replace("+}", "}"), static
