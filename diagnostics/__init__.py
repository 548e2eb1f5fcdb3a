"""Territorial diagnostics for the public employment service and its partners.

A flat API for notebooks::

    import diagnostics as dg

The flat names are the functions and classes a notebook calls; constants and
helpers whose name does not say their concept stay under their module, which is
an attribute of ``dg``: ``dg.cotraitance.STATES``, ``dg.cotraitance.entries``,
``dg.positioning.POSITIONING_ROLES``. One territory of a configuration is loaded
with ``dg.load_territory`` (see :mod:`diagnostics.portrait`).

Settings (data folder, cache folder, CRS, disclosure threshold) are shared with
:mod:`geo` as ``dg.settings``; errors subclass built-ins (``ValueError``,
``LookupError``, ``OSError``).
"""

from diagnostics import (
    bmo,
    comparison,
    cotraitance,
    coverage,
    disclosure,
    jobseekers,
    network,
    partners,
    partnerships,
    portrait,
    positioning,
    training,
    workshop,
)
from diagnostics._readers.bmo import format_bmo_report, read_bmo
from diagnostics._readers.dares import read_dares_tensions
from diagnostics.bmo import *  # noqa: F403
from diagnostics.bmo import __all__ as _bmo_all
from diagnostics.comparison import *  # noqa: F403
from diagnostics.comparison import __all__ as _comparison_all
from diagnostics.cotraitance import *  # noqa: F403
from diagnostics.cotraitance import __all__ as _cotraitance_all
from diagnostics.coverage import *  # noqa: F403
from diagnostics.coverage import __all__ as _coverage_all
from diagnostics.disclosure import *  # noqa: F403
from diagnostics.disclosure import __all__ as _disclosure_all
from diagnostics.jobseekers import *  # noqa: F403
from diagnostics.jobseekers import __all__ as _jobseekers_all
from diagnostics.network import *  # noqa: F403
from diagnostics.network import __all__ as _network_all
from diagnostics.partners import *  # noqa: F403
from diagnostics.partners import __all__ as _partners_all
from diagnostics.partnerships import *  # noqa: F403
from diagnostics.partnerships import __all__ as _partnerships_all
from diagnostics.portrait import (
    PortraitConfig,
    PortraitData,
    TerritoryInputs,
    embed_map,
    load_portrait,
    load_territory,
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
    AmbiguousTerritoryError,
    CodeError,
    CRSError,
    GeometryError,
    InputFileError,
    SchemaError,
    SourceError,
    UnknownTerritoryError,
    WorkbenchError,
)

# Helpers whose name does not say their concept: only under their module
# (``dg.cotraitance.entries``). All-caps constants are never flat either.
_MODULE_ONLY = frozenset(
    {
        # cotraitance
        "entries",
        "save_tables",
        "count_by",
        "split_objective",
        "lead_times",
        "stock_by_state",
        "exits_due",
        "access_rate",
        "route_alerts",
        "need_mismatch",
        "payment_projection",
        "monthly_pace",
        "alert_summary",
        "alert_sentences",
        "sankey_links",
        "plot_pace",
        "plot_sankey",
        "map_flows",
        "period_problems",
        "local_tables",
        # positioning
        "reference_matrix",
        # jobseekers
        "crosses_break",
        # comparison
        "rank_text",
    }
)


def _flat(names: list[str]) -> list[str]:
    return [n for n in names if not n.isupper() and n not in _MODULE_ONLY]


_module_only = {
    name
    for names in (
        _bmo_all,
        _comparison_all,
        _partners_all,
        _coverage_all,
        _positioning_all,
        _partnerships_all,
        _network_all,
        _cotraitance_all,
        _disclosure_all,
        _training_all,
        _jobseekers_all,
    )
    for name in names
    if name not in _flat([name])
}
for _name in _module_only:
    del globals()[_name]
del _name, _module_only

__all__ = [
    # concept modules: dg.<module>.<name>
    "bmo",
    "comparison",
    "partners",
    "coverage",
    "positioning",
    "partnerships",
    "network",
    "cotraitance",
    "disclosure",
    "training",
    "jobseekers",
    "workshop",
    "portrait",
    # the flat notebook API
    "settings",
    "WorkbenchError",
    "InputFileError",
    "SchemaError",
    "CodeError",
    "UnknownTerritoryError",
    "AmbiguousTerritoryError",
    "CRSError",
    "GeometryError",
    "SourceError",
    "read_bmo",
    "format_bmo_report",
    "read_dares_tensions",
    *_flat(_bmo_all),
    *_flat(_comparison_all),
    *_flat(_partners_all),
    *_flat(_coverage_all),
    *_flat(_positioning_all),
    *_flat(_partnerships_all),
    *_flat(_network_all),
    *_flat(_cotraitance_all),
    *_flat(_disclosure_all),
    *_flat(_training_all),
    *_flat(_jobseekers_all),
    "PortraitConfig",
    "PortraitData",
    "TerritoryInputs",
    "embed_map",
    "load_territory",
    "load_portrait",
    "read_portrait_config",
    "run_portrait",
    "run_portraits",
]
