"""Benchmark `grader merge` against the grading it merges: 4 shards graded one after another.

    python benchmarks/shards.py [--students 400] [--shards 4] [--jobs 2]

Grades each shard of a generated class (benchmarks/grade_class.py's) with `grader grade
--shard K/N`, one after another as N runners would in parallel, then merges them with `grader
merge`, and prints each step's wall time and the merge's cost as a fraction of the grading's
(summed over the shards, and against the slowest shard: the critical path of a CI matrix).
Every command is a fresh process, so the times include Python's start-up. Run it on an idle
machine; it uses the installed `grader`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grade_class import EXERCISE, GRADER, make_class

FORMATS = ["--format", "json", "--format", "junit", "--format", "csv"]


def timed(argv: list[str]) -> float:
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=400)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    n = args.shards
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "class")
        folder.mkdir()
        make_class(folder, args.students)
        grade = [*GRADER, "grade", str(folder), "-e", EXERCISE, "--jobs", str(args.jobs)]
        outs = [str(Path(tmp, f"shard-{k}")) for k in range(1, n + 1)]
        shards = [
            timed([*grade, "--shard", f"{k}/{n}", "--out", out, *FORMATS])
            for k, out in enumerate(outs, start=1)
        ]
        merge = timed([*GRADER, "merge", *outs, "--out", str(Path(tmp, "merged")), *FORMATS])
        idle = timed([*GRADER, "--version"])  # the start-up every command pays
    total = sum(shards)
    print(f"class: {args.students} submissions of {EXERCISE}, {n} shards, --jobs {args.jobs}")
    for k, seconds in enumerate(shards, start=1):
        print(f"grader grade --shard {k}/{n}: {seconds:.2f} s")
    print(f"grader merge of {n} gradebooks (json, junit, csv): {merge:.2f} s")
    print(f"start-up of one `grader` process: {idle:.2f} s")
    print(
        f"merge / grading: {merge / total:.1%} of the {total:.1f} s graded one after another, "
        f"{merge / max(shards):.1%} of the slowest shard ({max(shards):.1f} s)"
    )


if __name__ == "__main__":
    main()
