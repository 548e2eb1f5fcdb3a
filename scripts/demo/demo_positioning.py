"""Demonstration positioning file: the roles of the local actors of the demo bassins.

:func:`write_demo_positioning` writes ``positionnement.csv`` (the format of
``data/positionnement/modele_roles.csv``, read by
:func:`diagnostics.positioning.read_positioning`): for each of the 10 bassins of the
fictional territory, the role of the structures of the demo partner directory
(``partenaires.csv``) whose ressort covers the bassin, on the commission's grid
(5 domains × 7 client situations).

Every row is fictional. The roles follow a plausible division of labour by partner
type (:data:`ROLE_RULES`: the mission locale is pivot of orientation and insertion of
first-time job seekers, the Conseil départemental of the insertion of people far from
employment...), drawn at random per bassin, then a few bassins are given the gaps the
diagnostics must find (:data:`SCENARIOS`):

- no pivot in cells where Pôle emploi only contributes (the mission locale or the
  creation network left out of some bassins);
- cells where Pôle emploi is pivot or structurant and no partner is positioned, or
  only a structure flagged non-operating in the directory;
- local roles of Pôle emploi that differ from the 2010 reference matrix;
- structures outside the national priorities (maisons de l'emploi, consular
  chambers, training bodies...) positioned locally;
- verification dates older than 24 months (the default limit of the diagnostics)
  or between 13 and 23 months on :data:`DEMO_DATE`, or missing (the directory's
  date is then used).

Run ``python scripts/demo/demo_positioning.py`` to (re)write ``data/demo/positionnement.csv``
from ``data/demo/partenaires.csv``; the output is byte-for-byte deterministic for a
given seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostics.positioning import reference_matrix

__all__ = ["DEMO_DATE", "ROLE_RULES", "SCENARIOS", "write_demo_positioning", "main"]

#: Reference date of the demo diagnostics (the ``REFERENCE_DATE`` of
#: ``scripts/demo/demo_partners.py``): verification dates are drawn before it.
DEMO_DATE = dt.date(2026, 6, 30)

#: Plausible roles by partner type: (type, domain, situation, role, probability that a
#: local structure of the type is positioned there, in a bassin where it is present).
ROLE_RULES: tuple[tuple[str, str, str, str, float], ...] = (
    # youth: missions locales (cotraitance) and the Education nationale
    ("mission_locale", "orientation", "primo_accedant", "pivot", 1.0),
    ("mission_locale", "insertion", "primo_accedant", "pivot", 1.0),
    ("mission_locale", "intermediation", "primo_accedant", "structurant", 0.9),
    ("mission_locale", "formation", "primo_accedant", "contributeur", 0.6),
    ("cio", "orientation", "primo_accedant", "structurant", 0.8),
    ("lycee", "formation", "primo_accedant", "contributeur", 0.5),
    ("universite_baip", "intermediation", "primo_accedant", "contributeur", 0.6),
    ("e2c", "formation", "primo_accedant", "contributeur", 0.7),
    ("epide", "insertion", "primo_accedant", "contributeur", 0.6),
    ("paio", "orientation", "primo_accedant", "contributeur", 0.8),
    ("apec", "intermediation", "primo_accedant", "contributeur", 0.5),
    ("information_jeunesse", "orientation", "primo_accedant", "contributeur", 0.5),
    # people far from employment: Conseil départemental, PLIE, Cap emploi, SIAE, CCAS
    ("conseil_departemental", "insertion", "eloigne_emploi", "pivot", 1.0),
    ("plie", "insertion", "eloigne_emploi", "structurant", 0.9),
    ("plie", "intermediation", "eloigne_emploi", "contributeur", 0.7),
    ("cap_emploi", "insertion", "eloigne_emploi", "structurant", 0.9),
    ("cap_emploi", "intermediation", "eloigne_emploi", "contributeur", 0.9),
    ("siae_aci", "insertion", "eloigne_emploi", "contributeur", 0.5),
    ("siae_ai", "insertion", "eloigne_emploi", "contributeur", 0.5),
    ("siae_ei", "insertion", "eloigne_emploi", "contributeur", 0.5),
    ("siae_etti", "intermediation", "eloigne_emploi", "contributeur", 0.6),
    ("ccas", "insertion", "eloigne_emploi", "contributeur", 0.4),
    ("association_solidarite", "insertion", "eloigne_emploi", "contributeur", 0.4),
    ("caf", "insertion", "eloigne_emploi", "contributeur", 0.5),
    ("spip", "insertion", "eloigne_emploi", "contributeur", 0.4),
    ("reseau_thematique", "insertion", "eloigne_emploi", "contributeur", 0.4),
    ("commune", "insertion", "eloigne_emploi", "contributeur", 0.3),
    ("afpa", "orientation", "eloigne_emploi", "contributeur", 0.6),
    ("organisme_formation", "formation", "eloigne_emploi", "contributeur", 0.5),
    # return to employment
    ("organisme_formation", "formation", "retour_emploi", "contributeur", 0.6),
    ("afpa", "formation", "retour_emploi", "structurant", 0.8),
    ("conseil_regional", "formation", "retour_emploi", "structurant", 1.0),
    ("maison_emploi", "intermediation", "retour_emploi", "contributeur", 0.7),
    # business creators
    ("reseau_creation_entreprise", "insertion", "createur_entreprise", "pivot", 1.0),
    ("reseau_creation_entreprise", "developpement_economique", "createur_entreprise", "pivot", 1.0),
    ("reseau_creation_entreprise", "orientation", "createur_entreprise", "contributeur", 0.6),
    ("cci", "formation", "createur_entreprise", "pivot", 0.8),
    ("cma", "developpement_economique", "createur_entreprise", "structurant", 0.8),
    ("cci", "intermediation", "createur_entreprise", "contributeur", 0.6),
    # employed people retraining
    ("transitions_pro", "orientation", "reconversion", "structurant", 0.8),
    ("transitions_pro", "intermediation", "reconversion", "pivot", 0.8),
    ("opco", "formation", "reconversion", "structurant", 0.9),
    ("conseil_regional", "developpement_economique", "reconversion", "pivot", 1.0),
    ("cite_des_metiers", "orientation", "reconversion", "contributeur", 0.7),
    ("organisme_formation", "insertion", "reconversion", "contributeur", 0.4),
    # employers
    ("opco", "intermediation", "besoin_recrutement", "contributeur", 0.7),
    ("siae_etti", "intermediation", "besoin_recrutement", "contributeur", 0.5),
    ("geiq", "intermediation", "besoin_recrutement", "contributeur", 0.8),
    ("epci", "developpement_economique", "besoin_recrutement", "pivot", 0.9),
    ("commune", "developpement_economique", "besoin_recrutement", "contributeur", 0.4),
    ("maison_emploi", "developpement_economique", "besoin_recrutement", "structurant", 0.8),
    ("cci", "developpement_economique", "besoin_accompagnement", "structurant", 0.8),
    ("opco", "developpement_economique", "besoin_accompagnement", "pivot", 0.9),
    ("branche_professionnelle", "intermediation", "besoin_accompagnement", "contributeur", 0.7),
    ("chambre_agriculture", "intermediation", "besoin_recrutement", "contributeur", 0.6),
    ("cma", "intermediation", "besoin_accompagnement", "structurant", 0.6),
    # cells where the reference matrix gives Pôle emploi no role
    ("opco", "formation", "besoin_recrutement", "pivot", 0.8),
    ("organisme_formation", "formation", "besoin_accompagnement", "contributeur", 0.4),
    ("geiq", "insertion", "besoin_recrutement", "structurant", 0.6),
    ("siae_etti", "insertion", "retour_emploi", "contributeur", 0.5),
    ("cite_des_metiers", "orientation", "besoin_accompagnement", "contributeur", 0.5),
)

#: Gaps given on purpose to some bassins (the other bassins follow the rules).
#: ``retirer``: partner types not positioned at all in the bassin;
#: ``pole_emploi``: local roles of Pôle emploi (domain, situation, role), commented
#: as confirming or departing from the reference matrix;
#: ``non_operant``: position one structure flagged non-operating in the directory
#: in this cell (domain, situation, role), if the bassin has one.
SCENARIOS: dict[str, dict[str, object]] = {
    "9902": {"retirer": ("mission_locale",)},
    "9904": {
        "retirer": ("reseau_creation_entreprise", "cci"),
        "pole_emploi": (("insertion", "createur_entreprise", "contributeur"),),
    },
    "9905": {
        "retirer": ("cap_emploi", "plie", "siae_etti", "afpa"),
        "non_operant": ("orientation", "eloigne_emploi", "contributeur"),
    },
    "9906": {
        "pole_emploi": (
            ("orientation", "eloigne_emploi", "contributeur"),
            ("developpement_economique", "besoin_recrutement", "structurant"),
            ("intermediation", "retour_emploi", "pivot"),
        ),
    },
    "9908": {"retirer": ("conseil_departemental", "opco", "epci", "transitions_pro")},
}

_HEADER = (
    "territoire",
    "acteur",
    "domaine",
    "situation",
    "role",
    "commentaire",
    "date_verification",
)


#: Pôle emploi's role in the reference matrix, per (domain, situation).
_REFERENCE = {
    (d, s): r
    for d, s, r in reference_matrix()[["domaine", "situation", "role"]].itertuples(index=False)
}


def _rng(seed: int, name: str) -> np.random.Generator:
    """Independent random stream per bassin, reproducible from ``seed``."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _demo_communes(demo: Path) -> pd.DataFrame:
    """Commune table of the demonstration territory whose referentials are in ``demo``."""
    from geo import referentials, territories

    population = referentials.read_communes_population(demo / "communes_population.json")
    return territories.commune_table(
        population,
        bassin=referentials.read_commune_bassin(demo / "commune_bassin_bmo.csv"),
        zone_emploi=referentials.read_commune_zone_emploi(demo / "commune_zone_emploi.csv"),
        clpe=referentials.read_commune_clpe(demo / "commune_clpe.csv"),
    )


def _verification_date(rng: np.random.Generator) -> str:
    """10 % missing (the directory's date then applies), 10 % older than 24 months,
    10 % between 13 and 23 months, the rest within the last 11 months."""
    draw = rng.random()
    if draw < 0.10:
        return ""
    if draw < 0.20:
        days = int(rng.integers(760, 1300))
    elif draw < 0.30:
        days = int(rng.integers(400, 700))
    else:
        days = int(rng.integers(5, 330))
    return (DEMO_DATE - dt.timedelta(days=days)).isoformat()


def _bassin_rows(
    bassin: str,
    local: pd.DataFrame,
    rng: np.random.Generator,
) -> list[dict[str, str]]:
    scenario = SCENARIOS.get(bassin, {})
    removed = set(scenario.get("retirer", ()))
    operating = local.loc[local["operant"].fillna(True).astype(bool)]
    rows: list[dict[str, str]] = []
    for type_, domain, situation, role, probability in ROLE_RULES:
        if type_ in removed:
            continue
        candidates = operating.loc[operating["type"] == type_, "partenaire_id"].tolist()
        if not candidates:
            continue
        # One structure per rule, two at most for contributors where there are several.
        count = 2 if role == "contributeur" and len(candidates) > 1 and rng.random() < 0.3 else 1
        for actor in rng.choice(sorted(candidates), size=count, replace=False):
            if rng.random() <= probability:
                rows.append(
                    {
                        "acteur": str(actor),
                        "domaine": domain,
                        "situation": situation,
                        "role": role,
                        "commentaire": "",
                    }
                )
    for domain, situation, role in scenario.get("pole_emploi", ()):
        same = _REFERENCE.get((domain, situation)) == role
        rows.append(
            {
                "acteur": "pole_emploi",
                "domaine": domain,
                "situation": situation,
                "role": role,
                "commentaire": "rôle confirmé localement"
                if same
                else "rôle local différent de la matrice nationale",
            }
        )
    if "non_operant" in scenario:
        domain, situation, role = scenario["non_operant"]
        dormant = sorted(local.loc[local["operant"].eq(False).fillna(False), "partenaire_id"])
        if dormant:
            rows.append(
                {
                    "acteur": dormant[0],
                    "domaine": domain,
                    "situation": situation,
                    "role": role,
                    "commentaire": "structure en sommeil, à revoir",
                }
            )
    for row in rows:
        row["territoire"] = f"bassin:{bassin}"
        row["date_verification"] = _verification_date(rng)
    return rows


def write_demo_positioning(
    out_dir: Path,
    partners: pd.DataFrame,
    *,
    seed: int,
    communes: pd.DataFrame | None = None,
    ressort: pd.DataFrame | None = None,
) -> Path:
    """Write the demonstration positioning file ``positionnement.csv`` into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder written into (created if needed), normally ``data/demo``.
    partners
        The demo partner directory (:func:`diagnostics.partners.read_partners` of
        ``data/demo/partenaires.csv``).
    seed
        Seed of the draws; the same seed writes identical bytes.
    communes
        Commune table with a ``bassin`` column; by default built from the demo
        referentials of ``out_dir`` (or of :func:`geo.settings.demo_dir` when
        ``out_dir`` has none).
    ressort
        ``partenaire_id, commune`` (:func:`diagnostics.partners.partner_ressort`,
        computed when omitted).

    Returns
    -------
    pathlib.Path
        The file written: CSV ``,``, UTF-8 without BOM, LF, columns
        ``territoire, acteur, domaine, situation, role, commentaire,
        date_verification``, sorted by bassin then in the order of the rules.
    """
    out_dir = Path(out_dir)
    if communes is None:
        from geo import settings

        folder = out_dir if (out_dir / "commune_bassin_bmo.csv").is_file() else None
        communes = _demo_communes(folder or settings.demo_dir())
    if ressort is None:
        from diagnostics.partners import partner_ressort

        ressort = partner_ressort(partners, communes)
    directory = partners.drop_duplicates("partenaire_id").set_index("partenaire_id")
    rows: list[dict[str, str]] = []
    for bassin in sorted(communes["bassin"].dropna().unique()):
        members = set(communes.loc[communes["bassin"] == bassin, "commune"])
        ids = sorted(set(ressort.loc[ressort["commune"].isin(members), "partenaire_id"]))
        local = directory.loc[ids, ["type", "operant"]].reset_index()
        rows += _bassin_rows(str(bassin), local, _rng(seed, f"positionnement-{bassin}"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "positionnement.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def main(argv: list[str] | None = None) -> int:
    """Rewrite ``data/demo/positionnement.csv`` from the demo partner directory."""
    from diagnostics.partners import read_partners

    parser = argparse.ArgumentParser(description="Écrit le positionnement de démonstration.")
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--demo", type=Path, default=root / "data" / "demo")
    parser.add_argument("--graine", type=int, default=20240417)
    args = parser.parse_args(argv)
    partners = read_partners(args.demo / "partenaires.csv")
    path = write_demo_positioning(args.demo, partners, seed=args.graine)
    print(f"écrit : {path} ({path.stat().st_size} octets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
