"""Mailer against a real SMTP server: how refusals are sorted, reconnects, login, no leaks."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.email.sender import Mailer, PermanentMailError, TemporaryMailError
from bot.settings import Settings
from tests.web.fixtures import SENDER, Collector, SmtpServer, free_port

PASSWORD = "hunter2-not-in-logs"


def _msg(to: str = "lezer@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, to, "test"
    msg.set_content("hallo\n")
    return msg


async def test_permanent_refusal_is_a_bounce(smtp: SmtpServer, mailer: Mailer) -> None:
    smtp.handler.refuse["weg@example.org"] = "550 5.1.1 no such user"
    with pytest.raises(PermanentMailError, match="550") as info:
        await mailer.send(_msg("weg@example.org"))
    assert info.value.code == 550
    await mailer.send(_msg())  # the connection is still usable afterwards
    assert len(smtp.handler.messages) == 1
    assert mailer.connections == 1


async def test_temporary_refusal_is_temporary(smtp: SmtpServer, mailer: Mailer) -> None:
    smtp.handler.refuse["vol@example.org"] = "452 4.2.2 mailbox full"
    with pytest.raises(TemporaryMailError, match="452"):
        await mailer.send(_msg("vol@example.org"))


async def test_unreachable_server_is_temporary() -> None:
    mailer = Mailer("127.0.0.1", free_port(), sender=SENDER, start_tls=False, timeout=2)
    with pytest.raises(TemporaryMailError, match="cannot connect"):
        await mailer.send(_msg())
    await mailer.aclose()


async def test_reconnects_when_the_server_dropped_the_connection(
    smtp: SmtpServer, mailer: Mailer
) -> None:
    await mailer.send(_msg())
    smtp.controller.stop()  # the server goes away and comes back on the same port
    again = Controller(smtp.handler, hostname=smtp.host, port=smtp.port)
    again.start()
    try:
        await mailer.send(_msg())
    finally:
        again.stop()
        smtp.controller = Controller(smtp.handler, hostname=smtp.host, port=smtp.port)
        smtp.controller.start()  # for the fixture's teardown
    assert len(smtp.handler.messages) == 2
    assert mailer.connections == 2


async def test_login_uses_settings_and_never_logs_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[tuple[str, str]] = []

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        seen.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password.decode() == PASSWORD, handled=False)

    handler = Collector()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_user="kw",
            smtp_password=PASSWORD,
            smtp_starttls=False,
            smtp_from=SENDER,
        )
        caplog.set_level(logging.DEBUG)
        mailer = Mailer.from_settings(settings)
        await mailer.send(_msg())
        await mailer.aclose()
        assert seen == [("kw", PASSWORD)]
        assert len(handler.messages) == 1
        wrong = Mailer(
            "127.0.0.1", port, sender=SENDER, username="kw", password="wrong", start_tls=False
        )
        with pytest.raises(TemporaryMailError, match="login refused") as info:
            await wrong.send(_msg())
        assert "wrong" not in str(info.value)
        await wrong.aclose()
    finally:
        controller.stop()
    assert PASSWORD not in caplog.text
    assert PASSWORD not in repr(mailer)


def test_from_settings_needs_a_host() -> None:
    with pytest.raises(ValueError, match="SMTP_HOST"):
        Mailer.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
