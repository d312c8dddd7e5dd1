"""The agenda: followed motions on a planned vote list or debate, and what changes about it (pure).

An :class:`AgendaItem` is one Zaak on one agenda item (``Agendapunt``) of one activity
(``Activiteit``): a plenary voting session (``Stemmingen``) or a debate. The agenda source
observes the planned activities (and those changed since its cursor); :func:`diff_agenda`
compares what it saw with the stored items of the same activities:

* a new item on a planned activity → ``vote_scheduled`` (a voting session, pushed once before
  the vote) or ``debate_scheduled``;
* the activity moved (status ``Verplaatst`` or another date) → ``agenda_moved``;
* the activity cancelled (``Geannuleerd``) → ``agenda_cancelled``;
* the Zaak no longer on a still-planned activity → ``agenda_removed``;
* the activity held (``Uitgevoerd``) → no change of its own: the result follows as a vote.

Change values are codes and ISO dates; words live in templates/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from state.changes import Route
from state.models import Change, ChangeFacts, ChangeKind, dossier_of, is_motion_key

__all__ = [
    "AgendaDiff",
    "AgendaItem",
    "AgendaStatus",
    "DateKind",
    "agenda_status",
    "date_kind",
    "diff_agenda",
    "is_vote",
    "scheduled",
]


class AgendaStatus(StrEnum):
    """An activity's status (``Activiteit.Status``)."""

    PLANNED = "planned"  # Gepland
    MOVED = "moved"  # Verplaatst
    CANCELLED = "cancelled"  # Geannuleerd / Vervallen
    HELD = "held"  # Uitgevoerd
    OTHER = "other"


class DateKind(StrEnum):
    """How precise the activity's date is (``Activiteit.DatumSoort``)."""

    DAY = "day"  # Dag: the date (and maybe the time) is fixed
    WEEK = "week"  # Weeknummer: only the week is known
    UNKNOWN = "unknown"  # Nog geen datum bekend


_STATUS = {
    "gepland": AgendaStatus.PLANNED,
    "verplaatst": AgendaStatus.MOVED,
    "geannuleerd": AgendaStatus.CANCELLED,
    "vervallen": AgendaStatus.CANCELLED,
    "uitgevoerd": AgendaStatus.HELD,
}
_DATE_KIND = {"dag": DateKind.DAY, "weeknummer": DateKind.WEEK}


def agenda_status(raw: object) -> AgendaStatus:
    """The status code of an ``Activiteit.Status`` value."""
    return _STATUS.get(str(raw or "").strip().lower(), AgendaStatus.OTHER)


def date_kind(raw: object) -> DateKind:
    """The date precision of an ``Activiteit.DatumSoort`` value."""
    return _DATE_KIND.get(str(raw or "").strip().lower(), DateKind.UNKNOWN)


def is_vote(kind: str) -> bool:
    """Whether an activity's ``Soort`` is a plenary voting session."""
    return kind.strip().lower() == "stemmingen"


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One Zaak on the agenda of one activity, as the Gegevensmagazijn lists it."""

    activity_id: str  # Activiteit.Id
    zaak_id: str  # Zaak.Id
    activity_nummer: str  # 2025A06526
    kind: str  # Activiteit.Soort as received: Stemmingen, Commissiedebat, Plenair debat (…)
    subject: str  # Activiteit.Onderwerp
    status: AgendaStatus
    day: date | None  # Activiteit.Datum (local date)
    start: datetime | None = None  # Aanvangstijd (UTC), None when not fixed
    end: datetime | None = None  # Eindtijd (UTC)
    date_kind: DateKind = DateKind.DAY
    status_raw: str | None = None
    agendapunt_id: str | None = None
    agendapunt_subject: str | None = None
    zaak_nummer: str | None = None  # 2025Z18664
    zaak_kind: str | None = None  # Zaak.Soort: Motie, Wetgeving, …
    title: str | None = None  # Zaak.Onderwerp
    appraisal: str | None = None  # Zaak.Kabinetsappreciatie
    dossier: str | None = None  # Kamerstukdossier of the Zaak: 21501-02
    proposal: bool = False  # a Besluit with Status Voorstel is on the agenda item
    motion_id: str | None = None  # the tracked motion's id (set by the repository)
    location: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The item's identity: (activity, Zaak)."""
        return (self.activity_id, self.zaak_id)

    @property
    def vote(self) -> bool:
        """Whether the activity is a plenary voting session."""
        return is_vote(self.kind)

    @property
    def ref(self) -> str:
        """What the item is about: the motion id, else the Zaak number, else the Zaak id."""
        return self.motion_id or self.zaak_nummer or self.zaak_id

    def when(self) -> str:
        """The item's date as a change value: ISO date-time, ISO date or ``YYYY-Www``."""
        if self.date_kind is DateKind.WEEK and self.day is not None:
            year, week, _ = self.day.isocalendar()
            return f"{year}-W{week:02d}"
        if self.start is not None and self.date_kind is DateKind.DAY:
            return self.start.isoformat()
        return self.day.isoformat() if self.day else ""


@dataclass(frozen=True, slots=True)
class AgendaDiff:
    """The outcome of one agenda diff: changes (with routes) and the items to store."""

    changes: tuple[Change, ...] = ()
    routes: tuple[Route, ...] = ()
    upserts: tuple[AgendaItem, ...] = ()
    removed: tuple[AgendaItem, ...] = ()  # items no longer on their (still planned) activity


def _route(item: AgendaItem) -> Route:
    dossiers = {item.dossier} if item.dossier else set()
    if item.motion_id and "-" in item.motion_id:
        dossiers.add(dossier_of(item.motion_id))
    texts = tuple(t for t in (item.title, item.agendapunt_subject) if t)
    return Route(dossiers=frozenset(dossiers), texts=texts)


def _motion_ref(item: AgendaItem) -> str | None:
    """The motion a change about ``item`` concerns: none when its Zaak is not a motion (a
    letter on a debate's agenda, reaching the followers of its dossier)."""
    if item.motion_id is None and (item.zaak_kind or "").strip().lower() not in ("", "motie"):
        return None
    return item.ref if is_motion_key(item.ref) else None


def _change(
    kind: ChangeKind, item: AgendaItem, now: datetime, *, old: str | None, new: str | None
) -> tuple[Change, Route, AgendaItem]:
    debate = not item.vote
    change = Change(
        kind=kind,
        motion_id=_motion_ref(item),
        letter_id=item.activity_nummer,
        old=old,
        new=new,
        evidence=item.appraisal,
        created=now,
        facts=ChangeFacts(
            title=item.title or item.subject,
            ident=item.ref,
            session=(item.kind or None) if debate else None,
            session_subject=(item.subject or None) if debate else None,
        ),
    )
    return change, _route(item), item


def _scheduled(item: AgendaItem, now: datetime) -> tuple[Change, Route, AgendaItem]:
    kind = ChangeKind.VOTE_SCHEDULED if item.vote else ChangeKind.DEBATE_SCHEDULED
    return _change(kind, item, now, old=None, new=item.when())


def scheduled(item: AgendaItem, now: datetime) -> tuple[Change, Route]:
    """The change an item on a planned activity is told by, and where it goes (its route).

    The same change :func:`diff_agenda` makes when it first sees the item; a reader asks with it
    who the item concerns (``state.outbox.targets``), e.g. which follows would have heard of it.
    """
    change, route, _ = _scheduled(item, now)
    return change, route


def _relevant(item: AgendaItem) -> bool:
    return item.motion_id is not None


def diff_agenda(
    stored: Mapping[tuple[str, str], AgendaItem],
    observed: Iterable[AgendaItem],
    *,
    activities: Iterable[str],
    now: datetime,
    relevant: Callable[[AgendaItem], bool] = _relevant,
) -> AgendaDiff:
    """Compare the observed items of ``activities`` with the stored items of those activities.

    ``stored`` holds every stored item of the observed activities. Every observed item is
    stored; changes are made only for ``relevant`` ones (by default: a tracked motion's). An item
    that becomes relevant while planned (its motion is followed now) is scheduled then.
    ``letter_id`` of a change carries the activity number.
    """
    seen_activities = set(activities)
    changes: list[tuple[Change, Route, AgendaItem]] = []
    upserts: list[AgendaItem] = []
    observed_keys: set[tuple[str, str]] = set()
    for item in observed:
        observed_keys.add(item.key)
        before = stored.get(item.key)
        if before is None:
            upserts.append(item)
            if item.status is AgendaStatus.PLANNED:
                changes.append(_scheduled(item, now))
            continue
        if item.motion_id is None and before.motion_id:
            item = replace(item, motion_id=before.motion_id)
        if item != before:
            upserts.append(item)
        if item.status is AgendaStatus.PLANNED and relevant(item) and not relevant(before):
            changes.append(_scheduled(item, now))
        elif item.status is not before.status:
            if item.status is AgendaStatus.CANCELLED:
                changes.append(
                    _change(
                        ChangeKind.AGENDA_CANCELLED, item, now, old=before.when(), new=item.when()
                    )
                )
            elif item.status is AgendaStatus.MOVED or (
                item.status is AgendaStatus.PLANNED and item.when() != before.when()
            ):
                changes.append(
                    _change(ChangeKind.AGENDA_MOVED, item, now, old=before.when(), new=item.when())
                )
            elif item.status is AgendaStatus.PLANNED:
                changes.append(_scheduled(item, now))
        elif item.status is AgendaStatus.PLANNED and item.when() != before.when():
            changes.append(
                _change(ChangeKind.AGENDA_MOVED, item, now, old=before.when(), new=item.when())
            )
    removed: list[AgendaItem] = []
    for key, before in stored.items():
        if key in observed_keys or before.activity_id not in seen_activities:
            continue
        removed.append(before)
        if before.status is AgendaStatus.PLANNED:
            changes.append(
                _change(ChangeKind.AGENDA_REMOVED, before, now, old=before.when(), new=None)
            )
    kept = [(c, r) for c, r, item in changes if relevant(item)]
    return AgendaDiff(
        changes=tuple(c for c, _ in kept),
        routes=tuple(r for _, r in kept),
        upserts=tuple(upserts),
        removed=tuple(removed),
    )
