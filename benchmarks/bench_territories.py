"""Benchmark: building and simplifying the 26 Pays de la Loire bassins from 1,272 communes.

Goal (issue 2): build + simplify in at most 2 s on a 2-core machine; simplified bassin
GeoJSON for the région at most 300 KB with no gaps or overlaps between neighbours.
Also measures the self-contained map: our inlined-Leaflet page against folium-offline
(when installed), which embeds every asset.

Run: ``.venv/bin/python benchmarks/bench_territories.py [--repetitions N]``. Reads the real
files of ``../shared/data``; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import maps, polygons, referentials, simplify  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"données réelles absentes ({SHARED}) : rien à mesurer")
        return
    files = sorted((SHARED / "geometries").glob("communes-*.geojson"))
    corr_file = SHARED / "referentiels" / "commune_bassin_bmo.csv"

    read_s, build_s, simplify_fixed_s, simplify_search_s = [], [], [], []
    for _ in range(args.repetitions):
        t0 = time.perf_counter()
        communes = referentials.read_commune_polygons(files)
        corr = referentials.read_correspondence(corr_file, "bassin")
        t1 = time.perf_counter()
        bassins, _report = polygons.dissolve_communes(communes, corr, region="52")
        t2 = time.perf_counter()
        fixed = simplify.simplify_coverage(bassins, tolerance_m=150)
        t3 = time.perf_counter()
        light = simplify.simplify_coverage(bassins, max_bytes=300_000)
        t4 = time.perf_counter()
        read_s.append(t1 - t0)
        build_s.append(t2 - t1)
        simplify_fixed_s.append(t3 - t2)
        simplify_search_s.append(t4 - t3)

    med = statistics.median
    print(f"communes lues : {len(communes)} ; bassins construits : {len(bassins)}")
    print(
        f"lecture (5 GeoJSON + table communes→bassins) : {med(read_s):.3f} s (médiane de {args.repetitions})"
    )
    print(f"dissolution en bassins : {med(build_s):.3f} s")
    print(
        f"simplification, tolérance fixe 150 m : {med(simplify_fixed_s):.3f} s "
        f"→ {fixed.attrs['geojson_bytes'] / 1000:.0f} Ko"
    )
    print(
        f"simplification, recherche de la taille ≤ 300 Ko : {med(simplify_search_s):.3f} s "
        f"→ tolérance {light.attrs['tolerance_m']} m, {light.attrs['geojson_bytes'] / 1000:.0f} Ko"
    )
    print(
        f"construire + simplifier (tolérance fixe) : {med(build_s) + med(simplify_fixed_s):.3f} s ; "
        f"avec lecture : {med(read_s) + med(build_s) + med(simplify_fixed_s):.3f} s"
    )
    print(
        f"construire + simplifier (recherche de taille) avec lecture : "
        f"{med(read_s) + med(build_s) + med(simplify_search_s):.3f} s"
    )
    check = simplify.check_coverage(light)
    print(
        f"couverture simplifiée : valide={check.valid}, chevauchements={check.overlaps_m2} m², "
        f"trous={check.gaps_m2} m², arêtes invalides={check.invalid_edges}"
    )

    page = maps.self_contained_html(maps.map_territories(light).get_root().render())
    print(f"carte autonome (Leaflet intégré) : {len(page.encode()) / 1000:.0f} Ko")
    try:
        import geopandas as gpd
        import offlinefolium
        from shapely import box

        one = gpd.GeoDataFrame({"n": ["a"]}, geometry=[box(-1, 47, 0, 48)], crs="EPSG:4326")
        ours = maps.self_contained_html(
            maps.map_territories(one, tooltip_columns={"n": "n"}).get_root().render()
        )
        m = offlinefolium.Map(tiles=None)
        offlinefolium.GeoJson(one.__geo_interface__).add_to(m)
        theirs = m.get_root().render()
        print(
            f"carte d'un polygone : atelier {len(ours.encode()) / 1000:.0f} Ko, "
            f"folium-offline {len(theirs.encode()) / 1000:.0f} Ko "
            f"(×{len(theirs.encode()) / len(ours.encode()):.1f})"
        )
    except ImportError:
        print("folium-offline non installé : comparaison de taille de carte non faite")


if __name__ == "__main__":
    main()
