"""Which audit events each application writes, and how AppFabric classifies them in OCSF.

Every application has a list of :class:`EventKind` entries: an abstract activity
(``login``, ``user_created``, ``role_granted``, ...), the application's own event
code for it (Okta's ``eventType``, Slack's ``action``, Microsoft 365's
``Operation``, ...), a message, and a weight (how often it occurs).  The OCSF
class of each activity is in :data:`OCSF_CLASSES`.

Sources (see ``docs/guides/data-plane.rst`` for the evidence levels): the event
codes come from each vendor's audit-log documentation; the OCSF classes from
AWS's AppFabric sample events (aws-samples/appfabric-sample-log-generator:
Authentication 3002, Account Change 3001, User Access Management 3005, Web
Resources Activity 6001) and the OCSF 1.1.0 schema (Group Management 3006, API
Activity 6003).
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Tuple


class EventKind(NamedTuple):
    """One kind of audit event of an application."""

    kind: str
    code: str
    message: str
    weight: int = 1
    #: The type of the resource the event acts on (``file``, ``channel``, ``workspace``...).
    resource: str = ""


class OcsfClass(NamedTuple):
    """Where an activity lands in OCSF 1.1.0."""

    class_uid: int
    class_name: str
    category_uid: int
    category_name: str
    activity_id: int
    activity_name: str


_IAM = (3, "Identity & Access Management")
_APP = (6, "Application Activity")

#: Activity -> OCSF class and activity (ids and names from the OCSF 1.1.0 schema).
OCSF_CLASSES: Dict[str, OcsfClass] = {
    "login": OcsfClass(3002, "Authentication", *_IAM, 1, "Logon"),
    "login_failed": OcsfClass(3002, "Authentication", *_IAM, 1, "Logon"),
    "logout": OcsfClass(3002, "Authentication", *_IAM, 2, "Logoff"),
    "user_created": OcsfClass(3001, "Account Change", *_IAM, 1, "Create"),
    "password_change": OcsfClass(3001, "Account Change", *_IAM, 3, "Password Change"),
    "user_disabled": OcsfClass(3001, "Account Change", *_IAM, 5, "Disable"),
    "role_granted": OcsfClass(3005, "User Access Management", *_IAM, 1, "Assign Privileges"),
    "role_revoked": OcsfClass(3005, "User Access Management", *_IAM, 2, "Revoke Privileges"),
    "group_member_added": OcsfClass(3006, "Group Management", *_IAM, 3, "Add User"),
    "resource_read": OcsfClass(6001, "Web Resources Activity", *_APP, 2, "Read"),
    "resource_updated": OcsfClass(6001, "Web Resources Activity", *_APP, 3, "Update"),
    "api_call": OcsfClass(6003, "API Activity", *_APP, 1, "Create"),
}


class AppProfile(NamedTuple):
    """What an application's events look like."""

    product: str
    vendor: str
    kinds: Tuple[EventKind, ...]


def _k(kind: str, code: str, message: str, weight: int = 1, resource: str = "") -> EventKind:
    return EventKind(kind, code, message, weight, resource)


#: Per application (the API's ``app`` value): product and vendor names, and its events.
PROFILES: Dict[str, AppProfile] = {
    # Okta System Log event types.
    "OKTA": AppProfile("Okta", "Okta", (
        _k("login", "user.session.start", "User login to Okta", 6),
        _k("login", "user.authentication.sso", "User single sign on to app", 4, "AppInstance"),
        _k("login_failed", "user.session.start", "User login to Okta", 2),
        _k("logout", "user.session.end", "User logout from Okta", 2),
        _k("user_created", "user.lifecycle.create", "Create Okta user"),
        _k("password_change", "user.account.update_password", "Update user password"),
        _k("user_disabled", "user.lifecycle.deactivate", "Deactivate Okta user"),
        _k("role_granted", "user.account.privilege.grant", "Grant user privilege"),
        _k("role_revoked", "user.account.privilege.revoke", "Revoke user privilege"),
        _k("group_member_added", "group.user_membership.add", "Add user to group membership"),
    )),
    # Slack Audit Logs API actions.
    "SLACK": AppProfile("Slack", "Slack", (
        _k("login", "user_login", "User logged in", 6),
        _k("logout", "user_logout", "User logged out", 2),
        _k("user_created", "user_created", "User created"),
        _k("user_disabled", "user_deactivated", "User deactivated"),
        _k("role_granted", "role_change_to_admin", "User's role changed to admin"),
        _k("role_revoked", "role_change_to_user", "User's role changed to member"),
        _k("resource_read", "file_downloaded", "File downloaded", 4, "file"),
        _k("resource_updated", "file_shared", "File shared", 2, "file"),
    )),
    # Office 365 Management Activity API operations (Azure AD and SharePoint workloads).
    "M365": AppProfile("Microsoft 365", "Microsoft", (
        _k("login", "UserLoggedIn", "UserLoggedIn", 6),
        _k("login_failed", "UserLoginFailed", "UserLoginFailed", 2),
        _k("user_created", "Add user.", "Add user."),
        _k("password_change", "Change user password.", "Change user password."),
        _k("user_disabled", "Disable account.", "Disable account."),
        _k("role_granted", "Add member to role.", "Add member to role."),
        _k("role_revoked", "Remove member from role.", "Remove member from role."),
        _k("group_member_added", "Add member to group.", "Add member to group."),
        _k("resource_read", "FileAccessed", "FileAccessed", 4, "File"),
        _k("resource_updated", "FileModified", "FileModified", 2, "File"),
    )),
    # Google Workspace Admin SDK Reports API (login, admin and drive applications).
    "GOOGLE": AppProfile("Google Workspace", "Google", (
        _k("login", "login_success", "login_success", 6),
        _k("login_failed", "login_failure", "login_failure", 2),
        _k("logout", "logout", "logout", 2),
        _k("user_created", "CREATE_USER", "CREATE_USER"),
        _k("password_change", "CHANGE_PASSWORD", "CHANGE_PASSWORD"),
        _k("user_disabled", "SUSPEND_USER", "SUSPEND_USER"),
        _k("role_granted", "ASSIGN_ROLE", "ASSIGN_ROLE"),
        _k("role_revoked", "UNASSIGN_ROLE", "UNASSIGN_ROLE"),
        _k("group_member_added", "ADD_GROUP_MEMBER", "ADD_GROUP_MEMBER"),
        _k("resource_read", "view", "view", 4, "document"),
        _k("resource_updated", "edit", "edit", 2, "document"),
    )),
    # Zoom operation and sign-in/sign-out activity logs.
    "ZOOM": AppProfile("Zoom", "Zoom", (
        _k("login", "Sign in", "Sign in", 6),
        _k("logout", "Sign out", "Sign out", 2),
        _k("user_created", "User.Add", "Add user"),
        _k("user_disabled", "User.Deactivate", "Deactivate user"),
        _k("role_granted", "Role.Assign", "Assign role"),
        _k("resource_updated", "Meeting.Update", "Update meeting", 2, "Meeting"),
    )),
    # Atlassian (Jira) audit records.
    "JIRA": AppProfile("Jira", "Atlassian", (
        _k("login", "User logged in", "User logged in", 6),
        _k("user_created", "User created", "User created"),
        _k("user_disabled", "User deactivated", "User deactivated"),
        _k("group_member_added", "User added to group", "User added to group"),
        _k("role_granted", "Project roles changed", "Project roles changed"),
        _k("resource_updated", "Project updated", "Project updated", 2, "PROJECT"),
    )),
    # Dropbox team event log event types.
    "DROPBOX": AppProfile("Dropbox", "Dropbox", (
        _k("login", "login_success", "Signed in", 6),
        _k("login_failed", "login_fail", "Failed to sign in", 2),
        _k("logout", "logout", "Signed out", 2),
        _k("user_disabled", "member_change_status", "Changed member status"),
        _k("role_granted", "member_change_admin_role", "Changed team member admin role"),
        _k("resource_read", "file_preview", "Previewed files and/or folders", 4, "file"),
        _k("resource_updated", "file_edit", "Edited files", 2, "file"),
    )),
    # Asana audit log API event types.
    "ASANA": AppProfile("Asana", "Asana", (
        _k("login", "user_login_succeeded", "User logged in", 6),
        _k("login_failed", "user_login_failed", "User login failed", 2),
        _k("logout", "user_logged_out", "User logged out", 2),
        _k("user_created", "user_invited", "User invited"),
        _k("user_disabled", "user_deprovisioned", "User deprovisioned"),
        _k("role_granted", "user_workspace_admin_role_changed", "User admin role changed"),
        _k("resource_updated", "task_deleted", "Task deleted", 2, "task"),
    )),
    # Zendesk audit logs.
    "ZENDESK": AppProfile("Zendesk", "Zendesk", (
        _k("login", "login", "Signed in", 6),
        _k("user_created", "create", "Created user"),
        _k("user_disabled", "destroy", "Deleted user"),
        _k("role_granted", "update", "Changed role"),
        _k("resource_updated", "update", "Updated account setting", 2, "account_setting"),
    )),
    # Smartsheet event reporting (objectType.action).
    "SMARTSHEET": AppProfile("Smartsheet", "Smartsheet", (
        _k("user_created", "USER.ADD_TO_ACCOUNT", "User added to account"),
        _k("user_disabled", "USER.REMOVE_FROM_ACCOUNT", "User removed from account"),
        _k("group_member_added", "GROUP.ADD_MEMBER", "Member added to group"),
        _k("resource_read", "SHEET.LOAD", "Sheet loaded", 6, "SHEET"),
        _k("resource_updated", "SHEET.UPDATE", "Sheet updated", 3, "SHEET"),
    )),
    # Cisco Duo Admin API administrator and authentication logs.
    "CISCO": AppProfile("Duo", "Cisco", (
        _k("login", "admin_login", "Administrator logged in", 6),
        _k("login_failed", "admin_login_error", "Administrator login failed", 2),
        _k("user_created", "user_create", "User created"),
        _k("user_disabled", "user_delete", "User deleted"),
    )),
    # Terraform Cloud (HCP Terraform) audit trail.
    "TERRAFORMCLOUD": AppProfile("Terraform Cloud", "HashiCorp", (
        _k("api_call", "workspace.create", "Workspace created", 2, "workspace"),
        _k("api_call", "workspace.update", "Workspace updated", 3, "workspace"),
        _k("api_call", "run.apply", "Run applied", 4, "run"),
        _k("user_created", "organization-membership.create", "Organization member added"),
        _k("group_member_added", "team-membership.create", "Team member added"),
    )),
}
PROFILES["M365AUDITLOGS"] = PROFILES["M365"]

#: For applications the catalog does not know (``extra_apps``): a plain mix.
GENERIC_KINDS: Tuple[EventKind, ...] = (
    _k("login", "login", "User logged in", 6),
    _k("logout", "logout", "User logged out", 2),
    _k("user_created", "user.create", "User created"),
    _k("resource_read", "resource.read", "Resource read", 3, "resource"),
)


def profile(app: str, display_name: str) -> AppProfile:
    """The profile of ``app``; an unknown app gets generic events under its display name."""
    found = PROFILES.get(app)
    if found is not None:
        return found
    return AppProfile(display_name, display_name, GENERIC_KINDS)


def weighted(kinds: Tuple[EventKind, ...]) -> List[EventKind]:
    """Each kind repeated by its weight: a uniform draw from it follows the weights."""
    return [kind for kind in kinds for _ in range(kind.weight)]
