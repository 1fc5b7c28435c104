"""The exercise file format: a pydantic v2 model of the TOML.

Every key is documented in the commented reference, exercises/house-price-backprop.toml.

Names of plugins (activations, losses, tasks, tolerance modes) are checked against what is
installed, so a misspelling is reported at its key with a suggestion. Types are strict (no
string or boolean is ever read as a number; see strict.py) and every size has the range
documented in bounds.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    field_validator,
)
from pydantic_core import PydanticCustomError

from grader import plugins
from grader.exercise import bounds
from grader.exercise.numbers import (
    DecimalArray,
    to_decimal,
    to_decimal_array,
    to_printed_array,
)
from grader.exercise.strict import allowed, integer_in, real_in
from grader.exercise.variants import Variants
from grader.result import Visibility
from grader.run.limits import RANGES
from grader.run.request import DEFAULT_FORBIDDEN

Number = Annotated[Decimal, BeforeValidator(to_decimal)]
Array = Annotated[DecimalArray, BeforeValidator(to_decimal_array)]
# What a document prints: numbers, with "?" for an entry it does not print.
PrintedArray = Annotated[DecimalArray, BeforeValidator(to_printed_array)]


def _whole_limit(name: str) -> AfterValidator:
    r = RANGES[name]
    return integer_in(int(r.low), int(r.high))


def _real_limit(name: str) -> BeforeValidator:
    r = RANGES[name]
    return real_in(r.low, r.high, r.low_open)


# Constrained scalars: strict (see strict.py), each in its documented range (bounds.py).
Units: TypeAlias = Annotated[int, Strict(), integer_in(1, bounds.MAX_UNITS)]
Inputs: TypeAlias = Annotated[int, Strict(), integer_in(1, bounds.MAX_INPUTS)]
Iterations: TypeAlias = Annotated[int, Strict(), integer_in(1, bounds.MAX_ITERATIONS)]
HiddenCases: TypeAlias = Annotated[int, Strict(), integer_in(0, bounds.MAX_HIDDEN_CASES)]
Points: TypeAlias = Annotated[float, real_in(0, bounds.MAX_POINTS, low_open=True)]
QuantityPoints: TypeAlias = Annotated[float, real_in(0, bounds.MAX_POINTS)]
WallSeconds: TypeAlias = Annotated[float, _real_limit("wall_seconds")]
CpuSeconds: TypeAlias = Annotated[int, Strict(), _whole_limit("cpu_seconds")]
MemoryMb: TypeAlias = Annotated[int, Strict(), _whole_limit("memory_mb")]
OutputKb: TypeAlias = Annotated[int, Strict(), _whole_limit("output_kb")]


def _plugin_name(kind: str, name: str) -> str:
    if name not in plugins.names(kind):
        raise PydanticCustomError("unknown_plugin", plugins.unknown_name_message(kind, name))
    return name


class _Strict(BaseModel):
    # Unknown keys are typos until proven otherwise.
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, strict=True
    )


class ActivationSpec(BaseModel):
    """`{ name = "leaky-relu", slope = 0.2 }`: keys other than `name` are the activation's
    parameters (the loader checks them against the plugin's own, see loader._activation)."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)
    __pydantic_extra__: dict[str, Number]
    name: str

    @field_validator("name")
    @classmethod
    def _known_activation(cls, v: str) -> str:
        return _plugin_name("activations", v)

    def parameters(self) -> dict[str, float]:
        return {key: float(value) for key, value in (self.model_extra or {}).items()}


def _activation_kind(value: Any) -> str:
    return "with-parameters" if isinstance(value, dict) else "by-name"


def _activation_name(v: str) -> str:
    return _plugin_name("activations", v)


# A plain name keeps the activation's default parameters; a table sets some of them.
ActivationValue = Annotated[
    Annotated[Annotated[str, AfterValidator(_activation_name)], Tag("by-name")]
    | Annotated[ActivationSpec, Tag("with-parameters")],
    Discriminator(_activation_kind),
]
ACTIVATION_TAGS = ("by-name", "with-parameters")


class LayerSpec(_Strict):
    units: Units
    activation: ActivationValue
    bias: Literal["per-unit", "shared", "none"] = "per-unit"

    @property
    def activation_name(self) -> str:
        a = self.activation
        return a if isinstance(a, str) else a.name

    def activation_parameters(self) -> dict[str, float]:
        a = self.activation
        return {} if isinstance(a, str) else a.parameters()


class NetworkSpec(_Strict):
    inputs: Inputs
    layers: list[LayerSpec] = Field(min_length=1, max_length=bounds.MAX_LAYERS)
    loss: str
    # Parameters a training step leaves alone (checked against the network in consistency.py).
    frozen: list[str] = []
    reduction: Literal["mean", "sum"] = "mean"  # how the loss combines the rows of a batch

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
    iterations: Iterations | None = None  # for the train task

    @field_validator("x")
    @classmethod
    def _rows(cls, x: DecimalArray) -> DecimalArray:
        if len(x.shape) == 2 and x.shape[0] > bounds.MAX_ROWS:
            raise PydanticCustomError(
                "range", f"{x.shape[0]} rows, at most {bounds.MAX_ROWS} in a batch"
            )
        return x

    @field_validator("learning_rate")
    @classmethod
    def _positive_rate(cls, rate: Decimal | None) -> Decimal | None:
        if rate is not None and not 0 < rate <= bounds.MAX_LEARNING_RATE:
            within = allowed(0, bounds.MAX_LEARNING_RATE, low_open=True)
            raise PydanticCustomError("range", f"must be {within}, got {rate}")
        return rate


def _section_kind(value: Any) -> str:
    return "table" if isinstance(value, dict) else "value"


# A section is a table of named arrays (`[expected.gradients]`) or one array or number
# (`loss = 0.68`). Which sections, keys and shapes are accepted is the task's to say
# (Task.sections); consistency.py holds the file to it once the network is known.
SectionValue = Annotated[
    Annotated[dict[str, PrintedArray], Tag("table")] | Annotated[PrintedArray, Tag("value")],
    Discriminator(_section_kind),
]
SECTION_TAGS = ("table", "value")  # pydantic puts the tag in an error's key path: dropped


class Expected(BaseModel):
    """Values as the document prints them, by section; every section is optional."""

    model_config = ConfigDict(extra="allow", frozen=True, arbitrary_types_allowed=True, strict=True)
    __pydantic_extra__: dict[str, SectionValue]

    @property
    def sections(self) -> dict[str, dict[str, DecimalArray] | DecimalArray]:
        """Every printed section, by name, in the file's order."""
        return dict(self.model_extra or {})

    def section(self, name: str) -> dict[str, DecimalArray] | DecimalArray | None:
        """One section as printed, or None when the file does not print it."""
        return self.sections.get(name)


class ToleranceSpec(BaseModel):
    """`{ mode = "relabs", rtol = 1e-6 }`; keys other than `mode` belong to the mode."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)
    mode: str = "relabs"

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, v: str) -> str:
        return _plugin_name("tolerances", v)

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class LimitsSpec(_Strict):
    """Overrides of the run limits; a missing key keeps the default in grader/run/limits.py."""

    wall_seconds: WallSeconds | None = None
    cpu_seconds: CpuSeconds | None = None
    memory_mb: MemoryMb | None = None
    output_kb: OutputKb | None = None


# Packages that would do the exercise for the student; the grader itself is always refused.


class Grading(_Strict):
    tolerance: ToleranceSpec = ToleranceSpec()
    tolerances: dict[str, ToleranceSpec] = {}  # per-quantity overrides, keyed like `points`
    hidden_cases: HiddenCases = 4
    # per quantity (e.g. "W1"); default: `points` split evenly
    points: dict[str, QuantityPoints] = {}
    limits: LimitsSpec = LimitsSpec()
    forbidden_imports: list[str] = DEFAULT_FORBIDDEN
    # Gradescope: who sees the results, and when; per quantity overrides keyed like `points`.
    visibility: Visibility = "visible"
    visibilities: dict[str, Visibility] = {}


ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"  # an exercise id: also a file name and a CLI word


class Exercise(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    source: str
    task: str
    points: Points | None = None
    solution: str | None = None  # the model solution, relative to this file
    network: NetworkSpec
    case: WorkedCase
    expected: Expected = Expected()
    grading: Grading = Grading()
    variants: Variants | None = None  # each student's own worked case (exercise/variants.py)

    @field_validator("task")
    @classmethod
    def _known_task(cls, v: str) -> str:
        return _plugin_name("tasks", v)

    @field_validator("solution")
    @classmethod
    def _a_path(cls, v: str | None) -> str | None:
        # What the operating system can look up: stat() raises, not answers, beyond these.
        names = v.replace("\\", "/").split("/") if v is not None else []
        too_long = any(len(name.encode()) > 255 for name in names) or len(v or "") > 1024
        if v is not None and (not v.strip() or "\0" in v or too_long):
            raise PydanticCustomError(
                "path",
                "expected a file path, relative to this file (names of at most 255 bytes, "
                "1024 characters in all)",
            )
        return v
