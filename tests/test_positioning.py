"""Tests of the positioning grid and its gap analysis (``diagnostics.positioning``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnostics import positioning as pos
from diagnostics.partners import (
    PARTNER_TYPES,
    partner_ressort,
    partners_from_records,
    read_partners,
)
from geo import referentials, settings, territories
from geo._errors import SchemaError, UnknownTerritoryError
from geo.problems import problems_of

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "004_rapport_territorialisation.txt"

# Lines L191–L197 of the territorialisation report, tab-separated as in the source.
SOURCE_LINES = {
    191: "\tDemandeurs d'emploi\t\t\t\tActifs occupés\tEmployeurs\t",
    192: "\tPrimo-accédant\tPersonne éloignée de l'emploi\tRetour à l'emploi\t"
    "Créateur d'entreprise\tReconversion\tBesoin de recrutement\t"
    "Besoin d'accompagnement (mutation - anticipation)",
    193: "Intermédiation\tStructurant\tStructurant\tPivot\tStructurant\tContributeur\tPivot\tPivot",
    194: "Orientation\tContributeur\tPivot\tPivot\tStructurant\tStructurant\t\t",
    195: "Formation\tContributeur\tStructurant\tPivot\tContributeur\tStructurant\t\t",
    196: "Insertion\tContributeur\tContributeur\t\tContributeur\tStructurant\t\t",
    197: "Développement économique\t\t\t\tContributeur\tContributeur\tContributeur\tContributeur",
}


def _check_matrix_against(lines: dict[int, str]) -> None:
    matrix = pos.reference_matrix()
    segments, situations = lines[191].split("\t"), lines[192].split("\t")
    assert len(segments) == len(situations) == 8
    current = None
    for j in range(1, 8):
        current = segments[j] or current
        column = matrix.iloc[j - 1 :: 7]
        assert (column["situation_libelle"] == situations[j]).all()
        assert (column["segment_libelle"] == current).all()
    for number in range(193, 198):
        fields = lines[number].split("\t")
        assert len(fields) == 8
        row = matrix.loc[matrix["ligne_source"] == number]
        assert len(row) == 7
        assert (row["domaine_libelle"] == fields[0]).all()
        expected = [value or None for value in fields[1:]]
        found = [None if pd.isna(v) else v for v in row["role_libelle"]]
        assert found == expected, f"L{number}"


def test_reference_matrix_reproduces_every_cell_of_the_report():
    _check_matrix_against(SOURCE_LINES)
    matrix = pos.reference_matrix()
    assert matrix.columns.tolist() == [
        "domaine",
        "domaine_libelle",
        "situation",
        "situation_libelle",
        "segment",
        "segment_libelle",
        "role",
        "role_libelle",
        "ligne_source",
    ]
    assert len(matrix) == 35
    assert int(matrix["role"].isna().sum()) == 10
    assert matrix["role"].value_counts().to_dict() == {
        "contributeur": 11,
        "structurant": 8,
        "pivot": 6,
    }
    empty = matrix.loc[matrix["role"].isna(), ["domaine", "situation"]]
    assert list(map(tuple, empty.values)) == [
        ("orientation", "besoin_recrutement"),
        ("orientation", "besoin_accompagnement"),
        ("formation", "besoin_recrutement"),
        ("formation", "besoin_accompagnement"),
        ("insertion", "retour_emploi"),
        ("insertion", "besoin_recrutement"),
        ("insertion", "besoin_accompagnement"),
        ("developpement_economique", "primo_accedant"),
        ("developpement_economique", "eloigne_emploi"),
        ("developpement_economique", "retour_emploi"),
    ]
    assert (matrix["role_libelle"].dropna() == matrix["role"].dropna().str.capitalize()).all()


@pytest.mark.real_data
def test_reference_matrix_against_the_seed_file():
    if not SEED.is_file():
        pytest.skip(f"rapport source absent ({SEED}) : comparaison au texte ignorée")
    text = SEED.read_text(encoding="utf-8").split("\n")
    lines = {n: text[n - 1] for n in range(191, 198)}
    assert lines == SOURCE_LINES
    _check_matrix_against(lines)


def test_an_altered_reference_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "demo").mkdir()
    (tmp_path / "reference").mkdir()
    source = settings.bundled_data_dir() / "reference" / "matrice_positionnement_2010.csv"
    text = source.read_text(encoding="utf-8").replace("Pivot,193", "Piv0t,193", 1)
    (tmp_path / "reference" / "matrice_positionnement_2010.csv").write_text(text, "utf-8")
    monkeypatch.setattr(settings, "bundled_data_dir", lambda: tmp_path)
    with pytest.raises(SchemaError, match="matrice de référence altérée"):
        pos.reference_matrix()


def test_reference_grid():
    grid = pos.positioning_grid()
    assert grid.index.tolist() == list(pos.POSITIONING_DOMAINS.values())
    assert grid.columns.get_level_values(1).tolist() == list(pos.CLIENT_SITUATIONS.values())
    assert (
        grid.columns.get_level_values(0).tolist()
        == ["Demandeurs d'emploi"] * 4 + ["Actifs occupés"] + ["Employeurs"] * 2
    )
    assert int((grid == "").sum().sum()) == 10
    assert grid.loc["Développement économique"].tolist() == [""] * 3 + ["Contributeur"] * 4
    assert grid.loc["Orientation"].tolist() == [
        "Contributeur",
        "Pivot",
        "Pivot",
        "Structurant",
        "Structurant",
        "",
        "",
    ]


# ---------------------------------------------------------------- heatmap


def _cells_drawn(ax):
    rectangles = {p.get_gid(): p for p in ax.patches if p.get_gid()}
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid() and "|" in t.get_gid()}
    return ax, rectangles, texts


def test_heatmap_of_the_reference_matrix():
    ax, rectangles, texts = _cells_drawn(pos.plot_positioning_heatmap())
    assert len(rectangles) == 35
    white = sorted(k for k, p in rectangles.items() if p.get_facecolor()[:3] == (1.0, 1.0, 1.0))
    matrix = pos.reference_matrix()
    empty = matrix.loc[matrix["role"].isna()]
    assert white == sorted(empty["domaine"] + "|" + empty["situation"])
    labelled = texts
    assert len(labelled) == 25
    assert labelled["intermediation|besoin_recrutement"] == "Pivot"
    assert labelled["insertion|reconversion"] == "Structurant"
    assert [t.get_text() for t in ax.get_yticklabels()] == list(pos.POSITIONING_DOMAINS.values())
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == list(
        pos.CLIENT_SITUATIONS.values()
    )
    segments = sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("segment"))
    assert segments == ["Actifs occupés", "Demandeurs d'emploi", "Employeurs"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Pivot", "Structurant", "Contributeur", "Aucun rôle"]


def test_heatmap_of_one_actor_of_a_territory(roles, partners):
    import matplotlib.figure

    fig = matplotlib.figure.Figure()
    ax = fig.add_subplot()
    out = pos.plot_positioning_heatmap(
        roles, territory="Bassin:9901", actor="ML1", partners=partners, ax=ax
    )
    assert out is ax
    _, rectangles, texts = _cells_drawn(out)
    assert texts == {
        "orientation|primo_accedant": "Pivot",
        "intermediation|primo_accedant": "Structurant",
    }
    assert sum(p.get_facecolor()[:3] == (1.0, 1.0, 1.0) for p in rectangles.values()) == 33
    assert ax.get_title() == "Positionnement de Mission locale Nord – bassin:9901"
    with pytest.raises(SchemaError, match="Plusieurs acteurs"):
        pos.plot_positioning_heatmap(roles, territory="bassin:9901")
    with pytest.raises(SchemaError, match="2 territoires"):
        pos.plot_positioning_heatmap(roles, actor="ML1")
    local = pos.pole_emploi_roles(roles)
    _, _, texts = _cells_drawn(pos.plot_positioning_heatmap(local, territory="bassin:9902"))
    assert texts["orientation|eloigne_emploi"] == "Contributeur"
    assert len(texts) == 25


# ---------------------------------------------------------------- small hand-built tables


@pytest.fixture
def communes() -> pd.DataFrame:
    """Commune table of a tiny territory: two bassins of two communes."""
    return pd.DataFrame(
        {
            "commune": ["9A001", "9A002", "9A003", "9A004"],
            "departement": ["9A"] * 4,
            "region": ["99"] * 4,
            "bassin": ["9901", "9901", "9902", "9902"],
        },
        dtype="string",
    )


PARTNERS = [
    {
        "partenaire_id": "ML1",
        "nom": "Mission locale Nord",
        "type": "mission_locale",
        "ressort_communes": ["9A001", "9A002"],
        "operant": True,
        "date_verification": "2025-05-01",
    },
    {
        "partenaire_id": "CD1",
        "nom": "Département 9A",
        "type": "conseil_departemental",
        "ressort_territoire": "departement:9A",
        "operant": True,
        "date_verification": "2024-01-10",
    },
    {
        "partenaire_id": "PLIE1",
        "nom": "PLIE Nord",
        "type": "plie",
        "ressort_communes": ["9A001"],
        "operant": False,
    },
    {
        "partenaire_id": "MDE1",
        "nom": "Maison de l'emploi Sud",
        "type": "maison_emploi",
        "ressort_territoire": "bassin:9902",
        "operant": True,
        "date_verification": "2025-03-01",
    },
    {
        "partenaire_id": "CCI1",
        "nom": "CCI Île",
        "type": "cci",
        "commune": "9A003",
        "operant": True,
        "date_verification": "2023-06-30",
    },
    {
        "partenaire_id": "XYZ1",
        "nom": "Fablab des Îles",
        "type": "autre",
        "ressort_communes": ["9A004"],
        "operant": True,
    },
]


@pytest.fixture
def partners() -> pd.DataFrame:
    """A directory of the exact shape of ``diagnostics.partners.read_partners``."""
    return partners_from_records(PARTNERS)


@pytest.fixture
def ressort(partners, communes) -> pd.DataFrame:
    table = partner_ressort(partners, communes)
    assert table.groupby("partenaire_id", sort=False).size().to_dict() == {
        "ML1": 2,
        "CD1": 4,
        "PLIE1": 1,
        "MDE1": 2,
        "CCI1": 1,
        "XYZ1": 1,
    }
    return table


@pytest.fixture
def types() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "type": [
                "mission_locale",
                "conseil_departemental",
                "plie",
                "ccas",
                "maison_emploi",
                "cci",
            ],
            "libelle": [
                "Mission locale",
                "Conseil départemental",
                "PLIE",
                "CCAS",
                "Maison de l'emploi",
                "CCI",
            ],
            "famille": ["spe", "collectivite", "spe", "social", "spe", "economie"],
            "priorite_nationale": [True, True, True, True, False, False],
        }
    )


RAW_ROLES = pd.DataFrame(
    {
        "territoire": ["bassin:9901"] * 5 + ["bassin:9902"] * 4,
        "acteur": [
            "ML1",
            "ML1",
            "CD1",
            "PLIE1",
            "pole_emploi",
            "MDE1",
            "CCI1",
            "pole_emploi",
            "XYZ1",
        ],
        "domaine": [
            "orientation",
            "intermediation",
            "insertion",
            "intermediation",
            "insertion",
            "developpement_economique",
            "developpement_economique",
            "orientation",
            "formation",
        ],
        "situation": [
            "primo_accedant",
            "primo_accedant",
            "eloigne_emploi",
            "eloigne_emploi",
            "retour_emploi",
            "besoin_recrutement",
            "createur_entreprise",
            "eloigne_emploi",
            "reconversion",
        ],
        "role": [
            "pivot",
            "structurant",
            "pivot",
            "contributeur",
            "pivot",
            "pivot",
            "structurant",
            "contributeur",
            "contributeur",
        ],
        "date_verification": ["2025-01-15", "", "", "", "", "2024-06-30", "", "2023-01-01", ""],
    }
)


@pytest.fixture
def roles(partners) -> pd.DataFrame:
    table = pos.validate_positioning(RAW_ROLES, partners=partners)
    assert problems_of(table) == []
    return table


def test_validated_table(roles):
    assert roles.columns.tolist() == [
        "territoire",
        "niveau",
        "code_territoire",
        "acteur",
        "domaine",
        "situation",
        "role",
        "commentaire",
        "date_verification",
        "ligne",
    ]
    assert roles["ligne"].tolist() == list(range(2, 11))
    assert str(roles["date_verification"].dtype) == "datetime64[ns]"
    assert roles["date_verification"].notna().sum() == 3
    assert roles["niveau"].unique().tolist() == ["bassin"]
    assert roles["code_territoire"].tolist() == ["9901"] * 5 + ["9902"] * 4


def test_read_a_messy_csv(tmp_path, partners, communes):
    text = (
        "Territoire;Acteur;Domaine d'intervention;Situation du client;Rôle;Commentaires;"
        "Date de vérification;Colonne en plus\n"
        "Bassin : 9901;ML1;Orientation;Primo-accédant;Pivot;convention 2025;15/01/2025;x\n"
        "bassin:9901;France Travail;Insertion;Retour à l'emploi;pivot;;;\n"
        "bassin:9901;ML2;orientation;primo_accedant;pivot;;;\n"
        ";;;;;;;\n"
        "bassin:9901;CD1;Indemnisation;primo_accedant;pivot;;;\n"
        "bassin:9901;CD1;insertion;sans abri;pivot;;;\n"
        "bassin:9901;CD1;insertion;eloigne_emploi;chef;;;\n"
        "bassin 9901;CD1;insertion;eloigne_emploi;pivot;;;\n"
        "ville:9A001;CD1;insertion;eloigne_emploi;pivot;;;\n"
        "bassin:9909;CD1;insertion;eloigne_emploi;pivot;;;\n"
        "bassin:9901;ML1;orientation;primo_accedant;pivot;;;\n"
        "bassin:9901;ML1;orientation;primo_accedant;structurant;;;\n"
        "bassin:9901;CD1;insertion;eloigne_emploi;pivot;;31/02/2025;\n"
        "bassin:9901;ML1;;primo_accedant;pivot;;;\n"
    )
    path = tmp_path / "roles.csv"
    path.write_bytes(text.encode("cp1252"))
    table = pos.read_positioning(path, partners=partners, communes=communes)
    assert table[["territoire", "acteur", "domaine", "situation", "role"]].values.tolist() == [
        ["bassin:9901", "ML1", "orientation", "primo_accedant", "pivot"],
        ["bassin:9901", "pole_emploi", "insertion", "retour_emploi", "pivot"],
        ["bassin:9901", "CD1", "insertion", "eloigne_emploi", "pivot"],
    ]
    assert table["ligne"].tolist() == [2, 3, 14]
    assert table["commentaire"].tolist()[:1] == ["convention 2025"]
    assert table["date_verification"].iloc[0] == pd.Timestamp("2025-01-15")
    assert pd.isna(table["date_verification"].iloc[2])
    report = problems_of(table)
    assert [p.line for p in report] == [4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, None]
    problems = report.lines()
    assert all(
        p.startswith(f"roles.csv, ligne {p_.line}")
        for p, p_ in zip(problems[:-1], report, strict=False)
    )
    # the blank line 5 is listed too (issue 14: no row goes without a word)
    assert (
        problems[-1] == "roles.csv : ligne 5 vide, ignorée : vérifiez qu'aucune donnée n'y manque."
    )
    assert "acteur « ML2 » absent de l'annuaire" in problems[0]
    assert "Identifiants proches : ML1" in problems[0]
    assert "« indemnisation » n'est pas dans la grille" in problems[1]
    assert "situation « sans abri » inconnue (colonne 'situation')" in problems[2]
    assert "rôle « chef » inconnu" in problems[3]
    assert "territoire « bassin 9901 » mal formé" in problems[4]
    assert "niveau territorial « ville » inconnu" in problems[5]
    assert "aucune commune n'a le code 9909 au niveau bassin" in problems[6]
    assert problems[7].startswith(
        "roles.csv, ligne 12 : doublon de la ligne 2 pour l'acteur « ML1 »"
    )
    assert problems[8].startswith(
        "roles.csv, ligne 13 : rôle contradictoire (structurant) de la ligne 2"
    )
    assert report[7].action == "écartée" and report[9].action == "corrigée"
    assert "date de vérification « 31/02/2025 » illisible" in problems[9]
    assert "ligne gardée" in problems[9]
    assert problems[10] == (
        "roles.csv, ligne 15 : valeur(s) absente(s) dans 'domaine'. (ligne écartée)"
    )
    report = pos.format_positioning_report(table)
    assert report.startswith(
        "roles.csv : 14 ligne(s) lue(s), 3 retenue(s), 1 ligne(s) vide(s) ignorée(s), "
        "12 problème(s) :"
    )


def test_read_an_excel_workbook(tmp_path, partners):
    import xlsxwriter

    path = tmp_path / "roles.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Rôles")
    sheet.write_row(
        0, 0, ["Territoire", "Partenaire", "Domaine", "Situation", "Rôle", "Vérifié le"]
    )
    sheet.write_row(
        1, 0, ["departement:9a", "CD1", "Insertion", "Personne éloignée de l'emploi", "Pivot"]
    )
    sheet.write_datetime(
        1,
        5,
        pd.Timestamp("2025-02-03").to_pydatetime(),
        book.add_format({"num_format": "dd/mm/yyyy"}),
    )
    sheet.write_row(2, 0, ["region:99", "ZZZ", "Insertion", "reconversion", "pivot"])
    book.close()
    table = pos.read_positioning(path, partners=partners)
    assert table[["territoire", "acteur", "situation", "role"]].values.tolist() == [
        ["departement:9A", "CD1", "eloigne_emploi", "pivot"]
    ]
    assert table["date_verification"].tolist() == [pd.Timestamp("2025-02-03")]
    assert len(problems_of(table)) == 1


def test_blank_template_reads_as_an_empty_table():
    table = pos.read_positioning(
        settings.bundled_data_dir() / "positionnement" / "modele_roles.csv"
    )
    assert table.empty
    assert table.columns.tolist()[:7] == [
        "territoire",
        "niveau",
        "code_territoire",
        "acteur",
        "domaine",
        "situation",
        "role",
    ]
    assert pos.format_positioning_report(table) == (
        "modele_roles.csv : 0 ligne(s) lue(s), 0 retenue(s), aucun problème."
    )


def test_missing_column_and_unusable_file(tmp_path):
    path = tmp_path / "roles.csv"
    path.write_text("territoire,acteur,domaine,role\nbassin:9901,ML1,insertion,pivot\n")
    with pytest.raises(SchemaError, match=r"roles.csv : colonne\(s\) absente\(s\).*'situation'"):
        pos.read_positioning(path)
    path.write_text("territoire,acteur,domaine,situation,role\nbassin:9901,ML1,insertion,x,pivot\n")
    with pytest.raises(SchemaError, match="aucune ligne utilisable") as error:
        pos.read_positioning(path)
    assert len(error.value.problems) == 1


def test_pole_emploi_roles_fall_back_on_the_reference(roles):
    pe = pos.pole_emploi_roles(roles)
    assert len(pe) == 70
    local = pe.loc[pe["origine_role"] == "positionnement local"]
    assert local[
        ["territoire", "domaine", "situation", "role_pole_emploi", "role_reference"]
    ].astype(object).where(local.notna(), None).values.tolist() == [
        ["bassin:9901", "insertion", "retour_emploi", "pivot", None],
        ["bassin:9902", "orientation", "eloigne_emploi", "contributeur", "pivot"],
    ]
    assert local["ecart_reference"].tolist() == [True, True]
    assert int(pe["ecart_reference"].sum()) == 2
    assert int(pe["role_pole_emploi"].isna().sum()) == 9 + 10
    assert pe["origine_role"].value_counts().to_dict() == {
        "matrice de référence 2010": 49,
        "positionnement local": 2,
    }


def test_cells_without_pivot(roles, partners):
    gaps = pos.cells_without_pivot(roles, partners=partners)
    assert gaps["territoire"].value_counts().to_dict() == {"bassin:9902": 29, "bassin:9901": 26}
    first = gaps.iloc[0]
    assert first[["territoire", "domaine", "situation", "nb_acteurs"]].tolist() == [
        "bassin:9901",
        "intermediation",
        "primo_accedant",
        2,
    ]
    assert first["acteurs"] == (
        "Pôle emploi (France Travail) (structurant) ; Mission locale Nord (structurant)"
    )
    assert first["constat"] == "des acteurs positionnés, aucun pivot"
    second = gaps.iloc[1]
    assert second["acteurs"] == (
        "Pôle emploi (France Travail) (structurant) ; PLIE Nord (contributeur)"
    )
    empty = gaps.loc[gaps["constat"] == "aucun acteur positionné"]
    assert empty.groupby("territoire").size().to_dict() == {"bassin:9901": 9, "bassin:9902": 10}
    assert (empty["nb_acteurs"] == 0).all() and (empty["acteurs"] == "").all()
    # Pôle emploi is pivot in 9902 orientation × retour, not in orientation × éloigné any more.
    keys_9902 = set(
        map(tuple, gaps.loc[gaps["territoire"] == "bassin:9902", ["domaine", "situation"]].values)
    )
    assert ("orientation", "eloigne_emploi") in keys_9902
    assert ("orientation", "retour_emploi") not in keys_9902
    assert ("developpement_economique", "besoin_recrutement") not in keys_9902
    assert gaps.columns.tolist() == [
        "territoire",
        "domaine",
        "domaine_libelle",
        "situation",
        "situation_libelle",
        "nb_acteurs",
        "acteurs",
        "constat",
    ]


def test_pole_emploi_unsupported_cells(roles, partners):
    gaps = pos.pole_emploi_unsupported_cells(roles, partners=partners)
    assert gaps["territoire"].value_counts().to_dict() == {"bassin:9901": 14, "bassin:9902": 12}
    keys = list(map(tuple, gaps[["territoire", "domaine", "situation"]].values))
    # supported: the mission locale next to Pôle emploi; the fablab (operant unknown)
    assert ("bassin:9901", "intermediation", "primo_accedant") not in keys
    assert ("bassin:9902", "formation", "reconversion") not in keys
    assert ("bassin:9901", "insertion", "retour_emploi") in keys
    dormant = gaps.loc[gaps["partenaires_non_operants"].notna()]
    assert dormant[["territoire", "domaine", "situation", "role_pole_emploi"]].values.tolist() == [
        ["bassin:9901", "intermediation", "eloigne_emploi", "structurant"]
    ]
    assert dormant["partenaires_non_operants"].tolist() == ["PLIE Nord"]
    assert dormant["constat"].tolist() == ["seulement des partenaires non opérants"]
    assert set(gaps["constat"]) == {
        "aucun partenaire positionné",
        "seulement des partenaires non opérants",
    }
    local = gaps.loc[gaps["origine_role"] == "positionnement local"]
    assert local[["territoire", "domaine", "situation"]].values.tolist() == [
        ["bassin:9901", "insertion", "retour_emploi"]
    ]
    # without a directory every partner counts as operating
    assert len(pos.pole_emploi_unsupported_cells(roles)) == 25


def test_pivots_to_support(roles, partners):
    table = pos.pivots_to_support(roles, partners=partners)
    assert table["territoire"].value_counts().to_dict() == {"bassin:9902": 12, "bassin:9901": 11}
    supported = table.loc[table["pivot"].notna()]
    assert supported[
        ["territoire", "domaine", "situation", "pivot", "pivot_nom"]
    ].values.tolist() == [
        ["bassin:9901", "orientation", "primo_accedant", "ML1", "Mission locale Nord"],
        ["bassin:9901", "insertion", "eloigne_emploi", "CD1", "Département 9A"],
        [
            "bassin:9902",
            "developpement_economique",
            "besoin_recrutement",
            "MDE1",
            "Maison de l'emploi Sud",
        ],
    ]
    assert supported["constat"].tolist() == ["pivot local à soutenir"] * 3
    assert supported["pivot_type_libelle"].tolist() == [
        "Mission locale",
        "Conseil départemental (ex-Conseil général)",
        "Maison de l'emploi",
    ]
    none = table.loc[table["pivot"].isna()]
    assert (none["constat"] == "aucun pivot local à soutenir").all()
    local = table.loc[table["origine_role"] == "positionnement local"]
    assert local[["territoire", "domaine", "situation"]].values.tolist() == [
        ["bassin:9902", "orientation", "eloigne_emploi"]
    ]


def test_missing_priority_types(roles, partners, communes, ressort, types):
    table = pos.missing_priority_types(roles, partners, communes, ressort=ressort, types=types)
    expected = pd.DataFrame(
        {
            "territoire": ["bassin:9901"] * 2 + ["bassin:9902"] * 4,
            "type": ["plie", "ccas", "mission_locale", "conseil_departemental", "plie", "ccas"],
            "type_libelle": [
                "PLIE",
                "CCAS",
                "Mission locale",
                "Conseil départemental",
                "PLIE",
                "CCAS",
            ],
            "nb_structures": [1, 0, 0, 1, 0, 0],
            "nb_operantes": [0, 0, 0, 1, 0, 0],
            "nb_positionnees": [1, 0, 0, 0, 0, 0],
            "constat": [
                "présent mais non opérant",
                "absent de l'annuaire",
                "absent de l'annuaire",
                "présent mais non positionné",
                "absent de l'annuaire",
                "absent de l'annuaire",
            ],
        }
    )
    for column in ("territoire", "type", "type_libelle", "constat"):
        expected[column] = expected[column].astype("string")
    assert_frame_equal(table, expected)


def test_actors_outside_priorities(roles, partners, types):
    table = pos.actors_outside_priorities(roles, partners, types=types)
    expected = pd.DataFrame(
        {
            "territoire": ["bassin:9902"] * 3,
            "acteur": ["CCI1", "MDE1", "XYZ1"],
            "acteur_nom": ["CCI Île", "Maison de l'emploi Sud", "Fablab des Îles"],
            "type": ["cci", "maison_emploi", "autre"],
            "type_libelle": [
                "Chambre de commerce et d'industrie (CCI)",
                "Maison de l'emploi",
                "Autre",
            ],
            "nb_cellules": [1, 1, 1],
            "roles": ["structurant : 1", "pivot : 1", "contributeur : 1"],
            "constat": [
                "type hors priorités nationales",
                "type hors priorités nationales",
                "type non reconnu par la typologie",
            ],
        }
    )
    for column in expected.columns:
        if column != "nb_cellules":
            expected[column] = expected[column].astype("string")
    assert_frame_equal(table, expected)


def test_stale_positioning_entries(roles, partners):
    table = pos.stale_positioning_entries(roles, partners, months=12, date="2025-06-30")
    assert table[["territoire", "acteur", "domaine", "situation"]].values.tolist() == [
        ["bassin:9901", "PLIE1", "intermediation", "eloigne_emploi"],
        ["bassin:9901", "CD1", "insertion", "eloigne_emploi"],
        ["bassin:9902", "pole_emploi", "orientation", "eloigne_emploi"],
        ["bassin:9902", "XYZ1", "formation", "reconversion"],
        ["bassin:9902", "CCI1", "developpement_economique", "createur_entreprise"],
    ]
    assert table["anciennete_mois"].tolist() == [pd.NA, 17, 29, pd.NA, 24]
    assert table["origine_date"].tolist() == [
        pd.NA,
        "annuaire",
        "positionnement",
        pd.NA,
        "annuaire",
    ]
    assert table["constat"].tolist() == [
        "jamais vérifiée",
        "vérification de plus de 12 mois",
        "vérification de plus de 12 mois",
        "jamais vérifiée",
        "vérification de plus de 12 mois",
    ]
    assert table["acteur_nom"].tolist()[:2] == ["PLIE Nord", "Département 9A"]
    # 2024-06-30 is exactly 12 months before: not stale yet; one day later it is.
    later = pos.stale_positioning_entries(
        roles, partners, months=12, date="2025-07-01", include_undated=False
    )
    assert "MDE1" in later["acteur"].tolist()
    assert later.loc[later["acteur"] == "MDE1", "anciennete_mois"].item() == 12
    assert len(later) == 4
    recent = pos.stale_positioning_entries(roles, partners, months=36, date="2025-06-30")
    assert recent["constat"].tolist() == ["jamais vérifiée"] * 2
    with pytest.raises(ValueError, match="months"):
        pos.stale_positioning_entries(roles, months=-1)


def test_positioning_gaps_bundle(roles, partners, communes, ressort, types):
    before = roles.copy()
    gaps = pos.positioning_gaps(
        roles, partners, communes, ressort=ressort, types=types, months=12, date="2025-06-30"
    )
    assert list(gaps) == [
        "synthese",
        "cellules_sans_pivot",
        "pole_emploi_sans_appui",
        "pivots_a_soutenir",
        "types_prioritaires_absents",
        "acteurs_hors_priorites",
        "entrees_perimees",
    ]
    expected = pd.DataFrame(
        {
            "territoire": pd.array(["bassin:9901", "bassin:9902"], dtype="string"),
            "cellules_sans_pivot": [26, 29],
            "pole_emploi_sans_appui": [14, 12],
            "contributions_sans_pivot": [9, 11],
            "types_prioritaires_absents": [2, 4],
            "acteurs_hors_priorites": [0, 3],
            "entrees_perimees": [2, 3],
        }
    )
    assert_frame_equal(gaps["synthese"], expected)
    assert_frame_equal(roles, before)


def test_territory_grid_lists_the_actors(roles, partners):
    grid = pos.positioning_grid(roles, territory="bassin:9901", partners=partners)
    assert grid.loc["Intermédiation", ("Demandeurs d'emploi", "Primo-accédant")] == (
        "Structurant : Mission locale Nord"
    )
    assert grid.loc["Insertion", ("Demandeurs d'emploi", "Retour à l'emploi")] == (
        "Pivot : Pôle emploi (France Travail)"
    )
    alone = pos.positioning_grid(roles, territory="bassin:9901", actor="ML1")
    assert alone.loc["Orientation", ("Demandeurs d'emploi", "Primo-accédant")] == "Pivot"
    assert int((alone != "").sum().sum()) == 2
    two = pd.concat(
        [roles, roles.iloc[[2]].assign(acteur="PLIE1", role="structurant")], ignore_index=True
    )
    grid = pos.positioning_grid(two, territory="bassin:9901", partners=partners)
    assert grid.loc["Insertion", ("Demandeurs d'emploi", "Personne éloignée de l'emploi")] == (
        "Pivot : Département 9A ; Structurant : PLIE Nord"
    )
    with pytest.raises(SchemaError, match="2 territoires"):
        pos.positioning_grid(roles)
    with pytest.raises(UnknownTerritoryError, match="bassin:9903 absent") as error:
        pos.positioning_grid(roles, territory="bassin:9903")
    assert sorted(error.value.suggestions) == ["bassin:9901", "bassin:9902"]


def test_missing_priority_types_with_the_national_typology(roles, partners, communes):
    table = pos.missing_priority_types(roles, partners, communes)
    prioritised = set(PARTNER_TYPES.loc[PARTNER_TYPES["priorite_nationale"], "type"])
    assert set(table["type"]) <= prioritised
    n = len(prioritised)
    # 9901: the mission locale and the département are present, operating and positioned.
    assert table.groupby("territoire").size().to_dict() == {"bassin:9901": n - 2, "bassin:9902": n}
    constat = table.set_index(["territoire", "type"])["constat"]
    assert constat[("bassin:9901", "plie")] == "présent mais non opérant"
    assert constat[("bassin:9902", "conseil_departemental")] == "présent mais non positionné"
    assert constat[("bassin:9902", "mission_locale")] == "absent de l'annuaire"


def test_an_empty_positioning_gives_empty_gaps(partners, communes):
    table = pos.read_positioning(
        settings.bundled_data_dir() / "positionnement" / "modele_roles.csv"
    )
    gaps = pos.positioning_gaps(table, partners, communes, date="2026-06-30")
    assert {name: len(frame) for name, frame in gaps.items()} == dict.fromkeys(gaps, 0)
    assert pos.positioning_grid(table).shape == (5, 7)


# ---------------------------------------------------------------- the demonstration files


@pytest.fixture(scope="module")
def demo_script():
    """``scripts/demo/demo_positioning.py``, imported as a module."""
    spec = importlib.util.spec_from_file_location(
        "demo_positioning", ROOT / "scripts" / "demo" / "demo_positioning.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_positioning"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["demo_positioning"]


@pytest.fixture(scope="module")
def demo_communes() -> pd.DataFrame:
    demo = settings.demo_dir()
    return territories.commune_table(
        referentials.read_communes_population(demo / "communes_population.json"),
        bassin=referentials.read_commune_bassin(demo / "commune_bassin_bmo.csv"),
        zone_emploi=referentials.read_commune_zone_emploi(demo / "commune_zone_emploi.csv"),
        clpe=referentials.read_commune_clpe(demo / "commune_clpe.csv"),
    )


@pytest.fixture(scope="module")
def demo_partners() -> pd.DataFrame:
    return read_partners(settings.demo_dir() / "partenaires.csv")


@pytest.fixture(scope="module")
def demo_roles(demo_partners, demo_communes) -> pd.DataFrame:
    return pos.read_positioning(
        settings.demo_dir() / "positionnement.csv",
        partners=demo_partners,
        communes=demo_communes,
    )


@pytest.fixture(scope="module")
def demo_gaps(demo_roles, demo_partners, demo_communes, demo_script):
    return pos.positioning_gaps(
        demo_roles, demo_partners, demo_communes, date=demo_script.DEMO_DATE
    )


def test_demo_file_is_deterministic_and_up_to_date(
    demo_script, demo_partners, demo_communes, tmp_path
):
    first = demo_script.write_demo_positioning(
        tmp_path / "a", demo_partners, seed=20240417, communes=demo_communes
    )
    second = demo_script.write_demo_positioning(
        tmp_path / "b", demo_partners, seed=20240417, communes=demo_communes
    )
    assert first.read_bytes() == second.read_bytes()
    committed = settings.demo_dir() / "positionnement.csv"
    assert first.read_bytes() == committed.read_bytes(), (
        "data/demo/positionnement.csv est périmé : relancez python scripts/demo/demo_positioning.py"
    )
    other = demo_script.write_demo_positioning(
        tmp_path / "c", demo_partners, seed=1, communes=demo_communes
    )
    assert other.read_bytes() != first.read_bytes()


def test_demo_file_reads_cleanly(demo_roles):
    report = demo_roles.attrs["rapport"]
    assert (report["lignes"], report["retenues"]) == (356, 356)
    assert problems_of(demo_roles) == []
    assert demo_roles.groupby("territoire").size().to_dict() == {
        "bassin:9901": 43,
        "bassin:9902": 29,
        "bassin:9903": 37,
        "bassin:9904": 37,
        "bassin:9905": 31,
        "bassin:9906": 39,
        "bassin:9907": 37,
        "bassin:9908": 32,
        "bassin:9909": 35,
        "bassin:9910": 36,
    }
    assert set(demo_roles["role"]) == set(pos.POSITIONING_ROLES)


def test_demo_gap_summary(demo_gaps):
    expected = pd.DataFrame(
        {
            "territoire": pd.array([f"bassin:99{n:02d}" for n in range(1, 11)], dtype="string"),
            "cellules_sans_pivot": [18, 23, 21, 21, 20, 21, 22, 23, 20, 21],
            "pole_emploi_sans_appui": [3, 6, 4, 5, 7, 3, 5, 7, 3, 2],
            "contributions_sans_pivot": [1, 5, 4, 4, 3, 4, 4, 5, 2, 4],
            "types_prioritaires_absents": [9, 13, 10, 11, 12, 11, 10, 11, 13, 14],
            "acteurs_hors_priorites": [16, 10, 12, 9, 10, 10, 10, 10, 12, 10],
            "entrees_perimees": [6, 4, 6, 5, 2, 3, 4, 5, 2, 3],
        }
    )
    assert_frame_equal(demo_gaps["synthese"], expected)
    constats = {
        name: frame["constat"].value_counts().to_dict()
        for name, frame in demo_gaps.items()
        if name != "synthese"
    }
    assert constats == {
        "cellules_sans_pivot": {
            "des acteurs positionnés, aucun pivot": 136,
            "aucun acteur positionné": 74,
        },
        "pole_emploi_sans_appui": {
            "aucun partenaire positionné": 44,
            "seulement des partenaires non opérants": 1,
        },
        "pivots_a_soutenir": {"pivot local à soutenir": 74, "aucun pivot local à soutenir": 36},
        "types_prioritaires_absents": {
            "présent mais non positionné": 66,
            "absent de l'annuaire": 41,
            "présent mais non opérant": 7,
        },
        "acteurs_hors_priorites": {"type hors priorités nationales": 109},
        "entrees_perimees": {"vérification de plus de 24 mois": 37, "jamais vérifiée": 3},
    }


def test_demo_scenarios_are_found(demo_roles, demo_gaps):
    # 9905: a structure flagged non-operating is Pôle emploi's only partner in one cell.
    alone = demo_gaps["pole_emploi_sans_appui"]
    dormant = alone.loc[alone["constat"] == "seulement des partenaires non opérants"]
    assert dormant[["territoire", "domaine", "situation", "role_pole_emploi"]].values.tolist() == [
        ["bassin:9905", "orientation", "eloigne_emploi", "pivot"]
    ]
    # 9906: two local roles of Pôle emploi depart from the reference matrix.
    pe = pos.pole_emploi_roles(demo_roles)
    departures = pe.loc[pe["ecart_reference"]]
    assert departures[
        ["territoire", "domaine", "situation", "role_pole_emploi", "role_reference"]
    ].values.tolist() == [
        ["bassin:9906", "orientation", "eloigne_emploi", "contributeur", "pivot"],
        [
            "bassin:9906",
            "developpement_economique",
            "besoin_recrutement",
            "structurant",
            "contributeur",
        ],
    ]
    assert int((pe["origine_role"] == "positionnement local").sum()) == 4
    support = demo_gaps["pivots_a_soutenir"].set_index(["territoire", "domaine", "situation"])
    # 9902: no mission locale positioned, so no pivot for first-time job seekers.
    for domain in ("orientation", "insertion"):
        assert support.loc[("bassin:9902", domain, "primo_accedant"), "constat"] == (
            "aucun pivot local à soutenir"
        )
    # 9908: no Conseil départemental positioned, so no pivot for people far from employment.
    assert support.loc[("bassin:9908", "insertion", "eloigne_emploi"), "constat"] == (
        "aucun pivot local à soutenir"
    )
    # 9904: no business-creation network.
    for domain in ("insertion", "developpement_economique"):
        assert pd.isna(support.loc[("bassin:9904", domain, "createur_entreprise"), "pivot"])
    missing = demo_gaps["types_prioritaires_absents"].set_index(["territoire", "type"])
    assert missing.loc[("bassin:9902", "mission_locale"), "constat"] == (
        "présent mais non positionné"
    )
    stale = demo_gaps["entrees_perimees"]
    assert stale["origine_date"].value_counts(dropna=False).to_dict() == {
        "positionnement": 33,
        "annuaire": 4,
        pd.NA: 3,
    }
    assert (stale.loc[stale["anciennete_mois"].notna(), "anciennete_mois"] >= 24).all()
