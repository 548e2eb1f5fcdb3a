"""JupyterLab as an analyst opens it (``make lab``), driven in Chromium with the network cut.

The server runs on loopback over a copy of ``notebooks/`` (the committed notebooks keep no
outputs), with Jupyter's configuration, data and settings folders in a temporary folder so
that nothing of the user's own Jupyter set-up comes in and nothing is written in the home.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import free_port, loopback_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "prise_en_main.ipynb"
#: Run All Cells, then reading and drawing every map: generous on a busy 2-core machine.
RUN_TIMEOUT_MS = 240_000
#: Lumino menus carry the command of each item.
_RUN_ALL = '.lm-Menu-item[data-command="runmenu:run-all"]'
_SAVE = '.lm-Menu-item[data-command="docmanager:save"]'
_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
_KERNEL_READY = f"""() => {{
    const name = document.querySelector('{_PANEL} .jp-KernelName')?.textContent ?? '';
    const status = document.querySelector('{_PANEL} .jp-Notebook-ExecutionIndicator');
    return name !== '' && name !== 'No Kernel' && status?.dataset.status === 'idle';
}}"""
#: Run All is over when no cell waits or runs any more ([*]) and the first one ran: after
#: an error, JupyterLab leaves the following cells without a number.
_RUN_DONE = f"""() => {{
    const prompts = [...document.querySelectorAll('{_PANEL} .jp-CodeCell .jp-InputPrompt')]
        .map(p => p.textContent);
    return prompts.length > 0 && /\\d/.test(prompts[0]) && !prompts.some(p => p.includes('*'));
}}"""


@dataclass(frozen=True)
class Lab:
    """A JupyterLab server: its address, its token and the copy of the tree it serves."""

    url: str
    token: str
    tree: Path

    def notebook_url(self, name: str) -> str:
        """Address that opens ``notebooks/name`` in JupyterLab."""
        return f"{self.url}lab/tree/notebooks/{name}?token={self.token}"


def _copy_of_the_tree(folder: Path) -> Path:
    """``folder/atelier``: a copy of notebooks/, the rest of the source tree linked.

    The notebooks find their inputs by relative paths (``../data/demo``), as in the tree.
    """
    tree = folder / "atelier"
    tree.mkdir()
    shutil.copytree(
        ROOT / "notebooks", tree / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints")
    )
    for entry in ROOT.iterdir():
        if entry.name not in {"notebooks", ".git", ".venv"}:
            (tree / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return tree


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab on a free port of 127.0.0.1, with a token, serving a copy of the tree."""
    pytest.importorskip("jupyterlab", reason="JupyterLab absent : make lab (ou .[notebooks])")
    folder = tmp_path_factory.mktemp("jupyterlab")
    tree = _copy_of_the_tree(folder)
    jupyter = {  # Jupyter's own folders, away from the user's
        "JUPYTER_CONFIG_DIR": folder / "config",
        "JUPYTER_DATA_DIR": folder / "data",
        "JUPYTER_RUNTIME_DIR": folder / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": folder / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": folder / "workspaces",
    }
    env = {
        **os.environ,
        **{name: str(path) for name, path in jupyter.items()},
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # the kernel imports this source tree, like the editable install of `make lab`
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.allow_root=True",  # CI runs as root
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tree}",
        # nothing asked of the internet by the server either: no news, no update check,
        # no PyPI search of extensions
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    log = folder / "jupyterlab.log"
    with loopback_server(command, name="JupyterLab", port=port, log=log, env=env, cwd=tree):
        yield Lab(f"http://127.0.0.1:{port}/", token, tree)


def _open_menu_item(page, menu: str, item: str) -> None:
    """Click ``menu`` in JupyterLab's menu bar, then its item ``item`` (a CSS selector)."""
    page.locator("#jp-MainMenu .lm-MenuBar-item", has_text=menu).first.click()
    page.locator(item).first.click()


def _errors(notebook: dict) -> list[str]:
    """``ename: evalue`` of every error output of a saved notebook."""
    return [
        f"{output['ename']}: {output['evalue']}"
        for cell in notebook["cells"]
        for output in cell.get("outputs", ())
        if output["output_type"] == "error"
    ]


def test_getting_started_runs_in_jupyterlab(jupyterlab, offline_page):
    offline = offline_page(allow=(jupyterlab.url,))
    page = offline.page
    page.goto(jupyterlab.notebook_url(NOTEBOOK), wait_until="domcontentloaded")
    # the notebook's kernel (python3: the venv's own, as registered by the set-up) is up
    # once it has a name and answers: before that, the indicator says "idle" already
    page.wait_for_function(_KERNEL_READY, timeout=120_000)

    _open_menu_item(page, "Run", _RUN_ALL)
    page.wait_for_function(_RUN_DONE, timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(_KERNEL_READY)

    # what the notebook holds, saved by JupyterLab into the copy: every cell ran, none failed
    _open_menu_item(page, "File", _SAVE)
    saved = jupyterlab.tree / "notebooks" / NOTEBOOK
    page.wait_for_function(  # the dirty mark of the tab goes once the file is written
        "() => !document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')"
    )
    notebook = json.loads(saved.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert _errors(notebook) == []
    assert [cell["execution_count"] for cell in code] == list(range(1, len(code) + 1))

    # the maps: Leaflet inlined in sandboxed srcdoc frames (diagnostics.portrait.embed_map),
    # each drawn once in view (cells out of view are not laid out)
    frames = page.locator(f"{_PANEL} .jp-OutputArea-output iframe[srcdoc]")
    assert frames.count() >= 1
    for i in range(frames.count()):
        frames.nth(i).scroll_into_view_if_needed()
        shapes = frames.nth(i).content_frame.locator("path.leaflet-interactive")
        shapes.first.wait_for(state="attached", timeout=30_000)
        assert shapes.count() > 0
    offline.screenshot("jupyterlab_prise_en_main")
    assert offline.blocked == []
