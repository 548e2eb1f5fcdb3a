"""Interactive maps (folium) that open offline.

folium's default page loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs,
which a locked-down workstation cannot reach. :func:`self_contained_html` inlines
the assets a map really uses (Leaflet, and Leaflet.markercluster when clustering
is used), vendored under ``geo/_assets``, and removes the stylesheets and scripts
that only decorate folium's own widgets. Measured on a one-polygon map: about
170 KB against 1.47 MB for ``folium-offline``, which embeds every asset. Any
remaining external request makes it fail loudly rather than ship a broken map.

Maps carry only the columns they display: the GeoJSON embedded in the page is
built from the tooltip columns and the geometry, nothing else.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

import branca
import folium
import geopandas as gpd
import pandas as pd

from geo import settings
from geo._errors import SchemaError
from geo.display import Missing, format_count
from geo.escape import html_properties, html_text, script_json

__all__ = [
    "map_territories",
    "self_contained_html",
    "iframe_html",
    "save_map",
    "bounds_of",
    "point_bounds",
    "add_flow_line",
    "add_popup",
    "add_legend",
    "add_title",
    "add_background",
    "add_colored_polygons",
    "add_outline",
    "add_place_labels",
]

_ASSETS = Path(__file__).resolve().parent / "_assets"

# URL fragment → local file to inline (None: not needed by the maps the workbench draws).
_INLINE: list[tuple[str, str | None]] = [
    ("leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    ("MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css"),
    ("MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("leaflet.js", "leaflet/leaflet.js"),
    ("leaflet.css", "leaflet/leaflet.css"),
    ("jquery", None),
    ("bootstrap", None),
    ("awesome-markers", None),
    ("awesome.rotate", None),
    ("fontawesome", None),
    ("glyphicons", None),
]

_PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
]  # fmt: skip


def _asset_text(relative: str) -> str:
    text = (_ASSETS / relative).read_text(encoding="utf-8")
    if relative.endswith("leaflet.css"):
        # Leaflet's own icons referenced as url(images/x.png): embed them as data URIs.
        def data_uri(match: re.Match[str]) -> str:
            png = (_ASSETS / "leaflet" / "images" / match.group(1)).read_bytes()
            return f"url(data:image/png;base64,{base64.b64encode(png).decode()})"

        text = re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, text)
    return text


def self_contained_html(html: str) -> str:
    """Inline the Leaflet assets of a folium page and drop the unused CDN ones.

    Raises
    ------
    ValueError
        The page still loads something from outside (a tile layer, an unknown
        plugin): the message names the URL.

    Examples
    --------
    >>> import folium
    >>> html = self_contained_html(folium.Map(tiles=None).get_root().render())
    >>> "cdn.jsdelivr" in html, "L.map(" in html
    (False, True)
    """

    def replace_script(match: re.Match[str]) -> str:
        url = match.group(1)
        for fragment, local in _INLINE:
            if fragment in url:
                return "" if local is None else f"<script>{_asset_text(local)}</script>"
        return match.group(0)

    def replace_link(match: re.Match[str]) -> str:
        url = match.group(1)
        for fragment, local in _INLINE:
            if fragment in url:
                return "" if local is None else f"<style>{_asset_text(local)}</style>"
        return match.group(0)

    loads = re.findall(r'<script src="(https?://[^"]+)"', html)
    loads += re.findall(r'<link rel="stylesheet" href="(https?://[^"]+)"', html)
    unknown = [u for u in loads if not any(fragment in u for fragment, _ in _INLINE)]
    unknown += re.findall(r'<img[^>]+src="(https?://[^"]+)"', html)
    unknown += re.findall(r'L\.tileLayer\(\s*"(https?://[^"]+)"', html)
    if unknown:
        raise ValueError(
            "La carte charge encore des ressources externes, qui ne s'afficheront pas sans "
            f"internet : {', '.join(sorted(set(unknown))[:5])}. Utilisez tiles=None."
        )
    html = _rounded_coordinates(html)
    out = re.sub(r'<script src="(https?://[^"]+)"></script>', replace_script, html)
    out = re.sub(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>', replace_link, out)
    return out


#: Decimals kept in the numbers of a map page: 5 decimals of a degree are about 1 m.
_COORDINATE_DECIMALS = 5
_LONG_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d{6,}")
_PAIR_SPACE = re.compile(r"\[(-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)\]")


def _rounded_coordinates(page: str) -> str:
    """Round the numbers of a rendered folium page to ``_COORDINATE_DECIMALS`` decimals.

    The GeoJSON of the maps is written with the 15 or so decimals of a float: a
    hundred-thousandth of a degree (about 1 m) is finer than the simplified contours.
    The spaces inside and between coordinate pairs go too (a tenth of the page).
    Applied to the page before the libraries are inlined (the page holds only the
    map's own script and data then).

    Examples
    --------
    >>> _rounded_coordinates('[[-1.5534561234567, 47.2183719999999], [0, 1], 0.55, "x1.1234567"]')
    '[[-1.55346,47.21837],[0,1], 0.55, "x1.1234567"]'
    """

    def shorter(match: re.Match[str]) -> str:
        value = round(float(match.group(0)), _COORDINATE_DECIMALS)
        return repr(value)

    page = _LONG_DECIMAL.sub(shorter, page)
    return _PAIR_SPACE.sub(r"[\1,\2]", page).replace("], [", "],[")


# Printed maps keep their colours (see iframe_html) and lose the controls one cannot
# click on paper: zoom buttons, layer control, Leaflet's attribution.
_PRINT_COLOURS = (
    "<style>*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "@media print{.leaflet-control-zoom,.leaflet-control-layers,.leaflet-control-attribution"
    "{display:none!important}}</style>"
)


def iframe_html(
    page: str, *, title: str, height: int = 460, css_class: str = "carte", attributes: str = ""
) -> str:
    """A sandboxed ``<iframe srcdoc>`` holding the self-contained ``page`` (a map, a view).

    The page keeps its own scripts and styles, apart from the notebook or portrait
    around it; ``attributes`` are extra, already escaped, attributes of the frame.
    ``sandbox="allow-scripts"``: the page runs its own scripts (Leaflet, the network
    view) but in an opaque origin, without access to the page around it, its storage
    or cookies, and without pop-ups, forms, dialogs or top-level navigation; the maps
    need nothing more (zoom, pan, tooltips, popups, layer control and printing the
    page around them all work in a sandboxed frame; the page asks for its colours to
    be printed, which Chromium otherwise leaves out of a sandboxed frame). Never add
    ``allow-same-origin`` next to ``allow-scripts``: together they let the frame
    remove its own sandbox.

    Examples
    --------
    >>> frame = iframe_html("<p>a & b</p>", title="Vue", height=100)
    >>> frame.startswith('<iframe class="carte" sandbox="allow-scripts" title="Vue"')
    True
    >>> 'srcdoc="&lt;p&gt;a &amp; b' in frame
    True
    """
    extra = f" {attributes.strip()}" if attributes.strip() else ""
    # Chromium prints a sandboxed frame on its own, without the "print backgrounds"
    # setting of the page around it: the map's grey ground and the clusters would vanish
    # from the PDF portrait unless the frame asks for its colours to be printed.
    if "<head>" in page:
        page = page.replace("<head>", f"<head>{_PRINT_COLOURS}", 1)
    return (
        f'<iframe class="{css_class}"{extra} sandbox="allow-scripts" title="{html_text(title)}" '
        f'style="width:100%;height:{height}px;border:1px solid #ccc" '
        f'srcdoc="{html_text(page)}"></iframe>'
    )


def save_map(m: folium.Map | folium.Figure, path: str | Path) -> int:
    """Write ``m`` as one self-contained HTML file (no CDN, no tiles) and return its size."""
    data = self_contained_html(m.get_root().render()).encode("utf-8")
    Path(path).write_bytes(data)
    return len(data)


def add_flow_line(
    m: folium.Map,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    volume: float,
    biggest: float,
    label: str,
    unit: str,
    color: str = "#1f4e79",
) -> None:
    """Draw a flow ``start → end`` whose width follows ``volume`` (1 to 10 px of ``biggest``).

    A hidden volume (``<NA>``, under disclosure control) is a thin dashed line whose
    tooltip says « secret statistique », never a number. ``label`` is plain text (names
    from input files): it is escaped here (:func:`geo.escape.html_text`).
    """
    hidden = pd.isna(volume)
    folium.PolyLine(
        [start, end],
        weight=1 if hidden else 1 + 9 * float(volume) / biggest,
        dash_array="4" if hidden else None,
        color=color,
        opacity=0.7,
        tooltip=html_text(f"{label} : {format_count(volume, unit, missing=Missing.SECRET)}"),
    ).add_to(m)


class _BoundPopup(branca.element.MacroElement):
    """``layer.bindPopup(html)`` with the HTML as a JSON literal: no jQuery, no template literal."""

    _template = branca.element.Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup({{ this.content }}, {maxWidth: {{ this.width }}});"
        "{% endmacro %}"
    )

    def __init__(self, content: str, width: int) -> None:
        super().__init__()
        self._name = "BoundPopup"
        self.content = script_json(content)
        self.width = int(width)


def add_popup(layer: branca.element.Element, content: str, *, max_width: int = 300) -> None:
    """Bind a popup showing ``content`` (HTML built with :func:`geo.escape.html_text`) to ``layer``.

    Use it instead of ``folium.Popup``, whose script calls jQuery's ``$``, which the
    offline pages do not carry (:func:`self_contained_html` drops it): the page would
    stop at the first popup and draw nothing after it.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> marker = folium.CircleMarker((47.0, -1.0)).add_to(m)
    >>> add_popup(marker, "<b>" + html_text("A </script>") + "</b>")
    >>> page = m.get_root().render()
    >>> ".bindPopup(" in page, "A </script>" in page, "$(`" in page
    (True, False, False)
    """
    layer.add_child(_BoundPopup(content, max_width))


def _page(m: folium.Map) -> branca.element.Figure:
    """The HTML page holding ``m`` (folium types ``get_root`` as any ``Element``)."""
    return cast(branca.element.Figure, m.get_root())


def add_legend(
    m: folium.Map,
    caption: str,
    items: Sequence[tuple[str, str]],
    *,
    outlined: Sequence[tuple[str, str]] = (),
    lines: Sequence[tuple[str, str, float]] = (),
) -> folium.Map:
    """Add a plain HTML legend (no script, no CDN) in the bottom-right corner of ``m``.

    ``items`` are ``(colour, label)`` pairs drawn as filled swatches in order;
    ``outlined`` ones as dashed outlines (highlighted features); ``lines`` are
    ``(colour, label, width)`` drawn as solid lines (a territory's outline,
    borders: :func:`add_outline`). The legend folds on a click on its title and
    scrolls when longer than the map. Use it instead of ``branca`` colormaps, whose
    ``add_to`` loads d3 from a CDN.

    Examples
    --------
    >>> import folium
    >>> m = add_legend(folium.Map(tiles=None), "Part difficile", [("#fff5eb", "40 %"), ("#7f2704", "70 %")])
    >>> "Part difficile" in m.get_root().render()
    True
    """
    swatch = (
        '<span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
        'vertical-align:middle;box-sizing:border-box;{}"></span>'
    )
    rows = "".join(
        f"<div>{swatch.format(f'border:1px solid #777;background:{html_text(c)}')}"
        f"{html_text(label)}</div>"
        for c, label in items
    )
    rows += "".join(
        f'<div style="margin-top:4px">{swatch.format(f"border:3px dashed {html_text(c)}")}'
        f"{html_text(label)}</div>"
        for c, label in outlined
    )
    rows += "".join(
        "<div>"
        + swatch.format(f"height:0;border-top:{float(w):g}px solid {html_text(c)}")
        + f"{html_text(label)}</div>"
        for c, label, w in lines
    )
    _page(m).html.add_child(
        branca.element.Element(
            '<div class="legende-atelier" style="position:fixed;bottom:30px;right:10px;z-index:9999;'
            "background:white;padding:6px 8px;border:1px solid #999;font:12px sans-serif;"
            'line-height:18px;max-width:260px;max-height:calc(100% - 100px);overflow-y:auto">'
            f'<details open><summary style="cursor:pointer"><b>{html_text(caption)}</b></summary>'
            f"{rows}</details></div>"
        )
    )
    return m


def add_title(m: folium.Map, title: str) -> folium.Map:
    """Add a title box over the top-left of ``m`` (plain HTML)."""
    _page(m).html.add_child(
        branca.element.Element(
            '<div style="position:fixed;top:10px;left:60px;z-index:9999;background:white;'
            'padding:4px 8px;border:1px solid #999;font:14px sans-serif">'
            f"{html_text(title)}</div>"
        )
    )
    return m


def add_background(m: folium.Map, background: gpd.GeoDataFrame) -> folium.Map:
    """Draw ``background`` polygons (e.g. départements) in grey, geometry only, not in the layer list."""
    folium.GeoJson(
        background.to_crs(settings.storage_crs)[[background.geometry.name]].__geo_interface__,
        name="Fond",
        style_function=lambda _f: {
            "color": "#999999",
            "weight": 1,
            "fillColor": "#eeeeee",
            "fillOpacity": 0.5,
        },
        control=False,
    ).add_to(m)
    return m


def add_outline(
    m: folium.Map,
    shapes: gpd.GeoDataFrame,
    *,
    color: str = "#000091",
    weight: float = 3.0,
    dash: str | None = None,
) -> folium.Map:
    """Draw the outline of ``shapes`` (a territory, départements), unfilled, geometry only.

    The line takes no mouse events, so the tooltips of the polygons under it still
    open; it stays out of the layer list (say what it is in :func:`add_legend`).

    Examples
    --------
    >>> import folium
    >>> from shapely import box
    >>> shapes = gpd.GeoDataFrame({"nom": ["<b>"]}, geometry=[box(-1, 47, 0, 48)], crs="EPSG:4326")
    >>> page = add_outline(folium.Map(tiles=None), shapes).get_root().render()
    >>> '"fill": false' in page, "<b>" in page
    (True, False)
    """
    folium.GeoJson(
        shapes.to_crs(settings.storage_crs)[[shapes.geometry.name]].__geo_interface__,
        style_function=lambda _f: {
            "fill": False,
            "color": color,
            "weight": weight,
            **({"dashArray": dash} if dash else {}),
        },
        interactive=False,
        control=False,
    ).add_to(m)
    return m


_LABEL_STYLE = (
    "<style>.etiquette-lieu span{position:absolute;transform:translate(-50%,-50%);"
    "white-space:nowrap;font:600 12px/1.2 sans-serif;color:#161616;pointer-events:none;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}</style>"
)


class _PlaceLabels(branca.element.MacroElement):
    """Permanent text labels at points: one script, the names as one JSON literal."""

    _template = branca.element.Template(
        "{% macro script(this, kwargs) %}"
        "{{ this.places }}.forEach(function (p) {"
        " L.marker([p[0], p[1]], {interactive: false, keyboard: false,"
        " icon: L.divIcon({className: 'etiquette-lieu', iconSize: [0, 0], html: '<span>' + p[2] + '</span>'})})"
        ".addTo({{ this._parent.get_name() }}); });"
        "{% endmacro %}"
    )

    def __init__(self, places: list[list[float | str]]) -> None:
        super().__init__()
        self._name = "PlaceLabels"
        self.places = script_json(places)


def add_place_labels(m: folium.Map, places: gpd.GeoDataFrame, *, column: str = "nom") -> folium.Map:
    """Write the ``column`` of each point of ``places`` on ``m`` as a permanent light label.

    For the few main places of a map (its largest communes): the text is drawn at
    the point, dark on a white halo, and takes no mouse events (the tooltips of the
    polygons under it still open). Names are plain text, escaped here
    (:func:`geo.escape.html_text`).

    Examples
    --------
    >>> import folium
    >>> from shapely import Point
    >>> places = gpd.GeoDataFrame({"nom": ["Les Sables-d'Olonne", "<i>x</i>"]},
    ...     geometry=[Point(-1.78, 46.5), Point(-1.5, 46.6)], crs="EPSG:4326")
    >>> page = add_place_labels(folium.Map(tiles=None), places).get_root().render()
    >>> "Les Sables-d" in page, "<i>x" in page, page.count("etiquette-lieu span")
    (True, False, 1)
    """
    points = places.to_crs(settings.storage_crs)
    rows: list[list[float | str]] = [
        [round(float(pt.y), 5), round(float(pt.x), 5), html_text(str(name))]
        for pt, name in zip(points.geometry, points[column], strict=True)
        if pt is not None and not pt.is_empty and isinstance(name, str)
    ]
    if rows:
        _page(m).header.add_child(branca.element.Element(_LABEL_STYLE), name="etiquettes_lieux")
        m.add_child(_PlaceLabels(rows))
    return m


def add_colored_polygons(
    m: folium.Map,
    layer: gpd.GeoDataFrame,
    *,
    name: str,
    tooltip: dict[str, str],
    outline: str = "#555555",
    weight: float = 1.0,
    fill_opacity: float = 0.75,
) -> folium.Map:
    """Draw polygons filled with their ``_couleur`` column, with a French tooltip.

    ``layer`` (WGS84) must hold the ``tooltip`` columns and ``_couleur``; only
    they are embedded in the page. ``name`` (the entry of the layer control), the
    tooltip labels and the text values are plain text, escaped here
    (:func:`geo.escape.html_text`): Leaflet shows them as HTML.
    """
    columns = [*dict.fromkeys([*tooltip, "_couleur"])]
    shown = html_properties(layer[[*columns, layer.geometry.name]], list(tooltip))
    folium.GeoJson(
        shown.__geo_interface__,
        name=html_text(name),
        style_function=lambda f: {
            "fillColor": f["properties"]["_couleur"],
            "color": outline,
            "weight": weight,
            "fillOpacity": fill_opacity,
        },
        highlight_function=lambda _f: {
            "weight": weight + 2,
            "fillOpacity": min(1.0, fill_opacity + 0.2),
        },
        tooltip=folium.GeoJsonTooltip(
            fields=list(tooltip),
            aliases=[f"{html_text(v)} :" for v in tooltip.values()],
            localize=True,
        ),
    ).add_to(m)
    return m


def bounds_of(gdf: gpd.GeoDataFrame) -> list[list[float]]:
    """Leaflet bounds ``[[south, west], [north, east]]`` of ``gdf`` in WGS84."""
    minx, miny, maxx, maxy = gdf.to_crs(settings.storage_crs).total_bounds
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def point_bounds(points: pd.DataFrame) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of a table with ``latitude`` and ``longitude``.

    >>> point_bounds(pd.DataFrame({"latitude": [46.0, 47.5], "longitude": [-1.0, -2.0]}))
    [[46.0, -2.0], [47.5, -1.0]]
    """
    lat = points["latitude"].astype(float)
    lon = points["longitude"].astype(float)
    return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]


def map_territories(
    territories: gpd.GeoDataFrame,
    *,
    label_column: str = "territoire_nom",
    tooltip_columns: dict[str, str] | None = None,
    color_column: str | None = None,
    title: str | None = None,
    background: gpd.GeoDataFrame | None = None,
    fill: str | None = None,
    outline: gpd.GeoDataFrame | None = None,
    borders: gpd.GeoDataFrame | None = None,
    places: gpd.GeoDataFrame | None = None,
    legend: Mapping[str, str] | None = None,
) -> folium.Map:
    """Map territory polygons, one colour each, with a tooltip, offline-ready.

    Parameters
    ----------
    territories
        Polygons (any CRS), e.g. from :func:`geo.polygons.dissolve_communes`.
    label_column
        Column used for the colour categories when ``color_column`` is not given.
    tooltip_columns
        Column → French label shown in the tooltip (default: code, name and
        number of communes when present). Only these columns are embedded.
    color_column
        Column whose categories get a colour each (default: a colour per row,
        neighbouring territories distinguished by a greedy colouring).
    title
        Title shown in a box over the map.
    background
        Optional polygons drawn underneath in grey (e.g. the other territories).
    fill
        One colour for every polygon (the communes of one territory, told apart by
        their borders) instead of a colour each.
    outline
        Polygons whose outline is drawn over the map in a thick dark blue line
        (the territory).
    borders
        Polygons whose outline is drawn in a thin dark line (the départements).
    places
        Points with a ``nom`` column written on the map (:func:`add_place_labels`):
        a handful of main communes.
    legend
        French legend labels of what is drawn: ``"territories"`` (the ``fill``
        colour, or the ``color_column`` categories, each with its colour),
        ``"background"``, ``"outline"``, ``"borders"``; the title of the legend
        under ``"caption"`` (default « Légende »). No legend without it.

    Returns
    -------
    folium.Map
        No tile layer (tiles need internet); framed on ``territories``; save it
        with :func:`save_map`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> gdf = gpd.GeoDataFrame(
    ...     {"territoire": ["1"], "territoire_nom": ["Un"], "secret": ["x"]},
    ...     geometry=[box(-1, 47, 0, 48)], crs="EPSG:4326")
    >>> html = map_territories(gdf).get_root().render()
    >>> "secret" in html, "Un" in html
    (False, True)
    >>> html = map_territories(gdf, fill="#c6dbef", outline=gdf,
    ...     legend={"territories": "Communes", "outline": "Limite du territoire"}
    ... ).get_root().render()
    >>> "Limite du territoire" in html, "#c6dbef" in html
    (True, True)
    """
    if tooltip_columns is None:
        defaults = {
            "territoire": "Code",
            "territoire_nom": "Nom",
            "nb_communes": "Communes",
            "population": "Population",
        }
        tooltip_columns = {k: v for k, v in defaults.items() if k in territories.columns}
    missing = [c for c in tooltip_columns if c not in territories.columns]
    if missing:
        raise SchemaError(
            f"Carte : colonne(s) absente(s) pour l'infobulle : {', '.join(missing)} "
            f"(colonnes disponibles : {', '.join(map(str, territories.columns))})."
        )
    gdf = territories.to_crs(settings.storage_crs)
    keep = list(dict.fromkeys([*tooltip_columns, *([color_column] if color_column else [])]))
    data = gdf[[*keep, gdf.geometry.name]].copy()
    for c in keep:
        data[c] = data[c].astype(object).where(data[c].notna(), None)
    colours = [fill] * len(gdf) if fill else _colours(gdf, color_column)
    data["_couleur"] = colours
    # zoomSnap: fit the territory closely rather than at the whole zoom level below
    m = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25)
    if background is not None:
        add_background(m, background)
    add_colored_polygons(
        m,
        gpd.GeoDataFrame(data, crs=settings.storage_crs),
        name=title or "Territoires",
        tooltip=tooltip_columns,
        outline="#ffffff" if fill else "#333333",
        weight=0.8 if fill else 1.0,
        fill_opacity=0.85 if fill else 0.55,
    )
    if borders is not None:
        add_outline(m, borders, color=_BORDER, weight=1.5)
    if outline is not None:
        add_outline(m, outline, color=_OUTLINE, weight=3)
    if places is not None and len(places):
        add_place_labels(m, places)
    m.fit_bounds(bounds_of(gdf))
    if title:
        add_title(m, title)
    if legend:
        items = [(fill, legend["territories"])] if fill and "territories" in legend else []
        if not fill and "territories" in legend:
            shown = gdf[color_column or label_column].astype(str)
            items += list(dict.fromkeys(zip(colours, shown, strict=True)))
        drawn = {"background": background, "outline": outline, "borders": borders}
        if drawn["background"] is not None and "background" in legend:
            items.append(("#eeeeee", legend["background"]))
        lines = [
            (colour, legend[key], width)
            for key, colour, width in (("outline", _OUTLINE, 3.0), ("borders", _BORDER, 1.5))
            if drawn[key] is not None and key in legend
        ]
        add_legend(m, legend.get("caption", "Légende"), items, lines=lines)
    return m


_OUTLINE = "#000091"
_BORDER = "#3a3a3a"


def _colours(gdf: gpd.GeoDataFrame, color_column: str | None) -> list[str]:
    """A colour per category, or a greedy colouring so that neighbours differ."""
    if color_column is not None:
        categories = {c: i for i, c in enumerate(pd.unique(gdf[color_column]))}
        return [_PALETTE[categories[v] % len(_PALETTE)] for v in gdf[color_column]]
    geoms = gdf.geometry.values
    tree = gpd.GeoSeries(geoms).sindex
    colour_of: dict[int, int] = {}
    for i in range(len(geoms)):
        neighbours = tree.query(geoms[i], predicate="intersects")
        used = {colour_of[j] for j in neighbours if j in colour_of}
        colour_of[i] = next(k for k in range(len(_PALETTE) + 1) if k not in used) % len(_PALETTE)
    return [_PALETTE[colour_of[i]] for i in range(len(geoms))]
