"""Portrait batches: papermill in warm kernels, parallel workers, manifest and index.

How a batch runs
----------------
- The parent process reads the configuration, lists the territories (unknown
  codes become manifest rows with the close codes) and computes each portrait's
  *fingerprint*: checksums of the input files' contents, the parameters, the
  notebook and the workbench version. A portrait is up to date, and skipped
  unless ``force``, when its HTML page exists and its summary holds the same
  fingerprint and the same checksums of the workbench modules the kernel had
  imported to build it (recorded after each execution).
- ``workers`` worker processes (``spawn``) each start **one** Jupyter kernel and
  keep it warm: papermill parameterises the notebook for each territory and
  executes it in that kernel through the ``atelier`` engine registered below.
  Imports and input files are therefore paid once per worker, not once per
  territory (a fresh kernel costs about 2 s of imports alone; the input tables
  are kept in memory by :func:`diagnostics.portrait.inputs.portrait_inputs`).
  The namespace is reset between territories; a kernel that dies is restarted.
- Each executed notebook becomes a self-contained HTML page
  (:mod:`diagnostics.portrait.html`); a page that would still load something
  from the network is refused. One failing territory never stops the batch.
- The parent writes ``manifeste.csv``, ``manifeste.json`` and ``index.html``: they
  list every portrait of the output folder, this run's rows merged into the
  previous manifest (a single portrait adds itself to the index).

The kernel is always the Python that runs the workbench (``sys.executable``),
whatever ``python3`` kernelspec the user has installed elsewhere.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from diagnostics.portrait.config import read_portrait_config, required_inputs
from geo import settings
from geo._errors import InputFileError, UnknownTerritoryError
from geo.display import format_count, format_number
from geo.exports import save_table

if TYPE_CHECKING:
    from jupyter_client import BlockingKernelClient, KernelManager

if TYPE_CHECKING:  # pragma: no cover
    from nbformat import NotebookNode

__all__ = [
    "BatchResult",
    "notebook_path",
    "execute_notebook",
    "save_portrait_html",
    "run_portrait",
    "run_portraits",
    "run_demo_portraits",
    "find_chromium",
    "MAX_BYTES",
]

#: Size limit of one portrait page; a larger page is reported in the manifest.
MAX_BYTES = 3_000_000
_KERNEL = "python3"
_ENGINE = "atelier"
_DETAILS = "details"
_MANIFEST_COLUMNS = [
    "territoire",
    "niveau",
    "code",
    "nom",
    "statut",
    "duree_s",
    "sortie",
    "erreur",
    "avertissements",
    "taille_ko",
    "population",
    "projets_bmo",
    "projets_bmo_min",
    "projets_bmo_max",
    "part_difficiles",
]


# --------------------------------------------------------------------------- notebooks


def notebook_path(name: str = "portrait_territoire.ipynb") -> Path:
    """The workbench notebook ``name`` (``notebooks/`` of the source tree, or packaged).

    Raises
    ------
    InputFileError
        The notebook cannot be found.
    """
    package = Path(__file__).resolve().parents[1]  # diagnostics/
    for folder in (package.parent / "notebooks", package / "_notebooks"):
        if (folder / name).is_file():
            return folder / name
    raise InputFileError(
        f"Notebook {name} introuvable (cherché dans {package.parent / 'notebooks'}). "
        "Réinstallez l'atelier ou passez le chemin du notebook."
    )


def _kernel_env() -> dict[str, str]:
    """Environment of the kernels: the workbench settings of this process, read now."""
    env = dict(os.environ)
    env["TERRITOIRE_CACHE"] = str(settings.cache_dir)
    env["TERRITOIRE_DONNEES"] = str(settings.data_dir)
    env["TERRITOIRE_SEUIL_DIFFUSION"] = str(settings.disclosure_threshold)
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    root = str(Path(__file__).resolve().parents[2])  # the source tree holding the packages
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def _kernel_manager(folder: Path) -> tuple[KernelManager, BlockingKernelClient]:
    """A started kernel running this very interpreter (``sys.executable``), and its client.

    On POSIX systems the kernel talks through local sockets in ``folder``.
    """
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class _OwnPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3 (atelier territoires)",
                language="python",
                resource_dir=tempfile.gettempdir(),
            )

    options: dict[str, Any] = {}
    if os.name == "posix":  # local sockets: faster than TCP, and nothing listens on the network
        options = {"transport": "ipc", "ip": str(folder / "noyau")}
    km = KernelManager(kernel_name=_KERNEL, kernel_spec_manager=_OwnPython(), **options)
    km.start_kernel(env=_kernel_env(), cwd=str(notebook_path().parent))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    kc.allow_stdin = False
    return km, kc


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class WarmKernelEngine(NBClientEngine):
        """papermill's nbclient engine, executing in an already running kernel."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            km, kc = kwargs.pop("km"), kwargs.pop("kc")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, km=km, **final)
            client.kc = kc  # reuse the worker's client: no new channels per notebook
            return client.execute()

    if _ENGINE not in papermill_engines._engines:
        papermill_engines.register(_ENGINE, WarmKernelEngine)


_RESET = """
_ip = get_ipython()
_ip.history_manager.output_hist.clear()
_ip.user_ns.get("Out", {}).clear()
_name = None
for _name in [n for n in _ip.user_ns if not n.startswith("_") and n not in _ip.user_ns_hidden]:
    del _ip.user_ns[_name]
_ip.user_ns.update({"_": "", "__": "", "___": ""})
del _ip, _name
"""


class _Kernel:
    """One warm kernel (and its client) that runs notebook after notebook."""

    def __init__(self) -> None:
        self.km: KernelManager | None = None
        self.kc: BlockingKernelClient | None = None
        self.folder: Path | None = None

    def ensure(self) -> None:
        if self.km is None or not self.km.is_alive():
            self.close()
            self.folder = Path(tempfile.mkdtemp(prefix="atelier-noyau-"))
            self.km, self.kc = _kernel_manager(self.folder)

    def reset(self) -> None:
        """Forget the previous notebook's variables and outputs, keep the imported modules.

        Cheaper than ``%reset -f``, which runs a full garbage collection (0.3 s with
        the geographic tables in memory); the output history must go, or every
        portrait's maps and charts would stay in memory.
        """
        assert self.kc is not None, "ensure() starts the kernel"
        self.kc.execute_interactive(_RESET, timeout=60, store_history=False, silent=True)

    def close(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            with contextlib.suppress(Exception):  # a kernel already gone
                self.km.shutdown_kernel(now=False)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.km = self.kc = self.folder = None


def execute_notebook(
    notebook: str | Path,
    output: str | Path | None,
    parameters: Mapping[str, Any] | None = None,
    *,
    timeout: float | None = 900,
    kernel: _Kernel | None = None,
) -> NotebookNode:
    """Execute ``notebook`` with papermill, ``parameters`` injected; return the executed notebook.

    The kernel runs this interpreter (``sys.executable``) whatever the installed
    kernelspecs; pass a warm ``kernel`` to run several notebooks in a row.

    Raises
    ------
    papermill.PapermillExecutionError
        A cell failed; the executed notebook (with the error) is still written.
    """
    import papermill as pm

    _register_engine()
    own = kernel is None
    if kernel is None:
        kernel = _Kernel()
    try:
        kernel.ensure()
        kernel.reset()
        return pm.execute_notebook(
            str(notebook),
            str(output) if output is not None else None,
            parameters=dict(parameters or {}),
            engine_name=_ENGINE,
            kernel_name=_KERNEL,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            km=kernel.km,
            kc=kernel.kc,
        )
    finally:
        if own:
            kernel.close()


def save_portrait_html(nb: NotebookNode, path: str | Path, *, title: str) -> int:
    """Write the executed portrait notebook ``nb`` as one self-contained HTML page.

    The frames (maps, views) are stored compressed, and the libraries they each
    inline (Leaflet...) once in the page (:func:`~diagnostics.portrait.html.pack_frames`).
    Returns the size in bytes.

    Raises
    ------
    ValueError
        The page would load something from the network (the message names it).
    """
    from diagnostics.portrait.html import (
        external_resources,
        notebook_body,
        pack_frames,
        portrait_page,
    )

    body = pack_frames(notebook_body(nb))
    page = portrait_page(body, title=title, footer="Atelier territoires")
    found = external_resources(page)
    if found:
        raise ValueError(
            "Le portrait chargerait des ressources externes (il ne s'afficherait pas sans "
            f"internet) : {', '.join(found[:5])}."
        )
    data = page.encode("utf-8")
    path = Path(path)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return len(data)


# --------------------------------------------------------------------------- PDF


def find_chromium() -> str | None:
    """A headless-capable Chromium/Chrome executable, or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _pdf(html_path: Path, pdf_path: Path) -> str | None:
    """Print ``html_path`` to PDF with headless Chromium; return a warning or ``None``."""
    browser = find_chromium()
    if browser is None:
        return "PDF non produit : aucun navigateur Chromium ou Chrome trouvé sur ce poste."
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            # The maps are sandboxed frames (geo.maps.iframe_html); kept in the page's
            # process, the virtual time budget waits for them to draw before printing.
            "--disable-features=IsolateSandboxedIframes",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=180, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"PDF non produit : {exc}."
    if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        return "PDF non produit : le navigateur n'a rien écrit."
    return None


# --------------------------------------------------------------------------- one task


_WORKER_KERNEL: _Kernel | None = None


def _worker_kernel() -> _Kernel:
    global _WORKER_KERNEL
    if _WORKER_KERNEL is None:
        import atexit

        _WORKER_KERNEL = _Kernel()
        atexit.register(_WORKER_KERNEL.close)
    return _WORKER_KERNEL


def _first_line(text: str) -> str:
    import re

    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    return text.splitlines()[0] if text else ""


def _run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Execute and convert one portrait (in a worker process); never raises."""
    import warnings

    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    html_path = Path(task["html"])
    details = Path(task["ipynb"]).parent
    details.mkdir(parents=True, exist_ok=True)
    summary_path = Path(task["resume"])
    result: dict[str, Any] = {"statut": "erreur", "erreur": "", "avertissements": []}
    kernel = _worker_kernel()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            summary_path.unlink(missing_ok=True)
            nb = execute_notebook(
                task["notebook"],
                task["ipynb"],
                {
                    "configuration": task["configuration"],
                    "niveau": task["niveau"],
                    "code": task["code"],
                    "annees": task["annees"],
                    "resume": str(summary_path),
                },
                timeout=task["timeout"],
                kernel=kernel,
            )
            size = save_portrait_html(nb, html_path, title=task["title"])
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        summary["empreinte"] = task["empreinte"]
        summary["sources_code"] = _used_sources(kernel)
        summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
        result.update(_summary_fields(summary))
        result["taille_ko"] = round(size / 1000, 1)
        if size > MAX_BYTES:
            result["avertissements"].append(
                f"portrait de {format_number(size / 1e6)} Mo, "
                f"au-delà de {format_count(MAX_BYTES / 1e6, 'Mo')}"
            )
        if task["pdf"]:
            warning = _pdf(html_path, html_path.with_suffix(".pdf"))
            if warning:
                result["avertissements"].append(warning)
        result["statut"] = "produit"
    except PapermillExecutionError as exc:
        result["erreur"] = (
            f"erreur dans la cellule {exc.exec_count} du notebook : {exc.ename} : "
            f"{_first_line(exc.evalue)}"
        )
    except Exception as exc:  # a dead kernel, a timeout, a page refused...
        result["erreur"] = f"{type(exc).__name__} : {_first_line(str(exc))}"
        kernel.close()  # a kernel still busy with a timed-out cell: the next task restarts it
    if result["statut"] == "erreur":
        html_path.unlink(missing_ok=True)
        summary_path.unlink(missing_ok=True)
    result["duree_s"] = round(time.perf_counter() - start, 2)
    return result


def _summary_fields(summary: Mapping[str, Any]) -> dict[str, Any]:
    facts = summary.get("chiffres_cles", {})
    return {
        "nom": summary.get("territoire", {}).get("nom"),
        "avertissements": list(summary.get("avertissements", [])),
        "population": facts.get("population"),
        "projets_bmo": facts.get("projets_bmo"),
        "projets_bmo_bornes": facts.get("projets_bmo_bornes"),
        "part_difficiles": facts.get("part_difficiles"),
    }


# --------------------------------------------------------------------------- batches


@dataclass
class BatchResult:
    """What a batch produced.

    Attributes
    ----------
    manifest
        One row per territory: ``territoire, niveau, code, nom, statut`` (``produit``,
        ``a_jour`` or ``erreur``), ``duree_s, sortie`` (HTML page, relative to the
        output folder), ``erreur, avertissements, taille_ko`` and key figures.
    output
        The output folder; ``index.html``, ``manifeste.csv`` and ``manifeste.json``
        are in it, and list every portrait of the folder (also those of earlier
        runs, see :func:`run_portraits`), where :attr:`manifest` holds this run's.
    seconds
        Wall-clock duration of the batch.
    """

    manifest: pd.DataFrame
    output: Path
    seconds: float

    @property
    def index(self) -> Path:
        """The index page of the batch."""
        return self.output / "index.html"

    @property
    def failed(self) -> pd.DataFrame:
        """The rows in error."""
        return self.manifest[self.manifest["statut"] == "erreur"]

    def summary(self) -> str:
        """French summary for the command line."""
        counts = self.manifest["statut"].value_counts()
        lines = [
            f"{len(self.manifest)} territoire(s) : {counts.get('produit', 0)} portrait(s) "
            f"produit(s), {counts.get('a_jour', 0)} déjà à jour, {counts.get('erreur', 0)} en "
            f"erreur, en {format_number(self.seconds)} s.",
        ]
        for row in self.failed.itertuples():
            lines.append(f"  - {row.territoire} : {row.erreur}")
        warned = self.manifest[self.manifest["avertissements"].map(bool)]
        for row in warned.head(10).itertuples():
            lines.append(f"  ! {row.territoire} : {'; '.join(row.avertissements)}")
        lines.append(f"Index : {self.index}")
        lines.append(f"Manifeste : {self.output / 'manifeste.csv'} (et .json)")
        return "\n".join(lines)


def _sha256_text(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _used_sources(kernel: _Kernel) -> dict[str, str]:
    """Source file → SHA-256 of every workbench module the kernel has imported."""
    import ast

    from diagnostics._cache import file_checksum

    expression = (
        "sorted({getattr(m, '__file__', None) or '' for n, m in list(__import__('sys')."
        "modules.items()) if n.split('.')[0] in ('diagnostics', 'geo')} - {''})"
    )
    assert kernel.kc is not None, "the kernel ran the portrait"
    reply = kernel.kc.execute_interactive(
        "", silent=True, store_history=False, user_expressions={"m": expression}, timeout=60
    )
    value = reply["content"]["user_expressions"]["m"]
    files = ast.literal_eval(value["data"]["text/plain"]) if value.get("status") == "ok" else []
    return {f: file_checksum(f) for f in files if Path(f).is_file()}


def _sources_unchanged(sources: Mapping[str, str]) -> bool:
    """The code a portrait was built with is still the code on disk."""
    from diagnostics._cache import file_checksum

    if not sources:
        return False
    return all(Path(f).is_file() and file_checksum(f) == s for f, s in sources.items())


def workbench_version() -> str:
    """Version of the installed workbench (``"dev"`` in a source tree without install)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("atelier-territoires")
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        return "dev"


def _stem(level: str, code: str) -> str:
    return f"{level}_{code}"


def run_portrait(
    config: str | Path,
    level: str,
    code: str | int,
    output: str | Path,
    *,
    years: Sequence[int] | None = None,
    force: bool = False,
    pdf: bool = False,
    progress: bool = False,
    notebook: str | Path | None = None,
) -> BatchResult:
    """The portrait of one territory (``territoire portrait``); see :func:`run_portraits`.

    Raises
    ------
    UnknownTerritoryError
        The code is unknown (the message lists the close codes).
    """
    return run_portraits(
        config,
        level,
        output,
        codes=[str(code)],
        years=years,
        workers=1,
        force=force,
        pdf=pdf,
        progress=progress,
        notebook=notebook,
        strict=True,
    )


def run_portraits(
    config: str | Path,
    level: str,
    output: str | Path,
    *,
    region: str | None = None,
    departement: str | None = None,
    codes: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    workers: int = 1,
    force: bool = False,
    pdf: bool = False,
    progress: bool = True,
    notebook: str | Path | None = None,
    timeout: float = 900,
    strict: bool = False,
) -> BatchResult:
    """Build the portraits of many territories: parallel, resumable, with manifest and index.

    Parameters
    ----------
    config
        Portrait configuration (TOML).
    level
        Territorial level of the portraits (``bassin``, ``zone_emploi``...).
    output
        Output folder: ``<niveau>_<code>.html`` pages, ``index.html``,
        ``manifeste.csv``/``.json``, and ``details/`` (executed notebooks and
        JSON summaries). The index and the manifest keep the portraits of earlier
        runs in the folder whose page still exists (the newer row wins for the
        same level and code): portraits of several levels, or single portraits,
        accumulate there.
    region, departement
        Portray every territory of ``level`` in this area.
    codes
        Portray these territories (unknown codes are reported in the manifest,
        with the close codes, and the others are produced).
    years
        BMO vintages shown (default: all).
    workers
        Worker processes, each with its own warm kernel.
    force
        Rebuild the portraits that are up to date.
    pdf
        Also print each page to PDF with headless Chromium, when available.
    progress
        Show a progress bar (on the error stream).
    notebook
        Notebook to execute (default: ``portrait_territoire.ipynb``).
    timeout
        Time limit of one cell, in seconds.
    strict
        Raise :class:`UnknownTerritoryError` for an unknown code instead of
        reporting it (one-territory runs).

    Returns
    -------
    BatchResult

    Raises
    ------
    InputFileError, SchemaError
        The configuration or the files that list the territories are unusable.
    """
    from diagnostics.portrait.html import index_page

    started = time.perf_counter()
    plan = _plan(
        config,
        level,
        output,
        region=region,
        departement=departement,
        codes=codes,
        years=years,
        force=force,
        pdf=pdf,
        notebook=notebook,
        timeout=timeout,
        strict=strict,
    )
    rows = plan.rows + _execute(plan.tasks, workers=workers, progress=progress)
    order = {c: i for i, c in enumerate(plan.order)}
    rows.sort(key=lambda r: (order.get(r["code"], -1), r["code"]))
    manifest = pd.DataFrame(rows, columns=_MANIFEST_COLUMNS)
    result = BatchResult(manifest, plan.output, round(time.perf_counter() - started, 2))
    configuration, config_path = plan.configuration, plan.configuration.path
    folder = _folder_rows(plan.output, rows)
    _write_manifest(result, configuration, folder)
    from geo.territories import LEVEL_LABELS

    levels = list(dict.fromkeys(str(r["niveau"]) for r in folder))
    title = f"Portraits de territoire ({', '.join(LEVEL_LABELS.get(v, v) for v in levels)})" + (
        f" – {configuration.title}" if configuration.title else ""
    )
    intro = f"Mis à jour le {dt.datetime.now():%d/%m/%Y à %H:%M} à partir de {config_path.name}."
    result.index.write_text(index_page(folder, title=title, intro=intro), encoding="utf-8")
    return result


def _folder_rows(output: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The manifest rows of the folder: this run's ``rows`` merged into the previous ones.

    A run adds its territories to the manifest already in ``output``
    (``manifeste.json``) instead of replacing it: a row of the previous manifest
    is kept when its page still exists and this run did not portray the same
    level and code (the newer row wins, in the older row's place); this run's
    other rows follow.
    """
    previous: list[dict[str, Any]] = []
    try:
        payload = json.loads((output / "manifeste.json").read_text(encoding="utf-8"))
        previous = [r for r in payload.get("territoires", []) if isinstance(r, dict)]
    except (OSError, ValueError, AttributeError):
        previous = []
    new = {(str(r["niveau"]), str(r["code"])): r for r in rows}
    merged: list[dict[str, Any]] = []
    for old in previous:
        key = (str(old.get("niveau")), str(old.get("code")))
        if key in new:
            merged.append(new.pop(key))
        elif old.get("sortie") and (output / Path(str(old["sortie"])).name).is_file():
            fields = {k: v for k, v in old.items() if k in _MANIFEST_COLUMNS[3:]}
            merged.append(_row(*key, str(old.get("nom") or ""), **fields))
    return merged + list(new.values())


@dataclass
class _Plan:
    """What a batch has to do: rows already known (up to date, unknown codes) and tasks."""

    rows: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    order: list[str]
    configuration: Any
    output: Path


def _plan(
    config: str | Path,
    level: str,
    output: str | Path,
    *,
    region: str | None = None,
    departement: str | None = None,
    codes: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    force: bool = False,
    pdf: bool = False,
    notebook: str | Path | None = None,
    timeout: float = 900,
    strict: bool = False,
) -> _Plan:
    """List the territories, and find those whose portrait is up to date."""
    from diagnostics._cache import file_checksum
    from diagnostics.portrait.inputs import portrait_inputs

    config_path = Path(config).resolve()
    configuration = read_portrait_config(config_path)
    required_inputs(configuration, level)
    inputs = portrait_inputs(configuration)
    notebook = Path(notebook).resolve() if notebook else notebook_path()
    output = Path(output).resolve()
    output.mkdir(parents=True, exist_ok=True)
    (output / _DETAILS).mkdir(exist_ok=True)

    rows: list[dict[str, Any]] = []
    wanted: list[tuple[str, str]] = []
    if codes:
        for code in codes:
            try:
                territory = inputs.territory(level, str(code))
            except UnknownTerritoryError as exc:
                if strict:
                    raise
                rows.append(_row(level, str(code), "", statut="erreur", erreur=str(exc)))
                continue
            wanted.append((territory.code, territory.name))
    else:
        listing = inputs.list_territories(level, region=region, departement=departement)
        wanted = list(zip(listing["code"], listing["nom"].fillna(listing["code"]), strict=True))
    if not wanted and not rows:
        raise InputFileError(f"Aucun territoire ({level}) à portraiturer avec ces critères.")

    base = _sha256_text(
        configuration.fingerprint(),
        level,
        sorted(years) if years else None,
        file_checksum(notebook),
        workbench_version(),
    )
    tasks = []
    for code, name in wanted:
        stem = _stem(level, code)
        html_path = output / f"{stem}.html"
        summary_path = output / _DETAILS / f"{stem}.json"
        fingerprint = _sha256_text(base, code)
        if not force and html_path.is_file() and summary_path.is_file():
            try:
                summary = json.loads(summary_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                summary = {}
            if summary.get("empreinte") == fingerprint and _sources_unchanged(
                summary.get("sources_code", {})
            ):
                fields = _summary_fields(summary)
                rows.append(
                    _row(
                        level,
                        code,
                        name,
                        statut="a_jour",
                        sortie=html_path.name,
                        taille_ko=round(html_path.stat().st_size / 1000, 1),
                        **{k: v for k, v in fields.items() if k != "nom"},
                    )
                )
                continue
        tasks.append(
            {
                "niveau": level,
                "code": code,
                "nom": name,
                "configuration": str(config_path),
                "annees": sorted(years) if years else [],
                "notebook": str(notebook),
                "html": str(html_path),
                "ipynb": str(output / _DETAILS / f"{stem}.ipynb"),
                "resume": str(summary_path),
                "empreinte": fingerprint,
                "pdf": pdf,
                "timeout": timeout,
                "title": f"Portrait – {name} ({code})",
            }
        )
    return _Plan(rows, tasks, [c for c, _ in wanted], configuration, output)


def _row(level: str, code: str, name: str, **fields: Any) -> dict[str, Any]:
    row = dict.fromkeys(_MANIFEST_COLUMNS)
    row.update(territoire=f"{level} {code}", niveau=level, code=code, nom=name)
    row.update(erreur="", sortie="", avertissements=[], duree_s=0.0)
    row.update(fields)
    return row


def _execute(tasks: list[dict[str, Any]], *, workers: int, progress: bool) -> list[dict[str, Any]]:
    """Run the tasks in ``workers`` processes (spawned: no fork of a threaded process)."""
    from tqdm import tqdm

    if not tasks:
        return []
    rows = []
    workers = max(1, min(int(workers), len(tasks)))
    context = multiprocessing.get_context("spawn")
    bar = tqdm(
        total=len(tasks), desc="Portraits", unit="portrait", disable=not progress, file=sys.stderr
    )
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_run_task, task): task for task in tasks}
        for future in cf.as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker process that died
                result = {"statut": "erreur", "erreur": f"{type(exc).__name__} : {exc}"}
            fields = {k: v for k, v in result.items() if k in _MANIFEST_COLUMNS}
            fields["nom"] = fields.get("nom") or task["nom"]
            if fields.get("statut") != "erreur":
                fields["sortie"] = Path(task["html"]).name
            rows.append(_row(task["niveau"], task["code"], task["nom"], **fields))
            bar.set_postfix_str(f"{task['niveau']} {task['code']}", refresh=False)
            bar.update()
    bar.close()
    return rows


def _write_manifest(
    result: BatchResult, configuration: Any, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Write ``manifeste.csv`` and ``.json``: every portrait of the folder (``rows``)."""
    manifest = pd.DataFrame(list(rows), columns=_MANIFEST_COLUMNS)
    warnings = manifest["avertissements"].map(lambda w: w if isinstance(w, list) else [])
    flat = manifest.assign(avertissements=warnings.map("; ".join))
    save_table(flat, result.output / "manifeste.csv", sep=",", encoding="utf-8")
    payload = {
        "configuration": str(configuration.path),
        "niveaux": list(dict.fromkeys(manifest["niveau"].astype(str))),
        "produit_le": dt.datetime.now().replace(microsecond=0).isoformat(),
        "duree_s": result.seconds,
        "territoires": json.loads(manifest.to_json(orient="records", force_ascii=False)),
    }
    (result.output / "manifeste.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def run_demo_portraits(output: str | Path, *, workers: int = 2) -> BatchResult:
    """The portraits of the demo région's bassins, their manifest and index, in ``output``.

    What ``territoire demo`` adds to its outputs (``output/portraits/``).
    """
    return run_portraits(
        settings.demo_dir() / "portrait.toml",
        "bassin",
        Path(output) / "portraits",
        region="99",
        workers=workers,
    )
