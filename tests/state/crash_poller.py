"""Poll writer for the crash test (run as ``python -m tests.state.crash_poller URL``).

Applies :func:`poll_observation` with ``apply_poll``. Prints ``writing`` when the transaction
starts writing motions and ``committed`` when ``apply_poll`` has returned.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from state.models import (
    CitedMotion,
    Decision,
    ExecutionStatus,
    Letter,
    Motion,
    Observation,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    VoteChoice,
)
from state.repository import Repository

MOTIONS = 1500
SETUP_NOW = datetime(2026, 1, 1, tzinfo=UTC)
POLL_NOW = datetime(2026, 1, 2, tzinfo=UTC)
CURSORS = {("tweedekamer", "Zaak"): "after-poll"}
PARTIES = ["VVD", "D66", "PVV", "CDA", "SP", "PvdA", "GL", "FvD", "PvdD", "CU", "SGP", "DENK"]


def base_motion(i: int) -> Motion:
    """Motion ``i`` as stored before the poll."""
    return Motion(
        id=f"3{i % 50:04d}-{i // 50 + 1}",
        title=f"Motie {i} over Nagorno-Karabach",
        submitters=(Submitter(f"A. Lid{i % 30}", "CDA", "Indiener"),),
        date=date(2025, 1, 1),
    )


def pre_observation() -> Observation:
    """What is stored before the poll."""
    return Observation(motions=tuple(base_motion(i) for i in range(MOTIONS)))


def poll_observation() -> Observation:
    """The poll: every motion voted on, and letters reporting on some of them."""
    motions = []
    for i in range(MOTIONS):
        m = base_motion(i)
        votes = tuple(
            PartyVote(p, p, VoteChoice.FOR if (i + k) % 3 else VoteChoice.AGAINST, 10)
            for k, p in enumerate(PARTIES)
        )
        d = Decision(
            f"b{i}",
            m.id,
            ParliamentaryStatus.ADOPTED,
            "Aangenomen.",
            None,
            date(2025, 6, 1),
            True,
            votes,
        )
        motions.append(
            Motion(**{**_fields(m), "parliamentary_status": d.status, "decisions": (d,)})
        )
    letters = tuple(
        Letter(
            id=f"21501-02-{3000 + n}",
            title=f"Uitvoering moties {n}",
            date=date(2025, 9, 1),
            kamerstuk=f"21501-02-{3000 + n}",
            motions=tuple(
                CitedMotion(base_motion(i).id, status=ExecutionStatus.EXECUTED, evidence="Gedaan.")
                for i in range(n * 10, n * 10 + 10)
            ),
        )
        for n in range(20)
    )
    return Observation(motions=tuple(motions), letters=letters)


def _fields(m: Motion) -> dict[str, Any]:
    return {name: getattr(m, name) for name in m.__slots__}


def main() -> int:
    """Apply the poll, announcing when writing starts and when it committed."""
    observation = poll_observation()
    started = False

    @event.listens_for(Engine, "before_cursor_execute")
    def _announce(*args: Any) -> None:
        nonlocal started
        if not started and args[2].startswith("INSERT INTO motions"):
            started = True
            print("writing", flush=True)

    repo = Repository.from_url(sys.argv[1])
    repo.apply_poll(observation, cursors=CURSORS, now=POLL_NOW)
    print("committed", flush=True)
    repo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
