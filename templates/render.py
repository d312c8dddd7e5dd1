"""The one Jinja2 Environment and the vocabulary (Dutch first, English second).

Everything kamerwacht says in words comes from here and the templates beside it: the labels of
the status and change-kind codes, a member's surname, and :func:`change_summary`, the one-line
telling of a change (``state.models.Change`` carries codes and facts only).

Templates whose name ends in ``.html`` are autoescaped (Telegram HTML, email HTML, web pages);
``.txt`` templates are plain text. Every upstream string reaches a template as data, so escaping
happens here and nowhere else.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = [
    "LABELS",
    "change_detail",
    "change_summary",
    "environment",
    "format_date",
    "format_when",
    "http_url",
    "label",
    "render",
    "surname",
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
        # words of a change's one-line summary (change_summary)
        "line.new_motion": "nieuwe motie",
        "line.replaced_by": "vervangen door",
        "line.execution_reported": "uitvoering gemeld",
        "line.untitled": "zonder titel",
        "line.was": "was",
        "line.new_document": "Nieuw document",
        "line.cites": "noemt",
        # a letter citing a motion under a mistyped id (state.typos)
        "cited_as": "geciteerd als",
        "probable_typo_for": "waarschijnlijk een tikfout voor",
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
        "line.new_motion": "new motion",
        "line.replaced_by": "replaced by",
        "line.execution_reported": "execution reported",
        "line.untitled": "untitled",
        "line.was": "was",
        "line.new_document": "New document",
        "line.cites": "cites",
        "cited_as": "cited as",
        "probable_typo_for": "probable typo for",
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


# Lower-case name particles (tussenvoegsels) that precede a Dutch surname.
_PARTICLES = frozenset(
    {
        *("van", "der", "den", "de", "het", "ter", "ten", "te", "'t", "in", "op", "onder"),
        *("aan", "bij", "uit", "la", "le", "du", "des", "del", "von", "zu", "d'"),
    }
)


def _initials(word: str) -> bool:
    return "." in word or (word.isupper() and len(word) <= 3)


def surname(name: object) -> str:
    """A member's surname as people write it; the only surname function.

    ``P.H. Omtzigt`` → ``Omtzigt``; ``C.A.M. van der Plas`` → ``Van der Plas``; ``J.J. (Jasper)
    van Dijk`` → ``Van Dijk`` (a given name in brackets is not a surname); ``Linde van der,
    R.E.`` → ``Van der Linde``; a name without initials is kept as given. ``name`` may be a
    Submitter record.
    """
    text = " ".join(str(getattr(name, "name", name)).split())
    if "," in text:
        head = text.split(",", 1)[0].split()
        tail: list[str] = []
        while len(head) > 1 and head[-1].lower() in _PARTICLES:
            tail.insert(0, head.pop())
        words = tail + head
    else:
        words = re.sub(r"\s*\([^)]*\)", "", text).split()
        while len(words) > 1 and _initials(words[0]):
            words = words[1:]
    if not words:
        return text
    result = " ".join(words)
    return result[0].upper() + result[1:]


def surnames(names: object, limit: int = 3) -> str:
    """``Ceder, Van der Plas`` from names or Submitter records; ``c.s.`` past ``limit``."""
    out = [s for s in (surname(item) for item in names or ()) if s]  # type: ignore[attr-defined]
    if len(out) > limit:
        return ", ".join(out[:limit]) + " c.s."
    return ", ".join(out)


MAX_TITLE = 200  # characters of a title quoted in a change's summary
MAX_SUMMARY = 400  # characters of an overdue, agenda or commitment summary


def _clip(text: str | None, limit: int = MAX_TITLE) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ref(change: Any, facts: Any) -> str:
    """``35570-V-31 (Van Helvert c.s.)``: the motion id and its submitter's surname."""
    ident = change.motion_id or ""
    if not facts.submitter:
        return str(ident)
    return f"{ident} ({surname(facts.submitter)}{' c.s.' if facts.cosigned else ''})"


def _status(code: object, facts: Any, lang: str) -> str:
    """A status label with the tally of the vote that made it: ``aangenomen (113-37)``."""
    text = label(code, lang)
    if facts.votes_for is not None and facts.votes_against is not None:
        text += f" ({facts.votes_for}-{facts.votes_against})"
    return text


def change_detail(change: Any, lang: str = "nl") -> str:
    """What a new motion or a new letter is: its title (clipped) and, for a motion that arrives
    decided, its status; for a letter, the motions it cites. Empty for other kinds."""
    kind = str(getattr(change.kind, "value", change.kind))
    facts = change.facts
    if facts is None or kind not in ("new_motion", "new_letter"):
        return ""
    words = LABELS.get(lang, LABELS["nl"])
    text = _clip(facts.title) or words["line.untitled"]
    if kind == "new_motion" and change.new not in ("submitted", "unknown", None):
        text += f" ({_status(change.new, facts, lang)})"
    if kind == "new_letter" and facts.cited:
        more = " …" if len(facts.cited) > 5 else ""
        text += f" ({words['line.cites']} {', '.join(facts.cited[:5])}{more})"
    return text


def change_summary(change: Any, lang: str = "nl") -> str:
    """One plain-text line telling a change (``state.models.Change``) in ``lang``.

    ``35570-V-31 (Van Helvert c.s.): aangenomen (76-74) (was: ingediend)``. A change stored
    before facts were kept is told from its codes alone.
    """
    kind = str(getattr(change.kind, "value", change.kind))
    facts = change.facts
    words = LABELS.get(lang, LABELS["nl"])
    if facts is None:
        what = change.motion_id or change.subject or change.letter_id or ""
        text = f"{what}: {label(kind, lang)}" if what else label(kind, lang)
        return f"{text} — {label(change.new, lang)}" if change.new else text
    ref = _ref(change, facts)
    if kind == "new_motion":
        return f"{ref}: {words['line.new_motion']} — {change_detail(change, lang)}"
    if kind == "motion_replaced":
        return f"{ref}: {words['line.replaced_by']} {change.new}"
    if kind == "decision_corrected":
        return f"{ref}: {facts.raw or label(kind, lang)}"
    if kind == "vote_recorded":
        return f"{ref}: {_status(facts.decision or change.new, facts, lang)}"
    if kind == "status_changed":
        text = f"{ref}: {_status(change.new, facts, lang)}"
        if not facts.placeholder:
            text += f" ({words['line.was']}: {label(change.old, lang)})"
        return text
    if kind == "execution_reported":
        return f"{ref}: {words['line.execution_reported']} — {label(change.new, lang)}"
    if kind == "new_letter":
        what = words["new_letter"] if facts.document == "letter" else words["line.new_document"]
        return f"{what} {facts.ident or change.letter_id}: {change_detail(change, lang)}"
    if kind == "motion_overdue":
        return f"{ref}: {change.new} — {facts.title or ''}"[:MAX_SUMMARY]
    if kind in ("commitment_new", "commitment_status"):
        return f"{change.subject}: {change.new} — {facts.title or ''}"[:MAX_SUMMARY]
    # the agenda kinds: the item's reference, the activity number and its moment
    ident = facts.ident or change.motion_id or ""
    text = f"{ident}: {change.letter_id} {change.new or ''} — {facts.title or ''}"
    return text[:MAX_SUMMARY]


@cache
def environment() -> Environment:
    """The process's single Jinja2 Environment (built once, on first use).

    Jinja2 is imported here, not at module level: the vocabulary above serves the read commands'
    JSON (``kamerwacht status --json``) without it.
    """
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
    env.filters["surname"] = surname
    env.filters["summary"] = change_summary
    env.filters["detail"] = change_detail
    env.filters["http_url"] = http_url
    env.filters["when_nl"] = format_when
    env.globals["label"] = label
    env.globals["format_date"] = format_date
    return env


def render(name: str, /, **context: Any) -> str:
    """Render template ``name`` (e.g. ``telegram/change.html``) with ``context``."""
    return environment().get_template(name).render(**context).strip()
