"""Logging set-up: key=value, JSON or plain text, with secrets redacted from every record."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

__all__ = ["RedactingFilter", "configure_logging"]

# Fields callers pass with ``extra=`` that the formatters print.
CONTEXT_FIELDS = ("source", "motion_id", "chat_id", "subscriber_id", "change_id", "role")
_BOT_TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactingFilter(logging.Filter):
    """Replaces known secrets (and anything shaped like a bot token) with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _BOT_TOKEN_RE.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, so formatters never see the raw arguments."""
        message = record.getMessage()
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class KeyValueFormatter(logging.Formatter):
    """``ts=… level=… logger=… msg="…" source=…``."""

    def format(self, record: logging.LogRecord) -> str:
        """One line per record."""
        ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        parts = [f"ts={ts}", f"level={record.levelname.lower()}", f"logger={record.name}"]
        parts.append(f"msg={json.dumps(record.getMessage(), ensure_ascii=False)}")
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                parts.append(f"{key}={value}")
        if record.exc_text:
            parts.append(f"exc={json.dumps(record.exc_text, ensure_ascii=False)}")
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """One line per record."""
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                data[key] = value
        if record.exc_text:
            data["exc"] = record.exc_text
        return json.dumps(data, ensure_ascii=False)


def configure_logging(
    fmt: str = "keyvalue", level: str = "INFO", secrets: Iterable[str] = ()
) -> None:
    """Configure the root logger once: one stderr handler, redaction, quiet HTTP libraries."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter(secrets))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    elif fmt == "keyvalue":
        handler.setFormatter(KeyValueFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; Telegram's URLs contain the bot token.
    for noisy in (
        "httpx",
        "httpcore",
        "telegram.ext.ExtBot",
        "apscheduler",
        "uvicorn.access",
        "alembic",  # plugin set-up chatter on every schema check
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
