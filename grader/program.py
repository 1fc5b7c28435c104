"""The Python source the child runs for a program or a notebook, and how to word its errors.

program = program_source(data, path)          # data: the submission's bytes, read once
report = run(RunRequest(program.source, ...))
relabel_report(report, program.relabel)       # "(line 16)" -> "(cell 4, line 2)"
"""

from __future__ import annotations

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


def relabel_report(report: RunReport, relabel: Callable[[str], str]) -> None:
    """Reword, in place, every message of a run that may end with the child's '(line N)'."""
    report.message = relabel(report.message)
    for event in report.events.values():
        if isinstance(event.get("error"), str):
            event["error"] = relabel(event["error"])
