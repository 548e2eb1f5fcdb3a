from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import Polygon, box

from geo import referentials
from geo._errors import CRSError, GeometryError, InputFileError, SchemaError
from geo.problems import problems_of

HEADER = "reg,dep,code_commune_insee,code_bassin_BMO,lib_bassin_BMO\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_commune_bassin_restores_zeros_and_derives_departement(tmp_path):
    path = write(
        tmp_path, "cb.csv", HEADER + "84,1,1001,8437,TREVOUX\n1,971,97101,101,BASSIN CENTRE\n"
    )
    df = referentials.read_commune_bassin(path)
    assert df.to_dict("records") == [
        {
            "commune": "01001",
            "bassin": "8437",
            "bassin_nom": "TREVOUX",
            "departement": "01",
            "region": "84",
        },
        {
            "commune": "97101",
            "bassin": "0101",
            "bassin_nom": "BASSIN CENTRE",
            "departement": "971",
            "region": "01",
        },
    ]


def test_semicolon_latin1_export_with_french_headers_reads_the_same(tmp_path):
    text = "Code commune;Bassin;Nom bassin;Département\n1001;8437;TRÉVOUX;1\n44109;5216;NANTES;44\n"
    path = write(tmp_path, "export.csv", text, encoding="latin-1")
    df = referentials.read_correspondence(path, "bassin")
    assert df["commune"].tolist() == ["01001", "44109"]
    assert df["territoire"].tolist() == ["8437", "5216"]
    assert df["territoire_nom"].tolist() == ["TRÉVOUX", "NANTES"]
    assert df.attrs["separator"] == ";"


def test_missing_column_names_what_was_found(tmp_path):
    path = write(tmp_path, "cb.csv", "reg,dep,commune\n52,44,44109\n")
    with pytest.raises(
        SchemaError,
        match=r"cb\.csv : colonne\(s\) absente\(s\).*'bassin'.*Colonnes trouvées : reg, dep, commune",
    ):
        referentials.read_commune_bassin(path)


def test_conflicting_duplicates_are_set_aside_exact_ones_reported(tmp_path):
    path = write(
        tmp_path,
        "cb.csv",
        HEADER
        + "52,44,44109,5216,NANTES\n52,44,44109,5216,NANTES\n52,44,44020,5216,NANTES\n52,44,44020,5203,CHATEAUBRIANT\n",
    )
    df = referentials.read_commune_bassin(path)
    assert df["commune"].tolist() == ["44109"]
    conflicts = [p for p in problems_of(df) if p.category == "commune_en_double"]
    assert [p.line for p in conflicts] == [4, 5]
    assert (
        "commune 44020 rattachée à plusieurs territoires (bassin d'emploi BMO) : 5216 (ligne 4), "
        "5203 (ligne 5) — gardez une seule ligne" in conflicts[0].message
    )
    with pytest.raises(
        SchemaError, match=r"(?s)2 ligne\(s\).*mode strict.*ligne 4, colonne « code_bassin_BMO »"
    ):
        referentials.read_commune_bassin(path, strict=True)


def test_exact_duplicates_are_removed_and_reported(tmp_path):
    path = write(tmp_path, "cb.csv", HEADER + "52,44,44109,5216,NANTES\n52,44,44109,5216,NANTES\n")
    df = referentials.read_commune_bassin(path)
    assert len(df) == 1
    assert problems_of(df).lines() == [
        "cb.csv, ligne 3 : ligne en double (commune 44109, bassin d'emploi BMO 5216, comme la "
        "ligne 2) : gardée une fois (rien à corriger si c'est voulu ; retirez-la sinon). "
        "(ligne corrigée)"
    ]


def test_unknown_codes_are_all_listed_with_their_line(tmp_path):
    path = write(tmp_path, "cb.csv", HEADER + "52,44,4410X,5216,NANTES\n52,44,44109,52161,NANTES\n")
    with pytest.raises(SchemaError) as err:
        referentials.read_commune_bassin(path)
    message = str(err.value)
    assert "2 ligne(s) inutilisable(s) sur 2" in message
    assert "ligne 2, colonne « code_commune_insee » : code commune '4410X' invalide" in message
    assert "ligne 3, colonne « code_bassin_BMO » : code bassin d'emploi '52161' invalide" in message


def test_missing_file_and_binary_file(tmp_path):
    with pytest.raises(InputFileError, match="introuvable"):
        referentials.read_commune_bassin(tmp_path / "absent.csv")
    path = tmp_path / "classeur.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputFileError, match="binaire"):
        referentials.read_commune_bassin(path)


def test_unknown_level():
    with pytest.raises(SchemaError, match="Niveau territorial inconnu : 'canton'"):
        referentials.read_correspondence("x.csv", "canton")


def _polygons(tmp_path, name, gdf, driver="GeoJSON"):
    path = tmp_path / name
    gdf.to_file(path, driver=driver)
    return path


def test_polygons_geojson_gpkg_parquet_read_alike(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"insee": [1001, 1002], "nom": ["A", "B"]},
        geometry=[box(5, 46, 5.1, 46.1), box(5.1, 46, 5.2, 46.1)],
        crs="EPSG:4326",
    )
    paths = [_polygons(tmp_path, "c.geojson", gdf), _polygons(tmp_path, "c.gpkg", gdf, "GPKG")]
    parquet = tmp_path / "c.parquet"
    gdf.to_crs(2154).to_parquet(parquet)
    for path in [*paths, parquet]:
        out = referentials.read_commune_polygons(path)
        assert out["commune"].tolist() == ["01001", "01002"], path
        assert out.crs.to_epsg() == 4326
        assert out.geometry.iloc[0].bounds == pytest.approx((5, 46, 5.1, 46.1), abs=1e-6)


def test_shapefile_without_crs_is_refused_unless_crs_given(tmp_path):
    gdf = gpd.GeoDataFrame({"code": ["44109"]}, geometry=[box(350000, 6690000, 360000, 6700000)])
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        path = _polygons(tmp_path, "sans_prj.shp", gdf, "ESRI Shapefile")
    with pytest.raises(CRSError, match=r"sans_prj\.shp : aucun système de coordonnées.*EPSG:2154"):
        referentials.read_commune_polygons(path)
    out = referentials.read_commune_polygons(path, crs="EPSG:2154")
    assert out.crs.to_epsg() == 4326
    assert -2 < out.geometry.iloc[0].centroid.x < 0


def test_lambert_coordinates_labelled_wgs84_are_refused(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"code": ["44109"]}, geometry=[box(350000, 6690000, 360000, 6700000)], crs="EPSG:4326"
    )
    with pytest.raises(CRSError, match="probablement en Lambert-93"):
        referentials.read_commune_polygons(_polygons(tmp_path, "faux.gpkg", gdf, "GPKG"))


def test_invalid_polygon_is_repaired_and_reported(tmp_path):
    bowtie = Polygon([(5, 46), (5.1, 46.1), (5.1, 46), (5, 46.1), (5, 46)])
    gdf = gpd.GeoDataFrame(
        {"code": ["01001", "01002"]}, geometry=[bowtie, box(5.1, 46, 5.2, 46.1)], crs="EPSG:4326"
    )
    out = referentials.read_commune_polygons(_polygons(tmp_path, "noeud.geojson", gdf))
    assert out.geometry.is_valid.all()
    assert out.geometry.iloc[0].area == pytest.approx(0.005)
    (repaired,) = problems_of(out)
    assert repaired.action == "corrigée" and repaired.file == "noeud.geojson"
    assert "1 polygone(s) invalide(s) réparé(s) : 01001 (Self-intersection" in repaired.message


def test_missing_geometry_and_points_are_refused_with_every_problem(tmp_path):
    from shapely import Point

    gdf = gpd.GeoDataFrame(
        {"code": ["01001", "01002", "01003"]},
        geometry=[None, Point(0, 0), box(0, 0, 1, 1)],
        crs="EPSG:4326",
    )
    with pytest.raises(GeometryError) as err:
        referentials.read_commune_polygons(_polygons(tmp_path, "p.gpkg", gdf, "GPKG"))
    assert "commune 01001) : géométrie absente" in str(err.value)
    assert "commune 01002) : géométrie Point au lieu d'un polygone" in str(err.value)


def test_features_sharing_a_code_are_merged_and_reported(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"code": ["01001", "01001"]},
        geometry=[box(5, 46, 5.1, 46.1), box(5.2, 46, 5.3, 46.1)],
        crs="EPSG:4326",
    )
    out = referentials.read_commune_polygons(_polygons(tmp_path, "iles.geojson", gdf))
    assert len(out) == 1
    assert out.geometry.iloc[0].geom_type == "MultiPolygon"
    assert "fusionnées : 01001" in problems_of(out).lines()[0]


def test_no_code_column(tmp_path):
    gdf = gpd.GeoDataFrame({"truc": ["x"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    with pytest.raises(
        SchemaError, match="aucune colonne de code commune trouvée.*colonnes trouvées : truc"
    ):
        referentials.read_commune_polygons(_polygons(tmp_path, "x.geojson", gdf))


@pytest.mark.real_data
def test_real_referentials_read_with_normalised_codes(shared_data):
    ref = shared_data / "referentiels"
    bassins = referentials.read_commune_bassin(ref / "commune_bassin_bmo.csv")
    assert len(bassins) == 37_498  # the data README says 37,497: the file has no final newline
    assert bassins["bassin"].nunique() == 404
    assert bassins["commune"].str.len().eq(5).all()
    zones = referentials.read_commune_zone_emploi(ref / "commune_zone_emploi.csv")
    assert zones.loc[zones["commune"] == "01001", "departement"].item() == "01"
    assert referentials.read_zones_emploi(ref / "zones_emploi.csv").shape[0] == 306
    clpe = referentials.read_commune_clpe(ref / "commune_clpe.csv")
    assert clpe["clpe"].str.startswith("CLPE").mean() > 0.95
    pop = referentials.read_communes_population(ref / "communes_population.json")
    assert len(pop) == 34_969
    assert "commune-deleguee 2105" in problems_of(pop).lines()[0]
    cog = referentials.read_cog_communes(ref / "insee_communes.csv")
    assert cog.loc[cog["commune"] == "01001", ["departement", "zone_emploi"]].values.tolist() == [
        ["01", "8405"]
    ]
    deps = referentials.read_departements(ref / "departements.csv")
    assert {"01", "2A", "971"} <= set(deps["departement"])
    assert (
        referentials.read_regions(ref / "regions.csv").set_index("region").loc["52", "region_nom"]
        == "Pays de la Loire"
    )
    passage = referentials.read_code_passage(ref / "passage_codes_communes.csv")
    assert {"ancien_code": "49066", "code_courant": "49345"} in passage.to_dict("records")


def test_code_passage_with_or_without_level_column(tmp_path):
    with_level = write(
        tmp_path,
        "p1.csv",
        "\ufeffAnnée;Niveau;Type;Ancien Code Officiel;Code Courant Officiel\r\n"
        "2025;COM;commune;1001;1001\r\n2025;COM;commune;49066;49345\r\n2025;DEP;département;1;1\r\n",
    )
    without = write(tmp_path, "p2.csv", "ancien_code,code_courant\n1001,1001\n49066,49345\n")
    for path in (with_level, without):
        assert referentials.read_code_passage(path).to_dict("records") == [
            {"ancien_code": "49066", "code_courant": "49345"}
        ]
