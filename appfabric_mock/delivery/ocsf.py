"""An activity as an OCSF 1.1.0 event, the way AppFabric normalises audit logs.

AWS's admin guide ("Open Cybersecurity Schema Framework for AWS AppFabric")
says AppFabric's schema is based on OCSF 1.1; the shape of each event follows
AWS's sample events (aws-samples/appfabric-sample-log-generator): ``actor``
with ``user`` and ``session``, the acted-on ``user``, ``metadata.product``
naming the application, ``metadata.event_code`` carrying the application's own
event type, ``http_request.user_agent``.  Attributes that AWS's samples take
from OCSF profiles (``device``) are not used: every event validates against the
OCSF 1.1.0 class without a profile.
"""

from __future__ import annotations

import json
import operator
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .catalog import OCSF_CLASSES, AppProfile, EventKind
from .generator import Activity, Actor

#: The ``metadata.version`` of every event.
OCSF_VERSION = "1.1.0"
LOG_PROVIDER = "AWS AppFabric"


def render(activity: Activity, app: str, profile: AppProfile, tenant_id: str, processed_ms: int) -> Dict[str, Any]:
    """The OCSF event of ``activity`` (a fresh dict)."""
    kind = activity.kind
    cls = OCSF_CLASSES[kind.kind]
    actor = activity.actor
    target = activity.target
    success = activity.success
    event: Dict[str, Any] = {
        "activity_id": cls.activity_id,
        "activity_name": cls.activity_name,
        "category_name": cls.category_name,
        "category_uid": cls.category_uid,
        "class_name": cls.class_name,
        "class_uid": cls.class_uid,
        "type_name": f"{cls.class_name}: {cls.activity_name}",
        "type_uid": cls.class_uid * 100 + cls.activity_id,
        "time": activity.time_ms,
        "severity": "Informational" if success else "Low",
        "severity_id": 1 if success else 2,
        "status": "Success" if success else "Failure",
        "status_id": 1 if success else 2,
        "message": kind.message,
        "metadata": {
            "event_code": kind.code,
            "log_provider": LOG_PROVIDER,
            "processed_time": processed_ms,
            "product": {"name": profile.product, "uid": app.lower(), "vendor_name": profile.vendor},
            "tenant_uid": tenant_id,
            "uid": activity.uid,
            "version": OCSF_VERSION,
        },
    }
    actor_object = {
        "session": {"uid": activity.session_uid},
        "user": {"email_addr": actor.email, "name": actor.name, "type": "User", "type_id": 1, "uid": actor.uid},
    }
    endpoint = {"ip": activity.ip}
    user = {"email_addr": target.email, "name": target.name, "type": "User", "type_id": 1, "uid": target.uid}
    uid = cls.class_uid
    if uid == 3002:
        event["actor"] = actor_object
        event["user"] = user
        event["src_endpoint"] = endpoint
        event["http_request"] = {"user_agent": activity.user_agent}
        event["service"] = {"name": profile.product, "uid": app.lower()}
        event["is_mfa"] = False
        if not success:
            event["status_detail"] = "INVALID_CREDENTIALS"
    elif uid == 3001:
        event["actor"] = actor_object
        event["user"] = user
        event["src_endpoint"] = endpoint
        event["http_request"] = {"user_agent": activity.user_agent}
    elif uid == 3005:
        event["user"] = user
        event["privileges"] = [activity.role]
        event["resource"] = {"name": profile.product, "type": "AppInstance", "uid": app.lower()}
    elif uid == 3006:
        event["user"] = user
        event["group"] = {"name": activity.group, "uid": activity.resource_uid}
    elif uid == 6001:
        event["src_endpoint"] = endpoint
        event["http_request"] = {"user_agent": activity.user_agent}
        event["web_resources"] = [
            {"name": activity.resource_name, "type": kind.resource, "uid": activity.resource_uid},
        ]
        event["unmapped"] = {"actor_email": actor.email}
    else:  # 6003 API Activity
        event["actor"] = actor_object
        event["src_endpoint"] = endpoint
        event["api"] = {"operation": kind.code, "service": {"name": profile.product}}
        event["resources"] = [{"name": activity.resource_name, "type": kind.resource, "uid": activity.resource_uid}]
    return event


# -- the fast path: JSON lines without building dicts ------------------------------------------
#
# Writing ten thousand events a second as dicts and then JSON costs more than the
# events are worth; every event of one kind has the same structure, so its JSON is
# a template with slots.  The template is made *by* ``render`` (with sentinel
# values) and the JSON encoder, so the two paths cannot drift apart; a test checks
# that they write the same bytes.

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]
_TIME = 7777777777771
#: Slots whose values need JSON escaping (user names and addresses come from tests): the
#: template's slot replaces the quoted string, and the value is inserted encoded, quotes and all.
_ENCODED = ("actor_uid", "actor_name", "actor_email", "target_uid", "target_name", "target_email")
#: Slots whose values never need escaping (hex ids, addresses, the generator's fixed words):
#: inserted as they are, between the template's own quotes.
_PLAIN = ("uid", "session_uid", "ip", "user_agent", "resource_uid", "resource_name", "role", "group")
#: Sentinels no generated value contains (a NUL cannot come from the generator or the catalog).
_SLOTS = {name: f"\x00{name}\x00" for name in _ENCODED + _PLAIN}
_INDEX = {name: index for index, name in enumerate(_ENCODED + _PLAIN + ("time",))}


def _template(kind: EventKind, app: str, profile: AppProfile, tenant_id: str,
              processed_ms: int) -> Optional[Tuple[str, Any]]:
    """(printf-style text with one ``%s`` per slot, a getter of the slots' values in text order).

    None when the text would be ambiguous (a tenant id with a NUL in it): such events take the
    plain path.
    """
    if "\x00" in tenant_id:
        return None
    slots = _SLOTS
    actor = Actor(slots["actor_uid"], slots["actor_name"], slots["actor_email"])
    target = Actor(slots["target_uid"], slots["target_name"], slots["target_email"])
    sample = Activity(kind, _TIME, actor, target, slots["uid"], slots["session_uid"], slots["ip"],
                      slots["user_agent"], kind.kind != "login_failed", slots["resource_uid"],
                      slots["resource_name"], slots["role"], slots["group"])
    text = _encode(render(sample, app, profile, tenant_id, processed_ms)).replace("%", "%%")
    tokens = {_string(slots[name]): _INDEX[name] for name in _ENCODED}
    tokens.update({_string(slots[name])[1:-1]: _INDEX[name] for name in _PLAIN})
    tokens[str(_TIME)] = _INDEX["time"]
    pattern = re.compile("|".join(re.escape(token) for token in sorted(tokens, key=len, reverse=True)))
    order: List[int] = []

    def slot(match: "re.Match[str]") -> str:
        order.append(tokens[match.group(0)])
        return "%s"

    text = pattern.sub(slot, text)
    if "\\u0000" in text:  # a value built from a slot: render must use each one whole
        raise AssertionError(f"OCSF template for {kind.code} has a composite value: {text}")
    return text, operator.itemgetter(*order) if len(order) > 1 else (lambda values: (values[order[0]],))


def json_lines(activities: Sequence[Activity], app: str, profile: AppProfile, tenant_id: str,
               processed_ms: int) -> List[str]:
    """The JSON of each activity's OCSF event: the same text as ``render`` and JSON encoding."""
    templates: Dict[int, Optional[Tuple[str, Any]]] = {}
    people: Dict[str, Tuple[str, str, str]] = {}
    out: List[str] = []
    append = out.append
    for activity in activities:
        kind = activity.kind
        key = id(kind)
        if key in templates:
            found = templates[key]
        else:
            found = templates[key] = _template(kind, app, profile, tenant_id, processed_ms)
        if found is None:
            append(_encode(render(activity, app, profile, tenant_id, processed_ms)))
            continue
        text, pick = found
        actor, target = activity.actor, activity.target
        a = people.get(actor.email)
        if a is None:
            a = people[actor.email] = (_string(actor.uid), _string(actor.name), _string(actor.email))
        t = people.get(target.email)
        if t is None:
            t = people[target.email] = (_string(target.uid), _string(target.name), _string(target.email))
        append(text % pick((a[0], a[1], a[2], t[0], t[1], t[2], activity.uid, activity.session_uid, activity.ip,
                            activity.user_agent, activity.resource_uid, activity.resource_name, activity.role,
                            activity.group, activity.time_ms)))
    return out
