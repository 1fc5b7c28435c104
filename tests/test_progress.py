"""Tests for grader.batch.progress: a bar on a terminal, a line per result elsewhere, a summary."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from grader.batch.progress import Progress, summary
from grader.result import CheckResult


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_bar_redrawn_in_place(
    class_result: Callable[..., CheckResult],
) -> None:
    stream = Terminal()
    progress = Progress(4, stream)
    for student in ("alice", "bob", "carol", "dave"):
        progress.update(class_result("partial", student), resumed=False)
    frames = stream.getvalue().split("\r")
    assert frames[0] == ""  # every frame starts by returning to the start of the line
    # ...and wipes what a longer earlier frame left behind (no stale "1.7/s s").
    assert all(f.rstrip("\n").endswith("\x1b[K") for f in frames[1:])
    frames = [f.replace("\x1b[K", "") for f in frames[1:]]
    assert [f.split("]")[0] for f in frames] == [
        "[" + "#" * n + "." * (30 - n) for n in (7, 15, 22, 30)
    ]
    assert [f.split()[1] for f in frames] == ["1/4", "2/4", "3/4", "4/4"]
    assert all(f.split()[2].endswith("/s") for f in frames)
    assert stream.getvalue().count("\n") == 1  # the line is ended once, at the end
    assert stream.getvalue().endswith("\n")
    assert "alice" not in stream.getvalue()  # names are for the plain lines


def test_the_bar_names_what_runs_longest_and_rates_only_this_runs_results(
    class_result: Callable[..., CheckResult], bundled_exercise: Callable[[str], object]
) -> None:
    from grader.batch.discover import Job

    stream = Terminal()
    progress = Progress(3, stream)
    exercise = bundled_exercise("house-price-backprop")
    progress.update(class_result("full", "alice"), resumed=True)  # from the gradebook
    progress.start(Job("bob", exercise, None))
    progress.start(Job("carol", exercise, None))
    line = progress.line(progress.first_start + 12.4)
    assert line.endswith("1/3  grading bob house-price-backprop (12 s)")  # no rate yet
    progress.update(class_result("full", "bob"), resumed=False)
    line = progress.line(progress.first_start + 2.0)
    assert line.endswith("2/3  0.5/s  grading carol house-price-backprop (2 s)")


def test_the_bar_is_redrawn_while_a_slow_submission_runs(
    bundled_exercise: Callable[[str], object],
) -> None:
    import threading

    class Watched(Terminal):
        def __init__(self) -> None:
            super().__init__()
            self.redrawn = threading.Event()

        def write(self, text: str) -> int:
            if "grading slow" in text:
                self.redrawn.set()
            return super().write(text)

    stream = Watched()
    progress = Progress(1, stream)
    with progress.ticking(every=0.01):
        progress.running["slow house-price-backprop"] = progress.started
        assert stream.redrawn.wait(timeout=60)  # a tick, without any result arriving


def test_elsewhere_a_plain_line_per_result(class_result: Callable[..., CheckResult]) -> None:
    stream = io.StringIO()
    progress = Progress(3, stream)
    progress.update(class_result("full", "alice"), resumed=True)
    progress.update(class_result("timeout", "bob"), resumed=False)
    progress.update(class_result("missing", "carol", exercise="house-price-step"), resumed=False)
    assert stream.getvalue().splitlines() == [
        "[1/3] alice house-price-backprop: 9/9 ok (from the gradebook)",
        "[2/3] bob house-price-backprop: 0/9 timeout",
        "[3/3] carol house-price-step: 0/9 missing",
    ]
    assert "\r" not in stream.getvalue()


@pytest.mark.parametrize(
    ("kinds", "resumed", "first", "problems"),
    [
        (
            ["full", "full", "partial"],
            0,
            "3 results in 1.5 s (0 from the gradebook): 3 graded, 2 with full marks, "
            "0 missing, 0 grader errors",
            None,
        ),
        (
            ["full", "timeout", "missing", "missing", "error", "timeout"],
            4,
            "6 results in 1.5 s (4 from the gradebook): 3 graded, 1 with full marks, "
            "2 missing, 1 grader errors",
            "problems: error 1, missing 2, timeout 2",
        ),
        (
            [],
            0,
            "0 results in 1.5 s (0 from the gradebook): 0 graded, 0 with full marks, "
            "0 missing, 0 grader errors",
            None,
        ),
    ],
    ids=["all-graded", "mixed", "empty-class"],
)
def test_the_summary_counts(
    kinds: list[str],
    resumed: int,
    first: str,
    problems: str | None,
    class_result: Callable[..., CheckResult],
) -> None:
    results = [class_result(kind, f"s{i}") for i, kind in enumerate(kinds)]
    lines = summary(results, 1.49, resumed).splitlines()
    assert lines == [first] + ([problems] if problems else [])
