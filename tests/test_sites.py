"""France Travail sites: reader, units, access to the nearest agence."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from diagnostics import partnerships as ps
from diagnostics._readers.sites import SITE_COLUMNS
from geo import settings
from geo._errors import SchemaError

HEADER = (
    "REFERENCE_PE,NOM,CODE_SAFIR,TYPE_SITE,REGION,LIBELLE_REGION,COMPLEMENT_ADRESSE,"
    "DC_COMPLEMENTADRSITEPHYSIQUE,ADRESSE,CODE_POSTAL,COMMUNE,DN_LATITUDE,DN_LONGITUDE"
)


def _row(ref, kind, region, postal, commune, lat, lon, name="SITE"):
    return f'{ref},{name},00001,{kind},{region},REG,NULL,NULL,1 RUE X,{postal},{commune},"{lat}","{lon}"'


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "pole_emploi_agencies.csv"
    path.write_text("\n".join([HEADER, *rows]), encoding="utf-8")
    return path


@pytest.fixture
def polygons() -> gpd.GeoDataFrame:
    """Two square communes of Loire-Atlantique and one of Maine-et-Loire."""
    return gpd.GeoDataFrame(
        {
            "commune": ["44109", "44190", "49007"],
            "commune_nom": ["Nantes", "Saint-Nazaire", "Angers"],
        },
        geometry=[
            box(-1.7, 47.1, -1.4, 47.3),
            box(-2.4, 47.2, -2.1, 47.35),
            box(-0.7, 47.4, -0.4, 47.6),
        ],
        crs="EPSG:4326",
    )


def test_reader_normalises_the_public_format(tmp_path):
    path = _write(
        tmp_path,
        _row("A1", "ALE", "52", "44300", "NANTES", "47,2", "-1,55"),
        _row("A2", "DDA", "4", "97400", "SAINT DENIS", "-20,88", "55,45"),
        _row("A3", "DRA", "52", "44000", "NANTES", "47,21", "-1,56"),
    )
    sites = ps.read_france_travail_sites(path)
    assert sites.columns.tolist() == list(SITE_COLUMNS)
    assert sites["niveau"].tolist() == ["agence", "direction_territoriale", "direction_regionale"]
    assert sites["region"].tolist() == ["52", "04", "52"]
    assert sites["latitude"].tolist() == [47.2, -20.88, 47.21]
    assert sites["longitude"].tolist() == [-1.55, 55.45, -1.56]
    assert sites["adresse"].tolist() == ["1 RUE X"] * 3
    assert sites["commune"].isna().all()
    assert sites.attrs["problemes"].lines() == []


def test_sites_are_placed_in_their_commune(tmp_path, polygons):
    path = _write(
        tmp_path,
        _row("A1", "ALE", "52", "44300", "NANTES", "47,2", "-1,55"),
        _row("A2", "ALE", "52", "44600", "ST NAZAIRE", "47,27", "-2,2"),
        _row("A3", "ALE", "52", "49100", "ANGERS", "47,5", "-0,55"),
        _row("A4", "ALE", "11", "75001", "PARIS", "48,86", "2,34"),
    )
    sites = ps.read_france_travail_sites(path, communes=polygons)
    assert sites["commune"].tolist() == ["44109", "44190", "49007", pd.NA]
    report = sites.attrs["problemes"]
    assert [p.category for p in report] == ["hors_champ"]
    assert report[0].action == "conservée"


def test_bad_sites_are_reported_and_the_rest_used(tmp_path, polygons):
    path = _write(
        tmp_path,
        _row("A1", "ALE", "52", "44300", "NANTES", "47,2", "-1,55"),
        _row("A2", "ALE", "52", "44300", "NANTES", "-1,55", "47,2"),  # swapped
        _row("A3", "ALE", "52", "44300", "NANTES", "12,0", "80,0"),  # outside France
        _row("A4", "ALE", "52", "44300", "NANTES", "47,5", "-0,55"),  # in Angers (49)
        _row("A5", "XYZ", "52", "44300", "NANTES", "47,2", "-1,55"),  # unknown type
        _row("A6", "ALE", "52", "44300", "NANTES", "NULL", "-1,55"),  # no latitude
        _row("A7", "ALE", "52", "44100", "REZE", "47,2", "-1,55"),  # other name, same dep
        _row("A8", "ALE", "52", "44800", "NOWHERE", "47,0", "-1,0"),  # in no polygon
        _row("A1", "ALE", "52", "44300", "NANTES", "47,2", "-1,55"),  # duplicated
        _row("A9", "ALE", "52", "NULL", "NANTES", "47,2", "-1,55"),  # no postal code
    )
    sites = ps.read_france_travail_sites(path, communes=polygons)
    assert sites["site_id"].tolist() == ["A1", "A2", "A7", "A8", "A9"]
    assert sites["commune"].tolist() == ["44109", "44109", "44109", pd.NA, "44109"]
    assert (sites.loc[1, "latitude"], sites.loc[1, "longitude"]) == (47.2, -1.55)
    found = {(p.line, p.category, p.action) for p in sites.attrs["problemes"]}
    assert found == {
        (3, "coordonnees_inversees", "corrigée"),
        (4, "coordonnees_hors_zone", "écartée"),
        (5, "code_postal_discordant", "écartée"),
        (6, "valeur_inconnue", "écartée"),
        (7, "coordonnee_invalide", "écartée"),
        (8, "commune_discordante", "conservée"),
        (9, "commune_introuvable", "conservée"),
        (10, "identifiant_duplique", "écartée"),
        (11, "code_postal_invalide", "conservée"),
    }
    with pytest.raises(SchemaError, match="mode strict"):
        ps.read_france_travail_sites(path, communes=polygons, strict=True)


def test_a_missing_column_is_refused(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("REFERENCE_PE,NOM\nA1,X\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="TYPE_SITE"):
        ps.read_france_travail_sites(path)


def test_sites_become_pole_emploi_units(tmp_path):
    path = _write(
        tmp_path,
        _row("A1", "ALE", "52", "44300", "NANTES", "47,2", "-1,55", name="NANTES NORD"),
        _row("D1", "DDA", "52", "44000", "NANTES", "47,21", "-1,56"),
        _row("R1", "DRA", "52", "44000", "NANTES", "47,21", "-1,56"),
    )
    units = ps.pole_emploi_units_from_sites(ps.read_france_travail_sites(path))
    demo_units = ps.read_pole_emploi_units(settings.demo_dir() / "unites_pole_emploi.csv")
    assert units.columns.tolist() == demo_units.columns.tolist()
    assert units.dtypes.tolist() == demo_units.dtypes.tolist()
    assert units["unite_id"].tolist() == ["PE-AG-A1", "PE-DT-D1", "PE-DR-R1"]
    assert units["nom"].tolist() == ["NANTES NORD", "SITE", "SITE"]


def test_demo_sites_match_the_demo_agences_and_units():
    demo = settings.demo_dir()
    from geo.referentials import read_commune_polygons

    polys = read_commune_polygons(sorted(demo.glob("communes-*.geojson")))
    sites = ps.read_france_travail_sites(
        demo / "partenaires" / "pole_emploi_agencies.csv", communes=polys
    )
    assert sites.attrs["problemes"].lines() == []
    structures = pd.read_csv(demo / "cotraitance" / "structures.csv", sep=";", dtype=str)
    agences = structures[structures["type"] == "agence"]
    assert sorted(sites.loc[sites["niveau"] == "agence", "commune"]) == sorted(agences["commune"])
    units = ps.read_pole_emploi_units(demo / "unites_pole_emploi.csv")
    directions = units[units["niveau"] != "agence"]
    placed = sites[sites["niveau"] != "agence"]
    assert sorted(placed["commune"]) == sorted(directions["commune"])


@pytest.mark.real_data
def test_real_pays_de_la_loire_sites_are_placed_or_reported(shared_data):
    from geo.referentials import read_commune_polygons

    polys = read_commune_polygons(
        sorted((shared_data / "geometries").glob("communes-[0-9]*.geojson"))
    )
    path = shared_data / "partenaires" / "pole_emploi_agencies.csv"
    raw = pd.read_csv(path, dtype=str)
    sites = ps.read_france_travail_sites(path, communes=polys)
    region = raw[raw["REGION"] == "52"]
    assert len(region) == 54
    kept = sites[sites["site_id"].isin(region["REFERENCE_PE"])]
    reported = {
        p.line
        for p in sites.attrs["problemes"]
        if p.category != "hors_champ" and p.action != "conservée"
    }
    lines = {ref: i + 2 for i, ref in enumerate(raw["REFERENCE_PE"])}
    for ref in region["REFERENCE_PE"]:
        row = kept[kept["site_id"] == ref]
        placed = len(row) == 1 and row["commune"].notna().all()
        assert placed or lines[ref] in reported, ref
    assert kept["commune"].notna().all()
    deps = set(polys["commune"].str[:2])
    assert set(kept["commune"].str[:2]) <= deps
    assert (kept["niveau"] == "agence").sum() == 49
    # A site of another région geocoded in Sarthe is set aside, not placed there.
    assert not sites["commune"].notna().loc[~sites["site_id"].isin(region["REFERENCE_PE"])].any()


# --------------------------------------------------------------------------- access


def _access_inputs():
    """An agence at the first of five communes 0, 5, 15, 25 and 35 km east (Lambert-93)."""
    from geo import settings as st

    xs = [400_000.0 + 1_000 * km for km in (0, 5, 15, 25, 35)]
    pts = gpd.GeoDataFrame(
        {"commune": ["44001", "44002", "44003", "44004", "85001"]},
        geometry=gpd.points_from_xy(xs, [6_700_000.0] * 5),
        crs="EPSG:2154",
    ).to_crs(st.storage_crs)
    sites = pd.DataFrame(
        {
            "site_id": ["A1", "A2", "D1"],
            "nom": ["Agence Est", "Agence Loin", "DT"],
            "niveau": ["agence", "agence", "direction_territoriale"],
            "commune": ["44001", pd.NA, "44004"],
            "latitude": [pts.geometry.y[0], 48.0, pts.geometry.y[4]],
            "longitude": [pts.geometry.x[0], 2.0, pts.geometry.x[4]],
        }
    )
    communes = pd.DataFrame(
        {
            "commune": ["44001", "44002", "44003", "44004", "85001"],
            "departement": ["44", "44", "44", "44", "85"],
            "population": [1000, 2000, 3000, 4000, 500],
        }
    )
    return sites, pts, communes


def test_nearest_agence_distance_counts_only_agences():
    from diagnostics.coverage import nearest_agence_distance

    sites, pts, _ = _access_inputs()
    out = nearest_agence_distance(sites, pts)
    assert out["commune"].tolist() == ["44001", "44002", "44003", "44004", "85001"]
    assert out["distance_km"].round(3).tolist() == [0.0, 5.0, 15.0, 25.0, 35.0]
    assert out["agence_proche"].tolist() == ["A1"] * 5
    assert out["agence_nom"].tolist() == ["Agence Est"] * 5


def test_agence_access_per_territory():
    from diagnostics.coverage import agence_access

    sites, pts, communes = _access_inputs()
    seekers = pd.Series({"44001": 100, "44002": 100, "44003": 100, "44004": 200})
    out = agence_access(sites, communes, geometries=pts, jobseekers=seekers)
    assert out["territoire"].tolist() == ["44", "85"]
    assert out["nb_agences"].tolist() == [1, 0]
    assert out["population"].tolist() == [10000, 500]
    assert out["distance_moyenne_km"].round(6).tolist() == [15.5, 35.0]
    assert out["distance_max_km"].round(6).tolist() == [25.0, 35.0]
    # 44: beyond 10 km, 3000 + 4000 of 10,000 people; beyond 20 km, 4000; beyond 30, none.
    assert out["part_population_au_dela_10_km"].round(6).tolist() == [0.7, 1.0]
    assert out["part_population_au_dela_20_km"].round(6).tolist() == [0.4, 1.0]
    assert out["part_population_au_dela_30_km"].round(6).tolist() == [0.0, 1.0]
    assert out["demandeurs"].tolist() == [500, pd.NA]
    assert out["part_demandeurs_au_dela_10_km"].round(6).tolist()[0] == 0.6
    assert out["part_demandeurs_au_dela_20_km"].round(6).tolist()[0] == 0.4
    assert out["agences_pour_10000_demandeurs"].tolist()[0] == 20.0
    assert pd.isna(out["agences_pour_10000_demandeurs"].tolist()[1])
    assert any("85001" in r for r in out.attrs["remarques"])


def test_agence_access_without_jobseekers():
    from diagnostics.coverage import agence_access

    sites, pts, communes = _access_inputs()
    out = agence_access(sites, communes, geometries=pts, by="commune")
    assert out["demandeurs"].isna().all()
    assert out["agences_pour_10000_demandeurs"].isna().all()
    assert out["nb_agences"].tolist() == [1, 0, 0, 0, 0]


def test_map_partners_draws_the_sites_layer_escaped():
    from diagnostics.coverage import map_partners

    sites, _, _ = _access_inputs()
    sites.loc[0, "nom"] = "<img src=x onerror=alert(1)>"
    partners = pd.DataFrame(
        {
            "partenaire_id": ["p"],
            "type": ["mission_locale"],
            "latitude": [47.0],
            "longitude": [-1.5],
        }
    )
    page = map_partners(partners, sites=sites).get_root().render()
    assert "Sites France Travail (3)" in page
    assert "<img src=x" not in page
    assert "Agence Loin" in page


# --------------------------------------------------------------------------- portrait


def test_portrait_access_section_on_the_demo():
    from diagnostics import portrait

    data = portrait.load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    section = portrait.section_access(data)
    assert section.status == "produite"
    access = section.tables["acces"]
    assert access["nb_agences"].tolist() == [1]
    assert section.tables["agences"]["site_id"].tolist() == ["DEM0000A9901"]
    distances = section.tables["distances"]
    assert len(distances) == len(data.communes()) and distances["distance_km"].notna().all()
    assert access["part_population_au_dela_10_km"].iloc[0] == pytest.approx(
        distances.loc[distances["distance_km"] > 10, "population"].sum()
        / distances["population"].sum()
    )
    # the demo portrait names [demandeurs]: job seekers per commune reach the access table
    assert access["agences_pour_10000_demandeurs"].iloc[0] == pytest.approx(
        1 / access["demandeurs"].iloc[0] * 10_000, rel=1e-3
    )
    assert 0 <= access["part_demandeurs_au_dela_10_km"].iloc[0] <= 1
    assert "Demandeurs d'emploi non disponibles" not in repr(section)


def _demo_config(tmp_path: Path, old: str, new: str) -> Path:
    """The demo portrait configuration with ``old`` replaced, its paths made absolute."""
    config = (settings.demo_dir() / "portrait.toml").read_text(encoding="utf-8")
    assert old in config
    config = re.sub(
        r'"([^"]+\.(?:csv|json|geojson|xlsx))"',
        lambda m: f'"{(settings.demo_dir() / m.group(1)).as_posix()}"',
        config.replace(old, new),
    )
    path = tmp_path / "portrait.toml"
    path.write_text(config, encoding="utf-8")
    return path


def test_portrait_units_come_from_the_sites_without_a_units_file(tmp_path):
    from diagnostics import portrait

    data = portrait.load_portrait(
        _demo_config(tmp_path, "unites = ", "# unites = "), "bassin", "9901"
    )
    units = data.inputs.pole_emploi_units()
    assert len(units) == 14 and units["unite_id"].str.startswith("PE-").all()
    assert units["niveau"].value_counts().to_dict() == {
        "agence": 10,
        "direction_territoriale": 3,
        "direction_regionale": 1,
    }


def test_portrait_access_section_says_why_without_sites(tmp_path):
    from diagnostics import portrait

    path = _demo_config(tmp_path, 'sites_france_travail = "partenaires/', '# sites = "')
    data = portrait.load_portrait(path, "bassin", "9901")
    section = portrait.section_access(data)
    assert section.status.startswith("absente")
    assert section.missing_inputs == ("partenaires.sites_france_travail",)
    assert "fichier des sites France Travail" in repr(section)


@pytest.mark.real_data
def test_real_nantes_portrait_has_an_access_section(shared_data):
    from diagnostics import portrait

    config = Path(__file__).parent / "data" / "portrait_pays_de_la_loire.toml"
    data = portrait.load_portrait(config, "bassin", "5220")
    section = portrait.section_access(data)
    assert section.status == "produite"
    agences = section.tables["agences"]
    assert len(agences) >= 5 and (agences["commune"].str[:2] == "44").all()
    access = section.tables["acces"].iloc[0]
    assert 0 <= access["part_population_au_dela_10_km"] <= 1
    assert section.tables["distances"]["distance_km"].notna().all()


def test_overseas_communes_measured_in_their_local_projection():
    from diagnostics.coverage import nearest_agence_distance

    sites = pd.DataFrame(
        {
            "site_id": ["R1", "N1"],
            "nom": ["Saint-Denis", "Nantes"],
            "niveau": ["agence", "agence"],
            "latitude": [-20.88, 47.2],
            "longitude": [55.45, -1.55],
        }
    )
    points = pd.DataFrame(
        {
            "commune": ["97411", "97415", "44109"],
            "latitude": [-20.88, -20.98, 47.2],
            "longitude": [55.45, 55.45, -1.55],
        }
    )
    out = nearest_agence_distance(sites, points)
    assert out["agence_proche"].tolist() == ["R1", "R1", "N1"]
    # 0.1 degree of latitude is about 11.07 km at 21° S (UTM 40S, EPSG:2975)
    assert out["distance_km"].round(1).tolist() == [0.0, 11.1, 0.0]
