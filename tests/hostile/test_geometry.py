"""Hostile geometry and commune → territory tables (issue 14): silent wrong geometry, whole
file refused for one bad row.

Every case writes a tiny commune file (a few squares of about 4 km where the codes say
the communes are) and a commune → bassin table, spoils one thing as a real file would
be spoiled, and runs ``territoire territoires construire`` (or the library function a
notebook calls): it asserts the exit code, the message (file, place, fix) and what was
kept.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

from geo import polygons, referentials
from geo._errors import GeometryError, SchemaError
from geo.problems import Problem, problems_of
from tests.hostile.conftest import assert_actionable

#: Where the test communes lie (lon, lat of the south-west corner of the grid) by département.
ORIGIN = {
    "44": (-1.8, 47.1),
    "01": (5.2, 46.0),
    "971": (-61.6, 16.1),
    "972": (-61.1, 14.6),
    "973": (-53.0, 4.0),
    "974": (55.4, -21.2),
    "976": (45.05, -12.9),
    "9A": (-9.5, 46.0),
}
STEP = 0.05


def _ids(cases) -> list[str]:
    """Test ids without spaces (the hostile report keys cases by the first word of the id)."""
    return [case.replace(" ", "_") for case in cases]


def commune_codes(dep: str = "44", n: int = 6) -> list[str]:
    width = 5 - len(dep)
    return [f"{dep}{i:0{width}d}" for i in range(1, n + 1)]


def grid(dep: str = "44", n: int = 6) -> gpd.GeoDataFrame:
    """``n`` squares on two rows, codes ``<dep>001``..., in WGS84."""
    x0, y0 = ORIGIN[dep]
    cols = (n + 1) // 2
    cells = [
        box(
            x0 + STEP * (k % cols),
            y0 + STEP * (k // cols),
            x0 + STEP * (k % cols + 1),
            y0 + STEP * (k // cols + 1),
        )
        for k in range(n)
    ]
    codes = commune_codes(dep, n)
    return gpd.GeoDataFrame(
        {"code": codes, "nom": [f"Commune {c}" for c in codes]}, geometry=cells, crs="EPSG:4326"
    )


def table_rows(dep: str = "44", n: int = 6) -> list[list[str]]:
    """Half of the communes in bassin 5201, the other half in 5202."""
    return [
        ["52", dep, code, "5201" if k < n // 2 else "5202", "UN" if k < n // 2 else "DEUX"]
        for k, code in enumerate(commune_codes(dep, n))
    ]


def write_table(path, rows) -> None:
    text = "reg,dep,code_commune_insee,code_bassin_BMO,lib_bassin_BMO\n"
    text += "".join(",".join(r) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")


def swapped(geom):
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def build(run_cli, tmp_path, gdf, rows=None, *options, name="communes.geojson", driver=None):
    """Write the files and run the command; return (code, out, err, output path)."""
    polys = tmp_path / name
    if driver is None:
        gdf.to_file(polys, driver="GeoJSON")
    else:
        gdf.to_file(polys, driver=driver)
    table = tmp_path / "commune_bassin.csv"
    write_table(table, table_rows() if rows is None else rows)
    output = tmp_path / "bassins.geojson"
    argv = ["territoires", "construire", "--communes", polys, "--correspondance", table]
    argv += ["--niveau", "bassin", "--sortie", output, "--json", *options]
    code, out, err = run_cli(argv)
    return code, out, err, output


def summary(out: str) -> dict:
    return json.loads(out)


def problem_texts(payload: dict) -> list[str]:
    return [str(Problem(**p)) for p in payload["problemes"]]


def one_problem(payload: dict, category: str) -> str:
    found = [p for p in payload["problemes"] if p["category"] == category]
    assert len(found) == 1, payload["problemes"]
    return str(Problem(**found[0]))


# ----------------------------------------------------------------- whole file refused


def _swap_all(g):
    return g.set_geometry(g.geometry.map(swapped))


def _overseas_swapped(dep):
    def spoil(g):
        return _swap_all(grid(dep))

    return spoil


def _declared_lambert(g):
    return g.set_crs("EPSG:2154", allow_override=True)


def _null_most(g):
    return g.set_geometry([None, None, None, None, g.geometry.iloc[4], g.geometry.iloc[5]])


def _bad_codes_most(g):
    return g.assign(code=["X", "Y", "Z", "W", "44005", "44006"])


REFUSED = {
    "axes inversés, tout le fichier": (_swap_all, "inversées", "--inverser-axes"),
    "axes inversés, Guadeloupe": (_overseas_swapped("971"), "inversées", "--inverser-axes"),
    "axes inversés, La Réunion": (_overseas_swapped("974"), "inversées", "--inverser-axes"),
    "axes inversés, Guyane": (_overseas_swapped("973"), "inversées", "--inverser-axes"),
    "axes inversés, Mayotte": (_overseas_swapped("976"), "inversées", "--inverser-axes"),
    "axes inversés, territoire de démonstration": (
        _overseas_swapped("9A"),
        "inversées",
        "--inverser-axes",
    ),
    "degrés déclarés en Lambert-93": (_declared_lambert, "hors de la zone", "EPSG:2154"),
    "géométries absentes en majorité": (_null_most, "inutilisable", "Corrigez"),
    "codes invalides en majorité": (_bad_codes_most, "inutilisable", "Corrigez"),
}


@pytest.mark.parametrize("case", REFUSED, ids=_ids(REFUSED))
def test_polygon_file_mostly_wrong_is_refused_with_the_fix(run_cli, tmp_path, case):
    spoil, what, fix = REFUSED[case]
    driver = "GPKG" if "Lambert" in case else None
    name = "communes.gpkg" if driver else "communes.geojson"
    code, out, err, output = build(run_cli, tmp_path, spoil(grid()), None, name=name, driver=driver)
    assert code == 2, (out, err)
    assert what in err and fix in err
    assert_actionable(err, file=name)
    assert not output.exists()


def test_swapped_file_is_read_with_the_option(run_cli, tmp_path):
    code, out, err, output = build(run_cli, tmp_path, _swap_all(grid()), None, "--inverser-axes")
    assert code == 0, err
    payload = summary(out)
    assert payload["territoires"] == 2 and payload["communes_rattachees"] == 6
    bassins = gpd.read_file(output)
    assert bassins.total_bounds[0] == pytest.approx(-1.8)


def test_option_on_a_correct_file_says_to_drop_it(run_cli, tmp_path):
    code, _out, err, _ = build(run_cli, tmp_path, grid(), None, "--inverser-axes")
    assert code == 2
    assert "relancez sans --inverser-axes" in err
    assert_actionable(err, file="communes.geojson")


def test_lambert_labelled_wgs84_is_refused(run_cli, tmp_path):
    lambert = grid().to_crs("EPSG:2154").set_crs("EPSG:4326", allow_override=True)
    code, _out, err, _ = build(run_cli, tmp_path, lambert, None, name="c.gpkg", driver="GPKG")
    assert code == 2
    assert "Lambert-93" in err and "--crs EPSG:2154" in err
    assert_actionable(err, file="c.gpkg", where=False)
    code, out, err, _ = build(
        run_cli, tmp_path, lambert, None, "--crs", "EPSG:2154", name="c.gpkg", driver="GPKG"
    )
    assert code == 0, err
    assert summary(out)["communes_rattachees"] == 6


def test_lambert_geojson_without_crs_member_reads_with_the_option(run_cli, tmp_path):
    lambert = json.loads(grid().to_crs("EPSG:2154").to_json())
    del lambert["crs"]
    path = tmp_path / "lambert.geojson"
    path.write_text(json.dumps(lambert), encoding="utf-8")  # no "crs" member: read as WGS84
    table = tmp_path / "cb.csv"
    write_table(table, table_rows())
    argv = ["territoires", "construire", "--communes", path, "--correspondance", table]
    argv += ["--niveau", "bassin", "--sortie", tmp_path / "o.geojson"]
    code, _, err = run_cli(argv)
    assert code == 2 and "--crs EPSG:2154" in err
    assert_actionable(err, file="lambert.geojson", where=False)
    assert run_cli([*argv, "--crs", "EPSG:2154"])[0] == 0


def test_all_geometries_null_is_refused_not_taken_for_lambert(run_cli, tmp_path):
    g = grid().set_geometry([None] * 6)
    code, _, err, _ = build(run_cli, tmp_path, g)
    assert code == 2 and "géométrie absente" in err
    assert_actionable(err, file="communes.geojson")


def test_shapefile_without_crs_names_the_option_that_fixes_it(run_cli, tmp_path):
    lambert = grid().to_crs("EPSG:2154")
    lambert.to_file(tmp_path / "c.shp")
    (tmp_path / "c.prj").unlink()
    table = tmp_path / "cb.csv"
    write_table(table, table_rows())
    argv = ["territoires", "construire", "--communes", tmp_path / "c.shp"]
    argv += ["--correspondance", table, "--niveau", "bassin", "--sortie", tmp_path / "o.geojson"]
    code, _, err = run_cli(argv)
    assert code == 2 and "--crs" in err
    assert_actionable(err, file="c.shp", where=False)
    code, _out, err = run_cli([*argv, "--crs", "EPSG:2154"])
    assert code == 0, err
    code, _, err = run_cli([*argv, "--crs", "EPSG:99999"])
    assert code == 2 and "EPSG:99999" in err
    assert_actionable(err, file="c.shp", where=False)


# ----------------------------------------------------------------- one commune set aside


def _swap_one(g):
    return g.set_geometry([swapped(g.geometry.iloc[0]), *g.geometry.iloc[1:]])


def _spike(g):
    x0, y0, x1, y1 = g.geometry.iloc[0].bounds
    spiked = Polygon([(x0, y0), (0.0, 0.0), (x1, y0), (x1, y1), (x0, y1)])
    return g.set_geometry([spiked, *g.geometry.iloc[1:]])


def _overseas_code_in_martinique(g):
    out = g.copy()
    out.loc[0, "code"] = "97101"  # Guadeloupe code, drawn in the Martinique box
    out.loc[0, "geometry"] = box(-61.1, 14.6, -61.05, 14.65)
    return out


def _reunion_one_swapped(g):
    out = g.copy()
    out.loc[0, "code"] = "97411"
    out.loc[0, "geometry"] = swapped(box(55.4, -20.95, 55.45, -20.9))
    return out


def _demo_code_in_france(g):
    return g.assign(code=["9A001", *g["code"].iloc[1:]])


def _null_one(g):
    return g.set_geometry([None, *g.geometry.iloc[1:]])


def _empty_one(g):
    return g.set_geometry([Polygon(), *g.geometry.iloc[1:]])


def _point_one(g):
    return g.set_geometry([g.geometry.iloc[0].centroid, *g.geometry.iloc[1:]])


def _code_empty(g):
    return g.assign(code=[None, *g["code"].iloc[1:]])


def _code_invalid(g):
    return g.assign(code=["44-01", *g["code"].iloc[1:]])


SET_ASIDE = {
    # case: (spoil, category, words in the message, communes kept)
    "axes inversés, une commune": (_swap_one, "axes_inverses", "inversées", 5),
    "une commune avec un sommet à (0, 0)": (_spike, "hors_zone", "hors", 5),
    "code de Guadeloupe dessiné en Martinique": (
        _overseas_code_in_martinique,
        "hors_zone",
        "en Guadeloupe",
        5,
    ),
    "une commune de La Réunion aux axes inversés": (
        _reunion_one_swapped,
        "axes_inverses",
        "à La Réunion",
        5,
    ),
    "code de démonstration en France": (_demo_code_in_france, "hors_zone", "démonstration", 5),
    "géométrie nulle": (_null_one, "geometrie_absente", "géométrie absente", 5),
    "géométrie vide": (_empty_one, "geometrie_absente", "géométrie absente", 5),
    "point au lieu d'un polygone": (_point_one, "geometrie_non_polygonale", "Point", 5),
    "code commune vide": (_code_empty, "cellule_vide", "code commune vide", 5),
    "code commune invalide": (_code_invalid, "code_invalide", "'44-01'", 5),
}


@pytest.mark.parametrize("case", SET_ASIDE, ids=_ids(SET_ASIDE))
def test_one_bad_commune_is_set_aside_and_the_rest_built(run_cli, tmp_path, case):
    spoil, category, words, kept = SET_ASIDE[case]
    code, out, err, output = build(run_cli, tmp_path, spoil(grid()))
    assert code == 0, err
    payload = summary(out)
    assert payload["communes"] == kept
    message = one_problem(payload, category)
    assert words in message and "entité " in message
    assert_actionable(message, file="communes.geojson")
    bassins = gpd.read_file(output)
    assert payload["communes_rattachees"] == 5  # the six communes of the table, less one
    assert bassins["nb_communes"].sum() == 5
    # the same file is refused in strict mode, with the way back
    code, _, err, _ = build(run_cli, tmp_path, spoil(grid()), None, "--strict")
    assert code == 2 and "--strict" in err
    assert_actionable(err, file="communes.geojson")


def test_self_intersecting_polygon_is_repaired_and_reported(run_cli, tmp_path):
    g = grid()
    x0, y0, x1, y1 = g.geometry.iloc[0].bounds
    bowtie = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    code, out, err, _output = build(run_cli, tmp_path, g.set_geometry([bowtie, *g.geometry[1:]]))
    assert code == 0, err
    payload = summary(out)
    assert payload["communes_rattachees"] == 6
    message = one_problem(payload, "geometrie_invalide")
    assert "Self-intersection" in message
    assert_actionable(message, file="communes.geojson")


# ----------------------------------------------------------------- overlaps and duplicates


def _shift(geom, dx, dy=0.0):
    return shapely.affinity.translate(geom, dx, dy)


def _overlap_half(g):
    return g.set_geometry(
        [g.geometry.iloc[0], _shift(g.geometry.iloc[1], -STEP / 2), *g.geometry[2:]]
    )


def _overlap_across_bassins(g):
    geoms = list(g.geometry)
    geoms[3] = _shift(geoms[3], 0, -STEP / 2)  # 44004 (bassin 5202) over 44001 (5201)
    return g.set_geometry(geoms)


def _copied_under_two_codes(g):
    return g.set_geometry([g.geometry.iloc[0], g.geometry.iloc[0], *g.geometry[2:]])


def _enclave_drawn_on_top(g):
    inner = g.geometry.iloc[0].buffer(-STEP / 4)
    extra = gpd.GeoDataFrame(
        {"code": ["44007"], "nom": ["Enclave"]}, geometry=[inner], crs="EPSG:4326"
    )
    return pd.concat([g, extra], ignore_index=True)


OVERLAPS = {
    # case: (spoil, pair, action, communes kept)
    "moitié d'une voisine": (_overlap_half, ("44001", "44002"), "corrigée", 6),
    "chevauchement entre deux bassins": (
        _overlap_across_bassins,
        ("44001", "44004"),
        "corrigée",
        6,
    ),
    "même polygone sous deux codes": (_copied_under_two_codes, ("44001", "44002"), "écartée", 5),
    "enclave dessinée par-dessus": (_enclave_drawn_on_top, ("44007", "44001"), "corrigée", 7),
}


@pytest.mark.parametrize("case", OVERLAPS, ids=_ids(OVERLAPS))
def test_overlapping_communes_are_reported_and_territories_do_not_overlap(run_cli, tmp_path, case):
    spoil, pair, action, kept = OVERLAPS[case]
    code, out, err, output = build(run_cli, tmp_path, spoil(grid()))
    assert code == 0, err
    payload = summary(out)
    assert payload["communes"] == kept
    (problem,) = [p for p in payload["problemes"] if p["category"] == "chevauchement"]
    assert problem["action"] == action and problem["value"] == pair[1]
    message = str(Problem(**problem))
    assert f"{pair[0]} et {pair[1]}" in message and " ha" in message
    assert_actionable(message, file="communes.geojson")
    bassins = gpd.read_file(output).to_crs("EPSG:2154")
    if len(bassins) == 2:
        shared = bassins.geometry.iloc[0].intersection(bassins.geometry.iloc[1]).area
        assert shared < polygons.OVERLAP_TOLERANCE_M2
    code, _, err, _ = build(run_cli, tmp_path, spoil(grid()), None, "--strict")
    assert code == 2 and "chevauchent" in err
    assert_actionable(err, file="communes.geojson")


def test_sliver_under_the_tolerance_is_neither_reported_nor_cut(run_cli, tmp_path):
    g = grid()
    sliver = _shift(g.geometry.iloc[1], -1e-6)  # 0.07 m wide along 5.5 km: about 400 m²
    code, out, err, _ = build(
        run_cli, tmp_path, g.set_geometry([g.geometry[0], sliver, *g.geometry[2:]])
    )
    assert code == 0, err
    assert not [p for p in summary(out)["problemes"] if p["category"] == "chevauchement"]


def test_same_code_twice_is_merged_and_reported(run_cli, tmp_path):
    g = grid()
    island = gpd.GeoDataFrame(
        {"code": ["44001"], "nom": ["Île"]},
        geometry=[_shift(g.geometry[0], 0, -STEP * 2)],
        crs="EPSG:4326",
    )
    code, out, err, _ = build(run_cli, tmp_path, pd.concat([g, island], ignore_index=True))
    assert code == 0, err
    payload = summary(out)
    assert payload["communes"] == 6
    message = one_problem(payload, "commune_en_double")
    assert "44001" in message
    assert_actionable(message, file="communes.geojson")


def test_notebook_dissolve_of_hand_built_polygons_cuts_overlaps():
    """A notebook that builds its polygons without the reader still gets the check."""
    g = _overlap_half(grid()).rename(columns={"code": "commune", "nom": "commune_nom"})
    corr = pd.DataFrame(
        table_rows(), columns=["region", "dep", "commune", "territoire", "territoire_nom"]
    )
    corr = corr[["commune", "territoire", "territoire_nom", "region"]].astype("string")
    corr.attrs["niveau"] = "bassin"
    built, report = polygons.dissolve_communes(g, corr)
    assert len(built) == 2
    assert [p["category"] for p in report.problemes] == ["chevauchement"]
    assert any("se chevauchent" in r for r in report.remarques)
    frame = report.to_frame()
    assert "ligne_corrigée" in set(frame["type"])


# ----------------------------------------------------------------- commune → territory table


def _rows_with(k: int, column: int, value: str):
    rows = table_rows()
    rows[k][column] = value
    return rows


TABLE = {
    # case: (rows, category, column header, line, communes attached)
    "code commune invalide": (
        _rows_with(0, 2, "4400A"),
        "code_invalide",
        "code_commune_insee",
        2,
        5,
    ),
    "code commune vide": (_rows_with(1, 2, ""), "cellule_vide", "code_commune_insee", 3, 5),
    "code bassin vide": (_rows_with(2, 3, ""), "cellule_vide", "code_bassin_BMO", 4, 5),
    "code bassin invalide": (_rows_with(3, 3, "52A1"), "code_invalide", "code_bassin_BMO", 5, 5),
    "code bassin à cinq chiffres": (
        _rows_with(4, 3, "52021"),
        "code_invalide",
        "code_bassin_BMO",
        6,
        5,
    ),
}


@pytest.mark.parametrize("case", TABLE, ids=_ids(TABLE))
def test_one_bad_table_row_is_set_aside_with_its_line(run_cli, tmp_path, case):
    rows, category, header, line, attached = TABLE[case]
    code, out, err, output = build(run_cli, tmp_path, grid(), rows)
    assert code == 0, err
    payload = summary(out)
    assert payload["communes_rattachees"] == attached
    (problem,) = [p for p in payload["problemes"] if p["category"] == category]
    assert problem["line"] == line and problem["column"] == header
    message = str(Problem(**problem))
    assert_actionable(message, file="commune_bassin.csv")
    assert gpd.read_file(output)["nb_communes"].sum() == attached
    code, _, err, _ = build(run_cli, tmp_path, grid(), rows, "--strict")
    assert code == 2 and f"ligne {line}" in err and "--strict" in err
    assert_actionable(err, file="commune_bassin.csv")


def test_commune_given_two_bassins_sets_aside_both_lines(run_cli, tmp_path):
    rows = [*table_rows(), ["52", "44", "44001", "5202", "DEUX"]]
    code, out, err, _ = build(run_cli, tmp_path, grid(), rows)
    assert code == 0, err
    payload = summary(out)
    assert payload["communes_rattachees"] == 5
    assert payload["communes_sans_territoire"] == ["44001"]
    conflicts = [p for p in payload["problemes"] if p["category"] == "commune_en_double"]
    assert [p["line"] for p in conflicts] == [2, 8]
    assert_actionable(str(Problem(**conflicts[0])), file="commune_bassin.csv")


def test_exact_duplicate_row_is_removed_and_kept_once(run_cli, tmp_path):
    rows = [*table_rows(), table_rows()[0]]
    code, out, err, _ = build(run_cli, tmp_path, grid(), rows, "--strict")
    assert code == 0, err
    payload = summary(out)
    assert payload["communes_rattachees"] == 6
    assert [p["line"] for p in payload["problemes"]] == [8]


def test_lost_leading_zero_is_restored(run_cli, tmp_path):
    rows = [[r[0], "1", r[2].lstrip("0"), r[3], r[4]] for r in table_rows("01")]
    polys = grid("01")
    code, out, err, _ = build(run_cli, tmp_path, polys, rows, "--strict")
    assert code == 0, err
    assert summary(out)["communes_rattachees"] == 6


def test_postal_codes_instead_of_commune_codes_are_named(run_cli, tmp_path):
    rows = [[r[0], r[1], f"44{k}00", r[3], r[4]] for k, r in enumerate(table_rows(), start=1)]
    code, out, err, _ = build(run_cli, tmp_path, grid(), rows)
    assert code == 0, err
    payload = summary(out)
    assert payload["communes_rattachees"] == 0
    (hint,) = [r for r in payload["remarques"] if "codes postaux" in r]
    assert "code commune Insee" in hint


def test_invalid_departement_cell_is_ignored_not_fatal(run_cli, tmp_path):
    code, out, err, _ = build(run_cli, tmp_path, grid(), _rows_with(0, 1, "4X"))
    assert code == 0, err
    payload = summary(out)
    assert payload["communes_rattachees"] == 6
    (problem,) = payload["problemes"]
    assert problem["action"] == "corrigée" and problem["column"] == "dep"
    assert_actionable(str(Problem(**problem)), file="commune_bassin.csv")


def test_table_mostly_wrong_is_refused(run_cli, tmp_path):
    rows = [[r[0], r[1], "n/a", r[3], r[4]] for r in table_rows()]
    code, _out, err, _ = build(run_cli, tmp_path, grid(), rows)
    assert code == 2
    assert "6 ligne(s) inutilisable(s) sur 6" in err
    assert_actionable(err, file="commune_bassin.csv")


@pytest.mark.parametrize(
    "reader", ["read_commune_bassin", "read_commune_zone_emploi", "read_commune_clpe"]
)
def test_every_commune_table_reader_sets_aside_one_bad_row(tmp_path, reader):
    header = {
        "read_commune_bassin": "code_commune_insee,code_bassin_BMO\n",
        "read_commune_zone_emploi": "codgeo,ze2020\n",
        "read_commune_clpe": "code_commune,code_clpe\n",
    }[reader]
    value = {"read_commune_bassin": "5201", "read_commune_zone_emploi": "5201"}.get(
        reader, "CLPE44001"
    )
    path = tmp_path / "table.csv"
    path.write_text(header + f"44001,{value}\n4400Z,{value}\n44003,{value}\n", encoding="utf-8")
    df = getattr(referentials, reader)(path)
    assert df["commune"].tolist() == ["44001", "44003"]
    (problem,) = problems_of(df)
    assert problem.line == 3
    assert_actionable(str(problem), file="table.csv")
    with pytest.raises(SchemaError, match="mode strict") as err:
        getattr(referentials, reader)(path, strict=True)
    assert_actionable(str(err.value), file="table.csv")


def test_library_strict_polygons_raise(tmp_path):
    path = tmp_path / "c.geojson"
    _null_one(grid()).to_file(path)
    assert len(referentials.read_commune_polygons(path)) == 5
    with pytest.raises(GeometryError, match="mode strict"):
        referentials.read_commune_polygons(path, strict=True)


def test_portrait_notes_the_commune_set_aside(tmp_path):
    """The portrait reads the polygons through the same reader: its map notes the problem."""
    from diagnostics import portrait
    from diagnostics.portrait import read_portrait_config
    from geo import settings

    demo = settings.demo_dir()
    files = []
    for source in sorted(demo.glob("communes-*.geojson")):
        gdf = gpd.read_file(source)
        if source.name.startswith("communes-9A"):
            gdf.loc[0, "geometry"] = swapped(gdf.geometry.iloc[0])
        gdf.to_file(tmp_path / source.name, driver="GeoJSON")
        files.append(str(tmp_path / source.name))
    config = read_portrait_config(demo / "portrait.toml")
    lines = [f'titre = "{config.title}"', f'date = "{config.date}"']
    tables: dict[str, list[str]] = {}
    inputs = {k: [str(p) for p in v] for k, v in config.inputs.items()}
    inputs["referentiels.communes_polygones"] = files
    for key, paths in inputs.items():
        table, name = key.split(".")
        tables.setdefault(table, []).append(f"{name} = {json.dumps(paths)}")
    for table, entries in tables.items():
        lines += [f"[{table}]", *entries]
    path = tmp_path / "portrait.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = portrait.load_portrait(path, "departement", "9A")
    notes = repr(portrait.section_territory_map(data))
    assert "communes-9A-ormelin.geojson, colonne « code » : entité 1 : commune 9A" in notes
    assert "inversées (latitude/longitude)" in notes


LISTS = {
    # reader: (file name, text with one bad row on line 3, rows kept)
    "read_zones_emploi": ("zones.csv", "ze2020,libze2020\n5201,UN\n52A,DEUX\n5203,TROIS\n", 2),
    "read_cog_communes": (
        "communes.csv",
        "codgeo,libgeo,dep\n44001,A,44\n44X02,B,44\n44003,C,44\n",
        2,
    ),
    "read_departements": ("departements.csv", "dep,reg,libelle\n44,52,LA\n4Z,52,X\n49,52,ML\n", 2),
    "read_code_passage": (
        "passage.csv",
        "ancien_code,code_courant\n44001,44002\n,44004\n44005,44006\n",
        2,
    ),
}


@pytest.mark.parametrize("reader", LISTS, ids=_ids(LISTS))
def test_referential_lists_set_aside_one_bad_row(tmp_path, reader):
    name, text, kept = LISTS[reader]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    df = getattr(referentials, reader)(path)
    assert len(df) == kept
    (problem,) = problems_of(df)
    assert problem.line == 3 and problem.action == "écartée"
    assert_actionable(str(problem), file=name)


def test_population_json_sets_aside_one_bad_entry_and_a_negative_population(tmp_path):
    entries = [
        {"code": "44001", "nom": "A", "population": 100},
        {"code": "44X02", "nom": "B", "population": 200},
        {"code": "44003", "nom": "C", "population": -5},
    ]
    path = tmp_path / "communes.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    df = referentials.read_communes_population(path)
    assert df["commune"].tolist() == ["44001", "44003"]
    assert df["population"].isna().tolist() == [False, True]
    bad, negative = problems_of(df)
    assert "entrée 2" in bad.message and negative.action == "corrigée"
    for problem in (bad, negative):
        assert_actionable(str(problem), file="communes.json")


def test_commune_set_aside_is_not_blamed_on_another_cog_vintage(run_cli, tmp_path):
    code, out, err, _ = build(run_cli, tmp_path, _null_one(grid()))
    assert code == 0, err
    payload = summary(out)
    assert payload["correspondance_sans_polygone"] == ["44001"]
    (remark,) = [r for r in payload["remarques"] if "sans polygone" in r]
    assert "écarté à la lecture (44001)" in remark and "millésime" not in remark
