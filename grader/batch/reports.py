"""Write every requested report format into the output folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from grader import plugins
from grader.report.lifecycle import drive, options
from grader.result import CheckResult


def _write(reporter_class: Any, path: Path | None, results: list[CheckResult]) -> None:
    if path is None:
        drive(reporter_class, sys.stdout, results, batch=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        drive(reporter_class, stream, results, batch=True)


def write_reports(results: list[CheckResult], formats: list[str], out: Path) -> list[str]:
    """The files (or "stdout") written, one entry per format."""
    written = []
    for name in formats:
        cls = plugins.get("reporters", name)
        where = options(cls, name)
        if where.per_result:
            for result in results:
                folder = out / name / result.exercise / (result.student or "submission")
                _write(cls, folder / (where.filename or "report"), [result])
            written.append(f"{out / name}/<exercise>/<student>/{where.filename}")
        elif where.filename is None:
            _write(cls, None, results)
            written.append("stdout")
        else:
            _write(cls, out / where.filename, results)
            written.append(str(out / where.filename))
    return written
