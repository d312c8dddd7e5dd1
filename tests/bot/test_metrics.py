"""Prometheus text rendering of counters and gauges."""

from __future__ import annotations

import re
import threading

from bot.metrics import Metrics, render_prometheus


def test_counters_and_gauges_render_in_exposition_format() -> None:
    m = Metrics()
    m.inc("kamerwacht_polls_total", source="tweedekamer", outcome="ok")
    m.inc("kamerwacht_polls_total", source="tweedekamer", outcome="ok")
    m.inc("kamerwacht_source_errors_total", source='rijks"overheid')
    text = render_prometheus(m, {"kamerwacht_outbox_depth": [({"status": "pending"}, 3)]})
    assert "# TYPE kamerwacht_polls_total counter" in text
    assert 'kamerwacht_polls_total{outcome="ok",source="tweedekamer"} 2' in text
    assert 'kamerwacht_source_errors_total{source="rijks\\"overheid"} 1' in text
    assert "# TYPE kamerwacht_outbox_depth gauge" in text
    assert 'kamerwacht_outbox_depth{status="pending"} 3' in text
    # counters never incremented still announce themselves (a scrape shows they exist)
    assert "# TYPE kamerwacht_telegram_429_total counter" in text
    for line in text.splitlines():
        assert line.startswith("#") or re.match(
            r"^[a-z_]+(\{.*\})? -?\d+(\.\d+)?(e[+-]?\d+)?$", line
        ), line


def test_counters_are_thread_safe() -> None:
    m = Metrics()

    def work() -> None:
        for _ in range(1000):
            m.inc("kamerwacht_changes_total", kind="new_motion")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert m.value("kamerwacht_changes_total", kind="new_motion") == 8000


async def test_one_endpoint_shows_every_roles_work_read_from_the_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The web process serves /metrics; the poll and the deliveries happened in other processes."""
    import httpx

    from bot.settings import Settings
    from bot.web.app import create_app
    from state.models import Channel, Observation, SubscriptionKind
    from state.repository import Repository
    from tests.state.factories import NOW, motion

    url = f"sqlite:///{tmp_path / 'kw.db'}"
    poller = Repository.from_url(url)  # the poller and worker processes
    poller.upgrade()
    for chat in ("1", "2"):
        sub = poller.get_or_create_subscriber(Channel.TELEGRAM, chat)
        poller.subscribe(sub.id, SubscriptionKind.ALL)
    poller.get_or_create_subscriber(Channel.EMAIL, "x@example.org", confirmed=False)
    poller.apply_poll(Observation(motions=(motion(),)), now=NOW)
    claimed = poller.claim_deliveries(Channel.TELEGRAM, worker="w")
    poller.mark_sent([c.delivery.id for c in claimed], worker="w")
    web_repo = Repository.from_url(url)  # the web process: its own counters saw nothing
    settings = Settings(_env_file=None, secret_key="metrics-test-secret-key")  # type: ignore[call-arg]
    app = create_app(settings, web_repo, metrics=Metrics())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        text = (await client.get("/metrics")).text
    poller.close()
    web_repo.close()
    assert "kamerwacht_outbox_last_sent_timestamp_seconds " in text  # the workers' progress
    assert 'kamerwacht_outbox_depth{status="claimed"} 0.0' in text
    assert 'kamerwacht_changes_recorded{kind="new_motion"} 1.0' in text
    assert 'kamerwacht_subscribers{channel="telegram"} 2.0' in text
    assert 'kamerwacht_subscribers{channel="email"} 1.0' in text
    assert 'kamerwacht_subscribers_reachable{channel="email"} 0.0' in text
    assert 'channel="active"' not in text  # no total mixed into the channel label
