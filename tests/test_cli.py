"""Tests for grader.cli: output through click's CliRunner, exit codes through `main`.

CliRunner calls `cli` in standalone mode, where a command's return value is not the exit code;
the exit codes a user and CI see come from `main`, so they are checked by calling `main` in
process (milliseconds) and, for a few end-to-end cases, with `python -m grader` (about 0.5 s
each).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import __version__, options
from grader.cli import cli, main
from grader.exercise import finding
from grader.run.limits import RANGES

SUBMISSIONS = Path(__file__).parent / "submissions"
CORRECT = SUBMISSIONS / "house-price-backprop" / "correct_vectorized.py"
TRANSPOSED = SUBMISSIONS / "house-price-backprop" / "buggy_transposed.py"
EXERCISES = {
    "house-price-backprop": "backward",
    "house-price-step": "train-step",
    "tanh-chain": "backward",
}


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`main(args)` in process: its exit code, stdout and stderr."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out, err


# --- output, in process ------------------------------------------------------------------------


def test_help_lists_every_command() -> None:
    output = invoke("--help")
    for command in ("check", "validate", "solve", "list", "plugins"):
        assert f"  {command} " in output


@pytest.mark.parametrize(
    ("command", "fragments"),
    [
        ("check", ["SUBMISSION", "--exercise", "--format", "--seed", "--timeout"]),
        ("validate", ["[EXERCISE]..."]),
        ("solve", ["EXERCISE"]),
        ("list", ["List the exercises"]),
        ("plugins", ["List installed plugins"]),
    ],
    ids=["check", "validate", "solve", "list", "plugins"],
)
def test_every_command_has_help(command: str, fragments: list[str]) -> None:
    output = invoke(command, "--help")
    assert output.startswith(f"Usage: cli {command} ")
    for fragment in fragments:
        assert fragment in output


def test_version() -> None:
    assert invoke("--version") == f"grader, version {__version__}\n"


def test_the_version_is_the_installed_metadata_read_when_first_asked_for() -> None:
    # importlib.metadata costs every command's start-up; `grader check` needs it only later.
    from importlib import metadata

    program = (
        "import sys, grader.cli; "
        "print('importlib.metadata' in sys.modules); "
        "print(grader.__version__); "
        "print('importlib.metadata' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", metadata.version("backprop-grader"), "True"]
    assert __version__ == metadata.version("backprop-grader")


def test_list_names_every_bundled_exercise_and_its_task() -> None:
    lines = invoke("list").splitlines()
    for exercise_id, task in EXERCISES.items():
        (line,) = [line for line in lines if line.startswith(f"{exercise_id} ")]
        assert line.split()[1] == task
        assert f"{exercise_id}.toml)" in line


def test_plugins_lists_the_built_ins_with_their_origin() -> None:
    output = invoke("plugins")
    for group in ("activations", "losses", "tasks", "tolerances", "reporters"):
        assert f"{group} (grader.{group}):" in output
    for name, value in [
        ("sigmoid", "grader.reference.activations:sigmoid"),
        ("half-squared-error", "grader.reference.losses:half_squared_error"),
        ("train-step", "grader.tasks.train_step:task"),
        ("document", "grader.score.tolerances:document"),
        ("json", "grader.report.json_report:reporter"),
    ]:
        (line,) = [line for line in output.splitlines() if line.split()[:1] == [name]]
        assert f"backprop-grader {__version__}" in line and f"({value})" in line


def test_solve_shows_exact_values_next_to_printed_ones() -> None:
    lines = invoke("solve", "house-price-backprop").splitlines()
    assert lines[0] == "house-price-backprop: Backpropagation on the house-price network"

    def row(key: str) -> list[str]:
        (line,) = [line for line in lines if line.split()[:1] == [key]]
        return line.split()

    assert row("gradients.W1[1][0]") == ["gradients.W1[1][0]", "-0.018290", "-0.018", "exact"]
    assert row("gradients.W2[0][0]")[1:3] == ["0.566625", "0.5663"]
    assert "rounding artefact" in " ".join(row("gradients.W2[0][0]"))
    assert row("forward.z1[0]") == ["forward.z1[0]", "-0.063000"]  # not printed by the lecture


# --- exit codes, through real processes --------------------------------------------------------


def grader(*args: str, cwd: Path, env: dict[str, str] | None = None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    environment.update(env or {})
    run = subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )
    return run


def test_full_marks_exit_0_with_json(tmp_path: Path) -> None:
    run = grader(
        "check", str(CORRECT), "-e", "house-price-backprop", "--format", "json", cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    payload = json.loads(run.stdout)
    assert {"exercise", "score", "max_score", "seed", "checks"} <= set(payload)
    assert payload["exercise"] == "house-price-backprop"
    assert payload["score"] == payload["max_score"] == 9
    assert isinstance(payload["seed"], int)
    assert len(payload["checks"]) == 4
    for check in payload["checks"]:
        assert {"name", "score", "max_score", "status", "message"} <= set(check)
        assert check["status"] == "pass"


def test_not_full_marks_exit_1(tmp_path: Path) -> None:
    run = grader("check", str(TRANSPOSED), "--exercise", "house-price-backprop", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "  FAIL  dL/dW1  0/4" in run.stdout
    assert "dL/dw_21^1: expected -0.018290, got -0.057862" in run.stdout
    assert run.stdout.rstrip().endswith("score: 5 / 9 (not full marks yet)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [str(CORRECT), "-e", "house-price-backprp"],
            "error: unknown exercise 'house-price-backprp' (did you mean 'house-price-backprop'?)",
        ),
        (["no-such-file.py", "-e", "tanh-chain"], "error: no-such-file.py: no such submission"),
        (
            [str(CORRECT), "-e", "house-price-backprop", "--format", "xml"],
            "error: unknown reporter 'xml'",
        ),
    ],
    ids=["unknown-exercise", "missing-submission", "unknown-format"],
)
def test_usage_errors_exit_2_with_one_message(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    # In process through `main`, the console script's own entry point: the same exit code.
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(capsys, "check", *args)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert message in err


def broken_reporter(site: Path) -> Path:
    """A third-party reporter that breaks while writing: the grader's own code path fails.

    A `*.dist-info` folder on PYTHONPATH is all importlib.metadata needs to find entry points,
    so this needs neither an install nor a change to the product.
    """
    info = site / "broken_reporter-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-reporter\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[grader.reporters]\nbroken = broken_reporter:BrokenReporter\n"
    )
    (site / "broken_reporter.py").write_text(
        "class BrokenReporter:\n"
        "    def __init__(self, stream):\n"
        "        self.stream = stream\n"
        "    def add(self, result):\n"
        "        raise RuntimeError('the reporter broke')\n"
        "    def close(self):\n"
        "        pass\n"
    )
    return site


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "GRADER_DEBUG"])
def test_an_internal_error_exits_3_without_a_traceback(tmp_path: Path, debug: bool) -> None:
    site = broken_reporter(tmp_path / "site")
    env = {"PYTHONPATH": str(site)} | ({"GRADER_DEBUG": "1"} if debug else {})
    run = grader(
        "check",
        str(CORRECT),
        "-e",
        "house-price-backprop",
        "--format",
        "broken",
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 3, run.stderr
    assert "internal error: RuntimeError: the reporter broke" in run.stderr
    # The traceback is for whoever asks for it, and only then.
    assert ("Traceback" in run.stderr) is debug


# --- where exercises and submissions come from (the red team's causes 1 and 2) -----------------

ZEROS = SUBMISSIONS / "house-price-backprop" / "buggy_zero-gradient.py"
BUNDLED_TOML = Path(__file__).parent.parent / "exercises" / "house-price-backprop.toml"
SOLUTION = Path(__file__).parent.parent / "solutions" / "house-price-backprop.py"


def forged_exercise() -> str:
    """The real exercise, with a tolerance that accepts anything."""
    text = BUNDLED_TOML.read_text()
    return text.replace(
        'tolerance = { mode = "document" }', 'tolerance = { mode = "relabs", atol = 1e9 }'
    )


@pytest.mark.parametrize("layout", ["exercises-folder", "bare-file"])
def test_an_upload_graded_from_inside_cannot_define_its_exercise(
    tmp_path: Path, layout: str
) -> None:
    upload = tmp_path / "submission"
    upload.mkdir()
    (upload / "backward.py").write_bytes(ZEROS.read_bytes())
    if layout == "exercises-folder":
        (upload / "exercises").mkdir()
        (upload / "exercises" / "house-price-backprop.toml").write_text(forged_exercise())
    else:
        (upload / "house-price-backprop").write_text(forged_exercise())
    run = grader("check", "backward.py", "-e", "house-price-backprop", cwd=upload)
    assert run.returncode == 1, run.stderr
    assert "score: 9 / 9" not in run.stdout


@pytest.mark.parametrize("target", ["solution", "pagemap", "fifo"])
def test_a_refused_submission_exits_2_naming_the_file(tmp_path: Path, target: str) -> None:
    path = tmp_path / "backward.py"
    if target == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(SOLUTION if target == "solution" else Path("/proc/self/pagemap"))
    run = grader("check", str(path), "-e", "house-price-backprop", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"error: {path}: is "), run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_list_shows_the_search_order_and_what_shadows_what(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, env = tmp_path / "mine", tmp_path / "env"
    for folder in (mine, env):
        folder.mkdir()
        (folder / "house-price-backprop.toml").write_bytes(BUNDLED_TOML.read_bytes())
    monkeypatch.setenv("GRADER_EXERCISES", str(env))
    lines = invoke("list", "--exercises", str(mine)).splitlines()
    assert lines[1:4] == [
        f"  1. --exercises      {mine}",
        f"  2. GRADER_EXERCISES {env}",
        f"  3. bundled          {finding.bundled_dir('exercises')}",  # installed or a checkout
    ]
    at = next(i for i, line in enumerate(lines) if line.startswith("house-price-backprop "))
    assert lines[at].endswith(f"(--exercises: {mine / 'house-price-backprop.toml'})")
    assert lines[at + 1 : at + 3] == [
        f"    shadows {env / 'house-price-backprop.toml'} (GRADER_EXERCISES)",
        f"    shadows {finding.bundled_dir('exercises') / 'house-price-backprop.toml'} (bundled)",
    ]
    # The folders hold for one command only.
    assert f"--exercises      {mine}" not in invoke("list")


def test_validate_a_folder_refuses_an_id_that_is_not_its_file_name(tmp_path: Path) -> None:
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "deep-bce.toml").write_text(
        BUNDLED_TOML.read_text().replace('id = "house-price-backprop"', 'id = "deep-bce-v2"')
    )
    run = grader("validate", "course/", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "'deep-bce-v2' does not match the file name 'deep-bce.toml'" in run.stderr


# --- in process through `main`: the exit code a user sees, without a process each -------------


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        (
            "--memory-mb",
            "99999999999999",
            "99999999999999 is out of range; allowed: from 256 to 65536 MiB",
        ),
        ("--memory-mb", "255", "255 is out of range; allowed: from 256 to 65536 MiB"),
        ("--memory-mb", "1.5", "'1.5' is not an integer; allowed: from 256 to 65536 MiB"),
        (
            "--timeout",
            "nan",
            "nan is not a finite number; allowed: more than 0 and at most 3600 seconds",
        ),
        ("--timeout", "inf", "inf is not a finite number"),
        ("--timeout", "-inf", "-inf is not a finite number"),
        ("--timeout", "0", "0.0 is out of range; allowed: more than 0 and at most 3600 seconds"),
        ("--timeout", "3601", "3601.0 is out of range"),
        ("--cpu-seconds", "0", "0 is out of range; allowed: from 1 to 3600 seconds"),
        ("--cpu-seconds", "99999999999999999999", "99999999999999999999 is out of range"),
        ("--output-kb", "-1", "-1 is out of range; allowed: from 1 to 65536 KiB"),
        ("--seed", "-5", "-5 is not in the range 0<=x<=4294967295"),
        ("--seed", "4294967296", "4294967296 is not in the range 0<=x<=4294967295"),
    ],
    ids=[
        "memory-huge",
        "memory-255",
        "memory-float",
        "timeout-nan",
        "timeout-inf",
        "timeout-minus-inf",
        "timeout-0",
        "timeout-3601",
        "cpu-0",
        "cpu-huge",
        "output-negative",
        "seed-negative",
        "seed-too-big",
    ],
)
def test_out_of_range_options_are_usage_errors_naming_the_option_and_range(
    capsys: pytest.CaptureFixture[str], option: str, value: str, said: str
) -> None:
    code, out, err = run_main(
        capsys, "check", str(CORRECT), "-e", "house-price-backprop", option, value
    )
    assert code == 2
    assert out == ""
    assert f"Invalid value for '{option}': {said}" in err


def test_grade_shares_the_limit_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "grade", ".", "-e", "house-price-backprop", "--timeout", "nan")
    assert code == 2
    assert "Invalid value for '--timeout': nan is not a finite number" in err


@pytest.mark.parametrize(
    ("whole", "given", "value"),
    [(False, "2.5", 2.5), (False, "3600", 3600.0), (True, "256", 256), (True, 65536, 65536)],
    ids=["2.5", "3600", "256", "65536-int"],
)
def test_limit_options_in_range_are_taken(whole: bool, given: object, value: float) -> None:
    key = "memory_mb" if whole else "wall_seconds"
    assert options.Bounded(RANGES[key], whole).convert(given, None, None) == value


def exercise_folder(write_exercise: Callable[..., Path]) -> list[Path]:
    """Three exercises without model solutions (validate: exit 1), the middle one broken."""
    return [
        write_exercise("course/a.toml"),
        write_exercise("course/b.toml", grading={"hidden_cases": "5"}),
        write_exercise("course/c.toml"),
    ]


def test_validate_reports_every_broken_file_and_goes_on(
    capsys: pytest.CaptureFixture[str], write_exercise: Callable[..., Path]
) -> None:
    a, b, c = exercise_folder(write_exercise)
    code, out, err = run_main(capsys, "validate", str(a), str(b), str(c))
    assert code == 2  # a broken file outranks a failed validation (1)
    assert [line.split()[0] for line in out.splitlines() if line.endswith(".toml)")] == ["a", "c"]
    assert err.splitlines() == [
        f'error: {b}: grading.hidden_cases: expected an integer, got the string "5"'
    ]


def test_validate_a_folder_checks_its_toml_files(
    capsys: pytest.CaptureFixture[str], write_exercise: Callable[..., Path]
) -> None:
    a, b, _ = exercise_folder(write_exercise)
    (a.parent / "notes.txt").write_text("not an exercise")
    code, out, err = run_main(capsys, "validate", str(a.parent))
    assert code == 2
    assert [line.split()[0] for line in out.splitlines() if line.endswith(".toml)")] == ["a", "c"]
    assert f"error: {b}: " in err


def test_validate_without_a_broken_file_exits_1_for_a_missing_solution(
    capsys: pytest.CaptureFixture[str], write_exercise: Callable[..., Path]
) -> None:
    a = write_exercise("course/a.toml")
    code, out, _ = run_main(capsys, "validate", str(a))
    assert code == 1
    assert "PROBLEM: no model solution at" in out


def test_list_reports_every_broken_file_and_lists_the_rest(
    capsys: pytest.CaptureFixture[str], write_exercise: Callable[..., Path]
) -> None:
    a, b, _ = exercise_folder(write_exercise)
    code, out, err = run_main(capsys, "list", "--exercises", str(a.parent))
    assert code == 2
    listed = {
        line.split()[0]: line for line in out.splitlines() if line.startswith(("a ", "b ", "c "))
    }
    assert sorted(listed) == ["a", "b", "c"]  # every file is listed, the broken one too
    assert "cannot be loaded" in listed["b"] and "cannot be loaded" not in listed["a"] + listed["c"]
    assert err.startswith(f"error: {b}: grading.hidden_cases: ")


def test_validate_a_folder_without_exercises_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    code, out, err = run_main(capsys, "validate", str(tmp_path / "empty"))
    assert code == 2
    assert out == ""
    assert err == f"error: {tmp_path / 'empty'}: a folder without *.toml files\n"


def test_a_model_solution_the_system_cannot_look_up_is_a_problem_not_a_crash(
    tmp_path: Path,
) -> None:
    from grader.validate import solution_problem

    assert solution_problem(tmp_path / "none.py") == f"no model solution at {tmp_path / 'none.py'}"
    far = tmp_path / ("a" * 300 + ".py")  # the schema refuses this; a caller may not
    assert solution_problem(far) == f"cannot read the model solution {far} (File name too long)"


def test_ctrl_c_exits_130_as_shells_report_an_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "main", interrupted)
    with pytest.raises(SystemExit) as caught:
        main(["list"])
    assert caught.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"


# --- start-up (issue 10) -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [CORRECT, Path("missing.py")], ids=["graded", "refused"])
def test_check_grades_without_the_collector_and_leaves_it_as_it_was(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    # Its imports are most of a check's time, and the collector would walk all they make;
    # afterwards it is on again with nothing frozen, so a program that embeds the grader
    # collects as it did.
    import gc

    from grader import pipeline

    seen: list[bool] = []
    check_submission = pipeline.check_submission

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return check_submission(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "check_submission", spy)
    code, _, _ = run_main(capsys, "check", str(path), "-e", "house-price-backprop")
    assert code == (0 if path == CORRECT else 2)
    assert seen == [False]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("given", [None, "4"], ids=["unset", "set by the user"])
def test_main_keeps_numpy_to_one_thread_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], given: str | None
) -> None:
    # OpenBLAS's threads would spin on the core the sandbox is starting on.
    from grader import cli as cli_module

    environment = {k: v for k, v in os.environ.items() if k not in cli_module.ONE_THREAD}
    if given is not None:
        environment["OPENBLAS_NUM_THREADS"] = given
    monkeypatch.setattr(os, "environ", environment)
    code, _, _ = run_main(capsys, "list")
    assert code == 0
    assert environment["OPENBLAS_NUM_THREADS"] == (given or "1")
    assert environment["OMP_NUM_THREADS"] == environment["MKL_NUM_THREADS"] == "1"
