import numpy as np

from grader.exercise.course import load_named
from grader.plan.cases import worked_case
from grader.tasks import hooks
from grader.tasks.rounding import hand_calculation


def _step():
    exercise = load_named("house-price-step")
    return exercise, worked_case(exercise)


def test_every_value_is_written_at_the_given_decimals():
    exercise, case = _step()
    written = hand_calculation(exercise.task, exercise.network, case, 2)
    for key, value in written.items():
        assert np.array_equal(value, np.round(value, 2)), key


def test_a_rounded_value_is_what_the_next_step_reuses():
    exercise, case = _step()
    written = hand_calculation(exercise.task, exercise.network, case, 2)
    # z2 = W2 h1 + b2 from h1 as written (0.48, 0.42), not from the exact h1.
    params = case.params
    from_written = params["W2"] @ written["forward.h1"] + params["b2"]
    assert written["forward.z2"] == np.round(from_written, 2)
    exact_h1 = 1 / (1 + np.exp(-np.asarray([-0.063, -0.306])))
    assert not np.allclose(written["forward.h1"], exact_h1, atol=1e-6)


def test_at_full_precision_it_is_the_exact_calculation():
    exercise, case = _step()
    written = hand_calculation(exercise.task, exercise.network, case, 15)

    exact = hooks.exact(exercise.task, exercise.network, case)
    for key in exact:
        np.testing.assert_allclose(written[key], exact[key], atol=1e-13)


def test_a_hand_calculation_makes_its_gradients_from_its_rounded_deltas() -> None:
    from grader.exercise import load_exercise
    from grader.plan.cases import worked_case
    from grader.tasks.rounding import hand_calculation

    ex = load_exercise("mazur-step")
    written = hand_calculation(ex.task, ex.network, worked_case(ex), 4)
    keys = list(written)
    assert keys.index("deltas.z2") < keys.index("deltas.z1") < keys.index("gradients.W2")
    h1 = written["forward.h1"]
    assert written["gradients.W2"][0, 0] == round(written["deltas.z2"][0] * h1[0], 4)
