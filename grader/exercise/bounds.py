"""What an exercise file may ask for: ranges that keep every accepted file fast to validate.

Validating a file computes the reference on the worked case, then grades the model solution on
the worked case and every hidden case (the reference once more per case, the solution once per
case in its sandbox). The cost is steps x cases x network size, so each factor has a range and
training has one budget across cases. At the largest network allowed (32 inputs, 6 layers of 32
units, 32 rows) one training step of the reference takes about 0.7 ms on one core, so the
largest training budget costs about 3 s of the grader's and the solution's time together: a
file at every maximum validates well within 10 s on a 2-core machine. The ranges are documented
in exercises/house-price-backprop.toml; lecture-sized exercises are far below all of them.
"""

from __future__ import annotations

from typing import Any

MAX_FILE_BYTES = 1024 * 1024  # a file at every maximum below is about a third of this
MAX_INPUTS = 32
MAX_UNITS = 32  # per layer
MAX_LAYERS = 6
MAX_ROWS = 32  # observations in a batch x
MAX_HIDDEN_CASES = 100
MAX_ITERATIONS = 1000  # case.iterations (task train)
MAX_TRAINING_STEPS = 2000  # (grading.hidden_cases + 1) * case.iterations
MAX_POINTS = 10_000
MAX_LEARNING_RATE = 100


def training_problems(spec: Any) -> list[tuple[str, str]]:
    """The training budget: every case of a `train` exercise runs case.iterations steps."""
    iterations = spec.case.iterations
    if iterations is None:
        return []
    cases = spec.grading.hidden_cases + 1
    if cases * iterations <= MAX_TRAINING_STEPS:
        return []
    return [
        (
            "case.iterations",
            f"{iterations} iterations on {cases} cases (grading.hidden_cases + 1) are "
            f"{cases * iterations} training steps, more than {MAX_TRAINING_STEPS}: use fewer "
            "iterations or fewer hidden cases",
        )
    ]
