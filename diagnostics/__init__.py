"""Territorial diagnostics for the public employment service and its partners.

A flat API for notebooks::

    import diagnostics as dg

Settings (data folder, cache folder, CRS, disclosure threshold) are shared with
:mod:`geo` as ``dg.settings``; errors subclass built-ins (``ValueError``,
``LookupError``, ``OSError``).
"""

from diagnostics._readers.bmo import format_bmo_report, read_bmo
from diagnostics._readers.dares import read_dares_tensions
from diagnostics.bmo import *  # noqa: F403
from diagnostics.bmo import __all__ as _bmo_all
from diagnostics.cotraitance import *  # noqa: F403
from diagnostics.cotraitance import __all__ as _cotraitance_all
from diagnostics.coverage import *  # noqa: F403
from diagnostics.coverage import __all__ as _coverage_all
from diagnostics.disclosure import *  # noqa: F403
from diagnostics.disclosure import __all__ as _disclosure_all
from diagnostics.network import *  # noqa: F403
from diagnostics.network import __all__ as _network_all
from diagnostics.partners import *  # noqa: F403
from diagnostics.partners import __all__ as _partners_all
from diagnostics.partnerships import *  # noqa: F403
from diagnostics.partnerships import __all__ as _partnerships_all
from diagnostics.portrait import (
    PortraitConfig,
    PortraitData,
    embed_map,
    load_portrait,
    read_portrait_config,
    run_portrait,
    run_portraits,
)
from diagnostics.positioning import *  # noqa: F403
from diagnostics.positioning import __all__ as _positioning_all
from diagnostics.training import *  # noqa: F403
from diagnostics.training import __all__ as _training_all
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
    "read_bmo",
    "format_bmo_report",
    "read_dares_tensions",
    *_bmo_all,
    *_partners_all,
    *_coverage_all,
    *_positioning_all,
    *_partnerships_all,
    *_network_all,
    *_cotraitance_all,
    *_disclosure_all,
    *_training_all,
    "PortraitConfig",
    "PortraitData",
    "embed_map",
    "load_portrait",
    "read_portrait_config",
    "run_portrait",
    "run_portraits",
]
