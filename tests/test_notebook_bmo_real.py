"""tensions_bmo and prise_en_main on the real Pays de la Loire files (papermill, warm kernel).

Every expected value is computed here from the raw public files with plain pandas, never
read back from the library: the BMO open-data file (``*`` secret cells left out of the
sums), the commune → bassin table and the Insee régions.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from diagnostics.portrait.batch import execute_notebook

pytestmark = pytest.mark.real_data

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
#: The notebook's threshold: métiers of at least 5 published projects compete.
MIN_PROJETS = 5
NB_METIERS = 8


def _errors(notebook: nbformat.NotebookNode) -> list[str]:
    return [
        f"{o['ename']}: {o['evalue']}"
        for c in notebook.cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def _text(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            data = output.get("data", {})
            parts.append(data.get("text/markdown") or data.get("text/plain", ""))
    return "\n".join(parts)


def _french_int(value: float) -> str:
    """12345 → « 12 345 » (narrow no-break space), as the notebook writes counts."""
    return f"{round(value):,}".replace(",", "\u202f")


@pytest.fixture(scope="module")
def bmo_2024(shared_data) -> pd.DataFrame:
    """The raw BMO 2024 file: counts as numbers, ``*`` (secret) as missing."""
    raw = pd.read_excel(
        shared_data / "bmo" / "Base_open_data_BMO_2024.xlsx",
        sheet_name="BMO_2024_open_data",
        dtype=str,
        engine="calamine",
    )
    for column in ("met", "xmet", "smet"):
        raw[column] = pd.to_numeric(raw[column].str.strip(), errors="coerce")  # '*' → NaN
    return raw


@pytest.fixture(scope="module")
def bassins_table(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "referentiels" / "commune_bassin_bmo.csv", dtype=str)


def _expected_tensions(rows: pd.DataFrame) -> tuple[pd.DataFrame, float, float]:
    """Top métiers en tension of the BMO rows of a territory, its projects and its share.

    The rule of the notebook: among the métiers of at least MIN_PROJETS published
    projects whose share judged difficult is at least the territory's, the most
    difficult projects first (ties: share, projects, code).
    """
    total = rows["met"].sum()
    share = rows["xmet"].sum() / total
    by = rows.groupby("Code métier BMO").agg(
        projets=("met", lambda s: s.sum(min_count=1)),
        difficiles=("xmet", lambda s: s.sum(min_count=1)),
    )
    by["part"] = by["difficiles"] / by["projets"]
    eligible = by[(by["projets"] >= MIN_PROJETS) & (by["part"] >= share)].reset_index()
    eligible = eligible.sort_values(
        ["difficiles", "part", "projets", "Code métier BMO"],
        ascending=[False, False, False, True],
    )
    return eligible.head(NB_METIERS).reset_index(drop=True), total, share


def _run_tensions(warm_kernel, real_config, tmp_path, niveau, code):
    out = tmp_path / "tensions.csv"
    executed = execute_notebook(
        FOLDER / "tensions_bmo.ipynb",
        tmp_path / "tensions.ipynb",
        {
            "configuration": str(real_config),
            "niveau": niveau,
            "code": code,
            "nb_metiers": NB_METIERS,
            "sortie": str(out),
        },
        kernel=warm_kernel,
    )
    assert _errors(executed) == []
    assert out.is_file()
    return executed, pd.read_csv(out, dtype={"metier": str})


def _check_tensions(executed, ranking, rows):
    expected, total, share = _expected_tensions(rows)
    assert ranking["metier"].tolist() == expected["Code métier BMO"].tolist()
    assert ranking["projets"].tolist() == expected["projets"].astype(int).tolist()
    assert ranking["projets_difficiles"].tolist() == expected["difficiles"].astype(int).tolist()
    assert ranking["part_difficiles_territoire"].iloc[0] == pytest.approx(share)
    assert ranking["rang"].tolist() == list(range(1, len(expected) + 1))
    assert set(ranking["annee"]) == {2024}
    # one vintage: the reading of the year, with the territory's projects, replaces the table
    text = _text(executed)
    assert "Un seul millésime de l'enquête (2024) : pas d'évolution à calculer." in text
    assert f"En 2024 : {_french_int(total)} projets de recrutement" in text


@pytest.mark.parametrize("code", ["5220", "Nantes"])
def test_tensions_of_a_real_bassin(
    warm_kernel, real_config, bmo_2024, bassins_table, tmp_path, code
):
    named = bassins_table.loc[bassins_table["lib_bassin_BMO"].str.upper() == code.upper()]
    bassin = named["code_bassin_BMO"].iloc[0] if len(named) else code
    executed, ranking = _run_tensions(warm_kernel, real_config, tmp_path, "bassin", code)
    _check_tensions(executed, ranking, bmo_2024[bmo_2024["BE24"] == bassin])
    assert f"bassin d'emploi BMO {bassin} – " in _text(executed)


def test_tensions_of_the_real_region(warm_kernel, real_config, bmo_2024, tmp_path):
    executed, ranking = _run_tensions(warm_kernel, real_config, tmp_path, "region", "52")
    _check_tensions(executed, ranking, bmo_2024[bmo_2024["REG"] == "52"])


def test_getting_started_builds_the_bassins_of_the_real_region(
    warm_kernel, real_config, shared_data, bassins_table, tmp_path
):
    executed = execute_notebook(
        FOLDER / "prise_en_main.ipynb",
        tmp_path / "prise_en_main.ipynb",
        {
            "configuration": str(real_config),
            "niveau": "region",
            "code": "52",
            "decoupage": "bassin",
            "sortie": str(tmp_path),
        },
        kernel=warm_kernel,
    )
    assert _errors(executed) == []
    # the bassins the BMO publishes in the région (the table's region column)
    expected = set(bassins_table.loc[bassins_table["reg"] == "52", "code_bassin_BMO"])
    shapes = json.loads((tmp_path / "bassin.geojson").read_text(encoding="utf-8"))
    assert len(shapes["features"]) == len(expected)
    assert {f["properties"]["territoire"] for f in shapes["features"]} == expected
    # bassins published in another région with communes here are named, not counted
    communes = pd.read_json(shared_data / "referentiels" / "communes_population.json")
    here = communes.loc[
        (communes["type"] == "commune-actuelle") & (communes["region"].astype(str) == "52"), "code"
    ]
    rows = bassins_table[bassins_table["code_commune_insee"].isin(set(here.astype(str)))]
    elsewhere = set(rows["code_bassin_BMO"]) - expected
    text = _text(executed)
    assert f"{len(expected)} bassins d'emploi BMO dans région 52 – " in text
    for code in elsewhere:
        assert f"Non compté : {code} – " in text
    # the title names the région as the Insee file does
    regions = pd.read_csv(shared_data / "referentiels" / "regions.csv", dtype=str)
    name = regions.loc[regions["reg"] == "52", "libelle"].item()
    page = html.unescape((tmp_path / "carte_bassin.html").read_text(encoding="utf-8"))
    assert f"Bassins d'emploi BMO – {name}" in page
