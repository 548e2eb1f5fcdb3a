"""Hostile names in the generated pages (issue 14, script injection).

Every builder of a page (each ``map_*``, the network view, the portrait's sections
and pages) gets a name carrying a payload, as a partner file or a territory table
could: the page must have the same structure as with a harmless name (no tag, event
attribute or ``javascript:`` link more; inside the scripts, no backtick, ``${``,
backslash, ``<!--``, ``</`` or line separator more), must not contain the raw payload,
and must still show the name to the reader (once the page's own escapes are undone).
``tests/browser/test_hostile_pages.py`` opens such pages in Chromium.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from shapely import box

from diagnostics import coverage, network
from diagnostics.cotraitance import map_flows
from diagnostics.partners import partners_from_records
from diagnostics.portrait.html import Section, index_page, portrait_page
from diagnostics.training import map_training_flows
from geo import maps
from geo.escape import html_properties, html_text, script_json

PAYLOADS = {
    "fin_de_script": "Agence </script><script>alert(1)</script>",
    "accent_grave": "ML `);alert(1);//",
    "interpolation": "Centre ${alert(1)}",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "guillemets_svg": "\"'><svg onload=alert(1)>",
    "separateurs": "Ligne\u2028deux\u2029trois",
    "textarea": "</textarea><script>alert(1)</script>",
    "javascript_url": "javascript:alert(1)",
    "antislash": "C:\\dossier\\u0041\\",
    "commentaire": "<!--<script>",
    "deja_echappe": "Caf&eacute; &amp; &lt;b&gt; & co",
}
HARMLESS = "Agence témoin"
#: Inside a script, what a name must never add (it ends a literal, interpolates, or
#: changes how the HTML parser finds the end of the script).
SCRIPT_MARKS = ("`", "${", "<!--", "</", "\u2028", "\u2029", "\n")
#: A backslash other than a JSON ``\uXXXX`` escape (the ones folium's ``tojson`` writes).
BACKSLASH = re.compile(r"\\(?!u[0-9a-fA-F]{4})")


class _Structure(HTMLParser):
    """Tags, event attributes, ``javascript:`` links and script marks of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.counts: Counter[str] = Counter()
        self.frames: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[f"<{tag}>"] += 1
        self._script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.counts[f"@{name}"] += 1
            link = name in ("href", "src", "action", "formaction", "xlink:href")
            if link and (value or "").strip().lower().startswith("javascript:"):
                self.counts["javascript:"] += 1
            if name == "srcdoc" and value is not None:
                self.frames.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script:
            for mark in SCRIPT_MARKS:
                self.counts[f"script {mark!r}"] += data.count(mark)
            self.counts["script backslash"] += len(BACKSLASH.findall(data))


def documents(page: str) -> list[tuple[str, Counter[str]]]:
    """``page`` and every ``srcdoc`` document inside it, with their structure."""
    parser = _Structure()
    parser.feed(page)
    parser.close()
    found = [(page, parser.counts)]
    for frame in parser.frames:
        found += documents(frame)
    return found


def unjson(page: str) -> str:
    """``page`` with the JSON ``\\uXXXX`` escapes undone: what scripts hand to Leaflet as HTML."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def readable(page: str) -> str:
    """What the reader gets: JSON escapes and character references undone."""
    return html.unescape(unjson(page))


# --------------------------------------------------------------------------- builders


def _square(i: int) -> object:
    return box(-2.0 + i, 46.0, -1.0 + i, 47.0)


def _territories(name: str) -> str:
    gdf = gpd.GeoDataFrame(
        {"territoire": ["9901", "9902"], "territoire_nom": [name, "Autre"], "nb_communes": [3, 4]},
        geometry=[_square(0), _square(1)],
        crs="EPSG:4326",
    )
    return maps.map_territories(gdf, title=f"Carte {name}").get_root().render()


def _bmo(name: str) -> str:
    from diagnostics.bmo import map_bmo_bassins

    summary = pd.DataFrame(
        {
            "bassin": ["9901", "9902"],
            "bassin_nom": [name, "Autre"],
            "projets": [120, 40],
            "projets_min": [120, 40],
            "projets_max": [130, 40],
            "part_difficiles": [0.5, 0.25],
            "part_saisonniers": [0.1, 0.2],
            "cellules_secretes": [1, 0],
        }
    )
    bassins = gpd.GeoDataFrame(
        {"bassin": ["9901", "9902"]}, geometry=[_square(0), _square(1)], crs="EPSG:4326"
    )
    return map_bmo_bassins(summary, bassins, title=name).get_root().render()


def _partners(name: str) -> str:
    partners = partners_from_records(
        [
            {
                "partenaire_id": "P1",
                "nom": name,
                "type": "mission_locale",
                "type_libelle": "Mission locale",
                "latitude": 46.5,
                "longitude": -1.5,
                "reseau": name,
            },
            {
                "partenaire_id": "P2",
                "nom": "Cap emploi",
                "type": "cap_emploi",
                "type_libelle": "Cap emploi",
                "latitude": 46.6,
                "longitude": -0.5,
            },
        ]
    )
    return coverage.map_partners(partners, title=name).get_root().render()


def _coverage(name: str) -> str:
    polygons = gpd.GeoDataFrame(
        {"commune": ["9A001", "9A002"], "commune_nom": [name, "Autre"]},
        geometry=[_square(0), _square(1)],
        crs="EPSG:4326",
    )
    partners = pd.DataFrame({"partenaire_id": ["ml1"], "type": ["mission_locale"]})
    ressort = pd.DataFrame({"partenaire_id": ["ml1"], "commune": ["9A001"]})
    cov = coverage.commune_coverage(partners, ressort, polygons)
    return coverage.map_coverage(cov, polygons, title=name).get_root().render()


def _cotraitance(name: str) -> str:
    structures = pd.DataFrame(
        {
            "code": ["A1", "M1"],
            "nom": [name, f"Mission locale {name}"],
            "type": ["agence", "mission_locale"],
            "latitude": [46.5, 46.8],
            "longitude": [-1.5, -1.0],
        }
    )
    flows = pd.DataFrame({"agence": ["A1"], "mission_locale": ["M1"], "affectations": [50]})
    return map_flows(flows, structures, title=name, threshold=5).get_root().render()


def _training(name: str) -> str:
    flows = pd.DataFrame(
        {
            "agence": ["A1"],
            "centre": [f"Centre {name}"],
            "prescriptions": [30],
            "hors_region": [False],
            "hors_territoire": [True],
        }
    )
    sessions = pd.DataFrame(
        {"centre": [f"Centre {name}"], "latitude": [46.9], "longitude": [-0.8], "afpa": [True]}
    )
    agences = pd.DataFrame(
        {"agence": ["A1"], "nom": [name], "latitude": [46.5], "longitude": [-1.5]}
    )
    return map_training_flows(flows, sessions, agences, title=name).get_root().render()


def _graph(name: str) -> nx.Graph:
    g = nx.Graph()
    g.add_node("P1", nom=name, latitude=46.5, longitude=-1.5, nature="partenaire",
               type_libelle=name)  # fmt: skip
    g.add_node("PE-AG-1", nom="Agence", latitude=46.6, longitude=-1.4, nature="pole_emploi")
    g.add_edge("P1", "PE-AG-1", modes=name, volume=120.0, nb_partenariats=1)
    return g


def _network_map(name: str) -> str:
    return network.map_network(_graph(name), title=name).get_root().render()


def _network_view(name: str) -> str:
    return network.network_view_html(_graph(name), title=name)


def _portrait(name: str) -> str:
    import folium
    from matplotlib.figure import Figure

    m = folium.Map(tiles=None)
    maps.add_flow_line(m, (46.5, -1.5), (46.6, -1.4), volume=10, biggest=10, label=name,
                       unit="affectations")  # fmt: skip
    section = (
        Section("essai")
        .heading(name)
        .text(f"Territoire {name}.")
        .bullets([name, "deux"])
        .note(name)
        .absent(name)
        .table(pd.DataFrame({"Nom": [name], "Valeur": [1]}), name="t", caption=name)
        .figure(Figure(figsize=(1, 1)), name="graphique", alt=name)
        .map(m, name="carte", title=name)
        .page(_network_view(name), name="reseau", title=name)
    )
    return portrait_page(section._repr_html_(), title=name, footer=name)


def _index(name: str) -> str:
    rows = [{"code": name, "nom": name, "statut": "produit", "sortie": f"bassin_{name}.html",
             "avertissements": [name]}]  # fmt: skip
    return index_page(rows, title=name, intro=name, footer=name)


BUILDERS: dict[str, Callable[[str], str]] = {
    "map_territories": _territories,
    "map_bmo_bassins": _bmo,
    "map_partners": _partners,
    "map_coverage": _coverage,
    "map_flows": _cotraitance,
    "map_training_flows": _training,
    "map_network": _network_map,
    "network_view_html": _network_view,
    "portrait": _portrait,
    "index_page": _index,
}


@functools.cache
def _baseline(builder: str) -> list[Counter[str]]:
    return [counts for _, counts in documents(BUILDERS[builder](HARMLESS))]


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
@pytest.mark.parametrize("builder", list(BUILDERS))
def test_hostile_name_is_shown_as_text_and_never_runs(builder, payload):
    page = BUILDERS[builder](payload)
    docs = documents(page)
    assert [counts for _, counts in docs] == _baseline(builder)
    if "<" in payload:  # markup (a backtick or a separator is harmless outside scripts),
        # also where a script holds it as JSON and Leaflet shows it as HTML (tooltips)
        assert all(payload not in unjson(doc) for doc, _ in docs)
    assert any(payload in readable(doc) for doc, _ in docs), "le nom n'est plus lisible"


# --------------------------------------------------------------------------- the helper


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_html_text_leaves_no_character_with_a_meaning_in_html_or_javascript(payload):
    escaped = html_text(payload)
    assert not set(escaped) & set("<>\"'`$\\\n\u2028\u2029")
    assert html.unescape(escaped) == payload


def test_script_json_cannot_end_the_script_and_keeps_the_value():
    import json

    value = {"nom": PAYLOADS["fin_de_script"] + "\u2028" + PAYLOADS["commentaire"]}
    literal = script_json(value)
    assert "<" not in literal and "\u2028" not in literal
    assert json.loads(literal) == value


def test_html_properties_escapes_text_and_keeps_numbers_and_missing_values():
    frame = pd.DataFrame({"nom": [PAYLOADS["img_onerror"], None], "n": [1.5, None]}, dtype=object)
    out = html_properties(frame, ["nom", "n"])
    assert out["nom"].tolist() == [html_text(PAYLOADS["img_onerror"]), None]
    assert out["n"].tolist() == [1.5, None]
    assert frame.loc[0, "nom"] == PAYLOADS["img_onerror"]  # input not modified


def test_map_frames_are_sandboxed_without_same_origin():
    frame = maps.iframe_html("<p>x</p>", title=PAYLOADS["guillemets_svg"])
    parser = _Structure()
    parser.feed(frame)
    assert 'sandbox="allow-scripts"' in frame and "allow-same-origin" not in frame
    assert parser.counts["<svg>"] == 0 and parser.frames == ["<p>x</p>"]


def test_network_map_popups_work_offline_without_jquery():
    # folium.Popup calls jQuery's $, which the offline pages drop: the page stopped at
    # the first actor ("$ is not defined") and drew none of them.
    page = maps.self_contained_html(_network_map(PAYLOADS["img_onerror"]))
    assert "$(`" not in page and ".bindPopup(" in page
    assert "jquery" not in page.lower()
