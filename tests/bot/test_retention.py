"""The worker role prunes the outbox hourly with the retention setting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_app
from bot.schedule import build_scheduler
from bot.settings import Settings
from state.repository import Repository


async def test_worker_prunes_the_outbox_with_the_retention_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path}/kw.db",
        outbox_retention_days=7,
    )
    repo = Repository.from_url(settings.database_url)
    repo.upgrade()
    app = build_app(settings, repo=repo)
    seen: list[timedelta] = []
    monkeypatch.setattr(repo, "prune_outbox", lambda older_than: seen.append(older_than) or 0)
    try:
        scheduler = build_scheduler(app, {"worker"})
        job = scheduler.get_job("prune_outbox")
        assert job is not None
        assert job.trigger.interval == timedelta(hours=1)
        await job.func()
        assert seen == [timedelta(days=7)]
        assert build_scheduler(app, {"web"}).get_job("prune_outbox") is None
    finally:
        await app.aclose()
