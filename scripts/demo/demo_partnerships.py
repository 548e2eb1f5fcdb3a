"""Demonstration partnerships, indicators, flows and Pôle emploi units.

:func:`write_demo_partnerships` writes four files read by :mod:`diagnostics.partnerships`
(format of the templates of ``data/partenariats/``):

- ``unites_pole_emploi.csv``: the direction régionale ``PE-DR-99``, three directions
  territoriales ``PE-DT-9A/9B/9C`` and two agencies per département, placed in the
  communes with the most partner sites;
- ``partenariats.csv``: one bilateral partnership between each major operating
  structure of the demo directory and an agency of its département (the mode follows
  its type: cotraitance with the missions locales and Cap emploi, mise à disposition
  with the PLIE, agrément with the SIAE...), a few partnerships between partners,
  regional conventions signed by the DR, and one multilateral "pacte territorial
  d'insertion" in 9A. Every mode and every life-cycle step occurs; some evaluations
  are overdue on :data:`DEMO_DATE`, some partnerships ended but are still marked
  running, some end within six months, some have no indicator; one major operating
  structure (:data:`ISOLATED`) has no partnership and no flow;
- ``partenariats_indicateurs.csv``: indicators of means and of results with targets
  and observed values;
- ``flux_partenaires.csv``: cotraitance flows to the missions locales and Cap emploi
  and prescriptions to PLIE, SIAE and training bodies, for 2024 and 2025.

Every row is fictional. Run ``python scripts/demo/demo_partnerships.py`` to rewrite the
files of ``data/demo``; the output is byte-for-byte deterministic for a given seed.
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

__all__ = ["DEMO_DATE", "ISOLATED", "write_demo_partnerships"]

#: Date on which the demo is read (the same as the positioning demo).
DEMO_DATE = dt.date(2026, 6, 30)

#: The major operating structure left without any relation (type searched in order).
ISOLATED = ("chambre_agriculture", "spip", "service_etat")

_MODE_OF_TYPE = {
    "mission_locale": "cotraitance",
    "cap_emploi": "cotraitance",
    "plie": "mise_a_disposition",
    "siae_aci": "agrement",
    "siae_ai": "agrement",
    "siae_ei": "agrement",
    "siae_etti": "agrement",
    "conseil_departemental": "cofinancement",
    "conseil_regional": "cofinancement",
    "opco": "cofinancement",
    "transitions_pro": "cofinancement",
    "entreprise": "partage_offres",
    "branche_professionnelle": "partage_offres",
    "cci": "partage_offres",
    "cma": "partage_offres",
    "entreprise_adaptee": "partage_offres",
    "organisme_formation": "substitution",
    "afpa": "substitution",
    "cfa": "substitution",
    "lycee": "substitution",
    "esat": "substitution",
    "association_solidarite": "complementarite",
    "ccas": "complementarite",
    "caf": "complementarite",
    "centre_social": "complementarite",
    "pjj": "complementarite",
}

_HEADERS = {
    "unites": ["Identifiant", "Nom", "Niveau", "Code commune", "Latitude", "Longitude"],
    "partenariats": [
        "Identifiant",
        "Intitulé",
        "Parties",
        "Niveau de conclusion",
        "Cadre",
        "Mode",
        "Domaines",
        "Publics",
        "Date de début",
        "Date de fin",
        "Statut",
        "Date de dernière évaluation",
        "Périodicité d'évaluation (mois)",
        "Comité de pilotage",
        "Dates des comités",
        "Commentaire",
    ],
    "indicateurs": [
        "Identifiant du partenariat",
        "Type d'indicateur",
        "Indicateur",
        "Cible",
        "Réalisé",
        "Date de mesure",
    ],
    "flux": ["Origine", "Destination", "Type de flux", "Année", "Volume"],
}

_INDICATORS = {
    "cotraitance": [
        ("moyens", "Comités de pilotage locaux tenus", 5),
        ("resultat", "Jeunes accompagnés en cotraitance", 300),
        ("resultat", "Sorties positives", 120),
    ],
    "mise_a_disposition": [
        ("moyens", "ETP mis à disposition", 2),
        ("resultat", "Participants entrés dans le PLIE", 80),
    ],
    "agrement": [("resultat", "Agréments IAE délivrés", 60)],
    "cofinancement": [("moyens", "Budget engagé (k€)", 150), ("resultat", "Bénéficiaires", 200)],
    "partage_offres": [("resultat", "Offres partagées", 90)],
    "substitution": [("resultat", "Personnes orientées", 70)],
    "complementarite": [("resultat", "Accompagnements conjoints", 40)],
    "echange_informations": [("moyens", "Réunions d'échange tenues", 4)],
}


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _fr(day: dt.date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def _points(folder: Path) -> pd.DataFrame:
    from geo.referentials import read_commune_polygons

    polygons = read_commune_polygons(sorted(folder.glob("communes-*.geojson")))
    points = polygons.to_crs("EPSG:2154").representative_point().to_crs("EPSG:4326")
    return pd.DataFrame(
        {"commune": polygons["commune"], "lat": points.y.round(5), "lon": points.x.round(5)}
    ).set_index("commune")


def _units(partners: pd.DataFrame, points: pd.DataFrame) -> list[dict[str, str]]:
    counts = partners.dropna(subset=["commune"]).groupby("commune").size()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    rows = []

    def add(uid: str, name: str, level: str, commune: str) -> None:
        lat, lon = points.loc[commune, ["lat", "lon"]]
        rows.append(
            dict(
                zip(
                    _HEADERS["unites"],
                    [uid, name, level, commune, f"{lat:.5f}", f"{lon:.5f}"],
                    strict=True,
                )
            )
        )

    top = {d: [c for c in counts.index if c.startswith(d)][:2] for d in ("9A", "9B", "9C")}
    add("PE-DR-99", "Direction régionale Île-Démonstration", "direction_regionale", top["9A"][0])
    for dep, communes in top.items():
        add(f"PE-DT-{dep}", f"Direction territoriale {dep}", "direction_territoriale", communes[0])
        for commune in communes:
            add(f"PE-AG-{commune}", f"Agence Pôle emploi {commune}", "agence", commune)
    return rows


def _date(rng: np.random.Generator, start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, days)))


def write_demo_partnerships(out_dir: Path, partners: pd.DataFrame, *, seed: int) -> list[Path]:
    """Write the demo units, partnerships, indicators and flows into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder written into, normally ``data/demo`` (its commune polygons, or those
        of :func:`geo.settings.demo_dir`, place the Pôle emploi units).
    partners
        The demo partner directory (:func:`diagnostics.partners.read_partners`).
    seed
        Seed of the draws; the same seed writes identical bytes.

    Returns
    -------
    list of pathlib.Path
        ``unites_pole_emploi.csv``, ``partenariats.csv``,
        ``partenariats_indicateurs.csv``, ``flux_partenaires.csv`` (CSV ``;``,
        UTF-8 with BOM, LF, French headers of the templates).
    """
    from geo import settings

    out_dir = Path(out_dir)
    folder = out_dir if any(out_dir.glob("communes-*.geojson")) else settings.demo_dir()
    units = _units(partners, _points(folder))
    agencies = {
        d: [u["Identifiant"] for u in units if u["Identifiant"].startswith(f"PE-AG-{d}")]
        for d in ("9A", "9B", "9C")
    }
    rng = _rng(seed, "partenariats")
    major = partners.loc[partners["majeur"] & partners["operant"]].sort_values("partenaire_id")
    isolated = next(
        (
            major.loc[major["type"] == t, "partenaire_id"].iloc[0]
            for t in ISOLATED
            if (major["type"] == t).any()
        ),
    )
    today = DEMO_DATE
    registry: list[list[str]] = []
    indicators: list[list[str]] = []
    by_type: dict[str, list[str]] = {}
    site_of = dict(zip(partners["partenaire_id"], partners["commune"].fillna(""), strict=True))
    pub_of = dict(zip(partners["partenaire_id"], partners["publics"], strict=True))
    dom_of = dict(zip(partners["partenaire_id"], partners["domaines"], strict=True))

    def add(
        pid: str,
        title: str,
        parties: list[str],
        level: str,
        frame: str,
        mode: str,
        status: str,
        *,
        publics: tuple[str, ...],
        domains: tuple[str, ...],
        scenario: str = "",
    ) -> None:
        start = _date(rng, dt.date(2021, 1, 1), 1200)
        end: dt.date | None = start + dt.timedelta(days=int(rng.choice([730, 1095, 1460])))
        evaluation: dt.date | None = None
        committee, meetings = "", []
        if status in ("identifie", "objectifs", "projets", "indicateurs"):
            start = _date(rng, dt.date(2026, 7, 1), 180)
            end = start + dt.timedelta(days=1095)
        elif status == "arrete":
            end = _date(rng, dt.date(2024, 1, 1), 700)
            start = end - dt.timedelta(days=1095)
            evaluation = end - dt.timedelta(days=60)
        else:
            end = max(end, today + dt.timedelta(days=200))
            evaluation = today - dt.timedelta(days=int(rng.integers(30, 330)))
            if status == "en_cours" and rng.random() < 0.15:
                evaluation = None
                start = min(start, dt.date(2024, 12, 31))
        if scenario == "overdue":
            evaluation = today - dt.timedelta(days=int(rng.integers(420, 700)))
            start = min(start, evaluation - dt.timedelta(days=200))
        elif scenario == "ended":
            end = today - dt.timedelta(days=int(rng.integers(20, 200)))
            start = end - dt.timedelta(days=1095)
        elif scenario == "renewal":
            end = today + dt.timedelta(days=int(rng.integers(20, 170)))
            start = end - dt.timedelta(days=1095)
        if mode == "cotraitance" or scenario == "committee":
            committee = "regional" if level == "regional" else "local"
            target = 4 if committee == "regional" else 5
            held = target if rng.random() < 0.6 else target - 2
            meetings = sorted(_date(rng, dt.date(2025, 1, 5), 350) for _ in range(held))
            meetings += sorted(_date(rng, dt.date(2026, 1, 5), 170) for _ in range(held // 2))
        period = "12" if rng.random() < 0.8 else "6"
        registry.append(
            [
                pid,
                title,
                "|".join(parties),
                level,
                frame,
                mode,
                "|".join(domains),
                "|".join(publics),
                _fr(start),
                _fr(end),
                status,
                _fr(evaluation),
                period,
                committee,
                "|".join(_fr(d) for d in meetings),
                "",
            ]
        )
        if (
            status in ("indicateurs", "en_cours", "evalue", "renegocie", "arrete")
            and scenario != "noind"
        ):
            for kind, label, target in _INDICATORS[mode]:
                observed = (
                    "" if status == "indicateurs" else str(round(target * rng.uniform(0.5, 1.2)))
                )
                measured = (
                    ""
                    if status == "indicateurs"
                    else _fr(min(today, (end or today)) - dt.timedelta(days=30))
                )
                indicators.append([pid, kind, label, str(target), observed, measured])

    n = 0
    active_cycle = ("en_cours", "en_cours", "evalue", "renegocie", "en_cours", "evalue")
    for k, rec in enumerate(major.itertuples(index=False)):
        if rec.partenaire_id == isolated:
            continue
        dep = str(rec.commune)[:2] if isinstance(rec.commune, str) else "9A"
        agency = agencies[dep][k % len(agencies[dep])]
        mode = _MODE_OF_TYPE.get(rec.type, "echange_informations")
        by_type.setdefault(rec.type, []).append(rec.partenaire_id)
        status = active_cycle[k % len(active_cycle)]
        scenario = {3: "overdue", 7: "renewal", 11: "noind"}.get(k % 13, "")
        if scenario:
            status = "en_cours"
        n += 1
        frame = "avenant" if k % 17 == 4 else "convention_locale"
        add(
            f"CV{n:03d}",
            f"{mode.replace('_', ' ').capitalize()} {agency} – {rec.nom}",
            [agency, rec.partenaire_id],
            "local",
            frame,
            mode,
            status,
            publics=tuple(pub_of[rec.partenaire_id])[:2],
            domains=tuple(dom_of[rec.partenaire_id])[:2],
            scenario=scenario,
        )
    # Partnerships not (or no longer) in force, with other structures of the directory.
    others = partners.loc[
        ~partners["majeur"] & partners["operant"] & partners["commune"].notna()
    ].sort_values("partenaire_id")
    early = ("identifie", "objectifs", "projets", "indicateurs", "arrete")
    for k, rec in enumerate(others.head(3 * len(early) + 6).itertuples(index=False)):
        dep = str(rec.commune)[:2]
        agency = agencies[dep][k % len(agencies[dep])]
        mode = _MODE_OF_TYPE.get(rec.type, "echange_informations")
        n += 1
        add(
            f"CV{n:03d}",
            f"{mode.replace('_', ' ').capitalize()} {agency} – {rec.nom}",
            [agency, rec.partenaire_id],
            "local",
            "convention_locale",
            mode,
            early[k % len(early)] if k < 3 * len(early) else "en_cours",
            publics=tuple(pub_of[rec.partenaire_id])[:2],
            domains=tuple(dom_of[rec.partenaire_id])[:2],
            scenario="" if k < 3 * len(early) else "ended",
        )
    # Partnerships between partners, and conventions of the DR and DTs.
    extra = 0

    def extra_add(
        parties: list[str],
        title: str,
        level: str,
        frame: str,
        mode: str,
        status: str,
        publics: tuple[str, ...],
        domains: tuple[str, ...],
        scenario: str = "",
    ) -> None:
        nonlocal extra
        extra += 1
        add(
            f"CX{extra:03d}",
            title,
            parties,
            level,
            frame,
            mode,
            status,
            publics=publics,
            domains=domains,
            scenario=scenario,
        )

    mls = by_type.get("mission_locale", [])
    plies = by_type.get("plie", [])
    cds = by_type.get("conseil_departemental", [])
    siae = by_type.get("siae_aci", [])
    for i, ml in enumerate(mls[:4]):
        if plies:
            extra_add(
                [ml, plies[i % len(plies)]],
                "Échange d'informations mission locale – PLIE",
                "local",
                "convention_locale",
                "echange_informations",
                "en_cours",
                ("jeunes",),
                ("insertion",),
            )
    for i, cd in enumerate(cds):
        for s in siae[i :: len(cds)][:3]:
            extra_add(
                [cd, s],
                "Cofinancement de l'insertion par l'activité économique",
                "territorial",
                "convention_locale",
                "cofinancement",
                "evalue",
                ("beneficiaires_rsa",),
                ("insertion",),
            )
        extra_add(
            [f"PE-DT-{['9A', '9B', '9C'][i % 3]}", cd],
            "Convention d'accompagnement global",
            "territorial",
            "convention_locale",
            "complementarite",
            "renegocie",
            ("beneficiaires_rsa",),
            ("insertion",),
            "committee",
        )
    for t in ("conseil_regional", "afpa", "transitions_pro"):
        for p in by_type.get(t, [])[:1]:
            extra_add(
                ["PE-DR-99", p],
                "Convention régionale formation",
                "regional",
                "convention_regionale",
                "cofinancement" if t != "afpa" else "substitution",
                "en_cours",
                ("demandeurs_emploi",),
                ("formation",),
                "committee",
            )
    extra_add(
        ["PE-DR-99", *mls[:1]],
        "Déclinaison régionale de l'accord national de cotraitance",
        "national",
        "accord_national",
        "cotraitance",
        "en_cours",
        ("jeunes", "personnes_handicapees"),
        ("intermediation", "insertion"),
    )
    # The multilateral partnership: the pact of 9A.
    in_9a = [
        p
        for p in (*mls, *plies, *cds, *by_type.get("cap_emploi", []))
        if site_of[p].startswith("9A")
    ]
    pact = ["PE-DT-9A", *in_9a[:5]]
    extra_add(
        pact,
        "Pacte territorial d'insertion Ormelin (multilatéral)",
        "territorial",
        "convention_locale",
        "complementarite",
        "en_cours",
        ("beneficiaires_rsa", "jeunes"),
        ("insertion", "orientation"),
        "committee",
    )

    flows: list[list[str]] = []
    frng = _rng(seed, "flux")
    site = dict(zip(partners["partenaire_id"], partners["commune"], strict=True))
    receivers = [
        (
            "cotraitance",
            by_type.get("mission_locale", []) + by_type.get("cap_emploi", []),
            (150, 450),
        ),
        ("prescription", by_type.get("plie", []) + siae + by_type.get("siae_ai", []), (20, 120)),
        ("orientation", by_type.get("organisme_formation", []) + by_type.get("afpa", []), (10, 80)),
    ]
    for year in (2024, 2025):
        for kind, ids, (low, high) in receivers:
            for k, pid in enumerate(sorted(ids)):
                dep = str(site[pid])[:2]
                agency = agencies[dep][k % len(agencies[dep])]
                flows.append([agency, pid, kind, str(year), str(int(frng.integers(low, high)))])

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, header, rows in (
        ("unites_pole_emploi.csv", _HEADERS["unites"], [list(u.values()) for u in units]),
        ("partenariats.csv", _HEADERS["partenariats"], registry),
        ("partenariats_indicateurs.csv", _HEADERS["indicateurs"], indicators),
        ("flux_partenaires.csv", _HEADERS["flux"], flows),
    ):
        path = out_dir / name
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Rewrite the demo partnership files of ``data/demo`` from the demo directory."""
    from diagnostics.partners import read_partners

    parser = argparse.ArgumentParser(description="Écrit les partenariats de démonstration.")
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--demo", type=Path, default=root / "data" / "demo")
    parser.add_argument("--graine", type=int, default=20240417)
    args = parser.parse_args(argv)
    partners = read_partners(args.demo / "partenaires.csv")
    for path in write_demo_partnerships(args.demo, partners, seed=args.graine):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
