"""Tests for grader.diagnose.evidence: what a diagnosis looks at, and when a mistake fits."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from grader.diagnose import builtin
from grader.diagnose.evidence import Evidence
from grader.diagnose.mistakes import Mistake, mistaken_backward, mistaken_step
from grader.exercise import LoadedExercise
from grader.plan.cases import plan_cases
from grader.tasks.backward import task as backward_task

Load = Callable[[str], LoadedExercise]
SEED = 1234


def evidence(exercise: LoadedExercise, name: str, submitted=None, slack=None) -> Evidence:
    """Evidence for quantity `name` on the worked case and the hidden cases of SEED;
    `submitted` is a function of the reference value (default: the reference itself)."""
    cases = plan_cases(exercise, SEED)
    quantity = next(q for q in exercise.quantities if q.name == name)
    refs = [np.asarray(exercise.task.reference(exercise.network, c)[name]) for c in cases]
    make = submitted or (lambda r, i: r.copy())
    return Evidence(
        exercise, quantity, cases, refs, [make(r, i) for i, r in enumerate(refs)], slack or []
    )


@pytest.fixture
def backprop(bundled_exercise: Load) -> LoadedExercise:
    return bundled_exercise("house-price-backprop")


def test_complete_needs_finite_numbers_on_every_case(backprop: LoadedExercise) -> None:
    assert evidence(backprop, "W1").complete
    for broken in (None, np.array([[np.nan, 0.0], [0.0, 0.0]]), np.full((2, 2), np.inf)):
        ev = evidence(backprop, "W1", lambda r, i, b=broken: b if i == 2 else r)
        assert not ev.complete


def test_fits_refuses_a_prediction_equal_to_the_reference(backprop: LoadedExercise) -> None:
    # A mistake that changes nothing here explains nothing, even though it "matches".
    ev = evidence(backprop, "W2")
    assert not ev.fits(list(ev.reference))
    assert not ev.fits(ev.predict(Mistake(derivatives=((1, "none"),))))  # W2 does not use it


def test_fits_refuses_a_prediction_off_by_float_noise_only(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W2", lambda r, i: r * (1 + 1e-9))
    assert not ev.fits([r * (1 + 1e-9) for r in ev.reference])


def test_fits_accepts_a_prediction_matching_every_case(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W2", lambda r, i: -r)
    assert ev.fits([-r for r in ev.reference])
    assert ev.fits(ev.predict(Mistake(sign=-1.0)))


def test_fits_refuses_a_prediction_wrong_on_one_case(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W2", lambda r, i: -r if i != 3 else 1.5 * r)
    assert not ev.fits([-r for r in ev.reference])


def test_fits_refuses_a_mistake_that_explains_the_hidden_cases_only(
    backprop: LoadedExercise,
) -> None:
    ev = evidence(backprop, "b2", lambda r, i: r if i == 0 else -r)
    assert not ev.fits(ev.predict(Mistake(sign=-1.0)))


@pytest.mark.parametrize(
    "missing",
    [None, np.array([[np.nan, 1.0]]), np.array([[np.inf, 1.0]])],
    ids=["nothing-returned", "nan", "inf"],
)
def test_fits_refuses_an_incomplete_submission(backprop: LoadedExercise, missing) -> None:
    # Wrong in exactly the predicted way on every case but one, where nothing usable came back.
    ev = evidence(backprop, "W2", lambda r, i: missing if i == 1 else -r)
    assert not ev.complete
    assert not ev.fits([-r for r in ev.reference])


def test_fits_refuses_no_prediction(backprop: LoadedExercise) -> None:
    assert not evidence(backprop, "W2", lambda r, i: -r).fits(None)


def test_close_is_relative_with_an_absolute_floor(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W2")
    want = np.array([100.0, 1e-12])
    assert ev.close(want * (1 + 5e-6), want, 0)
    assert not ev.close(want * (1 + 5e-5), want, 0)
    assert ev.close(np.array([100.0, 5e-9]), want, 0)
    assert not ev.close(np.array([100.0, 5e-8]), want, 0)


def test_slack_widens_close_per_case(backprop: LoadedExercise) -> None:
    # Hand-computed answers carry their own rounding: the slack of case i applies to case i.
    slack = [np.full((1, 2), 2e-4), 0.0, 0.0, 0.0, 0.0]
    ev = evidence(backprop, "W2", slack=slack)
    want = np.array([[0.5, 0.4]])
    assert ev.close(want + 1.9e-4, want, 0)
    assert not ev.close(want + 2.2e-4, want, 0)
    assert not ev.close(want + 1.9e-4, want, 1)


def test_a_sign_flip_computed_by_hand_fits_within_the_slack(backprop: LoadedExercise) -> None:
    # -1.17 written by hand for the exact -1.1701: within two written units, not within 1e-5.
    def by_hand(slack: list) -> Evidence:
        ev = evidence(backprop, "b2", lambda r, i: np.round(-r, 2))
        return Evidence(
            ev.exercise, ev.quantity, ev.cases[:1], ev.reference[:1], ev.submitted[:1], slack
        )

    assert by_hand([np.array([0.02])]).fits(by_hand([]).predict(Mistake(sign=-1.0)))
    assert not by_hand([]).fits(by_hand([]).predict(Mistake(sign=-1.0)))


def test_predict_is_the_mistaken_backward_of_every_case(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W1")
    mistake = Mistake(derivatives=((1, "tanh"),))
    got = ev.predict(mistake)
    assert got is not None and len(got) == len(ev.cases) == 5
    for case, value in zip(ev.cases, got, strict=True):
        want = mistaken_backward(backprop.network, case.params, case.x, case.y, mistake)["W1"]
        np.testing.assert_array_equal(value, want)


def test_predict_with_no_mistake_is_the_reference(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "b1")
    for got, want in zip(ev.predict(Mistake()), ev.reference, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_predict_caches_per_mistake(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W1")
    first = ev.predict(Mistake(sign=-1.0))
    assert ev.predict(Mistake(sign=-1.0)) is first
    assert ev.predict(Mistake(weight_input="z")) is not first


def test_predict_on_a_train_step_is_the_mistaken_update(bundled_exercise: Load) -> None:
    step = bundled_exercise("house-price-step")
    ev = evidence(step, "W2")
    mistake = Mistake(no_learning_rate=True)
    for case, value in zip(ev.cases, ev.predict(mistake), strict=True):
        assert case.learning_rate == 0.2
        want = mistaken_step(step.network, case.params, case.x, case.y, 0.2, mistake)["W2"]
        np.testing.assert_array_equal(value, want)
    # The worked case: w_11^2 = 0.3 - 0.5666 (no learning rate), not 0.3 - 0.2 * 0.5666.
    np.testing.assert_allclose(ev.predict(mistake)[0], [[0.3 - 0.56662, 0.2 - 0.49623]], atol=1e-4)


def test_predict_is_none_for_a_task_it_cannot_plant_mistakes_in(bundled_exercise: Load) -> None:
    forward = bundled_exercise("house-price-forward")
    assert forward.spec.task == "forward"
    name = forward.quantities[0].name
    assert evidence(forward, name).predict(Mistake(sign=-1.0)) is None


class GradientsByAnotherName:
    """A third-party task: the gradients under another function name, with its own plant hook
    (delegating to the planted-mistake backprop, as the built-in backward does)."""

    function = "gradients"
    requires = ()

    def arguments(self, case):
        return {"params": case.params, "x": case.x, "y": case.y}

    def quantities(self, network):
        return backward_task.quantities(network)

    def reference(self, network, case):
        return backward_task.reference(network, case)

    def plant(self, network, case, mistake):
        return mistaken_backward(network, case.params, case.x, case.y, mistake)


class WithoutPlant(GradientsByAnotherName):
    plant = None  # type: ignore[assignment]


def test_a_third_party_task_plants_mistakes_through_its_own_hook(backprop: LoadedExercise) -> None:
    third = dataclasses.replace(backprop, task=GradientsByAnotherName())
    ev = evidence(third, "b1", lambda r, i: -r)
    assert ev.fits(ev.predict(Mistake(sign=-1.0)))
    assert builtin.sign_flipped.explains(ev) is not None
    # Without the hook: no planted diagnosis, and no error either.
    bare = dataclasses.replace(backprop, task=WithoutPlant())
    assert evidence(bare, "b1", lambda r, i: -r).predict(Mistake(sign=-1.0)) is None


def test_errors_are_what_each_case_raised(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W1", lambda r, i: None)
    assert ev.errors == [""] * 5  # no problems given: nothing raised that we know of
    ev.problems = [
        "raised ValueError: matmul: ...",
        "the returned dict has no key 'W1'",
        "",
        "",
        "",
    ]
    assert ev.errors == ["ValueError: matmul: ...", "", "", "", ""]


def test_batch_is_the_number_of_observations_of_every_case(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W1")
    assert ev.batch is None
    batched = [dataclasses.replace(c, x=np.ones((3, 2)), y=np.ones((3, 1))) for c in ev.cases]
    ev.cases = batched
    assert ev.batch == 3
    ev.cases = [*batched[:-1], dataclasses.replace(batched[-1], x=np.ones((4, 2)))]
    assert ev.batch is None


def test_a_mistake_is_planted_into_the_worked_case_once_per_exercise(
    backprop: LoadedExercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A class run diagnoses every submission on the same worked case: plant there once.
    from grader.tasks import hooks

    planted: list[str] = []
    real = hooks.plant

    def plant(task, net, case, mistake):
        planted.append(case.label)
        return real(task, net, case, mistake)

    monkeypatch.setattr(hooks, "plant", plant)
    mistake = Mistake(sign=-1.0, scale=3.25)  # asked by no other test: not planted yet
    for seed in (SEED, SEED + 1):
        cases = plan_cases(backprop, seed)
        refs = [np.asarray(backward_task.reference(backprop.network, c)["W2"]) for c in cases]
        quantity = next(q for q in backprop.quantities if q.name == "W2")
        ev = Evidence(backprop, quantity, cases, refs, [-3.25 * r for r in refs])
        assert ev.explained_by(mistake)
    assert planted.count("worked case") == 1
    assert planted.count("hidden case 1") == 2  # the hidden cases are each submission's own


def test_what_is_planted_into_the_worked_case_cannot_be_changed(backprop: LoadedExercise) -> None:
    ev = evidence(backprop, "W1")
    (value, *_) = ev.predict(Mistake(sign=-1.0)) or []
    with pytest.raises(ValueError, match="read-only"):
        value[0, 0] = 1.0
