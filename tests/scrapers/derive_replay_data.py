# ruff: noqa: E501  (the SRU record template keeps the recorded records' long XML lines)
"""Builds ``replay/data/`` from the recorded real payloads in ``../shared/fixtures``.

Run ``python -m tests.scrapers.derive_replay_data`` after a fixture changes; ``test_replay_data``
checks the committed folder is what this script produces. Real payloads are copied byte for byte
under their own names. Records that were never recorded but that a replay scenario needs are
derived here, from the ``$metadata`` shape and from facts stated in real documents, into files with
``DERIVED`` in their name; every derived record carries its evidence. Nothing is typed in that no
real document states, except the replay-only timestamps explained in ``REPLAY_NOW``.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.conftest import LETTERS, ROOT, UPSTREAM
from tests.scrapers.derive_rijksoverheid_rss import rijksoverheid_files

OUT = ROOT / "scrapers" / "replay_data"
TK = UPSTREAM / "tweedekamer-odata"
TM = TK / "topic-motions"
DP = UPSTREAM / "tweedekamer-documentpublicatie"

# The replay's "now": after every recorded timestamp (latest: 2025-06-27). Records that arrive in a
# later snapshot of a scenario (the letter of 4 Nov 2021 in `demo`) carry it as ApiGewijzigdOp,
# because the API stamps ApiGewijzigdOp when it loads a record.
REPLAY_NOW = "2025-10-06T08:00:00Z"
REPLAY_NOW_LOCAL = "2025-10-06T10:00:00+02:00"
LETTER_2423 = "kst-21501-02-2423 (Kamerbrief 4 november 2021, 2021D41766)"

COPIES: dict[str, Path] = {
    "metadata.xml": TK / "metadata.xml",
    "Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json": (
        TK / "Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json"
    ),
    "Document_records_armenie-azerbeidzjan.json": TK / "Document_records_armenie-azerbeidzjan.json",
    "besluit_for_topic_motions.json": TM / "besluit_for_topic_motions.json",
    "stemming_for_topic_motions.json": TM / "stemming_for_topic_motions.json",
    "zaakactor_for_topic_motions.json": TM / "zaakactor_for_topic_motions.json",
    "zaak_documents_2024Z08925_21501-02-2901.json": TM
    / "zaak_documents_2024Z08925_21501-02-2901.json",
    "zaak_documents_2024Z15623_21501-02-2949.json": TM
    / "zaak_documents_2024Z15623_21501-02-2949.json",
    "zaak_documents_2025Z04608_21501-02-3067.json": TM
    / "zaak_documents_2025Z04608_21501-02-3067.json",
    "DocumentPublicatie_156b352c-9a6d-4214-bfb4-f4885f9900ba_kst-21501-02-3067.xml": (
        DP / "DocumentPublicatie_156b352c-9a6d-4214-bfb4-f4885f9900ba_kst-21501-02-3067.xml"
    ),
    "DocumentPublicatie_255cc6b0-9952-4ddc-b565-7eebc6067748_kst-21501-02-2949.xml": (
        DP / "DocumentPublicatie_255cc6b0-9952-4ddc-b565-7eebc6067748_kst-21501-02-2949.xml"
    ),
    "DocumentPublicatie_2546f8fb-73ca-49ab-ab43-b11ed2f13f0b_kst-21501-02-2901.xml": (
        DP / "DocumentPublicatie_2546f8fb-73ca-49ab-ab43-b11ed2f13f0b_kst-21501-02-2901.xml"
    ),
    "2021-11-04_uitvoering-moties-nagorno-karabach.txt": (
        LETTERS / "2021-11-04_uitvoering-moties-nagorno-karabach.txt"
    ),
    "2020-11-04_kst-35570-V-22.txt": LETTERS / "2020-11-04_kst-35570-V-22.txt",
    "2021-06-16_conflict-azerbeidzjan-armenie.txt": (
        LETTERS / "2021-06-16_conflict-azerbeidzjan-armenie.txt"
    ),
    "sru_searchRetrieve_staten-generaal_dt.modified-2021-10-13_10-records.xml": (
        UPSTREAM
        / "officielebekendmakingen-sru"
        / "sru_searchRetrieve_staten-generaal_dt.modified-2021-10-13_10-records.xml"
    ),
    "sru_searchRetrieve_dt.identifier-kst-35842-4.xml": (
        UPSTREAM
        / "officielebekendmakingen-sru"
        / "sru_searchRetrieve_dt.identifier-kst-35842-4.xml"
    ),
    "zoek.officielebekendmakingen.nl_rss_150-kamerstuk-items_2022-04-25..05-02.xml": (
        UPSTREAM
        / "officielebekendmakingen-rss"
        / "zoek.officielebekendmakingen.nl_rss_150-kamerstuk-items_2022-04-25..05-02.xml"
    ),
    "documents_list_URLS-REWRITTEN-TO-__MOCK_SERVICE__.xml": (
        UPSTREAM
        / "rijksoverheid-opendata-v1"
        / "documents_list_URLS-REWRITTEN-TO-__MOCK_SERVICE__.xml"
    ),
}
for _name in (
    "document_0acb97b8_type-publicatie_2-files.xml",
    "document_b47815af_type-wob-verzoek.xml",
    "document_3cd2285c_type-publicatie_with-subjects.xml",
    "document_5afce6ec_type-rapport.xml",
    "document_cb0edf75_type-brief.xml",
):
    COPIES[_name] = UPSTREAM / "rijksoverheid-opendata-v1" / _name


def guid(kind: str, key: str) -> str:
    """A stable GUID for a derived record (no real Id was ever recorded for it)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://kamerwacht.invalid/replay/{kind}/{key}"))


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


ZAKEN: dict[str, dict[str, Any]] = {
    z["Nummer"]: z for z in load(TK / "Zaak_records_armenie-azerbeidzjan-nagorno-karabach.json")
}
MOTIONS = [z for z in ZAKEN.values() if z["Soort"] == "Motie"]

# dossier → (Nummer, Toevoeging)
DOSSIERS: dict[str, tuple[int, str | None]] = {
    "21501-02": (21501, "02"),
    "21501-20": (21501, "20"),
    "35570-V": (35570, "V"),
    "35373": (35373, None),
    "32735": (32735, None),
    "36410": (36410, None),
}


def _on(zaak: str, quote: str) -> str:
    return f'Onderwerp of real Zaak {zaak} ({ZAKEN[zaak]["Soort"]}): "{quote}"'


def _item(n: int, quote: str) -> str:
    return f'{LETTER_2423}, motion {n} reported on: "{quote}"'


# Zaak → dossier, with the real statement that gives it.
ZAAK_DOSSIER: list[tuple[str, str, str]] = [
    ("2015Z11308", "32735", _on("2015Z14371", "(Kamerstuk 32 735, nr. 140)")),
    ("2020Z17419", "35373", _on("2020Z18038", "(t.v.v. 35373-18)")),
    ("2020Z18089", "21501-02", _on("2020Z18111", "(t.v.v. 21501-02-2212)")),
    ("2020Z21194", "21501-02", _on("2020Z21428", "(t.v.v. 21501-02-2228)")),
    ("2020Z21492", "35570-V", _on("2021Z01233", "(Kamerstuk 35570-V-32)")),
    ("2020Z21428", "21501-02", _on("2020Z24025", "(Kamerstuk 21501-02-2234)")),
    ("2023Z15680", "36410", _on("2023Z15729", "(t.v.v. 36410-31)")),
    ("2024Z08925", "21501-02", "HuidigeDocumentVersie.ExterneIdentifier kst-21501-02-2901"),
    ("2024Z15623", "21501-02", "HuidigeDocumentVersie.ExterneIdentifier kst-21501-02-2949"),
    ("2025Z04608", "21501-02", "HuidigeDocumentVersie.ExterneIdentifier kst-21501-02-3067"),
    (
        "2021Z11026",
        "21501-02",
        _item(
            3,
            "Motie van het lid Eppink c.s. over druk op "
            "Azerbeidzjan … (21501-02-2370), 17 juni 2021",
        ),
    ),
    (
        "2021Z08643",
        "21501-02",
        _item(
            4,
            "Motie van de leden Segers en Van der Staaij over zich "
            "aansluiten bij … (21501-02-2342), 20 mei 2021",
        ),
    ),
    (
        "2021Z03868",
        "21501-02",
        _item(
            5,
            "Motie van de leden Van Helvert en Voordewind over "
            "maximale … (21501-02-2281), 25 februari 2021",
        ),
    ),
    (
        "2020Z24307",
        "21501-20",
        _item(
            6,
            "Motie van het lid Van der Graaf c.s. over zich inspannen "
            "in de Minsk-groep … (21501-20-1630), 8 december 2020",
        ),
    ),
    (
        "2020Z21491",
        "35570-V",
        _item(
            7,
            "Motie van het lid Van Helvert c.s. over onafhankelijke "
            "waarnemers in Nagorno-Karabach (35570-V-31), 12 november 2020",
        ),
    ),
    (
        "2020Z21495",
        "35570-V",
        _item(11, "Motie van het lid Karabulut over persoonsgerichte sancties … (35570-V-35)"),
    ),
    (
        "2020Z18111",
        "21501-02",
        _item(
            14,
            "Gewijzigde motie van leden Van Helvert en Voordewind over "
            "een onderzoek naar buitenlandse inmenging … (21501-02-2219)",
        ),
    ),
    (
        "2020Z18038",
        "35373",
        _item(
            17,
            "Gewijzigde motie van het lid Van Helvert c.s. over een "
            "staakt-het-vuren in Nagorno-Karabach (35373-23)",
        ),
    ),
    (
        "2020Z17408",
        "35373",
        _item(
            18,
            "Motie van het lid Voordewind c.s. over het conflict over "
            "Nagorno-Karabach agenderen in relevante gremia (35373-8)",
        ),
    ),
    (
        "2020Z20561",
        "35570-V",
        'letter text 2020-11-04_kst-35570-V-22.txt: "kst-35570-V-22", '
        '"35 570 V, nr. 22" (Zaak Volgnummer 22, 4 november 2020)',
    ),
    (
        "2021Z10879",
        "21501-02",
        f'{LETTER_2423}, footnote 1: "Kamerbrief over het conflict tussen '
        'Azerbeidzjan en Armenië, 16 juni 2021 (21 501-02, Nr. 2375)"',
    ),
]

# Motions the letter of 4 Nov 2021 reports on; it states it only covers adopted motions.
ADOPTED_PER_LETTER = [
    "2021Z11026", "2021Z08643", "2021Z03868", "2020Z24307", "2020Z21491", "2020Z21428",
    "2020Z21495", "2020Z21492", "2020Z18111", "2020Z18038", "2020Z17408",
]  # fmt: skip

# (replaced motion, replacing gewijzigde motie): the gewijzigde motie's Onderwerp says t.v.v.
REPLACEMENTS = [
    ("2020Z17419", "2020Z18038"),
    ("2020Z18089", "2020Z18111"),
    ("2020Z21194", "2020Z21428"),
    ("2023Z15680", "2023Z15729"),
]

# Party of a member as a real document of that Vergaderjaar states it.
PARTIES_2020_2021 = {
    "Voordewind": "ChristenUnie",
    "Van Helvert": "CDA",
    "Omtzigt": "CDA",
    "Van der Staaij": "SGP",
    "Karabulut": "SP",
}
PARTY_EVIDENCE = (
    f'{LETTER_2423}, footnotes 24/29: "Voordewind (ChristenUnie), Van Helvert (CDA), Van der '
    'Staaij (SGP) en Karabulut (SP)", "Van Helvert, Omtzigt (beiden CDA)" (vergaderjaar 2020-2021)'
)

NAMES_RE = re.compile(
    r"^(?:Nader )?(?:[Gg]ewijzigde )?[Mm]otie van (?:het lid|de leden|leden) "
    r"(?P<names>.+?)(?P<cs> c\.s\.)?(?= over | een | \(t\.v\.v\.|\s*$)"
)


def onderwerp_names(onderwerp: str) -> list[str]:
    """The members an Onderwerp names, first the indiener (``Motie van de leden X en Y over``)."""
    match = NAMES_RE.match(onderwerp.strip())
    if not match:
        raise ValueError(onderwerp)
    return [n.strip() for n in re.split(r",\s*| en ", match.group("names")) if n.strip()]


def xml_submitters(path: Path) -> list[str]:
    """The names under the motion text (``<al-groep>``) of an official-publication XML."""
    root = ET.parse(path).getroot()
    group = root.find(".//al-groep")
    assert group is not None
    return [(al.text or "").strip() for al in group.findall("al")]


def _actor(zaak: dict[str, Any], name: str, party: str | None, relatie: str) -> dict[str, Any]:
    return {
        "Id": guid("ZaakActor", f"{zaak['Nummer']}/{name}"),
        "Zaak_Id": zaak["Id"],
        "ActorNaam": name,
        "ActorFractie": party,
        "ActorAfkorting": None,
        "Functie": None,
        "Relatie": relatie,
        "SidActor": None,
        "Persoon_Id": None,
        "Fractie_Id": None,
        "Commissie_Id": None,
        "GewijzigdOp": zaak["GewijzigdOp"],
        "ApiGewijzigdOp": zaak["ApiGewijzigdOp"],
        "Verwijderd": False,
    }


def derive_zaakactors() -> dict[str, Any]:
    recorded = load(TM / "zaakactor_for_topic_motions.json")["by_zaak"]
    processed = {
        n: load(TM / f"tkmoties_PROCESSED-y2023_{n}.json")
        for n in ("2022Z23059", "2023Z11507", "2023Z15680")
    }
    xml_for = {
        "2024Z08925": DP / COPY_NAME_2901,
        "2024Z15623": DP / COPY_NAME_2949,
        "2025Z04608": DP / COPY_NAME_3067,
    }
    rows: list[dict[str, Any]] = []
    evidence: dict[str, str] = {}
    for zaak in MOTIONS:
        nummer = zaak["Nummer"]
        if nummer in recorded:
            continue
        named = onderwerp_names(zaak["Onderwerp"])
        if nummer in processed:
            pairs = [(n, f) for n, f in processed[nummer]["Indieners"]]
            first = next(p for p in pairs if p[0].endswith(named[0]))
            ordered = [first, *(p for p in pairs if p is not first)]
            evidence[nummer] = (
                f"names and parties: tkmoties processed file {nummer} (Indieners, mapped from "
                f'ZaakActor); Relatie: first named in the Onderwerp ("{named[0]}") is the '
                "Indiener, the others Medeindiener"
            )
        elif nummer in xml_for:
            names = xml_submitters(xml_for[nummer])
            ordered = [(n, None) for n in names]
            evidence[nummer] = (
                f"names: <al-groep> of the real publication XML {xml_for[nummer].name}; Relatie: "
                "first named is the Indiener (as in the Onderwerp), the others Medeindiener"
            )
        else:
            in_year = zaak["Vergaderjaar"] == "2020-2021"
            ordered = [(n, PARTIES_2020_2021.get(n) if in_year else None) for n in named]
            evidence[nummer] = (
                f'names: Onderwerp "{zaak["Onderwerp"].strip()[:90]}…" (members after "c.s." are '
                "not named anywhere); Relatie: first named is the Indiener, the others "
                "Medeindiener"
                + (f"; parties: {PARTY_EVIDENCE}" if any(p for _, p in ordered) else "")
            )
        for i, (name, party) in enumerate(ordered):
            rows.append(_actor(zaak, name, party, "Indiener" if i == 0 else "Medeindiener"))
    completion: dict[str, dict[str, Any]] = {}
    for nummer, block in recorded.items():
        zaak = ZAKEN.get(nummer)
        if zaak is None:
            continue  # 2022Z25043: not one of the 32, not in the replay
        named = onderwerp_names(zaak["Onderwerp"])
        for row in block["rows"]:
            surname_first = row["ActorNaam"].endswith(named[0].split()[-1])
            completion[row["Id"]] = {
                "Zaak_Id": zaak["Id"],
                "Relatie": "Indiener" if surname_first else "Medeindiener",
                "Verwijderd": False,
                "evidence": (
                    "recorded with $select (no Relatie, Zaak_Id, Verwijderd): Zaak_Id from the "
                    "nesting under the Zaak; Relatie from the Onderwerp order (first named = "
                    "Indiener; for 2022Z19883 also stated by the full record in "
                    "Mentalist/gegevensmagazijn-rs, see COVERAGE.md); deleted rows carry no names, "
                    "so Verwijderd is false"
                ),
            }
    return {
        "_about": (
            "DERIVED ZaakActor (Indiener/Medeindiener) rows for the topic motions whose ZaakActor "
            "rows were never recorded, and the members the recorded rows lack because they were "
            "fetched with $select. Record shape: ZaakActor in metadata.xml. Id: uuid5 (no real Id "
            "known); timestamps: the Zaak's; unknown members null. Evidence per Zaak."
        ),
        "records": rows,
        "evidence": evidence,
        "completion_of_recorded": completion,
    }


COPY_NAME_3067 = "DocumentPublicatie_156b352c-9a6d-4214-bfb4-f4885f9900ba_kst-21501-02-3067.xml"
COPY_NAME_2949 = "DocumentPublicatie_255cc6b0-9952-4ddc-b565-7eebc6067748_kst-21501-02-2949.xml"
COPY_NAME_2901 = "DocumentPublicatie_2546f8fb-73ca-49ab-ab43-b11ed2f13f0b_kst-21501-02-2901.xml"


def derive_dossiers() -> dict[str, Any]:
    titles: dict[str, str] = {}
    for nummer, dossier, _ in ZAAK_DOSSIER:
        titles.setdefault(dossier, ZAKEN[nummer]["Titel"])
    records = []
    for key, (nummer, toevoeging) in DOSSIERS.items():
        records.append(
            {
                "Id": guid("Kamerstukdossier", key),
                "Titel": titles[key],
                "Citeertitel": None,
                "Alias": None,
                "Nummer": nummer,
                "Toevoeging": toevoeging,
                "HoogsteVolgnummer": None,
                "Afgesloten": None,
                "Kamer": None,
                "GewijzigdOp": None,
                "ApiGewijzigdOp": None,
                "Verwijderd": False,
            }
        )
    return {
        "_about": (
            "DERIVED Kamerstukdossier records (none was ever recorded) and the Zaak/Document links "
            "to them. Shape: Kamerstukdossier in metadata.xml. Nummer/Toevoeging: from the "
            "canonical ids real documents state for the linked Zaken (evidence per link); Titel: "
            "the linked real Zaken's Titel (= dossier title); Id: uuid5; unknown members null."
        ),
        "records": records,
        "zaak_links": [{"zaak": n, "dossier": d, "evidence": e} for n, d, e in ZAAK_DOSSIER],
    }


def derive_besluiten() -> dict[str, Any]:
    recorded = load(TM / "besluit_for_topic_motions.json")["by_zaak"]
    records: list[dict[str, Any]] = []
    for nummer in ADOPTED_PER_LETTER:
        zaak = ZAKEN[nummer]
        records.append(
            {
                "zaak": nummer,
                "evidence": (
                    f'{LETTER_2423}: "Vanzelfsprekend ga ik alleen in op de moties die door uw '
                    'Kamer zijn aangenomen." and it reports on this motion. Vote date, tally and '
                    "BesluitTekst are stated nowhere: GewijzigdOp, BesluitTekst, StemmingsSoort "
                    "null, no Stemming rows; ApiGewijzigdOp = the Zaak's (load time)."
                ),
                "record": {
                    "Id": guid("Besluit", f"{nummer}/aangenomen"),
                    "Agendapunt_Id": None,
                    "StemmingsSoort": None,
                    "BesluitSoort": "Stemmen - aangenomen",
                    "BesluitTekst": None,
                    "Opmerking": None,
                    "Status": "Besluit",
                    "AgendapuntZaakBesluitVolgorde": None,
                    "GewijzigdOp": None,
                    "ApiGewijzigdOp": zaak["ApiGewijzigdOp"],
                    "Verwijderd": False,
                },
            }
        )
    zaak = ZAKEN["2025Z04608"]
    records.append(
        {
            "zaak": "2025Z04608",
            "scenario_role": "ingediend",
            "evidence": (
                "Every motion is first decided 'Ingediend' (6,927 such Besluiten in "
                "DERIVED_observed-value-counts.json; shape of the real Ingediend sample "
                "ad396301-… in Besluit_records_samples-per-BesluitSoort.json). This motion was "
                'submitted on 13 March 2025 (Zaak.GestartOp; "Voorgesteld 13 maart 2025" in '
                "kst-21501-02-3067.xml): GewijzigdOp = GestartOp; Agendapunt unknown (null)."
            ),
            "record": {
                "Id": guid("Besluit", "2025Z04608/ingediend"),
                "Agendapunt_Id": None,
                "StemmingsSoort": None,
                "BesluitSoort": "Ingediend",
                "BesluitTekst": "Ingediend",
                "Opmerking": None,
                "Status": "Besluit",
                "AgendapuntZaakBesluitVolgorde": None,
                "GewijzigdOp": zaak["GestartOp"],
                "ApiGewijzigdOp": "2025-03-12T23:00:00Z",
                "Verwijderd": False,
            },
        }
    )
    completion = {
        b["Id"]: {
            "Status": "Besluit",
            "Verwijderd": False,
            "evidence": (
                "recorded with $select=Id,BesluitSoort,StemmingsSoort,GewijzigdOp,ApiGewijzigdOp "
                "and $filter=Verwijderd eq false (tkmoties): Verwijderd false by that filter; "
                "Status 'Besluit': a held vote ('Stemmen - aangenomen', StemmingsSoort "
                "'Met handopsteken') with its Stemming rows recorded and the Zaak Afgedaan"
            ),
        }
        for nummer, block in recorded.items()
        if nummer in ZAKEN and block["besluiten"][0].get("Status") is None
        for b in block["besluiten"]
    }
    return {
        "_about": (
            "DERIVED Besluit records and the members recorded Besluiten lack because they were "
            "fetched with $select. Shape: Besluit in metadata.xml; Id: uuid5. The Besluit↔Zaak "
            "links of the MM records in besluit_for_topic_motions.json are INFERRED there "
            "(attribution rule in that file); the replay links them directly, as the API does."
        ),
        "records": records,
        "completion_of_recorded": completion,
    }


def derive_replacements() -> dict[str, Any]:
    links = []
    for old, new in REPLACEMENTS:
        quote = re.search(r"\(t\.v\.v\.[^)]*\)", ZAKEN[new]["Onderwerp"])
        assert quote is not None
        links.append(
            {
                "vervangen": old,
                "vervangen_door": new,
                "evidence": (
                    f'Onderwerp of real Zaak {new}: "{quote.group(0)}"; that id is Zaak {old} '
                    f"(Volgnummer {ZAKEN[old]['Volgnummer']}, dossier per "
                    "Kamerstukdossier_records_DERIVED.json)"
                ),
            }
        )
    return {
        "_about": (
            "DERIVED Zaak.VervangenDoor / Zaak.VervangenVanuit navigation links (never recorded): "
            "a gewijzigde motie names the motion it replaces in its Onderwerp (t.v.v. = ter "
            "vervanging van). The 2015 gewijzigde motie replaces 34000-V nr. 59, which is not in "
            "the recorded Zaak file, so it has no link."
        ),
        "links": links,
    }


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


SRU_RECORD = """<sru:record xmlns:sru="http://docs.oasis-open.org/ns/search-ws/sruResponse">
            <sru:recordSchema>http://standaarden.overheid.nl/sru/</sru:recordSchema>
            <sru:recordPacking>xml</sru:recordPacking>
            <sru:recordData>
                <gzd:gzd xmlns:gzd="http://standaarden.overheid.nl/sru">
                    <gzd:originalData>
                        <overheidwetgeving:meta xmlns:overheidwetgeving="http://standaarden.overheid.nl/wetgeving/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:c="http://standaarden.overheid.nl/collectie/" xmlns:cd="http://standaarden.overheid.nl/cup/data">
                            <overheidwetgeving:owmskern>
                                <dcterms:identifier>{id}</dcterms:identifier>
                                <dcterms:title>{title}</dcterms:title>
                                <dcterms:language>nl</dcterms:language>
                                <dcterms:type scheme="OVERHEIDop.Parlementair">Kamerstuk</dcterms:type>
                                <dcterms:creator scheme="OVERHEID.StatenGeneraal">Tweede Kamer der Staten-Generaal</dcterms:creator>
                                <dcterms:modified>{modified}</dcterms:modified>
                            </overheidwetgeving:owmskern>
                            <overheidwetgeving:owmsmantel>
                                <dcterms:available>{modified}</dcterms:available>
                                <dcterms:date>{date}</dcterms:date>
                                <dcterms:hasVersion resourceIdentifier="https://zoek.officielebekendmakingen.nl/{id}.html">1</dcterms:hasVersion>
                                <dcterms:issued>{date}</dcterms:issued>
                            </overheidwetgeving:owmsmantel>
                            <overheidwetgeving:tpmeta>
                                <c:product-area>officielepublicaties</c:product-area>
                                <c:content-area>officielepublicaties/kst/{dossier}</c:content-area>
                                <overheidwetgeving:documentstatus>Opgemaakt na onopgemaakt</overheidwetgeving:documentstatus>
                                <overheidwetgeving:documenttitel>{documenttitel}</overheidwetgeving:documenttitel>
                                <overheidwetgeving:dossiertitel>{dossiertitel}</overheidwetgeving:dossiertitel>
{indieners}                                <overheidwetgeving:ondernummer>{ondernummer}</overheidwetgeving:ondernummer>
                                <overheidwetgeving:organisatietype scheme="OVERHEID.Organisatietype">staten generaal</overheidwetgeving:organisatietype>
                                <overheidwetgeving:publicatienaam>Kamerstuk</overheidwetgeving:publicatienaam>
                                <overheidwetgeving:vergaderjaar>{vergaderjaar}</overheidwetgeving:vergaderjaar>
                                <overheidwetgeving:dossiernummer>{dossier}</overheidwetgeving:dossiernummer>
                                <overheidwetgeving:subrubriek scheme="OVERHEIDop.KamerstukTypen">{subrubriek}</overheidwetgeving:subrubriek>
                                <cd:datumTijdstipWijzigingWork>{stamp}</cd:datumTijdstipWijzigingWork>
                                <cd:datumTijdstipWijzigingExpression>{stamp}</cd:datumTijdstipWijzigingExpression>
                            </overheidwetgeving:tpmeta>
                        </overheidwetgeving:meta>
                    </gzd:originalData>
                    <gzd:enrichedData>
                        <gzd:url>https://repository.overheid.nl/frbr/officielepublicaties/kst/{dossier}/{id}/1/xml/{id}.xml</gzd:url>
                        <gzd:preferredUrl>https://zoek.officielebekendmakingen.nl/{id}.html</gzd:preferredUrl>
                        <gzd:itemUrl manifestation="xml">https://repository.overheid.nl/frbr/officielepublicaties/kst/{dossier}/{id}/1/xml/{id}.xml</gzd:itemUrl>
                        <gzd:timestamp>{stamp}</gzd:timestamp>
                    </gzd:enrichedData>
                </gzd:gzd>
            </sru:recordData>
            <sru:recordPosition>1</sru:recordPosition>
        </sru:record>
"""


def _motion_sru(zaak_nummer: str, copy_name: str) -> tuple[str, dict[str, str]]:
    zd = load(TM / f"zaak_documents_{zaak_nummer}_{copy_name.rsplit('_kst-', 1)[1][:-4]}.json")
    doc = zd["Document"][0]
    pub = next(
        p for p in doc["HuidigeDocumentVersie"]["DocumentPublicatie"] if p["DocumentType"] == "Xml"
    )
    root = ET.parse(DP / copy_name).getroot()
    titel = (root.findtext(".//dossier/titel") or "").strip()
    datum = root.find(".//datumtekst/datum")
    assert datum is not None
    vergaderjaar = (root.findtext(".//tekstregel[@inhoud='vergaderjaar']") or "").split()[-1]
    ident = pub["Identifier"]
    stamp = pub["PublicatieDatum"]
    fields = {
        "id": ident,
        "title": escape(f"{titel}; Motie; {doc['Onderwerp'].strip()}"),
        "modified": stamp[:10],
        "date": datum.get("isodatum", ""),
        "dossier": "21501-02",
        "documenttitel": escape(doc["Onderwerp"].strip()),
        "dossiertitel": escape(titel),
        "indieners": "".join(
            f"                                <overheidwetgeving:indiener>{escape(n)}"
            "</overheidwetgeving:indiener>\n"
            for n in xml_submitters(DP / copy_name)
        ),
        "ondernummer": str(doc["Volgnummer"]),
        "vergaderjaar": vergaderjaar,
        "subrubriek": "Motie",
        "stamp": stamp,
    }
    evidence = (
        f"{ident}: from the real DocumentPublicatie record {pub['Id']} (Identifier, "
        f"PublicatieDatum → modified/available/timestamps), its Document {doc['DocumentNummer']} "
        f"(Onderwerp → documenttitel, Volgnummer) and the publication XML {copy_name} (dossier "
        "titel, vergaderjaar, datum voorgesteld → date/issued, <al-groep> → indiener). Shape and "
        "constant members: the recorded kst-22112-3185 and kst-35842-4 records; title pattern "
        "'dossiertitel; Motie; documenttitel' as DC.title of the recorded motie kst-32545-143."
    )
    return SRU_RECORD.format(**fields), {
        "identifier": ident,
        "evidence": evidence,
        "xml": copy_name,
    }


def derive_sru() -> tuple[str, dict[str, Any]]:
    parts = []
    notes = []
    for nummer, name in (
        ("2025Z04608", COPY_NAME_3067),
        ("2024Z15623", COPY_NAME_2949),
        ("2024Z08925", COPY_NAME_2901),
    ):
        text, note = _motion_sru(nummer, name)
        parts.append(text)
        notes.append({**note, "arrives": {}})
    titel = ZAKEN["2021Z11026"]["Titel"].strip()
    onderwerp = (
        "Uitvoering van alle moties gerelateerd aan het conflict in en rond Nagorno-Karabach"
    )
    parts.append(
        SRU_RECORD.format(
            id="kst-21501-02-2423",
            title=escape(f"{titel}; Brief regering; {onderwerp}"),
            modified=REPLAY_NOW[:10],
            date="2021-11-04",
            dossier="21501-02",
            documenttitel=escape(onderwerp),
            dossiertitel=escape(titel),
            indieners="",
            ondernummer="2423",
            vergaderjaar="2021-2022",
            subrubriek="Brief",
            stamp=REPLAY_NOW_LOCAL,
        )
    )
    notes.append(
        {
            "identifier": "kst-21501-02-2423",
            "xml": "2021-11-04_uitvoering-moties-nagorno-karabach.txt",
            "arrives": {"demo": 1},
            "evidence": (
                "Kamerstuk 21 501-02 nr. 2423, 4 Nov 2021, title as on the public letter page; "
                "dossier title as recorded; subrubriek 'Brief' and title pattern 'dossiertitel; "
                "Brief regering; documenttitel' as the recorded Brief regering kst-22112-3185; "
                "signer not stated in the text, so no indiener. modified/timestamps: REPLAY_NOW "
                "(it arrives as new in the demo). The xml manifestation serves the letter's real "
                "text as text/plain (a derived variant: its XML was never recorded)."
            ),
        }
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- DERIVED sru:record elements, one per '
        "derived record; see README.md and SRU_records_topic_DERIVED.json -->\n<records>\n"
        + "".join(parts)
        + "</records>\n"
    )
    return xml, {
        "_about": (
            "Evidence for the DERIVED SRU records in SRU_records_topic_DERIVED.xml, in that order."
        ),
        "records": notes,
    }


# The v5 dialect of the Gegevensmagazijn: nothing of v5 was ever recorded, so its renames are applied
# to the recorded v4/2.0 $metadata and records. Each rename and removal with its public evidence.
V5_RENAMES: list[dict[str, str]] = [
    {
        "entity": "Document",
        "v2": "DocumentNummer",
        "v5": "Nummer",
        "evidence": "a 2026 client's v4→v5 change (TypeScript), DATA_SOURCES.md section 1.0",
    },
    {
        "entity": "Document",
        "v2": "Volgnummer",
        "v5": "Ondernummer",
        "evidence": "same client: 'Ondernummer (-1 = no value)', DATA_SOURCES.md section 1.0",
    },
    {
        "entity": "Kamerstukdossier",
        "v2": "HoogsteVolgnummer",
        "v5": "AantalDocumenten",
        "evidence": "OpenDataPortaal issue #193 (2026-08-24): renamed, same value",
    },
    {
        "entity": "Activiteit",
        "v2": "Voortouwnaam",
        "v5": "VoortouwCommissieNaam",
        "evidence": "a 2026 client 'verified against /Activiteit OData v5 $metadata' (low-medium)",
    },
]
V5_REMOVED: list[dict[str, str]] = [
    {
        "entity": "Document",
        "v2": "DatumRegistratie",
        "evidence": "'possibly gone' in the same client's v4→v5 change; #175: attributes removed",
    },
    {
        "entity": "Activiteit",
        "v2": "Voortouwafkorting",
        "evidence": "merged into VoortouwCommissieNaam by the same client",
    },
    {
        "entity": "Activiteit",
        "v2": "Voortouwkortenaam",
        "evidence": "merged into VoortouwCommissieNaam by the same client",
    },
]


def derive_v5_metadata(metadata: bytes) -> bytes:
    """The recorded $metadata with the v5 renames applied and the removed properties dropped."""
    text = metadata.decode("utf-8")
    for entity, changes in _by_entity().items():
        start = text.index(f'<EntityType Name="{entity}">')
        end = text.index("</EntityType>", start)
        block = text[start:end]
        for v2, v5 in changes:
            pattern = rf'<Property Name="{v2}" [^>]*/>\s*'
            if v5 is None:
                block, count = re.subn(pattern, "", block)
            else:
                block, count = re.subn(rf'<Property Name="{v2}" ', f'<Property Name="{v5}" ', block)
            assert count == 1, (entity, v2)
        text = text[:start] + block + text[end:]
    return text.encode("utf-8")


def _by_entity() -> dict[str, list[tuple[str, str | None]]]:
    out: dict[str, list[tuple[str, str | None]]] = {}
    for item in V5_RENAMES:
        out.setdefault(item["entity"], []).append((item["v2"], item["v5"]))
    for item in V5_REMOVED:
        out.setdefault(item["entity"], []).append((item["v2"], None))
    return out


def derive_v5() -> dict[str, Any]:
    return {
        "_about": (
            "DERIVED OData v5 dialect of the Gegevensmagazijn (gegevensmagazijn.tweedekamer.nl/"
            "OData/v5, since 12 June 2026; OpenDataPortaal #175, #191, #193). No v5 payload was "
            "ever recorded: the replay serves the recorded v4/2.0 records and $metadata with "
            "these renames applied and these properties removed, and answers $top above 100 "
            "with HTTP 400 (reported by one 2026 client). metadata_v5_DERIVED.xml is "
            "metadata.xml with exactly these changes."
        ),
        "renames": V5_RENAMES,
        "removed": V5_REMOVED,
        "max_top": 100,
    }


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


if __name__ == "__main__":
    main()
