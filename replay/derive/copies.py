"""The real payloads ``replay/data/`` holds byte for byte, by their file name there."""

from __future__ import annotations

from pathlib import Path

from replay.derive import DP, LETTERS, TK, TM, UPSTREAM

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
