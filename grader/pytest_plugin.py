"""The pytest plugin: `pytest` in a student's repository grades the submission it names.

    # pytest.ini (or [tool.pytest.ini_options] in pyproject.toml)
    [pytest]
    grader_exercise = house-price-backprop
    grader_submission = backward.py

collects one test per graded quantity (`house-price-backprop::dL/dW1`), grades the submission
once, at the first of them to run, and fails each wrong quantity with the text `grader check`
prints for it. Every test records `score` and `max_score` in `user_properties`, which
`--junitxml` writes as <property> elements. `--grader-exercise` / `--grader-submission` on the
command line replace the ini key of the same name; several values are paired in order.

Installed with the grader, so it is loaded by every pytest that can import the grader: without
an exercise configured it registers its options and does nothing else (not even an import of
the grader's own modules).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from grader.exercise.loader import LoadedExercise
    from grader.result import Check, CheckResult

EXERCISE, SUBMISSION = "grader_exercise", "grader_submission"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("backprop-grader", "grade a backpropagation exercise")
    group.addoption(
        "--grader-exercise",
        action="append",
        dest=EXERCISE,
        metavar="ID_OR_PATH",
        help="Exercise id or .toml path to grade (repeat for several); replaces the ini key.",
    )
    group.addoption(
        "--grader-submission",
        action="append",
        dest=SUBMISSION,
        metavar="PATH",
        help="The submission graded against the --grader-exercise in the same position.",
    )
    parser.addini(EXERCISE, "Exercise ids or .toml paths to grade, one a line.", "linelist")
    parser.addini(
        SUBMISSION, "Submissions, one a line, paired in order with grader_exercise.", "linelist"
    )


@dataclass(frozen=True)
class Pair:
    exercise: str  # an id, or an absolute path to a .toml file
    submission: Path
    label: str  # the collector's node id: the exercise, and the submission if it repeats


def _values(config: pytest.Config, key: str) -> tuple[list[str], Path]:
    """The command line's values (relative to where pytest ran), else the ini file's."""
    given = config.getoption(key)
    if given:
        return list(given), config.invocation_params.dir
    base = config.inipath.parent if config.inipath else config.rootpath
    return list(config.getini(key)), base


def _is_path(exercise: str) -> bool:
    return exercise.lower().endswith(".toml") or "/" in exercise or "\\" in exercise


def configured_pairs(config: pytest.Config) -> list[Pair]:
    """(exercise, submission) pairs; [] when the plugin is not configured."""
    exercises, exercise_base = _values(config, EXERCISE)
    submissions, submission_base = _values(config, SUBMISSION)
    if not exercises and not submissions:
        return []
    if len(exercises) != len(submissions):
        raise pytest.UsageError(
            f"backprop-grader: {len(exercises)} {EXERCISE} value(s) but {len(submissions)} "
            f"{SUBMISSION} value(s); they are paired in order, so give as many of each"
        )
    names = [Path(e).stem if _is_path(e) else e for e in exercises]
    pairs = []
    for exercise, name, submission in zip(exercises, names, submissions, strict=True):
        label = name if names.count(name) == 1 else f"{name}[{submission}]"
        if _is_path(exercise):
            exercise = str(exercise_base / exercise)
        pairs.append(Pair(exercise, submission_base / submission, label))
    return pairs


def pytest_configure(config: pytest.Config) -> None:
    pairs = configured_pairs(config)
    if pairs:
        config.pluginmanager.register(GraderSession(pairs), "backprop-grader-session")


def _shown(path: Path, root: Path) -> Path:
    """A path as the student knows it: relative to the repository, not /home/runner/..."""
    return path.relative_to(root) if path.is_relative_to(root) else path


class GraderSession:
    """Everything the plugin does once configured: collect the quantities, say what runs."""

    def __init__(self, pairs: list[Pair]) -> None:
        self.pairs = pairs

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        from grader.run import sandbox

        lines = [
            f"backprop-grader: {p.label} <- {_shown(p.submission, config.rootpath)}"
            for p in self.pairs
        ]
        notice = sandbox.require(False)
        return lines + ([f"backprop-grader: {notice}"] if notice else [])

    # First, so that -k, -m and --deselect see our items like any others.
    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list) -> None:
        for pair in self.pairs:
            node = ExerciseNode.from_parent(session, name=pair.label, nodeid=pair.label, pair=pair)
            report = node.ihook.pytest_make_collect_report(collector=node)
            # Reported like any collector's: an error here is a collection error, exit 2.
            session.ihook.pytest_collectreport(report=report)
            if report.passed:
                items.extend(report.result)


class ExerciseNode(pytest.Collector):
    """One (exercise, submission) pair: a test per graded quantity."""

    def __init__(self, *, pair: Pair, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pair = pair

    def collect(self) -> list[QuantityItem]:
        from grader.errors import GraderError
        from grader.exercise import load_exercise
        from grader.submission_kind import submission_kind

        try:
            exercise = load_exercise(self.pair.exercise)
        except GraderError as exc:
            raise self.CollectError(f"{EXERCISE} {self.pair.exercise!r}: {exc}") from None
        shown = _shown(self.pair.submission, self.config.rootpath)
        try:
            submission_kind(self.pair.submission)
        except GraderError as exc:
            # The library names the absolute path; the student wrote it relative.
            why = str(exc).removeprefix(f"{self.pair.submission}: ")
            raise self.CollectError(f"{SUBMISSION} for {exercise.id}: {shown}: {why}") from None
        graded = GradedPair(exercise, self.pair.submission, shown)
        return [
            QuantityItem.from_parent(
                self, name=q.title, graded=graded, points=exercise.rules[q.name].points
            )
            for q in exercise.quantities
        ]


class GradedPair:
    """Grades its submission once, when the first of its tests runs, and keeps the outcome."""

    def __init__(self, exercise: LoadedExercise, submission: Path, shown: Path) -> None:
        self.exercise = exercise
        self.submission = submission
        self.shown = shown
        self._outcome: CheckResult | Exception | None = None

    def result(self) -> CheckResult:
        if self._outcome is None:
            try:
                result = grade(self.exercise, self.submission)
                self._outcome = result.model_copy(update={"submission": str(self.shown)})
            except Exception as exc:  # kept, so that one failure is not graded again per test
                self._outcome = exc
        if isinstance(self._outcome, Exception):
            raise self._outcome
        return self._outcome


def grade(exercise: LoadedExercise, submission: Path) -> CheckResult:
    """What `grader check SUBMISSION -e EXERCISE` grades, with the exercise's own limits."""
    from grader.pipeline import check_submission, limits_for
    from grader.run import sandbox

    # The same switch as `grader check --require-sandbox`, read the way click reads it.
    required = os.environ.get("GRADER_REQUIRE_SANDBOX", "").lower() in ("1", "true", "yes", "on")
    sandbox.require(required)
    return check_submission(exercise, submission, limits=limits_for(exercise))


def feedback(result: CheckResult, check: Check) -> str:
    """The text report of `grader check` cut down to one quantity (its points as the score),
    after a one-line verdict."""
    import io

    from grader.report.text import TextReporter

    one = result.model_copy(
        update={"checks": [check], "score": check.score, "max_score": check.max_score}
    )
    stream = io.StringIO()
    reporter = TextReporter(stream)
    reporter.add(one)
    reporter.close()
    # One line first: pytest's short summary (`FAILED ...::dL/dW1 - ...`) shows only that.
    points = f"{check.score:g}/{check.max_score:g}"
    cause = f", likely cause: {check.diagnosis}" if check.diagnosis else ""
    return f"{check.name} {points}{cause}\n\n" + stream.getvalue().rstrip("\n")


class QuantityFailed(Exception):
    """A quantity without full marks; its message is the grader's feedback, shown as is."""


class QuantityItem(pytest.Item):
    def __init__(self, *, graded: GradedPair, points: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graded = graded
        self.points = points

    def runtest(self) -> None:
        from grader.errors import GraderError

        try:
            result = self.graded.result()
        except GraderError as exc:
            self._record(0.0)
            message = f"the grader could not grade {self.graded.shown}: {exc}"
            raise QuantityFailed(message) from None
        check = next((c for c in result.checks if c.name == self.name), None)
        self._record(check.score if check else 0.0)
        if check is None:
            raise QuantityFailed(f"{self.name} was not graded: " + "; ".join(result.problems))
        if check.status != "pass":
            raise QuantityFailed(feedback(result, check))

    def _record(self, score: float) -> None:
        self.user_properties += [("score", score), ("max_score", self.points)]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, QuantityFailed):
            return str(excinfo.value)  # the grader's words, not a traceback of ours
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.graded.submission, None, self.nodeid
