"""DERIVED Tweede Kamer records around the topic motions: dossiers, Besluiten, ZaakActors and
the VervangenDoor links, each with the real statement that gives it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from replay.derive import DP, LETTER_2423, TK, TM, guid, load

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
        found = ZAKEN.get(nummer)
        if found is None:
            continue  # 2022Z25043: not one of the 32, not in the replay
        zaak = found
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
    for zaak_nummer, dossier, _ in ZAAK_DOSSIER:
        titles.setdefault(dossier, ZAKEN[zaak_nummer]["Titel"])
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
