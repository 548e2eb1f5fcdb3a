"""Territorial portraits: one parameterised notebook, one self-contained HTML page per territory.

A portrait is ``notebooks/portrait_territoire.ipynb`` executed by papermill for
one territory, then turned into a single HTML file that opens offline (maps,
charts and styles inside the page). Its inputs are named in a small TOML
configuration (:func:`read_portrait_config`, example ``data/demo/portrait.toml``).

In the notebook, every section is a markdown heading and one or two cells, each
calling one helper of this module on the data of :func:`load_portrait`::

    donnees = portrait.load_portrait(configuration, niveau, code)
    portrait.section_key_figures(donnees)
    portrait.section_bmo_map(donnees)

Each helper returns a :class:`Section` (text, tables, charts and maps, shown as
HTML; the computed tables stay available in ``.tables``). When the input of a
section is not given, its file is missing or unreadable, the section says so in a
French sentence instead of failing, and the portrait summary lists it.

Adding a section (cotraitance, réseau, formation...)
----------------------------------------------------
1. declare its input files in :data:`diagnostics.portrait.config.INPUTS` (and how
   to read them in :meth:`diagnostics.portrait.inputs.TerritoryInputs._read`);
2. write a ``section_<thing>(data) -> Section`` helper in :mod:`~diagnostics.portrait.sections`, starting with
   ``section, table = _start(data, "<thing>", "<input key>")`` and returning
   ``section`` early when the input is missing;
3. add a markdown heading and a cell calling it to the notebook.

Working on one territory in a notebook
--------------------------------------
:func:`load_territory` (what :func:`load_portrait` does for the portrait) reads a
configuration and selects a territory; its ``.inputs``
(:class:`~diagnostics.portrait.inputs.TerritoryInputs`) read each input table on
first use::

    lieu = portrait.load_territory(configuration, niveau, code)
    lieu.communes()                           # the territory's communes
    lieu.inputs.commune_table()               # every commune of the referentials
    lieu.inputs.get("partenaires.annuaire")   # None, and inputs.problem(key) says why

:func:`available` shows a French note in place of a part whose input is missing
(the notebook runs on); :func:`as_list` reads a list parameter given as a string
on papermill's command line (:mod:`~diagnostics.portrait.notebook`).

Batches
-------
:func:`run_portrait` and :func:`run_portraits` (``territoire portrait`` and
``territoire portraits``) execute the notebook in warm kernels, in parallel,
skip the portraits that are up to date, and write a manifest (CSV and JSON) and
an index page; see :mod:`diagnostics.portrait.batch`.
"""

from __future__ import annotations

from diagnostics.portrait.batch import (
    BatchResult,
    execute_notebook,
    notebook_path,
    run_demo_portraits,
    run_portrait,
    run_portraits,
    save_portrait_html,
)
from diagnostics.portrait.config import PortraitConfig, read_portrait_config
from diagnostics.portrait.html import MapView, Section, embed_map, external_resources
from diagnostics.portrait.inputs import TerritoryInputs
from diagnostics.portrait.loading import PortraitData, load_portrait, load_territory
from diagnostics.portrait.notebook import as_list, as_years, available, missing_note, show_note
from diagnostics.portrait.sections import *  # noqa: F403
from diagnostics.portrait.sections import __all__ as _sections_all
from diagnostics.portrait.synthesis import section_comparisons, section_synthesis

__all__ = [
    "PortraitConfig",
    "PortraitData",
    "TerritoryInputs",
    "Section",
    "MapView",
    "BatchResult",
    "read_portrait_config",
    "load_territory",
    "load_portrait",
    "embed_map",
    "as_list",
    "as_years",
    "available",
    "missing_note",
    "show_note",
    *_sections_all,
    "section_synthesis",
    "section_comparisons",
    "run_portrait",
    "run_portraits",
    "run_demo_portraits",
    "execute_notebook",
    "save_portrait_html",
    "notebook_path",
    "external_resources",
]
