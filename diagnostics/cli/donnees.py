"""Command group ``territoire donnees``: the registry of official open-data sources.

- ``territoire donnees sources [--json]`` lists the registry;
- ``territoire donnees telecharger SOURCE [--annee A] [--departement D] [--cache DOSSIER]
  [--miroir URL] [--oublier]`` downloads one file into the cache, prints its path on
  standard output and the checksum status (recorded or verified) on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geo import sources

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``donnees`` command group to the ``territoire`` parser."""
    parser = subparsers.add_parser(
        "donnees",
        help="Sources officielles de données ouvertes : registre et téléchargement.",
        description=(
            "Registre des sources officielles (BMO, Insee, contours des communes...) et "
            "téléchargement dans le cache avec contrôle de la somme SHA-256."
        ),
    )
    commands = parser.add_subparsers(dest="donnees_commande", metavar="SOUS-COMMANDE")
    commands.required = True

    listing = commands.add_parser(
        "sources",
        help="Lister les sources du registre (éditeur, paramètres, licence).",
        description="Liste les sources officielles connues de l'atelier (data/sources.toml).",
    )
    listing.add_argument(
        "--json", action="store_true", help="écrire le registre en JSON (une entrée par source)"
    )
    listing.set_defaults(func=_run_sources)

    download = commands.add_parser(
        "telecharger",
        help="Télécharger un fichier officiel dans le cache et vérifier sa somme de contrôle.",
        description=(
            "Télécharge un fichier officiel dans le cache (DOSSIER/sources/SOURCE/) et écrit "
            "son chemin. La somme SHA-256 est enregistrée au premier téléchargement puis "
            "vérifiée à chaque appel : un fichier modifié est refusé."
        ),
    )
    download.add_argument(
        "source",
        metavar="SOURCE",
        help="identifiant de la source (voir « territoire donnees sources »)",
    )
    download.add_argument("--annee", metavar="ANNEE", help="millésime, pour les sources annuelles")
    download.add_argument(
        "--departement",
        metavar="CODE",
        help="code du département, pour les sources publiées par département (44, 2A, 971)",
    )
    download.add_argument(
        "--cache",
        metavar="DOSSIER",
        type=Path,
        help="dossier de cache (par défaut : variable TERRITOIRE_CACHE ou ~/.cache/territoire)",
    )
    download.add_argument(
        "--miroir",
        metavar="URL",
        help=(
            "adresse d'un miroir qui remplace le protocole et l'hôte de l'éditeur "
            f"(par défaut : variable {sources.MIRROR_ENV})"
        ),
    )
    download.add_argument(
        "--oublier",
        action="store_true",
        help=(
            "oublier la somme de contrôle enregistrée (et le fichier en cache) avant de "
            "télécharger, après une mise à jour publiée par l'éditeur"
        ),
    )
    download.set_defaults(func=_run_download)


def _describe_parameters(source: sources.Source) -> str:
    parts = []
    if source.years is not None:
        parts.append(f"--annee ({source.years[0]} à {source.years[1]})")
    if "departement" in source.parameters:
        parts.append("--departement")
    return ", ".join(parts) or "aucun"


def _run_sources(args: argparse.Namespace) -> int:
    registry = sources.list_sources()
    if args.json:
        json.dump([s.as_dict() for s in registry], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    width = max(len(s.id) for s in registry)
    for source in registry:
        access = source.format if source.url else f"{source.format}, téléchargement manuel"
        print(f"{source.id:<{width}}  {source.label}")
        indent = " " * (width + 2)
        parameters = _describe_parameters(source)
        print(f"{indent}{source.publisher} ({access}) ; paramètres : {parameters}")
        print(f"{indent}{source.landing_page}")
    print(
        f"\n{len(registry)} sources. Détail (adresses, licences, particularités) : "
        "territoire donnees sources --json"
    )
    return 0


def _run_download(args: argparse.Namespace) -> int:
    if args.cache is not None:
        from diagnostics.cli._outputs import ensure_output_dir

        ensure_output_dir(args.cache, option="--cache")
    result = sources.retrieve_source(
        args.source,
        year=args.annee,
        departement=args.departement,
        cache_dir=args.cache,
        mirror=args.miroir,
        progress=sys.stderr.isatty(),
        forget=args.oublier,
    )
    print(result.path)
    if args.oublier:
        print("Ancienne somme de contrôle oubliée.", file=sys.stderr)
    if result.status == "recorded":
        print(f"Somme de contrôle SHA-256 enregistrée : {result.sha256}", file=sys.stderr)
    else:
        print(f"Somme de contrôle SHA-256 vérifiée : {result.sha256}", file=sys.stderr)
    return 0
