"""Territories and geometry: referentials, code normalisation, crosswalks, polygons, maps."""
