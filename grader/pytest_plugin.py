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

from dataclasses import dataclass
from pathlib import Path

import pytest

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


class GraderSession:
    """Everything the plugin does once configured: collect the quantities, say what runs."""

    def __init__(self, pairs: list[Pair]) -> None:
        self.pairs = pairs

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        from grader.pytest_items import shown
        from grader.run import sandbox

        lines = [
            f"backprop-grader: {p.label} <- {shown(p.submission, config.rootpath)}"
            for p in self.pairs
        ]
        notice = sandbox.require(False)
        return lines + ([f"backprop-grader: {notice}"] if notice else [])

    # First, so that -k, -m and --deselect see our items like any others.
    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list) -> None:
        from grader.pytest_items import ExerciseNode

        for pair in self.pairs:
            node = ExerciseNode.from_parent(
                session,
                name=pair.label,
                nodeid=pair.label,
                exercise=pair.exercise,
                submission=pair.submission,
            )
            report = node.ihook.pytest_make_collect_report(collector=node)
            # Reported like any collector's: an error here is a collection error, exit 2.
            session.ihook.pytest_collectreport(report=report)
            if report.passed:
                items.extend(report.result)
