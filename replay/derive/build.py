"""Every file of ``replay/data/`` by name (``build``) and writing them (``main``)."""

from __future__ import annotations

import json
import shutil
from typing import Any

from replay.derive import OUT
from replay.derive.copies import COPIES
from replay.derive.documents import derive_documents
from replay.derive.rijksoverheid import rijksoverheid_files
from replay.derive.sru import derive_sru
from replay.derive.v5 import derive_v5, derive_v5_metadata
from replay.derive.zaken import (
    derive_besluiten,
    derive_dossiers,
    derive_replacements,
    derive_zaakactors,
)


def build() -> dict[str, bytes]:
    """Every file of the folder, by name (copies first, then derived)."""
    files: dict[str, bytes] = {name: src.read_bytes() for name, src in COPIES.items()}

    def dump(obj: Any) -> bytes:
        return (json.dumps(obj, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    files["Kamerstukdossier_records_DERIVED.json"] = dump(derive_dossiers())
    files["Besluit_records_DERIVED.json"] = dump(derive_besluiten())
    files["ZaakActor_records_DERIVED.json"] = dump(derive_zaakactors())
    files["Zaak_VervangenDoor_links_DERIVED.json"] = dump(derive_replacements())
    files["Document_records_letters_DERIVED.json"] = dump(derive_documents())
    sru_xml, sru_notes = derive_sru()
    files["SRU_records_topic_DERIVED.xml"] = sru_xml.encode("utf-8")
    files["SRU_records_topic_DERIVED.json"] = dump(sru_notes)
    files["OData_v5_dialect_DERIVED.json"] = dump(derive_v5())
    files["metadata_v5_DERIVED.xml"] = derive_v5_metadata(files["metadata.xml"])
    files.update(rijksoverheid_files())
    return files


def main() -> None:
    """Write the folder (copies first: the derived letter records measure the copied texts)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, src in COPIES.items():
        shutil.copyfile(src, OUT / name)
    for name, content in build().items():
        (OUT / name).write_bytes(content)
