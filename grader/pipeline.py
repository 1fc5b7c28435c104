"""The whole pipeline for one submission: load, plan, run in isolation, score, (report).

exercise = load_exercise("house-price-backprop")
result = check_submission(exercise, Path("student.py"))
"""

from __future__ import annotations

import importlib.util
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from grader import __version__
from grader.diagnose.run import diagnose
from grader.errors import SubmissionNotFound
from grader.exercise.consistency import refuse_overflow
from grader.exercise.finding import model_solution, search_dirs
from grader.exercise.loader import LoadedExercise
from grader.explain.sketch import sketch, with_products
from grader.plan.cases import Case, default_seed, plan_cases
from grader.plan.references import references
from grader.program import program_source, relabel_report
from grader.report.safe import one_line
from grader.result import CheckResult, Status
from grader.run.limits import Limits
from grader.run.report import RunReport
from grader.run.request import RunRequest
from grader.run.runner import run_submission
from grader.run.sandbox import interpreter_paths
from grader.score.scoring import decode_all, score_quantity
from grader.submission import Submission, folder_names, is_folder, read_submission
from grader.submission_kind import KINDS, kind_by_name
from grader.suggest import close_matches

CODE = tuple(suffix for suffix, kind in KINDS.items() if kind != "answers")  # .py, .ipynb

Runner = Callable[[RunRequest], RunReport]


def protected_paths(exercise: LoadedExercise) -> tuple[str, ...]:
    """Folders a submission must not read: the grader's package, exercises and solutions.

    The sandbox does not even show them; without it, the child's audit hook refuses them.
    """
    spec = importlib.util.find_spec("grader")
    folders = {Path(p) for p in (spec.submodule_search_locations or [])} if spec else set()
    folders |= {exercise.path.parent, model_solution(exercise).parent, *search_dirs()}
    folders |= {d.parent / "solutions" for d in search_dirs()}
    # An exercise file lying in /tmp must not put the interpreter or the run itself off limits.
    needed = [*interpreter_paths(), Path(tempfile.gettempdir()).resolve()]
    kept = {f.resolve() for f in folders}
    kept = {f for f in kept if not any(f == n or f in n.parents for n in needed)}
    return tuple(sorted(str(f) for f in kept))


def find_submission(path: Path, exercise: LoadedExercise, root: Path | None = None) -> Submission:
    """A .py file, or a folder holding one (or `<exercise id>.py` among several), read safely.

    Nothing on the way may be a symbolic link (below `root`, the class folder, if given); see
    grader/submission.py.
    """
    if not is_folder(path):  # a file, a link, a FIFO, nothing at all: the reader says which
        return read_submission(path, root)
    candidates = [n for n in folder_names(path, root) if Path(n).suffix.lower() in CODE]
    preferred = [n for n in candidates if Path(n).stem in (exercise.id, exercise.task.function)]
    if len(preferred) == 1 or len(candidates) == 1:
        return read_submission(path / (preferred or candidates)[0], root)
    found = ", ".join(candidates) or "no .py file"
    raise SubmissionNotFound(
        f"{path}: cannot tell which file to grade ({found}); name it {exercise.id}.py"
    )


def _plain(value: Any) -> Any:
    """Arguments as JSON: arrays become nested lists, dicts keep their keys."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _key_problems(
    report: RunReport, names: list[str], also: frozenset[str] = frozenset()
) -> list[str]:
    """Keys returned beyond `names`; `also` may come back unasked (a frozen parameter's
    gradient: not graded, not wrong either)."""
    returned = next((e for e in report.events.values() if e.get("values")), None)
    extra = [k for k in (returned or {}).get("values", {}) if k not in names and k not in also]
    problems = []
    if len(extra) > 5:
        problems.append(
            f"returned {len(extra)} unexpected keys ({', '.join(extra[:3])}, ...); "
            f"expected {', '.join(names)}"
        )
        extra = []
    for key in extra:
        close = close_matches(key, names)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"returned an unexpected key {key!r}{hint}; expected {', '.join(names)}")
    return problems


@dataclass(frozen=True)
class LimitOverrides:
    """The command line's run limits (--timeout, --cpu-seconds, ...); None keeps the
    exercise's [grading.limits], or the default in grader/run/limits.py."""

    wall_seconds: float | None = None
    cpu_seconds: int | None = None
    memory_mb: int | None = None
    output_kb: int | None = None

    def limits_for(self, exercise: LoadedExercise) -> Limits:
        return limits_for(
            exercise,
            wall_seconds=self.wall_seconds,
            cpu_seconds=self.cpu_seconds,
            memory_mb=self.memory_mb,
            output_kb=self.output_kb,
        )


def limits_for(
    exercise: LoadedExercise,
    *,
    wall_seconds: float | None = None,
    cpu_seconds: int | None = None,
    memory_mb: int | None = None,
    output_kb: int | None = None,
) -> Limits:
    """The defaults, then the exercise's [grading.limits], then the command line's."""
    spec = exercise.spec.grading.limits
    exercises = Limits().merged(
        wall_seconds=spec.wall_seconds,
        cpu_seconds=spec.cpu_seconds,
        memory_mb=spec.memory_mb,
        output_kb=spec.output_kb,
    )
    return exercises.merged(
        wall_seconds=wall_seconds,
        cpu_seconds=cpu_seconds,
        memory_mb=memory_mb,
        output_kb=output_kb,
    )


def _mutation_notes(report: RunReport, arguments: list[str]) -> list[str]:
    changed = sorted({name for e in report.events.values() for name in e.get("mutated", [])})
    if not changed:
        return []

    # The child counts arguments by position; say them as the task names them (params['W1']).
    def named(label: str) -> str:
        head, _, rest = label.partition("[")
        number = head.removeprefix("argument ")  # from the child: it may say anything
        position = int(number) if head.startswith("argument ") and number.isdigit() else 0
        name = arguments[position - 1] if 0 < position <= len(arguments) else head
        return name + ("[" + rest if rest else "")

    changed = [named(c) for c in changed]
    return [
        f"changed its input {', '.join(changed)} in place: allowed here (each case gets fresh "
        "copies), but a caller that reuses its arrays would see them change"
    ]


@dataclass(frozen=True)
class Prepared:
    """A code submission ready to run in isolation, with what scoring its run needs."""

    exercise: LoadedExercise
    given: Path  # as handed in: a file or its folder
    path: Path  # the file read
    relabel: Callable[[str], str]  # a child's "(line N)" -> where the student looks
    seed: int
    cases: list[Case]
    refs: list[dict]
    request: RunRequest


def check_submission(
    exercise: LoadedExercise,
    submission: Path | Submission,
    seed: int | None = None,
    limits: Limits | None = None,
    run: Runner = run_submission,
    hide: tuple[str, ...] = (),
    protected: tuple[str, ...] | None = None,
) -> CheckResult:
    """Grade a .py or .ipynb submission (or a folder holding one); a .toml file is
    hand-computed answers; anything else is refused (InputError).

    A path is read here, safely and once; a `Submission` was read already (its bytes are what
    the gradebook hashed). `run` runs it in isolation: a fresh sandbox by default, or a worker's.
    `hide`: folders the run must not see besides the grader's own (see RunRequest).
    `protected`: `protected_paths(exercise)`, when the caller has it already (a class run
    asks once per exercise, not once per submission).
    """
    prepared = prepare(exercise, submission, seed, limits, hide, protected)
    if isinstance(prepared, CheckResult):
        return prepared  # hand-computed answers: nothing to run
    return score_run(prepared, run(prepared.request))


def prepare(
    exercise: LoadedExercise,
    submission: Path | Submission,
    seed: int | None = None,
    limits: Limits | None = None,
    hide: tuple[str, ...] = (),
    protected: tuple[str, ...] | None = None,
) -> Prepared | CheckResult:
    """check_submission up to the run: the cases, their exact values and the run's request
    (a class run scores one run while the next one runs). Answers are graded here at once."""
    # A .txt or a .PDF is refused before anything is read (nothing there: the reader says so).
    if (
        isinstance(submission, Path)
        and os.path.lexists(submission)
        and not is_folder(submission)
        and kind_by_name(submission) == "answers"
    ):
        from grader.answers import check_answers

        read_submission(submission)  # no link, no FIFO, not too big; answers.py reads it again
        return check_answers(exercise, submission)
    if isinstance(submission, Submission) and kind_by_name(submission.path) == "answers":
        from grader.answers import check_answers  # a class run's, read once already

        return check_answers(exercise, submission.path, submission.data)
    given = submission if isinstance(submission, Path) else submission.path
    if isinstance(submission, Path):
        submission = find_submission(submission, exercise)
    # A notebook's graded code cells become the program; the bytes handed in stay the key.
    program = program_source(submission.data, submission.path)
    if seed is None:
        seed = default_seed(exercise, program.source)
    cases = plan_cases(exercise, seed)
    task = exercise.task
    # The reference comes from our own copies; the child only ever sees the inputs.
    refs = references(exercise, cases)  # an overflow is refused below
    refuse_overflow(str(exercise.path), refs[0])  # as validate does: no exact value to grade by
    calls = [[_plain(v) for v in task.arguments(case).values()] for case in cases]
    forbidden = (*exercise.spec.grading.forbidden_imports, "grader")
    protected = protected_paths(exercise) if protected is None else protected
    request = RunRequest(
        program.source,
        task.function,
        calls,
        limits or limits_for(exercise),
        forbidden,
        protected,
        hide,
    )
    return Prepared(exercise, given, submission.path, program.relabel, seed, cases, refs, request)


def score_run(prepared: Prepared, report: RunReport) -> CheckResult:
    """check_submission after the run: score, diagnose, and the hints a run's report calls for."""
    report = relabel_report(report, prepared.relabel)  # "(line 16)" -> "(cell 4, line 2)"
    p = prepared
    result = grade_report(p.exercise, p.given, p.seed, p.cases, p.refs, report)
    hint = _sibling_hint(report, p.path)
    return result.model_copy(update={"problems": [*result.problems, hint]}) if hint else result


_NO_MODULE = re.compile(r"No module named '([A-Za-z_][A-Za-z0-9_]*)")


def _sibling_hint(report: RunReport, path: Path) -> str:
    """A failed import of a module that lies beside the submission: only the file is graded."""
    found = _NO_MODULE.search(report.message) if report.status == "import-error" else None
    if found is None:
        return ""
    name = found.group(1)
    beside = [path.parent / f"{name}.py", path.parent / name]
    if not any(p.exists() for p in beside):
        return ""
    return (
        f"{name} lies beside {path.name}, but a submission is that one file: the grader runs "
        f"it alone, so put what {path.name} needs from {name} into {path.name} itself"
    )


def grade_report(
    exercise: LoadedExercise,
    submission: Path,
    seed: int,
    cases: list[Case],
    refs: list[dict],
    report: RunReport,
    slack: dict[str, list] | None = None,
) -> CheckResult:
    """Score, diagnose and assemble the result of a run (or of a file of answers)."""
    # The run's message may quote the submission; every check message that repeats it must
    # stay one line per case, so that nothing the student wrote reads as a line of the report.
    report = replace(report, message=one_line(report.message))
    got = decode_all(exercise, cases, refs, report)
    checks = [score_quantity(exercise, q, cases, refs, got[q.name]) for q in exercise.quantities]
    submitted = {name: [array for array, _ in per_case] for name, per_case in got.items()}
    checks = diagnose(exercise, cases, refs, submitted, checks, slack, received=got)
    checks = with_products(exercise, cases[0], checks)
    names = [q.name for q in exercise.quantities]
    problems = [report.message] if report.status != "ok" else []
    problems += _key_problems(report, names, exercise.network.frozen)
    # Arguments are the submission's own copies (the README says so): changing them is a note.
    notes = _mutation_notes(report, list(exercise.task.arguments(cases[0])))
    return CheckResult(
        outcome=report.status.value,
        exercise=exercise.id,
        title=exercise.spec.title,
        submission=str(submission),
        score=sum(c.score for c in checks),
        max_score=exercise.max_score,
        seed=seed,
        hidden_cases=len(cases) - 1,
        problems=problems,
        notes=notes,
        checks=checks,
        stdout=report.stdout,
        stderr=report.stderr,
        elapsed=round(report.elapsed, 3),
        grader_version=__version__,
        network=sketch(exercise, cases[0]),
    )


def failure_result(exercise: str, submission: Path, exc: BaseException) -> CheckResult:
    """A result that says grading itself failed: score 0, the reason for the instructor."""
    # A missing or unreadable submission is the student's to fix; anything else is ours.
    status: Status = "missing" if isinstance(exc, SubmissionNotFound) else "error"
    return CheckResult(
        status=status,
        outcome=status,
        exercise=exercise,
        title=exercise,
        submission=str(submission),
        score=0.0,
        max_score=0.0,
        seed=0,
        hidden_cases=0,
        problems=[f"{type(exc).__name__}: {exc}"],
        grader_version=__version__,
    )
