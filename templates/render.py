"""The one Jinja2 Environment and the vocabulary labels (Dutch first, English second).

Templates whose name ends in ``.html`` are autoescaped (Telegram HTML, email HTML, web pages);
``.txt`` templates are plain text. Every upstream string reaches a template as data, so escaping
happens here and nowhere else.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

__all__ = [
    "LABELS",
    "environment",
    "format_date",
    "format_when",
    "http_url",
    "label",
    "render",
    "surnames",
]

TEMPLATE_DIR = Path(__file__).resolve().parent

MONTHS = {
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        # parliamentary status
        "submitted": "ingediend",
        "adopted": "aangenomen",
        "rejected": "verworpen",
        "held": "aangehouden",
        "withdrawn": "ingetrokken",
        "taken_over": "overgenomen",
        "postponed": "stemming uitgesteld",
        "tied": "stemmen gestaakt",
        "lapsed": "vervallen",
        "replaced": "vervangen",
        "unknown": "onbekend",
        # execution status
        "executed": "uitgevoerd",
        "in_progress": "in uitvoering",
        "not_applicable": "niet langer van toepassing",
        "declined": "wordt niet uitgevoerd",
        "none": "geen uitvoeringsbericht",
        "overdue": "achterstallig",
        # change kinds
        "new_letter": "Nieuwe Kamerbrief",
        "new_motion": "Nieuwe motie",
        "status_changed": "Status gewijzigd",
        "vote_recorded": "Stemming",
        "execution_reported": "Uitvoering gemeld",
        "motion_replaced": "Motie vervangen",
        "decision_corrected": "Besluit gecorrigeerd",
        "motion_overdue": "Achterstallig",
        "vote_scheduled": "Op de stemmingslijst",
        "debate_scheduled": "Op de agenda van een debat",
        "agenda_moved": "Verplaatst",
        "agenda_cancelled": "Geannuleerd",
        "agenda_removed": "Van de agenda gehaald",
        "commitment_new": "Nieuwe toezegging",
        "commitment_status": "Toezegging gewijzigd",
        # commitment status (state.commitments.CommitmentStatus)
        "open": "openstaand",
        "partly_fulfilled": "deels voldaan",
        "fulfilled": "voldaan",
        "other": "anders",
        "letter": "brief",
        # why an execution report is due (state.overdue.DeadlineReason)
        "period": "geen uitvoeringsbericht binnen de termijn na aanneming",
        "text": "termijn uit de motie zelf",
        "recurring": "terugkerende termijn uit de motie",
        # votes
        "for": "voor",
        "against": "tegen",
        "not_participated": "niet deelgenomen",
    },
    "en": {
        "submitted": "submitted",
        "adopted": "adopted",
        "rejected": "rejected",
        "held": "held",
        "withdrawn": "withdrawn",
        "taken_over": "taken over",
        "postponed": "vote postponed",
        "tied": "tied",
        "lapsed": "lapsed",
        "replaced": "replaced",
        "unknown": "unknown",
        "executed": "executed",
        "in_progress": "in progress",
        "not_applicable": "no longer applicable",
        "declined": "declined",
        "none": "no execution report",
        "overdue": "overdue",
        "new_letter": "New government letter",
        "new_motion": "New motion",
        "status_changed": "Status changed",
        "vote_recorded": "Vote",
        "execution_reported": "Execution reported",
        "motion_replaced": "Motion replaced",
        "decision_corrected": "Decision corrected",
        "motion_overdue": "Overdue",
        "vote_scheduled": "On the vote list",
        "debate_scheduled": "On a debate's agenda",
        "agenda_moved": "Moved",
        "agenda_cancelled": "Cancelled",
        "agenda_removed": "Taken off the agenda",
        "commitment_new": "New commitment",
        "commitment_status": "Commitment changed",
        "open": "open",
        "partly_fulfilled": "partly fulfilled",
        "fulfilled": "fulfilled",
        "other": "other",
        "letter": "letter",
        "period": "no execution report within the period after adoption",
        "text": "deadline set by the motion itself",
        "recurring": "recurring deadline set by the motion",
        "for": "for",
        "against": "against",
        "not_participated": "did not vote",
    },
}


def label(code: object, lang: str = "nl") -> str:
    """The human label of a vocabulary code (enum or string) in ``lang``; unknown codes as-is."""
    key = "none" if code is None else str(getattr(code, "value", code))
    return LABELS.get(lang, LABELS["nl"]).get(key, key)


def format_date(value: date | datetime | str | None, lang: str = "nl") -> str:
    """``4 november 2021`` (nl) / ``4 November 2021`` (en); empty for None.

    An ISO date string (a change's ``new`` value) is formatted too; other text is shown as is.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value[:10]), lang)
        except ValueError:
            return value
    months = MONTHS.get(lang, MONTHS["nl"])
    return f"{value.day} {months[value.month - 1]} {value.year}"


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
LOCAL = "Europe/Amsterdam"  # the Tweede Kamer's time zone: agenda times are shown in it


def format_when(value: object, lang: str = "nl") -> str:
    """An agenda moment as people say it.

    ``2025-10-02T20:30:00+00:00`` → ``2 oktober 2025, 22:30``; ``2025-10-16`` → ``16 oktober
    2025``; ``2025-W48`` → ``week 48 van 2025`` (``week 48 of 2025``); empty for None.
    """
    if value is None or value == "":
        return ""
    text = str(getattr(value, "isoformat", lambda: value)())
    week = _WEEK.match(text)
    if week:
        return f"week {int(week[2])} {'van' if lang == 'nl' else 'of'} {week[1]}"
    if len(text) <= 10:
        return format_date(text, lang)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo(LOCAL))
    return f"{format_date(moment.date(), lang)}, {moment:%H:%M}"


def http_url(url: object) -> str | None:
    """``url`` when it is an http(s) URL, else None: an upstream link never becomes a
    ``javascript:`` / ``data:`` link (escaping protects the markup, not the scheme)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if url.lower().startswith(("https://", "http://")) else None


_PARTICLES = ("van", "de", "der", "den", "het", "ter", "ten", "te", "in", "'t")


def surnames(names: object, limit: int = 3) -> str:
    """``Ceder, Van der Plas`` from names or Submitter records; ``c.s.`` past ``limit``."""
    out: list[str] = []
    for item in names or ():  # type: ignore[attr-defined]
        # "A.H. (Agnes) Mulder" → "A.H. Mulder": a given name in brackets is not a surname
        name = re.sub(r"\s*\([^)]*\)", "", str(getattr(item, "name", item))).strip()
        if not name:
            continue
        parts = name.split()
        # "D.G.M. Ceder" → "Ceder"; "C.A.M. van der Plas" → "Van der Plas"; "Van der Graaf" stays
        while len(parts) > 1 and ("." in parts[0] or (parts[0].isupper() and len(parts[0]) <= 3)):
            parts = parts[1:]
        surname = " ".join(parts)
        if surname.split()[0].lower() in _PARTICLES:
            surname = surname[0].upper() + surname[1:]
        out.append(surname)
    if len(out) > limit:
        return ", ".join(out[:limit]) + " c.s."
    return ", ".join(out)


@cache
def environment() -> Environment:
    """The process's single Jinja2 Environment (built once, on first use)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html", "xml", "atom"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["label"] = label
    env.filters["date_nl"] = format_date
    env.filters["surnames"] = surnames
    env.filters["http_url"] = http_url
    env.filters["when_nl"] = format_when
    env.globals["label"] = label
    env.globals["format_date"] = format_date
    return env


def render(name: str, /, **context: Any) -> str:
    """Render template ``name`` (e.g. ``telegram/change.html``) with ``context``."""
    return environment().get_template(name).render(**context).strip()
