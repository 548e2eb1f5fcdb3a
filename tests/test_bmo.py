"""Tests of diagnostics.bmo (pure diagnostics), the ``territoire bmo`` command and the
demonstration BMO files.

The small tidy tables are built in code; expected values are computed by hand in
the comments. Tests marked ``real_data`` read ``../shared/data``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import matplotlib
import pandas as pd
import pytest
import python_calamine
from shapely import box

import diagnostics as dg
from diagnostics.cli import main
from geo._errors import CRSError, SchemaError, UnknownTerritoryError
from geo.display import format_int

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]

# metier, famille, bassin, departement, region, projets, difficiles, saisonniers
# (None = masked "*" cell). Bassin 0003 straddles départements 02 and 03.
SMALL = [
    ("A0X40", "Z", "0001", "01", "11", 10, 6, None),
    ("B0X30", "O", "0001", "01", "11", None, None, None),
    ("A0X40", "Z", "0002", "01", "11", 20, None, 5),
    ("A0X40", "Z", "0003", "02", "22", 8, 8, None),
    ("A0X40", "Z", "0003", "03", "22", 5, None, None),
]
NAMES = {"A0X40": "Agriculteurs", "B0X30": "Ouvriers des travaux publics"}


def tidy(rows=SMALL, *, year: int = 2024) -> pd.DataFrame:
    """A tidy BMO table as read_bmo returns it (FAP2009 codes before 2024)."""
    nomenclature = "FAP2021" if year >= 2024 else "FAP2009"
    records = []
    for metier, famille, bassin, dep, reg, p, d, s in rows:
        if year < 2024:
            metier = metier[:2] + "Z" + metier[3:]
        records.append(
            {
                "annee": year,
                "metier": metier,
                "metier_nom": NAMES.get(metier.replace("Z", "X", 1), metier),
                "nomenclature": nomenclature,
                "famille": famille,
                "famille_nom": {"Z": "Autres métiers", "O": "Ouvriers du bâtiment"}[famille],
                "region": reg,
                "region_nom": f"Région {reg}",
                "departement": dep,
                "departement_nom": f"Département {dep}",
                "bassin": bassin,
                "bassin_nom": f"Bassin {bassin}",
                "clpe": None,
                "projets": p,
                "projets_difficiles": d,
                "projets_saisonniers": s,
                "projets_secret": p is None,
                "difficiles_secret": d is None,
                "saisonniers_secret": s is None,
            }
        )
    df = pd.DataFrame(records)
    for column in df.columns:
        if column.startswith("projets") and not column.endswith("secret"):
            df[column] = df[column].astype("Int64")
        elif df[column].dtype != bool and column != "annee":
            df[column] = df[column].astype("string")
    return df


COMMUNES = pd.DataFrame(
    {
        "commune": ["01001", "01002", "01003", "02001", "03001"],
        "bassin": ["0001", "0001", "0002", "0003", "0003"],
        "departement": ["01", "01", "01", "02", "03"],
        "population": [300, 100, 50, 100, 100],
    }
)


@pytest.fixture(scope="module")
def demo_2024() -> Path:
    return ROOT / "data" / "demo" / "bmo" / "Base_open_data_BMO_2024.xlsx"


@pytest.fixture(scope="module")
def demo_bmo(demo_2024) -> pd.DataFrame:
    return dg.read_bmo(demo_2024, cache=False)


# --------------------------------------------------------------------------- totals


def test_totals_from_unmasked_cells_with_secret_counts_and_bounds():
    row = dg.recruitment_summary(tidy()).iloc[0]
    # Unmasked cells only: 10 + 20 + 8 + 5 projects, 6 + 8 difficult, 5 seasonal.
    assert (row["projets"], row["projets_difficiles"], row["projets_saisonniers"]) == (43, 14, 5)
    assert row["part_difficiles"] == pytest.approx(14 / 43)
    assert row["part_saisonniers"] == pytest.approx(5 / 43)
    # Masked cells: 1 projects, 3 difficult, 4 seasonal.
    assert (
        row["cellules_secretes_projets"],
        row["cellules_secretes_difficiles"],
        row["cellules_secretes_saisonniers"],
        row["cellules_secretes"],
    ) == (1, 3, 4, 8)
    # A masked cell holds 0..4 and never exceeds the projects of its row.
    assert (row["projets_min"], row["projets_max"]) == (43, 47)
    assert (row["projets_difficiles_min"], row["projets_difficiles_max"]) == (14, 26)
    assert (row["projets_saisonniers_min"], row["projets_saisonniers_max"]) == (5, 21)
    assert row["part_difficiles_min"] == pytest.approx(14 / 47)
    assert row["part_difficiles_max"] == pytest.approx(26 / 47)
    assert row["part_saisonniers_max"] == pytest.approx(21 / 47)
    assert row["nb_bassins"] == 3 and row["nb_lignes"] == 5
    assert str(dg.recruitment_summary(tidy())["projets"].dtype) == "Int64"
    assert row["allocation"].startswith("aucune")


def test_summary_by_level():
    by_region = dg.recruitment_summary(tidy(), by="region")
    assert by_region["region"].tolist() == ["11", "22"]
    assert by_region["region_nom"].tolist() == ["Région 11", "Région 22"]
    assert by_region["projets"].tolist() == [30, 13]
    assert by_region["nb_bassins"].tolist() == [2, 1]
    by_dep = dg.recruitment_summary(tidy(), by="departement")
    assert by_dep.set_index("departement")["projets"].to_dict() == {"01": 30, "02": 8, "03": 5}
    by_bassin = dg.recruitment_summary(tidy(), by="bassin")
    assert by_bassin.set_index("bassin")["nb_lignes"].to_dict() == {"0001": 2, "0002": 1, "0003": 2}


def test_vintages_are_never_added_up():
    both = pd.concat([tidy(year=2023), tidy()], ignore_index=True)
    summary = dg.recruitment_summary(both)
    assert summary["annee"].tolist() == [2023, 2024]
    assert summary["projets"].tolist() == [43, 43]


def test_same_vintage_twice_is_refused():
    with pytest.raises(SchemaError, match="chargé deux fois"):
        dg.recruitment_summary(pd.concat([tidy(), tidy()]))


def test_not_a_bmo_table():
    with pytest.raises(SchemaError, match="projets_difficiles.*read_bmo"):
        dg.recruitment_summary(tidy().drop(columns="projets_difficiles"))


# --------------------------------------------------------------------------- territories


def test_direct_levels_use_the_file_columns_without_allocation():
    bassin = SimpleNamespace(level="bassin", code="3", name="Trois", communes=())
    row = dg.bmo_tension(tidy(), bassin).iloc[0]
    assert row["territoire_code"] == "0003"  # normalised
    assert (row["projets"], row["nb_lignes"]) == (13, 2)
    assert row["allocation"] == "aucune : lignes du fichier BMO de bassin d'emploi 0003"
    dep = SimpleNamespace(level="departement", code="2", name="Deux", communes=())
    assert dg.bmo_tension(tidy(), dep).iloc[0]["projets"] == 8  # only its part of bassin 0003
    reg = SimpleNamespace(level="region", code="11", name="Onze", communes=())
    assert dg.bmo_tension(tidy(), reg).iloc[0]["nb_bassins"] == 2


def test_unknown_code_suggests_close_codes():
    bassin = SimpleNamespace(level="bassin", code="0009", name="?", communes=())
    with pytest.raises(UnknownTerritoryError, match="aucun bassin d'emploi 0009") as error:
        dg.bmo_for_territory(tidy(), bassin)
    assert "0001" in error.value.suggestions


def test_population_share_allocation():
    local = dg.bmo_for_territory(tidy(), ["01002", "01003"], communes=COMMUNES)
    weights = local.groupby("bassin")["poids"].first().to_dict()
    assert weights == {"0001": pytest.approx(0.25), "0002": 1.0}  # 100 / 400, 50 / 50
    row = dg.recruitment_summary(local, by="territoire_code").iloc[0]
    assert row["projets"] == pytest.approx(0.25 * 10 + 20)
    assert row["projets_max"] == pytest.approx(0.25 * (10 + 4) + 20)
    assert row["part_difficiles"] == pytest.approx(0.25 * 6 / 22.5)
    assert row["cellules_secretes_projets"] == 1  # the masked row of bassin 0001
    assert "prorata de la population" in row["allocation"]
    assert row["territoire_niveau"] == "projet"


def test_split_bassin_is_allocated_by_departement_part():
    local = dg.bmo_for_territory(tidy(), ["02001"], communes=COMMUNES)
    assert local["departement"].tolist() == ["02"]
    assert dg.recruitment_summary(local).iloc[0]["projets"] == 8
    assert "partie départementale" in local["allocation"].iloc[0]


def test_split_bassin_with_communes_outside_the_file_parts_uses_the_whole_bassin():
    communes = pd.concat(
        [COMMUNES, pd.DataFrame({"commune": ["04001"], "bassin": ["0003"], "departement": ["04"], "population": [200]})],
        ignore_index=True,
    )  # fmt: skip
    local = dg.bmo_for_territory(tidy(), ["04001"], communes=communes)
    assert local["poids"].tolist() == [0.5, 0.5]  # 200 / 400 for both parts


def test_commune_share_when_populations_are_missing():
    local = dg.bmo_for_territory(tidy(), ["01002"], communes=COMMUNES.drop(columns="population"))
    assert local["poids"].unique().tolist() == [0.5]
    assert "nombre de communes" in local["allocation"].iloc[0]
    assert "populations absentes" in local["allocation"].iloc[0]
    partial = COMMUNES.astype({"population": "Int64"})
    partial.loc[0, "population"] = pd.NA
    local = dg.bmo_for_territory(tidy(), ["01002"], communes=partial)
    assert "populations incomplètes" in local["allocation"].iloc[0]


def test_territory_object_and_unmatched_communes():
    from geo.territories import Territory

    zone = Territory(
        level="zone_emploi", code="0042", name="Zone", communes=("01002", "99999", "1003")
    )
    result = dg.bmo_tension(tidy(), zone, communes=COMMUNES).iloc[0]
    assert result["territoire_niveau"] == "zone_emploi" and result["territoire_nom"] == "Zone"
    assert result["communes_non_rattachees"] == 1  # 99999 ("1003" is 01003)
    assert result["projets"] == pytest.approx(0.25 * 10 + 20)
    local = dg.bmo_for_territory(tidy(), zone, communes=COMMUNES)
    assert local.attrs["territoire"]["communes_non_rattachees"] == ["99999"]


def test_territory_errors():
    with pytest.raises(UnknownTerritoryError, match="aucune des 2 commune"):
        dg.bmo_for_territory(tidy(), ["99998", "99999"], communes=COMMUNES)
    zone = SimpleNamespace(level="zone_emploi", code="0042", name="Zone", communes=("01002",))
    with pytest.raises(SchemaError, match="donnez la table des communes"):
        dg.bmo_for_territory(tidy(), zone)
    with pytest.raises(SchemaError, match="colonne bassin"):
        dg.bmo_for_territory(tidy(), ["01002"], communes=COMMUNES.drop(columns="bassin"))
    with pytest.raises(TypeError, match="liste de codes commune"):
        dg.bmo_for_territory(tidy(), "0001")


def test_inputs_are_not_modified():
    bmo, communes = tidy(), COMMUNES.copy()
    dg.bmo_tension(bmo, ["01002"], communes=communes)
    dg.metier_ranking(bmo)
    pd.testing.assert_frame_equal(bmo, tidy())
    pd.testing.assert_frame_equal(communes, COMMUNES)


def test_demo_zone_emploi_through_the_commune_table(demo_bmo, demo_dir):
    from geo import referentials, territories

    population = referentials.read_communes_population(demo_dir / "communes_population.json")
    table = territories.commune_table(
        population,
        bassin=referentials.read_commune_bassin(demo_dir / "commune_bassin_bmo.csv"),
        zone_emploi=referentials.read_commune_zone_emploi(demo_dir / "commune_zone_emploi.csv"),
    )
    zones = sorted(table["zone_emploi"].dropna().unique())
    results = pd.concat(
        [dg.bmo_tension(demo_bmo, territories.territory(table, "zone_emploi", z), communes=table) for z in zones]
    )  # fmt: skip
    assert results["allocation"].str.contains("population").all()
    # The zones d'emploi partition the territory: their allocated totals add up to it.
    total = dg.recruitment_summary(demo_bmo).iloc[0]
    assert results["projets"].sum() == pytest.approx(float(total["projets"]))
    assert results["projets_max"].sum() == pytest.approx(float(total["projets_max"]))


# --------------------------------------------------------------------------- métiers


def test_metier_ranking_and_threshold():
    ranking = dg.metier_ranking(tidy())
    assert ranking["metier"].tolist() == ["A0X40", "B0X30"]
    assert ranking["rang"].tolist() == [1, 2]
    # B0X30's only cell is masked: its projects are unknown, never 0
    assert ranking["part_des_projets"].tolist()[0] == 1.0
    assert ranking["part_des_projets"].isna().tolist() == [False, True]
    assert dg.metier_ranking(tidy(), min_projets=1)["metier"].tolist() == ["A0X40"]
    with pytest.raises(SchemaError, match="critère 'tension' inconnu"):
        dg.metier_ranking(tidy(), by="tension")


def test_top_tension_metiers(demo_bmo):
    top = dg.top_tension_metiers(demo_bmo, n=5, min_projets=100)
    assert len(top) == 5
    assert (top["projets"] >= 100).all()
    assert top["projets_difficiles"].is_monotonic_decreasing
    every = dg.metier_ranking(demo_bmo, min_projets=100)
    territory = dg.recruitment_summary(demo_bmo)["part_difficiles"].iloc[0]
    harder = every[every["part_difficiles"] >= territory]
    assert top["projets_difficiles"].iloc[0] == harder["projets_difficiles"].max()
    assert (top["part_difficiles_territoire"] == territory).all()
    by_share = dg.top_tension_metiers(demo_bmo, n=5, min_projets=100, by="part_difficiles")
    assert by_share["part_difficiles"].is_monotonic_decreasing
    assert by_share["part_difficiles"].iloc[0] == every["part_difficiles"].max()
    with pytest.raises(ValueError, match="by='tension' inconnu"):
        dg.top_tension_metiers(demo_bmo, by="tension")


def _tension_fixture() -> pd.DataFrame:
    """One bassin: a large métier mostly difficult, 18 small ones at 100 %, a large ordinary one.

    Territory: 1 237 + 18 × 35 + 5 000 = 6 867 projects, 1 051 + 630 + 2 000 = 3 681
    difficult, i.e. 53.6 %.
    """
    rows = [("V0X60", "Z", "0001", "01", "11", 1237, 1051, 0)]  # 85.0 % difficult
    rows += [(f"S{i:02d}00", "Z", "0001", "01", "11", 35, 35, 0) for i in range(18)]
    rows += [("R0X60", "Z", "0001", "01", "11", 5000, 2000, 0)]  # 40 %: large, ordinary
    return tidy(rows)


def test_tension_ranking_weighs_share_and_volume():
    """A métier of 1 237 projects at 85 % outranks 18 métiers of 35 projects at 100 %."""
    bmo = _tension_fixture()
    top = dg.top_tension_metiers(bmo, n=20)
    # ranked by difficult projects: 1 051, then 18 × 35 (tied on count, share and
    # projects: by code); R0X60 (40 % < 53.6 %) does not compete
    assert top["metier"].tolist() == ["V0X60", *[f"S{i:02d}00" for i in range(18)]]
    assert top["rang"].tolist() == list(range(1, 20))
    assert top["projets_difficiles"].tolist() == [1051] + [35] * 18
    assert top["part_difficiles_territoire"].iloc[0] == pytest.approx(3681 / 6867)
    assert dg.top_tension_metiers(bmo, n=3)["metier"].tolist() == ["V0X60", "S0000", "S0100"]
    # by share alone, the former ranking: the 18 ties at 100 % first
    by_share = dg.top_tension_metiers(bmo, n=20, by="part_difficiles")
    assert by_share["metier"].tolist()[:18] == [f"S{i:02d}00" for i in range(18)]
    assert by_share["metier"].tolist()[18:] == ["V0X60", "R0X60"]
    assert by_share["rang"].tolist() == list(range(1, 21))
    # min_projets keeps small métiers out
    assert dg.top_tension_metiers(bmo, min_projets=36)["metier"].tolist() == ["V0X60"]


def test_tension_ranking_leaves_out_a_fully_masked_share():
    rows = [
        ("A0X40", "Z", "0001", "01", "11", 100, 80, 0),
        ("B0X30", "O", "0001", "01", "11", 50, None, 0),  # difficult cell masked
        ("C0X10", "Z", "0001", "01", "11", 100, 10, 0),
    ]
    top = dg.top_tension_metiers(tidy(rows))
    # territory: 90 / 250 published = 36 %; B0X30 has no share, C0X10 is below
    assert top["metier"].tolist() == ["A0X40"]
    assert top["part_difficiles_territoire"].iloc[0] == pytest.approx(90 / 250)


def test_family_breakdown():
    families = dg.family_breakdown(tidy())
    assert families["famille"].tolist() == ["Z", "O"]
    assert families["projets"].iloc[0] == 43 and families["projets"].isna().tolist() == [
        False,
        True,
    ]
    assert families["projets_max"].tolist()[1] > 0  # the masked family keeps its bounds
    assert families["cellules_secretes_projets"].tolist() == [0, 1]


def test_location_quotient_by_hand(demo_bmo):
    local = demo_bmo[demo_bmo["bassin"] == "9901"]
    lq = dg.location_quotient(local, demo_bmo, by="famille").set_index("famille")
    for famille, row in lq.iterrows():
        share = local.loc[local["famille"] == famille, "projets"].sum() / local["projets"].sum()
        ref = (
            demo_bmo.loc[demo_bmo["famille"] == famille, "projets"].sum()
            / demo_bmo["projets"].sum()
        )
        assert row["quotient"] == pytest.approx(share / ref)


def test_specialisation_against_region_and_nation():
    spec = dg.bmo_specialisation(tidy()[tidy()["bassin"] == "0003"], tidy(), by="metier")
    row = spec.iloc[0]
    assert row["regions_reference"] == "22"
    assert row["quotient_region"] == pytest.approx(1.0)  # only métier of région 22
    assert row["quotient_national"] == pytest.approx(1.0)  # B0X30 has no unmasked project


def test_change_between_vintages_flags_the_nomenclature_break():
    later = tidy([(*r[:5], (r[5] or 0) + 10 if r[5] else None, r[6], r[7]) for r in SMALL])
    both = pd.concat([tidy(year=2023), later], ignore_index=True)
    total = dg.bmo_change(both).iloc[0]
    assert bool(total["rupture_nomenclature"])
    assert total["evolution_projets"] == 40  # each unmasked cell + 10
    # 5 seasonal projects of 43, then of 83: the share falls, in points
    assert total["part_saisonniers_debut"] == pytest.approx(5 / 43)
    assert total["evolution_part_saisonniers"] == pytest.approx((5 / 83 - 5 / 43) * 100)
    assert "total comparable" in total["commentaire"]
    by_metier = dg.bmo_change(both, by="metier")
    assert by_metier["evolution_projets"].isna().all()
    assert by_metier["evolution_part_saisonniers"].isna().all()
    assert by_metier["commentaire"].str.startswith("non comparable").all()
    by_family = dg.bmo_change(both, by="famille").set_index("famille")
    assert pd.notna(by_family.loc["Z", "evolution_projets"])
    assert pd.isna(by_family.loc["O", "evolution_projets"])  # fully masked: not 0 → 0
    assert by_family["commentaire"].str.contains("prudence").all()


def test_change_within_a_nomenclature():
    earlier = tidy(year=2022)
    later = tidy(year=2023)
    later["projets"] = later["projets"] * 2
    change = dg.bmo_change(pd.concat([earlier, later], ignore_index=True), by="metier")
    agri = change.set_index("metier").loc["A0Z40"]
    assert not agri["rupture_nomenclature"]
    assert (agri["projets_debut"], agri["projets_fin"], agri["evolution_projets_pct"]) == (
        43,
        86,
        100,
    )
    assert agri["metier_nom"] == "Agriculteurs"
    with pytest.raises(ValueError, match="au moins deux millésimes"):
        dg.bmo_change(earlier)
    with pytest.raises(ValueError, match=r"millésime\(s\) \[2030\] absent"):
        dg.bmo_change(pd.concat([earlier, later]), start=2022, end=2030)


# --------------------------------------------------------------------------- DARES

DARES = pd.DataFrame(
    {
        "fap": ["A0Z40", "A0Z40", "A0Z40", "B0Z", "C1Z40", "C1Z40"],
        "niveau_fap": ["FAP-225", "FAP-225", "FAP-225", "FAP-87", "FAP-225", "FAP-225"],
        "niveau_geo": ["departement", "region", "national", "national", "departement", "national"],
        "region": [None, "52", None, None, None, None],
        "departement": ["44", None, None, None, "44", None],
        "annee": [2019] * 6,
        "tension": [0.9, 0.5, 0.1, -0.2, None, 0.3],
        "categorie_tension": pd.array([5, 4, 3, 2, None, 3], dtype="Int64"),
    }
)


def test_dares_join_uses_the_finest_level_and_says_which():
    metiers = pd.DataFrame(
        {
            "metier": ["A0Z40", "B0Z30", "C1Z40", "D9Z99", "A0X40"],
            "nomenclature": ["FAP2009"] * 4 + ["FAP2021"],
        }
    )
    out = dg.add_dares_tension(metiers, DARES, region="52", departement="44").set_index("metier")
    assert out.loc["A0Z40", ["dares_fap", "dares_niveau_fap", "dares_niveau_geo"]].tolist() == [
        "A0Z40",
        "FAP-225",
        "département 44",
    ]
    assert out.loc["A0Z40", "dares_tension"] == 0.9
    assert out.loc["A0Z40", "dares_correspondance"] == "code identique (FAP2009)"
    assert out.loc["B0Z30", ["dares_fap", "dares_niveau_fap", "dares_niveau_geo"]].tolist() == [
        "B0Z",
        "FAP-87",
        "France",
    ]
    # The départemental C1Z40 indicator is missing: the national one is used.
    assert out.loc["C1Z40", ["dares_niveau_geo", "dares_tension"]].tolist() == ["France", 0.3]
    assert pd.isna(out.loc["D9Z99", "dares_tension"])
    assert out.loc["D9Z99", "dares_correspondance"] == "aucun indicateur DARES"
    assert out.loc["A0X40", "dares_fap"] == "A0Z40"
    assert "approximation" in out.loc["A0X40", "dares_correspondance"]
    # same métier: the identical FAP-225 code only (not a family, not the homologue)
    assert out["dares_meme_metier"].tolist() == [True, False, True, False, False]
    region_only = dg.add_dares_tension(metiers, DARES, region="52").set_index("metier")
    assert region_only.loc["A0Z40", "dares_niveau_geo"] == "région 52"
    mapped = dg.add_dares_tension(metiers, DARES, correspondence={"A0X40": "C1Z40"})
    assert mapped.iloc[-1]["dares_fap"] == "C1Z40"
    assert "table de correspondance" in mapped.iloc[-1]["dares_correspondance"]
    assert bool(mapped.iloc[-1]["dares_meme_metier"])


# --------------------------------------------------------------------------- maps and charts


def _bassin_polygons() -> gpd.GeoDataFrame:
    codes = [f"99{i:02d}" for i in range(1, 11)] + ["9999"]
    return gpd.GeoDataFrame(
        {"territoire": codes, "territoire_nom": [f"B{c}" for c in codes]},
        geometry=[box(-30 + i, 45, -29 + i, 46) for i in range(len(codes))],
        crs="EPSG:4326",
    )


def test_map_bmo_bassins(demo_bmo):
    import folium

    summary = dg.recruitment_summary(demo_bmo, by="bassin")
    m = dg.map_bmo_bassins(summary, _bassin_polygons(), column="projets")
    assert isinstance(m, folium.Map)
    html = m.get_root().render()
    first = summary.iloc[0]
    assert format_int(first["projets"]).replace("\u202f", "\\u202f") in html  # JSON-escaped
    assert "#d9d9d9" in html  # bassin 9999 has no BMO data: grey
    assert "pas de donn" in html


def test_map_bmo_bassins_outlines_the_territory_and_says_so(demo_bmo):
    summary = dg.recruitment_summary(demo_bmo, by="bassin")
    polygons = _bassin_polygons()
    territory = polygons[polygons["territoire"] == "9901"]
    page = dg.map_bmo_bassins(summary, polygons, outline=territory).get_root().render()
    assert "Limite du territoire" in page and "border-top:3px solid #000091" in page
    assert '"fill": false' in page  # the outline is a line over the bassins
    page = dg.map_bmo_bassins(summary, polygons).get_root().render()
    assert "Limite du territoire" not in page and '"fill": false' not in page


def test_map_refuses_bad_inputs(demo_bmo):
    summary = dg.recruitment_summary(demo_bmo, by="bassin")
    no_crs = _bassin_polygons().set_crs(None, allow_override=True)
    with pytest.raises(CRSError):
        dg.map_bmo_bassins(summary, no_crs)
    two_years = pd.concat([summary, summary.assign(annee=2023)])
    with pytest.raises(SchemaError, match="plusieurs millésimes"):
        dg.map_bmo_bassins(two_years, _bassin_polygons())
    with pytest.raises(SchemaError, match="by='bassin'"):
        dg.map_bmo_bassins(dg.recruitment_summary(demo_bmo), _bassin_polygons())


def test_plots(demo_bmo):
    ranking = dg.metier_ranking(demo_bmo)
    ax = dg.plot_top_metiers(ranking, n=4)
    assert len(ax.patches) == 4
    top = max(ax.get_yticklabels(), key=lambda label: label.get_position()[1])
    assert top.get_text() == ranking.iloc[0]["metier_nom"]  # largest bar on top
    ax = dg.plot_top_metiers(dg.top_tension_metiers(demo_bmo), column="part_difficiles", n=3)
    assert "%" in ax.get_xlabel()
    families = dg.family_breakdown(demo_bmo)
    ax = dg.plot_family_breakdown(families)
    assert len(ax.patches) == 2 * len(families)


# --------------------------------------------------------------------------- command line


def test_cli_national_text(demo_2024, capsys):
    assert main(["bmo", "resume", "--fichier", str(demo_2024)]) == 0
    out = capsys.readouterr().out
    assert "France entière : enquête BMO 2024, 10 bassin(s)" in out
    assert "Cellules secrètes" in out and "entre" in out


def test_cli_json_one_object_per_territory(demo_2024, demo_bmo, capsys):
    assert (
        main(["bmo", "resume", "--fichier", str(demo_2024), "--niveau", "departement", "--json"])
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["code"] for o in objects] == ["9A", "9B", "9C"]
    expected = dg.recruitment_summary(demo_bmo, by="departement")
    for obj, (_, row) in zip(objects, expected.iterrows(), strict=True):
        for key in ("projets", "projets_difficiles", "projets_saisonniers", "cellules_secretes"):
            assert obj[key] == int(row[key])
        assert obj["part_difficiles"] == pytest.approx(float(row["part_difficiles"]), abs=1e-6)
        assert obj["annee"] == 2024 and obj["niveau"] == "departement"


def test_cli_one_bassin(demo_2024, capsys):
    assert (
        main(["bmo", "resume", "--fichier", str(demo_2024), "--niveau", "bassin", "--code", "9901"])
        == 0
    )
    assert "Bassin 9901 – " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--niveau", "bassin", "--code", "9990"], "« 9990 » inconnu dans le fichier BMO 2024"),
        (["--code", "9901"], "demande un niveau"),
        (["--region", "99"], "L'option --region demande un niveau"),
        (["--niveau", "bassin", "--region", "98"], "Région « 98 » inconnue dans le fichier BMO"),
    ],
)
def test_cli_bad_codes(demo_2024, capsys, args, message):
    assert main(["bmo", "resume", "--fichier", str(demo_2024), *args]) == 2
    assert message in capsys.readouterr().err


def test_cli_filters_the_territories_of_a_region_or_a_departement(demo_2024, capsys):
    base = ["bmo", "resume", "--fichier", str(demo_2024), "--niveau", "bassin"]
    assert main([*base, "--region", "99", "--json"]) == 0
    codes = [json.loads(line)["code"] for line in capsys.readouterr().out.splitlines()]
    assert codes == [f"99{n:02d}" for n in range(1, 11)]
    assert main([*base, "--departement", "9B", "--json"]) == 0
    codes = [json.loads(line)["code"] for line in capsys.readouterr().out.splitlines()]
    assert codes == ["9905", "9906", "9907"]
    # by name, and said
    assert main([*base, "--departement", "cote-brumaire"]) == 0
    out = capsys.readouterr().out
    assert "Territoire compris : « cote-brumaire » → département 9B – Côte-Brumaire." in out
    assert [line.split()[0] for line in out.splitlines() if line[:2] == "99"] == [
        "9905",
        "9906",
        "9907",
    ]


def test_bmo_resume_by_name_within_an_area(demo_bmo):
    from diagnostics.cli.bmo import bmo_resume

    assert bmo_resume(demo_bmo, level="departement", region="99")["code"].tolist() == [
        "9A",
        "9B",
        "9C",
    ]
    one = bmo_resume(demo_bmo, level="bassin", code="Saint Jévrocourt")
    assert one[["code", "nom", "projets"]].values.tolist() == [["9908", "SAINT JEVROCOURT", 856]]
    # « saint » fits two bassins of the file, one of the département 9C
    with pytest.raises(dg.AmbiguousTerritoryError, match="9902 Saint-Lounirac, 9908 Saint-"):
        bmo_resume(demo_bmo, level="bassin", code="saint")
    assert bmo_resume(demo_bmo, level="bassin", departement="9C", code="saint")[
        "code"
    ].tolist() == ["9908"]


def test_cli_one_bassin_by_name_with_its_first_metiers(demo_2024, demo_bmo, capsys):
    args = ["bmo", "resume", "--fichier", str(demo_2024), "--niveau", "bassin"]
    assert main([*args, "--code", "st-jevrocourt"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Territoire compris : « st-jevrocourt » → bassin 9908 – Saint-Jevrocourt.")
    assert lines[start + 1] == "Bassin 9908 – Saint-Jevrocourt : enquête BMO 2024, 1 bassin(s)"
    most = lines.index("  Les 5 métiers aux plus nombreux projets de recrutement :")
    assert lines[most + 1 : most + 3] == [
        "    1. Viticulteurs, arboriculteurs : 89 projets, dont 28,1\u202f% jugés difficiles",
        "    2. Aides de cuisine et employés polyvalents de la restauration : 75 projets, dont "
        "48,0\u202f% jugés difficiles",
    ]
    tension = most + 6
    assert lines[tension] == (
        "  Les 5 métiers en tension (classés par projets jugés difficiles, parmi les métiers "
        "d'au moins 20 projets publiés au moins aussi difficiles à pourvoir que l'ensemble du "
        "territoire, 53,9\u202f%) :"
    )
    assert lines[tension + 1 : tension + 3] == [
        "    1. Serveurs de cafés restaurants : 45 projets jugés difficiles sur 68 (66,2\u202f%)",
        "    2. Aides à domicile et auxiliaires de vie : 37 projets jugés difficiles sur 42 "
        "(88,1\u202f%)",
    ]
    # the same figures from the rows of the file, summed here
    rows = demo_bmo[demo_bmo["bassin"] == "9908"].groupby("metier_nom")
    assert int(rows["projets"].sum()["Viticulteurs, arboriculteurs"]) == 89
    assert int(rows["projets_difficiles"].sum()["Serveurs de cafés restaurants"]) == 45
    # a code is not « understood »: no sentence
    assert main([*args, "--code", "9908"]) == 0
    assert "Territoire compris" not in capsys.readouterr().out


def test_cli_ambiguous_name_lists_the_bassins(demo_2024, capsys):
    args = ["bmo", "resume", "--fichier", str(demo_2024), "--niveau", "bassin", "--code", "Saint"]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        "Erreur : Plusieurs bassins d'emploi BMO correspondent à « Saint » dans le fichier BMO "
        "2024 : 9902 Saint-Lounirac, 9908 Saint-Jevrocourt. Précisez le code (--code 9902, par "
        "exemple) ou le nom complet.\n"
    )


def test_cli_bad_files(tmp_path, capsys):
    assert main(["bmo", "resume", "--fichier", str(tmp_path / "absent.xlsx")]) == 2
    assert "introuvable" in capsys.readouterr().err
    other = tmp_path / "autre.csv"
    other.write_text("a;b\n1;2\n", encoding="utf-8")
    assert main(["bmo", "resume", "--fichier", str(other)]) == 2
    assert "ne semble pas être une base open data BMO" in capsys.readouterr().err


# --------------------------------------------------------------------------- demo files


def _demo_module():
    spec = importlib.util.spec_from_file_location(
        "demo_bmo", ROOT / "scripts" / "demo" / "demo_bmo.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BASSINS = pd.DataFrame(
    {
        "bassin": ["9901", "9902", "9902"],
        "bassin_nom": ["UN", "DEUX", "DEUX"],
        "departement": ["9A", "9A", "9B"],
        "departement_nom": ["Ormelin", "Ormelin", "Côte-Brumaire"],
        "region": ["99", "99", "99"],
        "region_nom": ["Île-Démonstration"] * 3,
    }
)


def test_demo_files_are_deterministic_and_readable(tmp_path):
    demo = _demo_module()
    first = demo.write_demo_bmo(tmp_path / "a", BASSINS, seed=7)
    second = demo.write_demo_bmo(tmp_path / "b", BASSINS, seed=7)
    assert [p.name for p in first] == [
        "Base_open_data_BMO_2024.xlsx",
        "Base_open_data_BMO_2023.xlsx",
    ]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
        assert a.stat().st_size < 50_000
    other = demo.write_demo_bmo(tmp_path / "c", BASSINS, seed=8)
    assert other[0].read_bytes() != first[0].read_bytes()
    bmo_2024 = dg.read_bmo(first[0], cache=False)
    assert bmo_2024["nomenclature"].unique().tolist() == ["FAP2021"]
    assert bmo_2024["projets_secret"].any() or bmo_2024["difficiles_secret"].any()
    assert set(bmo_2024["departement"]) == {"9A", "9B"}  # bassin 9902 in two parts
    bmo_2023 = dg.read_bmo(first[1], cache=False)
    assert bmo_2023["nomenclature"].unique().tolist() == ["FAP2009"]


def test_demo_layouts_follow_the_official_files(demo_2024):
    folder = demo_2024.parent
    for year, first_columns in ((2024, ["annee", "Code métier BMO"]), (2023, ["BE23", "NOMBE23"])):
        book = python_calamine.CalamineWorkbook.from_path(
            str(folder / f"Base_open_data_BMO_{year}.xlsx")
        )
        assert book.sheet_names == ["Description des variables", f"BMO_{year}_open_data"]
        rows = book.get_sheet_by_name(f"BMO_{year}_open_data").to_python()
        assert rows[0][:2] == first_columns
        assert any(cell == "*" for row in rows[1:] for cell in row[-3:])  # secret cells
        bmo = dg.read_bmo(folder / f"Base_open_data_BMO_{year}.xlsx", cache=False)
        assert bmo["bassin"].str.startswith("99").all() and bmo["region"].eq("99").all()


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real_bmo():
    path = ROOT.parent / "shared" / "data" / "bmo" / "Base_open_data_BMO_2024.xlsx"
    if not path.is_file():
        pytest.skip(f"données réelles absentes ({path}) : test sur fichiers réels ignoré")
    return dg.read_bmo(path, cache=False)


@pytest.mark.real_data
def test_real_tension_ranking_of_nantes_shows_aides_soignants(real_bmo):
    """Bassin 5220 (Nantes): the large, mostly difficult métier of aides-soignants is in
    the top ten, where a ranking by share alone puts only small métiers tied at 100 %."""
    nantes = real_bmo[real_bmo["bassin"] == "5220"]
    codes = nantes.loc[nantes["metier_nom"].str.fullmatch("Aides-soignants"), "metier"]
    assert codes.nunique() == 1
    code = codes.iloc[0]
    top = dg.top_tension_metiers(nantes)
    assert code in top["metier"].tolist()
    row = top.set_index("metier").loc[code]
    assert row["projets_difficiles"] == int(
        nantes.loc[nantes["metier"] == code, "projets_difficiles"].sum()
    )
    assert row["part_difficiles"] >= row["part_difficiles_territoire"]
    by_share = dg.top_tension_metiers(nantes, by="part_difficiles")
    assert code not in by_share["metier"].tolist()


@pytest.mark.real_data
def test_real_national_totals(real_bmo):
    row = dg.recruitment_summary(real_bmo).iloc[0]
    assert row["nb_bassins"] == 406 and row["nb_lignes"] == 53_443
    assert row["projets"] == int(real_bmo["projets"].sum())
    assert row["part_difficiles"] == pytest.approx(
        real_bmo["projets_difficiles"].sum() / real_bmo["projets"].sum()
    )
    secret = int(real_bmo["projets_secret"].sum())
    assert (
        row["cellules_secretes_projets"]
        == secret
        == real_bmo.attrs["rapport"]["cellules_secretes"]["projets"]
    )
    assert row["projets_max"] - row["projets"] == 4 * secret
    # Published figure (France Travail, April 2024): 57.4 % judged difficult; the
    # unmasked cells give a close value and the bounds contain the published one.
    assert row["part_difficiles_min"] <= row["part_difficiles"] <= row["part_difficiles_max"]
    assert row["part_difficiles_min"] <= 0.574 <= row["part_difficiles_max"]
    assert row["part_difficiles"] == pytest.approx(0.574, abs=0.01)
    assert row["projets"] == pytest.approx(2.78e6, rel=0.03)


@pytest.mark.real_data
def test_real_pays_de_la_loire(real_bmo, shared_data, capsys):
    regions = dg.recruitment_summary(real_bmo, by="region").set_index("region")
    assert regions.loc["52", "nb_bassins"] == 26
    assert regions.loc["52", "region_nom"] == "Pays de la Loire"
    pdl = dg.bmo_tension(
        real_bmo, SimpleNamespace(level="region", code="52", name="PdL", communes=())
    )
    assert pdl.iloc[0]["projets"] == regions.loc["52", "projets"]
    path = shared_data / "bmo" / "Base_open_data_BMO_2024.xlsx"
    assert (
        main(
            [
                "bmo",
                "resume",
                "--fichier",
                str(path),
                "--niveau",
                "region",
                "--code",
                "52",
                "--json",
            ]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["nb_bassins"] == 26 and payload["nom"] == "Pays de la Loire"
    assert payload["cellules_secretes"] > 0


@pytest.mark.real_data
def test_real_allocation_through_communes(real_bmo, shared_data):
    from geo import referentials, territories

    folder = shared_data / "referentiels"
    table = territories.commune_table(
        referentials.read_communes_population(folder / "communes_population.json"),
        bassin=referentials.read_commune_bassin(folder / "commune_bassin_bmo.csv"),
    )
    # All the communes of a bassin: weight 1, same totals as the bassin itself.
    whole = territories.territory(table, "bassin", "5203")
    whole_bassin = SimpleNamespace(level="projet", code="x", name="x", communes=whole.communes)
    via_communes = dg.bmo_tension(real_bmo, whole_bassin, communes=table).iloc[0]
    direct = dg.bmo_tension(
        real_bmo, SimpleNamespace(level="bassin", code="5203", name="", communes=())
    ).iloc[0]
    assert via_communes["projets"] == pytest.approx(float(direct["projets"]))
    # Bassin 0102 has communes in 971, 977 and 978 but the file has a 971 part only:
    # the communes of 977/978 get the whole bassin's share, applied to that part.
    islands = table.loc[
        (table["bassin"] == "0102") & table["departement"].isin(["977", "978"]), "commune"
    ]
    local = dg.bmo_for_territory(real_bmo, list(islands), communes=table)
    assert set(local["bassin"]) == {"0102"} and set(local["departement"]) == {"971"}
    assert local["poids"].nunique() == 1 and 0 < local["poids"].iloc[0] < 1


@pytest.mark.real_data
def test_real_dares_join(real_bmo, shared_data):
    dares = dg.read_dares_tensions(shared_data / "metiers" / "tensions_dares.csv")
    assert set(dares["niveau_geo"]) == {"national", "region", "departement"}
    assert set(dares["niveau_fap"]) == {"FAP-225", "FAP-87"}
    ranking = dg.metier_ranking(real_bmo[real_bmo["region"] == "52"], n=30)
    joined = dg.add_dares_tension(ranking, dares, region="52")
    assert joined["dares_tension"].notna().mean() > 0.8
    assert set(joined["dares_niveau_geo"].dropna()) <= {"région 52", "France"}
    agri = joined.set_index("metier").loc["A0X40"]
    expected = dares[
        (dares["fap"] == "A0Z40") & (dares["niveau_geo"] == "region") & (dares["region"] == "52")
    ]
    assert agri["dares_tension"] == pytest.approx(float(expected["tension"].iloc[0]))
    assert agri["dares_niveau_geo"] == "région 52"
    assert "approximation" in agri["dares_correspondance"]
    by_dep = dg.add_dares_tension(ranking, dares, region="52", departement="44")
    assert (by_dep["dares_niveau_geo"] == "département 44").mean() > 0.5


def test_bmo_map_saves_as_an_offline_page(tmp_path):
    """The choropleth legend is plain HTML: no d3 or other CDN asset in the saved page."""
    import re

    import geopandas as gpd
    from shapely import box

    from diagnostics import map_bmo_bassins, read_bmo, recruitment_summary
    from geo import settings
    from geo.maps import save_map

    bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    polygons = gpd.GeoDataFrame(
        {"bassin": ["9901", "9902"]},
        geometry=[box(-10, 46, -9, 47), box(-9, 46, -8, 47)],
        crs="EPSG:4326",
    )
    path = tmp_path / "bmo.html"
    save_map(map_bmo_bassins(recruitment_summary(bmo, by="bassin"), polygons), path)
    html = path.read_text(encoding="utf-8")
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', html)
    assert "Part des projets jugés difficiles" in html and "pas de données" in html
