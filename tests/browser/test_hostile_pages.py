"""Pages built from names carrying script payloads, opened in Chromium (issue 14).

The demo inputs are copied and a few names replaced by payloads: an agence named
``Agence </script><script>alert(1)</script>``, missions locales, partners and a
training centre named ``<img src=x onerror=alert(1)>``, ``'><svg onload=…>``,
with backticks and ``${…}``, a bassin whose name carries an ``<img onerror>``.
Both ``carte_flux.html`` (``territoire cotraitance tableau`` and ``territoire
formation tableau``) and a portrait of that bassin (its sections built by the
library, as the portrait notebook does; the sections without a map or a name
shown as HTML are left out to keep the test short) are opened with the network
cut: no dialog may open, no script error, every map (also inside the sandboxed
frames of the portrait) draws its layers, and the tooltips and popups, opened on
every marker and line, show the names as text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from diagnostics import cli

pytestmark = pytest.mark.browser

SCRIPT_END = "Agence </script><script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "ML '><svg onload=alert(1)>"
TICKS = "ML </script><script>alert(1)</script> `${alert(1)}`"
CENTRE = "AFPA <img src=x onerror=alert(1)> ${alert(1)} `x`"
BASSIN = "VEGICOURT <img src=x onerror=alert(2)>"
SECTIONS = (
    "section_title",
    "section_key_figures",
    "section_territory_map",
    "section_bmo_map",
    "section_partners_map",
    "section_coverage",
    "section_cotraitance",
    "section_network",
    "section_training",
    "section_sources",
)


def _rename(path: Path, column: str, names: dict[str, str], *, sep: str = ";") -> None:
    table = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert set(names) <= set(table[column]), f"{path.name} : noms de démonstration changés"
    table[column] = [names.get(v, v) for v in table[column]]
    table.to_csv(path, sep=sep, index=False, encoding="utf-8")


def _hostile_demo(folder: Path) -> Path:
    """A copy of the demo inputs where some names carry script payloads."""
    from geo import settings

    demo = folder / "demo"
    shutil.copytree(settings.demo_dir(), demo)
    agence = "Agence Pôle emploi de Vegicourt (fictive)"
    _rename(demo / "cotraitance" / "structures.csv", "nom",
            {agence: SCRIPT_END, "Mission locale de Vegicourt": f"ML {IMG}",
             "Mission locale de Sananade": TICKS})  # fmt: skip
    _rename(demo / "formation" / "agences.csv", "nom", {agence: SCRIPT_END})
    _rename(demo / "formation" / "sessions.csv", "centre", {"AFPA Vegicourt": CENTRE})
    _rename(demo / "partenaires.csv", "Nom de la structure",
            {"Mission locale de Vegicourt": IMG, "Mission locale de Saint-Lounirac": SVG,
             "Mission locale de Sananade": TICKS})  # fmt: skip
    _rename(demo / "commune_bassin_bmo.csv", "lib_bassin_BMO", {"VEGICOURT": BASSIN}, sep=",")
    return demo


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory) -> dict[str, Path]:
    from diagnostics import portrait
    from diagnostics.portrait.html import portrait_page

    folder = tmp_path_factory.mktemp("hostile_pages")
    demo = _hostile_demo(folder)
    cotraitance = ["cotraitance", "tableau", "--dossier", str(demo / "cotraitance"),
                   "--annee", "2024", "--mois", "6", "--sortie", str(folder / "cotraitance")]  # fmt: skip
    assert cli.main(cotraitance) in (0, 1)
    training = ["formation", "tableau", "--dossier", str(demo / "formation"),
                "--sortie", str(folder / "formation")]  # fmt: skip
    assert cli.main(training) in (0, 1)
    data = portrait.load_portrait(demo / "portrait.toml", "bassin", "9901")
    assert BASSIN in data.label
    body = "".join(getattr(portrait, name)(data)._repr_html_() for name in SECTIONS)
    page = folder / "portrait_bassin_9901.html"
    page.write_text(portrait_page(body, title=f"Portrait – {data.label}"), encoding="utf-8")
    return {
        "cotraitance": folder / "cotraitance" / "carte_flux.html",
        "formation": folder / "formation" / "carte_flux.html",
        "portrait": page,
    }


def _maps(page) -> list[tuple[str, int]]:
    """(frame title, number of drawn layers) for every Leaflet map of every frame."""
    found = []
    for frame in page.frames:
        counts = frame.eval_on_selector_all(
            ".leaflet-container",
            "maps => maps.map(m => m.querySelectorAll("
            "'.leaflet-interactive, .marker-cluster').length)",
        )
        found += [(frame.name or frame.url[:40], n) for n in counts]
    return found


# Opens the tooltip and the popup of every marker and line, as a hover and a click would.
_TOUCH_ALL = """() => {
  const shown = [];
  for (const el of document.querySelectorAll('.leaflet-interactive')) {
    for (const kind of ['mouseover', 'click']) {
      el.dispatchEvent(new MouseEvent(kind, {bubbles: true, clientX: 10, clientY: 10}));
      for (const box of document.querySelectorAll('.leaflet-tooltip, .leaflet-popup-content')) {
        shown.push([box.textContent, box.querySelectorAll('img, svg, script, iframe').length]);
      }
    }
    el.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
  }
  return shown;
}"""


def _hover_until(page, text: str) -> str:
    """Move the mouse over each marker and line of the page until a tooltip shows ``text``."""
    markers = page.locator(".leaflet-interactive")
    tooltip = ""
    for i in range(min(markers.count(), 80)):
        markers.nth(i).hover(force=True)
        tooltip = " ".join(page.locator(".leaflet-tooltip").all_text_contents())
        if text in tooltip:
            break
    return tooltip


@pytest.mark.parametrize("name", ["cotraitance", "formation", "portrait"])
def test_hostile_names_run_nothing_and_every_map_draws(offline_page, hostile_pages, name):
    offline = offline_page()
    page = offline.page
    dialogs: list[str] = []

    def dialog_opened(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dialog_opened)
    page.goto(hostile_pages[name].as_uri(), wait_until="load")
    for _ in range(60):
        drawn = _maps(page)
        if drawn and all(n > 0 for _, n in drawn):
            break
        page.wait_for_timeout(250)
    assert drawn and all(n > 0 for _, n in drawn), drawn
    if name == "portrait":  # maps in their sandboxed frames: territory, BMO, partners...
        assert len(drawn) >= 5, drawn
        sandboxes = page.eval_on_selector_all("iframe", "fs => fs.map(f => f.sandbox.value)")
        assert sandboxes and set(sandboxes) == {"allow-scripts"}
    if name != "portrait":  # a real hover on the marker whose name carries an <img onerror>
        hovered = {"cotraitance": f"ML {IMG}", "formation": CENTRE}[name]
        assert hovered in _hover_until(page, hovered)
        assert page.locator(".leaflet-tooltip img").count() == 0
        offline.screenshot(f"noms_hostiles_{name}_survol")
    shown = []
    for frame in page.frames:
        shown += frame.evaluate(_TOUCH_ALL)
    page.wait_for_timeout(300)
    offline.screenshot(f"noms_hostiles_{name}")
    texts = " ".join(text for text, _ in shown)
    assert [n for _, n in shown if n] == [], "une balise d'un nom a été interprétée"
    expected = {"cotraitance": [SCRIPT_END, IMG], "formation": [SCRIPT_END, CENTRE],
                "portrait": [SCRIPT_END, IMG]}[name]  # fmt: skip
    for text in expected:
        assert text in texts, f"{text!r} absent des infobulles"
    assert dialogs == []
    assert offline.console_errors == []
    assert offline.blocked == []
