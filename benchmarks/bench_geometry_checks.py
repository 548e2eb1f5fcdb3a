"""Benchmark: what the geometry sanity checks of the commune reader cost (issue 14).

Reads the 1,272 Pays de la Loire commune polygons of ``../shared/data`` and times the
whole reader (:func:`geo.referentials.read_commune_polygons`, checks included), then
the two checks alone: the location of each commune against the box of its code
(:func:`geo.polygons.misplaced_communes`) and the overlap search
(:func:`geo.polygons.overlapping_communes`: coverage validation, then spatial index
and interior relate on the flagged polygons only). Best of N runs, seconds.

Run: ``.venv/bin/python benchmarks/bench_geometry_checks.py [--repetitions N]``;
prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import polygons, referentials  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def best_of(repetitions: int, func) -> float:
    """Shortest wall time of ``repetitions`` calls of ``func``."""
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    files = sorted((SHARED / "geometries").glob("communes-*.geojson"))
    if not files:
        print(f"pas de polygones de communes dans {SHARED / 'geometries'}")
        return
    communes = referentials.read_commune_polygons(files)
    n = len(communes)
    read = best_of(args.repetitions, lambda: referentials.read_commune_polygons(files))
    placed = best_of(args.repetitions, lambda: polygons.misplaced_communes(communes))
    overlaps = best_of(args.repetitions, lambda: polygons.overlapping_communes(communes))
    print(f"{n} communes, {len(files)} fichiers")
    print(f"lecture complète (contrôles compris) : {read:.3f} s")
    print(f"  emplacement des communes           : {placed:.3f} s")
    print(f"  recherche des chevauchements       : {overlaps:.3f} s")
    print(f"  soit {1000 * (placed + overlaps) / n:.3f} ms par commune")


if __name__ == "__main__":
    main()
