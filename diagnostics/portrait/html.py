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
import gzip
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
    "pack_frames",
    "PAGE_STYLE",
    "HIDDEN_TAG",
    "SAME_PAGE_TAG",
    "SECTION_TAG",
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
    """``fig`` as a base64 PNG, 96 dpi, 256 colours.

    A chart's flat colours and text survive a palette; the image is two to three
    times lighter than in full colour.
    """
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as image:
        palette = io.BytesIO()
        image.convert("RGB").quantize(colors=256).save(palette, format="PNG", optimize=True)
    if palette.tell() < len(data):
        data = palette.getvalue()
    return base64.b64encode(data).decode("ascii")


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
        self.missing_inputs: tuple[str, ...] = ()
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

    def hint(self, text: str) -> Section:
        """Add a hint about the interactive views (« Survolez... »), left out of print."""
        self.blocks.append(f'<p class="indice">{html_text(text)}</p>')
        self._text.append(text)
        return self

    def omit(self, text: str, *, inputs: Sequence[str]) -> Section:
        """Leave the section out: ``inputs`` (configuration keys) are not configured.

        The section shows only ``text``, one discreet line, in a notebook; the
        portrait page leaves it out entirely, with the notebook's text cells that
        introduce it (:func:`notebook_body`), and says once, at its end, which files
        would add it. Its :attr:`status` starts with « absente ».

        Examples
        --------
        >>> s = Section("partenaires").omit("Carte non établie.", inputs=["partenaires.annuaire"])
        >>> s.status, 'data-absente="partenaires.annuaire"' in s._repr_html_()
        ('absente : Carte non établie.', True)
        """
        self.missing_inputs = tuple(inputs)
        self.status = f"absente : {text}"
        self.blocks = [
            f'<p class="discret" style="color:#666;font-style:italic">{html_text(text)}</p>'
        ]
        self._text = [text]
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
        missing = (
            f' data-absente="{html_text(" ".join(self.missing_inputs))}"'
            if self.missing_inputs
            else ""
        )
        return (
            f'<div class="section-portrait" data-section="{html_text(self.name)}"{missing}>'
            f"{''.join(self.blocks)}</div>"
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

#: Prefix of the tags naming the sections a markdown cell introduces (``section:partenaires``):
#: the cell is left out of the portrait page when all of them are absent (:meth:`Section.omit`).
SECTION_TAG = "section:"

#: Tag of a markdown cell whose heading does not start a new printed page (the
#: synthesis, printed on the first page under the title).
SAME_PAGE_TAG = "meme-page"

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
.discret{font-size:.88em;color:#666;font-style:italic}
.completer{background:#f4f6ff;border-left:4px solid #000091;padding:6px 10px}
code{font-size:.9em}
.tuiles{display:flex;flex-wrap:wrap;gap:10px;margin:.6em 0 1em}
.tuile{flex:1 1 180px;border:1px solid #cfd3ee;border-top:4px solid #000091;padding:6px 10px;background:#fafaff}
.tuile p{margin:.15em 0;line-height:1.3}
.tuile-titre{font-size:.85em;color:#444}
.tuile-valeur{font-size:1.45em;font-weight:bold;color:#000091}
.tuile-evolution,.tuile-ecart{font-size:.82em;color:#333}
@page{size:A4;margin:14mm 12mm 16mm}
@media print{
body{background:#fff;font-size:10.5pt}
main{max-width:none;margin:0;padding:0}
h2{break-before:page;break-after:avoid}
.meme-page h2{break-before:auto}
.tuile{break-inside:avoid}
h3,h4{break-after:avoid}
iframe,img.graphique,tr{break-inside:avoid}
.indice{display:none}
a{color:inherit;text-decoration:none}
}
"""


def notebook_body(nb: NotebookNode) -> str:
    """The cells of an executed notebook as HTML: the text and the results, no code.

    Markdown cells are rendered as nbconvert renders them; outputs are taken as
    they are (HTML, PNG or SVG images, text), the richest representation first.
    Left out: code, the cells tagged :data:`HIDDEN_TAG` (notes for the analyst,
    parameters), the error stream (warnings), which stay in the notebook, and the
    sections whose inputs are not configured (:meth:`Section.omit`) with the
    markdown cells that introduce them: a markdown cell tagged
    ``section:<name>`` (:data:`SECTION_TAG`) for each section it introduces is
    left out when all of them are absent.
    nbconvert's own HTML templates are not used: the *lab* one loads require.js and
    MathJax from CDNs, and rendering the outputs directly is ten times faster.
    """
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    absent = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            name = _absent_section(output)
            if name:
                absent.add(name)
    parts = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if HIDDEN_TAG in tags:
            continue
        introduced = {t[len(SECTION_TAG) :] for t in tags if t.startswith(SECTION_TAG)}
        if introduced and introduced <= absent:
            continue
        if cell.get("cell_type") == "markdown":
            keep = " meme-page" if SAME_PAGE_TAG in tags else ""
            parts.append(f'<div class="texte{keep}">{markdown2html_mistune(cell.source)}</div>')
        elif cell.get("cell_type") == "code":
            parts += [_output_html(o) for o in cell.get("outputs", []) if not _absent_section(o)]
    return "\n".join(p for p in parts if p)


_ABSENT = re.compile(r'\s*<div class="section-portrait" data-section="([^"]*)" data-absente=')


def _absent_section(output: Any) -> str | None:
    """The name of the section an output shows when it is left out (:meth:`Section.omit`)."""
    value = output.get("data", {}).get("text/html")
    if value is None:
        return None
    match = _ABSENT.match(_text(value))
    return html.unescape(match.group(1)) if match else None


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
_FRAME_DOC = re.compile(r'(?<![\w-])srcdoc="([^"]*)"')
_PACKED_DOC = re.compile(r'data-srcdoc-gz="([A-Za-z0-9+/=]*)"')
_INLINE_BLOCK = re.compile(r"<(script|style)>(.*?)</\1>", re.S)
_LIBRARY = re.compile(
    r'<script type="text/plain" id="([\w-]+)" data-bibliotheque="(script|style)">'
    r"([A-Za-z0-9+/=\s]*)</script>"
)
_UNSAFE_IN_SCRIPT = re.compile(r"</script|<script|<!--", re.I)
# Unpacks the libraries and the frames (gzip, base64) when the page opens, puts the
# libraries back in place of their placeholders <!--bibliotheque-N--> and sets each
# frame's srcdoc. A browser without DecompressionStream (Chrome and Edge before 80,
# Firefox before 113, Safari before 16.4) gets one sentence in each frame instead.
_OLD_BROWSER = (
    "Carte non affichable : ce navigateur est trop ancien (Edge ou Chrome 80, Firefox 113, "
    "Safari 16.4 au moins)."
)
_LOADER = (
    "(function(){"
    "var libs=[].slice.call(document.querySelectorAll('script[data-bibliotheque]'));"
    "var frames=[].slice.call(document.querySelectorAll('iframe[data-srcdoc-gz]'));"
    "if(typeof DecompressionStream==='undefined'){frames.forEach(function(f){"
    'f.srcdoc=\'<p style="font:14px sans-serif">' + _OLD_BROWSER + "</p>';});return;}"
    "function unpack(t){var b=Uint8Array.from(atob(t.trim()),function(c){return c.charCodeAt(0);});"
    "return new Response(new Blob([b]).stream().pipeThrough("
    "new DecompressionStream('gzip'))).text();}"
    "Promise.all(libs.map(function(e){return unpack(e.textContent);})).then(function(texts){"
    "var parts={};libs.forEach(function(e,i){var k=e.getAttribute('data-bibliotheque');"
    "parts['<!--'+e.id+'-->']='<'+k+'>'+texts[i]+'</'+k+'>';});"
    "frames.forEach(function(f){unpack(f.getAttribute('data-srcdoc-gz')).then(function(d){"
    "for(var k in parts){d=d.split(k).join(parts[k]);}"
    "f.removeAttribute('data-srcdoc-gz');f.srcdoc=d;});});});"
    "})();"
)


def pack_frames(body: str, *, min_size: int = 1000) -> str:
    """Store the frames of ``body`` compressed, and the libraries they share once.

    Every map frame is a self-contained page (:class:`MapView`) carrying its own copy
    of Leaflet. The frames are sandboxed (``sandbox="allow-scripts"``, an opaque
    origin): they cannot use the scripts of the page around them. So:

    - the inline ``<script>``/``<style>`` blocks of at least ``min_size``
      characters found identical in two frames or more (Leaflet and its
      stylesheet, Leaflet.markercluster) are taken out of the frames, replaced by a
      placeholder, and stored once in the page as
      ``<script type="text/plain" id="bibliotheque-N">``;
    - each frame's document moves from ``srcdoc`` to ``data-srcdoc-gz``, and each
      library and document is compressed (gzip, then base64: Leaflet weighs 57 KB
      instead of 147 KB, a map's GeoJSON a third of its text);
    - a small script at the end of ``body`` unpacks them when the page opens (the
      browser's ``DecompressionStream``), puts the libraries back and sets each
      frame's ``srcdoc``.

    The frames stay sandboxed, the page needs no network, and the notebook outputs
    are untouched (this is done to the portrait page only); :func:`external_resources`
    looks inside the packed frames, libraries put back.

    Examples
    --------
    >>> leaflet = "<script>" + "L" * 1000 + "</script>"
    >>> doc = html_text(f"<html>{leaflet}<p>carte</p></html>")
    >>> page = pack_frames(f'<iframe srcdoc="{doc}"></iframe>' * 2)
    >>> "L" * 1000 in page, page.count("data-srcdoc-gz="), page.count('id="bibliotheque-0"')
    (False, 2, 1)
    >>> [_unpacked(d) for d in _PACKED_DOC.findall(page)][0]
    '<html><!--bibliotheque-0--><p>carte</p></html>'
    >>> external_resources(page)
    []
    """
    documents = [html.unescape(m.group(1)) for m in _FRAME_DOC.finditer(body)]
    if not documents:
        return body
    counts: dict[tuple[str, ...], int] = {}
    for document in documents:
        for block in {m.groups() for m in _INLINE_BLOCK.finditer(document)}:
            counts[block] = counts.get(block, 0) + 1
    shared = {
        block: f"bibliotheque-{i}"
        for i, block in enumerate(
            b
            for b, n in counts.items()
            if n > 1 and len(b[1]) >= min_size and not _UNSAFE_IN_SCRIPT.search(b[1])
        )
    }

    def pull(match: re.Match[str]) -> str:
        ident = shared.get((match.group(1), match.group(2)))
        return match.group(0) if ident is None else f"<!--{ident}-->"

    def frame(match: re.Match[str]) -> str:
        document = _INLINE_BLOCK.sub(pull, html.unescape(match.group(1)))
        return f'data-srcdoc-gz="{_packed(document)}"'

    out = _FRAME_DOC.sub(frame, body)
    libraries = "".join(
        f'<script type="text/plain" id="{ident}" data-bibliotheque="{kind}">'
        f"{_packed(text)}</script>\n"
        for (kind, text), ident in shared.items()
    )
    return f"{out}\n{libraries}<script>{_LOADER}</script>"


def _packed(text: str) -> str:
    """``text`` compressed (gzip, no timestamp: the same page for the same input), base64."""
    return base64.b64encode(gzip.compress(text.encode("utf-8"), mtime=0)).decode("ascii")


def _unpacked(text: str) -> str:
    return gzip.decompress(base64.b64decode(text)).decode("utf-8")


def _with_libraries(document: str, libraries: dict[str, str]) -> str:
    for ident, block in libraries.items():
        document = document.replace(f"<!--{ident}-->", block)
    return document


_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b([^>]*)>", re.DOTALL)
_ATTR = re.compile(
    r"""\b(src|href|data|poster|srcset|action)\s*=\s*["']?\s*((?:https?:)?//[^\s"'>]+)""", re.I
)
_CSS = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*((?:https?:)?//[^)"'\s]+)""", re.I)


def external_resources(page: str) -> list[str]:
    """URLs that ``page`` would fetch from the network when opened.

    Looks at the ``src``/``href``/``srcset``... attributes of every tag but links
    (``<a href>`` is fine: it is only followed when clicked), at CSS ``url()``
    and ``@import``, and recursively inside ``<iframe srcdoc>`` documents (also
    the packed ones of :func:`pack_frames`, with their libraries put back).

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
    libraries = {
        ident: f"<{kind}>{_unpacked(text)}</{kind}>" for ident, kind, text in _LIBRARY.findall(page)
    }
    for match in _SRCDOC.finditer(page):
        found += external_resources(html.unescape(match.group(1)))
    for match in _PACKED_DOC.finditer(page):
        found += external_resources(_with_libraries(_unpacked(match.group(1)), libraries))
    outer = _PACKED_DOC.sub('data-srcdoc-gz=""', _SRCDOC.sub('srcdoc=""', page))
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
