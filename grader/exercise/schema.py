"""The exercise file format: a pydantic v2 model of the TOML.

Every key is documented in the commented reference, exercises/house-price-backprop.toml.

Names of plugins (activations, losses, tasks, tolerance modes) are checked against what is
installed, so a misspelling is reported at its key with a suggestion.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from grader import plugins
from grader.exercise.numbers import DecimalArray, to_decimal, to_decimal_array
from grader.result import Visibility

Number = Annotated[Decimal, BeforeValidator(to_decimal)]
Array = Annotated[DecimalArray, BeforeValidator(to_decimal_array)]


def _plugin_name(kind: str, name: str) -> str:
    if name not in plugins.names(kind):
        raise PydanticCustomError("unknown_plugin", plugins.unknown_name_message(kind, name))
    return name


class _Strict(BaseModel):
    # Unknown keys are typos until proven otherwise.
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class LayerSpec(_Strict):
    units: int = Field(gt=0)
    activation: str

    @field_validator("activation")
    @classmethod
    def _known_activation(cls, v: str) -> str:
        return _plugin_name("activations", v)


class NetworkSpec(_Strict):
    inputs: int = Field(gt=0)
    layers: list[LayerSpec] = Field(min_length=1)
    loss: str

    @field_validator("loss")
    @classmethod
    def _known_loss(cls, v: str) -> str:
        return _plugin_name("losses", v)


class WorkedCase(_Strict):
    """The document's case: parameters, one observation (or a batch) and the learning rate."""

    params: dict[str, Array]
    x: Array
    y: Array
    learning_rate: Number | None = None
    iterations: int | None = Field(default=None, ge=1, le=100_000)  # for the train task


class Expected(_Strict):
    """Values as the document prints them; every table is optional."""

    forward: dict[str, Array] = {}  # "z1", "h1", "h2", ...
    gradients: dict[str, Array] = {}  # dL/dW1, ... keyed by parameter name
    updated: dict[str, Array] = {}  # parameters after one gradient-descent step
    trained: dict[str, Array] = {}  # parameters after case.iterations steps (task train)
    loss: Number | None = None  # the loss at the worked case
    loss_after: Number | None = None  # the loss after one step
    losses: Array | None = None  # the loss before each training iteration and after the last


class ToleranceSpec(BaseModel):
    """`{ mode = "relabs", rtol = 1e-6 }`; keys other than `mode` belong to the mode."""

    model_config = ConfigDict(extra="allow", frozen=True)
    mode: str = "relabs"

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, v: str) -> str:
        return _plugin_name("tolerances", v)

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class LimitsSpec(_Strict):
    """Overrides of the run limits; a missing key keeps the default in grader/run/limits.py."""

    wall_seconds: float | None = Field(default=None, gt=0)
    cpu_seconds: int | None = Field(default=None, gt=0)
    memory_mb: int | None = Field(default=None, ge=256)
    output_kb: int | None = Field(default=None, gt=0)


# Packages that would do the exercise for the student; the grader itself is always refused.
DEFAULT_FORBIDDEN = ["torch", "jax", "tensorflow", "autograd", "keras", "mxnet"]


class Grading(_Strict):
    tolerance: ToleranceSpec = ToleranceSpec()
    tolerances: dict[str, ToleranceSpec] = {}  # per-quantity overrides, keyed like `points`
    hidden_cases: int = Field(default=4, ge=0, le=100)
    points: dict[
        str, Annotated[float, Field(ge=0)]
    ] = {}  # per quantity (e.g. "W1"); default: `points` split evenly
    limits: LimitsSpec = LimitsSpec()
    forbidden_imports: list[str] = DEFAULT_FORBIDDEN
    # Gradescope: who sees the results, and when; per quantity overrides keyed like `points`.
    visibility: Visibility = "visible"
    visibilities: dict[str, Visibility] = {}


class Exercise(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    source: str
    task: str
    points: float | None = Field(default=None, gt=0)
    network: NetworkSpec
    case: WorkedCase
    expected: Expected = Expected()
    grading: Grading = Grading()

    @field_validator("task")
    @classmethod
    def _known_task(cls, v: str) -> str:
        return _plugin_name("tasks", v)


def visibility_problems(grading: Grading, names: list[str]) -> list[tuple[str, str]]:
    """(key path, message) for every key of `grading.visibilities` that names no quantity."""
    return [
        (
            f"grading.visibilities.{key}",
            f"no quantity {key!r} in this task (known: {', '.join(names)})",
        )
        for key in grading.visibilities
        if key not in names
    ]
