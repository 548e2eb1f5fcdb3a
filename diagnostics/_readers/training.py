"""Readers of the training-partnership files: sessions, prescriptions, POE, FAP ↔ ROME.

Files documented in ``data/formation/LISEZMOI.md`` (templates alongside). Each reader
reads the file as text (:func:`diagnostics._readers._rows.raw_table`, on
:func:`geo.tables.read_table`), checks the columns once, then parses every row. A row
with a problem is *reported* in a :class:`geo.problems.ProblemReport` (file, line
with the header on line 1, column, value, message) and set aside (action
« écartée »); the rest is returned. The report is kept in ``df.attrs["problemes"]``.
Two oddities leave the row in: a métier code that matches no nomenclature (the
métier is blanked, the places and prescriptions still count) and an unreadable
commune or formacode (blanked likewise); their action is « corrigée ».

Sources: the national Pôle emploi / AFPA convention (S003, its steering indicators
L219-234: prescriptions, réservations, liste d'attente, désistements, entrées,
abandons, réussite), the Région – Pôle emploi convention (S002, annex L614-625) and
the State / Pôle emploi / OPCA POE charter (S000); the funders are those of S003 L15
(« les Régions, Pôle emploi, les OPCA, l'Etat, l'Agefiph... ») and of S002 (Conseils
généraux, L340). The status and reason lists are not in the seeds (extraction
section C.6-8): they are defined here.

Tidy schemas (pandera, :data:`SESSION_SCHEMA`, :data:`PRESCRIPTION_SCHEMA`,
:data:`POE_SCHEMA`, :data:`FAP_ROME_SCHEMA`, :data:`AGENCE_SCHEMA`) document the
returned tables in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

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
from geo import codes
from geo.problems import ProblemReport
from geo.tables import normalize_header

__all__ = [
    "FUNDERS",
    "PRESCRIPTION_STATUSES",
    "POE_TYPES",
    "PRESCRIPTION_DATES",
    "STATUS_DATES",
    "TRAINING_FILES",
    "SESSION_SCHEMA",
    "PRESCRIPTION_SCHEMA",
    "POE_SCHEMA",
    "FAP_ROME_SCHEMA",
    "AGENCE_SCHEMA",
    "metier_nomenclature",
    "read_training_sessions",
    "read_training_agences",
    "read_prescriptions",
    "read_poe_entries",
    "read_fap_rome",
    "read_training_folder",
]

#: Funders of training places, code → French label (S003 L15, S002 L340 and B.6-8).
FUNDERS: dict[str, str] = {
    "region": "Région",
    "pole_emploi": "Pôle emploi",
    "opca": "OPCA",
    "etat": "État",
    "agefiph": "Agefiph",
    "conseil_departemental": "Conseil départemental",
    "autre": "autre financeur",
}
_FUNDER_ALIASES: dict[str, str] = {
    **{code: code for code in FUNDERS},
    "conseil_regional": "region",
    "pe": "pole_emploi",
    "france_travail": "pole_emploi",
    "opco": "opca",
    "conseil_general": "conseil_departemental",
    "departement": "conseil_departemental",
    "autre_financeur": "autre",
}

#: Status of a prescription (its furthest step), code → the French value written in
#: the files. Order = the funnel of S003 L223-234.
PRESCRIPTION_STATUSES: dict[str, str] = {
    "prescrit": "prescrite",
    "liste_attente": "liste d'attente",
    "reserve": "réservée",
    "desistement": "désistement",
    "entre": "entrée",
    "abandon": "abandon",
    "termine": "terminée",
    "certifie": "certifiée",
}
_STATUS_ALIASES: dict[str, str] = {
    **{normalize_header(label): code for code, label in PRESCRIPTION_STATUSES.items()},
    **{code: code for code in PRESCRIPTION_STATUSES},
    "prescription": "prescrit",
    "en_liste_d_attente": "liste_attente",
    "attente": "liste_attente",
    "reservation": "reserve",
    "reservation_effective": "reserve",
    "desiste": "desistement",
    "desistee": "desistement",
    "refus_avant_entree": "desistement",
    "retiree": "desistement",
    "entree_en_formation": "entre",
    "en_formation": "entre",
    "abandonnee": "abandon",
    "abandonne": "abandon",
    "formation_terminee": "termine",
    "fin_de_formation": "termine",
    "certification": "certifie",
    "certification_obtenue": "certifie",
}

#: POE types (S003 L66-67; « POE individuel », « POE-I », S002 L208-209, L523).
POE_TYPES: dict[str, str] = {
    "individuelle": "POE individuelle (liée à une offre d'emploi, S003 L66)",
    "collective": "POE collective (besoin identifié par la branche ou l'OPCA, S003 L67)",
}
_POE_ALIASES: dict[str, str] = {
    "individuelle": "individuelle",
    "individuel": "individuelle",
    "poe_i": "individuelle",
    "poei": "individuelle",
    "poe_individuelle": "individuelle",
    "collective": "collective",
    "collectif": "collective",
    "poe_c": "collective",
    "poec": "collective",
    "poe_collective": "collective",
}

#: Date columns of the prescription file, one per step, in funnel order.
PRESCRIPTION_DATES: tuple[str, ...] = (
    "date_prescription",
    "date_liste_attente",
    "date_reservation",
    "date_desistement",
    "date_entree",
    "date_abandon",
    "date_fin_formation",
    "date_certification",
    "date_acces_emploi",
)
_BEFORE_ENTRY = ("date_prescription", "date_liste_attente", "date_reservation")
_AFTER_ENTRY = ("date_entree", "date_fin_formation")

#: Date columns a status allows (a later step's date contradicts the status);
#: ``date_acces_emploi`` is allowed whatever the status.
STATUS_DATES: dict[str, tuple[str, ...]] = {
    "prescrit": ("date_prescription",),
    "liste_attente": ("date_prescription", "date_liste_attente"),
    "reserve": _BEFORE_ENTRY,
    "desistement": (*_BEFORE_ENTRY, "date_desistement"),
    "entre": (*_BEFORE_ENTRY, "date_entree"),
    "abandon": (*_BEFORE_ENTRY, "date_entree", "date_abandon"),
    "termine": (*_BEFORE_ENTRY, *_AFTER_ENTRY),
    "certifie": (*_BEFORE_ENTRY, *_AFTER_ENTRY, "date_certification"),
}

#: Files of a training folder: key of :func:`read_training_folder` → (file stem,
#: mandatory). The keys are the parameter names of
#: :func:`diagnostics.training.training_section`.
TRAINING_FILES: dict[str, tuple[str, bool]] = {
    "sessions": ("sessions", True),
    "prescriptions": ("prescriptions", True),
    "agences": ("agences", False),
    "poe": ("poe", False),
    "correspondence": ("fap_rome", False),
}

_ROME = re.compile(r"[A-N]\d{4}")
_FAP = re.compile(r"[A-Z]\d[A-Z]\d{2}[a-z]?")
_CODE_HELP = "attendu : ROME A1234, FAP2009 A0Z40 ou FAP2021 A0X40"
_FOLDER = "data/formation/"
_TEMPLATES = f"Partez du modèle de {_FOLDER}"

# --------------------------------------------------------------------------- schemas

_STRING: dict[str, Any] = {"dtype": "string", "nullable": True}
_DATE: dict[str, Any] = {"dtype": "datetime64[ns]", "nullable": True}

#: pandera schema of the tidy session table (:func:`read_training_sessions`).
SESSION_SCHEMA = pa.DataFrameSchema(
    {
        "session_id": pa.Column("string", unique=True),
        "intitule": pa.Column(**_STRING),
        "financeur": pa.Column("string", pa.Check.isin(list(FUNDERS))),
        "cofinanceur": pa.Column("string", pa.Check.isin(list(FUNDERS)), nullable=True),
        "organisme": pa.Column(**_STRING),
        "centre": pa.Column("string"),
        "afpa": pa.Column(bool),
        "commune": pa.Column(**_STRING),
        "departement": pa.Column(**_STRING),
        "region": pa.Column(**_STRING),
        "latitude": pa.Column("Float64", pa.Check.in_range(-90, 90), nullable=True),
        "longitude": pa.Column("Float64", pa.Check.in_range(-180, 180), nullable=True),
        "formacode": pa.Column("string", pa.Check.str_matches(r"^\d{5}$"), nullable=True),
        "metier": pa.Column(**_STRING),
        "nomenclature_metier": pa.Column(**_STRING),
        "type_offre": pa.Column(**_STRING),
        "secteur": pa.Column(**_STRING),
        "dispositif": pa.Column(**_STRING),
        "places": pa.Column("int64", pa.Check.ge(0)),
        "date_debut": pa.Column(**_DATE),
        "date_fin": pa.Column(**_DATE),
    },
    strict=True,
    ordered=True,
    name="sessions de formation",
)

#: pandera schema of the tidy agence table (:func:`read_training_agences`).
AGENCE_SCHEMA = pa.DataFrameSchema(
    {
        "agence": pa.Column("string", unique=True),
        "nom": pa.Column(**_STRING),
        "departement": pa.Column(**_STRING),
        "region": pa.Column(**_STRING),
        "commune": pa.Column(**_STRING),
        "latitude": pa.Column("Float64", nullable=True),
        "longitude": pa.Column("Float64", nullable=True),
    },
    strict=True,
    ordered=True,
    name="agences",
)

#: pandera schema of the tidy prescription table (:func:`read_prescriptions`).
PRESCRIPTION_SCHEMA = pa.DataFrameSchema(
    {
        "prescription_id": pa.Column("string", unique=True),
        "agence": pa.Column("string"),
        "session_id": pa.Column("string"),
        "statut": pa.Column("category", pa.Check.isin(list(PRESCRIPTION_STATUSES))),
        **{col: pa.Column(**_DATE) for col in PRESCRIPTION_DATES},
        "motif": pa.Column(**_STRING),
        "hors_region": pa.Column("boolean", nullable=True),
    },
    strict=True,
    ordered=True,
    name="prescriptions",
)

#: pandera schema of the tidy POE table (:func:`read_poe_entries`).
POE_SCHEMA = pa.DataFrameSchema(
    {
        "mois": pa.Column("string", pa.Check.str_matches(r"^\d{4}-\d{2}$")),
        "type_poe": pa.Column("string", pa.Check.isin(list(POE_TYPES))),
        "opca": pa.Column(**_STRING),
        "secteur": pa.Column(**_STRING),
        "metier": pa.Column(**_STRING),
        "nomenclature_metier": pa.Column(**_STRING),
        "departement": pa.Column(**_STRING),
        "entrees": pa.Column("int64", pa.Check.ge(0)),
    },
    strict=True,
    ordered=True,
    name="entrées en POE",
)

#: pandera schema of the FAP-225 ↔ ROME correspondence (:func:`read_fap_rome`).
FAP_ROME_SCHEMA = pa.DataFrameSchema(
    {
        "fap": pa.Column("string", pa.Check.str_matches(r"^[A-Z]\d[A-Z]\d{2}$")),
        "rome": pa.Column("string", pa.Check.str_matches(r"^[A-N]\d{4}$")),
        "rome_nom": pa.Column(**_STRING),
        "renvoi": pa.Column(**_STRING),
    },
    strict=True,
    ordered=True,
    unique=["fap", "rome"],
    name="correspondance FAP-225 ↔ ROME",
)


# --------------------------------------------------------------------------- helpers


def metier_nomenclature(codes_: Iterable[object]) -> pd.Series:
    """Tell the nomenclature of métier codes (ROME, FAP2009, FAP2021).

    ``A1234`` is a ROME code; ``A0Z40`` a FAP2009 (FAP-225) code and ``A0X40`` (or a
    FAP-341 code ``A0X41a``) a FAP2021 code; a FAP code whose third character is
    another letter (``G0A40``, ``T2A60``) exists in both nomenclatures:
    ``"FAP2009/FAP2021"``. Anything else is in no nomenclature: ``<NA>``.

    Examples
    --------
    >>> metier_nomenclature(["A1234", "A0Z40", "A0X40", "T2A60", "A0X41a", "12345"]).tolist()
    ['ROME', 'FAP2009', 'FAP2021', 'FAP2009/FAP2021', 'FAP2021', <NA>]
    """
    text = pd.Series(list(codes_) if not isinstance(codes_, pd.Series) else codes_)
    text = text.astype("string").str.strip()
    rome = text.str.fullmatch(_ROME.pattern).fillna(False).astype(bool)
    fap = text.str.fullmatch(_FAP.pattern).fillna(False).astype(bool)
    third = text.str.slice(2, 3)
    suffix = text.str.len() == 6
    out = pd.Series(pd.NA, index=text.index, dtype="string")
    out[rome] = "ROME"
    out[fap & (third == "Z")] = "FAP2009"
    out[fap & ((third == "X") | suffix)] = "FAP2021"
    out[fap & ~third.isin(["X", "Z"]) & ~suffix] = "FAP2009/FAP2021"
    return out


def _norm_metier(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return (text.str.slice(0, 5).str.upper() + text.str.slice(5).str.lower()).astype("string")


def _optional(df: pd.DataFrame, *columns: str) -> None:
    for col in columns:
        if col not in df.columns:
            df[col] = pd.Series(pd.NA, index=df.index, dtype="string")


def _missing(report: ProblemReport, df: pd.DataFrame, column: str, what: str) -> np.ndarray:
    return report_rows(
        report, df, df[column].isna(), f"{what} vide : complétez la cellule.", column
    )


def _duplicates(report: ProblemReport, df: pd.DataFrame, column: str, what: str) -> np.ndarray:
    present = df[column].notna()
    first = df[present].drop_duplicates(column).set_index(column)["ligne"]
    return report_rows(
        report,
        df,
        df[column].duplicated() & present,
        lambda v: (
            f"{what} {v!r} déjà présent ligne {first[v]} (identifiant en double) : "
            "retirez le doublon ou donnez-lui un autre identifiant."
        ),
        column,
    )


def _lookup(
    report: ProblemReport,
    df: pd.DataFrame,
    column: str,
    aliases: Mapping[str, str],
    labels: Iterable[str],
    what: str,
    *,
    required: bool = True,
    action: str = "écartée",
) -> tuple[pd.Series, np.ndarray]:
    """Map the values of ``column`` through ``aliases`` (normalised); report the unknown.

    ``action="corrigée"``: an unknown value is left empty and its row kept.
    """
    raw = df[column]
    keys = {v: normalize_header(v) for v in raw.dropna().unique()}
    normed = raw.map(keys)
    mapped = normed.map(dict(aliases)).astype("string")
    expected = ", ".join(labels)
    bad = report_rows(
        report,
        df,
        raw.notna() & mapped.isna(),
        lambda v: (
            f"{what} {v!r} inconnu (attendu : {expected}) : corrigez-le"
            + ("." if action == "écartée" else " ; laissé vide, ligne gardée.")
        ),
        column,
        action=action,
    )
    if required:
        bad |= report_rows(
            report, df, raw.isna(), f"{what} vide : indiquez l'une des valeurs {expected}.", column
        )
    return mapped, bad


def _metier_codes(report: ProblemReport, df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Normalised métier codes and their nomenclature.

    A code in no nomenclature is reported and blanked (the row stays).
    """
    code = _norm_metier(df["metier"])
    nomenclature = metier_nomenclature(code)
    wrong = report_rows(
        report,
        df,
        code.notna() & nomenclature.isna(),
        lambda v: f"code {v!r} dans aucune nomenclature ({_CODE_HELP}) ; métier ignoré.",
        "metier",
        action="corrigée",
    )
    return code.mask(wrong, pd.NA), nomenclature


def _coordinates(df: pd.DataFrame, report: ProblemReport) -> dict[str, pd.Series]:
    lat, lon = parse_points(df, report)
    return {"latitude": lat.astype("Float64"), "longitude": lon.astype("Float64")}


def _territory_codes(report: ProblemReport, df: pd.DataFrame, column: str, kind: str) -> pd.Series:
    """Normalised commune / département / région codes; unreadable ones reported, blanked."""
    normalize = getattr(codes, f"normalize_{kind}")
    value = normalize(df[column], errors="coerce")
    report_rows(
        report,
        df,
        df[column].notna() & value.isna(),
        lambda v: f"code {v!r} illisible ; ignoré.",
        column,
        action="corrigée",
    )
    return value


# --------------------------------------------------------------------------- readers


def read_training_sessions(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Read the training sessions and their financed places (``sessions.csv``).

    One row per session (or per financed lot of places): ``session_id``, funder
    (``financeur``, optional ``cofinanceur``: a key or label of :data:`FUNDERS`),
    provider (``organisme``) and site (``centre``, the AFPA centre or the provider's
    site; ``afpa`` oui/non, inferred from « AFPA » in ``organisme`` or ``centre`` when
    absent; ``commune``, ``departement``, ``region``, ``latitude``, ``longitude``),
    ``formacode`` and/or ``metier`` (ROME, FAP2009 or FAP2021 code), ``type_offre``,
    ``secteur``, ``dispositif`` (e.g. ``CSP``), ``places`` and ``date_debut``,
    ``date_fin``. The site's département is deduced from its commune when empty.

    Reported and set aside: empty or duplicated ``session_id``, empty ``centre``,
    empty or unknown funder, negative or unreadable places (the prescriptions of a
    session set aside say so, with its line). One bad cell that leaves the session
    usable is reported and left empty, the row kept: a métier code in no
    nomenclature, an unreadable commune, département, région or formacode, an
    unknown co-funder, an unreadable date, an end before the start (both dates
    left empty), an unreadable ``afpa`` (inferred from the names as when the column
    is absent), coordinates unreadable or outside France (swapped ones put back).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`SESSION_SCHEMA`; problems in ``attrs["problemes"]``.

    Raises
    ------
    SchemaError
        A mandatory column (``session_id, financeur, centre, places``) is missing.

    Examples
    --------
    >>> from geo import settings
    >>> s = read_training_sessions(settings.demo_dir() / "formation" / "sessions.csv")
    >>> s.attrs["problemes"].lines(), sorted(s["financeur"].unique())[:3]
    ([], ['agefiph', 'autre', 'conseil_departemental'])
    """
    df = raw_table(path)
    require_columns(
        df,
        ["session_id", "financeur", "centre", "places"],
        path=path,
        what="les sessions",
        templates=_FOLDER,
    )
    _optional(
        df,
        "intitule",
        "cofinanceur",
        "organisme",
        "commune",
        "departement",
        "region",
        "formacode",
        "metier",
        "type_offre",
        "secteur",
        "dispositif",
        "date_debut",
        "date_fin",
    )
    report = new_report(df, path)
    bad = _missing(report, df, "session_id", "identifiant de session")
    bad |= _duplicates(report, df, "session_id", "session")
    bad |= _missing(report, df, "centre", "centre (site de formation)")
    labels = [f"{k} ({v})" for k, v in FUNDERS.items()]
    funder, wrong = _lookup(report, df, "financeur", _FUNDER_ALIASES, labels, "financeur")
    bad |= wrong
    cofunder, _ = _lookup(
        report,
        df,
        "cofinanceur",
        _FUNDER_ALIASES,
        labels,
        "cofinanceur",
        required=False,
        action="corrigée",
    )
    bad |= parse_counts(df, ["places"], report)
    start, _ = parse_dates(df, "date_debut", report, action="corrigée")
    end, _ = parse_dates(df, "date_fin", report, action="corrigée")
    reversed_ = report_rows(
        report,
        df,
        (end < start).fillna(False),
        lambda a, b: (
            f"date_fin {a} antérieure à date_debut {b} : corrigez l'une des deux ; "
            "dates ignorées, session gardée."
        ),
        "date_fin",
        cells=["date_fin", "date_debut"],
        action="corrigée",
    )
    start, end = start.mask(reversed_), end.mask(reversed_)
    text = df["organisme"].fillna("") + " " + df["centre"].fillna("")
    named_afpa = text.str.contains("afpa", case=False, regex=False).astype(bool)
    if "afpa" in df:
        afpa, wrong = parse_flags(df, "afpa", report, action="corrigée")
        afpa = afpa.mask(pd.Series(wrong, index=df.index), named_afpa)
    else:
        afpa = named_afpa
    commune = _territory_codes(report, df, "commune", "commune")
    departement = _territory_codes(report, df, "departement", "departement")
    departement = departement.fillna(codes.departement_of_commune(commune)).astype("string")
    region = _territory_codes(report, df, "region", "region")
    formacode = df["formacode"].str.replace(r"\.0$", "", regex=True)
    wrong = report_rows(
        report,
        df,
        formacode.notna() & ~formacode.str.fullmatch(r"\d{5}").fillna(False),
        lambda v: f"{v!r} illisible (attendu 5 chiffres) : corrigez-le ; formacode ignoré.",
        "formacode",
        action="corrigée",
    )
    metier, nomenclature = _metier_codes(report, df)
    out = pd.DataFrame(
        {
            "ligne": df["ligne"],
            "session_id": df["session_id"],
            "intitule": df["intitule"],
            "financeur": funder,
            "cofinanceur": cofunder,
            "organisme": df["organisme"],
            "centre": df["centre"],
            "afpa": np.asarray(afpa, dtype=bool),
            "commune": commune,
            "departement": departement,
            "region": region,
            **_coordinates(df, report),
            "formacode": formacode.mask(wrong, pd.NA).astype("string"),
            "metier": metier,
            "nomenclature_metier": nomenclature.where(metier.notna()).astype("string"),
            "type_offre": df["type_offre"],
            "secteur": df["secteur"],
            "dispositif": df["dispositif"],
            "places": df["places"],
            "date_debut": start.astype("datetime64[ns]"),
            "date_fin": end.astype("datetime64[ns]"),
        }
    )
    return finish(out, report, bad, strict=strict, key="session_id")


def read_training_agences(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Read the prescribing agences (``agences.csv``).

    Columns ``agence`` (code), ``nom``, ``departement``, ``region`` (used to tell the
    out-of-region prescriptions), ``commune``, ``latitude``, ``longitude`` (for the
    flow map). The cotraitance ``structures.csv`` is accepted too: its ``code``
    column is read as ``agence`` and only the rows of ``type`` ``agence`` are kept.
    Empty or duplicated codes are reported and set aside.

    Examples
    --------
    >>> from geo import settings
    >>> a = read_training_agences(settings.demo_dir() / "formation" / "agences.csv")
    >>> len(a), a["region"].unique().tolist()
    (10, ['99'])
    >>> c = read_training_agences(settings.demo_dir() / "cotraitance" / "structures.csv")
    >>> c["agence"].tolist() == a["agence"].tolist()
    True
    """
    df = raw_table(path)
    if "agence" not in df and "code" in df:
        if "type" in df:
            df = df[df["type"].str.lower().eq("agence").fillna(False)].reset_index(drop=True)
        df = df.rename(columns={"code": "agence"})
    require_columns(df, ["agence"], path=path, what="les agences", templates=_FOLDER)
    _optional(df, "nom", "departement", "region", "commune")
    report = new_report(df, path)
    bad = _missing(report, df, "agence", "code d'agence")
    bad |= _duplicates(report, df, "agence", "agence")
    commune = _territory_codes(report, df, "commune", "commune")
    departement = _territory_codes(report, df, "departement", "departement")
    out = pd.DataFrame(
        {
            "ligne": df["ligne"],
            "agence": df["agence"],
            "nom": df["nom"],
            "departement": departement.fillna(codes.departement_of_commune(commune)).astype(
                "string"
            ),
            "region": _territory_codes(report, df, "region", "region"),
            "commune": commune,
            **_coordinates(df, report),
        }
    )
    return finish(out, report, bad, strict=strict, key="agence")


def read_prescriptions(
    path: str | Path,
    *,
    sessions: pd.DataFrame | None = None,
    agences: pd.DataFrame | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Read the training prescriptions and their outcomes (``prescriptions.csv``).

    Person-level data (pseudonymous ids, no names): keep the file local; only the
    protected aggregates of :mod:`diagnostics.training` leave the analysis.

    One row per prescription: ``prescription_id``, the prescribing ``agence``, the
    ``session_id``, the ``statut`` (its furthest step, a French value of
    :data:`PRESCRIPTION_STATUSES`: prescrite, liste d'attente, réservée,
    désistement, entrée, abandon, terminée, certifiée), the dates of
    :data:`PRESCRIPTION_DATES` (``date_prescription`` mandatory, the others where
    known), ``motif`` (reason of a désistement or an abandon, free text) and the
    optional ``hors_region`` (oui/non; when absent or empty it is deduced from the
    agence's and the site's régions by the diagnostics).

    Reported and set aside: empty or duplicated id, empty agence, a session absent
    from ``sessions`` or an agence absent from ``agences`` (when given), an unknown
    status, an empty or unreadable ``date_prescription``, an unreadable date, dates in
    the wrong order (a step before the prescription, an entry before the booking, an
    abandon, end or certification before the entry) and a date of a later step than
    the status (an entry date on a « réservée » prescription: :data:`STATUS_DATES`).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`PRESCRIPTION_SCHEMA` (``statut`` as a category of
        codes); problems in ``attrs["problemes"]``.

    Examples
    --------
    >>> from geo import settings
    >>> d = settings.demo_dir() / "formation"
    >>> s = read_training_sessions(d / "sessions.csv")
    >>> p = read_prescriptions(d / "prescriptions.csv", sessions=s)
    >>> p.attrs["problemes"].lines(), sorted(p["statut"].unique()) == sorted(PRESCRIPTION_STATUSES)
    ([], True)
    """
    df = raw_table(path)
    require_columns(
        df,
        ["prescription_id", "agence", "session_id", "statut", "date_prescription"],
        path=path,
        what="les prescriptions",
        templates=_FOLDER,
    )
    _optional(df, "motif", *PRESCRIPTION_DATES)
    report = new_report(df, path)
    bad = _missing(report, df, "prescription_id", "identifiant de prescription")
    bad |= _duplicates(report, df, "prescription_id", "prescription")
    bad |= _missing(report, df, "agence", "agence prescriptrice")
    bad |= _missing(report, df, "session_id", "session")
    for table, column, what, fix in (
        (sessions, "session_id", "session", "sessions.csv"),
        (agences, "agence", "agence", "agences.csv"),
    ):
        if table is None:
            continue
        bad |= report_rows(
            report,
            df,
            df[column].notna() & ~df[column].isin(set(table[column])),
            lambda v, table=table, what=what, fix=fix: (
                f"{what} {v!r} écartée de {fix}, {parent} : corrigez cette ligne de {fix} ; "
                "la prescription est écartée avec elle."
                if (parent := parent_set_aside(table, v))
                else f"{what} {v!r} inconnue de {fix} : ajoutez-la à {fix} ou corrigez le code."
            ),
            column,
        )
    labels = list(PRESCRIPTION_STATUSES.values())
    status, wrong = _lookup(report, df, "statut", _STATUS_ALIASES, labels, "statut")
    bad |= wrong
    dates = {}
    for col in PRESCRIPTION_DATES:
        dates[col], wrong = parse_dates(df, col, report)
        bad |= wrong
    bad |= report_rows(
        report,
        df,
        df["date_prescription"].isna(),
        "date_prescription vide : complétez-la (AAAA-MM-JJ).",
        "date_prescription",
    )
    order = [(col, "date_prescription") for col in PRESCRIPTION_DATES[1:]]
    order += [("date_entree", "date_reservation")]
    order += [(col, "date_entree") for col in ("date_abandon", "date_fin_formation")]
    order += [("date_certification", "date_entree")]
    labels_order = {
        ("date_entree", "date_prescription"): " (entrée avant la prescription)",
        ("date_entree", "date_reservation"): " (entrée avant la réservation)",
    }
    for later, earlier in order:
        bad |= report_rows(
            report,
            df,
            (dates[later] < dates[earlier]).fillna(False).to_numpy(dtype=bool) & ~bad,
            lambda a, b, later=later, earlier=earlier: (
                f"{later} {a} antérieure à {earlier} {b}{labels_order.get((later, earlier), '')}."
            ),
            later,
            cells=[later, earlier],
        )
    for code, allowed in STATUS_DATES.items():
        has_status = (status == code).fillna(False).to_numpy(dtype=bool)
        for col in PRESCRIPTION_DATES:
            if col in allowed or col == "date_acces_emploi":
                continue
            bad |= report_rows(
                report,
                df,
                has_status & dates[col].notna().to_numpy(dtype=bool) & ~bad,
                lambda v, code=code, col=col: (
                    f"statut « {PRESCRIPTION_STATUSES[code]} » incompatible avec {col} "
                    f"renseignée ({v}) : corrigez le statut ou la date."
                ),
                col,
            )
    if "hors_region" in df:
        text = df["hors_region"].str.lower()
        flags, wrong = parse_flags(df.assign(hors_region=text.fillna("non")), "hors_region", report)
        bad |= wrong
        out_of_region = pd.array(flags.to_numpy(), dtype="boolean")
        out_of_region[text.isna().to_numpy()] = pd.NA
    else:
        out_of_region = pd.array([pd.NA] * len(df), dtype="boolean")
    out = pd.DataFrame(
        {
            "ligne": df["ligne"],
            "prescription_id": df["prescription_id"],
            "agence": df["agence"],
            "session_id": df["session_id"],
            "statut": pd.Categorical(status, categories=list(PRESCRIPTION_STATUSES)),
            **{col: dates[col].astype("datetime64[ns]") for col in PRESCRIPTION_DATES},
            "motif": df["motif"],
            "hors_region": out_of_region,
        }
    )
    return finish(out, report, bad, strict=strict)


def read_poe_entries(path: str | Path) -> pd.DataFrame:
    """Read the POE entries (``poe.csv``), aggregated counts of people.

    Columns ``mois`` (``AAAA-MM``), ``type_poe`` (``individuelle`` or ``collective``,
    :data:`POE_TYPES`; ``POE-I``, ``POE-C`` accepted), ``opca`` (the OPCA that
    co-finances or identified the need, S000 L7, S003 L67), ``secteur`` and/or
    ``metier`` (ROME or FAP code), ``departement`` and ``entrees``.

    Reported and set aside: an unreadable month, an unknown type, a negative or
    unreadable count, a row given twice (same month, type, OPCA, sector, métier and
    département). Reported, row kept: a métier code in no nomenclature (blanked).

    Examples
    --------
    >>> from geo import settings
    >>> poe = read_poe_entries(settings.demo_dir() / "formation" / "poe.csv")
    >>> poe.attrs["problemes"].lines(), sorted(poe["type_poe"].unique())
    ([], ['collective', 'individuelle'])
    """
    df = raw_table(path)
    require_columns(
        df, ["mois", "type_poe", "entrees"], path=path, what="les entrées en POE", templates=_FOLDER
    )
    _optional(df, "opca", "secteur", "metier", "departement")
    report = new_report(df, path)
    month = pd.to_datetime(df["mois"], format="%Y-%m", errors="coerce")
    bad = report_rows(
        report,
        df,
        month.isna(),
        lambda v: f"{v!r} illisible (attendu AAAA-MM) : corrigez le mois.",
        "mois",
    )
    kind, wrong = _lookup(report, df, "type_poe", _POE_ALIASES, list(POE_TYPES), "type de POE")
    bad |= wrong
    bad |= parse_counts(df, ["entrees"], report)
    metier, nomenclature = _metier_codes(report, df)
    out = pd.DataFrame(
        {
            "ligne": df["ligne"],
            "mois": month.dt.strftime("%Y-%m").astype("string"),
            "type_poe": kind,
            "opca": df["opca"],
            "secteur": df["secteur"],
            "metier": metier,
            "nomenclature_metier": nomenclature.where(metier.notna()).astype("string"),
            "departement": _territory_codes(report, df, "departement", "departement"),
            "entrees": df["entrees"],
        }
    )
    keys = ["mois", "type_poe", "opca", "secteur", "metier", "departement"]
    bad |= report_rows(
        report,
        out,
        out.duplicated(keys).to_numpy(dtype=bool) & ~bad,
        lambda m: (
            f"entrées du mois {m} déjà données pour le même type, OPCA, secteur, métier "
            "et département (double compte) : gardez une seule ligne ou additionnez-les."
        ),
        "mois",
    )
    return finish(out, report, bad)


def read_fap_rome(path: str | Path) -> pd.DataFrame:
    """Read the FAP-225 (FAP2009) ↔ ROME correspondence (``fap225_rome.csv``).

    The official file has the columns ``Fap;Rome;intitule_rome``, ``NA`` strings
    and a many-to-many relation (a ROME code under several FAP, a FAP over several
    ROME codes). Rows ``NA`` (FAP without ROME) are no correspondence: their FAP
    codes are listed in ``attrs["fap_sans_rome"]``. Stars closing a label
    (``Architecture du BTP*``) refer to a note absent from the file: they are moved to
    the ``renvoi`` column. Invalid codes and pairs given twice are reported and set
    aside.

    Returns
    -------
    pandas.DataFrame
        ``fap, rome, rome_nom, renvoi`` (:data:`FAP_ROME_SCHEMA`).

    Examples
    --------
    >>> from geo import settings
    >>> c = read_fap_rome(settings.demo_dir() / "formation" / "fap_rome.csv")
    >>> c.attrs["problemes"].lines(), c.loc[c["rome"] == "K1302", "fap"].tolist()
    ([], ['T2A60'])
    """
    df = raw_table(path)
    if "intitule_rome" in df:
        df = df.rename(columns={"intitule_rome": "rome_nom"})
    require_columns(
        df, ["fap", "rome"], path=path, what="la correspondance FAP ↔ ROME", templates=_FOLDER
    )
    _optional(df, "rome_nom")
    for col in ("fap", "rome", "rome_nom"):
        df[col] = df[col].mask(df[col].str.upper() == "NA", pd.NA)
    report = new_report(df, path)
    fap = df["fap"].str.upper()
    rome = df["rome"].str.upper()
    bad = report_rows(
        report,
        df,
        fap.isna() | ~fap.str.fullmatch(r"[A-Z]\d[A-Z]\d{2}").fillna(False),
        lambda v: f"code FAP {v!r} invalide (attendu A0Z40) : corrigez-le.",
        "fap",
    )
    no_rome = rome.isna().to_numpy(dtype=bool) & ~bad
    wrong = (rome.notna() & ~rome.str.fullmatch(_ROME.pattern).fillna(False)).to_numpy(
        dtype=bool
    ) & ~bad
    bad |= report_rows(
        report,
        df,
        wrong,
        lambda v: f"code ROME {v!r} invalide (attendu A1234) : corrigez-le.",
        "rome",
    )
    label = df["rome_nom"].str.strip()
    renvoi = label.str.extract(r"(\*+)\s*$", expand=False).astype("string")
    label = label.str.replace(r"\s*\*+\s*$", "", regex=True)
    out = pd.DataFrame(
        {
            "ligne": df["ligne"],
            "fap": fap.astype("string"),
            "rome": rome.astype("string"),
            "rome_nom": label.astype("string"),
            "renvoi": renvoi,
        }
    )
    dup = out.duplicated(["fap", "rome"]).to_numpy(dtype=bool) & ~bad & ~no_rome
    bad |= report_rows(
        report,
        out,
        dup,
        lambda f, r: f"couple FAP {f} – ROME {r} donné deux fois : retirez le doublon.",
        "rome",
        cells=["fap", "rome"],
    )
    table = finish(out, report, bad | no_rome)
    known = set(table["fap"])
    table.attrs["fap_sans_rome"] = sorted(set(out.loc[no_rome, "fap"].dropna()) - known)
    return table


def read_training_folder(folder: str | Path, *, strict: bool = False) -> dict[str, pd.DataFrame]:
    """Read every training file of ``folder`` (the layout of ``data/demo/formation``).

    ``sessions`` and ``prescriptions`` (``.csv`` or ``.xlsx``) are mandatory;
    ``agences``, ``poe`` and ``fap_rome`` (the FAP ↔ ROME correspondence) are read
    when present. Prescriptions are checked against the sessions and the agences.
    Each table keeps its file name in ``attrs["fichier"]`` and its problems in
    ``attrs["problemes"]`` (:func:`geo.problems.collect_problems` gathers them).

    Returns
    -------
    dict of pandas.DataFrame
        Keys of :data:`TRAINING_FILES` for the files found, named as the parameters
        of :func:`diagnostics.training.training_section`.

    Raises
    ------
    InputFileError
        The folder or a mandatory file is missing.
    SchemaError
        A file lacks a mandatory column, or (with ``strict``) would have rows set aside.

    Examples
    --------
    >>> from geo import settings
    >>> inputs = read_training_folder(settings.demo_dir() / "formation")
    >>> sorted(inputs)
    ['agences', 'correspondence', 'poe', 'prescriptions', 'sessions']
    """
    paths = folder_paths(folder, TRAINING_FILES, templates=_FOLDER)
    out: dict[str, pd.DataFrame] = {}
    if "agences" in paths:
        out["agences"] = read_training_agences(paths["agences"], strict=strict)
    out["sessions"] = read_training_sessions(paths["sessions"], strict=strict)
    out["prescriptions"] = read_prescriptions(
        paths["prescriptions"], sessions=out["sessions"], agences=out.get("agences"), strict=strict
    )
    if "poe" in paths:
        out["poe"] = read_poe_entries(paths["poe"])
    if "correspondence" in paths:
        out["correspondence"] = read_fap_rome(paths["correspondence"])
    for key, table in out.items():
        table.attrs["fichier"] = paths[key].name
    return out
