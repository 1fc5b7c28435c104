"""The weight matrix on the way back without its transpose: W^l dL/dz^l for (W^l)^T dL/dz^l.

The most common slip of all. With a square W^l the numbers still come back, wrong: the mistake
is planted (Mistake.untransposed) and fits or not. With a non-square W^l the shapes do not fit
and numpy raises in the submission; the call's error ("matmul: ... mismatch in its core
dimension ... (size 1 is different from 2)", or np.dot's "shapes (1,2) and (1,1) not aligned")
names the two sizes, and the weight matrix of those sizes is the one named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from grader.diagnose.evidence import Evidence
from grader.diagnose.mistakes import Mistake

_MISMATCH = re.compile(
    r"matmul: Input operand \d+ has a mismatch|shapes \(.*\) and \(.*\) not aligned"
)
_SIZES = re.compile(r"size (\d+) is different from (\d+)|(\d+) \(dim \d+\) != (\d+) \(dim \d+\)")


def _widths(ev: Evidence) -> list[int]:
    net = ev.exercise.network
    return [net.inputs, *(layer.units for layer in net.layers)]


def _square(ev: Evidence) -> list[int]:
    """Layers l >= 2 (whose W^l is used on the way back) with a square W^l."""
    widths = _widths(ev)
    return [i for i in range(2, len(widths)) if widths[i] == widths[i - 1]]


def _variants(ev: Evidence) -> Iterator[tuple[int, ...]]:
    layers = _square(ev)
    yield from ((i,) for i in layers)
    if len(layers) > 1:
        yield tuple(layers)


def _crashed(ev: Evidence) -> list[int]:
    """Non-square layers l >= 2 whose sizes the shape error of every case names."""
    errors = ev.errors
    if not errors or not all(_MISMATCH.search(e) for e in errors):
        return []
    widths = _widths(ev)
    layers = [i for i in range(2, len(widths)) if widths[i] != widths[i - 1]]
    match = _SIZES.search(errors[0])
    if match is None:
        return layers
    sizes = {int(g) for g in match.groups() if g is not None}
    return [i for i in layers if {widths[i], widths[i - 1]} == sizes]


def _rule(layer: int) -> str:
    return (
        f"dL/dh^{layer - 1} = (W^{layer})^T dL/dz^{layer}, not W^{layer} dL/dz^{layer} "
        f"(with row vectors: dL/dz^{layer} @ W^{layer}, not @ (W^{layer})^T)"
    )


def sentence(ev: Evidence, layers: list[int], crashed: bool) -> str:
    rules = "; ".join(_rule(i) for i in layers)
    if not crashed:
        names = " and ".join(f"W^{i}" for i in layers)
        return f"{names} goes back without its transpose: {rules}."
    widths = _widths(ev)
    shapes = " or ".join(f"W^{i} (shape ({widths[i]}, {widths[i - 1]}))" for i in layers)
    return f"The shapes do not fit on the way back: {shapes} needs its transpose, {rules}."


class UntransposedWeight:
    priority = 55  # after the derivative mistakes, before a transposed gradient

    def explains(self, ev: Evidence) -> str | None:
        if ev.complete:
            for layers in _variants(ev):
                if ev.explained_by(Mistake(untransposed=layers)):
                    return sentence(ev, list(layers), crashed=False)
            return None
        crashed = _crashed(ev)
        return sentence(ev, crashed, crashed=True) if crashed else None


untransposed_weight = UntransposedWeight()
