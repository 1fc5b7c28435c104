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

Optional members. Activations, losses and tasks may carry more than their Protocol requires:
`ActivationExtras` and `LossExtras` below document each optional member of those two the way
the required ones are documented, and `Task` itself marks its optional members (`OPTIONAL`,
checked at load only when present). Each has a generic fallback, so that a plugin written
before they existed (such as tests/plugin_package/grader_softplus.py, forward and backward
only) loads, is solved, explained and diagnosed; a member it does carry makes the worked
solution and the sentences its own.
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

    Arrays are float64 of shape (m, units): one row per observation. Optional members
    (derivative, formula texts, parameters, exact_backward): see ActivationExtras.
    """

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Return h = act(z) as a fresh array; must not overflow or warn for any finite z."""

    def backward(self, z: np.ndarray, h: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        """Return dL/dz from dL/dh (a vector-Jacobian product), as a fresh array.

        `h` is act(z), or the value a document printed for it (rounded): write the derivative
        in terms of h where the lecture does (sigmoid: h(1 - h), tanh: 1 - h^2), so that a hand
        calculation from printed values can be reproduced.
        """


class ActivationExtras(Protocol):
    """Optional members of an activation (see the module docstring), each with its fallback."""

    elementwise: bool
    """Whether h_k depends on z_k alone (True for sigmoid, False for softmax). Fallback: probed
    once from `backward` with unit gradients (is the Jacobian diagonal?)."""

    formula: str
    """h in terms of z, e.g. "1 / (1 + e^-z)": explain's forward pass writes it with numbers in.
    Fallback: the registered name, h = name(z)."""

    derivative_formula: str
    """dh/dz as the lecture writes it, e.g. "h(1 - h)": explain's backward pass and the
    sentences of the derivative diagnoses. Fallback: explain shows the number only, and the
    sentences say name'(z)."""

    parameters: Mapping[str, float]
    """The activation's own numbers (leaky-relu: {"slope": 0.01}), the one place they live;
    with `with_parameters(**values)` -> the same activation with other values. An exercise
    sets them with `activation = { name = "...", slope = 0.2 }`: the loader refuses a key that
    is not in `parameters` (exit 2, naming it) and reports a ValueError of `with_parameters`
    (a value out of range) at the activation's key. Fallback: {} (no parameters)."""

    def derivative(self, z: np.ndarray, h: np.ndarray) -> np.ndarray:
        """dh/dz entry by entry, written the way `derivative_formula` writes it (in terms of h
        for sigmoid and tanh, so that a formula read at the wrong place can be planted).

        Called by the diagnoses to plant a missing, a misplaced (read at z) or another
        activation's derivative into a layer of an elementwise activation, and to plant this
        activation's derivative into another activation's layer. `h` is the layer's output, or
        z itself for the misplaced variant. Fallback: `backward(z, h, 1)`, the diagonal of the
        Jacobian, so that every elementwise plugin gets the derivative diagnoses.
        """

    def exact_backward(self, z: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
        """dL/dz for h = act(z) itself, from z, exact where h rounds to its limits: the solver
        uses it wherever h was not printed. Fallback: backward(z, forward(z), grad_h)."""


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


class LossExtras(Protocol):
    """Optional members of a loss: its texts, for explain and the diagnoses' sentences."""

    formula: str
    """The per-observation loss l in y_k and h_k, e.g. "1/2 sum_k (y_k - h_k)^2" (the loss is
    the mean of l over a batch). Explain's loss section and every sentence that names the loss
    (a sign flip, a missing batch mean). Fallback: the registered name."""

    term: str
    outer: str
    """How explain writes l with numbers in the variables y, h (one output) and n (outputs): one
    output's `term` ("(y - h)^2") and the `outer` form around their sum S ("1/2 S"). Fallback:
    explain writes L = formula = value."""

    derivative_formula: str
    """dl/dh_k in y, h and n, e.g. "-(y - h)": explain's first backward line and the sign-flip
    sentence. Fallback: explain shows the number, the sentence names the loss only."""

    link_formula: str
    """dl/dz at the output activation named by `canonical_link`, e.g. "h - y". Fallback: h - y."""

    scale_mistakes: tuple[tuple[float, str], ...]
    """(factor, why) pairs: a gradient off by `factor` everywhere is explained by `why`
    (half-squared-error: 2, its 1/2 forgotten). Fallback: () (the factor is named, no why)."""


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

        Called by the planted-mistake diagnoses (sign flip, missing or wrong derivative,
        untransposed weight, learning-rate mistakes, ...), for a wrong quantity, once per case
        and mistake (cached); a prediction that matches the submission on every case names it.
        A task that returns gradients or updated parameters can delegate to
        `grader.diagnose.mistakes.mistaken_backward` / `mistaken_step`, as the built-in
        `backward`, `train-step` and `train` do. Without it, only the diagnoses that read the
        numbers alone (hard-coded, zero, transposed, scaled) apply.
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
    """A report format: a class constructed on an output stream, driven through one lifecycle.

    `grader check` and `grader grade` both drive it through `grader.report.lifecycle.drive`:

        reporter = ReporterClass(stream)  # once per output file (or standard output)
        reporter.start(total)             # `grader grade` only, before the first result
        reporter.add(result)              # once per result, in the order of the class
        reporter.close()                  # once, after the last result; even after none

    Required: `__init__(stream)`, `add`, `close` (checked when the plugin loads). Optional, with
    the defaults of `grader.report.base.BaseReporter` (inherit it to get them; a plugin that
    does not is read through the same defaults, never by guessing):

    - `start(self, total: int) -> None`: called by `grader grade` with the number of results
      to come, before the first `add`; never by `grader check` (one result, no class).
    - `filename: str | None` (class attribute, default `"results.{name}"`): the file written
      in `--out`; `{name}` is the format's entry-point name; None means standard output.
    - `per_result: bool` (default False): True writes one file per result, at
      `<out>/<name>/<exercise>/<student>/<filename>`, each through its own lifecycle.
    - `reports_failures: bool` (default False): True makes `grader check` write the report
      even when grading itself failed (a machine reads it: Gradescope); the failure is one
      result of status `missing` (the submission is not there) or `error` (the grader broke).

    A class run whose environment check (the canary) failed still writes every report: each
    result then has status `error`, outcome `not-graded` and the reason in `problems`.
    Nothing a reporter writes may let a student's text act (grader/report/safe.py).
    """

    def __init__(self, stream: IO[str]) -> None:
        """Keep `stream` (text, already open); write nothing yet."""

    def add(self, result: CheckResult) -> None:
        """Report one result; may write at once or keep it for `close`. Returns nothing."""

    def close(self) -> None:
        """Write whatever is left and flush the stream; never closes it (the caller does)."""


@runtime_checkable
class Diagnosis(Protocol):
    """A classic mistake, named by its entry-point name (a stable id such as `sign-flipped`).

    Asked only about a quantity that is wrong; lower `priority` is asked first and the first
    sentence returned is reported. It must return None unless the mistake explains what was
    returned on every case (Evidence.fits does that check for a planted-mistake prediction).

    The Evidence (grader/diagnose/evidence.py) holds the exercise, the quantity, the cases,
    the exact and the submitted values per case; `predict(Mistake(...))` plants a mistake
    through the task's `plant` hook; `errors` is what the call raised on each case (a crash
    leaves no numbers, only its message); `batch` is m when every case is a batch of m.
    Sentences should be written in the exercise's own loss and activations: the helpers in
    grader/diagnose/words.py read their texts, with fallbacks for plugins that have none.
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
