from __future__ import annotations

import re

import folium
import geopandas as gpd
import pytest
from shapely import box

from geo import maps


def sample():
    return gpd.GeoDataFrame(
        {
            "territoire": ["1", "2"],
            "territoire_nom": ["Un", "Deux"],
            "nb_communes": [3, 4],
            "colonne_privee": ["valeur-privee-1", "valeur-privee-2"],
        },
        geometry=[box(-1, 47, 0, 48), box(0, 47, 1, 48)],
        crs="EPSG:4326",
    )


def test_saved_map_is_self_contained_and_carries_only_displayed_columns(tmp_path):
    path = tmp_path / "carte.html"
    size = maps.save_map(maps.map_territories(sample(), title="Essai"), path)
    html = path.read_text(encoding="utf-8")
    assert size == len(html.encode())
    assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', html)
    assert "L.map(" in html and "L.geoJson(" in html
    assert "colonne_privee" not in html and "valeur-privee" not in html
    assert "Deux" in html and "Essai" in html


def test_neighbours_get_different_colours():
    html = maps.map_territories(sample()).get_root().render()
    colours = re.findall(r'"_couleur": "(#[0-9a-f]{6})"', html)
    assert len(colours) == 2 and colours[0] != colours[1]


def test_external_tiles_are_refused():
    m = folium.Map(tiles="OpenStreetMap")
    with pytest.raises(ValueError, match="ressources externes.*tiles=None"):
        maps.self_contained_html(m.get_root().render())


def test_map_coordinates_rounded_to_five_decimals():
    gdf = gpd.GeoDataFrame(
        {"territoire": ["1"], "territoire_nom": ["Un"]},
        geometry=[box(-1.123456789, 47.987654321, -0.5, 48.25)],
        crs="EPSG:4326",
    )
    page = maps.self_contained_html(maps.map_territories(gdf).get_root().render())
    script = page.split("L.map(", 1)[1]  # the map's own script, after the inlined Leaflet
    assert "[-1.12346,47.98765]" in script
    assert re.findall(r"\d\.\d{6,}", script) == []


def test_printed_frame_hides_map_controls():
    frame = maps.iframe_html("<html><head></head><body></body></html>", title="Carte")
    rule = re.search(
        r"@media print\{([^}]*)\{display:none!important\}\}", frame.replace("&quot;", '"')
    )
    assert rule is not None
    assert set(rule.group(1).split(",")) == {
        ".leaflet-control-zoom",
        ".leaflet-control-layers",
        ".leaflet-control-attribution",
    }
    assert 'sandbox="allow-scripts"' in frame and "allow-same-origin" not in frame
