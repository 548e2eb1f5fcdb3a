"""The public API contract: the flat ``dg`` namespace, plots, maps, parameter names."""

from __future__ import annotations

import importlib
import inspect
from collections import Counter

import matplotlib.axes
import pytest

import diagnostics as dg
import geo

CONCEPT_MODULES = [
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
    "workshop",
]

# Names that would mean nothing in a flat namespace: they live under their module.
GENERIC = {
    "entries",
    "save_tables",
    "count_by",
    "split_objective",
    "lead_times",
    "monthly_pace",
    "map_flows",
    "plot_pace",
    "plot_sankey",
    "reference_matrix",
    "alert_summary",
}


def _public_functions():
    for name in [*CONCEPT_MODULES, "portrait"]:
        module = importlib.import_module(f"diagnostics.{name}")
        for attr in module.__all__:
            yield f"diagnostics.{name}.{attr}", getattr(module, attr)
    for name in ["maps", "polygons", "territories", "referentials", "sources", "simplify"]:
        module = importlib.import_module(f"geo.{name}")
        for attr in module.__all__:
            yield f"geo.{name}.{attr}", getattr(module, attr)


def test_flat_names_are_unique_not_constants_not_generic():
    names = dg.__all__
    assert [n for n, c in Counter(names).items() if c > 1] == []
    assert [n for n in names if n.isupper()] == []
    assert sorted(GENERIC & set(names)) == []
    for name in names:
        assert hasattr(dg, name), name
    # and nothing generic is reachable flat by accident
    assert not hasattr(dg, "STATES") and not hasattr(dg, "LEVELS") and not hasattr(dg, "entries")


def test_generic_names_live_under_their_module():
    assert dg.cotraitance.STATES == ("actif", "alerte", "suspension")
    assert callable(dg.cotraitance.entries) and callable(dg.cotraitance.save_tables)
    assert "pivot" in dg.positioning.POSITIONING_ROLES
    for name in CONCEPT_MODULES:
        assert name in dg.__all__ and inspect.ismodule(getattr(dg, name))
    assert dg.load_territory is dg.portrait.load_territory


@pytest.mark.parametrize("name", ["polygons", "maps", "territories", "codes"])
def test_geo_modules_are_attributes(name):
    assert inspect.ismodule(getattr(geo, name))


def test_every_plot_takes_ax_and_returns_axes():
    plots = [(q, f) for q, f in _public_functions() if q.rsplit(".", 1)[1].startswith("plot_")]
    assert len(plots) == 7
    for qualname, func in plots:
        parameters = inspect.signature(func).parameters
        assert "ax" in parameters, qualname
        assert parameters["ax"].kind is inspect.Parameter.KEYWORD_ONLY, qualname
        assert parameters["ax"].default is None, qualname
        assert func.__annotations__["return"] == "Axes", qualname


def test_every_map_returns_a_folium_map():
    maps = [(q, f) for q, f in _public_functions() if q.rsplit(".", 1)[1].startswith("map_")]
    assert len(maps) >= 7
    for qualname, func in maps:
        assert func.__annotations__["return"] == "folium.Map", qualname


def test_one_english_name_per_concept_in_public_signatures():
    french = {"niveau", "configuration", "annees", "annee", "territoire", "on", "fichiers"}
    french |= {"acteur", "domaine", "commentaire", "correspondance"}
    found = []
    for qualname, func in _public_functions():
        if inspect.isfunction(func):
            found += [f"{qualname}({p})" for p in inspect.signature(func).parameters if p in french]
    assert found == []


def test_no_any_in_public_returns():
    returning_any = [
        qualname
        for qualname, func in _public_functions()
        if inspect.isfunction(func) and func.__annotations__.get("return") == "Any"
    ]
    assert returning_any == []


def test_a_plot_draws_on_the_axes_it_is_given():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    assert dg.plot_positioning_heatmap(ax=ax) is ax
    alone = dg.plot_positioning_heatmap()
    assert isinstance(alone, matplotlib.axes.Axes) and alone.figure is not ax.figure
