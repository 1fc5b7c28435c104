"""The model solution `grader new` writes: plain numpy code for one network, loss and task.

The code runs in the sandbox, where the grader cannot be imported, so it carries its own
activations and loss; only those the network uses are written out. It is general in everything
the hidden cases vary (parameters, x, y; one observation or a batch), so it earns full marks on
them too. Only the built-in activations, losses and tasks are known here: `supported` says why
anything else is refused.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from grader import plugins

# How each built-in activation is written: h from z, then dL/dz from z, h and g = dL/dh.
ACTIVATIONS = {
    "linear": ("z", "g"),
    "sigmoid": ("1.0 / (1.0 + np.exp(-z))", "g * h * (1.0 - h)"),
    "tanh": ("np.tanh(z)", "g * (1.0 - h**2)"),
    "relu": ("np.maximum(z, 0.0)", "g * (z > 0)"),
    "leaky-relu": (
        "np.where(z > 0, z, SLOPE * z)",
        "g * np.where(z > 0, 1.0, SLOPE)",
    ),
    # Each row's probabilities; the Jacobian product h_k (g_k - sum_j g_j h_j), row by row.
    "softmax": ("softmax(z)", "h * (g - (g * h).sum(axis=1, keepdims=True))"),
}

_SOFTMAX = '''def softmax(z):
    """Each row's probabilities; subtracting the row's max changes nothing but overflow."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    """log h of a softmax, exact where h is within a rounding of 0 or 1."""
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))'''


# Each loss per row summed over the outputs, then the mean over the m rows: (value, dL/dh).
# logh and log1mh are log h and log(1 - h), from z where the output activation allows.
LOSSES = {
    "half-squared-error": ("0.5 * np.sum((y - h) ** 2) / m", "(h - y) / m"),
    "mean-squared-error": ("np.sum((y - h) ** 2) / (m * n)", "2.0 * (h - y) / (m * n)"),
    "binary-cross-entropy": (
        "-np.sum(y * logh + (1.0 - y) * log1mh) / m",
        "((1.0 - y) / (1.0 - h) - y / h) / m",
    ),
    "categorical-cross-entropy": ("-np.sum(y * logh) / m", "-y / h / m"),
}
_LOGS = {"binary-cross-entropy", "categorical-cross-entropy"}

# log h and log(1 - h) of an output layer, exact from z where h is within a rounding of 0 or 1.
_LOG_OUTPUT = {
    "sigmoid": ("-np.logaddexp(0.0, -z)", "-np.logaddexp(0.0, z)"),
    "softmax": ("log_softmax(z)", "np.log1p(-h)"),
}
# Output activation and loss whose derivatives cancel: dL/dz^L in one step (a one-hot row of a
# categorical target sums to 1; h * sum(y) - y holds for any row).
_LINKED = {
    ("sigmoid", "binary-cross-entropy"): "(h - y) / m",
    ("softmax", "categorical-cross-entropy"): "(h * y.sum(axis=1, keepdims=True) - y) / m",
}

# What each built-in task's function returns, written from the helpers below.
TASKS = {
    "forward": (
        "forward(params, x)",
        "every layer's output h1, h2, ...",
        [
            "zs, hs = forward_pass(params, x)",
            'return {f"h{l}": shaped(h, x) for l, h in enumerate(hs[1:], start=1)}',
        ],
    ),
    "backward": (
        "backward(params, x, y)",
        "dL/dparam for every parameter, same names and shapes",
        ["return gradients(params, x, y)"],
    ),
    "train-step": (
        "train_step(params, x, y, learning_rate)",
        "the parameters after one step of gradient descent",
        [
            "grads = gradients(params, x, y)",
            "return {name: params[name] - learning_rate * grads[name] for name in params}",
        ],
    ),
    "train": (
        "train(params, x, y, learning_rate, iterations)",
        "the parameters after `iterations` steps and `losses`, the loss before each step and "
        "after the last",
        [
            "losses = []",
            "for _ in range(iterations):",
            "    losses.append(loss(params, x, y))",
            "    grads = gradients(params, x, y)",
            "    params = {name: params[name] - learning_rate * grads[name] for name in params}",
            "losses.append(loss(params, x, y))",
            'return {**params, "losses": np.array(losses)}',
        ],
    ),
}


@dataclass(frozen=True)
class Design:
    """What the model solution implements."""

    exercise_id: str
    task: str
    inputs: int
    layers: tuple[tuple[int, str], ...]  # (units, activation) of layers 1, 2, ...
    loss: str


def unsupported(design: Design) -> list[tuple[str, str]]:
    """(option, message) for every name this module cannot write a model solution for."""
    problems = []
    if design.task not in TASKS:
        problems.append(("--task", _plugin_only("task", design.task, TASKS)))
    for _, name in design.layers:
        if name not in ACTIVATIONS:
            problems.append(("--layers", _plugin_only("activation", name, ACTIVATIONS)))
    if design.loss not in LOSSES:
        problems.append(("--loss", _plugin_only("loss", design.loss, LOSSES)))
    return problems


def _plugin_only(kind: str, name: str, known: dict) -> str:
    return (
        f"{kind} {name!r} comes from a plugin: `grader new` writes model solutions for the "
        f"built-in ones only ({', '.join(known)})"
    )


def _slope() -> float:
    """leaky-relu's slope, as the installed built-in defines it (one place that says it)."""
    return float(plugins.get("activations", "leaky-relu").parameters["slope"])


def _activation_code(used: list[str]) -> list[str]:
    lines = ["def activate(name, z):", '    """h = act(z), row by row."""']
    for name in used:
        lines.append(f'    if name == "{name}":\n        return {ACTIVATIONS[name][0]}')
    lines.append('    raise ValueError(f"unknown activation {name}")')
    lines += ["", "", "def through(name, z, h, g):"]
    lines.append('    """dL/dz of a layer from g = dL/dh (z, h: its pre-activation, output)."""')
    for name in used:
        lines.append(f'    if name == "{name}":\n        return {ACTIVATIONS[name][1]}')
    lines.append('    raise ValueError(f"unknown activation {name}")')
    return lines


def _loss_code(design: Design) -> list[str]:
    output = design.layers[-1][1]
    value, derivative = LOSSES[design.loss]
    lines = [
        "def loss(params, x, y):",
        '    """L: the loss of each observation, the mean over the rows of a batch."""',
        "    zs, hs = forward_pass(params, x)",
        "    z, h, y = zs[-1], hs[-1], np.atleast_2d(y)",
        "    m, n = y.shape",
    ]
    if design.loss in _LOGS:
        logh, log1mh = _LOG_OUTPUT.get(output, ("np.log(h)", "np.log1p(-h)"))
        lines.append(f"    logh = {logh}")
        if design.loss == "binary-cross-entropy":
            lines.append(f"    log1mh = {log1mh}")
    lines += [f"    return {value}", "", ""]
    lines += ["def output_delta(z, h, y):", '    """dL/dz^L, the output layer\'s delta."""']
    lines.append("    m, n = y.shape")
    linked = _LINKED.get((output, design.loss))
    if linked:
        lines.append(f"    return {linked}  # the derivatives of loss and activation cancel")
    else:
        lines += [f"    g = {derivative}  # dL/dh^L", f'    return through("{output}", z, h, g)']
    return lines


_FORWARD = '''def forward_pass(params, x):
    """z^l and h^l of every layer as (m, units) rows; hs[0] is x (one row for one observation)."""
    h = np.atleast_2d(np.asarray(x, dtype=float))
    zs, hs = [], [h]
    for l, (units, name) in enumerate(LAYERS, start=1):
        z = h @ np.asarray(params[f"W{l}"]).T + np.asarray(params[f"b{l}"])
        h = activate(name, z)
        zs.append(z)
        hs.append(h)
    return zs, hs


def shaped(rows, x):
    """One observation's values as a 1-D array, a batch's as (m, units)."""
    return rows[0] if np.ndim(x) == 1 else rows'''

_GRADIENTS = '''def gradients(params, x, y):
    """dL/dW<l> and dL/db<l> for every layer, backpropagated from the output."""
    zs, hs = forward_pass(params, x)
    y = np.atleast_2d(np.asarray(y, dtype=float))
    delta = output_delta(zs[-1], hs[-1], y)  # dL/dz^L, one row per observation
    grads = {}
    for l in range(len(LAYERS), 0, -1):
        grads[f"W{l}"] = delta.T @ hs[l - 1]  # dz_k^l/dw_kj^l = h_j^(l-1), summed over rows
        grads[f"b{l}"] = delta.sum(axis=0)
        if l > 1:  # dL/dh^(l-1) = delta W<l>, then through layer l-1's activation
            g = delta @ np.asarray(params[f"W{l}"])
            delta = through(LAYERS[l - 2][1], zs[l - 2], hs[l - 1], g)
    return {name: grads[name] for name in params}'''


def _architecture(design: Design) -> str:
    widths = [str(design.inputs), *(f"{u} {a}" for u, a in design.layers)]
    return " -> ".join(widths)


def _layers(design: Design) -> str:
    return ", ".join(f'({units}, "{name}")' for units, name in design.layers)


def solution_code(design: Design) -> str:
    """The model solution's source text."""
    signature, returns, body = TASKS[design.task]
    used = list(dict.fromkeys(name for _, name in design.layers))
    trains = design.task != "forward"
    head = [
        f'"""Model solution for ``{design.exercise_id}`` (task: {design.task}), written by '
        "`grader new`.",
        "",
        f"The network: {design.inputs} inputs -> "
        + _architecture(design).split(" -> ", 1)[1]
        + (f", loss {design.loss}." if trains else "."),
        "z^l = W<l> h^(l-1) + b<l> and h^l = act_l(z^l), with h^0 = x; one observation x has",
        "shape (inputs,), a batch (m, inputs), and the loss is the mean over the m rows.",
        *textwrap.wrap(f"{signature} returns {returns}.", 95),
        '"""',
        "",
        "import numpy as np",
        "",
        f"LAYERS = [{_layers(design)}]  # (units, activation) of layers 1, 2, ...",
    ]
    if "leaky-relu" in used:
        head.append(f"SLOPE = {_slope()!r}  # leaky-relu: z if z > 0 else SLOPE z")
    parts = ["\n".join(head), *([_SOFTMAX] if "softmax" in used else [])]
    parts += ["\n".join(_activation_code(used)), _FORWARD]
    if trains:
        parts += ["\n".join(_loss_code(design)), _GRADIENTS]
    docstring = "\n    ".join(textwrap.wrap(f'    """Return {returns}."""', 95))
    parts.append("\n".join([f"def {signature}:", docstring, *(f"    {line}" for line in body)]))
    return "\n\n\n".join(parts) + "\n"
