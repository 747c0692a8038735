"""Every error the mock answers is one the operation's model lists, or a documented exception.

Three views of the same rule:

* statically, from the model: the ``Raises:`` section of each backend method (the documentation's
  operations table) names only errors in :func:`~appfabric_mock.backend.answerable.answerable_errors`;
* dynamically: :func:`test_every_failure_path_of_every_operation` drives each failure path the
  docstrings describe through boto3 and checks each code and status it gets, and that the
  codes seen are exactly the codes documented (so a docstring cannot promise an error the mock
  never answers, nor the mock answer one the docstring does not name);
* and for the whole suite: ``tests/conftest.py`` observes every call of every mock.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Set, Tuple

import pytest
from botocore.exceptions import ClientError
from helpers import (
    MISSING,
    NO_CLIENT_VALIDATION,
    appfabric_client,
    connected_authorization,
    make_authorization,
    make_bundle,
    make_destination,
    make_ingestion,
    new_token,
)

from appfabric_mock import mock_appfabric
from appfabric_mock.backend.answerable import UNKNOWN_OPERATION, UNMODELLED_ERRORS, answerable_errors
from appfabric_mock.errors import ERROR_CLASSES
from appfabric_mock.protocol.compiled import protocol

EXTENSION = Path(__file__).resolve().parent.parent / "docs" / "_ext" / "operations_table.py"
#: Answered by any operation: a request breaking the model's constraints, a deny rule, an injected fault.
COMMON = {"ValidationException", "AccessDeniedException", "ThrottlingException", "InternalServerException"}


def _operations_table() -> Any:
    name = "_appfabric_docs_operations_table"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EXTENSION)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _documented() -> Set[Tuple[str, str]]:
    return {(row.operation, error.code) for row in _operations_table().operation_rows() for error in row.errors}


# -- statically ------------------------------------------------------------------------------------------
def test_the_documented_exceptions_are_few_and_named() -> None:
    assert set(UNMODELLED_ERRORS) == {"IdempotentParameterMismatch", "InvalidToken"}
    for code in (*UNMODELLED_ERRORS, UNKNOWN_OPERATION):
        assert ERROR_CLASSES[code].modeled is False
        assert code not in protocol().error_shapes


def test_answerable_errors_come_from_the_model() -> None:
    operations = protocol().operations
    for name, spec in operations.items():
        allowed = answerable_errors(spec.model)
        modelled = {shape.name for shape in spec.model.error_shapes}
        assert modelled <= allowed
        assert ("IdempotentParameterMismatch" in allowed) == name.startswith("Create")
        assert ("InvalidToken" in allowed) == (name.startswith("List") and name != "ListTagsForResource")
        assert allowed - modelled <= set(UNMODELLED_ERRORS)
    # The cases the model does not list, on which the mock used to answer anyway.
    assert "ResourceNotFoundException" not in answerable_errors(operations["DeleteAppBundle"].model)
    assert "ResourceNotFoundException" not in answerable_errors(operations["CreateIngestion"].model)
    assert "ResourceNotFoundException" not in answerable_errors(operations["CreateIngestionDestination"].model)
    assert "ConflictException" not in answerable_errors(operations["DeleteAppAuthorization"].model)
    assert "ConflictException" not in answerable_errors(operations["DeleteIngestion"].model)
    assert "ConflictException" not in answerable_errors(operations["UpdateAppAuthorization"].model)


def test_every_documented_error_is_answerable() -> None:
    operations = protocol().operations
    for operation, code in _documented():
        assert code in answerable_errors(operations[operation].model), (operation, code)


# -- dynamically ------------------------------------------------------------------------------------------
class Paths:
    """Drives failure paths; records each (operation, code, status) the client got."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.seen: Dict[Tuple[str, str], Set[int]] = {}

    def fails(self, code: str, status: int, call: Callable[..., Any], **kwargs: Any) -> Dict[str, Any]:
        with pytest.raises(ClientError) as caught:
            call(**kwargs)
        response = caught.value.response
        operation = caught.value.operation_name
        got = (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"])
        assert got == (code, status), (operation, response["Error"])
        self.seen.setdefault((operation, code), set()).add(status)
        return dict(response)


def s3_bucket(name: str) -> Dict[str, Any]:
    return {"auditLog": {"destination": {"s3Bucket": {"bucketName": name}}}}


def _duplicate_reuse_and_quota(m: Any, paths: Paths, quota: str, create: Callable[..., Any],
                               existing: Dict[str, Any], first: Dict[str, Any], other: Dict[str, Any]) -> None:
    """A create's Conflict (``existing`` is taken), token reuse (``first``, then ``other``) and quota."""
    paths.fails("ConflictException", 409, create, **existing)
    token = new_token()
    create(**first, clientToken=token)
    paths.fails("IdempotentParameterMismatch", 400, create, **other, clientToken=token)
    limit = m.state.settings.quotas[quota]
    m.state.settings.quotas[quota] = 0
    paths.fails("ServiceQuotaExceededException", 402, create, **other)
    m.state.settings.quotas[quota] = limit


def _run_failure_paths(m: Any) -> Dict[Tuple[str, str], Set[int]]:
    api = appfabric_client(config=NO_CLIENT_VALIDATION)
    paths = Paths(api)
    fails = paths.fails
    bundle = make_bundle(api)
    gone_bundle = bundle.rsplit("/", 1)[0] + "/" + MISSING
    token = new_token()

    # CreateAppBundle: aws: tag, quota, token reuse.
    fails("ValidationException", 400, api.create_app_bundle, tags=[{"key": "aws:x", "value": "v"}])
    fails("ServiceQuotaExceededException", 402, api.create_app_bundle)
    m.state.settings.quotas["app_bundles"] = None
    api.create_app_bundle(clientToken=token)
    fails("IdempotentParameterMismatch", 400, api.create_app_bundle, clientToken=token,
          tags=[{"key": "k", "value": "v"}])
    m.state.settings.quotas["app_bundles"] = 1
    fails("ResourceNotFoundException", 404, api.get_app_bundle, appBundleIdentifier=gone_bundle)

    # The authorization and everything below it.
    auth = connected_authorization(api, bundle)
    pending = make_authorization(api, bundle, tenant="pending")
    auth_ids = {"appBundleIdentifier": bundle, "appAuthorizationIdentifier": auth["appAuthorizationArn"]}
    gone_auth = {"appBundleIdentifier": bundle, "appAuthorizationIdentifier": MISSING}
    fails("ResourceNotFoundException", 404, make_authorization, client=api, bundle=gone_bundle)
    fails("ValidationException", 400, make_authorization, client=api, bundle=bundle, app="NOT-AN-APP")
    _duplicate_reuse_and_quota(m, paths, "app_authorizations", lambda **kw: make_authorization(api, bundle, **kw),
                               {}, {"tenant": "token"}, {"tenant": "other"})
    fails("ResourceNotFoundException", 404, api.get_app_authorization, **gone_auth)
    fails("ResourceNotFoundException", 404, api.list_app_authorizations, appBundleIdentifier=gone_bundle)
    fails("ResourceNotFoundException", 404, api.update_app_authorization, **gone_auth,
          tenant={"tenantIdentifier": "t", "tenantDisplayName": "t"})
    fails("ValidationException", 400, api.update_app_authorization, **auth_ids,
          tenant={"tenantIdentifier": "pending", "tenantDisplayName": "taken"})
    fails("ResourceNotFoundException", 404, api.connect_app_authorization, **gone_auth)
    m.fail_next_connect(pending["appAuthorizationArn"])
    fails("ValidationException", 400, api.connect_app_authorization, appBundleIdentifier=bundle,
          appAuthorizationIdentifier=pending["appAuthorizationArn"])
    fails("ResourceNotFoundException", 404, api.delete_app_authorization, **gone_auth)

    # Ingestions.
    fails("ValidationException", 400, make_ingestion, client=api, bundle=gone_bundle)
    fails("ValidationException", 400, make_ingestion, client=api, bundle=bundle, tenant="pending")
    ingestion = make_ingestion(api, bundle)
    ing_ids = {"appBundleIdentifier": bundle, "ingestionIdentifier": ingestion["arn"]}
    gone_ing = {"appBundleIdentifier": bundle, "ingestionIdentifier": MISSING}
    fails("ValidationException", 400, api.delete_app_authorization, **auth_ids)
    fails("ConflictException", 409, api.delete_app_bundle, appBundleIdentifier=bundle)
    fails("ValidationException", 400, api.delete_app_bundle, appBundleIdentifier=gone_bundle)
    fails("ConflictException", 409, make_ingestion, client=api, bundle=bundle)
    ing_token = new_token()
    connected_authorization(api, bundle, tenant="t2")
    make_ingestion(api, bundle, tenant="t2", clientToken=ing_token)
    fails("IdempotentParameterMismatch", 400, make_ingestion, client=api, bundle=bundle, tenant="token",
          clientToken=ing_token)
    m.state.settings.quotas["ingestions"] = 2
    connected_authorization(api, bundle, tenant="t3")
    fails("ServiceQuotaExceededException", 402, make_ingestion, client=api, bundle=bundle, tenant="t3")
    m.state.settings.quotas["ingestions"] = 50
    for operation in (api.get_ingestion, api.start_ingestion, api.stop_ingestion, api.delete_ingestion):
        fails("ResourceNotFoundException", 404, operation, **gone_ing)
    fails("ResourceNotFoundException", 404, api.list_ingestions, appBundleIdentifier=gone_bundle)

    # Destinations.
    destination = make_destination(api, ingestion)
    dest_ids = {**ing_ids, "ingestionDestinationIdentifier": destination["arn"]}
    gone_dest = {**ing_ids, "ingestionDestinationIdentifier": MISSING}
    fails("ValidationException", 400, make_destination, client=api, ingestion={**ingestion, "arn": MISSING})
    raw_parquet = {"auditLog": {"schema": "raw", "format": "parquet"}}
    fails("ValidationException", 400, api.create_ingestion_destination, **ing_ids,
          processingConfiguration=raw_parquet, destinationConfiguration=s3_bucket("raw"))
    _duplicate_reuse_and_quota(m, paths, "ingestion_destinations", lambda **kw: make_destination(api, ingestion, **kw),
                               {}, {"bucket": "second"}, {"bucket": "third"})
    fails("ValidationException", 400, api.delete_ingestion, **ing_ids)
    for operation in (api.get_ingestion_destination, api.delete_ingestion_destination):
        fails("ResourceNotFoundException", 404, operation, **gone_dest)
    fails("ResourceNotFoundException", 404, api.list_ingestion_destinations, **gone_ing)
    firehose = {"auditLog": {"destination": {"firehoseStream": {"streamName": "stream"}}}}
    parquet = api.create_ingestion_destination(
        **ing_ids, processingConfiguration={"auditLog": {"schema": "ocsf", "format": "parquet"}},
        destinationConfiguration=s3_bucket("parquet"))["ingestionDestination"]
    fails("ValidationException", 400, api.update_ingestion_destination, **ing_ids,
          ingestionDestinationIdentifier=parquet["arn"], destinationConfiguration=firehose)
    fails("ConflictException", 409, api.update_ingestion_destination, **dest_ids,
          destinationConfiguration=s3_bucket("second"))
    fails("ResourceNotFoundException", 404, api.update_ingestion_destination, **gone_dest,
          destinationConfiguration=firehose)

    # Pagination tokens, on each List operation.
    m.clock.freeze()
    in_bundle = {"appBundleIdentifier": bundle}
    for operation, params in ((api.list_app_bundles, {}), (api.list_app_authorizations, in_bundle),
                              (api.list_ingestions, in_bundle), (api.list_ingestion_destinations, ing_ids)):
        fails("ValidationException", 400, operation, nextToken="not-a-token", **params)
        page = operation(maxResults=1, **params)
        assert "nextToken" in page, operation
        m.clock.advance(hours=25)
        fails("InvalidToken", 400, operation, nextToken=page["nextToken"], **params)
    m.clock.unfreeze()

    # User access tasks and tags.
    fails("ResourceNotFoundException", 404, api.start_user_access_tasks, appBundleIdentifier=gone_bundle,
          email="a@example.com")
    fails("ResourceNotFoundException", 404, api.batch_get_user_access_tasks, appBundleIdentifier=gone_bundle,
          taskIdList=[new_token()])
    gone_arn = f"{bundle}/ingestion/{MISSING}"
    other_service = "arn:aws:s3:::bucket"
    fails("ResourceNotFoundException", 404, api.tag_resource, resourceArn=gone_arn, tags=[{"key": "k", "value": "v"}])
    fails("ResourceNotFoundException", 404, api.untag_resource, resourceArn=gone_arn, tagKeys=["k"])
    fails("ResourceNotFoundException", 404, api.list_tags_for_resource, resourceArn=gone_arn)
    fails("ValidationException", 400, api.tag_resource, resourceArn=bundle, tags=[{"key": "aws:k", "value": "v"}])
    fails("ValidationException", 400, api.untag_resource, resourceArn=other_service, tagKeys=["k"])
    fails("ValidationException", 400, api.list_tags_for_resource, resourceArn=other_service)
    return paths.seen


def test_every_failure_path_of_every_operation() -> None:
    with mock_appfabric() as m:
        seen = _run_failure_paths(m)
        recorded = {(c.operation, c.error_code) for c in m.calls if c.error_code}
    operations = protocol().operations
    # Every code is one the operation may answer, with its shape's status (or 400 for the two extras).
    for (operation, code), statuses in seen.items():
        assert code in answerable_errors(operations[operation].model), (operation, code)
        shape = protocol().error_shapes.get(code)
        expected = shape.metadata["error"]["httpStatusCode"] if shape is not None else 400
        assert statuses == {expected}, (operation, code)
    assert recorded == set(seen)
    # The docstrings promise exactly what the mock does: every documented (operation, error) was
    # answered above, and nothing else was (errors any operation may answer aside).
    documented = _documented()
    assert set(seen) == documented | {(op, code) for op, code in seen if code == "ValidationException"}
    assert {(op, code) for op, code in documented} - set(seen) == set()


@pytest.mark.parametrize("code", sorted(COMMON - {"ValidationException"}))
def test_errors_every_operation_lists_can_be_injected_everywhere(code: str) -> None:
    with mock_appfabric() as m:
        m.inject_fault("*", code, times=1)
        with pytest.raises(ClientError) as caught:
            appfabric_client(config=NO_CLIENT_VALIDATION).list_app_bundles()
        assert caught.value.response["Error"]["Code"] == code
