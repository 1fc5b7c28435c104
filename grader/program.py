"""The Python source the child runs for a program or a notebook, and how to word its errors.

program = program_source(data, path)          # data: the submission's bytes, read once
report = run(RunRequest(program.source, ...))
report = relabel_report(report, program.relabel)  # "(line 16)" -> "(cell 4, line 2)"
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.notebook import notebook_source

if TYPE_CHECKING:
    from grader.run.report import RunReport


def _same(message: str) -> str:
    return message


@dataclass(frozen=True)
class Program:
    source: bytes
    relabel: Callable[[str], str] = _same  # a child's "(line N)" -> where the student looks


def program_source(data: bytes, path: Path) -> Program:
    """A .py file's bytes as they are; a notebook's graded code cells (InputError if broken)."""
    if path.suffix.lower() == ".ipynb":
        notebook = notebook_source(data, str(path))
        return Program(notebook.source, notebook.relabel)
    return Program(data)


def relabel_report(report: RunReport, relabel: Callable[[str], str]) -> RunReport:
    """The run's report with every message that may end with the child's '(line N)' reworded.

    A new report: the run layer's RunReport may be frozen.
    """
    events = {
        case: {**event, "error": relabel(event["error"])}
        if isinstance(event.get("error"), str)
        else event
        for case, event in report.events.items()
    }
    return dataclasses.replace(report, message=relabel(report.message), events=events)
