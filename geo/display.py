"""One French display layer: numbers, percentages, counts and why a value is missing.

Every figure the workbench shows to a reader (portrait, notebook summaries, command
line, map tooltips, chart labels) is written by the functions of this module, so
that it is written the same way everywhere:

- thousands grouped by a NARROW NO-BREAK SPACE (U+202F, :data:`THOUSANDS`), the
  decimal comma, and the same narrow no-break space before « % » (French
  typography: the sign never starts a line): ``12 345``, ``1 234,6``, ``61,0 %``;
- negative numbers keep the ASCII hyphen-minus (``-1 234``), a rounded zero has no
  sign (``0,0``, never ``-0,0``);
- a missing value (``None``, ``NaN``, ``pd.NA``, ``NaT``) is written ``–``
  (:data:`DASH`) in tables, or the reason it is missing when the caller knows it.

Why a value is missing: :class:`Missing`
----------------------------------------
A blank cell can mean four different things, which the reader must not confuse:

============================  ==================  =====================================
:class:`Missing`              label (text)        export code (CSV, XLSX, notebooks)
============================  ==================  =====================================
``Missing.SECRET``            secret statistique  ``s``
``Missing.NOT_APPLICABLE``    sans objet          ``sans objet``
``Missing.NOT_COMPUTABLE``    non calculable      ``non calculable``
``Missing.NOT_PROVIDED``      non fourni          ``non fourni``
============================  ==================  =====================================

``s`` is kept for the secret statistique, which the users of the exports know; the
other reasons are written in full, so that no export code can be misread (« nc » is
often read « non communiqué »). JSON exports write ``null`` for every missing value.

:func:`to_display` writes a table for export or for a notebook: each missing number
becomes the export code of its reason. The reason is the secret statistique unless
the function that built the table recorded another one with :func:`mark_missing`
(« sans objet » for a share of zero projects, « non calculable » for an indicator the
files do not allow...), in ``table.attrs["manquants"]``.

Summaries: :class:`Fact`
------------------------
A summary (``alert_summary``, ``training_summary``) is first a list of
:class:`Fact` (kind, level, who, figures): callers that need a figure read the fact,
never the sentence. Each concept module renders its facts to French sentences in
one function, with the formatters of this module.

Examples
--------
>>> format_int(53443), format_number(1234.56), format_percent(0.61)
('53\u202f443', '1\u202f234,6', '61,0\u202f%')
>>> format_count(None, "entrées", missing=Missing.SECRET)
'secret statistique'
>>> Missing.NOT_APPLICABLE.label, Missing.SECRET.code
('sans objet', 's')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "THOUSANDS",
    "DASH",
    "ATTR",
    "Missing",
    "Fact",
    "is_missing",
    "format_int",
    "format_number",
    "format_percent",
    "format_count",
    "MONTHS",
    "format_month",
    "mark_missing",
    "missing_codes",
    "to_display",
    "axes_or_new",
]

#: Thousands separator and space before « % »: NARROW NO-BREAK SPACE (U+202F).
THOUSANDS = "\u202f"

#: What a table shows for a missing value whose reason it does not say.
DASH = "–"

#: Key of ``DataFrame.attrs`` holding the reasons recorded by :func:`mark_missing`.
ATTR = "manquants"


class Missing(enum.Enum):
    """Why a value is missing; ``label`` for text, ``code`` for exports.

    Examples
    --------
    >>> [m.label for m in Missing]
    ['secret statistique', 'sans objet', 'non calculable', 'non fourni']
    >>> [m.code for m in Missing]
    ['s', 'sans objet', 'non calculable', 'non fourni']
    >>> Missing.of("s") is Missing.SECRET, Missing.of("non fourni") is Missing.NOT_PROVIDED
    (True, True)
    """

    SECRET = "secret statistique"
    NOT_APPLICABLE = "sans objet"
    NOT_COMPUTABLE = "non calculable"
    NOT_PROVIDED = "non fourni"

    @property
    def label(self) -> str:
        """The French words for a sentence or a table cell."""
        return str(self.value)

    @property
    def code(self) -> str:
        """What an export writes in place of the value (``s`` for the secret)."""
        return "s" if self is Missing.SECRET else self.label

    @classmethod
    def of(cls, text: str) -> Missing:
        """The reason written ``text`` (its label or its export code).

        Raises
        ------
        ValueError
            When ``text`` is neither a label nor an export code.
        """
        for reason in cls:
            if text in (reason.label, reason.code):
                return reason
        raise ValueError(
            f"Raison de valeur manquante inconnue : {text!r} (attendu : "
            + ", ".join(f"« {m.code} »" for m in cls)
            + ")."
        )


def is_missing(value: object) -> bool:
    """Whether ``value`` is a missing scalar (``None``, ``NaN``, ``pd.NA``, ``NaT``).

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "")]
    [True, True, True, True, False, False]
    """
    if isinstance(value, Missing) or value is None:
        return True
    if not pd.api.types.is_scalar(value):  # a list, an array: not a missing scalar
        return False
    return bool(pd.isna(value))


def _missing_text(value: object, missing: Missing | str) -> str:
    if isinstance(value, Missing):  # a value that already says why it is missing
        return value.label
    return missing.label if isinstance(missing, Missing) else missing


def _grouped(number: float, decimals: int | None) -> str:
    if decimals is None:  # as many as needed, up to six
        text = f"{number:,.6f}".rstrip("0").rstrip(".")
    else:
        text = f"{number:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":  # -0.0 → 0.0
        text = text.lstrip("-")
    return text.replace(",", THOUSANDS).replace(".", ",")


def format_int(value: object, *, missing: Missing | str = DASH) -> str:
    """A whole number, rounded, thousands grouped by a narrow no-break space.

    Parameters
    ----------
    value
        A number (rounded half to even, as :func:`round`), or a missing value.
    missing
        What to write for a missing value: a :class:`Missing` (its label) or a text.

    Returns
    -------
    str

    Examples
    --------
    >>> format_int(12345.6), format_int(-1234), format_int(None)
    ('12\u202f346', '-1\u202f234', '–')
    >>> format_int(pd.NA, missing=Missing.SECRET)
    'secret statistique'
    """
    if is_missing(value):
        return _missing_text(value, missing)
    return _grouped(round(float(value)), 0)  # type: ignore[arg-type]


def format_number(value: object, decimals: int | None = 1, *, missing: Missing | str = DASH) -> str:
    """A decimal number with a decimal comma, thousands grouped.

    ``decimals=None`` writes as many decimals as needed (up to six): ``1`` for ``1.0``,
    ``0,25`` for ``0.25``.

    Examples
    --------
    >>> format_number(1234.56), format_number(3.14159, 2), format_number(-0.04)
    ('1\u202f234,6', '3,14', '0,0')
    >>> format_number(1.0, None), format_number(0.25, None)
    ('1', '0,25')
    >>> format_number(float("nan"), missing=Missing.NOT_COMPUTABLE)
    'non calculable'
    """
    if is_missing(value):
        return _missing_text(value, missing)
    return _grouped(float(value), decimals)  # type: ignore[arg-type]


def format_percent(share: object, decimals: int = 1, *, missing: Missing | str = DASH) -> str:
    """A share between 0 and 1 as a French percentage: ``0.61`` → ``61,0 %``.

    The space before « % » is the narrow no-break space.

    Examples
    --------
    >>> format_percent(0.61), format_percent(0.426, 0), format_percent(12.5, 0)
    ('61,0\u202f%', '43\u202f%', '1\u202f250\u202f%')
    >>> format_percent(None, missing=Missing.NOT_APPLICABLE)
    'sans objet'
    """
    if is_missing(share):
        return _missing_text(share, missing)
    return f"{_grouped(float(share) * 100, decimals)}{THOUSANDS}%"  # type: ignore[arg-type]


def format_count(value: object, unit: str | None = None, *, missing: Missing | str = DASH) -> str:
    """A count with its unit: ``12 345 entrées``; the reason alone when missing.

    Examples
    --------
    >>> format_count(12345, "entrées"), format_count(3)
    ('12\u202f345 entrées', '3')
    >>> format_count(pd.NA, "entrées", missing=Missing.SECRET)
    'secret statistique'
    """
    if is_missing(value):
        return _missing_text(value, missing)
    text = format_int(value)
    return f"{text} {unit}" if unit else text


#: French month names, January first.
MONTHS: tuple[str, ...] = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def format_month(year: int, month: int) -> str:
    """A month in words: ``(2024, 6)`` → ``juin 2024``.

    Examples
    --------
    >>> format_month(2024, 2)
    'février 2024'
    """
    return f"{MONTHS[int(month) - 1]} {int(year)}"


# --------------------------------------------------------------------------- tables


def mark_missing(
    table: pd.DataFrame,
    column: str,
    reason: Missing,
    *,
    where: tuple[str, Sequence[object]] | None = None,
) -> pd.DataFrame:
    """Record why the missing values of ``column`` are missing; return ``table``.

    The rule goes to ``table.attrs["manquants"]`` (plain tuples: it follows the table
    through selections, ``round``, ``assign``, ``concat``), and :func:`to_display`
    applies it. Without ``where``, every missing value of ``column`` has ``reason``;
    with ``where=(other, values)``, those of the rows where ``other`` is one of
    ``values`` (``None`` stands for a missing ``other``). Missing values no rule
    covers are the secret statistique. The attrs of ``table`` are replaced, not
    mutated, so frames that shared them are left alone.

    Examples
    --------
    >>> t = pd.DataFrame({"projets": [0, 12], "part": [float("nan")] * 2})
    >>> t = mark_missing(t, "part", Missing.NOT_APPLICABLE, where=("projets", [0]))
    >>> to_display(t)["part"].tolist()
    ['sans objet', 's']
    """
    rule = (column, reason.name, where[0] if where else None, tuple(where[1]) if where else ())
    rules = (*table.attrs.get(ATTR, ()), rule)
    table.attrs = {**table.attrs, ATTR: rules}
    return table


def missing_codes(table: pd.DataFrame, column: str) -> pd.Series:
    """The reason (:class:`Missing`) of each missing value of ``column``, else ``None``.

    Examples
    --------
    >>> t = pd.DataFrame({"statut": ["calculé", "non calculable"], "valeur": [pd.NA] * 2})
    >>> t = mark_missing(t, "valeur", Missing.NOT_COMPUTABLE, where=("statut", ["non calculable"]))
    >>> [m.name for m in missing_codes(t, "valeur")]
    ['SECRET', 'NOT_COMPUTABLE']
    """
    values = table[column]
    out = pd.Series([None] * len(table), index=table.index, dtype=object)
    missing = values.isna().to_numpy(dtype=bool)
    out[missing] = Missing.SECRET
    for col, name, other, allowed in table.attrs.get(ATTR, ()):
        if col != column:
            continue
        if other is None:
            rows = missing
        elif other in table.columns:
            known = [v for v in allowed if v is not None]
            hit = table[other].isin(known).fillna(False).to_numpy(dtype=bool)
            if None in allowed:
                hit |= table[other].isna().to_numpy(dtype=bool)
            rows = missing & hit
        else:  # the column the rule reads was left out: the reason cannot be told
            continue
        out[rows] = Missing[name]
    return out


def to_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` for export or a notebook: missing numbers written their code.

    Numeric columns (not booleans) become text; each missing value is written the
    export code of its reason (:attr:`Missing.code`: ``s`` for the secret
    statistique, the default, or the reason recorded by :func:`mark_missing`).
    Numbers are written as pandas writes them (``1234.5``): exports stay machine
    readable.

    Examples
    --------
    >>> to_display(pd.DataFrame({"n": pd.array([7, None], dtype="Int64")}))["n"].tolist()
    ['7', 's']
    """
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            codes = missing_codes(table, col).map(lambda m: m.code if m is not None else None)
            out[col] = out[col].astype("string").fillna(codes).astype(object)
    return out


# --------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class Fact:
    """One statement of a summary, as data: what a caller may read without parsing.

    Attributes
    ----------
    kind
        What the fact says (``"situation"``, ``"alerte"``, ``"entonnoir"``...), one of
        the kinds of the module that builds it.
    figures
        The raw figures and names of the fact (numbers stay numbers; ``<NA>`` is a
        hidden value), by name.
    level
        The territorial level the fact is about (``"region"``, ``"mission_locale"``...),
        if any.
    who
        The territory or structure the fact is about (code, or code and name), if any.

    Examples
    --------
    >>> f = Fact("situation", {"annee": 2024, "mois": 6})
    >>> f.kind, f["mois"]
    ('situation', 6)
    """

    kind: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    level: str | None = None
    who: str | None = None

    def __getitem__(self, name: str) -> Any:
        return self.figures[name]


def axes_or_new(
    ax: Axes | None,
    size: tuple[float, float],
    *,
    layout: Literal["constrained", "compressed", "tight"] | None = None,
) -> Axes:
    """``ax``, or the axes of a new figure of ``size`` inches, outside pyplot.

    The one way every ``plot_*`` function gets its axes: a figure made outside
    pyplot is never shown twice in a notebook and never left open by a loop (a
    notebook shows it with ``ax.figure``).

    Examples
    --------
    >>> ax = axes_or_new(None, (4, 3), layout="tight")
    >>> ax.figure.get_size_inches().tolist(), axes_or_new(ax, (8, 8)) is ax
    ([4.0, 3.0], True)
    """
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout=layout).subplots()
