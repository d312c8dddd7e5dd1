"""run_web: uvicorn in the current event loop on the configured address, until stop is set."""

from __future__ import annotations

import asyncio

import httpx

from bot.email.sender import Mailer
from bot.web.server import run_web
from tests.web.fixtures import AppStub, free_port, make_settings


async def test_run_web_serves_until_stopped(repo) -> None:
    port = free_port()
    settings = make_settings(public_url=f"http://127.0.0.1:{port}").model_copy(
        update={"web_host": "127.0.0.1", "web_port": port}
    )
    stop = asyncio.Event()
    app = AppStub(settings, repo, mailer=Mailer.from_settings(settings))
    task = asyncio.create_task(run_web(app, stop))  # type: ignore[arg-type]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        for _ in range(300):
            try:
                r = await http.get("/healthz")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.02)
        assert r.status_code == 200
        assert r.json()["email"] is True
        assert (await http.get("/motie/21501-02-3067")).status_code == 200
    stop.set()
    await asyncio.wait_for(task, 10)
    assert task.done()
    assert task.exception() is None
