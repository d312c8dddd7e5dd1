"""The CQL of the officiële-bekendmakingen search: Kamerstukken and the Handelingen on them.

A Kamerstuk record names its dossier (``w.dossiernummer``); a Handelingen record has no
``dossiernummer``: it names what its item handles in repeated ``behandeldDossier`` elements, one
per motion (``27925;788``) or bill (``33328``), as the recorded records show. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

from state.models import MOTION_ID_RE, dossier_of

__all__ = ["WATCH_INLINE", "dossier_clause", "handelingen_clause", "publications_clause", "quote"]

WATCH_INLINE = 25  # watched motions asked by their behandeldDossier value in one search


def quote(value: str) -> str:
    """A CQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dossier_clause(dossiers: Iterable[str]) -> str:
    """``(w.dossiernummer=="21501-02" or …)``, or "" without dossiers."""
    joined = " or ".join(f"w.dossiernummer=={quote(d)}" for d in dossiers)
    return f"({joined})" if joined else ""


def handelingen_clause(dossiers: Iterable[str]) -> str:
    """The Handelingen items that handle one of ``dossiers`` (the word relation on
    ``w.behandeldDossier``, whose values are ``21501-02;2215``), or "" without dossiers."""
    handled = " or ".join(f"w.behandeldDossier={quote(d)}" for d in dossiers)
    return f'(w.publicatienaam=="Handelingen" and ({handled}))' if handled else ""


def publications_clause(dossiers: tuple[str, ...], watchlist: Iterable[str]) -> str:
    """Kamerstukken of ``dossiers``, and the Handelingen items that handle them or a watched motion.

    A watched motion outside ``dossiers`` is asked by its exact ``behandeldDossier`` value
    (``26407;34``); a dossier by the word relation (``=``) — how the live service matches it
    against ``21501-02;2215`` was never recorded.
    """
    kamerstuk = 'w.publicatienaam=="Kamerstuk"'
    if dossiers:
        kamerstuk = f"({kamerstuk} and {dossier_clause(dossiers)})"
    handled = [f"w.behandeldDossier={quote(d)}" for d in dossiers]
    for motion_id in sorted(watchlist)[:WATCH_INLINE]:
        match = MOTION_ID_RE.match(motion_id)
        if match and dossier_of(motion_id) not in dossiers:
            value = f"{dossier_of(motion_id)};{int(match['nr'])}"
            handled.append(f"w.behandeldDossier=={quote(value)}")
    if not handled:
        return f'({kamerstuk} or w.publicatienaam=="Handelingen")'
    return f'({kamerstuk} or (w.publicatienaam=="Handelingen" and ({" or ".join(handled)})))'
