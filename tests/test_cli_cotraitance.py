"""``territoire cotraitance tableau``: exports under disclosure control, French errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from diagnostics import cli
from geo import settings

DEMO = settings.demo_dir() / "cotraitance"

#: Columns of the exported tables that count people (after disclosure control).
COUNT_COLUMNS = {
    "n",
    "affectations",
    "initialisations",
    "entrees",
    "entrees_objectif",
    "cumul_objectif",
    "entrees_affectation",
    "entrees_initialisation",
    "dont_civis",
    "dont_ex_civis",
    "volume",
    "actif",
    "alerte",
    "suspension",
    "en_entree",
    "stock",
}
_MAP_COUNTS = re.compile(r":\s*(\d+)\s+affectations")


def _small(value: object, limit: int) -> bool:
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return False
    return number.is_integer() and 0 < number < limit


def small_counts_in_files(
    paths: list[Path],
    limit: int,
    *,
    columns: set[str] = COUNT_COLUMNS,
    map_counts: re.Pattern[str] = _MAP_COUNTS,
) -> list[tuple]:
    """Every count ``1 … limit-1`` shown in the CSV, XLSX, JSON and HTML ``paths``.

    ``columns`` are the table columns that count people; ``map_counts`` finds the
    counts in the map tooltips (its group 1 is the number).
    """
    found: list[tuple] = []
    for path in paths:
        if path.suffix == ".csv":
            table = pd.read_csv(path, sep=";", dtype="string")
        elif path.suffix == ".xlsx":
            table = pd.read_excel(path, dtype=str, engine="calamine")
        elif path.suffix == ".json":
            table = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            found += [
                (path.name, m.group(0))
                for m in map_counts.finditer(text)
                if _small(m.group(1), limit)
            ]
            continue
        else:
            continue
        for col in columns & set(table.columns):
            found += [(path.name, col, v) for v in table[col] if _small(v, limit)]
    return found


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """Register the command group until the lead adds it to ``_COMMAND_MODULES``."""
    if "diagnostics.cli.cotraitance" not in cli._COMMAND_MODULES:
        monkeypatch.setattr(
            cli, "_COMMAND_MODULES", (*cli._COMMAND_MODULES, "diagnostics.cli.cotraitance")
        )


def _run(folder, out, *extra: str, year: str = "2024", month: str = "6") -> int:
    argv = ["cotraitance", "tableau", "--dossier", str(folder), "--annee", year]
    return cli.main([*argv, "--mois", month, "--sortie", str(out), *extra])


def test_dashboard_on_the_demo_writes_protected_tables_figures_and_map(tmp_path, capsys):
    out = tmp_path / "comite"
    assert _run(DEMO, out) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Cotraitance : situation à fin juin 2024.")
    assert "P0001 (Mission locale de Vegicourt) : dépassement" in printed
    assert "transmise au comité de pilotage régional" in printed
    assert "inadéquation besoins / objectif" in printed
    assert "Trop-perçus projetés" in printed and "P0003" in printed
    written = sorted(out.iterdir())
    names = {p.name for p in written}
    tables = {
        "atteinte", "alertes", "paiements", "rythme", "sankey", "inadequation", "acces",
        "delais", "stocks", "sorties_dues", "affectations_non_annulees",
    }  # fmt: skip
    assert names == (
        {f"{t}.csv" for t in tables}
        | {f"{t}.xlsx" for t in tables}
        | {"figure_rythme.png", "figure_sankey.png", "carte_flux.html"}
    )
    assert small_counts_in_files(written, settings.disclosure_threshold) == []
    # the check can fail: the demo does hide small cells
    assert "s" in set(pd.read_csv(out / "sankey.csv", sep=";", dtype="string")["volume"])
    page = (out / "carte_flux.html").read_text(encoding="utf-8")
    assert "secret statistique" in page and "cdn." not in page
    attainment = pd.read_csv(out / "atteinte.csv", sep=";", dtype="string")
    assert attainment.loc[attainment["niveau"] == "mission_locale", "territoire"].tolist() == [
        f"P000{i}" for i in range(1, 8)
    ]


def test_threshold_option_hides_more(tmp_path, capsys):
    assert _run(DEMO, tmp_path / "s5") == 0
    assert _run(DEMO, tmp_path / "s10", "--seuil", "10") == 0
    printed = capsys.readouterr().out
    assert "effectifs de 1 à 9 masqués" in printed
    written = sorted((tmp_path / "s10").iterdir())
    assert small_counts_in_files(written, 10) == []
    hidden = {
        s: (
            pd.read_csv(tmp_path / s / "sankey.csv", sep=";", dtype="string")["volume"] == "s"
        ).sum()
        for s in ("s5", "s10")
    }
    assert hidden["s10"] > hidden["s5"]


def test_json_summary(tmp_path, capsys):
    assert _run(DEMO, tmp_path, "--json", month="5") == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["annee"] == 2024 and payload["mois"] == 5 and payload["seuil_secret"] == 5
    assert payload["lignes_ecartees"] == [] and payload["code_sortie"] == 0
    assert {a["alerte"] for a in payload["alertes"]} == {
        "dépassement",
        "inadéquation besoins / objectif",
    }
    assert payload["resume"][0] == "Cotraitance : situation à fin mai 2024."
    assert all(Path(p).is_file() for p in payload["fichiers_ecrits"])
    assert "structures.csv" in payload["fichiers_lus"]


def test_mandatory_files_only(tmp_path, capsys):
    folder = tmp_path / "entrees"
    folder.mkdir()
    for name in ("structures.csv", "flux.csv", "objectifs.csv"):
        shutil.copy(DEMO / name, folder / name)
    assert _run(folder, tmp_path / "out") == 0
    names = {p.stem for p in (tmp_path / "out").iterdir()}
    assert {"atteinte", "alertes", "paiements", "rythme", "sankey"} <= names
    assert not names & {"stocks", "delais", "acces", "inadequation", "sorties_dues"}
    assert "Sorties dues" not in capsys.readouterr().out


def test_rejected_rows_are_listed_and_exit_code_is_1(tmp_path, capsys):
    folder = tmp_path / "entrees"
    shutil.copytree(DEMO, folder)
    with open(folder / "flux.csv", "a", encoding="utf-8") as handle:
        handle.write("2024-06;A9901;P9999" + ";1" * 15 + "\n")
    assert _run(folder, tmp_path / "out") == 1
    printed = capsys.readouterr().out
    assert "1 ligne(s) écartée(s)" in printed
    assert (
        "flux.csv, ligne 218, colonne « mission_locale » : mission locale 'P9999' inconnue"
        in printed
    )


def test_missing_folder_is_a_french_error(tmp_path, capsys):
    assert _run(tmp_path / "absent", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "dossier introuvable" in err and "structures.csv" in err


def test_missing_mandatory_file_is_named(tmp_path, capsys):
    folder = tmp_path / "entrees"
    folder.mkdir()
    shutil.copy(DEMO / "structures.csv", folder / "structures.csv")
    shutil.copy(DEMO / "flux.csv", folder / "flux.csv")
    assert _run(folder, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "obligatoire(s) absent(s) : objectifs.csv" in err
    assert "modele_objectifs.csv" in err
    assert not (tmp_path / "out").exists()


def test_period_not_covered_by_the_files(tmp_path, capsys):
    assert _run(DEMO, tmp_path / "out", month="9") == 2
    err = capsys.readouterr().err
    assert "le dernier mois connu de 2024 est 2024-06" in err
    assert _run(DEMO, tmp_path / "out", year="2030", month="1") == 2
    err = capsys.readouterr().err
    assert "aucun flux en 2030" in err and "aucun objectif pour 2030" in err


def test_bad_month_is_refused_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        _run(DEMO, tmp_path, month="13")
    assert exc.value.code == 2
    assert "mois '13' invalide (attendu un entier de 1 à 12)" in capsys.readouterr().err
