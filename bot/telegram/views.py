"""Pure views: records in, Telegram HTML and inline keyboards out (no I/O, no repository).

Every text comes from ``templates/telegram/*.html`` rendered by the project's one Jinja2
environment, which escapes every upstream string. Keyboards carry callback data from
:mod:`bot.telegram.callbacks` (≤ 64 bytes; a button whose data would not fit is left out).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import motion_url
from bot.telegram.callbacks import Action, Callback, encode
from bot.telegram.parsing import Target, deep_link_payload
from state.agenda import AgendaItem
from state.models import (
    BoardEntry,
    Change,
    ChangeKind,
    ExecutionReport,
    ExecutionStatus,
    Frequency,
    Letter,
    Motion,
    ParliamentaryStatus,
    SourceStatus,
    Subscription,
    SubscriptionKind,
    TimelineKind,
    VoteChoice,
)
from state.timeline import build, in_life_order, latest_status_report
from templates.render import render
from templates.telegram_texts import button

__all__ = [
    "TimelineItem",
    "TopicSummary",
    "View",
    "describe_target",
    "follow_keyboard",
    "followed_text",
    "help_view",
    "latest_view",
    "list_view",
    "notice",
    "picks_view",
    "safe_url",
    "start_view",
    "stats_view",
    "status_view",
    "suggestion_keyboard",
    "summarise_topic",
    "topic_name",
    "topic_view",
]

TIMELINE_MAX = 8  # entries shown in a status answer; older ones are summarised as "…"
LATEST_MAX = 10
PLANNED_MAX = 5  # agenda items named in the answer to a follow; /agenda lists them all


@dataclass(frozen=True, slots=True)
class View:
    """One answer: HTML text and an optional inline keyboard (on the last part)."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One line of the compact timeline; the template words it in the chat's language."""

    date: date | None
    kind: str  # submitted | decision | replaces | replaced_by | report | mention
    code: str | None = None  # a status code (decision, report)
    ref: str | None = None  # a tally, a motion id, or a letter title
    cited_as: str | None = None  # the id a letter wrote, a probable typo for this motion's


@dataclass(frozen=True, slots=True)
class TopicSummary:
    """What ``/status`` without an argument shows."""

    motions: int
    by_status: tuple[tuple[str, int], ...]  # parliamentary status code → count
    by_execution: tuple[tuple[str, int], ...]  # execution status code ("none") of adopted motions
    latest: tuple[Change, ...] = field(default_factory=tuple)


def safe_url(url: str | None) -> str | None:
    """``url`` when it is http(s), else None (an upstream ``javascript:`` link never shows)."""
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


def topic_name(topic: str) -> str:
    """``nagorno-karabach`` → ``Nagorno-Karabach``."""
    return "-".join(part.capitalize() for part in topic.split("-"))


def describe_target(target: Target | Subscription, lang: str) -> str:
    """``motie 21501-02-2228`` / ``dossier 21501-02`` / ``“oorlogsrecht”`` / ``alles``."""
    return render("telegram/target.txt", kind=target.kind.value, value=target.value, lang=lang)


def _markup(rows: Iterable[Sequence[tuple[str, Callback]]]) -> InlineKeyboardMarkup | None:
    keyboard: list[list[InlineKeyboardButton]] = []
    for row in rows:
        buttons = [
            InlineKeyboardButton(text, callback_data=data)
            for text, cb in row
            if (data := encode(cb)) is not None
        ]
        if buttons:
            keyboard.append(buttons)
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def follow_keyboard(
    target: Target, following: bool, lang: str, *, redraw: bool = False
) -> InlineKeyboardMarkup | None:
    """One Follow or Unfollow button for ``target`` (``redraw``: under a status answer)."""
    action = Action.UNFOLLOW if following else Action.FOLLOW
    label = button("unfollow" if following else "follow", lang)
    return _markup([[(label, Callback(action, target=target, redraw=redraw))]])


def suggestion_keyboard(
    suggestions: Sequence[str], target: Target, following: bool, lang: str
) -> InlineKeyboardMarkup | None:
    """One button per "did you mean" id (shows its status), then Follow for the id as typed."""
    rows: list[list[tuple[str, Callback]]] = [
        [(f"{button('did_you_mean', lang)} {s}", Callback(Action.SHOW, motion_id=s))]
        for s in suggestions
    ]
    action = Action.UNFOLLOW if following else Action.FOLLOW
    label = button("unfollow" if following else "follow", lang)
    rows.append([(label, Callback(action, target=target))])
    return _markup(rows)


def notice(key: str, lang: str, **context: object) -> str:
    """A short answer (confirmation, error with an example) from ``telegram/notice.html``."""
    return render("telegram/notice.html", key=key, lang=lang, **context)


def followed_text(
    key: str,
    lang: str,
    *,
    what: str,
    known: bool = True,
    chain: Sequence[str] = (),
    planned: Sequence[AgendaItem] = (),
    public_url: str = "",
    motion_id: str | None = None,
) -> str:
    """The answer to a follow (``key``: followed / already_following) and what is already
    planned for it: the agenda items ``/agenda`` lists for it (none: nothing is added)."""
    return render(
        "telegram/followed.html",
        key=key,
        lang=lang,
        what=what,
        known=known,
        chain=list(chain),
        **_planned(planned, public_url, motion_id),
    )


def _planned(
    planned: Sequence[AgendaItem], public_url: str, motion_id: str | None
) -> dict[str, object]:
    """The context of ``telegram/_planned.html``: at most PLANNED_MAX items and how many more."""
    return {
        "planned": list(planned[:PLANNED_MAX]),
        "more": max(0, len(planned) - PLANNED_MAX),
        "public_url": public_url.rstrip("/"),
        "motion_id": motion_id,
    }


def start_view(
    lang: str,
    topic: str,
    *,
    followed: Target | None = None,
    newly: bool = False,
    group: bool = False,
    returning: bool = False,
    missed: int = 0,
    chain: Sequence[str] = (),
    planned: Sequence[AgendaItem] = (),
    public_url: str = "",
) -> View:
    """The welcome: what the bot does, the main commands, and a deep-link follow if any, with
    what is already on the agenda for it (``planned``, as :func:`followed_text`).

    A chat that comes back after blocking the bot (``returning``) hears how many updates it
    missed (``missed``) and is offered ``/nieuw``.
    """
    text = render(
        "telegram/start.html",
        lang=lang,
        topic=topic_name(topic),
        followed=describe_target(followed, lang) if followed else None,
        newly=newly,
        group=group,
        returning=returning,
        missed=missed,
        chain=list(chain),
        **_planned(
            planned,
            public_url,
            followed.value
            if followed is not None and followed.kind is SubscriptionKind.MOTION
            else None,
        ),
    )
    keyboard = None
    if followed is not None:
        keyboard = follow_keyboard(followed, True, lang)
    return View(text, keyboard)


def help_view(lang: str, topic: str, *, admin: bool = False) -> View:
    """Every command with an example."""
    return View(render("telegram/help.html", lang=lang, topic=topic_name(topic), admin=admin))


def _votes(motion: Motion) -> dict[str, list[tuple[str, int]]]:
    final = motion.final_decision
    out: dict[str, list[tuple[str, int]]] = {c.value: [] for c in VoteChoice}
    if final is None:
        return out
    for vote in final.votes:
        if not vote.mistake:
            out[vote.choice.value].append((vote.actor, vote.seats))
    for rows in out.values():
        rows.sort(key=lambda r: (-r[1], r[0].casefold()))
    return out


def _timeline(motion: Motion, reports: Sequence[ExecutionReport]) -> list[TimelineItem]:
    """The motion's timeline (:mod:`state.timeline`) in life order, as the template's items."""
    items: list[TimelineItem] = []
    for entry in in_life_order(build(motion, reports)):
        if entry.kind is TimelineKind.DECISION:
            # parties without seats (a decision read from the Handelingen) give no tally
            known = entry.tally is not None and entry.seats_known
            tally = "{}-{}".format(*entry.tally) if entry.tally is not None and known else None
            items.append(TimelineItem(entry.date, "decision", entry.status, tally))
        elif entry.kind is TimelineKind.EXECUTION_REPORT:
            kind = "report" if entry.status else "mention"
            items.append(
                TimelineItem(entry.date, kind, entry.status, entry.letter_title, entry.cited_as)
            )
        else:  # submitted, replaces, replaced_by
            items.append(TimelineItem(entry.date, entry.kind.value, ref=entry.motion_id))
    return items


def status_view(
    motion: Motion,
    reports: Sequence[ExecutionReport],
    *,
    following: bool,
    lang: str,
    public_url: str,
) -> View:
    """A motion: title, submitters, vote per party, appraisal, latest report, timeline."""
    report = latest_status_report(reports)
    mention = reports[-1] if reports and report is None else None
    final = motion.final_decision
    timeline = _timeline(motion, reports)
    hidden = max(len(timeline) - TIMELINE_MAX, 0)
    shown_report = report or mention
    text = render(
        "telegram/status.html",
        lang=lang,
        m=motion,
        final=final,
        tally="{}-{}".format(*final.tally) if final and any(v.seats for v in final.votes) else None,
        votes=_votes(motion),
        report=report,
        mention=mention,
        letter_url=safe_url(shown_report.letter_url) if shown_report else None,
        timeline=timeline[hidden:],
        hidden=hidden,
        motion_url=motion_url(public_url, motion.id),
        following=following,
        votes_unknown=_votes_unknown(motion),
        source_url=safe_url(motion.url),
    )
    target = Target(SubscriptionKind.MOTION, motion.id)
    return View(text, follow_keyboard(target, following, lang, redraw=True))


def _votes_unknown(motion: Motion) -> bool:
    """A voted-on status (adopted, rejected, tied) with no recorded vote per party."""
    voted = (ParliamentaryStatus.ADOPTED, ParliamentaryStatus.REJECTED, ParliamentaryStatus.TIED)
    if motion.parliamentary_status not in voted:
        return False
    final = motion.final_decision
    return final is None or not final.votes


def picks_view(
    motions: Sequence[Motion],
    query: str,
    lang: str,
    *,
    total: int | None = None,
    partial: bool = False,
) -> View:
    """Several motions match some words: the true count, a short list, one button per motion."""
    text = render(
        "telegram/picks.html",
        lang=lang,
        motions=motions,
        query=query,
        total=total if total is not None else len(motions),
        partial=partial,
    )
    rows = [
        [(f"{m.id} · {_short(m.title, 40)}", Callback(Action.SHOW, motion_id=m.id))]
        for m in motions
    ]
    return View(text, _markup(rows))


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summarise_counts(
    counts: Mapping[str, Mapping[str, int]], latest: Sequence[Change]
) -> TopicSummary:
    """The topic summary from ``repo.status_counts()``; ``latest`` are shown newest first."""
    by_status = counts.get("parliamentary", {})
    by_execution = counts.get("execution", {})
    status_order = [s.value for s in ParliamentaryStatus]
    exec_order = [*(s.value for s in ExecutionStatus), "none"]
    return TopicSummary(
        motions=sum(by_status.values()),
        by_status=tuple((s, by_status[s]) for s in status_order if by_status.get(s)),
        by_execution=tuple((s, by_execution[s]) for s in exec_order if by_execution.get(s)),
        latest=tuple(sorted(latest, key=lambda c: c.id or 0, reverse=True)),
    )


def summarise_topic(board: Sequence[BoardEntry], latest: Sequence[Change]) -> TopicSummary:
    """Counts per parliamentary status, and per execution status of the adopted motions."""
    by_status = Counter(e.motion.parliamentary_status.value for e in board)
    adopted = [e for e in board if e.motion.parliamentary_status is ParliamentaryStatus.ADOPTED]
    by_execution = Counter(
        e.execution.status.value if e.execution and e.execution.status else "none" for e in adopted
    )
    return summarise_counts(
        {"parliamentary": dict(by_status), "execution": dict(by_execution)}, latest
    )


def topic_view(
    summary: TopicSummary,
    topic: str,
    lang: str,
    public_url: str,
    *,
    letters: Mapping[str, Letter] | None = None,
) -> View:
    """``/status`` alone: the topic in numbers and its latest changes."""
    text = render(
        "telegram/topic.html",
        lang=lang,
        letters=letters or {},
        s=summary,
        topic=topic_name(topic),
        public_url=public_url.rstrip("/"),
        all_link=deep_link_payload(Target(SubscriptionKind.ALL)),
    )
    return View(text)


def latest_view(
    changes: Sequence[Change],
    lang: str,
    public_url: str,
    *,
    letters: Mapping[str, Letter] | None = None,
) -> View:
    """``/nieuw``: the latest changes, newest first, each with its own date and source."""
    newest = sorted(changes, key=lambda c: c.id or 0, reverse=True)[:LATEST_MAX]
    text = render(
        "telegram/latest.html",
        lang=lang,
        letters=letters or {},
        changes=newest,
        public_url=public_url.rstrip("/"),
        motion_kinds={k.value for k in ChangeKind if k is not ChangeKind.NEW_LETTER},
    )
    return View(text)


def list_view(subscriptions: Sequence[Subscription], frequency: Frequency, lang: str) -> View:
    """``/lijst``: what this chat follows, each with an Unfollow button."""
    described = [(s, describe_target(s, lang)) for s in subscriptions]
    text = render(
        "telegram/list.html", lang=lang, items=[d for _, d in described], frequency=frequency
    )
    rows = [
        [
            (
                button("unfollow_item", lang, item=_short(desc, 48)),
                Callback(Action.UNFOLLOW_ID, subscription_id=s.id),
            )
        ]
        for s, desc in described
        if s.id is not None
    ]
    return View(text, _markup(rows))


def stats_view(
    subscribers: Mapping[str, int],
    outbox: Mapping[str, int],
    sources: Sequence[SourceStatus],
    lang: str,
) -> View:
    """``/stats`` for admins: subscribers, deliveries per status, last poll per source."""
    text = render(
        "telegram/stats.html",
        lang=lang,
        subscribers=subscribers,
        outbox=outbox,
        sources=sources,
    )
    return View(text)
