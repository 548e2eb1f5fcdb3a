"""Demonstration cotraitance files: structures, episodes, periods, flows, objectives.

:func:`write_demo_cotraitance` writes ``data/demo/cotraitance/``:

- ``structures.csv``: one fictional Pôle emploi agence per bassin (code ``A`` +
  bassin, sited at the bassin's most populated commune) and the missions locales of
  the demo directory ``partenaires.csv`` (type ``mission_locale``, code = its
  identifier);
- ``episodes.csv`` and ``periodes.csv``: a pseudonymised episode extract
  (January 2023 – June 2024, extraction on 30 June 2024) and its alert and
  suspension periods — fictional people, no names;
- ``flux.csv``: the monthly flows aggregated from the episodes
  (:func:`diagnostics.cotraitance.flows_from_episodes`);
- ``objectifs.csv``: local objectives per mission locale and the regional objective
  for 2023 and 2024, with the subsidy amounts (230 € per young person, the average
  implied by the accord, a parameter);
- ``besoins.csv``: young job seekers and potential demand (DE3) per mission locale;
- ``ressorts.csv``: the communes of each mission locale's ressort (from the directory).

Everything is drawn so that every state, exit reason and alert shows up: a mission
locale overruns its objective, one lags (over-payment), potential demand mismatches
the split, suspensions over six months, 26th birthdays (one-year rule), moves out of
the ressort, affectations not cancelled after a deregistration, initialisations
before acceptation, CIVIS and ex-CIVIS young people.

Run ``python scripts/demo/demo_cotraitance.py``; the output is byte-for-byte deterministic.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from diagnostics.cotraitance import flows_from_episodes  # noqa: E402
from diagnostics.partners import partner_ressort, read_partners  # noqa: E402
from geo import referentials  # noqa: E402

__all__ = ["EXTRACT_DATE", "COST_PER_YOUNG", "write_demo_cotraitance", "main"]

#: Extraction date of the demo extract (end of the steering month June 2024).
EXTRACT_DATE = pd.Timestamp("2024-06-30")
#: Implied average cost per young person (34.5 M€ / 150,000, L746): a parameter.
COST_PER_YOUNG = 230
#: Projected attainment ratio per mission locale rank (drives objectives and alerts).
_RATIOS = (1.35, 0.95, 0.70, 1.02, 0.90, 1.18, 0.85)


def _rng(name: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _structures(demo: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    bassins = referentials.read_commune_bassin(demo / "commune_bassin_bmo.csv")
    pop = referentials.read_communes_population(demo / "communes_population.json")
    polys = referentials.read_commune_polygons(sorted(demo.glob("communes-*.geojson")))
    centre = polys.to_crs("EPSG:2154").centroid.to_crs("EPSG:4326")
    polys = polys.assign(latitude=centre.y.round(5), longitude=centre.x.round(5))
    table = bassins.merge(pop[["commune", "commune_nom", "population"]], on="commune")
    table = table.merge(polys[["commune", "latitude", "longitude"]], on="commune")
    main = table.sort_values(["bassin", "population"], ascending=[True, False])
    main = main.drop_duplicates("bassin")
    agences = pd.DataFrame(
        {
            "code": "A" + main["bassin"],
            "nom": "Agence Pôle emploi de " + main["commune_nom"] + " (fictive)",
            "type": "agence",
            "departement": main["departement"],
            "region": main["region"],
            "commune": main["commune"],
            "latitude": main["latitude"],
            "longitude": main["longitude"],
        }
    )
    partners = read_partners(demo / "partenaires.csv")
    ml = partners[partners["type"] == "mission_locale"].reset_index(drop=True)
    site = ml[["commune"]].merge(
        table[["commune", "departement", "region", "latitude", "longitude"]], how="left"
    )
    missions = pd.DataFrame(
        {
            "code": ml["partenaire_id"],
            "nom": ml["nom"],
            "type": "mission_locale",
            "departement": site["departement"],
            "region": site["region"],
            "commune": ml["commune"],
            "latitude": ml["latitude"].fillna(site["latitude"]).round(5),
            "longitude": ml["longitude"].fillna(site["longitude"]).round(5),
        }
    )
    ressort = partner_ressort(ml, table)
    ressort = ressort.rename(columns={"partenaire_id": "mission_locale"})
    return pd.concat([agences, missions], ignore_index=True), table, ressort


def _date(rng: np.random.Generator, start: pd.Timestamp, days: int, n: int) -> pd.Series:
    return pd.Series(start + pd.to_timedelta(rng.integers(0, days, n), unit="D"))


def _episodes(
    structures: pd.DataFrame, communes: pd.DataFrame, ressort: pd.DataFrame, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = _rng("episodes", seed)
    ml_codes = structures.loc[structures["type"] == "mission_locale", "code"].tolist()
    weights = np.array([1.6, 1.2, 1.0, 0.9, 0.8, 0.7, 0.5])[: len(ml_codes)]
    n = 3600
    ml = rng.choice(ml_codes, size=n, p=weights / weights.sum())
    by_ml = ressort.groupby("mission_locale")["commune"].apply(list).to_dict()
    home = np.array([rng.choice(by_ml[m]) for m in ml], dtype=object)
    bassin = communes.set_index("commune")["bassin"]
    agence = np.array(["A" + bassin[c] for c in home], dtype=object)
    # a few young people live outside the ressort: a move that is due (L466)
    movers = rng.choice(n, size=25, replace=False)
    all_communes = communes["commune"].to_numpy()
    for i in movers:
        outside = np.setdiff1d(all_communes, by_ml[ml[i]])
        home[i] = rng.choice(outside)
    aff = _date(rng, pd.Timestamp("2023-01-02"), 545, n)
    # a growing flow in 2024 for the first mission locales: the overrun alert
    acc_delay = rng.gamma(2.0, 3.0, n).round()
    init_delay = acc_delay + rng.gamma(2.0, 4.0, n).round() - 1
    early = rng.random(n) < 0.06  # initialisation before acceptation (L2380)
    init_delay[early] = np.maximum(acc_delay[early] - rng.integers(1, 4, early.sum()), 0)
    accepted = rng.random(n) < 0.9
    initialised = accepted & (rng.random(n) < 0.88)
    acc = aff + pd.to_timedelta(np.where(accepted, acc_delay, np.nan), unit="D")
    init = aff + pd.to_timedelta(np.where(initialised, init_delay, np.nan), unit="D")
    acc = acc.where(acc <= EXTRACT_DATE)
    init = init.where(init <= EXTRACT_DATE)
    # radiation before initialisation: cancelled (most), or not (the check's cases)
    rad = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    not_init = init.isna().to_numpy()
    rad_mask = not_init & (rng.random(n) < 0.55)
    rad[rad_mask] = aff[rad_mask] + pd.to_timedelta(rng.integers(3, 30, rad_mask.sum()), "D")
    rad = rad.where(rad <= EXTRACT_DATE)
    cancel = rad.where(rng.random(n) < 0.85)
    # accepted then deregistered: fin de cotraitance anticipée (L2390) instead of annulation
    anticipated = rad.notna() & acc.notna() & cancel.notna() & (rng.random(n) < 0.3)
    exit_date = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    reason = pd.Series(pd.NA, index=range(n), dtype="string")
    exit_date[anticipated] = cancel[anticipated]
    reason[anticipated] = "fin_anticipee"
    cancel[anticipated] = pd.NaT
    # births: 16–25 at affectation, some in their 26th year (aged 25)
    age_days = rng.integers(16 * 365, 26 * 365 - 20, n)
    birth = (aff - pd.to_timedelta(age_days, "D")).dt.to_period("M").dt.to_timestamp()
    # exits of initialised episodes
    draw = rng.random(n)
    start = init.fillna(aff)
    reasons = ["reorientation_partenaire", "reprise_pole_emploi", "demenagement"]
    for i in np.flatnonzero(initialised & init.notna().to_numpy() & (draw < 0.30)):
        code = reasons[int(rng.integers(0, 3))]
        d = start[i] + pd.Timedelta(days=int(rng.integers(30, 300)))
        if d <= EXTRACT_DATE:
            exit_date[i], reason[i] = d, code
    birthday = birth + pd.DateOffset(years=26)
    in_26th = (aff >= birth + pd.DateOffset(years=25)) & (aff < birthday)
    due_age = birthday.where(~in_26th, aff + pd.DateOffset(years=1))
    open_ = init.notna() & exit_date.isna()
    aged = open_ & (due_age <= EXTRACT_DATE)
    # most are exited on time, a few are left open (exits due)
    keep_open = aged & (rng.random(n) < 0.15)
    exit_date[aged & ~keep_open] = due_age[aged & ~keep_open]
    reason[aged & ~keep_open] = "age_26_ans"
    civis = initialised & (rng.random(n) < 0.08)
    ex_civis = initialised & ~civis & (rng.random(n) < 0.05)
    episodes = pd.DataFrame(
        {
            "episode_id": [f"E{zlib.crc32(f'{seed}-{i}'.encode()):08X}" for i in range(n)],
            "date_affectation": aff,
            "date_acceptation": acc,
            "date_initialisation": init,
            "date_annulation": cancel,
            "date_sortie": exit_date,
            "motif_sortie": reason,
            "civis_initialisation": civis & init.notna().to_numpy(),
            "ex_civis": ex_civis & init.notna().to_numpy(),
            "mois_naissance": birth,
            "commune_residence": home,
            "agence": agence,
            "mission_locale": ml,
            "date_radiation": rad,
        }
    )
    # periods: alerts and suspensions of open, initialised episodes
    prng = _rng("periodes", seed)
    rows = []
    live = episodes[episodes["date_initialisation"].notna()]
    for _, e in live.iterrows():
        end_ep = e["date_sortie"] if pd.notna(e["date_sortie"]) else EXTRACT_DATE
        span = (end_ep - e["date_initialisation"]).days
        if span < 40:
            continue
        u = prng.random()
        if u < 0.12:
            s = e["date_initialisation"] + pd.Timedelta(days=int(prng.integers(10, span - 20)))
            f = s + pd.Timedelta(days=int(prng.integers(5, 60)))
            closed = f <= end_ep and prng.random() < 0.8
            decision = prng.choice(["maintien", "sortie"], p=[0.7, 0.3]) if closed else ""
            rows.append((e["episode_id"], "alerte", s, f if closed else pd.NaT, decision))
        elif u < 0.30:
            s = e["date_initialisation"] + pd.Timedelta(days=int(prng.integers(10, span - 20)))
            f = s + pd.Timedelta(days=int(prng.integers(15, 150)))
            rows.append((e["episode_id"], "suspension", s, f if f <= end_ep else pd.NaT, ""))
    periods = pd.DataFrame(
        rows, columns=["episode_id", "etat", "date_debut", "date_fin", "decision"]
    )
    # long open suspensions: exit after six months (most done, a few due)
    long_ = periods[(periods["etat"] == "suspension") & periods["date_fin"].isna()]
    for idx in long_.index:
        start_s = periods.at[idx, "date_debut"]
        due = start_s + pd.DateOffset(months=6)
        ep_idx = episodes.index[episodes["episode_id"] == periods.at[idx, "episode_id"]][0]
        if due <= EXTRACT_DATE and prng.random() < 0.6:
            episodes.at[ep_idx, "date_sortie"] = due
            episodes.at[ep_idx, "motif_sortie"] = "suspension_6_mois"
            periods.at[idx, "date_fin"] = due
    # make sure a few suspensions older than six months are still open
    candidates = live[
        live["date_sortie"].isna() & (live["date_initialisation"] < pd.Timestamp("2023-09-01"))
    ]
    for eid in candidates["episode_id"].iloc[:6]:
        if eid in set(periods["episode_id"]):
            continue
        ep_init = candidates.set_index("episode_id").at[eid, "date_initialisation"]
        periods.loc[len(periods)] = (
            eid,
            "suspension",
            max(ep_init, pd.Timestamp("2023-10-02")),
            pd.NaT,
            "",
        )
    # an alert closed with a decision 'sortie' ends the episode (réorientation / reprise)
    done = periods[(periods["etat"] == "alerte") & (periods["decision"] == "sortie")]
    for _, p in done.iterrows():
        ep_idx = episodes.index[episodes["episode_id"] == p["episode_id"]][0]
        if (
            pd.isna(episodes.at[ep_idx, "date_sortie"])
            or episodes.at[ep_idx, "date_sortie"] > p["date_fin"]
        ):
            episodes.at[ep_idx, "date_sortie"] = p["date_fin"]
            episodes.at[ep_idx, "motif_sortie"] = [
                "reorientation_partenaire",
                "reprise_pole_emploi",
            ][int(prng.integers(0, 2))]
    # an exit never precedes the acceptation (the reader would reject the row)
    late = episodes["date_sortie"] < episodes["date_acceptation"]
    episodes.loc[late, "date_sortie"] = episodes.loc[late, "date_acceptation"]
    # periods after the exit are cut
    ends = periods["episode_id"].map(episodes.set_index("episode_id")["date_sortie"])
    periods = periods[~(periods["date_debut"] >= ends)]
    cut = ends.notna() & (periods["date_fin"].isna() | (periods["date_fin"] > ends))
    periods.loc[cut, "date_fin"] = ends[cut]
    periods = periods.sort_values(["episode_id", "date_debut"]).reset_index(drop=True)
    return episodes, periods


def _fmt_dates(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            fmt = "%Y-%m" if col == "mois_naissance" else "%Y-%m-%d"
            out[col] = out[col].dt.strftime(fmt)
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = np.where(out[col], "oui", "non")
    return out


def write_demo_cotraitance(
    out_dir: str | Path, demo_dir: str | Path | None = None, *, seed: int = 2010
) -> list[Path]:
    """Write the demo cotraitance files into ``out_dir/cotraitance`` and return them.

    ``demo_dir`` holds the demo territory and ``partenaires.csv`` (default:
    ``out_dir``).
    """
    out_dir = Path(out_dir)
    demo = Path(demo_dir) if demo_dir is not None else out_dir
    target = out_dir / "cotraitance"
    target.mkdir(parents=True, exist_ok=True)
    structures, communes, ressort = _structures(demo)
    episodes, periods = _episodes(structures, communes, ressort, seed)
    flows = flows_from_episodes(
        episodes, periods, first_month="2023-01", last_month=EXTRACT_DATE.strftime("%Y-%m")
    )
    ml = structures[structures["type"] == "mission_locale"].reset_index(drop=True)
    obj_rows = []
    rng = _rng("objectifs", seed)
    for year in (2023, 2024):
        f = flows[flows["mois"].str[:4] == str(year)]
        months = 12 if year == 2023 else EXTRACT_DATE.month
        counted = (
            (f["initialisations"] - f["initialisations_civis"]).groupby(f["mission_locale"]).sum()
        )
        for rank, code in enumerate(ml["code"]):
            ratio = _RATIOS[rank % len(_RATIOS)] if year == 2024 else 0.9 + 0.2 * rng.random()
            objective = int(round(counted.get(code, 0) * 12 / months / ratio / 10) * 10)
            obj_rows.append(
                (
                    year,
                    "mission_locale",
                    code,
                    objective,
                    objective * COST_PER_YOUNG,
                    "avenant local (fictif)",
                )
            )
        region_total = sum(r[3] for r in obj_rows if r[0] == year)
        obj_rows.append(
            (
                year,
                "region",
                "99",
                region_total,
                region_total * COST_PER_YOUNG,
                "répartition régionale (fictive)",
            )
        )
    objectives = pd.DataFrame(
        obj_rows,
        columns=["annee", "niveau", "territoire", "objectif", "montant_subvention", "source"],
    )
    local_2024 = objectives[
        (objectives["annee"] == 2024) & (objectives["niveau"] == "mission_locale")
    ]
    need_factor = np.array([1.0, 1.6, 0.9, 1.0, 0.6, 1.05, 1.0])[: len(ml)]
    needs = pd.DataFrame(
        {
            "annee": 2024,
            "territoire": local_2024["territoire"].to_numpy(),
            "demandeurs_jeunes": (
                local_2024["objectif"].to_numpy() * 6.5 * (0.8 + 0.4 * rng.random(len(ml)))
            )
            .round()
            .astype(int),
            "demande_potentielle": (local_2024["objectif"].to_numpy() * 1.4 * need_factor)
            .round()
            .astype(int),
        }
    )
    files = {
        "structures.csv": structures,
        "episodes.csv": _fmt_dates(episodes),
        "periodes.csv": _fmt_dates(periods),
        "flux.csv": flows,
        "objectifs.csv": objectives,
        "besoins.csv": needs,
        "ressorts.csv": ressort[["mission_locale", "commune"]],
    }
    written = []
    for name, frame in files.items():
        path = target / name
        frame.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python scripts/demo/demo_cotraitance.py [--sortie DOSSIER]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sortie", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--graine", type=int, default=2010)
    args = parser.parse_args(argv)
    for path in write_demo_cotraitance(args.sortie, ROOT / "data" / "demo", seed=args.graine):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
