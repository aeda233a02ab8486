"""The harness inside Schemathesis's ``st run``: SigV4 signing, the harness's checks, SPEC's reading.

Load it with Schemathesis's own hook mechanism, one line in ``schemathesis.toml``::

    hooks = "harness.schemathesis"

(or ``SCHEMATHESIS_HOOKS=harness.schemathesis``; the ``aws-contract-harness[schemathesis]``
extra installs Schemathesis).  For every schema ``st run`` loads that is a harness contract
(an OpenAPI document with ``x-harness``):

- every request is SigV4-signed (botocore) as it goes on the wire, with the credentials of
  botocore's chain, the contract's ``x-harness.signingName`` and the region as ``harness
  run`` finds it (:func:`harness.aws.region_from`);
- the harness's checks (:mod:`harness.checks`) judge every answer, registered as
  Schemathesis checks under their own names (``--exclude-checks error_named`` works);
  whether a request is valid is the harness's reading of its body as sent, with the
  contract's ECMA-262 validation, not Schemathesis's generation mode;
- a failure of one of Schemathesis's own checks that SPEC contradicts is set aside
  (Schemathesis's ``filter_failure`` hook), each with the sentence of SPEC that says why
  (:data:`ADJUSTMENTS`); what was set aside, and the harness's warnings (never failures,
  SPEC 4), are summed up on stderr when ``st run`` ends.

A schema without ``x-harness`` is said so once and left to Schemathesis.  Missing
credentials or a broken contract stop ``st run`` before it sends anything, with the message
``harness run`` gives and exit status 2.  The contract document is read by its fields, never
an operation by name: an imported awsJson contract's ``X-Amz-Target`` header (a ``const``)
and ``application/x-amz-json-1.*`` body are part of what a request is read against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import schemathesis

from harness.schemathesis._adjustments import ADJUSTMENTS, Adjustment, Verdict, adjustment_for
from harness.schemathesis._integration import Integration
from harness.schemathesis._reading import Reading, Wire, contract_of, read_request
from harness.schemathesis._signing import SigV4, signing_key

if TYPE_CHECKING:
    from schemathesis import BaseSchema, HookContext

    from harness.schemathesis._integration import StCase

INTEGRATION = Integration()

#: awsJson bodies are JSON under their own media types (SPEC 7), which Schemathesis does not
#: know: without these, every request of an awsJson contract fails "Serialization not possible".
AWS_JSON_MEDIA_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1")
schemathesis.serializer.alias(list(AWS_JSON_MEDIA_TYPES), "application/json")


# Schemathesis names a hook after its function and sets attributes on it: plain functions.
@schemathesis.hook
def after_load_schema(context: HookContext, schema: BaseSchema) -> None:
    INTEGRATION.after_load_schema(context, schema)


@schemathesis.hook
def before_call(context: HookContext, case: StCase, kwargs: dict[str, Any]) -> None:
    INTEGRATION.before_call(context, case, kwargs)


@schemathesis.hook
def filter_failure(
    context: HookContext, failure: AssertionError, case: StCase, response: schemathesis.Response
) -> bool:
    return INTEGRATION.filter_failure(context, failure, case, response)


for _check in INTEGRATION.checks:
    schemathesis.check(INTEGRATION.schemathesis_check(_check))

__all__ = [
    "ADJUSTMENTS",
    "AWS_JSON_MEDIA_TYPES",
    "INTEGRATION",
    "Adjustment",
    "Integration",
    "Reading",
    "SigV4",
    "Verdict",
    "Wire",
    "adjustment_for",
    "contract_of",
    "read_request",
    "signing_key",
]
