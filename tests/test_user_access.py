"""User access tasks: StartUserAccessTasks and BatchGetUserAccessTasks, and keeping users private."""

from __future__ import annotations

import json
import logging
import re

import pytest

from appfabric_mock import mock_appfabric
from tests._workflow import (
    NO_VALIDATION,
    UUID,
    client,
    expect_error,
    expect_invalid,
    last_id,
    new_authorization,
    new_bundle,
    new_token,
)
from tests.helpers import make_authorization, poll_tasks

EMAIL = "jane.doe@example.com"
FIRST, LAST = "Janet", "Doevansky"
MISSING_BUNDLE = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def bundle(appfabric_mock, appfabric_client):
    """A bundle with a connected TERRAFORMCLOUD/tenant-1 authorization where Jane is registered."""
    arn = new_bundle(appfabric_client)
    new_authorization(appfabric_client, arn)
    appfabric_mock.add_app_user(app="TERRAFORMCLOUD", tenant_id="tenant-1", email=EMAIL, user_id="u-123",
                                first_name=FIRST, last_name=LAST, status="Active")
    return arn


def _start(api, bundle, email=EMAIL):
    return api.start_user_access_tasks(appBundleIdentifier=bundle, email=email)


def _read(api, bundle, task_ids):
    """One BatchGetUserAccessTasks: the results as they are now."""
    return api.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=task_ids)[
        "userAccessResultsList"
    ]


def _results(api, bundle, task_ids):
    """The results once no task is in progress (polled, as code against AWS must)."""
    return poll_tasks(api, bundle, task_ids)


# -- StartUserAccessTasks ------------------------------------------------------------------------------------
def test_start_makes_one_item_per_authorization_201(appfabric_mock, appfabric_client, bundle):
    pending = new_authorization(appfabric_client, bundle, app="OKTA", tenant="okta-1", connect=False)
    failed = new_authorization(appfabric_client, bundle, app="SLACK", tenant="ws")
    rotation = new_authorization(appfabric_client, bundle, app="ZOOM", tenant="acct")
    appfabric_mock.set_authorization_status(failed["appAuthorizationArn"], "ConnectionValidationFailed")
    appfabric_mock.set_authorization_status(rotation["appAuthorizationArn"], "TokenAutoRotationFailed")
    assert pending["status"] == "PendingConnect"

    response = _start(appfabric_client, bundle)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    items = response["userAccessTasksList"]
    assert [(i["app"], i["tenantId"]) for i in items] == [
        ("TERRAFORMCLOUD", "tenant-1"), ("OKTA", "okta-1"), ("SLACK", "ws"), ("ZOOM", "acct")
    ]
    connected, *others = items
    assert re.fullmatch(UUID, connected["taskId"])
    assert "error" not in connected
    for item in others:
        assert "taskId" not in item
        assert set(item["error"]) == {"errorCode", "errorMessage"}
    assert [i["error"]["errorCode"] for i in others] == [
        "InvalidAppAuthorization", "InvalidAppAuthorization", "UnableToRotateToken"
    ]
    assert "PendingConnect" in others[0]["error"]["errorMessage"]


def test_each_start_makes_new_tasks(appfabric_client, bundle):
    first = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    second = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    assert first != second


def test_start_in_a_bundle_without_authorizations_is_empty(appfabric_client):
    assert _start(appfabric_client, new_bundle(appfabric_client))["userAccessTasksList"] == []


def test_start_with_bundle_uuid(appfabric_client, bundle):
    assert len(_start(appfabric_client, last_id(bundle))["userAccessTasksList"]) == 1


def test_start_unknown_bundle_is_404(appfabric_client):
    response = expect_error("ResourceNotFoundException", 404, _start, appfabric_client, MISSING_BUNDLE)
    assert (response["resourceType"], response["resourceId"]) == ("AppBundle", MISSING_BUNDLE)


@pytest.mark.parametrize("email", ["not-an-email", "", "@example.com", "a" * 310 + "@example.com"],
                         ids=["no-at", "empty", "no-local-part", "321-chars"])
def test_start_email_is_validated_server_side(appfabric_mock, email):
    api = client(NO_VALIDATION)
    bundle = new_bundle(api)
    response = expect_invalid(["email"], _start, api, bundle, email)
    # The address is sensitive: never echoed.
    if email:
        assert email not in json.dumps(response, default=str)


def test_start_without_email_is_invalid(appfabric_mock):
    api = client(NO_VALIDATION)
    expect_invalid(["email"], api.start_user_access_tasks, appBundleIdentifier=new_bundle(api))


# -- BatchGetUserAccessTasks ----------------------------------------------------------------------------------
def test_batch_get_reports_a_registered_user(appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    _read(appfabric_client, bundle, [task_id])  # in progress
    response = appfabric_client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=[task_id])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["userAccessResultsList"] == [
        {
            "app": "TERRAFORMCLOUD",
            "tenantId": "tenant-1",
            "tenantDisplayName": "Tenant tenant-1",
            "taskId": task_id,
            "resultStatus": "COMPLETED",
            "email": EMAIL,
            "userId": "u-123",
            "userFullName": f"{FIRST} {LAST}",
            "userFirstName": FIRST,
            "userLastName": LAST,
            "userStatus": "Active",
        }
    ]


def test_email_matches_without_regard_to_case(appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle, email=EMAIL.upper())["userAccessTasksList"][0]["taskId"]
    [result] = _results(appfabric_client, bundle, [task_id])
    assert (result["resultStatus"], result["userId"]) == ("COMPLETED", "u-123")
    assert result["email"] == EMAIL.upper()  # the address as asked


def test_a_user_with_partial_details(appfabric_mock, appfabric_client, bundle):
    appfabric_mock.add_app_user(app="TERRAFORMCLOUD", tenant_id="tenant-1", email="x@example.com",
                                first_name="Solo", status="Suspended")
    task_id = _start(appfabric_client, bundle, "x@example.com")["userAccessTasksList"][0]["taskId"]
    [result] = _results(appfabric_client, bundle, [task_id])
    assert (result["userFullName"], result["userFirstName"], result["userStatus"]) == ("Solo", "Solo", "Suspended")
    assert "userId" not in result and "userLastName" not in result and "taskError" not in result


def test_unregistered_user_is_completed_with_user_not_found(appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle, "nobody@example.com")["userAccessTasksList"][0]["taskId"]
    [result] = _results(appfabric_client, bundle, [task_id])
    assert result["resultStatus"] == "COMPLETED"
    assert result["taskError"]["errorCode"] == "UserNotFound"
    assert result["taskError"]["errorMessage"]
    assert not {"userId", "userFullName", "userFirstName", "userLastName", "userStatus"} & set(result)
    assert (result["app"], result["tenantId"], result["taskId"]) == ("TERRAFORMCLOUD", "tenant-1", task_id)


def test_users_are_found_per_app_and_tenant(appfabric_mock, appfabric_client, bundle):
    new_authorization(appfabric_client, bundle, tenant="tenant-2")
    new_authorization(appfabric_client, bundle, app="OKTA", tenant="tenant-1")
    task_ids = [i["taskId"] for i in _start(appfabric_client, bundle)["userAccessTasksList"]]
    results = _results(appfabric_client, bundle, task_ids)
    assert [(r["app"], r["tenantId"]) for r in results] == [
        ("TERRAFORMCLOUD", "tenant-1"), ("TERRAFORMCLOUD", "tenant-2"), ("OKTA", "tenant-1")
    ]
    assert [r.get("userId") for r in results] == ["u-123", None, None]
    assert [r.get("taskError", {}).get("errorCode") for r in results] == [None, "UserNotFound", "UserNotFound"]


def test_a_task_looks_the_user_up_when_it_completes(appfabric_mock, appfabric_client, bundle):
    # Registered while the task runs: found.  Registered after it completed: a new task is needed.
    task_id = _start(appfabric_client, bundle, "late@example.com")["userAccessTasksList"][0]["taskId"]
    assert _read(appfabric_client, bundle, [task_id])[0]["resultStatus"] == "IN_PROGRESS"
    appfabric_mock.add_app_user(app="TERRAFORMCLOUD", tenant_id="tenant-1", email="late@example.com", user_id="u-9")
    assert _results(appfabric_client, bundle, [task_id])[0]["userId"] == "u-9"
    done = _results(appfabric_client, bundle, [_start(appfabric_client, bundle, "later@example.com")[
        "userAccessTasksList"][0]["taskId"]])[0]
    appfabric_mock.add_app_user(app="TERRAFORMCLOUD", tenant_id="tenant-1", email="later@example.com", user_id="u-8")
    assert _read(appfabric_client, bundle, [done["taskId"]])[0]["taskError"]["errorCode"] == "UserNotFound"


# -- tasks take time --------------------------------------------------------------------------------------------
def test_a_new_task_is_in_progress_and_completes_on_a_later_read(appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    first = _read(appfabric_client, bundle, [task_id])
    # In progress: no user details and no error yet, whatever the task will find.
    assert first == [{"app": "TERRAFORMCLOUD", "tenantId": "tenant-1", "tenantDisplayName": "Tenant tenant-1",
                      "taskId": task_id, "resultStatus": "IN_PROGRESS", "email": EMAIL}]
    second = _read(appfabric_client, bundle, [task_id])[0]
    assert (second["resultStatus"], second["userId"]) == ("COMPLETED", "u-123")
    assert _read(appfabric_client, bundle, [task_id]) == [second]  # and stays so


def test_code_that_reads_once_without_polling_sees_in_progress(appfabric_client, bundle):
    # What the check guards against: code that takes the first answer as final fails here, as on AWS.
    task_ids = [_start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"] for _ in range(3)]
    assert {r["resultStatus"] for r in _read(appfabric_client, bundle, task_ids)} == {"IN_PROGRESS"}


@pytest.mark.appfabric_mock(user_access_task_reads=3)
def test_how_many_reads_see_in_progress_is_an_option(appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    statuses = [_read(appfabric_client, bundle, [task_id])[0]["resultStatus"] for _ in range(4)]
    assert statuses == ["IN_PROGRESS"] * 3 + ["COMPLETED"]


@pytest.mark.appfabric_mock(user_access_task_reads=0)
def test_zero_reads_completes_on_the_first_read(appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    assert _read(appfabric_client, bundle, [task_id])[0]["resultStatus"] == "COMPLETED"


@pytest.mark.appfabric_mock(now="2024-05-01T12:00:00Z")
def test_a_task_completes_unread_once_the_clock_moves(appfabric_mock, appfabric_client, bundle):
    early, late = (_start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"] for _ in range(2))
    appfabric_mock.clock.advance(59)
    assert _read(appfabric_client, bundle, [late])[0]["resultStatus"] == "IN_PROGRESS"
    appfabric_mock.clock.advance(1)
    # 60 seconds after its start the task is done, even for its first read.
    assert _read(appfabric_client, bundle, [early])[0]["resultStatus"] == "COMPLETED"


@pytest.mark.appfabric_mock(now="2024-05-01T12:00:00Z", user_access_task_seconds=None, user_access_task_reads=5)
def test_without_task_seconds_only_reads_complete_a_task(appfabric_mock, appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    appfabric_mock.clock.advance(hours=2)
    assert _read(appfabric_client, bundle, [task_id])[0]["resultStatus"] == "IN_PROGRESS"


@pytest.mark.appfabric_mock(now="2024-05-01T12:00:00Z")
def test_a_task_expires_a_day_after_its_start(appfabric_mock, appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    assert _results(appfabric_client, bundle, [task_id])[0]["resultStatus"] == "COMPLETED"
    appfabric_mock.clock.advance(hours=24, seconds=-1)
    assert _read(appfabric_client, bundle, [task_id])[0]["resultStatus"] == "COMPLETED"
    appfabric_mock.clock.advance(1)
    [expired] = _read(appfabric_client, bundle, [task_id])
    assert expired["resultStatus"] == "EXPIRED"
    assert not {"userId", "userFirstName", "taskError"} & set(expired)  # the result is gone


@pytest.mark.appfabric_mock(now="2024-05-01T12:00:00Z", user_access_task_lifetime=300)
def test_the_lifetime_is_an_option_and_applies_to_unread_tasks(appfabric_mock, appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    appfabric_mock.clock.advance(300)
    assert _read(appfabric_client, bundle, [task_id])[0]["resultStatus"] == "EXPIRED"
    assert appfabric_mock.complete_user_access_tasks([task_id]) == 0  # too late


def test_complete_user_access_tasks_finishes_them_at_once(appfabric_mock, appfabric_client, bundle):
    mine = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    other = _start(appfabric_client, bundle, "nobody@example.com")["userAccessTasksList"][0]["taskId"]
    assert appfabric_mock.complete_user_access_tasks([mine]) == 1
    assert [r["resultStatus"] for r in _read(appfabric_client, bundle, [mine, other])] == ["COMPLETED", "IN_PROGRESS"]
    assert appfabric_mock.complete_user_access_tasks() == 1  # every task still in progress: `other`
    assert appfabric_mock.complete_user_access_tasks() == 0
    assert _read(appfabric_client, bundle, [other])[0]["taskError"]["errorCode"] == "UserNotFound"
    with pytest.raises(TypeError):
        appfabric_mock.complete_user_access_tasks(mine)


def test_fail_user_access_tasks_reports_failed(appfabric_mock, appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    assert appfabric_mock.fail_user_access_tasks([task_id], error_code="AppRateLimitExceeded",
                                                 error_message="Slow down") == 1
    [result] = _read(appfabric_client, bundle, [task_id])
    assert result["resultStatus"] == "FAILED"
    assert result["taskError"] == {"errorCode": "AppRateLimitExceeded", "errorMessage": "Slow down"}
    assert "userId" not in result
    for bad in ({"error_code": ""}, {"error_message": None}):
        with pytest.raises(ValueError, match="non-empty string"):
            appfabric_mock.fail_user_access_tasks(**bad)


@pytest.mark.parametrize(("options", "error"), [
    ({"user_access_task_reads": -1}, ValueError), ({"user_access_task_reads": True}, TypeError),
    ({"user_access_task_seconds": -1}, ValueError), ({"user_access_task_lifetime": "1h"}, TypeError)])
def test_task_options_are_checked(options, error):
    with pytest.raises(error, match="user_access_task"):
        mock_appfabric(**options)


def test_unknown_task_id_is_expired(appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    unknown = new_token()
    results = _results(appfabric_client, bundle, [unknown, task_id, unknown])
    assert results[0] == results[2] == {"taskId": unknown, "resultStatus": "EXPIRED"}
    assert results[1]["taskId"] == task_id and results[1]["resultStatus"] == "COMPLETED"


def test_task_of_another_bundle_is_expired():
    with mock_appfabric(quotas={"app_bundles": 2}) as m:
        api = client()
        mine, theirs = new_bundle(api), new_bundle(api)
        new_authorization(api, theirs)
        m.add_app_user(app="TERRAFORMCLOUD", tenant_id="tenant-1", email=EMAIL)
        task_id = _start(api, theirs)["userAccessTasksList"][0]["taskId"]
        assert _results(api, mine, [task_id]) == [{"taskId": task_id, "resultStatus": "EXPIRED"}]
        assert _results(api, theirs, [task_id])[0]["resultStatus"] == "COMPLETED"


def test_batch_get_fifty_tasks(appfabric_client, bundle):
    task_ids = [_start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"] for _ in range(50)]
    results = _results(appfabric_client, bundle, task_ids)
    assert [r["taskId"] for r in results] == task_ids
    assert {r["resultStatus"] for r in results} == {"COMPLETED"}


def test_batch_get_unknown_bundle_is_404(appfabric_client):
    response = expect_error("ResourceNotFoundException", 404, _results, appfabric_client, MISSING_BUNDLE,
                            [new_token()])
    assert response["resourceType"] == "AppBundle"


@pytest.mark.parametrize(
    ("task_ids", "field"),
    [([], "taskIdList"), ([new_token() for _ in range(51)], "taskIdList"),
     (["not-a-task-id"], "taskIdList.1.member")],
    ids=["empty", "51", "not-a-uuid"],
)
def test_batch_get_task_id_list_is_validated_server_side(appfabric_mock, task_ids, field):
    api = client(NO_VALIDATION)
    expect_invalid([field], _results, api, new_bundle(api), task_ids)


# -- privacy ---------------------------------------------------------------------------------------------------
def test_emails_and_names_are_never_logged(appfabric_mock, appfabric_client, bundle, caplog):
    caplog.set_level(logging.DEBUG, logger="appfabric_mock")
    task_ids = [i["taskId"] for i in _start(appfabric_client, bundle)["userAccessTasksList"]]
    task_ids += [i["taskId"] for i in _start(appfabric_client, bundle, "nobody@example.com")["userAccessTasksList"]]
    _results(appfabric_client, bundle, task_ids)
    # A failed validation does not log the address either.
    expect_invalid(["email"], _start, client(NO_VALIDATION), bundle, "x" * 320 + EMAIL)
    logging.getLogger("appfabric_mock.probe").debug("probe")  # proves DEBUG records are captured
    ours = [r for r in caplog.records if r.name.startswith("appfabric_mock")]
    assert "probe" in [r.getMessage() for r in ours]
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in ours)
    for secret in (EMAIL, "nobody@example.com", FIRST, LAST):
        assert secret not in text


def test_models_do_not_show_emails_or_names(appfabric_mock, appfabric_client, bundle):
    _start(appfabric_client, bundle)
    _start(appfabric_client, bundle, "nobody@example.com")
    backend = appfabric_mock.backend()
    tasks = list(backend.tasks.values())
    users = list(appfabric_mock.state.settings.app_users.values())
    assert len(tasks) == 2 and len(users) == 1
    shown = " ".join(repr(x) for x in [*tasks, *users, tasks[0].user, backend, appfabric_mock.state.settings])
    for secret in (EMAIL, "nobody@example.com", FIRST, LAST, f"{FIRST} {LAST}"):
        assert secret not in shown
    assert "TERRAFORMCLOUD" in shown  # the repr still says what it is


def test_snapshot_has_tasks_but_no_emails_or_names(appfabric_mock, appfabric_client, bundle):
    task_id = _start(appfabric_client, bundle)["userAccessTasksList"][0]["taskId"]
    assert appfabric_mock.snapshot()["accounts"]
    dumped = json.dumps(appfabric_mock.snapshot(json=True)) + json.dumps(appfabric_mock.resources(json=True))
    assert task_id in dumped
    for secret in (EMAIL, FIRST, LAST):
        assert secret not in dumped


def test_tasks_apps_and_task_options_survive_a_state_file(tmp_path):
    # The mock's new state (task progress, the app list with its endpoints, the task options)
    # is plain data that the state file keeps.
    path = tmp_path / "state.json"
    options = {"extra_apps": {"BOX": "oauth2"}, "user_access_task_reads": 2, "now": "2024-05-01T12:00:00Z"}
    with mock_appfabric(state_file=str(path), **options) as m:
        api = client()
        bundle = new_bundle(api)
        new_authorization(api, bundle)
        okta = new_authorization(api, bundle, app="OKTA", tenant="dev-1.okta.com", connect=False)
        task_id = _start(api, bundle)["userAccessTasksList"][0]["taskId"]
        assert _read(api, bundle, [task_id])[0]["resultStatus"] == "IN_PROGRESS"  # read 1 of 2
    with mock_appfabric(state_file=str(path)) as m:  # the state file carries the configuration
        api = client()
        assert m.state.settings.task_reads == 2
        got = api.get_app_authorization(appBundleIdentifier=bundle,
                                        appAuthorizationIdentifier=okta["appAuthorizationArn"])["appAuthorization"]
        assert got["authUrl"].startswith("https://dev-1.okta.com/oauth2/v1/authorize?")
        assert [_read(api, bundle, [task_id])[0]["resultStatus"] for _ in range(2)] == ["IN_PROGRESS", "COMPLETED"]
        assert make_authorization(api, bundle, app="BOX", tenant="box-1", auth_type="oauth2")["authType"] == "oauth2"
