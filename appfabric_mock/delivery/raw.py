"""An activity as the application's own audit-log entry (the ``raw`` schema).

A raw destination receives each event as the SaaS application's audit-log API
returns it, one JSON object per event.  The shapes below follow each vendor's
public API reference (abbreviated to the fields most consumers read):

* Okta: System Log API ``LogEvent`` (developer.okta.com, "System Log API").
* Slack: Audit Logs API ``entries`` (api.slack.com, "Audit Logs API").
* Microsoft 365: Office 365 Management Activity API common schema
  (learn.microsoft.com, "Office 365 Management Activity API schema").
* Google Workspace: Admin SDK Reports API ``activity`` resource.
* Zoom: operation logs and sign-in/sign-out activity reports (Zoom API reference).
* Jira: Atlassian audit records (``/rest/api/3/auditing/record``).
* Dropbox: ``team_log/get_events`` ``TeamEvent``.
* Asana: audit log API ``AuditLogEvent``.
* Zendesk: audit logs API ``audit_log``.
* Smartsheet: event reporting API ``Event``.
* Cisco Duo: Admin API administrator logs.
* Terraform Cloud: audit trails API.

Applications without a shape here (``extra_apps``) get a plain generic entry.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Dict

from .generator import Activity

Raw = Dict[str, Any]
_UTC = _dt.timezone.utc


def iso(ms: int, digits: int = 3) -> str:
    """``2024-06-01T09:00:00.123Z`` (``digits`` 0 drops the fraction)."""
    stamp = _dt.datetime.fromtimestamp(ms / 1000, _UTC)
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += f".{ms % 1000:03d}"
    return text + "Z"


def _okta(a: Activity, tenant: str) -> Raw:
    target = [{"id": a.target.uid, "type": "User", "alternateId": a.target.email, "displayName": a.target.name}]
    if a.kind.kind == "group_member_added":
        target.append({"id": f"00g{a.resource_uid}", "type": "UserGroup", "alternateId": "unknown",
                       "displayName": a.group})
    return {
        "uuid": a.uid,
        "published": iso(a.time_ms),
        "eventType": a.kind.code,
        "version": "0",
        "severity": "INFO" if a.success else "WARN",
        "displayMessage": a.kind.message,
        "actor": {"id": a.actor.uid, "type": "User", "alternateId": a.actor.email, "displayName": a.actor.name},
        "client": {"userAgent": {"rawUserAgent": a.user_agent}, "zone": "null", "ipAddress": a.ip},
        "outcome": {"result": "SUCCESS" if a.success else "FAILURE",
                    **({} if a.success else {"reason": "INVALID_CREDENTIALS"})},
        "target": target,
        "transaction": {"type": "WEB", "id": a.session_uid},
        "authenticationContext": {"externalSessionId": a.session_uid},
        "securityContext": {},
    }


def _slack(a: Activity, tenant: str) -> Raw:
    if a.kind.resource:
        entity = {"type": a.kind.resource, a.kind.resource: {"id": f"F{a.resource_uid.upper()}",
                                                              "name": a.resource_name}}
    else:
        entity = {"type": "user", "user": {"id": a.target.uid, "name": a.target.name, "email": a.target.email}}
    return {
        "id": a.uid,
        "date_create": a.time_ms // 1000,
        "action": a.kind.code,
        "actor": {"type": "user", "user": {"id": a.actor.uid, "name": a.actor.name, "email": a.actor.email}},
        "entity": entity,
        "context": {
            "location": {"type": "workspace", "id": tenant, "name": tenant, "domain": tenant},
            "ua": a.user_agent,
            "ip_address": a.ip,
            "session_id": a.session_uid,
        },
    }


def _m365(a: Activity, tenant: str) -> Raw:
    sharepoint = bool(a.kind.resource)
    out: Raw = {
        "CreationTime": iso(a.time_ms, 0)[:-1],
        "Id": a.uid,
        "Operation": a.kind.code,
        "OrganizationId": tenant,
        "RecordType": 6 if sharepoint else (15 if a.kind.kind.startswith("login") else 8),
        "ResultStatus": "Success" if a.success else "Failed",
        "UserKey": a.actor.uid,
        "UserType": 0,
        "Version": 1,
        "Workload": "SharePoint" if sharepoint else "AzureActiveDirectory",
        "ClientIP": a.ip,
        "ObjectId": a.resource_name if sharepoint else a.target.email,
        "UserId": a.actor.email,
    }
    if sharepoint:
        out["SourceFileName"] = a.resource_name
    return out


def _google(a: Activity, tenant: str) -> Raw:
    kind = a.kind.kind
    application = "login" if kind in ("login", "login_failed", "logout") else ("drive" if a.kind.resource else "admin")
    parameters = (
        [{"name": "doc_id", "value": a.resource_uid}, {"name": "doc_title", "value": a.resource_name}]
        if application == "drive" else
        [{"name": "USER_EMAIL", "value": a.target.email}] if application == "admin" else
        [{"name": "login_type", "value": "google_password"}]
    )
    return {
        "kind": "admin#reports#activity",
        "id": {"time": iso(a.time_ms), "uniqueQualifier": str(int(a.uid[:8], 16)),
               "applicationName": application, "customerId": tenant},
        "etag": f'"{a.session_uid}"',
        "actor": {"callerType": "USER", "email": a.actor.email, "profileId": a.actor.uid},
        "ipAddress": a.ip,
        "events": [{"type": application, "name": a.kind.code, "parameters": parameters}],
    }


def _zoom(a: Activity, tenant: str) -> Raw:
    if a.kind.kind in ("login", "logout"):
        return {"email": a.actor.email, "time": iso(a.time_ms, 0), "type": a.kind.code, "ip_address": a.ip,
                "client_type": "Browser", "version": "-"}
    category, _, action = a.kind.code.partition(".")
    return {"time": iso(a.time_ms, 0), "operator": a.actor.email, "category_type": category, "action": action,
            "operation_detail": f"{a.kind.message} - {a.target.email}"}


def _jira(a: Activity, tenant: str) -> Raw:
    return {
        "id": a.time_ms,
        "summary": a.kind.code,
        "remoteAddress": a.ip,
        "authorKey": a.actor.uid,
        "authorAccountId": a.actor.uid,
        "created": iso(a.time_ms).replace("Z", "+0000"),
        "category": "projects" if a.kind.resource else "user management",
        "eventSource": "",
        "objectItem": ({"id": a.resource_uid, "name": a.resource_name, "typeName": a.kind.resource}
                       if a.kind.resource else {"id": a.target.uid, "name": a.target.name, "typeName": "USER"}),
        "changedValues": [],
        "associatedItems": [{"id": a.target.uid, "name": a.target.name, "typeName": "USER"}],
    }


def _dropbox(a: Activity, tenant: str) -> Raw:
    category = "logins" if a.kind.kind.startswith("log") else ("file_operations" if a.kind.resource else "members")
    out: Raw = {
        "timestamp": iso(a.time_ms, 0),
        "event_category": {".tag": category},
        "actor": {".tag": "user", "user": {".tag": "team_member", "account_id": f"dbid:{a.actor.uid}",
                                           "display_name": a.actor.name, "email": a.actor.email}},
        "origin": {"geo_location": {"ip_address": a.ip},
                   "access_method": {".tag": "end_user", "end_user": {".tag": "web", "session_id": a.session_uid}}},
        "involve_non_team_member": False,
        "context": {".tag": "team_member", "account_id": f"dbid:{a.target.uid}", "display_name": a.target.name,
                    "email": a.target.email},
        "event_type": {".tag": a.kind.code, "description": a.kind.message},
        "details": {".tag": f"{a.kind.code}_details"},
    }
    if a.kind.resource:
        out["assets"] = [{".tag": "file", "path": {"contextual": f"/{a.resource_name}"},
                          "display_name": a.resource_name, "file_id": f"id:{a.resource_uid}"}]
    return out


def _asana(a: Activity, tenant: str) -> Raw:
    resource = ({"resource_type": a.kind.resource, "gid": str(int(a.resource_uid, 16)), "name": a.resource_name}
                if a.kind.resource else
                {"resource_type": "user", "gid": a.target.uid, "name": a.target.name, "email": a.target.email})
    return {
        "gid": str(int(a.uid[:8] + a.uid[9:13], 16)),
        "created_at": iso(a.time_ms),
        "event_type": a.kind.code,
        "event_category": "logins" if a.kind.kind.startswith("log") else "user_access_management",
        "actor": {"actor_type": "user", "gid": a.actor.uid, "name": a.actor.name, "email": a.actor.email},
        "resource": resource,
        "details": {},
        "context": {"context_type": "web", "client_ip_address": a.ip, "user_agent": a.user_agent},
    }


def _zendesk(a: Activity, tenant: str) -> Raw:
    return {
        "url": f"https://{tenant}/api/v2/audit_logs/{a.time_ms}.json",
        "id": a.time_ms,
        "action_label": a.kind.message,
        "actor_id": int(a.actor.uid[:8], 16) if not a.actor.uid.isdigit() else int(a.actor.uid),
        "actor_name": a.actor.name,
        "source_id": int(a.resource_uid, 16),
        "source_type": a.kind.resource or "user",
        "source_label": a.resource_name if a.kind.resource else a.target.name,
        "action": a.kind.code,
        "change_description": a.kind.message,
        "ip_address": a.ip,
        "created_at": iso(a.time_ms, 0),
    }


def _smartsheet(a: Activity, tenant: str) -> Raw:
    object_type, _, action = a.kind.code.partition(".")
    return {
        "eventId": a.uid.replace("-", "").upper(),
        "objectType": object_type,
        "action": action,
        "objectId": a.resource_uid if a.kind.resource else a.target.email,
        "eventTimestamp": iso(a.time_ms),
        "userId": int(a.actor.uid[:8], 16) if not a.actor.uid.isdigit() else int(a.actor.uid),
        "requestUserId": int(a.actor.uid[:8], 16) if not a.actor.uid.isdigit() else int(a.actor.uid),
        "source": "WEB_APP",
        "additionalDetails": {"emailAddress": a.target.email} if not a.kind.resource else {},
    }


def _duo(a: Activity, tenant: str) -> Raw:
    return {
        "action": a.kind.code,
        "description": f'{{"email": "{a.target.email}", "realname": "{a.target.name}"}}',
        "isotimestamp": iso(a.time_ms, 0).replace("Z", "+00:00"),
        "object": a.target.email,
        "timestamp": a.time_ms // 1000,
        "username": a.actor.name,
    }


def _terraform(a: Activity, tenant: str) -> Raw:
    resource, _, action = a.kind.code.partition(".")
    return {
        "id": a.uid,
        "version": "0",
        "type": "Resource",
        "timestamp": iso(a.time_ms),
        "auth": {"accessor_id": f"user-{a.actor.uid[:16]}", "description": a.actor.name, "type": "Client",
                 "impersonator_id": None, "organization_id": tenant},
        "request": {"id": a.session_uid},
        "resource": {"id": f"{resource[:3]}-{a.resource_uid}", "type": resource, "action": action, "meta": None},
    }


def _generic(a: Activity, tenant: str) -> Raw:
    return {
        "id": a.uid,
        "timestamp": iso(a.time_ms),
        "event": a.kind.code,
        "message": a.kind.message,
        "outcome": "success" if a.success else "failure",
        "actor": {"id": a.actor.uid, "name": a.actor.name, "email": a.actor.email},
        "target": {"id": a.target.uid, "name": a.target.name, "email": a.target.email},
        "ip": a.ip,
        "userAgent": a.user_agent,
        "tenant": tenant,
    }


RENDERERS: Dict[str, Callable[[Activity, str], Raw]] = {
    "OKTA": _okta,
    "SLACK": _slack,
    "M365": _m365,
    "M365AUDITLOGS": _m365,
    "GOOGLE": _google,
    "ZOOM": _zoom,
    "JIRA": _jira,
    "DROPBOX": _dropbox,
    "ASANA": _asana,
    "ZENDESK": _zendesk,
    "SMARTSHEET": _smartsheet,
    "CISCO": _duo,
    "TERRAFORMCLOUD": _terraform,
}


def render(activity: Activity, app: str, tenant_id: str) -> Raw:
    """The raw entry of ``activity`` as ``app`` writes it."""
    return RENDERERS.get(app, _generic)(activity, tenant_id)
