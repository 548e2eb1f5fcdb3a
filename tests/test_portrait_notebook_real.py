"""The portrait notebook run by papermill on the real files, for a bassin and for a région.

Expected figures are recomputed here from the raw public files with plain pandas
(population from the API Découpage administratif file, recruitment projects from the
BMO open-data sheet), not through the library.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from diagnostics.portrait.batch import execute_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "portrait_territoire.ipynb"

pytestmark = [pytest.mark.real_data, pytest.mark.notebook]


@pytest.fixture(scope="module")
def raw(shared_data):
    """The raw referential and BMO tables, read without the library."""
    referentials = shared_data / "referentiels"
    population = pd.DataFrame(
        json.loads((referentials / "communes_population.json").read_text(encoding="utf-8"))
    )
    population = population[population["type"] == "commune-actuelle"]
    bassins = pd.read_csv(referentials / "commune_bassin_bmo.csv", dtype=str)
    regions = pd.read_csv(referentials / "regions.csv", dtype=str)
    bmo = pd.read_excel(
        shared_data / "bmo" / "Base_open_data_BMO_2024.xlsx",
        sheet_name="BMO_2024_open_data",
        engine="calamine",
        dtype=str,
    )
    for column in ("met", "xmet"):
        bmo[column] = pd.to_numeric(bmo[column], errors="coerce")  # "*": secret, not 0
    return {"population": population, "bassins": bassins, "regions": regions, "bmo": bmo}


def _run(warm_kernel, real_config, tmp_path, niveau, code):
    summary = tmp_path / "resume.json"
    executed = execute_notebook(
        NOTEBOOK,
        tmp_path / "portrait.ipynb",
        {
            "configuration": str(real_config),
            "niveau": niveau,
            "code": code,
            "annees": "2024",  # a plain string, as `papermill -p annees 2024` gives it
            "resume": str(summary),
        },
        kernel=warm_kernel,
    )
    errors = [
        o.get("ename")
        for cell in executed.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors == []
    assert all(
        c.get("execution_count") for c in executed.cells if c.cell_type == "code" and c.source
    )
    return json.loads(summary.read_text(encoding="utf-8")), executed


def _shown_text(executed: nbformat.NotebookNode) -> str:
    parts = []
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(str(data.get("text/html", data.get("text/plain", output.get("text", "")))))
    return "\n".join(parts)


def test_portrait_notebook_on_a_real_bassin_asked_by_name(warm_kernel, real_config, tmp_path, raw):
    bassins = raw["bassins"]
    nantes = bassins.loc[bassins["lib_bassin_BMO"].str.upper() == "NANTES", "code_bassin_BMO"]
    assert nantes.nunique() == 1
    code = nantes.iloc[0]

    summary, executed = _run(warm_kernel, real_config, tmp_path, "bassin", "Nantes")

    assert summary["territoire"]["code"] == code and summary["territoire"]["nom"] == "Nantes"
    communes = set(bassins.loc[bassins["code_bassin_BMO"] == code, "code_commune_insee"])
    population = raw["population"]
    expected_population = population.loc[population["code"].isin(communes), "population"].sum()
    facts = summary["chiffres_cles"]
    assert facts["population"] == expected_population
    local = raw["bmo"][raw["bmo"]["BE24"].astype(str) == code]
    assert facts["projets_bmo"] == local["met"].sum()
    assert facts["part_difficiles"] == pytest.approx(local["xmet"].sum() / local["met"].sum())
    assert summary["annees"] == [2024]
    sections = summary["sections"]
    for produced in ("synthese", "chiffres_cles", "bmo_metiers", "demandeurs", "acces"):
        assert sections[produced] == "produite", produced
    # no partner directory among the public files: the portrait says what would add it
    assert sections["partenaires"].startswith("absente : Non établi ici")
    assert "Traceback" not in _shown_text(executed)


def test_portrait_notebook_on_the_real_region(warm_kernel, real_config, tmp_path, raw):
    regions, bmo, bassins = raw["regions"], raw["bmo"], raw["bassins"]
    # the configured région: the one of the Nantes bassin, read from the referential
    code = bassins.loc[bassins["lib_bassin_BMO"].str.upper() == "NANTES", "reg"].iloc[0]
    name = regions.loc[regions["reg"] == code, "libelle"].iloc[0]

    summary, executed = _run(warm_kernel, real_config, tmp_path, "region", name)

    assert summary["territoire"]["code"] == code
    population = raw["population"]
    assert summary["chiffres_cles"]["population"] == (
        population.loc[population["region"] == code, "population"].sum()
    )
    local = bmo[bmo["REG"].astype(str) == code]
    assert summary["chiffres_cles"]["projets_bmo"] == local["met"].sum()
    assert name in _shown_text(executed)
