"""The contract of every plugin kind, one Protocol each (like pluggy's hookspec.py).

A plugin is an object exposed by an entry point in one of the groups below. The registry
(`grader.plugins`) checks the object against its Protocol when it loads it and names the
culprit (`group[name] from dist version`) when it does not fit.

| kind        | entry-point group    | the entry point names             |
|-------------|----------------------|-----------------------------------|
| activations | `grader.activations` | an object implementing Activation |
| losses      | `grader.losses`      | an object implementing Loss       |
| tasks       | `grader.tasks`       | an object implementing Task       |
| tolerances  | `grader.tolerances`  | an object implementing Tolerance  |
| reporters   | `grader.reporters`   | a class implementing Reporter     |
| diagnoses   | `grader.diagnoses`   | an object implementing Diagnosis  |

Names must be unique across installed distributions; two distributions that register the
same name in the same group are an error naming both, never a silent override.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from pydantic import BaseModel

    from grader.diagnose.evidence import Evidence
    from grader.plan.cases import Case
    from grader.reference.network import Network
    from grader.result import CheckResult
    from grader.score.printed import Printed
    from grader.tasks.base import Quantity, Section


@runtime_checkable
class Activation(Protocol):
    """An activation function and its derivative, side by side.

    Arrays are float64 of shape (m, units): one row per observation. Optional: an
    `exact_backward(z, grad_h)` for h = act(z) itself, computed from z so that it stays exact
    where h rounds to its limits (the solver uses it wherever h was not printed).
    """

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Return h = act(z) as a fresh array; must not overflow or warn for any finite z."""

    def backward(self, z: np.ndarray, h: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        """Return dL/dz from dL/dh (a vector-Jacobian product), as a fresh array.

        `h` is act(z), or the value a document printed for it (rounded): write the derivative
        in terms of h where the lecture does (sigmoid: h(1 - h), tanh: 1 - h^2), so that a hand
        calculation from printed values can be reproduced.
        """


@runtime_checkable
class Loss(Protocol):
    """A loss over a batch: the mean over rows of a per-observation loss.

    `canonical_link` names the output activation (or None) for which dL/dz = (h - y) / m
    (an optional `link_delta(h, y)` gives another form, e.g. h sum(y) - y); the solver uses it
    for a hand calculation from printed outputs. Optional, for exactness at saturation and for
    load-time checks (see grader/reference/losses.py and activations.py): a loss's
    `log_coefficients(y)` -> (a, b) with l = -sum_k [a_k log h_k + b_k log(1 - h_k)], met by an
    activation's `log_output(z)` and `log_loss_delta(z, a, b)`; `target_range` and
    `needs_probabilities` (loss), `probabilities` and `output_range` (activation). A plugin
    without them is solved by the general chain rule and never refused for its pairing.
    """

    canonical_link: str | None

    def value(self, h: np.ndarray, y: np.ndarray) -> float:
        """The loss: mean over the m rows of h and y (shape (m, outputs))."""

    def gradient(self, h: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL/dh, shape (m, outputs), including the 1/m of the batch mean."""

    def sample_targets(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Targets for a hidden random case (e.g. one-hot rows for cross-entropy)."""


@runtime_checkable
class Task(Protocol):
    """A kind of exercise: what the submission computes, what a document prints for it, how
    those printed values are checked, what `explain` shows and how mistakes are planted.

    Required: `function`, `requires`, `arguments`, `quantities`, `reference`. Optional (see
    OPTIONAL below; a missing one gets the default that grader/tasks/hooks.py names):
    `sections`, `exact`, `by_hand` (default: the shared sections of grader/tasks/shared.py,
    which a task gets in full by subclassing its `SharedSections`), `explained` (default: every
    part) and `plant` (default: no planted-mistake diagnoses). A member that is present must
    be callable (an attribute: of the documented type); the registry checks both at load time.

    Printed values are keyed "<section>.<key>" for a table (`"gradients.W1"`) and "<section>"
    for a single value (`"loss"`) in `exact`, `by_hand` and `validate`'s report.
    """

    function: str
    """The function the submission must define, e.g. "backward". It must return a dict (the
    run layer carries dicts of arrays), one key per Quantity."""

    requires: tuple[str, ...]
    """Keys the exercise's [case] must give, e.g. ("learning_rate",); missing ones are refused
    at load time as `case.<key>: missing: task '<name>' needs it`."""

    def arguments(self, case: Case) -> dict[str, Any]:
        """The submission's arguments for one case, in call order (numpy arrays or numbers).

        Called once per case (worked and hidden) before the run; the keys name the arguments
        in messages (`changed its input params['W1'] in place`).
        """

    def quantities(self, network: Network) -> Sequence[Quantity]:
        """What the submission returns, one Quantity per returned key.

        Called once when the exercise loads. `Quantity.section` names the [expected.*] section
        whose printed value is the worked case's (and the answers file's table); a dimension
        of 0 stands for a length the case decides (scoring uses the reference's shape).
        """

    def reference(self, network: Network, case: Case) -> Mapping[str, np.ndarray]:
        """The exact value of every quantity for one case, computed by the reference solver.

        Called once per case, in the grader's process; the submission never sees it.
        """

    # --- optional members ---------------------------------------------------------------

    def sections(self, network: Network, case: Case) -> Mapping[str, Section]:
        """The [expected.*] sections this task accepts, by name, for this network and the
        worked case (its batch size, iterations and learning rate decide some shapes).

        Called when the exercise loads: an unknown section or key is refused with a near miss
        (`expected.gradient: unknown key (did you mean 'gradients'?)`), a wrong shape or a
        missing `Section.needs` case key is refused naming the key path. Also called by
        `validate` for each printed entry's symbol.
        """

    def exact(self, network: Network, case: Case) -> Mapping[str, np.ndarray]:
        """The exact value of every printed key the worked case can compute ("forward.h1",
        "loss", ...). Called once by `validate` and `solve`; a key that is printed must be
        here. Values must be finite: validate refuses a case that overflows float64."""

    def by_hand(
        self,
        network: Network,
        case: Case,
        printed: Mapping[str, np.ndarray],
        exact: Mapping[str, np.ndarray],
    ) -> Mapping[str, np.ndarray]:
        """Every printed key recomputed the way the document's hand calculation does: from
        the printed values it reuses (`printed`, keyed like `exact`; NaN where an entry was not
        printed) instead of exact ones. Return `exact`'s value where no rounding propagates.

        Called by `validate` once per round of repairs: a discrepant printed value is replaced
        by its correct rounding and the call repeated, so that one typo is reported once. A
        printed value between the exact one and this one is a rounding artefact.
        """

    explained: tuple[str, ...]
    """The parts of `grader explain` shown for this task, a subset of EXPLAIN_PARTS (below):
    ("forward", "loss", "backward", "update", "training"); "update" and "training"
    also need the case's learning rate (and iterations). Checked when the plugin loads (an
    unknown part is an error with its near miss); read whenever explain runs."""

    def plant(self, network: Network, case: Case, mistake: Any) -> Mapping[str, np.ndarray] | None:
        """Every quantity on `case` as a student with `mistake` would compute it, or None
        when this task cannot have that mistake.

        `mistake` is whatever a diagnosis plants: grader/diagnose/mistakes.py's `Mistake` for
        the built-in ones, or a diagnosis plugin's own hashable kind (tests/task_package's
        `HalfMissing`); return None for a kind the task does not know.

        Called by the planted-mistake diagnoses, for a wrong quantity, once per case and
        mistake (cached); a prediction that matches the submission on every case names it.
        """


@runtime_checkable
class Tolerance(Protocol):
    """A tolerance mode: which submitted numbers count as equal to the reference."""

    settings: type[BaseModel]  # validates the mode's own keys in the exercise file

    def accepts(
        self, submitted: np.ndarray, exact: np.ndarray, printed: Printed | None, settings: Any
    ) -> np.ndarray:
        """Elementwise bool array: is each submitted entry acceptable?

        `printed` is what the document printed for this quantity (worked case only), or None.
        """

    def describe(self, settings: Any) -> str:
        """A short phrase for reports, e.g. 'within 0.51e-3 (3 decimals)'."""


@runtime_checkable
class Reporter(Protocol):
    """A report format with a lifecycle: construct on a stream, add results, close.

    An optional `start(total)` is called by `grader grade` before the first result.
    Optional class attributes tell `grader grade` where the report goes in `--out`:
    `filename` (default `results.<name>`; None for standard output) and `per_result`
    (True: one file per submission, `<out>/<name>/<exercise>/<student>/<filename>`).
    """

    def __init__(self, stream: IO[str]) -> None: ...

    def add(self, result: CheckResult) -> None:
        """Report one graded submission."""

    def close(self) -> None:
        """Write whatever comes after the last result."""


@runtime_checkable
class Diagnosis(Protocol):
    """A classic mistake, named by its entry-point name (a stable id such as `sign-flipped`).

    Asked only about a quantity that is wrong; lower `priority` is asked first and the first
    sentence returned is reported. It must return None unless the mistake explains what was
    returned on every case (Evidence.fits does that check for a planted-mistake prediction).
    """

    priority: int

    def explains(self, evidence: Evidence) -> str | None:
        """One sentence for the report, pointing at the chain-rule factor involved, or None."""


# The parts of `grader explain`, in the order it writes them; Task.explained picks among them.
EXPLAIN_PARTS = ("forward", "loss", "backward", "update", "training")

# Members a plugin may leave out, by Protocol; the registry checks the rest are present and
# that whichever of these are present are callable (methods) or there (attributes).
OPTIONAL: dict[type, frozenset[str]] = {
    Task: frozenset({"sections", "exact", "by_hand", "explained", "plant"}),
}
