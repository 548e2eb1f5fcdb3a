"""``territoire portrait`` and ``territoire portraits``: territorial portraits as HTML pages.

Before any notebook runs, ``--sortie`` is checked (:mod:`diagnostics.cli._outputs`):
it may not hold the configuration or a configured input under a name the command
writes (``index.html``, ``manifeste.csv``, ``manifeste.json``, ``<niveau>_<code>.html``),
and it must be writable. With ``--strict``, every configured input is read first and
the command stops (exit 2, nothing written) if one is unreadable or if a row of one
was set aside.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from diagnostics.cli._outputs import guard_output_folder
from diagnostics.cli._strict import add_strict_option, check_strict
from diagnostics.cli._territory import understood
from geo import codes
from geo._errors import SchemaError, UnknownTerritoryError, format_problems
from geo.display import format_count, format_number
from geo.problems import ProblemReport, problems_of

__all__ = ["register"]

#: Files a portrait batch writes in its output folder, besides the pages.
_WRITES = ("index.html", "manifeste.csv", "manifeste.json")

_LEVELS = ["bassin", "zone_emploi", "clpe", "departement", "region", "commune"]


def _print_result(result) -> None:
    print(result.summary())


def _check_inputs(args: argparse.Namespace, pages: tuple[str, ...] = ()) -> None:
    """Guard ``--sortie`` against the configured inputs; with ``--strict``, read them all."""
    from diagnostics.portrait import read_portrait_config
    from diagnostics.portrait.inputs import portrait_inputs

    config = read_portrait_config(Path(args.config))
    given = [("--config", Path(args.config))] + [
        (f"entrée « {key} » de {Path(args.config).name}", path)
        for key, paths in config.inputs.items()
        for path in paths
    ]
    guard_output_folder(
        Path(args.sortie), option="--sortie", writes=(*_WRITES, *pages), inputs=given
    )
    if not args.strict:
        return
    inputs = portrait_inputs(config)
    tables = {key: inputs.get(key) for key in config.inputs}
    unusable = inputs.warnings()
    if unusable:
        raise SchemaError(
            format_problems(
                f"Mode strict (--strict) : {len(unusable)} entrée(s) de "
                f"{Path(args.config).name} inutilisable(s), aucun portrait produit. "
                "Corrigez-les, ou relancez sans --strict (les sections concernées le diront "
                "au lecteur) :",
                unusable,
            ),
            problems=unusable,
        )
    report = ProblemReport()
    for table in tables.values():
        if table is not None:
            report.extend(problems_of(table))
    check_strict(report, strict=True)


def _resolve(args: argparse.Namespace, level: str, text: str, *, lenient: bool = False) -> str:
    """The code of the territory ``text`` names (a code or a name), said when it was a name.

    With ``lenient``, an unknown or ambiguous ``text`` is returned as it is: the batch
    records it as an error of its manifest.
    """
    from diagnostics.portrait import read_portrait_config
    from diagnostics.portrait.inputs import portrait_inputs

    inputs = portrait_inputs(read_portrait_config(Path(args.config)))
    try:
        territory = inputs.territory(level, text)
    except UnknownTerritoryError:
        if lenient:
            return text
        raise
    sentence = understood(level, text, territory.code, territory.label)
    if sentence:
        print(sentence)
    return territory.code


def _portrait(args: argparse.Namespace) -> int:
    from diagnostics.portrait import run_portrait

    code = _resolve(args, args.niveau, args.code)
    _check_inputs(args, pages=(f"{args.niveau}_{code}.html",))

    result = run_portrait(
        Path(args.config),
        args.niveau,
        code,
        Path(args.sortie),
        years=args.annees,
        force=args.forcer,
        pdf=args.pdf,
        progress=False,
    )
    row = result.manifest.iloc[0]
    if row["statut"] == "erreur":
        print(f"Portrait {row['territoire']} non produit : {row['erreur']}")
        print(f"Notebook exécuté (pour voir l'erreur) : {result.output / 'details'}")
        return 1
    page = result.output / row["sortie"]
    state = (
        "déjà à jour (relancez avec --forcer pour le refaire)"
        if row["statut"] == "a_jour"
        else (f"produit en {format_number(row['duree_s'])} s")
    )
    print(
        f"Portrait {row['territoire']} ({row['nom']}) {state} : {page} "
        f"({format_count(row['taille_ko'], 'Ko')})"
    )
    for warning in row["avertissements"]:
        print(f"  ! {warning}")
    print("La page s'ouvre dans un navigateur, sans connexion internet.")
    return 0


def _portraits(args: argparse.Namespace) -> int:
    from diagnostics.portrait import run_portraits

    _check_inputs(args)
    region, departement = args.region, args.departement
    if region and codes.normalize_region(region, errors="coerce") is None:
        region = _resolve(args, "region", region)  # a name (a code is checked by the batch)
    if departement and codes.normalize_departement(departement, errors="coerce") is None:
        departement = _resolve(args, "departement", departement)
    wanted = [_resolve(args, args.niveau, c, lenient=True) for c in args.codes or ()] or None

    result = run_portraits(
        Path(args.config),
        args.niveau,
        Path(args.sortie),
        region=region,
        departement=departement,
        codes=wanted,
        years=args.annees,
        workers=args.travailleurs,
        force=args.forcer,
        pdf=args.pdf,
        progress=not args.sans_barre,
    )
    _print_result(result)
    return 1 if len(result.failed) else 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        required=True,
        metavar="FICHIER.toml",
        help="configuration des fichiers d'entrée (exemple : data/demo/portrait.toml)",
    )
    p.add_argument("--niveau", required=True, choices=_LEVELS, help="niveau des territoires")
    p.add_argument("--sortie", required=True, metavar="DOSSIER", help="dossier des portraits")
    p.add_argument(
        "--annees", nargs="+", type=int, metavar="ANNEE", help="millésimes BMO (défaut : tous)"
    )
    p.add_argument("--forcer", action="store_true", help="refaire les portraits déjà à jour")
    p.add_argument(
        "--pdf",
        action="store_true",
        help="imprimer aussi chaque portrait en PDF A4, sans les boutons des cartes (Chromium ou Chrome requis)",
    )
    add_strict_option(p)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``portrait`` and ``portraits`` commands."""
    p = subparsers.add_parser(
        "portrait",
        help="produire le portrait d'un territoire (page HTML autonome)",
        description=(
            "Exécute le notebook portrait_territoire.ipynb pour un territoire et le convertit "
            "en une page HTML autonome, qui s'ouvre sans connexion internet."
        ),
    )
    _common(p)
    p.add_argument(
        "--code",
        required=True,
        metavar="CODE",
        help="code ou nom du territoire (ex. 5203, « Saint-Nazaire »)",
    )
    p.set_defaults(func=_portrait)

    q = subparsers.add_parser(
        "portraits",
        help="produire les portraits de tous les territoires d'une région ou d'un département",
        description=(
            "Produit en parallèle les portraits des territoires d'une région, d'un département "
            "ou d'une liste de codes, avec un manifeste (CSV et JSON) et une page d'index. Les "
            "portraits à jour (mêmes fichiers, paramètres et notebook) ne sont pas refaits."
        ),
    )
    _common(q)
    where = q.add_mutually_exclusive_group(required=True)
    where.add_argument("--region", metavar="CODE", help="territoires de cette région (code ou nom)")
    where.add_argument(
        "--departement", metavar="CODE", help="territoires de ce département (code ou nom)"
    )
    where.add_argument(
        "--codes", nargs="+", metavar="CODE", help="territoires de ces codes (ou de ces noms)"
    )
    q.add_argument(
        "--travailleurs",
        type=int,
        default=min(4, os.cpu_count() or 1),
        metavar="N",
        help="nombre de processus en parallèle (défaut : nombre de cœurs, au plus 4)",
    )
    q.add_argument("--sans-barre", action="store_true", help="pas de barre de progression")
    q.set_defaults(func=_portraits)
