"""Recruitment tensions from the BMO survey (enquête Besoins en Main-d'Œuvre).

Pure functions on the tidy BMO table of :func:`~diagnostics._readers.bmo.read_bmo`
(one row per année × métier × bassin × département part): they never read files,
never print and never modify their inputs.

Statistical secrecy made visible
--------------------------------
Counts masked by ``*`` in the open-data file are missing in the tidy table, with a
flag. Every total below is given three ways:

- the value computed from the **unmasked cells** only (``projets``,
  ``part_difficiles``...): a masked cell is neither 0 nor 1, it is left out;
- the **number of masked cells** (``cellules_secretes_*``);
- **bounds** (``*_min``, ``*_max``): a masked cell holds a value between 0 and
  :data:`SECRET_MAX` (the smallest published count is 5), and never more than the
  projects of its row. The bounds of a share are the extreme values reachable
  under these constraints (lower: masked difficult cells at 0 and masked project
  cells at their maximum; upper: masked difficult cells at their maximum, a masked
  project cell equal to its difficult projects).

Shares (``part_*``) are fractions between 0 and 1.

A figure whose every cell is masked (a territory where all the ``met`` cells are
``*``, a métier whose seasonal cell is ``*``) is **missing**, never 0: its value is
``<NA>`` and only its bounds are known; a share is missing when its numerator or its
denominator is. :func:`format_share_with_bounds` and :func:`format_projects_with_bounds`
write them in French: bounds (« ≤ 4,1 % », « entre 12,0 % et 14,5 % ») or « secret
statistique », never « 0,0 % ».

Territories
-----------
:func:`bmo_for_territory` brings the table to any territory of the model:

- a bassin, a département, a région (and a CLPE from 2026): the rows of the BMO
  file itself whose ``bassin``/``departement``/``region``/``clpe`` column carries
  the code, without any allocation. A bassin straddling départements has one row
  per département part, so a département gets exactly its parts. The région is the
  *bassin's* région, as in the file (the Loire-Atlantique part of the Redon bassin
  counts in Bretagne);
- any other territory (zone d'emploi, CLPE before 2026, commune, project
  territory, or a list of communes): through the commune table, with the
  **allocation rule** ``poids = population of the territory's communes in the
  bassin / population of the bassin``, every BMO row of the bassin receiving that
  share of its counts. A bassin straddling départements is allocated part by part
  (the population of the territory's communes in the part / the population of the
  part) when every commune of the bassin lies in a part present in the file.
  When populations are not given (or incomplete), the share of communes replaces
  the share of population. The rule used is written in the ``allocation`` column
  of every result; communes of the territory without a bassin are listed in
  ``attrs["territoire"]``.

Every aggregate accepts a weighted table (column ``poids``): counts and bounds are
multiplied by the weight (and are then floats), masked cells are counted once.

Nomenclatures
-------------
Métier codes follow FAP2009 (``A0Z40``) until 2023 and FAP2021 (``A0X40``) from
2024. :func:`bmo_change` never compares métiers across the break; the DARES tension
indicators (FAP-225, i.e. FAP2009) are joined to FAP2021 métiers through the
homologous code only, and say so (:func:`add_dares_tension`: ``dares_meme_metier``
is true only for the same FAP-225 métier).

Métiers en tension
------------------
:func:`top_tension_metiers` ranks by the number of projects judged difficult,
among the métiers at least as hard to fill as the territory (its docstring says
why); ``by="part_difficiles"`` ranks by the share alone.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from diagnostics._readers.bmo import read_bmo  # noqa: F401  (used by the examples)
from geo import codes
from geo._errors import SchemaError, UnknownTerritoryError
from geo.display import Missing, axes_or_new, format_int, format_percent, is_missing

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd
    from matplotlib.axes import Axes

    from geo.territories import Territory

__all__ = [
    "SECRET_MAX",
    "COUNT_COLUMNS",
    "recruitment_summary",
    "bmo_for_territory",
    "bmo_tension",
    "metier_ranking",
    "TENSION_MEASURES",
    "top_tension_metiers",
    "family_breakdown",
    "location_quotient",
    "bmo_specialisation",
    "bmo_change",
    "add_dares_tension",
    "map_bmo_bassins",
    "format_share_with_bounds",
    "format_projects_with_bounds",
    "format_recruitment_summary",
    "plot_top_metiers",
    "plot_family_breakdown",
]

#: Largest value a masked (``*``) cell can hold: the open-data files publish no
#: count below 5.
SECRET_MAX = 4

#: Count columns of the tidy BMO table.
COUNT_COLUMNS: tuple[str, ...] = ("projets", "projets_difficiles", "projets_saisonniers")

_FLAGS = {
    "projets": "projets_secret",
    "projets_difficiles": "difficiles_secret",
    "projets_saisonniers": "saisonniers_secret",
}
_REQUIRED = ("annee", "metier", "bassin", "departement", "region", *COUNT_COLUMNS)
_KEY = ["annee", "metier", "bassin", "departement"]
_NO_ALLOCATION = "aucune : somme des lignes du fichier BMO"
_DIRECT_LEVELS = {
    "bassin": ("bassin", codes.normalize_bassin, "bassin d'emploi"),
    "departement": ("departement", codes.normalize_departement, "département"),
    "region": ("region", codes.normalize_region, "région"),
    "clpe": ("clpe", codes.normalize_clpe, "CLPE"),
}
_METIER_KEYS = ["nomenclature", "metier", "metier_nom", "famille", "famille_nom"]
_FAMILY_KEYS = ["famille", "famille_nom"]


# --------------------------------------------------------------------------- helpers


def _check(bmo: pd.DataFrame, what: str, extra: Sequence[str] = ()) -> None:
    """Refuse a table that is not a tidy BMO table (or was loaded twice)."""
    missing = [c for c in (*_REQUIRED, *extra) if c not in bmo.columns]
    if missing:
        raise SchemaError(
            f"{what} : colonne(s) {', '.join(missing)} absente(s) de la table BMO "
            f"(colonnes trouvées : {', '.join(map(str, bmo.columns))}). Lisez le fichier avec "
            "diagnostics.read_bmo().",
            problems=[f"colonne absente : {c}" for c in missing],
        )
    if "territoire_code" not in bmo.columns and bmo.duplicated(_KEY).any():
        years = sorted(bmo.loc[bmo.duplicated(_KEY), "annee"].unique().tolist())
        raise SchemaError(
            f"{what} : la table BMO contient des lignes en double (année, métier, bassin, "
            f"département) pour {years}. Le même millésime a-t-il été chargé deux fois ?"
        )


def _as_float(values: pd.Series) -> np.ndarray:
    return values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _cells(bmo: pd.DataFrame, secret_max: int) -> pd.DataFrame:
    """Per-row known values, masked flags and bounds of the three counts (weighted)."""
    weight = _as_float(bmo["poids"]) if "poids" in bmo.columns else np.ones(len(bmo))
    values = {c: _as_float(bmo[c]) for c in COUNT_COLUMNS}
    masked = {
        c: np.isnan(values[c])
        | (bmo[_FLAGS[c]].to_numpy(dtype=bool) if _FLAGS[c] in bmo.columns else False)
        for c in COUNT_COLUMNS
    }
    known = {c: np.where(masked[c], 0.0, np.nan_to_num(values[c])) for c in COUNT_COLUMNS}
    p_lo = np.where(
        masked["projets"],
        np.maximum(known["projets_difficiles"], known["projets_saisonniers"]),
        known["projets"],
    )
    p_hi = np.where(masked["projets"], np.maximum(secret_max, p_lo), known["projets"])
    out = {"_poids": weight, "projets": known["projets"] * weight}
    out["projets_min"] = p_lo * weight
    out["projets_max"] = p_hi * weight
    out["cellules_secretes_projets"] = masked["projets"] & (weight > 0)
    for column, short in (
        ("projets_difficiles", "difficiles"),
        ("projets_saisonniers", "saisonniers"),
    ):
        hi = np.where(masked[column], np.minimum(secret_max, p_hi), known[column])
        out[column] = known[column] * weight
        out[f"{column}_min"] = known[column] * weight
        out[f"{column}_max"] = hi * weight
        # Denominator of the upper bound of the share: a masked project cell equal
        # to the (maximal) count of its masked numerator cell.
        out[f"_projets_pour_{short}_max"] = (
            np.where(masked["projets"], np.maximum(p_lo, hi), known["projets"]) * weight
        )
        out[f"cellules_secretes_{column.removeprefix('projets_')}"] = masked[column] & (weight > 0)
    return pd.DataFrame(out, index=bmo.index)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    num = numerator.astype("Float64")
    den = denominator.astype("Float64")
    return (num / den.mask(den == 0)).astype("Float64")


def _aggregate(bmo: pd.DataFrame, keys: list[str], *, secret_max: int) -> pd.DataFrame:
    """Sum the counts of ``bmo`` by ``keys`` with masked cells and bounds."""
    cells = _cells(bmo, secret_max)
    frame = pd.concat([bmo[keys], cells], axis=1)
    grouped = frame.groupby(keys, dropna=False, sort=True)
    sums = grouped.sum(numeric_only=True)
    active = frame["_poids"] > 0
    sums["nb_lignes"] = frame[active].groupby(keys, dropna=False, sort=True).size()
    sums["nb_bassins"] = (
        pd.concat([bmo.loc[active, keys], bmo.loc[active, "bassin"].rename("_b")], axis=1)
        .groupby(keys, dropna=False, sort=True)["_b"]
        .nunique()
    )
    sums[["nb_lignes", "nb_bassins"]] = sums[["nb_lignes", "nb_bassins"]].fillna(0)
    out = pd.DataFrame(index=sums.index)
    out["nb_bassins"] = sums["nb_bassins"].astype("int64")
    out["nb_lignes"] = sums["nb_lignes"].astype("int64")
    # Integer counts unless some rows are only partly allocated to the territory.
    weighted = "poids" in bmo.columns and not bool((bmo["poids"] == 1).all())
    for column in COUNT_COLUMNS:
        for suffix in ("", "_min", "_max"):
            name = column + suffix
            out[name] = sums[name].round().astype("Int64") if not weighted else sums[name]
    for column, short in (
        ("projets_difficiles", "difficiles"),
        ("projets_saisonniers", "saisonniers"),
    ):
        out[f"part_{short}"] = _ratio(sums[column], sums["projets"])
        out[f"part_{short}_min"] = _ratio(sums[f"{column}_min"], sums["projets_max"])
        upper = _ratio(sums[f"{column}_max"], sums[f"_projets_pour_{short}_max"])
        out[f"part_{short}_max"] = upper.clip(upper=1.0)
    secret_columns = [
        "cellules_secretes_projets",
        "cellules_secretes_difficiles",
        "cellules_secretes_saisonniers",
    ]
    for name in secret_columns:
        out[name] = sums[name].astype("int64")
    _hide_fully_secret(out)
    out["cellules_secretes"] = out[secret_columns].sum(axis=1).astype("int64")
    if "allocation" in bmo.columns:
        rules = bmo.groupby(keys, dropna=False, sort=True)["allocation"].agg(
            lambda s: " ; ".join(dict.fromkeys(s.dropna().astype(str)))
        )
        out["allocation"] = rules.astype("string")
    else:
        out["allocation"] = pd.Series(_NO_ALLOCATION, index=out.index, dtype="string")
    return out.reset_index()


def _hide_fully_secret(out: pd.DataFrame) -> None:
    """A count whose every cell is masked is missing, and so is a share built on it."""
    whole = {
        column: (out["nb_lignes"] > 0) & (out[f"cellules_secretes_{short}"] == out["nb_lignes"])
        for column, short in (
            ("projets", "projets"),
            ("projets_difficiles", "difficiles"),
            ("projets_saisonniers", "saisonniers"),
        )
    }
    for column, hidden in whole.items():
        out[column] = out[column].mask(hidden)
    for column, short in (
        ("projets_difficiles", "difficiles"),
        ("projets_saisonniers", "saisonniers"),
    ):
        out[f"part_{short}"] = out[f"part_{short}"].mask(whole[column] | whole["projets"])


def _with_names(keys: list[str], bmo: pd.DataFrame) -> list[str]:
    """Keys followed by their label columns (``bassin`` -> ``bassin_nom``...)."""
    out = []
    for key in keys:
        out.append(key)
        if key == "territoire_code":
            out += [c for c in ("territoire_niveau", "territoire_nom") if c in bmo.columns]
        elif f"{key}_nom" in bmo.columns and f"{key}_nom" not in keys:
            out.append(f"{key}_nom")
    return list(dict.fromkeys(out))


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


# --------------------------------------------------------------------------- totals


def recruitment_summary(
    bmo: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    secret_max: int = SECRET_MAX,
) -> pd.DataFrame:
    """Recruitment projects, share difficult and share seasonal, with secrecy.

    Parameters
    ----------
    bmo
        Tidy BMO table (from :func:`read_bmo`, several vintages concatenated, or
        weighted by :func:`bmo_for_territory`).
    by
        Column(s) to group by, besides ``annee`` which is always a key (vintages
        are never added up): ``None`` for one row per year, ``"region"``,
        ``"departement"``, ``"bassin"``, ``"famille"``, ``"metier"``... Label columns
        (``region_nom``...) are added.
    secret_max
        Largest value a masked cell can hold (for the bounds).

    Returns
    -------
    pandas.DataFrame
        One row per group: the keys and labels, ``nb_bassins``, ``nb_lignes``,
        ``projets``, ``projets_difficiles``, ``projets_saisonniers`` (sums of the
        unmasked cells; ``Int64``, or floats for a weighted table) with their
        ``_min``/``_max`` bounds, ``part_difficiles`` and ``part_saisonniers``
        (unmasked difficult / unmasked projects) with their bounds,
        ``cellules_secretes_projets``, ``cellules_secretes_difficiles``,
        ``cellules_secretes_saisonniers``, ``cellules_secretes`` (their sum) and
        ``allocation`` (the rule that brought the rows to the territory).

    Raises
    ------
    SchemaError
        ``bmo`` lacks columns, or holds the same vintage twice.

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> total = recruitment_summary(bmo).iloc[0]
    >>> int(total["annee"]), int(total["nb_bassins"])
    (2024, 10)
    >>> bool(total["projets_min"] <= total["projets"] <= total["projets_max"])
    True
    >>> recruitment_summary(bmo, by="departement")["departement"].tolist()
    ['9A', '9B', '9C']
    """
    _check(bmo, "Synthèse BMO")
    keys = ["annee", *_with_names(_by_list(by), bmo)]
    unknown = [k for k in keys if k not in bmo.columns]
    if unknown:
        raise SchemaError(
            f"Synthèse BMO : regroupement impossible par {', '.join(unknown)} (colonnes "
            f"disponibles : {', '.join(map(str, bmo.columns))})."
        )
    return _aggregate(bmo, keys, secret_max=secret_max)


# --------------------------------------------------------------------------- territories


def territory_parts(territory: Any) -> tuple[str, str, str, tuple[str, ...]]:
    """(level, code, name, communes) of a Territory-like object or a list of communes.

    Shared with :mod:`diagnostics.training` (not in ``__all__``: not a notebook
    function). A list of communes is the « projet » territory.

    Examples
    --------
    >>> territory_parts(["44109", "44020"])
    ('projet', 'projet', 'Territoire de projet', ('44109', '44020'))
    """
    if hasattr(territory, "communes"):
        return (
            str(getattr(territory, "level", "projet")),
            str(getattr(territory, "code", "projet")),
            str(getattr(territory, "name", "") or getattr(territory, "code", "")),
            tuple(territory.communes or ()),
        )
    if isinstance(territory, str) or not isinstance(territory, Iterable):
        raise TypeError(
            "Territoire : attendu un geo.territories.Territory ou une liste de codes commune, "
            f"reçu {territory!r}. Pour un bassin, utilisez geo.territories.territory(...)."
        )
    return "projet", "projet", "Territoire de projet", tuple(territory)


def _suggest(code: str, candidates: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(code, sorted(set(candidates)), n=5, cutoff=0.5)


def _direct_rows(
    bmo: pd.DataFrame, level: str, code: str
) -> tuple[pd.DataFrame | None, str, str, list[str]]:
    """Rows of the BMO file whose own column carries ``code`` (no allocation).

    Returns the rows (``None`` when there is none), the normalised code, the
    allocation rule and, when there is no row, close codes.
    """
    column, normalize, label = _DIRECT_LEVELS[level]
    wanted = normalize(code, errors="coerce") or code
    rows = bmo[(bmo[column] == wanted).fillna(False).astype(bool)]
    if rows.empty:
        return None, wanted, "", _suggest(wanted, bmo[column].dropna().astype(str))
    rule = f"aucune : lignes du fichier BMO de {label} {wanted}"
    if level == "departement":
        rule += " (parties départementales des bassins)"
    elif level == "region":
        rule += " (bassins rattachés à la région dans le fichier BMO)"
    return rows, wanted, rule, []


def _commune_weights(
    bmo: pd.DataFrame, communes: pd.DataFrame, members: tuple[str, ...], label: str
) -> tuple[pd.Series, str, list[str]]:
    """Weight of every BMO row for the territory made of ``members``."""
    missing = [c for c in ("commune", "bassin") if c not in communes.columns]
    if missing:
        raise SchemaError(
            f"{label} : la table des communes n'a pas de colonne {', '.join(missing)} "
            f"(colonnes trouvées : {', '.join(map(str, communes.columns))}). Construisez-la "
            "avec geo.territories.commune_table(..., bassin=...)."
        )
    table = communes.dropna(subset=["commune", "bassin"]).drop_duplicates("commune")
    wanted = codes.normalize_commune(pd.Series(members, dtype="string"), errors="coerce")
    unmatched = sorted(
        set(map(str, pd.Series(members, dtype="string")[wanted.isna()].dropna()))
        | set(wanted.dropna()) - set(table["commune"])
    )
    inside = table["commune"].isin(set(wanted.dropna()))
    if not inside.any():
        raise UnknownTerritoryError(
            f"{label} : aucune des {len(members)} commune(s) du territoire n'a de bassin dans "
            f"la table des communes (par ex. {', '.join(unmatched[:5])}). Vérifiez les codes "
            "commune (5 caractères, millésime du COG) ou la table des communes.",
            suggestions=_suggest(unmatched[0], table["commune"].astype(str)) if unmatched else [],
        )
    concerned = table[table["bassin"].isin(set(table.loc[inside, "bassin"]))]
    population = (
        pd.to_numeric(concerned["population"], errors="coerce")
        if "population" in concerned.columns
        else None
    )
    if population is not None and population.notna().all() and population.gt(0).any():
        measure = population.astype(float)
        rule = "répartition des bassins au prorata de la population des communes du territoire"
    else:
        measure = pd.Series(1.0, index=concerned.index)
        why = "populations absentes" if population is None else "populations incomplètes"
        rule = f"répartition des bassins au prorata du nombre de communes du territoire ({why})"
    frame = concerned[["bassin"]].assign(
        _m=measure, _in=measure.where(inside[concerned.index], 0.0)
    )
    bassins = frame.groupby("bassin")[["_m", "_in"]].sum()
    bassin_weight = bmo["bassin"].map(bassins["_in"] / bassins["_m"])
    weight = bassin_weight.fillna(0.0).astype(float)
    if "departement" in concerned.columns:
        # A bassin straddling départements has one BMO row per département part:
        # allocate each part from its own communes, when every commune of the bassin
        # falls in a part of the file; otherwise (and for a part without any
        # commune in the table) the whole bassin's share is used.
        units = frame.assign(departement=concerned["departement"])
        bmo_units = set(zip(bmo["bassin"], bmo["departement"], strict=True))
        uncovered = {
            b
            for b, d in zip(units["bassin"], units["departement"], strict=True)
            if pd.isna(d) or (b, d) not in bmo_units
        }
        sums = units.groupby(["bassin", "departement"])[["_m", "_in"]].sum()
        unit_weight = (sums["_in"] / sums["_m"]).to_dict()
        split = pd.Series(
            [
                unit_weight.get((b, d), np.nan) if b not in uncovered else np.nan
                for b, d in zip(bmo["bassin"], bmo["departement"], strict=True)
            ],
            index=bmo.index,
            dtype=float,
        )
        in_table = bmo["bassin"].isin(set(concerned["bassin"]))
        weight = split.where(in_table & split.notna(), weight)
        parts = bmo.loc[in_table, ["bassin", "departement"]].drop_duplicates()
        if parts["bassin"].duplicated().any():
            rule += " (par partie départementale des bassins quand le fichier BMO les distingue)"
    return weight, rule, unmatched


def bmo_for_territory(
    bmo: pd.DataFrame,
    territory: Territory | Sequence[str],
    *,
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Bring the tidy BMO table to a territory of any level.

    Parameters
    ----------
    bmo
        Tidy BMO table (any number of vintages).
    territory
        A :class:`geo.territories.Territory` (or any object with ``level``,
        ``code``, ``name`` and ``communes`` attributes), or a list of commune
        codes (a project territory).
    communes
        Commune table (:func:`geo.territories.commune_table`): ``commune, bassin``
        and, for the population-share rule, ``population`` (and ``departement``
        to split bassins by département part). Needed for every level but
        bassin, département and région (and CLPE in 2026 files).

    Returns
    -------
    pandas.DataFrame
        The rows of the bassins that overlap the territory, with the columns
        ``territoire_niveau``, ``territoire_code``, ``territoire_nom``, ``poids``
        (share of the row allocated to the territory, 1 for a direct selection)
        and ``allocation`` (the rule, in French). ``attrs["territoire"]`` lists
        the communes that could not be placed in a bassin.

    Raises
    ------
    UnknownTerritoryError
        The code is in no row of the file (``suggestions`` holds close codes), or
        no commune of the territory is in the commune table.
    SchemaError
        ``communes`` is needed but not given, or lacks columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> communes = pd.DataFrame({
    ...     "commune": ["9A001", "9A002", "9A003"], "bassin": ["9901", "9901", "9902"],
    ...     "departement": ["9A", "9A", "9A"], "population": [3000, 1000, 500]})
    >>> local = bmo_for_territory(bmo, ["9A002", "9A003"], communes=communes)
    >>> local.groupby("bassin")["poids"].first().round(2).to_dict()
    {'9901': 0.25, '9902': 1.0}
    >>> local["allocation"].iloc[0][:50]
    'répartition des bassins au prorata de la populatio'
    """
    _check(bmo, "Territoire BMO")
    level, code, name, members = territory_parts(territory)
    label = f"Territoire {name or code}"
    rows: pd.DataFrame | None = None
    suggestions: list[str] = []
    unmatched: list[str] = []
    if level in _DIRECT_LEVELS and bmo[_DIRECT_LEVELS[level][0]].notna().any():
        rows, code, rule, suggestions = _direct_rows(bmo, level, code)
    if rows is not None:
        out = rows.assign(poids=1.0)
    else:
        if communes is None or not members:
            if level in _DIRECT_LEVELS:
                raise UnknownTerritoryError(
                    f"{label} : aucun {_DIRECT_LEVELS[level][2]} {code} dans le fichier BMO"
                    + (f" (codes proches : {', '.join(suggestions)})" if suggestions else "")
                    + ". Vérifiez le code, ou donnez la table des communes pour passer par "
                    "les communes.",
                    suggestions=suggestions,
                )
            raise SchemaError(
                f"{label} : pour un territoire de niveau « {level} », donnez la table des "
                "communes (communes=geo.territories.commune_table(...)) : les données BMO sont "
                "par bassin et sont réparties entre territoires au prorata des populations."
            )
        weight, rule, unmatched = _commune_weights(bmo, communes, members, label)
        keep = weight > 0
        out = bmo[keep].assign(poids=weight[keep])
    out = out.assign(
        territoire_niveau=level,
        territoire_code=code,
        territoire_nom=name,
        allocation=rule,
    )
    for column in ("territoire_niveau", "territoire_code", "territoire_nom", "allocation"):
        out[column] = out[column].astype("string")
    out = out.reset_index(drop=True)
    out.attrs = {
        "territoire": {
            "niveau": level,
            "code": code,
            "nom": name,
            "allocation": rule,
            "communes": len(members),
            "communes_non_rattachees": unmatched[:50],
            "nb_communes_non_rattachees": len(unmatched),
        }
    }
    return out


def bmo_tension(
    bmo: pd.DataFrame,
    territory: Territory | Sequence[str],
    *,
    communes: pd.DataFrame | None = None,
    secret_max: int = SECRET_MAX,
) -> pd.DataFrame:
    """Recruitment projects, share difficult and share seasonal of one territory.

    Parameters
    ----------
    bmo
        Tidy BMO table (one row per vintage in the result).
    territory, communes
        See :func:`bmo_for_territory`.
    secret_max
        Largest value of a masked cell.

    Returns
    -------
    pandas.DataFrame
        One row per vintage: ``territoire_code, territoire_niveau,
        territoire_nom`` then the columns of :func:`recruitment_summary`, and
        ``communes_non_rattachees`` (communes of the territory without a bassin).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> bassin = SimpleNamespace(level="bassin", code="9901", name="Vegicourt", communes=())
    >>> row = bmo_tension(bmo, bassin).iloc[0]
    >>> row["territoire_code"], int(row["nb_bassins"]), row["allocation"]
    ('9901', 1, "aucune : lignes du fichier BMO de bassin d'emploi 9901")
    """
    local = bmo_for_territory(bmo, territory, communes=communes)
    out = recruitment_summary(local, by="territoire_code", secret_max=secret_max)
    out["communes_non_rattachees"] = local.attrs["territoire"]["nb_communes_non_rattachees"]
    return out


# --------------------------------------------------------------------------- métiers


def metier_ranking(
    bmo: pd.DataFrame,
    *,
    by: str = "projets",
    min_projets: float = 0,
    n: int | None = None,
    secret_max: int = SECRET_MAX,
) -> pd.DataFrame:
    """Rank the métiers of a (territory's) BMO table, per vintage.

    Parameters
    ----------
    bmo
        Tidy BMO table, possibly weighted by :func:`bmo_for_territory`.
    by
        Column of :func:`recruitment_summary` to rank on, largest first:
        ``"projets"``, ``"projets_difficiles"``, ``"part_difficiles"``,
        ``"part_saisonniers"``...; ties are broken by ``projets``.
    min_projets
        Keep only métiers with at least this many projects (unmasked), so that a
        share computed on 6 projects does not top the ranking.
    n
        Keep the first ``n`` métiers of each vintage.
    secret_max
        Largest value of a masked cell.

    Returns
    -------
    pandas.DataFrame
        ``annee, rang, nomenclature, metier, metier_nom, famille, famille_nom``,
        the columns of :func:`recruitment_summary` and ``part_des_projets``
        (share of the territory's projects, before the threshold).

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> top = metier_ranking(bmo, n=3)
    >>> top["rang"].tolist()
    [1, 2, 3]
    >>> bool(top["projets"].is_monotonic_decreasing)
    True
    """
    _check(bmo, "Classement des métiers", ["metier_nom", "nomenclature", "famille", "famille_nom"])
    table = _aggregate(bmo, ["annee", *_METIER_KEYS], secret_max=secret_max)
    if by not in table.columns:
        numeric = [c for c in table.columns if c.startswith(("projets", "part_"))]
        raise SchemaError(
            f"Classement des métiers : critère '{by}' inconnu (possibles : {', '.join(numeric)})."
        )
    totals = table.groupby("annee")["projets"].transform("sum")
    table["part_des_projets"] = _ratio(table["projets"], totals)
    table = table[table["projets"].astype("Float64").fillna(0) >= min_projets]
    table = table.sort_values(
        ["annee", by, "projets", "metier"],
        ascending=[True, False, False, True],
        na_position="last",
        kind="stable",
    )
    table.insert(1, "rang", table.groupby("annee").cumcount() + 1)
    if n is not None:
        table = table[table["rang"] <= n]
    return table.reset_index(drop=True)


#: Measures :func:`top_tension_metiers` can rank by (the first is the default).
TENSION_MEASURES: tuple[str, ...] = ("projets_difficiles", "part_difficiles")


def top_tension_metiers(
    bmo: pd.DataFrame,
    *,
    n: int = 10,
    min_projets: float = 20,
    by: str = "projets_difficiles",
    secret_max: int = SECRET_MAX,
) -> pd.DataFrame:
    """The métiers en tension: those that concentrate the difficult recruitments.

    **Default measure** (``by="projets_difficiles"``): the number of projects judged
    difficult (the published ``xmet`` cells, i.e. projects × share difficult),
    among the métiers that are harder to fill than the territory as a whole (share
    judged difficult at least the territory's share, all métiers of the same
    vintage) and have at least ``min_projets`` published projects. Ties are broken
    by the share, then by the projects.

    Why not the share alone: a share on a few dozen projects is fragile (35
    projects at 100 % are 35 answers of a handful of employers) and weighs little
    in the territory's needs, and many small métiers tie at 100 %, hiding a
    métier of 1,237 projects at 85 %. The count of difficult projects is what an
    employer-relations plan has to absorb; the share threshold keeps out the
    large métiers that are merely large (many projects, ordinary difficulty).

    ``by="part_difficiles"`` ranks by the share alone (ties broken by projects),
    without the threshold on the territory's share: the former ranking.

    Masked cells are handled as everywhere in this module: counts and shares come
    from the published cells (a masked cell is neither 0 nor left to chance), the
    ``*_min``/``*_max`` columns give their bounds; a métier whose difficult cells
    are all masked has no share and does not compete under the default measure.

    Parameters
    ----------
    bmo
        Tidy BMO table of a territory (possibly weighted by
        :func:`bmo_for_territory`); the territory's share is computed on it.
    n
        Number of métiers kept per vintage.
    min_projets
        Least number of published projects of a métier to compete.
    by
        ``"projets_difficiles"`` (default) or ``"part_difficiles"``.
    secret_max
        Largest value of a masked cell.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`metier_ranking` (``rang`` is the rank under ``by``)
        and ``part_difficiles_territoire``, the territory's share judged difficult
        in the same vintage (the threshold of the default measure).

    Raises
    ------
    ValueError
        ``by`` is not one of :data:`TENSION_MEASURES`.

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> top = top_tension_metiers(bmo, n=5)
    >>> len(top), bool(top["projets_difficiles"].is_monotonic_decreasing)
    (5, True)
    >>> bool((top["part_difficiles"] >= top["part_difficiles_territoire"]).all())
    True
    >>> by_share = top_tension_metiers(bmo, n=5, by="part_difficiles")
    >>> bool(by_share["part_difficiles"].is_monotonic_decreasing)
    True
    """
    if by not in TENSION_MEASURES:
        raise ValueError(
            f"Métiers en tension : critère by='{by}' inconnu (possibles : "
            f"{', '.join(TENSION_MEASURES)})."
        )
    table = metier_ranking(bmo, by=by, min_projets=min_projets, secret_max=secret_max)
    overall = recruitment_summary(bmo, secret_max=secret_max).set_index("annee")
    table["part_difficiles_territoire"] = (
        table["annee"].map(overall["part_difficiles"]).astype("Float64")
    )
    if by == "projets_difficiles":
        harder = table["part_difficiles"] >= table["part_difficiles_territoire"]
        table = table[harder.fillna(False).astype(bool)].sort_values(
            ["annee", "projets_difficiles", "part_difficiles", "projets", "metier"],
            ascending=[True, False, False, False, True],
            na_position="last",
            kind="stable",
        )
        table["rang"] = table.groupby("annee").cumcount() + 1
    return table[table["rang"] <= n].reset_index(drop=True)


def family_breakdown(bmo: pd.DataFrame, *, secret_max: int = SECRET_MAX) -> pd.DataFrame:
    """Projects, share difficult and share seasonal by BMO métier family.

    Returns
    -------
    pandas.DataFrame
        ``annee, famille, famille_nom``, the columns of
        :func:`recruitment_summary` and ``part_des_projets``, largest families
        first.

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> families = family_breakdown(bmo)
    >>> round(float(families["part_des_projets"].sum()), 6)
    1.0
    """
    _check(bmo, "Répartition par famille de métiers", _FAMILY_KEYS)
    table = _aggregate(bmo, ["annee", *_FAMILY_KEYS], secret_max=secret_max)
    totals = table.groupby("annee")["projets"].transform("sum")
    table["part_des_projets"] = _ratio(table["projets"], totals)
    table = table.sort_values(["annee", "projets"], ascending=[True, False], kind="stable")
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------- specialisation


def _shares(bmo: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    table = _aggregate(bmo, ["annee", *keys], secret_max=SECRET_MAX)
    table = table[["annee", *keys, "projets", "cellules_secretes_projets"]]
    total = table.groupby("annee")["projets"].transform("sum")
    return table.assign(part=_ratio(table["projets"], total))


def location_quotient(
    local: pd.DataFrame, reference: pd.DataFrame, *, by: str = "metier"
) -> pd.DataFrame:
    """Location quotient of each métier (or family) of ``local`` against ``reference``.

    ``quotient = (projects of the métier / all projects) in local`` divided by the
    same share in ``reference``, from unmasked cells; above 1 the territory
    recruits relatively more in that métier.

    Parameters
    ----------
    local
        Tidy BMO table of the territory (from :func:`bmo_for_territory`).
    reference
        Tidy BMO table of the reference area (région, nation).
    by
        ``"metier"`` or ``"famille"``.

    Returns
    -------
    pandas.DataFrame
        ``annee``, the métier (or family) keys, ``projets``, ``part``,
        ``projets_reference``, ``part_reference``, ``quotient``,
        ``cellules_secretes_projets``.

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> lq = location_quotient(bmo[bmo["bassin"] == "9901"], bmo, by="famille")
    >>> sorted(lq.columns)[:3]
    ['annee', 'cellules_secretes_projets', 'famille']
    """
    keys = {"metier": ["nomenclature", "metier", "metier_nom"], "famille": _FAMILY_KEYS}.get(by)
    if keys is None:
        raise ValueError(f"Quotient de localisation : by='{by}' inconnu (metier ou famille).")
    _check(local, "Quotient de localisation (territoire)", keys)
    _check(reference, "Quotient de localisation (référence)", keys)
    mine = _shares(local, keys)
    ref = _shares(reference, keys).drop(columns="cellules_secretes_projets")
    ref = ref.rename(columns={"projets": "projets_reference", "part": "part_reference"})
    out = mine.merge(ref, how="left", on=["annee", *keys])
    out["quotient"] = _ratio(out["part"], out["part_reference"])
    order = ["annee", *keys, "projets", "part", "projets_reference", "part_reference", "quotient"]
    return out[[*order, "cellules_secretes_projets"]]


def bmo_specialisation(
    local: pd.DataFrame, bmo: pd.DataFrame, *, by: str = "metier"
) -> pd.DataFrame:
    """Specialisation of a territory against its région and the nation.

    Parameters
    ----------
    local
        Tidy BMO table of the territory (:func:`bmo_for_territory`).
    bmo
        The national tidy BMO table (all bassins) of the same vintages.
    by
        ``"metier"`` or ``"famille"``.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`location_quotient` against the nation, plus
        ``part_region``, ``quotient_region`` and ``regions_reference`` (the
        région(s) of the territory's bassins); ``quotient`` is renamed
        ``quotient_national`` and ``part_reference`` ``part_nationale``.

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> spec = bmo_specialisation(bmo[bmo["departement"] == "9A"], bmo, by="famille")
    >>> spec["regions_reference"].unique().tolist()
    ['99']
    """
    weights = local["poids"] if "poids" in local.columns else pd.Series(1.0, index=local.index)
    regions = sorted(local.loc[weights > 0, "region"].dropna().unique().tolist())
    national = location_quotient(local, bmo, by=by).rename(
        columns={
            "quotient": "quotient_national",
            "part_reference": "part_nationale",
            "projets_reference": "projets_nationaux",
        }
    )
    regional = location_quotient(local, bmo[bmo["region"].isin(regions)], by=by)
    keys = ["annee", *([] if by == "famille" else ["nomenclature"]), by]
    regional = regional[[*keys, "part_reference", "quotient"]].rename(
        columns={"part_reference": "part_region", "quotient": "quotient_region"}
    )
    out = national.merge(regional, how="left", on=keys)
    out["regions_reference"] = pd.Series(" ".join(regions), index=out.index, dtype="string")
    return out


# --------------------------------------------------------------------------- change


def bmo_change(
    bmo: pd.DataFrame,
    *,
    by: str | None = None,
    start: int | None = None,
    end: int | None = None,
    secret_max: int = SECRET_MAX,
) -> pd.DataFrame:
    """Change of projects and of the shares difficult and seasonal from one vintage to the next.

    Parameters
    ----------
    bmo
        Tidy BMO table holding two vintages or more (concatenate
        :func:`read_bmo` results, then :func:`bmo_for_territory` if needed).
    by
        ``None`` (territory total), ``"famille"`` or ``"metier"``.
    start, end
        The two vintages to compare; by default every pair of consecutive
        vintages.
    secret_max
        Largest value of a masked cell.

    Returns
    -------
    pandas.DataFrame
        ``annee_debut, annee_fin, nomenclature_debut, nomenclature_fin,
        rupture_nomenclature``, the keys, ``projets_debut, projets_fin,
        evolution_projets, evolution_projets_pct, part_difficiles_debut,
        part_difficiles_fin, evolution_part_difficiles`` (points of share),
        ``part_saisonniers_debut, part_saisonniers_fin, evolution_part_saisonniers``,
        ``cellules_secretes_debut, cellules_secretes_fin`` and ``commentaire``.
        Across the FAP2009 → FAP2021 break, métiers are **not** compared (the
        changes are missing and ``commentaire`` says why); totals and families
        are compared but flagged.

    Examples
    --------
    >>> import pandas as pd
    >>> from geo import settings
    >>> folder = settings.demo_dir() / "bmo"
    >>> both = pd.concat([read_bmo(folder / f"Base_open_data_BMO_{y}.xlsx", cache=False)
    ...                   for y in (2023, 2024)])
    >>> change = bmo_change(both).iloc[0]
    >>> int(change["annee_debut"]), int(change["annee_fin"]), bool(change["rupture_nomenclature"])
    (2023, 2024, True)
    >>> bmo_change(both, by="metier")["evolution_projets"].isna().all()
    np.True_
    """
    keys = {None: [], "famille": _FAMILY_KEYS[:1], "metier": ["metier"]}.get(by)
    if keys is None:
        raise ValueError(f"Évolution BMO : by='{by}' inconnu (None, 'famille' ou 'metier').")
    _check(bmo, "Évolution BMO", ["nomenclature"])
    years = sorted(int(y) for y in bmo["annee"].unique())
    if start is not None or end is not None:
        pairs = [(start if start is not None else years[0], end if end is not None else years[-1])]
        absent = [y for y in pairs[0] if y not in years]
        if absent:
            raise ValueError(
                f"Évolution BMO : millésime(s) {absent} absent(s) de la table (présents : {years})."
            )
    else:
        pairs = list(itertools.pairwise(years))
    if not pairs:
        raise ValueError(
            f"Évolution BMO : il faut au moins deux millésimes (présent(s) : {years}). "
            "Concaténez les tables lues par read_bmo()."
        )
    labels = {"famille": ["famille_nom"], "metier": ["metier_nom"]}.get(by or "", [])
    summary = _aggregate(bmo, ["annee", "nomenclature", *keys], secret_max=secret_max)
    names = bmo[["annee", *keys, *labels]].drop_duplicates(["annee", *keys]) if keys else None
    nomenclature = bmo.groupby("annee")["nomenclature"].first()
    value_columns = ["projets", "part_difficiles", "part_saisonniers", "cellules_secretes"]
    frames = []
    for first, last in pairs:
        left = summary[summary["annee"] == first][[*keys, *value_columns]]
        right = summary[summary["annee"] == last][[*keys, *value_columns]]
        if keys:
            pair = left.merge(right, how="outer", on=keys, suffixes=("_debut", "_fin"))
        else:
            pair = pd.concat(
                [left.add_suffix("_debut").reset_index(drop=True),
                 right.add_suffix("_fin").reset_index(drop=True)],
                axis=1,
            )  # fmt: skip
        if names is not None:
            label_of = names.sort_values("annee", ascending=False).drop_duplicates(keys)
            pair = pair.merge(label_of.drop(columns="annee"), how="left", on=keys)
        broken = nomenclature[first] != nomenclature[last]
        pair.insert(0, "annee_debut", first)
        pair.insert(1, "annee_fin", last)
        pair.insert(2, "nomenclature_debut", nomenclature[first])
        pair.insert(3, "nomenclature_fin", nomenclature[last])
        pair.insert(4, "rupture_nomenclature", broken)
        start_p = pair["projets_debut"].astype("Float64")
        end_p = pair["projets_fin"].astype("Float64")
        pair["evolution_projets"] = end_p - start_p
        pair["evolution_projets_pct"] = _ratio(end_p - start_p, start_p) * 100
        for short in ("difficiles", "saisonniers"):
            pair[f"evolution_part_{short}"] = (
                pair[f"part_{short}_fin"].astype("Float64")
                - pair[f"part_{short}_debut"].astype("Float64")
            ) * 100
        if broken and by == "metier":
            for column in (
                "evolution_projets",
                "evolution_projets_pct",
                "evolution_part_difficiles",
                "evolution_part_saisonniers",
            ):
                pair[column] = pd.Series(pd.NA, index=pair.index, dtype="Float64")
            comment = (
                f"non comparable : nomenclature {nomenclature[first]} → {nomenclature[last]}, "
                "les codes métier ne se correspondent pas"
            )
        elif broken:
            comment = f"rupture de nomenclature {nomenclature[first]} → {nomenclature[last]} : " + (
                "total comparable" if by is None else "familles à comparer avec prudence"
            )
        else:
            comment = "comparable"
        pair["commentaire"] = pd.Series(comment, index=pair.index, dtype="string")
        frames.append(pair)
    out = pd.concat(frames, ignore_index=True)
    order = [
        "annee_debut",
        "annee_fin",
        "nomenclature_debut",
        "nomenclature_fin",
        "rupture_nomenclature",
        *keys,
        *labels,
        "projets_debut",
        "projets_fin",
        "evolution_projets",
        "evolution_projets_pct",
        "part_difficiles_debut",
        "part_difficiles_fin",
        "evolution_part_difficiles",
        "part_saisonniers_debut",
        "part_saisonniers_fin",
        "evolution_part_saisonniers",
        "cellules_secretes_debut",
        "cellules_secretes_fin",
        "commentaire",
    ]
    return out[order]


# --------------------------------------------------------------------------- DARES

_SAME_CODE = "code identique (FAP2009)"
_SUPPLIED = "table de correspondance FAP2021 → FAP2009 fournie"


def dares_candidates(
    code: str, nomenclature: str, correspondance: Mapping[str, str] | None
) -> list[tuple[str, str, str]]:
    """(FAP code, DARES level, how it was matched) to try for a BMO métier code, best first.

    Shared with :mod:`diagnostics.training` (not in ``__all__``: not a notebook
    function).

    Examples
    --------
    >>> [fap for fap, _, _ in dares_candidates("A0X40", "FAP2021", None)]
    ['A0Z40', 'A0Z']
    """
    if nomenclature == "FAP2009":
        return [
            (code, "FAP-225", _SAME_CODE),
            (code[:3], "FAP-87", "famille FAP-87 du code (FAP2009)"),
        ]
    out = []
    if correspondance and code in correspondance:
        fap = str(correspondance[code])
        out.append((fap, "FAP-225", _SUPPLIED))
    homologue = code[:2] + "Z" + code[3:] if code[2] == "X" else code
    approx = "code FAP2009 homologue du code FAP2021 (approximation : contenus non identiques)"
    out.append((homologue, "FAP-225", approx))
    out.append((homologue[:3], "FAP-87", "famille FAP-87 homologue (approximation)"))
    return out


def add_dares_tension(
    table: pd.DataFrame,
    dares: pd.DataFrame,
    *,
    region: str | None = None,
    departement: str | None = None,
    correspondence: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Join the DARES tension indicators to a table of métiers.

    For each métier the finest available indicator is used, in this order: the
    FAP-225 métier in the département, the région, the nation; then the FAP-87
    family in the same order. The métier and geography actually used are written
    in the output.

    Parameters
    ----------
    table
        A table with ``metier`` and ``nomenclature`` columns
        (:func:`metier_ranking`, :func:`top_tension_metiers`, the tidy table...).
    dares
        DARES indicators (:func:`~diagnostics._readers.dares.read_dares_tensions`).
    region, departement
        Geography of the territory; indicators of this région/département are
        preferred to national ones.
    correspondence
        Optional FAP2021 → FAP2009 (FAP-225) code mapping. Without it, a FAP2021
        code is matched to the FAP2009 code with the same digits (``A0X40`` →
        ``A0Z40``), an approximation flagged as such.

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``dares_fap``, ``dares_niveau_fap``, ``dares_niveau_geo``
        (``"département 44"``, ``"région 52"``, ``"France"``),
        ``dares_correspondance``, ``dares_meme_metier`` (``True`` when the
        indicator is that of the same FAP-225 métier: identical FAP2009 code, or
        through ``correspondence``; ``False`` for the homologous code of a FAP2021
        métier, a family, or no indicator), ``dares_annee``, ``dares_tension`` and
        the quintile classes ``dares_categorie_tension``,
        ``dares_intensite_embauches``... (missing where no indicator exists).

    Examples
    --------
    >>> import pandas as pd
    >>> dares = pd.DataFrame({
    ...     "fap": ["A0Z40", "A0Z40"], "niveau_fap": ["FAP-225", "FAP-225"],
    ...     "niveau_geo": ["national", "region"], "region": [pd.NA, "52"],
    ...     "departement": [pd.NA, pd.NA], "annee": [2019, 2019],
    ...     "tension": [0.1, 0.5], "categorie_tension": [3, 4]})
    >>> metiers = pd.DataFrame({"metier": ["A0X40"], "nomenclature": ["FAP2021"]})
    >>> out = add_dares_tension(metiers, dares, region="52")
    >>> out[["dares_fap", "dares_niveau_geo"]].iloc[0].tolist(), float(out["dares_tension"].iloc[0])
    (['A0Z40', 'région 52'], 0.5)
    """
    missing = [c for c in ("metier", "nomenclature") if c not in table.columns]
    if missing:
        raise SchemaError(
            f"Indicateurs DARES : colonne(s) {', '.join(missing)} absente(s) de la table des "
            "métiers."
        )
    region = codes.normalize_region(region) if region is not None else None
    departement = codes.normalize_departement(departement) if departement is not None else None
    indicators = [
        c
        for c in dares.columns
        if c not in ("fap", "niveau_fap", "niveau_geo", "region", "departement", "annee")
        and c != "emploi_moyen"
    ]
    usable = dares[dares["tension"].notna()] if "tension" in dares.columns else dares
    index: dict[tuple[str, str, str, str], int] = {}
    for i, (fap, level, geo, reg, dep) in enumerate(
        zip(
            usable["fap"].astype(str),
            usable["niveau_fap"].astype(str),
            usable["niveau_geo"].astype(str),
            usable["region"].astype("string").fillna(""),
            usable["departement"].astype("string").fillna(""),
            strict=True,
        )
    ):
        place = dep if geo == "departement" else reg if geo == "region" else ""
        index.setdefault((fap, level, geo, place), i)
    geographies = [
        *([("departement", departement, f"département {departement}")] if departement else []),
        *([("region", region, f"région {region}")] if region else []),
        ("national", "", "France"),
    ]
    matches: dict[tuple[str, str], tuple[int | None, str, str, str, str]] = {}
    pairs = table[["metier", "nomenclature"]].astype(str).drop_duplicates()
    for code, nomenclature in pairs.itertuples(index=False):
        found: tuple[int | None, str, str, str, str] = (None, "", "", "", "aucun indicateur DARES")
        for fap, level, how in dares_candidates(code, nomenclature, correspondence):
            hit = next(
                (
                    (index[(fap, level, geo, place)], fap, level, label, how)
                    for geo, place, label in geographies
                    if (fap, level, geo, place) in index
                ),
                None,
            )
            if hit is not None:
                found = hit
                break
        matches[(code, nomenclature)] = found
    keys = list(zip(table["metier"].astype(str), table["nomenclature"].astype(str), strict=True))
    rows = [matches[k] for k in keys]
    positions = [r[0] for r in rows]
    out = table.copy()
    out["dares_fap"] = pd.array([r[1] or pd.NA for r in rows], dtype="string")
    out["dares_niveau_fap"] = pd.array([r[2] or pd.NA for r in rows], dtype="string")
    out["dares_niveau_geo"] = pd.array([r[3] or pd.NA for r in rows], dtype="string")
    out["dares_correspondance"] = pd.array([r[4] for r in rows], dtype="string")
    out["dares_meme_metier"] = pd.array([r[4] in (_SAME_CODE, _SUPPLIED) for r in rows])
    picked = usable.reset_index(drop=True).reindex([p if p is not None else -1 for p in positions])
    out["dares_annee"] = pd.array(picked["annee"].tolist(), dtype="Int64")
    for column in indicators:
        values = picked[column].reset_index(drop=True)
        values.index = out.index
        out[f"dares_{column}"] = values
    return out


# --------------------------------------------------------------------------- maps and charts


def _percent(value: Any) -> str | None:
    return None if is_missing(value) else format_percent(value)


def _share_texts(data: pd.DataFrame, column: str) -> list[str | None]:
    """Tooltip texts of a share: bounds where masked cells leave it uncertain."""
    missing = pd.Series(pd.NA, index=data.index)
    values = data.get(column, missing)
    if f"{column}_min" not in data.columns:
        return [_percent(v) for v in values]
    return [
        None if is_missing(lo) and is_missing(v) else format_share_with_bounds(v, lo, hi)
        for v, lo, hi in zip(values, data[f"{column}_min"], data[f"{column}_max"], strict=True)
    ]


def _integer(value: Any) -> str | None:
    return None if is_missing(value) else format_int(value)


def format_share_with_bounds(value: Any, low: Any, high: Any, *, decimals: int = 1) -> str:
    r"""A BMO share in French, as bounds when masked cells leave it uncertain.

    Parameters
    ----------
    value
        The share of the published cells (``part_*``), missing when fully secret.
    low, high
        Its bounds (``part_*_min``, ``part_*_max``).
    decimals
        Decimals of the percentages.

    Returns
    -------
    str
        The percentage when the bounds agree, « ≤ x % » or « entre x % et y % »
        when masked cells leave a range, « secret statistique » when the range is
        0–100 %, « sans objet » when there is no project at all.

    Examples
    --------
    >>> format_share_with_bounds(0.25, 0.25, 0.25)
    '25,0\u202f%'
    >>> format_share_with_bounds(None, 0.0, 0.0412)
    '≤ 4,1\u202f%'
    >>> format_share_with_bounds(0.31, 0.30, 0.33)
    'entre 30,0\u202f% et 33,0\u202f%'
    >>> format_share_with_bounds(None, 0.0, 1.0), format_share_with_bounds(None, None, None)
    ('secret statistique', 'sans objet')
    """
    if is_missing(low) or is_missing(high):
        if is_missing(value):
            return Missing.NOT_APPLICABLE.label
        return format_percent(value, decimals)
    lo, hi = format_percent(low, decimals), format_percent(high, decimals)
    if lo == hi:
        return lo
    if float(low) <= 0 and float(high) >= 1:
        return Missing.SECRET.label
    if float(low) <= 0:
        return f"≤ {hi}"
    return f"entre {lo} et {hi}"


def format_projects_with_bounds(value: Any, low: Any, high: Any) -> str:
    r"""A BMO count in French: the number, or its bounds when every cell is masked.

    Examples
    --------
    >>> format_projects_with_bounds(1200, 1200, 1240)
    '1\u202f200'
    >>> format_projects_with_bounds(None, 0, 8)
    'secret statistique (entre 0 et 8)'
    """
    if not is_missing(value):
        return format_int(value)
    if is_missing(low) or is_missing(high):
        return Missing.SECRET.label
    return f"{Missing.SECRET.label} (entre {format_int(low)} et {format_int(high)})"


def format_recruitment_summary(row: Mapping[str, Any]) -> str:
    r"""One vintage of a territory in a French sentence: projects, shares difficult and seasonal.

    What a single vintage says when there is no other to compare it with.

    Parameters
    ----------
    row
        A row of :func:`recruitment_summary` (or of :func:`bmo_tension`).

    Returns
    -------
    str
        « En 2024 : 1 200 projets de recrutement, dont 61,0 % jugés difficiles et
        17,9 % saisonniers. », with the bounds of the projects when masked cells
        leave a range, and of the shares (:func:`format_share_with_bounds`).

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> row = recruitment_summary(bmo[bmo["bassin"] == "9901"]).iloc[0]
    >>> format_recruitment_summary(row).startswith("En 2024 : ")
    True
    >>> format_recruitment_summary({
    ...     "annee": 2024, "projets": 1200, "projets_min": 1200, "projets_max": 1212,
    ...     "part_difficiles": 0.61, "part_difficiles_min": 0.6, "part_difficiles_max": 0.62,
    ...     "part_saisonniers": 0.179, "part_saisonniers_min": 0.179,
    ...     "part_saisonniers_max": 0.179})
    'En 2024 : 1\u202f200 projets de recrutement (entre 1\u202f200 et 1\u202f212 avec les cellules secrètes), dont entre 60,0\u202f% et 62,0\u202f% jugés difficiles et 17,9\u202f% saisonniers.'
    """
    low, high = format_int(row["projets_min"]), format_int(row["projets_max"])
    if is_missing(row["projets"]):  # every project cell masked
        projects = f"projets de recrutement sous secret statistique (entre {low} et {high})"
    else:
        projects = f"{format_int(row['projets'])} projets de recrutement"
        if low != high:
            projects += f" (entre {low} et {high} avec les cellules secrètes)"
    shares = [
        format_share_with_bounds(
            row[f"part_{short}"], row[f"part_{short}_min"], row[f"part_{short}_max"]
        )
        for short in ("difficiles", "saisonniers")
    ]
    return (
        f"En {int(row['annee'])} : {projects}, dont {shares[0]} jugés "
        f"difficiles et {shares[1]} saisonniers."
    )


def map_bmo_bassins(
    summary: pd.DataFrame,
    bassins: gpd.GeoDataFrame,
    *,
    column: str = "part_difficiles",
    title: str | None = None,
    outline: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Choropleth of the bassins: projects or share difficult, with tooltips.

    Parameters
    ----------
    summary
        :func:`recruitment_summary` by ``"bassin"`` (one vintage).
    bassins
        Bassin polygons (any CRS) with a ``bassin`` column, or the ``territoire``
        column of :func:`geo.polygons.dissolve_communes`.
    column
        Value to colour: ``"part_difficiles"``, ``"projets"``,
        ``"part_saisonniers"``, ``"projets_difficiles"``...
    title
        Legend caption (default: the measure in French).
    outline
        Optional territory outlined in a thick dark blue line (« Limite du
        territoire » in the legend).

    Returns
    -------
    folium.Map
        No tile layer (offline); the tooltip gives the bassin, projects, shares
        difficult and seasonal, and the number of masked cells. Save it with
        :func:`geo.maps.save_map`.

    Raises
    ------
    SchemaError
        Columns are missing, or ``summary`` holds several vintages.
    CRSError
        ``bassins`` has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> polygons = gpd.GeoDataFrame({"bassin": ["9901", "9902"]},
    ...     geometry=[box(-30, 45, -29, 46), box(-29, 45, -28, 46)], crs="EPSG:4326")
    >>> m = map_bmo_bassins(recruitment_summary(bmo, by="bassin"), polygons)
    >>> html = m.get_root().render()
    >>> "9901" in html, "secret_txt" in html
    (True, True)
    """
    import branca
    import folium

    from geo.crs import to_storage
    from geo.maps import add_colored_polygons, add_legend, add_outline, bounds_of

    key = "bassin" if "bassin" in bassins.columns else "territoire"
    needed = ["bassin", column, "projets", "part_difficiles", "cellules_secretes"]
    missing = [c for c in needed if c not in summary.columns]
    if missing or key not in bassins.columns:
        raise SchemaError(
            "Carte BMO : colonne(s) absente(s) : "
            + ", ".join(missing + ([] if key in bassins.columns else ["bassin (polygones)"]))
            + ". Passez recruitment_summary(bmo, by='bassin') et des polygones de bassins."
        )
    if "annee" in summary.columns and summary["annee"].nunique() > 1:
        raise SchemaError(
            "Carte BMO : la synthèse contient plusieurs millésimes "
            f"({sorted(summary['annee'].unique().tolist())}) ; filtrez-en un."
        )
    shapes = to_storage(bassins, what="Carte BMO (polygones des bassins)")
    shapes = shapes[[key, shapes.geometry.name]].rename(columns={key: "bassin"})
    shapes["bassin"] = shapes["bassin"].astype("string")
    data = shapes.merge(
        summary.drop(columns="bassin_nom", errors="ignore"), on="bassin", how="left"
    )
    names = summary[["bassin", "bassin_nom"]] if "bassin_nom" in summary.columns else None
    if names is not None:
        data = data.merge(names, on="bassin", how="left")
    elif "territoire_nom" in bassins.columns:
        data["bassin_nom"] = bassins["territoire_nom"].to_numpy()
    else:
        data["bassin_nom"] = data["bassin"]
    shares = column.startswith("part_")
    values = data[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if high <= low:
        high = low + (0.01 if shares else 1.0)
    colormap = branca.colormap.LinearColormap(
        ["#fff5eb", "#fdae6b", "#e6550d", "#7f2704"], vmin=low, vmax=high
    )
    captions = {
        "part_difficiles": "Part des projets jugés difficiles",
        "part_saisonniers": "Part des projets saisonniers",
        "projets": "Projets de recrutement",
        "projets_difficiles": "Projets jugés difficiles",
        "projets_saisonniers": "Projets saisonniers",
    }
    colormap.caption = title or captions.get(column, column)
    tooltip = {
        "bassin": "Bassin",
        "bassin_nom": "Nom",
        "projets_txt": "Projets de recrutement (cellules non secrètes)",
        "bornes_txt": "Projets, bornes avec les cellules secrètes",
        "difficiles_txt": "Part jugée difficile",
        "saisonniers_txt": "Part saisonnière",
        "secret_txt": "Cellules secrètes",
    }
    props = pd.DataFrame(
        {
            "bassin": data["bassin"].astype(object),
            "bassin_nom": data["bassin_nom"].astype(object).where(data["bassin_nom"].notna(), None),
            "projets_txt": [
                None if is_missing(hi) else format_projects_with_bounds(v, lo, hi)
                for v, lo, hi in zip(
                    data["projets"],
                    data.get("projets_min", data["projets"]),
                    data.get("projets_max", data["projets"]),
                    strict=True,
                )
            ],
            "bornes_txt": [
                None if pd.isna(lo) else f"{_integer(lo)} – {_integer(hi)}"
                for lo, hi in zip(
                    data.get("projets_min", data["projets"]),
                    data.get("projets_max", data["projets"]),
                    strict=True,
                )
            ],
            "difficiles_txt": _share_texts(data, "part_difficiles"),
            "saisonniers_txt": _share_texts(data, "part_saisonniers"),
            "secret_txt": [_integer(v) for v in data["cellules_secretes"]],
            "_couleur": [colormap(v) if np.isfinite(v) else "#d9d9d9" for v in values],
        },
        index=data.index,
    )
    for name in ("projets_txt", "bornes_txt", "difficiles_txt", "saisonniers_txt", "secret_txt"):
        props[name] = props[name].where(props[name].notna(), "pas de données")
    layer = shapes[[shapes.geometry.name]].join(props)
    m = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25)
    add_colored_polygons(m, layer, name=colormap.caption, tooltip=tooltip)
    if outline is not None:
        add_outline(m, outline)
    steps = np.linspace(low, high, 5)
    add_legend(
        m,
        colormap.caption,
        [(colormap(v), (_percent(v) if shares else _integer(round(v))) or "") for v in steps]
        + [("#d9d9d9", "secret statistique ou pas de données")],
        lines=[] if outline is None else [("#000091", "Limite du territoire", 3.0)],
    )
    m.fit_bounds(bounds_of(shapes))
    return m


def _latest(table: pd.DataFrame) -> pd.DataFrame:
    if "annee" in table.columns and table["annee"].nunique() > 1:
        return table[table["annee"] == table["annee"].max()]
    return table


def plot_top_metiers(
    ranking: pd.DataFrame,
    *,
    column: str = "projets",
    n: int = 10,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Horizontal bar chart of the top ``n`` métiers of a ranking.

    Parameters
    ----------
    ranking
        :func:`metier_ranking` or :func:`top_tension_metiers` (the latest vintage
        is drawn when there are several).
    column
        Value drawn (shares are shown in %).
    n
        Number of métiers.
    ax
        Matplotlib axes to draw on; otherwise a new figure outside pyplot (a
        notebook shows it with ``.figure``).
    title
        Chart title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> ax = plot_top_metiers(metier_ranking(bmo), n=5)
    >>> len(ax.patches)
    5
    """
    if column not in ranking.columns or "metier_nom" not in ranking.columns:
        raise SchemaError(
            f"Graphique des métiers : colonnes 'metier_nom' et '{column}' attendues "
            f"(colonnes trouvées : {', '.join(map(str, ranking.columns))})."
        )
    data = _latest(ranking).sort_values(column, ascending=False, kind="stable").head(n)
    shares = column.startswith("part")
    values = data[column].astype("Float64").fillna(0).to_numpy(dtype=float) * (100 if shares else 1)
    labels = [
        (str(v)[:47] + "…") if len(str(v)) > 48 else str(v) for v in data["metier_nom"].tolist()
    ]
    ax = axes_or_new(ax, (8, 0.45 * max(len(data), 1) + 1.2))
    positions = np.arange(len(data))[::-1]
    ax.barh(positions, values, color="#e6550d")
    ax.set_yticks(positions, labels)
    for y, value in zip(positions, values, strict=True):
        text = format_percent(value / 100, 0) if shares else format_int(value)
        ax.annotate(text, (value, y), xytext=(3, 0), textcoords="offset points", va="center")
    labels_fr = {
        "projets": "Projets de recrutement",
        "projets_difficiles": "Projets jugés difficiles",
        "part_difficiles": "Part des projets jugés difficiles (%)",
        "part_saisonniers": "Part des projets saisonniers (%)",
    }
    ax.set_xlabel(labels_fr.get(column, column))
    year = f" ({int(data['annee'].iloc[0])})" if "annee" in data.columns and len(data) else ""
    ax.set_title(title or f"Métiers les plus recherchés{year}")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_family_breakdown(
    breakdown: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Bar chart of projects by métier family, with the part judged difficult.

    Parameters
    ----------
    breakdown
        :func:`family_breakdown` (latest vintage drawn).
    ax
        Matplotlib axes to draw on; otherwise a new figure outside pyplot.
    title
        Chart title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> ax = plot_family_breakdown(family_breakdown(bmo))
    >>> ax.get_legend() is not None
    True
    """
    data = _latest(breakdown).sort_values("projets", kind="stable")
    ax = axes_or_new(ax, (8, 0.5 * max(len(data), 1) + 1.2))
    positions = np.arange(len(data))
    total = data["projets"].astype("Float64").fillna(0).to_numpy(dtype=float)
    hard = data["projets_difficiles"].astype("Float64").fillna(0).to_numpy(dtype=float)
    names = data["famille_nom"].fillna(data["famille"]).astype(str).tolist()
    ax.barh(positions, total, color="#fdd0a2", label="Projets de recrutement")
    ax.barh(positions, hard, color="#e6550d", label="dont jugés difficiles")
    ax.set_yticks(positions, names)
    ax.set_xlabel("Projets de recrutement (cellules non secrètes)")
    year = f" ({int(data['annee'].iloc[0])})" if "annee" in data.columns and len(data) else ""
    ax.set_title(title or f"Projets de recrutement par famille de métiers{year}")
    ax.legend(loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
