"""The HTML page at ``/``: the current state at a glance, for a browser.

Everything in it is escaped, and the page allows nothing but its own inline
style sheet (``Content-Security-Policy``): no script, no frame, no form, no
other origin.  It shows what the AppFabric API itself shows (no credential is
ever kept; e-mail addresses and user names are left out).
"""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Dict, List, Tuple

from .state import MockState

_STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
          "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;font-size:90%}"
          "code{font-size:90%}")
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

#: The page's response headers: the only resource it may use is its own style sheet.
HEADERS: Dict[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
                                "form-action 'none'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def render(state: MockState) -> bytes:
    """The page of ``state``, UTF-8 encoded."""
    # Text a client sent that is no valid Unicode (lone surrogates) shows escaped, never fails the page.
    return _html_page(state).encode("utf-8", "backslashreplace")


def _html_page(state: MockState) -> str:
    from .snapshot import snapshot

    e = html.escape
    data = snapshot(state)
    clock = state.settings.clock
    out = [
        "<!doctype html><html><head><meta charset='utf-8'><title>appfabric-mock</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>appfabric-mock</h1>",
        f"<p>Default account <code>{e(data['defaultAccountId'])}</code>; clock "
        f"{'frozen at' if clock.frozen else 'following the wall clock:'} <code>{e(clock.now().isoformat())}</code>. "
        "JSON: <a href='/_appfabric_mock/state'>state</a>, "
        "<a href='/_appfabric_mock/actions'>control actions</a>.</p>",
    ]
    if not data["accounts"]:
        out.append("<p>No resources yet.</p>")
    for account, regions in sorted(data["accounts"].items()):
        for region, region_state in sorted(regions.items()):
            out.append(f"<h2>Account <code>{e(account)}</code>, region <code>{e(region)}</code></h2>")
            rows: List[Tuple[str, str, str, str]] = []
            for bundle in region_state["appBundles"]:
                rows.append(("AppBundle", bundle["arn"], "", _tags(bundle["tags"])))
                for auth in bundle["appAuthorizations"]:
                    rows.append(("AppAuthorization", auth["arn"],
                                 f"{auth['app']} / {auth['tenantIdentifier']} ({auth['authType']}): {auth['status']}",
                                 _tags(auth["tags"])))
                for ingestion in bundle["ingestions"]:
                    rows.append(("Ingestion", ingestion["arn"],
                                 f"{ingestion['app']} / {ingestion['tenantId']} "
                                 f"({ingestion['ingestionType']}): {ingestion['state']}",
                                 _tags(ingestion["tags"])))
                    for dest in ingestion["destinations"]:
                        detail = str(dest["status"]) + (f": {dest['statusReason']}" if dest.get("statusReason") else "")
                        rows.append(("IngestionDestination", dest["arn"], detail, _tags(dest["tags"])))
            out.append("<table><tr><th>Type</th><th>ARN</th><th>Details</th><th>Tags</th></tr>")
            out.extend(f"<tr><td>{e(kind)}</td><td><code>{e(arn)}</code></td><td>{e(detail)}</td>"
                       f"<td>{e(tags)}</td></tr>" for kind, arn, detail, tags in rows)
            out.append("</table>")
            tasks = region_state["userAccessTasks"]
            if tasks:
                out.append(f"<p>{len(tasks)} user access task(s).</p>")
    out.append("</body></html>")
    return "\n".join(out)


def _tags(tags: Dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(tags.items()))
