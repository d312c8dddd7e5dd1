"""DERIVED Document records of the letters the replay serves (measured from the copied texts)."""

from __future__ import annotations

from typing import Any

from replay.derive import LETTER_2423, REPLAY_NOW, REPLAY_NOW_LOCAL, guid
from replay.derive.copies import COPIES
from replay.derive.zaken import ZAKEN


def _letter_doc(
    key: str,
    *,
    nummer: str | None,
    zaak: dict[str, Any] | None,
    onderwerp: str,
    titel: str,
    datum: str,
    vergaderjaar: str,
    volgnummer: int,
    resource: str,
    stamp: tuple[str, str],
) -> dict[str, Any]:
    size = len(COPIES[resource].read_bytes())
    return {
        "Id": guid("Document", key),
        "Soort": "Brief regering",
        "DocumentNummer": nummer,
        "Titel": titel,
        "Onderwerp": onderwerp,
        "Datum": datum,
        "Vergaderjaar": vergaderjaar,
        "Kamer": 2,
        "Volgnummer": volgnummer,
        "Citeertitel": None,
        "Alias": None,
        "DatumRegistratie": None,
        "DatumOntvangst": None,
        "Aanhangselnummer": None,
        "KenmerkAfzender": None,
        "Organisatie": "Tweede Kamer",
        "ContentType": "text/plain; charset=utf-8",
        "ContentLength": size,
        "GewijzigdOp": stamp[0] if zaak is None else zaak["GewijzigdOp"],
        "ApiGewijzigdOp": stamp[1] if zaak is None else zaak["ApiGewijzigdOp"],
        "Verwijderd": False,
        "HuidigeDocumentVersie_Id": None,
    }


def derive_documents() -> dict[str, Any]:
    raz = ZAKEN["2021Z11026"]["Titel"]  # title of dossier 21501-02 as recorded
    z22, z2375 = ZAKEN["2020Z20561"], ZAKEN["2021Z10879"]
    letters = [
        {
            "kamerstuk": "21501-02-2423",
            "dossier": "21501-02",
            "zaak": None,
            "resource": "2021-11-04_uitvoering-moties-nagorno-karabach.txt",
            "arrives": {"demo": 1},
            "evidence": (
                "DocumentNummer 2021D41766, date 4 Nov 2021, Kamerstuk 21 501-02 nr. 2423 and the "
                "title: the public letter page tweedekamer.nl/kamerstukken/brieven_regering/"
                "detail?id=2021D41766&did=2021D41766 and zoek.officielebekendmakingen.nl/"
                "kst-21501-02-2423.html (DATA_SOURCES.md); text: the real letter (plain-text "
                "variant served at Document(<Id>)/resource). Titel: dossier 21501-02's title as "
                "recorded on its Zaken. ContentType: the text variant. GewijzigdOp/ApiGewijzigdOp: "
                "REPLAY_NOW, because the demo has it arrive as new."
            ),
            "record": _letter_doc(
                "2021D41766",
                nummer="2021D41766",
                zaak=None,
                onderwerp="Uitvoering van alle moties gerelateerd aan het conflict in en rond "
                "Nagorno-Karabach",
                titel=raz,
                datum="2021-11-04T00:00:00+01:00",
                vergaderjaar="2021-2022",
                volgnummer=2423,
                resource="2021-11-04_uitvoering-moties-nagorno-karabach.txt",
                stamp=(REPLAY_NOW_LOCAL, REPLAY_NOW),
            ),
        },
        {
            "kamerstuk": "35570-V-22",
            "dossier": "35570-V",
            "zaak": "2020Z20561",
            "resource": "2020-11-04_kst-35570-V-22.txt",
            "arrives": {},
            "evidence": (
                "The Brief regering Zaak 2020Z20561 (Volgnummer 22, 4 Nov 2020, Onderwerp = the "
                "letter's subject) and the letter's own text (kst-35570-V-22); Document members "
                "from the Zaak, DocumentNummer unknown (null), timestamps the Zaak's."
            ),
            "record": _letter_doc(
                "35570-V-22",
                nummer=None,
                zaak=z22,
                onderwerp=z22["Onderwerp"],
                titel=z22["Titel"],
                datum=z22["GestartOp"],
                vergaderjaar=z22["Vergaderjaar"],
                volgnummer=z22["Volgnummer"],
                resource="2020-11-04_kst-35570-V-22.txt",
                stamp=("", ""),
            ),
        },
        {
            "kamerstuk": "21501-02-2375",
            "dossier": "21501-02",
            "zaak": "2021Z10879",
            "resource": "2021-06-16_conflict-azerbeidzjan-armenie.txt",
            "arrives": {},
            "evidence": (
                f"The Brief regering Zaak 2021Z10879 (Volgnummer 2375, 16 Jun 2021) and "
                f'{LETTER_2423} footnote 1 ("Kamerbrief over het conflict tussen Azerbeidzjan en '
                'Armenië, 16 juni 2021 (21 501-02, Nr. 2375)"); text: the real letter.'
            ),
            "record": _letter_doc(
                "21501-02-2375",
                nummer=None,
                zaak=z2375,
                onderwerp=z2375["Onderwerp"],
                titel=z2375["Titel"],
                datum=z2375["GestartOp"],
                vergaderjaar=z2375["Vergaderjaar"],
                volgnummer=z2375["Volgnummer"],
                resource="2021-06-16_conflict-azerbeidzjan-armenie.txt",
                stamp=("", ""),
            ),
        },
    ]
    return {
        "_about": (
            "DERIVED Document records (Soort 'Brief regering') for three real letters whose "
            "Document records were never recorded. Shape: Document in metadata.xml; Id: uuid5; "
            "unknown members null. Each is linked to its Kamerstukdossier and, where one exists, "
            "its Brief regering Zaak; its text is served at Document(<Id>)/resource."
        ),
        "letters": letters,
    }
