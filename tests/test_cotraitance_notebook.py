"""The steering committee's notebook, run by papermill with injected parameters."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd

from diagnostics.portrait.batch import execute_notebook
from geo import settings
from tests.test_cli_cotraitance import small_counts_in_files

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "cotraitance_suivi.ipynb"


def test_committee_notebook_writes_protected_exports_for_another_month(warm_kernel, tmp_path):
    out = tmp_path / "comite"
    executed = execute_notebook(
        NOTEBOOK,
        tmp_path / "cotraitance_suivi.ipynb",
        {
            "dossier": str(settings.demo_dir() / "cotraitance"),
            "annee": 2024,
            "mois": 3,
            "seuil": 5,
            "sortie": str(out),
        },
        kernel=warm_kernel,
    )
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    summary = "".join(
        o.get("text", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )
    assert "Cotraitance : situation à fin mars 2024." in summary
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


def test_committee_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and 'dossier: str = ""' in params[0].source  # "" : the demo
