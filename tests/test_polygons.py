from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from geo import polygons, referentials
from geo._errors import SchemaError
from geo.problems import problems_of


def grid():
    """Six unit squares 01001..01006 on two rows."""
    cells = [box(x, y, x + 1, y + 1) for y in (0, 1) for x in (0, 1, 2)]
    return gpd.GeoDataFrame(
        {"commune": [f"0100{i}" for i in range(1, 7)], "commune_nom": list("ABCDEF")},
        geometry=cells,
        crs="EPSG:2154",
    )


def correspondence(rows, level="bassin"):
    df = pd.DataFrame(rows, columns=["commune", "territoire", "territoire_nom", "region"]).astype(
        "string"
    )
    df.attrs["niveau"] = level
    return df


def test_dissolve_builds_each_territory_and_reports_both_directions():
    corr = correspondence(
        [
            ("01001", "8401", "UN", "84"),
            ("01002", "8401", "UN", "84"),
            ("01004", "8401", "UN", "84"),
            ("01005", "8402", "DEUX", "84"),
            ("01006", "8402", "DEUX", "84"),
            ("01099", "8403", "SANS POLYGONE", "84"),
        ]
    )
    out, report = polygons.dissolve_communes(grid(), corr)
    assert out["territoire"].tolist() == ["8401", "8402"]
    assert out["nb_communes"].tolist() == [3, 2]
    assert out.geometry.area.tolist() == [3.0, 2.0]
    assert out.geometry.iloc[0].geom_type == "Polygon"
    assert report.communes_sans_territoire == ["01003"]
    assert report.territoires_sans_commune == ["8403"]
    assert report.correspondance_sans_polygone == ["01099"]
    assert "Commune 01003 (C) : absente de la table de correspondance" in report.details[0]
    assert report.to_dict()["territoires"] == 2


def test_other_vintage_matched_through_passage_table_in_both_directions():
    corr = correspondence(
        [
            ("01001", "8401", "UN", "84"),
            ("01002", "8401", "UN", "84"),
            ("01003", "8401", "UN", "84"),
            ("01077", "8402", "DEUX", "84"),  # current code of former 01004 (polygons are older)
            ("01005", "8402", "DEUX", "84"),
            ("01088", "8402", "DEUX", "84"),  # former code merged into 01006 (polygons are newer)
        ]
    )
    passage = pd.DataFrame(
        {"ancien_code": ["01004", "01088"], "code_courant": ["01077", "01006"]}, dtype="string"
    )
    out, report = polygons.dissolve_communes(grid(), corr, passage=passage)
    assert out.set_index("territoire")["nb_communes"].to_dict() == {"8401": 3, "8402": 3}
    assert report.communes_sans_territoire == []
    assert report.communes_autre_millesime == [
        {"code": "01004", "code_correspondance": "01077", "territoire": "8402"},
        {"code": "01006", "code_correspondance": "01088", "territoire": "8402"},
    ]


def test_region_filter_reports_communes_of_neighbouring_territories():
    corr = correspondence(
        [
            ("01001", "8401", "UN", "84"),
            ("01002", "8401", "UN", "84"),
            ("01003", "8401", "UN", "84"),
            ("01004", "8401", "UN", "84"),
            ("01005", "8401", "UN", "84"),
            ("01006", "5313", "REDON", "53"),
        ]
    )
    out, report = polygons.dissolve_communes(grid(), corr, region="84")
    assert out["territoire"].tolist() == ["8401"]
    assert report.communes_sans_territoire == ["01006"]
    assert "rattachée à 5313 (REDON), hors du périmètre demandé" in report.details[0]


def test_selection_by_codes_reports_communes_of_other_territories():
    corr = correspondence(
        [
            ("01001", "8401", "UN", "84"),
            ("01002", "8401", "UN", "84"),
            ("01003", "8402", "DEUX", "84"),
            ("01004", "8402", "DEUX", "84"),
            ("01005", "8403", "TROIS", "84"),
            ("01006", "8403", "TROIS", "84"),
        ]
    )
    out, report = polygons.dissolve_communes(grid(), corr, territory_codes=["8401", "8403"])
    assert out["territoire"].tolist() == ["8401", "8403"]
    assert report.territoires == 2 and report.territoires_sans_commune == []
    assert report.communes_sans_territoire == ["01003", "01004"]
    assert "rattachée à 8402 (DEUX), hors du périmètre demandé" in report.details[0]


def test_filter_on_a_column_the_table_lacks_is_refused():
    corr = correspondence([("01001", "8401", "UN", "84")]).drop(columns="region")
    corr.attrs["niveau"] = "bassin"
    with pytest.raises(SchemaError, match="pas de colonne 'region'"):
        polygons.dissolve_communes(grid(), corr, region="84")


def test_population_is_summed_per_territory():
    corr = correspondence([(f"0100{i}", "8401", "UN", "84") for i in range(1, 7)])
    pop = pd.DataFrame(
        {"commune": [f"0100{i}" for i in range(1, 7)], "population": [1, 2, 3, 4, 5, 6]}
    )
    out, _ = polygons.dissolve_communes(grid(), corr, population=pop)
    assert out["population"].tolist() == [21]


def test_territory_polygon_refuses_unknown_communes():
    assert polygons.territory_polygon(grid(), ["01001", "01002"]).geometry.area.item() == 2.0
    with pytest.raises(SchemaError, match="sans polygone : 09999"):
        polygons.territory_polygon(grid(), ["01001", "09999"])


def test_demo_bassins_match_every_commune(demo_dir):
    communes = referentials.read_commune_polygons(sorted(demo_dir.glob("communes-*.geojson")))
    corr = referentials.read_correspondence(demo_dir / "commune_bassin_bmo.csv", "bassin")
    passage = referentials.read_code_passage(demo_dir / "passage_codes_communes.csv")
    out, report = polygons.dissolve_communes(communes, corr, passage=passage)
    assert report.communes_sans_territoire == []
    assert report.territoires_sans_commune == []
    assert len(out) == corr["territoire"].nunique()
    assert out["nb_communes"].sum() == len(communes)


@pytest.mark.real_data
def test_pays_de_la_loire_gives_the_26_bmo_bassins(shared_data):
    files = sorted((shared_data / "geometries").glob("communes-*.geojson"))
    assert len(files) == 5
    communes = referentials.read_commune_polygons(files)
    assert len(communes) == 1272
    # the geometry checks raise no false alarm on real files: all in place, no overlap
    assert problems_of(communes).lines() == []
    assert polygons.misplaced_communes(communes).empty
    corr = referentials.read_correspondence(
        shared_data / "referentiels" / "commune_bassin_bmo.csv", "bassin"
    )
    passage = referentials.read_code_passage(
        shared_data / "referentiels" / "passage_codes_communes.csv"
    )
    out, report = polygons.dissolve_communes(communes, corr, passage=passage, region="52")
    assert len(out) == 26
    assert out["territoire"].str.startswith("52").all()
    assert out.geometry.notna().all() and out.geometry.is_valid.all()
    assert report.territoires_sans_commune == []
    # Three communes of Loire-Atlantique belong to the bassin of Redon (Bretagne).
    assert report.communes_sans_territoire == ["44007", "44057", "44185"]
    assert all("5313 (REDON)" in d for d in report.details[:3])
    assert report.communes_rattachees == 1269


def test_demo_communes_lie_in_the_demo_box_without_overlap():
    from geo import settings

    communes = referentials.read_commune_polygons(
        sorted(settings.demo_dir().glob("communes-*.geojson"))
    )
    assert len(communes) == 300
    assert problems_of(communes).lines() == []
