"""Built-in tolerance modes: relabs, decimals, sigfigs and document (see DESIGN.md).

`decimals` and `sigfigs` are PrairieLearn's `is_correct_scalar_dd` and `is_correct_scalar_sf`
(python/prairielearn/core.py), exactly: open bands `r - eps < s < r + eps` with
eps = 0.51 * 10^-n, n the number of decimals (sigfigs: n = N - 1 - floor(log10 |r|), and
n = N - 1 at r = 0), computed in the same float64 operations; an infinite r accepts only
itself, a NaN r only NaN. The 0.51 (not 0.5) is their allowance for binary rounding.

`relabs` and `document` are inclusive. The document band, drawn from printed decimals, gets a
slack of a few float64 ulps, so that a submission sitting exactly on a printed boundary
(0.5663 - 0.0001) is not refused by binary rounding; relabs is already a float tolerance.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

import numpy as np
from pydantic import BaseModel, ConfigDict, Strict

from grader.exercise.strict import integer_in, real_in
from grader.score.printed import Printed

_SLACK = 1e-12

NonNegative: TypeAlias = Annotated[float, real_in(0)]
Digits: TypeAlias = Annotated[int, Strict(), integer_in(0, 15)]


class _Settings(BaseModel):
    # Strict: `digits = "3"` or `rtol = true` in an exercise file is refused, not converted.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class RelAbsSettings(_Settings):
    rtol: NonNegative = 1e-6
    atol: NonNegative = 1e-9


class DigitsSettings(_Settings):
    digits: Digits


class RelAbs:
    """|s - r| <= atol + rtol * |r|: for code that computes in float64."""

    settings = RelAbsSettings

    def accepts(self, submitted, exact, printed, settings: RelAbsSettings) -> np.ndarray:
        return np.abs(submitted - exact) <= settings.atol + settings.rtol * np.abs(exact)

    def describe(self, settings: RelAbsSettings) -> str:
        return f"|s - r| <= {settings.atol:g} + {settings.rtol:g}|r|"


def _open_band(submitted, exact, eps) -> np.ndarray:
    """PrairieLearn's test, r - eps < s < r + eps, with its cases for a non-finite r."""
    inside = (submitted > exact - eps) & (submitted < exact + eps)
    inside = np.where(np.isinf(exact), submitted == exact, inside)
    return np.where(np.isnan(exact), np.isnan(submitted), inside)


class Decimals:
    """N decimal places, as PrairieLearn's is_correct_scalar_dd: |s - r| < 0.51 * 10^-N."""

    settings = DigitsSettings

    def accepts(self, submitted, exact, printed, settings: DigitsSettings) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return _open_band(submitted, exact, 0.51 * 10.0**-settings.digits)

    def describe(self, settings: DigitsSettings) -> str:
        return f"{settings.digits} decimal places (|s - r| < 0.51e-{settings.digits})"


class SigFigs:
    """N significant figures, as PrairieLearn's is_correct_scalar_sf: |s - r| < 0.51 * 10^-n.

    n = N - 1 - floor(log10 |r|), the decimals of r's Nth significant figure; at r = 0,
    n = N - 1 (one significant figure fewer than that rule gives at r = 1).
    """

    settings = DigitsSettings

    def accepts(self, submitted, exact, printed, settings: DigitsSettings) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            finite = np.isfinite(exact) & (exact != 0)
            magnitude = np.floor(np.log10(np.abs(np.where(finite, exact, 1.0))))
            n = settings.digits - 1 - magnitude
            return _open_band(submitted, exact, 0.51 * 10.0**-n)

    def describe(self, settings: DigitsSettings) -> str:
        return f"{settings.digits} significant figures"


class DocumentSettings(RelAbsSettings):
    """rtol/atol apply where nothing was printed (the hidden cases)."""


class Document:
    """For answers written the way the document writes them.

    With exact r, printed d and u one unit in the last printed place of d, accept s in
    [min(r, d) - u, max(r, d) + u]: reproducing the hand calculation and computing exactly
    both pass. Where nothing was printed (hidden cases, and the entries a document leaves out
    with "?"), this is relabs.
    """

    settings = DocumentSettings

    def accepts(self, submitted, exact, printed: Printed | None, settings) -> np.ndarray:
        relabs = RelAbs().accepts(submitted, exact, None, settings)
        if printed is None:
            return relabs
        gaps = np.isnan(printed.values)
        values = np.where(gaps, exact, printed.values)
        units = np.where(gaps, 0.0, printed.units)
        slack = units * (1 + _SLACK) + _SLACK * np.abs(values)
        low = np.minimum(exact, values) - slack
        high = np.maximum(exact, values) + slack
        return np.where(gaps, relabs, (submitted >= low) & (submitted <= high))

    def describe(self, settings) -> str:
        return "within one printed unit of the exact or the printed value"


relabs = RelAbs()
decimals = Decimals()
sigfigs = SigFigs()
document = Document()
