r"""The one table layer: read any analyst's or official table, every cell as text.

:func:`read_table` is what every reader of the workbench calls first. It reads

- a CSV or text file: encoding sniffed (UTF-8 with or without BOM, UTF-16 with BOM,
  else cp1252/latin-1), separator sniffed (``,``, ``;``, tab or ``|``);
- an XLSX, XLSM, XLS or ODS workbook through python-calamine, choosing the sheet and
  the header row with a caller-supplied *header scorer* (the row whose cells name the
  most expected columns);
- a ZIP archive holding exactly one of the above;

and detects the format from the file's *content* (its first bytes), never from its
suffix: a CSV named ``.xlsx`` or a workbook named ``.csv`` are read as what they are.

Every cell is text (``string`` dtype): stripped, blank cells missing, integral
numbers of a workbook without ``.0``, dates in ISO format (``2025-03-14``), so codes
keep their leading zeros. Fully blank rows are dropped. Headers are kept as written
(stripped); readers match them with :func:`normalize_header` — the same normalisation
everywhere — or pass ``normalize=True`` to get normalised column names.

Line numbers: with ``line_column="ligne"`` the table gets, as its first column, the
line of each row in the file (the header row's own line counts: the first data row
under a header on line 1 is line 2; for a workbook, the row number shown by the
spreadsheet). This is the line a :class:`geo.problems.Problem` names.

What was detected is kept in ``table.attrs``: ``source`` (file label), ``format``
(``"csv"``, ``"xlsx"``, ``"xls"``, ``"ods"``; ``"zip (xlsx)"`` for a table inside an
archive), ``encoding`` and ``separator`` (CSV), ``feuille`` and ``feuilles`` (the sheet
read and every sheet of a workbook), ``ligne_en_tete`` (line of the header row),
``score`` (the header scorer's value for the header row, ``None`` without scorer) and
``lignes_vides`` (blank rows dropped between the header and the last row) and
``lignes_vides_liste`` (their lines), which :func:`report_blank_lines` lists in a
problem report.

Problems with the file itself (missing, empty, binary, truncated archive) raise
:class:`geo._errors.InputFileError` with a French message naming the file and the fix.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = folder / "communes.csv"
>>> _ = path.write_bytes("Code commune;Libellé\n01001;L'Abergement\n\n44109;Nantes\n".encode("cp1252"))
>>> t = read_table(path, line_column="ligne")
>>> t.to_dict("list")
{'ligne': [2, 4], 'Code commune': ['01001', '44109'], 'Libellé': ["L'Abergement", 'Nantes']}
>>> t.attrs["encoding"], t.attrs["separator"]
('cp1252', ';')
>>> normalize_header("Libellé de la commune")
'libelle_de_la_commune'
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import cast

import pandas as pd
import python_calamine

from geo._errors import InputFileError, SchemaError, format_problems
from geo.problems import ProblemReport

__all__ = [
    "HeaderScorer",
    "normalize_header",
    "read_table",
    "sniff_format",
    "cell_text",
    "pick_columns",
    "file_label",
    "raise_problems",
    "report_blank_lines",
    "read_input_bytes",
    "describe_file",
]

#: Scores a candidate header row (its cells as read): the higher, the better.
HeaderScorer = Callable[[Sequence[object]], int]

#: Rows of each sheet (lines of a CSV) searched for the header row.
SEARCH_ROWS = 30

_TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_SEPARATORS = (";", ",", "\t", "|")
_FIX_WORKBOOK = (
    "Le téléchargement ou l'enregistrement a sans doute été interrompu : téléchargez à "
    "nouveau le fichier, ou enregistrez-le à nouveau depuis le tableur (ou exportez-le en CSV)."
)


def normalize_header(name: object) -> str:
    """Lower-case, strip accents and replace every non-alphanumeric run by ``_``.

    Examples
    --------
    >>> normalize_header("  Nom de l'Établissement (N°) ")
    'nom_de_l_etablissement_n'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def file_label(path: str | Path) -> str:
    """Short name of a file for messages."""
    return Path(path).name


# --------------------------------------------------------------------------- detection


def sniff_format(content: bytes) -> str:
    r"""Format of a file from its first bytes.

    Returns ``"xlsx"`` (also XLSM/XLSB), ``"ods"``, ``"zip"`` (any other ZIP
    archive, or a truncated one), ``"xls"`` (OLE2 compound file), ``"empty"``,
    ``"binary"`` (anything else that is not text) or ``"csv"`` (text).

    Examples
    --------
    >>> sniff_format(b"a;b\n1;2\n"), sniff_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), sniff_format(b"")
    ('csv', 'xls', 'empty')
    """
    head = content[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                members = set(archive.namelist())
                if "[Content_Types].xml" in members:
                    return "xlsx"
                if "mimetype" in members and b"spreadsheet" in archive.read("mimetype"):
                    return "ods"
        except (zipfile.BadZipFile, OSError, KeyError):
            pass
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if not content.strip():
        return "empty"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    sample = content[:4096]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 100:
        return "binary"
    return "csv"


# --------------------------------------------------------------------------- public


def read_table(
    path: str | Path,
    *,
    header_score: HeaderScorer | None = None,
    line_column: str | None = None,
    normalize: bool = False,
    search_rows: int = SEARCH_ROWS,
) -> pd.DataFrame:
    """Read a CSV, XLSX/XLS/ODS or one-table ZIP file, every cell as text.

    Parameters
    ----------
    path
        The file. Its format is detected from its content, not its suffix.
    header_score
        Scores a candidate header row; the sheet and row with the highest score
        (the first one on ties) among the first ``search_rows`` rows of each sheet
        (lines of a CSV) is the header. Without it, the first non-blank row of the
        first sheet is the header.
    line_column
        Name of a column to add, first, with the line of each row in the file (a
        column of the file with the same name is renamed ``<name>.1``).
    normalize
        Rename the columns with :func:`normalize_header`.
    search_rows
        How many rows are searched for the header row.

    Returns
    -------
    pandas.DataFrame
        One ``string`` column per header cell (duplicated names get ``.1``,
        ``.2``...; a header cell left blank is named ``colonne_<n>``), what was
        detected in ``attrs`` (see the module docstring).

    Raises
    ------
    InputFileError
        The file is missing, empty, binary, a truncated workbook or archive, an
        archive that does not hold exactly one table, or a text file that cannot be
        decoded.
    """
    path = Path(path)
    options = _Options(header_score, line_column, normalize, search_rows)
    return _read_content(read_input_bytes(path), path.name, options, inside=None)


def read_input_bytes(path: str | Path) -> bytes:
    """The bytes of an input file; French :class:`InputFileError` when it cannot be read.

    Raises
    ------
    InputFileError
        The path is missing, is a folder, or cannot be read (permission refused,
        file locked by another program, disk error).
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(
            f"{path} : c'est un dossier, pas un fichier. Donnez le chemin du fichier lui-même."
        )
    if not path.is_file():
        raise InputFileError(
            f"{path} : fichier introuvable. Vérifiez le chemin (dossier courant : {Path.cwd()})."
        )
    try:
        return path.read_bytes()
    except PermissionError as exc:
        raise InputFileError(
            f"{path} : lecture refusée (permission). Vérifiez vos droits sur ce fichier, ou "
            "fermez-le s'il est ouvert dans un autre programme, puis relancez."
        ) from exc
    except OSError as exc:
        raise InputFileError(
            f"{path} : lecture impossible (erreur système n° {exc.errno}). Vérifiez le disque "
            "ou le partage réseau, ou copiez le fichier ailleurs, puis relancez."
        ) from exc


def describe_file(path: str | Path, *, columns: int = 8) -> str:
    """What ``path`` holds, in French, for a message that says « trouvé : ... ».

    A layer of polygons, a JSON file, or a table with its first columns (and its
    sheets, for a workbook); the reason when it cannot be read at all.

    Examples
    --------
    >>> from geo import settings
    >>> describe_file(settings.demo_dir() / "communes-9A-ormelin.geojson")
    'des contours géographiques (GeoJSON), pas une table'
    """
    path = Path(path)
    if path.suffix.lower() in (".shp", ".gpkg", ".geoparquet", ".parquet", ".fgb"):
        return f"des contours géographiques ({path.suffix.lstrip('.')}), pas une table"
    try:
        content = read_input_bytes(path)
    except InputFileError as exc:
        return str(exc)
    head = content[:4096].lstrip(codecs.BOM_UTF8 + b" \t\r\n")
    if head[:1] in (b"{", b"["):
        if b'"Feature' in head or b'"features"' in head:
            return "des contours géographiques (GeoJSON), pas une table"
        return "un fichier JSON, pas une table"
    try:
        table = _read_content(content, path.name, _Options(None, None, False, SEARCH_ROWS), None)
    except InputFileError as exc:
        return str(exc)
    names = [str(c) for c in table.columns[:columns]]
    more = " ..." if len(table.columns) > columns else ""
    sheets = table.attrs.get("feuilles")
    if sheets:
        return (
            f"un classeur (feuilles : {', '.join(map(str, sheets))}) dont la première feuille "
            f"a pour colonnes {', '.join(names)}{more}"
        )
    return f"une table aux colonnes {', '.join(names)}{more}"


class _Options:
    def __init__(
        self,
        header_score: HeaderScorer | None,
        line_column: str | None,
        normalize: bool,
        search_rows: int,
    ) -> None:
        self.header_score = header_score
        self.line_column = line_column
        self.normalize = normalize
        self.search_rows = search_rows


def _read_content(
    content: bytes, label: str, options: _Options, inside: str | None
) -> pd.DataFrame:
    kind = sniff_format(content)
    if kind == "empty":
        raise InputFileError(
            f"{label} : fichier vide. Vérifiez qu'il a été entièrement téléchargé ou enregistré."
        )
    if kind == "binary":
        raise InputFileError(
            f"{label} : ce n'est pas un tableau lisible (fichier binaire : ni texte CSV, ni "
            "classeur XLSX, XLS ou ODS, ni archive ZIP). Exportez-le en CSV ou en XLSX depuis "
            "le tableur."
        )
    if kind == "zip":
        member, inner = _archive_member(content, label)
        return _read_content(inner, f"{label} › {member}", options, inside="zip")
    attrs: dict[str, object]
    if kind == "csv":
        rows, lines, text_attrs = _csv_rows(content, label)
        sheets: dict[str, tuple[list[list[object]], list[int]]] = {"": (rows, lines)}
        attrs = dict(text_attrs)
    else:
        sheets = _workbook_rows(content, label)
        attrs = {"feuilles": list(sheets)}
    fmt = kind if inside is None else f"{inside} ({kind})"
    table = _frame(sheets, options)
    table.attrs.update(attrs, format=fmt, source=label)
    return table


# --------------------------------------------------------------------------- sources


def _archive_member(content: bytes, label: str) -> tuple[str, bytes]:
    """The one table inside a ZIP archive: (member name, its bytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.namelist()
            tables = [
                m
                for m in members
                if m.lower().endswith(_TABLE_SUFFIXES)
                and not m.startswith("__MACOSX")
                and not Path(m).name.startswith(("~$", "."))
            ]
            if len(tables) != 1:
                found = ", ".join(members[:10]) or "archive vide"
                raise InputFileError(
                    f"{label} : l'archive ZIP doit contenir exactement un classeur XLSX, XLS ou "
                    f"ODS ou un fichier CSV ; trouvé {len(tables)} ({found}). Extrayez le bon "
                    "fichier de l'archive et lisez-le directement."
                )
            return tables[0], archive.read(tables[0])
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        if isinstance(exc, InputFileError):
            raise
        raise InputFileError(
            f"{label} : classeur XLSX ou archive ZIP (fichier binaire) tronqué ou corrompu. "
            f"{_FIX_WORKBOOK}"
        ) from exc


def _decode(content: bytes, label: str) -> tuple[str, str]:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16"), "utf-16"
    if content.startswith(codecs.BOM_UTF8):
        return content.decode("utf-8-sig"), "utf-8-sig"
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputFileError(  # pragma: no cover - latin-1 decodes every byte
        f"{label} : encodage illisible (ni UTF-8 ni latin-1). Enregistrez le fichier en "
        "CSV UTF-8 depuis le tableur."
    )


def _sniff_separator(text: str) -> str:
    """The separator most used on the first non-blank line (then on the first lines)."""
    lines = [line for line in text.splitlines()[:SEARCH_ROWS] if line.strip()]
    if not lines:
        return ","
    first = max(_SEPARATORS, key=lines[0].count)
    if lines[0].count(first):
        return first
    return max(_SEPARATORS, key=lambda sep: sum(line.count(sep) for line in lines))


def _csv_rows(content: bytes, label: str) -> tuple[list[list[object]], list[int], dict[str, str]]:
    """Rows of a text table and the file line where each row starts."""
    text, encoding = _decode(content, label)
    separator = _sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[list[object]] = []
    lines: list[int] = []
    start = 1
    try:
        for row in reader:
            rows.append(list(row))
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputFileError(
            f"{label} : lecture CSV impossible à la ligne {reader.line_num} (guillemet ouvert "
            "et jamais fermé, ou champ démesuré). Vérifiez le séparateur et les guillemets."
        ) from exc
    return rows, lines, {"encoding": encoding, "separator": separator}


def _workbook_rows(content: bytes, label: str) -> dict[str, tuple[list[list[object]], list[int]]]:
    """Rows of every sheet of a workbook (row *i* is the spreadsheet's line *i + 1*)."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise InputFileError(
            f"{label} : classeur illisible, probablement tronqué ou corrompu. {_FIX_WORKBOOK}"
        ) from exc
    sheets: dict[str, tuple[list[list[object]], list[int]]] = {}
    for name in workbook.sheet_names:
        try:
            rows = cast(
                "list[list[object]]",
                workbook.get_sheet_by_name(name).to_python(skip_empty_area=False),
            )
        except (python_calamine.CalamineError, ValueError) as exc:
            raise InputFileError(
                f"{label} : la feuille « {name} » est illisible. Le classeur est peut-être "
                f"corrompu. {_FIX_WORKBOOK}"
            ) from exc
        sheets[name] = (rows, list(range(1, len(rows) + 1)))
    return sheets


# --------------------------------------------------------------------------- cells


def cell_text(value: object) -> str | None:
    """Text of one cell: stripped, ``None`` if blank; integral floats without ``.0``.

    Dates are written in ISO format, booleans ``oui``/``non``.

    Examples
    --------
    >>> cell_text(44109.0), cell_text(" a "), cell_text(""), cell_text(dt.datetime(2025, 3, 14))
    ('44109', 'a', None, '2025-03-14')
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip() or None


def _is_blank(row: Sequence[object]) -> bool:
    return all(cell_text(v) is None for v in row)


def _pick_header(
    sheets: Mapping[str, tuple[list[list[object]], list[int]]], options: _Options
) -> tuple[str, int, int | None]:
    """(sheet, row index, score) of the header row."""
    best: tuple[str, int, int | None] | None = None
    for name, (rows, _) in sheets.items():
        for index, row in enumerate(rows[: options.search_rows]):
            if _is_blank(row):
                continue
            if options.header_score is None:
                return name, index, None
            score = options.header_score([cell_text(v) or "" for v in row])
            if best is None or (best[2] is not None and score > best[2]):
                best = (name, index, score)
    if best is None:
        first = next(iter(sheets), "")
        return first, -1, None
    return best


def _header_names(cells: Sequence[object], normalize: bool) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = cell_text(cell) or f"colonne_{i + 1}"
        if normalize:
            name = normalize_header(name) or f"colonne_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _frame(
    sheets: Mapping[str, tuple[list[list[object]], list[int]]], options: _Options
) -> pd.DataFrame:
    """The table under the chosen header row, every cell as text."""
    sheet, index, score = _pick_header(sheets, options)
    rows, lines = sheets.get(sheet, ([], []))
    header = list(rows[index]) if index >= 0 else []
    body = rows[index + 1 :] if index >= 0 else []
    body_lines = lines[index + 1 :] if index >= 0 else []
    width = max([len(header), *(len(r) for r in body)], default=0)
    columns = [[cell_text(v) for v in column] for column in _columns(body, width)]
    header = header + [None] * (width - len(header))
    # Columns without header nor values go, and so does the unnamed index column
    # that some CSV exports put first (";Code;...").
    keep = [
        i
        for i in range(width)
        if cell_text(header[i]) is not None
        or (any(v is not None for v in columns[i]) and not (i == 0 and sheet == ""))
    ]
    names = _header_names([header[i] for i in keep], options.normalize)
    data = {name: pd.array(columns[i], dtype="string") for name, i in zip(names, keep, strict=True)}
    table = pd.DataFrame(data, columns=names) if data else pd.DataFrame(columns=names)
    table = table.astype("string")
    blank = table.isna().all(axis=1).to_numpy() if len(names) else pd.Series(dtype=bool).to_numpy()
    kept_lines = [line for line, b in zip(body_lines, blank, strict=True) if not b]
    last = max((i for i, b in enumerate(blank) if not b), default=-1)
    interior_lines = [line for line, b in zip(body_lines[: last + 1], blank, strict=False) if b]
    interior = len(interior_lines)
    if blank.any():
        table = table.loc[~blank].reset_index(drop=True)
    if options.line_column is not None:
        if options.line_column in table.columns:  # the file has a column of that name
            table = table.rename(columns={options.line_column: f"{options.line_column}.1"})
        table.insert(0, options.line_column, pd.array(kept_lines, dtype="Int64"))
    table.attrs.update(
        feuille=sheet or None,
        ligne_en_tete=lines[index] if index >= 0 else None,
        score=score,
        lignes_vides=interior,
        lignes_vides_liste=interior_lines,
    )
    return table


def report_blank_lines(table: pd.DataFrame | Sequence[int], report: ProblemReport) -> None:
    """Add to ``report`` one problem listing the blank rows :func:`read_table` left out.

    ``table`` is the table read (its ``attrs["lignes_vides_liste"]``) or those lines.

    Blank rows carry no data, but a row left blank by mistake (a pasted table that
    lost a line's cells) would go without a word; their lines are listed, in one
    problem for the file (category ``lignes_vides``, no line of its own, so that a
    strict reading does not refuse a file for its blank rows).

    Examples
    --------
    >>> t = pd.DataFrame(); t.attrs["lignes_vides_liste"] = [4, 7]
    >>> r = ProblemReport("f.csv"); report_blank_lines(t, r); print(r.lines()[0])
    f.csv : lignes 4, 7 vides, ignorées : vérifiez qu'aucune donnée n'y manque.
    """
    found = table.attrs.get("lignes_vides_liste", []) if isinstance(table, pd.DataFrame) else table
    lines = [int(v) for v in found]
    if not lines:
        return
    shown = ", ".join(map(str, lines[:20])) + (" ..." if len(lines) > 20 else "")
    report.add(
        f"ligne{'s' if len(lines) > 1 else ''} {shown} vide{'s' if len(lines) > 1 else ''}, "
        f"ignorée{'s' if len(lines) > 1 else ''} : vérifiez qu'aucune donnée n'y manque.",
        value=shown,
        action="écartée",
        category="lignes_vides",
    )


def _columns(body: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    """The body's cells column by column (short rows padded with ``None``)."""
    if not body:
        return [[] for _ in range(width)]
    padded = [list(r) + [None] * (width - len(r)) if len(r) < width else r for r in body]
    return [list(column) for column in zip(*padded, strict=True)]


# --------------------------------------------------------------------------- columns


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


def raise_problems(source: str, what: str, problems: Sequence[object]) -> None:
    """Raise one :class:`SchemaError` listing every problem, if there are any.

    ``problems`` holds French sentences or :class:`geo.problems.Problem` objects (a
    :class:`geo.problems.ProblemReport`).
    """
    if problems:
        texts = [str(p) for p in problems]
        raise SchemaError(
            format_problems(f"{source} : {len(texts)} problème(s) dans {what} :", texts),
            problems=texts,
        )
