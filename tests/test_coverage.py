"""Tests of diagnostics.coverage.

The hand-built fixture is a grid of 4 × 3 square communes of 10 km in Lambert-93
(column ``i`` from west to east, row ``j`` from south to north), whose centroids
are at ``(5 + 10 i, 5 + 10 j)`` km from the grid's south-west corner. Columns 0–1
are in département 9A, columns 2–3 in 9B; commune ``k = 4 j + i + 1`` is coded
``<dép><k:03d>`` and has ``100 k`` inhabitants. Every expected distance below is
worked out by hand in the comments.
"""

from __future__ import annotations

import json
import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely import box

from diagnostics import coverage
from diagnostics.partners import partner_ressort, partners_from_records
from geo import maps, territories
from geo._errors import CRSError, SchemaError

X0, Y0 = 400_000.0, 6_700_000.0
TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def js(text: str) -> str:
    """``text`` as folium writes it in the page's script (JSON, non-ASCII escaped)."""
    return json.dumps(text)[1:-1]


def code(i: int, j: int) -> str:
    return f"{'9A' if i < 2 else '9B'}{4 * j + i + 1:03d}"


def lonlat(x_km: float, y_km: float) -> tuple[float, float]:
    return TO_WGS84.transform(X0 + 1000 * x_km, Y0 + 1000 * y_km)


@pytest.fixture
def grid() -> gpd.GeoDataFrame:
    cells = [(i, j) for j in range(3) for i in range(4)]
    return gpd.GeoDataFrame(
        {
            "commune": [code(i, j) for i, j in cells],
            "commune_nom": [f"Commune {i}-{j}" for i, j in cells],
        },
        geometry=[
            box(X0 + 10_000 * i, Y0 + 10_000 * j, X0 + 10_000 * (i + 1), Y0 + 10_000 * (j + 1))
            for i, j in cells
        ],
        crs="EPSG:2154",
    )


@pytest.fixture
def table(grid) -> pd.DataFrame:
    population = [100 * (4 * j + i + 1) for j in range(3) for i in range(4)]
    communes = pd.DataFrame(
        {
            "commune": grid["commune"],
            "commune_nom": grid["commune_nom"],
            "departement": grid["commune"].str[:2],
            "region": "99",
            "bassin": ["9901" if c.startswith("9A") else "9902" for c in grid["commune"]],
            "population": population,
        }
    )
    return territories.commune_table(communes)


@pytest.fixture
def partners() -> pd.DataFrame:
    ml1_lon, ml1_lat = lonlat(5, 5)  # centroid of commune (0, 0)
    cap_lon, cap_lat = lonlat(0, 0)  # south-west corner of the grid
    return partners_from_records(
        [
            {
                "partenaire_id": "ML1",
                "nom": "Mission locale de l'Ouest",
                "type": "mission_locale",
                "type_libelle": "Mission locale",
                "commune": "9A001",
                "latitude": ml1_lat,
                "longitude": ml1_lon,
                "siret": "99900000000017",
                "domaines": ("orientation", "insertion"),
                "publics": ("jeunes",),
                "reseau": "UNML",
                "date_verification": "2024-03-12",
                "source": "fichier-interne-confidentiel",
            },
            {  # no coordinates: placed at the centroid of its commune (3, 2)
                "partenaire_id": "ML2",
                "nom": "Mission locale de l'Est",
                "type": "mission_locale",
                "type_libelle": "Mission locale",
                "commune": "9B012",
                "operant": False,
            },
            {
                "partenaire_id": "CAP1",
                "nom": "Cap emploi 99",
                "type": "cap_emploi",
                "type_libelle": "Cap emploi",
                "latitude": cap_lat,
                "longitude": cap_lon,
            },
            {  # neither coordinates nor commune: in the coverage, not in the distances
                "partenaire_id": "CAP2",
                "nom": "Cap emploi antenne",
                "type": "cap_emploi",
                "type_libelle": "Cap emploi",
            },
        ]
    )


@pytest.fixture
def ressort(grid) -> pd.DataFrame:
    rows = [("ML1", code(i, j)) for j in range(3) for i in (0, 1)]
    rows += [("ML2", code(i, j)) for j in range(3) for i in (1, 2)]
    rows += [("CAP1", c) for c in grid["commune"]]
    rows += [("CAP2", "9A001"), ("INCONNU", "9A002"), ("ML1", "9C999")]
    return pd.DataFrame(rows, columns=["partenaire_id", "commune"])


# Distances (km) of every commune centroid to the nearest mission locale:
# ML1 at (5, 5), ML2 at the centroid of commune (3, 2), i.e. (35, 25).
ML_DISTANCE = {
    (0, 0): 0.0, (1, 0): 10.0, (2, 0): 20.0, (3, 0): 20.0,
    (0, 1): 10.0, (1, 1): math.sqrt(200), (2, 1): math.sqrt(200), (3, 1): 10.0,
    (0, 2): 20.0, (1, 2): 20.0, (2, 2): 10.0, (3, 2): 0.0,
}  # fmt: skip


def test_commune_coverage_counts_ressorts_and_measures_nearest_site(partners, ressort, table, grid):
    cov = coverage.commune_coverage(partners, ressort, table, geometries=grid)
    assert cov["type"].unique().tolist() == ["cap_emploi", "mission_locale"]
    ml = cov[cov["type"] == "mission_locale"].set_index("commune")
    expected_counts = {code(i, j): {0: 1, 1: 2, 2: 1, 3: 0}[i] for j in range(3) for i in range(4)}
    assert ml["nb_structures"].to_dict() == expected_counts
    for (i, j), d in ML_DISTANCE.items():
        assert ml.loc[code(i, j), "distance_km"] == pytest.approx(d, abs=1e-6)
    assert ml.loc["9A001", "site_proche"] == "ML1" and ml.loc["9B004", "site_proche"] == "ML2"
    cap = cov[cov["type"] == "cap_emploi"].set_index("commune")
    assert cap.loc["9A001", "nb_structures"] == 2  # CAP1 and CAP2
    assert cap.loc["9B012", "distance_km"] == pytest.approx(math.hypot(35, 25), abs=1e-6)
    assert set(cap["site_proche"]) == {"CAP1"}  # CAP2 cannot be located
    assert cov.loc[0, "type_libelle"] == "Cap emploi"
    assert cov["population"].dtype == "Int64" and cov["commune"].dtype == "string"
    remarks = " ".join(cov.attrs["remarques"])
    assert "1 structure(s) sans coordonnées placée(s) au point de leur commune" in remarks
    assert "sans coordonnées ni commune localisable" in remarks and "CAP2" in remarks
    assert "structure absente de l'annuaire" in remarks and "INCONNU" in remarks
    assert "commune absente de la table des communes" in remarks and "9C999" in remarks


def test_partner_coverage_by_departement_with_exact_weighted_distances(
    partners, ressort, table, grid
):
    out = coverage.partner_coverage(
        partners, ressort, table, by="departement", geometries=grid, beyond_km=15
    )
    assert out[["territoire", "type"]].values.tolist() == [
        ["9A", "cap_emploi"],
        ["9A", "mission_locale"],
        ["9B", "cap_emploi"],
        ["9B", "mission_locale"],
    ]
    ml = out[out["type"] == "mission_locale"].set_index("territoire")
    # 9A: communes k = 1, 2, 5, 6, 9, 10 (3,300 inhabitants), all covered by ML1,
    # column 1 also by ML2 (3 overlaps). Distances 0, 10, 10, √200, 20, 20.
    assert ml.loc["9A", ["nb_structures", "nb_sites", "communes", "communes_couvertes"]].tolist() == [
        2, 1, 6, 6,
    ]  # fmt: skip
    assert ml.loc["9A", "communes_chevauchement"] == 3
    assert ml.loc["9A", "population"] == 3300 and ml.loc["9A", "population_couverte"] == 3300
    mean_9a = (10 * 200 + 10 * 500 + math.sqrt(200) * 600 + 20 * 900 + 20 * 1000) / 3300
    assert ml.loc["9A", "distance_moyenne_km"] == pytest.approx(mean_9a)
    # sorted: 0 (100), 10 (200), 10 (500), 14.1 (600), 20 (900), 20 (1000): half of
    # 3,300 is first reached at 20 km; 1,900 inhabitants live beyond 15 km.
    assert ml.loc["9A", "distance_mediane_km"] == pytest.approx(20.0)
    assert ml.loc["9A", "part_population_au_dela_seuil"] == pytest.approx(1900 / 3300)
    assert ml.loc["9A", "distance_max_km"] == pytest.approx(20.0)
    # 9B: k = 3, 4, 7, 8, 11, 12 (4,500 inhabitants); column 3 (4, 8, 12) uncovered.
    assert ml.loc["9B", ["nb_structures", "nb_sites", "communes_non_couvertes"]].tolist() == [
        1,
        1,
        3,
    ]
    assert ml.loc["9B", "population_couverte"] == 300 + 700 + 1100
    assert ml.loc["9B", "part_population_couverte"] == pytest.approx(2100 / 4500)
    assert ml.loc["9B", "part_communes_couvertes"] == pytest.approx(0.5)
    mean_9b = (20 * 300 + 20 * 400 + math.sqrt(200) * 700 + 10 * 800 + 10 * 1100) / 4500
    assert ml.loc["9B", "distance_moyenne_km"] == pytest.approx(mean_9b)
    # sorted: 0 (1,200), 10 (800), 10 (1,100), ...: half of 4,500 reached at 10 km.
    assert ml.loc["9B", "distance_mediane_km"] == pytest.approx(10.0)
    assert ml.loc["9B", "part_population_au_dela_seuil"] == pytest.approx(700 / 4500)
    assert (out["seuil_km"] == 15.0).all()
    cap = out[out["type"] == "cap_emploi"].set_index("territoire")
    assert cap["nb_structures"].to_dict() == {"9A": 2, "9B": 1}
    assert cap["nb_sites"].to_dict() == {"9A": 0, "9B": 0}  # CAP1 has no site commune
    assert cap["communes_chevauchement"].to_dict() == {"9A": 1, "9B": 0}


def test_partner_coverage_without_geometries_leaves_distances_missing(partners, ressort, table):
    out = coverage.partner_coverage(partners, ressort, table, by="bassin")
    assert out["territoire"].unique().tolist() == ["9901", "9902"]
    assert out["distance_moyenne_km"].isna().all() and out["distance_max_km"].isna().all()
    assert out["communes"].tolist() == [6, 6, 6, 6]


def test_partner_coverage_of_project_territories_and_communes(partners, ressort, table, grid):
    project = territories.project_territory("Coin", communes=["9A001", "9B004", "9B008"])
    other = territories.project_territory("Absents", communes=["9A002", "9C001"])
    out = coverage.partner_coverage(
        partners, ressort, table, by=[project, other], geometries=grid, types="mission_locale"
    )
    coin = out.set_index("territoire").loc["coin"]
    assert coin["niveau"] == "projet" and coin["territoire_nom"] == "Coin"
    assert coin[["communes", "communes_couvertes", "nb_structures", "nb_sites"]].tolist() == [
        3, 1, 1, 1,
    ]  # fmt: skip
    assert coin["distance_max_km"] == pytest.approx(20.0)  # 9B004: (3, 0)
    assert out.set_index("territoire").loc["absents", "communes"] == 1
    assert any("9C001" in r for r in out.attrs["remarques"])
    one = coverage.partner_coverage(
        partners, ressort, table, by="commune", types=["mission_locale"]
    )
    assert len(one) == 12 and one.loc[0, "territoire_nom"] == "Commune 0-0"


def test_uncovered_communes_and_overlaps_are_listed(partners, ressort, table):
    uncovered = coverage.uncovered_communes(partners, ressort, table, types="mission_locale")
    assert uncovered["commune"].tolist() == ["9B004", "9B008", "9B012"]
    assert uncovered["population"].tolist() == [400, 800, 1200]
    by_dep = coverage.uncovered_communes(
        partners, ressort, table, types="mission_locale", by="departement"
    )
    assert set(by_dep["territoire"]) == {"9B"}
    overlaps = coverage.overlapping_ressorts(partners, ressort, table)
    assert overlaps[["type", "commune", "nb_structures"]].values.tolist() == [
        ["cap_emploi", "9A001", 2],
        ["mission_locale", "9A002", 2],
        ["mission_locale", "9A006", 2],
        ["mission_locale", "9A010", 2],
    ]
    assert overlaps.loc[0, "partenaires"] == ("CAP1", "CAP2")
    assert overlaps.loc[1, "noms"] == ("Mission locale de l'Ouest", "Mission locale de l'Est")


def test_requested_type_without_structure_is_uncovered_and_reported(partners, ressort, table):
    out = coverage.commune_coverage(partners, ressort, table, types=["mission_locale", "plie"])
    plie = out[out["type"] == "plie"]
    assert len(plie) == 12 and (plie["nb_structures"] == 0).all()
    assert any("Aucune structure de type plie" in r for r in out.attrs["remarques"])


def test_inputs_are_not_modified(partners, ressort, table, grid):
    before = [partners.copy(), ressort.copy(), table.copy(), grid.copy()]
    coverage.partner_coverage(partners, ressort, table, geometries=grid)
    for original, now in zip(before, [partners, ressort, table, grid], strict=True):
        pd.testing.assert_frame_equal(original, now)


def test_commune_points_from_polygons_centroid_table_and_representative_point(grid):
    points = coverage.commune_points(grid).to_crs("EPSG:2154")
    assert points.geometry.x.iloc[5] == pytest.approx(X0 + 15_000)  # commune (1, 1)
    assert points.geometry.y.iloc[5] == pytest.approx(Y0 + 15_000)
    # An L-shaped commune: its centroid lies outside, its representative point inside.
    ell = box(0, 0, 10_000, 2_000).union(box(0, 0, 2_000, 10_000))
    shape = gpd.GeoDataFrame({"commune": ["9A001"]}, geometry=[ell], crs="EPSG:2154")
    centroid = coverage.commune_points(shape).to_crs("EPSG:2154").geometry.iloc[0]
    inside = coverage.commune_points(shape, point="representative").to_crs("EPSG:2154")
    assert not ell.contains(centroid) and ell.contains(inside.geometry.iloc[0])
    lon, lat = lonlat(5, 5)
    table = pd.DataFrame({"commune": ["9A001"], "latitude": [lat], "longitude": [lon]})
    from_table = coverage.commune_points(table).to_crs("EPSG:2154").geometry.iloc[0]
    assert (from_table.x, from_table.y) == (pytest.approx(X0 + 5000), pytest.approx(Y0 + 5000))


def test_centroid_table_gives_the_same_distances_as_polygons(partners, ressort, table, grid):
    points = coverage.commune_points(grid)
    centroids = pd.DataFrame(
        {
            "commune": points["commune"],
            "latitude": points.geometry.y,
            "longitude": points.geometry.x,
        }
    )
    a = coverage.commune_coverage(partners, ressort, table, geometries=grid)
    b = coverage.commune_coverage(partners, ressort, table, geometries=centroids)
    np.testing.assert_allclose(a["distance_km"], b["distance_km"], atol=1e-6)


def test_bad_inputs_are_refused_with_a_french_message(partners, ressort, table, grid):
    with pytest.raises(SchemaError, match="Table des ressorts : colonne.*commune"):
        coverage.commune_coverage(partners, ressort[["partenaire_id"]], table)
    with pytest.raises(SchemaError, match="Annuaire des partenaires : colonne.*type"):
        coverage.commune_coverage(partners.drop(columns="type"), ressort, table)
    with pytest.raises(SchemaError, match="Niveau territorial inconnu : 'canton'"):
        coverage.partner_coverage(partners, ressort, table, by="canton")
    with pytest.raises(CRSError, match="aucun système de coordonnées"):
        coverage.commune_points(grid.set_crs(None, allow_override=True))
    lambert = pd.DataFrame({"commune": ["9A001"], "latitude": [6.7e6], "longitude": [4e5]})
    with pytest.raises(CRSError, match="hors des bornes"):
        coverage.commune_points(lambert)


def test_duplicated_partner_and_commune_rows_are_reported(partners, ressort, table):
    doubled = pd.concat([partners, partners.iloc[[0]]], ignore_index=True)
    out = coverage.commune_coverage(doubled, ressort, table)
    assert out.loc[out["commune"] == "9A001", "nb_structures"].tolist() == [2, 1]
    assert any("Identifiant(s) en double" in r and "ML1" in r for r in out.attrs["remarques"])


def test_overseas_communes_are_measured_in_their_local_projection():
    # Two communes of La Réunion (EPSG:2975, UTM 40S) 10 km apart, and one in 9A.
    to_wgs = Transformer.from_crs("EPSG:2975", "EPSG:4326", always_xy=True)
    reunion = [to_wgs.transform(340_000 + dx, 7_660_000) for dx in (0, 10_000)]
    centroids = pd.DataFrame(
        {
            "commune": ["97411", "97415", "9A001"],
            "longitude": [reunion[0][0], reunion[1][0], lonlat(5, 5)[0]],
            "latitude": [reunion[0][1], reunion[1][1], lonlat(5, 5)[1]],
        }
    )
    partners = partners_from_records(
        [
            {"partenaire_id": "R", "nom": "R", "type": "mission_locale", "commune": "97411"},
            {"partenaire_id": "M", "nom": "M", "type": "mission_locale", "commune": "9A001"},
        ]
    )
    ressort = pd.DataFrame({"partenaire_id": ["R", "M"], "commune": ["97411", "9A001"]})
    out = coverage.commune_coverage(partners, ressort, centroids[["commune"]], geometries=centroids)
    distance = out.set_index("commune")["distance_km"]
    assert distance["97415"] == pytest.approx(10.0, abs=1e-6)
    assert distance["9A001"] == pytest.approx(0.0, abs=1e-6)


def test_map_partners_is_offline_with_layers_clusters_and_french_popups(partners, grid, tmp_path):
    m = coverage.map_partners(partners, geometries=grid, title="Partenaires de test")
    path = tmp_path / "partenaires.html"
    maps.save_map(m, path)
    page = path.read_text(encoding="utf-8")
    assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', page)
    assert "L.markerClusterGroup" in page and "new L.CircleMarker" in page
    assert "L.AwesomeMarkers" not in page and "L.Icon(" not in page
    assert "Mission locale (2)" in page and "Cap emploi (1)" in page  # CAP2 not located
    assert js("Dernière vérification") in page and "12/03/2024" in page
    assert "Orientation, Insertion" in page and "UNML" in page
    assert "Commune 0-0 (9A001)" in page and "centre de sa commune" in page
    assert "99900000000017" not in page and "fichier-interne-confidentiel" not in page
    assert '"partenaire_id"' not in page and '"siret"' not in page
    # Bound to each marker: a popup bound to the GeoJSON layer never opens in a cluster.
    assert "layer.bindPopup(feature.properties._popup" in page


def test_map_partners_framed_on_the_territory_with_its_outline_and_a_legend(partners, grid):
    territory = grid[grid["commune"] == code(0, 0)]  # one cell, 10 km wide
    sites = pd.DataFrame(
        {
            "nom": ["Agence Sud", "DR"],
            "niveau": ["agence", "direction_regionale"],
            "latitude": [lonlat(5, -40)[1], lonlat(30, 30)[1]],
            "longitude": [lonlat(5, -40)[0], lonlat(30, 30)[0]],
        }
    )
    m = coverage.map_partners(
        partners, geometries=grid, sites=sites, outline=territory, frame=territory
    )
    page = m.get_root().render()
    west, south, east, north = territory.to_crs("EPSG:4326").total_bounds
    bounds = json.loads(re.search(r"fitBounds\(\s*(\[\[.*?\]\])", page, re.S).group(1))
    assert [*bounds[0], *bounds[1]] == pytest.approx([south, west, north, east])
    legend = re.search(r'<div class="legende-atelier".*?</div></details></div>', page).group(0)
    assert re.findall(r"</span>([^<]+)</div>", legend) == [
        "Cap emploi (1)",
        "Mission locale (2)",
        "France Travail – agence",
        "France Travail – direction régionale",
        "Limite du territoire",
    ]
    # without a frame, the map holds every structure and site drawn
    page = coverage.map_partners(partners, geometries=grid, sites=sites).get_root().render()
    bounds = json.loads(re.search(r"fitBounds\(\s*(\[\[.*?\]\])", page, re.S).group(1))
    assert bounds[0][0] == pytest.approx(lonlat(5, -40)[1])
    assert "Limite du territoire" not in page


def test_map_coverage_legend_and_uncovered_missions_locales(
    partners, ressort, table, grid, tmp_path
):
    cov = coverage.commune_coverage(partners, ressort, table, geometries=grid)
    m = coverage.map_coverage(cov, grid, types="mission_locale")
    path = tmp_path / "couverture.html"
    maps.save_map(m, path)
    page = path.read_text(encoding="utf-8")
    assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', page)
    assert "d3.min.js" not in page and "d3.v" not in page
    assert "Commune hors du ressort de toute mission locale : 3" in page
    assert "0 (aucune structure)" in page and "Mission locale : structures" in page
    assert page.count('"hors_txt": "oui"') == 3
    with pytest.raises(SchemaError, match="'plie'.*absent"):
        coverage.map_coverage(cov, grid, highlight_type="plie")


def test_count_classes_of_the_legend():
    assert coverage._classes(np.array([0, 1, 3])) == [(1, 1), (2, 2), (3, 3)]
    assert coverage._classes(np.array([0, 0])) == []
    # quantiles 20 %, 40 %, 60 %, 80 % of 1..30: 6.8, 12.6, 18.4, 24.2, rounded up
    assert coverage._classes(np.arange(0, 31)) == [(1, 7), (8, 13), (14, 19), (20, 25), (26, 30)]
    assert coverage._classes(np.array([1, 1, 1, 1, 1, 9])) == [(1, 1), (2, 9)]


# --------------------------------------------------------------------------- demo territory


@pytest.fixture(scope="module")
def demo():
    """The demo directory diagnosed with the demo referentials (read once)."""
    from diagnostics.partners import read_partners
    from geo import referentials, settings

    folder = settings.demo_dir()
    table = territories.commune_table(
        referentials.read_communes_population(folder / "communes_population.json"),
        bassin=referentials.read_commune_bassin(folder / "commune_bassin_bmo.csv"),
    )
    polygons = referentials.read_commune_polygons(sorted(folder.glob("communes-*.geojson")))
    partners = read_partners(folder / "partenaires.csv", communes=table)
    raw = pd.read_csv(folder / "partenaires.csv", sep=";", encoding="utf-8-sig", dtype=str)
    return table, polygons, partners, partner_ressort(partners, table), raw


def raw_missions_locales(raw: pd.DataFrame) -> pd.DataFrame:
    """Mission locale rows of the demo file, read without the workbench's reader."""
    kind = raw["Type"].str.lower().str.replace("_", " ").str.strip()
    return raw[kind == "mission locale"]


def test_demo_mission_locale_coverage_matches_the_file(demo):
    table, _polygons, partners, ressort, raw = demo
    ml = raw_missions_locales(raw)
    served = [set(r.split("|")) for r in ml["Ressort"]]
    every = set(table["commune"])
    expected_uncovered = sorted(every - set().union(*served))
    expected_overlap = sorted(c for c in every if sum(c in communes for communes in served) >= 2)
    assert len(expected_uncovered) == 1 and len(expected_overlap) == 3  # the demo's design
    uncovered = coverage.uncovered_communes(partners, ressort, table, types="mission_locale")
    assert uncovered["commune"].tolist() == expected_uncovered
    overlaps = coverage.overlapping_ressorts(partners, ressort, table, types="mission_locale")
    assert overlaps["commune"].tolist() == expected_overlap
    assert all(len(ids) == 2 for ids in overlaps["partenaires"])
    out = coverage.partner_coverage(
        partners, ressort, table, by="departement", types="mission_locale"
    ).set_index("territoire")
    population = table.set_index("commune")["population"]
    dep = expected_uncovered[0][:2]
    assert out.loc[dep, "communes_non_couvertes"] == 1
    assert out.loc[dep, "population_couverte"] == (
        population[population.index.str.startswith(dep)].sum() - population[expected_uncovered[0]]
    )
    assert out["communes_chevauchement"].sum() == 3
    for d in ("9A", "9B", "9C"):
        touching = sum(any(c.startswith(d) for c in communes) for communes in served)
        assert out.loc[d, "nb_structures"] == touching


def test_demo_nearest_mission_locale_matches_a_brute_force_search(demo):
    table, polygons, partners, ressort, raw = demo
    ml = raw_missions_locales(raw)
    centroids = polygons.to_crs("EPSG:2154").set_index("commune").geometry.centroid
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    sites = []
    for _, row in ml.iterrows():
        if isinstance(row["Latitude"], str):
            lat, lon = (float(row[c].replace(",", ".")) for c in ("Latitude", "Longitude"))
            sites.append(to_l93.transform(lon, lat))
        else:  # no coordinates: the centroid of the site commune
            sites.append((centroids[row["Code commune"]].x, centroids[row["Code commune"]].y))
    sites = np.array(sites)
    xy = np.column_stack([centroids.x, centroids.y])
    brute = np.sqrt(((xy[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2)).min(axis=1) / 1000
    expected = pd.Series(brute, index=centroids.index)
    cov = coverage.commune_coverage(
        partners, ressort, table, geometries=polygons, types="mission_locale"
    ).set_index("commune")
    np.testing.assert_allclose(cov["distance_km"], expected[cov.index], atol=1e-6)
    out = coverage.partner_coverage(
        partners, ressort, table, by="departement", geometries=polygons, types="mission_locale"
    ).set_index("territoire")
    weights = table.set_index("commune")["population"].astype(float)
    for dep in ("9A", "9B", "9C"):
        inside = weights.index.str.startswith(dep)
        mean = (expected[weights.index[inside]] * weights[inside]).sum() / weights[inside].sum()
        assert out.loc[dep, "distance_moyenne_km"] == pytest.approx(mean)
        assert out.loc[dep, "distance_max_km"] == pytest.approx(
            expected[weights.index[inside]].max()
        )


def test_demo_maps_open_offline(demo, tmp_path):
    table, polygons, partners, ressort, raw = demo
    cov = coverage.commune_coverage(partners, ressort, table, geometries=polygons)
    pages = []
    for name, m in (
        ("partenaires", coverage.map_partners(partners, geometries=polygons)),
        ("couverture", coverage.map_coverage(cov, polygons)),
    ):
        maps.save_map(m, tmp_path / f"{name}.html")
        pages.append((tmp_path / f"{name}.html").read_text(encoding="utf-8"))
    for page in pages:
        assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', page)
    assert js(f"Mission locale ({len(raw_missions_locales(raw))})") in pages[0]
    assert "Commune hors du ressort de toute mission locale : 1" in pages[1]


# --------------------------------------------------------------------------- real data


@pytest.mark.real_data
def test_pays_de_la_loire_partners_against_real_communes_and_bassins(shared_data):
    from pyproj import Geod

    from geo import referentials

    polygons = referentials.read_commune_polygons(
        sorted((shared_data / "geometries").glob("communes-*.geojson"))
    )
    table = territories.commune_table(
        polygons,
        bassin=referentials.read_commune_bassin(
            shared_data / "referentiels" / "commune_bassin_bmo.csv"
        ),
        population=referentials.read_communes_population(
            shared_data / "referentiels" / "communes_population.json"
        ),
    )
    # A mission locale in the most populated commune of every bassin but Mamers (5209),
    # placed at its commune (no coordinates), serving its bassin.
    hubs = (
        table.dropna(subset=["bassin"])
        .sort_values("population", ascending=False)
        .drop_duplicates("bassin")
    )
    hubs = hubs[hubs["bassin"] != "5209"]
    records = [
        {
            "partenaire_id": f"ML{b}",
            "nom": f"Mission locale {b}",
            "type": "mission_locale",
            "commune": c,
            "ressort_territoire": f"bassin:{b}",
        }
        for b, c in zip(hubs["bassin"], hubs["commune"], strict=True)
    ]
    # A Cap emploi at the town hall of every préfecture, serving its département.
    prefectures = {
        "44": ("44109", 47.2184, -1.5536),
        "49": ("49007", 47.4711, -0.5518),
        "53": ("53130", 48.0707, -0.7734),
        "72": ("72181", 48.0061, 0.1996),
        "85": ("85191", 46.6705, -1.4260),
    }
    records += [
        {
            "partenaire_id": f"CAP{d}",
            "nom": f"Cap emploi {d}",
            "type": "cap_emploi",
            "commune": c,
            "latitude": lat,
            "longitude": lon,
            "ressort_territoire": f"departement:{d}",
        }
        for d, (c, lat, lon) in prefectures.items()
    ]
    # Four CCAS without any ressort: their commune serves.
    ccas = ["44109", "49007", "53130", "49099"]
    records += [
        {"partenaire_id": f"CCAS{c}", "nom": f"CCAS {c}", "type": "ccas", "commune": c}
        for c in ccas
    ]
    partners = partners_from_records(records)
    assert len(partners) == 35
    ressort = partner_ressort(partners, table)

    mamers = sorted(table.loc[table["bassin"] == "5209", "commune"])
    uncovered = coverage.uncovered_communes(partners, ressort, table, types="mission_locale")
    assert uncovered["commune"].tolist() == mamers and len(mamers) > 10
    by_bassin = coverage.partner_coverage(
        partners, ressort, table, by="bassin", types="mission_locale"
    ).set_index("territoire")
    assert len(by_bassin) == table["bassin"].nunique()
    assert by_bassin.loc["5209", ["nb_structures", "communes_couvertes"]].tolist() == [0, 0]
    others = by_bassin.drop(index="5209")
    assert (others["nb_structures"] == 1).all() and (others["part_communes_couvertes"] == 1).all()

    region = coverage.partner_coverage(
        partners, ressort, table, by="departement", geometries=polygons
    )
    population = table.set_index("commune")["population"]
    covered = region[region["type"] == "mission_locale"]["population_couverte"].sum()
    assert covered == population.sum() - population[mamers].sum()
    ccas_rows = region[region["type"] == "ccas"]
    assert ccas_rows["population_couverte"].sum() == population[ccas].sum()
    assert ccas_rows["communes_couvertes"].sum() == 4
    cap = region[region["type"] == "cap_emploi"].set_index("territoire")
    assert (cap["nb_structures"] == 1).all() and (cap["part_communes_couvertes"] == 1).all()

    # Straight lines in Lambert-93 agree with geodesic distances (within 0.5 %).
    cov = coverage.commune_coverage(
        partners, ressort, table, geometries=polygons, types="cap_emploi"
    ).set_index("commune")
    points = coverage.commune_points(polygons).set_index("commune").geometry
    geod = Geod(ellps="GRS80")
    lats = np.array([lat for _, lat, _ in prefectures.values()])
    lons = np.array([lon for _, _, lon in prefectures.values()])
    geodesic = np.array(
        [
            geod.inv(np.full(5, p.x), np.full(5, p.y), lons, lats)[2].min() / 1000
            for p in points[cov.index]
        ]
    )
    np.testing.assert_allclose(cov["distance_km"], geodesic, rtol=5e-3, atol=0.05)
    # Saint-Nazaire is served from Nantes, about 50 km away.
    assert cov.loc["44184", "site_proche"] == "CAP44"
    assert 45 < cov.loc["44184", "distance_km"] < 60
