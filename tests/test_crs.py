from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import box

from geo import crs
from geo._errors import CRSError


def test_metric_work_refuses_degrees_and_missing_crs():
    wgs = gpd.GeoDataFrame(geometry=[box(-1.6, 47.2, -1.5, 47.3)], crs="EPSG:4326")
    with pytest.raises(CRSError, match="coordonnées géographiques.*Lambert-93"):
        crs.area_km2(wgs)
    with pytest.raises(CRSError, match="aucun système de coordonnées"):
        crs.to_metric(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]))
    area = crs.area_km2(crs.to_metric(wgs)).item()
    assert area == pytest.approx(7.5 * 11.1, rel=0.03)


def test_overseas_uses_local_projection():
    assert crs.metric_crs_for("974") == "EPSG:2975"
    assert crs.metric_crs_for("44") == "EPSG:2154"
