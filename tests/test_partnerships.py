"""Tests of diagnostics.partnerships: reader, bad inputs, life-cycle checks, committees."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diagnostics import partnerships as ps
from diagnostics.partners import read_partners
from geo import settings
from geo._errors import SchemaError
from geo.problems import collect_problems

HEADER = (
    "Identifiant;Intitulé;Parties;Niveau de conclusion;Cadre;Mode;Domaines;Publics;"
    "Date de début;Date de fin;Statut;Date de dernière évaluation;"
    "Périodicité d'évaluation (mois);Comité de pilotage;Dates des comités;Commentaire\n"
)


def _write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "partenariats.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_bad_inputs_are_reported_and_the_rest_used(tmp_path):
    path = _write(
        tmp_path,
        [
            "A;Bon;PE-AG-1|P1;local;convention_locale;Cotraitance;insertion;jeunes;01/01/2024;31/12/2026;en cours;;12;local;;",
            "B;Partie inconnue;PE-AG-1|P1|PX;local;;cofinancement;;;01/01/2024;;en_cours;;;;;",
            "C;Fin avant début;PE-AG-1|P2;local;;agrement;;;01/01/2025;01/01/2024;evalue;;;;;",
            "D;Mode inconnu;PE-AG-1|P2;local;;télépathie;;;;;statut bizarre;;;;;",
            "E;Une seule partie;PE-AG-1;local;;agrement;;;;;en_cours;;;;;",
        ],
    )
    reg = ps.read_partnerships(path, partners=["P1", "P2"], units=["PE-AG-1"])
    assert reg["partenariat_id"].tolist() == ["A", "B", "C", "D"]
    report = reg.attrs["problemes"]
    assert {p.file for p in report} == {"partenariats.csv"}
    assert sorted(p.category for p in report) == [
        "fin_avant_debut", "mode_inconnu", "partie_inconnue", "partie_unique", "statut_inconnu",
    ]  # fmt: skip
    assert sorted((p.line, p.column, p.value, p.action) for p in report) == [
        (3, "Parties", "PX", "corrigée"),
        (4, "Date de fin", "01/01/2024", "corrigée"),
        (5, "Mode", "télépathie", "corrigée"),
        (5, "Statut", "statut bizarre", "corrigée"),
        (6, "Parties", "PE-AG-1", "écartée"),
    ]
    assert reg.loc[1, "parties"] == ("PE-AG-1", "P1")
    assert pd.isna(reg.loc[2, "date_fin"])
    assert pd.isna(reg.loc[3, "mode"]) and pd.isna(reg.loc[3, "statut"])
    assert reg.loc[0, "mode"] == "cotraitance" and reg.loc[0, "statut"] == "en_cours"
    lines = report.lines()
    assert lines[-1].startswith(
        "partenariats.csv, ligne 6, colonne « Parties » : le partenariat E n'a que 1 partie(s)"
    )
    assert any("partie « PX » absente" in line for line in lines)


def test_each_party_is_checked_against_the_table_of_its_kind(tmp_path):
    """Units without a directory check the unit ids only: the partners are kept (issue 17)."""
    path = _write(
        tmp_path,
        [
            "A;Bon;PE-AG-1|P1;local;;agrement;;;;;en_cours;;;;;",
            "B;Unité inconnue;PE-AG-9|P2;local;;agrement;;;;;en_cours;;;;;",
        ],
    )
    only_units = ps.read_partnerships(path, units=["PE-AG-1"])
    assert only_units["parties"].tolist() == [("PE-AG-1", "P1")]
    problems = [(p.line, p.value, p.category) for p in only_units.attrs["problemes"]]
    assert problems == [(3, "PE-AG-9", "partie_inconnue"), (3, "PE-AG-9|P2", "partie_unique")]
    only_partners = ps.read_partnerships(path, partners=["P1"])
    assert only_partners["parties"].tolist() == [("PE-AG-1", "P1")]
    problems = [(p.value, p.category) for p in only_partners.attrs["problemes"]]
    assert problems == [("P2", "partie_inconnue"), ("PE-AG-9|P2", "partie_unique")]
    flows = tmp_path / "flux.csv"
    flows.write_text(
        "Source;Cible;Type de flux;Année;Volume\nPE-AG-1;P1;orientation;2024;12\n", encoding="utf-8"
    )
    assert len(ps.read_partner_flows(flows, units=["PE-AG-1"])) == 1


def test_missing_column_raises_in_french(tmp_path):
    path = _write(tmp_path, ["A;x"], header="Identifiant;Intitulé\n")
    with pytest.raises(SchemaError, match="colonne.*Parties"):
        ps.read_partnerships(path)


def test_demo_files_are_clean_and_complete():
    demo = settings.demo_dir()
    partners = read_partners(demo / "partenaires.csv")
    units = ps.read_pole_emploi_units(demo / "unites_pole_emploi.csv")
    reg = ps.read_partnerships(demo / "partenariats.csv", partners=partners, units=units)
    ind = ps.read_partnership_indicators(demo / "partenariats_indicateurs.csv", partnerships=reg)
    flows = ps.read_partner_flows(demo / "flux_partenaires.csv", partners=partners, units=units)
    assert collect_problems({"r": reg, "i": ind, "f": flows, "u": units}) == []
    assert set(reg["mode"]) == set(ps.RELATION_MODES)
    assert set(reg["statut"]) == set(ps.LIFECYCLE_STATUSES)
    assert (reg["nb_parties"] > 2).sum() == 1
    checks = ps.lifecycle_checks(reg, ind, date="2026-06-30")
    assert {"evaluation_en_retard", "terminee_en_cours", "sans_indicateur"} <= set(
        checks["controle"]
    )


def _registry() -> pd.DataFrame:
    return ps.partnerships_from_records(
        [
            {"partenariat_id": "A", "parties": "PE-AG-1|P1", "statut": "en_cours",
             "date_debut": "2024-01-01", "date_fin": "2026-09-30", "date_evaluation": "2025-01-15"},
            {"partenariat_id": "B", "parties": "PE-AG-1|P2", "statut": "en_cours",
             "date_debut": "2023-01-01", "date_fin": "2026-01-31"},
            {"partenariat_id": "C", "parties": "PE-AG-1|P3", "statut": "evalue",
             "date_debut": "2025-06-01", "date_evaluation": "2026-03-01", "periodicite_mois": 6},
            {"partenariat_id": "D", "parties": "PE-AG-1|P4", "statut": "objectifs"},
        ]
    )  # fmt: skip


def test_lifecycle_checks_by_hand():
    reg = _registry()
    day = "2026-06-30"
    # A: evaluated 15/01/2025, due 15/01/2026 -> overdue; C: 01/03/2026 + 6 months -> not yet.
    assert ps.overdue_evaluations(reg, date=day)["partenariat_id"].tolist() == ["A"]
    # B ended on 31/01/2026 but is still "en_cours".
    assert ps.ended_but_running(reg, date=day)["partenariat_id"].tolist() == ["B"]
    # A ends within 6 months.
    assert ps.renewals_due(reg, date=day)["partenariat_id"].tolist() == ["A"]
    ind = pd.DataFrame({"partenariat_id": ["A", "C"], "type_indicateur": ["moyens", "resultat"]})
    # B is past the "indicateurs" step without any; D is not there yet.
    assert ps.partnerships_without_indicators(reg, ind)["partenariat_id"].tolist() == ["B"]
    multi = ps.multilateral_candidates(
        ps.partnerships_from_records(
            [{"partenariat_id": x, "parties": f"PE-AG-1|P{x}", "publics": "jeunes",
              "statut": "en_cours"} for x in "123"]
        ),
        date=day,
        min_partners=3,
    )  # fmt: skip
    assert multi["partenaires"].tolist() == [("P1", "P2", "P3")]


def test_committee_compliance_prorated():
    reg = ps.partnerships_from_records(
        [
            {"partenariat_id": "L", "parties": "a|b", "statut": "en_cours", "comite": "local",
             "date_debut": "2024-01-01",
             "dates_comites": ["2025-02-01", "2025-04-01", "2025-06-01", "2025-09-01", "2025-11-01"]},
            {"partenariat_id": "R", "parties": "a|c", "statut": "en_cours", "comite": "regional",
             "date_debut": "2025-10-01", "dates_comites": ["2025-11-01"]},
            {"partenariat_id": "N", "parties": "a|d", "statut": "en_cours", "comite": "national",
             "date_debut": "2020-01-01", "dates_comites": ["2024-05-01"]},
        ]
    )  # fmt: skip
    out = ps.committee_compliance(reg, year=2025).set_index("partenariat_id")
    assert out.loc["L", ["reunions", "minimum"]].tolist() == [5, 5] and out.loc["L", "conforme"]
    # Regional, 3 months in force: ceil(4 * 3 / 12) = 1.
    assert out.loc["R", "minimum"] == 1 and out.loc["R", "conforme"]
    assert out.loc["N", ["reunions", "minimum"]].tolist() == [0, 2] and not out.loc["N", "conforme"]


def test_indicator_attainment():
    ind = pd.DataFrame({"cible": [100.0, None], "realise": [80.0, 5.0]})
    assert ps.indicator_attainment(ind).tolist()[0] == pytest.approx(0.8)
