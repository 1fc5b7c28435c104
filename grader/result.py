"""The graded result of one submission: what every reporter reads."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal, TypeAlias

from pydantic import AfterValidator, BaseModel, ConfigDict

from grader.report.safe import cut, cut_list, cut_start

# Strict JSON has no NaN or Infinity: a submission's non-finite numbers are written as strings.
_JSON = ConfigDict(ser_json_inf_nan="strings")

# What one student can put into every report, whatever they send: each piece of text that can
# carry their words is cut to a fixed size, with a marker saying so (grader/report/safe.py).
MAX_NAME = 300  # a student's name or file path
MAX_MESSAGE = 4000  # one check's message, one explanation
MAX_PROBLEM = 1000
MAX_PROBLEMS = 20
MAX_OUTPUT = 4500  # the tail of stdout or stderr (the run keeps its last 4 KiB)
MAX_WRONG = 200  # wrong entries listed per check
# The worked case entry by entry, for pictures (the html report): a quantity with more entries
# than this keeps only a heat map of its wrong ones (HEAT x HEAT blocks at most).
MAX_ENTRIES = 1024
HEAT = 16

Name = Annotated[str, AfterValidator(partial(cut, limit=MAX_NAME))]
Message = Annotated[str, AfterValidator(partial(cut, limit=MAX_MESSAGE))]
Output = Annotated[str, AfterValidator(partial(cut_start, limit=MAX_OUTPUT))]
# Who sees a result on Gradescope, and when (its autograder specification's four values); set
# from the exercise's [grading] visibility and [grading.visibilities] before reporting.
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
# A result's status: graded (the submission ran, whatever its score), missing (nothing to
# grade), error (the grader itself failed on it).
Status: TypeAlias = Literal["graded", "missing", "error"]
# A check's status: every case passed, some did, none did.
CheckStatus: TypeAlias = Literal["pass", "partial", "fail"]

Problems = Annotated[
    list[str], AfterValidator(partial(cut_list, count=MAX_PROBLEMS, limit=MAX_PROBLEM))
]


class WrongEntry(BaseModel):
    model_config = _JSON
    label: Name  # "dL/dw_21^1"
    case: Name  # "worked case", "hidden case 2"
    expected: float
    got: float | None  # None when the entry could not be read (missing, wrong shape, error)


class Entry(BaseModel):
    """One entry of a quantity on the worked case, right or wrong."""

    model_config = _JSON
    index: list[int]  # [1, 0] for W1[1, 0]
    label: Name  # "dL/dw_21^1"
    expected: float
    got: float | None  # None when the quantity could not be read on the worked case
    passed: bool
    # For a wrong entry of a gradient: its chain-rule product with the worked case's numbers,
    # as `grader explain` writes it ("dL/dw_21^1 = dL/dh_1^2 * ... = 1.1701 * ... = -0.018290").
    product: Message | None = None


def _capped(entries: list[Entry]) -> list[Entry]:
    return entries[:MAX_ENTRIES]


class Check(BaseModel):
    """One quantity (e.g. dL/dW1) over every case."""

    model_config = _JSON

    name: str  # "dL/dW1"
    quantity: str  # "gradients.W1", the key of its printed values in the exercise
    score: float
    max_score: float
    status: CheckStatus
    message: Message
    cases_passed: int
    cases: int
    tolerance: str
    wrong: Annotated[list[WrongEntry], AfterValidator(lambda w: w[:MAX_WRONG])] = []
    diagnosis: str | None = None  # a stable id, e.g. "sign-flipped"
    explanation: Message | None = None  # one sentence about the chain-rule factor involved
    visibility: Visibility = "visible"
    shape: list[int] = []  # the quantity's shape on the worked case
    by_case: list[bool] = []  # passed on each case, the worked case first
    # The worked case's entries when there are at most MAX_ENTRIES of them (else none), and
    # for a larger quantity the share of wrong entries in each of at most HEAT x HEAT blocks.
    entries: Annotated[list[Entry], AfterValidator(_capped)] = []
    heat: list[list[float]] = []


class SketchLayer(BaseModel):
    units: int
    activation: Name
    bias: Literal["per-unit", "shared", "none"] = "per-unit"  # the layer's `bias` key


class Sketch(BaseModel):
    """The network as the lecture draws it, with the worked case's exact forward values."""

    model_config = _JSON
    inputs: int
    layers: list[SketchLayer]
    loss: Name
    # x and h^1, h^2, ... of the worked case (its first observation for a batch); empty when
    # the network has more than MAX_ENTRIES units.
    x: list[float] = []
    h: list[list[float]] = []
    observation: str = ""  # "observation 1 of 4" for a batch


class CheckResult(BaseModel):
    model_config = _JSON

    student: Name = ""  # set by `grader grade`
    # whose personal variant ([variants]) was graded; "" for the exercise's own worked case
    variant: Name = ""
    # for the instructor only: the classmate whose variant these answers fit better than
    # their own (grader/batch/integrity.py); the student's reports say only "different numbers"
    fits_variant_of: Name = ""
    # graded: the submission ran (whatever its score); missing: nothing to grade;
    # error: the grader itself failed on it
    status: Status = "graded"
    # how the run ended: ok, timeout, crashed, import-error, missing-function,
    # forbidden-import, output-limit (or missing / error with the status above; not-graded
    # with status error when the environment check failed and nobody was graded)
    outcome: str = "ok"
    exercise: str
    title: str
    submission: Name
    score: float
    max_score: float
    seed: int
    hidden_cases: int
    problems: Problems = []  # about the submission as a whole: import error, timeout, ...
    notes: Problems = []  # worth knowing, not wrong: e.g. inputs changed in place
    checks: list[Check] = []
    stdout: Output = ""
    stderr: Output = ""
    elapsed: float = 0.0
    grader_version: str
    visibility: Visibility = "visible"
    network: Sketch | None = None  # for pictures; None where nothing was graded

    @property
    def full_marks(self) -> bool:
        return self.score >= self.max_score - 1e-9

    def with_changes(self, **changes: object) -> CheckResult:
        """A copy with `changes`, validated (and so cut) again, unlike model_copy."""
        return CheckResult.model_validate({**dict(self), **changes})
