"""Rows to records and back: every mapping between the schema's rows and ``state.models``.

Also the loaders that several parts of the repository share: full motions (with decisions and
votes), letters (with the motions they cite), and a motion's report rows in report order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from state import schema as t
from state.agenda import AgendaItem, AgendaStatus, DateKind
from state.commitments import Commitment, CommitmentStatus
from state.db import Rec, chunks
from state.models import (
    Change,
    ChangeFacts,
    ChangeKind,
    Channel,
    CitedMotion,
    Decision,
    Delivery,
    DeliveryStatus,
    DocumentKind,
    ExecutionReport,
    ExecutionStatus,
    Frequency,
    Letter,
    Motion,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    Subscriber,
    VoteChoice,
)
from state.timeline import latest_per_motion

AGENDA_SOURCE = "tweedekamer-agenda"  # the agenda source's name in the cursors table
COMMITMENT_SOURCE = "tweedekamer-toezeggingen"  # the commitment source's name in cursors


def dump_submitters(submitters: Sequence[Submitter]) -> str:
    return json.dumps([[s.name, s.party, s.role] for s in submitters], ensure_ascii=False)


def load_submitters(raw: str) -> tuple[Submitter, ...]:
    return tuple(Submitter(name, party, role) for name, party, role in json.loads(raw))


def motion_row(m: Motion, digest: str, now: datetime) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "submitters": dump_submitters(m.submitters),
        "date": m.date,
        "parliamentary_status": m.parliamentary_status.value,
        "status_raw": m.status_raw,
        "cabinet_appraisal": m.cabinet_appraisal,
        "afgedaan": m.afgedaan,
        "replaced_by": m.replaced_by,
        "replaces": m.replaces,
        "text": m.text,
        "zaak_id": m.zaak_id,
        "zaak_nummer": m.zaak_nummer,
        "url": m.url,
        "source": m.source,
        "content_hash": digest,
        "created": now,
        "updated": now,
    }


def letter_row(letter: Letter, now: datetime) -> dict[str, Any]:
    return {
        "id": letter.id,
        "title": letter.title,
        "date": letter.date,
        "kind": letter.kind.value,
        "kamerstuk": letter.kamerstuk,
        "document_nummer": letter.document_nummer,
        "url": letter.url,
        "source": letter.source,
        "references": json.dumps(list(letter.references), ensure_ascii=False),
        "created": now,
        "updated": now,
    }


def cited_from(row: Rec) -> CitedMotion:
    return CitedMotion(
        id=row.motion_id,
        title=row.title,
        submitters=tuple(json.loads(row.submitters)),
        date=row.date,
        status=ExecutionStatus(row.status) if row.status else None,
        evidence=row.evidence,
        cited_as=row.cited_as,
    )


def letter_from(row: Rec, cited: Sequence[CitedMotion]) -> Letter:
    return Letter(
        id=row.id,
        title=row.title,
        date=row.date,
        kind=DocumentKind(row.kind),
        kamerstuk=row.kamerstuk,
        document_nummer=row.document_nummer,
        url=row.url,
        source=row.source,
        motions=tuple(cited),
        references=tuple(json.loads(row.references)),
    )


def facts_json(facts: ChangeFacts) -> str:
    """A change's facts as the ``changes.facts`` column stores them: the ones that are set."""
    out: dict[str, object] = {}
    for f in fields(facts):
        value = getattr(facts, f.name)
        if value not in (None, False, ()):
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return json.dumps(out, ensure_ascii=False)


def facts_from(text: str) -> ChangeFacts:
    """Read :func:`facts_json` back; keys a newer writer added are ignored."""
    data = json.loads(text)
    names = {f.name for f in fields(ChangeFacts)}
    known: dict[str, Any] = {k: v for k, v in data.items() if k in names}
    if "cited" in known:
        known["cited"] = tuple(str(i) for i in known["cited"])
    return ChangeFacts(**known)


def change_row(c: Change) -> dict[str, Any]:
    return {
        "kind": c.kind.value,
        "summary": "",  # a column of rows before 0009 (their Dutch line); facts replace it
        "facts": facts_json(c.facts) if c.facts else None,
        "motion_id": c.motion_id,
        "letter_id": c.letter_id,
        "old": c.old,
        "new": c.new,
        "evidence": c.evidence,
        "created": c.created,
        "occurred": c.occurred,
        "subject": c.subject,
    }


def change_from(row: Rec) -> Change:
    return Change(
        kind=ChangeKind(row.kind),
        motion_id=row.motion_id,
        letter_id=row.letter_id,
        old=row.old,
        new=row.new,
        evidence=row.evidence,
        created=row.created,
        id=row.id,
        occurred=row.occurred,
        subject=row.subject,
        facts=facts_from(row.facts) if row.facts else None,
        legacy_summary=None if row.facts else (row.summary or None),
    )


def subscriber_from(row: Rec) -> Subscriber:
    return Subscriber(
        id=row.id,
        channel=Channel(row.channel),
        address=row.address,
        language=row.language,
        frequency=Frequency(row.frequency),
        active=bool(row.active),
        confirmed=bool(row.confirmed),
        created=row.created,
    )


def delivery_from(row: Rec) -> Delivery:
    return Delivery(
        id=row.id,
        subscriber_id=row.subscriber_id,
        change_id=row.change_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
    )


def report_from(row: Rec) -> ExecutionReport:
    return ExecutionReport(
        motion_id=row.motion_id,
        letter_id=row.letter_id,
        status=ExecutionStatus(row.status) if row.status else None,
        evidence=row.evidence,
        date=row.letter_date,
        letter_title=row.letter_title,
        letter_url=row.letter_url,
        cited_as=row.cited_as,
    )


def report_order(row: Rec) -> tuple[bool, date, datetime, str]:
    """Oldest first by letter date (undated last), then by when kamerwacht stored it."""
    return (row.letter_date is None, row.letter_date or date.min, row.created, row.letter_id)


def agenda_row(item: AgendaItem, now: datetime) -> dict[str, Any]:
    return {
        "activity_id": item.activity_id,
        "zaak_id": item.zaak_id,
        "activity_nummer": item.activity_nummer,
        "kind": item.kind,
        "subject": item.subject,
        "status": item.status.value,
        "status_raw": item.status_raw,
        "day": item.day,
        "start": item.start,
        "end": item.end,
        "date_kind": item.date_kind.value,
        "agendapunt_id": item.agendapunt_id,
        "agendapunt_subject": item.agendapunt_subject,
        "zaak_nummer": item.zaak_nummer,
        "zaak_kind": item.zaak_kind,
        "title": item.title,
        "appraisal": item.appraisal,
        "dossier": item.dossier,
        "proposal": item.proposal,
        "motion_id": item.motion_id,
        "location": item.location,
        "updated": now,
    }


def agenda_from(row: Rec) -> AgendaItem:
    return AgendaItem(
        activity_id=row.activity_id,
        zaak_id=row.zaak_id,
        activity_nummer=row.activity_nummer,
        kind=row.kind,
        subject=row.subject,
        status=AgendaStatus(row.status),
        status_raw=row.status_raw,
        day=row.day,
        start=row.start,
        end=row.end,
        date_kind=DateKind(row.date_kind),
        agendapunt_id=row.agendapunt_id,
        agendapunt_subject=row.agendapunt_subject,
        zaak_nummer=row.zaak_nummer,
        zaak_kind=row.zaak_kind,
        title=row.title,
        appraisal=row.appraisal,
        dossier=row.dossier,
        proposal=bool(row.proposal),
        motion_id=row.motion_id,
        location=row.location,
    )


def commitment_row(item: Commitment, now: datetime) -> dict[str, Any]:
    return {
        "id": item.id,
        "number": item.number,
        "text": item.text,
        "status": item.status.value,
        "status_raw": item.status_raw,
        "ministry": item.ministry,
        "minister": item.minister,
        "function": item.function,
        "made": item.made,
        "due": item.due,
        "letter": item.letter,
        "activity": item.activity,
        "evidence": item.evidence,
        "created": now,
        "updated": now,
    }


def commitment_from(row: Rec) -> Commitment:
    return Commitment(
        id=row.id,
        number=row.number,
        text=row.text,
        status=CommitmentStatus(row.status),
        status_raw=row.status_raw,
        ministry=row.ministry,
        minister=row.minister,
        function=row.function,
        made=row.made,
        due=row.due,
        letter=row.letter,
        activity=row.activity,
        evidence=row.evidence,
    )


def deliverable(sub: Subscriber) -> bool:
    return sub.active and (sub.channel is not Channel.EMAIL or sub.confirmed)


def load_motions(conn: Connection, ids: Iterable[str] | None) -> dict[str, Motion]:
    """Full motions (decisions, votes) for ``ids``, or for every motion when None."""
    m, d, v = t.motions, t.decisions, t.votes
    batches: Iterable[list[str] | None] = [None] if ids is None else chunks(sorted(set(ids)))
    out: dict[str, Motion] = {}
    for batch in batches:
        mq, dq, vq = select(m), select(d), select(v)
        if batch is not None:
            mq = mq.where(m.c.id.in_(batch))
            dq = dq.where(d.c.motion_id.in_(batch))
            vq = vq.where(v.c.motion_id.in_(batch))
        votes: dict[tuple[str, str], list[PartyVote]] = defaultdict(list)
        for row in conn.execute(vq.order_by(v.c.motion_id, v.c.decision_id, v.c.position)):
            votes[row.motion_id, row.decision_id].append(
                PartyVote(
                    actor=row.actor,
                    party=row.party,
                    choice=VoteChoice(row.choice),
                    seats=row.seats,
                    mistake=bool(row.mistake),
                )
            )
        decisions: dict[str, list[Decision]] = defaultdict(list)
        for row in conn.execute(dq.order_by(d.c.motion_id, d.c.position)):
            decisions[row.motion_id].append(
                Decision(
                    id=row.id,
                    motion_id=row.motion_id,
                    status=ParliamentaryStatus(row.status),
                    raw_kind=row.raw_kind,
                    text=row.text,
                    date=row.date,
                    final=bool(row.final),
                    votes=tuple(votes.get((row.motion_id, row.id), ())),
                    source=row.source,
                )
            )
        for row in conn.execute(mq.order_by(m.c.id)):
            out[row.id] = Motion(
                id=row.id,
                title=row.title,
                submitters=load_submitters(row.submitters),
                date=row.date,
                parliamentary_status=ParliamentaryStatus(row.parliamentary_status),
                status_raw=row.status_raw,
                cabinet_appraisal=row.cabinet_appraisal,
                afgedaan=row.afgedaan,
                decisions=tuple(decisions.get(row.id, ())),
                replaced_by=row.replaced_by,
                replaces=row.replaces,
                text=row.text,
                zaak_id=row.zaak_id,
                zaak_nummer=row.zaak_nummer,
                url=row.url,
                source=row.source,
            )
    return out


def load_letters(conn: Connection, where: Any = None) -> list[Letter]:
    lt, lm = t.letters, t.letter_motions
    query = select(lt) if where is None else select(lt).where(where)
    rows = conn.execute(query).all()
    cited: dict[str, list[CitedMotion]] = defaultdict(list)
    for batch in chunks(r.id for r in rows):
        q = select(lm).where(lm.c.letter_id.in_(batch)).order_by(lm.c.letter_id, lm.c.position)
        for row in conn.execute(q):
            cited[row.letter_id].append(cited_from(row))
    return [letter_from(row, cited.get(row.id, ())) for row in rows]


def report_rows(conn: Connection, motion_ids: Iterable[str] | None) -> list[Rec]:
    lm, lt = t.letter_motions, t.letters
    q = select(
        lm.c.motion_id,
        lm.c.letter_id,
        lm.c.status,
        lm.c.evidence,
        lm.c.created,
        lm.c.cited_as,
        lt.c.date.label("letter_date"),
        lt.c.title.label("letter_title"),
        lt.c.url.label("letter_url"),
    ).select_from(lm.join(lt, lt.c.id == lm.c.letter_id))
    if motion_ids is None:
        return sorted(conn.execute(q).all(), key=report_order)
    rows: list[Rec] = []
    for batch in chunks(motion_ids):
        rows.extend(conn.execute(q.where(lm.c.motion_id.in_(batch))).all())
    return sorted(rows, key=report_order)


def latest_reports(rows: Iterable[Rec]) -> dict[str, ExecutionReport]:
    """Each motion's latest report with a status (:func:`state.timeline.latest_per_motion`)."""
    return {motion_id: report_from(row) for motion_id, row in latest_per_motion(rows).items()}
