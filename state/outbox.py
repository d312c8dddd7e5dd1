"""Outbox policy: which subscription keys a change matches, and when a failed send is retried.

Pure helpers; the repository runs the SQL. A change is routed by *targets*: ``(kind, value)``
pairs equal to the subscriptions that should receive it (``("motion", id)``,
``("dossier", dossier)``, ``("keyword", word)``); ``all`` subscriptions receive every change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from state.changes import Route
from state.models import Change, SubscriptionKind

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "MAX_ATTEMPTS",
    "normalise_value",
    "retry_at",
    "targets",
]

MAX_ATTEMPTS = 5  # a delivery that failed this many times ends as `failed`
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)


def retry_at(attempts: int, now: datetime) -> datetime:
    """When to retry after ``attempts`` failed tries: 30 s, 1 min, 2 min, … capped at an hour."""
    delay: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    result: datetime = now + min(delay, BACKOFF_CAP)
    return result


def normalise_value(kind: SubscriptionKind, value: str) -> str:
    """The stored form of a subscription value: trimmed; keywords case-folded; ALL is ``""``."""
    if kind is SubscriptionKind.ALL:
        return ""
    value = " ".join(value.split())
    return value.casefold() if kind is SubscriptionKind.KEYWORD else value


def targets(change: Change, route: Route, keywords: Iterable[str]) -> set[tuple[str, str]]:
    """The ``(kind, value)`` subscription keys a change matches.

    ``keywords`` are the (case-folded) keywords anyone subscribes to; one matches when it is a
    substring of the change's ids and upstream text (title, submitter, cited ids) or of a title
    the change concerns: upstream's words, never kamerwacht's own labels.
    """
    keys: set[tuple[str, str]] = set()
    if change.motion_id:
        keys.add((SubscriptionKind.MOTION.value, change.motion_id))
    if change.subject:
        keys.add((SubscriptionKind.COMMITMENT.value, change.subject))
    keys.update((SubscriptionKind.MOTION.value, m) for m in route.motions)
    keys.update((SubscriptionKind.DOSSIER.value, d) for d in route.dossiers)
    text = "\n".join((*_change_texts(change), *route.texts)).casefold()
    keys.update((SubscriptionKind.KEYWORD.value, k) for k in keywords if k and k in text)
    return keys


def _change_texts(change: Change) -> tuple[str, ...]:
    """The ids and upstream strings a change carries (what a keyword may match)."""
    facts = change.facts
    texts: list[str | None] = [change.motion_id, change.letter_id, change.subject]
    if facts is not None:
        texts += [facts.title, facts.submitter, facts.ident, *facts.cited]
    return tuple(t for t in texts if t)
