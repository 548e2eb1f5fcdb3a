"""Hostile inputs on secrecy and provenance (issue 14): thresholds, masked BMO cells.

- a disclosure threshold that masks nothing (1, 0, negative) or is not a whole number
  is refused with the fix, from the command line (exit 2), the library and the
  settings; a lower one than the workbench's warns; every sentence about secrecy
  states the real rule and the exports hold no count from 1 to threshold − 1;
- a BMO share built on masked cells (« * ») is written as bounds, never 0,0 %; a
  figure whose every cell is masked is ``null`` in JSON with its bounds and
  « secret statistique » in text; an unreadable count cell sets its row aside with
  a message naming the file, the line, the column and the fix;
- the provenance is the file configured this time, even when the cache holds the
  same content read under another name.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from diagnostics import disclosure as dc
from diagnostics._readers.bmo import format_bmo_report, read_bmo
from diagnostics._readers.dares import read_dares_tensions
from diagnostics.bmo import recruitment_summary, top_tension_metiers
from geo import settings
from geo._errors import SchemaError
from tests.hostile.conftest import assert_actionable
from tests.test_cli_cotraitance import COUNT_COLUMNS as COTRAITANCE_COUNTS
from tests.test_cli_cotraitance import small_counts_in_files
from tests.test_training_notebook import COUNT_COLUMNS as TRAINING_COUNTS
from tests.test_training_notebook import MAP_COUNTS as TRAINING_MAP_COUNTS

DEMO = settings.demo_dir()

#: The two dashboard commands and their arguments (before --sortie and --seuil).
COMMANDS = {
    "cotraitance": [
        "cotraitance", "tableau", "--dossier", str(DEMO / "cotraitance"),
        "--annee", "2024", "--mois", "6",
    ],
    "formation": ["formation", "tableau", "--dossier", str(DEMO / "formation")],
}  # fmt: skip

#: Thresholds that would publish counts of 1, or are not a number of persons.
REFUSED = ["0", "1", "-3", "2.5", "abc", "1e9", ""]


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize("threshold", REFUSED)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_cli_refuses_a_threshold_that_masks_nothing(run_cli, tmp_path, command, threshold):
    out = tmp_path / "sortie"
    code, stdout, err = run_cli([*COMMANDS[command], "--sortie", out, "--seuil", threshold])
    assert code == 2
    assert "Seuil du secret statistique" in err and "--seuil 5" in err
    assert_actionable(err, file=None, where=False, fix=True)
    assert not out.exists() or not any(out.iterdir())  # nothing written
    assert "de 1 à 0" not in stdout + err


def _written(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_file())


def _small_counts(command: str, out: Path, limit: int) -> list[tuple]:
    written = _written(out)
    if command == "cotraitance":
        return small_counts_in_files(written, limit, columns=COTRAITANCE_COUNTS)
    return small_counts_in_files(
        written, limit, columns=TRAINING_COUNTS, map_counts=TRAINING_MAP_COUNTS
    )


@pytest.mark.parametrize(
    ("threshold", "rule", "warned"),
    [
        ("3", "effectifs de 1 à 2 masqués", True),
        ("10", "effectifs de 1 à 9 masqués", False),
    ],
)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_cli_states_the_real_rule_and_exports_no_small_count(
    run_cli, tmp_path, command, threshold, rule, warned
):
    out = tmp_path / "sortie"
    code, stdout, err = run_cli([*COMMANDS[command], "--sortie", out, "--seuil", threshold])
    assert code in (0, 1)
    assert f"sous secret statistique ({rule}" in stdout
    assert ("Attention : Seuil du secret statistique 3 inférieur" in err) is warned
    if warned:
        assert_actionable(err, file=None, where=False, fix=True)
    assert _small_counts(command, out, int(threshold)) == []


def test_cli_default_threshold_from_a_bad_environment_value_is_refused(
    run_cli, tmp_path, monkeypatch
):
    """TERRITOIRE_SEUIL_DIFFUSION=1 in the environment: refused like --seuil 1."""
    monkeypatch.setattr(settings, "disclosure_threshold", 1)
    code, _out, err = run_cli([*COMMANDS["cotraitance"], "--sortie", tmp_path / "s"])
    assert code == 2 and "TERRITOIRE_SEUIL_DIFFUSION" in err
    assert_actionable(err, file=None, where=False, fix=True)


def test_environment_value_that_is_not_a_number_does_not_break_the_import(tmp_path):
    import subprocess
    import sys

    code = (
        "import geo.settings as s, diagnostics.disclosure as d\n"
        "try:\n    d.current_threshold()\nexcept d.DisclosureError as e:\n    print(e)\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    env = {"TERRITOIRE_SEUIL_DIFFUSION": "cinq", "PYTHONPATH": root, "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "'cinq'" in done.stdout and "TERRITOIRE_SEUIL_DIFFUSION" in done.stdout


PEOPLE = pd.DataFrame({"ml": ["A", "B", "C", "D"], "entrees": [1, 3, 12, 40]})


@pytest.mark.parametrize("threshold", [0, 1, -3, 2.5, "abc", True, "1"])
@pytest.mark.parametrize("where", ["argument", "settings"])
def test_library_refuses_a_threshold_that_masks_nothing(monkeypatch, threshold, where):
    if where == "settings":
        monkeypatch.setattr(settings, "disclosure_threshold", threshold)
        call = {}
    else:
        call = {"threshold": threshold}
    with pytest.raises(dc.DisclosureError) as error:
        dc.protect_counts(PEOPLE, ["entrees"], groups=[], **call)
    message = str(error.value)
    assert_actionable(message, file=None, where=False, fix=True)
    assert "--seuil" not in message  # a notebook user has no such option


@pytest.mark.parametrize("threshold", [2, 3, 4])
def test_library_warns_of_a_lower_threshold_and_still_hides(threshold):
    with pytest.warns(dc.DisclosureWarning, match=f"Seuil du secret statistique {threshold}"):
        out = dc.protect_counts(PEOPLE, ["entrees"], groups=[], threshold=threshold)
        assert dc.small_counts(out, ["entrees"], threshold=threshold).empty
    assert out["entrees"].isna().iloc[0]  # the count of 1 is never shown


@pytest.mark.parametrize("threshold", [5, 10, None])
def test_library_default_or_higher_threshold_is_silent(threshold):
    out = dc.protect_counts(PEOPLE, ["entrees"], groups=[], threshold=threshold)
    assert dc.small_counts(out, ["entrees"], threshold=threshold or 5).empty


def test_training_library_function_refuses_threshold_one():
    from diagnostics import training as tr
    from diagnostics._readers.training import read_training_folder

    inputs = read_training_folder(DEMO / "formation")
    with pytest.raises(dc.DisclosureError, match="refusé"):
        tr.training_funnel(
            inputs["prescriptions"], inputs["sessions"], inputs["agences"], threshold=1
        )


# --------------------------------------------------------------------------- BMO files

HEADER = [
    "annee", "Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met", "REG",
    "NOM_REG", "Dept", "NomDept", "BE24", "NOMBE24", "met", "xmet", "smet",
]  # fmt: skip
#: (métier, bassin, met, xmet, smet): bassin 5221 is entirely masked.
ROWS = [
    ("A0X40", "5220", "97", "97", "*"),
    ("B0X30", "5220", "54", "54", "17"),
    ("C0X10", "5220", "35", "*", "20"),
    ("D0X20", "5220", "*", "*", "*"),
    ("E0X30", "5220", "120", "60", "30"),
    ("A0X40", "5221", "*", "*", "*"),
    ("B0X30", "5221", "*", "*", "*"),
]
_NAMES = {"A": "Agriculture", "B": "Bâtiment", "C": "Commerce", "D": "Industrie", "E": "Santé"}


def bmo_csv(path: Path, rows=ROWS, **changes: str) -> Path:
    """A small BMO 2024 CSV; ``changes`` are ``"<row>_<column>": value`` overrides."""
    lines = [";".join(HEADER)]
    for i, (metier, bassin, met, xmet, smet) in enumerate(rows):
        cells = {
            "annee": "2024", "Code métier BMO": metier, "Nom métier BMO": f"Métier {metier}",
            "Famille_met": metier[0], "Lbl_fam_met": _NAMES[metier[0]], "REG": "52",
            "NOM_REG": "Pays de la Loire", "Dept": "44", "NomDept": "Loire-Atlantique",
            "BE24": bassin, "NOMBE24": f"BASSIN {bassin}", "met": met, "xmet": xmet,
            "smet": smet,
        }  # fmt: skip
        for key, value in changes.items():
            row, column = key.split("_", 1)
            if int(row) == i:
                cells[column] = value
        lines.append(";".join(cells[h] for h in HEADER))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("column", "metier", "share"),
    [
        ("saisonniers", "A0X40", "≤ 4,1\u202f%"),  # smet * with met 97
        ("difficiles", "C0X10", "≤ 11,4\u202f%"),  # xmet * with met 35
        ("saisonniers", "B0X30", "31,5\u202f%"),  # nothing masked: the exact share
    ],
)
def test_share_on_a_masked_cell_is_bounds_never_zero(tmp_path, column, metier, share):
    from diagnostics.bmo import format_share_with_bounds

    bmo = read_bmo(bmo_csv(tmp_path / "bmo.csv"), cache=False)
    ranking = top_tension_metiers(
        bmo[bmo["bassin"] == "5220"], n=10, min_projets=5, by="part_difficiles"
    )
    row = ranking.set_index("metier").loc[metier]
    text = format_share_with_bounds(
        row[f"part_{column}"], row[f"part_{column}_min"], row[f"part_{column}_max"]
    )
    assert text == share and "0,0" not in text


@pytest.mark.parametrize("column", ["met", "xmet", "smet"])
def test_star_in_any_count_column_is_secret_never_zero_nor_error(tmp_path, column):
    path = bmo_csv(tmp_path / "bmo.csv", **{f"4_{column}": "*"})
    bmo = read_bmo(path, cache=False)
    flag = {"met": "projets_secret", "xmet": "difficiles_secret", "smet": "saisonniers_secret"}
    row = bmo[bmo["metier"] == "E0X30"].iloc[0]
    assert bool(row[flag[column]]) and len(bmo) == len(ROWS)
    assert len(bmo.attrs["problemes"]) == 0


def test_fully_secret_territory_is_null_with_bounds_in_json(run_cli, tmp_path):
    path = bmo_csv(tmp_path / "bmo.csv")
    argv = ["bmo", "resume", "--fichier", path, "--niveau", "bassin", "--code", "5221"]
    code, out, _err = run_cli([*argv, "--json"])
    assert code == 0
    payload = json.loads(out)
    assert payload["projets"] is None and payload["part_difficiles"] is None
    assert [payload["projets_min"], payload["projets_max"]] == [0, 8]
    assert payload["cellules_secretes_projets"] == 2


def test_fully_secret_territory_is_secret_statistique_in_text(run_cli, tmp_path):
    path = bmo_csv(tmp_path / "bmo.csv")
    code, out, _err = run_cli(
        ["bmo", "resume", "--fichier", path, "--niveau", "bassin", "--code", "5221"]
    )
    assert code == 0
    line = next(x for x in out.splitlines() if "Projets de recrutement" in x)
    assert "secret statistique (entre 0 et 8)" in line
    assert ": 0 " not in line and "0,0" not in out.split("Bassin 5221")[1]


def test_fully_secret_figures_are_missing_in_the_library(tmp_path):
    bmo = read_bmo(bmo_csv(tmp_path / "bmo.csv"), cache=False)
    summary = recruitment_summary(bmo, by="bassin").set_index("bassin")
    assert pd.isna(summary.loc["5221", "projets"])
    assert summary.loc["5221", "projets_max"] == 8
    assert summary.loc["5220", "projets"] == 97 + 54 + 35 + 120  # published cells


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("met", "abc"),
        ("met", "12 3"),
        ("met", "n.d."),
        ("xmet", "-4"),
        ("xmet", "12.5"),
        ("smet", "beaucoup"),
        ("smet", ""),
        ("met", "NaN"),
    ],
)
def test_unreadable_count_sets_its_row_aside(tmp_path, column, value):
    path = bmo_csv(tmp_path / "Base_open_data_BMO_2024.csv", **{f"1_{column}": value})
    bmo = read_bmo(path, cache=False)
    assert len(bmo) == len(ROWS) - 1
    assert "B0X30" not in set(bmo.loc[bmo["bassin"] == "5220", "metier"])
    (problem,) = bmo.attrs["problemes"]
    assert (problem.line, problem.column, problem.action) == (3, column, "écartée")
    assert problem.value == (value or "(vide)")
    assert_actionable(str(problem), file=path, where=True, fix=True)
    # the other rows are read as before: the masked ones stay secret, not 0
    assert bmo["projets_secret"].sum() == 3


def test_thousands_separators_are_a_number_not_text(tmp_path):
    path = bmo_csv(tmp_path / "bmo.csv", **{"4_met": "1\u202f234", "4_xmet": "1 000"})
    bmo = read_bmo(path, cache=False)
    row = bmo[bmo["metier"] == "E0X30"].iloc[0]
    assert (row["projets"], row["projets_difficiles"]) == (1234, 1000)


def test_unreadable_count_is_refused_when_strict(run_cli, tmp_path):
    path = bmo_csv(tmp_path / "Base_open_data_BMO_2024.csv", **{"1_met": "abc"})
    with pytest.raises(SchemaError) as error:
        read_bmo(path, strict=True)
    assert_actionable(str(error.value), file=path, where=True, fix=True)
    code, _out, err = run_cli(["bmo", "resume", "--fichier", path, "--strict"])
    assert code == 2 and "ligne 3 : 'abc'" in err
    # without --strict, the same file is read and the row reported: exit 1
    code, out, err = run_cli(["bmo", "resume", "--fichier", path])
    assert code == 1 and "ligne 3" in out and "abc" in out


def test_a_file_of_text_counts_is_still_refused(tmp_path):
    changes = {f"{i}_met": "n.d." for i in range(len(ROWS))}
    path = bmo_csv(tmp_path / "Base_open_data_BMO_2024.csv", **changes)
    with pytest.raises(SchemaError) as error:
        read_bmo(path, cache=False)
    assert_actionable(str(error.value), file=path, where=True, fix=True)


@pytest.mark.real_data
def test_nantes_metiers_en_tension_show_no_zero_where_the_file_says_star(shared_data, tmp_path):
    """Bassin 5220 (Nantes), real BMO 2024: some of the 10 métiers en tension have smet = *."""
    import re

    from diagnostics import portrait

    config = (
        (Path(__file__).parents[1] / "data" / "portrait_pays_de_la_loire.toml")
        .read_text(encoding="utf-8")
        .replace("../../../shared/data", shared_data.resolve().as_posix())
    )
    (tmp_path / "portrait.toml").write_text(config, encoding="utf-8")
    data = portrait.load_portrait(tmp_path / "portrait.toml", "bassin", "5220")
    section = portrait.section_bmo_metiers(data)
    tension = section.tables["metiers_en_tension"]
    masked = tension["cellules_secretes_saisonniers"] > 0
    assert masked.sum() >= 1
    page = "".join(section.blocks)
    table = page[page.index("Métiers en tension") : page.index("Familles de métiers")]
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert not [c for c in cells if c.startswith("0,0")]
    assert sum(c.startswith("≤ ") for c in cells) >= masked.sum()


# --------------------------------------------------------------------------- provenance


def test_second_copy_is_named_by_its_own_name(run_cli, tmp_path):
    """Same content under two names: the second run names the second file."""
    first = bmo_csv(tmp_path / "bmo_premier.csv", **{"1_met": "abc"})
    second = tmp_path / "autre" / "bmo_second.csv"
    second.parent.mkdir()
    shutil.copy(first, second)
    assert read_bmo(first).attrs["cache"] == "écrit dans le cache"
    bmo = read_bmo(second)
    assert bmo.attrs["cache"] == "lu depuis le cache"
    assert bmo.attrs["rapport"]["fichier"] == "bmo_second.csv"
    assert [p.file for p in bmo.attrs["problemes"]] == ["bmo_second.csv"]
    report = format_bmo_report(bmo)
    assert "bmo_second.csv" in report and "bmo_premier" not in report
    code, out, _err = run_cli(["bmo", "resume", "--fichier", second])
    assert code == 1 and "bmo_second.csv" in out and "bmo_premier" not in out


# --------------------------------------------------------------------------- DARES

DARES_HEADER = (
    "fap,Emploi moyen,Tension ,Catégorie Tension,Intensité d'embauches,Lien formation-emploi,"
    "Manque de main d'œuvre disponible,Non-durabilité de l'emploi,Conditions de travail,"
    "Inadéquation géographique,Année,niveau_geo,niveau_fap,reg,dep"
)


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        ("A0Z40,1200,0.5,4,3,2,4,1,2,3,2023,planete,fap225,52,44", "niveau_geo", "planete"),
        ("A0Z40,1200,0.5,4,3,2,4,1,2,3,deux mille,dep,fap225,52,44", "Année", "deux mille"),
        ("A0Z40,1200,0.5,4,3,2,4,1,2,3,2023,dep,fap225,52,4Z4", "dep", "4Z4"),
    ],
)
def test_dares_bad_row_is_set_aside_not_the_file(tmp_path, row, column, value):
    good = [
        "A0Z40,1000,0.9,5,4,3,5,2,3,4,2023,nat,fap225,,",
        "A0Z40,1100,0.7,4,3,3,4,2,3,4,2023,reg,fap225,52.0,",
    ]
    path = tmp_path / "tensions_dares.csv"
    path.write_text("\n".join([DARES_HEADER, *good, row]) + "\n", encoding="utf-8")
    dares = read_dares_tensions(path)
    assert len(dares) == 2
    (problem,) = dares.attrs["problemes"]
    assert (problem.line, problem.column, problem.value) == (4, column, value)
    assert_actionable(str(problem), file=path, where=True, fix=True)
    with pytest.raises(SchemaError):
        read_dares_tensions(path, strict=True)
