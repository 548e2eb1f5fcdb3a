"""Territorial diagnostics for the public employment service and its partners.

A flat API for notebooks::

    import diagnostics as dg

Settings (data folder, cache folder, CRS, disclosure threshold) are shared with
:mod:`geo` as ``dg.settings``; errors subclass built-ins (``ValueError``,
``LookupError``, ``OSError``).
"""

from geo import settings
from geo._errors import (
    CodeError,
    CRSError,
    GeometryError,
    InputFileError,
    SchemaError,
    SourceError,
    UnknownTerritoryError,
    WorkbenchError,
)

__all__ = [
    "settings",
    "WorkbenchError",
    "InputFileError",
    "SchemaError",
    "CodeError",
    "UnknownTerritoryError",
    "CRSError",
    "GeometryError",
    "SourceError",
]
