"""Tests of diagnostics.partners: typology, reader of messy partner files, ressorts,
freshness, the ``territoire partenaires`` command, the templates and the demo file.

Messy input files are written by the tests themselves; the expected values are
derived by hand in the comments. Tests marked ``real_data`` read ``../shared/data``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from shapely import box

from diagnostics import cli
from diagnostics import partners as dp
from diagnostics._readers.partners import (
    match_headers,
    parse_bool,
    parse_date,
    parse_point,
    siret_ok,
    split_values,
)
from geo import referentials, settings, territories
from geo._errors import InputFileError, SchemaError
from geo.problems import problems_of

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "demo" / "demo_partners.py"


@pytest.fixture(scope="module")
def demo_script():
    """``scripts/demo/demo_partners.py`` imported as a module."""
    spec = importlib.util.spec_from_file_location("demo_partners", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_partners"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["demo_partners"]


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """``territoire`` with the ``partenaires`` group registered; returns (code, out, err)."""
    modules = cli._COMMAND_MODULES
    if "diagnostics.cli.partenaires" not in modules:
        monkeypatch.setattr(cli, "_COMMAND_MODULES", (*modules, "diagnostics.cli.partenaires"))

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


# ---------------------------------------------------------------- tiny territory

# Four square communes of 0.1° on the demonstration island; 9A001/9A002 in bassin
# 9901, 9A003/9A004 in bassin 9902. The territory's extent with the 0.05° margin is
# longitude -9.05 to -8.75, latitude 45.95 to 46.25.
SQUARES = {
    "9A001": (-9.0, 46.0),
    "9A002": (-8.9, 46.0),
    "9A003": (-9.0, 46.1),
    "9A004": (-8.9, 46.1),
}


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "commune": list(SQUARES),
            "commune_nom": ["Nordville", "Estville", "Ouestville", "Sudville"],
            "departement": ["9A"] * 4,
            "region": ["99"] * 4,
            "bassin": ["9901", "9901", "9902", "9902"],
        },
        geometry=[box(x, y, x + 0.1, y + 0.1) for x, y in SQUARES.values()],
        crs="EPSG:4326",
    )


def _write(path: Path, lines: list[str], *, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# ---------------------------------------------------------------- typology


def test_typology_shape_and_codes():
    types = dp.PARTNER_TYPES
    assert types.columns.tolist() == [
        "type",
        "libelle",
        "famille",
        "domaines_defaut",
        "priorite_nationale",
    ]
    assert types["type"].is_unique and types["libelle"].is_unique
    assert set(types["famille"]) <= set(dp.PARTNER_FAMILIES)
    assert all(set(d) <= set(dp.DOMAINS) for d in types["domaines_defaut"])
    assert types["priorite_nationale"].dtype == bool
    # every type named in the issue and the shared contract
    named = {
        "mission_locale", "paio", "cap_emploi", "plie", "maison_emploi", "siae_aci",
        "siae_ai", "siae_ei", "siae_etti", "geiq", "afpa", "organisme_formation",
        "conseil_regional", "conseil_departemental", "commune", "epci", "ccas", "caf",
        "opco", "cci", "cma", "chambre_agriculture", "branche_professionnelle", "cio",
        "lycee", "universite_baip", "e2c", "epide", "spip", "pjj",
        "reseau_creation_entreprise", "apec", "cite_des_metiers", "association_solidarite",
        "autre",
    }  # fmt: skip
    assert named <= set(types["type"])
    assert len(types) == 53
    assert list(dp.DOMAINS) == [
        "intermediation",
        "indemnisation",
        "orientation",
        "formation",
        "insertion",
        "developpement_economique",
    ]


def test_national_priorities_follow_the_report():
    # §2.11: CR, CG, communes and EPCI, OPCA, Éducation nationale (L1032); PLIE and IAE
    # framework agreements (L682-L683); CCAS, solidarity associations, thematic networks,
    # OFII, prison administration (L676-L686); cotraitance (ML, PAIO, Cap emploi, APEC);
    # AFPA national convention.
    prioritised = set(dp.PARTNER_TYPES.loc[dp.PARTNER_TYPES["priorite_nationale"], "type"])
    assert prioritised == {
        "mission_locale", "paio", "cap_emploi", "apec", "plie", "siae", "siae_aci",
        "siae_ai", "siae_ei", "siae_etti", "siae_eiti", "afpa", "opco", "cio", "lycee",
        "conseil_regional", "conseil_departemental", "commune", "epci", "ccas",
        "association_solidarite", "reseau_thematique", "spip", "ofii",
    }  # fmt: skip


def test_default_domains_of_key_types():
    defaults = dp.PARTNER_TYPES.set_index("type")["domaines_defaut"]
    # stored in the order of DOMAINS
    assert defaults["mission_locale"] == ("intermediation", "orientation", "insertion")
    assert defaults["caf"] == ("indemnisation",)
    assert defaults["autre"] == ()


def test_every_alias_leads_to_its_type():
    from diagnostics._readers import partner_typology as typo
    from diagnostics._readers import partners as reader
    from geo.tables import normalize_header

    for code, aliases in typo.TYPE_ALIASES.items():
        for alias in aliases:
            assert reader._TYPE_LOOKUP[normalize_header(alias)] == code, alias
    for label in dp.PARTNER_TYPES["libelle"]:
        assert normalize_header(label) in reader._TYPE_LOOKUP


# ---------------------------------------------------------------- cell parsers


def test_cell_parsers():
    assert split_values("a; b,c | d\ne") == ["a", "b", "c", "d", "e"]
    assert split_values(None) == [] and split_values(pd.NA) == []
    assert [parse_bool(v) for v in ["oui", "Non", "X", "1", "0", "vrai", None, "peut-être"]] == [
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        None,
    ]
    assert parse_date("15/03/2024") == pd.Timestamp("2024-03-15")
    assert parse_date("5.3.24") == pd.Timestamp("2024-03-05")
    assert parse_date("2024-03-15T10:00:00") == pd.Timestamp("2024-03-15")
    assert parse_date("2024-03") == pd.Timestamp("2024-03-01")
    assert parse_date("31/02/2024") is None and parse_date("mars 2024") is None
    assert parse_point("47.218, -1.554") == (47.218, -1.554)
    assert parse_point("47,218; -1,554") == (47.218, -1.554)
    assert parse_point("47,218") is None


def test_siret_keys():
    assert siret_ok("732 829 320 00074")  # Luhn
    assert not siret_ok("73282932000075")  # wrong key
    assert not siret_ok("7328293200007")  # 13 digits
    # La Poste: sum of the digits a multiple of 5, not a Luhn key
    assert siret_ok("35600000000001") and not siret_ok("35600000000002")


def test_template_headers_are_all_recognised(demo_script):
    from diagnostics._readers.partners import HEADER_ALIASES

    found = match_headers(demo_script.TEMPLATE_HEADERS)
    assert sorted(found) == sorted(
        set(HEADER_ALIASES) - {"coordonnees", "ressort_communes", "ressort_territoire"}
    )
    assert list(found.values()) == list(range(len(demo_script.TEMPLATE_HEADERS)))


# ---------------------------------------------------------------- messy CSV

MESSY_HEADER = (
    "ID;Nom structure;Type de structure;N° SIRET;Code INSEE;Lat;Long;"
    "Territoire d'intervention;Domaine d'intervention;Public cible;Acteur opérant;Majeure;"
    "Tête de réseau;Dernière vérification;Origine;Commentaire"
)
MESSY_ROWS = [
    # line 2: a clean row
    "P1;Mission locale du Nord;Mission locale;;9A001;46,05;-8,95;9A001|9A002;"
    "Insertion, Orientation;Jeunes;oui;x;UNML;15/03/2024;Enquête DT;RAS",
    # line 3: exact duplicate of line 2
    "P1;Mission locale du Nord;Mission locale;;9A001;46,05;-8,95;9A001|9A002;"
    "Insertion, Orientation;Jeunes;oui;x;UNML;15/03/2024;Enquête DT;RAS",
    # line 4: same identifier and values, only the extra column differs
    "P1;Mission locale du Nord;Mission locale;;9A001;46,05;-8,95;9A001|9A002;"
    "Insertion, Orientation;Jeunes;oui;x;UNML;15/03/2024;Enquête DT;autre commentaire",
    # line 5: same identifier, another structure -> P1#2
    "P1;Cap emploi 9A;Cap Emploi;;9A002;46,05;-8,85;departement:9A;;"
    "Travailleurs handicapés;oui;non;Cheops;2024-01-10;;",
    # line 6: no identifier, SIRET with spaces, latitude/longitude swapped
    ";CCAS de Ouestville;CCAS;732 829 320 00074;9A003;-8,95;46,15;commune:9A003;INS;RSA;1;0;"
    "UNCCAS;01/02/2023;;",
    # line 7: no name
    "P4;;Mission locale;;9A001;;;;;;;;;;;",
    # line 8: unknown type, bad SIRET key, unknown commune, two territories, unknown
    # domain and public, unreadable boolean and date
    "P5;Fablab des Îles;Fablab;12345678901234;9A999;;;bassin:9901|bassin:9902;Numérique;"
    "Jeunes|Makers;peut-être;non;;31/02/2024;;",
    # line 9: short SIRET, commune given by name, point in Paris (France, outside the
    # territory, far from Sudville), unknown bassin, commune outside the table, junk
    "P6;ACI Jardins;SIAE - ACI;1234;Sudville;48,85;2,35;bassin:9999|9A005|n'importe;"
    "Insertion;;oui;oui;;2025-06-01;;",
    # line 10: coordinates nowhere (not even swapped)
    "P7;Conseil général 9A;Conseil général;;;12,5;190;departement:9A;"
    "Insertion|Indemnisation;;oui;oui;;;;",
    # line 11: unreadable longitude
    "P8;Lycée pro;Lycée professionnel;;9A004;46.15;abc;;;;non;non;;2022-12-01;;",
    # line 12: no commune, the point is in 9A004
    "P9;AI du Sud;Association intermédiaire;;;46,12;-8,85;;Intermédiation;;oui;non;COORACE;"
    "10/10/2025;;",
]


@pytest.fixture
def messy(tmp_path) -> Path:
    return _write(tmp_path / "annuaire.csv", [MESSY_HEADER, *MESSY_ROWS], encoding="latin-1")


def test_messy_file_problems(messy, communes):
    partners, report = dp.read_partners_report(messy, communes=communes)
    problems = [(p.line, p.category) for p in report.problemes]
    assert problems == [
        (3, "doublon_ligne"),
        (4, "identifiant_duplique"),
        (5, "identifiant_duplique"),
        (6, "identifiant_manquant"),
        (6, "coordonnees_inversees"),
        (7, "nom_manquant"),
        (8, "type_inconnu"),
        (8, "siret_invalide"),
        (8, "commune_inconnue"),
        (8, "ressort_plusieurs_territoires"),
        (8, "domaine_inconnu"),
        (8, "public_inconnu"),
        (8, "booleen_invalide"),
        (8, "date_invalide"),
        (9, "siret_invalide"),
        (9, "commune_par_nom"),
        (9, "coordonnees_hors_territoire"),
        (9, "coordonnees_loin_commune"),
        (9, "ressort_invalide"),
        (9, "ressort_commune_inconnue"),
        (9, "ressort_territoire_inconnu"),
        (10, "coordonnees_hors_zone"),
        (11, "coordonnees_invalides"),
    ]
    assert not report.clean
    assert report.lignes_lues == 11 and report.structures == 8
    assert report.format == "CSV (séparateur « ; », cp1252)"
    assert report.colonnes_supplementaires == ["Commentaire"]
    assert report.colonnes["nom"] == "Nom structure"
    assert report.colonnes["date_verification"] == "Dernière vérification"
    assert report.supplementaires["Commentaire"].tolist()[:2] == ["RAS", pd.NA]
    assert report.counts()["siret_invalide"] == 2
    assert report.remarques == [
        "1 colonne(s) non reconnue(s), gardée(s) à part (PartnerReport.supplementaires) : "
        "'Commentaire'.",
        "1 commune(s) d'implantation déduite(s) des coordonnées : ligne 12 → 9A004.",
        "3 structure(s) sans domaine renseigné : domaines par défaut de leur type appliqués "
        "(PARTNER_TYPES.domaines_defaut).",
    ]
    # messages name the line, the column as written, the value and the fix
    by_category = {p.category: str(p) for p in report.problemes}
    assert by_category["doublon_ligne"] == (
        "annuaire.csv, ligne 3 : doublon exact de la ligne 2 : ligne ignorée. (ligne écartée)"
    )
    assert by_category["coordonnees_inversees"].startswith(
        "annuaire.csv, ligne 6, colonne « Lat » : latitude et longitude inversées (-8.95, 46.15) : "
        "corrigées en latitude 46.15, longitude -8.95"
    )
    assert by_category["type_inconnu"].startswith(
        "annuaire.csv, ligne 8, colonne « Type de structure » : type « Fablab » inconnu : "
        "structure gardée "
        "avec le type « autre » et ce libellé."
    )
    sirets = [str(p) for p in report.problemes if p.category == "siret_invalide"]
    assert sirets == [
        "annuaire.csv, ligne 8, colonne « N° SIRET » : SIRET « 12345678901234 » invalide (clé "
        "de contrôle fausse (algorithme de Luhn)) : ignoré. Vérifiez-le sur "
        "annuaire-entreprises.data.gouv.fr. (ligne corrigée)",
        "annuaire.csv, ligne 9, colonne « N° SIRET » : SIRET « 1234 » invalide (4 caractère(s) "
        "au lieu de 14 chiffres) : ignoré. Vérifiez-le sur annuaire-entreprises.data.gouv.fr. "
        "(ligne corrigée)",
    ]
    assert "ressort_commune_inconnue" in report.to_frame()["categorie"].tolist()
    assert problems_of(partners) == report.problemes
    assert problems_of(partners).lines() == report.lines()
    assert partners.attrs["source"] == "annuaire.csv"


def test_messy_file_values(messy, communes):
    partners = dp.read_partners(messy, communes=communes)
    dp.PARTNER_SCHEMA.validate(partners)
    assert partners.columns.tolist() == list(dp.PARTNER_COLUMNS)
    assert partners["partenaire_id"].tolist() == ["P1", "P1#2", "L6", "P5", "P6", "P7", "P8", "P9"]
    assert partners["type"].tolist() == [
        "mission_locale",
        "cap_emploi",
        "ccas",
        "autre",
        "siae_aci",
        "conseil_departemental",
        "lycee",
        "siae_ai",
    ]
    assert partners.loc[3, "type_libelle"] == "Fablab"
    assert partners["siret"].tolist() == [pd.NA, pd.NA, "73282932000074", *[pd.NA] * 5]
    assert partners["commune"].tolist() == [
        "9A001",
        "9A002",
        "9A003",
        pd.NA,
        "9A004",
        pd.NA,
        "9A004",
        "9A004",
    ]
    lat = partners["latitude"].tolist()
    lon = partners["longitude"].tolist()
    assert lat[:3] == [46.05, 46.05, 46.15] and lon[:3] == [-8.95, -8.85, -8.95]
    assert (lat[4], lon[4]) == (48.85, 2.35)  # kept: in France
    assert np.isnan(lat[5]) and np.isnan(lon[5]) and np.isnan(lat[6])
    assert partners["ressort_communes"].tolist() == [
        ("9A001", "9A002"),
        (),
        (),
        (),
        (),
        (),
        (),
        (),
    ]
    assert partners["ressort_territoire"].tolist() == [
        pd.NA,
        "departement:9A",
        "commune:9A003",
        "bassin:9901",
        pd.NA,
        "departement:9A",
        pd.NA,
        pd.NA,
    ]
    assert partners["domaines"].tolist() == [
        ("orientation", "insertion"),
        ("intermediation", "insertion"),  # Cap emploi's defaults, in the order of DOMAINS
        ("insertion",),
        (),
        ("insertion",),
        ("indemnisation", "insertion"),
        ("orientation", "formation"),  # lycée's defaults
        ("intermediation",),
    ]
    assert partners["publics"].tolist() == [
        ("jeunes",),
        ("personnes_handicapees",),
        ("beneficiaires_rsa",),
        ("jeunes", "makers"),
        (),
        (),
        (),
        (),
    ]
    assert partners["operant"].tolist() == [True, True, True, False, True, True, False, True]
    assert partners["majeur"].tolist() == [True, False, False, False, True, True, False, False]
    assert partners["date_verification"].tolist() == [
        pd.Timestamp("2024-03-15"),
        pd.Timestamp("2024-01-10"),
        pd.Timestamp("2023-02-01"),
        pd.NaT,
        pd.Timestamp("2025-06-01"),
        pd.NaT,
        pd.Timestamp("2022-12-01"),
        pd.Timestamp("2025-10-10"),
    ]
    assert partners["reseau"].tolist()[:3] == ["UNML", "Cheops", "UNCCAS"]
    assert partners["source"].tolist()[0] == "Enquête DT"


def test_without_commune_table_only_france_is_checked(messy):
    partners, report = dp.read_partners_report(messy)
    counts = report.counts()
    # no commune table: 9A999 and Sudville cannot be checked; Paris is in France; the
    # demonstration island is a known area, so line 6 is still seen as swapped
    assert "commune_inconnue" not in counts and "coordonnees_hors_territoire" not in counts
    assert counts["commune_invalide"] == 1  # "Sudville" is not a code
    assert counts["coordonnees_inversees"] == 1
    assert partners.loc[3, "commune"] == "9A999"
    assert partners.loc[7, "commune"] is pd.NA  # not found from the point without polygons


def test_plain_dataframe_with_geometry_column(messy, communes):
    with_geometry = pd.DataFrame(communes)  # not a GeoDataFrame: no CRS, WGS84 assumed
    _, report = dp.read_partners_report(messy, communes=with_geometry)
    _, expected = dp.read_partners_report(messy, communes=communes)
    assert report.lines() == expected.lines()


def test_report_outputs(messy):
    _, report = dp.read_partners_report(messy)
    summary = report.summary(limit=2)
    assert summary.splitlines()[0] == (
        "Annuaire des partenaires annuaire.csv : 8 structure(s) retenue(s) sur 11 ligne(s) lue(s)."
    )
    assert "... et " in summary and "Remarque : " in summary
    assert json.loads(report.to_json())["problemes_par_categorie"] == report.counts()
    frame = report.to_frame()
    assert frame.columns.tolist() == [
        "fichier",
        "ligne",
        "colonne",
        "categorie",
        "valeur",
        "action",
        "message",
    ]
    assert frame.loc[0, "ligne"] == 3 and str(report) == report.summary()


def test_bounds_without_polygons(messy, communes):
    table = pd.DataFrame(communes.drop(columns="geometry"))
    _, report = dp.read_partners_report(messy, communes=table, bounds=(-9.05, 45.95, -8.75, 46.25))
    counts = report.counts()
    assert counts["coordonnees_hors_territoire"] == 1
    assert "coordonnees_loin_commune" not in counts  # needs polygons


def test_missing_mandatory_column(tmp_path):
    path = _write(tmp_path / "sans_type.csv", ["Identifiant;Nom;Code commune", "P1;ML;9A001"])
    with pytest.raises(
        SchemaError, match=r"colonne\(s\) obligatoire\(s\) absente\(s\) : 'Type'"
    ) as e:
        dp.read_partners(path)
    assert "Colonnes trouvées : 'Identifiant', 'Nom', 'Code commune'" in str(e.value)
    assert e.value.problems == ["colonne absente : Type"]


def test_missing_site_columns(tmp_path):
    path = _write(tmp_path / "sans_site.csv", ["Nom,Type,Latitude", "ML,mission_locale,47.2"])
    with pytest.raises(SchemaError, match="'Code commune', ou 'Latitude' et 'Longitude'"):
        dp.read_partners(path)


def test_unusable_files(tmp_path):
    with pytest.raises(InputFileError, match="introuvable"):
        dp.read_partners(tmp_path / "absent.csv")
    header_only = _write(tmp_path / "vide.csv", ["Nom;Type;Code commune"])
    with pytest.raises(SchemaError, match="aucune structure dans le fichier"):
        dp.read_partners(header_only)
    nameless = _write(tmp_path / "sans_nom.csv", ["Nom;Type;Code commune", ";ccas;9A001"])
    with pytest.raises(SchemaError, match="aucune structure utilisable"):
        dp.read_partners(nameless)


def test_utf8_comma_file_with_quoted_lists_and_point_column(tmp_path):
    path = _write(
        tmp_path / "virgules.csv",
        [
            "Nom de la structure,Type,Coordonnées,Ressort (communes),Ressort (territoire),Domaines",
            'PLIE Est,PLIE,"46.05, -8.85","9A001,9A002",bassin:9901,"DEV;Formation"',
            'Mairie,Mairie,"46,15; -8,95",,commune:9A003,',
        ],
    )
    partners, report = dp.read_partners_report(path)
    assert report.clean
    assert report.remarques[0].startswith("pas de colonne 'Identifiant'")
    assert partners["partenaire_id"].tolist() == ["P0001", "P0002"]
    assert partners["type"].tolist() == ["plie", "commune"]
    assert partners["latitude"].tolist() == [46.05, 46.15]
    assert partners["ressort_communes"].tolist() == [("9A001", "9A002"), ()]
    assert partners["ressort_territoire"].tolist() == ["bassin:9901", "commune:9A003"]
    assert partners["domaines"].tolist() == [
        ("formation", "developpement_economique"),
        ("intermediation", "insertion", "developpement_economique"),  # the commune's defaults
    ]
    assert partners["operant"].tolist() == [False, False]
    assert "pas de colonne 'Opérant'" in " ".join(report.remarques)


def test_xlsx_with_title_rows_and_typed_cells(tmp_path, communes):
    path = tmp_path / "annuaire.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    notes = workbook.add_worksheet("Notes")
    notes.write(0, 0, "Annuaire tenu par la DT")
    sheet = workbook.add_worksheet("Partenaires")
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write(0, 0, "Annuaire des partenaires 2026")
    header = ["Identifiant", "Nom de la structure", "Type", "SIRET", "Code commune", "Latitude",
              "Longitude", "Ressort", "Opérant", "Majeur", "Date de vérification"]  # fmt: skip
    sheet.write_row(2, 0, header)
    sheet.write_row(3, 0, ["A1", "CIO Nord", "CIO", 73282932000074, "9A001", 46.05, -8.95,
                           "bassin:9901", True, False])  # fmt: skip
    sheet.write_datetime(3, 10, dt.datetime(2025, 3, 15), date)
    sheet.write_row(4, 0, ["A2", "Tiers-lieu", "Tiers-lieu numérique", None, "9A002", 46.05,
                           -8.85, "", "oui", "non", "2024-12-01"])  # fmt: skip
    workbook.close()
    partners, report = dp.read_partners_report(path, communes=communes)
    assert report.feuille == "Partenaires"
    assert report.remarques[0] == "feuille lue : « Partenaires » (en-tête ligne 3)"
    assert [(p.line, p.category, p.value) for p in report.problemes] == [
        (5, "type_inconnu", "Tiers-lieu numérique")
    ]
    assert partners["siret"].tolist() == ["73282932000074", pd.NA]
    assert partners["operant"].tolist() == [True, True]
    assert partners["majeur"].tolist() == [False, False]
    assert partners["date_verification"].tolist() == [
        pd.Timestamp("2025-03-15"),
        pd.Timestamp("2024-12-01"),
    ]


def test_template_files(demo_script, tmp_path):
    template = ROOT / "data" / "partenaires" / "modele_annuaire_partenaires.csv"
    assert template.read_bytes() == (
        "\ufeff" + ";".join(demo_script.TEMPLATE_HEADERS) + "\n"
    ).encode("utf-8")
    with pytest.raises(SchemaError, match="aucune structure dans le fichier"):
        dp.read_partners(template)
    # the workbook's "Annuaire" sheet is the one read (not the reference lists)
    with pytest.raises(SchemaError, match="aucune structure dans le fichier"):
        dp.read_partners(template.with_suffix(".xlsx"))
    written = demo_script.write_partner_templates(tmp_path)
    for path in written:
        committed = ROOT / "data" / "partenaires" / path.name
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed} n'est pas à jour : lancez python scripts/demo/demo_partners.py"
        )


# ---------------------------------------------------------------- records, ressort, stale


def test_partners_from_records_defaults_and_errors():
    df = dp.partners_from_records(
        [{"partenaire_id": "X", "nom": "X", "type": "cci", "commune": "1001", "latitude": 46}]
    )
    assert df.loc[0, "commune"] == "01001"
    assert df.loc[0, "domaines"] == ("intermediation", "formation", "developpement_economique")
    assert not df.loc[0, "operant"]
    assert df["date_verification"].dtype == "datetime64[ns]"
    with pytest.raises(SchemaError, match="type"):
        dp.partners_from_records([{"partenaire_id": "X", "nom": "X", "type": "fablab"}])
    with pytest.raises(SchemaError, match="partenaire_id"):
        dp.partners_from_records(
            [
                {"partenaire_id": "X", "nom": "A", "type": "ccas"},
                {"partenaire_id": "X", "nom": "B", "type": "ccas"},
            ]
        )
    with pytest.raises(SchemaError, match="Colonnes inconnues dans les enregistrements : foo"):
        dp.partners_from_records([{"partenaire_id": "X", "nom": "A", "type": "ccas", "foo": 1}])


def test_partner_ressort():
    table = pd.DataFrame(
        {
            "commune": ["9A001", "9A002", "9A003", "9A004"],
            "bassin": ["9901", "9901", "9902", "9902"],
            "departement": ["9A"] * 4,
        }
    )
    partners = dp.partners_from_records(
        [
            # list + territory, overlapping: union
            {"partenaire_id": "ML", "nom": "ML", "type": "mission_locale",
             "ressort_communes": ["9A003", "9A001"], "ressort_territoire": "bassin:9901"},
            {"partenaire_id": "CD", "nom": "CD", "type": "conseil_departemental",
             "ressort_territoire": "departement:9A"},
            # no ressort: its site commune
            {"partenaire_id": "CCAS", "nom": "CCAS", "type": "ccas", "commune": "9A004"},
            # no ressort, no site: nothing
            {"partenaire_id": "X", "nom": "X", "type": "autre"},
            # a level the table lacks, a commune outside the table
            {"partenaire_id": "ZE", "nom": "MDE", "type": "maison_emploi",
             "ressort_territoire": "zone_emploi:9905"},
            {"partenaire_id": "OUT", "nom": "PAIO", "type": "paio",
             "ressort_communes": ["9B001", "9A002"]},
            {"partenaire_id": "COM", "nom": "Mairie", "type": "commune",
             "ressort_territoire": "commune:9A002"},
            {"partenaire_id": "NOB", "nom": "PLIE", "type": "plie",
             "ressort_territoire": "bassin:9999"},
        ]
    )  # fmt: skip
    result = dp.partner_ressort(partners, table)
    assert result.dtypes.tolist() == ["string", "string"]
    assert result.values.tolist() == [
        ["ML", "9A001"],
        ["ML", "9A002"],
        ["ML", "9A003"],
        ["CD", "9A001"],
        ["CD", "9A002"],
        ["CD", "9A003"],
        ["CD", "9A004"],
        ["CCAS", "9A004"],
        ["OUT", "9A002"],
        ["COM", "9A002"],
    ]
    assert result.attrs["commune_du_site"] == ["CCAS"]
    assert result.attrs["remarques"] == [
        "1 territoire(s) de ressort sans commune dans la table : NOB (bassin:9999).",
        "1 ressort(s) de niveau zone_emploi non développé(s) : la table des communes n'a pas "
        "de colonne 'zone_emploi' (structures ZE).",
        "1 structure(s) sans ressort : leur commune d'implantation sert de ressort (CCAS).",
        "1 structure(s) sans ressort ni commune d'implantation, absente(s) du résultat : X.",
        "1 commune(s) de ressort hors de la table des communes, non retenue(s) : 9B001.",
    ]
    with pytest.raises(SchemaError, match="Table des communes : colonne"):
        dp.partner_ressort(partners, table.rename(columns={"commune": "code"}))


def test_stale_partners_boundaries():
    partners = dp.partners_from_records(
        [
            {"partenaire_id": "exact", "nom": "A", "type": "ccas", "date_verification": "2024-06-30"},
            {"partenaire_id": "veille", "nom": "B", "type": "ccas", "date_verification": "2024-06-29"},
            {"partenaire_id": "jamais", "nom": "C", "type": "ccas"},
            {"partenaire_id": "recent", "nom": "D", "type": "ccas", "date_verification": "2026-01-01"},
        ]
    )  # fmt: skip
    stale = dp.stale_partners(partners, date="2026-06-30")
    assert stale["partenaire_id"].tolist() == ["veille", "jamais"]
    assert stale.index.tolist() == [1, 2]
    assert stale["anciennete_mois"].tolist() == [24, pd.NA]
    assert stale["motif"].tolist() == [
        "vérifiée il y a 24 mois (limite : 24 mois)",
        "jamais vérifiée (date de vérification absente)",
    ]
    assert dp.stale_partners(partners, months=3, date="2026-06-30")["partenaire_id"].tolist() == [
        "exact",
        "veille",
        "jamais",
        "recent",
    ]
    assert "anciennete_mois" not in partners.columns  # input untouched


# ---------------------------------------------------------------- command line


def test_cli_clean_demo(run_cli):
    demo = settings.demo_dir()
    code, out, _ = run_cli(
        "partenaires", "verifier", "--fichier", str(demo / "partenaires.csv"),
        "--communes-table", str(demo),
    )  # fmt: skip
    assert code == 0
    assert out.startswith(
        "Annuaire des partenaires partenaires.csv : 330 structure(s) retenue(s) sur 330 ligne(s)"
    )
    assert "Aucun problème détecté." in out


def test_cli_messy_file(run_cli, messy):
    code, out, _ = run_cli("partenaires", "verifier", "--fichier", str(messy))
    assert code == 1
    assert "ligne 8, colonne « Type de structure » : type « Fablab » inconnu" in out
    assert "Le fichier reste utilisable" in out
    code, out, _ = run_cli("partenaires", "verifier", "--fichier", str(messy), "--json")
    payload = json.loads(out)
    assert code == 1 and payload["code_sortie"] == 1 and payload["utilisable"] is True
    assert payload["structures"] == 8 and payload["problemes_par_categorie"]["doublon_ligne"] == 1
    assert payload["problemes"][0] == {
        "fichier": "annuaire.csv",
        "ligne": 3,
        "colonne": None,
        "categorie": "doublon_ligne",
        "valeur": None,
        "action": "écartée",
        "message": "doublon exact de la ligne 2 : ligne ignorée.",
    }


def test_cli_unusable_file(run_cli, tmp_path):
    path = _write(tmp_path / "sans_nom.csv", ["Identifiant;Type;Code commune", "P1;ccas;9A001"])
    code, out, err = run_cli("partenaires", "verifier", "--fichier", str(path))
    assert code == 2 and out == ""
    assert err.startswith("Erreur : sans_nom.csv : colonne(s) obligatoire(s) absente(s) : 'Nom")
    code, out, _ = run_cli("partenaires", "verifier", "--fichier", str(path), "--json")
    payload = json.loads(out)
    assert code == 2 and payload["utilisable"] is False
    assert payload["problemes"] == ["colonne absente : Nom de la structure"]
    code, _, err = run_cli(
        "partenaires", "verifier", "--fichier", str(path), "--communes-table", str(tmp_path)
    )
    assert code == 2 and "aucun référentiel de communes reconnu" in err


def test_cli_types(run_cli):
    code, out, _ = run_cli("partenaires", "types", "--json")
    records = json.loads(out)
    assert code == 0 and len(records) == len(dp.PARTNER_TYPES)
    assert records[0] == {
        "type": "mission_locale",
        "libelle": "Mission locale",
        "famille": "spe",
        "domaines_defaut": ["intermediation", "orientation", "insertion"],
        "priorite_nationale": True,
    }
    code, out, _ = run_cli("partenaires", "types")
    assert code == 0 and out.startswith("mission_locale")


def test_load_commune_table_from_demo_folder():
    from diagnostics.cli.partenaires import load_commune_table

    table = load_commune_table([settings.demo_dir()])
    assert isinstance(table, gpd.GeoDataFrame) and len(table) == 300
    assert table[["bassin", "zone_emploi", "clpe", "population"]].notna().all().all()


# ---------------------------------------------------------------- demonstration file


@pytest.fixture(scope="module")
def demo_partners() -> pd.DataFrame:
    return dp.read_partners(settings.demo_dir() / "partenaires.csv")


@pytest.fixture(scope="module")
def demo_table() -> pd.DataFrame:
    demo = settings.demo_dir()
    return territories.commune_table(
        referentials.read_communes_population(demo / "communes_population.json"),
        bassin=referentials.read_commune_bassin(demo / "commune_bassin_bmo.csv"),
        zone_emploi=referentials.read_commune_zone_emploi(demo / "commune_zone_emploi.csv"),
        clpe=referentials.read_commune_clpe(demo / "commune_clpe.csv"),
    )


def test_demo_directory_is_clean_and_complete(demo_partners, demo_table):
    demo = settings.demo_dir()
    polygons = referentials.read_commune_polygons(sorted(demo.glob("communes-*.geojson")))
    with_shapes = gpd.GeoDataFrame(
        demo_table.merge(polygons[["commune", "geometry"]], on="commune"), crs="EPSG:4326"
    )
    _, report = dp.read_partners_report(demo / "partenaires.csv", communes=with_shapes)
    assert report.clean and report.structures == 330
    assert set(demo_partners["type"]) == set(dp.PARTNER_TYPES["type"])
    ml = demo_partners[demo_partners["type"] == "mission_locale"]
    assert len(ml) == 7 and ml["ressort_communes"].map(len).gt(0).all()
    assert ml["ressort_territoire"].isna().all()
    named = demo_partners["ressort_territoire"].dropna().str.split(":").str[0]
    assert set(named) == {"region", "departement", "bassin", "zone_emploi", "clpe", "commune"}
    assert demo_partners["latitude"].isna().sum() == 29  # site commune only
    assert demo_partners["siret"].notna().sum() == 195


def test_demo_mission_locale_coverage(demo_partners, demo_table):
    ressort = dp.partner_ressort(demo_partners, demo_table)
    ml_ids = demo_partners.loc[demo_partners["type"] == "mission_locale", "partenaire_id"]
    ml = ressort[ressort["partenaire_id"].isin(ml_ids)]
    assert sorted(set(demo_table["commune"]) - set(ml["commune"])) == ["9C055"]
    counts = ml["commune"].value_counts()
    assert sorted(counts[counts > 1].index) == ["9A002", "9A005", "9A006"]
    paio = demo_partners.loc[demo_partners["type"] == "paio", "ressort_communes"]
    assert all("9C055" not in r for r in paio)
    assert len(ressort.attrs["commune_du_site"]) == 56


def test_demo_stale_entries(demo_partners, demo_script):
    stale = dp.stale_partners(demo_partners, date=demo_script.REFERENCE_DATE)
    assert len(stale) == 57
    assert int(stale["anciennete_mois"].isna().sum()) == 15
    assert stale["anciennete_mois"].dropna().min() >= 25


def test_demo_file_is_up_to_date(demo_script, tmp_path):
    demo = settings.demo_dir()
    for path in demo.iterdir():
        if path.is_file() and path.name != "partenaires.csv":
            shutil.copy(path, tmp_path / path.name)
    written = demo_script.write_demo_partners(tmp_path, seed=demo_script.DEFAULT_SEED)
    assert [p.name for p in written] == ["partenaires.csv"]
    assert written[0].read_bytes() == (demo / "partenaires.csv").read_bytes(), (
        "data/demo/partenaires.csv n'est pas à jour : lancez python scripts/demo/demo_partners.py"
    )
    facts = demo_script.demo_facts(tmp_path)
    assert facts["commune_non_couverte"] == "9C055"
    assert facts["commune_non_couverte_nom"] == "Mesosent"


# ---------------------------------------------------------------- real data


@pytest.mark.real_data
def test_real_pays_de_la_loire_partners(shared_data, tmp_path):
    """A few dozen structures on Pays de la Loire communes, checked against real files."""
    from diagnostics.cli.partenaires import load_commune_table

    geometries = sorted((shared_data / "geometries").glob("communes-*.geojson"))
    table = load_commune_table(
        [*geometries, shared_data / "referentiels" / "commune_bassin_bmo.csv"]
    )
    assert len(table) == 1272
    # 36 communes taken every 35th code, each structure placed on the
    # representative point of its commune polygon (always inside it)
    chosen = table.sort_values("commune").iloc[::35].head(36)
    points = chosen.geometry.representative_point()
    kinds = ["mission_locale", "ccas", "siae_aci", "plie", "cio", "organisme_formation"]
    rows = []
    for k, (code, bassin, point) in enumerate(
        zip(chosen["commune"], chosen["bassin"], points, strict=True)
    ):
        lat, lon = f"{point.y:.5f}", f"{point.x:.5f}"
        if k == 5:  # swapped on purpose
            lat, lon = lon, lat
        ressort = f"bassin:{bassin}" if isinstance(bassin, str) else ""
        rows.append(f"R{k:02d};Structure {k};{kinds[k % 6]};{code};{lat};{lon};{ressort}")
    rows.append("R99;Commune inconnue;ccas;44999;47,2;-1,55;")  # 44999 does not exist
    path = _write(
        tmp_path / "pdl.csv",
        ["Identifiant;Nom;Type;Code commune;Latitude;Longitude;Ressort", *rows],
    )
    partners, report = dp.read_partners_report(path, communes=table)
    assert [(p.line, p.category) for p in report.problemes] == [
        (7, "coordonnees_inversees"),
        (38, "commune_inconnue"),
    ]
    assert len(partners) == 37
    assert partners.loc[5, "latitude"] == pytest.approx(points.iloc[5].y, abs=1e-5)
    assert partners["latitude"].between(46.2, 48.6).all()
    assert partners["longitude"].between(-2.7, 0.95).all()
    ressort = dp.partner_ressort(partners, table)
    first = partners.loc[0]
    bassin = first["ressort_territoire"].split(":")[1]
    expected = set(table.loc[table["bassin"] == bassin, "commune"])
    assert set(ressort.loc[ressort["partenaire_id"] == "R00", "commune"]) == expected
    # R99's unknown commune was dropped, then found again from its coordinates
    assert report.remarques[0] == (
        "1 commune(s) d'implantation déduite(s) des coordonnées : ligne 38 → 44109."
    )
    assert ressort.attrs["commune_du_site"] == ["R99"]
    assert ressort.loc[ressort["partenaire_id"] == "R99", "commune"].tolist() == ["44109"]
