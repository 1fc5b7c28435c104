"""Tests for grader.pipeline: one submission from path to CheckResult, through a real child.

Grading one submission takes about 0.1 s (one interpreter); the fixtures under
tests/submissions/ are graded once each.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.errors import ExitCode, SubmissionNotFound
from grader.exercise import LoadedExercise
from grader.pipeline import check_submission
from grader.plan.cases import default_seed, plan_cases
from grader.result import CheckResult

Load = Callable[[str], LoadedExercise]
Write = Callable[..., Path]
SUBMISSIONS = Path(__file__).parent / "submissions"
EXERCISES = ["house-price-backprop", "house-price-step", "tanh-chain"]


def fixtures(prefix: str) -> list[Path]:
    return sorted(SUBMISSIONS.glob(f"*/{prefix}_*.py"))


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


# One worker for the module (conftest's worker_run): these tests are about grading, not about
# what one run leaves to the next; each submission still runs in a fresh process of its own.
_RUN: list[Callable[..., Any]] = []


@pytest.fixture(scope="module", autouse=True)
def _one_worker(worker_run: Callable[..., Any]) -> None:
    _RUN[:] = [worker_run]


def grade(exercise: LoadedExercise, path: Path, **kwargs) -> CheckResult:
    return check_submission(exercise, path, run=_RUN[0], **kwargs)


def everything_said(result: CheckResult) -> str:
    return "\n".join([*result.problems, *(c.message for c in result.checks)])


def test_every_exercise_has_correct_and_buggy_fixtures() -> None:
    for exercise_id in EXERCISES:
        names = [p.stem for p in (SUBMISSIONS / exercise_id).glob("*.py")]
        assert any(n.startswith("correct_") for n in names), exercise_id
        assert any(n.startswith("buggy_") for n in names), exercise_id


@pytest.mark.parametrize("path", fixtures("correct"), ids=fixture_id)
def test_a_correct_fixture_earns_full_marks(bundled_exercise: Load, path: Path) -> None:
    result = grade(bundled_exercise(path.parent.name), path)
    assert result.full_marks, everything_said(result)
    assert result.score == result.max_score
    assert all(c.status == "pass" for c in result.checks)


@pytest.mark.parametrize("path", fixtures("buggy"), ids=fixture_id)
def test_a_buggy_fixture_loses_marks(bundled_exercise: Load, path: Path) -> None:
    result = grade(bundled_exercise(path.parent.name), path)
    assert result.score < result.max_score
    assert not result.full_marks
    assert any(c.status != "pass" for c in result.checks)


@pytest.mark.parametrize("exercise_id", EXERCISES, ids=EXERCISES)
def test_hard_coding_earns_at_most_half(bundled_exercise: Load, exercise_id: str) -> None:
    path = SUBMISSIONS / exercise_id / "buggy_hard-coded.py"
    result = grade(bundled_exercise(exercise_id), path)
    assert 0 < result.score <= result.max_score / 2
    for check in result.checks:
        assert check.cases_passed == 1  # the worked case only
        assert "worked case" not in check.message


def test_the_transposed_gradient_is_named_in_lecture_notation(bundled_exercise: Load) -> None:
    path = SUBMISSIONS / "house-price-backprop" / "buggy_transposed.py"
    result = grade(bundled_exercise("house-price-backprop"), path)
    w1, *others = result.checks
    assert (w1.name, w1.status, w1.score) == ("dL/dW1", "fail", 0)
    assert "dL/dw_21^1: expected -0.018290, got -0.057862" in w1.message.splitlines()[0]
    assert [c.status for c in others] == ["pass", "pass", "pass"]
    assert result.score == 5


# --- what a submission returns, and what the student reads about it ----------------------------

CORRECT = """
import numpy as np

def backward(params, x, y):
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    h1 = 1 / (1 + np.exp(-(W1 @ x + b1)))
    d2 = (W2 @ h1 + b2) - y
    d1 = (W2.T @ d2) * h1 * (1 - h1)
    grads = {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, h1), "b2": d2}
    return change(grads)
"""


@pytest.mark.parametrize(
    ("change", "fragments", "scores"),
    [
        (
            "def change(g):\n    g['b1'] = g['b1'].reshape(2, 1)\n    return g\n",
            ["dL/db1 has shape (2, 1), expected (2,)"],
            [4, 0, 2, 1],
        ),
        (
            "def change(g):\n    del g['W2'], g['b2']\n    return g\n",
            ["the returned dict has no key 'W2'", "the returned dict has no key 'b2'"],
            [4, 2, 0, 0],
        ),
        (
            "def change(g):\n    g['dW1'] = g.pop('W1')\n    return g\n",
            [
                "returned an unexpected key 'dW1' (did you mean 'W1'?)",
                "the returned dict has no key 'W1'",
            ],
            [0, 2, 2, 1],
        ),
        (
            "def change(g):\n    return None\n",
            ["returned a NoneType, expected a dict with keys W1, b1, W2, b2"],
            [0, 0, 0, 0],
        ),
        (
            "def change(g):\n    g['W2'] = 'see my notes'\n    return g\n",
            ["dL/dW2 is a str holding text, not real numbers"],
            [4, 2, 0, 1],
        ),
        (
            "def change(g):\n    g['W2'] = [['a', 'b']]\n    return g\n",
            ["dL/dW2 is a list holding text, not real numbers"],
            [4, 2, 0, 1],
        ),
        (
            "def change(g):\n    g['W2'] = object()\n    return g\n",
            ["dL/dW2 is an object holding objects (such as None), not real numbers"],
            [4, 2, 0, 1],
        ),
        (
            "def change(g):\n    g['b1'][1] = float('nan')\n    return g\n",
            ["dL/db_2^1: expected 0.057156, got nan"],
            [4, 0, 2, 1],
        ),
        (
            "def change(g):\n    g['b2'] = g['b2'] / 0.0 * np.sign(g['b2'])\n    return g\n",
            ["dL/db_1^2: expected 1.170095, got inf"],
            [4, 2, 2, 0],
        ),
        (
            "def change(g):\n    raise KeyError('W3')\n",
            ["raised KeyError: 'W3' (line 11)"],
            [0, 0, 0, 0],
        ),
    ],
    ids=[
        "column-b1",
        "missing-keys",
        "extra-key",
        "none",
        "string",
        "strings",
        "object",
        "nan-entry",
        "inf-entry",
        "raises",
    ],
)
def test_a_malformed_return_is_a_clear_message(
    bundled_exercise: Load,
    write_submission: Write,
    change: str,
    fragments: list[str],
    scores: list[float],
) -> None:
    path = write_submission(CORRECT + change)
    result = grade(bundled_exercise("house-price-backprop"), path)
    said = everything_said(result)
    for fragment in fragments:
        assert fragment in said
    assert [c.score for c in result.checks] == scores
    assert "Traceback" not in said


def test_numeric_strings_are_not_numbers(bundled_exercise: Load, write_submission: Write) -> None:
    change = "def change(g):\n    g['b2'] = [str(v) for v in g['b2']]\n    return g\n"
    result = grade(bundled_exercise("house-price-backprop"), write_submission(CORRECT + change))
    assert result.checks[3].score == 0


def test_a_complex_result_is_not_a_real_number(
    bundled_exercise: Load, write_submission: Write
) -> None:
    change = "def change(g):\n    g['b2'] = g['b2'] + 1j\n    return g\n"
    result = grade(bundled_exercise("house-price-backprop"), write_submission(CORRECT + change))
    assert result.checks[3].score == 0


def test_partial_credit_is_points_times_passed_cases_over_cases(
    bundled_exercise: Load, write_submission: Write
) -> None:
    # Cases arrive in order in one process: the worked case is call 0, hidden cases 1 to 4.
    change = """
CALLS = []

def change(g):
    CALLS.append(1)
    if len(CALLS) in (2, 4):  # hidden cases 1 and 3
        g["W1"] = g["W1"] * 3
    return g
"""
    result = grade(bundled_exercise("house-price-backprop"), write_submission(CORRECT + change))
    w1 = result.checks[0]
    assert (w1.status, w1.cases_passed, w1.cases) == ("partial", 3, 5)
    assert w1.score == pytest.approx(4 * 3 / 5)
    assert result.score == pytest.approx(9 - 4 * 2 / 5)
    assert [line.split(":")[0] for line in w1.message.splitlines()] == [
        "hidden case 1",
        "hidden case 3",
    ]


def test_an_import_error_is_a_problem_and_scores_zero(
    bundled_exercise: Load, write_submission: Write
) -> None:
    path = write_submission("import numpy as np\n\ndef backward(params, x, y)\n    return {}\n")
    result = grade(bundled_exercise("tanh-chain"), path)
    assert result.score == 0
    assert len(result.problems) == 1 and "SyntaxError" in result.problems[0]
    assert "line 3" in result.problems[0]


# --- seeds -------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_cases(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")
    first, again, other = plan_cases(exercise, 7), plan_cases(exercise, 7), plan_cases(exercise, 8)
    for a, b in zip(first, again, strict=True):
        for name in a.params:
            np.testing.assert_array_equal(a.params[name], b.params[name])
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(first[0].x, other[0].x)  # the worked case never changes
    assert not np.array_equal(first[1].params["W1"], other[1].params["W1"])


def test_an_explicit_seed_is_used_and_reported(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")
    path = SUBMISSIONS / "house-price-backprop" / "buggy_zero-gradient.py"
    first, again = grade(exercise, path, seed=42), grade(exercise, path, seed=42)
    other = grade(exercise, path, seed=43)
    assert first.seed == again.seed == 42
    assert everything_said(first) == everything_said(again)
    assert everything_said(first) != everything_said(other)  # the hidden values differ


def test_the_default_seed_comes_from_the_content(
    bundled_exercise: Load, write_submission: Write, tmp_path: Path
) -> None:
    exercise = bundled_exercise("tanh-chain")
    source = SUBMISSIONS / "tanh-chain" / "correct_loops.py"
    first = grade(exercise, source)
    assert first.seed == default_seed(exercise, source.read_bytes())
    # The same bytes elsewhere: the same seed; one more comment: another seed.
    copy = tmp_path / "copy" / "mine.py"
    copy.parent.mkdir()
    shutil.copy(source, copy)
    assert grade(exercise, copy).seed == first.seed
    edited = write_submission(source.read_text() + "# edited\n", name="edited.py")
    assert grade(exercise, edited).seed != first.seed
    assert default_seed(bundled_exercise("house-price-backprop"), source.read_bytes()) != first.seed


def test_with_a_course_secret_the_hidden_cases_cannot_be_computed_without_it(
    bundled_exercise: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import hmac

    exercise = bundled_exercise("tanh-chain")
    source = (SUBMISSIONS / "tanh-chain" / "correct_loops.py").read_bytes()
    monkeypatch.delenv("GRADER_SECRET", raising=False)
    public = default_seed(exercise, source)
    seeds = {}
    for secret in ("course-secret-1", "course-secret-2"):
        monkeypatch.setenv("GRADER_SECRET", secret)
        seeds[secret] = default_seed(exercise, source)
        keyed = hmac.new(secret.encode(), exercise.digest.encode() + b"\0" + source, "sha256")
        assert seeds[secret] == int.from_bytes(keyed.digest()[:4], "big")
    # Neither is the seed anyone computes from the public content, nor each other's.
    assert len({public, *seeds.values()}) == 3
    assert public == int.from_bytes(
        hashlib.sha256(exercise.digest.encode() + b"\0" + source).digest()[:4], "big"
    )
    # With the secret, grading still works and replays with its own seed.
    result = grade(exercise, SUBMISSIONS / "tanh-chain" / "correct_loops.py")
    assert result.full_marks and result.seed == seeds["course-secret-2"]


# --- finding the submission --------------------------------------------------------------------


def test_a_folder_with_one_python_file_is_graded(bundled_exercise: Load, tmp_path: Path) -> None:
    folder = tmp_path / "student"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "tanh-chain" / "correct_vectorized.py", folder / "my_work.py")
    (folder / "notes.txt").write_text("not python")
    result = grade(bundled_exercise("tanh-chain"), folder)
    assert result.full_marks, everything_said(result)


@pytest.mark.parametrize("preferred", ["tanh-chain.py", "backward.py"], ids=["id", "function"])
def test_a_folder_with_several_files_prefers_the_named_one(
    bundled_exercise: Load, tmp_path: Path, preferred: str
) -> None:
    shutil.copy(SUBMISSIONS / "tanh-chain" / "correct_loops.py", tmp_path / preferred)
    shutil.copy(SUBMISSIONS / "tanh-chain" / "buggy_scaled.py", tmp_path / "scratch.py")
    assert grade(bundled_exercise("tanh-chain"), tmp_path).full_marks


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        (["a.py", "b.py"], "cannot tell which file to grade (a.py, b.py)"),
        ([], "cannot tell which file to grade (no .py file)"),
        (None, "no such submission file"),
    ],
    ids=["ambiguous-folder", "empty-folder", "missing-path"],
)
def test_no_single_submission_raises_submission_not_found(
    bundled_exercise: Load, tmp_path: Path, files: list[str] | None, fragment: str
) -> None:
    target = tmp_path / "student"
    if files is not None:
        target.mkdir()
        for name in files:
            (target / name).write_text("def backward(params, x, y):\n    return {}\n")
    with pytest.raises(SubmissionNotFound) as caught:
        grade(bundled_exercise("tanh-chain"), target)
    assert fragment in str(caught.value)
    assert str(target) in str(caught.value)
    assert caught.value.exit_code == ExitCode.USAGE == 2


def test_changed_inputs_are_named_as_the_task_names_them() -> None:
    from grader.pipeline import _mutation_notes
    from grader.run.report import RunReport

    # Labels come from the child, which may send anything: odd ones pass through, never crash.
    report = RunReport(events={0: {"mutated": ["argument 1['W1']", "argument 2", "argument x"]}})
    (note,) = _mutation_notes(report, ["params", "x", "y"])
    assert "params['W1']" in note and ", x," in note and "argument x" in note


def test_a_step_that_updates_params_in_place_has_full_marks_and_a_note_not_a_problem(
    bundled_exercise: Load,
) -> None:
    # The arguments are the submission's copies (README: "yours to change"): no problem.
    path = SUBMISSIONS / "house-price-step" / "correct_inplace.py"
    result = grade(bundled_exercise("house-price-step"), path)
    assert result.full_marks and result.problems == []
    assert len(result.notes) == 1
    assert (
        result.notes[0].startswith("changed its input params[")
        and "allowed here" in result.notes[0]
    )


def test_a_helper_module_beside_the_submission_is_named_when_its_import_fails(
    bundled_exercise: Load, tmp_path: Path
) -> None:
    (tmp_path / "helpers.py").write_text("def sigmoid(z):\n    return z\n")
    path = tmp_path / "backward.py"
    path.write_text("from helpers import sigmoid\n\ndef backward(params, x, y):\n    return {}\n")
    result = grade(bundled_exercise("house-price-backprop"), path)
    assert result.outcome == "import-error"
    assert any(
        p.startswith("helpers lies beside backward.py, but a submission is that one file")
        for p in result.problems
    ), result.problems


def test_a_missing_module_that_is_nowhere_gets_no_sibling_hint(
    bundled_exercise: Load, tmp_path: Path
) -> None:
    path = tmp_path / "backward.py"
    path.write_text("import helpers\n\ndef backward(params, x, y):\n    return {}\n")
    result = grade(bundled_exercise("house-price-backprop"), path)
    assert result.outcome == "import-error"
    assert not any("lies beside" in p for p in result.problems), result.problems


# --- the format's options change what is graded ------------------------------------------------

# A backward (or train_step) for the tiny exercise's 2 -> 2 -> 1 network, with the choices the
# format's options make: how the biases come back, the batch's reduction, the hidden slope.
OPTIONS_SOURCE = """
import numpy as np

BIASES, SUMMED, SLOPE, HIDDEN, MOVE_BIASES = {biases!r}, {summed!r}, {slope!r}, {hidden!r}, {move!r}


def act(z):
    return 1 / (1 + np.exp(-z)) if HIDDEN == "sigmoid" else np.where(z > 0, z, SLOPE * z)


def slope(z, h):
    return h * (1 - h) if HIDDEN == "sigmoid" else np.where(z > 0, 1.0, SLOPE)


def backward(params, x, y):
    W1, W2 = params["W1"], params["W2"]
    X, Y = np.atleast_2d(x), np.atleast_2d(y)
    z1 = X @ W1.T + params.get("b1", 0.0)
    h1 = act(z1)
    h2 = h1 @ W2.T + params.get("b2", 0.0)
    d2 = (h2 - Y) / (1 if SUMMED else X.shape[0])
    d1 = (d2 @ W2) * slope(z1, h1)
    grads = {{"W1": d1.T @ X, "W2": d2.T @ h1}}
    if BIASES == "per-unit":
        grads["b1"], grads["b2"] = d1.sum(axis=0), d2.sum(axis=0)
    elif BIASES == "shared":
        grads["b1"], grads["b2"] = np.array([d1.sum()]), np.array([d2.sum()])
    return grads


def train_step(params, x, y, learning_rate):
    grads = backward(params, x, y)
    new = {{k: np.array(v, dtype=float) for k, v in params.items()}}
    for k, g in grads.items():
        if MOVE_BIASES or k.startswith("W"):
            new[k] = new[k] - learning_rate * g
    return new
"""


def options_submission(
    write: Write,
    biases: str = "per-unit",
    summed: bool = False,
    slope: float = 0.01,
    hidden: str = "sigmoid",
    move: bool = True,
) -> Path:
    source = OPTIONS_SOURCE.format(
        biases=biases, summed=summed, slope=slope, hidden=hidden, move=move
    )
    return write(source, f"options_{biases}_{summed}_{slope}_{hidden}_{move}.py")


def statuses(result: CheckResult) -> dict[str, str]:
    return {c.quantity.split(".", 1)[1]: c.status for c in result.checks}


def test_the_options_submission_earns_full_marks_on_the_plain_exercise(
    write_exercise: Write, write_submission: Write
) -> None:
    exercise = load(write_exercise())
    assert grade(exercise, options_submission(write_submission)).full_marks


def load(path: Path) -> LoadedExercise:
    from grader.exercise import load_exercise

    return load_exercise(path)


SHARED = {
    "network__layers__0__bias": "shared",
    "network__layers__1__bias": "shared",
    "case__params__b1": [0.1],
}


def test_a_shared_bias_grades_the_gradient_summed_over_the_units(
    write_exercise: Write, write_submission: Write
) -> None:
    exercise = load(write_exercise(**SHARED))
    per_unit = grade(exercise, options_submission(write_submission, "per-unit"))
    assert statuses(per_unit) == {"W1": "pass", "b1": "fail", "W2": "pass", "b2": "pass"}
    assert grade(exercise, options_submission(write_submission, "shared")).full_marks


def test_without_biases_only_the_weights_are_graded(
    write_exercise: Write, write_submission: Write
) -> None:
    path = write_exercise(
        network__layers__0__bias="none",
        network__layers__1__bias="none",
        case__params__b1=...,
        case__params__b2=...,
    )
    exercise = load(path)
    result = grade(exercise, options_submission(write_submission, "none"))
    assert result.full_marks and list(statuses(result)) == ["W1", "W2"]


def test_frozen_gradients_need_not_be_returned(
    write_exercise: Write, write_submission: Write
) -> None:
    exercise = load(write_exercise(network__frozen=["b1", "b2"]))
    result = grade(exercise, options_submission(write_submission, "none"))  # no b1, no b2
    assert result.full_marks and list(statuses(result)) == ["W1", "W2"]
    # Returned anyway (right or wrong), they are neither graded nor an unexpected key.
    returned = grade(exercise, options_submission(write_submission, "shared"))
    assert returned.full_marks and returned.problems == []


def test_a_training_step_must_leave_frozen_parameters_alone(
    write_exercise: Write, write_submission: Write
) -> None:
    exercise = load(
        write_exercise(task="train-step", network__frozen=["b1"], case__learning_rate=0.2)
    )
    moved = grade(exercise, options_submission(write_submission, move=True))
    assert statuses(moved) == {"W1": "pass", "b1": "fail", "W2": "pass", "b2": "pass"}
    # b2 is not frozen: a step that leaves every bias alone loses b2 instead of b1.
    kept = grade(exercise, options_submission(write_submission, move=False))
    assert statuses(kept) == {"W1": "pass", "b1": "pass", "W2": "pass", "b2": "fail"}


BATCH = {"case__x": [[-0.32, -0.66], [0.5, 0.1], [0.2, -0.4]], "case__y": [[-0.54], [0.3], [0.1]]}


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_the_reduction_decides_the_expected_gradient(
    write_exercise: Write, write_submission: Write, reduction: str
) -> None:
    exercise = load(write_exercise(network__reduction=reduction, **BATCH))
    summed = grade(exercise, options_submission(write_submission, summed=True))
    averaged = grade(exercise, options_submission(write_submission, summed=False))
    right, wrong = (summed, averaged) if reduction == "sum" else (averaged, summed)
    assert right.full_marks
    assert set(statuses(wrong).values()) == {"fail"}


def test_a_summed_batch_is_not_diagnosed_as_a_missing_mean(
    write_exercise: Write, write_submission: Write
) -> None:
    exercise = load(write_exercise(network__reduction="sum", **BATCH))
    result = grade(exercise, options_submission(write_submission, summed=False))
    w1 = next(c for c in result.checks if c.quantity == "gradients.W1")
    assert w1.diagnosis == "scaled"
    assert "the loss is the sum over the m = 3" in (w1.explanation or "")
    assert "mean over the m" not in (w1.explanation or "")


def test_leaky_relu_slope_changes_the_expected_values(
    write_exercise: Write, write_submission: Write
) -> None:
    leaky = {"name": "leaky-relu", "slope": 0.2}
    # Negative pre-activations in the hidden layer, where the slope matters.
    path = write_exercise(network__layers__0__activation=leaky, case__params__b1=[-0.5, -0.9])
    exercise = load(path)
    assert grade(
        exercise, options_submission(write_submission, hidden="leaky", slope=0.2)
    ).full_marks
    default = grade(exercise, options_submission(write_submission, hidden="leaky", slope=0.01))
    w1 = next(c for c in default.checks if c.quantity == "gradients.W1")
    assert w1.status != "pass" and "worked case" in w1.message


def test_mazurs_own_slip_is_diagnosed_as_stale_order(bundled_exercise: Load) -> None:
    path = SUBMISSIONS / "mazur-step" / "buggy_stale-order.py"
    result = grade(bundled_exercise("mazur-step"), path)
    assert statuses(result) == {"W1": "fail", "b1": "pass", "W2": "pass", "b2": "pass"}
    w1 = next(c for c in result.checks if c.quantity == "updated.W1")
    assert w1.diagnosis == "stale-order"


def test_a_worked_case_that_overflows_is_refused_before_anything_runs(
    write_exercise: Callable[..., Path], tmp_path: Path
) -> None:
    from grader.errors import ExerciseError
    from grader.exercise import load_exercise

    # validate refuses it (no exact value to hold anything to); grading must not score by it.
    path = write_exercise(case__params__W2=[[1e300, 1e300]])
    exercise = load_exercise(path)
    ran = []
    answers = tmp_path / "answers.toml"
    answers.write_text("[gradients]\nb2 = [1.0]\n")
    model = SUBMISSIONS.parent.parent / "solutions" / "house-price-backprop.py"
    for submission in (model, answers):
        with pytest.raises(ExerciseError, match=r"case: the worked case overflows float64"):
            check_submission(exercise, submission, run=lambda request: ran.append(request))
    assert ran == []
