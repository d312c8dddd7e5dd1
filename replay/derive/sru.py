# ruff: noqa: E501  (the SRU record template keeps the recorded records' long XML lines)
"""DERIVED SRU records of the topic motions (the template keeps the recorded records' XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape

from replay.derive import DP, REPLAY_NOW, REPLAY_NOW_LOCAL, TM, load
from replay.derive.zaken import (
    COPY_NAME_2901,
    COPY_NAME_2949,
    COPY_NAME_3067,
    ZAKEN,
    xml_submitters,
)

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
