"""Benchmark: the hostile-input cases of issue 14, counted and timed.

Runs ``tests/hostile/`` once in a subprocess with ``HOSTILE_REPORT`` set, so every
message checked by ``assert_actionable`` is recorded, then prints: the number of
hostile cases (test items, hypothesis examples counted once per test), how many
passed, and among the messages checked how many name the file, a line or column, and
give a fix. Asserts nothing.

Run: ``.venv/bin/python benchmarks/bench_hostile.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Run the hostile tests and print their figures."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "verdicts.jsonl"
        env = {**os.environ, "HOSTILE_REPORT": str(report)}
        start = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n0",
             "-m", "", "tests/hostile", "-rs"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        verdicts = (
            [json.loads(line) for line in report.read_text().splitlines()]
            if report.exists()
            else []
        )
    closing = [line for line in run.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    per_file = Counter()
    for line in run.stdout.splitlines():
        match = re.match(r"(tests/hostile/\S+\.py)", line)
        if match:
            per_file[match.group(1)] += 1
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider", "-m", "",
         "tests/hostile"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    files = Counter(line.split("::")[0] for line in collected.splitlines() if "::" in line)
    print(f"Cas hostiles (éléments de test) : {sum(files.values())}")
    for name, count in sorted(files.items()):
        print(f"  {name} : {count}")
    print(f"Résultat pytest : {closing[-1].strip('= ') if closing else run.stdout[-300:]}")
    print(f"Durée : {elapsed:.1f} s")
    full = [v for v in verdicts if v["file"] and v["where"] and v["fix"]]
    print(f"Messages vérifiés : {len(verdicts)}")
    print(f"  nommant le fichier : {sum(v['file'] for v in verdicts)}")
    print(f"  disant ligne ou colonne : {sum(v['where'] for v in verdicts)}")
    print(f"  donnant un correctif : {sum(v['fix'] for v in verdicts)}")
    print(f"  les trois à la fois : {len(full)}")


if __name__ == "__main__":
    main()
