"""Each activation's own local derivative, for planting mistakes into it, plugins included.

An activation may carry `derivative(z, h)`, dh/dz entry by entry written the way the lecture
writes it (sigmoid: h(1 - h), in terms of h); one that does not (a plugin written before that
member existed) gets the generic fallback: its `backward` with dL/dh = 1, which is the diagonal
of an elementwise Jacobian. Whether the Jacobian is diagonal at all (softmax's is not) is the
activation's `elementwise` flag, or else probed once at a few fixed points.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.plan import memo

# A row of pre-activations away from every kink at 0 and from saturation.
_PROBE = np.array([[-1.3, -0.4, 0.3, 1.1]])


def slope(act: Any, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """dh/dz entry by entry at (z, h); h may be anything the formula should be read at."""
    z, h = np.asarray(z, dtype=np.float64), np.asarray(h, dtype=np.float64)
    own = getattr(act, "derivative", None)
    if callable(own):
        return np.asarray(own(z, h), dtype=np.float64) * np.ones_like(z)
    return np.asarray(act.backward(z, h, np.ones_like(z)), dtype=np.float64)


def elementwise(act: Any) -> bool:
    """Whether h_k depends on z_k alone, so that dh/dz is one factor per unit."""
    flag = getattr(act, "elementwise", None)
    if isinstance(flag, bool):
        return flag
    return memo.once(act, "elementwise", lambda: _probed(act))  # asked by every diagnosis


def _probed(act: Any) -> bool:
    units = _PROBE.shape[1]
    # A plugin defined on part of the line only (say z > 0) gives NaN here: not judged, and
    # without a warning; it then counts as not elementwise and gets no derivative planted.
    with np.errstate(all="ignore"):
        h = np.asarray(act.forward(_PROBE), dtype=np.float64)
        # backward applies J^T to a gradient: unit gradients give J's columns one by one.
        columns = [act.backward(_PROBE, h, e[None, :])[0] for e in np.eye(units)]
    jacobian = np.array(columns, dtype=np.float64)
    off = jacobian - np.diag(np.diag(jacobian))
    return bool(np.all(np.isfinite(jacobian)) and np.allclose(off, 0.0, atol=1e-12))


def linear(act: Any) -> bool:
    """An elementwise activation whose slope is 1 everywhere probed: nothing to get wrong."""
    return memo.once(act, "linear", lambda: _linear(act))  # asked by every diagnosis


def _linear(act: Any) -> bool:
    if not elementwise(act):
        return False
    return bool(np.all(slope(act, _PROBE, act.forward(_PROBE)) == 1.0))
