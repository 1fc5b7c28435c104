"""What a worksheet says, whatever it is rendered as (markdown.py, html.py).

One student's problem in the lecture's notation (w_kj^l joins unit j of layer l-1 to unit k of
layer l; b_k^l, h_k^l, z_k^l; layer 0 is the input): the network, that student's numbers,
what to compute and to which precision, and the answers file to hand in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader import notation
from grader.exercise.loader import LoadedExercise
from grader.exercise.numbers import DecimalArray
from grader.plan.variants import student_id
from grader.worksheet.template import answer_keys, answers_template

DEFAULT_DECIMALS = 4  # an exercise without [variants]: the lecture's own precision

# What each printed section asks of a hand calculation, in the lecture's words and order.
STEPS = {
    "forward": "the forward pass: z_k^l = sum_j w_kj^l h_j^(l-1) + b_k^l and h_k^l = act(z_k^l) "
    "for every unit, layer by layer (h^0 = x)",
    "loss": "the loss L",
    "gradients": "every gradient dL/dw_kj^l and dL/db_k^l, output layer first (backpropagation)",
    "updated": "every parameter after one gradient-descent step: w - eta dL/dw",
    "loss_after": "the loss after that step",
    "trained": "the parameters after the given number of steps",
    "losses": "the loss before each step and after the last",
}


@dataclass(frozen=True)
class Worksheet:
    exercise: str
    title: str
    student: str
    decimals: int
    network: list[str]  # lines describing the network
    numbers: list[tuple[str, str]]  # (symbol, value as printed), parameters then x, y, eta
    steps: list[tuple[str, bool]]  # (what to compute, whether its answers are handed in)
    template: str  # the answers file to fill in
    keys: list[str]  # the template's keys, `section.name`
    command: str  # how the student checks the answers file
    personal: bool  # drawn from [variants] for this student; else the class's worked case

    def whose(self) -> str:
        """Whose numbers these are, in a sentence."""
        if self.personal:
            return "These numbers are yours alone: your classmates have their own."
        return "The whole class works the same numbers (this exercise has no [variants])."


def _vector(name: str, array: DecimalArray) -> list[tuple[str, str]]:
    rows = []
    for index in np.ndindex(array.shape):
        sub = ",".join(str(i + 1) for i in index)
        rows.append((f"{name}_{sub}" if len(index) < 2 else f"{name}_({sub})", array.text(index)))
    return rows


def _network_lines(exercise: LoadedExercise) -> list[str]:
    net = exercise.network
    lines = [f"inputs: {net.inputs} (layer 0, h^0 = x)"]
    for number, layer in enumerate(net.layers, start=1):
        formula = getattr(layer.activation, "formula", "")
        how = f" (h = {formula})" if formula else ""
        plural = "s" if layer.units != 1 else ""
        lines.append(f"layer {number}: {layer.units} unit{plural}, {layer.activation_name}{how}")
    formula = getattr(net.loss, "formula", "")
    lines.append(f"loss: {net.loss_name}" + (f", L = {formula}" if formula else ""))
    return lines


def build(exercise: LoadedExercise, student: str) -> Worksheet:
    """The worksheet of `exercise` as `student`'s variant (student_variant gives it)."""
    student = student_id(student)
    spec = exercise.spec
    decimals = spec.variants.decimals if spec.variants is not None else DEFAULT_DECIMALS
    numbers = [
        (notation.symbol(name, index), array.text(index))
        for name, array in spec.case.params.items()
        for index in np.ndindex(array.shape)
    ]
    numbers += _vector("x", spec.case.x) + _vector("y", spec.case.y)
    if spec.case.learning_rate is not None:
        numbers.append(("eta (learning rate)", str(spec.case.learning_rate)))
    if spec.case.iterations is not None:
        numbers.append(("steps", str(spec.case.iterations)))
    handed_in = {q.section for q in exercise.quantities}
    printed = [s for s in STEPS if s in spec.expected.sections or s in handed_in]
    steps = [(STEPS[s], s in handed_in) for s in printed]
    return Worksheet(
        exercise=exercise.id,
        title=spec.title,
        student=student,
        decimals=decimals,
        network=_network_lines(exercise),
        numbers=numbers,
        steps=steps,
        template=answers_template(exercise, student, decimals),
        keys=answer_keys(exercise),
        command=f"grader check answers.toml -e {exercise.id} --student {student}",
        personal=spec.variants is not None,
    )
