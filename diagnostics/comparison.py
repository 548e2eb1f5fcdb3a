"""Comparing territories: key figures side by side, ranks, specialisation, look-alikes.

Pure functions on the tidy tables of the readers (BMO, commune table, job-seeker
series): they never read files, never print and never modify their inputs.

Key figures
-----------
:func:`key_figures` gives, for every territory of a level (and for France), the
population (legal populations of the commune table), the job seekers of the last
month of the series and their 12-month change, the BMO recruitment projects of one
vintage, the shares judged difficult and seasonal (with the bounds of
:mod:`diagnostics.bmo`: a masked cell is never 0) and the projects per 100 job
seekers (:func:`diagnostics.jobseekers.projects_per_100_jobseekers`: projects of
the year / mean monthly job seekers of the same year × 100).

- Job seekers are **exact** for départements and régions (the series publishes
  them) and for France (sum of every région of the series, month by month); any
  other territory is the sum of its communes, published or estimated
  (:func:`diagnostics.jobseekers.jobseekers_by_territory`), flagged
  ``demandeurs_estimation``.
- **France** is the whole BMO file, every région of the job-seeker series and every
  commune of the commune table. When a file covers a single région (the demo
  territory: région 99 only), the French figure taken from it is missing, never a
  copy of the région, and ``remarque`` says why.

:func:`territory_comparison` puts a territory beside its département(s), its
région(s) and France; :func:`territory_ranks` ranks it among the territories of the
same level of its région (:func:`peer_codes`).

Ranks
-----
Rank 1 is the **largest** value (most populous, most projects, highest share
difficult). Ties share the best rank (competition ranking, « 1, 2, 2, 4 »):
values are compared rounded to 9 decimals, so that 1/3 and 2/6 tie. A territory
whose value is missing (a fully masked share) is not ranked and not counted in
« sur N ».

Comparable territories
----------------------
:func:`recruitment_profiles` gives each territory of the BMO file its profile:
the shares of its (published) projects by métier family (8 BMO families) and its
size; :func:`comparable_territories` returns the closest ones by
:data:`SIZE_WEIGHT`-weighted distance (see there).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from diagnostics.bmo import (
    bmo_for_territory,
    format_share_with_bounds,
    recruitment_summary,
    territory_parts,
)
from geo._errors import SchemaError
from geo.display import format_int, format_month, format_number, format_percent, is_missing

if TYPE_CHECKING:  # pragma: no cover
    from diagnostics.jobseekers import CommuneJobseekers
    from geo.territories import Territory

__all__ = [
    "SIZE_WEIGHT",
    "FIGURE_LABELS",
    "key_figures",
    "peer_codes",
    "territory_comparison",
    "territory_ranks",
    "rank_text",
    "family_specialisation",
    "recruitment_profiles",
    "comparable_territories",
    "comparison_sentences",
]

#: Weight of the size gap in the distance of :func:`comparable_territories`:
#: ``distance = ‖family shares − family shares‖₂ + SIZE_WEIGHT × |log10(projects / projects)|``.
#:
#: The profile term is a Euclidean distance between two vectors of shares (0 for
#: the same mix of métier families, √2 at most); the size term is symmetric on a log
#: scale (twice as large and half as large are as far). Among the 406 bassins of the
#: 2024 national file, half of the pairs are more than 0.23 apart in profile and
#: differ in size by a factor of 2.4 or more (|log10| ≥ 0.38); the closest profiles
#: of a bassin are 0.03 to 0.07 away. With 0.1, a factor of 2 in size (0.1 × 0.30 =
#: 0.03) weighs as much as the profile differences between those closest ones: size
#: decides between bassins of the same mix (a métropole is not matched with a small
#: rural bassin that recruits alike) without ranking by size alone (a factor of 10
#: costs 0.1, less than half the median profile distance).
SIZE_WEIGHT = 0.1

#: French labels of the figures compared and ranked.
FIGURE_LABELS: dict[str, str] = {
    "population": "Population",
    "demandeurs": "Demandeurs d'emploi",
    "evolution_12_mois_pct": "Évolution des demandeurs d'emploi sur 12 mois",
    "projets": "Projets de recrutement",
    "part_difficiles": "Part des projets jugés difficiles",
    "part_saisonniers": "Part des projets saisonniers",
    "projets_pour_100_demandeurs": "Projets pour 100 demandeurs d'emploi",
}

_DIRECT = ("bassin", "departement", "region")
_BMO_COLUMNS = [
    "projets",
    "projets_min",
    "projets_max",
    "part_difficiles",
    "part_difficiles_min",
    "part_difficiles_max",
    "part_saisonniers",
    "part_saisonniers_min",
    "part_saisonniers_max",
    "cellules_secretes",
]
_COLUMNS = [
    "niveau",
    "code",
    "nom",
    "population",
    "mois",
    "demandeurs",
    "demandeurs_estimation",
    "evolution_12_mois",
    "evolution_12_mois_pct",
    "annee_bmo",
    *_BMO_COLUMNS,
    "projets_pour_100_demandeurs",
    "remarque",
]
_NOUNS = {
    "bassin": ("bassin", False),
    "departement": ("département", False),
    "region": ("région", True),
    "zone_emploi": ("zone d'emploi", True),
    "clpe": ("CLPE", False),
    "commune": ("commune", True),
}
_FAMILY = "part_famille_"


# --------------------------------------------------------------------------- helpers


def _plain(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """The table without its ``attrs``.

    pandas deep-copies ``attrs`` at every operation, and a reader's problem report
    (thousands of lines for a national file) makes each one slow.
    """
    return None if frame is None else pd.DataFrame(frame)


def _latest_year(bmo: pd.DataFrame | None, year: int | None) -> int | None:
    if bmo is None or bmo.empty:
        return None
    return int(bmo["annee"].max()) if year is None else int(year)


def _single_region(table: pd.DataFrame | None, column: str = "region") -> str | None:
    """The only région a table covers (``None`` when it covers several, or none)."""
    if table is None or column not in table.columns:
        return None
    regions = table[column].dropna().unique()
    return str(regions[0]) if len(regions) == 1 else None


def _names(communes: pd.DataFrame, level: str) -> dict[str, str]:
    column = "commune_nom" if level == "commune" else f"{level}_nom"
    if column not in communes.columns:
        return {}
    named = communes.dropna(subset=[level, column]).drop_duplicates(level)
    return dict(zip(named[level].astype(str), named[column].astype(str), strict=True))


def _bmo_rows(summary: pd.DataFrame, key: str) -> pd.DataFrame:
    """BMO columns of a :func:`recruitment_summary`, indexed by ``key``, as floats."""
    out = summary.set_index(summary[key].astype(str))[_BMO_COLUMNS]
    return out.astype("Float64")


def _jobseeker_rows(wide: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Last month, its value, the 12-month change and the mean of ``year`` (codes × months)."""
    columns = ["mois", "demandeurs", "evolution_12_mois", "evolution_12_mois_pct", "_moyenne"]
    if wide.empty or not len(wide.columns):
        return pd.DataFrame(columns=columns)
    months = pd.DatetimeIndex(wide.columns)
    last = months.max()
    before = last - pd.DateOffset(years=1)
    now = wide[last].astype(float)
    then = wide[before].astype(float) if before in months else pd.Series(np.nan, index=wide.index)
    out = pd.DataFrame(index=wide.index.astype(str))
    out["mois"] = last
    out["demandeurs"] = now.to_numpy()
    out["evolution_12_mois"] = (now - then).to_numpy()
    out["evolution_12_mois_pct"] = ((now - then) / then.where(then != 0)).to_numpy()
    in_year = [m for m in months if year is not None and m.year == year]
    if len(in_year) == 12:
        out["_moyenne"] = wide[in_year].mean(axis=1, skipna=False).to_numpy()
    else:
        out["_moyenne"] = np.nan
    return out


def _finish(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Typed columns in order; projects per 100 job seekers from the year's mean."""
    for column in _COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    raw = frame["_moyenne"] if "_moyenne" in frame.columns else pd.Series(np.nan, frame.index)
    mean = pd.to_numeric(raw, errors="coerce").astype("Float64")
    projects = frame["projets"].astype("Float64")
    frame["projets_pour_100_demandeurs"] = (projects / mean.mask(mean == 0) * 100).astype("Float64")
    frame["annee_bmo"] = pd.array(
        [year if not is_missing(p) or not is_missing(lo) else pd.NA
         for p, lo in zip(frame["projets"], frame["projets_min"], strict=True)],
        dtype="Int64",
    )  # fmt: skip
    out = frame[_COLUMNS].copy()
    for column in ("niveau", "code", "nom", "remarque"):
        out[column] = out[column].astype("string")
    out["population"] = pd.to_numeric(out["population"]).astype("Int64")
    out["mois"] = pd.to_datetime(out["mois"])
    for column in ("demandeurs", "evolution_12_mois", "evolution_12_mois_pct", *_BMO_COLUMNS):
        out[column] = pd.to_numeric(out[column]).astype("Float64")
    out["demandeurs_estimation"] = out["demandeurs_estimation"].astype("boolean")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- key figures


def _france(
    communes: pd.DataFrame,
    bmo: pd.DataFrame | None,
    jobseekers: pd.DataFrame | None,
    year: int | None,
) -> pd.DataFrame:
    row: dict[str, Any] = {"niveau": "france", "code": "FR", "nom": "France"}
    why = []
    single = _single_region(communes)
    if single is None:
        row["population"] = pd.to_numeric(communes["population"]).sum(min_count=1)
    else:
        why.append(f"la table des communes ne couvre que la région {single}")
    if bmo is not None and year is not None:
        single = _single_region(bmo)
        if single is None:
            rows = bmo[bmo["annee"] == year]
            if len(rows):
                row.update(_bmo_rows(recruitment_summary(rows), "annee").iloc[0].to_dict())
        else:
            why.append(f"le fichier BMO ne couvre que la région {single}")
    if jobseekers is not None:
        regions = jobseekers[jobseekers["niveau"] == "region"]
        if regions["code"].nunique() > 1:
            wide = regions.pivot_table(
                index="code", columns="mois", values="demandeurs", aggfunc="sum"
            ).astype(float)
            total = wide.sum(axis=0, min_count=1).where(wide.notna().all(axis=0))
            figures = _jobseeker_rows(total.to_frame("FR").T, year).iloc[0]
            row.update(figures.to_dict())
            row["demandeurs_estimation"] = False
        elif regions["code"].nunique() == 1:
            why.append(f"la série des demandeurs ne couvre que la région {regions['code'].iloc[0]}")
    if why:
        row["remarque"] = "France non disponible : " + " ; ".join(why) + "."
    return pd.DataFrame([row])


def _territories_of(level: str, codes: Sequence[str], communes: pd.DataFrame) -> list[Any]:
    names = _names(communes, level)
    members = communes.dropna(subset=[level]).groupby(level)["commune"].agg(tuple)
    return [
        SimpleNamespace(
            level=level, code=code, name=names.get(code, code), communes=members.get(code, ())
        )
        for code in codes
    ]


def key_figures(
    level: str,
    *,
    communes: pd.DataFrame,
    bmo: pd.DataFrame | None = None,
    jobseekers: pd.DataFrame | None = None,
    by_commune: CommuneJobseekers | None = None,
    codes: Sequence[str] | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Key figures of the territories of one level, or of France.

    Parameters
    ----------
    level
        ``"france"``, ``"region"``, ``"departement"``, ``"bassin"`` or any level
        column of ``communes`` (``"zone_emploi"``, ``"clpe"``...).
    communes
        Commune table (:func:`geo.territories.commune_table`) with ``population``
        and the ``level`` column.
    bmo
        Tidy BMO table (:func:`diagnostics.read_bmo`), or ``None``.
    jobseekers
        Tidy job-seeker series (:func:`diagnostics.read_jobseekers`), or ``None``.
    by_commune
        :func:`diagnostics.jobseekers.jobseekers_by_commune` of the series, when
        already computed (territories other than départements and régions).
    codes
        Territories wanted (default: every territory of ``level`` in the commune
        table, or in the BMO file for bassins). Needed for the levels that the BMO
        file does not carry (zone d'emploi, CLPE...): each one is brought to the
        BMO rows by :func:`diagnostics.bmo.bmo_for_territory`.
    year
        BMO vintage (default: the latest of ``bmo``).

    Returns
    -------
    pandas.DataFrame
        One row per territory: ``niveau, code, nom, population, mois, demandeurs,
        demandeurs_estimation, evolution_12_mois, evolution_12_mois_pct``
        (a share: -0.05 for -5 %), ``annee_bmo, projets, projets_min, projets_max,
        part_difficiles, part_difficiles_min, part_difficiles_max,
        part_saisonniers`` (and its bounds), ``cellules_secretes,
        projets_pour_100_demandeurs, remarque`` (why France is missing).

    Raises
    ------
    SchemaError
        ``communes`` lacks the ``level`` column.

    Examples
    --------
    >>> from diagnostics import portrait
    >>> from geo import settings
    >>> lieu = portrait.load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> deps = key_figures("departement", communes=lieu.inputs.commune_table(),
    ...     bmo=lieu.bmo(), jobseekers=lieu.inputs.get("demandeurs.fichier"))
    >>> deps[["code", "population", "demandeurs", "projets"]].values.tolist()
    [['9A', 290567, 21130.0, 1940.0], ['9B', 239153, 18600.0, 1658.0], ['9C', 270280, 20430.0, 2211.0]]
    >>> france = key_figures("france", communes=lieu.inputs.commune_table(), bmo=lieu.bmo())
    >>> print(france["remarque"].iloc[0])
    France non disponible : la table des communes ne couvre que la région 99 ; le fichier BMO ne couvre que la région 99.
    """
    bmo, jobseekers = _plain(bmo), _plain(jobseekers)
    year = _latest_year(bmo, year)
    if level == "france":
        return _finish(_france(communes, bmo, jobseekers, year), year)
    if level not in communes.columns:
        raise SchemaError(
            f"Chiffres clés : la table des communes n'a pas de colonne '{level}' "
            f"(colonnes : {', '.join(map(str, communes.columns))})."
        )
    if codes is None:
        found = set(communes[level].dropna().astype(str))
        if level == "bassin" and bmo is not None:
            found |= set(bmo["bassin"].dropna().astype(str))
        codes = sorted(found)
    codes = [str(c) for c in codes]
    names = _names(communes, level)
    frame = pd.DataFrame({"code": codes}, index=codes)
    frame["niveau"] = level
    frame["nom"] = [names.get(c) for c in codes]
    population = pd.to_numeric(communes["population"]).groupby(communes[level]).sum(min_count=1)
    frame["population"] = population.reindex(codes).to_numpy()
    if bmo is not None and year is not None:
        rows = bmo[bmo["annee"] == year]
        if level in _DIRECT:
            rows = rows[rows[level].isin(codes)]
            if len(rows):
                summary = recruitment_summary(rows, by=level)
                frame = frame.join(_bmo_rows(summary, level))
                labels = summary.set_index(summary[level].astype(str)).get(f"{level}_nom")
                if labels is not None:
                    frame["nom"] = frame["nom"].fillna(labels.reindex(codes))
        elif level != "commune":
            frame = frame.join(_allocated(rows, communes, level, codes))
    if jobseekers is not None:
        frame = frame.join(_jobseekers_of(level, codes, communes, jobseekers, by_commune, year))
    return _finish(frame, year)


def _allocated(
    rows: pd.DataFrame, communes: pd.DataFrame, level: str, codes: Sequence[str]
) -> pd.DataFrame:
    """BMO figures of territories the file does not carry, one bmo_for_territory each."""
    inside = communes[communes[level].isin(set(codes))]
    bassins = set(inside["bassin"].dropna()) if "bassin" in inside.columns else set()
    rows = rows[rows["bassin"].isin(bassins)]
    table = communes[communes["bassin"].isin(bassins)] if bassins else communes
    found = []
    for place in _territories_of(level, codes, inside):
        if not place.communes or rows.empty:
            continue
        local = bmo_for_territory(rows, place, communes=table)
        if len(local):
            found.append(
                _bmo_rows(recruitment_summary(local, by="territoire_code"), "territoire_code")
            )
    return pd.concat(found) if found else pd.DataFrame(columns=_BMO_COLUMNS)


def _jobseekers_of(
    level: str,
    codes: Sequence[str],
    communes: pd.DataFrame,
    jobseekers: pd.DataFrame,
    by_commune: CommuneJobseekers | None,
    year: int | None,
) -> pd.DataFrame:
    from diagnostics.jobseekers import jobseekers_by_territory

    if level in ("region", "departement"):
        rows = jobseekers[(jobseekers["niveau"] == level) & jobseekers["code"].isin(codes)]
        wide = rows.pivot_table(index="code", columns="mois", values="demandeurs", aggfunc="sum")
        out = _jobseeker_rows(wide.astype(float), year)
        out["demandeurs_estimation"] = False
        return out
    table = jobseekers_by_territory(jobseekers, communes, level, by_commune=by_commune)
    table = table[table["code"].isin(codes)]
    wide = table.pivot_table(index="code", columns="mois", values="demandeurs", aggfunc="sum")
    wide = wide.astype(float).where(
        table.pivot_table(index="code", columns="mois", values="demandeurs", aggfunc="count") > 0
    )
    out = _jobseeker_rows(wide, year)
    if len(out):
        last = out["mois"].iloc[0]
        flags = table[table["mois"] == last].set_index("code")["estimation"]
        out["demandeurs_estimation"] = flags.reindex(out.index).to_numpy()
    return out


def peer_codes(
    level: str, region: str, *, communes: pd.DataFrame, bmo: pd.DataFrame | None = None
) -> list[str]:
    """The territories of ``level`` of a région, those a territory is ranked among.

    - bassins: the bassins of the région **in the BMO file** (a bassin belongs to the
      région it is published in), else those whose population lives mostly there;
    - régions: every région of the commune table (the région is ranked in France);
    - départements: those of the région;
    - other levels: the territories whose population lives mostly in the région
      (:func:`diagnostics.jobseekers.territories_of_region`).

    Examples
    --------
    >>> from diagnostics import portrait
    >>> from geo import settings
    >>> lieu = portrait.load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> peer_codes("bassin", "99", communes=lieu.inputs.commune_table(), bmo=lieu.bmo())[:3]
    ['9901', '9902', '9903']
    """
    from diagnostics.jobseekers import territories_of_region

    if level == "region":
        return sorted(communes["region"].dropna().astype(str).unique())
    if level == "departement":
        inside = communes.loc[communes["region"] == region, "departement"]
        return sorted(inside.dropna().astype(str).unique())
    if level == "bassin" and bmo is not None:
        found = bmo.loc[bmo["region"] == region, "bassin"].dropna().astype(str).unique()
        if len(found):
            return sorted(found)
    return territories_of_region(communes, level, region)


def territory_comparison(
    territory: Territory,
    *,
    communes: pd.DataFrame,
    bmo: pd.DataFrame | None = None,
    local: pd.DataFrame | None = None,
    summary: pd.DataFrame | None = None,
    jobseekers: pd.DataFrame | None = None,
    by_commune: CommuneJobseekers | None = None,
    references: pd.DataFrame | None = None,
    departements: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """A territory beside its département(s), its région(s) and France.

    Parameters
    ----------
    territory
        A :class:`geo.territories.Territory` (any level).
    communes
        Commune table with ``population``.
    bmo
        The whole tidy BMO table (the région and France are computed from it).
    local
        The territory's BMO rows (:func:`diagnostics.bmo.bmo_for_territory`;
        computed when not given).
    summary
        :func:`diagnostics.bmo.recruitment_summary` of ``local``, when already computed.
    jobseekers, by_commune
        The job-seeker series and its commune estimates (see :func:`key_figures`).
        The territory's own figure is :func:`diagnostics.jobseekers.jobseekers_for_territory`.
    references
        Key figures of départements, régions and France already computed
        (:func:`key_figures` of each, concatenated); computed when not given.
    departements, regions
        The areas the territory is compared with (default: those of its communes);
        a bassin's région is the one of the BMO file. A département is not compared
        with itself, a région neither.
    year
        BMO vintage (default: the latest).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`key_figures` with ``zone`` first
        (``territoire``, ``departement``, ``region``, ``france``), one row per area.

    Examples
    --------
    >>> from diagnostics import portrait
    >>> from geo import settings
    >>> lieu = portrait.load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> table = territory_comparison(lieu.territory, communes=lieu.inputs.commune_table(),
    ...     bmo=lieu.bmo(), jobseekers=lieu.inputs.get("demandeurs.fichier"))
    >>> table[["zone", "code", "projets"]].values.tolist()
    [['territoire', '9901', 460.0], ['departement', '9A', 1940.0], ['region', '99', 5809.0], ['france', 'FR', <NA>]]
    >>> [round(float(v), 3) for v in table["part_difficiles"][:3]]
    [0.52, 0.555, 0.563]
    """
    from diagnostics.jobseekers import jobseekers_for_territory

    level, code, name, members = territory_parts(territory)
    bmo, local, jobseekers = _plain(bmo), _plain(local), _plain(jobseekers)
    year = _latest_year(bmo, year)
    mine = communes[communes["commune"].isin(set(members))]
    if departements is None:
        departements = sorted(mine["departement"].dropna().astype(str).unique())
    if regions is None:
        regions = sorted(mine["region"].dropna().astype(str).unique())
    row: dict[str, Any] = {"niveau": level, "code": code, "nom": name}
    row["population"] = pd.to_numeric(mine["population"]).sum(min_count=1)
    frame = pd.DataFrame([row], index=[code])
    if bmo is not None and year is not None:
        if local is None:
            local = bmo_for_territory(bmo, territory, communes=communes)
        if summary is None:
            summary = recruitment_summary(local) if len(local) else None
        if summary is not None and (summary["annee"] == year).any():
            mine_summary = summary[summary["annee"] == year].assign(_k=code)
            frame = frame.join(_bmo_rows(mine_summary, "_k"))
    if jobseekers is not None:
        monthly = jobseekers_for_territory(
            jobseekers, territory, communes=communes, by_commune=by_commune
        )
        wide = monthly.set_index("mois")[["demandeurs"]].T
        wide.index = [code]
        figures = _jobseeker_rows(wide, year)
        last = monthly.loc[monthly["mois"] == monthly["mois"].max(), "estimation"]
        figures["demandeurs_estimation"] = bool(last.any())
        frame = frame.join(figures)
    own = _finish(frame, year).assign(zone="territoire")
    wanted = []
    if level not in ("departement", "region"):
        wanted += [("departement", c) for c in departements]
    if level != "region":
        wanted += [("region", c) for c in regions]
    wanted.append(("france", "FR"))
    if references is None:
        parts = []
        for zone in ("departement", "region", "france"):
            codes = [c for z, c in wanted if z == zone]
            if codes:
                parts.append(
                    key_figures(
                        zone,
                        communes=communes,
                        bmo=bmo,
                        jobseekers=jobseekers,
                        by_commune=by_commune,
                        codes=codes if zone != "france" else None,
                        year=year,
                    )
                )
        references = pd.concat(parts, ignore_index=True)
    others = pd.concat(
        [references[(references["niveau"] == z) & (references["code"] == c)] for z, c in wanted],
        ignore_index=True,
    ).assign(zone=lambda t: t["niveau"])
    out = pd.concat([own, others], ignore_index=True)
    return out[["zone", *_COLUMNS]]


# --------------------------------------------------------------------------- ranks


def rank_text(rank: int, total: int, level: str, *, tied: bool = False) -> str:
    """« 7e bassin sur 26 », « 1re région sur 13 », « 3e bassin ex aequo sur 26 ».

    Examples
    --------
    >>> rank_text(7, 26, "bassin"), rank_text(1, 13, "region"), rank_text(1, 5, "bassin")
    ('7e bassin sur 26', '1re région sur 13', '1er bassin sur 5')
    >>> rank_text(3, 10, "zone_emploi", tied=True)
    "3e zone d'emploi ex aequo sur 10"
    """
    noun, feminine = _NOUNS.get(level, (level, False))
    suffix = ("re" if feminine else "er") if rank == 1 else "e"
    return f"{rank}{suffix} {noun}{' ex aequo' if tied else ''} sur {total}"


def territory_ranks(
    peers: pd.DataFrame, territory: pd.DataFrame | pd.Series, *, region: str | None = None
) -> pd.DataFrame:
    """Rank of a territory among its peers for each figure of :data:`FIGURE_LABELS`.

    Parameters
    ----------
    peers
        :func:`key_figures` of the territories of the same level of the région
        (:func:`peer_codes`).
    territory
        The territory's row (:func:`territory_comparison`, zone ``territoire``):
        its values replace its row of ``peers`` (or are added to them), so that the
        rank is the one of the figures shown.
    region
        Code of the région (written in the result).

    Returns
    -------
    pandas.DataFrame
        One row per figure with a value: ``indicateur, libelle, valeur, rang,
        nb_territoires`` (territories with a value), ``ex_aequo`` (the rank is
        shared), ``region`` and ``texte`` (« 7e bassin sur 26 »). Rank 1 is the
        largest value; ties share the best rank (« 1, 2, 2, 4 »), values compared
        at 9 decimals; a territory without a value is neither ranked nor counted,
        and a figure known for fewer than two territories is not ranked.

    Examples
    --------
    >>> peers = pd.DataFrame({"niveau": "bassin", "code": ["a", "b", "c", "d"],
    ...     "projets": [10.0, 30.0, 30.0, None]})
    >>> me = pd.Series({"niveau": "bassin", "code": "a", "projets": 30.0})
    >>> territory_ranks(peers, me)[["indicateur", "rang", "nb_territoires", "texte"]].values.tolist()
    [['projets', 1, 3, '1er bassin ex aequo sur 3']]
    """
    row = territory.iloc[0] if isinstance(territory, pd.DataFrame) else territory
    code, level = str(row["code"]), str(row["niveau"])
    table = peers[peers["code"].astype(str) != code]
    mine = pd.DataFrame([{c: row.get(c) for c in peers.columns}])
    table = pd.concat([table, mine], ignore_index=True)
    out = []
    for column, label in FIGURE_LABELS.items():
        if column not in table.columns:
            continue
        values = pd.to_numeric(table[column].astype("Float64"), errors="coerce").astype(float)
        known = values.dropna().round(9)
        mine_value = values.iloc[-1]
        if math.isnan(mine_value) or len(known) < 2:
            continue
        mine_value = round(mine_value, 9)
        rank = int((known > mine_value).sum()) + 1
        tied = int((known == mine_value).sum()) > 1
        out.append(
            {
                "indicateur": column,
                "libelle": label,
                "valeur": float(values.iloc[-1]),
                "rang": rank,
                "nb_territoires": len(known),
                "ex_aequo": tied,
                "region": region,
                "texte": rank_text(rank, len(known), level, tied=tied),
            }
        )
    columns = ["indicateur", "libelle", "valeur", "rang", "nb_territoires", "ex_aequo"]
    frame = pd.DataFrame(out, columns=[*columns, "region", "texte"])
    return frame.astype({"rang": "int64", "nb_territoires": "int64", "ex_aequo": bool})


# --------------------------------------------------------------------------- specialisation


def family_specialisation(
    local: pd.DataFrame,
    bmo: pd.DataFrame,
    *,
    year: int | None = None,
    region_profiles: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Location quotients of the territory's métier families against its région and France.

    The quotients of :func:`diagnostics.bmo.bmo_specialisation` by family, for one
    vintage: the family's share of the territory's published projects divided by its
    share in the région(s) of the territory's bassins, and in France (the whole
    file). When the BMO file covers a single région, the national columns are
    missing (the file is not France) and ``attrs["remarque"]`` says so.

    Parameters
    ----------
    local
        The territory's BMO rows (:func:`diagnostics.bmo.bmo_for_territory`).
    bmo
        The whole tidy BMO table.
    year
        Vintage (default: the latest of ``bmo``).
    region_profiles
        :func:`recruitment_profiles` of ``bmo`` by région for ``year``, when already
        computed (a batch computes it once; the national shares are derived from it).

    Returns
    -------
    pandas.DataFrame
        ``famille, famille_nom, projets, part, part_region, quotient_region,
        part_nationale, quotient_national``, the largest families first.

    Examples
    --------
    >>> from diagnostics import portrait
    >>> from geo import settings
    >>> lieu = portrait.load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> spec = family_specialisation(lieu.bmo_local(), lieu.bmo())
    >>> spec[["famille", "quotient_region"]].head(2).round(2).values.tolist()
    [['V', 0.97], ['Z', 1.04]]
    >>> spec["quotient_national"].isna().all(), spec.attrs["remarque"][:24]
    (np.True_, 'France non disponible : ')
    """
    local, bmo = _plain(local), _plain(bmo)
    assert local is not None and bmo is not None
    year = _latest_year(bmo, year)
    rows = local[local["annee"] == year]
    if region_profiles is None:
        region_profiles = recruitment_profiles(bmo, by="region", year=year)
    weights = rows["poids"] if "poids" in rows.columns else pd.Series(1.0, index=rows.index)
    regions = set(rows.loc[weights > 0, "region"].dropna().astype(str))
    out = recruitment_summary(rows, by="famille")[["famille", "famille_nom", "projets"]]
    out["projets"] = out["projets"].astype("Float64")
    out["part"] = (out["projets"] / out["projets"].sum()).astype("Float64")
    families = [c for c in region_profiles.columns if c.startswith(_FAMILY)]
    size = region_profiles["projets"].astype("Float64").fillna(0).astype(float)
    counts = region_profiles[families].fillna(0.0).mul(size, axis=0)
    mine = region_profiles["code"].isin(regions).to_numpy()

    def shares(selected: np.ndarray) -> pd.Series:
        total = counts[selected].sum()
        return (total / total.sum()).rename(lambda c: c.removeprefix(_FAMILY))

    key = out["famille"].astype(str)
    out["part_region"] = key.map(shares(mine)).astype("Float64")
    out["quotient_region"] = out["part"] / out["part_region"].mask(out["part_region"] == 0)
    out["part_nationale"] = key.map(shares(np.ones(len(counts), dtype=bool))).astype("Float64")
    out["quotient_national"] = out["part"] / out["part_nationale"].mask(out["part_nationale"] == 0)
    out = out.sort_values(["projets", "famille"], ascending=[False, True], kind="stable")
    out = out.reset_index(drop=True)
    single = _single_region(bmo[bmo["annee"] == year])
    if single is not None:
        for column in ("part_nationale", "quotient_national"):
            out[column] = pd.Series(pd.NA, index=out.index, dtype="Float64")
        out.attrs["remarque"] = (
            f"France non disponible : le fichier BMO ne couvre que la région {single}."
        )
    return out


# --------------------------------------------------------------------------- profiles


def recruitment_profiles(
    bmo: pd.DataFrame,
    *,
    by: str = "bassin",
    year: int | None = None,
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Recruitment profile of every territory of the BMO file: family shares and size.

    Parameters
    ----------
    bmo
        Tidy BMO table (the whole file, or a territory's rows with ``by="territoire_code"``).
    by
        ``"bassin"``, ``"departement"``, ``"region"`` or ``"territoire_code"``.
    year
        Vintage (default: the latest).
    communes
        Commune table, for the population of each territory (``by`` must be one of
        its columns).

    Returns
    -------
    pandas.DataFrame
        ``code, nom, region, region_nom, population``, the BMO columns of
        :func:`key_figures` and ``part_famille_<famille>``: the share of the
        territory's published projects in each BMO family (masked cells left out,
        as everywhere).

    Examples
    --------
    >>> from diagnostics import portrait
    >>> from geo import settings
    >>> lieu = portrait.load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> profiles = recruitment_profiles(lieu.bmo())
    >>> len(profiles), [c for c in profiles.columns if c.startswith("part_famille_")][:3]
    (10, ['part_famille_A', 'part_famille_C', 'part_famille_I'])
    """
    bmo = _plain(bmo)
    assert bmo is not None
    year = _latest_year(bmo, year)
    rows = bmo[bmo["annee"] == year]
    summary = recruitment_summary(rows, by=by)
    out = _bmo_rows(summary, by).reset_index(names="code")
    name_column = "territoire_nom" if by == "territoire_code" else f"{by}_nom"
    names = summary.set_index(summary[by].astype(str)).get(name_column)
    out.insert(1, "nom", names.reindex(out["code"]).to_numpy() if names is not None else pd.NA)
    regions = rows.dropna(subset=[by]).drop_duplicates(by)
    regions = regions.set_index(regions[by].astype(str))
    out.insert(2, "region", regions["region"].reindex(out["code"]).to_numpy())
    region_names = regions.get("region_nom")
    out.insert(
        3,
        "region_nom",
        region_names.reindex(out["code"]).to_numpy() if region_names is not None else pd.NA,
    )
    if communes is not None and by in communes.columns:
        from geo.territories import display_names

        # Names as people write them (« Rennes », not « RENNES »), from the communes.
        raw = pd.Series(out["nom"].to_numpy(), index=out["code"].astype(str).to_numpy())
        out["nom"] = display_names(communes, by, raw).to_numpy()
        population = pd.to_numeric(communes["population"]).groupby(communes[by]).sum(min_count=1)
        out.insert(4, "population", population.reindex(out["code"]).to_numpy())
    else:
        out.insert(4, "population", pd.NA)
    out["population"] = pd.to_numeric(out["population"]).astype("Int64")
    families = recruitment_summary(rows, by=[by, "famille"])
    wide = families.pivot_table(index=by, columns="famille", values="projets", aggfunc="sum")
    wide = wide.astype(float).fillna(0.0)
    shares = wide.div(wide.sum(axis=1).where(lambda s: s > 0), axis=0)
    shares.columns = [f"{_FAMILY}{c}" for c in shares.columns]
    shares.index = shares.index.astype(str)
    out = out.join(shares, on="code")
    for column in ("code", "nom", "region", "region_nom"):
        out[column] = out[column].astype("string")
    return out.reset_index(drop=True)


def comparable_territories(
    profiles: pd.DataFrame,
    target: str | pd.DataFrame | pd.Series,
    *,
    n: int = 5,
    size_weight: float = SIZE_WEIGHT,
) -> pd.DataFrame:
    """The ``n`` territories whose recruitment profile and size are closest to ``target``.

    The distance between two territories is::

        ‖s − t‖₂ + size_weight × |log10(projects_s / projects_t)|

    where ``s`` and ``t`` are their shares of published projects by BMO métier
    family (:func:`recruitment_profiles`) and the projects are their published
    projects: a Euclidean distance between recruitment mixes plus a size gap on a
    log scale (twice as large and half as large are as far), weighted by
    :data:`SIZE_WEIGHT` (why 0.1: see there). Territories without published
    projects are left out; ties are broken by code.

    Parameters
    ----------
    profiles
        :func:`recruitment_profiles` of the candidates (e.g. every bassin of France).
    target
        A code of ``profiles`` (left out of the candidates), or the target's own
        profile (one row of :func:`recruitment_profiles`, e.g. of a zone d'emploi
        with ``by="territoire_code"``; a candidate with its code is left out).
    n
        Number of territories returned.
    size_weight
        Weight of the size gap.

    Returns
    -------
    pandas.DataFrame
        ``rang`` then the columns of ``profiles`` (without the family shares),
        ``distance``, ``distance_profil`` and ``ecart_taille`` (|log10 ratio of
        projects|), closest first.

    Raises
    ------
    SchemaError
        ``target`` is a code absent from ``profiles``.

    Examples
    --------
    >>> from diagnostics import portrait
    >>> from geo import settings
    >>> lieu = portrait.load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> close = comparable_territories(recruitment_profiles(lieu.bmo()), "9901", n=3)
    >>> close["code"].tolist(), close["distance"].round(4).tolist()
    (['9902', '9906', '9908'], [0.033, 0.0422, 0.0554])
    """
    families = [c for c in profiles.columns if c.startswith(_FAMILY)]
    if isinstance(target, str):
        hit = profiles[profiles["code"] == target]
        if hit.empty:
            raise SchemaError(
                f"Territoires comparables : {target} absent des profils de recrutement "
                f"({len(profiles)} territoire(s)). Vérifiez le code et le millésime BMO."
            )
        mine = hit.iloc[0]
    else:
        mine = target.iloc[0] if isinstance(target, pd.DataFrame) else target
    code = str(mine["code"])
    candidates = profiles[(profiles["code"] != code)]
    size = candidates["projets"].astype("Float64").astype(float)
    candidates = candidates[size > 0]
    columns = sorted(set(families) | {c for c in mine.index if str(c).startswith(_FAMILY)})
    theirs = candidates.reindex(columns=columns).astype(float).fillna(0.0).to_numpy()
    own = np.array(
        [float(mine.get(c, 0.0)) if not is_missing(mine.get(c)) else 0.0 for c in columns]
    )
    profile = np.sqrt(((theirs - own) ** 2).sum(axis=1))
    projects = candidates["projets"].astype(float).to_numpy()
    mine_projects = float(mine["projets"]) if not is_missing(mine["projets"]) else math.nan
    gap = (
        np.abs(np.log10(projects / mine_projects))
        if mine_projects > 0
        else np.full(len(projects), np.nan)
    )
    out = candidates.drop(columns=families).assign(
        distance=profile + size_weight * gap, distance_profil=profile, ecart_taille=gap
    )
    out = out.sort_values(["distance", "code"], kind="stable").head(n).reset_index(drop=True)
    out.insert(0, "rang", range(1, len(out) + 1))
    return out


# --------------------------------------------------------------------------- sentences


def _rounded(value: Any, kind: str) -> float:
    if kind == "share":
        return round(float(value) * 100)
    if kind == "change":
        return round(float(value) * 1000) / 10
    return round(float(value))


def _text(value: Any, kind: str) -> str:
    if kind == "share":
        return format_percent(value, 0)
    if kind == "change":
        sign = "+" if float(value) > 0 else ""
        return f"{sign}{format_percent(value)}"
    return format_int(round(float(value)))


def _bounds(row: Mapping[str, Any], column: str) -> tuple[Any, Any, Any]:
    return row.get(column), row.get(f"{column}_min"), row.get(f"{column}_max")


def _versus(
    row: Mapping[str, Any], refs: Sequence[tuple[str, Mapping[str, Any]]], column: str, kind: str
) -> str:
    """« plus que la région (59 %) et que la France (57 %) », compared at the precision shown.

    A reference whose value is missing is left out; a territory value known only by
    bounds is compared when both bounds lie on the same side.
    """
    value, low, high = _bounds(row, column)
    parts = []
    for label, ref in refs:
        other = ref.get(column)
        if is_missing(other):
            continue
        shown = _rounded(other, kind)
        if not is_missing(low) and not is_missing(high) and kind == "share":
            lo, hi = _rounded(low, kind), _rounded(high, kind)
            word = (
                "plus"
                if lo > shown
                else "moins"
                if hi < shown
                else "comme"
                if lo == hi == shown
                else None
            )
        elif not is_missing(value):
            mine = _rounded(value, kind)
            word = "plus" if mine > shown else "moins" if mine < shown else "comme"
        else:
            word = None
        if word is not None:
            parts.append((word, label, _text(other, kind)))
    if not parts:
        return ""

    def phrase(word: str, label: str, shown: str) -> str:
        return f"comme {label} ({shown})" if word == "comme" else f"{word} que {label} ({shown})"

    text = phrase(*parts[0])
    for word, label, other_text in parts[1:]:
        if word == parts[0][0]:
            text += f" et {'comme' if word == 'comme' else 'que'} {label} ({other_text})"
        else:
            text += f" mais {phrase(word, label, other_text)}"
    return text


def _share_phrase(row: Mapping[str, Any], column: str) -> str | None:
    value, low, high = _bounds(row, column)
    if is_missing(value) and (is_missing(low) or is_missing(high)):
        return None
    text = format_share_with_bounds(value, low, high, decimals=0)
    if text in ("secret statistique", "sans objet"):
        return None
    return text.replace("≤ ", "au plus ")


def comparison_sentences(
    comparison: pd.DataFrame,
    *,
    ranks: pd.DataFrame | None = None,
    specialisation: pd.DataFrame | None = None,
) -> list[str]:
    """Four to six sentences of reading, generated from the figures.

    Parameters
    ----------
    comparison
        :func:`territory_comparison` (the territory, its région(s) and France; the
        first région is the one compared with).
    ranks
        :func:`territory_ranks` of the territory.
    specialisation
        :func:`family_specialisation` of the territory.

    Returns
    -------
    list of str
        A sentence per figure that is known: population, job seekers and their
        change, projects (per 100 job seekers), share difficult, share seasonal,
        over-represented families. A missing figure writes no sentence; a share
        known only by bounds is written with them (« entre 60 % et 62 % »), a fully
        masked one is left out; a comparison with the région or France is written
        only when their figure is known and the territory's is on one side of it at
        the precision shown.

    Examples
    --------
    >>> row = {"zone": "territoire", "niveau": "bassin", "population": 1000,
    ...        "part_difficiles": 0.61, "part_difficiles_min": 0.61, "part_difficiles_max": 0.61}
    >>> region = {"zone": "region", "part_difficiles": 0.594}
    >>> france = {"zone": "france", "part_difficiles": 0.57}
    >>> ranks = pd.DataFrame({"indicateur": ["part_difficiles"], "texte": ["7e bassin sur 26"]})
    >>> comparison_sentences(pd.DataFrame([row, region, france]), ranks=ranks)[1]
    '61\u202f% des projets jugés difficiles, plus que la région (59\u202f%) et que la France (57\u202f%) ; 7e bassin sur 26.'
    """
    rows = comparison.to_dict("records")
    mine = next(r for r in rows if r["zone"] == "territoire")
    region = next((r for r in rows if r["zone"] == "region"), None)
    france = next((r for r in rows if r["zone"] == "france"), None)
    refs = [(label, r) for label, r in (("la région", region), ("la France", france)) if r]
    rank_of = {} if ranks is None else dict(zip(ranks["indicateur"], ranks["texte"], strict=True))

    def tail(column: str, kind: str) -> str:
        versus = _versus(mine, refs, column, kind)
        rank = rank_of.get(column)
        return (f", {versus}" if versus else "") + (f" ; {rank}" if rank else "") + "."

    out = []
    population = mine.get("population")
    if not is_missing(population):
        sentence = f"{format_int(population)} habitants"
        if region and not is_missing(region.get("population")) and float(region["population"]):
            part = float(population) / float(region["population"])
            shown = (
                format_percent(part, 0)
                if part >= 0.01
                else f"moins de {format_percent(0.001)}"
                if part < 0.001
                else format_percent(part, 1)
            )
            sentence += f", {shown} de la population de la région"
        rank = rank_of.get("population")
        out.append(sentence + (f" ; {rank}" if rank else "") + ".")
    seekers = mine.get("demandeurs")
    if not is_missing(seekers):
        month = pd.Timestamp(mine["mois"])
        sentence = (
            f"{format_int(round(float(seekers)))} demandeurs d'emploi en "
            f"{format_month(month.year, month.month)}"
            + (" (estimation)" if mine.get("demandeurs_estimation") is True else "")
        )
        change = mine.get("evolution_12_mois_pct")
        if not is_missing(change):
            sentence += f", {_text(change, 'change')} en un an"
            others = [
                f"{label.removeprefix('la ')} : {_text(r['evolution_12_mois_pct'], 'change')}"
                for label, r in refs
                if not is_missing(r.get("evolution_12_mois_pct"))
            ]
            if others:
                sentence += f" ({' ; '.join(others)})"
        out.append(sentence + ".")
    projects = mine.get("projets")
    if not is_missing(projects):
        sentence = f"{format_int(projects)} projets de recrutement en {int(mine['annee_bmo'])}"
        ratio = mine.get("projets_pour_100_demandeurs")
        if not is_missing(ratio):
            sentence += f", {format_number(ratio, 0)} pour 100 demandeurs d'emploi"
            versus = _versus(mine, refs, "projets_pour_100_demandeurs", "count")
            sentence += f", {versus}" if versus else ""
        rank = rank_of.get("projets")
        out.append(sentence + (f" ; {rank}" if rank else "") + ".")
    for column, words in (
        ("part_difficiles", "des projets jugés difficiles"),
        ("part_saisonniers", "de projets saisonniers"),
    ):
        share = _share_phrase(mine, column)
        if share is not None:
            out.append(f"{share} {words}" + tail(column, "share"))
    if specialisation is not None and len(specialisation):
        total = specialisation["projets"].astype("Float64").sum()
        big = specialisation[
            (specialisation["projets"].astype("Float64") >= 0.05 * total)
            & (specialisation["quotient_region"].astype("Float64") >= 1.2)
        ].sort_values("quotient_region", ascending=False, kind="stable")
        if len(big):
            families = ", ".join(
                f"{str(name).lower()} (×{format_number(q, 1)})"
                for name, q in zip(
                    big["famille_nom"].head(3), big["quotient_region"].head(3), strict=True
                )
            )
            out.append(f"Familles de métiers plus présentes que dans la région : {families}.")
    return [sentence[0].upper() + sentence[1:] for sentence in out]
