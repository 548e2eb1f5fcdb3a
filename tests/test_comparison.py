"""Comparing territories: key figures, ranks, specialisation, comparable bassins (demo values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diagnostics import comparison as cmp
from diagnostics import portrait
from diagnostics.bmo import bmo_specialisation
from geo import settings
from geo._errors import SchemaError

NNBSP = "\u202f"


@pytest.fixture(scope="module")
def lieu():
    return portrait.load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901")


@pytest.fixture(scope="module")
def inputs(lieu):
    return {
        "communes": lieu.inputs.commune_table(),
        "bmo": lieu.bmo(),
        "jobseekers": lieu.inputs.get("demandeurs.fichier"),
    }


@pytest.fixture(scope="module")
def table(lieu, inputs):
    return cmp.territory_comparison(lieu.territory, **inputs)


def test_comparison_table_of_a_demo_bassin(table):
    assert table["zone"].tolist() == ["territoire", "departement", "region", "france"]
    assert table["code"].tolist() == ["9901", "9A", "99", "FR"]
    assert table["population"].tolist()[:3] == [154528, 290567, 800000]
    assert table["projets"].tolist()[:3] == [460.0, 1940.0, 5809.0]
    assert table["projets_max"].tolist()[:3] == [460.0, 1956.0, 5861.0]
    assert [round(float(v), 4) for v in table["part_difficiles"][:3]] == [0.5196, 0.5546, 0.5626]
    assert [round(float(v), 4) for v in table["part_difficiles_max"][:3]] == [0.5717, 0.591, 0.5883]
    assert [round(float(v), 2) for v in table["demandeurs"][:3]] == [11304.46, 21130.0, 60160.0]
    assert table["demandeurs_estimation"].tolist()[:3] == [True, False, False]
    assert [round(float(v), 4) for v in table["evolution_12_mois_pct"][:3]] == [
        0.0409,
        0.0378,
        0.0381,
    ]
    assert [round(float(v), 2) for v in table["projets_pour_100_demandeurs"][:3]] == [
        4.21,
        9.48,
        9.98,
    ]
    assert table["annee_bmo"].tolist()[:3] == [2024, 2024, 2024]


def test_france_is_not_a_copy_of_the_only_region(table):
    france = table.iloc[3]
    assert pd.isna(france["projets"]) and pd.isna(france["population"])
    assert pd.isna(france["demandeurs"])
    assert france["remarque"] == (
        "France non disponible : la table des communes ne couvre que la région 99 ; le fichier "
        "BMO ne couvre que la région 99 ; la série des demandeurs ne couvre que la région 99."
    )


def _two_regions(inputs):
    """The demo twice: région 99 and a copy as région 98 (bassins 98xx, départements 8x)."""
    bmo = inputs["bmo"]
    twin = bmo.assign(
        region="98",
        bassin=bmo["bassin"].str.replace("99", "98", n=1),
        departement=bmo["departement"].str.replace("9", "8", n=1),
    )
    communes = inputs["communes"]
    twin_c = communes.assign(
        commune=communes["commune"].str.replace("9", "8", n=1),
        region="98",
        departement=communes["departement"].str.replace("9", "8", n=1),
        bassin=communes["bassin"].str.replace("99", "98", n=1),
    )
    return pd.concat([bmo, twin], ignore_index=True), pd.concat([communes, twin_c])


def test_france_sums_every_region_when_files_cover_several(inputs):
    bmo, communes = _two_regions(inputs)
    france = cmp.key_figures("france", communes=communes, bmo=bmo).iloc[0]
    region = cmp.key_figures("region", communes=communes, bmo=bmo, codes=["99"]).iloc[0]
    assert france["projets"] == 2 * region["projets"] == 11618.0
    assert france["population"] == 2 * region["population"] == 1_600_000
    assert float(france["part_difficiles"]) == pytest.approx(float(region["part_difficiles"]))
    assert pd.isna(france["remarque"])


def test_departement_and_region_figures_are_the_published_ones(inputs):
    js = inputs["jobseekers"]
    deps = cmp.key_figures("departement", **inputs)
    assert deps[["code", "population", "demandeurs", "projets"]].values.tolist() == [
        ["9A", 290567, 21130.0, 1940.0],
        ["9B", 239153, 18600.0, 1658.0],
        ["9C", 270280, 20430.0, 2211.0],
    ]
    last = js[(js["niveau"] == "departement") & (js["mois"] == js["mois"].max())]
    assert dict(zip(last["code"], last["demandeurs"].astype(float), strict=True)) == dict(
        zip(deps["code"], deps["demandeurs"], strict=True)
    )
    rows = inputs["bmo"][inputs["bmo"]["annee"] == 2024]
    assert (
        rows.groupby("departement")["projets"].sum().astype(float).tolist()
        == deps["projets"].tolist()
    )


def test_ranks_among_the_bassins_of_the_region(table, inputs):
    codes = cmp.peer_codes("bassin", "99", communes=inputs["communes"], bmo=inputs["bmo"])
    assert codes == [f"99{i:02d}" for i in range(1, 11)]
    peers = cmp.key_figures("bassin", codes=codes, **inputs)
    ranks = cmp.territory_ranks(peers, table.iloc[0], region="99")
    assert dict(zip(ranks["indicateur"], ranks["texte"], strict=True)) == {
        "population": "3e bassin sur 10",
        "demandeurs": "3e bassin sur 10",
        "evolution_12_mois_pct": "2e bassin sur 10",
        "projets": "7e bassin sur 10",
        "part_difficiles": "8e bassin sur 10",
        "part_saisonniers": "10e bassin sur 10",
        "projets_pour_100_demandeurs": "9e bassin sur 10",
    }
    # the rank of the projects, by hand
    projects = inputs["bmo"][inputs["bmo"]["annee"] == 2024].groupby("bassin")["projets"].sum()
    assert int((projects > projects["9901"]).sum()) + 1 == 7


def test_ties_share_the_best_rank_and_missing_values_are_not_counted():
    peers = pd.DataFrame(
        {
            "niveau": "zone_emploi",
            "code": list("abcde"),
            "part_difficiles": [0.5, 1 / 3, 2 / 6, None, 0.2],
            "projets": [1.0, None, None, None, None],
        }
    )
    me = peers.iloc[2]
    ranks = cmp.territory_ranks(peers, me)
    assert ranks[["indicateur", "rang", "nb_territoires", "ex_aequo", "texte"]].values.tolist() == [
        ["part_difficiles", 2, 4, True, "2e zone d'emploi ex aequo sur 4"]
    ]  # projets: the territory has no value, not ranked


def test_specialisation_by_family_against_the_region(lieu, inputs):
    spec = cmp.family_specialisation(lieu.bmo_local(), inputs["bmo"])
    rows = inputs["bmo"][inputs["bmo"]["annee"] == 2024]
    mine = rows[rows["bassin"] == "9901"].groupby("famille")["projets"].sum()
    region = rows.groupby("famille")["projets"].sum()
    expected = (mine / mine.sum()) / (region / region.sum())
    got = spec.set_index("famille")["quotient_region"].astype(float)
    assert got.round(6).to_dict() == expected.astype(float).reindex(got.index).round(6).to_dict()
    assert spec["famille"].tolist() == ["V", "Z", "S", "A", "I", "O", "T"]
    reference = bmo_specialisation(
        lieu.bmo_local()[lambda t: t["annee"] == 2024], rows, by="famille"
    )
    assert reference.set_index("famille")["quotient_region"].astype(float).round(12).to_dict() == (
        got.round(12).to_dict()
    )
    assert spec["quotient_national"].isna().all()
    assert (
        spec.attrs["remarque"]
        == "France non disponible : le fichier BMO ne couvre que la région 99."
    )


def test_comparable_bassins_with_their_distance(inputs):
    profiles = cmp.recruitment_profiles(inputs["bmo"], communes=inputs["communes"])
    close = cmp.comparable_territories(profiles, "9901")
    assert close["code"].tolist() == ["9902", "9906", "9908", "9904", "9907"]
    assert close["distance"].round(4).tolist() == [0.033, 0.0422, 0.0554, 0.0566, 0.0569]
    assert close["rang"].tolist() == [1, 2, 3, 4, 5]
    assert close["population"].tolist() == [52425, 42816, 169703, 34868, 38594]
    # the distance, by hand: family shares of the published projects and the size gap
    rows = inputs["bmo"][inputs["bmo"]["annee"] == 2024]
    by = rows.groupby(["bassin", "famille"])["projets"].sum().astype(float).unstack(fill_value=0)
    shares = by.div(by.sum(axis=1), axis=0)
    size = by.sum(axis=1)
    profile = np.sqrt(((shares - shares.loc["9901"]) ** 2).sum(axis=1))
    distance = profile + 0.1 * np.abs(np.log10(size / size["9901"]))
    expected = distance.drop("9901").sort_values().head(5)
    assert expected.index.tolist() == close["code"].tolist()
    assert expected.round(10).tolist() == close["distance"].round(10).tolist()


def test_comparable_bassins_of_a_territory_the_bmo_file_does_not_carry(inputs):
    lieu = portrait.load_territory(settings.demo_dir() / "portrait.toml", "zone_emploi", "9905")
    profiles = cmp.recruitment_profiles(inputs["bmo"], communes=inputs["communes"])
    own = cmp.recruitment_profiles(lieu.bmo_local(), by="territoire_code")
    close = cmp.comparable_territories(profiles, own)
    assert len(close) == 5 and close["code"].str.startswith("99").all()
    with pytest.raises(SchemaError, match="absent des profils"):
        cmp.comparable_territories(profiles, "1234")


def test_sentences_of_the_demo_bassin(table, inputs, lieu):
    peers = cmp.key_figures(
        "bassin", codes=cmp.peer_codes("bassin", "99", **{k: inputs[k] for k in ("communes", "bmo")}),
        **inputs,
    )  # fmt: skip
    ranks = cmp.territory_ranks(peers, table.iloc[0])
    spec = cmp.family_specialisation(lieu.bmo_local(), inputs["bmo"])
    sentences = cmp.comparison_sentences(table, ranks=ranks, specialisation=spec)
    assert [s.replace(NNBSP, " ") for s in sentences] == [
        "154 528 habitants, 19 % de la population de la région ; 3e bassin sur 10.",
        "11 304 demandeurs d'emploi en décembre 2024 (estimation), +4,1 % en un an "
        "(région : +3,8 %).",
        "460 projets de recrutement en 2024, 4 pour 100 demandeurs d'emploi, moins que la "
        "région (10) ; 7e bassin sur 10.",
        "Entre 52 % et 57 % des projets jugés difficiles ; 8e bassin sur 10.",
        "Entre 32 % et 44 % de projets saisonniers ; 10e bassin sur 10.",
    ]


def _row(zone, **values):
    return {"zone": zone, **values}


def test_sentences_compare_at_the_precision_shown_and_skip_missing_figures():
    table = pd.DataFrame(
        [
            _row("territoire", part_difficiles=0.61, part_difficiles_min=0.608,
                 part_difficiles_max=0.612, part_saisonniers=None, part_saisonniers_min=0.0,
                 part_saisonniers_max=1.0),
            _row("region", part_difficiles=0.594, part_saisonniers=0.33),
            _row("france", part_difficiles=0.63, part_saisonniers=0.30),
        ]
    )  # fmt: skip
    sentences = [s.replace(NNBSP, " ") for s in cmp.comparison_sentences(table)]
    assert sentences == [
        "61 % des projets jugés difficiles, plus que la région (59 %) mais moins que la "
        "France (63 %)."
    ]  # no population, no job seekers, no projects, a fully masked seasonal share: no sentence
    table.loc[0, ["part_difficiles", "part_difficiles_min", "part_difficiles_max"]] = [
        0.594,
        0.594,
        0.594,
    ]
    table.loc[2, "part_difficiles"] = None
    assert cmp.comparison_sentences(table)[0].replace(NNBSP, " ") == (
        "59 % des projets jugés difficiles, comme la région (59 %)."
    )


def test_sentences_write_masked_shares_with_bounds():
    table = pd.DataFrame(
        [
            _row("territoire", part_saisonniers=None, part_saisonniers_min=0.0,
                 part_saisonniers_max=0.041),
            _row("region", part_saisonniers=0.33),
        ]
    )  # fmt: skip
    assert cmp.comparison_sentences(table)[0].replace(NNBSP, " ") == (
        "Au plus 4 % de projets saisonniers, moins que la région (33 %)."
    )
