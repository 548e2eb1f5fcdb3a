"""Territories asked by name on the command line: what the command understood.

The resolution itself is :func:`geo.territories.resolve_territory_code` (through
:func:`geo.territories.territory` for the commands that read a commune table); this
module only words, for the user, which territory a name was taken for.
"""

from __future__ import annotations

import pandas as pd

from geo import codes
from geo.territories import display_name

__all__ = ["understood", "code_names"]


def code_names(frame: pd.DataFrame, code: str, name: str) -> pd.Series:
    """Code → name of the territories of ``frame``, as people write it then as spelt.

    Official files spell names in capitals (« ST NAZAIRE »); both spellings go to
    :func:`geo.territories.resolve_territory_code`, the readable one first (the one its
    messages show).

    Examples
    --------
    >>> frame = pd.DataFrame({"bassin": ["9908"], "bassin_nom": ["ST JEVROCOURT"]})
    >>> code_names(frame, "bassin", "bassin_nom").tolist()
    ['Saint-Jevrocourt', 'ST JEVROCOURT']
    """
    rows = frame.dropna(subset=[code]).drop_duplicates(code)
    keys = rows[code].astype(str).tolist()
    raw = rows[name].tolist() if name in rows.columns else [None] * len(keys)
    shown = [display_name(v) if isinstance(v, str) else v for v in raw]
    return pd.Series(shown + raw, index=keys + keys, dtype=object)


def understood(level: str, text: str | None, code: str, label: str) -> str | None:
    """« « nantes » compris comme bassin 5220 – Nantes. » when ``text`` was not ``code`` itself.

    Parameters
    ----------
    level
        Level of the territory (``bassin``, ``departement``...).
    text
        What the user wrote (``--code``), ``None`` when nothing was written.
    code
        The code it was resolved to.
    label
        The territory as shown to people (« bassin d'emploi BMO 5220 – Nantes »).

    Returns
    -------
    str or None
        The sentence to print, ``None`` when ``text`` was the code (or a spelling of it:
        ``101`` for ``0101``).

    Examples
    --------
    >>> understood("bassin", "nantes", "5220", "bassin d'emploi BMO 5220 – Nantes")
    "Territoire compris : « nantes » → bassin d'emploi BMO 5220 – Nantes."
    >>> understood("bassin", "5220", "5220", "bassin d'emploi BMO 5220 – Nantes") is None
    True
    """
    if text is None:
        return None
    written = str(text).strip()
    normalize = getattr(codes, f"normalize_{level}", None)
    spelt = normalize(written, errors="coerce") if normalize is not None else None
    if code in (written, written.upper(), spelt):
        return None
    return f"Territoire compris : « {written} » → {label}."
