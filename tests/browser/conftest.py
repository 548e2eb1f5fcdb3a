"""Real browser tests: headless Chromium from Debian's packages, driven by Playwright.

Playwright's own browsers are never downloaded (``playwright install`` needs the
internet): the tests drive ``/usr/bin/chromium``, from the ``chromium`` fixture of
``tests/conftest.py``. When it is missing that fixture installs it with ``apt-get``
if the tests run as root (CI), and skips with the reason otherwise.

Every page is opened with the network cut: a request to anything but the page's
own origin (``file://``, ``data:``, ``about:``, or the loopback server under
test) is aborted and recorded, so a test can assert that nothing left the machine.
Screenshots go to ``artifacts/browser/`` (git-ignored).

Servers under test (Voilà, JupyterLab) listen on a free port of 127.0.0.1 only:
:func:`loopback_server` starts one, waits for its port and stops it whatever happens.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
_LOCAL_SCHEMES = ("file://", "data:", "about:", "blob:")


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[object]:
    """A headless Chromium shared by the session."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright absent : pip install -e '.[browser]'"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class OfflinePage:
    """A page whose outside requests are aborted and recorded, with its console errors."""

    page: object
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot under ``artifacts/browser/``."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def offline_page(browser) -> Iterator[Callable[..., OfflinePage]]:
    """Factory of pages cut from the network; ``allow`` adds an origin (a loopback server)."""
    contexts = []

    def make(*, allow: tuple[str, ...] = ()) -> OfflinePage:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        result = OfflinePage(page)

        def route(r) -> None:
            url = r.request.url
            if url.startswith(_LOCAL_SCHEMES + allow):
                r.continue_()
            else:
                result.blocked.append(url)
                r.abort()

        context.route("**/*", route)

        def console(msg) -> None:
            if msg.type == "error":
                where = (msg.location or {}).get("url") or ""
                result.console_errors.append(f"{msg.text} [{where}]" if where else msg.text)

        page.on("console", console)
        page.on("pageerror", lambda exc: result.console_errors.append(str(exc)))
        return result

    yield make
    for context in contexts:
        context.close()


def free_port() -> int:
    """A TCP port of 127.0.0.1 free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def loopback_server(
    command: Sequence[str],
    *,
    name: str,
    port: int,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> Iterator[subprocess.Popen]:
    """Run ``command``, a server that listens on ``port`` of 127.0.0.1, until the block ends.

    Returns once the port accepts connections; fails the test, naming the server
    ``name``, with the end of ``log`` (the server's output) when the server dies or does
    not listen within ``timeout`` seconds. The server is stopped (SIGTERM, then SIGKILL
    after 10 s) on leaving, whatever happened in the block.
    """
    with log.open("w+") as out:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        out.seek(0)
                        pytest.fail(f"{name} n'a pas démarré :\n{out.read()[-3000:]}")
                    time.sleep(0.5)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
