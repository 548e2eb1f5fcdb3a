r"""Writing tables that a spreadsheet opens safely: no cell becomes a formula.

A partner or a training centre named ``=HYPERLINK("http://x","clic")``, ``+1+1`` or
``@SUM(A1)`` is a live formula once the exported file opens in a spreadsheet
(formula or « CSV » injection). Every export of the workbench goes through
:func:`save_table` (one CSV or XLSX sheet) or :func:`save_workbook` (several
sheets), which

- neutralise every text cell a spreadsheet would evaluate, and every column name
  (:func:`neutralize_formulas`): a text starting with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return — also after leading blanks or quotes — gets a single
  quote ``'`` in front, as the OWASP guidance on CSV injection advises; the
  spreadsheet shows the text as typed, with the quote;
- leave numbers untouched: numeric columns, and text cells that are a plain decimal
  number (``-3``, ``+1.5``, ``-1.2e-05``, the way :func:`geo.display.to_display`
  writes numbers), which a spreadsheet reads as that number and never as a formula,
  so exports stay machine readable;
- write XLSX with xlsxwriter told never to turn a string into a formula or a link
  (``strings_to_formulas`` and ``strings_to_urls`` off), so every text is a text cell.

The quote is reversible: :func:`restore_cell` / :func:`restore_formulas` remove it,
and give back exactly the text before :func:`neutralize_cell` (a text that already
started with quotes before a formula character gets one more quote, so nothing is
ambiguous). The workshop reads its own files back through them, so a name survives
any number of round trips.

Examples
--------
>>> neutralize_cell('=HYPERLINK("http://x","clic")')
'\'=HYPERLINK("http://x","clic")'
>>> neutralize_cell("-3"), neutralize_cell("-2+3"), neutralize_cell("Mission locale")
('-3', "'-2+3", 'Mission locale')
>>> restore_cell(neutralize_cell("@SUM(A1)"))
'@SUM(A1)'
>>> neutralize_formulas(pd.DataFrame({"nom": ["+1+1", "Nantes"], "n": [-2, 3]})).to_dict("list")
{'nom': ["'+1+1", 'Nantes'], 'n': [-2, 3]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "FORMULA_QUOTE",
    "XLSX_OPTIONS",
    "neutralize_cell",
    "restore_cell",
    "neutralize_formulas",
    "restore_formulas",
    "save_table",
    "save_workbook",
]

#: What is put in front of a text a spreadsheet would evaluate.
FORMULA_QUOTE = "'"

#: xlsxwriter options of every workbook written: strings stay strings.
XLSX_OPTIONS: dict[str, bool] = {"strings_to_formulas": False, "strings_to_urls": False}

# A text a spreadsheet evaluates: a formula character, possibly after blanks or quotes
# (the quotes make the escape reversible: a text already quoted gets one more quote).
_FORMULA = re.compile(r"[\s']*[=+\-@\t\r]")
# What neutralize_cell wrote: one quote, then a text that needed it.
_QUOTED = re.compile(r"'[\s']*[=+\-@\t\r]")
# A plain decimal number: read as a number by a spreadsheet, never as a formula.
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralize_cell(value: Any) -> Any:
    r"""``value`` with a quote in front if a spreadsheet would evaluate it.

    Only text is changed; numbers, dates and missing values are returned as they are.

    Examples
    --------
    >>> neutralize_cell("\t=1"), neutralize_cell("  @x"), neutralize_cell(-2)
    ("'\t=1", "'  @x", -2)
    """
    if isinstance(value, str) and _FORMULA.match(value) and not _NUMBER.fullmatch(value):
        return FORMULA_QUOTE + value
    return value


def restore_cell(value: Any) -> Any:
    """The text :func:`neutralize_cell` was given: its quote removed.

    Examples
    --------
    >>> restore_cell("'=1+1"), restore_cell("''=1"), restore_cell("l'atelier")
    ('=1+1', "'=1", "l'atelier")
    """
    if isinstance(value, str) and _QUOTED.match(value):
        return value[len(FORMULA_QUOTE) :]
    return value


def _map_labels(labels: pd.Index, cell: Any) -> pd.Index:
    return labels.map(lambda c: tuple(cell(v) for v in c) if isinstance(c, tuple) else cell(c))


def _map_text(frame: pd.DataFrame, cell: Any) -> pd.DataFrame:
    out = frame.copy()
    out.columns = _map_labels(out.columns, cell)
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):
            mapped = column.cat.rename_categories(_map_labels(column.cat.categories, cell))
        elif pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            mapped = column.map(cell).astype(column.dtype)
        else:
            continue  # numbers, booleans, dates: nothing a spreadsheet evaluates
        out.isetitem(position, mapped)
    return out


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are :func:`neutralize_cell`-ed.

    Numeric, boolean and date columns are kept as they are, with their dtype.
    """
    return _map_text(frame, neutralize_cell)


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` read back from an export: every :func:`restore_cell`-ed cell."""
    return _map_text(frame, restore_cell)


def save_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    format: str | None = None,
    sep: str = ";",
    encoding: str = "utf-8-sig",
    sheet: str = "tableau",
) -> Path:
    r"""Write ``frame`` (without its index) as CSV or XLSX, no cell a formula.

    Parameters
    ----------
    frame
        The table; text cells a spreadsheet would evaluate are neutralised
        (:func:`neutralize_formulas`).
    path
        File written.
    format
        ``"csv"`` or ``"xlsx"``; by default the suffix of ``path`` (``.xlsx`` → XLSX,
        anything else → CSV).
    sep, encoding
        CSV separator and encoding (``;`` and UTF-8 with BOM by default, for Excel);
        rows end with CRLF, so a cell holding a line break stays one cell.
    sheet
        Sheet name of an XLSX file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = save_table(pd.DataFrame({"nom": ["=1+1"], "n": [-2]}), path, encoding="utf-8")
    >>> path.read_bytes().decode("utf-8")
    "nom;n\r\n'=1+1;-2\r\n"
    """
    path = Path(path)
    chosen = format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
    if chosen == "xlsx":
        return save_workbook({sheet: frame}, path)
    if chosen != "csv":
        raise ValueError(f"Format de tableau inconnu : {chosen!r} (attendu csv ou xlsx).")
    # CRLF ends the rows (RFC 4180, as Excel writes): a cell holding a line break or a
    # carriage return is then quoted, never split into two rows.
    table = neutralize_formulas(frame)
    table.to_csv(path, sep=sep, index=False, encoding=encoding, lineterminator="\r\n")
    return path


def save_workbook(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write one XLSX workbook, a sheet per table (without index), no cell a formula.

    Strings are written as text cells (:data:`XLSX_OPTIONS`), and neutralised
    (:func:`neutralize_formulas`) so that editing a cell does not make it a formula.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    with pd.ExcelWriter(
        path, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS}
    ) as writer:
        for name, frame in sheets.items():
            neutralize_formulas(frame).to_excel(writer, sheet_name=name, index=False)
    return path
