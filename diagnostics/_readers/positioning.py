"""Reader of the per-territory positioning of the actors (roles on the report's grid).

:func:`read_positioning` reads the analyst's file through
:func:`geo.tables.read_table` (CSV or workbook) and :func:`validate_positioning`
checks a table already in memory; both return the tidy table described in
:mod:`diagnostics.positioning` (which re-exports them) with every problem, one per
row, in a :class:`geo.problems.ProblemReport` (``attrs["problemes"]``) and the
reading statistics in ``attrs["rapport"]``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostics._readers._rows import refuse_set_aside
from diagnostics._readers.partners import RESSORT_LEVELS
from geo import codes
from geo._errors import SchemaError, format_problems
from geo.exports import restore_formulas
from geo.problems import ProblemReport, attach_problems, problems_of
from geo.tables import file_label, normalize_header, pick_columns, read_table, report_blank_lines

__all__ = [
    "POLE_EMPLOI",
    "POSITIONING_DOMAINS",
    "SEGMENTS",
    "CLIENT_SITUATIONS",
    "SITUATION_SEGMENTS",
    "POSITIONING_ROLES",
    "COLUMNS",
    "INPUT_COLUMNS",
    "read_positioning",
    "validate_positioning",
    "format_positioning_report",
    "parse_territory",
    "normalize_actor",
    "empty_positioning",
]

#: Actor code of Pôle emploi (France Travail since 2024) in positioning tables.
POLE_EMPLOI = "pole_emploi"

#: The five domains of the matrix (code -> label of the report, L193–L197).
POSITIONING_DOMAINS: dict[str, str] = {
    "intermediation": "Intermédiation",
    "orientation": "Orientation",
    "formation": "Formation",
    "insertion": "Insertion",
    "developpement_economique": "Développement économique",
}

#: Client segments (code -> label of L191).
SEGMENTS: dict[str, str] = {
    "demandeurs_emploi": "Demandeurs d'emploi",
    "actifs_occupes": "Actifs occupés",
    "employeurs": "Employeurs",
}

#: The seven client situations, columns of the matrix (code -> label of L192).
CLIENT_SITUATIONS: dict[str, str] = {
    "primo_accedant": "Primo-accédant",
    "eloigne_emploi": "Personne éloignée de l'emploi",
    "retour_emploi": "Retour à l'emploi",
    "createur_entreprise": "Créateur d'entreprise",
    "reconversion": "Reconversion",
    "besoin_recrutement": "Besoin de recrutement",
    "besoin_accompagnement": "Besoin d'accompagnement (mutation - anticipation)",
}

#: Segment of each client situation (L191).
SITUATION_SEGMENTS: dict[str, str] = {
    "primo_accedant": "demandeurs_emploi",
    "eloigne_emploi": "demandeurs_emploi",
    "retour_emploi": "demandeurs_emploi",
    "createur_entreprise": "demandeurs_emploi",
    "reconversion": "actifs_occupes",
    "besoin_recrutement": "employeurs",
    "besoin_accompagnement": "employeurs",
}

#: The three roles (code -> label of the report, L174–L179), strongest first.
POSITIONING_ROLES: dict[str, str] = {
    "pivot": "Pivot",
    "structurant": "Structurant",
    "contributeur": "Contributeur",
}

_ROW_KEY = ["territoire", "acteur", "domaine", "situation"]

#: Columns of the tidy positioning table, in order.
COLUMNS = [
    "territoire",
    "niveau",
    "code_territoire",
    "acteur",
    "domaine",
    "situation",
    "role",
    "commentaire",
    "date_verification",
    "ligne",
]

#: Tidy column → accepted headers (normalised with :func:`geo.tables.normalize_header`).
INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "territoire": ("territoire", "territoire_code", "perimetre", "territory"),
    "acteur": (
        "acteur",
        "partenaire_id",
        "id_partenaire",
        "identifiant_partenaire",
        "partenaire",
        "identifiant",
        "actor",
    ),
    "domaine": ("domaine", "domaine_d_intervention", "domain"),
    "situation": ("situation", "situation_client", "situation_du_client", "client_situation"),
    "role": ("role", "role_de_l_acteur", "positionnement"),
    "commentaire": ("commentaire", "commentaires", "remarque", "remarques", "comment"),
    "date_verification": (
        "date_verification",
        "date_de_verification",
        "date_de_derniere_verification",
        "derniere_verification",
        "verifie_le",
    ),
}
_REQUIRED = ("territoire", "acteur", "domaine", "situation", "role")

_LEVEL_ALIASES = {
    **{level: level for level in RESSORT_LEVELS},
    "reg": "region",
    "dep": "departement",
    "dept": "departement",
    "bassin_bmo": "bassin",
    "bassin_d_emploi": "bassin",
    "bassin_emploi": "bassin",
    "ze": "zone_emploi",
    "zone_d_emploi": "zone_emploi",
    "com": "commune",
}
_PE_ALIASES = {"pole_emploi", "france_travail", "pe", "ft"}


def _aliases(labels: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {code: code for code in labels}
    out.update({normalize_header(label): code for code, label in labels.items()})
    out.update(extra or {})
    return out


_DOMAIN_ALIASES = _aliases(
    POSITIONING_DOMAINS,
    {"dev_eco": "developpement_economique", "developpement_eco": "developpement_economique"},
)
_SITUATION_ALIASES = _aliases(
    CLIENT_SITUATIONS,
    {
        "primo_accedants": "primo_accedant",
        "eloigne_de_l_emploi": "eloigne_emploi",
        "personne_eloignee_de_l_emploi": "eloigne_emploi",
        "retour_a_l_emploi": "retour_emploi",
        "createur_d_entreprise": "createur_entreprise",
        "createur": "createur_entreprise",
        "besoin_de_recrutement": "besoin_recrutement",
        "recrutement": "besoin_recrutement",
        "besoin_d_accompagnement": "besoin_accompagnement",
        "mutation_anticipation": "besoin_accompagnement",
    },
)
_ROLE_ALIASES = _aliases(
    POSITIONING_ROLES,
    {
        "acteur_pivot": "pivot",
        "acteur_structurant": "structurant",
        "contributrice": "contributeur",
    },
)


# --------------------------------------------------------------------------- cells


def parse_territory(value: object) -> tuple[str, str] | str:
    """``"bassin : 9903"`` → ``("bassin", "9903")``; a French problem text if it fails."""
    text = "" if pd.isna(value) else str(value).strip()
    if ":" not in text:
        return (
            f"territoire « {text} » mal formé : attendu « <niveau>:<code> », par exemple "
            "« bassin:9903 » ou « departement:9A »"
        )
    raw_level, raw_code = (part.strip() for part in text.split(":", 1))
    level = _LEVEL_ALIASES.get(normalize_header(raw_level))
    if level is None:
        return (
            f"niveau territorial « {raw_level} » inconnu dans « {text} » : niveaux possibles "
            + ", ".join(RESSORT_LEVELS)
        )
    code = getattr(codes, f"normalize_{level}")(raw_code, errors="coerce")
    if code is None:
        return f"code « {raw_code} » invalide pour le niveau {level} dans « {text} »"
    return level, code


def normalize_actor(value: object) -> str | None:
    """An actor as written → its code (:data:`POLE_EMPLOI` for its aliases), ``None`` if blank."""
    if pd.isna(value) or not str(value).strip():
        return None
    text = str(value).strip()
    return POLE_EMPLOI if normalize_header(text) in _PE_ALIASES else text


def _parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse ISO or ``jj/mm/aaaa`` dates; return the dates and the mask of unreadable ones."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        text = values.astype("string").str.strip()
        text = text.mask(text == "", pd.NA)
        iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
        french = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
        parsed = iso.fillna(french)
        bad = text.notna() & parsed.isna()
        return parsed.astype("datetime64[ns]"), bad.astype(bool)
    return parsed.astype("datetime64[ns]"), pd.Series(False, index=values.index)


def empty_positioning() -> pd.DataFrame:
    """An empty tidy positioning table (the columns and dtypes of :data:`COLUMNS`)."""
    out = pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS})
    out["date_verification"] = pd.Series(dtype="datetime64[ns]")
    out["ligne"] = pd.Series(dtype="Int64")
    return out


# --------------------------------------------------------------------------- validation


class _Rows:
    """The rows of a positioning table as read: text cells, file lines, problems."""

    def __init__(self, table: pd.DataFrame, source: str) -> None:
        raw = pd.DataFrame(table).reset_index(drop=True)
        dates = None
        for column in raw.columns:
            if normalize_header(column) in INPUT_COLUMNS["date_verification"]:
                dates = raw[column]
        picked = pick_columns(
            raw.astype("string"),
            INPUT_COLUMNS,
            required=_REQUIRED,
            source=source,
            what="un positionnement",
        )
        if dates is not None and "date_verification" in picked.columns:
            picked["date_verification"] = dates.values
        if "ligne" in raw.columns:  # read_table(..., line_column="ligne"): the file's lines
            self.lines = pd.Series(raw["ligne"].to_numpy(), index=picked.index, dtype="Int64")
        else:
            self.lines = pd.Series(range(2, len(picked) + 2), index=picked.index, dtype="Int64")
        for column in picked.columns:
            if column != "date_verification":
                values = picked[column].astype("string").str.strip()
                picked[column] = values.mask(values == "", pd.NA)
        self.picked = picked
        self.blank = picked[list(_REQUIRED)].isna().all(axis=1)
        self.report = ProblemReport(source)
        report_blank_lines(table, self.report)
        self.rejected: set[int] = set()
        cells = raw.drop(columns=["ligne"], errors="ignore").astype("string")
        notes = self.blank & cells.apply(lambda c: c.str.strip().replace("", pd.NA)).notna().any(
            axis=1
        ).set_axis(picked.index)
        for i in np.flatnonzero(notes.to_numpy(dtype=bool)):
            self.report.add(
                "ligne sans territoire, acteur, domaine, situation ni rôle (une note ?) : "
                "ignorée ; complétez-la ou retirez-la du tableau.",
                line=self.lines.iloc[i],
                category="ligne_note",
            )

    def problem(
        self, i: int, message: str, *, column: str | None = None, value: object = None
    ) -> None:
        """Report the row ``i`` and set it aside."""
        self.report.add(message, line=self.lines[i], column=column, value=value)
        self.rejected.add(i)


def _known_partners(partners: pd.DataFrame | None) -> set[str] | None:
    if partners is None:
        return None
    if "partenaire_id" not in partners.columns:
        raise SchemaError(
            "L'annuaire des partenaires donné n'a pas de colonne 'partenaire_id' : "
            "lisez-le avec diagnostics.partners.read_partners."
        )
    return set(partners["partenaire_id"].dropna().astype(str))


def _known_territories(communes: pd.DataFrame | None) -> dict[str, set[str]] | None:
    if communes is None:
        return None
    return {
        level: set(communes[level].dropna().astype(str))
        for level in RESSORT_LEVELS
        if level in communes.columns
    }


def _check_territory(
    rows: _Rows, i: int, written: str, known: Mapping[str, set[str]] | None
) -> tuple[str, str] | None:
    territory = parse_territory(written)
    if isinstance(territory, str):
        rows.problem(
            i,
            f"{territory} (colonne 'territoire'). Corrigez la valeur.",
            column="territoire",
            value=written,
        )
        return None
    if known is not None and territory[1] not in known.get(territory[0], set()):
        rows.problem(
            i,
            f"territoire « {written} » absent de la table des communes "
            f"(aucune commune n'a le code {territory[1]} au niveau {territory[0]}) ; "
            "vérifiez le code et le millésime du référentiel.",
            column="territoire",
            value=written,
        )
    return territory


def _check_actor(rows: _Rows, i: int, written: str, known: set[str] | None) -> str | None:
    actor = normalize_actor(written) or ""
    if known is not None and actor != POLE_EMPLOI and actor not in known:
        close = difflib.get_close_matches(actor, sorted(known), n=3, cutoff=0.6)
        hint = f" Identifiants proches : {', '.join(close)}." if close else ""
        rows.problem(
            i,
            f"acteur « {actor} » absent de l'annuaire des partenaires (colonne 'acteur') : "
            f"indiquez un partenaire_id de l'annuaire ou « {POLE_EMPLOI} ».{hint}",
            column="acteur",
            value=written,
        )
    return actor


def _check_domain(rows: _Rows, i: int, written: str) -> str | None:
    domain = _DOMAIN_ALIASES.get(normalize_header(written))
    if domain is not None:
        return domain
    if normalize_header(written) == "indemnisation":
        message = (
            "le domaine « indemnisation » n'est pas dans la grille de positionnement "
            "(le rapport l'exclut, L168) ; domaines possibles : "
            + ", ".join(POSITIONING_DOMAINS)
            + "."
        )
    else:
        message = (
            f"domaine « {written} » inconnu (colonne 'domaine') ; valeurs possibles : "
            + ", ".join(POSITIONING_DOMAINS)
            + ". Corrigez la valeur."
        )
    rows.problem(i, message, column="domaine", value=written)
    return None


def _check_code(
    rows: _Rows, i: int, written: str, column: str, aliases: Mapping[str, str], what: str
) -> str | None:
    """A situation or a role: its code, or a problem listing the possible values."""
    code = aliases.get(normalize_header(written))
    if code is None:
        possible = CLIENT_SITUATIONS if column == "situation" else POSITIONING_ROLES
        rows.problem(
            i,
            f"{what} « {written} » {'inconnue' if column == 'situation' else 'inconnu'} "
            f"(colonne '{column}') ; valeurs possibles : "
            + ", ".join(possible)
            + ". Corrigez la valeur.",
            column=column,
            value=written,
        )
    return code


def _check_row(
    rows: _Rows,
    i: int,
    row: pd.Series,
    partners: set[str] | None,
    territories: Mapping[str, set[str]] | None,
) -> dict[str, object] | None:
    """The tidy values of one row, or ``None`` when it is set aside (problems reported)."""
    missing = [c for c in _REQUIRED if pd.isna(row[c])]
    if missing:
        rows.problem(i, f"valeur(s) absente(s) dans {', '.join(repr(c) for c in missing)}.")
        return None
    territory = _check_territory(rows, i, row["territoire"], territories)
    actor = _check_actor(rows, i, row["acteur"], partners)
    domain = _check_domain(rows, i, row["domaine"])
    situation = _check_code(rows, i, row["situation"], "situation", _SITUATION_ALIASES, "situation")
    role = _check_code(rows, i, row["role"], "role", _ROLE_ALIASES, "rôle")
    if i in rows.rejected or territory is None:
        return None
    level, code = territory
    return {
        "territoire": f"{level}:{code}",
        "niveau": level,
        "code_territoire": code,
        "acteur": actor,
        "domaine": domain,
        "situation": situation,
        "role": role,
        "commentaire": row.get("commentaire", pd.NA),
    }


def _add_dates(rows: _Rows, result: pd.DataFrame) -> None:
    """``date_verification`` of the kept rows; unreadable dates reported, rows kept."""
    picked = rows.picked
    if "date_verification" not in picked.columns:
        result["date_verification"] = pd.Series(pd.NaT, index=result.index, dtype="datetime64[ns]")
        return
    parsed, bad = _parse_dates(picked["date_verification"])
    for i in bad[bad].index:
        if i in result.index:
            written = picked.at[i, "date_verification"]
            rows.report.add(
                f"date de vérification « {written} » illisible "
                "(attendu AAAA-MM-JJ ou JJ/MM/AAAA) ; la date est ignorée, la ligne gardée.",
                line=rows.lines[i],
                column="date_verification",
                value=written,
                action="corrigée",
            )
    result["date_verification"] = parsed.reindex(result.index)


def _drop_duplicates(rows: _Rows, result: pd.DataFrame) -> pd.DataFrame:
    """Keep the first row of each (territory, actor, cell); report the others."""
    duplicated = result.duplicated(_ROW_KEY, keep="first")
    firsts = result.loc[~duplicated].set_index(_ROW_KEY)
    for i in result.index[duplicated]:
        first = firsts.loc[tuple(result.loc[i, _ROW_KEY])]
        same = first["role"] == result.at[i, "role"]
        what = "doublon" if same else f"rôle contradictoire ({result.at[i, 'role']})"
        rows.report.add(
            f"{what} de la ligne {first['ligne']} pour l'acteur « {result.at[i, 'acteur']} », "
            f"{result.at[i, 'territoire']}, {result.at[i, 'domaine']} × "
            f"{result.at[i, 'situation']} : la ligne {first['ligne']} (rôle {first['role']}) "
            "est gardée.",
            line=result.at[i, "ligne"],
        )
    return result.loc[~duplicated].reset_index(drop=True)


def validate_positioning(
    table: pd.DataFrame,
    *,
    partners: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
    source: str = "table de positionnement",
) -> pd.DataFrame:
    """Validate a table of per-territory roles already in memory.

    The same checks as :func:`read_positioning` (which calls it); rows are numbered
    as in a spreadsheet whose first row is the header (the first data row is
    ``ligne`` 2), or by the table's ``ligne`` column when it has one (the file
    lines given by :func:`geo.tables.read_table`).

    Parameters
    ----------
    table
        Columns ``territoire, acteur, domaine, situation, role`` and optionally
        ``commentaire`` and ``date_verification`` (headers matched without regard to
        case, accents or spaces; extra columns are ignored).
    partners
        Partner directory (:func:`diagnostics.partners.read_partners`); when given,
        an ``acteur`` that is neither one of its ``partenaire_id`` nor Pôle emploi
        is reported and its row set aside.
    communes
        Commune table (:func:`geo.territories.commune_table`); when given, a
        territory none of whose communes carries the code is reported and its rows
        set aside.
    source
        Name of the table in the messages.

    Returns
    -------
    pandas.DataFrame
        The tidy table described in :mod:`diagnostics.positioning`; every problem,
        one per row, in ``attrs["problemes"]`` (:class:`geo.problems.ProblemReport`),
        the reading statistics in ``attrs["rapport"]`` (see
        :func:`format_positioning_report`).

    Raises
    ------
    SchemaError
        A mandatory column is missing, or no row at all is usable.

    Examples
    --------
    >>> raw = pd.DataFrame({
    ...     "Territoire": ["bassin:9903", "bassin:9903"],
    ...     "Acteur": ["ML-01", "France Travail"],
    ...     "Domaine": ["Orientation", "orientation"],
    ...     "Situation": ["Primo-accédant", "primo_accedant"],
    ...     "Rôle": ["Pivot", "maître"],
    ... })
    >>> t = validate_positioning(raw)
    >>> t[["territoire", "acteur", "domaine", "situation", "role"]].values.tolist()
    [['bassin:9903', 'ML-01', 'orientation', 'primo_accedant', 'pivot']]
    >>> print(t.attrs["problemes"].lines()[0])
    table de positionnement, ligne 3, colonne « role » : rôle « maître » inconnu (colonne 'role') ; valeurs possibles : pivot, structurant, contributeur. Corrigez la valeur. (ligne écartée)
    """
    rows = _Rows(table, source)
    known_partners = _known_partners(partners)
    known_territories = _known_territories(communes)
    kept: dict[int, dict[str, object]] = {}
    for i, row in rows.picked.loc[~rows.blank].iterrows():
        values = _check_row(rows, int(i), row, known_partners, known_territories)
        if values is not None:
            kept[int(i)] = values
    names = [c for c in COLUMNS if c not in ("date_verification", "ligne")]
    result = pd.DataFrame(
        {c: [v[c] for v in kept.values()] for c in names}, index=list(kept)
    ).astype("string")
    _add_dates(rows, result)
    result["ligne"] = rows.lines.reindex(result.index)
    result = result[COLUMNS] if len(result) else empty_positioning()
    result = _drop_duplicates(rows, result)
    report = ProblemReport(source, sorted(rows.report, key=lambda p: (p.line is None, p.line or 0)))
    if int((~rows.blank).sum()) and result.empty:
        raise SchemaError(
            format_problems(f"{source} : aucune ligne utilisable.", report.lines()),
            problems=report.lines(),
        )
    blank_lines = int(table.attrs.get("lignes_vides", 0))
    result.attrs["rapport"] = {
        "source": source,
        "lignes": len(rows.picked) + blank_lines,
        "lignes_vides": int(rows.blank.sum()) + blank_lines,
        "retenues": len(result),
    }
    return attach_problems(result, report)


def read_positioning(
    path: str | Path,
    *,
    partners: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Read a file of per-territory roles (CSV or XLSX, template ``modele_roles.csv``).

    Rows with an unknown actor, domain, situation or role, or a malformed territory,
    are reported with their line and set aside; the rest is used. Exact
    duplicates are dropped and contradictory roles of the same actor in the same
    cell keep the first row; both are reported.

    Parameters
    ----------
    path
        CSV (``,``, ``;`` or tab; UTF-8 or latin-1) or workbook (the sheet and
        header row holding the most known headers), read by
        :func:`geo.tables.read_table`.
    partners
        Partner directory; when given, actors are checked against its
        ``partenaire_id``.
    communes
        Commune table; when given, territories are checked against it.
    strict
        Refuse the file (:class:`SchemaError`) if any row would be set aside.

    Returns
    -------
    pandas.DataFrame
        The tidy table of :mod:`diagnostics.positioning`, with
        ``attrs["problemes"]`` and ``attrs["rapport"]``.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    SchemaError
        A mandatory column is missing, or no row is usable.

    Examples
    --------
    >>> from geo import settings
    >>> roles = read_positioning(settings.demo_dir() / "positionnement.csv")
    >>> sorted(roles["niveau"].unique())
    ['bassin']
    >>> roles.attrs["problemes"]
    ProblemReport('positionnement.csv', 0 problème(s))
    """
    # the workshop writes this file back with formula-like cells quoted: unquote them
    table = restore_formulas(read_table(path, header_score=_header_score, line_column="ligne"))
    result = validate_positioning(
        table, partners=partners, communes=communes, source=file_label(path)
    )
    refuse_set_aside(problems_of(result), strict=strict)
    return result


def _header_score(row: object) -> int:
    names = {normalize_header(c) for c in row}  # type: ignore[attr-defined]
    return sum(any(a in names for a in aliases) for aliases in INPUT_COLUMNS.values())


def format_positioning_report(positioning: pd.DataFrame) -> str:
    """Describe in French how a positioning file was read (``attrs["rapport"]``).

    Examples
    --------
    >>> from geo import settings
    >>> roles = read_positioning(settings.demo_dir() / "positionnement.csv")
    >>> print(format_positioning_report(roles))  # doctest: +ELLIPSIS
    positionnement.csv : ... ligne(s) lue(s), ... retenue(s), aucun problème.
    """
    report = positioning.attrs.get("rapport")
    if not report:
        return "Table de positionnement sans rapport de lecture (construite en mémoire)."
    head = (
        f"{report['source']} : {report['lignes']} ligne(s) lue(s), {report['retenues']} retenue(s)"
    )
    if report["lignes_vides"]:
        head += f", {report['lignes_vides']} ligne(s) vide(s) ignorée(s)"
    problems = problems_of(positioning).lines()
    if not problems:
        return head + ", aucun problème."
    return format_problems(head + f", {len(problems)} problème(s) :", problems, limit=50)
