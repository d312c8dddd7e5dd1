"""The signed links that mails carry and the web app answers: confirm, unsubscribe, manage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.email.tokens import (
    CONFIRM,
    CONFIRM_TTL,
    MANAGE,
    MANAGE_TTL,
    UNSUBSCRIBE,
    UNSUBSCRIBE_TTL,
    make_token,
)
from bot.settings import Settings

__all__ = ["Links", "SigningKeys"]


class SigningKeys(Protocol):
    """Where the deployment's own signing key is kept (the repository)."""

    def signing_key(self) -> str:
        """The key."""
        ...


@dataclass(frozen=True, slots=True)
class Links:
    """Builds absolute URLs under ``public_url`` with tokens signed by ``secret``."""

    public_url: str
    secret: str

    @classmethod
    def from_settings(cls, settings: Settings, keys: SigningKeys | None = None) -> Links:
        """Links for the configured public URL, signed with the configured key or else the
        deployment's own (``keys``: the repository); there is no default key."""
        if settings.secret_key is not None:
            secret = settings.secret_key.get_secret_value()
        elif keys is not None:
            secret = keys.signing_key()
        else:
            raise ValueError(
                "no signing key: set KAMERWACHT_SECRET_KEY or run `kamerwacht db upgrade`"
            )
        return cls(settings.public_url.rstrip("/"), secret)

    def url(self, path: str) -> str:
        """``public_url`` + ``path``."""
        return f"{self.public_url}{path}"

    def confirm(self, subscriber_id: int, now: datetime) -> str:
        """The page with the Confirm button (double opt-in)."""
        token = make_token(self.secret, CONFIRM, subscriber_id, ttl=CONFIRM_TTL, now=now)
        return self.url(f"/bevestigen/{token}")

    def unsubscribe_token(self, subscriber_id: int, now: datetime) -> str:
        """A token for the one-click unsubscribe URL and the mailto fallback."""
        return make_token(self.secret, UNSUBSCRIBE, subscriber_id, ttl=UNSUBSCRIBE_TTL, now=now)

    def unsubscribe(self, subscriber_id: int, now: datetime) -> str:
        """The one-click unsubscribe URL (RFC 8058: POST ``List-Unsubscribe=One-Click``)."""
        return self.url(f"/afmelden/{self.unsubscribe_token(subscriber_id, now)}")

    def manage(self, subscriber_id: int, now: datetime) -> str:
        """The subscriber's manage page."""
        token = make_token(self.secret, MANAGE, subscriber_id, ttl=MANAGE_TTL, now=now)
        return self.url(f"/abonnement/{token}")
