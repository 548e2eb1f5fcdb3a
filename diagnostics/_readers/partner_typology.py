"""Reference lists of the partner directory: domains, publics, families and partner types.

Data only, no logic. :mod:`diagnostics.partners` builds the public
``PARTNER_TYPES`` table from :data:`TYPES` and matches the analyst's labels
through the alias lists below (compared after
:func:`geo.tables.normalize_header`: lower case, no accents, ``_`` between
words).

Sources (line numbers of the seeds, see ``../shared/domain/``):

- territorialisation report (Van Lerberghe commission, 2010), §2.1–§2.8 for the
  actor types and their domains, §2.11 for the national priorities: partners
  "incontournables" (L1032: Conseils régionaux and généraux, communes and
  communautés de communes, OPCA, Éducation nationale), national frameworks that
  exist (PLIE L682, IAE networks L683) or are to be built (CCAS L676, solidarity
  associations L677, thematic networks L678, OFII L685, prison administration
  L686);
- cotraitance framework agreement 2010–2014 (missions locales and PAIO, with Cap
  emploi and APEC as the other cotraitants, cotraitance.md §1.3, §1.5);
- national Pôle emploi / AFPA convention (2012) and Région Pays de la Loire
  convention (formation_region_afpa_poe.md parts B and C: CARIF-OREF, Fongecif,
  MIFE, CRIJ, SUIO, CFA, SPIP, Agefiph...);
- national insertion referentials: the kinds of structures of the IAE (ACI, AI,
  EI, ETTI, EITI), GEIQ, entreprises adaptées and ESAT, and the prescribers of
  the inclusion platform (E2C, EPIDE, PJJ, CCAS, CAF...).
"""

from __future__ import annotations

__all__ = [
    "DOMAINS",
    "DOMAIN_ALIASES",
    "PUBLICS",
    "PUBLIC_ALIASES",
    "FAMILIES",
    "TYPES",
    "TYPE_ALIASES",
    "UNKNOWN_TYPE",
]

#: The six domains of intervention of the territorialisation report (§1.1, L150–L164).
DOMAINS: dict[str, str] = {
    "intermediation": "Intermédiation",
    "indemnisation": "Indemnisation",
    "orientation": "Orientation",
    "formation": "Formation",
    "insertion": "Insertion",
    "developpement_economique": "Développement économique",
}

#: Other spellings of the domains (the codes and labels are always accepted).
DOMAIN_ALIASES: dict[str, tuple[str, ...]] = {
    "intermediation": ("INT", "placement", "mise en relation", "intermédiation emploi"),
    "indemnisation": ("IND", "indemnisations", "allocations"),
    "orientation": ("ORI", "orientation professionnelle", "information orientation"),
    "formation": ("FOR", "formation professionnelle", "formations"),
    "insertion": ("INS", "insertion professionnelle", "insertion sociale", "accompagnement"),
    "developpement_economique": (
        "DEV",
        "dev eco",
        "dev éco",
        "développement éco",
        "developpement",
        "économie",
        "développement économique local",
    ),
}

#: Publics served (codes and French labels). Other values are kept as they are
#: written (as a code) and reported.
PUBLICS: dict[str, str] = {
    "demandeurs_emploi": "Demandeurs d'emploi (tous publics)",
    "jeunes": "Jeunes (16–25 ans)",
    "jeunes_diplomes": "Jeunes diplômés",
    "decrocheurs": "Jeunes sortis du système scolaire sans qualification",
    "etudiants": "Étudiants",
    "personnes_handicapees": "Personnes handicapées",
    "beneficiaires_rsa": "Bénéficiaires du RSA",
    "demandeurs_longue_duree": "Demandeurs d'emploi de longue durée",
    "personnes_eloignees_emploi": "Personnes éloignées de l'emploi",
    "seniors": "Seniors (50 ans et plus)",
    "cadres": "Cadres",
    "createurs": "Créateurs et repreneurs d'entreprise",
    "salaries_reconversion": "Salariés en reconversion",
    "licencies_economiques": "Licenciés économiques",
    "personnes_sous_main_de_justice": "Personnes placées sous main de justice",
    "etrangers_primo_arrivants": "Étrangers primo-arrivants et réfugiés",
    "habitants_qpv": "Habitants des quartiers prioritaires",
    "femmes": "Femmes (égalité professionnelle)",
    "employeurs": "Employeurs",
}

PUBLIC_ALIASES: dict[str, tuple[str, ...]] = {
    "demandeurs_emploi": ("DE", "tous publics", "tout public", "demandeurs", "chômeurs"),
    "jeunes": ("jeune", "16-25 ans", "moins de 26 ans", "jeunesse"),
    "jeunes_diplomes": ("jeunes diplômés", "diplômés"),
    "decrocheurs": ("décrocheurs", "décrocheurs scolaires", "NEET", "sortants sans qualification"),
    "etudiants": ("étudiant",),
    "personnes_handicapees": (
        "personne handicapée",
        "handicap",
        "travailleurs handicapés",
        "TH",
        "RQTH",
        "BOE",
        "PSH",
    ),
    "beneficiaires_rsa": ("RSA", "BRSA", "bénéficiaires RSA", "allocataires du RSA"),
    "demandeurs_longue_duree": (
        "DELD",
        "longue durée",
        "chômeurs de longue durée",
        "demandeurs d'emploi de longue durée",
        "DETLD",
    ),
    "personnes_eloignees_emploi": (
        "éloignés de l'emploi",
        "personnes en difficulté",
        "publics en difficulté",
        "grande précarité",
    ),
    "seniors": ("senior", "50 ans et plus", "plus de 50 ans"),
    "cadres": ("cadre",),
    "createurs": (
        "créateur",
        "créateurs d'entreprise",
        "création d'entreprise",
        "repreneurs",
        "porteurs de projet",
    ),
    "salaries_reconversion": (
        "salariés",
        "reconversion",
        "actifs occupés",
        "salariés en transition",
    ),
    "licencies_economiques": ("licenciés", "CSP", "reclassement"),
    "personnes_sous_main_de_justice": (
        "PPSMJ",
        "sous main de justice",
        "détenus",
        "sortants de prison",
        "justice",
    ),
    "etrangers_primo_arrivants": ("réfugiés", "BPI", "primo-arrivants", "étrangers"),
    "habitants_qpv": ("QPV", "quartiers prioritaires", "ZUS", "quartiers"),
    "femmes": ("femme",),
    "employeurs": ("employeur", "entreprises", "entreprise", "recruteurs", "TPE-PME"),
}

#: Families of partner types (code → French label).
FAMILIES: dict[str, str] = {
    "spe": "Service public de l'emploi et cotraitants",
    "iae": "Insertion par l'activité économique",
    "handicap": "Emploi des personnes handicapées",
    "formation": "Formation professionnelle et financeurs",
    "education_orientation": "Éducation, orientation et information",
    "collectivite": "Collectivités territoriales",
    "social": "Action sociale et solidarité",
    "justice": "Justice et prévention",
    "etat": "Services de l'État",
    "economie": "Acteurs économiques et consulaires",
    "autre": "Autre",
}

#: Code of the type given to labels that match no type (the original label is kept).
UNKNOWN_TYPE = "autre"

_INT = "intermediation"
_IND = "indemnisation"
_ORI = "orientation"
_FOR = "formation"
_INS = "insertion"
_DEV = "developpement_economique"

#: Partner types: code, French label, family, default domains, national priority.
#: The default domains come from the report's tables (§2.1–§2.8); a national
#: priority is a type named in §2.11 (L1032, L673–L687) or bound by a national
#: cotraitance or framework convention (cotraitance 2010–2014, AFPA 2012).
TYPES: tuple[tuple[str, str, str, tuple[str, ...], bool], ...] = (
    # service public de l'emploi et cotraitants
    ("mission_locale", "Mission locale", "spe", (_INS, _ORI, _INT), True),
    (
        "paio",
        "Permanence d'accueil, d'information et d'orientation (PAIO)",
        "spe",
        (_ORI, _INS),
        True,
    ),
    ("cap_emploi", "Cap emploi", "spe", (_INS, _INT), True),
    ("apec", "Association pour l'emploi des cadres (APEC)", "spe", (_INT, _ORI), True),
    ("plie", "Plan local pour l'insertion et l'emploi (PLIE)", "spe", (_INS, _INT), True),
    ("maison_emploi", "Maison de l'emploi", "spe", (_DEV, _INT, _INS), False),
    ("operateur_prive_placement", "Opérateur privé de placement", "spe", (_INT,), False),
    # insertion par l'activité économique
    (
        "siae",
        "Structure d'insertion par l'activité économique (type non précisé)",
        "iae",
        (_INS, _INT),
        True,
    ),
    ("siae_aci", "Atelier et chantier d'insertion (ACI)", "iae", (_INS, _INT), True),
    ("siae_ai", "Association intermédiaire (AI)", "iae", (_INS, _INT), True),
    ("siae_ei", "Entreprise d'insertion (EI)", "iae", (_INS, _INT), True),
    (
        "siae_etti",
        "Entreprise de travail temporaire d'insertion (ETTI)",
        "iae",
        (_INS, _INT),
        True,
    ),
    (
        "siae_eiti",
        "Entreprise d'insertion par le travail indépendant (EITI)",
        "iae",
        (_INS, _INT),
        True,
    ),
    (
        "geiq",
        "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)",
        "iae",
        (_INS, _FOR, _INT),
        False,
    ),
    # emploi des personnes handicapées
    ("entreprise_adaptee", "Entreprise adaptée (EA)", "handicap", (_INS, _INT), False),
    (
        "esat",
        "Établissement et service d'accompagnement par le travail (ESAT)",
        "handicap",
        (_INS,),
        False,
    ),
    ("agefiph", "Agefiph / FIPHFP", "handicap", (_FOR, _INS), False),
    (
        "centre_reeducation_professionnelle",
        "Centre de rééducation professionnelle (CRP)",
        "handicap",
        (_FOR, _ORI),
        False,
    ),
    # formation professionnelle et financeurs
    ("afpa", "AFPA", "formation", (_ORI, _FOR), True),
    ("organisme_formation", "Organisme de formation", "formation", (_FOR,), False),
    ("cfa", "Centre de formation d'apprentis (CFA)", "formation", (_FOR,), False),
    ("carif_oref", "CARIF-OREF", "formation", (_FOR, _ORI), False),
    (
        "opco",
        "Opérateur de compétences (OPCO, ex-OPCA)",
        "formation",
        (_FOR, _INT, _DEV),
        True,
    ),
    ("transitions_pro", "Transitions Pro (ex-Fongecif)", "formation", (_FOR, _ORI), False),
    ("e2c", "École de la deuxième chance (E2C)", "formation", (_FOR, _INS), False),
    (
        "epide",
        "Établissement pour l'insertion dans l'emploi (EPIDE)",
        "formation",
        (_INS, _FOR),
        False,
    ),
    # éducation, orientation et information
    (
        "cio",
        "Centre d'information et d'orientation (CIO)",
        "education_orientation",
        (_ORI,),
        True,
    ),
    (
        "lycee",
        "Lycée (général, technologique ou professionnel)",
        "education_orientation",
        (_FOR, _ORI),
        True,
    ),
    (
        "universite_baip",
        "Université (BAIP, SUIO)",
        "education_orientation",
        (_ORI, _INT),
        False,
    ),
    ("cite_des_metiers", "Cité des métiers", "education_orientation", (_ORI,), False),
    (
        "information_jeunesse",
        "Information jeunesse (CRIJ, BIJ, PIJ)",
        "education_orientation",
        (_ORI,),
        False,
    ),
    (
        "mife",
        "Maison de l'information sur la formation et l'emploi (MIFE)",
        "education_orientation",
        (_ORI, _FOR),
        False,
    ),
    # collectivités territoriales
    ("conseil_regional", "Conseil régional", "collectivite", (_FOR, _ORI, _DEV), True),
    (
        "conseil_departemental",
        "Conseil départemental (ex-Conseil général)",
        "collectivite",
        (_INS, _IND, _DEV),
        True,
    ),
    ("commune", "Commune", "collectivite", (_DEV, _INS, _INT), True),
    (
        "epci",
        "Intercommunalité (EPCI : communauté de communes, d'agglomération, métropole)",
        "collectivite",
        (_DEV, _INS),
        True,
    ),
    # action sociale et solidarité
    (
        "ccas",
        "Centre communal ou intercommunal d'action sociale (CCAS, CIAS)",
        "social",
        (_INS,),
        True,
    ),
    ("caf", "Caisse d'allocations familiales (CAF)", "social", (_IND,), False),
    ("association_solidarite", "Association de solidarité", "social", (_INS, _INT), True),
    (
        "reseau_thematique",
        "Réseau associatif thématique (mobilité, publics spécifiques)",
        "social",
        (_INS,),
        True,
    ),
    ("centre_social", "Centre social, MJC, structure jeunesse", "social", (_INS,), False),
    # justice et prévention
    (
        "spip",
        "Service pénitentiaire d'insertion et de probation (SPIP)",
        "justice",
        (_INS,),
        True,
    ),
    ("pjj", "Protection judiciaire de la jeunesse (PJJ)", "justice", (_INS,), False),
    ("prevention_specialisee", "Prévention spécialisée", "justice", (_INS,), False),
    # services de l'État
    (
        "service_etat",
        "Service de l'État (DREETS, DDETS, ex-DIRECCTE, préfecture)",
        "etat",
        (_INS, _DEV, _INT),
        False,
    ),
    ("ofii", "Office français de l'immigration et de l'intégration (OFII)", "etat", (_INS,), True),
    # acteurs économiques et consulaires
    ("cci", "Chambre de commerce et d'industrie (CCI)", "economie", (_DEV, _INT, _FOR), False),
    (
        "cma",
        "Chambre de métiers et de l'artisanat (CMA)",
        "economie",
        (_DEV, _INT, _FOR),
        False,
    ),
    ("chambre_agriculture", "Chambre d'agriculture", "economie", (_DEV, _INT, _FOR), False),
    ("branche_professionnelle", "Branche professionnelle", "economie", (_DEV, _FOR), False),
    (
        "reseau_creation_entreprise",
        "Réseau d'aide à la création d'entreprise (BGE, ADIE, Initiative, France Active)",
        "economie",
        (_DEV,),
        False,
    ),
    (
        "entreprise",
        "Entreprise ou groupement d'entreprises",
        "economie",
        (_DEV, _INT),
        False,
    ),
    (UNKNOWN_TYPE, "Autre", "autre", (), False),
)

#: Other spellings of the types (codes and labels are always accepted).
TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "mission_locale": ("ML", "missions locales", "mission locale jeunes", "MLJ"),
    "paio": ("permanence d'accueil d'information et d'orientation",),
    "cap_emploi": ("cap emploi sameth", "capemploi", "OPS"),
    "apec": ("association pour l'emploi des cadres", "agence pour l'emploi des cadres"),
    "plie": (
        "plan local pour l'insertion et l'emploi",
        "plan local pluriannuel pour l'insertion et l'emploi",
    ),
    "maison_emploi": ("MDE", "maison de l'emploi", "maisons de l'emploi", "MDEF"),
    "operateur_prive_placement": (
        "OPP",
        "opérateur privé",
        "cabinet de placement",
        "ETT",
        "agence d'intérim",
        "entreprise de travail temporaire",
    ),
    "siae": (
        "SIAE",
        "IAE",
        "structure d'insertion",
        "structure d'insertion par l'activité économique",
        "insertion par l'activité économique",
    ),
    "siae_aci": (
        "ACI",
        "SIAE ACI",
        "SIAE - ACI",
        "atelier chantier d'insertion",
        "chantier d'insertion",
        "ateliers et chantiers d'insertion",
    ),
    "siae_ai": ("AI", "SIAE AI", "SIAE - AI", "association intermédiaire"),
    "siae_ei": ("EI", "SIAE EI", "SIAE - EI", "entreprise d'insertion"),
    "siae_etti": (
        "ETTI",
        "SIAE ETTI",
        "SIAE - ETTI",
        "entreprise de travail temporaire d'insertion",
        "intérim d'insertion",
    ),
    "siae_eiti": ("EITI", "SIAE EITI", "SIAE - EITI"),
    "geiq": ("groupement d'employeurs pour l'insertion et la qualification",),
    "entreprise_adaptee": ("EA", "entreprise adaptée", "EATT"),
    "esat": ("ESAT", "CAT", "établissement et service d'aide par le travail"),
    "agefiph": ("FIPHFP", "agefiph fiphfp"),
    "centre_reeducation_professionnelle": ("CRP", "centre de rééducation professionnelle", "ESRP"),
    "afpa": (
        "association pour la formation professionnelle des adultes",
        "agence nationale pour la formation professionnelle des adultes",
    ),
    "organisme_formation": (
        "OF",
        "organismes de formation",
        "centre de formation",
        "GRETA",
        "CNAM",
        "formation",
    ),
    "cfa": ("centre de formation d'apprentis", "centre de formation des apprentis"),
    "carif_oref": ("CARIF", "OREF", "CARIF OREF"),
    "opco": ("OPCA", "OPACIF", "opérateur de compétences", "organisme paritaire collecteur agréé"),
    "transitions_pro": ("fongecif", "transitions pro", "transition pro", "AT pro", "CPIR"),
    "e2c": ("école de la deuxième chance", "école de la 2e chance", "E2C"),
    "epide": ("établissement pour l'insertion dans l'emploi",),
    "cio": ("centre d'information et d'orientation",),
    "lycee": (
        "lycée professionnel",
        "LP",
        "lycée",
        "lycées",
        "éducation nationale",
        "établissement scolaire",
    ),
    "universite_baip": (
        "université",
        "BAIP",
        "SUIO",
        "SCUIO",
        "bureau d'aide à l'insertion professionnelle",
        "université BAIP",
    ),
    "cite_des_metiers": ("cité des métiers", "cités des métiers"),
    "information_jeunesse": (
        "CRIJ",
        "BIJ",
        "PIJ",
        "CIDJ",
        "point information jeunesse",
        "bureau information jeunesse",
    ),
    "mife": ("maison de l'information sur la formation et l'emploi",),
    "conseil_regional": ("région", "CR", "conseil régional", "collectivité régionale"),
    "conseil_departemental": (
        "CD",
        "CG",
        "conseil général",
        "département",
        "conseil départemental",
    ),
    "commune": ("mairie", "ville", "municipalité"),
    "epci": (
        "communauté de communes",
        "communauté d'agglomération",
        "communauté urbaine",
        "métropole",
        "intercommunalité",
        "CC",
        "CA",
        "CU",
        "agglomération",
    ),
    "ccas": ("CIAS", "centre communal d'action sociale", "centre intercommunal d'action sociale"),
    "caf": ("CNAF", "caisse d'allocations familiales", "MSA"),
    "association_solidarite": (
        "association",
        "association de solidarité",
        "associations de solidarité",
        "secours populaire",
        "secours catholique",
        "croix rouge",
        "emmaüs",
        "restos du coeur",
        "FNARS",
        "fédération des acteurs de la solidarité",
    ),
    "reseau_thematique": (
        "réseau thématique",
        "plateforme mobilité",
        "association mobilité",
        "mobilité",
    ),
    "centre_social": (
        "MJC",
        "centre socio-culturel",
        "maison des jeunes",
        "antenne jeunes",
        "espace jeunes",
    ),
    "spip": ("service pénitentiaire d'insertion et de probation", "administration pénitentiaire"),
    "pjj": ("protection judiciaire de la jeunesse",),
    "prevention_specialisee": ("prévention spécialisée", "club de prévention", "éducateurs de rue"),
    "service_etat": (
        "DREETS",
        "DDETS",
        "DDETSPP",
        "DIRECCTE",
        "UD DIRECCTE",
        "préfecture",
        "sous-préfecture",
        "État",
        "Etat",
        "service de l'État",
    ),
    "ofii": ("office français de l'immigration et de l'intégration",),
    "cci": ("chambre de commerce et d'industrie", "chambre de commerce", "CCIR", "CRCI"),
    "cma": (
        "chambre de métiers",
        "chambre de métiers et de l'artisanat",
        "CMAR",
        "chambre des métiers",
    ),
    "chambre_agriculture": ("chambre d'agriculture", "chambre régionale d'agriculture"),
    "branche_professionnelle": (
        "branche",
        "fédération professionnelle",
        "organisation professionnelle",
        "syndicat professionnel",
    ),
    "reseau_creation_entreprise": (
        "BGE",
        "boutique de gestion",
        "ADIE",
        "France Active",
        "Initiative France",
        "plateforme initiative",
        "réseau entreprendre",
        "couveuse",
        "CAE",
        "coopérative d'activité et d'emploi",
        "création d'entreprise",
    ),
    "entreprise": ("entreprises", "groupement d'entreprises", "grand compte", "employeur"),
    UNKNOWN_TYPE: ("autre", "autres", "divers"),
}
