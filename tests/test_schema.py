"""Tests for grader.exercise.schema: which keys and values an exercise file may hold.

Errors are read through load_exercise, the public way in, which names the file and the key path
(the `exercise_problems` fixture holds that contract for every case).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from grader.exercise import load_exercise
from grader.exercise.schema import Exercise, ToleranceSpec

Problems = Callable[[Path], list[tuple[str, str]]]
Write = Callable[..., Path]

LAYERS = [{"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "linear"}]


def test_the_default_exercise_is_valid_and_fills_in_defaults(write_exercise: Write) -> None:
    spec = load_exercise(write_exercise()).spec
    assert isinstance(spec, Exercise)
    assert (spec.id, spec.task, spec.points) == ("tiny", "backward", None)
    assert spec.case.learning_rate is None
    # Sections are the task's to declare (Task.sections), not fixed fields: none printed here.
    assert spec.expected.sections == {}
    assert spec.expected.section("gradients") is None and spec.expected.section("loss") is None
    assert spec.grading.tolerance.mode == "relabs" and spec.grading.tolerance.options() == {}
    assert spec.grading.hidden_cases == 4
    assert spec.grading.points == {} and spec.grading.tolerances == {}


def test_tolerance_options_are_the_keys_besides_mode() -> None:
    spec = ToleranceSpec.model_validate({"mode": "decimals", "digits": 3})
    assert spec.mode == "decimals"
    assert spec.options() == {"digits": 3}


# --- unknown keys: near misses are suggested -------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "key", "suggestion"),
    [
        ({"titel": "x"}, "titel", "title"),
        ({"sorce": "x"}, "sorce", "source"),
        ({"network__input": 2}, "network.input", "inputs"),
        ({"network__los": "x"}, "network.los", "loss"),
        (
            {"network__layers": [LAYERS[0], {"units": 1, "activaton": "linear"}]},
            "network.layers[1].activaton",
            "activation",
        ),
        ({"network__layers__0__unit": 2}, "network.layers[0].unit", "units"),
        ({"case__learning_rte": 0.2}, "case.learning_rte", "learning_rate"),
        ({"case__param": {}}, "case.param", "params"),
        ({"expected": {"los": 0.3}}, "expected.los", "loss"),
        ({"expected": {"gradient": {}}}, "expected.gradient", "gradients"),
        ({"grading": {"hiden_cases": 3}}, "grading.hiden_cases", "hidden_cases"),
        ({"grading": {"tolerence": {"mode": "relabs"}}}, "grading.tolerence", "tolerance"),
    ],
    ids=[
        "titel",
        "sorce",
        "network.input",
        "network.los",
        "layers[1].activaton",
        "layers[0].unit",
        "case.learning_rte",
        "case.param",
        "expected.los",
        "expected.gradient",
        "grading.hiden_cases",
        "grading.tolerence",
    ],
)
def test_unknown_key_suggests_a_near_miss(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, key: str, suggestion: str
) -> None:
    problems = dict(exercise_problems(write_exercise(**overrides)))
    assert problems[key] == f"unknown key (did you mean {suggestion!r}?)"


def test_unknown_key_far_from_any_field_has_no_suggestion(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    assert exercise_problems(write_exercise(colour="blue")) == [("colour", "unknown key")]


def test_a_misspelled_required_key_is_both_missing_and_unknown(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(network__inputs=..., network__input=2)
    assert sorted(exercise_problems(path)) == [
        ("network.input", "unknown key (did you mean 'inputs'?)"),
        ("network.inputs", "missing required key"),
    ]


# --- missing keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delete", "key"),
    [
        ("id", "id"),
        ("title", "title"),
        ("source", "source"),
        ("task", "task"),
        ("network", "network"),
        ("case", "case"),
        ("network__inputs", "network.inputs"),
        ("network__loss", "network.loss"),
        ("network__layers", "network.layers"),
        ("network__layers__0__units", "network.layers[0].units"),
        ("network__layers__1__activation", "network.layers[1].activation"),
        ("case__x", "case.x"),
        ("case__y", "case.y"),
        ("case__params", "case.params"),
    ],
    ids=lambda value: value.replace("__", "."),
)
def test_missing_required_key(
    write_exercise: Write, exercise_problems: Problems, delete: str, key: str
) -> None:
    assert exercise_problems(write_exercise(**{delete: ...})) == [(key, "missing required key")]


def test_every_schema_problem_is_reported_at_once(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(title=..., network__layers__0__activation="sigmod", case__y="0.5")
    keys = [key for key, _ in exercise_problems(path)]
    assert sorted(keys) == ["case.y", "network.layers[0].activation", "title"]


# --- plugin names: activation, loss, task, tolerance mode ------------------------------------


@pytest.mark.parametrize(
    ("overrides", "key", "message"),
    [
        (
            {"network__layers__0__activation": "sigmod"},
            "network.layers[0].activation",
            "unknown activation 'sigmod' (did you mean 'sigmoid'?)",
        ),
        (
            {"network__layers__1__activation": "lineer"},
            "network.layers[1].activation",
            "unknown activation 'lineer' (did you mean 'linear'?)",
        ),
        ({"task": "backwards"}, "task", "unknown task 'backwards' (did you mean 'backward'?)"),
        ({"task": "train_step"}, "task", "unknown task 'train_step' (did you mean 'train-step'?)"),
        (
            {"grading": {"tolerance": {"mode": "decimal", "digits": 3}}},
            "grading.tolerance.mode",
            "unknown tolerance 'decimal' (did you mean 'decimals'?)",
        ),
        (
            {"grading": {"tolerances": {"W2": {"mode": "sigfig", "digits": 3}}}},
            "grading.tolerances.W2.mode",
            "unknown tolerance 'sigfig' (did you mean 'sigfigs'?)",
        ),
    ],
    ids=["activation-0", "activation-1", "task", "task-underscore", "mode", "per-quantity-mode"],
)
def test_unknown_plugin_name_suggests_a_near_miss(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, key: str, message: str
) -> None:
    assert exercise_problems(write_exercise(**overrides)) == [(key, message)]


def test_unknown_loss_is_named_at_its_key_with_a_suggestion(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    [(key, message)] = exercise_problems(write_exercise(network__loss="half-squared-eror"))
    assert key == "network.loss"
    assert "'half-squared-eror'" in message
    assert message.endswith("(did you mean 'half-squared-error'?)")


def test_unknown_loss_message_reads_unknown_loss(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    [(_, message)] = exercise_problems(write_exercise(network__loss="half-squared-eror"))
    assert message == "unknown loss 'half-squared-eror' (did you mean 'half-squared-error'?)"


@pytest.mark.parametrize(
    ("overrides", "key", "builtins"),
    [
        (
            {"network__layers__0__activation": "zzz"},
            "network.layers[0].activation",
            ["leaky-relu", "linear", "relu", "sigmoid", "softmax", "tanh"],
        ),
        (
            {"network__loss": "zzz"},
            "network.loss",
            [
                "binary-cross-entropy",
                "categorical-cross-entropy",
                "half-squared-error",
                "mean-squared-error",
            ],
        ),
        ({"task": "zzz"}, "task", ["backward", "train-step"]),
        (
            {"grading": {"tolerance": {"mode": "zzz"}}},
            "grading.tolerance.mode",
            ["decimals", "document", "relabs", "sigfigs"],
        ),
    ],
    ids=["activation", "loss", "task", "mode"],
)
def test_unknown_plugin_name_far_from_any_lists_the_known_ones(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, key: str, builtins: list
) -> None:
    [(where, message)] = exercise_problems(write_exercise(**overrides))
    assert where == key
    assert message.startswith("unknown ") and "'zzz' (known: " in message
    known = message.split("(known: ", 1)[1].rstrip(")").split(", ")
    assert set(builtins) <= set(known)  # third-party plugins may add more
    assert known == sorted(known)


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "key", "fragment"),
    [
        ({"id": "Tiny Ex"}, "id", "should match pattern"),
        ({"id": "-tiny"}, "id", "should match pattern"),
        ({"points": 0}, "points", "must be more than 0 and at most 10000, got 0"),
        ({"points": -9}, "points", "must be more than 0 and at most 10000, got -9"),
        ({"network__inputs": 0}, "network.inputs", "must be from 1 to 16, got 0"),
        (
            {"network__layers__0__units": 0},
            "network.layers[0].units",
            "must be from 1 to 16, got 0",
        ),
        ({"network__layers": []}, "network.layers", "at least 1 item"),
        ({"network__inputs": "two"}, "network.inputs", 'expected an integer, got the string "two"'),
        (
            {"grading": {"hidden_cases": 101}},
            "grading.hidden_cases",
            "must be from 0 to 100, got 101",
        ),
        (
            {"grading": {"hidden_cases": -1}},
            "grading.hidden_cases",
            "must be from 0 to 100, got -1",
        ),
        (
            {"grading": {"points": {"W1": "x"}}},
            "grading.points.W1",
            'expected a number, got the string "x"',
        ),
        (
            {"case__learning_rate": "0.2"},
            "case.learning_rate",
            'expected a number, got the string "0.2"',
        ),
        ({"expected": {"loss": True}}, "expected.loss", "expected a number, got the boolean true"),
        (
            {"case__params__b1": [0.1, "0.25"]},
            "case.params.b1",
            'expected a number, got the string "0.25"',
        ),
        ({"case__x": [[0.1, 0.2], [0.3]]}, "case.x", "ragged array"),
        ({"case__y": []}, "case.y", "empty array"),
        ({"case__params__W1": [[0.2, True], [0.5, 0.6]]}, "case.params.W1", "got the boolean true"),
        (
            {"expected": {"gradients": {"b2": ["1.17"]}}},
            "expected.gradients.b2",
            'got the string "1.17"',
        ),
    ],
    ids=[
        "id-space",
        "id-dash",
        "points-0",
        "points-negative",
        "inputs-0",
        "units-0",
        "no-layers",
        "inputs-string",
        "hidden-101",
        "hidden-negative",
        "points-string",
        "learning-rate-string",
        "loss-bool",
        "param-string",
        "x-ragged",
        "y-empty",
        "param-bool",
        "gradient-string",
    ],
)
def test_bad_value_is_named_at_its_key(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, key: str, fragment: str
) -> None:
    [(where, message)] = exercise_problems(write_exercise(**overrides))
    assert where == key
    assert fragment in message


def test_negative_points_per_quantity_are_refused(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(grading={"points": {"W1": -4, "b1": 2, "W2": 2, "b2": 1}})
    assert [key for key, _ in exercise_problems(path)] == ["grading.points.W1"]


# --- strict types: no string, boolean or float is ever read as an integer ------------------------


@pytest.mark.parametrize(
    ("overrides", "key", "message"),
    [
        ({"grading": {"hidden_cases": "5"}}, "grading.hidden_cases", 'got the string "5"'),
        ({"grading": {"hidden_cases": True}}, "grading.hidden_cases", "got the boolean true"),
        ({"grading": {"hidden_cases": 4.0}}, "grading.hidden_cases", "got the float 4.0"),
        ({"points": "10"}, "points", 'expected a number, got the string "10"'),
        ({"points": True}, "points", "expected a number, got the boolean true"),
        ({"network__inputs": True}, "network.inputs", "expected an integer, got the boolean true"),
        (
            {"network__layers__0__units": "2"},
            "network.layers[0].units",
            'expected an integer, got the string "2"',
        ),
        ({"title": 5}, "title", "expected a string, got the integer 5"),
        ({"task": ["backward"]}, "task", "expected a string, got an array"),
        ({"network__layers": "2x sigmoid"}, "network.layers", "expected an array, got the string"),
        ({"case__params": [1]}, "case.params", "expected a table, got an array"),
        ({"grading": {"forbidden_imports": "torch"}}, "grading.forbidden_imports", "an array"),
        ({"grading": {"limits": {"memory_mb": "512"}}}, "grading.limits.memory_mb", "the string"),
        (
            {"grading": {"tolerance": {"mode": "decimals", "digits": "3"}}},
            "grading.tolerance.digits",
            'expected an integer, got the string "3"',
        ),
        (
            {"grading": {"tolerance": {"mode": "relabs", "rtol": True}}},
            "grading.tolerance.rtol",
            "expected a number, got the boolean true",
        ),
    ],
    ids=[
        "hidden-string",
        "hidden-bool",
        "hidden-float",
        "points-string",
        "points-bool",
        "inputs-bool",
        "units-string",
        "title-int",
        "task-array",
        "layers-string",
        "params-array",
        "forbidden-string",
        "memory-string",
        "digits-string",
        "rtol-bool",
    ],
)
def test_values_are_never_coerced(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, key: str, message: str
) -> None:
    [(where, said)] = exercise_problems(write_exercise(**overrides))
    assert where == key
    assert said.startswith("expected ") and message in said


def test_the_issue_s_example_reads_as_written(
    write_exercise: Write, exercise_problems: Problems
) -> None:
    path = write_exercise(grading={"hidden_cases": "5"})
    assert exercise_problems(path) == [
        ("grading.hidden_cases", 'expected an integer, got the string "5"')
    ]


# --- ranges: what a file may ask for (grader/exercise/bounds.py, grader/run/limits.py) ----------


@pytest.mark.parametrize(
    ("overrides", "key", "message"),
    [
        ({"network__inputs": 17}, "network.inputs", "must be from 1 to 16, got 17"),
        (
            {"network__layers__0__units": 10**30},
            "network.layers[0].units",
            f"must be from 1 to 16, got {10**30}",
        ),
        ({"network__layers": [LAYERS[0]] * 6 + [LAYERS[1]]}, "network.layers", "at most 6 items"),
        ({"case__x": [[0.1, 0.2]] * 17, "case__y": [[0.5]] * 17}, "case.x", "17 rows, at most 16"),
        (
            {"task": "train", "case__learning_rate": 0.2, "case__iterations": 1001},
            "case.iterations",
            "must be from 1 to 1000, got 1001",
        ),
        ({"case__learning_rate": 0}, "case.learning_rate", "more than 0 and at most 100, got 0"),
        ({"case__learning_rate": -0.2}, "case.learning_rate", "got -0.2"),
        ({"case__learning_rate": 1000.5}, "case.learning_rate", "got 1000.5"),
        ({"points": 10001}, "points", "must be more than 0 and at most 10000, got 10001"),
        (
            {"grading": {"limits": {"memory_mb": 99999999999999}}},
            "grading.limits.memory_mb",
            "must be from 256 to 65536, got 99999999999999",
        ),
        (
            {"grading": {"limits": {"cpu_seconds": 99999999999999999999}}},
            "grading.limits.cpu_seconds",
            "must be from 1 to 3600, got 99999999999999999999",
        ),
        (
            {"grading": {"limits": {"wall_seconds": 0}}},
            "grading.limits.wall_seconds",
            "must be more than 0 and at most 3600, got 0",
        ),
        (
            {"grading": {"limits": {"wall_seconds": float("inf")}}},
            "grading.limits.wall_seconds",
            "expected a finite number, got Infinity",
        ),
        (
            {"grading": {"limits": {"output_kb": 0}}},
            "grading.limits.output_kb",
            "must be from 1 to 65536, got 0",
        ),
        (
            {"case__params__b2": [Decimal("0E-999999")]},
            "case.params.b2",
            "the last printed place must be from 1e-340 to 1e308",
        ),
    ],
    ids=[
        "inputs-17",
        "units-huge",
        "layers-7",
        "rows-17",
        "iterations-1001",
        "rate-0",
        "rate-negative",
        "rate-huge",
        "points-10001",
        "memory-huge",
        "cpu-huge",
        "wall-0",
        "wall-inf",
        "output-0",
        "printed-place",
    ],
)
def test_out_of_range_values_are_named_with_the_range(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, key: str, message: str
) -> None:
    [(where, said)] = exercise_problems(write_exercise(**overrides))
    assert where == key
    assert message in said


def test_the_largest_values_allowed_load(write_exercise: Write) -> None:
    layers = [{"units": 16, "activation": "tanh"}] * 5 + [{"units": 1, "activation": "linear"}]
    params = {}
    for number, (rows, cols) in enumerate([(16, 16)] * 5 + [(1, 16)], start=1):
        params[f"W{number}"] = [[0.01] * cols for _ in range(rows)]
        params[f"b{number}"] = [0.0] * rows
    path = write_exercise(
        network={"inputs": 16, "loss": "half-squared-error", "layers": layers},
        case={"x": [[0.1] * 16] * 16, "y": [[0.5]] * 16, "params": params},
        points=10000,
        grading={
            "hidden_cases": 100,
            "limits": {"memory_mb": 65536, "cpu_seconds": 3600, "wall_seconds": 3600},
        },
    )
    spec = load_exercise(path).spec
    assert spec.grading.limits.memory_mb == 65536 and spec.grading.hidden_cases == 100


# --- the format's options: bias, reduction, frozen, activation tables, "?" -----------------


@pytest.mark.parametrize(
    ("overrides", "key", "problem"),
    [
        (
            {"network__layers__0__bias": "shraed"},
            "network.layers[0].bias",
            "unknown value 'shraed' (did you mean 'shared'?)",
        ),
        (
            {"network__layers__1__bias": "each"},
            "network.layers[1].bias",
            "unknown value 'each' (expected one of 'per-unit', 'shared', 'none')",
        ),
        (
            {"network__reduction": "total"},
            "network.reduction",
            "unknown value 'total' (expected one of 'mean', 'sum')",
        ),
        (
            {"network__reduction": 1},
            "network.reduction",
            "expected one of 'mean', 'sum', got the integer 1",
        ),
        ({"network__frozen": "b1"}, "network.frozen", 'expected an array, got the string "b1"'),
        (
            {"network__layers__0__activation": {"name": "sigmod"}},
            "network.layers[0].activation.name",
            "unknown activation 'sigmod' (did you mean 'sigmoid'?)",
        ),
        (
            {"network__layers__0__activation": {"slope": 0.2}},
            "network.layers[0].activation.name",
            "missing required key",
        ),
        (
            {"network__layers__0__activation": {"name": "leaky-relu", "slope": "0.2"}},
            "network.layers[0].activation.slope",
            'expected a number, got the string "0.2"',
        ),
        (
            {"case__x": [-0.32, "?"]},
            "case.x",
            'expected a number: "?" (not printed) is only for printed values',
        ),
        (
            {"expected": {"gradients": {"b1": [0.088, " ?"]}}},
            "expected.gradients.b1",
            "expected a number or \"?\", got ' ?'",
        ),
    ],
    ids=[
        "bias-near-miss",
        "bias-unknown",
        "reduction-unknown",
        "reduction-number",
        "frozen-string",
        "activation-table-name",
        "activation-table-without-name",
        "activation-parameter-string",
        "gap-in-the-case",
        "gap-with-spaces",
    ],
)
def test_a_bad_option_is_named_at_its_key(
    write_exercise: Write, exercise_problems: Problems, overrides: dict, key: str, problem: str
) -> None:
    assert exercise_problems(write_exercise(**overrides)) == [(key, problem)]


def test_the_options_default_to_the_lecture(write_exercise: Write) -> None:
    spec = load_exercise(write_exercise()).spec
    assert [layer.bias for layer in spec.network.layers] == ["per-unit", "per-unit"]
    assert spec.network.frozen == [] and spec.network.reduction == "mean"
    assert spec.network.layers[0].activation == "sigmoid"


def test_an_activation_table_keeps_its_name_and_parameters(write_exercise: Write) -> None:
    leaky = {"name": "leaky-relu", "slope": Decimal("0.2")}
    spec = load_exercise(write_exercise(network__layers__0__activation=leaky)).spec
    layer = spec.network.layers[0]
    assert layer.activation_name == "leaky-relu"
    assert layer.activation_parameters() == {"slope": 0.2}


def test_a_printed_gap_is_kept_as_not_printed(write_exercise: Write) -> None:
    spec = load_exercise(write_exercise(expected={"gradients": {"b1": [0.088, "?"]}})).spec
    b1 = spec.expected.section("gradients")["b1"]  # type: ignore[index]
    assert b1.gaps().tolist() == [False, True] and b1.text((1,)) == "?"


@pytest.mark.parametrize(
    "text",
    [
        "# bias = ",
        "# frozen = ",
        "# reduction = ",
        '# activation = { name = "leaky-relu", slope = 0.2 }',
        '# "?" stands for an entry the document does not print',
        "# [expected.deltas]",
    ],
    ids=["bias", "frozen", "reduction", "activation-table", "gap", "deltas"],
)
def test_the_reference_exercise_documents_the_options(text: str) -> None:
    reference = load_exercise("house-price-backprop").path.read_text(encoding="utf-8")
    assert text in reference
