"""Applications the API accepts, how each connects, and the shape of its ``authUrl``.

Evidence (docs/fidelity.rst, "Applications", says the same for users):

* The ``app`` member's documentation in botocore's model (and every AWS SDK built from it)
  lists twelve values: SLACK, ASANA, JIRA, M365, M365AUDITLOGS, ZOOM, ZENDESK, OKTA,
  GOOGLE, DROPBOX, SMARTSHEET, CISCO.
* TERRAFORMCLOUD is used with ``apiKey`` by the Terraform AWS provider's acceptance tests,
  which run against AWS (internal/service/appfabric/app_authorization_test.go); the same
  tests use DROPBOX with ``oauth2``.
* The authorization type of each app comes from its page in the AppFabric administration
  guide (OAuth client id and secret: ``oauth2``; a token or key: ``apiKey``).  The guide
  lists about thirty applications, but the API names of the others are published nowhere,
  so they are not accepted by default (``extra_apps`` adds them).
* Each OAuth app's authorize endpoint follows that provider's own documentation; the
  tenant-specific ones (Okta, Zendesk, Microsoft) put the tenant where the provider does.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, Mapping, NamedTuple, Optional
from urllib.parse import quote

OAUTH2 = "oauth2"
API_KEY = "apiKey"

#: Builds the authorize endpoint (no query) of an OAuth app from the authorization's tenant identifier.
AuthorizeUrl = Callable[[str], str]

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


class KnownApp(NamedTuple):
    """An application name the API accepts.

    ``auth_type`` is ``"oauth2"``, ``"apiKey"`` or None (either is accepted: an app added
    with ``extra_apps`` and no type).  ``authorize`` is the OAuth authorize endpoint: an
    https URL, or the name of a tenant-specific one in :data:`TENANT_ENDPOINTS` (None: an
    invented ``https://<app>.oauth.example.com/oauth2/authorize``).  Plain data, so state
    files can save it.
    """

    display_name: str
    auth_type: Optional[str]
    authorize: Optional[str] = None


def _okta(tenant: str) -> str:
    # Okta's org authorization server: https://<okta domain>/oauth2/v1/authorize.  The
    # admin guide's tenant identifier is the Okta domain (dev-22002358.okta.com).
    host = tenant.strip().lower()
    if "." not in host:
        host = f"{host}.okta.com"
    return f"https://{host if _HOSTNAME.match(host) else 'okta.com'}/oauth2/v1/authorize"


def _zendesk(tenant: str) -> str:
    # https://<subdomain>.zendesk.com/oauth/authorizations/new; the tenant identifier is the subdomain.
    sub = tenant.strip().lower()
    host = sub if sub.endswith(".zendesk.com") else f"{sub}.zendesk.com"
    return f"https://{host if _HOSTNAME.match(host) else 'zendesk.com'}/oauth/authorizations/new"


def _microsoft(tenant: str) -> str:
    # Microsoft identity platform v2: the Entra tenant id is a path segment.
    return f"https://login.microsoftonline.com/{quote(tenant, safe='')}/oauth2/v2.0/authorize"


#: Authorize endpoints that depend on the tenant, by the name a :class:`KnownApp` gives.
TENANT_ENDPOINTS: Mapping[str, AuthorizeUrl] = {"okta": _okta, "zendesk": _zendesk, "microsoft": _microsoft}

#: The applications the API is known to accept, by ``app`` value.
KNOWN_APPS: Mapping[str, KnownApp] = {
    "SLACK": KnownApp("Slack", OAUTH2, "https://slack.com/oauth/v2/authorize"),
    "ASANA": KnownApp("Asana", API_KEY),  # a service account token
    "JIRA": KnownApp("Atlassian Jira suite", OAUTH2, "https://auth.atlassian.com/authorize"),
    "M365": KnownApp("Microsoft 365", OAUTH2, "microsoft"),
    "M365AUDITLOGS": KnownApp("Microsoft 365 Audit Logs", OAUTH2, "microsoft"),
    # Server-to-server OAuth: client id and secret, no consent screen.
    "ZOOM": KnownApp("Zoom", OAUTH2, "https://zoom.us/oauth/authorize"),
    "ZENDESK": KnownApp("Zendesk", OAUTH2, "zendesk"),
    "OKTA": KnownApp("Okta", OAUTH2, "okta"),
    "GOOGLE": KnownApp("Google Workspace", OAUTH2, "https://accounts.google.com/o/oauth2/v2/auth"),
    "DROPBOX": KnownApp("Dropbox", OAUTH2, "https://www.dropbox.com/oauth2/authorize"),
    "SMARTSHEET": KnownApp("Smartsheet", OAUTH2, "https://app.smartsheet.com/b/authorize"),
    # Cisco Duo's Admin API credential (integration key and secret key) is entered as one token.
    "CISCO": KnownApp("Cisco Duo", API_KEY),
    "TERRAFORMCLOUD": KnownApp("Terraform Cloud", API_KEY),  # an organization API token
}


def authorize_endpoint(app: str, tenant: str, apps: Mapping[str, KnownApp]) -> str:
    """The authorize endpoint (no query) of ``app`` for ``tenant``."""
    known = apps.get(app)
    if known is not None and known.authorize is not None:
        builder = TENANT_ENDPOINTS.get(known.authorize)
        return builder(tenant) if builder is not None else known.authorize
    host = f"{app.lower()}.oauth.example.com" if app.isalnum() else "oauth.example.com"
    return f"https://{host}/oauth2/authorize"


def copy_apps() -> Dict[str, KnownApp]:
    return dict(KNOWN_APPS)
