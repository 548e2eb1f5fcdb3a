"""Territories and geometry: referentials, codes, crosswalks, polygons, maps, French display.

Used module-qualified: ``geo.polygons.dissolve_communes(...)``, ``geo.maps.save_map(...)``.
"""

from geo import (
    codes,
    crs,
    display,
    exports,
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
    "exports",
    "maps",
    "polygons",
    "problems",
    "referentials",
    "settings",
    "simplify",
    "sources",
    "territories",
]
