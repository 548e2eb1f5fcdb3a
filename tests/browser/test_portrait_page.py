"""A real bassin portrait opened in Chromium with the network cut, on screen and in print.

Built from the public files of ``../shared/data`` (``real_data``): the bassin of
Nantes, the largest of its région (the heaviest maps). The screenshot of the whole page goes to the
folder named by the environment variable ``ATELIER_CAPTURES`` when it is set,
otherwise to the test's temporary folder (``tmp_path``); it is never committed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from diagnostics import portrait
from diagnostics.portrait.batch import _pdf

pytestmark = [pytest.mark.browser, pytest.mark.real_data, pytest.mark.notebook]

ROOT = Path(__file__).resolve().parents[2]
REAL_CONFIG = ROOT / "tests" / "data" / "portrait_pays_de_la_loire.toml"
#: Goal of issue 16 for a real bassin portrait (bytes).
REAL_PAGE_BYTES = 600_000
REAL_BASSIN = "5220"


@pytest.fixture(scope="module")
def real_portrait(tmp_path_factory) -> Path:
    """The HTML page of the real bassin portrait, built once for the module."""
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"données réelles absentes ({SHARED_DATA}) : test sur fichiers réels ignoré")
    output = tmp_path_factory.mktemp("portrait_reel")
    result = portrait.run_portrait(REAL_CONFIG, "bassin", REAL_BASSIN, output)
    row = result.manifest.iloc[0]
    assert row["statut"] == "produit", row["erreur"]
    return output / row["sortie"]


def _count(frame, selector: str) -> int:
    """Elements of ``selector`` in ``frame``; 0 while the frame loads its rebuilt document."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        return frame.locator(selector).count()
    except PlaywrightError:  # the frame is navigating to its srcdoc, set by the page's script
        return 0


def _map_frames(page) -> list:
    """The frames that hold a Leaflet map (the page itself excluded)."""
    return [f for f in page.frames if f != page.main_frame and _count(f, ".leaflet-container")]


def _open(offline, path: Path):
    """Open ``path``; wait until the deferred frames are rebuilt and every map has drawn."""
    page = offline.page
    page.goto(path.as_uri(), wait_until="load")
    expected = page.locator("iframe.carte").count()
    # every packed frame unpacked and given its document by the page's script
    page.wait_for_function("document.querySelectorAll('iframe[data-srcdoc-gz]').length === 0")
    for _ in range(80):
        frames = _map_frames(page)
        counts = [_count(f, "path.leaflet-interactive") for f in frames]
        if len(frames) == expected and all(n > 0 for n in counts):
            break
        page.wait_for_timeout(250)
    for i in range(expected):  # Chromium paints a frame once it has been in view
        page.locator("iframe.carte").nth(i).scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    return page


def test_real_portrait_offline_maps_drawn(real_portrait, offline_page, tmp_path):
    size = real_portrait.stat().st_size
    assert size <= REAL_PAGE_BYTES, f"{size} octets"
    text = real_portrait.read_text(encoding="utf-8")
    assert portrait.external_resources(text) == []
    assert "Section non établie" not in text
    offline = offline_page()
    page = _open(offline, real_portrait)
    frames = page.locator("iframe.carte")
    assert frames.count() >= 2
    assert page.locator("iframe[data-srcdoc-gz]").count() == 0  # every frame unpacked
    maps = _map_frames(page)
    assert len(maps) == frames.count()
    counts = [_count(f, "path.leaflet-interactive") for f in maps]
    assert all(n > 0 for n in counts), counts
    folder = Path(os.environ.get("ATELIER_CAPTURES") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{real_portrait.stem}.png"
    # The sandboxed frames run in their own processes: Chromium paints those beyond the
    # viewport blank in a full-page screenshot, so the viewport is made as tall as the page.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1280, "height": height})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert offline.blocked == []
    assert offline.console_errors == []


def test_real_portrait_print_hides_controls_and_hints(real_portrait, offline_page):
    offline = offline_page()
    page = _open(offline, real_portrait)
    hints = page.locator("p.indice")
    assert hints.count() >= 1 and hints.first.is_visible()
    zooms = [f.locator(".leaflet-control-zoom") for f in _map_frames(page)]
    assert zooms and all(z.count() == 1 and z.is_visible() for z in zooms)
    page.emulate_media(media="print")
    assert not any(hints.nth(i).is_visible() for i in range(hints.count()))
    assert not any(z.is_visible() for z in zooms)
    layers = [f.locator(".leaflet-control-layers") for f in _map_frames(page)]
    assert not any(c.count() and c.first.is_visible() for c in layers)
    assert offline.console_errors == []


def test_real_portrait_pdf_is_a4(real_portrait, chromium, tmp_path):
    pdf = tmp_path / "portrait.pdf"
    assert _pdf(real_portrait, pdf) is None
    boxes = _media_boxes(pdf.read_bytes())
    assert boxes, "aucune MediaBox dans le PDF"
    assert all(box == pytest.approx((595.3, 841.9), abs=1.5) for box in boxes), boxes


def _media_boxes(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every ``/MediaBox`` of a PDF (read from its bytes)."""
    found = re.findall(
        rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", data
    )
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in found]
