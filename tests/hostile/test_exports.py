"""Hostile names in exports and the workshop's write-back (issue 14).

A structure, a training centre or a partner named like a spreadsheet formula
(``=HYPERLINK(...)``, ``+1+1``, ``@SUM(A1)``...) must reach every CSV and XLSX
export as text a spreadsheet shows, never as a formula; numbers stay numbers.
The export scan opens every workbook the product writes and looks for formula
cells. The workshop keeps the mode of the files it writes back, refuses read-only
files and folders in French, and saves a decision with its role or not at all.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import stat
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest

from diagnostics import network as nw
from diagnostics import workshop
from diagnostics.partners import read_partners
from diagnostics.partnerships import read_partner_flows, read_partnerships, read_pole_emploi_units
from diagnostics.positioning import read_positioning
from geo import settings
from geo._errors import InputFileError
from geo.exports import neutralize_formulas, restore_formulas, save_table, save_workbook
from tests.hostile.conftest import assert_actionable

#: Names a spreadsheet would evaluate (OWASP's CSV-injection examples).
PAYLOADS = (
    '=HYPERLINK("http://x","clic")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
)
IDS = ("hyperlink", "plus", "moins", "arobase", "tab", "cr", "dde")

# A cell a spreadsheet evaluates: a formula character first (after blanks), not a number.
_EVALUATED = re.compile(r"\s*[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def evaluated(cell: str) -> bool:
    """Whether a spreadsheet opening ``cell`` as typed would compute it."""
    return bool(_EVALUATED.match(cell)) and not _NUMBER.fullmatch(cell)


def shown(payload: str) -> str:
    """The text an export must hold for a name typed ``payload`` (readers strip cells)."""
    return "'" + payload.strip()


def csv_cells(path: Path, sep: str = ";") -> list[str]:
    """Every cell of a CSV export, header included, as a spreadsheet receives it."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return [cell for row in csv.reader(stream, delimiter=sep) for cell in row]


def xlsx_content(path: Path) -> tuple[list[str], list[str]]:
    """(formulas, texts) of a workbook: every ``<f>`` element and every string cell."""
    formulas: list[str] = []
    texts: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if "xl/sharedStrings.xml" in names:
            shared = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            texts += ["".join(t.text or "" for t in si.iter(f"{_MAIN}t")) for si in shared]
        for name in names:
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                sheet = ElementTree.fromstring(archive.read(name))
                formulas += [f.text or "" for f in sheet.iter(f"{_MAIN}f")]
                texts += [t.text or "" for t in sheet.iter(f"{_MAIN}is")]
    return formulas, texts


def _rename(path: Path, key: str, column: str, names: dict[str, str]) -> None:
    """Give the rows of ``path`` whose ``key`` is in ``names`` that ``column`` value."""
    table = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    chosen = table[key].map(names)
    table[column] = chosen.where(chosen.notna(), table[column])
    table.to_csv(path, sep=";", index=False, encoding="utf-8")


def _hostile_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


# ---------------------------------------------------------------------- the exports


@pytest.fixture(scope="module")
def cotraitance_export(tmp_path_factory) -> Path:
    """``cotraitance tableau`` on the demo folder whose agencies and ML carry payloads."""
    root = tmp_path_factory.mktemp("cotraitance")
    folder = _hostile_copy(settings.demo_dir() / "cotraitance", root / "donnees")
    names = {f"A990{i + 1}": p for i, p in enumerate(PAYLOADS)}
    names |= {f"P000{i + 1}": p for i, p in enumerate(PAYLOADS)}
    _rename(folder / "structures.csv", "code", "nom", names)
    out = root / "sortie"
    from diagnostics.cli import main

    argv = ["cotraitance", "tableau", "--dossier", folder, "--annee", "2024", "--mois", "6"]
    assert main([str(a) for a in [*argv, "--sortie", out]]) in (0, 1)
    return out


@pytest.fixture(scope="module")
def training_export(tmp_path_factory) -> Path:
    """``formation tableau`` on the demo folder whose centres and agencies carry payloads."""
    root = tmp_path_factory.mktemp("formation")
    folder = _hostile_copy(settings.demo_dir() / "formation", root / "donnees")
    sessions = pd.read_csv(folder / "sessions.csv", sep=";", dtype=str, keep_default_na=False)
    centres = sorted(set(sessions["centre"]))
    _rename(folder / "sessions.csv", "centre", "centre", dict(zip(centres, PAYLOADS, strict=False)))
    _rename(
        folder / "agences.csv", "agence", "nom", {f"A990{i + 1}": p for i, p in enumerate(PAYLOADS)}
    )
    out = root / "sortie"
    from diagnostics.cli import main

    argv = ["formation", "tableau", "--dossier", folder, "--sortie", out]
    assert main([str(a) for a in argv]) in (0, 1)
    return out


@pytest.fixture(scope="module")
def hostile_partners(tmp_path_factory) -> pd.DataFrame:
    """The demo partner directory, its first partners named by the payloads."""
    demo = settings.demo_dir()
    path = tmp_path_factory.mktemp("partenaires") / "partenaires.csv"
    shutil.copy(demo / "partenaires.csv", path)
    names = {f"P000{i + 1}": p for i, p in enumerate(PAYLOADS)}
    _rename(path, "Identifiant", "Nom de la structure", names)
    return read_partners(path)


@pytest.fixture(scope="module")
def network_export(tmp_path_factory, hostile_partners) -> dict[str, list[Path]]:
    """``save_network_tables`` of the demo network with hostile partner names."""
    demo = settings.demo_dir()
    units = read_pole_emploi_units(demo / "unites_pole_emploi.csv")
    graph = nw.partner_network(
        hostile_partners,
        read_partnerships(demo / "partenariats.csv"),
        flows=read_partner_flows(demo / "flux_partenaires.csv"),
        units=units,
        include="parties",
    )
    metrics = nw.network_metrics(graph)
    out = tmp_path_factory.mktemp("reseau")
    return {
        "csv": nw.save_network_tables(graph, out / "reseau", metrics=metrics),
        "xlsx": nw.save_network_tables(graph, out / "reseau.xlsx", metrics=metrics),
    }


def _assert_neutralised(cells: list[str], payload: str, where: str) -> None:
    assert shown(payload) in cells, f"{where} : « {payload.strip()} » absent"
    bad = [c for c in cells if evaluated(c)]
    assert not bad, f"{where} : cellules évaluées par un tableur : {bad[:5]}"


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_cotraitance_tableau_csv(cotraitance_export, payload):
    cells = csv_cells(cotraitance_export / "sankey.csv")
    _assert_neutralised(cells, payload, "sankey.csv")
    volumes = pd.read_csv(cotraitance_export / "sankey.csv", sep=";", dtype=str)["volume"]
    assert volumes.str.fullmatch(r"\d+|s").all()  # counts stay numbers (or the secret)


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_cotraitance_tableau_xlsx(cotraitance_export, payload):
    formulas, texts = xlsx_content(cotraitance_export / "sankey.xlsx")
    assert formulas == []
    assert shown(payload) in texts


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_formation_tableau_csv(training_export, payload):
    names = ("flux.csv", "entonnoir_agences.csv", "entonnoir_centres.csv", "matrice_flux.csv")
    cells = [cell for name in names for cell in csv_cells(training_export / name)]
    _assert_neutralised(cells, payload, ", ".join(names))
    # centre names are the columns of the matrix: its header is neutralised too
    header = pd.read_csv(training_export / "matrice_flux.csv", sep=";", encoding="utf-8-sig")
    assert not [c for c in header.columns if evaluated(c)]
    centres = pd.read_csv(training_export / "entonnoir_centres.csv", sep=";", dtype=str)
    assert centres["prescriptions"].str.fullmatch(r"\d+|s").all()


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_network_tables_csv(network_export, payload):
    nodes = network_export["csv"][0]
    _assert_neutralised(csv_cells(nodes), payload, nodes.name)
    table = pd.read_csv(nodes, sep=";", encoding="utf-8-sig")
    assert table["degre"].dtype.kind in "if" and table["degre"].max() > 1  # numbers intact


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_network_tables_xlsx(network_export, payload):
    formulas, texts = xlsx_content(network_export["xlsx"][0])
    assert formulas == []
    assert shown(payload) in texts


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_directory_export(hostile_partners, tmp_path, payload, suffix):
    """A table exported from a notebook (partners, coverage, BMO) through save_table."""
    table = hostile_partners[["partenaire_id", "nom", "type", "latitude"]].assign(ecart=-3)
    path = save_table(table, tmp_path / f"partenaires{suffix}")
    if suffix == ".csv":
        _assert_neutralised(csv_cells(path), payload, path.name)
        back = pd.read_csv(path, sep=";", encoding="utf-8-sig")
        assert (back["ecart"] == -3).all()  # a negative number is not a formula
    else:
        formulas, texts = xlsx_content(path)
        assert formulas == [] and shown(payload) in texts
        back = pd.read_excel(path, engine="calamine")
        assert (back["ecart"] == -3).all() and back["latitude"].dtype.kind == "f"


@pytest.mark.parametrize(
    "text",
    ["-3", "+1.5", "-1.2e-05", "2024-06", "Mission locale", "l'atelier", "1+1", "", "s"],
)
def test_plain_texts_and_numbers_as_text_are_kept(tmp_path, text):
    path = save_table(pd.DataFrame({"valeur": [text]}), tmp_path / "t.csv")
    assert csv_cells(path) == ["valeur", text]


@pytest.mark.parametrize("payload", [*PAYLOADS, "'=1", "''+x", "  =1", " -x", "\n=1", "\tx"])
def test_neutralised_text_reads_back_as_typed(payload):
    frame = pd.DataFrame({"nom": [payload]}, dtype="string")
    quoted = neutralize_formulas(frame)
    assert not evaluated(quoted.at[0, "nom"])
    assert restore_formulas(quoted).at[0, "nom"] == payload


# ---------------------------------------------------------------------- export scan


_WRITERS = re.compile(r"\.to_excel\(|ExcelWriter\(|xlsxwriter|\.to_csv\(|csv\.writer\(")


#: Writers that only ever receive neutralised cells (file, what the line holds).
_NEUTRALISED_WRITERS = {
    ("diagnostics/workshop.py", "csv.writer(buffer"),  # rows of neutralize_cell
    ("diagnostics/workshop.py", "cells.to_csv(buffer"),  # cells = neutralize_formulas(...)
}


def test_every_table_writer_goes_through_geo_exports():
    """No module writes a CSV or XLSX table around :mod:`geo.exports`."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted([*root.glob("geo/**/*.py"), *root.glob("diagnostics/**/*.py")]):
        name = path.relative_to(root).as_posix()
        if name == "geo/exports.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not _WRITERS.search(line) or "neutralize_" in line or ">>>" in line:
                continue
            if not any(name == f and what in line for f, what in _NEUTRALISED_WRITERS):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []


def test_export_scan_no_formula_in_any_workbook(
    cotraitance_export, training_export, network_export, tmp_path
):
    """Every XLSX the product wrote from hostile inputs: no formula cell, no link."""
    workbooks = [
        *sorted(cotraitance_export.glob("*.xlsx")),
        *sorted(training_export.glob("*.xlsx")),
        *network_export["xlsx"],
        save_workbook({"a": pd.DataFrame({"nom": list(PAYLOADS)})}, tmp_path / "a.xlsx"),
        save_table(pd.DataFrame({"url": ["http://exemple.fr"]}), tmp_path / "u.xlsx"),
    ]
    assert len(workbooks) >= 24
    for path in workbooks:
        formulas, _texts = xlsx_content(path)
        assert formulas == [], f"{path.name} : formules {formulas[:3]}"
        with zipfile.ZipFile(path) as archive:
            links = [n for n in archive.namelist() if "rels" in n and "sheet" in n]
            assert not any(b"hyperlink" in archive.read(n) for n in links), path.name


# ---------------------------------------------------------------------- workshop files

_RECORD = {
    "territoire": "bassin:9901",
    "partenaire_id": "P0001",
    "domaine": "orientation",
    "situation": "primo_accedant",
    "priorite": "haute",
    "decision": "garder",
    "auteur": "Camille",
}


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_workshop_decisions_file(tmp_path, payload):
    path = tmp_path / workshop.DECISIONS_FILE
    record = {**_RECORD, "nom": payload, "justification": payload, "auteur": payload}
    workshop.save_decision(path, record)
    workshop.save_decision(path, record)  # appended: the first row is not quoted again
    cells = csv_cells(path, sep=",")
    assert cells.count(shown(payload)) == 6 and not [c for c in cells if evaluated(c)]
    back = workshop.read_decisions(path)
    assert back["nom"].tolist() == [payload.strip()] * 2
    assert back["justification"].tolist() == [payload.strip()] * 2


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_workshop_positioning_file_round_trip(tmp_path, payload):
    path = tmp_path / "positionnement.csv"
    cell = {"territory": "bassin:9901", "domain": "formation", "situation": "reconversion"}
    workshop.save_role(path, actor="P0001", role="pivot", comment=payload, **cell)
    workshop.save_role(path, actor="P0002", role="pivot", comment="autre", **cell)
    workshop.save_role(path, actor="P0001", role="structurant", comment=payload, **cell)
    cells = csv_cells(path, sep=",")
    assert not [c for c in cells if evaluated(c)]
    assert "'" + payload.replace("\r", "\n") in cells  # a CR is written as a line break
    roles = read_positioning(path).set_index("acteur")
    assert roles.loc["P0001", "role"] == "structurant"  # updated, not duplicated
    assert roles.loc["P0001", "commentaire"] == payload.strip()  # as the reader strips
    assert len(roles) == 2


# ------------------------------------------------------------------- workshop write-back


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "partage"
    folder.mkdir()
    shutil.copy(settings.demo_dir() / "positionnement.csv", folder / "positionnement.csv")
    decisions = folder / workshop.DECISIONS_FILE
    workshop.save_decision(decisions, {**_RECORD, "justification": "Premier choix."})
    return {"decisions": decisions, "positioning": folder / "positionnement.csv"}


def _both(files, **extra):
    record = {**_RECORD, "justification": "Pivot reconnu.", **extra}
    return workshop.save_decision_and_role(
        files["decisions"], record, files["positioning"], role="structurant", comment="atelier"
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664, 0o600])
def test_saved_files_keep_their_mode(files, mode):
    for path in files.values():
        path.chmod(mode)
    _both(files)
    assert {_mode(p) for p in files.values()} == {mode}


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_new_file_gets_the_usual_mode(tmp_path, umask):
    previous = os.umask(umask)
    try:
        path = tmp_path / workshop.DECISIONS_FILE
        workshop.save_decision(path, {**_RECORD, "justification": "Nouveau fichier."})
    finally:
        os.umask(previous)
    assert _mode(path) == 0o666 & ~umask


@pytest.mark.parametrize("which", ["decisions", "positioning"])
def test_read_only_file_is_refused(files, which):
    target = files[which]
    target.chmod(0o444)
    before = {k: p.read_bytes() for k, p in files.items()}
    with pytest.raises(InputFileError) as caught:
        _both(files)
    assert_actionable(str(caught.value), file=target, where=False)
    assert "lecture seule" in str(caught.value)
    assert {k: p.read_bytes() for k, p in files.items()} == before
    assert _mode(target) == 0o444


def test_read_only_folder_is_refused(files):
    folder = files["decisions"].parent
    before = files["decisions"].read_bytes()
    folder.chmod(0o555)
    try:
        with pytest.raises(InputFileError) as caught:
            _both(files)
    finally:
        folder.chmod(0o755)
    assert_actionable(str(caught.value), file=files["decisions"], where=False)
    assert files["decisions"].read_bytes() == before


def test_permission_error_is_french(files, monkeypatch):
    """A folder the system refuses (ACL, network share) although its mode allows writing."""
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if Path(path).name.startswith("."):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    before = files["decisions"].read_bytes()
    with pytest.raises(InputFileError) as caught:
        _both(files)
    assert_actionable(str(caught.value), file=files["decisions"], where=False)
    assert "droits insuffisants" in str(caught.value)
    assert files["decisions"].read_bytes() == before


def test_role_failure_leaves_neither_and_retry_has_no_duplicate(files, monkeypatch):
    before = {k: p.read_bytes() for k, p in files.items()}
    real_replace = os.replace
    calls = []

    def second_fails(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise PermissionError(13, "Permission denied", str(target))
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(InputFileError) as caught:
        _both(files)
    assert_actionable(str(caught.value), file=files["positioning"], where=False)
    assert "Aucun fichier n'a été modifié" in str(caught.value)
    assert {k: p.read_bytes() for k, p in files.items()} == before
    assert not list(files["decisions"].parent.glob(".*"))  # no temporary file left
    monkeypatch.setattr(os, "replace", real_replace)
    _both(files)  # the retry, once the cause is fixed
    decisions = workshop.read_decisions(files["decisions"])
    assert decisions["justification"].tolist() == ["Premier choix.", "Pivot reconnu."]
    roles = read_positioning(files["positioning"])
    cell = roles.query("acteur == 'P0001' and domaine == 'orientation'")
    assert cell["role"].tolist() == ["structurant"]


def test_new_decisions_file_removed_when_the_role_fails(files, monkeypatch):
    files["decisions"].unlink()
    real_replace = os.replace

    def role_fails(source, target):
        if Path(target).name == "positionnement.csv":
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", role_fails)
    with pytest.raises(InputFileError) as caught:
        _both(files)
    assert "disque plein" in str(caught.value) and "No space" not in str(caught.value)
    assert not files["decisions"].exists()


def test_workshop_never_writes_the_partner_directory(tmp_path, demo_dir):
    folder = tmp_path / "d"
    shutil.copytree(
        demo_dir, folder, ignore=shutil.ignore_patterns("bmo", "cotraitance", "formation")
    )
    with pytest.raises(InputFileError) as caught:
        workshop.load_workshop_data(
            folder / "portrait.toml",
            files={"partenaires.positionnement": folder / "partenaires.csv"},
        )
    assert_actionable(str(caught.value), file="partenaires.csv", where=False)


# ------------------------------------------------------------------- the Voilà form


@pytest.fixture
def app(tmp_path, demo_dir) -> workshop.PartnerWorkshop:
    folder = tmp_path / "atelier"
    shutil.copytree(
        demo_dir, folder, ignore=shutil.ignore_patterns("bmo", "cotraitance", "formation")
    )
    names = {"P0001": PAYLOADS[0]}
    _rename(folder / "partenaires.csv", "Identifiant", "Nom de la structure", names)
    return workshop.partner_workshop(folder / "portrait.toml", territory="9901")


def _fill(app) -> None:
    app.partner.value = "P0001"
    app.cell_domain.value = "orientation"
    app.cell_situation.value = "primo_accedant"
    app.role.value = "structurant"
    app.justification.value = "=1+1 pivot reconnu"


@pytest.mark.parametrize("blocked", ["file", "folder"])
def test_form_shows_read_only_errors(app, blocked):
    _fill(app)
    target = app.data.positioning_path
    (target if blocked == "file" else target.parent).chmod(0o444 if blocked == "file" else 0o555)
    try:
        assert app.record() is False
    finally:
        target.chmod(0o644)
        target.parent.chmod(0o755)
    assert "lecture seule" in app.status.value and "atelier-statut-erreur" in app.status.value
    assert app.justification.value == "=1+1 pivot reconnu"  # the form is kept
    assert not app.data.decisions_path.exists()


def test_form_round_trip_of_a_hostile_name(app):
    _fill(app)
    assert app.record() is True, app.status.value
    cells = csv_cells(app.data.decisions_path, sep=",")
    assert shown(PAYLOADS[0]) in cells and "'=1+1 pivot reconnu" in cells
    assert app.data.decisions["nom"].tolist() == [PAYLOADS[0]]
    assert app.data.decisions["justification"].tolist() == ["=1+1 pivot reconnu"]
    assert "=1+1 pivot reconnu" in app.partner_view.value
