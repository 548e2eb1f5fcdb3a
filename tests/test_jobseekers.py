"""Tests of the job-seeker reader and concept module (tiny fixtures, then the real file)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.axes import Axes

from diagnostics import jobseekers as js_mod
from diagnostics._readers.jobseekers import read_jobseekers
from geo._errors import SchemaError, UnknownTerritoryError
from geo.display import format_int
from geo.territories import Territory

HEADER = "codgeo,YEAR,Demandeurs_Emploi\n"


def write(tmp_path: Path, body: str, name: str = "emploi_demandeur.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.fixture
def series(tmp_path: Path) -> pd.DataFrame:
    """Département 9A (100 then 120), its commune 9A001 (60 then 66), région 99."""
    rows = [
        "9A,decembre_2023,100",
        "9A,decembre_2024,120",
        "9A001,decembre_2023,60",
        "9A001,decembre_2024,66",
        "reg99,decembre_2023,100",
        "reg99,decembre_2024,120",
    ]
    return read_jobseekers(write(tmp_path, "\n".join(rows) + "\n"), cache=False)


@pytest.fixture
def communes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "commune": ["9A001", "9A002", "9A003", "9A004"],
            "commune_nom": ["Un", "Deux", "Trois", "Quatre"],
            "departement": "9A",
            "region": "99",
            "bassin": ["9901", "9901", "9902", "9902"],
            "bassin_nom": ["Nord", "Nord", "Sud", "Sud"],
            "population": [6000, 3000, 500, 500],
        }
    )


# --------------------------------------------------------------------------- reader


def test_reader_tidy_levels_months_and_paris(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "01053,janvier_2020,4840\n2A,aout_2020,1230\n971,fevrier_2021,50000\n"
        "reg52,decembre_2024,358310\n75,janvier_2020,200000\n75056,janvier_2020,200000\n"
        "01,Février 2020,10\n",
    )
    df = read_jobseekers(path, cache=False)
    assert df.columns.tolist() == ["niveau", "code", "mois", "demandeurs", "ligne"]
    got = {(r.niveau, r.code, r.mois.strftime("%Y-%m"), r.demandeurs) for r in df.itertuples()}
    assert got == {
        ("commune", "01053", "2020-01", 4840),
        ("departement", "2A", "2020-08", 1230),
        ("departement", "971", "2021-02", 50000),
        ("region", "52", "2024-12", 358310),
        ("departement", "75", "2020-01", 200000),
        ("commune", "75056", "2020-01", 200000),
        ("departement", "01", "2020-02", 10),
    }
    assert len(df.attrs["problemes"]) == 0
    assert "A, B et C" in df.attrs["rapport"]["mesure"]


def test_reader_sets_bad_rows_aside(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "44,janvier_2020,100\n"
        "44,brumaire_2020,100\n"  # line 3: unknown month
        "ABCDEFG,janvier_2020,5\n"  # line 4: no level
        "49,janvier_2020,-10\n"  # line 5: negative
        "53,janvier_2020,beaucoup\n"  # line 6: text
        "72,janvier_2020,10\n72,janvier_2020,20\n"  # lines 7-8: conflicting duplicate
        "85,janvier_2020,30\n85,janvier_2020,30\n"  # lines 9-10: same duplicate
        + "".join(f"44,{m}_2021,100\n" for m in ("mars", "avril", "mai", "juin", "juillet")),
    )
    df = read_jobseekers(path, cache=False)
    assert sorted(set(df["code"])) == ["44", "85"] and len(df) == 7
    problems = df.attrs["problemes"]
    by_line = {p.line: p for p in problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 10]
    assert by_line[3].column == "YEAR" and by_line[3].value == "brumaire_2020"
    assert "janvier_2020" in by_line[3].message
    assert by_line[4].column == "codgeo" and "reg52" in by_line[4].message
    assert "négatif" in by_line[5].message and by_line[5].value == "-10"
    assert by_line[6].value == "beaucoup"
    assert by_line[7].action == "écartée" and by_line[8].action == "écartée"
    assert by_line[10].action == "corrigée"
    with pytest.raises(SchemaError, match="mode strict"):
        read_jobseekers(path, strict=True)


def test_reader_refuses_a_file_of_another_kind(tmp_path: Path) -> None:
    path = tmp_path / "autre.csv"
    path.write_text("code,valeur\n1,2\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="YEAR|year"):
        read_jobseekers(path, cache=False)


# --------------------------------------------------------------------------- estimates


def test_commune_estimates_share_the_remainder_by_population(series, communes) -> None:
    est = js_mod.jobseekers_by_commune(series, communes)
    dec23 = est.values[pd.Timestamp("2023-12-01")]
    # remainder 100 - 60 = 40 over 3000, 500, 500 inhabitants
    assert dec23.to_dict() == {"9A001": 60.0, "9A002": 30.0, "9A003": 5.0, "9A004": 5.0}
    assert est.estimated.loc["9A001"].tolist() == [False, False]
    assert est.estimated.loc["9A002"].tolist() == [True, True]
    # every month the communes add up to the département
    assert est.values.sum().tolist() == pytest.approx([100.0, 120.0])


def test_territories_add_up_and_say_they_are_estimates(series, communes) -> None:
    out = js_mod.jobseekers_by_territory(series, communes, "bassin")
    last = out[out["mois"] == pd.Timestamp("2024-12-01")].set_index("code")
    # 2024: remainder 120 - 66 = 54 -> 9A002 40.5, 9A003 6.75, 9A004 6.75
    assert last.loc["9901", "demandeurs"] == pytest.approx(106.5)
    assert last.loc["9902", "demandeurs"] == pytest.approx(13.5)
    assert last["demandeurs"].sum() == pytest.approx(120.0)
    assert last["estimation"].all() and last.loc["9901", "nom"] == "Nord"
    assert "prorata de leur population" in last.loc["9901", "regle"]
    deps = js_mod.jobseekers_by_territory(series, communes, "departement")
    assert deps["estimation"].tolist() == [False, False]
    assert deps["regle"].tolist() == ["chiffre publié"] * 2


def test_reconciliation_names_the_communes_across_the_border(tmp_path: Path) -> None:
    # région 99 = 9A (100) + 9B (50), published 160 (rounding gap 10); région 98 = 9C (40)
    path = write(
        tmp_path,
        "9A,janvier_2024,100\n9B,janvier_2024,50\n9C,janvier_2024,40\n"
        "reg99,janvier_2024,160\nreg98,janvier_2024,40\n",
    )
    series = read_jobseekers(path, cache=False)
    communes = pd.DataFrame(
        {
            "commune": ["9A001", "9A002", "9B001", "9C001", "9C002"],
            "commune_nom": ["A1", "A2", "B1", "C1", "C2"],
            "departement": ["9A", "9A", "9B", "9C", "9C"],
            "region": ["99", "99", "99", "98", "98"],
            # 9A002 lies in the bassin of région 98, 9C001 in a bassin of région 99
            "bassin": ["9901", "9801", "9901", "9901", "9801"],
            "bassin_nom": ["Ouest", "Est", "Ouest", "Ouest", "Est"],
            "population": [1000, 1000, 500, 100, 1000],
        }
    )
    assert js_mod.territories_of_region(communes, "bassin", "99") == ["9901"]
    gap = js_mod.jobseekers_reconciliation(series, communes, "bassin", "99")
    named = gap.dropna(subset=["commune"]).set_index("commune")
    assert named["effet"].to_dict() == pytest.approx({"9A002": -50.0, "9C001": 40 / 11})
    assert named.loc["9A002", "territoire_nom"] == "Est"
    bassin = js_mod.jobseekers_by_territory(series, communes, "bassin").set_index("code")
    # 9901 = 9A001 (50) + 9B001 (50) + 9C001 (9C's 40 shared by population: 40 * 100 / 1100)
    total = bassin.loc["9901", "demandeurs"]
    assert 160 + gap["effet"].sum() == pytest.approx(total)
    assert gap.loc[gap["commune"].isna(), "demandeurs"].tolist() == [10.0]


def test_for_territory_exact_or_estimated(series, communes) -> None:
    exact = js_mod.jobseekers_for_territory(series, Territory("commune", "9A001", "Un", ("9A001",)))
    assert exact["demandeurs"].tolist() == [60.0, 66.0]
    assert exact.attrs["territoire"]["estimation"] is False
    project = js_mod.jobseekers_for_territory(
        series, ["9A001", "9A003", "ZZ999"], communes=communes
    )
    assert project["demandeurs"].tolist() == pytest.approx([65.0, 72.75])
    info = project.attrs["territoire"]
    assert info["estimation"] is True and info["communes_absentes"] == ["ZZ999"]
    assert "Chiffre estimé" in info["phrase"] and "ZZ999" in info["phrase"]
    with pytest.raises(SchemaError, match="table des communes"):
        js_mod.jobseekers_for_territory(series, ["9A003"])
    with pytest.raises(UnknownTerritoryError):
        js_mod.jobseekers_for_territory(series, ["ZZ999"], communes=communes)


def test_indicators(series, communes) -> None:
    out = js_mod.jobseekers_for_territory(series, ["9A001"], communes=communes)
    info = js_mod.jobseekers_indicators(out, population=6000)
    assert info["demandeurs"] == 66.0
    assert info["evolution_12_mois"] == pytest.approx(6.0)
    assert info["evolution_12_mois_pct"] == pytest.approx(0.1)
    assert info["pour_1000_habitants"] == pytest.approx(11.0)
    assert info["evolution_depuis_janvier_2020"] is None
    with pytest.raises(SchemaError, match="--mois"):
        js_mod.jobseekers_indicators(out, month="2019-05")


def test_projects_per_100_jobseekers() -> None:
    bmo = pd.DataFrame(
        {
            "annee": 2024,
            "metier": ["A0X40", "A0X41"],
            "bassin": "9901",
            "departement": "9A",
            "region": "99",
            "projets": pd.array([30, 20], dtype="Int64"),
            "projets_difficiles": pd.array([10, 5], dtype="Int64"),
            "projets_saisonniers": pd.array([0, 0], dtype="Int64"),
            "projets_secret": False,
            "difficiles_secret": False,
            "saisonniers_secret": False,
        }
    )
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    series = pd.DataFrame({"mois": months, "demandeurs": [200.0] * 6 + [300.0] * 6})
    assert js_mod.projects_per_100_jobseekers(bmo, series) == pytest.approx(20.0)
    assert js_mod.projects_per_100_jobseekers(bmo, series.iloc[:11]) is None


def test_plot_marks_estimate_and_break() -> None:
    months = pd.date_range("2024-10-01", periods=6, freq="MS")
    series = pd.DataFrame({"mois": months, "demandeurs": 100.0, "estimation": True})
    ax = js_mod.plot_jobseekers(series)
    assert isinstance(ax, Axes)
    assert "janvier 2025" in ax.get_xlabel()
    assert "estimation" in ax.get_legend().get_texts()[0].get_text()
    before = series.assign(mois=pd.date_range("2024-01-01", periods=6, freq="MS"))
    assert "rupture" not in js_mod.plot_jobseekers(before).get_xlabel()


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from geo import referentials, territories

    series = read_jobseekers(shared_data / "demandeurs" / "emploi_demandeur.csv")
    pop = referentials.read_communes_population(
        shared_data / "referentiels" / "communes_population.json"
    )
    bassins = referentials.read_commune_bassin(
        shared_data / "referentiels" / "commune_bassin_bmo.csv"
    )
    return series, territories.commune_table(pop, bassin=bassins, population=pop)


def _published(series: pd.DataFrame, level: str, code: str) -> pd.Series:
    rows = series[(series["niveau"] == level) & (series["code"] == code)]
    return rows.set_index("mois")["demandeurs"].astype("float64")


@pytest.mark.real_data
def test_real_region_nantes_and_departements_add_up(real) -> None:
    series, table = real
    assert _published(series, "region", "52")[pd.Timestamp("2020-01-01")] == 358310
    assert _published(series, "commune", "44109")[pd.Timestamp("2020-01-01")] == 37840
    assert _published(series, "departement", "75").equals(_published(series, "commune", "75056"))
    est = js_mod.jobseekers_by_commune(series, table)
    dep_of = table.set_index("commune").reindex(est.values.index)["departement"].to_numpy()
    for dep in ("44", "49", "53", "72", "85"):
        communes_sum = est.values[dep_of == dep].sum()
        assert len(communes_sum) == 60
        assert communes_sum.to_numpy() == pytest.approx(
            _published(series, "departement", dep).to_numpy(), abs=1e-6
        )


@pytest.mark.real_data
def test_real_bassins_of_region_52_reconcile_with_the_region(real) -> None:
    series, table = real
    est = js_mod.jobseekers_by_commune(series, table)
    ours = js_mod.territories_of_region(table, "bassin", "52")
    assert len(ours) == 26
    bassins = js_mod.jobseekers_by_territory(series, table, "bassin", by_commune=est)
    total = bassins[bassins["code"].isin(ours)].groupby("mois")["demandeurs"].sum()
    gap = js_mod.jobseekers_reconciliation(series, table, "bassin", "52", by_commune=est)
    region = _published(series, "region", "52")
    assert (region + gap.groupby("mois")["effet"].sum()).to_numpy() == pytest.approx(
        total.to_numpy(), abs=1e-6
    )
    # the three Loire-Atlantique communes of the Redon bassin (Bretagne) are named; the
    # Deux-Sèvres code 79224 of the bassin table is a commune associée of Cholet (49099)
    # in the 2025 COG, so it is counted inside Cholet and needs no line
    named = gap.dropna(subset=["commune"])
    assert sorted(named["commune"].unique()) == ["44007", "44057", "44185"]
    assert set(named["territoire"]) == {"5313"}
    # the rest is the publisher's rounding: région minus its départements, at most 20
    rounding = gap[gap["commune"].isna()]
    assert rounding["demandeurs"].abs().max() <= 20


# --------------------------------------------------------------------------- command line


def test_cli_resume_json_and_refusals(tmp_path: Path, series, communes, capsys) -> None:
    import json

    from diagnostics.cli import main

    path = write(
        tmp_path,
        "9A,decembre_2023,100\n9A,decembre_2024,120\n9A001,decembre_2023,60\n"
        "9A001,decembre_2024,66\n",
    )
    assert (
        main(["demandeurs", "resume", "--fichier", str(path), "--niveau", "departement", "--json"])
        == 0
    )
    (line,) = capsys.readouterr().out.splitlines()
    row = json.loads(line)
    assert (row["code"], row["mois"], row["demandeurs"]) == ("9A", "2024-12", 120.0)
    assert row["estimation"] is False and row["evolution_12_mois"] == 20.0
    assert main(["demandeurs", "resume", "--fichier", str(path), "--niveau", "bassin"]) == 2
    assert "--correspondance" in capsys.readouterr().err
    assert (
        main(
            [
                "demandeurs",
                "resume",
                "--fichier",
                str(path),
                "--niveau",
                "commune",
                "--mois",
                "2019-01",
            ]
        )
        == 2
    )
    assert "--mois" in capsys.readouterr().err


# --------------------------------------------------------------------------- portrait


def test_portrait_section_absent_without_input(demo_dir: Path) -> None:
    from diagnostics.portrait import load_portrait
    from diagnostics.portrait.sections import section_jobseekers

    data = load_portrait(
        demo_dir / "portrait.toml", "bassin", "9901", files={"demandeurs.fichier": None}
    )
    section = section_jobseekers(data)
    # left out of the page; the closing box names the file in plain words
    assert section.status.startswith("absente")
    assert section.missing_inputs == ("demandeurs.fichier",)
    assert "série mensuelle des demandeurs d'emploi" in section.status
    assert data.sections["demandeurs"] == section.status


def test_portrait_section_exact_for_a_departement(demo_dir: Path) -> None:
    from diagnostics.portrait import load_portrait
    from diagnostics.portrait.sections import section_jobseekers

    data = load_portrait(demo_dir / "portrait.toml", "departement", "9A")
    section = section_jobseekers(data)
    assert section.status == "produite" and section.facts["estimation"] is False
    assert "Chiffre estimé" not in repr(section) and "demandeurs" in section.figures


@pytest.mark.real_data
def test_real_nantes_bassin_portrait_has_a_jobseekers_section(shared_data: Path) -> None:
    from diagnostics.portrait import load_portrait
    from diagnostics.portrait.sections import section_jobseekers

    config = Path(__file__).parent / "data" / "portrait_pays_de_la_loire.toml"
    data = load_portrait(config, "bassin", "5220")
    section = section_jobseekers(data)
    assert section.status == "produite"
    assert section.facts["estimation"] is True and section.facts["mois"] == "2024-12"
    assert "prorata de leur population" in repr(section)


@pytest.mark.real_data
def test_real_cli_bassins_of_region_52_name_the_redon_communes(shared_data: Path, capsys) -> None:
    import json

    from diagnostics.cli import main

    ref = shared_data / "referentiels"
    args = [
        "demandeurs",
        "resume",
        "--fichier",
        str(shared_data / "demandeurs" / "emploi_demandeur.csv"),
        "--niveau",
        "bassin",
        "--region",
        "52",
        "--mois",
        "2020-01",
        "--population",
        str(ref / "communes_population.json"),
        "--correspondance",
        str(ref / "commune_bassin_bmo.csv"),
    ]
    assert main([*args, "--json"]) == 1  # rows of the file set aside (duplicates)
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 26 and all(r["estimation"] for r in rows)
    assert main(args) == 1
    out = capsys.readouterr().out
    assert f"région 52 publiée : {format_int(358310)}" in out
    for name in ("Avessac", "Fégréac", "Saint-Nicolas-de-Redon"):
        assert name in out


def test_a_missing_commune_makes_the_territory_missing_not_partial(tmp_path: Path) -> None:
    # 9B has no département figure: its unpublished communes cannot be estimated
    path = write(tmp_path, "9A,janvier_2024,100\n")
    series = read_jobseekers(path, cache=False)
    communes = pd.DataFrame(
        {
            "commune": ["9A001", "9B001"],
            "departement": ["9A", "9B"],
            "bassin": ["9901", "9901"],
            "population": [100, 100],
        }
    )
    out = js_mod.jobseekers_by_territory(series, communes, "bassin")
    assert out["demandeurs"].isna().all()
    project = js_mod.jobseekers_for_territory(series, ["9A001", "9B001"], communes=communes)
    assert project["demandeurs"].isna().all()


def test_cli_resume_code_by_name(demo_dir: Path, capsys) -> None:
    from diagnostics.cli import main

    args = [
        "demandeurs",
        "resume",
        "--fichier",
        str(demo_dir / "demandeurs" / "emploi_demandeur.csv"),
        "--niveau",
        "bassin",
        "--population",
        str(demo_dir / "communes_population.json"),
        "--correspondance",
        str(demo_dir / "commune_bassin_bmo.csv"),
    ]
    assert main([*args, "--code", "le-babounon"]) == 0
    out = capsys.readouterr().out
    assert "Territoire compris : « le-babounon » → bassin d'emploi BMO 9906 – Le Babounon." in out
    assert main([*args, "--code", "babounon", "--json"]) == 0
    assert [json.loads(line)["code"] for line in capsys.readouterr().out.splitlines()] == ["9906"]
    assert main([*args, "--code", "Saint"]) == 2
    assert "9902 Saint-Lounirac, 9908 Saint-Jevrocourt. Précisez le code" in capsys.readouterr().err
