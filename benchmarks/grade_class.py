"""Benchmark `grader grade` on a generated class, against one `grader check` per submission.

    python benchmarks/grade_class.py [--students 500] [--sample 20] [--repeat 3]

Prints submissions per second at --jobs 1 and --jobs 2 (the median of --repeat runs, taken in
turn), the peak memory of the whole process tree (grader, workers and submissions, sampled from
/proc in runs of their own: sampling slows what it samples), and the speed-up over running one
`grader check` process per submission (timed on a sample, scaled to the class). Run it on an
idle machine; it uses the `grader` installed in this interpreter (its commands run from a
temporary folder: from the repository's root, `python -m grader` would import the checkout's
own copy instead) and the repository's fixture submissions.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import compile_package, median_seconds

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "submissions" / "house-price-backprop"
EXERCISE = "house-price-backprop"
GRADER = [sys.executable, "-m", "grader"]


def make_class(folder: Path, students: int) -> None:
    """Correct and buggy submissions in every fixture style, each one a distinct file."""
    styles = sorted(FIXTURES.glob("*.py"))
    for number, style in zip(range(students), itertools.cycle(styles)):
        text = style.read_text() + f"\n# student {number}\n"
        (folder / f"student{number:04d}.py").write_text(text)


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total


def timed(argv: list[str], memory: bool = False) -> tuple[float, int]:
    """Wall seconds of one command and, with `memory`, the peak memory of its process tree
    (0 without). The peak is taken in a run of its own: sampling reads every process's /proc
    entry, which slowed the timed command by a few percent."""
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir()
    )
    peak = 0

    def sample() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    if memory:
        sampler.start()
    code = proc.wait()
    elapsed = time.monotonic() - started  # not after the sampler's last sleep
    if memory:
        sampler.join()
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {code}")
    return elapsed, peak


def grade(folder: Path, out: Path, jobs: int, memory: bool = False) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    return timed(
        [
            *GRADER,
            "grade",
            str(folder),
            "-e",
            EXERCISE,
            "--jobs",
            str(jobs),
            "--out",
            str(out),
            "--format",
            "csv",
        ],
        memory,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per --jobs value")
    args = parser.parse_args()
    compile_package()  # as after `pip install .`: see benchmarks/startup.py
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp, "small"), Path(tmp, "class")
        small.mkdir()
        big.mkdir()
        make_class(small, max(args.students // 5, 1))
        make_class(big, args.students)
        checks = [
            timed([*GRADER, "check", str(p), "-e", EXERCISE])[0]
            for p in sorted(big.glob("*.py"))[: args.sample]
        ]
        per_check = statistics.median(checks)
        # Runs alternate between --jobs 1 and 2, so that a change of the machine's speed in
        # the middle (a virtual machine's host) touches both; each figure is the median.
        runs: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for jobs in runs:
                runs[jobs].append(grade(big, Path(tmp, f"out{jobs}"), jobs)[0])
        peaks = {jobs: grade(big, Path(tmp, f"out{jobs}"), jobs, memory=True)[1] for jobs in runs}
        small_peak = grade(small, Path(tmp, "out-small"), 2, memory=True)[1]
    n = args.students
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs at the end")
    # The machine's own speed, which a virtual machine's host can change from one run to the
    # next: compare it with the figure beside the README's before comparing throughputs.
    numpy_ms = 1000 * median_seconds([sys.executable, "-c", "import numpy"], 7)
    print(f"this machine's speed: python -c 'import numpy' takes {numpy_ms:.0f} ms (median of 7)")
    print(f"class: {n} submissions of {EXERCISE} ({len(list(FIXTURES.glob('*.py')))} styles)")
    print(
        f"one `grader check` per submission: median {per_check:.3f} s over {args.sample} "
        f"runs, so {per_check * n:.1f} s for the class ({1 / per_check:.1f} submissions/s)"
    )
    for jobs, times in runs.items():
        seconds = statistics.median(times)
        each = ", ".join(f"{n / t:.1f}" for t in times)
        print(
            f"grader grade --jobs {jobs}: {seconds:.2f} s, {n / seconds:.1f} submissions/s "
            f"(median of {len(times)}: {each}), peak memory {peaks[jobs] / 2**20:.0f} MiB, "
            f"{per_check * n / seconds:.1f}x faster than one check per submission"
        )
    print(
        f"memory against class size: peak {small_peak / 2**20:.0f} MiB for "
        f"{max(n // 5, 1)} submissions, {peaks[2] / 2**20:.0f} MiB for {n} (--jobs 2)"
    )


if __name__ == "__main__":
    main()
