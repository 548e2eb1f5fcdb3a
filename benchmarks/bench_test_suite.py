"""Benchmark: wall time of the test tiers (issue 13).

Goal (issue 13): the full ``make test`` at most 4 minutes on this 2-core machine from a
fresh clone (7 min 13 s before the reorganisation), the fast tier (``make test-fast``) at
most 60 s. Runs each tier once in a subprocess, as the Makefile does, and prints its wall
time and pytest's closing line; asserts nothing. The first run of ``make test`` on a new
machine also installs Chromium (apt-get): run this script a second time for the figure.

Run: ``.venv/bin/python benchmarks/bench_test_suite.py [--tiers fast,full]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

_TIERS = {
    "fast": ["make", "test-fast"],
    "full": ["make", "test"],
}


def _closing_line(output: str) -> str:
    lines = [line for line in output.splitlines() if " in " in line and "passed" in line]
    return lines[-1].strip("= ") if lines else "(pas de ligne de fin pytest)"


def main() -> None:
    """Run the tiers asked for and print their wall times."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiers", default="fast,full", help="fast, full or both")
    args = parser.parse_args()
    for tier in args.tiers.split(","):
        start = time.perf_counter()
        done = subprocess.run(
            _TIERS[tier.strip()],
            cwd=ROOT,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
        status = "réussi" if done.returncode == 0 else f"échec (code {done.returncode})"
        print(
            f"{' '.join(_TIERS[tier.strip()]):15} {seconds:7.1f} s  {status}  "
            f"{_closing_line(done.stdout + done.stderr)}"
        )


if __name__ == "__main__":
    main()
