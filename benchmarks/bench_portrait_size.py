"""Benchmark: size of the portrait pages, and seconds per portrait in a batch.

Prints:

- the size of the full demo portrait (``data/demo/portrait.toml``, bassin 9901, every
  section configured) — goal of issue 16: at most 1 MB;
- the size of the real bassin portrait of Nantes (5220), built from the public files
  of ``../shared/data`` (``tests/data/portrait_pays_de_la_loire.toml``) — goal: 600 KB;
- over the 26 real Pays de la Loire bassins built by :func:`diagnostics.portrait.run_portraits`:
  the largest and the median size (goal: each at most 600 KB), the share of the pages
  that load nothing from the network, and the seconds per portrait of the batch;
- for the real 5220 portrait, the weight of each map frame and of the libraries
  stored once in the page.

``--racine`` measures another source tree (e.g. the ``main`` branch for the
"before" figures): its packages are imported and its kernels run its code.

Usage::

    python benchmarks/bench_portrait_size.py [--racine /work/main] [--travailleurs 2] [--sans-lot]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]


def _frames(page: str) -> list[int]:
    """Sizes (bytes, as stored in the page) of the document of each frame."""
    return [len(m.group(1).encode()) for m in re.finditer(r'srcdoc(?:-gz)?="([^"]*)"', page)]


def _libraries(page: str) -> int:
    """Bytes of the libraries stored once in the page (``<script type="text/plain">``)."""
    blocks = re.findall(
        r'<script type="text/plain" id="[^"]*" data-bibliotheque=.*?</script>', page, flags=re.S
    )
    return sum(len(b.encode()) for b in blocks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--racine", type=Path, default=ROOT, help="arbre source mesuré")
    parser.add_argument("--travailleurs", type=int, default=2)
    parser.add_argument("--sans-lot", action="store_true", help="pas de lot des 26 bassins")
    args = parser.parse_args(argv)
    root = args.racine.resolve()
    sys.path.insert(0, str(root))
    from diagnostics import portrait
    from diagnostics.portrait.html import external_resources

    print(f"Arbre mesuré : {root} ({Path(portrait.__file__).resolve()})")
    demo = root / "data" / "demo" / "portrait.toml"
    real = root / "tests" / "data" / "portrait_pays_de_la_loire.toml"
    shared = root.parent / "shared" / "data"

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        one = portrait.run_portrait(demo, "bassin", "9901", tmp / "demo", force=True)
        seconds = time.perf_counter() - start
        page = tmp / "demo" / one.manifest.iloc[0]["sortie"]
        print(
            f"\nDémo complète (bassin 9901) : {page.stat().st_size / 1000:.0f} Ko "
            f"(objectif 1 000 Ko) ; {seconds:.1f} s (portrait seul, démarrage du noyau compris)"
        )
        if not shared.is_dir():
            print(f"Données réelles absentes ({shared}) : mesures réelles non faites.")
            return 0

        start = time.perf_counter()
        one = portrait.run_portrait(real, "bassin", "5220", tmp / "reel", force=True)
        seconds = time.perf_counter() - start
        row = one.manifest.iloc[0]
        if row["statut"] == "erreur":
            print(f"Portrait réel 5220 en erreur : {row['erreur']}")
            return 1
        text = (tmp / "reel" / row["sortie"]).read_text(encoding="utf-8")
        frames = _frames(text)
        print(
            f"Réel bassin 5220 (Nantes) : {len(text.encode()) / 1000:.0f} Ko (objectif 600 Ko) ; "
            f"{seconds:.1f} s (portrait seul, démarrage du noyau compris)"
        )
        print(
            f"  {len(frames)} cadre(s) : "
            + ", ".join(f"{size / 1000:.0f}" for size in frames)
            + f" Ko ; bibliothèques stockées une fois : {_libraries(text) / 1000:.0f} Ko"
        )
        leaks = external_resources(text)
        print(f"  ressources externes : {len(leaks)}")

        if args.sans_lot:
            return 0
        start = time.perf_counter()
        batch = portrait.run_portraits(
            real, "bassin", tmp / "lot", region="52", workers=args.travailleurs, progress=False
        )
        seconds = time.perf_counter() - start
        manifest = batch.manifest
        done = manifest[manifest["statut"] != "erreur"]
        sizes = done["taille_ko"].astype(float)
        pages = [(tmp / "lot" / name).read_text(encoding="utf-8") for name in done["sortie"]]
        contained = sum(not external_resources(p) for p in pages)
        durations = done["duree_s"].astype(float)
        print(
            f"\nLot des {len(manifest)} bassins réels (région 52, {args.travailleurs} "
            f"travailleur(s)) : {len(done)} produits, {len(manifest) - len(done)} en erreur"
        )
        print(
            f"  taille : max {sizes.max():.0f} Ko, médiane {statistics.median(sizes):.0f} Ko "
            f"(objectif : chacun 600 Ko au plus -> "
            f"{'atteint' if sizes.max() <= 600 else 'NON atteint'}) ; "
            f"autonomes (rien à charger) : {contained}/{len(pages)}"
        )
        print(
            f"  durée : {seconds:.1f} s pour le lot, soit {seconds / len(manifest):.2f} s par "
            f"portrait ; médiane dans un travailleur {durations.median():.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
