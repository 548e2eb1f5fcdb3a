"""The territory model: région, département, bassin, zone d'emploi, CLPE, commune, project.

Levels: région, département, bassin BMO, zone d'emploi, CLPE, commune and project
territories.

Every territory is a set of communes. The *commune table* holds, for each
commune, the code of every level it belongs to; a territory of any level is the
set of communes that carry its code. Project territories (the territorialisation
report insists that perimeters vary with projects) are defined by the user as a
list of communes or a polygon.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from geo import codes as _codes
from geo._errors import SchemaError, UnknownTerritoryError
from geo.crs import to_metric

__all__ = [
    "LEVEL_LABELS",
    "Territory",
    "commune_table",
    "territory",
    "list_territories",
    "project_territory",
]

#: Territorial levels of the model, with their French labels.
LEVEL_LABELS: dict[str, str] = {
    "region": "région",
    "departement": "département",
    "bassin": "bassin d'emploi BMO",
    "zone_emploi": "zone d'emploi",
    "clpe": "CLPE",
    "commune": "commune",
    "projet": "territoire de projet",
}

_COLUMNS = [
    "commune",
    "commune_nom",
    "departement",
    "region",
    "bassin",
    "zone_emploi",
    "clpe",
    "population",
]
_NAME_COLUMNS = ["bassin_nom", "zone_emploi_nom", "clpe_nom", "departement_nom", "region_nom"]


@dataclass(frozen=True)
class Territory:
    """A territory of any level, as the set of its communes.

    Attributes
    ----------
    level
        One of :data:`LEVEL_LABELS`.
    code
        Normalised code (for a project territory, a slug of its name).
    name
        Label for people.
    communes
        Codes of its communes, sorted.
    """

    level: str
    code: str
    name: str
    communes: tuple[str, ...] = field(repr=False)

    @property
    def label(self) -> str:
        """French label, e.g. ``bassin d'emploi BMO 5203 – Nantes``."""
        return f"{LEVEL_LABELS.get(self.level, self.level)} {self.code} – {self.name}"

    def __len__(self) -> int:
        return len(self.communes)


def commune_table(
    communes: pd.DataFrame,
    *,
    bassin: pd.DataFrame | None = None,
    zone_emploi: pd.DataFrame | None = None,
    clpe: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    departements: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assemble the commune table: one row per commune, the code of every level.

    Parameters
    ----------
    communes
        The communes of the study (commune polygons, COG communes or the
        population table): ``commune`` and, if present, ``commune_nom``,
        ``departement``, ``region``.
    bassin, zone_emploi, clpe
        Correspondence tables from :mod:`geo.referentials` (their own reader's
        columns, or :func:`~geo.referentials.read_correspondence` ones).
    population
        ``commune, population`` (and names, départements, régions used to fill
        gaps).
    departements, regions
        Insee COG tables (:func:`~geo.referentials.read_departements`,
        :func:`~geo.referentials.read_regions`) giving their labels.

    Returns
    -------
    pandas.DataFrame
        ``commune, commune_nom, departement, region, bassin, zone_emploi, clpe,
        population`` then the labels ``bassin_nom, zone_emploi_nom, clpe_nom,
        departement_nom, region_nom``; levels that were not given, or communes not found in a
        table, are missing (never invented). ``region`` is filled from the other
        tables when ``communes`` lacks it.

    Examples
    --------
    >>> from geo import referentials, settings
    >>> demo = settings.demo_dir()
    >>> pop = referentials.read_communes_population(demo / "communes_population.json")
    >>> table = commune_table(pop, bassin=referentials.read_commune_bassin(demo / "commune_bassin_bmo.csv"))
    >>> table.columns.tolist()[:8]
    ['commune', 'commune_nom', 'departement', 'region', 'bassin', 'zone_emploi', 'clpe', 'population']
    """
    if "commune" not in communes.columns:
        raise SchemaError("La table des communes n'a pas de colonne 'commune'.")
    base = pd.DataFrame(communes.drop(columns="geometry", errors="ignore")).copy()
    base = base.drop_duplicates("commune").reset_index(drop=True)
    out = base[[c for c in base.columns if c in _COLUMNS]].copy()
    for level, table in (("bassin", bassin), ("zone_emploi", zone_emploi), ("clpe", clpe)):
        if table is None:
            continue
        column = level if level in table.columns else "territoire"
        lookup = table.drop_duplicates("commune").set_index("commune")
        out[level] = out["commune"].map(lookup[column])
        name_column = f"{level}_nom" if f"{level}_nom" in lookup.columns else "territoire_nom"
        if name_column in lookup.columns:
            out[f"{level}_nom"] = out["commune"].map(lookup[name_column])
        _fill_gaps(out, lookup)
    if population is not None:
        lookup = population.drop_duplicates("commune").set_index("commune")
        out["population"] = out["commune"].map(lookup["population"]).astype("Int64")
        _fill_gaps(out, lookup)
    if "departement" not in out.columns:
        out["departement"] = _codes.departement_of_commune(out["commune"])
    out["departement"] = out["departement"].fillna(_codes.departement_of_commune(out["commune"]))
    if departements is not None:
        lookup = departements.drop_duplicates("departement").set_index("departement")
        out["departement_nom"] = out["departement"].map(lookup["departement_nom"])
        if "region" in lookup.columns:
            filled = out["departement"].map(lookup["region"])
            out["region"] = out["region"].fillna(filled) if "region" in out.columns else filled
    if regions is not None and "region" in out.columns:
        out["region_nom"] = out["region"].map(
            regions.drop_duplicates("region").set_index("region")["region_nom"]
        )
    return _typed_columns(out).sort_values("commune", kind="stable").reset_index(drop=True)


def _fill_gaps(out: pd.DataFrame, lookup: pd.DataFrame) -> None:
    """Fill the département, région and name of ``out``'s communes from ``lookup``.

    ``lookup`` is indexed by commune; values already in ``out`` win.
    """
    for extra in ("departement", "region", "commune_nom"):
        if extra in lookup.columns:
            filled = out["commune"].map(lookup[extra])
            out[extra] = out[extra].fillna(filled) if extra in out.columns else filled


def _typed_columns(out: pd.DataFrame) -> pd.DataFrame:
    """The columns of the commune table in order, missing ones added, as strings or Int64."""
    for c in _COLUMNS + _NAME_COLUMNS:
        if c not in out.columns:
            out[c] = pd.Series(
                pd.NA, index=out.index, dtype="Int64" if c == "population" else "string"
            )
    out = out[_COLUMNS + _NAME_COLUMNS]
    for c in _COLUMNS[:-1] + _NAME_COLUMNS:
        out[c] = out[c].astype("string")
    out["population"] = out["population"].astype("Int64")
    return out


def _names(table: pd.DataFrame, level: str, names: pd.DataFrame | None) -> pd.Series:
    """Labels of the territories of ``level``: from ``names`` if given, else from the table."""
    for source in (names, table):
        if source is not None and f"{level}_nom" in source.columns and level in source.columns:
            labels = source.dropna(subset=[level, f"{level}_nom"]).drop_duplicates(level)
            if len(labels):
                return labels.set_index(level)[f"{level}_nom"].astype("string")
    return pd.Series(dtype="string")


def list_territories(
    table: pd.DataFrame, level: str, *, names: pd.DataFrame | None = None
) -> pd.DataFrame:
    """List the territories of ``level`` in the commune table.

    Parameters
    ----------
    table
        Commune table (:func:`commune_table`).
    level
        ``region``, ``departement``, ``bassin``, ``zone_emploi``, ``clpe`` or ``commune``.
    names
        Optional table with ``<level>`` and ``<level>_nom`` columns (a
        correspondence table, say) giving labels.

    Returns
    -------
    pandas.DataFrame
        ``code, nom, nb_communes, population``, sorted by code.
    """
    _check_level(level)
    if level == "commune":
        out = table.rename(columns={"commune": "code", "commune_nom": "nom"})[
            ["code", "nom", "population"]
        ].copy()
        out.insert(2, "nb_communes", 1)
        return out.reset_index(drop=True)
    grouped = table.dropna(subset=[level]).groupby(level, sort=True)
    out = pd.DataFrame(
        {
            "nb_communes": grouped.size(),
            "population": grouped["population"].sum(min_count=1).astype("Int64"),
        }
    ).reset_index(names="code")
    out.insert(1, "nom", out["code"].map(_names(table, level, names)).astype("string"))
    return out


def territory(
    table: pd.DataFrame, level: str, code: str | int, *, names: pd.DataFrame | None = None
) -> Territory:
    """Return the territory of ``level`` and ``code`` from the commune table.

    Codes are normalised first (``5203``, ``'5203'`` and ``5203.0`` are the same
    bassin; département ``1`` is ``01``).

    Raises
    ------
    UnknownTerritoryError
        No commune carries that code; the message lists the closest codes.

    Examples
    --------
    >>> from geo import referentials, settings
    >>> demo = settings.demo_dir()
    >>> pop = referentials.read_communes_population(demo / "communes_population.json")
    >>> table = commune_table(pop)
    >>> t = territory(table, "departement", "9a")
    >>> t.code, len(t) > 0
    ('9A', True)
    """
    _check_level(level)
    if level == "commune":
        norm = _codes.normalize_commune(code, errors="coerce")
    else:
        norm = getattr(_codes, f"normalize_{level}")(code, errors="coerce")
    column = level
    members = table.loc[table[column] == norm, "commune"] if norm else pd.Series(dtype="string")
    if members.empty:
        known = sorted(table[column].dropna().unique().tolist())
        close = difflib.get_close_matches(str(code).upper(), known, n=5, cutoff=0.5)
        hint = f" Codes proches : {', '.join(close)}." if close else ""
        raise UnknownTerritoryError(
            f"{LEVEL_LABELS[level][0].upper()}{LEVEL_LABELS[level][1:]} {code!s} inconnu(e) dans le référentiel "
            f"({len(known)} code(s) connus).{hint} Vérifiez le code et le millésime du référentiel.",
            suggestions=close,
        )
    if level == "commune":
        name = table.loc[table["commune"] == norm, "commune_nom"].iloc[0]
    else:
        name = _names(table, level, names).get(norm)
    return Territory(
        level=level,
        code=str(norm),
        name=str(name) if name is not None and not pd.isna(name) else str(norm),
        communes=tuple(sorted(members.astype(str))),
    )


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") or "projet"


def project_territory(
    name: str,
    *,
    communes: list[str] | tuple[str, ...] | None = None,
    polygon: shapely.Geometry | gpd.GeoDataFrame | None = None,
    commune_polygons: gpd.GeoDataFrame | None = None,
    min_share: float = 0.5,
    table: pd.DataFrame | None = None,
) -> Territory:
    """Define a project territory from a list of communes or a polygon.

    Parameters
    ----------
    name
        Name of the project territory (its code is a slug of it).
    communes
        Commune codes (normalised here; lost zeros are restored).
    polygon
        A polygon (shapely geometry in WGS84, or a GeoDataFrame in any CRS);
        the communes whose area lies at least ``min_share`` inside it are kept.
    commune_polygons
        Commune polygons, required with ``polygon``.
    min_share
        Share of a commune's area that must lie in ``polygon`` (0.5 by default).
    table
        Optional commune table; when given, unknown communes are refused.

    Raises
    ------
    SchemaError
        Neither or both of ``communes`` and ``polygon``; unknown communes;
        ``polygon`` without ``commune_polygons``; an empty result.

    Examples
    --------
    >>> t = project_territory("Vallée de la Brume", communes=["9A001", "9A002"])
    >>> t.level, t.code, t.communes
    ('projet', 'vallee-de-la-brume', ('9A001', '9A002'))
    """
    if (communes is None) == (polygon is None):
        raise SchemaError(
            f"Territoire de projet « {name} » : donnez soit une liste de communes, soit un polygone."
        )
    if communes is not None:
        members = _codes.normalize_commune(
            list(communes), source=f"territoire de projet « {name} »"
        )
        members = sorted(set(members.dropna()))
    else:
        if commune_polygons is None:
            raise SchemaError(
                f"Territoire de projet « {name} » : un polygone demande aussi les polygones des "
                "communes (commune_polygons=) pour savoir quelles communes il contient."
            )
        area = (
            gpd.GeoDataFrame(geometry=[polygon], crs="EPSG:4326")
            if not isinstance(polygon, gpd.GeoDataFrame)
            else polygon
        )
        area_m = to_metric(area, what=f"polygone du projet « {name} »")
        shape = shapely.union_all(area_m.geometry.values)
        comm_m = to_metric(commune_polygons, what="polygones des communes")
        inside = shapely.area(shapely.intersection(comm_m.geometry.values, shape))
        share = inside / shapely.area(comm_m.geometry.values)
        members = sorted(comm_m.loc[share >= min_share, "commune"].astype(str))
    if table is not None:
        unknown = sorted(set(members) - set(table["commune"]))
        if unknown:
            raise SchemaError(
                f"Territoire de projet « {name} » : {len(unknown)} commune(s) inconnue(s) du "
                f"référentiel : {', '.join(unknown[:20])}. Vérifiez les codes et le millésime."
            )
    if not members:
        raise SchemaError(f"Territoire de projet « {name} » : aucune commune retenue.")
    return Territory(level="projet", code=_slug(name), name=name, communes=tuple(members))


def _check_level(level: str) -> None:
    if level not in LEVEL_LABELS or level == "projet":
        raise SchemaError(
            f"Niveau territorial inconnu : {level!r}. Niveaux possibles : "
            + ", ".join(k for k in LEVEL_LABELS if k != "projet")
            + " (les territoires de projet se créent avec project_territory)."
        )
