"""Every entry of a gradient off by one factor, and where such a factor comes from.

A factor m (or 1/m) on a batch of m observations is the batch mean: the loss is the mean over
the batch, so every gradient carries 1/m once. A loss that is the sum over the batch
(`reduction = "sum"`) carries no 1/m: there, only 1/m is the batch's (a mean taken anyway).
Other factors are named by the loss itself (`scale_mistakes`: half-squared-error's 2, from
(y - h)^2 differentiated without its 1/2).
A gradient is read directly; anything else the task computes from the gradients (an update) is
diagnosed by planting the same factors (Mistake.scale) through the task's plant hook.
"""

from __future__ import annotations

import numpy as np

from grader.diagnose import words
from grader.diagnose.evidence import Evidence
from grader.diagnose.mistakes import Mistake


def _near(a: float, b: float) -> bool:
    return abs(a - b) < 1e-3 * abs(b)


def _summed(ev: Evidence) -> bool:
    return getattr(ev.exercise.network, "reduction", "mean") == "sum"


def _sum_words(ev: Evidence, c: float, title: str) -> str | None:
    m = ev.batch
    if m is None or m < 2 or not _near(c, 1 / m):
        return None
    return (
        f"Every entry is 1/m = 1/{m} of the exact value: the loss is the sum over the m = {m} "
        f"observations of the batch, L = sum_i l_i with l = "
        f"{words.loss_formula(ev.exercise.network)}, so no 1/m enters {title}."
    )


def _batch_words(ev: Evidence, c: float, title: str) -> str | None:
    m = ev.batch
    if _summed(ev):
        return _sum_words(ev, c, title)
    if m is None or m < 2 or not (_near(c, m) or _near(c, 1 / m)):
        return None
    mean = (
        f"the loss is the mean over the m = {m} observations of the batch, "
        f"L = 1/m sum_i l_i with l = {words.loss_formula(ev.exercise.network)}"
    )
    if _near(c, m):
        return f"Every entry is m = {m} times the exact value: {mean}, so {title} carries 1/m."
    return f"Every entry is 1/m = 1/{m} of the exact value: {mean}, and 1/m enters {title} once."


def _loss_words(ev: Evidence, c: float) -> str:
    for factor, why in getattr(ev.exercise.network.loss, "scale_mistakes", ()):
        if _near(c, factor):
            return f" ({why})"
    return ""


def _named_factors(ev: Evidence) -> list[float]:
    """The factors worth planting: the batch's m and 1/m, then the loss's own."""
    m = ev.batch
    batch = [float(m), 1.0 / m] if m is not None and m > 1 else []
    if _summed(ev):
        batch = batch[1:]
    return batch + [f for f, _ in getattr(ev.exercise.network.loss, "scale_mistakes", ())]


def _words(ev: Evidence, c: float, gradient: str) -> str:
    """The sentence for `gradient` (dL/dW1) off by c everywhere."""
    return (
        _batch_words(ev, c, gradient)
        or f"Every entry is off by the same factor, {c:.4g}{_loss_words(ev, c)}."
    )


class Scaled:
    priority = 70

    def explains(self, ev: Evidence) -> str | None:
        submitted = ev.usable
        if submitted is None:
            return None
        if ev.quantity.section != "gradients":
            return self._planted(ev)
        s = np.concatenate([a.ravel() for a in submitted])
        r = np.concatenate([a.ravel() for a in ev.reference])
        if np.count_nonzero(r) < 2:
            return None  # one number is always some multiple of another: that explains nothing
        c = float(s @ r / (r @ r))
        if abs(c - 1) < 1e-3 or abs(c) < 1e-6 or not ev.fits([c * a for a in ev.reference]):
            return None
        return _words(ev, c, ev.quantity.title)

    def _planted(self, ev: Evidence) -> str | None:
        # An update p - eta * c * g is no multiple of p - eta * g: plant the factor instead.
        for c in _named_factors(ev):
            if ev.explained_by(Mistake(scale=c)):
                gradient = f"dL/d{ev.quantity.name}"
                return _words(ev, c, gradient).replace("Every entry", f"Every entry of {gradient}")
        return None
