"""The output layer and the loss taken together: the loss and dL/dz^L, exact at saturation.

A cross-entropy evaluated from h = act(z) is wrong where h rounds to 0 or 1 (log 0, and a
derivative 0 * inf through dh/dz). Where the output activation can give log h, log(1 - h) and
dl/dz straight from z (sigmoid, softmax) and the loss is a log loss (both cross-entropies),
this module takes that path, for any such pairing, partner or not. Everything else, plugins
included, goes by the general chain rule: dL/dz = act.backward(z, h, loss.gradient(h, y)),
or the activation's exact_backward(z, dL/dh) where it has one and h is not printed.

A hand calculation from printed h values (a pinned output, see network.forward) uses h, never
z: the canonical shortcut as the lecture writes it (h - y) where the loss offers one.
Arrays here are 2-D, (m, outputs); deltas include the 1/m of the batch mean (none for a network
whose reduction is the sum over rows: Network.rows_factor).
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray


def _log_form(net: Any) -> tuple[Any, Any] | None:
    """(activation, loss) when both sides of the exact log path exist, else None."""
    act, loss = net.layers[-1].activation, net.loss
    if getattr(act, "log_output", None) is None or getattr(loss, "log_coefficients", None) is None:
        return None
    return act, loss


def _weighted(c: Array, logs: Array) -> Array:
    """c * log, with 0 where c is 0 even if the log is -inf (a term that is absent)."""
    return np.where(c == 0, 0.0, c * logs)


def loss_value(net: Any, z: Array, h: Array, y: Array) -> float:
    """The loss of the batch (mean or sum over rows), from z where the log path exists."""
    return float(net.rows_factor(y.shape[0]) * _mean_loss(net, z, h, y))


def _mean_loss(net: Any, z: Array, h: Array, y: Array) -> float:
    form = _log_form(net)
    if form is None:
        return float(net.loss.value(h, y))
    act, loss = form
    a, b = loss.log_coefficients(y)
    logh, log1mh = act.log_output(z)
    rows = -np.sum(_weighted(a, logh) + _weighted(b, log1mh), axis=-1)
    return float(np.mean(rows))


def output_delta(net: Any, z: Array, h: Array, y: Array, pinned: bool = False) -> Array:
    """dL/dz^L of the batch; `pinned`: h is a printed value, and the hand calculation is wanted."""
    return net.rows_factor(y.shape[0]) * _mean_delta(net, z, h, y, pinned)


def _mean_delta(net: Any, z: Array, h: Array, y: Array, pinned: bool) -> Array:
    m = y.shape[0]
    form = _log_form(net)
    if form is not None and not pinned:
        act, loss = form
        return act.log_loss_delta(z, *loss.log_coefficients(y)) / m
    if net.layers[-1].activation_name == net.loss.canonical_link:
        link = getattr(net.loss, "link_delta", None)
        return (h - y if link is None else link(h, y)) / m
    act = net.layers[-1].activation
    exact = None if pinned else getattr(act, "exact_backward", None)
    grad_h = net.loss.gradient(h, y)
    return act.backward(z, h, grad_h) if exact is None else exact(z, grad_h)
