"""Benchmark: portrait batches against a naive sequential papermill loop.

Both produce the same self-contained HTML portraits for the same territories:

- **naive loop**: one ``papermill.execute_notebook`` per territory, each in a fresh
  kernel (papermill's default), one after the other, then the HTML conversion;
- **batch**: :func:`diagnostics.portrait.run_portraits`, ``--travailleurs`` worker
  processes, each running territory after territory in one warm kernel (imports
  and input files read once per worker).

Prints seconds per portrait, the ratio, the projected time for the 406 BMO bassins
of France (linear in the number of portraits, start-up included: conservative), and
the portrait sizes. Goal of issue 5: 406 bassins in at most 10 minutes on the
2-core reference machine, each portrait at most 3 MB.

Defaults: the 26 Pays de la Loire bassins of ``../shared/data`` (the demo région's
10 bassins when the real files are absent); the naive loop runs on the first
``--naif`` territories only (it is slow) and its time per portrait is extrapolated.

Usage::

    python benchmarks/bench_portraits.py [--travailleurs 2] [--naif 5] [--config F --region R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diagnostics import portrait  # noqa: E402
from diagnostics.portrait.config import read_portrait_config  # noqa: E402
from diagnostics.portrait.inputs import portrait_inputs  # noqa: E402

__all__ = ["main"]

REAL = ROOT / "tests" / "data" / "portrait_pays_de_la_loire.toml"
SHARED = ROOT.parent / "shared" / "data"
DEMO = ROOT / "data" / "demo" / "portrait.toml"
BASSINS_FRANCE = 406


def _naive(config: Path, level: str, codes: list[str], output: Path) -> list[float]:
    """One fresh kernel per territory, sequentially (papermill's default engine)."""
    import papermill as pm

    from diagnostics.portrait.batch import save_portrait_html

    seconds = []
    for code in codes:
        start = time.perf_counter()
        nb = pm.execute_notebook(
            str(portrait.notebook_path()),
            str(output / f"{level}_{code}.ipynb"),
            parameters={"configuration": str(config), "niveau": level, "code": code},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(portrait.notebook_path().parent),
        )
        save_portrait_html(nb, output / f"{level}_{code}.html", title=f"Portrait {code}")
        seconds.append(time.perf_counter() - start)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="configuration TOML (défaut : données réelles)")
    parser.add_argument("--niveau", default="bassin")
    parser.add_argument("--region", help="région des territoires (défaut : 52, ou 99 en démo)")
    parser.add_argument("--travailleurs", type=int, default=2)
    parser.add_argument("--naif", type=int, default=5, help="territoires de la boucle naïve")
    args = parser.parse_args(argv)

    # absolute: the naive loop runs the notebook from notebooks/, not from here
    config = (args.config or (REAL if SHARED.is_dir() else DEMO)).resolve()
    region = args.region or ("52" if config == REAL.resolve() else "99")
    inputs = portrait_inputs(read_portrait_config(config))
    codes = inputs.list_territories(args.niveau, region=region)["code"].tolist()
    print(f"Configuration : {config}")
    print(
        f"{len(codes)} territoire(s) ({args.niveau}, région {region}) ; "
        f"{args.travailleurs} travailleur(s) ; boucle naïve sur {min(args.naif, len(codes))}."
    )

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        result = portrait.run_portraits(
            config, args.niveau, tmp / "lot", region=region, workers=args.travailleurs,
            progress=False,
        )  # fmt: skip
        batch_s = time.perf_counter() - start
        manifest = result.manifest
        failed = manifest[manifest["statut"] == "erreur"]
        sizes = manifest["taille_ko"].dropna()

        start = time.perf_counter()
        rerun = portrait.run_portraits(
            config, args.niveau, tmp / "lot", region=region, workers=args.travailleurs,
            progress=False,
        )  # fmt: skip
        rerun_s = time.perf_counter() - start

        naive_codes = codes[: max(0, args.naif)]
        (tmp / "naif").mkdir()
        naive = _naive(config, args.niveau, naive_codes, tmp / "naif") if naive_codes else []

    per_batch = batch_s / len(codes)
    print(
        f"\nLot ({args.travailleurs} travailleurs) : {batch_s:.1f} s pour {len(codes)} "
        f"portraits, soit {per_batch:.2f} s par portrait "
        f"({len(manifest) - len(failed)} produits, {len(failed)} en erreur)."
    )
    durations = manifest.loc[manifest["statut"] == "produit", "duree_s"].astype(float)
    if len(durations):
        print(
            f"  durée d'un portrait dans un travailleur : médiane {durations.median():.2f} s, "
            f"max {durations.max():.2f} s (le premier de chaque travailleur paie le démarrage)"
        )
    print(
        f"  relance sans changement (tout à jour) : {rerun_s:.1f} s "
        f"({(rerun.manifest['statut'] == 'a_jour').sum()} à jour)"
    )
    projected = per_batch * BASSINS_FRANCE
    print(
        f"  projection pour les {BASSINS_FRANCE} bassins de France, linéaire (démarrage compris, "
        f"pessimiste) : {projected / 60:.1f} min (objectif : 10 min au plus) -> "
        f"{'atteint' if projected <= 600 else 'NON atteint'}"
    )
    if len(durations) > args.travailleurs:
        # Start-up (the first portrait of each worker), then the steady pace of the workers.
        startup = float(durations.nlargest(args.travailleurs).mean())
        steady = float(durations.nsmallest(len(durations) - args.travailleurs).mean())
        modelled = startup + steady * (BASSINS_FRANCE - args.travailleurs) / args.travailleurs
        print(
            f"  projection démarrage + rythme de croisière ({startup:.1f} s puis "
            f"{steady:.2f} s par portrait et par travailleur) : {modelled / 60:.1f} min"
        )
    if naive:
        per_naive = statistics.mean(naive)
        print(
            f"\nBoucle naïve (un noyau neuf par portrait, séquentielle) : {sum(naive):.1f} s pour "
            f"{len(naive)} portraits, soit {per_naive:.2f} s par portrait ; projection "
            f"{BASSINS_FRANCE} bassins : {per_naive * BASSINS_FRANCE / 60:.1f} min."
        )
        print(f"Rapport naïf / lot : {per_naive / per_batch:.1f} fois plus rapide en lot.")
    if len(sizes):
        print(
            f"\nTaille des portraits : médiane {sizes.median():.0f} Ko, max {sizes.max():.0f} Ko "
            f"(limite 3 000 Ko) -> {'respectée' if sizes.max() <= 3000 else 'DÉPASSÉE'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
