"""The errors a test catches are botocore's: the mock's own classes are not exported, and saying so is clear.

``from appfabric_mock import ResourceNotFoundException`` followed by ``pytest.raises(...)``
around a client call could never catch anything, as botocore raises its own class.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

import appfabric_mock
from appfabric_mock import mock_appfabric

MISSING = "arn:aws:appfabric:us-east-1:123456789012:appbundle/00000000-0000-4000-8000-000000000000"


def test_importing_an_error_class_explains_the_idiom() -> None:
    with pytest.raises(ImportError) as caught:
        from appfabric_mock import ResourceNotFoundException  # noqa: F401
    message = str(caught.value)
    assert "does not export ResourceNotFoundException" in message
    assert "client.exceptions.ResourceNotFoundException" in message
    assert "ClientError" in message and "error.response['Error']['Code']" in message
    assert "m.inject_fault('<Operation>', 'ResourceNotFoundException')" in message


def test_the_attribute_explains_it_too() -> None:
    with pytest.raises(ImportError, match="pytest.raises\\(client.exceptions.ConflictException\\)"):
        appfabric_mock.ConflictException  # noqa: B018
    with pytest.raises(ImportError, match="botocore.exceptions.ClientError"):
        appfabric_mock.AppFabricError  # noqa: B018


def test_what_the_message_recommends_catches_the_error() -> None:
    with mock_appfabric():
        client = boto3.client("appfabric", region_name="us-east-1")
        with pytest.raises(client.exceptions.ResourceNotFoundException) as modelled:
            client.get_app_bundle(appBundleIdentifier=MISSING)
        with pytest.raises(ClientError) as generic:
            client.get_app_bundle(appBundleIdentifier=MISSING)
    assert modelled.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert generic.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_other_names_are_still_plain_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        appfabric_mock.NoSuchThing  # noqa: B018
    assert not hasattr(appfabric_mock, "NoSuchThing")
