"""The few strings that are not messages: the command menu and button labels, Dutch and English.

Message texts live in ``templates/telegram/*.html``; these are plain strings Telegram shows in
its own widgets (the command menu registered with setMyCommands, inline buttons).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ALIASES", "BUTTONS", "COMMAND_MENU", "button"]

# Command menu per language, in menu order: (command, description). Dutch is the default menu;
# English is registered for clients whose language is English.
COMMAND_MENU: Mapping[str, tuple[tuple[str, str], ...]] = {
    "nl": (
        ("status", "Stand van een motie, of van het hele onderwerp"),
        ("volg", "Volg een motie, dossier, trefwoord of alles"),
        ("ontvolg", "Stop met volgen"),
        ("lijst", "Wat deze chat volgt"),
        ("nieuw", "De laatste wijzigingen"),
        ("agenda", "Moties op de stemmingslijst en geplande debatten"),
        ("digest", "Berichten direct, dagelijks of wekelijks"),
        ("meldingen", "Per soort: direct, dagelijks, wekelijks of uit"),
        ("taal", "Taal: nl of en"),
        ("help", "Uitleg en voorbeelden"),
        ("stop", "Vergeet deze chat"),
    ),
    "en": (
        ("status", "Status of a motion, or of the whole topic"),
        ("subscribe", "Follow a motion, dossier, keyword or everything"),
        ("unsubscribe", "Stop following"),
        ("list", "What this chat follows"),
        ("latest", "The latest changes"),
        ("agenda", "Motions on the vote list and planned debates"),
        ("digest", "Messages instantly, daily or weekly"),
        ("alerts", "Per kind: instantly, daily, weekly or off"),
        ("language", "Language: nl or en"),
        ("help", "How it works, with examples"),
        ("stop", "Forget this chat"),
    ),
}

# Every command the bot answers, by handler name. The first name is the Dutch one.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "start": ("start",),
    "help": ("help", "hulp"),
    "status": ("status", "stand"),
    "follow": ("volg", "subscribe", "follow"),
    "unfollow": ("ontvolg", "unsubscribe", "unfollow"),
    "list": ("lijst", "list"),
    "latest": ("nieuw", "latest", "new"),
    "digest": ("digest",),
    "language": ("taal", "language", "lang"),
    "stop": ("stop",),
    "stats": ("stats",),
}

BUTTONS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "follow": "🔔 Volgen",
        "unfollow": "🔕 Ontvolgen",
        "follow_all": "🔔 Alles volgen",
        "unfollow_item": "🔕 {item}",
        "did_you_mean": "Bedoel je",
    },
    "en": {
        "follow": "🔔 Follow",
        "unfollow": "🔕 Unfollow",
        "follow_all": "🔔 Follow everything",
        "unfollow_item": "🔕 {item}",
        "did_you_mean": "Did you mean",
    },
}


def button(key: str, lang: str, **values: str) -> str:
    """A button label in ``lang`` (Dutch when the language is unknown)."""
    text = BUTTONS.get(lang, BUTTONS["nl"])[key]
    return text.format(**values) if values else text
