"""Reader of the France Travail monthly job-seeker series (``emploi_demandeur.csv``).

What the source counts
----------------------
Job seekers **registered at France Travail** (formerly Pôle emploi) at the start of
each month, from the « statistiques du marché du travail » (STMT, tables « défm »),
as exported by an open-data project: columns ``codgeo, YEAR, Demandeurs_Emploi``.
The file does **not** name the categories it counts; its magnitudes match
categories A, B and C together (Loire-Atlantique ≈ 134,500 in January 2020), which
is how the workbench labels it (:data:`JOBSEEKERS_LABEL`) — never as « chômeurs ».
Values are rounded to tens by the publisher. From January 2025 the official series
lost the « statistique publique » label (automatic registration under the loi plein
emploi): a series that goes past December 2024 has a break
(:data:`BREAK_MONTH`, see :mod:`diagnostics.jobseekers`).

Quirks handled
--------------
- Every level in one column ``codgeo``: 5 characters = commune (published only above
  about 5,000 inhabitants), 2–3 characters = département (``01``, ``2A``, ``971``;
  the demonstration territory's ``9A``), ``regNN`` = région.
- ``YEAR`` is a French month name without accents and a year: ``janvier_2020``,
  ``fevrier_2020``, ``aout_2020``, ``decembre_2024`` (accents, capitals, a space or a
  hyphen instead of ``_`` are accepted too).
- Paris is published twice, as département ``75`` and as commune ``75056`` (same
  values): both rows are kept, each at its level, so a département total and a
  commune figure are both exact. Never add the two levels together.

Tidy schema (one row per territory × month)
-------------------------------------------
==============  ===============  =============================================
column          dtype            content
==============  ===============  =============================================
``niveau``      string           ``commune``, ``departement`` or ``region``
``code``        string           normalised code (``44109``, ``2A``, ``52``)
``mois``        datetime64[ns]   the month, as its first day (``2020-01-01``):
                                 a Timestamp rather than a Period, so that the
                                 table caches to Parquet and plots as is
``demandeurs``  int64            registered job seekers (rounded to tens)
``ligne``       int64            line of the row in the file (header = 1)
==============  ===============  =============================================

Bad rows — an unknown month name, a code of no known level, a count that is negative
or not a whole number, a (code, month) given twice with different counts — are set
aside, each reported (line, column, value, fix) in ``attrs["problemes"]``
(:class:`geo.problems.ProblemReport`); the rest is used. A (code, month) repeated
with the same count is kept once (« corrigée »). With ``strict=True`` any row set
aside refuses the file; a file where they are more than half the rows is refused
anyway (wrong file).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from diagnostics._cache import cached_table
from diagnostics._readers._rows import refuse_set_aside
from geo import codes
from geo._errors import SchemaError, format_problems
from geo.problems import ProblemReport, attach_problems
from geo.tables import file_label, normalize_header, read_table, report_blank_lines

__all__ = [
    "BREAK_MONTH",
    "JOBSEEKERS_COLUMNS",
    "JOBSEEKERS_LABEL",
    "MONTHS",
    "READER_VERSION",
    "read_jobseekers",
]

#: Version of the normalised table (part of the cache key).
READER_VERSION = "1"

#: Columns of the tidy table, in order.
JOBSEEKERS_COLUMNS: tuple[str, ...] = ("niveau", "code", "mois", "demandeurs", "ligne")

#: What the figures are, in the words every output uses.
JOBSEEKERS_LABEL = (
    "demandeurs d'emploi inscrits à France Travail en début de mois (catégories non "
    "précisées par le fichier ; ordres de grandeur des catégories A, B et C), arrondis "
    "à la dizaine"
)

#: First month of the series without the « statistique publique » label (loi plein emploi).
BREAK_MONTH = pd.Timestamp("2025-01-01")

#: French month names, without accents, lower case -> month number.
MONTHS: dict[str, int] = {
    name: number
    for number, name in enumerate(
        (
            "janvier",
            "fevrier",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "aout",
            "septembre",
            "octobre",
            "novembre",
            "decembre",
        ),
        start=1,
    )
}

# Tidy column -> accepted headers (lower case, as read).
_HEADERS = {
    "code": ("codgeo", "code_geo", "code", "codegeo"),
    "mois": ("year", "mois", "periode", "date"),
    "demandeurs": ("demandeurs_emploi", "demandeurs", "defm", "nb_demandeurs"),
}
_FIX_MONTH = (
    "Écrivez le mois comme « janvier_2020 » (nom du mois en français, sans accent, "
    "puis l'année) et relancez."
)


def _by_unique(cells: pd.Series, parse: object) -> pd.DataFrame:
    """Apply ``parse`` (a function of a Series of distinct cells) once per distinct cell.

    The national file has 147,420 rows but only 720 month cells and about 2,400
    codes: parsing the distinct values and mapping back is many times faster.
    """
    codes_, uniques = pd.factorize(cells, use_na_sentinel=False)
    parsed = parse(pd.Series(uniques, dtype="string"))  # type: ignore[operator]
    out = parsed.iloc[codes_].reset_index(drop=True)
    out.index = cells.index
    return out


def _month_keys(cells: pd.Series) -> pd.Series:
    """``janvier_2020``, ``Août 2020`` -> ``aout_2020``: each distinct cell folded once.

    The series repeats a few dozen month cells over its whole length, so folding
    the distinct values and mapping them back keeps the cold read fast.
    """
    text = cells.astype("string")
    folded = {value: normalize_header(value) for value in text.dropna().unique()}
    return text.map(folded).astype("string")


def _parse_months(cells: pd.Series) -> pd.DataFrame:
    parts = _month_keys(cells).str.extract(r"^([a-z]+)_(\d{4})$")
    number = parts[0].map(MONTHS)
    year = pd.to_numeric(parts[1], errors="coerce")
    ok = number.notna() & year.notna()
    out = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(
            {"year": year[ok].astype(int), "month": number[ok].astype(int), "day": 1}
        )
    return out.to_frame("mois")


def _months(cells: pd.Series) -> pd.Series:
    """``janvier_2020`` -> Timestamp 2020-01-01; unreadable -> NaT."""
    return _by_unique(cells, _parse_months)["mois"]


def _parse_levels(cells: pd.Series) -> pd.DataFrame:
    text = cells.str.strip().str.upper()
    level = pd.Series(pd.NA, index=cells.index, dtype="string")
    code = pd.Series(pd.NA, index=cells.index, dtype="string")
    region = text.str.fullmatch(r"REG\d{1,2}").fillna(False)
    commune = (text.str.len() == 5) & ~region
    departement = text.str.len().isin([2, 3]) & ~region
    if region.any():
        code[region] = codes.normalize_region(text[region].str[3:], errors="coerce")
        level[region] = "region"
    if commune.any():
        code[commune] = codes.normalize_commune(text[commune], errors="coerce")
        level[commune] = "commune"
    if departement.any():
        code[departement] = codes.normalize_departement(text[departement], errors="coerce")
        level[departement] = "departement"
    level[code.isna()] = pd.NA
    return pd.DataFrame({"niveau": level, "code": code})


def _levels(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Level and normalised code of each ``codgeo`` cell (missing when of no known level)."""
    parsed = _by_unique(cells, _parse_levels)
    return parsed["niveau"], parsed["code"]


def _parse_counts(cells: pd.Series) -> pd.DataFrame:
    """Whole non-negative numbers; anything else (``-10``, ``12,5``, text) is missing."""
    whole = cells.str.fullmatch(r"\d+").fillna(False)
    return pd.to_numeric(cells.where(whole), errors="coerce").to_frame("demandeurs")


def _header(raw: pd.DataFrame, source: str) -> dict[str, str]:
    names = {str(c).strip().lower(): c for c in raw.columns if c != "ligne"}
    found = {}
    for tidy, aliases in _HEADERS.items():
        hit = next((names[a] for a in aliases if a in names), None)
        if hit is not None:
            found[tidy] = hit
    missing = [tidy for tidy in _HEADERS if tidy not in found]
    if missing:
        present = ", ".join(str(c) for c in raw.columns if c != "ligne") or "aucune"
        expected = ", ".join(f"'{_HEADERS[m][0]}'" for m in missing)
        raise SchemaError(
            f"{source} : colonne(s) {expected} absente(s) (colonnes trouvées : {present}). "
            "Ce fichier ne semble pas être la série des demandeurs d'emploi de France Travail "
            "(colonnes codgeo, YEAR, Demandeurs_Emploi) : vérifiez le fichier ou renommez "
            "ses colonnes.",
            problems=[f"colonne absente : {_HEADERS[m][0]}" for m in missing],
        )
    return found


def _report(
    report: ProblemReport,
    lines: pd.Series,
    cells: pd.Series,
    mask: np.ndarray,
    column: str,
    message: str,
    *,
    action: str = "écartée",
) -> None:
    """One problem per row of ``mask``: ``message`` formatted with the cell as ``{v}``."""
    for line, value in zip(lines[mask], cells[mask], strict=True):
        shown = "" if value is None or value is pd.NA else str(value)
        report.add(
            message.format(v=shown), line=int(line), column=column, value=shown, action=action
        )


def _duplicates(df: pd.DataFrame, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(conflicting, repeated): rows of a (code, month) given twice among ``usable`` rows.

    ``conflicting`` holds every row of a (code, month) given with different counts;
    ``repeated`` the second and later rows of one given twice with the same count.
    """
    key = ["niveau", "code", "mois"]
    rows = df[usable]
    twice = rows.duplicated(key, keep=False)
    conflicting = np.zeros(len(df), dtype=bool)
    repeated = np.zeros(len(df), dtype=bool)
    if twice.any():
        counts = rows[twice].groupby(key, sort=False)["demandeurs"].transform("nunique")
        conflict_index = counts.index[counts.to_numpy() > 1]
        conflicting[df.index.get_indexer(conflict_index)] = True
        same = rows[twice].drop(index=conflict_index)
        again = same.index[same.duplicated(key, keep="first").to_numpy()]
        repeated[df.index.get_indexer(again)] = True
    return conflicting, repeated


def _refuse_if_mostly_bad(label: str, report: ProblemReport, bad: np.ndarray) -> None:
    """Refuse a file where more than half the rows are unusable (wrong file?)."""
    if len(bad) and int(bad.sum()) * 2 > len(bad):
        lines = [str(p) for p in report.set_aside()]
        raise SchemaError(
            format_problems(
                f"{label} : {int(bad.sum())} ligne(s) inutilisable(s) sur {len(bad)} : ce "
                "fichier ne semble pas être la série des demandeurs d'emploi. Vérifiez que "
                "c'est le bon fichier et ses colonnes, corrigez ces lignes puis relancez.",
                lines[:20],
            ),
            lines,
        )


def _build(path: Path, label: str, strict: bool) -> pd.DataFrame:
    raw = read_table(path, line_column="ligne")
    found = _header(raw, label)
    report = ProblemReport(label)
    report_blank_lines(raw, report)
    code_h, month_h, count_h = found["code"], found["mois"], found["demandeurs"]
    lines = raw["ligne"].astype("int64").to_numpy()
    df = pd.DataFrame({"ligne": lines})
    df["niveau"], df["code"] = _levels(raw[code_h].fillna(""))
    df["mois"] = _months(raw[month_h].fillna(""))
    counts = raw[count_h].fillna("").str.strip()
    df["demandeurs"] = _by_unique(counts, _parse_counts)["demandeurs"]
    code_cells = raw[code_h].to_numpy()
    bad = df["niveau"].isna().to_numpy().copy()
    _report(
        report,
        lines,
        code_cells,
        bad,
        code_h,
        "code « {v} » d'aucun niveau connu (attendu : commune sur 5 caractères, département "
        "sur 2 ou 3 caractères comme 44, 2A ou 971, région sous la forme reg52) : ligne "
        "écartée. Corrigez le code et relancez.",
    )
    month_bad = df["mois"].isna().to_numpy() & ~bad
    _report(
        report,
        lines,
        raw[month_h].to_numpy(),
        month_bad,
        month_h,
        "mois « {v} » illisible : ligne écartée. " + _FIX_MONTH,
    )
    bad |= month_bad
    count_bad = df["demandeurs"].isna().to_numpy() & ~bad
    negative = counts.str.startswith("-").to_numpy() & count_bad
    _report(
        report,
        lines,
        counts.to_numpy(),
        negative,
        count_h,
        "nombre de demandeurs négatif (« {v} ») : ligne écartée. Corrigez la cellule (nombre "
        "entier positif) et relancez.",
    )
    _report(
        report,
        lines,
        counts.to_numpy(),
        count_bad & ~negative,
        count_h,
        "nombre de demandeurs illisible (« {v} », attendu un nombre entier positif sans "
        "espace ni décimale) : ligne écartée. Corrigez la cellule et relancez.",
    )
    bad |= count_bad
    conflicting, repeated = _duplicates(df, ~bad)
    _report(
        report,
        lines,
        code_cells,
        conflicting,
        code_h,
        "code « {v} » et mois déjà présents avec un autre nombre de demandeurs : toutes "
        "ces lignes sont écartées. Gardez une seule ligne par code et par mois, puis relancez.",
    )
    _report(
        report,
        lines,
        code_cells,
        repeated,
        code_h,
        "code « {v} » et mois répétés avec le même nombre : ligne gardée une seule fois. "
        "Retirez le doublon du fichier.",
        action="corrigée",
    )
    bad |= conflicting
    _refuse_if_mostly_bad(label, report, bad)
    refuse_set_aside(report, strict=strict)
    out = df.loc[~(bad | repeated), list(JOBSEEKERS_COLUMNS)]
    out = out.astype({"niveau": "string", "code": "string", "demandeurs": "int64"})
    out = out.sort_values(["niveau", "code", "mois"], kind="stable").reset_index(drop=True)
    out.attrs["rapport"] = {
        "fichier": label,
        "lignes": len(df),
        "lignes_gardees": len(out),
        "mesure": JOBSEEKERS_LABEL,
        "niveaux": {str(k): int(v) for k, v in out.groupby("niveau")["code"].nunique().items()},
        "premier_mois": str(out["mois"].min().date()) if len(out) else None,
        "dernier_mois": str(out["mois"].max().date()) if len(out) else None,
    }
    return attach_problems(out, report)


def read_jobseekers(path: str | Path, *, strict: bool = False, cache: bool = True) -> pd.DataFrame:
    """Read the France Travail monthly job-seeker series into a tidy table.

    Parameters
    ----------
    path
        ``emploi_demandeur.csv`` (columns ``codgeo, YEAR, Demandeurs_Emploi``; CSV with
        ``,`` or ``;``, XLSX or a ZIP holding one, through :func:`geo.tables.read_table`).
    strict
        Refuse the file when a row would be set aside.
    cache
        Keep the normalised table in the Parquet cache (:mod:`diagnostics._cache`),
        keyed by the file's content: the national file reads in a fraction of the time
        the second time.

    Returns
    -------
    pandas.DataFrame
        ``niveau, code, mois, demandeurs, ligne`` (see the module docstring), with
        ``attrs["problemes"]`` (:class:`geo.problems.ProblemReport`) and
        ``attrs["rapport"]`` (rows read and kept, levels, first and last month,
        ``mesure``: what is counted, :data:`JOBSEEKERS_LABEL`).

    Raises
    ------
    InputFileError
        The file is missing or not a table.
    SchemaError
        A column is missing; with ``strict``, a row would be set aside; more than
        half the rows are unusable.

    Examples
    --------
    >>> from geo import settings
    >>> df = read_jobseekers(settings.demo_dir() / "demandeurs" / "emploi_demandeur.csv",
    ...                      cache=False)
    >>> df.columns.tolist()
    ['niveau', 'code', 'mois', 'demandeurs', 'ligne']
    >>> sorted(df["niveau"].unique())
    ['commune', 'departement', 'region']
    """
    path = Path(path)
    label = file_label(path)
    if strict:
        return _build(path, label, strict=True)
    return cached_table(
        path,
        lambda _checksum: _build(path, label, strict=False),
        name="demandeurs",
        version=READER_VERSION,
        enabled=cache,
        label=label,
    )
