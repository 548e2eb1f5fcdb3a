"""Web-map simplification that keeps shared borders shared.

Neighbouring territories are simplified together as a *coverage* (GEOS
``coverage_simplify``): each shared edge is simplified once, so no gap or overlap
appears between neighbours, unlike per-polygon ``simplify``. Tolerances are in
metres (the work is done in Lambert-93) and can be searched to meet a target
GeoJSON size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo import settings
from geo._errors import GeometryError
from geo.crs import to_metric

__all__ = ["CoverageCheck", "check_coverage", "simplify_coverage", "geojson_text", "save_geojson"]

_PRECISION = 5  # decimals of degree in GeoJSON output (about 1 m)


@dataclass(frozen=True)
class CoverageCheck:
    """Gaps and overlaps between neighbouring polygons, in m².

    ``gaps_m2`` counts holes of the union that are not holes of any polygon and
    are smaller than ``max_gap_m2`` (real lakes or enclaves are larger).
    """

    valid: bool
    overlaps_m2: float
    gaps_m2: float
    invalid_edges: int


def check_coverage(gdf: gpd.GeoDataFrame, *, max_gap_m2: float = 1e6) -> CoverageCheck:
    """Measure gaps and overlaps between the polygons of ``gdf``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> tiles = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:2154")
    >>> check_coverage(tiles)
    CoverageCheck(valid=True, overlaps_m2=0.0, gaps_m2=0.0, invalid_edges=0)
    """
    metric = to_metric(gdf) if gdf.crs is not None and gdf.crs.is_geographic else gdf
    geoms = metric.geometry.values
    edges = shapely.coverage_invalid_edges(geoms)
    invalid_edges = int((~shapely.is_empty(edges)).sum())
    union = shapely.union_all(geoms)
    overlaps = float(shapely.area(geoms).sum() - union.area)
    own_holes = {
        shapely.normalize(shapely.Polygon(ring)).wkb
        for g in geoms
        for p in shapely.get_parts(g)
        for ring in p.interiors
    }
    gaps = 0.0
    for part in shapely.get_parts(union):
        for ring in part.interiors:
            hole = shapely.Polygon(ring)
            if hole.area <= max_gap_m2 and shapely.normalize(hole).wkb not in own_holes:
                gaps += hole.area
    return CoverageCheck(
        valid=invalid_edges == 0 and overlaps < 1.0 and gaps < 1.0,
        overlaps_m2=round(max(overlaps, 0.0), 3),
        gaps_m2=round(gaps, 3),
        invalid_edges=invalid_edges,
    )


def _simplified(metric: gpd.GeoDataFrame, tolerance_m: float, crs) -> gpd.GeoDataFrame:
    geoms = metric.geometry.values
    simple = shapely.coverage_simplify(geoms, tolerance_m) if tolerance_m > 0 else geoms
    out = metric.copy()
    out.geometry = gpd.GeoSeries(simple, index=metric.index, crs=metric.crs)
    out = out.to_crs(crs)
    out.geometry = shapely.set_precision(out.geometry.values, 10**-_PRECISION)
    return out


def geojson_text(gdf: gpd.GeoDataFrame, *, precision: int = _PRECISION) -> str:
    """Compact GeoJSON text of ``gdf`` in WGS84, coordinates rounded to ``precision`` decimals."""
    data = gdf.to_crs(settings.storage_crs) if gdf.crs is not None else gdf
    return _round_geojson(data, precision)


def _round_geojson(gdf: gpd.GeoDataFrame, precision: int) -> str:
    data = json.loads(gdf.to_json(na="null", drop_id=True))

    def rnd(c):
        if isinstance(c[0], (int, float)):
            return [round(float(v), precision) for v in c]
        return [rnd(x) for x in c]

    for feature in data["features"]:
        geom = feature.get("geometry")
        if geom:
            geom["coordinates"] = rnd(geom["coordinates"])
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def save_geojson(gdf: gpd.GeoDataFrame, path, *, precision: int = _PRECISION) -> int:
    """Write ``gdf`` as compact GeoJSON (WGS84) and return its size in bytes."""
    text = geojson_text(gdf, precision=precision)
    data = text.encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)
    return len(data)


def simplify_coverage(
    gdf: gpd.GeoDataFrame,
    *,
    tolerance_m: float | None = None,
    max_bytes: int | None = None,
) -> gpd.GeoDataFrame:
    """Simplify neighbouring polygons together, keeping shared borders shared.

    Parameters
    ----------
    gdf
        Polygons forming a coverage (territories built by
        :func:`geo.polygons.dissolve_communes`), in any CRS.
    tolerance_m
        Simplification tolerance in metres (Visvalingam–Whyatt area criterion
        of GEOS ``coverage_simplify``).
    max_bytes
        Instead of a tolerance: the smallest tolerance whose compact GeoJSON
        (5 decimals) fits in ``max_bytes`` is searched for.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows and columns, simplified geometries in the CRS of ``gdf``,
        ``attrs["tolerance_m"]`` and ``attrs["geojson_bytes"]`` set.

    Raises
    ------
    GeometryError
        ``max_bytes`` cannot be met even at a very coarse tolerance.

    Examples
    --------
    >>> from geo import referentials, polygons, settings
    >>> demo = settings.demo_dir()
    >>> communes = referentials.read_commune_polygons(sorted(demo.glob("communes-*.geojson")))
    >>> corr = referentials.read_correspondence(demo / "commune_bassin_bmo.csv", "bassin")
    >>> bassins, _ = polygons.dissolve_communes(communes, corr)
    >>> light = simplify_coverage(bassins, max_bytes=60_000)
    >>> light.attrs["geojson_bytes"] <= 60_000, check_coverage(light).valid
    (True, True)
    """
    metric = to_metric(gdf)
    crs = gdf.crs
    if max_bytes is None:
        tolerance = 200.0 if tolerance_m is None else float(tolerance_m)
        out = _simplified(metric, tolerance, crs)
        out.attrs.update(tolerance_m=tolerance, geojson_bytes=len(geojson_text(out).encode()))
        return out
    lo, hi = 0.0, float(tolerance_m or 50.0)
    best = None
    # Grow the upper bound until the size fits, then bisect on a log scale.
    for _ in range(12):
        candidate = _simplified(metric, hi, crs)
        size = len(geojson_text(candidate).encode())
        if size <= max_bytes:
            best = (hi, candidate, size)
            break
        lo, hi = hi, hi * 3
    if best is None:
        raise GeometryError(
            f"Impossible de descendre sous {max_bytes} octets même avec une tolérance de "
            f"{hi:.0f} m : augmentez la taille cible ou réduisez le nombre de territoires."
        )
    if lo > 0:
        for _ in range(7):
            mid = float(np.sqrt(lo * best[0]))
            candidate = _simplified(metric, mid, crs)
            size = len(geojson_text(candidate).encode())
            if size <= max_bytes:
                best = (mid, candidate, size)
            else:
                lo = mid
    tol, out, size = best
    out.attrs.update(tolerance_m=round(tol, 1), geojson_bytes=size)
    return out
