"""Tests of the training diagnostics (``diagnostics.training``, ``diagnostics._readers.training``)."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics import training as tr
from diagnostics._readers import training as reader
from diagnostics.disclosure import NO_SUPPRESSION, small_counts
from geo import settings
from geo._errors import InputFileError, SchemaError
from geo.maps import self_contained_html
from geo.problems import collect_problems

DEMO = settings.demo_dir() / "formation"


def _write(tmp_path, name, rows, *, sep=";", encoding="utf-8"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, sep=sep, index=False, encoding=encoding)
    return path


# ---------------------------------------------------------------- a tiny territory
#
# Two agences (A1 in 9A, A2 in 9B, région 99), three sessions: S1 at the AFPA centre C1
# (9A001, Région, 10 places), S2 at the provider C2 (9B001, Pôle emploi, 4 places), S3 at
# the AFPA centre C3 in région 98 (État co-financed by the Région, CSP, 5 places).
# Twelve prescriptions, every status; entry delays 10, 20, ..., 70 days.


def _agences():
    return [
        {"agence": "A1", "nom": "Agence Un", "departement": "9A", "region": "99",
         "commune": "9A001", "latitude": "46.1", "longitude": "-9.1"},
        {"agence": "A2", "nom": "Agence Deux", "departement": "9B", "region": "99",
         "commune": "9B001", "latitude": "46.5", "longitude": "-8.5"},
    ]  # fmt: skip


def _session(**kw):
    base = {
        "session_id": "S1", "intitule": "Conducteur routier", "financeur": "Région",
        "cofinanceur": "", "organisme": "AFPA", "centre": "C1", "commune": "9A001",
        "departement": "", "region": "99", "latitude": "46.12", "longitude": "-9.12",
        "formacode": "", "metier": "N4101", "type_offre": "qualifiante",
        "secteur": "Transport", "dispositif": "", "places": "10",
        "date_debut": "2024-03-01", "date_fin": "2024-08-30",
    }  # fmt: skip
    return {**base, **kw}


def _sessions():
    return [
        _session(),
        _session(session_id="S2", intitule="Assistant de vie", financeur="pole_emploi",
                 organisme="GRETA", centre="C2", commune="9B001", region="99", metier="K1302",
                 secteur="Social", places="4", date_debut="2024-04-01", date_fin="2024-09-30",
                 latitude="46.52", longitude="-8.52"),
        _session(session_id="S3", intitule="Maçon", financeur="État", cofinanceur="region",
                 organisme="AFPA", centre="C3", commune="", region="98", metier="F1703",
                 secteur="BTP", dispositif="CSP", places="5", date_debut="2024-05-01",
                 date_fin="2024-10-31", latitude="46.9", longitude="-7.3"),
    ]  # fmt: skip


def _presc(pid, agence, session, statut, presc, **dates):
    row = {"prescription_id": pid, "agence": agence, "session_id": session, "statut": statut,
           "date_prescription": presc, "motif": ""}  # fmt: skip
    return {**row, **dates}


def _prescriptions():
    s1, s2, s3 = "2024-03-01", "2024-04-01", "2024-05-01"
    return [
        _presc("p1", "A1", "S1", "certifiée", "2024-02-20", date_reservation="2024-02-25",
               date_entree=s1, date_fin_formation="2024-08-30", date_certification="2024-09-10"),
        _presc("p2", "A1", "S1", "terminée", "2024-02-10", date_reservation="2024-02-25",
               date_entree=s1, date_fin_formation="2024-08-30", date_acces_emploi="2024-09-15"),
        _presc("p3", "A1", "S1", "abandon", "2024-01-31", date_reservation="2024-02-20",
               date_entree=s1, date_abandon="2024-04-15", motif="santé"),
        _presc("p4", "A1", "S1", "entrée", "2024-01-21", date_reservation="2024-02-20",
               date_entree=s1),
        _presc("p5", "A1", "S1", "désistement", "2024-01-15", date_reservation="2024-01-20",
               date_desistement="2024-02-01", motif="problème de mobilité"),
        _presc("p6", "A1", "S1", "liste d'attente", "2024-01-16",
               date_liste_attente="2024-01-20"),
        _presc("p7", "A1", "S1", "réservée", "2024-01-17", date_reservation="2024-01-25"),
        _presc("p8", "A1", "S1", "prescrite", "2024-01-18"),
        _presc("p9", "A2", "S1", "certifiée", "2024-01-11", date_reservation="2024-02-15",
               date_entree=s1, date_fin_formation="2024-08-30", date_certification="2024-09-12"),
        _presc("p10", "A2", "S2", "entrée", "2024-02-01", date_entree=s2),
        _presc("p11", "A2", "S2", "désistement", "2024-02-01", date_desistement="2024-02-10"),
        _presc("p12", "A1", "S3", "certifiée", "2024-02-21", date_entree=s3,
               date_fin_formation="2024-10-31", date_certification="2024-11-05"),
    ]  # fmt: skip


@pytest.fixture
def tiny(tmp_path):
    agences = tr.read_training_agences(_write(tmp_path, "agences.csv", _agences()))
    sessions = tr.read_training_sessions(_write(tmp_path, "sessions.csv", _sessions()))
    prescriptions = tr.read_prescriptions(
        _write(tmp_path, "prescriptions.csv", _prescriptions()),
        sessions=sessions,
        agences=agences,
    )
    assert sessions.attrs["problemes"] == [] and prescriptions.attrs["problemes"] == []
    return {"agences": agences, "sessions": sessions, "prescriptions": prescriptions}


@pytest.fixture(scope="module")
def demo():
    return tr.read_training_folder(DEMO)


# ---------------------------------------------------------------- readers: bad inputs


def test_metier_codes_in_no_nomenclature():
    got = tr.metier_nomenclature(["A1234", "A0Z40", "A0X40", "G0A40", "A0X41a", "AB123", "", None])
    assert got.tolist() == [
        "ROME", "FAP2009", "FAP2021", "FAP2009/FAP2021", "FAP2021", pd.NA, pd.NA, pd.NA,
    ]  # fmt: skip


def test_bad_sessions_reported_with_row_rest_used(tmp_path):
    rows = [
        _session(),
        _session(),  # duplicated id
        _session(session_id="S2", places="-3"),
        _session(session_id="S3", financeur="Mécène"),
        _session(session_id="S4", metier="AB123"),  # kept, métier blanked
        _session(session_id="S5", date_debut="2024-05-01", date_fin="2024-04-01"),
        _session(session_id="S6", centre=""),
        _session(session_id="S7", date_debut="31/02/2024"),
        _session(session_id="S8", financeur="OPCO", metier="a0x40"),
    ]
    s = tr.read_training_sessions(_write(tmp_path, "sessions.csv", rows))
    # a bad date leaves the session usable: the date is left empty, the session kept
    assert s["session_id"].tolist() == ["S1", "S4", "S5", "S7", "S8"]
    assert s["financeur"].tolist() == ["region", "region", "region", "region", "opca"]
    assert s["metier"].tolist() == ["N4101", pd.NA, "N4101", "N4101", "A0X40"]
    assert s["nomenclature_metier"].tolist() == ["ROME", pd.NA, "ROME", "ROME", "FAP2021"]
    assert s["departement"].tolist() == ["9A"] * 5  # deduced from the commune
    assert s["afpa"].tolist() == [True] * 5  # « AFPA » in organisme
    assert s.loc[2, ["date_debut", "date_fin"]].isna().all() and pd.isna(s.loc[3, "date_debut"])
    assert s.attrs["problemes"].lines() == [
        "sessions.csv, ligne 3, colonne « session_id » : session 'S1' déjà présent ligne 2 "
        "(identifiant en double) : retirez le doublon ou donnez-lui un autre identifiant. "
        "(ligne écartée)",
        "sessions.csv, ligne 8, colonne « centre » : centre (site de formation) vide : "
        "complétez la cellule. (ligne écartée)",
        "sessions.csv, ligne 5, colonne « financeur » : financeur 'Mécène' inconnu (attendu "
        ": region (Région), pole_emploi (Pôle emploi), opca (OPCA), etat (État), agefiph "
        "(Agefiph), conseil_departemental (Conseil départemental), autre (autre financeur)) "
        ": corrigez-le. (ligne écartée)",
        "sessions.csv, ligne 4, colonne « places » : effectif négatif '-3' (attendu : entier "
        "positif ou nul) : corrigez-le. (ligne écartée)",
        "sessions.csv, ligne 9, colonne « date_debut » : date illisible '31/02/2024' : "
        "écrivez-la AAAA-MM-JJ ou JJ/MM/AAAA ; date ignorée, ligne gardée. (ligne corrigée)",
        "sessions.csv, ligne 7, colonne « date_fin » : date_fin 2024-04-01 antérieure à "
        "date_debut 2024-05-01 : corrigez l'une des deux ; dates ignorées, session gardée. "
        "(ligne corrigée)",
        "sessions.csv, ligne 6, colonne « metier » : code 'AB123' dans aucune nomenclature "
        "(attendu : ROME A1234, FAP2009 A0Z40 ou FAP2021 A0X40) ; métier ignoré. (ligne "
        "corrigée)",
    ]
    reader.SESSION_SCHEMA.validate(s)


def test_bad_prescriptions_reported_with_row_rest_used(tmp_path, tiny):
    rows = [
        _presc("ok", "A1", "S1", "entrée", "2024-02-01", date_entree="2024-03-01"),
        _presc("ok", "A1", "S1", "prescrite", "2024-02-01"),  # duplicated id
        _presc("unk", "A1", "S9", "prescrite", "2024-02-01"),  # unknown session
        _presc("early", "A1", "S1", "entrée", "2024-03-10", date_entree="2024-03-01"),
        _presc("stat", "A1", "S1", "perdue", "2024-02-01"),
        _presc("date", "A1", "S1", "prescrite", "2024-13-45"),
        _presc("mix", "A1", "S1", "réservée", "2024-02-01", date_reservation="2024-02-03",
               date_entree="2024-03-01"),
        _presc("book", "A1", "S1", "entrée", "2024-02-01", date_reservation="2024-03-05",
               date_entree="2024-03-01"),
        _presc("drop", "A1", "S1", "abandon", "2024-02-01", date_entree="2024-03-01",
               date_abandon="2024-02-20"),
        _presc("ag", "A9", "S1", "prescrite", "2024-02-01"),
        _presc("alias", "A2", "S2", "Certification obtenue", "2024-02-01",
               date_entree="2024-04-01", date_fin_formation="2024-09-30",
               date_certification="2024-10-01"),
    ]  # fmt: skip
    p = tr.read_prescriptions(
        _write(tmp_path, "p.csv", rows), sessions=tiny["sessions"], agences=tiny["agences"]
    )
    assert p["prescription_id"].tolist() == ["ok", "alias"]
    assert p["statut"].tolist() == ["entre", "certifie"]
    assert p.attrs["problemes"].lines() == [
        "p.csv, ligne 3, colonne « prescription_id » : prescription 'ok' déjà présent ligne "
        "2 (identifiant en double) : retirez le doublon ou donnez-lui un autre identifiant. "
        "(ligne écartée)",
        "p.csv, ligne 4, colonne « session_id » : session 'S9' inconnue de sessions.csv : "
        "ajoutez-la à sessions.csv ou corrigez le code. (ligne écartée)",
        "p.csv, ligne 11, colonne « agence » : agence 'A9' inconnue de agences.csv : "
        "ajoutez-la à agences.csv ou corrigez le code. (ligne écartée)",
        "p.csv, ligne 6, colonne « statut » : statut 'perdue' inconnu (attendu : prescrite, "
        "liste d'attente, réservée, désistement, entrée, abandon, terminée, certifiée) : "
        "corrigez-le. "
        "(ligne écartée)",
        "p.csv, ligne 7, colonne « date_prescription » : date illisible '2024-13-45' : "
        "écrivez-la AAAA-MM-JJ ou JJ/MM/AAAA. (ligne écartée)",
        "p.csv, ligne 5, colonne « date_entree » : date_entree 2024-03-01 antérieure à "
        "date_prescription 2024-03-10 (entrée avant la prescription). (ligne écartée)",
        "p.csv, ligne 9, colonne « date_entree » : date_entree 2024-03-01 antérieure à "
        "date_reservation 2024-03-05 (entrée avant la réservation). (ligne écartée)",
        "p.csv, ligne 10, colonne « date_abandon » : date_abandon 2024-02-20 antérieure à "
        "date_entree 2024-03-01. (ligne écartée)",
        "p.csv, ligne 8, colonne « date_entree » : statut « réservée » incompatible avec "
        "date_entree renseignée (2024-03-01) : corrigez le statut ou la date. (ligne écartée)",
    ]
    reader.PRESCRIPTION_SCHEMA.validate(p)


def test_unknown_status_with_later_dates_is_reported_once(tmp_path, tiny):
    rows = [
        _presc("odd", "A1", "S1", "perdue", "2024-02-01", date_entree="2024-03-01"),
        _presc("ok", "A1", "S1", "entrée", "2024-02-01", date_entree="2024-03-01"),
    ]
    p = tr.read_prescriptions(_write(tmp_path, "p.csv", rows), sessions=tiny["sessions"])
    assert p["prescription_id"].tolist() == ["ok"]
    assert p.attrs["problemes"].lines() == [
        "p.csv, ligne 2, colonne « statut » : statut 'perdue' inconnu (attendu : prescrite, "
        "liste d'attente, réservée, désistement, entrée, abandon, terminée, certifiée) : "
        "corrigez-le. "
        "(ligne écartée)",
    ]


def test_prescriptions_read_from_latin1_commas_and_xlsx(tmp_path, tiny):
    rows = _prescriptions()
    latin = tr.read_prescriptions(
        _write(tmp_path, "p.csv", rows, sep=",", encoding="cp1252"), sessions=tiny["sessions"]
    )
    xlsx = tmp_path / "p.xlsx"
    pd.DataFrame(rows).to_excel(xlsx, index=False)
    book = tr.read_prescriptions(xlsx, sessions=tiny["sessions"])
    pd.testing.assert_frame_equal(latin, tiny["prescriptions"])
    pd.testing.assert_frame_equal(book, tiny["prescriptions"])
    assert latin.loc[latin["prescription_id"] == "p5", "motif"].item() == "problème de mobilité"


def test_bad_poe_reported(tmp_path):
    row = {"mois": "2024-02", "type_poe": "POE-I", "opca": "OPCO X", "secteur": "BTP",
           "metier": "F1703", "departement": "9A", "entrees": "3"}  # fmt: skip
    rows = [
        row,
        {**row, "entrees": "5"},  # same cell twice
        {**row, "mois": "février", "opca": "Y"},
        {**row, "type_poe": "mixte", "opca": "Z"},
        {**row, "entrees": "-1", "opca": "W"},
        {**row, "type_poe": "POEC", "metier": "12345"},
    ]
    poe = tr.read_poe_entries(_write(tmp_path, "poe.csv", rows))
    assert poe[["type_poe", "metier", "entrees"]].values.tolist() == [
        ["individuelle", "F1703", 3],
        ["collective", pd.NA, 3],
    ]
    assert poe.attrs["problemes"].lines() == [
        "poe.csv, ligne 4, colonne « mois » : 'février' illisible (attendu AAAA-MM) : corrigez "
        "le mois. (ligne écartée)",
        "poe.csv, ligne 5, colonne « type_poe » : type de POE 'mixte' inconnu (attendu : "
        "individuelle, collective) : corrigez-le. (ligne écartée)",
        "poe.csv, ligne 6, colonne « entrees » : effectif négatif '-1' (attendu : entier "
        "positif ou nul) : corrigez-le. (ligne écartée)",
        "poe.csv, ligne 7, colonne « metier » : code '12345' dans aucune nomenclature "
        "(attendu : ROME A1234, FAP2009 A0Z40 ou FAP2021 A0X40) ; métier ignoré. (ligne "
        "corrigée)",
        "poe.csv, ligne 3, colonne « mois » : entrées du mois 2024-02 déjà données pour le "
        "même type, OPCA, secteur, métier et département (double compte) : gardez une seule "
        "ligne ou additionnez-les. (ligne écartée)",
    ]
    reader.POE_SCHEMA.validate(poe)


def test_fap_rome_reader_keeps_the_official_quirks(tmp_path):
    text = (
        "Fap;Rome;intitule_rome\nA0Z00;NA;NA\nA1Z41;F1101;Architecture du BTP*\n"
        "B7Z90;F1101;Architecture du BTP\nE0Z24;H3303;Préparation (broyage, mélange, …)\n"
        "E0Z24;H3303;Préparation (broyage, mélange, …)\nXX;A1234;x\nB7Z90;Z999;y\n;;\n"
    )
    path = tmp_path / "fap225_rome.csv"
    path.write_bytes(text.encode("cp1252"))
    c = tr.read_fap_rome(path)
    assert c[["fap", "rome", "renvoi"]].values.tolist() == [
        ["A1Z41", "F1101", "*"],
        ["B7Z90", "F1101", pd.NA],
        ["E0Z24", "H3303", pd.NA],
    ]
    assert c["rome_nom"].tolist()[0] == "Architecture du BTP"
    assert c["rome_nom"].tolist()[2].endswith("mélange, …)")
    assert c.attrs["fap_sans_rome"] == ["A0Z00"]
    assert c.attrs["problemes"].lines() == [
        "fap225_rome.csv, ligne 7, colonne « fap » : code FAP 'XX' invalide (attendu A0Z40) : "
        "corrigez-le. (ligne écartée)",
        "fap225_rome.csv, ligne 8, colonne « rome » : code ROME 'Z999' invalide (attendu "
        "A1234) : corrigez-le. (ligne écartée)",
        "fap225_rome.csv, ligne 6, colonne « rome » : couple FAP E0Z24 – ROME H3303 donné "
        "deux fois : retirez le doublon. (ligne écartée)",
    ]
    reader.FAP_ROME_SCHEMA.validate(c)


def test_agences_from_the_cotraitance_structures():
    a = tr.read_training_agences(settings.demo_dir() / "cotraitance" / "structures.csv")
    assert a["agence"].str.fullmatch(r"A99\d\d").all() and len(a) == 10
    reader.AGENCE_SCHEMA.validate(a)


def test_missing_column_and_missing_file(tmp_path):
    with pytest.raises(SchemaError, match=r"colonne\(s\) absente\(s\) pour les sessions"):
        tr.read_training_sessions(_write(tmp_path, "s.csv", [{"session_id": "S1"}]))
    (tmp_path / "vide").mkdir()
    _write(tmp_path / "vide", "sessions.csv", _sessions())
    with pytest.raises(InputFileError, match=r"absent\(s\) : prescriptions\.csv"):
        tr.read_training_folder(tmp_path / "vide")


def test_demo_files_follow_the_schemas(demo):
    assert collect_problems(demo) == []
    for key, schema in {
        "sessions": reader.SESSION_SCHEMA,
        "prescriptions": reader.PRESCRIPTION_SCHEMA,
        "poe": reader.POE_SCHEMA,
        "agences": reader.AGENCE_SCHEMA,
        "correspondence": reader.FAP_ROME_SCHEMA,
    }.items():
        assert demo[key].attrs["problemes"] == [], key
        schema.validate(demo[key])


# ---------------------------------------------------------------- funnel and indicators


def test_funnel_exact_values(tiny):
    f = tr.training_funnel(**tiny, by="agence", threshold=NO_SUPPRESSION)
    counts = f[["agence", *tr.FUNNEL_COUNTS]].values.tolist()
    assert counts == [
        ["A1", 9, 1, 7, 1, 1, 5, 1, 3, 2],
        ["A2", 3, 0, 2, 0, 1, 2, 0, 1, 1],
        ["Ensemble", 12, 1, 9, 1, 2, 7, 1, 4, 3],
    ]
    assert f["agence_nom"].tolist() == ["Agence Un", "Agence Deux", pd.NA]
    total = f.iloc[-1]
    assert total["taux_desistement"] == pytest.approx(2 / 12)
    assert total["taux_abandon"] == pytest.approx(1 / 7)
    assert total["taux_reussite"] == pytest.approx(3 / 5)
    other = tr.training_funnel(
        **tiny, by=None, success_rule="fin_de_formation", threshold=NO_SUPPRESSION
    )
    assert other["taux_reussite"].iloc[0] == pytest.approx(4 / 5)
    assert other.attrs["hors_region_inconnu"] == 0


def test_funnel_per_centre_territory_and_year(tiny):
    f = tr.training_funnel(**tiny, by="centre", threshold=NO_SUPPRESSION)
    assert f[["centre", "prescriptions", "entrees"]].values.tolist() == [
        ["C1", 9, 5], ["C2", 2, 1], ["C3", 1, 1], ["Ensemble", 12, 7],
    ]  # fmt: skip
    by_dep = tr.training_funnel(
        **tiny, by=["agence_departement"], total=False, threshold=NO_SUPPRESSION
    )
    assert by_dep[["agence_departement", "prescriptions"]].values.tolist() == [["9A", 9], ["9B", 3]]
    assert tr.training_funnel(**tiny, by=None, year=2023, threshold=NO_SUPPRESSION)[
        "prescriptions"
    ].tolist() == [0]
    afpa = tr.training_funnel(**tiny, by=None, afpa_only=True, threshold=NO_SUPPRESSION)
    assert afpa["prescriptions"].tolist() == [10]
    with pytest.raises(SchemaError, match="regroupement impossible par canton"):
        tr.training_funnel(**tiny, by="canton")


def test_funnel_disclosure_hides_small_counts_and_their_rates(tiny):
    f = tr.training_funnel(**tiny, by="agence", threshold=5)
    # A2's 3 prescriptions are hidden, and A1's 9 with them (the total 12 is shown)
    assert f["prescriptions"].tolist() == [pd.NA, pd.NA, 12]
    assert f["taux_desistement"].isna().tolist() == [True, True, True]  # 2 désistements
    assert small_counts(f, list(tr.FUNNEL_COUNTS), threshold=5).empty


def test_afpa_indicators_have_the_convention_names(tiny):
    t = tr.afpa_indicators(**tiny, threshold=NO_SUPPRESSION)
    assert list(dict.fromkeys(t["indicateur"])) == [v[1] for v in tr.AFPA_INDICATORS.values()]
    value = t.set_index(["indicateur", t["modalite"].fillna("")])["valeur"]
    assert value[("Nombre de prescriptions par offres", "S1 – Conducteur routier")] == 9
    assert value[("Nombre de prescriptions par offres", "S3 – Maçon")] == 1
    assert value[("Nombre de prescriptions hors région", "")] == 1
    assert value[("Répartition des prescriptions par secteur et par type d'offres",
                  "BTP × qualifiante")] == 1  # fmt: skip
    assert value[("Nombre de réservations effectives", "")] == 8
    assert value[("Nombre de candidats en « liste d'attente »", "")] == 1
    assert value[("Taux de refus avant entrée / de désistement", "")] == pytest.approx(0.1)
    assert value[("Répartition des motifs de désistement", "problème de mobilité")] == 1
    assert value[("Nombre d'entrées en formation", "")] == 6
    assert value[("Taux d'abandon", "")] == pytest.approx(1 / 6)
    assert value[("Répartition des motifs d'abandon", "santé")] == 1
    assert value[("Taux de réussite des parcours", "")] == pytest.approx(0.6)
    assert set(t["source"]) == {f"S003 L{n}" for n in range(224, 235)}
    per_agence = tr.afpa_indicators(**tiny, by="agence", threshold=NO_SUPPRESSION)
    assert set(per_agence["agence"]) == {"A1", "A2", "Ensemble"}


def test_fill_rate_by_funder_and_territory(tiny):
    r = tr.place_fill_rate(tiny["sessions"], tiny["prescriptions"], threshold=NO_SUPPRESSION)
    assert r[["financeur", "sessions", "places", "entrees"]].values.tolist() == [
        ["etat", 1, 5, 1], ["pole_emploi", 1, 4, 1], ["region", 1, 10, 5],
        ["Ensemble", 3, 19, 7],
    ]  # fmt: skip
    assert r["taux_remplissage"].tolist() == pytest.approx([0.2, 0.25, 0.5, 7 / 19])
    assert r["places_non_pourvues"].tolist() == [4, 3, 5, 12]
    both = tr.place_fill_rate(
        tiny["sessions"],
        tiny["prescriptions"],
        by=["financeur", "site_region"],
        threshold=NO_SUPPRESSION,
    )
    assert both[["financeur", "site_region"]].values.tolist()[0] == ["etat", "98"]
    hidden = tr.place_fill_rate(tiny["sessions"], tiny["prescriptions"], threshold=5)
    assert hidden["entrees"].tolist() == [pd.NA, pd.NA, 5, 7]
    assert hidden["taux_remplissage"].isna().tolist() == [True, True, False, False]
    assert hidden["places"].tolist() == [5, 4, 10, 19]  # places are not person-level


def test_waiting_time_median_and_p90(tiny):
    w = tr.entry_waiting_time(tiny["prescriptions"], by=None, threshold=NO_SUPPRESSION)
    assert w[["delai", "n", "mediane_jours", "p90_jours"]].values.tolist() == [
        ["prescription_entree", 7, 40.0, 64.0],
        ["reservation_entree", 5, 10.0, 13.0],
    ]
    per = tr.entry_waiting_time(tiny["prescriptions"], by="agence", threshold=5)
    assert per.loc[per["agence"] == "A2", "mediane_jours"].isna().all()


# ---------------------------------------------------------------- flows


def test_flows_matrix_out_of_region_and_territory(tiny):
    f = tr.training_flows(**tiny, territory=["9A001"], threshold=NO_SUPPRESSION)
    assert f[["agence", "centre", "prescriptions", "entrees", "prescriptions_hors_region"]].values.tolist() == [
        ["A1", "C1", 8, 4, 0], ["A1", "C3", 1, 1, 1], ["A2", "C1", 1, 1, 0], ["A2", "C2", 2, 1, 0],
    ]  # fmt: skip
    assert f["hors_region"].tolist() == [False, True, False, False]
    assert f["hors_territoire"].tolist() == [False, True, False, True]
    m = tr.training_flow_matrix(f)
    assert m.columns.tolist() == ["C1", "C2 (hors territoire)", "C3 (hors territoire, hors région)"]
    assert m.values.tolist() == [[8, 0, 1], [1, 2, 0]]
    hidden = tr.training_flow_matrix(tr.training_flows(**tiny, threshold=5))
    # every flow is small or would give one away; absent pairs stay 0
    assert hidden.astype(object).where(hidden.notna(), None).values.tolist() == [
        [None, 0, None],
        [None, None, 0],
    ]


def test_flow_map_is_offline_and_keeps_secrets(tiny):
    f = tr.training_flows(**tiny, threshold=5)
    m = tr.map_training_flows(f, tiny["sessions"], tiny["agences"])
    html = self_contained_html(m.get_root().render())
    assert "secret statistique" in html and "hors région" in html
    assert "8 prescriptions" not in html


# ---------------------------------------------------------------- training against needs


def _bmo():
    rows = [
        ("T2A60", "Aides à domicile", 200, 160),
        ("J3X43", "Conducteurs routiers", 100, 70),
        ("B1X30", "Maçons peu qualifiés", 50, 35),
        ("L2X61", "Agents administratifs", 30, 3),
        ("T4X60", "Agents d'entretien", 40, 10),
    ]
    return pd.DataFrame(
        {
            "annee": 2024,
            "metier": [r[0] for r in rows],
            "metier_nom": [r[1] for r in rows],
            "nomenclature": "FAP2021",
            "famille": "Z",
            "famille_nom": "Autres",
            "region": "99",
            "departement": "9A",
            "bassin": "9901",
            "projets": pd.array([r[2] for r in rows], dtype="Int64"),
            "projets_difficiles": pd.array([r[3] for r in rows], dtype="Int64"),
            "projets_saisonniers": pd.array([0] * len(rows), dtype="Int64"),
        }
    )


def test_training_against_needs_flags_and_matches(tmp_path):
    corr = tmp_path / "fap_rome.csv"
    corr.write_text(
        "Fap;Rome;intitule_rome\nA0Z00;NA;NA\nT2A60;K1302;Assistance auprès d'adultes\n"
        "J3Z43;N4101;Conduite longue distance\nB0Z20;F1702;Routes\nB1Z40;F1702;Routes\n"
        "M1Z80;M1805;Développement informatique\nL2Z61;M1602;Opérations administratives\n",
        encoding="utf-8",
    )
    rows = [
        _session(session_id="N1", metier="N4101", places="20"),
        _session(session_id="N2", metier="K1302", places="5"),
        _session(session_id="N3", metier="F1702", places="10"),
        _session(session_id="N4", metier="M1805", places="12"),
        _session(session_id="N5", metier="M1602", places="40"),
        _session(session_id="N6", metier="T4X60", places="8"),
        _session(session_id="N7", metier="H9999", places="6"),
        _session(session_id="N8", metier="", places="15"),
    ]
    sessions = tr.read_training_sessions(_write(tmp_path, "s.csv", rows))
    poe = tr.read_poe_entries(
        _write(
            tmp_path,
            "poe.csv",
            [{"mois": "2024-03", "type_poe": "individuelle", "metier": "K1302", "entrees": "2"}],
        )
    )
    n = tr.training_vs_needs(
        sessions, _bmo(), tr.read_fap_rome(corr), poe=poe, year=2024, threshold=NO_SUPPRESSION
    )
    assert n["metier"].tolist() == [
        "T2A60", "L2X61", "M1805", "J3X43", "B1X30", "T4X60", "H9999", pd.NA,
    ]  # fmt: skip
    assert n["alerte"].tolist() == [
        "métier en tension peu couvert par la formation",
        "formation avec peu de projets de recrutement",
        "formation avec peu de projets de recrutement",
        "", "", "", "", "",
    ]  # fmt: skip
    row = n.set_index(n["metier"].fillna("-"))
    assert row.loc["T2A60", ["places", "entrees_poe", "offre_formation"]].tolist() == [5, 2, 7]
    assert row.loc["T2A60", "offre_pour_100_projets"] == pytest.approx(3.5)
    assert bool(row.loc["T2A60", "metier_en_tension"])
    assert row.loc["B1X30", "cle_fap"] == "B1Z"
    assert row.loc["B1X30", "lien_bmo"] == "famille FAP-87 homologue (approximation)"
    assert row.loc["B1X30", "places"] == 10
    assert row.loc["J3X43", "lien_bmo"].startswith("code FAP2009 homologue du code FAP2021")
    assert row.loc["J3X43", "lien_formation"] == "ROME → FAP-225 (table de correspondance)"
    assert row.loc["T4X60", "lien_bmo"] == "code FAP identique"
    assert row.loc["M1805", "origine"] == "formation sans projet BMO"
    assert row.loc["M1805", "projets"] == 0
    assert row.loc["H9999", "lien_formation"] == (
        "code ROME absent de la table de correspondance FAP ↔ ROME"
    )
    assert pd.isna(row.loc["H9999", "projets"])
    assert row.loc["-", "origine"] == "formation sans code métier"
    assert row.loc["-", "places"] == 15
    # the two POE entries are hidden at the default threshold, and the offer with them
    hidden = tr.training_vs_needs(sessions, _bmo(), tr.read_fap_rome(corr), poe=poe, year=2024)
    t2 = hidden[hidden["metier"] == "T2A60"].iloc[0]
    assert pd.isna(t2["entrees_poe"]) and pd.isna(t2["offre_formation"])
    assert t2["alerte"] == "métier en tension peu couvert par la formation"
    stricter = tr.training_vs_needs(
        sessions, _bmo(), tr.read_fap_rome(corr), coverage_ratio=0.01, projects_per_place=0.5,
        threshold=NO_SUPPRESSION,
    )  # fmt: skip
    assert stricter.loc[stricter["alerte"] != "", "metier"].tolist() == ["M1805"]


def test_needs_without_correspondence_says_so(tmp_path):
    sessions = tr.read_training_sessions(_write(tmp_path, "s.csv", [_session(metier="K1302")]))
    n = tr.training_vs_needs(sessions, _bmo(), threshold=NO_SUPPRESSION)
    own = n[n["metier"] == "K1302"].iloc[0]
    assert own["lien_formation"] == "code ROME non rapproché : pas de table FAP ↔ ROME"
    assert own["alerte"] == ""


# ---------------------------------------------------------------- annex and POE


def _annex_values(table):
    """(indicator name, period) → value of a :func:`region_convention_indicators` table."""
    keys = zip(table["indicateur"], table["periode"].fillna(""), strict=True)
    return dict(zip(keys, table["valeur"], strict=True))


def test_region_annex_reproduced_with_periodicity(tiny):
    a = tr.region_convention_indicators(
        tiny["prescriptions"], tiny["sessions"], year=2024, threshold=NO_SUPPRESSION
    )
    assert list(dict.fromkeys(a["indicateur"])) == [
        v[2] for v in tr.REGION_ANNEX_INDICATORS.values()
    ]
    computed = a[a["statut"] == "calculé"].set_index(["source", "periode"])
    values = _annex_values(a)
    names = {k: v[2] for k, v in tr.REGION_ANNEX_INDICATORS.items()}
    assert values[(names["prescriptions"], "2024")] == 12
    # p1, p9 in the Région's S1 and p12 in S3, co-financed by the Région
    assert values[(names["certifications"], "2024")] == 3
    assert values[(names["acces_emploi"], "2024")] == 1  # p2
    assert values[(names["csp_region"], "2024-S1")] == 1  # S3, co-financed by the Région
    assert values[(names["csp_region"], "2024-S2")] == 0
    assert values[(names["csp_pole_emploi"], "2024-S1")] == 0
    assert values[(names["licencies_economiques_region"], "2024")] == 1  # p12
    assert len(computed) == 8
    rest = a[a["statut"] != "calculé"]
    assert set(rest["statut"]) == {tr.NOT_COMPUTABLE}
    assert len(rest) == 16 - 6
    assert a.loc[a["indicateur"] == names["csp_region"], "periodicite"].unique().tolist() == [
        "semestriel"
    ]
    hidden = tr.region_convention_indicators(
        tiny["prescriptions"], tiny["sessions"], year=2024, threshold=5
    )
    shown = _annex_values(hidden)
    assert pd.isna(shown[(names["certifications"], "2024")])
    assert shown[(names["csp_region"], "2024-S1")] == 1  # sessions, not people


def test_poe_report_june_and_december(tmp_path):
    rows = [
        {"mois": "2024-02", "type_poe": "individuelle", "opca": "O1", "entrees": "3"},
        {"mois": "2024-05", "type_poe": "collective", "opca": "O2", "entrees": "4"},
        {"mois": "2024-09", "type_poe": "individuelle", "opca": "O1", "entrees": "6"},
        {"mois": "2023-12", "type_poe": "individuelle", "opca": "O1", "entrees": "9"},
    ]
    poe = tr.read_poe_entries(_write(tmp_path, "poe.csv", rows))
    r = tr.poe_report(poe, year=2024, threshold=NO_SUPPRESSION)
    assert r[["bilan", "type_poe", "entrees"]].values.tolist() == [
        ["juin", "collective", 4], ["juin", "individuelle", 3], ["juin", "Ensemble", 7],
        ["décembre", "individuelle", 6], ["décembre", "Ensemble", 6],
    ]  # fmt: skip
    protected = tr.poe_report(poe, year=2024, threshold=5)
    assert protected["entrees"].tolist() == [pd.NA, pd.NA, 7, 6, 6]
    by_opca = tr.poe_report(poe, year=2024, by=["opca", "type_poe"], threshold=NO_SUPPRESSION)
    assert by_opca["opca"].tolist()[0] == "O1"


# ---------------------------------------------------------------- bundle


def test_section_of_a_departement(demo):
    communes = pd.read_csv(settings.demo_dir() / "insee_communes.csv", dtype=str)
    communes_9a = communes.loc[communes["code_dept"] == "9A", "code_insee"].tolist()
    s = tr.training_section(**demo, year=2024, territory=communes_9a)
    agences_9a = set(demo["agences"].loc[demo["agences"]["departement"] == "9A", "agence"])
    assert set(s["entonnoir_agences"]["agence"]) == agences_9a | {"Ensemble"}
    assert set(s["entonnoir_centres"]["centre"]) == {
        "AFPA Vegicourt",
        "OF Saint-Lounirac",
        "Ensemble",
    }
    away = s["flux"].loc[s["flux"]["hors_territoire"].astype(bool), "centre"]
    assert {"AFPA Merlevent", "AFPA Saint-Jévrocourt"} <= set(away)
    assert set(s["bilan_poe"]["type_poe"]) <= {"individuelle", "collective", "Ensemble"}
    facts = tr.training_summary(s)
    away_fact = next(f for f in facts if f.kind == "hors_territoire")
    assert set(away_fact["sites"]) == set(away)
    lines = tr.training_sentences(facts)
    sites = sorted(set(away))
    assert f"Formations hors du territoire : {len(sites)} site(s) ({', '.join(sites)})." in lines


def test_section_shows_no_small_count_of_people(demo):
    from diagnostics.bmo import read_bmo

    bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    s = tr.training_section(**demo, bmo=bmo, year=2024)
    people = {
        "entonnoir": list(tr.FUNNEL_COUNTS),
        "entonnoir_agences": list(tr.FUNNEL_COUNTS),
        "entonnoir_centres": list(tr.FUNNEL_COUNTS),
        "remplissage": ["entrees"],
        "remplissage_territoires": ["entrees"],
        "delais": ["n"],
        "flux": ["prescriptions", "entrees", "prescriptions_hors_region"],
        "bilan_poe": ["entrees"],
        "besoins": ["entrees", "entrees_poe"],
    }
    for name, columns in people.items():
        assert small_counts(s[name], columns).empty, name
    afpa = s["indicateurs_afpa"]
    assert small_counts(afpa[afpa["unite"] == "nombre"], ["valeur"]).empty
    assert small_counts(s["matrice_flux"], list(s["matrice_flux"].columns)).empty
    annex = s["annexe_region"]
    personal = annex[~annex["mode_de_calcul"].str.contains("pas personnes", na=False)]
    assert small_counts(personal, ["valeur"]).empty
    needs = s["besoins"]
    assert needs.loc[needs["alerte"] != "", "metier"].tolist() == ["T2A60", "M1805"]


def test_out_of_region_flag_of_the_file_wins(tmp_path, tiny):
    rows = _prescriptions()
    rows[0] |= {"hors_region": "oui"}  # p1 said out of région although S1 is in 99
    rows[11] |= {"hors_region": ""}  # p12 left empty: deduced (région 98)
    p = tr.read_prescriptions(_write(tmp_path, "p.csv", rows), sessions=tiny["sessions"])
    assert p["hors_region"].tolist()[:2] == [True, pd.NA]
    f = tr.training_funnel(p, tiny["sessions"], tiny["agences"], by=None, threshold=NO_SUPPRESSION)
    assert f["prescriptions_hors_region"].tolist() == [2]


def test_regions_filled_from_the_departements_else_said(tiny):
    sessions = tiny["sessions"].assign(region=pd.array([pd.NA] * 3, dtype="string"))
    inputs = {**tiny, "sessions": sessions}
    unknown = tr.training_section(**inputs, year=2024, threshold=NO_SUPPRESSION)
    assert unknown["entonnoir"].attrs["hors_region_inconnu"] > 0
    assert any(line.startswith("Prescriptions hors région comptées parmi celles dont la région")
               for line in tr.training_sentences(tr.training_summary(unknown)))  # fmt: skip
    cog = pd.DataFrame({"departement": ["9A", "9B"], "region": ["99", "99"]})
    filled = tr.training_section(**inputs, year=2024, departements=cog, threshold=NO_SUPPRESSION)
    flows = filled["flux"]
    # S3's site (centre C3) has no commune, hence no département: its région stays unknown
    assert flows["centre"].tolist() == ["C1", "C3", "C1", "C2"]
    assert flows["site_region"].tolist() == ["99", pd.NA, "99", "99"]
    assert flows["hors_region"].tolist() == [False, pd.NA, False, False]
    known = filled["entonnoir"].attrs["hors_region_inconnu"]
    assert 0 < known < unknown["entonnoir"].attrs["hors_region_inconnu"]


def test_territory_needs_the_agences_communes(tiny):
    with pytest.raises(SchemaError, match="commune de chaque agence"):
        tr.training_section(tiny["sessions"], tiny["prescriptions"], territory=["9A001"])


def test_funnel_figure_hatches_hidden_counts(tiny):
    ax = tr.plot_training_funnel(tr.training_funnel(**tiny, by=None, threshold=5))
    bars = ax.patches
    assert len(bars) == 8
    assert [bool(b.get_hatch()) for b in bars] == [
        False, False, True, True, False, True, True, True,
    ]  # fmt: skip


def test_functions_do_not_modify_their_inputs(tiny):
    before = {k: v.copy() for k, v in tiny.items()}
    tr.training_section(**tiny, year=2024, threshold=NO_SUPPRESSION)
    for key, table in tiny.items():
        pd.testing.assert_frame_equal(table, before[key])


def test_flat_api_exports_the_training_names():
    import diagnostics as dg

    assert dg.training_funnel is tr.training_funnel
    assert dg.read_prescriptions is tr.read_prescriptions


# ---------------------------------------------------------------- real files


@pytest.mark.real_data
def test_real_fap_rome_and_bmo(shared_data):
    from diagnostics.bmo import bmo_for_territory, read_bmo

    corr = tr.read_fap_rome(shared_data / "metiers" / "fap225_rome.csv")
    assert corr.attrs["problemes"] == []
    assert corr["fap"].nunique() == 208 and corr["rome"].nunique() == 531
    assert "A0Z00" in corr.attrs["fap_sans_rome"]
    assert corr.loc[corr["rome"] == "K1302", "fap"].tolist() == ["T2A60"]
    bmo = read_bmo(shared_data / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    region = bmo_for_territory(bmo, type("T", (), {"level": "region", "code": "52", "name": "PdL",
                                                  "communes": ()})())  # fmt: skip
    sessions = pd.DataFrame(
        {
            "session_id": ["R1", "R2"],
            "metier": pd.array(["K1302", "N4101"], dtype="string"),
            "nomenclature_metier": pd.array(["ROME", "ROME"], dtype="string"),
            "places": [12, 24],
        }
    )
    n = tr.training_vs_needs(sessions, region, corr, threshold=NO_SUPPRESSION)
    t2 = n[n["metier"] == "T2A60"].iloc[0]
    assert t2["places"] == 12 and t2["projets"] > 1000
    assert t2["alerte"] == "métier en tension peu couvert par la formation"
    linked = n[n["origine"] == "BMO"]
    # every BMO 2024 métier of the région is keyed on a FAP-225 code or its family
    assert linked["cle_fap"].notna().all()
    assert linked["lien_bmo"].str.contains("homologue").all()


def test_region_annex_counts_the_sessions_of_the_territory():
    from diagnostics import portrait

    inputs = tr.read_training_folder(settings.demo_dir() / "formation")

    def csp_sessions(code: str) -> list[int]:
        data = portrait.load_portrait(settings.demo_dir() / "portrait.toml", "departement", code)
        annex = tr.training_section(**inputs, year=2024, territory=data.territory)["annexe_region"]
        rows = annex["indicateur"].str.contains("formations cofinancées")
        return annex.loc[rows, "valeur"].astype(int).tolist()

    assert csp_sessions("9C") == [1, 1, 0, 1]  # both CSP sessions are sited in 9C
    assert csp_sessions("9A") == [0, 0, 0, 0]


def test_exports_tell_not_computable_and_not_applicable_from_secret(demo):
    from diagnostics.bmo import read_bmo
    from geo.display import to_display

    bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx", cache=False)
    s = tr.training_section(**demo, bmo=bmo, year=2024)
    annex = s["annexe_region"]
    shown = to_display(annex)["valeur"]
    not_computable = (annex["statut"] == tr.NOT_COMPUTABLE).to_numpy()
    assert not_computable.any() and set(shown[not_computable]) == {"non calculable"}
    assert "non calculable" not in set(shown[~not_computable])
    needs = s["besoins"]
    shown = to_display(needs[["metier", "origine", "projets", "part_difficiles"]].round(2))
    without = (needs["projets"].isna() & (needs["origine"] != "BMO")).to_numpy()
    assert without.any()
    assert set(shown.loc[without, "projets"]) == {"sans objet"}
    assert set(shown.loc[without, "part_difficiles"]) == {"sans objet"}
    # a BMO métier whose cells are all masked: secret, not « sans objet » nor 0
    secret = ((needs["origine"] == "BMO") & needs["projets"].isna()).to_numpy()
    assert set(shown.loc[secret, "projets"]) <= {"s"}


def test_training_sentences_say_hidden_figures_secret():
    from geo.display import Fact

    funnel = {
        "prescriptions": 1172,
        "prescriptions_hors_region": pd.NA,
        "reservations": 671,
        "entrees": 498,
        "taux_desistement": 0.254,
        "taux_abandon": pd.NA,
        "taux_reussite": 0.876,
    }
    facts = [
        Fact("annee", {"annee": 2024}),
        Fact("entonnoir", funnel),
        Fact("liste_attente", {"liste_attente": pd.NA}),
        Fact("delai_entree", {"mediane_jours": 12.5, "p90_jours": 40.0}),
    ]
    assert tr.training_sentences(facts) == [
        "Formation : prescriptions de 2024.",
        "1\u202f172 prescriptions (dont secret statistique hors région), 671 réservations "
        "effectives, 498 entrées en formation ; taux de désistement 25\u202f%, taux d'abandon "
        "secret statistique, taux de réussite des parcours 88\u202f%.",
        "Candidats en liste d'attente : secret statistique.",
        "Délai de la prescription à l'entrée : médiane 12 jours, 9 entrées sur 10 en 40 jours "
        "au plus.",
    ]
