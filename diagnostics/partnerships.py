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

Readers never stop at the first bad cell: each problem is a French sentence with its
line, kept in ``attrs["rapport"]`` (and as a table in ``attrs["problemes"]``) while
the rest of the file is used. A party missing from the directory is removed (the
partnership is kept if two parties remain); an end date before the start date is
set missing; an unknown mode or status is set missing; a partnership with a single
party is left out.

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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from diagnostics._readers.partners import parse_date, parse_float, split_values
from diagnostics.partners import DOMAINS, PUBLICS
from geo._errors import InputFileError, SchemaError
from geo._tables import normalize_header, read_text_table

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

#: Relation modes of the report's typology (§ 1.5): code → French label.
RELATION_MODES: dict[str, str] = {
    "substitution": "Substitution (orientation vers l'offre du partenaire)",
    "complementarite": "Complémentarité (action simultanée)",
    "cotraitance": "Cotraitance (délégation de suivi)",
    "mise_a_disposition": "Mise à disposition d'agents",
    "agrement": "Agrément",
    "cofinancement": "Cofinancement",
    "partage_offres": "Partage d'offres",
    "echange_informations": "Échange d'informations",
}

#: Steps of the life cycle (§ 4.5), in order: code → French label.
LIFECYCLE_STATUSES: dict[str, str] = {
    "identifie": "Partenaire identifié",
    "objectifs": "Objectifs communs clarifiés",
    "projets": "Projets communs définis",
    "indicateurs": "Indicateurs définis a priori",
    "en_cours": "En cours",
    "evalue": "Évalué",
    "renegocie": "Renégocié (pérennisé)",
    "arrete": "Arrêté",
}

#: Statuses of a partnership in force (running, evaluated, renegotiated).
ACTIVE_STATUSES: tuple[str, ...] = ("en_cours", "evalue", "renegocie")

#: Frameworks: code → French label.
FRAMEWORKS: dict[str, str] = {
    "accord_national": "Accord national (accord-cadre)",
    "convention_regionale": "Convention régionale",
    "convention_locale": "Convention locale",
    "avenant": "Avenant",
}

#: Level of Pôle emploi that concluded the partnership: code → French label.
CONCLUSION_LEVELS: dict[str, str] = {
    "national": "Direction générale (national)",
    "regional": "Direction régionale",
    "territorial": "Direction territoriale",
    "local": "Agence (local)",
}

#: Levels of Pôle emploi units: code → French label.
POLE_EMPLOI_LEVELS: dict[str, str] = {
    "direction_regionale": "Direction régionale",
    "direction_territoriale": "Direction territoriale",
    "agence": "Agence",
}

#: Kinds of indicators (§ 4.2): code → French label.
INDICATOR_TYPES: dict[str, str] = {
    "moyens": "Indicateur de moyens",
    "resultat": "Indicateur de résultat",
}

#: Kinds of flows between actors: code → French label.
FLOW_TYPES: dict[str, str] = {
    "cotraitance": "Cotraitance (suivis délégués)",
    "prescription": "Prescription",
    "orientation": "Orientation (adressage)",
}

#: Minimum meetings a year of a steering committee, per level (cotraitance accord,
#: L612, L640, L669).
COMMITTEE_MIN_MEETINGS: dict[str, int] = {"local": 5, "regional": 4, "national": 2}

#: Columns of the tidy registry, in order.
PARTNERSHIP_COLUMNS: tuple[str, ...] = (
    "partenariat_id",
    "intitule",
    "parties",
    "nb_parties",
    "niveau",
    "cadre",
    "mode",
    "domaines",
    "publics",
    "date_debut",
    "date_fin",
    "statut",
    "date_evaluation",
    "periodicite_mois",
    "comite",
    "dates_comites",
    "commentaire",
    "ligne",
)

_PE_PREFIX = "PE-"


def _blank(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _tuple_ok(value: object) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


#: pandera schema of the tidy registry.
PARTNERSHIP_SCHEMA = pa.DataFrameSchema(
    {
        "partenariat_id": pa.Column("string", unique=True),
        "intitule": pa.Column("string", nullable=True),
        "parties": pa.Column(
            object, pa.Check(lambda s: s.map(lambda v: _tuple_ok(v) and len(v) >= 2))
        ),
        "nb_parties": pa.Column("int64", pa.Check.ge(2)),
        "niveau": pa.Column("string", pa.Check.isin(list(CONCLUSION_LEVELS)), nullable=True),
        "cadre": pa.Column("string", pa.Check.isin(list(FRAMEWORKS)), nullable=True),
        "mode": pa.Column("string", pa.Check.isin(list(RELATION_MODES)), nullable=True),
        "domaines": pa.Column(object, pa.Check(lambda s: s.map(_tuple_ok))),
        "publics": pa.Column(object, pa.Check(lambda s: s.map(_tuple_ok))),
        "date_debut": pa.Column("datetime64[ns]", nullable=True),
        "date_fin": pa.Column("datetime64[ns]", nullable=True),
        "statut": pa.Column("string", pa.Check.isin(list(LIFECYCLE_STATUSES)), nullable=True),
        "date_evaluation": pa.Column("datetime64[ns]", nullable=True),
        "periodicite_mois": pa.Column("Int64", pa.Check.gt(0), nullable=True),
        "comite": pa.Column("string", pa.Check.isin(list(COMMITTEE_MIN_MEETINGS)), nullable=True),
        "dates_comites": pa.Column(object),
        "commentaire": pa.Column("string", nullable=True),
        "ligne": pa.Column("Int64", nullable=True),
    },
    strict=True,
    ordered=True,
)

# --------------------------------------------------------------------------- headers

_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "partenariats": {
        "partenariat_id": ("Identifiant", "id", "partenariat_id", "identifiant du partenariat"),
        "intitule": ("Intitulé", "titre", "nom", "objet", "libellé"),
        "parties": ("Parties", "signataires", "partenaires", "acteurs"),
        "niveau": ("Niveau de conclusion", "niveau", "niveau signataire"),
        "cadre": ("Cadre", "cadre juridique", "type de convention", "cadre conventionnel"),
        "mode": ("Mode", "mode de relation", "type de relation", "modalité"),
        "domaines": ("Domaines", "domaine"),
        "publics": ("Publics", "public", "public cible"),
        "date_debut": ("Date de début", "début", "date debut", "date de signature"),
        "date_fin": ("Date de fin", "fin", "échéance"),
        "statut": ("Statut", "étape", "état"),
        "date_evaluation": (
            "Date de dernière évaluation",
            "dernière évaluation",
            "date d'évaluation",
        ),
        "periodicite_mois": (
            "Périodicité d'évaluation (mois)",
            "périodicité d'évaluation",
            "périodicité",
        ),
        "comite": ("Comité de pilotage", "comité", "niveau du comité"),
        "dates_comites": ("Dates des comités", "comités tenus", "réunions"),
        "commentaire": ("Commentaire", "remarque", "observations"),
    },
    "indicateurs": {
        "partenariat_id": ("Identifiant du partenariat", "partenariat", "partenariat_id"),
        "type_indicateur": ("Type d'indicateur", "type", "nature"),
        "indicateur": ("Indicateur", "libellé", "intitulé"),
        "cible": ("Cible", "objectif", "valeur cible"),
        "realise": ("Réalisé", "valeur observée", "observé", "réalisation"),
        "date_mesure": ("Date de mesure", "date", "mesuré le"),
    },
    "flux": {
        "source": ("Origine", "source", "de", "prescripteur"),
        "cible": ("Destination", "cible", "vers", "destinataire"),
        "type_flux": ("Type de flux", "type", "nature"),
        "annee": ("Année", "annee", "an"),
        "volume": ("Volume", "nombre", "effectif", "personnes"),
    },
    "unites": {
        "unite_id": ("Identifiant", "id", "unite_id", "code unité"),
        "nom": ("Nom", "libellé", "unité"),
        "niveau": ("Niveau", "type"),
        "commune": ("Code commune", "commune", "code insee"),
        "latitude": ("Latitude", "lat"),
        "longitude": ("Longitude", "lon", "lng"),
    },
}

_REQUIRED = {
    "partenariats": ("partenariat_id", "parties", "mode", "statut"),
    "indicateurs": ("partenariat_id", "type_indicateur", "indicateur"),
    "flux": ("source", "cible", "volume"),
    "unites": ("unite_id", "nom", "niveau"),
}

_WHAT = {
    "partenariats": "Registre des partenariats",
    "indicateurs": "Indicateurs des partenariats",
    "flux": "Flux entre acteurs",
    "unites": "Unités Pôle emploi",
}


def _lookup(labels: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    out = {normalize_header(k): k for k in labels}
    out.update({normalize_header(v): k for k, v in labels.items()})
    out.update({normalize_header(k): v for k, v in (extra or {}).items()})
    return out


_MODE_LOOKUP = _lookup(
    RELATION_MODES,
    {
        "complémentarité": "complementarite",
        "co-traitance": "cotraitance",
        "mise à disposition": "mise_a_disposition",
        "mise à disposition d'agents": "mise_a_disposition",
        "MAD": "mise_a_disposition",
        "partage d'offres": "partage_offres",
        "partage des offres": "partage_offres",
        "échange d'informations": "echange_informations",
        "échange d'information": "echange_informations",
        "co-financement": "cofinancement",
    },
)
_STATUS_LOOKUP = _lookup(
    LIFECYCLE_STATUSES,
    {
        "identifié": "identifie",
        "objectifs définis": "objectifs",
        "projets définis": "projets",
        "indicateurs définis": "indicateurs",
        "en cours": "en_cours",
        "actif": "en_cours",
        "évalué": "evalue",
        "renégocié": "renegocie",
        "reconduit": "renegocie",
        "arrêté": "arrete",
        "stoppé": "arrete",
        "terminé": "arrete",
    },
)
_LEVEL_LOOKUP = _lookup(
    CONCLUSION_LEVELS,
    {
        "régional": "regional",
        "DR": "regional",
        "DT": "territorial",
        "agence": "local",
        "DG": "national",
    },
)
_FRAMEWORK_LOOKUP = _lookup(
    FRAMEWORKS,
    {
        "accord cadre": "accord_national",
        "accord-cadre national": "accord_national",
        "convention régionale": "convention_regionale",
    },
)
_COMMITTEE_LOOKUP = _lookup(
    {k: k for k in COMMITTEE_MIN_MEETINGS}, {"régional": "regional", "COPIL local": "local"}
)
_DOMAIN_LOOKUP = _lookup(DOMAINS, {"développement économique": "developpement_economique"})
_PUBLIC_LOOKUP = _lookup(PUBLICS)
_INDICATOR_LOOKUP = _lookup(INDICATOR_TYPES, {"moyen": "moyens", "résultats": "resultat"})
_FLOW_LOOKUP = _lookup(FLOW_TYPES)
_UNIT_LOOKUP = _lookup(
    POLE_EMPLOI_LEVELS, {"DR": "direction_regionale", "DT": "direction_territoriale"}
)


# --------------------------------------------------------------------------- reading


def _read_table(path: str | Path) -> pd.DataFrame:
    """Every cell as text (CSV with any usual separator and encoding, or XLSX)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"{path} : fichier introuvable. Vérifiez le chemin (dossier courant : {Path.cwd()})."
        )
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            df = pd.read_excel(path, dtype=object, engine="calamine")
        except Exception as exc:  # calamine raises several kinds of errors
            raise InputFileError(f"{path.name} : classeur illisible ({exc}).") from exc
        df = df.map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
    else:
        df = read_text_table(path)
    df = df.astype("string")
    for column in df.columns:
        df[column] = df[column].str.strip().replace("", pd.NA)
    return df.loc[~df.isna().all(axis=1)]


class _Problems:
    def __init__(self, label: str) -> None:
        self.label = label
        self.rows: list[dict[str, Any]] = []

    def add(
        self, line: int | None, column: str | None, category: str, value: Any, text: str
    ) -> None:
        self.rows.append(
            {
                "ligne": line,
                "colonne": column,
                "categorie": category,
                "valeur": None if _blank(value) else str(value),
                "message": text,
            }
        )

    def attach(self, df: pd.DataFrame) -> pd.DataFrame:
        table = pd.DataFrame(
            self.rows, columns=["ligne", "colonne", "categorie", "valeur", "message"]
        )
        table["ligne"] = table["ligne"].astype("Int64")
        for column in ("colonne", "categorie", "valeur", "message"):
            table[column] = table[column].astype("string")
        df.attrs["rapport"] = [
            f"{self.label}, ligne {r['ligne']}"
            + (f" (colonne « {r['colonne']} »)" if r["colonne"] else "")
            + f" : {r['message']}"
            if r["ligne"] is not None
            else f"{self.label} : {r['message']}"
            for r in self.rows
        ]
        df.attrs["problemes"] = table
        return df


def _columns(raw: pd.DataFrame, kind: str, label: str) -> dict[str, str]:
    """Tidy field → header of the file; raises when a mandatory one is missing."""
    normalized = {normalize_header(c): c for c in raw.columns}
    found: dict[str, str] = {}
    for out, aliases in _HEADERS[kind].items():
        for alias in aliases:
            if normalize_header(alias) in normalized:
                found[out] = normalized[normalize_header(alias)]
                break
    missing = [f for f in _REQUIRED[kind] if f not in found]
    if missing:
        expected = ", ".join(f"« {_HEADERS[kind][f][0]} »" for f in missing)
        raise SchemaError(
            f"{_WHAT[kind]} {label} : colonne(s) {expected} absente(s) (colonnes trouvées : "
            f"{', '.join(map(str, raw.columns))}). Partez du modèle de data/partenariats/ "
            "(voir LISEZMOI.md).",
            [f"colonne {_HEADERS[kind][f][0]} absente" for f in missing],
        )
    return found


def _known_actors(partners: Any, units: Any) -> set[str] | None:
    ids: set[str] = set()
    given = False
    for table, column in ((partners, "partenaire_id"), (units, "unite_id")):
        if table is None:
            continue
        given = True
        if isinstance(table, pd.DataFrame):
            ids.update(table[column].dropna().astype(str))
        else:
            ids.update(str(v) for v in table)
    return ids if given else None


def _coded(
    value: Any, lookup: Mapping[str, str], problems: _Problems, line: int, column: str, what: str
) -> str | None:
    if _blank(value):
        return None
    code = lookup.get(normalize_header(value))
    if code is None:
        choices = ", ".join(sorted(set(lookup.values())))
        problems.add(
            line,
            column,
            f"{what}_inconnu",
            value,
            f"{what} « {value} » inconnu ; valeurs acceptées : {choices}. Valeur laissée vide, "
            "le reste de la ligne est utilisé.",
        )
    return code


def _codes_list(
    value: Any, lookup: Mapping[str, str], problems: _Problems, line: int, column: str, what: str
) -> tuple[str, ...]:
    out: list[str] = []
    for item in split_values(value):
        code = _coded(item, lookup, problems, line, column, what)
        if code is not None and code not in out:
            out.append(code)
    return tuple(out)


def _date(value: Any, problems: _Problems, line: int, column: str) -> pd.Timestamp | None:
    if _blank(value):
        return None
    parsed = parse_date(value)
    if parsed is None:
        problems.add(
            line,
            column,
            "date_invalide",
            value,
            f"date « {value} » illisible (attendu JJ/MM/AAAA ou AAAA-MM-JJ) ; laissée vide.",
        )
    return parsed


def read_partnerships(
    path: str | Path,
    *,
    partners: pd.DataFrame | Iterable[str] | None = None,
    units: pd.DataFrame | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read the partnerships registry (CSV or XLSX) into the tidy table.

    Parameters
    ----------
    path
        File with the headers of ``data/partenariats/modele_partenariats.csv``
        (or their aliases listed in ``data/partenariats/LISEZMOI.md``).
    partners
        Partner directory (:func:`diagnostics.partners.read_partners`) or its ids;
        with it (or ``units``), parties that are neither a partner nor a unit are
        reported and removed.
    units
        Pôle emploi units (:func:`read_pole_emploi_units`) or their ids.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PARTNERSHIP_COLUMNS` (schema :data:`PARTNERSHIP_SCHEMA`);
        ``attrs["rapport"]`` lists the problems in French, with their line,
        ``attrs["problemes"]`` holds them as a table.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    SchemaError
        A mandatory column (``Identifiant``, ``Parties``, ``Mode``, ``Statut``) is
        missing.

    Examples
    --------
    >>> from geo import settings
    >>> demo = settings.demo_dir()
    >>> registry = read_partnerships(demo / "partenariats.csv")
    >>> sorted(set(registry["mode"])) == sorted(RELATION_MODES)
    True
    >>> registry.attrs["rapport"]
    []
    """
    label = Path(path).name
    raw = _read_table(path)
    cols = _columns(raw, "partenariats", label)
    problems = _Problems(f"Registre des partenariats {label}")
    known = _known_actors(partners, units)
    lines = [int(i) + 2 for i in range(len(raw))]
    records: list[dict[str, Any]] = []
    seen: set[str] = set()

    def cell(row: pd.Series, field: str) -> Any:
        return row[cols[field]] if field in cols else None

    for line, (_, row) in zip(lines, raw.iterrows(), strict=True):
        pid = cell(row, "partenariat_id")
        h = {f: cols.get(f, _HEADERS["partenariats"][f][0]) for f in _HEADERS["partenariats"]}
        if _blank(pid):
            pid = f"L{line}"
            problems.add(
                line,
                h["partenariat_id"],
                "identifiant_manquant",
                None,
                f"identifiant manquant ; « {pid} » attribué. Donnez un identifiant unique.",
            )
        pid = str(pid)
        if pid in seen:
            problems.add(
                line,
                h["partenariat_id"],
                "identifiant_duplique",
                pid,
                f"identifiant « {pid} » déjà utilisé plus haut ; ligne ignorée. "
                "Donnez un identifiant unique à chaque partenariat.",
            )
            continue
        seen.add(pid)
        parties: list[str] = []
        for item in split_values(cell(row, "parties")):
            if known is not None and item not in known:
                where = "l'annuaire des partenaires ni des unités Pôle emploi"
                problems.add(
                    line,
                    h["parties"],
                    "partie_inconnue",
                    item,
                    f"partie « {item} » absente de {where} ; retirée du partenariat "
                    f"{pid}. Ajoutez la structure à l'annuaire ou corrigez l'identifiant.",
                )
                continue
            if item not in parties:
                parties.append(item)
        if len(parties) < 2:
            problems.add(
                line,
                h["parties"],
                "partie_unique",
                cell(row, "parties"),
                f"le partenariat {pid} n'a que {len(parties)} partie(s) connue(s) ; "
                "un partenariat lie au moins deux acteurs. Ligne ignorée : complétez "
                "la colonne (identifiants séparés par « | »).",
            )
            continue
        start = _date(cell(row, "date_debut"), problems, line, h["date_debut"])
        end = _date(cell(row, "date_fin"), problems, line, h["date_fin"])
        if start is not None and end is not None and end < start:
            problems.add(
                line,
                h["date_fin"],
                "fin_avant_debut",
                cell(row, "date_fin"),
                f"date de fin ({end:%d/%m/%Y}) antérieure à la date de début "
                f"({start:%d/%m/%Y}) ; date de fin laissée vide. Corrigez l'une des deux.",
            )
            end = None
        period = cell(row, "periodicite_mois")
        months: int | None = 12
        if not _blank(period):
            value = parse_float(period)
            if value is None or value <= 0 or value != int(value):
                problems.add(
                    line,
                    h["periodicite_mois"],
                    "periodicite_invalide",
                    period,
                    "périodicité d'évaluation illisible (nombre entier de mois "
                    "attendu) ; 12 mois retenus.",
                )
            else:
                months = int(value)
        meetings = tuple(
            d
            for d in (
                _date(v, problems, line, h["dates_comites"])
                for v in split_values(cell(row, "dates_comites"))
            )
            if d is not None
        )
        records.append(
            {
                "partenariat_id": pid,
                "intitule": cell(row, "intitule"),
                "parties": tuple(parties),
                "nb_parties": len(parties),
                "niveau": _coded(
                    cell(row, "niveau"), _LEVEL_LOOKUP, problems, line, h["niveau"], "niveau"
                ),
                "cadre": _coded(
                    cell(row, "cadre"), _FRAMEWORK_LOOKUP, problems, line, h["cadre"], "cadre"
                ),
                "mode": _coded(cell(row, "mode"), _MODE_LOOKUP, problems, line, h["mode"], "mode"),
                "domaines": _codes_list(
                    cell(row, "domaines"), _DOMAIN_LOOKUP, problems, line, h["domaines"], "domaine"
                ),
                "publics": _codes_list(
                    cell(row, "publics"), _PUBLIC_LOOKUP, problems, line, h["publics"], "public"
                ),
                "date_debut": start,
                "date_fin": end,
                "statut": _coded(
                    cell(row, "statut"), _STATUS_LOOKUP, problems, line, h["statut"], "statut"
                ),
                "date_evaluation": _date(
                    cell(row, "date_evaluation"), problems, line, h["date_evaluation"]
                ),
                "periodicite_mois": months,
                "comite": _coded(
                    cell(row, "comite"), _COMMITTEE_LOOKUP, problems, line, h["comite"], "comite"
                ),
                "dates_comites": meetings,
                "commentaire": cell(row, "commentaire"),
                "ligne": line,
            }
        )
    return problems.attach(partnerships_from_records(records))


def partnerships_from_records(records: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Build a tidy registry from records (for tests and notebooks).

    Missing fields take their empty value; ``parties``, ``domaines``, ``publics``
    accept lists or ``|``-separated text; ``nb_parties`` is computed.

    Examples
    --------
    >>> reg = partnerships_from_records([
    ...     {"partenariat_id": "C1", "parties": "PE-AG-1|P1", "mode": "cotraitance",
    ...      "statut": "en_cours", "date_debut": "2024-01-01"}])
    >>> reg.loc[0, "parties"], int(reg.loc[0, "nb_parties"]), reg.loc[0, "periodicite_mois"]
    (('PE-AG-1', 'P1'), 2, np.int64(12))
    """
    if isinstance(records, pd.DataFrame):
        records = records.to_dict("records")
    rows = [dict(r) for r in records]
    df = pd.DataFrame(index=pd.RangeIndex(len(rows)))

    def values(column: str) -> list[Any]:
        return [r.get(column) for r in rows]

    def as_tuple(value: Any) -> tuple[Any, ...]:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ()
        if isinstance(value, str):
            return tuple(split_values(value))
        return tuple(value)

    for column in PARTNERSHIP_COLUMNS:
        if column in ("parties", "domaines", "publics"):
            df[column] = pd.Series(
                [tuple(map(str, as_tuple(v))) for v in values(column)], dtype=object, index=df.index
            )
        elif column == "dates_comites":
            df[column] = pd.Series(
                [tuple(pd.Timestamp(d) for d in as_tuple(v)) for v in values(column)],
                dtype=object,
                index=df.index,
            )
        elif column == "nb_parties":
            df[column] = df["parties"].map(len).astype("int64")
        elif column.startswith("date_"):
            df[column] = pd.to_datetime(
                pd.Series(values(column), dtype=object, index=df.index)
            ).astype("datetime64[ns]")
        elif column == "periodicite_mois":
            df[column] = pd.Series(
                [12 if v is None else v for v in values(column)], index=df.index, dtype="Int64"
            )
        elif column == "ligne":
            df[column] = pd.Series(values(column), index=df.index, dtype="Int64")
        else:
            df[column] = pd.Series(values(column), dtype=object, index=df.index).astype("string")
    return PARTNERSHIP_SCHEMA.validate(df)


def _simple_reader(
    path: str | Path, kind: str
) -> tuple[pd.DataFrame, dict[str, str], _Problems, list[int]]:
    label = Path(path).name
    raw = _read_table(path)
    cols = _columns(raw, kind, label)
    out = pd.DataFrame({f: raw[c].to_numpy() for f, c in cols.items()}, dtype=object)
    for f in _HEADERS[kind]:
        if f not in out:
            out[f] = None
        cols.setdefault(f, _HEADERS[kind][f][0])
    return out, cols, _Problems(f"{_WHAT[kind]} {label}"), [i + 2 for i in range(len(raw))]


def _number(
    value: Any, problems: _Problems, line: int, column: str, *, required: bool
) -> float | None:
    if _blank(value):
        if required:
            problems.add(
                line, column, "valeur_manquante", None, "valeur manquante ; ligne ignorée."
            )
        return None
    number = parse_float(value)
    if number is None or number < 0:
        problems.add(
            line,
            column,
            "nombre_invalide",
            value,
            f"« {value} » n'est pas un nombre positif ; valeur laissée vide"
            + (" et ligne ignorée." if required else "."),
        )
    return number if number is not None and number >= 0 else None


def read_partnership_indicators(
    path: str | Path, *, partnerships: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read the indicators of the partnerships (one row per indicator).

    Returns ``partenariat_id, type_indicateur (moyens|resultat), indicateur,
    cible, realise, date_mesure, ligne``; an indicator of a partnership absent
    from ``partnerships``, or of an unknown type, is reported and left out.

    Examples
    --------
    >>> from geo import settings
    >>> ind = read_partnership_indicators(settings.demo_dir() / "partenariats_indicateurs.csv")
    >>> sorted(ind["type_indicateur"].unique())
    ['moyens', 'resultat']
    """
    raw, cols, problems, lines = _simple_reader(path, "indicateurs")
    known = None if partnerships is None else set(partnerships["partenariat_id"].astype(str))
    rows = []
    for line, rec in zip(lines, raw.to_dict("records"), strict=True):
        pid = rec["partenariat_id"]
        if _blank(pid) or (known is not None and str(pid) not in known):
            problems.add(
                line,
                cols["partenariat_id"],
                "partenariat_inconnu",
                pid,
                f"partenariat « {pid} » absent du registre ; indicateur ignoré.",
            )
            continue
        kind = _coded(
            rec["type_indicateur"],
            _INDICATOR_LOOKUP,
            problems,
            line,
            cols["type_indicateur"],
            "type_indicateur",
        )
        if kind is None:
            continue
        rows.append(
            {
                "partenariat_id": str(pid),
                "type_indicateur": kind,
                "indicateur": rec["indicateur"],
                "cible": _number(rec["cible"], problems, line, cols["cible"], required=False),
                "realise": _number(rec["realise"], problems, line, cols["realise"], required=False),
                "date_mesure": _date(rec["date_mesure"], problems, line, cols["date_mesure"]),
                "ligne": line,
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "partenariat_id",
            "type_indicateur",
            "indicateur",
            "cible",
            "realise",
            "date_mesure",
            "ligne",
        ],
    )
    for c in ("partenariat_id", "type_indicateur", "indicateur"):
        df[c] = df[c].astype("string")
    df["cible"] = df["cible"].astype("float64")
    df["realise"] = df["realise"].astype("float64")
    df["date_mesure"] = pd.to_datetime(df["date_mesure"]).astype("datetime64[ns]")
    df["ligne"] = df["ligne"].astype("Int64")
    return problems.attach(df)


def read_partner_flows(
    path: str | Path,
    *,
    partners: pd.DataFrame | Iterable[str] | None = None,
    units: pd.DataFrame | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read flows between actors: ``source, cible, type_flux, annee, volume, ligne``.

    A flow names its origin and destination (partner or Pôle emploi unit ids), its
    kind (:data:`FLOW_TYPES`), a year and a volume (people). Unknown actors,
    unreadable volumes and self-flows are reported and left out.

    Examples
    --------
    >>> from geo import settings
    >>> flows = read_partner_flows(settings.demo_dir() / "flux_partenaires.csv")
    >>> flows.columns.tolist()
    ['source', 'cible', 'type_flux', 'annee', 'volume', 'ligne']
    """
    raw, cols, problems, lines = _simple_reader(path, "flux")
    known = _known_actors(partners, units)
    rows = []
    for line, rec in zip(lines, raw.to_dict("records"), strict=True):
        ends = []
        for field in ("source", "cible"):
            actor = rec[field]
            if _blank(actor) or (known is not None and str(actor) not in known):
                problems.add(
                    line,
                    cols[field],
                    "acteur_inconnu",
                    actor,
                    f"acteur « {actor} » absent de l'annuaire et des unités ; flux ignoré.",
                )
            else:
                ends.append(str(actor))
        volume = _number(rec["volume"], problems, line, cols["volume"], required=True)
        if len(ends) < 2 or volume is None:
            continue
        if ends[0] == ends[1]:
            problems.add(
                line,
                cols["cible"],
                "flux_boucle",
                ends[0],
                "origine et destination identiques ; flux ignoré.",
            )
            continue
        kind = _coded(
            rec["type_flux"], _FLOW_LOOKUP, problems, line, cols["type_flux"], "type_flux"
        )
        year = parse_float(rec["annee"]) if not _blank(rec["annee"]) else None
        rows.append(
            {
                "source": ends[0],
                "cible": ends[1],
                "type_flux": kind,
                "annee": None if year is None else int(year),
                "volume": volume,
                "ligne": line,
            }
        )
    df = pd.DataFrame(rows, columns=["source", "cible", "type_flux", "annee", "volume", "ligne"])
    for c in ("source", "cible", "type_flux"):
        df[c] = df[c].astype("string")
    df["annee"] = df["annee"].astype("Int64")
    df["volume"] = df["volume"].astype("float64")
    df["ligne"] = df["ligne"].astype("Int64")
    return problems.attach(df)


def read_pole_emploi_units(path: str | Path) -> pd.DataFrame:
    """Read the Pôle emploi units: ``unite_id, nom, niveau, commune, latitude, longitude``.

    Ids must start with ``PE-`` (``PE-DR-99``, ``PE-DT-9A``, ``PE-AG-9A111``) so that
    the registry tells them from the partners of the directory.

    Examples
    --------
    >>> from geo import settings
    >>> units = read_pole_emploi_units(settings.demo_dir() / "unites_pole_emploi.csv")
    >>> units["niveau"].value_counts().sort_index().to_dict()
    {'agence': 6, 'direction_regionale': 1, 'direction_territoriale': 3}
    """
    raw, cols, problems, lines = _simple_reader(path, "unites")
    rows = []
    for line, rec in zip(lines, raw.to_dict("records"), strict=True):
        uid = rec["unite_id"]
        if _blank(uid) or not str(uid).startswith(_PE_PREFIX):
            problems.add(
                line,
                cols["unite_id"],
                "identifiant_invalide",
                uid,
                f"identifiant « {uid} » invalide : il doit commencer par « {_PE_PREFIX} » ; "
                "ligne ignorée.",
            )
            continue
        level = _coded(rec["niveau"], _UNIT_LOOKUP, problems, line, cols["niveau"], "niveau")
        lat = parse_float(rec["latitude"]) if not _blank(rec["latitude"]) else None
        lon = parse_float(rec["longitude"]) if not _blank(rec["longitude"]) else None
        rows.append(
            {
                "unite_id": str(uid),
                "nom": rec["nom"],
                "niveau": level,
                "commune": rec["commune"],
                "latitude": lat,
                "longitude": lon,
            }
        )
    df = pd.DataFrame(
        rows, columns=["unite_id", "nom", "niveau", "commune", "latitude", "longitude"]
    )
    for c in ("unite_id", "nom", "niveau", "commune"):
        df[c] = df[c].astype("string")
    for c in ("latitude", "longitude"):
        df[c] = df[c].astype("float64")
    return problems.attach(df)


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
