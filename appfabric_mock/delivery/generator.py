"""Activities in an application: who did what, when, from where, drawn with a seed.

An :class:`Activity` is the application-neutral description of one audit event;
:mod:`.ocsf` and :mod:`.raw` turn it into what AppFabric delivers.  Actors are
the users that tests register with
:meth:`~appfabric_mock.AppFabricMock.add_app_user` for the ingestion's app and
tenant (a few example users when none are registered).  Only names, e-mail
addresses and ids of users are used: nothing secret ever enters an event.
"""

from __future__ import annotations

import hashlib
import random
from typing import Iterable, List, NamedTuple, Sequence

from .catalog import EventKind, weighted


class Actor(NamedTuple):
    """A user of the application as events name them."""

    uid: str
    name: str
    email: str


class Activity(NamedTuple):
    """One audit event, before it is written as OCSF or in the application's own shape."""

    kind: EventKind
    time_ms: int
    actor: Actor
    target: Actor
    uid: str
    session_uid: str
    ip: str
    user_agent: str
    success: bool
    resource_uid: str
    resource_name: str
    role: str
    group: str


#: Used when a test registered no user for the app and tenant (names from AWS's examples).
EXAMPLE_USERS = (
    ("Jane", "Doe"), ("John", "Doe"), ("Mateo", "Jackson"), ("Nikki", "Wolf"), ("Carlos", "Salazar"),
)
#: Documentation address ranges (RFC 5737): never a real client.
_NETWORKS = ("192.0.2.", "198.51.100.", "203.0.113.")
_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
)
_ROLES = ("Administrator", "Read-only administrator", "Help desk administrator", "Member")
_GROUPS = ("Engineering", "Finance", "Security", "Everyone")
_RESOURCES = ("Quarterly report", "Roadmap", "On-call runbook", "Budget 2024", "Customer list")
# The OCSF fast path (ocsf.json_lines) writes these words unescaped between quotes.
assert all(w.isprintable() and '"' not in w and "\\" not in w for w in _USER_AGENTS + _ROLES + _GROUPS + _RESOURCES)


def stable_uid(app: str, email: str) -> str:
    """A user id derived from the address, so that the same user keeps one id in every event."""
    digest = hashlib.blake2b(f"{app}:{email.lower()}".encode(), digest_size=10).hexdigest()
    if app == "OKTA":
        return "00u" + digest[:17]
    if app == "SLACK":
        return "U" + digest[:10].upper()
    if app in ("GOOGLE",):
        return str(int(digest[:15], 16))
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[:12]}"


def actors(app: str, users: Iterable[object]) -> List[Actor]:
    """Actors from registered users (objects with email, user_id, first_name, last_name)."""
    found: List[Actor] = []
    for user in users:
        email = user.email  # type: ignore[attr-defined]
        first, last = getattr(user, "first_name", None), getattr(user, "last_name", None)
        name = " ".join(n for n in (first, last) if n) or email.split("@")[0]
        found.append(Actor(getattr(user, "user_id", None) or stable_uid(app, email), name, email))
    if not found:
        for first, last in EXAMPLE_USERS:
            email = f"{first.lower()}.{last.lower()}@example.com"
            found.append(Actor(stable_uid(app, email), f"{first} {last}", email))
    found.sort(key=lambda actor: actor.email)
    return found


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID string from ``rng`` (reproducible when ``rng`` is seeded)."""
    return uuid_from_bits(rng.getrandbits(128))


def uuid_from_bits(bits: int) -> str:
    """A version-4 UUID string made of 122 of ``bits``' low 128 bits."""
    text = f"{bits & _MASK_128:032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-{text[20:]}"


_MASK_128 = (1 << 128) - 1
#: The RFC 4122 variant digit (8, 9, a or b) for any hex digit.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def activities(
    kinds: Sequence[EventKind],
    people: Sequence[Actor],
    count: int,
    start_ms: int,
    end_ms: int,
    rng: random.Random,
) -> List[Activity]:
    """``count`` activities with times in (``start_ms``, ``end_ms``], oldest first.

    Within one delivery each person keeps one session, client address and browser, as a
    person at work does; a document keeps its id.  Each activity takes its other choices
    from one 256-bit draw (bit fields below): ten thousand events take milliseconds.
    """
    pool = weighted(tuple(kinds))
    low = min(start_ms + 1, end_ms)
    span = end_ms - low + 1
    getrandbits = rng.getrandbits
    # Per person: (session id, client address, user agent).
    clients = {}
    for person in people:
        bits = getrandbits(96)
        clients[person.email] = ("%016x" % (bits & 0xFFFFFFFFFFFFFFFF),
                                 _ADDRESSES[(bits >> 64 & 0xFFFF) % len(_ADDRESSES)],
                                 _USER_AGENTS[(bits >> 80) % len(_USER_AGENTS)])
    draws = [getrandbits(256) for _ in range(count)]
    times = sorted(low + (bits & 0xFFFFFFFFFFFF) % span for bits in draws)
    n_pool, n_people, n_resources = len(pool), len(people), len(_RESOURCES)
    self_kinds = _SELF_KINDS
    new = tuple.__new__
    out: List[Activity] = []
    append = out.append
    for time_ms, bits in zip(times, draws):
        kind = pool[(bits >> 48 & 0xFF) % n_pool]
        actor = people[(bits >> 56 & 0xFF) % n_people]
        target = actor if kind.kind in self_kinds else people[(bits >> 64 & 0xFF) % n_people]
        session, address, agent = clients[actor.email]
        resource, resource_uid = _RESOURCE_IDS[(bits >> 72 & 0xFF) % n_resources]
        append(new(Activity, (
            kind, time_ms, actor, target, uuid_from_bits(bits >> 128), session, address, agent,
            kind.kind != "login_failed", resource_uid, resource,
            _ROLES[(bits >> 80 & 0xFF) % len(_ROLES)], _GROUPS[(bits >> 88 & 0xFF) % len(_GROUPS)],
        )))
    return out


#: Each document with its id (stable: derived from its name).
_RESOURCE_IDS = tuple((name, hashlib.blake2b(name.encode(), digest_size=6).hexdigest()) for name in _RESOURCES)
#: Every client address the generator uses.
_ADDRESSES = tuple(f"{network}{host}" for network in _NETWORKS for host in range(1, 255))
#: Activities that a user does to themselves.
_SELF_KINDS = frozenset({"login", "login_failed", "logout"})
