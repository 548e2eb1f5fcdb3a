"""The notebooks: their contract, nbval on every notebook, papermill runs with injected parameters.

nbval itself runs in the session: ``notebooks/`` is collected with ``--nbval-lax`` (pyproject).
The papermill runs share the warm kernel of ``tests/conftest.py``.
"""

from __future__ import annotations

import ast
import html
import json
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from diagnostics.portrait.batch import execute_notebook
from diagnostics.portrait.config import read_portrait_config
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


def _errors(notebook: nbformat.NotebookNode) -> list[str]:
    """``ename: evalue`` of every error output of an executed notebook."""
    return [
        f"{o['ename']}: {o['evalue']}"
        for c in notebook.cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def _text(notebook: nbformat.NotebookNode) -> str:
    """Everything an executed notebook printed or showed as text (Markdown notes included)."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            data = output.get("data", {})
            parts.append(data.get("text/markdown") or data.get("text/plain", ""))
    return "\n".join(parts)


def _demo_config_without(folder: Path, *keys: str) -> Path:
    """A copy of the demo configuration without the inputs ``keys`` (absolute paths)."""
    config = read_portrait_config(settings.demo_dir() / "portrait.toml")
    tables: dict[str, list[str]] = {}
    for key, paths in config.inputs.items():
        if key not in keys:
            table, name = key.split(".", 1)
            tables.setdefault(table, []).append(f"{name} = {json.dumps([str(p) for p in paths])}")
    text = "\n\n".join(f"[{table}]\n" + "\n".join(lines) for table, lines in tables.items())
    path = folder / "sans.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


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


@pytest.mark.parametrize(
    ("name", "parameters"),
    [
        (
            "tensions_bmo.ipynb",
            ["configuration", "niveau", "code", "fichiers_bmo", "nb_metiers", "sortie"],
        ),
        ("prise_en_main.ipynb", ["configuration", "niveau", "code", "decoupage", "sortie"]),
    ],
)
def test_help_notebook_documents_the_territory_parameters(name, parameters):
    """``papermill --help-notebook``: the configuration, the territory, then each option."""
    inferred = papermill.inspect_notebook(str(FOLDER / name))
    assert list(inferred) == parameters
    assert inferred["configuration"]["default"] == '"../data/demo/portrait.toml"'
    for parameter in inferred.values():
        assert parameter["help"] and parameter["default"] is not None, parameter


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_takes_the_configuration_a_level_and_a_territory(path):
    """One way to name inputs: the portraits' configuration, ``niveau`` and ``code`` first."""
    parameters = papermill.inspect_notebook(str(path))
    assert list(parameters)[:3] == ["configuration", "niveau", "code"]
    assert parameters["configuration"]["default"].strip("\"'") == "../data/demo/portrait.toml"
    assert "nom" in parameters["code"]["help"]  # a code or a name
    for name, parameter in parameters.items():
        if parameter["inferred_type_name"] == "list":  # a plain string works from the command line
            assert "," in parameter["help"] or "texte" in parameter["help"], name
    source = "\n".join(c.source for c in _code_cells(path))
    assert "dossier" not in parameters and "glob(" not in source


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
    executed = execute_notebook(
        FOLDER / "prise_en_main.ipynb",
        tmp_path / "prise_en_main.ipynb",
        {
            "configuration": str(settings.demo_dir() / "portrait.toml"),
            "niveau": "region",
            "code": "Île-Démonstration",
            "decoupage": "zone_emploi",
            "sortie": str(tmp_path),
        },
        kernel=warm_kernel,
    )
    zones = json.loads((tmp_path / "zone_emploi.geojson").read_text(encoding="utf-8"))
    assert len(zones["features"]) == 6
    page = (tmp_path / "carte_zone_emploi.html").read_text(encoding="utf-8")
    assert external_resources(page) == []
    assert "Zones d'emploi – Île-Démonstration (région fictive)" in html.unescape(page)
    assert _errors(executed) == []


def test_getting_started_notebook_inside_a_departement(warm_kernel, tmp_path):
    """The bassins of one département: those the commune → bassin table places there."""
    execute_notebook(
        FOLDER / "prise_en_main.ipynb",
        tmp_path / "prise_en_main.ipynb",
        {"niveau": "departement", "code": "9B", "sortie": str(tmp_path)},
        kernel=warm_kernel,
    )
    bassins = json.loads((tmp_path / "bassin.geojson").read_text(encoding="utf-8"))
    table = pd.read_csv(settings.demo_dir() / "commune_bassin_bmo.csv", dtype=str)
    expected = set(table.loc[table["dep"] == "9B", "code_bassin_BMO"])
    assert {f["properties"]["territoire"] for f in bassins["features"]} == expected


def test_getting_started_notebook_without_polygons_nor_clpe_table(warm_kernel, tmp_path):
    """Inputs not configured: a French note in place of each part, and the run goes on."""
    config = _demo_config_without(
        tmp_path, "referentiels.communes_polygones", "referentiels.communes_clpe"
    )
    executed = execute_notebook(
        FOLDER / "prise_en_main.ipynb",
        tmp_path / "prise_en_main.ipynb",
        {"configuration": str(config), "decoupage": "clpe", "sortie": str(tmp_path / "sortie")},
        kernel=warm_kernel,
    )
    assert _errors(executed) == []
    text = _text(executed)
    assert "Aucun territoire (CLPE) dans région 99" in text and "`communes_clpe`" in text
    assert "Rien n'est écrit" in text
    assert not (tmp_path / "sortie").exists()


def test_tensions_notebook_takes_one_bmo_file_as_a_plain_string(warm_kernel, tmp_path):
    """``-p fichiers_bmo "x.xlsx"``: one file, not its characters; one vintage, no evolution."""
    out = tmp_path / "tensions.csv"
    executed = execute_notebook(
        FOLDER / "tensions_bmo.ipynb",
        tmp_path / "tensions.ipynb",
        {
            "niveau": "bassin",
            "code": "Vrapronais",
            "fichiers_bmo": str(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2023.xlsx"),
            "sortie": str(out),
        },
        kernel=warm_kernel,
    )
    assert _errors(executed) == []
    text = _text(executed)
    assert "Un seul millésime de l'enquête (2023) : pas d'évolution à calculer." in text
    assert "Base_open_data_BMO_2024" not in text  # the configuration's files are replaced
    ranking = pd.read_csv(out)
    assert set(ranking["annee"]) == {2023} and len(ranking) > 0


def test_tensions_notebook_without_bmo_file_runs_to_the_end(warm_kernel, tmp_path):
    config = _demo_config_without(tmp_path, "bmo.fichiers")
    executed = execute_notebook(
        FOLDER / "tensions_bmo.ipynb",
        tmp_path / "tensions.ipynb",
        {"configuration": str(config), "sortie": str(tmp_path / "tensions.csv")},
        kernel=warm_kernel,
    )
    assert _errors(executed) == []
    text = _text(executed)
    assert "Non établi ici : les tensions de recrutement (enquête BMO)." in text
    assert "entrée `fichiers` de la section `[bmo]`" in text
    assert "Rien n'est écrit" in text and not (tmp_path / "tensions.csv").exists()


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
