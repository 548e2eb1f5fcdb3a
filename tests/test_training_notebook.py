"""The training notebook (issue 8), run by papermill with injected parameters."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from diagnostics.portrait.batch import execute_notebook
from geo import settings
from tests.test_cli_cotraitance import small_counts_in_files

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "formation.ipynb"
THRESHOLD = 10  # not the default 5: the injected threshold must be the one used

#: Tables of ``training_section`` written by the notebook (with a BMO and a POE file).
TABLES = {
    "entonnoir", "entonnoir_agences", "entonnoir_centres", "indicateurs_afpa", "remplissage",
    "remplissage_territoires", "delais", "flux", "matrice_flux", "annexe_region", "bilan_poe",
    "besoins",
}  # fmt: skip

#: Columns of the exported training tables that count people (after disclosure control);
#: the centre columns of ``matrice_flux`` are added from the file itself. Not here: places
#: and sessions (not people) and the BMO projects (published survey figures).
COUNT_COLUMNS = {
    "prescriptions", "prescriptions_hors_region", "reservations", "liste_attente",
    "desistements", "entrees", "abandons", "formations_terminees", "certifications", "n",
    "entrees_poe",
}  # fmt: skip
#: Counts of people in the tooltips of the flow map.
MAP_COUNTS = re.compile(r":\s*(\d+)\s+prescriptions")


@pytest.fixture(scope="module")
def run(warm_kernel, tmp_path_factory):
    """The notebook run once on département 9A of the demo, threshold 10, other success rule."""
    folder = tmp_path_factory.mktemp("formation")
    out = folder / "sortie"
    executed = execute_notebook(
        NOTEBOOK,
        folder / "formation.ipynb",
        {
            "configuration": str(settings.demo_dir() / "portrait.toml"),
            "niveau": "departement",
            "code": "9A",
            "annee": 2024,
            "annee_bmo": 2024,
            "regle_reussite": "fin_de_formation",
            "seuil": THRESHOLD,
            "sortie": str(out),
        },
        kernel=warm_kernel,
    )
    printed = "".join(
        o.get("text", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )
    return executed, printed, out


def _csv(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", sep=";", dtype="string")


def test_training_notebook_uses_the_injected_territory_and_rule(run):
    executed, printed, _out = run
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert "département 9A – Ormelin" in printed
    # the prescriptions of the four agences of 9A; success = (terminées + certifiées) /
    # (abandons + terminées + certifiées) = 152 / 172 with the rule "fin_de_formation"
    assert (
        "456 prescriptions (dont 12 hors région), 267 réservations effectives, 213 entrées en "
        "formation ; taux de désistement 25\u202f%, taux d'abandon 9\u202f%, taux de réussite des "
        "parcours 88\u202f%." in printed
    )
    assert "Formations hors du territoire : 4 site(s)" in printed
    assert "Paramètre sortie vide" not in printed
    assert "Fichiers lus : sessions.csv, prescriptions.csv, agences.csv, poe.csv, fap_rome.csv" in (
        printed
    )


def test_training_notebook_writes_every_table_under_the_injected_threshold(run):
    _executed, _printed, out = run
    written = sorted(out.iterdir())
    assert {p.name for p in written} == {
        f"{t}.{ext}" for t in TABLES for ext in ("csv", "xlsx", "json")
    } | {"figure_entonnoir.png", "carte_flux.html"}
    matrix = _csv(out, "matrice_flux")
    centres = set(matrix.columns) - {"agence"}
    assert (
        small_counts_in_files(
            written, THRESHOLD, columns=COUNT_COLUMNS | centres, map_counts=MAP_COUNTS
        )
        == []
    )
    # long tables: the counts of people are the rows in « nombre », not the rates nor the
    # CSP sessions of the Région annex (sessions, not people)
    afpa = _csv(out, "indicateurs_afpa")
    annex = _csv(out, "annexe_region")
    people = pd.concat(
        [
            afpa.loc[afpa["unite"] == "nombre", "valeur"],
            annex.loc[~annex["mode_de_calcul"].str.contains("pas personnes", na=False), "valeur"],
        ]
    )
    values = pd.to_numeric(people, errors="coerce")
    assert not values.between(1, THRESHOLD - 1).any(), people[values.between(1, THRESHOLD - 1)]
    # the checks can fail: counts of 5 to 9, shown at the default threshold, are hidden here
    poe = _csv(out, "bilan_poe").set_index(["bilan", "type_poe"])["entrees"]
    assert poe[("juin", "collective")] == "s" and poe[("juin", "individuelle")] == "s"
    assert poe[("juin", "Ensemble")] == "17"
    html = (out / "carte_flux.html").read_text(encoding="utf-8")
    assert re.search(r":\s*(\d+)\s+prescriptions", html)  # the map does show volumes


def test_training_notebook_exports_the_flow_matrix_with_its_agences(run):
    _executed, _printed, out = run
    matrix = _csv(out, "matrice_flux").set_index("agence")
    assert matrix.index.tolist() == ["A9901", "A9902", "A9903", "A9904"]
    assert matrix.loc["A9901", "AFPA Vegicourt"] == "35"
    assert matrix.loc["A9903", "GRETA Vrapronais (hors territoire)"] == "s"  # 7 at threshold 5
    funnel = _csv(out, "entonnoir").iloc[0]
    assert funnel["prescriptions"] == "456"
    assert float(funnel["taux_reussite"]) == pytest.approx(152 / 172)
    annex = _csv(out, "annexe_region")
    assert annex.loc[annex["source"] == "S002 L624", "valeur"].tolist() == ["456"]


def test_training_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert all(c.get("id") for c in nb.cells)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    # the demo by default, through the configuration of the portraits; no folder of its own
    assert len(params) == 1
    assert 'configuration: str = "../data/demo/portrait.toml"' in params[0].source
    assert "dossier:" not in params[0].source


def _without_training(folder: Path) -> Path:
    """A copy of the demo whose configuration has no [formation] section (nor its files)."""
    copy = folder / "demo"
    shutil.copytree(settings.demo_dir(), copy, ignore=shutil.ignore_patterns("formation"))
    text = (copy / "portrait.toml").read_text(encoding="utf-8")
    start = text.index("[formation]")
    end = text.index("\n[", start + 1)
    (copy / "portrait.toml").write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    return copy / "portrait.toml"


def test_training_notebook_without_training_inputs_reads_no_demo_file(warm_kernel, tmp_path):
    """A configuration without [formation]: one note, no demo training file, nothing written."""
    config = _without_training(tmp_path)
    assert "[formation]" not in config.read_text(encoding="utf-8")
    out = tmp_path / "sortie"
    executed = execute_notebook(
        NOTEBOOK,
        tmp_path / "formation.ipynb",
        {"configuration": str(config), "niveau": "departement", "code": "9A", "sortie": str(out)},
        kernel=warm_kernel,
    )
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = json.dumps(outputs, ensure_ascii=False)
    assert text.count("Non établi ici") == 1
    assert (
        "**Non établi ici : le suivi de la formation des demandeurs d'emploi.** Il faudrait les "
        in (text)
    )
    assert "de la section `[formation]` de la configuration)" in text
    assert "entrées `sessions`, " in text
    # nothing from the demo training files (they were read in place of the missing ones)
    assert str(settings.demo_dir()) not in text and "Fichiers lus" not in text
    for demo_value in ("A9901", "AFPA", "prescriptions (dont", "secret statistique"):
        assert demo_value not in text
    assert "Rien n'est écrit dans" in text and not out.exists()
