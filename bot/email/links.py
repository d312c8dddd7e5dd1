"""The signed links that mails carry and the web app answers: confirm, unsubscribe, manage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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

__all__ = ["Links"]


@dataclass(frozen=True, slots=True)
class Links:
    """Builds absolute URLs under ``public_url`` with tokens signed by ``secret``."""

    public_url: str
    secret: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Links:
        """Links for the configured public URL and secret key."""
        return cls(settings.public_url.rstrip("/"), settings.secret_key.get_secret_value())

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
