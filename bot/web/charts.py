"""The vote-per-party chart: geometry computed here, drawn as inline SVG by a template.

Readable without JavaScript or CSS: every bar carries its party, vote and seats as text, and the
SVG has a title and description for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from state.models import Decision, VoteChoice

__all__ = ["Bar", "Segment", "VoteChart", "vote_chart"]

LABEL_WIDTH = 170
BAR_WIDTH = 300
VALUE_WIDTH = 120
ROW = 22
BAR_HEIGHT = 16
SUMMARY_HEIGHT = 24
TOP = SUMMARY_HEIGHT + 18

COLOURS = {
    VoteChoice.FOR: "#1a7f37",
    VoteChoice.AGAINST: "#c62828",
    VoteChoice.NOT_PARTICIPATED: "#8c959f",
}
_ORDER = {VoteChoice.FOR: 0, VoteChoice.AGAINST: 1, VoteChoice.NOT_PARTICIPATED: 2}


@dataclass(frozen=True, slots=True)
class Bar:
    """One party (or member) row."""

    actor: str
    choice: str  # VoteChoice value
    seats: int
    mistake: bool
    y: int
    width: int
    colour: str


@dataclass(frozen=True, slots=True)
class Segment:
    """A part of the summary bar (for / against / not participated)."""

    choice: str
    seats: int
    x: int
    width: int
    colour: str


@dataclass(frozen=True, slots=True)
class VoteChart:
    """Everything the template needs to draw the chart."""

    width: int
    height: int
    label_width: int
    bar_width: int
    bar_height: int
    summary_height: int
    bars: tuple[Bar, ...]
    segments: tuple[Segment, ...]
    votes_for: int
    votes_against: int

    @property
    def seats_known(self) -> bool:
        """False for parties named without seats (a decision read from the Handelingen)."""
        return any(bar.seats for bar in self.bars)


def vote_chart(decision: Decision | None) -> VoteChart | None:
    """The chart of ``decision``'s votes, or None when it has none."""
    if decision is None or not decision.votes:
        return None
    votes = sorted(decision.votes, key=lambda v: (_ORDER[v.choice], -v.seats, v.actor.casefold()))
    most = max(v.seats for v in votes) or 1
    bars = tuple(
        Bar(
            actor=v.actor,
            choice=v.choice.value,
            seats=v.seats,
            mistake=v.mistake,
            y=TOP + i * ROW,
            width=max(2, round(v.seats / most * BAR_WIDTH)),
            colour=COLOURS[v.choice],
        )
        for i, v in enumerate(votes)
    )
    counted = [v for v in votes if not v.mistake]
    totals = {c: sum(v.seats for v in counted if v.choice is c) for c in VoteChoice}
    total = sum(totals.values()) or 1
    segments: list[Segment] = []
    x = LABEL_WIDTH
    for choice in (VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.NOT_PARTICIPATED):
        seats = totals[choice]
        if not seats:
            continue
        width = round(seats / total * BAR_WIDTH)
        segments.append(Segment(choice.value, seats, x, width, COLOURS[choice]))
        x += width
    votes_for, votes_against = decision.tally
    return VoteChart(
        width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        height=TOP + len(bars) * ROW + 4,
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
        bar_height=BAR_HEIGHT,
        summary_height=SUMMARY_HEIGHT,
        bars=bars,
        segments=tuple(segments),
        votes_for=votes_for,
        votes_against=votes_against,
    )
