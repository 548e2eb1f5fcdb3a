from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely import Polygon, box

from geo import polygons, referentials, simplify


def wiggly_pair():
    """Two neighbours sharing a zig-zag border."""
    border = [(1 + 0.003 * ((i * 37) % 11), i / 50) for i in range(51)]
    left = Polygon([(0, 0), *border, (0, 1)])
    right = Polygon([(2, 0), (2, 1), *reversed(border)])
    return gpd.GeoDataFrame(
        {"territoire": ["A", "B"]}, geometry=[left, right], crs="EPSG:2154"
    ).set_geometry(gpd.GeoSeries([left, right], crs="EPSG:2154").scale(1000, 1000, origin=(0, 0)))


def test_coverage_simplification_keeps_shared_borders_shared():
    gdf = wiggly_pair()
    naive = gdf.copy()
    naive.geometry = gdf.geometry.simplify(15)
    assert not simplify.check_coverage(naive).valid  # per-polygon simplify opens gaps
    out = simplify.simplify_coverage(gdf, tolerance_m=15)
    check = simplify.check_coverage(out)
    assert check.valid, check
    assert sum(len(g.exterior.coords) for g in out.geometry) < sum(
        len(g.exterior.coords) for g in gdf.geometry
    )


def test_check_coverage_measures_overlaps_and_gaps():
    over = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 1), box(1, 0, 3, 1)], crs="EPSG:2154")
    assert simplify.check_coverage(over).overlaps_m2 == pytest.approx(1.0)
    ring = gpd.GeoDataFrame(
        geometry=[box(0, 0, 3, 1), box(0, 2, 3, 3), box(0, 1, 1, 2), box(2, 1, 3, 2)],
        crs="EPSG:2154",
    )
    assert simplify.check_coverage(ring).gaps_m2 == pytest.approx(1.0)


def test_size_target_is_met(demo_dir, tmp_path):
    communes = referentials.read_commune_polygons(sorted(demo_dir.glob("communes-*.geojson")))
    corr = referentials.read_correspondence(demo_dir / "commune_bassin_bmo.csv", "bassin")
    bassins, _ = polygons.dissolve_communes(communes, corr)
    out = simplify.simplify_coverage(bassins, max_bytes=20_000)
    assert out.attrs["geojson_bytes"] <= 20_000
    size = simplify.save_geojson(out, tmp_path / "b.geojson")
    assert size == out.attrs["geojson_bytes"]
    data = json.loads((tmp_path / "b.geojson").read_text())
    assert len(data["features"]) == len(bassins)
    assert simplify.check_coverage(out).valid


@pytest.mark.real_data
def test_pays_de_la_loire_bassins_fit_300_kb_without_gaps(shared_data):
    communes = referentials.read_commune_polygons(
        sorted((shared_data / "geometries").glob("communes-*.geojson"))
    )
    corr = referentials.read_correspondence(
        shared_data / "referentiels" / "commune_bassin_bmo.csv", "bassin"
    )
    bassins, _ = polygons.dissolve_communes(communes, corr, region="52")
    out = simplify.simplify_coverage(bassins, max_bytes=300_000)
    assert out.attrs["geojson_bytes"] <= 300_000
    check = simplify.check_coverage(out)
    assert check.valid and check.overlaps_m2 == 0 and check.gaps_m2 == 0
