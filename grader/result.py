"""The graded result of one submission: what every reporter reads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

# Strict JSON has no NaN or Infinity: a submission's non-finite numbers are written as strings.
_JSON = ConfigDict(ser_json_inf_nan="strings")


class WrongEntry(BaseModel):
    model_config = _JSON
    label: str  # "dL/dw_21^1"
    case: str  # "worked case", "hidden case 2"
    expected: float
    got: float | None  # None when the entry could not be read (missing, wrong shape, error)


class Check(BaseModel):
    """One quantity (e.g. dL/dW1) over every case."""

    model_config = _JSON

    name: str  # "dL/dW1"
    quantity: str  # "gradients.W1", the key of its printed values in the exercise
    score: float
    max_score: float
    status: Literal["pass", "partial", "fail"]
    message: str
    cases_passed: int
    cases: int
    tolerance: str
    wrong: list[WrongEntry] = []
    diagnosis: str | None = None  # a stable id, e.g. "sign-flipped"
    explanation: str | None = None  # one sentence about the chain-rule factor involved


class CheckResult(BaseModel):
    model_config = _JSON

    student: str = ""  # set by `grader grade`
    # graded: the submission ran (whatever its score); missing: nothing to grade;
    # error: the grader itself failed on it
    status: Literal["graded", "missing", "error"] = "graded"
    # how the run ended: ok, timeout, crashed, import-error, missing-function,
    # forbidden-import, output-limit (or missing / error with the status above)
    outcome: str = "ok"
    exercise: str
    title: str
    submission: str
    score: float
    max_score: float
    seed: int
    hidden_cases: int
    problems: list[str] = []  # about the submission as a whole: import error, timeout, ...
    checks: list[Check] = []
    stdout: str = ""
    stderr: str = ""
    elapsed: float = 0.0
    grader_version: str

    @property
    def full_marks(self) -> bool:
        return self.score >= self.max_score - 1e-9
