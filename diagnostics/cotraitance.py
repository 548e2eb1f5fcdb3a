"""Cotraitance: flows of young job seekers to missions locales, against objectives.

The 2010–2014 accord-cadre (seed 001, extraction ``shared/domain/cotraitance.md``)
delegates the accompaniment of young job seekers from Pôle emploi agences to missions
locales against yearly objectives. This module turns the inputs into what a steering
committee (comité de pilotage) looks at every month.

Inputs (schemas in ``data/cotraitance/LISEZMOI.md``, templates alongside):

- :func:`read_structures`: agences and missions locales (code, name, département,
  région, site coordinates);
- :func:`read_cotraitance_flows`: aggregated monthly flows per pair agence → mission locale;
- :func:`read_episodes` (+ :func:`read_periods`): the optional pseudonymised
  episode extract — personal data, read locally; :func:`flows_from_episodes` turns it
  into the flow table, and only protected aggregates leave the analysis;
- :func:`read_objectives`: objectives at national, regional, départemental, local
  level; :func:`regional_objectives_2010` ships the accord's Annexe 4 table and
  :func:`check_regional_objectives` reports its 2009 column summing to 129,999;
- :func:`read_cotraitance_needs` (potential demand, young job seekers) and
  :func:`read_cotraitance_ressorts` (communes of each mission locale);
  :func:`read_cotraitance_folder` reads a whole folder laid out as
  ``data/demo/cotraitance``. The readers live in :mod:`diagnostics._readers.cotraitance`
  and report the rows they set aside in ``attrs["problemes"]``
  (:func:`geo.problems.collect_problems` gathers them).

Rules (seed lines in brackets):

- entries on three bases — affectation (indicator DE0 counts young people *sent*,
  L3381), acceptation, initialisation (the objective is counted at initialisation,
  L2461) — and CIVIS counters kept separate, the objective rule configurable
  (``civis_rule``: ``"exclure"`` L515/L2461, ``"inclure"`` L2208);
- :func:`objective_attainment`: attainment, linear-pace projection to 31 December,
  overrun alert over ``overrun_threshold`` (the seed gives no value, L439: a
  parameter), need-mismatch alert (:func:`need_mismatch`, L437), routed local →
  régional → national (L627, L2227, L653, L1856, L682) by :func:`route_alerts`;
- :func:`payment_projection`: 40 % on 20 January, 40 % on 10 July, balance pro rata
  to attainment, over-payment detected (L2301-2318);
- :func:`lead_times`, :func:`stock_by_state`, :func:`exits_due` (six months of
  suspension L2431, 26th birthday with the one-year rule L467/L1873, move out of the
  ressort L466), :func:`uncancelled_affectations` (L455, L2386),
  :func:`access_rate` (entries per 1,000 young job seekers, QDE3 L3403),
  :func:`split_objective` (infra-regional split, L433);
- views: :func:`plot_pace`, :func:`sankey_links`/:func:`plot_sankey`,
  :func:`map_flows`; :func:`cotraitance_section` bundles them for the portrait and
  the steering committee (``notebooks/cotraitance_suivi.ipynb``, ``territoire
  cotraitance tableau``), :func:`alert_summary` lists what to act on as facts,
  :func:`alert_sentences` says it in French.

Every output built from person-level data is under disclosure control
(:mod:`diagnostics.disclosure`); :func:`save_tables` writes them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from diagnostics._readers.cotraitance import (
    EXIT_REASONS,
    FLOW_COUNTS,
    FOLDER_FILES,
    LEVELS,
    STATES,
    period_problems,
    read_cotraitance_flows,
    read_cotraitance_folder,
    read_cotraitance_needs,
    read_cotraitance_ressorts,
    read_episodes,
    read_objectives,
    read_periods,
    read_structures,
)
from diagnostics.disclosure import (
    NO_SUPPRESSION,  # noqa: F401  (used by the examples)
    current_threshold,
    protect_counts,
    protect_values,
    to_display,
)
from geo._errors import SchemaError
from geo.display import (
    Fact,
    Missing,
    axes_or_new,
    format_count,
    format_int,
    format_month,
    format_number,
    format_percent,
)
from geo.exports import save_table
from geo.tables import read_table

if TYPE_CHECKING:  # pragma: no cover
    import folium
    from matplotlib.axes import Axes

__all__ = [
    "EXIT_REASONS",
    "STATES",
    "FLOW_COUNTS",
    "LEVELS",
    "CIVIS_RULES",
    "PAYMENT_SCHEDULE",
    "read_structures",
    "read_cotraitance_flows",
    "read_episodes",
    "read_periods",
    "read_objectives",
    "read_cotraitance_needs",
    "read_cotraitance_ressorts",
    "FOLDER_FILES",
    "read_cotraitance_folder",
    "period_problems",
    "missions_locales_of",
    "local_tables",
    "regional_objectives_2010",
    "check_regional_objectives",
    "flows_from_episodes",
    "entries",
    "objective_attainment",
    "need_mismatch",
    "route_alerts",
    "payment_projection",
    "lead_times",
    "stock_by_state",
    "exits_due",
    "uncancelled_affectations",
    "access_rate",
    "count_by",
    "split_objective",
    "monthly_pace",
    "plot_pace",
    "sankey_links",
    "plot_sankey",
    "map_flows",
    "cotraitance_section",
    "alert_summary",
    "alert_sentences",
    "save_tables",
]

#: How CIVIS young people count against the objective (the seed contradicts itself).
CIVIS_RULES: dict[str, str] = {
    "exclure": "jeune en CIVIS à l'initialisation non compté sur l'objectif (L515, L2461)",
    "inclure": "jeune déjà en CIVIS compté dans les chiffres de la cotraitance (L2208)",
}

#: Payment schedule of the local subsidy (L2305-2310): (label, month, day, share).
PAYMENT_SCHEDULE: tuple[tuple[str, int, int, float], ...] = (
    ("acompte_20_janvier", 1, 20, 0.40),
    ("acompte_10_juillet", 7, 10, 0.40),
)

_COMMITTEES = {
    "mission_locale": "comité de pilotage local",
    "departement": "comité de pilotage local",
    "region": "comité de pilotage régional",
    "national": "comité de pilotage national",
}
_NEXT = {
    "comité de pilotage local": "comité de pilotage régional",
    "comité de pilotage régional": "comité de pilotage national",
    "comité de pilotage national": "signataires (mise à jour des volumes, L439)",
}
_REFERENCE = Path(__file__).resolve().parent.parent / "data" / "cotraitance"


def regional_objectives_2010() -> pd.DataFrame:
    """Return the accord's Annexe 4 table, as printed (L1561-1590).

    Columns ``region`` (the printed name), ``rappel_objectif_2009``,
    ``objectif_2010``; the last row is the printed ``TOTAL``.

    >>> t = regional_objectives_2010()
    >>> len(t), t["region"].iloc[-1], int(t["objectif_2010"].iloc[-1])
    (27, 'TOTAL', 150000)
    """
    table = read_table(_REFERENCE / "objectifs_regionaux_2009_2010.csv")
    return table.astype({"rappel_objectif_2009": "int64", "objectif_2010": "int64"})


def check_regional_objectives(table: pd.DataFrame) -> list[str]:
    """Compare each column of the regional table with its printed ``TOTAL``.

    >>> check_regional_objectives(regional_objectives_2010())
    ['rappel_objectif_2009 : les 26 régions somment à 129\u202f999, pas au total imprimé 130\u202f000 (écart -1).']
    """
    body = table[table["region"] != "TOTAL"]
    total = table[table["region"] == "TOTAL"]
    remarks = []
    for col in table.columns.drop("region"):
        computed = int(body[col].sum())
        printed = int(total[col].iloc[0]) if len(total) else computed
        if computed != printed:
            remarks.append(
                f"{col} : les {len(body)} régions somment à {format_int(computed)}, pas au "
                f"total imprimé {format_int(printed)} (écart {computed - printed:+d})."
            )
    return remarks


# --------------------------------------------------------------------------- episodes → flows


def _month(dates: pd.Series) -> pd.Series:
    # strftime is slow on a million dates: format the few distinct months only
    code = dates.dt.year * 100 + dates.dt.month
    labels = {c: f"{c // 100:04d}-{c % 100:02d}" for c in code.dropna().unique().astype(int)}
    return code.map(labels)


def _month_ends(first: str, last: str) -> pd.DatetimeIndex:
    return pd.date_range(
        pd.Timestamp(first), pd.Timestamp(last) + pd.offsets.MonthEnd(0), freq="ME"
    )


def _interval_counts(
    keys: pd.DataFrame, start: pd.Series, stop: pd.Series, ends: pd.DatetimeIndex
) -> pd.DataFrame:
    """Count rows with ``start <= end < stop`` for each month end, by ``keys``."""
    n = len(ends)
    values = ends.values
    first = np.searchsorted(values, start.values.astype("datetime64[ns]"), side="left")
    stop_v = stop.values.astype("datetime64[ns]")
    last = np.where(pd.isna(stop), n, np.searchsorted(values, stop_v, side="left"))
    ok = (first < last) & start.notna().to_numpy()
    frame = keys.loc[ok].copy()
    frame["_d"] = 1
    up = frame.assign(_i=first[ok])
    down = frame.assign(_i=last[ok], _d=-1)
    both = pd.concat([up, down])
    both = both[both["_i"] < n]
    if both.empty:
        return pd.DataFrame(columns=[*keys.columns, "mois", "n"])
    grid = both.groupby([*keys.columns, "_i"], observed=True)["_d"].sum().unstack(fill_value=0)
    grid = grid.reindex(columns=range(n), fill_value=0).cumsum(axis=1)
    grid.columns = [end.strftime("%Y-%m") for end in ends]
    long = grid.stack().rename("n").reset_index().rename(columns={"level_2": "mois"})
    long.columns = [*keys.columns, "mois", "n"]
    return long[long["n"] != 0]


def flows_from_episodes(
    episodes: pd.DataFrame,
    periods: pd.DataFrame | None = None,
    *,
    first_month: str | None = None,
    last_month: str | None = None,
) -> pd.DataFrame:
    """Aggregate the episode extract into the monthly flow table of :func:`read_cotraitance_flows`.

    Counts each event in the month of its date; ``stock_*`` are the initialised,
    not exited episodes at the end of the month, by state (suspension and alert
    from ``periods``, actif otherwise). The result holds counts only; it still goes
    through disclosure control before it is shown.

    Examples
    --------
    >>> ep = pd.DataFrame({
    ...     "episode_id": ["e1", "e2"],
    ...     "date_affectation": pd.to_datetime(["2024-01-03", "2024-01-20"]),
    ...     "date_acceptation": pd.to_datetime(["2024-01-05", None]),
    ...     "date_initialisation": pd.to_datetime(["2024-01-10", None]),
    ...     "date_annulation": pd.to_datetime([None, "2024-02-02"]),
    ...     "date_sortie": pd.to_datetime([None, None]),
    ...     "motif_sortie": pd.array([None, None], dtype="string"),
    ...     "civis_initialisation": [False, False], "ex_civis": [True, False],
    ...     "agence": ["A1", "A1"], "mission_locale": ["M1", "M1"]})
    >>> f = flows_from_episodes(ep)
    >>> f[["mois", "affectations", "initialisations_ex_civis", "annulations", "stock_actif"]]
          mois  affectations  initialisations_ex_civis  annulations  stock_actif
    0  2024-01             2                         1            0            1
    1  2024-02             0                         0            1            1
    """
    keys = ["agence", "mission_locale"]
    init = episodes["date_initialisation"]
    events = {
        "affectations": episodes["date_affectation"],
        "acceptations": episodes["date_acceptation"],
        "initialisations": init,
        "initialisations_civis": init.where(episodes["civis_initialisation"]),
        "initialisations_ex_civis": init.where(episodes["ex_civis"]),
        "annulations": episodes["date_annulation"],
    }
    for code in EXIT_REASONS:
        events[f"sorties_{code}"] = episodes["date_sortie"].where(episodes["motif_sortie"] == code)
    parts = []
    for name, dates in events.items():
        sub = episodes.loc[dates.notna(), keys].copy()
        sub["mois"] = _month(dates[dates.notna()])
        parts.append(sub.value_counts().rename(name))
    all_dates = pd.concat([d for d in events.values()]).dropna()
    if all_dates.empty:
        return pd.DataFrame(columns=["mois", *keys, *FLOW_COUNTS])
    first_month = first_month or all_dates.min().strftime("%Y-%m")
    last_month = last_month or all_dates.max().strftime("%Y-%m")
    ends = _month_ends(first_month, last_month)
    stock = _interval_counts(episodes[keys], init, episodes["date_sortie"], ends)
    parts.append(stock.set_index([*keys, "mois"])["n"].rename("_stock"))
    if periods is not None and len(periods):
        joined = periods.merge(
            episodes[["episode_id", *keys, "date_initialisation", "date_sortie"]],
            on="episode_id",
        )
        start = joined[["date_debut", "date_initialisation"]].max(axis=1)
        stop = joined[["date_fin", "date_sortie"]].min(axis=1)  # NaT ignored
        stop = stop.where(joined["date_fin"].notna() | joined["date_sortie"].notna())
        for state in ("alerte", "suspension"):
            mask = (joined["etat"] == state).to_numpy()
            counts = _interval_counts(joined.loc[mask, keys], start[mask], stop[mask], ends)
            parts.append(counts.set_index([*keys, "mois"])["n"].rename(f"stock_{state}"))
    table = pd.concat(parts, axis=1).fillna(0).astype("int64")
    table.index.names = [*keys, "mois"]
    for state in ("alerte", "suspension"):
        if f"stock_{state}" not in table:
            table[f"stock_{state}"] = 0
    table["stock_actif"] = table.pop("_stock") - table["stock_alerte"] - table["stock_suspension"]
    months = {end.strftime("%Y-%m") for end in ends}
    out = table.reset_index()
    out = out[out["mois"].isin(months)]
    pairs = out[keys].drop_duplicates()
    grid = pairs.merge(pd.DataFrame({"mois": sorted(months)}), how="cross")
    out = grid.merge(out, how="left", on=[*keys, "mois"]).fillna(0)
    out = out[["mois", *keys, *FLOW_COUNTS]].astype({c: "int64" for c in FLOW_COUNTS})
    out["mois"] = out["mois"].astype("string")
    return out.sort_values(["mois", *keys]).reset_index(drop=True)


# --------------------------------------------------------------------------- entries, objectives


def _with_territory(table: pd.DataFrame, structures: pd.DataFrame) -> pd.DataFrame:
    ml = structures.loc[structures["type"] == "mission_locale", ["code", "departement", "region"]]
    out = table.merge(ml.rename(columns={"code": "mission_locale"}), how="left")
    out["national"] = "FR"
    return out


def entries(
    flows: pd.DataFrame,
    *,
    basis: str = "initialisation",
    civis_rule: str = "exclure",
) -> pd.Series:
    """Return the entries of each flow row on one ``basis``.

    ``basis``: ``affectation`` (DE0, young people sent), ``acceptation`` or
    ``initialisation``; ``objectif`` is the initialisations counted on the objective
    under ``civis_rule`` (:data:`CIVIS_RULES`): ``exclure`` takes the CIVIS young
    people out, ``inclure`` keeps them.

    >>> f = pd.DataFrame({"affectations": [10], "acceptations": [8],
    ...                   "initialisations": [7], "initialisations_civis": [2]})
    >>> [int(entries(f, basis=b).iloc[0]) for b in ("affectation", "initialisation", "objectif")]
    [10, 7, 5]
    """
    if civis_rule not in CIVIS_RULES:
        raise ValueError(
            f"Règle CIVIS {civis_rule!r} inconnue (attendu : {', '.join(CIVIS_RULES)})."
        )
    columns = {
        "affectation": "affectations",
        "acceptation": "acceptations",
        "initialisation": "initialisations",
    }
    if basis == "objectif":
        values = flows["initialisations"]
        if civis_rule == "exclure":
            values = values - flows["initialisations_civis"]
    elif basis in columns:
        values = flows[columns[basis]]
    else:
        raise ValueError(
            f"Base de décompte {basis!r} inconnue (attendu : affectation, acceptation, "
            "initialisation ou objectif)."
        )
    return values.rename(f"entrees_{basis}")


def _objective_of(
    objectives: pd.DataFrame, year: int, level: str, codes: pd.Series, children: pd.DataFrame | None
) -> pd.DataFrame:
    given = objectives[(objectives["annee"] == year) & (objectives["niveau"] == level)]
    out = pd.DataFrame({"territoire": codes})
    out = out.merge(
        given[["territoire", "objectif", "montant_subvention"]], how="left", on="territoire"
    )
    out["source_objectif"] = np.where(out["objectif"].notna(), "fixé", pd.NA)
    if children is not None:
        summed = children.groupby(level)[["objectif", "montant_subvention"]].sum()
        fill = out["objectif"].isna() & out["territoire"].isin(summed.index)
        out.loc[fill, "objectif"] = summed["objectif"].reindex(out.loc[fill, "territoire"]).values
        out.loc[fill, "montant_subvention"] = (
            summed["montant_subvention"].reindex(out.loc[fill, "territoire"]).values
        )
        out.loc[fill, "source_objectif"] = "somme des niveaux inférieurs"
    return out


def objective_attainment(
    flows: pd.DataFrame,
    objectives: pd.DataFrame,
    structures: pd.DataFrame,
    *,
    year: int,
    month: int,
    civis_rule: str = "exclure",
    overrun_threshold: float = 0.10,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Attainment of the objective per mission locale, département, région, nation.

    Entries counted on the objective (initialisations, CIVIS per ``civis_rule``)
    from January to ``month`` of ``year``, against the yearly objective; the
    linear pace is ``objectif × month / 12``; the projection to 31 December is
    ``entrees × 12 / month``. ``alerte_depassement`` is raised when the projection
    exceeds the objective by more than ``overrun_threshold`` (a share; the seed gives
    no value, L439) and ``depassement_constate`` when the entries already do. A
    level without objective of its own takes the sum of the level below.

    Counts are under disclosure control (groups: département, région, nation), and
    rates hidden with them.

    Returns
    -------
    pandas.DataFrame
        ``niveau, territoire, objectif, montant_subvention, source_objectif,
        entrees_affectation, entrees_initialisation, dont_civis, dont_ex_civis,
        entrees_objectif, rythme_lineaire, taux_atteinte, projection_fin_annee,
        taux_projete, depassement_constate, alerte_depassement``.

    Examples
    --------
    >>> f = pd.DataFrame({"mois": ["2024-01", "2024-02", "2024-03"],
    ...     "agence": "A1", "mission_locale": "M1", "affectations": [30, 30, 30],
    ...     "acceptations": 25, "initialisations": [25, 25, 30],
    ...     "initialisations_civis": [0, 0, 5], "initialisations_ex_civis": 0})
    >>> o = pd.DataFrame({"annee": [2024], "niveau": ["mission_locale"],
    ...     "territoire": ["M1"], "objectif": [240], "montant_subvention": [48000]})
    >>> s = pd.DataFrame({"code": ["M1"], "type": ["mission_locale"],
    ...     "departement": ["9A"], "region": ["99"]})
    >>> a = objective_attainment(f, o, s, year=2024, month=3, threshold=NO_SUPPRESSION)
    >>> cols = ["entrees_objectif", "rythme_lineaire", "taux_atteinte", "projection_fin_annee"]
    >>> a.loc[0, cols].astype(float).tolist()
    [75.0, 60.0, 0.3125, 300.0]
    >>> bool(a.loc[0, "alerte_depassement"])
    True
    """
    if not 1 <= month <= 12:
        raise ValueError(f"Mois {month} invalide (attendu 1 à 12).")
    period = flows[flows["mois"].str[:4].astype(int) == year]
    period = period[period["mois"].str[5:7].astype(int) <= month]
    counts = pd.DataFrame(
        {
            "mission_locale": period["mission_locale"],
            "entrees_affectation": entries(period, basis="affectation"),
            "entrees_initialisation": entries(period, basis="initialisation"),
            "dont_civis": period["initialisations_civis"],
            "dont_ex_civis": period["initialisations_ex_civis"],
            "entrees_objectif": entries(period, basis="objectif", civis_rule=civis_rule),
        }
    )
    count_cols = list(counts.columns[1:])
    counts = counts.groupby("mission_locale", as_index=False)[count_cols].sum()
    ml = structures.loc[structures["type"] == "mission_locale", "code"]
    counts = (
        pd.DataFrame({"mission_locale": ml})
        .merge(counts, how="left")
        .fillna(dict.fromkeys(count_cols, 0))
    )
    counts = _with_territory(counts, structures)
    frames = []
    previous = None
    for level in LEVELS:
        grouped = counts.groupby(level, as_index=False)[count_cols].sum()
        objective = _objective_of(objectives, year, level, grouped[level], previous)
        frame = grouped.rename(columns={level: "territoire"}).merge(objective, on="territoire")
        frame.insert(0, "niveau", level)
        if level == "mission_locale":
            frame = frame.merge(
                counts[["mission_locale", "departement", "region"]].rename(
                    columns={"mission_locale": "territoire"}
                )
            )
            previous = frame.rename(columns={"territoire": "mission_locale"})[
                ["mission_locale", "departement", "region", "objectif", "montant_subvention"]
            ].assign(national="FR")
        elif level == "departement":
            frame["departement"] = frame["territoire"]
            frame["region"] = frame["territoire"].map(
                counts.drop_duplicates("departement").set_index("departement")["region"]
            )
            # a région's objective sums the missions locales, not the départements
        else:
            frame["departement"] = pd.NA
            frame["region"] = frame["territoire"] if level == "region" else pd.NA
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table["rythme_lineaire"] = table["objectif"] * month / 12
    table["taux_atteinte"] = table["entrees_objectif"] / table["objectif"]
    table["projection_fin_annee"] = table["entrees_objectif"] * 12 / month
    table["taux_projete"] = table["projection_fin_annee"] / table["objectif"]
    table["depassement_constate"] = table["entrees_objectif"] > table["objectif"] * (
        1 + overrun_threshold
    )
    table["alerte_depassement"] = table["taux_projete"] > 1 + overrun_threshold
    table = table.astype({"depassement_constate": bool, "alerte_depassement": "boolean"})
    local = table["niveau"] == "mission_locale"
    protected = protect_counts(
        table[local], count_cols, groups=[["departement"], ["region"], []], threshold=threshold
    )
    table = pd.concat(
        [protected, protect_counts(table[~local], count_cols, groups=[], threshold=threshold)]
    )
    table = table.sort_index()
    table = protect_values(
        table,
        ["taux_atteinte", "projection_fin_annee", "taux_projete"],
        count="entrees_objectif",
        threshold=threshold,
    )
    table.loc[table["taux_projete"].isna(), "alerte_depassement"] = pd.NA
    table["objectif"] = table["objectif"].astype("Int64")
    table["montant_subvention"] = table["montant_subvention"].astype("Int64")
    return table.reset_index(drop=True)


def need_mismatch(
    attainment: pd.DataFrame,
    needs: pd.DataFrame,
    *,
    level: str = "mission_locale",
    tolerance: float = 0.25,
) -> pd.DataFrame:
    """Compare the split of the objective with the split of potential demand (L437).

    ``needs`` has ``territoire`` and ``demande_potentielle`` (young job seekers
    meeting the affectation criteria, indicator DE3). Within ``level``,
    ``indice_adequation = part de l'objectif / part de la demande``;
    ``alerte_inadequation`` when it is off 1 by more than ``tolerance``
    (``objectif_insuffisant`` under, ``objectif_excessif`` over).

    >>> a = pd.DataFrame({"niveau": "mission_locale", "territoire": ["M1", "M2"],
    ...                   "objectif": [100, 100]})
    >>> n = pd.DataFrame({"territoire": ["M1", "M2"], "demande_potentielle": [300, 100]})
    >>> need_mismatch(a, n)[["territoire", "indice_adequation", "sens"]]
      territoire  indice_adequation                  sens
    0         M1           0.666667  objectif_insuffisant
    1         M2           2.000000     objectif_excessif
    """
    table = attainment.loc[attainment["niveau"] == level, ["territoire", "objectif"]]
    table = table.merge(needs[["territoire", "demande_potentielle"]], how="left")
    share_obj = table["objectif"] / table["objectif"].sum()
    share_need = table["demande_potentielle"] / table["demande_potentielle"].sum()
    table["indice_adequation"] = (share_obj / share_need).astype(float)
    table["objectif_par_demande"] = (table["objectif"] / table["demande_potentielle"]).astype(float)
    off = (table["indice_adequation"] - 1).abs() > tolerance
    table["alerte_inadequation"] = off
    table["sens"] = np.where(
        ~off,
        "",
        np.where(table["indice_adequation"] < 1, "objectif_insuffisant", "objectif_excessif"),
    )
    table.insert(0, "niveau", level)
    return table.reset_index(drop=True)


def route_alerts(attainment: pd.DataFrame, mismatch: pd.DataFrame | None = None) -> pd.DataFrame:
    """List the volume alerts with the committee that raises them and the next one.

    Local alerts (mission locale, département) go from the local committee to the
    regional one (L627, L2227), regional ones to the national committee (L653,
    L1856), national ones are analysed there and lead the signatories to update the
    volumes (L682, L439).

    >>> a = pd.DataFrame({"niveau": ["mission_locale", "region"], "territoire": ["M1", "99"],
    ...     "alerte_depassement": [True, False], "taux_projete": [1.3, 0.9]})
    >>> route_alerts(a)[["territoire", "alerte", "leve_par", "transmis_a"]].values.tolist()
    [['M1', 'dépassement', 'comité de pilotage local', 'comité de pilotage régional']]
    """
    rows = []
    over = attainment[attainment["alerte_depassement"].fillna(False).astype(bool)]
    for _, r in over.iterrows():
        rows.append(
            (
                r["niveau"],
                r["territoire"],
                "dépassement",
                f"projection à {format_percent(r['taux_projete'], 0)} de l'objectif",
            )
        )
    if mismatch is not None:
        for _, r in mismatch[mismatch["alerte_inadequation"]].iterrows():
            rows.append(
                (
                    r["niveau"],
                    r["territoire"],
                    "inadéquation besoins / objectif",
                    f"indice {format_number(r['indice_adequation'], 2)} "
                    f"({r['sens'].replace('_', ' ')})",
                )
            )
    out = pd.DataFrame(rows, columns=["niveau", "territoire", "alerte", "detail"])
    out["leve_par"] = out["niveau"].map(_COMMITTEES)
    out["transmis_a"] = out["leve_par"].map(_NEXT)
    return out


def payment_projection(
    attainment: pd.DataFrame, *, year: int, cap: float = 1.0, projected: bool = True
) -> pd.DataFrame:
    """Project the payments of the local subsidies (L2297-2318).

    40 % on 20 January and 40 % on 10 July of ``year`` (:data:`PAYMENT_SCHEDULE`),
    then the subsidy due is ``montant × min(taux, cap)`` (90 % attained → 90 % paid);
    the balance is what remains after the advances, ``trop_percu`` what the advances
    overpaid (to be reimbursed). ``projected`` uses the projection to year end,
    otherwise the attainment so far.

    >>> a = pd.DataFrame({"niveau": "mission_locale", "territoire": ["M1", "M2"],
    ...     "montant_subvention": [10000, 10000], "taux_atteinte": [0.9, 0.5],
    ...     "taux_projete": [0.9, 0.7]})
    >>> p = payment_projection(a, year=2024, projected=False)
    >>> p[["territoire", "montant_du", "solde", "trop_percu"]].values.tolist()
    [['M1', 9000.0, 1000.0, 0.0], ['M2', 5000.0, 0.0, 3000.0]]
    """
    rate_col = "taux_projete" if projected else "taux_atteinte"
    table = attainment.loc[
        attainment["niveau"] == "mission_locale", ["territoire", "montant_subvention", rate_col]
    ].copy()
    amount = table["montant_subvention"].astype("Float64")
    advances = 0.0
    for label, month, day, share in PAYMENT_SCHEDULE:
        table[label] = amount * share
        table[f"date_{label}"] = dt.date(year, month, day).isoformat()
        advances = advances + amount * share
    rate = table[rate_col].astype("Float64").clip(upper=cap)
    table["taux_retenu"] = rate
    table["montant_du"] = amount * rate
    table["solde"] = (table["montant_du"] - advances).clip(lower=0)
    table["trop_percu"] = (advances - table["montant_du"]).clip(lower=0)
    table["alerte_trop_percu"] = table["trop_percu"] > 0
    return table.drop(columns=rate_col).reset_index(drop=True)


# --------------------------------------------------------------------------- episode rules


def lead_times(
    episodes: pd.DataFrame, *, by: str = "mission_locale", threshold: int | None = None
) -> pd.DataFrame:
    """Lead times in days: affectation → acceptation → initialisation (median, P90).

    ``acceptation_initialisation`` may be negative (initialisation before
    acceptation, L2380). The seed sets no norm: descriptive only. Statistics of
    groups with fewer than ``threshold`` episodes are hidden.

    >>> ep = pd.DataFrame({"mission_locale": "M1",
    ...     "date_affectation": pd.to_datetime(["2024-01-01"] * 5),
    ...     "date_acceptation": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-05",
    ...                                         "2024-01-09", "2024-01-11"]),
    ...     "date_initialisation": pd.to_datetime(["2024-01-02"] * 5)})
    >>> lead_times(ep, threshold=5)[["delai", "n", "mediane_jours", "p90_jours"]].values.tolist()[0]
    ['affectation_acceptation', 5, 4.0, 9.2]
    """
    delays = {
        "affectation_acceptation": ("date_affectation", "date_acceptation"),
        "affectation_initialisation": ("date_affectation", "date_initialisation"),
        "acceptation_initialisation": ("date_acceptation", "date_initialisation"),
    }
    frames = []
    for name, (a, b) in delays.items():
        days = (episodes[b] - episodes[a]).dt.days
        frame = pd.DataFrame({by: episodes[by], "j": days}).dropna()
        grouped = frame.groupby(by)["j"]
        stats = pd.DataFrame(
            {
                "n": grouped.size(),
                "mediane_jours": grouped.median(),
                "p90_jours": grouped.quantile(0.9),
            }
        ).reset_index()
        stats.insert(1, "delai", name)
        frames.append(stats)
    table = pd.concat(frames, ignore_index=True)
    table = protect_counts(table, ["n"], groups=[["delai"]], threshold=threshold)
    return protect_values(table, ["mediane_jours", "p90_jours"], count="n", threshold=threshold)


def _states_at(episodes: pd.DataFrame, periods: pd.DataFrame | None, date: pd.Timestamp):
    ongoing = (
        (episodes["date_initialisation"] <= date)
        & ~(episodes["date_sortie"] <= date)
        & ~(episodes["date_annulation"] <= date)
    )
    state = pd.Series(np.where(ongoing, "actif", ""), index=episodes.index, dtype=object)
    if periods is not None and len(periods):
        open_ = periods[(periods["date_debut"] <= date) & ~(periods["date_fin"] <= date)]
        by_ep = open_.set_index("episode_id")["etat"]
        mapped = episodes["episode_id"].map(by_ep[~by_ep.index.duplicated()])
        state = state.where(~(ongoing & mapped.notna()), mapped)
    return state


def stock_by_state(
    episodes: pd.DataFrame,
    periods: pd.DataFrame | None = None,
    *,
    date: str | dt.date,
    by: str = "mission_locale",
    threshold: int | None = None,
) -> pd.DataFrame:
    """Stock of initialised, not exited episodes by state at ``date`` (L457-461).

    ``en_entree``: affected, not cancelled, not yet initialised nor exited.
    Counts under disclosure control (each row's states add up to its stock).

    >>> ep = pd.DataFrame({"episode_id": ["a", "b", "c"], "mission_locale": "M1",
    ...     "date_affectation": pd.to_datetime(["2024-01-01"] * 3),
    ...     "date_initialisation": pd.to_datetime(["2024-01-05", "2024-01-05", None]),
    ...     "date_annulation": pd.NaT, "date_sortie": pd.NaT})
    >>> per = pd.DataFrame({"episode_id": ["b"], "etat": ["suspension"],
    ...     "date_debut": pd.to_datetime(["2024-02-01"]), "date_fin": pd.NaT})
    >>> stocks = stock_by_state(ep, per, date="2024-03-01", threshold=NO_SUPPRESSION)
    >>> stocks.iloc[0, 1:].astype(int).tolist()
    [1, 0, 1, 1, 2]
    """
    date = pd.Timestamp(date)
    state = _states_at(episodes, periods, date)
    waiting = (
        (episodes["date_affectation"] <= date)
        & ~(episodes["date_initialisation"] <= date)
        & ~(episodes["date_annulation"] <= date)
        & ~(episodes["date_sortie"] <= date)
    )
    frame = pd.DataFrame({by: episodes[by], "etat": state})
    table = pd.crosstab(frame[by], frame["etat"]).reindex(columns=list(STATES), fill_value=0)
    table["en_entree"] = waiting.groupby(episodes[by]).sum()
    table = table.fillna(0).astype("int64")
    table["stock"] = table[list(STATES)].sum(axis=1)
    table = table.reset_index()
    table.columns.name = None
    return protect_counts(
        table, [*STATES, "en_entree", "stock"], additive=list(STATES), threshold=threshold
    )


def exits_due(
    episodes: pd.DataFrame,
    periods: pd.DataFrame | None = None,
    ressorts: pd.DataFrame | None = None,
    *,
    date: str | dt.date,
    age_rule: str = "un_an",
    age_clock: str = "date_affectation",
) -> pd.DataFrame:
    """Episodes still open at ``date`` that should have left (personal: local use).

    Reasons (:data:`EXIT_REASONS`):

    - ``suspension_6_mois``: a suspension open since more than six months
      (continuous; due on start + 6 months, L2431);
    - ``age_26_ans``: 26th birthday reached (the month of birth only is known: the
      birthday is taken on the 1st of the month). With ``age_rule="un_an"``
      (default, L467/L1873) a young person in the 26th year (aged 25) at
      ``age_clock`` is followed one year at most from that date instead;
      ``"anniversaire"`` applies the birthday to everyone;
    - ``demenagement``: ``commune_residence`` outside the mission locale's
      ``ressorts`` (``mission_locale, commune``; L466), due at ``date``.

    Returns one row per episode and reason: ``episode_id, mission_locale, motif,
    date_due``. Use :func:`exits_due_summary`-like aggregation (``groupby``) and
    :func:`~diagnostics.disclosure.protect_counts` before showing it.

    >>> ep = pd.DataFrame({"episode_id": ["a", "b"], "mission_locale": "M1",
    ...     "date_affectation": pd.to_datetime(["2023-06-01", "2023-06-01"]),
    ...     "date_initialisation": pd.to_datetime(["2023-06-10", "2023-06-10"]),
    ...     "date_annulation": pd.NaT, "date_sortie": pd.NaT,
    ...     "mois_naissance": pd.to_datetime(["2000-03-01", "1997-09-01"]),
    ...     "commune_residence": "9A001"})
    >>> exits_due(ep, date="2024-06-01")[["episode_id", "motif", "date_due"]].values.tolist()
    [['b', 'age_26_ans', Timestamp('2024-06-01 00:00:00')]]
    """
    if age_rule not in {"un_an", "anniversaire"}:
        raise ValueError(f"Règle d'âge {age_rule!r} inconnue (attendu un_an ou anniversaire).")
    date = pd.Timestamp(date)
    open_ = episodes[
        (episodes["date_affectation"] <= date)
        & ~(episodes["date_sortie"] <= date)
        & ~(episodes["date_annulation"] <= date)
    ]
    rows = []
    if periods is not None and len(periods):
        susp = periods[
            (periods["etat"] == "suspension")
            & (periods["date_debut"] <= date)
            & ~(periods["date_fin"] <= date)
        ]
        susp = susp.assign(date_due=susp["date_debut"] + pd.DateOffset(months=6))
        susp = susp[susp["date_due"] <= date].merge(open_[["episode_id", "mission_locale"]])
        rows.append(susp.assign(motif="suspension_6_mois"))
    birthday = open_["mois_naissance"] + pd.DateOffset(years=26)
    due = birthday
    if age_rule == "un_an":
        start = open_[age_clock]
        in_26th = (start >= open_["mois_naissance"] + pd.DateOffset(years=25)) & (start < birthday)
        due = birthday.where(~in_26th, start + pd.DateOffset(years=1))
    aged = open_.assign(date_due=due, motif="age_26_ans")
    rows.append(aged[aged["date_due"] <= date])
    if ressorts is not None:
        pairs = set(zip(ressorts["mission_locale"], ressorts["commune"], strict=True))
        inside = [
            p in pairs
            for p in zip(open_["mission_locale"], open_["commune_residence"], strict=True)
        ]
        moved = open_[~np.asarray(inside, dtype=bool)]
        rows.append(moved.assign(date_due=date, motif="demenagement"))
    cols = ["episode_id", "mission_locale", "motif", "date_due"]
    out = pd.concat([r[cols] for r in rows], ignore_index=True)
    return out.sort_values(["motif", "episode_id"]).reset_index(drop=True)


def uncancelled_affectations(episodes: pd.DataFrame, *, date: str | dt.date) -> pd.DataFrame:
    """Affectations of young people deregistered before initialisation, not cancelled.

    The affectation of a job seeker deregistered (``date_radiation``) before the
    initialisation is cancelled automatically (L455, L2386); in the transitional
    period the agence cancels by hand. Personal: aggregate before showing.

    >>> ep = pd.DataFrame({"episode_id": ["a", "b"], "mission_locale": "M1",
    ...     "date_affectation": pd.to_datetime(["2024-01-01"] * 2),
    ...     "date_initialisation": pd.to_datetime([None, "2024-02-01"]),
    ...     "date_radiation": pd.to_datetime(["2024-01-10", "2024-01-20"]),
    ...     "date_annulation": pd.NaT, "date_sortie": pd.NaT})
    >>> uncancelled_affectations(ep, date="2024-03-01")["episode_id"].tolist()
    ['a', 'b']
    """
    date = pd.Timestamp(date)
    rad = episodes["date_radiation"]
    before_init = rad.notna() & (rad <= date) & ~(episodes["date_initialisation"] <= rad)
    not_cancelled = episodes["date_annulation"].isna() & episodes["date_sortie"].isna()
    cols = ["episode_id", "agence", "mission_locale", "date_affectation", "date_radiation"]
    cols = [c for c in cols if c in episodes]
    return episodes.loc[before_init & not_cancelled, cols].reset_index(drop=True)


def access_rate(
    flows_or_counts: pd.DataFrame,
    young_job_seekers: pd.DataFrame,
    *,
    territory: str = "mission_locale",
    basis: str = "affectation",
    threshold: int | None = None,
) -> pd.DataFrame:
    """Entries per 1,000 young job seekers by territory (equity of access, QDE3).

    ``young_job_seekers`` has ``territoire`` and ``demandeurs_jeunes``.
    ``indice_acces`` compares each rate with the rate of the whole table (1 = the
    average access; 0.5 = half as many entries per young job seeker). Counts and
    rates under disclosure control.

    >>> f = pd.DataFrame({"mission_locale": ["M1", "M2"], "affectations": [50, 30],
    ...                   "acceptations": 0, "initialisations": 0})
    >>> d = pd.DataFrame({"territoire": ["M1", "M2"], "demandeurs_jeunes": [1000, 2000]})
    >>> access_rate(f, d, threshold=NO_SUPPRESSION)["pour_1000"].tolist()
    [50.0, 15.0]
    """
    counts = entries(flows_or_counts, basis=basis).groupby(flows_or_counts[territory]).sum()
    table = counts.rename("entrees").rename_axis("territoire").reset_index()
    table = table.merge(young_job_seekers[["territoire", "demandeurs_jeunes"]], how="left")
    table["pour_1000"] = (1000 * table["entrees"] / table["demandeurs_jeunes"]).astype(float)
    known = table["demandeurs_jeunes"].notna()
    overall = 1000 * table.loc[known, "entrees"].sum() / table.loc[known, "demandeurs_jeunes"].sum()
    table["indice_acces"] = (table["pour_1000"] / overall).astype(float)
    table = protect_counts(table, ["entrees"], threshold=threshold)
    return protect_values(
        table, ["pour_1000", "indice_acces"], count="entrees", threshold=threshold
    )


def split_objective(
    total: int,
    criteria: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    current: pd.Series | None = None,
) -> pd.DataFrame:
    """Share a regional objective among missions locales with chosen weights (L433).

    ``criteria`` has ``mission_locale`` and one column per criterion (young job
    seekers, potential demand, past entries...); each criterion is turned into
    shares, the shares are weighted by ``weights`` (normalised to 1), and the total
    is rounded by the largest remainder so that it adds up exactly. ``current``
    (indexed by mission locale) is compared: ``ecart = propose - actuel``.

    >>> c = pd.DataFrame({"mission_locale": ["M1", "M2", "M3"],
    ...                   "demandeurs_jeunes": [500, 300, 200], "entrees_passees": [10, 10, 20]})
    >>> s = split_objective(100, c, {"demandeurs_jeunes": 1, "entrees_passees": 1})
    >>> s["propose"].tolist()
    [37, 28, 35]
    """
    unknown = [k for k in weights if k not in criteria]
    if unknown:
        raise SchemaError(
            f"Critères de répartition absents du tableau : {unknown} "
            f"(colonnes disponibles : {list(criteria.columns)})."
        )
    norm = sum(weights.values())
    share = sum((w / norm) * criteria[k] / criteria[k].sum() for k, w in weights.items()).astype(
        float
    )
    raw = share * total
    base = np.floor(raw).astype(int)
    left = total - int(base.sum())
    order = np.argsort(-(raw - base).to_numpy(), kind="stable")[:left]
    base.iloc[order] += 1
    out = pd.DataFrame(
        {"mission_locale": criteria["mission_locale"], "part": share, "propose": base}
    )
    if current is not None:
        out["actuel"] = out["mission_locale"].map(current).astype("Int64")
        out["ecart"] = out["propose"] - out["actuel"]
    return out


def count_by(
    listing: pd.DataFrame, by: Sequence[str], *, threshold: int | None = None
) -> pd.DataFrame:
    """Count the rows of an episode listing by ``by``, under disclosure control.

    Turns the personal listings of :func:`exits_due` or
    :func:`uncancelled_affectations` into a table that can be shown; the first key
    of ``by`` is the group whose total is shown.

    >>> l = pd.DataFrame({"mission_locale": ["M1"] * 7 + ["M2"] * 2})
    >>> count_by(l, ["mission_locale"], threshold=5)["n"].tolist()
    [<NA>, <NA>]
    """
    table = listing.groupby(list(by)).size().rename("n").reset_index()
    groups = [[by[0]], []] if len(by) > 1 else [[]]
    return protect_counts(table, ["n"], groups=groups, threshold=threshold)


# --------------------------------------------------------------------------- views


def monthly_pace(
    flows: pd.DataFrame,
    objective: float,
    *,
    year: int,
    civis_rule: str = "exclure",
    threshold: int | None = None,
) -> pd.DataFrame:
    """Monthly entries of ``year`` (three bases), cumulated, against the linear pace.

    Counts under disclosure control (months add up to the year).
    """
    f = flows[flows["mois"].str[:4].astype(int) == year]
    table = (
        pd.DataFrame(
            {
                "mois": f["mois"],
                "affectations": entries(f, basis="affectation"),
                "initialisations": entries(f, basis="initialisation"),
                "entrees_objectif": entries(f, basis="objectif", civis_rule=civis_rule),
            }
        )
        .groupby("mois", as_index=False)
        .sum()
    )
    table["cumul_objectif"] = table["entrees_objectif"].cumsum()
    table["rythme_lineaire"] = objective * table["mois"].str[5:7].astype(int) / 12
    counts = ["affectations", "initialisations", "entrees_objectif", "cumul_objectif"]
    protected = protect_counts(table, counts, threshold=threshold)
    # the cumulative line gives each month away by difference: hide from the first gap
    gap = protected["entrees_objectif"].isna().cummax().to_numpy()
    protected.loc[gap, "cumul_objectif"] = pd.NA
    return protected


def plot_pace(pace: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Plot cumulative entries against the linear pace.

    Parameters
    ----------
    pace
        :func:`monthly_pace`.
    ax
        Matplotlib axes to draw on; otherwise a new figure outside pyplot (a
        notebook shows it with ``.figure``; loops leave no open figure behind).
    title
        Chart title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes_or_new(ax, (7, 3.5), layout="tight")
    months = pace["mois"].astype(str)
    ax.plot(months, pace["rythme_lineaire"], "--", color="grey", label="rythme linéaire")
    ax.plot(
        months,
        pace["cumul_objectif"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        marker="o",
        color="#1f4e79",
        label="entrées comptées (cumul)",
    )
    ax.set_ylabel("jeunes")
    ax.set_title(title or "Entrées en cotraitance et rythme de l'objectif")
    ax.legend(loc="upper left")
    ax.tick_params(axis="x", rotation=45)
    return ax


def sankey_links(
    episodes_or_flows: pd.DataFrame,
    structures: pd.DataFrame | None = None,
    *,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Links agence → mission locale → exit reason with their protected volumes.

    From flows: agence → mission locale weighted by affectations, mission locale →
    reason weighted by the exits. Links whose volume is hidden keep ``<NA>``.
    """
    f = episodes_or_flows
    first = f.groupby(["agence", "mission_locale"], as_index=False)["affectations"].sum()
    first.columns = ["source", "cible", "volume"]
    exits = f.groupby("mission_locale")[[f"sorties_{c}" for c in EXIT_REASONS]].sum()
    exits.columns = list(EXIT_REASONS)
    second = exits.stack().rename("volume").reset_index()
    second.columns = ["source", "cible", "volume"]
    first = protect_counts(
        first.assign(etape="affectation"), ["volume"], groups=[["cible"]], threshold=threshold
    )
    second = protect_counts(
        second.assign(etape="sortie"), ["volume"], groups=[["source"]], threshold=threshold
    )
    links = pd.concat([first, second], ignore_index=True)
    if structures is not None:
        names = structures.set_index("code")["nom"]
        labels = {**names.to_dict(), **EXIT_REASONS}
        links["source_nom"] = links["source"].map(labels)
        links["cible_nom"] = links["cible"].map(labels)
    return links[links["volume"].isna() | (links["volume"] > 0)].reset_index(drop=True)


def plot_sankey(links: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw the three-column Sankey of :func:`sankey_links`.

    Hidden links are drawn with the threshold's width, hatched, without a value.

    Parameters
    ----------
    links
        :func:`sankey_links`.
    ax
        Matplotlib axes to draw on; otherwise a new figure outside pyplot.
    title
        Chart title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    limit = current_threshold()
    width = links["volume"].astype("Float64").fillna(limit).to_numpy(dtype=float)
    links = links.assign(_w=width)
    columns = [
        list(dict.fromkeys(links.loc[links["etape"] == "affectation", "source"])),
        list(
            dict.fromkeys(
                links["cible"][links["etape"] == "affectation"].tolist()
                + links["source"][links["etape"] == "sortie"].tolist()
            )
        ),
        list(EXIT_REASONS),
    ]
    ax = axes_or_new(ax, (10, 6), layout="tight")
    total = max(links.loc[links["etape"] == "affectation", "_w"].sum(), 1.0)
    scale = 0.85 / total
    pos: dict[tuple[int, str], list[float]] = {}
    for x, nodes in enumerate(columns):
        size = {
            n: max(
                links.loc[(links["source"] == n) | (links["cible"] == n), "_w"]
                .groupby(links["etape"])
                .sum()
                .max()
                if len(links)
                else 0,
                0,
            )
            * scale
            for n in nodes
        }
        gap = (1 - sum(size.values())) / max(len(nodes), 1)
        y = 0.0
        for n in nodes:
            pos[(x, n)] = [y, y, y]  # bottom, next out, next in
            ax.add_patch(Rectangle((x - 0.02, y), 0.04, size[n], color="#555"))
            label = links.loc[links["source"] == n, "source_nom"] if "source_nom" in links else None
            name = label.iloc[0] if label is not None and len(label) else EXIT_REASONS.get(n, n)
            ax.text(
                x + (0.04 if x < 2 else -0.04),
                y + size[n] / 2,
                str(name),
                fontsize=7,
                va="center",
                ha="left" if x < 2 else "right",
            )
            y += size[n] + gap
    for _, link in links.iterrows():
        xs = 0 if link["etape"] == "affectation" else 1
        h = link["_w"] * scale
        y0 = pos[(xs, link["source"])][1]
        y1 = pos[(xs + 1, link["cible"])][2]
        pos[(xs, link["source"])][1] += h
        pos[(xs + 1, link["cible"])][2] += h
        verts = [
            (xs + 0.02, y0),
            (xs + 0.5, y0),
            (xs + 0.5, y1),
            (xs + 0.98, y1),
            (xs + 0.98, y1 + h),
            (xs + 0.5, y1 + h),
            (xs + 0.5, y0 + h),
            (xs + 0.02, y0 + h),
            (xs + 0.02, y0),
        ]
        codes = [
            MPath.MOVETO,
            MPath.CURVE4,
            MPath.CURVE4,
            MPath.CURVE4,
            MPath.LINETO,
            MPath.CURVE4,
            MPath.CURVE4,
            MPath.CURVE4,
            MPath.CLOSEPOLY,
        ]
        hidden = pd.isna(link["volume"])
        ax.add_patch(
            PathPatch(
                MPath(verts, codes),
                alpha=0.35,
                lw=0,
                color="#999" if hidden else "#1f77b4",
                hatch="//" if hidden else None,
            )
        )
    ax.set_xlim(-0.1, 2.1)
    ax.set_ylim(0, 1.05)
    ax.axis("off")
    ax.set_title(title or "Agences → missions locales → motifs de sortie")
    return ax


def map_flows(
    flows: pd.DataFrame,
    structures: pd.DataFrame,
    *,
    title: str | None = None,
    threshold: int | None = None,
) -> folium.Map:
    """Map the affectations agence → mission locale as lines weighted by volume.

    Sites need ``latitude``/``longitude`` in ``structures`` (pairs with a site
    unknown are left out and listed in the title box). Volumes hidden by disclosure
    control are drawn as thin dashed lines with « secret statistique » in the tooltip.
    Offline: no tiles; save with :func:`geo.maps.save_map`.
    """
    import folium

    from geo.escape import html_text
    from geo.maps import add_flow_line, add_legend, point_bounds

    links = flows.groupby(["agence", "mission_locale"], as_index=False)["affectations"].sum()
    links = protect_counts(
        links, ["affectations"], groups=[["mission_locale"]], threshold=threshold
    )
    links = links[links["affectations"].isna() | (links["affectations"] > 0)]
    sites = structures.set_index("code")
    located = sites.dropna(subset=["latitude", "longitude"])
    m = folium.Map(tiles=None, control_scale=True)
    biggest = float(links["affectations"].max()) if links["affectations"].notna().any() else 1
    for _, link in links.iterrows():
        if link["agence"] not in located.index or link["mission_locale"] not in located.index:
            continue
        a, b = located.loc[link["agence"]], located.loc[link["mission_locale"]]
        add_flow_line(
            m,
            (a["latitude"], a["longitude"]),
            (b["latitude"], b["longitude"]),
            volume=link["affectations"],
            biggest=biggest,
            label=f"{a['nom']} → {b['nom']}",
            unit="affectations",
        )
    for code, site in located.iterrows():
        folium.CircleMarker(
            (site["latitude"], site["longitude"]),
            radius=5 if site["type"] == "agence" else 7,
            color="#c0392b" if site["type"] == "agence" else "#27ae60",
            fill=True,
            tooltip=html_text(f"{site['nom']} ({code})"),
        ).add_to(m)
    add_legend(
        m,
        title or "Flux d'affectations",
        [
            ("#c0392b", "agence Pôle emploi"),
            ("#27ae60", "mission locale"),
            ("#1f4e79", "affectations (épaisseur = volume)"),
        ],
    )
    if len(located):
        m.fit_bounds(point_bounds(located))
    return m


# --------------------------------------------------------------------------- bundle, export


def cotraitance_section(
    flows: pd.DataFrame,
    objectives: pd.DataFrame,
    structures: pd.DataFrame,
    *,
    year: int,
    month: int,
    needs: pd.DataFrame | None = None,
    episodes: pd.DataFrame | None = None,
    periods: pd.DataFrame | None = None,
    ressorts: pd.DataFrame | None = None,
    civis_rule: str = "exclure",
    overrun_threshold: float = 0.10,
    mission_locales: Sequence[str] | None = None,
    threshold: int | None = None,
) -> dict[str, Any]:
    """Everything the portrait or the committee shows, under disclosure control.

    Returns a dict of tables (``atteinte``, ``alertes``, ``paiements``, ``rythme``,
    ``sankey``, ``inadequation`` when ``needs`` is given for ``year`` — rows of other
    years are ignored —, ``acces`` (:func:`access_rate` of the affectations from
    January to ``month``) when ``needs`` also gives ``demandeurs_jeunes``, ``delais``, ``stocks``,
    ``sorties_dues`` and ``affectations_non_annulees`` when ``episodes`` is given) and figures
    (``figure_rythme``, ``figure_sankey``, ``carte_flux``).

    ``mission_locales`` (a territory's missions locales, :func:`missions_locales_of`)
    keeps the rows of these missions locales, of their départements and of their
    régions (:func:`local_tables`): attainment, alerts, need mismatch and access are
    computed on the whole files first, so that a département or a région is
    measured on all its entries; the pace (against the sum of the objectives of
    these missions locales), the Sankey diagram, the map and the episode tables
    show their flows and episodes only.

    Examples
    --------
    >>> from geo import settings
    >>> d = settings.demo_dir() / "cotraitance"
    >>> s = cotraitance_section(read_cotraitance_flows(d / "flux.csv"), read_objectives(d / "objectifs.csv"),
    ...                         read_structures(d / "structures.csv"), year=2024, month=6)
    >>> sorted(k for k in s if not k.startswith(("figure", "carte")))
    ['alertes', 'atteinte', 'paiements', 'rythme', 'sankey']
    >>> one = cotraitance_section(read_cotraitance_flows(d / "flux.csv"), read_objectives(d / "objectifs.csv"),
    ...                           read_structures(d / "structures.csv"), year=2024, month=6,
    ...                           mission_locales=["P0001"])
    >>> one["atteinte"][["niveau", "territoire"]].values.tolist()
    [['mission_locale', 'P0001'], ['departement', '9A'], ['region', '99']]
    """
    attainment = objective_attainment(
        flows,
        objectives,
        structures,
        year=year,
        month=month,
        civis_rule=civis_rule,
        overrun_threshold=overrun_threshold,
        threshold=threshold,
    )
    if needs is not None and "annee" in needs:
        needs = needs[needs["annee"] == year]
    if needs is not None and needs.empty:
        needs = None
    mismatch = need_mismatch(attainment, needs) if needs is not None else None
    total_objective = attainment.loc[attainment["niveau"] == "national", "objectif"].sum()
    year_flows = flows[flows["mois"].str[:4].astype(int) == year]
    out: dict[str, Any] = {
        "atteinte": attainment,
        "alertes": route_alerts(attainment, mismatch),
        "paiements": payment_projection(attainment, year=year),
        "rythme": monthly_pace(
            year_flows,
            float(total_objective),
            year=year,
            civis_rule=civis_rule,
            threshold=threshold,
        ),
        "sankey": sankey_links(year_flows, structures, threshold=threshold),
    }
    if mismatch is not None:
        out["inadequation"] = mismatch
    if needs is not None and needs.get("demandeurs_jeunes", pd.Series()).notna().any():
        so_far = year_flows[year_flows["mois"].str[5:7].astype(int) <= month]
        out["acces"] = access_rate(so_far, needs, threshold=threshold)
    if mission_locales is not None:
        local = list(mission_locales)
        out = local_tables(out, structures, local)
        year_flows = year_flows[year_flows["mission_locale"].isin(local)]
        mine = out["atteinte"]
        objective = mine.loc[mine["niveau"] == "mission_locale", "objectif"].sum()
        out["rythme"] = monthly_pace(
            year_flows, float(objective), year=year, civis_rule=civis_rule, threshold=threshold
        )
        out["sankey"] = sankey_links(year_flows, structures, threshold=threshold)
    if episodes is not None:
        if mission_locales is not None:
            episodes = episodes[episodes["mission_locale"].isin(list(mission_locales))]
        end = pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)
        out["delais"] = lead_times(
            episodes[episodes["date_affectation"].dt.year == year], threshold=threshold
        )
        out["stocks"] = stock_by_state(episodes, periods, date=end, threshold=threshold)
        due = exits_due(episodes, periods, ressorts, date=end)
        out["sorties_dues"] = count_by(due, ["mission_locale", "motif"], threshold=threshold)
        uncancelled = uncancelled_affectations(episodes, date=end)
        out["affectations_non_annulees"] = count_by(
            uncancelled, ["mission_locale"], threshold=threshold
        )
    out["figure_rythme"] = plot_pace(out["rythme"]).figure
    out["figure_sankey"] = plot_sankey(out["sankey"]).figure
    out["carte_flux"] = map_flows(year_flows, structures, threshold=threshold)
    return out


def missions_locales_of(
    structures: pd.DataFrame, communes: Iterable[str] | Any, ressorts: pd.DataFrame | None = None
) -> list[str]:
    """The missions locales of a territory: sited in its communes, or whose ressort meets them.

    Parameters
    ----------
    structures
        Agences and missions locales (:func:`read_structures`).
    communes
        Commune codes of the territory, or a :class:`geo.territories.Territory`.
    ressorts
        Communes of each mission locale (:func:`read_cotraitance_ressorts`), when known.

    Examples
    --------
    >>> from geo import settings
    >>> d = settings.demo_dir() / "cotraitance"
    >>> missions_locales_of(read_structures(d / "structures.csv"), ["9A111"])
    ['P0001']
    """
    inside = set(getattr(communes, "communes", communes))
    ml = structures[structures["type"] == "mission_locale"]
    keep = set(ml.loc[ml["commune"].isin(inside).fillna(False).astype(bool), "code"])
    if ressorts is not None:
        keep |= set(ressorts.loc[ressorts["commune"].isin(inside), "mission_locale"])
    return sorted(keep & set(ml["code"]))


def local_tables(
    section: Mapping[str, Any], structures: pd.DataFrame, mission_locales: Sequence[str]
) -> dict[str, Any]:
    """The tables of ``section`` kept to ``mission_locales``, their départements and régions.

    A table with a ``niveau`` column keeps its rows of these missions locales and
    of their départements and régions (not the national level); a table by
    mission locale (``mission_locale`` column) or by ``territoire`` keeps theirs.
    Tables without such columns (the pace, the Sankey links) and the figures are
    returned as they are: they are built from flows, which the caller restricts.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_cotraitance_folder(settings.demo_dir() / "cotraitance")
    >>> s = local_tables(cotraitance_section(**inputs, year=2024, month=6),
    ...                  inputs["structures"], ["P0004"])
    >>> s["alertes"]["territoire"].tolist(), s["delais"]["mission_locale"].unique().tolist()
    ([], ['P0004'])
    """
    local = list(mission_locales)
    ml = structures.drop_duplicates("code").set_index("code").reindex(local)
    mine = {
        "mission_locale": set(local),
        "departement": set(ml["departement"].dropna()),
        "region": set(ml["region"].dropna()),
    }
    codes = set().union(*mine.values())
    out: dict[str, Any] = {}
    for name, table in section.items():
        if not isinstance(table, pd.DataFrame):
            out[name] = table
        elif {"niveau", "territoire"} <= set(table.columns):
            keep = [
                code in mine.get(level, set())
                for level, code in zip(table["niveau"], table["territoire"], strict=True)
            ]
            out[name] = table[keep].reset_index(drop=True)
        elif "mission_locale" in table.columns:
            out[name] = table[table["mission_locale"].isin(local)].reset_index(drop=True)
        elif "territoire" in table.columns:
            out[name] = table[table["territoire"].isin(codes)].reset_index(drop=True)
        else:
            out[name] = table
    return out


_DUE_REASONS = {
    "suspension_6_mois": "six mois de suspension",
    "age_26_ans": "26 ans atteints",
    "demenagement": "déménagement hors ressort",
}

_LEVEL_LABELS = {
    "mission_locale": "mission locale",
    "departement": "département",
    "region": "région",
    "national": "national",
}


def _label(names: Mapping[str, str], level: str, code: str) -> str:
    if code in names:
        return f"{code} ({names[code]})"
    return f"{_LEVEL_LABELS.get(level, level)} {code}"


def _visible(table: pd.DataFrame, column: str = "n") -> dict[str, int]:
    """The sum of the shown cells of ``column`` and the number of hidden ones."""
    values = table[column]
    return {"visibles": int(values.sum()), "cases_secretes": int(values.isna().sum())}


def alert_summary(
    section: Mapping[str, Any],
    structures: pd.DataFrame | None = None,
    *,
    year: int,
    month: int,
) -> list[Fact]:
    """What the steering committee has to act on, as facts (:func:`alert_sentences`).

    Built from the protected tables of :func:`cotraitance_section` only: the
    attainment of each région, the volume alerts with their routing, the projected
    over-payments, the exits due and the affectations to cancel. Hidden cells stay
    hidden (``<NA>`` figures); sums are those of the visible cells, with the number
    of hidden ones.

    Returns
    -------
    list of geo.display.Fact
        In this order, of kinds ``situation`` (``annee``, ``mois``),
        ``atteinte_region`` (one per région: ``objectif``, ``entrees_objectif``,
        ``taux_atteinte``, ``projection_fin_annee``, ``taux_projete``), ``alertes``
        (``nombre``) then one ``alerte`` each (``alerte``, ``detail``, ``leve_par``,
        ``transmis_a``), ``trop_percus`` (``nombre``) then one ``trop_percu`` each
        (``trop_percu``, ``montant_du``), and when the section has them
        ``sorties_dues`` (``visibles``, ``cases_secretes``, ``par_motif``: tuples of
        motif label, visible sum, hidden cells) and ``affectations_non_annulees``
        (``visibles``, ``cases_secretes``). ``who`` is the code and name of the
        territory when ``structures`` has it.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_cotraitance_folder(settings.demo_dir() / "cotraitance")
    >>> s = cotraitance_section(**inputs, year=2024, month=6)
    >>> facts = alert_summary(s, inputs["structures"], year=2024, month=6)
    >>> facts[0]
    Fact(kind='situation', figures={'annee': 2024, 'mois': 6}, level=None, who=None)
    >>> [(f.who, f["leve_par"]) for f in facts if f.kind == "alerte"][:1]
    [('P0001 (Mission locale de Vegicourt)', 'comité de pilotage local')]
    """
    names = {} if structures is None else structures.set_index("code")["nom"].to_dict()
    facts = [Fact("situation", {"annee": year, "mois": month})]
    attainment = section["atteinte"]
    for _, r in attainment[attainment["niveau"] == "region"].iterrows():
        columns = ("objectif", "entrees_objectif", "taux_atteinte", "projection_fin_annee")
        figures = {c: r[c] for c in (*columns, "taux_projete")}
        facts.append(Fact("atteinte_region", figures, level="region", who=r["territoire"]))
    alerts = section["alertes"]
    facts.append(Fact("alertes", {"nombre": len(alerts)}))
    for _, r in alerts.iterrows():
        figures = {c: r[c] for c in ("alerte", "detail", "leve_par", "transmis_a")}
        who = _label(names, r["niveau"], r["territoire"])
        facts.append(Fact("alerte", figures, level=r["niveau"], who=who))
    payments = section["paiements"]
    over = payments[payments["alerte_trop_percu"].fillna(False).astype(bool)]
    facts.append(Fact("trop_percus", {"nombre": len(over)}))
    for _, r in over.iterrows():
        figures = {"trop_percu": r["trop_percu"], "montant_du": r["montant_du"]}
        who = _label(names, "mission_locale", r["territoire"])
        facts.append(Fact("trop_percu", figures, level="mission_locale", who=who))
    if "sorties_dues" in section:
        due = section["sorties_dues"]
        by_reason = tuple(
            (_DUE_REASONS.get(motif, motif), *_visible(group).values())
            for motif, group in due.groupby("motif", sort=True)
        )
        facts.append(Fact("sorties_dues", {**_visible(due), "par_motif": by_reason}))
    if "affectations_non_annulees" in section:
        facts.append(
            Fact("affectations_non_annulees", _visible(section["affectations_non_annulees"]))
        )
    return facts


def _visible_text(shown: int, hidden: int) -> str:
    text = format_int(shown)
    return f"{text} (+ {hidden} case(s) sous {Missing.SECRET.label})" if hidden else text


def alert_sentences(facts: Sequence[Fact], *, bullet: str = "- ") -> list[str]:
    """Say the facts of :func:`alert_summary` in French, one sentence per line.

    ``bullet`` starts the lines of the alerts and over-payments listed under their
    heading (``""`` for a caller that makes its own list).

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_cotraitance_folder(settings.demo_dir() / "cotraitance")
    >>> s = cotraitance_section(**inputs, year=2024, month=6)
    >>> lines = alert_sentences(alert_summary(s, inputs["structures"], year=2024, month=6))
    >>> lines[0]
    'Cotraitance : situation à fin juin 2024.'
    >>> any(line.startswith("- P0") and "transmise au" in line for line in lines)
    True
    """
    secret = Missing.SECRET
    lines = []
    for fact in facts:
        f = fact.figures
        if fact.kind == "situation":
            lines.append(f"Cotraitance : situation à fin {format_month(f['annee'], f['mois'])}.")
        elif fact.kind == "atteinte_region":
            head = (
                f"Région {fact.who} : objectif annuel {format_int(f['objectif'], missing=secret)}"
            )
            if pd.isna(f["entrees_objectif"]):
                lines.append(f"{head} ; entrées comptées sous {secret.label}.")
                continue
            lines.append(
                f"{head} ; {format_int(f['entrees_objectif'], missing=secret)} entrées comptées "
                f"(atteinte {format_percent(f['taux_atteinte'], 0, missing=secret)}) ; "
                f"projection au 31 décembre : "
                f"{format_int(f['projection_fin_annee'], missing=secret)} "
                f"({format_percent(f['taux_projete'], 0, missing=secret)} de l'objectif)."
            )
        elif fact.kind == "alertes":
            lines.append(
                f"Alertes de volume ({f['nombre']}) :"
                if f["nombre"]
                else "Aucune alerte de dépassement ni d'inadéquation besoins / objectif."
            )
        elif fact.kind == "alerte":
            lines.append(
                f"{bullet}{fact.who} : {f['alerte']}, {f['detail']} ; levée par le "
                f"{f['leve_par']}, transmise au {f['transmis_a']}."
            )
        elif fact.kind == "trop_percus":
            lines.append(
                f"Trop-perçus projetés sur la subvention ({f['nombre']}) :"
                if f["nombre"]
                else "Aucun trop-perçu projeté sur les acomptes de la subvention."
            )
        elif fact.kind == "trop_percu":
            lines.append(
                f"{bullet}{fact.who} : {format_count(f['trop_percu'], '€', missing=secret)} "
                f"à reverser (montant dû projeté {format_count(f['montant_du'], '€', missing=secret)})."
            )
        elif fact.kind == "sorties_dues":
            by_reason = ", ".join(
                f"{motif} {_visible_text(shown, hidden)}" for motif, shown, hidden in f["par_motif"]
            )
            lines.append(
                f"Sorties dues non enregistrées : {_visible_text(f['visibles'], f['cases_secretes'])}"
                + (f" ; par motif : {by_reason}" if by_reason else "")
                + ". À régulariser par les missions locales."
            )
        elif fact.kind == "affectations_non_annulees":
            lines.append(
                "Affectations non annulées malgré une radiation avant l'initialisation : "
                f"{_visible_text(f['visibles'], f['cases_secretes'])}. "
                "À annuler par les agences (L455)."
            )
    return lines


def save_tables(
    tables: Mapping[str, Any],
    out_dir: str | Path,
    *,
    formats: Sequence[str] = ("csv", "xlsx", "json"),
) -> list[Path]:
    """Write tables as CSV, XLSX and JSON, maps as offline HTML, figures as PNG.

    Each table of ``tables`` as CSV (``;``, UTF-8 BOM), XLSX and JSON, each folium
    map as offline HTML, each figure as PNG; hidden cells are written :data:`SECRET`
    (``null`` in JSON). In CSV and XLSX, a text a spreadsheet would evaluate as a
    formula (a centre named ``=HYPERLINK(...)``) is written with a quote in front
    (:func:`geo.exports.save_table`).

    ``formats`` chooses the table formats among ``csv``, ``xlsx`` and ``json``. Only
    protected tables (from the functions of this module) should be passed: this
    writer does not suppress anything itself.
    """
    import folium

    from geo.maps import save_map

    unknown = sorted(set(formats) - {"csv", "xlsx", "json"})
    if unknown:
        raise ValueError(f"Format(s) de tableau inconnu(s) : {unknown} (attendu csv, xlsx, json).")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, obj in tables.items():
        if isinstance(obj, pd.DataFrame):
            if any(obj.index.names):  # a matrix (agence × centre...): keep its row labels
                obj = obj.reset_index()
            shown = to_display(obj)
            for kind in ("csv", "xlsx"):  # no text cell a formula (geo.exports)
                if kind in formats:
                    written.append(save_table(shown, out_dir / f"{name}.{kind}", format=kind))
            if "json" in formats:
                records = json.loads(
                    obj.to_json(orient="records", force_ascii=False, date_format="iso")
                )
                (out_dir / f"{name}.json").write_text(
                    json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8"
                )
                written.append(out_dir / f"{name}.json")
        elif isinstance(obj, folium.Map):
            path = out_dir / f"{name}.html"
            save_map(obj, path)
            written.append(path)
        elif hasattr(obj, "savefig"):
            path = out_dir / f"{name}.png"
            obj.savefig(path, dpi=100)
            written.append(path)
    return written
