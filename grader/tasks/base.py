"""What tasks share: the Quantity a submission returns and the Section a document prints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from grader import notation

Label = Callable[[str, tuple[int, ...]], str]  # (name, entry index) -> "dL/dw_21^1"


@dataclass(frozen=True)
class Quantity:
    """One array the submission returns, e.g. dL/dW1 under the key "W1"."""

    name: str  # the key in the submission's returned dict
    section: str  # the table of printed values in the exercise: "gradients", "updated", ...
    shape: tuple[int, ...]
    title: str  # "dL/dW1"
    label: Label = notation.symbol  # entry -> "dL/dw_21^1"
    # A derivative of the loss: the diagnoses of gradients (all zero, scaled) apply to it.
    derivative: bool = False

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    def entry(self, index: tuple[int, ...]) -> str:
        return self.label(self.name, index)


@dataclass(frozen=True)
class Section:
    """One `[expected.<name>]` section a task accepts, for one network and worked case.

    A table (`keys` given) holds named arrays, `[expected.gradients] W1 = [[...]]`; a value
    (`keys` None) is one array or number, `[expected] loss = 0.68`. Printed values are keyed
    "<section>.<key>" for a table and "<section>" for a value, here and in Task.exact/by_hand.
    """

    keys: Mapping[str, tuple[int, ...]] | None = None  # a table: each key's shape
    shape: tuple[int, ...] | None = ()  # a value's shape; None: not known for this case
    label: Label = notation.symbol  # entry symbol in `grader validate`'s lines
    # case keys it needs, each with the message's reason: {"learning_rate": "... needs one"}
    needs: Mapping[str, str] = field(default_factory=dict)
    shape_note: str = ""  # said after a wrong shape: ": the loss before each iteration ..."

    @property
    def table(self) -> bool:
        return self.keys is not None
