"""`grader grade` end to end, as CI runs it: a real `python -m grader grade` process per run.

Two small classes: one exercise in the flat layout (with a student folder, well-behaved and
hostile students, an empty folder and a stray file), and two exercises in the folder layout.
Each is graded once per module (--jobs 2 --timeout 3) and read back with standard tools.
"""

from __future__ import annotations

import csv
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "tests" / "submissions"
HOSTILE = REPO / "tests" / "hostile"
BACKPROP, STEP = "house-price-backprop", "house-price-step"
FORMATS = ["json", "junit", "csv", "gradescope", "github"]

# The flat class: one exercise. None is an empty folder; a str is a stray file's text.
WELL_BEHAVED = {
    "alice.py": SUBMISSIONS / BACKPROP / "correct_vectorized.py",
    "bob.py": SUBMISSIONS / BACKPROP / "buggy_sign-flipped.py",
    "carol.py": SUBMISSIONS / BACKPROP / "correct_loops.py",
    "dan.py": SUBMISSIONS / BACKPROP / "buggy_transposed.py",
    "hank/my_backprop.py": SUBMISSIONS / BACKPROP / "correct_class.py",
    "ivy/house-price-backprop.py": SUBMISSIONS / BACKPROP / "buggy_scaled.py",
    "kim.py": SUBMISSIONS / BACKPROP / "correct_helpers.py",
}
HOSTILE_STUDENTS = {
    "erin.py": HOSTILE / "infinite_loop.py",
    "frank.py": HOSTILE / "survivor.py",
    "gina.py": HOSTILE / "fork_bomb.py",
}
ODD = {"judy": None, "notes.txt": "office hours moved to Friday\n"}
STUDENTS = sorted(
    [Path(name).parts[0].removesuffix(".py") for name in WELL_BEHAVED | HOSTILE_STUDENTS]
    + ["judy", "notes.txt"]
)

# The folder class: two exercises.
FOLDERS = {
    f"alice/{BACKPROP}.py": SUBMISSIONS / BACKPROP / "correct_vectorized.py",
    f"alice/{STEP}.py": SUBMISSIONS / STEP / "correct_loops.py",
    f"bob/{BACKPROP}.py": SUBMISSIONS / BACKPROP / "buggy_transposed.py",
    f"bob/{STEP}.py": SUBMISSIONS / STEP / "buggy_sign-flipped.py",
    f"carol/{BACKPROP}.py": SUBMISSIONS / BACKPROP / "correct_loops.py",
    "dave": None,
    "README.md": "submissions exported from the LMS\n",
}


def make_class(root: Path, entries: dict[str, Path | str | None]) -> Path:
    for name, source in entries.items():
        path = root / name
        if source is None:
            path.mkdir(parents=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copyfile(source, path)
        else:
            path.write_text(source)
    return root


@dataclass
class Graded:
    code: int
    stdout: str
    stderr: str
    out: Path
    results: list[dict[str, Any]]

    def by_student(self) -> dict[str, dict[str, Any]]:
        return {r["student"]: r for r in self.results}


def grade(
    run_grader: Callable[..., Any],
    cwd: Path,
    exercises: list[str],
    formats: list[str],
    *extra: str,
    env: dict[str, str] | None = None,
) -> Graded:
    args = ["grade", "class", "--jobs", "2", "--timeout", "3", "--out", "out"]
    args += [a for e in exercises for a in ("--exercise", e)]
    args += [a for f in formats for a in ("--format", f)]
    done = run_grader(*args, *extra, cwd=cwd, env=env, timeout=120)
    results_json = cwd / "out" / "results.json"
    results = json.loads(results_json.read_text())["results"] if results_json.exists() else []
    return Graded(done.returncode, done.stdout, done.stderr, cwd / "out", results)


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "elapsed"}


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory, run_grader: Callable[..., Any]) -> Graded:
    cwd = tmp_path_factory.mktemp("flat")
    make_class(cwd / "class", {**WELL_BEHAVED, **HOSTILE_STUDENTS, **ODD})
    summary = cwd / "step-summary.md"
    return grade(run_grader, cwd, [BACKPROP], FORMATS, env={"GITHUB_STEP_SUMMARY": str(summary)})


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, run_grader: Callable[..., Any]) -> Graded:
    cwd = tmp_path_factory.mktemp("folders")
    make_class(cwd / "class", FOLDERS)
    return grade(run_grader, cwd, [BACKPROP, STEP], ["json", "junit", "csv", "gradescope"])


# --- the flat class ------------------------------------------------------------------------------


def test_a_class_is_graded_with_exit_0_whatever_the_scores(flat: Graded) -> None:
    assert flat.code == 0, flat.stderr
    lines = flat.stderr.splitlines()
    # Not a terminal: a plain line per result, then the summary and the files written.
    progress = [line for line in lines if line.startswith("[")]
    assert sorted(int(line[1:].split("/")[0]) for line in progress) == list(range(1, 13))
    assert all(line.split("]")[0].endswith("/12") for line in progress)
    assert any(line.startswith("12 results in ") for line in lines)
    assert "10 graded, 4 with full marks, 2 missing, 0 grader errors" in flat.stderr
    for name in ("results.json", "junit.xml", "gradebook.csv"):
        assert f"wrote {Path('out') / name}" in flat.stderr


def test_every_student_has_exactly_one_result_in_every_format(
    flat: Graded, junit_schema: Any
) -> None:
    assert sorted(r["student"] for r in flat.results) == STUDENTS
    assert {r["exercise"] for r in flat.results} == {BACKPROP}

    with (flat.out / "gradebook.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["student"] for r in rows) == STUDENTS
    scores = {r["student"]: float(r["score"]) for r in rows}
    assert scores == {r["student"]: r["score"] for r in flat.results}

    junit_schema.validate(str(flat.out / "junit.xml"))
    suites = ET.parse(flat.out / "junit.xml").getroot().findall("testsuite")
    assert sorted(s.get("name") for s in suites) == STUDENTS

    gradescope = flat.out / "gradescope" / BACKPROP
    assert sorted(p.name for p in gradescope.iterdir()) == STUDENTS
    for student, result in flat.by_student().items():
        document = json.loads((gradescope / student / "results.json").read_text())
        assert document["score"] == result["score"]

    table = (flat.out.parent / "step-summary.md").read_text().splitlines()
    rows_md = [line.split("|")[1].strip() for line in table if f"| {BACKPROP} |" in line]
    assert sorted(rows_md) == STUDENTS
    annotated = [line for line in flat.stdout.splitlines() if line.startswith("::")]
    full = [s for s, r in flat.by_student().items() if r["score"] == r["max_score"]]
    assert len(annotated) == len(STUDENTS) - len(full)  # one per student short of full marks


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, run_grader: Callable[..., Any]) -> Graded:
    """The well-behaved students alone, graded the same way (same relative paths)."""
    cwd = tmp_path_factory.mktemp("clean")
    make_class(cwd / "class", WELL_BEHAVED)
    return grade(run_grader, cwd, [BACKPROP], ["json"])


def test_hostile_students_do_not_disturb_the_others(flat: Graded, clean: Graded) -> None:
    assert clean.code == 0, clean.stderr
    alone = {s: comparable(r) for s, r in clean.by_student().items()}
    among = {s: comparable(r) for s, r in flat.by_student().items() if s in alone}
    assert among == alone
    assert sorted(s for s, r in alone.items() if r["score"] == r["max_score"]) == [
        "alice",
        "carol",
        "hank",
        "kim",
    ]


@pytest.mark.parametrize("student", ["erin", "frank", "gina"], ids=["loop", "survivor", "forks"])
def test_hostile_students_are_graded_not_obeyed(flat: Graded, student: str) -> None:
    result = flat.by_student()[student]
    assert result["status"] == "graded"
    assert result["score"] < result["max_score"]
    assert result["problems"]
    # The wall limit, plus a margin that only a hang exceeds, never a slow or loaded machine.
    assert result["elapsed"] < 3 + 30


@pytest.mark.parametrize(
    ("student", "problem"),
    [("judy", "judy/ is empty"), ("notes.txt", "notes.txt is not a submission")],
    ids=["empty-folder", "stray-file"],
)
def test_the_unexpected_is_reported_for_that_student(
    flat: Graded, student: str, problem: str
) -> None:
    result = flat.by_student()[student]
    assert (result["status"], result["outcome"], result["score"]) == ("missing", "missing", 0)
    assert result["problems"][0].startswith(problem)


# --- the folder class, two exercises -------------------------------------------------------------


def test_several_exercises_give_one_result_each(folders: Graded, junit_schema: Any) -> None:
    assert folders.code == 0, folders.stderr
    pairs = sorted((r["student"], r["exercise"]) for r in folders.results)
    students = ["README.md", "alice", "bob", "carol", "dave"]
    assert pairs == sorted((s, e) for s in students for e in (BACKPROP, STEP))
    results = {(r["student"], r["exercise"]): r for r in folders.results}
    assert results["alice", BACKPROP]["score"] == results["alice", BACKPROP]["max_score"]
    assert results["alice", STEP]["score"] == results["alice", STEP]["max_score"]
    assert results["bob", STEP]["score"] < results["bob", STEP]["max_score"]
    assert results["carol", STEP]["problems"] == [f"no {STEP}.py in carol/ (found: {BACKPROP}.py)"]
    assert results["dave", BACKPROP]["problems"] == ["dave/ is empty"]

    junit_schema.validate(str(folders.out / "junit.xml"))
    suites = ET.parse(folders.out / "junit.xml").getroot().findall("testsuite")
    assert sorted(s.get("name") for s in suites) == students
    alice = next(s for s in suites if s.get("name") == "alice")
    # GitLab keys a test by classname and name: the student is in the classname.
    classnames = {c.get("classname") for c in alice.findall("testcase")}
    assert classnames == {f"alice.{BACKPROP}", f"alice.{STEP}"}

    with (folders.out / "gradebook.csv").open(newline="") as f:
        assert sorted((r["student"], r["exercise"]) for r in csv.DictReader(f)) == pairs
    files = sorted(
        p.relative_to(folders.out / "gradescope").parts[:2]
        for p in (folders.out / "gradescope").rglob("results.json")
    )
    assert files == sorted((e, s) for s, e in pairs)


def test_a_rerun_resumes_and_regrade_grades_again(
    folders: Graded, tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    shutil.copytree(folders.out.parent / "class", tmp_path / "class")
    shutil.copytree(folders.out, tmp_path / "out")
    before = [comparable(r) for r in folders.results]

    again = grade(run_grader, tmp_path, [BACKPROP, STEP], ["json"])
    assert again.code == 0, again.stderr
    assert "(10 from the gradebook)" in again.stderr
    assert again.results == folders.results  # straight from the gradebook, timings included

    regraded = grade(run_grader, tmp_path, [BACKPROP, STEP], ["json"], "--regrade")
    assert regraded.code == 0, regraded.stderr
    assert "(0 from the gradebook)" in regraded.stderr
    assert [comparable(r) for r in regraded.results] == before

    # bob hands in a new file: only that one is graded again
    shutil.copyfile(
        SUBMISSIONS / BACKPROP / "correct_helpers.py", tmp_path / "class" / "bob" / f"{BACKPROP}.py"
    )
    changed = grade(run_grader, tmp_path, [BACKPROP, STEP], ["json"])
    assert "(9 from the gradebook)" in changed.stderr
    bob = next(r for r in changed.results if (r["student"], r["exercise"]) == ("bob", BACKPROP))
    assert bob["score"] == bob["max_score"]


# --- the canary, and the grader failing ----------------------------------------------------------

BROKEN_SOLUTION = """
import numpy as np


def backward(params, x, y):
    # An environment where the model solution's numbers come out wrong.
    return {name: np.zeros_like(np.asarray(value, dtype=float)) for name, value in params.items()}
"""


@pytest.mark.parametrize("broken", [True, False], ids=["broken-solution", "working-solution"])
def test_the_canary_stops_a_broken_environment_before_anyone_is_scored(
    broken: bool, tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    # A course folder of its own, named with --exercises: its exercises/ shadows the bundled
    # ones, beside solutions/ (the working folder itself is never searched).
    (tmp_path / "exercises").mkdir()
    shutil.copyfile(
        REPO / "exercises" / f"{BACKPROP}.toml", tmp_path / "exercises" / f"{BACKPROP}.toml"
    )
    (tmp_path / "solutions").mkdir()
    solution = tmp_path / "solutions" / f"{BACKPROP}.py"
    if broken:
        solution.write_text(BROKEN_SOLUTION)
    else:
        shutil.copyfile(REPO / "solutions" / f"{BACKPROP}.py", solution)
    make_class(
        tmp_path / "class",
        {
            "alice.py": SUBMISSIONS / BACKPROP / "correct_vectorized.py",
            "bob.py": SUBMISSIONS / BACKPROP / "buggy_transposed.py",
        },
    )
    formats = ["json", "csv", "junit", "gradescope"]
    done = grade(run_grader, tmp_path, [BACKPROP], formats, "--exercises", "exercises")
    if not broken:
        assert done.code == 0, done.stderr
        assert [(r["student"], r["status"]) for r in done.results] == [
            ("alice", "graded"),
            ("bob", "graded"),
        ]
        assert done.results[0]["score"] == 9
        return
    assert done.code == 3
    assert "the environment is broken" in done.stderr
    assert str(solution) in done.stderr
    junit = ET.parse(done.out / "junit.xml").getroot()
    assert (junit.get("tests"), junit.get("errors"), junit.get("failures")) == ("2", "2", "0")
    for student in ("alice", "bob"):
        document = json.loads(
            (done.out / "gradescope" / BACKPROP / student / "results.json").read_text()
        )
        assert document["score"] == 0
        assert "could not grade" in document["output"]
        (hidden,) = document["tests"]
        assert "the environment is broken" in hidden["output"]
    assert "No submission was graded" in done.stderr
    assert not (done.out / "gradebook.sqlite").exists()  # nothing graded, nothing kept
    # Issue 11 changed this premise: every requested report is still written (a CI job has
    # something to show), each result saying that nothing was graded and why.
    assert "every report says so" in done.stderr
    assert [(r["student"], r["status"], r["outcome"]) for r in done.results] == [
        ("alice", "error", "not-graded"),
        ("bob", "error", "not-graded"),
    ]
    for result in done.results:
        assert (result["score"], result["max_score"]) == (0, 9)
        (problem,) = result["problems"]
        assert problem.startswith("not graded: the environment is broken")
    with (done.out / "gradebook.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["student"], r["status"], r["outcome"]) for r in rows] == [
        ("alice", "error", "not-graded"),
        ("bob", "error", "not-graded"),
    ]


INJECT = """
import sys
from pathlib import Path

import grader.batch.engine as engine

real = engine.prepare  # a student's submission, up to its run


def failing(exercise, submission, *args, **kwargs):
    if Path(submission.path).stem == "boom":  # the grader breaks on this one submission
        raise RuntimeError("injected failure")
    return real(exercise, submission, *args, **kwargs)


engine.prepare = failing
from grader.cli import main

main(sys.argv[1:])
"""


def test_a_grader_failure_gives_exit_3_and_everyone_elses_results(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    make_class(
        tmp_path / "class",
        {
            "alice.py": SUBMISSIONS / BACKPROP / "correct_vectorized.py",
            "boom.py": SUBMISSIONS / BACKPROP / "correct_loops.py",
            "carol.py": SUBMISSIONS / BACKPROP / "buggy_scaled.py",
        },
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            INJECT,
            "grade",
            "class",
            "-e",
            BACKPROP,
            "--jobs",
            "2",
            "--out",
            "out",
            "-f",
            "json",
            "-f",
            "gradescope",
            "-f",
            "csv",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert done.returncode == 3, done.stderr
    assert "1 grader errors" in done.stderr
    results = {
        r["student"]: r
        for r in json.loads((tmp_path / "out" / "results.json").read_text())["results"]
    }
    assert sorted(results) == ["alice", "boom", "carol"]
    assert results["alice"]["score"] == 9
    assert results["carol"]["status"] == "graded"
    boom = results["boom"]
    assert (boom["status"], boom["score"]) == ("error", 0)
    assert "RuntimeError: injected failure" in boom["problems"][0]
    gradescope = json.loads(
        (tmp_path / "out" / "gradescope" / BACKPROP / "boom" / "results.json").read_text()
    )
    assert gradescope["score"] == 0
    assert "could not grade" in gradescope["output"]


# --- options -------------------------------------------------------------------------------------


def test_jobs_default_to_the_cpu_count_and_formats_split_on_commas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from click.testing import CliRunner

    from grader.batch import run
    from grader.batch.settings import ClassRun
    from grader.batch.shard import WHOLE
    from grader.cli import cli
    from grader.pipeline import LimitOverrides

    seen: dict[str, Any] = {}

    def fake(settings: ClassRun, workers: Any = ()) -> run.ClassResults:
        seen["settings"], seen["workers"] = settings, workers
        return run.ClassResults([], [], "0 results")

    monkeypatch.setattr(run, "grade_class", fake)
    args = ["grade", str(tmp_path), "-e", BACKPROP, "-f", "json,csv", "-f", "github"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    settings = seen["settings"]
    assert settings.root == tmp_path
    assert [e.id for e in settings.exercises] == [BACKPROP]
    assert settings.out == Path("grader-out")
    assert settings.workers == (os.cpu_count() or 1)
    assert len(seen["workers"]) == settings.workers  # one per lane, started before the reading
    assert settings.formats == ("json", "csv", "github")
    assert settings.regrade is False
    assert settings.limits == LimitOverrides()  # every limit the exercise's (or the default)
    assert settings.shard == WHOLE

    result = CliRunner().invoke(cli, [*args, "--jobs", "3", "--timeout", "2", "--regrade"])
    settings = seen["settings"]
    assert (settings.workers, settings.regrade, settings.limits.wall_seconds) == (3, True, 2)


def test_an_unknown_format_stops_before_any_grading(
    tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    make_class(tmp_path / "class", {"alice.py": SUBMISSIONS / BACKPROP / "correct_loops.py"})
    done = grade(run_grader, tmp_path, [BACKPROP], ["json", "junt"])
    assert done.code == 2
    assert "unknown reporter 'junt' (did you mean 'junit'?)" in done.stderr
    assert not done.out.exists()


# --- the red team's causes 2 and 9 in a --jobs 2 class ------------------------------------------

FORGED_NAME = "eve\x1b[2J\x07\n::error file=x.py::all 9 of 9\u2028##[error]x\x85=1+1"
UNSAFE = ["\x1b", "\x07", "\x85", "\u2028", "##["]


def test_links_are_missing_and_hostile_names_are_inert_in_a_class(
    tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    root = make_class(
        tmp_path / "class",
        {
            "alice.py": SUBMISSIONS / BACKPROP / "correct_vectorized.py",
            f"{FORGED_NAME}.py": SUBMISSIONS / BACKPROP / "buggy_zero-gradient.py",
            "zed.py": SUBMISSIONS / BACKPROP / "correct_loops.py",
        },
    )
    classmate = make_class(
        tmp_path / "elsewhere", {"work.py": SUBMISSIONS / BACKPROP / "correct_class.py"}
    )
    (root / "mallory.py").symlink_to(REPO / "solutions" / f"{BACKPROP}.py")
    (root / "oscar").symlink_to(classmate, target_is_directory=True)
    # Not in GitHub Actions (an empty GITHUB_STEP_SUMMARY is none): no table on the terminal.
    no_summary = {"GITHUB_STEP_SUMMARY": ""}
    done = grade(run_grader, tmp_path, [BACKPROP], ["json", "csv", "github"], env=no_summary)
    assert done.code == 0, done.stderr
    assert "## Grades" not in done.stdout
    assert "GITHUB_STEP_SUMMARY is not set" in done.stderr
    students = done.by_student()
    for linked in ("mallory", "oscar"):
        assert (students[linked]["status"], students[linked]["score"]) == ("missing", 0)
        assert "symbolic link" in students[linked]["problems"][0]
    assert students["alice"]["score"] == students["zed"]["score"] == 9  # before and after
    assert students[FORGED_NAME]["score"] < 9
    for output in (done.stdout, done.stderr):  # annotations; progress and summary
        assert not [u for u in UNSAFE if u in output], output
        for text in output.split("\n"):
            ours = text.startswith(("::warning ", "::error "))
            assert text.count("::") == (2 if ours else 0), text
    rows = list(csv.reader((done.out / "gradebook.csv").open()))
    assert all(cell[:1] not in "=+-@\t\r" or not cell for row in rows for cell in row)


# --- a repeated --exercise ---------------------------------------------------------------------


def test_a_repeated_exercise_counts_once(tmp_path: Path, run_grader: Callable[..., Any]) -> None:
    make_class(
        tmp_path / "class",
        {
            "alice.py": SUBMISSIONS / BACKPROP / "correct_vectorized.py",
            "bob.py": SUBMISSIONS / BACKPROP / "buggy_transposed.py",
        },
    )
    (tmp_path / "copy").mkdir()  # a copy of the same file is the same exercise
    same_file = str(
        shutil.copyfile(
            REPO / "exercises" / f"{BACKPROP}.toml", tmp_path / "copy" / f"{BACKPROP}.toml"
        )
    )
    done = grade(run_grader, tmp_path, [BACKPROP, BACKPROP, same_file], ["json", "csv"])
    assert done.code == 0, done.stderr
    assert [(r["student"], r["status"]) for r in done.results] == [
        ("alice", "graded"),
        ("bob", "graded"),
    ]
    assert done.by_student()["alice"]["score"] == 9
    with (done.out / "gradebook.csv").open(newline="") as f:
        assert [r["student"] for r in csv.DictReader(f)] == ["alice", "bob"]


def test_two_exercise_files_of_one_id_are_refused(
    tmp_path: Path, run_grader: Callable[..., Any]
) -> None:
    make_class(tmp_path / "class", {"alice.py": SUBMISSIONS / BACKPROP / "correct_loops.py"})
    (tmp_path / "mine").mkdir()
    copy = tmp_path / "mine" / f"{BACKPROP}.toml"
    text = (REPO / "exercises" / f"{BACKPROP}.toml").read_text()
    copy.write_text(text.replace("hidden_cases = 4", "hidden_cases = 2"))
    done = grade(run_grader, tmp_path, [BACKPROP, str(copy)], ["json"])
    assert done.code == 2
    assert f"two exercises have the id '{BACKPROP}'" in done.stderr
    assert not done.out.exists()


def test_an_out_folder_that_cannot_be_made_is_refused_before_grading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --out under a file: an internal error (exit 3) from the gradebook before.
    from grader.cli import main

    (tmp_path / "file").write_text("")
    make_class(tmp_path / "class", {"alice.py": "x = 1\n"})
    args = ["grade", str(tmp_path / "class"), "-e", "house-price-backprop"]
    with pytest.raises(SystemExit) as info:
        main([*args, "--out", str(tmp_path / "file" / "out")])
    assert info.value.code == 2 and "--out" in capsys.readouterr().err
