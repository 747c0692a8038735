"""Set-up shared by the test suite: clients, resources, error inspection, raw HTTP.

Everything here is plain functions; each takes a boto3 ``appfabric`` client (or a
:class:`~appfabric_mock.state.MockState`) and returns what AppFabric returned.

* :func:`appfabric_client`: a boto3 client (region ``us-east-1`` unless told) from boto3's default
  session; in worker threads build clients from a ``boto3.session.Session()`` of their own instead.
  (It shares its name with the plugin's ``appfabric_client`` fixture; a test parameter of that
  name is the fixture.)
* :func:`make_bundle`: an app bundle; returns its ARN.
* :func:`make_authorization`: an app authorization; returns the ``appAuthorization`` dict.
* :func:`connect`: connect an authorization (with an ``authRequest`` for oauth2); returns its summary.
* :func:`connected_authorization`: create and connect one (what CreateIngestion needs).
* :func:`auth_type_of`: the ``authType`` an application connects with.
* :func:`poll_tasks`: BatchGetUserAccessTasks until no task is ``IN_PROGRESS``.
* :func:`make_ingestion`, :func:`make_destination`: an ingestion and an S3 destination; return the dicts.
* :func:`error_of`: ``(code, status, response)`` of a ``ClientError`` caught by ``pytest.raises``.
* :func:`raw_call`: one raw HTTP request through :func:`appfabric_mock.dispatch.dispatch`.
* :func:`record_raw_bodies`: collect the raw response bodies a client receives.
* ``NO_RETRIES`` / ``NO_CLIENT_VALIDATION``: client configs with a single attempt (no retry sleeps),
  the second also without botocore's parameter validation.
* ``*_ARN_PATTERN``, ``UUID_PATTERN``, ``CONSOLE_REDIRECT``: what ARNs and authUrls look like.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union
from urllib.parse import quote

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from appfabric_mock.backend.apps import KNOWN_APPS
from appfabric_mock.dispatch import Response, dispatch
from appfabric_mock.state import MockState

REGION = "us-east-1"
ACCOUNT = "123456789012"
HOST = f"appfabric.{REGION}.amazonaws.com"

UUID_PATTERN = r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"
BUNDLE_ARN_PATTERN = rf"^arn:aws:appfabric:{REGION}:{ACCOUNT}:appbundle/{UUID_PATTERN}$"
AUTHORIZATION_ARN_PATTERN = (
    rf"^arn:aws:appfabric:{REGION}:{ACCOUNT}:appbundle/{UUID_PATTERN}/appauthorization/{UUID_PATTERN}$"
)
CONSOLE_REDIRECT = f"https://{REGION}.console.aws.amazon.com/appfabric/oauth2"
#: A well-formed identifier of no resource.
MISSING = "00000000-0000-4000-8000-000000000000"

#: One attempt, no retry: botocore's retries of 5xx/429 would sleep (``max_attempts`` counts retries,
#: ``total_max_attempts`` counts attempts).
NO_RETRIES = Config(retries={"total_max_attempts": 1})
#: Also turns off botocore's own input validation, so the mock's validation is what answers.
NO_CLIENT_VALIDATION = Config(parameter_validation=False, retries={"total_max_attempts": 1})


def appfabric_client(region: str = REGION, config: Optional[Config] = None, **kwargs: Any) -> Any:
    """A boto3 AppFabric client; call it while a mock is active."""
    return boto3.client("appfabric", region_name=region, config=config, **kwargs)


def make_bundle(client: Any, **kwargs: Any) -> str:
    """Create an app bundle (``kwargs`` go to CreateAppBundle) and return its ARN."""
    return str(client.create_app_bundle(**kwargs)["appBundle"]["arn"])


def credential_for(
    auth_type: str, *, client_id: str = "client-id", secret: str = "client-secret", api_key: str = "api-key"
) -> Dict[str, Any]:
    """The ``credential`` union member that matches ``auth_type``."""
    if auth_type == "oauth2":
        return {"oauth2Credential": {"clientId": client_id, "clientSecret": secret}}
    return {"apiKeyCredential": {"apiKey": api_key}}


def make_authorization(
    client: Any,
    bundle: str,
    *,
    app: str = "TERRAFORMCLOUD",
    tenant: str = "tenant-1",
    tenant_name: Optional[str] = None,
    auth_type: Optional[str] = None,
    credential: Optional[Dict[str, Any]] = None,
    **kwargs: Any,
) -> Dict[str, Any]:
    """Create an app authorization in ``bundle`` (ARN or id); return the ``appAuthorization`` dict.

    ``auth_type`` defaults to the one ``app`` connects with (``apiKey`` for an app the mock
    does not know); the credential to one that matches it; ``kwargs`` go to
    CreateAppAuthorization (``clientToken``, ``tags``).
    """
    if auth_type is None:
        auth_type = auth_type_of(app)
    response = client.create_app_authorization(
        appBundleIdentifier=bundle,
        app=app,
        credential=credential if credential is not None else credential_for(auth_type),
        tenant={"tenantIdentifier": tenant, "tenantDisplayName": tenant_name or f"Tenant {tenant}"},
        authType=auth_type,
        **kwargs,
    )
    return dict(response["appAuthorization"])


def auth_type_of(app: str) -> str:
    """The ``authType`` the API accepts for ``app`` (``apiKey`` for an app the mock does not know)."""
    known = KNOWN_APPS.get(app)
    return known.auth_type if known is not None and known.auth_type else "apiKey"


def connected_authorization(client: Any, bundle: str, **kwargs: Any) -> Dict[str, Any]:
    """:func:`make_authorization` (same arguments), then :func:`connect`; return the authorization as created."""
    created = make_authorization(client, bundle, **kwargs)
    connect(client, created)
    return created


def connect(client: Any, authorization: Mapping[str, Any], *, code: str = "oauth-code") -> Dict[str, Any]:
    """Connect an authorization (dict as returned by create/get); return the ``appAuthorizationSummary``."""
    kwargs: Dict[str, Any] = {}
    if authorization.get("authType") == "oauth2":
        kwargs["authRequest"] = {"redirectUri": CONSOLE_REDIRECT, "code": code}
    response = client.connect_app_authorization(
        appBundleIdentifier=authorization["appBundleArn"],
        appAuthorizationIdentifier=authorization["appAuthorizationArn"],
        **kwargs,
    )
    return dict(response["appAuthorizationSummary"])


def make_ingestion(client: Any, bundle: str, *, app: str = "TERRAFORMCLOUD", tenant: str = "tenant-1",
                   **kwargs: Any) -> Dict[str, Any]:
    """Create an auditLog ingestion (needs a Connected authorization for ``app`` and ``tenant``); return the dict."""
    response = client.create_ingestion(
        appBundleIdentifier=bundle, app=app, tenantId=tenant, ingestionType="auditLog", **kwargs
    )
    return dict(response["ingestion"])


def make_destination(client: Any, ingestion: Mapping[str, Any], *, bucket: str = "audit-bucket",
                     **kwargs: Any) -> Dict[str, Any]:
    """Create an S3 destination (ocsf/json) for ``ingestion`` (dict); return the ``ingestionDestination``."""
    response = client.create_ingestion_destination(
        appBundleIdentifier=ingestion["appBundleArn"],
        ingestionIdentifier=ingestion["arn"],
        processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": bucket}}}},
        **kwargs,
    )
    return dict(response["ingestionDestination"])


def poll_tasks(client: Any, bundle: str, task_ids: List[str], *, attempts: int = 5) -> List[Dict[str, Any]]:
    """Read user access tasks until none is ``IN_PROGRESS`` (as code against AWS must); return the results."""
    for _ in range(attempts):
        results = client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=task_ids)
        items = list(results["userAccessResultsList"])
        if all(item["resultStatus"] != "IN_PROGRESS" for item in items):
            return items
    raise AssertionError(f"user access tasks still in progress after {attempts} reads: {items}")


def resource_id(arn: str) -> str:
    """The trailing UUID of an AppFabric ARN."""
    return arn.rsplit("/", 1)[-1]


def new_token() -> str:
    """A fresh client token (a lowercase UUID, as the model requires)."""
    return str(uuid.uuid4())


def error_of(excinfo: "pytest.ExceptionInfo[ClientError]") -> Tuple[str, int, Dict[str, Any]]:
    """``(error code, HTTP status, whole response)`` of a caught ``ClientError``."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        dict(response),
    )


def field_names(response: Mapping[str, Any]) -> List[str]:
    """The ``name`` of each entry of a ValidationException's ``fieldList``."""
    return [entry["name"] for entry in response.get("fieldList") or ()]


# -- raw HTTP -----------------------------------------------------------------------------------
def label(identifier: str) -> str:
    """A URI label encoded as botocore sends it (``:`` and ``/`` percent-encoded)."""
    return quote(identifier, safe="")


def raw_call(
    state: MockState,
    method: str,
    path: str,
    body: Union[Mapping[str, Any], bytes, str, None] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> Tuple[Response, Any]:
    """Send one request to ``dispatch``; return the response and its decoded JSON body (None if empty).

    ``path`` is raw (encode labels with :func:`label`); a mapping ``body`` is sent as JSON.
    """
    sent_headers = {"Host": HOST, "Content-Type": "application/json"}
    sent_headers.update(headers or {})
    data: Union[bytes, str, None]
    if isinstance(body, Mapping):
        data = json.dumps(body).encode()
    else:
        data = body
    response = dispatch(state, method, f"https://{HOST}{path}", sent_headers, data)
    decoded = json.loads(response.body) if response.body else None
    return response, decoded


def record_raw_bodies(client: Any) -> List[bytes]:
    """Start collecting the raw body of every response ``client`` receives; return the (live) list.

    botocore emits ``after-call`` for error responses too, before it raises.
    """
    bodies: List[bytes] = []

    def on_after_call(http_response: Any, **_: Any) -> None:
        bodies.append(http_response.content)

    client.meta.events.register("after-call.appfabric", on_after_call)
    return bodies


#: Where botocore finds credentials besides its config files.
CREDENTIAL_ENV_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                        "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE")


def without_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A CI machine with no AWS credentials at all: none in the environment, no config files, no
    instance metadata service (the region settings are left alone)."""
    for name in CREDENTIAL_ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


# -- other processes ----------------------------------------------------------------------------
def isolated_aws_env(home: Path, access_key: str, secret_key: str, **extra: str) -> Dict[str, str]:
    """This process's environment for a child that talks to a local server as an AWS client.

    Fake credentials, and none of the user's own AWS configuration, proxies or
    instance metadata service: the child reaches only what the test points it at.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update({
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "NO_PROXY": "127.0.0.1,localhost",
    })
    env.update(extra)
    return env


def seams_patched() -> bool:
    """Whether the mock's botocore seams (``Endpoint._do_get_response``, ``RequestSigner.sign``) are patched now."""
    from botocore.endpoint import Endpoint
    from botocore.signers import RequestSigner

    return any(getattr(function, "__module__", None) == "appfabric_mock.intercept"
               for function in (Endpoint.__dict__["_do_get_response"], RequestSigner.__dict__["sign"]))
