"""Hostile inputs for the France Travail sites reader (issue 15).

Each case spoils one line of the demonstration sites file (coordinates outside
France, swapped, a postal code of another département, an unknown site type),
reads it with the demo commune polygons and asserts what was kept, the problem
reported and that its message names the file, the line and a fix.
"""

from __future__ import annotations

import pytest

from diagnostics._readers.sites import read_france_travail_sites
from geo import settings
from geo.referentials import read_commune_polygons

from .conftest import assert_actionable

DEMO = settings.demo_dir()
SITES = DEMO / "partenaires" / "pole_emploi_agencies.csv"


@pytest.fixture(scope="module")
def polygons():
    return read_commune_polygons(sorted(DEMO.glob("communes-*.geojson")))


def _spoil(tmp_path, line: int, old: str, new: str):
    lines = SITES.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new)
    path = tmp_path / SITES.name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "category", "action", "kept"),
    [
        ('"46,27114","-9,52927"', '"12,5","80,1"', "coordonnees_hors_zone", "écartée", 13),
        ('"46,27114","-9,52927"', '"-9,52927","46,27114"', "coordonnees_inversees", "corrigée", 14),
        (",99101,VEGICOURT", ",44300,VEGICOURT", "code_postal_discordant", "écartée", 13),
        (",ALE,", ",AGENCE,", "valeur_inconnue", "écartée", 13),
    ],
)
def test_bad_site_reported_rest_used(tmp_path, polygons, old, new, category, action, kept):
    path = _spoil(tmp_path, 6, old, new)
    sites = read_france_travail_sites(path, communes=polygons)
    assert len(sites) == kept
    (problem,) = sites.attrs["problemes"]
    assert (problem.line, problem.category, problem.action) == (6, category, action)
    assert_actionable(str(problem), file=path.name)
