from __future__ import annotations

import json

import pytest

from diagnostics.cli import main


def test_demo_writes_bassins_map_and_report(demo_output):
    tmp_path = demo_output.folder  # `territoire demo`, run once for the session (conftest)
    assert demo_output.code == 0
    out = demo_output.out
    assert "entièrement fictif" in out
    for name in [
        "bassins.geojson",
        "bassins.csv",
        "carte_bassins.html",
        "rapport_correspondance.csv",
        "rapport_correspondance.json",
    ]:
        assert (tmp_path / name).stat().st_size > 0, name
    bassins = json.loads((tmp_path / "bassins.geojson").read_text(encoding="utf-8"))
    report = json.loads((tmp_path / "rapport_correspondance.json").read_text(encoding="utf-8"))
    assert len(bassins["features"]) == report["territoires"] >= 8
    assert report["communes_sans_territoire"] == []
    html = (tmp_path / "carte_bassins.html").read_text(encoding="utf-8")
    assert "cdn." not in html and "fictif" in html
    manifest = json.loads((tmp_path / "portraits" / "manifeste.json").read_text(encoding="utf-8"))
    rows = manifest["territoires"]
    assert len(rows) == len(bassins["features"])
    assert {row["statut"] for row in rows} == {"produit"}
    assert (tmp_path / "portraits" / "index.html").is_file()


def test_construire_json_summary(demo_dir, tmp_path, capsys):
    code = main(
        [
            "territoires",
            "construire",
            "--communes",
            *map(str, sorted(demo_dir.glob("communes-*.geojson"))),
            "--correspondance",
            str(demo_dir / "commune_zone_emploi.csv"),
            "--niveau",
            "zone_emploi",
            "--sortie",
            str(tmp_path / "ze.geojson"),
            "--tolerance",
            "100",
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["territoires"] >= 5
    assert summary["communes_sans_territoire"] == [] and summary["territoires_sans_commune"] == []
    assert summary["octets"] == (tmp_path / "ze.geojson").stat().st_size
    assert summary["tolerance_m"] == 100


def test_bad_input_gives_french_message_and_non_zero_exit(demo_dir, tmp_path, capsys):
    bad = tmp_path / "corr.csv"
    bad.write_text("commune;autre\n9A001;x\n", encoding="latin-1")
    code = main(
        [
            "territoires",
            "construire",
            "--communes",
            str(next(demo_dir.glob("communes-*.geojson"))),
            "--correspondance",
            str(bad),
            "--niveau",
            "bassin",
            "--sortie",
            str(tmp_path / "x.geojson"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "Erreur : corr.csv : colonne(s) absente(s)" in err and "Traceback" not in err
    assert not (tmp_path / "x.geojson").exists()


def test_usage_errors_are_in_french(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["territoires", "construire", "--niveau", "canton"])
    assert exc.value.code == 2
    assert "erreur" in capsys.readouterr().err


@pytest.mark.real_data
def test_construire_pays_de_la_loire_from_the_command_line(shared_data, tmp_path, capsys):
    geo_dir, ref = shared_data / "geometries", shared_data / "referentiels"
    code = main(
        [
            "territoires",
            "construire",
            "--communes",
            *map(str, sorted(geo_dir.glob("communes-*.geojson"))),
            "--correspondance",
            str(ref / "commune_bassin_bmo.csv"),
            "--niveau",
            "bassin",
            "--region",
            "52",
            "--passage",
            str(ref / "passage_codes_communes.csv"),
            "--taille-max",
            "300",
            "--sortie",
            str(tmp_path / "pdl.geojson"),
            "--carte",
            str(tmp_path / "pdl.html"),
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["territoires"] == 26
    assert summary["communes_sans_territoire"] == ["44007", "44057", "44185"]
    assert summary["octets"] <= 300_000
    assert len(json.loads((tmp_path / "pdl.geojson").read_text())["features"]) == 26
