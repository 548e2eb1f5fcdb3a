"""One problem report for every reader and every input.

Every reader of the workbench (BMO, DARES, referentials, partners, positioning,
partnerships, cotraitance, training...) reports what it could not use, or had to
fix, in the same shape: one :class:`Problem` per row of the file (file, line,
column, value, what was done, message with its fix), gathered in a
:class:`ProblemReport` attached to the table it returns
(``table.attrs["problemes"]``). :func:`collect_problems` gathers the reports of any
set of tables; the portrait, the CLIs and the notebooks show them with
:meth:`ProblemReport.lines` or :meth:`ProblemReport.to_frame`.

Examples
--------
>>> import pandas as pd
>>> report = ProblemReport("flux.csv")
>>> _ = report.add("mois illisible « 2024-13 » : écrivez AAAA-MM.", line=3, column="mois",
...                value="2024-13")
>>> t = pd.DataFrame({"a": [1]})
>>> attach_problems(t, report) is t
True
>>> collect_problems({"flux": t}).lines()
['flux.csv, ligne 3, colonne « mois » : mois illisible « 2024-13 » : écrivez AAAA-MM. (ligne écartée)']
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, SupportsIndex, overload

import pandas as pd

__all__ = [
    "ACTIONS",
    "HARMLESS",
    "ATTR",
    "Problem",
    "ProblemReport",
    "attach_problems",
    "problems_of",
    "collect_problems",
    "split_by_place",
]

#: What a reader did with the row or the cell: set aside, corrected, or kept as is.
Action = Literal["écartée", "corrigée", "conservée"]
ACTIONS: tuple[str, ...] = ("écartée", "corrigée", "conservée")

#: Key of ``DataFrame.attrs`` under which a reader attaches its report.
ATTR = "problemes"

#: Columns of :meth:`ProblemReport.to_frame`.
COLUMNS = ["fichier", "ligne", "colonne", "valeur", "action", "message"]


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    file
        File name (as shown to the user; no folder).
    line
        Line in the file (header = 1), ``None`` for a problem of the whole file.
    column
        Column header concerned, if any.
    value
        Value found, as text, if any.
    action
        ``"écartée"`` (the row is set aside), ``"corrigée"`` (the value was fixed,
        the row is used) or ``"conservée"`` (kept as is, for information).
    message
        French message: what was expected, what was found, and the fix.
    category
        Short code of the kind of problem (``doublon_ligne``, ``siret_invalide``...),
        for counting; ``None`` if the reader gives none.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    action: str
    message: str
    category: str | None = None

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        prefix = ", ".join(where)
        text = f"{prefix} : {self.message}" if prefix else self.message
        return f"{text} (ligne {self.action})" if self.line is not None else text


#: Categories of rows dropped on purpose, with nothing lost: blank rows, and rows the
#: file holds beyond what the workbench reads (communes déléguées of a population file).
HARMLESS = frozenset({"lignes_vides", "hors_champ"})


class ProblemReport(list[Problem]):
    """The problems of one or several input files, in reading order.

    A list of :class:`Problem`; ``file`` is the default file name of :meth:`add`.
    """

    def __init__(self, file: str = "", problems: Iterable[Problem] = ()) -> None:
        super().__init__(problems)
        self.file = file

    def add(
        self,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
        action: str = "écartée",
        file: str | None = None,
        category: str | None = None,
    ) -> Problem:
        """Record one problem and return it."""
        if action not in ACTIONS:
            raise ValueError(f"action {action!r} : attendu l'une de {ACTIONS}")
        shown = None if value is None or (isinstance(value, float) and value != value) else value
        problem = Problem(
            file=self.file if file is None else file,
            line=None if line is None else int(line),
            column=column,
            value=None if shown is None else str(shown),
            action=action,
            message=message,
            category=category,
        )
        self.append(problem)
        return problem

    @overload
    def __getitem__(self, index: SupportsIndex) -> Problem: ...
    @overload
    def __getitem__(self, index: slice) -> ProblemReport: ...
    def __getitem__(self, index: SupportsIndex | slice) -> Problem | ProblemReport:
        if isinstance(index, slice):
            return ProblemReport(self.file, list.__getitem__(self, index))
        return list.__getitem__(self, index)

    def set_aside(self) -> ProblemReport:
        """The rows set aside that lose data (what ``--strict`` refuses).

        Action « écartée », except blank rows and rows outside the file's scope
        (categories in :data:`HARMLESS`).
        """
        return ProblemReport(
            self.file, [p for p in self if p.action == "écartée" and p.category not in HARMLESS]
        )

    def set_aside_lines(self) -> set[int]:
        """Lines of the rows set aside."""
        return {p.line for p in self if p.action == "écartée" and p.line is not None}

    def lines(self) -> list[str]:
        """One French sentence per problem (file, line, column: message (what was done))."""
        return [str(p) for p in self]

    def to_frame(self) -> pd.DataFrame:
        """One row per problem: ``fichier, ligne, colonne, valeur, action, message``."""
        return pd.DataFrame(
            [[p.file, p.line, p.column, p.value, p.action, p.message] for p in self],
            columns=COLUMNS,
        ).astype({"ligne": "Int64"})

    def summary(self, *, limit: int = 5) -> str:
        """The first ``limit`` problems in one line, then how many more."""
        shown = "; ".join(self.lines()[:limit])
        more = len(self) - limit
        return shown + (f" ; et {more} autre(s)" if more > 0 else "")

    def __repr__(self) -> str:
        return f"ProblemReport({self.file!r}, {len(self)} problème(s))"


def attach_problems(table: pd.DataFrame, report: ProblemReport) -> pd.DataFrame:
    """Attach ``report`` to ``table`` (``table.attrs["problemes"]``) and return ``table``."""
    table.attrs[ATTR] = report
    if report.file and "fichier" not in table.attrs:
        table.attrs["fichier"] = report.file
    return table


def problems_of(table: pd.DataFrame | None) -> ProblemReport:
    """The report attached to ``table`` by its reader (an empty one if none)."""
    if table is None:
        return ProblemReport()
    found = table.attrs.get(ATTR)
    if isinstance(found, ProblemReport):
        return found
    return ProblemReport(str(table.attrs.get("fichier", "")))


def collect_problems(tables: Mapping[str, pd.DataFrame | None]) -> ProblemReport:
    """Gather the reports of several tables into one (absent tables are skipped).

    A problem without a file name takes the table's ``fichier`` attribute, else its key.
    """
    out = ProblemReport()
    for key, table in tables.items():
        if table is None:
            continue
        default = str(table.attrs.get("fichier", key))
        for p in problems_of(table):
            out.append(p if p.file else replace(p, file=default))
    return out


#: A commune code: five characters, the second a digit or A/B (Corsica 2A/2B, and the
#: demonstration territory's 9A...).
_COMMUNE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")
#: The words of a message that may be codes.
_WORD = re.compile(r"[0-9A-Za-z]+")

#: Column headers whose values are territory codes (commune, département, région,
#: bassin, zone d'emploi, CLPE...), whatever their length.
_PLACE_COLUMN = re.compile(
    r"codgeo|commune|insee|d[ée]p(?:artement)?(?![a-z])|r[ée]g(?:ion)?(?![a-z])|bassin|zone|clpe"
    r"|territoire",
    re.IGNORECASE,
)


def _is_code_word(word: str) -> bool:
    """Whether a word of a message is read as a code.

    A commune code, or letters with digits (``CLPE85004``); short numbers (a line,
    a count, a bassin « 5220 ») are not.
    """
    return bool(_COMMUNE_CODE.fullmatch(word)) or (
        len(word) >= 5 and not word.isdigit() and not word.isalpha()
    )


def _places(problem: Problem, known: Collection[str]) -> set[str]:
    """The known territory codes a problem names: its value, and the codes of its text."""
    found = set()
    value = (problem.value or "").strip()
    if value in known and (_is_code_word(value) or _PLACE_COLUMN.search(problem.column or "")):
        found.add(value)
    for text in (value, problem.message):
        found |= {w for w in _WORD.findall(text) if w in known and _is_code_word(w)}
    return found


def split_by_place(
    report: ProblemReport, codes: Collection[str], *, known: Collection[str]
) -> tuple[ProblemReport, ProblemReport]:
    """Split problems between those that may concern a territory and those about other places.

    A problem names places through its value (a commune code, or any territory code
    when its column holds codes: ``codgeo``, ``commune``, ``departement``,
    ``bassin``...) and through the codes written in its message (commune codes,
    codes made of letters and digits such as ``CLPE85004``; not short numbers, which
    may be lines or counts); only codes in ``known`` count (a line number or a postal
    code that is no commune code is ignored). A problem that names no known place (a whole-file remark, a bad date)
    cannot be placed and is kept with the territory's.

    Parameters
    ----------
    report
        The problems (:func:`collect_problems`, :func:`problems_of`).
    codes
        The territory's codes: its communes, and its départements, régions...
    known
        Every code of the referentials (all communes, départements, régions,
        bassins...), ``codes`` included.

    Returns
    -------
    tuple of ProblemReport
        ``(here, elsewhere)``: the problems that name one of ``codes`` or no known
        place, and those that name known places, none of them the territory's.

    Examples
    --------
    >>> report = ProblemReport("d.csv")
    >>> _ = report.add("code « 44109 » répété", line=3, column="codgeo", value="44109")
    >>> _ = report.add("code « 29212 » répété", line=9, column="codgeo", value="29212")
    >>> _ = report.add("code « 29 » répété", line=12, column="codgeo", value="29")
    >>> _ = report.add("site placé dans Lhomme (72161)", line=5, column="CP", value="59160")
    >>> _ = report.add("mois illisible", line=7, column="mois", value="13")
    >>> _ = report.add("doublon (commune 85037, CLPE85004, comme la ligne 32657)", line=8)
    >>> here, elsewhere = split_by_place(
    ...     report, {"44109", "44", "52"},
    ...     known={"44109", "29212", "72161", "85037", "CLPE85004", "13", "29", "44", "52"})
    >>> [p.line for p in here], [p.line for p in elsewhere]
    ([3, 7], [9, 12, 5, 8])
    """
    mine = set(codes)
    here, elsewhere = ProblemReport(report.file), ProblemReport(report.file)
    for problem in report:
        places = _places(problem, known)
        (elsewhere if places and not places & mine else here).append(problem)
    return here, elsewhere
