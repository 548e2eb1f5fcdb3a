"""Command line ``territoire``.

Each command group lives in its own ``cli/<group>.py`` module exposing
``register(subparsers)``; this module wires them together and turns every
workbench error into a French message and a non-zero exit code, never a bare
traceback.

Exit codes: 0 success, 1 done with reported problems (partial result),
2 bad input or usage (an :class:`OSError` of a known kind too: permission refused,
disk full, missing drive..., told in French by
:func:`diagnostics.cli._outputs.os_error_message`), 3 unexpected internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from geo._errors import WorkbenchError

__all__ = ["main", "build_parser"]

# Modules that contribute command groups, in the order of ``territoire --help``.
_COMMAND_MODULES = (
    "diagnostics.cli.demo",
    "diagnostics.cli.territoires",
    "diagnostics.cli.donnees",
    "diagnostics.cli.bmo",
    "diagnostics.cli.demandeurs",
    "diagnostics.cli.partenaires",
    "diagnostics.cli.cotraitance",
    "diagnostics.cli.formation",
    "diagnostics.cli.portrait",
)


class _FrenchParser(argparse.ArgumentParser):
    """ArgumentParser whose own messages are in French."""

    def error(self, message: str) -> None:  # type: ignore[override]
        message = (
            message.replace("the following arguments are required", "arguments obligatoires")
            .replace("invalid choice", "choix invalide")
            .replace("choose from", "choix possibles :")
            .replace("unrecognized arguments", "arguments non reconnus")
            .replace("expected one argument", "une valeur est attendue")
            .replace("argument ", "option ")
        )
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the ``territoire`` parser with every available command group."""
    parser = _FrenchParser(
        prog="territoire",
        description=(
            "Atelier de diagnostic territorial : référentiels, territoires, tensions BMO, "
            "partenaires, cotraitance et portraits de territoire."
        ),
    )
    sub = parser.add_subparsers(dest="commande", metavar="COMMANDE", parser_class=_FrenchParser)
    sub.required = True
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a group not written yet
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``territoire`` with ``argv`` and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except WorkbenchError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except OSError as exc:
        from diagnostics.cli._outputs import os_error_message

        message = os_error_message(exc)
        if message is None:
            return _unexpected(exc)
        print(f"Erreur : {message}", file=sys.stderr)
        return 2
    except Exception as exc:
        return _unexpected(exc)


def _unexpected(exc: BaseException) -> int:
    print(
        f"Erreur inattendue ({type(exc).__name__}) : {exc}\n"
        "Ceci est un défaut de l'atelier : merci de le signaler avec la commande "
        "lancée et le fichier concerné.",
        file=sys.stderr,
    )
    return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
