"""Signed, expiring tokens for the links in mails: confirm, unsubscribe, manage.

A token is ``{subscriber id}.{expiry}.{signature}`` (ids and expiry in hex, the signature an
urlsafe base64 HMAC-SHA256 over the purpose, the channel, the id and the expiry). Nothing is
stored: the signature proves the server issued it, the purpose keeps an unsubscribe token from
confirming anything, the channel keeps it to email subscribers (the web pages also check the
subscriber's channel), and the expiry is checked on every use, so a replay after it is refused.

The key is the deployment's own random key (made once by ``kamerwacht db upgrade`` and kept in
the database, or ``KAMERWACHT_SECRET_KEY``): without it no token can be made from an id, and two
deployments never accept each other's tokens. There is no default key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta

__all__ = [
    "CONFIRM",
    "CONFIRM_TTL",
    "EMAIL",
    "MANAGE",
    "MANAGE_TTL",
    "UNSUBSCRIBE",
    "UNSUBSCRIBE_TTL",
    "InvalidToken",
    "make_token",
    "read_token",
]

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
MANAGE = "manage"

CONFIRM_TTL = timedelta(days=2)
UNSUBSCRIBE_TTL = timedelta(days=90)
MANAGE_TTL = timedelta(days=90)

_TOKEN_RE = re.compile(
    r"^(?P<id>[0-9a-f]{1,16})\.(?P<exp>[0-9a-f]{1,16})\.(?P<sig>[A-Za-z0-9_-]{43})$"
)


class InvalidToken(ValueError):
    """A token that is malformed, forged, altered, expired or made for another purpose."""


EMAIL = "email"  # the channel mail tokens act on


def _signature(secret: str, purpose: str, channel: str, body: str) -> str:
    if not secret:
        raise ValueError("no signing key")
    message = f"kamerwacht:{purpose}:{channel}:{body}".encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def make_token(
    secret: str,
    purpose: str,
    subscriber_id: int,
    *,
    ttl: timedelta,
    now: datetime,
    channel: str = EMAIL,
) -> str:
    """A token for ``purpose`` and ``subscriber_id`` on ``channel``, valid until ``now + ttl``."""
    if subscriber_id < 0:
        raise ValueError("subscriber_id must not be negative")
    expires = int((now + ttl).timestamp())
    body = f"{subscriber_id:x}.{expires:x}"
    return f"{body}.{_signature(secret, purpose, channel, body)}"


def read_token(
    secret: str, purpose: str, token: str, *, now: datetime, channel: str = EMAIL
) -> int:
    """The subscriber id in ``token``; raises InvalidToken unless it is genuine and current.

    Genuine means signed with ``secret`` for this ``purpose`` and ``channel``.
    """
    match = _TOKEN_RE.fullmatch(token)  # not .match: "$" also matches before a trailing "\n"
    if match is None:
        raise InvalidToken("malformed token")
    body = f"{match['id']}.{match['exp']}"
    if not hmac.compare_digest(match["sig"], _signature(secret, purpose, channel, body)):
        raise InvalidToken("bad signature")
    if int(match["exp"], 16) <= now.timestamp():
        raise InvalidToken("expired token")
    return int(match["id"], 16)
