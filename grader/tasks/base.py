"""What tasks share: the Quantity a submission returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader import notation


@dataclass(frozen=True)
class Quantity:
    """One array the submission returns, e.g. dL/dW1 under the key "W1"."""

    name: str  # the key in the submission's returned dict
    section: str  # the table of printed values in the exercise: "gradients", "updated", ...
    shape: tuple[int, ...]
    title: str  # "dL/dW1"
    label: Callable[[str, tuple[int, ...]], str] = notation.symbol  # entry -> "dL/dw_21^1"

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    def entry(self, index: tuple[int, ...]) -> str:
        return self.label(self.name, index)
