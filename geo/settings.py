"""Workbench settings, read at call time by the functions that need them.

Change them by assignment (``geo.settings.disclosure_threshold = 10``) or through
the environment variables named below, which are read when the module is imported.

Attributes
----------
data_dir : pathlib.Path
    Folder of the user's input files (``TERRITOIRE_DONNEES``); defaults to the
    ``data/`` folder shipped with the workbench.
cache_dir : pathlib.Path
    Folder of downloads and normalised caches (``TERRITOIRE_CACHE``).
storage_crs : str
    CRS in which geometries are stored and exchanged (WGS84).
metric_crs : str
    CRS for lengths, areas and distances in metropolitan France (Lambert-93).
disclosure_threshold : int
    Counts strictly below this value, built from person-level data, are never shown
    (``TERRITOIRE_SEUIL_DIFFUSION``, default :data:`DEFAULT_DISCLOSURE_THRESHOLD`).
    Checked at call time by :func:`diagnostics.disclosure.current_threshold`: 1 or
    less, or a value that is not a whole number, is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "data_dir",
    "cache_dir",
    "storage_crs",
    "metric_crs",
    "disclosure_threshold",
    "DEFAULT_DISCLOSURE_THRESHOLD",
    "bundled_data_dir",
    "demo_dir",
]


def bundled_data_dir() -> Path:
    """Return the ``data/`` folder shipped with the workbench.

    In a source checkout (editable install) it is the repository's ``data/``; in a
    wheel it is packaged as ``geo/_bundled_data``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "data", here / "_bundled_data"):
        if (candidate / "demo").is_dir():
            return candidate
    return here.parent / "data"


def demo_dir() -> Path:
    """Return the folder of the fictional demonstration territory."""
    return bundled_data_dir() / "demo"


def _default_cache_dir() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "territoire"


data_dir: Path = Path(os.environ.get("TERRITOIRE_DONNEES") or bundled_data_dir())
cache_dir: Path = Path(os.environ.get("TERRITOIRE_CACHE") or _default_cache_dir())
storage_crs: str = "EPSG:4326"
metric_crs: str = "EPSG:2154"
#: The default disclosure threshold: counts from 1 to 4 are never shown.
DEFAULT_DISCLOSURE_THRESHOLD = 5
# Kept as typed when it is not a number: refused with a French message at call time
# (diagnostics.disclosure.current_threshold), never a crash at import.
_threshold_text = os.environ.get("TERRITOIRE_SEUIL_DIFFUSION", "").strip()
disclosure_threshold: int = (
    int(_threshold_text)
    if _threshold_text.lstrip("+-").isdigit()
    else (_threshold_text or DEFAULT_DISCLOSURE_THRESHOLD)  # type: ignore[assignment]
)
