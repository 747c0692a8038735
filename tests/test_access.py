"""Access control: AccessDeniedException (403) for chosen actions and callers, as an IAM deny would."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from helpers import NO_RETRIES, appfabric_client, error_of, make_authorization, make_bundle, resource_id

from appfabric_mock import AppFabricMock

ALICE, BOB = "AKIAALICE00000000000", "AKIABOB0000000000000"


def _client(key: str, **kwargs: Any) -> Any:
    return appfabric_client(config=NO_RETRIES, aws_access_key_id=key, aws_secret_access_key="not-a-real-secret",
                            **kwargs)


def _denied(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    code, status, response = error_of(caught)
    assert (code, status) == ("AccessDeniedException", 403)
    return str(response["Error"]["Message"])


def test_deny_one_action_for_every_caller(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    bundle = make_bundle(client)
    appfabric_mock.deny("appfabric:DeleteAppBundle")

    message = _denied(client.delete_app_bundle, appBundleIdentifier=bundle)

    assert message == (
        "User: arn:aws:iam::123456789012:user/appfabric-mock is not authorized to perform: "
        f"appfabric:DeleteAppBundle on resource: {bundle} with an explicit deny in an identity-based policy"
    )
    assert client.get_app_bundle(appBundleIdentifier=bundle)["appBundle"]["arn"] == bundle  # other actions work
    assert len(appfabric_mock.resources()) == 1  # nothing was deleted
    last = appfabric_mock.last_call
    assert last is not None and last.operation == "GetAppBundle"
    appfabric_mock.assert_called("DeleteAppBundle", times=1)
    assert appfabric_mock.calls_to("DeleteAppBundle")[0].error_code == "AccessDeniedException"


def test_the_message_names_the_resource_as_an_arn(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    bundle = make_bundle(client)
    auth = make_authorization(client, bundle)
    appfabric_mock.deny("appfabric:*")

    by_uuid = _denied(client.get_app_authorization, appBundleIdentifier=resource_id(bundle),
                      appAuthorizationIdentifier=resource_id(auth["appAuthorizationArn"]))
    assert f"on resource: {auth['appAuthorizationArn']} with" in by_uuid
    assert f"on resource: {bundle} with" in _denied(client.list_tags_for_resource, resourceArn=bundle)
    assert "on resource: * with" in _denied(client.list_app_bundles)
    # The bundle of StartUserAccessTasks is in the body, which is not read before authorization.
    assert "on resource: * with" in _denied(client.start_user_access_tasks, appBundleIdentifier=bundle,
                                            email="a@example.com")


def test_deny_for_some_access_keys_only(appfabric_mock: AppFabricMock) -> None:
    appfabric_mock.deny("appfabric:CreateAppBundle", access_key_ids=[ALICE])
    _denied(_client(ALICE).create_app_bundle)
    assert make_bundle(_client(BOB))
    with pytest.raises(TypeError, match="list of access key ids"):
        appfabric_mock.deny("appfabric:CreateAppBundle", access_key_ids=ALICE)


@pytest.mark.parametrize("pattern",
                         ["appfabric:*", "appfabric:Delete*", "APPFABRIC:delete*", "appfabric:DeleteApp?undle"])
def test_wildcards_and_case_insensitive_actions(appfabric_mock: AppFabricMock, pattern: str) -> None:
    client = appfabric_client(config=NO_RETRIES)
    bundle = make_bundle(client) if pattern != "appfabric:*" else None
    appfabric_mock.deny(pattern)
    if bundle is None:
        _denied(client.list_app_bundles)
        _denied(client.create_app_bundle)
    else:
        _denied(client.delete_app_bundle, appBundleIdentifier=bundle)
        assert client.list_app_bundles()["appBundleSummaryList"] == [{"arn": bundle}]


def test_the_last_matching_rule_decides(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=NO_RETRIES)
    appfabric_mock.deny("appfabric:*")
    appfabric_mock.allow("appfabric:List*")
    assert client.list_app_bundles()["appBundleSummaryList"] == []
    _denied(client.create_app_bundle)

    appfabric_mock.deny("appfabric:ListAppBundles", access_key_ids=[ALICE])
    _denied(_client(ALICE).list_app_bundles)
    assert _client(BOB).list_app_bundles()["appBundleSummaryList"] == []
    assert [(r.action, r.effect) for r in appfabric_mock.state.access.rules] == [  # type: ignore[union-attr]
        ("appfabric:*", "Deny"), ("appfabric:List*", "Allow"), ("appfabric:ListAppBundles", "Deny")]

    appfabric_mock.clear_denials()
    assert make_bundle(client)


def test_a_denied_caller_learns_nothing_about_its_request(appfabric_mock: AppFabricMock) -> None:
    client = appfabric_client(config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    appfabric_mock.deny("appfabric:GetAppBundle")
    # Invalid identifier: a denied caller still gets 403, not the ValidationException.
    _denied(client.get_app_bundle, appBundleIdentifier="not-valid")


@pytest.mark.parametrize(
    ("action", "match"),
    [("s3:GetObject", "not an AppFabric action"), ("DeleteAppBundle", "not an AppFabric action"),
     ("appfabric:DeleteAppBundel", "did you mean appfabric:DeleteAppBundle"), ("appfabric:Nothing*", "matches no")],
)
def test_actions_that_name_nothing_are_rejected(appfabric_mock: AppFabricMock, action: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        appfabric_mock.deny(action)
