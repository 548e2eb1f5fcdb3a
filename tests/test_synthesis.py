"""The synthesis and comparison sections of the portrait (demo values, and the real Nantes bassin)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from diagnostics import portrait
from diagnostics.comparison import rank_text
from geo.display import format_percent

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "data" / "demo" / "portrait.toml"
REAL_CONFIG = ROOT / "tests" / "data" / "portrait_pays_de_la_loire.toml"
NNBSP = "\u202f"


def _plain(text: str) -> str:
    return text.replace(NNBSP, " ")


@pytest.fixture(scope="module")
def demo():
    return portrait.load_portrait(DEMO_CONFIG, "bassin", "9901")


def _tiles(section: portrait.Section) -> list[str]:
    page = section._repr_html_()
    return [
        html.unescape(re.sub(r"<[^>]+>", " | ", tile))
        for tile in re.findall(r'<div class="tuile">(.*?)</div>', page, flags=re.S)
    ]


def test_synthesis_of_a_demo_bassin(demo):
    section = portrait.section_synthesis(demo)
    assert section.status == "produite"
    assert [_plain(line) for line in repr(section).splitlines()[1:]] == [
        "- 154 528 habitants, 19 % de la population de la région ; 3e bassin sur 10.",
        "- 11 304 demandeurs d'emploi en décembre 2024 (estimation), +4,1 % en un an "
        "(région : +3,8 %).",
        "- 460 projets de recrutement en 2024, 4 pour 100 demandeurs d'emploi, moins que la "
        "région (10) ; 7e bassin sur 10.",
        "- Entre 52 % et 57 % des projets jugés difficiles ; 8e bassin sur 10.",
        "- Entre 32 % et 44 % de projets saisonniers ; 10e bassin sur 10.",
        "Note : France non disponible : la table des communes ne couvre que la région 99 ; le "
        "fichier BMO ne couvre que la région 99 ; la série des demandeurs ne couvre que la "
        "région 99.",
    ]
    tiles = [_plain(t) for t in _tiles(section)]
    assert [t.split(" | ")[1] for t in tiles] == [
        "Population",
        "Demandeurs d'emploi, décembre 2024 (estimation)",
        "Projets de recrutement 2024",
        "Projets jugés difficiles 2024",
        "Projets saisonniers 2024",
        "Agences France Travail",
        "Partenaires",
    ]
    assert "+39,8 % depuis 2023" in tiles[2]  # two vintages: the change from the previous one
    assert "-1,2 pt depuis 2023" in tiles[3] and "Région : 56,3 %" in tiles[3]
    assert section.facts["rangs"]["part_difficiles"] == "8/10"
    assert demo.facts["rang_part_difficiles"] == "8/10"


def test_single_vintage_says_so():
    data = portrait.load_portrait(DEMO_CONFIG, "bassin", "9902", years=2024)
    tiles = [_plain(t) for t in _tiles(portrait.section_synthesis(data))]
    assert "un seul millésime (2024)" in tiles[2] and "un seul millésime (2024)" in tiles[3]


def test_synthesis_without_bmo_nor_job_seekers_writes_no_blank():
    data = portrait.load_portrait(
        DEMO_CONFIG, "bassin", "9903", files={"bmo.fichiers": None, "demandeurs.fichier": None}
    )
    section = portrait.section_synthesis(data)
    lines = [_plain(line) for line in repr(section).splitlines()]
    assert lines[1] == "- 48 746 habitants, 6 % de la population de la région ; 6e bassin sur 10."
    assert not any("projets" in line or "demandeurs" in line for line in lines)
    assert [t.split(" | ")[1] for t in _tiles(section)] == [
        "Population",
        "Agences France Travail",
        "Partenaires",
    ]


def test_comparisons_of_a_demo_bassin(demo):
    section = portrait.section_comparisons(demo)
    assert section.status == "produite"
    assert section.tables["comparaison"]["zone"].tolist() == [
        "territoire",
        "departement",
        "region",
        "france",
    ]
    assert section.tables["comparables"]["code"].tolist() == [
        "9902",
        "9906",
        "9908",
        "9904",
        "9907",
    ]
    assert section.tables["rangs"]["texte"].tolist()[:2] == ["3e bassin sur 10", "3e bassin sur 10"]
    assert "Indice / région" in section._repr_html_()
    assert demo.facts["comparables"] == ["9902", "9906", "9908", "9904", "9907"]


def test_region_and_departement_levels():
    region = portrait.load_portrait(DEMO_CONFIG, "region", "99")
    section = portrait.section_comparisons(region)
    assert section.tables["comparaison"]["zone"].tolist() == ["territoire", "france"]
    assert section.tables["rangs"].empty  # one région in the files: no rank « sur 1 »
    assert portrait.section_synthesis(region).status == "produite"
    dep = portrait.load_portrait(DEMO_CONFIG, "departement", "9B")
    section = portrait.section_comparisons(dep)
    assert section.tables["comparaison"]["zone"].tolist() == ["territoire", "region", "france"]
    assert section.tables["rangs"]["texte"].tolist()[0] == "3e département sur 3"
    assert section.tables["comparables"]["code"].tolist() == ["9C", "9A"]


def test_national_figures_are_computed_once_per_configuration(demo):
    portrait.section_synthesis(demo)
    other = portrait.load_portrait(DEMO_CONFIG, "bassin", "9905")
    assert other.inputs is demo.inputs
    before = demo.inputs.derived(("comparaison", "references", 2024, True))
    assert before is not None
    portrait.section_comparisons(other)
    assert other.inputs.derived(("comparaison", "references", 2024, True)) is before
    assert other.inputs.derived(("comparaison", "profils", "bassin", 2024)) is not None


# --------------------------------------------------------------------------- real files


@pytest.mark.real_data
def test_nantes_against_its_region_and_france_from_the_bmo_file(shared_data):
    data = portrait.load_portrait(REAL_CONFIG, "bassin", "5220")
    synthesis = portrait.section_synthesis(data)
    section = portrait.section_comparisons(data)
    table = section.tables["comparaison"].set_index("zone")
    bmo = data.bmo()
    rows = bmo[bmo["annee"] == bmo["annee"].max()]
    (region,) = rows.loc[rows["bassin"] == "5220", "region"].unique()

    def share(part):  # published difficult / published projects, as the library does
        return float(part["projets_difficiles"].sum()) / float(part["projets"].sum())

    expected = {
        "territoire": share(rows[rows["bassin"] == "5220"]),
        "region": share(rows[rows["region"] == region]),
        "france": share(rows),
    }
    for zone, value in expected.items():
        assert float(table.loc[zone, "part_difficiles"]) == pytest.approx(value, abs=1e-12)
    text = repr(synthesis)
    for zone in ("region", "france"):
        assert format_percent(expected[zone], 0) in text
    # rank among the bassins of the région in the file
    bassins = rows[rows["region"] == region]
    by_bassin = bassins.groupby("bassin").apply(share, include_groups=False)
    rank = int((by_bassin.round(9) > round(expected["territoire"], 9)).sum()) + 1
    ranks = section.tables["rangs"].set_index("indicateur")
    assert ranks.loc["part_difficiles", "nb_territoires"] == bassins["bassin"].nunique()
    assert ranks.loc["part_difficiles", "texte"] == rank_text(rank, len(by_bassin), "bassin")
    assert ranks.loc["part_difficiles", "texte"] in text
    comparables = section.tables["comparables"]
    assert len(comparables) == 5 and "5220" not in set(comparables["code"])
    assert set(comparables["code"]) <= set(rows["bassin"])
    assert comparables["distance"].is_monotonic_increasing


def test_commune_level_small_share_and_no_comparable_bassins():
    data = portrait.load_portrait(DEMO_CONFIG, "commune", "9A003")
    lines = [_plain(line) for line in repr(portrait.section_synthesis(data)).splitlines()]
    assert (
        lines[1] == "- 1 317 habitants, 0,2 % de la population de la région ; 153e commune sur 300."
    )
    assert "comparables" not in portrait.section_comparisons(data).tables
