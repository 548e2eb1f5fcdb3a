"""Demonstration BMO open-data files for the fictional territory.

:func:`write_demo_bmo` writes two vintages of the France Travail BMO open-data file
for the bassins of the demonstration territory, in the exact layout of the official
files so that the workbench reads them like real data:

- ``Base_open_data_BMO_2024.xlsx``: 2024 layout (métier columns first, ``BE24``
  numeric, counts as text), FAP2021 métier codes (``A0X40``);
- ``Base_open_data_BMO_2023.xlsx``: 2023 column order (bassin columns first,
  ``BE23``), FAP2009 métier codes (``A0Z40``).

Counts are fictional (Poisson and binomial draws from a fixed seed). As in the
official files, a count below 5 is masked by ``*`` (statistical secrecy), and a
métier × bassin with no project has no row. The métier codes and labels are a small
hand-written subset of the public FAP nomenclature (labels shortened; the FAP2009
codes of the 2023 file are the FAP2021 codes with ``Z`` instead of ``X``, a
simplification of the demo); the family codes and labels are those of the BMO
survey.

Run ``python scripts/demo/demo_bmo.py`` to (re)write ``data/demo/bmo/`` from the
demonstration referentials; ``scripts/demo/make_demo.py`` calls :func:`write_demo_bmo`.
The output is byte-for-byte deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

__all__ = ["DEMO_METIERS", "FAMILLES", "write_demo_bmo", "main"]

#: BMO métier families (code -> label), as published in the BMO files.
FAMILLES: dict[str, str] = {
    "A": "Fonctions administratives",
    "C": "Fonctions d'encadrement",
    "I": "Ouvriers des secteurs de l'industrie",
    "O": "Ouvriers de la construction et du bâtiment",
    "S": "Fonctions sociales et médico-sociales",
    "T": "Autres techniciens et employés",
    "V": "Fonctions liées à la vente, au tourisme et aux services",
    "Z": "Autres métiers",
}

#: Demo métiers: FAP2021 code, label, BMO family, and the fictional parameters of
#: the draws (relative volume, share judged difficult, share seasonal).
DEMO_METIERS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("A0X40", "Agriculteurs", "Z", 1.2, 0.45, 0.55),
    ("A1X40", "Maraîchers et horticulteurs", "Z", 1.5, 0.40, 0.80),
    ("A1X41", "Jardiniers des espaces verts et naturels", "Z", 1.0, 0.55, 0.35),
    ("A1X42", "Viticulteurs, arboriculteurs", "Z", 2.5, 0.35, 0.90),
    ("J3X43", "Conducteurs routiers", "Z", 1.4, 0.75, 0.10),
    ("B1X30", "Maçons peu qualifiés", "O", 0.8, 0.65, 0.05),
    ("B0X31", "Ouvriers qualifiés de l'extraction et des travaux publics", "O", 0.6, 0.70, 0.05),
    ("C0X30", "Ouvriers de l'électricité et de l'électronique", "I", 0.5, 0.60, 0.05),
    ("D0X31", "Ouvriers qualifiés en conduite d'équipement d'usinage", "I", 0.4, 0.70, 0.02),
    ("G0A40", "Ouvriers de la maintenance générale et mécanique", "I", 0.7, 0.65, 0.05),
    ("G0B41", "Ouvriers mécaniciens de véhicules", "I", 0.6, 0.80, 0.03),
    ("L0X60", "Secrétaires bureautiques et assimilés", "A", 0.6, 0.30, 0.05),
    ("L1X60", "Employés de la comptabilité", "A", 0.5, 0.35, 0.03),
    ("L2X61", "Agents administratifs", "A", 0.9, 0.25, 0.10),
    ("B7X90", "Architectes", "C", 0.2, 0.55, 0.01),
    ("B6X74", "Conducteurs de travaux et chefs de chantier non cadres", "T", 0.4, 0.75, 0.02),
    ("V0X60", "Aides-soignants", "S", 1.6, 0.80, 0.10),
    ("V1X80", "Infirmiers et sages-femmes", "S", 1.0, 0.75, 0.05),
    ("S1X20", "Aides de cuisine et employés polyvalents de la restauration", "V", 2.2, 0.60, 0.65),
    ("S1X80", "Chefs cuisiniers", "V", 0.9, 0.75, 0.55),
    ("S2X61", "Serveurs de cafés restaurants", "V", 2.0, 0.65, 0.75),
    ("R1X60", "Vendeurs en produits alimentaires", "V", 1.1, 0.45, 0.40),
    ("T4X60", "Agents d'entretien de locaux", "V", 1.8, 0.40, 0.25),
    ("T2A60", "Aides à domicile et auxiliaires de vie", "V", 1.5, 0.85, 0.05),
)

_HEADERS = {
    2024: (
        "annee",
        "Code métier BMO",
        "Nom métier BMO",
        "Famille_met",
        "Lbl_fam_met",
        "REG",
        "NOM_REG",
        "Dept",
        "NomDept",
        "BE24",
        "NOMBE24",
        "met",
        "xmet",
        "smet",
    ),
    2023: (
        "BE23",
        "NOMBE23",
        "Dept",
        "NomDept",
        "REG",
        "NOM_REG",
        "annee",
        "Code métier BMO",
        "Nom métier BMO",
        "Famille_met",
        "Lbl_fam_met",
        "met",
        "xmet",
        "smet",
    ),
}
_DESCRIPTIONS = {
    "annee": "Année de l'enquête",
    "Code métier BMO": "Code métier BMO (FAP)",
    "Nom métier BMO": "Libellé du métier BMO",
    "Famille_met": "Code de la famille de métiers",
    "Lbl_fam_met": "Libellé de la famille de métiers",
    "REG": "Code région",
    "NOM_REG": "Nom de la région",
    "Dept": "Code département",
    "NomDept": "Nom du département",
    "met": "Nombre de projets de recrutement",
    "xmet": "Nombre de projets de recrutement jugés difficiles",
    "smet": "Nombre de projets de recrutement saisonniers",
}
_SECRET_BELOW = 5
_BASSIN_COLUMNS = ("bassin", "bassin_nom", "departement", "departement_nom", "region", "region_nom")
# Fixed document dates so that two runs write identical bytes.
_CREATED = {2023: dt.datetime(2023, 4, 1), 2024: dt.datetime(2024, 4, 1)}


def _rng(seed: int, name: str) -> np.random.Generator:
    """Independent random stream per vintage, reproducible from ``seed``."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _draw(
    bassins: pd.DataFrame,
    size: np.ndarray,
    year: int,
    rng: np.random.Generator,
    metiers: Sequence[tuple[str, str, str, float, float, float]] = DEMO_METIERS,
) -> list[dict]:
    """Fictional counts for every métier × bassin part, as cell values.

    ``size`` is the relative size of each bassin part, the same for every vintage.
    """
    nomenclature_2009 = year < 2024
    size = size * rng.lognormal(mean=0.0, sigma=0.1, size=len(bassins))
    rows = []
    for code, label, famille, volume, difficult, seasonal in metiers:
        if nomenclature_2009 and code[2] == "X":
            code = code[:2] + "Z" + code[3:]
        for part, bassin in enumerate(bassins.itertuples(index=False)):
            projets = int(rng.poisson(25 * volume * size[part]))
            if projets == 0:
                continue
            p_difficult = float(np.clip(difficult + rng.normal(0, 0.08), 0.0, 1.0))
            p_seasonal = float(np.clip(seasonal + rng.normal(0, 0.08), 0.0, 1.0))
            difficiles = int(rng.binomial(projets, p_difficult))
            saisonniers = int(rng.binomial(projets, p_seasonal))
            counts = [
                str(n) if n >= _SECRET_BELOW else "*" for n in (projets, difficiles, saisonniers)
            ]
            rows.append(
                {
                    "annee": year,
                    "Code métier BMO": code,
                    "Nom métier BMO": label,
                    "Famille_met": famille,
                    "Lbl_fam_met": FAMILLES[famille],
                    "REG": bassin.region,
                    "NOM_REG": bassin.region_nom,
                    "Dept": bassin.departement,
                    "NomDept": bassin.departement_nom,
                    f"BE{year % 100}": int(bassin.bassin),
                    f"NOMBE{year % 100}": bassin.bassin_nom,
                    "met": counts[0],
                    "xmet": counts[1],
                    "smet": counts[2],
                }
            )
    return rows


def _write_workbook(path: Path, year: int, rows: list[dict]) -> None:
    header = _HEADERS[year]
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    workbook.set_properties(
        {
            "title": f"Enquête BMO {year} — données de démonstration (fictives)",
            "author": "Atelier territoires",
            "created": _CREATED[year],
        }
    )
    bold = workbook.add_format({"bold": True})
    description = workbook.add_worksheet("Description des variables")
    description.write_row(0, 1, ["Variables", "Description"], bold)
    for i, name in enumerate(header, start=1):
        text = _DESCRIPTIONS.get(name)
        if text is None:
            text = "Code bassin d'emploi" if name.startswith("BE") else "Nom du bassin d'emploi"
        description.write_row(i, 1, [name, text])
    description.write(
        len(header) + 2,
        0,
        "Données fictives du territoire de démonstration de l'atelier : aucun chiffre n'est réel.",
    )
    sheet = workbook.add_worksheet(f"BMO_{year}_open_data")
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, [row[name] for name in header])
    workbook.close()


def write_demo_bmo(
    out_dir: Path,
    bassins: pd.DataFrame,
    *,
    seed: int,
    years: Sequence[int] = (2024, 2023),
    metiers: Sequence[tuple[str, str, str, float, float, float]] = DEMO_METIERS,
) -> list[Path]:
    """Write the demonstration BMO files (2024 and 2023 layouts) into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder written into (created if needed), normally ``data/demo/bmo``.
    bassins
        One row per bassin (or per département part of a bassin), with columns
        ``bassin, bassin_nom, departement, departement_nom, region, region_nom``.
    seed
        Seed of the draws; the same seed writes identical bytes.
    years
        Vintages to write, among 2024 and 2023 (the national benchmark set
        writes 2024 only).
    metiers
        Métiers drawn, as in :data:`DEMO_METIERS` (the national benchmark set
        draws more of them, to reach the size of the real file).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``years``: ``Base_open_data_BMO_2024.xlsx``
        then ``Base_open_data_BMO_2023.xlsx`` by default.
    """
    missing = [c for c in _BASSIN_COLUMNS if c not in bassins.columns]
    if missing:
        raise ValueError(f"write_demo_bmo : colonnes absentes de la table des bassins : {missing}")
    table = bassins[list(_BASSIN_COLUMNS)].astype(str).sort_values(["bassin", "departement"])
    table = table.reset_index(drop=True)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    size = _rng(seed, "bmo-bassins").lognormal(mean=0.0, sigma=0.5, size=len(table))
    written = []
    for year in years:
        path = out_dir / f"Base_open_data_BMO_{year}.xlsx"
        rows = _draw(table, size, year, _rng(seed, f"bmo-{year}"), metiers)
        _write_workbook(path, year, rows)
        written.append(path)
    return written


def _demo_bassins(demo: Path) -> pd.DataFrame:
    """Bassins of the demonstration territory, from its referential files."""
    communes = pd.read_csv(demo / "commune_bassin_bmo.csv", dtype=str)
    departements = pd.read_csv(demo / "departements.csv", dtype=str)
    regions = pd.read_csv(demo / "regions.csv", dtype=str)
    bassins = (
        communes.rename(
            columns={
                "code_bassin_BMO": "bassin",
                "lib_bassin_BMO": "bassin_nom",
                "dep": "departement",
                "reg": "region",
            }
        )[["bassin", "bassin_nom", "departement", "region"]]
        .drop_duplicates()
        .merge(
            departements.rename(columns={"dep": "departement", "libelle": "departement_nom"})[
                ["departement", "departement_nom"]
            ],
            on="departement",
        )
        .merge(
            regions.rename(columns={"reg": "region", "libelle": "region_nom"})[
                ["region", "region_nom"]
            ],
            on="region",
        )
    )
    return bassins


def main(argv: list[str] | None = None) -> int:
    """Rewrite ``data/demo/bmo`` from the demonstration referentials."""
    parser = argparse.ArgumentParser(description="Écrit les fichiers BMO de démonstration.")
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--demo", type=Path, default=root / "data" / "demo")
    parser.add_argument("--graine", type=int, default=20240417)
    args = parser.parse_args(argv)
    paths = write_demo_bmo(args.demo / "bmo", _demo_bassins(args.demo), seed=args.graine)
    for path in paths:
        print(f"écrit : {path} ({path.stat().st_size} octets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
