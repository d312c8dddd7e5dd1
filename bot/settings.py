"""The one Settings object: every knob, from ``KAMERWACHT_*`` environment variables or ``.env``.

Secrets are ``SecretStr``: their repr is masked, so printing or logging Settings leaks nothing.
Only the composition root (``bot.app``) and the CLI build a Settings; everything else receives the
values it needs.
"""

from __future__ import annotations

import json
import re
from datetime import time
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from state.models import is_motion_key

__all__ = ["WEEKDAYS", "Settings", "Weekday", "env_example"]

TWEEDEKAMER_URL = "https://gegevensmagazijn.tweedekamer.nl/OData/v5"
TWEEDEKAMER_SYNCFEED_URL = "https://gegevensmagazijn.tweedekamer.nl/SyncFeed/2.0"
OFFICIELEBEKENDMAKINGEN_URL = "https://repository.overheid.nl"
RIJKSOVERHEID_FEED_URL = "https://www.rijksoverheid.nl/api/rss"
TOKEN_RE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")  # what @BotFather hands out
MIN_SECRET = 16
KNOWN_KEYS = frozenset({"change-me-in-production"})  # published defaults are not keys
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RE = re.compile(r"(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)")


class Settings(BaseSettings):
    """kamerwacht's configuration. Each field is ``KAMERWACHT_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="KAMERWACHT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # storage
    database_url: str = Field(
        "sqlite:///./kamerwacht.db",
        description="SQLAlchemy URL: sqlite:///path (default) or postgresql+psycopg://user@host/db",
    )

    # sources
    tweedekamer_url: str = Field(
        TWEEDEKAMER_URL, description="Tweede Kamer OData base URL (v5; v4/2.0 also understood)"
    )
    tweedekamer_syncfeed_url: str = Field(
        TWEEDEKAMER_SYNCFEED_URL,
        description="Tweede Kamer SyncFeed 2.0 base URL (the change stream); empty turns it off",
    )
    officielebekendmakingen_url: str = Field(
        OFFICIELEBEKENDMAKINGEN_URL,
        description="repository.overheid.nl base (SRU at /sru, files at /frbr/...)",
    )
    officielebekendmakingen_rss_url: str = Field(
        "https://zoek.officielebekendmakingen.nl/rss",
        description="officielebekendmakingen RSS search feed",
    )
    rijksoverheid_feed_url: str = Field(
        RIJKSOVERHEID_FEED_URL, description="rijksoverheid.nl document feed (best effort)"
    )
    poll_interval: int = Field(1800, ge=10, description="Seconds between polls of each source")
    topic: str = Field("nagorno-karabach", description="Topic profile name (scrapers/topics.py)")
    watchlist: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Motion ids or Zaak numbers always tracked, comma-separated "
        "(e.g. 21501-02-2228,35570-V-31,2025Z08365)",
    )
    http_timeout: float = Field(
        60.0,
        gt=0,
        description="Read timeout per request, seconds (expanded OData queries can be slow)",
    )
    http_max_bytes: int = Field(20_000_000, gt=0, description="Largest response body accepted")
    http_min_interval: float = Field(
        0.2, ge=0, description="Minimum seconds between two requests to one host"
    )
    http_retries: int = Field(4, ge=0, description="Retries on connect errors, 429 and 5xx")
    http_timeout_retries: int = Field(
        1, ge=0, description="Of those retries, how many may follow a timeout"
    )
    poll_deadline: float = Field(
        120.0,
        gt=0,
        description="Seconds a poll cycle may take; a source unfinished by then fails that cycle",
    )
    contact: str = Field(
        "https://github.com/kamerwacht/kamerwacht",
        description="Contact URL or address put in the User-Agent",
    )

    # telegram
    telegram_token: SecretStr | None = Field(
        None, description="Bot token from @BotFather; without it the bot is off"
    )
    telegram_api_url: str = Field(
        "https://api.telegram.org/bot",
        description="Bot API base URL (a local Bot API server or a test fake goes here)",
    )
    telegram_webhook_url: str | None = Field(
        None, description="Public webhook URL; unset means long polling"
    )
    admin_chat_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Telegram chat ids allowed to use admin commands"
    )
    admin_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses told (with the admin chats) when a source or the outbox stalls",
    )

    # web
    web_host: str = Field("127.0.0.1", description="Address the web app listens on")
    web_port: int = Field(8080, ge=0, le=65535, description="Port the web app listens on")
    public_url: str = Field(
        "http://127.0.0.1:8080", description="Public base URL used in links in messages and mail"
    )
    secret_key: SecretStr | None = Field(
        None,
        description=(
            "Key that signs the links in mails (at least 32 characters); unset means the "
            "deployment's own random key, made by `kamerwacht db upgrade` and kept in the database"
        ),
    )

    # email
    smtp_host: str | None = Field(None, description="SMTP server; without it email is off")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port")
    smtp_user: str | None = Field(None, description="SMTP login (optional)")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (optional)")
    smtp_from: str = Field("kamerwacht <kamerwacht@localhost>", description="From address")
    smtp_starttls: bool = Field(True, description="Use STARTTLS on the SMTP connection")
    digest_time: time = Field(time(8, 0), description="Local time (Europe/Amsterdam) of digests")
    digest_weekday: Weekday = Field("mon", description="Day of the weekly digest (mon … sun)")
    timezone: str = Field("Europe/Amsterdam", description="Time zone for digests and dates")

    # overdue motions (issue 17)
    overdue_months: int = Field(
        6,
        ge=1,
        le=120,
        description="Months after adoption an execution report is due when the motion sets no date",
    )

    # operations
    log_format: Literal["text", "keyvalue", "json"] = Field(
        "keyvalue", description="Log line format: keyvalue, json or text"
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR")
    source_alarm_after: int = Field(
        6 * 3600, ge=60, description="Seconds a source may fail before admins are alerted"
    )
    outbox_alarm_after: int = Field(
        1800, ge=60, description="Seconds pending deliveries may wait without progress"
    )
    stale_claim_seconds: int = Field(
        1800,
        ge=60,
        description=(
            "Seconds after which a delivery claim no worker renewed belongs to a dead worker "
            "and is sent again (live workers renew theirs every minute at most)"
        ),
    )
    outbox_retention_days: int = Field(
        30, ge=1, description="Days sent (and failed or skipped) outbox rows are kept"
    )

    @field_validator("watchlist", "admin_emails", mode="before")
    @classmethod
    def _split_watchlist(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):  # a JSON list, as other settings tools write lists
                try:
                    loaded = json.loads(text)
                except ValueError as exc:
                    raise ValueError(f"not a comma-separated list nor a JSON list: {exc}") from None
                if not isinstance(loaded, list):
                    raise ValueError("not a comma-separated list nor a JSON list")
                return [str(v).strip() for v in loaded]
            return [v.strip() for v in text.split(",") if v.strip()]
        return value

    @field_validator("watchlist", mode="after")
    @classmethod
    def _check_watchlist(cls, value: list[str]) -> list[str]:
        wrong = [v for v in value if not is_motion_key(v)]
        if wrong:
            raise ValueError(
                f"not a motion id or Zaak number: {', '.join(map(repr, wrong))} "
                "(expected e.g. 21501-02-2228 or 2025Z08365, comma-separated)"
            )
        return value

    @field_validator("telegram_token", mode="after")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return value
        if not TOKEN_RE.fullmatch(value.get_secret_value()):
            raise ValueError("not a bot token (expected <digits>:<letters, digits, _ or ->)")
        return value

    @field_validator("secret_key", mode="after")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        key = value.get_secret_value()
        if key in KNOWN_KEYS or len(key) < MIN_SECRET:
            raise ValueError(
                f"must be at least {MIN_SECRET} random characters "
                "(or unset: the deployment's own key in the database)"
            )
        return value

    @field_validator("digest_time", mode="before")
    @classmethod
    def _parse_time(cls, value: object) -> object:
        if isinstance(value, str):
            match = _TIME_RE.fullmatch(value.strip())
            if match is None:
                raise ValueError(f"must be HH:MM (00:00 to 23:59), not {value!r}")
            return time(int(match["h"]), int(match["m"]))
        return value

    @field_validator("digest_weekday", mode="before")
    @classmethod
    def _parse_weekday(cls, value: object) -> object:
        if isinstance(value, str):
            day = value.strip().lower()
            if day in _DAY_NAMES:
                return WEEKDAYS[_DAY_NAMES.index(day)]
            if day not in WEEKDAYS:
                raise ValueError(f"must be mon, tue, wed, thu, fri, sat or sun, not {value!r}")
            return day
        return value

    @field_validator("admin_chat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.replace(";", ",").split(",") if v.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def telegram_enabled(self) -> bool:
        """Whether a bot token is configured."""
        return self.telegram_token is not None and bool(self.telegram_token.get_secret_value())

    @property
    def email_enabled(self) -> bool:
        """Whether an SMTP server is configured."""
        return bool(self.smtp_host)


def env_example() -> str:
    """The text of ``.env.example``: every setting, its description and its default."""
    lines = [
        "# kamerwacht configuration: copy to .env (or set these in the environment).",
        "# Every name is KAMERWACHT_<FIELD>; uncomment a line to change its default.",
        "# Generated from bot/settings.py by bot.settings.env_example().",
        "",
    ]
    for name, info in Settings.model_fields.items():
        default = info.get_default(call_default_factory=True)
        if isinstance(default, SecretStr) or default is None:
            shown = ""
        elif isinstance(default, bool):
            shown = str(default).lower()
        elif isinstance(default, list):
            shown = ",".join(str(v) for v in default)
        elif isinstance(default, time):
            shown = default.strftime("%H:%M")
        else:
            shown = str(default)
        if info.description:
            lines.append(f"# {info.description}")
        lines.append(f"# KAMERWACHT_{name.upper()}={shown}")
    return "\n".join(lines) + "\n"
