"""HTML plumbing of portraits: sections, embedded maps and charts, self-contained pages.

A portrait is read on workstations without internet. Everything it shows is
therefore *inside* the page:

- maps: the folium page made self-contained by :func:`geo.maps.self_contained_html`
  (Leaflet inlined, no tiles) is embedded as the ``srcdoc`` of an ``<iframe>``, so
  that the notebook output itself already works offline (folium's own notebook
  output loads Leaflet from CDNs);
- charts: PNG images as ``data:`` URIs;
- the page: the notebook's markdown (rendered as nbconvert renders it) and
  outputs, without code, in a small page of our own with its stylesheet, instead
  of nbconvert's *lab* template, which loads require.js and MathJax from CDNs.

:func:`external_resources` lists what a page would still fetch from the network
(``src=``/``href=`` of anything but a link, CSS ``url()`` and ``@import``, also
inside the embedded maps); the portrait runner refuses a page where it finds one.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd

from geo.display import DASH, format_int, format_percent, is_missing
from geo.escape import html_text

if TYPE_CHECKING:  # pragma: no cover
    import folium
    from matplotlib.figure import Figure
    from nbformat import NotebookNode

__all__ = [
    "Section",
    "MapView",
    "embed_map",
    "frame_for_display",
    "notebook_body",
    "portrait_page",
    "index_page",
    "external_resources",
    "PAGE_STYLE",
    "HIDDEN_TAG",
]

# --------------------------------------------------------------------------- maps


class MapView:
    """A folium map shown offline: an ``<iframe srcdoc>`` holding a self-contained page.

    Parameters
    ----------
    m
        A folium map (no tile layer).
    title
        Accessible title of the frame.
    height
        Height in pixels.

    Attributes
    ----------
    page
        The self-contained HTML of the map (:func:`geo.maps.self_contained_html`).
    """

    def __init__(self, m: folium.Map, *, title: str = "Carte", height: int = 460) -> None:
        from geo.maps import self_contained_html

        self.map = m
        self.title = title
        self.height = height
        self.page = self_contained_html(m.get_root().render())

    def _repr_html_(self) -> str:
        from geo.maps import iframe_html

        return iframe_html(self.page, title=self.title, height=self.height)

    def __repr__(self) -> str:
        return f"<Carte : {self.title} ({len(self.page) // 1000} Ko)>"


def embed_map(m: folium.Map, *, title: str = "Carte", height: int = 460) -> MapView:
    """Wrap a folium map so that a notebook shows it without internet.

    folium's own notebook display loads Leaflet from CDNs; this one inlines it.
    Use it in notebooks instead of displaying the map directly.

    Examples
    --------
    >>> import folium
    >>> view = embed_map(folium.Map(tiles=None), title="Essai")
    >>> "srcdoc=" in view._repr_html_(), "cdn.jsdelivr" in view.page
    (True, False)
    """
    return MapView(m, title=title, height=height)


# --------------------------------------------------------------------------- sections


def _figure_png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class Section:
    """What a portrait helper returns: French text, tables, charts and maps.

    Displayed in a notebook (and in the exported portrait) as one block of HTML;
    the objects stay available for the analyst: :attr:`tables` (DataFrames as
    computed, before formatting), :attr:`figures`, :attr:`maps`, :attr:`pages`
    (interactive views), and
    :attr:`facts` (figures used by the portrait summary).

    Parameters
    ----------
    name
        Short identifier of the section (``"bmo_carte"``...).

    Examples
    --------
    >>> s = Section("essai")
    >>> _ = s.text("Bonjour.").table(pd.DataFrame({"a": [1]}), name="t")
    >>> "<table" in s._repr_html_(), s.status
    (True, 'produite')
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.status = "produite"
        self.blocks: list[str] = []
        self.tables: dict[str, pd.DataFrame] = {}
        self.figures: dict[str, Any] = {}
        self.maps: dict[str, MapView] = {}
        self.pages: dict[str, str] = {}
        self.facts: dict[str, Any] = {}
        self._text: list[str] = []

    def heading(self, text: str, level: int = 3) -> Section:
        """Add a sub-heading."""
        self.blocks.append(f"<h{level}>{html_text(text)}</h{level}>")
        self._text.append(text)
        return self

    def text(self, text: str) -> Section:
        """Add a paragraph of French text (escaped)."""
        self.blocks.append(f"<p>{html_text(text)}</p>")
        self._text.append(text)
        return self

    def bullets(self, items: Iterable[str]) -> Section:
        """Add a bulleted list."""
        items = list(items)
        if items:
            self.blocks.append(
                "<ul>" + "".join(f"<li>{html_text(i)}</li>" for i in items) + "</ul>"
            )
            self._text += [f"- {i}" for i in items]
        return self

    def note(self, text: str) -> Section:
        """Add a framed note (method, caveat)."""
        self.blocks.append(f'<p class="note">{html_text(text)}</p>')
        self._text.append(f"Note : {text}")
        return self

    def absent(self, text: str) -> Section:
        """Say that (part of) the section cannot be produced, and why; marks the section."""
        self.status = text
        self.blocks.append(f'<p class="absent">{html_text(text)}</p>')
        self._text.append(text)
        return self

    def table(
        self,
        frame: pd.DataFrame,
        *,
        name: str,
        display: pd.DataFrame | None = None,
        caption: str | None = None,
        max_rows: int = 30,
    ) -> Section:
        """Add a table: ``frame`` is kept, ``display`` (formatted, French headers) is shown."""
        self.tables[name] = frame
        shown = frame if display is None else display
        more = len(shown) - max_rows
        shown = shown.head(max_rows)
        body = shown.to_html(index=False, border=0, classes="tableau", na_rep=DASH, escape=True)
        cap = f'<p class="legende">{html_text(caption)}</p>' if caption else ""
        tail = (
            f'<p class="legende">… et {more} ligne(s) de plus (table complète : '
            f"<code>.tables[{name!r}]</code>).</p>"
            if more > 0
            else ""
        )
        self.blocks.append(f'<div class="bloc-table">{cap}{body}{tail}</div>')
        self._text.append(f"[table {name} : {len(frame)} ligne(s)]")
        return self

    def figure(self, fig: Figure, *, name: str, alt: str) -> Section:
        """Add a matplotlib figure, embedded as a PNG image (then closed)."""
        self.figures[name] = fig
        self.blocks.append(
            f'<img class="graphique" alt="{html_text(alt)}" '
            f'src="data:image/png;base64,{_figure_png(fig)}">'
        )
        self._text.append(f"[graphique : {alt}]")
        return self

    def map(self, m: folium.Map, *, name: str, title: str, height: int = 460) -> Section:
        """Add a folium map, embedded offline (:class:`MapView`)."""
        view = MapView(m, title=title, height=height)
        self.maps[name] = view
        self.blocks.append(view._repr_html_())
        self._text.append(f"[carte : {title}]")
        return self

    def page(self, page: str, *, name: str, title: str, height: int = 560) -> Section:
        """Add a self-contained HTML page (an interactive view) in an ``<iframe srcdoc>``."""
        from geo.maps import iframe_html

        self.pages[name] = page
        self.blocks.append(iframe_html(page, title=title, height=height, css_class="vue"))
        self._text.append(f"[vue interactive : {title}]")
        return self

    def html(self, fragment: str, *, text: str = "") -> Section:
        """Add a trusted HTML fragment (built by the workbench, never from input data)."""
        self.blocks.append(fragment)
        if text:
            self._text.append(text)
        return self

    def _repr_html_(self) -> str:
        return (
            f'<div class="section-portrait" data-section="{self.name}">{"".join(self.blocks)}</div>'
        )

    def __repr__(self) -> str:
        return "\n".join(self._text) or f"<Section {self.name}>"


def frame_for_display(frame: pd.DataFrame, columns: Sequence[tuple[str, str, Any]]) -> pd.DataFrame:
    """Select, format and rename columns: ``(column, French header, formatter)``."""
    out = {}
    for column, header, formatter in columns:
        if column not in frame.columns:
            continue
        values = frame[column]
        out[header] = [formatter(v) for v in values] if formatter else values.astype(object)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- pages

#: Tag of the notebook cells left out of the HTML portrait.
HIDDEN_TAG = "masquer-portrait"

PAGE_STYLE = """
body{font-family:"Marianne","Segoe UI",Arial,sans-serif;color:#1e1e1e;margin:0;background:#f6f6f6}
main{max-width:1100px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:1.9em;color:#000091;margin:.4em 0 .2em}
h2{font-size:1.45em;color:#000091;border-bottom:2px solid #000091;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1.15em;margin-top:1.2em}
a.anchor-link{display:none}
p,li{line-height:1.5}
table.tableau{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
table.tableau th{background:#eef;text-align:left;padding:4px 8px;border-bottom:1px solid #999}
table.tableau td{padding:3px 8px;border-bottom:1px solid #ddd;vertical-align:top}
.legende{font-size:.88em;color:#555;margin:.2em 0}
.note{background:#f4f6ff;border-left:4px solid #6a6af4;padding:6px 10px;font-size:.92em}
.absent{background:#fff4e5;border-left:4px solid #e07b00;padding:6px 10px}
img.graphique{max-width:100%;height:auto;display:block;margin:.5em 0}
iframe.carte{display:block;margin:.5em 0 1em}
pre.sortie{background:#f6f6f6;padding:6px 10px;overflow-x:auto;font-size:.88em}
pre.erreur{background:#fdecea;padding:6px 10px}
.pied{margin-top:2em;font-size:.85em;color:#666}
code{font-size:.9em}
.tuiles{display:flex;flex-wrap:wrap;gap:10px;margin:.6em 0 1em}
.tuile{flex:1 1 180px;border:1px solid #cfd3ee;border-top:4px solid #000091;padding:6px 10px;background:#fafaff}
.tuile p{margin:.15em 0;line-height:1.3}
.tuile-titre{font-size:.85em;color:#444}
.tuile-valeur{font-size:1.45em;font-weight:bold;color:#000091}
.tuile-evolution,.tuile-ecart{font-size:.82em;color:#333}
"""


def notebook_body(nb: NotebookNode) -> str:
    """The cells of an executed notebook as HTML: the text and the results, no code.

    Markdown cells are rendered as nbconvert renders them; outputs are taken as
    they are (HTML, PNG or SVG images, text), the richest representation first.
    Left out: code, the cells tagged :data:`HIDDEN_TAG` (notes for the analyst,
    parameters) and the error stream (warnings), which stay in the notebook.
    nbconvert's own HTML templates are not used: the *lab* one loads require.js and
    MathJax from CDNs, and rendering the outputs directly is ten times faster.
    """
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    parts = []
    for cell in nb.cells:
        if HIDDEN_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.get("cell_type") == "markdown":
            parts.append(f'<div class="texte">{markdown2html_mistune(cell.source)}</div>')
        elif cell.get("cell_type") == "code":
            parts += [_output_html(o) for o in cell.get("outputs", [])]
    return "\n".join(p for p in parts if p)


def _output_html(output: Any) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") == "stderr":
            return ""
        return f'<pre class="sortie">{html_text(output.get("text", ""))}</pre>'
    if kind == "error":
        return f'<pre class="erreur">{html_text(output.get("ename", ""))} : {html_text(output.get("evalue", ""))}</pre>'
    data = output.get("data", {})
    if "text/html" in data:
        return f'<div class="resultat">{_text(data["text/html"])}</div>'
    if "image/png" in data:
        png = _text(data["image/png"]).replace("\n", "")
        return f'<img class="graphique" alt="graphique" src="data:image/png;base64,{png}">'
    if "image/svg+xml" in data:
        return f'<div class="graphique">{_text(data["image/svg+xml"])}</div>'
    if "text/markdown" in data:
        from nbconvert.filters.markdown_mistune import markdown2html_mistune

        return f'<div class="texte">{markdown2html_mistune(_text(data["text/markdown"]))}</div>'
    if "text/plain" in data:
        return f'<pre class="sortie">{html_text(_text(data["text/plain"]))}</pre>'
    return ""


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def portrait_page(body: str, *, title: str, footer: str = "") -> str:
    """Wrap ``body`` into a complete, self-contained HTML page (French, UTF-8)."""
    foot = f'<p class="pied">{html_text(footer)}</p>' if footer else ""
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_text(title)}</title>\n<style>{PAGE_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n{foot}\n</main>\n</body>\n</html>\n"
    )


def _projects_cell(row: dict[str, Any]) -> str:
    """The BMO projects of an index row: the count, or « secret statistique » and bounds."""
    from diagnostics.bmo import format_projects_with_bounds

    value, low, high = (row.get(k) for k in ("projets_bmo", "projets_bmo_min", "projets_bmo_max"))
    if is_missing(value) and is_missing(low):
        return DASH
    return html_text(format_projects_with_bounds(value, low, high))


def index_page(
    rows: Sequence[dict[str, Any]], *, title: str, intro: str = "", footer: str = ""
) -> str:
    """The index page of a batch: one row per territory, a link to each portrait.

    ``rows`` are manifest rows (``territoire, nom, statut, sortie, erreur``...),
    ``sortie`` relative to the index page.
    """
    labels = {"produit": "produit", "a_jour": "à jour (non relancé)", "erreur": "erreur"}
    lines = []
    for row in rows:
        name = html_text(str(row.get("nom") or ""))
        output = row.get("sortie")
        link = (
            f'<a href="{html_text(quote(str(output)))}">{name or "portrait"}</a>'
            if output and row.get("statut") != "erreur"
            else name
        )
        problem = row.get("erreur") or "; ".join(row.get("avertissements") or [])
        lines.append(
            "<tr>"
            f"<td>{html_text(str(row.get('code', '')))}</td><td>{link}</td>"
            f"<td>{format_int(row.get('population'))}</td>"
            f"<td>{_projects_cell(row)}</td>"
            f"<td>{format_percent(row.get('part_difficiles'))}</td>"
            f"<td>{html_text(labels.get(str(row.get('statut')), str(row.get('statut'))))}</td>"
            f"<td>{html_text(str(problem or ''))}</td>"
            "</tr>"
        )
    done = sum(r.get("statut") != "erreur" for r in rows)
    body = (
        f"<h1>{html_text(title)}</h1>"
        + (f"<p>{html_text(intro)}</p>" if intro else "")
        + f"<p>{done} portrait(s) disponible(s) sur {len(rows)}.</p>"
        + '<table class="tableau"><thead><tr><th>Code</th><th>Territoire</th>'
        + "<th>Population</th><th>Projets de recrutement (BMO)</th>"
        + "<th>Part jugée difficile</th><th>État</th><th>Remarques</th></tr></thead><tbody>"
        + "".join(lines)
        + "</tbody></table>"
    )
    return portrait_page(body, title=title, footer=footer)


_SRCDOC = re.compile(r'srcdoc\s*=\s*"([^"]*)"', re.IGNORECASE)
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b([^>]*)>", re.DOTALL)
_ATTR = re.compile(
    r"""\b(src|href|data|poster|srcset|action)\s*=\s*["']?\s*((?:https?:)?//[^\s"'>]+)""", re.I
)
_CSS = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*((?:https?:)?//[^)"'\s]+)""", re.I)


def external_resources(page: str) -> list[str]:
    """URLs that ``page`` would fetch from the network when opened.

    Looks at the ``src``/``href``/``srcset``... attributes of every tag but links
    (``<a href>`` is fine: it is only followed when clicked), at CSS ``url()``
    and ``@import``, and recursively inside ``<iframe srcdoc>`` documents.

    Examples
    --------
    >>> external_resources('<a href="https://x.fr">x</a><img src="data:image/png;base64,AA">')
    []
    >>> external_resources('<script src="https://cdn.example/x.js"></script>')
    ['https://cdn.example/x.js']
    >>> inner = html_text('<link rel="stylesheet" href="//cdn.example/y.css">')
    >>> external_resources(f'<iframe srcdoc="{inner}"></iframe>')
    ['//cdn.example/y.css']
    """
    found: list[str] = []
    for match in _SRCDOC.finditer(page):
        found += external_resources(html.unescape(match.group(1)))
    outer = _SRCDOC.sub('srcdoc=""', page)
    # Scripts may hold markup in strings (Leaflet's attribution link): only tags count.
    markup = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", outer, flags=re.S | re.I)
    for tag, attrs in _TAG.findall(markup):
        if tag.lower() == "a":
            continue
        found += [url for _, url in _ATTR.findall(attrs)]
    for style in re.findall(r"<style\b[^>]*>(.*?)</style>", outer, flags=re.S | re.I):
        found += _CSS.findall(style)
    found += _CSS.findall(" ".join(re.findall(r'style="([^"]*)"', outer)))
    return list(dict.fromkeys(found))
