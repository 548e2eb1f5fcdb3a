"""Normalisation of French territorial codes, in one place.

Official and analysts' files lose leading zeros (``1001`` for commune ``01001``,
département ``1``, bassin ``101`` for ``0101``), write Corsica in lower case, or
carry float artefacts from spreadsheets (``5203.0``). Every reader of the
workbench normalises codes through the functions of this module.

Each ``normalize_*`` function takes a scalar, a list or a Series and returns the
same shape: a ``string`` Series (missing values stay missing) or a ``str``. Codes
that cannot be normalised raise :class:`CodeError` listing every bad value, or,
with ``errors="coerce"``, become missing so that the caller reports them.

Rules
-----
- commune: 5 characters, digits padded on the left (``1001`` → ``01001``),
  Corsica ``2A``/``2B`` (``2a004`` → ``2A004``), overseas ``97xxx``;
- département: 2 characters (``1`` → ``01``), ``2A``/``2B``, overseas on 3
  (``971``...);
- région: 2 characters (``1`` → ``01``, ``52``);
- bassin d'emploi BMO and zone d'emploi: 4 digits (``101`` → ``0101``);
- CLPE: ``CLPE`` followed by 5 characters, or, where France Travail reuses a
  bassin code (Corsica, overseas), 4 digits.

The fictional demonstration territory uses région ``99`` and départements
``9A``, ``9B``, ``9C`` (commune codes ``9A001``...), which exist in no official
referential and therefore can never be mistaken for real places.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal, overload

import pandas as pd

from geo._errors import CodeError

__all__ = [
    "FICTIONAL_DEPARTEMENTS",
    "FICTIONAL_REGION",
    "normalize_commune",
    "normalize_departement",
    "normalize_region",
    "normalize_bassin",
    "normalize_zone_emploi",
    "normalize_clpe",
    "departement_of_commune",
    "is_valid",
]

FICTIONAL_REGION = "99"
FICTIONAL_DEPARTEMENTS = ("9A", "9B", "9C")

_PATTERNS: dict[str, re.Pattern[str]] = {
    "commune": re.compile(r"^(\d{5}|2[AB]\d{3}|9[ABC]\d{3})$"),
    "departement": re.compile(r"^(\d{2}|2[AB]|97\d|9[ABC])$"),
    "region": re.compile(r"^\d{2}$"),
    "bassin": re.compile(r"^\d{4}$"),
    "zone_emploi": re.compile(r"^\d{4}$"),
    "clpe": re.compile(r"^(CLPE(\d{2}|2[AB]|9[ABC])\d{3}|\d{4})$"),
}
_WIDTH = {"commune": 5, "departement": 2, "region": 2, "bassin": 4, "zone_emploi": 4, "clpe": 4}
_LABELS = {
    "commune": "code commune",
    "departement": "code département",
    "region": "code région",
    "bassin": "code bassin d'emploi",
    "zone_emploi": "code zone d'emploi",
    "clpe": "code CLPE",
}
_EXPECTED = {
    "commune": "5 caractères, par ex. 01001, 2A004 ou 97101",
    "departement": "2 caractères (01, 2A) ou 3 outre-mer (971)",
    "region": "2 chiffres, par ex. 52",
    "bassin": "4 chiffres, par ex. 5203 ou 0101",
    "zone_emploi": "4 chiffres, par ex. 5205",
    "clpe": "CLPE suivi de 5 caractères (CLPE44001) ou 4 chiffres",
}

Errors = Literal["raise", "coerce"]


def _clean(values: pd.Series) -> pd.Series:
    """Strip, upper-case and remove spreadsheet float artefacts (``5203.0``)."""
    s = values.astype("string").str.strip().str.upper()
    s = s.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return s.mask(s == "", pd.NA)


def _normalize(values: pd.Series, kind: str, *, errors: Errors, source: str | None) -> pd.Series:
    s = _clean(values)
    width = _WIDTH[kind]
    digits = s.str.fullmatch(r"\d+").fillna(False).astype(bool)
    short = digits & (s.str.len() < width)
    s = s.where(~short, s.str.zfill(width))
    valid = s.str.fullmatch(_PATTERNS[kind].pattern).fillna(False).astype(bool)
    bad = s.notna() & ~valid
    if bad.any():
        if errors == "raise":
            raise CodeError(_bad_codes_message(values[bad], kind, source=source))
        s = s.mask(bad, pd.NA)
    return s.astype("string")


def _bad_codes_message(bad: pd.Series, kind: str, *, source: str | None) -> str:
    examples = ", ".join(f"ligne {i}: {v!r}" for i, v in list(bad.items())[:10])
    where = f"{source} : " if source else ""
    more = f" (et {len(bad) - 10} autres)" if len(bad) > 10 else ""
    return (
        f"{where}{len(bad)} {_LABELS[kind]}(s) invalide(s) — {examples}{more}. "
        f"Attendu : {_EXPECTED[kind]}. Corrigez ces valeurs dans le fichier source."
    )


def _as_series(values: object) -> tuple[pd.Series, bool]:
    if isinstance(values, pd.Series):
        return values, False
    if isinstance(values, (str, int, float)):
        return pd.Series([values]), True
    if isinstance(values, Iterable):
        return pd.Series(list(values)), False
    return pd.Series([values]), True


def _dispatch(values: object, kind: str, errors: Errors, source: str | None):
    series, scalar = _as_series(values)
    out = _normalize(series, kind, errors=errors, source=source)
    if scalar:
        v = out.iloc[0]
        return None if pd.isna(v) else str(v)
    return out


@overload
def normalize_commune(
    values: str | int, *, errors: Errors = ..., source: str | None = ...
) -> str: ...
@overload
def normalize_commune(
    values: pd.Series | Iterable, *, errors: Errors = ..., source: str | None = ...
) -> pd.Series: ...
def normalize_commune(values, *, errors: Errors = "raise", source: str | None = None):
    """Normalise commune codes to 5 characters.

    Parameters
    ----------
    values
        A code, a list of codes or a Series (strings, integers or floats).
    errors
        ``"raise"`` (default) raises :class:`CodeError` listing every bad code;
        ``"coerce"`` turns them into missing values.
    source
        Name of the file and column, quoted in the error message.

    Returns
    -------
    str or pandas.Series
        Normalised code(s), Series of dtype ``string`` aligned on the input.

    Raises
    ------
    CodeError
        A code cannot be normalised and ``errors="raise"``.

    Examples
    --------
    >>> normalize_commune(1001)
    '01001'
    >>> normalize_commune(["2a004", "97101", "44109.0"]).tolist()
    ['2A004', '97101', '44109']
    """
    return _dispatch(values, "commune", errors, source)


def normalize_departement(values, *, errors: Errors = "raise", source: str | None = None):
    """Normalise département codes (``1`` → ``01``, ``2a`` → ``2A``, ``971``).

    Examples
    --------
    >>> normalize_departement([1, "2a", 971]).tolist()
    ['01', '2A', '971']
    """
    return _dispatch(values, "departement", errors, source)


def normalize_region(values, *, errors: Errors = "raise", source: str | None = None):
    """Normalise région codes to 2 digits (``1`` → ``01``).

    Examples
    --------
    >>> normalize_region(1)
    '01'
    """
    return _dispatch(values, "region", errors, source)


def normalize_bassin(values, *, errors: Errors = "raise", source: str | None = None):
    """Normalise BMO bassin d'emploi codes to 4 digits (``101`` → ``0101``).

    Examples
    --------
    >>> normalize_bassin([101, "5203", 5203.0]).tolist()
    ['0101', '5203', '5203']
    """
    return _dispatch(values, "bassin", errors, source)


def normalize_zone_emploi(values, *, errors: Errors = "raise", source: str | None = None):
    """Normalise zone d'emploi 2020 codes to 4 digits (``101`` → ``0101``).

    Examples
    --------
    >>> normalize_zone_emploi("101")
    '0101'
    """
    return _dispatch(values, "zone_emploi", errors, source)


def normalize_clpe(values, *, errors: Errors = "raise", source: str | None = None):
    """Normalise CLPE codes (``clpe01002`` → ``CLPE01002``, ``101`` → ``0101``).

    Examples
    --------
    >>> normalize_clpe(["clpe44001", 101]).tolist()
    ['CLPE44001', '0101']
    """
    return _dispatch(values, "clpe", errors, source)


def departement_of_commune(codes):
    """Return the département of normalised commune codes.

    Overseas communes (``97xxx``) belong to a 3-character département.

    Examples
    --------
    >>> departement_of_commune(["01001", "97101", "2A004"]).tolist()
    ['01', '971', '2A']
    """
    series, scalar = _as_series(codes)
    s = series.astype("string")
    out = s.str.slice(0, 2).where(~s.str.startswith("97").fillna(False), s.str.slice(0, 3))
    if scalar:
        v = out.iloc[0]
        return None if pd.isna(v) else str(v)
    return out


def is_valid(values, kind: str) -> pd.Series:
    """Tell which already-normalised codes match the pattern of ``kind``.

    ``kind`` is one of ``commune``, ``departement``, ``region``, ``bassin``,
    ``zone_emploi``, ``clpe``.

    Examples
    --------
    >>> is_valid(["01001", "1001"], "commune").tolist()
    [True, False]
    """
    series, _ = _as_series(values)
    return series.astype("string").str.fullmatch(_PATTERNS[kind].pattern).fillna(False).astype(bool)
