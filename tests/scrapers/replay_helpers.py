"""Shared helpers of the scraper tests: a replay server and a fast, polite-enough client."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from replay.server import ReplayServer
from scrapers.http import HttpClient, user_agent
from tests.conftest import UPSTREAM

logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

TOPIC_MOTIONS = UPSTREAM / "tweedekamer-odata" / "topic-motions"


def client(**overrides: Any) -> HttpClient:
    """An HttpClient for tests: no pacing, one quick retry, short timeouts."""
    options: dict[str, Any] = {
        "user_agent": user_agent("https://example.org/kamerwacht-tests"),
        "min_interval": 0.0,
        "retries": 1,
        "backoff": 0.01,
        "timeout": 5.0,
    }
    options.update(overrides)
    return HttpClient(**options)


@asynccontextmanager
async def replay(scenario: str = "default") -> AsyncIterator[ReplayServer]:
    """A running replay server in this event loop."""
    server = ReplayServer(scenario)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def zaak_file() -> list[dict[str, Any]]:
    """The recorded Zaak records (124; 32 of them topic motions)."""
    path = (
        UPSTREAM / "tweedekamer-odata" / "Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json"
    )
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


def stemming_rows(zaak_nummer: str) -> list[dict[str, Any]]:
    """The recorded Stemming rows of a topic motion's voting Besluit."""
    data = json.loads((TOPIC_MOTIONS / "stemming_for_topic_motions.json").read_text("utf-8"))
    groups = data["by_zaak"][zaak_nummer]["besluiten"]
    rows: list[dict[str, Any]] = groups[0]["rows"]
    return rows
