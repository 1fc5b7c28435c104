"""Tests for grader.diagnose.builtin: the built-in diagnoses, one plugin each.

Each is asked directly with hand-made Evidence: never a word on the exact reference values,
its sentence when the submission is what its mistake computes on every case, and None when it
fits some cases only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from grader import plugins
from grader.diagnose import builtin, words
from grader.diagnose.evidence import Evidence
from grader.diagnose.mistakes import Mistake
from grader.exercise import LoadedExercise
from grader.plan.cases import plan_cases
from grader.protocols import Diagnosis

Load = Callable[[str], LoadedExercise]
SEED = 99
IDS = [
    "sign-flipped",
    "missing-activation-derivative",
    "wrong-activation-derivative",
    "pre-activation-used",
    "transposed",
    "untransposed-weight",
    "scaled",
    "zero-gradient",
    "hard-coded",
    "no-learning-rate",
    "ascent",
    "stale-order",
]
EXERCISES = ["house-price-backprop", "house-price-step", "tanh-chain", "softmax-classifier"]


def evidence(exercise: LoadedExercise, name: str, submitted=None, slack=None) -> Evidence:
    """Evidence for quantity `name`; `submitted(reference, case number)` (default: exact)."""
    cases = plan_cases(exercise, SEED)
    quantity = next(q for q in exercise.quantities if q.name == name)
    refs = [np.asarray(exercise.task.reference(exercise.network, c)[name]) for c in cases]
    make = submitted or (lambda r, i: r.copy())
    return Evidence(
        exercise, quantity, cases, refs, [make(r, i) for i, r in enumerate(refs)], slack or []
    )


def planted(exercise: LoadedExercise, name: str, mistake: Mistake) -> Evidence:
    """Evidence whose submission is exactly what `mistake` computes, on every case."""
    ev = evidence(exercise, name)
    ev.submitted = [p.copy() for p in ev.predict(mistake)]
    return ev


def diagnoses() -> dict[str, object]:
    return {name: p.obj for name, p in plugins.registry("diagnoses").items()}


def test_every_issue_id_is_a_registered_diagnosis() -> None:
    found = diagnoses()
    assert sorted(found) == sorted(IDS)
    for name, obj in found.items():
        assert isinstance(obj, Diagnosis), name
        assert isinstance(obj.priority, int), name


def test_the_builtins_come_from_this_distribution() -> None:
    registry = plugins.registry("diagnoses")
    assert {p.distribution for p in registry.values()} == {"backprop-grader"}
    assert registry["sign-flipped"].value == "grader.diagnose.builtin:sign_flipped"


def test_priorities_put_the_specific_before_the_general() -> None:
    found = diagnoses()
    order = sorted(found, key=lambda n: (found[n].priority, n))
    assert len({found[n].priority for n in found}) == len(found)  # no ties to break by name
    # Zeros are the same on every case too; a sign flip is a factor of -1 too; an ascent
    # step and a sign-flipped step give the same numbers: the more telling name is asked first.
    assert order.index("zero-gradient") < order.index("hard-coded")
    assert order.index("sign-flipped") < order.index("scaled")
    assert order.index("ascent") < order.index("sign-flipped")
    assert order.index("missing-activation-derivative") < order.index("wrong-activation-derivative")


@pytest.mark.parametrize("exercise_id", EXERCISES, ids=EXERCISES)
@pytest.mark.parametrize("diagnosis_id", IDS, ids=IDS)
def test_no_diagnosis_on_the_exact_reference(
    bundled_exercise: Load, exercise_id: str, diagnosis_id: str
) -> None:
    exercise = bundled_exercise(exercise_id)
    diagnosis = diagnoses()[diagnosis_id]
    for q in exercise.quantities:
        assert diagnosis.explains(evidence(exercise, q.name)) is None, q.name
        # Float noise far below any tolerance is still correct work.
        noisy = evidence(exercise, q.name, lambda r, i: r * (1 + 1e-12))
        assert diagnosis.explains(noisy) is None, q.name


BP, STEP, TANH, SOFTMAX = EXERCISES
NONE, SIGMOID = "none", "sigmoid"
HALF = "L = 1/2 sum_k (y_k - h_k)^2"

# (exercise, quantity, the mistake planted, the diagnosis that must name it, and what its
# sentence must say: the exercise's own loss and activations, in their formula texts)
PLANTED = [
    (BP, "W1", Mistake(sign=-1.0), "sign-flipped", [HALF, "dL/dh = -(y - h), not y - h"]),
    (BP, "b2", Mistake(sign=-1.0), "sign-flipped", [HALF]),
    (SOFTMAX, "W1", Mistake(sign=-1.0), "sign-flipped", ["-sum_k y_k log h_k", "softmax"]),
    (BP, "b1", Mistake(derivatives=((1, NONE),)), "missing-activation-derivative", ["h(1 - h)"]),
    (TANH, "W1", Mistake(derivatives=((2, NONE),)), "missing-activation-derivative", ["1 - h^2"]),
    (
        TANH,
        "b1",
        Mistake(derivatives=((1, NONE), (2, NONE))),
        "missing-activation-derivative",
        ["layers 1 (tanh) and 2 (tanh)"],
    ),
    (
        SOFTMAX,
        "b1",
        Mistake(derivatives=((1, NONE),)),
        "missing-activation-derivative",
        ["layer 1 (tanh)", "1 - h^2"],
    ),
    (
        BP,
        "W1",
        Mistake(derivatives=((1, "tanh"),)),
        "wrong-activation-derivative",
        ["tanh's 1 - h^2", "h(1 - h)"],
    ),
    (
        TANH,
        "b2",
        Mistake(derivatives=((2, SIGMOID),)),
        "wrong-activation-derivative",
        ["sigmoid's h(1 - h)"],
    ),
    (
        TANH,
        "W1",
        Mistake(derivatives=((1, SIGMOID), (2, SIGMOID))),
        "wrong-activation-derivative",
        ["layers 1 (tanh) and 2 (tanh)"],
    ),
    (BP, "W2", Mistake(weight_input="z"), "pre-activation-used", ["h_j^(l-1)"]),
    (BP, "b1", Mistake(derivatives=((1, "at-z"),)), "pre-activation-used", ["h(1 - h)"]),
    (TANH, "W2", Mistake(weight_input="z"), "pre-activation-used", ["h_j^(l-1)"]),
    (
        SOFTMAX,
        "W1",
        Mistake(untransposed=(2,)),
        "untransposed-weight",
        ["W^2 goes back without its transpose", "dL/dh^1 = (W^2)^T dL/dz^2"],
    ),
    (STEP, "W1", Mistake(no_learning_rate=True), "no-learning-rate", ["eta"]),
    (STEP, "b2", Mistake(factor=-1.0), "ascent", ["w - eta * dL/dw"]),
    (STEP, "W1", Mistake(stale=True), "stale-order", ["first"]),
    (STEP, "b1", Mistake(derivatives=((1, NONE),)), "missing-activation-derivative", ["h(1 - h)"]),
]
PLANTED_IDS = [f"{e}-{n}-{d}" for e, n, _, d, _ in PLANTED]


@pytest.mark.parametrize(
    ("exercise_id", "name", "mistake", "diagnosis_id", "says"), PLANTED, ids=PLANTED_IDS
)
def test_a_planted_mistake_is_explained(
    bundled_exercise: Load,
    exercise_id: str,
    name: str,
    mistake: Mistake,
    diagnosis_id: str,
    says: list[str],
) -> None:
    diagnosis = diagnoses()[diagnosis_id]
    sentence = diagnosis.explains(planted(bundled_exercise(exercise_id), name, mistake))
    assert sentence is not None
    for fragment in says:
        assert fragment in sentence, sentence
    # One line for the report, a sentence of its own.
    assert sentence.endswith(".") and "\n" not in sentence and 20 < len(sentence) < 300


@pytest.mark.parametrize(
    ("exercise_id", "name", "mistake", "diagnosis_id", "says"), PLANTED, ids=PLANTED_IDS
)
def test_a_planted_mistake_on_the_hidden_cases_only_is_not_explained(
    bundled_exercise: Load,
    exercise_id: str,
    name: str,
    mistake: Mistake,
    diagnosis_id: str,
    says: list[str],
) -> None:
    ev = planted(bundled_exercise(exercise_id), name, mistake)
    ev.submitted[0] = ev.reference[0].copy()  # right on the worked case
    assert diagnoses()[diagnosis_id].explains(ev) is None


def test_the_sign_flip_on_cross_entropy_never_speaks_of_a_squared_error(
    bundled_exercise: Load,
) -> None:
    ev = planted(bundled_exercise(SOFTMAX), "W2", Mistake(sign=-1.0))
    sentence = builtin.sign_flipped.explains(ev)
    assert sentence is not None
    assert "(y - h)^2" not in sentence and "1/2" not in sentence
    assert "dL/dz^2 = h - y, not y - h" in sentence


def test_the_fixed_sentences_are_one_line_for_the_report() -> None:
    for name, obj in diagnoses().items():
        sentence = getattr(obj, "sentence", None)
        if sentence is not None:
            assert sentence.endswith(".") and "\n" not in sentence, name
            assert 20 < len(sentence) < 250, name


def test_wrong_derivative_never_proposes_the_layers_own_derivative(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("house-price-backprop"), "W1")
    for mistake in builtin._wrong_derivatives(ev):
        for layer, how in mistake.derivatives:
            assert how != ev.exercise.network.layers[layer - 1].activation_name
    # Only the hidden sigmoid layer is planted into (the linear output has nothing to get wrong).
    assert {m.derivatives[0][0] for m in builtin._wrong_derivatives(ev)} == {1}


# --- hard-coded ----------------------------------------------------------------------------


def test_hard_coded_names_the_same_numbers_on_every_case(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")
    ev = evidence(exercise, "W1", lambda r, i: np.array([[-0.028, -0.058], [-0.018, -0.038]]))
    assert builtin.hard_coded.explains(ev) == builtin.hard_coded.sentence
    step = evidence(bundled_exercise("house-price-step"), "b2", lambda r, i: np.array([0.166]))
    assert builtin.hard_coded.explains(step) == builtin.hard_coded.sentence


def test_hard_coded_needs_more_than_one_case(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("house-price-backprop"), "W1", lambda r, i: np.ones((2, 2)))
    single = Evidence(ev.exercise, ev.quantity, ev.cases[:1], ev.reference[:1], ev.submitted[:1])
    assert builtin.hard_coded.explains(single) is None


def test_hard_coded_is_not_a_constant_reference(bundled_exercise: Load) -> None:
    # If the exact values are the same on every case, the same answer is simply right.
    ev = evidence(bundled_exercise("house-price-backprop"), "W1")
    same = Evidence(
        ev.exercise, ev.quantity, ev.cases, [ev.reference[0]] * 5, [np.ones((2, 2))] * 5
    )
    assert builtin.hard_coded.explains(same) is None


def test_hard_coded_needs_every_case(bundled_exercise: Load) -> None:
    constant = np.ones((2, 2))
    ev = evidence(
        bundled_exercise("house-price-backprop"),
        "W1",
        lambda r, i: None if i == 4 else constant,
    )
    assert builtin.hard_coded.explains(ev) is None
    varying = evidence(
        bundled_exercise("house-price-backprop"), "W1", lambda r, i: constant * (1 + (i == 4))
    )
    assert builtin.hard_coded.explains(varying) is None


# --- zero-gradient -------------------------------------------------------------------------


def test_zero_gradient(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")
    zeros = evidence(exercise, "W1", lambda r, i: np.zeros_like(r))
    assert builtin.zero_gradient.explains(zeros) == builtin.zero_gradient.sentence
    # Zeros on some cases only, or on a train step (where 0 is an updated weight), are not it.
    some = evidence(exercise, "W1", lambda r, i: np.zeros_like(r) if i else -r)
    assert builtin.zero_gradient.explains(some) is None
    step = evidence(bundled_exercise("house-price-step"), "W1", lambda r, i: np.zeros_like(r))
    assert builtin.zero_gradient.explains(step) is None


def test_zero_gradient_is_not_a_zero_reference(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("house-price-backprop"), "b2")
    zero = Evidence(ev.exercise, ev.quantity, ev.cases, [np.zeros(1)] * 5, [np.zeros(1)] * 5)
    assert builtin.zero_gradient.explains(zero) is None


# --- transposed ----------------------------------------------------------------------------


def test_transposed_square_weight_gradient(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")
    ev = evidence(exercise, "W1", lambda r, i: r.T.copy())
    assert builtin.transposed.explains(ev) == builtin.transposed.sentence
    partly = evidence(exercise, "W1", lambda r, i: r.T.copy() if i else r.copy())
    assert builtin.transposed.explains(partly) is None


@pytest.mark.parametrize(
    ("exercise_id", "name"),
    [("house-price-backprop", "W2"), ("house-price-backprop", "b1"), ("tanh-chain", "W1")],
    ids=["1x2", "vector", "1x1"],
)
def test_transposed_needs_a_square_matrix_that_changes(
    bundled_exercise: Load, exercise_id: str, name: str
) -> None:
    ev = evidence(bundled_exercise(exercise_id), name, lambda r, i: r.T.copy())
    assert builtin.transposed.explains(ev) is None


# --- scaled --------------------------------------------------------------------------------


def test_scaled_by_two_says_where_the_two_comes_from(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("house-price-backprop"), "W1", lambda r, i: 2 * r)
    sentence = builtin.scaled.explains(ev)
    assert sentence is not None
    assert "2" in sentence and "(y - h)^2" in sentence and "1/2" in sentence


def test_scaled_by_another_factor_names_the_factor(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("tanh-chain"), "b1", lambda r, i: 0.5 * r)
    sentence = builtin.scaled.explains(ev)
    assert sentence is not None and "0.5" in sentence and "(y - h)^2" not in sentence


@pytest.mark.parametrize(
    "submitted",
    [
        lambda r, i: (1 + i) * r,  # a different factor on every case
        lambda r, i: 2 * r if i else r,  # right on the worked case
        lambda r, i: r * (1 + 1e-4),  # within a rounding of 1
        lambda r, i: 1e-9 * r,  # as good as zero: not a factor
    ],
    ids=["factor-per-case", "hidden-only", "factor-1", "factor-0"],
)
def test_scaled_needs_one_factor_on_every_case(bundled_exercise: Load, submitted) -> None:
    ev = evidence(bundled_exercise("house-price-backprop"), "W1", submitted)
    assert builtin.scaled.explains(ev) is None


def test_scaled_needs_more_than_one_number(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("house-price-backprop"), "b2", lambda r, i: r + 0.1)
    assert builtin.scaled.explains(ev) is None  # over five cases the factor does not fit
    single = Evidence(ev.exercise, ev.quantity, ev.cases[:1], ev.reference[:1], ev.submitted[:1])
    assert builtin.scaled.explains(single) is None


def test_scaled_is_not_said_of_a_train_step(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("house-price-step"), "W1", lambda r, i: 2 * r)
    assert builtin.scaled.explains(ev) is None


def test_scaled_refuses_an_incomplete_submission(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("house-price-backprop"), "W1", lambda r, i: None if i else 2 * r)
    assert builtin.scaled.explains(ev) is None


def batched(ev: Evidence, m: int) -> Evidence:
    """The same evidence, its cases batches of m observations (only the shapes matter here)."""
    ev.cases = [
        dataclasses.replace(c, x=np.ones((m, c.x.size)), y=np.ones((m, c.y.size))) for c in ev.cases
    ]
    return ev


@pytest.mark.parametrize("name", ["W1", "b2"], ids=["W1", "b2"])
def test_scaled_by_the_batch_size_names_the_batch_mean(bundled_exercise: Load, name: str) -> None:
    ev = batched(evidence(bundled_exercise("house-price-backprop"), name, lambda r, i: 4 * r), 4)
    sentence = builtin.scaled.explains(ev)
    assert sentence is not None
    assert "m = 4 times" in sentence and "mean over the m = 4 observations" in sentence
    assert "1/2 sum_k (y_k - h_k)^2" in sentence and f"dL/d{name} carries 1/m" in sentence
    # 1/m twice: a fourth of the exact value.
    ev = batched(evidence(bundled_exercise("house-price-backprop"), name, lambda r, i: r / 4), 4)
    sentence = builtin.scaled.explains(ev)
    assert sentence is not None and "1/m = 1/4 of the exact value" in sentence


def test_scaled_by_4_on_single_observations_is_just_a_factor(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("house-price-backprop"), "W1", lambda r, i: 4 * r)
    sentence = builtin.scaled.explains(ev)
    assert sentence == "Every entry is off by the same factor, 4."


def test_the_factor_2_is_explained_only_by_a_squared_error(bundled_exercise: Load) -> None:
    ev = evidence(bundled_exercise("softmax-classifier"), "W1", lambda r, i: 2 * r)
    assert builtin.scaled.explains(ev) == "Every entry is off by the same factor, 2."


MATMUL = "ValueError: matmul: Input operand 1 has a mismatch in its core dimension 0, with "
MATMUL += "gufunc signature (n?,k),(k,m?)->(n?,m?) (size {} is different from {}) (line 9)"
DOT = "ValueError: shapes (1,2) and (1,1) not aligned: 2 (dim 1) != 1 (dim 0) (line 15)"


@pytest.mark.parametrize(
    ("error", "named"),
    [
        (MATMUL.format(1, 2), True),
        (MATMUL.format(2, 1), True),
        (DOT, True),
        (MATMUL.format(3, 5), False),
        ("ValueError: operands could not be broadcast", False),
    ],
    ids=["matmul", "matmul-rows", "dot", "other-sizes", "broadcast"],
)
def test_untransposed_reads_numpys_shape_error(bundled_exercise: Load, error: str, named: bool):
    ev = evidence(bundled_exercise("house-price-backprop"), "W1", lambda r, i: None)
    ev.problems = [f"raised {error}"] * len(ev.cases)
    sentence = builtin.untransposed_weight.explains(ev)
    assert (sentence is not None) == named, sentence
    if named:
        assert "W^2 (shape (1, 2)) needs its transpose" in sentence
    # One case that did not raise it: not every case is explained.
    ev.problems[2] = "the returned dict has no key 'W1'"
    assert builtin.untransposed_weight.explains(ev) is None


def test_untransposed_is_planted_only_into_square_weights(bundled_exercise: Load) -> None:
    # house-price's W2 is 1 x 2: nothing planted, so numbers alone never fit.
    ev = evidence(bundled_exercise("house-price-backprop"), "W1", lambda r, i: -r)
    assert builtin.untransposed_weight.explains(ev) is None


class BareLoss:
    """A plugin loss with the required members only: no texts at all."""

    canonical_link = None

    def value(self, h, y):
        return float(np.mean(np.sum((h - y) ** 4, axis=-1)))

    def gradient(self, h, y):
        return 4 * (h - y) ** 3 / np.atleast_2d(h).shape[0]

    def sample_targets(self, rng, shape):
        return rng.uniform(-1, 1, shape)


def test_a_plugin_loss_without_texts_is_named_by_its_name(bundled_exercise: Load) -> None:
    exercise = bundled_exercise("house-price-backprop")
    network = dataclasses.replace(exercise.network, loss=BareLoss(), loss_name="quartic")
    sentence = words.sign_flip(network)
    assert sentence == "The sign of dL/dh at the output is flipped: L = quartic gives its negative."
    # And the planted sign flip reaches it through the same machinery as a built-in loss.
    ev = planted(dataclasses.replace(exercise, network=network), "W1", Mistake(sign=-1.0))
    assert builtin.sign_flipped.explains(ev) == sentence
