"""The repository contract: README commands, conda/pip dependencies in step, clean notebooks."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# PyPI name → conda-forge name, where they differ.
CONDA_NAMES = {"pyyaml": "pyyaml"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _conda_dependencies() -> set[str]:
    """Package names under ``dependencies:`` (and its ``pip:`` sub-list) of environment.yml."""
    names, key = set(), None
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" ") and line.rstrip().endswith(":"):
            key = line.strip()[:-1]
            continue
        item = line.strip()
        if key == "dependencies" and item.startswith("- ") and item != "- pip:":
            names.add(_name(item[2:]))
    return names


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}
    wanted = {CONDA_NAMES.get(n, n) for n in wanted}
    declared = _conda_dependencies() - {"python", "pip"}
    assert sorted(wanted - declared) == [], (
        "dépendances de pyproject.toml absentes d'environment.yml"
    )
    assert sorted(declared - wanted) == [], (
        "dépendances d'environment.yml absentes de pyproject.toml"
    )


def _notebooks_with_outputs(folder: Path) -> list[str]:
    bad = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        if any(
            c.get("outputs") or c.get("execution_count")
            for c in nb["cells"]
            if c["cell_type"] == "code"
        ):
            bad.append(str(path.relative_to(folder)))
    return bad


def test_committed_notebooks_have_no_outputs():
    assert _notebooks_with_outputs(ROOT / "notebooks") == []


def test_the_notebook_check_catches_outputs(tmp_path):
    cell = {
        "cell_type": "code",
        "metadata": {},
        "source": "1",
        "execution_count": 1,
        "outputs": [
            {
                "output_type": "execute_result",
                "data": {"text/plain": "1"},
                "metadata": {},
                "execution_count": 1,
            }
        ],
    }
    (tmp_path / "sale.ipynb").write_text(
        json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    assert _notebooks_with_outputs(tmp_path) == ["sale.ipynb"]


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:400]
    assert "make demo" in head and "make test" in head
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_setup_installs_every_extra_and_make_lab_opens_the_notebooks():
    """The set-up of ``make demo``/``make test`` installs JupyterLab; ``make lab`` is documented."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    extras = re.findall(r'pip install [^\n]*-e "\.\[([^\]]+)\]"', makefile)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert len(extras) == 1
    assert sorted(extras[0].split(",")) == sorted(project["optional-dependencies"])
    assert "ipykernel install --sys-prefix --name python3" in makefile
    lab = re.search(r"^lab: \$\(STAMP\)\n\t(.+)$", makefile, flags=re.MULTILINE)
    assert lab is not None and lab.group(1).split()[1:] == [
        "lab",
        "--ServerApp.root_dir=notebooks",
    ]
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:600]
    assert "make lab" in head and "JupyterLab" in head


def test_no_real_data_is_committed():
    shared = ROOT.parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("données réelles absentes : rien à comparer")
    import hashlib

    real = {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in shared.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    ours = [
        p
        for p in ROOT.rglob("*")
        if p.is_file()
        and ".venv" not in p.parts
        and ".git" not in p.parts
        and p.stat().st_size > 2000
    ]
    copies = [
        str(p.relative_to(ROOT)) for p in ours if hashlib.sha256(p.read_bytes()).hexdigest() in real
    ]
    assert copies == []


def test_flat_api_has_no_name_clash():
    """``import diagnostics as dg`` re-exports every module: one name, one meaning."""
    import collections

    import diagnostics

    clashes = [n for n, k in collections.Counter(diagnostics.__all__).items() if k > 1]
    assert clashes == []
    assert all(hasattr(diagnostics, n) for n in diagnostics.__all__)
