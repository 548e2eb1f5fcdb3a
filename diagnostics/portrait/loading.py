"""Loading one territory: :func:`load_territory` and :class:`PortraitData`.

The loader notebooks use to work on a territory (and the portrait's entry,
:func:`load_portrait`): a TOML configuration names the input files, a level and a
code name the territory::

    lieu = portrait.load_territory(configuration, niveau, code)
    lieu.communes()                           # the territory's communes
    lieu.inputs.commune_table()               # every commune of the referentials
    lieu.inputs.get("partenaires.annuaire")   # one input table, read on first use
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from diagnostics.portrait.config import PortraitConfig, read_portrait_config, required_inputs
from diagnostics.portrait.inputs import TerritoryInputs, portrait_inputs
from geo import settings
from geo.simplify import geojson_text, simplify_coverage
from geo.territories import Territory

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["PortraitData", "load_territory", "load_portrait", "MAP_BYTES"]

#: Largest GeoJSON of the commune polygons drawn in one map of a portrait (bytes).
MAP_BYTES = 500_000


# --------------------------------------------------------------------------- data

#: Level → the level of its parts whose largest communes a map names first.
_PARTS = {"region": "departement", "departement": "bassin"}


@dataclass
class PortraitData:
    """One territory and the input tables of its configuration; built by :func:`load_territory`.

    Everything a portrait (or a notebook) needs for one territory.

    Attributes
    ----------
    config
        The configuration (input files).
    inputs
        The input tables (:class:`~diagnostics.portrait.inputs.TerritoryInputs`),
        read on first use and shared between territories.
    territory
        The territory portrayed.
    years
        BMO vintages shown (``None``: every vintage of the configuration).
    produced
        Date and time of production (shown in the sources section).
    sections
        Section name → ``"produite"`` or the French reason why it is empty or partial.
    omitted
        Section name → the inputs, not configured, for want of which it is left out
        of the portrait (:meth:`~diagnostics.portrait.html.Section.omit`).
    facts
        Key figures computed by the sections (written to the portrait summary).
    """

    config: PortraitConfig
    inputs: TerritoryInputs
    territory: Territory
    years: tuple[int, ...] | None = None
    produced: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    sections: dict[str, str] = field(default_factory=dict)
    omitted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        """``"<niveau>:<code>"``, the territory key of partner and positioning files."""
        return f"{self.territory.level}:{self.territory.code}"

    @property
    def label(self) -> str:
        """French label, e.g. ``bassin d'emploi BMO 9901 – Vegicourt``."""
        return self.territory.label

    def _cached(self, name: str, build: Callable[[], Any]) -> Any:
        if name not in self._memo:
            self._memo[name] = build()
        return self._memo[name]

    def derived(self, name: str) -> Any:
        """A table of this territory already built (``"bmo_local"``, ``"shapes"``...), or ``None``."""
        return self._memo.get(name)

    def communes(self) -> pd.DataFrame:
        """The territory's communes: their rows of :meth:`TerritoryInputs.commune_table`."""
        table = self.inputs.commune_table()
        return self._cached(
            "communes",
            lambda: table[table["commune"].isin(set(self.territory.communes))].reset_index(
                drop=True
            ),
        )

    def shapes(self) -> gpd.GeoDataFrame | None:
        """Simplified polygons of the territory's communes (with ``population``), or ``None``.

        Simplified further for large territories, so that their GeoJSON stays under
        :data:`MAP_BYTES`.
        """

        def build():
            shapes = self.inputs.commune_shapes()
            if shapes is None:
                return None
            inside = shapes[shapes["commune"].isin(set(self.territory.communes))]
            if inside.empty:
                return None
            population = self.communes().set_index("commune")["population"]
            inside = inside.assign(population=inside["commune"].map(population))
            if len(geojson_text(inside).encode()) > MAP_BYTES:  # a département, a région
                inside = simplify_coverage(inside, max_bytes=MAP_BYTES)
            return inside.reset_index(drop=True)

        return self._cached("shapes", build)

    def outline(self) -> gpd.GeoDataFrame | None:
        """The territory as one (simplified) polygon, or ``None``.

        A région or a département is the union of its départements
        (:meth:`departement_shapes`), lighter than the union of its communes.
        """

        def build():
            import geopandas as gpd
            import shapely

            whole = self.territory.level in ("region", "departement")
            shapes = self.departement_shapes() if whole else self.shapes()
            if shapes is None:
                return None
            geom = shapely.coverage_union_all(shapes.geometry.values)
            return gpd.GeoDataFrame(geometry=[geom], crs=shapes.crs)

        return self._cached("outline", build)

    def departement_shapes(self) -> gpd.GeoDataFrame | None:
        """The territory's départements, whole (:meth:`context_shapes` columns), or ``None``."""
        shapes = self.context_shapes("departement")
        if shapes is None:
            return None
        mine = shapes[shapes["territoire"].isin(self.departements())]
        return mine.reset_index(drop=True) if len(mine) else None

    def departement_borders(self) -> gpd.GeoDataFrame | None:
        """Lines between two départements of the territory's région(s), or ``None``.

        The borders a map of the territory draws: only those shared by two
        départements (the outer edge is the coast, or the end of the polygons given).
        """

        def build():
            import geopandas as gpd
            import shapely

            shapes = self.context_shapes("departement")
            if shapes is None or len(shapes) < 2:
                return None
            edges = shapely.union_all(shapely.boundary(shapes.geometry.values))
            outer = shapely.boundary(shapely.coverage_union_all(shapes.geometry.values))
            inner = shapely.line_merge(shapely.difference(edges, outer))
            if inner.is_empty:
                return None
            return gpd.GeoDataFrame(geometry=[inner], crs=shapes.crs)

        return self._cached("departement_borders", build)

    def places(self, limit: int = 8) -> gpd.GeoDataFrame | None:
        """The communes to name on a map of the territory: points ``commune, nom, population``.

        The ``limit`` most populous communes and the commune(s) the territory is
        named after (:func:`geo.territories.named_after`, for a bassin, zone or
        CLPE) or the largest commune of each of its départements (a région) or
        bassins (a département); less those whose label would overlap one already
        kept on a map of the territory about 760 × 440 pixels (the named communes
        first, then by population). Each point is the commune's centre, or a point
        inside it when the centre falls outside. ``None`` without commune polygons.

        Examples
        --------
        >>> data = load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")
        >>> data.places()["nom"].tolist()  # Vegicourt, the bassin's name, first
        ['Vegicourt', 'Mataunan', 'Canouvignac', 'Noubralin', 'Prépaulan', 'Saint-Bilérières', 'Plotélay']
        """

        def build():
            import geopandas as gpd
            import shapely

            from geo.crs import to_metric
            from geo.territories import named_after

            all_shapes = self.inputs.commune_shapes()
            if all_shapes is None:
                return None
            communes = self.communes().sort_values(
                ["population", "commune"], ascending=[False, True], na_position="last"
            )
            communes = communes[communes["commune"].isin(set(all_shapes["commune"]))]
            if communes.empty:
                return None
            names = communes["commune_nom"].fillna(communes["commune"]).astype(str).tolist()
            first: list[int] = []
            if self.territory.level in ("bassin", "zone_emploi", "clpe"):
                first = named_after(self.territory.raw_name or self.territory.name, names)
            elif self.territory.level in _PARTS:  # the largest commune of each part
                largest = ~communes[_PARTS[self.territory.level]].duplicated().to_numpy()
                first = [i for i in range(len(names)) if largest[i]]
            order = list(dict.fromkeys([*first, *range(min(limit, len(names)))]))
            chosen = communes.iloc[order]
            inside = to_metric(all_shapes[all_shapes["commune"].isin(set(communes["commune"]))])
            minx, miny, maxx, maxy = inside.total_bounds
            scale = min(760 / max(maxx - minx, 1.0), 440 / max(maxy - miny, 1.0))  # px per metre
            polygons = inside.set_index("commune").geometry
            kept: list[tuple[str, str, Any, float, float, float]] = []
            for code, name, population in zip(
                chosen["commune"], [names[i] for i in order], chosen["population"], strict=True
            ):
                polygon = polygons[code]
                point = shapely.centroid(polygon)
                if not polygon.contains(point):
                    point = shapely.point_on_surface(polygon)
                width = 7 * len(name) + 8  # pixels of a 12 px label
                if any(
                    abs(point.x - x) * scale < (width + w) / 2 and abs(point.y - y) * scale < 16
                    for _, _, _, x, y, w in kept
                ):
                    continue
                kept.append((code, name, population, point.x, point.y, width))
            frame = gpd.GeoDataFrame(
                {
                    "commune": [k[0] for k in kept],
                    "nom": [k[1] for k in kept],
                    "population": pd.array([k[2] for k in kept], dtype="Int64"),
                },
                geometry=gpd.points_from_xy([k[3] for k in kept], [k[4] for k in kept]),
                crs=inside.crs,
            )
            return frame.to_crs(settings.storage_crs)

        return self._cached(f"places_{limit}", build)

    def regions(self) -> list[str]:
        """Régions of the territory (of the bassin as published, for a bassin)."""

        def build():
            if self.territory.level == "bassin":
                bassins = self.inputs.get("referentiels.communes_bassins")
                if bassins is not None and "region" in bassins.columns:
                    found = bassins.loc[bassins["bassin"] == self.territory.code, "region"]
                    if found.notna().any():
                        return sorted(found.dropna().unique().tolist())
            return sorted(self.communes()["region"].dropna().unique().tolist())

        return self._cached("regions", build)

    def context_shapes(self, level: str) -> gpd.GeoDataFrame | None:
        """Simplified polygons of the territories of ``level`` in the territory's région(s).

        Columns ``territoire, territoire_nom, nb_communes, population, geometry``
        (:func:`geo.polygons.dissolve_communes`); ``None`` without commune polygons.
        The territory's own territories of ``level`` are always included.
        """
        table = self.inputs.commune_table()
        codes = set(table.loc[table["region"].isin(self.regions()), level].dropna())
        codes |= set(self.communes()[level].dropna())
        return self.inputs.level_shapes(level, frozenset(codes))

    def parts(self, level: str) -> pd.DataFrame:
        """The territories of ``level`` that lie in this territory: ``code, nom, nb_communes, population``.

        In a région or a département, the bassins are those the BMO survey publishes
        there (the région and département columns of the commune → bassin table,
        :meth:`TerritoryInputs.list_territories`): a bassin straddling two régions
        counts in one only, as in the BMO files. Otherwise, the territories of
        ``level`` with at least one commune in this territory. ``nb_communes`` and
        ``population`` are those of each whole territory of ``level``. Empty when no
        commune of the referentials has a code of ``level`` (its correspondence table is
        not configured).

        Examples
        --------
        >>> region = load_territory(settings.demo_dir() / "portrait.toml", "region", "99")
        >>> len(region.parts("bassin")), len(region.parts("departement"))
        (10, 3)
        >>> load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901").parts(
        ...     "departement")["code"].tolist()
        ['9A']
        """

        def build():
            here = self.territory
            listing = self.inputs.list_territories(level)
            if listing.empty:
                return listing
            if here.level in ("region", "departement"):
                return self.inputs.list_territories(level, **{here.level: here.code})
            inside = set(self.communes()[level].dropna())
            return listing[listing["code"].isin(inside)].reset_index(drop=True)

        return self._cached(f"parts_{level}", build)

    def departements(self) -> list[str]:
        """Départements of the territory's communes."""
        return sorted(self.communes()["departement"].dropna().unique().tolist())

    def bmo(self) -> pd.DataFrame | None:
        """The BMO table of the vintages shown, or ``None``."""

        def build():
            bmo = self.inputs.get("bmo.fichiers")
            if bmo is None:
                return None
            if self.years:
                bmo = bmo[bmo["annee"].isin(self.years)]
            return bmo if len(bmo) else None

        return self._cached("bmo", build)

    def bmo_local(self) -> pd.DataFrame | None:
        """The BMO rows of the territory (:func:`diagnostics.bmo.bmo_for_territory`)."""
        from diagnostics.bmo import bmo_for_territory

        def build():
            bmo = self.bmo()
            if bmo is None:
                return None
            return bmo_for_territory(bmo, self.territory, communes=self.inputs.commune_table())

        return self._cached("bmo_local", build)

    def bmo_summary(self) -> pd.DataFrame | None:
        """Projects, shares and secrecy of the territory, one row per vintage."""
        from diagnostics.bmo import recruitment_summary

        def build():
            local = self.bmo_local()
            return None if local is None or local.empty else recruitment_summary(local)

        return self._cached("bmo_summary", build)

    def partners_here(self) -> pd.DataFrame | None:
        """Structures located in the territory or whose ressort reaches it."""

        def build():
            partners = self.inputs.get("partenaires.annuaire")
            if partners is None:
                return None
            ressort = self.inputs.ressort()
            inside = set(self.territory.communes)
            reach = set(ressort.loc[ressort["commune"].isin(inside), "partenaire_id"])
            located = partners["commune"].isin(inside).fillna(False).astype(bool)
            keep = located | partners["partenaire_id"].isin(reach)
            out = partners[keep].copy()
            out["implante"] = located[keep].to_numpy()
            out["ressort_territoire"] = out["partenaire_id"].isin(reach).to_numpy()
            return out.reset_index(drop=True)

        return self._cached("partners_here", build)

    @property
    def date(self) -> dt.date:
        """Date of observation: the ``date`` of the configuration, else the production day."""
        return self.config.date or self.produced.date()

    def __repr__(self) -> str:
        return f"PortraitData({self.label}, {len(self.territory)} commune(s))"


def load_territory(
    config: str | Path | PortraitConfig,
    level: str,
    code: str | int,
    *,
    years: int | Sequence[int] | None = None,
    files: Mapping[str, str | Path | Sequence[str | Path] | None] | None = None,
) -> PortraitData:
    """Read the inputs of a configuration and select one territory.

    Parameters
    ----------
    config
        The TOML configuration (path, or a :class:`PortraitConfig`).
    level
        ``bassin``, ``zone_emploi``, ``clpe``, ``departement``, ``region`` or ``commune``.
    code
        Code of the territory (normalised: ``5203``, ``"5203"``, département ``1`` → ``01``).
    years
        BMO vintages to show (default: every vintage of the configuration).
    files
        Inputs replacing those of the configuration (key → path or list of paths,
        ``None`` to drop an input), relative paths against the current folder.

    Returns
    -------
    PortraitData
        The territory; its input tables are read on first use (``.inputs``).

    Raises
    ------
    UnknownTerritoryError
        The code is not in the referential; the message lists the closest codes.
    SchemaError, InputFileError
        The configuration cannot list the territories of ``level``.

    Examples
    --------
    >>> data = load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> data.label, len(data.territory), len(data.communes())
    ("bassin d'emploi BMO 9901 – Vegicourt", 40, 40)
    >>> len(data.inputs.commune_table()) > len(data.communes())
    True
    >>> load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9991")
    Traceback (most recent call last):
    ...
    geo._errors.UnknownTerritoryError: Bassin d'emploi BMO « 9991 » inconnu dans le référentiel commune_bassin_bmo.csv (10 bassins d'emploi BMO connus). Codes proches : ... Vérifiez le code, le niveau demandé et le millésime du référentiel.
    """
    config = config if isinstance(config, PortraitConfig) else read_portrait_config(config)
    config = config.with_overrides(files)
    required_inputs(config, level)
    inputs = portrait_inputs(config)
    territory = inputs.territory(level, str(code))
    shown: tuple[int, ...] | None
    if years is None or (isinstance(years, Sequence) and not isinstance(years, str) and not years):
        shown = None
    elif isinstance(years, int | str):
        shown = (int(years),)
    else:
        shown = tuple(sorted({int(a) for a in years}))
    return PortraitData(config=config, inputs=inputs, territory=territory, years=shown)


def load_portrait(
    config: str | Path | PortraitConfig,
    level: str,
    code: str | int,
    *,
    years: int | Sequence[int] | None = None,
    files: Mapping[str, str | Path | Sequence[str | Path] | None] | None = None,
) -> PortraitData:
    """The portrait's entry (``portrait_territoire.ipynb``): :func:`load_territory`.

    Examples
    --------
    >>> load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901").label
    "bassin d'emploi BMO 9901 – Vegicourt"
    """
    return load_territory(config, level, code, years=years, files=files)
