"""What an exercise file may ask for: ranges that keep every accepted file fast to validate.

Validating a file computes the reference on the worked case, then grades the model solution on
the worked case and every hidden case (the reference once more per case, the solution once per
case in its sandbox, then every entry of every quantity scored). The cost is steps x cases x
network size, so each factor has a range and training has one budget across cases. Measured
on a 2-core machine, a file at the maxima (16 inputs, 6 layers of 16 units, 16 rows, 100
hidden cases, or 2000 training steps) validates in 1 to 3 s, and a wrong submission to it,
diagnosis included, is graded in under 5 s; at 32 units the latter took 9 to 15 s. The ranges
are documented in exercises/house-price-backprop.toml; lecture-sized exercises are far below.
"""

from __future__ import annotations

from typing import Any

MAX_FILE_BYTES = 1024 * 1024  # a file at every maximum below is a small fraction of this
MAX_INPUTS = 16
MAX_UNITS = 16  # per layer
MAX_LAYERS = 6
MAX_ROWS = 16  # observations in a batch x
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
