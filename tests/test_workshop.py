"""Workshop app: filters, views, and what a record writes to the files (no browser)."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from diagnostics import workshop
from diagnostics.positioning import read_positioning
from geo._errors import InputFileError, SchemaError

_DEMO_FILES = (
    "communes-*.geojson",
    "commune_bassin_bmo.csv",
    "commune_zone_emploi.csv",
    "commune_clpe.csv",
    "communes_population.json",
    "departements.csv",
    "regions.csv",
    "partenaires.csv",
    "positionnement.csv",
    "partenariats.csv",
    "unites_pole_emploi.csv",
    "flux_partenaires.csv",
    "portrait.toml",
)


def _copy_demo(demo_dir: Path, target: Path, *, skip: tuple[str, ...] = ()) -> Path:
    """A copy of the demo files the workshop reads; returns its configuration (portrait.toml)."""
    target.mkdir(parents=True, exist_ok=True)
    for pattern in _DEMO_FILES:
        for path in demo_dir.glob(pattern):
            if path.name not in skip:
                shutil.copy2(path, target / path.name)
    return target / "portrait.toml"


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory) -> workshop.PartnerWorkshop:
    """An app on a copy of the demo data, for tests that only read."""
    from geo import settings

    config = _copy_demo(settings.demo_dir(), tmp_path_factory.mktemp("atelier_lecture"))
    return workshop.partner_workshop(config, territory="9901")


@pytest.fixture
def app(demo_dir, tmp_path) -> workshop.PartnerWorkshop:
    """A fresh app on a copy of the demo data, for tests that write."""
    return workshop.partner_workshop(_copy_demo(demo_dir, tmp_path / "donnees"), territory="9901")


def _listed(app: workshop.PartnerWorkshop) -> list[str]:
    return re.findall(r'<tr data-partenaire="([^"]+)"', app.partner_view.value)


def _mapped(app: workshop.PartnerWorkshop) -> int:
    return int(re.search(r'data-partenaires="(\d+)"', app.map_view.value).group(1))


def _fill(app, *, partner="P0001", justification="Pivot reconnu par tous les participants."):
    app.partner.value = partner
    app.cell_domain.value = "orientation"
    app.cell_situation.value = "primo_accedant"
    app.role.value = "structurant"
    app.priority.value = "haute"
    app.decision.value = "developper"
    app.justification.value = justification
    app.author.value = "Camille"


# ---------------------------------------------------------------- data and filters


def test_configuration_is_the_environment_then_the_argument_then_the_demo(
    monkeypatch, tmp_path, demo_dir
):
    monkeypatch.delenv(workshop.CONFIG_ENV, raising=False)
    assert workshop.workshop_configuration() == demo_dir / "portrait.toml"
    assert workshop.workshop_configuration(tmp_path / "a.toml") == tmp_path / "a.toml"
    monkeypatch.setenv(workshop.CONFIG_ENV, str(tmp_path / "b.toml"))  # Voilà's only way in
    assert workshop.workshop_configuration(tmp_path / "a.toml") == tmp_path / "b.toml"


def test_load_refuses_missing_configuration_and_level_table(tmp_path, demo_dir):
    with pytest.raises(InputFileError, match="absent.toml"):
        workshop.load_workshop_data(tmp_path / "absent.toml")
    config = _copy_demo(demo_dir, tmp_path / "sans_bassins", skip=("commune_bassin_bmo.csv",))
    with pytest.raises(InputFileError, match=r"commune_bassin_bmo\.csv"):
        workshop.load_workshop_data(config)
    assert workshop.load_workshop_data(config, level="zone_emploi").territories["code"].size == 6


def test_territory_given_by_its_name(shared_app):
    assert shared_app.data.territory_code("Vegicourt") == "9901"
    with pytest.raises(LookupError, match="Vegicour"):
        shared_app.data.territory_code("Vegicour")


def test_without_directory_the_workshop_shows_the_map_and_says_why(demo_dir, tmp_path):
    config = _copy_demo(demo_dir, tmp_path / "d")
    before = {p.name: p.read_bytes() for p in config.parent.iterdir()}
    app = workshop.partner_workshop(config, territory="9901", files={"partenaires.annuaire": None})
    assert app.data.partners is None
    assert "Non établi ici" in app.notes.value and "<code>annuaire</code>" in app.notes.value
    assert app.map_view.value.startswith('<iframe class="atelier-carte"')
    assert app.record() is False  # no partner to record a decision on
    assert "Non établi ici" in app.status.value
    assert {p.name: p.read_bytes() for p in config.parent.iterdir()} == before


def test_domain_filter_keeps_active_or_positioned_partners(shared_app):
    data = shared_app.data
    everyone = workshop.workshop_partners(data, "9901")
    training = workshop.workshop_partners(data, "9901", domain="formation")
    positioned = set(
        workshop.workshop_positioning(data, "9901", domain="formation")["acteur"].tolist()
    )
    assert 0 < len(training) < len(everyone)
    assert set(training["partenaire_id"]) <= set(everyone["partenaire_id"])
    for ident, domains in zip(training["partenaire_id"], training["domaines"], strict=True):
        assert "formation" in domains or ident in positioned
    # every partner positioned in the territory is listed in it
    rows = workshop.workshop_positioning(data, "9901")
    assert set(rows["acteur"]) - {"pole_emploi"} <= set(everyone["partenaire_id"])


def test_type_and_situation_filters(shared_app):
    data = shared_app.data
    ccas = workshop.workshop_partners(data, "9901", partner_type="ccas")
    assert len(ccas) > 0 and set(ccas["type"]) == {"ccas"}
    employers = workshop.workshop_partners(data, "9901", situation="besoin_recrutement")
    rows = workshop.workshop_positioning(data, "9901", situation="besoin_recrutement")
    for ident, publics in zip(employers["partenaire_id"], employers["publics"], strict=True):
        assert not publics or "employeurs" in publics or ident in set(rows["acteur"])
    assert len(employers) < len(workshop.workshop_partners(data, "9901"))


# ---------------------------------------------------------------- the widgets


def test_controls_update_map_grid_and_list_together(shared_app):
    app = shared_app
    before_list, before_map = _listed(app), _mapped(app)
    assert len(before_list) == before_map > 0
    assert "<th>Insertion</th>" in app.grid_view.value
    app.domain.value = "formation"
    try:
        after = _listed(app)
        assert 0 < len(after) < len(before_list)
        assert _mapped(app) == len(after)
        assert "<th>Formation</th>" in app.grid_view.value
        assert "<th>Insertion</th>" not in app.grid_view.value
        assert app.cell_domain.value == "formation"  # the form follows the filter
        assert set(app.partner.options[i][1] for i in range(len(app.partner.options))) == set(after)
        app.situation.value = "reconversion"
        assert "Reconversion" in app.grid_view.value
        assert "Primo-accédant" not in app.grid_view.value
        app.territory.value = "9905"
        assert "9905" in app.summary.value
    finally:
        app.situation.value = ""
        app.domain.value = ""
        app.territory.value = "9901"
    assert _listed(app) == before_list


def test_map_is_offline(shared_app):
    frame = shared_app.map_view.value
    assert frame.startswith('<iframe class="atelier-carte"')
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert "L.map(" in page and "L.CircleMarker(" in page
    assert not re.search(r'<script[^>]+src="https?:', page)
    assert not re.search(r'<link[^>]+href="https?:', page)
    assert "tileLayer(" not in page


def test_network_view_follows_the_territory(shared_app):
    app = shared_app
    view = app.network_view.value
    assert "Le réseau compte 40 acteurs et 57 relations" in view
    assert 'class="atelier-reseau" data-acteurs="40"' in view
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', view).group(1))
    assert page.count("<circle") == 40
    assert not re.search(r'(src|href)="https?:', page)
    app.territory.value = "9902"
    try:
        assert "Le réseau compte 17 acteurs" in app.network_view.value
    finally:
        app.territory.value = "9901"
    assert app.network_view.value == view  # computed once per territory


def test_network_view_without_registry(demo_dir, tmp_path):
    config = _copy_demo(demo_dir, tmp_path / "donnees", skip=("partenariats.csv",))
    app = workshop.partner_workshop(config, territory="9901")
    assert app.data.partnerships is None
    assert "Non établi ici : le réseau des partenaires" in app.network_view.value
    assert "partenariats.csv" in app.network_view.value  # the file named but absent


# ---------------------------------------------------------------- recording


def test_decision_without_justification_writes_nothing_and_keeps_the_form(app):
    before = app.data.positioning_path.read_bytes()
    _fill(app, justification="   ")
    assert app.record() is False
    assert "justification est obligatoire" in app.status.value
    assert not app.data.decisions_path.exists()
    assert app.data.positioning_path.read_bytes() == before
    assert app.partner.value == "P0001" and app.role.value == "structurant"
    assert not (app.data.folder / workshop.BACKUP_FOLDER).exists()


def test_role_without_cell_is_refused(app):
    _fill(app)
    app.cell_situation.value = ""
    assert app.record() is False
    assert "choisissez la case" in app.status.value
    assert not app.data.decisions_path.exists()


def test_record_writes_decision_and_role_with_backups(app):
    folder = app.data.folder
    original = app.data.positioning_path.read_text(encoding="utf-8")
    assert "bassin:9901,P0001,orientation,primo_accedant,pivot" in original
    _fill(app)
    app.save_button.click()
    assert "Décision enregistrée" in app.status.value, app.status.value

    decisions = pd.read_csv(app.data.decisions_path, dtype=str, keep_default_na=False)
    assert decisions.columns.tolist() == list(workshop.DECISION_COLUMNS)
    assert decisions.drop(columns="horodatage").to_dict("records") == [
        {
            "territoire": "bassin:9901",
            "partenaire_id": "P0001",
            "nom": "Mission locale de Vegicourt",
            "domaine": "orientation",
            "situation": "primo_accedant",
            "role": "structurant",
            "priorite": "haute",
            "decision": "developper",
            "justification": "Pivot reconnu par tous les participants.",
            "auteur": "Camille",
        }
    ]
    assert dt.datetime.fromisoformat(decisions.at[0, "horodatage"]).tzinfo is not None

    written = app.data.positioning_path.read_text(encoding="utf-8")
    roles = read_positioning(app.data.positioning_path)
    cell = roles.query(
        "territoire == 'bassin:9901' and acteur == 'P0001' and domaine == 'orientation' "
        "and situation == 'primo_accedant'"
    )
    assert cell["role"].tolist() == ["structurant"]
    assert cell["commentaire"].tolist() == ["atelier : Pivot reconnu par tous les participants."]
    # the other rows are kept as they were, in order
    changed = [
        (a, b) for a, b in zip(original.splitlines(), written.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1 and changed[0][0].startswith("bassin:9901,P0001,orientation,primo_")

    backups = sorted((folder / workshop.BACKUP_FOLDER).iterdir())
    assert [p.name.split("_2")[0] for p in backups] == ["positionnement"]
    assert backups[0].read_text(encoding="utf-8") == original  # decisions file was new

    # the views show the decision; a second record appends and backs up the first file
    assert "Développer" in app.partner_view.value
    assert app.justification.value == "" and app.role.value == ""
    other = next(pid for _label, pid in app.partner.options if pid != "P0001")
    app.partner.value = other
    app.decision.value = "arreter"
    app.priority.value = "basse"
    app.justification.value = "Doublon avec la mission locale voisine ; à revoir en 2027."
    assert app.record() is True
    decisions = pd.read_csv(app.data.decisions_path, dtype=str, keep_default_na=False)
    assert decisions["partenaire_id"].tolist() == ["P0001", other]
    assert decisions.at[1, "role"] == ""  # no role in that cell, none chosen
    assert app.data.positioning_path.read_text(encoding="utf-8") == written
    backups = sorted((folder / workshop.BACKUP_FOLDER).glob("decisions_atelier_*.csv"))
    assert len(backups) == 1
    assert len(pd.read_csv(backups[0], dtype=str)) == 1


def test_failed_write_keeps_the_form_and_the_file(app, monkeypatch):
    _fill(app)

    def refuse(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert app.record() is False
    assert "écriture impossible" in app.status.value
    assert "saisie est conservée" in app.status.value
    assert app.justification.value.startswith("Pivot reconnu")
    assert not app.data.decisions_path.exists()
    assert not list(app.data.folder.glob(".decisions_atelier.csv.*"))


@pytest.mark.parametrize("configured", [True, False], ids=["configure", "non_configure"])
def test_missing_positioning_file_is_created_from_the_template(demo_dir, tmp_path, configured):
    config = _copy_demo(demo_dir, tmp_path / "d", skip=("positionnement.csv",))
    folder = config.parent
    files = None if configured else {"partenaires.positionnement": None}
    app = workshop.partner_workshop(config, territory="9902", files=files)
    name = "positionnement.csv" if configured else workshop.POSITIONING_FILE
    assert app.data.positioning_path == folder / name
    assert "Aucun rôle enregistré" in app.grid_view.value
    app.partner.value = app.partner.options[0][1]
    app.domain.value = "insertion"
    app.situation.value = "eloigne_emploi"
    app.role.value = "pivot"
    app.justification.value = "Seul acteur présent sur ce public."
    assert app.record() is True, app.status.value
    text = (folder / name).read_text(encoding="utf-8").splitlines()
    assert text[0] == "territoire,acteur,domaine,situation,role,commentaire,date_verification"
    assert text[1].startswith(f"bassin:9902,{app.partner.value},insertion,eloigne_emploi,pivot,")
    assert "Pivot" in app.grid_view.value


# ---------------------------------------------------------------- the writers


def test_save_role_keeps_separator_and_encoding_and_removes(tmp_path):
    path = tmp_path / "roles.csv"
    path.write_bytes(
        "Territoire;Acteur;Domaine;Situation;Rôle;Remarque\n"
        "bassin:9901;P1;orientation;primo_accedant;pivot;déjà là\n"
        "bassin:9901;P2;formation;reconversion;contributeur;\n"
        "bassin:9901;P1;orientation;primo_accedant;pivot;doublon\n".encode("cp1252")
    )
    moment = dt.datetime(2026, 3, 14, 9, 30)
    backup = workshop.save_role(
        path,
        territory="bassin:9901",
        actor="P2",
        domain="formation",
        situation="reconversion",
        role="structurant",
        comment="revu en atelier",
        now=moment,
    )
    assert backup == tmp_path / workshop.BACKUP_FOLDER / "roles_20260314-093000-000000.csv"
    lines = path.read_bytes().decode("cp1252").splitlines()
    assert lines[0] == "Territoire;Acteur;Domaine;Situation;Rôle;Remarque;date_verification"
    assert (
        lines[2] == "bassin:9901;P2;formation;reconversion;structurant;revu en atelier;2026-03-14"
    )
    workshop.save_role(
        path,
        territory="bassin:9901",
        actor="P1",
        domain="orientation",
        situation="primo_accedant",
        role="retire",
        now=moment + dt.timedelta(seconds=1),
    )
    roles = read_positioning(path)
    assert roles["acteur"].tolist() == ["P2"]  # both duplicated rows removed
    assert len(list((tmp_path / workshop.BACKUP_FOLDER).iterdir())) == 2


def test_save_role_refuses_unknown_codes_and_workbooks(tmp_path):
    with pytest.raises(SchemaError, match="rôle « chef » inconnu"):
        workshop.save_role(
            tmp_path / "r.csv",
            territory="bassin:9901",
            actor="P1",
            domain="orientation",
            situation="primo_accedant",
            role="chef",
        )
    with pytest.raises(InputFileError, match="n'écrit que les fichiers CSV"):
        workshop.save_role(
            tmp_path / "r.xlsx",
            territory="bassin:9901",
            actor="P1",
            domain="orientation",
            situation="primo_accedant",
            role="pivot",
        )


def test_save_decision_refuses_unknown_values_and_foreign_files(tmp_path):
    record = {
        "territoire": "bassin:9901",
        "partenaire_id": "P1",
        "decision": "supprimer",
        "priorite": "urgente",
        "justification": "x",
    }
    with pytest.raises(SchemaError, match="décision « supprimer » inconnue.*priorité « urgente »"):
        workshop.save_decision(tmp_path / "d.csv", record)
    other = tmp_path / "decisions_atelier.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="n'est pas un fichier de décisions"):
        workshop.save_decision(other, {**record, "decision": "garder", "priorite": "haute"})
    assert other.read_text(encoding="utf-8") == "a,b\n1,2\n"
