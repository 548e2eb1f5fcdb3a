"""Demonstration training files: sessions, prescriptions, POE, agences, FAP ↔ ROME.

:func:`write_demo_training` writes ``data/demo/formation/``, all of it **fictional**
(sites, providers, sessions, people and counts), for the fictional région 99:

- ``agences.csv``: the fictional Pôle emploi agences of the cotraitance demo (one
  per bassin, same codes ``A99xx``), with their site;
- ``sessions.csv``: 20 sessions of 2024–2025 in six sites — three fictional AFPA
  centres (one, « AFPA Merlevent », *outside the région*: région ``98``, offshore,
  no commune), a GRETA, a nursing school, a private provider — financed by every
  funder of the seeds (Région, Pôle emploi, OPCA, État, Agefiph, Conseil
  départemental, autre), two under the CSP;
- ``prescriptions.csv``: about 1,170 pseudonymous prescriptions of 2024 with every
  status (prescrite, liste d'attente, réservée, désistement, entrée, abandon,
  terminée, certifiée), the dates of each step and the reasons of the désistements
  and abandons; extraction on 31 December 2024;
- ``poe.csv``: monthly POE entries (individuelles and collectives) by OPCA, métier and
  département;
- ``fap_rome.csv``: a demonstration FAP-225 ↔ ROME correspondence, written for the
  demo (the ROME codes of its sessions and POE linked to the FAP métiers they train
  for), in the official file's format (``;``, cp1252, ``NA``).

The demo is drawn so that every case shows up: out-of-region prescriptions (to the
AFPA centre of région 98), out-of-territory trainings (agences of one département
sending people to a centre of another), under-used places (Conseil départemental,
Agefiph), a métier en tension with little training (aides à domicile, T2A60: 16
places and a few POE for about 350 projects) and a training with few recruitment
projects (web developers, ROME M1805: no BMO project in the territory).

Run ``python scripts/demo/demo_training.py``; the output is byte-for-byte deterministic.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from diagnostics._readers.training import (  # noqa: E402
    PRESCRIPTION_DATES,
    read_training_agences,
)

__all__ = ["EXTRACT_DATE", "write_demo_training", "main"]

#: Extraction date of the demo prescriptions.
EXTRACT_DATE = pd.Timestamp("2024-12-31")

#: Training sites: centre → (organisme, AFPA, commune, département, région, agence
#: whose coordinates are used, or explicit (latitude, longitude)).
_SITES: dict[str, tuple[str, bool, str, str, str, str | tuple[float, float]]] = {
    "AFPA Vegicourt": ("AFPA (fictif)", True, "9A111", "9A", "99", "A9901"),
    "AFPA Saint-Jévrocourt": ("AFPA (fictif)", True, "9C077", "9C", "99", "A9908"),
    "AFPA Merlevent": ("AFPA (fictif)", True, "", "", "98", (46.95, -7.30)),
    "GRETA Vrapronais": ("GRETA Côte-Brumaire (fictif)", False, "9B087", "9B", "99", "A9905"),
    "IFSI Les Gogralois": (
        "Institut de formation en soins (fictif)",
        False,
        "9C037",
        "9C",
        "99",
        "A9909",
    ),
    "OF Saint-Lounirac": (
        "Organisme de formation privé (fictif)",
        False,
        "9A083",
        "9A",
        "99",
        "A9902",
    ),
}

#: Sessions: id, title, funder, co-funder, centre, métier code, offer type, sector,
#: scheme, places, start, months, prescriptions drawn, share entered.
_SESSIONS: tuple[tuple, ...] = (
    ("S01", "Conducteur du transport routier de marchandises sur porteur", "region", "",
     "AFPA Vegicourt", "N4101", "qualifiante", "Transport et logistique", "",
     28, "2024-03-04", 5, 56, 1.0),
    ("S02", "Conducteur du transport routier de marchandises sur porteur", "pole_emploi", "",
     "AFPA Saint-Jévrocourt", "N4101", "qualifiante", "Transport et logistique", "",
     24, "2025-01-13", 5, 52, 0.0),
    ("S03", "Mécanicien réparateur automobile", "region", "", "AFPA Vegicourt", "I1604",
     "qualifiante", "Industrie et maintenance", "", 24, "2024-02-05", 9, 48, 1.0),
    ("S04", "Aide-soignant", "region", "", "IFSI Les Gogralois", "J1501", "certifiante",
     "Santé et social", "", 80, "2024-09-02", 10, 164, 1.0),
    ("S05", "Agent de restauration", "pole_emploi", "", "OF Saint-Lounirac", "G1603",
     "qualifiante", "Hôtellerie-restauration", "", 24, "2024-04-08", 4, 48, 0.92),
    ("S06", "Serveur en restauration (deux groupes)", "pole_emploi", "opca",
     "GRETA Vrapronais", "G1803", "qualifiante", "Hôtellerie-restauration", "",
     60, "2024-05-13", 4, 120, 0.97),
    ("S07", "Assistant de vie aux familles", "conseil_departemental", "",
     "GRETA Vrapronais", "K1302", "certifiante", "Santé et social", "",
     16, "2024-04-02", 6, 32, 0.63),
    ("S08", "Agent de propreté et d'hygiène", "agefiph", "", "OF Saint-Lounirac", "T4X60",
     "qualifiante", "Services aux entreprises", "", 20, "2024-06-03", 3, 40, 0.6),
    ("S09", "Développeur web et web mobile", "region", "", "AFPA Vegicourt", "M1805",
     "certifiante", "Numérique", "", 28, "2024-01-15", 8, 56, 1.0),
    ("S10", "Secrétaire comptable", "pole_emploi", "", "AFPA Saint-Jévrocourt", "M1608",
     "certifiante", "Gestion et administration", "CSP", 24, "2024-04-15", 7, 48, 0.92),
    ("S11", "Technicien de maintenance industrielle", "region", "pole_emploi",
     "AFPA Saint-Jévrocourt", "I1310", "certifiante", "Industrie et maintenance", "CSP",
     20, "2024-09-09", 9, 40, 1.0),
    ("S12", "Ouvrier des travaux publics", "opca", "", "AFPA Vegicourt", "B1Z40",
     "qualifiante", "BTP", "", 20, "2024-03-11", 4, 40, 1.0),
    ("S13", "Compétences clés et remise à niveau", "region", "", "OF Saint-Lounirac", "",
     "pré-qualifiante", "Transversal", "", 30, "2024-02-12", 3, 60, 1.0),
    ("S14", "Maçon", "etat", "", "AFPA Merlevent", "F1703", "qualifiante", "BTP", "",
     12, "2024-05-06", 7, 16, 0.8),
    ("S15", "Second de cuisine", "autre", "", "AFPA Saint-Jévrocourt", "G1601",
     "certifiante", "Hôtellerie-restauration", "", 24, "2024-03-18", 7, 48, 1.0),
    ("S16", "Employé administratif", "pole_emploi", "", "OF Saint-Lounirac", "M1602",
     "qualifiante", "Gestion et administration", "", 24, "2024-10-07", 4, 48, 0.92),
    ("S17", "Câbleur en électricité et électronique", "opca", "region", "AFPA Vegicourt",
     "H2602", "qualifiante", "Industrie et maintenance", "", 24, "2024-06-17", 5, 48, 1.0),
    ("S18", "Chef de chantier gros œuvre", "region", "", "AFPA Saint-Jévrocourt", "F1202",
     "certifiante", "BTP", "", 16, "2024-02-26", 8, 32, 1.0),
    ("S19", "Préparation aux concours infirmier", "region", "", "IFSI Les Gogralois", "J1506",
     "pré-qualifiante", "Santé et social", "", 48, "2024-01-08", 6, 96, 1.0),
    ("S20", "Aide-soignant (rentrée de février)", "region", "", "IFSI Les Gogralois", "J1501",
     "certifiante", "Santé et social", "", 40, "2025-02-03", 10, 80, 0.0),
)  # fmt: skip

#: POE entries: (type, OPCA, sector, ROME, département, monthly mean, months active).
_POE: tuple[tuple, ...] = (
    ("collective", "OPCO Transports (fictif)", "Transport et logistique", "N4101", "9A", 1.6,
     (2, 3, 5, 6, 9, 10, 11)),
    ("collective", "OPCO Construction (fictif)", "BTP", "F1702", "9B", 1.2,
     (3, 4, 5, 9, 10, 11)),
    ("individuelle", "OPCO Services de l'automobile (fictif)", "Industrie et maintenance",
     "I1604", "9C", 0.8, (1, 4, 6, 8, 10, 12)),
    ("individuelle", "OPCO Hôtellerie-restauration (fictif)", "Hôtellerie-restauration",
     "G1803", "9B", 1.4, (3, 4, 5, 6, 7, 9, 11, 12)),
    ("individuelle", "OPCO Hôtellerie-restauration (fictif)", "Hôtellerie-restauration",
     "G1601", "9C", 1.0, (2, 5, 6, 9, 10, 12)),
    ("individuelle", "OPCO Santé-social (fictif)", "Santé et social", "K1302", "9A", 0.4,
     (3, 9, 11)),
    ("individuelle", "OPCO Industrie (fictif)", "Industrie et maintenance", "", "9A", 1.0,
     (2, 3, 5, 6, 7, 8, 9, 10)),
)  # fmt: skip

#: Demonstration FAP-225 ↔ ROME correspondence, written for the fictional territory: each
#: ROME code of the demo sessions and POE is linked to the FAP métiers the demo means it
#: to train for; labels are those of the demo sessions. One ``NA`` row, as in the
#: official file. It is not an extract of the official table: for a real territory,
#: use the DARES correspondence (``read_fap_rome`` reads it as published).
_FAP_ROME: tuple[tuple[str, str, str], ...] = (
    ("A0Z00", "NA", "NA"),
    ("B0Z20", "F1702", "POE btp"),
    ("B0Z21", "F1703", "Maçon"),
    ("B1Z40", "F1702", "POE btp"),
    ("B2Z40", "F1703", "Maçon"),
    ("B6Z73", "F1202", "Chef de chantier gros œuvre"),
    ("B7Z91", "F1202", "Chef de chantier gros œuvre"),
    ("C0Z20", "H2602", "Câbleur en électricité et électronique"),
    ("C1Z40", "H2602", "Câbleur en électricité et électronique"),
    ("D3Z20", "I1604", "Mécanicien réparateur automobile"),
    ("G0A40", "I1310", "Technicien de maintenance industrielle"),
    ("G0B41", "I1604", "Mécanicien réparateur automobile"),
    ("G1Z70", "I1310", "Technicien de maintenance industrielle"),
    ("G1Z70", "I1604", "Mécanicien réparateur automobile"),
    ("J3Z43", "N4101", "Conducteur du transport routier de marchandises sur porteur"),
    ("L0Z60", "M1608", "Secrétaire comptable"),
    ("L2Z61", "M1602", "Employé administratif"),
    ("L3Z80", "M1608", "Secrétaire comptable"),
    ("M0Z60", "M1805", "Développeur web et web mobile"),
    ("M1Z80", "M1805", "Développeur web et web mobile"),
    ("M2Z90", "M1805", "Développeur web et web mobile"),
    ("S1Z20", "G1603", "Agent de restauration"),
    ("S1Z80", "G1601", "Second de cuisine"),
    ("S2Z61", "G1803", "Serveur en restauration (deux groupes)"),
    ("T2A60", "K1302", "Assistant de vie aux familles"),
    ("V0Z60", "J1501", "Aide-soignant"),
    ("V1Z80", "J1506", "Préparation aux concours infirmier"),
)

_WITHDRAWAL = (
    "reprise d'emploi",
    "problème de mobilité",
    "garde d'enfant",
    "projet professionnel modifié",
    "rémunération insuffisante",
)
_DROPOUT = (
    "reprise d'emploi",
    "difficultés d'apprentissage",
    "santé",
    "problème de mobilité",
    "raisons personnelles",
)


def _rng(name: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _days(rng: np.random.Generator, low: int, high: int) -> pd.Timedelta:
    return pd.Timedelta(days=int(rng.integers(low, high + 1)))


def _sessions(agences: pd.DataFrame) -> pd.DataFrame:
    coords = agences.set_index("agence")[["latitude", "longitude"]].astype(float)
    rows = []
    for (sid, title, funder, cofunder, centre, metier, kind, sector, scheme, places, start,
         months, _n, _share) in _SESSIONS:  # fmt: skip
        organisme, afpa, commune, dep, reg, where = _SITES[centre]
        if isinstance(where, str):
            lat, lon = coords.loc[where, "latitude"] + 0.012, coords.loc[where, "longitude"]
        else:
            lat, lon = where
        begin = pd.Timestamp(start)
        rows.append(
            {
                "session_id": sid,
                "intitule": title,
                "financeur": funder,
                "cofinanceur": cofunder,
                "organisme": organisme,
                "centre": centre,
                "afpa": "oui" if afpa else "non",
                "commune": commune,
                "departement": dep,
                "region": reg,
                "latitude": f"{lat:.5f}",
                "longitude": f"{lon:.5f}",
                "formacode": "",
                "metier": metier,
                "type_offre": kind,
                "secteur": sector,
                "dispositif": scheme,
                "places": places,
                "date_debut": begin.strftime("%Y-%m-%d"),
                "date_fin": (begin + pd.DateOffset(months=months) - pd.Timedelta(days=3)).strftime(
                    "%Y-%m-%d"
                ),
            }
        )
    return pd.DataFrame(rows)


def _agence_weights(agences: pd.DataFrame, departement: str) -> np.ndarray:
    w = np.where(agences["departement"].to_numpy() == departement, 4.0, 1.0)
    return w / w.sum()


def _prescriptions(agences: pd.DataFrame, sessions: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = _rng("prescriptions", seed)
    codes = agences["agence"].to_numpy()
    rows = []
    for spec, session in zip(_SESSIONS, sessions.itertuples(index=False), strict=True):
        n, share = spec[12], spec[13]
        start, end = pd.Timestamp(session.date_debut), pd.Timestamp(session.date_fin)
        places = int(session.places)
        dep = session.departement or "9A"
        who = rng.choice(codes, size=n, p=_agence_weights(agences, dep))
        entrants = min(n, round(places * share))
        future = start > EXTRACT_DATE
        for i in range(n):
            latest = min(start - pd.Timedelta(days=5), EXTRACT_DATE - pd.Timedelta(days=2))
            presc = latest - _days(rng, 6, 80)
            if presc.year < 2024:
                presc = pd.Timestamp("2024-01-02") + _days(rng, 0, 5)
            row = {
                "agence": who[i],
                "session_id": session.session_id,
                "date_prescription": presc,
            }
            if i < entrants:
                row |= _entrant_steps(rng, presc, start, end, session.type_offre)
            else:
                row |= _other_steps(rng, presc, future=future, places=places)
            rows.append(row)
    return _prescription_table(rows, seed)


def _entrant_steps(
    rng: np.random.Generator,
    presc: pd.Timestamp,
    start: pd.Timestamp,
    end: pd.Timestamp,
    type_offre: str,
) -> dict[str, Any]:
    """Booking, entry and outcome of a prescription whose trainee entered the session."""
    entry = start + _days(rng, 0, 3)
    booked = min(presc + _days(rng, 2, max(3, (start - presc).days // 2)), entry)
    row: dict[str, Any] = {"date_reservation": booked, "date_entree": entry}
    if rng.random() < 0.12:
        row |= {
            "statut": "abandon",
            "date_abandon": entry + _days(rng, 10, max(11, (end - entry).days - 10)),
            "motif": _DROPOUT[int(rng.integers(0, len(_DROPOUT)))],
        }
        if row["date_abandon"] > EXTRACT_DATE:
            row |= {"statut": "entrée", "date_abandon": pd.NaT, "motif": ""}
    elif end > EXTRACT_DATE:
        row["statut"] = "entrée"
    else:
        row["date_fin_formation"] = end
        certified = rng.random() < 0.72 and type_offre != "pré-qualifiante"
        cert = end + _days(rng, 0, 20)
        if certified and cert <= EXTRACT_DATE:
            row |= {"statut": "certifiée", "date_certification": cert}
        else:
            row["statut"] = "terminée"
        job = end + _days(rng, 10, 120)
        if rng.random() < 0.55 and job <= EXTRACT_DATE:
            row["date_acces_emploi"] = job
    return row


def _other_steps(
    rng: np.random.Generator, presc: pd.Timestamp, *, future: bool, places: int
) -> dict[str, Any]:
    """Status of a prescription without entry: booked, waiting list, withdrawn or not yet."""
    u = rng.random()
    # steps of the future sessions end at the extraction date at the latest
    bookings = (0.45, 0.65) if future else (0.0, 0.2 if places >= 20 else 0.0)
    if u < bookings[0]:
        return {
            "statut": "réservée",
            "date_reservation": min(presc + _days(rng, 2, 20), EXTRACT_DATE),
        }
    if u < bookings[1]:
        return {
            "statut": "liste d'attente",
            "date_liste_attente": min(presc + _days(rng, 2, 15), EXTRACT_DATE),
        }
    if u < (0.85 if future else 0.7):
        row = {
            "statut": "désistement",
            "date_desistement": min(presc + _days(rng, 3, 25), EXTRACT_DATE),
            "motif": _WITHDRAWAL[int(rng.integers(0, len(_WITHDRAWAL)))]
            if rng.random() < 0.85
            else "",
        }
        if rng.random() < 0.4:
            row["date_reservation"] = presc + _days(rng, 1, 2)
        return row
    return {"statut": "prescrite"}


def _prescription_table(rows: list[dict[str, Any]], seed: int) -> pd.DataFrame:
    """The prescriptions in date order, with their ids and every column as text."""
    table = pd.DataFrame(rows)
    table = table.sort_values(["date_prescription", "session_id"], kind="stable")
    table = table.reset_index(drop=True)
    ids = [f"P{zlib.crc32(f'{seed}-{i}'.encode()):08X}" for i in range(len(table))]
    table.insert(0, "prescription_id", ids)
    columns = ["prescription_id", "agence", "session_id", "statut", *PRESCRIPTION_DATES, "motif"]
    for col in columns:
        if col not in table:
            table[col] = pd.NaT if col.startswith("date_") else ""
    table = table[columns]
    for col in columns:
        if col.startswith("date_"):
            table[col] = pd.to_datetime(table[col]).dt.strftime("%Y-%m-%d")
    return table.fillna("")


def _poe(seed: int) -> pd.DataFrame:
    rng = _rng("poe", seed)
    rows = []
    for kind, opca, sector, rome, dep, mean, months in _POE:
        for month in months:
            rows.append(
                {
                    "mois": f"2024-{month:02d}",
                    "type_poe": kind,
                    "opca": opca,
                    "secteur": sector,
                    "metier": rome,
                    "departement": dep,
                    "entrees": int(1 + rng.poisson(mean)),
                }
            )
    return pd.DataFrame(rows).sort_values(["mois", "type_poe", "opca"], kind="stable")


def write_demo_training(
    out_dir: str | Path, demo_dir: str | Path | None = None, *, seed: int = 2012
) -> list[Path]:
    """Write the demo training files into ``out_dir/formation`` and return them.

    ``demo_dir`` holds the demo territory and ``cotraitance/structures.csv`` (the
    agences; default: ``out_dir``).
    """
    out_dir = Path(out_dir)
    demo = Path(demo_dir) if demo_dir is not None else out_dir
    target = out_dir / "formation"
    target.mkdir(parents=True, exist_ok=True)
    agences = read_training_agences(demo / "cotraitance" / "structures.csv")
    sessions = _sessions(agences)
    files = {
        "agences.csv": agences.astype(object).where(agences.notna(), ""),
        "sessions.csv": sessions,
        "prescriptions.csv": _prescriptions(agences, sessions, seed),
        "poe.csv": _poe(seed),
    }
    written = []
    for name, frame in files.items():
        path = target / name
        frame.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    path = target / "fap_rome.csv"
    lines = ["Fap;Rome;intitule_rome", *(";".join(row) for row in _FAP_ROME)]
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python scripts/demo/demo_training.py [--sortie DOSSIER]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sortie", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--graine", type=int, default=2012)
    args = parser.parse_args(argv)
    for path in write_demo_training(args.sortie, ROOT / "data" / "demo", seed=args.graine):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
