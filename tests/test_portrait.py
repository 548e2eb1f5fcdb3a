"""Portraits: configuration, sections, self-contained pages, batches, CLI and real data."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import diagnostics as dg
from diagnostics import cli, portrait
from diagnostics.portrait.batch import MAX_BYTES, _pdf, _plan, find_chromium
from diagnostics.portrait.config import read_portrait_config, required_inputs
from diagnostics.portrait.inputs import COMMUNE_TOLERANCE_M
from geo import settings
from geo._errors import InputFileError, SchemaError, UnknownTerritoryError

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "data" / "demo" / "portrait.toml"
REAL_CONFIG = ROOT / "tests" / "data" / "portrait_pays_de_la_loire.toml"


@pytest.fixture(autouse=True)
def _portrait_commands(monkeypatch):
    """``territoire portrait(s)`` are wired in ``diagnostics.cli`` by the lead."""
    if "diagnostics.cli.portrait" not in cli._COMMAND_MODULES:
        monkeypatch.setattr(
            cli, "_COMMAND_MODULES", (*cli._COMMAND_MODULES, "diagnostics.cli.portrait")
        )


def _demo_config(tmp_path: Path, **replace: str | list[str] | None) -> Path:
    """A copy of the demo configuration in ``tmp_path``, paths made absolute, some replaced."""
    config = read_portrait_config(DEMO_CONFIG)
    lines = [f'titre = "{config.title}"', f'date = "{config.date}"']
    tables: dict[str, list[str]] = {}
    inputs = {k: [str(p) for p in v] for k, v in config.inputs.items()}
    for key, value in replace.items():
        key = key.replace("__", ".")
        if value is None:
            inputs.pop(key, None)
        else:
            inputs[key] = value if isinstance(value, list) else [value]
    for key, paths in inputs.items():
        table, name = key.split(".")
        tables.setdefault(table, []).append(f"{name} = {json.dumps(paths)}")
    for table, entries in tables.items():
        lines += [f"[{table}]", *entries]
    path = tmp_path / "portrait.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _properties(page: str) -> set[str]:
    """Property names of the GeoJSON features embedded in a folium page."""
    names = set()
    for block in re.findall(r'"properties":\s*(\{[^{}]*\})', page):
        names |= set(json.loads(block))
    return names


# --------------------------------------------------------------------------- configuration


def test_demo_configuration_names_existing_files_relative_to_itself():
    config = read_portrait_config(DEMO_CONFIG)
    assert config.path == DEMO_CONFIG.resolve()
    assert config.missing_files() == {}
    assert config.files("referentiels.communes_bassins") == (
        (settings.demo_dir() / "commune_bassin_bmo.csv").resolve(),
    )
    assert len(config.files("referentiels.communes_polygones")) == 3
    assert config.files("bmo.tensions_dares") == ()


def test_configuration_errors_name_the_key_and_the_fix(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('[referentiels]\ncommunes_bassin = "x.csv"\n[bmo]\nfichiers = 3\n', "utf-8")
    with pytest.raises(SchemaError, match="communes_bassins") as info:
        read_portrait_config(bad)
    assert len(info.value.problems) == 2
    assert "chemin de fichier attendu" in info.value.problems[1]
    bad.write_text("[referentiels\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="TOML illisible"):
        read_portrait_config(bad)
    with pytest.raises(InputFileError, match="introuvable"):
        read_portrait_config(tmp_path / "absent.toml")


def test_level_needs_its_correspondence_table(tmp_path):
    config = read_portrait_config(_demo_config(tmp_path, referentiels__communes_clpe=None))
    with pytest.raises(SchemaError, match="referentiels.communes_clpe"):
        required_inputs(config, "clpe")
    missing = read_portrait_config(
        _demo_config(tmp_path, referentiels__communes_bassins=str(tmp_path / "absent.csv"))
    )
    with pytest.raises(InputFileError, match="absent.csv"):
        required_inputs(missing, "bassin")
    required_inputs(config, "bassin")  # no error


def test_overrides_replace_or_drop_inputs(tmp_path):
    config = read_portrait_config(DEMO_CONFIG)
    changed = config.with_overrides(
        {"bmo.fichiers": "autre.xlsx", "partenaires.annuaire": None}, base=tmp_path
    )
    assert changed.files("bmo.fichiers") == (tmp_path / "autre.xlsx",)
    assert changed.files("partenaires.annuaire") == ()
    assert config.files("partenaires.annuaire")  # the original is unchanged
    with pytest.raises(SchemaError, match="bmo.fichiers"):
        config.with_overrides({"bmo.fichier": "x.xlsx"})


# --------------------------------------------------------------------------- sections


@pytest.fixture(scope="module")
def demo_data():
    return portrait.load_portrait(DEMO_CONFIG, "bassin", 9901)


def test_unknown_territory_lists_close_codes():
    with pytest.raises(UnknownTerritoryError, match=r"Codes proches : .*9901") as info:
        portrait.load_portrait(DEMO_CONFIG, "bassin", "9991")
    assert "9901" in info.value.suggestions


def test_codes_are_normalised():
    data = portrait.load_territory(DEMO_CONFIG, "departement", "9b", years=2024)
    assert data.territory.code == "9B" and data.years == (2024,)
    assert data.key == "departement:9B"


def test_key_figures_match_the_referentials(demo_data):
    section = portrait.section_key_figures(demo_data)
    table = demo_data.inputs.commune_table()
    in_bassin = table[table["bassin"] == "9901"]
    assert section.facts["communes"] == len(in_bassin) == 40
    assert section.facts["population"] == int(in_bassin["population"].sum())
    assert section.facts["superficie_km2"] > 0
    bmo = demo_data.bmo()
    published = bmo.loc[(bmo["bassin"] == "9901") & (bmo["annee"] == 2024), "projets"].sum()
    assert section.facts["projets_bmo"] == pytest.approx(float(published))
    assert section.facts["annee_bmo"] == 2024
    assert section.status == "produite"


def test_bmo_sections_show_secrecy_bounds(demo_data):
    metiers = portrait.section_bmo_metiers(demo_data)
    by_year = metiers.tables["par_annee"]
    assert by_year["annee"].tolist() == [2023, 2024]
    assert (by_year["projets_min"] <= by_year["projets"]).all()
    assert (by_year["projets"] <= by_year["projets_max"]).all()
    assert len(metiers.figures) == 1 and "data:image/png;base64," in metiers._repr_html_()
    secrecy = portrait.section_bmo_secrecy(demo_data)
    assert "secret statistique" in repr(secrecy)
    assert "Règle de rattachement" in repr(secrecy)


def _display(section: portrait.Section, caption_start: str) -> list[list[str]]:
    """The cells of the table whose caption starts with ``caption_start`` (header first)."""
    (block,) = [b for b in section.blocks if f'<p class="legende">{caption_start}' in b]
    return [
        [html.unescape(c.strip()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S)
    ]


def test_bmo_vintages_side_by_side_with_their_change(demo_data):
    """Demo: 2023 (FAP2009) and 2024 (FAP2021) in columns, the change from bmo_change."""
    section = portrait.section_bmo_metiers(demo_data)
    change = section.tables["evolution"].iloc[0]
    assert (change["projets_debut"], change["projets_fin"]) == (329, 460)
    rows = _display(section, "Projets de recrutement et parts par millésime")
    assert rows[0] == ["Indicateur", "2023", "2024", "Évolution 2023 → 2024"]
    assert rows[1] == ["Projets de recrutement", "329", "460", "+131 (+39,8\u202f%)"]
    assert rows[3][0] == "Part jugée difficile"
    assert rows[3][3] == "-1,2 point"
    assert rows[4][3] == "-4,1 points"
    assert (
        "de 2023 à 2024, rupture de nomenclature FAP2009 → FAP2021 : total comparable"
        in "".join(section.blocks)
    )
    assert "Un seul millésime" not in repr(section)
    single = portrait.load_portrait(DEMO_CONFIG, "bassin", "9901", years=2024)
    text = repr(portrait.section_bmo_metiers(single))
    assert (
        "Un seul millésime de l'enquête (2024) : les chiffres se lisent sur cette année, sans "
        "évolution ; le fichier d'un autre millésime permettrait de suivre l'évolution."
    ) in text


def test_bmo_tension_table_ranks_difficult_projects(demo_data):
    section = portrait.section_bmo_metiers(demo_data)
    tension = section.tables["metiers_en_tension"]
    local = demo_data.bmo_local()
    expected = dg.top_tension_metiers(local[local["annee"] == 2024], n=10, min_projets=20)
    assert tension["metier"].tolist() == expected["metier"].tolist()
    rows = _display(section, "Classement par nombre de projets de recrutement jugés difficiles")
    assert rows[0] == [
        "Rang",
        "Métier",
        "Projets",
        "Projets jugés difficiles",
        "Part jugée difficile",
        "Part saisonnière",
    ]
    assert rows[1][:5] == ["1", "Conducteurs routiers", "35", "31", "88,6\u202f%"]
    assert (
        "au moins aussi difficiles à pourvoir que l'ensemble du territoire (52,0\u202f% de "
        "projets jugés difficiles en 2024) et comptant au moins 20 projets publiés"
    ) in html.unescape("".join(section.blocks))


_DARES_HEADER = (
    "fap,Emploi moyen,Tension ,Catégorie Tension,Intensité d'embauches,Lien formation-emploi,"
    "Manque de main-d'œuvre disponible,Non-durabilité de l'emploi,"
    "Conditions de travail contraignantes,Inadéquation géographique,Année,niveau_geo,"
    "niveau_fap,reg,dep"
)


def test_dares_column_only_for_the_same_metier(tmp_path):
    """BMO 2023 is FAP2009 like DARES: the indicator is shown with its edition and level;
    with BMO 2024 (FAP2021) it is left out, and one sentence says why."""
    dares = tmp_path / "tensions_dares.csv"
    dares.write_text(
        "\n".join(
            [
                _DARES_HEADER,
                "V0Z60,100,0.8,5,5,3,2,5,4,5,2019,dep,fap 225,,9A",
                "T2A60,100,0.4,4,5,3,2,5,4,5,2019,dep,fap 225,,9A",
                "A1Z,100,0.1,3,5,3,2,5,4,5,2019,dep,fap 87,,9A",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    config = _demo_config(tmp_path, bmo__tensions_dares=str(dares))
    old = portrait.load_portrait(config, "bassin", "9901", years=2023)
    section = portrait.section_bmo_metiers(old)
    rows = _display(section, "Classement par nombre de projets de recrutement jugés difficiles")
    assert rows[0][-1] == "Tension DARES 2019 (département 9A, même métier)"
    assert [(r[1], r[-1]) for r in rows[1:4]] == [
        ("Aides-soignants", "5 sur 5"),
        ("Aides à domicile et auxiliaires de vie", "4 sur 5"),
        ("Viticulteurs, arboriculteurs", "–"),  # FAP-87 family only: left out
    ]
    text = repr(section)
    assert "classe de l'indicateur de tension de la DARES (2019), de 1 à 5" in text
    assert "Elle n'est pas reprise pour les autres métiers" in text
    new = portrait.load_portrait(config, "bassin", "9901", years=2024)
    section = portrait.section_bmo_metiers(new)
    assert "Tension DARES" not in "".join(section.blocks)
    assert (
        "L'indicateur de tension de la DARES n'est pas repris : son édition (2019) classe les "
        "métiers dans l'ancienne nomenclature (FAP 2009), l'enquête BMO 2024 dans la nouvelle "
        "(FAP 2021), et les deux ne se correspondent qu'approximativement."
    ) in repr(section)


def test_maps_embed_only_displayed_columns_and_simplified_shapes(demo_data):
    section = portrait.section_territory_map(demo_data)
    page = section.maps["territoire"].page
    assert _properties(page) <= {"commune", "commune_nom", "population", "_couleur"}
    assert "CLPE9A" not in page  # a column of the commune table that the map does not show
    shapes = demo_data.inputs.commune_shapes()
    exact = demo_data.inputs.commune_shapes_exact()
    assert shapes.attrs["tolerance_m"] == COMMUNE_TOLERANCE_M
    assert shapes.count_coordinates().sum() < exact.count_coordinates().sum()
    assert portrait.external_resources(section._repr_html_()) == []


def _map_labels(page: str) -> list[str]:
    """The names written on a map page (:func:`geo.maps.add_place_labels`)."""
    found = re.search(r"(\[\[[^\n]*?\]\])\.forEach", page)
    return [html.unescape(name) for _, _, name in json.loads(found.group(1))] if found else []


def _legend(page: str) -> list[str]:
    """The entries of the legend of a map page."""
    legend = re.search(r'<div class="legende-atelier".*?</div></details></div>', page)
    entries = re.findall(r"</span>([^<]+)</div>", legend.group(0)) if legend else []
    return [html.unescape(e) for e in entries]


def test_territory_map_names_its_main_communes_and_has_a_legend(demo_data):
    page = portrait.section_territory_map(demo_data).maps["territoire"].page
    labels = _map_labels(page)
    communes = demo_data.communes().sort_values("population", ascending=False)
    # the bassin is named after one of its communes: that one is written first
    assert demo_data.territory.raw_name == "VEGICOURT"
    assert labels[0] == demo_data.territory.name == "Vegicourt"
    assert labels[0] in set(communes["commune_nom"])
    assert communes["commune_nom"].iloc[0] in labels  # and the most populous one
    assert 5 <= len(labels) <= 9
    assert _legend(page) == [
        "Communes du territoire",
        "Autres bassins d'emploi de la région",
        "Limite du territoire",
        "Limite de département",
    ]
    assert len(set(re.findall(r'"_couleur": "(#[0-9a-f]{6})"', page))) == 1  # no mosaic


def test_region_map_shows_its_departements_not_a_mosaic_of_communes():
    data = portrait.load_portrait(DEMO_CONFIG, "region", "99")
    page = portrait.section_territory_map(data).maps["territoire"].page
    table = data.inputs.commune_table()
    departements = table[table["region"] == "99"].drop_duplicates("departement")
    assert len(departements) < len(data.territory)
    assert page.count('"departement": ') == len(departements)
    assert '"commune_nom"' not in page
    expected = sorted(
        f"{n} ({c})"
        for c, n in zip(departements["departement"], departements["departement_nom"], strict=True)
    )
    assert sorted(_legend(page)[: len(departements)]) == expected
    # the largest commune of each département is named
    largest = table[table["region"] == "99"].sort_values("population", ascending=False)
    assert set(largest.drop_duplicates("departement")["commune_nom"]) <= set(_map_labels(page))


@pytest.mark.real_data
def test_real_region_and_bassin_maps(shared_data):
    """The région map of the real files has a feature per département, not per commune."""
    population = json.loads(
        (shared_data / "referentiels" / "communes_population.json").read_text(encoding="utf-8")
    )
    nantes = next(c for c in population if c["code"] == "44109")
    region = [c for c in population if c.get("region") == nantes["region"]]
    departements = {c["departement"] for c in region}
    data = portrait.load_portrait(REAL_CONFIG, "region", nantes["region"])
    page = portrait.section_territory_map(data).maps["territoire"].page
    assert page.count('"departement": ') == len(departements) < len(region)
    assert len(page.encode()) < 600_000
    bassin = portrait.load_portrait(
        REAL_CONFIG,
        "bassin",
        data.inputs.commune_table().set_index("commune").loc["44109", "bassin"],
    )
    section = portrait.section_territory_map(bassin)
    assert nantes["nom"] in _map_labels(section.maps["territoire"].page)
    names = portrait.section_bmo_map(bassin).tables["bassins"]["bassin_nom"].dropna()
    assert len(names) > 0 and not (names == names.str.upper()).any()
    # the sites' communes as the COG writes them, whatever the sites file says
    access = portrait.section_access(bassin).maps["acces"].page
    assert f"{nantes['nom']} ({nantes['code']})" in access


def test_bmo_map_outlines_the_territory(demo_data):
    section = portrait.section_bmo_map(demo_data)
    assert set(section.tables["bassins"]["bassin"]) == {f"99{i:02d}" for i in range(1, 11)}
    assert "#000091" in section.maps["bmo_bassins"].page


def test_partner_and_positioning_sections(demo_data):
    partners = portrait.section_partners_map(demo_data)
    here = demo_data.partners_here()
    assert partners.tables["par_type"]["intervenant"].sum() == len(here)
    coverage = portrait.section_coverage(demo_data)
    assert set(coverage.tables["couverture"]["territoire"]) == {"9901"}
    grid = portrait.section_positioning(demo_data)
    assert grid.facts["roles_saisis"] > 0
    assert grid.tables["grille"].shape == (5, 7)
    gaps = portrait.section_positioning_gaps(demo_data)
    assert gaps.tables["synthese"]["Constat"].tolist()[0] == "Cellules sans pivot"


def test_duplicated_partner_and_positioning_rows_reach_the_notes(tmp_path):
    """Regression (issue 13): every reader's problems reach the portrait's input notes."""
    demo = settings.demo_dir()
    partners = (demo / "partenaires.csv").read_text(encoding="utf-8-sig").splitlines()
    copy = tmp_path / "partenaires.csv"
    copy.write_text("\n".join([*partners[:2], partners[1], *partners[2:]]) + "\n", "utf-8")
    roles = (demo / "positionnement.csv").read_text(encoding="utf-8").splitlines()
    roles_copy = tmp_path / "positionnement.csv"
    roles_copy.write_text("\n".join([*roles[:2], roles[1], *roles[2:]]) + "\n", "utf-8")
    config = _demo_config(
        tmp_path, partenaires__annuaire=str(copy), partenaires__positionnement=str(roles_copy)
    )
    data = portrait.load_portrait(config, "bassin", "9901")
    partner_notes = repr(portrait.section_partners_map(data))
    assert "partenaires.csv, ligne 3 : doublon exact de la ligne 2 : ligne ignorée." in (
        partner_notes
    )
    assert "doublon exact de la ligne 2" in repr(portrait.section_coverage(data))
    roles_notes = repr(portrait.section_positioning(data))
    assert "positionnement.csv, ligne 3 : doublon de la ligne 2 pour l'acteur « P0001 »" in (
        roles_notes
    )
    # the demo files themselves are clean: no note
    assert "à la lecture" not in repr(
        portrait.section_positioning(portrait.load_portrait(DEMO_CONFIG, "bassin", "9901"))
    )


def test_missing_inputs_are_explained_not_fatal(tmp_path):
    config = _demo_config(
        tmp_path,
        partenaires__annuaire=None,
        partenaires__positionnement=str(tmp_path / "roles_absent.csv"),
    )
    data = portrait.load_portrait(config, "bassin", "9902")
    partners = portrait.section_partners_map(data)
    line = "Non établi ici : la carte des partenaires (il faudrait un annuaire des partenaires)."
    assert partners.status == f"absente : {line}"
    assert repr(partners) == line
    assert partners.missing_inputs == ("partenaires.annuaire",)
    assert 'data-absente="partenaires.annuaire"' in partners._repr_html_()
    roles = portrait.section_positioning(data)  # configured, file missing: said in the page
    assert "fichier introuvable" in roles.status and "roles_absent.csv" in roles.status
    assert roles.missing_inputs == ()
    assert portrait.section_positioning_gaps(data).status == roles.status
    portrait.section_coverage(data)
    portrait.section_network(data)
    assert data.omitted == {
        "partenaires": ("partenaires.annuaire",),
        "couverture": ("partenaires.annuaire",),
        "reseau": ("partenaires.annuaire",),
    }
    assert repr(portrait.section_completion(data)) == (
        "Pour compléter ce portrait : un annuaire des partenaires ajouterait la carte des "
        "partenaires, la couverture des communes et le réseau des partenaires."
    )
    assert portrait.section_key_figures(data).status == "produite"
    assert [w for w in data.inputs.warnings() if "roles_absent.csv" in w]
    title = repr(portrait.section_title(data))
    assert "roles_absent.csv" in title and "annuaire" not in title
    summary = json.loads(portrait.save_portrait_summary(data, tmp_path / "r.json").read_text())
    assert summary["sections"]["partenaires"] == f"absente : {line}"
    assert summary["sections"]["positionnement"].startswith("Section non établie")
    assert summary["sections"]["chiffres_cles"] == "produite"


def test_completion_box_is_empty_when_nothing_is_left_out(demo_data):
    section = portrait.section_completion(demo_data)
    assert section.blocks == [] and section.status == "produite"


def _markdown(source: str, *sections: str):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["tags"] = [f"section:{s}" for s in sections]
    return cell


def _shown(section: portrait.Section):
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result", {"text/html": section._repr_html_(), "text/plain": repr(section)}
        )
    ]
    return cell


def test_notebook_body_leaves_out_absent_sections_and_their_introduction():
    from diagnostics.portrait.html import notebook_body

    kept = portrait.Section("reseau").text("Le réseau.")
    left = portrait.Section("partenaires").omit("Non établi ici.", inputs=["partenaires.annuaire"])
    other = portrait.Section("couverture").omit("Non établi.", inputs=["partenaires.annuaire"])
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _markdown("## Partenaires", "partenaires", "couverture"),
        _shown(left),
        _shown(other),
        _markdown("## Réseau", "reseau", "partenaires"),
        _shown(kept),
        _markdown("## Toujours"),
    ]
    body = html.unescape(notebook_body(nb))
    assert "Partenaires<a" not in body and "Non établi" not in body
    assert "Réseau<a" in body and "Le réseau." in body and "Toujours<a" in body


def test_sources_section_lists_files_and_checksums(demo_data):
    from diagnostics._cache import file_checksum

    portrait.section_bmo_metiers(demo_data)
    section = portrait.section_sources(demo_data)
    files = section.tables["fichiers"]
    row = files[files["Fichier(s)"] == "commune_bassin_bmo.csv"].iloc[0]
    assert (
        row["Empreinte SHA-256"]
        == file_checksum(settings.demo_dir() / "commune_bassin_bmo.csv")[:12]
    )
    assert "Base_open_data_BMO_2024.xlsx" in repr(section)


def test_methods_and_reading_remarks_are_about_the_territory(tmp_path):
    """A job-seeker row repeated for a commune of bassin 9901 (9A017) and for two
    communes of bassin 9903; the contours of 9A017 and 9A022 (bassin 9903) under former
    codes: the portrait of 9901 notes and counts only its own, and says how many
    remarks concern other territories."""
    demo = settings.demo_dir()
    lines = (demo / "demandeurs" / "emploi_demandeur.csv").read_text(encoding="utf-8").splitlines()
    rows = {code: next(line for line in lines if line.startswith(f"{code},")) for code in
            ("9A017", "9A022", "9A049")}  # fmt: skip
    seekers = tmp_path / "emploi_demandeur.csv"
    seekers.write_text("\n".join([*lines, *rows.values()]) + "\n", encoding="utf-8")
    shapes = (demo / "communes-9A-ormelin.geojson").read_text(encoding="utf-8")
    moved = tmp_path / "communes-9A-ormelin.geojson"
    moved.write_text(
        shapes.replace('"code":"9A017"', '"code":"9A917"').replace(
            '"code":"9A022"', '"code":"9A922"'
        ),
        encoding="utf-8",
    )
    passage = (demo / "passage_codes_communes.csv").read_text(encoding="utf-8-sig")
    passage_copy = tmp_path / "passage_codes_communes.csv"
    passage_copy.write_text(
        passage.rstrip() + "\n2025;COM;commune;9A917;9A017\n2025;COM;commune;9A922;9A022\n",
        encoding="utf-8",
    )
    polygons = read_portrait_config(DEMO_CONFIG).files("referentiels.communes_polygones")
    path = _demo_config(
        tmp_path,
        demandeurs__fichier=str(seekers),
        referentiels__passage_codes=str(passage_copy),
        referentiels__communes_polygones=[str(moved), *map(str, polygons[1:])],
    )
    data = portrait.load_portrait(path, "bassin", "9901")
    assert len(data.inputs.get("demandeurs.fichier").attrs["problemes"]) == 3
    notes = [
        line
        for line in repr(portrait.section_jobseekers(data)).splitlines()
        if "à la lecture" in line
    ]
    assert len(notes) == 1
    assert notes[0].startswith(
        "Note : 1 remarque(s) sur les fichiers des demandeurs d'emploi signalée(s) à la lecture : "
        f"emploi_demandeur.csv, ligne {len(lines) + 1}, colonne « codgeo » : code « 9A017 »"
    )
    assert "9A022" not in notes[0] and "9A049" not in notes[0]
    portrait.section_territory_map(data)
    sources = repr(portrait.section_sources(data))
    assert (
        "2 autre(s) remarque(s) de lecture des fichiers concernent d'autres territoires "
        "(emploi_demandeur.csv : 2) : elles ne sont pas reprises dans ce portrait (détail : "
        "rapport de lecture de chaque fichier)."
    ) in sources
    assert (
        "- 1 contour(s) de commune du territoire, d'un autre millésime du COG, rattaché(s) au "
        "code courant par la table de passage (9A917)."
    ) in sources
    assert "9A922" not in sources
    # bassin 9903 gets the two others, and its own former code
    other = repr(portrait.section_sources(portrait.load_portrait(path, "bassin", "9903")))
    assert "1 autre(s) remarque(s) de lecture" in other and "(9A922)." in other


def test_bmo_file_report_is_said_to_be_about_the_whole_file(demo_data):
    portrait.section_bmo_metiers(demo_data)  # reads the BMO files
    sources = repr(portrait.section_sources(demo_data))
    assert (
        "Fichiers de l'enquête BMO\nLecture de chaque fichier en entier, tous territoires "
        "confondus : ces comptes et ces corrections portent sur le fichier, pas sur le seul "
        "territoire.\n- Fichier BMO Base_open_data_BMO_2024.xlsx"
    ) in sources
    assert "autre(s) remarque(s)" not in sources  # the demo files are clean


def test_external_resources_sees_cdn_scripts_inside_frames():
    import folium

    raw = folium.Map(tiles=None).get_root().render()
    assert any("cdn" in u for u in portrait.external_resources(raw))
    framed = f'<iframe srcdoc="{html.escape(raw, quote=True)}"></iframe>'
    assert portrait.external_resources(framed)
    view = portrait.embed_map(folium.Map(tiles=None))
    assert portrait.external_resources(view._repr_html_()) == []


def test_packed_frames_stay_checked_for_external_resources():
    from diagnostics.portrait.html import _unpacked, pack_frames
    from geo.escape import html_text

    style = "<style>@import url(//cdn.example/x.css);" + "b{}" * 400 + "</style>"
    frame = f'<iframe class="carte" srcdoc="{html_text("<head>" + style + "</head>")}"></iframe>'
    page = pack_frames(frame + "<p>entre</p>" + frame)
    assert "b{}" * 400 not in page and " srcdoc=" not in page
    documents = re.findall(r'data-srcdoc-gz="([^"]*)"', page)
    assert [_unpacked(d) for d in documents] == ["<head><!--bibliotheque-0--></head>"] * 2
    assert page.count('data-bibliotheque="style"') == 1
    assert portrait.external_resources(page) == ["//cdn.example/x.css"]
    alone = pack_frames(frame)  # one frame: nothing shared, the frame packed with its style
    assert "bibliotheque" not in alone.split("<script>")[0]
    assert portrait.external_resources(alone) == ["//cdn.example/x.css"]
    assert pack_frames("<p>sans cadre</p>") == "<p>sans cadre</p>"


def test_folder_manifest_keeps_the_other_portraits(tmp_path):
    from diagnostics.portrait.batch import _folder_rows, _row

    (tmp_path / "bassin_1.html").write_text("x", encoding="utf-8")
    (tmp_path / "bassin_2.html").write_text("x", encoding="utf-8")
    old = [
        _row("bassin", "1", "Un", statut="produit", sortie="bassin_1.html", population=10),
        _row("bassin", "2", "Deux", statut="produit", sortie="bassin_2.html"),
        _row("bassin", "3", "Trois", statut="produit", sortie="bassin_3.html"),  # page gone
        _row("bassin", "4", "", statut="erreur", erreur="inconnu"),
    ]
    (tmp_path / "manifeste.json").write_text(json.dumps({"territoires": old}), encoding="utf-8")
    new = [
        _row("departement", "9C", "Neuf C", statut="produit", sortie="departement_9C.html"),
        _row("bassin", "2", "Deux bis", statut="produit", sortie="bassin_2.html"),
    ]
    rows = _folder_rows(tmp_path, new)
    assert [(r["niveau"], r["code"], r["nom"]) for r in rows] == [
        ("bassin", "1", "Un"),
        ("bassin", "2", "Deux bis"),
        ("departement", "9C", "Neuf C"),
    ]
    assert rows[0]["population"] == 10 and rows[0]["avertissements"] == []
    assert _folder_rows(tmp_path / "vide", new) == new


# --------------------------------------------------------------------------- batches


def _failing_notebook(tmp_path: Path, code: str) -> Path:
    """The portrait notebook with a cell that fails for territory ``code``."""
    nb = nbformat.read(portrait.notebook_path(), as_version=4)
    load = next(i for i, c in enumerate(nb.cells) if "load_portrait" in c.source)
    nb.cells.insert(
        load + 1,
        nbformat.v4.new_code_cell(f'if code == "{code}":\n    raise RuntimeError("panne simulée")'),
    )
    path = tmp_path / "portrait_en_panne.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One batch with every kind of bad input: unknown code, missing file, notebook error."""
    tmp = tmp_path_factory.mktemp("lot")
    config = _demo_config(tmp, partenaires__positionnement=str(tmp / "roles_absent.csv"))
    output = tmp / "portraits"
    result = portrait.run_portraits(
        config,
        "bassin",
        output,
        codes=["9901", "9902", "9991"],
        workers=2,
        notebook=_failing_notebook(tmp, "9902"),
        progress=False,
    )
    return config, output, result, tmp


@pytest.mark.notebook
def test_batch_reports_each_bad_input_and_produces_the_rest(batch):
    _, output, result, _ = batch
    manifest = result.manifest.set_index("code")
    assert manifest.loc["9901", "statut"] == "produit"
    assert manifest.loc["9902", "statut"] == "erreur"
    assert "panne simulée" in manifest.loc["9902", "erreur"]
    assert manifest.loc["9991", "statut"] == "erreur"
    assert re.search(r"Codes proches : .*9901", manifest.loc["9991", "erreur"])
    assert any("roles_absent.csv" in w for w in manifest.loc["9901", "avertissements"])
    assert (output / "bassin_9901.html").is_file()
    assert not (output / "bassin_9902.html").exists()
    assert (output / "details" / "bassin_9902.ipynb").is_file()  # to see the error


@pytest.mark.notebook
def test_batch_manifest_and_index(batch):
    output = batch[1]
    csv = pd.read_csv(output / "manifeste.csv", dtype=str, keep_default_na=False)
    assert csv.columns.tolist()[:8] == [
        "territoire", "niveau", "code", "nom", "statut", "duree_s", "sortie", "erreur",
    ]  # fmt: skip
    assert csv["territoire"].tolist() == ["bassin 9991", "bassin 9901", "bassin 9902"]
    payload = json.loads((output / "manifeste.json").read_text(encoding="utf-8"))
    assert [t["statut"] for t in payload["territoires"]] == ["erreur", "produit", "erreur"]
    assert float(csv.loc[csv["code"] == "9901", "duree_s"].iloc[0]) > 0
    index = (output / "index.html").read_text(encoding="utf-8")
    assert 'href="bassin_9901.html"' in index and 'href="bassin_9902.html"' not in index
    assert portrait.external_resources(index) == []


@pytest.mark.notebook
def test_portrait_page_is_self_contained_and_small(batch):
    output = batch[1]
    page = (output / "bassin_9901.html").read_text(encoding="utf-8")
    assert portrait.external_resources(page) == []
    assert len(page.encode()) <= MAX_BYTES
    # territory, BMO, partners, coverage, access to the agences, cotraitance and training
    # flow maps, network view
    assert page.count("<iframe") == 8
    assert "Portrait de territoire : bassin d'emploi BMO 9901" in html.unescape(page)
    assert "load_portrait" not in page  # code and analyst notes are not in the page
    assert "Section non établie" in page and "roles_absent.csv" in page
    # Leaflet once in the page, not once per map frame
    from diagnostics.portrait.html import _unpacked

    leaflet = (ROOT / "geo" / "_assets" / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    libraries = re.findall(r'data-bibliotheque="\w+">([^<]*)</script>', page)
    assert [_unpacked(t) for t in libraries].count(leaflet) == 1
    assert page.count(" data-srcdoc-gz=") == page.count("<iframe") == 8 and " srcdoc=" not in page


@pytest.mark.notebook
def test_rerun_skips_up_to_date_portraits_unless_forced(batch):
    config, output, _, tmp = batch
    notebook = tmp / "portrait_en_panne.ipynb"
    again = portrait.run_portraits(
        config, "bassin", output, codes=["9901", "9902"], notebook=notebook, progress=False
    )
    assert again.manifest["statut"].tolist() == ["a_jour", "erreur"]  # the failure is retried
    assert again.manifest["sortie"].tolist() == ["bassin_9901.html", ""]
    assert again.manifest["population"].iloc[0] > 0  # figures of the index come from before

    def todo(**options) -> list[str]:
        options.setdefault("notebook", notebook)
        plan = _plan(config, "bassin", output, codes=["9901"], **options)
        return [t["code"] for t in plan.tasks]

    assert todo() == []
    assert todo(force=True) == ["9901"]
    assert todo(years=[2024]) == ["9901"]  # other parameters
    assert todo(notebook=portrait.notebook_path()) == ["9901"]  # another notebook
    summary_path = output / "details" / "bassin_9901.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    used = summary["sources_code"]
    assert any(f.endswith("sections.py") for f in used) and any(f.endswith("bmo.py") for f in used)
    summary["sources_code"] = {next(iter(used)): "0" * 64}  # the code has changed since
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    assert todo() == ["9901"]


def test_territories_of_an_area():
    data = portrait.load_portrait(DEMO_CONFIG, "bassin", "9901")
    in_9c = data.inputs.list_territories("clpe", departement="9C")
    table = data.inputs.commune_table()
    assert set(in_9c["code"]) == set(table.loc[table["departement"] == "9C", "clpe"])
    assert len(data.inputs.list_territories("bassin", region="99")) == 10
    with pytest.raises(UnknownTerritoryError, match="Région 98"):
        data.inputs.list_territories("bassin", region="98")


def test_territories_by_name_through_the_loader():
    """The notebooks' ``code`` parameter takes a name: « Saint-Jévrocourt » is bassin 9908."""
    data = portrait.load_territory(DEMO_CONFIG, "bassin", "saint jevrocourt")
    assert data.label == "bassin d'emploi BMO 9908 – Saint-Jévrocourt"
    in_9c = data.inputs.list_territories("bassin", departement="Val-de-Lisandre")
    assert (
        in_9c["code"].tolist()
        == data.inputs.list_territories("bassin", departement="9C")["code"].tolist()
    )
    with pytest.raises(dg.AmbiguousTerritoryError, match="9902 Saint-Lounirac, 9908 Saint-"):
        portrait.load_territory(DEMO_CONFIG, "bassin", "saint")
    with pytest.raises(
        UnknownTerritoryError,
        match=r"« Vegicour » inconnu dans le référentiel commune_bassin_bmo.csv .* "
        "Noms proches : 9901 Vegicourt",
    ):
        portrait.load_territory(DEMO_CONFIG, "bassin", "Vegicour")


# --------------------------------------------------------------------------- CLI


@pytest.mark.notebook
def test_cli_portrait_writes_one_page(tmp_path, capsys):
    args = ["portrait", "--config", str(DEMO_CONFIG), "--niveau", "departement", "--code", "9c"]
    args += ["--sortie", str(tmp_path)]
    code = cli.main(args)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "departement 9C" in out and "sans connexion internet" in out
    page = (tmp_path / "departement_9C.html").read_text(encoding="utf-8")
    assert portrait.external_resources(page) == []
    assert cli.main(args) == 0
    assert "déjà à jour" in capsys.readouterr().out
    # another level in the same folder: the index and the manifest keep both portraits
    other = ["portrait", "--config", str(DEMO_CONFIG), "--niveau", "bassin", "--code", "9903"]
    assert cli.main([*other, "--sortie", str(tmp_path)]) == 0
    manifest = pd.read_csv(tmp_path / "manifeste.csv", dtype=str, keep_default_na=False)
    assert manifest["territoire"].tolist() == ["departement 9C", "bassin 9903"]
    payload = json.loads((tmp_path / "manifeste.json").read_text(encoding="utf-8"))
    assert payload["niveaux"] == ["departement", "bassin"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="departement_9C.html"' in index and 'href="bassin_9903.html"' in index
    assert "<h1>Portraits de territoire (département, bassin d&#x27;emploi BMO)" in index


def test_cli_unknown_code_exits_2_with_close_codes(tmp_path, capsys):
    code = cli.main(
        [
            "portrait",
            "--config",
            str(DEMO_CONFIG),
            "--niveau",
            "bassin",
            "--code",
            "9911",
            "--sortie",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "Codes proches" in capsys.readouterr().err


def test_cli_ambiguous_name_exits_2_with_the_candidates(tmp_path, capsys):
    args = ["portrait", "--config", str(DEMO_CONFIG), "--niveau", "bassin", "--code", "Saint"]
    assert cli.main([*args, "--sortie", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "Erreur : Plusieurs bassins d'emploi BMO correspondent à « Saint » dans le référentiel "
        "commune_bassin_bmo.csv : 9902 Saint-Lounirac, 9908 Saint-Jévrocourt. Précisez le code "
        "(--code 9902, par exemple) ou le nom complet.\n"
    )
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.notebook
def test_cli_portrait_by_name_says_which_territory(tmp_path, capsys):
    args = ["portrait", "--config", str(DEMO_CONFIG), "--niveau", "departement"]
    assert cli.main([*args, "--code", "cote brumaire", "--sortie", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Territoire compris : « cote brumaire » → département 9B – Côte-Brumaire.\n"
    )
    assert (tmp_path / "departement_9B.html").is_file()


@pytest.mark.notebook
def test_cli_portraits_reports_unknown_codes_and_exits_1(tmp_path, capsys):
    code = cli.main(
        [
            "portraits",
            "--config",
            str(DEMO_CONFIG),
            "--niveau",
            "departement",
            "--codes",
            "9A",
            "9Z",
            "--sortie",
            str(tmp_path),
            "--travailleurs",
            "1",
            "--sans-barre",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1, out
    assert "1 portrait(s) produit(s)" in out and "departement 9Z" in out
    manifest = pd.read_csv(tmp_path / "manifeste.csv", dtype=str, keep_default_na=False)
    assert manifest.set_index("code")["statut"].to_dict() == {"9Z": "erreur", "9A": "produit"}


def test_cli_missing_configuration_exits_2(tmp_path, capsys):
    args = ["portraits", "--config", str(tmp_path / "absent.toml"), "--niveau", "bassin"]
    assert cli.main([*args, "--region", "99", "--sortie", str(tmp_path)]) == 2
    assert "fichier de configuration du portrait introuvable" in capsys.readouterr().err


@pytest.mark.notebook
def test_pdf_when_chromium_is_available(batch, chromium, tmp_path):
    _, output, _, _ = batch
    assert find_chromium() is not None  # the fixture installs Debian's Chromium when missing
    assert _pdf(output / "bassin_9901.html", tmp_path / "p.pdf") is None
    data = (tmp_path / "p.pdf").read_bytes()
    assert data[:5] == b"%PDF-"
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert len(boxes) > 1  # several pages: a page break before each section
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}  # A4


# --------------------------------------------------------------------------- real data


#: Bassins of Pays de la Loire portrayed from the real files, in three départements (44,
#: 72, 53): the 26 bassins of the région are listed here, all portrayed by
#: benchmarks/bench_portraits.py.
REAL_BASSINS = ["5220", "5209", "5227"]  # among them, computed from the files below


@pytest.mark.real_data
@pytest.mark.notebook
def test_pays_de_la_loire_bassins_in_one_command(shared_data, tmp_path):
    planned = _plan(REAL_CONFIG, "bassin", tmp_path, region="52").order
    assert len(planned) == 26
    assert "5220" in planned and "5313" not in planned
    assert set(REAL_BASSINS) <= set(planned)
    # every bassin of the région (issue 16: each opens with the synthesis, no empty box)
    result = portrait.run_portraits(REAL_CONFIG, "bassin", tmp_path, region="52", progress=False)
    manifest = result.manifest
    assert manifest["code"].tolist() == planned
    assert set(manifest["statut"]) == {"produit"}, manifest.loc[
        manifest["statut"] != "produit", ["territoire", "erreur"]
    ].to_string()
    for name in manifest["sortie"]:
        page = (tmp_path / name).read_text(encoding="utf-8")
        assert portrait.external_resources(page) == [], name
        assert len(page.encode()) <= 600_000, name  # goal of issue 16 for a bassin
        assert "Pays de la Loire" in page
        assert "Section non établie" not in page, name  # inputs not given: sections left out
        assert "Pour compléter ce portrait : un annuaire des partenaires ajouterait" in page
        # the synthesis opens the portrait: right after the title, before the key figures
        first = page.index('data-section="titre"')
        assert first < page.index('data-section="synthese"') < page.index('"chiffres_cles"'), name
        assert page.count('class="tuile"') >= 5, name
    nantes = json.loads((tmp_path / "details" / "bassin_5220.json").read_text(encoding="utf-8"))
    assert nantes["territoire"]["nom"] == "Nantes"  # as people write it, not as the file does
    assert nantes["chiffres_cles"]["projets_bmo"] > 10_000
    assert nantes["sections"]["partenaires"].startswith("absente : ")
    assert nantes["sections"]["acces"] == "produite"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.count('<a href="bassin_5') == len(planned)


@pytest.mark.real_data
def test_nantes_tensions_and_sources_are_about_the_bassin(shared_data):
    """Bassin 5220 (Nantes), real files: aides-soignants among the métiers en tension, no
    DARES column (BMO 2024 is FAP2021, DARES 2019 FAP2009), one BMO vintage said so, and
    notes and methods about the bassin only."""
    from geo import problems, referentials

    data = portrait.load_portrait(REAL_CONFIG, "bassin", "5220")
    communes = set(data.territory.communes)
    sections = [
        portrait.section_territory_map(data),
        portrait.section_bmo_metiers(data),
        portrait.section_jobseekers(data),
        portrait.section_access(data),
    ]
    metiers = sections[1]
    tension = metiers.tables["metiers_en_tension"]
    bmo = data.bmo()
    code = bmo.loc[bmo["metier_nom"] == "Aides-soignants", "metier"].unique().tolist()
    assert len(code) == 1 and code[0] in tension["metier"].tolist()
    page = "".join(metiers.blocks)
    assert "Projets jugés difficiles" in page and "Tension DARES" not in page
    assert "L'indicateur de tension de la DARES n'est pas repris" in repr(metiers)
    assert "Un seul millésime de l'enquête (2024)" in repr(metiers)
    # reading notes: no commune code outside the bassin (Finistère, Meurthe-et-Moselle...)
    table = data.inputs.commune_table()
    known = set(table["commune"])
    notes = [line for s in sections for line in repr(s).splitlines() if line.startswith("Note")]
    named = {c for line in notes for c in re.findall(r"\b\d[\dAB]\d{3}\b", line)} & known
    assert named <= communes, sorted(named - communes)[:10]
    # ... they are counted once in Sources
    seekers = problems.problems_of(data.inputs.get("demandeurs.fichier"))
    outside = [p for p in seekers if p.value in known and p.value not in communes]
    assert len(outside) > 100  # the national file repeats rows of other départements
    sources = portrait.section_sources(data)
    counted = sources.facts["remarques_autres_territoires"]
    assert counted["emploi_demandeur.csv"] >= len(outside)
    assert "autre(s) remarque(s) de lecture des fichiers concernent d'autres territoires" in (
        repr(sources)
    )
    # recoded contours: those of the bassin's communes, computed from the files
    raw = referentials.read_commune_polygons(
        list(read_portrait_config(REAL_CONFIG).files("referentiels.communes_polygones"))
    )
    passage = data.inputs.get("referentiels.passage_codes")
    forward = passage.drop_duplicates("ancien_code").set_index("ancien_code")["code_courant"]
    old = raw.loc[~raw["commune"].isin(known), "commune"]
    expected = int(old.map(forward).isin(communes).sum())
    recoded = [line for line in repr(sources).splitlines() if "rattaché(s) au code courant" in line]
    if expected:
        assert recoded[0].startswith(f"- {expected} contour(s) de commune du territoire")
    else:
        assert recoded == []


# --------------------------------------------------------------------------- cotraitance, réseau

#: Columns of the cotraitance tables that are not counts of young people.
_NOT_COUNTS = ("objectif", "montant", "acompte", "solde", "trop_percu", "taux", "rythme",
               "projection", "indice", "pour_1000", "jours", "demande", "demandeurs")  # fmt: skip


def _small_counts(tables: dict[str, pd.DataFrame], threshold: int) -> list[tuple]:
    """(table, column, value) of every count from 1 to ``threshold - 1`` in ``tables``."""
    found = []
    for name, table in tables.items():
        for column in table.select_dtypes("number").columns:
            if any(part in column for part in _NOT_COUNTS):
                continue
            values = pd.to_numeric(table[column], errors="coerce")
            found += [(name, column, v) for v in values[(values > 0) & (values < threshold)]]
    return found


def test_cotraitance_section_of_a_bassin(demo_data):
    section = portrait.section_cotraitance(demo_data)
    assert section.status == "produite"
    assert section.facts == {"periode": "2024-06", "missions_locales": ["P0001"]}
    attainment = section.tables["atteinte"]
    assert attainment[["niveau", "territoire", "objectif", "entrees_objectif"]].astype(
        str
    ).values.tolist() == [
        ["mission_locale", "P0001", "270", "183"],
        ["departement", "9A", "1000", "480"],
        ["region", "99", "1760", "859"],
    ]
    # the pace of the territory is that of its mission locale, against its own objective
    pace = section.tables["rythme"]
    assert pace["cumul_objectif"].iloc[-1] == 183
    assert pace["rythme_lineaire"].iloc[-1] == pytest.approx(135.0)
    text = repr(section)
    assert "Situation à fin juin 2024" in text
    assert "P0001 (Mission locale de Vegicourt) : dépassement, projection à 136\u202f%" in text
    assert set(section.maps) == {"flux"} and set(section.figures) == {"rythme", "sankey"}


def test_cotraitance_section_shows_no_small_count(demo_data):
    section = portrait.section_cotraitance(demo_data)
    tables = {k: v for k, v in section.tables.items() if isinstance(v, pd.DataFrame)}
    assert {"delais", "stocks", "sorties_dues", "sankey"} <= set(tables)
    assert _small_counts(tables, settings.disclosure_threshold) == []
    hidden = section.tables["sorties_dues"]["n"].isna()
    assert hidden.any()  # the demo has small counts: they are hidden, not shown as 0
    assert "secret statistique" in repr(section)


def test_cotraitance_section_explains_what_is_missing(tmp_path):
    config = _demo_config(tmp_path, cotraitance__flux=None)
    data = portrait.load_portrait(config, "bassin", "9901")
    section = portrait.section_cotraitance(data)
    assert section.missing_inputs == ("cotraitance.flux",)
    assert section.status == (
        "absente : Non établi ici : le suivi de la cotraitance avec les missions locales "
        "(il faudrait les flux mensuels de cotraitance)."
    )
    early = tmp_path / "tot"
    early.mkdir()
    text = _demo_config(early).read_text(encoding="utf-8")
    (early / "portrait.toml").write_text(text.replace("2026-06-30", "2022-12-31"), "utf-8")
    data = portrait.load_portrait(early / "portrait.toml", "bassin", "9901")
    assert "Aucun flux de cotraitance jusqu'en 2022-12" in portrait.section_cotraitance(data).status


def test_network_section_of_a_bassin(demo_data):
    section = portrait.section_network(demo_data)
    assert section.status == "produite"
    text = repr(section)
    assert "Partenariats en vigueur au 30/06/2026." in text
    assert "Le réseau compte 39 acteurs" in text
    assert "Pivots déclarés mais périphériques" in text
    page = section.pages["reseau"]
    assert "<svg" in page and portrait.external_resources(page) == []
    checks = section.tables["controles"]
    assert checks.groupby("controle")["partenariat_id"].nunique()["terminee_en_cours"] == 1
    assert section.tables["acteurs"]["nom"].iloc[0] == "Agence Pôle emploi 9A111"


def test_network_section_without_registry(tmp_path):
    config = _demo_config(tmp_path, partenariats__registre=None)
    data = portrait.load_portrait(config, "bassin", "9901")
    section = portrait.section_network(data)
    assert section.missing_inputs == ("partenariats.registre",)
    assert section.status == (
        "absente : Non établi ici : le réseau des partenaires (il faudrait un registre des "
        "partenariats)."
    )


def test_config_date_is_checked(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('date = "30/06/2026"\n', encoding="utf-8")
    with pytest.raises(SchemaError, match="« date » : date AAAA-MM-JJ attendue"):
        read_portrait_config(path)
    path.write_text("date = 2026-06-30\n", encoding="utf-8")
    assert str(read_portrait_config(path).date) == "2026-06-30"


# --------------------------------------------------------------------------- formation


def test_training_section_of_a_bassin(demo_data):
    section = portrait.section_training(demo_data)
    assert section.status == "produite" and section.facts["annee"] == 2024
    funnel = section.tables["entonnoir"]
    assert funnel[["prescriptions", "reservations", "entrees"]].iloc[0].tolist() == [110, 65, 50]
    text = repr(section)
    assert "Métier en tension peu couvert par la formation : S2X61" in text
    assert "AFPA Merlevent" in text  # a training outside the région
    assert set(section.maps) == {"flux"}
    flagged = section.tables["besoins"]
    assert (flagged["alerte"] != "").sum() == 7
    annex = section.tables["annexe_region"]
    assert (annex["statut"] == "non calculable à partir des données fournies").sum() == 10
    people = ["prescriptions", "prescriptions_hors_region", "reservations", "liste_attente",
              "desistements", "entrees", "entrees_poe", "abandons", "formations_terminees",
              "certifications", "n"]  # fmt: skip
    tables = {
        name: table[[c for c in people if c in table]] for name, table in section.tables.items()
    }
    afpa = section.tables["indicateurs_afpa"]
    tables["indicateurs_afpa"] = afpa.loc[afpa["unite"] == "nombre", ["valeur"]]
    assert _small_counts(tables, settings.disclosure_threshold) == []


def _csv(path: Path, rows: list[dict]) -> str:
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path.as_posix()


@pytest.mark.real_data
def test_training_section_on_a_real_bassin(shared_data, tmp_path):
    """Nantes (bassin 5220) with the real BMO 2024, FAP ↔ ROME and COG: fictional sessions
    and prescriptions at real communes, as an analyst's own files would be."""
    agences = [
        {"agence": "N1", "nom": "Agence Nantes (fictive)", "commune": "44109",
         "latitude": "47.218", "longitude": "-1.553"},
        {"agence": "N2", "nom": "Agence Saint-Herblain (fictive)", "commune": "44162",
         "latitude": "47.212", "longitude": "-1.650"},
    ]  # fmt: skip
    sessions = [
        {"session_id": "R1", "financeur": "Région", "organisme": "AFPA", "centre": "AFPA Nantes",
         "commune": "44162", "metier": "K1302", "places": "24", "date_debut": "2024-03-01"},
        {"session_id": "R2", "financeur": "Pôle emploi", "organisme": "GRETA",
         "centre": "GRETA Rezé", "commune": "44143", "metier": "N4101", "places": "12",
         "date_debut": "2024-04-01"},
        {"session_id": "R3", "financeur": "OPCA", "organisme": "AFPA", "centre": "AFPA Angers",
         "commune": "49007", "metier": "H2913", "places": "10", "date_debut": "2024-05-01"},
    ]  # fmt: skip
    prescriptions = [
        {"prescription_id": f"X{agence}{session}{k}", "agence": agence, "session_id": session,
         "statut": "entrée" if k % 2 else "prescrite", "date_prescription": "2024-02-01",
         "date_entree": "2024-03-01" if k % 2 else ""}
        for agence, session, n in (("N1", "R1", 30), ("N2", "R1", 20), ("N1", "R2", 16),
                                   ("N2", "R3", 10))
        for k in range(n)
    ]  # fmt: skip
    config = REAL_CONFIG.read_text(encoding="utf-8").replace(
        "../../../shared/data", shared_data.resolve().as_posix()
    )
    config += (
        f'\n[formation]\nagences = "{_csv(tmp_path / "agences.csv", agences)}"\n'
        f'sessions = "{_csv(tmp_path / "sessions.csv", sessions)}"\n'
        f'prescriptions = "{_csv(tmp_path / "prescriptions.csv", prescriptions)}"\n'
        f'correspondance = "{(shared_data / "metiers" / "fap225_rome.csv").resolve().as_posix()}"\n'
    )
    (tmp_path / "portrait.toml").write_text(config, encoding="utf-8")
    data = portrait.load_portrait(tmp_path / "portrait.toml", "bassin", "5220")
    section = portrait.section_training(data)
    assert section.status == "produite" and section.facts["annee"] == 2024
    flows = section.tables["flux"]
    # régions come from the COG départements: nothing is out of the région, Angers is
    # out of the bassin
    assert flows["site_region"].tolist() == ["52"] * 4 and not flows["hors_region"].any()
    assert set(flows.loc[flows["hors_territoire"], "centre"]) == {"AFPA Angers"}
    text = repr(section)
    assert "76 prescriptions (dont 0 hors région)" in text
    assert "Formations hors du territoire : 1 site(s) (AFPA Angers)" in text
    needs = section.tables["besoins"]
    homes = needs[needs["metier"] == "T2A60"].iloc[0]  # aides à domicile ← ROME K1302
    assert homes["places"] == 24 and homes["projets"] > 100
    assert homes["lien_formation"] == "ROME → FAP-225 (table de correspondance)"
    # the summary names the ten métiers with most projects, then says how many more
    assert re.search(r"et \d+ autre\(s\) \(tableau besoins\)", text)


def test_training_section_without_prescriptions(tmp_path):
    config = _demo_config(tmp_path, formation__prescriptions=None)
    data = portrait.load_portrait(config, "bassin", "9901")
    section = portrait.section_training(data)
    assert section.missing_inputs == ("formation.prescriptions",)
    assert repr(portrait.section_completion(data)) == (
        "Pour compléter ce portrait : les prescriptions de formation ajouteraient la formation "
        "des demandeurs d'emploi."
    )
