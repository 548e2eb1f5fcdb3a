"""Benchmark: partner coverage and nearest-site distances at national scale.

Goal (issue 4): coverage and nearest-site distances of every partner type for
35,000 communes × 20,000 partner sites in at most 5 s on a 2-core machine.

The territory is generated (seeded, nothing read): 35,000 commune seeds drawn in a
France-like Lambert-93 box, their Voronoi cells as commune polygons, 96
"départements" and 400 "bassins" on grids, log-normal populations; 20,000
structures of 35 types with ressorts of four kinds (own commune; communes within a
radius; partition by nearest site, as missions locales; the whole département).
Also compares the nearest-site search of shapely (``STRtree.query_nearest``),
scipy (``cKDTree``) and scikit-learn (``KDTree``) on the same points.

Run: ``.venv/bin/python benchmarks/bench_coverage.py [--repetitions N]``. Prints
figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diagnostics import coverage  # noqa: E402
from geo.display import format_int  # noqa: E402

N_COMMUNES = 35_000
N_SITES = 20_000
BOX = (100_000.0, 6_050_000.0, 1_200_000.0, 7_110_000.0)  # Lambert-93, metropolitan France

# type → (number of structures, ressort rule, radius in km for "rayon")
TYPES: dict[str, tuple[int, str, float]] = {
    "ccas": (4_200, "commune", 0),
    "commune": (2_400, "commune", 0),
    "epci": (1_200, "rayon", 12),
    "siae_aci": (1_800, "rayon", 15),
    "siae_ai": (700, "rayon", 20),
    "siae_ei": (1_000, "rayon", 15),
    "siae_etti": (250, "rayon", 30),
    "geiq": (150, "rayon", 40),
    "organisme_formation": (2_500, "rayon", 30),
    "afpa": (120, "rayon", 50),
    "mission_locale": (440, "proche", 0),
    "paio": (40, "rayon", 15),
    "cap_emploi": (100, "departement", 0),
    "plie": (150, "rayon", 20),
    "maison_emploi": (120, "rayon", 20),
    "conseil_regional": (13, "rayon", 150),
    "conseil_departemental": (96, "departement", 0),
    "caf": (101, "departement", 0),
    "opco": (110, "rayon", 100),
    "cci": (120, "departement", 0),
    "cma": (96, "departement", 0),
    "chambre_agriculture": (94, "departement", 0),
    "branche_professionnelle": (200, "rayon", 60),
    "cio": (450, "rayon", 25),
    "lycee": (1_500, "rayon", 10),
    "universite_baip": (75, "rayon", 60),
    "e2c": (140, "rayon", 30),
    "epide": (20, "rayon", 80),
    "spip": (100, "departement", 0),
    "pjj": (220, "rayon", 40),
    "reseau_creation_entreprise": (600, "rayon", 25),
    "apec": (50, "rayon", 80),
    "cite_des_metiers": (30, "rayon", 50),
    "association_solidarite": (400, "rayon", 10),
    "cidff": (0, "rayon", 0),  # filled below so that the total is 20,000
}
TYPES["cidff"] = (N_SITES - sum(n for n, _, _ in TYPES.values()), "rayon", 20)


def generate(seed: int = 2024) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Commune polygons (Lambert-93), commune table, partner directory, ressort table."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = BOX
    xy = np.column_stack([rng.uniform(xmin, xmax, N_COMMUNES), rng.uniform(ymin, ymax, N_COMMUNES)])
    cells = shapely.voronoi_polygons(
        shapely.multipoints(xy), extend_to=shapely.box(*BOX), ordered=True
    )
    polygons = shapely.intersection(shapely.get_parts(cells), shapely.box(*BOX))
    dep_index = (np.floor((xy[:, 0] - xmin) / (xmax - xmin) * 12)).astype(int) + 12 * (
        np.floor((xy[:, 1] - ymin) / (ymax - ymin) * 8)
    ).astype(int)
    departement = np.array([f"{d + 1:02d}" for d in dep_index])
    bassin_index = (np.floor((xy[:, 0] - xmin) / (xmax - xmin) * 20)).astype(int) + 20 * (
        np.floor((xy[:, 1] - ymin) / (ymax - ymin) * 20)
    ).astype(int)
    rank = pd.Series(np.arange(N_COMMUNES)).groupby(departement).cumcount().to_numpy()
    codes = np.array([f"{d}{r + 1:03d}" for d, r in zip(departement, rank, strict=True)])
    communes = pd.DataFrame(
        {
            "commune": codes,
            "commune_nom": [f"Commune {c}" for c in codes],
            "departement": departement,
            "region": "99",
            "bassin": [f"{b + 1:04d}" for b in bassin_index],
            "population": np.round(rng.lognormal(6.3, 1.3, N_COMMUNES)).astype(int) + 1,
        }
    ).astype({c: "string" for c in ("commune", "commune_nom", "departement", "region", "bassin")})
    communes["population"] = communes["population"].astype("Int64")
    geometries = gpd.GeoDataFrame({"commune": communes["commune"]}, geometry=polygons, crs=2154)

    kinds = np.concatenate([np.full(n, t, dtype=object) for t, (n, _, _) in TYPES.items()])
    host = rng.integers(0, N_COMMUNES, N_SITES)  # site commune
    site_xy = xy[host] + rng.normal(0, 1_500, (N_SITES, 2))
    lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(
        site_xy[:, 0], site_xy[:, 1]
    )
    ids = np.array([f"P{i:05d}" for i in range(N_SITES)])
    partners = pd.DataFrame(
        {
            "partenaire_id": ids,
            "nom": [f"Structure {i}" for i in range(N_SITES)],
            "type": kinds,
            "type_libelle": [str(k).replace("_", " ").capitalize() for k in kinds],
            "commune": codes[host],
            "latitude": lat,
            "longitude": lon,
        }
    ).astype({c: "string" for c in ("partenaire_id", "nom", "type", "type_libelle", "commune")})

    tree = cKDTree(xy)
    rows_p: list[np.ndarray] = []
    rows_c: list[np.ndarray] = []
    for kind, (_, rule, radius) in TYPES.items():
        members = np.flatnonzero(kinds == kind)
        if rule == "commune":
            rows_p.append(ids[members])
            rows_c.append(codes[host[members]])
        elif rule == "rayon":
            near = tree.query_ball_point(site_xy[members], radius * 1000)
            for m, found in zip(members, near, strict=True):
                found = found or [host[m]]
                rows_p.append(np.full(len(found), ids[m]))
                rows_c.append(codes[found])
        elif rule == "proche":
            _, nearest = cKDTree(site_xy[members]).query(xy)
            rows_p.append(ids[members][nearest])
            rows_c.append(codes)
        else:  # departement
            by_dep = pd.Series(np.arange(N_COMMUNES)).groupby(departement).indices
            for m in members:
                found = by_dep[departement[host[m]]]
                rows_p.append(np.full(len(found), ids[m]))
                rows_c.append(codes[found])
    ressort = pd.DataFrame(
        {"partenaire_id": np.concatenate(rows_p), "commune": np.concatenate(rows_c)}
    ).astype("string")
    return geometries, communes, partners, ressort


def thousands(n: int) -> str:
    return format_int(n)


def nearest_methods(points: np.ndarray, sites: np.ndarray, kinds: np.ndarray) -> dict[str, float]:
    """Seconds to find the nearest site of every type for every commune, per library."""
    out: dict[str, float] = {}
    types = pd.unique(kinds)

    def timed(name: str, search) -> None:
        t0 = time.perf_counter()
        for kind in types:
            search(sites[kinds == kind])
        out[name] = time.perf_counter() - t0

    timed("scipy cKDTree", lambda s: cKDTree(s).query(points))
    pts = shapely.points(points)
    timed(
        "shapely STRtree.query_nearest",
        lambda s: shapely.STRtree(shapely.points(s)).query_nearest(pts, return_distance=True),
    )
    try:
        from sklearn.neighbors import KDTree
    except ImportError:
        out["scikit-learn KDTree"] = float("nan")
    else:
        timed("scikit-learn KDTree", lambda s: KDTree(s).query(points))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    geometries, communes, partners, ressort = generate()
    print(
        f"généré en {time.perf_counter() - t0:.1f} s : {thousands(len(communes))} communes, "
        f"{thousands(len(partners))} structures de {partners['type'].nunique()} types, "
        f"{thousands(len(ressort))} lignes de ressort"
    )
    wgs84 = geometries.to_crs(4326)
    headline = "synthèse par département × type depuis les polygones Lambert-93 (partner_coverage)"
    t = time.perf_counter()
    coverage.partner_coverage(partners, ressort, communes, by="departement", geometries=geometries)
    cold = time.perf_counter() - t
    steps: dict[str, list[float]] = {
        "points des communes (polygones Lambert-93 → centroïdes)": [],
        "couverture + distances par commune × type depuis les points (commune_coverage)": [],
        headline: [],
        "synthèse par bassin × type depuis les polygones WGS84 (partner_coverage)": [],
    }
    names = list(steps)
    for _ in range(args.repetitions):
        t = time.perf_counter()
        points = coverage.commune_points(geometries)
        steps[names[0]].append(time.perf_counter() - t)
        t = time.perf_counter()
        cov = coverage.commune_coverage(partners, ressort, communes, geometries=points)
        steps[names[1]].append(time.perf_counter() - t)
        t = time.perf_counter()
        by_dep = coverage.partner_coverage(
            partners, ressort, communes, by="departement", geometries=geometries
        )
        steps[names[2]].append(time.perf_counter() - t)
        t = time.perf_counter()
        coverage.partner_coverage(partners, ressort, communes, by="bassin", geometries=wgs84)
        steps[names[3]].append(time.perf_counter() - t)
    med = statistics.median
    for name, values in steps.items():
        print(
            f"{name} : {med(values):.3f} s (médiane de {args.repetitions}, max {max(values):.3f})"
        )
    print(
        f"objectif ≤ 5 s — couverture + distances, 35 types, 35 000 communes × 20 000 sites : "
        f"{med(steps[headline]):.3f} s (premier appel, à froid : {cold:.3f} s)"
    )
    print(
        f"tables produites : {thousands(len(cov))} lignes commune × type, "
        f"{thousands(len(by_dep))} lignes département × type ; communes sans mission locale : "
        f"{int((cov.loc[cov['type'] == 'mission_locale', 'nb_structures'] == 0).sum())}"
    )
    xy = coverage.commune_points(geometries).to_crs(2154).get_coordinates().to_numpy()
    sites = coverage.partner_sites(partners).to_crs(2154)
    site_xy = sites.get_coordinates().to_numpy()
    kinds = sites["type"].to_numpy()
    runs = [nearest_methods(xy, site_xy, kinds) for _ in range(3)]
    print("site le plus proche, 35 types × 35 000 communes (médiane de 3) :")
    for name in runs[0]:
        print(f"  {name} : {med(r[name] for r in runs):.3f} s")


if __name__ == "__main__":
    main()
