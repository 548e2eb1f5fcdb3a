"""Tests of the cotraitance diagnostics (``diagnostics.cotraitance``)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from diagnostics import cotraitance as ct
from diagnostics.disclosure import NO_SUPPRESSION
from geo import settings
from geo._errors import SchemaError
from geo.problems import ProblemReport

DEMO = settings.demo_dir() / "cotraitance"


def _episode(**kw):
    base = {
        "episode_id": "e1",
        "date_affectation": "2024-01-02",
        "date_acceptation": "",
        "date_initialisation": "",
        "date_annulation": "",
        "date_sortie": "",
        "motif_sortie": "",
        "civis_initialisation": "non",
        "ex_civis": "non",
        "mois_naissance": "2000-05",
        "commune_residence": "9A001",
        "agence": "A9901",
        "mission_locale": "P0001",
    }
    return {**base, **kw}


def _write(tmp_path, name, rows):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path


@pytest.fixture(scope="module")
def demo():
    s = ct.read_structures(DEMO / "structures.csv")
    e = ct.read_episodes(DEMO / "episodes.csv", structures=s)
    return {
        "structures": s,
        "flows": ct.read_cotraitance_flows(DEMO / "flux.csv", structures=s),
        "episodes": e,
        "periods": ct.read_periods(DEMO / "periodes.csv", episodes=e),
        "objectives": ct.read_objectives(DEMO / "objectifs.csv", structures=s),
        "needs": ct.read_cotraitance_needs(DEMO / "besoins.csv", structures=s),
        "ressorts": ct.read_cotraitance_ressorts(DEMO / "ressorts.csv", structures=s),
    }


# ---------------------------------------------------------------- reference table


def test_regional_table_reproduced_and_checked():
    t = ct.regional_objectives_2010()
    assert len(t) == 27
    assert t.loc[t["region"] == "ILE DE FRANCE", "objectif_2010"].item() == 19702
    assert t.loc[t["region"] == "PROVENCE ALPES COTE D'AZUR", "rappel_objectif_2009"].item() == 9886
    assert t["objectif_2010"].iloc[:-1].sum() == 150000
    assert ct.check_regional_objectives(t) == [
        "rappel_objectif_2009 : les 26 régions somment à 129\u202f999, pas au total imprimé "
        "130\u202f000 (écart -1)."
    ]


# ---------------------------------------------------------------- bad inputs


def test_bad_episodes_reported_with_row_rest_processed(tmp_path):
    rows = [
        _episode(episode_id="ok", date_initialisation="2024-01-10"),
        _episode(episode_id="ok"),  # duplicated id
        _episode(episode_id="order", date_acceptation="2023-12-01"),
        _episode(episode_id="noaff", date_affectation="", date_initialisation="2024-01-10"),
        _episode(episode_id="ml", mission_locale="P9999"),
        _episode(episode_id="ag", agence="AXXXX"),
        _episode(episode_id="why", date_sortie="2024-03-01"),
        _episode(
            episode_id="early", date_acceptation="2024-01-20", date_initialisation="2024-01-05"
        ),
    ]
    s = ct.read_structures(DEMO / "structures.csv")
    e = ct.read_episodes(_write(tmp_path, "ep.csv", rows), structures=s)
    assert e["episode_id"].tolist() == ["ok", "early"]
    report = e.attrs["problemes"]
    assert isinstance(report, ProblemReport) and len(report) == 6
    assert {p.file for p in report} == {"ep.csv"} and {p.action for p in report} == {"écartée"}
    first = report[0]
    assert (first.line, first.column, first.value) == (3, "episode_id", "ok")
    assert first.message.startswith("épisode 'ok' déjà présent ligne 2")
    found = {(p.line, p.column): p.message for p in report}
    assert found[4, "date_acceptation"].startswith("dates dans le mauvais ordre")
    assert found[5, "date_affectation"].startswith("une initialisation sans date d'affectation")
    assert found[6, "mission_locale"].startswith("mission locale 'P9999' inconnue")
    assert found[7, "agence"].startswith("agence 'AXXXX' inconnue")
    assert found[8, "motif_sortie"].startswith("date de sortie et motif")


def test_bad_flows_negative_and_month_outside_year(tmp_path):
    base = {c: 0 for c in ct.FLOW_COUNTS}
    rows = [
        {
            "mois": "2024-01",
            "agence": "A9901",
            "mission_locale": "P0001",
            **base,
            "affectations": 12,
        },
        {
            "mois": "2024-02",
            "agence": "A9901",
            "mission_locale": "P0001",
            **base,
            "affectations": -3,
        },
        {"mois": "2042-12", "agence": "A9901", "mission_locale": "P0001", **base},
    ]
    f = ct.read_cotraitance_flows(_write(tmp_path, "f.csv", rows), year=2024)
    assert f["affectations"].tolist() == [12]
    assert f.attrs["problemes"].lines() == [
        "f.csv, ligne 4, colonne « mois » : mois 2042-12 isolé, à plus de douze mois des "
        "autres flux du fichier (2024-01 à 2024-02) (année d'objectif 2024) : corrigez le "
        "mois (AAAA-MM), sans doute une faute de frappe sur l'année. "
        "(ligne écartée)",
        "f.csv, ligne 3, colonne « affectations » : effectif négatif '-3' "
        "(attendu : entier positif ou nul) : corrigez-le. (ligne écartée)",
    ]
    assert f.attrs["problemes"][1].value == "-3"


def test_missing_column_raises(tmp_path):
    with pytest.raises(SchemaError, match="colonne\\(s\\) absente\\(s\\) pour les flux"):
        ct.read_cotraitance_flows(_write(tmp_path, "f.csv", [{"mois": "2024-01"}]))


# ---------------------------------------------------------------- rules


def _flows(**counts):
    base = {c: 0 for c in ct.FLOW_COUNTS}
    return pd.DataFrame(
        [{"mois": "2024-03", "agence": "A1", "mission_locale": "M1", **base, **counts}]
    )


def test_entries_three_bases_and_civis_rules():
    f = _flows(
        affectations=40,
        acceptations=35,
        initialisations=30,
        initialisations_civis=6,
        initialisations_ex_civis=4,
    )
    assert ct.entries(f, basis="affectation").item() == 40
    assert ct.entries(f, basis="acceptation").item() == 35
    assert ct.entries(f, basis="initialisation").item() == 30
    assert ct.entries(f, basis="objectif").item() == 24  # ex-CIVIS counted (L2463)
    assert ct.entries(f, basis="objectif", civis_rule="inclure").item() == 30
    with pytest.raises(ValueError, match="Règle CIVIS"):
        ct.entries(f, basis="objectif", civis_rule="parfois")


def _structures():
    return pd.DataFrame(
        {
            "code": ["M1", "M2"],
            "type": "mission_locale",
            "departement": ["9A", "9B"],
            "region": "99",
            "nom": ["m1", "m2"],
        }
    )


def test_attainment_projection_alerts_and_levels():
    f = pd.concat(
        [
            _flows(initialisations=66, initialisations_civis=6),
            _flows(initialisations=30).assign(mission_locale="M2"),
        ]
    )
    o = pd.DataFrame(
        {
            "annee": 2024,
            "niveau": ["mission_locale", "mission_locale", "region"],
            "territoire": ["M1", "M2", "99"],
            "objectif": [200, 160, 400],
            "montant_subvention": [46000, 36800, 0],
        }
    )
    a = ct.objective_attainment(
        f, o, _structures(), year=2024, month=3, overrun_threshold=0.15, threshold=5
    )
    m1 = a.iloc[0]
    assert (m1["entrees_objectif"], m1["rythme_lineaire"], m1["projection_fin_annee"]) == (
        60,
        50.0,
        240.0,
    )
    assert m1["taux_atteinte"] == pytest.approx(0.3)
    assert m1["taux_projete"] == pytest.approx(1.2)
    assert bool(m1["alerte_depassement"]) and not bool(m1["depassement_constate"])
    assert not bool(a.iloc[1]["alerte_depassement"])  # 120/160 = 0.75
    region = a[a["niveau"] == "region"].iloc[0]
    assert (region["objectif"], region["entrees_objectif"]) == (400, 90)
    dep = a[a["territoire"] == "9A"].iloc[0]
    assert (dep["objectif"], dep["source_objectif"]) == (200, "somme des niveaux inférieurs")
    alerts = ct.route_alerts(a)
    assert alerts[["territoire", "leve_par", "transmis_a"]].values.tolist() == [
        ["M1", "comité de pilotage local", "comité de pilotage régional"],
        ["9A", "comité de pilotage local", "comité de pilotage régional"],
    ]


def test_alert_routing_regional_to_national():
    a = pd.DataFrame(
        {
            "niveau": ["region", "national"],
            "territoire": ["99", "FR"],
            "alerte_depassement": [True, True],
            "taux_projete": [1.2, 1.3],
        }
    )
    assert ct.route_alerts(a)["transmis_a"].tolist() == [
        "comité de pilotage national",
        "signataires (mise à jour des volumes, L439)",
    ]


def test_need_mismatch():
    a = pd.DataFrame(
        {"niveau": "mission_locale", "territoire": ["M1", "M2", "M3"], "objectif": [100, 100, 200]}
    )
    n = pd.DataFrame({"territoire": ["M1", "M2", "M3"], "demande_potentielle": [100, 200, 200]})
    out = ct.need_mismatch(a, n, tolerance=0.2)
    assert out["indice_adequation"].round(3).tolist() == [1.25, 0.625, 1.25]
    assert out["sens"].tolist() == [
        "objectif_excessif",
        "objectif_insuffisant",
        "objectif_excessif",
    ]


def test_payments_schedule_pro_rata_and_overpayment():
    a = pd.DataFrame(
        {
            "niveau": "mission_locale",
            "territoire": ["M1", "M2", "M3"],
            "montant_subvention": [10000, 10000, 10000],
            "taux_atteinte": [0.9, 0.6, 1.3],
            "taux_projete": [0.9, 0.6, 1.3],
        }
    )
    p = ct.payment_projection(a, year=2024)
    assert p["date_acompte_20_janvier"].iloc[0] == "2024-01-20"
    assert p["date_acompte_10_juillet"].iloc[0] == "2024-07-10"
    assert p["acompte_20_janvier"].tolist() == [4000.0] * 3
    assert p["montant_du"].tolist() == [9000.0, 6000.0, 10000.0]
    assert p["solde"].tolist() == [1000.0, 0.0, 2000.0]
    assert p["trop_percu"].tolist() == [0.0, 2000.0, 0.0]
    assert p["alerte_trop_percu"].tolist() == [False, True, False]


def _episodes_frame(rows):
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c.startswith("date_") or c == "mois_naissance":
            df[c] = pd.to_datetime(df[c])
    return df


def test_lead_times_median_p90_negative_allowed():
    aff = ["2024-01-01"] * 5
    df = _episodes_frame(
        {
            "mission_locale": "M1",
            "date_affectation": aff,
            "date_acceptation": [
                "2024-01-03",
                "2024-01-05",
                "2024-01-06",
                "2024-01-11",
                "2024-01-21",
            ],
            "date_initialisation": [
                "2024-01-02",
                "2024-01-07",
                "2024-01-07",
                "2024-01-15",
                "2024-01-31",
            ],
        }
    )
    t = ct.lead_times(df, threshold=5).set_index("delai")
    assert t.loc["affectation_acceptation", ["mediane_jours", "p90_jours"]].tolist() == [5.0, 16.0]
    assert t.loc["acceptation_initialisation", "mediane_jours"] == 2.0  # -1, 1, 2, 4, 10
    # a first gap of -1 day (initialisation before acceptation) is kept
    small = ct.lead_times(df.iloc[:3], threshold=5)
    assert small["mediane_jours"].isna().all()


def test_stock_by_state_at_date():
    eps = _episodes_frame(
        {
            "episode_id": list("abcdef"),
            "mission_locale": "M1",
            "date_affectation": ["2024-01-01"] * 6,
            "date_initialisation": ["2024-01-05"] * 5 + [None],
            "date_annulation": [None] * 6,
            "date_sortie": [None, None, None, None, "2024-02-01", None],
        }
    )
    per = _episodes_frame(
        {
            "episode_id": ["b", "c", "d"],
            "etat": ["alerte", "suspension", "alerte"],
            "date_debut": ["2024-02-10", "2024-02-01", "2024-01-10"],
            "date_fin": [None, None, "2024-01-20"],
        }
    )
    s = ct.stock_by_state(eps, per, date="2024-03-01", threshold=NO_SUPPRESSION)
    assert s.iloc[0].tolist() == ["M1", 2, 1, 1, 1, 4]


def test_exits_due_six_months_age_rules_and_move():
    eps = _episodes_frame(
        {
            "episode_id": ["s", "y", "z", "m"],
            "mission_locale": "M1",
            "date_affectation": ["2023-06-01", "2023-06-01", "2022-01-01", "2024-01-01"],
            "date_initialisation": ["2023-06-10", "2023-06-10", "2022-01-10", "2024-01-10"],
            "date_annulation": [None] * 4,
            "date_sortie": [None] * 4,
            # y: aged 25 at affectation (26th year) -> one year, due 2024-06-01
            # z: aged 23 at affectation -> 26th birthday 2024-03-01
            "mois_naissance": ["2000-01-01", "1997-09-01", "1998-03-01", "2000-01-01"],
            "commune_residence": ["9A001", "9A001", "9A001", "9B001"],
        }
    )
    per = _episodes_frame(
        {
            "episode_id": ["s"],
            "etat": ["suspension"],
            "date_debut": ["2023-11-15"],
            "date_fin": [None],
        }
    )
    ressorts = pd.DataFrame({"mission_locale": "M1", "commune": ["9A001"]})
    due = ct.exits_due(eps, per, ressorts, date="2024-06-01")
    assert due[["episode_id", "motif", "date_due"]].astype(str).values.tolist() == [
        ["y", "age_26_ans", "2024-06-01"],
        ["z", "age_26_ans", "2024-03-01"],
        ["m", "demenagement", "2024-06-01"],
        ["s", "suspension_6_mois", "2024-05-15"],
    ]
    strict = ct.exits_due(eps, per, ressorts, date="2024-06-01", age_rule="anniversaire")
    assert strict.loc[strict["episode_id"] == "y", "date_due"].astype(str).item() == "2023-09-01"
    early = ct.exits_due(eps, per, ressorts, date="2024-05-14")
    assert "s" not in early["episode_id"].tolist()


def test_uncancelled_affectations():
    eps = _episodes_frame(
        {
            "episode_id": ["a", "b", "c"],
            "mission_locale": "M1",
            "agence": "A1",
            "date_affectation": ["2024-01-01"] * 3,
            "date_initialisation": [None, None, "2024-01-05"],
            "date_radiation": ["2024-01-10", "2024-01-10", "2024-02-01"],
            "date_annulation": [None, "2024-01-10", None],
            "date_sortie": [None] * 3,
        }
    )
    assert ct.uncancelled_affectations(eps, date="2024-03-01")["episode_id"].tolist() == ["a"]


def test_access_rate_and_split():
    f = pd.DataFrame(
        {
            "mission_locale": ["M1", "M2", "M3"],
            "affectations": [60, 20, 3],
            "acceptations": 0,
            "initialisations": 0,
        }
    )
    d = pd.DataFrame({"territoire": ["M1", "M2", "M3"], "demandeurs_jeunes": [2000, 500, 100]})
    r = ct.access_rate(f, d, threshold=5)
    assert r["pour_1000"].iloc[0] == 30.0
    assert r["pour_1000"].isna().tolist() == [False, True, True]  # 3 hidden, then 20 too
    c = pd.DataFrame({"mission_locale": ["M1", "M2"], "defm": [300, 100], "passe": [50, 50]})
    s = ct.split_objective(
        1000, c, {"defm": 0.5, "passe": 0.5}, current=pd.Series({"M1": 600, "M2": 400})
    )
    assert s["propose"].tolist() == [625, 375]
    assert s["ecart"].tolist() == [25, -25]
    with pytest.raises(SchemaError, match="Critères"):
        ct.split_objective(10, c, {"inconnu": 1})


def test_flows_from_episodes_matches_demo_flow_file(demo):
    rebuilt = ct.flows_from_episodes(
        demo["episodes"], demo["periods"], first_month="2023-01", last_month="2024-06"
    )
    pd.testing.assert_frame_equal(rebuilt, demo["flows"], check_dtype=False)


# ---------------------------------------------------------------- demo coverage


def test_demo_covers_every_state_reason_and_alert(demo):
    e, p = demo["episodes"], demo["periods"]
    assert set(e["motif_sortie"].dropna()) == set(ct.EXIT_REASONS)
    assert set(p["etat"]) == {"alerte", "suspension"}
    assert set(p["decision"].dropna()) == {"maintien", "sortie"}
    assert e["civis_initialisation"].any() and e["ex_civis"].any()
    assert (e["date_initialisation"] < e["date_acceptation"]).any()
    s = ct.cotraitance_section(
        demo["flows"],
        demo["objectives"],
        demo["structures"],
        year=2024,
        month=6,
        needs=demo["needs"],
        episodes=e,
        periods=p,
        ressorts=demo["ressorts"],
        threshold=NO_SUPPRESSION,
    )
    assert (s["stocks"][["actif", "alerte", "suspension", "en_entree"]] > 0).all().all()
    assert set(s["alertes"]["alerte"]) == {"dépassement", "inadéquation besoins / objectif"}
    assert s["paiements"]["alerte_trop_percu"].any()
    assert set(s["sorties_dues"]["motif"]) == {"suspension_6_mois", "age_26_ans", "demenagement"}
    assert s["affectations_non_annulees"]["n"].sum() > 0


# ---------------------------------------------------------------- disclosure of outputs

_COUNT_WORDS = re.compile(r":\s*(\d+)\s+affectations")


def _small(value, limit):
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return False
    return number.is_integer() and 0 < number < limit


def test_no_small_count_in_any_written_output(demo, tmp_path):
    limit = settings.disclosure_threshold
    s = ct.cotraitance_section(
        demo["flows"],
        demo["objectives"],
        demo["structures"],
        year=2024,
        month=6,
        needs=demo["needs"],
        episodes=demo["episodes"],
        periods=demo["periods"],
        ressorts=demo["ressorts"],
    )
    written = ct.save_tables(s, tmp_path)
    assert {p.suffix for p in written} == {".csv", ".xlsx", ".json", ".html", ".png"}
    counts = {
        "n",
        "affectations",
        "initialisations",
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
    found = []
    for path in written:
        if path.suffix == ".csv":
            t = pd.read_csv(path, sep=";", dtype="string")
        elif path.suffix == ".xlsx":
            t = pd.read_excel(path, dtype=str, engine="calamine")
        elif path.suffix == ".json":
            t = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".html":
            for match in _COUNT_WORDS.finditer(path.read_text(encoding="utf-8")):
                if _small(match.group(1), limit):
                    found.append((path.name, match.group(0)))
            continue
        else:
            continue
        for col in counts & set(t.columns):
            found += [(path.name, col, v) for v in t[col] if _small(v, limit)]
    assert found == []
    # the demo does exercise the suppression
    assert "s" in set(pd.read_csv(tmp_path / "sankey.csv", sep=";", dtype="string")["volume"])
    assert "secret statistique" in (tmp_path / "carte_flux.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- needs, ressorts, folder, summary


def test_needs_and_ressorts_readers_report_bad_rows(tmp_path, demo):
    needs = _write(
        tmp_path,
        "besoins.csv",
        {
            "annee": ["2024", "2024", "2024", "2024"],
            "territoire": ["P0001", "P0001", "P9999", "P0002"],
            "demande_potentielle": ["300", "310", "20", "-4"],
        },
    )
    n = ct.read_cotraitance_needs(needs, structures=demo["structures"])
    assert n["territoire"].tolist() == ["P0001"]
    assert n["demandeurs_jeunes"].isna().all()  # optional column absent: unknown, not zero
    assert [(p.line, p.column, p.message) for p in n.attrs["problemes"]] == [
        (
            5,
            "demande_potentielle",
            "effectif négatif '-4' (attendu : entier positif ou nul) : corrigez-le.",
        ),
        (
            3,
            "territoire",
            "besoins de P0001 donnés deux fois pour la même année : retirez le doublon.",
        ),
        (
            4,
            "territoire",
            "mission locale 'P9999' inconnue du fichier des structures ; ajoutez-la à "
            "structures.csv ou corrigez le code.",
        ),
    ]
    ressorts = _write(
        tmp_path,
        "ressorts.csv",
        {"mission_locale": ["P0001", "P0001", "P0002"], "commune": ["9A001", "9A001", ""]},
    )
    r = ct.read_cotraitance_ressorts(ressorts)
    assert r.values.tolist() == [["P0001", "9A001"]]
    assert [(p.line, p.column, p.message) for p in r.attrs["problemes"]] == [
        (4, None, "mission locale ou commune vide : complétez la ligne."),
        (
            3,
            "commune",
            "commune 9A001 donnée deux fois pour la même mission locale : retirez le doublon.",
        ),
    ]


def test_folder_reader_matches_the_section_parameters(demo):
    inputs = ct.read_cotraitance_folder(DEMO, year=2024, month=6)
    assert {k: v.attrs["fichier"] for k, v in inputs.items()} == {
        "structures": "structures.csv",
        "flows": "flux.csv",
        "objectives": "objectifs.csv",
        "needs": "besoins.csv",
        "episodes": "episodes.csv",
        "periods": "periodes.csv",
        "ressorts": "ressorts.csv",
    }
    pd.testing.assert_frame_equal(inputs["flows"], demo["flows"])
    with pytest.raises(SchemaError, match="aucun objectif pour 2022"):
        ct.read_cotraitance_folder(DEMO, year=2022)


def test_needs_of_another_year_are_ignored_and_access_is_compared(demo):
    args = (demo["flows"], demo["objectives"], demo["structures"])
    s = ct.cotraitance_section(
        *args, year=2023, month=12, needs=demo["needs"], threshold=NO_SUPPRESSION
    )
    assert "inadequation" not in s and "acces" not in s
    s = ct.cotraitance_section(
        *args, year=2024, month=3, needs=demo["needs"], threshold=NO_SUPPRESSION
    )
    acces = s["acces"]
    so_far = demo["flows"][demo["flows"]["mois"].between("2024-01", "2024-03")]
    assert acces["entrees"].sum() == so_far["affectations"].sum()
    overall = 1000 * so_far["affectations"].sum() / demo["needs"]["demandeurs_jeunes"].sum()
    assert acces["indice_acces"].tolist() == pytest.approx((acces["pour_1000"] / overall).tolist())


def test_alert_summary_keeps_hidden_cells_hidden():
    section = {
        "atteinte": pd.DataFrame(
            {
                "niveau": ["region"],
                "territoire": ["99"],
                "objectif": pd.array([100], dtype="Int64"),
                "entrees_objectif": pd.array([None], dtype="Int64"),
                "taux_atteinte": pd.array([None], dtype="Float64"),
                "projection_fin_annee": pd.array([None], dtype="Float64"),
                "taux_projete": pd.array([None], dtype="Float64"),
            }
        ),
        "alertes": ct.route_alerts(
            pd.DataFrame(
                {
                    "niveau": ["departement"],
                    "territoire": ["9C"],
                    "alerte_depassement": [True],
                    "taux_projete": [1.2],
                }
            )
        ),
        "paiements": pd.DataFrame(
            {
                "territoire": ["M1"],
                "trop_percu": [1234.4],
                "montant_du": [5000.0],
                "alerte_trop_percu": [True],
            }
        ),
        "sorties_dues": pd.DataFrame(
            {
                "mission_locale": ["M1", "M1", "M2"],
                "motif": ["age_26_ans", "demenagement", "age_26_ans"],
                "n": pd.array([None, 7, None], dtype="Int64"),
            }
        ),
    }
    facts = ct.alert_summary(section, year=2024, month=2)
    region = next(f for f in facts if f.kind == "atteinte_region")
    assert (region.who, region["objectif"]) == ("99", 100)
    assert pd.isna(region["entrees_objectif"])  # hidden stays hidden, not zero
    due = next(f for f in facts if f.kind == "sorties_dues")
    assert (due["visibles"], due["cases_secretes"]) == (7, 2)
    lines = ct.alert_sentences(facts)
    assert lines == [
        "Cotraitance : situation à fin février 2024.",
        "Région 99 : objectif annuel 100 ; entrées comptées sous secret statistique.",
        "Alertes de volume (1) :",
        "- département 9C : dépassement, projection à 120\u202f% de l'objectif ; levée par le "
        "comité de pilotage local, transmise au comité de pilotage régional.",
        "Trop-perçus projetés sur la subvention (1) :",
        "- mission locale M1 : 1\u202f234 € à reverser (montant dû projeté 5\u202f000 €).",
        "Sorties dues non enregistrées : 7 (+ 2 case(s) sous secret statistique) ; par motif : "
        "26 ans atteints 0 (+ 2 case(s) sous secret statistique), déménagement hors ressort 7. "
        "À régulariser par les missions locales.",
    ]


def test_save_tables_formats(tmp_path):
    t = pd.DataFrame({"n": pd.array([7, None], dtype="Int64")})
    written = ct.save_tables({"t": t}, tmp_path, formats=("csv",))
    assert written == [tmp_path / "t.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
    with pytest.raises(ValueError, match="inconnu"):
        ct.save_tables({"t": t}, tmp_path, formats=("parquet",))
