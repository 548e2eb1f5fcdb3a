"""The partner notebooks run by papermill on the real Pays de la Loire files, and on the demo.

The real configuration (``tests/data/portrait_pays_de_la_loire.toml``) has no partner
directory and no positioning: the notebooks say so and run to the end. What they show
of the France Travail sites is checked against the raw public files, read here with
plain pandas and geopandas.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from diagnostics.portrait.batch import execute_notebook

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"


def _outputs(path: Path) -> tuple[str, list[str]]:
    """The text of every output of an executed notebook, and its error outputs."""
    nb = nbformat.read(path, as_version=4)
    texts, errors = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"{out['ename']}: {out['evalue']}")
            elif out.get("output_type") == "stream":
                texts.append(out["text"])
            else:
                data = out.get("data", {})
                texts.append(data.get("text/markdown") or data.get("text/html") or "")
    return "\n".join(texts), errors


# ---------------------------------------------------------------- raw public files


def _raw_agences(shared: Path) -> pd.DataFrame:
    """The agences locales (``TYPE_SITE == "ALE"``) of the raw sites file, with their coordinates."""
    raw = pd.read_csv(
        shared / "partenaires" / "pole_emploi_agencies.csv", dtype=str, keep_default_na=False
    )
    raw = raw[raw["TYPE_SITE"] == "ALE"].copy()
    raw["lat"] = pd.to_numeric(raw["DN_LATITUDE"].str.replace(",", "."), errors="coerce")
    raw["lon"] = pd.to_numeric(raw["DN_LONGITUDE"].str.replace(",", "."), errors="coerce")
    return raw.dropna(subset=["lat", "lon"]).reset_index(drop=True)


def _raw_polygons(shared: Path):
    import geopandas as gpd

    parts = [gpd.read_file(p) for p in sorted((shared / "geometries").glob("communes-*.geojson"))]
    shapes = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(shapes, geometry="geometry", crs=parts[0].crs)


def _raw_bassin_communes(shared: Path, bassin: str) -> set[str]:
    table = pd.read_csv(shared / "referentiels" / "commune_bassin_bmo.csv", dtype=str)
    return set(table.loc[table["code_bassin_BMO"] == bassin, "code_commune_insee"].str.zfill(5))


@pytest.fixture(scope="module")
def raw_5220(shared_data):
    """Agences, communes and population of bassin 5220 computed from the raw files."""
    import geopandas as gpd

    communes = _raw_bassin_communes(shared_data, "5220")
    shapes = _raw_polygons(shared_data)
    shapes = shapes[shapes["code"].astype(str).str.zfill(5).isin(communes)].to_crs(2154)
    agences = _raw_agences(shared_data)
    points = gpd.GeoDataFrame(
        agences, geometry=gpd.points_from_xy(agences["lon"], agences["lat"]), crs=4326
    ).to_crs(2154)
    inside = gpd.sjoin(points, shapes[["code", "geometry"]], predicate="within")
    # distance from each commune's centre to the nearest agence, wherever it is
    centres = shapes.geometry.centroid
    farthest = max(points.distance(c).min() for c in centres) / 1000
    entries = json.loads(
        (shared_data / "referentiels" / "communes_population.json").read_text(encoding="utf-8")
    )
    current = {e["code"]: e.get("population") for e in entries if e["type"] == "commune-actuelle"}
    population = sum(current[c] or 0 for c in communes if c in current)
    return {"agences": sorted(inside["NOM"]), "farthest_km": farthest, "population": population}


# ---------------------------------------------------------------- partenaires.ipynb


@pytest.mark.real_data
@pytest.mark.parametrize("code", ["5220", "Nantes"])
def test_partners_notebook_on_bassin_5220(warm_kernel, tmp_path, real_config, raw_5220, code):
    out = tmp_path / "couverture.csv"
    executed = tmp_path / "partenaires.ipynb"
    execute_notebook(
        FOLDER / "partenaires.ipynb",
        executed,
        {"configuration": str(real_config), "niveau": "bassin", "code": code, "sortie": str(out)},
        kernel=warm_kernel,
    )
    text, errors = _outputs(executed)
    assert errors == []
    assert "bassin d'emploi BMO 5220 – Nantes" in text
    # the parts without their input say so, in French, and name the missing entry
    assert "Non établi ici : l'annuaire des partenaires" in text
    assert "Non établi ici : le positionnement des acteurs" in text
    assert "entrée `annuaire` de la section `[partenaires]`" in text
    assert "`positionnement`" in text and "de la section `[partenaires]`" in text
    # the France Travail agences of the bassin, as the raw file places them
    agences = raw_5220["agences"]
    assert f"{len(agences)} agence(s) France Travail dans le territoire" in text
    for name in agences:
        assert name in text
    # the export: one row, the agences, with the raw files' figures
    export = pd.read_csv(out, dtype={"territoire": str})
    assert export["type"].tolist() == ["agence_france_travail"]
    row = export.iloc[0]
    assert row["territoire"] == "5220" and row["nb_sites"] == len(agences)
    assert row["population"] == raw_5220["population"]
    assert row["distance_max_km"] == pytest.approx(raw_5220["farthest_km"], abs=0.5)
    assert pd.isna(row["part_communes_couvertes"])  # the sites file gives no ressort
    assert "Couverture écrite dans" in text


@pytest.mark.real_data
def test_partners_notebook_on_region_52(warm_kernel, tmp_path, real_config, shared_data):
    out = tmp_path / "couverture.csv"
    executed = tmp_path / "partenaires.ipynb"
    execute_notebook(
        FOLDER / "partenaires.ipynb",
        executed,
        {"configuration": str(real_config), "niveau": "region", "code": "52", "sortie": str(out)},
        kernel=warm_kernel,
    )
    text, errors = _outputs(executed)
    assert errors == []
    assert "Non établi ici : l'annuaire des partenaires" in text
    raw = _raw_agences(shared_data)
    expected = int((raw["REGION"] == "52").sum())  # the région written in the raw file
    assert f"{expected} agence(s) France Travail dans le territoire" in text
    export = pd.read_csv(out, dtype={"territoire": str})
    assert export[["territoire", "nb_sites"]].values.tolist() == [["52", expected]]


@pytest.mark.real_data
def test_partners_notebook_says_when_there_is_nothing_to_write(
    warm_kernel, tmp_path, real_config, shared_data
):
    """The real configuration less its sites file: no directory, no sites, nothing to export."""
    out = tmp_path / "couverture.csv"
    executed = tmp_path / "partenaires.ipynb"
    config = tmp_path / "sans_sites.toml"
    lines = real_config.read_text(encoding="utf-8").replace(
        "../../../shared/data", str(shared_data)
    )
    config.write_text(
        "\n".join(
            line for line in lines.splitlines() if not line.startswith("sites_france_travail")
        ),
        encoding="utf-8",
    )
    execute_notebook(
        FOLDER / "partenaires.ipynb",
        executed,
        {"configuration": str(config), "code": "5220", "sortie": str(out)},
        kernel=warm_kernel,
    )
    text, errors = _outputs(executed)
    assert errors == []
    assert "Non établi ici : l'accès aux agences France Travail" in text
    assert f"Rien n'est écrit dans {out}" in text
    assert not out.exists()


def test_partners_notebook_on_the_demo_without_directory(warm_kernel, tmp_path, demo_dir):
    """The demo configuration less its directory: the agences only, every other part noted."""
    folder = tmp_path / "demo"
    shutil.copytree(demo_dir, folder)
    config = folder / "portrait.toml"
    text = config.read_text(encoding="utf-8")
    for line in ('annuaire = "partenaires.csv"', 'positionnement = "positionnement.csv"'):
        assert line in text
        text = text.replace(line, "")
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "couverture.csv"
    executed = tmp_path / "partenaires.ipynb"
    execute_notebook(
        FOLDER / "partenaires.ipynb",
        executed,
        {"configuration": str(config), "code": "9901", "sortie": str(out)},
        kernel=warm_kernel,
    )
    text, errors = _outputs(executed)
    assert errors == []
    assert "Non établi ici : l'annuaire des partenaires" in text
    assert pd.read_csv(out)["type"].tolist() == ["agence_france_travail"]


# ---------------------------------------------------------------- atelier_partenaires.ipynb


@pytest.mark.real_data
def test_workshop_notebook_on_the_real_configuration(warm_kernel, tmp_path, real_config):
    executed = tmp_path / "atelier.ipynb"
    before = sorted(p.name for p in real_config.parent.iterdir())
    execute_notebook(
        FOLDER / "atelier_partenaires.ipynb",
        executed,
        {"configuration": str(real_config), "niveau": "bassin", "code": "Nantes"},
        kernel=warm_kernel,
    )
    text, errors = _outputs(executed)
    assert errors == []
    assert "Aucun enregistrement possible : la configuration ne donne pas d'annuaire" in text
    assert sorted(p.name for p in real_config.parent.iterdir()) == before  # nothing written


def test_workshop_notebook_on_the_demo(warm_kernel, tmp_path, demo_dir):
    executed = tmp_path / "atelier.ipynb"
    execute_notebook(
        FOLDER / "atelier_partenaires.ipynb",
        executed,
        {"configuration": str(demo_dir / "portrait.toml"), "code": "Vegicourt"},
        kernel=warm_kernel,
    )
    text, errors = _outputs(executed)
    assert errors == []
    assert f"Rôles enregistrés dans : {demo_dir / 'positionnement.csv'}" in text
    assert f"Décisions enregistrées dans : {demo_dir / 'decisions_atelier.csv'}" in text
