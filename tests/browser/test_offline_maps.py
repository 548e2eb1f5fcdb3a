"""Generated pages opened in Chromium with the network cut: maps drawn, nothing leaves."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from diagnostics import cli
from geo import settings

pytestmark = pytest.mark.browser


def _has_command(name: str) -> bool:
    parser = cli.build_parser()
    return any(
        name in action.choices
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )


def _drawn_paths(page) -> list[int]:
    """Number of SVG paths in the Leaflet overlay pane of every map of every frame."""
    counts = []
    for frame in page.frames:
        counts += frame.eval_on_selector_all(
            ".leaflet-container",
            "maps => maps.map(m => m.querySelectorAll('.leaflet-overlay-pane path').length)",
        )
    return counts


def _open(offline, path: Path):
    """Open ``path``; wait until every map (main page or srcdoc frames) has drawn."""
    page = offline.page
    page.goto(path.as_uri(), wait_until="load")
    for _ in range(60):
        counts = _drawn_paths(page)
        if counts and all(n > 0 for n in counts):
            break
        page.wait_for_timeout(250)
    page.wait_for_timeout(300)  # layers added after the first ones
    return page


def test_demo_bassin_map_offline(offline_page, demo_output):
    tmp_path = demo_output.folder  # `territoire demo`, run once for the session (conftest)
    assert demo_output.code == 0
    bassins = json.loads((tmp_path / "bassins.geojson").read_text(encoding="utf-8"))
    offline = offline_page()
    page = _open(offline, tmp_path / "carte_bassins.html")
    assert _drawn_paths(page) == [len(bassins["features"])] == [10]
    offline.screenshot("carte_bassins_demo")
    assert offline.blocked == []
    assert offline.console_errors == []


@pytest.mark.skipif(
    not _has_command("portrait"),
    reason="commande « territoire portrait » pas encore branchée dans diagnostics/cli.py",
)
@pytest.mark.notebook
def test_portrait_offline(offline_page, tmp_path, capsys):
    config = settings.demo_dir() / "portrait.toml"
    arguments = ["--config", str(config), "--niveau", "bassin", "--code", "9901"]
    code = cli.main(["portrait", *arguments, "--sortie", str(tmp_path)])
    capsys.readouterr()
    assert code == 0
    pages = [p for p in tmp_path.rglob("*.html") if "9901" in p.name]
    assert len(pages) == 1, sorted(p.name for p in tmp_path.rglob("*.html"))
    offline = offline_page()
    page = _open(offline, pages[0])
    counts = _drawn_paths(page)
    assert counts and all(n > 0 for n in counts), counts
    offline.screenshot("portrait_bassin_9901")
    assert offline.blocked == []
    assert offline.console_errors == []
