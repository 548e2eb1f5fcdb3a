"""Input tables of a configuration, read once and shared by its territories.

:class:`TerritoryInputs` reads the files named by a
:class:`~diagnostics.portrait.config.PortraitConfig` lazily, on first use, and
keeps them: the commune table, the commune polygons brought to the current COG
and simplified, the BMO table, the partner directory and its ressorts, the
positioning table. A portrait batch runs many territories in the same Python
process (a warm notebook kernel), so :func:`portrait_inputs` keeps the last
configurations in memory: the second territory of a région reuses everything
the first one read.

An input that is not given, whose file is missing or that cannot be read is not
an error here: :meth:`TerritoryInputs.get` returns ``None`` and
:meth:`TerritoryInputs.problem` says why, in French, for the section that needed
it. Only the commune table is indispensable (:meth:`TerritoryInputs.commune_table`
raises).

A notebook reaches these tables through :func:`diagnostics.portrait.load_territory`
(``lieu.inputs.get("partenaires.annuaire")``, ``lieu.inputs.commune_table()``).
"""

from __future__ import annotations

import difflib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import shapely

from diagnostics.portrait.config import INPUTS, LEVEL_INPUTS, PortraitConfig
from geo import polygons, referentials, simplify, territories
from geo._errors import InputFileError, SchemaError, UnknownTerritoryError, WorkbenchError
from geo.display import Missing
from geo.problems import attach_problems, collect_problems

__all__ = [
    "TerritoryInputs",
    "PortraitInputs",
    "portrait_inputs",
    "COMMUNE_TOLERANCE_M",
    "TERRITORY_TOLERANCE_M",
]

#: Simplification tolerance of the commune polygons drawn in portraits (metres):
#: shared borders stay shared (:func:`geo.simplify.simplify_coverage`).
COMMUNE_TOLERANCE_M = 80.0
#: Extra simplification of the dissolved territories drawn at région scale (a région map
#: 800 pixels wide shows about 400 m per pixel).
TERRITORY_TOLERANCE_M = 500.0

_T = TypeVar("_T")
_KEEP = 2  # configurations kept in memory by portrait_inputs()

# Input key → reader of geo.referentials (one file each).
_REFERENTIAL_READERS = {
    "referentiels.communes_population": "read_communes_population",
    "referentiels.communes_insee": "read_cog_communes",
    "referentiels.communes_bassins": "read_commune_bassin",
    "referentiels.communes_zones_emploi": "read_commune_zone_emploi",
    "referentiels.communes_clpe": "read_commune_clpe",
    "referentiels.passage_codes": "read_code_passage",
    "referentiels.departements": "read_departements",
    "referentiels.regions": "read_regions",
}
_CACHE: OrderedDict[tuple, TerritoryInputs] = OrderedDict()


def _stat_key(config: PortraitConfig) -> tuple:
    parts: list[Any] = [config.title]
    for key in sorted(config.inputs):
        for path in config.inputs[key]:
            try:
                st = path.stat()
                parts.append((key, str(path), st.st_size, st.st_mtime_ns))
            except OSError:
                parts.append((key, str(path), None, None))
    return tuple(parts)


def portrait_inputs(config: PortraitConfig) -> TerritoryInputs:
    """The :class:`TerritoryInputs` of ``config``, reused while its files are unchanged."""
    key = _stat_key(config)
    inputs = _CACHE.get(key)
    if inputs is None:
        inputs = TerritoryInputs(config)
        _CACHE[key] = inputs
        while len(_CACHE) > _KEEP:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    return inputs


class TerritoryInputs:
    """The input tables of a configuration, read on first use and kept.

    Built by :func:`diagnostics.portrait.load_territory` (as ``.inputs`` of the
    territory it returns); shared by every territory of the configuration.

    Parameters
    ----------
    config
        The configuration (:func:`~diagnostics.portrait.read_portrait_config`).

    Examples
    --------
    >>> from diagnostics.portrait import read_portrait_config
    >>> from geo import settings
    >>> inputs = TerritoryInputs(read_portrait_config(settings.demo_dir() / "portrait.toml"))
    >>> len(inputs.commune_table()) > 100, inputs.get("partenaires.annuaire") is not None
    (True, True)
    >>> inputs.get("absente")
    Traceback (most recent call last):
    ...
    KeyError: 'entrée de portrait inconnue : absente (voir diagnostics.portrait.config.INPUTS)'
    """

    def __init__(self, config: PortraitConfig) -> None:
        self.config = config
        self._values: dict[str, Any] = {}
        self._problems: dict[str, str] = {}
        self._errors: dict[str, str] = {}
        self._derived: dict[Any, Any] = {}

    # ------------------------------------------------------------------ raw inputs

    def problem(self, key: str) -> str | None:
        """Why input ``key`` is not available (French), or ``None`` when it is."""
        self.get(key)
        return self._problems.get(key)

    def problems(self) -> dict[str, str]:
        """Every input that was asked for and is not available, with the reason."""
        return dict(self._problems)

    def warnings(self) -> list[str]:
        """Inputs named in the configuration whose files are missing or unreadable."""
        return [
            f"{INPUTS[k].label} : {reason}"
            for k, reason in self._problems.items()
            if self.config.files(k)
        ]

    def get(self, key: str) -> pd.DataFrame | None:
        """The table read from input ``key``, or ``None`` (see :meth:`problem`)."""
        if key in self._values:
            return self._values[key]
        if key in self._problems:
            return None
        if key not in INPUTS:
            raise KeyError(
                f"entrée de portrait inconnue : {key} (voir diagnostics.portrait.config.INPUTS)"
            )
        paths = self.config.files(key)
        value = None
        if not paths:
            self._problems[key] = (
                f"{Missing.NOT_PROVIDED.label} (entrée « {key} » absente de la configuration)"
            )
        elif absent := [p for p in paths if not p.is_file()]:
            self._problems[key] = f"fichier introuvable : {', '.join(str(p) for p in absent)}"
        else:
            try:
                value = self._read(key, paths)
            except (WorkbenchError, OSError, ValueError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                self._problems[key] = f"fichier illisible ({first})"
                self._errors[key] = first
        if value is not None:
            self._values[key] = value
        return value

    def _read(self, key: str, paths: tuple[Path, ...]) -> Any:
        path = paths[0]
        if key == "referentiels.communes_polygones":
            return referentials.read_commune_polygons(list(paths))
        if key in _REFERENTIAL_READERS:
            return getattr(referentials, _REFERENTIAL_READERS[key])(path)
        if key == "bmo.fichiers":
            from diagnostics._readers.bmo import format_bmo_report, read_bmo

            tables = [read_bmo(p) for p in paths]
            reports = [format_bmo_report(t) for t in tables]
            bmo = pd.concat(tables, ignore_index=True)
            bmo.attrs = {"rapports": reports}
            # the problems of every vintage, for --strict and the notes
            return attach_problems(
                bmo, collect_problems({p.name: t for p, t in zip(paths, tables, strict=True)})
            )
        if key == "bmo.tensions_dares":
            from diagnostics._readers.dares import read_dares_tensions

            return read_dares_tensions(path)
        if key == "demandeurs.fichier":
            from diagnostics._readers.jobseekers import read_jobseekers

            return read_jobseekers(path)
        if key == "partenaires.annuaire":
            from diagnostics.partners import read_partners

            return read_partners(path, communes=self.commune_table())
        if key == "partenaires.sites_france_travail":
            from diagnostics.partnerships import read_france_travail_sites

            return read_france_travail_sites(path, communes=self.commune_shapes_exact())
        if key == "partenaires.positionnement":
            from diagnostics.positioning import read_positioning

            return read_positioning(path, partners=self.get("partenaires.annuaire"))
        if key.startswith("cotraitance."):
            return self._read_cotraitance(key, path)
        if key.startswith("partenariats."):
            return self._read_partnerships(key, path)
        if key.startswith("formation."):
            return self._read_training(key, path)
        raise SchemaError(f"Entrée de portrait sans lecteur : {key}.")  # pragma: no cover

    def _read_cotraitance(self, key: str, path: Path) -> Any:
        from diagnostics import cotraitance as ct

        if key == "cotraitance.structures":
            table = ct.read_structures(path)
        elif key == "cotraitance.episodes":
            table = ct.read_episodes(path, structures=self.get("cotraitance.structures"))
        elif key == "cotraitance.periodes":
            table = ct.read_periods(path, episodes=self.get("cotraitance.episodes"))
        else:
            reader = {
                "cotraitance.flux": ct.read_cotraitance_flows,
                "cotraitance.objectifs": ct.read_objectives,
                "cotraitance.besoins": ct.read_cotraitance_needs,
                "cotraitance.ressorts": ct.read_cotraitance_ressorts,
            }[key]
            table = reader(path, structures=self.get("cotraitance.structures"))
        table.attrs["fichier"] = path.name
        return table

    def _read_training(self, key: str, path: Path) -> Any:
        from diagnostics._readers import training as tr

        if key == "formation.prescriptions":
            table = tr.read_prescriptions(
                path,
                sessions=self.get("formation.sessions"),
                agences=self.get("formation.agences"),
            )
        else:
            reader = {
                "formation.sessions": tr.read_training_sessions,
                "formation.agences": tr.read_training_agences,
                "formation.poe": tr.read_poe_entries,
                "formation.correspondance": tr.read_fap_rome,
            }[key]
            table = reader(path)
        table.attrs["fichier"] = path.name
        return table

    def _read_partnerships(self, key: str, path: Path) -> Any:
        from diagnostics import partnerships as ps

        if key == "partenariats.unites":
            return ps.read_pole_emploi_units(path)
        if key == "partenariats.indicateurs":
            return ps.read_partnership_indicators(
                path, partnerships=self.get("partenariats.registre")
            )
        reader = {
            "partenariats.registre": ps.read_partnerships,
            "partenariats.flux": ps.read_partner_flows,
        }[key]
        return reader(
            path,
            partners=self.get("partenaires.annuaire"),
            units=self.pole_emploi_units(),
        )

    def pole_emploi_units(self) -> pd.DataFrame | None:
        """The Pôle emploi units: the units file, else the France Travail sites as units.

        When ``partenariats.unites`` is not configured, the sites file
        (``partenaires.sites_france_travail``) gives the units of the partnership
        and network diagnostics (:func:`diagnostics.partnerships.pole_emploi_units_from_sites`).
        """
        if self.config.files("partenariats.unites"):
            return self.get("partenariats.unites")
        if not self.config.files("partenaires.sites_france_travail"):
            return None
        sites = self.get("partenaires.sites_france_travail")
        if sites is None:
            return None
        from diagnostics.partnerships import pole_emploi_units_from_sites

        return self.cached("units_from_sites", lambda: pole_emploi_units_from_sites(sites))

    # ------------------------------------------------------------------ derived tables

    def cached(self, key: Hashable, build: Callable[[], _T]) -> _T:
        """A value derived from the inputs: ``build()`` on the first call for ``key``, then kept.

        Shared by every territory of the configuration (a portrait batch builds
        a table once for the whole région).
        """
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    def derived(self, key: Hashable) -> Any:
        """The value kept by :meth:`cached` under ``key``, or ``None`` when not built yet."""
        return self._derived.get(key)

    def loaded(self, key: str) -> pd.DataFrame | None:
        """The table of input ``key`` if it was read already (nothing is read), else ``None``."""
        return self._values.get(key)

    def commune_table(self) -> pd.DataFrame:
        """The whole commune table (:func:`geo.territories.commune_table`) of the configuration.

        Every commune the referentials know, with its codes of every level; the
        communes of one territory are :meth:`PortraitData.communes()
        <diagnostics.portrait.PortraitData.communes>`.

        Raises
        ------
        InputFileError
            No input can list the communes (population, COG, polygons or a
            correspondence table).
        """
        return self.cached("communes", self._build_communes)

    def _build_communes(self) -> pd.DataFrame:
        population = self.get("referentiels.communes_population")
        cog = self.get("referentiels.communes_insee")
        bassin = self.get("referentiels.communes_bassins")
        zone = self.get("referentiels.communes_zones_emploi")
        clpe = self.get("referentiels.communes_clpe")
        base = None
        for candidate in (population, cog, self.get("referentiels.communes_polygones")):
            if candidate is not None:
                base = candidate
                break
        if base is None:
            for table in (bassin, zone, clpe):
                if table is not None:
                    base = table[[c for c in ("commune", "departement") if c in table.columns]]
                    break
        if base is None:
            where = f" ({self.config.path})" if self.config.path else ""
            reasons = "; ".join(
                self.problem(k) or ""
                for k in (
                    "referentiels.communes_population",
                    "referentiels.communes_insee",
                    "referentiels.communes_bassins",
                )
            )
            raise InputFileError(
                f"Configuration du portrait{where} : aucune liste de communes utilisable "
                f"({reasons}). Donnez au moins les populations des communes ou une table de "
                "correspondance."
            )
        if zone is None and cog is not None and cog["zone_emploi"].notna().any():
            zone = cog[["commune", "zone_emploi"]]
        return territories.commune_table(
            base,
            bassin=bassin,
            zone_emploi=zone,
            clpe=clpe,
            population=population,
            departements=self.get("referentiels.departements"),
            regions=self.get("referentiels.regions"),
        )

    def level_names(self, level: str) -> pd.DataFrame | None:
        """Labels of the territories of ``level`` (``<level>, <level>_nom``) when known."""
        if level == "zone_emploi":
            table = self.get("referentiels.communes_zones_emploi")
            return table if table is not None else None
        return None

    def check_level(self, level: str) -> None:
        """Raise when every configured input that lists the territories of ``level`` is unusable.

        A bassin table that is in fact a BMO file, a polygon layer or a table without
        its code column would otherwise leave the commune table without bassins, and
        every code « inconnu ». The message names the entry of the configuration, its
        file, what was expected and what was found.

        Raises
        ------
        SchemaError
            None of the configured inputs of :data:`LEVEL_INPUTS` for ``level`` can be read.
        """
        from geo.tables import describe_file

        keys = [k for k in LEVEL_INPUTS.get(level, ()) if self.config.files(k)]
        if not keys or any(self.get(k) is not None for k in keys):
            return
        where = self.config.path.name if self.config.path else "configuration en mémoire"
        details = []
        for key in keys:
            table, name = key.split(".", 1)
            files = self.config.files(key)
            found = "; ".join(f"{p.name} : {describe_file(p)}" for p in files if p.is_file())
            reason = self._errors.get(key) or self._problems.get(key, "")
            details.append(
                f"l'entrée « {name} » de [{table}] doit nommer : {INPUTS[key].label} ; elle "
                f"nomme {', '.join(p.name for p in files)}, qui n'en est pas une ({reason})"
                + (f" ; contenu trouvé : {found}" if found else "")
            )
        raise SchemaError(
            f"Configuration du portrait ({where}) : impossible de lister les territoires "
            f"(niveau {level}) : "
            + " ; ".join(details)
            + f". Corrigez cette entrée de {where} pour qu'elle nomme le bon fichier (exemple : "
            "data/demo/portrait.toml ; les chemins sont relatifs au fichier de configuration).",
            problems=details,
        )

    def territory(self, level: str, code: str) -> territories.Territory:
        """The territory ``level``/``code``; ``code`` may be a name (« Nantes »).

        Raises
        ------
        SchemaError
            The inputs that list the territories of ``level`` are unusable
            (:meth:`check_level`).
        UnknownTerritoryError
            Neither a code nor a name of them (close names and codes are suggested);
            :class:`~geo._errors.AmbiguousTerritoryError` when a name fits several.
        """
        self.check_level(level)
        named = {"departement": ("referentiels.departements",), "region": ("referentiels.regions",)}
        given = [
            [path.name for path in self.config.files(key)]
            for key in named.get(level, LEVEL_INPUTS.get(level, ()))
        ]
        files = next((names for names in given if names), [])
        return territories.territory(
            self.commune_table(),
            level,
            code,
            names=self.level_names(level),
            source=" ".join(["le référentiel", ", ".join(files)]).strip(),
        )

    def list_territories(
        self, level: str, *, region: str | None = None, departement: str | None = None
    ) -> pd.DataFrame:
        """``code, nom, nb_communes, population`` of the territories of ``level``.

        With ``region`` or ``departement``, the territories of that area: for
        bassins, the région and département *of the bassin* as published in the
        commune → bassin table (a bassin straddling régions belongs to one); for
        the other levels, the territories with at least one commune in the area.
        The area is a code or a name (« Loire-Atlantique », :meth:`territory`).
        """
        from geo import codes

        self.check_level(level)
        table = self.commune_table()
        listing = territories.list_territories(table, level, names=self.level_names(level))
        keep = pd.Series(True, index=listing.index)
        bassins = self.get("referentiels.communes_bassins") if level == "bassin" else None
        for column, value, normalize in (
            ("region", region, codes.normalize_region),
            ("departement", departement, codes.normalize_departement),
        ):
            if value is None:
                continue
            wanted = normalize(value, errors="coerce")
            if wanted is None:  # not a code: a name
                wanted = self.territory(column, value).code
            if bassins is not None and column in bassins.columns:
                inside = set(bassins.loc[bassins[column] == wanted, "bassin"].dropna())
            else:
                inside = set(table.loc[table[column] == wanted, level].dropna())
            if not inside:
                known = sorted(table[column].dropna().unique().tolist())
                close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.4)
                raise UnknownTerritoryError(
                    f"{'Région' if column == 'region' else 'Département'} {value} : aucun "
                    f"territoire ({level}) dans le référentiel"
                    + (f" (codes proches : {', '.join(close)})" if close else "")
                    + ". Vérifiez le code.",
                    suggestions=close,
                )
            keep &= listing["code"].isin(inside)
        return listing[keep].reset_index(drop=True)

    def commune_shapes(self) -> gpd.GeoDataFrame | None:
        """Commune polygons under their current codes, simplified for the web.

        Polygons of an older COG are brought to the current code through the
        passage table and merged. The unsimplified polygons, and which codes were
        brought to a current one, are given by :meth:`commune_shapes_exact`.
        """
        exact = self.commune_shapes_exact()
        if exact is None:
            return None
        return self.cached(
            "shapes", lambda: simplify.simplify_coverage(exact, tolerance_m=COMMUNE_TOLERANCE_M)
        )

    def commune_shapes_exact(self) -> gpd.GeoDataFrame | None:
        """Commune polygons under their current codes (``commune, commune_nom, geometry``).

        ``attrs["codes_rattaches"]`` maps the code of every polygon of another COG
        vintage to the current code it was brought to (through the passage table),
        so that a portrait counts those of its own communes; ``attrs["remarques"]``
        names the polygons of no known commune (left out).
        """
        raw = self.get("referentiels.communes_polygones")
        if raw is None:
            return None
        return self.cached("shapes_exact", lambda: self._current_shapes(raw))

    def _current_shapes(self, raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        table = self.commune_table()
        known = set(table["commune"])
        current = raw["commune"].astype("string")
        passage = self.get("referentiels.passage_codes")
        remarks = []
        moved_codes: dict[str, str] = {}
        if passage is not None and len(passage):
            forward = passage.drop_duplicates("ancien_code").set_index("ancien_code")[
                "code_courant"
            ]
            moved = ~current.isin(known) & current.map(forward).isin(known)
            moved_codes = dict(
                zip(
                    current[moved].astype(str), current[moved].map(forward).astype(str), strict=True
                )
            )
            current = current.where(~moved, current.map(forward))
        frame = gpd.GeoDataFrame(
            {"commune": current.astype("string")}, geometry=raw.geometry.values, crs=raw.crs
        )
        unknown = ~frame["commune"].isin(known)
        if unknown.any():
            remarks.append(
                f"{int(unknown.sum())} contour(s) de commune absent(s) du référentiel des "
                "communes, non utilisés : "
                + ", ".join(sorted(frame.loc[unknown, "commune"].astype(str))[:10])
                + "."
            )
        frame = frame[~unknown]
        if frame["commune"].duplicated().any():
            groups = frame.groupby("commune", sort=True).geometry
            merged = groups.agg(lambda g: shapely.union_all(g.values))
            frame = gpd.GeoDataFrame(
                {"commune": merged.index.astype("string")},
                geometry=list(merged.values),
                crs=raw.crs,
            )
        names = table.drop_duplicates("commune").set_index("commune")["commune_nom"]
        frame["commune_nom"] = frame["commune"].map(names).astype("string")
        frame = frame[["commune", "commune_nom", "geometry"]].reset_index(drop=True)
        frame.attrs["remarques"] = remarks
        frame.attrs["codes_rattaches"] = moved_codes
        # checked by the reader (location, overlaps): merging codes adds no overlap
        frame.attrs[polygons.CHECKED] = raw.attrs.get(polygons.CHECKED, False)
        return frame

    def level_shapes(self, level: str, codes: frozenset[str]) -> gpd.GeoDataFrame | None:
        """Simplified polygons of the territories ``codes`` of ``level``, from the communes.

        Columns ``territoire, territoire_nom, nb_communes, population, geometry``;
        a territory without any polygon is left out.
        """
        shapes = self.commune_shapes()
        if shapes is None or not codes:
            return None
        return self.cached(("level", level, codes), lambda: self._dissolve(shapes, level, codes))

    def _dissolve(
        self, shapes: gpd.GeoDataFrame, level: str, codes: frozenset[str]
    ) -> gpd.GeoDataFrame | None:
        corr = self.correspondence(level, codes)
        inside = shapes[shapes["commune"].isin(set(corr["commune"]))]
        if inside.empty:
            return None
        table = self.commune_table()
        built, _ = polygons.dissolve_communes(
            inside, corr, population=table[["commune", "population"]]
        )
        return simplify.simplify_coverage(built, tolerance_m=TERRITORY_TOLERANCE_M)

    def correspondence(self, level: str, codes: Iterable[str] | None = None) -> pd.DataFrame:
        """Commune → territory table of ``level``, from the commune table.

        ``commune, territoire, territoire_nom, departement, region`` of the communes of
        the territories ``codes`` (every territory of ``level`` by default), the
        territories named as people write them (« Les Sables-d'Olonne »);
        ``attrs["niveau"]`` is ``level``: the table
        :func:`geo.polygons.dissolve_communes` takes.

        Examples
        --------
        >>> from diagnostics.portrait import read_portrait_config
        >>> from geo import settings
        >>> inputs = TerritoryInputs(read_portrait_config(settings.demo_dir() / "portrait.toml"))
        >>> corr = inputs.correspondence("bassin", ["9901"])
        >>> corr["territoire"].unique().tolist(), len(corr), corr.attrs["niveau"]
        (['9901'], 40, 'bassin')
        >>> corr["territoire_nom"].iloc[0]
        'Vegicourt'
        """
        table = self.commune_table()
        keep = table[level].notna() if codes is None else table[level].isin(set(codes))
        rows = table[keep]
        names = territories.list_territories(rows, level, names=self.level_names(level))
        corr = pd.DataFrame(
            {
                "commune": rows["commune"],
                "territoire": rows[level],
                "territoire_nom": rows[level].map(names.set_index("code")["nom"]).astype("string"),
                "departement": rows["departement"],
                "region": rows["region"],
            }
        ).reset_index(drop=True)
        corr.attrs["niveau"] = level
        return corr

    def ressort(self) -> pd.DataFrame | None:
        """Long ressort table ``partenaire_id, commune`` of the partner directory."""
        partners = self.get("partenaires.annuaire")
        if partners is None:
            return None
        from diagnostics.partners import partner_ressort

        return self.cached("ressort", lambda: partner_ressort(partners, self.commune_table()))


#: Former name of :class:`TerritoryInputs`.
PortraitInputs = TerritoryInputs
