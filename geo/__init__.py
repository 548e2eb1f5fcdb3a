"""Territories and geometry: referentials, code normalisation, crosswalks, polygons, maps,
French display of numbers and missing values.

Used module-qualified: ``geo.polygons.dissolve_communes(...)``, ``geo.maps.save_map(...)``.
"""

from geo import (
    codes,
    crs,
    display,
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
    "display",
    "maps",
    "polygons",
    "problems",
    "referentials",
    "settings",
    "simplify",
    "sources",
    "territories",
]
