"""Digest assembly: a subscriber's changes → one multipart (text + HTML) email. Pure.

Changes are grouped by motion; groups with status news (status, vote, execution report,
replacement) come first, then new letters, then new motions. Each change appears once however
often it is passed in. The Message-ID is derived from the recipient and the change ids, so a
retried send of the same digest carries the same id and receivers can drop the duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from bot.email.mime import multipart_alternative
from state.models import Change, ChangeKind, Letter, Motion
from state.overdue import Overdue
from templates.render import render

__all__ = [
    "AGENDA_KINDS",
    "COMMITMENT_KINDS",
    "DigestGroup",
    "DigestMail",
    "digest_message_id",
    "digest_subject",
    "group_changes",
    "mail_domain",
    "render_digest_mail",
    "section_of",
]

# Status news first, then new letters and motions.
_ORDER = {
    ChangeKind.STATUS_CHANGED: 0,
    ChangeKind.VOTE_RECORDED: 1,
    ChangeKind.DECISION_CORRECTED: 1,
    ChangeKind.EXECUTION_REPORTED: 2,
    ChangeKind.MOTION_REPLACED: 3,
    ChangeKind.MOTION_OVERDUE: 3,
    ChangeKind.NEW_LETTER: 4,
    ChangeKind.NEW_MOTION: 5,
}


# Changes about no motion, by what they are about: a session on the agenda (a debate with a
# followed dossier's document), a commitment, otherwise a letter.
AGENDA_KINDS = frozenset(
    {
        ChangeKind.VOTE_SCHEDULED,
        ChangeKind.DEBATE_SCHEDULED,
        ChangeKind.AGENDA_MOVED,
        ChangeKind.AGENDA_CANCELLED,
        ChangeKind.AGENDA_REMOVED,
    }
)
COMMITMENT_KINDS = frozenset({ChangeKind.COMMITMENT_NEW, ChangeKind.COMMITMENT_STATUS})


def section_of(change: Change) -> str:
    """``motion``, or for a change about no motion ``agenda``, ``commitments`` or ``letters``."""
    if change.motion_id:
        return "motion"
    if change.kind in AGENDA_KINDS:
        return "agenda"
    if change.kind in COMMITMENT_KINDS:
        return "commitments"
    return "letters"


@dataclass
class DigestGroup:
    """The changes of one motion, or (``motion_id`` None) of one ``section`` about no motion:
    ``letters``, ``agenda`` or ``commitments``."""

    motion_id: str | None
    motion: Motion | None = None
    changes: list[Change] = field(default_factory=list)
    section: str = "motion"

    @property
    def title_in_summary(self) -> bool:
        """A new-motion line already quotes the motion's title (the header then leaves it out)."""
        if self.motion is None or not self.motion.title.strip():
            return False
        start = " ".join(self.motion.title.split())[:100]
        return any(
            c.kind is ChangeKind.NEW_MOTION
            and c.facts is not None
            and start in " ".join((c.facts.title or "").split())
            for c in self.changes
        )

    @property
    def rank(self) -> int:
        """Where the group goes: by its most important change."""
        return min((_ORDER.get(c.kind, 9) for c in self.changes), default=9)


def _change_key(change: Change) -> int | tuple[str, str | None, str | None, str | None]:
    if change.id is not None:
        return change.id
    return (change.kind.value, change.motion_id, change.letter_id, change.new)


def group_changes(changes: Sequence[Change], motions: Mapping[str, Motion]) -> list[DigestGroup]:
    """Group changes by motion (each change once): status news, then letters, then new motions."""
    groups: dict[str, DigestGroup] = {}
    seen: set[object] = set()
    for change in changes:
        key = _change_key(change)
        if key in seen:
            continue
        seen.add(key)
        section = section_of(change)
        key_of_group = change.motion_id or section
        group = groups.get(key_of_group)
        if group is None:
            motion = motions.get(change.motion_id) if change.motion_id else None
            group = groups[key_of_group] = DigestGroup(change.motion_id, motion, section=section)
        group.changes.append(change)
    for group in groups.values():
        group.changes.sort(key=lambda c: (_ORDER.get(c.kind, 9), c.id or 0))
    return sorted(
        groups.values(),
        key=lambda g: (g.rank, g.motion_id is None, g.motion_id or g.section),
    )


def mail_domain(public_url: str) -> str:
    """The host name used in Message-IDs and List-Id (``kamerwacht.invalid`` without one)."""
    return urlsplit(public_url).hostname or "kamerwacht.invalid"


def digest_message_id(recipient: str | int, change_ids: Iterable[int | None], domain: str) -> str:
    """A Message-ID that depends only on the recipient and the set of changes."""
    ids = sorted({i for i in change_ids if i is not None})
    seed = f"{recipient}|{','.join(map(str, ids))}".encode()
    return f"<digest.{hashlib.sha256(seed).hexdigest()[:32]}@{domain}>"


def digest_subject(groups: Sequence[DigestGroup], period: str, lang: str) -> str:
    """``kamerwacht: 3 wijzigingen (…)``, naming the motion when there is only one."""
    motion_ids = [g.motion_id for g in groups if g.motion_id]
    return render(
        "email/subject.txt",
        kind="digest",
        lang=lang,
        count=sum(len(g.changes) for g in groups),
        motion_id=motion_ids[0] if len(motion_ids) == 1 else None,
        period=period,
    )


@dataclass(frozen=True, slots=True)
class DigestMail:
    """One rendered digest: headers and both parts, as an EmailMessage or as wire bytes."""

    recipient: str
    message_id: str
    headers: tuple[tuple[str, str], ...]
    text: str
    html: str

    def message(self) -> EmailMessage:
        """The digest as an EmailMessage (text part first, HTML alternative second)."""
        msg = EmailMessage()
        for name, value in self.headers:
            msg[name] = value
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg

    def as_bytes(self) -> bytes:
        """The digest on the wire (the fast path used for sending)."""
        return multipart_alternative(self.headers, self.text, self.html, seed=self.message_id)


def render_digest_mail(
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
    letters: Mapping[str, Letter] | None = None,
    unsubscribe_url: str | None = None,
    message_id: str | None = None,
    overdue: Sequence[Overdue] = (),
) -> DigestMail:
    """Render one digest: text part first, HTML alternative second (``.message()`` builds it).

    With ``unsubscribe_url`` the mail carries ``List-Unsubscribe`` (that HTTPS URL only: no
    ``mailto:``, which nothing would read) and ``List-Unsubscribe-Post:
    List-Unsubscribe=One-Click`` (RFC 8058).
    Without ``message_id`` it is derived from ``to`` and the change ids. ``overdue`` (the
    weekly digest's) adds a section of the adopted motions the cabinet has not reported on.
    """
    groups = group_changes(changes, motions)
    base = public_url.rstrip("/")
    domain = mail_domain(base)
    context = {
        "groups": groups,
        "letters": letters or {},
        "public_url": base,
        "manage_url": manage_url,
        "unsubscribe_url": unsubscribe_url,
        "lang": lang,
        "period": period,
        "overdue": list(overdue),
        "today": now.date(),
        # agenda changes carry the Activiteit's number where other changes carry a letter's
        "agenda_kinds": sorted(k.value for k in AGENDA_KINDS),
    }
    message_id = message_id or digest_message_id(
        to, (c.id for g in groups for c in g.changes), domain
    )
    headers: dict[str, str] = {
        "From": sender,
        "To": to,
        "Subject": digest_subject(groups, period, lang),
        "Date": format_datetime(now),
        "Message-ID": message_id,
        "Auto-Submitted": "auto-generated",
        "List-Id": f"kamerwacht <digest.{domain}>",
    }
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    headers.update(extra_headers or {})
    return DigestMail(
        recipient=to,
        message_id=message_id,
        headers=tuple(headers.items()),
        text=render("email/digest.txt", **context) + "\n",
        html=render("email/digest.html", **context) + "\n",
    )
