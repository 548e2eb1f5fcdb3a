"""Escaping for every text that reaches a generated page: HTML, and JavaScript inside it.

Names come from input files (agences, missions locales, training centres, partners,
territories) and end up in HTML pages, in map tooltips and popups, in layer names,
in SVG titles. Some of these places are plain HTML; others are JavaScript that folium
writes for us, where the text sits inside a string or a template literal (backticks)
of a ``<script>`` and Leaflet then inserts it into the page as HTML:

- ``folium.Tooltip`` / ``tooltip="…"``: raw inside a template literal (a ``</script>``,
  a backtick or ``${…}`` ends the script or runs code);
- ``folium.Popup``: inside a template literal too, after folium escapes only backticks;
- layer names, ``GeoJsonTooltip`` aliases and GeoJSON properties: JSON-encoded (safe for
  the script) but shown by Leaflet as HTML (an ``<img onerror>`` runs on hover).

:func:`html_text` covers all of these places at once: it writes the text as HTML
character references only, so the result contains none of the characters that have a
meaning in HTML, in a JavaScript string or template literal, or in a ``<script>``
element, and the browser shows exactly the text. :func:`html_properties` applies it
to the text columns of a table whose values a map shows as HTML. :func:`script_json`
writes a value as a JavaScript literal safe inside ``<script>``, for the scripts the
workbench writes itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["html_text", "html_properties", "script_json"]

_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
# HTML: & < > " '. JavaScript literals: ` $ \ (template literal, interpolation, escapes),
# line breaks and the separators U+2028/U+2029 (end a string literal in older engines),
# other control characters (invisible, or refused by the HTML parser).
_SPECIAL = re.compile("[&<>\"'`$\\\\\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")


def _reference(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    return "&#xFFFD;" if char == "\x00" else f"&#{ord(char)};"


def html_text(value: object) -> str:
    r"""``value`` as HTML text, safe in element content, attributes and folium's scripts.

    Escapes what :func:`html.escape` does (``& < > " '``) and also the backtick, ``$``,
    the backslash, line breaks, U+2028/U+2029 and control characters, as numeric
    character references: the result can go into an HTML element, a quoted attribute,
    or a JavaScript string or template literal whose content Leaflet shows as HTML
    (folium's tooltips, popups, layer names) without ending the script, interpolating
    or running anything; the reader sees the original text.

    Examples
    --------
    >>> html_text("Agence </script><script>alert(1)</script>")
    'Agence &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> html_text("`${alert(1)}` \\ l'été")
    '&#96;&#36;{alert(1)}&#96; &#92; l&#x27;été'
    >>> html_text(None), html_text(12)
    ('', '12')
    """
    if value is None:
        return ""
    return _SPECIAL.sub(_reference, str(value))


def html_properties(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells in ``columns`` pass through :func:`html_text`.

    For the GeoJSON properties a map shows as HTML (``GeoJsonTooltip`` fields, popups
    bound in JavaScript): numbers, booleans and missing values are kept as they are, so
    that folium can still format numbers and skip empty cells.

    Examples
    --------
    >>> import pandas as pd
    >>> out = html_properties(pd.DataFrame({"nom": ["<b>A</b>"], "n": [1]}), ["nom", "n"])
    >>> out.loc[0, "nom"], out.loc[0, "n"]
    ('&lt;b&gt;A&lt;/b&gt;', np.int64(1))
    """
    out = frame.copy()
    for column in columns:
        values = out[column]
        if values.dtype.kind == "O" or pd.api.types.is_string_dtype(values.dtype):
            cells = [html_text(v) if isinstance(v, str) else v for v in values]
            out[column] = pd.Series(cells, index=out.index, dtype=object)
    return out


def script_json(value: Any) -> str:
    r"""``value`` as a JavaScript literal (JSON) that cannot end or break a ``<script>``.

    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\uXXXX`` escapes, so the
    literal holds the same value and the page's HTML parser never sees a tag.

    Examples
    --------
    >>> print(script_json("</script><b>é"))
    "\u003c/script\u003e\u003cb\u003eé"
    """
    text = json.dumps(value, ensure_ascii=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text
