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

    @property
    def full_marks(self) -> bool:
        return self.score >= self.max_score - 1e-9

    def with_changes(self, **changes: object) -> CheckResult:
        """A copy with `changes`, validated (and so cut) again, unlike model_copy."""
        return CheckResult.model_validate({**dict(self), **changes})
