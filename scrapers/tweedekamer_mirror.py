"""How a motion's Gegevensmagazijn records nest, for the mirror (``state.mirror``). Pure.

``flatten`` turns a Zaak as the OData source expands it into mirror records (marked *whole*: its
submitters, decisions and votes are all there, so older ones are dropped); ``assemble`` nests
mirror records back into that shape for ``tweedekamer_records.build_motion``. Names are the
v4/2.0 vocabulary (``Dialect.to_logical`` gives OData rows those names; the SyncFeed has them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from state.mirror import MirrorRecord

__all__ = ["NESTED", "assemble", "flatten", "scalars"]

Record = dict[str, Any]
# navigations of a Zaak the motion needs; VervangenDoor/-Vanuit stay nested in the Zaak's data
NESTED = ("Kamerstukdossier", "ZaakActor", "Besluit", "Document")
_KEEP_NESTED = ("VervangenDoor", "VervangenVanuit")


def _id(row: Mapping[str, Any]) -> str | None:
    value = row.get("Id")
    return str(value).lower() if value else None


def scalars(row: Mapping[str, Any]) -> Record:
    """The row without nested navigations and OData annotations."""
    return {
        k: v
        for k, v in row.items()
        if not isinstance(v, list | dict) and not k.startswith("@") and "@" not in k
    }


def flatten(zaak: Mapping[str, Any]) -> list[MirrorRecord]:
    """Mirror records of one whole Zaak (with its dossier, submitters, decisions and votes)."""
    zid = _id(zaak)
    if zid is None:
        return []
    dossiers = [d for d in zaak.get("Kamerstukdossier") or [] if isinstance(d, Mapping)]
    data = scalars(zaak)
    data["Kamerstukdossier_Ids"] = [i for i in (_id(d) for d in dossiers) if i]
    for nav in _KEEP_NESTED:
        if zaak.get(nav) is not None:
            data[nav] = zaak.get(nav)
    out = [MirrorRecord("Zaak", zid, zid, None, data, whole=True)]
    out += [
        MirrorRecord("Kamerstukdossier", i, None, None, scalars(d))
        for d in dossiers
        if (i := _id(d))
    ]
    for actor in zaak.get("ZaakActor") or []:
        if (aid := _id(actor)) is not None:
            out.append(MirrorRecord("ZaakActor", aid, zid, None, scalars(actor)))
    for besluit in zaak.get("Besluit") or []:
        bid = _id(besluit)
        if bid is None:
            continue
        out.append(MirrorRecord("Besluit", bid, zid, None, scalars(besluit)))
        for vote in besluit.get("Stemming") or []:
            if (vid := _id(vote)) is not None:
                out.append(MirrorRecord("Stemming", vid, zid, bid, scalars(vote)))
    return out


def assemble(
    zaak: MirrorRecord, records: Iterable[MirrorRecord], dossiers: Mapping[str, MirrorRecord]
) -> Record:
    """The nested Zaak record ``build_motion`` reads, from mirror records of that Zaak."""
    rows = [r for r in records if r.zaak_id == zaak.id and not r.deleted]
    out: Record = dict(zaak.data)
    out["Kamerstukdossier"] = [
        dict(dossiers[i].data) for i in zaak.data.get("Kamerstukdossier_Ids") or [] if i in dossiers
    ]
    out["ZaakActor"] = [dict(r.data) for r in _ordered(rows, "ZaakActor")]
    votes: dict[str, list[Record]] = {}
    for vote in _ordered(rows, "Stemming"):
        votes.setdefault(vote.parent_id or "", []).append(dict(vote.data))
    out["Besluit"] = [
        {**r.data, "Stemming": votes.get(r.id, [])} for r in _ordered(rows, "Besluit")
    ]
    out["Document"] = []
    return out


def _ordered(rows: Sequence[MirrorRecord], entity: str) -> list[MirrorRecord]:
    return sorted((r for r in rows if r.entity == entity), key=lambda r: r.id)
