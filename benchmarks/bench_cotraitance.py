"""Benchmark: every monthly cotraitance indicator per mission locale from 1,000,000 episodes.

Generates a national-scale extract (484 missions locales, 900 agences, five years
2020-2024, alert and suspension periods), then times
:func:`diagnostics.cotraitance.flows_from_episodes` (monthly flows, exits by reason,
stocks by state per agence × mission locale) and :func:`lead_times` per mission locale
and month, with peak memory (tracemalloc, Python allocations incl. NumPy/pandas buffers).

With ``--duckdb`` (and DuckDB installed: ``pip install duckdb``; it is not a
dependency of the workbench), the same aggregations — monthly counts per agence ×
mission locale, stocks by state at each month end, median and P90 lead times per
mission locale and month — are also run in DuckDB on the same frames, to compare
the engines.

Usage: ``python benchmarks/bench_cotraitance.py [--episodes 1000000] [--duckdb]``.
Prints figures; asserts nothing. Target of issue 6: at most 10 s and 2 GB.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from diagnostics.cotraitance import EXIT_REASONS, flows_from_episodes, lead_times
from geo.display import format_int


def generate(n: int, *, seed: int = 6) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ml = rng.integers(0, 484, n)
    start = pd.Timestamp("2020-01-01")
    aff = start + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D")
    acc = aff + pd.to_timedelta(np.where(rng.random(n) < 0.9, rng.gamma(2, 3, n), np.nan), "D")
    init = aff + pd.to_timedelta(np.where(rng.random(n) < 0.8, rng.gamma(2, 6, n), np.nan), "D")
    init = init.where(pd.notna(acc) | (rng.random(n) < 0.1))
    ann = (aff + pd.to_timedelta(rng.integers(3, 30, n), "D")).where(
        pd.isna(init) & (rng.random(n) < 0.5)
    )
    exits = init + pd.to_timedelta(rng.integers(30, 500, n), "D")
    exits = exits.where(pd.notna(init) & (rng.random(n) < 0.7))
    reasons = np.array(list(EXIT_REASONS), dtype=object)[rng.integers(0, 6, n)]
    episodes = pd.DataFrame(
        {
            "episode_id": np.arange(n).astype(str),
            "date_affectation": aff,
            "date_acceptation": acc,
            "date_initialisation": init,
            "date_annulation": ann,
            "date_sortie": exits,
            "motif_sortie": pd.array(np.where(pd.notna(exits), reasons, None), dtype="string"),
            "civis_initialisation": rng.random(n) < 0.08,
            "ex_civis": rng.random(n) < 0.05,
            "agence": pd.array(
                np.char.add("A", (ml * 2 + rng.integers(0, 2, n)).astype(str)), dtype="string"
            ),
            "mission_locale": pd.array(np.char.add("M", ml.astype(str)), dtype="string"),
        }
    )
    k = n // 4
    idx = rng.choice(n, k, replace=False)
    base = episodes["date_initialisation"].to_numpy()[idx]
    ok = ~pd.isna(base)
    idx, base = idx[ok], base[ok]
    debut = pd.Series(base) + pd.to_timedelta(rng.integers(10, 120, len(idx)), "D")
    periods = pd.DataFrame(
        {
            "episode_id": episodes["episode_id"].to_numpy()[idx],
            "etat": np.where(rng.random(len(idx)) < 0.4, "alerte", "suspension"),
            "date_debut": debut,
            "date_fin": debut + pd.to_timedelta(rng.integers(5, 200, len(idx)), "D"),
        }
    )
    return episodes, periods


_DUCKDB_SQL = """
create or replace temp table months as
  select cast(range as date) as debut, cast(range + interval 1 month - interval 1 day as date) as fin
  from range(date '2020-01-01', date '2025-01-01', interval 1 month);
create or replace temp table events as
  select agence, mission_locale, date_trunc('month', d) as mois, etape, count(*) as n from (
    select agence, mission_locale, date_affectation as d, 'affectations' as etape from ep
    union all select agence, mission_locale, date_acceptation, 'acceptations' from ep
      where date_acceptation is not null
    union all select agence, mission_locale, date_initialisation, 'initialisations' from ep
      where date_initialisation is not null
    union all select agence, mission_locale, date_annulation, 'annulations' from ep
      where date_annulation is not null
    union all select agence, mission_locale, date_sortie, 'sortie_' || motif_sortie from ep
      where date_sortie is not null
  ) group by all;
create or replace temp table stocks as
  with presents as (
    select e.episode_id, e.agence, e.mission_locale, m.fin
    from ep e join months m
      on e.date_initialisation <= m.fin and (e.date_sortie is null or e.date_sortie > m.fin)
  ), etats as (
    select p.episode_id, p.fin, max(case when pe.etat = 'suspension' then 2 else 1 end) as rang
    from presents p join pe on pe.episode_id = p.episode_id and pe.date_debut <= p.fin
      and (pe.date_fin is null or pe.date_fin >= p.fin)
    group by all
  )
  select agence, mission_locale, fin as mois,
         case rang when 2 then 'suspension' when 1 then 'alerte' else 'actif' end as etat,
         count(*) as n
  from presents left join etats using (episode_id, fin)
  group by all;
create or replace temp table delais as
  select mission_locale, date_trunc('month', date_affectation) as mois, delai,
         count(*) as n, median(jours) as mediane, quantile_cont(jours, 0.9) as p90 from (
    select mission_locale, date_affectation, 'affectation_acceptation' as delai,
           date_diff('day', date_affectation, date_acceptation) as jours from ep
      where date_acceptation is not null
    union all select mission_locale, date_affectation, 'affectation_initialisation',
           date_diff('day', date_affectation, date_initialisation) from ep
      where date_initialisation is not null
    union all select mission_locale, date_affectation, 'acceptation_initialisation',
           date_diff('day', date_acceptation, date_initialisation) from ep
      where date_initialisation is not null and date_acceptation is not null
  ) group by all;
"""


def run_duckdb(episodes: pd.DataFrame, periods: pd.DataFrame) -> None:
    """The same aggregations in DuckDB (in-process, both cores), timed and sized."""
    try:
        import duckdb
    except ImportError:
        print("DuckDB absent (pip install duckdb) : comparaison non faite.")
        return
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.register("ep", episodes)
    con.register("pe", periods)
    con.execute(_DUCKDB_SQL)
    sizes = {
        t: con.execute(f"select count(*) from {t}").fetchone()[0]
        for t in ("events", "stocks", "delais")
    }
    elapsed = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"DuckDB {duckdb.__version__} : {elapsed:.1f} s ; {format_int(sizes['events'])} comptes mensuels, "
        f"{format_int(sizes['stocks'])} stocks par état, {format_int(sizes['delais'])} délais ; "
        f"RSS max du processus {format_int(rss)} Mo"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--duckdb", action="store_true", help="comparer avec DuckDB")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="trace les allocations (ralentit fortement)"
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    episodes, periods = generate(args.episodes)
    print(
        f"génération : {time.perf_counter() - t0:.1f} s, {format_int(len(episodes))} épisodes, "
        f"{format_int(len(periods))} périodes"
    )
    if args.tracemalloc:
        tracemalloc.start()
    t0 = time.perf_counter()
    flows = flows_from_episodes(episodes, periods)
    t1 = time.perf_counter()
    monthly = episodes.assign(mois=episodes["date_affectation"].dt.strftime("%Y-%m"))
    monthly["ml_mois"] = monthly["mission_locale"] + "|" + monthly["mois"]
    delays = lead_times(monthly, by="ml_mois")
    t2 = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else 0
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"flux mensuels (pandas) : {t1 - t0:.1f} s, {format_int(len(flows))} lignes agence × ML × mois"
    )
    print(f"délais médian/P90 par ML × mois : {t2 - t1:.1f} s, {format_int(len(delays))} lignes")
    print(
        f"total : {t2 - t0:.1f} s ; pic tracemalloc {format_int(peak / 2**20)} Mo ; "
        f"RSS max du processus {format_int(rss)} Mo"
    )
    if args.duckdb:
        run_duckdb(episodes, periods)


if __name__ == "__main__":
    main()
