"""Every number of a worked solution for one observation, layer by layer (no text here)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.reference import network as solver
from grader.reference.network import Network, Params


@dataclass(frozen=True)
class Trace:
    net: Network
    params: dict[str, np.ndarray]
    y: np.ndarray
    h: list[np.ndarray]  # h[0] is x, h[l] the output of layer l
    z: list[np.ndarray]  # z[l] for l >= 1 (z[0] is x again, never used)
    dh: dict[int, np.ndarray]  # dL/dh^l, for every layer written through h
    dz: dict[int, np.ndarray]  # dL/dz^l, every layer
    jacobian: dict[int, np.ndarray]  # J[i, k] = dh_i^l/dz_k^l, every layer
    combined: bool  # the output layer's dL/dz = h - y (the loss's canonical link)

    @property
    def depth(self) -> int:
        return len(self.net.layers)

    def elementwise(self, layer: int) -> bool:
        """Whether h_k^l depends on z_k^l alone (not softmax): its Jacobian is diagonal."""
        jac = self.jacobian[layer]
        return bool(np.all(jac == np.diag(np.diag(jac))))

    def through_h(self, layer: int) -> bool:
        """Whether the worked solution goes dL/dh -> dh/dz (else straight to dL/dz)."""
        return self.elementwise(layer) and not (layer == self.depth and self.combined)

    def slope(self, layer: int) -> np.ndarray:
        """dh_k^l/dz_k^l of an elementwise layer."""
        return np.diag(self.jacobian[layer]).copy()

    def weight(self, layer: int) -> np.ndarray:
        return self.params[f"W{layer}"]


def _jacobian(act, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    # backward() applies J^T to a gradient, so unit gradients give J's rows one by one.
    rows = [act.backward(z[None, :], h[None, :], e[None, :])[0] for e in np.eye(z.size)]
    return np.array(rows, dtype=np.float64)


def trace(net: Network, params: Params, x: np.ndarray, y: np.ndarray) -> Trace:
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    values = solver.forward(net, p, x).values
    depth = len(net.layers)
    h = [np.asarray(x, dtype=np.float64), *(values[f"h{i}"] for i in range(1, depth + 1))]
    z = [h[0], *(values[f"z{i}"] for i in range(1, depth + 1))]
    out = net.layers[-1]
    # h - y is dL/dz under softmax only for a target row summing to 1; else the chain rule.
    whole = out.activation_name != "softmax" or abs(float(np.sum(y)) - 1.0) <= 1e-12
    combined = out.activation_name == net.loss.canonical_link and whole
    jacobian = {
        i: _jacobian(layer.activation, z[i], h[i]) for i, layer in enumerate(net.layers, start=1)
    }
    dh: dict[int, np.ndarray] = {}
    dz: dict[int, np.ndarray] = {}
    if combined:  # exact where the chain through dL/dh would divide by a tiny probability
        dz[depth] = h[depth] - y
    else:
        dh[depth] = net.loss.gradient(h[depth][None, :], y[None, :])[0]
    for i in range(depth, 0, -1):
        if i not in dz:
            dz[i] = jacobian[i].T @ dh[i]
        if i > 1:
            dh[i - 1] = p[f"W{i}"].T @ dz[i]
    return Trace(net, p, np.asarray(y, dtype=np.float64), h, z, dh, dz, jacobian, combined)
