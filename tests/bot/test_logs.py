"""Logging: secrets never reach a log line, whatever the format."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import configure_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def _restore_root() -> object:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("fmt", ["keyvalue", "json", "text"])
def test_token_and_password_are_redacted(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(fmt, "INFO", [TOKEN, "smtp-secret-pw"])
    log = logging.getLogger("kamerwacht.test")
    log.info("POST https://api.telegram.org/bot%s/sendMessage", TOKEN, extra={"chat_id": 42})
    log.warning("login with smtp-secret-pw failed")
    try:
        raise RuntimeError(f"boom {TOKEN}")
    except RuntimeError:
        log.exception("failure")
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert "smtp-secret-pw" not in err
    assert "***" in err
    if fmt == "json":
        first = json.loads(err.splitlines()[0])
        assert first["chat_id"] == 42
    if fmt == "keyvalue":
        assert "chat_id=42" in err


def test_unknown_token_shape_is_redacted_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("keyvalue", "INFO", [])
    logging.getLogger("x").info("url /bot987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe")
    assert "ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in capsys.readouterr().err


def test_httpx_request_logging_is_silenced() -> None:
    configure_logging("keyvalue", "DEBUG", [])
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
