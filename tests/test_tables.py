"""Tests of the one table layer, :mod:`geo.tables`."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
import xlsxwriter

from geo._errors import InputFileError, SchemaError
from geo.tables import (
    normalize_header,
    pick_columns,
    raise_problems,
    read_table,
    sniff_format,
)

KNOWN = {"code_commune", "libelle", "population"}


def score(row):
    return sum(normalize_header(c) in KNOWN for c in row)


def write_xlsx(path, sheets):
    """``sheets``: name -> list of rows (lists of cells), written from A1."""
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(i, j, value)
    workbook.close()
    return path


def xlsx_bytes(tmp_path, sheets):
    return write_xlsx(tmp_path / "tmp.xlsx", sheets).read_bytes()


# --------------------------------------------------------------------------- CSV


def test_csv_semicolon_latin1(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_bytes("Code commune;Libellé\n01001;L'Abergement-Clémenciat\n".encode("cp1252"))
    t = read_table(path)
    assert t.columns.tolist() == ["Code commune", "Libellé"]
    assert t.iloc[0].tolist() == ["01001", "L'Abergement-Clémenciat"]
    assert t.attrs["encoding"] == "cp1252"
    assert t.attrs["separator"] == ";"
    assert t.attrs["format"] == "csv"
    assert t.attrs["source"] == "communes.csv"
    assert all(str(dtype) == "string" for dtype in t.dtypes)


def test_csv_utf8_bom_comma_and_every_cell_as_text(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfcode,nombre, note \n01001,0012,  \n")
    t = read_table(path)
    assert t.columns.tolist() == ["code", "nombre", "note"]  # no BOM in the first header
    assert t.iloc[0, :2].tolist() == ["01001", "0012"]
    assert pd.isna(t.iloc[0, 2])
    assert t.attrs["encoding"] == "utf-8-sig"


def test_csv_line_numbers_blank_lines_and_quoted_newlines(tmp_path):
    path = tmp_path / "lignes.csv"
    path.write_text('a;b\n1;"deux\nlignes"\n\n;\n3;x\n', encoding="utf-8")
    t = read_table(path, line_column="ligne")
    assert t["ligne"].tolist() == [2, 6]
    assert t["b"].tolist() == ["deux\nlignes", "x"]
    assert t.attrs["lignes_vides"] == 2


def test_a_file_column_named_like_the_line_column_is_kept(tmp_path):
    path = tmp_path / "ligne.csv"
    path.write_text("ligne;code\n12;44109\n", encoding="utf-8")
    t = read_table(path, line_column="ligne")
    assert t.to_dict("list") == {"ligne": [2], "ligne.1": ["12"], "code": ["44109"]}


def test_csv_header_row_found_by_the_scorer_and_normalised(tmp_path):
    path = tmp_path / "titre.csv"
    path.write_text(
        "Communes de la région\n\nCode commune;Libellé;Population\n44109;Nantes;320732\n",
        encoding="utf-8",
    )
    t = read_table(path, header_score=score, normalize=True, line_column="ligne")
    assert t.columns.tolist() == ["ligne", "code_commune", "libelle", "population"]
    assert t.iloc[0].tolist() == [4, "44109", "Nantes", "320732"]
    assert t.attrs["ligne_en_tete"] == 3
    assert t.attrs["score"] == 3


def test_csv_unnamed_index_column_dropped_and_duplicates_renamed(tmp_path):
    path = tmp_path / "index.csv"
    path.write_text(";code;code;\n0;1;2;\n", encoding="utf-8")
    t = read_table(path)
    assert t.columns.tolist() == ["code", "code.1"]


# --------------------------------------------------------------------------- workbooks


def test_xlsx_best_sheet_and_header_row(tmp_path):
    path = write_xlsx(
        tmp_path / "classeur.xlsx",
        {
            "Lisez-moi": [["Notice"], ["Code commune : le code INSEE"]],
            "Données": [
                ["Tableau 1 : communes"],
                [],
                [None, "Code commune", "Libellé", "Population"],
                [None, 1001.0, "L'Abergement", 776],
                [],
                [None, "44109", "Nantes", 320732.0],
                [None, None, None, 12.5],
            ],
        },
    )
    t = read_table(path, header_score=score, line_column="ligne")
    assert t.columns.tolist() == ["ligne", "Code commune", "Libellé", "Population"]
    assert t["ligne"].tolist() == [4, 6, 7]
    assert t["Code commune"].tolist()[:2] == ["1001", "44109"]  # no ".0"
    assert t["Population"].tolist() == ["776", "320732", "12.5"]
    assert t.attrs["feuille"] == "Données"
    assert t.attrs["feuilles"] == ["Lisez-moi", "Données"]
    assert t.attrs["ligne_en_tete"] == 3
    assert t.attrs["format"] == "xlsx"


def test_xlsx_without_scorer_reads_the_first_sheet_first_row(tmp_path):
    path = write_xlsx(tmp_path / "simple.xlsx", {"A": [["x", "y"], ["1", "2"]], "B": [["z"]]})
    t = read_table(path)
    assert t.to_dict("list") == {"x": ["1"], "y": ["2"]}


def ods_bytes(rows):
    """A minimal OpenDocument spreadsheet (no writer needed): one sheet of text cells."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    body = "".join(
        "<table:table-row>" + "".join(cell.format(v) for v in row) + "</table:table-row>"
        for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="Feuille1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return buffer.getvalue()


def test_ods_workbook(tmp_path):
    path = tmp_path / "communes.ods"
    path.write_bytes(ods_bytes([["code", "nom"], ["44109", "Nantes"]]))
    t = read_table(path)
    assert t.to_dict("list") == {"code": ["44109"], "nom": ["Nantes"]}
    assert (t.attrs["format"], t.attrs["feuille"]) == ("ods", "Feuille1")


def test_zip_holding_one_table(tmp_path):
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("dossier/communes.csv", "code;nom\n44109;Nantes\n")
        z.writestr("__MACOSX/._communes.csv", b"junk")
        z.writestr("lisez-moi.pdf", b"%PDF")
    t = read_table(archive)
    assert t.to_dict("list") == {"code": ["44109"], "nom": ["Nantes"]}
    assert t.attrs["format"] == "zip (csv)"
    assert t.attrs["source"] == "archive.zip › dossier/communes.csv"

    workbook = tmp_path / "classeur.zip"
    with zipfile.ZipFile(workbook, "w") as z:
        z.writestr("c.xlsx", xlsx_bytes(tmp_path, {"S": [["code"], ["01001"]]}))
    assert read_table(workbook).attrs["format"] == "zip (xlsx)"


def test_zip_with_two_tables_or_none(tmp_path):
    archive = tmp_path / "deux.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", "x\n1\n")
        z.writestr("b.xlsx", b"")
    with pytest.raises(InputFileError, match=r"deux\.zip.*exactement un.*trouvé 2"):
        read_table(archive)


# --------------------------------------------------------------------------- by content


def test_csv_named_xlsx_and_xlsx_named_csv(tmp_path):
    csv_named_xlsx = tmp_path / "export.xlsx"
    csv_named_xlsx.write_text("code,nom\n44109,Nantes\n", encoding="utf-8")
    assert read_table(csv_named_xlsx).attrs["format"] == "csv"
    assert read_table(csv_named_xlsx)["nom"].tolist() == ["Nantes"]

    xlsx_named_csv = tmp_path / "export.csv"
    xlsx_named_csv.write_bytes(xlsx_bytes(tmp_path, {"S": [["code", "nom"], ["44109", "Nantes"]]}))
    t = read_table(xlsx_named_csv)
    assert t.attrs["format"] == "xlsx"
    assert t["nom"].tolist() == ["Nantes"]


def test_sniff_format(tmp_path):
    assert sniff_format(xlsx_bytes(tmp_path, {"S": [["a"]]})) == "xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.csv", "a\n")
    assert sniff_format(buffer.getvalue()) == "zip"
    assert sniff_format(b"\xff\xfea\x00;\x00b\x00") == "csv"  # UTF-16 text
    assert sniff_format(b"  \n") == "empty"
    assert sniff_format(b"\x89PNG\r\n\x1a\n\x00\x00") == "binary"


def test_utf16_text_export(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("code\tnom\n44109\tNantes\n".encode("utf-16"))
    t = read_table(path)
    assert t.to_dict("list") == {"code": ["44109"], "nom": ["Nantes"]}
    assert t.attrs["separator"] == "\t"


# --------------------------------------------------------------------------- errors


def test_missing_and_empty_file(tmp_path):
    with pytest.raises(InputFileError, match=r"absent\.csv : fichier introuvable"):
        read_table(tmp_path / "absent.csv")
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match=r"vide\.csv : fichier vide"):
        read_table(empty)


def test_binary_non_table(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(InputFileError, match=r"image\.csv : .*binaire.*Exportez-le en CSV"):
        read_table(path)


def test_truncated_workbook(tmp_path):
    path = tmp_path / "tronque.xlsx"
    path.write_bytes(xlsx_bytes(tmp_path, {"S": [["a"], ["1"]] * 200})[:3000])
    with pytest.raises(InputFileError, match=r"tronque\.xlsx : .*tronqu.*téléchargez à nouveau"):
        read_table(path)


def test_pick_columns_and_raise_problems():
    df = pd.DataFrame({"Code Commune": ["1"], "Nom": ["a"]})
    out = pick_columns(
        df, {"commune": ["code_commune"]}, required=["commune"], source="f", what="x"
    )
    assert out.columns.tolist() == ["commune"]
    with pytest.raises(SchemaError, match=r"f : colonne\(s\) absente\(s\) pour x.*trouvées : Code"):
        pick_columns(df, {"bassin": ["bassin"]}, required=["bassin"], source="f", what="x")
    raise_problems("f", "x", [])
    with pytest.raises(SchemaError, match=r"f : 1 problème\(s\) dans x :\n  - oups"):
        raise_problems("f", "x", ["oups"])
