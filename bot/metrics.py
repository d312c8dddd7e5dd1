"""Process metrics in the Prometheus text exposition format (no client library needed).

One ``Metrics`` object lives on the ``App``; the poll cycle, delivery and the bot increment its
counters, and ``/metrics`` renders them together with gauges read from the store at scrape time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

__all__ = ["HELP", "Metrics", "render_prometheus"]

LabelSet = tuple[tuple[str, str], ...]

HELP: dict[str, tuple[str, str]] = {
    "kamerwacht_polls_total": ("counter", "Poll attempts per source and outcome (ok/error)."),
    "kamerwacht_source_errors_total": ("counter", "Failed polls per source."),
    "kamerwacht_changes_total": ("counter", "Changes recorded, by kind."),
    "kamerwacht_deliveries_total": ("counter", "Delivery attempts by channel and outcome."),
    "kamerwacht_telegram_429_total": ("counter", "Telegram 429 (flood control) answers."),
    "kamerwacht_outbox_depth": (
        "gauge",
        "Outbox rows by status (pending, claimed, failed, skipped; sent rows are history).",
    ),
    "kamerwacht_outbox_due": ("gauge", "Pending rows of instant subscribers due now."),
    "kamerwacht_outbox_last_sent_timestamp_seconds": (
        "gauge",
        "Unix time of the latest delivery sent.",
    ),
    "kamerwacht_source_last_success_timestamp_seconds": (
        "gauge",
        "Unix time of each source's last successful poll.",
    ),
    "kamerwacht_subscribers": ("gauge", "Subscribers by channel."),
}


class Metrics:
    """Thread-safe counters keyed by name and labels."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, LabelSet], float] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Add ``amount`` to counter ``name`` with ``labels``."""
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._counters[key] = self._counters.get(key, 0.0) + amount

    def value(self, name: str, **labels: str) -> float:
        """The current value of one counter (0 when never incremented)."""
        with self._lock:
            return self._counters.get((name, tuple(sorted(labels.items()))), 0.0)

    def samples(self) -> list[tuple[str, LabelSet, float]]:
        """Every counter sample, sorted."""
        with self._lock:
            return sorted((n, labels, v) for (n, labels), v in self._counters.items())


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _line(name: str, labels: LabelSet, value: float) -> str:
    shown = f"{value:.17g}" if value != int(value) else str(int(value))
    if not labels:
        return f"{name} {shown}"
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return f"{name}{{{inner}}} {shown}"


def render_prometheus(
    metrics: Metrics, gauges: Mapping[str, Iterable[tuple[Mapping[str, str], float]]]
) -> str:
    """The text exposition of ``metrics`` plus ``gauges`` (name → [(labels, value)])."""
    by_name: dict[str, list[tuple[LabelSet, float]]] = {}
    for name, labels, value in metrics.samples():
        by_name.setdefault(name, []).append((labels, value))
    for name, rows in gauges.items():
        for gauge_labels, value in rows:
            by_name.setdefault(name, []).append((tuple(sorted(gauge_labels.items())), value))
    out: list[str] = []
    for name in sorted(set(by_name) | {n for n, (t, _) in HELP.items() if t == "counter"}):
        kind, text = HELP.get(name, ("untyped", name))
        out.append(f"# HELP {name} {text}")
        out.append(f"# TYPE {name} {kind}")
        for labels, value in by_name.get(name, []):
            out.append(_line(name, labels, value))
    return "\n".join(out) + "\n"
