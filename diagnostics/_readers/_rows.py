"""Private plumbing of the folder readers (cotraitance, training): text tables, row checks.

Each reader reads its file as text (:func:`raw_table`), checks the columns once
(:func:`require_columns`), then parses every row. A row with a problem is
*reported* in a :class:`geo.problems.ProblemReport` (file, line of the file with the
header on line 1, column, value, what was done, French message) and, when it is set
aside, left out of the table (:func:`finish`), whose ``attrs["problemes"]`` keeps
the report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from geo._errors import InputFileError, SchemaError, format_problems
from geo.problems import ProblemReport, attach_problems
from geo.tables import read_table, report_blank_lines

__all__ = [
    "raw_table",
    "new_report",
    "folder_file",
    "folder_paths",
    "require_columns",
    "report_rows",
    "finish",
    "parse_dates",
    "parse_counts",
    "parse_flags",
    "refuse_set_aside",
    "parent_set_aside",
    "set_aside_keys",
    "SET_ASIDE",
    "parse_points",
    "STRICT_FIX",
]

#: The fix a strict refusal gives: the rows set aside are listed above it.
STRICT_FIX = (
    "Corrigez ces lignes dans le fichier, ou relisez sans le mode strict pour écarter "
    "ces lignes et utiliser le reste."
)


def raw_table(path: str | Path) -> pd.DataFrame:
    """Read a table (:func:`geo.tables.read_table`: CSV, XLSX, ODS or ZIP), every cell as text.

    Headers are normalised (:func:`geo.tables.normalize_header`); a first ``ligne``
    column gives each row's line number in the file (header = 1). Wholly blank rows
    are left out.
    """
    df = read_table(path, line_column="ligne", normalize=True)
    df["ligne"] = df["ligne"].astype("int64")
    return df


def new_report(df: pd.DataFrame, path: str | Path) -> ProblemReport:
    """The problem report of the file ``path`` read as ``df``, with its blank rows listed."""
    report = ProblemReport(Path(path).name)
    report_blank_lines(df, report)
    return report


def folder_file(folder: Path, stem: str) -> Path | None:
    """``folder/stem.csv`` or ``folder/stem.xlsx`` (any case of the suffix), if present."""
    for suffix in (".csv", ".xlsx", ".CSV", ".XLSX"):
        if (folder / f"{stem}{suffix}").is_file():
            return folder / f"{stem}{suffix}"
    return None


def folder_paths(
    folder: str | Path, files: Mapping[str, tuple[str, bool]], *, templates: str
) -> dict[str, Path]:
    """Find the files of a folder input: key → path (absent optional files left out).

    ``files`` maps each key to ``(stem, mandatory)``; ``templates`` is the folder of
    the blank models (``data/cotraitance/``), named in the error messages.

    Raises
    ------
    InputFileError
        The folder or a mandatory file is missing (the files found are listed).
    """
    folder = Path(folder)
    needed = [f"{stem}.csv" for stem, need in files.values() if need]
    if folder.is_file():
        raise InputFileError(
            f"{folder} : c'est un fichier, pas un dossier. Donnez le dossier qui le contient, "
            f"avec {', '.join(needed)} (modèles dans {templates})."
        )
    if not folder.is_dir():
        raise InputFileError(
            f"{folder} : dossier introuvable. Donnez le dossier qui contient "
            f"{', '.join(needed)} (modèles dans {templates})."
        )
    paths = {key: found for key, (stem, _) in files.items() if (found := folder_file(folder, stem))}
    missing = [f"{stem}.csv" for key, (stem, need) in files.items() if need and key not in paths]
    if missing:
        present = ", ".join(sorted(p.name for p in folder.iterdir() if p.is_file())) or "aucun"
        raise InputFileError(
            f"{folder} : fichier(s) obligatoire(s) absent(s) : {', '.join(missing)} "
            f"(fichiers trouvés : {present}). Partez des modèles de {templates} "
            f"({', '.join('modele_' + name for name in needed)})."
        )
    return paths


def require_columns(
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    path: str | Path,
    what: str,
    templates: str = "data/cotraitance/",
) -> None:
    """Raise :class:`SchemaError` naming every missing column (and the templates folder)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(c for c in df.columns if c != "ligne")
        raise SchemaError(
            format_problems(
                f"{Path(path).name} : colonne(s) absente(s) pour {what} "
                f"(colonnes trouvées : {found}). Partez du modèle de {templates} (LISEZMOI.md).",
                [f"colonne '{c}' attendue" for c in missing],
            ),
            [f"colonne '{c}' absente" for c in missing],
        )


def report_rows(
    report: ProblemReport,
    df: pd.DataFrame,
    mask: np.ndarray | pd.Series,
    message: str | Callable[..., str],
    column: str | None = None,
    *,
    cells: Sequence[str] | None = None,
    action: str = "écartée",
) -> np.ndarray:
    """Report every row of ``mask``; return the mask (as a new array).

    ``message`` is a sentence, or a function of the row's cells in ``cells``
    (default: ``column`` alone) returning it; the problem names ``column``, its
    value and the row's ``ligne``; ``action`` says what was done with the row.
    """
    mask = np.array(mask, dtype=bool)
    if mask.any():
        used = list(cells) if cells is not None else ([column] if column else [])
        values = [df[c].to_numpy()[mask] for c in used]
        shown = df[column].to_numpy()[mask] if column else [None] * int(mask.sum())
        for line, value, *row in zip(df["ligne"].to_numpy()[mask], shown, *values, strict=True):
            report.add(
                message if isinstance(message, str) else message(*row),
                line=int(line),
                column=column,
                value=None if value is pd.NA else value,
                action=action,
            )
    return mask


def finish(
    df: pd.DataFrame,
    report: ProblemReport,
    bad: np.ndarray,
    *,
    strict: bool = False,
    key: str | None = None,
) -> pd.DataFrame:
    """The rows not set aside, without ``ligne``, with ``report`` attached.

    With ``strict``, any row set aside refuses the file (:func:`refuse_set_aside`).
    With ``key``, the table remembers why the rows of each key it set aside went
    (:data:`SET_ASIDE`), so that a file that refers to them says so
    (:func:`parent_set_aside`) instead of calling the key unknown.
    """
    refuse_set_aside(report, strict=strict)
    out = df.loc[~bad].drop(columns="ligne").reset_index(drop=True)
    if key is not None:
        out.attrs[SET_ASIDE] = set_aside_keys(df, bad, key, report)
    return attach_problems(out, report)


#: Key of ``DataFrame.attrs``: key value of a row set aside → why (line, file, problem).
SET_ASIDE = "ecartees"


def set_aside_keys(
    df: pd.DataFrame, bad: np.ndarray, key: str, report: ProblemReport
) -> dict[str, str]:
    """For each ``key`` value of a row set aside: « ligne N de fichier (problem) »."""
    why: dict[int, str] = {}
    for p in report:
        if p.action == "écartée" and p.line is not None:
            why.setdefault(p.line, p.message.rstrip(". "))
    found: dict[str, str] = {}
    for line, value in zip(df.loc[bad, "ligne"], df.loc[bad, key], strict=True):
        if pd.notna(value) and str(value) not in found and int(line) in why:
            found[str(value)] = f"ligne {int(line)} de {report.file} ({why[int(line)]})"
    return found


def parent_set_aside(parent: pd.DataFrame | None, value: object) -> str | None:
    """Why ``value`` was set aside from ``parent`` (« ligne N de fichier (...) »), if it was."""
    if parent is None or value is None or value is pd.NA:
        return None
    return parent.attrs.get(SET_ASIDE, {}).get(str(value))


def refuse_set_aside(report: ProblemReport, *, strict: bool) -> None:
    """In strict mode, raise :class:`SchemaError` if ``report`` sets any row aside.

    Every row a reader sets aside is a problem with action ``"écartée"``; the
    strict mode (``--strict`` on the command line) refuses the file instead of
    using the rest, and lists those rows with their lines and fixes.
    """
    aside = report.set_aside()
    if strict and aside:
        lines = [str(p) for p in aside]
        raise SchemaError(
            format_problems(
                f"{report.file or 'Fichier'} : {len(aside)} ligne(s) à écarter en mode strict. "
                + STRICT_FIX,
                lines,
            ),
            lines,
        )


def parse_dates(
    df: pd.DataFrame, column: str, report: ProblemReport, *, action: str = "écartée"
) -> tuple[pd.Series, np.ndarray]:
    """Parse ISO (``2024-03-31``) or French (``31/03/2024``) dates; return (dates, bad).

    ``action`` is what is done with a row whose date is unreadable: set aside
    (``"écartée"``), or kept with the date left empty (``"corrigée"``).
    """
    text = df[column]
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    fr = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    dates = iso.fillna(fr)
    kept = "" if action == "écartée" else " ; date ignorée, ligne gardée"
    bad = report_rows(
        report,
        df,
        text.notna() & dates.isna(),
        lambda v: f"date illisible {v!r} : écrivez-la AAAA-MM-JJ ou JJ/MM/AAAA{kept}.",
        column,
        action=action,
    )
    return dates, bad


def parse_counts(df: pd.DataFrame, columns: Sequence[str], report: ProblemReport) -> np.ndarray:
    """Parse non-negative integer counts in place (empty = 0); return the bad rows."""
    bad = np.zeros(len(df), dtype=bool)
    for col in columns:
        text = df[col].fillna("0").str.replace("\u202f", "").str.replace(" ", "")
        numbers = pd.to_numeric(text, errors="coerce")
        wrong = (numbers.isna() | (numbers < 0) | (numbers % 1 != 0)).to_numpy(dtype=bool)
        bad |= report_rows(
            report,
            df,
            wrong,
            lambda v: (
                f"effectif {'négatif' if str(v).lstrip().startswith('-') else 'illisible'} "
                f"{v!r} (attendu : entier positif ou nul) : corrigez-le."
            ),
            col,
        )
        df[col] = numbers.fillna(0).astype("int64")
    return bad


_TRUE = {"1", "oui", "o", "vrai", "true", "x", "yes"}
_FALSE = {"0", "non", "n", "faux", "false", "no"}


def parse_flags(
    df: pd.DataFrame, column: str, report: ProblemReport, *, action: str = "écartée"
) -> tuple[pd.Series, np.ndarray]:
    """Parse ``oui``/``non`` (``1``/``0``, empty = non); return (flags, bad).

    ``action`` is what is done with a row whose flag is unreadable (see
    :func:`parse_dates`); the caller replaces the flag of a row it keeps.
    """
    text = df[column].str.lower().fillna("non") if column in df else pd.Series("non", df.index)
    flags = text.isin(_TRUE)
    bad = report_rows(
        report,
        df.assign(**{column: text}),
        ~text.isin(_TRUE | _FALSE),
        lambda v: f"valeur {v!r} illisible : écrivez oui ou non.",
        column,
        action=action,
    )
    return flags.astype(bool), bad


def parse_points(
    df: pd.DataFrame, report: ProblemReport, *, lat: str = "latitude", lon: str = "longitude"
) -> tuple[pd.Series, pd.Series]:
    """Parse WGS84 coordinates; return (latitude, longitude) as floats, never dropping the row.

    A point is where its structure is, so only the point is at stake (action
    ``"corrigée"``: the row is used, without that point): an unreadable
    value, a point outside France (metropolitan France, the overseas départements
    and the demonstration territory's box, the areas of the partner directory's
    reader) or outside −90..90 / −180..180 is reported and left empty (the row is
    kept, without a place on the maps); latitude and longitude swapped (the point
    falls back in France once swapped) are put back in order and reported. Empty
    cells stay empty without a word (coordinates are optional).
    """
    from diagnostics._readers.partners import _check_point

    unreadable = np.zeros(len(df), dtype=bool)

    def number(column: str) -> pd.Series:
        nonlocal unreadable
        if column not in df:
            return pd.Series(np.nan, index=df.index, dtype="float64")
        text = df[column].str.strip().str.replace(",", ".", regex=False)
        values = pd.to_numeric(text, errors="coerce")
        unreadable = unreadable | report_rows(
            report,
            df,
            text.notna() & (text != "") & values.isna(),
            lambda v: (
                f"{column} {v!r} illisible (attendu un nombre en degrés décimaux WGS84, "
                "ex. 47,218) : corrigez-la ; le point est ignoré, la ligne gardée."
            ),
            column,
            action="corrigée",
        )
        return values.astype("float64")

    y, x = number(lat), number(lon)
    both = (y.notna() & x.notna()).to_numpy(dtype=bool)
    for i in np.flatnonzero(both):
        category, ky, kx, text = _check_point(float(y.iloc[i]), float(x.iloc[i]), None)
        if not category:
            continue
        y.iloc[i] = np.nan if ky is None else ky
        x.iloc[i] = np.nan if kx is None else kx
        report.add(
            text,
            line=int(df["ligne"].iloc[i]),
            column=lat,
            value=f"{df[lat].iloc[i]} ; {df[lon].iloc[i]}",
            action="corrigée",
            category=category,
        )
    lone = (y.isna() != x.isna()).to_numpy(dtype=bool)
    report_rows(
        report,
        df,
        lone & ~unreadable,
        "latitude sans longitude ou l'inverse : complétez la coordonnée manquante ; le point "
        "est ignoré, la ligne gardée.",
        lat,
        action="corrigée",
    )
    y[lone], x[lone] = np.nan, np.nan
    return y, x
