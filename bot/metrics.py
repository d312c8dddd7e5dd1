"""Metrics in the Prometheus text exposition format, rendered by ``prometheus_client``.

Two kinds of samples, so that every role's work is visible from the one ``/metrics`` endpoint
(in the compose deployment the web process serving it never polls or delivers):

* gauges read from the database at scrape time (:func:`store_gauges`, cheap queries only): the
  outbox's open rows, due rows and the time of the latest send (what every worker is doing),
  changes per kind and each source's last success and failures (what the poller did),
  subscribers per channel and how many are reachable;
* this process's own counters (:class:`Metrics`): polls, changes, deliveries and 429 answers
  it saw, labelled with the roles it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

__all__ = ["HELP", "Metrics", "render_prometheus", "store_gauges"]

LabelSet = tuple[tuple[str, str], ...]
Gauges = Mapping[str, Iterable[tuple[Mapping[str, str], float]]]

HELP: dict[str, tuple[str, str]] = {
    "kamerwacht_polls_total": ("counter", "Poll attempts per source and outcome (ok/error)."),
    "kamerwacht_source_errors_total": ("counter", "Failed polls per source."),
    "kamerwacht_changes_total": ("counter", "Changes recorded by this process, by kind."),
    "kamerwacht_deliveries_total": ("counter", "Delivery attempts by channel and outcome."),
    "kamerwacht_telegram_429_total": ("counter", "Telegram 429 (flood control) answers."),
    "kamerwacht_outbox_depth": (
        "gauge",
        "Outbox rows by status (pending, claimed, failed, skipped; sent rows are history).",
    ),
    "kamerwacht_outbox_due": ("gauge", "Pending rows of instant subscribers due now."),
    "kamerwacht_outbox_last_sent_timestamp_seconds": (
        "gauge",
        "Unix time of the latest delivery sent (moves while any worker delivers).",
    ),
    "kamerwacht_changes_recorded": (
        "gauge",
        "Changes in the database by kind (every poller's work).",
    ),
    "kamerwacht_source_last_success_timestamp_seconds": (
        "gauge",
        "Unix time of each source's last successful poll.",
    ),
    "kamerwacht_source_consecutive_failures": (
        "gauge",
        "Failed polls of each source since its last success.",
    ),
    "kamerwacht_subscribers": ("gauge", "Subscribers by channel."),
    "kamerwacht_subscribers_reachable": (
        "gauge",
        "Subscribers by channel that are active (and, for email, confirmed).",
    ),
}


class Metrics:
    """Thread-safe counters of this process, keyed by name and labels."""

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


def store_gauges(repo: Any) -> dict[str, list[tuple[dict[str, str], float]]]:
    """The gauges read from the database (runs in a worker thread)."""
    gauges: dict[str, list[tuple[dict[str, str], float]]] = {}
    outbox = repo.outbox_health()  # through partial indexes: no scan of the sent history
    gauges["kamerwacht_outbox_depth"] = [
        ({"status": k}, float(outbox[k])) for k in ("pending", "claimed", "failed", "skipped")
    ]
    gauges["kamerwacht_outbox_due"] = [({}, float(outbox["due"]))]
    if outbox["last_sent"]:
        gauges["kamerwacht_outbox_last_sent_timestamp_seconds"] = [({}, float(outbox["last_sent"]))]
    gauges["kamerwacht_changes_recorded"] = [
        ({"kind": k}, float(n)) for k, n in sorted(repo.change_counts().items())
    ]
    statuses = repo.source_statuses()
    gauges["kamerwacht_source_last_success_timestamp_seconds"] = [
        ({"source": st.name}, st.last_success.timestamp())
        for st in statuses
        if st.last_success is not None
    ]
    gauges["kamerwacht_source_consecutive_failures"] = [
        ({"source": st.name}, float(st.consecutive_failures)) for st in statuses
    ]
    by_channel = repo.subscriber_counts_by_channel()
    gauges["kamerwacht_subscribers"] = [
        ({"channel": ch}, float(total)) for ch, (total, _) in sorted(by_channel.items())
    ]
    gauges["kamerwacht_subscribers_reachable"] = [
        ({"channel": ch}, float(reachable)) for ch, (_, reachable) in sorted(by_channel.items())
    ]
    return gauges


class _Collector:
    """Yields the counters of ``metrics`` and the given gauges as metric families."""

    def __init__(self, metrics: Metrics, gauges: Gauges) -> None:
        self.metrics = metrics
        self.gauges = gauges

    def collect(self) -> Iterator[Metric]:
        by_name: dict[str, list[tuple[LabelSet, float]]] = {}
        for name, labels, value in self.metrics.samples():
            by_name.setdefault(name, []).append((labels, value))
        for name, rows in self.gauges.items():
            for gauge_labels, value in rows:
                by_name.setdefault(name, []).append((tuple(sorted(gauge_labels.items())), value))
        announced = {n for n, (kind, _) in HELP.items() if kind == "counter"}
        for name in sorted(set(by_name) | announced):
            kind, text = HELP.get(name, ("gauge", name))
            samples = by_name.get(name, [])
            label_names = sorted({k for labels, _ in samples for k, _ in labels})
            family: CounterMetricFamily | GaugeMetricFamily
            if kind == "counter":
                family = CounterMetricFamily(name, text, labels=label_names)
            else:
                family = GaugeMetricFamily(name, text, labels=label_names)
            for labels, value in samples:
                given = dict(labels)
                family.add_metric([given.get(k, "") for k in label_names], value)
            yield family


def render_prometheus(metrics: Metrics, gauges: Gauges) -> str:
    """The text exposition of ``metrics`` plus ``gauges`` (name → [(labels, value)])."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(metrics, gauges))  # type: ignore[arg-type]
    text: str = generate_latest(registry).decode("utf-8")
    return text
