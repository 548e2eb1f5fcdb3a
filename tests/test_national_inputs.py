"""Tests of the national-scale synthetic input set (``benchmarks/national_inputs.py``).

The set is generated at a small scale (about 700 communes, 20,000 episodes): the full
one (35,000 communes, a million episodes) is for the benchmarks of issue 18, not for
the test suite. Every test but the last is slow (``SLOW_TESTS`` in ``conftest.py``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from diagnostics.portrait import load_territory, read_portrait_config
from geo import codes

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "national_inputs.py"
SCALE = 0.02


@pytest.fixture(scope="module")
def national():
    """The generator script, imported as a module."""
    spec = importlib.util.spec_from_file_location("national_inputs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["national_inputs"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def config(national, tmp_path_factory) -> Path:
    return national.write_national_inputs(tmp_path_factory.mktemp("national"), scale=SCALE)


def _rows(path: Path, sep: str = ";") -> pd.DataFrame:
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_every_configured_input_is_read_without_problem(config):
    bassins = _rows(config.parent / "commune_bassin_bmo.csv", sep=",")
    code = bassins["code_bassin_BMO"].iloc[len(bassins) // 2]
    data = load_territory(config, "bassin", code)
    assert len(data.communes()) == int((bassins["code_bassin_BMO"] == code).sum())
    configured = read_portrait_config(config).inputs
    assert len(configured) == 30  # every input but the DARES tensions
    for key in configured:
        value = data.inputs.get(key)
        assert value is not None and len(value) > 0, (key, data.inputs.problem(key))
    assert data.inputs.problems() == {}


def test_codes_are_real_departements_and_regions(config):
    departements = _rows(config.parent / "departements.csv", sep=",")
    regions = _rows(config.parent / "regions.csv", sep=",")
    assert len(departements) == 101
    assert len(regions) == 18
    assert codes.is_valid(departements["dep"], "departement").all()
    assert set(departements["reg"]) == set(regions["reg"])
    communes = json.loads((config.parent / "communes_population.json").read_text("utf-8"))
    assert {c["departement"] for c in communes} == set(departements["dep"])
    assert all(c["code"].startswith(c["departement"]) for c in communes)


def test_volumes_follow_the_scale(national, config):
    folder = config.parent
    communes = json.loads((folder / "communes_population.json").read_text("utf-8"))
    expected = (national.METRO_COMMUNES + sum(national.OVERSEAS_COMMUNES.values())) * SCALE
    assert len(communes) == pytest.approx(expected, rel=0.05)
    assert len(_rows(folder / "partenaires.csv")) == round(national.N_PARTNERS * SCALE)
    assert len(_rows(folder / "cotraitance" / "episodes.csv")) == round(national.N_EPISODES * SCALE)
    assert len(_rows(folder / "formation" / "prescriptions.csv")) == round(
        national.N_PRESCRIPTIONS * SCALE
    )
    assert len(_rows(folder / "formation" / "sessions.csv")) == pytest.approx(
        national.N_SESSIONS * SCALE, rel=0.05
    )
    # one bassin per département at least, else the national count scaled
    bassins = _rows(folder / "commune_bassin_bmo.csv", sep=",")["code_bassin_BMO"].nunique()
    assert bassins == max(101, round(national.N_BASSINS * SCALE))


def test_generation_is_deterministic(national, tmp_path):
    first = national.write_national_inputs(tmp_path / "a", scale=0.005)
    second = national.write_national_inputs(tmp_path / "b", scale=0.005)
    files = sorted(p.relative_to(first.parent) for p in first.parent.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(second.parent) for p in second.parent.rglob("*") if p.is_file()
    )
    for name in files:
        assert (first.parent / name).read_bytes() == (second.parent / name).read_bytes(), name


def test_refuses_to_write_into_the_repository_data(national):
    with pytest.raises(ValueError, match="data/"):
        national.write_national_inputs(ROOT / "data" / "national", scale=0.005)
