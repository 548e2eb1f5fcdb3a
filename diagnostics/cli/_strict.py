"""``--strict``: stop instead of setting rows aside.

By default a command that reads tables sets a bad row aside, reports it (file,
line, column, fix) and produces its result with the rest. With ``--strict`` it
stops before writing anything, with exit code 2 and the list of the rows it
would have set aside (every :class:`geo.problems.Problem` whose action is
« écartée »). Corrected or kept values do not stop it.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

import pandas as pd

from geo._errors import SchemaError, format_problems
from geo.problems import ProblemReport, collect_problems

__all__ = ["add_strict_option", "check_strict", "SHOWN"]

#: How many set-aside rows the message lists.
SHOWN = 50


def add_strict_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--strict`` to a command that reads tables."""
    parser.add_argument(
        "--strict",
        action="store_true",
        help=(
            "s'arrêter (code 2) sans rien écrire si une ligne d'un fichier d'entrée est "
            "écartée ; par défaut, le résultat est produit sans elle et la ligne est signalée"
        ),
    )


def check_strict(
    problems: ProblemReport | Mapping[str, pd.DataFrame | None], *, strict: bool
) -> None:
    """When ``strict``, raise :class:`SchemaError` if any row of the inputs was set aside.

    ``problems`` is a report, or tables whose readers attached one
    (:func:`geo.problems.collect_problems`).
    """
    if not strict:
        return
    report = problems if isinstance(problems, ProblemReport) else collect_problems(problems)
    set_aside = report.set_aside()
    if not set_aside:
        return
    lines = [str(p) for p in set_aside]
    raise SchemaError(
        format_problems(
            f"Mode strict (--strict) : {len(lines)} ligne(s) écartée(s) des fichiers d'entrée, "
            "rien n'a été écrit. Corrigez-les dans les fichiers source, ou relancez sans "
            "--strict pour produire le résultat sans elles :",
            lines,
            limit=SHOWN,
        ),
        problems=lines,
    )
