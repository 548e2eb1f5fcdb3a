from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from geo import referentials, territories
from geo._errors import AmbiguousTerritoryError, SchemaError, UnknownTerritoryError
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


# --------------------------------------------------------------------------- by name


@pytest.fixture
def demo_table(demo_dir):
    pop = referentials.read_communes_population(demo_dir / "communes_population.json")
    return territories.commune_table(
        pop,
        bassin=referentials.read_commune_bassin(demo_dir / "commune_bassin_bmo.csv"),
        zone_emploi=referentials.read_commune_zone_emploi(demo_dir / "commune_zone_emploi.csv"),
        clpe=referentials.read_commune_clpe(demo_dir / "commune_clpe.csv"),
        population=pop,
        departements=referentials.read_departements(demo_dir / "departements.csv"),
        regions=referentials.read_regions(demo_dir / "regions.csv"),
    )


@pytest.mark.parametrize(
    ("level", "text", "code"),
    [
        # the file spells « SAINT JEVROCOURT »; case, accents, hyphens, spaces do not count
        ("bassin", "Saint-Jévrocourt", "9908"),
        ("bassin", "saint jevrocourt", "9908"),
        ("bassin", "ST-JEVROCOURT", "9908"),
        ("bassin", "saintjévrocourt", "9908"),
        ("bassin", "  vegicourt ", "9901"),
        ("bassin", "Le Babounon", "9906"),
        ("bassin", "babounon", "9906"),  # whole words of one name only
        ("bassin", 9901, "9901"),
        ("departement", "cote brumaire", "9B"),
        ("departement", "Val de Lisandre", "9C"),
        ("departement", "9c", "9C"),
        ("region", "Île-Démonstration", "99"),
        ("zone_emploi", "lacherine", "9905"),
        ("clpe", "zone 2 saint lounirac", "CLPE9A002"),
        ("commune", "nonette", "9B053"),
    ],
)
def test_territory_by_name_on_the_demo(demo_table, level, text, code):
    assert territories.territory(demo_table, level, text).code == code


def test_an_exact_code_wins_over_a_name():
    names = pd.Series({"0044": "SAINT NAZAIRE", "5225": "44"})
    assert territories.resolve_territory_code("bassin", "44", names) == "0044"
    assert territories.resolve_territory_code("bassin", "st nazaire", names) == "0044"


def test_an_exact_name_wins_over_names_that_hold_it():
    names = pd.Series({"42": "Loire", "44": "Loire-Atlantique", "49": "Maine-et-Loire"})
    assert territories.resolve_territory_code("departement", "LOIRE", names) == "42"
    assert territories.resolve_territory_code("departement", "atlantique", names) == "44"
    with pytest.raises(AmbiguousTerritoryError) as err:
        territories.resolve_territory_code(
            "departement",
            "et loire",
            pd.Series({"37": "Indre-et-Loire", "49": "Maine-et-Loire", "71": "Saône-et-Loire"}),
        )
    assert err.value.suggestions == ["37", "49", "71"]


def test_an_ambiguous_name_lists_the_candidates_with_their_codes(demo_table):
    with pytest.raises(AmbiguousTerritoryError) as err:
        territories.territory(demo_table, "bassin", "Saint")
    assert str(err.value) == (
        "Plusieurs bassins d'emploi BMO correspondent à « Saint » dans le référentiel : "
        "9902 Saint-Lounirac, 9908 Saint-Jévrocourt. Précisez le code (--code 9902, par "
        "exemple) ou le nom complet."
    )
    assert err.value.suggestions == ["9902", "9908"]
    assert isinstance(err.value, UnknownTerritoryError)  # callers that catch it still do


def test_an_unknown_name_suggests_close_names_and_the_fix(demo_table):
    with pytest.raises(UnknownTerritoryError) as err:
        territories.territory(
            demo_table, "bassin", "Vegicour", source="le référentiel commune_bassin_bmo.csv"
        )
    assert str(err.value) == (
        "Bassin d'emploi BMO « Vegicour » inconnu dans le référentiel commune_bassin_bmo.csv "
        "(10 bassins d'emploi BMO connus). Noms proches : 9901 Vegicourt. Écrivez le code ou "
        "le nom d'un bassin d'emploi BMO connu (majuscules, accents et tirets sont "
        "indifférents), ou vérifiez le niveau demandé."
    )
    assert err.value.suggestions == ["9901"]
    with pytest.raises(UnknownTerritoryError) as err:
        territories.territory(demo_table, "region", "Bretagne")
    assert str(err.value) == (
        "Région « Bretagne » inconnue dans le référentiel (1 région connue). Par exemple : "
        "99 Île-Démonstration (région fictive). Écrivez le code ou le nom d'une région connue "
        "(majuscules, accents et tirets sont indifférents), ou vérifiez le niveau demandé."
    )


def test_an_unknown_code_suggests_close_codes(demo_table):
    with pytest.raises(UnknownTerritoryError) as err:
        territories.territory(demo_table, "bassin", "9991")
    assert str(err.value) == (
        "Bassin d'emploi BMO « 9991 » inconnu dans le référentiel (10 bassins d'emploi BMO "
        "connus). Codes proches : 9910, 9909, 9901, 9908, 9907. Vérifiez le code, le niveau "
        "demandé et le millésime du référentiel."
    )


def test_names_unknown_to_the_source_ask_for_the_code():
    names = pd.Series(pd.NA, index=["44", "49"], dtype=object)
    with pytest.raises(UnknownTerritoryError, match="ne sont pas connus ici : écrivez le code"):
        territories.resolve_territory_code("departement", "Loire-Atlantique", names)


@pytest.mark.real_data
def test_real_territories_by_name(shared_data):
    """« Nantes », « Saint Nazaire », « Loire-Atlantique », « Pays de la Loire » by name.

    The expected codes are read from the files themselves, not from the library.
    """
    ref = shared_data / "referentiels"
    raw_bassins = pd.read_csv(ref / "commune_bassin_bmo.csv", dtype=str)
    labels = raw_bassins.drop_duplicates("code_bassin_BMO").set_index("lib_bassin_BMO")
    nantes = labels.loc["NANTES", "code_bassin_BMO"]
    nazaire = next(
        labels.loc[name, "code_bassin_BMO"]
        for name in labels.index
        if name.replace("-", " ") in ("ST NAZAIRE", "SAINT NAZAIRE")
    )
    deps = pd.read_csv(ref / "departements.csv", dtype=str)
    loire_atlantique = deps.loc[deps["libelle"] == "Loire-Atlantique", "dep"].iloc[0].zfill(2)
    regs = pd.read_csv(ref / "regions.csv", dtype=str)
    pdl = regs.loc[regs["libelle"] == "Pays de la Loire", "reg"].iloc[0].zfill(2)

    pop = referentials.read_communes_population(ref / "communes_population.json")
    table = territories.commune_table(
        pop,
        bassin=referentials.read_commune_bassin(ref / "commune_bassin_bmo.csv"),
        population=pop,
        departements=referentials.read_departements(ref / "departements.csv"),
        regions=referentials.read_regions(ref / "regions.csv"),
    )
    assert territories.territory(table, "bassin", "Nantes").code == nantes
    assert territories.territory(table, "bassin", "nantes").code == nantes
    assert territories.territory(table, "bassin", "Saint Nazaire").code == nazaire
    assert territories.territory(table, "bassin", "st-nazaire").code == nazaire
    assert territories.territory(table, "departement", "Loire-Atlantique").code == (
        loire_atlantique
    )
    assert territories.territory(table, "departement", "loire atlantique").code == (
        loire_atlantique
    )
    assert territories.territory(table, "region", "Pays de la Loire").code == pdl
    assert territories.territory(table, "region", "pays-de-la-loire").code == pdl
    with pytest.raises(AmbiguousTerritoryError, match=f"{nazaire} Saint-Nazaire") as err:
        territories.territory(table, "bassin", "Saint")
    assert nazaire in err.value.suggestions
    with pytest.raises(UnknownTerritoryError, match=f"Noms proches : {nantes} Nantes"):
        territories.territory(table, "bassin", "Nante")
