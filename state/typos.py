"""Typos in citations: a cited id nobody tracks whose one-character neighbour with the same
submitter is tracked is probably that motion ("33570 V, nr. 42" for 35570-V-42 in the letter of
16 June 2021). Pure functions; ``scrapers.citations`` re-exports them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from state.models import MOTION_ID_RE

__all__ = ["probable_typo_for", "typo_neighbours"]


def typo_neighbours(motion_id: str) -> list[str]:
    """Canonical ids one typed character away: one digit changed, or two neighbours swapped.

    "33570-V-42" → "35570-V-42", "33570-V-43", "33750-V-42", … (the letter of 16 June 2021 cites
    "33570 V, nr. 42" for 35570-V-42). Only the digits of the dossier and the number change.
    """
    if not MOTION_ID_RE.match(motion_id):
        return []
    out: dict[str, None] = {}
    chars = list(motion_id)
    digits = [i for i, ch in enumerate(chars) if ch.isdigit() and _in_number(motion_id, i)]
    for i in digits:
        for d in "0123456789":
            if d != chars[i]:
                out["".join([*chars[:i], d, *chars[i + 1 :]])] = None
    for i, j in itertools.pairwise(digits):
        if j == i + 1 and chars[i] != chars[j]:
            swapped = chars.copy()
            swapped[i], swapped[j] = swapped[j], swapped[i]
            out["".join(swapped)] = None
    return [i for i in out if MOTION_ID_RE.match(i)]


def probable_typo_for(
    motion_id: str,
    submitters: Iterable[str],
    known: Callable[[str], Iterable[str] | None],
) -> str | None:
    """The one known motion a cited-but-unknown id is probably a typo for, or None.

    ``known(id)`` returns the submitters' names of a tracked motion, or None when it is not
    tracked. A neighbour counts when a submitter's surname matches; exactly one must.
    """
    wanted = {_surname_key(n) for n in submitters if n.strip()}
    if not wanted:
        return None
    hits = []
    for candidate in typo_neighbours(motion_id):
        names = known(candidate)
        if names is not None and wanted & {_surname_key(n) for n in names}:
            hits.append(candidate)
    return hits[0] if len(hits) == 1 else None


def _in_number(motion_id: str, index: int) -> bool:
    """Whether ``index`` lies in the dossier or the volgnummer (not in a toevoeging)."""
    parts = motion_id.split("-")
    dossier_end = len(parts[0])
    number_start = len(motion_id) - len(parts[-1])
    return index < dossier_end or index >= number_start


def _surname_key(name: str) -> str:
    """The last word of a name, lower case ("P.H. Omtzigt", "Omtzigt" → "omtzigt")."""
    if "," in name:  # "Graaf van der, A." → "graaf"
        head = name.split(",", 1)[0].split()
        return head[0].lower() if head else ""
    words = name.split()
    return words[-1].lower() if words else ""
