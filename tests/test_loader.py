"""Tests for grader.exercise.loader: finding, parsing, messages, points and tolerances."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from grader import plugins
from grader.errors import ExerciseError, ExitCode, GraderError, InputError
from grader.exercise import find_exercise, list_exercises, load_exercise
from grader.score.tolerances import DigitsSettings, RelAbsSettings

Problems = Callable[[Path], list[tuple[str, str]]]
Write = Callable[..., Path]
BUNDLED = ["house-price-backprop", "house-price-step", "tanh-chain"]
QUANTITIES = ["W1", "b1", "W2", "b2"]


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The loader looks in ./exercises first: run every test from an empty folder.
    monkeypatch.chdir(tmp_path)


def test_exercise_error_is_an_input_error_with_exit_code_2() -> None:
    error = ExerciseError("x.toml", [("network.loss", "bad"), ("", "whole file")])
    assert isinstance(error, InputError) and isinstance(error, GraderError)
    assert error.exit_code == ExitCode.USAGE == 2
    assert str(error) == "x.toml: network.loss: bad\nx.toml: whole file"


def test_a_broken_file_names_the_file_the_key_path_and_what_is_wrong(
    write_exercise: Write,
) -> None:
    path = write_exercise(network__layers__0__activation="sigmod")
    with pytest.raises(ExerciseError) as info:
        load_exercise(path)
    assert str(info.value) == (
        f"{path}: network.layers[0].activation: unknown activation 'sigmod' "
        "(did you mean 'sigmoid'?)"
    )
    assert info.value.exit_code == 2


def test_the_command_line_reports_a_broken_file_without_a_traceback(
    write_exercise: Write,
) -> None:
    # What a user runs: exit code 2 and one line per problem, never a traceback.
    path = write_exercise(network__layers__0__activation="sigmod", title=...)
    run = subprocess.run(
        [sys.executable, "-m", "grader", "solve", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "GRADER_DEBUG": ""},
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        f"error: {path}: title: missing required key",
        f"{path}: network.layers[0].activation: unknown activation 'sigmod' "
        "(did you mean 'sigmoid'?)",
    ]


# --- finding an exercise ---------------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", BUNDLED, ids=BUNDLED)
def test_bundled_exercises_are_found_by_id(exercise_id: str) -> None:
    path = find_exercise(exercise_id)
    assert path.name == f"{exercise_id}.toml" and path.is_file()
    assert load_exercise(exercise_id).id == exercise_id
    assert path in list_exercises()


def test_list_exercises_holds_the_bundled_ones_sorted() -> None:
    stems = [p.stem for p in list_exercises()]
    assert set(BUNDLED) <= set(stems)
    assert stems == sorted(stems)


@pytest.mark.parametrize(
    "form", ["absolute", "relative", "Path"], ids=["absolute", "relative", "Path"]
)
def test_found_by_path(write_exercise: Write, tmp_path: Path, form: str) -> None:
    path = write_exercise("sub/mine.toml", id="mine")
    given = {"absolute": str(path), "relative": "sub/mine.toml", "Path": path}[form]
    assert find_exercise(str(given)).resolve() == path
    loaded = load_exercise(given)
    assert loaded.id == "mine" and loaded.path.resolve() == path


def test_the_course_folder_is_searched_and_shadows_a_bundled_exercise(
    write_exercise: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A course folder is searched when named (here GRADER_EXERCISES), never for being here.
    monkeypatch.setenv("GRADER_EXERCISES", str(tmp_path / "exercises"))
    mine = write_exercise("exercises/mine.toml", id="mine")
    shadow = write_exercise("exercises/tanh-chain.toml", id="tanh-chain", title="Ours")
    assert find_exercise("mine").resolve() == mine
    assert find_exercise("tanh-chain").resolve() == shadow
    assert load_exercise("tanh-chain").spec.title == "Ours"
    found = {p.stem: p.resolve() for p in list_exercises()}
    assert found["mine"] == mine and found["tanh-chain"] == shadow
    assert "house-price-backprop" in found


def test_a_folder_named_like_an_id_does_not_hide_the_exercise(tmp_path: Path) -> None:
    (tmp_path / "tanh-chain").mkdir()
    assert find_exercise("tanh-chain").name == "tanh-chain.toml"


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("house-price-backpro", "(did you mean 'house-price-backprop'?)"),
        ("tanh_chain", "(did you mean 'tanh-chain'?)"),
        ("house-price-stepp", "(did you mean 'house-price-step'?)"),
    ],
    ids=["backpro", "underscore", "stepp"],
)
def test_unknown_exercise_id_suggests_a_near_miss(given: str, hint: str) -> None:
    with pytest.raises(InputError) as info:
        find_exercise(given)
    assert str(info.value) == f"unknown exercise {given!r} {hint}"
    assert info.value.exit_code == 2


def test_unknown_exercise_id_far_from_any_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"^unknown exercise 'zzzzzz' \(known: ") as info:
        load_exercise("zzzzzz")
    assert all(name in str(info.value) for name in BUNDLED)


@pytest.mark.parametrize(
    "given", ["missing.toml", "sub/missing.toml", "folder.toml"], ids=["file", "sub", "folder"]
)
def test_missing_file(tmp_path: Path, given: str) -> None:
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(InputError) as info:
        load_exercise(given)
    assert str(info.value) == f"{given}: no such exercise file"
    assert info.value.exit_code == 2


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(write_exercise: Write) -> None:
    path = write_exercise()
    path.chmod(0)
    with pytest.raises(InputError) as info:
        load_exercise(path)
    assert str(info.value) == f"{path}: cannot read exercise file (Permission denied)"
    assert info.value.exit_code == 2


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_a_file_that_fails_to_read(tmp_path: Path) -> None:
    # Reading /proc/self/mem from offset 0 fails with EIO, even for root.
    path = tmp_path / "mem.toml"
    path.symlink_to("/proc/self/mem")
    with pytest.raises(InputError) as info:
        load_exercise(path)
    assert str(info.value) == f"{path}: cannot read exercise file (Input/output error)"
    assert info.value.exit_code == 2


# --- parsing ---------------------------------------------------------------------------------


def test_broken_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('id = "tiny"\ntitle = "Tiny"\n\n[network]\ninputs = = 2\n')
    with pytest.raises(ExerciseError) as info:
        load_exercise(path)
    [(key, message)] = info.value.problems
    assert key == ""
    assert message.startswith("invalid TOML: ") and "line 5" in message
    assert str(info.value) == f"{path}: {message}"
    assert info.value.exit_code == 2


def test_non_utf8_file(write_exercise: Write) -> None:
    path = write_exercise(source="café")
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(ExerciseError) as info:
        load_exercise(path)
    [(key, message)] = info.value.problems
    assert key == "" and message.startswith("not UTF-8 text")
    assert str(info.value).startswith(f"{path}: not UTF-8 text")


def test_the_first_bad_byte_is_located(write_exercise: Write) -> None:
    path = write_exercise(source="café")
    text = path.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "café" in row)
    column = text.splitlines()[line - 1].index("é") + 1
    offset = text.encode("utf-8").index("é".encode()) + 1
    path.write_bytes(text.encode("latin-1"))
    [(_, message)] = exercise_problems_of(path)
    assert message == (
        f"not UTF-8 text: invalid byte 0xe9 at line {line}, column {column} (byte {offset})"
    )


def test_a_byte_order_mark_is_accepted(write_exercise: Write) -> None:
    path = write_exercise()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_exercise(path).id == "tiny"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x = " + "[" * 5000 + "]" * 5000, "invalid TOML: nested too deeply"),
        ("x = " + "1" * 5000, "invalid TOML: Exceeds the limit (4300 digits)"),
        ('id = "tiny"\n# ' + "x" * (1024 * 1024), "larger than 1024 KiB: not an exercise file"),
    ],
    ids=["deep-nesting", "long-integer", "huge-file"],
)
def test_files_no_parser_should_chew_on_are_refused(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    [(key, message)] = exercise_problems_of(path)
    assert key == "" and message.startswith(fragment)


def exercise_problems_of(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ExerciseError) as info:
        load_exercise(path)
    assert info.value.exit_code == 2
    assert all(line.startswith(f"{path}: ") for line in str(info.value).splitlines())
    return info.value.problems


# --- whole-file rules: the id is the file name, the training budget --------------------------


def test_an_id_that_is_not_the_file_name_is_refused(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise("deep-bce.toml", id="deep-bce-v2")
    assert exercise_problems(path) == [
        (
            "id",
            "'deep-bce-v2' does not match the file name 'deep-bce.toml': "
            "write id = 'deep-bce' or rename the file to deep-bce-v2.toml",
        )
    ]


@pytest.mark.parametrize(
    ("iterations", "hidden", "ok"),
    [(1000, 1, True), (400, 4, True), (1000, 2, False), (21, 99, False)],
    ids=["1000x2", "400x5", "1000x3", "21x100"],
)
def test_training_steps_across_cases_are_bounded(
    write_exercise: Write, exercise_problems: Problems, iterations: int, hidden: int, ok: bool
) -> None:
    path = write_exercise(
        task="train",
        case__learning_rate=0.2,
        case__iterations=iterations,
        grading={"hidden_cases": hidden},
    )
    if ok:
        assert load_exercise(path).spec.case.iterations == iterations
        return
    steps = iterations * (hidden + 1)
    assert exercise_problems(path) == [
        (
            "case.iterations",
            f"{iterations} iterations on {hidden + 1} cases (grading.hidden_cases + 1) are "
            f"{steps} training steps, more than 2000: use fewer iterations or fewer hidden cases",
        )
    ]


# --- the model solution --------------------------------------------------------------------


def test_the_solution_key_is_relative_to_the_exercise_file(write_exercise: Write) -> None:
    path = write_exercise("course/exercises/tiny.toml", solution="../answers/model.py")
    loaded = load_exercise(path)
    assert loaded.solution == path.parent / "../answers/model.py"
    assert loaded.solution_path() == loaded.solution


def test_without_a_solution_key_the_solutions_folder_is_used(write_exercise: Write) -> None:
    loaded = load_exercise(write_exercise("course/exercises/tiny.toml"))
    assert loaded.solution is None
    assert loaded.solution_path() == loaded.path.resolve().parents[1] / "solutions" / "tiny.py"


@pytest.mark.parametrize(
    "written",
    ['""', '"  "', '"a\\u0000b"', f'"{"a" * 256}.py"', f'"{"a/" * 600}b.py"'],
    ids=["empty", "blank", "nul", "long-name", "long-path"],
)
def test_a_solution_that_is_no_path_is_refused(
    write_exercise: Write, exercise_problems: Problems, written: str
) -> None:
    path = write_exercise(solution="PLACEHOLDER")
    path.write_text(path.read_text().replace('"PLACEHOLDER"', written))
    assert exercise_problems(path) == [
        (
            "solution",
            "expected a file path, relative to this file (names of at most 255 bytes, "
            "1024 characters in all)",
        )
    ]


def test_floats_are_read_as_printed_decimals(write_exercise: Write) -> None:
    path = write_exercise(expected={"forward": {"h1": [Decimal("0.30"), Decimal("0.3")]}})
    assert "h1 = [0.30, 0.3]" in path.read_text()
    h1 = load_exercise(path).spec.expected.forward["h1"]
    assert [h1.text((0,)), h1.text((1,))] == ["0.30", "0.3"]
    np.testing.assert_allclose(h1.units(), [0.01, 0.1], rtol=1e-15)


def test_loaded_exercise_is_ready_to_grade(write_exercise: Write) -> None:
    path = write_exercise(case__learning_rate=0.2)
    loaded = load_exercise(path)
    assert loaded.path == path
    assert loaded.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [q.name for q in loaded.quantities] == QUANTITIES
    assert [q.shape for q in loaded.quantities] == [(2, 2), (2,), (1, 2), (1,)]
    assert loaded.network.shapes() == {"W1": (2, 2), "b1": (2,), "W2": (1, 2), "b2": (1,)}
    assert loaded.task is plugins.get("tasks", "backward")


def test_bundled_exercise_has_its_model_solution() -> None:
    loaded = load_exercise("house-price-backprop")
    assert loaded.solution_path().name == "house-price-backprop.py"
    assert loaded.solution_path().is_file()


# --- points ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "points", "total"),
    [
        ({}, dict.fromkeys(QUANTITIES, 1.0), 4.0),
        ({"points": 9}, dict.fromkeys(QUANTITIES, 2.25), 9.0),
        ({"points": 1}, dict.fromkeys(QUANTITIES, 0.25), 1.0),
        (
            {"points": 9, "grading": {"points": {"W1": 4, "b1": 2, "W2": 2, "b2": 1}}},
            {"W1": 4.0, "b1": 2.0, "W2": 2.0, "b2": 1.0},
            9.0,
        ),
        (
            {"grading": {"points": {"W1": 4, "b1": 2, "W2": 2, "b2": 1}}},
            {"W1": 4.0, "b1": 2.0, "W2": 2.0, "b2": 1.0},
            9.0,
        ),
        (
            {"points": 1, "grading": {"points": {"W1": 0.5, "b1": 0.25, "W2": 0.125, "b2": 0.125}}},
            {"W1": 0.5, "b1": 0.25, "W2": 0.125, "b2": 0.125},
            1.0,
        ),
    ],
    ids=["one-each", "split-9", "split-1", "per-quantity", "per-quantity-no-total", "fractions"],
)
def test_points(write_exercise: Write, overrides: dict, points: dict, total: float) -> None:
    loaded = load_exercise(write_exercise(**overrides))
    assert {name: rule.points for name, rule in loaded.rules.items()} == points
    assert loaded.max_score == total


def test_points_that_do_not_add_up(write_exercise: Write, exercise_problems: Problems) -> None:
    path = write_exercise(points=10, grading={"points": {"W1": 4, "b1": 2, "W2": 2, "b2": 1}})
    assert exercise_problems(path) == [("points", "is 10.0 but grading.points add up to 9.0")]


@pytest.mark.parametrize("table", ["points", "tolerances"], ids=["points", "tolerances"])
def test_grading_table_for_a_quantity_the_task_does_not_return(
    write_exercise: Write, exercise_problems: Problems, table: str
) -> None:
    value = 1 if table == "points" else {"mode": "relabs"}
    every = {name: value for name in ("W1", "b1", "W2", "b2")}
    path = write_exercise(grading={table: {**every, "b3": value}})
    assert exercise_problems(path) == [
        (f"grading.{table}.b3", "no quantity 'b3' in this task (known: W1, b1, W2, b2)")
    ]


def test_points_for_some_quantities_only(write_exercise: Write, exercise_problems: Problems):
    path = write_exercise(grading={"points": {"W1": 4, "b1": 2, "W2": 2}})
    assert exercise_problems(path) == [
        (
            "grading.points",
            "no points for 'b2': give every quantity its points, or none to split `points` evenly",
        )
    ]


# --- tolerances ------------------------------------------------------------------------------


def test_default_tolerance_is_relabs_with_float64_defaults(write_exercise: Write) -> None:
    rules = load_exercise(write_exercise()).rules
    for rule in rules.values():
        assert rule.mode == "relabs"
        assert rule.tolerance is plugins.get("tolerances", "relabs")
        assert rule.settings == RelAbsSettings(rtol=1e-6, atol=1e-9)


def test_one_tolerance_for_every_quantity(write_exercise: Write) -> None:
    path = write_exercise(grading={"tolerance": {"mode": "decimals", "digits": 3}})
    for rule in load_exercise(path).rules.values():
        assert (rule.mode, rule.settings) == ("decimals", DigitsSettings(digits=3))
        assert rule.tolerance is plugins.get("tolerances", "decimals")


def test_per_quantity_tolerance_overrides(write_exercise: Write) -> None:
    path = write_exercise(
        grading={
            "tolerance": {"mode": "document", "rtol": 1e-4},
            "tolerances": {
                "W2": {"mode": "decimals", "digits": 4},
                "b2": {"mode": "relabs", "atol": 0.5},
            },
        }
    )
    rules = load_exercise(path).rules
    assert {name: rule.mode for name, rule in rules.items()} == {
        "W1": "document",
        "b1": "document",
        "W2": "decimals",
        "b2": "relabs",
    }
    assert rules["W1"].settings.rtol == rules["b1"].settings.rtol == 1e-4
    assert rules["W2"].settings == DigitsSettings(digits=4)
    assert rules["b2"].settings == RelAbsSettings(rtol=1e-6, atol=0.5)
    assert rules["W2"].tolerance is plugins.get("tolerances", "decimals")


@pytest.mark.parametrize(
    ("grading", "unknown", "missing"),
    [
        (
            {"tolerance": {"mode": "decimals", "digit": 3}},
            "grading.tolerance.digit",
            "grading.tolerance.digits",
        ),
        (
            {"tolerances": {"W2": {"mode": "sigfigs", "digit": 3}}},
            "grading.tolerances.W2.digit",
            "grading.tolerances.W2.digits",
        ),
    ],
    ids=["tolerance", "per-quantity"],
)
def test_unknown_tolerance_setting_is_named_at_its_key(
    write_exercise: Write, exercise_problems: Problems, grading: dict, unknown: str, missing: str
) -> None:
    problems = exercise_problems(write_exercise(grading=grading))
    assert {key for key, _ in problems} == {unknown, missing}
    assert all(msg.startswith("unknown key") for key, msg in problems if key == unknown)
    assert all(msg == "missing required key" for key, msg in problems if key == missing)


def test_bad_tolerance_setting_value_is_named_at_its_key(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(grading={"tolerances": {"W1": {"mode": "relabs", "rtol": -1}}})
    [(key, message)] = exercise_problems(path)
    assert key == "grading.tolerances.W1.rtol"
    assert message == "must be at least 0, got -1"


def test_a_tolerance_problem_is_reported_once(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(grading={"tolerance": {"mode": "decimals", "digit": 3}})
    assert sorted(exercise_problems(path)) == [
        ("grading.tolerance.digit", "unknown key (did you mean 'digits'?)"),
        ("grading.tolerance.digits", "missing required key"),
    ]


@pytest.mark.parametrize(
    ("tolerance", "key", "suggestion"),
    [
        ({"mode": "decimals", "digit": 3}, "digit", "'digits'"),
        ({"mode": "relabs", "rtl": 0.1}, "rtl", "'rtol'"),
        ({"mod": "relabs"}, "mod", "'mode'"),
        ({"mode": "relabs", "tasks": 1}, "tasks", None),
    ],
    ids=["digit", "rtl", "mod", "tasks"],
)
def test_unknown_tolerance_setting_suggests_a_near_miss_of_the_mode(
    write_exercise: Write,
    exercise_problems: Problems,
    tolerance: dict,
    key: str,
    suggestion: str | None,
) -> None:
    problems = dict(exercise_problems(write_exercise(grading={"tolerance": tolerance})))
    hint = f" (did you mean {suggestion}?)" if suggestion else ""
    assert problems[f"grading.tolerance.{key}"] == f"unknown key{hint}"


# --- activation parameters: checked against the plugin's own -----------------------------------


@pytest.mark.parametrize(
    ("activation", "key", "problem"),
    [
        (
            {"name": "leaky-relu", "slop": 0.2},
            "network.layers[0].activation.slop",
            "unknown parameter (did you mean 'slope'?)",
        ),
        (
            {"name": "leaky-relu", "alpha": 0.2},
            "network.layers[0].activation.alpha",
            "unknown parameter (known: slope)",
        ),
        (
            {"name": "sigmoid", "slope": 0.2},
            "network.layers[0].activation.slope",
            "unknown parameter (activation 'sigmoid' takes none)",
        ),
        (
            {"name": "leaky-relu", "slope": 1.5},
            "network.layers[0].activation",
            "slope must be at least 0 and less than 1, got 1.5",
        ),
    ],
    ids=["near-miss", "unknown", "none-taken", "out-of-range"],
)
def test_a_bad_activation_parameter_is_exit_2_naming_the_key(
    write_exercise: Write, exercise_problems: Problems, activation: dict, key: str, problem: str
) -> None:
    path = write_exercise(network__layers__0__activation=activation)
    assert exercise_problems(path) == [(key, problem)]


def test_an_activation_parameter_reaches_the_solver(write_exercise: Write) -> None:
    leaky = {"name": "leaky-relu", "slope": Decimal("0.2")}
    net = load_exercise(write_exercise(network__layers__0__activation=leaky)).network
    layer = net.layers[0]
    assert layer.activation_name == "leaky-relu"
    assert layer.activation.forward(np.array([-1.0, 2.0])).tolist() == [-0.2, 2.0]


def test_a_plain_activation_name_keeps_the_defaults(write_exercise: Write) -> None:
    path = write_exercise(network__layers__0__activation="leaky-relu")
    layer = load_exercise(path).network.layers[0]
    assert layer.activation.forward(np.array([-1.0])).tolist() == [-0.01]


def test_the_network_carries_bias_modes_reduction_and_frozen(write_exercise: Write) -> None:
    path = write_exercise(
        network__layers__0__bias="shared",
        network__layers__1__bias="none",
        network__reduction="sum",
        network__frozen=["W2"],
        case__params__b1=[0.1],
        case__params__b2=...,
    )
    net = load_exercise(path).network
    assert net.shapes() == {"W1": (2, 2), "b1": (1,), "W2": (1, 2)}
    assert net.reduction == "sum" and net.frozen == frozenset({"W2"})
