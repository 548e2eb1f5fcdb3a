"""Reader of the DARES recruitment-tension indicators by FAP (``tensions_dares.csv``).

The DARES publishes, for each métier of the FAP2009 nomenclature (FAP-225, and the
coarser FAP-87), a tension indicator and six complementary indicators, nationally,
by région and by département. The file read here has one row per FAP × geography:
``fap, Emploi moyen, Tension , Catégorie Tension, <six indicators>, Année,
niveau_geo, niveau_fap, reg, dep`` (note the trailing space of ``"Tension "`` and of
some ``"reg "`` values; région codes written as floats, ``52.0``).

Tidy schema
-----------
``fap`` (string, ``A0Z40`` or ``A0Z`` for FAP-87), ``niveau_fap`` (``"FAP-225"`` or
``"FAP-87"``), ``niveau_geo`` (``"national"``, ``"region"``, ``"departement"``),
``region``, ``departement`` (normalised codes, missing above their level),
``annee`` (int), ``emploi_moyen`` (Float64), ``tension`` (Float64, the standardised
indicator: positive means more tension than average), ``categorie_tension`` and the
complementary indicators ``intensite_embauches``, ``lien_formation_emploi``,
``manque_main_oeuvre``, ``non_durabilite_emploi``, ``conditions_travail``,
``inadequation_geographique`` (Int64 quintile classes 1–5, 5 = most tension).

Missing columns make the file unusable (one :class:`SchemaError` lists them). A row
with an unknown geography or FAP level, an unreadable year or an invalid région or
département code is set aside, and a number cell that cannot be read is left
missing; each is reported, with its line, column and value, in
``attrs["problemes"]`` (:class:`geo.problems.ProblemReport`). With ``strict=True``
the rows that would be set aside refuse the file instead; a file where they are more
than half the rows is refused anyway.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import codes
from geo._errors import SchemaError
from geo.problems import ProblemReport, attach_problems
from geo.tables import file_label, normalize_header, raise_problems, read_table

__all__ = ["DARES_INDICATORS", "read_dares_tensions"]

#: Quintile-class indicators of the DARES file (tidy name -> start of the normalised
#: header, e.g. ``manque_de_main_d_uvre_disponible``).
DARES_INDICATORS: dict[str, str] = {
    "categorie_tension": "categorie_tension",
    "intensite_embauches": "intensite",
    "lien_formation_emploi": "lien_formation",
    "manque_main_oeuvre": "manque",
    "non_durabilite_emploi": "non_durabilite",
    "conditions_travail": "conditions",
    "inadequation_geographique": "inadequation",
}
_COLUMNS = {
    "fap": "fap",
    "emploi_moyen": "emploi_moyen",
    "tension": "tension",
    "annee": "annee",
    "niveau_geo": "niveau_geo",
    "niveau_fap": "niveau_fap",
    "region": "reg",
    "departement": "dep",
    **DARES_INDICATORS,
}
_GEO = {"nat": "national", "reg": "region", "dep": "departement"}
_FAP = {"fap225": "FAP-225", "fap87": "FAP-87"}


def _number(values: pd.Series, lines: pd.Series, header: str, report: ProblemReport) -> pd.Series:
    """Decimal numbers (``,`` or ``.``); an unreadable cell is reported and left missing."""
    numbers = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce")
    for i in values.index[values.notna() & numbers.isna()]:
        report.add(
            f"« {values[i]} » n'est pas un nombre : cellule laissée vide. Attendu un nombre "
            "décimal (12,5 ou 12.5).",
            line=lines[i],
            column=header,
            value=values[i],
            action="corrigée",
        )
    return numbers.astype("Float64")


def raw_cells(raw: pd.DataFrame, header: str, kept: pd.Series) -> pd.Series:
    """The cells of ``header`` for the kept rows, indexed like the tidy table."""
    return raw[header][kept].reset_index(drop=True)


def read_dares_tensions(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Read the DARES tension indicators by FAP and geography.

    Parameters
    ----------
    path
        ``tensions_dares.csv`` (``,`` or ``;``, UTF-8 or latin-1).
    strict
        Refuse the file when a row would be set aside (unknown level, unreadable
        year, invalid code).

    Returns
    -------
    pandas.DataFrame
        The tidy table described in this module, with ``attrs["problemes"]``.

    Raises
    ------
    InputFileError
        The file is missing or not a text table.
    SchemaError
        Columns are missing (the message lists those found), or rows would be set
        aside with ``strict`` or are more than half the file.
    """
    source = file_label(path)
    raw = read_table(path, line_column="ligne")
    lines = raw.pop("ligne")
    names = {normalize_header(c): c for c in raw.columns}
    by_name = {}
    for header in _COLUMNS.values():
        hits = [n for n in names if n == header] or [n for n in names if n.startswith(header)]
        if hits:
            by_name[header] = names[hits[0]]
    missing = [header for header in _COLUMNS.values() if header not in by_name]
    if missing:
        raise SchemaError(
            f"{source} : colonne(s) absente(s) pour les indicateurs de tension DARES : "
            f"{', '.join(missing)} (colonnes trouvées : {', '.join(map(str, raw.columns))}). "
            "Ce fichier ne semble pas être le fichier des tensions DARES par FAP.",
            problems=[f"colonne absente : {m}" for m in missing],
        )
    df = pd.DataFrame({tidy: raw[by_name[header]] for tidy, header in _COLUMNS.items()})
    kept = df.notna().any(axis=1)
    df, lines = df[kept].reset_index(drop=True), lines[kept].reset_index(drop=True)
    report = ProblemReport(source)
    df["niveau_geo"] = df["niveau_geo"].str.strip().str.lower().map(_GEO).astype("string")
    df["niveau_fap"] = (
        df["niveau_fap"].str.replace(" ", "", regex=False).str.lower().map(_FAP).astype("string")
    )
    year = df["annee"].str.strip().str.replace(r"\.0+$", "", regex=True)
    df["annee"] = pd.to_numeric(year.where(year.str.fullmatch(r"\d{4}").fillna(False)))
    df["region"] = codes.normalize_region(df["region"], errors="coerce")
    df["departement"] = codes.normalize_departement(df["departement"], errors="coerce")
    checks = (
        ("niveau_geo", "niveau géographique inconnu (attendu : nat, reg ou dep)"),
        ("niveau_fap", "niveau de nomenclature inconnu (attendu : fap225 ou fap87)"),
        ("annee", "année illisible (attendu : une année sur 4 chiffres, 2024)"),
        ("region", "code région invalide"),
        ("departement", "code département invalide"),
    )
    aside = pd.Series(False, index=df.index)
    problems: list[str] = []
    for column, what in checks:
        header = by_name[_COLUMNS[column]]
        cells = raw_cells(raw, header, kept)
        bad = df[column].isna() & (
            cells.notna() | (column in ("niveau_geo", "niveau_fap", "annee"))
        )
        for i in df.index[bad & ~aside]:
            problem = report.add(
                f"{what} : ligne écartée. Corrigez la cellule et relancez.",
                line=lines[i],
                column=header,
                value="(vide)" if pd.isna(cells[i]) else cells[i],
            )
            problems.append(str(problem))
        aside |= bad
    if strict or int(aside.sum()) * 2 > len(df):
        raise_problems(source, "les indicateurs de tension DARES", problems)
    df, lines = df[~aside].reset_index(drop=True), lines[~aside].reset_index(drop=True)
    df["fap"] = df["fap"].str.strip().str.upper()
    df["annee"] = df["annee"].astype("int64")
    df["emploi_moyen"] = _number(df["emploi_moyen"], lines, by_name["emploi_moyen"], report)
    df["tension"] = _number(df["tension"], lines, by_name["tension"], report)
    for column in DARES_INDICATORS:
        values = _number(df[column], lines, by_name[_COLUMNS[column]], report)
        df[column] = values.round().astype("Int64")
    order = ["fap", "niveau_fap", "niveau_geo", "region", "departement", "annee"]
    rest = ["emploi_moyen", "tension", *DARES_INDICATORS]
    out = df[order + rest].reset_index(drop=True)
    out.attrs["rapport"] = {"fichier": source, "lignes": len(out)}
    return attach_problems(out, report)
