"""Demonstration partner directory and the blank templates of the partner file.

:func:`write_demo_partners` writes ``partenaires.csv``, a filled partner directory
of the fictional demonstration territory, in the analyst-facing format of the
template (``;``-separated, UTF-8 with BOM, French headers, decimal commas,
multi-valued cells separated by ``|``). It reads the demo referentials of the same
folder (commune polygons, bassins, zones d'emploi, CLPE, EPCI, populations) and
places several hundred fictional structures on them:

- every type of :data:`diagnostics.partners.PARTNER_TYPES`;
- missions locales and PAIO with ressorts written as commune lists, EPCI with
  their communes, the other structures with a named territory (``bassin:9903``,
  ``departement:9A``...) or none (their site commune then serves);
- two missions locales whose ressorts overlap, and **exactly one commune in no
  mission locale ressort** (:data:`UNCOVERED_COMMUNE_RULE`; the code is printed
  and documented in ``data/partenaires/LISEZMOI.md``);
- verification dates relative to :data:`REFERENCE_DATE`, some older than 24
  months and some missing (stale entries).

:func:`write_partner_templates` writes the blank templates
``data/partenaires/modele_annuaire_partenaires.csv`` and ``.xlsx`` (the workbook
has the reference lists on two more sheets and a drop-down list on the type
column).

Run ``python scripts/demo/demo_partners.py`` to rewrite both. The output is
byte-for-byte deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import zlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xlsxwriter

from diagnostics.partners import DOMAINS, PARTNER_TYPES, PUBLICS
from geo import referentials, territories

__all__ = [
    "DEFAULT_SEED",
    "REFERENCE_DATE",
    "TEMPLATE_HEADERS",
    "UNCOVERED_COMMUNE_RULE",
    "demo_facts",
    "write_demo_partners",
    "write_partner_templates",
    "main",
]

#: Master seed of the demonstration territory (``scripts/demo/make_demo.py``).
DEFAULT_SEED = 20240417

#: Verification dates of the demo are drawn relative to this date: with
#: ``stale_partners(..., date=REFERENCE_DATE)`` the stale entries are exactly
#: the ones drawn old or missing.
REFERENCE_DATE = dt.date(2026, 6, 30)

#: Headers of the template, in order (aliases are accepted by the reader).
TEMPLATE_HEADERS: tuple[str, ...] = (
    "Identifiant",
    "Nom de la structure",
    "Type",
    "SIRET",
    "Code commune",
    "Latitude",
    "Longitude",
    "Ressort",
    "Domaines",
    "Publics",
    "Opérant",
    "Majeur",
    "Réseau",
    "Date de vérification",
    "Source",
)

#: How the commune outside every mission locale ressort is chosen.
UNCOVERED_COMMUNE_RULE = (
    "la commune la moins peuplée du département 9C parmi celles du ressort de la "
    "mission locale qui couvre le plus de communes dans ce département"
)

# Number of structures per type; a ressort kind per type:
#   "communes"  explicit commune list (missions locales, PAIO, EPCI);
#   "<level>"   the territory of that level holding the site commune;
#   "site"      commune:<site commune>;
#   ""          no ressort (the site commune will serve).
_PLAN: dict[str, tuple[int, str]] = {
    "mission_locale": (7, "communes"),
    "paio": (2, "communes"),
    "cap_emploi": (3, "departement"),
    "apec": (1, "region"),
    "plie": (4, "bassin"),
    "maison_emploi": (3, "zone_emploi"),
    "operateur_prive_placement": (4, "departement"),
    "siae": (2, "bassin"),
    "siae_aci": (24, "bassin"),
    "siae_ai": (10, "clpe"),
    "siae_ei": (10, "bassin"),
    "siae_etti": (5, "departement"),
    "siae_eiti": (2, "departement"),
    "geiq": (3, "departement"),
    "entreprise_adaptee": (4, "bassin"),
    "esat": (5, "bassin"),
    "agefiph": (1, "region"),
    "centre_reeducation_professionnelle": (1, "region"),
    "afpa": (2, "region"),
    "organisme_formation": (30, ""),
    "cfa": (8, "departement"),
    "carif_oref": (1, "region"),
    "opco": (6, "region"),
    "transitions_pro": (1, "region"),
    "e2c": (2, "departement"),
    "epide": (1, "region"),
    "cio": (6, "clpe"),
    "lycee": (18, ""),
    "universite_baip": (1, "region"),
    "cite_des_metiers": (1, "departement"),
    "information_jeunesse": (4, "zone_emploi"),
    "mife": (2, "bassin"),
    "conseil_regional": (1, "region"),
    "conseil_departemental": (3, "departement"),
    "commune": (24, "site"),
    "epci": (16, "communes"),
    "ccas": (20, "site"),
    "caf": (3, "departement"),
    "association_solidarite": (28, "bassin"),
    "reseau_thematique": (4, "departement"),
    "centre_social": (10, "site"),
    "spip": (3, "departement"),
    "pjj": (3, "departement"),
    "prevention_specialisee": (4, "clpe"),
    "service_etat": (3, "departement"),
    "ofii": (1, "region"),
    "cci": (3, "departement"),
    "cma": (3, "departement"),
    "chambre_agriculture": (3, "departement"),
    "branche_professionnelle": (6, "region"),
    "reseau_creation_entreprise": (8, "bassin"),
    "entreprise": (8, ""),
    "autre": (2, "site"),
}

# Name patterns ({c} = site commune name, {w} = a word of _WORDS[type], {d} = département).
_NAMES: dict[str, str] = {
    "mission_locale": "Mission locale de {c}",
    "paio": "PAIO de {c}",
    "cap_emploi": "Cap emploi {d}",
    "apec": "APEC Île-Démonstration",
    "plie": "PLIE du bassin de {c}",
    "maison_emploi": "Maison de l'emploi de {c}",
    "operateur_prive_placement": "{w} {c}",
    "siae": "Insertion {w} de {c}",
    "siae_aci": "ACI {w} de {c}",
    "siae_ai": "Association intermédiaire {w} de {c}",
    "siae_ei": "{w} Insertion {c}",
    "siae_etti": "{w} Intérim insertion {d}",
    "siae_eiti": "{w} Coopérative EITI {d}",
    "geiq": "GEIQ {w} {d}",
    "entreprise_adaptee": "Entreprise adaptée {w} de {c}",
    "esat": "ESAT {w} de {c}",
    "agefiph": "Agefiph délégation Île-Démonstration",
    "centre_reeducation_professionnelle": "Centre de rééducation professionnelle de {c}",
    "afpa": "AFPA centre de {c}",
    "organisme_formation": "{w} Formation {c}",
    "cfa": "CFA {w} de {c}",
    "carif_oref": "CARIF-OREF Île-Démonstration",
    "opco": "OPCO {w} délégation régionale",
    "transitions_pro": "Transitions Pro Île-Démonstration",
    "e2c": "École de la deuxième chance de {c}",
    "epide": "EPIDE de {c}",
    "cio": "CIO de {c}",
    "lycee": "Lycée {w} de {c}",
    "universite_baip": "Université de l'Île-Démonstration — BAIP",
    "cite_des_metiers": "Cité des métiers {d}",
    "information_jeunesse": "Point information jeunesse de {c}",
    "mife": "MIFE de {c}",
    "conseil_regional": "Conseil régional de l'Île-Démonstration",
    "conseil_departemental": "Conseil départemental {d}",
    "commune": "Mairie de {c}",
    "epci": "Communauté de communes {w}",
    "ccas": "CCAS de {c}",
    "caf": "CAF {d}",
    "association_solidarite": "{w} {c}",
    "reseau_thematique": "Plateforme mobilité {w} {d}",
    "centre_social": "Centre social {w} de {c}",
    "spip": "SPIP {d}",
    "pjj": "PJJ — direction territoriale {d}",
    "prevention_specialisee": "Prévention spécialisée {w} de {c}",
    "service_etat": "DDETS {d}",
    "ofii": "OFII direction territoriale",
    "cci": "CCI {d}",
    "cma": "Chambre de métiers et de l'artisanat {d}",
    "chambre_agriculture": "Chambre d'agriculture {d}",
    "branche_professionnelle": "Fédération régionale {w}",
    "reseau_creation_entreprise": "{w} {c}",
    "entreprise": "{w} {c}",
    "autre": "{w} de {c}",
}

_WORDS: dict[str, tuple[str, ...]] = {
    "operateur_prive_placement": ("Emploi Conseil", "Parcours Plus", "Cap Retour", "Tremplin RH"),
    "siae": ("Solidaire", "Horizons"),
    "siae_aci": (
        "Jardins de cocagne",
        "Ressourcerie",
        "Chantier nature",
        "Atelier bois",
        "Recyclerie",
        "Chantier patrimoine",
        "Maraîchage bio",
        "Couture solidaire",
    ),
    "siae_ai": ("Services plus", "Coup de main", "Relais emploi", "Trait d'union"),
    "siae_ei": ("Bâti", "Propreté", "Restauration", "Logistique", "Espaces verts"),
    "siae_etti": ("Tremplin", "Passerelle", "Ajir"),
    "siae_eiti": ("Indé", "Solo"),
    "geiq": ("BTP", "Industrie", "Propreté"),
    "entreprise_adaptee": ("Atlantique", "Horizon", "Les Ateliers", "Océane"),
    "esat": ("Les Genêts", "Le Phare", "Les Embruns", "La Lande", "Les Ajoncs"),
    "organisme_formation": ("Avenir", "Compétences", "Pro", "Métiers", "Horizon", "Atout"),
    "cfa": ("BTP", "des métiers", "agricole", "de l'industrie"),
    "opco": ("Construction", "Santé", "Commerce", "Mobilités", "Akto", "Atlas"),
    "lycee": ("professionnel Jean-Monnet", "des Embruns", "maritime", "agricole", "polyvalent"),
    "epci": (
        "du Pays d'Ormelin",
        "des Landes",
        "du Littoral",
        "des Vallons",
        "de la Presqu'île",
        "du Bocage",
        "des Deux-Rives",
        "du Plateau",
    ),
    "association_solidarite": (
        "Secours populaire",
        "Secours catholique",
        "Croix-Rouge",
        "Emmaüs",
        "Restos du cœur",
        "Accueil solidaire",
    ),
    "reseau_thematique": ("Mobil'Emploi", "Roule ta route", "Bouge"),
    "centre_social": ("du Port", "des Quartiers", "Les Mouettes", "La Passerelle"),
    "prevention_specialisee": ("Club Relais", "Équipe de rue"),
    "branche_professionnelle": (
        "du bâtiment",
        "de l'hôtellerie-restauration",
        "de la métallurgie",
        "des transports",
        "de l'agroalimentaire",
        "du commerce",
    ),
    "reseau_creation_entreprise": ("BGE", "ADIE", "Initiative", "France Active", "Couveuse"),
    "entreprise": (
        "Conserverie",
        "Chantiers navals",
        "Laiterie",
        "Plateforme logistique",
        "Clinique",
        "Hôtel",
    ),
    "autre": ("Tiers-lieu numérique", "Garage solidaire"),
}

_NETWORKS: dict[str, str] = {
    "mission_locale": "UNML",
    "paio": "UNML",
    "cap_emploi": "Cheops",
    "apec": "APEC",
    "plie": "Alliance Villes Emploi",
    "maison_emploi": "Alliance Villes Emploi",
    "siae_aci": "Chantier école",
    "siae_ai": "COORACE",
    "siae_ei": "Fédération des entreprises d'insertion",
    "siae_etti": "Fédération des entreprises d'insertion",
    "geiq": "Fédération française des GEIQ",
    "entreprise_adaptee": "UNEA",
    "afpa": "AFPA",
    "carif_oref": "Réseau des Carif-Oref",
    "transitions_pro": "Certif Pro",
    "e2c": "Réseau E2C France",
    "epide": "EPIDE",
    "cite_des_metiers": "Réseau des cités des métiers",
    "information_jeunesse": "Info Jeunesse France",
    "conseil_regional": "Régions de France",
    "conseil_departemental": "Départements de France",
    "ccas": "UNCCAS",
    "caf": "CNAF",
    "association_solidarite": "Fédération des acteurs de la solidarité",
    "cci": "CCI France",
    "cma": "CMA France",
    "chambre_agriculture": "Chambres d'agriculture France",
    "reseau_creation_entreprise": "BGE",
    "ofii": "OFII",
}

_PUBLICS: dict[str, tuple[str, ...]] = {
    "mission_locale": ("jeunes", "decrocheurs"),
    "paio": ("jeunes",),
    "cap_emploi": ("personnes_handicapees", "employeurs"),
    "apec": ("cadres", "jeunes_diplomes", "employeurs"),
    "plie": ("demandeurs_longue_duree", "beneficiaires_rsa", "personnes_eloignees_emploi"),
    "maison_emploi": ("demandeurs_emploi", "employeurs"),
    "operateur_prive_placement": ("demandeurs_emploi", "licencies_economiques"),
    "siae": ("personnes_eloignees_emploi",),
    "siae_aci": ("personnes_eloignees_emploi", "beneficiaires_rsa"),
    "siae_ai": ("personnes_eloignees_emploi", "demandeurs_longue_duree"),
    "siae_ei": ("personnes_eloignees_emploi",),
    "siae_etti": ("personnes_eloignees_emploi", "employeurs"),
    "siae_eiti": ("personnes_eloignees_emploi", "createurs"),
    "geiq": ("demandeurs_emploi", "employeurs"),
    "entreprise_adaptee": ("personnes_handicapees",),
    "esat": ("personnes_handicapees",),
    "agefiph": ("personnes_handicapees", "employeurs"),
    "centre_reeducation_professionnelle": ("personnes_handicapees",),
    "afpa": ("demandeurs_emploi", "salaries_reconversion"),
    "organisme_formation": ("demandeurs_emploi", "salaries_reconversion"),
    "cfa": ("jeunes",),
    "carif_oref": ("demandeurs_emploi",),
    "opco": ("employeurs", "salaries_reconversion"),
    "transitions_pro": ("salaries_reconversion",),
    "e2c": ("jeunes", "decrocheurs"),
    "epide": ("jeunes", "decrocheurs"),
    "cio": ("jeunes", "decrocheurs"),
    "lycee": ("jeunes",),
    "universite_baip": ("etudiants", "jeunes_diplomes"),
    "cite_des_metiers": ("demandeurs_emploi", "jeunes", "salaries_reconversion"),
    "information_jeunesse": ("jeunes",),
    "mife": ("demandeurs_emploi", "salaries_reconversion"),
    "conseil_regional": ("demandeurs_emploi", "jeunes"),
    "conseil_departemental": ("beneficiaires_rsa",),
    "commune": ("demandeurs_emploi", "habitants_qpv"),
    "epci": ("employeurs", "createurs"),
    "ccas": ("beneficiaires_rsa", "personnes_eloignees_emploi"),
    "caf": ("beneficiaires_rsa",),
    "association_solidarite": ("personnes_eloignees_emploi",),
    "reseau_thematique": ("personnes_eloignees_emploi", "beneficiaires_rsa"),
    "centre_social": ("jeunes", "habitants_qpv"),
    "spip": ("personnes_sous_main_de_justice",),
    "pjj": ("jeunes", "personnes_sous_main_de_justice"),
    "prevention_specialisee": ("jeunes", "decrocheurs"),
    "service_etat": ("demandeurs_emploi", "employeurs"),
    "ofii": ("etrangers_primo_arrivants",),
    "cci": ("employeurs", "createurs"),
    "cma": ("employeurs", "createurs"),
    "chambre_agriculture": ("employeurs", "createurs"),
    "branche_professionnelle": ("employeurs",),
    "reseau_creation_entreprise": ("createurs",),
    "entreprise": ("employeurs",),
    "autre": ("personnes_eloignees_emploi",),
}

# Types whose structures are all "majeur" in the demo.
_MAJOR = {
    "mission_locale",
    "cap_emploi",
    "plie",
    "maison_emploi",
    "conseil_regional",
    "conseil_departemental",
    "afpa",
    "opco",
    "cci",
    "cma",
    "caf",
    "epci",
}

_SOURCES = (
    "Recensement DT Île-Démonstration 2026",
    "Annuaire départemental de l'insertion",
    "Site internet de la structure",
    "Convention de partenariat",
    "Comité local pour l'emploi",
)

_CREATED = dt.datetime(2026, 6, 30, 12, 0, 0)


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _luhn_key(digits: str) -> str:
    """The digit that completes ``digits`` into a valid Luhn number."""
    for key in "0123456789":
        total = 0
        for position, char in enumerate(reversed(digits + key)):
            d = int(char) * (2 if position % 2 == 1 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return key
    raise AssertionError("unreachable")  # pragma: no cover


def _siret(rng: np.random.Generator) -> str:
    """A fictional SIRET (SIREN 999…) with valid SIREN and SIRET keys."""
    siren = "999" + "".join(map(str, rng.integers(0, 10, 5)))
    siren += _luhn_key(siren)
    nic = "0" + "".join(map(str, rng.integers(0, 10, 3)))
    return siren + nic + _luhn_key(siren + nic)


def _point_in(polygon: shapely.Geometry, rng: np.random.Generator) -> tuple[float, float]:
    """A random point inside ``polygon`` (lat, lon), rounded to 5 decimals."""
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(200):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        lon, lat = round(float(x), 5), round(float(y), 5)
        if polygon.contains(shapely.Point(lon, lat)):
            return lat, lon
    point = polygon.representative_point()  # pragma: no cover
    return round(point.y, 5), round(point.x, 5)  # pragma: no cover


def _decimal(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".").replace(".", ",")


def _load(out_dir: Path) -> tuple[pd.DataFrame, gpd.GeoDataFrame, dict[str, str]]:
    """Commune table (with EPCI), commune polygons and département names of the demo."""
    polygons = referentials.read_commune_polygons(sorted(out_dir.glob("communes-*.geojson")))
    population = referentials.read_communes_population(out_dir / "communes_population.json")
    table = territories.commune_table(
        population,
        bassin=referentials.read_commune_bassin(out_dir / "commune_bassin_bmo.csv"),
        zone_emploi=referentials.read_commune_zone_emploi(out_dir / "commune_zone_emploi.csv"),
        clpe=referentials.read_commune_clpe(out_dir / "commune_clpe.csv"),
        departements=referentials.read_departements(out_dir / "departements.csv"),
    )
    cog = referentials.read_cog_communes(out_dir / "insee_communes.csv")
    table["epci"] = table["commune"].map(cog.set_index("commune")["epci"]).astype("string")
    table = table[table["commune"].isin(polygons["commune"])].reset_index(drop=True)
    names = dict(
        zip(
            table["departement"], table["departement_nom"].fillna(table["departement"]), strict=True
        )
    )
    return table, polygons, names


def _mission_locale_areas(table: pd.DataFrame) -> tuple[list[list[str]], str, list[str]]:
    """Ressorts of the 7 missions locales, the uncovered commune and the overlap communes.

    Bassins are grouped into missions locales (the two smallest bassins of each
    département merged, 9A keeping 3 groups): 7 areas covering every commune. The
    first area of 9A also takes the 3 communes of its neighbour area closest to
    it (overlap); the uncovered commune is then removed from its area.
    """
    areas: list[list[str]] = []
    for dep, group in table.groupby("departement", sort=True):
        sizes = group.groupby("bassin").size().sort_values(kind="stable")
        bassins = sizes.index.tolist()
        n_areas = 3 if dep == "9A" else 2
        merged = [bassins[:2], *[[b] for b in bassins[2:]]][:n_areas]
        for bassin_group in sorted(merged):
            areas.append(sorted(group.loc[group["bassin"].isin(bassin_group), "commune"]))
    # overlap: the 3 communes of 9A's second area with the smallest codes join the first
    overlap = areas[1][:3]
    areas[0] = sorted(set(areas[0]) | set(overlap))
    # uncovered commune: least populated of the largest 9C area
    in_9c = [k for k, a in enumerate(areas) if a[0].startswith("9C")]
    largest = max(in_9c, key=lambda k: (len(areas[k]), -k))
    pop = table.set_index("commune")["population"]
    candidates = sorted(areas[largest], key=lambda c: (int(pop.get(c, 0)), c))
    uncovered = candidates[0]
    areas[largest] = [c for c in areas[largest] if c != uncovered]
    return areas, uncovered, overlap


def _pick_site(communes: list[str], weights: pd.Series, rng: np.random.Generator) -> str:
    w = weights.reindex(communes).fillna(1).to_numpy(dtype=float)
    return str(communes[int(rng.choice(len(communes), p=w / w.sum()))])


def _paio_place(areas: list[list[str]], pop: pd.Series, k: int) -> tuple[str, list[str]]:
    """Site and ressort of PAIO ``k``: 8 communes around a small town of 9A (k=0) or 9B (k=1).

    Inside a mission locale's area.
    """
    area = [a for a in areas if a[0].startswith(("9A", "9B")[k])][-1]
    site = sorted(area, key=lambda c: (-pop.get(c, 0), c))[3]
    ressort_list = sorted(area, key=lambda c: (abs(pop.get(c, 0) - pop[site]), c))[:8]
    return site, sorted(set(ressort_list) | {site})


def _ressort_text(ressort_kind: str, ressort_list: list[str], site: str, row: pd.Series) -> str:
    """The « Ressort » cell: a list of communes, the site, nothing, or ``<level>:<code>``."""
    if ressort_kind == "communes":
        return "|".join(ressort_list)
    if ressort_kind == "site":
        return f"commune:{site}"
    if ressort_kind == "":
        return ""
    return f"{ressort_kind}:{row[ressort_kind]}"


def _domains(defaults: list[str], labels: dict[str, str], rng: np.random.Generator) -> str:
    """The « Domaines » cell: blank (type defaults), the defaults, or one more domain."""
    u = rng.random()
    if u < 0.12:
        return ""  # the reader applies the type's default domains
    chosen = defaults[:]
    if u > 0.85:
        extra = [d for d in DOMAINS if d not in chosen and d != "indemnisation"]
        chosen.append(extra[int(rng.integers(len(extra)))])
    return "|".join(labels[d] for d in DOMAINS if d in chosen)


def _verification_date(a: float, today: pd.Timestamp, rng: np.random.Generator) -> str:
    """The « Date de vérification » cell for the age draw ``a`` (5 % blank, some stale)."""
    if a < 0.05:
        return ""
    if a < 0.18:
        months = int(rng.integers(25, 61))
    elif a < 0.24:
        months = int(rng.integers(19, 24))
    else:
        months = int(rng.integers(0, 18))
    day = int(rng.integers(1, 29))
    date = (today - pd.DateOffset(months=months)).replace(day=day)
    if date > today:
        date = date - pd.DateOffset(months=1)
    return date.strftime("%d/%m/%Y")


def _structures(
    table: pd.DataFrame, names: dict[str, str], seed: int
) -> tuple[list[dict[str, str]], str, list[str]]:
    rng = _rng(seed, "partenaires")
    pop = table.set_index("commune")["population"].astype(float)
    weights = pop**0.7
    commune_name = table.set_index("commune")["commune_nom"]
    all_communes = table["commune"].tolist()
    deps = sorted(table["departement"].dropna().unique())
    areas, uncovered, overlap = _mission_locale_areas(table)
    epcis = sorted(table["epci"].dropna().unique())
    rows: list[dict[str, str]] = []
    today = pd.Timestamp(REFERENCE_DATE)
    for kind, (count, ressort_kind) in _PLAN.items():
        words = _WORDS.get(kind, ("",))
        for k in range(count):
            ressort_list: list[str] = []
            dep = deps[k % len(deps)]
            if kind == "mission_locale":
                ressort_list = areas[k]
                site = max(ressort_list, key=lambda c: (pop.get(c, 0), c))
            elif kind == "paio":
                site, ressort_list = _paio_place(areas, pop, k)
            elif kind == "epci":
                members = sorted(table.loc[table["epci"] == epcis[k], "commune"])
                ressort_list = members
                site = max(members, key=lambda c: (pop.get(c, 0), c))
            elif ressort_kind == "departement" and count == len(deps):
                # one per département, in its most populated commune
                in_dep = table.loc[table["departement"] == dep, "commune"].tolist()
                site = max(in_dep, key=lambda c: (pop.get(c, 0), c))
            elif ressort_kind in ("region", "") or kind in ("opco", "branche_professionnelle"):
                site = _pick_site(all_communes, weights**1.5, rng)
            else:
                in_dep = table.loc[table["departement"] == dep, "commune"].tolist()
                site = _pick_site(in_dep, weights, rng)
            dep = table.loc[table["commune"] == site, "departement"].iat[0]
            row = table.loc[table["commune"] == site].iloc[0]
            ressort = _ressort_text(ressort_kind, ressort_list, site, row)
            word = words[k % len(words)]
            name = _NAMES[kind].format(c=commune_name[site], w=word, d=names.get(dep, dep)).strip()
            rows.append(
                {
                    "type": kind,
                    "name": name,
                    "site": site,
                    "ressort": ressort,
                }
            )
    # drawing the other fields, in a fixed order
    types = PARTNER_TYPES.set_index("type")
    labels = {code: DOMAINS[code] for code in DOMAINS}
    out: list[dict[str, str]] = []
    n = len(rows)
    age_draw = rng.random(n)
    for i, row in enumerate(rows):
        kind = row["type"]
        domains = _domains(list(types.loc[kind, "domaines_defaut"]), labels, rng)
        publics = "|".join(_PUBLICS.get(kind, ()))
        operant = kind in _MAJOR or rng.random() < 0.9
        majeur = kind in _MAJOR or rng.random() < 0.2
        verified = _verification_date(age_draw[i], today, rng)
        out.append(
            {
                "Identifiant": f"P{i + 1:04d}",
                "Nom de la structure": row["name"],
                "Type": str(types.loc[kind, "libelle"]) if rng.random() < 0.5 else kind,
                "SIRET": _siret(rng) if rng.random() < 0.6 else "",
                "Code commune": row["site"],
                "Ressort": row["ressort"],
                "Domaines": domains,
                "Publics": publics,
                "Opérant": "oui" if operant else "non",
                "Majeur": "oui" if majeur else "non",
                "Réseau": _NETWORKS.get(kind, ""),
                "Date de vérification": verified,
                "Source": _SOURCES[int(rng.integers(len(_SOURCES)))],
            }
        )
    return out, uncovered, overlap


def write_demo_partners(out_dir: str | Path, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write ``partenaires.csv``, the partner directory of the demonstration territory.

    Parameters
    ----------
    out_dir
        Folder of the demo referentials (``data/demo``), where the file is written.
    seed
        Master seed (the same output for the same seed and referentials).

    Returns
    -------
    list of pathlib.Path
        The file written.
    """
    out_dir = Path(out_dir)
    table, polygons, names = _load(out_dir)
    records, _, _ = _structures(table, names, seed)
    rng = _rng(seed, "partenaires-coordonnees")
    shapes = polygons.set_index("commune").geometry
    for record in records:
        if rng.random() < 0.08:
            lat = lon = ""
        else:
            y, x = _point_in(shapes[record["Code commune"]], rng)
            lat, lon = _decimal(y), _decimal(x)
        record["Latitude"], record["Longitude"] = lat, lon
    frame = pd.DataFrame(records, columns=list(TEMPLATE_HEADERS))
    path = out_dir / "partenaires.csv"
    text = frame.to_csv(sep=";", index=False, lineterminator="\n")
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    return [path]


def demo_facts(out_dir: str | Path, *, seed: int = DEFAULT_SEED) -> dict[str, object]:
    """The uncovered commune and the overlap communes of the demo (for the documentation)."""
    table, _, names = _load(Path(out_dir))
    _, uncovered, overlap = _structures(table, names, seed)
    name = table.set_index("commune")["commune_nom"]
    return {
        "commune_non_couverte": uncovered,
        "commune_non_couverte_nom": name[uncovered],
        "communes_chevauchement": overlap,
    }


def write_partner_templates(out_dir: str | Path) -> list[Path]:
    """Write the blank templates ``modele_annuaire_partenaires.csv`` and ``.xlsx``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "modele_annuaire_partenaires.csv"
    csv_path.write_bytes("\ufeff".encode() + (";".join(TEMPLATE_HEADERS) + "\n").encode("utf-8"))
    xlsx_path = out_dir / "modele_annuaire_partenaires.xlsx"
    workbook = xlsxwriter.Workbook(str(xlsx_path))
    workbook.set_properties(
        {
            "title": "Annuaire des partenaires — modèle vide",
            "author": "Atelier territoires",
            "created": _CREATED,
        }
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet("Annuaire")
    widths = {"Nom de la structure": 40, "Type": 28, "Ressort": 30, "Domaines": 30, "Publics": 30}
    for col, header in enumerate(TEMPLATE_HEADERS):
        fmt = date if header == "Date de vérification" else text
        if header in ("Latitude", "Longitude"):
            fmt = None
        sheet.set_column(col, col, widths.get(header, 16), fmt)
        sheet.write(0, col, header, bold)
    sheet.freeze_panes(1, 0)
    n_types = len(PARTNER_TYPES)
    sheet.data_validation(
        1,
        TEMPLATE_HEADERS.index("Type"),
        5000,
        TEMPLATE_HEADERS.index("Type"),
        {
            "validate": "list",
            "source": f"=Types!$A$2:$A${n_types + 1}",
            "error_type": "information",
            "error_title": "Type",
            "error_message": "Type hors de la liste : il sera classé « autre » et signalé.",
        },
    )
    for flag in ("Opérant", "Majeur"):
        col = TEMPLATE_HEADERS.index(flag)
        sheet.data_validation(1, col, 5000, col, {"validate": "list", "source": ["oui", "non"]})
    types = workbook.add_worksheet("Types")
    types.write_row(
        0, 0, ["code", "libellé", "famille", "domaines par défaut", "priorité nationale"], bold
    )
    for i, row in enumerate(PARTNER_TYPES.itertuples(index=False), start=1):
        types.write_row(
            i,
            0,
            [
                row.type,
                row.libelle,
                row.famille,
                " | ".join(DOMAINS[d] for d in row.domaines_defaut),
                "oui" if row.priorite_nationale else "non",
            ],
        )
    types.set_column(0, 0, 34)
    types.set_column(1, 1, 70)
    types.set_column(2, 3, 30)
    lists = workbook.add_worksheet("Domaines et publics")
    lists.write_row(0, 0, ["domaine (code)", "domaine (libellé)"], bold)
    for i, (code, label) in enumerate(DOMAINS.items(), start=1):
        lists.write_row(i, 0, [code, label])
    lists.write_row(0, 3, ["public (code)", "public (libellé)"], bold)
    for i, (code, label) in enumerate(PUBLICS.items(), start=1):
        lists.write_row(i, 3, [code, label])
    lists.set_column(0, 4, 30)
    workbook.close()
    return [csv_path, xlsx_path]


def main(argv: list[str] | None = None) -> int:
    """Rewrite ``data/demo/partenaires.csv`` and the templates of ``data/partenaires``."""
    parser = argparse.ArgumentParser(
        description="Écrit l'annuaire des partenaires de démonstration et les modèles vides."
    )
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--demo", type=Path, default=root / "data" / "demo")
    parser.add_argument("--modeles", type=Path, default=root / "data" / "partenaires")
    parser.add_argument("--graine", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths = write_demo_partners(args.demo, seed=args.graine)
    paths += write_partner_templates(args.modeles)
    for path in paths:
        print(f"écrit : {path} ({path.stat().st_size} octets)")
    facts = demo_facts(args.demo, seed=args.graine)
    print(
        f"commune hors de tout ressort de mission locale : {facts['commune_non_couverte']} "
        f"({facts['commune_non_couverte_nom']}) ; communes dans deux ressorts de mission "
        f"locale : {', '.join(facts['communes_chevauchement'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
