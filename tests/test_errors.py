"""The error classes are the model's error shapes: code, status, members, required members, headers."""

from __future__ import annotations

import pickle
from typing import Any, Dict

import pytest
from botocore.model import Shape
from botocore.parsers import create_parser

import appfabric_mock
from appfabric_mock import errors
from appfabric_mock._model import service_model
from appfabric_mock.protocol.serialization import serialize_error

ERROR_SHAPES = {shape.name: shape for shape in service_model().error_shapes}


def _sample(shape: Shape, name: str) -> Any:
    if shape.type_name in ("integer", "long"):
        return 7
    if shape.type_name == "list":
        return [{"name": "field", "message": "wrong"}]
    if getattr(shape, "enum", None):
        return shape.enum[-1]  # type: ignore[attr-defined]
    return f"{name}-value"


@pytest.mark.parametrize("code", sorted(ERROR_SHAPES))
def test_every_error_shape_has_a_class_that_botocore_reads_back(code: str) -> None:
    shape = ERROR_SHAPES[code]
    cls = errors.error_class(code)
    assert cls is not None and cls is getattr(errors, code) is errors.ERROR_CLASSES[code]
    assert (cls.code, cls.modeled) == (code, True)
    assert cls.status == shape.metadata["error"]["httpStatusCode"]
    members = {name: _sample(member, name) for name, member in shape.members.items() if name != "message"}
    error = cls("it failed", **members)
    status, headers, body = serialize_error(error)
    assert status == cls.status
    # As botocore's client reads an error: the code and message, then the shape's members.
    response = {"status_code": status, "headers": headers, "body": body}
    assert create_parser("rest-json").parse(response, None)["Error"] == {"Code": code, "Message": "it failed"}
    modelled = create_parser("rest-json").parse(response, shape)
    for name, value in members.items():
        assert modelled[name] == value, name
    header_members = {name for name, member in shape.members.items()
                      if member.serialization.get("location") == "header"}
    assert set(cls.header_members) == header_members
    assert pickle.loads(pickle.dumps(error)).members == error.members


def test_members_are_keywords_by_model_name_or_in_snake_case() -> None:
    by_model = errors.ConflictException("taken", resourceId="r", resourceType="AppBundle")
    by_snake = errors.ConflictException("taken", resource_id="r", resource_type="AppBundle")
    assert by_model.members == by_snake.members == {"resourceId": "r", "resourceType": "AppBundle"}


def test_required_members_are_required_unless_the_mock_has_a_default() -> None:
    with pytest.raises(TypeError, match="resourceType"):
        errors.ResourceNotFoundException("gone", resource_id="r")
    quota = errors.ServiceQuotaExceededException("full", resource_id="r", resource_type="AppBundle",
                                                         quota_code="q")
    assert quota.members["serviceCode"] == "appfabric"
    assert errors.ValidationException("bad").members == {"reason": "other"}
    with pytest.raises(TypeError, match="needs a message"):
        errors.ConflictException(resource_id="r", resource_type="AppBundle")


def test_unknown_members_are_refused() -> None:
    with pytest.raises(TypeError, match="no member 'retry_after'"):
        errors.ThrottlingException(retry_after=3)


def test_members_keep_the_models_order_and_headers() -> None:
    error = errors.ThrottlingException(quota_code="q", retry_after_seconds=3, service_code="s")
    assert list(error.members) == ["serviceCode", "quotaCode", "retryAfterSeconds"]
    status, headers, body = serialize_error(error)
    assert (status, headers["Retry-After"]) == (429, "3")
    assert body == b'{"message":"Rate exceeded","serviceCode":"s","quotaCode":"q","__type":"ThrottlingException"}'


def test_errors_outside_the_model_are_explicit() -> None:
    outside: Dict[str, int] = {"UnknownOperationException": 404, "IdempotentParameterMismatch": 400}
    for code, status in outside.items():
        cls = errors.error_class(code)
        assert cls is not None and not cls.modeled and cls.status == status
        assert code not in ERROR_SHAPES
    assert errors.error_class("NoSuchError") is None
    with pytest.raises(AttributeError):
        errors.NoSuchError  # noqa: B018


def test_the_package_does_not_export_the_mocks_error_classes() -> None:
    # Catching one around a client call never catches anything (tests/test_exception_idiom.py).
    for code in [*ERROR_SHAPES, "AppFabricError", "UnknownOperationException", "IdempotentParameterMismatch",
                 "InvalidToken"]:
        assert code not in appfabric_mock.__all__
        with pytest.raises(ImportError, match=f"does not export {code}"):
            getattr(appfabric_mock, code)
