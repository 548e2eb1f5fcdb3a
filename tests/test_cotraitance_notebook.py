"""The steering committee's notebook, run by papermill with injected parameters."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from diagnostics.portrait.batch import execute_notebook
from geo import settings
from tests.test_cli_cotraitance import small_counts_in_files

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "cotraitance_suivi.ipynb"


def _printed(executed) -> str:
    return "".join(
        o.get("text", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )


def test_committee_notebook_writes_protected_exports_for_another_month(warm_kernel, tmp_path):
    out = tmp_path / "comite"
    executed = execute_notebook(
        NOTEBOOK,
        tmp_path / "cotraitance_suivi.ipynb",
        {
            "configuration": str(settings.demo_dir() / "portrait.toml"),
            "niveau": "region",
            "code": "99",
            "annee": 2024,
            "mois": 3,
            "seuil": 5,
            "sortie": str(out),
        },
        kernel=warm_kernel,
    )
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    summary = _printed(executed)
    assert "Cotraitance : situation à fin mars 2024." in summary
    assert "Fichiers lus : structures.csv, flux.csv, objectifs.csv, besoins.csv" in summary
    written = sorted(out.iterdir())
    assert {p.suffix for p in written} == {".csv", ".xlsx", ".json", ".png", ".html"}
    assert {"atteinte.csv", "alertes.csv", "paiements.csv", "acces.csv", "carte_flux.html"} <= {
        p.name for p in written
    }
    # the exported tables are under the threshold: no count 1–4 in any written file
    assert small_counts_in_files(written, 5) == []
    assert "s" in set(pd.read_csv(out / "sankey.csv", sep=";", dtype="string")["volume"])
    # the injected month was used: projection = entries × 12 / 3
    t = pd.read_csv(out / "atteinte.csv", sep=";", dtype="string")
    shown = t[(t["entrees_objectif"] != "s") & (t["projection_fin_annee"] != "s")]
    assert len(shown) > 0
    assert (
        shown["projection_fin_annee"].astype(float) == 4 * shown["entrees_objectif"].astype(float)
    ).all()
    assert "2024-07-10" in set(
        pd.read_csv(out / "paiements.csv", sep=";")["date_acompte_10_juillet"]
    )
    # the whole région: its seven missions locales, départements, région and national level
    assert t["territoire"].tolist() == [
        *(f"P000{i}" for i in range(1, 8)),
        "9A",
        "9B",
        "9C",
        "99",
        "FR",
    ]


def test_committee_notebook_follows_the_missions_locales_of_a_bassin(warm_kernel, tmp_path):
    """A bassin named by its name: its mission locale, measured against the whole files."""
    out = tmp_path / "comite"
    executed = execute_notebook(
        NOTEBOOK,
        tmp_path / "cotraitance_suivi.ipynb",
        {"niveau": "bassin", "code": "Vegicourt", "sortie": str(out)},
        kernel=warm_kernel,
    )
    printed = _printed(executed)
    assert "Missions locales suivies : Mission locale de Vegicourt (P0001)\n" in printed
    attainment = pd.read_csv(out / "atteinte.csv", sep=";", dtype="string")
    assert attainment[["niveau", "territoire"]].values.tolist() == [
        ["mission_locale", "P0001"],
        ["departement", "9A"],
        ["region", "99"],
    ]
    # the région is measured on all its missions locales (as on the whole région: 859)
    assert attainment.set_index("territoire").loc["99", "entrees_objectif"] == "859"
    assert set(pd.read_csv(out / "delais.csv", sep=";")["mission_locale"]) == {"P0001"}
    # the pace is that of the bassin's mission locale, against its own objective (270)
    pace = pd.read_csv(out / "rythme.csv", sep=";", dtype="string")
    assert pace["rythme_lineaire"].astype(float).iloc[-1] == pytest.approx(270 * 6 / 12)


def test_committee_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    # the demo by default, through the configuration of the portraits
    assert len(params) == 1
    assert 'configuration: str = "../data/demo/portrait.toml"' in params[0].source


def test_committee_notebook_notes_a_year_the_files_do_not_cover(warm_kernel, tmp_path):
    """A year without flows nor objectives: a French note naming the files, nothing written."""
    out = tmp_path / "comite"
    executed = execute_notebook(
        NOTEBOOK,
        tmp_path / "cotraitance_suivi.ipynb",
        {"annee": 2031, "sortie": str(out)},
        kernel=warm_kernel,
    )
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    notes = [
        o["data"]["text/markdown"]
        for c in code
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    ]
    assert len(notes) == 1
    assert notes[0].startswith("> **Non établi ici : le tableau de bord à fin 2031-06.**")
    assert "flux.csv : aucun flux en 2031" in notes[0]
    assert "objectifs.csv : aucun objectif pour 2031" in notes[0]
    assert "le tableau de bord n'est pas établi" in _printed(executed) and not out.exists()
