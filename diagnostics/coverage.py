"""Partner coverage: ressorts, uncovered communes, overlaps and distances to the nearest site.

The territorialisation report asks, before any partnership, which communes each
kind of partner actually serves. This module answers it per territory and per
partner type, from three tidy tables and, for distances, the commune geometries:

- the partner directory of :func:`diagnostics.partners.read_partners` (one row per
  structure: ``partenaire_id, nom, type, type_libelle, commune, latitude,
  longitude``...);
- the long ressort table of :func:`diagnostics.partners.partner_ressort`
  (``partenaire_id, commune``: the communes each structure serves);
- the commune table of :func:`geo.territories.commune_table` (``commune,
  commune_nom, population`` and the code of every level);
- commune polygons (:func:`geo.referentials.read_commune_polygons`), commune
  points, or a centroid table ``commune, latitude, longitude``.

Every function is pure: no file is read, nothing is printed, inputs are never
modified. What could not be used (ressort rows of an unknown structure or commune,
structures without any location, communes without a point or a population) is
written in French in ``attrs["remarques"]`` of the result, never dropped silently.
To restrict the analysis to the "acteurs majeurs et opérants" of the report,
filter the directory first (``partners[partners["operant"]]``).

Definitions
-----------
- A commune is **covered** by a type when at least one structure of that type
  has it in its ressort; the communes of no ressort of the type are **uncovered**;
  communes in the ressorts of two structures or more of the same type are
  **overlaps** (:func:`overlapping_ressorts` names the structures).
- ``nb_structures`` of a territory counts the structures whose ressort holds at
  least one of its communes; ``nb_sites`` those whose site commune lies in it.
- Distances are straight lines between the commune's point (centroid of its
  polygon by default, or its representative point, always inside the polygon) and
  the nearest site of the type, **wherever that site is** (a site across the
  border of the territory counts). They are computed in Lambert-93, or in the
  local projection of each overseas département (:func:`geo.crs.metric_crs_for`).
  A structure without coordinates is placed at the point of its site commune.
- Population-weighted statistics use the communes whose population and distance
  are known: the mean ``Σ p·d / Σ p``; the median, the smallest distance within
  which at least half of the population lives; the share of the population
  living strictly farther than ``beyond_km``.

Access to France Travail: :func:`nearest_agence_distance` measures, with the same
machinery, the straight line from each commune to the nearest agence locale of the
sites file (:func:`diagnostics.partnerships.read_france_travail_sites`), wherever
it is; :func:`agence_access` gives per territory the shares of the population and
of the job seekers living strictly farther than 10, 20 and 30 km from one, and the
agences per 10,000 job seekers. :func:`map_partners` draws the sites as one more
layer (``sites=``).

Nearest sites are found with a k-d tree (:class:`scipy.spatial.cKDTree`), one per
partner type: on 35,000 communes × 20,000 sites it is about four times faster than
shapely's ``STRtree.query_nearest`` and 1.6 times faster than scikit-learn's
``KDTree`` (``benchmarks/bench_coverage.py``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.spatial import cKDTree

from geo import settings
from geo._errors import CRSError, SchemaError
from geo.codes import departement_of_commune
from geo.crs import metric_crs_for
from geo.display import format_int
from geo.escape import html_text

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from geo.territories import Territory

__all__ = [
    "commune_points",
    "partner_sites",
    "commune_coverage",
    "partner_coverage",
    "uncovered_communes",
    "overlapping_ressorts",
    "map_partners",
    "map_coverage",
    "nearest_agence_distance",
    "agence_access",
    "agence_coverage",
    "AGENCE_TYPE",
]

_LEVELS = ("region", "departement", "bassin", "zone_emploi", "clpe", "commune")
_PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
    "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
]  # fmt: skip
_BLUES = ["#c6dbef", "#6baed6", "#2171b5", "#08519c", "#08306b"]
_NONE_COLOUR = "#f2f2f2"
_HIGHLIGHT = "#d7191c"

_PointRule = Literal["centroid", "representative"]

#: Type code and label of the France Travail agences in :func:`agence_coverage`.
AGENCE_TYPE: tuple[str, str] = ("agence_france_travail", "Agence France Travail")

#: Distance thresholds (km) of :func:`agence_access`.
ACCESS_THRESHOLDS_KM: tuple[float, ...] = (10.0, 20.0, 30.0)


# --------------------------------------------------------------------------- inputs


def _require(table: pd.DataFrame, columns: Sequence[str], what: str, fix: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{what} : colonne(s) absente(s) : {', '.join(missing)} (colonnes trouvées : "
            f"{', '.join(map(str, table.columns))}). {fix}"
        )


def _sample(values: Iterable[Any], n: int = 10) -> str:
    values = list(values)
    more = f" … (+{len(values) - n})" if len(values) > n else ""
    return ", ".join(map(str, values[:n])) + more


def _partner_frame(partners: pd.DataFrame, remarks: list[str]) -> pd.DataFrame:
    """Partners with a known type and a unique identifier, the contract's columns filled."""
    _require(
        partners,
        ["partenaire_id", "type"],
        "Annuaire des partenaires",
        "Lisez-le avec diagnostics.partners.read_partners.",
    )
    out = pd.DataFrame(partners).copy()
    for column in ("nom", "type_libelle", "commune"):
        if column not in out.columns:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="string")
    for column in ("latitude", "longitude"):
        if column not in out.columns:
            out[column] = np.nan
    out["partenaire_id"] = out["partenaire_id"].astype("string")
    out["type"] = out["type"].astype("string")
    no_type = out["type"].isna()
    if no_type.any():
        remarks.append(
            f"{int(no_type.sum())} structure(s) sans type ignorée(s) : "
            f"{_sample(out.loc[no_type, 'partenaire_id'])}. Renseignez la colonne 'type'."
        )
        out = out[~no_type]
    duplicated = out["partenaire_id"].duplicated()
    if duplicated.any():
        remarks.append(
            f"Identifiant(s) en double, seule la première ligne est gardée : "
            f"{_sample(out.loc[duplicated, 'partenaire_id'].unique())}."
        )
        out = out[~duplicated]
    return out.reset_index(drop=True)


def _type_list(
    partners: pd.DataFrame, types: str | Iterable[str] | None, remarks: list[str]
) -> tuple[list[str], dict[str, str]]:
    """Types to report (given order, or sorted) and their French labels."""
    present = partners["type"].dropna().unique().tolist()
    if types is None:
        wanted = sorted(present)
    else:
        wanted = list(dict.fromkeys([types] if isinstance(types, str) else map(str, types)))
        absent = [t for t in wanted if t not in set(present)]
        if absent:
            remarks.append(
                f"Aucune structure de type {', '.join(absent)} dans l'annuaire : "
                "communes non couvertes, distances manquantes."
            )
    from diagnostics.partners import PARTNER_TYPES

    typology = dict(zip(PARTNER_TYPES["type"], PARTNER_TYPES["libelle"], strict=True))
    given = partners.dropna(subset=["type_libelle"]).drop_duplicates("type")
    labels = typology | dict(zip(given["type"], given["type_libelle"], strict=True))
    return wanted, {t: str(labels.get(t, t)) for t in wanted}


def _commune_frame(communes: pd.DataFrame, remarks: list[str]) -> pd.DataFrame:
    _require(
        communes,
        ["commune"],
        "Table des communes",
        "Construisez-la avec geo.territories.commune_table.",
    )
    table = pd.DataFrame(communes).copy()
    table["commune"] = table["commune"].astype("string")
    table = table.dropna(subset=["commune"])
    if table["commune"].duplicated().any():
        remarks.append(
            "Communes en double dans la table des communes, première ligne gardée : "
            f"{_sample(table.loc[table['commune'].duplicated(), 'commune'].unique())}."
        )
        table = table.drop_duplicates("commune")
    if "commune_nom" not in table.columns:
        table["commune_nom"] = table["commune"]
    table["commune_nom"] = table["commune_nom"].astype("string")
    if "population" not in table.columns:
        table["population"] = pd.Series(pd.NA, index=table.index, dtype="Int64")
    table["population"] = pd.to_numeric(table["population"], errors="coerce").astype("Int64")
    return table.reset_index(drop=True)


def _positions(values: pd.Series, universe: pd.Series) -> np.ndarray:
    """Position of each value in ``universe`` (its first occurrence), -1 when absent."""
    found = pc.index_in(
        pa.array(pd.Series(values).astype("string").array),
        value_set=pa.array(pd.Series(universe).astype("string").array),
    )
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


# --------------------------------------------------------------------------- points


def _metric_groups(communes: pd.Series, departements: pd.Series | None = None) -> pd.Series:
    """Metric CRS of every commune (Lambert-93, or the overseas local projection)."""
    deps = departement_of_commune(communes.astype("string"))
    if departements is not None:
        deps = departements.astype("string").fillna(deps)
    crs = {d: metric_crs_for(str(d)) for d in deps.dropna().unique()}
    return deps.map(crs).fillna(metric_crs_for(None)).astype("string")


def commune_points(
    geometries: pd.DataFrame | gpd.GeoDataFrame, *, point: _PointRule = "centroid"
) -> gpd.GeoDataFrame:
    """One point per commune, in WGS84, from polygons, points or a centroid table.

    Parameters
    ----------
    geometries
        Commune polygons or points (a GeoDataFrame in any declared CRS with a
        ``commune`` column), or a centroid table ``commune, latitude, longitude``
        (WGS84 degrees).
    point
        For polygons: ``"centroid"`` (default) or ``"representative"`` (a point
        guaranteed to lie inside the polygon). Both are computed in the metric CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        ``commune, geometry`` (points, EPSG:4326), one row per commune. Features
        sharing a commune code are merged first; communes without a geometry are
        left out; both are listed in ``attrs["remarques"]``.

    Raises
    ------
    SchemaError
        No ``commune`` column, or neither a geometry nor ``latitude``/``longitude``.
    CRSError
        The GeoDataFrame has no CRS, or latitudes and longitudes are out of range.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> squares = gpd.GeoDataFrame({"commune": ["9A001"]},
    ...     geometry=[box(0, 6_600_000, 10_000, 6_610_000)], crs="EPSG:2154")
    >>> pts = commune_points(squares).to_crs("EPSG:2154")
    >>> round(pts.geometry.x.iloc[0]), round(pts.geometry.y.iloc[0])
    (5000, 6605000)
    """
    if point not in ("centroid", "representative"):
        raise SchemaError(f"point : 'centroid' ou 'representative' attendu, reçu {point!r}.")
    remarks: list[str] = []
    _require(geometries, ["commune"], "Géométries des communes", "Ajoutez les codes commune.")
    if isinstance(geometries, gpd.GeoDataFrame):
        if geometries.crs is None:
            raise CRSError(
                "Géométries des communes : aucun système de coordonnées. Déclarez-le avec "
                "gdf.set_crs('EPSG:4326') (WGS84) ou 'EPSG:2154' (Lambert-93)."
            )
        gdf = gpd.GeoDataFrame(
            {"commune": geometries["commune"].astype("string").to_numpy()},
            geometry=geometries.geometry.to_numpy(),
            crs=geometries.crs,
        )
    else:
        _require(
            geometries,
            ["latitude", "longitude"],
            "Table des centroïdes des communes",
            "Donnez un GeoDataFrame de polygones ou une table commune, latitude, longitude.",
        )
        lat = pd.to_numeric(geometries["latitude"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(geometries["longitude"], errors="coerce").to_numpy(dtype=float)
        if np.nanmax(np.abs(lat), initial=0) > 90 or np.nanmax(np.abs(lon), initial=0) > 180:
            raise CRSError(
                "Table des centroïdes des communes : latitudes ou longitudes hors des bornes "
                "(±90°, ±180°). Les coordonnées doivent être en degrés WGS84 ; vérifiez "
                "qu'elles ne sont pas en Lambert-93 ou inversées."
            )
        gdf = gpd.GeoDataFrame(
            {"commune": geometries["commune"].astype("string").to_numpy()},
            geometry=gpd.points_from_xy(lon, lat),
            crs=settings.storage_crs,
        )
    empty = gdf.geometry.isna() | gdf.geometry.is_empty | gdf["commune"].isna()
    if empty.any():
        remarks.append(
            f"{int(empty.sum())} commune(s) sans géométrie ni coordonnées, sans point : "
            f"{_sample(gdf.loc[empty, 'commune'].fillna('(code manquant)'))}."
        )
        gdf = gdf[~empty]
    if gdf["commune"].duplicated().any():
        remarks.append(
            "Géométries de même code commune fusionnées : "
            f"{_sample(gdf.loc[gdf['commune'].duplicated(), 'commune'].unique())}."
        )
        gdf = gdf.dissolve(by="commune", as_index=False)
    gdf = gdf.reset_index(drop=True)
    pieces = []
    for crs, rows in gdf.groupby(_metric_groups(gdf["commune"]), sort=False):
        metric = gdf.loc[rows.index].to_crs(crs)
        shapes = metric.geometry
        if (shapes.geom_type == "Point").all():
            pts = shapes
        elif point == "centroid":
            pts = shapes.centroid
        else:
            pts = shapes.representative_point()
        pieces.append(gpd.GeoSeries(pts, crs=crs).to_crs(settings.storage_crs))
    geometry = pd.concat(pieces).reindex(gdf.index) if pieces else gpd.GeoSeries()
    out = gpd.GeoDataFrame(
        {"commune": gdf["commune"]}, geometry=geometry.to_numpy(), crs=settings.storage_crs
    )
    out.attrs["remarques"] = remarks
    return out


def partner_sites(
    partners: pd.DataFrame,
    *,
    geometries: pd.DataFrame | gpd.GeoDataFrame | None = None,
    point: _PointRule = "centroid",
) -> gpd.GeoDataFrame:
    """Locate every structure: its coordinates, else the point of its site commune.

    Parameters
    ----------
    partners
        Partner directory (:func:`diagnostics.partners.read_partners`).
    geometries
        Commune polygons, points or centroid table (see :func:`commune_points`),
        used for structures without coordinates.
    point
        Point of a commune polygon: ``"centroid"`` or ``"representative"``.

    Returns
    -------
    geopandas.GeoDataFrame
        The located structures (every column of ``partners``) with
        ``localisation`` (``"coordonnées"`` or ``"commune"``) and point geometries
        in EPSG:4326. Structures that could not be located are listed in
        ``attrs["non_localises"]`` and ``attrs["remarques"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> partners = pd.DataFrame({"partenaire_id": ["a", "b"], "type": ["cap_emploi"] * 2,
    ...     "commune": ["9A001", pd.NA], "latitude": [46.0, None], "longitude": [-9.5, None]})
    >>> sites = partner_sites(partners)
    >>> sites["partenaire_id"].tolist(), sites.attrs["non_localises"]
    (['a'], ['b'])
    """
    remarks: list[str] = []
    parts = _partner_frame(partners, remarks)
    lat = pd.to_numeric(parts["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(parts["longitude"], errors="coerce").to_numpy(dtype=float)
    has_xy = np.isfinite(lat) & np.isfinite(lon)
    x, y = lon.copy(), lat.copy()
    by_commune = np.zeros(len(parts), dtype=bool)
    if geometries is not None and (~has_xy).any():
        points = commune_points(geometries, point=point)
        where = _positions(parts["commune"], points["commune"])
        by_commune = ~has_xy & (where >= 0)
        if by_commune.any():
            x[by_commune] = points.geometry.x.to_numpy()[where[by_commune]]
            y[by_commune] = points.geometry.y.to_numpy()[where[by_commune]]
            remarks.append(
                f"{int(by_commune.sum())} structure(s) sans coordonnées placée(s) au point de "
                "leur commune d'implantation."
            )
    ok = has_xy | by_commune
    missing = parts.loc[~ok, "partenaire_id"].tolist()
    if missing:
        remarks.append(
            f"{len(missing)} structure(s) sans coordonnées ni commune localisable, hors des "
            f"calculs de distance et des cartes : {_sample(missing)}."
        )
    sites = gpd.GeoDataFrame(
        parts[ok]
        .assign(localisation=np.where(has_xy[ok], "coordonnées", "commune"))
        .astype({"localisation": "string"}),
        geometry=gpd.points_from_xy(x[ok], y[ok]),
        crs=settings.storage_crs,
    ).reset_index(drop=True)
    sites.attrs["non_localises"] = missing
    sites.attrs["remarques"] = remarks
    return sites


# --------------------------------------------------------------------------- coverage


@dataclass
class _Core:
    """Coverage of every commune of the table by every type, as arrays.

    ``counts``, ``distance`` and ``nearest`` are (types × communes) arrays;
    ``nearest`` holds positions in ``parts`` (-1: no site). The ``link_*``
    arrays are the deduplicated ressort rows kept, as positions in ``parts``,
    ``table`` and ``types``.
    """

    parts: pd.DataFrame
    table: pd.DataFrame
    types: list[str]
    labels: dict[str, str]
    link_partner: np.ndarray
    link_commune: np.ndarray
    link_type: np.ndarray
    counts: np.ndarray
    distance: np.ndarray
    nearest: np.ndarray
    remarks: list[str]


def _core(
    partners: pd.DataFrame,
    ressort: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    geometries: Any,
    types: str | Iterable[str] | None,
    point: _PointRule,
) -> _Core:
    remarks: list[str] = []
    parts = _partner_frame(partners, remarks)
    type_list, labels = _type_list(parts, types, remarks)
    table = _commune_frame(communes, remarks)
    _require(
        ressort,
        ["partenaire_id", "commune"],
        "Table des ressorts",
        "Construisez-la avec diagnostics.partners.partner_ressort(partners, communes).",
    )
    partner_pos = _positions(ressort["partenaire_id"], parts["partenaire_id"])
    commune_pos = _positions(ressort["commune"], table["commune"])
    unknown = partner_pos < 0
    if unknown.any():
        ids = ressort["partenaire_id"].astype("string")[unknown].fillna("(vide)").unique()
        remarks.append(
            f"{int(unknown.sum())} ligne(s) de ressort d'une structure absente de l'annuaire "
            f"(ou sans type) ignorée(s) : {_sample(ids)}."
        )
    outside = ~unknown & (commune_pos < 0)
    if outside.any():
        codes = ressort["commune"].astype("string")[outside].fillna("(vide)").unique()
        remarks.append(
            f"{int(outside.sum())} ligne(s) de ressort sur une commune absente de la table des "
            f"communes ignorée(s) : {_sample(sorted(codes))}. Vérifiez les codes et le "
            "millésime du COG."
        )
    n, n_types = len(table), len(type_list)
    type_of_partner = _positions(parts["type"], pd.Series(type_list, dtype="string"))
    keep = ~unknown & ~outside
    link_partner, link_commune = partner_pos[keep], commune_pos[keep]
    link_type = type_of_partner[link_partner]
    selected = link_type >= 0
    link_partner, link_commune, link_type = (
        link_partner[selected],
        link_commune[selected],
        link_type[selected],
    )
    _, first = np.unique(link_partner * max(n, 1) + link_commune, return_index=True)
    link_partner, link_commune, link_type = (
        link_partner[first],
        link_commune[first],
        link_type[first],
    )
    counts = np.bincount(link_type * n + link_commune, minlength=n_types * n).reshape(n_types, n)
    distance = np.full((n_types, n), np.nan)
    nearest = np.full((n_types, n), -1, dtype=np.int64)
    if geometries is not None:
        points = commune_points(geometries, point=point)
        remarks += points.attrs["remarques"]
        sites = partner_sites(parts, geometries=points)
        remarks += sites.attrs["remarques"]
        _nearest(table, points, sites, type_list, distance, nearest, remarks)
        in_parts = np.append(_positions(sites["partenaire_id"], parts["partenaire_id"]), -1)
        nearest = in_parts[nearest]  # -1 (no site) picks the appended -1
    unknown_pop = table["population"].isna()
    if unknown_pop.any():
        remarks.append(
            f"{int(unknown_pop.sum())} commune(s) sans population, hors des populations "
            f"couvertes et des moyennes pondérées : {_sample(table.loc[unknown_pop, 'commune'])}."
        )
    return _Core(
        parts, table, type_list, labels, link_partner, link_commune, link_type,
        counts, distance, nearest, remarks,
    )  # fmt: skip


def _nearest(
    table: pd.DataFrame,
    points: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    types: list[str],
    distance: np.ndarray,
    nearest: np.ndarray,
    remarks: list[str],
) -> None:
    """Fill ``distance`` (km) and ``nearest`` (position in ``sites``), types × communes."""
    position = _positions(table["commune"], points["commune"])
    has_point = position >= 0
    if (~has_point).any():
        remarks.append(
            f"{int((~has_point).sum())} commune(s) de la table sans géométrie, sans distance : "
            f"{_sample(table.loc[~has_point, 'commune'])}."
        )
    rows = np.flatnonzero(has_point)
    departements = table["departement"] if "departement" in table.columns else None
    groups = _metric_groups(
        table["commune"].iloc[rows],
        None if departements is None else departements.iloc[rows],
    ).to_numpy()
    site_groups = _site_groups(sites, points.iloc[position[rows]], groups)
    site_type = sites["type"].to_numpy()
    for crs in pd.unique(groups):
        in_group = rows[groups == crs]
        commune_xy = _xy(points.geometry.iloc[position[in_group]], crs)
        group_sites = np.flatnonzero(site_groups == crs)
        site_xy = _xy(sites.geometry.iloc[group_sites], crs)
        for k, kind in enumerate(types):
            mask = site_type[group_sites] == kind
            if not mask.any():
                continue
            d, i = cKDTree(site_xy[mask]).query(commune_xy)
            distance[k, in_group] = d / 1000.0
            nearest[k, in_group] = group_sites[mask][i]


def _xy(geometry: gpd.GeoSeries, crs: str) -> np.ndarray:
    projected = geometry.to_crs(crs)
    return np.column_stack([projected.x.to_numpy(), projected.y.to_numpy()])


def _site_groups(
    sites: gpd.GeoDataFrame, points: gpd.GeoDataFrame, groups: np.ndarray
) -> np.ndarray:
    """Metric CRS of each site: that of the nearest commune point (trivial with one CRS)."""
    unique = pd.unique(groups)
    if len(unique) <= 1 or len(sites) == 0:
        only = unique[0] if len(unique) else settings.metric_crs
        return np.full(len(sites), only, dtype=object)
    tree = cKDTree(np.column_stack([points.geometry.x.to_numpy(), points.geometry.y.to_numpy()]))
    _, i = tree.query(np.column_stack([sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()]))
    return groups[i]


def commune_coverage(
    partners: pd.DataFrame,
    ressort: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    geometries: pd.DataFrame | gpd.GeoDataFrame | None = None,
    types: str | Iterable[str] | None = None,
    point: _PointRule = "centroid",
) -> pd.DataFrame:
    """Coverage of every commune by every partner type, and its nearest site.

    Parameters
    ----------
    partners
        Partner directory (:func:`diagnostics.partners.read_partners`).
    ressort
        Long ressort table ``partenaire_id, commune``
        (:func:`diagnostics.partners.partner_ressort`).
    communes
        Commune table (:func:`geo.territories.commune_table`): the communes studied.
    geometries
        Commune polygons (any CRS), points, or a centroid table ``commune,
        latitude, longitude``; without it, distances are missing.
    types
        Partner type codes to report, in this order (default: every type of the
        directory, sorted).
    point
        Point of a commune polygon: ``"centroid"`` or ``"representative"``.

    Returns
    -------
    pandas.DataFrame
        One row per type × commune: ``commune, commune_nom, population, type,
        type_libelle, nb_structures`` (structures of the type whose ressort holds
        the commune), ``distance_km`` (straight line to the nearest site of the
        type, missing when the type has no located site in the commune's
        projection zone or the commune no geometry) and ``site_proche`` (its
        ``partenaire_id``). What was left out is listed in ``attrs["remarques"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> partners = pd.DataFrame({"partenaire_id": ["ml1", "ml2"],
    ...     "type": ["mission_locale"] * 2, "type_libelle": ["Mission locale"] * 2})
    >>> ressort = pd.DataFrame({"partenaire_id": ["ml1", "ml1", "ml2"],
    ...     "commune": ["9A001", "9A002", "9A002"]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002", "9A003"],
    ...     "population": [100, 200, 300]})
    >>> commune_coverage(partners, ressort, communes)["nb_structures"].tolist()
    [1, 2, 0]
    """
    core = _core(partners, ressort, communes, geometries=geometries, types=types, point=point)
    n, n_types = len(core.table), len(core.types)
    rows = np.tile(np.arange(n), n_types)
    kinds = np.repeat(np.arange(n_types), n)
    cov = pd.DataFrame(
        {
            "commune": core.table["commune"].array.take(rows),
            "commune_nom": core.table["commune_nom"].array.take(rows),
            "population": core.table["population"].array.take(rows),
            "type": pd.array(core.types, dtype="string").take(kinds),
            "type_libelle": pd.array([core.labels[t] for t in core.types], dtype="string").take(
                kinds
            ),
            "nb_structures": core.counts.ravel().astype("int64"),
            "distance_km": core.distance.ravel(),
            "site_proche": core.parts["partenaire_id"].array.take(
                core.nearest.ravel(), allow_fill=True
            ),
        }
    )
    cov.attrs["remarques"] = core.remarks
    return cov


def _territories(
    table: pd.DataFrame, by: Any, remarks: list[str]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Territories (``niveau, territoire, territoire_nom``) and the membership pairs.

    Returns the territories, then the positions in ``table`` of their communes and
    the position of the territory of each pair.
    """
    if isinstance(by, str):
        if by not in _LEVELS:
            raise SchemaError(
                f"Niveau territorial inconnu : {by!r}. Niveaux possibles : {', '.join(_LEVELS)}, "
                "ou un geo.territories.Territory (ou une liste de Territory)."
            )
        _require(
            table,
            [by],
            f"Table des communes (niveau {by})",
            f"Construisez-la avec geo.territories.commune_table(..., {by}=...).",
        )
        codes = table[by].astype("string")
        lost = codes.isna().to_numpy()
        if lost.any():
            remarks.append(
                f"{int(lost.sum())} commune(s) sans code {by} dans la table des communes, hors "
                f"des territoires : {_sample(table.loc[lost, 'commune'])}."
            )
        name_column = "commune_nom" if by == "commune" else f"{by}_nom"
        names = (
            table[name_column].astype("string")
            if name_column in table.columns
            else pd.Series(pd.NA, index=table.index, dtype="string")
        )
        found = pd.DataFrame({"territoire": codes, "territoire_nom": names})[~lost]
        found = found.sort_values("territoire_nom", na_position="last", kind="stable")
        terr = found.drop_duplicates("territoire").sort_values("territoire").reset_index(drop=True)
        terr["territoire_nom"] = terr["territoire_nom"].fillna(terr["territoire"])
        terr.insert(0, "niveau", pd.Series(by, index=terr.index, dtype="string"))
        members = np.flatnonzero(~lost)
        return terr, members, _positions(codes.iloc[members], terr["territoire"])
    many = [by] if hasattr(by, "communes") else list(by) if isinstance(by, Iterable) else []
    if not many or not all(hasattr(t, "communes") for t in many):
        raise SchemaError(
            "Territoires : attendu un niveau ('departement', 'bassin'...), un "
            f"geo.territories.Territory ou une liste de Territory ; reçu {by!r}."
        )
    terr = pd.DataFrame(
        {
            "niveau": [str(t.level) for t in many],
            "territoire": [str(t.code) for t in many],
            "territoire_nom": [str(t.name or t.code) for t in many],
        },
        dtype="string",
    )
    members_of: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for k, t in enumerate(many):
        wanted = pd.Series(list(dict.fromkeys(map(str, t.communes))), dtype="string")
        where = _positions(wanted, table["commune"])
        if (where < 0).any():
            remarks.append(
                f"{t.level} {t.code} : {int((where < 0).sum())} commune(s) absente(s) de la "
                f"table des communes ignorée(s) : {_sample(wanted[where < 0])}."
            )
        members_of.append(where[where >= 0])
        owners.append(np.full(int((where >= 0).sum()), k))
    return terr, np.concatenate(members_of), np.concatenate(owners)


def _group_stats(
    group: np.ndarray,
    n_groups: int,
    distance: np.ndarray,
    population: np.ndarray,
    beyond_km: float,
) -> dict[str, np.ndarray]:
    """Per group: max distance; population-weighted mean, median, share beyond ``beyond_km``."""
    nan = np.full(n_groups, np.nan)
    measured = np.flatnonzero(np.isfinite(distance))
    # Sort by group, then distance: a stable sort by distance, then by group (radix sort).
    by_distance = measured[np.argsort(distance[measured], kind="stable")]
    key = group[by_distance]
    order = by_distance[
        np.argsort(key.astype(np.uint16) if n_groups <= 2**16 else key, kind="stable")
    ]
    g, d, w = group[order], distance[order], population[order]
    maximum = nan.copy()
    if g.size:
        last = np.r_[g[1:] != g[:-1], True]
        maximum[g[last]] = d[last]
    weighted = np.isfinite(w)
    g, d, w = g[weighted], d[weighted], w[weighted]
    total = np.bincount(g, weights=w, minlength=n_groups)
    positive = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, weights=w * d, minlength=n_groups) / total
        far = np.bincount(g, weights=w * (d > beyond_km), minlength=n_groups) / total
    median = nan.copy()
    if g.size:
        start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
        cumulated = np.cumsum(w)
        before = np.repeat(cumulated[start] - w[start], np.diff(np.r_[start, g.size]))
        reached = np.flatnonzero(2 * (cumulated - before) >= total[g])
        first_group, first = np.unique(g[reached], return_index=True)
        median[first_group] = d[reached[first]]
    return {
        "distance_moyenne_km": np.where(positive, mean, np.nan),
        "distance_mediane_km": np.where(positive, median, np.nan),
        "distance_max_km": maximum,
        "part_population_au_dela_seuil": np.where(positive, far, np.nan),
    }


def partner_coverage(
    partners: pd.DataFrame,
    ressort: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    by: str | Territory | Sequence[Territory] = "departement",
    geometries: pd.DataFrame | gpd.GeoDataFrame | None = None,
    types: str | Iterable[str] | None = None,
    beyond_km: float = 20.0,
    point: _PointRule = "centroid",
) -> pd.DataFrame:
    """Coverage of each territory by each partner type: structures, communes, population, distances.

    Parameters
    ----------
    partners, ressort, communes, geometries, types, point
        As in :func:`commune_coverage`.
    by
        A level of the commune table (``"region"``, ``"departement"``,
        ``"bassin"``, ``"zone_emploi"``, ``"clpe"``, ``"commune"``), a
        :class:`geo.territories.Territory` (a project territory, say), or a list
        of them.
    beyond_km
        Distance threshold of ``part_population_au_dela_seuil`` (20 km by default).

    Returns
    -------
    pandas.DataFrame
        One row per territory × type (territories sorted by code for a level, in
        the given order otherwise; types as in :func:`commune_coverage`):
        ``niveau, territoire, territoire_nom, type, type_libelle, nb_structures``
        (ressort touching the territory), ``nb_sites`` (site commune in the
        territory), ``communes, communes_couvertes, communes_non_couvertes,
        communes_chevauchement`` (communes in two ressorts or more of the type),
        ``part_communes_couvertes, population, population_couverte,
        part_population_couverte``, then the distances to the nearest site
        (missing without ``geometries``): ``distance_moyenne_km`` and
        ``distance_mediane_km`` (weighted by population), ``distance_max_km``
        (farthest commune), ``seuil_km`` and ``part_population_au_dela_seuil``.
        Shares are fractions between 0 and 1. The uncovered communes and the
        overlaps are listed by :func:`uncovered_communes` and
        :func:`overlapping_ressorts`.

    Raises
    ------
    SchemaError
        A required column is missing, or ``by`` is not a level or territories.

    Examples
    --------
    >>> import pandas as pd
    >>> partners = pd.DataFrame({"partenaire_id": ["ml1", "ml2"], "commune": ["9A001", "9B001"],
    ...     "type": ["mission_locale"] * 2, "type_libelle": ["Mission locale"] * 2})
    >>> ressort = pd.DataFrame({"partenaire_id": ["ml1", "ml1", "ml2"],
    ...     "commune": ["9A001", "9A002", "9A002"]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002", "9B001"],
    ...     "departement": ["9A", "9A", "9B"], "population": [100, 200, 300]})
    >>> out = partner_coverage(partners, ressort, communes, by="departement")
    >>> out[["territoire", "nb_structures", "nb_sites", "communes_couvertes"]]
      territoire  nb_structures  nb_sites  communes_couvertes
    0         9A              2         1                   2
    1         9B              0         1                   0
    >>> out["communes_chevauchement"].tolist(), out["part_population_couverte"].tolist()
    ([1, 0], [1.0, 0.0])
    """
    core = _core(partners, ressort, communes, geometries=geometries, types=types, point=point)
    terr, members, owners = _territories(core.table, by, core.remarks)
    n_terr, n_types = len(terr), len(core.types)
    n_groups = n_terr * n_types
    # One value per (type, membership pair); group = territory × types + type.
    group = (owners[None, :] * n_types + np.arange(n_types)[:, None]).ravel()
    counts = core.counts[:, members].ravel()
    population = core.table["population"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    pop = np.tile(population[members], n_types)
    known = np.isfinite(pop)

    def total(weights: np.ndarray | None = None, mask: np.ndarray | None = None) -> np.ndarray:
        g = group if mask is None else group[mask]
        w = weights if mask is None or weights is None else weights[mask]
        return np.bincount(g, weights=w, minlength=n_groups)

    communes_n = total().astype("int64")
    covered = total(counts > 0).astype("int64")
    overlap = total(counts >= 2).astype("int64")
    has_pop = total(mask=known) > 0
    pop_all = np.where(has_pop, total(pop, known), np.nan)
    pop_covered = np.where(has_pop, total(pop * (counts > 0), known), np.nan)
    stats = _group_stats(group, n_groups, core.distance[:, members].ravel(), pop, beyond_km)

    # Structures whose ressort touches the territory, and sites in it.
    links = pd.DataFrame(
        {"c": core.link_commune, "p": core.link_partner, "t": core.link_type}
    ).merge(pd.DataFrame({"c": members, "o": owners}), on="c")
    pairs = np.unique(links["o"].to_numpy() * len(core.parts) + links["p"].to_numpy())
    kind_of = _positions(core.parts["type"], pd.Series(core.types, dtype="string"))
    pair_partner = pairs % max(len(core.parts), 1)
    structures = np.bincount(
        (pairs // max(len(core.parts), 1)) * n_types + kind_of[pair_partner], minlength=n_groups
    )
    site_commune = _positions(core.parts["commune"], core.table["commune"])
    sited = pd.DataFrame({"c": site_commune, "t": kind_of})[
        (site_commune >= 0) & (kind_of >= 0)
    ].merge(pd.DataFrame({"c": members, "o": owners}), on="c")
    sites = np.bincount(sited["o"].to_numpy() * n_types + sited["t"].to_numpy(), minlength=n_groups)

    terr_rows = np.repeat(np.arange(n_terr), n_types)
    type_rows = np.tile(np.arange(n_types), n_terr)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_communes = covered / communes_n
        share_pop = np.where(pop_all > 0, pop_covered / pop_all, np.nan)
    out = pd.DataFrame(
        {
            "niveau": terr["niveau"].array.take(terr_rows),
            "territoire": terr["territoire"].array.take(terr_rows),
            "territoire_nom": terr["territoire_nom"].array.take(terr_rows),
            "type": pd.array(core.types, dtype="string").take(type_rows),
            "type_libelle": pd.array([core.labels[t] for t in core.types], dtype="string").take(
                type_rows
            ),
            "nb_structures": structures.astype("int64"),
            "nb_sites": sites.astype("int64"),
            "communes": communes_n,
            "communes_couvertes": covered,
            "communes_non_couvertes": communes_n - covered,
            "communes_chevauchement": overlap,
            "part_communes_couvertes": share_communes,
            "population": pd.array(np.round(pop_all), dtype="Int64"),
            "population_couverte": pd.array(np.round(pop_covered), dtype="Int64"),
            "part_population_couverte": share_pop,
            "distance_moyenne_km": stats["distance_moyenne_km"],
            "distance_mediane_km": stats["distance_mediane_km"],
            "distance_max_km": stats["distance_max_km"],
            "seuil_km": float(beyond_km),
            "part_population_au_dela_seuil": stats["part_population_au_dela_seuil"],
        }
    )
    out.attrs["remarques"] = core.remarks
    return out


def _listing(
    core: _Core, by: Any, wanted: np.ndarray, extra: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Rows (type × commune, in territories when ``by``) where ``wanted`` (types × communes)."""
    if by is None:
        terr, members, owners = None, np.arange(len(core.table)), None
    else:
        terr, members, owners = _territories(core.table, by, core.remarks)
    kinds, pairs = np.nonzero(wanted[:, members])
    if owners is not None:
        order = np.lexsort((members[pairs], kinds, owners[pairs]))
        kinds, pairs = kinds[order], pairs[order]
    rows = members[pairs]
    columns: dict[str, Any] = {}
    if terr is not None and owners is not None:
        for name in ("niveau", "territoire", "territoire_nom"):
            columns[name] = terr[name].array.take(owners[pairs])
    columns |= {
        "type": pd.array(core.types, dtype="string").take(kinds),
        "type_libelle": pd.array([core.labels[t] for t in core.types], dtype="string").take(kinds),
        "commune": core.table["commune"].array.take(rows),
        "commune_nom": core.table["commune_nom"].array.take(rows),
        "population": core.table["population"].array.take(rows),
    }
    if extra:
        columns |= {name: make(kinds, rows) for name, make in extra.items()}
    out = pd.DataFrame(columns)
    out.attrs["remarques"] = core.remarks
    return out


def uncovered_communes(
    partners: pd.DataFrame,
    ressort: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    types: str | Iterable[str] | None = None,
    by: str | Territory | Sequence[Territory] | None = None,
) -> pd.DataFrame:
    """List the communes that no ressort of a type covers.

    Parameters
    ----------
    partners, ressort, communes, types
        As in :func:`commune_coverage`.
    by
        ``None`` (every commune of the table), a level, a Territory or a list of
        them (see :func:`partner_coverage`): the territory columns are then added.

    Returns
    -------
    pandas.DataFrame
        ``[niveau, territoire, territoire_nom,] type, type_libelle, commune,
        commune_nom, population``, one row per uncovered commune and type
        (sorted by territory, type and commune).

    Examples
    --------
    >>> import pandas as pd
    >>> partners = pd.DataFrame({"partenaire_id": ["ml1"], "type": ["mission_locale"]})
    >>> ressort = pd.DataFrame({"partenaire_id": ["ml1"], "commune": ["9A001"]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002"]})
    >>> uncovered_communes(partners, ressort, communes)["commune"].tolist()
    ['9A002']
    """
    core = _core(partners, ressort, communes, geometries=None, types=types, point="centroid")
    return _listing(core, by, core.counts == 0)


def overlapping_ressorts(
    partners: pd.DataFrame,
    ressort: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    types: str | Iterable[str] | None = None,
    by: str | Territory | Sequence[Territory] | None = None,
) -> pd.DataFrame:
    """List the communes in the ressorts of two structures or more of the same type.

    Parameters
    ----------
    partners, ressort, communes, types
        As in :func:`commune_coverage`.
    by
        As in :func:`uncovered_communes`.

    Returns
    -------
    pandas.DataFrame
        ``[niveau, territoire, territoire_nom,] type, type_libelle, commune,
        commune_nom, population, nb_structures, partenaires, noms`` (tuples of the
        structures' identifiers and names, sorted by identifier).

    Examples
    --------
    >>> import pandas as pd
    >>> partners = pd.DataFrame({"partenaire_id": ["ml1", "ml2"], "nom": ["ML Nord", "ML Sud"],
    ...     "type": ["mission_locale"] * 2})
    >>> ressort = pd.DataFrame({"partenaire_id": ["ml1", "ml2", "ml2"],
    ...     "commune": ["9A001", "9A001", "9A002"]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002"]})
    >>> overlapping_ressorts(partners, ressort, communes)[["commune", "partenaires", "noms"]]
      commune  partenaires               noms
    0   9A001   (ml1, ml2)  (ML Nord, ML Sud)
    """
    core = _core(partners, ressort, communes, geometries=None, types=types, point="centroid")
    n = len(core.table)
    wanted = core.counts >= 2
    cell = core.link_type * n + core.link_commune
    shared = wanted.ravel()[cell]
    ids = core.parts["partenaire_id"].to_numpy(dtype=object)
    names = core.parts["nom"].astype("string").fillna(core.parts["partenaire_id"])
    names = names.to_numpy(dtype=object)
    members: dict[int, list[int]] = {}
    for c, p in sorted(zip(cell[shared].tolist(), core.link_partner[shared].tolist(), strict=True),
                       key=lambda cp: (cp[0], ids[cp[1]])):  # fmt: skip
        members.setdefault(c, []).append(p)
    return _listing(
        core,
        by,
        wanted,
        {
            "nb_structures": lambda k, r: core.counts[k, r].astype("int64"),
            "partenaires": lambda k, r: [tuple(ids[members[c]]) for c in (k * n + r).tolist()],
            "noms": lambda k, r: [tuple(names[members[c]]) for c in (k * n + r).tolist()],
        },
    )


# --------------------------------------------------------------------------- access


def _agences(sites: pd.DataFrame, remarks: list[str]) -> gpd.GeoDataFrame:
    """The located agences locales of a sites table, as partner-like sites of type ``agence``."""
    _require(
        sites,
        ["site_id", "niveau", "latitude", "longitude"],
        "Sites France Travail",
        "Lisez-les avec diagnostics.partnerships.read_france_travail_sites.",
    )
    agences = pd.DataFrame(sites)[sites["niveau"].astype("string").eq("agence").fillna(False)]
    points = _france_travail_points(agences)
    if len(points) < len(agences):
        remarks.append(
            f"{len(agences) - len(points)} agence(s) sans coordonnées, hors des distances."
        )
    if "commune" not in points.columns:
        points["commune"] = pd.Series(pd.NA, index=points.index, dtype="string")
    return points.assign(
        partenaire_id=points["site_id"].astype("string"),
        type=pd.Series("agence", index=points.index, dtype="string"),
    )


def _agence_distances(
    table: pd.DataFrame,
    sites: pd.DataFrame,
    geometries: pd.DataFrame | gpd.GeoDataFrame,
    point: _PointRule,
    remarks: list[str],
) -> tuple[np.ndarray, np.ndarray, gpd.GeoDataFrame]:
    """Distance (km) of each commune of ``table`` to the nearest agence, its position."""
    agences = _agences(sites, remarks)
    distance = np.full((1, len(table)), np.nan)
    nearest = np.full((1, len(table)), -1, dtype=np.int64)
    if len(agences) == 0:
        remarks.append("Aucune agence localisée : distances manquantes.")
        return distance[0], nearest[0], agences
    points = commune_points(geometries, point=point)
    remarks += points.attrs["remarques"]
    _nearest(table, points, agences, ["agence"], distance, nearest, remarks)
    return distance[0], nearest[0], agences


def nearest_agence_distance(
    sites: pd.DataFrame,
    geometries: pd.DataFrame | gpd.GeoDataFrame,
    *,
    communes: pd.DataFrame | None = None,
    point: _PointRule = "centroid",
) -> pd.DataFrame:
    """Straight-line distance from each commune to the nearest agence locale.

    Parameters
    ----------
    sites
        France Travail sites (:func:`diagnostics.partnerships.read_france_travail_sites`);
        only the agences (``niveau == "agence"``) count, wherever they are (an
        agence across the border of the territory counts).
    geometries
        Commune polygons, points or centroid table (see :func:`commune_points`).
    communes
        The communes to measure (a commune table with ``commune``; default: every
        commune of ``geometries``).
    point
        Point of a commune polygon: ``"centroid"`` or ``"representative"``.

    Returns
    -------
    pandas.DataFrame
        ``commune, distance_km, agence_proche`` (``site_id``), ``agence_nom``, one
        row per commune; distances in Lambert-93, or the local projection
        overseas. What could not be measured is in ``attrs["remarques"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": ["A1", "D1"], "nom": ["Agence", "DT"],
    ...     "niveau": ["agence", "direction_territoriale"],
    ...     "latitude": [46.0, 46.5], "longitude": [-9.0, -9.0]})
    >>> points = pd.DataFrame({"commune": ["9A001", "9A002"],
    ...     "latitude": [46.0, 46.5], "longitude": [-9.0, -9.0]})
    >>> out = nearest_agence_distance(sites, points)
    >>> out["distance_km"].round(1).tolist(), out["agence_proche"].tolist()
    ([0.0, 55.5], ['A1', 'A1'])
    """
    remarks: list[str] = []
    if communes is None:
        _require(geometries, ["commune"], "Géométries des communes", "Ajoutez les codes commune.")
        communes = pd.DataFrame({"commune": pd.unique(geometries["commune"].astype("string"))})
    table = _commune_frame(communes, remarks)
    distance, nearest, agences = _agence_distances(table, sites, geometries, point, remarks)
    names = agences["nom"].astype("string") if "nom" in agences else agences["partenaire_id"]
    out = pd.DataFrame(
        {
            "commune": table["commune"].array,
            "distance_km": distance,
            "agence_proche": agences["partenaire_id"].array.take(nearest, allow_fill=True),
            "agence_nom": names.array.take(nearest, allow_fill=True),
        }
    )
    out.attrs["remarques"] = remarks
    return out


def _share_beyond(
    group: np.ndarray, n: int, distance: np.ndarray, weight: np.ndarray, km: float
) -> np.ndarray:
    """Per group, the share of the weight (known weight and distance) strictly beyond ``km``."""
    known = np.isfinite(weight) & np.isfinite(distance)
    total = np.bincount(group[known], weights=weight[known], minlength=n)
    far = np.bincount(group[known], weights=weight[known] * (distance[known] > km), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, far / total, np.nan)


def agence_access(
    sites: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    geometries: pd.DataFrame | gpd.GeoDataFrame,
    by: str | Territory | Sequence[Territory] = "departement",
    jobseekers: pd.Series | None = None,
    thresholds: Sequence[float] = ACCESS_THRESHOLDS_KM,
    point: _PointRule = "centroid",
) -> pd.DataFrame:
    """Access to the agences locales per territory: distances, people far from one, density.

    Parameters
    ----------
    sites
        France Travail sites (:func:`diagnostics.partnerships.read_france_travail_sites`).
    communes
        Commune table (:func:`geo.territories.commune_table`): ``commune``,
        ``population`` and the code of the level ``by``.
    geometries
        Commune polygons, points or centroid table (see :func:`commune_points`).
    by
        A level of the commune table, a :class:`geo.territories.Territory` or a
        list of them (see :func:`partner_coverage`).
    jobseekers
        Job seekers per commune (a Series indexed by commune code); without it the
        job-seeker columns are missing.
    thresholds
        Distances (km) of the ``part_*_au_dela_<d>_km`` columns.
    point
        Point of a commune polygon: ``"centroid"`` or ``"representative"``.

    Returns
    -------
    pandas.DataFrame
        One row per territory: ``niveau, territoire, territoire_nom, nb_agences``
        (agences whose commune, found from their coordinates, is in the
        territory), ``communes, population, distance_moyenne_km`` and
        ``distance_mediane_km`` (weighted by population), ``distance_max_km``, ``part_population_au_dela_<d>_km`` for
        each threshold, then ``demandeurs`` (sum over the communes with a
        count), ``part_demandeurs_au_dela_<d>_km`` and
        ``agences_pour_10000_demandeurs``. Shares are fractions between 0 and 1
        of the people whose commune has a distance; distances are to the nearest
        agence wherever it is. What was left out is in ``attrs["remarques"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": ["A1"], "nom": ["Agence"], "niveau": ["agence"],
    ...     "commune": ["9A001"], "latitude": [46.0], "longitude": [-9.0]})
    >>> points = pd.DataFrame({"commune": ["9A001", "9A002"],
    ...     "latitude": [46.0, 46.2], "longitude": [-9.0, -9.0]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002"], "departement": ["9A", "9A"],
    ...     "population": [3000, 1000]})
    >>> out = agence_access(sites, communes, geometries=points,
    ...     jobseekers=pd.Series({"9A001": 300, "9A002": 200}))
    >>> row = out.iloc[0]
    >>> int(row["nb_agences"]), float(row["agences_pour_10000_demandeurs"])
    (1, 20.0)
    >>> float(row["part_population_au_dela_20_km"]), float(row["part_demandeurs_au_dela_20_km"])
    (0.25, 0.4)
    """
    remarks: list[str] = []
    table = _commune_frame(communes, remarks)
    distance, _, agences = _agence_distances(table, sites, geometries, point, remarks)
    terr, members, owners = _territories(table, by, remarks)
    n = len(terr)
    population = table["population"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    d, pop = distance[members], population[members]
    stats = _group_stats(owners, n, d, pop, float(thresholds[0]) if thresholds else 0.0)
    site_commune = _positions(agences["commune"], table["commune"])
    sited = pd.DataFrame({"c": site_commune[site_commune >= 0]}).merge(
        pd.DataFrame({"c": members, "o": owners}), on="c"
    )
    known_pop = np.isfinite(pop)
    out = pd.DataFrame(
        {
            "niveau": terr["niveau"].array,
            "territoire": terr["territoire"].array,
            "territoire_nom": terr["territoire_nom"].array,
            "nb_agences": np.bincount(sited["o"].to_numpy(), minlength=n).astype("int64"),
            "communes": np.bincount(owners, minlength=n).astype("int64"),
            "population": pd.array(
                np.where(
                    np.bincount(owners[known_pop], minlength=n) > 0,
                    np.round(np.bincount(owners[known_pop], weights=pop[known_pop], minlength=n)),
                    np.nan,
                ),
                dtype="Int64",
            ),
            "distance_moyenne_km": stats["distance_moyenne_km"],
            "distance_mediane_km": stats["distance_mediane_km"],
            "distance_max_km": stats["distance_max_km"],
        }
    )
    for km in thresholds:
        out[f"part_population_au_dela_{km:g}_km"] = _share_beyond(owners, n, d, pop, km)
    seekers = np.full(len(members), np.nan)
    if jobseekers is not None:
        counts = pd.to_numeric(pd.Series(jobseekers), errors="coerce")
        counts.index = counts.index.astype("string")
        counts = counts.groupby(level=0).sum(min_count=1)  # one count per commune
        seekers = counts.reindex(table["commune"].array).to_numpy(dtype=float)[members]
        missing = ~np.isfinite(seekers)
        if missing.any():
            remarks.append(
                f"{int(missing.sum())} commune(s) sans nombre de demandeurs d'emploi, hors des "
                f"parts de demandeurs : {_sample(table['commune'].iloc[members[missing]])}."
            )
    known = np.isfinite(seekers)
    has_seekers = np.bincount(owners[known], minlength=n) > 0
    total = np.where(
        has_seekers, np.bincount(owners[known], weights=seekers[known], minlength=n), np.nan
    )
    out["demandeurs"] = pd.array(np.round(total), dtype="Int64")
    for km in thresholds:
        out[f"part_demandeurs_au_dela_{km:g}_km"] = _share_beyond(owners, n, d, seekers, km)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["agences_pour_10000_demandeurs"] = np.where(
            total > 0, out["nb_agences"].to_numpy() * 10_000 / total, np.nan
        )
    out.attrs["remarques"] = remarks
    return out


def agence_coverage(
    sites: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    geometries: pd.DataFrame | gpd.GeoDataFrame,
    by: str | Territory | Sequence[Territory] = "departement",
    beyond_km: float = 20.0,
    point: _PointRule = "centroid",
) -> pd.DataFrame:
    """The agences locales France Travail as rows of :func:`partner_coverage`.

    So that one table (one export) gives, type by type, the structures of the
    directory and the France Travail agences. The sites file gives no ressort:
    the columns of communes and population *covered* are missing; the distances
    are those of :func:`agence_access` (to the nearest agence, wherever it is).

    Parameters
    ----------
    sites, communes, geometries, by, point
        As :func:`agence_access`.
    beyond_km
        Distance threshold of ``part_population_au_dela_seuil``.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`partner_coverage`, one row per territory, type
        :data:`AGENCE_TYPE`; ``nb_sites`` is the number of agences located in the
        territory, ``nb_structures`` and the coverage columns are missing.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": ["A1"], "nom": ["Agence"], "niveau": ["agence"],
    ...     "commune": ["9A001"], "latitude": [46.0], "longitude": [-9.0]})
    >>> points = pd.DataFrame({"commune": ["9A001", "9A002"],
    ...     "latitude": [46.0, 46.2], "longitude": [-9.0, -9.0]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002"], "departement": ["9A", "9A"],
    ...     "population": [3000, 1000]})
    >>> row = agence_coverage(sites, communes, geometries=points).iloc[0]
    >>> row["type_libelle"], int(row["nb_sites"]), float(row["part_population_au_dela_seuil"])
    ('Agence France Travail', 1, 0.25)
    """
    access = agence_access(
        sites, communes, geometries=geometries, by=by, thresholds=(beyond_km,), point=point
    )
    n = len(access)
    missing_int = pd.array([pd.NA] * n, dtype="Int64")
    missing = np.full(n, np.nan)
    out = pd.DataFrame(
        {
            "niveau": access["niveau"].array,
            "territoire": access["territoire"].array,
            "territoire_nom": access["territoire_nom"].array,
            "type": pd.array([AGENCE_TYPE[0]] * n, dtype="string"),
            "type_libelle": pd.array([AGENCE_TYPE[1]] * n, dtype="string"),
            "nb_structures": missing_int,
            "nb_sites": access["nb_agences"].to_numpy(),
            "communes": access["communes"].to_numpy(),
            "communes_couvertes": missing_int,
            "communes_non_couvertes": missing_int,
            "communes_chevauchement": missing_int,
            "part_communes_couvertes": missing,
            "population": access["population"].array,
            "population_couverte": missing_int,
            "part_population_couverte": missing,
            "distance_moyenne_km": access["distance_moyenne_km"].to_numpy(),
            "distance_mediane_km": access["distance_mediane_km"].to_numpy(),
            "distance_max_km": access["distance_max_km"].to_numpy(),
            "seuil_km": float(beyond_km),
            "part_population_au_dela_seuil": access[
                f"part_population_au_dela_{beyond_km:g}_km"
            ].to_numpy(),
        }
    )
    out.attrs["remarques"] = access.attrs.get("remarques", [])
    return out


# --------------------------------------------------------------------------- maps


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, (tuple, list)) and pd.isna(value)):
        return None
    return str(value)


def _codes_text(value: Any, labels: dict[str, str]) -> str | None:
    if value is None or (not isinstance(value, (tuple, list, np.ndarray)) and pd.isna(value)):
        return None
    items = [labels.get(str(v), str(v).replace("_", " ")) for v in value]
    return ", ".join(items) if items else None


def _yes_no(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return "oui" if bool(value) else "non"


def _french_date(value: Any) -> str:
    if value is None or pd.isna(value):
        return "jamais vérifiée"
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def _sort_key(text: str) -> str:
    """Accent- and case-insensitive sort key (``École`` sorts with ``e``)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def map_partners(
    partners: pd.DataFrame,
    *,
    geometries: pd.DataFrame | gpd.GeoDataFrame | None = None,
    types: str | Iterable[str] | None = None,
    cluster: bool = True,
    title: str | None = None,
    background: gpd.GeoDataFrame | None = None,
    sites: pd.DataFrame | None = None,
    outline: gpd.GeoDataFrame | None = None,
    frame: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Map the partner sites: one layer per type, clustered markers, French popups.

    Parameters
    ----------
    partners
        Partner directory (:func:`diagnostics.partners.read_partners`).
    geometries
        Commune polygons, points or centroid table, to place the structures
        without coordinates at their site commune (:func:`partner_sites`).
    types
        Types to draw (default: every type of the directory).
    cluster
        Group nearby markers (Leaflet.markercluster, inlined offline by
        :func:`geo.maps.save_map`).
    title
        Title shown in a box over the map.
    background
        Optional polygons drawn underneath in grey (communes, départements).
    sites
        Optional France Travail sites
        (:func:`diagnostics.partnerships.read_france_travail_sites`), drawn as one
        more layer (large white-ringed markers, coloured by level: agence, direction territoriale, direction
        régionale) with their name, level, address and commune.
    outline
        Optional territory, outlined in a thick dark blue line.
    frame
        Optional polygons or points the map is framed on (the territory);
        default: every structure and site drawn.

    Returns
    -------
    folium.Map
        No tile layer (offline); circle markers (no icon image), a layer per
        type with its colour and count in the layer control, and a legend of the
        types, the France Travail sites and the outline. The popup shows,
        and the page embeds, only the name, type, site commune, network, the
        "opérant" and "majeur" flags, domains, publics, the last verification
        date and how the site was located. Save it with :func:`geo.maps.save_map`.

    Examples
    --------
    >>> import pandas as pd
    >>> partners = pd.DataFrame({"partenaire_id": ["a"], "nom": ["ML de l'Ormelin"],
    ...     "type": ["mission_locale"], "type_libelle": ["Mission locale"],
    ...     "siret": ["99900000000011"], "latitude": [46.0], "longitude": [-9.5]})
    >>> page = map_partners(partners).get_root().render()
    >>> "ML de l" in page, "99900000000011" in page
    (True, False)
    """
    import folium
    from folium.plugins import MarkerCluster

    from diagnostics.partners import DOMAINS, PUBLICS
    from geo.maps import add_background, add_legend, add_outline, add_title, bounds_of

    sites_layer = None if sites is None else _france_travail_points(sites)
    sites = partner_sites(partners, geometries=geometries)
    remarks = list(sites.attrs["remarques"])
    type_list, labels = _type_list(sites, types, remarks)
    if types is None:  # layers in the alphabetical order of the French labels
        type_list = sorted(type_list, key=lambda t: _sort_key(labels[t]))
    commune_names: dict[str, str] = {}
    if geometries is not None and "commune_nom" in geometries.columns:
        commune_names = dict(
            zip(
                geometries["commune"].astype(str),
                geometries["commune_nom"].astype(str),
                strict=True,
            )
        )
    empty = [None] * len(sites)
    column = sites.get
    names = [
        _text(v) or str(i)
        for v, i in zip(column("nom", empty), sites["partenaire_id"], strict=True)
    ]
    fields = {
        "Type": [labels.get(t, t) for t in sites["type"]],
        "Commune": [
            None if pd.isna(c) else (f"{commune_names[c]} ({c})" if c in commune_names else c)
            for c in sites["commune"].astype(object)
        ],
        "Réseau": [_text(v) for v in column("reseau", empty)],
        "Opérant": [_yes_no(v) for v in column("operant", empty)],
        "Majeur": [_yes_no(v) for v in column("majeur", empty)],
        "Domaines": [_codes_text(v, DOMAINS) for v in column("domaines", empty)],
        "Publics": [_codes_text(v, PUBLICS) for v in column("publics", empty)],
        "Dernière vérification": [_french_date(v) for v in column("date_verification", empty)],
        "Localisation": [
            "coordonnées de la structure" if v == "coordonnées" else "centre de sa commune"
            for v in sites["localisation"]
        ],
    }
    popups = [
        f"<b>{html_text(name)}</b><table>"
        + "".join(
            f'<tr><th style="text-align:left;padding-right:6px">{html_text(label)}</th>'
            f"<td>{html_text(values[i] or 'non renseigné')}</td></tr>"
            for label, values in fields.items()
        )
        + "</table>"
        for i, name in enumerate(names)
    ]
    # Both are bound in the script below and shown by Leaflet as HTML: escaped text only.
    props = pd.DataFrame(
        {"_nom": [html_text(n) for n in names], "_popup": popups}, index=sites.index
    )
    layer_data = gpd.GeoDataFrame(props, geometry=sites.geometry, crs=sites.crs)
    # Without a tile layer the map has no maximum zoom, which marker clustering requires.
    m = folium.Map(tiles=None, control_scale=True, maxZoom=18, zoom_snap=0.25)
    if background is not None:
        add_background(m, background)
    if outline is not None:
        add_outline(m, outline)
    legend: list[tuple[str, str]] = []
    for k, kind in enumerate(type_list):
        rows = layer_data[(sites["type"] == kind).to_numpy()]
        if rows.empty:
            continue
        colour = _PALETTE[k % len(_PALETTE)]
        legend.append((colour, f"{labels[kind]} ({len(rows)})"))
        group = folium.FeatureGroup(
            name=f'<span style="color:{colour}">&#9679;</span> '
            f"{html_text(labels[kind])} ({len(rows)})"
        ).add_to(m)
        parent = MarkerCluster(options={"maxClusterRadius": 40}).add_to(group) if cluster else group
        folium.GeoJson(
            rows.__geo_interface__,
            marker=folium.CircleMarker(radius=6, weight=1, fill=True, fill_opacity=0.85),
            style_function=lambda _f, c=colour: {"color": "#333333", "fillColor": c},
            # Popups and tooltips bound to each marker: bound to the GeoJSON layer, they
            # would never open once Leaflet.markercluster has taken the markers over.
            on_each_feature=folium.utilities.JsCode(
                "function(feature, layer) {"
                " layer.bindPopup(feature.properties._popup, {maxWidth: 360});"
                " layer.bindTooltip(feature.properties._nom); }"
            ),
        ).add_to(parent)
    located = sites
    if sites_layer is not None and len(sites_layer):
        _add_sites_layer(m, sites_layer)
        located = pd.concat([sites[["geometry"]], sites_layer[["geometry"]]])
        levels = set(sites_layer["niveau"].dropna())
        legend += [
            (colour, f"France Travail – {label.lower()}")
            for level, (label, colour) in _SITE_LEVEL_STYLE.items()
            if level in levels
        ]
    folium.LayerControl(collapsed=len(type_list) > 8).add_to(m)
    if frame is not None and len(frame):
        m.fit_bounds(bounds_of(frame))
    elif len(located):
        m.fit_bounds(bounds_of(gpd.GeoDataFrame(located, geometry="geometry", crs=sites.crs)))
    if title:
        add_title(m, title)
    lines = [] if outline is None else [("#000091", "Limite du territoire", 3.0)]
    if legend or lines:
        add_legend(m, "Légende", legend, lines=lines)
    return m


_SITE_LEVEL_STYLE = {
    "agence": ("Agence", "#000091"),
    "direction_territoriale": ("Direction territoriale", "#6a6af4"),
    "direction_regionale": ("Direction régionale", "#e1000f"),
}


def _france_travail_points(sites: pd.DataFrame) -> gpd.GeoDataFrame:
    """The located France Travail sites, as points in WGS84."""
    _require(
        sites,
        ["nom", "niveau", "latitude", "longitude"],
        "Sites France Travail",
        "Lisez-les avec diagnostics.partnerships.read_france_travail_sites.",
    )
    lat = pd.to_numeric(sites["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(sites["longitude"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    return gpd.GeoDataFrame(
        pd.DataFrame(sites)[ok].reset_index(drop=True),
        geometry=gpd.points_from_xy(lon[ok], lat[ok]),
        crs=settings.storage_crs,
    )


def _add_sites_layer(m: folium.Map, sites: gpd.GeoDataFrame) -> None:
    """One layer of France Travail sites, one square marker per site, escaped popups."""
    import folium

    def cell(column: str) -> list[str | None]:
        values = sites[column] if column in sites.columns else [None] * len(sites)
        return [_text(v) for v in values]

    names, levels = cell("nom"), cell("niveau")
    communes, codes, addresses = cell("commune_nom"), cell("commune"), cell("adresse")
    popups = []
    for i, name in enumerate(names):
        label = _SITE_LEVEL_STYLE.get(levels[i] or "", (levels[i] or "", ""))[0]
        commune = " ".join(v for v in (communes[i], f"({codes[i]})" if codes[i] else None) if v)
        rows = {"Niveau": label, "Adresse": addresses[i], "Commune": commune or None}
        popups.append(
            f"<b>France Travail – {html_text(name or '')}</b><table>"
            + "".join(
                f'<tr><th style="text-align:left;padding-right:6px">{html_text(k)}</th>'
                f"<td>{html_text(v or 'non renseigné')}</td></tr>"
                for k, v in rows.items()
            )
            + "</table>"
        )
    data = gpd.GeoDataFrame(
        {
            "_nom": [html_text(f"France Travail – {n or ''}") for n in names],
            "_popup": popups,
            "_couleur": [_SITE_LEVEL_STYLE.get(v or "", ("", "#000091"))[1] for v in levels],
        },
        geometry=sites.geometry.to_numpy(),
        crs=sites.crs,
    )
    group = folium.FeatureGroup(
        name=f'<span style="color:#000091">&#9673;</span> Sites France Travail ({len(data)})'
    ).add_to(m)
    folium.GeoJson(
        data.__geo_interface__,
        marker=folium.CircleMarker(radius=8, weight=3, fill=True),
        style_function=lambda f: {
            "color": "#ffffff",
            "fillColor": f["properties"]["_couleur"],
            "fillOpacity": 0.95,
        },
        on_each_feature=folium.utilities.JsCode(
            "function(feature, layer) {"
            " layer.bindPopup(feature.properties._popup, {maxWidth: 360});"
            " layer.bindTooltip(feature.properties._nom); }"
        ),
    ).add_to(group)


def _classes(values: np.ndarray) -> list[tuple[int, int]]:
    """Integer classes ``(low, high)`` of the positive counts: one per value up to 5."""
    positive = np.sort(values[values > 0]).astype(int)
    if positive.size == 0:
        return []
    top = int(positive.max())
    if top <= len(_BLUES):
        return [(v, v) for v in range(1, top + 1)]
    cuts = np.unique(np.ceil(np.quantile(positive, [0.2, 0.4, 0.6, 0.8])).astype(int))
    bounds = [b for b in cuts.tolist() if 1 <= b < top]
    classes, low = [], 1
    for b in [*bounds, top]:
        if b >= low:
            classes.append((low, b))
            low = b + 1
    return classes


def _class_label(low: int, high: int) -> str:
    return format_int(low) if low == high else f"{format_int(low)} à {format_int(high)}"


def map_coverage(
    coverage: pd.DataFrame,
    geometries: gpd.GeoDataFrame,
    *,
    types: str | Iterable[str] | None = None,
    highlight_type: str | None = "mission_locale",
    title: str | None = None,
) -> folium.Map:
    """Choropleth of the communes by number of covering structures, uncovered ones outlined.

    Parameters
    ----------
    coverage
        :func:`commune_coverage` table.
    geometries
        Commune polygons (any CRS) with a ``commune`` column.
    types
        Types whose structures are counted (default: every type of ``coverage``;
        the count is then the number of structures of any type covering the commune).
    highlight_type
        Communes outside every ressort of this type are outlined in red (default
        the missions locales); ``None`` to outline nothing.
    title
        Title shown in a box over the map (default: a French description).

    Returns
    -------
    folium.Map
        No tile layer (offline), a plain-HTML French legend (classes of counts,
        the outlined communes and their number), a tooltip per commune (code,
        name, population, structures, outside the highlighted type). Save it
        with :func:`geo.maps.save_map`.

    Raises
    ------
    SchemaError
        Missing columns, or ``highlight_type`` absent from ``coverage``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely import box
    >>> partners = pd.DataFrame({"partenaire_id": ["ml1"], "type": ["mission_locale"]})
    >>> ressort = pd.DataFrame({"partenaire_id": ["ml1"], "commune": ["9A001"]})
    >>> polygons = gpd.GeoDataFrame({"commune": ["9A001", "9A002"]},
    ...     geometry=[box(-10, 46, -9.9, 46.1), box(-9.9, 46, -9.8, 46.1)], crs="EPSG:4326")
    >>> cov = commune_coverage(partners, ressort, polygons)
    >>> page = map_coverage(cov, polygons).get_root().render()
    >>> "hors du ressort de toute mission locale" in page
    True
    """
    import folium

    from geo.crs import to_storage
    from geo.maps import add_colored_polygons, add_legend, add_title, bounds_of

    _require(
        coverage,
        ["commune", "type", "nb_structures"],
        "Carte de couverture",
        "Passez le résultat de commune_coverage(...).",
    )
    _require(geometries, ["commune"], "Carte de couverture (polygones)", "Ajoutez les codes.")
    present = pd.unique(coverage["type"].dropna()).tolist()
    wanted = present if types is None else ([types] if isinstance(types, str) else list(types))
    if highlight_type is not None and highlight_type not in present:
        raise SchemaError(
            f"Carte de couverture : le type {highlight_type!r} à mettre en évidence est absent "
            f"de la table de couverture (types présents : {', '.join(map(str, present))}). "
            f"Calculez commune_coverage(..., types=[..., {highlight_type!r}]) ou passez "
            "highlight_type=None."
        )
    chosen = coverage[coverage["type"].isin(wanted)]
    counts = chosen.groupby("commune")["nb_structures"].sum()
    labels = (
        coverage.drop_duplicates("type").set_index("type")["type_libelle"]
        if "type_libelle" in coverage.columns
        else pd.Series(dtype="string")
    )
    shapes = to_storage(geometries, what="Carte de couverture (polygones des communes)")
    shapes = gpd.GeoDataFrame(
        {"commune": shapes["commune"].astype("string").to_numpy()},
        geometry=shapes.geometry.to_numpy(),
        crs=shapes.crs,
    )
    info = coverage.drop_duplicates("commune").set_index("commune")
    shapes["commune_nom"] = shapes["commune"].map(
        info.get("commune_nom", pd.Series(dtype="string"))
    )
    shapes["population"] = shapes["commune"].map(info.get("population", pd.Series(dtype="Int64")))
    shapes["n"] = shapes["commune"].map(counts)
    uncovered = pd.Series(False, index=shapes.index)
    if highlight_type is not None:
        ht = coverage[coverage["type"] == highlight_type].set_index("commune")["nb_structures"]
        uncovered = shapes["commune"].map(ht).eq(0).fillna(False).astype(bool)
    values = shapes["n"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    classes = _classes(values[np.isfinite(values)])
    colours = [_BLUES[i] for i in np.linspace(0, len(_BLUES) - 1, len(classes)).round().astype(int)]

    def colour(v: float) -> str:
        if not np.isfinite(v):
            return "#ffffff"
        if v == 0:
            return _NONE_COLOUR
        for (low, high), c in zip(classes, colours, strict=False):
            if low <= v <= high:
                return c
        return colours[-1]

    if len(wanted) == 1:
        counted = (
            f"{labels.get(wanted[0], wanted[0])} : structures dont le ressort couvre la commune"
        )
    else:
        counted = "Structures (tous types retenus) dont le ressort couvre la commune"
    highlight_label = (
        f"{labels.get(highlight_type, highlight_type)}".lower() if highlight_type else ""
    )
    outside_text = (
        "hors du ressort de toute mission locale"
        if highlight_type == "mission_locale"
        else f"hors du ressort de tout(e) {highlight_label}"
    )
    props = pd.DataFrame(
        {
            "commune": shapes["commune"].astype(object),
            "commune_nom": shapes["commune_nom"]
            .astype(object)
            .where(shapes["commune_nom"].notna(), "non renseigné"),
            "population_txt": [
                format_int(v, missing="non renseignée") for v in shapes["population"]
            ],
            "structures_txt": ["hors table" if not np.isfinite(v) else str(int(v)) for v in values],
            "hors_txt": np.where(uncovered, "oui", "non"),
            "_couleur": [colour(v) for v in values],
        },
        index=shapes.index,
    )
    tooltip = {
        "commune": "Commune",
        "commune_nom": "Nom",
        "population_txt": "Population",
        "structures_txt": "Structures couvrant la commune",
    }
    if highlight_type is not None:
        tooltip["hors_txt"] = outside_text.capitalize()
    layer = gpd.GeoDataFrame(props, geometry=shapes.geometry, crs=shapes.crs)
    m = folium.Map(tiles=None, control_scale=True)
    add_colored_polygons(
        m,
        layer,
        name="Couverture des communes",
        tooltip=tooltip,
        outline="#777777",
        weight=0.5,
        fill_opacity=0.85,
    )
    if uncovered.any():
        folium.GeoJson(
            layer.loc[uncovered.to_numpy(), ["commune", "geometry"]].__geo_interface__,
            name=html_text(f"Communes {outside_text} ({int(uncovered.sum())})"),
            style_function=lambda _f: {
                "color": _HIGHLIGHT,
                "weight": 3,
                "fillColor": _HIGHLIGHT,
                "fillOpacity": 0.15,
                "dashArray": "6 3",
            },
            interactive=False,
        ).add_to(m)
    rows = [(_NONE_COLOUR, "0 (aucune structure)")]
    rows += [(c, _class_label(lo, hi)) for (lo, hi), c in zip(classes, colours, strict=False)]
    outlined = []
    if highlight_type is not None:
        outlined = [(_HIGHLIGHT, f"Commune {outside_text} : {int(uncovered.sum())}")]
    add_legend(m, counted, rows, outlined=outlined)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(bounds_of(shapes))
    add_title(m, title or "Couverture des communes par les ressorts des partenaires")
    return m
