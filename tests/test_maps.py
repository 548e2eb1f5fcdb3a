from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pytest
from shapely import Point, box

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


def _labels(page: str) -> list[list]:
    """The ``[latitude, longitude, name]`` of the place labels of a folium page."""
    found = re.search(r"(\[\[[^\n]*?\]\])\.forEach", page)
    return json.loads(found.group(1)) if found else []


def test_place_labels_are_escaped_rounded_and_styled_once():
    places = gpd.GeoDataFrame(
        {"nom": ["Les Sables-d'Olonne", "<b>Rezé</b>", None]},
        geometry=[Point(-1.783456789, 46.4967), Point(-1.55, 47.18), Point(0, 47)],
        crs="EPSG:4326",
    )
    m = maps.add_place_labels(folium.Map(tiles=None), places)
    maps.add_place_labels(m, places.iloc[:1])
    page = m.get_root().render()
    assert _labels(page) == [
        [46.4967, -1.78346, "Les Sables-d&#x27;Olonne"],
        [47.18, -1.55, "&lt;b&gt;Rezé&lt;/b&gt;"],
    ]  # a place without a name is not written
    assert page.count(".etiquette-lieu span{") == 1  # one style for every label
    assert "<b>Rezé" not in page


def test_outline_is_a_line_without_data_or_mouse_events():
    shapes = sample()
    page = maps.add_outline(folium.Map(tiles=None), shapes, weight=2).get_root().render()
    assert '"fill": false' in page and '"weight": 2' in page and '"interactive": false' in page
    assert "Deux" not in page and "valeur-privee" not in page


def test_territory_map_with_one_fill_outline_borders_labels_and_legend():
    shapes = sample()
    places = gpd.GeoDataFrame({"nom": ["Chef-lieu"]}, geometry=[Point(-0.5, 47.5)], crs="EPSG:4326")
    m = maps.map_territories(
        shapes,
        fill="#a6bddb",
        background=shapes,
        outline=shapes.dissolve(),
        borders=shapes,
        places=places,
        legend={
            "territories": "Communes du territoire",
            "background": "Autres territoires",
            "outline": "Limite du territoire",
            "borders": "Limite de département",
        },
    )
    page = m.get_root().render()
    assert set(re.findall(r'"_couleur": "(#[0-9a-f]{6})"', page)) == {"#a6bddb"}
    legend = re.search(r'<div class="legende-atelier".*?</div></details></div>', page).group(0)
    assert re.findall(r"</span>([^<]+)</div>", legend) == [
        "Communes du territoire",
        "Autres territoires",
        "Limite du territoire",
        "Limite de département",
    ]
    assert "border-top:3px solid #000091" in legend and "border-top:1.5px solid" in legend
    assert _labels(page) == [[47.5, -0.5, "Chef-lieu"]]
    assert '"zoomSnap": 0.25' in page  # framed closely on the territories


def test_territory_map_legend_lists_each_category_with_its_colour():
    shapes = sample()
    page = (
        maps.map_territories(
            shapes,
            color_column="territoire_nom",
            legend={"territories": "x", "caption": "Départements"},
        )
        .get_root()
        .render()
    )
    legend = re.search(r'<div class="legende-atelier".*?</div></details></div>', page).group(0)
    assert "<b>Départements</b>" in legend
    assert re.findall(r"background:(#[0-9a-f]{6})\"></span>([^<]+)</div>", legend) == [
        ("#4e79a7", "Un"),
        ("#f28e2b", "Deux"),
    ]
    assert "Limite" not in legend  # nothing outlined, nothing said
