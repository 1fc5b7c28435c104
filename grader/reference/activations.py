"""Activation functions, each written next to its local derivative (as micrograd does).

Arrays are float64 of shape (m, units) or (units,). Every function returns a fresh array and is
finite, without overflow or invalid-value warnings, for any finite z (underflow to 0 is silent).
Derivatives are written in terms of h = act(z) where the lecture does (sigmoid, tanh), so that
backward() reproduces a hand calculation made from printed, rounded h values.

Beyond the Activation protocol's required methods, each built-in carries what the optional
members describe (grader/protocols.py): `derivative(z, h)` itself, its `formula` and
`derivative_formula` texts, its `parameters` (leaky-relu's slope lives here and nowhere else),
`output_range` (for messages) and `probabilities` (whether every h lies in (0, 1), so that a
cross-entropy loss may take its log).
The two whose outputs are probabilities, sigmoid and softmax, also give, straight from z:

- `log_output(z)`: (log h, log(1 - h)), exact for every finite z, where h itself rounds to 0 or 1;
- `log_loss_delta(z, a, b)`: dl/dz of the per-row loss l = -sum_k [a_k log h_k + b_k log(1 - h_k)]
  (both cross-entropies have this form; see losses.py), with no 0 * inf anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from grader.reference.softmax import Softmax

Array = np.ndarray


def _float(a: Array) -> Array:
    return np.asarray(a, dtype=np.float64)


@dataclass(frozen=True)
class Elementwise:
    """An activation applied entry by entry: dL/dz = dL/dh * derivative(z, h)."""

    function: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]  # dh/dz from z and h = act(z)
    formula: str
    derivative_formula: str
    # For messages and load-time checks; left out (a plugin's own Elementwise), nothing is judged.
    output_range: str = ""
    probabilities: bool | None = None
    # dh/dz from z alone, exact where h rounds to 0 or +-1 (see exact_backward); None: derivative.
    exact_derivative: Callable[[Array], Array] | None = None
    # Only for outputs that are probabilities (see the module docstring); None elsewhere.
    log_output: Callable[[Array], tuple[Array, Array]] | None = None
    log_loss_delta: Callable[[Array, Array, Array], Array] | None = None
    # The activation's own numbers (leaky-relu's slope), and how to build it with others.
    parameters: Mapping[str, float] = field(default_factory=dict, hash=False)
    make: Callable[..., Elementwise] | None = field(default=None, hash=False, compare=False)
    elementwise: bool = True  # h_k depends on z_k alone: the Jacobian is diagonal

    def with_parameters(self, **values: float) -> Elementwise:
        """This activation with other parameter values: leaky_relu.with_parameters(slope=0.2)."""
        unknown = sorted(set(values) - set(self.parameters))
        if unknown or self.make is None:
            known = ", ".join(self.parameters) or "none"
            raise ValueError(f"unknown parameter {', '.join(unknown)} (known: {known})")
        return self.make(**{**self.parameters, **values})

    def forward(self, z: Array) -> Array:
        """Return h = act(z) as a fresh array."""
        return _float(self.function(_float(z))).copy()

    def backward(self, z: Array, h: Array, grad_h: Array) -> Array:
        """Return dL/dz from dL/dh."""
        return _float(grad_h) * self.derivative(_float(z), _float(h))

    def exact_backward(self, z: Array, grad_h: Array) -> Array:
        """dL/dz for h = act(z) itself (not a printed h), from z: exact where h saturates."""
        z = _float(z)
        if self.exact_derivative is None:
            return self.backward(z, self.forward(z), grad_h)
        return _float(grad_h) * self.exact_derivative(z)


def _sigmoid(z: Array) -> Array:
    # exp(-|z|) lies in (0, 1] for every finite z, so neither branch can overflow.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_slope(z: Array) -> Array:
    # h(1 - h) = sigmoid(z) sigmoid(-z) = e^-|z| / (1 + e^-|z|)^2: no 1 - h, which is 0 in float
    # once |z| > 37 while the slope is still e^-37.
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def _tanh_slope(z: Array) -> Array:
    # 1 - h^2 = sech^2(z) = 4 e^-2|z| / (1 + e^-2|z|)^2, exact where h^2 rounds to 1.
    e = np.exp(-np.abs(z)) ** 2  # not exp(-2|z|): 2|z| would overflow for |z| > 9e307
    return 4.0 * e / (1.0 + e) ** 2


def _log_sigmoid(z: Array) -> tuple[Array, Array]:
    # log h = -softplus(-z) and log(1 - h) = log h(-z) = -softplus(z): never log of a rounded 0.
    return -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)


def _sigmoid_log_delta(z: Array, a: Array, b: Array) -> Array:
    # (-a/h + b/(1 - h)) * h(1 - h) = -a(1 - h) + b h, with 1 - h = sigmoid(-z) computed directly.
    return b * _sigmoid(z) - a * _sigmoid(-z)


linear = Elementwise(
    function=lambda z: z,
    derivative=lambda z, h: np.ones_like(z),
    formula="z",
    derivative_formula="1",
    output_range="(-inf, inf)",
    probabilities=False,
)
sigmoid = Elementwise(
    function=_sigmoid,
    derivative=lambda z, h: h * (1.0 - h),
    formula="1 / (1 + e^-z)",
    derivative_formula="h(1 - h)",
    exact_derivative=_sigmoid_slope,
    output_range="(0, 1)",
    probabilities=True,
    log_output=_log_sigmoid,
    log_loss_delta=_sigmoid_log_delta,
)
tanh = Elementwise(
    function=np.tanh,
    derivative=lambda z, h: 1.0 - h**2,
    formula="tanh(z)",
    derivative_formula="1 - h^2",
    exact_derivative=_tanh_slope,
    output_range="(-1, 1)",
    probabilities=False,
)
relu = Elementwise(
    function=lambda z: np.maximum(z, 0.0),
    # The kink at 0 takes the left derivative, as most frameworks do.
    derivative=lambda z, h: (z > 0).astype(np.float64),
    formula="max(z, 0)",
    derivative_formula="1 if z > 0 else 0",
    output_range="[0, inf)",
    probabilities=False,
)


def _leaky_relu(slope: float = 0.01) -> Elementwise:
    """max(z, slope z) for 0 <= slope < 1; the slope is the activation's one parameter."""
    if not 0 <= slope < 1:
        raise ValueError(f"slope must be at least 0 and less than 1, got {slope:g}")
    return Elementwise(
        function=lambda z: np.where(z > 0, z, slope * z),
        derivative=lambda z, h: np.where(z > 0, 1.0, slope),
        formula=f"z if z > 0 else {slope:g} z",
        derivative_formula=f"1 if z > 0 else {slope:g}",
        output_range="(-inf, inf)",
        probabilities=False,
        parameters={"slope": slope},
        make=_leaky_relu,
    )


leaky_relu = _leaky_relu()

# Softmax mixes a row's units, so it is a class of its own; registered from here like the rest.
softmax = Softmax()
