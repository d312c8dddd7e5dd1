"""The read commands: ``motions``, ``status``, ``changes``, ``sources`` and ``extract``.

They read the store (or a file) and print; nothing is polled, queued or sent (``sources --check``
only probes the upstreams). Only what a command needs is imported, inside the command, so that
``kamerwacht status ID`` loads neither asyncio nor the sources.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.cli_common import CliError, load_settings, open_repo, print_json
from bot.present import board_table, change_json, clip, iso, motion_json, status_json

if TYPE_CHECKING:
    from bot.settings import Settings
    from scrapers.check import CheckRow
    from state.repository import Repository

__all__ = [
    "cmd_changes",
    "cmd_extract",
    "cmd_motions",
    "cmd_sources",
    "cmd_status",
    "resolve_motion_id",
    "source_check_rows",
]


def resolve_motion_id(repo: Repository, text: str) -> str:
    """The canonical motion id of any citation spelling or Zaak number, or a one-line error."""
    from scrapers.citations import find_zaak_numbers, normalize_motion_id

    canonical = normalize_motion_id(text)
    if canonical:
        return canonical
    zaak = find_zaak_numbers(text)
    if zaak:
        motion = repo.find_motion_by_zaak(zaak[0])
        if motion is not None:
            return str(motion.id)
    raise CliError(f"not a motion id: {text!r} (expected e.g. 21501-02-2228)", 1)


def cmd_motions(args: argparse.Namespace) -> int:
    """``kamerwacht motions``: the board."""
    settings = load_settings()
    repo = open_repo(settings)
    try:
        entries = repo.board()
    finally:
        repo.close()
    if args.json:
        print_json([motion_json(e) for e in entries])
    else:
        print(
            board_table(entries)
            if entries
            else "no motions tracked yet (run `kamerwacht poll --once`)"
        )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """``kamerwacht status ID``: one motion in full."""
    settings = load_settings()
    repo = open_repo(settings)
    try:
        motion_id = resolve_motion_id(repo, args.motion_id)
        entry = repo.board_entry(motion_id)
        if entry is None:
            raise CliError(f"unknown motion: {motion_id}", 1)
        reports = repo.execution_reports(motion_id)
        timeline = repo.timeline(motion_id)
    finally:
        repo.close()
    data = status_json(entry, reports, timeline)
    if args.json:
        print_json(data)
        return 0
    from templates.render import label

    m = entry.motion
    print(f"{m.id}  {m.title}")
    if m.submitters:
        subs = ", ".join(f"{s.name} ({s.party})" if s.party else s.name for s in m.submitters)
        print(f"  indieners:   {subs}")
    print(f"  Kamer:       {label(m.parliamentary_status)}", end="")
    if data["tally"]:
        print(f" ({data['tally']['for']}-{data['tally']['against']})", end="")
    print()
    if m.cabinet_appraisal:
        print(f"  appreciatie: {m.cabinet_appraisal}")
    print(f"  uitvoering:  {label(data['execution_status'])}")
    if data["evidence"]:
        print(f"  bewijs:      “{data['evidence']}”")
    if data["letter"]:
        print(f"  brief:       {data['letter']['id']} {data['letter']['title'] or ''}")
    if data["votes"]:
        votes = ", ".join(f"{v['party']} {label(v['vote'])}" for v in data["votes"])
        print(f"  stemmen:     {votes}")
    for t in data["timeline"]:
        print(f"  {t['date'] or '          '}  {t['kind']:<17} {t['detail']}")
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    """``kamerwacht changes``: recorded changes, newest last."""
    since: datetime | None = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError as exc:
            raise CliError(f"--since: not an ISO date: {args.since!r}", 2) from exc
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
    settings = load_settings()
    repo = open_repo(settings)
    try:
        changes = repo.changes(since)
    finally:
        repo.close()
    if args.json:
        print_json([change_json(c) for c in changes])
    else:
        from templates.render import change_summary

        for c in changes:
            print(f"{iso(c.created)}  {c.kind.value:<19} {change_summary(c)}")
        if not changes:
            print("no changes recorded")
    return 0


def source_check_rows(settings: Settings, *, commitments: bool = False) -> list[CheckRow]:
    """Probe every configured upstream now (``sources --check``, and ``run`` at start-up);
    ``commitments`` adds the row of the ``Toezegging`` schema (``sources --check`` only)."""
    import asyncio

    from bot.app import build_client, build_sources
    from scrapers.check import check_commitments, check_sources
    from scrapers.tweedekamer_sync import NoMirror

    async def go() -> list[CheckRow]:
        client = build_client(settings)
        try:
            rows = await check_sources(client, build_sources(settings, NoMirror()))
            if commitments:
                rows.append(await check_commitments(client, settings.tweedekamer_url))
            return rows
        finally:
            await client.aclose()

    return asyncio.run(go())


def _cmd_sources_check(settings: Settings, as_json: bool) -> int:
    rows = source_check_rows(settings, commitments=True)
    if as_json:
        print_json(
            [
                {"source": r.source, "ok": r.ok, "required": r.required, "detail": r.detail}
                for r in rows
            ]
        )
    else:
        for r in rows:
            state = "OK" if r.ok else ("FAIL" if r.required else "WARN")
            print(f"{r.source:<24} {state:<5} {clip(r.detail, 200)}")
    return 0 if all(r.ok or not r.required for r in rows) else 1


def cmd_sources(args: argparse.Namespace) -> int:
    """``kamerwacht sources``: each source's health; ``--check`` probes them now."""
    settings = load_settings()
    if args.check:
        return _cmd_sources_check(settings, args.json)
    repo = open_repo(settings)
    try:
        statuses = {s.name: s for s in repo.source_statuses()}
    finally:
        repo.close()
    names = ["tweedekamer", "tweedekamer-syncfeed", "officielebekendmakingen", "rijksoverheid"]
    names += [n for n in statuses if n not in names]
    if args.json:
        print_json(
            [
                {
                    "source": n,
                    "last_success": iso(statuses[n].last_success) if n in statuses else None,
                    "last_error": statuses[n].last_error if n in statuses else None,
                    "last_error_at": iso(statuses[n].last_error_at) if n in statuses else None,
                    "items_seen": statuses[n].items_seen if n in statuses else 0,
                }
                for n in names
            ]
        )
        return 0
    print(f"{'source':<24} {'last success':<26} {'items':>6}  last error")
    for n in names:
        s = statuses.get(n)
        ok = iso(s.last_success) if s and s.last_success else "never"
        err = clip(s.last_error, 70) if s and s.last_error else "—"
        print(f"{n:<24} {ok:<26} {s.items_seen if s else 0:>6}  {err}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    """``kamerwacht extract FILE…``: the motions each document reports on."""
    import dataclasses
    from pathlib import Path

    from scrapers.letters import extract_file
    from templates.render import label

    docs = [dataclasses.replace(extract_file(Path(f)), source=f) for f in args.files]
    failed = any(d.error for d in docs)
    if args.json:
        print_json([d.to_json() for d in docs])
        return 1 if failed else 0
    for d in docs:
        print(f"== {d.source}")
        if d.error:
            print(f"   error: {d.error}")
            continue
        print(
            f"   {d.kind.value}  kamerstuk {d.kamerstuk or '—'}  datum {iso(d.date) or '—'}"
            f"  {len(d.motions)} motie(s)"
        )
        for m in d.motions:
            subs = ", ".join(m.submitters) or "—"
            print(f"   {m.id:<16} {iso(m.date) or '':<10}  {label(m.status):<28} {subs}")
            if m.title:
                print(f"   {'':<16} {clip(m.title, 90)}")
        if d.references:
            print(f"   verwijzingen: {', '.join(d.references)}")
    return 1 if failed else 0
