"""Private plumbing to read analysts' and official CSV tables robustly.

- encoding: UTF-8 (with or without BOM), falling back to latin-1 (cp1252);
- separator: ``,``, ``;`` or tab, sniffed from the header line;
- every column read as text (codes keep their characters), blank cells missing;
- headers matched by *normalised* name (lower case, no accents, ``_`` for spaces)
  against a list of aliases per output column, never by position.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from geo._errors import InputFileError, SchemaError, format_problems

__all__ = [
    "normalize_header",
    "read_text_table",
    "pick_columns",
    "file_label",
    "raise_problems",
]


def normalize_header(name: object) -> str:
    """Lower-case, strip accents and replace every non-alphanumeric run by ``_``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def file_label(path: str | Path) -> str:
    """Short name of a file for messages."""
    return Path(path).name


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputFileError(
        f"{path.name} : encodage illisible (ni UTF-8 ni latin-1)."
    )  # pragma: no cover


def read_text_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV file with every column as text.

    The encoding and the separator are detected; the detected values are kept in
    ``df.attrs["encoding"]`` and ``df.attrs["separator"]``. An unnamed leading
    index column (``;GeoPoint;...``) is dropped.

    Raises
    ------
    InputFileError
        The file does not exist, is empty or is not a text table.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"{path} : fichier introuvable. Vérifiez le chemin (dossier courant : {Path.cwd()})."
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"{path.name} : fichier vide.")
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            f"{path.name} : ce n'est pas un fichier texte CSV (fichier binaire : XLSX ou ZIP ?). "
            "Exportez-le en CSV ou utilisez le lecteur adapté."
        )
    text, encoding = _decode(raw, path)
    header = text.splitlines()[0]
    separator = max([",", ";", "\t"], key=header.count)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(
            f"{path.name} : lecture CSV impossible ({exc}). Vérifiez le séparateur et les guillemets."
        ) from exc
    first = str(df.columns[0])
    if first == "" or first.startswith("Unnamed"):
        df = df.drop(columns=df.columns[0])
    df = df.astype("string")
    df.attrs.update(encoding=encoding, separator=separator, source=path.name)
    return df


def pick_columns(
    df: pd.DataFrame,
    spec: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str],
    source: str,
    what: str,
) -> pd.DataFrame:
    """Rename the columns of ``df`` found through ``spec`` aliases and keep only them.

    Parameters
    ----------
    df
        Table as read.
    spec
        Output column → accepted header aliases (already normalised; an alias
        starting with ``re:`` is a regular expression).
    required
        Output columns that must be found.
    source, what
        File name and description used in the French error message.

    Raises
    ------
    SchemaError
        Some required columns are missing; the message lists the columns found.
    """
    normalized = {normalize_header(c): c for c in df.columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for out, aliases in spec.items():
        for alias in aliases:
            if alias.startswith("re:"):
                pattern = re.compile(alias[3:])
                hits = [n for n in normalized if pattern.fullmatch(n) and n not in used]
                hit = hits[0] if hits else None
            else:
                hit = alias if alias in normalized and alias not in used else None
            if hit is not None:
                mapping[normalized[hit]] = out
                used.add(hit)
                break
    missing = [c for c in required if c not in mapping.values()]
    if missing:
        expected = "; ".join(f"'{c}' (ex. {', '.join(spec[c][:3])})" for c in missing)
        raise SchemaError(
            f"{source} : colonne(s) absente(s) pour {what} : {expected}. "
            f"Colonnes trouvées : {', '.join(map(str, df.columns))}. "
            "Renommez la colonne ou vérifiez que c'est le bon fichier.",
            problems=[f"colonne absente : {c}" for c in missing],
        )
    out = df[list(mapping)].rename(columns=mapping)
    out.attrs = dict(df.attrs)
    return out


def raise_problems(source: str, what: str, problems: list[str]) -> None:
    """Raise one :class:`SchemaError` listing every problem, if there are any."""
    if problems:
        raise SchemaError(
            format_problems(f"{source} : {len(problems)} problème(s) dans {what} :", problems),
            problems=problems,
        )
