"""Readers of the cotraitance files: structures, flows, episodes, periods, objectives...

Files documented in ``data/cotraitance/LISEZMOI.md`` (templates alongside; the
layout of a whole folder is that of ``data/demo/cotraitance``). Each reader reads
the file as text (:func:`diagnostics._readers._rows.raw_table`), checks the columns
once, then parses every row; a row with a problem is *reported* in a
:class:`geo.problems.ProblemReport` (file, line with the header on line 1, column,
value, message) and set aside, the rest is returned. The report is kept in
``df.attrs["problemes"]``; :func:`geo.problems.collect_problems` gathers those of a
whole folder. :mod:`diagnostics.cotraitance` re-exports the readers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostics._readers._rows import (
    finish,
    folder_paths,
    new_report,
    parent_set_aside,
    parse_counts,
    parse_dates,
    parse_flags,
    parse_points,
    raw_table,
    report_rows,
    require_columns,
)
from geo._errors import SchemaError, format_problems
from geo.problems import ProblemReport

__all__ = [
    "EXIT_REASONS",
    "FLOW_COUNTS",
    "STATES",
    "LEVELS",
    "FOLDER_FILES",
    "read_structures",
    "read_cotraitance_flows",
    "read_episodes",
    "read_periods",
    "read_objectives",
    "read_cotraitance_needs",
    "read_cotraitance_ressorts",
    "read_cotraitance_folder",
    "period_problems",
]

#: Exit reasons (motif de sortie) of the accord, code → French label (L463-467,
#: L2423, L2441-2457, fin anticipée L2390).
EXIT_REASONS: dict[str, str] = {
    "suspension_6_mois": "six mois de suspension (cessation d'inscription ou radiation)",
    "age_26_ans": "26e anniversaire (ou un an maximum si entrée dans la 26e année)",
    "demenagement": "déménagement hors de la zone de compétence de la mission locale",
    "reorientation_partenaire": "réorientation vers un autre partenaire (après alerte)",
    "reprise_pole_emploi": "reprise par Pôle emploi en suivi mensuel personnalisé (après alerte)",
    "fin_anticipee": "fin de cotraitance anticipée (radiation après acceptation)",
}

#: States of the accompaniment phase (L457-461, L2396-2439).
STATES: tuple[str, ...] = ("actif", "alerte", "suspension")

#: Count columns of the aggregated flow file, in template order.
FLOW_COUNTS: tuple[str, ...] = (
    "affectations",
    "acceptations",
    "initialisations",
    "initialisations_civis",
    "initialisations_ex_civis",
    "annulations",
    *(f"sorties_{code}" for code in EXIT_REASONS),
    *(f"stock_{state}" for state in STATES),
)


#: Territorial levels of objectives and alerts, local first.
LEVELS: tuple[str, ...] = ("mission_locale", "departement", "region", "national")


# --------------------------------------------------------------------------- readers


def read_structures(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Read the agences and missions locales (``structures.csv``).

    Returns
    -------
    pandas.DataFrame
        ``code, nom, type`` (``agence`` or ``mission_locale``), ``departement,
        region, commune, latitude, longitude``. Rows with a problem are reported in
        ``attrs["problemes"]`` and left out.

    Examples
    --------
    >>> from geo import settings
    >>> s = read_structures(settings.demo_dir() / "cotraitance" / "structures.csv")
    >>> s["type"].value_counts().sort_index().to_dict()
    {'agence': 10, 'mission_locale': 7}
    """
    df = raw_table(path)
    require_columns(
        df, ["code", "nom", "type", "departement", "region"], path=path, what="les structures"
    )
    report = new_report(df, path)
    bad = report_rows(
        report,
        df,
        ~df["type"].isin(["agence", "mission_locale"]),
        lambda v: f"type {v!r} inconnu : écrivez agence ou mission_locale.",
        "type",
    )
    bad |= report_rows(
        report,
        df,
        df["code"].duplicated(),
        lambda v: f"code {v!r} en double : retirez le doublon ou changez le code.",
        "code",
    )
    df["latitude"], df["longitude"] = parse_points(df, report)
    if "commune" not in df:
        df["commune"] = pd.NA
    cols = ["code", "nom", "type", "departement", "region", "commune", "latitude", "longitude"]
    return finish(df[["ligne", *cols]], report, bad, strict=strict, key="code")


def _check_codes(
    df: pd.DataFrame,
    column: str,
    structures: pd.DataFrame | None,
    kind: str,
    report: ProblemReport,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Report the codes of ``column`` that are not structures of ``kind`` (among ``rows``).

    A code whose row of the structures file was set aside is told so (line and
    problem of that row), not called unknown.
    """
    known = _known(structures, kind)
    if known is None:
        return np.zeros(len(df), dtype=bool)
    label = "agence" if kind == "agence" else "mission locale"
    wrong = ~df[column].isin(set(known)).to_numpy(dtype=bool)

    def message(v: object) -> str:
        if parent := parent_set_aside(structures, v):
            return (
                f"{label} {v!r} écartée du fichier des structures, {parent} : corrigez "
                "cette ligne des structures ; la ligne est écartée avec elle."
            )
        return (
            f"{label} {v!r} inconnue du fichier des structures ; ajoutez-la à "
            "structures.csv ou corrigez le code."
        )

    return report_rows(report, df, wrong if rows is None else wrong & rows, message, column)


def _known(structures: pd.DataFrame | None, kind: str) -> pd.Series | None:
    if structures is None:
        return None
    return structures.loc[structures["type"] == kind, "code"]


def read_cotraitance_flows(
    path: str | Path,
    *,
    structures: pd.DataFrame | None = None,
    year: int | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Read the aggregated monthly flows per pair agence → mission locale.

    Parameters
    ----------
    path
        CSV or XLSX in the format of ``data/cotraitance/modele_flux.csv``.
    structures
        From :func:`read_structures`; unknown agences and missions locales are
        reported.
    year
        Objective year: the series of months that contains it is the one kept
        (see below).
    strict
        Refuse the file (:class:`SchemaError`) if any row would be set aside.

    Returns
    -------
    pandas.DataFrame
        ``mois`` (``AAAA-MM``), ``agence, mission_locale`` and the counts of
        :data:`FLOW_COUNTS` (``int64``). Problems in ``attrs["problemes"]``.

    Notes
    -----
    A month typed with the wrong year (``2042-06`` for ``2024-06``) must not vanish
    from the figures without a word, nor be guessed right. The months of a flow
    file form one series (a file may hold several years); a month more than twelve
    months away from every other month of the file is *isolated*: its rows are set
    aside and listed with their line and the fix. When the file holds several
    series, the one with the objective ``year`` (else the one with most rows) is
    kept. A (month, agence, mission locale) given twice is set aside after the
    first; a pair absent for a month that every other pair has, in the middle of
    its own months or after them, is reported (kept: the file is incomplete).

    Examples
    --------
    >>> from geo import settings
    >>> f = read_cotraitance_flows(settings.demo_dir() / "cotraitance" / "flux.csv")
    >>> f.attrs["problemes"].lines(), f["mois"].min()
    ([], '2023-01')
    """
    df = raw_table(path)
    require_columns(
        df, ["mois", "agence", "mission_locale", *FLOW_COUNTS], path=path, what="les flux"
    )
    report = new_report(df, path)
    month = pd.to_datetime(df["mois"], format="%Y-%m", errors="coerce")
    bad = report_rows(
        report,
        df,
        month.isna(),
        lambda v: f"mois {v!r} illisible : écrivez-le AAAA-MM (ex. 2024-06).",
        "mois",
    )
    bad |= _isolated_months(df, month, ~bad, year, report)
    first = df.loc[~bad].drop_duplicates(["mois", "agence", "mission_locale"])
    first_line = first.set_index(["mois", "agence", "mission_locale"])["ligne"]
    bad |= report_rows(
        report,
        df,
        df.duplicated(["mois", "agence", "mission_locale"]).to_numpy(dtype=bool) & ~bad,
        lambda m, a, ml: (
            f"flux {a} → {ml} de {m} déjà donné ligne {first_line[(m, a, ml)]} : retirez "
            "le doublon ou corrigez le mois (il serait compté deux fois)."
        ),
        "mois",
        cells=["mois", "agence", "mission_locale"],
    )
    bad |= parse_counts(df, FLOW_COUNTS, report)
    bad |= _check_codes(df, "agence", structures, "agence", report)
    bad |= _check_codes(df, "mission_locale", structures, "mission_locale", report)
    df["mois"] = month.dt.strftime("%Y-%m").astype("string")
    _missing_months(df.loc[~bad], report)
    cols = ["ligne", "mois", "agence", "mission_locale", *FLOW_COUNTS]
    return finish(df[cols], report, bad, strict=strict)


def _isolated_months(
    df: pd.DataFrame,
    month: pd.Series,
    readable: np.ndarray,
    year: int | None,
    report: ProblemReport,
) -> np.ndarray:
    """Set aside the rows of the months outside the file's series (see the Notes above)."""
    index = (month.dt.year * 12 + month.dt.month - 1).to_numpy(dtype=float)
    distinct = np.unique(index[readable])
    if distinct.size == 0:
        return np.zeros(len(df), dtype=bool)
    series = np.concatenate([[0], np.cumsum(np.diff(distinct) > 12)])
    of_month = dict(zip(distinct, series, strict=True))
    row_series = np.array(
        [of_month.get(i, -1) if ok else -1 for i, ok in zip(index, readable, strict=True)]
    )
    sizes = np.bincount(row_series[readable])
    keep = int(np.flatnonzero(sizes == sizes.max())[-1])
    if year is not None:
        in_year = readable & (month.dt.year == year).to_numpy(dtype=bool)
        if in_year.any():
            keep = int(row_series[in_year][0])
    kept = distinct[series == keep]
    span = f"{_month_text(kept.min())} à {_month_text(kept.max())}"
    goal = f" (année d'objectif {year})" if year is not None else ""
    return report_rows(
        report,
        df,
        readable & (row_series != keep),
        lambda v: (
            f"mois {v} isolé, à plus de douze mois des autres flux du fichier ({span}){goal} : "
            "corrigez le mois (AAAA-MM), sans doute une faute de frappe sur l'année."
        ),
        "mois",
    )


def _month_text(index: float) -> str:
    return f"{int(index) // 12}-{int(index) % 12 + 1:02d}"


def _missing_months(flows: pd.DataFrame, report: ProblemReport) -> None:
    """Report (kept) the months a pair lacks after its first month, when others have them."""
    if flows.empty:
        return
    months = sorted(flows["mois"].dropna().unique())
    pairs = flows.groupby(["agence", "mission_locale"])["mois"]
    for (agence, ml), present in pairs:
        have = set(present)
        lacking = [m for m in months if m >= min(have) and m not in have]
        if lacking:
            shown = ", ".join(lacking[:6]) + (" ..." if len(lacking) > 6 else "")
            report.add(
                f"aucun flux {agence} → {ml} pour {shown} alors que d'autres couples ont ces "
                "mois : complétez le fichier (une ligne à zéro s'il n'y a eu aucun flux) ou "
                "vérifiez le mois d'une autre ligne de ce couple.",
                column="mois",
                value=lacking[0],
                action="conservée",
                category="mois_manquant",
            )


_EPISODE_DATES = (
    "date_affectation",
    "date_acceptation",
    "date_initialisation",
    "date_annulation",
    "date_sortie",
)


def read_episodes(
    path: str | Path,
    *,
    structures: pd.DataFrame | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Read the pseudonymised episode extract (personal data: keep it local).

    One row per cotraitance episode: ``episode_id``, the five dates
    (:data:`_EPISODE_DATES`), ``motif_sortie`` (a key of :data:`EXIT_REASONS`),
    ``civis_initialisation`` and ``ex_civis`` (oui/non), ``mois_naissance``
    (``AAAA-MM``), ``commune_residence``, ``agence``, ``mission_locale`` and the
    optional ``date_radiation`` (first deregistration after the affectation).

    Reported and left out, with the line: duplicated ``episode_id`` (every copy after
    the first), unreadable dates, dates in the wrong order (acceptation,
    initialisation, cancellation or exit before the affectation, exit before the
    initialisation), an initialisation without affectation, an exit without reason
    or a reason without exit, an unknown reason, agence or mission locale.
    Initialisation *before* acceptation is allowed (L2380).

    Examples
    --------
    >>> from geo import settings
    >>> e = read_episodes(settings.demo_dir() / "cotraitance" / "episodes.csv")
    >>> e.attrs["problemes"].lines(), e["episode_id"].is_unique
    ([], True)
    """
    df = raw_table(path)
    required = [
        "episode_id",
        *_EPISODE_DATES,
        "motif_sortie",
        "civis_initialisation",
        "ex_civis",
        "mois_naissance",
        "commune_residence",
        "agence",
        "mission_locale",
    ]
    require_columns(df, required, path=path, what="les épisodes")
    report = new_report(df, path)
    first = df.drop_duplicates("episode_id").set_index("episode_id")["ligne"]
    bad = report_rows(
        report,
        df,
        df["episode_id"].duplicated(),
        lambda v: (
            f"épisode {v!r} déjà présent ligne {first[v]} (identifiant en double) : retirez le doublon."
        ),
        "episode_id",
    )
    bad |= report_rows(
        report,
        df,
        df["episode_id"].isna(),
        "identifiant d'épisode vide : complétez-le.",
        "episode_id",
    )
    dates = {}
    for col in (*_EPISODE_DATES, "date_radiation"):
        if col not in df:
            df[col] = pd.NA
        dates[col], wrong = parse_dates(df, col, report)
        bad |= wrong
    bad |= report_rows(
        report,
        df,
        dates["date_affectation"].isna().to_numpy(dtype=bool) & ~bad,
        lambda init: (
            f"{'une initialisation' if pd.notna(init) else 'un épisode'} sans date d'affectation : "
            "complétez-la."
        ),
        "date_affectation",
        cells=["date_initialisation"],
    )
    order = [
        ("date_acceptation", "date_affectation"),
        ("date_initialisation", "date_affectation"),
        ("date_annulation", "date_affectation"),
        ("date_sortie", "date_affectation"),
        ("date_sortie", "date_initialisation"),
        ("date_sortie", "date_acceptation"),
    ]
    for later, earlier in order:
        bad |= report_rows(
            report,
            df,
            (dates[later] < dates[earlier]).fillna(False).to_numpy(dtype=bool) & ~bad,
            lambda a, b, later=later, earlier=earlier: (
                f"dates dans le mauvais ordre : {later} {a} antérieure à {earlier} {b} : corrigez-les."
            ),
            later,
            cells=[later, earlier],
        )
    reason = df["motif_sortie"].str.lower()
    bad |= report_rows(
        report,
        df,
        reason.notna() & ~reason.isin(list(EXIT_REASONS)),
        lambda v: f"motif de sortie {v!r} inconnu : écrivez l'un de {', '.join(EXIT_REASONS)}.",
        "motif_sortie",
    )
    exit_date = dates["date_sortie"].notna().to_numpy(dtype=bool)
    bad |= report_rows(
        report,
        df,
        (exit_date != reason.notna().to_numpy(dtype=bool)) & ~bad,
        "date de sortie et motif de sortie : l'un sans l'autre ; complétez ou videz les deux.",
        "motif_sortie",
    )
    flags = {}
    for col in ("civis_initialisation", "ex_civis"):
        flags[col], wrong = parse_flags(df, col, report)
        bad |= wrong
    birth = pd.to_datetime(df["mois_naissance"], format="%Y-%m", errors="coerce")
    bad |= report_rows(
        report,
        df,
        df["mois_naissance"].notna() & birth.isna(),
        lambda v: f"mois de naissance {v!r} illisible : écrivez-le AAAA-MM.",
        "mois_naissance",
    )
    bad |= _check_codes(df, "agence", structures, "agence", report)
    bad |= _check_codes(df, "mission_locale", structures, "mission_locale", report)
    out = pd.DataFrame(
        {
            "ligne": df["ligne"],
            "episode_id": df["episode_id"],
            **dates,
            "motif_sortie": reason.astype("string"),
            **flags,
            "mois_naissance": birth,
            "commune_residence": df["commune_residence"],
            "agence": df["agence"],
            "mission_locale": df["mission_locale"],
        }
    )
    return finish(out, report, bad, strict=strict, key="episode_id")


def read_periods(
    path: str | Path, *, episodes: pd.DataFrame | None = None, strict: bool = False
) -> pd.DataFrame:
    """Read the alert and suspension periods of the episodes (``periodes.csv``).

    Columns ``episode_id, etat`` (``alerte`` or ``suspension``), ``date_debut``,
    ``date_fin`` (empty while open) and, for alerts, ``decision`` (``maintien`` or
    ``sortie``, L2420-2423). Periods of one episode must not overlap (the states of
    Parcours 3 are exclusive): an overlapping period is reported and left out, as are
    a period of an unknown episode, an unknown state and an end before the start.

    Examples
    --------
    >>> from geo import settings
    >>> p = read_periods(settings.demo_dir() / "cotraitance" / "periodes.csv")
    >>> sorted(p["etat"].unique())
    ['alerte', 'suspension']
    """
    df = raw_table(path)
    require_columns(
        df, ["episode_id", "etat", "date_debut", "date_fin"], path=path, what="les périodes"
    )
    report = new_report(df, path)
    start, bad = parse_dates(df, "date_debut", report)
    end, wrong = parse_dates(df, "date_fin", report)
    bad |= wrong | start.isna().to_numpy(dtype=bool)
    state = df["etat"].str.lower()
    bad |= report_rows(
        report,
        df,
        ~state.isin(["alerte", "suspension"]),
        lambda v: f"état {v!r} inconnu : écrivez alerte ou suspension.",
        "etat",
    )
    bad |= report_rows(
        report,
        df,
        (end < start).fillna(False),
        "date_fin antérieure à date_debut : corrigez l'une des deux.",
        "date_fin",
    )
    if episodes is not None:
        bad |= report_rows(
            report,
            df,
            ~df["episode_id"].isin(set(episodes["episode_id"])),
            lambda v: (
                f"épisode {v!r} écarté de l'extraction d'épisodes, {parent} : corrigez cette "
                "ligne des épisodes ; la période est écartée avec lui."
                if (parent := parent_set_aside(episodes, v))
                else f"épisode {v!r} absent de l'extraction d'épisodes : ajoutez-le ou "
                "corrigez l'identifiant."
            ),
            "episode_id",
        )
    decision = df["decision"].str.lower() if "decision" in df else pd.Series(pd.NA, df.index)
    out = pd.DataFrame(
        {
            "ligne": df["ligne"],
            "episode_id": df["episode_id"],
            "etat": state,
            "date_debut": start,
            "date_fin": end,
            "decision": decision.astype("string"),
        }
    )
    ok = out.loc[~bad].sort_values(["episode_id", "date_debut"])
    prev_end = ok.groupby("episode_id")["date_fin"].shift()
    same = ok["episode_id"].eq(ok["episode_id"].shift())
    overlap = same & (prev_end.isna() | (ok["date_debut"] < prev_end))
    bad |= report_rows(
        report,
        df,
        np.isin(df["ligne"], ok.loc[overlap, "ligne"]),
        "période chevauchant la précédente du même épisode : corrigez ses dates.",
        "date_debut",
    )
    return finish(out, report, bad, strict=strict)


def read_objectives(
    path: str | Path, *, structures: pd.DataFrame | None = None, strict: bool = False
) -> pd.DataFrame:
    """Read the objectives.

    Columns ``annee, niveau, territoire, objectif``, optional ``montant_subvention``
    and ``source``.

    ``niveau`` is one of :data:`LEVELS`; ``territoire`` is the mission locale's code,
    the département or région code, or ``FR``. Negative or unreadable objectives,
    unknown levels, duplicated (year, level, territory) and unknown missions locales
    are reported and left out.

    Examples
    --------
    >>> from geo import settings
    >>> o = read_objectives(settings.demo_dir() / "cotraitance" / "objectifs.csv")
    >>> sorted(o["niveau"].unique())
    ['mission_locale', 'region']
    """
    df = raw_table(path)
    require_columns(
        df, ["annee", "niveau", "territoire", "objectif"], path=path, what="les objectifs"
    )
    report = new_report(df, path)
    bad = parse_counts(df, ["annee", "objectif"], report)
    if "montant_subvention" in df:
        bad |= parse_counts(df, ["montant_subvention"], report)
    else:
        df["montant_subvention"] = 0
    bad |= report_rows(
        report,
        df,
        ~df["niveau"].isin(list(LEVELS)),
        lambda v: f"niveau {v!r} inconnu : écrivez l'un de {', '.join(LEVELS)}.",
        "niveau",
    )
    bad |= report_rows(
        report,
        df,
        df.duplicated(["annee", "niveau", "territoire"]),
        lambda v: f"objectif de {v} donné deux fois pour la même année : retirez le doublon.",
        "territoire",
    )
    bad |= _check_codes(
        df,
        "territoire",
        structures,
        "mission_locale",
        report,
        rows=df["niveau"].eq("mission_locale").fillna(False).to_numpy(dtype=bool),
    )
    if "source" not in df:
        df["source"] = pd.NA
    cols = ["ligne", "annee", "niveau", "territoire", "objectif", "montant_subvention", "source"]
    return finish(df[cols], report, bad, strict=strict)


def read_cotraitance_needs(
    path: str | Path, *, structures: pd.DataFrame | None = None, strict: bool = False
) -> pd.DataFrame:
    """Read the needs per mission locale (``besoins.csv``).

    Columns ``annee, territoire`` (mission locale), ``demande_potentielle`` (young
    people followed by Pôle emploi meeting the affectation criteria, indicator DE3)
    and the optional ``demandeurs_jeunes`` (registered job seekers under 26, used by
    :func:`access_rate`; ``<NA>`` when the column is absent). Unreadable or negative
    counts, a (year, territory) given twice and, with ``structures``, unknown missions
    locales are reported in ``attrs["problemes"]`` and left out.

    Examples
    --------
    >>> from geo import settings
    >>> n = read_cotraitance_needs(settings.demo_dir() / "cotraitance" / "besoins.csv")
    >>> len(n), int(n["demande_potentielle"].sum()), n.attrs["problemes"].lines()
    (7, 2562, [])
    """
    df = raw_table(path)
    require_columns(
        df, ["annee", "territoire", "demande_potentielle"], path=path, what="les besoins"
    )
    report = new_report(df, path)
    given = "demandeurs_jeunes" in df
    bad = parse_counts(
        df, ["annee", "demande_potentielle", *(["demandeurs_jeunes"] if given else [])], report
    )
    if not given:
        df["demandeurs_jeunes"] = pd.array([pd.NA] * len(df), dtype="Int64")
    bad |= report_rows(
        report,
        df,
        df.duplicated(["annee", "territoire"]),
        lambda v: f"besoins de {v} donnés deux fois pour la même année : retirez le doublon.",
        "territoire",
    )
    bad |= _check_codes(df, "territoire", structures, "mission_locale", report)
    cols = ["ligne", "annee", "territoire", "demandeurs_jeunes", "demande_potentielle"]
    return finish(df[cols], report, bad, strict=strict)


def read_cotraitance_ressorts(
    path: str | Path, *, structures: pd.DataFrame | None = None, strict: bool = False
) -> pd.DataFrame:
    """Read the communes of each mission locale's ressort (``ressorts.csv``).

    Columns ``mission_locale, commune`` (codes as written; they are compared with
    the episodes' ``commune_residence`` by :func:`exits_due`). Empty cells, a pair
    given twice and, with ``structures``, unknown missions locales are reported in
    ``attrs["problemes"]`` and left out.

    Examples
    --------
    >>> from geo import settings
    >>> r = read_cotraitance_ressorts(settings.demo_dir() / "cotraitance" / "ressorts.csv")
    >>> len(r), r["mission_locale"].nunique(), r.attrs["problemes"].lines()
    (302, 7, [])
    """
    df = raw_table(path)
    require_columns(df, ["mission_locale", "commune"], path=path, what="les ressorts")
    report = new_report(df, path)
    empty = report_rows(
        report,
        df,
        df[["mission_locale", "commune"]].isna().any(axis=1),
        "mission locale ou commune vide : complétez la ligne.",
    )
    bad = empty | report_rows(
        report,
        df,
        df.duplicated(["mission_locale", "commune"]).to_numpy(dtype=bool) & ~empty,
        lambda v: f"commune {v} donnée deux fois pour la même mission locale : retirez le doublon.",
        "commune",
    )
    bad |= _check_codes(df, "mission_locale", structures, "mission_locale", report)
    return finish(df[["ligne", "mission_locale", "commune"]], report, bad, strict=strict)


#: Files of a cotraitance folder: key of :func:`read_cotraitance_folder` → (file stem,
#: mandatory). The keys are the parameter names of :func:`cotraitance_section`.
FOLDER_FILES: dict[str, tuple[str, bool]] = {
    "structures": ("structures", True),
    "flows": ("flux", True),
    "objectives": ("objectifs", True),
    "needs": ("besoins", False),
    "episodes": ("episodes", False),
    "periods": ("periodes", False),
    "ressorts": ("ressorts", False),
}


def read_cotraitance_folder(
    folder: str | Path,
    *,
    year: int | None = None,
    month: int | None = None,
    strict: bool = False,
) -> dict[str, pd.DataFrame]:
    """Read every cotraitance file of ``folder`` (the layout of ``data/demo/cotraitance``).

    ``structures``, ``flux`` and ``objectifs`` (``.csv`` or ``.xlsx``) are mandatory;
    ``besoins``, ``episodes``, ``periodes`` and ``ressorts`` are read when present.
    Codes are checked against the structures. Each table keeps its file name in
    ``attrs["fichier"]`` and its rejected rows in ``attrs["problemes"]``
    (:func:`geo.problems.collect_problems` gathers them).

    Parameters
    ----------
    folder
        The folder.
    year, month
        Period of the dashboard: when given, the flows must cover ``year`` up to
        ``month`` and the objectives must cover ``year``; the flows are read with
        ``year`` (:func:`read_cotraitance_flows`: a month typed with the wrong
        year is set aside and listed).
    strict
        Refuse a file (:class:`SchemaError`) if any of its rows would be set aside.

    Returns
    -------
    dict of pandas.DataFrame
        Keys of :data:`FOLDER_FILES` for the files found (``flows``, ``objectives``,
        ``structures``, ``needs``...), named as the parameters of
        :func:`cotraitance_section`: ``cotraitance_section(**inputs, year=..., month=...)``.

    Raises
    ------
    InputFileError
        The folder or a mandatory file is missing.
    SchemaError
        A file lacks a column, or the period is not covered by the flows or the
        objectives.

    Examples
    --------
    >>> from geo import settings
    >>> from geo.problems import collect_problems
    >>> inputs = read_cotraitance_folder(settings.demo_dir() / "cotraitance", year=2024, month=6)
    >>> sorted(inputs), collect_problems(inputs).lines()
    (['episodes', 'flows', 'needs', 'objectives', 'periods', 'ressorts', 'structures'], [])
    """
    paths = folder_paths(folder, FOLDER_FILES, templates="data/cotraitance/")
    structures = read_structures(paths["structures"], strict=strict)
    out = {"structures": structures}
    options = {"structures": structures, "strict": strict}
    out["flows"] = read_cotraitance_flows(paths["flows"], year=year, **options)
    out["objectives"] = read_objectives(paths["objectives"], **options)
    if "needs" in paths:
        out["needs"] = read_cotraitance_needs(paths["needs"], **options)
    if "episodes" in paths:
        out["episodes"] = read_episodes(paths["episodes"], **options)
        if "periods" in paths:
            out["periods"] = read_periods(paths["periods"], episodes=out["episodes"], strict=strict)
    if "ressorts" in paths:
        out["ressorts"] = read_cotraitance_ressorts(paths["ressorts"], **options)
    for key, table in out.items():
        table.attrs["fichier"] = paths[key].name
    if year is not None:
        _check_period(out, year=year, month=month)
    return out


def _check_period(inputs: Mapping[str, pd.DataFrame], *, year: int, month: int | None) -> None:
    problems = period_problems(inputs["flows"], inputs["objectives"], year=year, month=month)
    if problems:
        raise SchemaError(
            format_problems(f"Période {year} non couverte par les fichiers :", problems), problems
        )


def period_problems(
    flows: pd.DataFrame, objectives: pd.DataFrame, *, year: int, month: int | None = None
) -> list[str]:
    """Why the flows and objectives cannot give a dashboard at the end of ``year``-``month`` (French).

    ``[]`` when the flows have months of ``year`` up to ``month`` and the objectives
    have ``year``; otherwise one sentence per problem, naming the file and the fix.

    Examples
    --------
    >>> from geo import settings
    >>> d = settings.demo_dir() / "cotraitance"
    >>> flows, objectives = read_cotraitance_flows(d / "flux.csv"), read_objectives(d / "objectifs.csv")
    >>> period_problems(flows, objectives, year=2024, month=6)
    []
    >>> period_problems(flows, objectives, year=2031, month=6)[1]
    'objectifs.csv : aucun objectif pour 2031 (années présentes : 2023, 2024). Ajoutez les objectifs de 2031.'
    """
    problems = []
    if month is not None and not 1 <= month <= 12:
        problems.append(f"mois {month} invalide (attendu un entier de 1 à 12).")
        month = None
    months = sorted(flows.loc[flows["mois"].str[:4] == str(year), "mois"].unique())
    known = sorted(flows["mois"].unique())
    span = f"{known[0]} à {known[-1]}" if known else "aucun mois"
    if not months:
        problems.append(
            f"{flows.attrs.get('fichier', 'flux')} : aucun flux en {year} (mois présents : "
            f"{span}). Choisissez une année couverte ou complétez le fichier."
        )
    elif month is not None and int(months[-1][5:]) < month:
        problems.append(
            f"{flows.attrs.get('fichier', 'flux')} : le dernier mois connu de {year} est "
            f"{months[-1]} ; un tableau à fin {year}-{month:02d} projetterait des mois absents. "
            f"Choisissez un mois jusqu'à {int(months[-1][5:])} ou complétez le fichier."
        )
    if not (objectives["annee"] == year).any():
        years = ", ".join(str(y) for y in sorted(objectives["annee"].unique())) or "aucune"
        problems.append(
            f"{objectives.attrs.get('fichier', 'objectifs')} : aucun objectif pour {year} "
            f"(années présentes : {years}). Ajoutez les objectifs de {year}."
        )
    return problems
