"""Reader of the France Travail BMO open-data files (enquête Besoins en Main-d'Œuvre).

One function, :func:`read_bmo`, reads the open-data file of any year 2015–2026 — the
XLSX workbook, a ZIP holding it, or the CSV an analyst exported from it (``;`` or
``,``, UTF-8 or latin-1), all through :func:`geo.tables.read_table` — and returns one
tidy table with normalised codes.

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

Cells that make the file unusable (invalid codes, duplicates...) are all listed in
one :class:`geo._errors.SchemaError`. A count cell that is neither a whole number nor
``*`` (``abc``, ``n.d.``, ``12 3``, ``-4``, empty) sets its row aside — never read as 0
nor as secret — with one problem naming the line, the column and the value (with
``strict=True``, such cells refuse the file instead; a file where they are more than
half the rows is refused anyway). What was set aside or kept in a usable file
(notes below the table, unreadable counts, incoherent counts, year mismatch) is
reported in ``df.attrs["problemes"]`` (a
:class:`geo.problems.ProblemReport`, as for every reader); the BMO statistics (rows,
masked cells per column, codes fixed per column...) stay in ``df.attrs["rapport"]``;
``df.attrs["cache"]`` tells whether the table came from the cache (see
:mod:`diagnostics._cache`). :func:`format_bmo_report` prints them in French.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics._cache import cached_table
from geo import codes
from geo._errors import InputFileError, SchemaError, format_problems
from geo.display import format_int
from geo.problems import ProblemReport, attach_problems, problems_of
from geo.tables import normalize_header, read_table

__all__ = [
    "BMO_COLUMNS",
    "READER_VERSION",
    "read_bmo",
    "format_bmo_report",
]

#: Version of the normalised table; bump it when the output of the reader changes
#: (it is part of the cache key).
READER_VERSION = "3"

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
        columns: dict[str, pd.Series],
        lines: pd.Series,
        *,
        file_format: str,
        sheet: str | None,
        blank_rows: int = 0,
    ) -> None:
        self.header = header
        self.columns = columns
        self.lines = lines
        self.file_format = file_format
        self.sheet = sheet
        self.blank_rows = blank_rows


def _header_score(row: Sequence[object]) -> int:
    """How many of the required BMO columns a candidate header row names."""
    found = _match_header(row)
    return sum(c in found for c in _REQUIRED)


def _no_data_sheet(
    label: str, sheets: Sequence[str], sheet: object, header: list[object]
) -> SchemaError:
    """No sheet holds every BMO column: name the sheets and the closest header."""
    found = _match_header(header)
    shown = ", ".join(f"« {n} »" for n in sheets) or "aucune"
    detail = ""
    if any(c in found for c in _REQUIRED):
        detail = " Feuille la plus proche : " + _missing_message(f"« {sheet} »", header, found)
    return SchemaError(
        f"{label} : aucune feuille ne contient les colonnes d'une base open data BMO "
        f"(attendu une feuille « BMO_<année>_open_data » avec les colonnes "
        f"{', '.join(repr(_DISPLAY[c]) for c in _REQUIRED)} ; feuilles trouvées : {shown})."
        f"{detail} Vérifiez que c'est le bon fichier et qu'il n'a pas été tronqué.",
        problems=[f"colonne absente : {_DISPLAY[c]}" for c in _REQUIRED],
    )


def _read_source(path: Path, label: str) -> _Table:
    """The BMO data table of a workbook, a ZIP holding one, or a CSV export."""
    table = read_table(path, header_score=_header_score, line_column="ligne")
    attrs = table.attrs
    header = [c for c in table.columns if c != "ligne"]
    found = _match_header(header)
    if not all(c in found for c in _REQUIRED):
        if "feuilles" in attrs:
            raise _no_data_sheet(str(attrs["source"]), attrs["feuilles"], attrs["feuille"], header)
        raise SchemaError(
            _missing_message(label, header, found),
            problems=[f"colonne absente : {_DISPLAY[c]}" for c in _REQUIRED if c not in found],
        )
    fmt = str(attrs["format"])
    if fmt == "csv":
        fmt = f"csv (séparateur « {attrs['separator']} », {attrs['encoding']})"
    columns = {c: table[header[i]] for c, i in found.items()}
    return _Table(
        header,
        columns,
        table["ligne"].astype("int64"),
        file_format=fmt,
        sheet=attrs.get("feuille"),
        blank_rows=int(attrs.get("lignes_vides", 0)),
    )


# --------------------------------------------------------------------------- cells


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; blank cells missing."""
    s = values.astype("string").str.strip()
    return s.mask(s == "", pd.NA).reset_index(drop=True)


def _examples(mask: pd.Series, values: pd.Series, lines: pd.Series) -> str:
    hits = values[mask]
    shown = ", ".join(f"ligne {lines[i]} : {v!r}" for i, v in hits.head(_EXAMPLES).items())
    more = f" (et {len(hits) - _EXAMPLES} autre(s))" if len(hits) > _EXAMPLES else ""
    return shown + more


#: A count written with thousands separators (« 1 234 », « 12 345 678 »).
_GROUPED = r"\d{1,3}(?:[\s\u00a0\u202f]\d{3})+"
#: A number of projects: digits, maybe a float cell's « .0 ».
_NUMBER = r"\d+(?:[.,]0*)?"


def _parse_counts(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Turn a count column into (Int64 values, secret flags, unreadable cells).

    ``*`` is secret (missing value, ``True`` flag); a number with thousands
    separators is read; anything else (text, a negative or decimal number, an empty
    cell, « 12 3 ») is unreadable: missing, not secret, flagged in the third series.
    """
    grouped = raw.str.fullmatch(_GROUPED).fillna(False).astype(bool)
    text = raw.mask(grouped, raw.str.replace(r"[\s\u00a0\u202f]", "", regex=True))
    secret = text.str.fullmatch(r"\*+").fillna(False).astype(bool)
    number = text.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    values = text.where(number)
    if values.str.contains(r"[.,]", regex=True).any():  # "12.0" from a float cell
        values = values.str.replace(r"[.,]0*$", "", regex=True)
    return values.astype("Int64"), secret, ~(secret | number)


def _count_problem(value: object) -> str:
    """What is wrong with an unreadable count cell, in French."""
    text = "" if value is None or value is pd.NA else str(value)
    if not text:
        return "cellule vide"
    if re.fullmatch(r"-\d+(?:[.,]\d*)?", text):
        return f"nombre négatif « {text} »"
    return f"« {text} » n'est pas un nombre entier"


def _parse_year(raw: pd.Series, header: str, lines: pd.Series, problems: list[str]) -> pd.Series:
    text = raw.str.replace(r"\.0+$", "", regex=True)
    ok = text.str.fullmatch(r"20\d\d").fillna(False).astype(bool)
    if not ok.all():
        problems.append(
            f"colonne '{header}' : {int((~ok).sum())} année(s) invalide(s) — "
            f"{_examples(~ok, raw, lines)}. Attendu : une année sur 4 chiffres (2024)."
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


class _Cells:
    """The cells of one BMO file being normalised: raw text, lines, problems, report."""

    def __init__(self, table: _Table, label: str) -> None:
        self.label = label
        self.header = {c: str(table.header[i]) for c, i in _match_header(table.header).items()}
        raw = {c: _text(v) for c, v in table.columns.items()}
        lines = table.lines.reset_index(drop=True)
        # Notes below the table: no bassin, no count and no métier.
        self.notes = raw["bassin"].isna() & raw["projets"].isna() & raw["metier"].isna()
        self.report = ProblemReport(label)
        for line in lines[self.notes]:
            self.report.add(
                "ligne sans métier, bassin ni nombre de projets (note sous le tableau ?) : "
                "ignorée.",
                line=line,
            )
        self.n_raw = len(lines) + table.blank_rows
        keep = ~self.notes
        self.raw = {c: v[keep] for c, v in raw.items()}
        self.lines = lines[keep]
        self.problems: list[str] = []
        self.out: dict[str, pd.Series] = {}
        self.fixed: dict[str, int] = {}
        self.fixed_examples: dict[str, list[str]] = {}
        self.strict = False
        self.aside = pd.Series(False, index=self.raw["metier"].index)

    def missing(self) -> pd.Series:
        return pd.Series(pd.NA, index=self.raw["metier"].index, dtype="string")


def _bad_rows(
    cells: _Cells, bad: pd.Series, values: pd.Series, header: str, what: str, fix: str
) -> None:
    """Set aside the rows ``bad`` (one problem each), or refuse the file when strict.

    ``what`` names the defect (« code métier invalide »), ``fix`` the correction.
    """
    if cells.strict:
        cells.problems.append(
            f"colonne '{header}' : {int(bad.sum())} {what} — "
            f"{_examples(bad, values.fillna('(vide)'), cells.lines)}. {fix}"
        )
        return
    cells.aside |= bad
    for i in values.index[bad]:
        cells.report.add(
            f"{what} : ligne écartée des totaux. {fix}",
            line=cells.lines[i],
            column=header,
            value="(vide)" if pd.isna(values[i]) else values[i],
            action="écartée",
        )


def _year(cells: _Cells) -> int | None:
    """``annee``: the annee column, else the BE<yy> suffix, else the file name."""
    suffix_year = _year_from_names(cells.header.get("bassin"), "")
    if "annee" in cells.raw:
        cells.out["annee"] = _parse_year(
            cells.raw["annee"], cells.header["annee"], cells.lines, cells.problems
        )
        return suffix_year
    year = suffix_year or _year_from_names(None, cells.label)
    if year is None:
        cells.problems.append(
            "année introuvable : ni colonne 'annee', ni suffixe d'année dans la colonne "
            f"des bassins ('{cells.header.get('bassin')}'), ni année dans le nom du fichier. "
            "Ajoutez une colonne 'annee'."
        )
        year = 0
    cells.out["annee"] = pd.Series(year, index=cells.raw["metier"].index, dtype="int64")
    return suffix_year


def _metiers(cells: _Cells) -> str:
    """Métier codes, labels, families and the nomenclature (returned)."""
    raw, header = cells.raw, cells.header
    metier = raw["metier"].str.upper()
    bad = ~metier.str.fullmatch(_METIER.pattern).fillna(False).astype(bool)
    if bad.any():
        _bad_rows(
            cells,
            bad,
            raw["metier"],
            header["metier"],
            "code métier invalide",
            "Corrigez-le : un code FAP sur 5 caractères, par ex. A0Z40 (FAP2009) ou A0X40 "
            "(FAP2021).",
        )
    metier = metier.where(~bad)
    third = metier.str.slice(2, 3)
    has_2021 = bool((third == "X").any())
    has_2009 = bool((third == "Z").any())
    if has_2021 and has_2009:
        cells.problems.append(
            f"colonne '{header['metier']}' : codes FAP2009 (…Z…) et FAP2021 (…X…) mélangés "
            "dans un même fichier. Un fichier BMO suit une seule nomenclature : séparez les "
            "millésimes."
        )
    if has_2021 or has_2009:
        nomenclature = "FAP2021" if has_2021 else "FAP2009"
    else:
        years = cells.out["annee"]
        nomenclature = "FAP2021" if len(years) and int(years.max()) >= 2024 else "FAP2009"
    cells.out["metier"] = metier
    cells.out["metier_nom"] = raw["metier_nom"]
    cells.out["nomenclature"] = pd.Series(nomenclature, index=metier.index, dtype="string")
    cells.out["famille"] = raw["famille"].str.upper() if "famille" in raw else cells.missing()
    cells.out["famille_nom"] = raw.get("famille_nom", cells.missing())
    return nomenclature


def _territory_codes(cells: _Cells) -> None:
    """Territorial codes, normalised with the foundation's rules; rewrites counted.

    A code rewritten to its canonical form (``101`` → ``0101`` from a number cell,
    ``2a`` → ``2A``) is normalisation, not a problem: it is counted in the
    statistics (``codes_corriges``), not in the problem report.
    """
    for column in ("region", "departement", "bassin", "clpe"):
        name = f"{column}_nom"
        if name in _ALIASES:
            cells.out[name] = cells.raw.get(name, cells.missing())
        if column not in cells.raw:
            cells.out[column] = cells.missing()
            continue
        values = cells.raw[column]
        header = cells.header[column]
        normalised = _CODE_NORMALIZERS[column](values, errors="coerce", source=cells.label)
        invalid = values.notna() & normalised.isna()
        if invalid.any():
            _bad_rows(
                cells, invalid, values, header, "code invalide", "Corrigez ce code dans le fichier."
            )
        if column != "clpe" and values.isna().any():
            _bad_rows(
                cells,
                values.isna(),
                values,
                header,
                "code manquant",
                "Complétez ce code dans le fichier.",
            )
        cleaned = values.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        fixed = normalised.notna() & (cleaned != normalised).fillna(False).astype(bool)
        pairs = (cleaned[fixed] + " → " + normalised[fixed]).drop_duplicates().head(_EXAMPLES)
        cells.fixed[column] = int(fixed.sum())
        cells.fixed_examples[column] = pairs.tolist()
        cells.out[column] = normalised


def _counts(cells: _Cells, *, strict: bool) -> tuple[dict[str, int], pd.Series]:
    """Counts: ``*`` → missing value and ``True`` flag; unreadable cells set their row aside.

    Returns the secret cells per column and the rows set aside (one problem per
    unreadable cell in the report; with ``strict``, they are problems that refuse
    the file).
    """
    secrets: dict[str, int] = {}
    aside = pd.Series(False, index=cells.raw["metier"].index)
    for column, flag in _COUNTS.items():
        raw = cells.raw[column]
        values, secret, bad = _parse_counts(raw)
        cells.out[column] = values
        cells.out[flag] = secret
        secrets[column] = int(secret.sum())
        header = cells.header[column]
        if not bad.any():
            continue
        aside |= bad
        if strict:
            cells.problems.append(
                f"colonne '{header}' ({column}) : {int(bad.sum())} cellule(s) qui ne sont pas "
                f"un nombre entier ni « * » — {_examples(bad, raw.fillna('(vide)'), cells.lines)}. "
                "Corrigez ces cellules (un nombre entier de projets, ou « * » pour le secret "
                "statistique)."
            )
            continue
        for i in raw.index[bad]:
            cells.report.add(
                f"{_count_problem(raw[i])} dans la colonne des projets : ligne écartée des "
                "totaux (ni zéro ni secret). Corrigez la cellule (un nombre entier, ou « * » "
                "pour le secret statistique) et relancez.",
                line=cells.lines[i],
                column=header,
                value="(vide)" if pd.isna(raw[i]) else raw[i],
                action="écartée",
            )
    return secrets, aside


def _duplicates(df: pd.DataFrame, problems: list[str]) -> None:
    key = ["annee", "metier", "bassin", "departement"]
    duplicated = df.duplicated(key, keep=False)
    if duplicated.any():
        dup = df.loc[duplicated, key].astype(str).agg(" / ".join, axis=1)
        problems.append(
            f"{int(duplicated.sum())} ligne(s) en double pour (année, métier, bassin, "
            f"département) — par ex. {', '.join(dup.drop_duplicates().head(_EXAMPLES))}. "
            "Le fichier contient-il deux fois le même millésime ?"
        )


def _incoherences(df: pd.DataFrame, lines: pd.Series, cells: _Cells) -> dict[str, int]:
    """Difficult or seasonal projects above the projects: kept, counted and reported."""
    out = {}
    for column, key in (
        ("projets_difficiles", "difficiles_superieurs_aux_projets"),
        ("projets_saisonniers", "saisonniers_superieurs_aux_projets"),
    ):
        both = df[column].notna() & df["projets"].notna()
        above = both & (df[column] > df["projets"]).fillna(False).astype(bool)
        out[key] = int(above.sum())
        if above.any():
            first = int(above.to_numpy().argmax())
            cells.report.add(
                f"{out[key]} ligne(s) où '{cells.header[column]}' dépasse 'met' (par ex. "
                f"{df.at[first, column]} > {df.at[first, 'projets']}) : gardées telles quelles ; "
                "vérifiez le fichier source.",
                line=lines.iloc[first],
                column=cells.header[column],
                value=df.at[first, column],
                action="conservée",
            )
    return out


def _normalise(table: _Table, label: str, *, strict: bool = False) -> pd.DataFrame:
    """Validate and normalise the raw cells into the tidy table (raises once)."""
    cells = _Cells(table, label)
    cells.strict = strict
    suffix_year = _year(cells)
    nomenclature = _metiers(cells)
    _territory_codes(cells)
    secrets, aside = _counts(cells, strict=strict)
    aside = aside | cells.aside
    if not strict and len(aside) and int(aside.sum()) * 2 > len(aside):
        cells.problems.append(
            f"{int(aside.sum())} ligne(s) sur {len(aside)} ont un code ou une cellule de projets "
            f"illisible (par ex. {'; '.join(cells.report.lines()[:3])}) : le fichier n'est pas "
            "exploitable. Vérifiez que c'est bien une base BMO, que les colonnes 'met', 'xmet' "
            "et 'smet' contiennent des nombres entiers ou « * », et les codes."
        )
    keep = ~aside.to_numpy()
    cells.lines = cells.lines[keep]
    df = pd.DataFrame({c: cells.out[c] for c in BMO_COLUMNS})[keep].reset_index(drop=True)
    secrets = {c: int(df[flag].sum()) for c, flag in _COUNTS.items()}
    if not cells.problems:
        _duplicates(df, cells.problems)
    if cells.problems:
        raise SchemaError(
            format_problems(
                f"Fichier BMO {label} : {len(cells.problems)} problème(s) à corriger :",
                cells.problems,
            ),
            problems=cells.problems,
        )
    report: dict[str, Any] = {
        "codes_corriges": cells.fixed,
        "exemples_codes_corriges": cells.fixed_examples,
    }
    years = sorted(int(y) for y in df["annee"].unique())
    if "annee" in cells.raw and suffix_year is not None and years != [suffix_year]:
        report["incoherence_annee"] = (
            f"colonne 'annee' = {years} mais colonne des bassins '{cells.header['bassin']}'"
        )
        cells.report.add(
            f"année incohérente : {report['incoherence_annee']} ; la colonne 'annee' est "
            "retenue. Vérifiez le millésime du fichier.",
            column=cells.header["annee"],
            action="conservée",
        )
    incoherences = _incoherences(df, cells.lines.reset_index(drop=True), cells)
    report.update(
        fichier=label,
        format=table.file_format,
        feuille=table.sheet,
        annees=years,
        nomenclature=nomenclature,
        lignes=len(df),
        lignes_ignorees=int(cells.n_raw - len(df) - int(aside.sum())),
        colonnes={c: cells.header[c] for c in _ALIASES if c in cells.header},
        colonnes_absentes=[c for c in _ALIASES if c not in cells.header],
        cellules_secretes=secrets,
        lignes_ecartees=int(aside.sum()),
        incoherences=incoherences,
    )
    df.attrs["rapport"] = report
    problems = ProblemReport(label, sorted(cells.report, key=lambda p: p.line or 0))
    return attach_problems(df, problems)


# --------------------------------------------------------------------------- public


def read_bmo(path: str | Path, *, cache: bool = True, strict: bool = False) -> pd.DataFrame:
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
    strict
        Refuse the file when a count cell is unreadable (text, negative, empty),
        instead of setting its row aside with a problem in ``attrs["problemes"]``.

    Returns
    -------
    pandas.DataFrame
        The tidy table described in this module (:data:`BMO_COLUMNS`), with the
        problems in ``attrs["problemes"]`` and the reading statistics in
        ``attrs["rapport"]``.

    Raises
    ------
    InputFileError
        The file does not exist, or is a truncated/corrupted workbook or archive.
    SchemaError
        The file is not a BMO file (the message lists the missing columns and the
        columns found), or some cells are wrong (invalid codes, duplicated rows, more
        than half the rows with an unreadable count, or any with ``strict``): every
        problem is listed at once.

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
    if path.is_dir():
        raise InputFileError(
            f"{path} : c'est un dossier, pas un fichier BMO. Indiquez le fichier lui-même, "
            "par ex. « Base_open_data_BMO_<année>.xlsx » dans ce dossier."
        )
    if not path.is_file():
        hint = f" (dossier courant : {Path.cwd()})" if not path.is_absolute() else ""
        raise InputFileError(
            f"{path} : fichier BMO introuvable{hint}. Indiquez le chemin du fichier "
            "« Base_open_data_BMO_<année>.xlsx » téléchargé sur le site de France Travail."
        )
    label = path.name

    def build(checksum: str) -> pd.DataFrame:
        df = _normalise(_read_source(path, label), label, strict=strict)
        df.attrs["rapport"]["sha256"] = checksum
        df.attrs["rapport"]["lecteur"] = READER_VERSION
        return df

    return cached_table(path, build, name="bmo", version=READER_VERSION, enabled=cache, label=label)


def _int(value: int) -> str:
    """French thousands separator: 53443 -> '53 443' (:func:`geo.display.format_int`)."""
    return format_int(value)


def format_bmo_report(bmo: pd.DataFrame) -> str:
    """Describe in French how a BMO file was read.

    The statistics of ``bmo.attrs["rapport"]``, then the problems of
    ``bmo.attrs["problemes"]``, one line each (:meth:`geo.problems.ProblemReport.lines`).

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
    if report.get("lignes_ignorees"):
        lines.append(f"Lignes vides ou notes ignorées : {report['lignes_ignorees']}.")
    if report.get("lignes_ecartees"):
        lines.append(
            f"Lignes écartées des totaux (cellule de projets illisible, ni zéro ni secret) : "
            f"{_int(report['lignes_ecartees'])}."
        )
    problems = problems_of(bmo)
    if problems:
        lines.append(f"Signalé à la lecture ({len(problems)}) :")
        lines += [f"  - {line}" for line in problems.lines()]
    return "\n".join(lines)
