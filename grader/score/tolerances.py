"""Built-in tolerance modes: relabs, decimals, sigfigs and document (see DESIGN.md).

Every band is inclusive. The bands drawn from printed decimals (decimals, sigfigs, document)
get a slack of a few float64 ulps, so that a submission sitting exactly on a printed boundary
(0.5663 - 0.0001) is not refused by binary rounding; relabs is already a float tolerance.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from grader.score.printed import Printed

_SLACK = 1e-12


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RelAbsSettings(_Settings):
    rtol: float = Field(default=1e-6, ge=0)
    atol: float = Field(default=1e-9, ge=0)


class DigitsSettings(_Settings):
    digits: int = Field(ge=0, le=15)


class RelAbs:
    """|s - r| <= atol + rtol * |r|: for code that computes in float64."""

    settings = RelAbsSettings

    def accepts(self, submitted, exact, printed, settings: RelAbsSettings) -> np.ndarray:
        return np.abs(submitted - exact) <= settings.atol + settings.rtol * np.abs(exact)

    def describe(self, settings: RelAbsSettings) -> str:
        return f"|s - r| <= {settings.atol:g} + {settings.rtol:g}|r|"


class Decimals:
    """Agreement to N decimal places: |s - r| <= 0.51 * 10^-N (PrairieLearn's band)."""

    settings = DigitsSettings

    def accepts(self, submitted, exact, printed, settings: DigitsSettings) -> np.ndarray:
        band = 0.51 * 10.0**-settings.digits
        return np.abs(submitted - exact) <= band * (1 + _SLACK)

    def describe(self, settings: DigitsSettings) -> str:
        return f"{settings.digits} decimal places (|s - r| <= 0.51e-{settings.digits})"


class SigFigs:
    """N significant figures: |s - r| <= 0.51 * 10^(floor(log10 |r|) - N + 1).

    For r = 0 the band is that of N decimal places.
    """

    settings = DigitsSettings

    def accepts(self, submitted, exact, printed, settings: DigitsSettings) -> np.ndarray:
        with np.errstate(divide="ignore"):
            magnitude = np.where(exact == 0, -1, np.floor(np.log10(np.abs(exact))))
        band = 0.51 * 10.0 ** (magnitude - settings.digits + 1)
        return np.abs(submitted - exact) <= band * (1 + _SLACK)

    def describe(self, settings: DigitsSettings) -> str:
        return f"{settings.digits} significant figures"


class DocumentSettings(RelAbsSettings):
    """rtol/atol apply where nothing was printed (the hidden cases)."""


class Document:
    """For answers written the way the document writes them.

    With exact r, printed d and u one unit in the last printed place of d, accept s in
    [min(r, d) - u, max(r, d) + u]: reproducing the hand calculation and computing exactly
    both pass. Where nothing was printed (hidden cases), this is relabs.
    """

    settings = DocumentSettings

    def accepts(self, submitted, exact, printed: Printed | None, settings) -> np.ndarray:
        if printed is None:
            return RelAbs().accepts(submitted, exact, None, settings)
        slack = printed.units * (1 + _SLACK) + _SLACK * np.abs(printed.values)
        low = np.minimum(exact, printed.values) - slack
        high = np.maximum(exact, printed.values) + slack
        return (submitted >= low) & (submitted <= high)

    def describe(self, settings) -> str:
        return "within one printed unit of the exact or the printed value"


relabs = RelAbs()
decimals = Decimals()
sigfigs = SigFigs()
document = Document()
