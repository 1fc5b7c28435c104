"""The built-in diagnoses, each a plugin: `priority` orders them, `explains` returns the
sentence for the report when the mistake fits the submission on every case, else None."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from grader.diagnose.evidence import Evidence
from grader.diagnose.mistakes import DERIVATIVE_OF_H, Mistake


def _nonlinear_layers(ev: Evidence) -> list[int]:
    return [
        i
        for i, layer in enumerate(ev.exercise.network.layers, start=1)
        if layer.activation_name in DERIVATIVE_OF_H and layer.activation_name != "linear"
    ]


def _per_layer(ev: Evidence, how: str) -> Iterator[tuple[tuple[int, str], ...]]:
    """The derivative changed in one layer at a time, then in every such layer at once."""
    layers = _nonlinear_layers(ev)
    yield from (((i, how),) for i in layers)
    if len(layers) > 1:
        yield tuple((i, how) for i in layers)


class Planted:
    """A diagnosis that fits when some planted variant of one mistake reproduces the values."""

    def __init__(self, priority: int, sentence: str, variants) -> None:
        self.priority, self.sentence, self._variants = priority, sentence, variants

    def explains(self, ev: Evidence) -> str | None:
        for mistake in self._variants(ev):
            if ev.fits(ev.predict(mistake)):
                return self.sentence
        return None


def _wrong_derivatives(ev: Evidence) -> Iterator[Mistake]:
    for name in DERIVATIVE_OF_H:
        for derivatives in _per_layer(ev, name):
            own = {ev.exercise.network.layers[i - 1].activation_name for i, _ in derivatives}
            if name not in own:
                yield Mistake(derivatives=derivatives)


sign_flipped = Planted(
    30,
    "The sign of dL/dh at the output is flipped: for L = 1/2 (y - h)^2, dL/dh = -(y - h) "
    "= h - y, not y - h.",
    lambda ev: [Mistake(sign=-1.0)],
)
missing_activation_derivative = Planted(
    40,
    "The activation's derivative dh/dz is missing from the chain rule (a sigmoid layer "
    "contributes h(1 - h), a tanh layer 1 - h^2).",
    lambda ev: [Mistake(derivatives=d) for d in _per_layer(ev, "none")],
)
wrong_activation_derivative = Planted(
    45,
    "dh/dz is another activation's derivative (e.g. tanh's 1 - h^2 in a sigmoid layer, "
    "whose derivative is h(1 - h)).",
    _wrong_derivatives,
)
pre_activation_used = Planted(
    50,
    "z is used where h belongs: dz^l/dw_kj^l is h_j^(l-1), the previous layer's output "
    "after its activation, and the derivative is written in terms of h.",
    lambda ev: [
        Mistake(weight_input="z"),
        *(Mistake(derivatives=d) for d in _per_layer(ev, "at-z")),
    ],
)
no_learning_rate = Planted(
    20,
    "The update leaves out the learning rate: w_new = w - eta * dL/dw.",
    lambda ev: [Mistake(no_learning_rate=True)],
)
ascent = Planted(
    25,
    "The update climbs the gradient: gradient descent subtracts it, w_new = w - eta * "
    "dL/dw (or dL/dh at the output was taken with the wrong sign).",
    lambda ev: [Mistake(factor=-1.0)],
)
stale_order = Planted(
    28,
    "The hidden layer's gradients were computed with already-updated output weights: "
    "compute every gradient first, then update.",
    lambda ev: [Mistake(stale=True)],
)


class HardCoded:
    priority = 10
    sentence = (
        "The same numbers come back whatever the inputs: they are typed in (e.g. the "
        "lecture's printed values), not computed from params, x and y."
    )

    def explains(self, ev: Evidence) -> str | None:
        if not ev.complete or len(ev.cases) < 2:
            return None
        first = ev.submitted[0]
        same = all(np.array_equal(s, first) for s in ev.submitted[1:])
        varies = any(not np.allclose(r, ev.reference[0]) for r in ev.reference[1:])
        return self.sentence if same and varies else None


class ZeroGradient:
    priority = 5  # before hard-coded: zeros are the same on every case too
    sentence = (
        "Every entry is 0: the chain of factors from the loss back to this parameter "
        "was never multiplied through."
    )

    def explains(self, ev: Evidence) -> str | None:
        if not ev.complete or not ev.quantity.derivative:
            return None
        zero = all(np.all(s == 0) for s in ev.submitted)
        return self.sentence if zero and any(np.any(r != 0) for r in ev.reference) else None


class Transposed:
    priority = 60
    sentence = (
        "The gradient is transposed: dL/dW^l has the shape of W^l, (units_l, "
        "units_(l-1)), with dL/dw_kj^l in row k, column j."
    )

    def explains(self, ev: Evidence) -> str | None:
        shape = ev.quantity.shape
        if len(shape) != 2 or shape[0] != shape[1] or not ev.complete:
            return None
        return self.sentence if ev.fits([r.T for r in ev.reference]) else None


class Scaled:
    priority = 70

    def explains(self, ev: Evidence) -> str | None:
        if not ev.complete or not ev.quantity.derivative:
            return None
        s = np.concatenate([a.ravel() for a in ev.submitted])
        r = np.concatenate([a.ravel() for a in ev.reference])
        if np.count_nonzero(r) < 2:
            return None  # one number is always some multiple of another: that explains nothing
        c = float(s @ r / (r @ r))
        if abs(c - 1) < 1e-3 or abs(c) < 1e-6 or not ev.fits([c * a for a in ev.reference]):
            return None
        why = (
            " (2 comes from differentiating (y - h)^2 without its 1/2)" if abs(c - 2) < 1e-3 else ""
        )
        return f"Every entry is off by the same factor, {c:.4g}{why}."


hard_coded, zero_gradient, transposed, scaled = HardCoded(), ZeroGradient(), Transposed(), Scaled()
