"""aiobotocore and aioboto3 clients answered in-process, by the same mock as boto3 clients."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from typing import Any, Awaitable, Dict, List

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from helpers import CONSOLE_REDIRECT, MISSING, NO_RETRIES, without_aws_credentials

from appfabric_mock import current_mock, mock_appfabric, no_retry_sleep

aiobotocore_session = pytest.importorskip("aiobotocore.session")
import aiobotocore.endpoint  # noqa: E402
import aiobotocore.signers  # noqa: E402

ORIGINAL_AIO_DO_GET_RESPONSE = aiobotocore.endpoint.AioEndpoint.__dict__["_do_get_response"]
ORIGINAL_AIO_SIGN = aiobotocore.signers.AioRequestSigner.__dict__["sign"]
ORIGINAL_ASYNCIO = aiobotocore.endpoint.asyncio


@pytest.fixture(autouse=True)
def _aiobotocore_untouched_around_each_test() -> Any:
    yield
    assert aiobotocore.endpoint.AioEndpoint.__dict__["_do_get_response"] is ORIGINAL_AIO_DO_GET_RESPONSE
    assert aiobotocore.signers.AioRequestSigner.__dict__["sign"] is ORIGINAL_AIO_SIGN
    assert aiobotocore.endpoint.asyncio is ORIGINAL_ASYNCIO
    assert current_mock() is None


def run(coroutine: Awaitable[Any]) -> Any:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def aio_client(region: str = "us-east-1", **kwargs: Any) -> Any:
    """An aiobotocore client context (``async with``)."""
    return aiobotocore_session.get_session().create_client("appfabric", region_name=region, **kwargs)


async def whole_workflow(client: Any) -> Dict[str, Any]:
    """Every step of an AppFabric set-up, through one async client; returns what the test checks."""
    seen: Dict[str, Any] = {}
    bundle = (await client.create_app_bundle(tags=[{"key": "team", "value": "audit"}]))["appBundle"]["arn"]
    oauth = (await client.create_app_authorization(
        appBundleIdentifier=bundle, app="SLACK", authType="oauth2",
        credential={"oauth2Credential": {"clientId": "client-id", "clientSecret": "client-secret"}},
        tenant={"tenantIdentifier": "slack-tenant", "tenantDisplayName": "Slack"}))["appAuthorization"]
    api_key = (await client.create_app_authorization(
        appBundleIdentifier=bundle, app="TERRAFORMCLOUD", authType="apiKey",
        credential={"apiKeyCredential": {"apiKey": "the-api-key"}},
        tenant={"tenantIdentifier": "tf-tenant", "tenantDisplayName": "Terraform"}))["appAuthorization"]
    seen["oauth_created"] = oauth["status"]
    connected = (await client.connect_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=oauth["appAuthorizationArn"],
        authRequest={"redirectUri": CONSOLE_REDIRECT, "code": "oauth-code"}))["appAuthorizationSummary"]
    seen["oauth_connected"] = connected["status"]
    if api_key["status"] != "Connected":
        await client.connect_app_authorization(
            appBundleIdentifier=bundle, appAuthorizationIdentifier=api_key["appAuthorizationArn"])
    updated = (await client.update_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=oauth["appAuthorizationArn"],
        credential={"oauth2Credential": {"clientId": "client-id", "clientSecret": "rotated-secret"}},
    ))["appAuthorization"]
    seen["oauth_updated"] = updated["status"]
    # Connected again before the ingestion (CreateIngestion needs a connected authorization).
    await client.connect_app_authorization(
        appBundleIdentifier=bundle, appAuthorizationIdentifier=oauth["appAuthorizationArn"],
        authRequest={"redirectUri": CONSOLE_REDIRECT, "code": "second-code"})
    ingestion = (await client.create_ingestion(
        appBundleIdentifier=bundle, app="SLACK", tenantId="slack-tenant", ingestionType="auditLog"))["ingestion"]
    ids = {"appBundleIdentifier": bundle, "ingestionIdentifier": ingestion["arn"]}
    destination = (await client.create_ingestion_destination(
        processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
        destinationConfiguration={"auditLog": {"destination": {"s3Bucket": {"bucketName": "audit-logs"}}}},
        **ids))["ingestionDestination"]
    await client.start_ingestion(**ids)
    seen["ingestion_state"] = (await client.get_ingestion(**ids))["ingestion"]["state"]
    tasks = (await client.start_user_access_tasks(appBundleIdentifier=bundle, email="user@example.com"))
    task_ids = [task["taskId"] for task in tasks["userAccessTasksList"] if "taskId" in task]
    statuses: List[str] = []
    for _ in range(20):  # tasks may finish on a later read: poll, without sleeping
        results = (await client.batch_get_user_access_tasks(
            appBundleIdentifier=bundle, taskIdList=task_ids))["userAccessResultsList"]
        statuses = [result.get("resultStatus", "") for result in results]
        if all(status != "IN_PROGRESS" for status in statuses):
            break
    seen["task_statuses"] = statuses
    await client.tag_resource(resourceArn=bundle, tags=[{"key": "stage", "value": "test"}])
    await client.untag_resource(resourceArn=bundle, tagKeys=["team"])
    seen["tags"] = (await client.list_tags_for_resource(resourceArn=bundle))["tags"]
    paginator = client.get_paginator("list_app_authorizations")
    seen["paginated"] = sorted([s["app"] async for page in paginator.paginate(appBundleIdentifier=bundle,
                                                                             PaginationConfig={"PageSize": 1})
                                for s in page["appAuthorizationSummaryList"]])
    with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
        await client.get_app_bundle(appBundleIdentifier=MISSING)
    seen["missing"] = missing.value.response
    # Deletion, in the order AWS accepts it.
    await client.stop_ingestion(**ids)
    await client.delete_ingestion_destination(ingestionDestinationIdentifier=destination["arn"], **ids)
    await client.delete_ingestion(**ids)
    for authorization in (oauth, api_key):
        await client.delete_app_authorization(
            appBundleIdentifier=bundle, appAuthorizationIdentifier=authorization["appAuthorizationArn"])
    await client.delete_app_bundle(appBundleIdentifier=bundle)
    seen["bundles_after"] = (await client.list_app_bundles())["appBundleSummaryList"]
    return seen


def _check_workflow(seen: Dict[str, Any], calls: Any) -> None:
    assert seen["oauth_created"] == "PendingConnect"
    assert seen["oauth_connected"] == "Connected"
    assert seen["oauth_updated"] == "PendingConnect"
    assert seen["ingestion_state"] == "enabled"
    assert seen["task_statuses"] and all(status == "COMPLETED" for status in seen["task_statuses"])
    assert seen["tags"] == [{"key": "stage", "value": "test"}]
    assert seen["paginated"] == ["SLACK", "TERRAFORMCLOUD"]
    assert seen["missing"]["Error"]["Code"] == "ResourceNotFoundException"
    assert seen["missing"]["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert seen["missing"]["resourceId"] == MISSING  # a modelled member, as from AWS
    assert seen["bundles_after"] == []
    assert {call.operation for call in calls} == {
        "CreateAppBundle", "CreateAppAuthorization", "ConnectAppAuthorization", "UpdateAppAuthorization",
        "CreateIngestion", "CreateIngestionDestination", "StartIngestion", "GetIngestion", "StartUserAccessTasks",
        "BatchGetUserAccessTasks", "TagResource", "UntagResource", "ListTagsForResource", "ListAppAuthorizations",
        "GetAppBundle", "StopIngestion", "DeleteIngestionDestination", "DeleteIngestion", "DeleteAppAuthorization",
        "DeleteAppBundle", "ListAppBundles"}
    assert all(call.access_key_id for call in calls)


def test_whole_workflow_through_aiobotocore() -> None:
    async def main() -> Any:
        with mock_appfabric() as m:
            async with aio_client() as client:
                return await whole_workflow(client), m

    seen, m = run(main())
    _check_workflow(seen, m.calls)


def test_whole_workflow_through_aioboto3() -> None:
    aioboto3 = pytest.importorskip("aioboto3")

    async def main() -> Any:
        async with mock_appfabric() as m, aioboto3.Session().client("appfabric", region_name="eu-west-1") as client:
            return await whole_workflow(client), m

    seen, m = run(main())
    _check_workflow(seen, m.calls)
    assert {call.region for call in m.calls} == {"eu-west-1"}


def test_decorated_coroutine_and_an_aiobotocore_client_created_before_the_mock() -> None:
    @mock_appfabric
    async def create(client: Any) -> str:
        return str((await client.create_app_bundle())["appBundle"]["arn"])

    async def main() -> List[str]:
        async with aio_client(aws_access_key_id="AKIAEARLY00000000000", aws_secret_access_key="early") as early:
            first = await create(early)
            second = await create(early)  # a fresh mock each call
            with pytest.raises(Exception) as outside:  # noqa: B017  # no mock: nothing answers (no network here)
                await early.list_app_bundles()
            return [first, second, type(outside.value).__name__]

    first, second, error = run(main())
    assert first != second and first.startswith("arn:aws:appfabric:us-east-1:123456789012:appbundle/")
    assert error in {"AppFabricMockEscapeError", "EndpointConnectionError"}


def test_sync_and_async_clients_share_one_mock() -> None:
    async def main() -> None:
        with mock_appfabric(accounts={"AKIASHARED0000000000": "111111111111"}) as m:
            sync = boto3.session.Session().client(
                "appfabric", region_name="us-east-1", config=NO_RETRIES,
                aws_access_key_id="AKIASHARED0000000000", aws_secret_access_key="x")
            async with aio_client(config=Config(retries={"total_max_attempts": 1}),
                                  aws_access_key_id="AKIASHARED0000000000", aws_secret_access_key="x") as client:
                made_sync = sync.create_app_bundle()["appBundle"]["arn"]
                assert made_sync.split(":")[4] == "111111111111"  # the accounts option, for both
                listed = (await client.list_app_bundles())["appBundleSummaryList"]
                assert listed == [{"arn": made_sync}]
                # The same quota (one bundle per account and region), the same faults and denials.
                with pytest.raises(client.exceptions.ServiceQuotaExceededException):
                    await client.create_app_bundle()
                m.inject_fault("GetAppBundle", "InternalServerException", times=1)
                with pytest.raises(ClientError) as fault:
                    await client.get_app_bundle(appBundleIdentifier=made_sync)
                assert fault.value.response["Error"]["Code"] == "InternalServerException"
                assert sync.get_app_bundle(appBundleIdentifier=made_sync)["appBundle"]["arn"] == made_sync
                m.deny("appfabric:ListAppBundles")
                with pytest.raises(client.exceptions.AccessDeniedException):
                    await client.list_app_bundles()
                with pytest.raises(sync.exceptions.AccessDeniedException):
                    sync.list_app_bundles()
                m.allow("appfabric:ListAppBundles")
                # The same clock.
                m.clock.set("2030-01-02T03:04:05Z")
                async with aio_client(region="eu-west-1") as other_region:
                    created = (await other_region.create_app_bundle())["appBundle"]["arn"]
                    assert ":eu-west-1:123456789012:" in created  # default account, its own region
                auth = sync.create_app_authorization(
                    appBundleIdentifier=made_sync, app="TERRAFORMCLOUD", authType="apiKey",
                    credential={"apiKeyCredential": {"apiKey": "k"}},
                    tenant={"tenantIdentifier": "t", "tenantDisplayName": "T"})["appAuthorization"]
                got = (await client.get_app_authorization(
                    appBundleIdentifier=made_sync,
                    appAuthorizationIdentifier=auth["appAuthorizationArn"]))["appAuthorization"]
                assert got["createdAt"].year == 2030 and got["createdAt"] == auth["createdAt"]
            # One call log, in order, from both.
            operations = [call.operation for call in m.calls]
            assert operations[:2] == ["CreateAppBundle", "ListAppBundles"]
            assert operations.count("GetAppBundle") == 2 and "GetAppAuthorization" in operations

    run(main())


def test_clients_in_many_tasks_and_threads() -> None:
    async def in_tasks(count: int, thread: int) -> List[str]:
        async with aio_client() as client:
            bundle = (await client.list_app_bundles())["appBundleSummaryList"][0]["arn"]

            async def one(index: int) -> str:
                created = await client.create_app_authorization(
                    appBundleIdentifier=bundle, app="TERRAFORMCLOUD", authType="apiKey",
                    credential={"apiKeyCredential": {"apiKey": "k"}},
                    tenant={"tenantIdentifier": f"thread-{thread}-task-{index}", "tenantDisplayName": "T"})
                return str(created["appAuthorization"]["tenant"]["tenantIdentifier"])

            return list(await asyncio.gather(*(one(index) for index in range(count))))

    with mock_appfabric(quotas={"app_authorizations": None}) as m:
        boto3.client("appfabric", region_name="us-east-1").create_app_bundle()
        results: List[List[str]] = []
        threads = [threading.Thread(target=lambda n=n: results.append(run(in_tasks(10, n)))) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(len(r) for r in results) == [10, 10, 10]
        assert sum(1 for call in m.calls if call.operation == "CreateAppAuthorization") == 30


def test_an_async_client_without_credentials_created_before_the_mock(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    without_aws_credentials(monkeypatch, tmp_path)

    async def main() -> None:
        async with aio_client(config=Config(retries={"total_max_attempts": 1})) as client:
            with pytest.raises(NoCredentialsError):
                await client.list_app_bundles()
            with mock_appfabric() as m:
                await client.create_app_bundle()
                assert m.calls[-1].access_key_id == "AKIAAPPFABRICMOCK000"
            assert client._request_signer._credentials is None  # nothing was lent for good
            with pytest.raises(NoCredentialsError):
                await client.list_app_bundles()

    run(main())


def test_strict_regions_raise_as_aiobotocore_does_for_an_unreachable_endpoint() -> None:
    async def main() -> None:
        with mock_appfabric(strict_regions=True):
            async with aio_client(region="us-west-2", config=Config(retries={"total_max_attempts": 1})) as client:
                with pytest.raises(EndpointConnectionError):
                    await client.list_app_bundles()

    run(main())


# -- retries without sleeping -------------------------------------------------------------------


def test_an_injected_throttle_is_retried_at_once_with_the_delays_recorded() -> None:
    slept: List[float] = []
    real_sleep = asyncio.sleep

    async def spy(delay: float, *args: Any) -> Any:
        slept.append(delay)
        return await real_sleep(0)

    async def main() -> List[float]:
        with mock_appfabric() as m:
            async with aio_client(config=Config(retries={"mode": "standard", "max_attempts": 4})) as client:
                m.inject_fault("ListAppBundles", "ThrottlingException", times=2)
                with no_retry_sleep() as delays:
                    assert aiobotocore.endpoint.asyncio is not ORIGINAL_ASYNCIO
                    answer = await client.list_app_bundles()
                assert answer["ResponseMetadata"]["RetryAttempts"] == 2
                m.assert_called("ListAppBundles", times=3)
                return delays

    asyncio.sleep = spy  # type: ignore[assignment]  # would catch a sleep that the mock let through
    try:
        delays = run(main())
    finally:
        asyncio.sleep = real_sleep  # type: ignore[assignment]
    assert len(delays) == 2 and all(0 < delay <= 20 for delay in delays)
    assert [d for d in slept if d] == []  # no real delay: only zero-second suspensions


def test_no_retry_sleep_patches_aiobotocore_imported_inside_the_block() -> None:
    script = """
import asyncio, sys
from appfabric_mock import mock_appfabric, no_retry_sleep
from appfabric_mock.patching import waiting_for
assert "aiobotocore" not in sys.modules
with no_retry_sleep() as delays, mock_appfabric() as m:
    from aiobotocore.session import get_session  # imported lazily, inside both
    import aiobotocore.endpoint
    async def main():
        async with get_session().create_client("appfabric", region_name="us-east-1") as client:
            m.inject_fault("ListAppBundles", "ThrottlingException", times=1)
            return (await client.list_app_bundles())["appBundleSummaryList"]
    print(asyncio.run(main()), len(delays), type(aiobotocore.endpoint.asyncio).__name__)
print(aiobotocore.endpoint.asyncio is asyncio, waiting_for())
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["[] 1 _SleeplessAsyncio", "True []"]


def test_importing_the_package_imports_no_async_library() -> None:
    script = """
import sys
import appfabric_mock
from appfabric_mock import mock_appfabric
with mock_appfabric():
    pass
print(sorted(name for name in ("aiobotocore", "aiohttp", "httpx", "asyncio") if name in sys.modules))
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_aiobotocore_imported_while_a_mock_is_active_is_answered_and_restored_at_stop() -> None:
    script = """
import asyncio, sys
from appfabric_mock import mock_appfabric
with mock_appfabric():
    from aiobotocore.session import get_session
    from aiobotocore.endpoint import AioEndpoint
    patched = AioEndpoint.__dict__["_do_get_response"]
    async def main():
        async with get_session().create_client("appfabric", region_name="us-east-1") as client:
            return (await client.create_app_bundle())["appBundle"]["arn"][:37]
    print(asyncio.run(main()))
print(AioEndpoint.__dict__["_do_get_response"] is not patched, patched.__module__)
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["arn:aws:appfabric:us-east-1:123456789",
                                             "True appfabric_mock.aio_intercept"]

