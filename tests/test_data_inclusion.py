"""Import of the data·inclusion open file of structures (tests/data/data_inclusion/)."""

from __future__ import annotations

import ast
import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import diagnostics as dg
from diagnostics._readers.data_inclusion import (
    DATA_INCLUSION_TYPOLOGIE_V0,
    data_inclusion_types,
    normalized_name,
)
from diagnostics.coverage import commune_coverage
from diagnostics.partners import PARTNER_COLUMNS, PARTNER_TYPES
from geo import referentials, settings, territories
from geo._errors import SchemaError
from geo.problems import problems_of

DATA = Path(__file__).parent / "data" / "data_inclusion"
V1 = DATA / "structures-inclusion.csv"
V0 = DATA / "structures-v0.csv"


@pytest.fixture(scope="module")
def partners() -> pd.DataFrame:
    return dg.partners_from_data_inclusion(V1)


def categories(table: pd.DataFrame) -> dict[str, int]:
    return dict(Counter(p.category for p in problems_of(table)))


def test_v1_file_gives_one_row_per_structure_and_reports_everything(partners):
    assert len(partners) == 253
    assert tuple(partners.columns) == PARTNER_COLUMNS
    assert categories(partners) == {
        "nom_manquant": 2,
        "commune_invalide": 3,
        "commune_manquante": 8,
        "coordonnees_inversees": 3,
        "coordonnees_invalides": 2,
        "contacts_effaces": 1,
        "reseau_non_rattache": 2,
        "reseau_absent": 1,
        "identifiant_manquant": 1,
        "siret_invalide": 3,
        "siret_manquant": 1,
        "doublon_fusionne": 37,
    }
    assert partners.attrs["schema"] == "v1"
    report = problems_of(partners)
    assert {p.line for p in report if p.category == "nom_manquant"} == {102, 103}
    bad_codes = {p.value for p in report if p.category == "commune_invalide"}
    assert bad_codes == {"9A0", "1234567", "CODE?"}
    assert partners["commune"].isna().sum() == 11


def test_counts_of_missing_sirets_and_blanked_contacts(partners):
    messages = {p.category: p.message for p in problems_of(partners) if p.line is None}
    assert messages["siret_manquant"].startswith("139 structure(s) sans SIRET")
    assert messages["contacts_effaces"].startswith("122 structure(s) sans courriel ni téléphone")
    assert messages["reseau_absent"].startswith("28 structure(s) sans reseaux_porteurs")
    contacts = partners.attrs["contacts"]
    assert list(contacts.columns) == ["partenaire_id", "courriel", "telephone", "site_web"]
    assert len(contacts) == 253


def test_unmapped_networks_are_reported_once_each_with_their_count(partners):
    unmapped = [p for p in problems_of(partners) if p.category == "reseau_non_rattache"]
    assert [(p.value, p.message.split(" ")[0]) for p in unmapped] == [
        ("reseau-inconnu", "3"),
        ("ml", "1"),
    ]
    assert "data/partenaires/data_inclusion_types.csv" in unmapped[0].message
    assert partners.set_index("partenaire_id").loc["dora--1050", "type"] == "autre"


def test_types_come_from_the_mapping_table(partners):
    by_id = partners.set_index("partenaire_id")
    assert by_id.loc["dora--1000", "type"] == "mission_locale"
    assert by_id.loc["dora--1000", "reseau"] == "mission-locale|departements"
    assert by_id.loc["mes-aides--1003", "type"] == "siae_aci"
    # France Travail is deliberately « autre » (table comment): not a partner type
    assert by_id.loc["dora--1020", ["reseau", "type"]].tolist() == ["france-travail", "autre"]
    # a second network decides when the first one maps to « autre »
    assert by_id.loc["dora--1000", "type"] == "mission_locale"
    assert partners["type"].value_counts().to_dict() == {
        "autre": 62,
        "association_solidarite": 31,
        "ccas": 18,
        "commune": 18,
        "reseau_creation_entreprise": 18,
        "siae_ei": 18,
        "mission_locale": 17,
        "e2c": 15,
        "cap_emploi": 14,
        "plie": 14,
        "siae_aci": 14,
        "spip": 14,
    }


def test_duplicates_merged_by_siret_name_and_identifier(partners):
    merges = partners.attrs["fusions"]
    assert merges["critere"].value_counts().to_dict() == {
        "siret": 20,
        "nom_commune": 15,
        "identifiant": 2,
    }
    kept = partners.set_index("partenaire_id").loc["dora--1200"]
    assert kept["source"] == "data·inclusion (dora, emplois-de-linclusion)"
    assert kept["siret"] == "99900000002009"
    row = merges[merges["fiche_fusionnee"] == "emplois-de-linclusion--s200"].iloc[0]
    assert (row["partenaire_id"], row["critere"]) == ("dora--1200", "siret")
    ccas = merges[merges["fiche_fusionnee"] == "mes-aides--c151"].iloc[0]
    assert (ccas["partenaire_id"], ccas["ligne"]) == ("emplois-de-linclusion--1151", 272)
    # a head office's SIRET shared by an antenna in another commune: both kept
    assert {"dora--1240", "dora--a240"} <= set(partners["partenaire_id"])
    merged = {p.value: p for p in problems_of(partners) if p.category == "doublon_fusionne"}
    assert {p.action for p in merged.values()} == {"corrigée"}
    copy = merged["emplois-de-linclusion--s200"]
    assert (copy.line, copy.column) == (252, "siret")
    assert copy.message.startswith(
        "doublon de la ligne 202 (dora--1200) : même SIRET dans la même commune ; fusionnée avec "
        "elle (sources réunies : dora|emplois-de-linclusion)."
    )


def test_swapped_coordinates_put_back_and_outside_france_dropped(partners):
    by_id = partners.set_index("partenaire_id")
    assert (by_id.loc["dora--1090", "latitude"], by_id.loc["dora--1090", "longitude"]) == (
        46.7,
        -9.5,
    )
    assert by_id.loc["emplois-de-linclusion--1091", "latitude"] == pytest.approx(46.73)
    assert pd.isna(by_id.loc["mes-aides--1093", "latitude"])


@pytest.mark.parametrize("kind", ["parquet", "json", "xlsx"])
def test_every_published_format_gives_the_same_directory(partners, tmp_path, kind):
    raw = pd.read_csv(V1, dtype=str, keep_default_na=False).replace("", None)
    raw["reseaux_porteurs"] = raw["reseaux_porteurs"].map(ast.literal_eval)
    for column in ("latitude", "longitude"):
        raw[column] = pd.to_numeric(raw[column])
    path = tmp_path / f"structures.{kind}"
    if kind == "parquet":
        raw.to_parquet(path, index=False)
    elif kind == "json":
        raw.to_json(path, orient="records", force_ascii=False)
    else:
        raw.to_excel(path)  # as published: with the index column
    other = dg.partners_from_data_inclusion(path)
    # the identifier given to the row without one is its line (CSV) or its rank (Parquet, JSON)
    assert other["partenaire_id"].str.startswith("L").sum() == 1
    same = ~partners["partenaire_id"].str.startswith("L")
    pd.testing.assert_frame_equal(other[same], partners[same])
    assert categories(other) == categories(partners)


def test_v0_file_maps_old_codes_with_the_official_correspondence():
    partners = dg.partners_from_data_inclusion(V0)
    assert partners.attrs["schema"] == "v0"
    assert partners[["partenaire_id", "type", "reseau"]].astype(object).where(
        partners[["partenaire_id", "type", "reseau"]].notna(), None
    ).values.tolist() == [
        ["dora--1", "mission_locale", "mission-locale"],
        ["dora--2", "ccas", "ccas-cias"],
        ["dora--4", "epci", "communes"],
        ["dora--5", "organisme_formation", None],
        ["soliguide--6", "siae_ai", None],
        ["dora--7", "association_solidarite", None],
        ["dora--8", "autre", None],
        ["dora--9", "autre", None],
    ]
    assert partners.attrs["fusions"][
        ["partenaire_id", "fiche_fusionnee", "critere"]
    ].values.tolist() == [
        ["dora--1", "soliguide--10", "siret"],
        ["dora--2", "mes-aides--3", "nom_commune"],
    ]
    unmapped = [p for p in problems_of(partners) if p.category == "reseau_non_rattache"]
    assert [(p.column, p.value) for p in unmapped] == [("typologie", "XYZ")]


def test_every_official_old_code_and_network_has_a_type():
    table = data_inclusion_types()
    networks = set(table.loc[table["referentiel"] == "reseaux_porteurs", "code"])
    codes = set(table.loc[table["referentiel"] == "typologie", "code"])
    with open(settings.bundled_data_dir() / DATA_INCLUSION_TYPOLOGIE_V0, encoding="utf-8") as f:
        official = list(csv.DictReader(f))
    assert len(official) == 93 and len(networks) == 108
    orphans = [
        r["typologie"]
        for r in official
        if r["typologie"] not in codes and r["reseau_porteur"] not in networks
    ]
    assert orphans == []
    assert set(table["type"]) <= set(PARTNER_TYPES["type"])


def test_departement_filter_sets_aside_rows_without_any_code():
    partners = dg.partners_from_data_inclusion(V1, departements=["9A"])
    assert len(partners) == 242
    assert set(partners["commune"].str[:2]) == {"9A"}
    assert categories(partners)["departement_inconnu"] == 11
    with pytest.raises(SchemaError, match="aucune structure utilisable dans le"):
        dg.partners_from_data_inclusion(V1, departements=["9B"])


def test_strict_refuses_the_rows_set_aside():
    with pytest.raises(SchemaError, match="2 ligne\\(s\\) à écarter en mode strict"):
        dg.partners_from_data_inclusion(V1, strict=True)


def test_normalized_name_rule():
    names = pd.Series(
        [
            "CCAS de Nantes",
            "Centre communal d'action sociale - NANTES",
            "Mission Locale du Pays",
            "",
        ]
    )
    assert normalized_name(names).astype(object).where(lambda s: s.notna(), None).tolist() == [
        "ccas nantes",
        "ccas nantes",
        "ml pays",
        None,
    ]


def test_directory_feeds_the_coverage_diagnostics(partners):
    folder = settings.demo_dir()
    table = territories.commune_table(
        referentials.read_communes_population(folder / "communes_population.json"),
        bassin=referentials.read_commune_bassin(folder / "commune_bassin_bmo.csv"),
    )
    ressort = dg.partner_ressort(partners, table)
    assert len(ressort) == 242  # each structure with a commune serves its own commune
    coverage = commune_coverage(partners, ressort, table, types=["mission_locale", "ccas"])
    served = coverage[coverage["nb_structures"] > 0].groupby("type")["commune"].nunique()
    assert served.to_dict() == {"ccas": 18, "mission_locale": 17}


def test_registry_entry_downloads_the_national_file():
    from geo import sources

    source = sources.get_source("data_inclusion_structures")
    assert sources.source_url("data_inclusion_structures") == (
        "https://www.data.gouv.fr/api/1/datasets/r/915c05e8-77ea-44f6-9837-0f1eff897a54"
    )
    assert (source.file, source.format, source.parameters) == (
        "structures-inclusion.parquet",
        "parquet",
        (),
    )


def test_cli_importer_writes_a_directory_that_reads_back(partners, tmp_path, capsys):
    from diagnostics.cli import main

    output = tmp_path / "annuaire.csv"
    code = main(["partenaires", "importer", "--fichier", str(V1), "--sortie", str(output)])
    assert code == 1  # problems reported, directory written
    out = capsys.readouterr().out
    assert out.startswith("253 structure(s) écrite(s) dans")
    assert "37 doublon(s) fusionné(s)" in out
    again = dg.read_partners(output)
    assert len(again) == 253
    for column in ("partenaire_id", "nom", "type", "siret", "commune", "reseau", "source"):
        assert again[column].tolist() == partners[column].tolist(), column
    assert again["latitude"].tolist() == pytest.approx(partners["latitude"].tolist(), nan_ok=True)
    assert again["date_verification"].tolist() == partners["date_verification"].tolist()


def test_cli_importer_json_and_departement(tmp_path, capsys):
    import json

    from diagnostics.cli import main

    output = tmp_path / "annuaire.xlsx"
    argv = ["partenaires", "importer", "--fichier", str(V0), "--sortie", str(output), "--json"]
    assert main([*argv, "--departement", "9A"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert (payload["schema"], payload["structures"], payload["fusions"]) == ("v0", 8, 2)
    assert payload["types"]["autre"] == 2
    assert {p["category"] for p in payload["problemes"]} == {
        "doublon_fusionne",
        "reseau_non_rattache",
        "reseau_absent",
        "siret_manquant",
    }
    assert len(dg.read_partners(output)) == 8


def test_departement_of_a_structure_without_commune_code_comes_from_its_postal_code(tmp_path):
    path = tmp_path / "structures.csv"
    pd.DataFrame(
        {
            "source": "dora",
            "id": ["dora--1", "dora--2", "dora--3", "dora--4"],
            "nom": ["ML Nantes", "CCAS Rezé", "CCAS Ajaccio", "PLIE Angers"],
            "code_insee": ["44109", "", "", "49007"],
            "code_postal": ["44000", "44400", "20000", "49000"],
            "reseaux_porteurs": [
                "['mission-locale']",
                "['ccas-cias']",
                "['ccas-cias']",
                "['plie']",
            ],
        }
    ).to_csv(path, index=False)
    assert dg.partners_from_data_inclusion(path, departements=["44"])["nom"].tolist() == [
        "ML Nantes",
        "CCAS Rezé",
    ]
    corsica = dg.partners_from_data_inclusion(path, departements=["2A"])
    assert corsica["nom"].tolist() == ["CCAS Ajaccio"]
