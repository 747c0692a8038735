"""The private names of other libraries the mock relies on: one test per reliance.

Each test fails, naming the library and what changed, when an installed release no
longer has what :mod:`appfabric_mock.compat` expects; ``.ci/run`` runs them against the
oldest and the newest releases supported.  The last tests show that the mock itself
then fails at once with :class:`~appfabric_mock.compat.IncompatibleLibrary`, at start
or import, rather than deep inside a call.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import time
import types
from typing import Any

import botocore.endpoint
import botocore.signers
import pytest
from botocore.awsrequest import HeadersDict
from helpers import appfabric_client, make_bundle

from appfabric_mock import mock_appfabric
from appfabric_mock.compat import IncompatibleLibrary, installed_version
from appfabric_mock.dispatch import lower_headers


def _source(function: Any) -> str:
    return inspect.getsource(inspect.unwrap(function))


def _parameters(function: Any) -> list:
    return list(inspect.signature(inspect.unwrap(function)).parameters)


def _explain(distribution: str, what: str) -> str:
    return f"{distribution} {installed_version(distribution)}: {what} (see appfabric_mock/compat.py)"


# -- botocore -------------------------------------------------------------------------------------
def test_botocore_endpoint_do_get_response_answers_before_send_through_its_emitter() -> None:
    original = botocore.endpoint.Endpoint.__dict__["_do_get_response"]
    assert _parameters(original)[:4] == ["self", "request", "operation_model", "context"], _explain(
        "botocore", "Endpoint._do_get_response(self, request, operation_model, context) has changed")
    source = _source(original)
    assert "self._event_emitter.emit" in source and "before-send" in source and "first_non_none_response" in source, \
        _explain("botocore", "Endpoint._do_get_response no longer takes its answer from the before-send event")
    client = appfabric_client()
    assert hasattr(client._endpoint, "_event_emitter"), _explain("botocore", "an endpoint has no _event_emitter")


def test_botocore_request_signer_sign_and_its_credentials() -> None:
    assert _parameters(botocore.signers.RequestSigner.__dict__["sign"])[:3] == ["self", "operation_name", "request"], \
        _explain("botocore", "RequestSigner.sign(self, operation_name, request, ...) has changed")
    signer = appfabric_client()._request_signer
    assert hasattr(signer, "_credentials") and getattr(signer, "_signing_name", None) == "appfabric", _explain(
        "botocore", "a request signer keeps no _credentials or _signing_name")


def test_botocore_headers_dict_keeps_lower_cased_keys() -> None:
    # intercept._lowered_headers reads HeadersDict._dict and each key's _lower (it falls back to the
    # plain path, correct but slower, when they are gone).
    headers = HeadersDict({"Content-Type": "application/json", "X-Amz-Date": b"20240101T000000Z"})
    inner = getattr(headers, "_dict", None)
    assert isinstance(inner, dict) and all(isinstance(getattr(key, "_lower", None), str) for key in inner), \
        _explain("botocore", "HeadersDict no longer keeps _dict keyed by objects with _lower")
    from appfabric_mock.intercept import _lowered_headers

    assert _lowered_headers(headers) == lower_headers(headers)


def test_botocore_retries_sleep_through_the_time_reference_of_its_endpoint_module() -> None:
    # no_retry_sleep swaps botocore.endpoint.time.
    assert botocore.endpoint.time is time, _explain("botocore", "botocore.endpoint no longer imports time")
    assert "time.sleep(" in _source(botocore.endpoint.Endpoint._needs_retry), _explain(
        "botocore", "Endpoint._needs_retry no longer sleeps with time.sleep")


# -- aiobotocore ----------------------------------------------------------------------------------
def test_aiobotocore_endpoint_do_get_response_and_response_class() -> None:
    endpoint = pytest.importorskip("aiobotocore.endpoint")
    awsrequest = pytest.importorskip("aiobotocore.awsrequest")
    assert hasattr(awsrequest, "AioAWSResponse"), _explain(
        "aiobotocore", "aiobotocore.awsrequest.AioAWSResponse is gone")
    original = endpoint.AioEndpoint.__dict__["_do_get_response"]
    assert _parameters(original)[:4] == ["self", "request", "operation_model", "context"], _explain(
        "aiobotocore", "AioEndpoint._do_get_response(self, request, operation_model, context) has changed")
    source = _source(original)
    assert "self._event_emitter.emit" in source and "before-send" in source, _explain(
        "aiobotocore", "AioEndpoint._do_get_response no longer takes its answer from the before-send event")


def test_aiobotocore_request_signer_sign() -> None:
    signers = pytest.importorskip("aiobotocore.signers")
    assert _parameters(signers.AioRequestSigner.__dict__["sign"])[:3] == ["self", "operation_name", "request"], \
        _explain("aiobotocore", "AioRequestSigner.sign(self, operation_name, request, ...) has changed")


def test_aiobotocore_retries_sleep_through_its_asyncio_reference() -> None:
    # no_retry_sleep swaps aiobotocore.endpoint.asyncio (and AnyioEndpoint._sleep, where there is one).
    endpoint = pytest.importorskip("aiobotocore.endpoint")
    assert endpoint.asyncio is asyncio, _explain("aiobotocore", "aiobotocore.endpoint no longer imports asyncio")
    retry = _source(endpoint.AioEndpoint._needs_retry)
    assert "asyncio.sleep(" in retry or "self._sleep(" in retry, _explain(
        "aiobotocore", "AioEndpoint._needs_retry sleeps neither with asyncio.sleep nor with self._sleep")
    anyio_endpoint = getattr(endpoint, "AnyioEndpoint", None)
    if "self._sleep(" in retry:
        assert anyio_endpoint is not None and "_sleep" in vars(anyio_endpoint), _explain(
            "aiobotocore", "AioEndpoint._needs_retry sleeps with self._sleep, which only AnyioEndpoint had")
        assert "asyncio.sleep(" in _source(endpoint.AioEndpoint._sleep), _explain(
            "aiobotocore", "AioEndpoint._sleep no longer sleeps with asyncio.sleep")


# -- waitress -------------------------------------------------------------------------------------
def test_waitress_classes_the_server_subclasses() -> None:
    pytest.importorskip("waitress")
    from waitress.adjustments import Adjustments
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser

    from appfabric_mock.wsgi_server import check_waitress

    check_waitress()
    parser = HTTPRequestParser(Adjustments())
    for name in ("version", "headers", "chunked", "error", "body_rcv", "content_length", "completed"):
        assert hasattr(parser, name), _explain("waitress", f"a request parser has no {name}")
    init = _source(HTTPChannel.__init__)
    for name in ("self.requests_lock", "self.requests", "self.request"):
        assert name in init, _explain("waitress", f"HTTPChannel no longer sets {name}")


# -- moto -----------------------------------------------------------------------------------------
def test_moto_switches_its_botocore_stubber_on_while_mock_aws_is_active() -> None:
    moto = pytest.importorskip("moto")
    from moto.core import models

    stubber = getattr(models, "botocore_stubber", None)
    assert stubber is not None and hasattr(stubber, "enabled"), _explain(
        "moto", "moto.core.models.botocore_stubber.enabled is gone")
    from appfabric_mock.delivery.sinks import moto_active

    assert not moto_active()
    with moto.mock_aws():
        assert moto_active()


# -- the mock fails at once when a reliance breaks ------------------------------------------------
def test_a_reshaped_do_get_response_fails_the_start_naming_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    def _do_get_response(self: Any, request: Any) -> Any:  # a botocore that took other parameters
        raise AssertionError("never called")

    monkeypatch.setattr(botocore.endpoint.Endpoint, "_do_get_response", _do_get_response)
    handle = mock_appfabric()
    with pytest.raises(IncompatibleLibrary, match=r"Endpoint\._do_get_response of botocore, and botocore \d"):
        handle.start()
    assert not handle.active
    monkeypatch.undo()
    with mock_appfabric():  # and the next start, on a botocore that fits again, works
        assert make_bundle(appfabric_client()).startswith("arn:aws:appfabric:")


def test_a_missing_emitter_fails_the_call_naming_botocore() -> None:
    from appfabric_mock.intercept import event_emitter

    with pytest.raises(IncompatibleLibrary, match="_event_emitter of botocore"):
        event_emitter(types.SimpleNamespace(), "botocore")


def test_a_moto_without_its_flag_fails_naming_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    from appfabric_mock.delivery.sinks import moto_active

    monkeypatch.setitem(sys.modules, "moto.core.models", types.ModuleType("moto.core.models"))
    with pytest.raises(IncompatibleLibrary, match="botocore_stubber of moto"):
        moto_active()


def test_a_waitress_without_a_seam_fails_naming_waitress(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("waitress")
    from waitress.server import BaseWSGIServer

    from appfabric_mock.wsgi_server import check_waitress

    monkeypatch.delattr(BaseWSGIServer, "maintenance")
    with pytest.raises(IncompatibleLibrary, match="maintenance of waitress, and waitress"):
        check_waitress()
