"""User access tasks: which apps of a bundle know a user, by e-mail address.

AWS describes the tasks as asynchronous ("This action polls data from the tasks
that are kicked off by the StartUserAccessTasks action"), and the model has
IN_PROGRESS, COMPLETED, FAILED and EXPIRED results.  So a task starts
``IN_PROGRESS`` and completes later: once BatchGetUserAccessTasks has reported it
in progress ``task_reads`` times (default once), or once the mock's clock is
``task_seconds`` past its start (default 60), whichever comes first, or at once
through :meth:`~appfabric_mock.AppFabricMock.complete_user_access_tasks`.  It is
``EXPIRED`` ``task_lifetime`` seconds after its start (default 24 hours).  Code
that reads a result once, without polling, sees ``IN_PROGRESS`` and fails on the
mock as it would on AWS.

A task looks the user up when it completes, among the users that tests register
per app and tenant.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .base import BackendBase, Params, Result
from .models import COMPLETED, EXPIRED, FAILED, IN_PROGRESS, UserAccessTask

#: The ``error`` item StartUserAccessTasks reports for an authorization that is not Connected.
#: The codes are the mock's own: AWS's console names these situations ("invalid app
#: authorization", "unable to rotate token") but no source shows the API's codes.
_NOT_CONNECTED: Dict[str, Dict[str, str]] = {
    "PendingConnect": {
        "errorCode": "InvalidAppAuthorization",
        "errorMessage": "The app authorization is not connected (status PendingConnect)",
    },
    "ConnectionValidationFailed": {
        "errorCode": "InvalidAppAuthorization",
        "errorMessage": "The app authorization failed connection validation (status ConnectionValidationFailed)",
    },
    "TokenAutoRotationFailed": {
        "errorCode": "UnableToRotateToken",
        "errorMessage": "The app authorization could not rotate its token (status TokenAutoRotationFailed)",
    },
}

#: The ``taskError`` of a task that found no registered user (its status is still COMPLETED).
USER_NOT_FOUND = {"errorCode": "UserNotFound", "errorMessage": "The user was not found in the application"}


class UserAccessOperations(BackendBase):
    """StartUserAccessTasks and BatchGetUserAccessTasks."""

    def start_user_access_tasks(self, params: Params) -> Result:
        """One item per app authorization of the bundle, in creation order; the tasks start ``IN_PROGRESS``.

        A ``Connected`` authorization gets a new ``taskId``: the task looks the e-mail address
        up (case-insensitively), when it completes, among the users registered with
        :meth:`~appfabric_mock.AppFabricMock.add_app_user` for that app and tenant.  Any other
        status gives an ``error`` item (codes of the mock's own): ``errorCode``
        ``InvalidAppAuthorization`` (``PendingConnect``, ``ConnectionValidationFailed``) or
        ``UnableToRotateToken`` (``TokenAutoRotationFailed``).  A bundle without
        authorizations gives an empty list.

        Raises:
            ResourceNotFoundException: no such bundle (confirmed: modelled).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        email = params["email"]
        now = self._now()
        items: List[Result] = []
        for auth in bundle.authorizations:
            item: Result = {"app": auth.app, "tenantId": auth.tenant_identifier}
            if auth.status != "Connected":
                item["error"] = dict(_NOT_CONNECTED[auth.status])
                items.append(item)
                continue
            task = UserAccessTask(
                id=self._new_id(),
                bundle_id=bundle.id,
                app=auth.app,
                tenant_id=auth.tenant_identifier,
                tenant_display_name=auth.tenant_display_name,
                email=email,
                started_at=now,
            )
            self.tasks[task.id] = task
            item["taskId"] = task.id
            items.append(item)
        return {"userAccessTasksList": items}

    def batch_get_user_access_tasks(self, params: Params) -> Result:
        """The result of each task id, in the order asked; tasks move on as they are polled.

        A task reads ``IN_PROGRESS`` until it completes (after ``task_reads`` such answers, 1
        by default, or ``task_seconds`` of the mock's clock, 60 by default), then
        ``COMPLETED`` with the user's details, or with ``taskError`` ``UserNotFound`` when no
        registered user matched.  ``task_lifetime`` (24 hours by default) after its start it
        is ``EXPIRED``; so is an unknown task id, or one of another bundle.

        Raises:
            ResourceNotFoundException: no such bundle (confirmed: modelled).
        """
        bundle = self._find_bundle(params["appBundleIdentifier"])
        now = self._now()
        results: List[Result] = []
        for task_id in params["taskIdList"]:
            task = self.tasks.get(task_id)
            if task is None or task.bundle_id != bundle.id:
                # Unknown (or another bundle's) task: reported as expired.
                results.append({"taskId": task_id, "resultStatus": EXPIRED})
                continue
            self._advance_task(task, now, polled=True)
            results.append(task.result())
        return {"userAccessResultsList": results}

    def _advance_task(self, task: UserAccessTask, now: Any, *, polled: bool) -> None:
        """Bring a task up to date at ``now``; ``polled``: a BatchGetUserAccessTasks is reading it."""
        settings = self.settings
        elapsed = (now - task.started_at).total_seconds() if task.started_at is not None else 0.0
        if task.result_status != EXPIRED and settings.task_lifetime is not None and elapsed >= settings.task_lifetime:
            task.result_status = EXPIRED
            return
        if task.result_status != IN_PROGRESS:
            return
        due = settings.task_seconds is not None and elapsed >= settings.task_seconds
        if due or (polled and task.reads >= settings.task_reads):
            self.finish_task(task, COMPLETED)
        elif polled:
            task.reads += 1

    def finish_task(self, task: UserAccessTask, status: str, error: Optional[Dict[str, str]] = None) -> bool:
        """End an ``IN_PROGRESS`` task as ``COMPLETED`` (looking the user up) or ``FAILED``.

        Returns False, changing nothing, for a task that was not in progress.
        """
        if task.result_status != IN_PROGRESS:
            return False
        if status == FAILED:
            task.error = dict(error) if error else None
        else:
            task.user = self.settings.find_user(task.app, task.tenant_id, task.email)
            task.error = None if task.user is not None else dict(USER_NOT_FOUND)
        task.result_status = status
        return True
