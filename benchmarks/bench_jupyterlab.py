"""Benchmark: what JupyterLab adds to the set-up, and how long its browser test takes.

Issue 17: ``make demo``/``make test`` now install the ``notebooks`` extra (JupyterLab).

Two figures:

- size: the distributions installed only because of JupyterLab (its dependency closure
  in this environment minus the closure of the project with its other extras), their
  count and the size of their files on disk, read from the installed metadata;
- time: wall-clock seconds of ``pytest tests/browser/test_jupyterlab.py`` (JupyterLab
  started on loopback, ``prise_en_main`` run in Chromium, server stopped), and the
  duration pytest reports, over ``--repetitions`` runs.

Run: ``.venv/bin/python benchmarks/bench_jupyterlab.py [--repetitions N] [--no-test]``.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "atelier-territoires"
EXTRA = "notebooks"


def _installed() -> dict[str, metadata.Distribution]:
    return {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}


def _requires(dist: metadata.Distribution, extras: set[str]) -> set[str]:
    names = set()
    for line in dist.requires or ():
        requirement = Requirement(line)
        environments = [{"extra": e} for e in extras | {""}]
        if requirement.marker is None or any(requirement.marker.evaluate(e) for e in environments):
            names.add(canonicalize_name(requirement.name))
    return names


def _closure(roots: set[str], dists: dict[str, metadata.Distribution]) -> set[str]:
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in dists:
            continue
        seen.add(name)
        todo.extend(_requires(dists[name], set()) - seen)
    return seen


def _size(dist: metadata.Distribution) -> int:
    total = 0
    for file in dist.files or ():
        path = Path(dist.locate_file(file))
        if path.is_file():
            total += path.stat().st_size
    return total


def measure_size() -> None:
    dists = _installed()
    project = dists.get(PROJECT)
    if project is None or "jupyterlab" not in dists:
        print(f"{PROJECT} ou jupyterlab non installé : make lab (ou pip install -e '.[notebooks]')")
        return
    extras = set(project.metadata.get_all("Provides-Extra") or ()) - {EXTRA}
    others = _closure(_requires(project, extras), dists)
    with_lab = _closure(_requires(project, extras | {EXTRA}), dists)
    added = sorted(with_lab - others)
    size = sum(_size(dists[name]) for name in added)
    print(f"jupyterlab {dists['jupyterlab'].version}: {_size(dists['jupyterlab']) / 1e6:.1f} MB")
    print(f"distributions added by the '{EXTRA}' extra: {len(added)}, {size / 1e6:.1f} MB")
    print("  " + ", ".join(added))
    venv = Path(sys.prefix)
    total = sum(p.stat().st_size for p in venv.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"whole environment ({venv}): {total / 1e6:.0f} MB")


def measure_test(repetitions: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n0"]
    command.append("tests/browser/test_jupyterlab.py")
    for run in range(1, repetitions + 1):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
        reported = re.search(r"in ([\d.]+)s", summary)
        print(
            f"browser test, run {run}: {wall:.1f} s wall clock, "
            f"pytest says {reported.group(1) if reported else '?'} s ({summary})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--no-test", action="store_true", help="size only")
    args = parser.parse_args()
    measure_size()
    if not args.no_test:
        measure_test(args.repetitions)


if __name__ == "__main__":
    main()
