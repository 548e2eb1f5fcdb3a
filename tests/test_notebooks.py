"""The notebooks: their contract, nbval on every notebook, papermill runs with injected parameters.

nbval itself runs in the session: ``notebooks/`` is collected with ``--nbval-lax`` (pyproject).
The papermill runs share the warm kernel of ``tests/conftest.py``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from diagnostics.portrait.batch import execute_notebook
from diagnostics.portrait.html import external_resources
from geo import settings

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(p for p in FOLDER.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def _code_cells(path: Path) -> list[nbformat.NotebookNode]:
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def _python(source: str) -> str:
    """The cell without IPython magics (``%...``, ``!...``), which are not Python."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def test_every_workbench_notebook_is_there():
    names = {p.name for p in NOTEBOOKS}
    assert {
        "portrait_territoire.ipynb",
        "prise_en_main.ipynb",
        "tensions_bmo.ipynb",
        "partenaires.ipynb",
    } <= names


# --------------------------------------------------------------------------- contract


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_parameters_cell_with_annotated_commented_defaults(path):
    cells = [c for c in _code_cells(path) if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactement une cellule étiquetée « parameters »"
    tree = ast.parse(cells[0].source)
    lines = cells[0].source.splitlines()
    names = []
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign) and node.value is not None, ast.dump(node)
        assert "  # " in lines[node.lineno - 1], f"commentaire manquant : {lines[node.lineno - 1]}"
        names.append(node.target.id)
    inferred = papermill.inspect_notebook(str(path))
    assert list(inferred) == names  # papermill --help-notebook documents every parameter
    assert all(p["help"] for p in inferred.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_function_definitions(path):
    for cell in _code_cells(path):
        for node in ast.walk(ast.parse(_python(cell.source))):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ), f"définition dans le notebook : {cell.source[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_french_title_and_map_cells_ignored_by_nbval(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for cell in _code_cells(path):
        if "embed_map(" in cell.source or "_map(donnees)" in cell.source:
            assert cell.source.startswith("# NBVAL_IGNORE_OUTPUT"), cell.source[:80]


# --------------------------------------------------------------------------- nbval


def test_nbval_runs_every_notebook_once_in_the_session(pytestconfig):
    """nbval is not a test of this file: pytest collects notebooks/ itself (pyproject)."""
    assert "notebooks" in pytestconfig.getini("testpaths")
    assert pytestconfig.option.nbval_lax and pytestconfig.option.nbval_current_env
    assert Path(pytestconfig.option.nbval_sanitize_with) == SANITIZE
    assert SANITIZE.is_file()


# --------------------------------------------------------------------------- papermill


def test_portrait_notebook_writes_its_summary(warm_kernel, tmp_path):
    summary = tmp_path / "resume.json"
    executed = execute_notebook(
        FOLDER / "portrait_territoire.ipynb",
        tmp_path / "portrait.ipynb",
        {
            "configuration": str(settings.demo_dir() / "portrait.toml"),
            "niveau": "departement",
            "code": "9B",
            "annees": [2024],
            "fichiers": {"partenaires.annuaire": None, "partenaires.positionnement": None},
            "resume": str(summary),
        },
        kernel=warm_kernel,
    )
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["territoire"] == {
        "niveau": "departement",
        "code": "9B",
        "nom": "Côte-Brumaire",
        "libelle": "département 9B – Côte-Brumaire",
        "communes": 87,
    }
    assert data["annees"] == [2024] and data["chiffres_cles"]["annee_bmo"] == 2024
    assert data["sections"]["chiffres_cles"] == "produite"
    assert data["sections"]["bmo_metiers"] == "produite"
    assert data["sections"]["partenaires"] == (
        "absente : Non établi ici : la carte des partenaires (il faudrait un annuaire des "
        "partenaires)."
    )
    assert data["sections"]["positionnement"] == (
        "absente : Non établi ici : le positionnement des acteurs (il faudrait la grille de "
        "positionnement des acteurs)."
    )
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1


def test_tensions_notebook_writes_the_ranking(warm_kernel, tmp_path):
    out = tmp_path / "tensions.csv"
    execute_notebook(
        FOLDER / "tensions_bmo.ipynb",
        tmp_path / "tensions.ipynb",
        {"niveau": "bassin", "code": "9905", "nb_metiers": 5, "sortie": str(out)},
        kernel=warm_kernel,
    )
    ranking = pd.read_csv(out)
    assert 0 < len(ranking) <= 5
    assert ranking["rang"].tolist() == list(range(1, len(ranking) + 1))
    # the default ranking: difficult projects, among métiers at least as hard to fill
    # as the territory
    assert ranking["projets_difficiles"].is_monotonic_decreasing
    assert (ranking["part_difficiles"] >= ranking["part_difficiles_territoire"]).all()
    assert set(ranking["annee"]) == {2024}
    assert (ranking["projets"] >= 5).all()


def test_partners_notebook_writes_the_coverage(warm_kernel, tmp_path):
    out = tmp_path / "couverture.csv"
    execute_notebook(
        FOLDER / "partenaires.ipynb",
        tmp_path / "partenaires.ipynb",
        {"code": "9901", "seuil_km": 10.0, "sortie": str(out)},
        kernel=warm_kernel,
    )
    coverage = pd.read_csv(out, dtype={"territoire": str})
    assert set(coverage["territoire"]) == {"9901"}
    assert (coverage["seuil_km"] == 10.0).all()
    directory = coverage[coverage["type"] != "agence_france_travail"]
    assert len(directory) > 0 and directory["part_communes_couvertes"].between(0, 1).all()
    # the France Travail agences, one more row: their sites file gives no ressort
    agences = coverage[coverage["type"] == "agence_france_travail"]
    assert len(agences) == 1 and agences["part_communes_couvertes"].isna().all()


def test_getting_started_notebook_builds_polygons_and_map(warm_kernel, tmp_path):
    execute_notebook(
        FOLDER / "prise_en_main.ipynb",
        tmp_path / "prise_en_main.ipynb",
        {
            "donnees": str(settings.demo_dir()),
            "niveau": "zone_emploi",
            "sortie": str(tmp_path),
        },
        kernel=warm_kernel,
    )
    zones = json.loads((tmp_path / "zone_emploi.geojson").read_text(encoding="utf-8"))
    assert len(zones["features"]) == 6
    page = (tmp_path / "carte_zone_emploi.html").read_text(encoding="utf-8")
    assert external_resources(page) == []


def test_notebook_error_is_reported_with_the_executed_notebook(warm_kernel, tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="UnknownTerritoryError"):
        execute_notebook(
            FOLDER / "portrait_territoire.ipynb",
            tmp_path / "erreur.ipynb",
            {"configuration": str(settings.demo_dir() / "portrait.toml"), "code": "9991"},
            kernel=warm_kernel,
        )
    failed = nbformat.read(tmp_path / "erreur.ipynb", as_version=4)
    errors = [
        o["evalue"]
        for c in failed.cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert len(errors) == 1 and "Codes proches" in errors[0]
