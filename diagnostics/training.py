"""Formation: training places, prescriptions and POE against recruitment needs.

Three seeds organise how Pôle emploi, the Région, the AFPA and the OPCA finance and
fill training places for job seekers (extraction ``shared/domain/
formation_region_afpa_poe.md``): the national Pôle emploi / AFPA convention (S003,
2012), the Région – Pôle emploi convention of the Pays de la Loire (S002, 2013) and
the State / Pôle emploi / OPCA POE charter (S000). This module answers, per
territory: are the financed places used, where do prescriptions leak before entry,
does training go where employers struggle to hire?

Inputs (schemas in ``data/formation/LISEZMOI.md``, readers in
:mod:`diagnostics._readers.training`): :func:`read_training_sessions` (sessions and
financed places), :func:`read_prescriptions` (person-level prescriptions and their
outcomes), :func:`read_poe_entries`, :func:`read_training_agences` and
:func:`read_fap_rome` (FAP-225 ↔ ROME); :func:`read_training_folder` reads a folder
laid out as ``data/demo/formation``.

Diagnostics (seed lines in brackets):

- :func:`training_funnel` and :func:`afpa_indicators`: the AFPA convention's funnel
  and its « Indicateurs de pilotage de la relation » with their exact names
  (:data:`AFPA_INDICATORS`, S003 L219-234: prescriptions including out-of-region,
  réservations effectives, liste d'attente, refus avant entrée / désistement,
  entrées, abandons, réussite), per agence, territory or centre — « décliné
  jusqu'à la maille géographique la plus fine » (L221);
- :func:`place_fill_rate`: use of the financed places by funder and territory
  (« garantir la bonne utilisation des places de formation financées », S003 L19;
  funders L15); :func:`entry_waiting_time`: days from prescription (or booking) to
  entry, median and 90th percentile (« Réduire les délais d'entrée en formation »,
  L25);
- :func:`training_flows`, :func:`training_flow_matrix`, :func:`map_training_flows`:
  agence → training site, out-of-region (L101, L225) and out-of-territory trainings;
- :func:`training_vs_needs`: places and entries by métier against the BMO projects
  and their difficulty (S002 L576-577, L301), through ROME → FAP-225 and the
  FAP2021 homologue approximation of :mod:`diagnostics.bmo`, flagging « métiers en
  tension peu couverts par la formation » and « formations avec peu de projets de
  recrutement »;
- :func:`region_convention_indicators`: the annex of the Région – Pôle emploi
  convention (:data:`REGION_ANNEX_INDICATORS`, S002 L614-625) with its periodicity,
  computed where the inputs allow, otherwise « non calculable à partir des données
  fournies »; :func:`poe_report`: the POE charter's report « en juin et en décembre »
  (S000 L24);
- :func:`training_section` bundles everything for the portrait and the notebook,
  :func:`training_summary` lists what to act on as facts, :func:`training_sentences`
  says it in French.

Every table built from the person-level prescriptions (and from the POE counts of
people) is under disclosure control (:mod:`diagnostics.disclosure`): small counts are
hidden with secondary suppression, and rates, medians and derived values with them.
Financed places are not person-level and are shown as they are. Tables can be
written with :func:`diagnostics.cotraitance.save_tables`; the readers' problems are
gathered by :func:`geo.problems.collect_problems`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from diagnostics._readers.training import (
    FUNDERS,
    POE_TYPES,
    PRESCRIPTION_STATUSES,
    TRAINING_FILES,
    metier_nomenclature,
    read_fap_rome,
    read_poe_entries,
    read_prescriptions,
    read_training_agences,
    read_training_folder,
    read_training_sessions,
)
from diagnostics.bmo import dares_candidates, metier_ranking, territory_parts
from diagnostics.disclosure import (
    current_threshold,
    protect_counts,
    protect_values,
)
from geo import codes
from geo._errors import SchemaError
from geo.display import Fact, Missing, axes_or_new, format_int, format_percent, mark_missing
from geo.tables import normalize_header

if TYPE_CHECKING:  # pragma: no cover
    import folium
    from matplotlib.axes import Axes

    from geo.territories import Territory

__all__ = [
    "FUNDERS",
    "PRESCRIPTION_STATUSES",
    "POE_TYPES",
    "TRAINING_FILES",
    "AFPA_INDICATORS",
    "REGION_ANNEX_INDICATORS",
    "FUNNEL_COUNTS",
    "SUCCESS_RULES",
    "NOT_COMPUTABLE",
    "metier_nomenclature",
    "read_training_sessions",
    "read_training_agences",
    "read_prescriptions",
    "read_poe_entries",
    "read_fap_rome",
    "read_training_folder",
    "training_funnel",
    "afpa_indicators",
    "place_fill_rate",
    "entry_waiting_time",
    "training_flows",
    "training_flow_matrix",
    "map_training_flows",
    "training_vs_needs",
    "region_convention_indicators",
    "poe_report",
    "plot_training_funnel",
    "training_section",
    "training_summary",
    "training_sentences",
]

#: The AFPA convention's steering indicators (« Indicateurs de pilotage de la
#: relation (illustration) », S003 L219-234): code → (theme, exact name, source).
AFPA_INDICATORS: dict[str, tuple[str, str, str]] = {
    "prescriptions_par_offre": (
        "Suivi de la prescription",
        "Nombre de prescriptions par offres",
        "S003 L224",
    ),
    "prescriptions_hors_region": (
        "Suivi de la prescription",
        "Nombre de prescriptions hors région",
        "S003 L225",
    ),
    "prescriptions_secteur_type_offre": (
        "Suivi de la prescription",
        "Répartition des prescriptions par secteur et par type d'offres",
        "S003 L226",
    ),
    "reservations": ("Suivi des réservations", "Nombre de réservations effectives", "S003 L227"),
    "liste_attente": (
        "Suivi des réservations",
        "Nombre de candidats en « liste d'attente »",
        "S003 L228",
    ),
    "taux_desistement": (
        "Suivi des réservations",
        "Taux de refus avant entrée / de désistement",
        "S003 L229",
    ),
    "motifs_desistement": (
        "Suivi des réservations",
        "Répartition des motifs de désistement",
        "S003 L230",
    ),
    "entrees": ("Suivi des entrées en formation", "Nombre d'entrées en formation", "S003 L231"),
    "taux_abandon": ("Suivi des entrées en formation", "Taux d'abandon", "S003 L232"),
    "motifs_abandon": (
        "Suivi des entrées en formation",
        "Répartition des motifs d'abandon",
        "S003 L233",
    ),
    "taux_reussite": ("Suivi des parcours", "Taux de réussite des parcours", "S003 L234"),
}

#: The annex « Indicateurs de suivi et d'évaluation de la mise en œuvre des
#: dispositifs » of the Région – Pôle emploi convention (S002 L614-625): code →
#: (source line, dispositif, exact name, periodicity).
REGION_ANNEX_INDICATORS: dict[str, tuple[str, str, str, str]] = {
    "spo_orientation_specialisee": (
        "S002 L618",
        "SPO",
        "Annuellement, nombre de demandeurs d'emploi ayant bénéficié d'une prestation "
        "d'orientation spécialisée par un psychologue du travail de Pôle Emploi.",
        "annuel",
    ),
    "spo_territoires_coordination": (
        "S002 L618",
        "SPO",
        "Nombre de territoires labellisés où Pôle Emploi assure la fonction de coordination.",
        "non précisé",
    ),
    "spo_professionnalisation": (
        "S002 L618",
        "SPO",
        "Annuellement, nombre de conseillers de Pôle Emploi ayant participé à des actions de "
        "professionnalisation régionales ou territoriales et volume horaire afférent.",
        "annuel",
    ),
    "vae_pole_emploi": (
        "S002 L619",
        "VAE",
        "Annuellement, nombre de demandeurs d'emploi ayant bénéficié d'un cofinancement de Pôle "
        "Emploi pour un parcours VAE et montant financier total afférent.",
        "annuel",
    ),
    "vae_region": (
        "S002 L619",
        "VAE",
        "Annuellement, nombre de demandeurs d'emploi ayant bénéficié d'un cofinancement de la "
        "Région pour un parcours VAE et montant financier total afférent.",
        "annuel",
    ),
    "gtec_conventions": (
        "S002 L620",
        "GTEC",
        "Nombre de conventions afférentes à des plans d'actions de GTEC signées par la Région et "
        "Pôle Emploi",
        "non précisé",
    ),
    "gtec_reunions": (
        "S002 L620",
        "GTEC",
        "Nombre de réunions mobilisant des agents de Pôle Emploi ayant participé aux démarches de "
        "GTEC et temps ETP annuel afférent.",
        "non précisé (ETP annuel)",
    ),
    "gpec_reunions": (
        "S002 L621",
        "GPEC de filières",
        "Nombre de réunions mobilisant des agents de Pôle Emploi ayant participé aux démarches de "
        "GPEC de filières et temps ETP annuel afférent.",
        "non précisé (ETP annuel)",
    ),
    "csp_pole_emploi": (
        "S002 L622",
        "Licenciés économiques",
        "Semestriellement, nombre de formations cofinancées par Pôle Emploi dans le cadre du CSP",
        "semestriel",
    ),
    "csp_region": (
        "S002 L622",
        "Licenciés économiques",
        "Semestriellement, nombre de formations cofinancées par la Région dans le cadre du CSP",
        "semestriel",
    ),
    "licencies_economiques_region": (
        "S002 L622",
        "Licenciés économiques",
        "Annuellement, nombre de bénéficiaires d'une formation à l'issue d'un licenciement "
        "économique dans le cadre de l'offre de formation professionnelle continue de la Région.",
        "annuel",
    ),
    "cif_cdd_reunions": (
        "S002 L623",
        "CIF-CDD, CIF-TT",
        "Annuellement, nombre de réunions collectives d'information sur le CIF-CDD organisées par "
        "Pôle Emploi",
        "annuel",
    ),
    "prescriptions": (
        "S002 L624",
        "Prescription de formation",
        "Annuellement le nombre de prescription de formation",
        "annuel",
    ),
    "suites_parcours_qualifiants": (
        "S002 L625",
        "Formation professionnelle continue",
        "Annuellement le nombre de suites de parcours en formation qualifiante",
        "annuel",
    ),
    "certifications": (
        "S002 L625",
        "Formation professionnelle continue",
        "Annuellement le nombre d'obtention de la certification",
        "annuel",
    ),
    "acces_emploi": (
        "S002 L625",
        "Formation professionnelle continue",
        "Annuellement le nombre d'accès ou de retour à l'emploi",
        "annuel",
    ),
}

#: Status of an annex indicator the inputs cannot give.
NOT_COMPUTABLE = "non calculable à partir des données fournies"

#: Count columns of :func:`training_funnel`, in funnel order.
FUNNEL_COUNTS: tuple[str, ...] = (
    "prescriptions",
    "prescriptions_hors_region",
    "reservations",
    "liste_attente",
    "desistements",
    "entrees",
    "abandons",
    "formations_terminees",
    "certifications",
)

#: Success rules of « Taux de réussite des parcours » (L234; the seed gives no rule).
SUCCESS_RULES: dict[str, str] = {
    "certification": "certifiées / parcours achevés (abandons + terminées + certifiées)",
    "fin_de_formation": "terminées ou certifiées / parcours achevés",
}

TOTAL = "Ensemble"
_UNKNOWN = "non renseigné"
_BOOKED = ["reserve", "entre", "abandon", "termine", "certifie"]
_ENTERED = ["entre", "abandon", "termine", "certifie"]
_COMPLETED = ["termine", "certifie"]
_SESSION_COLUMNS = {
    "centre": "centre",
    "organisme": "organisme",
    "afpa": "afpa",
    "financeur": "financeur",
    "cofinanceur": "cofinanceur",
    "intitule": "intitule",
    "commune": "site_commune",
    "departement": "site_departement",
    "region": "site_region",
    "metier": "metier",
    "nomenclature_metier": "nomenclature_metier",
    "type_offre": "type_offre",
    "secteur": "secteur",
    "dispositif": "dispositif",
}
_AGENCE_COLUMNS = {
    "nom": "agence_nom",
    "departement": "agence_departement",
    "region": "agence_region",
    "commune": "agence_commune",
}


# --------------------------------------------------------------------------- plumbing


def _keys(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _sites(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions with their site columns named as in the joined table."""
    present = {k: v for k, v in _SESSION_COLUMNS.items() if k in sessions.columns}
    return sessions[["session_id", *present]].rename(columns=present)


def _joined(
    prescriptions: pd.DataFrame,
    sessions: pd.DataFrame | None,
    agences: pd.DataFrame | None = None,
    *,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Prescriptions with their session's site and their agence's territory.

    ``columns`` limits the joined columns to those named (``None``: all of
    :data:`_SESSION_COLUMNS` and :data:`_AGENCE_COLUMNS`); ``hors_region`` among them
    is the file's flag where given, else ``agence_region != site_region`` (missing
    when a région is unknown).
    """
    wanted = None if columns is None else set(columns)
    if wanted is not None and "hors_region" in wanted:
        wanted |= {"agence_region", "site_region"}

    def keep(table: pd.DataFrame, key: str) -> pd.DataFrame:
        chosen = [c for c in table.columns if c != key and (wanted is None or c in wanted)]
        return table[[key, *chosen]]

    out = prescriptions.copy(deep=False)  # columns are added: never on the caller's frame
    if sessions is not None:
        _lookup_columns(out, "session_id", keep(_sites(sessions), "session_id"))
    if agences is not None:
        ag = agences[["agence", *_AGENCE_COLUMNS]].rename(columns=_AGENCE_COLUMNS)
        _lookup_columns(out, "agence", keep(ag, "agence"))
    for col in [*_SESSION_COLUMNS.values(), *_AGENCE_COLUMNS.values()]:
        if col not in out.columns and (wanted is None or col in wanted):
            out[col] = pd.Series(pd.NA, index=out.index, dtype="string")
    if wanted is None or "hors_region" in wanted:
        derived = _differs(out["agence_region"], out["site_region"])
        given = out["hors_region"] if "hors_region" in out else pd.Series(pd.NA, index=out.index)
        out["hors_region"] = given.astype("boolean").fillna(pd.Series(derived, index=out.index))
    return out


def _lookup_columns(out: pd.DataFrame, key: str, table: pd.DataFrame) -> None:
    """Add to ``out`` the columns of ``table`` found by ``key``.

    A left many-to-one join, by position: faster than a merge on 500,000 rows, and
    ``out``'s index kept.
    """
    if len(table.columns) < 2:
        return
    if table[key].duplicated().any():
        raise SchemaError(f"Formation : {key} en double dans la table jointe ; relisez-la.")
    codes, uniques = pd.factorize(out[key])  # hash the 30,000 keys, not 500,000 strings
    position = pd.Index(table[key]).get_indexer(uniques).take(codes)
    position[codes < 0] = -1
    for col in table.columns.drop(key):
        out[col] = table[col].array.take(position, allow_fill=True)


def _differs(a: pd.Series, b: pd.Series) -> pd.arrays.BooleanArray:
    """``a != b`` element-wise, ``<NA>`` where either is missing."""
    a, b = a.astype("string"), b.astype("string")
    out = pd.array((a != b).fillna(False).to_numpy(dtype=bool), dtype="boolean")
    out[(a.isna() | b.isna()).to_numpy(dtype=bool)] = pd.NA
    return out


def _check_by(frame: pd.DataFrame, keys: list[str], what: str) -> None:
    unknown = [k for k in keys if k not in frame.columns]
    if unknown:
        raise SchemaError(
            f"{what} : regroupement impossible par {', '.join(unknown)} (possibles : agence, "
            "agence_departement, agence_region, centre, organisme, financeur, site_commune, "
            "site_departement, site_region, session_id, metier, secteur, type_offre, dispositif)."
        )


def _year_of(dates: pd.Series, year: int | None) -> pd.Series:
    if year is None:
        return pd.Series(True, index=dates.index)
    return (dates.dt.year == year).fillna(False).astype(bool)


def _stage_flags(j: pd.DataFrame) -> pd.DataFrame:
    """One 0/1 column per count of :data:`FUNNEL_COUNTS`, aligned on ``j``."""
    st = j["statut"]
    flags = {
        "prescriptions": np.ones(len(j), dtype=np.int64),
        "prescriptions_hors_region": j["hors_region"].fillna(False).to_numpy(dtype=bool),
        "reservations": (st.isin(_BOOKED) | j["date_reservation"].notna()).to_numpy(dtype=bool),
        "liste_attente": (st == "liste_attente").to_numpy(dtype=bool),
        "desistements": (st == "desistement").to_numpy(dtype=bool),
        "entrees": st.isin(_ENTERED).to_numpy(dtype=bool),
        "abandons": (st == "abandon").to_numpy(dtype=bool),
        "formations_terminees": st.isin(_COMPLETED).to_numpy(dtype=bool),
        "certifications": (st == "certifie").to_numpy(dtype=bool),
    }
    return pd.DataFrame({k: np.asarray(v, dtype=np.int64) for k, v in flags.items()}, index=j.index)


def _group_keys(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Key columns as strings, missing keys written « non renseigné »."""
    return pd.DataFrame(
        {k: frame[k].astype("string").fillna(_UNKNOWN) for k in keys}, index=frame.index
    )


def _aggregate(
    values: pd.DataFrame, keys: pd.DataFrame, counts: Sequence[str], *, total: bool
) -> pd.DataFrame:
    """Raw sums of ``counts`` by the columns of ``keys`` (sorted), with an « Ensemble » row."""
    counts = list(counts)
    names = list(keys.columns)
    parts = []
    if names:
        by = [keys[name] for name in names]
        parts.append(values[counts].groupby(by, sort=True).sum().reset_index())
    if total or not names:
        row = pd.DataFrame([values[counts].sum().to_numpy()], columns=counts)
        for name in reversed(names):
            row.insert(0, name, TOTAL)
        parts.append(row)
    out = pd.concat(parts, ignore_index=True)
    for name in names:
        out[name] = out[name].astype("string")
    return out.astype({c: "int64" for c in counts})


def _is_total(table: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    if not keys:
        return np.ones(len(table), dtype=bool)
    return table[list(keys)].eq(TOTAL).all(axis=1).to_numpy(dtype=bool)


def _protect(
    table: pd.DataFrame,
    keys: Sequence[str],
    counts: Sequence[str],
    *,
    groups: Iterable[Sequence[str]] | None = None,
    threshold: int | None,
) -> pd.DataFrame:
    """Protect the detail rows and the « Ensemble » rows; the row order is kept.

    The detail rows with ``groups`` (default: the table total is shown), the
    « Ensemble » rows with primary suppression only.
    """
    total = _is_total(table, keys)
    detail = protect_counts(
        table[~total], counts, groups=list(groups) if groups else [[]], threshold=threshold
    )
    totals = protect_counts(table[total], counts, groups=[], threshold=threshold)
    out = pd.concat([detail, totals]).sort_index()
    for col in counts:
        out[col] = out[col].astype("Int64")
    return out


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    n = num.astype("Float64")
    d = den.astype("Float64")
    return (n / d.mask(d == 0)).astype("Float64")


def _hide(
    table: pd.DataFrame, values: Sequence[str], counts: Sequence[str], threshold: int | None
) -> pd.DataFrame:
    """Hide ``values`` wherever one of the ``counts`` they derive from is hidden."""
    for count in counts:
        table = protect_values(table, values, count=count, threshold=threshold)
    return table


def _with_agence_names(
    table: pd.DataFrame, keys: list[str], agences: pd.DataFrame | None
) -> pd.DataFrame:
    if "agence" in keys and agences is not None and agences["nom"].notna().any():
        names = agences.set_index("agence")["nom"]
        table.insert(keys.index("agence") + 1, "agence_nom", table["agence"].map(names))
        table["agence_nom"] = table["agence_nom"].astype("string")
    return table


# --------------------------------------------------------------------------- funnel


def _check_success_rule(rule: str) -> None:
    if rule not in SUCCESS_RULES:
        raise ValueError(
            f"Règle de réussite {rule!r} inconnue (attendu : {', '.join(SUCCESS_RULES)})."
        )


def _prepare(
    prescriptions: pd.DataFrame,
    sessions: pd.DataFrame | None,
    agences: pd.DataFrame | None,
    keys: list[str],
    *,
    year: int | None,
    afpa_only: bool,
    what: str,
    extra: Sequence[str] = ("hors_region",),
) -> pd.DataFrame:
    """The prescriptions of ``year`` (to AFPA sessions only if asked).

    Joined to the columns that ``keys`` and ``extra`` need.
    """
    if year is not None:
        prescriptions = prescriptions[_year_of(prescriptions["date_prescription"], year).to_numpy()]
    wanted = [*keys, *extra, *(["afpa"] if afpa_only else [])]
    j = _joined(prescriptions, sessions, agences, columns=wanted)
    _check_by(j, keys, what)
    if afpa_only:
        j = j[j["afpa"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    return j


def training_funnel(
    prescriptions: pd.DataFrame,
    sessions: pd.DataFrame | None = None,
    agences: pd.DataFrame | None = None,
    *,
    by: str | Sequence[str] | None = "agence",
    year: int | None = None,
    afpa_only: bool = False,
    success_rule: str = "certification",
    total: bool = True,
    threshold: int | None = None,
) -> pd.DataFrame:
    """The prescription → entry → outcome funnel of the AFPA convention (S003 L223-234).

    Each prescription counts once, at its furthest step (its ``statut``): a
    réservation effective is a booked prescription (status réservée or any later
    one, or a ``date_reservation``: a booking followed by a désistement counts), a
    candidate « en liste d'attente » is one whose status still is « liste
    d'attente », an entry is a status entrée, abandon, terminée or certifiée.

    Rates (the seed gives no formula; the choices are written here):

    - ``taux_desistement`` (« Taux de refus avant entrée / de désistement »):
      désistements / prescriptions;
    - ``taux_abandon``: abandons / entrées;
    - ``taux_reussite`` (« Taux de réussite des parcours »), per ``success_rule``
      (:data:`SUCCESS_RULES`): ``"certification"`` (default) certifiées / parcours
      achevés (abandons + terminées + certifiées); ``"fin_de_formation"`` terminées
      or certifiées / parcours achevés. Trainings still running are left out.

    Counts are under disclosure control (the detail rows add up to the
    « Ensemble » row), rates are hidden with any count they derive from.

    Parameters
    ----------
    prescriptions, sessions, agences
        From the readers; ``sessions`` is needed to group by centre, funder or site
        and to tell out-of-region prescriptions, ``agences`` to group by the
        agence's territory.
    by
        Column(s) of the joined table: ``"agence"`` (default), ``"centre"``,
        ``"agence_departement"``, ``"agence_region"``, ``"site_departement"``,
        ``"financeur"``...; ``None`` for the « Ensemble » row only.
    year
        Keep the prescriptions made that year (a cohort followed to its latest
        status).
    afpa_only
        Keep the prescriptions to AFPA sessions only.
    success_rule
        Key of :data:`SUCCESS_RULES`.
    total
        Add an « Ensemble » row.
    threshold
        Disclosure threshold (default :data:`geo.settings.disclosure_threshold`).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns (and ``agence_nom`` when grouping by agence), the counts
        of :data:`FUNNEL_COUNTS` (``Int64``, hidden ``<NA>``), ``taux_desistement``,
        ``taux_abandon``, ``taux_reussite`` (``Float64``). ``attrs["regle_reussite"]``
        says the success rule, ``attrs["hors_region_inconnu"]`` counts the
        prescriptions whose out-of-region status could not be told.

    Raises
    ------
    SchemaError
        ``by`` names a column the inputs do not have.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> f = training_funnel(inputs["prescriptions"], inputs["sessions"], inputs["agences"], by=None)
    >>> f[["prescriptions", "reservations", "entrees", "certifications"]].iloc[0].tolist()
    [1172, 671, 498, 191]
    """
    _check_success_rule(success_rule)
    keys = _keys(by)
    j = _prepare(
        prescriptions,
        sessions,
        agences,
        keys,
        year=year,
        afpa_only=afpa_only,
        what="Entonnoir de la prescription",
    )
    return _funnel_table(
        j, keys, agences, success_rule=success_rule, total=total, threshold=threshold
    )


def _funnel_table(
    j: pd.DataFrame,
    keys: list[str],
    agences: pd.DataFrame | None,
    *,
    success_rule: str,
    total: bool,
    threshold: int | None,
) -> pd.DataFrame:
    """The protected funnel of the prepared prescriptions ``j`` (:func:`training_funnel`)."""
    counts = list(FUNNEL_COUNTS)
    table = _aggregate(_stage_flags(j), _group_keys(j, keys), counts, total=total)
    finished = table["abandons"] + table["formations_terminees"]
    success = table["certifications" if success_rule == "certification" else "formations_terminees"]
    table["taux_desistement"] = _ratio(table["desistements"], table["prescriptions"])
    table["taux_abandon"] = _ratio(table["abandons"], table["entrees"])
    table["taux_reussite"] = _ratio(success, finished)
    table = _protect(table, keys, counts, threshold=threshold)
    table = _hide(table, ["taux_desistement"], ["desistements", "prescriptions"], threshold)
    table = _hide(table, ["taux_abandon"], ["abandons", "entrees"], threshold)
    table = _hide(
        table, ["taux_reussite"], ["abandons", "formations_terminees", "certifications"], threshold
    )
    table = _with_agence_names(table.reset_index(drop=True), keys, agences)
    table.attrs["regle_reussite"] = SUCCESS_RULES[success_rule]
    table.attrs["hors_region_inconnu"] = int(j["hors_region"].isna().sum())
    return table


def _breakdown(
    j: pd.DataFrame,
    keys: list[str],
    mask: np.ndarray,
    modality: pd.Series,
    *,
    total: bool,
    threshold: int | None,
) -> pd.DataFrame:
    """Counts of the rows of ``mask`` by ``keys`` × modality, protected.

    The modalities of a group add up to a count shown in the funnel, each modality
    adds up over the groups to the « Ensemble » breakdown.
    """
    sub = j[mask]
    frame = _group_keys(sub, keys)
    frame["modalite"] = modality[mask].astype("string").fillna(_UNKNOWN)
    ones = pd.DataFrame({"valeur": np.ones(len(sub), dtype=np.int64)}, index=sub.index)
    parts = []
    if keys:
        detail = _aggregate(ones, frame, ["valeur"], total=False)
        if len(detail):
            parts.append(
                protect_counts(detail, ["valeur"], groups=[keys, ["modalite"]], threshold=threshold)
            )
    if total or not keys:
        overall = _aggregate(ones, frame[["modalite"]], ["valeur"], total=False)
        for name in reversed(keys):
            overall.insert(0, name, TOTAL)
        if len(overall):
            parts.append(protect_counts(overall, ["valeur"], groups=[[]], threshold=threshold))
    if not parts:
        return pd.DataFrame(columns=[*keys, "modalite", "valeur"])
    out = pd.concat(parts, ignore_index=True)
    out["valeur"] = out["valeur"].astype("Int64")
    return out


def afpa_indicators(
    prescriptions: pd.DataFrame,
    sessions: pd.DataFrame,
    agences: pd.DataFrame | None = None,
    *,
    by: str | Sequence[str] | None = None,
    year: int | None = None,
    afpa_only: bool = True,
    success_rule: str = "certification",
    total: bool = True,
    threshold: int | None = None,
) -> pd.DataFrame:
    """The AFPA convention's eleven steering indicators, with their exact names.

    The « Indicateurs de pilotage de la relation » (S003 L219-234,
    :data:`AFPA_INDICATORS`), « décliné jusqu'à la maille géographique la plus
    fine » (L221): per ``by`` (an agence, a territory of agences, a centre...) and
    for the « Ensemble ». Counts and rates come from :func:`training_funnel` (same
    rules); the four breakdowns are counts per modality: « par offres » = per
    session (``session_id – intitule``), « par secteur et par type d'offres » =
    ``secteur × type_offre`` of the session, the reasons of the désistements and of
    the abandons (``motif``; the seed gives no list of reasons). Missing values are
    written « non renseigné ».

    Parameters
    ----------
    prescriptions, sessions, agences, by, year, success_rule, total, threshold
        As in :func:`training_funnel`.
    afpa_only
        Keep the prescriptions to AFPA sessions only (default: these are the AFPA
        convention's indicators); ``False`` applies them to every provider.

    Returns
    -------
    pandas.DataFrame
        Long table: the ``by`` columns, ``theme``, ``indicateur`` (the seed's exact
        name), ``source`` (``S003 L2xx``), ``modalite`` (``<NA>`` for a single
        value), ``valeur`` (``Float64``; hidden ``<NA>``), ``unite`` (``nombre`` or
        ``taux``, a share between 0 and 1).

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> t = afpa_indicators(inputs["prescriptions"], inputs["sessions"], inputs["agences"])
    >>> t["indicateur"].nunique(), t["source"].iloc[0]
    (11, 'S003 L224')
    >>> t.loc[t["indicateur"] == "Nombre de prescriptions hors région", "valeur"].tolist()
    [16.0]
    """
    _check_success_rule(success_rule)
    keys = _keys(by)
    j = _prepare(
        prescriptions,
        sessions,
        agences,
        keys,
        year=year,
        afpa_only=afpa_only,
        what="Indicateurs AFPA",
    )
    funnel = _funnel_table(
        j, keys, None, success_rule=success_rule, total=total, threshold=threshold
    )
    scalars = {
        "prescriptions_hors_region": "nombre",
        "reservations": "nombre",
        "liste_attente": "nombre",
        "taux_desistement": "taux",
        "entrees": "nombre",
        "taux_abandon": "taux",
        "taux_reussite": "taux",
    }
    parts = []
    for code, unit in scalars.items():
        part = funnel[keys].copy()
        part["code"] = code
        part["modalite"] = pd.NA
        part["valeur"] = funnel[code].astype("Float64")
        part["unite"] = unit
        parts.append(part)
    st = j["statut"]
    # the labels of the modalities, made on the sessions and looked up
    offer = sessions["session_id"].astype("string")
    title = sessions["intitule"].astype("string") if "intitule" in sessions else None
    sector = sessions.get("secteur", pd.Series(pd.NA, index=sessions.index)).astype("string")
    kind = sessions.get("type_offre", pd.Series(pd.NA, index=sessions.index)).astype("string")
    labels = pd.DataFrame(
        {
            "session_id": sessions["session_id"],
            "_offre": offer if title is None else (offer + " – " + title).fillna(offer),
            "_secteur_type": sector.fillna(_UNKNOWN) + " × " + kind.fillna(_UNKNOWN),
        }
    )
    modalities = j[["session_id"]].copy()
    _lookup_columns(modalities, "session_id", labels)
    everyone = np.ones(len(j), dtype=bool)
    breakdowns = {
        "prescriptions_par_offre": (everyone, modalities["_offre"]),
        "prescriptions_secteur_type_offre": (everyone, modalities["_secteur_type"]),
        "motifs_desistement": ((st == "desistement").to_numpy(dtype=bool), j["motif"]),
        "motifs_abandon": ((st == "abandon").to_numpy(dtype=bool), j["motif"]),
    }
    for code, (mask, modality) in breakdowns.items():
        part = _breakdown(j, keys, mask, modality, total=total, threshold=threshold)
        part["code"] = code
        part["valeur"] = part["valeur"].astype("Float64")
        part["unite"] = "nombre"
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    order = {code: i for i, code in enumerate(AFPA_INDICATORS)}
    out["_total"] = _is_total(out, keys)
    out["_ordre"] = out["code"].map(order)
    out = out.sort_values([*keys, "_ordre", "modalite"], kind="stable", na_position="first")
    out = out.sort_values("_total", kind="stable")
    out["theme"] = out["code"].map({k: v[0] for k, v in AFPA_INDICATORS.items()})
    out["indicateur"] = out["code"].map({k: v[1] for k, v in AFPA_INDICATORS.items()})
    out["source"] = out["code"].map({k: v[2] for k, v in AFPA_INDICATORS.items()})
    columns = [*keys, "theme", "indicateur", "source", "modalite", "valeur", "unite"]
    out = out[columns].reset_index(drop=True)
    for col in ("theme", "indicateur", "source", "modalite", "unite"):
        out[col] = out[col].astype("string")
    out.attrs["regle_reussite"] = funnel.attrs["regle_reussite"]
    return out


# --------------------------------------------------------------------------- places, delays


def _entries_per_session(sessions: pd.DataFrame, prescriptions: pd.DataFrame) -> np.ndarray:
    """Entries (status entrée or later) into each of ``sessions``, aligned on its rows."""
    entered = prescriptions.loc[prescriptions["statut"].isin(_ENTERED), "session_id"]
    counts = sessions["session_id"].map(entered.value_counts())
    return counts.fillna(0).to_numpy(dtype=np.int64)


def place_fill_rate(
    sessions: pd.DataFrame,
    prescriptions: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "financeur",
    year: int | None = None,
    total: bool = True,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Use of the financed places by funder and territory (S003 L19, L212).

    ``taux_remplissage`` = entries into the sessions / financed places (above 1 when
    a session took more people than financed); ``places_non_pourvues`` = places −
    entries, at least 0. An entry is a prescription with status entrée, abandon,
    terminée or certifiée. Places are not person-level and are shown as they are;
    entries are under disclosure control, and the rate and the unfilled places with
    them.

    Parameters
    ----------
    sessions, prescriptions
        From the readers.
    by
        Column(s): ``"financeur"`` (default), ``"cofinanceur"``, ``"centre"``,
        ``"organisme"``, ``"site_departement"``, ``"site_region"``, ``"dispositif"``,
        ``"type_offre"``...; e.g. ``["financeur", "site_departement"]`` for funder
        and territory.
    year
        Keep the sessions starting (``date_debut``) that year.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``sessions``, ``places``, ``entrees`` (``Int64``),
        ``taux_remplissage``, ``places_non_pourvues`` (``Float64``), an
        « Ensemble » row when ``total``.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> r = place_fill_rate(inputs["sessions"], inputs["prescriptions"])
    >>> r.loc[r["financeur"] == "region", ["places", "entrees"]].iloc[0].tolist()
    [314, 274]
    """
    keys = _keys(by)
    s = _sites(sessions).assign(places=sessions["places"].to_numpy())
    if "date_debut" in sessions:
        s = s[_year_of(sessions["date_debut"], year).to_numpy()]
    _check_by(s, keys, "Taux de remplissage")
    values = pd.DataFrame(
        {
            "sessions": np.ones(len(s), dtype=np.int64),
            "places": s["places"].to_numpy(dtype=np.int64),
            "entrees": _entries_per_session(s, prescriptions),
        },
        index=s.index,
    )
    table = _aggregate(values, _group_keys(s, keys), ["sessions", "places", "entrees"], total=total)
    table["taux_remplissage"] = _ratio(table["entrees"], table["places"])
    table["places_non_pourvues"] = (
        (table["places"] - table["entrees"]).clip(lower=0).astype("Float64")
    )
    groups = [[k] for k in keys] if len(keys) > 1 else [[]]
    table = _protect(table, keys, ["entrees"], groups=groups, threshold=threshold)
    table = _hide(table, ["taux_remplissage", "places_non_pourvues"], ["entrees"], threshold)
    return table.reset_index(drop=True)


def entry_waiting_time(
    prescriptions: pd.DataFrame,
    sessions: pd.DataFrame | None = None,
    agences: pd.DataFrame | None = None,
    *,
    by: str | Sequence[str] | None = "agence",
    year: int | None = None,
    total: bool = True,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Days to entry into training: median and 90th percentile (S003 L25, S002 L299).

    Two delays: ``prescription_entree`` (``date_entree − date_prescription``) and
    ``reservation_entree`` (``date_entree − date_reservation``), over the entries
    with both dates. The seed sets no norm: descriptive only. Statistics of groups
    with fewer than ``threshold`` entries (or whose count is hidden) are hidden.

    Parameters
    ----------
    prescriptions, sessions, agences, by, total, threshold
        As in :func:`training_funnel`.
    year
        Keep the entries of that year (``date_entree``).

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``delai``, ``n`` (``Int64``), ``mediane_jours``,
        ``p90_jours`` (``Float64``; the 90th percentile interpolated linearly).

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> w = entry_waiting_time(inputs["prescriptions"], by=None)
    >>> w[["delai", "n", "mediane_jours"]].values.tolist()
    [['prescription_entree', 498, 39.0], ['reservation_entree', 498, 27.0]]
    """
    keys = _keys(by)
    entries = prescriptions[prescriptions["date_entree"].notna().to_numpy(dtype=bool)]
    entries = entries[_year_of(entries["date_entree"], year).to_numpy()]
    j = _joined(entries, sessions, agences, columns=keys)
    _check_by(j, keys, "Délais d'entrée en formation")
    delays = {
        "prescription_entree": "date_prescription",
        "reservation_entree": "date_reservation",
    }
    frames = []
    for name, start in delays.items():
        days = (j["date_entree"] - j[start]).dt.days
        frame = _group_keys(j, keys).assign(j=days).dropna(subset=["j"])
        groupings = [(keys, frame)] if keys else []
        if total or not keys:
            groupings.append(([], frame))
        for grouping, data in groupings:
            if grouping:
                grouped = data.groupby(grouping, sort=True)["j"]
                stats = pd.DataFrame(
                    {
                        "n": grouped.size(),
                        "mediane_jours": grouped.median(),
                        "p90_jours": grouped.quantile(0.9),
                    }
                ).reset_index()
            else:
                stats = pd.DataFrame(
                    {
                        **{k: [TOTAL] for k in keys},
                        "n": [len(data)],
                        "mediane_jours": [data["j"].median()],
                        "p90_jours": [data["j"].quantile(0.9)],
                    }
                )
            stats.insert(len(keys), "delai", name)
            frames.append(stats)
    table = pd.concat(frames, ignore_index=True)
    table["_ordre"] = table["delai"].map({d: i for i, d in enumerate(delays)})
    table["_total"] = _is_total(table, keys) if keys else False
    table = table.sort_values(["_total", *keys, "_ordre"], kind="stable").reset_index(drop=True)
    table = table.drop(columns=["_ordre", "_total"])
    table = _protect(table, keys, ["n"], groups=[["delai"]], threshold=threshold)
    table = protect_values(table, ["mediane_jours", "p90_jours"], count="n", threshold=threshold)
    return _with_agence_names(table.reset_index(drop=True), keys, agences)


# --------------------------------------------------------------------------- flows


def _territory_communes(territory: Any) -> tuple[str, ...] | None:
    if territory is None:
        return None
    return territory_parts(territory)[3]


def training_flows(
    prescriptions: pd.DataFrame,
    sessions: pd.DataFrame,
    agences: pd.DataFrame | None = None,
    *,
    territory: Territory | Sequence[str] | None = None,
    year: int | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Origin–destination flows agence → training site (centre).

    One row per agence × centre with prescriptions, entries and out-of-region
    prescriptions (S003 L225; L101 for the national out-of-region scheme).
    ``hors_region`` says whether the site lies in another région than the agence
    (``<NA>`` when a région is unknown); ``hors_territoire`` whether the site's
    commune is outside ``territory`` (a :class:`geo.territories.Territory` or a list
    of commune codes; a site without commune counts as outside; ``<NA>`` without a
    territory). Counts are under disclosure control: the flows of an agence, of a
    centre and of the whole table add up to totals that can be shown.

    Returns
    -------
    pandas.DataFrame
        ``agence, agence_nom, centre, site_commune, site_departement, site_region,
        hors_region, hors_territoire, prescriptions, entrees,
        prescriptions_hors_region``.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> f = training_flows(inputs["prescriptions"], inputs["sessions"], inputs["agences"])
    >>> int(f["hors_region"].sum()), f["centre"].nunique()
    (8, 6)
    """
    if year is not None:
        prescriptions = prescriptions[_year_of(prescriptions["date_prescription"], year).to_numpy()]
    sites = ["centre", "site_commune", "site_departement", "site_region"]
    j = _joined(prescriptions, sessions, agences, columns=[*sites, "hors_region"])
    flags = _stage_flags(j)[["prescriptions", "entrees", "prescriptions_hors_region"]]
    keys = ["agence", "centre"]
    counts = list(flags.columns)
    table = _aggregate(flags, _group_keys(j, keys), counts, total=False)
    where = _sites(sessions).drop_duplicates("centre").set_index("centre")
    for col in sites[1:]:
        table[col] = table["centre"].map(where[col]).astype("string")
    names = (
        agences.set_index("agence")[["nom", "region"]]
        if agences is not None
        else pd.DataFrame(columns=["nom", "region"], dtype="string")
    )
    table.insert(1, "agence_nom", table["agence"].map(names["nom"]).astype("string"))
    table["hors_region"] = _differs(table["agence"].map(names["region"]), table["site_region"])
    communes = _territory_communes(territory)
    if communes is None:
        table["hors_territoire"] = pd.array([pd.NA] * len(table), dtype="boolean")
    else:
        inside = table["site_commune"].isin(set(communes)).fillna(False).to_numpy(dtype=bool)
        table["hors_territoire"] = pd.array(~inside, dtype="boolean")
    table = table[[*table.columns.drop(counts), *counts]]
    return protect_counts(
        table, counts, groups=[["agence"], ["centre"], []], threshold=threshold
    ).reset_index(drop=True)


def training_flow_matrix(flows: pd.DataFrame, *, value: str = "prescriptions") -> pd.DataFrame:
    """The agence × centre matrix of a (protected) :func:`training_flows` table.

    Absent pairs are 0, hidden cells stay ``<NA>``. Centres outside the territory or
    the région are labelled « (hors territoire) », « (hors région) ».

    Examples
    --------
    >>> f = pd.DataFrame({"agence": ["A1", "A1", "A2"], "centre": ["C1", "C2", "C1"],
    ...     "hors_region": [False, True, False], "hors_territoire": [False, True, False],
    ...     "prescriptions": pd.array([12, None, 7], dtype="Int64")})
    >>> training_flow_matrix(f)
    centre  C1  C2 (hors territoire, hors région)
    agence
    A1      12                               <NA>
    A2       7                                  0
    """
    outside = {}
    for column in ("hors_territoire", "hors_region"):
        flag = flows[column] if column in flows else pd.Series(pd.NA, index=flows.index)
        outside[column] = flag.astype("boolean").fillna(False).to_numpy(dtype=bool)
    centres = pd.DataFrame({"centre": flows["centre"].astype("string").to_numpy(), **outside})
    centres = centres.groupby("centre", sort=True).any()
    labels = {}
    for centre, away, elsewhere in centres.itertuples():
        notes = [n for n, f in (("hors territoire", away), ("hors région", elsewhere)) if f]
        labels[centre] = f"{centre} ({', '.join(notes)})" if notes else centre
    rows = pd.Index(sorted(flows["agence"].astype("string").unique()), name="agence")
    r = rows.get_indexer(flows["agence"].astype("string"))
    c = centres.index.get_indexer(flows["centre"].astype("string"))
    v = flows[value].astype("Int64")
    data = np.zeros((len(rows), len(centres)), dtype=np.int64)
    hidden = np.zeros(data.shape, dtype=bool)
    data[r, c] = v.fillna(0).to_numpy(dtype=np.int64)
    hidden[r, c] = v.isna().to_numpy(dtype=bool)
    columns = {
        labels[centre]: pd.arrays.IntegerArray(data[:, k], hidden[:, k])
        for k, centre in enumerate(centres.index)
    }
    matrix = pd.DataFrame(columns, index=rows)
    matrix.columns.name = "centre"
    return matrix


def map_training_flows(
    flows: pd.DataFrame,
    sessions: pd.DataFrame,
    agences: pd.DataFrame,
    *,
    value: str = "prescriptions",
    title: str | None = None,
) -> folium.Map:
    """Map the flows of :func:`training_flows` as lines agence → training site.

    Line width follows the (protected) volume; hidden volumes are thin dashed lines
    with « secret statistique » in the tooltip. Agences are red, AFPA centres green,
    other providers blue; sites outside the territory or the région are orange.
    Coordinates come from the ``latitude``/``longitude`` of ``agences`` and
    ``sessions`` (pairs with an unknown site are left out and counted in the title).
    Offline: no tiles; save with :func:`geo.maps.save_map`.

    Examples
    --------
    >>> from geo import settings
    >>> from geo.maps import self_contained_html
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> f = training_flows(inputs["prescriptions"], inputs["sessions"], inputs["agences"])
    >>> m = map_training_flows(f, inputs["sessions"], inputs["agences"])
    >>> "hors région" in self_contained_html(m.get_root().render())
    True
    """
    import folium

    from geo.escape import html_text
    from geo.maps import add_flow_line, add_legend, add_title, point_bounds

    site = sessions.dropna(subset=["latitude", "longitude"]).drop_duplicates("centre")
    site = site.set_index("centre")
    ag = agences.dropna(subset=["latitude", "longitude"]).set_index("agence")
    shown = flows[flows[value].isna() | (flows[value] > 0)]
    m = folium.Map(tiles=None, control_scale=True)
    values = shown[value].astype("Float64")
    biggest = float(values.max()) if values.notna().any() else 1.0
    outside_centres: set[str] = set()
    missing = 0
    for row in shown.itertuples(index=False):
        if row.agence not in ag.index or row.centre not in site.index:
            missing += 1
            continue
        a, c = ag.loc[row.agence], site.loc[row.centre]
        volume = getattr(row, value)
        away = bool(pd.notna(row.hors_region) and row.hors_region) or bool(
            pd.notna(row.hors_territoire) and row.hors_territoire
        )
        if away:
            outside_centres.add(row.centre)
        where = " (hors région)" if pd.notna(row.hors_region) and row.hors_region else ""
        name = a["nom"] if pd.notna(a["nom"]) else row.agence
        add_flow_line(
            m,
            (a["latitude"], a["longitude"]),
            (c["latitude"], c["longitude"]),
            volume=volume,
            biggest=biggest,
            label=f"{name} → {row.centre}{where}",
            unit=value,
            color="#e67e22" if away else "#1f4e79",
        )
    for code, a in ag.iterrows():
        folium.CircleMarker(
            (a["latitude"], a["longitude"]),
            radius=5,
            color="#c0392b",
            fill=True,
            tooltip=html_text(f"{a['nom'] if pd.notna(a['nom']) else code} ({code})"),
        ).add_to(m)
    for centre, c in site.iterrows():
        colour = "#e67e22" if centre in outside_centres else "#27ae60" if c["afpa"] else "#2e86c1"
        folium.CircleMarker(
            (c["latitude"], c["longitude"]),
            radius=7,
            color=colour,
            fill=True,
            tooltip=html_text(centre),
        ).add_to(m)
    add_legend(
        m,
        title or "Flux de prescriptions vers les sites de formation",
        [
            ("#c0392b", "agence Pôle emploi"),
            ("#27ae60", "centre AFPA"),
            ("#2e86c1", "autre organisme de formation"),
            ("#e67e22", "site hors territoire ou hors région"),
            ("#1f4e79", f"{value} (épaisseur = volume)"),
        ],
    )
    if missing:
        add_title(m, f"{missing} flux sans coordonnées (agence ou site) non dessinés")
    points = pd.concat([ag[["latitude", "longitude"]], site[["latitude", "longitude"]]]).astype(
        float
    )
    if len(points):
        m.fit_bounds(point_bounds(points))
    return m


# --------------------------------------------------------------------------- needs


def _training_keys(
    codes_: pd.Series, nomenclature: pd.Series, correspondence: pd.DataFrame | None
) -> pd.DataFrame:
    """FAP-225 (FAP2009) codes of each training métier code, with the link used."""
    by_rome = (
        correspondence.groupby("rome")["fap"].apply(list).to_dict()
        if correspondence is not None
        else {}
    )
    rows = []
    for code, kind in zip(codes_, nomenclature, strict=True):
        if kind == "ROME":
            if correspondence is None:
                rows.append((code, pd.NA, "code ROME non rapproché : pas de table FAP ↔ ROME"))
            elif code not in by_rome:
                rows.append(
                    (code, pd.NA, "code ROME absent de la table de correspondance FAP ↔ ROME")
                )
            else:
                rows += [
                    (code, fap, "ROME → FAP-225 (table de correspondance)") for fap in by_rome[code]
                ]
        elif kind == "FAP2021":
            fap, _level, how = dares_candidates(code[:5], "FAP2021", None)[0]
            rows.append((code, fap, f"formation en FAP2021 : {how}"))
        elif isinstance(kind, str):
            rows.append((code, code[:5], "formation codée en FAP-225"))
    return pd.DataFrame(rows, columns=["metier", "fap", "lien_formation"])


def _training_supply(
    sessions: pd.DataFrame,
    prescriptions: pd.DataFrame | None,
    poe: pd.DataFrame | None,
    *,
    year: int | None,
) -> pd.DataFrame:
    """Sessions, places, entries and POE entries per training métier code."""
    s = sessions
    if year is not None and "date_debut" in s:
        s = s[_year_of(s["date_debut"], year).to_numpy()]
    code = s["metier"].astype("string").fillna(_UNKNOWN)
    supply = pd.DataFrame(
        {"metier": code, "sessions": 1, "places": s["places"].to_numpy(dtype=np.int64)}
    )
    if prescriptions is not None:
        supply["entrees"] = _entries_per_session(s, prescriptions)
    table = supply.groupby("metier").sum()
    kinds = (
        pd.Series(s["nomenclature_metier"].astype("string").to_numpy(), index=code.to_numpy())
        .groupby(level=0)
        .first()
    )
    if poe is not None:
        p = poe if year is None else poe[poe["mois"].str[:4] == str(year)]
        poe_code = p["metier"].astype("string").fillna(_UNKNOWN)
        poe_sum = p["entrees"].groupby(poe_code.to_numpy()).sum()
        table = table.reindex(table.index.union(poe_sum.index), fill_value=0)
        table["entrees_poe"] = poe_sum.reindex(table.index, fill_value=0).to_numpy()
        poe_kinds = (
            pd.Series(
                p["nomenclature_metier"].astype("string").to_numpy(), index=poe_code.to_numpy()
            )
            .groupby(level=0)
            .first()
        )
        kinds = kinds.combine_first(poe_kinds)
    table["nomenclature_metier"] = kinds.reindex(table.index).astype("string")
    table.index.name = "metier"
    return table.reset_index()


def training_vs_needs(
    sessions: pd.DataFrame,
    bmo: pd.DataFrame,
    correspondence: pd.DataFrame | None = None,
    *,
    prescriptions: pd.DataFrame | None = None,
    poe: pd.DataFrame | None = None,
    year: int | None = None,
    bmo_year: int | None = None,
    tension_share: float = 0.6,
    min_projets: float = 20,
    coverage_ratio: float = 0.10,
    projects_per_place: float = 1.0,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Training places and entries by métier against the BMO projects of the territory.

    The caller gives the training of the territory (sessions sited there, their
    prescriptions, the territory's POE) and its BMO table
    (:func:`~diagnostics.bmo.bmo_for_territory`). Training and BMO métiers meet on a
    FAP-225 (FAP2009) code:

    - training side: a ROME code goes to every FAP-225 code of the correspondence
      (:func:`read_fap_rome`; a ROME under several FAP counts for each), a FAP2009
      code is itself, a FAP2021 code goes to its FAP2009 homologue;
    - BMO side, as :func:`~diagnostics.bmo.add_dares_tension` does: a FAP2009 code is
      itself, a FAP2021 code (BMO from 2024) its homologue ``A0X40`` → ``A0Z40``
      (approximation: contents differ); when that code is in neither the
      correspondence nor the training, the FAP-87 family (``A0Z``) is used; a
      training coded with the BMO code itself always matches (« code FAP identique »).

    ``lien_bmo`` and ``lien_formation`` say which match was used. A training matched
    to several BMO métiers counts for each: rows do not add up. Training métiers that
    match no BMO métier of the territory get a row of their own (``origine``
    « formation sans projet BMO », 0 projects when the code could be linked, ``<NA>``
    otherwise; sessions without métier code: « formation sans code métier »).

    Flags (thresholds are keyword options; the seeds give none):

    - ``metier_en_tension``: share of difficult projects ≥ ``tension_share`` (0.6)
      with at least ``min_projets`` (20) projects;
    - ``alerte`` « métier en tension peu couvert par la formation »: a métier en
      tension whose training offer (``offre_formation`` = financed places + POE
      entries) is below ``coverage_ratio`` (0.10, i.e. 10 places per 100 projects)
      times its projects;
    - ``alerte`` « formation avec peu de projets de recrutement »: training offer
      above 0 with fewer than ``projects_per_place`` (1.0) project per place.

    Entries (``entrees``, from ``prescriptions``) and POE entries are counts of
    people, under disclosure control; the offer and its ratio are hidden with the POE
    entries. The alerts stay: they only say on which side of a threshold the offer
    lies.

    Parameters
    ----------
    sessions, correspondence, prescriptions, poe
        From the readers; without ``correspondence`` ROME-coded training is not
        matched (and said so).
    bmo
        Tidy BMO table of the territory (one vintage is used: ``bmo_year``, default
        the latest).
    year
        Keep the sessions starting that year and the POE of that year.

    Returns
    -------
    pandas.DataFrame
        ``annee_bmo, metier, metier_nom, nomenclature, origine, cle_fap, lien_bmo,
        lien_formation, metiers_formation, projets, projets_difficiles,
        part_difficiles, cellules_secretes, sessions, places, entrees`` (when
        ``prescriptions``), ``entrees_poe`` (when ``poe``), ``offre_formation``,
        ``offre_pour_100_projets, metier_en_tension, alerte``; sorted by alert, then
        projects. A training without BMO métier has no projects, share or ratio:
        they are written « sans objet » by :func:`geo.display.to_display`, the hidden
        ones « s ».

    Examples
    --------
    >>> from geo import settings
    >>> from diagnostics.bmo import read_bmo
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> n = training_vs_needs(inputs["sessions"], bmo, inputs["correspondence"],
    ...                       prescriptions=inputs["prescriptions"], poe=inputs["poe"])
    >>> n.loc[n["alerte"] != "", ["metier", "alerte"]].values.tolist()[:2]
    [['T2A60', 'métier en tension peu couvert par la formation'], ['M1805', 'formation avec peu de projets de recrutement']]
    """
    if bmo_year is None:
        bmo_year = int(bmo["annee"].max())
    ranking = metier_ranking(bmo[bmo["annee"] == bmo_year])
    supply = _training_supply(sessions, prescriptions, poe, year=year)
    coded = supply[supply["metier"] != _UNKNOWN]
    keys = _training_keys(coded["metier"], coded["nomenclature_metier"], correspondence)
    known = set(keys["fap"].dropna())
    if correspondence is not None:
        known |= set(correspondence["fap"])
    count_cols = [c for c in ("sessions", "places", "entrees", "entrees_poe") if c in supply]
    by_code = supply.set_index("metier")
    # training codes reached from a FAP-225 code, from a FAP-87 family, and directly
    by_fap: dict[str, dict[str, str]] = {}
    by_family: dict[str, dict[str, str]] = {}
    for code, fap, link in keys.dropna(subset=["fap"]).itertuples(index=False):
        by_fap.setdefault(str(fap), {})[str(code)] = link
        by_family.setdefault(str(fap)[:3], {})[str(code)] = link
    direct: dict[str, list[str]] = {}
    for code in coded["metier"].astype(str):
        direct.setdefault(code[:5], []).append(code)
    rows = []
    matched: set[str] = set()
    for r in ranking.itertuples(index=False):
        (fap, _l1, how_fap), (family, _l2, how_family) = dares_candidates(
            str(r.metier), str(r.nomenclature), None
        )
        if fap in known:
            links, key, how = dict(by_fap.get(fap, {})), fap, how_fap
        else:
            links, key, how = dict(by_family.get(family, {})), family, how_family
        for code in direct.get(str(r.metier), []):
            links[code] = "code FAP identique"
        codes_ = sorted(links)
        matched |= set(codes_)
        if codes_ and set(links.values()) == {"code FAP identique"}:
            how = "code FAP identique"
        sums = by_code.loc[codes_, count_cols].sum() if codes_ else pd.Series(0, count_cols)
        rows.append(
            {
                "metier": r.metier,
                "metier_nom": r.metier_nom,
                "nomenclature": r.nomenclature,
                "origine": "BMO",
                "cle_fap": key,
                "lien_bmo": how,
                "lien_formation": " ; ".join(sorted(set(links.values()))) or pd.NA,
                "metiers_formation": ", ".join(codes_) or pd.NA,
                "projets": r.projets,
                "projets_difficiles": r.projets_difficiles,
                "part_difficiles": r.part_difficiles,
                "cellules_secretes": r.cellules_secretes,
                **{c: int(sums[c]) for c in count_cols},
            }
        )
    labels = (
        correspondence.drop_duplicates("rome").set_index("rome")["rome_nom"]
        if correspondence is not None
        else pd.Series(dtype="string")
    )
    for code, line in by_code.iterrows():
        if code in matched:
            continue
        own = keys[keys["metier"] == code]
        linked = own["fap"].notna().any()
        rows.append(
            {
                "metier": pd.NA if code == _UNKNOWN else code,
                "metier_nom": labels.get(code, pd.NA),
                "nomenclature": line["nomenclature_metier"],
                "origine": "formation sans code métier"
                if code == _UNKNOWN
                else "formation sans projet BMO",
                "cle_fap": ", ".join(sorted(own["fap"].dropna())) or pd.NA,
                "lien_bmo": "aucun métier BMO du territoire ne correspond" if linked else pd.NA,
                "lien_formation": " ; ".join(sorted(set(own["lien_formation"]))) or pd.NA,
                "metiers_formation": pd.NA if code == _UNKNOWN else code,
                "projets": 0 if linked else pd.NA,
                "projets_difficiles": 0 if linked else pd.NA,
                "part_difficiles": pd.NA,
                "cellules_secretes": 0 if linked else pd.NA,
                **{c: int(line[c]) for c in count_cols},
            }
        )
    table = pd.DataFrame(rows)
    table.insert(0, "annee_bmo", bmo_year)
    for col in ("metier", "metier_nom", "nomenclature", "origine", "cle_fap", "lien_bmo"):
        table[col] = table[col].astype("string")
    table["lien_formation"] = table["lien_formation"].astype("string")
    table["metiers_formation"] = table["metiers_formation"].astype("string")
    projets = pd.to_numeric(table["projets"]).astype("Float64")
    table["projets"] = (
        projets if bmo.get("poids", pd.Series([1])).ne(1).any() else projets.astype("Int64")
    )
    table["projets_difficiles"] = pd.to_numeric(table["projets_difficiles"]).astype(
        table["projets"].dtype
    )
    table["part_difficiles"] = pd.to_numeric(table["part_difficiles"]).astype("Float64")
    table["cellules_secretes"] = pd.to_numeric(table["cellules_secretes"]).astype("Int64")
    offer = table["places"] + table.get("entrees_poe", 0)
    table["offre_formation"] = offer.astype("Float64")
    table["offre_pour_100_projets"] = (100 * _ratio(offer, projets)).astype("Float64")
    tension = (table["part_difficiles"] >= tension_share) & (projets >= min_projets)
    table["metier_en_tension"] = tension.fillna(False).astype(bool)
    low = table["metier_en_tension"] & (offer < coverage_ratio * projets).fillna(False)
    few = (offer > 0) & (projets < projects_per_place * offer).fillna(False)
    table["alerte"] = np.where(
        low,
        "métier en tension peu couvert par la formation",
        np.where(few, "formation avec peu de projets de recrutement", ""),
    )
    people = [c for c in ("entrees", "entrees_poe") if c in table]
    table = protect_counts(table, people, groups=[[]], threshold=threshold)
    if "entrees_poe" in table:
        table = protect_values(
            table,
            ["offre_formation", "offre_pour_100_projets"],
            count="entrees_poe",
            threshold=threshold,
        )
    table["_rang"] = table["alerte"].map(
        {
            "métier en tension peu couvert par la formation": 0,
            "formation avec peu de projets de recrutement": 1,
            "": 2,
        }
    )
    table = table.sort_values(
        ["_rang", "projets", "metier"], ascending=[True, False, True], kind="stable"
    )
    table = table.drop(columns="_rang").reset_index(drop=True)
    table.attrs["seuils"] = {
        "tension_share": tension_share,
        "min_projets": min_projets,
        "coverage_ratio": coverage_ratio,
        "projects_per_place": projects_per_place,
    }
    return _without_projects_not_applicable(table)


def _without_projects_not_applicable(table: pd.DataFrame) -> pd.DataFrame:
    """No BMO métier for a training: no projects to count, no share, no ratio.

    A BMO métier whose cells are all masked (« * ») has missing projects too: those
    stay the secret statistique, not « sans objet ».
    """
    no_bmo = ("origine", ["formation sans code métier", "formation sans projet BMO"])
    for col in ("projets", "projets_difficiles", "cellules_secretes"):
        mark_missing(table, col, Missing.NOT_APPLICABLE, where=no_bmo)
    for col in ("part_difficiles", "offre_pour_100_projets"):
        mark_missing(table, col, Missing.NOT_APPLICABLE, where=no_bmo)
        mark_missing(table, col, Missing.NOT_APPLICABLE, where=("projets", [0]))
    return table


# --------------------------------------------------------------------------- annex, POE


def _is_csp(sessions: pd.DataFrame) -> pd.Series:
    text = sessions["dispositif"].astype("string")
    keys = {v: normalize_header(v) for v in text.dropna().unique()}
    return text.map(keys).eq("csp").fillna(False).astype(bool)


def _funded_by(sessions: pd.DataFrame, funder: str) -> pd.Series:
    return (
        (sessions["financeur"].eq(funder) | sessions["cofinanceur"].astype("string").eq(funder))
        .fillna(False)
        .astype(bool)
    )


def region_convention_indicators(
    prescriptions: pd.DataFrame,
    sessions: pd.DataFrame,
    *,
    year: int,
    offer: pd.DataFrame | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """The annex of the Région – Pôle emploi convention, computed where the inputs allow.

    ``offer`` (default ``sessions``) is the training offer whose sessions are counted
    (the sessions sited in a territory); ``sessions`` describes every session the
    prescriptions lead to.

    Reproduces the sixteen « Indicateurs de suivi et d'évaluation de la mise en
    œuvre des dispositifs » (S002 L614-625, :data:`REGION_ANNEX_INDICATORS`) with
    their periodicity (annual: one row for ``year``; half-yearly: two rows
    ``AAAA-S1``, ``AAAA-S2``; « non précisé »: no period). Computed from the
    training files:

    - « Annuellement le nombre de prescription de formation » (L624): prescriptions
      dated that year, every funder (Pôle emploi prescribes for the programmes of the
      Région and its own, L138);
    - « ... nombre d'obtention de la certification » (L625): certifications dated
      that year in sessions financed or co-financed by the Région (its
      « formation professionnelle continue »);
    - « ... nombre d'accès ou de retour à l'emploi » (L625): ``date_acces_emploi``
      that year, same sessions (only when the column is filled);
    - « Semestriellement, nombre de formations cofinancées par Pôle Emploi / par la
      Région dans le cadre du CSP » (L622): sessions of ``dispositif`` CSP financed
      or co-financed by that funder, starting in each half (sessions, not people:
      not under disclosure control);
    - « ... bénéficiaires d'une formation à l'issue d'un licenciement économique ...
      de la Région » (L622): entries that year into CSP sessions financed or
      co-financed by the Région (approximation: the CSP is the scheme of the
      licenciés économiques).

    The others (SPO, VAE, GTEC, GPEC, CIF-CDD, suites de parcours) need data that the
    training files do not hold: status « non calculable à partir des données
    fournies » with the reason. Counts of people have primary suppression.

    Returns
    -------
    pandas.DataFrame
        ``source, dispositif, indicateur, periodicite, periode, statut, valeur``
        (``Int64``, hidden ``<NA>``; the value of an indicator not computable is
        ``<NA>`` too, written « non calculable » by :func:`geo.display.to_display`,
        the hidden ones « s »), ``mode_de_calcul``.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> a = region_convention_indicators(inputs["prescriptions"], inputs["sessions"], year=2024)
    >>> len(REGION_ANNEX_INDICATORS), int((a["statut"] == "calculé").sum())
    (16, 8)
    >>> a.loc[a["source"] == "S002 L624", "valeur"].tolist()
    [1172]
    """
    j = prescriptions
    region_funded = _funded_by(sessions, "region")
    region_sessions = set(sessions.loc[region_funded.to_numpy(), "session_id"])
    in_region_offer = j["session_id"].isin(region_sessions)
    csp = _is_csp(sessions)
    offer = sessions if offer is None else offer
    has_dispositif = sessions["dispositif"].notna().any()
    employment = prescriptions["date_acces_emploi"].notna().any()

    def dated(column: str) -> pd.Series:
        return _year_of(j[column], year)

    computed: dict[str, tuple[list[tuple[str, int]], str, bool]] = {}
    computed["prescriptions"] = (
        [(str(year), int(dated("date_prescription").sum()))],
        f"prescriptions dont la date_prescription est en {year}, tous financeurs",
        True,
    )
    computed["certifications"] = (
        [(str(year), int((dated("date_certification") & in_region_offer).sum()))],
        f"certifications datées de {year} dans les sessions financées ou cofinancées par la Région",
        True,
    )
    if employment:
        computed["acces_emploi"] = (
            [(str(year), int((dated("date_acces_emploi") & in_region_offer).sum()))],
            f"accès à l'emploi (date_acces_emploi) en {year} après une session financée ou "
            "cofinancée par la Région",
            True,
        )
    if has_dispositif and "date_debut" in sessions:
        for code, funder in (("csp_pole_emploi", "pole_emploi"), ("csp_region", "region")):
            chosen = offer[(_is_csp(offer) & _funded_by(offer, funder)).to_numpy()]
            start = chosen["date_debut"]
            halves = [
                (
                    f"{year}-S{half}",
                    int(
                        (
                            (start.dt.year == year)
                            & ((start.dt.month <= 6) if half == 1 else (start.dt.month > 6))
                        ).sum()
                    ),
                )
                for half in (1, 2)
            ]
            computed[code] = (
                halves,
                f"sessions du dispositif CSP financées ou cofinancées par {FUNDERS[funder]}, "
                "par semestre de début (sessions, pas personnes)",
                False,
            )
        csp_region = set(sessions.loc[(csp & region_funded).to_numpy(), "session_id"])
        computed["licencies_economiques_region"] = (
            [(str(year), int((dated("date_entree") & j["session_id"].isin(csp_region)).sum()))],
            f"entrées en {year} dans les sessions du dispositif CSP financées ou cofinancées par "
            "la Région (approximation : le CSP est le dispositif des licenciés économiques)",
            True,
        )
    reasons = {
        "acces_emploi": "colonne date_acces_emploi absente ou vide dans les prescriptions",
        "csp_pole_emploi": "colonne dispositif (CSP) ou date_debut non renseignée dans les sessions",
        "csp_region": "colonne dispositif (CSP) ou date_debut non renseignée dans les sessions",
        "licencies_economiques_region": "colonne dispositif (CSP) non renseignée dans les sessions",
        "suites_parcours_qualifiants": "nécessite de chaîner les parcours successifs d'une même "
        "personne (identifiant de personne absent des fichiers)",
    }
    rows = []
    for code, (source, dispositif, name, period) in REGION_ANNEX_INDICATORS.items():
        if code in computed:
            values, how, personal = computed[code]
            for label, value in values:
                rows.append(
                    (source, dispositif, name, period, label, "calculé", value, how, personal)
                )
        else:
            why = reasons.get(code, "données absentes des fichiers de formation")
            rows.append(
                (source, dispositif, name, period, pd.NA, NOT_COMPUTABLE, pd.NA, why, False)
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "source",
            "dispositif",
            "indicateur",
            "periodicite",
            "periode",
            "statut",
            "valeur",
            "mode_de_calcul",
            "_personnes",
        ],
    )
    table["valeur"] = pd.to_numeric(table["valeur"]).astype("Int64")
    personal = table["_personnes"].to_numpy(dtype=bool)
    protected = protect_counts(table[personal], ["valeur"], groups=[], threshold=threshold)
    table.loc[personal, "valeur"] = protected["valeur"]
    for col in ("source", "dispositif", "indicateur", "periodicite", "periode", "statut"):
        table[col] = table[col].astype("string")
    table["mode_de_calcul"] = table["mode_de_calcul"].astype("string")
    table = table.drop(columns="_personnes")
    return mark_missing(table, "valeur", Missing.NOT_COMPUTABLE, where=("statut", [NOT_COMPUTABLE]))


def poe_report(
    poe: pd.DataFrame,
    *,
    year: int,
    by: str | Sequence[str] | None = "type_poe",
    total: bool = True,
    threshold: int | None = None,
) -> pd.DataFrame:
    """The POE charter's « bilan quantitatif ... des POE réalisées » (S000 L24).

    The charter asks for it « en juin et en décembre de chaque exercice »: the
    ``juin`` report covers January to June, the ``décembre`` report July to December
    of ``year``. Entries by ``by`` (``"type_poe"``, ``"opca"``, ``"secteur"``,
    ``"metier"``, ``"departement"`` or a list), with an « Ensemble » row per report.
    Counts of people, under disclosure control (the rows of a report add up to its
    « Ensemble »).

    Returns
    -------
    pandas.DataFrame
        ``annee, bilan, periode`` (``AAAA-01 à AAAA-06``...), the ``by`` columns and
        ``entrees`` (``Int64``).

    Examples
    --------
    >>> from geo import settings
    >>> poe = read_poe_entries(settings.demo_dir() / "formation" / "poe.csv")
    >>> poe_report(poe, year=2024)[["bilan", "type_poe", "entrees"]].values.tolist()
    [['juin', 'collective', 14], ['juin', 'individuelle', 29], ['juin', 'Ensemble', 43], ['décembre', 'collective', 17], ['décembre', 'individuelle', 27], ['décembre', 'Ensemble', 44]]
    """
    keys = _keys(by)
    unknown = [k for k in keys if k not in poe.columns]
    if unknown:
        raise SchemaError(
            f"Bilan POE : regroupement impossible par {', '.join(unknown)} (possibles : "
            "type_poe, opca, secteur, metier, departement)."
        )
    p = poe[poe["mois"].str[:4] == str(year)]
    month = p["mois"].str[5:7].astype(int)
    frames = []
    for bilan, half in (("juin", month <= 6), ("décembre", month > 6)):
        part = p[half.to_numpy()]
        table = _aggregate(part[["entrees"]], _group_keys(part, keys), ["entrees"], total=total)
        table = _protect(table, keys, ["entrees"], threshold=threshold)
        table.insert(
            0, "periode", f"{year}-01 à {year}-06" if bilan == "juin" else f"{year}-07 à {year}-12"
        )
        table.insert(0, "bilan", bilan)
        table.insert(0, "annee", year)
        frames.append(table)
    out = pd.concat(frames, ignore_index=True)
    out["entrees"] = out["entrees"].astype("Int64")
    return out


# --------------------------------------------------------------------------- views, bundle


def plot_training_funnel(
    funnel: pd.DataFrame, *, row: int = -1, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Draw one row of :func:`training_funnel` as horizontal bars.

    Hidden counts are hatched bars without value.

    Parameters
    ----------
    funnel
        :func:`training_funnel`.
    row
        Position of the row drawn (default: the last, « Ensemble »).
    ax
        Matplotlib axes to draw on; otherwise a new figure outside pyplot (a
        notebook shows it with ``.figure``; loops leave no open figure behind).
    title
        Chart title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    stages = {
        "prescriptions": "prescriptions",
        "reservations": "réservations effectives",
        "liste_attente": "en liste d'attente",
        "desistements": "désistements",
        "entrees": "entrées en formation",
        "abandons": "abandons",
        "formations_terminees": "formations terminées",
        "certifications": "certifications",
    }
    line = funnel.iloc[row]
    ax = axes_or_new(ax, (7, 3.5), layout="tight")
    limit = current_threshold()
    for i, col in enumerate(stages):
        value = line[col]
        hidden = pd.isna(value)
        ax.barh(
            i,
            limit if hidden else float(value),
            color="#bbbbbb" if hidden else "#1f4e79",
            hatch="//" if hidden else None,
        )
        ax.text(
            (limit if hidden else float(value)),
            i,
            f" {format_int(value, missing=Missing.SECRET)}",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(stages)), list(stages.values()))
    ax.invert_yaxis()
    ax.set_xlabel("prescriptions")
    ax.set_title(title or "De la prescription à la certification")
    return ax


def _with_regions(table: pd.DataFrame, departements: pd.DataFrame | None) -> pd.DataFrame:
    """``table`` with its empty ``region`` filled from its ``departement`` (COG table)."""
    if departements is None or not table["region"].isna().any():
        return table
    known = departements.dropna(subset=["departement", "region"]).drop_duplicates("departement")
    found = table["departement"].map(known.set_index("departement")["region"])
    return table.assign(region=table["region"].fillna(found).astype("string"))


def _agences_of(agences: pd.DataFrame | None, communes: tuple[str, ...] | None) -> set[str] | None:
    if communes is None:
        return None
    if agences is None or agences["commune"].isna().all():
        raise SchemaError(
            "Formation : pour restreindre au territoire, donnez le fichier des agences avec la "
            "commune de chaque agence (agences.csv, modèle data/formation/modele_agences.csv)."
        )
    return set(agences.loc[agences["commune"].isin(set(communes)), "agence"])


def training_section(
    sessions: pd.DataFrame,
    prescriptions: pd.DataFrame,
    *,
    agences: pd.DataFrame | None = None,
    poe: pd.DataFrame | None = None,
    correspondence: pd.DataFrame | None = None,
    bmo: pd.DataFrame | None = None,
    year: int | None = None,
    territory: Territory | Sequence[str] | None = None,
    success_rule: str = "certification",
    needs_options: Mapping[str, Any] | None = None,
    departements: pd.DataFrame | None = None,
    threshold: int | None = None,
) -> dict[str, Any]:
    """Everything the portrait or the notebook shows on training, under disclosure control.

    ``needs_options`` go to :func:`training_vs_needs` (``bmo_year``,
    ``tension_share``, ``min_projets``, ``coverage_ratio``, ``projects_per_place``).
    ``departements`` (the COG table of :func:`geo.referentials.read_departements`)
    fills the empty région of the sessions and agences from their département, so
    that out-of-region prescriptions can be told.

    ``territory`` (a :class:`geo.territories.Territory` or a list of commune codes)
    restricts: the funnels, indicators, delays and flows to the prescriptions of the
    territory's agences (wherever they send people), the fill rate, the centre funnel
    and the needs to the sessions sited in the territory (whoever prescribed), the POE
    to the territory's départements. ``year`` (default: the latest year of
    prescription) selects the prescriptions made that year and the sessions starting
    that year; ``bmo`` is the territory's BMO table.

    Returns
    -------
    dict
        Tables ``entonnoir`` (« Ensemble »), ``entonnoir_agences``,
        ``entonnoir_centres``, ``indicateurs_afpa``, ``remplissage`` (by funder),
        ``remplissage_territoires`` (by funder and site département), ``delais``,
        ``flux``, ``matrice_flux``, ``annexe_region``, ``bilan_poe`` (with ``poe``),
        ``besoins`` (with ``bmo``); figures ``figure_entonnoir`` and, when the
        agences have coordinates, ``carte_flux``. ``annee`` is the year used.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> s = training_section(**inputs, year=2024)
    >>> sorted(k for k in s if not k.startswith(("figure", "carte")))
    ['annee', 'annexe_region', 'bilan_poe', 'delais', 'entonnoir', 'entonnoir_agences', 'entonnoir_centres', 'flux', 'indicateurs_afpa', 'matrice_flux', 'remplissage', 'remplissage_territoires']
    """
    if year is None:
        year = int(prescriptions["date_prescription"].dt.year.max())
    sessions = _with_regions(sessions, departements)
    agences = None if agences is None else _with_regions(agences, departements)
    communes = _territory_communes(territory)
    local_agences = _agences_of(agences, communes)
    local_prescriptions = (
        prescriptions
        if local_agences is None
        else prescriptions[prescriptions["agence"].isin(local_agences)]
    )
    local_sessions = (
        sessions if communes is None else sessions[sessions["commune"].isin(set(communes))]
    )
    to_local_sessions = prescriptions[
        prescriptions["session_id"].isin(local_sessions["session_id"])
    ]
    opts: dict[str, Any] = {"year": year, "threshold": threshold}
    out: dict[str, Any] = {"annee": year}
    by_agence = training_funnel(
        local_prescriptions, sessions, agences, by="agence", success_rule=success_rule, **opts
    )
    # the « Ensemble » row is the funnel with by=None: same rows, primary suppression only
    overall = by_agence[_is_total(by_agence, ["agence"])]
    out["entonnoir"] = overall.drop(columns=["agence", "agence_nom"], errors="ignore")
    out["entonnoir"] = out["entonnoir"].reset_index(drop=True)
    out["entonnoir"].attrs = dict(by_agence.attrs)
    out["entonnoir_agences"] = by_agence
    out["entonnoir_centres"] = training_funnel(
        to_local_sessions, sessions, agences, by="centre", success_rule=success_rule, **opts
    )
    out["indicateurs_afpa"] = afpa_indicators(
        local_prescriptions, sessions, agences, success_rule=success_rule, **opts
    )
    out["remplissage"] = place_fill_rate(local_sessions, prescriptions, by="financeur", **opts)
    out["remplissage_territoires"] = place_fill_rate(
        local_sessions, prescriptions, by=["financeur", "site_departement"], **opts
    )
    out["delais"] = entry_waiting_time(local_prescriptions, sessions, agences, by="agence", **opts)
    flows = training_flows(local_prescriptions, sessions, agences, territory=territory, **opts)
    out["flux"] = flows
    out["matrice_flux"] = training_flow_matrix(flows)
    out["annexe_region"] = region_convention_indicators(
        local_prescriptions, sessions, year=year, offer=local_sessions, threshold=threshold
    )
    local_poe = poe
    if poe is not None and communes is not None:
        departements = set(codes.departement_of_commune(list(communes)).dropna())
        local_poe = poe[poe["departement"].isin(departements)]
    if local_poe is not None:
        out["bilan_poe"] = poe_report(local_poe, year=year, threshold=threshold)
    if bmo is not None:
        out["besoins"] = training_vs_needs(
            local_sessions,
            bmo,
            correspondence,
            prescriptions=prescriptions,
            poe=local_poe,
            year=year,
            threshold=threshold,
            **(needs_options or {}),
        )
    out["figure_entonnoir"] = plot_training_funnel(out["entonnoir"]).figure
    if agences is not None and agences["latitude"].notna().any():
        out["carte_flux"] = map_training_flows(flows, sessions, agences)
    return out


#: Métiers named per alert in the summary (the table has them all).
_LISTED = 10


def training_summary(section: Mapping[str, Any]) -> list[Fact]:
    """What the training section shows and what to act on, as facts.

    Built from the protected tables of :func:`training_section` only; hidden figures
    stay ``<NA>``. :func:`training_sentences` says them in French.

    Returns
    -------
    list of geo.display.Fact
        In this order, of kinds ``annee`` (``annee``), ``entonnoir`` (the counts and
        rates of the « Ensemble » funnel), ``hors_region_inconnu`` (when some
        prescriptions could not be told in or out of the région),
        ``liste_attente`` (``liste_attente``, when not zero), one
        ``remplissage_faible`` per funder under 80 % (``who``: the funder's code;
        ``financeur``, ``taux_remplissage``, ``places``), ``delai_entree``
        (``mediane_jours``, ``p90_jours``), ``hors_territoire`` (``sites``) and one
        ``alerte_besoins`` per alert of the needs table (``alerte``, ``metiers``:
        the first ten (code, name) pairs, ``autres``: how many more).

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> facts = training_summary(training_section(**inputs, year=2024))
    >>> facts[0], int(facts[1]["prescriptions"])
    (Fact(kind='annee', figures={'annee': 2024}, level=None, who=None), 1172)
    """
    facts = [Fact("annee", {"annee": section["annee"]})]
    f = section["entonnoir"].iloc[-1]
    counts = ("prescriptions", "prescriptions_hors_region", "reservations", "entrees")
    rates = ("taux_desistement", "taux_abandon", "taux_reussite")
    facts.append(Fact("entonnoir", {c: f[c] for c in (*counts, *rates)}))
    if section["entonnoir"].attrs.get("hors_region_inconnu"):
        facts.append(Fact("hors_region_inconnu"))
    waiting = f["liste_attente"]
    if pd.isna(waiting) or waiting > 0:
        facts.append(Fact("liste_attente", {"liste_attente": waiting}))
    fill = section["remplissage"]
    low = fill[(fill["financeur"] != TOTAL) & (fill["taux_remplissage"].astype("Float64") < 0.8)]
    for r in low.itertuples(index=False):
        figures = {
            "financeur": FUNDERS.get(r.financeur, r.financeur),
            "taux_remplissage": r.taux_remplissage,
            "places": r.places,
        }
        facts.append(Fact("remplissage_faible", figures, who=r.financeur))
    delays = section["delais"]
    overall = delays[(delays.iloc[:, 0] == TOTAL) & (delays["delai"] == "prescription_entree")]
    if len(overall) and pd.notna(overall["mediane_jours"].iloc[0]):
        figures = {c: overall[c].iloc[0] for c in ("mediane_jours", "p90_jours")}
        facts.append(Fact("delai_entree", figures))
    flows = section["flux"]
    away = flows[flows["hors_territoire"].fillna(False).astype(bool)]
    if len(away):
        facts.append(Fact("hors_territoire", {"sites": tuple(sorted(away["centre"].unique()))}))
    if "besoins" in section:
        needs = section["besoins"]
        for alert in (
            "métier en tension peu couvert par la formation",
            "formation avec peu de projets de recrutement",
        ):
            names = needs.loc[needs["alerte"] == alert]  # most projects first
            if len(names):
                metiers = tuple(
                    zip(names["metier"][:_LISTED], names["metier_nom"][:_LISTED], strict=True)
                )
                others = max(len(names) - _LISTED, 0)
                facts.append(
                    Fact("alerte_besoins", {"alerte": alert, "metiers": metiers, "autres": others})
                )
    return facts


def training_sentences(facts: Sequence[Fact]) -> list[str]:
    """Say the facts of :func:`training_summary` in French, one sentence per line.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> lines = training_sentences(training_summary(training_section(**inputs, year=2024)))
    >>> lines[0]
    'Formation : prescriptions de 2024.'
    """
    secret = Missing.SECRET
    lines = []
    for fact in facts:
        f = fact.figures
        if fact.kind == "annee":
            lines.append(f"Formation : prescriptions de {f['annee']}.")
        elif fact.kind == "entonnoir":
            n = {c: format_int(f[c], missing=secret) for c in f if not c.startswith("taux")}
            rate = {c: format_percent(f[c], 0, missing=secret) for c in f if c.startswith("taux")}
            lines.append(
                f"{n['prescriptions']} prescriptions (dont {n['prescriptions_hors_region']}"
                f" hors région), {n['reservations']} réservations effectives, "
                f"{n['entrees']} entrées en formation ; taux de désistement "
                f"{rate['taux_desistement']}, taux d'abandon {rate['taux_abandon']}, "
                f"taux de réussite des parcours {rate['taux_reussite']}."
            )
        elif fact.kind == "hors_region_inconnu":
            lines.append(
                "Prescriptions hors région comptées parmi celles dont la région de l'agence et "
                "du site est connue : renseignez la colonne region (ou departement) de "
                "sessions.csv et agences.csv pour les classer toutes."
            )
        elif fact.kind == "liste_attente":
            waiting = format_int(f["liste_attente"], missing=secret)
            lines.append(f"Candidats en liste d'attente : {waiting}.")
        elif fact.kind == "remplissage_faible":
            lines.append(
                f"Places financées par {f['financeur']} peu utilisées : "
                f"{format_percent(f['taux_remplissage'], 0, missing=secret)} de remplissage "
                f"({format_int(f['places'], missing=secret)} places)."
            )
        elif fact.kind == "delai_entree":
            lines.append(
                f"Délai de la prescription à l'entrée : médiane {format_int(f['mediane_jours'])} "
                f"jours, 9 entrées sur 10 en {format_int(f['p90_jours'])} jours au plus."
            )
        elif fact.kind == "hors_territoire":
            sites = f["sites"]
            lines.append(
                f"Formations hors du territoire : {len(sites)} site(s) ({', '.join(sites)})."
            )
        elif fact.kind == "alerte_besoins":
            listed = ", ".join(f"{m} ({n})" if pd.notna(n) else str(m) for m, n in f["metiers"])
            if f["autres"]:
                listed += f" et {f['autres']} autre(s) (tableau besoins)"
            alert = f["alerte"]
            lines.append(f"{alert[0].upper()}{alert[1:]} : {listed}.")
    return lines
