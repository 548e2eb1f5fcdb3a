"""The one flow of the dashboard commands (``cotraitance tableau``, ``formation tableau``).

Check the output folder (:mod:`diagnostics.cli._outputs`: never the input folder,
never over an input file) → read the folder → collect the problems of its files
(``--strict`` stops here if a row was set aside) → compute the tables → save them
(CSV ``;`` and XLSX, figures, map) → print the French summary, what was written and
the reported rows, or everything as JSON with ``--json``. Each command describes
its own steps in a :class:`Dashboard`; :func:`run_dashboard` runs them.

Exit codes: 0 done, 1 done but rows of the input files were reported (listed),
2 unusable input (raised by the readers as :class:`geo._errors.WorkbenchError`).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics.cli._outputs import guard_output_folder
from diagnostics.cli._strict import add_strict_option, check_strict
from diagnostics.cotraitance import save_tables
from diagnostics.disclosure import DisclosureWarning, check_threshold, masked_range
from geo import settings
from geo.problems import ProblemReport, collect_problems

__all__ = [
    "Dashboard",
    "run_dashboard",
    "print_outcome",
    "command_threshold",
    "add_threshold_option",
    "add_dashboard_options",
    "section_files",
]

#: How many reported rows are printed (``--json`` gives them all).
SHOWN = 50

Inputs = dict[str, pd.DataFrame]
Section = Mapping[str, Any]


@dataclass(frozen=True)
class Dashboard:
    """The steps of one dashboard command.

    Attributes
    ----------
    read
        ``args`` → the tables of the folder (each with its problem report).
    compute
        ``(inputs, args, threshold)`` → the section (tables, figures, map).
    summarize
        ``(section, inputs, args)`` → the French summary, one sentence a line.
    facts
        ``(args, section)`` → the first JSON fields (year, month...).
    problems_key
        JSON key of the reported rows.
    figures
        What the figures are, in the printed outcome (« figures PNG »).
    advice
        Wording of the printed outcome for the reported rows.
    details
        ``section`` → JSON fields written after the reported rows (alerts...).
    """

    read: Callable[[argparse.Namespace], Inputs]
    compute: Callable[[Inputs, argparse.Namespace, int], Section]
    summarize: Callable[[Section, Inputs, argparse.Namespace], list[str]]
    facts: Callable[[argparse.Namespace, Section], dict[str, Any]]
    problems_key: str
    figures: str
    advice: str
    details: Callable[[Section], dict[str, Any]] = field(default=lambda section: {})


def run_dashboard(args: argparse.Namespace, dashboard: Dashboard) -> int:
    """Run ``dashboard`` with the parsed options ``args``; return the exit code."""
    threshold = command_threshold(args.seuil)
    out_dir = Path(args.sortie)
    given = [("--dossier", Path(args.dossier))]
    guard_output_folder(out_dir, option="--sortie", writes=(), inputs=given)
    inputs = dashboard.read(args)
    problems = collect_problems(inputs)
    check_strict(problems, strict=args.strict)
    with warnings.catch_warnings():  # already told on stderr by command_threshold
        warnings.simplefilter("ignore", DisclosureWarning)
        section = dashboard.compute(inputs, args, threshold)
    guard_output_folder(out_dir, option="--sortie", writes=section_files(section), inputs=given)
    written = save_tables(section, out_dir, formats=_FORMATS)
    summary = dashboard.summarize(section, inputs, args)
    code = 1 if problems else 0
    if args.json:
        payload = {
            **dashboard.facts(args, section),
            "seuil_secret": threshold,
            "fichiers_lus": [table.attrs["fichier"] for table in inputs.values()],
            dashboard.problems_key: problems.lines(),
            **dashboard.details(section),
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
        figures=dashboard.figures,
        advice=dashboard.advice,
    )
    return code


_FORMATS = ("csv", "xlsx")


def section_files(section: Section) -> list[str]:
    """Names of the files :func:`~diagnostics.cotraitance.save_tables` writes for ``section``.

    Each table as ``<name>.csv`` and ``<name>.xlsx``, each map as ``<name>.html``,
    each figure as ``<name>.png``.
    """
    import folium

    names: list[str] = []
    for name, obj in section.items():
        if isinstance(obj, pd.DataFrame):
            names += [f"{name}.{fmt}" for fmt in _FORMATS]
        elif isinstance(obj, folium.Map):
            names.append(f"{name}.html")
        elif hasattr(obj, "savefig"):
            names.append(f"{name}.png")
    return names


def print_outcome(
    summary: list[str],
    written: list[Path],
    out_dir: Path,
    threshold: int,
    problems: ProblemReport,
    *,
    figures: str,
    advice: str,
) -> None:
    """Print a dashboard's French summary, what it wrote and the reported rows.

    The first :data:`SHOWN` reported rows are listed; ``--json`` gives them all.
    """
    print("\n".join(summary))
    print(
        f"\n{len(written)} fichiers écrits dans {out_dir} (tableaux CSV et XLSX, {figures}, "
        f"carte HTML), sous secret statistique ({masked_range(threshold)}, écrits « s »)."
    )
    if problems:
        aside = len(problems.set_aside())
        print(
            f"\n{len(problems)} remarque(s) sur les fichiers d'entrée, dont {aside} ligne(s) "
            "écartée(s) :"
        )
        print("\n".join(f"  - {line}" for line in problems.lines()[:SHOWN]))
        if len(problems) > SHOWN:
            print(f"  ... et {len(problems) - SHOWN} autre(s) (--json les donne toutes).")
        print(advice)


def command_threshold(text: str | None) -> int:
    """The disclosure threshold of a command: ``--seuil``, else the settings, checked.

    A threshold that masks nothing is refused (:class:`diagnostics.disclosure.DisclosureError`,
    exit 2); a lower one than the workbench's is used, with a French warning on stderr.
    """
    if text is None:
        value: object = settings.disclosure_threshold
        source = "variable TERRITOIRE_SEUIL_DIFFUSION"
    else:
        value, source = text, "option --seuil"
    threshold, caution = check_threshold(value, source=source)
    if caution:
        print(f"Attention : {caution}", file=sys.stderr)
    return threshold


def add_dashboard_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--seuil N`` and ``--strict``, the options every dashboard command shares."""
    add_threshold_option(parser)
    add_strict_option(parser)


def add_threshold_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--seuil N``, the disclosure threshold of the exports."""
    parser.add_argument(
        "--seuil",
        default=None,
        metavar="N",
        help="seuil du secret statistique : les effectifs de 1 à N-1 sont masqués ; entier "
        "≥ 2, un seuil inférieur à 5 (celui de l'atelier) est signalé (défaut : réglage de "
        "l'atelier, 5)",
    )
