"""Benchmark the start-up of the command line against the cost of importing numpy.

    python benchmarks/startup.py [--runs 15]

Prints the median wall time of `python -c "import numpy"` (the floor: every run pays it once),
of `grader --version` (the command line's own imports), and of `grader check` on the bundled
model solution (imports, loading the exercise, one sandboxed run, the report), and each one's
ratio to the numpy import. Run it on an idle machine; it uses the installed `grader` (each
command runs from a temporary folder: from the repository's root, `python -m grader` would
import the checkout's own copy instead).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "house-price-backprop.py"
NEUTRAL = tempfile.gettempdir()  # no `grader` folder here for `python -m grader` to import
DEVNULL = subprocess.DEVNULL
TARGET_CHECK_SECONDS = 0.25  # issue 10: `grader check` of the model solution, idle 2 cores


def _grader() -> list[str]:
    found = shutil.which("grader")
    return [found] if found else [sys.executable, "-m", "grader"]


def compile_package() -> None:
    """Byte-compile the installed grader package (what pip does on install)."""
    spec = importlib.util.find_spec("grader")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=2)


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=DEVNULL, stderr=DEVNULL, check=False, cwd=NEUTRAL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    grader = _grader()
    commands = {
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "grader --version": [*grader, "--version"],
        "grader check (model solution)": [
            *grader,
            "check",
            str(SOLUTION),
            "--exercise",
            "house-price-backprop",
        ],
    }
    # As after `pip install .` (pip writes the bytecode): without it, as where
    # PYTHONDONTWRITEBYTECODE is set, every run would compile the package from source.
    compile_package()
    for argv in commands.values():  # warm the page cache once, untimed
        subprocess.run(argv, stdout=DEVNULL, stderr=DEVNULL, check=False, cwd=NEUTRAL)
    floor = None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"median of {runs} runs each; load average {load:.1f} on {os.cpu_count()} CPUs")
    for name, argv in commands.items():
        seconds = median_seconds(argv, runs)
        floor = floor or seconds
        print(f"  {name:32} {seconds * 1000:7.0f} ms   {seconds / floor:5.2f} x numpy import")
    target = TARGET_CHECK_SECONDS * 1000
    print(f"  target for grader check: {target:.0f} ms on an idle 2-core machine")


if __name__ == "__main__":
    main()
