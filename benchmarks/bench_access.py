"""Benchmark: distance from every commune to the nearest France Travail agence locale.

Goal (issue 15): the nearest agence for 35,000 communes in at most 1 s on a 2-core
machine.

Two runs:

- synthetic: 35,000 commune points drawn (seeded) in a France-like Lambert-93 box
  and the 852 agences of the real sites file (or 852 points drawn likewise when
  ``../shared/data`` is absent), through
  :func:`diagnostics.coverage.nearest_agence_distance` with a centroid table;
- real, when ``../shared/data`` is present: the sites file read and placed in the
  1,272 communes of the five Pays de la Loire départements (polygons), then the
  nearest agence of each commune from its polygon (centroids computed in the call).

Run: ``.venv/bin/python benchmarks/bench_access.py [--repetitions N]``. Prints
figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diagnostics import coverage  # noqa: E402
from diagnostics.partnerships import read_france_travail_sites  # noqa: E402

N_COMMUNES = 35_000
N_AGENCES = 852
BOX = (100_000.0, 6_050_000.0, 1_200_000.0, 7_110_000.0)  # Lambert-93, metropolitan France
SHARED = ROOT.parent / "shared" / "data"


def _timed(fn, repetitions: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repetitions):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def _points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(BOX[0], BOX[2], n)
    y = rng.uniform(BOX[1], BOX[3], n)
    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(x, y)
    return np.asarray(lat), np.asarray(lon)


def main(argv: list[str] | None = None) -> int:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(15)
    lat, lon = _points(rng, N_COMMUNES)
    communes = pd.DataFrame(
        {"commune": [f"{10 + i // 1000:02d}{i % 1000:03d}" for i in range(N_COMMUNES)],
         "latitude": lat, "longitude": lon}
    )  # fmt: skip
    sites_file = SHARED / "partenaires" / "pole_emploi_agencies.csv"
    if sites_file.is_file():
        start = time.perf_counter()
        sites = read_france_travail_sites(sites_file)
        print(
            f"lecture du fichier des sites ({len(sites)} sites) : {time.perf_counter() - start:.3f} s"
        )
        sites = sites[(sites["latitude"] > 41) & (sites["longitude"] > -6)]  # metropolitan
        origin = "agences réelles (métropole)"
    else:
        a_lat, a_lon = _points(rng, N_AGENCES)
        sites = pd.DataFrame(
            {"site_id": [f"A{i}" for i in range(N_AGENCES)], "nom": "agence", "niveau": "agence",
             "latitude": a_lat, "longitude": a_lon}
        )  # fmt: skip
        origin = "agences tirées au hasard"
    n_agences = int((sites["niveau"] == "agence").sum())
    seconds, out = _timed(
        lambda: coverage.nearest_agence_distance(sites, communes), args.repetitions
    )
    d = out["distance_km"]
    print(
        f"agence la plus proche, {N_COMMUNES} points synthétiques × {n_agences} {origin} : "
        f"{seconds:.3f} s (médiane de {args.repetitions}) ; distance médiane {d.median():.1f} km, "
        f"max {d.max():.1f} km (objectif ≤ 1 s)"
    )
    if sites_file.is_file():
        from geo.referentials import read_commune_polygons

        polygons = read_commune_polygons(
            sorted((SHARED / "geometries").glob("communes-[0-9]*.geojson"))
        )
        start = time.perf_counter()
        placed = read_france_travail_sites(sites_file, communes=polygons)
        print(
            f"lecture et placement des sites dans {len(polygons)} communes : {time.perf_counter() - start:.3f} s"
        )
        seconds, out = _timed(
            lambda: coverage.nearest_agence_distance(placed, polygons), args.repetitions
        )
        d = out["distance_km"]
        print(
            f"agence la plus proche, {len(polygons)} communes réelles (polygones, centroïdes) : "
            f"{seconds:.3f} s ; distance médiane {d.median():.1f} km, max {d.max():.1f} km, "
            f"{int((d > 20).sum())} commune(s) à plus de 20 km"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
