"""Tests for grader.answers: hand-computed answers in a TOML file, graded under `document`.

The file is laid out like the exercise's expected values (same tables, same keys); it is read,
never run, and graded on the worked case only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from grader.diagnose import words
from grader.errors import ExerciseError, ExitCode, SubmissionNotFound
from grader.exercise import LoadedExercise
from grader.pipeline import check_submission
from grader.plan.cases import worked_case
from grader.result import CheckResult

Load = Callable[[str], LoadedExercise]
Write = Callable[..., Path]
BP, STEP, TANH = "house-price-backprop", "house-price-step", "tanh-chain"

# What the lecture prints (shared/seed), exactly as printed.
PRINTED_GRADIENTS = {
    "W1": [[-0.028, -0.058], [-0.018, -0.038]],
    "b1": [0.088, 0.057],
    "W2": [[0.5663, 0.4961]],
    "b2": [1.17],
}
PRINTED_UPDATED = {
    "W1": [[0.2056, 0.1616], [0.5036, 0.6076]],
    "b1": [0.0824, 0.2386],
    "W2": [[0.1867, 0.1008]],
    "b2": [0.166],
}


def toml(tables: dict[str, dict]) -> str:
    """An answers file; floats are written with repr (0.5663 stays 0.5663), str as is."""

    def value(v) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(value(i) for i in v) + "]"
        return v if isinstance(v, str) else repr(v)

    lines = []
    for table, keys in tables.items():
        lines += [f"[{table}]", *(f"{k} = {value(v)}" for k, v in keys.items()), ""]
    return "\n".join(lines)


def exact(exercise: LoadedExercise) -> dict[str, np.ndarray]:
    return dict(exercise.task.reference(exercise.network, worked_case(exercise)))


def rounded(exercise: LoadedExercise, decimals: int) -> dict[str, list]:
    return {k: np.round(v, decimals).tolist() for k, v in exact(exercise).items()}


def by_name(result: CheckResult) -> dict:
    return {c.quantity.split(".", 1)[1]: c for c in result.checks}


def explain(result: CheckResult) -> str:
    lines = [*result.problems, *(f"{c.quantity} {c.status}: {c.message}" for c in result.checks)]
    return "\n".join(lines)


@pytest.fixture
def grade(write_submission: Write, bundled_exercise: Load) -> Callable[..., CheckResult]:
    def grade(exercise_id: str, text: str, name: str = "answers.toml") -> CheckResult:
        return check_submission(bundled_exercise(exercise_id), write_submission(text, name))

    return grade


def assert_full_marks(result: CheckResult) -> None:
    assert result.full_marks, explain(result)
    assert result.score == result.max_score
    assert result.problems == []
    for check in result.checks:
        assert check.status == "pass" and check.diagnosis is None, check.quantity
        assert check.cases == 1  # the worked case only: there is nothing hidden to hand-compute


# --- full marks ----------------------------------------------------------------------------


def test_the_lectures_printed_gradients_earn_full_marks(grade) -> None:
    result = grade(BP, toml({"gradients": PRINTED_GRADIENTS}))
    assert_full_marks(result)
    assert result.max_score == 9 and result.hidden_cases == 0


def test_the_lectures_printed_updated_values_earn_full_marks(grade) -> None:
    # 0.0824, 0.5036 and 0.6076 are one unit off the exact values' rounding: still accepted.
    assert_full_marks(grade(STEP, toml({"updated": PRINTED_UPDATED})))


@pytest.mark.parametrize(
    ("exercise_id", "table"), [(BP, "gradients"), (STEP, "updated")], ids=[BP, STEP]
)
@pytest.mark.parametrize("decimals", [4, 6, 15], ids=["4-decimals", "6-decimals", "exact"])
def test_the_exact_values_rounded_earn_full_marks(
    grade, bundled_exercise: Load, exercise_id: str, table: str, decimals: int
) -> None:
    answers = rounded(bundled_exercise(exercise_id), decimals)
    assert_full_marks(grade(exercise_id, toml({table: answers})))


def test_the_band_is_one_printed_unit_around_exact_and_printed(grade) -> None:
    # dL/db_2^1: printed 0.057 (unit 0.001), exact 0.057156: accept [0.056, 0.058156].
    for b, ok in [(0.0561, True), (0.0581, True), (0.0559, False), (0.0583, False)]:
        answers = {**PRINTED_GRADIENTS, "b1": [0.088, b]}
        result = grade(BP, toml({"gradients": answers}))
        assert by_name(result)["b1"].status == ("pass" if ok else "fail"), b


# --- wrong entries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "table", "name", "index", "value", "label"),
    [
        (BP, "gradients", "b1", (1,), 0.075, "dL/db_2^1"),
        (BP, "gradients", "W1", (1, 0), -0.081, "dL/dw_21^1"),
        (BP, "gradients", "W2", (0, 0), 0.5863, "dL/dw_11^2"),
        (BP, "gradients", "b2", (0,), 1.07, "dL/db_1^2"),
        (STEP, "updated", "W2", (0, 1), 0.1108, "w_12^2 (updated)"),
        (STEP, "updated", "b1", (0,), 0.0842, "b_1^1 (updated)"),
    ],
    ids=["db_2^1", "dw_21^1", "dw_11^2", "db_1^2", "w_12^2-updated", "b_1^1-updated"],
)
def test_one_wrong_entry_loses_that_quantitys_points_and_is_named(
    grade,
    bundled_exercise: Load,
    exercise_id: str,
    table: str,
    name: str,
    index: tuple,
    value: float,
    label: str,
) -> None:
    printed = PRINTED_GRADIENTS if table == "gradients" else PRINTED_UPDATED
    answers = {k: np.array(v).tolist() for k, v in printed.items()}
    target = answers[name]
    for i in index[:-1]:
        target = target[i]
    target[index[-1]] = value
    result = grade(exercise_id, toml({table: answers}))
    points = bundled_exercise(exercise_id).rules[name].points
    assert not result.full_marks
    assert result.score == result.max_score - points, explain(result)
    checks = by_name(result)
    for other, check in checks.items():
        assert (check.status == "pass") == (other != name), other
    check = checks[name]
    assert check.status == "fail" and check.score == 0
    assert [w.label for w in check.wrong] == [label]
    assert check.wrong[0].got == pytest.approx(value)
    assert label in check.message
    assert check.diagnosis is None  # a slip of the pen is no classic mistake


def test_an_all_sign_flipped_file_is_named_sign_flipped(grade, bundled_exercise: Load) -> None:
    flipped = {k: (-np.array(v)).tolist() for k, v in PRINTED_GRADIENTS.items()}
    result = grade(BP, toml({"gradients": flipped}))
    assert result.score == 0
    checks = by_name(result)
    for name in ("W1", "b1", "b2"):
        assert checks[name].diagnosis == "sign-flipped", explain(result)
        # The sentence is written in the exercise's own loss (no fixed text since issue 10).
        sentence = words.sign_flip(bundled_exercise(BP).network)
        assert checks[name].explanation == sentence
        assert "L = 1/2 sum_k (y_k - h_k)^2, dL/dh = -(y - h), not y - h" in sentence


def test_an_all_sign_flipped_file_names_dw2_sign_flipped_too(grade) -> None:
    flipped = {k: (-np.array(v)).tolist() for k, v in PRINTED_GRADIENTS.items()}
    result = grade(BP, toml({"gradients": flipped}))
    assert by_name(result)["W2"].diagnosis == "sign-flipped"


def test_a_hand_computed_mistake_is_diagnosed(grade) -> None:
    # The lecture's arithmetic without h(1 - h): 1.17 * 0.30 * (-0.32) = -0.112, ...
    answers = {
        **PRINTED_GRADIENTS,
        "W1": [[-0.112, -0.232], [-0.075, -0.154]],
        "b1": [0.351, 0.234],
    }
    result = grade(BP, toml({"gradients": answers}))
    assert {k: c.diagnosis for k, c in by_name(result).items()} == {
        "W1": "missing-activation-derivative",
        "b1": "missing-activation-derivative",
        "W2": None,
        "b2": None,
    }
    assert result.score == 3


def test_a_hand_computed_ascent_is_diagnosed(grade) -> None:
    # 0.3 + 0.2 * 0.5663 = 0.4133, ...: added instead of subtracted.
    answers = {
        "W1": [[0.1944, 0.1384], [0.4964, 0.5924]],
        "b1": [0.1176, 0.2614],
        "W2": [[0.4133, 0.2992]],
        "b2": [0.634],
    }
    result = grade(STEP, toml({"updated": answers}))
    assert result.score == 0
    assert {c.diagnosis for c in result.checks} == {"ascent"}


# --- what is missing, misplaced or not a number --------------------------------------------


def test_a_missing_key_loses_its_points_and_is_named(grade) -> None:
    answers = {k: v for k, v in PRINTED_GRADIENTS.items() if k != "b1"}
    result = grade(BP, toml({"gradients": answers}))
    checks = by_name(result)
    assert result.score == 7
    assert checks["b1"].status == "fail" and "'b1'" in checks["b1"].message
    assert [k for k, c in checks.items() if c.status != "pass"] == ["b1"]


def test_an_empty_file_loses_every_point_and_names_every_key(grade) -> None:
    result = grade(BP, "")
    assert result.score == 0
    for name, check in by_name(result).items():
        assert f"'{name}'" in check.message


def test_a_missing_key_is_named_in_the_answers_files_terms(grade) -> None:
    answers = {k: v for k, v in PRINTED_GRADIENTS.items() if k != "b1"}
    message = by_name(grade(BP, toml({"gradients": answers})))["b1"].message
    assert "gradients" in message and "returned" not in message


def test_a_table_the_exercise_does_not_grade_is_reported(grade) -> None:
    text = toml({"gradients": PRINTED_GRADIENTS, "forward": {"h1": [0.484, 0.424]}})
    result = grade(BP, text)
    assert len(result.problems) == 1
    assert "forward" in result.problems[0] and "[gradients]" in result.problems[0]
    assert result.score == result.max_score  # what is graded is still right


def test_the_wrong_table_for_the_exercise_is_reported(grade) -> None:
    result = grade(STEP, toml({"gradients": PRINTED_GRADIENTS}))
    assert result.score == 0
    assert len(result.problems) == 1
    assert "gradients" in result.problems[0] and "[updated]" in result.problems[0]


def test_keys_without_a_table_are_reported(grade) -> None:
    text = "\n".join(f"{k} = {v}" for k, v in PRINTED_GRADIENTS.items())
    result = grade(BP, text)
    assert result.score == 0
    assert any("[gradients]" in p for p in result.problems), result.problems


def test_a_misspelt_key_is_reported(grade) -> None:
    answers = {("w1" if k == "W1" else k): v for k, v in PRINTED_GRADIENTS.items()}
    result = grade(BP, toml({"gradients": answers}))
    assert any("w1" in p for p in result.problems), explain(result)


@pytest.mark.parametrize(
    ("name", "written", "said"),
    [
        ("W1", '[["a", -0.058], [-0.018, -0.038]]', 'expected a number, got the string "a"'),
        ("b1", '"0.088, 0.057"', "expected a number"),
        ("b2", "[true]", "expected a number"),
        ("W2", "[[0.5663], [0.4961]]", "has shape (2, 1), expected (1, 2)"),
        ("b1", "0.088", "has shape (), expected (2,)"),
        ("W1", "[[-0.028, -0.058], [-0.018]]", "ragged"),
    ],
    ids=["string-entry", "string", "boolean", "wrong-shape", "scalar", "ragged"],
)
def test_an_answer_that_is_not_an_array_of_numbers_is_a_clear_message(
    grade, name: str, written: str, said: str
) -> None:
    answers = {**PRINTED_GRADIENTS, name: written}
    result = grade(BP, toml({"gradients": answers}))
    check = by_name(result)[name]
    assert check.status == "fail" and check.score == 0
    assert said in check.message and f"dL/d{name}" in check.message, check.message
    assert "Traceback" not in check.message
    assert [k for k, c in by_name(result).items() if c.status != "pass"] == [name]


def test_a_missing_answers_file_is_an_input_error(bundled_exercise: Load, tmp_path: Path) -> None:
    with pytest.raises(SubmissionNotFound) as info:
        check_submission(bundled_exercise(BP), tmp_path / "nowhere.toml")
    assert "nowhere.toml" in str(info.value)
    assert info.value.exit_code == ExitCode.USAGE


# --- tanh-chain: an exercise graded in relabs --------------------------------------------


def test_tanh_chain_answers_are_graded_under_the_document_tolerance(grade) -> None:
    # Its own mode is relabs (rtol 1e-6): 0.01325 for 0.0132487 would fail a .py submission.
    printed = {"W1": [[0.01325]], "b1": [0.02650], "W2": [[-0.03892]], "b2": [-0.08423]}
    text = toml({"gradients": printed}).replace("0.0265]", "0.02650]")
    assert "0.02650" in text
    result = grade(TANH, text)
    assert_full_marks(result)
    assert {c.tolerance for c in result.checks} == {
        "within one printed unit of the exact or the printed value"
    }
    # Two printed units off is wrong, whatever the mode.
    result = grade(TANH, toml({"gradients": {**printed, "b2": [-0.08425]}}))
    assert [c.quantity for c in result.checks if c.status != "pass"] == ["gradients.b2"]


def test_a_tanh_chain_slip_of_the_pen_gets_no_diagnosis(grade) -> None:
    printed = {"W1": [[0.01325]], "b1": [0.0265], "W2": [[-0.03892]], "b2": [-0.08432]}
    result = grade(TANH, toml({"gradients": printed}))
    (check,) = [c for c in result.checks if c.status != "pass"]
    assert check.quantity == "gradients.b2"
    assert check.diagnosis is None, check.explanation


def test_tanh_chain_exact_answers_earn_full_marks(grade, bundled_exercise: Load) -> None:
    answers = rounded(bundled_exercise(TANH), 12)
    assert_full_marks(grade(TANH, toml({"gradients": answers})))


# --- through the command line -------------------------------------------------------------


def cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_broken_toml_exits_2_naming_the_file(write_submission: Write) -> None:
    path = write_submission("[gradients\nW1 = [[", "broken-answers.toml")
    done = cli("check", path, "-e", BP)
    assert done.returncode == 2, done.stderr
    assert "broken-answers.toml" in done.stderr
    assert "invalid TOML" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_cli_lecture_numbers_exit_0(write_submission: Write) -> None:
    path = write_submission(toml({"gradients": PRINTED_GRADIENTS}), "answers.toml")
    done = cli("check", path, "-e", BP)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "score: 9 / 9 (full marks)" in done.stdout


def test_cli_json_carries_the_diagnosis_and_exits_1(write_submission: Write) -> None:
    flipped = {k: (-np.array(v)).tolist() for k, v in PRINTED_GRADIENTS.items()}
    path = write_submission(toml({"gradients": flipped}), "answers.toml")
    done = cli("check", path, "-e", BP, "--format", "json")
    assert done.returncode == 1, done.stderr
    checks = {c["quantity"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks["gradients.b2"]["diagnosis"] == "sign-flipped"
    assert checks["gradients.b2"]["wrong"][0]["label"] == "dL/db_1^2"


# --- gaps ("?") and [deltas] -------------------------------------------------------------------

GAPPED = {"gradients": {"W1": [["?", -0.058], [-0.018, -0.038]]}}


def _gapped_answers(exercise: LoadedExercise, w1: list) -> str:
    values = rounded(exercise, 15)  # what the exercise does not print is held to exact values
    return toml({"gradients": {**values, "W1": w1}})


def test_an_entry_the_exercise_leaves_out_is_not_graded(
    write_exercise: Write, write_submission: Write
) -> None:
    from grader.exercise import load_exercise

    exercise = load_exercise(write_exercise(expected=GAPPED))
    w1 = rounded(exercise, 4)["W1"]
    for gap in (9.9, '"?"'):  # anything, or "?" itself, where the exercise prints "?"
        answers = _gapped_answers(exercise, [[gap, w1[0][1]], w1[1]])
        result = check_submission(exercise, write_submission(answers, "gap.toml"))
        assert_full_marks(result)
    # ... while its printed neighbour is graded.
    answers = _gapped_answers(exercise, [[w1[0][0], 9.9], w1[1]])
    result = check_submission(exercise, write_submission(answers, "neighbour.toml"))
    assert by_name(result)["W1"].status == "fail"
    assert "dL/dw_12^1" in by_name(result)["W1"].message


def test_a_question_mark_where_the_exercise_prints_a_number_is_wrong(
    write_exercise: Write, write_submission: Write
) -> None:
    from grader.exercise import load_exercise

    exercise = load_exercise(write_exercise(expected=GAPPED))
    w1 = rounded(exercise, 4)["W1"]
    answers = _gapped_answers(exercise, [[w1[0][0], '"?"'], w1[1]])
    result = check_submission(exercise, write_submission(answers, "unanswered.toml"))
    assert by_name(result)["W1"].status == "fail"


MAZUR_UPDATED = {
    "W1": [[0.149780716, 0.19956143], [0.24975114, 0.29950229]],
    "b1": [0.35],
    "W2": [[0.35891648, 0.408666186], [0.51130127, 0.561370121]],
    "b2": [0.6],
}


def test_deltas_in_an_answers_file_are_graded(grade) -> None:
    plain = grade("mazur-step", toml({"updated": MAZUR_UPDATED}))
    assert_full_marks(plain)
    assert "z2" not in by_name(plain)  # not asked for, not graded
    right = grade(
        "mazur-step",
        toml({"updated": MAZUR_UPDATED, "deltas": {"z2": [0.138498562, -0.038098237]}}),
    )
    assert_full_marks(right)
    assert by_name(right)["z2"].name == "dL/dz2" and right.max_score == plain.max_score + 1
    # The article prints dL/dz_1^2 only ("?" for dL/dz_2^2): the first entry is what is graded.
    gap = grade(
        "mazur-step", toml({"updated": MAZUR_UPDATED, "deltas": {"z2": [0.138498562, 9.9]}})
    )
    assert_full_marks(gap)
    wrong = grade("mazur-step", toml({"updated": MAZUR_UPDATED, "deltas": {"z2": [0.13849, 9.9]}}))
    assert not wrong.full_marks
    assert by_name(wrong)["z2"].status == "fail"
    assert "dL/dz_1^2" in by_name(wrong)["z2"].message


def test_deltas_an_exercise_does_not_print_are_not_graded_and_it_says_so(grade) -> None:
    # house-price-backprop prints no deltas: no band to hold 1.17 (= dL/dz_1^2 to 2 places) to.
    result = grade(BP, toml({"gradients": PRINTED_GRADIENTS, "deltas": {"z2": [1.17]}}))
    assert result.score == result.max_score == 9
    assert "z2" not in by_name(result)
    assert result.problems == [
        "table [deltas] is not graded by this exercise (it grades [gradients])"
    ]


def test_a_delta_of_no_layer_is_reported(grade) -> None:
    result = grade("mazur-step", toml({"updated": MAZUR_UPDATED, "deltas": {"z3": [0.1]}}))
    assert result.problems == ["[deltas] z3 is not a quantity of this exercise"]


@pytest.mark.parametrize(
    ("name", "written"),
    [("W1", "[-0.028, -0.058, -0.018, -0.038]"), ("W2", "[[0.5663, 0.4961, 1.0]]")],
    ids=["flattened", "one-too-many"],
)
def test_an_answer_of_a_shape_that_does_not_broadcast_is_a_clear_message(
    grade, name: str, written: str
) -> None:
    # Its units did not broadcast against the exact value's shape: an internal error (exit 3;
    # in a class run, a grader error for that student) instead of a shape message.
    result = grade(BP, toml({"gradients": {**PRINTED_GRADIENTS, name: written}}))
    check = by_name(result)[name]
    assert check.status == "fail" and "has shape" in check.message, check.message
    assert [k for k, c in by_name(result).items() if c.status != "pass"] == [name]


def test_arrays_nested_too_deep_for_the_toml_reader_are_invalid_toml(
    write_submission: Write, bundled_exercise: Load
) -> None:
    # The reader recurses once per level: RecursionError, an internal error, before.
    path = write_submission("[gradients]\nW1 = " + "[" * 3000 + "1" + "]" * 3000, "deep.toml")
    with pytest.raises(ExerciseError, match="invalid TOML") as info:
        check_submission(bundled_exercise(BP), path)
    assert info.value.exit_code == ExitCode.USAGE


def test_a_loss_per_step_may_be_written_as_the_exercise_prints_it(
    grade, bundled_exercise: Load
) -> None:
    # house-price-train prints `losses = [...]` directly under [expected]: an answers file laid
    # out the same way was told "losses is not inside a table" and lost the points.
    losses = np.round(exact(bundled_exercise("house-price-train"))["losses"], 6).tolist()
    result = grade("house-price-train", f"losses = {losses!r}\n")
    assert by_name(result)["losses"].status == "pass", explain(result)
    assert not any("losses" in p for p in result.problems), result.problems


def test_keys_without_a_table_are_told_the_tables_by_name(grade) -> None:
    result = grade(BP, "W1 = [[1.0, 2.0], [3.0, 4.0]]\n")
    assert "put it under [gradients]" in explain(result)
