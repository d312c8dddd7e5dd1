"""The words of a motion's timeline (:mod:`state.timeline` entries carry codes and facts only).

:func:`detail` is the Dutch line of ``status --json`` and ``/api/motions/{id}`` (``detail``);
the Telegram and web templates word the same entries themselves, in the reader's language.
"""

from __future__ import annotations

from state.models import TimelineEntry, TimelineKind
from templates.render import label

__all__ = ["detail"]


def _word(code: str) -> str:
    """The one vocabulary's Dutch word (``state/diff.py`` once had its own, which differed for
    postponed, tied and not_applicable; they are gone)."""
    return label(code, "nl")


def detail(entry: TimelineEntry) -> str:
    """One timeline entry as a Dutch line: ``aangenomen (76-74)``, ``vervangt motie …``, …"""
    if entry.kind is TimelineKind.SUBMITTED:
        people = ", ".join(entry.submitters)
        return label("submitted", "nl") + (f" door {people}" if entry.submitters else "")
    if entry.kind is TimelineKind.REPLACES:
        return f"vervangt motie {entry.motion_id}"
    if entry.kind is TimelineKind.REPLACED_BY:
        return f"vervangen door motie {entry.motion_id}"
    if entry.kind is TimelineKind.DECISION:
        text = _word(entry.status or "unknown")
        if entry.tally is not None and entry.seats_known:
            text += " ({}-{})".format(*entry.tally)
        return text
    text = f"uitvoering gemeld — {_word(entry.status)}" if entry.status else "genoemd in brief"
    text += f" ({entry.letter_title})" if entry.letter_title else ""
    if entry.evidence:
        text += f": “{entry.evidence}”"
    return text
