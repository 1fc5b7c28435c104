"""Tests for grader.diagnose.run, and the diagnoses end to end through the pipeline.

(`tests/test_runner.py` is grader/run/runner.py's; this file is grader/diagnose/run.py's.)

End to end, every submission is graded for real (a child process each, ~0.1 s):
- the fixtures under tests/submissions/: `buggy_<id>.py` is named <id> on every wrong check,
  `correct_*.py` and the model solutions get no diagnosis at all;
- buggy solutions written here, independently of the fixtures and in other styles (pure-Python
  loops with math.exp, a numpy class, scalar code with math.tanh, an optimizer class), one per
  diagnosis id, each a single marked line changed in a solution that is itself graded correct;
- submissions that no single diagnosis explains must get none.
"""

from __future__ import annotations

import functools
import io
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import plugins
from grader.diagnose import builtin, words
from grader.diagnose import run as diagnose_run
from grader.diagnose.run import diagnose
from grader.exercise import LoadedExercise, load_exercise
from grader.pipeline import check_submission
from grader.plan.cases import plan_cases
from grader.result import Check, CheckResult

Load = Callable[[str], LoadedExercise]
Write = Callable[..., Path]
SUBMISSIONS = Path(__file__).parent / "submissions"
SOLUTIONS = Path(__file__).parent.parent / "solutions"
EXERCISES = ["house-price-backprop", "house-price-step", "tanh-chain"]
BP, STEP, TANH = EXERCISES
SOFTMAX, BATCH = "softmax-classifier", "house-price-batch"

# No bundled exercise has a batch: this one, the lecture's network on m = 4 observations, is
# written here (to a session's temporary folder) for the fixtures in
# submissions/inline/house-price-batch.
INLINE = {
    BATCH: """
id = "house-price-batch"
title = "Backpropagation on a batch of four houses"
source = "the lecture's house-price network and parameters; a batch written by the test suite"
task = "backward"
points = 9

[network]
inputs = 2
loss = "half-squared-error"

[[network.layers]]
units = 2
activation = "sigmoid"

[[network.layers]]
units = 1
activation = "linear"

[case]
x = [[-0.32, -0.66], [0.5, 0.1], [0.9, -0.2], [-0.4, 0.7]]
y = [[-0.54], [0.3], [0.1], [-0.2]]

[case.params]
W1 = [[0.2, 0.15], [0.5, 0.6]]
b1 = [0.1, 0.25]
W2 = [[0.3, 0.2]]
b2 = [0.4]
"""
}
_FOLDER: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def _inline_exercises(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("exercises")
    for exercise_id, text in INLINE.items():
        (folder / f"{exercise_id}.toml").write_text(text.lstrip(), encoding="utf-8")
    _FOLDER[:] = [folder]


@functools.cache
def exercise(exercise_id: str) -> LoadedExercise:
    """A bundled exercise by id, or one of INLINE from its temporary file."""
    if exercise_id in INLINE:
        return load_exercise(_FOLDER[0] / f"{exercise_id}.toml")
    return load_exercise(exercise_id)


# One worker for the module (conftest's worker_run): these tests are about the diagnoses, not
# about what one run leaves to the next; each submission still runs in a fresh process.
_RUN: list[Callable[..., Any]] = []


@pytest.fixture(scope="module", autouse=True)
def _one_worker(worker_run: Callable[..., Any]) -> None:
    _RUN[:] = [worker_run]


def grade(exercise: LoadedExercise, path: Path, seed: int | None = None) -> CheckResult:
    return check_submission(exercise, path, seed=seed, run=_RUN[0])


@functools.cache
def graded(exercise_id: str, path: Path, seed: int | None = None) -> CheckResult:
    """Grade once per session (fixtures are shared by several tests here)."""
    return grade(exercise(exercise_id), path, seed=seed)


def named(result: CheckResult) -> dict[str, str | None]:
    """The diagnosis of every check, by quantity name (W1, b1, ...)."""
    return {c.quantity.split(".", 1)[1]: c.diagnosis for c in result.checks}


def wrong(result: CheckResult) -> set[str]:
    return {c.quantity.split(".", 1)[1] for c in result.checks if c.status != "pass"}


def explain(result: CheckResult) -> str:
    return "\n".join(f"{c.quantity} {c.status} {c.diagnosis}: {c.message}" for c in result.checks)


def assert_named(result: CheckResult, diagnosis: str, quantities: set[str]) -> None:
    """Exactly `quantities` are wrong, each named `diagnosis`; nothing else is diagnosed."""
    assert wrong(result) == quantities, explain(result)
    assert named(result) == {
        name: (diagnosis if name in quantities else None) for name in named(result)
    }, explain(result)
    for check in result.checks:
        assert bool(check.explanation) == (check.diagnosis is not None), check.quantity


def assert_undiagnosed(result: CheckResult) -> None:
    for check in result.checks:
        assert check.diagnosis is None, explain(result)
        assert check.explanation is None, explain(result)


# --- diagnose() itself ---------------------------------------------------------------------


def _run(exercise: LoadedExercise, submit: Callable[[str, np.ndarray, int], object], seed=3):
    """diagnose() on hand-made submissions, with every check marked wrong."""
    cases = plan_cases(exercise, seed)
    refs = [exercise.task.reference(exercise.network, c) for c in cases]
    names = [q.name for q in exercise.quantities]
    submitted = {n: [submit(n, np.asarray(r[n]), i) for i, r in enumerate(refs)] for n in names}
    checks = [
        Check(
            name=q.title,
            quantity=q.key,
            score=0.0,
            max_score=1.0,
            status="fail",
            message="wrong",
            cases_passed=0,
            cases=len(cases),
            tolerance="relabs",
        )
        for q in exercise.quantities
    ]
    return checks, diagnose(exercise, cases, refs, submitted, checks)


def test_a_passing_check_is_left_as_it_is(bundled_exercise: Load) -> None:
    exercise = bundled_exercise(BP)
    checks, _ = _run(exercise, lambda n, r, i: -r)
    passing = [c.model_copy(update={"status": "pass", "score": 1.0}) for c in checks]
    cases = plan_cases(exercise, 3)
    refs = [exercise.task.reference(exercise.network, c) for c in cases]
    submitted = {q.name: [-np.asarray(r[q.name]) for r in refs] for q in exercise.quantities}
    out = diagnose(exercise, cases, refs, submitted, passing)
    assert out == passing
    assert all(c.diagnosis is None for c in out)


def test_each_wrong_check_gets_the_diagnosis_that_fits_it(bundled_exercise: Load) -> None:
    exercise = bundled_exercise(BP)

    def submit(name: str, r: np.ndarray, i: int):
        return {"W1": r.T.copy(), "b1": 2 * r, "W2": np.zeros_like(r)}.get(name, r + 1.0)

    checks, out = _run(exercise, submit)
    assert [c.diagnosis for c in out] == ["transposed", "scaled", "zero-gradient", None]
    assert out[0].explanation == builtin.transposed.sentence
    assert "2" in out[1].explanation
    # Nothing else about the checks changes, and the input list is not modified.
    for before, after in zip(checks, out, strict=True):
        assert after.model_copy(update={"diagnosis": None, "explanation": None}) == before
        assert before.diagnosis is None


def test_a_quantity_that_was_not_submitted_is_passed_through(bundled_exercise: Load) -> None:
    exercise = bundled_exercise(BP)
    cases = plan_cases(exercise, 3)
    refs = [exercise.task.reference(exercise.network, c) for c in cases]
    checks, _ = _run(exercise, lambda n, r, i: -r)
    out = diagnose(exercise, cases, refs, {"b2": [-np.asarray(r["b2"]) for r in refs]}, checks)
    assert [c.diagnosis for c in out] == [None, None, None, "sign-flipped"]


def test_the_lowest_priority_that_fits_wins(bundled_exercise: Load) -> None:
    # Zeros are also the same on every case (hard-coded); zeros win.
    _, out = _run(bundled_exercise(BP), lambda n, r, i: np.zeros_like(r))
    assert {c.diagnosis for c in out} == {"zero-gradient"}
    # A sign-flipped update is numerically an ascent; ascent is asked first.
    step = bundled_exercise(STEP)
    cases = plan_cases(step, 3)

    def flipped(name: str, r: np.ndarray, i: int):
        case = cases[i]
        return 2 * case.params[name] - r  # p + lr g, where r = p - lr g

    _, out = _run(step, flipped)
    assert {c.diagnosis for c in out} == {"ascent"}


class _Always:
    """A third-party diagnosis: explains everything, asked first."""

    priority = 0
    sentence = "A third-party plugin's sentence."

    def explains(self, evidence) -> str | None:
        return self.sentence if evidence.quantity.name == "W1" else None


def test_a_third_party_diagnosis_takes_part_by_priority(
    bundled_exercise: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = plugins.registry("diagnoses")
    extra = plugins.Plugin("diagnoses", "always-w1", "x:y", "third-party", "1.0", _Always())
    monkeypatch.setattr(diagnose_run.plugins, "registry", lambda kind: {**real, "always-w1": extra})
    _, out = _run(bundled_exercise(BP), lambda n, r, i: -r)
    assert [c.diagnosis for c in out] == [
        "always-w1",
        "sign-flipped",
        "sign-flipped",
        "sign-flipped",
    ]
    assert out[0].explanation == _Always.sentence


# --- the fixtures under tests/submissions ----------------------------------------------------


def fixtures(prefix: str) -> list[Path]:
    # submissions/inline/<id>/ holds the fixtures of the exercises written here (INLINE): the
    # other test files grade every submissions/<bundled id>/ against the bundled exercise.
    inline = SUBMISSIONS.glob(f"inline/*/{prefix}_*.py")
    return sorted([*SUBMISSIONS.glob(f"*/{prefix}_*.py"), *inline])


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def expected_id(path: Path) -> str:
    if path.parent.name == STEP and path.stem == "buggy_sign-flipped":
        # Flipping dL/dh^2 negates every gradient, so p - lr*(-g) = p + lr*g: the update is
        # numerically identical to buggy_ascent.py on every case, and ascent is asked first
        # (its sentence mentions the sign of dL/dh as the other possible cause).
        return "ascent"
    return path.stem.removeprefix("buggy_")


@pytest.mark.parametrize("path", fixtures("buggy"), ids=fixture_id)
def test_a_buggy_fixture_is_named_by_its_id(path: Path) -> None:
    result = graded(path.parent.name, path)
    assert wrong(result), explain(result)
    assert_named(result, expected_id(path), wrong(result))


def test_every_buggy_fixture_id_is_a_diagnosis() -> None:
    ids = set(plugins.registry("diagnoses"))
    assert {p.stem.removeprefix("buggy_") for p in fixtures("buggy")} <= ids


@pytest.mark.parametrize(
    "path",
    [*fixtures("correct"), *sorted(SOLUTIONS.glob("*.py"))],
    ids=lambda p: fixture_id(p) if p.parent.name != "solutions" else f"solutions/{p.stem}",
)
def test_correct_work_gets_no_diagnosis(path: Path) -> None:
    exercise_id = path.stem if path.parent.name == "solutions" else path.parent.name
    result = graded(exercise_id, path)
    assert result.full_marks, explain(result)
    assert_undiagnosed(result)


def test_the_diagnosis_is_in_the_json_and_the_text_report() -> None:
    result = graded(BP, SUBMISSIONS / BP / "buggy_missing-activation-derivative.py")
    out = io.StringIO()
    reporter = plugins.get("reporters", "json")(out)
    reporter.add(result)
    reporter.close()
    checks = {c["quantity"]: c for c in json.loads(out.getvalue())["checks"]}
    assert checks["gradients.W1"]["diagnosis"] == "missing-activation-derivative"
    assert checks["gradients.W2"]["diagnosis"] is None
    network = load_exercise(BP).network
    assert checks["gradients.W1"]["explanation"] == words.missing_derivative(network, [1])
    out = io.StringIO()
    reporter = plugins.get("reporters", "text")(out)
    reporter.add(result)
    reporter.close()
    text = " ".join(out.getvalue().split())  # the report wraps long lines
    assert text.count("likely cause (missing-activation-derivative):") == 2
    assert "h(1 - h)" in text


# --- independent buggy solutions -----------------------------------------------------------
#
# Each is a correct solution with one marked line replaced. The replacement must occur exactly
# once (a typo here would otherwise grade the correct solution), and the correct solution is
# graded too: full marks, no diagnosis.

HOUSE_LOOPS = """
    # house-price backward, pure Python: loops over units, math.exp, nested lists out
    import math


    def backward(params, x, y):
        W1 = [[float(v) for v in row] for row in params["W1"]]
        b1 = [float(v) for v in params["b1"]]
        W2 = [[float(v) for v in row] for row in params["W2"]]
        b2 = [float(v) for v in params["b2"]]
        x = [float(v) for v in x]
        y = [float(v) for v in y]
        n_in, n_hid, n_out = len(x), len(b1), len(b2)

        z1 = [b1[k] + sum(W1[k][j] * x[j] for j in range(n_in)) for k in range(n_hid)]
        h1 = [1.0 / (1.0 + math.exp(-z)) for z in z1]
        z2 = [b2[k] + sum(W2[k][j] * h1[j] for j in range(n_hid)) for k in range(n_out)]
        h2 = list(z2)

        dh2 = [h2[k] - y[k] for k in range(n_out)]
        d2 = [dh2[k] * 1.0 for k in range(n_out)]
        dW2 = [[d2[k] * h1[j] for j in range(n_hid)] for k in range(n_out)]
        dh1 = [sum(W2[k][j] * d2[k] for k in range(n_out)) for j in range(n_hid)]
        dh1_dz1 = [h1[j] * (1 - h1[j]) for j in range(n_hid)]
        d1 = [dh1[j] * dh1_dz1[j] for j in range(n_hid)]
        dW1 = [[d1[k] * x[j] for j in range(n_in)] for k in range(n_hid)]
        return {"W1": dW1, "b1": d1, "W2": dW2, "b2": d2}
"""

HOUSE_CLASS = """
    # house-price backward, numpy objects with column vectors and gradient buffers
    import numpy as np


    class Dense:
        def __init__(self, W, b, act):
            self.W = np.array(W, dtype=float)
            self.b = np.array(b, dtype=float).reshape(-1, 1)
            self.act = act
            self.dW = np.zeros_like(self.W)
            self.db = np.zeros_like(self.b)

        def forward(self, a):
            self.a_in = a
            self.z = self.W @ a + self.b
            self.h = 1 / (1 + np.exp(-self.z)) if self.act == "sigmoid" else self.z
            return self.h

        def backward(self, grad_h):
            grad_z = grad_h * self.h * (1 - self.h) if self.act == "sigmoid" else grad_h
            self.dW = grad_z @ self.a_in.T
            self.db = grad_z
            return self.W.T @ grad_z


    def backward(params, x, y):
        hidden = Dense(params["W1"], params["b1"], "sigmoid")
        output = Dense(params["W2"], params["b2"], "linear")
        h = output.forward(hidden.forward(np.reshape(x, (-1, 1))))
        hidden.backward(output.backward(h - np.reshape(y, (-1, 1))))
        grads = {"W1": hidden.dW, "b1": hidden.db, "W2": output.dW, "b2": output.db}
        return {name: g.reshape(np.shape(params[name])) for name, g in grads.items()}
"""

TANH_SCALARS = """
    # the tanh chain with plain floats and math.tanh, one named factor per line
    import math


    def backward(params, x, y):
        w1, b1 = float(params["W1"][0][0]), float(params["b1"][0])
        w2, b2 = float(params["W2"][0][0]), float(params["b2"][0])
        x0, t = float(x[0]), float(y[0])
        z1 = w1 * x0 + b1
        h1 = math.tanh(z1)
        z2 = w2 * h1 + b2
        h2 = math.tanh(z2)
        dL_dh2 = -(t - h2)
        dh2_dz2 = 1 - h2 ** 2
        dz2 = dL_dh2 * dh2_dz2
        dw2 = dz2 * h1
        dh1 = dz2 * w2
        dh1_dz1 = 1 - h1 ** 2
        dz1 = dh1 * dh1_dz1
        dw1 = dz1 * x0
        return {"W1": [[dw1]], "b1": [dz1], "W2": [[dw2]], "b2": [dz2]}
"""

STEP_CLASS = """
    # house-price train step: a network object with loops, updating layer by layer
    import math


    def _minus(value, grad, lr):
        if isinstance(value, list):
            return [_minus(v, g, lr) for v, g in zip(value, grad)]
        return value - lr * grad


    class Net:
        def __init__(self, params):
            self.p = {k: [list(map(float, r)) if hasattr(r, "__len__") else float(r)
                          for r in v] for k, v in params.items()}

        def train_step(self, x, y, lr):
            W1, b1, W2, b2 = self.p["W1"], self.p["b1"], self.p["W2"], self.p["b2"]
            x, y = [float(v) for v in x], [float(v) for v in y]
            h1 = [1 / (1 + math.exp(-(b1[k] + sum(w * xj for w, xj in zip(W1[k], x)))))
                  for k in range(len(b1))]
            h2 = [b2[k] + sum(w * hj for w, hj in zip(W2[k], h1)) for k in range(len(b2))]
            d2 = [h2[k] - y[k] for k in range(len(b2))]
            gW2 = [[d2[k] * hj for hj in h1] for k in range(len(b2))]
            new_W2 = _minus(W2, gW2, lr)
            new_b2 = _minus(b2, d2, lr)
            W2_used = [row[:] for row in W2]
            d1 = [sum(W2_used[k][j] * d2[k] for k in range(len(b2))) * h1[j] * (1 - h1[j])
                  for j in range(len(b1))]
            gW1 = [[d1[k] * xj for xj in x] for k in range(len(b1))]
            return {"W1": _minus(W1, gW1, lr), "b1": _minus(b1, d1, lr),
                    "W2": new_W2, "b2": new_b2}


    def train_step(params, x, y, learning_rate):
        return Net(params).train_step(x, y, learning_rate)
"""

TEMPLATES = {"house-loops": HOUSE_LOOPS, "house-class": HOUSE_CLASS, "tanh": TANH_SCALARS}
TEMPLATES["step"] = STEP_CLASS


def mutate(template: str, *edits: tuple[str, str]) -> str:
    source = template
    for old, new in edits:
        assert source.count(old) == 1, f"{old!r} must occur exactly once"
        source = source.replace(old, new)
    return source


@pytest.mark.parametrize(
    ("exercise_id", "template"),
    [(BP, "house-loops"), (BP, "house-class"), (TANH, "tanh"), (STEP, "step")],
    ids=["house-loops", "house-class", "tanh", "step"],
)
def test_the_independent_solutions_are_correct(
    write_submission: Write, exercise_id: str, template: str
) -> None:
    result = grade(load_exercise(exercise_id), write_submission(TEMPLATES[template]))
    assert result.full_marks, explain(result)
    assert_undiagnosed(result)


ALL = {"W1", "b1", "W2", "b2"}
HIDDEN = {"W1", "b1"}
# (exercise, template, edits, the diagnosis, the quantities that are wrong)
INDEPENDENT = {
    # house-price-backprop, every backward id
    "house-sign-flipped": (
        BP,
        "house-loops",
        [("dh2 = [h2[k] - y[k]", "dh2 = [y[k] - h2[k]")],
        "sign-flipped",
        ALL,
    ),
    "house-missing-activation-derivative": (
        BP,
        "house-loops",
        [("dh1_dz1 = [h1[j] * (1 - h1[j])", "dh1_dz1 = [1.0")],
        "missing-activation-derivative",
        HIDDEN,
    ),
    "house-wrong-activation-derivative": (
        BP,
        "house-loops",
        [("dh1_dz1 = [h1[j] * (1 - h1[j])", "dh1_dz1 = [1 - h1[j] ** 2")],
        "wrong-activation-derivative",
        HIDDEN,
    ),
    "house-pre-activation-used-in-dW2": (
        BP,
        "house-loops",
        [("dW2 = [[d2[k] * h1[j]", "dW2 = [[d2[k] * z1[j]")],
        "pre-activation-used",
        {"W2"},
    ),
    "house-pre-activation-used-in-the-derivative": (
        BP,
        "house-loops",
        [("dh1_dz1 = [h1[j] * (1 - h1[j])", "dh1_dz1 = [z1[j] * (1 - z1[j])")],
        "pre-activation-used",
        HIDDEN,
    ),
    "house-transposed": (
        BP,
        "house-loops",
        [
            (
                "dW1 = [[d1[k] * x[j] for j in range(n_in)] for k in range(n_hid)]",
                "dW1 = [[d1[j] * x[k] for j in range(n_hid)] for k in range(n_in)]",
            )
        ],
        "transposed",
        {"W1"},
    ),
    "house-scaled": (
        BP,
        "house-loops",
        [("dh2 = [h2[k] - y[k]", "dh2 = [2 * (h2[k] - y[k])")],
        "scaled",
        ALL,
    ),
    "house-zero-gradient": (
        BP,
        "house-class",
        # the gradients are computed into locals, and the zero-initialised buffers returned
        [
            ("self.dW = grad_z @ self.a_in.T", "dW = grad_z @ self.a_in.T"),
            ("self.db = grad_z\n", "db = grad_z\n"),
        ],
        "zero-gradient",
        ALL,
    ),
    "house-class-wrong-activation-derivative": (
        BP,
        "house-class",
        [("grad_h * self.h * (1 - self.h)", "grad_h * (1 - self.h ** 2)")],
        "wrong-activation-derivative",
        HIDDEN,
    ),
    "house-class-transposed": (
        BP,
        "house-class",
        [('grads = {"W1": hidden.dW,', 'grads = {"W1": hidden.dW.T,')],
        "transposed",
        {"W1"},
    ),
    # the tanh chain (no transposed: a 1x1 matrix is its own transpose)
    "tanh-sign-flipped": (
        TANH,
        "tanh",
        [("dL_dh2 = -(t - h2)", "dL_dh2 = t - h2")],
        "sign-flipped",
        ALL,
    ),
    "tanh-missing-output-derivative": (
        TANH,
        "tanh",
        [("dh2_dz2 = 1 - h2 ** 2", "dh2_dz2 = 1.0")],
        "missing-activation-derivative",
        ALL,
    ),
    "tanh-wrong-hidden-derivative": (
        TANH,
        "tanh",
        [("dh1_dz1 = 1 - h1 ** 2", "dh1_dz1 = h1 * (1 - h1)")],
        "wrong-activation-derivative",
        HIDDEN,
    ),
    "tanh-pre-activation-in-the-derivative": (
        TANH,
        "tanh",
        [("dh2_dz2 = 1 - h2 ** 2", "dh2_dz2 = 1 - z2 ** 2")],
        "pre-activation-used",
        ALL,
    ),
    "tanh-scaled": (
        TANH,
        "tanh",
        [("dL_dh2 = -(t - h2)", "dL_dh2 = -2 * (t - h2)")],
        "scaled",
        ALL,
    ),
    "tanh-zero-gradient": (
        TANH,
        "tanh",
        [("dL_dh2 = -(t - h2)", "dL_dh2 = -(t - t)")],
        "zero-gradient",
        ALL,
    ),
    # house-price-step, the train-step ids and some backward ones inside a step
    "step-no-learning-rate": (
        STEP,
        "step",
        [("return value - lr * grad", "return value - grad")],
        "no-learning-rate",
        ALL,
    ),
    "step-ascent": (
        STEP,
        "step",
        [("return value - lr * grad", "return value + lr * grad")],
        "ascent",
        ALL,
    ),
    "step-stale-order": (
        STEP,
        "step",
        [("W2_used = [row[:] for row in W2]", "W2_used = new_W2")],
        "stale-order",
        HIDDEN,
    ),
    # numerically an ascent on every case (see buggy_sign-flipped.py above): named ascent
    "step-sign-flipped": (
        STEP,
        "step",
        [("d2 = [h2[k] - y[k]", "d2 = [y[k] - h2[k]")],
        "ascent",
        ALL,
    ),
    "step-missing-activation-derivative": (
        STEP,
        "step",
        [(" * h1[j] * (1 - h1[j])", "")],
        "missing-activation-derivative",
        HIDDEN,
    ),
    "step-wrong-activation-derivative": (
        STEP,
        "step",
        [(" * h1[j] * (1 - h1[j])", " * (1 - h1[j] ** 2)")],
        "wrong-activation-derivative",
        HIDDEN,
    ),
}


@pytest.mark.parametrize("case", list(INDEPENDENT), ids=list(INDEPENDENT))
def test_an_independent_buggy_solution_is_named(write_submission: Write, case: str) -> None:
    exercise_id, template, edits, diagnosis, quantities = INDEPENDENT[case]
    path = write_submission(mutate(TEMPLATES[template], *edits))
    result = grade(load_exercise(exercise_id), path)
    assert_named(result, diagnosis, quantities)


HARD_CODED = {
    # the lecture's numbers computed once, from module constants, whatever the arguments say
    BP: textwrap.dedent(
        mutate(HOUSE_LOOPS, ("def backward(params, x, y):", "def _backward(params, x, y):"))
    )
    + """
LECTURE = {"W1": [[0.2, 0.15], [0.5, 0.6]], "b1": [0.1, 0.25], "W2": [[0.3, 0.2]], "b2": [0.4]}


def backward(params, x, y):
    return _backward(LECTURE, [-0.32, -0.66], [-0.54])
""",
    # the document's 4 significant figures, typed in
    TANH: """
def backward(params, x, y):
    return {"W1": [[0.01325]], "b1": [0.02650], "W2": [[-0.03892]], "b2": [-0.08423]}
""",
    # the exact updated values to 6 decimals, typed in
    STEP: """
import numpy as np


def train_step(params, x, y, learning_rate):
    return {
        "W1": np.array([[0.205611, 0.161572], [0.503658, 0.607545]]),
        "b1": np.array([0.082466, 0.238569]),
        "W2": np.array([[0.186675, 0.100755]]),
        "b2": np.array([0.165981]),
    }
""",
}


@pytest.mark.parametrize("exercise_id", list(HARD_CODED), ids=list(HARD_CODED))
def test_an_independent_hard_coded_solution_is_named(
    write_submission: Write, exercise_id: str
) -> None:
    result = grade(load_exercise(exercise_id), write_submission(HARD_CODED[exercise_id]))
    assert_named(result, "hard-coded", ALL)
    # Right (or within the document band) on the worked case, only there.
    passed = {c.quantity: c.cases_passed for c in result.checks}
    assert set(passed.values()) == ({0} if exercise_id == TANH else {1}), passed


def test_two_unrelated_mistakes_are_each_named(write_submission: Write) -> None:
    source = mutate(
        HOUSE_LOOPS,
        ("dW2 = [[d2[k] * h1[j]", "dW2 = [[d2[k] * z1[j]"),
        (
            "dW1 = [[d1[k] * x[j] for j in range(n_in)] for k in range(n_hid)]",
            "dW1 = [[d1[j] * x[k] for j in range(n_hid)] for k in range(n_in)]",
        ),
    )
    result = grade(load_exercise(BP), write_submission(source))
    assert wrong(result) == {"W1", "W2"}, explain(result)
    assert named(result) == {
        "W1": "transposed",
        "b1": None,
        "W2": "pre-activation-used",
        "b2": None,
    }


def test_two_mistakes_in_the_same_quantity_are_not_forced_into_one(write_submission: Write) -> None:
    # Sign flipped and hidden derivative missing: W2 and b2 show the sign flip alone; W1 and b1
    # carry both mistakes, which no single diagnosis explains.
    source = mutate(
        HOUSE_LOOPS,
        ("dh2 = [h2[k] - y[k]", "dh2 = [y[k] - h2[k]"),
        ("dh1_dz1 = [h1[j] * (1 - h1[j])", "dh1_dz1 = [1.0"),
    )
    result = grade(load_exercise(BP), write_submission(source))
    assert wrong(result) == ALL, explain(result)
    assert named(result) == {"W1": None, "b1": None, "W2": "sign-flipped", "b2": "sign-flipped"}


@pytest.mark.parametrize(
    ("exercise_id", "template", "edit"),
    [
        (
            BP,
            "house-loops",
            (
                'return {"W1": dW1,',
                "import random\n"
                "        noise = lambda v: v + random.gauss(0, 1e-3)\n"
                "        dW1 = [[noise(v) for v in row] for row in dW1]\n"
                "        dW2 = [[noise(v) for v in row] for row in dW2]\n"
                "        d1, d2 = [noise(v) for v in d1], [noise(v) for v in d2]\n"
                '        return {"W1": dW1,',
            ),
        ),
        (BP, "house-loops", ("dh2 = [h2[k] - y[k]", "dh2 = [h2[k] - y[k] + 0.01")),
        (TANH, "tanh", ("dw1 = dz1 * x0", "dw1 = dz1 * x0 ** 2\n        dz1 = dz1 + 0.001")),
        (STEP, "step", ("return value - lr * grad", "return value - lr * grad + 1e-3")),
    ],
    ids=["house-noise", "house-offset", "tanh-nonsense", "step-offset"],
)
def test_a_mistake_no_diagnosis_explains_gets_none(
    write_submission: Write, exercise_id: str, template: str, edit: tuple[str, str]
) -> None:
    path = write_submission(mutate(TEMPLATES[template], edit))
    result = grade(load_exercise(exercise_id), path)
    assert wrong(result), explain(result)
    assert_undiagnosed(result)


def test_right_on_the_worked_case_wrong_on_hidden_ones_is_not_diagnosed(
    write_submission: Write,
) -> None:
    # -|x| is x on the lecture's all-negative input: only hidden cases with x_j > 0 go wrong,
    # and only in dL/dW1.
    source = mutate(
        HOUSE_LOOPS,
        ("dW1 = [[d1[k] * x[j]", "dW1 = [[d1[k] * -abs(x[j])"),
    )
    result = grade(load_exercise(BP), write_submission(source), seed=5)
    (w1,) = [c for c in result.checks if c.status != "pass"]
    assert w1.quantity == "gradients.W1" and 1 <= w1.cases_passed < w1.cases, explain(result)
    assert_undiagnosed(result)


def test_a_sign_flip_on_some_hidden_cases_only_is_not_called_sign_flipped(
    write_submission: Write,
) -> None:
    # |dL/dz^2| in dL/dW2 only: right wherever h^2 > y (the worked case), sign-flipped
    # elsewhere. The sign-flip mistake fits some cases, not every case: no diagnosis.
    source = mutate(HOUSE_LOOPS, ("dW2 = [[d2[k] * h1[j]", "dW2 = [[abs(d2[k]) * h1[j]"))
    result = grade(load_exercise(BP), write_submission(source), seed=5)
    (w2,) = [c for c in result.checks if c.status != "pass"]
    assert w2.quantity == "gradients.W2" and 1 <= w2.cases_passed < w2.cases, explain(result)
    assert_undiagnosed(result)


# --- the diagnoses' sentences speak of the exercise's own network and loss ------------------


def explanations(result: CheckResult) -> set[str]:
    return {c.explanation or "" for c in result.checks if c.status != "pass"}


def test_the_missing_batch_mean_is_named_as_such() -> None:
    result = graded(BATCH, SUBMISSIONS / "inline" / BATCH / "buggy_scaled.py")
    assert wrong(result) == ALL, explain(result)
    for check in result.checks:
        assert check.diagnosis == "scaled"
        assert "m = 4 times the exact value" in check.explanation
        assert "the mean over the m = 4 observations of the batch" in check.explanation
        assert "l = 1/2 sum_k (y_k - h_k)^2" in check.explanation  # the exercise's own loss
        assert f"{check.name} carries 1/m" in check.explanation


def test_a_sign_flip_under_cross_entropy_speaks_of_cross_entropy() -> None:
    result = graded(SOFTMAX, SUBMISSIONS / SOFTMAX / "buggy_sign-flipped.py")
    (sentence,) = explanations(result)
    assert "L = -sum_k y_k log h_k with a softmax output" in sentence
    assert "dL/dz^2 = h - y, not y - h" in sentence
    assert "(y - h)^2" not in sentence and "1/2" not in sentence


def test_an_untransposed_square_weight_is_named() -> None:
    result = graded(SOFTMAX, SUBMISSIONS / SOFTMAX / "buggy_untransposed-weight.py")
    assert_named(result, "untransposed-weight", HIDDEN)
    (sentence,) = explanations(result)
    assert "W^2 goes back without its transpose" in sentence
    assert "dL/dh^1 = (W^2)^T dL/dz^2" in sentence


def test_an_untransposed_non_square_weight_is_named_from_numpys_shape_error() -> None:
    result = graded(BP, SUBMISSIONS / BP / "buggy_untransposed-weight.py")
    assert_named(result, "untransposed-weight", ALL)
    (sentence,) = explanations(result)
    assert "W^2 (shape (1, 2)) needs its transpose" in sentence
    assert "dL/dh^1 = (W^2)^T dL/dz^2" in sentence
    # The student's crash is still shown as it happened.
    assert all("raised ValueError: matmul" in c.message for c in result.checks)


UNTRANSPOSED = {
    # rows, square W2: delta2 @ W2.T where delta2 @ W2 belongs
    "softmax-rows": (
        SOFTMAX,
        "delta1 = (delta2 @ W2) * (1 - h1**2)",
        "delta1 = (delta2 @ W2.T) * (1 - h1**2)",
        HIDDEN,
    ),
    # columns with np.dot, W2 is 1 x 2: "shapes (1,2) and (1,1) not aligned"
    "house-dot": (BP, "d1 = W2.T.dot(d2)", "d1 = W2.dot(d2)", ALL),
}


@pytest.mark.parametrize("case", list(UNTRANSPOSED), ids=list(UNTRANSPOSED))
def test_an_untransposed_weight_in_another_style_is_named(write_submission: Write, case: str):
    exercise_id, old, new, quantities = UNTRANSPOSED[case]
    folder = "correct_rows.py" if exercise_id == SOFTMAX else "correct_vectorized.py"
    source = mutate((SUBMISSIONS / exercise_id / folder).read_text(), (old, new))
    result = grade(load_exercise(exercise_id), write_submission(source))
    assert_named(result, "untransposed-weight", quantities)


@pytest.mark.parametrize(
    "line",
    [
        "np.ones(3) @ np.ones(5)",  # a matmul of sizes no weight matrix has
        "np.ones(3) * np.ones(2)",  # a broadcast, not a matrix product
        "np.linalg.inv(np.ones((2, 3)))",  # another ValueError altogether
    ],
    ids=["other-sizes", "broadcast", "other-error"],
)
def test_another_shape_error_is_not_called_untransposed(write_submission: Write, line: str):
    source = mutate(
        (SUBMISSIONS / BP / "correct_vectorized.py").read_text(),
        ("d2 = a2 - t", f"d2 = a2 - t\n    {line}"),
    )
    result = grade(load_exercise(BP), write_submission(source))
    assert wrong(result) == ALL, explain(result)
    assert_undiagnosed(result)


# --- a plugin activation gets the derivative diagnoses without writing any ------------------

# An exercise and its model solution for the softplus plugin (tests/plugin_package), shared with
# tests/test_plugins.py.
SOFTPLUS = Path(__file__).parent / "softplus"
SOFTPLUS_EXERCISE = (SOFTPLUS / "softplus-backprop.toml").read_text()
SOFTPLUS_SOLUTION = (SOFTPLUS / "softplus-backprop.py").read_text()


class BareSoftplus:
    """tests/plugin_package's softplus with its texts too dropped: forward and backward only."""

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.logaddexp(0.0, z)

    def backward(self, z: np.ndarray, h: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        return grad_h / (1.0 + np.exp(-z))


@pytest.fixture
def softplus_exercise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> LoadedExercise:
    """The exercise with a softplus activation registered as a third-party plugin would be."""
    real = plugins.registry

    def registry(kind: str) -> dict:
        found = real(kind)
        if kind != "activations":
            return found
        extra = plugins.Plugin(kind, "softplus", "x:y", "grader-softplus", "0.1.0", BareSoftplus())
        return {**found, "softplus": extra}

    monkeypatch.setattr(plugins, "registry", registry)
    path = tmp_path / "softplus-backprop.toml"
    path.write_text(SOFTPLUS_EXERCISE.lstrip(), encoding="utf-8")
    return load_exercise(path)


@pytest.mark.parametrize(
    ("edit", "diagnosis", "says"),
    [
        (None, None, ""),
        (("* slope", "* 1.0"), "missing-activation-derivative", "layer 1 (softplus)"),
        (("* slope", "* h1 * (1 - h1)"), "wrong-activation-derivative", "sigmoid's h(1 - h)"),
    ],
    ids=["correct", "missing", "sigmoid-derivative"],
)
def test_a_plugin_activation_without_a_derivative_is_diagnosed(
    softplus_exercise: LoadedExercise, write_submission: Write, edit, diagnosis, says
) -> None:
    source = SOFTPLUS_SOLUTION if edit is None else mutate(SOFTPLUS_SOLUTION, edit)
    result = grade(softplus_exercise, write_submission(source))
    if diagnosis is None:
        assert result.full_marks, explain(result)
        assert_undiagnosed(result)
        return
    assert_named(result, diagnosis, HIDDEN)
    (sentence,) = explanations(result)
    assert says in sentence and "softplus'(z)" in sentence  # no formula text: named by name


BATCH_STEP = """
import numpy as np


def train_step(params, x, y, learning_rate):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h1 = 1.0 / (1.0 + np.exp(-(x @ W1.T + b1)))
    h2 = h1 @ W2.T + b2
    delta2 = (h2 - y) / len(x)
    delta1 = (delta2 @ W2) * h1 * (1 - h1)
    grads = {"W1": delta1.T @ x, "b1": delta1.sum(0), "W2": delta2.T @ h1, "b2": delta2.sum(0)}
    return {k: params[k] - learning_rate * g for k, g in grads.items()}
"""


@pytest.mark.parametrize("mean", [True, False], ids=["correct", "missing-mean"])
def test_a_missing_batch_mean_in_a_train_step_is_named(
    write_submission: Write, tmp_path: Path, mean: bool
) -> None:
    text = INLINE[BATCH].replace('task = "backward"', 'task = "train-step"')
    text = text.replace("[case.params]", "learning_rate = 0.2\n\n[case.params]")
    path = tmp_path / "house-price-batch.toml"
    path.write_text(text.lstrip(), encoding="utf-8")
    source = BATCH_STEP if mean else mutate(BATCH_STEP, ("(h2 - y) / len(x)", "(h2 - y)"))
    result = grade(load_exercise(path), write_submission(source))
    if mean:
        assert result.full_marks, explain(result)
        assert_undiagnosed(result)
        return
    assert_named(result, "scaled", ALL)
    for check in result.checks:
        name = check.quantity.split(".", 1)[1]
        assert f"Every entry of dL/d{name} is m = 4 times the exact value" in check.explanation
        assert f"so dL/d{name} carries 1/m" in check.explanation


# --- the train task plants through its own hook too -----------------------------------------

TRAIN_MISTAKES = {
    "ascent": ("p[name] - learning_rate * grads[name]", "p[name] + learning_rate * grads[name]"),
    "no-learning-rate": ("p[name] - learning_rate * grads[name]", "p[name] - grads[name]"),
    "wrong-activation-derivative": ("* h1 * (1.0 - h1)", "* (1 - h1**2)"),
    "untransposed-weight": ('(p["W2"].T @ delta2)', '(p["W2"] @ delta2)'),
}


@pytest.mark.parametrize("diagnosis", list(TRAIN_MISTAKES), ids=list(TRAIN_MISTAKES))
def test_a_mistake_inside_training_is_named(write_submission: Write, diagnosis: str) -> None:
    source = mutate((SOLUTIONS / "house-price-train.py").read_text(), TRAIN_MISTAKES[diagnosis])
    result = grade(load_exercise("house-price-train"), write_submission(source))
    # Every trained parameter and the losses on the way carry the mistake.
    assert_named(result, diagnosis, {*ALL, "losses"})
