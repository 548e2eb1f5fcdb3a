from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from geo import referentials, territories
from geo._errors import SchemaError, UnknownTerritoryError
from geo.tables import normalize_header


@pytest.fixture
def table():
    communes = pd.DataFrame(
        {
            "commune": ["01001", "01002", "01003", "44109"],
            "commune_nom": ["A", "B", "C", "Nantes"],
            "population": [10, 20, 30, 300],
        }
    )
    bassin = pd.DataFrame(
        {
            "commune": ["01001", "01002", "01003", "44109"],
            "bassin": ["8401", "8401", "8402", "5216"],
            "bassin_nom": ["UN", "UN", "DEUX", "NANTES"],
            "region": ["84", "84", "84", "52"],
        }
    )
    return territories.commune_table(communes, bassin=bassin, population=communes)


def test_commune_table_has_every_level_and_never_invents(table):
    assert table.loc[0, ["departement", "region", "bassin", "bassin_nom"]].tolist() == [
        "01",
        "84",
        "8401",
        "UN",
    ]
    assert table["zone_emploi"].isna().all()  # not given: missing, not invented


def test_territory_of_each_level_with_normalised_codes(table):
    t = territories.territory(table, "bassin", 8401)
    assert (t.level, t.code, t.name, t.communes) == ("bassin", "8401", "Un", ("01001", "01002"))
    assert t.raw_name == "UN"  # as the correspondence file spells it
    assert territories.territory(table, "departement", 1).communes == ("01001", "01002", "01003")
    assert territories.territory(table, "region", "52").communes == ("44109",)
    assert territories.territory(table, "commune", 1003).name == "C"
    assert t.label == "bassin d'emploi BMO 8401 – Un"


def test_unknown_territory_lists_close_codes(table):
    with pytest.raises(UnknownTerritoryError, match="Codes proches : .*8401") as err:
        territories.territory(table, "bassin", "8409")
    assert {"8401", "8402"} <= set(err.value.suggestions)
    with pytest.raises(SchemaError, match="Niveau territorial inconnu : 'canton'"):
        territories.territory(table, "canton", "1")


def test_list_territories_counts_communes_and_population(table):
    out = territories.list_territories(table, "bassin")
    assert out.to_dict("records") == [
        {"code": "5216", "nom": "Nantes", "nb_communes": 1, "population": 300},
        {"code": "8401", "nom": "Un", "nb_communes": 2, "population": 30},
        {"code": "8402", "nom": "Deux", "nb_communes": 1, "population": 30},
    ]


def test_project_territory_from_communes_and_from_polygon(table):
    t = territories.project_territory("Vallée de l'Ain", communes=[1001, "01003"], table=table)
    assert (t.level, t.code, t.communes) == ("projet", "vallee-de-l-ain", ("01001", "01003"))
    grid = gpd.GeoDataFrame(
        {"commune": ["01001", "01002", "01003"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)],
        crs="EPSG:2154",
    )
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 1600, 1000)], crs="EPSG:2154")
    assert territories.project_territory("Ouest", polygon=area, commune_polygons=grid).communes == (
        "01001",
        "01002",
    )
    with pytest.raises(SchemaError, match="inconnue\\(s\\) du référentiel : 09999"):
        territories.project_territory("X", communes=["09999"], table=table)
    with pytest.raises(SchemaError, match="soit une liste de communes, soit un polygone"):
        territories.project_territory("X")


def test_demo_levels_do_not_coincide(demo_dir):
    pop = referentials.read_communes_population(demo_dir / "communes_population.json")
    table = territories.commune_table(
        pop,
        bassin=referentials.read_commune_bassin(demo_dir / "commune_bassin_bmo.csv"),
        zone_emploi=referentials.read_commune_zone_emploi(demo_dir / "commune_zone_emploi.csv"),
        clpe=referentials.read_commune_clpe(demo_dir / "commune_clpe.csv"),
        population=pop,
        departements=referentials.read_departements(demo_dir / "departements.csv"),
        regions=referentials.read_regions(demo_dir / "regions.csv"),
    )
    assert table[["bassin", "zone_emploi", "clpe", "population"]].notna().all().all()
    assert "fictive" in table["region_nom"].iloc[0]
    region = territories.territory(table, "region", "99")
    assert len(region) == len(table)
    pairs = table.groupby("zone_emploi")["bassin"].nunique()
    assert (pairs > 1).any()


@pytest.mark.real_data
def test_real_commune_table_and_territories(shared_data):
    ref = shared_data / "referentiels"
    pop = referentials.read_communes_population(ref / "communes_population.json")
    table = territories.commune_table(
        pop, bassin=referentials.read_commune_bassin(ref / "commune_bassin_bmo.csv"), population=pop
    )
    pdl = territories.territory(table, "region", 52)
    assert len(pdl) == 1228
    bassins = territories.list_territories(table[table["region"] == "52"], "bassin")
    # 26 bassins of the région, plus Redon (Bretagne) which takes 3 communes of Loire-Atlantique.
    assert bassins["code"].str.startswith("52").sum() == 26
    assert bassins.set_index("code").loc["5313", "nb_communes"] == 3
    nantes = territories.territory(table, "bassin", 5220)
    assert nantes.name == "Nantes" and nantes.raw_name == "NANTES" and "44109" in nantes.communes


@pytest.mark.parametrize(
    ("raw", "communes", "expected"),
    [
        ("LES SABLES D OLONNES", ["Olonne-sur-Mer", "Les Sables-d'Olonne"], "Les Sables-d'Olonne"),
        ("NANTES", ["Rezé", "Nantes"], "Nantes"),
        ("ST NAZAIRE", [], "Saint-Nazaire"),
        ("ST NAZAIRE", ["Saint-Nazaire"], "Saint-Nazaire"),
        ("LA ROCHE SUR YON", ["Aizenay", "La Roche-sur-Yon"], "La Roche-sur-Yon"),
        ("FONTENAY LE CTE", ["Fontenay-le-Comte"], "Fontenay-le-Comte"),
        ("CHATEAUBRIANT", ["Châteaubriant"], "Châteaubriant"),
        # named after the first words of a commune renamed or merged since
        ("LA BAULE", ["La Baule-Escoublac", "Guérande"], "La Baule"),
        ("CHATEAU GONTIER", ["Château-Gontier-sur-Mayenne"], "Château-Gontier"),
        # two communes, or a commune inside a longer name
        ("SAINT LO COUTANCES", ["Coutances", "Saint-Lô"], "Saint-Lô Coutances"),
        ("PAYS D ARLES", ["Arles"], "Pays d'Arles"),
        # no commune of that name: French title case
        ("LES SABLES D OLONNES", [], "Les Sables d'Olonnes"),
        ("VALLEE DE L ARVE", ["Cluses"], "Vallee de l'Arve"),
        ("LURE  / HERICOURT ", [], "Lure / Hericourt"),
        ("PAYS BASQUE", ["Béhasque-Lapiste"], "Pays Basque"),  # no typo that far
        ("ZONE 1 VEGICOURT", [], "Zone 1 Vegicourt"),
        ("LE", ["Le Mans"], "Le"),  # an article alone names no commune
        # already written by people (Insee's zones d'emploi): kept
        ("Les Herbiers-Montaigu", ["Les Herbiers"], "Les Herbiers-Montaigu"),
        ("T12 Grand-Orly Seine Bièvre", [], "T12 Grand-Orly Seine Bièvre"),
    ],
)
def test_display_name_writes_names_as_people_do(raw, communes, expected):
    assert territories.display_name(raw, communes) == expected


def test_named_after_gives_the_communes_of_the_name():
    names = ["Carmaux", "Albi", "Castres"]
    assert territories.named_after("ALBI CARMAUX", names) == [1, 0]
    assert territories.named_after("Nantes", ["Rezé", "Nantes"]) == [1]
    assert territories.named_after("PAYS BASQUE", ["Bayonne"]) == []


def test_display_names_compares_each_territory_with_its_own_communes(table):
    raw = pd.Series({"5216": "NANTES", "8401": "UN", "9999": pd.NA}, dtype="string")
    shown = territories.display_names(table, "bassin", raw)
    assert shown.astype(object).where(shown.notna(), None).to_dict() == {
        "5216": "Nantes",
        "8401": "Un",
        "9999": None,
    }


@pytest.mark.real_data
def test_real_bassin_names_are_written_as_people_do(shared_data):
    """No bassin of a région keeps the capitals of the correspondence file.

    The commune the bassin is named after, when there is one, lends its COG spelling.
    """
    ref = shared_data / "referentiels"
    pop = referentials.read_communes_population(ref / "communes_population.json")
    correspondence = referentials.read_commune_bassin(ref / "commune_bassin_bmo.csv")
    table = territories.commune_table(pop, bassin=correspondence, population=pop)
    region = table.loc[table["commune"] == "44109", "region"].iloc[0]
    listing = territories.list_territories(table[table["region"] == region], "bassin")
    raw = correspondence.drop_duplicates("bassin").set_index("bassin")["bassin_nom"]
    listing["brut"] = listing["code"].map(raw)
    capitals = listing[listing["brut"] == listing["brut"].str.upper()]
    assert len(capitals) > 0  # the file spells them in capitals
    assert not (capitals["nom"] == capitals["nom"].str.upper()).any()
    # where the folded name is that of one of the bassin's communes, its COG name is used
    for code, nom, brut in zip(capitals["code"], capitals["nom"], capitals["brut"], strict=True):
        own = table.loc[table["bassin"] == code, "commune_nom"].dropna()
        folded = {normalize_header(n): n for n in own}
        if normalize_header(brut) in folded:
            assert nom == folded[normalize_header(brut)], (code, brut, nom)
