"""``territoire formation ...``: the training dashboard of a folder of training files.

``territoire formation tableau --dossier DIR --sortie DIR [--annee A] [--seuil N]
[--regle-reussite certification|fin_de_formation] [--json]`` reads a training folder
(``sessions``, ``prescriptions`` and, when present, ``agences``, ``poe``,
``fap_rome``: the layout of ``data/demo/formation``, templates in
``data/formation``), writes every table of
:func:`diagnostics.training.training_section` (CSV ``;`` and XLSX, hidden cells
``s``), the funnel chart (PNG) and the flow map (offline HTML) into ``--sortie``,
all under disclosure control, and prints the French summary
(:func:`diagnostics.training.training_sentences`). Training against BMO needs needs a
territory and its BMO table: it is in the portrait and in ``formation.ipynb``.

Exit codes: 0 done, 1 done but rows of the input files were reported (listed),
2 unusable input (missing folder, file or column).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from diagnostics import training as tr
from diagnostics.cli.cotraitance import _positive, print_outcome
from diagnostics.cotraitance import input_problems, save_tables
from diagnostics.disclosure import current_threshold

__all__ = ["register"]


def _tableau(args: argparse.Namespace) -> int:
    threshold = current_threshold(args.seuil)
    inputs = tr.read_training_folder(args.dossier)
    problems = input_problems(inputs)
    section = tr.training_section(
        **inputs, year=args.annee, success_rule=args.regle_reussite, threshold=threshold
    )
    out_dir = Path(args.sortie)
    written = save_tables(section, out_dir, formats=("csv", "xlsx"))
    summary = tr.training_sentences(tr.training_summary(section))
    code = 1 if problems else 0
    if args.json:
        payload = {
            "annee": section["annee"],
            "seuil_secret": threshold,
            "fichiers_lus": [table.attrs["fichier"] for table in inputs.values()],
            "lignes_signalees": problems,
            "resume": summary,
            "fichiers_ecrits": [str(path) for path in written],
            "code_sortie": code,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return code
    print_outcome(
        summary,
        written,
        out_dir,
        threshold,
        problems,
        figures="figure PNG",
        reported="signalée(s) dans les",
        advice="Corrigez-les dans les fichiers source ; le tableau est produit sans elles.",
    )
    return code


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``formation`` command group."""
    group = subparsers.add_parser(
        "formation", help="formation (Région, AFPA, POE) : tableau de suivi des prescriptions"
    )
    sub = group.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "tableau",
        help="produire les indicateurs des conventions AFPA et Région, les flux et la carte",
        description=(
            "Lit un dossier de formation (sessions, prescriptions ; agences, poe, fap_rome "
            "s'ils sont présents ; modèles dans data/formation/), écrit les tableaux (CSV et "
            "XLSX), l'entonnoir (PNG) et la carte des flux (HTML hors ligne) sous secret "
            "statistique, et en résume la lecture. Code de sortie : 0 terminé, 1 terminé avec "
            "des lignes signalées, 2 entrée inutilisable."
        ),
    )
    p.add_argument(
        "--dossier",
        required=True,
        metavar="DOSSIER",
        help="dossier des fichiers de formation (ex. data/demo/formation)",
    )
    p.add_argument("--sortie", required=True, metavar="DOSSIER", help="dossier des exports")
    p.add_argument(
        "--annee",
        type=int,
        default=None,
        metavar="A",
        help="année des prescriptions (défaut : la plus récente du fichier)",
    )
    p.add_argument(
        "--seuil",
        type=_positive,
        default=None,
        metavar="N",
        help="seuil du secret statistique (défaut : réglage de l'atelier, 5)",
    )
    p.add_argument(
        "--regle-reussite",
        choices=sorted(tr.SUCCESS_RULES),
        default="certification",
        help="parcours réussi : certification (défaut) ou fin_de_formation",
    )
    p.add_argument("--json", action="store_true", help="résumé en JSON")
    p.set_defaults(func=_tableau)
