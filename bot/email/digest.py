"""Digest assembly: a subscriber's changes → one multipart (text + HTML) email. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from state.models import Change, ChangeKind, Motion
from templates.render import render

__all__ = ["DigestGroup", "build_digest", "group_changes"]

# Status news first, then new letters and motions.
_ORDER = {
    ChangeKind.STATUS_CHANGED: 0,
    ChangeKind.VOTE_RECORDED: 1,
    ChangeKind.EXECUTION_REPORTED: 2,
    ChangeKind.MOTION_REPLACED: 3,
    ChangeKind.NEW_LETTER: 4,
    ChangeKind.NEW_MOTION: 5,
}


@dataclass
class DigestGroup:
    """The changes of one motion (or of no motion: new letters)."""

    motion: Motion | None
    changes: list[Change] = field(default_factory=list)

    @property
    def rank(self) -> int:
        """Where the group goes: by its most important change."""
        return min((_ORDER.get(c.kind, 9) for c in self.changes), default=9)


def group_changes(changes: Sequence[Change], motions: Mapping[str, Motion]) -> list[DigestGroup]:
    """Group changes by motion (each change once), status changes first."""
    groups: dict[str | None, DigestGroup] = {}
    seen: set[int | tuple[str, str | None, str | None]] = set()
    for change in changes:
        key = (
            change.id
            if change.id is not None
            else (change.kind.value, change.motion_id, change.letter_id)
        )
        if key in seen:
            continue
        seen.add(key)
        motion = motions.get(change.motion_id) if change.motion_id else None
        group_key = motion.id if motion else None
        group = groups.setdefault(group_key, DigestGroup(motion))
        group.changes.append(change)
    for group in groups.values():
        group.changes.sort(key=lambda c: (_ORDER.get(c.kind, 9), c.id or 0))
    return sorted(
        groups.values(),
        key=lambda g: (g.motion is None, g.rank, g.motion.id if g.motion else ""),
    )


def build_digest(
    *,
    to: str,
    sender: str,
    changes: Sequence[Change],
    motions: Mapping[str, Motion],
    public_url: str,
    manage_url: str,
    period: str,
    lang: str = "nl",
    now: datetime,
    extra_headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """One digest email: text part first, HTML alternative second."""
    groups = group_changes(changes, motions)
    context = {
        "groups": groups,
        "public_url": public_url.rstrip("/"),
        "manage_url": manage_url,
        "lang": lang,
        "period": period,
    }
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    count = sum(len(g.changes) for g in groups)
    subject = (
        f"kamerwacht: {count} wijziging(en)" if lang == "nl" else f"kamerwacht: {count} change(s)"
    )
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain="kamerwacht")
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in (extra_headers or {}).items():
        msg[name] = value
    msg.set_content(render("email/digest.txt", **context) + "\n")
    msg.add_alternative(render("email/digest.html", **context) + "\n", subtype="html")
    return msg
