"""Pure planning of pushes: claimed outbox rows → the Telegram messages that carry them.

One message per change, except that several ``execution_reported`` changes for one chat from one
letter become one grouped message (each motion still named with its id, submitters and reported
status). Every text is Telegram HTML rendered from ``templates/telegram``, split on line
boundaries into parts of at most 4096 characters. Upstream strings are flattened to one line
before rendering so that a tag never spans a split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from html import escape

from bot.messages import motion_url, split_message, telegram_change
from bot.telegram.views import safe_url
from state.models import (
    Change,
    ChangeKind,
    ClaimedDelivery,
    Frequency,
    Letter,
    Motion,
    Submitter,
)
from templates.render import change_summary, render

__all__ = ["MAX_EVIDENCE", "Outgoing", "plan_digest", "plan_messages"]

MAX_EVIDENCE = 1500  # characters of an evidence sentence quoted in a push (HTML-escaped)
MAX_TITLE = 600
MAX_URL = 1000  # a longer (escaped) link is left out: no line of a message may near 4096


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one chat: its parts in order, and the outbox rows it delivers.

    ``document``: a file sent right after the last part (an agenda push's calendar entry).
    """

    chat_id: str
    parts: tuple[str, ...]
    delivery_ids: tuple[int, ...]
    lang: str
    document: tuple[str, bytes] | None = None  # issue 17: (file name, content) sent after it


def _line(text: str | None, limit: int) -> str | None:
    """``text`` on one line, clipped so that it is at most ``limit`` characters once escaped.

    Escaping can make a string up to six times longer (``"`` → ``&quot;``): clipping the raw
    text alone could leave one rendered line longer than a message, which the split can only
    cut inside a tag.
    """
    if text is None:
        return None
    flat = " ".join(text.split())
    if len(escape(flat)) <= limit:
        return flat
    kept, size = [], 1  # room for the ellipsis
    for char in flat:
        size += len(escape(char))
        if size > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _link(url: str | None) -> str | None:
    """An http(s) link short enough to keep its line well under Telegram's limit."""
    safe = safe_url(url)
    return safe if safe is not None and len(escape(safe)) <= MAX_URL else None


def _flat_change(change: Change) -> Change:
    facts = change.facts
    if facts is not None and facts.title is not None:
        facts = replace(facts, title=_line(facts.title, MAX_TITLE))
    return replace(change, facts=facts, evidence=_line(change.evidence, MAX_EVIDENCE))


def _flat_motion(motion: Motion | None) -> Motion | None:
    if motion is None:
        return None
    return replace(
        motion,
        title=_line(motion.title, MAX_TITLE) or "",
        submitters=tuple(
            Submitter(_line(s.name, 120) or "", _line(s.party, 60), s.role)
            for s in motion.submitters
        ),
    )


def _flat_letter(letter: Letter | None) -> Letter | None:
    if letter is None:
        return None
    return replace(letter, title=_line(letter.title, MAX_TITLE) or "", url=_link(letter.url))


def _parts(text: str, change: Change, lang: str) -> tuple[str, ...]:
    parts = tuple(split_message(text))
    return parts or (escape(change_summary(change, lang)) or "kamerwacht",)


def _single(
    item: ClaimedDelivery,
    motions: Mapping[str, Motion],
    letters: Mapping[str, Letter],
    public_url: str,
    rendered: dict[tuple[object, ...], tuple[str, ...]],
) -> Outgoing:
    lang = item.subscriber.language
    key = ("single", item.change.id, lang)
    parts = rendered.get(key) if item.change.id is not None else None
    if parts is None:
        change = _flat_change(item.change)
        text = telegram_change(
            change,
            motion=_flat_motion(motions.get(change.motion_id or "")),
            letter=_flat_letter(letters.get(change.letter_id or "")),
            public_url=public_url,
            lang=lang,
        )
        parts = rendered[key] = _parts(text, change, lang)
    return Outgoing(
        chat_id=item.subscriber.address,
        parts=parts,
        delivery_ids=(item.delivery.id,),
        lang=lang,
    )


def _grouped(
    items: Sequence[ClaimedDelivery],
    motions: Mapping[str, Motion],
    letters: Mapping[str, Letter],
    public_url: str,
    rendered: dict[tuple[object, ...], tuple[str, ...]],
) -> Outgoing:
    first = items[0]
    lang = first.subscriber.language
    key = ("grouped", tuple(i.change.id for i in items), lang)
    parts = rendered.get(key)
    if parts is None:
        letter = _flat_letter(letters.get(first.change.letter_id or ""))
        rows = [
            (
                _flat_change(i.change),
                _flat_motion(motions.get(i.change.motion_id or "")),
                motion_url(public_url, i.change.motion_id or ""),
            )
            for i in items
        ]
        text = render(
            "telegram/grouped.html",
            lang=lang,
            letter=letter,
            letter_url=letter.url if letter else None,
            items=rows,
        )
        parts = _parts(text, first.change, lang)
        if all(i.change.id is not None for i in items):
            rendered[key] = parts
    return Outgoing(
        chat_id=first.subscriber.address,
        parts=parts,
        delivery_ids=tuple(i.delivery.id for i in items),
        lang=lang,
    )


def _group_key(item: ClaimedDelivery) -> tuple[str, str] | None:
    change = item.change
    if change.kind is ChangeKind.EXECUTION_REPORTED and change.letter_id and change.motion_id:
        return item.subscriber.address, change.letter_id
    return None


def plan_messages(
    items: Sequence[ClaimedDelivery],
    *,
    motions: Mapping[str, Motion],
    letters: Mapping[str, Letter],
    public_url: str,
) -> list[Outgoing]:
    """The messages that deliver ``items``, in the order of their first outbox row.

    ``motions`` and ``letters`` hold the records the changes name (missing ones are rendered
    from the change alone). Each outbox row is in exactly one message.
    """
    rendered: dict[tuple[object, ...], tuple[str, ...]] = {}  # one render per change & language
    groups: dict[tuple[str, str], list[ClaimedDelivery]] = {}
    for item in items:
        key = _group_key(item)
        if key is not None:
            groups.setdefault(key, []).append(item)
    out: list[Outgoing] = []
    done: set[tuple[str, str]] = set()
    for item in items:
        key = _group_key(item)
        if key is not None and len(groups[key]) > 1:
            if key not in done:
                done.add(key)
                out.append(_grouped(groups[key], motions, letters, public_url, rendered))
            continue
        out.append(_single(item, motions, letters, public_url, rendered))
    return out


def plan_digest(
    items: Sequence[ClaimedDelivery],
    *,
    motions: Mapping[str, Motion],
    frequency: Frequency,
    public_url: str,
) -> list[Outgoing]:
    """One digest message per chat listing its changes (daily or weekly subscribers)."""
    by_chat: dict[str, list[ClaimedDelivery]] = {}
    for item in items:
        by_chat.setdefault(item.subscriber.address, []).append(item)
    out: list[Outgoing] = []
    for chat_id, chat_items in by_chat.items():
        lang = chat_items[0].subscriber.language
        rows = [
            (_flat_change(i.change), _flat_motion(motions.get(i.change.motion_id or "")))
            for i in chat_items
        ]
        text = render(
            "telegram/digest.html",
            lang=lang,
            frequency=frequency,
            items=rows,
            public_url=public_url.rstrip("/"),
        )
        out.append(
            Outgoing(
                chat_id=chat_id,
                parts=_parts(text, chat_items[0].change, lang),
                delivery_ids=tuple(i.delivery.id for i in chat_items),
                lang=lang,
            )
        )
    return out
