"""Pure rendering of changes into what a person receives, plus Telegram's 4096-character split."""

from __future__ import annotations

import re

from state.models import Change, Letter, Motion
from templates.render import render

__all__ = ["TELEGRAM_LIMIT", "motion_url", "split_message", "telegram_change"]

TELEGRAM_LIMIT = 4096


def motion_url(public_url: str, motion_id: str) -> str:
    """The web page of a motion."""
    return f"{public_url.rstrip('/')}/motie/{motion_id}"


def telegram_change(
    change: Change,
    *,
    motion: Motion | None,
    letter: Letter | None,
    public_url: str,
    lang: str = "nl",
) -> str:
    """One change as Telegram HTML (every upstream string escaped by the template)."""
    return render(
        "telegram/change.html",
        change=change,
        motion=motion,
        letter=letter,
        motion_url=motion_url(public_url, motion.id) if motion else None,
        lang=lang,
    )


def _split_lines(text: str, limit: int) -> list[str]:
    """Split on line boundaries; a single line longer than ``limit`` is cut hard."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current:
        parts.append(current)
    return parts


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters.

    Parts end at a paragraph (blank line) where one fits, so an item of a grouped message stays
    in one part; a paragraph longer than ``limit`` is split on line boundaries, and a single line
    longer than that is cut hard (templates never wrap a tag around a line break). Empty text
    gives no parts.
    """
    if not text:
        return []
    parts: list[str] = []
    current = ""
    for paragraph in re.split(r"(?<=\n)(?=\n)", text):
        if len(current) + len(paragraph) <= limit:
            current += paragraph
            continue
        if current:
            parts.append(current)
            current = ""
        if len(paragraph) <= limit:
            current = paragraph
        else:
            pieces = _split_lines(paragraph, limit)
            parts.extend(pieces[:-1])
            current = pieces[-1]
    if current:
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()]
