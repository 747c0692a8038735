"""Who may talk to the server: the rules that keep other web pages and processes out.

A server on 127.0.0.1 is reachable by every web page the developer opens.  A
page cannot read the answers of another origin, but it can send "simple"
requests (a form post, or ``fetch`` with a text body) and, through DNS
rebinding (its own host name resolving to 127.0.0.1), even read them.  So:

* **Host**: a request must name an allowed host (by default the loopback
  names and the address the server listens on, any port); a rebinding page's
  requests carry its own host name and are refused.  When the server listens
  on every address (``0.0.0.0``), an IP address as host is also allowed: no
  page can rebind to an IP literal.
* **Origin**: a request a browser marks as coming from another page
  (``Origin`` other than the server's own, ``Sec-Fetch-Site`` other than
  ``same-origin``/``none``) is refused.  SDKs and the AWS CLI send neither.
* **Content types**: a resource request with a body must say it is JSON
  (``application/json``, or ``application/x-amz-json-1.0``/``1.1``), as every
  SDK does; a control request that changes something (``POST``) must be
  ``application/json`` (browsers cannot send that cross-origin without a CORS
  preflight, which this server never grants).
* **Token** (optional): control requests must then carry
  ``Authorization: Bearer TOKEN`` or ``X-Appfabric-Mock-Token: TOKEN``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from typing import Dict, FrozenSet, Iterable, Optional

__all__ = ["ALLOWED_HOSTS_ENV", "TOKEN_ENV", "JSON_TYPES", "RequestPolicy", "Refusal", "is_loopback"]

#: Environment variable: extra allowed host names, comma-separated (``*``: any host).
ALLOWED_HOSTS_ENV = "APPFABRIC_MOCK_ALLOWED_HOSTS"
#: Environment variable: the token of the control API.
TOKEN_ENV = "APPFABRIC_MOCK_TOKEN"
#: Content types of a resource request body (the AWS SDKs send the first).
JSON_TYPES = frozenset({"application/json", "application/x-amz-json-1.0", "application/x-amz-json-1.1"})
#: Header that may carry the control token besides ``Authorization: Bearer``.
TOKEN_HEADER = "x-appfabric-mock-token"

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


class Refusal(Exception):
    """A request the policy refuses: HTTP ``status``, an error ``code`` and a message."""

    def __init__(self, status: int, code: str, message: str, headers: Optional[Dict[str, str]] = None,
                 reason: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        #: The ValidationException ``reason`` when ``code`` is ValidationException.
        self.reason = reason


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _hostname(host_header: str) -> str:
    """The host name of a Host header or origin authority, without port, lower-cased."""
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:5050
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def _media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


class RequestPolicy:
    """The rules for one server.

    :param bind_host: the address the server listens on.
    :param allowed_hosts: more host names to accept in ``Host`` (``"*"``: any); added to the
        loopback names, the bind address and those in ``APPFABRIC_MOCK_ALLOWED_HOSTS``.
    :param token: the control API's token (default: ``APPFABRIC_MOCK_TOKEN``, else none).
    """

    def __init__(self, bind_host: str, allowed_hosts: Optional[Iterable[str]] = None,
                 token: Optional[str] = None) -> None:
        hosts = set(_LOOPBACK_NAMES)
        bind = bind_host.strip("[]").lower()
        self.wildcard_bind = bind in _WILDCARDS
        if not self.wildcard_bind:
            hosts.add(bind)
        from_env = os.environ.get(ALLOWED_HOSTS_ENV, "")
        extra = [h for h in from_env.split(",") if h.strip()] + list(allowed_hosts or ())
        for host in extra:
            if not isinstance(host, str) or not host.strip():
                raise ValueError(f"allowed hosts must be non-empty strings, not {host!r}")
            hosts.add(_hostname(host))
        self.allowed_hosts: FrozenSet[str] = frozenset(hosts)
        self.any_host = "*" in hosts
        if token is None:
            token = os.environ.get(TOKEN_ENV) or None
        if token is not None and (not isinstance(token, str) or not token.strip()):
            raise ValueError("the control token must be a non-empty string")
        self.token = token

    def host_allowed(self, hostname: str) -> bool:
        """Whether a host name (no port) may be named in ``Host``."""
        if self.any_host or hostname in self.allowed_hosts:
            return True
        return self.wildcard_bind and _is_ip(hostname)

    def check(self, environ: Dict[str, object], method: str, control: bool, has_body: bool) -> None:
        """Raise :class:`Refusal` unless the request may proceed."""
        host = environ.get("HTTP_HOST")
        if not isinstance(host, str) or not host.strip():
            if environ.get("SERVER_PROTOCOL") == "HTTP/1.1":  # RFC 9112 §3.2: a server MUST answer 400
                raise Refusal(400, "ValidationException", "An HTTP/1.1 request must have a Host header", reason="other")
        elif not self.host_allowed(_hostname(host)):
            raise Refusal(403, "HostNotAllowed",
                          f"Host {_hostname(host)!r} is not allowed by appfabric-mock (a protection against DNS "
                          f"rebinding); allow it with --allowed-host {_hostname(host)} or {ALLOWED_HOSTS_ENV}")
        self._check_origin(environ, host if isinstance(host, str) else "")
        content_type = environ.get("CONTENT_TYPE")
        media = _media_type(content_type if isinstance(content_type, str) else None)
        if control:
            self._check_token(environ)
            if method not in ("GET", "HEAD", "DELETE") and media != "application/json":
                raise Refusal(415, "UnsupportedMediaType",
                              f"control requests that change the mock must have Content-Type: application/json, "
                              f"not {media or 'none'!r}")
        elif has_body and media not in JSON_TYPES:
            raise Refusal(400, "ValidationException",
                          f"Unsupported content type {media or 'none'!r}: AppFabric request bodies are JSON "
                          f"(Content-Type: application/json)", reason="cannotParse")

    def _check_origin(self, environ: Dict[str, object], host: str) -> None:
        site = environ.get("HTTP_SEC_FETCH_SITE")
        if isinstance(site, str) and site.strip().lower() not in ("same-origin", "none"):
            raise Refusal(403, "CrossOriginRequest",
                          f"requests from other web pages are refused (Sec-Fetch-Site: {site.strip()[:40]})")
        origin = environ.get("HTTP_ORIGIN")
        if isinstance(origin, str) and origin.strip() and origin.strip().lower() != f"http://{host.strip().lower()}":
            raise Refusal(403, "CrossOriginRequest",
                              f"requests from other web pages are refused (Origin: {origin.strip()[:80]})")

    def _check_token(self, environ: Dict[str, object]) -> None:
        token = self.token
        if token is None:
            return
        given = environ.get("HTTP_X_APPFABRIC_MOCK_TOKEN")
        auth = environ.get("HTTP_AUTHORIZATION")
        if not given and isinstance(auth, str) and auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), token.encode()):
            raise Refusal(401, "Unauthorized",
                          "this server's control API needs its token: Authorization: Bearer TOKEN "
                          "(or X-Appfabric-Mock-Token: TOKEN)",
                          {"WWW-Authenticate": 'Bearer realm="appfabric-mock"'})
