"""The exercise file `grader new` writes: TOML commented like exercises/house-price-backprop.toml.

Inputs and parameters are written with two decimals, printed values with the hand calculation's
decimals (the printed precision is part of the data), each entry where a rounded value reused
downstream moved it off the exact value's rounding with a comment that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from grader.plan.cases import Case
from grader.reference.network import Network

INLINE = 88  # a longer array is written one row per line
HIDDEN_CASES = 4

# The printed sections in the order a hand calculation reaches them.
ORDER = ("forward", "loss", "deltas", "gradients", "updated", "loss_after", "losses", "trained")
_VALUES = ("loss", "loss_after", "losses")  # a number or an array of [expected], not a table
_SECTION_NOTES = {
    "forward": "z1, h1, z2, h2, ...: each layer's pre-activation and output",
    "forward_batch": "z1, h1, ...: a row per observation",
    "deltas": "z1, z2, ...: dL/dz of each layer, the numbers backpropagation passes back",
    "gradients": "dL/dparam, same names and shapes as the parameters",
    "updated": "the parameters after one gradient-descent step",
    "trained": "the parameters after case.iterations steps",
}
_VALUE_NOTES = {
    "loss": "L at the worked case",
    "loss_after": "L after the step",
    "losses": "the loss before each iteration and after the last",
}
_TITLES = {
    "forward": "The forward pass",
    "backward": "Backpropagation",
    "train-step": "One gradient-descent step",
    "train": "Training by gradient descent",
}


@dataclass(frozen=True)
class Draft:
    """Everything the exercise file says."""

    exercise_id: str
    task: str
    network: Network
    case: Case
    written: Mapping[str, np.ndarray]  # "forward.h1", "loss", ...: the printed values
    decimals: int
    seed: int
    command: str  # the `grader new` command line that writes this file again
    quantities: tuple[str, ...]  # what the submission returns, each worth a point
    # "gradients.W1" -> notes on its entries whose printed value is a rounding artefact
    artefacts: Mapping[str, list[str]] = field(default_factory=dict)


def number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def array(values: np.ndarray, decimals: int, indent: str = "") -> str:
    """A TOML array (nested for a matrix); long ones one row per line."""
    values = np.asarray(values)
    if values.ndim == 0:
        return number(float(values), decimals)
    if values.ndim == 1:
        return "[" + ", ".join(number(float(v), decimals) for v in values) + "]"
    rows = [array(row, decimals) for row in values]
    inline = "[" + ", ".join(rows) + "]"
    if len(inline) <= INLINE:
        return inline
    return "[\n" + "".join(f"{indent}    {row},\n" for row in rows) + f"{indent}]"


def _key(name: str, text: str, note: str = "") -> str:
    line = f"{name} = {text}"
    if note and "\n" not in line and len(line) < 37:
        return f"{line:<37}# {note}"
    return (f"# {note}\n" if note else "") + line


def _table(header: str, note: str) -> str:
    return f"{header:<37}# {note}"


def _header(d: Draft) -> list[str]:
    return [
        f"# Written by `grader new` (seed {d.seed}); to write it again:",
        f"#   {d.command}",
        "# Edit anything: every key is described in the commented reference exercise,",
        "# house-price-backprop.toml (`grader list` shows where it is). Then check the file:",
        f"#   grader validate --exercises <this folder> {d.exercise_id}",
        "#",
        "# Numbers are read as decimals: the printed precision is part of the data.",
        f"# The printed values are a hand calculation at {d.decimals} decimals: each number is",
        "# rounded as it is written, and the rounded number is what the next step uses. Where",
        "# that moves a value off the exact value's rounding, a comment says so; `grader",
        "# validate` calls it a rounding artefact.",
    ]


def _identity(d: Draft) -> list[str]:
    widths = "-".join(str(n) for n in (d.network.inputs, *(la.units for la in d.network.layers)))
    acts = ", ".join(layer.activation_name for layer in d.network.layers)
    title = f"{_TITLES.get(d.task, d.task)} in a {widths} network ({acts}; {d.network.loss_name})"
    return [
        "# --- identity " + "-" * 80,
        _key("id", f'"{d.exercise_id}"', "what `--exercise` takes; must be the file name's stem"),
        f'title = "{title}"',
        f'source = "Drawn by grader new (seed {d.seed}): two-decimal parameters and inputs."',
        _key("task", f'"{d.task}"', "a task plugin: backward, train-step, forward, train"),
        _key("points", str(len(d.quantities)), "total: the sum of grading.points below"),
        "# The model solution: <id>.py beside this file, else ../solutions/<id>.py (where",
        "# grader new wrote it), or where a `solution` key says, relative to this file:",
        f'# solution = "../solutions/{d.exercise_id}.py"',
    ]


def _network(d: Draft) -> list[str]:
    formula = getattr(d.network.loss, "formula", "")
    lines = [
        "",
        "# --- network " + "-" * 80,
        "# Layers are numbered from 1 (layer 0 is the input). W<l> has shape (units_l,",
        "# units_{l-1}) and w_kj^l = W<l>[k-1, j-1]: z^l = W<l> h^{l-1} + b<l>, h^l = act_l(z^l).",
        "# Sizes: 1 to 16 inputs, 1 to 6 layers of 1 to 16 units each.",
        "[network]",
        _key("inputs", str(d.network.inputs), "size of x"),
        _key("loss", f'"{d.network.loss_name}"', f"L = {formula}" if formula else ""),
    ]
    last = len(d.network.layers)
    for number_, layer in enumerate(d.network.layers, start=1):
        role = "the output" if number_ == last else "hidden"
        lines += [
            "",
            _table("[[network.layers]]", f"layer {number_}, {role}"),
            f"units = {layer.units}",
            _key("activation", f'"{layer.activation_name}"', "linear, sigmoid, tanh, relu, ..."),
        ]
    return lines


def _case(d: Draft) -> list[str]:
    c = d.case
    batch = c.x.ndim == 2
    lines = [
        "",
        "# --- the worked case " + "-" * 72,
        "# One observation: x has shape (inputs,), y (outputs,); a batch: x (m, inputs), y (m,",
        "# outputs), with the loss the mean over the m rows. The hidden cases draw new values.",
        "[case]",
        _key("x", array(c.x, 2), f"{len(c.x)} observations" if batch else "the inputs"),
        _key("y", array(c.y, 2), "the targets"),
    ]
    if c.learning_rate is not None:
        lines.append(_key("learning_rate", number(c.learning_rate, 2), "more than 0, at most 100"))
    if c.iterations is not None:
        lines.append(_key("iterations", str(c.iterations), "gradient-descent steps, 1 to 1000"))
    lines += ["", _table("[case.params]", "every parameter: W1, b1, W2, b2, ...")]
    lines += [f"{name} = {array(value, 2)}" for name, value in c.params.items()]
    return lines


def _printed(d: Draft, key: str, name: str) -> str:
    notes = d.artefacts.get(key, [])
    comment = "".join(f"# {note}\n" for note in notes)
    return comment + f"{name} = {array(d.written[key], d.decimals)}"


def _expected(d: Draft) -> list[str]:
    lines = [
        "",
        "# --- what the document prints, as printed (every table and key is optional) " + "-" * 16,
    ]
    values = [k for k in _VALUES if k in d.written]
    if values:
        lines.append("[expected]")
        lines += [f"# {k}: {_VALUE_NOTES[k]}\n" + _printed(d, k, k) for k in values]
    for section in ORDER:
        keys = [k for k in d.written if k.startswith(f"{section}.")]
        if keys:
            batch = section == "forward" and d.case.x.ndim == 2
            note = _SECTION_NOTES["forward_batch" if batch else section]
            lines += ["", _table(f"[expected.{section}]", note)]
            lines += [_printed(d, k, k.split(".", 1)[1]) for k in keys]
    return lines


def _grading(d: Draft) -> list[str]:
    lines = [
        "",
        "# --- grading " + "-" * 80,
        "[grading]",
        "# tolerance: relabs, decimals, sigfigs or document (see the reference exercise)",
        _key("tolerance", '{ mode = "document" }', "the printed values pass, and exact code"),
        _key("hidden_cases", str(HIDDEN_CASES), "random cases of the same network, 0 to 100"),
        "",
        _table("[grading.points]", "per returned quantity"),
    ]
    return lines + [f"{name} = 1" for name in d.quantities]


def exercise_text(d: Draft) -> str:
    parts = [_header(d), [""], _identity(d), _network(d), _case(d), _expected(d), _grading(d)]
    return "\n".join(line for part in parts for line in part) + "\n"
