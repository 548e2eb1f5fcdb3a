"""The notebooks of France Travail extracts on the real public configuration (issue 17).

The real Pays de la Loire configuration (``tests/data/portrait_pays_de_la_loire.toml``)
has referentials, BMO, job seekers and the France Travail sites, but no cotraitance,
training, partnership or partner-directory file: those need an extract of France
Travail. Each notebook must run to the end on a real bassin and say, in French, what is
missing and which entry of the configuration would add it, without ever reading the
demo files instead (their structures, agences and codes 99, 9A, 9901... are fictional).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from diagnostics.portrait.batch import execute_notebook
from geo import settings

pytestmark = pytest.mark.real_data

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"

#: What the demo would show: its fictional names and codes (région 99, départements 9A-9C,
#: bassins 99xx, agences A99xx, partners and missions locales P0xxx, unit ids PE-..-9x).
DEMO = re.compile(
    r"Île-Démonstration|\(fictive\)|Vegicourt|Ormelin|\bA99\d\d\b|\bP0\d{3}\b|\b99\d\d\b"
    r"|\b9[ABC]\d*\b|PE-\w\w-9|data/demo"
)


def _note(what: str, *keys: str) -> list[str]:
    """The pieces of the note of a part: its title and the entries (``"table.entry"``) it needs."""
    entries = [key.split(".") for key in keys]
    return (
        [f"**Non établi ici : {what}.** Il faudrait", "de la configuration)"]
        + [f"`{entry}`" for _, entry in entries]
        + [f"de la section `[{table}]`" for table, _ in entries]
    )


CASES = {
    "cotraitance_suivi": {
        "code": "5220",
        "notes": [
            _note(
                "le tableau de bord de la cotraitance",
                "cotraitance.structures",
                "cotraitance.flux",
                "cotraitance.objectifs",
            )
        ],
        "nothing_written": "Rien n'est écrit dans {sortie} : le tableau de bord n'est pas établi",
    },
    "formation": {
        "code": "Nantes",  # a name: resolved by the loader
        "notes": [
            _note(
                "le suivi de la formation des demandeurs d'emploi",
                "formation.sessions",
                "formation.prescriptions",
                "formation.agences",
            )
        ],
        "nothing_written": "Rien n'est écrit dans {sortie} : le suivi de la formation n'est pas établi",
    },
    "reseau_partenaires": {
        "code": "5220",
        "notes": [
            _note(
                "le suivi des partenariats (cycle de vie, comités de pilotage)",
                "partenariats.registre",
            ),
            _note(
                "le graphe des acteurs du territoire",
                "partenaires.annuaire",
                "partenariats.registre",
            ),
        ],
        "nothing_written": "Rien n'est écrit ({sortie}) : le graphe des acteurs n'est pas établi",
    },
}


@pytest.mark.parametrize("name", list(CASES))
def test_extract_notebook_on_a_real_bassin_says_what_is_missing(
    name, real_config, warm_kernel, tmp_path
):
    case = CASES[name]
    sortie = tmp_path / "sortie" / "export"
    executed = execute_notebook(
        FOLDER / f"{name}.ipynb",
        tmp_path / f"{name}.ipynb",
        {
            "configuration": str(real_config),
            "niveau": "bassin",
            "code": case["code"],
            "sortie": str(sortie),
        },
        kernel=warm_kernel,
    )
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert [o for o in outputs if o.get("output_type") == "error"] == []
    text = json.dumps(outputs, ensure_ascii=False)
    assert "bassin d'emploi BMO 5220 – Nantes (47 communes)" in text
    # one note per part that cannot be shown, naming the entries that would add it
    notes = re.findall(r"\*\*Non établi ici : [^\"]*", text)
    assert len(notes) == len(case["notes"]), notes
    for note, pieces in zip(notes, case["notes"], strict=True):
        for piece in pieces:
            assert piece in note, (piece, note)
    # nothing from the demo files, no figure presented as secret
    assert DEMO.search(text) is None, DEMO.search(text)
    assert str(settings.demo_dir()) not in text
    assert "secret statistique" not in text and "Fichiers lus" not in text
    # the export says there is nothing to write, and writes nothing
    assert case["nothing_written"].format(sortie=sortie) in text
    assert not sortie.parent.exists()


def test_extract_notebooks_are_stored_without_outputs():
    for name in CASES:
        nb = nbformat.read(FOLDER / f"{name}.ipynb", as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), name
