"""Applications AppFabric knows, and the OAuth host each one's authUrl points at."""

from __future__ import annotations

from typing import Dict, Mapping, NamedTuple, Optional


class KnownApp(NamedTuple):
    """An application name the API accepts, as documented."""

    display_name: str
    oauth_host: Optional[str]  # None: the app is connected with an API key


#: The 12 applications the API reference names, plus TERRAFORMCLOUD (used with an
#: API key by Terraform's acceptance tests against the real service).
KNOWN_APPS: Mapping[str, KnownApp] = {
    "SLACK": KnownApp("Slack", "slack.com"),
    "ASANA": KnownApp("Asana", None),
    "JIRA": KnownApp("Atlassian Jira suite", "auth.atlassian.com"),
    "M365": KnownApp("Microsoft 365", "login.microsoftonline.com"),
    "M365AUDITLOGS": KnownApp("Microsoft 365 Audit Logs", "login.microsoftonline.com"),
    "ZOOM": KnownApp("Zoom", "zoom.us"),
    "ZENDESK": KnownApp("Zendesk", "zendesk.com"),
    "OKTA": KnownApp("Okta", "okta.com"),
    "GOOGLE": KnownApp("Google Workspace", "accounts.google.com"),
    "DROPBOX": KnownApp("Dropbox", "www.dropbox.com"),
    "SMARTSHEET": KnownApp("Smartsheet", "app.smartsheet.com"),
    "CISCO": KnownApp("Cisco Duo", None),
    "TERRAFORMCLOUD": KnownApp("Terraform Cloud", None),
}


def oauth_host(app: str, apps: Mapping[str, KnownApp]) -> str:
    known = apps.get(app)
    if known is not None and known.oauth_host:
        return known.oauth_host
    return f"{app.lower()}.oauth.example.com" if app.isalnum() else "oauth.example.com"


def copy_apps() -> Dict[str, KnownApp]:
    return dict(KNOWN_APPS)
