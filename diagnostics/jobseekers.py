"""Job seekers (demandeurs d'emploi) per territory: level, change, ratios, chart.

The figures come from the France Travail monthly series read by
:func:`diagnostics._readers.jobseekers.read_jobseekers`: job seekers **registered at
France Travail** at the start of each month (the file does not name the categories;
its magnitudes match categories A, B and C together), rounded to tens, published for
régions, départements and communes of more than about 5,000 inhabitants.

Exact or estimated
------------------
A figure is **exact** where the source publishes the territory itself (a région, a
département, a published commune). Any other territory of the model (bassin BMO,
zone d'emploi, CLPE, EPCI, project territory, a small commune) is the sum of its
communes, each of which is either published (exact) or **estimated** by the rule
:data:`ESTIMATE_RULE`: the département's remainder (the département's figure minus
its published communes, month by month) is shared out over the département's
unpublished communes in proportion to their legal population. So the communes of a
département — and any partition of it into territories — add up to the
département's figure, every month. Such a figure carries ``estimation=True`` and the
rule, in ``attrs`` and as a French sentence.

A territory across départements or régions is the sum of its communes (a bassin
that straddles a régional border counts its communes on both sides):
:func:`jobseekers_reconciliation` names the communes that make the territories of
a région differ from the région's own figure.

From January 2025 (:data:`BREAK_MONTH`) the official series lost the « statistique
publique » label (automatic registration under the loi plein emploi): a series that
crosses it says so (``rupture``, the chart's note).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from diagnostics._readers.jobseekers import BREAK_MONTH, JOBSEEKERS_LABEL, read_jobseekers
from diagnostics.bmo import recruitment_summary, territory_parts
from geo._errors import SchemaError, UnknownTerritoryError
from geo.display import axes_or_new, format_int
from geo.territories import LEVEL_LABELS

__all__ = [
    "BREAK_MONTH",
    "BREAK_NOTE",
    "ESTIMATE_RULE",
    "JOBSEEKERS_LABEL",
    "read_jobseekers",
    "CommuneJobseekers",
    "jobseekers_by_commune",
    "jobseekers_for_territory",
    "jobseekers_by_territory",
    "jobseekers_reconciliation",
    "jobseekers_indicators",
    "projects_per_100_jobseekers",
    "plot_jobseekers",
    "crosses_break",
    "territories_of_region",
]

#: The estimation rule, in the words every output uses.
ESTIMATE_RULE = (
    "communes publiées (plus de 5 000 habitants environ) comptées telles "
    "quelles ; pour les autres, le reste du département (chiffre du département moins "
    "ses communes publiées) est réparti, mois par mois, entre ses communes non publiées "
    "au prorata de leur population légale"
)

#: What a series that crosses January 2025 says.
BREAK_NOTE = (
    "rupture de série en janvier 2025 : inscription automatique des bénéficiaires du RSA "
    "et des jeunes suivis par les missions locales (loi plein emploi) ; les chiffres "
    "ne sont plus labellisés « statistique publique » et ne se comparent pas à ceux "
    "d'avant"
)

_EXACT_LEVELS = ("region", "departement", "commune")


# --------------------------------------------------------------------------- checks


def _check_series(jobseekers: pd.DataFrame) -> pd.DataFrame:
    """The series' four columns in a new frame, without the reader's ``attrs``.

    pandas deep-copies ``attrs`` at every operation; the national file's problem
    report (thousands of problems) would make each one take a quarter of a second.
    """
    columns = ["niveau", "code", "mois", "demandeurs"]
    missing = [c for c in columns if c not in jobseekers.columns]
    if missing:
        raise SchemaError(
            f"Demandeurs d'emploi : colonne(s) {', '.join(missing)} absente(s) ; attendu "
            "la table de read_jobseekers (niveau, code, mois, demandeurs)."
        )
    plain = pd.DataFrame(jobseekers)  # the constructor does not carry ``attrs``
    return plain[columns].astype({"demandeurs": "float64"})


def _check_communes(communes: pd.DataFrame, needed: Sequence[str]) -> None:
    missing = [c for c in ("commune", "departement", "population", *needed) if c not in communes]
    if missing:
        raise SchemaError(
            f"Demandeurs d'emploi : la table des communes n'a pas de colonne(s) "
            f"{', '.join(missing)} ; donnez geo.territories.commune_table(...) construite "
            "avec les populations (communes_population.json)."
        )


def _wide(jobseekers: pd.DataFrame, level: str) -> pd.DataFrame:
    """Codes × months of one level (float, NaN where not published)."""
    rows = jobseekers[jobseekers["niveau"] == level]
    return rows.pivot_table(
        index="code", columns="mois", values="demandeurs", aggfunc="sum"
    ).astype("float64")


# --------------------------------------------------------------------------- communes


@dataclass(frozen=True)
class CommuneJobseekers:
    """Job seekers of every commune and month (:func:`jobseekers_by_commune`).

    Attributes
    ----------
    values
        One row per commune (index ``commune``), one column per month
        (``Timestamp``): job seekers, float (estimates are not rounded, so that they
        add up to the département).
    estimated
        Same shape: ``True`` where the figure is estimated (:data:`ESTIMATE_RULE`).
    outside
        Published communes absent from the commune table (a former code, say
        ``49069`` merged into ``49126`` in 2025): their figures are left in the
        département's remainder and shared out like an unpublished commune's.
    negative_remainder
        (département, month) where the published communes exceed the département
        (rounding): the remainder is set to 0 there.
    unshared
        Départements with a remainder to share but no population for their
        unpublished communes: those are left missing, never invented.
    rule
        :data:`ESTIMATE_RULE`.
    """

    values: pd.DataFrame
    estimated: pd.DataFrame
    outside: tuple[str, ...] = ()
    negative_remainder: tuple[tuple[str, str], ...] = ()
    unshared: tuple[str, ...] = ()
    rule: str = ESTIMATE_RULE


def jobseekers_by_commune(jobseekers: pd.DataFrame, communes: pd.DataFrame) -> CommuneJobseekers:
    """Job seekers of every commune and month: published, else estimated.

    Parameters
    ----------
    jobseekers
        Tidy series (:func:`read_jobseekers`).
    communes
        Commune table (:func:`geo.territories.commune_table`) with ``commune``,
        ``departement`` and ``population``: every commune of the départements
        concerned (the remainder is shared out among them).

    Returns
    -------
    CommuneJobseekers
        The figures (``values``), where they are estimated (``estimated``) and what
        could not be done (``outside``, ``negative_remainder``, ``unshared``).

    Examples
    --------
    >>> js = pd.DataFrame({"niveau": ["departement", "commune"], "code": ["9A", "9A001"],
    ...     "mois": pd.Timestamp("2024-01-01"), "demandeurs": [100, 60]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002", "9A003"],
    ...     "departement": "9A", "population": [6000, 3000, 1000]})
    >>> jobseekers_by_commune(js, communes).values.iloc[:, 0].tolist()
    [60.0, 30.0, 10.0]
    """
    jobseekers = _check_series(jobseekers)
    _check_communes(communes, ())
    table = communes.drop_duplicates("commune").set_index("commune")
    departements = _wide(jobseekers, "departement")
    published = _wide(jobseekers, "commune")
    months = departements.columns.union(published.columns)
    departements = departements.reindex(columns=months)
    published = published.reindex(columns=months)
    index = pd.Index(table.index.astype(str), name="commune")
    outside = published.index.difference(index)
    values = published.reindex(index).to_numpy()
    estimated = np.isnan(values)
    dep_of = table["departement"].astype("string").fillna("").to_numpy(dtype=object)
    published_sum = (
        pd.DataFrame(np.where(estimated, 0.0, values), index=index, columns=months)
        .groupby(dep_of)
        .sum()
    )
    remainder = departements.sub(published_sum.reindex(departements.index).fillna(0.0))
    negative = remainder < 0
    remainder = remainder.clip(lower=0.0)
    population = pd.to_numeric(table["population"], errors="coerce").fillna(0.0).to_numpy()
    weights = np.where(estimated, population[:, None], 0.0)
    weight_sum = pd.DataFrame(weights, index=index, columns=months).groupby(dep_of).sum()
    remainder_of = remainder.reindex(dep_of).to_numpy()
    total_of = weight_sum.reindex(dep_of).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total_of > 0, weights / total_of, np.nan)
    # a commune with no population and nothing to share gets 0, not a missing value
    share = np.where(estimated & (total_of == 0) & (remainder_of == 0), 0.0, share)
    out = pd.DataFrame(
        np.where(estimated, remainder_of * share, values), index=index, columns=months
    )
    unshared = (remainder > 0) & (weight_sum.reindex(remainder.index).fillna(0.0) == 0)
    stacked = negative.stack()
    return CommuneJobseekers(
        values=out,
        estimated=pd.DataFrame(estimated, index=index, columns=months),
        outside=tuple(sorted(map(str, outside))),
        negative_remainder=tuple((str(d), str(m.date())) for d, m in stacked[stacked].index),
        unshared=tuple(sorted(str(d) for d in unshared.index[unshared.any(axis=1)])),
    )


# --------------------------------------------------------------------------- territories


def _month_columns(values: pd.DataFrame) -> pd.DataFrame:
    """Long table ``code, mois, demandeurs`` of a wide codes × months table."""
    long = values.stack(future_stack=True).rename("demandeurs").reset_index()
    long.columns = ["code", "mois", "demandeurs"]
    return long


def _names_of(communes: pd.DataFrame, level: str) -> pd.Series:
    column = "commune_nom" if level == "commune" else f"{level}_nom"
    if column not in communes.columns or level not in communes.columns:
        return pd.Series(dtype="string")
    named = communes.dropna(subset=[level, column]).drop_duplicates(level)
    return named.set_index(level)[column].astype("string")


def jobseekers_by_territory(
    jobseekers: pd.DataFrame,
    communes: pd.DataFrame,
    level: str,
    *,
    by_commune: CommuneJobseekers | None = None,
) -> pd.DataFrame:
    """Job seekers of every territory of ``level`` and every month.

    Parameters
    ----------
    jobseekers
        Tidy series (:func:`read_jobseekers`).
    communes
        Commune table (:func:`geo.territories.commune_table`) with ``population``
        and the ``level`` column (``bassin``, ``zone_emploi``, ``clpe``, ``epci``...).
    level
        ``region``, ``departement``, ``commune`` or any level column of ``communes``.
    by_commune
        The result of :func:`jobseekers_by_commune`, when already computed.

    Returns
    -------
    pandas.DataFrame
        ``niveau, code, nom, mois, demandeurs, estimation, communes,
        communes_estimees, regle``: the published figure where the source publishes
        the territory (``estimation`` False, ``regle`` « chiffre publié »), else the
        sum of its communes (``estimation`` True as soon as one is estimated that
        month, ``regle`` :data:`ESTIMATE_RULE`). ``attrs["mesure"]`` says what is
        counted, ``attrs["hors_referentiel"]`` lists the published communes absent
        from ``communes`` (their figures are shared out with the remainder).

    Examples
    --------
    >>> js = pd.DataFrame({"niveau": ["departement", "commune"], "code": ["9A", "9A001"],
    ...     "mois": pd.Timestamp("2024-01-01"), "demandeurs": [100, 60]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002", "9A003"],
    ...     "departement": "9A", "bassin": ["9901", "9901", "9902"],
    ...     "population": [6000, 3000, 1000]})
    >>> out = jobseekers_by_territory(js, communes, "bassin")
    >>> out[["code", "demandeurs", "estimation"]].values.tolist()
    [['9901', 90.0, True], ['9902', 10.0, True]]
    """
    jobseekers = _check_series(jobseekers)
    _check_communes(communes, () if level == "commune" else (level,))
    estimates = jobseekers_by_commune(jobseekers, communes) if by_commune is None else by_commune
    wide, flags = estimates.values, estimates.estimated
    if level == "commune":
        keys = wide.index.to_numpy()
    else:
        keys = (
            communes.drop_duplicates("commune")
            .set_index("commune")[level]
            .reindex(wide.index)
            .astype("string")
            .to_numpy(dtype=object)
        )
    placed = pd.notna(keys)
    grouped = wide[placed].groupby(keys[placed])
    # a territory with one commune left missing (no département figure, no population
    # to share by) is missing that month: never a partial sum
    sums = grouped.sum().where(~wide[placed].isna().groupby(keys[placed]).any())
    estimated = flags[placed].groupby(keys[placed]).sum()
    members = grouped.size()
    long = _month_columns(sums)
    long["communes_estimees"] = _month_columns(estimated)["demandeurs"].astype("int64")
    long["communes"] = long["code"].map(members).astype("int64")
    long["estimation"] = long["communes_estimees"] > 0
    long["regle"] = np.where(long["estimation"], ESTIMATE_RULE, "chiffre publié")
    if level in ("region", "departement"):
        exact = _month_columns(_wide(jobseekers, level))
        exact = exact.dropna(subset=["demandeurs"]).set_index(["code", "mois"])["demandeurs"]
        key = pd.MultiIndex.from_frame(long[["code", "mois"]])
        found = exact.reindex(key).to_numpy()
        hit = ~np.isnan(found)
        long.loc[hit, "demandeurs"] = found[hit]
        long.loc[hit, "estimation"] = False
        long.loc[hit, "regle"] = "chiffre publié"
    long.insert(0, "niveau", level)
    long.insert(2, "nom", long["code"].map(_names_of(communes, level)).astype("string"))
    out = long[
        [
            "niveau",
            "code",
            "nom",
            "mois",
            "demandeurs",
            "estimation",
            "communes",
            "communes_estimees",
            "regle",
        ]
    ].astype({"niveau": "string", "code": "string", "regle": "string", "estimation": bool})
    out.attrs = {
        "mesure": JOBSEEKERS_LABEL,
        "regle_estimation": ESTIMATE_RULE,
        "hors_referentiel": list(estimates.outside),
    }
    return out.reset_index(drop=True)


def jobseekers_for_territory(
    jobseekers: pd.DataFrame,
    territory: Any,
    *,
    communes: pd.DataFrame | None = None,
    by_commune: CommuneJobseekers | None = None,
) -> pd.DataFrame:
    """Monthly job seekers of one territory of any level.

    Parameters
    ----------
    jobseekers
        Tidy series (:func:`read_jobseekers`).
    territory
        A :class:`geo.territories.Territory` (or any object with ``level``,
        ``code``, ``name``, ``communes``), or a list of commune codes (a project
        territory).
    communes
        Commune table with ``departement`` and ``population``: needed unless the
        source publishes the territory (a région, a département, a large commune).
    by_commune
        The result of :func:`jobseekers_by_commune`, when already computed.

    Returns
    -------
    pandas.DataFrame
        ``mois, demandeurs, estimation, communes_estimees``; ``attrs["territoire"]``
        holds ``niveau, code, nom, estimation`` (any month estimated), ``regle``
        (« chiffre publié » or :data:`ESTIMATE_RULE`), ``phrase`` (a French sentence
        to print under the figure), ``mesure``, ``communes`` and
        ``communes_absentes`` (communes of the territory missing from ``communes``).

    Raises
    ------
    UnknownTerritoryError
        None of the territory's communes is in ``communes``.
    SchemaError
        ``communes`` is needed and not given.

    Examples
    --------
    >>> js = pd.DataFrame({"niveau": ["departement", "commune"], "code": ["9A", "9A001"],
    ...     "mois": pd.Timestamp("2024-01-01"), "demandeurs": [100, 60]})
    >>> communes = pd.DataFrame({"commune": ["9A001", "9A002", "9A003"],
    ...     "departement": "9A", "population": [6000, 3000, 1000]})
    >>> out = jobseekers_for_territory(js, ["9A001", "9A003"], communes=communes)
    >>> out["demandeurs"].tolist(), out.attrs["territoire"]["estimation"]
    ([70.0], True)
    """
    jobseekers = _check_series(jobseekers)
    level, code, name, members = territory_parts(territory)
    if level in _EXACT_LEVELS:
        rows = jobseekers[(jobseekers["niveau"] == level) & (jobseekers["code"] == code)]
        if len(rows):
            out = rows[["mois", "demandeurs"]].astype({"demandeurs": "float64"})
            out = out.sort_values("mois").reset_index(drop=True)
            out["estimation"] = False
            out["communes_estimees"] = 0
            return _with_attrs(out, level, code, name, len(members), [])
    if communes is None:
        raise SchemaError(
            f"Demandeurs d'emploi, {LEVEL_LABELS.get(level, level)} {code} : le fichier ne "
            "publie pas ce territoire ; donnez la table des communes avec leurs populations "
            "(communes=geo.territories.commune_table(...)) pour l'estimer par ses communes."
        )
    estimates = jobseekers_by_commune(jobseekers, communes) if by_commune is None else by_commune
    wide = estimates.values
    inside = wide.index.intersection(pd.Index(members))
    absent = sorted(set(members) - set(inside))
    if inside.empty:
        raise UnknownTerritoryError(
            f"Demandeurs d'emploi, {LEVEL_LABELS.get(level, level)} {code} : aucune de ses "
            f"{len(members)} commune(s) n'est dans la table des communes. Vérifiez le code "
            "et le référentiel des communes (même millésime)."
        )
    flags = estimates.estimated.loc[inside].sum()
    out = pd.DataFrame(
        {
            "mois": wide.columns,
            "demandeurs": wide.loc[inside].sum(skipna=False).to_numpy(),
            "estimation": flags.to_numpy() > 0,
            "communes_estimees": flags.to_numpy().astype("int64"),
        }
    )
    return _with_attrs(out, level, code, name, len(members), absent)


def _with_attrs(
    out: pd.DataFrame, level: str, code: str, name: str, members: int, absent: list[str]
) -> pd.DataFrame:
    estimated = bool(out["estimation"].any())
    rule = ESTIMATE_RULE if estimated else "chiffre publié"
    label = f"{LEVEL_LABELS.get(level, level)} {code} – {name}" if name != code else code
    phrase = (
        f"Chiffre estimé pour {label} : {ESTIMATE_RULE}."
        if estimated
        else f"Chiffre publié par France Travail pour {label}."
    )
    if absent:
        phrase += (
            f" {len(absent)} commune(s) du territoire absente(s) de la table des communes "
            f"ne sont pas comptées ({', '.join(absent[:5])}{'…' if len(absent) > 5 else ''})."
        )
    out.attrs = {
        "territoire": {
            "niveau": level,
            "code": code,
            "nom": name,
            "estimation": estimated,
            "regle": rule,
            "phrase": phrase,
            "mesure": JOBSEEKERS_LABEL,
            "communes": members,
            "communes_absentes": absent,
            "rupture": crosses_break(out["mois"]),
        }
    }
    return out


def crosses_break(months: pd.Series | pd.Index) -> bool:
    """Whether a series of months spans January 2025 (:data:`BREAK_MONTH`)."""
    if len(months) == 0:
        return False
    return bool(pd.Timestamp(min(months)) < BREAK_MONTH <= pd.Timestamp(max(months)))


# --------------------------------------------------------------------------- reconciliation


def _main_region(communes: pd.DataFrame, level: str) -> pd.Series:
    """Territory → région holding the largest part of its population (its communes if none)."""
    table = communes.dropna(subset=[level, "region"]).assign(
        _poids=lambda t: pd.to_numeric(t["population"], errors="coerce").fillna(0.0) + 1e-9
    )
    shares = table.groupby([level, "region"])["_poids"].sum().reset_index()
    shares = shares.sort_values([level, "_poids", "region"], ascending=[True, False, True])
    return shares.drop_duplicates(level).set_index(level)["region"].astype("string")


def territories_of_region(communes: pd.DataFrame, level: str, region: str) -> list[str]:
    """Codes of the territories of ``level`` whose population lives mostly in ``region``."""
    main = _main_region(communes, level)
    return sorted(main.index[main == region].astype(str))


def jobseekers_reconciliation(
    jobseekers: pd.DataFrame,
    communes: pd.DataFrame,
    level: str,
    region: str,
    *,
    by_commune: CommuneJobseekers | None = None,
) -> pd.DataFrame:
    """Why the territories of a région do not add up to the région's figure.

    The territories of ``level`` « of the région » are those whose population lives
    mostly in it (:func:`territories_of_region`). Their sum differs from the
    région's published figure by: the région's communes in territories of other
    régions (or in none), the communes of other régions in its territories, and the
    publisher's rounding (the région's figure minus the sum of its départements',
    each rounded to tens).

    Returns
    -------
    pandas.DataFrame
        One row per commune across the border and month, plus one ``arrondi`` row per
        month: ``mois, commune, commune_nom, departement, region, territoire,
        territoire_nom, sens, demandeurs, effet`` where ``effet`` is what the row
        adds to the sum of the territories compared with the région
        (``+demandeurs`` for a commune from outside, ``-demandeurs`` for one of the
        région counted elsewhere, minus the rounding gap), so that the région's
        figure plus the sum of ``effet`` is the sum of the territories, every month.
    """
    _check_communes(communes, (level, "region"))
    estimates = jobseekers_by_commune(jobseekers, communes) if by_commune is None else by_commune
    wide = estimates.values
    ours = set(territories_of_region(communes, level, region))
    table = communes.drop_duplicates("commune").set_index("commune").reindex(wide.index)
    in_region = (table["region"] == region).fillna(False).to_numpy()
    in_ours = table[level].isin(ours).fillna(False).to_numpy()
    rows = []
    names = _names_of(communes, level)
    for mask, sense, sign in (
        (in_ours & ~in_region, "commune d'une autre région dans un territoire de la région", 1),
        (in_region & ~in_ours, "commune de la région dans un territoire d'une autre région", -1),
    ):
        for commune in wide.index[mask]:
            row = table.loc[commune]
            for month, value in wide.loc[commune].items():
                rows.append(
                    {
                        "mois": month,
                        "commune": commune,
                        "commune_nom": row.get("commune_nom"),
                        "departement": row["departement"],
                        "region": row["region"],
                        "territoire": row[level],
                        "territoire_nom": names.get(row[level]) if pd.notna(row[level]) else None,
                        "sens": sense,
                        "demandeurs": value,
                        "effet": sign * value,
                    }
                )
    published = _wide(jobseekers, "region")
    if region in published.index:
        deps = sorted(set(table.loc[in_region, "departement"].dropna().astype(str)))
        dep_sum = _wide(jobseekers, "departement").reindex(deps).sum(min_count=1)
        gap = published.loc[region] - dep_sum
        for month, value in gap.items():
            rows.append(
                {
                    "mois": month,
                    "sens": "arrondi : région publiée moins la somme de ses départements publiés",
                    "demandeurs": value,
                    "effet": -value,
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "mois",
            "commune",
            "commune_nom",
            "departement",
            "region",
            "territoire",
            "territoire_nom",
            "sens",
            "demandeurs",
            "effet",
        ],
    )
    out.attrs = {"territoires": sorted(ours), "region": region, "niveau": level}
    return out.sort_values(["mois", "sens", "commune"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- indicators


def projects_per_100_jobseekers(
    bmo: pd.DataFrame, series: pd.DataFrame, *, year: int | None = None
) -> float | None:
    """BMO recruitment projects per 100 job seekers, the same year.

    Parameters
    ----------
    bmo
        BMO table of the territory (:func:`diagnostics.bmo.bmo_for_territory`).
    series
        Monthly job seekers of the same territory (:func:`jobseekers_for_territory`).
    year
        Survey year; by default the latest year present in both with 12 months of
        job seekers.

    Returns
    -------
    float or None
        Projects (:func:`diagnostics.bmo.recruitment_summary`) / mean monthly job
        seekers of the year × 100; ``None`` when no year has both.

    Examples
    --------
    >>> from geo import settings
    >>> from diagnostics.bmo import read_bmo
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> series = pd.DataFrame({"mois": pd.date_range("2024-01-01", periods=12, freq="MS"),
    ...                        "demandeurs": 1000.0})
    >>> projects_per_100_jobseekers(bmo, series) > 0
    True
    """
    summary = recruitment_summary(bmo)
    months = pd.to_datetime(series["mois"])
    full = series.groupby(months.dt.year)["demandeurs"].agg(["mean", "count"])
    full = full[full["count"] == 12]
    years = sorted(set(summary["annee"].astype(int)) & set(full.index.astype(int)))
    if year is None:
        if not years:
            return None
        year = years[-1]
    if year not in years:
        return None
    projects = summary.loc[summary["annee"] == year, "projets"].iloc[0]
    mean = full.loc[year, "mean"]
    if pd.isna(projects) or not mean:
        return None
    return float(projects) / float(mean) * 100


def jobseekers_indicators(
    series: pd.DataFrame,
    *,
    month: str | pd.Timestamp | None = None,
    population: float | None = None,
    bmo: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Key figures of a territory's monthly series.

    Parameters
    ----------
    series
        :func:`jobseekers_for_territory` (or any ``mois, demandeurs, estimation``).
    month
        ``"AAAA-MM"`` or a Timestamp; by default the latest month.
    population
        Legal population of the territory, for the rate per 1,000 inhabitants.
    bmo
        BMO table of the territory, for the projects per 100 job seekers.

    Returns
    -------
    dict
        ``mois`` (Timestamp), ``demandeurs``, ``estimation``,
        ``evolution_12_mois`` and ``evolution_12_mois_pct`` (against the same month a
        year before; ``None`` if absent), ``evolution_depuis_janvier_2020`` and its
        ``_pct``, ``pour_1000_habitants``, ``projets_pour_100_demandeurs``,
        ``annee_bmo``, ``rupture`` (the month or its comparisons cross January 2025)
        and ``regle``, ``phrase``, ``mesure`` from the series' ``attrs``.

    Raises
    ------
    SchemaError
        ``month`` is not a month of the series.

    Examples
    --------
    >>> series = pd.DataFrame({"mois": pd.date_range("2020-01-01", periods=13, freq="MS"),
    ...                        "demandeurs": [100.0] * 12 + [90.0], "estimation": False})
    >>> info = jobseekers_indicators(series, population=2000)
    >>> info["evolution_12_mois"], info["evolution_12_mois_pct"], info["pour_1000_habitants"]
    (-10.0, -0.1, 45.0)
    """
    data = series.assign(mois=pd.to_datetime(series["mois"])).set_index("mois").sort_index()
    at = data.index.max() if month is None else pd.Timestamp(str(month)[:7] + "-01")
    if at not in data.index:
        shown = f"{data.index.min():%Y-%m} à {data.index.max():%Y-%m}" if len(data) else "aucun"
        raise SchemaError(
            f"Demandeurs d'emploi : le mois {str(month)[:7]} n'est pas dans la série "
            f"(mois disponibles : {shown}). Choisissez un mois de la série (--mois AAAA-MM)."
        )
    value = float(data.loc[at, "demandeurs"])

    def change(since: pd.Timestamp) -> tuple[float | None, float | None]:
        if since not in data.index or since == at or pd.isna(data.loc[since, "demandeurs"]):
            return None, None
        before = float(data.loc[since, "demandeurs"])
        return value - before, ((value - before) / before if before else None)

    year_ago = at - pd.DateOffset(years=1)
    start = pd.Timestamp("2020-01-01")
    d12, p12 = change(year_ago)
    d20, p20 = change(start)
    attrs = series.attrs.get("territoire", {})
    projects = projects_per_100_jobseekers(bmo, series) if bmo is not None else None
    return {
        "mois": at,
        "demandeurs": value,
        "estimation": bool(data.loc[at, "estimation"]) if "estimation" in data else False,
        "evolution_12_mois": d12,
        "evolution_12_mois_pct": p12,
        "evolution_depuis_janvier_2020": d20,
        "evolution_depuis_janvier_2020_pct": p20,
        "pour_1000_habitants": float(value / population * 1000) if population else None,
        "projets_pour_100_demandeurs": projects,
        "rupture": year_ago < BREAK_MONTH <= at or start < BREAK_MONTH <= at,
        "regle": attrs.get("regle"),
        "phrase": attrs.get("phrase"),
        "mesure": JOBSEEKERS_LABEL,
    }


# --------------------------------------------------------------------------- chart


def plot_jobseekers(
    series: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Monthly job seekers of a territory, with its estimate and break notes.

    Parameters
    ----------
    series
        :func:`jobseekers_for_territory` (``mois, demandeurs``, optional
        ``estimation``).
    ax
        Axes to draw on (a new figure otherwise).
    title
        Title (default: the territory's label from ``attrs``).

    Returns
    -------
    matplotlib.axes.Axes
        The axes; an estimated series is drawn dashed and says so in its legend; a
        series crossing January 2025 has a vertical line and :data:`BREAK_NOTE`.

    Examples
    --------
    >>> series = pd.DataFrame({"mois": pd.date_range("2024-06-01", periods=12, freq="MS"),
    ...                        "demandeurs": 100.0, "estimation": True})
    >>> ax = plot_jobseekers(series)
    >>> "rupture" in ax.get_xlabel(), "estimation" in ax.get_legend().get_texts()[0].get_text()
    (True, True)
    """
    ax = axes_or_new(ax, (8, 3.5), layout="constrained")
    months = pd.to_datetime(series["mois"])
    estimated = bool(series["estimation"].any()) if "estimation" in series else False
    info = series.attrs.get("territoire", {})
    label = "demandeurs d'emploi inscrits" + (
        " (estimation : reste du département réparti au prorata de la population)"
        if estimated
        else ""
    )
    ax.plot(months, series["demandeurs"], linestyle="--" if estimated else "-", label=label)
    ax.set_ylabel("demandeurs d'emploi (A, B, C)")
    ax.yaxis.set_major_formatter(lambda v, _pos: format_int(v))
    if title is None and info:
        title = f"{LEVEL_LABELS.get(info['niveau'], info['niveau'])} {info['nom']}"
    if title:
        ax.set_title(title)
    xlabel = "mois (début de mois)"
    if crosses_break(months):
        ax.axvline(BREAK_MONTH, color="grey", linestyle=":")
        xlabel += " — " + BREAK_NOTE
    ax.set_xlabel(xlabel, wrap=True)
    ax.legend(loc="best", fontsize="small")
    return ax
