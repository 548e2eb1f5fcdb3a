"""Shared fixtures and the test tiers.

Fixtures: the demo territory, the real public files of ../shared/data, one warm Jupyter
kernel for the papermill runs, and Debian's Chromium (installed when missing, as root).

Tiers: every test gets its markers from where it is and what it uses, so that
``pytest -m "not notebook and not browser and not slow"`` (``make test-fast``) is the
inner loop and plain ``pytest`` (``make test``) the full suite:

- ``browser``: under ``tests/browser/``, or uses the ``chromium`` fixture;
- ``notebook``: a cell of a notebook run by nbval (``notebooks/`` is collected with
  ``--nbval-lax``), uses the ``warm_kernel`` or ``demo_output`` fixture, or is marked so;
- ``slow``: listed in ``SLOW_TESTS`` (measured);
- ``real_data``: set by hand on the tests that read ../shared/data.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo import settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
BROWSER_TESTS = ROOT / "tests" / "browser"
CHROMIUM = Path("/usr/bin/chromium")

# Kernels started by nbval inherit this process's environment: Jupyter's new platform
# folders (the old ones warn, and warnings are errors), no debugger file validation.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def pytest_configure(config: pytest.Config) -> None:
    """nbval's sanitizers found from any folder; its notebooks' caches in a temporary folder."""
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).is_absolute():
        config.option.nbval_sanitize_with = str(config.rootpath / sanitize)
    folder = tempfile.mkdtemp(prefix="atelier-cache-nbval-")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    os.environ["TERRITOIRE_CACHE"] = folder


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its tier; in a worker of ``pytest -n``, longest units first."""
    for item in items:
        path = Path(str(item.path))
        fixtures = getattr(item, "fixturenames", ())
        if path.is_relative_to(BROWSER_TESTS) or "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)
        if path.suffix == ".ipynb" or any(f in fixtures for f in NOTEBOOK_FIXTURES):
            item.add_marker(pytest.mark.notebook)
        file, _, name = item.nodeid.partition("::")
        if name.split("[")[0] in SLOW_TESTS.get(file, ()):
            item.add_marker(pytest.mark.slow)
    if hasattr(config, "workerinput"):  # the order in which the scheduler hands the units out
        heavy = {
            _unit(item.nodeid)
            for item in items
            if item.get_closest_marker("notebook") or item.get_closest_marker("browser")
        }
        items.sort(key=lambda item: _rank(_unit(item.nodeid), heavy))  # stable


#: Fixtures that execute notebooks (the demo command builds the demo portraits).
NOTEBOOK_FIXTURES = ("warm_kernel", "demo_output")

#: Tests of more than about 1.5 s each on a busy 2-core machine (pytest --durations=0),
#: left out of ``make test-fast``. Doctests are named by their object.
SLOW_TESTS = {
    "diagnostics/positioning.py": (
        "diagnostics.positioning.format_positioning_report",
        "diagnostics.positioning.positioning_gaps",
        "diagnostics.positioning.read_positioning",
    ),
    "diagnostics/_readers/positioning.py": (
        "positioning.format_positioning_report",
        "positioning.read_positioning",
    ),
    "diagnostics/portrait/sections.py": (
        "diagnostics.portrait.sections.section_network",
        "diagnostics.portrait.sections.section_cotraitance",
        "diagnostics.portrait.sections.section_training",
    ),
    "diagnostics/training.py": ("diagnostics.training.training_summary",),
    "diagnostics/workshop.py": (
        "diagnostics.workshop.WorkshopData.problems",
        "diagnostics.workshop.load_workshop_data",
        "diagnostics.workshop.partner_workshop",
        "diagnostics.workshop.workshop_network",
        "diagnostics.workshop.workshop_partners",
        "diagnostics.workshop.workshop_positioning",
    ),
    "tests/test_bmo.py": (
        "test_demo_zone_emploi_through_the_commune_table",
        "test_plots",
        "test_real_national_totals",
        "test_real_pays_de_la_loire",
        "test_real_allocation_through_communes",
        "test_real_dares_join",
    ),
    "tests/test_bmo_reader.py": ("test_real_2024_file",),
    "tests/test_cli.py": ("test_construire_pays_de_la_loire_from_the_command_line",),
    "tests/test_cli_cotraitance.py": (
        "test_dashboard_on_the_demo_writes_protected_tables_figures_and_map",
        "test_threshold_option_hides_more",
        "test_json_summary",
        "test_mandatory_files_only",
        "test_rejected_rows_are_listed_and_exit_code_is_1",
    ),
    "tests/test_cli_training.py": (
        "test_dashboard_on_the_demo",
        "test_reported_rows_give_exit_code_1_and_are_listed",
    ),
    "tests/test_cotraitance.py": ("test_no_small_count_in_any_written_output",),
    "tests/test_coverage.py": ("test_pays_de_la_loire_partners_against_real_communes_and_bassins",),
    "tests/test_demo.py": ("test_demo_files_are_deterministic_and_up_to_date",),
    "tests/test_national_inputs.py": (
        "test_every_configured_input_is_read_without_problem",
        "test_codes_are_real_departements_and_regions",
        "test_volumes_follow_the_scale",
        "test_generation_is_deterministic",
    ),
    "tests/test_network.py": ("test_demo_network",),
    "tests/test_partners.py": ("test_demo_file_is_up_to_date",),
    "tests/test_portrait.py": (
        "test_duplicated_partner_and_positioning_rows_reach_the_notes",
        "test_cotraitance_section_shows_no_small_count",
        "test_partner_and_positioning_sections",
        "test_cotraitance_section_of_a_bassin",
        "test_training_section_of_a_bassin",
        "test_training_section_on_a_real_bassin",
    ),
    "tests/test_positioning.py": (
        "test_demo_file_is_deterministic_and_up_to_date",
        "test_demo_file_reads_cleanly",
        "test_demo_gap_summary",
    ),
    "tests/test_referentials.py": ("test_real_referentials_read_with_normalised_codes",),
    "tests/test_simplify.py": ("test_pays_de_la_loire_bassins_fit_300_kb_without_gaps",),
    "tests/test_training.py": (
        "test_real_fap_rome_and_bmo",
        "test_region_annex_counts_the_sessions_of_the_territory",
    ),
    "tests/test_workshop.py": (
        "test_load_refuses_missing_folder_and_level_table",
        "test_domain_filter_keeps_active_or_positioned_partners",
        "test_controls_update_map_grid_and_list_together",
        "test_network_view_without_registry",
        "test_decision_without_justification_writes_nothing_and_keeps_the_form",
        "test_role_without_cell_is_refused",
        "test_record_writes_decision_and_role_with_backups",
        "test_failed_write_keeps_the_form_and_the_file",
        "test_missing_positioning_file_is_created_from_the_template",
    ),
}

# --------------------------------------------------------------------------- pytest -n 2
#: ``pytest -n 2 --dist loadfile`` (make test) hands each worker whole units of work: a
#: file (its module fixtures built once, a notebook's cells in order in one kernel), or one
#: of the units below, longest first, so that no long unit starts last. Two tests of one
#: unit share a session fixture (the demo, built once).
LONG_UNITS = {
    "demo": (  # territoire demo: ten portraits (~60 s)
        "tests/test_cli.py::test_demo_writes_bassins_map_and_report",
        "tests/browser/test_offline_maps.py::test_demo_bassin_map_offline",
    ),
    "tests/test_portrait.py": (),  # a batch of portraits, a rerun, a PDF
    "real_batch": ("tests/test_portrait.py::test_pays_de_la_loire_bassins_in_one_command",),
    "cli_portrait": (
        "tests/test_portrait.py::test_cli_portrait_writes_one_page",
        "tests/test_portrait.py::test_cli_portraits_reports_unknown_codes_and_exits_1",
    ),
    "tests/browser/test_workshop_app.py": (),  # Voilà
    "tests/browser/test_offline_maps.py": (),  # a portrait
}
_UNIT_OF = {nodeid: unit for unit, nodeids in LONG_UNITS.items() for nodeid in nodeids}


def _unit(nodeid: str) -> str:
    """The unit of work of a test: its own entry in LONG_UNITS, else its file."""
    return _UNIT_OF.get(nodeid) or nodeid.split("::")[0]


def _rank(unit: str, heavy: set[str]) -> int:
    """LONG_UNITS in their order, then the units that execute notebooks, then the others."""
    order = list(LONG_UNITS)
    return order.index(unit) if unit in order else len(order) + (unit not in heavy)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under ``--dist loadfile``, the units of LONG_UNITS, in the workers' order."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    config.option.loadscopereorder = False  # keep the order of the workers' collection
    return UnitScheduling(config, log)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real public files; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"données réelles absentes ({SHARED_DATA}) : test sur fichiers réels ignoré")
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_config(shared_data) -> Path:
    """The portrait configuration of the real Pays de la Loire files (skips without them)."""
    return ROOT / "tests" / "data" / "portrait_pays_de_la_loire.toml"


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """Folder of the fictional demonstration territory."""
    return settings.demo_dir()


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test writes its caches in a temporary folder, never in the user's home."""
    monkeypatch.setattr(settings, "cache_dir", tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def warm_kernel(tmp_path_factory) -> Iterator[object]:
    """One warm kernel for the papermill runs of the session (reset between notebooks).

    The engine of the portrait batches (``diagnostics.portrait.batch``): the kernel runs
    this interpreter and keeps its imports from one notebook to the next.
    """
    from diagnostics.portrait.batch import _Kernel

    with pytest.MonkeyPatch.context() as patch:  # the kernel's cache, read at its start
        patch.setattr(settings, "cache_dir", tmp_path_factory.mktemp("cache_noyau"))
        warm = _Kernel()
        warm.ensure()
    yield warm
    warm.close()


@dataclass(frozen=True)
class DemoRun:
    """What ``territoire demo`` returned, printed and wrote."""

    code: int
    out: str
    folder: Path


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory) -> DemoRun:
    """``territoire demo`` run once for the session: bassins, map, report, ten portraits."""
    from diagnostics.cli import main

    folder = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setattr(settings, "cache_dir", tmp_path_factory.mktemp("cache_demo"))
        code = main(["demo", "--sortie", str(folder)])
    return DemoRun(code, out.getvalue(), folder)


def _install_chromium() -> None:
    """``apt-get update`` then ``apt-get install -y chromium``, without any prompt."""
    if shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} absent et apt-get indisponible : installez Chromium.")
    if os.geteuid() != 0:
        pytest.skip(
            f"{CHROMIUM} absent ; installez-le (sudo apt-get install -y chromium) : "
            "les tests navigateur ne l'installent eux-mêmes qu'en root (CI)."
        )
    import fcntl  # POSIX only, like apt-get

    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # one installation at a time: the parallel workers (pytest -n 2) wait for each other
    with (Path(tempfile.gettempdir()) / "atelier-chromium.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if CHROMIUM.is_file():  # installed by another worker meanwhile
            return
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            done = subprocess.run(
                command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
            )
            if done.returncode != 0:
                pytest.fail(f"{' '.join(command)} a échoué : {done.stderr[-2000:]}")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Path of Debian's Chromium, installed when missing (root only)."""
    if not CHROMIUM.is_file():
        _install_chromium()
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium toujours absent après installation ({CHROMIUM}).")
    return CHROMIUM
