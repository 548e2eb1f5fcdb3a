"""Tests of diagnostics._readers.bmo: every year format, ZIP/CSV variants, bad inputs.

Fixtures are tiny BMO files written in code (xlsxwriter) in the layouts of the
open-data files: 2015–2023 with the bassin columns first (2023 order), 2024–2025
with the métier columns first, 2026 with an extra ``clpe`` column; ``BE<aa>``
suffixes follow the year.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from diagnostics._readers.bmo import BMO_COLUMNS, format_bmo_report, read_bmo
from geo._errors import InputFileError, SchemaError
from geo.problems import problems_of

# One row per (métier, bassin part): code FAP2021, label, family, bassin (as the
# file writes it: a number that lost its leading zero), bassin name, dept, dept
# name, région, région name, met, xmet, smet, clpe.
ROWS = [
    ("A0X40", "Agriculteurs", "Z", 101, "BASSE-TERRE", "971", "Guadeloupe", "01", "Guadeloupe", "95", "31", "44", "0101"),
    ("A0X40", "Agriculteurs", "Z", 5203, "NANTES", "44", "Loire-Atlantique", "52", "Pays de la Loire", "120", "*", "60", "CLPE44001"),
    ("A0X40", "Agriculteurs", "Z", 5313, "REDON", "35", "Ille-et-Vilaine", "53", "Bretagne", "*", "*", "*", "CLPE35001"),
    ("A0X40", "Agriculteurs", "Z", 5313, "REDON", "44", "Loire-Atlantique", "53", "Bretagne", "11", "11", "*", "CLPE44002"),
    ("T2A60", "Aides à domicile", "V", 5203, "NANTES", "44", "Loire-Atlantique", "52", "Pays de la Loire", "340", "290", "*", "CLPE44001"),
    ("T2A60", "Aides à domicile", "V", 9401, "AJACCIO", "2a", "Corse-du-Sud", "94", "Corse", "17", "12", "*", "9401"),
]  # fmt: skip

YEARS = list(range(2015, 2027))


def header(year: int) -> list[str]:
    """Column names of the open-data file of ``year``."""
    yy = f"{year % 100:02d}"
    metier = ["Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met"]
    counts = ["met", "xmet", "smet"]
    if year <= 2023:  # bassin columns first
        geo = [f"BE{yy}", f"NOMBE{yy}", "Dept", "NomDept", "REG", "NOM_REG"]
        return [*geo, "annee", *metier, *counts]
    geo = ["REG", "NOM_REG", "Dept", "NomDept", f"BE{yy}", f"NOMBE{yy}"]
    if year >= 2026:
        geo.append("clpe")
    return ["annee", *metier, *geo, *counts]


def records(year: int, rows=ROWS) -> list[dict]:
    """Cells of ``rows`` for ``year`` (FAP2009 codes before 2024)."""
    yy = f"{year % 100:02d}"
    out = []
    for code, name, fam, bassin, bname, dep, dname, reg, rname, met, xmet, smet, clpe in rows:
        if year < 2024 and code[2] == "X":
            code = code[:2] + "Z" + code[3:]
        out.append(
            {
                "annee": year,
                "Code métier BMO": code,
                "Nom métier BMO": name,
                "Famille_met": fam,
                "Lbl_fam_met": "Autres métiers" if fam == "Z" else "Vente, tourisme et services",
                "REG": reg,
                "NOM_REG": rname,
                "Dept": dep,
                "NomDept": dname,
                f"BE{yy}": bassin,
                f"NOMBE{yy}": bname,
                "clpe": clpe,
                "met": met,
                "xmet": xmet,
                "smet": smet,
            }
        )
    return out


def write_xlsx(
    path: Path,
    columns: list[str],
    rows: list[dict],
    *,
    sheet: str = "BMO_open_data",
    title_rows: int = 0,
    description: bool = True,
) -> Path:
    """Write a small BMO workbook: optional description sheet, then the data sheet."""
    workbook = xlsxwriter.Workbook(str(path))
    if description:
        notes = workbook.add_worksheet("Description des variables")
        notes.write_row(0, 1, ["Variables", "Description"])
        for i, name in enumerate(columns, start=1):
            notes.write_row(i, 1, [name, f"description de {name}"])
    data = workbook.add_worksheet(sheet)
    for i in range(title_rows):
        data.write(i, 0, f"Titre {i}")
    data.write_row(title_rows, 0, columns)
    for i, row in enumerate(rows, start=title_rows + 1):
        data.write_row(i, 0, [row.get(c, "") for c in columns])
    workbook.close()
    return path


def write_bmo(path: Path, year: int, rows=ROWS, **kwargs) -> Path:
    return write_xlsx(
        path, header(year), records(year, rows), sheet=f"BMO_{year}_open_data", **kwargs
    )


def write_csv(path: Path, year: int, *, sep: str = ";", encoding: str = "cp1252") -> Path:
    table = pd.DataFrame(records(year))[header(year)]
    table.to_csv(path, sep=sep, index=False, encoding=encoding)
    return path


@pytest.fixture
def bmo_2024(tmp_path) -> Path:
    return write_bmo(tmp_path / "Base_open_data_BMO_2024.xlsx", 2024)


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("year", YEARS)
def test_every_year_format(tmp_path, year):
    path = write_bmo(tmp_path / f"Base_open_data_BMO_{year}.xlsx", year)
    bmo = read_bmo(path, cache=False)
    assert tuple(bmo.columns) == BMO_COLUMNS
    assert len(bmo) == len(ROWS)
    assert bmo["annee"].tolist() == [year] * len(ROWS)
    assert str(bmo["annee"].dtype) == "int64"
    expected = "FAP2021" if year >= 2024 else "FAP2009"
    assert bmo["nomenclature"].unique().tolist() == [expected]
    assert bmo["metier"].iloc[0] == ("A0X40" if year >= 2024 else "A0Z40")
    assert bmo["metier"].iloc[-1] == "T2A60"  # shared by both nomenclatures
    assert bmo["bassin"].tolist() == ["0101", "5203", "5313", "5313", "5203", "9401"]
    assert bmo["departement"].tolist() == ["971", "44", "35", "44", "44", "2A"]
    assert bmo["region"].iloc[0] == "01"
    assert bmo["projets"].tolist()[:2] == [95, 120]
    if year >= 2026:
        assert bmo["clpe"].tolist()[:2] == ["0101", "CLPE44001"]
    else:
        assert bmo["clpe"].isna().all()
    for column in ("projets", "projets_difficiles", "projets_saisonniers"):
        assert str(bmo[column].dtype) == "Int64"
    assert bmo.attrs["rapport"]["annees"] == [year]


def test_secret_cells_are_missing_and_flagged_never_zero(bmo_2024):
    bmo = read_bmo(bmo_2024, cache=False)
    redon_35 = bmo[(bmo["bassin"] == "5313") & (bmo["departement"] == "35")].iloc[0]
    assert redon_35["projets_secret"] and redon_35["difficiles_secret"]
    assert pd.isna(redon_35["projets"]) and pd.isna(redon_35["projets_difficiles"])
    nantes = bmo[(bmo["bassin"] == "5203") & (bmo["metier"] == "A0X40")].iloc[0]
    assert nantes["projets"] == 120 and not nantes["projets_secret"]
    assert pd.isna(nantes["projets_difficiles"]) and nantes["difficiles_secret"]
    # A flag is set exactly where the value is missing.
    for value, flag in (
        ("projets", "projets_secret"),
        ("projets_difficiles", "difficiles_secret"),
        ("projets_saisonniers", "saisonniers_secret"),
    ):
        assert (bmo[value].isna() == bmo[flag]).all()
        assert bmo[flag].dtype == bool


def test_reading_report(bmo_2024):
    bmo = read_bmo(bmo_2024, cache=False)
    report = bmo.attrs["rapport"]
    assert report["lignes"] == 6
    assert report["cellules_secretes"] == {
        "projets": 1,
        "projets_difficiles": 2,
        "projets_saisonniers": 4,
    }
    assert report["codes_corriges"]["bassin"] == 1  # 101 -> 0101
    assert report["exemples_codes_corriges"]["bassin"] == ["101 → 0101"]
    assert problems_of(bmo) == []  # codes in canonical form: normalisation, not a problem
    assert report["codes_corriges"]["departement"] == 1  # 2a -> 2A
    assert report["feuille"] == "BMO_2024_open_data"
    assert report["colonnes"]["bassin"] == "BE24"
    assert report["colonnes_absentes"] == ["clpe"]
    assert report["sha256"] and report["lecteur"]
    text = format_bmo_report(bmo)
    assert "6 lignes" in text and "101 → 0101" in text and "1 projets" in text


def test_zip_holding_the_workbook(tmp_path, bmo_2024):
    archive = tmp_path / "bmo_2024.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(bmo_2024, "donnees/Base_open_data_BMO_2024.xlsx")
        z.writestr("__MACOSX/._Base_open_data_BMO_2024.xlsx", b"junk")
    from_zip = read_bmo(archive, cache=False)
    direct = read_bmo(bmo_2024, cache=False)
    pd.testing.assert_frame_equal(from_zip, direct)
    assert from_zip.attrs["rapport"]["format"] == "zip (xlsx)"


def test_zip_must_hold_one_workbook(tmp_path, bmo_2024):
    archive = tmp_path / "deux.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(bmo_2024, "a.xlsx")
        z.write(bmo_2024, "b.xlsx")
    with pytest.raises(InputFileError, match=r"exactement un classeur XLSX.*trouvé 2"):
        read_bmo(archive, cache=False)
    empty = tmp_path / "vide.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("lisez-moi.txt", "rien")
    with pytest.raises(InputFileError, match="trouvé 0"):
        read_bmo(empty, cache=False)


@pytest.mark.parametrize(("sep", "encoding"), [(";", "cp1252"), (",", "utf-8")])
def test_csv_exported_by_an_analyst(tmp_path, bmo_2024, sep, encoding):
    path = write_csv(tmp_path / "bmo_2024.csv", 2024, sep=sep, encoding=encoding)
    from_csv = read_bmo(path, cache=False)
    direct = read_bmo(bmo_2024, cache=False)
    pd.testing.assert_frame_equal(from_csv, direct)
    assert from_csv["metier_nom"].iloc[-1] == "Aides à domicile"
    assert from_csv.attrs["rapport"]["format"].startswith("csv")


def test_csv_of_the_2023_layout(tmp_path):
    path = write_csv(tmp_path / "bmo_2023.csv", 2023)
    bmo = read_bmo(path, cache=False)
    assert bmo["nomenclature"].unique().tolist() == ["FAP2009"]
    assert bmo["bassin"].iloc[0] == "0101"


def test_header_below_title_rows_and_sheet_found_by_content(tmp_path):
    path = write_xlsx(
        tmp_path / "bmo.xlsx",
        header(2024),
        records(2024),
        sheet="Feuil1",
        title_rows=3,
    )
    bmo = read_bmo(path, cache=False)
    assert len(bmo) == len(ROWS)
    assert bmo.attrs["rapport"]["feuille"] == "Feuil1"


def test_header_spelling_variants(tmp_path):
    columns = [
        " Annee ",
        "CODE METIER BMO",
        "nom_metier_bmo",
        "famille_met",
        "lbl_fam_met",
        "reg",
        "nom_reg",
        "DEPT",
        "nomdept",
        "be18",
        "nombe18",
        "MET",
        "XMET",
        "SMET",
    ]
    rows = [
        dict(zip(columns, [r[c] for c in [*header(2024)[:9], "BE18", "NOMBE18", *header(2024)[-3:]]], strict=True))
        for r in records(2018)
    ]  # fmt: skip
    bmo = read_bmo(write_xlsx(tmp_path / "variantes.xlsx", columns, rows), cache=False)
    assert bmo["annee"].unique().tolist() == [2018]
    assert bmo["nomenclature"].unique().tolist() == ["FAP2009"]


def test_year_from_the_bassin_suffix_when_no_annee_column(tmp_path):
    columns = [c for c in header(2019) if c != "annee"]
    bmo = read_bmo(write_xlsx(tmp_path / "sans_annee.xlsx", columns, records(2019)), cache=False)
    assert bmo["annee"].unique().tolist() == [2019]


def test_counts_written_as_numbers_or_with_thousands_separators(tmp_path):
    rows = records(2024)
    rows[0]["met"] = 95.0  # a numeric cell
    rows[1]["met"] = "1 120"  # exported with a thousands separator
    rows[1]["xmet"] = "1\u202f005"
    bmo = read_bmo(write_xlsx(tmp_path / "nombres.xlsx", header(2024), rows), cache=False)
    assert bmo["projets"].tolist()[:2] == [95, 1120]
    assert bmo["projets_difficiles"].iloc[1] == 1005


def test_blank_rows_and_notes_below_the_table_are_ignored(tmp_path):
    rows = [*records(2024), {}, {"annee": "Source : enquête BMO, France Travail"}]
    bmo = read_bmo(write_xlsx(tmp_path / "notes.xlsx", header(2024), rows), cache=False)
    assert len(bmo) == len(ROWS)
    assert bmo.attrs["rapport"]["lignes_ignorees"] == 2
    notes = [p for p in problems_of(bmo) if "note sous le tableau" in p.message]
    assert [(p.line, p.action) for p in notes] == [(len(ROWS) + 3, "écartée")]


def test_incoherent_counts_are_reported_not_dropped(tmp_path):
    rows = records(2024)
    rows[0]["xmet"] = "200"  # more difficult projects than projects (95)
    bmo = read_bmo(write_xlsx(tmp_path / "incoherent.xlsx", header(2024), rows), cache=False)
    assert len(bmo) == len(ROWS)
    assert bmo.attrs["rapport"]["incoherences"]["difficiles_superieurs_aux_projets"] == 1
    assert "Signalé à la lecture (1) :\n  - incoherent.xlsx, ligne 2, colonne « xmet »" in (
        format_bmo_report(bmo)
    )
    (problem,) = problems_of(bmo)
    assert (problem.line, problem.column, problem.value, problem.action) == (
        2,
        "xmet",
        "200",
        "conservée",
    )


# --------------------------------------------------------------------------- bad inputs


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="introuvable"):
        read_bmo(tmp_path / "absent.xlsx")


def test_truncated_xlsx(tmp_path, bmo_2024):
    truncated = tmp_path / "tronque.xlsx"
    truncated.write_bytes(bmo_2024.read_bytes()[:3000])
    with pytest.raises(InputFileError, match=r"tronqu.*téléchargez à nouveau") as error:
        read_bmo(truncated, cache=False)
    assert "tronque.xlsx" in str(error.value)


def test_workbook_without_the_data_sheet(tmp_path):
    path = tmp_path / "sans_donnees.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    notes = workbook.add_worksheet("Description des variables")
    notes.write_row(0, 0, ["Variables", "Description"])
    notes.write_row(1, 0, ["met", "Nombre de projets"])
    workbook.add_worksheet("Graphiques").write(0, 0, "rien")
    workbook.close()
    with pytest.raises(SchemaError, match="aucune feuille") as error:
        read_bmo(path, cache=False)
    message = str(error.value)
    assert "« Description des variables »" in message and "« Graphiques »" in message
    assert "BMO_<année>_open_data" in message


def test_missing_columns_name_the_missing_and_the_found(tmp_path):
    columns = [c for c in header(2024) if c not in ("xmet", "smet")]
    path = write_xlsx(tmp_path / "incomplet.xlsx", columns, records(2024))
    with pytest.raises(SchemaError) as error:
        read_bmo(path, cache=False)
    message = str(error.value)
    assert "'xmet', 'smet'" in message and "absente" in message
    assert "colonnes trouvées" in message and "'met'" in message and "'BE24'" in message
    assert "ne semble pas être une base open data BMO" in message


def test_a_csv_that_is_not_a_bmo_file(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text("code;nom\n44109;Nantes\n", encoding="utf-8")
    with pytest.raises(
        SchemaError, match=r"colonne\(s\) 'Code métier BMO'.*trouvées : 'code', 'nom'"
    ):
        read_bmo(path, cache=False)


def test_text_where_a_count_is_expected_sets_the_row_aside(tmp_path):
    rows = records(2024)
    rows[2]["met"] = "douze"
    rows[4]["smet"] = "12,5"
    path = write_xlsx(tmp_path / "texte.xlsx", header(2024), rows)
    bmo = read_bmo(path, cache=False)
    assert len(bmo) == len(rows) - 2  # the two rows are set aside, the rest is kept
    problems = bmo.attrs["problemes"]
    # Data rows start on line 2 (header on line 1): rows[2] is line 4.
    assert [(p.line, p.column, p.value, p.action) for p in problems] == [
        (4, "met", "douze", "écartée"),
        (6, "smet", "12,5", "écartée"),
    ]
    assert all("Corrigez" in p.message for p in problems)
    assert bmo.attrs["rapport"]["lignes_ecartees"] == 2
    assert "Lignes écartées des totaux" in format_bmo_report(bmo)


def test_text_where_a_count_is_expected_refused_when_strict(tmp_path):
    rows = records(2024)
    rows[2]["met"] = "douze"
    rows[4]["smet"] = "12,5"
    with pytest.raises(SchemaError) as error:
        read_bmo(write_xlsx(tmp_path / "texte.xlsx", header(2024), rows), strict=True)
    message = str(error.value)
    assert "colonne 'met'" in message and "ligne 4 : 'douze'" in message
    assert "colonne 'smet'" in message and "ligne 6 : '12,5'" in message
    assert len(error.value.problems) == 2


def test_negative_counts(tmp_path):
    rows = records(2024)
    rows[0]["xmet"] = "-3"
    bmo = read_bmo(write_xlsx(tmp_path / "negatif.xlsx", header(2024), rows), cache=False)
    (problem,) = bmo.attrs["problemes"]
    assert (problem.line, problem.value) == (2, "-3") and "nombre négatif" in problem.message


def test_every_problem_is_reported_at_once(tmp_path):
    rows = records(2024)
    rows[0]["met"] = "beaucoup"
    rows[1]["xmet"] = "-1"
    rows[2]["BE24"] = "NANTES"
    rows[3]["Code métier BMO"] = "agriculteur"
    rows[4]["smet"] = ""
    with pytest.raises(SchemaError) as error:
        read_bmo(write_xlsx(tmp_path / "tout.xlsx", header(2024), rows), strict=True)
    problems = error.value.problems
    assert len(problems) == 5
    assert any("code métier invalide" in p for p in problems)
    assert any("colonne 'BE24'" in p and "'NANTES'" in p for p in problems)
    assert any("ligne 6 : '(vide)'" in p for p in problems)


def test_one_bad_code_sets_its_row_aside_not_the_file(tmp_path):
    rows = records(2024)
    rows[0]["Code métier BMO"] = "agriculteur"
    rows[1]["BE24"] = ""
    bmo = read_bmo(write_xlsx(tmp_path / "codes.xlsx", header(2024), rows), cache=False)
    assert len(bmo) == len(rows) - 2
    report = bmo.attrs["problemes"]
    assert sorted(p.line for p in report.set_aside()) == [2, 3]
    assert all((p.action == "écartée" and "Corrigez" in p.message) or "Complétez" in p.message
               for p in report)  # fmt: skip
    with pytest.raises(SchemaError, match="code métier invalide"):
        read_bmo(write_xlsx(tmp_path / "codes2.xlsx", header(2024), rows), strict=True)


def test_duplicate_rows_are_refused(tmp_path):
    rows = records(2024)
    rows.append(dict(rows[0]))
    with pytest.raises(SchemaError, match="en double"):
        read_bmo(write_xlsx(tmp_path / "double.xlsx", header(2024), rows), cache=False)


def test_mixed_nomenclatures_are_refused(tmp_path):
    rows = records(2024)
    rows[0]["Code métier BMO"] = "A0Z40"
    with pytest.raises(SchemaError, match="FAP2009.*FAP2021.*mélangés"):
        read_bmo(write_xlsx(tmp_path / "mix.xlsx", header(2024), rows), cache=False)


# --------------------------------------------------------------------------- cache


def test_cached_read_is_identical(bmo_2024):
    first = read_bmo(bmo_2024)
    second = read_bmo(bmo_2024)
    assert first.attrs["cache"] == "écrit dans le cache"
    assert second.attrs["cache"] == "lu depuis le cache"
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs["rapport"] == second.attrs["rapport"]
    assert problems_of(second) == problems_of(first)


def test_cache_is_keyed_by_content_not_name(tmp_path, bmo_2024):
    read_bmo(bmo_2024)
    copy = tmp_path / "copie.xlsx"
    shutil.copy(bmo_2024, copy)
    assert read_bmo(copy).attrs["cache"] == "lu depuis le cache"
    other = write_bmo(tmp_path / "autre.xlsx", 2023)
    assert read_bmo(other).attrs["cache"] == "écrit dans le cache"


# --------------------------------------------------------------------------- real data


@pytest.mark.real_data
def test_real_2024_file(shared_data):
    bmo = read_bmo(shared_data / "bmo" / "Base_open_data_BMO_2024.xlsx")
    assert len(bmo) == 53_443
    assert bmo["bassin"].nunique() == 406
    assert bmo["metier"].nunique() == 217
    assert bmo["nomenclature"].unique().tolist() == ["FAP2021"]
    assert bmo["annee"].unique().tolist() == [2024]
    assert bmo["bassin"].str.fullmatch(r"\d{4}").all()
    assert "0101" in set(bmo["bassin"])  # overseas bassin whose leading zero was lost
    report = bmo.attrs["rapport"]
    assert report["lignes"] == 53_443
    assert report["cellules_secretes"]["projets"] == int(bmo["projets_secret"].sum()) > 0
    assert report["codes_corriges"]["bassin"] > 0
    # Secret cells are missing, never 0 or 1; published counts start at 5.
    assert bmo.loc[bmo["projets_secret"], "projets"].isna().all()
    assert int(bmo["projets"].min()) >= 5
    # The cache gives back the same table.
    pd.testing.assert_frame_equal(
        read_bmo(shared_data / "bmo" / "Base_open_data_BMO_2024.xlsx"), bmo
    )
