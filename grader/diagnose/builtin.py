"""The built-in diagnoses, each a plugin: `priority` orders them, `explains` returns the
sentence for the report when the mistake fits the submission on every case, else None.

The planted ones work on any network: the layers they plant into and the activations whose
derivative they try come from the exercise and the installed activation plugins (slopes.py),
and their sentences from the exercise's own loss and activations (words.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from grader import plugins
from grader.diagnose import slopes, words
from grader.diagnose.evidence import Evidence
from grader.diagnose.mistakes import Mistake
from grader.diagnose.scaled import Scaled
from grader.diagnose.untransposed import UntransposedWeight
from grader.plan import memo


def _nonlinear_layers(ev: Evidence) -> tuple[int, ...]:
    """Layers with an elementwise derivative that is not 1: where dh/dz can be got wrong."""
    layers = ev.exercise.network.layers
    return memo.once(
        ev.exercise,  # asked for every wrong quantity of every submission
        "nonlinear layers",
        lambda: tuple(
            i
            for i, layer in enumerate(layers, start=1)
            if slopes.elementwise(layer.activation) and not slopes.linear(layer.activation)
        ),
    )


def _per_layer(ev: Evidence, how: str) -> Iterator[tuple[tuple[int, str], ...]]:
    """The derivative changed in one layer at a time, then in every such layer at once."""
    layers = _nonlinear_layers(ev)
    yield from (((i, how),) for i in layers)
    if len(layers) > 1:
        yield tuple((i, how) for i in layers)


Words = Callable[[Evidence, Mistake], str]


class Planted:
    """A diagnosis that fits when some planted variant of one mistake reproduces the values."""

    def __init__(
        self, priority: int, words: Words, variants: Callable[[Evidence], Iterable[Mistake]]
    ) -> None:
        self.priority, self._words, self._variants = priority, words, variants

    def explains(self, ev: Evidence) -> str | None:
        for mistake in self._variants(ev):
            if ev.explained_by(mistake):
                return self._words(ev, mistake)
        return None


def _layers(mistake: Mistake) -> list[int]:
    return [i for i, _ in mistake.derivatives]


def _other_activations() -> tuple[str, ...]:
    """Installed activations (plugins too) whose derivative can be mistaken for another's."""
    found = plugins.registry("activations")  # read once per process: listed once per registry
    return memo.once(
        found,
        "mistakable activations",
        lambda: tuple(
            n for n, p in found.items() if slopes.elementwise(p.obj) and not slopes.linear(p.obj)
        ),
    )


def _wrong_derivatives(ev: Evidence) -> Iterator[Mistake]:
    for name in _other_activations():
        for derivatives in _per_layer(ev, name):
            own = {ev.exercise.network.layers[i - 1].activation_name for i, _ in derivatives}
            if name not in own:
                yield Mistake(derivatives=derivatives)


def _wrong_words(ev: Evidence, mistake: Mistake) -> str:
    used = mistake.derivatives[0][1]
    text = getattr(plugins.get("activations", used), "derivative_formula", "")
    return words.wrong_derivative(
        ev.exercise.network, _layers(mistake), f"{used}'s {text}" if text else f"{used}'s"
    )


def _pre_activation_words(ev: Evidence, mistake: Mistake) -> str:
    if mistake.weight_input == "z":
        return words.PRE_ACTIVATION_INPUT
    return words.derivative_at_z(ev.exercise.network, _layers(mistake))


sign_flipped = Planted(
    30, lambda ev, m: words.sign_flip(ev.exercise.network), lambda ev: [Mistake(sign=-1.0)]
)
missing_activation_derivative = Planted(
    40,
    lambda ev, m: words.missing_derivative(ev.exercise.network, _layers(m)),
    lambda ev: [Mistake(derivatives=d) for d in _per_layer(ev, "none")],
)
wrong_activation_derivative = Planted(45, _wrong_words, _wrong_derivatives)
pre_activation_used = Planted(
    50,
    _pre_activation_words,
    lambda ev: [
        Mistake(weight_input="z"),
        *(Mistake(derivatives=d) for d in _per_layer(ev, "at-z")),
    ],
)
no_learning_rate = Planted(
    20,
    lambda ev, m: "The update leaves out the learning rate: w_new = w - eta * dL/dw.",
    lambda ev: [Mistake(no_learning_rate=True)],
)
ascent = Planted(
    25,
    lambda ev, m: (
        "The update climbs the gradient: gradient descent subtracts it, w_new = w - eta * "
        "dL/dw (or dL/dh at the output was taken with the wrong sign)."
    ),
    lambda ev: [Mistake(factor=-1.0)],
)
stale_order = Planted(
    28,
    lambda ev, m: (
        "The hidden layer's gradients were computed with already-updated output weights: "
        "compute every gradient first, then update."
    ),
    lambda ev: [Mistake(stale=True)],
)


class HardCoded:
    priority = 10
    sentence = (
        "The same numbers come back whatever the inputs: they are typed in (e.g. the "
        "lecture's printed values), not computed from params, x and y."
    )

    def explains(self, ev: Evidence) -> str | None:
        submitted = ev.usable
        if submitted is None or len(ev.cases) < 2:
            return None
        first = submitted[0]
        if not all(np.array_equal(s, first) for s in submitted[1:]):
            return None
        varies = any(not np.allclose(r, ev.reference[0]) for r in ev.reference[1:])
        return self.sentence if varies else None


class ZeroGradient:
    priority = 5  # before hard-coded: zeros are the same on every case too
    sentence = (
        "Every entry is 0: the chain of factors from the loss back to this parameter "
        "was never multiplied through."
    )

    def explains(self, ev: Evidence) -> str | None:
        # Only a gradient: 0 is an ordinary value for an updated weight or an output.
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


hard_coded, zero_gradient, transposed, scaled = HardCoded(), ZeroGradient(), Transposed(), Scaled()
untransposed_weight = UntransposedWeight()
