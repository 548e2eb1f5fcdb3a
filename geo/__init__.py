"""Territories and geometry: referentials, code normalisation, crosswalks, polygons, maps.

Used module-qualified: ``geo.polygons.dissolve_communes(...)``, ``geo.maps.save_map(...)``.
"""

from geo import (
    codes,
    crs,
    maps,
    polygons,
    problems,
    referentials,
    settings,
    simplify,
    sources,
    territories,
)

__all__ = [
    "codes",
    "crs",
    "maps",
    "polygons",
    "problems",
    "referentials",
    "settings",
    "simplify",
    "sources",
    "territories",
]
