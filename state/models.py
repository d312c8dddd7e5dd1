"""Domain records: frozen dataclasses and StrEnums shared by every layer.

These are the only types that cross module boundaries. Scrapers produce them, ``state.diff``
compares them, ``state.repository`` stores them and templates render them. Canonical codes live
here; Dutch labels live in ``templates/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

__all__ = [
    "MOTION_ID_RE",
    "ZAAK_NUMMER_RE",
    "BoardEntry",
    "Change",
    "ChangeFacts",
    "ChangeKind",
    "Channel",
    "CitedMotion",
    "ClaimedDelivery",
    "Decision",
    "Delivery",
    "DeliveryStatus",
    "DocumentKind",
    "ExecutionReport",
    "ExecutionStatus",
    "Frequency",
    "Letter",
    "Motion",
    "Observation",
    "ParliamentaryStatus",
    "PartyVote",
    "SourceStatus",
    "Submitter",
    "Subscriber",
    "Subscription",
    "SubscriptionKind",
    "TimelineEntry",
    "TimelineKind",
    "VoteChoice",
    "dossier_of",
    "is_motion_key",
]

# `{dossier}[-{toevoeging}]-{volgnummer}`: 21501-02-2228, 35570-V-31, 35373-23, 36800-IXB-5.
MOTION_ID_RE = re.compile(
    r"^(?P<dossier>[1-9]\d{3,5})(?:-(?P<toevoeging>[0-9A-Za-z]{1,5}))?-(?P<nr>[1-9]\d{0,4})$"
)


# A motion no recorded document gives a Kamerstuk number for is tracked by its Zaak number.
ZAAK_NUMMER_RE = re.compile(r"^(?:19|20)\d{2}Z\d{5}$")


def is_motion_key(value: str) -> bool:
    """Whether ``value`` can be a tracked motion's id: a canonical id or a Zaak number."""
    return bool(MOTION_ID_RE.match(value) or ZAAK_NUMMER_RE.match(value))


def dossier_of(kamerstuk_id: str) -> str:
    """Return the dossier part of a canonical Kamerstuk id (``21501-02-2228`` → ``21501-02``)."""
    return kamerstuk_id.rsplit("-", 1)[0]


class ParliamentaryStatus(StrEnum):
    """What the House decided on a motion (from ``Besluit.BesluitSoort``)."""

    SUBMITTED = "submitted"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    HELD = "held"
    WITHDRAWN = "withdrawn"
    TAKEN_OVER = "taken_over"
    POSTPONED = "postponed"
    TIED = "tied"
    LAPSED = "lapsed"
    REPLACED = "replaced"
    UNKNOWN = "unknown"  # an unrecognised BesluitSoort; the raw value is kept beside it


class ExecutionStatus(StrEnum):
    """How far the cabinet reports it has carried out a motion."""

    EXECUTED = "executed"
    IN_PROGRESS = "in_progress"
    NOT_APPLICABLE = "not_applicable"
    DECLINED = "declined"


class ChangeKind(StrEnum):
    """What happened, as pushed to subscribers."""

    NEW_LETTER = "new_letter"
    NEW_MOTION = "new_motion"
    STATUS_CHANGED = "status_changed"
    VOTE_RECORDED = "vote_recorded"
    EXECUTION_REPORTED = "execution_reported"
    MOTION_REPLACED = "motion_replaced"
    DECISION_CORRECTED = "decision_corrected"  # upstream withdrew or corrected a decision
    MOTION_OVERDUE = "motion_overdue"  # adopted, no execution report past its due date
    VOTE_SCHEDULED = "vote_scheduled"  # on the list of a planned plenary voting session
    DEBATE_SCHEDULED = "debate_scheduled"  # on the agenda of a planned debate
    AGENDA_MOVED = "agenda_moved"  # the session moved (Verplaatst, or another date)
    AGENDA_CANCELLED = "agenda_cancelled"  # the session cancelled (Geannuleerd)
    AGENDA_REMOVED = "agenda_removed"  # taken off a still-planned session's list
    COMMITMENT_NEW = "commitment_new"  # a new commitment (toezegging) on the topic
    COMMITMENT_STATUS = "commitment_status"  # a commitment's status changed


class VoteChoice(StrEnum):
    """A party's (or member's) vote, from ``Stemming.Soort``."""

    FOR = "for"  # Voor
    AGAINST = "against"  # Tegen
    NOT_PARTICIPATED = "not_participated"  # Niet deelgenomen


class DocumentKind(StrEnum):
    """What an extracted document is."""

    LETTER = "letter"
    MOTION = "motion"
    OTHER = "other"
    HANDELINGEN = "handelingen"  # the verbatim record: vote sections, submissions, procedure
    VOTE_LIST = "vote_list"  # a page of vote results (tweedekamer.nl Stemmingsuitslagen)
    BUDGET_ANNEX = "budget_annex"  # a begroting's / jaarverslag's motion overview table


class Channel(StrEnum):
    """Where a subscriber receives messages."""

    TELEGRAM = "telegram"
    EMAIL = "email"


class SubscriptionKind(StrEnum):
    """What a subscription follows."""

    ALL = "all"  # everything on the topic
    MOTION = "motion"  # one motion id
    DOSSIER = "dossier"  # a dossier, e.g. 21501-02
    KEYWORD = "keyword"  # words in titles / letters
    COMMITMENT = "commitment"  # one commitment (toezegging) number, e.g. TZ202110-001


class Frequency(StrEnum):
    """How often a subscriber wants to hear about changes."""

    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


class DeliveryStatus(StrEnum):
    """Lifecycle of one outbox row."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # subscriber inactive / unsubscribed before sending


@dataclass(frozen=True, slots=True)
class Submitter:
    """A member who submitted (``indiener``) or co-submitted a motion."""

    name: str
    party: str | None = None
    role: str | None = None  # "Indiener" / "Medeindiener" as in ZaakActor.Relatie, or None


@dataclass(frozen=True, slots=True)
class PartyVote:
    """One Stemming row after de-duplication: a party (or a member in a roll-call vote)."""

    actor: str  # party abbreviation (ActorFractie) or member name for Hoofdelijk
    party: str | None
    choice: VoteChoice
    seats: int  # FractieGrootte; 1 for a member in a roll-call vote
    mistake: bool = False  # Vergissing


@dataclass(frozen=True, slots=True)
class Decision:
    """One Besluit on a motion."""

    id: str  # Besluit.Id
    motion_id: str
    status: ParliamentaryStatus
    raw_kind: str  # BesluitSoort as received
    text: str | None = None  # BesluitTekst, e.g. "Aangenomen. (73-72)"
    date: date | None = None
    final: bool = True  # Besluit.Status == 'Besluit'
    votes: tuple[PartyVote, ...] = ()
    # Where a decision not from a Besluit was read: the Handelingen item's URL (its votes then
    # name parties without seats). None for the Tweede Kamer's own Besluit records.
    source: str | None = None

    @property
    def tally(self) -> tuple[int, int]:
        """Seats (for, against), ignoring rows marked as a mistake."""
        yes = sum(v.seats for v in self.votes if v.choice is VoteChoice.FOR and not v.mistake)
        no = sum(v.seats for v in self.votes if v.choice is VoteChoice.AGAINST and not v.mistake)
        return yes, no


@dataclass(frozen=True, slots=True)
class ExecutionReport:
    """The cabinet's report, in one letter, on how far it carried out one motion."""

    motion_id: str
    letter_id: str
    status: ExecutionStatus | None
    evidence: str | None
    date: date | None = None  # the letter's date
    letter_title: str | None = None
    letter_url: str | None = None
    cited_as: str | None = None  # the id as the letter wrote it: a probable typo for motion_id


@dataclass(frozen=True, slots=True)
class Motion:
    """A motion as kamerwacht knows it. ``id`` is the canonical Kamerstuk id."""

    id: str
    title: str
    submitters: tuple[Submitter, ...] = ()
    date: date | None = None  # submitted / voorgesteld
    parliamentary_status: ParliamentaryStatus = ParliamentaryStatus.SUBMITTED
    status_raw: str | None = None  # the BesluitSoort that decided the status
    cabinet_appraisal: str | None = None  # Kabinetsappreciatie
    afgedaan: bool | None = None  # Zaak.Afgedaan: the House considers the motion dealt with
    decisions: tuple[Decision, ...] = ()
    replaced_by: str | None = None
    replaces: str | None = None
    text: str | None = None  # operative text ("verzoekt de regering …")
    zaak_id: str | None = None  # Zaak.Id (GUID)
    zaak_nummer: str | None = None  # 2020Z21194
    url: str | None = None
    source: str = "tweedekamer"

    @property
    def dossier(self) -> str:
        """The motion's dossier, e.g. ``21501-02``."""
        return dossier_of(self.id)

    @property
    def final_decision(self) -> Decision | None:
        """The latest final decision, if any.

        On one day a vote outranks the submission (``Ingediend``) it follows, and a decision with
        votes one without (a Besluit lacking Stemming rows beside its Handelingen record); equal
        ones keep the order the source gave them (the last wins). A Besluit with Stemming rows
        is never overridden by a decision read from the Handelingen.
        """
        finals = [(i, d) for i, d in enumerate(self.decisions) if d.final]
        if any(d.votes and not d.source for _, d in finals):
            # a Besluit with Stemming rows is never overridden by a reading of the Handelingen
            finals = [(i, d) for i, d in finals if not d.source]
        if not finals:
            return None
        return max(
            finals,
            key=lambda item: (
                item[1].date or date.min,
                item[1].status is not ParliamentaryStatus.SUBMITTED,
                bool(item[1].votes),  # the same decision with its votes (Handelingen) wins
                item[0],
            ),
        )[1]


@dataclass(frozen=True, slots=True)
class CitedMotion:
    """A motion as a document reports on it (output of ``scrapers.letters``)."""

    id: str
    title: str | None = None
    submitters: tuple[str, ...] = ()
    date: date | None = None
    status: ExecutionStatus | None = None
    evidence: str | None = None
    # The id as the document wrote it, when that id is unknown and is a probable typo for ``id``
    # (a one-character neighbour with the same submitter): "33570-V-42" for 35570-V-42.
    cited_as: str | None = None


@dataclass(frozen=True, slots=True)
class Letter:
    """A document kamerwacht read: a government letter (or a motion document).

    ``id`` is the letter's own canonical Kamerstuk id when known (``21501-02-2423``), else a
    source-scoped id such as the Tweede Kamer DocumentNummer (``2021D41766``).
    """

    id: str
    title: str
    date: date | None = None
    kind: DocumentKind = DocumentKind.LETTER
    kamerstuk: str | None = None
    document_nummer: str | None = None
    url: str | None = None
    source: str = "tweedekamer"
    motions: tuple[CitedMotion, ...] = ()
    references: tuple[str, ...] = ()

    def reports(self) -> tuple[ExecutionReport, ...]:
        """The execution reports this letter makes, one per cited motion."""
        return tuple(
            ExecutionReport(
                motion_id=m.id,
                letter_id=self.id,
                status=m.status,
                evidence=m.evidence,
                date=self.date,
                letter_title=self.title,
                letter_url=self.url,
            )
            for m in self.motions
        )


@dataclass(frozen=True, slots=True)
class Observation:
    """Everything one poll cycle observed, handed to ``state.diff``."""

    motions: tuple[Motion, ...] = ()
    letters: tuple[Letter, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeFacts:
    """The facts a change is told with, as codes, ids, numbers and upstream's own text.

    Never words of kamerwacht's own: ``templates/`` turns a change and its facts into a sentence
    in the reader's language. Every field is optional; which ones a kind fills is listed in
    ``state.changes``.
    """

    title: str | None = None  # the motion's, letter's, agenda item's or commitment's own title
    submitter: str | None = None  # the (first) submitter's name as upstream writes it
    cosigned: bool = False  # the motion has further submitters
    decision: str | None = None  # the status code of the decision a vote made (vote_recorded)
    votes_for: int | None = None  # the tally of that decision, when seats are known
    votes_against: int | None = None
    placeholder: bool = False  # before: known only from a letter's citation (status_changed)
    raw: str | None = None  # upstream's own word for what happened (a withdrawn decision's kind)
    document: str | None = None  # the DocumentKind code of a new letter
    ident: str | None = None  # a letter's Kamerstuk id; an agenda item's reference
    cited: tuple[str, ...] = ()  # the motions a new letter cites, in its order
    session: str | None = None  # a debate's agenda change: the Activiteit's Soort, as upstream
    session_subject: str | None = None  # … and its Onderwerp ("Raad Buitenlandse Zaken …")


@dataclass(frozen=True, slots=True)
class Change:
    """Something subscribers are told about: its kind code and facts, never a sentence.

    ``templates.render.change_summary`` and the channel templates put it into words.
    ``facts`` is None for a change stored before facts were kept (migration 0009); such a row is
    told from its codes alone. ``legacy_summary`` is the Dutch line such an old row stored; only
    the JSON outputs pass it on (backward compatibility), nothing renders it.
    """

    kind: ChangeKind
    motion_id: str | None = None
    letter_id: str | None = None
    old: str | None = None  # previous value (status code, …) where the kind has one
    new: str | None = None  # new value
    evidence: str | None = None  # the sentence that says so (execution reports)
    created: datetime | None = None  # when kamerwacht noticed it
    id: int | None = None  # set once stored
    occurred: date | None = None  # when it happened: the letter's, vote's or motion's own date
    subject: str | None = None  # what else it is about: a commitment number (TZ202110-001)
    facts: ChangeFacts | None = None
    legacy_summary: str | None = None


class TimelineKind(StrEnum):
    """What a timeline entry records (``state.timeline`` builds them)."""

    SUBMITTED = "submitted"
    REPLACES = "replaces"
    DECISION = "decision"
    REPLACED_BY = "replaced_by"
    EXECUTION_REPORT = "execution_report"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event of a motion's life, as codes and facts: ``templates/`` words it.

    ``status`` is a :class:`ParliamentaryStatus` code (decision) or an :class:`ExecutionStatus`
    code (execution report; None: the letter only mentions the motion). ``tally`` is the seats
    for and against when per-party votes are recorded; ``seats_known`` says whether those votes
    carry seat numbers (a Handelingen decision names parties only). ``inferred``: a decision
    entry read from the motion's status because no decision is recorded (its date unknown).
    """

    date: date | None
    kind: TimelineKind
    status: str | None = None
    tally: tuple[int, int] | None = None
    seats_known: bool = False
    decision_text: str | None = None  # upstream, e.g. "Aangenomen."
    inferred: bool = False
    motion_id: str | None = None  # the other motion of replaces / replaced_by
    submitters: tuple[str, ...] = ()  # names, on the submitted entry
    letter_id: str | None = None
    letter_title: str | None = None
    evidence: str | None = None
    url: str | None = None  # the motion's (submitted) or the letter's (execution report)
    cited_as: str | None = None  # the id the letter wrote, a probable typo for this motion's


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A Telegram chat or an email address that receives changes."""

    id: int
    channel: Channel
    address: str  # chat id as text, or the email address
    language: str = "nl"
    frequency: Frequency = Frequency.INSTANT
    active: bool = True
    confirmed: bool = True  # email needs double opt-in; Telegram chats are confirmed
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    """One thing a subscriber follows."""

    subscriber_id: int
    kind: SubscriptionKind
    value: str = ""  # motion id, dossier, or keyword; "" for ALL
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row: change ``change_id`` to ``subscriber_id``."""

    id: int
    subscriber_id: int
    change_id: int
    status: DeliveryStatus
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """Health of one source, shown by ``kamerwacht sources`` and ``/healthz``."""

    name: str
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    items_seen: int = 0
    consecutive_failures: int = 0
    cursor: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BoardEntry:
    """One row of the motion board: a motion, its latest execution report, and when it changed.

    ``updated`` is when the motion's shown data (title, submitters, statuses, latest report) last
    changed in kamerwacht's store, not when it was last polled.
    """

    motion: Motion
    execution: ExecutionReport | None
    updated: datetime


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """An outbox row claimed by a delivery worker, with what it needs to send it."""

    delivery: Delivery
    subscriber: Subscriber
    change: Change
