"""The partner network notebook, run by papermill with injected parameters (demo territory)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import networkx as nx
import pandas as pd

from diagnostics.portrait.batch import execute_notebook
from geo import settings

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "reseau_partenaires.ipynb"


def _run(kernel, folder: Path, parameters: dict) -> tuple[nbformat.NotebookNode, str]:
    executed = execute_notebook(NOTEBOOK, folder / "reseau.ipynb", parameters, kernel=kernel)
    printed = "".join(
        o.get("text", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )
    return executed, printed


def test_network_notebook_on_the_demo_region_writes_the_graph(warm_kernel, tmp_path):
    """The defaults: the whole demo région, at the date of its configuration."""
    prefix = tmp_path / "exports" / "reseau"  # a folder that does not exist yet
    executed, printed = _run(warm_kernel, tmp_path, {"sortie": str(prefix)})
    assert (
        "région 99 – Île-Démonstration (région fictive) (300 communes) ; réseau au 2026-06-30."
        in (printed)
    )
    assert "150 partenariat(s) du territoire sur 150 au registre." in printed
    assert "Le réseau compte 122 acteurs et 159 relations (densité 0,02)." in printed
    assert "Non établi ici" not in str(executed.cells)
    assert {p.name for p in prefix.parent.iterdir()} == {
        "reseau.gexf",
        "reseau.graphml",
        "reseau.html",
        "reseau_noeuds.csv",
        "reseau_liens.csv",
    }
    assert "5 fichiers écrits avec le préfixe" in printed
    graph = nx.read_graphml(prefix.with_suffix(".graphml"))
    nodes = pd.read_csv(prefix.parent / "reseau_noeuds.csv", sep=";")
    assert len(nodes) == graph.number_of_nodes() > 100


def test_network_notebook_keeps_the_partnerships_of_a_bassin(warm_kernel, tmp_path):
    """A bassin: its partners' partnerships, the roles declared for it, the injected date."""
    _executed, printed = _run(
        warm_kernel,
        tmp_path,
        {"niveau": "bassin", "code": "9901", "date": "2026-06-30", "annee_comites": 2025},
    )
    assert "bassin d'emploi BMO 9901 – Vegicourt (40 communes) ; réseau au 2026-06-30." in printed
    assert "42 partenariat(s) du territoire sur 150 au registre." in printed
    assert "Le réseau compte 39 acteurs et 56 relations" in printed
    assert "Paramètre sortie vide : rien n'est écrit." in printed


def test_network_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert 'configuration: str = "../data/demo/portrait.toml"' in params[0].source
    assert "dossier" not in params[0].source


def test_network_notebook_without_directory_checks_the_whole_registry(warm_kernel, tmp_path):
    """No partner directory: the whole registry is checked (said so), no graph, no export."""
    copy = tmp_path / "demo"
    shutil.copytree(settings.demo_dir(), copy)
    config = copy / "portrait.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('annuaire = "partenaires.csv"\n', ""), encoding="utf-8")
    prefix = tmp_path / "exports" / "reseau"
    executed, printed = _run(
        warm_kernel, tmp_path, {"configuration": str(config), "sortie": str(prefix)}
    )
    notes = [
        o["data"]["text/markdown"]
        for c in executed.cells
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    ]
    assert len(notes) == 2
    assert "les contrôles portent sur tout le registre (150 partenariat(s))" in notes[0]
    assert notes[1].startswith(
        "> **Non établi ici : le graphe des acteurs du territoire.** Il faudrait un annuaire des "
        "partenaires (entrée `annuaire` de la section `[partenaires]` de la configuration)."
    )
    assert "evaluation_en_retard" in str(executed.cells)  # the checks are there
    assert "Le réseau compte" not in printed
    assert "le graphe des acteurs n'est pas établi" in printed and not prefix.parent.exists()
