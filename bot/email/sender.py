"""SMTP sending over one reused aiosmtplib connection.

``Mailer.send`` sends one message and sorts every failure into two kinds:

::

    MailError
    ├── TemporaryMailError   4xx replies, lost connections, timeouts, a refused sender or
    │                        login (our configuration): try again later
    └── PermanentMailError   5xx refusal of the recipient or the message: a bounce

The connection is opened on first use, kept between messages and re-opened once when the
server dropped it (idle timeout, ``421`` after N messages). Sends are serialised by a lock, so
one Mailer may be shared by the digest job and the web app's confirmation mails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from email.message import EmailMessage
from email.utils import parseaddr

import aiosmtplib

from bot.settings import Settings

__all__ = ["MailError", "Mailer", "PermanentMailError", "TemporaryMailError"]

logger = logging.getLogger(__name__)


class MailError(Exception):
    """A message was not accepted by the SMTP server."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TemporaryMailError(MailError):
    """Not sent now, may succeed later (4xx, connection trouble, our own configuration)."""


class PermanentMailError(MailError):
    """The server refused the recipient or the message for good (5xx): counts as a bounce."""


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}".strip()


class Mailer:
    """Sends EmailMessages through one SMTP connection, reused between messages."""

    def __init__(
        self,
        hostname: str,
        port: int,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = True,
        timeout: float = 30.0,
    ) -> None:
        self.hostname = hostname
        self.port = port
        self.sender = sender
        self._username = username
        self._password = password
        self._start_tls = start_tls
        self._timeout = timeout
        self._smtp: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()
        self.sent = 0
        self.connections = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        """A Mailer for the SMTP server in ``settings`` (``smtp_host`` must be set)."""
        if not settings.smtp_host:
            raise ValueError("KAMERWACHT_SMTP_HOST is not set: email is off")
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            start_tls=settings.smtp_starttls,
        )

    @property
    def from_address(self) -> str:
        """The bare address of the sender (``kamerwacht@example.org``)."""
        return parseaddr(self.sender)[1] or self.sender

    def __repr__(self) -> str:
        return f"Mailer({self.hostname!r}, {self.port}, user={self._username!r})"

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        smtp = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            timeout=self._timeout,
            start_tls=self._start_tls,
        )
        try:
            await smtp.connect()
            if self._username:
                await smtp.login(self._username, self._password or "")
        except aiosmtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise TemporaryMailError(f"SMTP login refused: {exc.code}", code=exc.code) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise TemporaryMailError(f"cannot connect to SMTP server: {exc!r}") from exc
        self.connections += 1
        logger.debug(
            "SMTP connection %d opened to %s:%d", self.connections, self.hostname, self.port
        )
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    async def send(self, msg: EmailMessage) -> None:
        """Send ``msg``; raise TemporaryMailError or PermanentMailError when it is not accepted."""
        await self._transact(lambda smtp: smtp.send_message(msg))

    async def send_bytes(self, sender: str, recipients: Sequence[str], data: bytes) -> None:
        """Send a message already on the wire format (``sender``/``recipients``: envelope)."""
        await self._transact(lambda smtp: smtp.sendmail(sender, list(recipients), data))

    async def _transact(self, call: Callable[[aiosmtplib.SMTP], Awaitable[object]]) -> None:
        """Run one mail transaction on the shared connection, sorting every failure."""
        async with self._lock:
            for attempt in (1, 2):
                smtp = await self._connection()
                try:
                    await call(smtp)
                except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as exc:
                    self._drop()
                    if attempt == 1:
                        logger.info("SMTP connection lost (%r); reconnecting", exc)
                        continue
                    raise TemporaryMailError(f"SMTP connection lost: {exc!r}") from exc
                except aiosmtplib.SMTPRecipientsRefused as exc:
                    codes = [r.code for r in exc.recipients]
                    text = "; ".join(_reply(r) for r in exc.recipients)
                    if any(code >= 500 for code in codes):
                        raise PermanentMailError(
                            f"recipient refused: {text}", code=max(codes)
                        ) from exc
                    raise TemporaryMailError(
                        f"recipient deferred: {text}", code=min(codes)
                    ) from exc
                except aiosmtplib.SMTPSenderRefused as exc:
                    # our From address: a configuration problem, not the recipient's
                    raise TemporaryMailError(
                        f"sender refused: {_reply(exc)}", code=exc.code
                    ) from exc
                except aiosmtplib.SMTPResponseException as exc:
                    if exc.code == 421:  # service closing the channel: reconnect once
                        self._drop()
                        if attempt == 1:
                            continue
                    if exc.code >= 500:
                        raise PermanentMailError(
                            f"message refused: {_reply(exc)}", code=exc.code
                        ) from exc
                    raise TemporaryMailError(
                        f"message deferred: {_reply(exc)}", code=exc.code
                    ) from exc
                except (aiosmtplib.SMTPException, OSError) as exc:
                    self._drop()
                    raise TemporaryMailError(f"SMTP error: {exc!r}") from exc
                self.sent += 1
                return

    async def aclose(self) -> None:
        """Say QUIT and close the connection (if one is open)."""
        async with self._lock:
            smtp, self._smtp = self._smtp, None
            if smtp is not None and smtp.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    await smtp.quit()
                smtp.close()
