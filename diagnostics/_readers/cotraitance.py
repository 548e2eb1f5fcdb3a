"""Private plumbing of the cotraitance readers: schemas, raw tables, row checks.

Each reader of :mod:`diagnostics.cotraitance` reads the file as text
(:func:`raw_table`), checks the columns once (:func:`require_columns`), then parses
every row; a row with a problem is *reported* (``ligne N : ...``, the file's line
number, header = line 1) and left out, the rest is processed. The problems are kept
in ``df.attrs["problemes"]`` (list of French sentences).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from geo._errors import InputFileError, SchemaError, format_problems
from geo._tables import read_text_table

__all__ = [
    "EXIT_REASONS",
    "FLOW_COUNTS",
    "STATES",
    "raw_table",
    "require_columns",
    "parse_dates",
    "parse_counts",
    "parse_flags",
    "Problems",
]

#: Exit reasons (motif de sortie) of the accord, code → French label (L463-467,
#: L2423, L2441-2457, fin anticipée L2390).
EXIT_REASONS: dict[str, str] = {
    "suspension_6_mois": "six mois de suspension (cessation d'inscription ou radiation)",
    "age_26_ans": "26e anniversaire (ou un an maximum si entrée dans la 26e année)",
    "demenagement": "déménagement hors de la zone de compétence de la mission locale",
    "reorientation_partenaire": "réorientation vers un autre partenaire (après alerte)",
    "reprise_pole_emploi": "reprise par Pôle emploi en suivi mensuel personnalisé (après alerte)",
    "fin_anticipee": "fin de cotraitance anticipée (radiation après acceptation)",
}

#: States of the accompaniment phase (L457-461, L2396-2439).
STATES: tuple[str, ...] = ("actif", "alerte", "suspension")

#: Count columns of the aggregated flow file, in template order.
FLOW_COUNTS: tuple[str, ...] = (
    "affectations",
    "acceptations",
    "initialisations",
    "initialisations_civis",
    "initialisations_ex_civis",
    "annulations",
    *(f"sorties_{code}" for code in EXIT_REASONS),
    *(f"stock_{state}" for state in STATES),
)


class Problems(list):
    """The problems of one file, each ``"ligne N : ..."``."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def add(self, line: int, text: str) -> None:
        """Record the problem ``text`` of line ``line``."""
        self.append(f"ligne {line} : {text}")


def raw_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (``;`` or ``,``, UTF-8 or latin-1) or XLSX file, every cell as text.

    Headers are lower-cased and stripped; a ``ligne`` column gives each row's line
    number in the file (header = 1).
    """
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xls", ".ods"}:
        if not path.is_file():
            raise InputFileError(f"{path} : fichier introuvable. Vérifiez le chemin.")
        df = pd.read_excel(path, dtype=str, engine="calamine")
    else:
        df = read_text_table(path)
    df.columns = [str(c).strip().lower().replace(" ", "_") for c in df.columns]
    df = df.astype("string")
    for col in df.columns:
        df[col] = df[col].str.strip().replace("", pd.NA)
    df.insert(0, "ligne", np.arange(2, len(df) + 2))
    return df


def folder_file(folder: Path, stem: str) -> Path | None:
    """``folder/stem.csv`` or ``folder/stem.xlsx`` (any case of the suffix), if present."""
    for suffix in (".csv", ".xlsx", ".CSV", ".XLSX"):
        if (folder / f"{stem}{suffix}").is_file():
            return folder / f"{stem}{suffix}"
    return None


def folder_paths(
    folder: str | Path, files: Mapping[str, tuple[str, bool]], *, templates: str
) -> dict[str, Path | None]:
    """Find the files of a folder input: key → path (``None`` for an absent optional file).

    ``files`` maps each key to ``(stem, mandatory)``; ``templates`` is the folder of
    the blank models (``data/cotraitance/``), named in the error messages.

    Raises
    ------
    InputFileError
        The folder or a mandatory file is missing (the files found are listed).
    """
    folder = Path(folder)
    needed = [f"{stem}.csv" for stem, need in files.values() if need]
    if not folder.is_dir():
        raise InputFileError(
            f"{folder} : dossier introuvable. Donnez le dossier qui contient "
            f"{', '.join(needed)} (modèles dans {templates})."
        )
    paths = {key: folder_file(folder, stem) for key, (stem, _) in files.items()}
    missing = [f"{stem}.csv" for key, (stem, need) in files.items() if need and not paths[key]]
    if missing:
        found = ", ".join(sorted(p.name for p in folder.iterdir() if p.is_file())) or "aucun"
        raise InputFileError(
            f"{folder} : fichier(s) obligatoire(s) absent(s) : {', '.join(missing)} "
            f"(fichiers trouvés : {found}). Partez des modèles de {templates} "
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


def parse_dates(df: pd.DataFrame, column: str, problems: Problems) -> tuple[pd.Series, np.ndarray]:
    """Parse ISO (``2024-03-31``) or French (``31/03/2024``) dates; return (dates, bad)."""
    text = df[column]
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    fr = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    dates = iso.fillna(fr)
    bad = np.array(text.notna() & dates.isna(), dtype=bool)
    for line, value in zip(df["ligne"][bad], text[bad], strict=True):
        problems.add(
            int(line), f"colonne '{column}' : date illisible {value!r} (attendu AAAA-MM-JJ)."
        )
    return dates, bad


def parse_counts(df: pd.DataFrame, columns: Sequence[str], problems: Problems) -> np.ndarray:
    """Parse non-negative integer counts in place (empty = 0); return the bad rows."""
    bad = np.zeros(len(df), dtype=bool)
    for col in columns:
        text = df[col].fillna("0").str.replace("\u202f", "").str.replace(" ", "")
        numbers = pd.to_numeric(text, errors="coerce")
        wrong = (numbers.isna() | (numbers < 0) | (numbers % 1 != 0)).to_numpy(dtype=bool)
        for line, value in zip(df["ligne"][wrong], df[col][wrong], strict=True):
            kind = "négatif" if str(value).lstrip().startswith("-") else "illisible"
            problems.add(
                int(line),
                f"colonne '{col}' : effectif {kind} {value!r} (attendu : entier positif ou nul).",
            )
        bad |= wrong
        df[col] = numbers.fillna(0).astype("int64")
    return bad


_TRUE = {"1", "oui", "o", "vrai", "true", "x", "yes"}
_FALSE = {"0", "non", "n", "faux", "false", "no"}


def parse_flags(df: pd.DataFrame, column: str, problems: Problems) -> tuple[pd.Series, np.ndarray]:
    """Parse ``oui``/``non`` (``1``/``0``, empty = non); return (flags, bad)."""
    text = df[column].str.lower().fillna("non") if column in df else pd.Series("non", df.index)
    flags = text.isin(_TRUE)
    bad = np.array(~text.isin(_TRUE | _FALSE), dtype=bool)
    for line, value in zip(df["ligne"][bad], text[bad], strict=True):
        problems.add(int(line), f"colonne '{column}' : valeur {value!r} (attendu oui ou non).")
    return flags.astype(bool), bad
