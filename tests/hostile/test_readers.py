"""Hostile inputs for the folder and table readers (issue 14: silent drops and alterations).

Each case starts from a demonstration file, spoils it as an analyst's export or a
careless edit would (a month typed with the wrong year, a secret ``*`` cell, a note
under the table, swapped coordinates, a duplicated id, a latin-1 file...), reads it
and asserts three things: what was kept (counts, values), the problem reported
(line, column, action) and its message (file, line or column, and a fix).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from diagnostics._readers import cotraitance as ct
from diagnostics._readers import partnerships as pt
from diagnostics._readers import positioning as pos
from diagnostics._readers import training as tr
from diagnostics._readers.partners import read_partners
from geo import settings
from geo._errors import SchemaError
from geo.problems import collect_problems, problems_of

from .conftest import assert_actionable

DEMO = settings.demo_dir()
COT = DEMO / "cotraitance"
FORM = DEMO / "formation"


# --------------------------------------------------------------------------- helpers


def _rows(path: Path) -> tuple[list[list[str]], str, bool]:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    sep = ";" if text.splitlines()[0].count(";") else ","
    return [line.split(sep) for line in text.splitlines()], sep, bom


def spoil(
    src: Path,
    dst: Path,
    edits: dict[tuple[int, str], str] | None = None,
    *,
    append: list[str] | None = None,
    insert: dict[int, str] | None = None,
    encoding: str = "utf-8",
    bom: bool | None = None,
    trailing: str = "",
) -> Path:
    """Copy ``src`` to ``dst`` with cells changed: ``{(line, column): value}`` (header = 1)."""
    rows, sep, had_bom = _rows(src)
    header = rows[0]
    for (line, column), value in (edits or {}).items():
        rows[line - 1][header.index(column)] = value
    lines = [sep.join(r) + trailing for r in rows]
    for at, text in sorted((insert or {}).items(), reverse=True):
        lines.insert(at - 1, text)
    lines += append or []
    data = ("\n".join(lines) + "\n").encode(encoding)
    if bom if bom is not None else had_bom:
        data = b"\xef\xbb\xbf" + data
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(data)
    return dst


def line_of(path: Path, column: str, value: str) -> int:
    """Line (header = 1) of the first row whose ``column`` is ``value``."""
    rows, _, _ = _rows(path)
    i = rows[0].index(column)
    return next(n for n, r in enumerate(rows[1:], start=2) if r[i] == value)


def only(report, **where):
    found = [p for p in report if all(getattr(p, k) == v for k, v in where.items())]
    assert len(found) == 1, (where, report.lines())
    return found[0]


@pytest.fixture
def folder(tmp_path):
    """A copy of the demonstration cotraitance folder."""
    out = tmp_path / "cotraitance"
    shutil.copytree(COT, out)
    return out


@pytest.fixture(scope="module")
def structures():
    return ct.read_structures(COT / "structures.csv")


@pytest.fixture(scope="module")
def sessions():
    return tr.read_training_sessions(FORM / "sessions.csv")


N_FLOWS = len(ct.read_cotraitance_flows(COT / "flux.csv"))
FLOW_LINE = line_of(COT / "flux.csv", "mois", "2024-06")  # first pair of 2024-06


# --------------------------------------------------------------------------- cotraitance flows


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2042-06", "isolé"),  # year typo: far from every other month
        ("2204-06", "isolé"),
        ("2024-13", "illisible"),
        ("juin 2024", "illisible"),
        ("", "illisible"),
    ],
)
def test_flow_month_typo_is_set_aside_with_its_line(folder, value, words):
    spoil(COT / "flux.csv", folder / "flux.csv", {(FLOW_LINE, "mois"): value})
    if value == "":  # an empty month: the row goes, reported as unreadable
        words = "illisible"
    inputs = ct.read_cotraitance_folder(folder, year=2024, month=6)
    flows = inputs["flows"]
    assert len(flows) == N_FLOWS - 1
    p = only(problems_of(flows), line=FLOW_LINE, action="écartée")
    assert p.column == "mois" and words in p.message
    assert_actionable(str(p), file="flux.csv")


def test_flow_year_typo_is_caught_without_a_year_too(tmp_path):
    """The portrait reads the flows without the objective year: the check still runs."""
    path = spoil(COT / "flux.csv", tmp_path / "flux.csv", {(FLOW_LINE, "mois"): "2042-06"})
    flows = ct.read_cotraitance_flows(path)
    assert "2042-06" not in set(flows["mois"]) and len(flows) == N_FLOWS - 1
    report = problems_of(flows)
    assert only(report, line=FLOW_LINE).action == "écartée"
    missing = only(report, category="mois_manquant")  # the pair now lacks 2024-06
    assert missing.action == "conservée" and "2024-06" in missing.message
    assert_actionable(str(missing), file="flux.csv")


def test_clean_demo_flows_keep_their_figures():
    inputs = ct.read_cotraitance_folder(COT, year=2024, month=6)
    assert collect_problems(inputs).lines() == []
    flows = inputs["flows"]
    entries = flows.loc[flows["mois"].str[:4] == "2024", "initialisations"].sum()
    assert len(flows) == N_FLOWS == 216 and entries > 0


def test_duplicated_pair_month_is_set_aside_not_counted_twice(tmp_path):
    rows, _, _ = _rows(COT / "flux.csv")
    path = spoil(COT / "flux.csv", tmp_path / "flux.csv", append=[";".join(rows[FLOW_LINE - 1])])
    flows = ct.read_cotraitance_flows(path)
    assert len(flows) == N_FLOWS
    p = only(problems_of(flows), line=len(rows) + 1)
    assert f"ligne {FLOW_LINE}" in p.message and p.action == "écartée"
    assert_actionable(str(p), file="flux.csv")


@pytest.mark.parametrize("value", ["*", "s", "douze", "-3", "1,5", "nc"])
def test_flow_count_not_a_count_is_set_aside_never_zero(tmp_path, structures, value):
    path = spoil(COT / "flux.csv", tmp_path / "flux.csv", {(FLOW_LINE, "affectations"): value})
    flows = ct.read_cotraitance_flows(path, structures=structures)
    assert len(flows) == N_FLOWS - 1  # the row is not kept with 0 affectations
    p = only(problems_of(flows), line=FLOW_LINE)
    assert (p.column, p.value, p.action) == ("affectations", value, "écartée")
    assert_actionable(str(p), file="flux.csv")


def test_flow_of_an_agence_set_aside_from_structures_says_why(folder):
    line = line_of(COT / "structures.csv", "code", "A9901")
    spoil(COT / "structures.csv", folder / "structures.csv", {(line, "type"): "agense"})
    inputs = ct.read_cotraitance_folder(folder, year=2024, month=6)
    report = problems_of(inputs["flows"])
    aside = [p for p in report if p.column == "agence"]
    assert aside and all("inconnue" not in p.message for p in aside)
    assert f"ligne {line} de structures.csv" in aside[0].message
    assert "agense" in aside[0].message  # the parent's own problem
    assert_actionable(str(aside[0]), file="flux.csv")
    episodes = [p for p in problems_of(inputs["episodes"]) if p.column == "agence"]
    assert episodes and f"ligne {line} de structures.csv" in episodes[0].message


def test_unknown_agence_still_asks_to_add_it(tmp_path, structures):
    path = spoil(COT / "flux.csv", tmp_path / "flux.csv", {(FLOW_LINE, "agence"): "A0000"})
    flows = ct.read_cotraitance_flows(path, structures=structures)
    p = only(problems_of(flows), line=FLOW_LINE)
    assert "inconnue" in p.message and "ajoutez" in p.message
    assert_actionable(str(p), file="flux.csv")


@pytest.mark.parametrize(
    "note", ["Source : France Travail, extraction du 3 juillet", "Total;;;859", "* secret"]
)
def test_note_under_the_flows_is_listed(tmp_path, note):
    path = spoil(COT / "flux.csv", tmp_path / "flux.csv", append=["", note])
    flows = ct.read_cotraitance_flows(path)
    assert len(flows) == N_FLOWS
    report = problems_of(flows)
    last = N_FLOWS + 3
    assert only(report, line=last).action == "écartée"
    blank = only(report, category="lignes_vides")
    assert str(N_FLOWS + 2) in blank.message
    assert_actionable(str(only(report, line=last)), file="flux.csv")
    assert_actionable(str(blank), file="flux.csv")


@pytest.mark.parametrize(
    ("encoding", "bom", "trailing"),
    [("utf-8", True, ""), ("cp1252", False, ""), ("utf-8", False, ";;"), ("cp1252", False, ";")],
)
def test_structures_in_other_encodings_and_trailing_columns(tmp_path, encoding, bom, trailing):
    path = spoil(
        COT / "structures.csv",
        tmp_path / "structures.csv",
        encoding=encoding,
        bom=bom,
        trailing=trailing,
    )
    s = ct.read_structures(path)
    assert problems_of(s).lines() == []
    assert s["nom"].tolist() == ct.read_structures(COT / "structures.csv")["nom"].tolist()
    assert any("é" in name for name in s["nom"])


@pytest.mark.parametrize(
    ("lat", "lon", "kept", "action"),
    [
        ("-9.52927", "46.28314", (46.28314, -9.52927), "corrigée"),  # swapped
        ("146.28", "-9.5", None, "corrigée"),  # outside -90..90: point left empty
        ("0", "0", None, "corrigée"),  # Null Island
        ("46,2x", "-9.5", None, "corrigée"),  # unreadable
    ],
)
def test_structure_coordinates_checked_row_kept(tmp_path, lat, lon, kept, action):
    line = line_of(COT / "structures.csv", "code", "A9901")
    path = spoil(
        COT / "structures.csv",
        tmp_path / "structures.csv",
        {(line, "latitude"): lat, (line, "longitude"): lon},
    )
    s = ct.read_structures(path).set_index("code")
    assert len(s) == 17
    point = s.loc["A9901", ["latitude", "longitude"]].tolist()
    if kept is None:
        assert pd.isna(point).all()
    else:
        assert point == pytest.approx(list(kept))
    p = only(problems_of(s), line=line)
    assert p.action == action
    assert_actionable(str(p), file="structures.csv", where=True)


def test_flows_strict_refuses_with_the_lines(tmp_path):
    path = spoil(COT / "flux.csv", tmp_path / "flux.csv", {(FLOW_LINE, "mois"): "2042-06"})
    with pytest.raises(SchemaError) as info:
        ct.read_cotraitance_flows(path, year=2024, strict=True)
    assert f"ligne {FLOW_LINE}" in str(info.value)
    assert_actionable(str(info.value), file="flux.csv")


# --------------------------------------------------------------------------- episodes, periods, objectives


def test_period_of_an_episode_set_aside_says_why(folder):
    periods_rows, _, _ = _rows(COT / "periodes.csv")
    episode = periods_rows[1][0]
    line = line_of(COT / "episodes.csv", "episode_id", episode)
    spoil(COT / "episodes.csv", folder / "episodes.csv", {(line, "date_affectation"): "31/02/2024"})
    inputs = ct.read_cotraitance_folder(folder)
    p = only(problems_of(inputs["episodes"]), line=line)
    assert (p.column, p.action) == ("date_affectation", "écartée")
    period = next(x for x in problems_of(inputs["periods"]) if x.value == episode)
    assert f"ligne {line} de episodes.csv" in period.message and "absent" not in period.message
    assert_actionable(str(period), file="periodes.csv")


def test_duplicated_episode_is_set_aside_after_the_first(tmp_path):
    rows, _, _ = _rows(COT / "episodes.csv")
    path = spoil(COT / "episodes.csv", tmp_path / "episodes.csv", append=[";".join(rows[1])])
    e = ct.read_episodes(path)
    assert len(e) == len(rows) - 1
    p = only(problems_of(e), line=len(rows) + 1)
    assert "ligne 2" in p.message and p.column == "episode_id"


@pytest.mark.parametrize(
    ("column", "value"),
    [("objectif", "trois cents"), ("annee", "2O24"), ("objectif", "*"), ("niveau", "ml")],
)
def test_bad_objective_cell_sets_aside_one_row(tmp_path, column, value):
    path = spoil(COT / "objectifs.csv", tmp_path / "objectifs.csv", {(2, column): value})
    o = ct.read_objectives(path)
    assert len(o) == 15
    p = only(problems_of(o), line=2)
    assert (p.column, p.action) == (column, "écartée")
    assert_actionable(str(p), file="objectifs.csv")


# --------------------------------------------------------------------------- training


def _presc_of(session: str) -> int:
    rows, _, _ = _rows(FORM / "prescriptions.csv")
    i = rows[0].index("session_id")
    return sum(r[i] == session for r in rows[1:])


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("date_debut", "2024-02-30"),
        ("date_fin", "fin août"),
        ("cofinanceur", "Mécène"),
        ("afpa", "peut-être"),
        ("formacode", "31A"),
        ("latitude", "quarante-six"),
    ],
)
def test_one_bad_session_cell_keeps_the_session_and_its_prescriptions(tmp_path, column, value):
    folder = tmp_path / "formation"
    shutil.copytree(FORM, folder)
    spoil(FORM / "sessions.csv", folder / "sessions.csv", {(2, column): value})
    inputs = tr.read_training_folder(folder)
    assert "S01" in set(inputs["sessions"]["session_id"])
    assert (inputs["prescriptions"]["session_id"] == "S01").sum() == _presc_of("S01")
    p = only(problems_of(inputs["sessions"]), line=2)
    assert p.column == column and p.action in ("corrigée", "conservée")
    assert_actionable(str(p), file="sessions.csv")


@pytest.mark.parametrize(
    ("column", "value"), [("places", "*"), ("places", "vingt"), ("centre", "")]
)
def test_prescriptions_of_a_session_set_aside_say_why(tmp_path, column, value):
    folder = tmp_path / "formation"
    shutil.copytree(FORM, folder)
    spoil(FORM / "sessions.csv", folder / "sessions.csv", {(2, column): value})
    inputs = tr.read_training_folder(folder)
    assert "S01" not in set(inputs["sessions"]["session_id"])
    report = problems_of(inputs["prescriptions"])
    children = [p for p in report if p.value == "S01"]
    assert len(children) == _presc_of("S01") > 0
    assert all("inconnue" not in p.message and "ajoutez" not in p.message for p in children)
    assert "ligne 2 de sessions.csv" in children[0].message and column in str(
        only(problems_of(inputs["sessions"]), line=2)
    )
    assert_actionable(str(children[0]), file="prescriptions.csv")


def test_prescription_of_an_unknown_session_asks_to_add_it(tmp_path, sessions):
    path = spoil(FORM / "prescriptions.csv", tmp_path / "p.csv", {(2, "session_id"): "S99"})
    p = tr.read_prescriptions(path, sessions=sessions)
    problem = only(problems_of(p), line=2)
    assert "inconnue de sessions.csv" in problem.message
    assert_actionable(str(problem), file="p.csv")


@pytest.mark.parametrize(
    ("column", "value"),
    [("date_prescription", "2024-13-01"), ("date_prescription", ""), ("statut", "perdue")],
)
def test_bad_prescription_row_is_set_aside_alone(tmp_path, sessions, column, value):
    path = spoil(FORM / "prescriptions.csv", tmp_path / "p.csv", {(2, column): value})
    rows, _, _ = _rows(FORM / "prescriptions.csv")
    p = tr.read_prescriptions(path, sessions=sessions)
    assert len(p) == len(rows) - 2
    problem = only(problems_of(p), line=2, column=column)
    assert problem.action == "écartée"
    assert_actionable(str(problem), file="p.csv")


def test_sessions_latin1_semicolon_and_lost_leading_zero(tmp_path):
    path = spoil(
        FORM / "sessions.csv",
        tmp_path / "sessions.csv",
        {(2, "commune"): "1053"},
        encoding="cp1252",
    )
    s = tr.read_training_sessions(path)
    assert s.loc[0, "commune"] == "01053"  # the zero lost by a spreadsheet is put back
    assert (
        s.loc[0, "intitule"] == tr.read_training_sessions(FORM / "sessions.csv").loc[0, "intitule"]
    )


def test_training_strict_refuses(tmp_path):
    folder = tmp_path / "formation"
    shutil.copytree(FORM, folder)
    spoil(FORM / "sessions.csv", folder / "sessions.csv", {(2, "places"): "*"})
    with pytest.raises(SchemaError) as info:
        tr.read_training_folder(folder, strict=True)
    assert_actionable(str(info.value), file="sessions.csv")


# --------------------------------------------------------------------------- partnerships


UNITS = DEMO / "unites_pole_emploi.csv"


@pytest.mark.parametrize("value", ["2O24", "20244", "deux mille", "24", "2024.5"])
def test_unreadable_flow_year_is_reported_not_blanked_silently(tmp_path, value):
    path = spoil(DEMO / "flux_partenaires.csv", tmp_path / "flux.csv", {(2, "Année"): value})
    flows = pt.read_partner_flows(path)
    assert len(flows) == len(pt.read_partner_flows(DEMO / "flux_partenaires.csv"))
    assert pd.isna(flows.loc[flows["ligne"] == 2, "annee"].iloc[0])
    p = only(problems_of(flows), line=2)
    assert (p.column, p.value, p.action) == ("Année", value, "corrigée")
    assert_actionable(str(p), file="flux.csv")


@pytest.mark.parametrize(
    ("lat", "lon", "kept", "category"),
    [
        ("-9.52788", "46.26669", (46.26669, -9.52788), "coordonnees_inversees"),
        ("95", "-9.5", None, "coordonnees_hors_zone"),
        ("0", "0", None, "coordonnees_hors_zone"),
        ("46.2", "-190", None, "coordonnees_hors_zone"),
        ("48,85", "2,35", (48.85, 2.35), None),  # Paris: in France, fine
    ],
)
def test_unit_coordinates_checked(tmp_path, lat, lon, kept, category):
    path = spoil(UNITS, tmp_path / "unites.csv", {(2, "Latitude"): lat, (2, "Longitude"): lon})
    units = pt.read_pole_emploi_units(path)
    assert len(units) == 10
    point = units.loc[0, ["latitude", "longitude"]].tolist()
    if kept is None:
        assert pd.isna(point).all()
    else:
        assert point == pytest.approx(list(kept))
    if category is None:
        assert problems_of(units).lines() == []
    else:
        p = only(problems_of(units), line=2)
        assert p.category == category
        assert_actionable(str(p), file="unites.csv")


def test_duplicated_unit_is_set_aside_after_the_first(tmp_path):
    rows, _, _ = _rows(UNITS)
    path = spoil(UNITS, tmp_path / "unites.csv", append=[";".join(rows[3])])
    units = pt.read_pole_emploi_units(path)
    assert len(units) == 10 and units["unite_id"].is_unique
    p = only(problems_of(units), line=len(rows) + 1)
    assert "ligne 4" in p.message and p.action == "écartée"
    assert_actionable(str(p), file="unites.csv")


def test_relation_to_a_unit_set_aside_says_why(tmp_path):
    line = line_of(UNITS, "Identifiant", "PE-AG-9A111")
    units = pt.read_pole_emploi_units(
        spoil(UNITS, tmp_path / "unites.csv", {(line, "Identifiant"): "AG-9A111"})
    )
    path = spoil(
        DEMO / "partenariats.csv",
        tmp_path / "partenariats.csv",
        {(2, "Parties"): "AG-9A111|P0001|P0002"},
    )
    registry = pt.read_partnerships(
        path, partners=read_partners(DEMO / "partenaires.csv"), units=units
    )
    p = only(problems_of(registry), line=2)
    assert f"ligne {line} de unites.csv" in p.message and "absente" not in p.message
    assert_actionable(str(p), file="partenariats.csv")


def test_flow_of_an_unknown_actor_is_set_aside(tmp_path):
    units = pt.read_pole_emploi_units(UNITS)
    path = spoil(DEMO / "flux_partenaires.csv", tmp_path / "flux.csv", {(2, "Origine"): "PE-XX"})
    flows = pt.read_partner_flows(path, partners=["P0001", "P0002"], units=units)
    p = only(problems_of(flows), line=2, column="Origine")
    assert p.action == "écartée"
    assert_actionable(str(p), file="flux.csv")


def test_registry_duplicated_id_is_set_aside(tmp_path):
    rows, _, _ = _rows(DEMO / "partenariats.csv")
    path = spoil(
        DEMO / "partenariats.csv", tmp_path / "partenariats.csv", append=[";".join(rows[1])]
    )
    registry = pt.read_partnerships(path)
    assert len(registry) == len(rows) - 1
    p = only(problems_of(registry), line=len(rows) + 1)
    assert p.action == "écartée"
    assert_actionable(str(p), file="partenariats.csv")


# --------------------------------------------------------------------------- partners, typology, positioning


def test_partner_directory_lists_its_blank_rows(tmp_path):
    path = spoil(DEMO / "partenaires.csv", tmp_path / "partenaires.csv", insert={4: ";;;;"})
    partners = read_partners(path)
    assert len(partners) == len(read_partners(DEMO / "partenaires.csv"))
    p = only(problems_of(partners), category="lignes_vides")
    assert "ligne 4" in p.message
    assert_actionable(str(p), file="partenaires.csv")


@pytest.mark.parametrize("value", ["Mission locales", "Association bidule", "=HYPERLINK(1)"])
def test_partner_unknown_type_is_reported_row_kept(tmp_path, value):
    path = spoil(DEMO / "partenaires.csv", tmp_path / "partenaires.csv", {(2, "Type"): value})
    partners = read_partners(path)
    assert "P0001" in set(partners["partenaire_id"])
    p = [x for x in problems_of(partners) if x.line == 2 and x.column == "Type"]
    assert p and p[0].action != "écartée"
    assert_actionable(str(p[0]), file="partenaires.csv")


def test_positioning_note_row_is_listed(tmp_path):
    path = spoil(
        DEMO / "positionnement.csv",
        tmp_path / "roles.csv",
        append=[",,,,,Source : atelier du 12 mars,"],
    )
    roles = pos.read_positioning(path)
    assert len(roles) == len(pos.read_positioning(DEMO / "positionnement.csv"))
    rows, _, _ = _rows(DEMO / "positionnement.csv")
    p = only(problems_of(roles), line=len(rows) + 1)
    assert p.category == "ligne_note"
    assert_actionable(str(p), file="roles.csv")


@pytest.mark.parametrize(("column", "value"), [("role", "chef"), ("territoire", "bassin 99O1")])
def test_positioning_bad_cell_sets_aside_one_row(tmp_path, column, value):
    path = spoil(DEMO / "positionnement.csv", tmp_path / "roles.csv", {(2, column): value})
    roles = pos.read_positioning(path)
    assert len(roles) == len(pos.read_positioning(DEMO / "positionnement.csv")) - 1
    p = only(problems_of(roles), line=2)
    assert p.action == "écartée"
    assert_actionable(str(p), file="roles.csv")
    with pytest.raises(SchemaError):
        pos.read_positioning(path, strict=True)


def test_relation_to_a_partner_set_aside_says_why(tmp_path):
    line = line_of(DEMO / "partenaires.csv", "Identifiant", "P0002")
    partners = read_partners(
        spoil(
            DEMO / "partenaires.csv",
            tmp_path / "partenaires.csv",
            {(line, "Nom de la structure"): ""},
        )
    )
    assert "P0002" not in set(partners["partenaire_id"])
    path = spoil(
        DEMO / "partenariats.csv",
        tmp_path / "partenariats.csv",
        {(2, "Parties"): "P0001|P0002|P0003"},
    )
    registry = pt.read_partnerships(path, partners=partners, units=pt.read_pole_emploi_units(UNITS))
    p = only(problems_of(registry), line=2)
    assert (
        f"ligne {line} de partenaires.csv" in p.message and "nom de la structure vide" in p.message
    )
    assert_actionable(str(p), file="partenariats.csv")


def test_indicator_of_a_partnership_set_aside_says_why(tmp_path):
    path = spoil(
        DEMO / "partenariats.csv", tmp_path / "partenariats.csv", {(2, "Parties"): "P0001"}
    )
    registry = pt.read_partnerships(path)
    assert "CV001" not in set(registry["partenariat_id"])
    indicators = pt.read_partnership_indicators(
        DEMO / "partenariats_indicateurs.csv", partnerships=registry
    )
    children = [p for p in problems_of(indicators) if p.value == "CV001"]
    assert children and all("ligne 2 de partenariats.csv" in p.message for p in children)
    assert "CV001" not in set(indicators["partenariat_id"])
    assert_actionable(str(children[0]), file="partenariats_indicateurs.csv")
