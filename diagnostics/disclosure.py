"""Disclosure control of counts built from person-level data (secret statistique).

Every table, chart, map tooltip and export built from person-level data goes through
this module before it leaves the analysis:

- **primary suppression**: a count ``n`` with ``0 < n < threshold`` is hidden
  (the threshold is :data:`geo.settings.disclosure_threshold`, 5 by default, read at
  call time). A zero is shown: it describes nobody.
- **secondary suppression**: when a group of cells adds up to a total that is shown
  or can be derived (the cells of a département within its total, the exit reasons of
  a row within the row's total exits...), a group with exactly one hidden cell would
  give it away by subtraction; the smallest other cell of the group is hidden too,
  and so on until every group has zero or at least two hidden cells.
- **derived values** (rates, medians, amounts computed from a hidden count) are
  hidden with it: :func:`protect_values`.

Hidden cells are ``<NA>`` in the returned frames (nullable ``Int64`` counts,
``Float64`` values) and :data:`SECRET` (``"s"``) in exports (:func:`to_display`, the
function of :mod:`geo.display`, re-exported here for the notebooks; it writes the other
reasons of a missing value, « sans objet », « non calculable », « non fourni », in
full). In sentences, a hidden value reads « secret statistique »
(:attr:`geo.display.Missing.SECRET`), and the rule reads :func:`masked_range`
(« effectifs de 1 à 4 masqués »), built from the threshold actually used.

The threshold is checked wherever it comes from (an argument, the settings, the
``TERRITOIRE_SEUIL_DIFFUSION`` variable, the ``--seuil`` option): a threshold that
masks nothing (1, 0, a negative number) or is not a whole number is refused with a
:class:`DisclosureError`; one below :data:`DEFAULT_THRESHOLD` is used but warned of
(:class:`DisclosureWarning`). Code that computes on data that are not about persons
and wants every count passes :data:`NO_SUPPRESSION`, which no typed value can give.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"ml": ["A", "B", "C"], "entrees": [12, 3, 40]})
>>> protect_counts(t, ["entrees"], groups=[], threshold=5)["entrees"].tolist()
[12, <NA>, 40]

With the table total known (the default), 12 is hidden too, or 55 − 12 − 40 = 3:

>>> protect_counts(t, ["entrees"], threshold=5)["entrees"].tolist()
[<NA>, <NA>, 40]
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from geo import settings
from geo._errors import WorkbenchError
from geo.display import Missing, to_display

__all__ = [
    "SECRET",
    "DEFAULT_THRESHOLD",
    "NO_SUPPRESSION",
    "DisclosureError",
    "DisclosureWarning",
    "check_threshold",
    "current_threshold",
    "masked_range",
    "protect_counts",
    "protect_values",
    "small_counts",
    "to_display",
]

#: Marker written in exports in place of a hidden count or value.
SECRET = Missing.SECRET.code


#: The workbench's default threshold (:data:`geo.settings.disclosure_threshold` unless
#: changed): counts from 1 to 4 are never shown.
DEFAULT_THRESHOLD = settings.DEFAULT_DISCLOSURE_THRESHOLD


class DisclosureError(WorkbenchError, ValueError):
    """A disclosure threshold that would not protect anybody, or is not a whole number."""


class DisclosureWarning(UserWarning):
    """A disclosure threshold lower than :data:`DEFAULT_THRESHOLD`: less protection."""


class _NoSuppression(int):
    """The explicit « no suppression » threshold (1), for counts that are not about persons."""

    def __repr__(self) -> str:
        return "NO_SUPPRESSION"


#: Pass ``threshold=NO_SUPPRESSION`` to compute every count unmasked (tests, data that
#: are not about persons). A typed 1, from an option, a notebook parameter or the
#: settings, is refused: protection is never turned off by a number.
NO_SUPPRESSION: int = _NoSuppression(1)


def masked_range(threshold: int) -> str:
    """The rule of a threshold in words, for the sentences about secrecy.

    >>> masked_range(5), masked_range(2)
    ('effectifs de 1 à 4 masqués', 'effectifs égaux à 1 masqués')
    >>> masked_range(NO_SUPPRESSION)
    'aucun effectif masqué'
    """
    limit = int(threshold)
    if limit <= 1:
        return "aucun effectif masqué"
    if limit == 2:
        return "effectifs égaux à 1 masqués"
    return f"effectifs de 1 à {limit - 1} masqués"


def check_threshold(value: object, *, source: str | None = None) -> tuple[int, str | None]:
    """Validate a disclosure threshold; return it and the French warning, if any.

    Parameters
    ----------
    value
        The threshold as given: an integer, or a text from an option or a variable.
    source
        Where it came from, for the message (« option --seuil »...); defaults to the
        settings or the argument.

    Returns
    -------
    tuple
        The threshold as an ``int``, and a French warning when it is lower than
        :data:`DEFAULT_THRESHOLD` (``None`` otherwise).

    Raises
    ------
    DisclosureError
        ``value`` is not a whole number, or is 1 or less (nothing would be masked).

    Examples
    --------
    >>> check_threshold(10)
    (10, None)
    >>> check_threshold("3")[1][:40]
    'Seuil du secret statistique 3 inférieur '
    >>> check_threshold(1)
    Traceback (most recent call last):
    ...
    diagnostics.disclosure.DisclosureError: Seuil du secret statistique 1 refusé : ...
    """
    if value is NO_SUPPRESSION:
        return 1, None
    where = f" ({source})" if source else ""
    fix = (
        f"Donnez un seuil entier d'au moins 2 ; celui de l'atelier est {DEFAULT_THRESHOLD} "
        f"({masked_range(DEFAULT_THRESHOLD)})"
    )
    fix += (
        f" : relancez avec --seuil {DEFAULT_THRESHOLD} ou sans --seuil."
        if source and "--seuil" in source
        else "."
    )
    limit: int | None = None
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        limit = int(value.strip())
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        limit = int(value) if float(value).is_integer() else None
    if limit is None:
        raise DisclosureError(
            f"Seuil du secret statistique {value!r}{where} invalide : un seuil est un nombre "
            f"entier de personnes. {fix}"
        )
    if limit <= 1:
        raise DisclosureError(
            f"Seuil du secret statistique {limit} refusé{where} : aucun effectif ne serait "
            "masqué et les petits effectifs de personnes seraient publiés. " + fix
        )
    if limit < DEFAULT_THRESHOLD:
        return limit, (
            f"Seuil du secret statistique {limit} inférieur à celui de l'atelier "
            f"({DEFAULT_THRESHOLD}){where} : moins de protection ({masked_range(limit)} au lieu "
            f"des {masked_range(DEFAULT_THRESHOLD)}). Vérifiez que ce seuil est admis pour la "
            "diffusion prévue."
        )
    return limit, None


def current_threshold(threshold: object = None) -> int:
    """Return ``threshold``, or the settings' disclosure threshold when ``None``, checked.

    A threshold lower than :data:`DEFAULT_THRESHOLD` emits a :class:`DisclosureWarning`.

    Raises
    ------
    DisclosureError
        The threshold would mask nothing, or is not a whole number
        (:func:`check_threshold`).

    Examples
    --------
    >>> current_threshold(10)
    10
    """
    if threshold is None:
        value: object = settings.disclosure_threshold
        source = "réglage disclosure_threshold ou variable TERRITOIRE_SEUIL_DIFFUSION"
    else:
        value, source = threshold, None
    limit, warning = check_threshold(value, source=source)
    if warning:
        warnings.warn(warning, DisclosureWarning, stacklevel=3)
    return limit


def _group_codes(table: pd.DataFrame, by: Sequence[str]) -> np.ndarray:
    if not by:
        return np.zeros(len(table), dtype=np.int64)
    missing = [c for c in by if c not in table.columns]
    if missing:
        raise KeyError(f"Colonnes de regroupement absentes : {missing}.")
    return table.groupby(list(by), sort=False, dropna=False).ngroup().to_numpy()


def _complete(values: np.ndarray, hidden: np.ndarray, members: np.ndarray) -> bool:
    """Hide one more cell among ``members`` if exactly one is hidden; return change."""
    if members.size < 2 or hidden[members].sum() != 1:
        return False
    free = members[~hidden[members]]
    # smallest positive cell first, then a zero (a lone zero would still give it away)
    positive = free[values[free] > 0]
    pick = positive[np.argmin(values[positive])] if positive.size else free[0]
    hidden[pick] = True
    return True


def protect_counts(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    groups: Iterable[Sequence[str]] = ((),),
    additive: Sequence[str] | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Hide small counts of ``columns`` with primary and secondary suppression.

    Parameters
    ----------
    table
        Tidy table, one row per cell line (e.g. one row per mission locale × month).
    columns
        Count columns to protect (non-negative integers; missing values stay missing).
    groups
        Each item is a list of key columns: within each group of rows sharing those
        keys, the sum of each count column is shown or derivable (``()`` = the whole
        table adds up to a known total, the default). Give every hierarchy that is
        published, e.g. ``[["departement", "mois"], ["mission_locale"]]`` for a
        mission locale × month table with département monthly totals and yearly
        totals per mission locale.
    additive
        Columns of ``columns`` that add up to a row total shown elsewhere (exits by
        reason within total exits): each row is then a group across these columns.
    threshold
        Counts ``0 < n < threshold`` are hidden; defaults to
        :data:`geo.settings.disclosure_threshold`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``columns`` as nullable ``Int64``, hidden cells ``<NA>``.

    Examples
    --------
    Two départements with département totals published: the lone small cell of ``9A``
    drags the next smallest cell of ``9A`` with it.

    >>> t = pd.DataFrame({"dep": ["9A", "9A", "9A", "9B"], "n": [2, 7, 30, 9]})
    >>> protect_counts(t, ["n"], groups=[["dep"]], threshold=5)["n"].tolist()
    [<NA>, <NA>, 30, 9]
    """
    limit = current_threshold(threshold)
    columns = list(columns)
    out = table.copy()
    if not columns or out.empty:
        for col in columns:
            out[col] = out[col].astype("Int64")
        return out
    raw = out[columns].apply(pd.to_numeric).astype("Float64")
    # row-major arrays, so that their flat views share memory: cell (i, j) is i * ncol + j
    missing = np.ascontiguousarray(raw.isna().to_numpy())
    values = np.ascontiguousarray(raw.fillna(0).to_numpy(dtype=float))
    hidden = np.ascontiguousarray((values > 0) & (values < limit) & ~missing)
    codes = [_group_codes(out, list(g)) for g in groups]
    add_idx = [columns.index(c) for c in (additive or [])]
    line_groups: list[np.ndarray] = []  # row indices of each group
    for code in codes:
        order = np.argsort(code, kind="stable")
        bounds = np.flatnonzero(np.diff(code[order])) + 1
        line_groups += np.split(order, bounds)
    changed = True
    flat_values, flat_missing, flat = values.ravel(), missing.ravel(), hidden.ravel()
    ncol = values.shape[1]
    while changed:
        changed = False
        for members in line_groups:
            for j in range(ncol):
                cells = members * ncol + j
                cells = cells[~flat_missing[cells]]
                if _complete(flat_values, flat, cells):
                    changed = True
        if len(add_idx) > 1:
            for i in np.flatnonzero(hidden[:, add_idx].sum(axis=1) == 1):
                cells = i * ncol + np.asarray(add_idx)
                if _complete(flat_values, flat, cells):
                    changed = True
    for j, col in enumerate(columns):
        series = pd.array(np.round(values[:, j]).astype(np.int64), dtype="Int64")
        series[missing[:, j] | hidden[:, j]] = pd.NA
        out[col] = series
    return out


def protect_values(
    table: pd.DataFrame,
    values: Sequence[str],
    *,
    count: str,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Hide ``values`` (rates, medians, amounts) where ``count`` is hidden or small.

    A value computed from fewer than ``threshold`` people, or from a count hidden by
    :func:`protect_counts` (``<NA>``), would give the count away.

    >>> t = pd.DataFrame({"n": [3, 12], "mediane_jours": [4.0, 9.5]})
    >>> protect_values(t, ["mediane_jours"], count="n", threshold=5)["mediane_jours"].tolist()
    [<NA>, 9.5]
    """
    limit = current_threshold(threshold)
    out = table.copy()
    n = pd.to_numeric(out[count]).astype("Float64")
    bad = (n.isna() | ((n > 0) & (n < limit))).to_numpy(dtype=bool)
    for col in values:
        col_values = pd.to_numeric(out[col]).astype("Float64")
        col_values[bad] = pd.NA
        out[col] = col_values
    return out


def small_counts(
    table: pd.DataFrame, columns: Sequence[str], *, threshold: int | None = None
) -> pd.DataFrame:
    """Return the rows of ``table`` where a count of ``columns`` is shown and small.

    Used by tests and before any export: an empty result means the table is safe
    for primary suppression.

    >>> t = pd.DataFrame({"n": [0, 3, 8]})
    >>> len(small_counts(t, ["n"], threshold=5))
    1
    """
    limit = current_threshold(threshold)
    numbers = table[list(columns)].apply(pd.to_numeric, errors="coerce")
    bad = ((numbers > 0) & (numbers < limit)).fillna(False).any(axis=1)
    return table[bad.to_numpy(dtype=bool)]
