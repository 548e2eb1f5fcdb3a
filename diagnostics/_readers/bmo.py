"""Reader of the France Travail BMO open-data files (enquête Besoins en Main-d'Œuvre).

One function, :func:`read_bmo`, reads the open-data file of any year 2015–2026 — the
XLSX workbook, a ZIP holding it, or the CSV an analyst exported from it (``;`` or
``,``, UTF-8 or latin-1) — and returns one tidy table with normalised codes.

The data sheet and its header row are found by column *names*, never by position:
the column order changed between vintages (2023: bassin first; 2024: métier first),
the bassin columns carry the year (``BE24``/``NOMBE24``) and 2026 adds ``clpe``.

Tidy schema (one row per année × métier × bassin × département)
----------------------------------------------------------------
========================  =========  ===============================================
column                    dtype      content
========================  =========  ===============================================
``annee``                 int64      survey year (``annee`` column, else ``BE<yy>``)
``metier``                string     métier code, FAP2009 (``A0Z40``) or FAP2021
                                     (``A0X40``)
``metier_nom``            string     métier label
``nomenclature``          string     ``"FAP2009"`` or ``"FAP2021"``
``famille``               string     BMO métier family code (``A``, ``C``, ``I``...)
``famille_nom``           string     family label
``region``                string     région of the bassin (``52``)
``region_nom``            string
``departement``           string     département of this part of the bassin (``44``)
``departement_nom``       string
``bassin``                string     bassin d'emploi BMO, 4 digits (``0101``, ``5203``)
``bassin_nom``            string
``clpe``                  string     CLPE code (2026 files; missing before)
``projets``               Int64      recruitment projects (``met``)
``projets_difficiles``    Int64      projects judged difficult (``xmet``)
``projets_saisonniers``   Int64      seasonal projects (``smet``)
``projets_secret``        bool       ``met`` was masked (``*``)
``difficiles_secret``     bool       ``xmet`` was masked
``saisonniers_secret``    bool       ``smet`` was masked
========================  =========  ===============================================

A bassin that straddles départements (Redon, Porte Sud du Grand Paris...) has one
row per département part, so the key of the table is (``annee``, ``metier``,
``bassin``, ``departement``); ``region`` is the bassin's région (the Loire-Atlantique
part of the Redon bassin is in région 53, Bretagne, as in the file).

Statistical secrecy: a ``*`` cell becomes a missing count **and** a ``True`` flag,
never 0 or 1. In the 2024 file the smallest published count is 5, so a masked cell
holds a value between 0 and 4 (see :data:`diagnostics.bmo.SECRET_MAX`).

The reading report is kept in ``df.attrs["rapport"]`` (rows, masked cells per column,
codes fixed, incoherences); ``df.attrs["cache"]`` tells whether the table came from
the cache (see :mod:`diagnostics._cache`). :func:`format_bmo_report` prints it in
French.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import python_calamine

from diagnostics._cache import cached_table
from geo import codes
from geo._errors import InputFileError, SchemaError, format_problems
from geo.tables import normalize_header, read_table

__all__ = [
    "BMO_COLUMNS",
    "READER_VERSION",
    "read_bmo",
    "format_bmo_report",
]

#: Version of the normalised table; bump it when the output of the reader changes
#: (it is part of the cache key).
READER_VERSION = "1"

#: Columns of the tidy BMO table, in order.
BMO_COLUMNS: tuple[str, ...] = (
    "annee",
    "metier",
    "metier_nom",
    "nomenclature",
    "famille",
    "famille_nom",
    "region",
    "region_nom",
    "departement",
    "departement_nom",
    "bassin",
    "bassin_nom",
    "clpe",
    "projets",
    "projets_difficiles",
    "projets_saisonniers",
    "projets_secret",
    "difficiles_secret",
    "saisonniers_secret",
)

# Tidy column -> accepted headers, already passed through ``normalize_header``
# (lower case, no accents, ``_`` between words). ``re:`` marks a regular expression.
_ALIASES: dict[str, tuple[str, ...]] = {
    "annee": ("annee", "millesime", "annee_enquete"),
    "metier": ("code_metier_bmo", "code_metier", "metier_bmo", "code_fap", "code_metier_fap"),
    "metier_nom": (
        "nom_metier_bmo",
        "nom_metier",
        "libelle_metier_bmo",
        "libelle_metier",
        "lbl_metier",
        "lib_metier",
    ),
    "famille": ("famille_met", "code_famille_met", "code_famille", "famille"),
    "famille_nom": ("lbl_fam_met", "libelle_famille", "lib_fam_met", "nom_famille"),
    "region": ("reg", "code_reg", "code_region", "region"),
    "region_nom": ("nom_reg", "nomreg", "nom_region", "lib_reg", "libelle_region"),
    "departement": ("dept", "dep", "code_dept", "code_departement", "departement"),
    "departement_nom": (
        "nomdept",
        "nom_dept",
        "nom_dep",
        "nom_departement",
        "lib_dept",
        "libelle_departement",
    ),
    "bassin": ("re:be_?\\d{2}", "code_bassin", "code_bassin_bmo", "bassin"),
    "bassin_nom": ("re:nom_?be_?\\d{2}", "nom_bassin", "lib_bassin_bmo", "libelle_bassin"),
    "clpe": ("clpe", "code_clpe"),
    "projets": ("met",),
    "projets_difficiles": ("xmet",),
    "projets_saisonniers": ("smet",),
}

#: Columns without which a file is not a BMO file.
_REQUIRED = (
    "metier",
    "metier_nom",
    "region",
    "departement",
    "bassin",
    "bassin_nom",
    "projets",
    "projets_difficiles",
    "projets_saisonniers",
)

#: Original header names shown in messages (the 2024 file's spelling).
_DISPLAY = {
    "annee": "annee",
    "metier": "Code métier BMO",
    "metier_nom": "Nom métier BMO",
    "famille": "Famille_met",
    "famille_nom": "Lbl_fam_met",
    "region": "REG",
    "region_nom": "NOM_REG",
    "departement": "Dept",
    "departement_nom": "NomDept",
    "bassin": "BE<aa>",
    "bassin_nom": "NOMBE<aa>",
    "clpe": "clpe",
    "projets": "met",
    "projets_difficiles": "xmet",
    "projets_saisonniers": "smet",
}

_COUNTS = {
    "projets": "projets_secret",
    "projets_difficiles": "difficiles_secret",
    "projets_saisonniers": "saisonniers_secret",
}
_CODE_NORMALIZERS: dict[str, Callable[..., Any]] = {
    "region": codes.normalize_region,
    "departement": codes.normalize_departement,
    "bassin": codes.normalize_bassin,
    "clpe": codes.normalize_clpe,
}
_METIER = re.compile(r"^[A-Z][0-9A-Z][A-Z]\d{2}$")
_EXAMPLES = 5
_HEADER_SEARCH_ROWS = 30


# --------------------------------------------------------------------------- header


def _match_header(header: Sequence[object]) -> dict[str, int]:
    """Map tidy column names to positions in ``header`` (first alias that matches)."""
    names = [normalize_header(h) if str(h).strip() else "" for h in header]
    found: dict[str, int] = {}
    used: set[int] = set()
    for column, aliases in _ALIASES.items():
        for alias in aliases:
            if alias.startswith("re:"):
                pattern = re.compile(alias[3:])
                hits = [i for i, n in enumerate(names) if pattern.fullmatch(n) and i not in used]
            else:
                hits = [i for i, n in enumerate(names) if n == alias and i not in used]
            if hits:
                found[column] = hits[0]
                used.add(hits[0])
                break
    return found


def _missing_message(label: str, header: Sequence[object], found: dict[str, int]) -> str:
    missing = [c for c in _REQUIRED if c not in found]
    shown = ", ".join(f"'{_DISPLAY[c]}'" for c in missing)
    present = ", ".join(f"'{h}'" for h in header if str(h).strip()) or "aucune"
    return (
        f"{label} : colonne(s) {shown} absente(s) (colonnes trouvées : {present}). "
        "Ce fichier ne semble pas être une base open data BMO : vérifiez qu'il s'agit du "
        "fichier « Base_open_data_BMO_<année> » de France Travail, ou renommez les colonnes."
    )


# --------------------------------------------------------------------------- sources


class _Table:
    """Raw cells of the data table: header, column values and file line numbers."""

    def __init__(
        self,
        header: list[object],
        columns: dict[str, Sequence[object]],
        first_line: int,
        *,
        file_format: str,
        sheet: str | None,
    ) -> None:
        self.header = header
        self.columns = columns
        self.first_line = first_line
        self.file_format = file_format
        self.sheet = sheet


def _sniff(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def _sheet_priority(name: str) -> int:
    low = normalize_header(name)
    if re.search(r"descri|variable|lisez|notice|sommaire|method", low):
        return 2
    if "open_data" in low or "bmo" in low or "donnees" in low or "data" in low:
        return 0
    return 1


def _table_from_workbook(
    workbook: python_calamine.CalamineWorkbook, label: str, fmt: str
) -> _Table:
    """Find the sheet whose header row holds the BMO columns."""
    names = list(workbook.sheet_names)
    best: tuple[int, str, list[object], dict[str, int]] | None = None
    for name in sorted(names, key=_sheet_priority):
        try:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=True)
        except python_calamine.CalamineError as exc:
            raise InputFileError(
                f"{label} : la feuille « {name} » est illisible ({exc}). "
                "Le classeur est peut-être corrompu : téléchargez-le à nouveau."
            ) from exc
        for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
            found = _match_header(row)
            if all(c in found for c in _REQUIRED):
                transposed = list(zip(*rows[index + 1 :], strict=True)) or [()] * len(row)
                columns = {column: transposed[position] for column, position in found.items()}
                first_line = sheet.start[0] + index + 2 if sheet.start else index + 2
                return _Table(list(row), columns, first_line, file_format=fmt, sheet=name)
            score = sum(c in found for c in _REQUIRED)
            if best is None or score > best[0]:
                best = (score, name, list(row), found)
    sheets = ", ".join(f"« {n} »" for n in names) or "aucune"
    detail = ""
    if best is not None and best[0] > 0:
        detail = " Feuille la plus proche : " + _missing_message(f"« {best[1]} »", best[2], best[3])
    raise SchemaError(
        f"{label} : aucune feuille ne contient les colonnes d'une base open data BMO "
        f"(attendu une feuille « BMO_<année>_open_data » avec les colonnes "
        f"{', '.join(repr(_DISPLAY[c]) for c in _REQUIRED)} ; feuilles trouvées : {sheets})."
        f"{detail} Vérifiez que c'est le bon fichier et qu'il n'a pas été tronqué.",
        problems=[f"colonne absente : {_DISPLAY[c]}" for c in _REQUIRED],
    )


def _open_workbook(source: Path | bytes, label: str) -> python_calamine.CalamineWorkbook:
    try:
        if isinstance(source, bytes):
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(source))
        return python_calamine.CalamineWorkbook.from_path(str(source))
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise InputFileError(
            f"{label} : classeur illisible, probablement tronqué ou corrompu ({exc}). "
            "Téléchargez à nouveau le fichier open data BMO sur le site de France Travail."
        ) from exc


def _read_source(path: Path, label: str) -> _Table:
    kind = _sniff(path)
    if kind == "xls":
        return _table_from_workbook(_open_workbook(path, label), label, "xls")
    if kind == "csv":
        df = read_table(path)
        found = _match_header(list(df.columns))
        if not all(c in found for c in _REQUIRED):
            raise SchemaError(
                _missing_message(label, list(df.columns), found),
                problems=[f"colonne absente : {_DISPLAY[c]}" for c in _REQUIRED if c not in found],
            )
        columns = {c: df.iloc[:, i] for c, i in found.items()}
        fmt = f"csv (séparateur « {df.attrs.get('separator')} », {df.attrs.get('encoding')})"
        return _Table(list(df.columns), columns, 2, file_format=fmt, sheet=None)
    # ZIP container: an XLSX workbook itself, or an archive holding one.
    if not zipfile.is_zipfile(path):
        raise InputFileError(
            f"{label} : archive XLSX/ZIP tronquée ou corrompue (répertoire central introuvable). "
            "Le téléchargement a sans doute été interrompu : téléchargez à nouveau le fichier."
        )
    with zipfile.ZipFile(path) as archive:
        members = archive.namelist()
        if "[Content_Types].xml" in members:
            return _table_from_workbook(_open_workbook(path, label), label, "xlsx")
        books = [
            m
            for m in members
            if m.lower().endswith((".xlsx", ".xlsm", ".xls"))
            and not m.startswith("__MACOSX")
            and not Path(m).name.startswith(("~$", "."))
        ]
        if len(books) != 1:
            found = ", ".join(members[:10]) or "archive vide"
            raise InputFileError(
                f"{label} : l'archive ZIP doit contenir exactement un classeur XLSX de la base "
                f"BMO ; trouvé {len(books)} ({found}). Extrayez le bon classeur et lisez-le "
                "directement."
            )
        try:
            content = archive.read(books[0])
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputFileError(
                f"{label} : le classeur {books[0]} de l'archive est illisible ({exc}). "
                "Téléchargez à nouveau l'archive."
            ) from exc
    inner = f"{label} › {books[0]}"
    return _table_from_workbook(_open_workbook(content, inner), inner, "zip (xlsx)")


# --------------------------------------------------------------------------- cells


def _text(values: Sequence[object]) -> pd.Series:
    """Cells as stripped text; blank cells missing; integral numbers without ``.0``."""
    if isinstance(values, pd.Series):
        s = values.astype("string")
    elif values and all(type(v) in (int, float) for v in values):
        # Numeric column (année, bassin code read as a number): fast path.
        numbers = np.asarray(values, dtype=float)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers))
        if whole.all():
            s = pd.Series(numbers.astype(np.int64)).astype("string")
        else:
            s = pd.Series(values, dtype=object).astype("string")
    else:
        s = pd.Series(values, dtype=object).astype("string")
    s = s.str.strip()
    return s.mask(s == "", pd.NA).reset_index(drop=True)


def _examples(mask: pd.Series, values: pd.Series, first_line: int) -> str:
    hits = values[mask]
    shown = ", ".join(f"ligne {first_line + i} : {v!r}" for i, v in hits.head(_EXAMPLES).items())
    more = f" (et {len(hits) - _EXAMPLES} autre(s))" if len(hits) > _EXAMPLES else ""
    return shown + more


def _parse_counts(
    raw: pd.Series, column: str, header: str, first_line: int, problems: list[str]
) -> tuple[pd.Series, pd.Series]:
    """Turn a count column into (Int64 values, secret flags), collecting problems."""
    text = raw
    plain = text.str.fullmatch(r"[0-9]+|\*").fillna(False).astype(bool)
    if not plain.all():  # thousands separators ("1 234"): removed on the other cells only
        spaced = text[~plain].str.replace(r"[\s\u00a0\u202f]", "", regex=True)
        text = text.mask(~plain, spaced)
    secret = text.str.fullmatch(r"\*+").fillna(False).astype(bool)
    number = text.str.fullmatch(r"\d+(?:[.,]0*)?").fillna(False).astype(bool)
    negative = text.str.fullmatch(r"-\d+(?:[.,]\d*)?").fillna(False).astype(bool)
    empty = text.isna()
    other = ~(secret | number | negative | empty)
    where = f"colonne '{header}' ({column})"
    if empty.any():
        problems.append(
            f"{where} : {int(empty.sum())} cellule(s) vide(s) — "
            f"{_examples(empty, raw, first_line)}. Attendu : un nombre entier ou « * » "
            "(secret statistique)."
        )
    if negative.any():
        problems.append(
            f"{where} : {int(negative.sum())} nombre(s) négatif(s) — "
            f"{_examples(negative, raw, first_line)}. Un nombre de projets est positif ou nul."
        )
    if other.any():
        problems.append(
            f"{where} : {int(other.sum())} valeur(s) qui ne sont pas des nombres entiers — "
            f"{_examples(other, raw, first_line)}. Attendu : un nombre entier ou « * »."
        )
    values = text.where(number)
    if values.str.contains(r"[.,]", regex=True).any():  # "12.0" from a float cell
        values = values.str.replace(r"[.,]0*$", "", regex=True)
    return values.astype("Int64"), secret


def _parse_year(raw: pd.Series, header: str, first_line: int, problems: list[str]) -> pd.Series:
    text = raw.str.replace(r"\.0+$", "", regex=True)
    ok = text.str.fullmatch(r"20\d\d").fillna(False).astype(bool)
    if not ok.all():
        problems.append(
            f"colonne '{header}' : {int((~ok).sum())} année(s) invalide(s) — "
            f"{_examples(~ok, raw, first_line)}. Attendu : une année sur 4 chiffres (2024)."
        )
        return pd.Series(0, index=raw.index, dtype="int64")
    return text.astype("int64")


def _year_from_names(header_name: str | None, label: str) -> int | None:
    if header_name:
        match = re.fullmatch(r"be_?(\d{2})", normalize_header(header_name))
        if match:
            return 2000 + int(match.group(1))
    match = re.search(r"(20[12]\d)", label)
    return int(match.group(1)) if match else None


def _normalise(table: _Table, label: str) -> pd.DataFrame:
    """Validate and normalise the raw cells into the tidy table (raises once)."""
    problems: list[str] = []
    header = {c: str(table.header[i]) for c, i in _match_header(table.header).items()}
    raw = {c: _text(v) for c, v in table.columns.items()}
    n_raw = len(raw["metier"])
    # Blank lines and notes below the table: no bassin and no count.
    blank = raw["bassin"].isna() & raw["projets"].isna() & raw["metier"].isna()
    if blank.any():
        keep = ~blank
        raw = {c: s[keep] for c, s in raw.items()}
    first = table.first_line
    out: dict[str, pd.Series] = {}
    report: dict[str, Any] = {"codes_corriges": {}, "exemples_codes_corriges": {}}

    # Year: the annee column, else the BE<yy> suffix, else the file name.
    suffix_year = _year_from_names(header.get("bassin"), "")
    if "annee" in raw:
        out["annee"] = _parse_year(raw["annee"], header["annee"], first, problems)
    else:
        year = suffix_year or _year_from_names(None, label)
        if year is None:
            problems.append(
                "année introuvable : ni colonne 'annee', ni suffixe d'année dans la colonne "
                f"des bassins ('{header.get('bassin')}'), ni année dans le nom du fichier. "
                "Ajoutez une colonne 'annee'."
            )
            year = 0
        out["annee"] = pd.Series(year, index=raw["metier"].index, dtype="int64")

    # Métier codes and nomenclature.
    metier = raw["metier"].str.upper()
    bad = ~metier.str.fullmatch(_METIER.pattern).fillna(False).astype(bool)
    if bad.any():
        problems.append(
            f"colonne '{header['metier']}' : {int(bad.sum())} code(s) métier invalide(s) — "
            f"{_examples(bad, raw['metier'], first)}. Attendu : un code FAP sur 5 caractères, "
            "par ex. A0Z40 (FAP2009) ou A0X40 (FAP2021)."
        )
    third = metier.str.slice(2, 3)
    has_2021 = bool((third == "X").any())
    has_2009 = bool((third == "Z").any())
    if has_2021 and has_2009:
        problems.append(
            f"colonne '{header['metier']}' : codes FAP2009 (…Z…) et FAP2021 (…X…) mélangés "
            "dans un même fichier. Un fichier BMO suit une seule nomenclature : séparez les "
            "millésimes."
        )
    if has_2021:
        nomenclature = "FAP2021"
    elif has_2009:
        nomenclature = "FAP2009"
    else:
        years = out["annee"]
        nomenclature = "FAP2021" if len(years) and int(years.max()) >= 2024 else "FAP2009"
    out["metier"] = metier
    out["metier_nom"] = raw["metier_nom"]
    out["nomenclature"] = pd.Series(nomenclature, index=metier.index, dtype="string")
    out["famille"] = raw["famille"].str.upper() if "famille" in raw else _missing(metier)
    out["famille_nom"] = raw.get("famille_nom", _missing(metier))

    # Territorial codes, normalised with the foundation's rules.
    for column in ("region", "departement", "bassin", "clpe"):
        if column not in raw:
            out[column] = _missing(metier)
            continue
        values = raw[column]
        normalised = _CODE_NORMALIZERS[column](values, errors="coerce", source=label)
        invalid = values.notna() & normalised.isna()
        if invalid.any():
            problems.append(
                f"colonne '{header[column]}' : {int(invalid.sum())} code(s) invalide(s) — "
                f"{_examples(invalid, values, first)}. Corrigez ces codes dans le fichier."
            )
        if column != "clpe" and values.isna().any():
            problems.append(
                f"colonne '{header[column]}' : {int(values.isna().sum())} code(s) manquant(s) — "
                f"{_examples(values.isna(), values.fillna('(vide)'), first)}."
            )
        cleaned = values.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        fixed = normalised.notna() & (cleaned != normalised).fillna(False).astype(bool)
        report["codes_corriges"][column] = int(fixed.sum())
        pairs = (cleaned[fixed] + " → " + normalised[fixed]).drop_duplicates().head(_EXAMPLES)
        report["exemples_codes_corriges"][column] = pairs.tolist()
        out[column] = normalised
        name = f"{column}_nom"
        if name in _ALIASES:
            out[name] = raw.get(name, _missing(metier))

    # Counts: '*' -> missing + flag.
    secrets: dict[str, int] = {}
    for column, flag in _COUNTS.items():
        values, secret = _parse_counts(raw[column], column, header[column], first, problems)
        out[column] = values
        out[flag] = secret
        secrets[column] = int(secret.sum())

    df = pd.DataFrame({c: out[c] for c in BMO_COLUMNS}).reset_index(drop=True)
    if not problems:
        key = ["annee", "metier", "bassin", "departement"]
        duplicated = df.duplicated(key, keep=False)
        if duplicated.any():
            dup = df.loc[duplicated, key].astype(str).agg(" / ".join, axis=1)
            problems.append(
                f"{int(duplicated.sum())} ligne(s) en double pour (année, métier, bassin, "
                f"département) — par ex. {', '.join(dup.drop_duplicates().head(_EXAMPLES))}. "
                "Le fichier contient-il deux fois le même millésime ?"
            )
    if problems:
        raise SchemaError(
            format_problems(
                f"Fichier BMO {label} : {len(problems)} problème(s) à corriger :", problems
            ),
            problems=problems,
        )

    def _exceeds(column: str) -> int:
        both = df[column].notna() & df["projets"].notna()
        return int((df.loc[both, column] > df.loc[both, "projets"]).sum())

    years = sorted(int(y) for y in df["annee"].unique())
    if "annee" in raw and suffix_year is not None and years != [suffix_year]:
        report["incoherence_annee"] = (
            f"colonne 'annee' = {years} mais colonne des bassins '{header['bassin']}'"
        )
    report.update(
        fichier=label,
        format=table.file_format,
        feuille=table.sheet,
        annees=years,
        nomenclature=nomenclature,
        lignes=len(df),
        lignes_ignorees=int(n_raw - len(df)),
        colonnes={c: header[c] for c in _ALIASES if c in header},
        colonnes_absentes=[c for c in _ALIASES if c not in header],
        cellules_secretes=secrets,
        incoherences={
            "difficiles_superieurs_aux_projets": _exceeds("projets_difficiles"),
            "saisonniers_superieurs_aux_projets": _exceeds("projets_saisonniers"),
        },
    )
    df.attrs["rapport"] = report
    return df


def _missing(like: pd.Series) -> pd.Series:
    return pd.Series(pd.NA, index=like.index, dtype="string")


# --------------------------------------------------------------------------- public


def read_bmo(path: str | Path, *, cache: bool = True) -> pd.DataFrame:
    """Read a BMO open-data file of any year into the tidy BMO table.

    Parameters
    ----------
    path
        ``Base_open_data_BMO_<année>.xlsx``, a ZIP holding it, or a CSV exported
        from it (``;`` or ``,``, UTF-8 or latin-1).
    cache
        Keep the normalised table in a Parquet cache keyed by the file's checksum
        (under ``settings.cache_dir``); a second read of the same file takes a few
        hundredths of a second.

    Returns
    -------
    pandas.DataFrame
        The tidy table described in this module (:data:`BMO_COLUMNS`), with the
        reading report in ``attrs["rapport"]``.

    Raises
    ------
    InputFileError
        The file does not exist, or is a truncated/corrupted workbook or archive.
    SchemaError
        The file is not a BMO file (the message lists the missing columns and the
        columns found), or some cells are wrong (text or negative numbers where a
        count is expected, invalid codes...): every problem is listed at once.

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> bmo[["annee", "nomenclature"]].drop_duplicates().values.tolist()
    [[2024, 'FAP2021']]
    >>> bmo.attrs["rapport"]["cellules_secretes"]["projets"] > 0
    True
    >>> bool(bmo.loc[bmo["projets_secret"], "projets"].isna().all())
    True
    """
    path = Path(path)
    if not path.is_file():
        hint = f" (dossier courant : {Path.cwd()})" if not path.is_absolute() else ""
        raise InputFileError(
            f"{path} : fichier BMO introuvable{hint}. Indiquez le chemin du fichier "
            "« Base_open_data_BMO_<année>.xlsx » téléchargé sur le site de France Travail."
        )
    label = path.name

    def build(checksum: str) -> pd.DataFrame:
        df = _normalise(_read_source(path, label), label)
        df.attrs["rapport"]["sha256"] = checksum
        df.attrs["rapport"]["lecteur"] = READER_VERSION
        return df

    return cached_table(path, build, name="bmo", version=READER_VERSION, enabled=cache)


def _int(value: int) -> str:
    """French thousands separator: 53443 -> '53 443'."""
    return f"{value:,}".replace(",", " ")


def format_bmo_report(bmo: pd.DataFrame) -> str:
    """Describe in French how a BMO file was read (from ``bmo.attrs["rapport"]``).

    Examples
    --------
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    >>> print(format_bmo_report(bmo).splitlines()[0])  # doctest: +ELLIPSIS
    Fichier BMO Base_open_data_BMO_2024.xlsx (xlsx, feuille « BMO_2024_open_data ») : ...
    """
    report = bmo.attrs.get("rapport")
    if not report:
        return "Table BMO sans rapport de lecture (table construite ou modifiée en mémoire)."
    where = report["format"] + (f", feuille « {report['feuille']} »" if report["feuille"] else "")
    secrets = report["cellules_secretes"]
    lines = [
        f"Fichier BMO {report['fichier']} ({where}) : {_int(report['lignes'])} lignes, "
        f"année(s) {', '.join(map(str, report['annees']))}, nomenclature "
        f"{report['nomenclature']}.",
        f"Cellules secrètes (« * », gardées manquantes) : {_int(secrets['projets'])} projets, "
        f"{_int(secrets['projets_difficiles'])} difficiles, "
        f"{_int(secrets['projets_saisonniers'])} saisonniers.",
    ]
    fixed = {k: v for k, v in report["codes_corriges"].items() if v}
    if fixed:
        detail = "; ".join(
            f"{k} : {v} ({', '.join(report['exemples_codes_corriges'][k][:3])})"
            for k, v in fixed.items()
        )
        lines.append(f"Codes corrigés : {detail}.")
    odd = {k: v for k, v in report["incoherences"].items() if v}
    if odd:
        lines.append(
            "Incohérences signalées : "
            + "; ".join(f"{k.replace('_', ' ')} : {v} ligne(s)" for k, v in odd.items())
            + "."
        )
    if report.get("incoherence_annee"):
        lines.append(f"Attention : {report['incoherence_annee']}.")
    if report.get("lignes_ignorees"):
        lines.append(f"Lignes vides ou notes ignorées : {report['lignes_ignorees']}.")
    return "\n".join(lines)
