"""Tests for grader.tasks.hooks and grader.tasks.shared: what the grader asks of a task, the
defaults of its optional members, and the built-in tasks using exactly that interface."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from grader import plugins
from grader.diagnose.mistakes import Mistake
from grader.exercise import LoadedExercise
from grader.plan.cases import worked_case
from grader.tasks import hooks, shared

SHARED = ["forward", "gradients", "deltas", "updated", "trained", "loss", "loss_after", "losses"]
BUILTINS = ["backward", "forward", "train", "train-step"]


class _Bare:
    """A task with only the required members."""

    function = "f"
    requires = ()


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_tasks_implement_every_member(name: str) -> None:
    task = plugins.get("tasks", name)
    for member in ("sections", "exact", "by_hand", "explained", "plant"):
        if member != "plant" or name in ("backward", "train-step"):
            assert hasattr(task, member), f"{name} has no {member}"


def test_without_optional_members_a_task_gets_the_shared_defaults(
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    ex = bundled_exercise("house-price-backprop")
    case = worked_case(ex)
    assert list(hooks.sections(_Bare(), ex.network, case)) == list(
        shared.sections(ex.network, case)
    )
    assert hooks.explained(_Bare()) == shared.EXPLAINED
    assert hooks.plant(_Bare(), ex.network, case, Mistake(sign=-1.0)) is None
    exact = hooks.exact(_Bare(), ex.network, case)
    assert exact.keys() == hooks.exact(ex.task, ex.network, case).keys()
    assert sorted({key.split(".")[0] for key in exact}) == sorted(
        ["forward", "gradients", "deltas", "loss", "updated", "loss_after"]
    )


def test_shared_sections_name_their_entries(
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    ex = bundled_exercise("house-price-train")
    sections = shared.sections(ex.network, worked_case(ex))
    assert sorted(sections) == sorted(SHARED)
    assert sections["gradients"].label("W1", (1, 0)) == "dL/dw_21^1"
    assert sections["trained"].label("b2", (0,)) == "b_1^2 (trained)"
    assert sections["losses"].shape == (ex.spec.case.iterations + 1,)
    assert not sections["loss"].table and sections["updated"].table


def test_by_hand_reuses_the_printed_values(
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    ex = bundled_exercise("house-price-backprop")
    case = worked_case(ex)
    exact = hooks.exact(ex.task, ex.network, case)
    printed = {"forward.h1": np.array([0.484, 0.424]), "gradients.b2": np.array([1.17])}
    by_hand = hooks.by_hand(ex.task, ex.network, case, printed, exact)
    assert by_hand["gradients.W2"][0, 0] == pytest.approx(1.17 * 0.484, abs=1e-3)
    assert by_hand["updated.b2"][0] == pytest.approx(0.4 - 0.2 * 1.17)  # from the printed 1.17


def test_explained_keeps_the_lectures_order() -> None:
    class Loss(_Bare):
        explained = ("loss", "forward")

    assert hooks.explained(Loss()) == ("forward", "loss")


def test_a_planted_mistake_of_another_kind_is_not_the_builtin_tasks(
    bundled_exercise: Callable[[str], LoadedExercise],
) -> None:
    ex = bundled_exercise("house-price-backprop")
    assert hooks.plant(ex.task, ex.network, worked_case(ex), object()) is None
    planted = hooks.plant(ex.task, ex.network, worked_case(ex), Mistake(sign=-1.0))
    assert planted is not None and set(planted) == {"W1", "b1", "W2", "b2"}
