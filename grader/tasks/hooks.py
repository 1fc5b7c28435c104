"""What the rest of the grader asks of a task, with the default of every optional member.

The loader, `validate`, `explain`, `answers` and the diagnoses reach a task only through these
functions (and the required members of protocols.Task), never by its name. A task that leaves
out `sections`, `exact` and `by_hand` gets the shared sections of grader/tasks/shared.py; one
without `explained` is explained in full; one without `plant` gets no planted-mistake diagnoses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.plan.cases import Case
from grader.reference.network import Network
from grader.tasks import shared
from grader.tasks.base import Section


def sections(task: Any, network: Network, case: Case) -> Mapping[str, Section]:
    """The `[expected.*]` sections the task accepts for this network and worked case."""
    own = getattr(task, "sections", None)
    return own(network, case) if own is not None else shared.sections(network, case)


def exact(task: Any, network: Network, case: Case) -> dict[str, np.ndarray]:
    """The exact value of every printed key the task can compute on the worked case."""
    own = getattr(task, "exact", None)
    values = own(network, case) if own is not None else shared.exact(network, case)
    return {key: np.asarray(value, dtype=np.float64) for key, value in values.items()}


def by_hand(
    task: Any,
    network: Network,
    case: Case,
    printed: Mapping[str, np.ndarray],
    exact: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Every printed key recomputed the way the document's hand calculation does."""
    own = getattr(task, "by_hand", None)
    if own is not None:
        values = own(network, case, printed, exact)
    else:
        values = shared.by_hand(network, case, printed, dict(exact))
    return {key: np.asarray(value, dtype=np.float64) for key, value in values.items()}


def explained(task: Any) -> tuple[str, ...]:
    """explain's parts for this task (shared.EXPLAINED names them), in the lecture's order."""
    chosen = set(getattr(task, "explained", shared.EXPLAINED))
    return tuple(part for part in shared.EXPLAINED if part in chosen)


def plant(task: Any, network: Network, case: Case, mistake: Any) -> Mapping | None:
    """The task's quantities on `case` as a student with `mistake` computes them, or None."""
    own = getattr(task, "plant", None)
    return None if own is None else own(network, case, mistake)
