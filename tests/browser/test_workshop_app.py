"""The workshop app served by Voilà on loopback, driven in Chromium like a facilitator would."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from diagnostics import workshop
from diagnostics.positioning import read_positioning
from geo import settings
from tests.browser.conftest import free_port, loopback_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "atelier_partenaires.ipynb"
_DATA = (
    "communes-*.geojson",
    "commune_bassin_bmo.csv",
    "commune_zone_emploi.csv",
    "commune_clpe.csv",
    "communes_population.json",
    "departements.csv",
    "regions.csv",
    "partenaires.csv",
    "positionnement.csv",
    "partenariats.csv",
    "unites_pole_emploi.csv",
    "flux_partenaires.csv",
    "portrait.toml",
)


@pytest.fixture(scope="module")
def voila_app(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """Voilà serving the workshop notebook on a copy of the demo data: (url, data folder)."""
    pytest.importorskip("voila", reason="Voilà absent : pip install -e '.[workshop]'")
    folder = tmp_path_factory.mktemp("atelier_voila")
    for pattern in _DATA:
        for path in settings.demo_dir().glob(pattern):
            shutil.copy2(path, folder / path.name)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "voila",
        str(NOTEBOOK.relative_to(ROOT)),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
    ]
    with loopback_server(
        command,
        name="Voilà",
        port=port,
        log=tmp_path_factory.mktemp("voila_log") / "voila.log",
        env={**os.environ, workshop.CONFIG_ENV: str(folder / "portrait.toml")},
        cwd=ROOT,
    ):
        yield f"http://127.0.0.1:{port}/", folder


def _dropdown(page, label: str):
    return page.locator(f".widget-dropdown:has(label:text-is({label!r})) select")


def _map_paths(page) -> int:
    return page.frame_locator("iframe.atelier-carte").locator(".leaflet-overlay-pane path").count()


def test_workshop_in_voila(voila_app, offline_page):
    url, folder = voila_app
    offline = offline_page(allow=(url,))
    page = offline.page
    page.goto(url, wait_until="domcontentloaded")
    rows = page.locator("table.atelier-partenaires tr[data-partenaire]")
    rows.first.wait_for(timeout=90_000)
    frame = page.frame_locator("iframe.atelier-carte")
    # any drawn shape: Leaflet empties the paths outside the view (hidden "M0 0")
    frame.locator(".leaflet-overlay-pane path >> visible=true").first.wait_for(timeout=15_000)
    before_rows, before_paths = rows.count(), _map_paths(page)
    mapped = int(page.locator("iframe.atelier-carte").get_attribute("data-partenaires"))
    assert before_rows == mapped > 0
    assert before_paths > mapped  # the communes of the territory, then one circle per site
    # the network of the territory, drawn offline in its own frame
    network = page.locator("iframe.atelier-reseau")
    actors = int(network.get_attribute("data-acteurs"))
    nodes = page.frame_locator("iframe.atelier-reseau").locator("svg circle[data-i]")
    nodes.first.wait_for(timeout=15_000)
    assert nodes.count() == actors > 0
    # no code shown to the facilitator
    assert "partner_workshop(" not in page.inner_text("body")
    assert page.locator(".jp-CodeMirrorEditor").count() == 0

    _dropdown(page, "Domaine").select_option(label="Formation")
    page.wait_for_function(
        "n => document.querySelectorAll('table.atelier-partenaires tr[data-partenaire]').length"
        " !== n",
        arg=before_rows,
        timeout=30_000,
    )
    after_rows = rows.count()
    assert 0 < after_rows < before_rows
    frame.locator(".leaflet-overlay-pane path >> visible=true").first.wait_for(timeout=15_000)
    assert int(page.locator("iframe.atelier-carte").get_attribute("data-partenaires")) == after_rows
    assert _map_paths(page) == before_paths - (before_rows - after_rows)
    assert page.locator("table.atelier-grille th", has_text="Insertion").count() == 0
    offline.screenshot("atelier_voila_formation")

    _dropdown(page, "Partenaire").select_option(index=1)
    chosen = _dropdown(page, "Partenaire").locator("option:checked").inner_text()
    partner = re.search(r"\(([^()]+)\)\s*$", chosen).group(1)  # "Nom (P0042)"
    _dropdown(page, "situation").select_option(label="Reconversion")
    _dropdown(page, "Rôle sur la grille").select_option(label="Contributeur")
    _dropdown(page, "Priorité").select_option(label="Haute")
    # the sandboxed frames above are laid out in their own process, after the page's own
    # layout: bring the button into view first, then check the click took
    develop = page.get_by_role("button", name="Développer")
    develop.scroll_into_view_if_needed()
    develop.click()
    page.locator(".widget-toggle-buttons .mod-active", has_text="Développer").wait_for()
    page.locator(".widget-textarea textarea").fill(
        "Formations courtes pour les salariés en reconversion."
    )
    page.get_by_role("button", name="Enregistrer la décision").click()
    status = page.locator(".atelier-statut-ok, .atelier-statut-erreur")
    status.wait_for(timeout=30_000)
    assert "Décision enregistrée" in status.inner_text(), status.inner_text()

    decisions = pd.read_csv(folder / workshop.DECISIONS_FILE, dtype=str, keep_default_na=False)
    assert decisions[
        ["partenaire_id", "domaine", "situation", "role", "decision"]
    ].values.tolist() == [[partner, "formation", "reconversion", "contributeur", "developper"]]
    assert (
        decisions.at[0, "justification"] == "Formations courtes pour les salariés en reconversion."
    )
    roles = read_positioning(folder / "positionnement.csv")
    cell = roles.query(
        "acteur == @partner and domaine == 'formation' and situation == 'reconversion'"
    )
    assert cell["role"].tolist() == ["contributeur"]
    assert len(list((folder / workshop.BACKUP_FOLDER).glob("positionnement_*.csv"))) == 1
    offline.screenshot("atelier_voila_decision")
    # Voilà's own page template (lab) links Font Awesome from a CDN; the app uses no icon,
    # so these two aborted stylesheets are the only requests allowed to fail.
    assert all("@fortawesome/fontawesome-free" in u for u in offline.blocked), offline.blocked
    errors = [e for e in offline.console_errors if "fontawesome" not in e]
    assert errors == [], errors


@pytest.mark.real_data
def test_workshop_in_voila_on_public_data_only(real_config, offline_page, tmp_path):
    """The real configuration has no partner directory: the app says so and shows the map."""
    pytest.importorskip("voila", reason="Voilà absent : pip install -e '.[workshop]'")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "voila",
        str(NOTEBOOK.relative_to(ROOT)),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
    ]
    url = f"http://127.0.0.1:{port}/"
    before = sorted(p.name for p in real_config.parent.iterdir())
    with loopback_server(
        command,
        name="Voilà",
        port=port,
        log=tmp_path / "voila.log",
        env={**os.environ, workshop.CONFIG_ENV: str(real_config)},
        cwd=ROOT,
    ):
        offline = offline_page(allow=(url,))
        page = offline.page
        page.goto(url, wait_until="domcontentloaded")
        note = page.locator(".atelier-note")
        note.first.wait_for(timeout=120_000)
        assert "Non établi ici" in note.inner_text() and "annuaire" in note.inner_text()
        frame = page.frame_locator("iframe.atelier-carte")
        frame.locator(".leaflet-overlay-pane path >> visible=true").first.wait_for(timeout=15_000)
        assert "agence(s) France Travail" in page.locator(".atelier-resume").inner_text()
        assert page.locator("table.atelier-partenaires").count() == 0
        assert page.get_by_role("button", name="Enregistrer la décision").count() == 0
        assert "Traceback" not in page.inner_text("body")
        offline.screenshot("atelier_voila_donnees_publiques")
        assert all("@fortawesome/fontawesome-free" in u for u in offline.blocked), offline.blocked
        errors = [e for e in offline.console_errors if "fontawesome" not in e]
        assert errors == [], errors
    assert sorted(p.name for p in real_config.parent.iterdir()) == before  # nothing written
