"""``territoire demo``: the main job on the fictional demonstration territory."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from geo import settings
from geo.display import format_count, format_number
from geo.exports import save_table

__all__ = ["register", "run_demo"]

#: What ``territoire demo`` writes in its folder (and ``portraits/`` below it).
_WRITES = (
    "bassins.geojson",
    "bassins.csv",
    "carte_bassins.html",
    "rapport_correspondance.csv",
    "rapport_correspondance.json",
)


def run_demo(output: Path) -> list[Path]:
    """Build the demo région's bassins, map, matching report and bassin portraits in ``output``.

    Returns the paths written.
    """
    from diagnostics.cli._outputs import guard_output_folder
    from diagnostics.cli.territoires import build_and_save

    demo = settings.demo_dir()
    guard_output_folder(
        output, option="--sortie", writes=_WRITES, inputs=[("données de démonstration", demo)]
    )
    output.mkdir(parents=True, exist_ok=True)
    result = build_and_save(
        sorted(demo.glob("communes-*.geojson")),
        demo / "commune_bassin_bmo.csv",
        "bassin",
        output / "bassins.geojson",
        passage_file=demo / "passage_codes_communes.csv",
        population_file=demo / "communes_population.json",
        max_kb=300,
        map_html=output / "carte_bassins.html",
        report_csv=output / "rapport_correspondance.csv",
        title="Bassins d'emploi — territoire de démonstration (fictif)",
    )
    (output / "rapport_correspondance.json").write_text(result.report.to_json(), encoding="utf-8")
    table = result.territories.drop(columns="geometry").rename(
        columns={"territoire": "bassin", "territoire_nom": "bassin_nom"}
    )
    save_table(table, output / "bassins.csv", sep=",", encoding="utf-8")
    print("Territoire de démonstration (entièrement fictif)")
    print(result.report.summary())
    from diagnostics.portrait import run_demo_portraits

    batch = run_demo_portraits(output)
    print(batch.summary())
    return [
        result.geojson,
        output / "bassins.csv",
        output / "carte_bassins.html",
        output / "rapport_correspondance.csv",
        output / "rapport_correspondance.json",
        batch.index,
        batch.output / "manifeste.csv",
        batch.output / "manifeste.json",
    ]


def _demo(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    written = run_demo(Path(args.sortie))
    print(f"\nFichiers produits en {format_number(time.perf_counter() - start)} s :")
    for path in written:
        print(f"  {path} ({format_count(path.stat().st_size / 1000, 'Ko')})")
    print("Ouvrez la carte dans un navigateur : elle fonctionne sans connexion internet.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` command."""
    p = subparsers.add_parser(
        "demo",
        help="lancer le travail principal sur le territoire de démonstration (fictif)",
        description=(
            "Produit les bassins, la carte, le rapport de correspondance et les portraits des "
            "bassins du territoire de démonstration fictif."
        ),
    )
    p.add_argument(
        "--sortie",
        default="sortie/demo",
        metavar="DOSSIER",
        help="dossier des résultats (défaut : sortie/demo)",
    )
    p.set_defaults(func=_demo)
