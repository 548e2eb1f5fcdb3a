"""Hostile inputs for the data·inclusion importer: wrong file, bad codes, damaged files.

Each case spoils a small file in the data·inclusion schema as a download gone wrong or
a hand edit would, and asserts what was kept, the problem reported and its message.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics.partners import partners_from_data_inclusion
from geo._errors import InputFileError, SchemaError
from geo.problems import problems_of

from .conftest import assert_actionable

FIXTURE = Path(__file__).parents[1] / "data" / "data_inclusion" / "structures-inclusion.csv"


def _small(tmp_path: Path, name: str = "structures.csv", **changes: object) -> Path:
    """The first ten rows of the fixture, with ``changes`` as {column: {row: value}}."""
    df = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False).head(10)
    for column, values in changes.items():
        for row, value in dict(values).items():  # type: ignore[call-overload]
            df.loc[row, column] = value
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def test_file_of_unknown_schema_version_is_refused(tmp_path):
    path = tmp_path / "structures-inconnues.csv"
    pd.read_csv(FIXTURE, dtype=str).drop(columns="reseaux_porteurs").head(5).to_csv(
        path, index=False
    )
    with pytest.raises(SchemaError) as exc:
        partners_from_data_inclusion(path)
    message = str(exc.value)
    assert "version de schéma inconnue" in message
    assert "territoire donnees telecharger data_inclusion_structures" in message
    assert_actionable(message, file=path)


def test_services_file_instead_of_structures_is_named(tmp_path):
    path = tmp_path / "services-inclusion.csv"
    pd.DataFrame({"id": ["dora--s1"], "structure_id": ["dora--1"], "nom": ["Aide au CV"]}).to_csv(
        path, index=False
    )
    with pytest.raises(SchemaError) as exc:
        partners_from_data_inclusion(path)
    assert "semble être celui des services" in str(exc.value)
    assert_actionable(str(exc.value), file=path)


def test_bad_commune_code_is_reported_and_the_structure_kept(tmp_path):
    path = _small(tmp_path, code_insee={3: "44 109 Nantes"})
    partners = partners_from_data_inclusion(path)
    assert len(partners) == 10
    assert pd.isna(partners.loc[3, "commune"])
    [problem] = [p for p in problems_of(partners) if p.category == "commune_invalide"]
    assert (problem.line, problem.column, problem.value, problem.action) == (
        5,
        "code_insee",
        "44 109 Nantes",
        "corrigée",
    )
    assert_actionable(str(problem), file=path)


def test_truncated_parquet_file_is_refused_in_french(tmp_path):
    path = tmp_path / "structures.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 64)
    with pytest.raises(InputFileError) as exc:
        partners_from_data_inclusion(path)
    assert "Parquet illisible" in str(exc.value)
    assert_actionable(str(exc.value), file=path, where=False)


def test_truncated_json_file_is_refused_in_french(tmp_path):
    path = tmp_path / "structures.json"
    path.write_text('[{"id": "dora--1", "nom": "ML"', encoding="utf-8")
    with pytest.raises(InputFileError) as exc:
        partners_from_data_inclusion(path)
    assert_actionable(str(exc.value), file=path, where=False)


def test_unreadable_network_list_and_blank_name(tmp_path):
    path = _small(tmp_path, reseaux_porteurs={0: "[??]"}, nom={1: ""})
    partners = partners_from_data_inclusion(path)
    assert len(partners) == 9
    report = problems_of(partners)
    [blank] = [p for p in report if p.category == "nom_manquant"]
    assert (blank.line, blank.action) == (3, "écartée")
    assert_actionable(str(blank), file=path)
    [absent] = [p for p in report if p.category == "reseau_absent"]
    assert absent.message.startswith("2 structure(s) sans reseaux_porteurs")


def test_cli_never_writes_over_the_file_it_reads(tmp_path, run_cli):
    path = _small(tmp_path)
    before = path.read_bytes()
    code, _out, err = run_cli(["partenaires", "importer", "--fichier", path, "--sortie", path])
    assert code == 2 and path.read_bytes() == before
    assert_actionable(err, file=path, where=False)


def test_cli_unknown_schema_exits_2_in_french(tmp_path, run_cli):
    path = tmp_path / "export.csv"
    path.write_text("id,nom,categorie\n1,ML Nord,ML\n", encoding="utf-8")
    code, _out, err = run_cli(
        ["partenaires", "importer", "--fichier", path, "--sortie", tmp_path / "a.csv"]
    )
    assert code == 2
    assert "version de schéma inconnue" in err
    assert_actionable(err, file=path)
    assert not (tmp_path / "a.csv").exists()


def test_verifier_given_the_national_file_says_to_import_it(run_cli):
    code, _out, err = run_cli(["partenaires", "verifier", "--fichier", FIXTURE])
    assert code == 2
    assert "importez-le d'abord avec territoire partenaires importer" in err
    assert_actionable(err, file=FIXTURE)


def test_merged_duplicate_names_both_lines_and_the_fix(tmp_path):
    path = _small(tmp_path, nom={4: "STRUCTURE BAPROUCOURT 0"}, code_insee={4: "9A001"})
    partners = partners_from_data_inclusion(path)
    assert len(partners) == 9
    [merged] = [p for p in problems_of(partners) if p.category == "doublon_fusionne"]
    assert (merged.line, merged.column, merged.action) == (6, "nom", "corrigée")
    assert "doublon de la ligne 2 (dora--1000)" in merged.message
    assert_actionable(str(merged), file=path)
