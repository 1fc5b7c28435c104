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
    frames = frames[1:]
    assert [f.split("]")[0] for f in frames] == [
        "[" + "#" * n + "." * (30 - n) for n in (7, 15, 22, 30)
    ]
    assert [f.split()[1] for f in frames] == ["1/4", "2/4", "3/4", "4/4"]
    assert all(f.split()[2].endswith("/s") for f in frames)
    assert stream.getvalue().count("\n") == 1  # the line is ended once, at the end
    assert stream.getvalue().endswith("\n")
    assert "alice" not in stream.getvalue()  # names are for the plain lines


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
