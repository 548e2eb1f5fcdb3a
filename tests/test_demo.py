"""Tests of the fictional demonstration territory (``scripts/demo/make_demo.py``, ``data/demo/``)."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import shape

from geo import codes

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
SCRIPT = ROOT / "scripts" / "demo" / "make_demo.py"
REGENERATE = "run `python scripts/demo/make_demo.py` and commit data/demo/"


@pytest.fixture(scope="module")
def make_demo():
    """The generator script, imported as a module."""
    spec = importlib.util.spec_from_file_location("make_demo", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_demo"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["make_demo"]


def _csv(name: str, sep: str = ",") -> pd.DataFrame:
    return pd.read_csv(DEMO / name, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def polygons() -> dict[str, shapely.Geometry]:
    out = {}
    for path in sorted(DEMO.glob("communes-*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            out[feature["properties"]["code"]] = shape(feature["geometry"])
    return out


@pytest.fixture(scope="module")
def bassins() -> pd.DataFrame:
    return _csv("commune_bassin_bmo.csv")


@pytest.fixture(scope="module")
def population() -> list[dict]:
    return json.loads((DEMO / "communes_population.json").read_text(encoding="utf-8"))


def _partition(df: pd.DataFrame, key: str, group: str) -> set[frozenset[str]]:
    return {frozenset(g[key]) for _, g in df.groupby(group)}


# ---------------------------------------------------------------- up to date


def _same_file(new: Path, committed: Path) -> bool:
    """Byte-identical, or for GeoJSON the same features up to 2e-6 degree.

    Another GEOS/PROJ release may move a coordinate by one unit of the last
    decimal: that is not a stale demo file.
    """
    if new.read_bytes() == committed.read_bytes():
        return True
    if new.suffix != ".geojson":
        return False
    import shapely

    a, b = (json.loads(p.read_text(encoding="utf-8"))["features"] for p in (new, committed))
    if [f["properties"] for f in a] != [f["properties"] for f in b]:
        return False
    ga = shapely.normalize(shapely.from_geojson([json.dumps(f["geometry"]) for f in a]))
    gb = shapely.normalize(shapely.from_geojson([json.dumps(f["geometry"]) for f in b]))
    return bool(shapely.equals_exact(ga, gb, tolerance=2e-6).all())


def test_demo_files_are_deterministic_and_up_to_date(make_demo, tmp_path):
    written = sorted(p.relative_to(tmp_path) for p in make_demo.write_all(tmp_path))
    assert written == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    missing = [str(p) for p in written if not (DEMO / p).is_file()]
    assert not missing, f"data/demo/ lacks {missing}: {REGENERATE}"
    stale = [str(p) for p in written if not _same_file(tmp_path / p, DEMO / p)]
    assert not stale, f"data/demo/ is out of date ({', '.join(stale)}): {REGENERATE}"
    # Top-level files are all written by the script (sub-folders may come from others).
    hand_written = {"portrait.toml"}  # configuration of the demo portraits, not generated
    extra = (
        {p.name for p in DEMO.iterdir() if p.is_file()} - {str(p) for p in written} - hand_written
    )
    assert not extra, f"data/demo/ holds files the script does not write: {sorted(extra)}"
    assert sum((DEMO / p).stat().st_size for p in written) < 1_500_000


def test_independent_random_streams(make_demo):
    a = make_demo.random_stream("bassins").random(3)
    assert np.array_equal(a, make_demo.random_stream("bassins").random(3))
    assert not np.array_equal(a, make_demo.random_stream("clpe").random(3))


# ---------------------------------------------------------------- contents


def test_counts(polygons, bassins, population):
    assert 250 <= len(polygons) <= 350
    assert len(population) == len(polygons)
    assert {p["code"] for p in population} == set(polygons)
    assert _csv("departements.csv")["dep"].tolist() == ["9A", "9B", "9C"]
    assert 8 <= bassins["code_bassin_BMO"].nunique() <= 12
    assert 5 <= _csv("zones_emploi.csv").shape[0] <= 8
    assert 6 <= _csv("commune_clpe.csv")["territoire_id"].nunique() <= 10
    assert _csv("commune_zone_emploi.csv")["codgeo"].tolist() == sorted(polygons)
    assert _csv("insee_communes.csv")["code_insee"].tolist() == sorted(polygons)


def test_codes_are_fictional_and_valid(polygons, bassins):
    communes = pd.Series(sorted(polygons))
    assert communes.str.fullmatch(r"9[ABC]\d{3}").all()
    assert codes.is_valid(communes, "commune").all()
    assert codes.is_valid(bassins["code_bassin_BMO"], "bassin").all()
    assert bassins["code_bassin_BMO"].str.startswith("99").all()
    assert codes.is_valid(_csv("zones_emploi.csv")["ze2020"], "zone_emploi").all()
    clpe = _csv("commune_clpe.csv")
    assert (clpe["territoire_id"].str.slice(4, 6) == clpe["departement_id"]).all()
    valid = codes.is_valid(clpe["territoire_id"], "clpe")
    assert valid.all(), f"geo.codes rejects {sorted(set(clpe['territoire_id'][~valid]))}"


def test_region_is_labelled_fictive():
    regions = _csv("regions.csv")
    assert regions["reg"].tolist() == ["99"]
    assert "fictive" in regions.loc[0, "libelle"]
    assert "fictive" in regions.loc[0, "nccenr"]


def test_bassins_nested_in_departements(bassins):
    assert (bassins.groupby("code_bassin_BMO")["dep"].nunique() == 1).all()
    assert (bassins["code_commune_insee"].str.slice(0, 2) == bassins["dep"]).all()
    assert (bassins.groupby("code_bassin_BMO")["lib_bassin_BMO"].nunique() == 1).all()
    labels = bassins["lib_bassin_BMO"]
    assert (labels == labels.str.upper()).all() and labels.str.isascii().all()


def test_zones_emploi_and_clpe_differ_from_bassins(bassins):
    current = bassins[bassins["code_commune_insee"].isin(_csv("insee_communes.csv")["code_insee"])]
    bassin_groups = _partition(current, "code_commune_insee", "code_bassin_BMO")
    ze = _csv("commune_zone_emploi.csv")
    clpe = _csv("commune_clpe.csv")
    assert not _partition(ze, "codgeo", "ze2020") & bassin_groups
    assert not _partition(clpe, "commune_id", "territoire_id") & bassin_groups
    assert (ze.groupby("ze2020")["dep"].nunique() > 1).sum() >= 2
    assert (clpe.groupby("territoire_id")["departement_id"].nunique() == 1).all()
    nb_com = _csv("zones_emploi.csv").set_index("ze2020")["nb_com"].astype(int)
    assert nb_com.to_dict() == ze["ze2020"].value_counts().to_dict()


@pytest.mark.parametrize(
    ("name", "key", "group"),
    [
        ("departements", "codgeo", "dep"),
        ("bassins", "code_commune_insee", "code_bassin_BMO"),
        ("zones_emploi", "codgeo", "ze2020"),
        ("clpe", "commune_id", "territoire_id"),
    ],
)
def test_groups_are_contiguous(polygons, bassins, name, key, group):
    table = {
        "departements": lambda: _csv("commune_zone_emploi.csv"),
        "bassins": lambda: bassins[bassins["code_commune_insee"].isin(polygons)],
        "zones_emploi": lambda: _csv("commune_zone_emploi.csv"),
        "clpe": lambda: _csv("commune_clpe.csv"),
    }[name]()
    for code, members in table.groupby(group)[key]:
        merged = shapely.union_all([polygons[c] for c in members], grid_size=1e-6)
        assert merged.geom_type == "Polygon", f"{name} {code} is not contiguous"


def test_commune_polygons_form_an_exact_coverage(polygons):
    geoms = np.array(list(polygons.values()))
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    to_metric = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    metric = shapely.transform(geoms, lambda xy: np.column_stack(to_metric.transform(*xy.T)))
    union = shapely.union_all(metric)
    assert union.geom_type == "Polygon" and not union.interiors  # no gap, one island
    assert union.area == pytest.approx(shapely.area(metric).sum(), rel=1e-9)  # no overlap
    lon, lat = shapely.get_coordinates(geoms).T
    assert (lon < -7.5).all() and ((lat > 45.5) & (lat < 47.2)).all()


def test_coordinates_have_six_decimals():
    text = next(DEMO.glob("communes-9A-*.geojson")).read_text(encoding="utf-8")
    numbers = pd.Series(text.replace("[", ",").replace("]", ",").split(","))
    numbers = numbers[numbers.str.fullmatch(r"-?\d+\.\d+")]
    assert numbers.str.split(".").str[1].str.len().max() <= 6


def test_populations(population):
    values = [p["population"] for p in population]
    assert all(isinstance(v, int) and v > 0 for v in values)
    assert 700_000 <= sum(values) <= 900_000
    assert {p["type"] for p in population} == {"commune-actuelle"}
    assert {p["zone"] for p in population} == {"metro"}
    assert all(p["siren"].startswith("999") and len(p["siren"]) == 9 for p in population)
    by_code = {p["code"]: p["population"] for p in population}
    for dep in _csv("departements.csv").itertuples():
        in_dep = [v for c, v in by_code.items() if c.startswith(dep.dep)]
        assert by_code[dep.cheflieu] == max(in_dep)


def test_commune_names_are_unique(population):
    names = [p["nom"] for p in population]
    assert len(set(names)) == len(names)


def test_former_communes(polygons, bassins):
    passage = _csv("passage_codes_communes.csv", sep=";")
    moved = passage[passage["Ancien Code Officiel"] != passage["Code Courant Officiel"]]
    assert len(moved) == 2
    assert set(passage["Code Courant Officiel"]) == set(polygons)
    bassin_of = bassins.set_index("code_commune_insee")["code_bassin_BMO"]
    for old, current in zip(
        moved["Ancien Code Officiel"], moved["Code Courant Officiel"], strict=True
    ):
        assert old not in polygons
        assert bassin_of[old] == bassin_of[current]
    assert len(bassins) == len(polygons) + 2


def test_file_formats():
    passage = (DEMO / "passage_codes_communes.csv").read_bytes()
    assert passage.startswith(b"\xef\xbb\xbfAnn") and passage.endswith(b"\r\n")
    assert passage.count(b"\n") == passage.count(b"\r\n")
    bassin = (DEMO / "commune_bassin_bmo.csv").read_bytes()
    assert b"\r\n" in bassin and not bassin.endswith(b"\n")
    geojson = next(DEMO.glob("communes-9B-*.geojson")).read_bytes()
    assert b"\n" not in geojson and b'"crs"' not in geojson
    assert (DEMO / "communes_population.json").read_bytes().startswith(b'[\n{"code":"9A001"')


# ---------------------------------------------------------------- against the real files


def _first_line(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: data.index(b"\n") + 1]


@pytest.mark.real_data
@pytest.mark.parametrize(
    "name",
    [
        "commune_bassin_bmo.csv",
        "commune_zone_emploi.csv",
        "zones_emploi.csv",
        "commune_clpe.csv",
        "insee_communes.csv",
        "departements.csv",
        "regions.csv",
        "passage_codes_communes.csv",
    ],
)
def test_same_header_and_line_endings_as_real_file(shared_data, name):
    real, demo = shared_data / "referentiels" / name, DEMO / name
    assert _first_line(demo) == _first_line(real)
    assert demo.read_bytes().endswith(b"\n") == real.read_bytes().endswith(b"\n")


@pytest.mark.real_data
def test_same_json_keys_as_real_files(shared_data, population):
    real = json.loads(
        (shared_data / "referentiels" / "communes_population.json").read_text("utf-8")
    )
    real_keys = {tuple(o) for o in real if o["type"] == "commune-actuelle" and o["zone"] == "metro"}
    assert {tuple(o) for o in population} <= real_keys
    geo_real = json.loads(
        next((shared_data / "geometries").glob("communes-44-*.geojson")).read_bytes()
    )
    geo_demo = json.loads(next(DEMO.glob("communes-9A-*.geojson")).read_bytes())
    assert list(geo_demo) == list(geo_real)
    assert list(geo_demo["features"][0]) == list(geo_real["features"][0])
    assert list(geo_demo["features"][0]["properties"]) == ["code", "nom"]


@pytest.mark.real_data
def test_no_real_commune_name_and_no_real_place(shared_data, population, polygons):
    def key(name: str) -> str:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        return ascii_name.lower().replace("-", " ").replace("'", " ")

    with (shared_data / "referentiels" / "insee_communes.csv").open(encoding="utf-8") as f:
        real_names = {key(row["libelle_commune"]) for row in csv.DictReader(f)}
    clashes = [p["nom"] for p in population if key(p["nom"]) in real_names]
    assert not clashes, f"noms de communes réels dans la démo : {clashes}"
    departements = json.loads(
        (shared_data / "geometries" / "departements-version-simplifiee.geojson").read_text("utf-8")
    )
    france = shapely.union_all([shape(f["geometry"]) for f in departements["features"]])
    island = shapely.union_all(list(polygons.values()))
    assert not island.intersects(france)
