"""Every start-up error is one line naming the setting and the cause, with a non-zero exit.

Each case runs ``kamerwacht`` in its own process (as an operator would) and checks stderr: one
line, no traceback.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from state.repository import Repository
from tests.conftest import PgServer
from tests.telegram.fake_bot_api import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def kamerwacht(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KAMERWACHT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
        env=clean | env,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    line = lines[0]
    for word in words:
        assert word in line
    return line


@pytest.fixture
def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kw.db'}"
    repo = Repository.from_url(url)
    repo.upgrade()
    repo.close()
    return url


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("not a url", "Could not parse"),
        ("mysql://kw@127.0.0.1/kw", "MySQLdb"),
        ("postgresql+psycopg://kw@127.0.0.1:1/kw", "refused"),
    ],
)
@pytest.mark.parametrize("command", [("run", "--role", "worker"), ("db", "upgrade")])
def test_a_bad_database_url_is_one_line(url: str, cause: str, command: tuple[str, ...]) -> None:
    result = kamerwacht(*command, KAMERWACHT_DATABASE_URL=url)
    one_line_error(result, "KAMERWACHT_DATABASE_URL", cause)


def test_a_database_path_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    url = f"sqlite:///{tmp_path / 'file' / 'kw.db'}"
    for command in (("db", "upgrade"), ("run", "--role", "worker")):
        one_line_error(kamerwacht(*command, KAMERWACHT_DATABASE_URL=url), "KAMERWACHT_DATABASE_URL")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_database_in_a_read_only_directory_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    url = f"sqlite:///{folder / 'kw.db'}"
    one_line_error(
        kamerwacht("db", "upgrade", KAMERWACHT_DATABASE_URL=url), "KAMERWACHT_DATABASE_URL"
    )


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist_is_one_line(pg_server: PgServer) -> None:
    url = pg_server.url("no_such_database_here")
    result = kamerwacht("db", "upgrade", KAMERWACHT_DATABASE_URL=url)
    one_line_error(result, "KAMERWACHT_DATABASE_URL", "no_such_database_here")


def test_the_web_port_in_use_is_one_line(migrated: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = kamerwacht(
            "run", "--role", "web", KAMERWACHT_DATABASE_URL=migrated, KAMERWACHT_WEB_PORT=str(port)
        )
    one_line_error(result, "KAMERWACHT_WEB_PORT", str(port))


@pytest.fixture
def fake_api() -> Iterator[str]:
    """The fake Bot API in its own process; its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.telegram.fake_bot_api"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY ")
        yield f"http://127.0.0.1:{line.split()[1]}/bot"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("role", ["worker", "bot"])
def test_a_refused_token_is_final_and_one_line(
    role: str, migrated: str, fake_api: str, tmp_path: Path
) -> None:
    refused = "987654321:" + "A" * 35  # well formed, but not the fake's token: 401
    assert refused != TOKEN
    result = kamerwacht(
        "run",
        "--role",
        role,
        KAMERWACHT_DATABASE_URL=migrated,
        KAMERWACHT_TELEGRAM_TOKEN=refused,
        KAMERWACHT_TELEGRAM_API_URL=fake_api,
    )
    line = one_line_error(result, "KAMERWACHT_TELEGRAM_TOKEN", "refused")
    assert refused not in line


def test_a_malformed_token_is_refused_before_any_request(migrated: str) -> None:
    result = kamerwacht(
        "run",
        "--role",
        "worker",
        KAMERWACHT_DATABASE_URL=migrated,
        KAMERWACHT_TELEGRAM_TOKEN="not a token",
        KAMERWACHT_TELEGRAM_API_URL="http://127.0.0.1:1/bot",  # nothing listens: never asked
    )
    one_line_error(result, "KAMERWACHT_TELEGRAM_TOKEN", "not a bot token")


def test_a_published_or_short_secret_key_is_refused(migrated: str) -> None:
    for key in ("change-me-in-production", "short"):
        result = kamerwacht(
            "run", "--role", "worker", KAMERWACHT_DATABASE_URL=migrated, KAMERWACHT_SECRET_KEY=key
        )
        one_line_error(result, "KAMERWACHT_SECRET_KEY")


@pytest.mark.parametrize("role", ["worker", "bot"])
async def test_a_token_revoked_while_running_stops_the_service_non_zero(
    role: str, migrated: str, fake_api: str
) -> None:
    """The start-up check passed; later Telegram refuses the token: run_service ends with
    TokenRefused (which `kamerwacht run` turns into one line and exit 1), not a clean exit."""
    from bot.delivery import TokenRefused
    from bot.schedule import run_service
    from bot.settings import Settings

    revoked = "987654321:" + "B" * 35  # well formed, refused by the fake (401)
    settings = Settings(database_url=migrated, telegram_token=revoked, telegram_api_url=fake_api)
    with pytest.raises(TokenRefused):
        await asyncio.wait_for(run_service(settings, {role}), 60)


def test_run_turns_a_token_refused_while_running_into_one_line(
    migrated: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot.schedule
    from bot import cli
    from bot.delivery import TokenRefused

    async def refused(*args: object, **kwargs: object) -> None:
        raise TokenRefused("Telegram refused KAMERWACHT_TELEGRAM_TOKEN")

    monkeypatch.setattr(bot.schedule, "run_service", refused)
    monkeypatch.setenv("KAMERWACHT_DATABASE_URL", migrated)
    code = cli.main(["run", "--role", "worker"])  # no token: no start-up check is asked
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1
    assert "refused by Telegram while running" in err[0]


@pytest.mark.parametrize(
    ("name", "value"),
    [("KAMERWACHT_DIGEST_TIME", "25:00"), ("KAMERWACHT_DIGEST_WEEKDAY", "funday")],
)
def test_a_bad_digest_time_or_weekday_is_one_line(migrated: str, name: str, value: str) -> None:
    """Before, a bad weekday broke the email cron job and became Monday for Telegram."""
    env = {"KAMERWACHT_DATABASE_URL": migrated, name: value}
    result = kamerwacht("run", "--role", "worker", **env)
    one_line_error(result, name, repr(value))
    assert result.returncode == 2  # as every other invalid setting


async def test_web_beside_the_senders_gets_a_short_gil_switch_interval(migrated: str) -> None:
    """`kamerwacht run` with the web app and a sender in one process: a thread rendering a page
    hands the GIL to the sending event loop after 1 ms, not 5; the interval is restored after."""
    import sys

    from bot.schedule import SHARED_SWITCH_INTERVAL, run_service
    from bot.settings import Settings

    before = sys.getswitchinterval()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(database_url=migrated, web_port=port)
    seen: list[float] = []
    for roles in ({"web"}, {"web", "worker"}):
        stop = asyncio.Event()
        service = asyncio.create_task(run_service(settings, roles, stop=stop))
        await asyncio.sleep(0.5)
        seen.append(sys.getswitchinterval())
        stop.set()
        await asyncio.wait_for(service, 30)
        assert sys.getswitchinterval() == before
    assert seen == [before, SHARED_SWITCH_INTERVAL]
