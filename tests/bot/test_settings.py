"""Settings: the KAMERWACHT_ contract, secrets masked, .env.example in sync."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, env_example

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = [
    "KAMERWACHT_DATABASE_URL",
    "KAMERWACHT_TWEEDEKAMER_URL",
    "KAMERWACHT_OFFICIELEBEKENDMAKINGEN_URL",
    "KAMERWACHT_RIJKSOVERHEID_FEED_URL",
    "KAMERWACHT_POLL_INTERVAL",
    "KAMERWACHT_TOPIC",
    "KAMERWACHT_TELEGRAM_TOKEN",
    "KAMERWACHT_TELEGRAM_API_URL",
    "KAMERWACHT_ADMIN_CHAT_IDS",
    "KAMERWACHT_WEB_HOST",
    "KAMERWACHT_WEB_PORT",
    "KAMERWACHT_PUBLIC_URL",
    "KAMERWACHT_SMTP_HOST",
    "KAMERWACHT_SMTP_PORT",
    "KAMERWACHT_SMTP_USER",
    "KAMERWACHT_SMTP_PASSWORD",
    "KAMERWACHT_SMTP_FROM",
    "KAMERWACHT_SMTP_STARTTLS",
]


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    s = Settings()
    assert s.database_url == "sqlite:///./kamerwacht.db"
    assert s.tweedekamer_url == "https://gegevensmagazijn.tweedekamer.nl/OData/v5"
    assert s.telegram_api_url == "https://api.telegram.org/bot"
    assert s.telegram_token is None
    assert not s.telegram_enabled


@pytest.mark.parametrize("name", CONTRACT)
def test_every_contract_name_is_a_setting_and_documented(name: str) -> None:
    field = name.removeprefix("KAMERWACHT_").lower()
    assert field in Settings.model_fields
    assert f"# {name}=" in (ROOT / ".env.example").read_text()


def test_env_example_is_generated_from_settings() -> None:
    assert (ROOT / ".env.example").read_text() == env_example()


def test_environment_overrides_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMERWACHT_ADMIN_CHAT_IDS", "12, -100345")
    monkeypatch.setenv("KAMERWACHT_WATCHLIST", "21501-02-2228,35570-V-31")
    monkeypatch.setenv("KAMERWACHT_POLL_INTERVAL", "60")
    monkeypatch.setenv("KAMERWACHT_SMTP_STARTTLS", "false")
    s = Settings()
    assert s.admin_chat_ids == [12, -100345]
    assert s.watchlist == ["21501-02-2228", "35570-V-31"]
    assert s.poll_interval == 60
    assert s.smtp_starttls is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("21501-02-2228, 2025Z08365", ["21501-02-2228", "2025Z08365"]),
        ('["21501-02-2228", "35570-V-31"]', ["21501-02-2228", "35570-V-31"]),
        ("", []),
    ],
)
def test_the_watchlist_takes_commas_or_a_json_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, expected: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KAMERWACHT_WATCHLIST", value)
    assert Settings().watchlist == expected


@pytest.mark.parametrize(
    ("value", "wrong"),
    [
        ("21501-02-2228;35570-V-31", "'21501-02-2228;35570-V-31'"),
        ("motie 2228", "'motie 2228'"),
        ('["21501-02-2228"', "JSON"),
        ("[21501]", "21501"),
    ],
)
def test_a_watchlist_entry_that_is_no_motion_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, wrong: str
) -> None:
    """Before, a JSON list became one entry that matched nothing, without a word."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KAMERWACHT_WATCHLIST", value)
    with pytest.raises(ValidationError) as info:
        Settings()
    [error] = info.value.errors()
    assert error["loc"][0] == "watchlist"
    assert wrong in error["msg"]
    assert "\n" not in error["msg"]


def test_token_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    monkeypatch.setenv("KAMERWACHT_TELEGRAM_TOKEN", token)
    monkeypatch.setenv("KAMERWACHT_SMTP_PASSWORD", "hunter2hunter2")
    s = Settings()
    assert s.telegram_enabled
    assert token not in repr(s)
    assert token not in str(s)
    assert "hunter2hunter2" not in repr(s)
    assert s.telegram_token is not None
    assert s.telegram_token.get_secret_value() == token


def test_digest_settings_are_typed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    defaults = Settings()
    assert (defaults.digest_time, defaults.digest_weekday) == (time(8, 0), "mon")
    monkeypatch.setenv("KAMERWACHT_DIGEST_TIME", " 7:05 ")
    monkeypatch.setenv("KAMERWACHT_DIGEST_WEEKDAY", "Sunday")
    s = Settings()
    assert (s.digest_time, s.digest_weekday) == (time(7, 5), "sun")
    assert "# KAMERWACHT_DIGEST_TIME=08:00" in env_example()  # the default as it is written


@pytest.mark.parametrize(
    ("name", "value", "word"),
    [
        ("digest_time", "25:00", "HH:MM"),
        ("digest_time", "8 uur", "HH:MM"),
        ("digest_time", "08:00:00", "HH:MM"),
        ("digest_weekday", "funday", "mon, tue"),
        ("digest_weekday", "6", "mon, tue"),
    ],
)
def test_a_bad_digest_time_or_weekday_is_refused_when_settings_are_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, word: str
) -> None:
    """Email and Telegram digests read the same typed values: one refusal, at start-up."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(f"KAMERWACHT_{name.upper()}", value)
    with pytest.raises(ValidationError) as info:
        Settings()
    [error] = info.value.errors()
    assert error["loc"] == (name,)
    assert word in error["msg"]
    assert repr(value) in error["msg"]
    assert "\n" not in error["msg"]
