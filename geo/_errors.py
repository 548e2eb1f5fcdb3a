"""Error hierarchy of the workbench.

Every error subclasses a built-in (``ValueError``, ``LookupError``, ``OSError``) so
callers can catch either the workbench class or the built-in one. Messages are in
French, name the file, the column, the row or the code, say what was expected and
what was found, and give the fix.
"""

from __future__ import annotations

__all__ = [
    "WorkbenchError",
    "InputFileError",
    "SchemaError",
    "CodeError",
    "UnknownTerritoryError",
    "AmbiguousTerritoryError",
    "CRSError",
    "GeometryError",
    "SourceError",
    "OutputError",
    "format_problems",
]


class WorkbenchError(Exception):
    """Base class of every error raised on purpose by the workbench."""


class InputFileError(WorkbenchError, OSError):
    """An input file is missing, unreadable or not of the expected format."""


class SchemaError(WorkbenchError, ValueError):
    """A table lacks columns or holds values of the wrong kind.

    ``problems`` keeps every problem found (validation collects them all, then
    raises once).
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class CodeError(WorkbenchError, ValueError):
    """A territorial code (commune, département, bassin...) cannot be normalised."""


class UnknownTerritoryError(WorkbenchError, LookupError):
    """A territory code is not in the referential; ``suggestions`` lists close codes."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = list(suggestions or [])


class AmbiguousTerritoryError(UnknownTerritoryError):
    """A territory name matches several territories; ``suggestions`` lists their codes."""


class CRSError(WorkbenchError, ValueError):
    """A layer has no CRS, or a metric computation was asked on geographic coordinates."""


class GeometryError(WorkbenchError, ValueError):
    """Polygons are invalid or missing and cannot be repaired safely."""


class SourceError(WorkbenchError, OSError):
    """An official source cannot be downloaded or does not match its checksum."""


class OutputError(WorkbenchError, OSError):
    """An output cannot be written, or writing it would replace an input file."""


def format_problems(header: str, problems: list[str], *, limit: int = 20) -> str:
    """Join ``problems`` under ``header`` as a bulleted French message.

    Only the first ``limit`` problems are listed; the rest are counted.
    """
    lines = [header]
    lines += [f"  - {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"  ... et {len(problems) - limit} autre(s) problème(s).")
    return "\n".join(lines)
