"""A worked solution of an exercise's worked case, written the way the lecture writes one.

text = explain(load_exercise("house-price-backprop"))            # plain text
text = explain(load_exercise("house-price-backprop"), markdown=True)

The forward pass with numbers, the loss, every gradient as its chain-rule product with the
numbers filled in (output layer first), the gradient-descent update and the loss after it when
the case has a learning rate, and the losses of training when it has iterations. A batch:
every observation worked out on its own (its loss l_i in the place of L), then the loss and the
gradients of the batch as the means of theirs (explain/batch.py).
"""

from __future__ import annotations

from grader.exercise.loader import LoadedExercise
from grader.explain.backward import backward_sections
from grader.explain.batch import batch_sections
from grader.explain.forward import forward_section, loss_section
from grader.explain.text import Section, num, render
from grader.explain.trace import trace
from grader.explain.update import training_section, update_section
from grader.plan.cases import worked_case
from grader.tasks import hooks

__all__ = ["explain"]


def _matrix(value) -> str:
    if value.ndim == 0:
        return num(value)
    return "[" + ", ".join(_matrix(row) for row in value) + "]"


def _case_section(exercise: LoadedExercise) -> Section:
    net, case = exercise.network, worked_case(exercise)
    layers = " -> ".join(
        f"layer {i}: {layer.units} {layer.activation_name}"
        for i, layer in enumerate(net.layers, start=1)
    )
    lines = [f"x = {_matrix(case.x)}", f"y = {_matrix(case.y)}"]
    lines += [f"{name} = {_matrix(value)}" for name, value in case.params.items()]
    if case.learning_rate is not None:
        lines.append(f"eta = {num(case.learning_rate)} (learning rate)")
    batch = (
        f" A batch of m = {case.x.shape[0]} observations, one per row of x and y; the loss is "
        f"the {net.reduction} of theirs."
        if case.x.ndim == 2
        else ""
    )
    note = (
        f"{net.inputs} input{'s' if net.inputs != 1 else ''} -> {layers}; loss {net.loss_name}."
        f"{batch} Numbers to 5 significant figures."
    )
    return Section("Network and worked case", note, lines)


def explain(exercise: LoadedExercise, markdown: bool = False) -> str:
    """The worked solution as plain text, or as Markdown (headings and code blocks)."""
    case = worked_case(exercise)
    title = f"{exercise.id}: {exercise.spec.title}"
    parts = hooks.explained(exercise.task)  # what the task's Task.explained asks for
    if case.x.ndim == 2:
        sections = [_case_section(exercise), *batch_sections(exercise.network, case, parts)]
        return render(title, sections, markdown)
    tr = trace(exercise.network, case.params, case.x, case.y)
    sections = [_case_section(exercise)]
    sections += [forward_section(tr)] if "forward" in parts else []
    sections += [loss_section(tr)] if "loss" in parts else []
    sections += backward_sections(tr) if "backward" in parts else []
    if case.learning_rate is not None and "update" in parts:
        sections.append(update_section(tr, case.x, case.learning_rate))
    if case.learning_rate is not None and case.iterations is not None and "training" in parts:
        sections.append(training_section(tr, case.x, case.learning_rate, case.iterations))
    return render(title, sections, markdown)
