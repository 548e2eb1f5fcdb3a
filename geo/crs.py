"""CRS discipline: store in WGS84, measure in Lambert-93 (or the local overseas projection).

Metric functions of the workbench call :func:`require_metric` and refuse
geographic coordinates with a French message instead of returning areas in
"square degrees".
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import settings
from geo._errors import CRSError

__all__ = [
    "LOCAL_METRIC_CRS",
    "metric_crs_for",
    "to_metric",
    "to_storage",
    "require_metric",
    "area_km2",
]

#: Official local projections of the overseas départements (by département code).
LOCAL_METRIC_CRS: dict[str, str] = {
    "971": "EPSG:5490",  # RGAF09 / UTM 20N (Guadeloupe)
    "972": "EPSG:5490",  # RGAF09 / UTM 20N (Martinique)
    "973": "EPSG:2972",  # RGFG95 / UTM 22N (Guyane)
    "974": "EPSG:2975",  # RGR92 / UTM 40S (La Réunion)
    "976": "EPSG:4471",  # RGM04 / UTM 38S (Mayotte)
}


def metric_crs_for(departement: str | None = None) -> str:
    """Return the metric CRS to use for a département (Lambert-93 in metropolitan France).

    Examples
    --------
    >>> metric_crs_for("44"), metric_crs_for("974")
    ('EPSG:2154', 'EPSG:2975')
    """
    if departement is not None and departement in LOCAL_METRIC_CRS:
        return LOCAL_METRIC_CRS[departement]
    return settings.metric_crs


def _require_crs(gdf: gpd.GeoDataFrame, what: str) -> None:
    if gdf.crs is None:
        raise CRSError(
            f"{what} : aucun système de coordonnées. Déclarez-le avec "
            "gdf.set_crs('EPSG:4326') (WGS84) ou 'EPSG:2154' (Lambert-93)."
        )


def to_metric(
    gdf: gpd.GeoDataFrame, *, departement: str | None = None, what: str = "Couche"
) -> gpd.GeoDataFrame:
    """Project ``gdf`` to the metric CRS (Lambert-93, or the overseas local one).

    Raises
    ------
    CRSError
        ``gdf`` has no CRS.
    """
    _require_crs(gdf, what)
    return gdf.to_crs(metric_crs_for(departement))


def to_storage(gdf: gpd.GeoDataFrame, *, what: str = "Couche") -> gpd.GeoDataFrame:
    """Project ``gdf`` to the storage CRS (WGS84)."""
    _require_crs(gdf, what)
    return gdf.to_crs(settings.storage_crs)


def require_metric(gdf: gpd.GeoDataFrame, *, what: str = "Ce calcul") -> None:
    """Refuse geographic (degree) coordinates for a metric computation.

    Raises
    ------
    CRSError
        ``gdf`` has no CRS or a geographic one.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> require_metric(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs="EPSG:4326"))
    Traceback (most recent call last):
    ...
    geo._errors.CRSError: Ce calcul : coordonnées géographiques (EPSG:4326, en degrés) ...
    """
    _require_crs(gdf, what)
    if gdf.crs.is_geographic:
        raise CRSError(
            f"{what} : coordonnées géographiques ({gdf.crs.to_string()}, en degrés) : les "
            "distances et surfaces seraient fausses. Projetez d'abord en Lambert-93 avec "
            "geo.crs.to_metric(gdf) (ou gdf.to_crs('EPSG:2154'))."
        )


def area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Area of each geometry in km², computed in a metric CRS.

    ``gdf`` must be in a projected CRS (use :func:`to_metric`).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> area_km2(gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 2000)], crs="EPSG:2154")).tolist()
    [2.0]
    """
    require_metric(gdf, what="Calcul de surface")
    return pd.Series(gdf.geometry.area / 1e6, index=gdf.index, name="surface_km2")
