"""The pytest plugin on sample student repositories, run as a student runs it.

Runs that grade use `runpytest_subprocess`: the plugin is loaded from its installed entry point
and the grader's child processes belong to that pytest, not to this one. Runs that only
collect (nothing is graded) run in this process, which is faster.
"""

from __future__ import annotations

import json
import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = (ROOT / "solutions" / "house-price-backprop.py").read_text()
# The classic mistake: dL/dh = y - h instead of -(y - h). Every gradient is wrong.
BUGGY = SOLUTION.replace("dL_dh2 = -(y - h2)", "dL_dh2 = (y - h2)")
QUANTITIES = ["dL/dW1", "dL/db1", "dL/dW2", "dL/db2"]
POINTS = {"dL/dW1": 4.0, "dL/db1": 2.0, "dL/dW2": 2.0, "dL/db2": 1.0}
INI = "[pytest]\ngrader_exercise = house-price-backprop\ngrader_submission = backward.py\n"


@pytest.fixture
def repo(pytester: pytest.Pytester) -> pytest.Pytester:
    """A student's repository: a correct backward.py and a buggy.py, no configuration yet."""
    assert BUGGY != SOLUTION
    pytester.makefile(".py", backward=SOLUTION, buggy=BUGGY)
    return pytester


def test_a_correct_submission_passes_every_quantity_with_its_points(repo: pytest.Pytester) -> None:
    repo.makeini(INI)
    result = repo.runpytest_subprocess("-v", "--junitxml=report.xml")
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*backprop-grader: house-price-backprop <- backward.py*"])
    for name in QUANTITIES:
        result.stdout.fnmatch_lines([f"house-price-backprop::{name} PASSED*"])
    cases = ET.parse(repo.path / "report.xml").getroot().iter("testcase")
    found = {
        case.get("name"): (
            case.get("classname"),
            {p.get("name"): float(p.get("value") or 0) for p in case.iter("property")},
        )
        for case in cases
    }
    assert found == {
        name: ("house-price-backprop", {"score": points, "max_score": points})
        for name, points in POINTS.items()
    }


def test_a_wrong_quantity_fails_with_the_feedback_of_grader_check(repo: pytest.Pytester) -> None:
    repo.makeini(INI.replace("backward.py", "buggy.py"))
    result = repo.runpytest_subprocess("--junitxml=report.xml")
    result.assert_outcomes(failed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    text = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*_ house-price-backprop::dL/dW1 _*",
            "dL/dW1 0/4, likely cause: sign-flipped",
            "house-price-backprop: Backpropagation on the house-price network",
            "submission buggy.py, graded on the worked case and 4 hidden cases (seed *)",
            "  FAIL  dL/dW1  0/4",
            "*dL/dw_21^1: expected -0.018290, got 0.018290*",
            "*likely cause (sign-flipped)*",
            "score: 0 / 4 (not full marks yet)",
        ]
    )
    assert "Traceback" not in text and "QuantityFailed" not in text
    properties = [
        (p.get("name"), p.get("value"))
        for p in ET.parse(repo.path / "report.xml").getroot().iter("property")
    ]
    assert properties[:2] == [("score", "0.0"), ("max_score", "4.0")]


def test_a_required_sandbox_that_is_missing_fails_every_quantity(
    repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_NO_SANDBOX", "1")
    monkeypatch.setenv("GRADER_REQUIRE_SANDBOX", "1")
    repo.makeini(INI)
    result = repo.runpytest_subprocess("-rf")
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(["FAILED *::dL/dW1 - the grader could not grade backward.py*"])
    assert "the sandbox is required" in result.stdout.str()


def test_pairs_on_the_command_line_replace_the_ini_and_match_in_order(
    repo: pytest.Pytester,
) -> None:
    repo.makeini("[pytest]\ngrader_exercise = no-such-exercise\ngrader_submission = gone.py\n")
    pairs = ["backward.py", "buggy.py"]
    args = [
        a
        for s in pairs
        for a in ("--grader-exercise", "house-price-backprop", "--grader-submission", s)
    ]
    result = repo.runpytest_subprocess("-v", *args)
    result.assert_outcomes(passed=4, failed=4)
    result.stdout.fnmatch_lines(
        [
            "house-price-backprop[[]backward.py[]]::dL/dW1 PASSED*",
            "house-price-backprop[[]buggy.py[]]::dL/dW1 FAILED*",
        ]
    )


def test_pyproject_lists_and_k_selection(repo: pytest.Pytester) -> None:
    repo.makepyprojecttoml(
        '[tool.pytest.ini_options]\ngrader_exercise = ["house-price-backprop"]\n'
        'grader_submission = ["backward.py"]\n'
    )
    result = repo.runpytest_subprocess("-k", "dL/db1")
    result.assert_outcomes(passed=1, deselected=3)


def test_unknown_exercise_and_missing_submission_are_collection_errors(
    repo: pytest.Pytester,
) -> None:
    args = ["--grader-exercise", "house-price-backpro", "--grader-submission", "backward.py"]
    args += ["--grader-exercise", "house-price-backprop", "--grader-submission", "gone.py"]
    args += ["--grader-exercise", "house-price-backprop", "--grader-submission", "mine.txt"]
    result = repo.runpytest(*args)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "*unknown exercise 'house-price-backpro' (did you mean 'house-price-backprop'?)*",
            "*grader_submission for house-price-backprop: gone.py: no such submission file*",
            "*mine.txt: a .txt file cannot be graded; a submission is a Python file (.py)*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_unequal_numbers_of_exercises_and_submissions_are_a_usage_error(
    repo: pytest.Pytester,
) -> None:
    result = repo.runpytest("--grader-exercise", "house-price-backprop")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*1 grader_exercise value(s) but 0 grader_submission*"])


def test_without_configuration_the_plugin_does_nothing(repo: pytest.Pytester) -> None:
    # Run as installed: not even the grader's own modules are imported.
    repo.makepyfile(
        test_own="""
        import sys

        def test_own():
            loaded = {m for m in sys.modules if m == "grader" or m.startswith("grader.")}
            assert loaded <= {"grader", "grader.pytest_plugin"}, loaded
        """
    )
    result = repo.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
    assert "backprop-grader:" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*plugins:*backprop-grader*"])


# --- docs/ci.md: the documented configuration works as documented ------------------------------

DOCS = (ROOT / "docs" / "ci.md").read_text()


def fenced(after: str, language: str) -> str:
    """The first ```language block after the first occurrence of `after` in docs/ci.md."""
    start = DOCS.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(DOCS, start)
    assert match, f"no {language} block after {after!r}"
    return match.group(1)


def test_the_documented_classroom_setup_grades_a_student_repository(
    repo: pytest.Pytester,
) -> None:
    repo.makefile(".ini", pytest=fenced("## pytest and GitHub Classroom", "ini"))
    tests = json.loads(fenced("`.github/classroom/autograding.json`", "json"))["tests"]
    assert {t["name"]: float(t["points"]) for t in tests} == POINTS
    for test in tests:
        command = shlex.split(test["run"])
        assert command[0] == "pytest"
        # Each Classroom test selects exactly its own quantity (collected only: fast).
        selected = repo.runpytest(*command[1:], "--collect-only")
        selected.stdout.fnmatch_lines(
            [f"house-price-backprop::{test['name']}", "1/4 tests collected (3 deselected)*"]
        )
        assert selected.ret == pytest.ExitCode.OK
    # The workflow runs the same commands, with the same points.
    workflow = fenced("one `autograding-command-grader` step per test", "yaml")
    commands = re.findall(r"\n +command: (.*)\n", workflow)
    scores = [float(s) for s in re.findall(r"max-score: (.*)\n", workflow)]
    assert commands == [t["run"] for t in tests]
    assert scores == [float(t["points"]) for t in tests]
    graded = repo.runpytest_subprocess("-q")
    graded.assert_outcomes(passed=4)


# Issue 11: the old reaper's sweep SIGKILLed every child of the grading process that it did not
# start, here the student's own server.
def test_grading_leaves_the_processes_of_the_students_own_tests_alone(
    repo: pytest.Pytester,
) -> None:
    # The student's conftest starts a process; the grader grades; a test of the student's, run
    # last, finds it still running: the grader signals and reaps only what it started itself.
    repo.makeini(INI)
    repo.makeconftest(
        """
        import subprocess, sys
        import pytest

        SERVER = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])

        @pytest.fixture
        def server():
            return SERVER

        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(items):
            items.sort(key=lambda item: item.name == "test_server_alive")

        def pytest_unconfigure(config):
            SERVER.kill()
            SERVER.wait()
        """
    )
    repo.makepyfile(
        test_server="""
        def test_server_alive(server):
            assert server.poll() is None, f"ended with status {server.returncode}"
        """
    )
    result = repo.runpytest_subprocess("-v")
    result.stdout.fnmatch_lines(["*::dL/db2 PASSED*", "*test_server_alive PASSED*"])
    result.assert_outcomes(passed=5)
