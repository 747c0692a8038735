"""User access tasks: which apps of a bundle know a user, by e-mail address.

A task looks the user up when it starts, among the users that tests register
per app and tenant; it completes at once (deterministic tests need no polling).
"""

from __future__ import annotations

from typing import Dict, List

from .base import BackendBase, Params, Result
from .models import UserAccessTask

#: The ``error`` item StartUserAccessTasks reports for an authorization that is not Connected.
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
        """One item per app authorization of the bundle, in creation order.

        A ``Connected`` authorization gets a new ``taskId``: the task looks the e-mail address
        up (case-insensitively) among the users registered with
        :meth:`~appfabric_mock.AppFabricMock.add_app_user` for that app and tenant, and is
        ``COMPLETED`` at once.  Any other status gives an ``error`` item: ``errorCode``
        ``InvalidAppAuthorization`` (``PendingConnect``, ``ConnectionValidationFailed``) or
        ``UnableToRotateToken`` (``TokenAutoRotationFailed``).  A bundle without
        authorizations gives an empty list.

        Raises:
            ResourceNotFoundException: no such bundle.
        """
        bundle = self._bundle(params["appBundleIdentifier"])
        email = params["email"]
        items: List[Result] = []
        for auth in bundle.authorizations:
            item: Result = {"app": auth.app, "tenantId": auth.tenant_identifier}
            if auth.status != "Connected":
                item["error"] = dict(_NOT_CONNECTED[auth.status])
                items.append(item)
                continue
            user = self.settings.find_user(auth.app, auth.tenant_identifier, email)
            task = UserAccessTask(
                id=self._new_id(),
                bundle_id=bundle.id,
                app=auth.app,
                tenant_id=auth.tenant_identifier,
                tenant_display_name=auth.tenant_display_name,
                email=email,
                user=user,
                error=None if user is not None else dict(USER_NOT_FOUND),
            )
            self.tasks[task.id] = task
            item["taskId"] = task.id
            items.append(item)
        return {"userAccessTasksList": items}

    def batch_get_user_access_tasks(self, params: Params) -> Result:
        """The result of each task id, in the order asked.

        A task is ``COMPLETED``, with the user's details, or with ``taskError`` ``UserNotFound``
        when no registered user matched.  Tasks never expire; an unknown task id, or one of
        another bundle, is reported as ``EXPIRED``.

        Raises:
            ResourceNotFoundException: no such bundle.
        """
        bundle = self._bundle(params["appBundleIdentifier"])
        results: List[Result] = []
        for task_id in params["taskIdList"]:
            task = self.tasks.get(task_id)
            if task is None or task.bundle_id != bundle.id:
                # Unknown (or another bundle's) task: reported as expired.
                results.append({"taskId": task_id, "resultStatus": "EXPIRED"})
            else:
                results.append(task.result())
        return {"userAccessResultsList": results}
