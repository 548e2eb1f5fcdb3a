"""Shared checks of the hostile-input tests (issue 14).

Every case of ``tests/hostile/`` feeds the workbench a bad or hostile input, as a new
user or a malicious partner would, and asserts three things: the workbench answers
with its own French message (never a raw traceback), the message is one a person can
act on (it names the file, the line or column, and gives a fix), and what could be
kept was kept.

``assert_actionable`` checks a message and records the verdict; when the environment
variable ``HOSTILE_REPORT`` names a file, each verdict is appended to it as one JSON
line, so ``benchmarks/bench_hostile.py`` can count the cases and their messages.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from diagnostics.cli import main as territoire

#: A French imperative in the ``vous`` form ("corrigez", "vérifiez", "ajoutez"):
#: the fix a message gives.
FIX = re.compile(r"\b[a-zàâçéèêëîïôûùüÿœ-]+ez\b", re.IGNORECASE)
#: Where in the file: a line number, a column, a sheet or a field.
WHERE = re.compile(r"\b(lignes?|colonnes?|champ|feuille|cellule)\b", re.IGNORECASE)


def verdict(message: str, *, file: str | Path | None) -> dict[str, bool]:
    """Tell whether ``message`` names the file, a place in it, and a fix."""
    name = Path(file).name if file is not None else None
    return {
        "file": name is None or name in message,
        "where": bool(WHERE.search(message)),
        "fix": bool(FIX.search(message)),
    }


def _record(case: str, found: dict[str, bool], message: str) -> None:
    target = os.environ.get("HOSTILE_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(json.dumps({"case": case, **found, "message": message[:500]}) + "\n")


def assert_actionable(
    message: str,
    *,
    file: str | Path | None,
    where: bool = True,
    fix: bool = True,
    case: str | None = None,
) -> dict[str, bool]:
    """Assert that ``message`` is French, names ``file`` and, if asked, a place and a fix.

    ``file=None`` when the input is not a file (a command-line option, a typed name).
    Returns the verdict, also recorded for the closing figures.
    """
    assert message.strip(), "message vide"
    assert "Traceback" not in message, message
    for english in ("No such file", "not recognized as", "Permission denied", "codec can't"):
        assert english not in message, f"message anglais : {message}"
    found = verdict(message, file=file)
    _record(case or os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0], found, message)
    assert found["file"], f"le message ne nomme pas {file}: {message}"
    if where:
        assert found["where"], f"le message ne dit ni ligne ni colonne : {message}"
    if fix:
        assert found["fix"], f"le message ne donne pas de correctif : {message}"
    return found


@pytest.fixture
def run_cli(capsys) -> Callable[[Sequence[str]], tuple[int, str, str]]:
    """Run ``territoire`` in-process; return (exit code, stdout, stderr)."""

    def run(argv: Sequence[str]) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = territoire([str(a) for a in argv])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        assert "Traceback" not in err, err
        return code, out, err

    return run
