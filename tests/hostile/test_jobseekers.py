"""Hostile job-seeker files: every bad row is reported with its line, column and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnostics._readers.jobseekers import read_jobseekers
from geo._errors import SchemaError

from .conftest import assert_actionable

GOOD = "".join(f"44,{m}_2021,100\n" for m in ("mars", "avril", "mai", "juin", "juillet", "aout"))


@pytest.mark.parametrize(
    ("row", "found"),
    [
        ("44,brumaire_2020,100", "brumaire_2020"),
        ("4A4A4A,janvier_2020,100", "4A4A4A"),
        ("49,janvier_2020,-20", "-20"),
        ("53,janvier_2020,n.d.", "n.d."),
    ],
    ids=["mois-inconnu", "code-sans-niveau", "nombre-negatif", "nombre-texte"],
)
def test_bad_row_is_set_aside_with_its_fix(tmp_path: Path, row: str, found: str) -> None:
    path = tmp_path / "emploi_demandeur.csv"
    path.write_text("codgeo,YEAR,Demandeurs_Emploi\n" + GOOD + row + "\n", encoding="utf-8")
    df = read_jobseekers(path, cache=False)
    assert len(df) == 6
    (problem,) = df.attrs["problemes"]
    assert problem.line == 8 and problem.value == found
    assert_actionable(str(problem), file="emploi_demandeur.csv")
    with pytest.raises(SchemaError) as caught:
        read_jobseekers(path, strict=True)
    assert_actionable(str(caught.value), file="emploi_demandeur.csv")


def test_duplicated_code_and_month(tmp_path: Path) -> None:
    path = tmp_path / "emploi_demandeur.csv"
    path.write_text(
        "codgeo,YEAR,Demandeurs_Emploi\n" + GOOD + "72,mai_2021,10\n72,mai_2021,20\n",
        encoding="utf-8",
    )
    df = read_jobseekers(path, cache=False)
    assert "72" not in set(df["code"])
    problems = df.attrs["problemes"]
    assert [p.line for p in problems] == [8, 9]
    assert_actionable(str(problems[0]), file="emploi_demandeur.csv")
