"""A hand calculation at a fixed number of decimals: every value is rounded as it is written
down, and the rounded value is what the next step reuses. `grader new` prints an exercise's
values this way, and a personal variant's worksheet expects them this way, so that a student
who works by hand at the worksheet's precision lands on exactly what the grader computed.
"""

from __future__ import annotations

import numpy as np

from grader.plan.cases import Case
from grader.reference.network import Network
from grader.tasks import hooks

Values = dict[str, np.ndarray]


def hand_calculation(task: object, network: Network, case: Case, decimals: int) -> Values:
    """Every value the task prints for `case`, each rounded to `decimals` before it is reused.

    Keys come in the order of the exact values (forward layer by layer, then the loss, the
    gradients, the update): each is recomputed by the task's `by_hand` from the values rounded
    before it, then rounded itself.
    """
    exact = hooks.exact(task, network, case)
    written: Values = {}
    for key in exact:
        value = hooks.by_hand(task, network, case, written, exact)[key]
        written[key] = np.round(value, decimals)
    return written
