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
