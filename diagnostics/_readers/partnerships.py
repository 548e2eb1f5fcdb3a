"""Readers of the partnership files: registry, indicators, flows between actors, units.

Files documented in ``data/partenariats/LISEZMOI.md`` (templates alongside; filled
examples on the demonstration territory in ``data/demo/``). Each reader reads the
file with :func:`geo.tables.read_table` (CSV or workbook, detected by content; the
header row is the one naming the most expected columns), matches the headers by
their normalised name against a list of aliases, then parses every row without
stopping at the first bad cell: each problem is recorded in a
:class:`geo.problems.ProblemReport` (file, line, column, value, what was done,
French message with its fix), kept in ``attrs["problemes"]``, while the rest of the
file is used. The vocabularies (modes, statuses, levels...) and the tidy schema of
the registry live here; :mod:`diagnostics.partnerships` re-exports them with the
readers and holds the checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from diagnostics._readers._rows import SET_ASIDE, parent_set_aside, refuse_set_aside
from diagnostics._readers.partners import _check_point, parse_date, parse_float, split_values
from diagnostics.partners import DOMAINS, PUBLICS
from geo._errors import SchemaError
from geo.problems import ProblemReport, attach_problems
from geo.tables import normalize_header, read_table, report_blank_lines

__all__ = [
    "RELATION_MODES",
    "LIFECYCLE_STATUSES",
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


def _read(path: str | Path, kind: str) -> tuple[pd.DataFrame, list[int]]:
    """The file's cells as text (:func:`geo.tables.read_table`) and each row's line.

    The header row is the one naming the most columns of ``kind`` (in a workbook, on
    the best sheet).
    """
    known = {normalize_header(a) for aliases in _HEADERS[kind].values() for a in aliases}
    raw = read_table(
        path,
        line_column="ligne",
        header_score=lambda cells: sum(normalize_header(c) in known for c in cells),
    )
    lines = [int(v) for v in raw.pop("ligne")]
    return raw, lines


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


def _unknown_actor(partners: Any, units: Any) -> Callable[[str], bool]:
    """Whether an actor id is unknown to the tables given (``partners``, ``units``).

    A unit id (``PE-...``) is checked when the units are given, any other id when the
    partner directory is: without a directory, the partners of a registry cannot be
    told from typos and are kept (the units alone do not make them unknown).
    """
    ids: set[str] = set()
    for table, column in ((partners, "partenaire_id"), (units, "unite_id")):
        if table is None:
            continue
        if isinstance(table, pd.DataFrame):
            ids.update(table[column].dropna().astype(str))
        else:
            ids.update(str(v) for v in table)

    def unknown(item: str) -> bool:
        checked = units if str(item).startswith(_PE_PREFIX) else partners
        return checked is not None and str(item) not in ids

    return unknown


def _set_aside_from(item: str, *tables: Any) -> str | None:
    """Why ``item`` was set aside from one of ``tables`` (« ligne N de fichier (...) »)."""
    for table in tables:
        if isinstance(table, pd.DataFrame) and (why := parent_set_aside(table, item)):
            return why
    return None


#: Years a partnership flow can plausibly have.
_YEARS = (1990, 2100)


def _year(value: Any, report: ProblemReport, line: int, column: str) -> int | None:
    """The flow's year; an unreadable or implausible one is reported and left empty."""
    if _blank(value):
        return None
    number = parse_float(value)
    if number is not None and number == int(number) and _YEARS[0] <= number <= _YEARS[1]:
        return int(number)
    report.add(
        f"année « {value} » illisible ou invraisemblable (attendu une année à quatre chiffres, "
        f"de {_YEARS[0]} à {_YEARS[1]}) : corrigez-la ; année laissée vide, flux gardé.",
        line=line,
        column=column,
        value=value,
        action="corrigée",
        category="annee_invalide",
    )
    return None


def _coded(
    value: Any,
    lookup: Mapping[str, str],
    report: ProblemReport,
    line: int,
    column: str,
    what: str,
    *,
    action: str = "corrigée",
) -> str | None:
    if _blank(value):
        return None
    code = lookup.get(normalize_header(value))
    if code is None:
        choices = ", ".join(sorted(set(lookup.values())))
        report.add(
            f"{what} « {value} » inconnu ; corrigez-le, valeurs acceptées : {choices}."
            + (
                " Valeur laissée vide, le reste de la ligne est utilisé."
                if action == "corrigée"
                else ""
            ),
            line=line,
            column=column,
            value=value,
            action=action,
            category=f"{what}_inconnu",
        )
    return code


def _codes_list(
    value: Any, lookup: Mapping[str, str], report: ProblemReport, line: int, column: str, what: str
) -> tuple[str, ...]:
    out: list[str] = []
    for item in split_values(value):
        code = _coded(item, lookup, report, line, column, what)
        if code is not None and code not in out:
            out.append(code)
    return tuple(out)


def _date(value: Any, report: ProblemReport, line: int, column: str) -> pd.Timestamp | None:
    if _blank(value):
        return None
    parsed = parse_date(value)
    if parsed is None:
        report.add(
            f"date « {value} » illisible ; laissée vide. Écrivez-la JJ/MM/AAAA ou AAAA-MM-JJ.",
            line=line,
            column=column,
            value=value,
            action="corrigée",
            category="date_invalide",
        )
    return parsed


def read_partnerships(
    path: str | Path,
    *,
    partners: pd.DataFrame | Iterable[str] | None = None,
    units: pd.DataFrame | Iterable[str] | None = None,
    strict: bool = False,
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
        Pôle emploi units (:func:`read_pole_emploi_units`) or their ids; a party
        whose row was set aside from the units' file is told so (line and problem).
    strict
        Refuse the file (:class:`SchemaError`) if any row would be set aside.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PARTNERSHIP_COLUMNS` (schema :data:`PARTNERSHIP_SCHEMA`);
        ``attrs["problemes"]`` holds the problems
        (:class:`geo.problems.ProblemReport`: line, column, value, what was done,
        French message).

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
    >>> registry.attrs["problemes"].lines()
    []
    """
    label = Path(path).name
    raw, lines = _read(path, "partenariats")
    cols = _columns(raw, "partenariats", label)
    report = ProblemReport(label)
    report_blank_lines(raw, report)
    unknown = _unknown_actor(partners, units)
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    set_aside: dict[str, str] = {}

    def cell(row: pd.Series, field: str) -> Any:
        return row[cols[field]] if field in cols else None

    for line, (_, row) in zip(lines, raw.iterrows(), strict=True):
        pid = cell(row, "partenariat_id")
        h = {f: cols.get(f, _HEADERS["partenariats"][f][0]) for f in _HEADERS["partenariats"]}
        if _blank(pid):
            pid = f"L{line}"
            report.add(
                f"identifiant manquant ; « {pid} » attribué. Donnez un identifiant unique.",
                line=line,
                column=h["partenariat_id"],
                value=None,
                action="corrigée",
                category="identifiant_manquant",
            )
        pid = str(pid)
        if pid in seen:
            report.add(
                f"identifiant « {pid} » déjà utilisé plus haut ; ligne ignorée. "
                "Donnez un identifiant unique à chaque partenariat.",
                line=line,
                column=h["partenariat_id"],
                value=pid,
                action="écartée",
                category="identifiant_duplique",
            )
            continue
        seen.add(pid)
        parties: list[str] = []
        for item in split_values(cell(row, "parties")):
            if unknown(item):
                where = "l'annuaire des partenaires ni des unités Pôle emploi"
                parent = _set_aside_from(item, partners, units)
                report.add(
                    f"partie « {item} » écartée, {parent} ; retirée du partenariat {pid}. "
                    "Corrigez cette ligne."
                    if parent
                    else f"partie « {item} » absente de {where} ; retirée du partenariat "
                    f"{pid}. Ajoutez la structure à l'annuaire ou corrigez l'identifiant.",
                    line=line,
                    column=h["parties"],
                    value=item,
                    action="corrigée",
                    category="partie_inconnue",
                )
                continue
            if item not in parties:
                parties.append(item)
        if len(parties) < 2:
            set_aside.setdefault(pid, f"ligne {line} de {label} (moins de deux parties connues)")
            report.add(
                f"le partenariat {pid} n'a que {len(parties)} partie(s) connue(s) ; "
                "un partenariat lie au moins deux acteurs. Ligne ignorée : complétez "
                "la colonne (identifiants séparés par « | »).",
                line=line,
                column=h["parties"],
                value=cell(row, "parties"),
                action="écartée",
                category="partie_unique",
            )
            continue
        start = _date(cell(row, "date_debut"), report, line, h["date_debut"])
        end = _date(cell(row, "date_fin"), report, line, h["date_fin"])
        if start is not None and end is not None and end < start:
            report.add(
                f"date de fin ({end:%d/%m/%Y}) antérieure à la date de début "
                f"({start:%d/%m/%Y}) ; date de fin laissée vide. Corrigez l'une des deux.",
                line=line,
                column=h["date_fin"],
                value=cell(row, "date_fin"),
                action="corrigée",
                category="fin_avant_debut",
            )
            end = None
        period = cell(row, "periodicite_mois")
        months: int | None = 12
        if not _blank(period):
            value = parse_float(period)
            if value is None or value <= 0 or value != int(value):
                report.add(
                    "périodicité d'évaluation illisible (nombre entier de mois "
                    "attendu) ; 12 mois retenus.",
                    line=line,
                    column=h["periodicite_mois"],
                    value=period,
                    action="corrigée",
                    category="periodicite_invalide",
                )
            else:
                months = int(value)
        meetings = tuple(
            d
            for d in (
                _date(v, report, line, h["dates_comites"])
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
                    cell(row, "niveau"), _LEVEL_LOOKUP, report, line, h["niveau"], "niveau"
                ),
                "cadre": _coded(
                    cell(row, "cadre"), _FRAMEWORK_LOOKUP, report, line, h["cadre"], "cadre"
                ),
                "mode": _coded(cell(row, "mode"), _MODE_LOOKUP, report, line, h["mode"], "mode"),
                "domaines": _codes_list(
                    cell(row, "domaines"), _DOMAIN_LOOKUP, report, line, h["domaines"], "domaine"
                ),
                "publics": _codes_list(
                    cell(row, "publics"), _PUBLIC_LOOKUP, report, line, h["publics"], "public"
                ),
                "date_debut": start,
                "date_fin": end,
                "statut": _coded(
                    cell(row, "statut"), _STATUS_LOOKUP, report, line, h["statut"], "statut"
                ),
                "date_evaluation": _date(
                    cell(row, "date_evaluation"), report, line, h["date_evaluation"]
                ),
                "periodicite_mois": months,
                "comite": _coded(
                    cell(row, "comite"), _COMMITTEE_LOOKUP, report, line, h["comite"], "comite"
                ),
                "dates_comites": meetings,
                "commentaire": cell(row, "commentaire"),
                "ligne": line,
            }
        )
    refuse_set_aside(report, strict=strict)
    table = partnerships_from_records(records)
    table.attrs[SET_ASIDE] = set_aside
    return attach_problems(table, report)


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
) -> tuple[pd.DataFrame, dict[str, str], ProblemReport, list[int]]:
    label = Path(path).name
    raw, lines = _read(path, kind)
    cols = _columns(raw, kind, label)
    out = pd.DataFrame({f: raw[c].to_numpy() for f, c in cols.items()}, dtype=object)
    for f in _HEADERS[kind]:
        if f not in out:
            out[f] = None
        cols.setdefault(f, _HEADERS[kind][f][0])
    report = ProblemReport(label)
    report_blank_lines(raw, report)
    return out, cols, report, lines


def _number(
    value: Any, report: ProblemReport, line: int, column: str, *, required: bool
) -> float | None:
    if _blank(value):
        if required:
            report.add(
                "valeur manquante ; ligne ignorée. Complétez la cellule.",
                line=line,
                column=column,
                value=None,
                action="écartée",
                category="valeur_manquante",
            )
        return None
    number = parse_float(value)
    if number is None or number < 0:
        report.add(
            f"« {value} » n'est pas un nombre positif ; valeur laissée vide"
            + (" et ligne ignorée." if required else ".")
            + " Corrigez la valeur.",
            line=line,
            column=column,
            value=value,
            action="écartée" if required else "corrigée",
            category="nombre_invalide",
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
    raw, cols, report, lines = _simple_reader(path, "indicateurs")
    known = None if partnerships is None else set(partnerships["partenariat_id"].astype(str))
    rows = []
    for line, rec in zip(lines, raw.to_dict("records"), strict=True):
        pid = rec["partenariat_id"]
        if _blank(pid) or (known is not None and str(pid) not in known):
            parent = None if _blank(pid) else parent_set_aside(partnerships, pid)
            report.add(
                f"partenariat « {pid} » écarté du registre, {parent} ; indicateur ignoré. "
                "Corrigez cette ligne du registre."
                if parent
                else f"partenariat « {pid} » absent du registre ; indicateur ignoré. "
                "Ajoutez-le au registre ou corrigez l'identifiant.",
                line=line,
                column=cols["partenariat_id"],
                value=pid,
                action="écartée",
                category="partenariat_inconnu",
            )
            continue
        kind = _coded(
            rec["type_indicateur"],
            _INDICATOR_LOOKUP,
            report,
            line,
            cols["type_indicateur"],
            "type_indicateur",
            action="écartée",
        )
        if kind is None:
            if _blank(rec["type_indicateur"]):
                report.add(
                    "type d'indicateur vide ; indicateur ignoré. Écrivez moyens ou resultat.",
                    line=line,
                    column=cols["type_indicateur"],
                    category="valeur_manquante",
                )
            continue
        rows.append(
            {
                "partenariat_id": str(pid),
                "type_indicateur": kind,
                "indicateur": rec["indicateur"],
                "cible": _number(rec["cible"], report, line, cols["cible"], required=False),
                "realise": _number(rec["realise"], report, line, cols["realise"], required=False),
                "date_mesure": _date(rec["date_mesure"], report, line, cols["date_mesure"]),
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
    return attach_problems(df, report)


def read_partner_flows(
    path: str | Path,
    *,
    partners: pd.DataFrame | Iterable[str] | None = None,
    units: pd.DataFrame | Iterable[str] | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Read flows between actors: ``source, cible, type_flux, annee, volume, ligne``.

    A flow names its origin and destination (partner or Pôle emploi unit ids), its
    kind (:data:`FLOW_TYPES`), a year and a volume (people). Unknown actors (or
    actors set aside from their file, told so with its line), unreadable volumes and
    self-flows are reported and left out; an unreadable or implausible year is
    reported and left empty. ``strict`` refuses the file if any row would be set
    aside.

    Examples
    --------
    >>> from geo import settings
    >>> flows = read_partner_flows(settings.demo_dir() / "flux_partenaires.csv")
    >>> flows.columns.tolist()
    ['source', 'cible', 'type_flux', 'annee', 'volume', 'ligne']
    """
    raw, cols, report, lines = _simple_reader(path, "flux")
    unknown = _unknown_actor(partners, units)
    rows = []
    for line, rec in zip(lines, raw.to_dict("records"), strict=True):
        ends = []
        for field in ("source", "cible"):
            actor = rec[field]
            if _blank(actor) or unknown(str(actor)):
                parent = None if _blank(actor) else _set_aside_from(str(actor), partners, units)
                report.add(
                    f"acteur « {actor} » écarté, {parent} ; flux ignoré. Corrigez cette ligne."
                    if parent
                    else f"acteur « {actor} » absent de l'annuaire et des unités ; flux "
                    "ignoré. Ajoutez-le à l'annuaire ou corrigez l'identifiant.",
                    line=line,
                    column=cols[field],
                    value=actor,
                    action="écartée",
                    category="acteur_inconnu",
                )
            else:
                ends.append(str(actor))
        volume = _number(rec["volume"], report, line, cols["volume"], required=True)
        if len(ends) < 2 or volume is None:
            continue
        if ends[0] == ends[1]:
            report.add(
                "origine et destination identiques ; flux ignoré. Corrigez l'un des deux acteurs.",
                line=line,
                column=cols["cible"],
                value=ends[0],
                action="écartée",
                category="flux_boucle",
            )
            continue
        kind = _coded(rec["type_flux"], _FLOW_LOOKUP, report, line, cols["type_flux"], "type_flux")
        year = _year(rec["annee"], report, line, cols["annee"])
        rows.append(
            {
                "source": ends[0],
                "cible": ends[1],
                "type_flux": kind,
                "annee": year,
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
    refuse_set_aside(report, strict=strict)
    return attach_problems(df, report)


def read_pole_emploi_units(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Read the Pôle emploi units: ``unite_id, nom, niveau, commune, latitude, longitude``.

    Ids must start with ``PE-`` (``PE-DR-99``, ``PE-DT-9A``, ``PE-AG-9A111``) so that
    the registry tells them from the partners of the directory. An id given twice is
    kept at its first line, the others set aside. Coordinates unreadable or outside
    France (metropolitan France, the overseas départements, the demonstration
    territory) are reported and left empty; swapped latitude and longitude are put
    back in order and reported (the checks of the partner directory). ``strict``
    refuses the file if any row would be set aside.

    Examples
    --------
    >>> from geo import settings
    >>> units = read_pole_emploi_units(settings.demo_dir() / "unites_pole_emploi.csv")
    >>> units["niveau"].value_counts().sort_index().to_dict()
    {'agence': 6, 'direction_regionale': 1, 'direction_territoriale': 3}
    >>> units.attrs["problemes"].lines()
    []
    """
    raw, cols, report, lines = _simple_reader(path, "unites")
    rows = []
    first: dict[str, int] = {}
    set_aside: dict[str, str] = {}
    for line, rec in zip(lines, raw.to_dict("records"), strict=True):
        uid = rec["unite_id"]
        if _blank(uid) or not str(uid).startswith(_PE_PREFIX):
            problem = report.add(
                f"identifiant « {uid} » invalide : il doit commencer par « {_PE_PREFIX} » ; "
                "ligne ignorée. Corrigez l'identifiant.",
                line=line,
                column=cols["unite_id"],
                value=uid,
                action="écartée",
                category="identifiant_invalide",
            )
            if not _blank(uid):
                set_aside.setdefault(str(uid), f"ligne {line} de {report.file} ({problem.message})")
            continue
        if str(uid) in first:
            report.add(
                f"unité « {uid} » déjà donnée ligne {first[str(uid)]} ; ligne ignorée. Retirez "
                "le doublon ou donnez-lui un autre identifiant.",
                line=line,
                column=cols["unite_id"],
                value=uid,
                action="écartée",
                category="identifiant_duplique",
            )
            continue
        first[str(uid)] = line
        level = _coded(rec["niveau"], _UNIT_LOOKUP, report, line, cols["niveau"], "niveau")
        lat, lon = _point(rec, cols, report, line)
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
    refuse_set_aside(report, strict=strict)
    df.attrs[SET_ASIDE] = set_aside
    return attach_problems(df, report)


def _point(
    rec: Mapping[str, Any], cols: Mapping[str, str], report: ProblemReport, line: int
) -> tuple[float | None, float | None]:
    """A unit's (latitude, longitude), checked; a point that cannot be used is left empty."""
    values: dict[str, float | None] = {}
    for field in ("latitude", "longitude"):
        value = rec[field]
        values[field] = None if _blank(value) else parse_float(value)
        if not _blank(value) and values[field] is None:
            report.add(
                f"{field} « {value} » illisible (attendu des degrés décimaux WGS84, ex. 47,218) "
                "; point laissé vide. Corrigez la coordonnée.",
                line=line,
                column=cols[field],
                value=value,
                action="corrigée",
                category="coordonnee_invalide",
            )
    lat, lon = values["latitude"], values["longitude"]
    if lat is None or lon is None:
        return None, None
    category, lat_kept, lon_kept, text = _check_point(lat, lon, None)
    if category:
        report.add(
            text,
            line=line,
            column=cols["latitude"],
            value=f"{rec['latitude']} ; {rec['longitude']}",
            action="corrigée",
            category=category,
        )
    return lat_kept, lon_kept
