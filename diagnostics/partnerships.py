"""The partnerships registry: conventions, their life cycle and their committees.

The territorialisation report asks that every partnership follow a demanding method
(§ 4.5 of the domain notes, L316–L372): identify the partner, clarify shared
objectives, define common projects, define *a priori* indicators of means and of
results, run it, evaluate the joint work, then renegotiate or stop. The cotraitance
accord adds steering committees with a minimum number of meetings a year (local 5,
regional 4, national 2). This module reads the analyst's registry of partnerships,
says what it could not use, and checks each partnership against that method.

Input files (templates and French schema in ``data/partenariats/LISEZMOI.md``;
filled examples on the demonstration territory in ``data/demo/``):

- the registry (:func:`read_partnerships`), one row per partnership or convention;
- its indicators (:func:`read_partnership_indicators`), one row per indicator;
- flows between actors (:func:`read_partner_flows`), cotraitance or prescriptions, with volumes;
- the Pôle emploi units that may be parties (:func:`read_pole_emploi_units`).

Tidy registry (one row per partnership)
---------------------------------------
====================  ===============  ==============================================
column                dtype            content
====================  ===============  ==============================================
``partenariat_id``    string           identifier, unique
``intitule``          string           title
``parties``           object (tuple)   actor ids: ``partenaire_id`` of the directory or
                                       ``unite_id`` of a Pôle emploi unit (``PE-…``)
``nb_parties``        int64            number of parties (2 = bilateral)
``niveau``            string           level that concluded it (:data:`CONCLUSION_LEVELS`)
``cadre``             string           framework (:data:`FRAMEWORKS`), or missing
``mode``              string           relation mode (:data:`RELATION_MODES`), or missing
``domaines``          object (tuple)   domains (:data:`diagnostics.partners.DOMAINS`)
``publics``           object (tuple)   publics (:data:`diagnostics.partners.PUBLICS`)
``date_debut``        datetime64[ns]   start, or NaT
``date_fin``          datetime64[ns]   end, or NaT (open-ended)
``statut``            string           step of the life cycle (:data:`LIFECYCLE_STATUSES`)
``date_evaluation``   datetime64[ns]   last evaluation, or NaT
``periodicite_mois``  Int64            evaluation every N months (default 12)
``comite``            string           steering committee level (:data:`COMMITTEE_MIN_MEETINGS`)
``dates_comites``     object (tuple)   dates (``pandas.Timestamp``) of the meetings held
``commentaire``       string           free text
``ligne``             Int64            line of the file (header = line 1)
====================  ===============  ==============================================

Readers (in :mod:`diagnostics._readers.partnerships`, re-exported here) never stop
at the first bad cell: each problem (line, column, value, what was done, French
message) goes to the :class:`geo.problems.ProblemReport` kept in
``attrs["problemes"]`` while the rest of the file is used. A party missing from the
directory is removed (the partnership is kept if two parties remain); an end date
before the start date is set missing; an unknown mode or status is set missing; a
partnership with a single party is left out. The public file of the France Travail
sites (:func:`read_france_travail_sites`, in :mod:`diagnostics._readers.sites`) gives
the units too (:func:`pole_emploi_units_from_sites`).

Checks
------
:func:`lifecycle_checks` bundles :func:`partnerships_without_indicators`,
:func:`overdue_evaluations`, :func:`ended_but_running`, :func:`renewals_due` and
:func:`multilateral_candidates`; :func:`committee_compliance` compares the meetings
held with the minimum frequency; :func:`indicator_attainment` gives observed / target.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd

from diagnostics._readers.partnerships import (
    COMMITTEE_MIN_MEETINGS,
    CONCLUSION_LEVELS,
    FLOW_TYPES,
    FRAMEWORKS,
    INDICATOR_TYPES,
    LIFECYCLE_STATUSES,
    PARTNERSHIP_COLUMNS,
    PARTNERSHIP_SCHEMA,
    POLE_EMPLOI_LEVELS,
    RELATION_MODES,
    partnerships_from_records,
    read_partner_flows,
    read_partnership_indicators,
    read_partnerships,
    read_pole_emploi_units,
)
from diagnostics._readers.sites import pole_emploi_units_from_sites, read_france_travail_sites
from diagnostics.partners import PUBLICS
from geo._errors import SchemaError

__all__ = [
    "RELATION_MODES",
    "LIFECYCLE_STATUSES",
    "ACTIVE_STATUSES",
    "FRAMEWORKS",
    "CONCLUSION_LEVELS",
    "POLE_EMPLOI_LEVELS",
    "INDICATOR_TYPES",
    "FLOW_TYPES",
    "COMMITTEE_MIN_MEETINGS",
    "PARTNERSHIP_COLUMNS",
    "PARTNERSHIP_SCHEMA",
    "read_partnerships",
    "read_partnership_indicators",
    "read_partner_flows",
    "read_pole_emploi_units",
    "read_france_travail_sites",
    "pole_emploi_units_from_sites",
    "partnerships_from_records",
    "active_partnerships",
    "indicator_attainment",
    "partnerships_without_indicators",
    "overdue_evaluations",
    "ended_but_running",
    "renewals_due",
    "multilateral_candidates",
    "lifecycle_checks",
    "committee_compliance",
]

#: Statuses of a partnership in force (running, evaluated, renegotiated).
ACTIVE_STATUSES: tuple[str, ...] = ("en_cours", "evalue", "renegocie")


# --------------------------------------------------------------------------- checks


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{what} : colonne(s) {', '.join(missing)} absente(s) (colonnes trouvées : "
            f"{', '.join(map(str, df.columns))}). Lisez le registre avec read_partnerships.",
            [f"colonne {c} absente" for c in missing],
        )


def active_partnerships(partnerships: pd.DataFrame, *, date: str | dt.date) -> pd.Series:
    """Whether each partnership is in force on a date (status in force, date in range).

    Examples
    --------
    >>> reg = partnerships_from_records([
    ...     {"partenariat_id": "A", "parties": "X|Y", "statut": "en_cours",
    ...      "date_debut": "2024-01-01", "date_fin": "2024-12-31"},
    ...     {"partenariat_id": "B", "parties": "X|Y", "statut": "arrete"}])
    >>> active_partnerships(reg, date="2024-06-01").tolist()
    [True, False]
    """
    _require(partnerships, ["statut", "date_debut", "date_fin"], "Registre des partenariats")
    day = pd.Timestamp(date)
    status = partnerships["statut"].isin(ACTIVE_STATUSES).fillna(False).astype(bool)
    started = partnerships["date_debut"].isna() | (partnerships["date_debut"] <= day)
    running = partnerships["date_fin"].isna() | (partnerships["date_fin"] >= day)
    return (status & started & running).rename("en_vigueur")


def _out(partnerships: pd.DataFrame, mask: pd.Series, check: str, texts: pd.Series) -> pd.DataFrame:
    sel = partnerships.loc[mask]
    return pd.DataFrame(
        {
            "partenariat_id": sel["partenariat_id"].astype("string"),
            "intitule": sel["intitule"].astype("string"),
            "controle": pd.Series(check, index=sel.index, dtype="string"),
            "constat": texts.loc[sel.index].astype("string"),
        }
    ).reset_index(drop=True)


def indicator_attainment(indicators: pd.DataFrame) -> pd.Series:
    """Observed / target for each indicator (NaN without target or observed value).

    Examples
    --------
    >>> ind = pd.DataFrame({"cible": [200.0, 0.0, None], "realise": [150.0, 3.0, 4.0]})
    >>> indicator_attainment(ind).tolist()
    [0.75, nan, nan]
    """
    target = indicators["cible"].astype("float64")
    rate = indicators["realise"].astype("float64") / target.where(target > 0)
    return rate.rename("taux_atteinte")


def partnerships_without_indicators(
    partnerships: pd.DataFrame, indicators: pd.DataFrame
) -> pd.DataFrame:
    """Partnerships past the "indicators" step with no indicator defined *a priori*.

    The report wants common indicators of means and of results defined *a priori*
    and annexed to the agreement (L354–L359). A partnership at the step
    ``indicateurs`` or in force with no indicator at all is listed; one with
    indicators of a single kind is listed too, the text saying which kind lacks.

    Returns
    -------
    pandas.DataFrame
        ``partenariat_id, intitule, controle, constat``.

    Examples
    --------
    >>> reg = partnerships_from_records([
    ...     {"partenariat_id": "A", "parties": "X|Y", "statut": "en_cours"},
    ...     {"partenariat_id": "B", "parties": "X|Z", "statut": "en_cours"},
    ...     {"partenariat_id": "C", "parties": "X|Z", "statut": "identifie"}])
    >>> ind = pd.DataFrame({"partenariat_id": ["B"], "type_indicateur": ["resultat"]})
    >>> partnerships_without_indicators(reg, ind)["constat"].tolist()
    ['aucun indicateur défini a priori : les lister en annexe de la convention (moyens et résultats).']
    """
    _require(indicators, ["partenariat_id", "type_indicateur"], "Indicateurs des partenariats")
    stage = partnerships["statut"].isin(("indicateurs", *ACTIVE_STATUSES)).fillna(False)
    defined = set(indicators["partenariat_id"].astype(str))
    mask = stage.astype(bool) & ~partnerships["partenariat_id"].isin(defined)
    texts = pd.Series(
        "aucun indicateur défini a priori : les lister en annexe de la convention "
        "(moyens et résultats).",
        index=partnerships.index,
    )
    return _out(partnerships, mask, "sans_indicateur", texts)


def _add_months(dates: pd.Series, months: pd.Series) -> pd.Series:
    return pd.Series(
        [
            pd.NaT if pd.isna(d) else d + pd.DateOffset(months=int(m))
            for d, m in zip(dates, months.fillna(12), strict=True)
        ],
        index=dates.index,
        dtype="datetime64[ns]",
    )


def overdue_evaluations(partnerships: pd.DataFrame, *, date: str | dt.date) -> pd.DataFrame:
    """Partnerships in force whose evaluation is overdue on ``date``.

    Due date: last evaluation (or start, when never evaluated) plus the periodicity.
    """
    day = pd.Timestamp(date)
    ref = partnerships["date_evaluation"].fillna(partnerships["date_debut"])
    due = _add_months(ref, partnerships["periodicite_mois"])
    mask = active_partnerships(partnerships, date=day) & due.notna() & (due < day)
    never = partnerships["date_evaluation"].isna()
    texts = pd.Series(
        [
            ("jamais évaluée" if n else f"dernière évaluation le {r:%d/%m/%Y}")
            + f" ; évaluation attendue au plus tard le {d:%d/%m/%Y}"
            if pd.notna(d)
            else None
            for n, r, d in zip(never, ref, due, strict=True)
        ],
        index=partnerships.index,
        dtype=object,
    )
    return _out(partnerships, mask, "evaluation_en_retard", texts)


def ended_but_running(partnerships: pd.DataFrame, *, date: str | dt.date) -> pd.DataFrame:
    """Partnerships whose end date has passed but still marked running."""
    day = pd.Timestamp(date)
    status = partnerships["statut"].isin(("en_cours", "renegocie")).fillna(False).astype(bool)
    mask = status & partnerships["date_fin"].notna() & (partnerships["date_fin"] < day)
    texts = pd.Series(
        [
            f"terminée le {f:%d/%m/%Y} mais toujours au statut « {s} » : renouveler ou clôturer"
            if pd.notna(f)
            else None
            for f, s in zip(partnerships["date_fin"], partnerships["statut"], strict=True)
        ],
        index=partnerships.index,
        dtype=object,
    )
    return _out(partnerships, mask, "terminee_en_cours", texts)


def renewals_due(
    partnerships: pd.DataFrame, *, date: str | dt.date, months: int = 6
) -> pd.DataFrame:
    """Partnerships in force ending within ``months`` months of ``date``: decide keep or stop."""
    day = pd.Timestamp(date)
    limit = day + pd.DateOffset(months=months)
    mask = (
        active_partnerships(partnerships, date=day)
        & partnerships["date_fin"].notna()
        & (partnerships["date_fin"] <= limit)
    )
    texts = partnerships["date_fin"].map(
        lambda f: (
            f"échéance le {f:%d/%m/%Y} : évaluer puis renégocier ou arrêter"
            if pd.notna(f)
            else None
        )
    )
    return _out(partnerships, mask, "renouvellement_a_preparer", texts)


def multilateral_candidates(
    partnerships: pd.DataFrame, *, date: str | dt.date, min_partners: int = 2
) -> pd.DataFrame:
    """Actors holding several bilateral partnerships for one public: candidates for one network.

    The report prefers "un réseau d'acteurs" to "une somme de partenariats
    bilatéraux" (L436, L646, L691): when an actor holds two or more bilateral
    partnerships in force serving the same public with different partners,
    gathering them in one multilateral partnership is suggested.

    Parameters
    ----------
    partnerships
        Registry (:func:`read_partnerships`).
    date
        Date at which partnerships must be in force.
    min_partners
        Fewest distinct partners for one actor and one public.

    Returns
    -------
    pandas.DataFrame
        ``acteur, public, public_libelle, partenariats (tuple), partenaires (tuple),
        constat``, one row per actor and public.

    Examples
    --------
    >>> reg = partnerships_from_records([
    ...     {"partenariat_id": "A", "parties": "PE-AG-1|P1", "publics": "jeunes", "statut": "en_cours"},
    ...     {"partenariat_id": "B", "parties": "PE-AG-1|P2", "publics": "jeunes", "statut": "evalue"},
    ...     {"partenariat_id": "C", "parties": "PE-AG-2|P3", "publics": "jeunes", "statut": "evalue"}])
    >>> multilateral_candidates(reg, date="2025-01-01")[["acteur", "partenariats"]].values.tolist()
    [['PE-AG-1', ('A', 'B')]]
    """
    active = partnerships.loc[
        active_partnerships(partnerships, date=date) & (partnerships["nb_parties"] == 2)
    ]
    links = [
        (actor, other, pid, public)
        for pid, parties, publics in zip(
            active["partenariat_id"], active["parties"], active["publics"], strict=True
        )
        for actor, other in (parties, parties[::-1])
        for public in publics
    ]
    long = pd.DataFrame(links, columns=["acteur", "autre", "partenariat_id", "public"])
    rows = []
    for (actor, public), group in long.groupby(["acteur", "public"], sort=True):
        others = tuple(sorted(set(group["autre"])))
        if len(others) < min_partners:
            continue
        ids = tuple(sorted(set(group["partenariat_id"])))
        label = PUBLICS.get(public, public)
        rows.append(
            {
                "acteur": actor,
                "public": public,
                "public_libelle": label,
                "partenariats": ids,
                "partenaires": others,
                "constat": f"{actor} tient {len(ids)} partenariats bilatéraux pour le public "
                f"« {label} » ({', '.join(ids)}) avec {', '.join(others)} : les réunir dans "
                "un partenariat multilatéral.",
            }
        )
    df = pd.DataFrame(
        rows,
        columns=["acteur", "public", "public_libelle", "partenariats", "partenaires", "constat"],
    )
    for c in ("acteur", "public", "public_libelle", "constat"):
        df[c] = df[c].astype("string")
    return df


def lifecycle_checks(
    partnerships: pd.DataFrame,
    indicators: pd.DataFrame,
    *,
    date: str | dt.date,
    renewal_months: int = 6,
    min_partners: int = 3,
) -> pd.DataFrame:
    """Every life-cycle check in one table: ``partenariat_id, intitule, controle, constat``.

    ``controle`` is ``sans_indicateur``, ``evaluation_en_retard``,
    ``terminee_en_cours``, ``renouvellement_a_preparer`` (one row per partnership
    concerned) or ``multilateral_suggere`` (one row per actor and public, the ids
    of the bilateral partnerships joined by ``", "``, see :func:`multilateral_candidates`).

    Examples
    --------
    >>> from geo import settings
    >>> demo = settings.demo_dir()
    >>> reg = read_partnerships(demo / "partenariats.csv")
    >>> ind = read_partnership_indicators(demo / "partenariats_indicateurs.csv")
    >>> checks = lifecycle_checks(reg, ind, date="2026-06-30")
    >>> sorted(checks["controle"].unique())  # doctest: +NORMALIZE_WHITESPACE
    ['evaluation_en_retard', 'multilateral_suggere', 'renouvellement_a_preparer',
     'sans_indicateur', 'terminee_en_cours']
    """
    _require(partnerships, PARTNERSHIP_COLUMNS[:-1], "Registre des partenariats")
    parts = [
        partnerships_without_indicators(partnerships, indicators),
        overdue_evaluations(partnerships, date=date),
        ended_but_running(partnerships, date=date),
        renewals_due(partnerships, date=date, months=renewal_months),
    ]
    titles = partnerships.set_index("partenariat_id")["intitule"]
    multi = multilateral_candidates(partnerships, date=date, min_partners=min_partners)
    rows = [
        {
            "partenariat_id": pid,
            "intitule": titles.get(pid),
            "controle": "multilateral_suggere",
            "constat": text,
        }
        for ids, text in zip(multi["partenariats"], multi["constat"], strict=True)
        for pid in ids
    ]
    extra = pd.DataFrame(
        rows, columns=["partenariat_id", "intitule", "controle", "constat"]
    ).astype("string")
    return pd.concat([*parts, extra], ignore_index=True)


def committee_compliance(partnerships: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Steering-committee meetings held in ``year`` against the minimum frequency.

    The minimum (:data:`COMMITTEE_MIN_MEETINGS`: local 5, regional 4, national 2)
    is prorated to the months the partnership was in force during the year
    (rounded up). Partnerships with no committee level are left out.

    Returns
    -------
    pandas.DataFrame
        ``partenariat_id, intitule, comite, annee, reunions, minimum, conforme, constat``.

    Examples
    --------
    >>> reg = partnerships_from_records([
    ...     {"partenariat_id": "C", "parties": "PE-AG-1|P1", "statut": "en_cours",
    ...      "date_debut": "2024-07-01", "comite": "local",
    ...      "dates_comites": ["2024-09-01", "2024-11-15"]}])
    >>> committee_compliance(reg, year=2024)[["reunions", "minimum", "conforme"]].values.tolist()
    [[2, 3, False]]
    """
    rows = []
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    for rec in partnerships.loc[partnerships["comite"].notna()].to_dict("records"):
        start = max(first, rec["date_debut"]) if pd.notna(rec["date_debut"]) else first
        end = min(last, rec["date_fin"]) if pd.notna(rec["date_fin"]) else last
        if end < start:
            continue
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        minimum = math.ceil(COMMITTEE_MIN_MEETINGS[rec["comite"]] * months / 12)
        held = sum(1 for d in rec["dates_comites"] if d.year == year)
        ok = held >= minimum
        rows.append(
            {
                "partenariat_id": rec["partenariat_id"],
                "intitule": rec["intitule"],
                "comite": rec["comite"],
                "annee": year,
                "reunions": held,
                "minimum": minimum,
                "conforme": ok,
                "constat": (
                    f"{held} réunion(s) du comité {rec['comite']} en {year}, minimum {minimum}"
                    + ("" if ok else " : fréquence minimale non respectée")
                ),
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "partenariat_id",
            "intitule",
            "comite",
            "annee",
            "reunions",
            "minimum",
            "conforme",
            "constat",
        ],
    )
    for c in ("partenariat_id", "intitule", "comite", "constat"):
        df[c] = df[c].astype("string")
    for c in ("annee", "reunions", "minimum"):
        df[c] = df[c].astype("int64")
    df["conforme"] = df["conforme"].astype(bool)
    return df
