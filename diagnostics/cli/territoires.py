"""``territoire territoires ...``: build territory polygons from real files.

``territoires construire`` never writes over one of its inputs, nor over another
command's input (:mod:`diagnostics.cli._outputs`): ``--sortie``, ``--carte`` and
``--rapport`` are checked before anything is read. ``--crs`` and ``--colonne-code``
are the options the polygon reader's messages suggest; ``--strict`` stops, writing
nothing, when a row of the correspondence, passage or population table is set aside.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from diagnostics.cli._outputs import check_distinct, guard_output_file
from diagnostics.cli._strict import add_strict_option, check_strict
from geo import polygons, referentials, simplify
from geo.display import format_count
from geo.exports import save_table
from geo.maps import map_territories, save_map
from geo.polygons import MatchingReport

__all__ = ["register", "BuildResult", "build_and_save"]

_LEVELS = ["bassin", "zone_emploi", "clpe", "departement", "region"]


@dataclass
class BuildResult:
    """What :func:`build_and_save` produced."""

    territories: gpd.GeoDataFrame
    report: MatchingReport
    geojson: Path
    geojson_bytes: int
    tolerance_m: float | None
    map_html: Path | None
    map_bytes: int | None
    report_csv: Path | None


def build_and_save(
    commune_files: list[Path],
    correspondence_file: Path,
    level: str,
    output: Path,
    *,
    passage_file: Path | None = None,
    population_file: Path | None = None,
    region: str | None = None,
    departement: str | None = None,
    tolerance_m: float | None = None,
    max_kb: float | None = None,
    map_html: Path | None = None,
    report_csv: Path | None = None,
    title: str | None = None,
    crs: str | None = None,
    swap_axes: bool = False,
    code_column: str | None = None,
    strict: bool = False,
) -> BuildResult:
    """Read the files, dissolve the communes, simplify if asked, write the outputs.

    The outputs are checked first (:mod:`diagnostics.cli._outputs`): none may be an
    input or another command's input, and each must be writable. ``crs`` and
    ``code_column`` go to :func:`geo.referentials.read_commune_polygons`; with
    ``strict``, a row set aside by a reader stops the build before anything is written.

    Raises
    ------
    OutputError
        An output would replace an input, or cannot be written.
    """
    from geo import codes

    inputs = [("--communes", p) for p in commune_files] + [
        (option, p)
        for option, p in (
            ("--correspondance", correspondence_file),
            ("--passage", passage_file),
            ("--population", population_file),
        )
        if p is not None
    ]
    outputs = [("--sortie", output), ("--carte", map_html), ("--rapport", report_csv)]
    check_distinct(outputs)
    for (option, path), example in zip(
        outputs, ("territoires.geojson", "carte.html", "rapport.csv"), strict=True
    ):
        guard_output_file(path, option=option, inputs=inputs, example=example)
    communes = referentials.read_commune_polygons(
        commune_files, crs=crs, code_column=code_column, swap_axes=swap_axes, strict=strict
    )
    corr = referentials.read_correspondence(correspondence_file, level, strict=strict)
    passage = referentials.read_code_passage(passage_file) if passage_file else None
    population = referentials.read_communes_population(population_file) if population_file else None
    check_strict(
        {
            "communes": communes,
            "correspondance": corr,
            "passage": passage,
            "population": population,
        },
        strict=strict,
    )
    built, report = polygons.dissolve_communes(
        communes,
        corr,
        passage=passage,
        region=codes.normalize_region(region) if region else None,
        departement=codes.normalize_departement(departement) if departement else None,
        population=population,
    )
    tolerance = None
    if tolerance_m is not None or max_kb is not None:
        built = simplify.simplify_coverage(
            built,
            tolerance_m=tolerance_m,
            max_bytes=int(max_kb * 1000) if max_kb is not None else None,
        )
        tolerance = built.attrs.get("tolerance_m")
    for path in (output, map_html, report_csv):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    size = simplify.save_geojson(built, output)
    map_size = None
    if map_html is not None:
        map_size = save_map(map_territories(built, title=title), map_html)
    if report_csv is not None:
        save_table(report.to_frame(), report_csv, format="csv", sep=",", encoding="utf-8")
    return BuildResult(built, report, output, size, tolerance, map_html, map_size, report_csv)


def _construire(args: argparse.Namespace) -> int:
    result = build_and_save(
        [Path(p) for p in args.communes],
        Path(args.correspondance),
        args.niveau,
        Path(args.sortie),
        passage_file=Path(args.passage) if args.passage else None,
        population_file=Path(args.population) if args.population else None,
        region=args.region,
        departement=args.departement,
        tolerance_m=args.tolerance,
        max_kb=args.taille_max,
        map_html=Path(args.carte) if args.carte else None,
        report_csv=Path(args.rapport) if args.rapport else None,
        title=f"Territoires ({args.niveau})",
        crs=args.crs,
        swap_axes=args.inverser_axes,
        code_column=args.colonne_code,
        strict=args.strict,
    )
    if args.json:
        payload = {
            "territoires": result.report.territoires,
            **{k: v for k, v in result.report.to_dict().items() if k != "territoires"},
            "sortie": str(result.geojson),
            "octets": result.geojson_bytes,
            "tolerance_m": result.tolerance_m,
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(result.report.summary())
        size = format_count(result.geojson_bytes / 1000, "Ko")
        print(f"Polygones écrits : {result.geojson} ({size})")
        if result.map_html and result.map_bytes is not None:
            print(f"Carte : {result.map_html} ({format_count(result.map_bytes / 1000, 'Ko')})")
        if result.report_csv:
            print(f"Rapport de correspondance : {result.report_csv}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``territoires`` command group."""
    group = subparsers.add_parser("territoires", help="construire les polygones des territoires")
    sub = group.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "construire",
        help="dissoudre les communes en territoires (bassins, zones d'emploi, CLPE...)",
        description=(
            "Construit les polygones des territoires en regroupant les polygones des communes "
            "selon une table de correspondance, et rend compte de ce qui ne correspond pas."
        ),
    )
    p.add_argument(
        "--communes",
        nargs="+",
        required=True,
        metavar="FICHIER",
        help="polygones des communes (GeoJSON, GeoPackage, Shapefile, GeoParquet)",
    )
    p.add_argument(
        "--correspondance",
        required=True,
        metavar="CSV",
        help="table commune → territoire (ex. commune_bassin_bmo.csv)",
    )
    p.add_argument("--niveau", required=True, choices=_LEVELS, help="niveau des territoires")
    p.add_argument("--sortie", required=True, metavar="FICHIER.geojson", help="polygones produits")
    p.add_argument(
        "--passage", metavar="CSV", help="table de passage des codes communes (millésimes)"
    )
    p.add_argument(
        "--population", metavar="JSON", help="communes et populations (API Découpage administratif)"
    )
    p.add_argument("--region", metavar="CODE", help="ne garder que les territoires de cette région")
    p.add_argument(
        "--departement", metavar="CODE", help="ne garder que les territoires de ce département"
    )
    p.add_argument(
        "--tolerance", type=float, metavar="M", help="simplifier avec cette tolérance (mètres)"
    )
    p.add_argument(
        "--taille-max", type=float, metavar="KO", help="simplifier pour tenir en KO kilo-octets"
    )
    p.add_argument(
        "--carte", metavar="FICHIER.html", help="écrire aussi une carte interactive autonome"
    )
    p.add_argument(
        "--rapport", metavar="FICHIER.csv", help="écrire le rapport de correspondance en CSV"
    )
    p.add_argument(
        "--crs",
        metavar="CRS",
        help=(
            "système de coordonnées des fichiers de communes qui n'en déclarent pas (Shapefile "
            "sans .prj), ex. EPSG:2154 (Lambert-93) ou EPSG:4326"
        ),
    )
    p.add_argument(
        "--colonne-code",
        metavar="COLONNE",
        help="colonne du code commune des fichiers de communes, si ce n'est pas une colonne usuelle",
    )
    add_strict_option(p)
    p.add_argument("--json", action="store_true", help="résumé JSON sur la sortie standard")
    p.add_argument(
        "--inverser-axes",
        action="store_true",
        help="échanger latitude et longitude à la lecture des communes (fichier écrit à l'envers)",
    )
    p.set_defaults(func=_construire)
