"""Opaque pagination tokens: stable across processes, bound to operation and scope.

A token carries the creation sequence number of the last item returned, the
operation, a digest of the listing's scope (which bundle, which ingestion) and
the time it was issued, sealed with a checksum.  A token older than 24 hours (by
the mock's clock) is an ``InvalidToken`` error (HTTP 400), as the model's
``nextToken`` documentation says.  A token that does not decode, whose checksum
fails, or that belongs to another listing is a ValidationException (AWS documents
nothing for those).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Optional, Tuple

from ..errors import InvalidToken, ValidationException

TOKEN_LIFETIME_SECONDS = 24 * 60 * 60
_VERSION = 1


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_token(operation: str, scope: str, after_seq: int, issued_at: float) -> str:
    """Build the token that continues a listing after ``after_seq``."""
    payload = {"v": _VERSION, "o": operation, "s": _digest(scope), "a": after_seq, "t": int(issued_at)}
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    sealed = raw + "|" + _digest("appfabric-mock:" + raw)
    return base64.urlsafe_b64encode(sealed.encode()).decode().rstrip("=")


def decode_token(token: Optional[str], operation: str, scope: str, now: float) -> int:
    """The sequence number to continue after (0 for no token); raises on a bad token."""
    if token is None:
        return 0
    after, issued = _open(token, operation, scope)
    if now - issued > TOKEN_LIFETIME_SECONDS:
        # The model: "Using an expired pagination token will return an HTTP 400 InvalidToken error."
        raise InvalidToken("The pagination token has expired; start the listing again without nextToken")
    return after


def _open(token: str, operation: str, scope: str) -> Tuple[int, float]:
    invalid = ValidationException("Invalid pagination token", reason="other",
                                  field_list=[("nextToken", "The pagination token is invalid")])
    try:
        padded = token + "=" * (-len(token) % 4)
        sealed = base64.urlsafe_b64decode(padded.encode()).decode()
        raw, check = sealed.rsplit("|", 1)
        if _digest("appfabric-mock:" + raw) != check:
            raise invalid
        payload = json.loads(raw)
        after, issued = int(payload["a"]), float(payload["t"])
        same = payload["v"] == _VERSION and payload["o"] == operation and payload["s"] == _digest(scope)
    except ValidationException:
        raise
    except Exception:
        raise invalid from None
    if not same:
        raise ValidationException(
            "The pagination token was issued for a different request", reason="other",
            field_list=[("nextToken", "The pagination token does not belong to this request")],
        )
    return after, issued
